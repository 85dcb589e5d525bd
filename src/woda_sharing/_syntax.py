"""Why a file is not JSON, in plain words, at the right place (failure path only).

Python's parser says "Expecting property name enclosed in double quotes" for a
trailing comma, a single-quoted name and a ``//`` comment alike, and places a
missing comma at the start of the next line. People who paste from a word
processor or write JSON by hand make a few mistakes again and again: curly
quotes, trailing and missing commas, single quotes, comments, and files saved
as Windows-1252. `explain_syntax` and `explain_encoding` recognise those and
say what each is and how to fix it, placed where the fix goes.
"""

from __future__ import annotations

import json
from typing import Final

from attrs import frozen

__all__ = ["Explanation", "explain_encoding", "explain_syntax"]

#: Curly double and single quotes, as word processors type them.
_CURLY: Final = frozenset("\u201c\u201d\u2018\u2019")
_SMART_QUOTES_HINT: Final = (
    'retype it as a straight double quote ("); word processors turn quotes curly'
    " (switch off smart quotes, or edit the file in a code editor)"
)


@frozen
class Explanation:
    """What is wrong, where (1-based line and column), and how to fix it."""

    line: int
    column: int
    message: str
    hint: str | None = None


def _place(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _previous(text: str, offset: int) -> int:
    """The offset of the last character before *offset* that is not white space, or -1."""
    i = offset - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    return i


def explain_syntax(data: bytes) -> Explanation | None:
    """Explain why *data* is not JSON, or ``None`` when the parser accepts it."""
    text = data.decode("utf-8", errors="replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        return _explain(text, e)
    except (ValueError, RecursionError):  # pragma: no cover - refused before, never here
        return None
    return None


def _explain(text: str, error: json.JSONDecodeError) -> Explanation:
    return (
        _quotes(text, error)
        or _punctuation(text, error)
        # The loader's own words for anything else, so the finding and `LoadError` agree.
        or Explanation(
            error.lineno,
            error.colno,
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno}",
        )
    )


def _curly_in_string(text: str, pos: int, *, forward: bool) -> int | None:
    """The offset of a curly quote on *pos*'s line, after it (*forward*) or before it."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    start, end = (pos + 1, line_end) if forward else (line_start, pos)
    found = [i for i in range(start, end) if text[i] in _CURLY]
    if not found:
        return None
    return found[0] if forward else found[-1]


def _quotes(text: str, error: json.JSONDecodeError) -> Explanation | None:
    """Curly and single quotes."""
    pos = error.pos
    char = text[pos] if pos < len(text) else ""
    if error.msg.startswith(("Unterminated string", "Invalid control character")):
        curly = _curly_in_string(text, pos, forward=error.msg.startswith("Unterminated"))
        if curly is not None:
            return Explanation(
                *_place(text, curly),
                f"curly quote {text[curly]} ends this string; JSON needs a straight double quote",
                _SMART_QUOTES_HINT,
            )
    if char in _CURLY:
        return Explanation(
            *_place(text, pos),
            f'curly quote {char} where JSON needs a straight double quote (")',
            _SMART_QUOTES_HINT,
        )
    if char == "'":
        return Explanation(
            *_place(text, pos),
            "single quote: JSON strings and member names take double quotes",
            "write \"name\" instead of 'name'",
        )
    return None


def _punctuation(text: str, error: json.JSONDecodeError) -> Explanation | None:
    """Comments, trailing commas and missing commas."""
    pos = error.pos
    char = text[pos] if pos < len(text) else ""
    if text.startswith(("//", "/*"), pos):
        return Explanation(
            *_place(text, pos),
            "comment: JSON has no comments",
            "remove it (a document written in YAML may have # comments)",
        )
    before = _previous(text, pos)
    if char in "}]" and before >= 0 and text[before] == ",":
        what = "member" if char == "}" else "element"
        return Explanation(
            *_place(text, before),
            f"trailing comma before '{char}'",
            f"remove the comma after the last {what}",
        )
    if error.msg == "Expecting ',' delimiter" and before >= 0:
        return Explanation(
            *_place(text, before + 1),
            "missing comma after this value",
            "separate members (and array elements) with commas",
        )
    return None


def explain_encoding(data: bytes) -> Explanation | None:
    """Explain where *data* stops being UTF-8, or ``None`` when it is UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", errors="replace")) + 1
        byte = data[e.start]
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            char = None
        if char is not None and char.isprintable():
            return Explanation(
                line,
                column,
                f"byte 0x{byte:02X} is not UTF-8: the file looks saved as Windows-1252,"
                f" where it means {char!r}",
                "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            )
        return Explanation(line, column, f"not valid UTF-8 at byte {e.start}")
    return None
