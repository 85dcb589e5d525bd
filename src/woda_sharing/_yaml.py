"""Strict YAML loading: the JSON data model written as YAML 1.2, and nothing more.

Developers draft agreements in YAML; signatures and digests stay over the
canonical JSON of the loaded object, so a YAML file and a JSON file of the
same document share one digest. The policy is the JSON loader's, plus what
YAML adds that JSON has no equivalent for:

- the YAML 1.2 core schema, so ``no``, ``on`` and ``off`` stay strings (as
  in JSON, only ``true`` and ``false`` are booleans);
- tags (``!!str``, ``!python/object``), anchors and aliases (``&a``, ``*a``),
  several documents in one file, and member names that are not strings are
  refused: each could make two readers see different data;
- numbers follow the JSON loader's policy: integers within ±(2**53 - 1)
  written in decimal without leading zeros, never ``-0``; a fraction, an
  exponent, ``.inf`` and ``.nan`` are refused (quote a value meant as text);
- duplicate member names, the byte order mark, NUL bytes and invalid UTF-8
  are refused, and the same `Limits` apply. The loaded object is then checked
  by the JSON loader itself, so nothing the JSON loader refuses gets through.

Parsing uses ruamel.yaml's event stream (an iterative parser), and the value
is built with an explicit stack, so a deeply nested file can neither recurse
nor exhaust the stack. ruamel.yaml is an optional dependency: install
``woda-sharing[yaml]``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final, NoReturn

from woda_sharing._findings import pointer
from woda_sharing._loading import DEFAULT_LIMITS, MAX_SAFE_INTEGER, Limits, load_json
from woda_sharing.exceptions import LimitExceededError, LoadError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "YAML_SUFFIXES",
    "YamlLimitError",
    "YamlLoadError",
    "YamlPositions",
    "error_place",
    "load_yaml",
    "load_yaml_located",
]

#: File name endings read as YAML; every other file is read as JSON.
YAML_SUFFIXES: Final = (".yaml", ".yml")

_CODE_UNREADABLE: Final = "WS001"
_CODE_ENCODING: Final = "WS002"
_CODE_SYNTAX: Final = "WS003"
_CODE_DUPLICATE_KEY: Final = "WS004"
_CODE_NUMBER: Final = "WS005"
_CODE_LIMIT: Final = "WS006"
_CODE_NOT_OBJECT: Final = "WS007"

# The YAML 1.2 core schema's plain scalars (yaml.org/spec/1.2.2, 10.3.2).
_NULL: Final = re.compile(r"~|null|Null|NULL|")
_BOOL: Final = {"true": True, "True": True, "TRUE": True}
_FALSE: Final = frozenset({"false", "False", "FALSE"})
_INT: Final = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_JSON_INT: Final = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT: Final = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


class YamlLoadError(LoadError):
    """A `LoadError` from the YAML loader, with the 1-based line and column where it arose."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        code: str,
        pointer: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, source=source, pointer=pointer, code=code)
        self.line = line
        self.column = column


class YamlLimitError(LimitExceededError):
    """A `LimitExceededError` from the YAML loader, with the line and column where it arose."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        code: str,
        pointer: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, source=source, pointer=pointer, code=code)
        self.line = line
        self.column = column


def error_place(error: LoadError) -> tuple[int, int] | None:
    """The line and column a YAML loading error arose at, if it has one."""
    if isinstance(error, (YamlLoadError, YamlLimitError)) and error.line is not None:
        return error.line, error.column or 1
    return None


class YamlPositions:
    """The line and column of every member name and array element of a YAML file, by pointer."""

    __slots__ = ("_places",)

    def __init__(self, places: dict[str, tuple[int, int]]) -> None:
        self._places = places

    def locate(self, where: str) -> tuple[int, int]:
        """The line and column of *where*, or of its nearest located ancestor."""
        while True:
            place = self._places.get(where)
            if place is not None:
                return place
            if not where:
                return 1, 1
            where = where[: where.rfind("/")]


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else f"{text[:width]}... ({len(text)} characters)"


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        _fail(
            "file starts with a byte order mark; save it as UTF-8 without BOM",
            source,
            _CODE_ENCODING,
        )
    if b"\x00" in data:
        _fail(
            "file holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8",
            source,
            _CODE_ENCODING,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = (
            len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        )
        _fail(f"not valid UTF-8 at byte {e.start}", source, _CODE_ENCODING, place=(line, column))


def _fail(
    message: str,
    source: str,
    code: str,
    *,
    where: str = "",
    place: tuple[int, int] | None = None,
) -> NoReturn:
    line, column = place if place is not None else (None, None)
    kind = YamlLimitError if code == _CODE_LIMIT else YamlLoadError
    raise kind(message, source=source, code=code, pointer=where, line=line, column=column)


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _scalar(event: Any, source: str, where: str) -> object:
    """The JSON value of a scalar under the core schema and the JSON loader's number policy."""
    text: str = event.value
    if event.style is not None:  # quoted or block: always a string
        return text
    if _NULL.fullmatch(text):
        return None
    if text in _BOOL:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        if not _JSON_INT.fullmatch(text):
            message = (
                f"number {_clip(text, 20)} must be written in decimal, without '+' or leading zeros"
            )
        elif text == "-0":
            message = "number -0 is refused: it would canonicalize like 0"
        elif len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_SAFE_INTEGER:
            message = f"integer {_clip(text, 20)} is outside ±(2**53 - 1)"
        else:
            return int(text)
        _fail(
            message + "; quote it if it is text",
            source,
            _CODE_NUMBER,
            where=where,
            place=_mark(event),
        )
    if _FLOAT.fullmatch(text):
        _fail(
            f"number {_clip(text, 20)} has a fraction or exponent; only integers are allowed"
            " (quote it if it is text)",
            source,
            _CODE_NUMBER,
            where=where,
            place=_mark(event),
        )
    return text


class _Open:
    """An open mapping or sequence while building: its value, pointer and pending member name."""

    __slots__ = ("key", "value", "where")

    def __init__(self, value: dict[str, Any] | list[Any], where: str) -> None:
        self.value = value
        self.where = where
        self.key: str | None = None


def _events(text: str, source: str) -> Iterator[Any]:
    from ruamel.yaml import YAML  # noqa: PLC0415 - optional dependency, loaded on first use
    from ruamel.yaml.error import MarkedYAMLError, YAMLError  # noqa: PLC0415
    from ruamel.yaml.reader import ReaderError  # noqa: PLC0415

    try:
        yield from YAML(typ="safe", pure=True).parse(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        place = None if mark is None else (mark.line + 1, mark.column + 1)
        problem = e.problem or e.context or "cannot be parsed"
        _fail(f"not YAML: {problem}", source, _CODE_SYNTAX, place=place)
    except ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        _fail(
            f"not YAML: character {e.character!r} is not allowed",
            source,
            _CODE_SYNTAX,
            place=(line, column),
        )
    except YAMLError as e:  # pragma: no cover - every error ruamel raises while parsing is above
        _fail(f"not YAML: {e}", source, _CODE_SYNTAX)
    except RecursionError:  # pragma: no cover - the parser is iterative
        _fail("nesting too deep for this interpreter", source, _CODE_LIMIT)


def _build(text: str, source: str, limits: Limits) -> tuple[object, dict[str, tuple[int, int]]]:
    """Build the JSON value of *text* from its events, with the place of every member and element."""
    from ruamel.yaml.events import (  # noqa: PLC0415 - optional dependency
        CollectionStartEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        NodeEvent,
        ScalarEvent,
        SequenceEndEvent,
    )

    places: dict[str, tuple[int, int]] = {}
    stack: list[_Open] = []
    documents = 0
    root: object = None
    for event in _events(text, source):
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                _fail(
                    "a file holds one document; this one starts a second with '---'",
                    source,
                    _CODE_SYNTAX,
                    place=_mark(event),
                )
            continue
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            stack.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue  # stream and document ends
        top = stack[-1] if stack else None
        where = _where(top)
        _refuse_yaml_only(event, where, source)
        if isinstance(top, _Open) and isinstance(top.value, dict) and top.key is None:
            _member_name(event, top, source, places)
            continue
        _place(top, where, event, places=places, limits=limits, source=source)
        value: object
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= limits.max_depth:
                _fail(
                    f"nesting deeper than {limits.max_depth} levels",
                    source,
                    _CODE_LIMIT,
                    where=where,
                    place=_mark(event),
                )
            value = {} if isinstance(event, MappingStartEvent) else []
        else:
            assert isinstance(event, ScalarEvent)  # noqa: S101 - the only other node event
            value = _scalar(event, source, where)
        _attach(top, value)
        if top is None:
            root = value
        if isinstance(value, (dict, list)):
            stack.append(_Open(value, where))
    return root, places


def _place(
    top: _Open | None,
    where: str,
    event: Any,
    *,
    places: dict[str, tuple[int, int]],
    limits: Limits,
    source: str,
) -> None:
    """Record where the document or an array element starts, refusing an array too long."""
    if top is None:
        places[""] = _mark(event)
    elif isinstance(top.value, list):
        if len(top.value) >= limits.max_array_length:
            message = f"array longer than {limits.max_array_length} elements"
            _fail(message, source, _CODE_LIMIT, where=top.where, place=places.get(top.where))
        places[where] = _mark(event)


def _refuse_yaml_only(event: Any, where: str, source: str) -> None:
    """Refuse aliases, anchors and tags: YAML features with no JSON equivalent."""
    from ruamel.yaml.events import AliasEvent  # noqa: PLC0415 - optional dependency

    problem: str | None = None
    if isinstance(event, AliasEvent):
        problem = f"alias *{event.anchor} is refused: write the value out"
    elif event.anchor is not None:
        problem = f"anchor &{event.anchor} is refused: write the value out"
    else:
        tag = getattr(event, "tag", None)
        if tag is not None:
            problem = f"tag {_clip(str(tag))} is refused: YAML tags have no meaning in JSON"
    if problem is not None:
        _fail(problem, source, _CODE_SYNTAX, where=where, place=_mark(event))


def _where(top: _Open | None) -> str:
    if top is None:
        return ""
    if isinstance(top.value, list):
        return f"{top.where}/{len(top.value)}"
    return top.where + pointer(top.key) if top.key is not None else top.where


def _member_name(event: Any, top: _Open, source: str, places: dict[str, tuple[int, int]]) -> None:
    from ruamel.yaml.events import ScalarEvent  # noqa: PLC0415 - optional dependency

    if not isinstance(event, ScalarEvent):
        _fail(
            "a member name must be text, not a mapping or a sequence",
            source,
            _CODE_SYNTAX,
            where=top.where,
            place=_mark(event),
        )
    name = _scalar(event, source, top.where)
    if not isinstance(name, str):
        _fail(
            f"member name {event.value!r} is read as {json.dumps(name)}, not text; quote it",
            source,
            _CODE_SYNTAX,
            where=top.where,
            place=_mark(event),
        )
    assert isinstance(top.value, dict)  # noqa: S101 - callers pass an open mapping
    where = top.where + pointer(name)
    if name in top.value:
        _fail(
            f"duplicate member name {_clip(name)!r}",
            source,
            _CODE_DUPLICATE_KEY,
            where=where,
            place=_mark(event),
        )
    top.key = name
    places[where] = _mark(event)


def _attach(top: _Open | None, value: object) -> None:
    if top is None:
        return
    if isinstance(top.value, list):
        top.value.append(value)
    else:
        assert top.key is not None  # noqa: S101 - a value follows its member name
        top.value[top.key] = value
        top.key = None


def load_yaml_located(
    data: bytes, *, source: str = "<bytes>", limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], YamlPositions]:
    """Load *data* as `load_yaml` does, and return the places of its members too."""
    if len(data) > limits.max_bytes:
        _fail(
            f"file is {len(data)} bytes, more than the limit of {limits.max_bytes}",
            source,
            _CODE_LIMIT,
        )
    text = _decode(data, source)
    try:
        import ruamel.yaml  # noqa: F401, PLC0415 - optional dependency: say so if it is missing
    except ImportError as e:
        raise YamlLoadError(
            "reading YAML needs ruamel.yaml: pip install 'woda-sharing[yaml]'",
            source=source,
            code=_CODE_UNREADABLE,
        ) from e
    value, places = _build(text, source, limits)
    positions = YamlPositions(places)
    if not isinstance(value, dict):
        kind = {list: "sequence", str: "string", int: "number", bool: "boolean"}.get(
            type(value), "null"
        )
        _fail(f"top level is a YAML {kind}, not a mapping", source, _CODE_NOT_OBJECT, place=(1, 1))
    # The JSON loader's own checks (string lengths, lone surrogates, ...), on the same object.
    # ASCII with escapes: a lone surrogate stays a \u escape, which the JSON loader places.
    as_json = json.dumps(value).encode("ascii")
    try:
        return load_json(
            as_json, source=source, limits=_unbounded_bytes(limits, len(as_json))
        ), positions
    except LoadError as e:
        error = YamlLimitError if e.code == _CODE_LIMIT else YamlLoadError
        line, column = positions.locate(e.pointer)
        raise error(
            e.message, source=source, code=e.code, pointer=e.pointer, line=line, column=column
        ) from e


def _unbounded_bytes(limits: Limits, size: int) -> Limits:
    from attrs import evolve  # noqa: PLC0415

    return limits if size <= limits.max_bytes else evolve(limits, max_bytes=size)


def load_yaml(
    data: bytes, *, source: str = "<bytes>", limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Parse *data*, YAML 1.2 under the strict policy of this module, and return the top-level mapping.

    Raises `LoadError` (``WS001`` when ruamel.yaml is not installed,
    ``WS002``-``WS005``, ``WS007``) or `LimitExceededError` (``WS006``) for
    input it refuses; never any other exception for bad bytes.
    """
    return load_yaml_located(data, source=source, limits=limits)[0]
