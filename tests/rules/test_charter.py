from __future__ import annotations

from tests.rules._support import INFO, Case, Doc, E, Mutation, W, check, parametrize


def _threshold(n: int) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["endorsement"] = {"rule": "threshold", "threshold": n, "roles": ["siro"]}

    return mutate


def _duplicate_member(c: Doc, a: Doc) -> None:
    c["members"].append(dict(c["members"][0]))


def _duplicate_purpose_and_principle(c: Doc, a: Doc) -> None:
    c["purposes"].append({"id": "early-help", "title": "Early help again"})
    c["principles"].append({"id": "lawful", "text": "Again."})


def _review(date: str) -> Mutation:
    return lambda c, a: c.update(review=date)


def _private_competent_authority(c: Doc, a: Doc) -> None:
    c["members"][2]["public_authority"] = False


def _no_competent_authority(c: Doc, a: Doc) -> None:
    c["members"][2]["competent_authority"] = False


def _no_law_enforcement_purpose(c: Doc, a: Doc) -> None:
    _no_competent_authority(c, a)
    c["purposes"][1]["law_enforcement"] = False


def charter_case(**kwargs: object) -> Case:
    return Case(kind="charter", **kwargs)  # type: ignore[arg-type]


CASES = [
    charter_case(id="all-members", code="WS601"),
    charter_case(id="threshold-reachable", code="WS601", mutate=_threshold(3)),
    charter_case(
        id="threshold-too-high",
        code="WS601",
        mutate=_threshold(4),
        expected=((E, "/endorsement/threshold"),),
    ),
    charter_case(id="unique", code="WS602"),
    charter_case(
        id="member-twice", code="WS602", mutate=_duplicate_member, expected=((E, "/members/3/id"),)
    ),
    charter_case(
        id="purpose-and-principle-twice",
        code="WS602",
        mutate=_duplicate_purpose_and_principle,
        expected=((E, "/principles/1/id"), (E, "/purposes/2/id")),
    ),
    charter_case(id="no-review-date", code="WS603"),
    charter_case(id="review-today", code="WS603", mutate=_review("2024-06-01")),
    charter_case(
        id="review-past", code="WS603", mutate=_review("2024-05-31"), expected=((W, "/review"),)
    ),
    charter_case(id="public-competent-authority", code="WS604"),
    charter_case(
        id="private-competent-authority",
        code="WS604",
        mutate=_private_competent_authority,
        expected=((INFO, "/members/2/competent_authority"),),
    ),
    charter_case(id="has-competent-authority", code="WS605"),
    charter_case(id="no-law-enforcement-purpose", code="WS605", mutate=_no_law_enforcement_purpose),
    charter_case(
        id="no-competent-authority",
        code="WS605",
        mutate=_no_competent_authority,
        expected=((W, "/purposes/1/law_enforcement"),),
    ),
]


@parametrize(CASES)
def test_charter_rules(case: Case) -> None:
    check(case)
