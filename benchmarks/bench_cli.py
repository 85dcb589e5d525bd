"""How quickly the command line starts: ``--help``, ``validate`` of one small file, the import.

Each command runs as a fresh process, several times, interleaved with
``python -c pass`` (the interpreter's own start-up: the yardstick). The figure
is the CPU time the kernel accounts to the child (see `benchmarks._timing`),
the median over rounds, and each ratio divides it by ``python -c pass`` of
the same round. The goals (issue 16) are 60 ms for ``--help`` and 90 ms for
``validate`` on an idle machine: the ratios carry over to other machines, the
milliseconds do not.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Final

from benchmarks._timing import child_cpu_seconds
from benchmarks.generate import SIZES, agreement, charter_for

__all__ = ["ROUNDS", "run"]

#: Rounds of every command (each round runs each command once).
ROUNDS: Final = 15


def _commands(folder: Path) -> dict[str, list[str]]:
    small = SIZES[0]
    charter = folder / "charter.json"
    document = folder / "agreement.json"
    charter.write_text(json.dumps(charter_for(small)), encoding="utf-8")
    document.write_text(json.dumps(agreement(small)), encoding="utf-8")
    python = sys.executable
    cli = shutil.which("woda-sharing", path=str(Path(python).parent)) or ""
    fallback = "import sys; from woda_sharing.cli import main; sys.exit(main())"
    entry = [cli] if cli else [python, "-c", fallback]
    return {
        "python_pass": [python, "-c", "pass"],
        "import": [python, "-c", "import woda_sharing"],
        "help": [*entry, "--help"],
        "validate_small": [*entry, "validate", "--charter", str(charter), str(document)],
    }


def run() -> dict[str, float]:
    """Time every command; return medians in milliseconds and ratios to ``python -c pass``."""
    with tempfile.TemporaryDirectory(prefix="woda-bench-") as tmp:
        commands = _commands(Path(tmp))
        for argv in commands.values():  # warm the file cache, and fail early
            child_cpu_seconds(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(ROUNDS):
            for name, argv in commands.items():
                times[name].append(child_cpu_seconds(argv))
    figures: dict[str, float] = {}
    for name, values in times.items():
        figures[f"{name}_ms"] = statistics.median(values) * 1000.0
    for name in ("import", "help", "validate_small"):
        figures[f"{name}_vs_python_x"] = statistics.median(
            a / b for a, b in zip(times[name], times["python_pass"], strict=True)
        )
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:32} {value:12.3f}")
