"""Verification cost against the raw cost of its signature checks.

A charter with 30 members, endorsed by all 30 (Ed25519), is verified with
`woda_sharing._signing.verify` against a prepared `Keyring`. The raw cost is
what no verifier can avoid: one serialization of the document by the
standard library's C encoder (sorted keys, no whitespace: the bytes RFC 8785
gives for a plain document), its base64url encoding, and 30 signature checks
with ``cryptography``. The goal (issue 16) is a ratio within 1.08.
``ratio_vs_our_canonical`` is the older figure, whose raw cost used our own
`canonical.signed_bytes` (policy checks included) instead.

Times are CPU time, interleaved, medians of per-round ratios (see
`benchmarks._timing`).

Run ``python benchmarks/bench_verify.py`` for a table; ``run()`` returns the
figures (seconds per document, and the ratio) for ``nox -s bench``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import statistics
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks._timing import interleaved, median_ratio
from woda_sharing import _canonical as canonical
from woda_sharing._jose import b64url_decode, b64url_encode
from woda_sharing._keyring import Keyring, add_key, new_keyring
from woda_sharing._keys import generate_signer
from woda_sharing._loading import load_path
from woda_sharing._signing import endorse, verify
from woda_sharing.testing import example_charter

ENDORSEMENTS = 30
SIGNED = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
EXAMPLE_AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "worcestershire"


def _setup(
    n: int = ENDORSEMENTS,
) -> tuple[dict[str, Any], Keyring, list[Any], list[tuple[bytes, bytes]]]:
    charter = example_charter()
    template = charter["members"][0]
    charter["members"] = [
        {**copy.deepcopy(template), "id": f"member-{i:02d}", "name": f"Member {i}"}
        for i in range(n)
    ]
    ring = new_keyring("bench")
    signers = []
    for member in charter["members"]:
        signer = generate_signer("Ed25519")
        signers.append(signer)
        ring = add_key(
            ring, member["id"], signer.public_jwk, not_before=SIGNED - dt.timedelta(days=30)
        )
    doc = charter
    role = charter["endorsement"]["roles"][0]
    for member, signer in zip(charter["members"], signers, strict=True):
        doc = endorse(doc, signer, organisation=member["id"], role=role, signed_at=SIGNED)
    keyring = Keyring.from_data(ring)
    keys = [keyring.keys[s.key_id].public_key for s in signers]
    pairs = [
        (e["protected"].encode("ascii"), b64url_decode(e["signature"])) for e in doc["endorsements"]
    ]
    return doc, keyring, keys, pairs


_ROUNDS = 21


def _plain_bytes(document: Mapping[str, Any]) -> bytes:
    """The C encoder's sorted, compact JSON of *document* without endorsements: the floor."""
    content = {k: v for k, v in document.items() if k != "endorsements"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(
    doc: Mapping[str, Any],
    keys: list[Any],
    pairs: list[tuple[bytes, bytes]],
    charter: Mapping[str, Any] | None = None,
    *,
    serialize: Any = _plain_bytes,
) -> Any:
    def raw() -> None:
        if charter is not None:  # an agreement is checked against its charter's digest
            serialize(charter)
        payload = b"." + b64url_encode(serialize(doc)).encode("ascii")
        for key, (protected, signature) in zip(keys, pairs, strict=True):
            key.verify(signature, protected + payload)

    return raw


def _example(folder: Path) -> dict[str, float]:
    """Time the example agreement with the most endorsements, when the examples are endorsed."""
    ring_path, charter_path = folder / "keyring.json", folder / "charter.json"
    if not ring_path.exists():
        return {}
    keyring = Keyring.from_data(load_path(ring_path))
    charter = load_path(charter_path)
    candidates = [
        load_path(p) for p in sorted(folder.glob("*.json")) if p not in (ring_path, charter_path)
    ]
    verified = [d for d in candidates if verify(d, keyring, charter=charter, at=EXAMPLE_AT)]
    if not verified:
        return {}
    doc = max(verified, key=lambda d: len(d["endorsements"]))
    headers = [json.loads(b64url_decode(e["protected"])) for e in doc["endorsements"]]
    keys = [keyring.keys[h["kid"]].public_key for h in headers]
    pairs = [
        (e["protected"].encode("ascii"), b64url_decode(e["signature"])) for e in doc["endorsements"]
    ]
    times = interleaved(
        {
            "ours": lambda: verify(doc, keyring, charter=charter, at=EXAMPLE_AT),
            "raw": _raw(doc, keys, pairs, charter),
        },
        _ROUNDS,
    )
    return {
        "example_endorsements": float(len(pairs)),
        "example_verify_seconds": statistics.median(times["ours"]),
        "example_raw_seconds": statistics.median(times["raw"]),
        "example_ratio": median_ratio(times, "ours", "raw"),
    }


def run(examples: Path = EXAMPLES) -> dict[str, float]:
    """Time verification and its raw cost; return seconds per document and the ratio."""
    doc, keyring, keys, pairs = _setup()
    assert verify(doc, keyring, at=AT), "the benchmark document must verify"

    times = interleaved(
        {
            "ours": lambda: verify(doc, keyring, at=AT),
            "raw": _raw(doc, keys, pairs),
            "raw_our_canonical": _raw(doc, keys, pairs, serialize=canonical.signed_bytes),
            "canonicalize": lambda: canonical.signed_bytes(doc),
            "plain_bytes": lambda: _plain_bytes(doc),
        },
        _ROUNDS,
    )
    return {
        "endorsements": float(ENDORSEMENTS),
        "verify_seconds": statistics.median(times["ours"]),
        "raw_seconds": statistics.median(times["raw"]),
        "canonicalize_seconds": statistics.median(times["canonicalize"]),
        "canonicalize_vs_plain_x": median_ratio(times, "canonicalize", "plain_bytes"),
        "ratio": median_ratio(times, "ours", "raw"),
        "ratio_vs_our_canonical": median_ratio(times, "ours", "raw_our_canonical"),
        **_example(examples),
    }


def main() -> None:
    """Print the figures as a table (an examples folder may be given as the one argument)."""
    figures = run(Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES)
    n = int(figures["endorsements"])
    print(f"verify a charter with {n} Ed25519 endorsements")
    print(f"  {'woda_sharing._signing.verify':<44}{figures['verify_seconds'] * 1e3:9.3f} ms")
    print(
        f"  {'raw: C-encoder bytes + encode + ' + str(n) + ' verifies':<44}{figures['raw_seconds'] * 1e3:9.3f} ms"
    )
    print(f"  {'  of which canonicalize':<44}{figures['canonicalize_seconds'] * 1e3:9.3f} ms")
    print(f"  {'ratio (goal <= 1.08)':<44}{figures['ratio']:9.3f}")
    if "example_ratio" in figures:
        m = int(figures["example_endorsements"])
        print(f"verify the example agreement with {m} endorsements")
        print(
            f"  {'woda_sharing._signing.verify':<44}{figures['example_verify_seconds'] * 1e3:9.3f} ms"
        )
        print(
            f"  {'raw: 2 canonicalizations + ' + str(m) + ' verifies':<44}{figures['example_raw_seconds'] * 1e3:9.3f} ms"
        )
        print(f"  {'ratio':<44}{figures['example_ratio']:9.3f}")
    else:
        print("(the examples are not endorsed yet: run tools/endorse_examples.py)")


if __name__ == "__main__":
    main()
