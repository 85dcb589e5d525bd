"""Public keys whose private key is public: small multiples of a generator, small RSA factors.

A key is only as secret as its private scalar. The P-256 generator ``G`` is
the public key of the private key 1, ``2G`` of 2, and so on; likewise the
Ed25519 base point. Anyone can sign for such a key, so `woda_sharing._keys`
refuses the multiples ``kG`` for ``1 <= k <= SMALL_MULTIPLES`` (and their
negatives ``-kG = (n - k)G``, which share the P-256 ``x`` and the Ed25519
``y``). The tables are built once per process, on first use, with one
modular inversion in all (Jacobian or extended coordinates, then a batch
inversion): a few tens of milliseconds.

RSA moduli are divided by every prime below `SMALL_FACTOR_BOUND` in chunks of
a few thousand bits, so that each check is a few hundred short divisions and
no multi-megabit product is ever built.
"""

from __future__ import annotations

import functools
import math
from typing import Final

__all__ = [
    "ED25519_P",
    "P256_PRIME",
    "SMALL_FACTOR_BOUND",
    "SMALL_MULTIPLES",
    "ed25519_small_multiple",
    "p256_small_multiple",
    "small_factor",
]

#: Multiples ``kG`` with ``1 <= k <= SMALL_MULTIPLES`` (either sign) are refused.
SMALL_MULTIPLES: Final = 2**12
#: RSA moduli with a prime factor below this bound are refused.
SMALL_FACTOR_BOUND: Final = 2**20

P256_PRIME: Final = 2**256 - 2**224 + 2**192 + 2**96 - 1
_P256_GX: Final = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
_P256_GY: Final = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

ED25519_P: Final = 2**255 - 19
_ED25519_D: Final = (-121665 * pow(121666, -1, ED25519_P)) % ED25519_P
_ED25519_BX: Final = 15112221349535400772501151409588531511454012693041857206046113283949847762202
_ED25519_BY: Final = 46316835694926478169428394003475163141307993866256225615783033603165251855960

# Primes multiplied into one chunk: their product stays near 4,000 bits (20 bits each).
_CHUNK: Final = 200


def _batch_inverse(values: list[int], p: int) -> list[int]:
    """The inverses of *values* modulo *p* with one modular inversion (Montgomery's trick)."""
    prefix = [1] * (len(values) + 1)
    for i, v in enumerate(values):
        prefix[i + 1] = prefix[i] * v % p
    inverse = pow(prefix[-1], -1, p)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = inverse * prefix[i] % p
        inverse = inverse * values[i] % p
    return out


@functools.cache
def _p256_table() -> frozenset[int]:
    """The affine ``x`` of ``kG`` for ``1 <= k <= SMALL_MULTIPLES``."""
    p, gx, gy = P256_PRIME, _P256_GX, _P256_GY
    # 2G in affine coordinates (a = -3), then kG + G in Jacobian coordinates (madd-2007-bl).
    slope = (3 * gx * gx - 3) * pow(2 * gy, -1, p) % p
    x2 = (slope * slope - 2 * gx) % p
    y2 = (slope * (gx - x2) - gy) % p
    xs, zs = [gx, x2], [1, 1]
    x1, y1, z1 = x2, y2, 1
    for _ in range(SMALL_MULTIPLES - 2):
        z1z1 = z1 * z1 % p
        h = (gx * z1z1 - x1) % p
        hh = h * h % p
        i = 4 * hh % p
        j = h * i % p
        r = 2 * (gy * z1 * z1z1 - y1) % p
        v = x1 * i % p
        x3 = (r * r - j - 2 * v) % p
        y1 = (r * (v - x3) - 2 * y1 * j) % p
        z1 = ((z1 + h) * (z1 + h) - z1z1 - hh) % p
        x1 = x3
        xs.append(x1)
        zs.append(z1)
    inverses = _batch_inverse(zs, p)
    return frozenset(x * zi * zi % p for x, zi in zip(xs, inverses, strict=True))


@functools.cache
def _ed25519_table() -> frozenset[int]:
    """The affine ``y`` of ``kB`` for ``1 <= k <= SMALL_MULTIPLES`` (B the Ed25519 base point)."""
    p, bx, by = ED25519_P, _ED25519_BX, _ED25519_BY
    d2 = 2 * _ED25519_D % p
    bt = bx * by % p
    # Extended coordinates, adding the affine B each step (add-2008-hwcd-3, complete for a = -1).
    x1, y1, z1, t1 = bx, by, 1, bt
    ys, zs = [by], [1]
    for _ in range(SMALL_MULTIPLES - 1):
        a = (y1 - x1) * (by - bx) % p
        b = (y1 + x1) * (by + bx) % p
        c = t1 * d2 * bt % p
        d = 2 * z1 % p
        e, f, g, h = b - a, d - c, d + c, b + a
        x1, y1, t1, z1 = e * f % p, g * h % p, e * h % p, f * g % p
        ys.append(y1)
        zs.append(z1)
    inverses = _batch_inverse(zs, p)
    return frozenset(y * zi % p for y, zi in zip(ys, inverses, strict=True))


def p256_small_multiple(x: int) -> bool:
    """Whether the P-256 point with affine *x* is ``kG`` or ``-kG`` for a small ``k``."""
    return x in _p256_table()


def ed25519_small_multiple(y: int) -> bool:
    """Whether the Ed25519 point with affine *y* is ``kB`` or ``-kB`` for a small ``k``."""
    return y in _ed25519_table()


@functools.cache
def _prime_chunks() -> tuple[int, ...]:
    bound = SMALL_FACTOR_BOUND
    sieve = bytearray([1]) * bound
    sieve[0:2] = b"\0\0"
    for i in range(2, math.isqrt(bound) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, bound, i)))
    primes = [i for i, flag in enumerate(sieve) if flag]
    return tuple(math.prod(primes[i : i + _CHUNK]) for i in range(0, len(primes), _CHUNK))


def small_factor(n: int) -> bool:
    """Whether *n* has a prime factor below `SMALL_FACTOR_BOUND`."""
    return any(math.gcd(n % chunk, chunk) != 1 for chunk in _prime_chunks())
