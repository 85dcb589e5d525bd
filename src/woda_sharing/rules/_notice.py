"""Rules that warn ahead of a date: a review or an end within the charter's notice period.

They warn before WS303 (review past) fails and before WS306 (ended) fires, so a
scheduled CI job says what is coming while there is still time to act. The
notice period is the charter's ``notice_days`` (default 90 days, see
`woda_sharing._model.notice_days`); the register's ``due`` list uses the same one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from woda_sharing._findings import Severity, pointer
from woda_sharing._model import notice_days
from woda_sharing.rules import BUILTIN, AgreementContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule


def _within(day: dt.date | None, ctx: AgreementContext) -> int | None:
    """Days from today until *day* when *day* is today or later and within the notice period."""
    if day is None:
        return None
    left = (day - ctx.today).days
    return left if 0 <= left <= notice_days(ctx.charter) else None


@rule("WS319", title="Review due within the notice period", severity=Severity.WARNING)
def review_soon(ctx: AgreementContext) -> Iterator[Hit]:
    """The agreement's review date falls within the charter's notice period (``notice_days``, default 90): plan the review now."""
    review = ctx.agreement.review
    left = _within(review, ctx)
    if review is not None and left is not None:
        yield Hit(
            pointer=pointer("review"),
            message=f"the review is due on {review.isoformat()}, in {left} days",
            hint="review the agreement before the date, then set the next review date",
        )


@rule("WS320", title="Agreement ends within the notice period", severity=Severity.WARNING)
def ending_soon(ctx: AgreementContext) -> Iterator[Hit]:
    """The agreement's end date falls within the charter's notice period (``notice_days``, default 90): renew it or plan the end of the flows."""
    end = ctx.agreement.end
    left = _within(end, ctx)
    if end is not None and left is not None:
        yield Hit(
            pointer=pointer("end"),
            message=f"the agreement ends on {end.isoformat()}, in {left} days",
            hint="renew the agreement, or prepare to stop the flows and apply the termination terms",
        )
