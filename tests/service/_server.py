"""Real service processes on loopback for the tests: start, ask, stop or kill."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from woda_sharing.service import token_digest

#: Tokens of the calling systems the tests configure (fake, made for the tests).
DISTRICT_TOKEN = "district-case-system-token-EXAMPLE-0001-aaaaaaaaaaaa"
COUNTY_TOKEN = "county-children-system-token-EXAMPLE-0002-bbbbbbbbbbbb"
REQUEST = {
    "sender": "district-council",
    "recipient": "county-council",
    "items": ["name", "address"],
    "purpose": "early-help",
    "on": "2024-06-01",
}


def config(folder: Path, db: str, **options: Any) -> Path:
    """Write a service configuration for the test register at *db*; return its path."""
    data = {
        "register": db,
        "charter": "test-charter",
        "reload_seconds": 0.2,
        "clients": [
            {
                "name": "district-case-system",
                "token_sha256": token_digest(DISTRICT_TOKEN),
                "on_behalf_of": ["district-council"],
            },
            {
                "name": "county-children-system",
                "token_sha256": token_digest(COUNTY_TOKEN),
                "on_behalf_of": ["county-council"],
            },
        ],
        **options,
    }
    path = folder / "service.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class Answer:
    """One HTTP response: status, headers, parsed JSON body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json: Any = json.loads(body) if body else None
        except ValueError:  # uvicorn's own refusals of broken HTTP are plain text
            self.json = None


class ServiceProcess:
    """``woda-sharing serve`` in a child process, on a free loopback port."""

    def __init__(self, config_path: Path, *extra: str, wait: bool = True) -> None:
        self.log: list[str] = []
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "woda_sharing",
                "serve",
                "--config",
                str(config_path),
                "--port",
                "0",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        threading.Thread(target=self._drain, daemon=True).start()
        self._local = threading.local()
        self._conns: list[http.client.HTTPConnection] = []
        self.host, self.port = "", 0
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Read the service's output until it says where it serves."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        line = self.proc.stdout.readline()
        while not line.startswith("serving on ") and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the service stopped: {''.join(self.log)}")
            line = self.proc.stdout.readline()
        assert line.startswith("serving on "), line
        url = line.split()[-1]
        self.host, port = url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self._conns.append(conn)
        return conn

    def ask(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        token: str | None = DISTRICT_TOKEN,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        """Send one request on this thread's keep-alive connection."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        conn = self._conn()
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, payload)

    def decide(self, request: dict[str, Any] | None = None, **kwargs: Any) -> Answer:
        return self.ask("POST", "/v1/decisions", request or REQUEST, **kwargs)

    def logged(self, text: str, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.log):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self._close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        for conn in self._conns:
            conn.close()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
