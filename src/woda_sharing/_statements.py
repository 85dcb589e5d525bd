"""Signed statements other than endorsements: receipts of decisions and checkpoints of the log.

Private to woda_sharing. A statement is signed exactly as an endorsement is
(a JWS with a detached payload, the same algorithms, the same keyring and the
same rules for keys and times, ``docs/reference/endorsement-format.md``), but
its protected header has its own ``typ`` and its own members, exactly:

=================== ======================================================
``alg``              ``Ed25519`` | ``ES256`` | ``PS256``
``kid``              RFC 7638 thumbprint of the signing key
``typ``              ``woda-receipt+jws`` or ``woda-checkpoint+jws``
``iat``              signing time, integer seconds since the epoch (UTC)
``woda_org``         the signing organisation
``woda_subject``     what is signed: a record id, or a log id
``woda_digest``      ``sha256:<hex>`` of the payload (canonical bytes)
=================== ======================================================

An endorsement's header has ``woda_kind`` and no ``woda_subject``, and the
endorsement parser accepts only its own ``typ``; this parser accepts only
the ``typ`` it is asked for and exactly the members above. So a receipt can
never pass for an endorsement, a checkpoint for a receipt, or the reverse.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing import _jws
from woda_sharing._jose import JoseFormatError, b64url_decode, b64url_encode, parse_header_json
from woda_sharing._keyring import Keyring, KeyStatus
from woda_sharing._keys import ALGORITHMS, Signer, check_public_jwk, verify_signature
from woda_sharing._model import is_id
from woda_sharing._signing import Status, _check_time
from woda_sharing.exceptions import KeyMaterialError, SigningError, UsageError

__all__ = [
    "CHECKPOINT_TYP",
    "RECEIPT_TYP",
    "SignatureCheck",
    "check_statement",
    "sign_statement",
]

#: The ``typ`` of a signed decision receipt.
RECEIPT_TYP: Final = "woda-receipt+jws"
#: The ``typ`` of a signed checkpoint of the decision log.
CHECKPOINT_TYP: Final = "woda-checkpoint+jws"
_TYPS: Final = frozenset({RECEIPT_TYP, CHECKPOINT_TYP})
_MEMBERS: Final = frozenset({"alg", "kid", "typ", "iat", "woda_org", "woda_subject", "woda_digest"})
_EMBEDDED_KEYS: Final = frozenset({"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"})
_KID: Final = re.compile(r"[A-Za-z0-9_-]{43}")
_SUBJECT_MAX: Final = 200


@frozen(kw_only=True)
class SignatureCheck:
    """The verdict on one signed statement, with what its header claims (when readable)."""

    status: Status
    reason: str
    organisation: str | None = None
    subject: str | None = None
    signed_at: dt.datetime | None = None
    kid: str | None = None
    algorithm: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the statement's signature counts."""
        return self.status is Status.VALID


def sign_statement(
    payload: bytes,
    signer: Signer,
    *,
    typ: str,
    organisation: str,
    subject: str,
    signed_at: dt.datetime,
) -> tuple[str, str]:
    """Sign *payload* for *organisation*; return the protected header and the signature (base64url).

    Raises `SigningError` when the statement cannot be made.
    """
    if typ not in _TYPS:  # pragma: no cover - our own callers
        raise UsageError(f"unknown statement type {typ!r}")
    if not is_id(organisation):
        raise SigningError(f"organisation {organisation!r} is not an id")
    given: tuple[object, object] = (subject, signed_at)  # the annotations are promises
    if not isinstance(given[0], str) or not 0 < len(subject) <= _SUBJECT_MAX:
        raise SigningError(f"subject {subject!r} is not 1 to {_SUBJECT_MAX} characters")
    if not isinstance(given[1], dt.datetime) or signed_at.utcoffset() is None:
        raise SigningError("signed_at must be a timezone-aware datetime")
    iat = int(signed_at.timestamp())
    if not 0 <= iat <= _jws.MAX_IAT:
        raise SigningError("signed_at must lie between 1970 and 9999")
    algorithm = signer.algorithm
    if algorithm not in ALGORITHMS:
        raise SigningError(f"signer algorithm {algorithm!r} is not supported")
    try:
        public_key, alg = check_public_jwk(signer.public_jwk)
    except KeyMaterialError as e:
        raise SigningError(str(e)) from e
    if alg.name != algorithm or signer.public_jwk.get("kid") != signer.key_id:
        raise SigningError("the signer's algorithm or key id does not match its public key")
    header = {
        "alg": algorithm,
        "kid": signer.key_id,
        "typ": typ,
        "iat": iat,
        "woda_org": organisation,
        "woda_subject": subject,
        "woda_digest": canonical.digest_of(payload),
    }
    protected = _jws.encode_header(header)
    signing_input = _jws.signing_input(protected, b64url_encode(payload).encode("ascii"))
    signature = signer.sign(signing_input)
    if not verify_signature(alg, public_key, signature, signing_input):
        raise SigningError(
            "the signer produced a signature that does not verify with its own public key"
        )
    return protected, b64url_encode(signature)


def _bad(status: Status, reason: str, **claims: Any) -> SignatureCheck:
    return SignatureCheck(status=status, reason=reason, **claims)


def _header(protected: object, typ: str) -> dict[str, Any] | SignatureCheck:  # noqa: PLR0911 - one refusal per return
    if not isinstance(protected, str) or len(protected) > _jws.MAX_PROTECTED:
        return _bad(Status.MALFORMED, "the protected header is not a string of at most 8192")
    try:
        header = parse_header_json(b64url_decode(protected, what="protected"))
    except JoseFormatError as e:
        return _bad(Status.MALFORMED, str(e))
    embedded = sorted(header.keys() & _EMBEDDED_KEYS)
    if embedded:
        return _bad(Status.EMBEDDED_KEY, f"the header carries a key ({', '.join(embedded)})")
    if header.get("alg") not in ALGORITHMS:
        return _bad(Status.ALGORITHM_REFUSED, f"algorithm {header.get('alg')!r} is refused")
    if header.get("typ") != typ:
        return _bad(Status.MALFORMED, f"typ is {header.get('typ')!r}, not {typ!r}")
    if set(header) != _MEMBERS:
        odd = sorted(set(header) ^ _MEMBERS)
        return _bad(Status.MALFORMED, f"the header's members differ from the format: {odd}")
    if not isinstance(header["kid"], str) or not _KID.fullmatch(header["kid"]):
        return _bad(Status.MALFORMED, "kid is not an RFC 7638 thumbprint")
    if not is_id(header["woda_org"]):
        return _bad(Status.MALFORMED, "woda_org is not an id")
    if type(header["iat"]) is not int or not 0 <= header["iat"] <= _jws.MAX_IAT:
        return _bad(Status.MALFORMED, "iat is not a plausible time")
    if not isinstance(header["woda_subject"], str) or not isinstance(header["woda_digest"], str):
        return _bad(Status.MALFORMED, "woda_subject and woda_digest are strings")
    return header


def check_statement(  # noqa: PLR0911 - one verdict per return
    protected: object,
    signature: object,
    payload: bytes,
    keyring: Keyring,
    *,
    typ: str,
    subject: str,
    at: dt.datetime,
) -> SignatureCheck:
    """Check a statement of type *typ* about *subject* over *payload* against *keyring* at *at*."""
    header = _header(protected, typ)
    if isinstance(header, SignatureCheck):
        return header
    claims: dict[str, Any] = {
        "organisation": header["woda_org"],
        "subject": header["woda_subject"],
        "signed_at": dt.datetime.fromtimestamp(header["iat"], tz=dt.UTC),
        "kid": header["kid"],
        "algorithm": header["alg"],
    }
    try:
        raw = b64url_decode(signature, what="signature")
    except JoseFormatError as e:
        return _bad(Status.MALFORMED, str(e), **claims)
    if header["woda_subject"] != subject:
        return _bad(
            Status.DOCUMENT_CHANGED,
            f"signed for {header['woda_subject']!r}, not {subject!r}",
            **claims,
        )
    if header["woda_digest"] != canonical.digest_of(payload):
        return _bad(Status.DOCUMENT_CHANGED, "the content changed after it was signed", **claims)
    entry = keyring.get(header["kid"])
    if entry is None:
        return _bad(Status.UNKNOWN_KEY, f"no key {header['kid']} in the keyring", **claims)
    if entry.organisation != header["woda_org"]:
        return _bad(
            Status.KEY_OF_OTHER_ORGANISATION,
            f"key {entry.kid} belongs to {entry.organisation!r}, not {header['woda_org']!r}",
            **claims,
        )
    if entry.algorithm.name != header["alg"]:
        return _bad(Status.ALGORITHM_MISMATCH, "the key signs with another algorithm", **claims)
    if entry.status is KeyStatus.COMPROMISED:
        return _bad(Status.KEY_COMPROMISED, f"key {entry.kid} is compromised", **claims)
    signing_input = _jws.signing_input(protected, b64url_encode(payload).encode("ascii"))  # type: ignore[arg-type]
    if not verify_signature(entry.algorithm, entry.public_key, raw, signing_input):
        return _bad(Status.BAD_SIGNATURE, "the signature does not verify", **claims)
    timing = _check_time(entry, claims["signed_at"], protected, at)  # type: ignore[arg-type]
    if timing is not None:
        return _bad(timing[0], timing[1], **claims)
    return _bad(Status.VALID, "valid", **claims)
