"""Endorsements: sign an exact version of a document, and verify who has endorsed it.

An endorsement is a JWS (RFC 7515) in flattened JSON serialization with a
detached payload, stored in the document's top-level ``endorsements`` array
as exactly ``{"protected": ..., "signature": ...}``. The payload is the
document's canonical bytes (`woda_sharing.canonical.signed_bytes`); the JWS
signing input is ``protected || "." || BASE64URL(payload)``. The protected
header (see ``docs/reference/endorsement-format.md``) holds exactly:

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
the header (``jwk``, ``jku``, ``x5u``, ``x5c``, ``x5t``, ``x5t#S256``).

`verify` returns a `VerificationResult` (truthy when verified) and never
raises for a bad document; `require_verified` is its raising twin. The
canonical bytes, their base64url form and the digest are computed once per
document, never once per endorsement.

Endorsement rule: for a charter, the charter's own ``endorsement`` rule
(``all-members`` or ``threshold``) over its ``members``, with its ``roles``.
For an agreement, every distinct party organisation must endorse, with a
role from the charter's ``endorsement.roles``; the charter must be given,
be of kind ``charter``, have a canonical form and be the exact version the
agreement names (id, version and digest, compared by value and type). The
charter's own endorsements are not checked here. Distinct organisations are
counted, never signatures.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from typing import Any, Final

import rfc8785
from attrs import field, frozen

from woda_sharing import canonical
from woda_sharing._jose import JoseFormatError, b64url_decode, b64url_encode, parse_header_json
from woda_sharing.exceptions import (
    CanonicalizationError,
    KeyMaterialError,
    LoadError,
    SigningError,
    UsageError,
    VerificationError,
)
from woda_sharing.keyring import KeyEntry, Keyring, KeyStatus, fingerprint
from woda_sharing.keys import ALGORITHMS, Signer, check_public_jwk, verify_signature
from woda_sharing.model import is_id

__all__ = [
    "HEADER_PREFIX",
    "TYP",
    "EndorsementStatus",
    "Status",
    "VerificationResult",
    "endorse",
    "from_compact",
    "honourable",
    "require_verified",
    "to_compact",
    "verify",
]

#: The ``typ`` of every endorsement.
TYP: Final = "woda-endorsement+jws"
#: The prefix of this library's own header names.
HEADER_PREFIX: Final = "woda_"
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
_KINDS: Final = frozenset({"charter", "agreement"})
#: An RFC 7638 SHA-256 thumbprint in base64url: the only shape a ``kid`` can have.
_KID: Final = re.compile(r"[A-Za-z0-9_-]{43}")
_SIGNATORY_MAX: Final = 200
#: 9999-12-31T23:59:59Z, the last second a datetime can hold.
_MAX_IAT: Final = 253402300799
_CLAIMS: Final = (("woda_kind", "kind"), ("woda_id", "id"), ("woda_version", "version"))


class Status(enum.Enum):
    """The status of one endorsement; only ``VALID`` counts."""

    VALID = "valid"
    MALFORMED = "malformed"
    ALGORITHM_REFUSED = "algorithm-refused"
    EMBEDDED_KEY = "embedded-key"
    UNKNOWN_CRITICAL = "unknown-critical-header"
    DOCUMENT_CHANGED = "document-changed"
    UNKNOWN_KEY = "unknown-key"
    KEY_OF_OTHER_ORGANISATION = "key-of-other-organisation"
    ALGORITHM_MISMATCH = "algorithm-mismatch"
    BAD_SIGNATURE = "bad-signature"
    KEY_COMPROMISED = "key-compromised"
    KEY_NOT_VALID_AT_SIGNING_TIME = "key-not-valid-at-signing-time"
    KEY_EXPIRED = "key-expired"
    KEY_RETIRED = "key-retired"
    SIGNED_IN_FUTURE = "signed-in-future"
    ORGANISATION_NOT_EXPECTED = "organisation-not-expected"
    ROLE_NOT_ACCEPTED = "role-not-accepted"


@frozen(kw_only=True)
class EndorsementStatus:
    """The verdict on one endorsement, with what its protected header claims (when readable)."""

    index: int
    status: Status
    reason: str
    organisation: str | None = None
    role: str | None = None
    signatory: str | None = None
    signed_at: dt.datetime | None = None
    kid: str | None = None
    algorithm: str | None = None
    protected: str | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str | None:
        """The endorsement's fingerprint (see `woda_sharing.keyring.fingerprint`), when readable."""
        return fingerprint(self.protected) if self.protected is not None else None

    @property
    def valid(self) -> bool:
        """Whether this endorsement counts."""
        return self.status is Status.VALID

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --format json``."""
        return {
            "index": self.index,
            "status": self.status.value,
            "reason": self.reason,
            "organisation": self.organisation,
            "role": self.role,
            "signatory": self.signatory,
            "signed_at": self.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.signed_at else None,
            "kid": self.kid,
            "algorithm": self.algorithm,
        }


@frozen(kw_only=True)
class VerificationResult:
    """What verification found about one document; truthy exactly when it verified.

    ``endorsed`` lists the organisations with at least one valid endorsement,
    ``pending`` the expected organisations without one, ``invalid`` the
    organisations named by an endorsement that did not count. ``problems``
    holds document-level reasons (no canonical form, unusable rule, wrong
    charter, no endorsements).
    """

    verified: bool
    kind: str | None
    id: str | None
    version: int | None
    digest: str | None
    rule: str
    rule_met: bool
    endorsements: tuple[EndorsementStatus, ...]
    endorsed: tuple[str, ...]
    pending: tuple[str, ...]
    invalid: tuple[str, ...]
    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.verified

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --format json``."""
        return {
            "verified": self.verified,
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "digest": self.digest,
            "rule": self.rule,
            "rule_met": self.rule_met,
            "endorsed": list(self.endorsed),
            "pending": list(self.pending),
            "invalid": list(self.invalid),
            "problems": list(self.problems),
            "endorsements": [s.as_dict() for s in self.endorsements],
        }


# --------------------------------------------------------------------------- rules


@frozen(kw_only=True)
class _Rule:
    description: str
    expected: frozenset[str]
    roles: frozenset[str] | None  # None: roles cannot be checked (no charter)
    threshold: int  # distinct expected organisations needed
    problems: tuple[str, ...]


def _member_ids(charter: Mapping[str, Any]) -> list[str]:
    members = charter.get("members")
    if not isinstance(members, list):
        return []
    return [m["id"] for m in members if isinstance(m, Mapping) and isinstance(m.get("id"), str)]


def _charter_roles(
    charter: Mapping[str, Any],
) -> tuple[frozenset[str] | None, Mapping[str, Any] | None]:
    rule = charter.get("endorsement")
    if not isinstance(rule, Mapping):
        return None, None
    roles = rule.get("roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        return None, rule
    return frozenset(roles), rule


def _charter_rule(document: Mapping[str, Any]) -> _Rule:
    members = frozenset(_member_ids(document))
    roles, rule = _charter_roles(document)
    problems: list[str] = []
    if not members:
        problems.append("the charter has no members, so its endorsement rule needs nothing")
    if rule is None or roles is None:
        problems.append("the charter's endorsement rule (rule and roles) cannot be read")
        return _Rule(
            description="unreadable",
            expected=members,
            roles=roles,
            threshold=0,
            problems=tuple(problems),
        )
    if rule.get("rule") == "all-members":
        need = len(members)
        description = f"all {need} members"
    elif rule.get("rule") == "threshold" and type(rule.get("threshold")) is int:
        need = rule["threshold"]
        description = f"{need} of {len(members)} members"
        if need > len(members):
            problems.append(f"the threshold {need} exceeds the {len(members)} members")
    else:
        need = 0
        description = "unreadable"
        problems.append("the charter's endorsement rule is neither all-members nor a threshold")
    if need < 1 and not problems:
        problems.append("the endorsement rule needs nothing, so it can never be met")
    description += f", roles: {', '.join(sorted(roles))}"
    return _Rule(
        description=description,
        expected=members,
        roles=roles,
        threshold=need,
        problems=tuple(problems),
    )


def _agreement_rule(
    document: Mapping[str, Any], charter: Mapping[str, Any] | None, charter_digest: str | None
) -> _Rule:
    parties = document.get("parties")
    orgs = frozenset(
        p["organisation"]
        for p in (parties if isinstance(parties, list) else [])
        if isinstance(p, Mapping) and isinstance(p.get("organisation"), str)
    )
    problems: list[str] = []
    if not orgs:
        problems.append("the agreement has no parties, so its endorsement rule needs nothing")
    roles: frozenset[str] | None = None
    if charter is None:
        problems.append(
            "no charter given: the roles that may endorse the agreement cannot be checked"
        )
    else:
        roles, _ = _charter_roles(charter)
        if roles is None:
            problems.append("the charter's endorsement roles cannot be read")
        if charter.get("kind") != "charter":
            problems.append("the charter given is not a document of kind charter")
        if charter_digest is None:
            problems.append("the charter given has no canonical form, so its digest is unknown")
        elif not _names_charter(document.get("charter"), charter, charter_digest):
            problems.append(
                "the charter given is not the exact charter version the agreement names"
            )
        members = frozenset(_member_ids(charter))
        outsiders = sorted(orgs - members)
        if outsiders:
            problems.append(f"parties are not charter members: {', '.join(outsiders)}")
    description = f"every party organisation ({len(orgs)})"
    if roles:
        description += f", roles: {', '.join(sorted(roles))}"
    return _Rule(
        description=description,
        expected=orgs,
        roles=roles,
        threshold=len(orgs),
        problems=tuple(problems),
    )


def _names_charter(ref: object, charter: Mapping[str, Any], charter_digest: str) -> bool:
    """Whether the agreement's charter reference *ref* names exactly *charter* (id, version, digest)."""
    if not isinstance(ref, Mapping):
        return False
    ref_id, ref_version, ref_digest = ref.get("id"), ref.get("version"), ref.get("digest")
    version = charter.get("version")
    return (
        isinstance(ref_id, str)
        and ref_id == charter.get("id")
        and type(ref_version) is int  # never True for 1: a bool is not a version
        and type(version) is int
        and ref_version == version
        and isinstance(ref_digest, str)
        and ref_digest == charter_digest
    )


# --------------------------------------------------------------------------- endorse


def _is_name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _SIGNATORY_MAX and value.isprintable()


def _check_id(value: object, what: str) -> str:
    if not is_id(value):
        raise SigningError(
            f"{what} {value!r} is not an id (lower-case letters, digits, single hyphens)"
        )
    return value


def _check_arguments(
    organisation: str, role: str, signatory: str | None, signed_at: dt.datetime
) -> None:
    _check_id(organisation, "organisation")
    _check_id(role, "role")
    if signatory is not None and not _is_name(signatory):
        raise SigningError(f"signatory must be 1 to {_SIGNATORY_MAX} printable characters")
    if not isinstance(signed_at, dt.datetime):
        raise SigningError(f"signed_at is a datetime, not a {type(signed_at).__name__}")
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise SigningError("signed_at must be timezone-aware")
    try:
        seconds = signed_at.timestamp()
    except (OverflowError, ValueError):
        seconds = -1.0
    if not (seconds >= 0 and int(seconds) <= _MAX_IAT):
        # Verification calls such an iat malformed: refuse to make what would never count.
        raise SigningError(
            "signed_at must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        )


def endorse(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    organisation: str,
    role: str,
    signatory: str | None = None,
    signed_at: dt.datetime,
) -> dict[str, Any]:
    """Return a copy of *document* with a new endorsement by *organisation* appended.

    *signer* signs for *organisation* in *role* at *signed_at* (timezone-aware).
    The organisation must be a member of the charter (for a charter) or a party
    organisation (for an agreement); for a charter the role must be one of its
    endorsement roles. Raises `SigningError` when the endorsement cannot be made.
    """
    if not isinstance(document, Mapping):
        raise SigningError("only a JSON object can be endorsed")
    kind = document.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise SigningError(f"a document of kind {kind!r} cannot be endorsed (charter or agreement)")
    doc_id = _check_id(document.get("id"), "document id")
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise SigningError("the document has no positive integer version")
    _check_arguments(organisation, role, signatory, signed_at)
    existing = document.get("endorsements", [])
    if not isinstance(existing, list):
        raise SigningError("the document's endorsements member is not an array")
    rule = _charter_rule(document) if kind == "charter" else _agreement_rule(document, None, None)
    if organisation not in rule.expected:
        noun = (
            "member of the charter" if kind == "charter" else "party organisation of the agreement"
        )
        raise SigningError(f"{organisation!r} is not a {noun}")
    if kind == "charter" and rule.roles is not None and role not in rule.roles:
        raise SigningError(f"role {role!r} is not one of the charter's endorsement roles")
    algorithm = signer.algorithm
    if algorithm not in ALGORITHMS:
        raise SigningError(f"signer algorithm {algorithm!r} is not supported")
    try:
        payload = canonical.signed_bytes(document)
        public_key, alg = check_public_jwk(signer.public_jwk)
    except (CanonicalizationError, KeyMaterialError) as e:
        raise SigningError(str(e)) from e
    if alg.name != algorithm or signer.public_jwk.get("kid") != signer.key_id:
        raise SigningError("the signer's algorithm or key id does not match its public key")
    header: dict[str, Any] = {
        "alg": algorithm,
        "kid": signer.key_id,
        "typ": TYP,
        "iat": int(signed_at.timestamp()),
        "woda_kind": kind,
        "woda_id": doc_id,
        "woda_version": version,
        "woda_digest": canonical.digest_of(payload),
        "woda_org": organisation,
        "woda_role": role,
    }
    if signatory is not None:
        header["woda_signatory"] = signatory
    protected = b64url_encode(bytes(rfc8785.dumps(header)))
    signing_input = protected.encode("ascii") + b"." + b64url_encode(payload).encode("ascii")
    signature = signer.sign(signing_input)
    if not verify_signature(alg, public_key, signature, signing_input):
        raise SigningError(
            "the signer produced a signature that does not verify with its own public key"
        )
    result = dict(document)
    result["endorsements"] = [
        *existing,
        {"protected": protected, "signature": b64url_encode(signature)},
    ]
    return result


# --------------------------------------------------------------------------- verify


@frozen(kw_only=True)
class _Context:
    kind: str
    id: object
    version: object
    digest: str
    payload_b64: bytes
    keyring: Keyring
    rule: _Rule
    at: dt.datetime


def _bad(index: int, status: Status, reason: str, **claims: Any) -> EndorsementStatus:
    return EndorsementStatus(index=index, status=status, reason=reason, **claims)


def _check_names(header: Mapping[str, Any]) -> tuple[Status, str] | None:  # noqa: PLR0911 - one return per refusal
    names = header.keys()
    embedded = sorted(names & _EMBEDDED_KEYS)
    if embedded:
        keys = ", ".join(embedded)
        return Status.EMBEDDED_KEY, f"the header carries a key ({keys}); keys come from the keyring"
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        return (
            Status.ALGORITHM_REFUSED,
            f"algorithm {alg!r} is refused (only {', '.join(ALGORITHMS)})",
        )
    if "crit" in header:
        crit = header["crit"]
        if (
            not isinstance(crit, list)
            or not crit
            or not all(isinstance(c, str) for c in crit)
            or len(set(crit)) != len(crit)
        ):
            return Status.MALFORMED, "crit must be a non-empty array of distinct names"
        unknown = sorted(c for c in crit if not c.startswith(HEADER_PREFIX) or c not in names)
        if unknown:
            return (
                Status.UNKNOWN_CRITICAL,
                f"critical header names not understood: {', '.join(map(repr, unknown))}",
            )
    missing = sorted(_REQUIRED - names)
    if missing:
        return Status.MALFORMED, f"the header lacks {', '.join(missing)}"
    extra = sorted(names - _ALLOWED)
    if extra:
        return (
            Status.MALFORMED,
            f"the header has names this format does not define: {', '.join(map(repr, extra))}",
        )
    return None


def _check_header(header: Mapping[str, Any]) -> tuple[Status, str] | None:  # noqa: PLR0911 - one return per refusal reads best
    names = header.keys()
    if (
        "crit" in header
        or not names >= _REQUIRED
        or not names <= _ALLOWED
        or not isinstance(header["alg"], str)
        or header["alg"] not in ALGORITHMS
    ):
        refused = _check_names(header)
        if refused is not None:
            return refused
    if header["typ"] != TYP:
        return Status.MALFORMED, f"typ is {header['typ']!r}, not {TYP!r}"
    for name in ("kid", "woda_kind", "woda_id", "woda_digest"):
        if not isinstance(header[name], str):
            return Status.MALFORMED, f"{name} is not a string"
    if not _KID.fullmatch(header["kid"]):
        return Status.MALFORMED, "kid is not an RFC 7638 thumbprint (43 base64url characters)"
    for name in ("woda_org", "woda_role"):
        value = header[name]
        if not is_id(value):
            return Status.MALFORMED, f"{name} is not an id"
    if type(header["iat"]) is not int or header["iat"] < 0:
        return Status.MALFORMED, "iat is not a non-negative integer"
    if type(header["woda_version"]) is not int:
        return Status.MALFORMED, "woda_version is not an integer"
    signatory = header.get("woda_signatory")
    if signatory is not None and not _is_name(signatory):
        return Status.MALFORMED, "woda_signatory is not 1 to 200 printable characters"
    return None


def _check_one(index: int, endorsement: object, ctx: _Context) -> EndorsementStatus:  # noqa: PLR0911, PLR0912 - one early return per status
    if not isinstance(endorsement, Mapping):
        return _bad(index, Status.MALFORMED, "an endorsement is a JSON object")
    if set(endorsement) != {"protected", "signature"}:
        return _bad(
            index,
            Status.MALFORMED,
            "an endorsement has exactly the members protected and signature "
            "(no payload, no unprotected header, one signature)",
        )
    protected = endorsement["protected"]
    try:
        header = parse_header_json(b64url_decode(protected, what="protected"))
        signature = b64url_decode(endorsement["signature"], what="signature")
    except JoseFormatError as e:
        return _bad(index, Status.MALFORMED, str(e))
    refused = _check_header(header)
    if refused is not None:
        return _bad(index, refused[0], refused[1])
    org, role, kid, alg = header["woda_org"], header["woda_role"], header["kid"], header["alg"]
    signed_at = (
        dt.datetime.fromtimestamp(header["iat"], tz=dt.UTC) if header["iat"] <= _MAX_IAT else None
    )
    claims: dict[str, Any] = {
        "organisation": org,
        "role": role,
        "signatory": header.get("woda_signatory"),
        "signed_at": signed_at,
        "kid": kid,
        "algorithm": alg,
        "protected": protected,
    }
    if signed_at is None:
        return _bad(index, Status.MALFORMED, "iat is implausibly far in the future", **claims)
    document = {"kind": ctx.kind, "id": ctx.id, "version": ctx.version}
    for name, member in _CLAIMS:
        if header[name] != document[member] or type(header[name]) is not type(document[member]):
            return _bad(
                index,
                Status.DOCUMENT_CHANGED,
                f"signed for {member} {header[name]!r}, the document has {document[member]!r}",
                **claims,
            )
    if header["woda_digest"] != ctx.digest:
        return _bad(
            index,
            Status.DOCUMENT_CHANGED,
            "the document changed after it was signed (digest differs)",
            **claims,
        )
    entry = ctx.keyring.get(kid)
    if entry is None:
        return _bad(index, Status.UNKNOWN_KEY, f"no key {kid} in the keyring", **claims)
    if entry.organisation != org:
        return _bad(
            index,
            Status.KEY_OF_OTHER_ORGANISATION,
            f"key {kid} belongs to {entry.organisation!r}, not {org!r}",
            **claims,
        )
    if entry.algorithm.name != alg:
        return _bad(
            index,
            Status.ALGORITHM_MISMATCH,
            f"key {kid} signs with {entry.algorithm.name}, not {alg}",
            **claims,
        )
    if entry.status is KeyStatus.COMPROMISED:
        return _bad(
            index,
            Status.KEY_COMPROMISED,
            f"key {kid} is compromised; none of its signatures counts",
            **claims,
        )
    signing_input = protected.encode("ascii") + b"." + ctx.payload_b64
    if not verify_signature(entry.algorithm, entry.public_key, signature, signing_input):
        return _bad(index, Status.BAD_SIGNATURE, "the signature does not verify", **claims)
    timing = _check_time(entry, signed_at, protected, ctx.at)
    if timing is not None:
        return _bad(index, timing[0], timing[1], **claims)
    if org not in ctx.rule.expected:
        return _bad(
            index, Status.ORGANISATION_NOT_EXPECTED, f"{org!r} is not expected to endorse", **claims
        )
    if ctx.rule.roles is not None and role not in ctx.rule.roles:
        return _bad(
            index,
            Status.ROLE_NOT_ACCEPTED,
            f"role {role!r} is not accepted by the charter",
            **claims,
        )
    return _bad(index, Status.VALID, "valid", **claims)


def _check_time(
    entry: KeyEntry, signed_at: dt.datetime, protected: str, at: dt.datetime
) -> tuple[Status, str] | None:
    if signed_at > at:
        return Status.SIGNED_IN_FUTURE, "the signing time is later than the verification time"
    if signed_at < entry.not_before or (
        entry.not_after is not None and signed_at >= entry.not_after
    ):
        return Status.KEY_NOT_VALID_AT_SIGNING_TIME, "signed outside the key's validity window"
    if entry.status is KeyStatus.RETIRED:
        if (
            fingerprint(protected) in entry.honoured
            and entry.retired_at is not None
            and signed_at <= entry.retired_at
        ):
            return None
        return (
            Status.KEY_RETIRED,
            "the key is retired and this endorsement is not among those it honours",
        )
    if entry.not_after is not None and at >= entry.not_after:
        return (
            Status.KEY_EXPIRED,
            "the key's window has ended; retire it to honour its endorsements",
        )
    return None


def verify(
    document: Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    charter: Mapping[str, Any] | None = None,
    at: dt.datetime,
) -> VerificationResult:
    """Verify every endorsement of *document* against *keyring* at time *at*.

    *charter* is the charter an agreement sits under (ignored for a charter,
    which carries its own rule). Never raises for a bad document; raises
    `KeyringError` when the keyring itself is refused and `UsageError` when
    *at* is not a timezone-aware datetime, or *document* or *charter* is not
    a mapping.
    """
    when: object = at  # the annotation is a promise the caller may break
    if not isinstance(when, dt.datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise UsageError("at must be a timezone-aware datetime")
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    if not isinstance(document, Mapping):
        raise UsageError(f"a document is a mapping, not a {type(document).__name__}")
    if charter is not None and not isinstance(charter, Mapping):
        raise UsageError(f"a charter is a mapping, not a {type(charter).__name__}")
    kind = document.get("kind")
    ident = document.get("id")
    version = document.get("version")
    head: dict[str, Any] = {
        "kind": kind if isinstance(kind, str) else None,
        "id": ident if isinstance(ident, str) else None,
        "version": version if type(version) is int else None,
    }
    if not isinstance(kind, str) or kind not in _KINDS:
        return _unverified(head, f"a document of kind {kind!r} carries no endorsements")
    try:
        payload = canonical.signed_bytes(document)
    except CanonicalizationError as e:
        return _unverified(head, str(e))
    digest = canonical.digest_of(payload)
    if kind == "charter":
        rule = _charter_rule(document)
    else:
        charter_digest = None
        if charter is not None:
            try:
                charter_digest = canonical.digest(charter)
            except CanonicalizationError:
                charter_digest = None
        rule = _agreement_rule(document, charter, charter_digest)
    ctx = _Context(
        kind=kind,
        id=ident,
        version=version,
        digest=digest,
        payload_b64=b64url_encode(payload).encode("ascii"),
        keyring=ring,
        rule=rule,
        at=at,
    )
    raw = document.get("endorsements", [])
    problems = list(rule.problems)
    if not isinstance(raw, list):
        problems.append("the endorsements member is not an array")
        raw = []
    statuses = tuple(_check_one(i, e, ctx) for i, e in enumerate(raw))
    if not statuses:
        problems.append("the document has no endorsements")
    endorsed = {s.organisation for s in statuses if s.valid and s.organisation}
    invalid = {s.organisation for s in statuses if not s.valid and s.organisation} - endorsed
    counted = len(endorsed & rule.expected)
    rule_met = not rule.problems and rule.threshold >= 1 and counted >= rule.threshold
    return VerificationResult(
        verified=rule_met and not problems and all(s.valid for s in statuses),
        digest=digest,
        rule=rule.description,
        rule_met=rule_met,
        endorsements=statuses,
        endorsed=tuple(sorted(endorsed)),
        pending=tuple(sorted(rule.expected - endorsed)),
        invalid=tuple(sorted(invalid)),
        problems=tuple(problems),
        **head,
    )


def _unverified(head: Mapping[str, Any], problem: str) -> VerificationResult:
    return VerificationResult(
        verified=False,
        digest=None,
        rule="unknown",
        rule_met=False,
        endorsements=(),
        endorsed=(),
        pending=(),
        invalid=(),
        problems=(problem,),
        **head,
    )


def require_verified(
    document: Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    charter: Mapping[str, Any] | None = None,
    at: dt.datetime,
) -> VerificationResult:
    """Verify like `verify`, and raise `VerificationError` unless the document verified."""
    result = verify(document, keyring, charter=charter, at=at)
    if not result:
        reasons = [*result.problems]
        reasons += [
            f"endorsement {s.index}: {s.status.value}: {s.reason}"
            for s in result.endorsements
            if not s.valid
        ]
        if not reasons and result.pending:
            reasons.append(f"pending: {', '.join(result.pending)}")
        raise VerificationError(
            f"{result.kind or 'document'} {result.id or '?'} is not verified: {'; '.join(reasons) or 'rule not met'}",
            result=result,
        )
    return result


def honourable(
    document: Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    kid: str,
    at: dt.datetime,
    charter: Mapping[str, Any] | None = None,
) -> tuple[str, ...]:
    """Fingerprints of *document*'s endorsements by key *kid* that are valid at *at*.

    Pass them to `woda_sharing.keyring.retire_key` so these endorsements keep
    counting after the key is retired, and nothing else signed by it does.
    """
    result = verify(document, keyring, charter=charter, at=at)
    return tuple(
        s.fingerprint for s in result.endorsements if s.valid and s.kid == kid and s.fingerprint
    )


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
