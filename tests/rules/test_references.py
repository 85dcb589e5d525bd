from __future__ import annotations

from tests.rules._support import Case, Doc, E, bases, check, parametrize
from woda_sharing import _canonical as canonical


def _flow_from_nobody(c: Doc, a: Doc) -> None:
    a["flows"][0]["from"] = "nobody"


def _flow_to_nobody(c: Doc, a: Doc) -> None:
    a["flows"][0]["to"] = "nobody"


def _undeclared_item(c: Doc, a: Doc) -> None:
    a["flows"][0]["items"].append("date-of-birth")


def _undeclared_purpose(c: Doc, a: Doc) -> None:
    a["flows"][0]["purposes"].append("housing")


def _unpermitted_purpose(c: Doc, a: Doc) -> None:
    a["purposes"][0]["id"] = "marketing"
    a["flows"][0]["purposes"] = ["marketing"]


def _second_permitted_purpose(c: Doc, a: Doc) -> None:
    a["purposes"].append({"id": "crime-prevention", "needs": ["name"]})
    a["flows"][0]["purposes"].append("crime-prevention")


def _non_member(c: Doc, a: Doc) -> None:
    a["parties"][1]["organisation"] = "acme-ltd"


def _police_party(c: Doc, a: Doc) -> None:
    a["parties"][1]["organisation"] = "police"


def _other_charter_id(c: Doc, a: Doc) -> None:
    a["charter"]["id"] = "another-charter"


def _other_charter_version(c: Doc, a: Doc) -> None:
    a["charter"]["version"] = 2


def _other_charter_digest(c: Doc, a: Doc) -> None:
    a["charter"]["digest"] = canonical.digest({"not": "the charter"})


def _duplicate_item(c: Doc, a: Doc) -> None:
    a["items"].append({"id": "name", "title": "Name again", "category": "personal"})


def _duplicate_flow(c: Doc, a: Doc) -> None:
    a["flows"].append(dict(a["flows"][0]))


def _need_undeclared(c: Doc, a: Doc) -> None:
    a["purposes"][0]["needs"].append("date-of-birth")


def _unknown_basis(c: Doc, a: Doc) -> None:
    bases(a, "uk-gdpr-art-6-1-e", "made-up-basis")


def _unknown_capacity_basis(c: Doc, a: Doc) -> None:
    a["flows"][0]["capacity_basis"] = "made-up-basis"


def _local_basis(c: Doc, a: Doc) -> None:
    a["legal_bases"] = [
        {
            "id": "local-public-task",
            "title": "Public task (local alias)",
            "citation": "UK GDPR Article 6(1)(e)",
            "basis": {"type": "uk-gdpr-art6", "point": "e"},
        }
    ]
    bases(a, "local-public-task")


def _charter_basis(c: Doc, a: Doc) -> None:
    bases(a, "uk-gdpr-art-6-1-e", "test-charter")


CASES = [
    Case(id="valid-example", code="WS101"),
    Case(
        id="from-undeclared",
        code="WS101",
        mutate=_flow_from_nobody,
        expected=((E, "/flows/0/from"),),
    ),
    Case(id="to-undeclared", code="WS101", mutate=_flow_to_nobody, expected=((E, "/flows/0/to"),)),
    Case(id="valid-example", code="WS102"),
    Case(
        id="undeclared", code="WS102", mutate=_undeclared_item, expected=((E, "/flows/0/items/2"),)
    ),
    Case(id="valid-example", code="WS103"),
    Case(
        id="undeclared",
        code="WS103",
        mutate=_undeclared_purpose,
        expected=((E, "/flows/0/purposes/1"),),
    ),
    Case(id="valid-example", code="WS104"),
    Case(id="second-permitted", code="WS104", mutate=_second_permitted_purpose),
    Case(
        id="not-permitted",
        code="WS104",
        mutate=_unpermitted_purpose,
        expected=((E, "/purposes/0/id"),),
    ),
    Case(
        id="not-permitted-without-charter",
        code="WS104",
        mutate=_unpermitted_purpose,
        with_charter=False,
    ),
    Case(id="member", code="WS105", mutate=_police_party),
    Case(
        id="not-member",
        code="WS105",
        mutate=_non_member,
        expected=((E, "/parties/1/organisation"),),
    ),
    Case(id="same-charter", code="WS106"),
    Case(id="other-id", code="WS106", mutate=_other_charter_id, expected=((E, "/charter/id"),)),
    Case(
        id="other-version",
        code="WS106",
        mutate=_other_charter_version,
        expected=((E, "/charter/version"),),
    ),
    Case(
        id="other-digest",
        code="WS106",
        mutate=_other_charter_digest,
        expected=((E, "/charter/digest"),),
    ),
    Case(id="unique", code="WS107"),
    Case(id="item-twice", code="WS107", mutate=_duplicate_item, expected=((E, "/items/2/id"),)),
    Case(id="flow-twice", code="WS107", mutate=_duplicate_flow, expected=((E, "/flows/1/id"),)),
    Case(id="declared", code="WS108"),
    Case(
        id="undeclared",
        code="WS108",
        mutate=_need_undeclared,
        expected=((E, "/purposes/0/needs/2"),),
    ),
    Case(id="builtin", code="WS109"),
    Case(id="agreement-entry", code="WS109", mutate=_local_basis),
    Case(
        id="charter-left-to-ws206", code="WS109", mutate=_charter_basis, also=frozenset({"WS206"})
    ),
    Case(id="unknown", code="WS109", mutate=_unknown_basis, expected=((E, "/flows/0/bases/1"),)),
    Case(
        id="unknown-capacity-basis",
        code="WS109",
        mutate=_unknown_capacity_basis,
        expected=((E, "/flows/0/capacity_basis"),),
    ),
    Case(
        id="unknown-exemption",
        code="WS109",
        mutate=lambda c, a: a["flows"][0].update(exemptions=["made-up-exemption"]),
        expected=((E, "/flows/0/exemptions/0"),),
    ),
]


@parametrize(CASES)
def test_reference_rules(case: Case) -> None:
    check(case)
