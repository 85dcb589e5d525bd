"""The decision log on the register's database: one append-only, hash-linked chain.

Every `DecisionLog.append` runs in one transaction that first locks the one
``log_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; ``BEGIN
IMMEDIATE`` on SQLite already admits one writer at a time), numbers the
records after the head, links each to the one before, inserts them in one
statement and moves the head. Appenders in several processes or on several
hosts therefore extend one chain, in the order the database serialises them
(``docs/adr/0016-decision-log.md``). Reading never takes the lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from woda_sharing._decision_records import DecisionRecord, format_record_time
from woda_sharing._decisions import Policy
from woda_sharing._keyring import Keyring
from woda_sharing._keys import Signer
from woda_sharing._replay import ReplayResult, replay
from woda_sharing.exceptions import NotFoundError, RecordError, RegisterError, UsageError
from woda_sharing.register._logcore import (
    GENESIS,
    Appended,
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    LogEntry,
    LogVerification,
    entry_hash,
    sign_checkpoint,
    verify_checkpoint,
)
from woda_sharing.register._tables import decision_log, log_checkpoints, log_head

__all__ = ["DecisionLog"]

#: Rows read per round trip when streaming the log.
_BATCH: Final = 5000
_HEAD_ID: Final = 1


def _reason(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


class DecisionLog:
    """The decision log of one register database (see `woda_sharing.register.open_log`).

    Every method is safe to call from several threads, processes or hosts at
    once against one database; appends form one chain.
    """

    def __init__(self, engine: Engine) -> None:
        """Use *engine* (the register's); most callers use `Register.log` or `open_log`."""
        self._engine = engine
        self._writer = engine.execution_options(woda_write=True)
        self._postgres = engine.url.get_backend_name() == "postgresql"

    def close(self) -> None:
        """Release the database connections (the register's too, when the log came from one)."""
        self._engine.dispose()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------------

    def append(self, records: Iterable[DecisionRecord]) -> Appended:
        """Append *records* in order, in one transaction, linked after the current head.

        Returns which entries were written. Raises `RecordError` for a record
        without a canonical form (nothing is written) and `RegisterError` when
        the database refuses (nothing is written: a record id already in the
        log, an unreachable database).
        """
        prepared = []
        for r in records:
            if not isinstance(r, DecisionRecord):
                raise UsageError(f"the log takes DecisionRecord values, not {type(r).__name__}")
            body = r.canonical_bytes()
            prepared.append((r, body, "sha256:" + hashlib.sha256(body).hexdigest()))
        if not prepared:
            return Appended(first=0, last=0, head=self.head()[1])
        try:
            with self._writer.begin() as conn:
                size, head = self._lock_head(conn)
                rows = []
                seq = size
                for r, body, digest in prepared:
                    seq += 1
                    new = entry_hash(seq, head, digest)
                    rows.append(
                        {
                            "seq": seq,
                            "record_id": r.id,
                            "time": format_record_time(r.time),
                            "asked_by": r.asked_by,
                            "on_behalf_of": r.on_behalf_of,
                            "permitted": r.permitted,
                            "body": body.decode("utf-8"),
                            "record_digest": digest,
                            "prev_hash": head,
                            "entry_hash": new,
                        }
                    )
                    head = new
                conn.execute(decision_log.insert(), rows)
                conn.execute(
                    log_head.update().where(log_head.c.id == _HEAD_ID).values(size=seq, head=head)
                )
        except DBAPIError as e:
            raise RegisterError(f"the log refused the records: {_reason(e)}") from e
        return Appended(first=size + 1, last=seq, head=head)

    def _lock_head(self, conn: Connection) -> tuple[int, str]:
        query = sa.select(log_head.c.size, log_head.c.head).where(log_head.c.id == _HEAD_ID)
        row = conn.execute(query.with_for_update() if self._postgres else query).one_or_none()
        if row is None:
            raise RegisterError("the log's head row is missing: the log has been tampered with")
        return int(row.size), str(row.head)

    def checkpoint(
        self, signer: Signer, *, organisation: str, at: dt.datetime | None = None
    ) -> Checkpoint:
        """Sign the log's current size and head for *organisation*, store and return the checkpoint."""
        when = dt.datetime.now(dt.UTC) if at is None else at
        log, size, head = self._head_row()
        cp = sign_checkpoint(log, size, head, signer, organisation=organisation, at=when)
        try:
            with self._writer.begin() as conn:
                conn.execute(
                    log_checkpoints.insert().values(
                        size=cp.size,
                        head=cp.head,
                        time=cp.as_dict()["time"],
                        organisation=cp.organisation,
                        protected=cp.protected,
                        signature=cp.signature,
                    )
                )
        except DBAPIError as e:
            raise RegisterError(f"the checkpoint was not stored: {_reason(e)}") from e
        return cp

    # --- reading -------------------------------------------------------------------------

    def _head_row(self) -> tuple[str, int, str]:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(log_head.c.log_id, log_head.c.size, log_head.c.head).where(
                    log_head.c.id == _HEAD_ID
                )
            ).one_or_none()
        if row is None:
            raise RegisterError("the log's head row is missing: the log has been tampered with")
        return str(row.log_id), int(row.size), str(row.head)

    @property
    def id(self) -> str:
        """The log's id (a UUID made when the log's tables were created)."""
        return self._head_row()[0]

    def head(self) -> tuple[int, str]:
        """The log's size and head hash."""
        _, size, head = self._head_row()
        return size, head

    def __len__(self) -> int:
        return self.head()[0]

    def entries(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        first: int = 1,
        last: int | None = None,
    ) -> Iterator[LogEntry]:
        """The entries from sequence *first* to *last*, decided at or after *since* and before *until*."""
        query = sa.select(decision_log)
        if last is not None:
            query = query.where(decision_log.c.seq <= last)
        if since is not None:
            query = query.where(decision_log.c.time >= format_record_time(since))
        if until is not None:
            query = query.where(decision_log.c.time < format_record_time(until))
        # Page by sequence number: no connection or cursor stays open between pages.
        after = first - 1
        while True:
            with self._engine.connect() as conn:
                rows = conn.execute(
                    query.where(decision_log.c.seq > after)
                    .order_by(decision_log.c.seq)
                    .limit(_BATCH)
                ).all()
            for row in rows:
                yield _entry(row)
            if len(rows) < _BATCH:
                return
            after = int(rows[-1].seq)

    def records(
        self, *, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> Iterator[DecisionRecord]:
        """The records decided at or after *since* and before *until*, in log order."""
        for entry in self.entries(since=since, until=until):
            yield entry.record

    def get(self, record_id: str) -> LogEntry:
        """The entry holding record *record_id*; `NotFoundError` when the log has none."""
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(decision_log).where(decision_log.c.record_id == record_id)
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"the log holds no record {record_id!r}")
        return _entry(row)

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint, oldest first."""
        log = self.id
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(log_checkpoints).order_by(log_checkpoints.c.pk)).all()
        return [_checkpoint(log, row) for row in rows]

    def prove(self, record_id: str, checkpoint: Checkpoint | None = None) -> InclusionProof:
        """Prove that the log held record *record_id* at *checkpoint* (default: the latest).

        Raises `NotFoundError` when there is no such record or no checkpoint
        that covers it.
        """
        entry = self.get(record_id)
        if checkpoint is None:
            covering = [c for c in self.checkpoints() if c.size >= entry.seq]
            if not covering:
                raise NotFoundError(
                    f"no checkpoint covers entry {entry.seq}: make one with checkpoint()"
                )
            checkpoint = covering[-1]
        if checkpoint.size < entry.seq:
            raise NotFoundError(
                f"the checkpoint of size {checkpoint.size} ends before entry {entry.seq}"
            )
        with self._engine.connect() as conn:
            later = conn.execute(
                sa.select(decision_log.c.record_digest)
                .where(decision_log.c.seq > entry.seq, decision_log.c.seq <= checkpoint.size)
                .order_by(decision_log.c.seq)
            ).scalars()
            digests = tuple(str(d) for d in later)
        return InclusionProof(
            checkpoint=checkpoint,
            seq=entry.seq,
            record=entry.record,
            previous=entry.prev_hash,
            later=digests,
        )

    def replay(
        self,
        policy: Policy,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        on: dt.date | None = None,
    ) -> ReplayResult:
        """Replay the requests decided at or after *since* and before *until* against *policy*.

        See `woda_sharing.replay` (*on* re-dates every request) and
        `woda_sharing.register.proposed_policy` for the policy a proposed
        amendment or charter version would put in force.
        """
        return replay(self.records(since=since, until=until), policy, on=on)

    def consistency(self, old: Checkpoint, new: Checkpoint | None = None) -> ConsistencyProof:
        """Prove that *new* (default: the latest checkpoint) extends the log *old* signed.

        Raises `NotFoundError` when there is no newer checkpoint or *new* is
        smaller than *old*.
        """
        if new is None:
            stored = self.checkpoints()
            if not stored:
                raise NotFoundError("the log has no checkpoint yet: make one with checkpoint()")
            new = stored[-1]
        if new.size < old.size:
            raise NotFoundError(
                f"the checkpoint of {new.size} entries is older than the one of {old.size}"
            )
        with self._engine.connect() as conn:
            added = conn.execute(
                sa.select(decision_log.c.record_digest)
                .where(decision_log.c.seq > old.size, decision_log.c.seq <= new.size)
                .order_by(decision_log.c.seq)
            ).scalars()
            digests = tuple(str(d) for d in added)
        return ConsistencyProof(old=old, new=new, added=digests)

    # --- verifying -----------------------------------------------------------------------

    def verify(
        self, keyring: Keyring | Mapping[str, Any] | None = None, *, at: dt.datetime | None = None
    ) -> LogVerification:
        """Recompute the whole chain and check it against the head and every checkpoint.

        Finds records deleted, inserted, reordered or edited in the database:
        the result names the first bad entry. With *keyring*, every
        checkpoint's signature is checked too (at *at*, default now).
        """
        ring = (
            None
            if keyring is None
            else (keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring))
        )
        # One snapshot for the head, the checkpoints and the chain (SQLite's read transactions are).
        reader = (
            self._engine.execution_options(isolation_level="REPEATABLE READ")
            if self._postgres
            else self._engine
        )
        with reader.connect() as conn, conn.begin():
            head_row = conn.execute(
                sa.select(log_head.c.log_id, log_head.c.size, log_head.c.head)
            ).all()
            checkpoints = conn.execute(
                sa.select(log_checkpoints).order_by(log_checkpoints.c.pk)
            ).all()
            if len(head_row) != 1:
                return LogVerification(
                    verified=False,
                    log="",
                    size=0,
                    head=GENESIS,
                    checkpoints=0,
                    signatures_checked=ring is not None,
                    problems=("the log's head row is missing or doubled",),
                )
            log, size, head = str(head_row[0].log_id), int(head_row[0].size), str(head_row[0].head)
            wanted = {int(c.size) for c in checkpoints}
            at_size: dict[int, str] = {0: GENESIS} if 0 in wanted else {}
            rows = conn.execution_options(yield_per=_BATCH).execute(
                sa.select(
                    decision_log.c.seq,
                    decision_log.c.record_id,
                    decision_log.c.body,
                    decision_log.c.record_digest,
                    decision_log.c.prev_hash,
                    decision_log.c.entry_hash,
                    decision_log.c.time,
                    decision_log.c.asked_by,
                    decision_log.c.on_behalf_of,
                    decision_log.c.permitted,
                ).order_by(decision_log.c.seq)
            )
            try:
                bad = _walk(rows, wanted, at_size)
            finally:
                rows.close()  # it may stop at the first bad entry, before the last row
            chained, last_hash = bad.count, bad.head
        problems: list[str] = []
        if bad.seq is None and (chained != size or last_hash != head):
            problems.append(
                f"the head says {size} entries ending in {head}, the chain has"
                f" {chained} ending in {last_hash}"
            )
        for row in checkpoints:
            cp = _checkpoint(log, row)
            if cp.size > chained and bad.seq is not None:
                problems.append(
                    f"checkpoint of {cp.size} entries: it covers entry {bad.seq}, which is bad"
                )
            elif cp.size > chained:
                problems.append(
                    f"checkpoint of {cp.size} entries: the log has only {chained}"
                    " (entries were deleted from its end)"
                )
            elif at_size.get(cp.size) != cp.head:
                problems.append(
                    f"checkpoint of {cp.size} entries: the chain's head at {cp.size} differs"
                    " (entries up to it were changed)"
                )
            if ring is not None:
                check = verify_checkpoint(cp, ring, at=at)
                if not check.valid:
                    problems.append(
                        f"checkpoint of {cp.size} entries: {check.status.value}: {check.reason}"
                    )
        return LogVerification(
            verified=bad.seq is None and not problems,
            log=log,
            size=size,
            head=head,
            checkpoints=len(checkpoints),
            signatures_checked=ring is not None,
            first_bad=bad.seq,
            record_id=bad.record_id,
            problem=bad.problem,
            problems=tuple(problems),
        )


class _Walk:
    """Where walking the chain stopped: the first bad entry (if any), the count and head before it."""

    __slots__ = ("count", "head", "problem", "record_id", "seq")

    def __init__(self) -> None:
        self.seq: int | None = None
        self.record_id: str | None = None
        self.problem: str | None = None
        self.count = 0
        self.head = GENESIS


def _walk(rows: Iterable[Any], wanted: set[int], at_size: dict[int, str]) -> _Walk:
    """Recompute the chain over *rows* (by seq); stop at the first bad entry."""
    walk = _Walk()
    expected, head = 1, GENESIS
    sha = hashlib.sha256
    for seq, record_id, body, record_digest, prev_hash, stored_hash, *columns in rows:
        problem, first, named = None, seq, record_id
        if seq != expected:
            problem = (
                f"entry {expected} is missing (the next entry is {seq})"
                if seq > expected
                else f"entry {seq} appears out of order"
            )
            first, named = (expected, None) if seq > expected else (seq, record_id)
        elif prev_hash != head:
            problem = "its link to the entry before does not match (an entry was inserted or moved)"
        elif "sha256:" + sha(body.encode("utf-8")).hexdigest() != record_digest:
            problem = "its record was changed after it was logged"
        elif entry_hash(seq, head, record_digest) != stored_hash:
            problem = "its entry hash does not match its content"
        elif _columns(body) != (record_id, *columns):
            problem = "its columns (id, time, who asked, outcome) do not match its record"
        if problem is not None:
            walk.seq, walk.record_id, walk.problem = first, named, problem
            break
        head = stored_hash
        if seq in wanted:
            at_size[seq] = head
        expected += 1
    walk.count, walk.head = expected - 1, head
    return walk


def _columns(body: str) -> tuple[object, ...] | None:
    """What the query columns of an entry must hold, read from its record."""
    try:
        data = json.loads(body)
        return (
            data["id"],
            data["time"],
            data["asked_by"],
            data["on_behalf_of"],
            bool(data["permitted"]),
        )
    except (ValueError, TypeError, KeyError):
        return None


def _entry(row: Any) -> LogEntry:
    return LogEntry(
        seq=int(row.seq),
        record=_record(row.body),
        record_digest=row.record_digest,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def _record(body: str) -> DecisionRecord:
    try:
        return DecisionRecord.from_dict(json.loads(body))
    except ValueError as e:
        raise RecordError(f"a logged record is not JSON: {e}") from e


def _checkpoint(log: str, row: Any) -> Checkpoint:
    return Checkpoint(
        log=log,
        size=int(row.size),
        head=row.head,
        time=dt.datetime.strptime(row.time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC),
        organisation=row.organisation,
        protected=row.protected,
        signature=row.signature,
    )
