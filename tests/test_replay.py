"""What-if replay without a database: records decided again under another policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from woda_sharing import OutcomeChange, Policy, Request, record, replay
from woda_sharing._conditions import Obligation
from woda_sharing._decisions import Decision
from woda_sharing.exceptions import RecordError, UsageError
from woda_sharing.register import Checkpoint, ConsistencyProof, InclusionProof
from woda_sharing.testing import example_agreement, example_charter

AT = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
PERMIT = Request("district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.compile(example_charter(), [example_agreement()])


def _narrowed() -> Policy:
    agreement = example_agreement()
    agreement["flows"][0]["items"] = ["address"]
    return Policy.compile(example_charter(), [agreement])


def test_each_kind_of_change(policy: Policy) -> None:
    refused = PERMIT._replace(recipient="police")
    recs = [
        record(policy.decide(PERMIT), PERMIT, asked_by="s", on_behalf_of="p", at=AT),
        record(policy.decide(refused), refused, asked_by="s", on_behalf_of="p", at=AT),
    ]
    same = replay(recs, policy)
    assert same
    assert same.as_dict()["changed"] == 0
    narrowed = replay(recs, _narrowed())
    assert [c.change for c in narrowed.changed] == [OutcomeChange.NEWLY_REFUSED]
    assert narrowed.as_dict()["changes"][0]["would_be"]["codes"] == ["DR002"]
    # Refused before, for another reason now: reasons changed.
    wrong_purpose = PERMIT._replace(purpose="crime-prevention")
    old = record(
        _narrowed().decide(wrong_purpose), wrong_purpose, asked_by="s", on_behalf_of="p", at=AT
    )
    assert replay([old], policy).changed[0].change in {
        OutcomeChange.REASONS_CHANGED,
        OutcomeChange.NEWLY_PERMITTED,
    }
    newly = replay([narrowed.changed[0].record], policy)  # logged permitted; refused under narrowed
    assert newly
    back = record(_narrowed().decide(PERMIT), PERMIT, asked_by="s", on_behalf_of="p", at=AT)
    assert replay([back], policy).changed[0].change is OutcomeChange.NEWLY_PERMITTED
    late = replay(recs, policy, on=dt.date(2030, 1, 1))  # past the agreement's review date
    assert late.count(OutcomeChange.NEWLY_REFUSED) == 1
    assert late.changed[0].decision.codes == ("DR005",)
    lapsed = PERMIT._replace(on=dt.date(2030, 1, 1))
    kept = record(policy.decide(lapsed), lapsed, asked_by="s", on_behalf_of="p", at=AT)
    early = replay([kept], policy, on=dt.date(2020, 1, 1))  # before the agreement's start
    assert early.count(OutcomeChange.REASONS_CHANGED) == 1


def test_duties_changed(policy: Policy) -> None:
    duty = Obligation(action="delete-after-use", party="county-council", agreement="a", flow="f")
    rec = record(
        Decision(permitted=True, flows=policy.decide(PERMIT).flows, obligations=(duty,)),
        PERMIT,
        asked_by="s",
        on_behalf_of="p",
        at=AT,
    )
    assert replay([rec], policy).changed[0].change is OutcomeChange.DUTIES_CHANGED


def test_bad_arguments(policy: Policy) -> None:
    with pytest.raises(UsageError, match="Policy"):
        replay([], "policy")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="DecisionRecord"):
        replay([PERMIT], policy)  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("cls", "data", "message"),
    [
        pytest.param(Checkpoint, [], "exactly the members", id="checkpoint-not-object"),
        pytest.param(
            Checkpoint,
            {
                "kind": "log-checkpoint",
                "format": 2,
                "log": "",
                "size": 0,
                "head": "",
                "time": "",
                "organisation": "",
                "protected": "",
                "signature": "",
            },
            "format 1",
            id="checkpoint-format",
        ),
        pytest.param(
            Checkpoint,
            {
                "kind": "log-checkpoint",
                "format": 1,
                "log": "",
                "size": -1,
                "head": "",
                "time": "",
                "organisation": "",
                "protected": "",
                "signature": "",
            },
            "non-negative",
            id="checkpoint-size",
        ),
        pytest.param(
            Checkpoint,
            {
                "kind": "log-checkpoint",
                "format": 1,
                "log": 1,
                "size": 0,
                "head": "",
                "time": "",
                "organisation": "",
                "protected": "",
                "signature": "",
            },
            "log is a string",
            id="checkpoint-log",
        ),
        pytest.param(
            Checkpoint,
            {
                "kind": "log-checkpoint",
                "format": 1,
                "log": "",
                "size": 0,
                "head": "",
                "time": "today",
                "organisation": "",
                "protected": "",
                "signature": "",
            },
            "time",
            id="checkpoint-time",
        ),
        pytest.param(InclusionProof, {}, "exactly the members", id="proof-empty"),
        pytest.param(
            InclusionProof,
            {
                "kind": "x",
                "format": 1,
                "checkpoint": {},
                "seq": 1,
                "record": {},
                "previous": "",
                "later": [],
            },
            "kind",
            id="proof-kind",
        ),
        pytest.param(
            InclusionProof,
            {
                "kind": "log-inclusion-proof",
                "format": 1,
                "checkpoint": {},
                "seq": 1,
                "record": {},
                "previous": "",
                "later": [1],
            },
            "later",
            id="proof-later",
        ),
        pytest.param(
            InclusionProof,
            {
                "kind": "log-inclusion-proof",
                "format": 1,
                "checkpoint": {},
                "seq": "1",
                "record": {},
                "previous": "",
                "later": [],
            },
            "seq",
            id="proof-seq",
        ),
        pytest.param(
            ConsistencyProof, {"kind": "x"}, "exactly the members", id="consistency-empty"
        ),
        pytest.param(
            ConsistencyProof,
            {"kind": "x", "format": 1, "old": {}, "new": {}, "added": []},
            "kind",
            id="consistency-kind",
        ),
        pytest.param(
            ConsistencyProof,
            {"kind": "log-consistency-proof", "format": 1, "old": {}, "new": {}, "added": "x"},
            "added",
            id="consistency-added",
        ),
    ],
)
def test_malformed_log_documents_are_refused(cls: Any, data: object, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        cls.from_dict(data)
