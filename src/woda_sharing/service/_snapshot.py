"""What the service serves: a compiled policy read from the register, and the documents in force.

`load_snapshot` reads the register and builds a `Snapshot`, a frozen value
the service swaps in whole, so a request is answered by one snapshot from
start to end. Every served document is verified again against the
register's keyring when it is loaded, whatever the register recorded at
import: a version whose endorsements fail (an edited row, a key marked
compromised since) is withheld, with the reason, and never served.

For each agreement under the charter the newest version that is fully
endorsed is served: a newer version still waiting for endorsements leaves
the one before it in force. When the newest fully endorsed version fails
verification no version of that agreement is served (failing closed rather
than reviving a version it superseded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing._decisions import Policy
from woda_sharing._keyring import Keyring
from woda_sharing._signing import verify
from woda_sharing.exceptions import WodaError
from woda_sharing.register._core import Entry, Query, State

if TYPE_CHECKING:
    from woda_sharing.register._store import Register

__all__ = ["Document", "Snapshot", "Withheld", "load_snapshot"]


@frozen(kw_only=True)
class Document:
    """A document in force: its kind, id, version, digest and title, and its dates."""

    kind: str
    id: str
    version: int
    digest: str
    title: str
    start: dt.date | None = None
    end: dt.date | None = None
    review: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form the service returns."""
        return {
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "digest": self.digest,
            "title": self.title,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "review": _iso(self.review),
        }


@frozen(kw_only=True)
class Withheld:
    """A version the register holds as endorsed that the service refuses to serve, and why."""

    kind: str
    id: str
    version: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form the service returns."""
        return {"kind": self.kind, "id": self.id, "version": self.version, "reason": self.reason}


@frozen(kw_only=True)
class Snapshot:
    """One consistent view of the register: the charter and agreements in force, compiled.

    *policy* is ``None`` when nothing can be served (no endorsed charter that
    verifies); *problem* then says why. *fingerprint* is the register's
    `Register.fingerprint` when this was read.
    """

    policy: Policy | None
    charter: Document | None
    agreements: tuple[Document, ...]
    withheld: tuple[Withheld, ...]
    fingerprint: str
    loaded_at: dt.datetime
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``GET /v1/agreements``."""
        return {
            "charter": self.charter.as_dict() if self.charter else None,
            "agreements": [a.as_dict() for a in self.agreements],
            "withheld": [w.as_dict() for w in self.withheld],
            "loaded_at": self.loaded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "problem": self.problem,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _document(entry: Entry) -> Document:
    return Document(
        kind=entry.kind,
        id=entry.id,
        version=entry.version,
        digest=entry.digest,
        title=entry.title,
        start=entry.start,
        end=entry.end,
        review=entry.review,
    )


def _failure(result: Any) -> str:
    bad = [s for s in result.endorsements if not s.valid]
    if bad:
        return "endorsements do not verify: " + "; ".join(
            f"{s.organisation or '?'}: {s.status.value}" for s in bad
        )
    if result.problems:
        return "cannot verify: " + "; ".join(result.problems)
    return "not fully endorsed: pending " + (", ".join(result.pending) or "the endorsement rule")


def _newest_endorsed(entries: Sequence[Entry]) -> Entry | None:
    endorsed = [e for e in entries if e.state is State.ENDORSED]
    return max(endorsed, key=lambda e: e.version) if endorsed else None


def _keyring(register: Register) -> Keyring | str:
    rings = register.query(Query(kind="keyring"))
    if len(rings) != 1:
        return f"the register holds {len(rings)} keyrings: the service verifies against exactly one"
    try:
        return Keyring.from_data(register.body("keyring", rings[0].id))
    except WodaError as e:
        return f"the keyring is refused: {e}"


def _nothing(fingerprint: str, at: dt.datetime, problem: str, **more: Any) -> Snapshot:
    return Snapshot(
        policy=None,
        charter=None,
        agreements=(),
        withheld=more.get("withheld", ()),
        fingerprint=fingerprint,
        loaded_at=at,
        problem=problem,
    )


def load_snapshot(
    register: Register, charter_id: str, *, at: dt.datetime | None = None
) -> Snapshot:
    """Read *charter_id* and its agreements from *register*, verify them, and compile the policy.

    *at* is when endorsements are verified (default: now). Raises
    `RegisterError` when the database cannot be read; a charter that cannot
    be served gives a snapshot with no policy and a ``problem``.
    """
    when = dt.datetime.now(dt.UTC) if at is None else at
    fingerprint = register.fingerprint()
    ring = _keyring(register)
    if isinstance(ring, str):
        return _nothing(fingerprint, when, ring)
    charters = register.query(Query(kind="charter", id=charter_id, current=False))
    chosen = _newest_endorsed(charters)
    if chosen is None:
        return _nothing(fingerprint, when, f"the register holds no endorsed charter {charter_id!r}")
    charter_body = register.body("charter", charter_id, chosen.version)
    result = verify(charter_body, ring, at=when)
    if not result or canonical.digest(charter_body) != chosen.digest:
        reason = _failure(result) if not result else "its digest does not match the register's"
        return _nothing(
            fingerprint,
            when,
            f"charter {charter_id!r} version {chosen.version} is withheld: {reason}",
            withheld=(
                Withheld(kind="charter", id=charter_id, version=chosen.version, reason=reason),
            ),
        )
    versions: dict[str, list[Entry]] = {}
    for entry in register.query(Query(kind="agreement", charter=charter_id, current=False)):
        if entry.charter == (charter_id, chosen.version):
            versions.setdefault(entry.id, []).append(entry)
    served: list[tuple[Entry, Mapping[str, Any]]] = []
    withheld: list[Withheld] = []
    for ident in sorted(versions):
        newest = _newest_endorsed(versions[ident])
        if newest is None:
            continue  # nothing endorsed yet: no version of it is in force
        entry = newest
        body = register.body("agreement", ident, entry.version)
        result = verify(body, ring, at=when, charter=charter_body)
        if result and canonical.digest(body) == entry.digest:
            served.append((entry, body))
        else:
            reason = _failure(result) if not result else "its digest does not match the register's"
            withheld.append(
                Withheld(kind="agreement", id=ident, version=entry.version, reason=reason)
            )
    try:
        policy = Policy.compile(
            charter_body,
            [body for _, body in served],
            endorsed=dict.fromkeys((entry.id for entry, _ in served), True),
        )
    except WodaError as e:
        return _nothing(
            fingerprint, when, f"the policy cannot be compiled: {e}", withheld=tuple(withheld)
        )
    return Snapshot(
        policy=policy,
        charter=_document(chosen),
        agreements=tuple(_document(entry) for entry, _ in served),
        withheld=tuple(withheld),
        fingerprint=fingerprint,
        loaded_at=when,
    )
