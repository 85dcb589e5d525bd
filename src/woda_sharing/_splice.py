"""Write a document's endorsements into its file, changing nothing else in it.

Endorsing and withdrawing change one member, ``endorsements``, and the review
of that change should show one hunk, not a rewritten file. `write_endorsements`
therefore edits the source text: in JSON it replaces the value of the
top-level ``endorsements`` member (or adds the member after the last one), laid
out with the file's own indentation; in YAML it replaces the top-level
``endorsements:`` block (or appends it). The result is read back with the
strict loader and must be exactly the document given, else the JSON file is
written whole instead (the signatures cover the canonical form, not the
bytes, so nothing breaks) and a YAML file is refused, left as it was.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from woda_sharing._files import atomic_write
from woda_sharing._loading import DEFAULT_LIMITS, load_json, read_bytes
from woda_sharing._sources import is_yaml
from woda_sharing.exceptions import LoadError, SigningError

__all__ = ["splice_json", "splice_yaml", "write_endorsements"]

_WS: Final = " \t\n\r"
_MEMBER: Final = "endorsements"
_YAML_KEY: Final = re.compile(r"""^(?:endorsements|"endorsements"|'endorsements')[ \t]*:""")
_DECODER: Final = json.JSONDecoder()


class _Cannot(Exception):  # noqa: N818 - internal signal, never escapes this module
    """The text is not laid out in a way this module can edit in place."""


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _members(text: str, start: int) -> tuple[list[tuple[str, int, int, int]], int]:
    """The top-level members (name, name start, value start, value end) and the closing brace."""
    i = _skip(text, start)
    if text[i : i + 1] != "{":
        raise _Cannot
    i = _skip(text, i + 1)
    members: list[tuple[str, int, int, int]] = []
    if text[i : i + 1] == "}":
        return members, i
    while True:
        if text[i : i + 1] != '"':
            raise _Cannot
        name, j = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        j = _skip(text, j)
        if text[j : j + 1] != ":":
            raise _Cannot
        j = _skip(text, j + 1)
        _, end = _DECODER.raw_decode(text, j)
        members.append((name, i, j, end))
        k = _skip(text, end)
        if text[k : k + 1] == ",":
            i = _skip(text, k + 1)
        elif text[k : k + 1] == "}":
            return members, k
        else:
            raise _Cannot


def splice_json(text: str, endorsements: Sequence[Mapping[str, Any]]) -> str:
    """*text* (a JSON object) with its top-level ``endorsements`` set to *endorsements*.

    Only that member's value changes (or the member is added after the last
    one); the new value follows the file's indentation. Raises `ValueError`
    when the text is not a JSON object it can read.
    """
    try:
        start = 1 if text.startswith("\ufeff") else 0
        members, close = _members(text, start)
    except (_Cannot, ValueError, IndexError) as e:
        raise ValueError("not a JSON object this can edit in place") from e
    if not members:
        raise ValueError("an empty JSON object has no place for endorsements")
    first = members[0][1]
    line_start = text.rfind("\n", 0, first) + 1
    unit = text[line_start:first]
    pretty = line_start > 0 and unit != "" and unit.strip(" \t") == ""
    if pretty:
        value = json.dumps(list(endorsements), indent=unit, ensure_ascii=False)
        value = value.replace("\n", "\n" + unit)
    else:
        value = json.dumps(list(endorsements), ensure_ascii=False)
    found = [m for m in members if m[0] == _MEMBER]
    if found:
        _, _, value_start, value_end = found[-1]
        return text[:value_start] + value + text[value_end:]
    last_end = members[-1][3]
    joint = f",\n{unit}" if pretty else ", "
    added = f'{joint}"{_MEMBER}": {value}'
    del close  # the closing brace and what precedes it stay where they are
    return text[:last_end] + added + text[last_end:]


def _yaml_block(endorsements: Sequence[Mapping[str, Any]]) -> str:
    if not endorsements:
        return f"{_MEMBER}: []\n"
    lines = [f"{_MEMBER}:"]
    for e in endorsements:
        entries = [f"{name}: {json.dumps(value, ensure_ascii=False)}" for name, value in e.items()]
        lines.append(f"  - {entries[0]}")
        lines.extend(f"    {entry}" for entry in entries[1:])
    return "\n".join(lines) + "\n"


def splice_yaml(text: str, endorsements: Sequence[Mapping[str, Any]]) -> str:
    """*text* (a YAML block mapping) with its top-level ``endorsements`` block set to *endorsements*.

    The block runs from its ``endorsements:`` line to the next line that
    starts in the first column (another member, or a comment); it is
    replaced whole, or appended at the end of the file when missing.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _YAML_KEY.match(line)]
    block = _yaml_block(endorsements)
    if not starts:
        body = text if text.endswith("\n") or not text else text + "\n"
        return body + block
    first = starts[-1]
    end = first + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line[0].isspace() and not line.startswith("- "):
            break
        end += 1
    while end > first + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after the block stay outside it
    return "".join(lines[:first]) + block + "".join(lines[end:])


def _load(data: bytes, source: str, *, yaml: bool) -> dict[str, Any]:
    if yaml:
        from woda_sharing._yaml import load_yaml  # noqa: PLC0415 - optional dependency

        return load_yaml(data, source=source)
    return load_json(data, source=source)


def _edited(
    raw: bytes,
    source: str,
    endorsements: Sequence[Mapping[str, Any]],
    expected: Mapping[str, Any],
    *,
    yaml: bool,
) -> bytes:
    """*raw* with its endorsements edited in place, checked by reading it back (`ValueError` if not)."""
    text = raw.decode("utf-8")
    spliced = splice_yaml(text, endorsements) if yaml else splice_json(text, endorsements)
    data = spliced.encode("utf-8")
    if _load(data, source, yaml=yaml) != expected:
        raise ValueError("the edited file does not read back as the document")
    return data


def write_endorsements(path: str | os.PathLike[str], document: Mapping[str, Any]) -> None:
    """Write *document*'s ``endorsements`` into the file at *path*, changing nothing else in it.

    The file must still hold *document* apart from its endorsements (else
    `SigningError`: it changed since it was read). JSON or YAML by the file's
    name, as `woda_sharing.validate_many` reads them. The edit is checked by
    reading the result back; a JSON file that cannot be edited in place is
    written whole (two-space indentation), a YAML file is refused with
    `SigningError` and left as it was. Written atomically.
    """
    source = os.fspath(path)
    yaml = is_yaml(path)
    raw = read_bytes(path, limits=DEFAULT_LIMITS)
    try:
        before = _load(raw, source, yaml=yaml)
    except LoadError as e:
        raise SigningError(f"{source} can no longer be read: {e}") from e
    content = {k: v for k, v in document.items() if k != _MEMBER}
    if {k: v for k, v in before.items() if k != _MEMBER} != content:
        raise SigningError(f"{source} changed since it was read; read it again and retry")
    endorsements = document.get(_MEMBER, [])
    expected = {**content, _MEMBER: endorsements}
    try:
        data = _edited(raw, source, endorsements, expected, yaml=yaml)
    except (ValueError, LoadError) as e:
        if yaml:
            raise SigningError(
                f"cannot write the endorsements into {source} without rewriting it ({e});"
                " put the top-level members in block style, one per line, and retry"
            ) from e
        data = (json.dumps(expected, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    atomic_write(path, data)
