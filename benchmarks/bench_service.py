"""Load test of the decision service (issue 13): a real ``woda-sharing serve`` on loopback, bounded in time.

The service runs in its own process over a SQLite register holding a
60-member charter and 50 endorsed agreements (`benchmarks.bench_register`'s
world), with recording required unless ``--no-recording`` (or
``WODA_BENCH_SERVICE_RECORDING=off``). The load comes from this process:
asyncio clients speaking HTTP/1.1 on keep-alive connections, written out by
hand so that the client costs little of the two cores it shares with the
service.

- **Single decisions**: ``--clients`` concurrent clients (default 32) send one
  decision per request for ``--seconds`` (default 60; ``WODA_BENCH_SERVICE_SECONDS``):
  decisions per second, median and 99th percentile latency, errors, and the
  service's resident memory at the start and end of the run (after a warm-up
  of a tenth of the run): "flat" means it grew by less than 10 %.
- **Batches**: 4 clients send batches of 1,000 decisions for a quarter of the
  run: decisions per second.
- At the end the service is stopped and, with recording on, the log is
  verified and its records counted against the answers received.

Stops by itself: every phase is bounded, the service is stopped in a
``finally``. Run ``python -m benchmarks bench_service`` or
``python -m benchmarks.bench_service --seconds 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_register import AT, _world
from woda_sharing.register import open_register
from woda_sharing.service import new_token, token_digest

AGREEMENTS = 50
BATCH = 1000


def _requests(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests that the agreements permit (one per flow) and a few they refuse."""
    out = []
    for doc in documents:
        parties = {p["id"]: p for p in doc["parties"]}
        for flow in doc["flows"]:
            sender, recipient = parties[flow["from"]], parties[flow["to"]]
            request = {
                "sender": sender["organisation"],
                "recipient": recipient["organisation"],
                "items": flow["items"][:3],
                "purpose": flow["purposes"][0],
                "on": "2024-06-01",
            }
            for key, party in (("sender_capacity", sender), ("recipient_capacity", recipient)):
                if party.get("capacity"):
                    request[key] = party["capacity"]
            out.append(request)
    refused = [dict(r, purpose="marketing") for r in out[::10]]
    return out + refused


class _Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST {{path}} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.head.format(path=path, length=len(body)).encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _single(
    host: str, port: int, token: str, bodies: list[bytes], *, clients: int, seconds: float, pid: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    answered = 0
    records: set[str] = set()
    deadline = time.monotonic() + seconds
    warm = time.monotonic() + seconds / 10
    rss: list[tuple[float, int]] = []

    async def client(n: int) -> None:
        nonlocal errors, answered
        c = _Client(host, port, token)
        i = n
        try:
            while time.monotonic() < deadline:
                body = bodies[i % len(bodies)]
                i += clients
                start = time.perf_counter()
                status, payload = await c.post("/v1/decisions", body)
                elapsed = time.perf_counter() - start
                if status != 200:
                    errors += 1
                    continue
                answered += 1
                record = json.loads(payload)["record"]
                if record is not None:
                    records.add(record)
                if time.monotonic() > warm:
                    latencies.append(elapsed)
        finally:
            await c.close()

    async def sample() -> None:
        while time.monotonic() < deadline:
            rss.append((time.monotonic(), _rss_kib(pid)))
            await asyncio.sleep(0.5)

    started, cpu = time.monotonic(), _cpu_s(pid)
    await asyncio.gather(sample(), *(client(n) for n in range(clients)))
    wall, cpu = time.monotonic() - started, _cpu_s(pid) - cpu
    after_warm = [kib for when, kib in rss if when > warm] or [kib for _, kib in rss]
    tenth = max(1, len(after_warm) // 10)
    first, last = statistics.median(after_warm[:tenth]), statistics.median(after_warm[-tenth:])
    latencies.sort()
    return {
        "decisions_per_s": answered / wall,
        "service_cpu_us_per_decision": cpu / answered * 1e6 if answered else 0.0,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0,
        "errors": errors,
        "answered": answered,
        "recorded_ids": len(records),
        "rss_start_kib": first,
        "rss_end_kib": last,
        "rss_growth_percent": (last - first) / first * 100 if first else 0.0,
    }


async def _batches(
    host: str, port: int, token: str, body: bytes, *, clients: int, seconds: float
) -> dict[str, float]:
    done = 0
    errors = 0
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal done, errors
        c = _Client(host, port, token)
        try:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                status, _ = await c.post("/v1/decisions/batch", body)
                latencies.append(time.perf_counter() - start)
                if status == 200:
                    done += BATCH
                else:
                    errors += 1
        finally:
            await c.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "batch_decisions_per_s": done / wall,
        "batch_p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "batch_errors": errors,
        "batch_answered": done,
    }


def _start(config: Path) -> tuple[subprocess.Popen[str], str, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "woda_sharing", "serve", "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("serving on "):
        proc.kill()
        raise RuntimeError(f"the service did not start: {line!r}")
    host, port = line.split()[-1].removeprefix("http://").rsplit(":", 1)
    return proc, host, int(port)


def run(
    seconds: float | None = None,
    *,
    clients: int = 32,
    recording: bool | None = None,
    agreements: int = AGREEMENTS,
) -> dict[str, float]:
    """Run the load test; return the figures (see the module's docstring)."""
    if seconds is None:
        seconds = float(os.environ.get("WODA_BENCH_SERVICE_SECONDS", "60"))
    if recording is None:
        recording = os.environ.get("WODA_BENCH_SERVICE_RECORDING", "required") != "off"
    token = new_token()
    results: dict[str, float] = {"seconds": seconds, "clients": clients, "recording": recording}
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "register.sqlite")
        ring, charter, documents = _world(agreements)
        with open_register(db) as register:
            register.import_documents([ring, charter, *documents], at=AT)
        config = Path(folder) / "service.json"
        config.write_text(
            json.dumps(
                {
                    "register": db,
                    "charter": charter["id"],
                    "recording": "required" if recording else "off",
                    "clients": [
                        {
                            "name": "bench",
                            "token_sha256": token_digest(token),
                            "on_behalf_of": sorted({m["id"] for m in charter["members"]}),
                        }
                    ],
                }
            )
        )
        asked = _requests(documents)
        bodies = [json.dumps(r).encode() for r in asked]
        batch = json.dumps({"requests": [asked[i % len(asked)] for i in range(BATCH)]}).encode()
        proc, host, port = _start(config)
        try:
            results |= asyncio.run(
                _single(host, port, token, bodies, clients=clients, seconds=seconds, pid=proc.pid)
            )
            results |= asyncio.run(
                _batches(host, port, token, batch, clients=4, seconds=max(1.0, seconds / 4))
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if recording:
            results |= _check_log(db)
    return results


def _check_log(db: str) -> dict[str, float]:
    """Count the records in the log and verify it (after the service stopped)."""
    with open_register(db) as register:
        report = register.log.verify()
    return {"log_records": report.size, "log_verified": float(bool(report))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_service")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--no-recording", action="store_true")
    args = parser.parse_args(argv)
    figures = run(
        args.seconds, clients=args.clients, recording=False if args.no_recording else None
    )
    for key, value in figures.items():
        print(f"{key:<24} {value:,.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
