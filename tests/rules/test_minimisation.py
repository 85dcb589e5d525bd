from __future__ import annotations

from tests.rules._support import INFO, Case, Doc, E, W, check, parametrize


def _needs_only_name(c: Doc, a: Doc) -> None:
    a["purposes"][0]["needs"] = ["name"]


def _second_purpose_needs_address(c: Doc, a: Doc) -> None:
    a["purposes"][0]["needs"] = ["name"]
    a["purposes"].append({"id": "crime-prevention", "needs": ["address"]})
    a["flows"][0]["purposes"].append("crime-prevention")


def _needed_by_unserved_purpose(c: Doc, a: Doc) -> None:
    _needs_only_name(c, a)
    a["purposes"].append({"id": "crime-prevention", "needs": ["address"]})


def _unshared_item(c: Doc, a: Doc) -> None:
    a["items"].append({"id": "date-of-birth", "title": "Date of birth", "category": "personal"})


def _unserved_purpose(c: Doc, a: Doc) -> None:
    a["purposes"].append({"id": "crime-prevention", "needs": ["name"]})


CASES = [
    Case(id="all-needed", code="WS501"),
    Case(
        id="needed-by-another-purpose-of-the-flow",
        code="WS501",
        mutate=_second_purpose_needs_address,
    ),
    Case(
        id="not-needed", code="WS501", mutate=_needs_only_name, expected=((E, "/flows/0/items/1"),)
    ),
    Case(
        id="needed-only-by-a-purpose-the-flow-does-not-serve",
        code="WS501",
        mutate=_needed_by_unserved_purpose,
        expected=((E, "/flows/0/items/1"),),
    ),
    Case(id="all-shared", code="WS502"),
    Case(id="never-shared", code="WS502", mutate=_unshared_item, expected=((INFO, "/items/2"),)),
    Case(id="all-served", code="WS503"),
    Case(id="never-served", code="WS503", mutate=_unserved_purpose, expected=((W, "/purposes/1"),)),
]


@parametrize(CASES)
def test_minimisation_rules(case: Case) -> None:
    check(case)
