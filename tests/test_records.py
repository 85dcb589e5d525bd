"""Decision records: made from a decision, their wire form, canonical bytes and strict reading."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from woda_sharing import DecisionRecord, Policy, Request, record
from woda_sharing._canonical import digest, signed_bytes
from woda_sharing._conditions import Obligation
from woda_sharing._decisions import Decision
from woda_sharing.exceptions import RecordError, UsageError
from woda_sharing.testing import example_agreement, example_charter

AT = dt.datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
PERMIT = Request("district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1))
REFUSE = Request("county-council", "police", ("name",), "early-help", dt.date(2024, 6, 1))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.compile(example_charter(), [example_agreement()])


def make(policy: Policy, request: Request = PERMIT, **kw: Any) -> DecisionRecord:
    return record(
        policy.decide(request),
        request,
        asked_by="case-system",
        on_behalf_of="district-council",
        policy=policy,
        at=AT,
        **kw,
    )


def test_a_permitted_decision_is_recorded_with_flows_bases_and_digests(policy: Policy) -> None:
    r = make(policy)
    assert r.permitted
    assert bool(r)
    assert r.time == AT
    assert r.asked_by == "case-system"
    assert r.on_behalf_of == "district-council"
    assert [str(f) for f in r.flows] == ["test-agreement#referral"]
    assert r.bases == ("uk-gdpr-art-6-1-e",)
    assert [(d.kind, d.id, d.digest) for d in r.documents] == [
        ("charter", "test-charter", digest(example_charter())),
        ("agreement", "test-agreement", digest(example_agreement())),
    ]
    assert r.as_dict()["time"] == "2024-06-01T12:00:00.123456Z"
    assert r.canonical_bytes() == signed_bytes(r.as_dict())
    assert r.digest == digest(r.as_dict())


def test_a_refusal_keeps_every_reason(policy: Policy) -> None:
    r = make(policy, REFUSE)
    assert not r.permitted
    assert r.codes == policy.decide(REFUSE).codes
    assert r.codes
    assert r.refused_items == ("name",)
    assert r.as_dict()["reasons"][0]["code"] == r.codes[0]


def test_the_wire_form_reads_back_equal(policy: Policy) -> None:
    for request in (PERMIT, REFUSE, PERMIT._replace(sender_capacity="x")):
        r = make(policy, request)
        back = DecisionRecord.from_dict(r.as_dict())
        assert back == r
        assert back.canonical_bytes() == r.canonical_bytes()


def test_ids_are_unique_and_the_time_defaults_to_now(policy: Policy) -> None:
    a = record(policy.decide(PERMIT), PERMIT, asked_by="s", on_behalf_of="p")
    b = record(policy.decide(PERMIT), PERMIT, asked_by="s", on_behalf_of="p")
    assert a.id != b.id
    assert a.time.tzinfo is dt.UTC
    assert abs(dt.datetime.now(dt.UTC) - a.time) < dt.timedelta(minutes=1)
    assert a.documents == ()  # no policy given: no documents named
    assert make(policy, record_id="fixed").id == "fixed"


def test_duties_are_recorded_in_their_json_form(policy: Policy) -> None:
    duty = Obligation(action="delete-after-use", party="county-council", agreement="a", flow="f")
    decision = Decision(permitted=True, obligations=(duty,))
    r = record(decision, PERMIT, asked_by="s", on_behalf_of="p", at=AT)
    assert r.as_dict()["duties"] == [
        {"action": "delete-after-use", "party": "county-council", "agreement": "a", "flow": "f"}
    ]
    assert DecisionRecord.from_dict(r.as_dict()).duties == r.duties


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"asked_by": ""}, "asked_by", id="empty-caller"),
        pytest.param({"asked_by": "a\nb"}, "asked_by", id="control-character"),
        pytest.param({"on_behalf_of": "x" * 201}, "on_behalf_of", id="too-long"),
        pytest.param({"at": dt.datetime(2024, 6, 1)}, "timezone-aware", id="naive-time"),
        pytest.param({"at": "2024-06-01"}, "timezone-aware", id="time-as-text"),
        pytest.param({"record_id": ""}, "record_id", id="empty-id"),
    ],
)
def test_bad_arguments_are_usage_errors(
    policy: Policy, kwargs: dict[str, Any], message: str
) -> None:
    base: dict[str, Any] = {"asked_by": "s", "on_behalf_of": "p", "at": AT}
    with pytest.raises(UsageError, match=message):
        record(policy.decide(PERMIT), PERMIT, **{**base, **kwargs})


def test_only_decisions_and_requests_are_recorded(policy: Policy) -> None:
    with pytest.raises(UsageError, match="Decision"):
        record("yes", PERMIT, asked_by="s", on_behalf_of="p")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="Request"):
        record(policy.decide(PERMIT), tuple(PERMIT), asked_by="s", on_behalf_of="p")  # type: ignore[arg-type]


def _drop(name: str) -> Any:
    return lambda d: d.pop(name)


def _set(path: tuple[str | int, ...], value: object) -> Any:
    def change(d: dict[str, Any]) -> None:
        node: Any = d
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(_set(("kind",), "decision"), "kind", id="wrong-kind"),
        pytest.param(_set(("format",), 2), "format", id="unknown-format"),
        pytest.param(_set(("format",), True), "format", id="format-as-boolean"),
        pytest.param(_drop("reasons"), "lacks reasons", id="member-missing"),
        pytest.param(_set(("extra",), 1), "does not define: extra", id="member-unknown"),
        pytest.param(_set(("permitted",), "yes"), "permitted", id="outcome-as-text"),
        pytest.param(_set(("time",), "2024-06-01T12:00:00Z"), "record time", id="time-no-micros"),
        pytest.param(_set(("time",), "2024-02-30T12:00:00.000000Z"), "real time", id="no-such-day"),
        pytest.param(_set(("request", "on"), "2024-6-1"), "request/on", id="bad-date"),
        pytest.param(_set(("request", "on"), 20240601), "request/on", id="date-as-number"),
        pytest.param(_set(("request", "extra"), 1), "does not define: extra", id="request-extra"),
        pytest.param(lambda d: d["request"].pop("purpose"), "lacks a member", id="request-short"),
        pytest.param(_set(("request", "sender"), 1), "request/sender", id="sender-number"),
        pytest.param(_set(("request", "items"), [1]), "request/items", id="items-numbers"),
        pytest.param(_set(("reasons",), {}), "reasons is an array", id="reasons-object"),
        pytest.param(_set(("flows",), [{"agreement": "a"}]), "flows/flow", id="flow-short"),
        pytest.param(_set(("bases",), "x"), "bases is an array", id="bases-text"),
        pytest.param(_set(("documents", 0, "version"), "1"), "version", id="version-text"),
        pytest.param(_set(("documents", 0, "digest"), 1), "digest", id="digest-number"),
        pytest.param(_set(("id",), None), "id is a string", id="id-null"),
    ],
)
def test_a_malformed_record_is_refused(policy: Policy, change: Any, message: str) -> None:
    data = copy.deepcopy(make(policy).as_dict())
    change(data)
    with pytest.raises(RecordError, match=message):
        DecisionRecord.from_dict(data)


def test_something_else_is_not_a_record() -> None:
    with pytest.raises(RecordError, match="JSON object"):
        DecisionRecord.from_dict([])


def test_a_record_without_a_canonical_form_is_refused(policy: Policy) -> None:
    r = record(
        policy.decide(PERMIT),
        PERMIT._replace(purpose="\ud800"),
        asked_by="s",
        on_behalf_of="p",
        at=AT,
    )
    with pytest.raises(RecordError, match="no canonical form"):
        r.canonical_bytes()


_ID = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@given(
    sender=_ID,
    recipient=_ID,
    items=st.lists(_ID, max_size=4).map(tuple),
    purpose=_ID,
    on=st.dates(),
    caller=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
        str.isprintable
    ),
    micros=st.integers(0, 999_999),
)
def test_every_record_reads_back_with_the_same_bytes(  # noqa: PLR0917 - hypothesis passes each strategy
    sender: str,
    recipient: str,
    items: tuple[str, ...],
    purpose: str,
    on: dt.date,
    caller: str,
    micros: int,
) -> None:
    policy = Policy.compile(example_charter(), [example_agreement()])
    request = Request(sender, recipient, items, purpose, on)
    r = record(
        policy.decide(request),
        request,
        asked_by=caller,
        on_behalf_of=caller,
        policy=policy,
        at=AT.replace(microsecond=micros),
    )
    back = DecisionRecord.from_dict(r.as_dict())
    assert back == r
    assert back.canonical_bytes() == r.canonical_bytes()
    # The C encoder's plain path writes exactly what the checked RFC 8785 path writes.
    assert r.canonical_bytes() == signed_bytes(r.as_dict())


def test_duties_and_unusual_values_take_the_checked_path(policy: Policy) -> None:
    odd = record(
        policy.decide(PERMIT),
        PERMIT._replace(purpose="\ue000\U0001f600 early help"),
        asked_by="s",
        on_behalf_of="p",
        at=AT,
    )
    assert odd.canonical_bytes() == signed_bytes(odd.as_dict())

    duty = Obligation(action="\U0001f600", party="\ue000", agreement="a", flow="f")
    dutiful = record(
        Decision(permitted=True, obligations=(duty,)),
        PERMIT,
        asked_by="s",
        on_behalf_of="p",
        at=AT,
    )
    assert dutiful.canonical_bytes() == signed_bytes(dutiful.as_dict())
    # UTF-16 order, as RFC 8785 sorts: U+1F600 (a surrogate pair, D83D) before U+E000.
    assert dutiful.canonical_bytes().index("\U0001f600".encode()) < dutiful.canonical_bytes().index(
        "\ue000".encode()
    )


def test_a_forked_process_draws_new_ids() -> None:
    import os

    from woda_sharing._decision_records import _new_id

    mine = _new_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, _new_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    theirs = os.read(read, 100).decode()
    os.close(read)
    os.close(write)
    assert mine.split("-")[0] != theirs.split("-")[0]
    assert len(theirs) == len(mine) == 33
