"""Recording: every answer is in the decision log before it is sent, across instances, through SIGKILL, and never unrecorded.

Real service processes on loopback, against SQLite and the tests' real
PostgreSQL server.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import psycopg
import pytest

from tests.register.conftest import PostgresServer
from tests.service._server import COUNTY_TOKEN, REQUEST, ServiceProcess
from tests.service.conftest import seed
from woda_sharing.cli import main
from woda_sharing.register import open_register


def _verified(db: str) -> tuple[int, set[str]]:
    """Verify the log; return its size and its record ids."""
    with open_register(db) as register:
        log = register.log
        result = log.verify()
        assert result, result.as_dict()
        return result.size, {entry.record.id for entry in log.entries()}


def _log_verify_command(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``woda-sharing log verify`` passes."""
    code = main(["log", "verify", "--db", db, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert json.loads(out)["verified"] is True


def _hammer(
    processes: list[ServiceProcess], seconds: float, threads: int = 3
) -> tuple[list[str], list[int], threading.Event]:
    """Ask from several threads, round robin over *processes*; return answered record ids and failures."""
    ids: list[str] = []
    failures: list[int] = []
    stop = threading.Event()

    def work(n: int) -> None:
        i = n
        while not stop.is_set():
            process = processes[i % len(processes)]
            i += 1
            try:
                answer = process.decide()
            except OSError:
                failures.append(-1)  # the process went away mid-request: not an answer
                if process.proc.poll() is not None:
                    return
                continue
            if answer.status == 200:
                ids.append(answer.json["record"])
            else:
                failures.append(answer.status)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()

    def finish() -> None:
        time.sleep(seconds)
        stop.set()
        for w in workers:
            w.join()

    finisher = threading.Thread(target=finish)
    finisher.start()
    finisher.join()
    return ids, failures, stop


def test_every_answer_names_its_record(world: tuple[str, Any, Any], start: Any) -> None:
    db, _charter, _agreement = world
    process = start(db)
    one = process.decide()
    assert one.status == 200
    batch = process.ask("POST", "/v1/decisions/batch", {"requests": [REQUEST] * 5})
    refused = process.decide({**REQUEST, "purpose": "marketing"}, token=COUNTY_TOKEN)
    assert refused.status == 403  # refused before deciding: no record
    ids = [one.json["record"], *(d["record"] for d in batch.json["decisions"])]
    assert len(set(ids)) == 6
    size, logged = _verified(db)
    assert size == 6
    assert logged == set(ids)
    with open_register(db) as register:
        record = register.log.get(ids[0]).record
    assert record.asked_by == "district-case-system"
    assert record.on_behalf_of == "district-council"
    assert record.permitted
    assert {d.kind for d in record.documents} == {"charter", "agreement"}
    assert all(d.digest for d in record.documents)


def test_several_instances_keep_one_chain(
    postgres: PostgresServer, start: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = postgres.new_database()
    seed(db)
    instances = [start(db, wait=False), start(db, wait=False)]  # starting together, too
    for instance in instances:
        instance.wait_ready()
    ids, failures, _ = _hammer(instances, seconds=2.0, threads=4)
    assert failures == []
    assert len(ids) > 20
    size, logged = _verified(db)
    assert size == len(ids)
    assert logged == set(ids)
    _log_verify_command(db, capsys)


def test_sigkill_loses_no_answered_decision(
    postgres: PostgresServer, start: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = postgres.new_database()
    seed(db)
    process = start(db)
    ids: list[str] = []
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                answer = process.decide()
            except OSError:
                return  # killed: the answer in flight never arrived
            if answer.status == 200:
                ids.append(answer.json["record"])

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 30
    while len(ids) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()  # SIGKILL, mid-load
    stop.set()
    for w in workers:
        w.join()
    assert len(ids) >= 50
    size, logged = _verified(db)
    assert set(ids) <= logged, "an answered decision is missing from the log"
    assert size >= len(ids)
    again = start(db)  # restarted on the same log: it extends the same chain
    assert again.decide().status == 200
    assert _verified(db)[0] == size + 1
    _log_verify_command(db, capsys)


def test_it_fails_closed_when_the_database_is_unreachable(
    postgres: PostgresServer, start: Any
) -> None:
    db = postgres.new_database()
    seed(db)
    name = db.rsplit("/", 1)[1]
    process = start(db)
    assert process.decide().status == 200
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        try:
            answer = process.decide()
            assert answer.status == 503, answer.raw
            assert answer.json["code"] == "recording-unavailable"
            assert "not recorded, so not sent" in answer.json["detail"]
            assert b"Traceback" not in answer.raw
            deadline = time.monotonic() + 20
            while process.ask("GET", "/health/ready", token=None).status != 503:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert process.logged('"event": "database-unavailable"')
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    deadline = time.monotonic() + 20
    while (answer := process.decide()).status != 200:
        assert time.monotonic() < deadline, answer.raw
        time.sleep(0.1)
    size, logged = _verified(db)
    assert answer.json["record"] in logged
    assert size == len(logged)


@pytest.mark.parametrize("recording", ["off"])
def test_recording_off_writes_nothing(
    world: tuple[str, Any, Any], start: Any, recording: str
) -> None:
    db, _charter, _agreement = world
    process = start(db, recording=recording)
    assert process.decide().json["record"] is None
    assert _verified(db)[0] == 0
