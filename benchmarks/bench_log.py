"""Benchmark of decision records, receipts and the decision log (issue 13).

- the cost of recording a decision (`record`) beside the decision itself, and the
  ratio of deciding and recording to deciding alone;
- the record's canonical bytes (what receipts sign and the log links), a signed
  receipt (Ed25519) and its verification;
- appending to the log on a SQLite file in batches of 1, 100 and 1,000 records,
  fresh records each time (their canonical bytes included), per record: the CPU
  time of the appending thread (SQLite runs in it) and the wall-clock time
  (durable: ``synchronous=FULL``, one fsync per batch), and verifying the log.

Requests are the example agreement's, permitted and refused, over a year of dates.
Run ``python -m benchmarks bench_log``; ``run()`` returns the figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._timing import interleaved, median_ratio
from woda_sharing import DecisionRecord, Policy, Request, record, sign_receipt, verify_receipt
from woda_sharing._keyring import add_key, new_keyring
from woda_sharing._keys import generate_signer
from woda_sharing.register import DecisionLog, open_log
from woda_sharing.testing import example_agreement, example_charter

AT = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
ORG = "county-council"


def _requests(n: int) -> list[Request]:
    items = (("name",), ("address",), ("name", "address"), ("nhs-number",))
    out = []
    for i in range(n):
        sender, recipient = (
            ("district-council", "county-council") if i % 5 else ("police", "county-council")
        )
        out.append(
            Request(
                sender,
                recipient,
                items[i % 4],
                "early-help",
                dt.date(2024, 2, 1) + dt.timedelta(days=i % 360),
            )
        )
    return out


def _per_record(fn: Callable[[], object], count: int, rounds: int = 5) -> tuple[float, float]:
    """Median microseconds per record: CPU time of this thread (SQLite runs in it), and wall clock."""
    cpu, wall = [], []
    for _ in range(rounds):
        c, w = time.thread_time(), time.perf_counter()
        fn()
        cpu.append((time.thread_time() - c) / count)
        wall.append((time.perf_counter() - w) / count)
    return statistics.median(cpu) * 1e6, statistics.median(wall) * 1e6


def run() -> dict[str, float]:
    """Measure and return the figures (microseconds per record, ratios, records per second)."""
    policy = Policy.compile(example_charter(), [example_agreement()])
    requests = _requests(2000)
    decisions = [policy.decide(r) for r in requests]

    def decide() -> None:
        for r in requests:
            policy.decide(r)

    def decide_and_record() -> None:
        for r in requests:
            record(
                policy.decide(r),
                r,
                asked_by="case-system",
                on_behalf_of=r.sender,
                policy=policy,
                at=AT,
            )

    def record_only() -> None:
        for r, d in zip(requests, decisions, strict=True):
            record(d, r, asked_by="case-system", on_behalf_of=r.sender, policy=policy, at=AT)

    times = interleaved(
        {"decide": decide, "decide_and_record": decide_and_record, "record": record_only},
        7,
        loops={"decide": 1, "decide_and_record": 1, "record": 1},
    )
    n = len(requests)
    figures = {
        "decide_us": statistics.median(times["decide"]) / n * 1e6,
        "record_us": statistics.median(times["record"]) / n * 1e6,
        "decide_and_record_us": statistics.median(times["decide_and_record"]) / n * 1e6,
        "decide_and_record_vs_decide_x": median_ratio(times, "decide_and_record", "decide"),
    }
    recs = [
        record(d, r, asked_by="case-system", on_behalf_of=r.sender, policy=policy, at=AT)
        for r, d in zip(requests, decisions, strict=True)
    ]
    start = time.thread_time()
    for r in recs:
        r.canonical_bytes()
    figures["canonical_bytes_us"] = (time.thread_time() - start) / n * 1e6

    signer = generate_signer("Ed25519")
    ring = add_key(
        new_keyring("bench"), ORG, signer.public_jwk, not_before=AT - dt.timedelta(days=1)
    )
    sample = recs[:300]
    start = time.thread_time()
    receipts = [sign_receipt(r, signer, organisation=ORG, signed_at=AT) for r in sample]
    figures["sign_receipt_us"] = (time.thread_time() - start) / len(sample) * 1e6
    later = AT + dt.timedelta(hours=1)
    start = time.thread_time()
    assert all(verify_receipt(rc, ring, at=later) for rc in receipts)
    figures["verify_receipt_us"] = (time.thread_time() - start) / len(sample) * 1e6

    with tempfile.TemporaryDirectory() as folder:
        for batch in (1, 100, 1000):
            count = max(batch, 50)
            with open_log(Path(folder) / f"log-{batch}.sqlite") as log:
                pending = [
                    record(
                        d, r, asked_by="case-system", on_behalf_of=r.sender, policy=policy, at=AT
                    )
                    for _ in range(6)
                    for r, d in zip(requests[:count], decisions, strict=False)
                ]

                def append(
                    log: DecisionLog = log,
                    batch: int = batch,
                    count: int = count,
                    pending: list[DecisionRecord] = pending,
                ) -> None:
                    # Fresh records each round: their canonical bytes are part of the cost.
                    todo = [pending.pop() for _ in range(count)]
                    for i in range(0, count, batch):
                        log.append(todo[i : i + batch])

                cpu, wall = _per_record(append, count)
                figures[f"append_batch_{batch}_cpu_us"] = cpu
                figures[f"append_batch_{batch}_wall_us"] = wall
                figures[f"append_batch_{batch}_wall_per_s"] = 1e6 / wall
                if batch == 1000:
                    size = len(log)
                    start = time.thread_time()
                    assert log.verify()
                    figures["verify_cpu_us_per_entry"] = (time.thread_time() - start) / size * 1e6
    return figures
