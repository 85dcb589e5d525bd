"""Group commit: answers wait for their records, and records of concurrent requests share a transaction.

A `Recorder` owns one writer thread. A request hands it the records of its
decisions and waits; the thread takes every batch waiting (up to a limit),
appends them to the decision log in one transaction, and then wakes each
waiting request. An answer therefore leaves the service only once its
record is committed, so a process killed at any moment has lost no answered
decision; and under load many requests share one commit, which is what
lets recording keep up.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final

__all__ = ["Recorder", "RecordingFailedError"]

_STOP: Final = object()


class RecordingFailedError(Exception):
    """The log did not take the records: the answers they belong to must not be sent."""


class Recorder:
    """Writes records through *append* (one call per transaction) from one thread.

    *append* takes a sequence of records and commits them, or raises.
    *limit* bounds how many records one transaction takes.
    """

    def __init__(self, append: Callable[[Sequence[Any]], object], *, limit: int) -> None:
        self._append = append
        self._limit = limit
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="woda-recorder", daemon=True)
        self._thread.start()

    async def write(self, records: Sequence[Any]) -> None:
        """Return once *records* are committed; raise `RecordingFailedError` if they were not."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put((records, done, loop))
        await done

    def close(self) -> None:
        """Write what is waiting, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            waiting = [first]
            count = len(first[0])
            stop = False
            while count < self._limit:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                waiting.append(more)
                count += len(more[0])
            self._commit(waiting)
            if stop:
                return

    def _commit(self, waiting: list[tuple[Sequence[Any], asyncio.Future[None], Any]]) -> None:
        records = [r for batch, _, _ in waiting for r in batch]
        failure: BaseException | None = None
        try:
            self._append(records)
        except Exception as e:  # every failure refuses the answers, with the reason
            failure = RecordingFailedError(str(e) or type(e).__name__)
        for _, done, loop in waiting:
            try:
                loop.call_soon_threadsafe(_settle, done, failure)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                continue


def _settle(done: asyncio.Future[None], failure: BaseException | None) -> None:
    if done.done():  # the request was cancelled (the client went away)
        return
    if failure is None:
        done.set_result(None)
    else:
        done.set_exception(failure)
