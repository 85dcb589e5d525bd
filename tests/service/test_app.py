"""The ASGI application in process: an unexpected failure is a 500 with an incident id, never a traceback; group commit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.service._server import DISTRICT_TOKEN, REQUEST, config
from tests.service.conftest import seed
from woda_sharing.service import build_service, create_app, load_config
from woda_sharing.service._recorder import Recorder, RecordingFailedError


async def _call(app: Any, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    headers = [
        (b"host", b"test"),
        (b"authorization", b"Bearer " + DISTRICT_TOKEN.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }
    sent = False
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    # Starlette raises again after sending the 500, for the server's own log.
    with contextlib.suppress(RuntimeError):
        await app(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, payload


class _Exploding:
    """A policy that fails in a way nobody planned for."""

    def decide(self, request: object) -> object:
        raise RuntimeError("secret internal detail")


def test_an_unexpected_failure_is_a_500_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = str(tmp_path / "register.sqlite")
    seed(db)
    service = build_service(load_config(config(tmp_path, db, recording="off")))
    app = create_app(service)

    async def scenario() -> tuple[int, bytes]:
        await service.start()
        try:
            assert service.snapshot is not None
            service.snapshot = attrs.evolve(service.snapshot, policy=_Exploding())
            return await _call(app, "POST", "/v1/decisions", json.dumps(REQUEST).encode())
        finally:
            await service.stop()

    with caplog.at_level(logging.ERROR, logger="woda_sharing.service"):
        status, body = asyncio.run(scenario())
    assert status == 500
    problem = json.loads(body)
    assert problem["code"] == "internal-error"
    assert "incident" in problem["detail"]
    assert b"secret internal detail" not in body
    assert b"Traceback" not in body
    incident = problem["detail"].split("incident ")[1].split()[0]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)


def test_group_commit_shares_transactions_and_refuses_on_failure() -> None:
    calls: list[int] = []

    def append(records: Sequence[Any]) -> None:
        calls.append(len(records))
        if "bad" in records:
            raise RuntimeError("the database went away")

    recorder = Recorder(append, limit=1000)

    async def scenario() -> list[BaseException | None]:
        return await asyncio.gather(
            *(recorder.write([n]) for n in range(200)), return_exceptions=True
        )

    try:
        outcomes = asyncio.run(scenario())
        assert outcomes == [None] * 200
        assert sum(calls) == 200
        assert len(calls) < 200  # concurrent writes shared transactions

        async def failing() -> None:
            await recorder.write(["bad"])

        with pytest.raises(RecordingFailedError, match="the database went away"):
            asyncio.run(failing())
    finally:
        recorder.close()
