"""Strict loading: bytes in, a JSON object out, or a `LoadError` that says why.

Every entry point (API and CLI) reads documents through here, so every one
applies the same policy:

- UTF-8 only: a byte order mark or invalid UTF-8 is refused, and so is a lone
  surrogate written as a ``\\u`` escape;
- duplicate object member names are refused (the JSON standard leaves them
  ambiguous, and two parsers could disagree about what was signed);
- numbers are integers within ±(2**53 - 1), written without fraction or
  exponent: ``1.0``, ``1e0``, ``NaN`` and ``Infinity`` are refused, so that two
  different files can never share canonical bytes;
- configurable `Limits` on size, nesting depth, string and array length;
- the top level must be a JSON object.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NoReturn

from attrs import frozen

from woda_sharing.exceptions import LimitExceededError, LoadError

__all__ = ["DEFAULT_LIMITS", "MAX_SAFE_INTEGER", "Limits", "load_json", "load_path", "read_bytes"]

#: The largest integer every JSON implementation represents exactly (RFC 7493, I-JSON).
MAX_SAFE_INTEGER: Final = 2**53 - 1

# Finding codes of the load stage (see docs/reference/findings.md).
CODE_UNREADABLE: Final = "WS001"
CODE_ENCODING: Final = "WS002"
CODE_SYNTAX: Final = "WS003"
CODE_DUPLICATE_KEY: Final = "WS004"
CODE_NUMBER: Final = "WS005"
CODE_LIMIT: Final = "WS006"
CODE_NOT_OBJECT: Final = "WS007"


@frozen(kw_only=True)
class Limits:
    """Upper bounds that input must respect before anything else looks at it.

    The defaults are generous for real charters and agreements and small
    enough that hostile input cannot exhaust memory or recursion.
    """

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 32
    max_string_length: int = 100_000
    max_array_length: int = 200_000


DEFAULT_LIMITS: Final = Limits()


def _fail(message: str, *, source: str, code: str, pointer: str = "") -> NoReturn:
    raise LoadError(message, source=source, pointer=pointer, code=code)


def _object_pairs(source: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            dupe = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            _fail(f"duplicate member name {dupe!r}", source=source, code=CODE_DUPLICATE_KEY)
        return obj

    return hook


def _parse_int(source: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if len(text) > 17 or abs(value := int(text)) > MAX_SAFE_INTEGER:
            _fail(
                f"integer {text[:20]}{'...' if len(text) > 20 else ''} is outside ±(2**53 - 1)",
                source=source,
                code=CODE_NUMBER,
            )
        return value

    return parse


def _parse_float(source: str) -> Callable[[str], NoReturn]:
    def parse(text: str) -> NoReturn:
        _fail(
            f"number {text[:20]} has a fraction or exponent; only integers are allowed",
            source=source,
            code=CODE_NUMBER,
        )

    return parse


def _parse_constant(source: str) -> Callable[[str], NoReturn]:
    def parse(text: str) -> NoReturn:
        _fail(f"{text} is not a JSON number", source=source, code=CODE_NUMBER)

    return parse


def _check_limits(value: Any, limits: Limits, source: str) -> None:
    """Walk the parsed value once, iteratively, checking depth, strings and arrays."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, where = stack.pop()
        if depth > limits.max_depth:
            raise LimitExceededError(
                f"nesting deeper than {limits.max_depth} levels", source=source, pointer=where, code=CODE_LIMIT
            )
        if isinstance(node, dict):
            for key, child in node.items():
                if len(key) > limits.max_string_length:
                    raise LimitExceededError(
                        f"member name longer than {limits.max_string_length} characters",
                        source=source,
                        pointer=where,
                        code=CODE_LIMIT,
                    )
                _check_text(key, source, where)
                if isinstance(child, (dict, list, str)):
                    token = key.replace("~", "~0").replace("/", "~1")
                    stack.append((child, depth + 1, f"{where}/{token}"))
        elif isinstance(node, list):
            if len(node) > limits.max_array_length:
                raise LimitExceededError(
                    f"array longer than {limits.max_array_length} elements",
                    source=source,
                    pointer=where,
                    code=CODE_LIMIT,
                )
            stack.extend(
                (child, depth + 1, f"{where}/{i}") for i, child in enumerate(node) if isinstance(child, (dict, list, str))
            )
        else:
            if len(node) > limits.max_string_length:
                raise LimitExceededError(
                    f"string longer than {limits.max_string_length} characters",
                    source=source,
                    pointer=where,
                    code=CODE_LIMIT,
                )
            _check_text(node, source, where)


def _check_text(text: str, source: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _fail("string contains a lone surrogate", source=source, code=CODE_ENCODING, pointer=where)


def load_json(data: bytes, *, source: str = "<bytes>", limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Parse *data* under the strict policy of this module and return the top-level object."""
    if len(data) > limits.max_bytes:
        raise LimitExceededError(
            f"file is {len(data)} bytes, more than the limit of {limits.max_bytes}", source=source, code=CODE_LIMIT
        )
    if data.startswith(b"\xef\xbb\xbf"):
        _fail("file starts with a byte order mark; save it as UTF-8 without BOM", source=source, code=CODE_ENCODING)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        _fail(f"not valid UTF-8 at byte {e.start}", source=source, code=CODE_ENCODING)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_pairs(source),
            parse_int=_parse_int(source),
            parse_float=_parse_float(source),
            parse_constant=_parse_constant(source),
        )
    except json.JSONDecodeError as e:
        _fail(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}", source=source, code=CODE_SYNTAX)
    except RecursionError:
        raise LimitExceededError(
            f"nesting deeper than {limits.max_depth} levels", source=source, code=CODE_LIMIT
        ) from None
    if not isinstance(value, dict):
        _fail(f"top level is a JSON {type(value).__name__}, not an object", source=source, code=CODE_NOT_OBJECT)
    _check_limits(value, limits, source)
    return value


def read_bytes(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read a file, refusing one larger than ``limits.max_bytes`` before reading it whole."""
    p = Path(path)
    try:
        with p.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as e:
        _fail(e.strerror or str(e), source=str(path), code=CODE_UNREADABLE)
    if len(data) > limits.max_bytes:
        raise LimitExceededError(
            f"file is larger than the limit of {limits.max_bytes} bytes", source=str(path), code=CODE_LIMIT
        )
    return data


def load_path(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Read and strictly parse the file at *path*."""
    return load_json(read_bytes(path, limits=limits), source=str(path), limits=limits)
