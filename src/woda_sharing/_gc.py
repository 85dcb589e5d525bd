"""Pause the cyclic garbage collector while building many objects that hold no cycles.

CPython runs a collection each time enough container objects have been
allocated, and every so often one that walks every object alive. Validating a
thousand agreements and compiling them into a policy allocates millions of
small objects, none of them in a reference cycle, while the earlier ones stay
alive: the collections find nothing and, walking ever more live objects, came
to a quarter to two thirds of the time (issue 16). Mercurial pauses its
collector the same way while it builds large structures.

The pause is for the duration of one call, restores the collector's previous
state (a caller who turned it off keeps it off) and never changes a result.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused"]

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate *fn* so that the cyclic garbage collector is paused while it runs."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper
