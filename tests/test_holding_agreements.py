"""Issue 9, the rest: shared records, signatories and paper originals, security specifics,
governance text, per-member policy documents and office holders.

Each rule has a case that fires and a case that does not, on the small valid
charter and agreement of `woda_sharing.testing`; the schema cases check that
the additions are accepted and their misuse refused (WS010).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from woda_sharing import _codec as codec
from woda_sharing._diff import diff
from woda_sharing._findings import Finding, Severity
from woda_sharing._model import Agreement, Charter, Flow, Marking, SharedRecord
from woda_sharing._records import MAX_RECORD_FLOWS, expanded_flows, record_flows
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]
TODAY = dt.date(2024, 6, 1)


def _run(agreement: Doc, charter: Doc) -> list[Finding]:
    return list(validate(agreement, charter=CharterInfo.from_data(charter), today=TODAY).findings)


def _codes(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.pointer) for f in findings}


def _hub(agreement: Doc, **record: Any) -> None:
    """Add a third party and a shared record with every party contributing and viewing."""
    agreement["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    agreement["records"] = [
        {
            "id": "hub",
            "title": "Safeguarding hub record",
            "host": "county",
            "contributors": ["county", "district", "police"],
            "viewers": ["county", "district", "police"],
            "items": ["name", "address"],
            "purposes": ["early-help"],
            "bases": ["uk-gdpr-art-6-1-e"],
            "security": ["encryption-in-transit"],
            **record,
        }
    ]


# --- shared records ---------------------------------------------------------------------------


def test_a_record_stands_for_a_flow_per_contributor_and_viewer() -> None:
    a = example_agreement()
    _hub(a)
    typed = codec.structure(a, Agreement)
    flows = record_flows(typed)
    assert len(flows) == 6  # 3 x 3, less each party with itself
    assert {(rf.flow.source, rf.flow.recipient) for rf in flows} == {
        (s, r)
        for s in ("county", "district", "police")
        for r in ("county", "district", "police")
        if s != r
    }
    first = flows[0].flow
    assert first.id == "hub--county--district"
    assert first.method == "shared-system"
    assert first.frequency == "continuous"
    assert expanded_flows(typed)[: len(typed.flows)] == typed.flows
    assert len(expanded_flows(typed)) == len(typed.flows) + 6


def test_an_agreement_without_records_keeps_its_flows() -> None:
    typed = codec.structure(example_agreement(), Agreement)
    assert expanded_flows(typed) is typed.flows


def test_a_valid_hub_gives_no_finding() -> None:
    a = example_agreement()
    _hub(a)
    assert [f for f in _run(a, example_charter()) if f.severity is Severity.ERROR] == []


def test_a_finding_on_a_hub_is_reported_once_at_the_record() -> None:
    a = example_agreement()
    _hub(a, bases=["uk-gdpr-art-6-1-e"], items=["name", "address", "health"])
    a["items"].append(
        {
            "id": "health",
            "title": "Health needs",
            "category": "special-category",
            "special_category": "health",
        }
    )
    a["purposes"][0]["needs"].append("health")
    findings = _run(a, example_charter())
    ws202 = [f for f in findings if f.code == "WS202"]
    assert len(ws202) == 1  # not six times, once per pair
    assert ws202[0].pointer.startswith("/records/0")
    assert "5 more of the record's flows" in ws202[0].message


def test_an_undeclared_contributor_points_into_the_record() -> None:
    a = example_agreement()
    _hub(a, contributors=["county", "nobody"])
    found = _codes(_run(a, example_charter()))
    assert ("WS101", "/records/0/contributors/1") in found
    assert not any(p.startswith("/flows/1") for _, p in found)


def test_an_undeclared_viewer_and_host() -> None:
    a = example_agreement()
    _hub(a, viewers=["county", "ghost"], host="elsewhere")
    found = _codes(_run(a, example_charter()))
    assert ("WS101", "/records/0/viewers/1") in found
    assert ("WS130", "/records/0/host") in found


def test_a_record_that_stands_for_no_flow() -> None:
    a = example_agreement()
    _hub(a, contributors=["county"], viewers=["county"])
    assert ("WS130", "/records/0") in _codes(_run(a, example_charter()))


def test_records_too_large_are_refused_before_expansion() -> None:
    typed = codec.structure(example_agreement(), Agreement)
    parties = tuple(f"p{i}" for i in range(400))
    big = SharedRecord(
        id="big",
        title="Big",
        contributors=parties,
        viewers=parties,
        items=("name",),
        purposes=("early-help",),
        bases=(),
    )
    huge = Agreement(**{**_fields(typed), "records": (big,)})
    assert len(big.contributors) * len(big.viewers) > MAX_RECORD_FLOWS
    with pytest.raises(ValueError, match="more than"):
        record_flows(huge)
    a = example_agreement()
    _hub(a)
    a["records"][0]["contributors"] = [f"p{i}" for i in range(500)]
    a["records"][0]["viewers"] = [f"v{i}" for i in range(201)]
    found = _run(a, example_charter())
    assert ("WS130", "/records") in _codes(found)
    assert not any(f.pointer.startswith("/records/0/contributors") for f in found)


def _fields(value: Agreement | Flow) -> dict[str, Any]:
    return {a.name: getattr(value, a.name) for a in value.__attrs_attrs__}


def test_a_duplicate_record_id() -> None:
    a = example_agreement()
    _hub(a)
    a["records"].append(dict(a["records"][0]))
    assert ("WS107", "/records/1/id") in _codes(_run(a, example_charter()))


# --- security specifics -----------------------------------------------------------------------


def test_markings_are_ordered() -> None:
    assert [m.rank for m in Marking] == [0, 1, 2, 3]
    assert Marking.OFFICIAL.rank < Marking.OFFICIAL_SENSITIVE.rank


@pytest.mark.parametrize(
    ("item", "flow", "fires"),
    [
        ("official-sensitive", "official", True),
        ("official-sensitive", "official-sensitive", False),
        ("official", "secret", False),
        ("secret", None, False),
    ],
    ids=["below", "equal", "above", "flow-unmarked"],
)
def test_a_flow_below_the_marking_of_its_data(item: str, flow: str | None, fires: bool) -> None:
    a = example_agreement()
    a["items"][0]["marking"] = item
    if flow is not None:
        a["flows"][0]["marking"] = flow
    found = _codes(_run(a, example_charter()))
    assert (("WS330", "/flows/0/marking") in found) is fires


def test_a_hub_below_the_marking_is_reported_at_the_record() -> None:
    a = example_agreement()
    a["items"][0]["marking"] = "official-sensitive"
    _hub(a, marking="official")
    assert ("WS330", "/records/0/marking") in _codes(_run(a, example_charter()))


def test_measures_must_be_registered_by_the_charter() -> None:
    c = example_charter()
    c["measures"] = [{"id": "hscn-only", "title": "Only over HSCN"}]
    a = example_agreement(c)
    a["measures"] = ["hscn-only", "tempest"]
    a["flows"][0]["measures"] = ["smartcards"]
    a["flows"][0]["networks"] = ["hscn", "psn"]
    a["flows"][0]["other_methods"] = ["case-conference"]
    found = _codes(_run(a, c))
    assert ("WS132", "/measures/1") in found
    assert ("WS132", "/flows/0/measures/0") in found
    assert ("WS132", "/measures/0") not in found


def test_view_only_data_sent_by_another_method_is_a_copy() -> None:
    a = example_agreement()
    a["flows"][0]["method"] = "shared-system"
    a["flows"][0]["other_methods"] = ["case-conference", "secure-email"]
    a["items"][0]["retention"] = {"view_only": True}
    found = _codes(_run(a, example_charter()))
    assert ("WS314", "/flows/0/other_methods/1") in found
    assert ("WS314", "/flows/0/method") not in found


def test_flow_methods() -> None:
    flow = codec.structure(example_agreement()["flows"][0], Flow)
    assert flow.methods == ("secure-email",)
    assert Flow(**{**_fields(flow), "other_methods": ("api",)}).methods == (
        "secure-email",
        "api",
    )


# --- signatories and paper originals ----------------------------------------------------------


def _signed(document: Doc, *, doc_version: int = 1, **paper: Any) -> None:
    document["signatories"] = [
        {
            "organisation": "county-council",
            "post": "Chief Executive",
            "date": "2024-01-20",
            "on_paper": True,
        },
        {"organisation": "district-council", "post": "SIRO", "date": "2024-01-22"},
    ]
    document["paper_originals"] = [
        {
            "signed": "2024-01-22",
            "held_by": "county-council",
            "location": "Records centre, file IG/EXAMPLE/1",
            **paper,
        }
    ]
    document["version"] = doc_version


def test_a_transcribed_paper_original_is_accepted() -> None:
    a = example_agreement()
    _signed(a)
    found = _codes(_run(a, example_charter()))
    assert not {code for code, _ in found} & {"WS133", "WS331", "WS332"}


def test_signed_on_paper_without_an_original() -> None:
    a = example_agreement()
    _signed(a)
    del a["paper_originals"]
    assert ("WS332", "/signatories/0/on_paper") in _codes(_run(a, example_charter()))


def test_signatories_and_holders_must_be_parties() -> None:
    a = example_agreement()
    _signed(a, held_by="police")
    a["signatories"][1]["organisation"] = "police"
    found = _codes(_run(a, example_charter()))
    assert ("WS133", "/signatories/1/organisation") in found
    assert ("WS133", "/paper_originals/0/held_by") in found


def test_a_paper_original_cannot_be_of_this_version() -> None:
    a = example_agreement()
    _signed(a, doc_version=2, version=2, digest="sha256:" + "0" * 64)
    assert ("WS331", "/paper_originals/0/version") in _codes(_run(a, example_charter()))


def test_a_paper_original_of_the_superseded_version_must_carry_its_digest() -> None:
    a = example_agreement()
    good, bad = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    _signed(a, doc_version=2, version=1, digest=bad)
    a["supersedes"] = {"version": 1, "digest": good}
    assert ("WS331", "/paper_originals/0/digest") in _codes(_run(a, example_charter()))
    a["paper_originals"][0]["digest"] = good
    assert "WS331" not in {code for code, _ in _codes(_run(a, example_charter()))}


def test_signatures_after_today() -> None:
    a = example_agreement()
    _signed(a, signed="2030-01-01")
    a["signatories"][0]["date"] = "2030-01-01"
    found = _codes(_run(a, example_charter()))
    assert ("WS331", "/paper_originals/0/signed") in found
    assert ("WS331", "/signatories/0/date") in found


def test_charter_signatories_and_paper_originals() -> None:
    c = example_charter()
    _signed(c, doc_version=2, version=2, digest="sha256:" + "0" * 64)
    c["signatories"].append(
        {"organisation": "fire", "post": "Chief Fire Officer", "date": "2024-01-02"}
    )
    report = validate(c, today=TODAY)
    found = _codes(list(report.findings))
    assert ("WS622", "/signatories/2/organisation") in found
    assert ("WS623", "/paper_originals/0/version") in found
    del c["paper_originals"]
    found = _codes(list(validate(c, today=TODAY).findings))
    assert ("WS624", "/signatories/0/on_paper") in found


# --- appropriate policy documents per member --------------------------------------------------


def _policy(
    charter: Doc, member: int, covers: str = "schedule-1", review: str | None = None
) -> None:
    document: Doc = {"covers": covers, "reference": f"APD-EXAMPLE-{member}"}
    if review:
        document["review"] = review
    charter["members"][member]["policy_documents"] = [document]


def _health_flow(a: Doc, basis: str = "dpa-2018-sch-1-para-18") -> None:
    a["items"].append(
        {
            "id": "health",
            "title": "Health needs",
            "category": "special-category",
            "special_category": "health",
        }
    )
    a["purposes"][0]["needs"].append("health")
    a["flows"][0]["items"].append("health")
    a["flows"][0]["bases"] += ["uk-gdpr-art-9-2-g", basis]


def test_without_any_recorded_policy_document_the_catalogue_answers() -> None:
    c = example_charter()
    a = example_agreement(c)
    _health_flow(a)
    assert "WS220" not in {f.code for f in _run(a, c)}


def test_each_controller_relying_on_a_condition_needs_its_own_policy_document() -> None:
    c = example_charter()
    _policy(c, 0)  # the county council has one; the district council has none
    a = example_agreement(c)
    _health_flow(a)
    ws220 = [f for f in _run(a, c) if f.code == "WS220"]
    assert [(f.pointer, "'district-council'" in f.message) for f in ws220] == [
        ("/flows/0/bases/2", True)
    ]
    _policy(c, 1)
    a = example_agreement(c)
    _health_flow(a)
    assert "WS220" not in {f.code for f in _run(a, c)}


def test_a_condition_without_a_policy_document_requirement_is_not_reported() -> None:
    c = example_charter()
    _policy(c, 0)
    a = example_agreement(c)
    _health_flow(a, basis="dpa-2018-sch-1-para-2")
    assert "WS220" not in {f.code for f in _run(a, c)}


def test_paragraph_10_to_a_competent_authority_needs_none() -> None:
    c = example_charter()
    _policy(c, 1)
    a = example_agreement(c)
    a["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    a["flows"][0]["to"] = "police"
    _health_flow(a, basis="dpa-2018-sch-1-para-10")
    assert "WS220" not in {f.code for f in _run(a, c)}


def test_a_processor_looks_to_its_controller() -> None:
    c = example_charter()
    _policy(c, 0)
    a = example_agreement(c)
    a["parties"][1].update(role="processor", acting_for="county")
    a["flows"][0]["instruction"] = {"controller": "county", "reference": "Contract clause 4"}
    _health_flow(a)
    assert "WS220" not in {f.code for f in _run(a, c)}


def test_part_3_sensitive_processing_needs_the_competent_authoritys_document() -> None:
    c = example_charter()
    _policy(c, 0)
    _policy(c, 1)
    c["members"][2]["policy_documents"] = [{"covers": "schedule-1", "reference": "APD-EXAMPLE-P"}]
    a = example_agreement(c)
    a["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    a["legal_bases"] = [
        {
            "id": "le-sensitive",
            "title": "Law enforcement, sensitive",
            "citation": "DPA 2018 s.35(5) and Schedule 8 paragraph 1",
            "basis": {
                "type": "dpa-2018-part-3",
                "ground": "law-enforcement-task",
                "schedule_8_paragraph": 1,
            },
        }
    ]
    a["flows"][0]["from"] = "police"
    a["flows"][0]["bases"].append("le-sensitive")
    ws220 = [f for f in _run(a, c) if f.code == "WS220"]
    assert [("'police'" in f.message, "part-3" in f.message) for f in ws220] == [(True, True)]


def test_a_policy_document_past_its_review() -> None:
    c = example_charter()
    _policy(c, 0, review="2024-01-01")
    _policy(c, 1, review="2025-01-01")
    found = _codes(list(validate(c, today=TODAY).findings))
    assert ("WS620", "/members/0/policy_documents/0/review") in found
    assert ("WS620", "/members/1/policy_documents/0/review") not in found
    member = codec.structure(c, Charter).members[0]
    assert member.has_policy_document("schedule-1")
    assert not member.has_policy_document("part-3")


# --- governance text --------------------------------------------------------------------------


def _governance(**audit: Any) -> Doc:
    return {
        "legal_status": {
            "binding": "not-legally-binding",
            "text": "This agreement is not a contract.",
        },
        "foi": "Requests are answered by the party that receives them, after consulting the others.",
        "indemnity": "No party indemnifies another.",
        "non_compliance": "A breach of this agreement is reported to the partnership board.",
        "disputes": "Disputes go to the partnership's information governance group.",
        "data_quality": "Each party corrects what it sent and tells the others.",
        "benefits": "Families get help earlier.",
        "necessity": "Names and addresses are the least that identifies a family.",
        "audit": {"text": "A sample of referrals is audited.", **audit},
        "international_transfers": {"made": False},
    }


@pytest.mark.parametrize(
    ("audit", "fires"),
    [
        ({"interval_months": 12, "last": "2023-05-01"}, True),
        ({"interval_months": 12, "last": "2023-07-01"}, False),
        ({"interval_months": 3}, True),  # from the start, 2024-02-01: due 2024-05-01
        ({"interval_months": 6}, False),
        ({}, False),
    ],
    ids=["last-too-old", "last-recent", "from-start-due", "from-start-not-due", "no-interval"],
)
def test_an_audit_overdue(audit: Doc, fires: bool) -> None:
    a = example_agreement()
    a["governance"] = _governance(**audit)
    assert (("WS333", "/governance/audit") in _codes(_run(a, example_charter()))) is fires


def test_governance_text_round_trips() -> None:
    a = example_agreement()
    a["governance"] = _governance(interval_months=12, last="2024-03-01")
    a["governance"]["international_transfers"] = {
        "made": True,
        "destinations": ["Ireland"],
        "safeguard": "adequacy",
    }
    typed = codec.structure(a, Agreement)
    assert typed.governance is not None
    assert typed.governance.audit is not None
    assert typed.governance.audit.last == dt.date(2024, 3, 1)
    assert codec.unstructure(typed)["governance"] == a["governance"]


# --- office holders (dual hatters) ------------------------------------------------------------


def _holder(**values: Any) -> Doc:
    return {
        "id": "dual-councillor",
        "description": "A councillor of the district council who is also a county councillor",
        "offices": [
            {"organisation": "district-council", "office": "District councillor"},
            {"organisation": "county-council", "office": "County councillor"},
        ],
        "separation": {"measures": ["separate-equipment", "separate-accounts"]},
        **values,
    }


@pytest.mark.parametrize(
    ("holder", "pointer"),
    [
        (_holder(), None),
        ({k: v for k, v in _holder().items() if k != "separation"}, "/office_holders/0"),
        (
            _holder(
                offices=[
                    {"organisation": "county-council", "office": "Cabinet member"},
                    {"organisation": "county-council", "office": "Councillor"},
                ]
            ),
            "/office_holders/0/offices",
        ),
        (
            _holder(
                offices=[
                    {"organisation": "county-council", "office": "Councillor"},
                    {"organisation": "parish-council", "office": "Councillor"},
                ]
            ),
            "/office_holders/0/offices/1/organisation",
        ),
    ],
    ids=["separated", "no-separation", "one-body", "not-a-member"],
)
def test_office_holders(holder: Doc, pointer: str | None) -> None:
    c = example_charter()
    c["office_holders"] = [holder]
    found = {p for code, p in _codes(list(validate(c, today=TODAY).findings)) if code == "WS621"}
    assert found == ({pointer} if pointer else set())


# --- the schema -------------------------------------------------------------------------------

SCHEMA_CASES: list[tuple[str, Callable[[Doc], None], str | None]] = [
    (
        "transfers-without-safeguard",
        lambda a: a.update(governance={"international_transfers": {"made": True}}),
        "/governance/international_transfers",
    ),
    (
        "no-transfers-with-safeguard",
        lambda a: a.update(
            governance={"international_transfers": {"made": False, "safeguard": "idta"}}
        ),
        "/governance/international_transfers",
    ),
    (
        "unknown-binding",
        lambda a: a.update(governance={"legal_status": {"binding": "maybe"}}),
        "/governance/legal_status/binding",
    ),
    (
        "paper-version-without-digest",
        lambda a: a.update(
            paper_originals=[
                {"signed": "2024-01-01", "held_by": "county-council", "location": "x", "version": 1}
            ]
        ),
        "/paper_originals/0",
    ),
    ("unknown-marking", lambda a: a["items"][0].update(marking="restricted"), "/items/0/marking"),
    ("unknown-network", lambda a: a["flows"][0].update(networks=["gsi"]), "/flows/0/networks/0"),
    (
        "smartcard",
        lambda a: a["flows"][0].update(security=["encryption-in-transit", "smartcard-access"]),
        None,
    ),
    (
        "record-without-viewers",
        lambda a: a.update(
            records=[
                {
                    "id": "r",
                    "title": "R",
                    "contributors": ["county"],
                    "viewers": [],
                    "items": ["name"],
                    "purposes": ["early-help"],
                    "bases": [],
                }
            ]
        ),
        "/records/0/viewers",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "pointer"), [(m, p) for _, m, p in SCHEMA_CASES], ids=[n for n, _, _ in SCHEMA_CASES]
)
def test_the_schema_accepts_and_refuses(mutate: Callable[[Doc], None], pointer: str | None) -> None:
    a = example_agreement()
    mutate(a)
    refused = {f.pointer for f in _run(a, example_charter()) if f.code == "WS010"}
    if pointer is None:
        assert refused == set()
    else:
        assert any(p == pointer or p.startswith(pointer) for p in refused), refused


def test_a_finding_on_a_declared_flow_stays_there_beside_a_record() -> None:
    a = example_agreement()
    _hub(a)
    a["flows"][0]["from"] = "nobody"
    found = _codes(_run(a, example_charter()))
    assert ("WS101", "/flows/0/from") in found


@pytest.mark.parametrize(
    "acting_for", ["nobody", "district"], ids=["unknown-controller", "processor-loop"]
)
def test_a_processor_without_a_controller_needs_its_own_document(acting_for: str) -> None:
    c = example_charter()
    _policy(c, 0)
    a = example_agreement(c)
    a["parties"][1].update(role="processor", acting_for=acting_for)
    _health_flow(a)
    ws220 = [f for f in _run(a, c) if f.code == "WS220"]
    assert ["'district-council'" in f.message for f in ws220] == [True]


def test_a_party_outside_the_charter_is_left_to_ws105() -> None:
    c = example_charter()
    _policy(c, 0)
    a = example_agreement(c)
    a["parties"][1]["organisation"] = "elsewhere"
    _health_flow(a)
    found = _run(a, c)
    assert "WS105" in {f.code for f in found}
    assert "WS220" not in {f.code for f in found}


def test_a_diff_of_records_too_large_to_expand_still_compares() -> None:
    a = example_agreement()
    _hub(a)
    b = dict(a, version=2)
    b["records"] = [
        dict(
            a["records"][0],
            contributors=[f"p{i}" for i in range(200)],
            viewers=[f"v{i}" for i in range(200)],
        )
    ]
    assert diff(a, b).changes  # the record changed; its 40,000 flows are not expanded
