"""How fast validation is: `json.loads`, plain jsonschema, and the full pipeline, per size.

For each generated size (see `benchmarks.generate`) this measures, in one run
and on the same bytes:

- ``loads``: `json.loads` of the bytes (the yardstick);
- ``jsonschema``: `json.loads` then plain jsonschema (`Draft202012Validator`
  with the packaged registry) deciding validity with the published schema;
- ``full``: `woda_sharing._validation.validate` of the bytes with the charter
  prepared once (strict load, schema, structure, every charter rule);
- ``invalid_full``: the same, for the document with one schema error deep in
  it (the compiled validator says no, so jsonschema runs to explain);
- the stages of ``full`` on their own: ``load`` (strict `load_json`),
  ``schema`` (the compiled validator on parsed data), ``structure`` (cattrs, the
  trusted converter the pipeline uses once the schema has passed)
  and ``rules`` (the built-in rule table on the typed document).

Times are CPU time, interleaved, medians (see `benchmarks._timing`); each
``*_vs_loads_x`` is the median of the per-round ratios to ``loads``. The
``limit`` size is the largest the default limits accept (16.6 MB, just under
16 MiB); ``linearity.limit_over_medium`` divides its ``full_vs_loads_x`` by
medium's (90 KB): 1.0 is exactly linear, and the goal is at most 1.2.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from typing import Any, Final

from jsonschema import Draft202012Validator

from benchmarks._timing import interleaved, median_ratio
from benchmarks.generate import LIMIT, SIZES, TODAY, Size, agreement_bytes, charter_for
from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._loading import load_json
from woda_sharing._model import Agreement
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.rules import AgreementWithCharterContext, builtin_catalogue, builtin_rules

__all__ = ["TARGET_LINEARITY", "TARGET_RATIO", "main", "measure", "run"]

#: Full validation of a valid medium agreement should cost at most this many `json.loads`.
TARGET_RATIO: Final = 4.0
#: The ratio at the size limit should be within this factor of the ratio at 90 KB.
TARGET_LINEARITY: Final = 1.2

# Rounds per size: enough for a stable median, few enough to finish in a minute.
_ROUNDS: Final = {"small": 31, "medium": 21, "large": 7, "limit": 3}
_SLOW_ROUNDS: Final = {"small": 7, "medium": 5, "large": 3}


def measure(size: Size) -> dict[str, float]:
    """Measure one size; return its figures keyed ``<size>.<measure>`` (ms, bytes, ratios)."""
    raw = agreement_bytes(size)
    charter = CharterInfo.from_data(charter_for(size))
    report = validate(raw, charter=charter, today=TODAY)
    if not report.ok:  # a benchmark of a failing document would measure the wrong path
        raise SystemExit(f"generated {size.name} agreement is not valid: {report.errors[:3]}")
    data = json.loads(raw)
    document = codec.structure(data, Agreement)
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

    measures: dict[str, Callable[[], object]] = {
        "loads": lambda: json.loads(raw),
        "full": lambda: validate(raw, charter=charter, today=TODAY),
        "load": lambda: load_json(raw),
        "schema": lambda: schema.fast_is_valid("agreement", data),
        "structure": lambda: codec.structure_schema_valid(data, Agreement),
        "rules": run_rules,
    }
    times = interleaved(measures, _ROUNDS[size.name])
    figures = {"bytes": float(len(raw))}
    for name, values in times.items():
        figures[f"{name}_ms"] = statistics.median(values) * 1000.0
    for name in measures:
        if name != "loads":
            figures[f"{name}_vs_loads_x"] = median_ratio(times, name, "loads")
    if size.name in _SLOW_ROUNDS:
        figures |= _slow(size, raw, data, charter)
    return {f"{size.name}.{key}": value for key, value in figures.items()}


def _slow(size: Size, raw: bytes, data: Any, charter: CharterInfo) -> dict[str, float]:
    """Plain jsonschema, and full validation of an invalid document (jsonschema explains)."""
    broken = json.loads(raw)
    broken["flows"][-1]["method"] = "carrier-pigeon"  # one schema error, deep in the document
    raw_invalid = json.dumps(broken, indent=2).encode()
    wrong = validate(raw_invalid, charter=charter, today=TODAY)
    if [(f.code, f.pointer) for f in wrong.findings] != [
        ("WS010", f"/flows/{len(broken['flows']) - 1}/method")
    ]:
        raise SystemExit(f"the broken {size.name} agreement got {wrong.findings[:3]}")
    plain = Draft202012Validator(
        schema.load_schema("agreement.schema.json"), registry=schema.registry()
    )
    times = interleaved(
        {
            "loads": lambda: json.loads(raw),
            "jsonschema": lambda: plain.is_valid(json.loads(raw)),
            "invalid_full": lambda: validate(raw_invalid, charter=charter, today=TODAY),
        },
        _SLOW_ROUNDS[size.name],
        loops={"loads": 20, "jsonschema": 1, "invalid_full": 1},
    )
    return {
        "jsonschema_ms": statistics.median(times["jsonschema"]) * 1000.0,
        "invalid_full_ms": statistics.median(times["invalid_full"]) * 1000.0,
        "jsonschema_vs_loads_x": median_ratio(times, "jsonschema", "loads"),
        "invalid_full_vs_loads_x": median_ratio(times, "invalid_full", "loads"),
    }


def run(*, limit: bool = True) -> dict[str, float]:
    """Measure every size (and the size limit); add linearity and whether the targets are met."""
    results: dict[str, float] = {}
    for size in (*SIZES, LIMIT) if limit else SIZES:
        results.update(measure(size))
    medium = results["medium.full_vs_loads_x"]
    results["linearity.large_over_medium"] = results["large.full_vs_loads_x"] / medium
    results["target.medium_full_vs_loads_max_x"] = TARGET_RATIO
    results["target.medium_met"] = float(medium <= TARGET_RATIO)
    if limit:
        ratio = results["limit.full_vs_loads_x"] / medium
        results["linearity.limit_over_medium"] = ratio
        results["target.linearity_met"] = float(ratio <= TARGET_LINEARITY)
    return results


def main() -> None:
    """Print this module's figures, one per line."""
    for key, value in run().items():
        print(f"{key:36} {value:12.3f}")


if __name__ == "__main__":
    main()
