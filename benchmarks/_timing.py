"""How the benchmarks time things on a shared, busy machine: CPU time, interleaved, medians.

Other work on the machine takes the processor away at random moments, which
inflates wall-clock times but not the processor time this thread spends. So
the figures are the thread's CPU time (`time.thread_time`); a child process
is timed by the CPU time the kernel accounts to it (`os.wait4`). Measures
that are compared are interleaved (each round times each of them once), so
that what slows one round slows all of them alike, and every ratio is the
median of the per-round ratios. The garbage collector is off while timing, as
`timeit` does, unless a measure says otherwise (compiling a policy is timed
with it on, since collections during compile were part of the problem).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Final

__all__ = ["child_cpu_seconds", "interleaved", "loops_for", "median_ratio"]

#: The clock of every in-process measure.
clock: Final = time.thread_time


def loops_for(fn: Callable[[], object], at_least: float = 0.005) -> int:
    """How many calls of *fn* take at least *at_least* seconds of CPU time (one call at least)."""
    start = clock()
    fn()
    once = clock() - start
    return max(1, int(at_least / once)) if once > 0 else 1000


def interleaved(
    measures: Mapping[str, Callable[[], object]],
    rounds: int,
    *,
    loops: Mapping[str, int] | None = None,
    collect: bool = False,
) -> dict[str, list[float]]:
    """Seconds per call of each measure, one list per measure, one entry per round.

    Each round times every measure once, in turn, looping it enough times to
    pass 5 ms. The garbage collector is off unless *collect*.
    """
    numbers = dict(loops) if loops is not None else {n: loops_for(f) for n, f in measures.items()}
    times: dict[str, list[float]] = {name: [] for name in measures}
    gc.collect()
    enabled = gc.isenabled()
    if not collect:
        gc.disable()
    try:
        for _ in range(rounds):
            for name, fn in measures.items():
                number = numbers[name]
                start = clock()
                for _ in range(number):
                    fn()
                times[name].append((clock() - start) / number)
    finally:
        if enabled:
            gc.enable()
    return times


def median_ratio(times: Mapping[str, Sequence[float]], top: str, bottom: str) -> float:
    """The median over rounds of ``times[top][i] / times[bottom][i]``."""
    return statistics.median(a / b for a, b in zip(times[top], times[bottom], strict=True))


def child_cpu_seconds(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> float:
    """Run *argv* to completion and return the CPU time (user + system) the child used.

    Raise `RuntimeError` if it fails: a benchmark of a failing command would
    measure the wrong path.
    """
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else b""
    if process.stderr:
        process.stderr.close()
    if process.returncode not in (0, 1):  # 1: a negative answer, still a complete run
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {stderr[-500:]!r}")
    return usage.ru_utime + usage.ru_stime
