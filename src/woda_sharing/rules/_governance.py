"""Rules on governance text: breach terms and whom they reach, change history and approval status."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Change, DocumentStatus
from woda_sharing.rules import (
    BUILTIN,
    AgreementContext,
    AgreementWithCharterContext,
    CharterContext,
    Hit,
)

__all__: list[str] = []

rule = BUILTIN.rule

#: UK GDPR Article 33(1): a controller tells the ICO within 72 hours of becoming aware.
_ICO_HOURS = 72


@rule(
    "WS312",
    title="Breach notice between the parties may take longer than 72 hours",
    severity=Severity.WARNING,
    citation="UK GDPR Article 33(1) and (2)",
)
def breach_window(ctx: AgreementContext) -> Iterator[Hit]:
    """The time the parties allow each other to report a breach should leave the controller time to tell the ICO within 72 hours.

    The effective breach terms are the agreement's own, else the charter's
    defaults. Working days stretch over weekends: two working days can span
    96 hours (Thursday to Monday), so anything from two working days fires.
    """
    breach = ctx.terms.breach
    if breach is None:
        return
    within = breach.value.within
    if within.longest_hours > _ICO_HOURS:
        yield Hit(
            pointer=pointer("breach"),
            message=f"a breach may be reported to the other parties only after {within.describe()} (up to {within.longest_hours} hours), {breach.origin}; the controller must tell the ICO within 72 hours of becoming aware",
            hint="ask for notice without undue delay and within 24 hours, so that the controller can meet Article 33",
        )


@rule(
    "WS313",
    title="Breach notice routed to an unknown organisation or a missing contact",
    needs_charter=True,
)
def breach_routing(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Each post the breach terms name in ``notify`` must be at a charter member that records a contact of that role.

    An organisation that is not a charter member is an error. A member with
    no contact of the role named, in the charter's ``members[].contacts`` or
    in its agreement parties' ``contacts``, is a warning: the notice has
    nowhere to go.
    """
    breach = ctx.terms.breach
    if breach is None:
        return
    roles: dict[str, set[str]] = {
        m.id: {c.role.value for c in m.contacts} for m in ctx.charter.members
    }
    for party in ctx.agreement.parties:
        roles.setdefault(party.organisation, set()).update(c.role.value for c in party.contacts)
    for j, notice in enumerate(breach.value.notify):
        where = pointer("breach", "notify", j) if not breach.inherited else pointer("breach")
        if notice.organisation not in ctx.members:
            yield Hit(
                pointer=where,
                message=f"the breach terms ({breach.origin}) notify {notice.organisation!r}, which is not a charter member",
            )
        elif notice.role.value not in roles.get(notice.organisation, set()):
            yield Hit(
                pointer=where,
                message=f"the breach terms ({breach.origin}) notify the {notice.role.value} of {notice.organisation!r}, who has no such contact",
                hint="add the contact to the member in the charter, or to the organisation's party in the agreement",
                severity=Severity.WARNING,
            )


def _history(history: tuple[Change, ...], version: int) -> Iterator[Hit]:
    previous: Change | None = None
    for i, change in enumerate(history):
        if change.version > version:
            yield Hit(
                pointer=pointer("history", i, "version"),
                message=f"the history records version {change.version}, after this document's version {version}",
            )
        if previous is not None and change.version <= previous.version:
            yield Hit(
                pointer=pointer("history", i, "version"),
                message=f"version {change.version} follows version {previous.version}: the history must go up",
            )
        if previous is not None and change.date < previous.date:
            yield Hit(
                pointer=pointer("history", i, "date"),
                message=f"version {change.version} is dated {change.date.isoformat()}, before version {previous.version} ({previous.date.isoformat()})",
            )
        previous = change


@rule("WS317", title="Change history inconsistent")
def agreement_history(ctx: AgreementContext) -> Iterator[Hit]:
    """The change history lists versions in ascending order and dates, none after the agreement's own ``version``."""
    yield from _history(ctx.agreement.history, ctx.agreement.version)


@rule("WS606", title="Charter change history inconsistent", applies_to="charter")
def charter_history(ctx: CharterContext) -> Iterator[Hit]:
    """The charter's change history lists versions in ascending order and dates, none after its own ``version``."""
    yield from _history(ctx.charter.history, ctx.charter.version)


@rule("WS318", title="Agreement not approved", severity=Severity.WARNING)
def not_approved(ctx: AgreementContext) -> Iterator[Hit]:
    """An agreement whose ``status`` is ``draft`` or ``under-review`` is not yet approved: no data should flow under it.

    An agreement that does not record a status (format 1) is taken as
    approved; its endorsements say who agreed to it.
    """
    status = ctx.agreement.status
    if status is not None and status is not DocumentStatus.APPROVED:
        yield Hit(
            pointer=pointer("status"),
            message=f"the agreement is {status.value.replace('-', ' ')}, not approved",
            hint="approve the agreement (and record the approval in its history) before sharing under it",
        )
