"""Run the service under uvicorn: bind, serve until SIGTERM or SIGINT, write what is waiting, stop."""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable
from typing import Any, TextIO

import uvicorn

from woda_sharing.register import open_register
from woda_sharing.service._app import Service, create_app
from woda_sharing.service._config import ServiceConfig
from woda_sharing.service._recording import open_log

__all__ = ["build_service", "serve"]


def build_service(config: ServiceConfig, *, db: str | None = None) -> Service:
    """The `Service` for *config*: its register is *db*, else the configuration's, else ``$WODA_REGISTER``."""
    target = db if db is not None else config.register

    def opener() -> Any:
        return open_register(target)

    return Service(
        config,
        open_register=opener,
        open_log=open_log if config.recording_required else None,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # callers queue from the first moment; uvicorn accepts once ready
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    config: ServiceConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    db: str | None = None,
    announce: Callable[[str], None] | None = None,
    log_stream: TextIO | None = None,
) -> None:
    """Serve *config* on *host*:*port* (0 picks a free port) until stopped by a signal.

    *announce* is called with the service's URL once it is ready to take
    requests. Refusals and reloads are logged as JSON lines to *log_stream*
    (default: standard error).
    """
    handler = logging.StreamHandler(log_stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("woda_sharing.service")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    service = build_service(config, db=db)
    if announce is not None:
        service.on_ready = lambda: announce(f"http://{shown}:{bound}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service),
            lifespan="on",
            access_log=False,
            log_level="warning",
            server_header=False,
            timeout_graceful_shutdown=10,
            # The partnership's load balancer may keep connections open: reuse them.
            timeout_keep_alive=30,
            limit_concurrency=2000,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        logger.removeHandler(handler)
