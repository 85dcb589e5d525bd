"""``woda-sharing validate``: check charters and agreements, like a compiler checks code."""

from __future__ import annotations

import argparse
import io
import sys
from typing import TYPE_CHECKING, Any

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, date_argument
from woda_sharing.cli._output import FORMATS
from woda_sharing.exceptions import DocumentError

if TYPE_CHECKING:
    from woda_sharing._batch import BatchReport

# The library (jsonschema, cattrs) loads when a subcommand runs, not to build the parser.

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``validate`` to *commands*."""
    p = commands.add_parser(
        "validate",
        help="validate charters and agreements",
        description="Validate documents against their schemas and their charter's rules. "
        "Folders are walked for *.json files; '-' reads standard input; an agreement is checked against the charter "
        "given with --charter, or else against the charter among the files that it cites.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to validate")
    p.add_argument("--charter", metavar="FILE", help="the charter agreements sit under")
    p.add_argument(
        "--format", choices=tuple(FORMATS), default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write the output to FILE, atomically, instead of standard output",
    )
    p.add_argument(
        "--today",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="judge review and end dates as of this date (default: today)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate every file named, write the findings and return the exit code."""
    from woda_sharing._batch import BatchReport, validate_many  # noqa: PLC0415 - lean start-up (issue 16)

    try:
        batch = validate_many(args.paths, charter=args.charter, today=args.today)
    except DocumentError as e:  # the --charter file: show why, then fail as a usage error
        if e.report is not None:
            _write(args, BatchReport(reports=(e.report,)))
        raise
    _write(args, batch)
    if batch.unreadable:
        return EXIT_USAGE
    return EXIT_OK if batch else EXIT_NEGATIVE


def _write(args: argparse.Namespace, batch: BatchReport) -> None:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - lean start-up (issue 16)

    if args.output is None:
        FORMATS[args.format](sys.stdout).batch(batch)
        return
    buffer = io.StringIO()
    FORMATS[args.format](buffer).batch(batch)
    atomic_write(args.output, buffer.getvalue().encode("utf-8"))
