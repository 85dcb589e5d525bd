"""Rules on data minimisation and purpose limitation: share only what a purpose needs."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._findings import Severity, pointer
from woda_sharing.rules import BUILTIN, AgreementContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule


@rule(
    "WS501",
    title="Item shared that no purpose of the flow needs",
    citation="UK GDPR Article 5(1)(b)-(c)",
)
def minimisation(ctx: AgreementContext) -> Iterator[Hit]:
    """Every item a flow shares must be needed by at least one of the flow's purposes (the purpose's ``needs``).

    Undeclared items and purposes are left to WS102 and WS103.
    """
    # Which purposes need each item: one pass over the needs, so that each item a flow shares
    # is checked against the flow's few purposes (linear, where the union of every purpose's
    # needs per flow grew with flows times items).
    # A flow one of whose purposes needs every item it shares is passed with one C-level check.
    needed_by: dict[str, set[str]] = {}
    needs: dict[str, set[str]] = {}
    for purpose in ctx.agreement.purposes:  # a purpose declared twice (WS107) needs both lists
        needs.setdefault(purpose.id, set()).update(purpose.needs)
        for item in purpose.needs:
            needed_by.setdefault(item, set()).add(purpose.id)
    nobody: frozenset[str] = frozenset()
    declared = ctx.items
    for i, flow in enumerate(ctx.agreement.flows):
        purposes = flow.purposes
        if any(needs.get(p, nobody).issuperset(flow.items) for p in purposes):
            continue
        for j, item in enumerate(flow.items):
            if needed_by.get(item, nobody).isdisjoint(purposes) and item in declared:
                yield Hit(
                    pointer=pointer("flows", i, "items", j),
                    message=f"flow {flow.id!r} shares {item!r}, which none of its purposes needs",
                    hint="stop sharing the item, or add it to the needs of the purpose that requires it",
                )


@rule("WS502", title="Item declared but never shared", severity=Severity.INFO)
def unused_item(ctx: AgreementContext) -> Iterator[Hit]:
    """An item declared in ``items`` that no flow shares is probably left over: remove it."""
    shared = {item for flow in ctx.agreement.flows for item in flow.items}
    for i, item in enumerate(ctx.agreement.items):
        if item.id not in shared:
            yield Hit(
                pointer=pointer("items", i),
                message=f"item {item.id!r} is declared but no flow shares it",
            )


@rule("WS503", title="Purpose served by no flow", severity=Severity.WARNING)
def unused_purpose(ctx: AgreementContext) -> Iterator[Hit]:
    """A purpose declared in ``purposes`` that no flow serves says more than the agreement does."""
    served = {purpose for flow in ctx.agreement.flows for purpose in flow.purposes}
    for i, purpose in enumerate(ctx.agreement.purposes):
        if purpose.id not in served:
            yield Hit(
                pointer=pointer("purposes", i),
                message=f"purpose {purpose.id!r} is declared but no flow serves it",
                hint="remove the purpose, or add the flows that serve it",
            )
