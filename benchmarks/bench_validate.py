"""How fast validation is: `json.loads`, plain jsonschema, and the full pipeline, per size.

For each generated size (see `benchmarks.generate`) this measures, in one run
and on the same bytes:

- ``loads``: `json.loads` of the bytes (the yardstick);
- ``jsonschema``: `json.loads` then plain jsonschema (`Draft202012Validator`
  with the packaged registry) deciding validity with the published schema;
- ``full``: `woda_sharing._validation.validate` of the bytes with the charter
  prepared once (strict load, schema, structure, charter rules);
- ``invalid_full``: the same, for the document with one schema error deep in
  it (the compiled validator says no, so jsonschema runs to explain);
- the stages of ``full`` on their own: ``load`` (strict `load_json`),
  ``schema`` (the compiled validator on parsed data), ``structure`` (cattrs, the
  trusted converter the pipeline uses once the schema has passed)
  and ``rules`` (the built-in rule table on the typed document).

Each figure is the median of several repeats, in milliseconds (``*_ms``), timed
with the garbage collector off as `timeit` does. Each ``*_vs_loads_x`` ratio
divides a figure by ``loads`` of the same bytes. ``linearity`` compares how ``full`` grows from
medium to large with how the byte size grows, and with how ``loads`` itself
grows (1.0 is exactly linear). ``full_vs_loads_best_x`` is the ratio of the
fastest repeats, steadier than the medians on a busy machine.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any, Final

from jsonschema import Draft202012Validator

from benchmarks.generate import SIZES, TODAY, Size, agreement_bytes, charter_for
from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._loading import load_json
from woda_sharing._model import Agreement
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.rules import AgreementWithCharterContext, builtin_catalogue, builtin_rules

__all__ = ["TARGET_RATIO", "main", "measure", "run"]

#: Full validation of a valid medium agreement should cost at most this many `json.loads`.
TARGET_RATIO: Final = 10.0

# Repeats per size: enough for a stable median, few enough to finish in seconds.
_REPEATS: Final = {"small": 51, "medium": 21, "large": 7}
_JSONSCHEMA_REPEATS: Final = {"small": 11, "medium": 5, "large": 3}


def _medians_ms(measures: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each measure in milliseconds, the measures interleaved.

    The fastest repeat of each comes back too, keyed ``<name>_best``: on a busy
    machine it is the steadier figure (other work only ever adds time).

    Each repeat times every measure once, in turn, so that a busy moment on the
    machine slows all of them alike and the ratios between them stay steady.
    Each timing loops the measure enough times to pass 5 ms. As `timeit` does,
    the garbage collector is off while timing, so that a collection triggered
    by one measure is not billed to the next.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        numbers = {name: _loops(fn) for name, fn in measures.items()}
        times: dict[str, list[float]] = {name: [] for name in measures}
        for _ in range(repeats):
            for name, fn in measures.items():
                number = numbers[name]
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                times[name].append((time.perf_counter() - start) / number)
    finally:
        if enabled:
            gc.enable()
    medians = {name: statistics.median(values) * 1000.0 for name, values in times.items()}
    bests = {f"{name}_best": min(values) * 1000.0 for name, values in times.items()}
    return medians | bests


def _loops(fn: Callable[[], object]) -> int:
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, int(0.005 / once)) if once > 0 else 1000


def measure(size: Size) -> dict[str, float]:
    """Measure one size; return its figures keyed ``<size>.<measure>`` (ms, bytes, ratios)."""
    raw = agreement_bytes(size)
    charter = CharterInfo.from_data(charter_for(size))
    report = validate(raw, charter=charter, today=TODAY)
    if not report.ok:  # a benchmark of a failing document would measure the wrong path
        raise SystemExit(f"generated {size.name} agreement is not valid: {report.errors[:3]}")
    data = json.loads(raw)
    broken = json.loads(raw)
    broken["flows"][-1]["method"] = "carrier-pigeon"  # one schema error, deep in the document
    raw_invalid = json.dumps(broken, indent=2).encode()
    wrong = validate(raw_invalid, charter=charter, today=TODAY)
    if [(f.code, f.pointer) for f in wrong.findings] != [
        ("WS010", f"/flows/{len(broken['flows']) - 1}/method")
    ]:
        raise SystemExit(f"the broken {size.name} agreement got {wrong.findings[:3]}")
    document = codec.structure(data, Agreement)
    plain = Draft202012Validator(
        schema.load_schema("agreement.schema.json"), registry=schema.registry()
    )
    rules = builtin_rules()
    catalogue = builtin_catalogue()

    def run_rules() -> list[Any]:
        # A fresh context each time: rules memoise what they work out in it.
        ctx = AgreementWithCharterContext(
            charter=charter.charter,
            agreement=document,
            catalogue=catalogue,
            today=TODAY,
            charter_digest=charter.digest,
        )
        return [f for rule in rules if rule.applies(ctx) for f in rule.run(ctx)]

    loads = {"loads_ms": lambda: json.loads(raw)}
    figures = {"bytes": float(len(raw))}
    figures |= _medians_ms(
        {
            **loads,
            "full_ms": lambda: validate(raw, charter=charter, today=TODAY),
            "load_ms": lambda: load_json(raw),
            "schema_ms": lambda: schema.fast_is_valid("agreement", data),
            "structure_ms": lambda: codec.structure_schema_valid(data, Agreement),
            "rules_ms": run_rules,
        },
        _REPEATS[size.name],
    )
    slow = _medians_ms(
        {
            **loads,
            "jsonschema_ms": lambda: plain.is_valid(json.loads(raw)),
            "invalid_full_ms": lambda: validate(raw_invalid, charter=charter, today=TODAY),
        },
        _JSONSCHEMA_REPEATS[size.name],
    )
    # Each slow measure's ratio is taken against the loads timed beside it.
    figures["jsonschema_ms"] = slow["jsonschema_ms"]
    figures["invalid_full_ms"] = slow["invalid_full_ms"]
    figures["full_vs_loads_best_x"] = figures["full_ms_best"] / figures["loads_ms_best"]
    for name in [key for key in figures if key.endswith("_ms_best")]:
        del figures[name]
    for measure_ in ("full", "load", "schema", "structure", "rules"):
        figures[f"{measure_}_vs_loads_x"] = figures[f"{measure_}_ms"] / figures["loads_ms"]
    for measure_ in ("jsonschema", "invalid_full"):
        figures[f"{measure_}_vs_loads_x"] = slow[f"{measure_}_ms"] / slow["loads_ms"]
    return {f"{size.name}.{key}": value for key, value in figures.items()}


def run() -> dict[str, float]:
    """Measure every size; add the linearity figure and whether the medium target is met."""
    results: dict[str, float] = {}
    for size in SIZES:
        results.update(measure(size))
    growth = results["large.full_ms"] / results["medium.full_ms"]
    byte_growth = results["large.bytes"] / results["medium.bytes"]
    loads_growth = results["large.loads_ms"] / results["medium.loads_ms"]
    results["linearity.full_growth_over_bytes_growth"] = growth / byte_growth
    results["linearity.full_growth_over_loads_growth"] = growth / loads_growth
    results["target.medium_full_vs_loads_max_x"] = TARGET_RATIO
    results["target.medium_met"] = float(results["medium.full_vs_loads_x"] <= TARGET_RATIO)
    return results


def main() -> None:
    """Print this module's figures, one per line."""
    for key, value in run().items():
        print(f"{key:32} {value:12.3f}")


if __name__ == "__main__":
    main()
