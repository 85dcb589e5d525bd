"""Where the command line and `validate_many` read a document from: a file, or ``-`` for stdin.

The string ``-`` names standard input, as it does for most command-line
tools; a file that is really called ``-`` is named ``./-`` (or ``Path("-")``). Standard input is read under the
same size limit as a file, without reading more than one byte past it.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Final

from woda_sharing._loading import DEFAULT_LIMITS, Limits, load_json, read_bytes
from woda_sharing.exceptions import LimitExceededError, LoadError

__all__ = [
    "STDIN",
    "STDIN_SOURCE",
    "is_stdin",
    "is_yaml",
    "load_source",
    "read_source",
    "source_name",
]

#: File name endings read as YAML (see `woda_sharing._yaml`); every other file is JSON.
YAML_SUFFIXES: Final = (".yaml", ".yml")

#: The path that names standard input.
STDIN: Final = "-"
#: How a report names a document read from standard input.
STDIN_SOURCE: Final = "<stdin>"


def is_stdin(path: str | os.PathLike[str]) -> bool:
    """Whether *path* is the string ``-``, standard input (a `Path` is always a file)."""
    return isinstance(path, str) and path == STDIN


def source_name(path: str | os.PathLike[str]) -> str:
    """The name a report gives the document at *path*."""
    return STDIN_SOURCE if is_stdin(path) else str(path)


def read_source(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read the bytes at *path*, or standard input for ``-``, refusing more than ``max_bytes``.

    Raises `LoadError` (``WS001``) when they cannot be read and
    `LimitExceededError` (``WS006``) when there are too many.
    """
    if not is_stdin(path):
        return read_bytes(path, limits=limits)
    try:
        data = sys.stdin.buffer.read(limits.max_bytes + 1)
    except (OSError, AttributeError, ValueError) as e:  # closed, or not a byte stream
        raise LoadError(
            f"cannot read standard input: {e}", source=STDIN_SOURCE, pointer="", code="WS001"
        ) from e
    if len(data) > limits.max_bytes:
        raise LimitExceededError(
            f"standard input is larger than the limit of {limits.max_bytes} bytes",
            source=STDIN_SOURCE,
            pointer="",
            code="WS006",
        )
    return data


def is_yaml(path: str | os.PathLike[str]) -> bool:
    """Whether the file at *path* is read as YAML: its name ends in ``.yaml`` or ``.yml``."""
    return not is_stdin(path) and os.fspath(path).lower().endswith(YAML_SUFFIXES)


def load_source(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Read and strictly load the document at *path*: YAML by its name, else JSON.

    Raises `LoadError` (or `LimitExceededError`) as the loaders do.
    """
    source = source_name(path)
    raw = read_source(path, limits=limits)
    if is_yaml(path):
        from woda_sharing._yaml import load_yaml  # noqa: PLC0415 - optional dependency

        return load_yaml(raw, source=source, limits=limits)
    return load_json(raw, source=source, limits=limits)
