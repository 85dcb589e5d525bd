"""Output formats of the command line: one class each, writing to a stream it is given.

As jsonschema's command line does, a format is an object holding its output
stream, so the same class writes to the terminal, to a file (``--output``) or
to a test's buffer. A format writes what the commands produce: a `BatchReport`
(``validate``), a `Decision` (``check``), a `VerificationResult` (``verify``)
and, in text only, an endorsement status table (``status``). Add a format by
writing one class with the methods of the protocol it serves and one entry in
that protocol's table (`FORMATS`, `DECISION_FORMATS`, `VERIFICATION_FORMATS`);
every text form of a finding comes from `Finding.text` (or, for the CI
formats, from the finding's own members), so the formats cannot drift apart.

The CI formats of ``validate``: `SarifOutput` writes SARIF 2.1.0 (code
scanning in GitHub, GitLab and Azure DevOps), `GithubOutput` GitHub Actions
workflow commands (annotations on the pull request), `JunitOutput` JUnit XML
(test report panes of GitLab, Jenkins and Azure Pipelines).

Documents, keyrings and endorsement headers come from other organisations:
every text line passes through `printable` and every JSON document through
`json_text`, so control characters reach the terminal escaped, never raw.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TextIO

from attrs import frozen

from woda_sharing._findings import Finding, Severity, Waived, pointer
from woda_sharing.cli import json_text, printable

if TYPE_CHECKING:
    from woda_sharing._batch import BatchReport
    from woda_sharing._decisions import Decision, Request
    from woda_sharing._signing import EndorsementStatus, VerificationResult

__all__ = [
    "DECISION_FORMATS",
    "FORMATS",
    "SARIF_SCHEMA",
    "VERIFICATION_FORMATS",
    "DecisionOutput",
    "GithubOutput",
    "JsonOutput",
    "JunitOutput",
    "Output",
    "SarifOutput",
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
        """Write ``source:line:col: severity CODE message`` per finding (and its hint), the waived findings apart, then a summary."""
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
        for override in decision.overrides:
            self._line(f"  override {override}: the person's objection is set aside")
        for o in decision.obligations:
            self._line(f"  obligation {o.action}: {o.party} (from {o.agreement}#{o.flow})")
        if decision.prohibited:
            self._line(f"  prohibited: {', '.join(decision.prohibited)}")
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
        """Write one row per endorsement and per pending organisation, the counts, and why not verified.

        Every endorsement has its row, an invalid one beside a valid one of the
        same organisation too; under the counts, each of `VerificationResult.reasons`.
        """
        by_org: dict[str, list[EndorsementStatus]] = {}
        for s in result.endorsements:
            by_org.setdefault(s.organisation or "?", []).append(s)
        rows: list[tuple[str, ...]] = []
        for org in sorted({*result.endorsed, *result.pending, *by_org}):
            statuses = by_org.get(org, [])
            rows.extend(
                (
                    org,
                    "endorsed" if s.valid else f"invalid: {s.status.value}",
                    s.role or "-",
                    s.signatory or "-",
                    s.signed_at.strftime("%Y-%m-%d %H:%M") if s.signed_at else "-",
                )
                for s in statuses
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
        verdict = "verified" if result else "not verified, because:"
        invalid = sum(1 for s in result.endorsements if not s.valid)
        self._line(
            f"{len(result.endorsed)} endorsed, {len(result.pending)} pending, "
            f"{invalid} invalid: {verdict}"
        )
        for reason in result.reasons:
            self._line(f"  - {reason}")

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
                    "uses": list(request.uses),
                    "received_under": request.received_under,
                    "consent": request.consent,
                    "conditions": list(request.conditions),
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


def _summary(batch: BatchReport) -> str:
    errors = sum(len(r.errors) for r in batch)
    bad = sum(1 for r in batch if not r.ok)
    return f"{len(batch)} file(s) checked, {bad} with errors, {errors} error finding(s)"


def _version() -> str:
    from importlib import metadata  # noqa: PLC0415 - keep start-up lean

    try:
        return metadata.version("woda-sharing")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "0+unknown"


#: The SARIF 2.1.0 schema every `SarifOutput` log is valid against.
SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _uri(source: str) -> str:
    """A SARIF artifact URI for *source*: relative paths stay relative (``/``-separated)."""
    path = Path(source)
    if path.is_absolute():
        return path.as_uri()
    return urllib.parse.quote(path.as_posix(), safe="/")


def _rule_metadata() -> dict[str, dict[str, Any]]:
    """SARIF ``reportingDescriptor`` members of every known code, by code."""
    from woda_sharing._validation import PIPELINE_CODES  # noqa: PLC0415
    from woda_sharing.rules import builtin_rules  # noqa: PLC0415 - only this format needs them

    known: dict[str, dict[str, Any]] = {}
    for code, entry in PIPELINE_CODES.items():
        known[code] = {"shortDescription": {"text": entry.title}}
    for rule in builtin_rules():
        help_text = rule.doc or rule.title
        if rule.citation:
            help_text = f"{help_text}\n\nLaw: {rule.citation}"
        known[rule.code] = {
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.doc or rule.title},
            "help": {"text": help_text},
            "defaultConfiguration": {"level": rule.severity.sarif_level},
        }
        if rule.citation:
            known[rule.code]["properties"] = {"citation": rule.citation}
    return known


@frozen
class SarifOutput:
    """A SARIF 2.1.0 log: one run, its rules (title, help, citation) and one result per finding.

    Each result has the finding's level (``error``, ``warning``, ``note``),
    its message with the hint, and its place twice: as a physical location
    (the file, line and column; columns count Unicode characters, as the
    run's ``columnKind`` says) and as a logical location (the JSON Pointer).
    A waived finding is a result too, with an ``inSource`` suppression whose
    status is ``accepted`` and whose justification is the waiver's reason:
    code scanning lists it as dismissed, not as an alert.
    """

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write the whole batch as one SARIF log."""
        known = _rule_metadata()
        codes = sorted(
            {f.code for report in batch for f in report}
            | {w.finding.code for report in batch for w in report.waived}
        )
        index = {code: i for i, code in enumerate(codes)}
        rules = [{"id": code, **known.get(code, {})} for code in codes]
        results = [
            self._result(finding, report.source, index[finding.code])
            for report in batch
            for finding in report
        ]
        results += [
            self._waived(w, report.source, index[w.finding.code])
            for report in batch
            for w in report.waived
        ]
        log = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "woda-sharing",
                            "version": _version(),
                            "informationUri": "https://pypi.org/project/woda-sharing/",
                            "rules": rules,
                        }
                    },
                    "columnKind": "unicodeCodePoints",
                    "artifacts": [{"location": {"uri": _uri(r.source)}} for r in batch],
                    "results": results,
                }
            ],
        }
        self.stream.write(json_text(json.dumps(log, indent=2, ensure_ascii=False)))
        self.stream.write("\n")

    @staticmethod
    def _result(finding: Finding, source: str, rule_index: int) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(source)}}
        if finding.line is not None and finding.column is not None:
            physical["region"] = {"startLine": finding.line, "startColumn": finding.column}
        text = finding.message if finding.hint is None else f"{finding.message}. {finding.hint}"
        properties: dict[str, Any] = {"pointer": finding.pointer}
        if finding.hint is not None:
            properties["hint"] = finding.hint
        if finding.citation is not None:
            properties["citation"] = finding.citation
        return {
            "ruleId": finding.code,
            "ruleIndex": rule_index,
            "level": finding.severity.sarif_level,
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": physical,
                    "logicalLocations": [
                        {"fullyQualifiedName": finding.pointer or "/", "kind": "member"}
                    ],
                }
            ],
            "properties": properties,
        }

    @classmethod
    def _waived(cls, waived: Waived, source: str, rule_index: int) -> dict[str, Any]:
        """A waived finding: its result, suppressed in source with the waiver's reason."""
        result = cls._result(waived.finding, source, rule_index)
        w = waived.waiver
        result["suppressions"] = [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": w.reason,
                "properties": {
                    "pointer": pointer("waivers", waived.index),
                    "approvedBy": w.approved_by,
                    "approved": w.approved.isoformat(),
                    "expires": w.expires.isoformat(),
                },
            }
        ]
        return result


_GITHUB_COMMANDS: Final = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


@frozen
class GithubOutput:
    """GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

    GitHub shows each as an annotation on the file, line and column in the
    pull request and the run's summary. Every value is escaped as workflow
    commands require, after `printable`, so a document cannot issue commands
    of its own. A waived finding is a ``::notice`` titled ``CODE (waived)``
    that names the waiver: visible on the pull request, never failing it.
    The summary line follows, as plain text.
    """

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write one workflow command per finding and per waived finding, then the summary."""
        for report in batch:
            for finding in report:
                self.stream.write(self._command(finding, report.source) + "\n")
            for w in report.waived:
                self.stream.write(self._command(w.finding, report.source, waived=w) + "\n")
        self.stream.write(_summary(batch) + "\n")

    @staticmethod
    def _command(finding: Finding, source: str, *, waived: Waived | None = None) -> str:
        props = [f"file={_github_property(printable(source))}"]
        if finding.line is not None:
            props += [f"line={finding.line}", f"col={finding.column}"]
        title = finding.code if waived is None else f"{finding.code} (waived)"
        props.append(f"title={_github_property(title)}")
        lines = [printable(finding.message)]
        if finding.hint:
            lines.append(f"hint: {printable(finding.hint)}")
        if finding.line is None:
            lines.append(f"at {printable(finding.pointer or '/')}")
        command = _GITHUB_COMMANDS[finding.severity]
        if waived is not None:
            w = waived.waiver
            lines.append(
                printable(f"waived by {w.approved_by} until {w.expires.isoformat()}: {w.reason}")
            )
            command = "notice"
        message = "\n".join(lines)
        return f"::{command} {','.join(props)}::{_github_data(message)}"


@frozen
class JunitOutput:
    """JUnit XML: one test case per file, failing with its error findings.

    CI systems that read JUnit (GitLab, Jenkins, Azure Pipelines, CircleCI)
    then list each failing document with its findings. Warnings and info
    findings go into the case's ``system-out``, and so do waived findings,
    each marked waived with its waiver. All text passes through
    `printable`, so the XML never holds a character XML 1.0 forbids.
    """

    stream: TextIO

    def batch(self, batch: BatchReport) -> None:
        """Write the whole batch as one ``testsuites`` document."""
        import xml.etree.ElementTree as ET  # noqa: PLC0415 - keep start-up lean

        failures = sum(1 for r in batch if not r.ok)
        suite_attrs = {"name": "woda-sharing validate", "tests": str(len(batch))}
        root = ET.Element("testsuites", {**suite_attrs, "failures": str(failures)})
        suite = ET.SubElement(
            root, "testsuite", {**suite_attrs, "failures": str(failures), "errors": "0"}
        )
        for report in batch:
            source = printable(report.source)
            case = ET.SubElement(
                suite, "testcase", {"classname": "woda-sharing", "name": source, "file": source}
            )
            if report.errors:
                failure = ET.SubElement(
                    case,
                    "failure",
                    {
                        "type": report.errors[0].code,
                        "message": f"{len(report.errors)} error finding(s)",
                    },
                )
                failure.text = "\n".join(self._lines(report.errors, report.source))
            others = [f for f in report if f.severity is not Severity.ERROR]
            out = self._lines(others, report.source)
            out += [printable(w.text(report.source)) for w in report.waived]
            if out:
                ET.SubElement(case, "system-out").text = "\n".join(out)
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(root, encoding="unicode"))
        self.stream.write("\n")

    @staticmethod
    def _lines(findings: Iterable[Finding], source: str) -> list[str]:
        lines: list[str] = []
        for finding in findings:
            lines.append(printable(finding.text(source)))
            if finding.hint:
                lines.append(f"    hint: {printable(finding.hint)}")
        return lines


#: Output formats of ``validate`` by their ``--format`` name.
FORMATS: Final[Mapping[str, Callable[[TextIO], Output]]] = {
    "text": TextOutput,
    "json": JsonOutput,
    "sarif": SarifOutput,
    "github": GithubOutput,
    "junit": JunitOutput,
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
