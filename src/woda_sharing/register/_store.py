"""The register on a database: SQLite (a file) or PostgreSQL, through SQLAlchemy Core.

One code path for both back ends. Writes run in one transaction per import:
``BEGIN IMMEDIATE`` on SQLite (one writer at a time, readers never blocked
under WAL), row locks and unique constraints on PostgreSQL. Every document
is loaded strictly, validated and verified before the transaction starts;
inside it only the chain heads are read again, so a concurrent writer that
moved a head makes the import start over (up to `RETRIES` times) rather than
write against a stale head. A refused import raises `ImportRefusedError`
and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from attrs import evolve, frozen
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._chain import check_update
from woda_sharing._decisions import Policy
from woda_sharing._diff import Diff, diff
from woda_sharing._findings import Finding, Severity
from woda_sharing._keyring import Keyring
from woda_sharing._legal import Catalogue
from woda_sharing._loading import load_path
from woda_sharing._model import (
    DEFAULT_NOTICE_DAYS,
    Agreement,
    Charter,
    Flow,
    SharedRecord,
    notice_days,
)
from woda_sharing._signing import PreparedCharter, VerificationResult, prepare_charter, verify
from woda_sharing._updates import verify_update
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.exceptions import (
    ChainError,
    ConflictError,
    ImportRefusedError,
    KeyringError,
    LoadError,
    NotFoundError,
    RegisterError,
    UsageError,
)
from woda_sharing.register import _migrate
from woda_sharing.register._core import (
    KINDS,
    Due,
    Entry,
    Imported,
    Outcome,
    Query,
    Refusal,
    State,
)
from woda_sharing.register._export import published

if TYPE_CHECKING:
    from woda_sharing.register._log import DecisionLog
from woda_sharing.register._tables import (
    documents,
    endorsers,
    flow_bases,
    flow_items,
    flow_purposes,
    flows,
    items,
    members,
    parties,
)

__all__ = ["DEFAULT_DATABASE", "RETRIES", "Register"]

#: The database file used when none is named (``WODA_REGISTER`` overrides it).
DEFAULT_DATABASE: Final = "woda-register.sqlite"
#: How many times an import starts over when a concurrent writer moved a head first.
RETRIES: Final = 5
#: Validation codes that judge dates against today: a register keeps lapsed versions too.
_DATED_CODES: Final = frozenset({"WS303", "WS304", "WS306"})
_NO_ENDORSEMENTS: Final = "the document has no endorsements"
_KIND_ORDER: Final = {"keyring": 0, "charter": 1, "agreement": 2}
_STATES: Final = {state.value: state for state in State}
#: Up to this many rows, a query reads their endorsers by key; beyond, by the query again.
_FEW: Final = 50


def database_url(db: str | os.PathLike[str] | None) -> URL:
    """Turn ``--db`` into a SQLAlchemy URL: a SQLite path, or a ``sqlite:`` or ``postgresql:`` URL.

    ``None`` means ``$WODA_REGISTER`` or else `DEFAULT_DATABASE` in the
    current folder. PostgreSQL URLs always use the psycopg 3 driver.
    """
    if db is None:
        db = os.environ.get("WODA_REGISTER") or DEFAULT_DATABASE
    text = os.fspath(db)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text)))
    try:
        url = make_url(text)
    except sa.exc.ArgumentError as e:
        raise UsageError(f"not a database URL: {e}") from e
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        return url.set(drivername="sqlite")
    raise UsageError(
        f"the register runs on a SQLite file or PostgreSQL, not {backend!r} (give a path or a postgresql:// URL)"
    )


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say when transactions begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("woda_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unstamp(text: str) -> dt.datetime:
    # fromisoformat (C) reads the "Z" form `_stamp` writes, about 10x faster than strptime.
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def _body_text(data: Mapping[str, Any]) -> str:
    # ensure_ascii=False keeps text readable; json escapes every control character (NUL too).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


@frozen(kw_only=True)
class _Prepared:
    """One document checked and ready to write: its identity, body, state and index rows."""

    source: str
    kind: str
    id: str
    version: int | None  # None for a keyring: the register numbers keyring versions
    digest: str
    data: Mapping[str, Any]
    document: Charter | Agreement | None
    state: State
    endorsed: tuple[tuple[str, str | None, str | None], ...]  # organisation, role, signed at
    pending: tuple[str, ...]
    notice: int
    sectors: Mapping[str, str]
    verified_at: dt.datetime | None
    expect: _Head | None = None  # the chain's head this document was checked against
    body: str = (
        ""  # the stored text of ``data`` (worked out once, when the import advances the head)
    )


#: Index rows waiting to be written, by table: one executemany per table per import.
_Rows = dict[sa.Table, list[dict[str, Any]]]


class _Retry(Exception):  # noqa: N818 - internal signal, never escapes this module
    """A head moved under us: start the import over."""


class Register:
    """A register of charters, agreements and keyrings on one database.

    Open it with `Register.open` (or `woda_sharing.register.open_register`)
    and close it with `close` or a ``with`` block. Every method is safe to
    call from several processes at once on the same database.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(woda_write=True)
        self.backend: str = engine.url.get_backend_name()

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Register:
        """Open the register at *db* (see `database_url`), creating or upgrading its tables.

        With ``migrate=False`` an empty or outdated database raises
        `RegisterError` instead of being upgraded.
        """
        url = database_url(db)
        engine = _engine(url)
        try:
            if migrate:
                _migrate.upgrade(engine)
            else:
                _migrate.require_current(engine)
        except DBAPIError as e:
            engine.dispose()
            raise RegisterError(f"cannot open the register: {_reason(e)}") from e
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL, with any password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def log(self) -> DecisionLog:
        """The decision log kept in this register's database (`DecisionLog`)."""
        from woda_sharing.register._log import DecisionLog  # noqa: PLC0415 - only when used

        return DecisionLog(self._engine)

    def schema_revision(self) -> str | None:
        """The migration revision the database is at."""
        return _migrate.current_revision(self._engine)

    # --- import --------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        keyring: Keyring | Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
        require_endorsed: bool = False,
    ) -> list[Imported]:
        """Load each file strictly and import them together (see `import_documents`)."""
        loaded: list[tuple[str, Mapping[str, Any]]] = []
        refusals: list[Refusal] = []
        for path in paths:
            try:
                loaded.append((str(path), load_path(path)))
            except LoadError as e:
                finding = Finding(
                    code=e.code or "WS001",
                    severity=Severity.ERROR,
                    pointer=e.pointer,
                    message=e.message,
                )
                refusals.append(Refusal(source=str(path), reason="unreadable", findings=(finding,)))
        if refusals:
            raise _refused(refusals)
        return self.import_documents(
            loaded, keyring=keyring, at=at, require_endorsed=require_endorsed
        )

    def import_documents(
        self,
        given: Iterable[tuple[str, Mapping[str, Any]] | Mapping[str, Any]],
        *,
        keyring: Keyring | Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
        require_endorsed: bool = False,
    ) -> list[Imported]:
        """Import documents (wire mappings, optionally as ``(source, mapping)`` pairs) as one unit.

        Each document is validated (date-dependent findings aside: the
        register keeps lapsed versions), verified against *keyring* (default:
        a keyring of this import, else the register's current keyring) at
        *at* (default: now), and checked against its chain: version 1 starts
        a chain, version n+1 must supersede the head with its exact digest,
        and the head itself again is unchanged or brings new endorsements. A
        rollback, a fork, a gap, an invalid document or an endorsement that
        does not verify refuses the whole import with `ImportRefusedError`
        and nothing is written. A document whose endorsements are valid but
        incomplete is stored as pending, unless *require_endorsed*.
        """
        when = _now() if at is None else at
        if when.tzinfo is None or when.utcoffset() is None:
            raise UsageError("at must be a timezone-aware datetime")
        pairs = [_pair(i, g) for i, g in enumerate(given)]
        if not pairs:
            raise UsageError("nothing to import")
        for attempt in range(RETRIES):
            try:
                return self._import_once(pairs, keyring, when, require_endorsed=require_endorsed)
            except _Retry:
                continue
            except IntegrityError as e:
                # Another writer inserted the same version first; the next pass sees it.
                if attempt == RETRIES - 1:
                    raise ConflictError(f"concurrent writers kept conflicting: {_reason(e)}") from e
            except OperationalError as e:
                if not _transient(e) or attempt == RETRIES - 1:
                    raise RegisterError(f"the database refused the import: {_reason(e)}") from e
        raise ConflictError("concurrent writers kept moving the chain heads; try again")

    def _import_once(
        self,
        pairs: Sequence[tuple[str, Mapping[str, Any]]],
        keyring: Keyring | Mapping[str, Any] | None,
        at: dt.datetime,
        *,
        require_endorsed: bool,
    ) -> list[Imported]:
        ordered = sorted(pairs, key=_order)
        refusals: list[Refusal] = []
        with self._engine.connect() as conn:
            heads = dict(self._heads(conn, ordered))
            ring = self._keyring(conn, ordered, keyring, refusals)
            charters = _BatchCharters(conn, ordered)
            verifier = _Verifier(ring) if ring is not None else None
            prepared = [
                p
                for source, data in ordered
                if (
                    p := _prepare(
                        source,
                        data,
                        verifier=verifier,
                        charters=charters,
                        heads=heads,
                        at=at,
                        require_endorsed=require_endorsed,
                        refusals=refusals,
                    )
                )
                is not None
            ]
            conn.rollback()
        if refusals:
            raise _refused(refusals)
        with self._writer.begin() as conn:
            if self.backend == "postgresql":
                _lock_heads(conn, prepared)
            buffer: _Rows = {}
            stored = _stored_heads(conn, prepared)
            outcomes = [self._write(conn, p, stored, refusals, buffer) for p in prepared]
            for table, rows in buffer.items():
                if rows:
                    conn.execute(sa.insert(table), rows)
            if refusals:
                raise _refused(refusals)  # leaving the block rolls back: nothing is written
        return outcomes

    def _heads(
        self, conn: Connection, ordered: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> dict[tuple[str, str], _Head]:
        keys = {(d.get("kind"), d.get("id")) for _, d in ordered}
        ids = sorted({i for _, i in keys if isinstance(i, str)})
        heads: dict[tuple[str, str], _Head] = {}
        for chunk in _chunks(ids):
            rows = conn.execute(
                sa.select(
                    documents.c.kind,
                    documents.c.doc_id,
                    documents.c.version,
                    documents.c.digest,
                    documents.c.body,
                ).where(documents.c.is_head, documents.c.doc_id.in_(chunk))
            )
            for kind, ident, version, digest, body in rows:
                heads[(kind, ident)] = _Head(version=version, digest=digest, body=body)
        return heads

    def _keyring(
        self,
        conn: Connection,
        ordered: Sequence[tuple[str, Mapping[str, Any]]],
        given: Keyring | Mapping[str, Any] | None,
        refusals: list[Refusal],
    ) -> Keyring | None:
        try:
            if given is not None:
                return given if isinstance(given, Keyring) else Keyring.from_data(given)
            batch = [d for _, d in ordered if d.get("kind") == "keyring"]
            if len(batch) == 1:
                return Keyring.from_data(batch[0])
            if len(batch) > 1:
                refusals.append(
                    Refusal(
                        source="<import>", reason="more than one keyring: import them one by one"
                    )
                )
                return None
            stored = conn.execute(
                sa.select(documents.c.body).where(
                    documents.c.is_head, documents.c.kind == "keyring"
                )
            ).all()
            if len(stored) == 1:
                return Keyring.from_data(json.loads(stored[0][0]))
        except KeyringError as e:
            refusals.append(Refusal(source="<keyring>", reason=f"the keyring is refused: {e}"))
            return None
        if stored:
            refusals.append(
                Refusal(
                    source="<import>",
                    reason="the register holds several keyrings: name the one to verify against",
                )
            )
        return None

    def _write(
        self,
        conn: Connection,
        p: _Prepared,
        stored: dict[tuple[str, str], _StoredHead],
        refusals: list[Refusal],
        buffer: _Rows,
    ) -> Imported:
        key = (p.kind, p.id)
        head = stored.get(key)  # read in this transaction, and moved by this import's writes
        before = p.expect
        if (head is None) != (before is None) or (
            head is not None and before is not None and head.digest != before.digest
        ):
            raise _Retry  # another writer moved this chain since we checked it
        # A keyring has no version of its own: the register numbers it.
        version = p.version or (1 if head is None else head.version + 1)
        if (
            head is not None
            and head.digest == p.digest
            and (p.version is None or version == head.version)
        ):
            outcome = self._same_version(conn, p, head, buffer)
            stored[key] = _StoredHead(head.pk, head.version, head.digest, p.body)
            return outcome
        if head is not None and p.version is not None and version < head.version:
            return self._older_version(conn, p, refusals)
        if head is not None and version != head.version + 1:
            raise _Retry  # a fork or a gap against a head another writer just moved
        pk = conn.execute(
            sa.insert(documents).returning(documents.c.pk),
            {
                "kind": p.kind,
                "doc_id": p.id,
                "version": version,
                "digest": p.digest,
                "is_head": head is None,  # the first version is the head at once
                "title": json.dumps(_title(p.data)),
                "body": p.body or _body_text(p.data),
                "supersedes_digest": head.digest if head is not None else None,
                "charter_id": p.document.charter.id if isinstance(p.document, Agreement) else None,
                "charter_version": p.document.charter.version
                if isinstance(p.document, Agreement)
                else None,
                "start_date": _start(p.document),
                "end_date": p.document.end if isinstance(p.document, Agreement) else None,
                "review_date": p.document.review if p.document is not None else None,
                "notice_days": p.notice,
                "state": p.state.value,
                "imported_at": _stamp(_now()),
                "verified_at": _stamp(p.verified_at) if p.verified_at else None,
            },
        ).scalar_one()
        if head is not None:
            moved = conn.execute(
                sa.update(documents)
                .where(documents.c.pk == head.pk, documents.c.is_head)
                .values(is_head=False)
            ).rowcount
            if moved != 1:
                raise _Retry
            conn.execute(sa.update(documents).where(documents.c.pk == pk).values(is_head=True))
        stored[key] = _StoredHead(pk, version, p.digest, p.body or _body_text(p.data))
        _write_index(buffer, pk, p)
        return Imported(
            source=p.source,
            kind=p.kind,
            id=p.id,
            version=version,
            digest=p.digest,
            outcome=Outcome.ADDED,
            state=p.state,
            pending=p.pending,
        )

    def _same_version(
        self, conn: Connection, p: _Prepared, head: _StoredHead, buffer: _Rows
    ) -> Imported:
        stored = json.loads(head.body)
        outcome = Outcome.UNCHANGED
        if stored.get("endorsements", []) != p.data.get("endorsements", []):
            outcome = Outcome.ENDORSEMENTS_UPDATED
            conn.execute(
                sa.update(documents)
                .where(documents.c.pk == head.pk)
                .values(
                    body=_body_text(p.data),
                    state=p.state.value,
                    verified_at=_stamp(p.verified_at) if p.verified_at else None,
                )
            )
            conn.execute(sa.delete(endorsers).where(endorsers.c.doc == head.pk))
            _write_endorsers(buffer, head.pk, p)
        return Imported(
            source=p.source,
            kind=p.kind,
            id=p.id,
            version=head.version,
            digest=p.digest,
            outcome=outcome,
            state=p.state,
            pending=p.pending,
        )

    def _older_version(self, conn: Connection, p: _Prepared, refusals: list[Refusal]) -> Imported:
        row = conn.execute(
            sa.select(documents.c.digest, documents.c.body, documents.c.state).where(
                documents.c.kind == p.kind,
                documents.c.doc_id == p.id,
                documents.c.version == p.version,
            )
        ).first()
        assert p.version is not None  # noqa: S101 - keyrings never reach here
        if row is None or row.digest != p.digest or json.loads(row.body) != dict(p.data):
            refusals.append(
                Refusal(
                    source=p.source,
                    reason=f"rollback: version {p.version} of {p.kind} {p.id} is older than the register's head"
                    + (
                        ""
                        if row is None or row.digest == p.digest
                        else ", and differs from the stored one (a fork)"
                    ),
                )
            )
        return Imported(
            source=p.source,
            kind=p.kind,
            id=p.id,
            version=p.version,
            digest=p.digest,
            outcome=Outcome.UNCHANGED,
            state=State(row.state) if row is not None else p.state,
        )

    # --- reading -------------------------------------------------------------------------

    def query(self, query: Query | None = None) -> list[Entry]:
        """Return the stored versions that match *query* (default: every current agreement)."""
        q = Query() if query is None else query
        if not isinstance(q, Query):
            raise UsageError(f"query must be a Query, not {type(q).__name__}")
        stmt = _select_entries().where(*_conditions(q))
        if q.limit is not None:
            order = (documents.c.kind, documents.c.doc_id, documents.c.version)
            stmt = stmt.order_by(*order).limit(q.limit)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
            if q.limit is None:
                # Sorted here, not in SQL: an ORDER BY makes SQLite walk every document in
                # index order instead of looking up the few the filters select.
                rows = sorted(rows, key=lambda row: (row.kind, row.doc_id, row.version))
            if q.limit is not None or len(rows) <= _FEW:
                return self._entries(conn, rows)
            # The endorsers of the same documents in one statement, selected again in SQL
            # rather than by a list of keys that SQL must parse (the query's own subqueries).
            docs = sa.select(documents.c.pk).where(*_conditions(q))
            return self._entries(conn, rows, docs=docs)

    def _entries(
        self, conn: Connection, rows: Sequence[Any], *, docs: sa.Select[Any] | None = None
    ) -> list[Entry]:
        by_doc: dict[int, tuple[list[str], list[str]]] = {row.pk: ([], []) for row in rows}
        endorsed = State.ENDORSED.value
        select = sa.select(endorsers.c.doc, endorsers.c.organisation, endorsers.c.state)
        chunks = [docs] if docs is not None else _chunks(list(by_doc))
        for chunk in chunks:
            found = conn.execute(
                select.where(endorsers.c.doc.in_(chunk)).order_by(
                    endorsers.c.doc, endorsers.c.organisation
                )
            ).all()
            for doc, organisation, state in found:
                by_doc[doc][0 if state == endorsed else 1].append(organisation)
        return [_entry(row, *by_doc[row.pk]) for row in rows]

    def entry(self, kind: str, ident: str, version: int | None = None) -> Entry:
        """Return one stored version (default: the head), or raise `NotFoundError`."""
        with self._engine.connect() as conn:
            row = conn.execute(_select_entries().where(*_identity(kind, ident, version))).first()
            if row is None:
                raise NotFoundError(_missing(kind, ident, version))
            return self._entries(conn, [row])[0]

    def body(self, kind: str, ident: str, version: int | None = None) -> dict[str, Any]:
        """Return the wire form of one stored version (default: the head), exactly as imported."""
        with self._engine.connect() as conn:
            text = conn.execute(
                sa.select(documents.c.body).where(*_identity(kind, ident, version))
            ).scalar()
        if text is None:
            raise NotFoundError(_missing(kind, ident, version))
        data: dict[str, Any] = json.loads(text)
        return data

    def history(self, kind: str, ident: str) -> list[Entry]:
        """Return every stored version of one document, oldest first, or raise `NotFoundError`."""
        found = self.query(Query(kind=kind, id=ident, current=False))
        if not found:
            raise NotFoundError(_missing(kind, ident, None))
        return found

    def changes(self, kind: str, ident: str) -> list[Diff]:
        """What each amendment of one document changed: the diff of each version from the one before.

        Empty for a document with one version, and for keyrings (which have no semantic diff).
        """
        if kind == "keyring":
            self.history(kind, ident)  # still a NotFoundError when there is none
            return []
        bodies = [self.body(kind, ident, e.version) for e in self.history(kind, ident)]
        return [diff(old, new) for old, new in itertools.pairwise(bodies)]

    def diff(self, kind: str, ident: str, old: int, new: int | None = None) -> Diff:
        """The semantic diff from version *old* to *new* (default: the current version)."""
        if kind not in ("charter", "agreement"):
            raise UsageError("only charters and agreements have a semantic diff")
        before, after = self.body(kind, ident, old), self.body(kind, ident, new)
        if before.get("version") == after.get("version"):
            raise UsageError("give two different versions")
        return diff(before, after)

    def due(self, today: dt.date, *, within: int | None = None) -> list[Due]:
        """What needs action on *today*: review and end dates within the notice period or past, and pending endorsements.

        The notice period is each document's charter's ``notice_days``
        (default 90), or *within* days for every document when given. Only
        current versions count. Sorted by date (pending endorsements last),
        then kind and id.
        """
        if type(today) is not dt.date:
            raise UsageError("today must be a datetime.date")
        if within is not None and (type(within) is not int or within < 0):
            raise UsageError("within must be a number of days, 0 or more")
        current = (documents.c.is_head, documents.c.kind.in_(("charter", "agreement")))
        with self._engine.connect() as conn:
            # One date bound per notice period in use (a handful), so SQL does the filtering.
            periods = (
                [within]
                if within is not None
                else list(
                    conn.execute(sa.select(documents.c.notice_days).where(*current).distinct())
                    .scalars()
                    .all()
                )
            )
            windows = [
                sa.and_(
                    sa.true() if within is not None else documents.c.notice_days == days,
                    sa.or_(
                        documents.c.review_date <= today + dt.timedelta(days=days),
                        documents.c.end_date <= today + dt.timedelta(days=days),
                    ),
                )
                for days in periods
            ]
            d = documents.c
            stmt = sa.select(
                d.pk,
                d.kind,
                d.doc_id,
                d.version,
                d.title,
                d.state,
                d.end_date,
                d.review_date,
                d.notice_days,
            ).where(*current, sa.or_(d.state == State.PENDING.value, *windows))
            rows = conn.execute(stmt).all()
            # Only who has not endorsed yet is listed: read the pending rows, not every endorser.
            pending: dict[int, list[str]] = {}
            for chunk in _chunks([row.pk for row in rows]):
                for doc, organisation in conn.execute(
                    sa.select(endorsers.c.doc, endorsers.c.organisation)
                    .where(endorsers.c.doc.in_(chunk), endorsers.c.state == State.PENDING.value)
                    .order_by(endorsers.c.doc, endorsers.c.organisation)
                ):
                    pending.setdefault(doc, []).append(organisation)
        out: list[Due] = []
        for row in rows:
            notice = row.notice_days if within is None else within
            title = json.loads(row.title)
            waiting = tuple(pending.get(row.pk, ()))
            for what, day in (("review", row.review_date), ("end", row.end_date)):
                if day is not None and (day - today).days <= notice:
                    out.append(
                        Due(
                            kind=row.kind,
                            id=row.doc_id,
                            version=row.version,
                            title=title,
                            what=what,
                            date=day,
                            days=(day - today).days,
                            notice_days=notice,
                            pending=waiting,
                        )
                    )
            if row.state == State.PENDING.value:
                out.append(
                    Due(
                        kind=row.kind,
                        id=row.doc_id,
                        version=row.version,
                        title=title,
                        what="endorsement",
                        date=None,
                        days=None,
                        notice_days=notice,
                        pending=waiting,
                    )
                )
        return sorted(out, key=lambda d: (d.date is None, d.date or today, d.kind, d.id, d.what))

    def bodies(self, query: Query | None = None) -> Iterator[tuple[Entry, dict[str, Any]]]:
        """Yield each matching entry with its wire form (for exports and policies)."""
        entries = self.query(query)
        with self._engine.connect() as conn:
            for chunk in _chunks(entries):
                keys = {(e.kind, e.id, e.version): e for e in chunk}
                rows = conn.execute(
                    sa.select(
                        documents.c.kind, documents.c.doc_id, documents.c.version, documents.c.body
                    ).where(
                        sa.tuple_(documents.c.kind, documents.c.doc_id, documents.c.version).in_(
                            list(keys)
                        )
                    )
                ).all()
                found = {(k, i, v): json.loads(b) for k, i, v, b in rows}
                for key, entry in keys.items():
                    yield entry, found[key]

    def transparency(self, query: Query | None = None) -> list[dict[str, Any]]:
        """The published record of each matching agreement (default: every current one).

        What is published is chosen by each agreement's charter (its
        ``published_fields``); see `woda_sharing.register.published`.
        """
        q = Query() if query is None else query
        if q.kind != "agreement":
            raise UsageError("the transparency export publishes agreements: query kind 'agreement'")
        fields: dict[tuple[str, int], tuple[str, ...] | None] = {}
        records = []
        for entry, body in self.bodies(q):
            assert entry.charter is not None  # noqa: S101 - every agreement cites its charter
            if entry.charter not in fields:
                charter = self.body("charter", *entry.charter)
                chosen = charter.get("published_fields")
                fields[entry.charter] = tuple(chosen) if isinstance(chosen, list) else None
            records.append(published(entry, body, fields[entry.charter]))
        return records

    def policy(
        self, charter: str, *, version: int | None = None, catalogue: Catalogue | None = None
    ) -> Policy:
        """Compile a decision `Policy` from the register: a charter and its current agreements.

        The charter is its head (or *version*); the agreements are the current
        versions of every agreement citing exactly that version. Endorsement
        is required: an agreement counts as endorsed when it was verified as
        endorsed at import. The documents were validated when imported, so they
        are typed straight from the stored wire form without validating again.
        """
        charter_data = self.body("charter", charter, version)
        charter_doc = codec.structure_schema_valid(charter_data, Charter)
        info = CharterInfo(charter_doc, canonical.digest(charter_data))
        q = Query(charter=charter, current=True)
        agreements: list[Agreement] = []
        endorsed: dict[str, bool] = {}
        digests: dict[str, str] = {}
        for entry, body in self.bodies(q):
            if entry.charter != (charter, charter_doc.version):
                continue
            agreements.append(codec.structure_schema_valid(body, Agreement))
            endorsed[entry.id] = entry.state is State.ENDORSED
            digests[entry.id] = entry.digest
        return Policy.compile(
            info, agreements, endorsed=endorsed, catalogue=catalogue, digests=digests
        )

    def counts(self) -> dict[str, int]:
        """How many documents of each kind the register holds (current versions)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents.c.kind, sa.func.count())
                .where(documents.c.is_head)
                .group_by(documents.c.kind)
            ).all()
        return dict.fromkeys(KINDS, 0) | dict(rows)

    def fingerprint(self) -> str:
        """A short value that changes when a document is added or its endorsements are updated.

        A service polls it to learn, with one cheap query, that it should
        read the register again.
        """
        try:
            with self._engine.connect() as conn:
                row = conn.execute(
                    sa.select(
                        sa.func.count(),
                        sa.func.max(documents.c.pk),
                        sa.func.sum(sa.func.length(documents.c.body)),
                        sa.func.max(documents.c.verified_at),
                        sa.func.count(documents.c.verified_at),
                    )
                ).one()
        except DBAPIError as e:
            raise RegisterError(f"cannot read the register: {_reason(e)}") from e
        return ":".join("" if value is None else str(value) for value in row)


@frozen
class _StoredHead:
    """A chain's head row as the write transaction sees it."""

    pk: int
    version: int
    digest: str
    body: str


def _stored_heads(
    conn: Connection, prepared: Sequence[_Prepared]
) -> dict[tuple[str, str], _StoredHead]:
    """The head rows of the chains *prepared* may move, read in the write transaction (one query per 500 ids)."""
    wanted = {(p.kind, p.id) for p in prepared}
    ids = sorted({ident for _, ident in wanted})
    found: dict[tuple[str, str], _StoredHead] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            sa.select(
                documents.c.kind,
                documents.c.doc_id,
                documents.c.pk,
                documents.c.version,
                documents.c.digest,
                documents.c.body,
            ).where(documents.c.is_head, documents.c.doc_id.in_(chunk))
        )
        for kind, ident, pk, version, digest, body in rows:
            if (kind, ident) in wanted:
                found[(kind, ident)] = _StoredHead(pk, version, digest, body)
    return found


@frozen(kw_only=True)
class _Head:
    version: int
    digest: str
    body: str


class _BatchCharters:
    """Charters an agreement of this import may cite: those in the import, then those stored."""

    def __init__(self, conn: Connection, ordered: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        self._conn = conn
        self._batch = {
            (d.get("id"), d.get("version")): d for _, d in ordered if d.get("kind") == "charter"
        }
        self._infos: dict[tuple[str, int], tuple[Mapping[str, Any], CharterInfo] | None] = {}
        self._documents = {(d.get("kind"), d.get("id"), d.get("version")): d for _, d in ordered}

    def stored(self, kind: str, ident: str, version: int) -> Mapping[str, Any] | None:
        """The document *kind* *ident* at *version*: from this import, else from the register."""
        given = self._documents.get((kind, ident, version))
        if given is not None:
            return given
        text = self._conn.execute(
            sa.select(documents.c.body).where(
                documents.c.kind == kind,
                documents.c.doc_id == ident,
                documents.c.version == version,
            )
        ).scalar()
        return json.loads(text) if text is not None else None

    def get(self, ident: str, version: int) -> tuple[Mapping[str, Any], CharterInfo] | None:
        key = (ident, version)
        if key not in self._infos:
            data = self._batch.get(key)
            if data is None:
                text = self._conn.execute(
                    sa.select(documents.c.body).where(
                        documents.c.kind == "charter",
                        documents.c.doc_id == ident,
                        documents.c.version == version,
                    )
                ).scalar()
                data = json.loads(text) if text is not None else None
            info = None
            if data is not None:
                report = validate(data)
                if report.ok and isinstance(report.document, Charter):
                    info = CharterInfo.from_report(report)
            self._infos[key] = (data, info) if data is not None and info is not None else None
        return self._infos[key]


def _pair(index: int, given: object) -> tuple[str, Mapping[str, Any]]:
    if isinstance(given, tuple) and len(given) == 2 and isinstance(given[1], Mapping):
        return str(given[0]), given[1]
    if isinstance(given, Mapping):
        return f"<document {index}>", given
    raise UsageError("import mappings, or (source, mapping) pairs")


def _order(pair: tuple[str, Mapping[str, Any]]) -> tuple[int, str, int]:
    data = pair[1]
    kind, ident, version = data.get("kind"), data.get("id"), data.get("version")
    return (
        _KIND_ORDER.get(kind, 3) if isinstance(kind, str) else 3,
        ident if isinstance(ident, str) else "",
        version if type(version) is int else 0,
    )


def _blocking(report: Any) -> list[Finding]:
    return [f for f in report.errors if f.code not in _DATED_CODES]


def _prepare(
    source: str,
    data: Mapping[str, Any],
    *,
    verifier: _Verifier | None,
    charters: _BatchCharters,
    heads: dict[tuple[str, str], _Head],
    at: dt.datetime,
    require_endorsed: bool,
    refusals: list[Refusal],
) -> _Prepared | None:
    """Check one document against the chain heads as this import leaves them, advancing them."""
    prepared = _check(
        source,
        data,
        verifier=verifier,
        charters=charters,
        heads=heads,
        at=at,
        require_endorsed=require_endorsed,
        refusals=refusals,
    )
    if prepared is None:
        return None
    key = (prepared.kind, prepared.id)
    head = heads.get(key)
    body = _body_text(prepared.data)
    if head is None or (
        head.digest != prepared.digest
        and (prepared.version is None or prepared.version == head.version + 1)
    ):
        heads[key] = _Head(
            version=prepared.version or (head.version + 1 if head else 1),
            digest=prepared.digest,
            body=body,
        )
    return evolve(prepared, expect=head, body=body)


def _check(  # noqa: PLR0911 - one refusal per return reads best
    source: str,
    data: Mapping[str, Any],
    *,
    verifier: _Verifier | None,
    charters: _BatchCharters,
    heads: Mapping[tuple[str, str], _Head],
    at: dt.datetime,
    require_endorsed: bool,
    refusals: list[Refusal],
) -> _Prepared | None:
    kind = data.get("kind")
    if kind not in KINDS:
        refusals.append(
            Refusal(source=source, reason=f"not a document the register stores: kind {kind!r}")
        )
        return None
    charter: tuple[Mapping[str, Any], CharterInfo] | None = None
    ref = data.get("charter")
    if kind == "agreement" and isinstance(ref, Mapping):
        cid, cversion = ref.get("id"), ref.get("version")
        if isinstance(cid, str) and type(cversion) is int:
            charter = charters.get(cid, cversion)
        if charter is None:
            refusals.append(
                Refusal(
                    source=source,
                    reason=f"the charter it cites ({cid!r} version {cversion!r}) is neither in the register nor in this import",
                )
            )
            return None
    report = validate(data, charter=charter[1] if charter else None, today=at.date(), source=source)
    blocking = _blocking(report)
    if blocking:
        refusals.append(
            Refusal(source=source, reason="the document is not valid", findings=tuple(blocking))
        )
        return None
    ident = str(data["id"])
    if kind == "keyring":
        digest = canonical.digest(data)
        try:
            Keyring.from_data(data)
        except KeyringError as e:
            refusals.append(Refusal(source=source, reason=f"the keyring is refused: {e}"))
            return None
        return _Prepared(
            source=source,
            kind=kind,
            id=ident,
            version=None,
            digest=digest,
            data=data,
            document=None,
            state=State.NOT_APPLICABLE,
            endorsed=(),
            pending=(),
            notice=DEFAULT_NOTICE_DAYS,
            sectors={},
            verified_at=None,
        )
    document = report.document
    assert isinstance(document, (Charter, Agreement))  # noqa: S101 - a valid report has a document
    head = heads.get((kind, ident))
    problem = _chain_problem(data, head)
    if problem is not None:
        refusals.append(Refusal(source=source, reason=problem))
        return None
    if verifier is None:
        refusals.append(
            Refusal(source=source, reason="no keyring to verify against: import one, or give one")
        )
        return None
    trusted = (
        json.loads(head.body) if head is not None and head.version + 1 == document.version else None
    )
    result = verifier(trusted, data, charter=charter[0] if charter else None, at=at)
    reason = _verification_refusal(result, require_endorsed=require_endorsed)
    if reason is None and result.verified and document.version > 1:
        reason = _amendment_refusal(
            data,
            document,
            head=head,
            charters=charters,
            verifier=verifier,
            charter=charter[0] if charter else None,
            at=at,
        )
    if reason is not None:
        refusals.append(Refusal(source=source, reason=reason))
        return None
    digest = result.digest or canonical.digest(data)  # verification has computed it once
    charter_doc = charter[1].charter if charter else document
    assert isinstance(charter_doc, Charter)  # noqa: S101 - the charter of an agreement, or itself
    roles = {s.organisation: (s.role, s.signed_at) for s in result.endorsements if s.valid}
    return _Prepared(
        source=source,
        kind=kind,
        id=ident,
        version=document.version,
        digest=digest,
        data=data,
        document=document,
        state=State.ENDORSED if result.verified else State.PENDING,
        endorsed=tuple(
            (org, roles.get(org, (None, None))[0], _stamp_or_none(roles.get(org, (None, None))[1]))
            for org in result.endorsed
        ),
        pending=result.pending,
        notice=notice_days(charter_doc),
        sectors={m.id: m.sector.value for m in charter_doc.members},
        verified_at=at,
    )


def _stamp_or_none(when: dt.datetime | None) -> str | None:
    return _stamp(when) if when is not None else None


def _chain_problem(data: Mapping[str, Any], head: _Head | None) -> str | None:  # noqa: PLR0911 - one reason per return
    """Why *data* cannot follow *head* in its chain, or ``None`` (the write re-checks the head)."""
    version = data["version"]
    what = f"{data['kind']} {data['id']}"
    if head is None:
        if version != 1:
            return f"gap: the register holds no version of {what}, and a chain starts at version 1 (import the earlier versions first)"
        return None
    if version == head.version and canonical.digest(data) != head.digest:
        return f"fork: version {version} of {what} is in the register with another digest"
    if version <= head.version:
        return None  # the same version again, or an older one: decided against the stored rows
    if version > head.version + 1:
        return f"gap: the register's head of {what} is version {head.version}; version {version} cannot follow it"
    try:
        check_update(json.loads(head.body), data)
    except ChainError as e:
        return f"broken chain: {e}"
    return None


class _Verifier:
    """Verifies the documents of one import against one keyring, reading each charter once.

    `verify` given a charter's wire form types and digests it on every call; an
    import of many agreements under one charter prepares it once here
    (`prepare_charter`), as ``endorsed_by_keyring`` does for its batch.
    """

    def __init__(self, ring: Keyring) -> None:
        self._ring = ring
        self._charters: dict[tuple[object, object], PreparedCharter] = {}

    @property
    def ring(self) -> Keyring:
        """The keyring this import verifies against."""
        return self._ring

    def __call__(
        self,
        trusted: Mapping[str, Any] | None,
        candidate: Mapping[str, Any],
        *,
        charter: Mapping[str, Any] | None,
        at: dt.datetime,
    ) -> VerificationResult:
        """Verify *candidate*; for an amendment of *trusted*, the one place to switch to ``verify_update``.

        The chain link itself (`check_update`) is checked before this is called.
        """
        del trusted  # the TUF-style rule (old and new endorsement rules) arrives with verify_update
        if charter is None:
            return verify(candidate, self._ring, at=at)
        key = (charter.get("id"), charter.get("version"))
        given = self._charters.get(key)
        if given is None:
            given = self._charters[key] = prepare_charter(charter)
        return verify(candidate, self._ring, charter=given, at=at)


def _amendment_refusal(
    data: Mapping[str, Any],
    document: Charter | Agreement,
    *,
    head: _Head | None,
    charters: _BatchCharters,
    verifier: _Verifier,
    charter: Mapping[str, Any] | None,
    at: dt.datetime,
) -> str | None:
    """Why a fully endorsed amendment may not come into force: it lacks the consent of the version it amends.

    TUF's root-rotation rule (`woda_sharing.verify_update`): the version before
    it (the head, or the stored version before a head being re-imported with
    more endorsements) must accept the amendment's endorsements too. Fails
    closed: a version before that the register does not hold refuses.
    """
    previous: Mapping[str, Any] | None = None
    if head is not None and head.version + 1 == document.version:
        previous = json.loads(head.body)
    else:
        previous = charters.stored(document.kind, document.id, document.version - 1)
    if previous is None:
        return (
            f"the register holds no version {document.version - 1} to judge the amendment against"
        )
    pool = [c for c in (charter,) if c is not None]
    cited = previous.get("charter")
    if isinstance(cited, Mapping):
        older = charters.get(str(cited.get("id")), cited.get("version"))  # type: ignore[arg-type]
        if older is not None:
            pool.append(older[0])
    update = verify_update(previous, data, verifier.ring, at=at, charter=charter, charters=pool)
    if update:
        return None
    failed = update.failed.value if update.failed else "unknown"
    return (
        f"the amendment lacks the consent version {document.version - 1} requires ({failed}): "
        + "; ".join(update.problems)
    )


def _verification_refusal(result: VerificationResult, *, require_endorsed: bool) -> str | None:
    bad = [s for s in result.endorsements if not s.valid]
    if bad:
        return "endorsements do not verify: " + "; ".join(
            f"endorsement {s.index} ({s.organisation or '?'}): {s.status.value}: {s.reason}"
            for s in bad
        )
    problems = [p for p in result.problems if p != _NO_ENDORSEMENTS]
    if problems:
        return "cannot verify: " + "; ".join(problems)
    if require_endorsed and not result.verified:
        return f"not fully endorsed: pending {', '.join(result.pending) or 'the endorsement rule'}"
    return None


def _title(data: Mapping[str, Any]) -> str:
    title = data.get("title")
    return title if isinstance(title, str) else str(data.get("id"))


def _start(document: Charter | Agreement | None) -> dt.date | None:
    if isinstance(document, Agreement):
        return document.start
    if isinstance(document, Charter):
        return document.effective
    return None


def _write_endorsers(buffer: _Rows, pk: int, p: _Prepared) -> None:
    rows = buffer.setdefault(endorsers, [])
    rows += [
        {
            "doc": pk,
            "organisation": org,
            "state": State.ENDORSED.value,
            "role": role,
            "signed_at": at,
        }
        for org, role, at in p.endorsed
    ]
    rows += [
        {
            "doc": pk,
            "organisation": org,
            "state": State.PENDING.value,
            "role": None,
            "signed_at": None,
        }
        for org in p.pending
    ]


def _write_index(buffer: _Rows, pk: int, p: _Prepared) -> None:
    """Add the index rows of one stored version to *buffer* (written with one statement per table)."""
    _write_endorsers(buffer, pk, p)
    document = p.document
    if isinstance(document, Charter):
        buffer.setdefault(members, []).extend(
            {"doc": pk, "member_id": m.id, "sector": m.sector.value} for m in document.members
        )
        return
    if not isinstance(document, Agreement):
        return
    by_party = {x.id: x for x in document.parties}
    buffer.setdefault(parties, []).extend(
        {
            "doc": pk,
            "party_id": x.id,
            "organisation": x.organisation,
            "capacity": x.capacity,
            "role": x.role.value,
            "sector": p.sectors.get(x.organisation),
        }
        for x in document.parties
    )
    buffer.setdefault(items, []).extend(
        {
            "doc": pk,
            "item_id": i.id,
            "category": category.value,
            "special_category": i.special_category,
        }
        for i in document.items
        for category in i.categories
    )
    flow_rows = buffer.setdefault(flows, [])
    item_rows = buffer.setdefault(flow_items, [])
    purpose_rows = buffer.setdefault(flow_purposes, [])
    basis_rows = buffer.setdefault(flow_bases, [])
    # A shared record is indexed as one flow per contributor and viewer (so queries by sender
    # and recipient find it), with its items, purposes and bases once, under the join key
    # "-<index>": a leading hyphen is never in a declared id, so it cannot meet a flow's.
    entries: list[tuple[str, Flow | SharedRecord, list[tuple[str, str]]]] = [
        (f.id, f, [(f.source, f.recipient)]) for f in document.flows
    ]
    entries += [
        (f"-{n}", r, [(r.contributors[c], r.viewers[v]) for c, v in r.pairs()])
        for n, r in enumerate(document.records)
    ]
    for key, f, ends in entries:
        for source, recipient in ends:
            src, dst = by_party[source], by_party[recipient]
            flow_rows.append(
                {
                    "doc": pk,
                    "flow_id": key,
                    "source": src.organisation,
                    "source_capacity": src.capacity,
                    "source_sector": p.sectors.get(src.organisation),
                    "recipient": dst.organisation,
                    "recipient_capacity": dst.capacity,
                    "recipient_sector": p.sectors.get(dst.organisation),
                }
            )
        item_rows += [{"doc": pk, "flow_id": key, "item_id": i} for i in dict.fromkeys(f.items)]
        purpose_rows += [
            {"doc": pk, "flow_id": key, "purpose_id": x} for x in dict.fromkeys(f.purposes)
        ]
        cited = (*f.bases, f.capacity_basis) if f.capacity_basis else f.bases
        basis_rows += [{"doc": pk, "flow_id": key, "basis_id": b} for b in dict.fromkeys(cited)]


def _lock_heads(conn: Connection, prepared: Sequence[_Prepared]) -> None:
    """On PostgreSQL, lock the head rows this import may move, in a fixed order (no deadlock)."""
    keys = sorted({(p.kind, p.id) for p in prepared})
    for kind, ident in keys:
        conn.execute(
            sa.select(documents.c.pk)
            .where(documents.c.is_head, documents.c.kind == kind, documents.c.doc_id == ident)
            .with_for_update()
        )


def _select_entries() -> sa.Select[Any]:
    return sa.select(
        documents.c.pk,
        documents.c.kind,
        documents.c.doc_id,
        documents.c.version,
        documents.c.digest,
        documents.c.title,
        documents.c.is_head,
        documents.c.state,
        documents.c.imported_at,
        documents.c.start_date,
        documents.c.end_date,
        documents.c.review_date,
        documents.c.charter_id,
        documents.c.charter_version,
        documents.c.notice_days,
    )


def _entry(row: Any, endorsed: list[str], pending: list[str]) -> Entry:
    return Entry(
        kind=row.kind,
        id=row.doc_id,
        version=row.version,
        digest=row.digest,
        title=json.loads(row.title),
        current=bool(row.is_head),
        state=_STATES[row.state],
        imported_at=_unstamp(row.imported_at),
        start=row.start_date,
        end=row.end_date,
        review=row.review_date,
        charter=(row.charter_id, row.charter_version) if row.charter_id is not None else None,
        endorsed=tuple(endorsed),
        pending=tuple(pending),
    )


def _identity(kind: str, ident: str, version: int | None) -> list[sa.ColumnElement[bool]]:
    if kind not in KINDS:
        raise UsageError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    Query(kind=kind, id=ident)  # checks the identifier before it reaches SQL
    where = [documents.c.kind == kind, documents.c.doc_id == ident]
    if version is None:
        where.append(documents.c.is_head)
    elif type(version) is not int or version < 1:
        raise UsageError("a version is a positive integer")
    else:
        where.append(documents.c.version == version)
    return where


def _missing(kind: str, ident: str, version: int | None) -> str:
    return f"the register holds no {kind} {ident}" + (f" version {version}" if version else "")


def _conditions(q: Query) -> list[sa.ColumnElement[bool]]:
    d = documents.c
    where: list[sa.ColumnElement[bool]] = []
    if q.current:
        where.append(d.is_head)
    if q.kind is not None:
        where.append(d.kind == q.kind)
    if q.id is not None:
        where.append(d.doc_id == q.id)
    if q.charter is not None:
        where.append(
            sa.or_(d.charter_id == q.charter, sa.and_(d.kind == "charter", d.doc_id == q.charter))
        )
    if q.state is not None:
        where.append(d.state == q.state.value)
    if q.review_before is not None:
        where.append(d.review_date <= q.review_before)
    if q.review_after is not None:
        where.append(d.review_date >= q.review_after)
    if q.organisation is not None:
        where.append(
            d.pk.in_(sa.select(parties.c.doc).where(parties.c.organisation == q.organisation))
        )
    if q.sector is not None:
        where.append(d.pk.in_(sa.select(parties.c.doc).where(parties.c.sector == q.sector)))
    if q.category is not None:
        where.append(d.pk.in_(sa.select(items.c.doc).where(items.c.category == q.category)))
    if q.flow_filters:
        where.append(d.pk.in_(_flow_docs(q)))
    return where


def _flow_docs(q: Query) -> sa.Select[Any]:
    f = flows.c
    stmt = sa.select(f.doc).select_from(flows)
    for name, column in (
        ("source", f.source),
        ("recipient", f.recipient),
        ("source_sector", f.source_sector),
        ("recipient_sector", f.recipient_sector),
    ):
        value = getattr(q, name)
        if value is not None:
            stmt = stmt.where(column == value)
    # Joins, not EXISTS per flow: the planner may then start from the item, purpose or basis
    # index (a few hundred rows) instead of testing every flow of the register.
    for value, table, column in (
        (q.item, flow_items, flow_items.c.item_id),
        (q.purpose, flow_purposes, flow_purposes.c.purpose_id),
        (q.basis, flow_bases, flow_bases.c.basis_id),
    ):
        if value is not None:
            stmt = stmt.join(
                table,
                sa.and_(table.c.doc == f.doc, table.c.flow_id == f.flow_id, column == value),
            )
    return stmt


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _refused(refusals: Sequence[Refusal]) -> ImportRefusedError:
    first = refusals[0]
    more = f" (and {len(refusals) - 1} more)" if len(refusals) > 1 else ""
    return ImportRefusedError(
        f"import refused, nothing was written: {first.source}: {first.reason}{more}",
        refusals=tuple(refusals),
    )


def _reason(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)


def _transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(
        word in text for word in ("locked", "busy", "could not serialize", "deadlock detected")
    )
