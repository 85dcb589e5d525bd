"""Categories that combine: legal-basis and DPIA rules see every category of an item."""

from __future__ import annotations

from tests.rules._support import Case, Doc, E, Mutation, add_item, bases, check, parametrize

ART6E = "uk-gdpr-art-6-1-e"


def _item(category: str | list[str], *basis_ids: str, special: str | None = None) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        add_item(a, "extra", category, special=special)
        bases(a, *basis_ids)

    return mutate


HEALTH_AND_OFFENDING = ["special-category", "criminal-offence"]
PSEUDONYMISED_OFFENDING = ["pseudonymised", "criminal-offence"]

CASES = [
    # pseudonymised criminal offence data no longer escapes Article 10
    Case(
        id="pseudonymised-criminal-offence-without-art10",
        code="WS205",
        mutate=_item(PSEUDONYMISED_OFFENDING, ART6E),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="pseudonymised-criminal-offence-with-art10",
        code="WS205",
        mutate=_item(PSEUDONYMISED_OFFENDING, ART6E, "uk-gdpr-art-10-official-authority"),
    ),
    Case(
        id="pseudonymised-alone-is-not-criminal-offence-data",
        code="WS205",
        mutate=_item("pseudonymised", ART6E),
    ),
    # health and offending flags in one item need both Article 9 and Article 10
    Case(
        id="health-and-offending-without-art10",
        code="WS205",
        mutate=_item(HEALTH_AND_OFFENDING, ART6E, "uk-gdpr-art-9-2-a", special="health"),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="health-and-offending-without-art9",
        code="WS202",
        mutate=_item(
            HEALTH_AND_OFFENDING, ART6E, "uk-gdpr-art-10-official-authority", special="health"
        ),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="health-and-offending-with-both",
        code="WS202",
        mutate=_item(
            HEALTH_AND_OFFENDING,
            ART6E,
            "uk-gdpr-art-9-2-h",
            "dpa-2018-sch-1-para-2",
            "uk-gdpr-art-10-official-authority",
            special="health",
        ),
    ),
    Case(
        id="combined-personal-data-needs-art6",
        code="WS201",
        mutate=_item(PSEUDONYMISED_OFFENDING, "uk-gdpr-art-10-official-authority"),
        expected=((E, "/flows/0/bases"),),
    ),
]


@parametrize(CASES)
def test_combined_categories(case: Case) -> None:
    check(case)
