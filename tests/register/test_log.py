"""The decision log on both back ends: appends, checkpoints, proofs, tampering, concurrency, replay."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from tests.register import _docs
from tests.register._docs import AT
from woda_sharing import DecisionRecord, Policy, Request, record
from woda_sharing.exceptions import NotFoundError, PolicyError, RegisterError, UsageError
from woda_sharing.register import (
    GENESIS,
    ConsistencyProof,
    DecisionLog,
    InclusionProof,
    Register,
    _migrate,
    entry_hash,
    open_log,
    open_register,
    proposed_policy,
    verify_consistency,
    verify_inclusion,
)
from woda_sharing.register._store import database_url

ORG = "county-council"
ASK = Request("district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1))
LATER = AT + dt.timedelta(days=1)


@pytest.fixture
def reg(db: str) -> Iterator[Register]:
    with open_register(db) as register:
        charter = _docs.charter()
        register.import_documents([_docs.keyring(), charter, _docs.agreement(charter)], at=AT)
        yield register


def records(policy: Policy, n: int, *, start: dt.datetime = AT) -> list[DecisionRecord]:
    out = []
    for i in range(n):
        request = ASK._replace(items=(("name", "address", "nhs-number")[i % 3],))
        out.append(
            record(
                policy.decide(request),
                request,
                asked_by="case-system",
                on_behalf_of="district-council",
                policy=policy,
                at=start + dt.timedelta(minutes=i),
            )
        )
    return out


@pytest.fixture
def filled(reg: Register) -> tuple[Register, list[DecisionRecord]]:
    recs = records(reg.policy("test-charter"), 10)
    reg.log.append(recs[:4])
    reg.log.append(recs[4:])
    return reg, recs


def _sql(reg: Register, statement: str, **params: Any) -> None:
    engine = sa.create_engine(
        database_url(reg.url if "postgresql" in reg.url else reg._engine.url.database)
    )
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    finally:
        engine.dispose()


def _ring() -> dict[str, Any]:
    return _docs.keyring()


def test_append_links_each_entry_to_the_one_before(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, recs = filled
    log = reg.log
    assert len(log) == 10
    entries = list(log.entries())
    assert [e.seq for e in entries] == list(range(1, 11))
    assert [e.record for e in entries] == recs
    previous = GENESIS
    for e in entries:
        assert e.prev_hash == previous
        assert e.entry_hash == entry_hash(e.seq, previous, e.record.digest)
        previous = e.entry_hash
    assert log.head() == (10, previous)
    result = log.verify()
    assert result, result
    assert result.size == 10
    assert result.first_bad is None
    assert not result.signatures_checked
    assert result.as_dict()["verified"] is True


def test_append_nothing_writes_nothing(reg: Register) -> None:
    done = reg.log.append([])
    assert done.count == 0
    assert done.head == GENESIS
    assert len(reg.log) == 0
    assert reg.log.verify()


def test_entries_by_time_and_records_by_id(filled: tuple[Register, list[DecisionRecord]]) -> None:
    reg, recs = filled
    log = reg.log
    window = list(
        log.records(since=AT + dt.timedelta(minutes=2), until=AT + dt.timedelta(minutes=5))
    )
    assert window == recs[2:5]
    assert log.get(recs[7].id).seq == 8
    with pytest.raises(NotFoundError, match="no record"):
        log.get("nothing")
    assert [e.seq for e in log.entries(first=3, last=4)] == [3, 4]


def test_a_batch_is_one_transaction(filled: tuple[Register, list[DecisionRecord]]) -> None:
    reg, recs = filled
    fresh = records(reg.policy("test-charter"), 3, start=AT + dt.timedelta(hours=1))
    with pytest.raises(RegisterError, match="refused the records"):
        reg.log.append([*fresh, recs[0]])  # a record id already logged
    assert len(reg.log) == 10
    assert reg.log.verify()
    with pytest.raises(UsageError, match="DecisionRecord"):
        reg.log.append([recs[0].as_dict()])  # type: ignore[list-item]


def test_checkpoints_are_signed_and_prove_what_the_log_held(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, recs = filled
    log = reg.log
    first = log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    more = records(reg.policy("test-charter"), 3, start=AT + dt.timedelta(hours=1))
    log.append(more)
    second = log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    assert (first.size, second.size) == (10, 13)
    assert log.checkpoints() == [first, second]
    result = log.verify(_ring(), at=LATER)
    assert result, result
    assert result.checkpoints == 2
    assert result.signatures_checked
    proof = log.prove(recs[2].id)
    assert proof.checkpoint == second
    assert len(proof.later) == 10
    assert verify_inclusion(proof, _ring(), at=LATER)
    early = log.prove(recs[2].id, first)
    assert verify_inclusion(InclusionProof.from_dict(early.as_dict()), _ring(), at=LATER)
    with pytest.raises(NotFoundError, match="ends before"):
        log.prove(more[0].id, first)


def test_a_proof_that_does_not_hold_is_refused(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, recs = filled
    log = reg.log
    log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    proof = log.prove(recs[3].id)
    other = DecisionRecord.from_dict({**recs[3].as_dict(), "permitted": not recs[3].permitted})
    cases = {
        "edited record": InclusionProof(**{**_fields(proof), "record": other}),
        "short": InclusionProof(**{**_fields(proof), "later": proof.later[1:]}),
        "moved": InclusionProof(
            **{**_fields(proof), "seq": proof.seq + 1, "later": proof.later[1:]}
        ),
    }
    for name, bad in cases.items():
        result = verify_inclusion(bad, _ring(), at=LATER)
        assert not result, name
    assert "does not reach" in verify_inclusion(cases["edited record"], _ring(), at=LATER).reason
    assert "size" in verify_inclusion(cases["short"], _ring(), at=LATER).reason
    stranger = _docs.keyring(("police",))
    assert "signature" in verify_inclusion(proof, stranger, at=LATER).reason
    with pytest.raises(UsageError):
        verify_inclusion(proof.as_dict(), _ring())  # type: ignore[arg-type]


def _fields(proof: InclusionProof) -> dict[str, Any]:
    return {
        "checkpoint": proof.checkpoint,
        "seq": proof.seq,
        "record": proof.record,
        "previous": proof.previous,
        "later": proof.later,
    }


def test_no_checkpoint_no_proof(filled: tuple[Register, list[DecisionRecord]]) -> None:
    reg, recs = filled
    with pytest.raises(NotFoundError, match="no checkpoint covers"):
        reg.log.prove(recs[0].id)


# --- tampering, directly in the database ---------------------------------------------------------


def _delete(reg: Register) -> None:
    _sql(reg, "DELETE FROM decision_log WHERE seq = 5")


def _insert(reg: Register) -> None:
    # Make room after entry 4 and put a copy of entry 2 there under a new id.
    _sql(reg, "UPDATE decision_log SET seq = seq + 1000 WHERE seq > 4")
    _sql(reg, "UPDATE decision_log SET seq = seq - 999 WHERE seq > 1000")
    _sql(
        reg,
        "INSERT INTO decision_log (seq, record_id, time, asked_by, on_behalf_of, permitted, body,"
        " record_digest, prev_hash, entry_hash) SELECT 5, 'inserted', time, asked_by,"
        " on_behalf_of, permitted, body, record_digest, prev_hash, entry_hash"
        " FROM decision_log WHERE seq = 2",
    )


def _reorder(reg: Register) -> None:
    _sql(reg, "UPDATE decision_log SET seq = -5 WHERE seq = 5")
    _sql(reg, "UPDATE decision_log SET seq = 5 WHERE seq = 6")
    _sql(reg, "UPDATE decision_log SET seq = 6 WHERE seq = -5")


def _edit(reg: Register) -> None:
    _sql(
        reg,
        "UPDATE decision_log SET body = REPLACE(body, 'case-system', 'case-systen') WHERE seq = 5",
    )


def _edit_record_id(reg: Register) -> None:
    _sql(reg, "UPDATE decision_log SET record_id = 'renamed' WHERE seq = 5")


def _edit_time(reg: Register) -> None:
    # Moving an entry out of a period would hide it from a replay of that period.
    _sql(reg, "UPDATE decision_log SET time = '1999-01-01T00:00:00.000000Z' WHERE seq = 5")


def _edit_outcome(reg: Register) -> None:
    _sql(reg, "UPDATE decision_log SET permitted = NOT permitted WHERE seq = 5")


@pytest.mark.parametrize(
    ("tamper", "first_bad", "problem"),
    [
        pytest.param(_delete, 5, "entry 5 is missing", id="delete"),
        pytest.param(_insert, 5, "link to the entry before", id="insert"),
        pytest.param(_reorder, 5, "link to the entry before", id="reorder"),
        pytest.param(_edit, 5, "record was changed", id="edit"),
        pytest.param(_edit_record_id, 5, "columns", id="edit-id-column"),
        pytest.param(_edit_time, 5, "columns", id="edit-time-column"),
        pytest.param(_edit_outcome, 5, "columns", id="edit-outcome-column"),
    ],
)
def test_tampering_names_the_first_bad_entry(
    filled: tuple[Register, list[DecisionRecord]],
    tamper: Callable[[Register], None],
    first_bad: int,
    problem: str,
) -> None:
    reg, _recs = filled
    reg.log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    tamper(reg)
    result = reg.log.verify(_ring(), at=LATER)
    assert not result
    assert result.first_bad == first_bad, result
    assert result.problem is not None
    assert problem in result.problem
    assert any("covers entry" in p for p in result.problems)


def test_a_rewritten_chain_is_caught_by_the_checkpoint(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    """An insider who edits a record and recomputes every later hash and the head."""
    reg, _ = filled
    log = reg.log
    log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    # The request's purpose is in the record only, not in a query column.
    _sql(
        reg,
        'UPDATE decision_log SET body = REPLACE(body, \'"purpose":"early-help"\','
        ' \'"purpose":"safeguarding"\') WHERE seq = 5',
    )
    engine = sa.create_engine(database_url(_url(reg)))
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT seq, body FROM decision_log ORDER BY seq")).all()
        head = GENESIS
        for seq, body in rows:
            digest = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
            new = entry_hash(seq, head, digest)
            conn.execute(
                sa.text(
                    "UPDATE decision_log SET record_digest = :d, prev_hash = :p, entry_hash = :h"
                    " WHERE seq = :s"
                ),
                {"d": digest, "p": head, "h": new, "s": seq},
            )
            head = new
        conn.execute(sa.text("UPDATE log_head SET head = :h"), {"h": head})
    engine.dispose()
    result = log.verify(_ring(), at=LATER)
    assert not result
    assert result.first_bad is None  # the chain itself is consistent again...
    assert "the chain's head at 10 differs" in result.problems[0]  # ...but not with what was signed


def test_deleting_the_newest_entries_is_caught_by_the_checkpoint(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, _ = filled
    log = reg.log
    log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    kept = next(log.entries(first=8, last=8))
    _sql(reg, "DELETE FROM decision_log WHERE seq > 8")
    _sql(reg, "UPDATE log_head SET size = 8, head = :h", h=kept.entry_hash)
    result = log.verify(at=LATER)
    assert not result
    assert result.first_bad is None
    assert "the log has only 8" in result.problems[0]
    # Without moving the head back, the head disagrees with the chain.
    _sql(reg, "UPDATE log_head SET size = 10")
    assert "the head says 10 entries" in log.verify().problems[0]


def test_a_forged_checkpoint_is_caught_with_the_keyring(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, _ = filled
    log = reg.log
    log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    _sql(reg, "UPDATE log_checkpoints SET organisation = 'police'")
    assert log.verify(at=LATER)  # the chain matches; signatures not checked
    result = log.verify(_ring(), at=LATER)
    assert not result
    assert "document-changed" in result.problems[0]


def test_a_missing_head_row_is_reported(filled: tuple[Register, list[DecisionRecord]]) -> None:
    reg, _recs = filled
    _sql(reg, "DELETE FROM log_head")
    result = reg.log.verify()
    assert not result
    assert "head row" in result.problems[0]
    with pytest.raises(RegisterError, match="head row"):
        reg.log.append(records(reg.policy("test-charter"), 1, start=LATER))
    with pytest.raises(RegisterError, match="head row"):
        reg.log.head()


def _url(reg: Register) -> str:
    url = reg._engine.url
    return (
        url.render_as_string(hide_password=False)
        if url.get_backend_name() == "postgresql"
        else str(url.database)
    )


# --- several processes appending at once -----------------------------------------------------------

_APPENDER = """
import datetime as dt, os, sys, time
from woda_sharing import Request, record
from woda_sharing.register import open_register
db, name, go = sys.argv[1], sys.argv[2], sys.argv[3]
while not os.path.exists(go):
    time.sleep(0.005)
with open_register(db) as reg:
    policy = reg.policy("test-charter")
    ask = Request("district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1))
    for batch in range(15):
        recs = [
            record(policy.decide(ask), ask, asked_by=name, on_behalf_of="district-council",
                   policy=policy, record_id=f"{name}-{batch}-{i}")
            for i in range(7)
        ]
        reg.log.append(recs)
"""


def test_several_processes_append_to_one_chain(reg: Register, tmp_path: Path) -> None:
    go = tmp_path / "go"
    url = _url(reg)
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _APPENDER, url, f"writer{n}", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")},
        )
        for n in range(4)
    ]
    time.sleep(1.0)
    go.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
    log = reg.log
    result = log.verify()
    assert result, result
    assert result.size == 4 * 15 * 7
    # Each batch is contiguous: appends never interleave within a batch.
    ids = [e.record.id for e in log.entries()]
    for start in range(0, len(ids), 7):
        assert len({i.rsplit("-", 1)[0] for i in ids[start : start + 7]}) == 1


# --- migration --------------------------------------------------------------------------------------


def test_the_log_tables_come_and_go_with_migration_0002(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, _ = filled
    engine = reg._engine
    _migrate.downgrade(engine, "0001")
    assert _migrate.current_revision(engine) == "0001"
    assert not {"decision_log", "log_head", "log_checkpoints"} & set(
        sa.inspect(engine).get_table_names()
    )
    assert reg.counts()["charter"] == 1  # the register itself is untouched
    _migrate.upgrade(engine)
    assert _migrate.current_revision(engine) == "0002"
    assert len(reg.log) == 0
    assert reg.log.verify()


def test_open_log(db: str) -> None:
    with open_log(db) as log:
        assert isinstance(log, DecisionLog)
        assert len(log.id) == 36
        assert log.head() == (0, GENESIS)


# --- what-if replay -----------------------------------------------------------------------------------


def test_replay_lists_what_an_amendment_would_change(reg: Register) -> None:
    policy = reg.policy("test-charter")
    recs = records(policy, 6)
    reg.log.append(recs)
    agreement = reg.body("agreement", "test-agreement")

    def narrow(a: dict[str, Any]) -> None:
        a["flows"][0]["items"] = ["name"]

    amended = _docs.amend(agreement, narrow)
    unchanged = reg.log.replay(policy)
    assert unchanged
    assert unchanged.replayed == 6
    result = reg.log.replay(proposed_policy(reg, "test-charter", [amended]))
    assert not result
    changed = {c.record.id for c in result.changed}
    assert changed == {r.id for r in recs if r.permitted and r.request.items != ("name",)}
    assert {c.change.value for c in result.changed} == {"newly-refused"}
    period = reg.log.replay(
        proposed_policy(reg, "test-charter", [amended]),
        since=AT,
        until=AT + dt.timedelta(minutes=1),
    )
    assert period.replayed == 1
    assert period  # the first request asks for the name, which stays permitted
    late = reg.log.replay(policy, on=dt.date(2030, 1, 1))  # after the review date
    assert late.count(late.changed[0].change) == len(late.changed)


def test_replay_against_a_new_charter_version(reg: Register) -> None:
    policy = reg.policy("test-charter")
    reg.log.append(records(policy, 3))
    charter = reg.body("charter", "test-charter")

    def retitle(c: dict[str, Any]) -> None:
        c["title"] = "Test charter, second version"

    new = _docs.amend(charter, retitle)
    result = reg.log.replay(proposed_policy(reg, "test-charter", [new]))
    assert result.replayed == 3
    assert result  # the agreements, re-pointed at the new version, answer as before


def test_proposals_that_do_not_fit_are_refused(reg: Register) -> None:
    charter = reg.body("charter", "test-charter")
    with pytest.raises(PolicyError, match="not 'test-charter'"):
        proposed_policy(reg, "test-charter", [{**charter, "id": "other-charter"}])
    with pytest.raises(PolicyError, match="not valid"):
        proposed_policy(reg, "test-charter", [{**charter, "members": []}])
    with pytest.raises(PolicyError, match="at most one charter"):
        proposed_policy(reg, "test-charter", [charter, charter])
    with pytest.raises(UsageError, match="mappings"):
        proposed_policy(reg, "test-charter", ["charter.json"])  # type: ignore[list-item]


def test_a_newer_checkpoint_is_proved_to_extend_an_older_one(
    filled: tuple[Register, list[DecisionRecord]],
) -> None:
    reg, _ = filled
    log = reg.log
    old = log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    log.append(records(reg.policy("test-charter"), 4, start=AT + dt.timedelta(hours=1)))
    new = log.checkpoint(_docs.signer(ORG), organisation=ORG, at=AT)
    proof = log.consistency(old)
    assert proof.new == new
    assert len(proof.added) == 4
    assert verify_consistency(ConsistencyProof.from_dict(proof.as_dict()), _ring(), at=LATER)
    assert verify_consistency(log.consistency(old, old), _ring(), at=LATER)
    with pytest.raises(NotFoundError, match="older"):
        log.consistency(new, old)
    # A log rewritten under the old checkpoint cannot be proved to extend it.
    rewritten = ConsistencyProof(old=old, new=new, added=(proof.added[0], *proof.added[:3]))
    result = verify_consistency(rewritten, _ring(), at=LATER)
    assert not result
    assert "was rewritten" in result.reason
    assert (
        "do not make"
        in verify_consistency(
            ConsistencyProof(old=old, new=new, added=proof.added[1:]), _ring(), at=LATER
        ).reason
    )
    other_log = attrs.evolve(old, log="another-log")
    assert (
        "signature"
        in verify_consistency(
            ConsistencyProof(old=other_log, new=new, added=proof.added), _ring(), at=LATER
        ).reason
    )
    with pytest.raises(UsageError):
        verify_consistency(proof.as_dict(), _ring())  # type: ignore[arg-type]


def test_no_checkpoint_no_consistency(reg: Register) -> None:
    from woda_sharing.register._logcore import sign_checkpoint

    old = sign_checkpoint("x", 0, GENESIS, _docs.signer(ORG), organisation=ORG, at=AT)
    with pytest.raises(NotFoundError, match="no checkpoint yet"):
        reg.log.consistency(old)
