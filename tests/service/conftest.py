"""Fixtures of the service's tests: a register with a signed world in it, real service processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.register import _docs
from tests.register._docs import AT, Doc
from tests.register.conftest import PostgresServer
from tests.service._server import ServiceProcess, config
from woda_sharing.register import open_register


def seed(db: str) -> tuple[Doc, Doc]:
    """Import the keyring, the charter and one endorsed agreement into *db*."""
    charter = _docs.charter()
    agreement = _docs.agreement(charter)
    with open_register(db) as register:
        register.import_documents([_docs.keyring(), charter, agreement], at=AT)
    return charter, agreement


@pytest.fixture
def world(tmp_path: Path) -> tuple[str, Doc, Doc]:
    db = str(tmp_path / "register.sqlite")
    charter, agreement = seed(db)
    return db, charter, agreement


@pytest.fixture
def start(tmp_path: Path) -> Iterator[object]:
    """Start service processes; every one started is stopped at the end of the test."""
    started: list[ServiceProcess] = []

    def _start(db: str, *extra: str, wait: bool = True, **options: object) -> ServiceProcess:
        folder = tmp_path / f"svc{len(started)}"
        folder.mkdir()
        process = ServiceProcess(config(folder, db, **options), *extra, wait=wait)
        started.append(process)
        return process

    yield _start
    for process in started:
        if process.proc.poll() is None:
            process.kill()


__all__ = ["PostgresServer", "seed"]
