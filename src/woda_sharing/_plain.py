"""Schema errors in plain words: what an IG officer can act on, never a regular expression.

jsonschema's messages are written for schema authors ("Additional properties
are not allowed ('review_date' was unexpected)", "'01/04/2026' does not match
'^[0-9]{4}-...$'"). `plain_schema_findings` turns the errors of one document
into findings that name the member, say what is expected in words, suggest
the nearest valid value ("did you mean 'review'?", "did you mean
2026-04-01?"), and list the members a place requires or allows. A misspelt
member that stands for a missing required one (``organization`` for
``organisation``) is one finding, not two.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from attrs import frozen

from woda_sharing._findings import pointer

__all__ = ["PlainError", "did_you_mean", "plain_schema_findings"]

_DATE_PATTERN: Final = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ID_PATTERN: Final = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: Dates as people write them in the UK, day first: 01/04/2026, 1-4-2026, 01.04.2026.
_DAY_FIRST: Final = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")
_YEAR_FIRST: Final = re.compile(r"\s*(\d{4})[/.\-]?(\d{1,2})[/.\-]?(\d{1,2})\s*")
_JSON_TYPES: Final = {
    "object": "an object",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_LISTED: Final = 12
#: What `woda_sharing._skeleton` writes where only the author knows the answer.
_PLACEHOLDERS: Final = frozenset({"TODO", "YYYY-MM-DD"})
_BOUNDS: Final = {
    "minimum": "at least",
    "exclusiveMinimum": "more than",
    "maximum": "at most",
    "exclusiveMaximum": "less than",
}


@frozen
class PlainError:
    """One schema finding in plain words: where, what, and how to fix it."""

    pointer: str
    message: str
    hint: str | None = None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to *word* (ignoring case and surrounding spaces), if any is close.

    ``None`` when *word* is one of the choices already, or none is close.
    """
    options = list(choices)
    if word in options:
        return None
    folded = {c.casefold(): c for c in options}
    key = word.strip().casefold()
    if key in folded and folded[key] != word:
        return folded[key]
    scores = sorted(
        ((difflib.SequenceMatcher(None, key, c).ratio(), c) for c in folded), reverse=True
    )
    if scores and scores[0][0] >= 0.6:
        if len(scores) > 1 and scores[1][0] == scores[0][0]:
            return None  # two equally close: a guess would mislead
        return folded[scores[0][1]]
    # A name with a word added or dropped: review_date for review.
    stems = [c for c in folded if key.startswith(c + "_") or c.startswith(key + "_")]
    return folded[stems[0]] if len(stems) == 1 else None


def _suggestion(word: str, choices: Iterable[str]) -> str:
    match = did_you_mean(word, choices)
    return f"; did you mean {match!r}?" if match else ""


def _listing(names: Iterable[str]) -> str:
    items = sorted(names)
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a number"
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(
        type(value), "a value"
    )


def _clip(value: object, width: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _iso_date(text: str) -> str | None:
    """The YYYY-MM-DD form of a date written another common way, if it is one."""
    for form, order in ((_DAY_FIRST, (2, 1, 0)), (_YEAR_FIRST, (0, 1, 2))):
        match = form.fullmatch(text)
        if match:
            parts = match.groups()
            year, month, day = (int(parts[i]) for i in order)
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return None
    return None


def _is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value in _PLACEHOLDERS


def _pattern(error: Any, where: str) -> PlainError:
    value, pattern = error.instance, error.validator_value
    description = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    if _is_placeholder(value):
        what = "a YYYY-MM-DD date" if pattern == _DATE_PATTERN else "an id"
        return PlainError(where, f"placeholder {value!r}: fill in {what}")
    if pattern == _DATE_PATTERN:
        iso = _iso_date(value)
        guess = f"; did you mean {iso}?" if iso else ""
        return PlainError(where, f"{_clip(value)} is not a YYYY-MM-DD date{guess}")
    if pattern == _ID_PATTERN:
        slug = "-".join(re.findall(r"[a-z0-9]+", value.casefold()))
        guess = f"; did you mean {slug!r}?" if slug and slug != value else ""
        return PlainError(
            where,
            f"{_clip(value)} is not an id{guess}",
            "ids are lower-case letters, digits and single hyphens, such as 'early-help'",
        )
    what = description.rstrip(".") if description else "in the form this member needs"
    return PlainError(where, f"{_clip(value)} is not {what[:1].lower()}{what[1:]}")


def _additional(error: Any, where: str) -> list[PlainError]:
    allowed = list(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    extra = [
        name
        for name in error.instance
        if name not in allowed and not any(p.search(name) for p in patterns)
    ]
    return [
        PlainError(
            where + pointer(name),
            f"unknown member {_clip(name)}{_suggestion(name, allowed)}",
            f"members allowed here: {_listing(allowed)}" if allowed else None,
        )
        for name in extra
    ]


def _simple(error: Any, where: str) -> PlainError | None:
    kind, expected, value = error.validator, error.validator_value, error.instance
    message: str | None = None
    if kind == "enum" and _is_placeholder(value):
        message = f"placeholder {value!r}: choose one of {', '.join(str(c) for c in expected)}"
    elif kind == "enum":
        choices = [str(c) for c in expected]
        guess = _suggestion(value, choices) if isinstance(value, str) else ""
        message = f"{_clip(value)} is not one of: {', '.join(choices)}{guess}"
    elif kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_JSON_TYPES.get(str(n), str(n)) for n in names)
        message = f"expected {wanted}, not {_json_type(value)}"
    elif kind == "const":
        message = f"must be {json.dumps(expected)}, not {_clip(value)}"
    elif kind == "minLength":
        message = "must not be empty" if expected == 1 else f"shorter than {expected} characters"
    elif kind == "maxLength":
        message = f"longer than {expected} characters"
    elif kind == "minItems":
        message = "must not be empty" if expected == 1 else f"needs at least {expected} elements"
    elif kind == "maxItems":
        message = f"has more than {expected} elements"
    elif kind == "uniqueItems":
        message = "lists the same value twice"
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = _BOUNDS[kind]
        message = f"{_clip(value)} must be {bound} {expected}"
    return None if message is None else PlainError(where, message, _description(error, where))


def _description(error: Any, where: str) -> str | None:
    """The schema's description of the value, but never of the whole document."""
    if not where or not isinstance(error.schema, Mapping):
        return None
    description = error.schema.get("description")
    return description if isinstance(description, str) else None


def plain_schema_findings(errors: Iterable[Any]) -> list[PlainError]:
    """Plain-words findings for jsonschema *errors* (each already its most relevant branch)."""
    unknown: list[PlainError] = []
    missing: dict[tuple[str, str], PlainError] = {}
    other: list[PlainError] = []
    for error in errors:
        where = pointer(*error.absolute_path)
        if error.validator == "additionalProperties":
            unknown.extend(_additional(error, where))
        elif error.validator == "required":
            required = [str(n) for n in error.validator_value]
            for absent in (n for n in required if n not in error.instance):
                missing[(where, absent)] = PlainError(
                    where,
                    f"missing required member {absent!r}",
                    f"required here: {_listing(required)}",
                )
        elif error.validator == "pattern":
            other.append(_pattern(error, where))
        else:
            other.append(
                _simple(error, where)
                or PlainError(where, error.message, _description(error, where))
            )
    # A misspelt member that stands for a missing required one is one finding, not two.
    for finding in unknown:
        parent, _, name = finding.pointer.rpartition("/")
        misspelt = name.replace("~1", "/").replace("~0", "~")
        for where, absent in list(missing):
            if where == parent and did_you_mean(misspelt, [absent]):
                del missing[(where, absent)]
    return [*unknown, *missing.values(), *other]
