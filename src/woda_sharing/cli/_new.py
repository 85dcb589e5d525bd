"""``woda-sharing new agreement``: write a skeleton agreement under a charter."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from woda_sharing.cli import EXIT_OK

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``new`` to *commands*."""
    p = commands.add_parser(
        "new",
        help="write a new document to fill in",
        description="Write a skeleton agreement under the charter: it cites the charter "
        "exactly and has a section for every control the charter requires. Placeholders "
        "(TODO, YYYY-MM-DD) fail validation until they are filled in.",
    )
    p.add_argument("kind", choices=("agreement",), help="what to write")
    p.add_argument("--charter", required=True, metavar="FILE", help="the charter it sits under")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write to FILE, atomically, instead of standard output (never over a file)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the skeleton."""
    from pathlib import Path  # noqa: PLC0415 - keep start-up lean

    from woda_sharing._files import atomic_write  # noqa: PLC0415
    from woda_sharing._skeleton import agreement_skeleton  # noqa: PLC0415
    from woda_sharing._sources import load_source, source_name  # noqa: PLC0415
    from woda_sharing._validation import validate  # noqa: PLC0415
    from woda_sharing.exceptions import DocumentError, UsageError  # noqa: PLC0415

    charter = load_source(args.charter)
    report = validate(charter, source=source_name(args.charter))
    if report.kind != "charter" or not report.ok:
        raise DocumentError(f"{report.source} is not a valid charter", report=report)
    text = json.dumps(agreement_skeleton(charter), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    if Path(args.output).exists():
        raise UsageError(f"{args.output} exists; a skeleton never overwrites a file")
    atomic_write(args.output, text.encode("utf-8"))
    return EXIT_OK
