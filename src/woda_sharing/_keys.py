"""Keys: generate, load and store signing keys; export and check public JWKs.

Three signature algorithms are supported, each tied to exactly one key type:

========== ======================= ==========================================
``alg``     key                     signature bytes
========== ======================= ==========================================
Ed25519     OKP, curve Ed25519      64 bytes (RFC 8032), RFC 9864 identifier
ES256       EC, curve P-256         64 bytes ``r || s`` (RFC 7518 3.4)
PS256       RSA, 2048-4096 bits     RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32
========== ======================= ==========================================

The polymorphic ``EdDSA`` identifier is refused: RFC 9864 deprecates it and a
fully specified name leaves nothing for a verifier to guess. ``none``, HMAC
and every other name are refused too. The table is `ALGORITHMS`; adding an
algorithm means adding one entry.

Signing goes through the `Signer` protocol (``algorithm``, ``key_id``,
``public_jwk`` and ``sign(payload)``), so a hardware module or a cloud KMS
can stand in for `LocalSigner`, which holds a private key in memory. Private
keys are written PEM-encoded (PKCS#8, optionally encrypted with a passphrase)
with owner-only permissions, through the one atomic file writer.

`check_public_jwk` is the gate every public key passes before it is
trusted: it refuses private members, unsupported types and curves, key ids
that are not the RFC 7638 thumbprint, RSA moduli outside 2048 to 4096 bits or
that anyone can factor (even, with a factor below 2**20, the product of two
nearly equal primes, or prime), RSA exponents other than odd ones from 65537
to 2**32, EC coordinates that are not reduced modulo the field prime or off
the curve, Ed25519 encodings that are non-canonical, not on the curve or of
small order (such keys make forged signatures verify), and points whose
private key is public: the small multiples of the P-256 generator or of the
Ed25519 base point (see `woda_sharing._weak_keys`). The cheap refusals come
first: an RSA key costs one modular exponentiation at most, and only once
everything else has passed.

`key_identity` says when two public keys are one private key, however they
are written: one RSA modulus under two exponents, a P-256 point and its
negation (private keys ``d`` and ``n - d``), an Ed25519 key and the same key
with its sign bit flipped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol, runtime_checkable

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from woda_sharing import _weak_keys
from woda_sharing._files import atomic_write, read_regular
from woda_sharing._jose import JoseFormatError, b64url_decode, b64url_encode
from woda_sharing.exceptions import KeyMaterialError

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "PRIVATE_JWK_MEMBERS",
    "Algorithm",
    "LocalSigner",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "check_public_jwk",
    "generate_signer",
    "jwk_thumbprint",
    "key_identity",
    "load_signer",
    "public_jwk",
    "read_signer",
    "verify_signature",
    "write_private_key",
    "write_public_jwk",
]

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

#: The algorithm `generate_signer` uses unless told otherwise.
DEFAULT_ALGORITHM: Final = "Ed25519"

_MIN_RSA_BITS: Final = 2048
_MAX_RSA_BITS: Final = 4096
_MIN_RSA_EXPONENT: Final = 65537
_MAX_RSA_EXPONENT: Final = 2**32
_P256_ORDER: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P256_PRIME: Final = _weak_keys.P256_PRIME
# Miller-Rabin bases: the first twelve primes (deterministic below 3.3 * 10**24, and
# a composite passing all twelve by chance is vanishingly unlikely beyond that).
_MR_BASES: Final = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
_FERMAT_STEPS: Final = 64
_ED25519_P: Final = _weak_keys.ED25519_P
_ED25519_D: Final = (-121665 * pow(121666, -1, _ED25519_P)) % _ED25519_P
# y coordinates of the 8 small-order points of edwards25519 (either sign of x):
# the identity (y=1), the point of order 2 (y=-1), the two of order 4 (y=0) and
# the four of order 8 (the two values below and their negations).
_ED25519_Y8: Final = int.from_bytes(
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "little"
)
_ED25519_SMALL_ORDER_Y: Final = frozenset(
    {0, 1, _ED25519_P - 1, _ED25519_Y8, _ED25519_P - _ED25519_Y8}
)
#: JWK members that hold private key material (RFC 7518 sections 6.2.2, 6.3.2, 6.4).
PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
#: A PEM private key of 4,096-bit RSA is about 3.3 kB; anything far larger is not a key.
_MAX_PEM_BYTES: Final = 64 * 1024
_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


@frozen(kw_only=True)
class Algorithm:
    """One supported signature algorithm: its JOSE name, key type and primitives."""

    name: str
    kty: str
    crv: str | None
    sign: Callable[[Any, bytes], bytes] = field(repr=False)
    verify: Callable[[Any, bytes, bytes], None] = field(repr=False)
    key_type: type = field(repr=False)


def _ed25519_sign(key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def _ed25519_verify(key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> None:
    if len(signature) != 64:
        raise InvalidSignature
    key.verify(signature, data)


def _es256_sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    # Normalise to low-S so the library never emits both encodings of one signature.
    s = min(s, _P256_ORDER - s)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _es256_verify(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> None:
    if len(signature) != 64:
        raise InvalidSignature
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < _P256_ORDER and 0 < s < _P256_ORDER):
        raise InvalidSignature
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))


def _ps256_sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    return key.sign(data, _PSS, hashes.SHA256())


def _ps256_verify(key: rsa.RSAPublicKey, signature: bytes, data: bytes) -> None:
    if len(signature) != (key.key_size + 7) // 8:
        raise InvalidSignature
    key.verify(signature, data, _PSS, hashes.SHA256())


#: The supported algorithms by JOSE name; nothing outside this table is ever accepted.
ALGORITHMS: Final[Mapping[str, Algorithm]] = {
    "Ed25519": Algorithm(
        name="Ed25519",
        kty="OKP",
        crv="Ed25519",
        sign=_ed25519_sign,
        verify=_ed25519_verify,
        key_type=ed25519.Ed25519PublicKey,
    ),
    "ES256": Algorithm(
        name="ES256",
        kty="EC",
        crv="P-256",
        sign=_es256_sign,
        verify=_es256_verify,
        key_type=ec.EllipticCurvePublicKey,
    ),
    "PS256": Algorithm(
        name="PS256",
        kty="RSA",
        crv=None,
        sign=_ps256_sign,
        verify=_ps256_verify,
        key_type=rsa.RSAPublicKey,
    ),
}


def _algorithm(name: str) -> Algorithm:
    try:
        return ALGORITHMS[name]
    except (KeyError, TypeError):
        raise KeyMaterialError(
            f"algorithm {name!r} is not supported (use one of {', '.join(ALGORITHMS)})"
        ) from None


@runtime_checkable
class Signer(Protocol):
    """Anything that can make an endorsement signature: a local key, a hardware module, a KMS."""

    @property
    def algorithm(self) -> str:
        """The JOSE ``alg`` of the signatures this signer makes (a key of `ALGORITHMS`)."""

    @property
    def key_id(self) -> str:
        """The RFC 7638 thumbprint of the public key (the ``kid`` of endorsements)."""

    @property
    def public_jwk(self) -> Mapping[str, Any]:
        """The public key as a JWK with ``kid`` and ``alg``; never private material."""

    def sign(self, payload: bytes) -> bytes:
        """Return the raw JWS signature over *payload* (the JWS signing input)."""


def _algorithm_for_private_key(key: object) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError(
                f"EC curve {key.curve.name} is not supported (only P-256 for ES256)"
            )
        return "ES256"
    if isinstance(key, rsa.RSAPrivateKey):
        if not _MIN_RSA_BITS <= key.key_size <= _MAX_RSA_BITS:
            raise KeyMaterialError(f"RSA key of {key.key_size} bits is refused (2048 to 4096 bits)")
        return "PS256"
    raise KeyMaterialError(f"{type(key).__name__} is not a supported private key type")


def public_jwk(key: PublicKey, *, algorithm: str) -> dict[str, Any]:
    """Return the public JWK of *key* with ``alg`` and its RFC 7638 thumbprint as ``kid``."""
    alg = _algorithm(algorithm)
    if not isinstance(key, alg.key_type):
        raise KeyMaterialError(f"a {type(key).__name__} cannot be used with {algorithm}")
    jwk: dict[str, Any]
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError(f"EC curve {key.curve.name} is not supported (only P-256)")
        numbers = key.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }
    else:
        rsa_numbers = key.public_numbers()
        jwk = {"kty": "RSA", "n": _uint(rsa_numbers.n), "e": _uint(rsa_numbers.e)}
    jwk["kid"] = jwk_thumbprint(jwk)
    jwk["alg"] = algorithm
    return jwk


def _uint(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


_THUMBPRINT_MEMBERS: Final[Mapping[str, tuple[str, ...]]] = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
}


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of *jwk*, base64url-encoded."""
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty"))  # type: ignore[arg-type]
    if members is None:
        raise KeyMaterialError(f"key type {jwk.get('kty')!r} is not supported")
    try:
        required = {name: jwk[name] for name in members}
    except KeyError as e:
        raise KeyMaterialError(f"JWK lacks its {e.args[0]!r} member") from None
    if not all(isinstance(v, str) for v in required.values()):
        raise KeyMaterialError("JWK members used by the thumbprint must be strings")
    text = json.dumps(required, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return b64url_encode(hashlib.sha256(text.encode("utf-8")).digest())


def _member_bytes(jwk: Mapping[str, Any], name: str) -> bytes:
    try:
        return b64url_decode(jwk.get(name), what=f"JWK member {name!r}")
    except JoseFormatError as e:
        raise KeyMaterialError(str(e)) from None


def _ed25519_point_ok(raw: bytes) -> bool:
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _ED25519_P or y in _ED25519_SMALL_ORDER_Y:
        return False
    p = _ED25519_P
    u = (y * y - 1) % p
    v = (_ED25519_D * y * y + 1) % p
    x2 = u * pow(v, -1, p) % p
    return x2 == 0 or pow(x2, (p - 1) // 2, p) == 1


def check_public_jwk(jwk: object) -> tuple[PublicKey, Algorithm]:
    """Check a public JWK strictly and return its key and algorithm, or raise `KeyMaterialError`.

    The JWK must carry ``kty``, ``alg`` (one of `ALGORITHMS`, matching the key
    type), ``kid`` equal to its RFC 7638 thumbprint, and no private member.
    """
    if not isinstance(jwk, Mapping):
        raise KeyMaterialError("a JWK must be a JSON object")
    private = sorted(PRIVATE_JWK_MEMBERS.intersection(jwk))
    if private:
        raise KeyMaterialError(
            f"JWK holds private key material ({', '.join(private)}); give the public key only"
        )
    alg = _algorithm(jwk.get("alg"))  # type: ignore[arg-type]
    if jwk.get("kty") != alg.kty or jwk.get("crv") != alg.crv:
        raise KeyMaterialError(
            f"JWK of type {jwk.get('kty')!r}/{jwk.get('crv')!r} cannot be used with {alg.name}"
        )
    if jwk.get("kid") != jwk_thumbprint(jwk):
        raise KeyMaterialError("JWK kid is not its RFC 7638 thumbprint")
    return _KEY_LOADERS[alg.kty](jwk), alg


def _okp_key(jwk: Mapping[str, Any]) -> PublicKey:
    raw = _member_bytes(jwk, "x")
    if len(raw) != 32 or not _ed25519_point_ok(raw):
        raise KeyMaterialError("Ed25519 key is not a canonical point of large order")
    if _weak_keys.ed25519_small_multiple(int.from_bytes(raw, "little") & _ED25519_Y_MASK):
        raise KeyMaterialError(_PUBLIC_PRIVATE_KEY.format(what="Ed25519 base point"))
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def _ec_key(jwk: Mapping[str, Any]) -> PublicKey:
    x, y = _member_bytes(jwk, "x"), _member_bytes(jwk, "y")
    if len(x) != 32 or len(y) != 32:
        raise KeyMaterialError("P-256 coordinates must be 32 bytes each")
    x_int, y_int = int.from_bytes(x, "big"), int.from_bytes(y, "big")
    if x_int >= _P256_PRIME or y_int >= _P256_PRIME:
        # Otherwise (x, y) and (x + p, y) would be one key under two kids.
        raise KeyMaterialError("P-256 coordinates must be reduced modulo the field prime")
    try:
        key = ec.EllipticCurvePublicNumbers(x_int, y_int, ec.SECP256R1()).public_key()
    except ValueError as err:
        raise KeyMaterialError("EC point is not on the P-256 curve") from err
    if _weak_keys.p256_small_multiple(x_int):
        raise KeyMaterialError(_PUBLIC_PRIVATE_KEY.format(what="P-256 generator"))
    return key


_PUBLIC_PRIVATE_KEY: Final = (
    "the key is a small multiple of the {what}: its private key is a small number, "
    "so anyone could forge signatures with it"
)
_ED25519_Y_MASK: Final = (1 << 255) - 1


def _probably_prime(n: int) -> bool:
    """Miller-Rabin with the fixed bases `_MR_BASES`; *n* is odd and large.

    A composite (every honest modulus) is almost always caught by the first
    base, so this costs one modular exponentiation; only a prime costs twelve.
    """
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False  # a is a witness: n is composite
    return True


@functools.lru_cache(maxsize=256)
def _rsa_modulus_problem(n: int) -> str | None:
    """Why anyone could factor the modulus *n* (and so forge signatures), or ``None``.

    The checks run from the cheapest (a bit test, a few square roots, a few
    hundred short divisions) to the only expensive one (Miller-Rabin).
    """
    if not n & 1:
        return "RSA modulus is even"
    # Fermat: a product of two primes that are too close is factored in a few steps.
    a = math.isqrt(n)
    if a * a < n:
        a += 1
    for _ in range(_FERMAT_STEPS):
        b2 = a * a - n
        b = math.isqrt(b2)
        if b * b == b2:
            return "RSA modulus is the product of two nearly equal factors"
        a += 1
    if _weak_keys.small_factor(n):
        return "RSA modulus has a small prime factor"
    if _probably_prime(n):
        return "RSA modulus is prime"
    return None


def _rsa_key(jwk: Mapping[str, Any]) -> PublicKey:
    n, e = _member_bytes(jwk, "n"), _member_bytes(jwk, "e")
    if n[:1] == b"\0" or e[:1] == b"\0":
        raise KeyMaterialError("RSA n and e must be minimal big-endian integers")
    modulus, exponent = int.from_bytes(n, "big"), int.from_bytes(e, "big")
    if not _MIN_RSA_BITS <= modulus.bit_length() <= _MAX_RSA_BITS:
        raise KeyMaterialError(
            f"RSA key of {modulus.bit_length()} bits is refused (2048 to 4096 bits)"
        )
    if not (_MIN_RSA_EXPONENT <= exponent <= _MAX_RSA_EXPONENT and exponent & 1):
        raise KeyMaterialError("RSA public exponent must be odd, from 65537 to 2**32")
    problem = _rsa_modulus_problem(modulus)
    if problem is not None:
        raise KeyMaterialError(f"{problem}: anyone could forge signatures with this key")
    try:
        return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    except ValueError as err:
        raise KeyMaterialError(f"RSA key is invalid: {err}") from err


_KEY_LOADERS: Final[Mapping[str, Callable[[Mapping[str, Any]], PublicKey]]] = {
    "OKP": _okp_key,
    "EC": _ec_key,
    "RSA": _rsa_key,
}


def key_identity(key: PublicKey) -> tuple[object, ...]:
    """What makes two public keys one key, whatever their kids: one private key signs for both.

    RSA: the modulus (whoever can factor it signs under every exponent).
    P-256: ``x`` and the smaller of ``y`` and ``p - y`` (``Q`` and ``-Q`` are the
    private keys ``d`` and ``n - d``). Ed25519: the encoding without its sign
    bit (``A`` and ``-A`` are the scalars ``a`` and ``-a``, and the signer
    chooses the scalar).
    """
    if isinstance(key, rsa.RSAPublicKey):
        return ("RSA", key.public_numbers().n)
    if isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        return ("EC", numbers.x, min(numbers.y, _P256_PRIME - numbers.y))
    raw = bytearray(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    raw[31] &= 0x7F
    return ("OKP", bytes(raw))


def verify_signature(
    algorithm: Algorithm, key: PublicKey, signature: bytes, signing_input: bytes
) -> bool:
    """Whether *signature* over *signing_input* verifies with *key* under *algorithm*."""
    if not isinstance(key, algorithm.key_type):
        return False
    try:
        algorithm.verify(key, signature, signing_input)
    except (InvalidSignature, ValueError):
        return False
    return True


@frozen(kw_only=True)
class LocalSigner:
    """A `Signer` holding a private key in memory (never shown by ``repr``)."""

    private_key: PrivateKey = field(repr=False)
    algorithm: str
    public_jwk: Mapping[str, Any]
    key_id: str

    @classmethod
    def from_private_key(cls, key: PrivateKey) -> LocalSigner:
        """Wrap a `cryptography` private key; its algorithm follows from its type."""
        algorithm = _algorithm_for_private_key(key)
        jwk = public_jwk(key.public_key(), algorithm=algorithm)
        return cls(private_key=key, algorithm=algorithm, public_jwk=jwk, key_id=jwk["kid"])

    def sign(self, payload: bytes) -> bytes:
        """Return the raw JWS signature over *payload*."""
        return ALGORITHMS[self.algorithm].sign(self.private_key, payload)

    def private_pem(self, *, passphrase: bytes | None = None) -> bytes:
        """Return the private key as PKCS#8 PEM, encrypted when *passphrase* is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


def generate_signer(algorithm: str = DEFAULT_ALGORITHM) -> LocalSigner:
    """Generate a new private key for *algorithm* (RSA keys get 3072 bits)."""
    alg = _algorithm(algorithm)
    key: PrivateKey
    if alg.name == "Ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    elif alg.name == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return LocalSigner.from_private_key(key)


def load_signer(data: bytes, *, passphrase: bytes | None = None) -> LocalSigner:
    """Load a PEM private key (optionally encrypted) as a `LocalSigner`, or raise `KeyMaterialError`."""
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as e:
        raise KeyMaterialError(
            "the key is encrypted and needs a passphrase" if passphrase is None else str(e)
        ) from None
    except (ValueError, UnsupportedAlgorithm) as e:
        raise KeyMaterialError("not a readable PEM private key, or wrong passphrase") from e
    if not isinstance(
        key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)
    ):
        raise KeyMaterialError(f"{type(key).__name__} is not a supported private key type")
    return LocalSigner.from_private_key(key)


def read_signer(path: str | os.PathLike[str], *, passphrase: bytes | None = None) -> LocalSigner:
    """Read a PEM private key file as a `LocalSigner`; `KeyMaterialError` if it cannot be read."""
    try:
        pem = read_regular(path, max_bytes=_MAX_PEM_BYTES)
    except OSError as e:
        raise KeyMaterialError(f"cannot read the key {path}: {e.strerror or e}") from e
    return load_signer(pem, passphrase=passphrase)


def write_private_key(
    path: str | os.PathLike[str], signer: LocalSigner, *, passphrase: bytes | None = None
) -> None:
    """Write *signer*'s private key as PEM with owner-only permissions (0o600), atomically."""
    atomic_write(path, signer.private_pem(passphrase=passphrase), mode=0o600)


def write_public_jwk(path: str | os.PathLike[str], jwk: Mapping[str, Any]) -> None:
    """Write a public JWK as JSON, atomically, after checking it holds no private material."""
    check_public_jwk(jwk)
    atomic_write(path, (json.dumps(dict(jwk), indent=2, sort_keys=True) + "\n").encode("utf-8"))
