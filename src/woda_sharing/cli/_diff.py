"""``woda-sharing diff OLD NEW``: what an amendment does, not which lines it moved."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``diff`` to *commands*."""
    p = commands.add_parser(
        "diff",
        help="show what an amendment changes",
        description="Compare two versions of an agreement or a charter: permissions newly granted "
        "or withdrawn, parties, items, purposes and flows added or removed, legal bases gained or "
        "lost, controls weakened, members dropped. Changes that widen the sharing or weaken a "
        "safeguard are marked '!'. Exit 0, or 1 with --fail-on-widening when a change widens; "
        "2 on unreadable input.",
    )
    p.add_argument("old", metavar="OLD", help="the earlier version")
    p.add_argument("new", metavar="NEW", help="the later version")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--fail-on-widening",
        action="store_true",
        help="exit 1 when a change widens the sharing or weakens a safeguard",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compare the two files and print the changes; return the exit code."""
    from woda_sharing._diff import diff  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._loading import load_path  # noqa: PLC0415
    from woda_sharing.cli._register_output import REGISTER_FORMATS  # noqa: PLC0415

    result = diff(load_path(args.old), load_path(args.new))
    REGISTER_FORMATS[args.format](sys.stdout).diff(result)
    return EXIT_NEGATIVE if args.fail_on_widening and result.widening else EXIT_OK
