"""Shared records and hubs: declared once, standing for a flow between each contributor and each viewer.

A pooled record or a MASH hub with twelve contributors and twelve viewers is
132 flows. The agreement declares it once (`SharedRecord`); the rules judge the
flows it stands for, and a finding on any of them is reported once, at the
record: ``/flows/…`` on an expanded flow becomes ``/records/<r>/…`` (``from``
is the contributor, ``to`` the viewer), and repeats of one code at one place
are folded into the first, which says how many pairs share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

import attrs

from woda_sharing._findings import Finding
from woda_sharing._model import Agreement, Flow

__all__ = ["MAX_RECORD_FLOWS", "RecordFlow", "expanded_flows", "fold_findings", "record_flows"]

#: The most flows an agreement's records may stand for together: a hub of 100 partners
#: that all contribute and all view. Each costs about as much to judge as a declared flow.
MAX_RECORD_FLOWS: Final = 10_000


@attrs.frozen(kw_only=True)
class RecordFlow:
    """One flow a shared record stands for, with where it comes from: record, contributor and viewer indexes."""

    record: int
    contributor: int
    viewer: int
    flow: Flow


def record_flows(agreement: Agreement) -> list[RecordFlow]:
    """Every flow *agreement*'s shared records stand for, record by record.

    Raise `ValueError` when they would be more than `MAX_RECORD_FLOWS` (the
    expansion is bounded before it is built).
    """
    total = sum(
        len(r.contributors) * len(r.viewers) for r in agreement.records
    )  # an upper bound: pairs of a party with itself are left out below
    if total > MAX_RECORD_FLOWS:
        raise ValueError(
            f"the shared records stand for up to {total} flows, more than {MAX_RECORD_FLOWS}"
        )
    return [
        RecordFlow(record=r, contributor=c, viewer=v, flow=record.flow(c, v))
        for r, record in enumerate(agreement.records)
        for c, v in record.pairs()
    ]


def expanded_flows(agreement: Agreement) -> tuple[Flow, ...]:
    """The agreement's flows, then every flow its shared records stand for (see `record_flows`)."""
    if not agreement.records:
        return agreement.flows
    return agreement.flows + tuple(rf.flow for rf in record_flows(agreement))


def _record_pointer(pointer: str, declared: int, expanded: list[RecordFlow]) -> str | None:
    """Where in its record a pointer into an expanded flow belongs, or ``None`` for any other pointer."""
    if not pointer.startswith("/flows/"):
        return None
    index, _, rest = pointer[len("/flows/") :].partition("/")
    if not index.isdigit() or int(index) < declared:
        return None
    rf = expanded[int(index) - declared]
    head, sep, tail = rest.partition("/")
    if head == "from":
        head = f"contributors/{rf.contributor}"
    elif head == "to":
        head = f"viewers/{rf.viewer}"
    base = f"/records/{rf.record}"
    return f"{base}/{head}{sep}{tail}" if head else base


def fold_findings(
    findings: Iterable[Finding], *, declared: int, expanded: list[RecordFlow]
) -> Iterator[Finding]:
    """Move findings on expanded flows to their record, reporting each code at each place once.

    *declared* is the number of flows the agreement declares itself; flows
    from index *declared* on are *expanded*. Other findings pass unchanged.
    """
    folded: dict[tuple[str, str], tuple[Finding, int]] = {}
    order: list[tuple[str, str] | Finding] = []
    for finding in findings:
        moved = _record_pointer(finding.pointer, declared, expanded)
        if moved is None:
            order.append(finding)
            continue
        key = (finding.code, moved)
        if key in folded:
            first, count = folded[key]
            folded[key] = (first, count + 1)
            continue
        folded[key] = (attrs.evolve(finding, pointer=moved), 1)
        order.append(key)
    for entry in order:
        if isinstance(entry, Finding):
            yield entry
            continue
        first, count = folded[entry]
        if count > 1:
            first = attrs.evolve(
                first, message=f"{first.message} (and {count - 1} more of the record's flows)"
            )
        yield first
