"""The worst cost of hostile input within the default limits, as ratios to `json.loads`.

Issue 10 asked that no input within the limits cost more than linear time,
and that the worst case be documented from a measurement. This measures, on
the same bytes each time:

- the **loader** on the families of 16 MiB input that defeat its shortcuts
  (millions of tiny objects; millions of integers, then a ``-0``; millions of
  strings, then a lone surrogate; small objects, then a lone surrogate; one
  object of too many members; deep little arrays): seconds of CPU time for
  `load_json` and its ratio to `json.loads` (``*_vs_loads_x``);
- **schema explanation** (`validate` of an agreement whose ``security``
  array holds 5,000 objects, and of 1.7 MB of wrong items): ratios to
  `json.loads`, and the size of the report;
- **keys**: the one-time cost of a P-256, Ed25519 and RSA key check
  (RSA 2048, 3072 and 4096 bits: one modular exponentiation each) and of
  refusing a 16,384-bit modulus (milliseconds).

CPU time (`time.process_time`) is used, the best of a few repeats, so that
other work on the machine matters less. Run ``python -m benchmarks
bench_hostile`` (part of ``nox -s bench``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import time
from collections.abc import Callable
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import rsa

from woda_sharing import _keys as keys
from woda_sharing._jose import b64url_encode
from woda_sharing._loading import load_json
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.exceptions import KeyMaterialError, LoadError
from woda_sharing.testing import example_agreement, example_charter

__all__ = ["loader_families", "run"]

MiB: Final = 1 << 20
_TOTAL: Final = 16 * MiB - 200_000
TODAY: Final = dt.date(2024, 6, 1)


def _fill(unit: bytes, total: int = _TOTAL, tail: bytes = b"", per_array: int = 199_999) -> bytes:
    count = total // (len(unit) + 1)
    arrays = []
    while count > 0:
        k = min(count, per_array)
        arrays.append(b"[" + b",".join([unit] * k) + b"]")
        count -= k
    if tail:
        arrays.append(b"[" + tail + b"]")
    return b'{"a":[' + b",".join(arrays) + b"]}"


def loader_families() -> dict[str, bytes]:
    """The hostile 16 MiB inputs, by name."""
    return {
        "tiny_objects": _fill(b"{}"),
        "integers_then_minus_zero": _fill(b"1", tail=b"-0"),
        "strings_then_lone_surrogate": _fill(b'"a"', tail=b'"\\ud800"'),
        "small_objects_then_lone_surrogate": _fill(b'{"a":1,"b":2}', tail=b'"\\ud800"'),
        "long_string_trigger": _fill(b'"a"', tail=b'"' + b"\\u0041" * 17_000 + b'"'),
        "too_many_members": b"{" + b",".join(b'"k%d":0' % i for i in range(1_200_000)) + b"}",
        "deep_little_arrays": _fill(b"[" * 30 + b"]" * 30),
    }


def _cpu(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _quiet(fn: Callable[[], object]) -> Callable[[], None]:
    def call() -> None:
        with contextlib.suppress(LoadError):
            fn()

    return call


def _loader(figures: dict[str, float]) -> None:
    worst = 0.0
    for name, data in loader_families().items():
        loads = _cpu(lambda data=data: json.loads(data), 2)  # type: ignore[misc]
        cost = _cpu(_quiet(lambda data=data: load_json(data)), 2)  # type: ignore[misc]
        figures[f"load_{name}_s"] = cost
        figures[f"load_{name}_vs_loads_x"] = cost / loads
        worst = max(worst, cost)
    figures["load_worst_16mib_s"] = worst


def _schema(figures: dict[str, float]) -> None:
    info = CharterInfo.of(example_charter())
    objects = example_agreement()
    objects["security"] = [{"n": i} for i in range(5000)]
    wrong = example_agreement()
    wrong["items"] = [
        {"id": "Not An Id " + "x" * 40, "extra": "y" * 60, "more": ["z" * 30] * 3}
        for _ in range(7000)
    ]
    for name, document in (("unique_objects", objects), ("many_errors", wrong)):
        data = json.dumps(document).encode()
        loads = _cpu(lambda data=data: json.loads(data), 20) or 1e-6  # type: ignore[misc]
        cost = _cpu(lambda data=data: validate(data, charter=info, today=TODAY), 3)  # type: ignore[misc]
        report = validate(data, charter=info, today=TODAY)
        figures[f"schema_{name}_input_bytes"] = len(data)
        figures[f"schema_{name}_s"] = cost
        figures[f"schema_{name}_vs_loads_x"] = cost / loads
        figures[f"schema_{name}_findings"] = len(report.findings)
        figures[f"schema_{name}_report_bytes"] = sum(len(f.message) for f in report.findings)


def _uint(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _keys(figures: dict[str, float]) -> None:
    for alg in ("Ed25519", "ES256"):
        jwk = keys.generate_signer(alg).public_jwk
        keys.check_public_jwk(jwk)  # builds the small-multiple table once
        figures[f"key_{alg.lower()}_ms"] = _cpu(lambda jwk=jwk: keys.check_public_jwk(jwk), 5) * 1e3  # type: ignore[misc]
    for bits in (2048, 3072, 4096):
        n = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
        jwk = keys.public_jwk(n, algorithm="PS256")

        def check(jwk: Any = jwk) -> None:
            keys._rsa_modulus_problem.cache_clear()
            keys.check_public_jwk(jwk)

        figures[f"key_rsa{bits}_ms"] = _cpu(check, 3) * 1e3
    big = (1 << 16383) | 0x10001
    jwk = {"kty": "RSA", "n": _uint(big), "e": "AQAB", "alg": "PS256"}
    jwk["kid"] = keys.jwk_thumbprint(jwk)

    def refuse() -> None:
        with contextlib.suppress(KeyMaterialError):
            keys.check_public_jwk(jwk)

    figures["key_rsa16384_refused_ms"] = _cpu(refuse, 5) * 1e3


def run() -> dict[str, float]:
    """Measure and return every figure (seconds, milliseconds, ratios, counts)."""
    figures: dict[str, float] = {}
    _keys(figures)
    _schema(figures)
    _loader(figures)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:48} {value:12.3f}")
