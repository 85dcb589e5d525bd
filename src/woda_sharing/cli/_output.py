"""Output formats of the command line: one class each, writing to a stream it is given.

As jsonschema's command line does, a format is an object holding its output
stream, so the same class writes to the terminal, to a file (``--output``) or
to a test's buffer. A format writes what the commands produce: a `BatchReport`
(``validate``), a `Decision` (``check``), a `VerificationResult` (``verify``)
and, in text only, an endorsement status table (``status``). Add a format by
writing one class with the methods of the protocol it serves and one entry in
that protocol's table (`FORMATS`, `DECISION_FORMATS`, `VERIFICATION_FORMATS`);
every text form of a finding comes from `Finding.text`, so the formats cannot
drift apart.

Documents, keyrings and endorsement headers come from other organisations:
every text line passes through `printable` and every JSON document through
`json_text`, so control characters reach the terminal escaped, never raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TextIO

from attrs import frozen

from woda_sharing.cli import json_text, printable

if TYPE_CHECKING:
    from woda_sharing._batch import BatchReport
    from woda_sharing._decisions import Decision, Request
    from woda_sharing._signing import EndorsementStatus, VerificationResult

__all__ = [
    "DECISION_FORMATS",
    "FORMATS",
    "VERIFICATION_FORMATS",
    "DecisionOutput",
    "JsonOutput",
    "Output",
    "TextOutput",
    "VerificationOutput",
]


class Output(Protocol):
    """What an output format of ``validate`` does: write a `BatchReport` to its stream."""

    def batch(self, batch: BatchReport) -> None:
        """Write every report of *batch*."""


class DecisionOutput(Protocol):
    """What an output format of ``check`` does: write one request and its `Decision`."""

    def decision(self, request: Request, decision: Decision) -> None:
        """Write *decision*, the answer to *request*."""


class VerificationOutput(Protocol):
    """What an output format of ``verify`` does: write one document's `VerificationResult`."""

    def verification(self, source: str, result: VerificationResult) -> None:
        """Write *result*, the verdict on the document read from *source*."""


def _party(org: str, capacity: str | None) -> str:
    return org if capacity is None else f"{org}:{capacity}"


def _describe(request: Request) -> str:
    return (
        f"{_party(request.sender, request.sender_capacity)} -> "
        f"{_party(request.recipient, request.recipient_capacity)}: "
        f"{', '.join(request.items)} for {request.purpose} on {request.on.isoformat()}"
    )


@frozen
class TextOutput:
    """Lines for a person: compiler-style findings, decisions, verdicts and status tables.

    Every line passes through `printable`: documents come from other
    organisations and may hold terminal control characters.
    """

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write ``source:/pointer: severity CODE message`` per finding (and its hint), the waived findings apart, then a summary."""
        for report in batch:
            for finding in report:
                self._line(finding.text(report.source))
                if finding.hint:
                    self._line(f"    hint: {finding.hint}")
        waived = [(r.source, w) for r in batch for w in r.waived]
        if waived:
            self._line("waived findings (accepted in the document; they do not count):")
        for source, w in waived:
            self._line("  " + w.text(source))
        errors = sum(len(r.errors) for r in batch)
        bad = sum(1 for r in batch if not r.ok)
        summary = f"{len(batch)} file(s) checked, {bad} with errors, {errors} error finding(s)"
        if waived:
            summary += f", {len(waived)} waived"
        self._line(summary)

    def decision(self, request: Request, decision: Decision) -> None:
        """Write the verdict on *request*, then its flows and bases, or every reason."""
        self._line(f"{'permitted' if decision else 'refused'}: {_describe(request)}")
        for flow in decision.flows:
            self._line(f"  flow {flow}")
        for basis in decision.bases:
            self._line(f"  basis {basis.id}: {basis.title} ({basis.citation})")
        for reason in decision.reasons:
            self._line(f"  {reason.code} {reason.message}")

    def verification(self, source: str, result: VerificationResult) -> None:
        """Write the verdict, the rule, each problem and endorsement, and who is pending."""
        verdict = "verified" if result else "NOT verified"
        self._line(f"{source}: {result.kind} {result.id} v{result.version}: {verdict}")
        self._line(f"  rule: {result.rule} ({'met' if result.rule_met else 'not met'})")
        for problem in result.problems:
            self._line(f"  problem: {problem}")
        for s in result.endorsements:
            reason = "" if s.reason == s.status.value else f": {s.reason}"
            self._line(
                f"  endorsement {s.index}: {s.status.value}"
                f" ({s.organisation or '?'}, {s.role or '?'}){reason}"
            )
        if result.pending:
            self._line(f"  pending: {', '.join(result.pending)}")

    def status(self, result: VerificationResult) -> None:
        """Write one row per expected organisation: endorsed by whom and when, pending, invalid."""
        by_org: dict[str, list[EndorsementStatus]] = {}
        for s in result.endorsements:
            by_org.setdefault(s.organisation or "?", []).append(s)
        rows: list[tuple[str, ...]] = []
        for org in sorted({*result.endorsed, *result.pending, *by_org}):
            statuses = by_org.get(org, [])
            good = [s for s in statuses if s.valid]
            rows.extend(
                (
                    org,
                    "endorsed" if s.valid else f"invalid: {s.status.value}",
                    s.role or "-",
                    s.signatory or "-",
                    s.signed_at.strftime("%Y-%m-%d %H:%M") if s.signed_at else "-",
                )
                for s in good or statuses
            )
            if not statuses:
                rows.append((org, "pending", "-", "-", "-"))
        header = ("organisation", "status", "role", "signatory", "signed (UTC)")
        # Escape before measuring, so that the columns line up as the terminal shows them.
        table = [tuple(printable(cell) for cell in row) for row in (header, *rows)]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        self._line(f"{result.kind} {result.id} v{result.version}: rule {result.rule}")
        for row in table:
            self._line(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
        verdict = "verified" if result else "not verified"
        self._line(
            f"{len(result.endorsed)} endorsed, {len(result.pending)} pending, "
            f"{len(result.invalid)} invalid: {verdict}"
        )
        for problem in result.problems:
            self._line(f"problem: {problem}")

    def _line(self, text: str) -> None:
        self.stream.write(printable(text) + "\n")


@frozen
class JsonOutput:
    r"""One indented JSON document per result, non-printable characters written as ``\uXXXX``."""

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write `BatchReport.as_dict` as one JSON object."""
        self._write(batch.as_dict())

    def decision(self, request: Request, decision: Decision) -> None:
        """Write the request and `Decision.as_dict` as one JSON object."""
        self._write(
            {
                "request": {
                    "from": request.sender,
                    "from_capacity": request.sender_capacity,
                    "to": request.recipient,
                    "to_capacity": request.recipient_capacity,
                    "items": list(request.items),
                    "purpose": request.purpose,
                    "on": request.on.isoformat(),
                },
                **decision.as_dict(),
            }
        )

    def verification(self, source: str, result: VerificationResult) -> None:
        """Write `VerificationResult.as_dict` as one JSON object (it names the document by id)."""
        self._write(result.as_dict())

    def _write(self, data: Mapping[str, Any]) -> None:
        self.stream.write(json_text(json.dumps(data, indent=2, ensure_ascii=False)))
        self.stream.write("\n")


#: Output formats of ``validate`` by their ``--format`` name.
FORMATS: Final[Mapping[str, Callable[[TextIO], Output]]] = {
    "text": TextOutput,
    "json": JsonOutput,
}

#: Output formats of ``check`` by their ``--format`` name.
DECISION_FORMATS: Final[Mapping[str, Callable[[TextIO], DecisionOutput]]] = {
    "text": TextOutput,
    "json": JsonOutput,
}

#: Output formats of ``verify`` by their ``--format`` name.
VERIFICATION_FORMATS: Final[Mapping[str, Callable[[TextIO], VerificationOutput]]] = {
    "text": TextOutput,
    "json": JsonOutput,
}
