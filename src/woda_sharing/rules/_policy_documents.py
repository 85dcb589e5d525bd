"""Rules on appropriate policy documents held by each controller, not by the catalogue.

DPA 2018 Schedule 1 paragraph 5 (and paragraphs 1(1)(b), 35-37 and Part 4,
paragraph 39) and, for sensitive law enforcement processing, s.35(4)(b),
(5)(c) and s.42 ask the *controller* that relies on a condition to have an
appropriate policy document. A charter records them per member
(``members[].policy_documents``). A format-1 charter that records none keeps
the catalogue's answer (`WS204`, `WS211`); once any member records one, every
controller relying on such a condition must have its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from woda_sharing._findings import Severity, pointer
from woda_sharing._legal import LawEnforcementBasis, Schedule1Condition
from woda_sharing._model import Member, Party, Role
from woda_sharing.rules import (
    BUILTIN,
    AgreementWithCharterContext,
    CharterContext,
    Hit,
)

__all__: list[str] = []

rule = BUILTIN.rule


def _controller(ctx: AgreementWithCharterContext, party: Party) -> Party:
    """The controller a party processes for: itself, or the end of its ``acting_for`` chain."""
    seen = {party.id}
    while party.role is Role.PROCESSOR and party.acting_for is not None:
        nxt = ctx.parties.get(party.acting_for)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        party = nxt
    return party


@rule(
    "WS220",
    title="Controller relies on a condition without its own appropriate policy document",
    needs_charter=True,
    citation="DPA 2018 Schedule 1 paragraphs 5 and 39; s.35(4)(b), (5)(c) and s.42",
)
def controller_policy_document(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """A controller on either side of a flow relies on a condition that needs an appropriate policy document, and the charter records none of its own.

    Checked once the charter records policy documents for any member. Both
    sides process (one discloses, the other receives and uses), so both need
    one; a processor's controller is the one that needs it. A Schedule 1
    condition needs a ``schedule-1`` document (not paragraph 10 for a
    disclosure to a competent authority, paragraph 10(2)); a Part 3 basis
    with a Schedule 8 condition needs a ``part-3`` document of the side that
    is a competent authority.
    """
    if not any(m.policy_documents for m in ctx.charter.members):
        return
    resolved = {
        basis_id: entry.basis
        for flow in ctx.agreement.flows
        for basis_id in flow.bases
        if (entry := ctx.catalogue.get(basis_id)) is not None
    }
    for i, flow in enumerate(ctx.agreement.flows):
        sides: list[Member] = []
        to_competent = False
        for party_id in (flow.source, flow.recipient):
            party = ctx.parties.get(party_id)
            member = ctx.members.get(_controller(ctx, party).organisation) if party else None
            if member is None:
                continue
            to_competent = party_id == flow.recipient and member.competent_authority
            if member not in sides:
                sides.append(member)
        for j, basis_id in enumerate(flow.bases):
            basis = resolved.get(basis_id)
            covers: Literal["schedule-1", "part-3"]
            if isinstance(basis, Schedule1Condition) and basis.needs_policy_document:
                if to_competent and (basis.part, basis.paragraph) == (2, 10):
                    continue
                covers, relying = "schedule-1", sides
            elif isinstance(basis, LawEnforcementBasis) and basis.schedule_8_paragraph is not None:
                covers, relying = "part-3", [m for m in sides if m.competent_authority]
            else:
                continue
            for member in relying:
                if not member.has_policy_document(covers):
                    yield Hit(
                        pointer=pointer("flows", i, "bases", j),
                        message=f"{member.id!r} relies on {basis_id!r}, which needs an appropriate policy document, but the charter records none of its own ({covers})",
                        hint=f"record the member's policy document in the charter's members[].policy_documents with covers {covers!r}",
                    )


@rule(
    "WS620",
    title="Appropriate policy document past its review date",
    severity=Severity.WARNING,
    applies_to="charter",
    citation="DPA 2018 Schedule 1 paragraph 40; s.42(3)",
)
def policy_document_review(ctx: CharterContext) -> Iterator[Hit]:
    """A member's appropriate policy document must be kept under review: its ``review`` date has passed."""
    for i, member in enumerate(ctx.charter.members):
        for j, document in enumerate(member.policy_documents):
            if document.review is not None and document.review < ctx.today:
                yield Hit(
                    pointer=pointer("members", i, "policy_documents", j, "review"),
                    message=f"{member.id!r}'s policy document {document.reference!r} was due for review on {document.review.isoformat()}",
                    hint="review the document and record the next review date",
                )
