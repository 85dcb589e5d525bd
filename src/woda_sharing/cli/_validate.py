"""``woda-sharing validate``: check charters and agreements, like a compiler checks code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, date_argument, json_text, printable
from woda_sharing.exceptions import LoadError
from woda_sharing.findings import Finding, Report, Severity
from woda_sharing.loading import load_json, read_bytes
from woda_sharing.validation import CharterInfo, validate

__all__ = ["register"]

#: Codes that mean the input could not be read as a JSON object at all (exit 2).
UNREADABLE: Final = frozenset({"WS001", "WS002", "WS003", "WS004", "WS005", "WS006", "WS007"})


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``validate`` to *commands*."""
    p = commands.add_parser(
        "validate",
        help="validate charters and agreements",
        description="Validate documents against their schemas and their charter's rules. "
        "Folders are walked for *.json files; an agreement is checked against the charter "
        "given with --charter, or else against the charter among the files that it cites.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to validate")
    p.add_argument("--charter", metavar="FILE", help="the charter agreements sit under")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--today",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="judge review and end dates as of this date (default: today)",
    )
    p.set_defaults(handler=run)


def _walk(paths: Sequence[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Hidden and underscore-prefixed files are not documents (tool output, fixtures).
            yield from sorted(
                p
                for p in path.rglob("*.json")
                if p.is_file()
                and not any(part.startswith(("_", ".")) for part in p.relative_to(path).parts)
            )
        else:
            yield path


def _load(path: Path) -> tuple[Any, Report | None]:
    try:
        return load_json(read_bytes(path), source=str(path)), None
    except LoadError as e:
        finding = Finding(code=e.code, severity=Severity.ERROR, path=e.pointer, message=e.message)
        return None, Report(source=str(path), kind=None, findings=(finding,))


def run(args: argparse.Namespace) -> int:
    """Validate every file named and print the findings; return the exit code."""
    loaded: list[tuple[Path, Any, Report | None]] = [(p, *_load(p)) for p in _walk(args.paths)]
    if not loaded:
        print("woda-sharing: error: no JSON files found", file=sys.stderr)
        return EXIT_USAGE

    given: CharterInfo | None = None
    if args.charter:
        data, failure = _load(Path(args.charter))
        if failure is not None:
            _print(args.format, [failure])
            return EXIT_USAGE
        report = validate(data, source=args.charter, today=args.today)
        if report.kind != "charter" or not report.ok:
            _print(args.format, [report])
            print(f"woda-sharing: error: {args.charter} is not a valid charter", file=sys.stderr)
            return EXIT_USAGE
        given = CharterInfo.from_report(report)

    # Charters first, so that agreements among the same files can be checked against them.
    charters: dict[tuple[str, int], CharterInfo] = {}
    charter_reports: dict[Path, Report] = {}
    for path, data, failure in loaded:
        if failure is None and data.get("kind") == "charter":
            report = charter_reports[path] = validate(data, source=str(path), today=args.today)
            if report.ok:
                info = CharterInfo.from_report(report)
                charters[(info.charter.id, info.charter.version)] = info
    reports: list[Report] = []
    for path, data, failure in loaded:
        if failure is not None:
            reports.append(failure)
        elif path in charter_reports:
            reports.append(charter_reports[path])
        else:
            charter = given or _cited_charter(data, charters)
            reports.append(validate(data, charter=charter, source=str(path), today=args.today))

    _print(args.format, reports)
    if any(f.code in UNREADABLE for r in reports for f in r.findings):
        return EXIT_USAGE
    return EXIT_OK if all(r.ok for r in reports) else EXIT_NEGATIVE


def _cited_charter(
    data: dict[str, Any], charters: dict[tuple[str, int], CharterInfo]
) -> CharterInfo | None:
    """The charter among the files that an agreement cites by id and version, if any."""
    ref = data.get("charter") if data.get("kind") == "agreement" else None
    if not isinstance(ref, dict):
        return None
    charter_id, version = ref.get("id"), ref.get("version")
    if not isinstance(charter_id, str) or type(version) is not int:
        return None  # the schema will say why
    return charters.get((charter_id, version))


def _print(fmt: str, reports: Sequence[Report]) -> None:
    if fmt == "json":
        out = {"ok": all(r.ok for r in reports), "files": [r.as_dict() for r in reports]}
        print(json_text(json.dumps(out, indent=2, ensure_ascii=False)))
        return
    for report in reports:
        for f in report.findings:
            line = f"{report.source}:{f.path or '/'}: {f.severity.value} {f.code} {f.message}"
            print(printable(line))
            if f.hint:
                print(printable(f"    hint: {f.hint}"))
    errors = sum(len(r.errors) for r in reports)
    bad = sum(1 for r in reports if not r.ok)
    print(f"{len(reports)} file(s) checked, {bad} with errors, {errors} error finding(s)")
