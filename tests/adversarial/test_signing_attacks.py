"""Attacks on endorsements: each one is refused, with the right reason.

Each test's docstring names the attack and why it must fail.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from tests import _signing_fixtures as fx
from woda_sharing import _canonical as canonical
from woda_sharing._jose import b64url_decode, b64url_encode
from woda_sharing._keyring import compromise_key, retire_key
from woda_sharing._keys import LocalSigner, check_public_jwk, jwk_thumbprint
from woda_sharing._signing import (
    Status,
    endorse,
    from_compact,
    honourable,
    to_compact,
    verify,
)
from woda_sharing.exceptions import KeyMaterialError, KeyringError, SigningError, UsageError

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _endorsed() -> dict[str, Any]:
    return fx.endorsed(fx.charter(), fx.MEMBERS)


ENDORSED = _endorsed()
RING = fx.keyring_for()
RING_ALL_ALGS = fx.keyring_for(alg="Ed25519")


def status_of(doc: dict[str, Any], ring: Any = RING, index: int = 0, **kwargs: Any) -> Status:
    result = verify(doc, ring, at=kwargs.pop("at", fx.NOW), **kwargs)
    assert not result or all(s.valid for s in result.endorsements)
    return result.endorsements[index].status


def header_of(endorsement: dict[str, str]) -> dict[str, Any]:
    return json.loads(b64url_decode(endorsement["protected"]))


def forge(
    doc: dict[str, Any],
    header: dict[str, Any],
    signer: LocalSigner | None = None,
    *,
    raw_header: bytes | None = None,
    key: bytes | None = None,
) -> dict[str, Any]:
    """Return *doc* whose first endorsement is replaced by one over *header*, signed as asked."""
    protected = b64url_encode(raw_header if raw_header is not None else json.dumps(header).encode())
    signing_input = (protected + "." + b64url_encode(canonical.signed_bytes(doc))).encode()
    if key is not None:
        signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    elif signer is not None:
        signature = signer.sign(signing_input)
    else:
        signature = b""
    out = copy.deepcopy(doc)
    out["endorsements"][0] = {"protected": protected, "signature": b64url_encode(signature)}
    return out


def county_header(**changes: Any) -> dict[str, Any]:
    header = header_of(ENDORSED["endorsements"][0])
    header.update(changes)
    return {k: v for k, v in header.items() if v is not None}


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "endorsements":
                yield from _string_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _string_paths(v, (*path, i))


STRING_PATHS = list(_string_paths(ENDORSED))


@given(st.sampled_from(STRING_PATHS), st.integers(min_value=0, max_value=200), st.integers(1, 0x7E))
def test_any_one_character_change_to_the_content_is_caught(
    path: tuple[Any, ...], pos: int, char: int
) -> None:
    """Changing any one character of any string in the signed content must invalidate every endorsement."""
    doc = copy.deepcopy(ENDORSED)
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    text: str = node[path[-1]]
    i = pos % (len(text) + 1)
    new = text[:i] + chr(char) + text[i + 1 :]
    if new == text:
        return
    node[path[-1]] = new
    result = verify(doc, RING, at=fx.NOW)
    assert not result
    if path == ("kind",):  # no longer a charter: nothing is even checked
        assert result.problems
    else:
        assert {s.status for s in result.endorsements} == {Status.DOCUMENT_CHANGED}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.update(review_interval_months=13), id="integer"),
        pytest.param(lambda d: d["members"].pop(), id="member-removed"),
        pytest.param(lambda d: d.update(extra=True), id="member-added"),
        pytest.param(lambda d: d["principles"].append({"id": "p", "text": "t"}), id="array-grown"),
        pytest.param(lambda d: d["members"].reverse(), id="array-reordered"),
    ],
)
def test_structural_changes_are_caught(change: Any) -> None:
    """Any change to values or array order changes the canonical bytes, so endorsements no longer count."""
    doc = copy.deepcopy(ENDORSED)
    change(doc)
    assert status_of(doc) is Status.DOCUMENT_CHANGED


def test_member_reordering_is_not_a_change() -> None:
    """Object member order is not content (RFC 8785 sorts names): reordering keeps endorsements valid."""
    doc = dict(reversed(list(copy.deepcopy(ENDORSED).items())))
    assert verify(doc, RING, at=fx.NOW)


@pytest.mark.parametrize("part", ["protected", "signature"])
def test_any_one_byte_change_to_the_endorsement(part: str) -> None:
    """Flipping any single character of the protected header or signature must stop the endorsement counting."""
    original = ENDORSED["endorsements"][0][part]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for i in range(0, len(original), 3):
        doc = copy.deepcopy(ENDORSED)
        replacement = alphabet[(alphabet.index(original[i]) + 1) % 64]
        doc["endorsements"][0][part] = original[:i] + replacement + original[i + 1 :]
        assert status_of(doc) is not Status.VALID


def test_endorsement_moved_to_another_document() -> None:
    """An endorsement of one charter pasted into another must not count: the id and digest differ."""
    other = {**fx.charter(), "id": "other-charter"}
    other["endorsements"] = copy.deepcopy(ENDORSED["endorsements"])
    result = verify(other, RING, at=fx.NOW)
    assert {s.status for s in result.endorsements} == {Status.DOCUMENT_CHANGED}
    assert "id" in result.endorsements[0].reason


def test_endorsement_moved_to_another_version() -> None:
    """An endorsement of version 1 must never count for version 2 (amendments need fresh endorsements)."""
    v2 = {
        **fx.charter(version=2),
        "supersedes": {"version": 1, "digest": canonical.digest(ENDORSED)},
    }
    v2["endorsements"] = copy.deepcopy(ENDORSED["endorsements"])
    result = verify(v2, RING, at=fx.NOW)
    assert {s.status for s in result.endorsements} == {Status.DOCUMENT_CHANGED}
    assert "version" in result.endorsements[0].reason


def test_claims_compared_even_when_digest_is_recomputed() -> None:
    """A header claiming another version but the right digest is still refused: every claim is compared."""
    doc = forge(ENDORSED, county_header(woda_version=2), fx.signer("county"))
    assert status_of(doc) is Status.DOCUMENT_CHANGED


def test_alg_none() -> None:
    """alg none would let anyone endorse without a key."""
    doc = forge(ENDORSED, county_header(alg="none"))
    assert status_of(doc) is Status.ALGORITHM_REFUSED


def test_hs256_with_public_key_as_secret() -> None:
    """The classic key-confusion attack: HMAC keyed with the (public) JWK bytes must be refused."""
    public = json.dumps(fx.signer("county").public_jwk).encode()
    doc = forge(ENDORSED, county_header(alg="HS256"), key=public)
    assert status_of(doc) is Status.ALGORITHM_REFUSED


def test_polymorphic_eddsa_refused() -> None:
    """RFC 9864 deprecates EdDSA; accepting it would let a verifier guess the curve."""
    doc = forge(ENDORSED, county_header(alg="EdDSA"), fx.signer("county"))
    assert status_of(doc) is Status.ALGORITHM_REFUSED


def test_swapped_kid_of_other_organisation() -> None:
    """Naming another organisation's key while claiming to be county must not count for county."""
    doc = forge(ENDORSED, county_header(kid=fx.signer("police").key_id), fx.signer("police"))
    assert status_of(doc) is Status.KEY_OF_OTHER_ORGANISATION


def test_swapped_kid_of_same_organisation() -> None:
    """A kid naming a different key than the one that signed makes the signature fail."""
    ring = fx.keyring_for()
    from woda_sharing._keyring import add_key

    ring = add_key(ring, "county", fx.signer("county-2").public_jwk, not_before=fx.T0)
    doc = forge(ENDORSED, county_header(kid=fx.signer("county-2").key_id), fx.signer("county"))
    assert status_of(doc, ring) is Status.BAD_SIGNATURE


def test_claiming_another_organisation_with_own_key() -> None:
    """Police signing with its own key but claiming to be county must be refused."""
    doc = forge(
        ENDORSED,
        county_header(kid=fx.signer("police").key_id, woda_org="county"),
        fx.signer("police"),
    )
    assert status_of(doc) is Status.KEY_OF_OTHER_ORGANISATION


def test_unknown_key() -> None:
    """A key the keyring does not hold proves nothing, however well it signs."""
    stranger = fx.signer("stranger")
    doc = forge(ENDORSED, county_header(kid=stranger.key_id), stranger)
    assert status_of(doc) is Status.UNKNOWN_KEY


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("jwk", "public_jwk", id="jwk"),
        pytest.param("jku", "https://attacker.example/keys", id="jku"),
        pytest.param("x5u", "https://attacker.example/cert", id="x5u"),
        pytest.param("x5c", ["MIIB"], id="x5c"),
        pytest.param("x5t", "abc", id="x5t"),
        pytest.param("x5t#S256", "abc", id="x5t-s256"),
    ],
)
def test_header_embedded_key(name: str, value: Any) -> None:
    """A key carried in the header is chosen by the signer: trusting it lets anyone endorse."""
    attacker = fx.signer("attacker")
    if value == "public_jwk":
        value = dict(attacker.public_jwk)
    doc = forge(ENDORSED, county_header(kid=attacker.key_id, **{name: value}), attacker)
    assert status_of(doc) is Status.EMBEDDED_KEY


def test_compromised_key() -> None:
    """No signature by a compromised key counts, whenever it claims to have been made."""
    ring = compromise_key(RING, fx.signer("county").key_id, at=fx.NOW)
    assert status_of(ENDORSED, ring) is Status.KEY_COMPROMISED


@pytest.mark.parametrize(
    ("not_before", "not_after"),
    [
        pytest.param(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), None, id="before-window"),
        pytest.param(fx.T0, dt.datetime(2026, 2, 1, tzinfo=dt.UTC), id="after-window"),
    ],
)
def test_key_used_outside_its_window(
    not_before: dt.datetime, not_after: dt.datetime | None
) -> None:
    """A signature whose signing time lies outside the key's window does not count."""
    ring = fx.keyring_for(not_before=not_before, not_after=not_after)
    assert status_of(ENDORSED, ring) is Status.KEY_NOT_VALID_AT_SIGNING_TIME


def test_same_organisation_twice_to_reach_threshold() -> None:
    """Two endorsements by one organisation count once: a threshold of 2 is not met by county twice."""
    charter = fx.charter(rule="threshold", threshold=2)
    doc = fx.endorsed(charter, ("county",))
    doc = endorse(
        doc, fx.signer("county", "ES256"), organisation="county", role="dpo", signed_at=fx.SIGNED
    )
    ring = fx.keyring_for()
    from woda_sharing._keyring import add_key

    ring = add_key(ring, "county", fx.signer("county", "ES256").public_jwk, not_before=fx.T0)
    result = verify(doc, ring, at=fx.NOW)
    assert all(s.valid for s in result.endorsements)
    assert len(result.endorsements) == 2
    assert not result.rule_met
    assert not result


def test_duplicate_header_names() -> None:
    """Duplicate names make the header ambiguous: two parsers could read two different claims."""
    h = county_header()
    raw = json.dumps(h)[:-1] + ', "woda_org": "police"}'
    doc = forge(ENDORSED, h, fx.signer("county"), raw_header=raw.encode())
    assert status_of(doc) is Status.MALFORMED


def test_retired_key_old_signature_accepted_new_one_refused() -> None:
    """After retirement only the honoured endorsements count; a backdated new one by the same key is refused."""
    kid = fx.signer("county").key_id
    retired_at = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    honour = honourable(ENDORSED, RING, kid=kid, at=retired_at)
    assert len(honour) == 1
    ring = retire_key(RING, kid, at=retired_at, honour=honour)
    assert status_of(ENDORSED, ring) is Status.VALID
    # Whoever later holds the retired key signs an amended charter, backdated to before retirement.
    amended = fx.endorsed({**fx.charter(), "title": "Amended"}, fx.MEMBERS)
    assert status_of(amended, ring) is Status.KEY_RETIRED
    # ... or re-signs the very same charter with a different (backdated) time.
    again = endorse(
        fx.charter(),
        fx.signer("county"),
        organisation="county",
        role="siro",
        signed_at=fx.SIGNED - dt.timedelta(days=1),
    )
    assert status_of(again, ring) is Status.KEY_RETIRED


def test_rsa_key_with_ec_alg() -> None:
    """A header asking for ES256 over an RSA key must not get an algorithm the key was not made for."""
    ring = fx.keyring_for(("county",), alg="PS256")
    rsa_signer = fx.signer("county", "PS256")
    doc = forge(
        ENDORSED, county_header(kid=rsa_signer.key_id, alg="ES256"), fx.signer("county", "ES256")
    )
    assert status_of(doc, ring) is Status.ALGORITHM_MISMATCH


def _es256_endorsed() -> tuple[dict[str, Any], Any]:
    doc = fx.endorsed(fx.charter(), ("county",), "ES256")
    return doc, fx.keyring_for(("county",), alg="ES256")


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(bytes(64), id="r-and-s-zero"),
        pytest.param(b"\x01" * 32 + bytes(32), id="s-zero"),
        pytest.param(bytes(32) + b"\x01" * 32, id="r-zero"),
        pytest.param(P256_N.to_bytes(32, "big") * 2, id="r-s-equal-n"),
        pytest.param(b"\x01" * 63, id="short"),
        pytest.param(b"\x01" * 72, id="der-length"),
    ],
)
def test_ecdsa_degenerate_signatures(signature: bytes) -> None:
    """r or s of zero (or n) verifies against anything in broken implementations; wrong lengths are not r||s."""
    doc, ring = _es256_endorsed()
    doc["endorsements"][0]["signature"] = b64url_encode(signature)
    assert status_of(doc, ring) is Status.BAD_SIGNATURE


def test_ecdsa_high_s_is_accepted_and_counts_once() -> None:
    """High-S is malleable, not forgeable: we accept it (standard JOSE libraries emit it) and count orgs, not bytes."""
    doc, ring = _es256_endorsed()
    sig = b64url_decode(doc["endorsements"][0]["signature"])
    high = sig[:32] + (P256_N - int.from_bytes(sig[32:], "big")).to_bytes(32, "big")
    doc["endorsements"].append({**doc["endorsements"][0], "signature": b64url_encode(high)})
    result = verify(doc, ring, at=fx.NOW)
    assert [s.status for s in result.endorsements] == [Status.VALID, Status.VALID]
    assert result.endorsed == ("county",)


@pytest.mark.parametrize(
    ("part", "change"),
    [
        pytest.param("protected", lambda s: s + "=", id="protected-padded"),
        pytest.param("signature", lambda s: s + "==", id="signature-padded"),
        pytest.param("signature", lambda s: s[:-1], id="signature-truncated"),
        pytest.param("protected", lambda s: s[:-1], id="protected-truncated"),
        pytest.param(
            "signature", lambda s: s.replace("-", "+").replace("_", "/") + "+/", id="std-alphabet"
        ),
        pytest.param("signature", lambda s: s[:10] + " " + s[10:], id="whitespace"),
        pytest.param("signature", lambda s: s[:-1] + chr(ord(s[-1]) ^ 1), id="trailing-bits"),
    ],
)
def test_non_strict_base64url(part: str, change: Any) -> None:
    """Base64url is decoded strictly, so one endorsement has exactly one encoding."""
    doc = copy.deepcopy(ENDORSED)
    doc["endorsements"][0][part] = change(doc["endorsements"][0][part])
    assert status_of(doc) is Status.MALFORMED


def test_trailing_bits_alone_are_malformed() -> None:
    """'A' and 'B' at the end of a 64-byte signature decode to the same bytes in lenient decoders."""
    doc = copy.deepcopy(ENDORSED)
    sig = doc["endorsements"][0]["signature"]  # 86 chars for 64 bytes: 2 spare bits in the last one
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    doc["endorsements"][0]["signature"] = sig[:-1] + alphabet[alphabet.index(sig[-1]) | 1]
    assert status_of(doc) is Status.MALFORMED


@pytest.mark.parametrize(
    ("crit", "expected"),
    [
        pytest.param(["b64"], Status.UNKNOWN_CRITICAL, id="b64"),
        pytest.param(["exp"], Status.UNKNOWN_CRITICAL, id="not-present"),
        pytest.param(["woda_missing"], Status.UNKNOWN_CRITICAL, id="own-prefix-absent"),
        pytest.param([], Status.MALFORMED, id="empty"),
        pytest.param("woda_org", Status.MALFORMED, id="not-array"),
        pytest.param(["woda_org", "woda_org"], Status.MALFORMED, id="repeated"),
        pytest.param(["woda_org"], Status.VALID, id="known"),
    ],
)
def test_crit(crit: Any, expected: Status) -> None:
    """Critical extensions we do not understand must make the endorsement fail (RFC 7515 4.1.11)."""
    doc = forge(ENDORSED, county_header(crit=crit), fx.signer("county"))
    assert status_of(doc) is expected


@pytest.mark.parametrize(
    ("changes", "raw"),
    [
        pytest.param({"typ": "JWT"}, None, id="wrong-typ"),
        pytest.param({"b64": False}, None, id="b64-false"),
        pytest.param({"woda_role": None}, None, id="missing-role"),
        pytest.param({"woda_org": "County Council"}, None, id="org-not-id"),
        pytest.param({"iat": "2026-03-01"}, None, id="iat-string"),
        pytest.param({"iat": 2**50}, None, id="iat-far-future"),
        pytest.param({"iat": 253402300800}, None, id="iat-after-year-9999"),
        pytest.param({"iat": -1}, None, id="iat-negative"),
        pytest.param({"woda_version": True}, None, id="version-bool"),
        pytest.param({"woda_signatory": "x" * 201}, None, id="long-signatory"),
        pytest.param({}, b'{"alg":"Ed25519","woda_version":1.0}', id="float"),
        pytest.param({}, b'{"alg":"Ed25519","iat":NaN}', id="nan"),
        pytest.param({}, b"[1]", id="array"),
        pytest.param({}, b"\xff", id="not-utf8"),
        pytest.param({}, b"{", id="not-json"),
    ],
)
def test_malformed_headers(changes: dict[str, Any], raw: bytes | None) -> None:
    """Headers that are not exactly our format are malformed (fail closed), even when validly signed."""
    doc = forge(ENDORSED, county_header(**changes), fx.signer("county"), raw_header=raw)
    assert status_of(doc) is Status.MALFORMED


@pytest.mark.parametrize(
    "endorsement",
    [
        pytest.param(lambda e: {**e, "payload": ""}, id="payload-member"),
        pytest.param(lambda e: {**e, "header": {"kid": "x"}}, id="unprotected-header"),
        pytest.param(lambda e: {"signatures": [e, e]}, id="general-serialization"),
        pytest.param(lambda e: {"protected": e["protected"]}, id="no-signature"),
        pytest.param(lambda e: [e], id="array"),
        pytest.param(lambda e: {**e, "signature": 5}, id="signature-not-string"),
    ],
)
def test_envelope_shape(endorsement: Any) -> None:
    """One endorsement is exactly one protected header and one signature; nothing unprotected is read."""
    doc = copy.deepcopy(ENDORSED)
    doc["endorsements"][0] = endorsement(doc["endorsements"][0])
    assert status_of(doc) is Status.MALFORMED


def test_one_bad_endorsement_spoils_the_document() -> None:
    """A document verifies only when every attached endorsement is valid, even if the rule is met."""
    doc = copy.deepcopy(ENDORSED)
    doc["endorsements"].append(forge(ENDORSED, county_header(alg="none"))["endorsements"][0])
    result = verify(doc, RING, at=fx.NOW)
    assert result.rule_met
    assert not result


def test_non_member_with_a_trusted_key() -> None:
    """A keyring may hold keys of bodies outside this charter; their endorsements must not count here."""
    outsider = fx.signer("outsider")
    ring = fx.keyring_for((*fx.MEMBERS, "outsider"))
    doc = forge(ENDORSED, county_header(kid=outsider.key_id, woda_org="outsider"), outsider)
    assert status_of(doc, ring) is Status.ORGANISATION_NOT_EXPECTED


def test_kid_of_wrong_type() -> None:
    """A kid that is not a string cannot name a key."""
    doc = forge(ENDORSED, county_header(kid=["x"]), fx.signer("county"))
    assert status_of(doc) is Status.MALFORMED


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
_b64ish = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ", max_size=120
)


@given(st.one_of(_json, st.fixed_dictionaries({"protected": _b64ish, "signature": _b64ish})))
def test_hostile_endorsements_never_crash_and_never_count(endorsement: Any) -> None:
    """Whatever sits in the endorsements array, verification returns a status and never a valid one."""
    doc = copy.deepcopy(ENDORSED)
    doc["endorsements"] = [endorsement]
    result = verify(doc, RING, at=fx.NOW)
    assert not result
    assert result.endorsements[0].status is not Status.VALID


@given(
    st.dictionaries(
        st.sampled_from(sorted(header_of(ENDORSED["endorsements"][0]))), _json, max_size=4
    )
)
def test_hostile_header_values_never_crash(changes: dict[str, Any]) -> None:
    """Any values for the header's own names are refused cleanly unless they are exactly the signed ones."""
    header = county_header()
    header.update(changes)
    try:
        raw = json.dumps(header, allow_nan=False).encode()
    except ValueError:
        return
    doc = forge(ENDORSED, header, fx.signer("county"), raw_header=raw)
    unchanged = raw == json.dumps(county_header()).encode()  # type-exact: 1.0 and True are not 1
    assert (status_of(doc) is Status.VALID) is unchanged


# --------------------------------------------------------------------------- weak and twin keys

#: 2**2047 + 1919 is prime (it passes Miller-Rabin to the first twelve prime bases).
PRIME_2048 = 2**2047 + 1919


def _rsa_jwk(n: int, e: int = 65537) -> dict[str, Any]:
    jwk: dict[str, Any] = {"kty": "RSA", "n": _uint(n), "e": _uint(e), "alg": "PS256"}
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


def _uint(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _ring_of(*entries: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A keyring document written by hand (``add_key`` would refuse these keys)."""
    return {
        "kind": "keyring",
        "format_version": 1,
        "id": "hand-made",
        "organisations": [
            {
                "id": org,
                "keys": [{"jwk": jwk, "status": "active", "not_before": "2026-01-01T00:00:00Z"}],
            }
            for org, jwk in entries
        ],
    }


def _emsa_pss(message: bytes, em_bits: int) -> int:
    """EMSA-PSS encoding (RFC 8017 9.1.1) with SHA-256, MGF1-SHA-256 and a 32-byte salt."""
    m_hash = hashlib.sha256(message).digest()
    salt = b"\x01" * 32
    h = hashlib.sha256(b"\0" * 8 + m_hash + salt).digest()
    em_len = (em_bits + 7) // 8
    db = b"\0" * (em_len - 32 - 32 - 2) + b"\x01" + salt
    mask = b"".join(
        hashlib.sha256(h + c.to_bytes(4, "big")).digest() for c in range(len(db) // 32 + 1)
    )
    masked = bytearray(x ^ y for x, y in zip(db, mask, strict=False))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return int.from_bytes(bytes(masked) + h + b"\xbc", "big")


def test_prime_rsa_modulus_is_refused() -> None:
    """With a prime modulus n, d = e**-1 mod (n - 1) is public knowledge: anyone can sign as the key.

    The test forges such a signature to show what accepting the key would mean,
    and requires the keyring holding it to be refused as a whole.
    """
    n = PRIME_2048
    jwk = _rsa_jwk(n)
    doc = fx.charter()
    payload = canonical.signed_bytes(doc)
    header = county_header(alg="PS256", kid=jwk["kid"], woda_digest=canonical.digest_of(payload))
    protected = b64url_encode(json.dumps(header).encode())
    signing_input = (protected + "." + b64url_encode(payload)).encode()
    forged = pow(_emsa_pss(signing_input, n.bit_length() - 1), pow(65537, -1, n - 1), n)
    public = rsa.RSAPublicNumbers(65537, n).public_key()
    public.verify(  # the forgery is a genuine PS256 signature under this "key"
        forged.to_bytes(256, "big"),
        signing_input,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    with pytest.raises(KeyMaterialError, match="RSA modulus is prime"):
        check_public_jwk(jwk)
    doc["endorsements"] = [
        {"protected": protected, "signature": b64url_encode(forged.to_bytes(256, "big"))}
    ]
    with pytest.raises(KeyringError, match="anyone could forge"):
        verify(doc, _ring_of(("county", jwk)), at=fx.NOW)


def _probably_prime(n: int) -> bool:
    """Miller-Rabin to a few bases: enough to pick a test prime."""
    d, s = n - 1, 0
    while not d & 1:
        d, s = d >> 1, s + 1
    for a in (2, 3, 5, 7, 11):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@functools.cache
def _factors() -> tuple[int, int]:
    """Two 1024-bit primes whose product has 2048 bits, and the next prime after the first."""
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_numbers()
    p = numbers.p
    q = p + 2
    while not _probably_prime(q):
        q += 2
    return p, q


@pytest.mark.parametrize(
    ("modulus", "message"),
    [
        pytest.param(lambda p, q: 2 * p * q, "even", id="even"),
        pytest.param(lambda p, q: 3 * p * q, "small prime factor", id="factor-3"),
        pytest.param(lambda p, q: 65521 * p * q, "small prime factor", id="factor-65521"),
        pytest.param(lambda p, q: p * p, "nearly equal", id="square"),
        pytest.param(lambda p, q: p * q, "nearly equal", id="adjacent-primes"),
    ],
)
def test_rsa_modulus_anyone_can_factor_is_refused(modulus: Any, message: str) -> None:
    """An even modulus, one with a small factor or one Fermat factors at once hands out the private key."""
    with pytest.raises(KeyMaterialError, match=message):
        check_public_jwk(_rsa_jwk(modulus(*_factors())))


def test_rsa_small_exponent_is_refused() -> None:
    """e = 3 invites the classic low-exponent attacks, and lets one modulus pass as a second key."""
    n = fx.signer("county", "PS256").public_jwk["n"]
    jwk = {"kty": "RSA", "n": n, "e": "Aw", "alg": "PS256"}
    jwk["kid"] = jwk_thumbprint(jwk)
    with pytest.raises(KeyMaterialError, match="from 65537"):
        check_public_jwk(jwk)


def test_one_rsa_modulus_under_two_exponents_is_one_key() -> None:
    """Whoever knows the factors of n signs under every exponent: two kids, one private key.

    Listed under two organisations, one holder would meet a threshold of two on its own.
    """
    signer = fx.signer("county", "PS256")
    n = int.from_bytes(b64url_decode(signer.public_jwk["n"]), "big")
    twin = _rsa_jwk(n, 65539)
    check_public_jwk(twin)  # each key is fine on its own
    ring = _ring_of(("county", dict(signer.public_jwk)), ("police", twin))
    with pytest.raises(KeyringError, match="one key written two ways"):
        verify(fx.charter(), ring, at=fx.NOW)


def test_one_p256_point_under_two_kids_is_one_key() -> None:
    """(x, y) and (x + p, y) are one point, so one private key, yet their thumbprints differ."""
    prime = 2**256 - 2**224 + 2**192 + 2**96 - 1
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    x = 1
    while pow((x**3 - 3 * x + b) % prime, (prime - 1) // 2, prime) != 1:
        x += 1
    y = pow((x**3 - 3 * x + b) % prime, (prime + 1) // 4, prime)

    def jwk(xi: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kty": "EC",
            "crv": "P-256",
            "alg": "ES256",
            "x": b64url_encode(xi.to_bytes(32, "big")),
            "y": b64url_encode(y.to_bytes(32, "big")),
        }
        out["kid"] = jwk_thumbprint(out)
        return out

    with pytest.raises(KeyringError, match="reduced modulo the field prime"):
        verify(fx.charter(), _ring_of(("county", jwk(x)), ("police", jwk(x + prime))), at=fx.NOW)


def test_compromised_at_on_an_active_key_is_refused() -> None:
    """An active key with compromised_at looks compromised to a reader but still counts every signature."""
    ring = fx.keyring_for()
    ring["organisations"][0]["keys"][0]["compromised_at"] = "2026-02-01T00:00:00Z"
    with pytest.raises(KeyringError):
        verify(ENDORSED, ring, at=fx.NOW)


# --------------------------------------------------------------------------- the charter of an agreement


def _agreement_endorsed(ref: dict[str, Any]) -> dict[str, Any]:
    # endorse() refuses an agreement that does not structure, so a forger edits the reference
    # after signing; the digest then differs too, and neither may be the only reason to refuse.
    doc = fx.endorsed(fx.agreement(fx.charter()), ("county", "police"))
    doc["charter"] = ref
    return doc


def test_agreement_naming_no_digest_under_a_charter_without_canonical_form() -> None:
    """With no canonical form there is no digest to compare: "no digest" must not match "no digest"."""
    charter = {**fx.charter(), "note": 2**60}  # beyond 2**53: no canonical form
    doc = _agreement_endorsed({"id": charter["id"], "version": 1})
    result = verify(doc, RING, charter=charter, at=fx.NOW)
    assert not result
    assert any("no canonical form" in p for p in result.problems)
    bare = {k: v for k, v in charter.items() if k not in ("id", "version")}
    assert not verify(_agreement_endorsed({}), RING, charter=bare, at=fx.NOW)


def test_agreement_naming_charter_version_true() -> None:
    """True == 1 in Python, but a bool is not version 1 of anything."""
    charter = fx.charter()
    doc = _agreement_endorsed(
        {"id": charter["id"], "version": True, "digest": canonical.digest(charter)}
    )
    result = verify(doc, RING, charter=charter, at=fx.NOW)
    assert not result
    # The typed agreement refuses the bool before any comparison could be fooled by it.
    assert any("/charter/version" in p for p in result.problems)


def test_agreement_under_a_charter_that_is_not_a_charter() -> None:
    """A document of another kind dressed with members and roles must not stand in for the charter."""
    fake = {**fx.charter(), "kind": "agreement"}
    doc = _agreement_endorsed({"id": fake["id"], "version": 1, "digest": canonical.digest(fake)})
    result = verify(doc, RING, charter=fake, at=fx.NOW)
    assert not result
    assert any("not a document of kind charter" in p for p in result.problems)


# --------------------------------------------------------------------------- hostile text and types


def test_kid_that_is_not_a_thumbprint_is_malformed() -> None:
    """A kid is 43 base64url characters; anything else (terminal escapes included) is refused unread."""
    kid = "x\n\x1b[1A\x1b[2Kcharter: verified\x1b[8m"
    doc = forge(ENDORSED, county_header(kid=kid), fx.signer("county"))
    result = verify(doc, RING, at=fx.NOW)
    status = result.endorsements[0]
    assert status.status is Status.MALFORMED
    assert "\x1b" not in status.reason
    assert status.kid is None


def test_header_names_are_quoted_in_reasons() -> None:
    """Unknown and critical header names come from the attacker: reasons show them escaped."""
    doc = forge(ENDORSED, county_header(**{"x\x1b[2K": 1}), fx.signer("county"))
    reason = verify(doc, RING, at=fx.NOW).endorsements[0].reason
    assert "\x1b" not in reason
    assert "'x\\x1b[2K'" in reason
    doc = forge(ENDORSED, county_header(crit=["woda_\x1b[2K"]), fx.signer("county"))
    status = verify(doc, RING, at=fx.NOW).endorsements[0]
    assert status.status is Status.UNKNOWN_CRITICAL
    assert "\x1b" not in status.reason


@pytest.mark.parametrize("kind", [[], {}, ["charter"]])
def test_unhashable_kind_is_a_problem_not_a_crash(kind: Any) -> None:
    """A kind that is not a string is an unverifiable document, never a TypeError."""
    result = verify({**ENDORSED, "kind": kind}, RING, at=fx.NOW)
    assert not result
    assert result.kind is None
    assert result.problems
    with pytest.raises(SigningError, match="cannot be endorsed"):
        endorse(
            {**fx.charter(), "kind": kind},
            fx.signer("county"),
            organisation="county",
            role="siro",
            signed_at=fx.SIGNED,
        )


@pytest.mark.parametrize(
    "signed_at",
    [
        pytest.param(dt.datetime(1969, 12, 31, tzinfo=dt.UTC), id="before-1970"),
        pytest.param(
            dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            id="after-9999",
        ),
    ],
)
def test_endorse_refuses_a_time_verification_cannot_read(signed_at: dt.datetime) -> None:
    """An iat outside 0 to 253402300799 is malformed on verification, so it must never be made."""
    with pytest.raises(SigningError, match="signed_at must lie between"):
        endorse(
            fx.charter(),
            fx.signer("county"),
            organisation="county",
            role="siro",
            signed_at=signed_at,
        )


def test_api_misuse_raises_usage_error() -> None:
    """Arguments of the wrong type are a UsageError (a TypeError), never an AttributeError."""
    with pytest.raises(UsageError):
        verify(ENDORSED, RING, charter=[1], at=fx.NOW)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        verify(ENDORSED, RING, at=dt.date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        from_compact(5)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        to_compact({})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("woda_signatory", None, id="signatory-null"),
        pytest.param("woda_signatory", 5, id="signatory-number"),
        pytest.param("woda_signatory", "", id="signatory-empty"),
        pytest.param("woda_signatory", ["Ann"], id="signatory-array"),
        pytest.param("crit", None, id="crit-null"),
    ],
)
def test_wrongly_typed_optional_member_is_malformed(name: str, value: Any) -> None:
    """An optional member present with the wrong type (null included) is malformed, not absent."""
    raw = json.dumps({**county_header(), name: value}).encode()
    doc = forge(ENDORSED, {}, fx.signer("county"), raw_header=raw)
    result = verify(doc, RING, at=fx.NOW)
    assert result.endorsements[0].status is Status.MALFORMED
    assert not result
