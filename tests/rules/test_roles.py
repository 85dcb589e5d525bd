from __future__ import annotations

from tests.rules._support import Case, Doc, E, Mutation, W, check, parametrize


def _processor(acting_for: str | None, *, sends_to: str | None = None) -> Mutation:
    """Add a processor party (the police organisation, as a supplier) and maybe make it send."""

    def mutate(c: Doc, a: Doc) -> None:
        party: Doc = {"id": "supplier", "organisation": "police", "role": "processor"}
        if acting_for is not None:
            party["acting_for"] = acting_for
        a["parties"].append(party)
        if sends_to is not None:
            a["flows"][0].update({"from": "supplier", "to": sends_to})

    return mutate


def _processor_for_processor(c: Doc, a: Doc) -> None:
    a["parties"][1].update(role="processor", acting_for="county")
    _processor("district")(c, a)


def _all_processors(c: Doc, a: Doc) -> None:
    a["parties"][0].update(role="processor", acting_for="district")
    a["parties"][1].update(role="processor", acting_for="county")


def _joint_controllers(c: Doc, a: Doc) -> None:
    for party in a["parties"]:
        party["role"] = "joint-controller"


def _second_hat(first: str | None, second: str | None) -> Mutation:
    """List the county council a second time, with the capacities given."""

    def mutate(c: Doc, a: Doc) -> None:
        if first is not None:
            a["parties"][0]["capacity"] = first
        party: Doc = {
            "id": "county-housing",
            "organisation": "county-council",
            "role": "controller",
        }
        if second is not None:
            party["capacity"] = second
        a["parties"].append(party)

    return mutate


def _capacity_flow(capacity_basis: str | None) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        _second_hat("children-services", "housing")(c, a)
        a["flows"][0]["from"] = "county-housing"
        if capacity_basis is not None:
            a["flows"][0]["capacity_basis"] = capacity_basis

    return mutate


def _self_flow(c: Doc, a: Doc) -> None:
    a["flows"][0]["to"] = "district"


CASES = [
    # WS401 processors
    Case(id="controllers-only", code="WS401"),
    Case(id="processor-for-controller", code="WS401", mutate=_processor("county")),
    Case(
        id="processor-sends-to-its-controller",
        code="WS401",
        mutate=_processor("county", sends_to="county"),
    ),
    Case(
        id="no-acting-for",
        code="WS401",
        mutate=_processor(None),
        expected=((E, "/parties/2/acting_for"),),
    ),
    Case(
        id="acting-for-undeclared",
        code="WS401",
        mutate=_processor("nobody"),
        expected=((E, "/parties/2/acting_for"),),
    ),
    Case(
        id="acting-for-a-processor",
        code="WS401",
        mutate=_processor_for_processor,
        expected=((E, "/parties/2/acting_for"),),
    ),
    Case(
        id="sends-to-another-party",
        code="WS401",
        mutate=_processor("county", sends_to="district"),
        expected=((E, "/flows/0/to"),),
    ),
    Case(id="left-to-ws405", code="WS401", mutate=_all_processors, also=frozenset({"WS405"})),
    # WS402 dual hatters
    Case(id="distinct-organisations", code="WS402"),
    Case(
        id="two-capacities",
        code="WS402",
        mutate=_second_hat("children-services", "housing"),
        expected=((W, "/parties/2/capacity"),),
        message="must not flow into the other",
    ),
    Case(
        id="no-capacities",
        code="WS402",
        mutate=_second_hat(None, None),
        expected=((E, "/parties/2"),),
    ),
    Case(
        id="one-capacity",
        code="WS402",
        mutate=_second_hat(None, "housing"),
        expected=((E, "/parties/2"),),
    ),
    Case(
        id="same-capacity",
        code="WS402",
        mutate=_second_hat("housing", "housing"),
        expected=((E, "/parties/2"),),
    ),
    # WS403 flows between capacities
    Case(id="between-organisations", code="WS403"),
    Case(id="with-capacity-basis", code="WS403", mutate=_capacity_flow("uk-gdpr-art-6-1-e")),
    Case(
        id="without-capacity-basis",
        code="WS403",
        mutate=_capacity_flow(None),
        expected=((E, "/flows/0/capacity_basis"),),
    ),
    # WS404 / WS405
    Case(id="two-parties", code="WS404"),
    Case(id="to-itself", code="WS404", mutate=_self_flow, expected=((E, "/flows/0/to"),)),
    Case(id="controllers", code="WS405"),
    Case(id="joint-controllers", code="WS405", mutate=_joint_controllers),
    Case(id="processors-only", code="WS405", mutate=_all_processors, expected=((E, "/parties"),)),
]


@parametrize(CASES)
def test_role_rules(case: Case) -> None:
    check(case)
