"""The decision service: sharing decisions over HTTP for systems not written in Python.

``woda-sharing serve`` (or `serve`) runs an ASGI application (Starlette
under uvicorn) over the register: decide one request, decide many, list the
agreements in force, health and readiness, and an OpenAPI description. Each
calling system authenticates with its own bearer token and may ask only on
behalf of the organisations its `Client` entry lists. With recording
required (the default) every answer is in the decision log before it is
sent. See ``docs/how-to/run-decision-service.md``.

Needs the ``serve`` extra (``pip install 'woda-sharing[serve]'``);
``import woda_sharing`` imports none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from woda_sharing.service._config import (
    RECORDING,
    Client,
    ServiceConfig,
    load_config,
    new_token,
    token_digest,
)

if TYPE_CHECKING:
    from woda_sharing.service._app import Service, create_app
    from woda_sharing.service._openapi import openapi
    from woda_sharing.service._serve import build_service, serve

__all__ = [
    "RECORDING",
    "Client",
    "Service",
    "ServiceConfig",
    "build_service",
    "create_app",
    "load_config",
    "new_token",
    "openapi",
    "serve",
    "token_digest",
]

_LAZY = {
    "Service": "woda_sharing.service._app",
    "create_app": "woda_sharing.service._app",
    "openapi": "woda_sharing.service._openapi",
    "build_service": "woda_sharing.service._serve",
    "serve": "woda_sharing.service._serve",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415 - the web stack loads only when asked for

    from woda_sharing.exceptions import UsageError  # noqa: PLC0415

    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as e:
        raise UsageError(
            "the decision service needs the 'serve' extra: pip install 'woda-sharing[serve]'"
            f" ({e.name or e} is missing)"
        ) from e
