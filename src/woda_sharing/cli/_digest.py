"""``woda-sharing digest``: the digest of a charter or agreement, as agreements cite it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from woda_sharing.cli import EXIT_OK

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``digest`` to *commands*."""
    p = commands.add_parser(
        "digest",
        help="print the digest of a document",
        description="Print sha256:<hex> over the canonical JSON (RFC 8785) of FILE without its "
        "endorsements: the digest an agreement cites for its charter. The file is read "
        "strictly, as validate reads it; '-' reads standard input.",
    )
    p.add_argument("file", metavar="FILE", help="a charter or agreement ('-' for standard input)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the digest of the document in ``args.file``."""
    from woda_sharing._canonical import digest  # noqa: PLC0415
    from woda_sharing._sources import load_source  # noqa: PLC0415 - lean start-up

    print(digest(load_source(args.file)), file=sys.stdout)
    return EXIT_OK
