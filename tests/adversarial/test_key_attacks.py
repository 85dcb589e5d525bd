"""Attacks on key identity and on keys whose private key is public (issue 10, items 2, 3 and 8).

Each case is a key the keyring used to admit, or a key it admitted at a cost
an attacker controls; the reason it must be refused is in its docstring.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from tests import _signing_fixtures as fx
from tests._cost import cost_ratio
from woda_sharing import KeyMaterialError, KeyringError
from woda_sharing._jose import b64url_decode, b64url_encode
from woda_sharing._keyring import MAX_KEYS, Keyring
from woda_sharing._keys import check_public_jwk, jwk_thumbprint, key_identity, public_jwk
from woda_sharing._loading import load_json

P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ED_P = 2**255 - 19
ED_D = -121665 * pow(121666, -1, ED_P) % ED_P
ED_B = (
    15112221349535400772501151409588531511454012693041857206046113283949847762202,
    4 * pow(5, -1, ED_P) % ED_P,
)


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


def _ec_jwk(x: int, y: int) -> dict[str, Any]:
    jwk: dict[str, Any] = {
        "kty": "EC",
        "crv": "P-256",
        "alg": "ES256",
        "x": b64url_encode(x.to_bytes(32, "big")),
        "y": b64url_encode(y.to_bytes(32, "big")),
    }
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


def _okp_jwk(raw: bytes) -> dict[str, Any]:
    jwk: dict[str, Any] = {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "Ed25519",
        "x": b64url_encode(raw),
    }
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


def _rsa_jwk(n: int, e: int = 65537) -> dict[str, Any]:
    def uint(value: int) -> str:
        return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    jwk: dict[str, Any] = {"kty": "RSA", "n": uint(n), "e": uint(e), "alg": "PS256"}
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


# --- item 2: one private key, two members -------------------------------------------------


def test_p256_point_and_its_negation_are_one_key() -> None:
    """Q under one organisation and -Q under another: private keys d and n - d, one holder.

    The holder of d also holds n - d, so it would meet a threshold of two alone.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    negated = _ec_jwk(numbers.x, P256_P - numbers.y)
    check_public_jwk(negated)  # each point is a fine key on its own
    twin = ec.derive_private_key(P256_N - key.private_numbers().private_value, ec.SECP256R1())
    assert twin.public_key().public_numbers().y == P256_P - numbers.y
    ring = _ring_of(
        ("county", public_jwk(key.public_key(), algorithm="ES256")), ("police", negated)
    )
    with pytest.raises(KeyringError, match="one key written two ways"):
        Keyring.from_data(ring)


def test_ed25519_key_with_its_sign_bit_flipped_is_one_key() -> None:
    """A and -A: the signer picks the scalar, so whoever signs for A can sign for -A."""
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = bytearray(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    raw[31] ^= 0x80
    flipped = _okp_jwk(bytes(raw))
    check_public_jwk(flipped)
    ring = _ring_of(("county", public_jwk(key, algorithm="Ed25519")), ("police", flipped))
    with pytest.raises(KeyringError, match="one key written two ways"):
        Keyring.from_data(ring)


def test_key_identity_tells_distinct_keys_apart() -> None:
    """Honest keys of two organisations never share an identity."""
    for alg in ("Ed25519", "ES256", "PS256"):
        a, b = fx.signer("county", alg), fx.signer("police", alg)
        first, _ = check_public_jwk(a.public_jwk)
        second, _ = check_public_jwk(b.public_jwk)
        assert key_identity(first) != key_identity(second)
        assert key_identity(first) == key_identity(check_public_jwk(a.public_jwk)[0])


# --- item 3: keys whose private key is public ---------------------------------------------


def _p256_multiple(k: int) -> dict[str, Any]:
    numbers = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
    return _ec_jwk(numbers.x, numbers.y)


@pytest.mark.parametrize(
    "k", [1, 2, 3, 4096, P256_N - 1, P256_N - 4096], ids=["G", "2G", "3G", "4096G", "-G", "-4096G"]
)
def test_small_multiples_of_the_p256_generator_are_refused(k: int) -> None:
    """The generator is the public key of the private key 1: anyone can sign for it."""
    with pytest.raises(KeyMaterialError, match="small multiple of the P-256 generator"):
        check_public_jwk(_p256_multiple(k))


def test_p256_multiple_beyond_the_table_is_a_key() -> None:
    """The table is a bound, not a guess: 4097G is admitted (nobody generates such a key)."""
    check_public_jwk(_p256_multiple(4097))


def _ed_add(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = p, q
    t = ED_D * x1 * x2 * y1 * y2 % ED_P
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, ED_P) % ED_P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, -1, ED_P) % ED_P
    return x3, y3


def _ed_multiple(k: int, *, negate: bool = False) -> bytes:
    point = ED_B
    for _ in range(k - 1):
        point = _ed_add(point, ED_B)
    x, y = point
    if negate:
        x = -x % ED_P
    return (y | (x & 1) << 255).to_bytes(32, "little")


@pytest.mark.parametrize(
    ("k", "negate"),
    [(1, False), (1, True), (2, False), (3, True), (4096, False)],
    ids=["B", "-B", "2B", "-3B", "4096B"],
)
def test_small_multiples_of_the_ed25519_base_point_are_refused(k: int, negate: bool) -> None:
    """The base point is the public key of the scalar 1: anyone can sign for it."""
    with pytest.raises(KeyMaterialError, match="small multiple of the Ed25519 base point"):
        check_public_jwk(_okp_jwk(_ed_multiple(k, negate=negate)))


def test_ed25519_multiple_beyond_the_table_is_a_key() -> None:
    """4097B is admitted: the table is a bound."""
    check_public_jwk(_okp_jwk(_ed_multiple(4097)))


def test_rsa_factor_above_the_old_bound_is_refused() -> None:
    """A modulus with the prime factor 2**20 - 3 (above the old 2**16 bound) factors at once."""
    n = fx.signer("county", "PS256").public_jwk["n"]
    modulus = int.from_bytes(b64url_decode(n), "big") * (2**20 - 3)
    with pytest.raises(KeyMaterialError, match="small prime factor"):
        check_public_jwk(_rsa_jwk(modulus))


# --- item 8: admitting a large RSA key costs seconds --------------------------------------


@pytest.mark.parametrize("bits", [4104, 16384])
def test_rsa_keys_over_4096_bits_are_refused_cheaply(bits: int) -> None:
    """A 16,384-bit modulus used to cost a pure-Python exponentiation (seconds) on every load.

    It is refused by its size before any arithmetic: loading the keyring costs
    a few hundred `json.loads` of its bytes, not a few hundred thousand.
    """
    modulus = (1 << (bits - 1)) | 0x10001 | (7 << (bits // 2))
    data = json.dumps(_ring_of(("county", _rsa_jwk(modulus)))).encode()

    def load() -> None:
        with pytest.raises(KeyringError, match="2048 to 4096 bits"):
            Keyring.from_data(load_json(data))

    assert cost_ratio(load, data) < 2000


def test_a_keyring_of_too_many_keys_is_refused_before_any_key_is_checked() -> None:
    """Every key costs a check (an RSA key one exponentiation): the keyring caps the count."""
    jwk = dict(fx.signer("county").public_jwk)
    ring = _ring_of(*((f"org-{i}", jwk) for i in range(MAX_KEYS + 1)))
    with pytest.raises(KeyringError, match=f"more than the limit of {MAX_KEYS}"):
        Keyring.from_data(ring)
