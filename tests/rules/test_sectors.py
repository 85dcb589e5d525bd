"""Sectors: a GP practice is a member like any other (WS212); law enforcement sectors (WS607)."""

from __future__ import annotations

from tests.rules._support import INFO, Case, Doc, Mutation, W, add_item, bases, check, parametrize

ART6E = "uk-gdpr-art-6-1-e"
HEALTH_BASES = (ART6E, "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2")


def _from_member(sector: str, *basis_ids: str) -> Mutation:
    """Health data from a new member of *sector* to the county."""

    def mutate(c: Doc, a: Doc) -> None:
        c["members"].append(
            {"id": "sender", "name": "Sender", "sector": sector, "public_authority": True}
        )
        a["parties"].append({"id": "sender", "organisation": "sender", "role": "controller"})
        a["flows"][0]["from"] = "sender"
        add_item(a, "extra", "special-category", special="health")
        bases(a, *basis_ids)

    return mutate


def _member(sector: str, *, competent: bool) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["members"].append(
            {
                "id": "new-member",
                "name": "New member",
                "sector": sector,
                "public_authority": True,
                "competent_authority": competent,
            }
        )

    return mutate


CASES = [
    Case(
        id="gp-practice-without-common-law",
        code="WS212",
        mutate=_from_member("gp-practice", *HEALTH_BASES),
        expected=((W, "/flows/0/bases"),),
    ),
    Case(
        id="gp-practice-implied-consent",
        code="WS212",
        mutate=_from_member("gp-practice", *HEALTH_BASES, "common-law-implied-consent"),
    ),
    Case(
        id="probation-marked",
        code="WS607",
        kind="charter",
        mutate=_member("probation", competent=True),
    ),
    Case(
        id="school-unmarked",
        code="WS607",
        kind="charter",
        mutate=_member("school", competent=False),
    ),
    Case(
        id="youth-justice-unmarked",
        code="WS607",
        kind="charter",
        mutate=_member("youth-justice", competent=False),
        expected=((INFO, "/members/3/competent_authority"),),
    ),
]


@parametrize(CASES)
def test_sector_rules(case: Case) -> None:
    check(case)
