"""``woda-sharing render``: readable renderings, the binding check and redlines.

Needs the ``render`` extra; without it the command says how to install it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK, json_text, printable
from woda_sharing.exceptions import UsageError

__all__ = ["register"]

_FORMATS = ("html", "pdf", "markdown", "docx")
#: Formats written as bytes, never to a terminal, and what they are called.
_BINARY = {"pdf": "a PDF", "docx": "a Word file"}


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``render document``, ``render check`` and ``render redline`` to *commands*."""
    p = commands.add_parser(
        "render",
        help="render a charter or agreement for people to read and sign off",
        description="Render documents to HTML, PDF or Markdown bound to their signed bytes, "
        "check that a rendering came from a signed document, or show an amendment as a "
        "redline. Needs the render extra: pip install 'woda-sharing[render]'.",
    )
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))

    d = actions.add_parser(
        "document",
        help="render one charter or agreement",
        description="Render FILE. HTML and Markdown go to standard output unless --output is "
        "given; PDF and Word (docx) need --output. Exit 0 on success, 2 on usage errors or unreadable input.",
    )
    d.add_argument("file", metavar="FILE")
    d.add_argument("--format", choices=_FORMATS, default="html", help="default: html")
    d.add_argument("-o", "--output", metavar="OUT", help="write here (atomically)")
    d.add_argument("--charter", metavar="FILE", help="the charter an agreement sits under")
    d.add_argument(
        "--keyring", metavar="KEYRING", help="verify the endorsements for the endorsement panel"
    )
    d.add_argument("--at", metavar="TIME", help="verification time (default: now)")
    d.add_argument(
        "--findings", action="store_true", help="add the validation findings as an annex"
    )
    d.set_defaults(handler=run_document)

    c = actions.add_parser(
        "check",
        help="check that a rendering came from a signed document",
        description="Exit 0 when RENDERING came from the signed document FILE, 1 when it did "
        "not (every reason is printed), 2 on usage errors. Give the keyring and charter the "
        "rendering was made with, when it was made with them.",
    )
    c.add_argument("rendering", metavar="RENDERING")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--keyring", metavar="KEYRING")
    c.add_argument("--charter", metavar="FILE")
    c.add_argument("--format", choices=("text", "json"), default="text", help="default: text")
    c.set_defaults(handler=run_check)

    r = actions.add_parser(
        "redline",
        help="show what an amendment changes",
        description="Render the differences from OLD to NEW (two versions of one document).",
    )
    r.add_argument("old", metavar="OLD")
    r.add_argument("new", metavar="NEW")
    r.add_argument("--format", choices=_FORMATS, default="html", help="default: html")
    r.add_argument("-o", "--output", metavar="OUT", help="write here (atomically)")
    r.set_defaults(handler=run_redline)


def _library() -> ModuleType:
    try:
        import woda_sharing.render as library  # noqa: PLC0415 - only with the extra
    except ImportError as e:
        raise UsageError(
            f"rendering needs the render extra: pip install 'woda-sharing[render]' ({e})"
        ) from None
    return library


def _time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not an ISO 8601 time such as 2026-01-31T09:00:00Z") from None
    if when.tzinfo is None:
        raise UsageError(f"{text!r} has no time zone; add Z or an offset")
    return when


def _emit(data: bytes, output: str | None, form: str) -> None:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - lean start-up (issue 16)

    if output is not None:
        atomic_write(Path(output), data)
        return
    if form in _BINARY:
        raise UsageError(f"{_BINARY[form]} needs --output FILE")
    sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()


def run_document(args: argparse.Namespace) -> int:
    """Render one document."""
    from woda_sharing import _loading as loading  # noqa: PLC0415 - lean start-up (issue 16)

    library = _library()
    if args.format in _BINARY and args.output is None:
        raise UsageError(f"{_BINARY[args.format]} needs --output FILE")
    document = loading.load_path(args.file)
    data = library.render(
        document,
        format=args.format,
        charter=loading.load_path(args.charter) if args.charter else None,
        keyring=loading.load_path(args.keyring) if args.keyring else None,
        at=_time(args.at),
        findings=args.findings,
    )
    _emit(data, args.output, args.format)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """Check a rendering against a signed document."""
    from woda_sharing import _loading as loading  # noqa: PLC0415 - lean start-up (issue 16)

    library = _library()
    data = Path(args.rendering).read_bytes()
    result = library.check_rendering(
        data,
        loading.load_path(args.file),
        keyring=loading.load_path(args.keyring) if args.keyring else None,
        charter=loading.load_path(args.charter) if args.charter else None,
    )
    if args.format == "json":
        print(json_text(json.dumps(result.as_dict(), indent=2, ensure_ascii=False)))
    elif result:
        print(printable(f"{args.rendering}: came from {args.file} ({result.digest})"))
    else:
        print(printable(f"{args.rendering}: did NOT come from {args.file} ({result.digest})"))
        for reason in result.reasons:
            print(f"  {printable(reason)}")
    return EXIT_OK if result else EXIT_NEGATIVE


def run_redline(args: argparse.Namespace) -> int:
    """Render the differences between two versions."""
    from woda_sharing import _loading as loading  # noqa: PLC0415 - lean start-up (issue 16)

    library = _library()
    if args.format in _BINARY and args.output is None:
        raise UsageError(f"{_BINARY[args.format]} needs --output FILE")
    data = library.render_redline(
        loading.load_path(args.old), loading.load_path(args.new), format=args.format
    )
    _emit(data, args.output, args.format)
    return EXIT_OK
