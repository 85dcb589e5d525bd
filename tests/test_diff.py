"""The semantic diff: each kind of change, its pointer and its impact."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from woda_sharing import DocumentError, UsageError
from woda_sharing import _codec as codec
from woda_sharing._diff import DifferenceKind, diff
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]


def _changed(base: Doc, change: Callable[[Doc], None]) -> Doc:
    new = copy.deepcopy(base)
    new["version"] += 1
    change(new)
    return new


def _add_health(d: Doc) -> None:
    d["items"].append(
        {
            "id": "health",
            "title": "Health",
            "category": "special-category",
            "special_category": "health",
        }
    )
    d["purposes"][0]["needs"].append("health")
    d["flows"][0]["items"].append("health")


def _add_police(d: Doc) -> None:
    d["parties"].append({"id": "police", "organisation": "police", "role": "controller"})


AGREEMENT_CASES: list[tuple[str, Callable[[Doc], None], str, str, bool]] = [
    # id, change, subject, detail fragment, widens
    ("new-item-permitted", _add_health, "permission", "may now share 'health'", True),
    ("item-added", _add_health, "item", "'health' (special-category) added", True),
    (
        "item-withdrawn",
        lambda d: d["flows"][0]["items"].remove("address"),
        "permission",
        "may no longer share 'address'",
        False,
    ),
    ("party-added", _add_police, "party", "'police' (police, controller) added", True),
    (
        "party-role",
        lambda d: d["parties"][0].update(role="processor"),
        "party",
        "(controller) → county-council (processor)",
        True,
    ),
    (
        "basis-lost",
        lambda d: d["flows"][0].update(bases=["uk-gdpr-art-6-1-c"]),
        "basis",
        "loses legal basis 'uk-gdpr-art-6-1-e'",
        True,
    ),
    (
        "basis-gained",
        lambda d: d["flows"][0]["bases"].append("uk-gdpr-art-6-1-c"),
        "basis",
        "gains legal basis",
        False,
    ),
    (
        "flow-security-dropped",
        lambda d: d["flows"][0].update(security=[]),
        "control",
        "drops security measure 'encryption-in-transit'",
        True,
    ),
    (
        "retention-longer",
        lambda d: d["retention"].update(months=60),
        "control",
        "24 months (secure-deletion) → 60 months",
        True,
    ),
    (
        "retention-shorter",
        lambda d: d["retention"].update(months=12),
        "control",
        "→ 12 months",
        False,
    ),
    ("retention-removed", lambda d: d.pop("retention"), "control", "retention removed", True),
    (
        "breach-slower",
        lambda d: d["breach"].update(notify_within_hours=72),
        "control",
        "breach changed",
        True,
    ),
    ("dpia-removed", lambda d: d.pop("dpia"), "control", "dpia removed", True),
    (
        "security-dropped",
        lambda d: d["security"].remove("audit-logging"),
        "control",
        "'audit-logging' dropped",
        True,
    ),
    (
        "review-later",
        lambda d: d.update(review="2026-01-31"),
        "date",
        "review 2025-01-31 → 2026-01-31",
        True,
    ),
    ("end-added", lambda d: d.update(end="2024-12-31"), "date", "end none → 2024-12-31", False),
    (
        "method",
        lambda d: d["flows"][0].update(method="sftp"),
        "flow",
        "method 'secure-email' → 'sftp'",
        False,
    ),
    (
        "matching",
        lambda d: d["flows"][0].update(data_matching=True),
        "flow",
        "data matching on",
        True,
    ),
    ("large-scale", lambda d: d.update(large_scale=True), "scale", "large scale yes", True),
    (
        "purpose-added",
        lambda d: d["purposes"].append({"id": "crime-prevention", "needs": []}),
        "purpose",
        "'crime-prevention' added",
        True,
    ),
    (
        "flow-added",
        lambda d: d["flows"].append({**d["flows"][0], "id": "back"}),
        "flow",
        "'back' added",
        True,
    ),
    (
        "flow-redirected",
        lambda d: d["flows"][0].update(to="district", **{"from": "county"}),
        "flow",
        "is now county-council → district-council",
        True,
    ),
    (
        "legal-basis-entry",
        lambda d: d.update(
            legal_bases=[
                {
                    "id": "local-act",
                    "title": "Local act",
                    "citation": "Local Act s.1",
                    "basis": {"type": "uk-gdpr-art6", "point": "e"},
                }
            ]
        ),
        "legal-basis-entry",
        "'local-act' added",
        True,
    ),
]


@pytest.mark.parametrize(
    ("change", "subject", "detail", "widens"),
    [c[1:] for c in AGREEMENT_CASES],
    ids=[c[0] for c in AGREEMENT_CASES],
)
def test_agreement_changes(
    change: Callable[[Doc], None], subject: str, detail: str, widens: bool
) -> None:
    old = example_agreement()
    result = diff(old, _changed(old, change))
    found = [c for c in result.changes if c.subject == subject and detail in c.detail]
    assert found, [c.detail for c in result.changes]
    assert found[0].widens is widens
    assert bool(result.widening) is any(c.widens for c in result.changes)


CHARTER_CASES: list[tuple[str, Callable[[Doc], None], str, str, bool]] = [
    ("member-dropped", lambda d: d["members"].pop(), "member", "'police' (police) removed", True),
    (
        "member-changed",
        lambda d: d["members"][0].update(name="Renamed"),
        "member",
        "'county-council' changed",
        True,
    ),
    ("control-dropped", lambda d: d["controls"].remove("dpia"), "control", "'dpia' dropped", True),
    (
        "control-added",
        lambda d: d.update(controls=[*d["controls"][:-1]]) or None,
        "control",
        "'review' dropped",
        True,
    ),
    (
        "threshold",
        lambda d: d.update(endorsement={"rule": "threshold", "threshold": 1, "roles": ["siro"]}),
        "endorsement",
        "all-members by siro, dpo → threshold 1 by siro",
        True,
    ),
    (
        "interval-longer",
        lambda d: d.update(review_interval_months=24),
        "control",
        "review interval 12 → 24 months",
        True,
    ),
    (
        "notice-shorter",
        lambda d: d.update(notice_days=30),
        "control",
        "notice period 90 → 30 days",
        True,
    ),
    (
        "published-fewer",
        lambda d: d.update(published_fields=["digest"]),
        "transparency",
        "published fields changed",
        True,
    ),
    (
        "purpose-added",
        lambda d: d["purposes"].append({"id": "housing", "title": "Housing"}),
        "purpose",
        "'housing' added",
        True,
    ),
    ("principle-removed", lambda d: d["principles"].clear(), "principle", "'lawful' removed", True),
    (
        "review-date",
        lambda d: d.update(review="2025-06-01"),
        "date",
        "review none → 2025-06-01",
        False,
    ),
]


@pytest.mark.parametrize(
    ("change", "subject", "detail", "widens"),
    [c[1:] for c in CHARTER_CASES],
    ids=[c[0] for c in CHARTER_CASES],
)
def test_charter_changes(
    change: Callable[[Doc], None], subject: str, detail: str, widens: bool
) -> None:
    old = example_charter()
    result = diff(old, _changed(old, change))
    found = [c for c in result.changes if c.subject == subject and detail in c.detail]
    assert found, [c.detail for c in result.changes]
    assert found[0].widens is widens


def test_no_change_is_falsy_and_typed_documents_work() -> None:
    old = example_agreement()
    typed = codec.structure(old, codec.Agreement)  # type: ignore[attr-defined]
    result = diff(typed, old)
    assert not result
    assert result.as_dict() == {
        "kind": "agreement",
        "id": "test-agreement",
        "old_version": 1,
        "new_version": 1,
        "widens": False,
        "changes": [],
    }


def test_pointers_and_json() -> None:
    old = example_agreement()
    result = diff(old, _changed(old, _add_health))
    permission = next(c for c in result.changes if c.subject == "permission")
    assert permission.kind is DifferenceKind.ADDED
    assert permission.pointer == "/flows/0"
    assert result.as_dict()["widens"] is True
    assert {"kind", "subject", "pointer", "detail", "widens", "old", "new"} == set(
        result.as_dict()["changes"][0]
    )


def test_misuse() -> None:
    with pytest.raises(UsageError, match="cannot compare"):
        diff(example_charter(), example_agreement())
    with pytest.raises(UsageError):
        diff({"kind": "keyring"}, {"kind": "keyring"})
    with pytest.raises(UsageError):
        diff("charter.json", "charter.json")  # type: ignore[arg-type]
    with pytest.raises(DocumentError):
        diff({"kind": "agreement"}, example_agreement())
    renamed = example_agreement()
    renamed["id"] = "other"
    assert diff(example_agreement(), renamed).changes[0].subject == "id"


def test_every_signed_member_that_changed_is_reported_with_its_text() -> None:
    old = example_agreement()

    def change(d: Doc) -> None:
        d["title"] = "A new title"
        d["parties"][0]["contacts"] = [{"role": "dpo", "post": "Data Protection Officer"}]
        d["flows"][0]["frequency"] = "weekly"

    result = diff(old, _changed(old, change))
    by_pointer = {c.pointer: c for c in result.changes}
    title = by_pointer["/title"]
    assert (title.kind, title.old, title.new) == (
        DifferenceKind.CHANGED,
        old["title"],
        "A new title",
    )
    contacts = by_pointer["/parties/0/contacts"]
    assert contacts.kind is DifferenceKind.ADDED
    assert contacts.old is None
    assert "Data Protection Officer" in (contacts.new or "")
    # the semantic change carries the text; no second change for the same member
    frequency = [c for c in result.changes if c.pointer == "/flows/0/frequency"]
    assert len(frequency) == 1
    assert "frequency" in frequency[0].detail
    assert frequency[0].words == (("removed", old["flows"][0]["frequency"]), ("added", "weekly"))
    # versions differ in every amendment: not a change of content
    assert not [c for c in result.changes if c.pointer in ("/version", "/supersedes")]


def test_moving_an_element_is_not_a_change() -> None:
    old = example_agreement()
    moved = _changed(old, lambda d: d["items"].reverse())
    assert not diff(old, moved)


def _retain(value: dict[str, Any]) -> Callable[[Doc], None]:
    return lambda d: d.update(retention=value)


@pytest.mark.parametrize(
    ("before", "after", "widens"),
    [
        (
            {"months": 12, "deletion": "secure-deletion"},
            {"months": 24, "deletion": "secure-deletion"},
            True,
        ),
        (
            {"months": 24, "deletion": "secure-deletion"},
            {"months": 12, "deletion": "secure-deletion"},
            False,
        ),
        (
            {"months": 12, "deletion": "secure-deletion"},
            {"until": "the study ends", "deletion": "anonymise"},
            True,
        ),
        ({"until": "the study ends", "deletion": "anonymise"}, {"view_only": True}, False),
        ({"view_only": True}, {"months": 1, "deletion": "secure-deletion"}, True),
        (
            {"months": 12, "deletion": "secure-deletion"},
            {"months": 12, "after": "closure", "deletion": "secure-deletion"},
            True,
        ),
    ],
    ids=[
        "longer",
        "shorter",
        "months-to-until",
        "to-view-only",
        "view-only-to-copy",
        "after-an-event",
    ],
)
def test_retention_in_every_form(before: Doc, after: Doc, widens: bool) -> None:
    old = _changed(example_agreement(), _retain(before))
    result = diff(old, _changed(old, _retain(after)))
    (change,) = [c for c in result.changes if c.pointer == "/retention"]
    assert change.widens is widens
    assert change.old is not None
    assert change.new is not None


def test_breach_in_working_days_and_posts() -> None:
    old = _changed(
        example_agreement(),
        lambda d: d.update(
            breach={
                "contact": "ig@example.invalid",
                "notify_within": {"amount": 1, "unit": "days"},
                "notify": [{"organisation": "county-council", "role": "dpo"}],
            }
        ),
    )
    longer = _changed(
        old, lambda d: d["breach"].update(notify_within={"amount": 2, "unit": "working-days"})
    )
    fewer = _changed(old, lambda d: d["breach"].update(notify=[]))
    shorter = _changed(
        old, lambda d: d["breach"].update(notify_within={"amount": 12, "unit": "hours"})
    )
    for new, widens in ((longer, True), (fewer, True), (shorter, False)):
        (change,) = [c for c in diff(old, new).changes if c.pointer == "/breach"]
        assert change.widens is widens


def test_waivers_subjects_and_exemptions() -> None:
    waiver = {
        "code": "WS304",
        "reason": "Reviewed with the charter.",
        "approved_by": "Board",
        "approved": "2026-01-01",
        "expires": "2026-06-30",
    }
    old = _changed(example_agreement(), lambda d: d.update(waivers=[waiver]))
    added = _changed(
        old,
        lambda d: d.update(
            waivers=[waiver, {**waiver, "code": "WS301", "pointer": "/retention"}],
            subjects=[{"id": "children", "title": "Children", "children": True}],
        ),
    )
    result = diff(old, added)
    assert any(
        c.subject == "waiver" and "WS301 at /retention" in c.detail and c.widens
        for c in result.changes
    )
    assert any(
        c.subject == "subject category" and "(children)" in c.detail and c.widens
        for c in result.changes
    )
    extended = _changed(old, lambda d: d.update(waivers=[{**waiver, "expires": "2027-06-30"}]))
    (change,) = [c for c in diff(old, extended).changes if c.subject == "waiver"]
    assert change.widens
    assert (change.old, change.new) == ("2026-06-30", "2027-06-30")
    withdrawn = _changed(old, lambda d: d.update(waivers=[]))
    (change,) = [c for c in diff(old, withdrawn).changes if c.subject == "waiver"]
    assert (change.kind, change.widens) == (DifferenceKind.REMOVED, False)

    def about(d: Doc) -> None:
        d["subjects"] = [{"id": "children", "title": "Children"}]
        d["items"][0]["subjects"] = ["children"]
        d["flows"][0]["exemptions"] = ["dpa-2018-sch2-para2-crime"]

    base = _changed(
        example_agreement(), lambda d: d.update(subjects=[{"id": "children", "title": "Children"}])
    )
    result = diff(base, _changed(base, about))
    assert any("now also about 'children'" in c.detail and c.widens for c in result.changes)
    assert any("now relies on exemption" in c.detail and c.widens for c in result.changes)


def _with_hub(d: Doc, viewers: list[str]) -> None:
    d["records"] = [
        {
            "id": "hub",
            "title": "Hub",
            "contributors": ["district"],
            "viewers": viewers,
            "items": ["name"],
            "purposes": ["early-help"],
            "bases": ["uk-gdpr-art-6-1-e"],
        }
    ]


def test_a_new_viewer_of_a_shared_record_widens_the_sharing() -> None:
    base = example_agreement()
    _add_police(base)
    _with_hub(base, ["county"])
    result = diff(base, _changed(base, lambda d: _with_hub(d, ["county", "police"])))
    widening = [c for c in result.changes if c.subject == "permission" and c.widens]
    assert [(c.pointer, "police" in c.detail) for c in widening] == [("/records/0", True)]
    narrowing = diff(_changed(base, lambda d: _with_hub(d, ["county", "police"])), base)
    assert [c.pointer for c in narrowing.changes if c.subject == "permission"] == ["/records/0"]
