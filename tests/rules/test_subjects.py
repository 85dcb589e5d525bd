"""Data subject categories: declared once, named by items and flows (WS120, WS107, WS602, WS307)."""

from __future__ import annotations

from tests.rules._support import Case, Doc, E, Mutation, W, check, parametrize

VICTIMS = {"id": "victims", "title": "Victims of domestic abuse"}
CHILDREN = {"id": "children-in-household", "title": "Children in the household", "children": True}


def _named(
    *,
    charter: tuple[Doc, ...] = (),
    agreement: tuple[Doc, ...] = (),
    item: tuple[str, ...] = (),
    flow: tuple[str, ...] = (),
) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        if charter:
            c["subjects"] = list(charter)
        if agreement:
            a["subjects"] = list(agreement)
        if item:
            a["items"][0]["subjects"] = list(item)
        if flow:
            a["flows"][0]["subjects"] = list(flow)

    return mutate


def _no_dpia(then: Mutation) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["controls"] = ["retention", "review"]
        del a["dpia"]
        then(c, a)

    return mutate


CASES = [
    Case(
        id="declared-in-agreement",
        code="WS120",
        mutate=_named(agreement=(VICTIMS,), item=("victims",)),
    ),
    Case(
        id="declared-in-charter", code="WS120", mutate=_named(charter=(VICTIMS,), flow=("victims",))
    ),
    Case(
        id="undeclared",
        code="WS120",
        mutate=_named(agreement=(VICTIMS,), item=("victims", "witnesses"), flow=("offenders",)),
        expected=((E, "/items/0/subjects/1"), (E, "/flows/0/subjects/0")),
    ),
    Case(
        id="subject-declared-twice",
        code="WS107",
        mutate=_named(agreement=(VICTIMS, VICTIMS)),
        expected=((E, "/subjects/1/id"),),
    ),
    Case(
        id="charter-subject-declared-twice",
        code="WS602",
        kind="charter",
        mutate=_named(charter=(VICTIMS, VICTIMS)),
        expected=((E, "/subjects/1/id"),),
    ),
    Case(
        id="children-by-subject-category",
        code="WS307",
        mutate=_no_dpia(_named(charter=(CHILDREN,), item=("children-in-household",))),
        expected=((W, "/dpia"),),
        message="children",
    ),
    Case(
        id="adult-subject-category",
        code="WS307",
        mutate=_no_dpia(_named(charter=(VICTIMS,), item=("victims",))),
    ),
]


@parametrize(CASES)
def test_subject_categories(case: Case) -> None:
    check(case)
