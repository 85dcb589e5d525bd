"""Rules on the typed governance text (audit, international transfers) and on people holding two offices."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._findings import Severity, pointer
from woda_sharing.rules import BUILTIN, AgreementContext, CharterContext, Hit
from woda_sharing.rules._lifecycle import _add_months

__all__: list[str] = []

rule = BUILTIN.rule


@rule(
    "WS333",
    title="Audit overdue",
    severity=Severity.WARNING,
    citation="UK GDPR Article 5(2) and 24(1)",
)
def audit_overdue(ctx: AgreementContext) -> Iterator[Hit]:
    """The agreement's ``governance.audit`` sets an interval, and the next audit (after the ``last``, or after the start when none is recorded) is past."""
    governance = ctx.agreement.governance
    audit = governance.audit if governance is not None else None
    if audit is None or audit.interval_months is None:
        return
    anchor, what = (
        (audit.last, "the last audit") if audit.last else (ctx.agreement.start, "the start")
    )
    due = _add_months(anchor, audit.interval_months)
    if due < ctx.today:
        yield Hit(
            pointer=pointer("governance", "audit"),
            message=f"an audit every {audit.interval_months} months was due on {due.isoformat()}, {audit.interval_months} months after {what}",
            hint="carry out the audit and record its date in governance.audit.last",
        )


@rule(
    "WS621",
    title="Person holding two offices without separation",
    applies_to="charter",
)
def office_holders(ctx: CharterContext) -> Iterator[Hit]:
    """A person holding offices in member bodies (a dual hatter: a councillor of a district and of the county council) must hold them in two or more distinct members, with the control that keeps their data apart.

    Data received in one office must not flow into the other: the charter
    records how (``separation``: separate equipment, accounts, email). An
    office in a body that is not a member, or two offices in one body, is an
    error too.
    """
    for i, holder in enumerate(ctx.charter.office_holders):
        for j, office in enumerate(holder.offices):
            if office.organisation not in ctx.members:
                yield Hit(
                    pointer=pointer("office_holders", i, "offices", j, "organisation"),
                    message=f"office holder {holder.id!r} holds an office in {office.organisation!r}, which is not a charter member",
                )
        if len({o.organisation for o in holder.offices}) < 2:
            yield Hit(
                pointer=pointer("office_holders", i, "offices"),
                message=f"office holder {holder.id!r} holds offices in only one body: not a dual hatter",
                hint="list the offices in two member bodies, or model one body's two capacities as two parties",
            )
        if holder.separation is None:
            yield Hit(
                pointer=pointer("office_holders", i),
                message=f"office holder {holder.id!r} has no separation: nothing keeps data received in one office from the other",
                hint="record the separation (separate equipment, accounts, email) the charter requires",
            )
