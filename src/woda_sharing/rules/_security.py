"""Rules on security specifics: protective markings and the measures a charter registers."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._findings import pointer
from woda_sharing._model import Marking
from woda_sharing.rules import BUILTIN, AgreementContext, AgreementWithCharterContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule


@rule(
    "WS132",
    title="Security measure not registered by the charter",
    needs_charter=True,
)
def measure_registered(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Every measure id an agreement, a flow or a shared record names in ``measures`` must be registered in the charter's ``measures``.

    A shared record is checked through the flows it stands for, and reported once, at the record.
    """
    registered = {m.id for m in ctx.charter.measures}
    a = ctx.agreement
    named: list[tuple[tuple[str | int, ...], tuple[str, ...]]] = [((), a.measures)]
    named += [(("flows", i), f.measures) for i, f in enumerate(a.flows)]
    for where, measures in named:
        for j, measure in enumerate(measures):
            if measure not in registered:
                yield Hit(
                    pointer=pointer(*where, "measures", j),
                    message=f"security measure {measure!r} is not registered by the charter",
                    hint="register it in the charter's measures, or correct the id",
                )


@rule(
    "WS330",
    title="Flow handled below the marking of its data",
    citation="Government Security Classifications (Cabinet Office); UK GDPR Article 32",
)
def marking_respected(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow (or shared record) that carries an item with a protective ``marking`` must be handled at that marking or above.

    A flow without a ``marking`` of its own is not judged; one that gives a
    lower marking than an item it carries says it will be handled with less
    care than the item needs (OFFICIAL-SENSITIVE data sent as OFFICIAL).
    """
    marked = {item.id: item.marking for item in ctx.agreement.items if item.marking is not None}
    if not marked:
        return
    for i, flow in enumerate(ctx.agreement.flows):
        if flow.marking is None:
            continue
        above: list[tuple[str, Marking]] = [
            (item_id, marking)
            for item_id in flow.items
            if (marking := marked.get(item_id)) is not None and marking.rank > flow.marking.rank
        ]
        for item_id, marking in above:
            yield Hit(
                pointer=pointer("flows", i, "marking"),
                message=f"flow {flow.id!r} is handled at {flow.marking.value}, but item {item_id!r} is marked {marking.value}",
                hint="raise the flow's marking, or check the item's",
            )
