"""Signed receipts: a decision record signed by the deciding organisation, checkable offline.

A `Receipt` is a `DecisionRecord` with a JWS over its canonical bytes, made
with the same keys, algorithms and keyring as endorsements but with its own
``typ`` (``woda-receipt+jws``), so a receipt can never pass for an
endorsement, nor an endorsement for a receipt (``docs/reference/receipt-format.md``).
`verify_receipt` checks one against a keyring and, when given the documents
themselves, that they are exactly the versions the record names (by digest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing._decision_records import DecisionRecord
from woda_sharing._keyring import Keyring
from woda_sharing._keys import Signer
from woda_sharing._signing import Status
from woda_sharing._statements import RECEIPT_TYP, check_statement, sign_statement
from woda_sharing.exceptions import (
    CanonicalizationError,
    RecordError,
    UsageError,
    VerificationError,
)

__all__ = [
    "RECEIPT_TYP",
    "Receipt",
    "ReceiptResult",
    "require_receipt",
    "sign_receipt",
    "verify_receipt",
]


@frozen(kw_only=True)
class Receipt:
    """A decision record and the deciding organisation's signature over its canonical bytes."""

    record: DecisionRecord
    protected: str
    signature: str

    def as_dict(self) -> dict[str, Any]:
        """The wire form: ``{"record": ..., "protected": ..., "signature": ...}``."""
        return {
            "record": self.record.as_dict(),
            "protected": self.protected,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: object) -> Receipt:
        """Read a receipt's wire form, raising `RecordError` when it is not one."""
        if not isinstance(data, Mapping) or set(data) != {"record", "protected", "signature"}:
            raise RecordError(
                "not a receipt: a receipt is an object with exactly record, protected and signature"
            )
        if not isinstance(data["protected"], str) or not isinstance(data["signature"], str):
            raise RecordError("not a receipt: protected and signature are strings")
        return cls(
            record=DecisionRecord.from_dict(data["record"]),
            protected=data["protected"],
            signature=data["signature"],
        )


@frozen(kw_only=True)
class ReceiptResult:
    """What checking a receipt found; truthy exactly when it verified.

    ``status`` and ``reason`` judge the signature (the endorsement statuses:
    `woda_sharing.Status`); ``problems`` hold what else is wrong (documents
    that are not the versions the record names). ``documents_checked`` says
    whether documents were given to check the record's digests against.
    """

    verified: bool
    status: Status
    reason: str
    record: DecisionRecord | None
    organisation: str | None
    signed_at: dt.datetime | None
    kid: str | None
    documents_checked: bool
    problems: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.verified

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing receipt verify --format json``."""
        return {
            "verified": self.verified,
            "status": self.status.value,
            "reason": self.reason,
            "record": None if self.record is None else self.record.id,
            "organisation": self.organisation,
            "signed_at": None
            if self.signed_at is None
            else self.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "kid": self.kid,
            "documents_checked": self.documents_checked,
            "problems": list(self.problems),
        }


def sign_receipt(
    record: DecisionRecord,
    signer: Signer,
    *,
    organisation: str,
    signed_at: dt.datetime | None = None,
) -> Receipt:
    """Sign *record* for the deciding *organisation* with *signer* (default time: now).

    Raises `SigningError` when the receipt cannot be made.
    """
    if not isinstance(record, DecisionRecord):
        raise UsageError(f"a record is a DecisionRecord, not {type(record).__name__}")
    when = dt.datetime.now(dt.UTC) if signed_at is None else signed_at
    protected, signature = sign_statement(
        record.canonical_bytes(),
        signer,
        typ=RECEIPT_TYP,
        organisation=organisation,
        subject=record.id,
        signed_at=when,
    )
    return Receipt(record=record, protected=protected, signature=signature)


def verify_receipt(
    receipt: Receipt | Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    documents: Iterable[Mapping[str, Any]] = (),
    at: dt.datetime | None = None,
) -> ReceiptResult:
    """Check *receipt* against *keyring* at *at* (default: now), offline.

    The signature is judged as an endorsement's is (key known, of the
    organisation named, right algorithm, not compromised, in its window,
    not retired unless honoured, not signed after *at*) and the receipt must
    not be signed before the decision. When *documents* (charter and agreement
    wire forms) are given, every document the record names must be among them
    with the same digest, and the signing organisation must be a member of the
    charter. A malformed receipt is a failed result, never an exception;
    raises `UsageError` for arguments of the wrong type and `KeyringError` for
    an unusable keyring.
    """
    when: object = dt.datetime.now(dt.UTC) if at is None else at
    if not isinstance(when, dt.datetime) or when.utcoffset() is None:
        raise UsageError("at must be a timezone-aware datetime")
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    given = list(documents)
    if not all(isinstance(d, Mapping) for d in given):
        raise UsageError("documents are wire mappings (charter and agreements)")
    try:
        parsed = receipt if isinstance(receipt, Receipt) else Receipt.from_dict(receipt)
        payload = parsed.record.canonical_bytes()
    except RecordError as e:
        return ReceiptResult(
            verified=False,
            status=Status.MALFORMED,
            reason=str(e),
            record=None,
            organisation=None,
            signed_at=None,
            kid=None,
            documents_checked=bool(given),
        )
    check = check_statement(
        parsed.protected,
        parsed.signature,
        payload,
        ring,
        typ=RECEIPT_TYP,
        subject=parsed.record.id,
        at=when,
    )
    status, reason = check.status, check.reason
    if (
        check.valid
        and check.signed_at is not None
        and check.signed_at < parsed.record.time.replace(microsecond=0)
    ):
        status, reason = Status.MALFORMED, "the receipt is signed before the decision was made"
    problems = _document_problems(parsed.record, given, check.organisation) if given else ()
    return ReceiptResult(
        verified=status is Status.VALID and not problems,
        status=status,
        reason=reason,
        record=parsed.record,
        organisation=check.organisation,
        signed_at=check.signed_at,
        kid=check.kid,
        documents_checked=bool(given),
        problems=problems,
    )


def _document_problems(
    record: DecisionRecord, given: list[Mapping[str, Any]], organisation: str | None
) -> tuple[str, ...]:
    known: dict[tuple[object, object, object], str | None] = {}
    charters: list[Mapping[str, Any]] = []
    for d in given:
        try:
            digest: str | None = canonical.digest(d)
        except CanonicalizationError:
            digest = None
        known[(d.get("kind"), d.get("id"), d.get("version"))] = digest
        if d.get("kind") == "charter":
            charters.append(d)
    problems = []
    if not record.documents:
        problems.append("the record names no documents, so none can be checked")
    for ref in record.documents:
        key = (ref.kind, ref.id, ref.version)
        name = f"{ref.kind} {ref.id} version {ref.version}"
        if key not in known:
            problems.append(f"{name} is named by the record but was not given")
        elif ref.digest is None:
            problems.append(f"the record does not name the digest of {name}")
        elif known[key] != ref.digest:
            problems.append(f"{name} given is not the version decided under (digest differs)")
    for charter in charters:
        members = charter.get("members")
        ids = (
            {m.get("id") for m in members if isinstance(m, Mapping)}
            if isinstance(members, list)
            else set()
        )
        if organisation is not None and organisation not in ids:
            problems.append(f"{organisation!r} is not a member of charter {charter.get('id')!r}")
    return tuple(problems)


def require_receipt(
    receipt: Receipt | Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    documents: Iterable[Mapping[str, Any]] = (),
    at: dt.datetime | None = None,
) -> ReceiptResult:
    """Check like `verify_receipt`, and raise `VerificationError` unless the receipt verified."""
    result = verify_receipt(receipt, keyring, documents=documents, at=at)
    if not result:
        reasons = (
            [] if result.status is Status.VALID else [f"{result.status.value}: {result.reason}"]
        )
        raise VerificationError(
            f"the receipt is not verified: {'; '.join([*reasons, *result.problems])}"
        )
    return result
