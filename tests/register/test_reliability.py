"""Reliability with real processes: concurrent writers, SIGKILL mid-import, hostile strings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.register import _docs
from tests.register._docs import AT, AT_TEXT
from woda_sharing.exceptions import ImportRefusedError
from woda_sharing.register import Outcome, Query, open_register

_MAIN = "import sys; from woda_sharing.cli import main; sys.exit(main())"


def _cli(db: str, *args: str) -> list[str]:
    """The command line of a separate process importing *args* into *db*."""
    return [
        sys.executable,
        "-c",
        _MAIN,
        "register",
        "import",
        "--db",
        db,
        "--at",
        AT_TEXT,
        "--format",
        "json",
        *args,
    ]


def _start_together(
    commands: list[list[str]], tmp_path: Path
) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once (each waits on a go file) and collect the results."""
    go = tmp_path / "go"
    wrapper = (
        "import os, sys, time, runpy\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "from woda_sharing.cli import main\n"
        "sys.exit(main())\n"
    )
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-c", wrapper, *cmd[3:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cmd in commands
    ]
    time.sleep(1.0)  # let every interpreter start and wait
    go.touch()
    results = []
    for proc, cmd in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return results


@pytest.fixture
def seeded(db: str, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    charter = _docs.charter()
    with open_register(db) as reg:
        reg.import_documents([_docs.keyring(), charter], at=AT)
    return db, charter


def test_two_writers_different_agreements_both_land(
    seeded: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, charter = seeded
    files = [
        _docs.write(tmp_path, f"a{i}.json", _docs.agreement(charter, ident=f"agreement-{i}"))
        for i in range(4)
    ]
    results = _start_together([_cli(db, str(f)) for f in files], tmp_path)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    with open_register(db) as reg:
        assert sorted(e.id for e in reg.query()) == [f"agreement-{i}" for i in range(4)]


def test_two_writers_same_agreement_one_adds(
    seeded: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, charter = seeded
    path = _docs.write(tmp_path, "same.json", _docs.agreement(charter))
    results = _start_together([_cli(db, str(path)) for _ in range(3)], tmp_path)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    outcomes = sorted(json.loads(r.stdout)["imported"][0]["outcome"] for r in results)
    assert outcomes == ["added", "unchanged", "unchanged"]
    with open_register(db) as reg:
        assert [e.version for e in reg.history("agreement", "test-agreement")] == [1]


def test_two_writers_forking_amendments_one_wins(
    seeded: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, charter = seeded
    v1 = _docs.agreement(charter)
    with open_register(db) as reg:
        reg.import_documents([v1], at=AT)
    a = _docs.write(tmp_path, "a.json", _docs.amend(v1, lambda d: d.update(title="Version A")))
    b = _docs.write(tmp_path, "b.json", _docs.amend(v1, lambda d: d.update(title="Version B")))
    results = _start_together([_cli(db, str(a)), _cli(db, str(b))], tmp_path)
    assert sorted(r.returncode for r in results) == [0, 1], [r.stderr for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "fork" in json.loads(loser.stdout)["refused"][0]["reason"]
    with open_register(db) as reg:
        history = reg.history("agreement", "test-agreement")
        assert [(e.version, e.current) for e in history] == [(1, False), (2, True)]
        assert history[-1].title in ("Version A", "Version B")


def _consistent(db: str, batch: int) -> int:
    """Check the register after a kill: the seed intact, the batch all there or absent."""
    with open_register(db) as reg:
        assert reg.counts()["charter"] == 1
        ids = [e.id for e in reg.query()]
        assert len(ids) in (0, batch), len(ids)
        for kind, ident in (("charter", "test-charter"),):
            assert len(reg.history(kind, ident)) == 1
        if reg.backend == "sqlite":
            with reg._engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return len(ids)


def test_sigkill_mid_import_loses_nothing_committed(
    seeded: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    db, charter = seeded
    batch = 60
    files = [
        str(_docs.write(tmp_path, f"k{i}.json", _docs.agreement(charter, ident=f"killed-{i}")))
        for i in range(batch)
    ]
    killed = 0
    delay = 0.4
    while True:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter
            _cli(db, *files), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        if proc.poll() is not None:
            assert proc.returncode == 0
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if _consistent(db, batch) == batch:
            break  # killed after the commit: everything is there
        killed += 1
        delay *= 1.5
    assert killed >= 1  # at least one process died before its commit, and left nothing
    assert _consistent(db, batch) == batch
    with open_register(db) as reg:  # and the register still takes imports
        assert reg.import_documents([_docs.agreement(charter, ident="after")], at=AT)


HOSTILE = [
    "Robert'); DROP TABLE documents;--",
    "\x00nul\x00 inside",
    "\u202eright-to-left override",
    "\x1b[31mred\x1b[0m",
    "emoji 🧑‍⚕️ and \ufeff BOM",
    "%s %(name)s {0} $1 ? :param",
    'quote " and backslash \\',
]


@pytest.mark.parametrize("title", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_round_trip(db: str, title: str) -> None:
    charter = _docs.charter()
    agreement = _docs.agreement(
        charter, change=lambda d: (d.update(title=title), d["rights"].update(contact=title))
    )
    with open_register(db) as reg:
        reg.import_documents([_docs.keyring(), charter, agreement], at=AT)
        assert reg.body("agreement", "test-agreement") == agreement
        assert reg.entry("agreement", "test-agreement").title == title
        assert reg.transparency()[0]["title"] == title


@settings(max_examples=15, deadline=None)
@given(title=st.text(min_size=1, max_size=40).filter(lambda t: t < "\ud800" or True))
def test_any_title_round_trips_on_sqlite(
    tmp_path_factory: pytest.TempPathFactory, title: str
) -> None:
    charter = _docs.charter()
    agreement = _docs.agreement(charter, change=lambda d: d.update(title=title))
    db = tmp_path_factory.mktemp("hyp") / "r.sqlite"
    with open_register(db) as reg:
        try:
            reg.import_documents([_docs.keyring(), charter, agreement], at=AT)
        except ImportRefusedError:
            refused = True  # a title the schema refuses is refused, never half-stored
        else:
            refused = False
        if refused:
            assert reg.query(Query(kind=None)) == []
            return
        stored = reg.body("agreement", "test-agreement")
        assert stored == agreement
        assert reg.import_documents([agreement], at=AT)[0].outcome is Outcome.UNCHANGED
