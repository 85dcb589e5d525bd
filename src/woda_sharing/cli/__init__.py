"""The ``woda-sharing`` command line.

Each family of subcommands lives in its own module and registers itself with
`register`; this module owns argument parsing, exit codes and the rule that
no traceback ever reaches the user (``--debug`` shows one).

Exit codes: 0 success (valid, verified, permitted), 1 a negative answer
(findings with errors, not verified, refused), 2 usage errors or unreadable
input, 141 when the reader of standard output went away (``validate | head``:
the status a shell gives a program that SIGPIPE ended, without a message).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from woda_sharing.exceptions import WodaError

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_NEGATIVE",
    "EXIT_OK",
    "EXIT_USAGE",
    "date_argument",
    "json_text",
    "main",
    "printable",
]

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
#: 128 + SIGPIPE: what shells report for a program whose output pipe closed early.
EXIT_BROKEN_PIPE = 141


def printable(text: object) -> str:
    r"""Return *text* with every non-printable character escaped (``\x1b``, ``\n``, ``\u202e``).

    Documents, keyrings and headers come from other organisations: nothing in
    them may move the cursor, recolour or rewrite what the terminal shows.
    """
    value = str(text)
    if value.isprintable():
        return value
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value
    )


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(text: str) -> str:
    r"""Return JSON *text* with non-printable characters inside its strings written as ``\uXXXX``.

    The JSON stays equal to what it was; only how the characters are spelt changes.
    """
    return "".join(c if c.isprintable() or c == "\n" else _json_escape(c) for c in text)


def date_argument(text: str) -> dt.date:
    """Parse a ``YYYY-MM-DD`` command-line date, strictly (not ``20240601`` nor ``2024-W05-1``)."""
    from woda_sharing._codec import parse_date  # noqa: PLC0415 - keep start-up lean

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def time_argument(text: str) -> dt.datetime:
    """Parse a command-line time such as ``2026-01-31T09:00:00Z``, as keyrings spell them."""
    from woda_sharing._keyring import parse_time  # noqa: PLC0415 - keep start-up lean

    try:
        return parse_time(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time like 2026-01-31T09:00:00Z"
        ) from None


def positive_argument(text: str) -> int:
    """Parse a positive whole number written in digits (a count, a version)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit 2 with one readable line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Version(argparse.Action):
    """``--version``: looks the version up only when asked, so start-up stays lean."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:  # noqa: A002 - argparse's name
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from importlib import metadata  # noqa: PLC0415 - only when asked

        sys.stdout.write(f"{parser.prog} {metadata.version('woda-sharing')}\n")
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every subcommand registered."""
    from woda_sharing.cli import (  # noqa: PLC0415 - keep start-up lean
        _check,
        _diff,
        _digest,
        _endorse,
        _log,
        _new,
        _register,
        _render,
        _serve,
        _validate,
    )

    parser = _Parser(
        prog="woda-sharing",
        description="Validate, endorse, verify and enforce data sharing charters and agreements.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on failure")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (
        _validate,
        _endorse,
        _check,
        _digest,
        _new,
        _diff,
        _register,
        _log,
        _render,
        _serve,
    ):
        module.register(commands)
    return parser


def _discard_stdout() -> None:
    """Point standard output at the null device, so the exit flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except BrokenPipeError:
        # The reader stopped reading (``| head``): nothing is wrong, nothing to say.
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except WodaError as e:
        if args.debug:
            raise
        print(f"woda-sharing: error: {printable(e)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        if args.debug:
            raise
        print(
            f"woda-sharing: error: {printable(e.filename or '')}: {printable(e.strerror or e)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # the last line of defence: never a traceback
        if args.debug:
            raise
        print(
            f"woda-sharing: internal error: {type(e).__name__}: {printable(e)} (rerun with --debug)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
