"""The service's side of the decision log: make the records of decisions, and append them.

Records are made on the event loop (cheap: no canonical bytes yet) and
appended by the `Recorder`'s thread, which canonicalises, hashes and links
them in one transaction per group of requests.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from woda_sharing._decision_records import DecisionRecord, record
from woda_sharing._decisions import Decision, Policy, Request

__all__ = ["open_log"]


class _Ids:
    """Random (version 4) UUIDs, drawn from the system's generator a few thousand at a time.

    ``uuid.uuid4`` reads 16 bytes from the kernel per call, releasing the
    interpreter lock each time; under load, taking it back behind the
    recorder's thread made each id cost milliseconds.
    """

    def __init__(self, batch: int = 4096) -> None:
        self._batch = batch
        self._pool = b""
        self._at = 0

    def take(self, count: int) -> list[str]:
        need = count * 16
        if self._at + need > len(self._pool):
            self._pool = os.urandom(max(need, self._batch * 16))
            self._at = 0
        pool, at = self._pool, self._at
        self._at += need
        return [
            str(uuid.UUID(bytes=pool[at + 16 * i : at + 16 * i + 16], version=4))
            for i in range(count)
        ]


_IDS = _Ids()


def _make(
    decisions: Sequence[Decision],
    asked: Sequence[tuple[Request, str]],
    asked_by: str,
    policy: Policy | None,
) -> list[DecisionRecord]:
    now = dt.datetime.now(dt.UTC)
    ids = _IDS.take(len(decisions))
    return [
        record(
            decision,
            request,
            asked_by=asked_by,
            on_behalf_of=behalf,
            policy=policy,
            at=now,
            record_id=rid,
        )
        for decision, (request, behalf), rid in zip(decisions, asked, ids, strict=True)
    ]


def open_log(register: Any) -> tuple[Callable[[Sequence[Any]], object], Any]:
    """The decision log in *register*'s database: ``(append, make_records)``."""
    log = register.log
    return log.append, _make
