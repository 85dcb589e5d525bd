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


def _sub_processor(*, authorised: bool, sends: bool = False) -> Mutation:
    """The supplier, processor for the county, engages the district's hosting service as a sub-processor."""

    def mutate(c: Doc, a: Doc) -> None:
        _processor("county")(c, a)
        a["parties"][1]["capacity"] = "early-help"
        party: Doc = {
            "id": "hosting",
            "organisation": "district-council",
            "capacity": "hosting",
            "role": "processor",
            "acting_for": "supplier",
        }
        if authorised:
            party["authorisation"] = (
                "County contract 2024/17, clause 9 (general written authorisation)"
            )
        a["parties"].append(party)
        if sends:
            a["flows"][0].update({"from": "supplier", "to": "hosting"})

    return mutate


def _instructed(controller: str, *, sends_to: str) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        _processor("county", sends_to=sends_to)(c, a)
        a["flows"][0]["instruction"] = {"controller": controller, "reference": "Instruction 12"}

    return mutate


def _processor_loop(c: Doc, a: Doc) -> None:
    a["parties"][1].update(role="processor", acting_for="supplier", authorisation="clause 9")
    a["parties"].append(
        {
            "id": "supplier",
            "organisation": "police",
            "role": "processor",
            "acting_for": "district",
            "authorisation": "clause 9",
        }
    )


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
    # Article 28(2) and (4): a sub-processor needs the controller's prior written authorisation
    Case(
        id="acting-for-a-processor",
        code="WS401",
        mutate=_processor_for_processor,
        expected=((E, "/parties/2/authorisation"),),
        message="authorisation",
    ),
    Case(id="authorised-sub-processor", code="WS401", mutate=_sub_processor(authorised=True)),
    Case(
        id="sub-processor-without-authorisation",
        code="WS401",
        mutate=_sub_processor(authorised=False),
        expected=((E, "/parties/3/authorisation"),),
    ),
    Case(
        id="processor-sends-to-its-sub-processor",
        code="WS401",
        mutate=_sub_processor(authorised=True, sends=True),
    ),
    Case(
        id="processors-acting-for-each-other",
        code="WS401",
        mutate=_processor_loop,
        expected=(
            (E, "/parties/1/acting_for"),
            (E, "/parties/2/acting_for"),
            (E, "/flows/0/to"),
        ),
    ),
    # Article 28(3)(a): a processor discloses on its controller's documented instructions
    Case(
        id="sends-on-documented-instruction",
        code="WS401",
        mutate=_instructed("county", sends_to="district"),
    ),
    Case(
        id="sub-processor-sends-on-the-controllers-instruction",
        code="WS401",
        mutate=lambda c, a: (
            _sub_processor(authorised=True)(c, a),
            a["flows"][0].update(
                {
                    "from": "hosting",
                    "to": "county",
                    "instruction": {"controller": "county", "reference": "Schedule 2 item 4"},
                }
            ),
        ),
    ),
    Case(
        id="instruction-from-another-party",
        code="WS401",
        mutate=_instructed("district", sends_to="district"),
        expected=((E, "/flows/0/instruction/controller"),),
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
