"""Cost bounds for the denial-of-service tests: time as a ratio to `json.loads` of the same input.

An absolute time says more about the machine than about the code; a ratio to
parsing the same bytes with the standard library does not. Each side is the
fastest of a few repeats (other work on a busy machine only ever adds time),
and the garbage collector is off while timing, as `timeit` does. A tracer
(coverage) is suspended meanwhile: it slows only the Python side.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable

__all__ = ["cost_ratio"]


def _best(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    # A coverage tracer slows Python code several times and C code (json.loads) not at all:
    # suspend it while timing, so the ratio is the code's, not the tracer's.
    tracer = sys.gettrace()
    sys.settrace(None)
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
    finally:
        sys.settrace(tracer)
        if enabled:
            gc.enable()
    return best


def cost_ratio(fn: Callable[[], object], data: bytes, *, repeats: int = 3) -> float:
    """How many `json.loads` of *data* one call of *fn* costs (best of *repeats* each).

    The yardstick is timed over enough calls to last at least a millisecond,
    so that a tiny input does not measure the clock instead of the parser.
    """
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            json.loads(data)
        if time.perf_counter() - start >= 1e-3 or calls >= 1 << 20:
            break
        calls *= 2

    def loads() -> None:
        for _ in range(calls):
            json.loads(data)

    yardstick = _best(loads, repeats) / calls
    return _best(fn, repeats) / yardstick
