"""Conditions of use: vocabulary, performable duties, contradictions (WS701-WS705)."""

from __future__ import annotations

from tests.rules._support import Case, Doc, E, Mutation, W, check, parametrize


def _flow(conditions: Doc) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        a["flows"][0]["conditions"] = conditions

    return mutate


def _actions(actions: list[Doc]) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["actions"] = actions

    return mutate


CASES = [
    Case(id="known", code="WS701", mutate=_flow({"prohibitions": [{"action": "re-identify"}]})),
    Case(
        id="unknown",
        code="WS701",
        mutate=_flow({"prohibitions": [{"action": "flying"}]}),
        expected=((E, "/flows/0/conditions/prohibitions/0/action"),),
    ),
    Case(
        id="party-of-the-flow",
        code="WS702",
        mutate=_flow({"duties": [{"action": "delete-after-use", "party": "county"}]}),
    ),
    Case(
        id="no-such-party",
        code="WS702",
        mutate=_flow({"duties": [{"action": "delete-after-use", "party": "nobody"}]}),
        expected=((E, "/flows/0/conditions/duties/0/party"),),
    ),
    Case(id="consistent", code="WS703", mutate=_flow({"permissions": [{"action": "research"}]})),
    Case(
        id="useless-flow",
        code="WS703",
        mutate=_flow(
            {"permissions": [{"action": "research"}], "prohibitions": [{"action": "research"}]}
        ),
        expected=((E, "/flows/0"), (E, "/flows/0")),
    ),
    Case(
        id="override-with-effect",
        code="WS704",
        mutate=_flow({"consent": {"model": "explicit", "overrides": ["safeguarding"]}}),
    ),
    Case(
        id="override-without-effect",
        code="WS704",
        mutate=_flow({"consent": {"model": "none", "overrides": ["safeguarding"]}}),
        expected=((W, "/flows/0/conditions/consent/overrides"),),
    ),
    Case(
        id="own-action",
        code="WS705",
        kind="charter",
        mutate=_actions([{"id": "share-with-press", "title": "Press", "kind": "use"}]),
    ),
    Case(
        id="reuses-built-in",
        code="WS705",
        kind="charter",
        mutate=_actions([{"id": "research", "title": "Ours", "kind": "duty"}]),
        expected=((E, "/actions/0/id"),),
    ),
]


@parametrize(CASES)
def test_condition_rules(case: Case) -> None:
    check(case)
