"""Output formats of ``woda-sharing validate``: one class each, writing to a stream it is given.

As jsonschema's command line does, a format is an object holding its output
stream, so the same class writes to the terminal, to a file (``--output``) or
to a test's buffer. Add a format by writing one class with a ``batch`` method
and one entry in `FORMATS`; every text form of a finding comes from
`Finding.text`, so the formats cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Final, Protocol, TextIO

from attrs import frozen

from woda_sharing.batch import BatchReport
from woda_sharing.cli import json_text, printable

__all__ = ["FORMATS", "JsonOutput", "Output", "TextOutput"]


class Output(Protocol):
    """What an output format does: write a `BatchReport` to its stream."""

    def batch(self, batch: BatchReport) -> None:
        """Write every report of *batch*."""


@frozen
class TextOutput:
    """Compiler-style lines, ``source:/pointer: severity CODE message``, each hint, then a summary.

    Every line passes through `printable`: documents come from other
    organisations and may hold terminal control characters.
    """

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write one line per finding (and its hint), then the count of files and errors."""
        for report in batch:
            for finding in report:
                self._line(finding.text(report.source))
                if finding.hint:
                    self._line(f"    hint: {finding.hint}")
        errors = sum(len(r.errors) for r in batch)
        bad = sum(1 for r in batch if not r.ok)
        self._line(f"{len(batch)} file(s) checked, {bad} with errors, {errors} error finding(s)")

    def _line(self, text: str) -> None:
        self.stream.write(printable(text) + "\n")


@frozen
class JsonOutput:
    r"""`BatchReport.as_dict` as indented JSON, non-printable characters written as ``\uXXXX``."""

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write the whole batch as one JSON object."""
        self.stream.write(json_text(json.dumps(batch.as_dict(), indent=2, ensure_ascii=False)))
        self.stream.write("\n")


#: Output formats by their ``--format`` name.
FORMATS: Final[Mapping[str, Callable[[TextIO], Output]]] = {
    "text": TextOutput,
    "json": JsonOutput,
}
