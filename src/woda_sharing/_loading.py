r"""Strict loading: bytes in, a JSON object out, or a `LoadError` that says why.

Every entry point (API and CLI) reads documents through here, so every one
applies the same policy:

- UTF-8 only: a byte order mark or invalid UTF-8 (including overlong forms and
  encoded surrogates) is refused, and so is a lone surrogate written as a
  ``\u`` escape;
- duplicate object member names are refused (the JSON standard leaves them
  ambiguous, and two parsers could disagree about what was signed);
- numbers are integers within ±(2**53 - 1), written without fraction or
  exponent and never as ``-0``: ``1.0``, ``1e0``, ``-0``, ``NaN`` and
  ``Infinity`` are refused, so that two different files can never share
  canonical bytes;
- configurable `Limits` on size, nesting depth, string and array length;
- the top level must be a JSON object.

Each refusal is a `LoadError` (or its subclass `LimitExceededError`) whose
``code`` is the finding code the same problem gets in a validation report and
whose ``pointer`` is the RFC 6901 JSON Pointer of the offending place.

How it stays fast and safe: before parsing, one pass of C-level byte
operations (`_prescan`) measures the nesting depth of the raw bytes and bounds
string and array lengths. Input nested too deep for the recursive parser is
refused there, so nothing can drive it into a `RecursionError` or overflow the
C stack, whatever the interpreter's recursion limit. Only when a bound says a
limit *might* be breached, or the parser's hooks refuse a number or a duplicate
name, does an iterative walk over the parsed value (`_walk`) run to find the
exact place; a refused number or name is located by parsing again with hooks
that mark the place instead of refusing.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import re
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress
from operator import itemgetter
from typing import Any, Final, NoReturn

from attrs import field, frozen

from woda_sharing._canonical import MAX_DEPTH, MAX_SAFE_INTEGER
from woda_sharing._files import read_regular
from woda_sharing._findings import pointer
from woda_sharing.exceptions import LimitExceededError, LoadError, UsageError

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_DEPTH_CEILING",
    "MAX_SAFE_INTEGER",
    "Limits",
    "load_json",
    "load_path",
    "read_bytes",
]

#: The highest ``max_depth`` a `Limits` accepts: deeper documents cannot be canonicalized.
MAX_DEPTH_CEILING: Final = MAX_DEPTH

# Finding codes of the load stage (see docs/reference/findings.md).
CODE_UNREADABLE: Final = "WS001"
CODE_ENCODING: Final = "WS002"
CODE_SYNTAX: Final = "WS003"
CODE_DUPLICATE_KEY: Final = "WS004"
CODE_NUMBER: Final = "WS005"
CODE_LIMIT: Final = "WS006"
CODE_NOT_OBJECT: Final = "WS007"


def _positive(instance: object, attribute: Any, value: int) -> None:
    if type(value) is not int or value < 1:
        raise UsageError(f"Limits.{attribute.name} must be a positive integer, not {value!r}")


def _depth(instance: object, attribute: Any, value: int) -> None:
    _positive(instance, attribute, value)
    if value > MAX_DEPTH_CEILING:
        raise UsageError(
            f"Limits.max_depth must be at most {MAX_DEPTH_CEILING}"
            f" (deeper documents cannot be canonicalized), not {value}"
        )


@frozen(kw_only=True)
class Limits:
    """Upper bounds that input must respect before anything else looks at it.

    The defaults are generous for real charters and agreements and small
    enough that hostile input cannot exhaust memory or recursion. Every
    breach is a ``WS006`` finding. ``max_bytes`` counts the file's bytes,
    ``max_depth`` the objects and arrays enclosing the deepest value (the
    top-level object is depth 1; at most `MAX_DEPTH_CEILING`),
    ``max_string_length`` the characters of a string or member name after
    escapes are decoded, ``max_array_length`` the elements of one array,
    ``max_object_members`` the members of one object.
    A limit that is not a positive integer raises `UsageError`.
    """

    max_bytes: int = field(default=16 * 1024 * 1024, validator=_positive)
    max_depth: int = field(default=32, validator=_depth)
    max_string_length: int = field(default=100_000, validator=_positive)
    max_array_length: int = field(default=200_000, validator=_positive)
    max_object_members: int = field(default=10_000, validator=_positive)


#: The limits every entry point applies unless given others.
DEFAULT_LIMITS: Final = Limits()


def _fail(message: str, *, source: str, code: str, pointer: str = "") -> NoReturn:
    if code == CODE_LIMIT:
        raise LimitExceededError(message, source=source, pointer=pointer, code=code)
    raise LoadError(message, source=source, pointer=pointer, code=code)


# --- The number policy ----------------------------------------------------------------------

_SAFE_DIGITS: Final = len(str(MAX_SAFE_INTEGER))


def _number_problem(text: str) -> str | None:
    """Why the JSON number spelt *text* is refused, or ``None`` if it is allowed."""
    if any(c in text for c in ".eE"):
        return f"number {_clip(text)} has a fraction or exponent; only integers are allowed"
    if text == "-0":
        return "number -0 is refused: it would canonicalize like 0"
    digits = text.lstrip("-")
    # Compare lengths before converting: int() of a huge digit string is slow or refused.
    if len(digits) > _SAFE_DIGITS or int(digits) > MAX_SAFE_INTEGER:
        return f"integer {_clip(text)} is outside ±(2**53 - 1)"
    return None


def _clip(text: str, width: int = 20) -> str:
    return text if len(text) <= width else f"{text[:width]}... ({len(text)} characters)"


class _Refused(Exception):  # noqa: N818 - internal signal, never escapes this module
    """Raised by the parser hooks; `load_json` turns it into a located `LoadError`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:  # pragma: no branch - a duplicate exists
            if key in seen:
                raise _Refused(CODE_DUPLICATE_KEY, f"duplicate member name {_clip(key, 40)!r}")
            seen.add(key)
    return obj


def _parse_float(text: str) -> NoReturn:
    raise _Refused(CODE_NUMBER, _number_problem(text) or f"number {text} is refused")


def _parse_constant(text: str) -> NoReturn:
    raise _Refused(CODE_NUMBER, f"{text} is not a JSON number")


@functools.lru_cache(maxsize=16)
def _strict(max_members: int) -> json.JSONDecoder:
    """The strict parser for objects of at most *max_members* members.

    Integers are parsed by C code, unhooked: a Python call per integer would
    double the cost of loading. When the pre-scan sees a spelling that might
    be refused (``-0`` or 16 digits or more), the lenient parser, whose
    integer hook marks such places, runs instead. The object hook, called
    once per object anyway, counts its members.
    """

    def pairs(members: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(members)
        if len(obj) != len(members) or len(obj) > max_members:
            if len(members) > max_members:
                raise _Refused(CODE_LIMIT, f"object with more than {max_members} members")
            _object_pairs(members)  # raises for the duplicate
        return obj

    return json.JSONDecoder(
        object_pairs_hook=pairs, parse_float=_parse_float, parse_constant=_parse_constant
    )


# --- The cheap pre-scan -----------------------------------------------------------------------

#: A ``\u`` escape of a UTF-16 surrogate, high or low (searched for by its literal prefix).
_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
#: A high surrogate escape followed by a low one: one character, not a lone surrogate.
_SURROGATE_PAIR: Final = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
#: ``-0`` as a JSON number: followed by what may follow a value (a string like ``"a -0 b"`` is a
#: false alarm, which only costs time; ids like ``item-0`` are followed by more id or a quote).
_NEGATIVE_ZERO: Final = re.compile(rb"-0[,\]} \t\r\n]")
#: Every digit becomes ``0`` and every other byte ``.``, so that a run of digits is a plain find.
_DIGITS_ONLY: Final = bytes.maketrans(
    bytes(range(256)), bytes(48 if 48 <= b <= 57 else 46 for b in range(256))
)
_LONG_DIGITS: Final = b"0" * _SAFE_DIGITS
_NOT_SKELETON: Final = bytes(b for b in range(256) if b not in b'"[]{},')
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
_STEP: Final = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


@frozen(kw_only=True)
class _Scan:
    depth: int
    long_string: bool
    commas: int
    long_array: bool
    surrogate_escapes: bool
    risky_integers: bool


def _has_long_run(data: bytes, length: int) -> bool:
    """Whether *data* has a run of at least *length* bytes without a quote.

    Any such run covers one of the probes placed every *length* bytes, so
    probing there and measuring the run around each probe is enough: a few
    C-level searches per probe instead of a pass of the regex engine.
    """
    for probe in range(length - 1, len(data), length):
        start = data.rfind(b'"', 0, probe) + 1
        end = data.find(b'"', probe)
        if (len(data) if end < 0 else end) - start >= length:
            return True
    return False


def _prescan(data: bytes, limits: Limits) -> _Scan:
    """Bound what can be bounded with C-level passes over the raw bytes.

    Escaped backslashes and quotes are first blanked out (same length), so
    that splitting on ``"`` separates text inside strings from text outside.
    ``long_string`` is true when some run between quotes is longer than
    ``max_string_length`` bytes (a character takes at least one byte, so no
    string can be longer otherwise), ``commas + 1`` bounds every array's
    length, ``long_array`` says some array is longer than ``max_array_length``
    (measured on the skeleton only when ``commas`` is that high), and
    ``depth`` bounds the nesting: it is at most ``max_depth`` only when the
    nesting is, and exact above that. For broken input the view is exact up
    to the first place the parser would stop at, so the parser never nests
    deeper than ``depth``. ``risky_integers`` says an integer might be
    spelt ``-0`` or have more digits than 2**53 - 1.
    """
    blanked = data
    if b"\\" in data:
        blanked = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    # Removing a pair of adjacent quotes removes an empty stretch, inside a string or between
    # two, and keeps the rest in step; most strings hold no skeleton byte and vanish at C speed.
    skeleton = blanked.translate(None, _NOT_SKELETON).replace(b'""', b"")
    outside = b"".join(skeleton.split(b'"')[0::2]) if b'"' in skeleton else skeleton
    return _Scan(
        depth=_depth_bound(outside.translate(None, _NOT_BRACKETS), limits.max_depth),
        long_string=len(data) > limits.max_string_length + 2
        and _has_long_run(blanked, limits.max_string_length + 1),
        commas=(commas := outside.count(b",")),
        long_array=commas >= limits.max_array_length
        and _has_long_array(outside, limits.max_array_length),
        surrogate_escapes=_lone_surrogate_escape(blanked),
        risky_integers=_NEGATIVE_ZERO.search(data) is not None
        or _LONG_DIGITS in data.translate(_DIGITS_ONLY),
    )


def _lone_surrogate_escape(blanked: bytes) -> bool:
    """Whether *blanked* (escaped backslashes blanked out) escapes a lone surrogate.

    Pairs are removed first (left to right, as a decoder pairs them), so that
    a document full of escaped emoji does not send every string to the walk.
    """
    if _SURROGATE_ESCAPE.search(blanked) is None:
        return False
    return _SURROGATE_ESCAPE.search(_SURROGATE_PAIR.sub(b"", blanked)) is not None


_INNERMOST: Final = re.compile(rb"\[,*\]|\{,*\}")


def _has_long_array(skeleton: bytes, max_length: int) -> bool:
    """Whether the skeleton (brackets and commas of valid JSON) has an array of more than *max_length* elements.

    Each pass deletes every innermost object and array, after checking the
    innermost arrays: once its children are gone, an array of n elements is
    ``[`` and n - 1 commas and ``]``. One C-level pass per level of nesting,
    instead of a walk over every parsed value.
    """
    too_long = re.compile(rb"\[,{%d,}\]" % max_length)
    rest = skeleton
    while rest:
        if too_long.search(rest) is not None:
            return True
        shorter = _INNERMOST.sub(b"", rest)
        if len(shorter) == len(rest):  # not JSON: the parser will say where
            return True
        rest = shorter
    return False


def _depth_bound(brackets: bytes, max_depth: int) -> int:
    # Each pass deletes every innermost pair, so it lowers the depth by one or two levels:
    # emptied after n passes, the depth is at most 2n. Else measure exactly.
    rest = brackets
    for passes in range(max_depth // 2 + 1):
        if not rest:
            return 2 * passes
        rest = rest.replace(b"[]", b"").replace(b"{}", b"")
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


# --- Finding the place: a lenient parse and an iterative walk (failure path only) -------------

#: The deepest nesting ever handed to the (recursive) parser, whatever ``max_depth`` says.
_PARSE_DEPTH_CEILING: Final = 4 * MAX_DEPTH_CEILING

_Breach = tuple[str, str, str]
#: The fallback breach of a lenient parse that nothing made necessary: report nothing.
_NOTHING: Final[_Breach] = ("", "", "")


_SECOND: Final = itemgetter(1)
_STR: Final = frozenset({str})


class _Bad:
    """A number the lenient parser kept in place of refusing it, so the walk can locate it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Duplicated(dict[str, Any]):
    """An object the lenient parser kept despite a duplicate member name (``name``)."""

    __slots__ = ("name",)

    def __init__(self, pairs: list[tuple[str, Any]], name: str) -> None:
        super().__init__(pairs)
        self.name = name


def _lenient_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    for key, _ in pairs:  # pragma: no branch - a duplicate exists
        if key in seen:
            return _Duplicated(pairs, key)
        seen.add(key)
    raise AssertionError  # pragma: no cover


def _lenient_int(text: str) -> int | _Bad:
    if len(text) < _SAFE_DIGITS and text != "-0":  # the common case, decided at once
        return int(text)
    problem = _number_problem(text)
    return int(text) if problem is None else _Bad(problem)


#: Parses what the strict parser refuses, marking the refused places instead.
_LENIENT: Final = {
    checked: json.JSONDecoder(
        object_pairs_hook=_lenient_pairs,
        parse_int=_lenient_int if checked else None,
        parse_float=lambda text: _Bad(_number_problem(text) or f"number {text} is refused"),
        parse_constant=lambda text: _Bad(f"{text} is not a JSON number"),
    )
    for checked in (False, True)
}
# The exact types the parsers make that the walk must look at (strings only when asked).
_WANTED_ALL: Final = frozenset({list, dict, _Duplicated, str, _Bad})
_WANTED_CONTAINERS: Final = frozenset({list, dict, _Duplicated, _Bad})


def _walk(value: object, limits: Limits, *, strings: bool, empty: bool = True) -> _Breach | None:
    """The first breach in *value*, visiting it in document order (iteratively).

    Finds nesting, array and object sizes, refused numbers and duplicate
    names always; strings and member names only when *strings* is true (the
    pre-scan said one might be too long or hold a lone surrogate escape);
    empty containers only when *empty* is true (the pre-scan said the
    nesting might be too deep: an empty container can only breach that).

    The walk keeps one iterator per open container and builds a pointer only
    for the breach it reports; the values of each container that need a look
    are picked at C speed (`itertools.compress` and `filter` over their
    types), so a walk costs about as much as parsing.
    """
    return _walk_from(value, limits, strings=strings, empty=empty)


def _strings_fit(strings: Iterable[str], limits: Limits) -> bool:
    """Whether every one of *strings* is short enough and has a UTF-8 form (at C speed)."""
    texts = list(strings)
    if not texts:
        return True
    if max(map(len, texts)) > limits.max_string_length:
        return False
    try:
        "".join(texts).encode("utf-8")  # a lone surrogate anywhere fails here
    except UnicodeEncodeError:
        return False
    return True


def _wanted(
    node: list[Any] | dict[str, Any], limits: Limits, *, strings: bool, empty: bool
) -> Iterator[Any]:
    """The (key, value) pairs of *node* the walk must look at, in order.

    Containers and refused numbers always; strings only when *strings* is
    true and some string of *node* breaks a limit (checked for all of them at
    once); empty values (which cannot breach anything but the depth) only
    when *empty* is true.
    """
    values = node if isinstance(node, list) else node.values()
    pairs = enumerate(node) if isinstance(node, list) else iter(node.items())
    wanted = _WANTED_CONTAINERS
    if strings:
        texts = compress(values, map(_STR.__contains__, map(type, values)))
        if not _strings_fit(texts, limits):
            wanted = _WANTED_ALL
    picked = compress(pairs, map(wanted.__contains__, map(type, values)))
    return picked if empty else filter(_SECOND, picked)


def _walk_from(  # noqa: PLR0912 - the common cases are inlined: a call per value doubles the cost
    value: object, limits: Limits, *, strings: bool, empty: bool
) -> _Breach | None:
    found = _breach(value, 0, limits, strings=strings)
    if found is not None:
        return found
    if type(value) not in (list, dict, _Duplicated) or not value:
        return None
    max_depth, max_members = limits.max_depth, limits.max_object_members
    max_array, max_string = limits.max_array_length, limits.max_string_length
    path: list[str | int] = []
    frames: list[Iterator[Any]] = [
        _wanted(value, limits, strings=strings, empty=empty)  # type: ignore[arg-type]
    ]
    while frames:
        depth = len(frames)
        for key, child in frames[-1]:
            # The common cases are decided inline: a call per value would double the cost.
            kind = type(child)
            if kind is dict:
                if depth >= max_depth or len(child) > max_members or strings:
                    found = _breach(child, depth, limits, strings=strings)
            elif kind is list:
                if depth >= max_depth or len(child) > max_array:
                    found = _breach(child, depth, limits, strings=strings)
            elif kind is str:
                if len(child) > max_string or not child.isascii():
                    found = _check_text(child, "string", "", limits)
            elif kind is _Bad:
                found = CODE_NUMBER, child.message, ""
            else:
                found = _breach(child, depth, limits, strings=strings)
            if found is not None:
                return found[0], found[1], pointer(*path, key) + found[2]
            if kind is not str and kind is not _Bad and child:
                path.append(key)
                frames.append(_wanted(child, limits, strings=strings, empty=empty))
                break
        else:
            frames.pop()
            if path:
                path.pop()
    return None


def _breach(node: object, depth: int, limits: Limits, *, strings: bool) -> _Breach | None:
    """The breach at the container *node* itself, with a pointer relative to it; else ``None``."""
    kind = type(node)
    if kind is list:
        if depth >= limits.max_depth:
            return CODE_LIMIT, f"nesting deeper than {limits.max_depth} levels", ""
        if len(node) > limits.max_array_length:  # type: ignore[arg-type]
            return CODE_LIMIT, f"array longer than {limits.max_array_length} elements", ""
    elif kind is dict or kind is _Duplicated:
        if depth >= limits.max_depth:
            return CODE_LIMIT, f"nesting deeper than {limits.max_depth} levels", ""
        return _check_object(node, limits, strings=strings)  # type: ignore[arg-type]
    return None


def _check_object(node: dict[str, Any], limits: Limits, *, strings: bool) -> _Breach | None:
    if len(node) > limits.max_object_members:
        return CODE_LIMIT, f"object with more than {limits.max_object_members} members", ""
    if strings and not _strings_fit(node, limits):
        for name in node:  # pragma: no branch - some name breaks a limit
            found = _check_text(name, "member name", "", limits)
            if found is not None:
                return found
    if isinstance(node, _Duplicated):
        message = f"duplicate member name {_clip(node.name, 40)!r}"
        return CODE_DUPLICATE_KEY, message, pointer(node.name)
    return None


def _check_text(text: str, what: str, where: str, limits: Limits) -> _Breach | None:
    if len(text) > limits.max_string_length:
        return CODE_LIMIT, f"{what} longer than {limits.max_string_length} characters", where
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return CODE_ENCODING, f"{what} contains a lone surrogate", where
    return None


# --- Entry points -----------------------------------------------------------------------------


def load_json(
    data: bytes, *, source: str = "<bytes>", limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Parse *data* under the strict policy of this module and return the top-level object.

    Raises `LoadError` (``WS002``-``WS005``, ``WS007``) or `LimitExceededError`
    (``WS006``) for input it refuses; never any other exception for bad bytes.
    """
    if len(data) > limits.max_bytes:
        _fail(
            f"file is {len(data)} bytes, more than the limit of {limits.max_bytes}",
            source=source,
            code=CODE_LIMIT,
        )
    text = _decode(data, source)
    scan = _prescan(data, limits)
    if scan.depth > _PARSE_DEPTH_CEILING:  # never hand this to the recursive parser
        message = f"nesting deeper than {limits.max_depth} levels (at least {scan.depth})"
        _fail(message, source=source, code=CODE_LIMIT)
    # Parsing and walking make no reference cycles; a collection meanwhile would only scan
    # every value parsed so far again, once per few hundred values made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value, refused = _parse(text, source, limits, integers=scan.risky_integers)
        if (
            refused is not None
            or scan.depth > limits.max_depth
            or scan.long_string
            or scan.surrogate_escapes
            or scan.long_array
        ):
            strings = scan.long_string or scan.surrogate_escapes
            deep = scan.depth > limits.max_depth
            found = _walk(value, limits, strings=strings, empty=deep) or refused
            if found is not None and found is not _NOTHING:
                _fail_with(found, source)
    finally:
        if collecting:
            gc.enable()
    if not isinstance(value, dict):
        _fail(
            f"top level is a JSON {_JSON_TYPES.get(type(value), 'value')}, not an object",
            source=source,
            code=CODE_NOT_OBJECT,
        )
    return value


def _fail_with(breach: _Breach, source: str) -> NoReturn:
    code, message, where = breach
    _fail(message, source=source, code=code, pointer=where)


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        _fail(
            "file starts with a byte order mark; save it as UTF-8 without BOM",
            source=source,
            code=CODE_ENCODING,
        )
    if b"\x00" in data:  # never in UTF-8 JSON: outside strings it is not JSON, inside it is escaped
        _fail(
            "file holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8",
            source=source,
            code=CODE_ENCODING,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        _fail(f"not valid UTF-8 at byte {e.start}", source=source, code=CODE_ENCODING)


def _parse(text: str, source: str, limits: Limits, *, integers: bool) -> tuple[Any, _Breach | None]:
    """Parse *text*; return the value and, if the value may hold marked places, a fallback breach.

    With *integers* (the pre-scan saw a risky integer spelling), or when the
    strict parser refuses something, the lenient parser runs and marks the
    places instead of refusing; `_walk` then finds the first one with its
    pointer. The fallback breach says what to report should the walk find none.
    """
    try:
        if integers:
            return _LENIENT[True].decode(text), _NOTHING
        try:
            return _strict(limits.max_object_members).decode(text), None
        except _Refused as e:
            return _LENIENT[False].decode(text), (e.code, e.message, "")
    except json.JSONDecodeError as e:
        _fail(
            f"not JSON: {e.msg} at line {e.lineno} column {e.colno}",
            source=source,
            code=CODE_SYNTAX,
        )
    except RecursionError:  # the interpreter's own stack was already nearly full
        _fail("nesting too deep for this interpreter", source=source, code=CODE_LIMIT)


_JSON_TYPES: Final = {
    list: "array",
    str: "string",
    int: "number",
    bool: "boolean",
    type(None): "null",
}


def read_bytes(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read a file, refusing one larger than ``limits.max_bytes`` before reading it whole.

    Raises `LoadError` (``WS001``) when the file cannot be read or is not a
    regular file (a FIFO is refused at once, never waited on) and
    `LimitExceededError` (``WS006``) when it is too large.
    """
    try:
        data = read_regular(path, max_bytes=limits.max_bytes)
    except OSError as e:
        _fail(e.strerror or str(e), source=str(path), code=CODE_UNREADABLE)
    if len(data) > limits.max_bytes:
        _fail(
            f"file is larger than the limit of {limits.max_bytes} bytes",
            source=str(path),
            code=CODE_LIMIT,
        )
    return data


def load_path(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Read and strictly parse the file at *path* (see `load_json` and `read_bytes`)."""
    return load_json(read_bytes(path, limits=limits), source=str(path), limits=limits)
