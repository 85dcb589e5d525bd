"""Where a finding is in its file: a line and a column for a JSON Pointer, from the source bytes.

Findings are found over parsed data and carry an RFC 6901 JSON Pointer; people
and editors want ``file:line:col``. `locate` adds both to every finding of a
report, from the bytes the report was made of. It builds a `PositionIndex`
only when the report has findings, so validating a good document costs
nothing more.

A member's position is that of its name (where an editor should put the
cursor for "unknown member" or "wrong value"); an array element's is that of
its value; the whole document's is its first character. A pointer to a place
that does not exist (a required member that is missing) is placed at the
nearest enclosing value that does. Lines and columns count from 1; a column
counts Unicode characters (code points), not bytes.

The index is built by one iterative pass of a small tokenizer, so a deeply
nested or broken file can neither recurse nor raise: the pass simply stops
where the text stops making sense (or nests deeper than any readable document
may), and pointers past that point fall back to their nearest located ancestor.

That pass costs Python work per token of the whole file, which for a
document with a few warnings was most of its validation (issue 16). `locate`
therefore first places each pointer with `PathIndex`, which reads only the
containers along the pointers' paths, each once, skipping every value with
the standard library's C scanner; when the text is not plain JSON it can read
that way, the full pass places the findings instead. A property test holds the
two to the same places.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from typing import Final, Protocol

from attrs import evolve

from woda_sharing._canonical import MAX_DEPTH
from woda_sharing._findings import Finding, Report
from woda_sharing._syntax import Explanation, explain_encoding, explain_syntax

__all__ = ["Locator", "PathIndex", "PositionIndex", "locate", "locate_with", "place_all"]


class Locator(Protocol):
    """Anything that gives the line and column of a JSON Pointer in one source file."""

    def locate(self, where: str) -> tuple[int, int]:
        """The 1-based line and column of *where*, or of its nearest located ancestor."""


# Codes whose place is a byte offset or a parser position, not a pointer (see loading.py).
_CODE_ENCODING: Final = "WS002"
_CODE_SYNTAX: Final = "WS003"

#: One JSON token: a string (even an unterminated one), a structural character, or a run of
#: anything else (a number, a literal, or garbage the parser already refused).
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class PositionIndex:
    """The line and column of every value and member of one JSON text, by JSON Pointer."""

    __slots__ = ("_line_starts", "_offsets")

    def __init__(self, text: str) -> None:
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._offsets = _index(text)

    @classmethod
    def of_bytes(cls, data: bytes) -> PositionIndex:
        """Index *data*, read as UTF-8 (invalid bytes are replaced: positions stay close)."""
        return cls(data.decode("utf-8", errors="replace"))

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of the character at *offset*."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, where: str) -> tuple[int, int]:
        """The line and column of the pointer *where*, or of its nearest located ancestor."""
        while True:
            offset = self._offsets.get(where)
            if offset is not None:
                return self.position(offset)
            if not where:
                return 1, 1
            where = where[: where.rfind("/")]


class _Frame:
    """An open object or array while indexing: its pointer and where the tokenizer is in it."""

    __slots__ = ("count", "expect_name", "is_object", "name", "where")

    def __init__(self, where: str, *, is_object: bool) -> None:
        self.where = where
        self.is_object = is_object
        self.expect_name = is_object
        self.count = 0
        self.name = ""

    def child(self) -> str:
        """The pointer of the value the tokenizer is at inside this container."""
        if self.is_object:
            return f"{self.where}/{_escape(self.name)}"
        return f"{self.where}/{self.count}"

    def punctuate(self, lexeme: str) -> bool:
        """Take a ``,`` or ``:``; false when it makes no sense here."""
        if lexeme == ":":
            self.expect_name = False
            return self.is_object
        if self.is_object:
            self.expect_name = True
        else:
            self.count += 1
        return True

    def member(self, lexeme: str, start: int, offsets: dict[str, int]) -> bool:
        """Take a member name at *start*; false when *lexeme* is not a string."""
        try:
            name = json.loads(lexeme)
        except ValueError:
            return False
        if not isinstance(name, str):
            return False
        self.name = name
        offsets[self.child()] = start
        return True


def _index(text: str) -> dict[str, int]:
    """Map each pointer to the offset of its member name or value (last occurrence wins)."""
    offsets: dict[str, int] = {}
    stack: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        if not _step(match.group(), match.start(), stack, offsets):
            break  # the text stops making sense here: the parser has refused it already
    return offsets


def _step(lexeme: str, start: int, stack: list[_Frame], offsets: dict[str, int]) -> bool:
    """Take one lexeme at *start*; false when the text stops making sense."""
    top = stack[-1] if stack else None
    if lexeme in ("]", "}"):
        if top is not None:
            stack.pop()
        return top is not None
    if lexeme in (",", ":"):
        return top is not None and top.punctuate(lexeme)
    if top is not None and top.expect_name:
        return top.member(lexeme, start, offsets)
    if top is None:
        if offsets:
            return False  # a second top-level value
        here = ""
        offsets[here] = start
    else:
        here = top.child()
        if not top.is_object:
            offsets[here] = start
    if lexeme in ("{", "["):
        if len(stack) >= MAX_DEPTH:
            return False  # deeper than any readable document: the loader refused it already
        stack.append(_Frame(here, is_object=lexeme == "{"))
    return True


_DECODER: Final = json.JSONDecoder()
#: The C scanner of JSON strings (typeshed does not declare it): (text, end) after the quote.
_scanstring: Final[Callable[[str, int], tuple[str, int]]] = json.decoder.scanstring  # type: ignore[attr-defined]
_SPACE: Final = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The offset of the first character from *at* on that is not JSON whitespace."""
    match = _SPACE.match(text, at)
    return match.end() if match is not None else at


class PathIndex:
    """Lines and columns of JSON Pointers in one JSON text, reading only the containers on their paths.

    Each container is read once, when a pointer first goes through it: the
    offsets of its members' names (the last of a repeated name wins) or of its
    elements, every value skipped by the C scanner. Raises `ValueError` when
    the text is not JSON it can read this way; `PositionIndex` places those.
    """

    __slots__ = ("_children", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._children: dict[str, dict[str, tuple[int, int]]] = {}

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of the character at *offset* (counted at C level)."""
        text = self._text
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    def locate(self, where: str) -> tuple[int, int]:
        """The line and column of the pointer *where*, or of its nearest located ancestor."""
        return self.position(self._offset(where))

    def _offset(self, where: str) -> int:
        text = self._text
        place = value = _skip(text, 0)
        if value >= len(text):
            raise ValueError("no JSON value")
        here = ""
        for token in where.split("/")[1:] if where else ():
            children = self._children.get(here)
            if children is None:
                children = self._children[here] = _children(text, value)
            child = children.get(token)
            if child is None:
                break  # not there (a missing member): its nearest ancestor
            here = f"{here}/{token}"
            place, value = child
        return place


def _children(text: str, at: int) -> dict[str, tuple[int, int]]:
    """The pointer tokens of the members or elements of the value at *at*, with their places and values' offsets.

    A member is placed at its name, an element at its value; a scalar has none.
    """
    found: dict[str, tuple[int, int]] = {}
    opening = text[at]
    if opening not in "{[":
        return found
    closing = "}" if opening == "{" else "]"
    i = _skip(text, at + 1)
    if text[i] == closing:
        return found
    count = 0
    while True:
        if opening == "{":
            if text[i] != '"':
                raise ValueError("a member name was expected")
            name, end = _scanstring(text, i + 1)
            end = _skip(text, end)
            if text[end] != ":":
                raise ValueError("a colon was expected")
            start = _skip(text, end + 1)
            found[_escape(name)] = (i, start)
        else:
            found[str(count)] = (i, i)
            start = i
            count += 1
        _, end = _DECODER.raw_decode(text, start)
        i = _skip(text, end)
        if text[i] == closing:
            return found
        if text[i] != ",":
            raise ValueError("a comma was expected")
        i = _skip(text, i + 1)


def _path_positions(text: str, pointers: list[str]) -> dict[str, tuple[int, int]] | None:
    """The place of each pointer by `PathIndex`, or ``None`` when the text is not plain JSON to it."""
    index = PathIndex(text)
    try:
        return {where: index.locate(where) for where in pointers}
    except (ValueError, IndexError, RecursionError):
        return None


def locate(report: Report, data: bytes) -> Report:
    """Return *report* with a line and column on every finding, computed from *data*.

    *data* are the bytes the report's document was read from. A report
    without findings is returned as it is, without reading *data*. A file
    that is not JSON or not UTF-8 gets the plain-words explanation of
    `woda_sharing._syntax` instead of the parser's message.
    """
    if not report.findings:
        return report
    index: PositionIndex | None = None
    text: str | None = None
    placed: dict[str, tuple[int, int]] | None = None
    located: list[Finding] = []
    for finding in report.findings:
        explained: Explanation | None = None
        if finding.code == _CODE_SYNTAX:
            explained = explain_syntax(data)
        elif finding.code == _CODE_ENCODING and finding.message.startswith("not valid UTF-8"):
            explained = explain_encoding(data)  # not for a byte order mark or NUL bytes
        if explained is not None:
            located.append(
                evolve(
                    finding,
                    message=explained.message,
                    hint=explained.hint or finding.hint,
                    line=explained.line,
                    column=explained.column,
                )
            )
            continue
        if text is None:
            text = data.decode("utf-8", errors="replace")
            placed = _path_positions(text, [f.pointer for f in report.findings])
        if placed is not None:
            line, column = placed[finding.pointer]
        else:
            if index is None:
                index = PositionIndex(text)
            line, column = index.locate(finding.pointer)
        located.append(evolve(finding, line=line, column=column))
    return evolve(report, findings=tuple(located))


def locate_with(report: Report, locator: Locator) -> Report:
    """Return *report* with every finding placed by *locator* (a YAML file's positions, say)."""
    if not report.findings:
        return report
    return evolve(
        report,
        findings=tuple(
            evolve(f, line=line, column=column)
            for f in report.findings
            for line, column in (locator.locate(f.pointer),)
        ),
    )


def place_all(report: Report, where: tuple[int, int] | None) -> Report:
    """Return *report* with every finding at the line and column *where*, when known."""
    if where is None:
        return report
    line, column = where
    return evolve(report, findings=tuple(evolve(f, line=line, column=column) for f in report))
