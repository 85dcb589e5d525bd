"""The service's configuration: which register, which charter, who may ask for whom, and recording.

Nothing here imports the web stack: `ServiceConfig` is a frozen value read
from a JSON file by `load_config` (or built in Python), checked as it is
built, so a service never starts on a configuration it would misread.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from attrs import field, frozen

from woda_sharing._model import is_id
from woda_sharing.exceptions import UsageError

__all__ = ["RECORDING", "Client", "ServiceConfig", "load_config", "new_token", "token_digest"]

#: Recording modes: ``required`` refuses to answer when a decision cannot be recorded; ``off`` records nothing.
RECORDING: Final = ("required", "off")
#: The shortest token the service accepts, in characters (`new_token` makes 43).
TOKEN_MIN: Final = 32
#: The longest, in characters.
TOKEN_MAX: Final = 512
_DIGEST: Final = re.compile(r"[0-9a-f]{64}")
_NAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_KEYS: Final = frozenset(
    {
        "register",
        "charter",
        "recording",
        "clients",
        "reload_seconds",
        "max_batch",
        "max_body_bytes",
        "record_batch",
    }
)
_CLIENT_KEYS: Final = frozenset({"name", "token_sha256", "on_behalf_of"})


def new_token() -> str:
    """A fresh bearer token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The hex SHA-256 of *token*, as a configuration names it (tokens themselves are never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@frozen(kw_only=True)
class Client:
    """A calling system: its name, its token's SHA-256, and the organisations it may ask on behalf of."""

    name: str
    token_sha256: str
    on_behalf_of: frozenset[str]

    def __attrs_post_init__(self) -> None:
        name: object = self.name
        digest: object = self.token_sha256
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise UsageError(
                f"a client's name is 1 to 100 lower-case letters, digits, '.', '_' or '-', not {self.name!r}"
            )
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            raise UsageError(
                f"client {self.name!r}: token_sha256 is 64 lower-case hex digits (woda-sharing serve --new-token)"
            )
        if not self.on_behalf_of or not all(is_id(org) for org in self.on_behalf_of):
            raise UsageError(
                f"client {self.name!r}: on_behalf_of lists one or more organisation ids"
            )


def _clients(value: object) -> tuple[Client, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


@frozen(kw_only=True)
class ServiceConfig:
    """How one instance of the decision service runs.

    *register* is the database (a SQLite path or a ``postgresql://`` URL;
    ``None`` means ``$WODA_REGISTER``); *charter* the id of the charter whose
    agreements it serves. *recording* is ``"required"`` (the default: no
    answer leaves the service before its record is in the decision log) or
    ``"off"``. *clients* are the calling systems; two may not share a name
    or a token. *reload_seconds* is how often the register is polled for a
    new version; *max_batch* the most requests in one batch; *max_body_bytes*
    the largest request body; *record_batch* the most records written in one
    transaction.
    """

    charter: str
    clients: tuple[Client, ...] = field(converter=_clients)
    register: str | None = None
    recording: str = "required"
    reload_seconds: float = 2.0
    max_batch: int = 10_000
    max_body_bytes: int = 8 << 20
    record_batch: int = 20_000

    def __attrs_post_init__(self) -> None:
        if not is_id(self.charter):
            raise UsageError(f"charter is a charter id, not {self.charter!r}")
        if self.recording not in RECORDING:
            raise UsageError(f"recording is one of {', '.join(RECORDING)}, not {self.recording!r}")
        if not all(isinstance(c, Client) for c in self.clients):
            raise UsageError("clients are Client values")
        for what, values in (
            ("name", [c.name for c in self.clients]),
            ("token", [c.token_sha256 for c in self.clients]),
        ):
            if len(set(values)) != len(values):
                raise UsageError(f"two clients share a {what}")
        limits: tuple[tuple[str, object, float], ...] = (
            ("reload_seconds", self.reload_seconds, 0.05),
            ("max_batch", self.max_batch, 1),
            ("max_body_bytes", self.max_body_bytes, 1024),
            ("record_batch", self.record_batch, 1),
        )
        for name, number, low in limits:
            if isinstance(number, bool) or not isinstance(number, (int, float)) or number < low:
                raise UsageError(f"{name} is a number of at least {low}, not {number!r}")
        register: object = self.register
        if register is not None and not isinstance(register, str):
            raise UsageError("register is a path or a database URL")

    @property
    def recording_required(self) -> bool:
        """Whether an answer needs its record in the log first."""
        return self.recording == "required"

    @classmethod
    def from_dict(cls, data: object) -> ServiceConfig:
        """Read the JSON form (see ``docs/how-to/run-decision-service.md``), raising `UsageError`."""
        if not isinstance(data, Mapping):
            raise UsageError("a service configuration is a JSON object")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise UsageError(f"unknown configuration member(s): {', '.join(unknown)}")
        if "charter" not in data:
            raise UsageError("the configuration names no charter")
        clients = data.get("clients", [])
        if not isinstance(clients, list):
            raise UsageError("clients is an array")
        built = []
        for i, given in enumerate(clients):
            if not isinstance(given, Mapping):
                raise UsageError(f"clients[{i}] is an object")
            extra = sorted(set(given) - _CLIENT_KEYS)
            if extra:
                raise UsageError(f"clients[{i}]: unknown member(s): {', '.join(extra)}")
            orgs = given.get("on_behalf_of")
            if not isinstance(orgs, list):
                raise UsageError(f"clients[{i}]: on_behalf_of is an array of organisation ids")
            built.append(
                Client(
                    name=given.get("name"),  # type: ignore[arg-type]  # checked by Client
                    token_sha256=given.get("token_sha256"),  # type: ignore[arg-type]
                    on_behalf_of=frozenset(orgs),
                )
            )
        options: dict[str, Any] = {
            k: data[k]
            for k in ("register", "recording", "reload_seconds", "max_batch", "max_body_bytes")
            if k in data
        }
        if "record_batch" in data:
            options["record_batch"] = data["record_batch"]
        return cls(charter=data["charter"], clients=tuple(built), **options)


def load_config(path: str | os.PathLike[str]) -> ServiceConfig:
    """Read a service configuration from the JSON file at *path*, raising `UsageError` when it is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read the configuration {os.fspath(path)}: {e.strerror}") from e
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise UsageError(f"the configuration {os.fspath(path)} is not JSON: {e}") from e
    return ServiceConfig.from_dict(data)
