"""Endorsements: sign an exact version of a document, and verify who has endorsed it.

An endorsement is a JWS (RFC 7515) in flattened JSON serialization with a
detached payload, stored in the document's top-level ``endorsements`` array;
its wire form and protected-header grammar live in the private module
``_jws`` (``docs/reference/endorsement-format.md``). This module holds the
policy: who must sign (`endorsement_requirement`, read from the typed
`Charter` or `Agreement`, the one reading rule WS601 shares) and the verdict
on each endorsement (keys, status, time).

`verify` returns a `VerificationResult` (truthy when verified) and never
raises for a bad document, including one that does not structure as a
`Charter` or `Agreement`; `require_verified` is its raising twin. The
canonical bytes, their base64url form and the digest are computed once per
document, never once per endorsement.

Endorsement rule: for a charter, the charter's own ``endorsement`` rule
(``all-members`` or ``threshold``) over its ``members``, with its ``roles``.
For an agreement, every distinct party organisation must endorse, with a
role from the charter's ``endorsement.roles``; the charter must be given,
structure as a `Charter`, have a canonical form and be the exact version the
agreement names (id, version and digest). The charter's own endorsements are
not checked here. Distinct organisations are counted, never signatures.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import field, frozen

from woda_sharing import _canonical as canonical
from woda_sharing import _jws
from woda_sharing._codec import structure, structure_schema_valid
from woda_sharing._endorsement import EndorsementRequirement, endorsement_requirement
from woda_sharing._jose import b64url_encode
from woda_sharing._jws import HEADER_PREFIX, TYP, from_compact, to_compact
from woda_sharing._keyring import KeyEntry, Keyring, KeyStatus, fingerprint
from woda_sharing._keys import ALGORITHMS, Signer, check_public_jwk, verify_signature
from woda_sharing._model import Agreement, Charter, is_id
from woda_sharing._schema import fast_is_valid
from woda_sharing.exceptions import (
    CanonicalizationError,
    DocumentError,
    EndorsementRefused,
    KeyMaterialError,
    SigningError,
    UsageError,
    VerificationError,
)

__all__ = [
    "HEADER_PREFIX",
    "TYP",
    "EndorsementRequirement",
    "EndorsementStatus",
    "PreparedCharter",
    "Status",
    "VerificationResult",
    "endorse",
    "endorsed_by_keyring",
    "endorsement_refusals",
    "endorsement_requirement",
    "from_compact",
    "honourable",
    "prepare_charter",
    "require_verified",
    "to_compact",
    "verify",
    "withdraw",
]

#: The requirement of a document that does not structure: nothing can meet it.
_UNKNOWN: Final = EndorsementRequirement(
    description="unknown", expected=frozenset(), roles=None, threshold=0, problems=()
)
_KINDS: Final = frozenset({"charter", "agreement"})
_CLAIMS: Final = (("kind", "kind"), ("id", "id"), ("version", "version"))


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
        """The endorsement's fingerprint (``sha256:`` over its protected header, as `woda_sharing.retire_key` honours), when readable."""
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

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the document is not verified, one sentence each; empty when it is.

        The document-level problems first, then each endorsement that does not
        count (its index, organisation, status and reason), then each expected
        organisation that has not endorsed. When none of these applies and the
        rule is still not met, that is the reason.
        """
        if self.verified:
            return ()
        out = list(self.problems)
        out += [
            f"endorsement {s.index} ({s.organisation or 'organisation unknown'}):"
            f" {s.status.value}: {s.reason}"
            for s in self.endorsements
            if not s.valid
        ]
        if not self.rule_met:
            out += [f"{org} has not endorsed" for org in self.pending]
        if not out:
            out.append(f"the endorsement rule ({self.rule}) is not met")
        return tuple(out)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --format json``."""
        return {
            "verified": self.verified,
            "reasons": list(self.reasons),
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


def _typed(document: Mapping[str, Any], kind: str) -> Charter | Agreement:
    """Structure *document* (its endorsements aside) as *kind*, raising `DocumentError`."""
    content = {k: v for k, v in document.items() if k != "endorsements"}
    cls: type[Charter | Agreement] = Charter if kind == "charter" else Agreement
    if fast_is_valid(
        kind, content
    ):  # the compiled schema says yes: the trusted converter may type it
        return structure_schema_valid(content, cls)
    return structure(content, cls)


# --------------------------------------------------------------------------- endorse


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
    if signatory is not None and not _jws.is_name(signatory):
        raise SigningError(f"signatory must be 1 to {_jws.SIGNATORY_MAX} printable characters")
    if not isinstance(signed_at, dt.datetime):
        raise SigningError(f"signed_at is a datetime, not a {type(signed_at).__name__}")
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise SigningError("signed_at must be timezone-aware")
    try:
        seconds = signed_at.timestamp()
    except (OverflowError, ValueError):
        seconds = -1.0
    if not (seconds >= 0 and int(seconds) <= _jws.MAX_IAT):
        # Verification calls such an iat malformed: refuse to make what would never count.
        raise SigningError(
            "signed_at must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        )


def _suggest(word: str, choices: Iterable[str]) -> str:
    from woda_sharing._plain import did_you_mean  # noqa: PLC0415 - only a refusal needs it

    match = did_you_mean(word, choices)
    return f"; did you mean {match!r}?" if match else ""


def _rule_under(
    typed: Charter | Agreement, charter: Mapping[str, Any] | None, reasons: list[str]
) -> EndorsementRequirement:
    """*typed*'s endorsement rule, under *charter* for an agreement (adding to *reasons* why not)."""
    if isinstance(typed, Charter) or charter is None:
        return endorsement_requirement(typed)
    given = _given_charter(charter)
    if given.charter is None:
        reasons.append(str(given.problem))
        return endorsement_requirement(typed)
    ref = typed.charter
    if (ref.id, ref.version, ref.digest) != (given.charter.id, given.charter.version, given.digest):
        reasons.append(
            "the charter given is not the exact charter version the agreement names"
            " (id, version and digest)"
        )
    return endorsement_requirement(typed, charter=given.charter)


def endorsement_refusals(
    document: Mapping[str, Any],
    *,
    organisation: str,
    role: str,
    charter: Mapping[str, Any] | None = None,
    amends: Mapping[str, Any] | None = None,
) -> tuple[str, ...]:
    """Why `verify` would not count an endorsement of *document* by *organisation* in *role*.

    Everything that can be known before a key is read: the document has a
    canonical form and structures as a charter or agreement; its endorsement
    rule can be met; the organisation is a member (or a party organisation,
    or one of *amends*, the version *document* supersedes); the role is one
    the charter accepts; and, for an agreement, *charter* is the exact
    version the agreement names. An agreement's roles are checked only when
    *charter* is given. Each reason is a sentence, with a did-you-mean when
    a near id exists. An empty tuple means nothing stands in the way.
    """
    given: object = document  # the annotation is a promise the caller may break
    if not isinstance(given, Mapping):
        return ("only a JSON object can be endorsed",)
    kind = document.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        return (f"a document of kind {kind!r} cannot be endorsed (charter or agreement)",)
    try:
        canonical.signed_bytes(document)
        typed = _typed(document, kind)
    except (CanonicalizationError, DocumentError) as e:
        return (str(e),)
    reasons: list[str] = []
    rule = _rule_under(typed, charter, reasons)
    reasons.extend(rule.problems)
    expected, roles = rule.expected, rule.roles
    if amends is not None:
        try:
            old = _amended_requirement(document, amends, kind)
        except (SigningError, CanonicalizationError, DocumentError) as e:
            reasons.append(str(e))
        else:
            expected = expected | old.expected
            roles = None if roles is None or old.roles is None else roles | old.roles
    if not is_id(organisation):
        reasons.append(
            f"organisation {organisation!r} is not an id (lower-case letters, digits, single hyphens)"
        )
    elif organisation not in expected:
        noun = (
            "member of the charter" if kind == "charter" else "party organisation of the agreement"
        )
        reasons.append(f"{organisation!r} is not a {noun}{_suggest(organisation, expected)}")
    if roles is not None and role not in roles:
        reasons.append(
            f"role {role!r} is not one the charter accepts ({', '.join(sorted(roles))})"
            f"{_suggest(role, roles)}"
        )
    return tuple(reasons)


def endorse(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    organisation: str,
    role: str,
    signatory: str | None = None,
    signed_at: dt.datetime,
    amends: Mapping[str, Any] | None = None,
    charter: Mapping[str, Any] | None = None,
    keyring: Keyring | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a copy of *document* with a new endorsement by *organisation* appended.

    *signer* signs for *organisation* in *role* at *signed_at* (timezone-aware).
    The organisation must be a member of the charter (for a charter) or a party
    organisation (for an agreement); the role must be one the charter accepts
    (for an agreement, checked when its *charter* is given). *amends* is the
    version *document* supersedes: its members (or parties), in its roles,
    may endorse too, to consent to the amendment as
    `woda_sharing.verify_update` requires (a member the amendment removes,
    for instance). With *keyring*, the new endorsement is checked against it
    as `verify` would check it at *signed_at*: a key the keyring does not
    hold, holds for another organisation, or holds as compromised, retired or
    outside its window is refused. Raises `SigningError` when the endorsement
    cannot be made, and `EndorsementRefused` (a `SigningError`) when it
    would not count; `endorsement_refusals` lists the reasons without signing.
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
    refusals = endorsement_refusals(
        document, organisation=organisation, role=role, charter=charter, amends=amends
    )
    if refusals:
        raise EndorsementRefused(refusals)
    ring = (
        None
        if keyring is None
        else keyring
        if isinstance(keyring, Keyring)
        else Keyring.from_data(keyring)
    )
    payload = canonical.signed_bytes(document)
    algorithm = signer.algorithm
    if algorithm not in ALGORITHMS:
        raise SigningError(f"signer algorithm {algorithm!r} is not supported")
    try:
        public_key, alg = check_public_jwk(signer.public_jwk)
    except KeyMaterialError as e:
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
    protected = _jws.encode_header(header)
    signing_input = _jws.signing_input(protected, b64url_encode(payload).encode("ascii"))
    signature = signer.sign(signing_input)
    if not verify_signature(alg, public_key, signature, signing_input):
        raise SigningError(
            "the signer produced a signature that does not verify with its own public key"
        )
    made = {"protected": protected, "signature": b64url_encode(signature)}
    if ring is not None:
        _check_against(ring, made, signed_at)
    result = dict(document)
    result["endorsements"] = [*existing, made]
    return result


def _check_against(ring: Keyring, endorsement: Mapping[str, str], signed_at: dt.datetime) -> None:
    """Refuse *endorsement* when *ring* would not count its key at *signed_at*."""
    parsed = _jws.parse(endorsement)
    entry = _check_key(ring.get(parsed.header.kid), parsed.header)
    if isinstance(entry, tuple):
        raise EndorsementRefused([f"the keyring would not accept this endorsement: {entry[1]}"])
    timing = _check_time(entry, signed_at, parsed.protected, signed_at)
    if timing is not None:
        raise EndorsementRefused([f"the keyring would not accept this endorsement: {timing[1]}"])


def withdraw(
    document: Mapping[str, Any], *, organisation: str, kid: str | None = None
) -> dict[str, Any]:
    """Return a copy of *document* without *organisation*'s endorsements (only those by key *kid*, when given).

    An organisation withdraws its consent while the document is still being
    signed: once every organisation that must endorse this exact version has
    (as the endorsements' headers claim), withdrawing would undo a completed
    sign-off, so it is refused: amend the document instead (a new version,
    `endorse` with ``amends``). Endorsements whose header cannot be read
    are kept, since nobody can say whose they are. Raises `EndorsementRefused`
    when nothing is withdrawn or withdrawing is refused, `SigningError` when
    the document carries no endorsements to withdraw.
    """
    if not isinstance(document, Mapping):
        raise SigningError("only a JSON object carries endorsements")
    kind = document.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise SigningError(f"a document of kind {kind!r} carries no endorsements")
    existing = document.get("endorsements", [])
    if not isinstance(existing, list):
        raise SigningError("the document's endorsements member is not an array")
    try:
        digest = canonical.digest_of(canonical.signed_bytes(document))
        rule = endorsement_requirement(_typed(document, kind))
    except (CanonicalizationError, DocumentError) as e:
        raise SigningError(str(e)) from e
    this_version = (kind, document.get("id"), document.get("version"), digest)
    signed: set[str] = set()
    keep: list[Any] = []
    for endorsement in existing:
        try:
            header = _jws.parse(endorsement).header
        except _jws.Refused:
            keep.append(endorsement)
            continue
        if (header.kind, header.id, header.version, header.digest) == this_version:
            signed.add(header.org)
        if not (header.org == organisation and kid in (None, header.kid)):
            keep.append(endorsement)
    if len(keep) == len(existing):
        by_key = f" with key {kid}" if kid is not None else ""
        raise EndorsementRefused([f"{organisation!r} has no endorsement{by_key} in the document"])
    if not rule.problems and len(signed & rule.expected) >= max(rule.threshold, 1):
        raise EndorsementRefused(
            [
                (
                    f"every organisation that must endorse {kind} {document.get('id')}"
                    f" v{document.get('version')} has endorsed it: withdrawing now would undo a"
                    " completed sign-off; amend it instead (a new version that supersedes it)"
                )
            ]
        )
    result = dict(document)
    result["endorsements"] = keep
    return result


def _who_may_endorse(
    document: Mapping[str, Any], kind: str, amends: Mapping[str, Any] | None
) -> tuple[frozenset[str], frozenset[str] | None]:
    """The organisations and roles that may endorse *document* (and *amends*, when given)."""
    rule = endorsement_requirement(_typed(document, kind))
    if amends is None:
        return rule.expected, rule.roles
    old = _amended_requirement(document, amends, kind)
    roles = None if rule.roles is None or old.roles is None else rule.roles | old.roles
    return rule.expected | old.expected, roles


def _amended_requirement(
    document: Mapping[str, Any], amends: Mapping[str, Any], kind: str
) -> EndorsementRequirement:
    """Who had to endorse *amends*, the version *document* supersedes (checked by its digest)."""
    given: object = amends
    if not isinstance(given, Mapping) or amends.get("kind") != kind:
        raise SigningError(f"amends must be the {kind} version this document supersedes")
    link = document.get("supersedes")
    digest = canonical.digest(amends)
    if not (
        isinstance(link, Mapping)
        and link.get("digest") == digest
        and link.get("version") == amends.get("version")
        and amends.get("id") == document.get("id")
    ):
        raise SigningError("the document does not supersede the version given as amends")
    return endorsement_requirement(_typed(amends, kind))


# --------------------------------------------------------------------------- verify


@frozen(kw_only=True)
class _Context:
    kind: str
    id: object
    version: object
    digest: str
    payload_b64: bytes
    keyring: Keyring
    rule: EndorsementRequirement
    at: dt.datetime


def _bad(index: int, status: Status, reason: str, **claims: Any) -> EndorsementStatus:
    return EndorsementStatus(index=index, status=status, reason=reason, **claims)


def _check_one(index: int, endorsement: object, ctx: _Context) -> EndorsementStatus:  # noqa: PLR0911 - one early return per status
    try:
        parsed = _jws.parse(endorsement)
    except _jws.Refused as e:
        return _bad(index, Status(e.status), e.reason)
    header, protected = parsed.header, parsed.protected
    org, role, kid, alg = header.org, header.role, header.kid, header.alg
    signed_at = (
        dt.datetime.fromtimestamp(header.iat, tz=dt.UTC) if header.iat <= _jws.MAX_IAT else None
    )
    claims: dict[str, Any] = {
        "organisation": org,
        "role": role,
        "signatory": header.signatory,
        "signed_at": signed_at,
        "kid": kid,
        "algorithm": alg,
        "protected": protected,
    }
    if signed_at is None:
        return _bad(index, Status.MALFORMED, "iat is implausibly far in the future", **claims)
    document = {"kind": ctx.kind, "id": ctx.id, "version": ctx.version}
    for name, member in _CLAIMS:
        claimed = getattr(header, name)
        if claimed != document[member] or type(claimed) is not type(document[member]):
            return _bad(
                index,
                Status.DOCUMENT_CHANGED,
                f"signed for {member} {claimed!r}, the document has {document[member]!r}",
                **claims,
            )
    if header.digest != ctx.digest:
        return _bad(
            index,
            Status.DOCUMENT_CHANGED,
            "the document changed after it was signed (digest differs)",
            **claims,
        )
    entry = _check_key(ctx.keyring.get(kid), header)
    if isinstance(entry, tuple):
        return _bad(index, entry[0], entry[1], **claims)
    signing_input = _jws.signing_input(protected, ctx.payload_b64)
    if not verify_signature(entry.algorithm, entry.public_key, parsed.signature, signing_input):
        return _bad(index, Status.BAD_SIGNATURE, "the signature does not verify", **claims)
    timing = _check_time(entry, signed_at, protected, ctx.at)
    if timing is not None:
        return _bad(index, timing[0], timing[1], **claims)
    if ctx.rule is not _UNKNOWN and org not in ctx.rule.expected:
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


def _check_key(entry: KeyEntry | None, header: _jws.Header) -> KeyEntry | tuple[Status, str]:
    """The keyring entry that may have made the endorsement, or the status refusing it."""
    kid, org, alg = header.kid, header.org, header.alg
    if entry is None:
        return Status.UNKNOWN_KEY, f"no key {kid} in the keyring"
    if entry.organisation != org:
        return (
            Status.KEY_OF_OTHER_ORGANISATION,
            f"key {kid} belongs to {entry.organisation!r}, not {org!r}",
        )
    if entry.algorithm.name != alg:
        return Status.ALGORITHM_MISMATCH, f"key {kid} signs with {entry.algorithm.name}, not {alg}"
    if entry.status is KeyStatus.COMPROMISED:
        return (
            Status.KEY_COMPROMISED,
            f"key {kid} is compromised; none of its signatures counts",
        )
    return entry


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
    charter: Mapping[str, Any] | PreparedCharter | None = None,
    at: dt.datetime,
) -> VerificationResult:
    """Verify every endorsement of *document* against *keyring* at time *at*.

    *charter* is the charter an agreement sits under (ignored for a charter,
    which carries its own rule): its wire form, or a `PreparedCharter` (see
    `prepare_charter`) when many agreements are verified under one charter.
    Give a `Keyring` rather than its wire form for the same reason. Never
    raises for a bad document; raises
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
    if isinstance(charter, PreparedCharter):
        given: PreparedCharter | None = charter
    elif charter is None:
        given = None
    elif isinstance(charter, Mapping):
        given = prepare_charter(charter)
    else:
        raise UsageError(f"a charter is a mapping, not a {type(charter).__name__}")
    return _verify(document, ring, given, at)


@frozen
class PreparedCharter:
    """A charter read once for verifying the agreements under it: typed, with its digest, or why it cannot serve.

    Make one with `prepare_charter` and pass it as ``charter=`` to `verify`:
    verifying many agreements under one charter then types and digests the
    charter once, not once per agreement. A charter that cannot serve (no
    canonical form, not a charter, does not structure) is still prepared; it
    carries the reason in ``problem``, and every agreement verified under it
    says so and does not count as endorsed (fails closed).
    """

    #: The typed charter, or ``None`` when it cannot serve.
    charter: Charter | None
    #: Its SHA-256 digest (``sha256:...``), or ``None`` when it has no canonical form.
    digest: str | None
    #: Why it cannot serve, or ``None``.
    problem: str | None


def prepare_charter(charter: Mapping[str, Any]) -> PreparedCharter:
    """Read *charter* (its wire form, as endorsed) once for `verify`: type it and compute its digest.

    Never raises for a bad charter: the `PreparedCharter` records why it
    cannot serve. Raises `UsageError` when *charter* is not a mapping.
    """
    given: object = charter
    if not isinstance(given, Mapping):
        raise UsageError(f"a charter is a mapping, not a {type(given).__name__}")
    try:
        digest = canonical.digest(charter)
    except CanonicalizationError:
        return PreparedCharter(
            None, None, "the charter given has no canonical form, so its digest is unknown"
        )
    if charter.get("kind") != "charter":
        return PreparedCharter(None, digest, "the charter given is not a document of kind charter")
    try:
        typed = structure({k: v for k, v in charter.items() if k != "endorsements"}, Charter)
    except DocumentError as e:
        return PreparedCharter(None, digest, f"the charter given does not structure: {e}")
    return PreparedCharter(typed, digest, None)


_given_charter = prepare_charter  # the name the batch verifiers use


def _verify(
    document: Mapping[str, Any],
    ring: Keyring,
    given: PreparedCharter | None,
    at: dt.datetime,
) -> VerificationResult:
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
    problems: list[str] = []
    typed: Charter | Agreement | None
    try:
        # The rule is read from the typed document; endorsements are judged one by one below.
        typed = _typed(document, kind)
    except DocumentError as e:
        # Still judge every endorsement (signature, key, time), but nothing can count.
        typed = None
        problems.append(f"the {kind} does not structure: {e}")
    if typed is None:
        rule = _UNKNOWN
        if given is not None and given.problem is not None:
            problems.append(given.problem)
    elif isinstance(typed, Charter):
        rule = endorsement_requirement(typed)
    elif given is None or given.charter is None:
        rule = endorsement_requirement(typed)
        problems.append(
            "no charter given: the roles that may endorse the agreement cannot be checked"
            if given is None
            else str(given.problem)
        )
    else:
        rule = endorsement_requirement(typed, charter=given.charter)
        ref = typed.charter
        if (ref.id, ref.version, ref.digest) != (
            given.charter.id,
            given.charter.version,
            given.digest,
        ):
            problems.append(
                "the charter given is not the exact charter version the agreement names"
            )
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
    problems[:0] = rule.problems
    if not isinstance(raw, list):
        problems.append("the endorsements member is not an array")
        raw = []
    statuses = tuple(_check_one(i, e, ctx) for i, e in enumerate(raw))
    if not statuses:
        problems.append("the document has no endorsements")
    endorsed = {s.organisation for s in statuses if s.valid and s.organisation}
    invalid = {s.organisation for s in statuses if not s.valid and s.organisation} - endorsed
    counted = len(endorsed & rule.expected)
    rule_met = (
        typed is not None
        and not rule.problems
        and rule.threshold >= 1
        and counted >= rule.threshold
    )
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


def _unverified(
    head: Mapping[str, Any], problem: str, *, digest: str | None = None
) -> VerificationResult:
    return VerificationResult(
        verified=False,
        digest=digest,
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
        raise VerificationError(
            f"{result.kind or 'document'} {result.id or '?'} is not verified: {'; '.join(result.reasons)}",
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

    Pass them to `woda_sharing.retire_key` so these endorsements keep
    counting after the key is retired, and nothing else signed by it does.
    """
    result = verify(document, keyring, charter=charter, at=at)
    return tuple(
        s.fingerprint for s in result.endorsements if s.valid and s.kid == kid and s.fingerprint
    )


def endorsed_by_keyring(
    charter: Mapping[str, Any],
    agreements: Iterable[Mapping[str, Any]],
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime,
) -> dict[str, bool]:
    """Verify each agreement's endorsements against *keyring* at *at*; map agreement id → verified.

    Pass the result as ``endorsed=`` to `woda_sharing.Policy.compile`. *charter*
    and *agreements* are wire mappings (signatures cover the exact wire form).
    The keyring and the charter are read once, not once per agreement. Give
    one version of each agreement: `woda_sharing.endorsed_by_keyring` (in
    `woda_sharing._updates`) also judges several versions of one agreement.
    Here an id given more than once maps to verified only when every one of
    them verifies: the verdict on one version never vouches for another.
    """
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    given: object = charter
    if not isinstance(given, Mapping):
        raise UsageError(f"a charter is a mapping, not a {type(given).__name__}")
    prepared = _given_charter(charter)
    out: dict[str, bool] = {}
    for a in agreements:
        if not isinstance(a, Mapping):
            raise UsageError(f"an agreement is a mapping, not a {type(a).__name__}")
        key = str(a.get("id"))
        out[key] = out.get(key, True) and bool(_verify(a, ring, prepared, at))
    return out
