"""Keys: generation, PEM round trips, public JWKs and the strict JWK gate."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x25519

from tests._signing_fixtures import signer as cached_signer
from woda_sharing._jose import b64url_encode
from woda_sharing._keys import (
    ALGORITHMS,
    LocalSigner,
    Signer,
    check_public_jwk,
    generate_signer,
    jwk_thumbprint,
    load_signer,
    public_jwk,
    read_signer,
    verify_signature,
    write_private_key,
    write_public_jwk,
)
from woda_sharing.exceptions import KeyMaterialError

ALGS = sorted(ALGORITHMS)
P = 2**255 - 19


@pytest.mark.parametrize("alg", ALGS)
def test_sign_and_verify_round_trip(alg: str) -> None:
    signer = cached_signer("keys", alg)
    assert isinstance(signer, Signer)
    key, algorithm = check_public_jwk(signer.public_jwk)
    sig = signer.sign(b"payload")
    assert verify_signature(algorithm, key, sig, b"payload")
    assert not verify_signature(algorithm, key, sig, b"payloaD")


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("passphrase", [None, b"correct horse"], ids=["plain", "encrypted"])
def test_pem_round_trip_with_owner_only_permissions(
    tmp_path: Path, alg: str, passphrase: bytes | None
) -> None:
    signer = cached_signer("keys", alg)
    path = tmp_path / "k.pem"
    write_private_key(path, signer, passphrase=passphrase)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        b"ENCRYPTED" in path.read_bytes() if passphrase else b"ENCRYPTED" not in path.read_bytes()
    )
    loaded = read_signer(path, passphrase=passphrase)
    assert loaded.key_id == signer.key_id
    assert loaded.public_jwk == signer.public_jwk


def test_encrypted_key_needs_the_right_passphrase(tmp_path: Path) -> None:
    pem = cached_signer("keys").private_pem(passphrase=b"secret")
    with pytest.raises(KeyMaterialError, match="needs a passphrase"):
        load_signer(pem)
    with pytest.raises(KeyMaterialError, match="wrong passphrase"):
        load_signer(pem, passphrase=b"wrong")


def test_garbage_pem_is_refused() -> None:
    with pytest.raises(KeyMaterialError):
        load_signer(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_repr_never_shows_the_private_key() -> None:
    signer = cached_signer("keys")
    assert "private" not in repr(signer)
    assert "PRIVATE" not in repr(signer)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda: ec.generate_private_key(ec.SECP384R1()), id="p384"),
        pytest.param(
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505 - the point
            id="rsa1024",
        ),
    ],
)
def test_unsupported_private_keys(key: Any) -> None:
    with pytest.raises(KeyMaterialError):
        LocalSigner.from_private_key(key())


def test_unknown_algorithm() -> None:
    with pytest.raises(KeyMaterialError, match="not supported"):
        generate_signer("HS256")


def test_public_jwk_has_thumbprint_kid_and_no_private_members() -> None:
    jwk = cached_signer("keys").public_jwk
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg"}
    assert jwk["kid"] == jwk_thumbprint(jwk)


def test_rfc7638_known_answer() -> None:
    # RFC 7638 section 3.1 example.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def _with_kid(jwk: dict[str, Any]) -> dict[str, Any]:
    jwk = dict(jwk)
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


def _okp(raw: bytes) -> dict[str, Any]:
    return _with_kid({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw), "alg": "Ed25519"})


SMALL_ORDER = [
    (0).to_bytes(32, "little"),
    (1).to_bytes(32, "little"),
    (P - 1).to_bytes(32, "little"),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    bytes.fromhex(
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"
    ),  # sign bit set
    (1 + (1 << 255)).to_bytes(32, "little"),  # identity with the sign bit: non-canonical
]
NON_CANONICAL = [
    (P).to_bytes(32, "little"),
    (P + 1).to_bytes(32, "little"),
    (2**255 - 1).to_bytes(32, "little"),
]


def _edwards_order_divides_8(raw: bytes) -> bool:
    """Independent check by point arithmetic that an encoding is a point of order dividing 8."""
    d = (-121665 * pow(121666, -1, P)) % P
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    x2 = (y * y - 1) * pow(d * y * y + 1, -1, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P

    def add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        (x1, y1), (x2_, y2) = a, b
        t = d * x1 * x2_ * y1 * y2 % P
        return (
            (x1 * y2 + x2_ * y1) * pow(1 + t, -1, P) % P,
            (y1 * y2 + x1 * x2_) * pow(1 - t, -1, P) % P,
        )

    point = (x, y)
    acc = point
    for _ in range(3):
        acc = add(acc, acc)
    return acc == (0, 1)


@pytest.mark.parametrize("raw", SMALL_ORDER[:5], ids=["y0", "y1", "y-1", "order8-a", "order8-b"])
def test_blocklist_really_is_small_order(raw: bytes) -> None:
    assert _edwards_order_divides_8(raw)


@pytest.mark.parametrize(
    "raw", SMALL_ORDER + NON_CANONICAL, ids=lambda r: r.hex()[:8] + r.hex()[-4:]
)
def test_small_order_and_non_canonical_ed25519_keys_are_refused(raw: bytes) -> None:
    with pytest.raises(KeyMaterialError, match="large order"):
        check_public_jwk(_okp(raw))


def test_ed25519_encoding_off_the_curve_is_refused() -> None:
    # y = 2: (y^2 - 1)/(d y^2 + 1) is not a square mod p, so no x exists.
    with pytest.raises(KeyMaterialError, match="large order"):
        check_public_jwk(_okp((2).to_bytes(32, "little")))


def test_ec_point_off_the_curve_is_refused() -> None:
    jwk = dict(cached_signer("keys", "ES256").public_jwk)
    y = bytearray(base64.urlsafe_b64decode(jwk["y"] + "="))
    y[-1] ^= 1
    jwk["y"] = b64url_encode(bytes(y))
    with pytest.raises(KeyMaterialError, match="not on the P-256 curve"):
        check_public_jwk(_with_kid(jwk))


def test_small_rsa_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    key = weak.public_key().public_numbers()
    jwk = _with_kid(
        {
            "kty": "RSA",
            "n": b64url_encode(key.n.to_bytes(128, "big")),
            "e": "AQAB",
            "alg": "PS256",
        }
    )
    with pytest.raises(KeyMaterialError, match="1024 bits"):
        check_public_jwk(jwk)


def test_rsa_with_leading_zero_is_refused() -> None:
    jwk = dict(cached_signer("keys", "PS256").public_jwk)
    jwk["e"] = "AAEAAQ"
    with pytest.raises(KeyMaterialError, match="minimal"):
        check_public_jwk(_with_kid(jwk))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"d": "AAAA"}, "private key material", id="private-d"),
        pytest.param({"alg": "EdDSA"}, "not supported", id="polymorphic-eddsa"),
        pytest.param({"alg": "ES256"}, "cannot be used with ES256", id="okp-with-es256"),
        pytest.param({"alg": "HS256"}, "not supported", id="hmac"),
        pytest.param({"kid": "not-the-thumbprint"}, "thumbprint", id="kid-mismatch"),
        pytest.param({"crv": "X25519"}, "cannot be used", id="x25519"),
        pytest.param({"x": "AAAA="}, "base64url", id="padded-x"),
    ],
)
def test_jwk_gate(change: dict[str, str], message: str) -> None:
    jwk = {**cached_signer("keys").public_jwk, **change}
    if "kid" not in change and "alg" not in change and "d" not in change:
        jwk = _with_kid(jwk)
    with pytest.raises(KeyMaterialError, match=message):
        check_public_jwk(jwk)


def test_not_a_mapping() -> None:
    with pytest.raises(KeyMaterialError):
        check_public_jwk(["kty"])


def test_write_public_jwk_refuses_private_material(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError):
        write_public_jwk(tmp_path / "k.json", {**cached_signer("keys").public_jwk, "d": "AAAA"})
    assert not (tmp_path / "k.json").exists()


def test_es256_signatures_are_low_s() -> None:
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    signer = cached_signer("keys", "ES256")
    for i in range(20):
        sig = signer.sign(b"m%d" % i)
        assert int.from_bytes(sig[32:], "big") <= n // 2


def test_write_public_jwk(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    write_public_jwk(path, cached_signer("keys").public_jwk)
    assert json.loads(path.read_text()) == dict(cached_signer("keys").public_jwk)


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("length", [0, 63, 65, 255, 385], ids=lambda n: f"len{n}")
def test_wrong_signature_lengths(alg: str, length: int) -> None:
    key, algorithm = check_public_jwk(cached_signer("keys", alg).public_jwk)
    assert not verify_signature(algorithm, key, b"\x01" * length, b"payload")


def test_key_of_the_wrong_type_never_verifies() -> None:
    ed_key, _ = check_public_jwk(cached_signer("keys").public_jwk)
    signer = cached_signer("keys", "ES256")
    assert not verify_signature(ALGORITHMS["ES256"], ed_key, signer.sign(b"x"), b"x")


def test_unsupported_key_types() -> None:
    with pytest.raises(KeyMaterialError, match="not a supported private key type"):
        LocalSigner.from_private_key(x25519.X25519PrivateKey.generate())  # type: ignore[arg-type]
    pem = x25519.X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyMaterialError, match="not a supported private key type"):
        load_signer(pem)
    ed_public = cached_signer("keys").private_key.public_key()
    with pytest.raises(KeyMaterialError, match="cannot be used with ES256"):
        public_jwk(ed_public, algorithm="ES256")
    with pytest.raises(KeyMaterialError, match="only P-256"):
        public_jwk(ec.generate_private_key(ec.SECP384R1()).public_key(), algorithm="ES256")


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        pytest.param({"kty": "oct", "k": "AAAA"}, "not supported", id="oct"),
        pytest.param({"kty": "OKP", "crv": "Ed25519"}, "lacks its 'x'", id="missing-x"),
        pytest.param({"kty": "OKP", "crv": "Ed25519", "x": 5}, "strings", id="x-not-string"),
    ],
)
def test_thumbprint_refuses(jwk: dict[str, Any], message: str) -> None:
    with pytest.raises(KeyMaterialError, match=message):
        jwk_thumbprint(jwk)


def test_ec_coordinates_of_wrong_length() -> None:
    jwk = dict(cached_signer("keys", "ES256").public_jwk)
    jwk["x"] = b64url_encode(b"\x01" * 31)
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        check_public_jwk(_with_kid(jwk))


@pytest.mark.parametrize(
    ("e", "message"),
    [
        pytest.param(b64url_encode((2**33 + 1).to_bytes(5, "big")), "from 65537 to 2", id="huge-e"),
        pytest.param(b64url_encode((65536).to_bytes(3, "big")), "must be odd", id="even-e"),
        pytest.param(b64url_encode((65539).to_bytes(3, "big")), None, id="odd-e-above-65537"),
        pytest.param(b64url_encode(b"\x03"), "must be odd, from 65537", id="e-3"),
        pytest.param(b64url_encode((65535).to_bytes(2, "big")), "from 65537", id="e-65535"),
    ],
)
def test_rsa_exponent(e: str, message: str | None) -> None:
    jwk = {**cached_signer("keys", "PS256").public_jwk, "e": e}
    if message is None:
        check_public_jwk(_with_kid(jwk))
        return
    with pytest.raises(KeyMaterialError, match=message):
        check_public_jwk(_with_kid(jwk))


P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1


def _ec(x: int, y: int) -> dict[str, Any]:
    return _with_kid(
        {
            "kty": "EC",
            "crv": "P-256",
            "alg": "ES256",
            "x": b64url_encode(x.to_bytes(32, "big")),
            "y": b64url_encode(y.to_bytes(32, "big")),
        }
    )


def _small_p256_point() -> tuple[int, int]:
    """A point with a small x, so that x + p still fits in 32 bytes."""
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    x = 1
    while True:
        rhs = (x**3 - 3 * x + b) % P256_P
        y = pow(rhs, (P256_P + 1) // 4, P256_P)
        if y * y % P256_P == rhs:
            return x, y
        x += 1


def test_ec_coordinates_must_be_reduced() -> None:
    """(x + p, y) is the point (x, y) under another kid: one key would pass as two."""
    x, y = _small_p256_point()
    check_public_jwk(_ec(x, y))
    with pytest.raises(KeyMaterialError, match="reduced modulo the field prime"):
        check_public_jwk(_ec(x + P256_P, y))
    with pytest.raises(KeyMaterialError, match="reduced modulo the field prime"):
        check_public_jwk(_ec(x, P256_P))


def test_reading_a_missing_key_file_is_a_key_material_error(tmp_path: Path) -> None:
    from woda_sharing._keys import read_signer
    from woda_sharing.exceptions import KeyMaterialError

    with pytest.raises(KeyMaterialError, match="cannot read the key"):
        read_signer(tmp_path / "absent.key.pem")
