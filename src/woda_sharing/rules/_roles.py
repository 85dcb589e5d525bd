"""Rules on parties and their roles: controllers, processors and dual hatters.

A party is an organisation acting in one capacity. One organisation may be two
parties (a "dual hatter", such as a council acting as housing authority and as
children's services), but data received in one capacity must not move into the
other without a basis of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Party, Role
from woda_sharing.rules import BUILTIN, AgreementContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule

_CONTROLLERS = (Role.CONTROLLER, Role.JOINT_CONTROLLER)


def _controller_of(parties: Mapping[str, Party], party: Party) -> Party | None:
    """The controller at the end of *party*'s processor chain, or ``None`` if the chain breaks or loops."""
    seen = {party.id}
    current = party
    while current.role is Role.PROCESSOR:
        if current.acting_for is None or current.acting_for in seen:
            return None
        nxt = parties.get(current.acting_for)
        if nxt is None:
            return None
        seen.add(nxt.id)
        current = nxt
    return current if current.role in _CONTROLLERS else None


@rule(
    "WS401",
    title="Processor acting as a controller",
    citation="UK GDPR Articles 28(2), (3)(a), (4) and 29",
)
def processor_as_controller(ctx: AgreementContext) -> Iterator[Hit]:
    """A processor acts only on a controller's documented instructions, and engages a sub-processor only with the controller's written authorisation.

    Fires when a processor party does not name whom it acts for
    (``acting_for``), or names a party whose chain of processors never reaches
    a controller or joint controller; when a sub-processor (a processor acting
    for a processor) records no ``authorisation`` from the controller (Article
    28(2) and (4)); and when a processor sends data to anyone other than the
    party it acts for or its own sub-processors, unless the flow names the
    controller's documented ``instruction`` (Article 28(3)(a)), which must come
    from the controller the processor works for. When no party is a controller
    at all, WS405 reports that once instead.
    """
    a = ctx.agreement
    parties = ctx.parties
    any_controller = any(p.role in _CONTROLLERS for p in a.parties)
    for i, party in enumerate(a.parties):
        if party.role is not Role.PROCESSOR:
            continue
        if party.acting_for is None:
            yield Hit(
                pointer=pointer("parties", i, "acting_for"),
                message=f"processor {party.id!r} does not say which controller it acts for",
                hint="set acting_for to the party id of the controller that instructs it",
            )
            continue
        if not any_controller:
            continue
        if _controller_of(parties, party) is None:
            yield Hit(
                pointer=pointer("parties", i, "acting_for"),
                message=f"processor {party.id!r} acts for {party.acting_for!r}, which leads to no controller in this agreement",
                hint="a processor acts for a controller or joint controller party, or for a processor that acts for one",
            )
            continue
        principal = parties[party.acting_for]
        if principal.role is Role.PROCESSOR and party.authorisation is None:
            yield Hit(
                pointer=pointer("parties", i, "authorisation"),
                message=f"processor {party.id!r} is a sub-processor of {principal.id!r} with no recorded authorisation from the controller",
                hint="record the controller's prior written authorisation (Article 28(2)) in authorisation, or make the controller engage it directly",
            )
    for i, flow in enumerate(a.flows):
        sender = parties.get(flow.source)
        if sender is None or sender.role is not Role.PROCESSOR or sender.acting_for is None:
            continue
        sub_processors = {p.id for p in a.parties if p.acting_for == sender.id}
        if flow.recipient == sender.acting_for or flow.recipient in sub_processors:
            continue
        controller = _controller_of(parties, sender)
        if flow.instruction is None:
            yield Hit(
                pointer=pointer("flows", i, "to"),
                message=f"processor {sender.id!r} sends data to {flow.recipient!r}, not to the party it acts for ({sender.acting_for!r}), with no documented instruction",
                hint="record the controller's documented instruction on the flow (instruction), or have the controller disclose the data itself",
            )
        elif controller is not None and flow.instruction.controller != controller.id:
            yield Hit(
                pointer=pointer("flows", i, "instruction", "controller"),
                message=f"processor {sender.id!r} follows an instruction from {flow.instruction.controller!r}, but the controller it works for is {controller.id!r}",
                hint="a processor acts only on the documented instructions of its own controller (Article 28(3)(a))",
            )


@rule("WS402", title="One organisation listed as two parties", severity=Severity.WARNING)
def dual_hatter(ctx: AgreementContext) -> Iterator[Hit]:
    """An organisation listed twice must act in two different capacities (a "dual hatter").

    With different capacities this is a warning, a reminder that data received
    in one capacity must not flow into the other without its own basis. With the
    same capacity, or without capacities, the two parties cannot be told apart:
    that is an error.
    """
    first: dict[str, int] = {}
    for i, party in enumerate(ctx.agreement.parties):
        org = party.organisation
        if org not in first:
            first[org] = i
            continue
        earlier = ctx.agreement.parties[first[org]]
        if party.capacity is None or earlier.capacity is None or party.capacity == earlier.capacity:
            yield Hit(
                pointer=pointer("parties", i),
                message=f"organisation {org!r} is listed as {earlier.id!r} and {party.id!r} with no distinct capacities",
                hint="give each party the capacity it acts in, or merge them",
                severity=Severity.ERROR,
            )
        else:
            yield Hit(
                pointer=pointer("parties", i, "capacity"),
                message=f"organisation {org!r} acts in two capacities ({earlier.capacity!r}, {party.capacity!r}): data received in one must not flow into the other",
                hint="keep the capacities' data apart; a flow between them needs its own capacity_basis",
            )


@rule("WS403", title="Flow between two capacities of one organisation without a basis")
def capacity_crossing(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow from one capacity of an organisation to another capacity of the same organisation must cite its own ``capacity_basis``."""
    for i, flow in enumerate(ctx.agreement.flows):
        source, recipient = ctx.parties.get(flow.source), ctx.parties.get(flow.recipient)
        if source is None or recipient is None or source.id == recipient.id:
            continue
        if source.organisation == recipient.organisation and flow.capacity_basis is None:
            yield Hit(
                pointer=pointer("flows", i, "capacity_basis"),
                message=f"flow {flow.id!r} moves data between two capacities of {source.organisation!r} without a capacity basis",
                hint="cite the basis that lets data cross from one capacity to the other (often an Article 8A entry, such as uk-gdpr-art-8a-annex-2-safeguarding), or remove the flow",
            )


@rule("WS404", title="Flow from a party to itself")
def self_flow(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow's ``from`` and ``to`` must be different parties."""
    for i, flow in enumerate(ctx.agreement.flows):
        if flow.source == flow.recipient:
            yield Hit(
                pointer=pointer("flows", i, "to"),
                message=f"flow {flow.id!r} goes from {flow.source!r} to itself",
                hint="a flow shares data between two parties; a capacity change is a flow between two parties",
            )


@rule("WS405", title="No controller among the parties")
def has_controller(ctx: AgreementContext) -> Iterator[Hit]:
    """At least one party must be a controller or joint controller: someone must decide why and how the data is processed."""
    if not any(p.role in _CONTROLLERS for p in ctx.agreement.parties):
        yield Hit(
            pointer=pointer("parties"),
            message="no party is a controller or joint controller",
            hint="mark the parties that decide the purposes and means of processing as controllers",
        )
