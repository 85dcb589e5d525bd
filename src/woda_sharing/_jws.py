"""The endorsement wire form: a flattened JWS with a detached payload, and its header grammar.

Private to woda_sharing; `woda_sharing._signing` holds the policy (who must
sign, the verdict per endorsement) and reads endorsements only through
`parse`. An endorsement is exactly ``{"protected": ..., "signature": ...}``;
the JWS signing input is ``protected || "." || BASE64URL(payload)``. The
protected header (``docs/reference/endorsement-format.md``) holds exactly:

=================== ======================================================
``alg``              ``Ed25519`` | ``ES256`` | ``PS256``
``kid``              RFC 7638 thumbprint of the signing key
``typ``              ``woda-endorsement+jws``
``iat``              signing time, integer seconds since the epoch (UTC)
``woda_kind``        document kind: ``charter`` | ``agreement``
``woda_id``          document id
``woda_version``     document version (integer)
``woda_digest``      ``sha256:<hex>`` of the canonical bytes
``woda_org``         endorsing organisation (a charter member id)
``woda_role``        signatory role (``siro``, ``dpo``, ...)
``woda_signatory``   optional: the signatory's name
``crit``             optional: only ``woda_*`` names present in the header
=================== ======================================================

Any other header name is refused (fail closed), and so are keys carried in
the header (``jwk``, ``jku``, ``x5u``, ``x5c``, ``x5t``, ``x5t#S256``). A
member present with the wrong type is malformed, optional or not. A protected
segment longer than `MAX_PROTECTED` characters is refused before it is decoded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import rfc8785
from attrs import frozen

from woda_sharing._jose import JoseFormatError, b64url_decode, b64url_encode, parse_header_json
from woda_sharing._keys import ALGORITHMS
from woda_sharing._model import is_id
from woda_sharing.exceptions import LoadError, UsageError

__all__ = [
    "HEADER_PREFIX",
    "MAX_IAT",
    "MAX_PROTECTED",
    "SIGNATORY_MAX",
    "TYP",
    "Header",
    "Parsed",
    "Refused",
    "encode_header",
    "from_compact",
    "is_name",
    "parse",
    "signing_input",
    "to_compact",
]

#: The ``typ`` of every endorsement.
TYP: Final = "woda-endorsement+jws"
#: The prefix of this library's own header names.
HEADER_PREFIX: Final = "woda_"
#: The longest protected segment (base64url characters) read; the schema's own ``maxLength``.
MAX_PROTECTED: Final = 8192
#: The longest signatory name, in characters.
SIGNATORY_MAX: Final = 200
#: 9999-12-31T23:59:59Z, the last second a datetime can hold.
MAX_IAT: Final = 253402300799

_REQUIRED: Final = frozenset(
    {
        "alg",
        "kid",
        "typ",
        "iat",
        "woda_kind",
        "woda_id",
        "woda_version",
        "woda_digest",
        "woda_org",
        "woda_role",
    }
)
_OPTIONAL: Final = frozenset({"woda_signatory", "crit"})
_ALLOWED: Final = _REQUIRED | _OPTIONAL
_EMBEDDED_KEYS: Final = frozenset({"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"})
#: An RFC 7638 SHA-256 thumbprint in base64url: the only shape a ``kid`` can have.
_KID: Final = re.compile(r"[A-Za-z0-9_-]{43}")

# The refusals the grammar can make: values of `woda_sharing._signing.Status`.
MALFORMED: Final = "malformed"
ALGORITHM_REFUSED: Final = "algorithm-refused"
EMBEDDED_KEY: Final = "embedded-key"
UNKNOWN_CRITICAL: Final = "unknown-critical-header"


class Refused(Exception):  # noqa: N818 - a verdict, not an error: it never leaves signing
    """Internal: the wire form is refused, with the status value and the reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@frozen(kw_only=True)
class Header:
    """A protected header that the grammar accepts, typed."""

    alg: str
    kid: str
    iat: int
    kind: str
    id: str
    version: int
    digest: str
    org: str
    role: str
    signatory: str | None


@frozen(kw_only=True)
class Parsed:
    """One endorsement read from the wire: its protected segment, header and signature bytes."""

    protected: str
    header: Header
    signature: bytes


def is_name(value: object) -> bool:
    """Whether *value* can be a signatory name: 1 to `SIGNATORY_MAX` printable characters."""
    return isinstance(value, str) and 0 < len(value) <= SIGNATORY_MAX and value.isprintable()


def parse(endorsement: object) -> Parsed:
    """Read one endorsement, raising `Refused` with the status and reason when the grammar refuses it."""
    if not isinstance(endorsement, Mapping):
        raise Refused(MALFORMED, "an endorsement is a JSON object")
    if set(endorsement) != {"protected", "signature"}:
        raise Refused(
            MALFORMED,
            "an endorsement has exactly the members protected and signature "
            "(no payload, no unprotected header, one signature)",
        )
    protected = endorsement["protected"]
    if isinstance(protected, str) and len(protected) > MAX_PROTECTED:
        raise Refused(MALFORMED, f"the protected header is longer than {MAX_PROTECTED} characters")
    try:
        header = parse_header_json(b64url_decode(protected, what="protected"))
        signature = b64url_decode(endorsement["signature"], what="signature")
    except JoseFormatError as e:
        raise Refused(MALFORMED, str(e)) from e
    _check_header(header)
    return Parsed(
        protected=protected,
        header=Header(
            alg=header["alg"],
            kid=header["kid"],
            iat=header["iat"],
            kind=header["woda_kind"],
            id=header["woda_id"],
            version=header["woda_version"],
            digest=header["woda_digest"],
            org=header["woda_org"],
            role=header["woda_role"],
            signatory=header.get("woda_signatory"),
        ),
        signature=signature,
    )


def _check_names(header: Mapping[str, Any]) -> None:
    names = header.keys()
    embedded = sorted(names & _EMBEDDED_KEYS)
    if embedded:
        keys = ", ".join(embedded)
        raise Refused(
            EMBEDDED_KEY, f"the header carries a key ({keys}); keys come from the keyring"
        )
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise Refused(
            ALGORITHM_REFUSED, f"algorithm {alg!r} is refused (only {', '.join(ALGORITHMS)})"
        )
    if "crit" in header:
        crit = header["crit"]
        if (
            not isinstance(crit, list)
            or not crit
            or not all(isinstance(c, str) for c in crit)
            or len(set(crit)) != len(crit)
        ):
            raise Refused(MALFORMED, "crit must be a non-empty array of distinct names")
        unknown = sorted(c for c in crit if not c.startswith(HEADER_PREFIX) or c not in names)
        if unknown:
            raise Refused(
                UNKNOWN_CRITICAL,
                f"critical header names not understood: {', '.join(map(repr, unknown))}",
            )
    missing = sorted(_REQUIRED - names)
    if missing:
        raise Refused(MALFORMED, f"the header lacks {', '.join(missing)}")
    extra = sorted(names - _ALLOWED)
    if extra:
        raise Refused(
            MALFORMED,
            f"the header has names this format does not define: {', '.join(map(repr, extra))}",
        )


def _check_header(header: Mapping[str, Any]) -> None:
    names = header.keys()
    if (
        "crit" in header
        or not names >= _REQUIRED
        or not names <= _ALLOWED
        or not isinstance(header["alg"], str)
        or header["alg"] not in ALGORITHMS
    ):
        _check_names(header)
    if header["typ"] != TYP:
        raise Refused(MALFORMED, f"typ is {header['typ']!r}, not {TYP!r}")
    for name in ("kid", "woda_kind", "woda_id", "woda_digest"):
        if not isinstance(header[name], str):
            raise Refused(MALFORMED, f"{name} is not a string")
    if not _KID.fullmatch(header["kid"]):
        raise Refused(MALFORMED, "kid is not an RFC 7638 thumbprint (43 base64url characters)")
    for name in ("woda_org", "woda_role"):
        if not is_id(header[name]):
            raise Refused(MALFORMED, f"{name} is not an id")
    if type(header["iat"]) is not int or header["iat"] < 0:
        raise Refused(MALFORMED, "iat is not a non-negative integer")
    if type(header["woda_version"]) is not int:
        raise Refused(MALFORMED, "woda_version is not an integer")
    # A member present with the wrong type is malformed, even an optional one (null included).
    if "woda_signatory" in header and not is_name(header["woda_signatory"]):
        raise Refused(MALFORMED, f"woda_signatory is not 1 to {SIGNATORY_MAX} printable characters")


def encode_header(header: Mapping[str, Any]) -> str:
    """The protected segment for *header*: base64url of its RFC 8785 JSON."""
    return b64url_encode(bytes(rfc8785.dumps(dict(header))))


def signing_input(protected: str, payload_b64: bytes) -> bytes:
    """The JWS signing input: ``protected || "." || BASE64URL(payload)``."""
    return protected.encode("ascii") + b"." + payload_b64


def to_compact(endorsement: Mapping[str, Any]) -> str:
    """Return an endorsement in JWS compact form with an empty payload segment (``h..s``).

    Raises `UsageError` unless *endorsement* has string ``protected`` and ``signature`` members.
    """
    given: object = endorsement
    if not isinstance(given, Mapping) or not all(
        isinstance(given.get(name), str) for name in ("protected", "signature")
    ):
        raise UsageError("an endorsement has string members protected and signature")
    return f"{endorsement['protected']}..{endorsement['signature']}"


def from_compact(token: str) -> dict[str, str]:
    """Turn a compact JWS with a detached (empty) payload segment into an endorsement.

    Raises `LoadError` unless *token* has three segments and the middle one is
    empty, and `UsageError` when *token* is not a string.
    """
    given: object = token
    if not isinstance(given, str):
        raise UsageError(f"a compact JWS is a string, not a {type(given).__name__}")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise LoadError("a compact JWS has three segments", source="<jws>")
    if parts[1]:
        raise LoadError(
            "the payload segment must be empty (the payload is detached)", source="<jws>"
        )
    return {"protected": parts[0], "signature": parts[2]}
