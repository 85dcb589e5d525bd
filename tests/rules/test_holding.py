"""Shared records, security specifics, signatures, policy documents per member, audit and office holders.

WS130, WS132, WS133, WS220, WS330-WS333 and WS620-WS624; the fuller behaviour is in
``tests/test_holding_agreements.py``.
"""

from __future__ import annotations

from tests.rules._support import Case, Doc, E, Mutation, W, add_item, check, parametrize

ART6E = "uk-gdpr-art-6-1-e"


def _record(**values: object) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        a["records"] = [
            {
                "id": "hub",
                "title": "Hub",
                "host": "county",
                "contributors": ["county", "district"],
                "viewers": ["county", "district"],
                "items": ["name"],
                "purposes": ["early-help"],
                "bases": [ART6E],
                **values,
            }
        ]

    return mutate


def _signatories(
    doc: str, *, on_paper: bool = False, org: str = "county-council", **paper: object
) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        target = c if doc == "charter" else a
        target["signatories"] = [
            {
                "organisation": org,
                "post": "Chief Executive",
                "date": "2024-01-10",
                "on_paper": on_paper,
            }
        ]
        if paper:
            target["paper_originals"] = [
                {
                    "signed": "2024-01-10",
                    "held_by": "county-council",
                    "location": "Records store",
                    **paper,
                }
            ]

    return mutate


def _policy_documents(*members: int, review: str | None = None) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        for m in members:
            document: Doc = {"covers": "schedule-1", "reference": f"APD-{m}"}
            if review:
                document["review"] = review
            c["members"][m]["policy_documents"] = [document]
        add_item(a, "health", "special-category", special="health")
        a["flows"][0]["bases"] = [ART6E, "uk-gdpr-art-9-2-g", "dpa-2018-sch-1-para-18"]

    return mutate


def _marking(flow: str) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        a["items"][0]["marking"] = "official-sensitive"
        a["flows"][0]["marking"] = flow

    return mutate


def _audit(**audit: object) -> Mutation:
    return lambda c, a: a.update(governance={"audit": {"text": "Sampled.", **audit}})


def _holder(**values: object) -> Mutation:
    holder: Doc = {
        "id": "councillor",
        "offices": [
            {"organisation": "district-council", "office": "District councillor"},
            {"organisation": "county-council", "office": "County councillor"},
        ],
        "separation": {"measures": ["separate-equipment"]},
        **values,
    }
    return lambda c, a: c.update(office_holders=[holder])


def _measures(*ids: str) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["measures"] = [{"id": "hscn-only", "title": "Over HSCN only"}]
        a["flows"][0]["measures"] = list(ids)

    return mutate


CASES = [
    Case(id="hub", code="WS130", mutate=_record()),
    Case(
        id="unknown-host",
        code="WS130",
        mutate=_record(host="nobody"),
        expected=((E, "/records/0/host"),),
    ),
    Case(id="registered", code="WS132", mutate=_measures("hscn-only")),
    Case(
        id="unregistered",
        code="WS132",
        mutate=_measures("tempest"),
        expected=((E, "/flows/0/measures/0"),),
    ),
    Case(id="party-body", code="WS133", mutate=_signatories("agreement")),
    Case(
        id="not-a-party",
        code="WS133",
        mutate=_signatories("agreement", org="police"),
        expected=((E, "/signatories/0/organisation"),),
    ),
    Case(id="every-controller-has-one", code="WS220", mutate=_policy_documents(0, 1)),
    Case(
        id="district-has-none",
        code="WS220",
        mutate=_policy_documents(0),
        expected=((E, "/flows/0/bases/2"),),
    ),
    Case(id="at-the-marking", code="WS330", mutate=_marking("official-sensitive")),
    Case(
        id="below-the-marking",
        code="WS330",
        mutate=_marking("official"),
        expected=((E, "/flows/0/marking"),),
    ),
    Case(
        id="transcribed",
        code="WS331",
        mutate=_signatories("agreement", on_paper=True, reference="Paper"),
    ),
    Case(
        id="own-version",
        code="WS331",
        mutate=_signatories("agreement", version=1, digest="sha256:" + "0" * 64),
        expected=((E, "/paper_originals/0/version"),),
    ),
    Case(
        id="paper-recorded",
        code="WS332",
        mutate=_signatories("agreement", on_paper=True, reference="Paper"),
    ),
    Case(
        id="paper-not-recorded",
        code="WS332",
        mutate=_signatories("agreement", on_paper=True),
        expected=((W, "/signatories/0/on_paper"),),
    ),
    Case(id="audit-recent", code="WS333", mutate=_audit(interval_months=12, last="2024-01-01")),
    Case(
        id="audit-overdue",
        code="WS333",
        mutate=_audit(interval_months=12, last="2023-01-01"),
        expected=((W, "/governance/audit"),),
    ),
    Case(
        id="reviewed",
        code="WS620",
        kind="charter",
        mutate=_policy_documents(0, review="2025-01-01"),
    ),
    Case(
        id="review-past",
        code="WS620",
        kind="charter",
        mutate=_policy_documents(0, review="2024-01-01"),
        expected=((W, "/members/0/policy_documents/0/review"),),
    ),
    Case(id="separated", code="WS621", kind="charter", mutate=_holder()),
    Case(
        id="not-separated",
        code="WS621",
        kind="charter",
        mutate=lambda c, a: (_holder()(c, a), c["office_holders"][0].pop("separation")),
        expected=((E, "/office_holders/0"),),
    ),
    Case(id="member-signs", code="WS622", kind="charter", mutate=_signatories("charter")),
    Case(
        id="non-member-signs",
        code="WS622",
        kind="charter",
        mutate=_signatories("charter", org="fire"),
        expected=((E, "/signatories/0/organisation"),),
    ),
    Case(
        id="transcribed",
        code="WS623",
        kind="charter",
        mutate=_signatories("charter", reference="Paper"),
    ),
    Case(
        id="own-version",
        code="WS623",
        kind="charter",
        mutate=_signatories("charter", version=1, digest="sha256:" + "0" * 64),
        expected=((E, "/paper_originals/0/version"),),
    ),
    Case(
        id="paper-recorded",
        code="WS624",
        kind="charter",
        mutate=_signatories("charter", on_paper=True, reference="P"),
    ),
    Case(
        id="paper-not-recorded",
        code="WS624",
        kind="charter",
        mutate=_signatories("charter", on_paper=True),
        expected=((W, "/signatories/0/on_paper"),),
    ),
]


@parametrize(CASES)
def test_holding_rules(case: Case) -> None:
    check(case)
