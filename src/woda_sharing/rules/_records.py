"""Rules on shared records and hubs, beyond what the flows they stand for are checked for.

A record is judged through the flows it stands for (every rule on flows runs on
them, and a finding is reported once, at the record). These rules check what
only the record itself says: its host, and whether it stands for any flow.
"""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._findings import pointer
from woda_sharing._records import MAX_RECORD_FLOWS
from woda_sharing.rules import BUILTIN, AgreementContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule


@rule("WS130", title="Shared record that cannot be judged")
def record_judged(ctx: AgreementContext) -> Iterator[Hit]:
    """A shared record must name a declared ``host``, stand for at least one flow, and not too many.

    The record stands for a flow from each contributor to each viewer other
    than itself. A record whose only contributor is its only viewer stands
    for none, so nothing in it would be checked; records standing for more
    than 10,000 flows together are not expanded (and so not judged): a small
    document must not buy unbounded work.
    """
    records = ctx.agreement.records
    total = sum(len(r.contributors) * len(r.viewers) for r in records)
    if total > MAX_RECORD_FLOWS:
        yield Hit(
            pointer=pointer("records"),
            message=f"the shared records stand for up to {total} flows, more than {MAX_RECORD_FLOWS}: they were not judged",
            hint="split the agreement, or name fewer contributors and viewers per record",
        )
    for r, record in enumerate(records):
        if record.host is not None and record.host not in ctx.parties:
            yield Hit(
                pointer=pointer("records", r, "host"),
                message=f"host {record.host!r} of shared record {record.id!r} is not a declared party",
                hint="add it to parties, or correct the id",
            )
        if not record.pairs():
            yield Hit(
                pointer=pointer("records", r),
                message=f"shared record {record.id!r} has no viewer other than its contributor: it stands for no flow",
                hint="name the parties that view the record in viewers",
            )
