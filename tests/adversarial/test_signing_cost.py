"""Bounded cost of reading endorsements: measured as ratios to ``json.loads`` of the same input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests import _signing_fixtures as fx
from woda_sharing import _jws
from woda_sharing._jose import JoseFormatError, b64url_encode, parse_header_json
from woda_sharing._jws import MAX_PROTECTED
from woda_sharing._signing import Status, verify


def _best(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _refused(data: bytes) -> None:
    try:
        parse_header_json(data)
    except JoseFormatError:
        return
    raise AssertionError("the header should have been refused")  # pragma: no cover


def _refused_wire(endorsement: object) -> None:
    try:
        _jws.parse(endorsement)
    except _jws.Refused:
        return
    raise AssertionError("the endorsement should have been refused")  # pragma: no cover


def test_duplicate_header_name_search_is_linear() -> None:
    """20,000 distinct names and then one duplicate: a count per name would be quadratic."""
    names = [f"n{i}" for i in range(20_000)]
    data = ("{" + ",".join(f'"{n}":0' for n in [*names, names[-1]]) + "}").encode()
    ours = _best(lambda: _refused(data))
    baseline = _best(lambda: json.loads(data))
    assert ours < 25 * baseline, f"{ours:.4f}s against json.loads {baseline:.4f}s"


def test_over_long_protected_header_is_refused_before_decoding() -> None:
    header = {"alg": "Ed25519", "woda_signatory": "x" * 1_000_000}
    raw = json.dumps(header).encode()
    protected = b64url_encode(raw)
    assert len(protected) > MAX_PROTECTED
    doc = fx.endorsed(fx.charter(), ("county",))
    doc["endorsements"] = [{"protected": protected, "signature": "AA"}]
    (status,) = verify(doc, fx.keyring_for(), at=fx.NOW).endorsements
    assert status.status is Status.MALFORMED
    assert f"longer than {MAX_PROTECTED}" in status.reason
    endorsement = doc["endorsements"][0]
    ours = _best(lambda: _refused_wire(endorsement))
    baseline = _best(lambda: json.loads(raw))
    # Decoding and parsing 1.3 MB would cost more than json.loads of the 1 MB header alone.
    assert ours < 0.1 * baseline, f"{ours:.6f}s against json.loads {baseline:.6f}s"


def test_a_header_at_the_bound_is_still_read() -> None:
    doc = fx.endorsed(fx.charter(), ("county",))
    protected = doc["endorsements"][0]["protected"]
    padded = protected + "A" * (
        MAX_PROTECTED - len(protected) - (MAX_PROTECTED - len(protected)) % 4
    )
    doc["endorsements"][0]["protected"] = padded
    (status,) = verify(doc, fx.keyring_for(), at=fx.NOW).endorsements
    assert "longer than" not in status.reason
