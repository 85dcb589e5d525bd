"""The register on both real back ends: import, refusal, chains, queries, due, export, policy."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.register import _docs
from tests.register._docs import AT, Doc
from woda_sharing import Request
from woda_sharing import _canonical as canonical
from woda_sharing.exceptions import (
    ImportRefusedError,
    NotFoundError,
    RegisterError,
    UsageError,
)
from woda_sharing.register import Outcome, Query, Register, State, open_register


@pytest.fixture
def base(reg: Register) -> tuple[Doc, Doc]:
    """A register holding the keyring, the charter and one endorsed agreement."""
    charter = _docs.charter()
    agreement = _docs.agreement(charter)
    reg.import_documents([_docs.keyring(), charter, agreement], at=AT)
    return charter, agreement


def _refused(reg: Register, *docs: Any, **kwargs: Any) -> ImportRefusedError:
    before = _snapshot(reg)
    with pytest.raises(ImportRefusedError) as info:
        reg.import_documents(list(docs), at=AT, **kwargs)
    assert _snapshot(reg) == before, "a refused import wrote something"
    assert "nothing was written" in str(info.value)
    return info.value


def _snapshot(reg: Register) -> list[tuple[str, str, int, str, str]]:
    entries = reg.query(Query(kind=None, current=False))
    return [(e.kind, e.id, e.version, e.digest, e.state.value) for e in entries] + [
        (e.kind, e.id, e.version, json.dumps(reg.body(e.kind, e.id, e.version)), "")
        for e in entries
    ]


def test_import_stores_every_kind_with_state(reg: Register) -> None:
    charter = _docs.charter()
    pending = _docs.agreement(charter, ident="pending-one", endorsers=("county-council",))
    done = reg.import_documents(
        [("a.json", _docs.agreement(charter)), pending, charter, _docs.keyring()], at=AT
    )
    assert [(i.kind, i.outcome, i.state) for i in done] == [
        ("keyring", Outcome.ADDED, State.NOT_APPLICABLE),
        ("charter", Outcome.ADDED, State.ENDORSED),
        ("agreement", Outcome.ADDED, State.PENDING),
        ("agreement", Outcome.ADDED, State.ENDORSED),
    ]
    assert done[2].pending == ("district-council",)
    assert reg.counts() == {"charter": 1, "agreement": 2, "keyring": 1}
    entry = reg.entry("agreement", "pending-one")
    assert entry.endorsed == ("county-council",)
    assert entry.pending == ("district-council",)
    assert entry.charter == ("test-charter", 1)
    assert reg.body("agreement", "pending-one") == pending


def test_reimport_is_unchanged_and_new_endorsements_update(
    reg: Register, base: tuple[Doc, Doc]
) -> None:
    charter, agreement = base
    again = reg.import_documents([charter, agreement], at=AT)
    assert {i.outcome for i in again} == {Outcome.UNCHANGED}
    partial = _docs.agreement(charter, ident="late", endorsers=("county-council",))
    assert reg.import_documents([partial], at=AT)[0].state is State.PENDING
    full = _docs.agreement(charter, ident="late")
    done = reg.import_documents([full], at=AT)[0]
    assert (done.outcome, done.state, done.version) == (
        Outcome.ENDORSEMENTS_UPDATED,
        State.ENDORSED,
        1,
    )
    assert reg.entry("agreement", "late").pending == ()
    assert reg.body("agreement", "late") == full


def test_amendment_chain_and_history(reg: Register, base: tuple[Doc, Doc]) -> None:
    _charter, v1 = base
    v2 = _docs.amend(v1, lambda d: d.update(review="2024-12-31"))
    v3 = _docs.amend(v2, lambda d: d.update(title="Third"))
    done = reg.import_documents([v3, v2], at=AT)  # any order within one import
    assert [i.version for i in done] == [2, 3]
    history = reg.history("agreement", "test-agreement")
    assert [(e.version, e.current) for e in history] == [(1, False), (2, False), (3, True)]
    assert reg.entry("agreement", "test-agreement").title == "Third"
    assert reg.entry("agreement", "test-agreement", 1).review == dt.date(2025, 1, 31)
    assert len(reg.query(Query(id="test-agreement"))) == 1
    # re-importing an exact older version is harmless
    assert reg.import_documents([v1], at=AT)[0].outcome is Outcome.UNCHANGED
    changes = reg.changes("agreement", "test-agreement")
    assert [(c.old_version, c.new_version) for c in changes] == [(1, 2), (2, 3)]
    assert any("review" in c.detail for c in changes[0].changes)
    assert reg.diff("agreement", "test-agreement", 1).new_version == 3
    assert reg.changes("keyring", "test-keyring") == []
    with pytest.raises(UsageError):
        reg.diff("agreement", "test-agreement", 3)
    with pytest.raises(UsageError):
        reg.diff("keyring", "test-keyring", 1)
    with pytest.raises(NotFoundError):
        reg.changes("keyring", "nothing")


@pytest.mark.parametrize(
    "case",
    ["rollback-fork", "fork", "gap", "wrong-supersedes", "first-not-one"],
)
def test_chain_refusals(reg: Register, base: tuple[Doc, Doc], case: str) -> None:
    charter, v1 = base
    v2 = _docs.amend(v1, lambda d: d.update(review="2024-12-31"))
    reg.import_documents([v2], at=AT)
    if case == "rollback-fork":
        bad = _docs.agreement(charter, change=lambda d: d.update(title="Another v1"))
        reason = "rollback"
    elif case == "fork":
        bad = _docs.amend(v1, lambda d: d.update(title="Another v2"))
        reason = "fork"
    elif case == "gap":
        bad = _docs.amend(_docs.amend(v2))
        bad["version"] = 4
        bad = _docs.sign(bad, ("county-council", "district-council"))
        reason = "gap"
    elif case == "wrong-supersedes":
        bad = _docs.amend(v2)
        bad["supersedes"]["digest"] = canonical.digest(v1)
        bad = _docs.sign(bad, ("county-council", "district-council"))
        reason = "broken chain"
    else:
        bad = _docs.agreement(charter, ident="starts-late", change=lambda d: d.update(version=2))
        reason = "gap"
    error = _refused(reg, bad)
    assert reason in error.refusals[0].reason  # type: ignore[attr-defined]


def test_invalid_document_is_refused_with_findings(reg: Register, base: tuple[Doc, Doc]) -> None:
    charter, _ = base
    bad = _docs.agreement(charter, ident="bad", change=lambda d: d["flows"][0]["bases"].clear())
    good = _docs.agreement(charter, ident="good")
    error = _refused(reg, good, bad)  # the good one is not written either
    refusal = error.refusals[0]  # type: ignore[attr-defined]
    assert refusal.reason == "the document is not valid"
    assert refusal.findings
    assert all(f.severity.value == "error" for f in refusal.findings)


def test_tampered_and_unknown_key_endorsements_are_refused(
    reg: Register, base: tuple[Doc, Doc]
) -> None:
    charter, _ = base
    tampered = _docs.agreement(charter, ident="tampered")
    tampered["title"] = "Changed after signing"
    assert "document-changed" in _refused(reg, tampered).refusals[0].reason  # type: ignore[attr-defined]
    stranger = _docs.agreement(charter, ident="stranger")
    stranger = _docs.sign(stranger, ("county-council", "district-council"))
    other_ring = _docs.keyring(("county-council",))
    error = _refused(reg, stranger, keyring=other_ring)
    assert "unknown-key" in error.refusals[0].reason  # type: ignore[attr-defined]


def test_require_endorsed_and_missing_keyring_and_charter(reg: Register) -> None:
    charter = _docs.charter()
    partial = _docs.agreement(charter, endorsers=("county-council",))
    assert "no keyring" in _refused(reg, charter).refusals[0].reason  # type: ignore[attr-defined]
    reg.import_documents([_docs.keyring(), charter], at=AT)
    error = _refused(reg, partial, require_endorsed=True)
    assert "not fully endorsed" in error.refusals[0].reason  # type: ignore[attr-defined]
    orphan = copy.deepcopy(partial)
    orphan["charter"]["version"] = 7
    assert "neither in the register" in _refused(reg, orphan).refusals[0].reason  # type: ignore[attr-defined]
    assert "kind" in _refused(reg, {"kind": "memo"}).refusals[0].reason  # type: ignore[attr-defined]


def test_keyring_versions(reg: Register) -> None:
    ring = _docs.keyring()
    assert reg.import_documents([ring], at=AT)[0].version == 1
    assert reg.import_documents([ring], at=AT)[0].outcome is Outcome.UNCHANGED
    wider = _docs.keyring((*_docs.MEMBERS, "extra-org"))
    assert reg.import_documents([wider], at=AT)[0].version == 2
    assert [e.version for e in reg.history("keyring", "test-keyring")] == [1, 2]
    assert reg.body("keyring", "test-keyring") == wider


def test_unreadable_files_are_refused(reg: Register, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"kind": "agreement", "kind": "charter"}')
    with pytest.raises(ImportRefusedError) as info:
        reg.import_paths([bad], at=AT)
    assert info.value.refusals[0].findings[0].code == "WS004"  # type: ignore[attr-defined]


def _police(doc: Doc) -> None:
    doc["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    doc["flows"].append(
        {**doc["flows"][0], "id": "to-police", "from": "county", "to": "police", "items": ["name"]}
    )


def _hub(doc: Doc) -> None:
    doc["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    doc["records"] = [
        {
            "id": "referral",  # the same id as a flow: records and flows are apart
            "title": "Hub",
            "contributors": ["district", "police"],
            "viewers": ["county"],
            "items": ["name"],
            "purposes": ["early-help"],
            "bases": ["uk-gdpr-art-6-1-e"],
        }
    ]


def test_a_shared_record_is_found_by_its_contributors_and_viewers(
    reg: Register, base: tuple[Doc, Doc]
) -> None:
    charter, _ = base
    hub = _docs.agreement(
        charter,
        ident="hub",
        endorsers=("county-council", "district-council", "police"),
        change=_hub,
    )
    reg.import_documents([hub], at=AT)

    def ids(**filters: Any) -> list[str]:
        return [e.id for e in reg.query(Query(**filters))]

    assert ids(source="police", recipient="county-council", item="name") == ["hub"]
    assert ids(source="police", recipient="county-council", item="address") == []
    assert ids(source="district-council", item="address") == ["hub", "test-agreement"]


def test_queries(reg: Register, base: tuple[Doc, Doc]) -> None:
    charter, _ = base
    health = _docs.agreement(
        charter,
        ident="to-police",
        endorsers=("county-council", "district-council", "police"),
        change=_police,
    )
    reg.import_documents([health], at=AT)

    def ids(**filters: Any) -> list[str]:
        return [e.id for e in reg.query(Query(**filters))]

    assert ids() == ["test-agreement", "to-police"]
    assert ids(organisation="police") == ["to-police"]
    assert ids(sector="police") == ["to-police"]
    assert ids(source="county-council", recipient_sector="police") == ["to-police"]
    assert ids(source="county-council", recipient="police", item="name") == ["to-police"]
    assert ids(source="county-council", recipient="police", item="address") == []
    assert ids(source="district-council", recipient="county-council", item="address") == [
        "test-agreement",
        "to-police",
    ]
    assert ids(purpose="early-help", basis="uk-gdpr-art-6-1-e", category="personal") == [
        "test-agreement",
        "to-police",
    ]
    assert ids(basis="uk-gdpr-art-6-1-a") == []
    assert ids(category="special-category") == []
    assert ids(state=State.ENDORSED, charter="test-charter") == ["test-agreement", "to-police"]
    assert ids(review_before=dt.date(2025, 1, 31), review_after=dt.date(2025, 1, 31)) == [
        "test-agreement",
        "to-police",
    ]
    assert ids(review_before=dt.date(2025, 1, 30)) == []
    assert ids(limit=1) == ["test-agreement"]
    assert [e.kind for e in reg.query(Query(kind=None))] == [
        "agreement",
        "agreement",
        "charter",
        "keyring",
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"organisation": "Police"},
        {"item": "x'; DROP TABLE documents; --"},
        {"basis": "a\x00b"},
        {"kind": "memo"},
        {"limit": 0},
        {"review_before": "2024-01-01"},
    ],
    ids=["capital", "injection", "nul", "kind", "limit", "date-string"],
)
def test_malformed_query_is_a_usage_error(filters: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        Query(**filters)


def test_not_found(reg: Register, base: tuple[Doc, Doc]) -> None:
    with pytest.raises(NotFoundError, match="no agreement nothing"):
        reg.entry("agreement", "nothing")
    with pytest.raises(NotFoundError, match="version 9"):
        reg.body("agreement", "test-agreement", 9)
    with pytest.raises(NotFoundError):
        reg.history("charter", "nothing")
    with pytest.raises(UsageError):
        reg.entry("memo", "x")
    with pytest.raises(UsageError):
        reg.body("agreement", "test-agreement", 0)


def test_due(reg: Register, base: tuple[Doc, Doc]) -> None:
    charter, _v1 = base  # v1 reviews on 2025-01-31; the charter has no review date
    ends = _docs.agreement(charter, ident="ends", change=lambda d: d.update(end="2024-09-15"))
    pending = _docs.agreement(charter, ident="pending", endorsers=("county-council",))
    reg.import_documents([ends, pending], at=AT)
    due = reg.due(dt.date(2024, 11, 10))
    assert [(d.id, d.what, d.days, d.overdue) for d in due] == [
        ("ends", "end", -56, True),
        ("ends", "review", 82, False),
        ("pending", "review", 82, False),
        ("test-agreement", "review", 82, False),
        ("pending", "endorsement", None, False),
    ]
    assert due[-1].pending == ("district-council",)
    assert [d.id for d in reg.due(dt.date(2024, 6, 1))] == ["pending"]
    assert [d.what for d in reg.due(dt.date(2024, 6, 1), within=120)] == ["end", "endorsement"]
    assert reg.due(dt.date(2024, 6, 1), within=0)[0].what == "endorsement"
    with pytest.raises(UsageError):
        reg.due(dt.datetime(2024, 6, 1))  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        reg.due(dt.date(2024, 6, 1), within=-1)


def test_due_follows_the_charters_notice_period(reg: Register) -> None:
    the_charter = _docs.example_charter()
    the_charter["notice_days"] = 10
    charter = _docs.sign(the_charter, _docs.MEMBERS)
    reg.import_documents([_docs.keyring(), charter, _docs.agreement(charter)], at=AT)
    assert reg.due(dt.date(2025, 1, 20)) == []
    assert [d.days for d in reg.due(dt.date(2025, 1, 21))] == [10]


def test_transparency_export_follows_published_fields(reg: Register) -> None:
    the_charter = _docs.example_charter()
    the_charter["published_fields"] = ["parties", "digest"]
    charter = _docs.sign(the_charter, _docs.MEMBERS)
    agreement = _docs.agreement(charter)
    reg.import_documents([_docs.keyring(), charter, agreement], at=AT)
    (record,) = reg.transparency()
    assert record == {
        "kind": "agreement",
        "id": "test-agreement",
        "version": 1,
        "title": "Test early help agreement",
        "parties": [
            {"organisation": "county-council", "role": "controller"},
            {"organisation": "district-council", "role": "controller"},
        ],
        "digest": canonical.digest(agreement),
    }
    with pytest.raises(UsageError):
        reg.transparency(Query(kind="charter"))


def test_policy_from_the_register_matches_the_files(reg: Register, base: tuple[Doc, Doc]) -> None:
    from woda_sharing import Policy

    charter, agreement = base
    pending = _docs.agreement(charter, ident="pending", endorsers=("county-council",))
    reg.import_documents([pending], at=AT)
    from_register = reg.policy("test-charter")
    from_files = Policy.compile(charter, [agreement, pending], endorsed={"test-agreement": True})
    request = Request(
        sender="district-council",
        recipient="county-council",
        items=("name",),
        purpose="early-help",
        on=dt.date(2024, 6, 1),
    )
    assert from_register.decide(request) == from_files.decide(request)
    assert from_register.decide(request).permitted
    assert set(from_register.agreement_ids) == {"test-agreement", "pending"}


def test_migrate_false_refuses_an_empty_database(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="empty"):
        open_register(tmp_path / "empty.sqlite", migrate=False)
    open_register(tmp_path / "empty.sqlite").close()
    with open_register(tmp_path / "empty.sqlite", migrate=False) as reg:
        assert reg.schema_revision() == "0002"
        assert reg.url.endswith("empty.sqlite")


@pytest.mark.parametrize(
    "db",
    ["mysql://host/db", "sqlite://", "not a url://x"],
    ids=["mysql", "memory", "garbage"],
)
def test_unsupported_databases(db: str) -> None:
    with pytest.raises((UsageError, RegisterError)):
        open_register(db)


def test_unreachable_postgres_is_a_register_error() -> None:
    with pytest.raises(RegisterError, match="cannot open"):
        open_register("postgresql://nobody@127.0.0.1:1/none")


def _only_county(charter: Doc) -> None:
    charter["members"] = [m for m in charter["members"] if m["id"] == "county-council"]


def test_an_amendment_needs_the_consent_of_the_version_it_amends(
    reg: Register, base: tuple[Doc, Doc]
) -> None:
    """One member publishing a charter in which it is the only member is refused (TUF's rule)."""
    charter, _agreement = base
    captured = _docs.amend(charter, _only_county, endorsers=("county-council",))
    error = _refused(reg, captured)
    assert "lacks the consent version 1 requires" in str(error)
    assert reg.entry("charter", charter["id"]).version == 1
    agreed = _docs.amend(charter, lambda d: d.update(title="Amended"))  # every member consents
    assert reg.import_documents([agreed], at=AT)[0].version == 2


def test_a_pending_amendment_completed_later_still_needs_the_old_consent(
    reg: Register, base: tuple[Doc, Doc]
) -> None:
    """Stored as pending first, then re-imported endorsed only as its own rule asks."""
    charter, _agreement = base
    unsigned = _docs.amend(charter, _only_county, endorsers=())
    assert reg.import_documents([unsigned], at=AT)[0].state is State.PENDING
    completed = _docs.amend(charter, _only_county, endorsers=("county-council",))
    error = _refused(reg, completed)
    assert "lacks the consent version 1 requires" in str(error)
    assert reg.entry("charter", charter["id"], 2).state is State.PENDING
