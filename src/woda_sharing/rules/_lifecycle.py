"""Rules on an agreement's life: retention, review, dates, DPIA and the controls the charter requires.

Rules that judge dates against "today" use `AgreementContext.today`, which
`woda_sharing._validation.validate` takes as its ``today`` argument. Rules on
the tier-1 terms (retention, security, breach and the other controls) judge
the agreement's *effective* terms, `AgreementContext.terms`: its own, else its
charter's ``defaults``; a finding about an inherited term says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Agreement, Control
from woda_sharing.rules import BUILTIN, AgreementContext, AgreementWithCharterContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule

_ENCRYPTION = "encryption-in-transit"
#: Flow methods that leave the recipient holding a copy of the data.
_COPY_METHODS = frozenset({"secure-email", "sftp", "removable-media"})


def _add_months(day: dt.date, months: int) -> dt.date:
    """Return *day* moved *months* calendar months on, clamped to the last day of the month.

    A result past the calendar's end (the schema admits year 9999) is
    `datetime.date.max`: no review date can then lie beyond it.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@rule(
    "WS301",
    title="Personal data without retention",
    citation="UK GDPR Article 5(1)(e)",
)
def retention(ctx: AgreementContext) -> Iterator[Hit]:
    """Every item of personal data needs a retention: its own, the agreement's ``retention``, or the charter's ``defaults.retention``.

    A retention may be a number of months (from receipt or from an event such
    as case closure), until an event (the end of a study), or view only (the
    recipient keeps no copy and the source system's schedule applies).
    """
    if ctx.terms.retention is not None:
        return
    for i, item in enumerate(ctx.agreement.items):
        if item.is_personal_data and item.retention is None:
            yield Hit(
                pointer=pointer("items", i, "retention"),
                message=f"item {item.id!r} is personal data with no retention period",
                hint="set retention on the item, a default retention for the whole agreement, or one in the charter's defaults",
            )


@rule("WS302", title="Review date missing")
def review_missing(ctx: AgreementContext) -> Iterator[Hit]:
    """An agreement must say when it is next reviewed (``review``)."""
    if ctx.agreement.review is None:
        yield Hit(
            pointer=pointer("review"),
            message="the agreement has no review date",
            hint="set review to a date within the charter's review interval",
        )


@rule("WS303", title="Review date past")
def review_past(ctx: AgreementContext) -> Iterator[Hit]:
    """The agreement's review date has passed: review it, then record the next review date."""
    review = ctx.agreement.review
    if review is not None and review < ctx.today:
        yield Hit(
            pointer=pointer("review"),
            message=f"the review was due on {review.isoformat()}",
            hint="review the agreement and set the next review date",
        )


def _review_anchor(a: Agreement, today: dt.date) -> tuple[dt.date, str]:
    """The date the next review is measured from, and its name: last review, start, or today."""
    if a.last_reviewed is not None:
        return a.last_reviewed, f"the last review ({a.last_reviewed.isoformat()})"
    if a.start >= today:
        return a.start, f"the start ({a.start.isoformat()})"
    # A format-1 agreement that has started records no last review: when it was
    # last reviewed is unknown, so the interval runs from today, as it always has.
    return today, "today (no last_reviewed is recorded)"


@rule("WS304", title="Review date beyond the charter's interval", needs_charter=True)
def review_interval(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """The review date must fall within the charter's ``review_interval_months`` of the last review.

    The interval runs from ``last_reviewed`` when the agreement records it;
    otherwise from its ``start`` when it has not started yet, and from today
    once it has (when it was last reviewed is then unknown).
    """
    review = ctx.agreement.review
    months = ctx.charter.review_interval_months
    anchor, name = _review_anchor(ctx.agreement, ctx.today)
    latest = _add_months(anchor, months)
    if review is not None and review > latest:
        yield Hit(
            pointer=pointer("review"),
            message=f"the review date {review.isoformat()} is more than {months} months after {name} (latest {latest.isoformat()})",
            hint=f"the charter asks for a review at least every {months} months",
        )


@rule("WS315", title="Review date beyond the agreement's own review cycle")
def review_cycle(ctx: AgreementContext) -> Iterator[Hit]:
    """The review date must fall within the agreement's own ``review_cycle``.

    The first review is due ``first_months`` after the ``start`` ("six months
    after start"), each later one ``then_months`` after ``last_reviewed``
    ("then annually").
    """
    a = ctx.agreement
    cycle = a.review_cycle
    if cycle is None or a.review is None:
        return
    if a.last_reviewed is not None:
        anchor, months, name = a.last_reviewed, cycle.then_months, "the last review"
    else:
        anchor, months, name = a.start, cycle.first, "the start"
    latest = _add_months(anchor, months)
    if a.review > latest:
        yield Hit(
            pointer=pointer("review"),
            message=f"the review date {a.review.isoformat()} is more than {months} months after {name} ({anchor.isoformat()}; latest {latest.isoformat()})",
            hint="bring the review date forward, or change the review cycle",
        )


@rule("WS316", title="Last review date inconsistent")
def last_reviewed(ctx: AgreementContext) -> Iterator[Hit]:
    """``last_reviewed`` must not be in the future, and the next ``review`` must come after it."""
    a = ctx.agreement
    done = a.last_reviewed
    if done is None:
        return
    if done > ctx.today:
        yield Hit(
            pointer=pointer("last_reviewed"),
            message=f"the last review is dated {done.isoformat()}, which is in the future",
        )
    if a.review is not None and a.review <= done:
        yield Hit(
            pointer=pointer("review"),
            message=f"the next review ({a.review.isoformat()}) is not after the last one ({done.isoformat()})",
            hint="set review to the date the next review is due",
        )


@rule("WS305", title="Agreement ends before it starts")
def end_before_start(ctx: AgreementContext) -> Iterator[Hit]:
    """An agreement's ``end`` date must not be before its ``start`` date."""
    a = ctx.agreement
    if a.end is not None and a.end < a.start:
        yield Hit(
            pointer=pointer("end"),
            message=f"the agreement ends ({a.end.isoformat()}) before it starts ({a.start.isoformat()})",
        )


@rule("WS306", title="Agreement has ended", severity=Severity.WARNING)
def ended(ctx: AgreementContext) -> Iterator[Hit]:
    """The agreement's ``end`` date has passed: no data should flow under it any more."""
    end = ctx.agreement.end
    if end is not None and end < ctx.today:
        yield Hit(
            pointer=pointer("end"),
            message=f"the agreement ended on {end.isoformat()}",
            hint="stop the flows and apply the termination terms, or renew the agreement",
        )


@rule(
    "WS307",
    title="DPIA missing where one is required",
    citation="UK GDPR Article 35(1), (3)(a)-(c) and (4); ICO list of processing likely to result in high risk",
)
def dpia_required(ctx: AgreementContext) -> Iterator[Hit]:
    """An agreement needs a DPIA reference when one is required, and should have one when it is recommended.

    Required (an error): the charter's controls include ``dpia``; decisions
    with legal or similar effects rest on a systematic, automated evaluation of
    people (``automated_decisions``, Article 35(3)(a)); the sharing is large
    scale and includes special category or criminal offence data (Article
    35(3)(b)); it is part of systematic monitoring of a publicly accessible
    area on a large scale (``public_monitoring``, Article 35(3)(c)); or it is
    on the ICO's Article 35(4) list: a flow matches or combines datasets (data
    matching), genetic data is shared, or the data decides people's access to a
    service, product, opportunity or benefit (``access_decisions``) and that
    decision uses special category data or automated evaluation ("denial of
    service"). The ICO excepts genetic data an individual GP or health
    professional processes for direct care; an agreement does not show that, so
    the rule asks for a DPIA. Recommended (a warning): special category data, or
    data about children, shared on a smaller scale: the ICO Data Sharing Code
    advises a DPIA for them. The message names every trigger that applies.
    """
    a = ctx.agreement
    if a.dpia is not None:
        return
    special = any(i.is_special_category for i in a.items)
    criminal = any(i.is_criminal_offence for i in a.items)
    genetic = any(i.is_special_category and i.special_category == "genetic" for i in a.items)
    required: list[str] = []
    if ctx.charter is not None and Control.DPIA in ctx.charter.controls:
        required.append("the charter requires a DPIA")
    if a.automated_decisions:
        required.append("automated evaluation with legal or similar effects (Article 35(3)(a))")
    if a.large_scale and (special or criminal):
        required.append("large-scale special category or criminal offence data")
    if a.public_monitoring:
        required.append("large-scale monitoring of a publicly accessible area (Article 35(3)(c))")
    if any(f.data_matching for f in a.flows):
        required.append("data matching")
    if genetic:
        required.append("genetic data")
    if a.access_decisions and (special or a.automated_decisions):
        required.append(
            "decisions about access to a service that use special category data or automated evaluation"
        )
    recommended: list[str] = []
    if special:
        recommended.append("special category data is shared")
    subjects = ctx.subjects
    if any(
        i.children or any(s in subjects and subjects[s].children for s in i.subjects)
        for i in a.items
    ):
        recommended.append("data about children is shared")
    if required:
        yield Hit(
            pointer=pointer("dpia"),
            message=f"no DPIA is referenced, but one is required: {'; '.join(required + recommended)}",
            hint="carry out a DPIA before sharing and record its reference and completion date",
        )
    elif recommended:
        yield Hit(
            pointer=pointer("dpia"),
            message=f"no DPIA is referenced, and one is recommended: {'; '.join(recommended)}",
            hint="the ICO Data Sharing Code advises a DPIA for this data; record it when done",
            severity=Severity.WARNING,
        )


_CONTROL_FIELDS = (
    (Control.SECURITY, "security"),
    (Control.RIGHTS, "rights"),
    (Control.TRANSPARENCY, "transparency"),
    (Control.BREACH, "breach"),
    (Control.TERMINATION, "termination"),
)


@rule("WS308", title="Control required by the charter is missing", needs_charter=True)
def charter_controls(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Every control the charter requires must be in the agreement, or in the charter's ``defaults`` that the agreement adopts: ``security`` (at least one measure), ``rights``, ``transparency``, ``breach`` and ``termination``.

    Retention and a review date are required of every agreement whatever
    the charter lists, because the law asks for them (storage limitation, and
    an arrangement that is never reviewed drifts from its purpose): WS301 and
    WS302 check them. The ``dpia`` control is checked by WS307, with the data's
    own reasons for one.
    """
    terms = ctx.terms
    for control, name in _CONTROL_FIELDS:
        if control in ctx.charter.controls and getattr(terms, name) is None:
            yield Hit(
                pointer=pointer(name),
                message=f"the charter requires the {control.value} control, and neither the agreement nor the charter's defaults set {name}",
                hint=f"add {name} to the agreement, or to the charter's defaults for every agreement",
            )


@rule("WS309", title="DPIA completed after sharing started", severity=Severity.WARNING)
def dpia_late(ctx: AgreementContext) -> Iterator[Hit]:
    """A DPIA should be completed before the sharing starts, not after."""
    a = ctx.agreement
    if a.dpia is not None and a.dpia.completed > a.start:
        yield Hit(
            pointer=pointer("dpia", "completed"),
            message=f"the DPIA was completed on {a.dpia.completed.isoformat()}, after the agreement started on {a.start.isoformat()}",
            hint="complete the DPIA before any data flows",
        )


@rule(
    "WS310",
    title="Agreement starts before its charter is effective",
    severity=Severity.WARNING,
    needs_charter=True,
)
def before_charter(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """An agreement should not start before the charter it sits under takes effect."""
    start, effective = ctx.agreement.start, ctx.charter.effective
    if start < effective:
        yield Hit(
            pointer=pointer("start"),
            message=f"the agreement starts on {start.isoformat()}, before the charter takes effect on {effective.isoformat()}",
        )


@rule(
    "WS311",
    title="Sensitive data flowing without encryption in transit",
    severity=Severity.WARNING,
    citation="UK GDPR Article 32",
)
def sensitive_encryption(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow of special category or criminal offence data should be encrypted in transit (in the flow's ``security``, or the effective agreement-wide security: the agreement's own, else the charter's defaults)."""
    a = ctx.agreement
    security = ctx.terms.security
    if security is not None and _ENCRYPTION in security.value:
        return
    sensitive_ids = {
        item.id for item in a.items if item.is_special_category or item.is_criminal_offence
    }
    if not sensitive_ids:
        return
    scope = f" (agreement-wide security {security.origin})" if security is not None else ""
    for i, flow in enumerate(a.flows):
        if _ENCRYPTION in flow.security or sensitive_ids.isdisjoint(flow.items):
            continue
        sensitive = [item_id for item_id in flow.items if item_id in sensitive_ids]
        if sensitive:
            yield Hit(
                pointer=pointer("flows", i, "security"),
                message=f"flow {flow.id!r} moves sensitive data ({', '.join(map(repr, sensitive))}) without encryption in transit{scope}",
                hint="add encryption-in-transit to the flow's security measures",
            )


def _view_only_items(ctx: AgreementContext) -> dict[str, str]:
    """Each item whose effective retention is view only, with where that comes from (the item, the agreement or the charter)."""
    default = ctx.terms.retention
    by_default = default is not None and default.value.view_only
    out: dict[str, str] = {}
    for i, item in enumerate(ctx.agreement.items):
        if item.retention is not None:
            if item.retention.view_only:
                out[item.id] = f"set by the item at {pointer('items', i, 'retention')}"
            else:
                out.pop(item.id, None)  # an id declared twice: the last declaration holds
        elif default is not None:
            if by_default:
                out[item.id] = default.origin
            else:
                out.pop(item.id, None)
    return out


@rule("WS314", title="View-only retention for data sent as a copy", severity=Severity.WARNING)
def view_only_copy(ctx: AgreementContext) -> Iterator[Hit]:
    """An item whose retention is ``view_only`` should flow by viewing (a shared system or portal), not as a copy.

    Every way the flow moves counts: its ``method`` and its ``other_methods``.

    View-only retention says the recipient keeps no copy, so the source
    system's schedule applies. A flow by secure email, SFTP or removable
    media leaves the recipient holding a copy, which then needs a retention
    period of its own.
    """
    view_only = _view_only_items(ctx)
    if not view_only:
        return
    for i, flow in enumerate(ctx.agreement.flows):
        if view_only.keys().isdisjoint(flow.items):
            continue
        for k, method in enumerate(flow.methods):
            if method not in _COPY_METHODS:
                continue
            where = (
                pointer("flows", i, "method")
                if k == 0
                else pointer("flows", i, "other_methods", k - 1)
            )
            for item_id in flow.items:
                origin = view_only.get(item_id)
                if origin is not None:
                    yield Hit(
                        pointer=where,
                        message=f"flow {flow.id!r} sends item {item_id!r} by {method}, but its retention is view only ({origin})",
                        hint="share it through a shared system or portal, or give the item a retention period for the copy",
                    )
