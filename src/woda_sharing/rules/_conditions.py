"""Rules on conditions of use: a known vocabulary, duties someone can perform, no contradictions."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._conditions import BUILTIN_ACTIONS, ONWARD, vocabulary
from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Action, Agreement, Conditions, Duty, Flow
from woda_sharing.rules import (
    BUILTIN,
    AgreementContext,
    AgreementWithCharterContext,
    CharterContext,
    Hit,
)

__all__: list[str] = []

rule = BUILTIN.rule

#: Where conditions sit: (pointer tokens, conditions, the flow they belong to, or None).
_Place = tuple[tuple[str | int, ...], Conditions, Flow | None]


def _places(a: Agreement) -> Iterator[_Place]:
    if a.conditions is not None:
        yield ("conditions",), a.conditions, None
    for i, item in enumerate(a.items):
        if item.conditions is not None:
            yield ("items", i, "conditions"), item.conditions, None
    for i, flow in enumerate(a.flows):
        if flow.conditions is not None:
            yield ("flows", i, "conditions"), flow.conditions, flow


def _uses(c: Conditions) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """Each action of *c* with where it is and the kind it must be."""
    for j, p in enumerate(c.permissions):
        yield ("permissions", j, "action"), p.action, "use"
        for k, d in enumerate(p.duties):
            yield ("permissions", j, "duties", k, "action"), d.action, "duty"
    for j, no in enumerate(c.prohibitions):
        yield ("prohibitions", j, "action"), no.action, "use"
    for j, d in enumerate(c.duties):
        yield ("duties", j, "action"), d.action, "duty"
    for j, t in enumerate(c.triggers):
        yield ("triggers", j), t, "condition"
    if c.consent is not None:
        for j, o in enumerate(c.consent.overrides):
            yield ("consent", "overrides", j), o, "condition"


@rule("WS701", title="Action or condition not in the vocabulary", needs_charter=True)
def known_actions(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Every action of a permission, prohibition or duty, every trigger and every consent override is in the vocabulary: the built-in one or the charter's ``actions``, as the right kind (a use, a duty or a condition).

    A decision can only enforce what it knows: an unknown override or trigger could never be met.
    """
    actions = ctx.memo("vocabulary", lambda: vocabulary(ctx.charter))
    for where, conditions, _ in _places(ctx.agreement):
        for tokens, action, kind in _uses(conditions):
            known = actions.get(action)
            if known is None:
                yield Hit(
                    pointer=pointer(*where, *tokens),
                    message=f"{action!r} is not a {kind} of the vocabulary",
                    hint="use a built-in action (see the conditions reference) or add it to the"
                    " charter's actions",
                )
            elif known.kind != kind:
                yield Hit(
                    pointer=pointer(*where, *tokens),
                    message=f"{action!r} is a {known.kind}, not a {kind}",
                )


@rule("WS702", title="Duty no party can perform")
def performable_duties(ctx: AgreementContext) -> Iterator[Hit]:
    """A duty names a party of the agreement, and a flow's duty one of that flow's two parties; a duty onward disclosure brings is the recipient's.

    A duty nobody in the sharing can perform can never be met.
    """
    parties = ctx.parties
    for where, conditions, flow in _places(ctx.agreement):
        duties: list[tuple[tuple[str | int, ...], Duty]]
        duties = [(("duties", j), d) for j, d in enumerate(conditions.duties)]
        duties += [
            (("permissions", j, "duties", k), d)
            for j, p in enumerate(conditions.permissions)
            for k, d in enumerate(p.duties)
        ]
        for tokens, duty in duties:
            if duty.party is None:
                continue
            if duty.party not in parties:
                yield Hit(
                    pointer=pointer(*where, *tokens, "party"),
                    message=f"duty {duty.action!r} names {duty.party!r}, which is not a party",
                )
            elif flow is not None and duty.party not in (flow.source, flow.recipient):
                yield Hit(
                    pointer=pointer(*where, *tokens, "party"),
                    message=f"duty {duty.action!r} of flow {flow.id!r} names {duty.party!r},"
                    " which neither sends nor receives in it",
                )


@rule("WS703", title="Conditions contradict each other")
def no_contradictions(ctx: AgreementContext) -> Iterator[Hit]:
    """Within one flow (with its agreement's and items' conditions), no use is both permitted and prohibited, and a flow that permits uses keeps at least one use not prohibited.

    A flow whose every permitted use is prohibited can never be used: the
    prohibition makes it useless.
    """
    a = ctx.agreement
    top = a.conditions
    by_item = {i.id: i.conditions for i in a.items if i.conditions is not None}
    if top is None and not by_item and all(f.conditions is None for f in a.flows):
        return  # the common case: nothing to contradict, and no pass over the flows' items
    for i, flow in enumerate(a.flows):
        levels = [c for c in (top, flow.conditions) if c is not None]
        levels += [by_item[item] for item in dict.fromkeys(flow.items) if item in by_item]
        permitted = {p.action for c in levels for p in c.permissions}
        prohibited = {p.action for c in levels for p in c.prohibitions}
        both = sorted(permitted & prohibited)
        if both:
            yield Hit(
                pointer=pointer("flows", i),
                message=f"flow {flow.id!r} both permits and prohibits {', '.join(both)}",
            )
        uses = permitted - {ONWARD}
        if uses and uses <= prohibited:
            yield Hit(
                pointer=pointer("flows", i),
                message=f"flow {flow.id!r} prohibits every use it permits: it can never be used",
            )


@rule("WS704", title="Consent override without effect", severity=Severity.WARNING)
def overrides_with_effect(ctx: AgreementContext) -> Iterator[Hit]:
    """Overrides belong to a consent model an objection can stop (``implied``, ``opt-out``, ``explicit``) or to the national data opt-out; on ``none`` without the national opt-out they never apply."""
    for where, conditions, _ in _places(ctx.agreement):
        consent = conditions.consent
        if (
            consent is not None
            and consent.overrides
            and consent.model == "none"
            and not consent.national_opt_out
        ):
            yield Hit(
                pointer=pointer(*where, "consent", "overrides"),
                message="consent model 'none' with overrides: nothing is ever overridden",
            )


@rule("WS705", title="Charter action clashes with the vocabulary", applies_to="charter")
def charter_actions(ctx: CharterContext) -> Iterator[Hit]:
    """A charter's ``actions`` add to the built-in vocabulary: none may reuse a built-in id or be declared twice."""
    seen: dict[str, Action] = {}
    for i, action in enumerate(ctx.charter.actions):
        if action.id in BUILTIN_ACTIONS:
            yield Hit(
                pointer=pointer("actions", i, "id"),
                message=f"{action.id!r} is a built-in action; choose another id",
            )
        elif action.id in seen:
            yield Hit(
                pointer=pointer("actions", i, "id"),
                message=f"action {action.id!r} is declared twice",
            )
        seen[action.id] = action
