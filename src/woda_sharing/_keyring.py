"""Keyrings: the public keys a verifier trusts, per organisation, with status and window.

A keyring document (``kind: "keyring"``, schema ``keyring.schema.json``) lists
organisations (charter member ids) and, for each, public JWKs with a validity
window (``not_before``, optional ``not_after``) and a status:

``active``
    an endorsement counts when its signing time lies inside the window and the
    window has not ended at verification time.
``retired``
    only the endorsements listed in ``honoured`` count. The signing time in a
    header is chosen by the signer, so it cannot tell an honest old endorsement
    from one made later by whoever obtains the retired key and backdates it.
    At retirement the keyring therefore records the fingerprint (`fingerprint`:
    SHA-256 of the protected header segment, which binds document, digest,
    organisation, role and time) of each endorsement that stays honoured;
    anything else signed by the key is refused.
``compromised``
    no endorsement by the key counts, whenever it claims to have been made.

`Keyring.from_data` refuses a keyring as a whole (`KeyringError`) when it is
ambiguous or unsafe: schema violations, one key under two organisations (a
dual hatter signs in each capacity with that capacity's own key), a key listed
twice (also when written two ways under two kids: one RSA modulus with two
exponents, a P-256 point and its negation, or an Ed25519 key and the same key
with its sign bit flipped are each one private key, see
`woda_sharing._keys.key_identity`), ``compromised_at`` on a key that is not
compromised, an organisation listed twice, a ``kid`` that is not the key's RFC 7638
thumbprint, private key material, unsupported key types or curves, weak keys
(see `woda_sharing._keys.check_public_jwk`) and incoherent windows.

`new_keyring`, `add_key`, `retire_key` and `compromise_key` return a new
keyring document (the wire form) and never modify their input.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import field, frozen

from woda_sharing import _schema as schema
from woda_sharing._findings import pointer
from woda_sharing._keys import (
    PRIVATE_JWK_MEMBERS,
    Algorithm,
    PublicKey,
    check_public_jwk,
    key_identity,
)
from woda_sharing.exceptions import KeyMaterialError, KeyringError, UsageError

__all__ = [
    "MAX_KEYS",
    "TIME_FORMAT",
    "KeyEntry",
    "KeyStatus",
    "Keyring",
    "add_key",
    "compromise_key",
    "fingerprint",
    "format_time",
    "new_keyring",
    "parse_time",
    "retire_key",
]

#: The most keys a keyring may hold in all: each key is checked when the keyring is loaded
#: (an RSA key costs one modular exponentiation), so this bounds the cost of a load.
MAX_KEYS: Final = 1000

#: The one time format of keyrings: RFC 3339, UTC, whole seconds, with ``Z``.
TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


class KeyStatus(enum.Enum):
    """The status of a key in a keyring."""

    ACTIVE = "active"
    RETIRED = "retired"
    COMPROMISED = "compromised"


def parse_time(text: str) -> dt.datetime:
    """Parse a keyring time (``2026-01-31T09:00:00Z``) into an aware UTC datetime."""
    try:
        return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)
    except (TypeError, ValueError) as e:
        raise KeyringError(f"{text!r} is not a time like 2026-01-31T09:00:00Z") from e


def format_time(when: dt.datetime) -> str:
    """Write an aware datetime as a keyring time (UTC, whole seconds).

    Raises `UsageError` unless *when* is a timezone-aware datetime whose UTC
    time lies between the years 1 and 9999.
    """
    if not isinstance(when, dt.datetime):
        raise UsageError(f"a time is a datetime, not a {type(when).__name__}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise UsageError("times must be timezone-aware")
    try:
        utc = when.astimezone(dt.UTC)
    except OverflowError:
        raise UsageError(f"{when.isoformat()} is outside the times a keyring can hold") from None
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"
    )


def fingerprint(protected: str) -> str:
    """Return the fingerprint of an endorsement: ``sha256:`` over its protected header segment."""
    return "sha256:" + hashlib.sha256(protected.encode("ascii")).hexdigest()


@frozen(kw_only=True)
class KeyEntry:
    """One trusted public key of one organisation, checked and ready to verify with."""

    organisation: str
    kid: str
    algorithm: Algorithm
    public_key: PublicKey = field(repr=False, eq=False)
    jwk: Mapping[str, Any] = field(repr=False)
    status: KeyStatus
    not_before: dt.datetime
    not_after: dt.datetime | None = None
    retired_at: dt.datetime | None = None
    compromised_at: dt.datetime | None = None
    honoured: frozenset[str] = frozenset()


@frozen(kw_only=True)
class Keyring:
    """A checked keyring: every key by ``kid``; build it with `Keyring.from_data`."""

    id: str
    keys: Mapping[str, KeyEntry] = field(repr=False)
    data: Mapping[str, Any] = field(repr=False, eq=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Keyring:
        """Check a keyring document and return it, or raise `KeyringError` saying why."""
        if not isinstance(data, Mapping):
            raise KeyringError("a keyring is a JSON object")
        _refuse_private_material(data)
        if not schema.fast_is_valid("keyring", data):
            error = next(iter(schema.iter_schema_errors("keyring", data)), None)
            where = (pointer(*error.absolute_path) or "/") if error else "/"
            raise KeyringError(
                f"keyring does not match its schema at {where}: {error.message if error else ''}"
            )
        if type(data["format_version"]) is not int:  # the schema's const 1 also matches 1.0
            raise KeyringError("keyring format_version is not the integer 1")
        data = _plain(data)  # schema-valid, so finite: plain dicts and lists from here on
        total = sum(len(org["keys"]) for org in data["organisations"])
        if total > MAX_KEYS:
            raise KeyringError(f"keyring holds {total} keys, more than the limit of {MAX_KEYS}")
        keys: dict[str, KeyEntry] = {}
        identities: dict[tuple[object, ...], KeyEntry] = {}
        seen_orgs: set[str] = set()
        for org in data["organisations"]:
            org_id = org["id"]
            if org_id in seen_orgs:
                raise KeyringError(f"organisation {org_id!r} is listed twice")
            seen_orgs.add(org_id)
            for index, raw in enumerate(org["keys"]):
                entry = _entry(org_id, index, raw)
                if entry.kid in keys:
                    other = keys[entry.kid].organisation
                    if other == org_id:
                        raise KeyringError(f"key {entry.kid} is listed twice under {org_id!r}")
                    raise KeyringError(
                        f"key {entry.kid} is listed under two organisations ({other!r} and {org_id!r}); "
                        "each organisation, and each capacity of a dual hatter, needs its own key"
                    )
                identity = key_identity(entry.public_key)
                twin = identities.get(identity)
                if twin is not None:
                    raise KeyringError(
                        f"keys {twin.kid} ({twin.organisation!r}) and {entry.kid} ({org_id!r}) "
                        "are one key written two ways, one private key (same RSA modulus, a P-256 point "
                        "or its negation, an Ed25519 key with either sign bit); each "
                        "organisation, and each capacity of a dual hatter, needs its own key"
                    )
                identities[identity] = entry
                keys[entry.kid] = entry
        return cls(id=data["id"], keys=keys, data=data)

    def get(self, kid: str) -> KeyEntry | None:
        """The key with id *kid*, or ``None``."""
        return self.keys.get(kid)

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations that have at least one key, sorted."""
        return tuple(sorted({entry.organisation for entry in self.keys.values()}))


def _plain(value: Any) -> Any:
    """Deep copy *value* as plain dicts and lists (mapping proxies and tuples included)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _refuse_private_material(data: Mapping[str, Any]) -> None:
    orgs = data.get("organisations")
    for org in orgs if isinstance(orgs, list) else []:
        keys = org.get("keys") if isinstance(org, Mapping) else None
        for key in keys if isinstance(keys, list) else []:
            jwk = key.get("jwk") if isinstance(key, Mapping) else None
            if isinstance(jwk, Mapping) and PRIVATE_JWK_MEMBERS.intersection(jwk):
                raise KeyringError(
                    f"keyring holds private key material for {org.get('id')!r}; "
                    "keyrings hold public keys only"
                )


def _entry(org_id: str, index: int, raw: Mapping[str, Any]) -> KeyEntry:
    where = f"organisation {org_id!r} key {index}"
    try:
        public_key, algorithm = check_public_jwk(raw["jwk"])
    except KeyMaterialError as e:
        raise KeyringError(f"{where}: {e}") from e
    not_before = parse_time(raw["not_before"])
    not_after = parse_time(raw["not_after"]) if "not_after" in raw else None
    if not_after is not None and not_after <= not_before:
        raise KeyringError(f"{where}: not_after is not later than not_before")
    retired_at = parse_time(raw["retired_at"]) if "retired_at" in raw else None
    if retired_at is not None and retired_at < not_before:
        raise KeyringError(f"{where}: retired before its window opened")
    if "compromised_at" in raw and raw["status"] != KeyStatus.COMPROMISED.value:
        # It would be ignored: signatures after the compromise would still count.
        raise KeyringError(f"{where}: compromised_at on a key whose status is {raw['status']!r}")
    return KeyEntry(
        organisation=org_id,
        kid=raw["jwk"]["kid"],
        algorithm=algorithm,
        public_key=public_key,
        jwk=dict(raw["jwk"]),
        status=KeyStatus(raw["status"]),
        not_before=not_before,
        not_after=not_after,
        retired_at=retired_at,
        compromised_at=parse_time(raw["compromised_at"]) if "compromised_at" in raw else None,
        honoured=frozenset(raw.get("honoured", ())),
    )


def new_keyring(keyring_id: str, *, title: str | None = None) -> dict[str, Any]:
    """Return a new, empty keyring document."""
    data: dict[str, Any] = {
        "kind": "keyring",
        "format_version": 1,
        "id": keyring_id,
        "organisations": [],
    }
    if title:
        data["title"] = title
    Keyring.from_data(data)
    return data


def add_key(
    keyring: Mapping[str, Any],
    organisation: str,
    jwk: Mapping[str, Any],
    *,
    not_before: dt.datetime,
    not_after: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return a copy of *keyring* with *jwk* added, active, under *organisation*.

    Raises `KeyringError` when *jwk* holds private key material: it is never
    stripped silently, since a private key handed to a keyring has leaked.
    """
    data = _copy_of(keyring)
    if not isinstance(jwk, Mapping):
        raise KeyringError("a JWK is a JSON object")
    private = sorted(PRIVATE_JWK_MEMBERS.intersection(jwk))
    if private:
        raise KeyringError(
            f"the JWK holds private key material ({', '.join(private)}); "
            "give the public key only, and treat this private key as exposed"
        )
    entry: dict[str, Any] = {
        "jwk": {k: jwk[k] for k in ("kty", "crv", "x", "y", "n", "e", "kid", "alg") if k in jwk},
        "status": "active",
        "not_before": format_time(not_before),
    }
    if not_after is not None:
        entry["not_after"] = format_time(not_after)
    for org in data["organisations"]:
        if org["id"] == organisation:
            org["keys"].append(entry)
            break
    else:
        data["organisations"].append({"id": organisation, "keys": [entry]})
    Keyring.from_data(data)
    return data


def _copy_of(keyring: Mapping[str, Any]) -> dict[str, Any]:
    """A checked, plain, private copy of the keyring document *keyring*."""
    return copy.deepcopy(dict(Keyring.from_data(keyring).data))


def _find(data: dict[str, Any], kid: str) -> dict[str, Any]:
    for org in data["organisations"]:
        for key in org["keys"]:
            if key["jwk"]["kid"] == kid:
                return key  # type: ignore[no-any-return]
    raise KeyringError(f"no key {kid} in the keyring")


def retire_key(
    keyring: Mapping[str, Any], kid: str, *, at: dt.datetime, honour: Iterable[str] = ()
) -> dict[str, Any]:
    """Return a copy of *keyring* with key *kid* retired at *at*, honouring the *honour* fingerprints.

    Only endorsements whose `fingerprint` is in *honour* keep counting; collect
    them with `woda_sharing.honourable` before retiring.
    """
    data = _copy_of(keyring)
    key = _find(data, kid)
    if key["status"] == "compromised":
        raise KeyringError(f"key {kid} is compromised; a compromised key cannot be retired")
    key["status"] = "retired"
    key["retired_at"] = format_time(at)
    key["honoured"] = sorted(set(key.get("honoured", ())) | set(honour))
    Keyring.from_data(data)
    return data


def compromise_key(
    keyring: Mapping[str, Any], kid: str, *, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Return a copy of *keyring* with key *kid* marked compromised: none of its endorsements counts."""
    data = _copy_of(keyring)
    key = _find(data, kid)
    key["status"] = "compromised"
    key.pop("retired_at", None)
    key.pop("honoured", None)
    if at is not None:
        key["compromised_at"] = format_time(at)
    Keyring.from_data(data)
    return data
