"""The service's load script runs, stops by itself and counts no error (a short run: the figures are nox -s bench's)."""

from __future__ import annotations

from benchmarks import bench_service


def test_the_load_script_runs_briefly_without_error() -> None:
    figures = bench_service.run(1.0, clients=4, agreements=5)
    assert figures["errors"] == 0
    assert figures["batch_errors"] == 0
    assert figures["answered"] > 0
    assert figures["batch_answered"] > 0
    # Every answer named its record, and the log holds them all and verifies.
    assert figures["recorded_ids"] == figures["answered"]
    assert figures["log_verified"] == 1
    assert figures["log_records"] == figures["answered"] + figures["batch_answered"]
