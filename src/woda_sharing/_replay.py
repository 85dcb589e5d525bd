"""What-if replay: ask a proposed policy the questions that were really asked, and list what changes.

`replay` takes logged `DecisionRecord` values (from `DecisionLog.records` for
a period, or any iterable) and a `Policy` compiled from a proposed amendment
or a new charter version, decides every logged request again, and lists each
record whose outcome would differ: permitted or refused, the reason codes,
the items refused, or the duties returned.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from attrs import frozen

from woda_sharing._decision_records import DecisionRecord
from woda_sharing._decisions import Decision, Policy
from woda_sharing.exceptions import UsageError

__all__ = ["ChangedOutcome", "OutcomeChange", "ReplayResult", "replay"]


class OutcomeChange(enum.Enum):
    """How a replayed outcome differs from the logged one."""

    NEWLY_REFUSED = "newly-refused"
    NEWLY_PERMITTED = "newly-permitted"
    REASONS_CHANGED = "reasons-changed"
    DUTIES_CHANGED = "duties-changed"


@frozen(kw_only=True)
class ChangedOutcome:
    """One logged decision that the proposed policy would decide differently."""

    record: DecisionRecord
    change: OutcomeChange
    decision: Decision

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing log replay --format json``."""
        r = self.record
        return {
            "record": r.id,
            "time": r.as_dict()["time"],
            "asked_by": r.asked_by,
            "on_behalf_of": r.on_behalf_of,
            "request": r.as_dict()["request"],
            "change": self.change.value,
            "was": {"permitted": r.permitted, "codes": list(r.codes)},
            "would_be": {"permitted": self.decision.permitted, "codes": list(self.decision.codes)},
        }


@frozen(kw_only=True)
class ReplayResult:
    """Every replayed record that would change, and how many were replayed; truthy when none changes."""

    replayed: int
    changed: tuple[ChangedOutcome, ...]

    def __bool__(self) -> bool:
        return not self.changed

    def count(self, change: OutcomeChange) -> int:
        """How many outcomes changed in this way."""
        return sum(1 for c in self.changed if c.change is change)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing log replay --format json``."""
        return {
            "replayed": self.replayed,
            "changed": len(self.changed),
            "counts": {k.value: self.count(k) for k in OutcomeChange},
            "changes": [c.as_dict() for c in self.changed],
        }


def _duties(decision: Decision) -> list[Any]:
    return [o.as_dict() for o in decision.obligations]


def _change(record: DecisionRecord, decision: Decision) -> OutcomeChange | None:
    if record.permitted and not decision.permitted:
        return OutcomeChange.NEWLY_REFUSED
    if decision.permitted and not record.permitted:
        return OutcomeChange.NEWLY_PERMITTED
    if record.codes != decision.codes or record.refused_items != decision.refused_items:
        return OutcomeChange.REASONS_CHANGED
    if [dict(d) for d in record.duties] != _duties(decision):
        return OutcomeChange.DUTIES_CHANGED
    return None


def replay(
    records: Iterable[DecisionRecord], policy: Policy, *, on: dt.date | None = None
) -> ReplayResult:
    """Decide every record's request again under *policy* and list the outcomes that change.

    *on* re-dates every request (for instance to the day a proposed
    amendment would start); without it each request keeps its own date.
    """
    if not isinstance(policy, Policy):
        raise UsageError(f"a policy is a Policy, not {type(policy).__name__}")
    batch = list(records)
    if not all(isinstance(r, DecisionRecord) for r in batch):
        raise UsageError("replay takes DecisionRecord values")
    requests = [r.request if on is None else r.request._replace(on=on) for r in batch]
    decisions = policy.decide_many(requests)
    changed = []
    for record, decision in zip(batch, decisions, strict=True):
        change = _change(record, decision)
        if change is not None:
            changed.append(ChangedOutcome(record=record, change=change, decision=decision))
    return ReplayResult(replayed=len(batch), changed=tuple(changed))
