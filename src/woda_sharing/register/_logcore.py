r"""The decision log's typed core: entry hashes, checkpoints, proofs and verdicts (no database).

Entry *n* (from 1) of the log links record *n* to the entry before it::

    entry_hash(n) = SHA-256("woda-log-entry/1\\n" || n || "\\n" || entry_hash(n-1) || "\\n" || record_digest(n))

with ``n`` in decimal, hashes and digests written ``sha256:<hex>``, and
``entry_hash(0)`` = `GENESIS`. The head of a log of size *n* is
``entry_hash(n)``. A checkpoint is the log's id, size, head and time, signed
by an organisation (``woda-checkpoint+jws``), as Certificate Transparency's
signed tree heads are. See ``docs/reference/log-format.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing._decision_records import DecisionRecord
from woda_sharing._keyring import Keyring
from woda_sharing._keys import Signer
from woda_sharing._signing import Status
from woda_sharing._statements import CHECKPOINT_TYP, SignatureCheck, check_statement, sign_statement
from woda_sharing.exceptions import RecordError, UsageError

__all__ = [
    "CHECKPOINT_KIND",
    "GENESIS",
    "Appended",
    "Checkpoint",
    "ConsistencyProof",
    "InclusionProof",
    "LogEntry",
    "LogVerification",
    "ProofResult",
    "entry_hash",
    "sign_checkpoint",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]

#: The hash before the first entry.
GENESIS: Final = "sha256:" + "0" * 64
#: The ``kind`` of a checkpoint's signed body.
CHECKPOINT_KIND: Final = "log-checkpoint"
_PREFIX: Final = b"woda-log-entry/1\n"


def entry_hash(seq: int, previous: str, record_digest: str) -> str:
    """The hash of entry *seq* whose predecessor's hash is *previous*, for a record of *record_digest*."""
    data = b"%s%d\n%s\n%s" % (_PREFIX, seq, previous.encode("ascii"), record_digest.encode("ascii"))
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@frozen(kw_only=True)
class LogEntry:
    """One entry of the log: its sequence number (from 1), hashes and record."""

    seq: int
    record: DecisionRecord
    record_digest: str
    prev_hash: str
    entry_hash: str


@frozen(kw_only=True)
class Appended:
    """What one `DecisionLog.append` wrote: entries *first* to *last* (none when both are 0)."""

    first: int
    last: int
    head: str

    @property
    def count(self) -> int:
        """How many entries were written."""
        return 0 if self.first == 0 else self.last - self.first + 1


@frozen(kw_only=True)
class Checkpoint:
    """A signed statement of the log's size and head at a time (a signed tree head)."""

    log: str
    size: int
    head: str
    time: dt.datetime
    organisation: str
    protected: str
    signature: str

    def body(self) -> dict[str, Any]:
        """The signed content: kind, format, log, size, head, time, organisation."""
        return {
            "kind": CHECKPOINT_KIND,
            "format": 1,
            "log": self.log,
            "size": self.size,
            "head": self.head,
            "time": _stamp(self.time),
            "organisation": self.organisation,
        }

    def as_dict(self) -> dict[str, Any]:
        """The wire form: the body with ``protected`` and ``signature``."""
        return {**self.body(), "protected": self.protected, "signature": self.signature}

    @classmethod
    def from_dict(cls, data: object) -> Checkpoint:
        """Read a checkpoint's wire form, raising `RecordError` when it is not one."""
        names = {"kind", "format", "log", "size", "head", "time", "organisation"}
        if not isinstance(data, Mapping) or set(data) != names | {"protected", "signature"}:
            raise RecordError(f"not a checkpoint: it has exactly the members {sorted(names)}")
        if data["kind"] != CHECKPOINT_KIND or data["format"] != 1:
            raise RecordError("not a checkpoint: kind log-checkpoint, format 1")
        if type(data["size"]) is not int or data["size"] < 0:
            raise RecordError("not a checkpoint: size is a non-negative integer")
        for name in ("log", "head", "time", "organisation", "protected", "signature"):
            if not isinstance(data[name], str):
                raise RecordError(f"not a checkpoint: {name} is a string")
        try:
            time = dt.datetime.strptime(data["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError as e:
            raise RecordError(f"not a checkpoint: time {data['time']!r}") from e
        return cls(
            log=data["log"],
            size=data["size"],
            head=data["head"],
            time=time,
            organisation=data["organisation"],
            protected=data["protected"],
            signature=data["signature"],
        )


def sign_checkpoint(
    log: str, size: int, head: str, signer: Signer, *, organisation: str, at: dt.datetime
) -> Checkpoint:
    """Sign that log *log* had *size* entries with head *head* at *at*; `SigningError` if it cannot."""
    unsigned = Checkpoint(
        log=log,
        size=size,
        head=head,
        time=at.astimezone(dt.UTC).replace(microsecond=0),
        organisation=organisation,
        protected="",
        signature="",
    )
    protected, signature = sign_statement(
        canonical.signed_bytes(unsigned.body()),
        signer,
        typ=CHECKPOINT_TYP,
        organisation=organisation,
        subject=log,
        signed_at=unsigned.time,
    )
    return Checkpoint(**{**_fields(unsigned), "protected": protected, "signature": signature})


def _fields(c: Checkpoint) -> dict[str, Any]:
    return {
        "log": c.log,
        "size": c.size,
        "head": c.head,
        "time": c.time,
        "organisation": c.organisation,
    }


def verify_checkpoint(
    checkpoint: Checkpoint, keyring: Keyring | Mapping[str, Any], *, at: dt.datetime | None = None
) -> SignatureCheck:
    """Check *checkpoint*'s signature against *keyring* at *at* (default: now)."""
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    when = dt.datetime.now(dt.UTC) if at is None else at
    check = check_statement(
        checkpoint.protected,
        checkpoint.signature,
        canonical.signed_bytes(checkpoint.body()),
        ring,
        typ=CHECKPOINT_TYP,
        subject=checkpoint.log,
        at=when,
    )
    if check.valid and check.organisation != checkpoint.organisation:
        return SignatureCheck(
            status=Status.DOCUMENT_CHANGED,
            reason="signed by another organisation than the checkpoint names",
            organisation=check.organisation,
            subject=check.subject,
            signed_at=check.signed_at,
            kid=check.kid,
            algorithm=check.algorithm,
        )
    return check


@frozen(kw_only=True)
class LogVerification:
    """What `DecisionLog.verify` found; truthy exactly when the log is intact.

    ``first_bad`` is the sequence number of the first entry that is missing,
    inserted, moved or changed (with its ``record_id`` when the row exists and
    ``problem`` saying what is wrong); ``checkpoints`` counts the checkpoints
    checked against the chain, and ``signatures_checked`` says whether their
    signatures were checked (a keyring was given). ``problems`` hold every
    other failure (a checkpoint that does not match, a bad signature).
    """

    verified: bool
    log: str
    size: int
    head: str
    checkpoints: int
    signatures_checked: bool
    first_bad: int | None = None
    record_id: str | None = None
    problem: str | None = None
    problems: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.verified

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing log verify --format json``."""
        return {
            "verified": self.verified,
            "log": self.log,
            "size": self.size,
            "head": self.head,
            "checkpoints": self.checkpoints,
            "signatures_checked": self.signatures_checked,
            "first_bad": self.first_bad,
            "record_id": self.record_id,
            "problem": self.problem,
            "problems": list(self.problems),
        }


@frozen(kw_only=True)
class InclusionProof:
    """Proof that entry *seq* held *record* in the log a *checkpoint* signed.

    *previous* is the hash of the entry before it; *later* the record digests
    of every entry after it up to the checkpoint's size. Recomputing the chain
    from them must give the checkpoint's head.
    """

    checkpoint: Checkpoint
    seq: int
    record: DecisionRecord
    previous: str
    later: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The wire form (``docs/reference/log-format.md``)."""
        return {
            "kind": "log-inclusion-proof",
            "format": 1,
            "checkpoint": self.checkpoint.as_dict(),
            "seq": self.seq,
            "record": self.record.as_dict(),
            "previous": self.previous,
            "later": list(self.later),
        }

    @classmethod
    def from_dict(cls, data: object) -> InclusionProof:
        """Read a proof's wire form, raising `RecordError` when it is not one."""
        names = {"kind", "format", "checkpoint", "seq", "record", "previous", "later"}
        if not isinstance(data, Mapping) or set(data) != names:
            raise RecordError(f"not an inclusion proof: it has exactly the members {sorted(names)}")
        if data["kind"] != "log-inclusion-proof" or data["format"] != 1:
            raise RecordError("not an inclusion proof: kind log-inclusion-proof, format 1")
        later = data["later"]
        if not isinstance(later, list) or not all(isinstance(d, str) for d in later):
            raise RecordError("not an inclusion proof: later is an array of digests")
        if type(data["seq"]) is not int or not isinstance(data["previous"], str):
            raise RecordError("not an inclusion proof: seq is an integer, previous a string")
        return cls(
            checkpoint=Checkpoint.from_dict(data["checkpoint"]),
            seq=data["seq"],
            record=DecisionRecord.from_dict(data["record"]),
            previous=data["previous"],
            later=tuple(later),
        )


@frozen(kw_only=True)
class ProofResult:
    """Whether an inclusion proof holds: the chain reaches the head and the checkpoint is signed."""

    verified: bool
    reason: str
    signature: SignatureCheck | None = None

    def __bool__(self) -> bool:
        return self.verified


def verify_inclusion(
    proof: InclusionProof,
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime | None = None,
) -> ProofResult:
    """Check that *proof*'s record was entry *seq* of the log its checkpoint signed."""
    if not isinstance(proof, InclusionProof):
        raise UsageError(f"a proof is an InclusionProof, not {type(proof).__name__}")
    cp = proof.checkpoint
    signature = verify_checkpoint(cp, keyring, at=at)
    if not signature.valid:
        return ProofResult(
            verified=False,
            reason=f"the checkpoint's signature: {signature.status.value}: {signature.reason}",
            signature=signature,
        )
    if proof.seq < 1 or proof.seq + len(proof.later) != cp.size:
        return ProofResult(
            verified=False,
            reason=f"entry {proof.seq} and {len(proof.later)} later entries do not make"
            f" the checkpoint's size {cp.size}",
            signature=signature,
        )
    head = _chain(proof.seq, proof.previous, [proof.record.digest, *proof.later])
    if head != cp.head:
        return ProofResult(
            verified=False,
            reason="the chain from the record does not reach the checkpoint's head",
            signature=signature,
        )
    return ProofResult(
        verified=True,
        reason=f"record {proof.record.id} is entry {proof.seq} of the {cp.size} entries"
        f" of log {cp.log} signed by {cp.organisation} at {_stamp(cp.time)}",
        signature=signature,
    )


@frozen(kw_only=True)
class ConsistencyProof:
    """Proof that the log a *new* checkpoint signed extends the one an *old* checkpoint signed.

    *added* are the record digests of the entries after the old checkpoint's
    size up to the new one's: recomputing the chain from the old head over
    them must give the new head. A partner who kept the old checkpoint learns
    that nothing it covered was changed since.
    """

    old: Checkpoint
    new: Checkpoint
    added: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The wire form (``docs/reference/log-format.md``)."""
        return {
            "kind": "log-consistency-proof",
            "format": 1,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "added": list(self.added),
        }

    @classmethod
    def from_dict(cls, data: object) -> ConsistencyProof:
        """Read a proof's wire form, raising `RecordError` when it is not one."""
        names = {"kind", "format", "old", "new", "added"}
        if not isinstance(data, Mapping) or set(data) != names:
            raise RecordError(
                f"not a consistency proof: it has exactly the members {sorted(names)}"
            )
        if data["kind"] != "log-consistency-proof" or data["format"] != 1:
            raise RecordError("not a consistency proof: kind log-consistency-proof, format 1")
        added = data["added"]
        if not isinstance(added, list) or not all(isinstance(d, str) for d in added):
            raise RecordError("not a consistency proof: added is an array of digests")
        return cls(
            old=Checkpoint.from_dict(data["old"]),
            new=Checkpoint.from_dict(data["new"]),
            added=tuple(added),
        )


def verify_consistency(
    proof: ConsistencyProof,
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime | None = None,
) -> ProofResult:
    """Check that *proof*'s new checkpoint signs a log that extends its old checkpoint's."""
    if not isinstance(proof, ConsistencyProof):
        raise UsageError(f"a proof is a ConsistencyProof, not {type(proof).__name__}")
    old, new = proof.old, proof.new
    for name, cp in (("old", old), ("new", new)):
        signature = verify_checkpoint(cp, keyring, at=at)
        if not signature.valid:
            return ProofResult(
                verified=False,
                reason=f"the {name} checkpoint's signature: {signature.status.value}: {signature.reason}",
                signature=signature,
            )
    if old.log != new.log:
        return ProofResult(verified=False, reason="the checkpoints are of two different logs")
    if old.size + len(proof.added) != new.size:
        return ProofResult(
            verified=False,
            reason=f"{old.size} entries and {len(proof.added)} added do not make {new.size}",
        )
    if _chain(old.size + 1, old.head, proof.added) != new.head:
        return ProofResult(
            verified=False,
            reason="the chain from the old head does not reach the new head: the log was rewritten",
        )
    return ProofResult(
        verified=True,
        reason=f"log {new.log} at {new.size} entries ({_stamp(new.time)}) extends its"
        f" {old.size} entries of {_stamp(old.time)}",
    )


def _chain(first: int, previous: str, digests: Sequence[str]) -> str:
    head = previous
    for offset, d in enumerate(digests):
        head = entry_hash(first + offset, head, d)
    return head
