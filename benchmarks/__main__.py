"""Run every benchmark module and print one table: ``python -m benchmarks`` (``nox -s bench``).

A benchmark module is ``benchmarks/bench_*.py`` exposing ``run() -> dict[str, float]``.
The known ones run in a fixed order; a module that is missing is skipped with a
note, so one engineer's benchmark never blocks another's. The figures are also
written to ``.benchmarks/results.json`` (with the Python version and platform),
so that two runs can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Final

__all__ = ["MODULES", "main"]

#: The benchmark modules, in the order they run.
MODULES: Final = (
    "bench_validate",
    "bench_verify",
    "bench_decisions",
    "bench_hostile",
    "bench_cli",
    "bench_register",
    "bench_log",
    "bench_render",
    "bench_service",
)

_RESULTS: Final = Path(".benchmarks") / "results.json"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    Path(tmp).replace(path)


def _unit(key: str) -> str:
    units = {
        "_ms": "ms",
        "_us": "µs",
        "_per_s": "per second",
        "_s": "s",
        "_x": "x",
        "bytes": "bytes",
    }
    return next((unit for suffix, unit in units.items() if key.endswith(suffix)), "")


def _shown(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:,.3f}"


def _table(results: dict[str, dict[str, float]], notes: list[str]) -> str:
    lines = []
    width = max((len(k) for figures in results.values() for k in figures), default=10)
    for module, figures in results.items():
        lines.append(f"\n{module}")
        lines.append("-" * (width + 26))
        for key, value in figures.items():
            lines.append(f"  {key:<{width}} {_shown(value):>14} {_unit(key)}")
    lines.extend(f"\nnote: {note}" for note in notes)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named on the command line (default: all); return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("modules", nargs="*", choices=[*MODULES, []], metavar="MODULE")
    parser.add_argument("--output", type=Path, default=_RESULTS, help="where to write JSON")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for name in args.modules or MODULES:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"benchmarks.{name}":
                raise  # the module exists but one of its imports is missing: a real error
            notes.append(f"benchmarks/{name}.py is not present; skipped")
            continue
        run = getattr(module, "run", None)
        if not callable(run):
            notes.append(f"benchmarks/{name}.py has no run(); skipped")
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = {str(k): float(v) for k, v in run().items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None and load > (os.cpu_count() or 1) / 2:
        notes.append(f"the machine was busy (1-minute load {load:.2f}): figures are noisy")
    print(_table(results, notes))
    record = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1m": load,
        "results": results,
        "notes": notes,
    }
    _write_atomically(args.output, json.dumps(record, indent=2) + "\n")
    print(f"\nfigures written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
