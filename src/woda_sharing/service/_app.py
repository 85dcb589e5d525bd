"""The ASGI adapter: Starlette routes over the typed core (config, snapshot, wire form, recorder).

Every response is JSON. A refusal is a problem document (RFC 9457) with a
stable ``code`` and a reason, and is logged; an unexpected failure is a 500
with an incident id, its traceback logged on the server and never sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from woda_sharing._decisions import Decision, Request
from woda_sharing.exceptions import WodaError
from woda_sharing.service._config import TOKEN_MAX, TOKEN_MIN, Client, ServiceConfig, token_digest
from woda_sharing.service._openapi import openapi
from woda_sharing.service._recorder import Recorder, RecordingFailedError
from woda_sharing.service._snapshot import Snapshot, load_snapshot
from woda_sharing.service._wire import (
    Problem,
    decision_json,
    parse_batch,
    parse_one,
    problem_json,
)

__all__ = ["Service", "create_app"]

LOG: Final = logging.getLogger("woda_sharing.service")
_JSON: Final = "application/json"
_PROBLEM: Final = "application/problem+json"
_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="woda-sharing"'}
#: Characters a bearer token may hold (RFC 6750 b64token).
_TOKEN_CHARS: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/="
)

#: Makes the record of each decision: ``(decisions, requests, asked_by, on_behalf_of, policy)`` to records with ids.
RecordMaker = Callable[[Sequence[Decision], Sequence[tuple[Request, str]], str, Any], list[Any]]


def _log(event: str, *, level: int = logging.INFO, **fields: object) -> None:
    LOG.log(level, json.dumps({"event": event, **fields}, default=str))


class Service:
    """One instance's state: its configuration, the register, the snapshot it serves, its recorder.

    *log* opens the decision log and returns ``(append, make_records)``; it
    is ``None`` when recording is off.
    """

    def __init__(
        self,
        config: ServiceConfig,
        *,
        open_register: Callable[[], Any],
        open_log: Callable[[Any], tuple[Callable[[Sequence[Any]], object], RecordMaker]]
        | None = None,
    ) -> None:
        self.config = config
        self._open_register = open_register
        self._open_log = open_log
        self._tokens = {c.token_sha256: c for c in config.clients}
        self.register: Any = None
        self.snapshot: Snapshot | None = None
        self.database_problem: str | None = None
        self.recorder: Recorder | None = None
        self._make_records: RecordMaker | None = None
        self._reloader: asyncio.Task[None] | None = None
        self.on_ready: Callable[[], None] | None = None

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the register and the log, load the first snapshot, and start polling for changes."""
        await self._connect()
        self._reloader = asyncio.create_task(self._poll())
        if self.on_ready is not None:
            self.on_ready()

    async def stop(self) -> None:
        """Stop polling, write what is waiting, release the database."""
        if self._reloader is not None:
            self._reloader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reloader
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.close)
        if self.register is not None:
            self.register.close()

    async def _connect(self) -> None:
        try:
            if self.register is None:
                self.register = await asyncio.to_thread(self._open_register)
            if self._open_log is not None and self.recorder is None:
                append, self._make_records = await asyncio.to_thread(self._open_log, self.register)
                self.recorder = Recorder(append, limit=self.config.record_batch)
            await self._reload(force=True)
        except WodaError as e:
            self.database_problem = str(e)
            _log("database-unavailable", level=logging.ERROR, reason=str(e))

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.config.reload_seconds)
            if self.register is None or (self._open_log is not None and self.recorder is None):
                await self._connect()
                continue
            try:
                await self._reload(force=False)
            except WodaError as e:
                self.unavailable(str(e))
            except Exception as e:  # the poller must outlive any failure; the snapshot stays
                LOG.exception("reload failed")
                self.unavailable(f"{type(e).__name__}: {str(e).strip().splitlines()[0]}")

    def unavailable(self, reason: str) -> None:
        """Note that the database cannot be used (logged once, until it is back)."""
        if self.database_problem is None:
            _log("database-unavailable", level=logging.ERROR, reason=reason)
        self.database_problem = reason

    async def _reload(self, *, force: bool) -> None:
        fingerprint = await asyncio.to_thread(self.register.fingerprint)
        if self.database_problem is not None:
            _log("database-available")
            self.database_problem = None
        current = self.snapshot
        if not force and current is not None and current.fingerprint == fingerprint:
            return
        snapshot = await asyncio.to_thread(load_snapshot, self.register, self.config.charter)
        self.snapshot = snapshot  # one assignment: a request sees the old or the new, whole
        _log(
            "loaded",
            charter=snapshot.charter.as_dict() if snapshot.charter else None,
            agreements=[f"{a.id}@{a.version}" for a in snapshot.agreements],
            withheld=[w.as_dict() for w in snapshot.withheld],
            problem=snapshot.problem,
        )

    # --- checks -----------------------------------------------------------------------------

    def authenticate(self, request: HttpRequest) -> Client:
        """The calling system, from its bearer token; raise `Problem` (401, 400) otherwise."""
        header = request.headers.get("authorization")
        if header is None:
            raise Problem(401, "no-credentials", "send Authorization: Bearer <token>")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Problem(
                400, "malformed-credentials", "the Authorization header is not Bearer <token>"
            )
        if not TOKEN_MIN <= len(token) <= TOKEN_MAX or not _TOKEN_CHARS.issuperset(token):
            raise Problem(
                400, "malformed-credentials", "the bearer token is not a token this service issues"
            )
        client = self._tokens.get(token_digest(token))
        if client is None:
            raise Problem(401, "unknown-token", "the bearer token is not known to this service")
        return client

    @staticmethod
    def authorise(client: Client, request: Request, behalf: str, where: str = "") -> None:
        """Check *client* may ask *request* on behalf of *behalf*; raise `Problem` (403) otherwise."""
        if behalf not in client.on_behalf_of:
            raise Problem(
                403,
                "not-your-organisation",
                f"{where}{client.name} may not ask on behalf of {behalf!r}",
            )
        if behalf not in (request.sender, request.recipient):
            raise Problem(
                403,
                "not-a-party",
                f"{where}{behalf!r} is neither the sender nor the recipient of the request",
            )

    def serving(self) -> Snapshot:
        """The snapshot to answer from; raise `Problem` (503) when nothing can be served."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.policy is None:
            reason = (
                snapshot.problem
                if snapshot is not None
                else self.database_problem or "the register has not been read yet"
            )
            raise Problem(503, "not-serving", f"no policy to decide with: {reason}")
        return snapshot

    async def record(
        self,
        decisions: Sequence[Decision],
        asked: Sequence[tuple[Request, str]],
        client: Client,
        snapshot: Snapshot,
    ) -> list[str | None]:
        """Record the decisions (when recording is on) and return the record ids."""
        if not self.config.recording_required:
            return [None] * len(decisions)
        if self.recorder is None or self._make_records is None:
            raise Problem(
                503,
                "recording-unavailable",
                f"the decision log is unavailable: {self.database_problem}",
            )
        records = self._make_records(decisions, asked, client.name, snapshot.policy)
        try:
            await self.recorder.write(records)
        except RecordingFailedError as e:
            self.unavailable(f"the decision log refused records: {e}")
            raise Problem(
                503, "recording-unavailable", f"the decision was not recorded, so not sent: {e}"
            ) from e
        return [r.id for r in records]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _body(request: HttpRequest, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Problem(413, "body-too-large", f"the body is larger than {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "body-too-large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(record: str | None, decision: Decision) -> bytes:
    rid = b"null" if record is None else b'"' + record.encode() + b'"'
    return b'{"record":' + rid + b',"decision":' + decision_json(decision) + b"}"


def _refuse(problem: Problem, request: HttpRequest, client: Client | None) -> Response:
    _log(
        "refused",
        level=logging.WARNING,
        status=problem.status,
        code=problem.code,
        reason=problem.reason,
        client=client.name if client else None,
        path=request.url.path,
        peer=request.client.host if request.client else None,
    )
    headers = _CHALLENGE if problem.status == 401 else None
    return Response(problem_json(problem), problem.status, headers=headers, media_type=_PROBLEM)


def create_app(service: Service) -> Starlette:  # noqa: PLR0915 - one closure per route reads best
    """The Starlette application of *service*: decide, decide many, agreements, health, OpenAPI."""
    config = service.config

    async def decide(request: HttpRequest) -> Response:
        client = None
        try:
            client = service.authenticate(request)
            asked = parse_one(await _body(request, config.max_body_bytes), _today())
            service.authorise(client, *asked)
            snapshot = service.serving()
            decision = snapshot.policy.decide(asked[0])  # type: ignore[union-attr]  # serving() checked
            (rid,) = await service.record([decision], [asked], client, snapshot)
        except Problem as problem:
            return _refuse(problem, request, client)
        return Response(_answer(rid, decision), media_type=_JSON)

    async def decide_many(request: HttpRequest) -> Response:
        client = None
        try:
            client = service.authenticate(request)
            asked = parse_batch(
                await _body(request, config.max_body_bytes), _today(), config.max_batch
            )
            for i, (req, behalf) in enumerate(asked):
                service.authorise(client, req, behalf, f"requests[{i}]: ")
            snapshot = service.serving()
            decisions = snapshot.policy.decide_many([r for r, _ in asked])  # type: ignore[union-attr]
            rids = await service.record(decisions, asked, client, snapshot)
        except Problem as problem:
            return _refuse(problem, request, client)
        body = b",".join(map(_answer, rids, decisions))
        return Response(b'{"decisions":[' + body + b"]}", media_type=_JSON)

    async def agreements(request: HttpRequest) -> Response:
        client = None
        try:
            client = service.authenticate(request)
            snapshot = service.serving()
        except Problem as problem:
            return _refuse(problem, request, client)
        return Response(json.dumps(snapshot.as_dict()), media_type=_JSON)

    async def live(_: HttpRequest) -> Response:
        return Response(b'{"status":"live"}', media_type=_JSON)

    async def ready(_: HttpRequest) -> Response:
        problems = []
        snapshot = service.snapshot
        if snapshot is None or snapshot.policy is None:
            problems.append(
                "no policy: "
                + str(
                    snapshot.problem
                    if snapshot
                    else service.database_problem or "the register has not been read yet"
                )
            )
        if config.recording_required and service.database_problem is not None:
            problems.append(
                f"recording is required and the database is unavailable: {service.database_problem}"
            )
        body: dict[str, Any] = {
            "status": "not-ready" if problems else "ready",
            "problems": problems,
        }
        if snapshot is not None and snapshot.charter is not None:
            body["charter"] = f"{snapshot.charter.id}@{snapshot.charter.version}"
            body["agreements"] = len(snapshot.agreements)
        return Response(json.dumps(body), 503 if problems else 200, media_type=_JSON)

    async def description(_: HttpRequest) -> Response:
        return Response(json.dumps(openapi()), media_type=_JSON)

    async def not_found(request: HttpRequest, _: Exception) -> Response:
        return _refuse(
            Problem(404, "not-found", f"no such resource: {request.url.path}"), request, None
        )

    async def wrong_method(request: HttpRequest, _: Exception) -> Response:
        return _refuse(
            Problem(
                405, "method-not-allowed", f"{request.method} is not allowed on {request.url.path}"
            ),
            request,
            None,
        )

    async def failed(request: HttpRequest, exc: Exception) -> Response:
        incident = str(uuid.uuid4())
        LOG.error(
            "internal error %s on %s",
            incident,
            request.url.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        problem = Problem(
            500, "internal-error", f"the service failed; incident {incident} is logged"
        )
        return Response(problem_json(problem), 500, media_type=_PROBLEM)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    return Starlette(
        routes=[
            Route("/v1/decisions", decide, methods=["POST"]),
            Route("/v1/decisions/batch", decide_many, methods=["POST"]),
            Route("/v1/agreements", agreements, methods=["GET"]),
            Route("/health/live", live, methods=["GET"]),
            Route("/health/ready", ready, methods=["GET"]),
            Route("/openapi.json", description, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: wrong_method, Exception: failed},
        lifespan=lifespan,
    )
