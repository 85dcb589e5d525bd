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
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Final, Protocol

from attrs import evolve

from woda_sharing._canonical import MAX_DEPTH
from woda_sharing._findings import Finding, Report
from woda_sharing._syntax import Explanation, explain_encoding, explain_syntax

__all__ = ["Locator", "PositionIndex", "locate", "locate_with", "place_all"]


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
        if index is None:
            index = PositionIndex.of_bytes(data)
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
