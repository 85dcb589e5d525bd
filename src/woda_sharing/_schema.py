r"""The published JSON Schemas: packaged, registered once, validators built once.

The schemas in the repository's ``schemas/`` folder ship inside the wheel as
``woda_sharing/schemas`` and load with `importlib.resources`. Each document
kind has one schema; shared definitions live in ``common.schema.json``.

Two validators judge every document against the same schema: a compiled one
(jsonschema-rs) decides the common, valid case quickly, and ``jsonschema``
explains a failure with its precise errors. A differential test keeps them in
agreement about validity; see ``docs/explanation/performance.md`` for why.

One difference between the two had to be closed here. JSON Schema patterns are
ECMA-262 regular expressions, where ``$`` matches only at the very end of the
string; in Python's `re`, ``$`` also matches just before a final newline, so
plain jsonschema would accept the identifier ``"abc\n"`` that jsonschema-rs
(and the standard) refuse. The explaining validator therefore checks
``pattern`` with ``$`` read as ECMA-262 reads it, and, like jsonschema-rs,
reads a `tuple` as an array (and any `Mapping` as an object).

Explaining a failure costs time linear in the document, whatever it holds:

- ``uniqueItems`` is checked with a set of hashable forms of the items (one
  pass), not jsonschema's pairwise comparison, which is quadratic for items
  that cannot be sorted (objects); an array already longer than its
  ``maxItems`` is not checked for uniqueness at all (the cheaper refusal says
  enough);
- every message that echoes the offending value echoes a clipped form of it
  (`echo`: at most a few members or items, each clipped), never the whole
  subtree;
- `explain` keeps the first `MAX_SCHEMA_ERRORS` errors and only counts the
  rest, so memory stays bounded however many values are wrong.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

import jsonschema_rs
from attrs import frozen

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry

# jsonschema and referencing load only to explain a failure (or for a caller that asks for
# `registry`): a valid document never needs them, since jsonschema-rs decides (issue 16).

__all__ = [
    "KINDS",
    "MAX_SCHEMA_ERRORS",
    "SCHEMA_BASE",
    "SCHEMA_FILES",
    "Explanation",
    "echo",
    "explain",
    "explainer",
    "fast_is_valid",
    "iter_schema_errors",
    "load_schema",
    "registry",
    "schema_id",
]

#: The base of every schema ``$id``.
SCHEMA_BASE: Final = "https://schemas.woda-sharing.org/1/"

#: Document kinds that have a schema, and the file holding it.
KINDS: Final[Mapping[str, str]] = {
    "charter": "charter.schema.json",
    "agreement": "agreement.schema.json",
    "keyring": "keyring.schema.json",
}
_SHARED: Final = ("common.schema.json",)

#: Every packaged schema file: the shared definitions, then one per document kind.
SCHEMA_FILES: Final = (*_SHARED, *KINDS.values())


def schema_id(kind: str) -> str:
    """Return the stable ``$id`` of the schema for *kind*."""
    return SCHEMA_BASE + KINDS[kind]


def _files() -> list[str]:
    folder = resources.files("woda_sharing").joinpath("schemas")
    return [name for name in SCHEMA_FILES if folder.joinpath(name).is_file()]


@functools.cache
def load_schema(filename: str) -> Mapping[str, Any]:
    """Return the parsed packaged schema file *filename* (for instance ``agreement.schema.json``)."""
    raw = resources.files("woda_sharing").joinpath("schemas", filename).read_bytes()
    schema: Mapping[str, Any] = json.loads(raw)
    return schema


@functools.cache
def registry() -> Registry[Any]:
    """Return a `referencing` registry holding every packaged schema under its ``$id``.

    Give it to a ``jsonschema`` validator to resolve the schemas' references to
    each other without network access::

        Draft202012Validator(load_schema("agreement.schema.json"), registry=registry())
    """
    from referencing import Registry, Resource  # noqa: PLC0415 - see the imports above
    from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

    resources_ = [
        (
            SCHEMA_BASE + name,
            Resource.from_contents(load_schema(name), default_specification=DRAFT202012),
        )
        for name in _files()
    ]
    result: Registry[Any] = Registry().with_resources(resources_)
    return result


def _ecma_pattern(pattern: str) -> str:
    r"""Translate an ECMA-262 pattern's end anchor ``$`` into Python's ``\Z``.

    Only an unescaped ``$`` outside a character class is an anchor; without
    the ``m`` flag (JSON Schema has none) ECMA-262 matches it at the very end.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(_ecma_pattern(pattern))


#: The most schema errors `explain` keeps; the rest are only counted.
MAX_SCHEMA_ERRORS: Final = 100
_ECHO_TEXT: Final = 60  # characters of a string shown
_ECHO_ITEMS: Final = 3  # items or members of a container shown
_ECHO_DEPTH: Final = 2  # levels of nesting shown
_ECHO_DIGITS: Final = 30  # digits of an integer shown


def echo(value: object, _depth: int = 0) -> str:  # noqa: PLR0911 - one return per JSON type
    """A short ``repr`` of *value* for a message: the same as ``repr`` for small values.

    Strings are cut after 60 characters, containers after three items or
    members and two levels, integers after 30 digits; what was cut is said
    with its size. The cost depends on what is shown, never on the size of
    *value*.
    """
    if isinstance(value, str):
        if len(value) <= _ECHO_TEXT:
            return repr(value)
        return f"{value[:_ECHO_TEXT]!r}... ({len(value)} characters)"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10**_ECHO_DIGITS:
            return repr(value)
        return f"<an integer of {value.bit_length()} bits>"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        if _depth >= _ECHO_DEPTH:
            return f"{{... ({_count(len(value), 'member')})}}"
        shown = [
            f"{echo(k, _depth + 1)}: {echo(v, _depth + 1)}"
            for k, v in itertools.islice(value.items(), _ECHO_ITEMS)
        ]
        more = len(value) - len(shown)
        rest = f", ... ({more} more)" if more else ""
        return "{" + ", ".join(shown) + rest + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return repr(value)
        if _depth >= _ECHO_DEPTH:
            return f"[... ({_count(len(value), 'item')})]"
        shown = [echo(v, _depth + 1) for v in value[:_ECHO_ITEMS]]
        more = len(value) - len(shown)
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        if isinstance(value, tuple) and len(value) == 1:
            close = ",)"
        rest = f", ... ({more} more)" if more else ""
        return open_ + ", ".join(shown) + rest + close
    return f"<{type(value).__name__}>"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _error(message: str, **kwargs: Any) -> ValidationError:
    """A jsonschema `ValidationError`; jsonschema is imported on the first failure explained."""
    from jsonschema.exceptions import ValidationError  # noqa: PLC0415 - see the imports above

    return ValidationError(message, **kwargs)


def _pattern(
    validator: Any, pattern: str, instance: object, _schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield _error(f"{echo(instance)} does not match {pattern!r}")


class _Unhashable(Exception):  # noqa: N818 - internal signal, never escapes this module
    """An item has no hashable form (a Python value that is not JSON)."""


def _frozen(value: object) -> object:
    """A hashable form of a JSON value, equal exactly when jsonschema calls the values equal.

    ``1`` and ``1.0`` are equal, ``true`` and ``1`` are not, an array and an
    object never are, and member order does not matter.
    """
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, bool):
        return ("b", value)
    if value is None:
        return ("n",)
    if isinstance(value, (int, float)):
        return ("#", value)
    if isinstance(value, Mapping):
        return ("o", frozenset((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("a", tuple(_frozen(v) for v in value))
    raise _Unhashable


def _has_duplicates(items: Iterable[object]) -> bool:
    seen: set[object] = set()
    for item in items:
        key = _frozen(item)
        if key in seen:
            return True
        seen.add(key)
    return False


def _unique_items(
    validator: Any,
    unique: bool,  # noqa: FBT001 - jsonschema calls keyword functions positionally
    instance: object,
    schema: Mapping[str, Any],
) -> Iterator[ValidationError]:
    if not unique or not isinstance(instance, (list, tuple)):
        return
    limit = schema.get("maxItems")
    if type(limit) is int and len(instance) > limit:
        return  # maxItems refuses it already, and cheaply
    try:
        duplicated = _has_duplicates(instance)
    except _Unhashable:
        duplicated = not _jsonschema_uniq(instance)
    if duplicated:
        yield _error(f"{echo(instance)} has non-unique elements")


def _jsonschema_uniq(instance: object) -> bool:
    from jsonschema._utils import uniq  # noqa: PLC0415 - private helper, only for non-JSON values

    checked: Any = instance
    return bool(uniq(checked))


def _clipped(keyword: str, check: Any, message: str) -> Any:
    """A keyword function that refuses like jsonschema's own but echoes `echo` of the value."""

    def function(
        validator: Any, value: Any, instance: Any, _schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        failed = check(validator, value, instance)
        if failed:
            text = message if isinstance(failed, bool) else failed
            yield _error(f"{echo(instance)} {text.format(value=value)}")

    function.__name__ = keyword
    return function


def _type_failed(validator: Any, types: Any, instance: object) -> str | bool:
    names = [types] if isinstance(types, str) else types
    if any(validator.is_type(instance, t) for t in names):
        return False
    return "is not of type " + ", ".join(repr(t) for t in names)


def _enum_failed(_validator: Any, enums: Any, instance: object) -> bool:
    from jsonschema._utils import equal  # noqa: PLC0415 - jsonschema's own notion of equal

    return all(not equal(each, instance) for each in enums)


def _too_few(kind: str) -> Any:
    def check(validator: Any, least: int, instance: Any) -> str | bool:
        if not validator.is_type(instance, kind) or len(instance) >= least:
            return False
        return "should be non-empty" if least == 1 else "is too short"

    return check


def _too_many(kind: str) -> Any:
    def check(validator: Any, most: int, instance: Any) -> str | bool:
        if not validator.is_type(instance, kind) or len(instance) <= most:
            return False
        return "is expected to be empty" if most == 0 else "is too long"

    return check


def _below(validator: Any, minimum: Any, instance: Any) -> bool:
    return bool(validator.is_type(instance, "number") and instance < minimum)


def _above(validator: Any, maximum: Any, instance: Any) -> bool:
    return bool(validator.is_type(instance, "number") and instance > maximum)


def _not_failed(validator: Any, not_schema: Any, instance: object) -> bool:
    return bool(validator.evolve(schema=not_schema).is_valid(instance))


def _any_of(
    validator: Any, any_of: Any, instance: object, _schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    errors: list[ValidationError] = []
    for index, subschema in enumerate(any_of):
        found = list(validator.descend(instance, subschema, schema_path=index))
        if not found:
            return
        errors.extend(found)
    yield _error(f"{echo(instance)} is not valid under any of the given schemas", context=errors)


def _one_of(
    validator: Any, one_of: Any, instance: object, _schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    errors: list[ValidationError] = []
    valid: list[int] = []
    for index, subschema in enumerate(one_of):
        if valid:
            if validator.evolve(schema=subschema).is_valid(instance):
                valid.append(index)
            continue
        found = list(validator.descend(instance, subschema, schema_path=index))
        if found:
            errors.extend(found)
        else:
            valid.append(index)
    if not valid:
        yield _error(
            f"{echo(instance)} is not valid under any of the given schemas", context=errors
        )
    elif len(valid) > 1:
        which = ", ".join(str(i) for i in valid)
        yield _error(f"{echo(instance)} is valid under each of subschemas {which}")


def _additional_properties(
    validator: Any, allowed: Any, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, Mapping):
        return
    known = schema.get("properties", {})
    extras = [name for name in instance if name not in known]
    if isinstance(allowed, Mapping):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif not allowed and extras:
        shown = ", ".join(echo(name) for name in sorted(extras[:_ECHO_ITEMS], key=str))
        more = f" and {len(extras) - _ECHO_ITEMS} more" if len(extras) > _ECHO_ITEMS else ""
        verb = "was" if len(extras) == 1 else "were"
        yield _error(f"Additional properties are not allowed ({shown}{more} {verb} unexpected)")


_KEYWORDS: Final[Mapping[str, Any]] = {
    "pattern": _pattern,
    "uniqueItems": _unique_items,
    "type": _clipped("type", _type_failed, ""),
    "enum": _clipped("enum", _enum_failed, "is not one of {value!r}"),
    "minItems": _clipped("minItems", _too_few("array"), ""),
    "maxItems": _clipped("maxItems", _too_many("array"), ""),
    "minLength": _clipped("minLength", _too_few("string"), ""),
    "maxLength": _clipped("maxLength", _too_many("string"), ""),
    "minimum": _clipped("minimum", _below, "is less than the minimum of {value!r}"),
    "maximum": _clipped("maximum", _above, "is greater than the maximum of {value!r}"),
    "not": _clipped("not", _not_failed, "should not be valid under {value!r}"),
    "anyOf": _any_of,
    "oneOf": _one_of,
    "additionalProperties": _additional_properties,
}


def _is_array(_checker: object, instance: object) -> bool:
    return isinstance(instance, (list, tuple))


def _is_object(_checker: object, instance: object) -> bool:
    return isinstance(instance, Mapping)


@functools.cache
def _explainer_class() -> type[Validator]:
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - see the imports above
    from jsonschema.validators import extend  # noqa: PLC0415

    # Python callers build documents with tuples and read-only mappings; jsonschema-rs reads a
    # tuple as an array, so the explainer does too (and any Mapping as an object).
    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"array": _is_array, "object": _is_object}
    )
    # jsonschema's `extend` is untyped; it returns a validator class like the one it extends.
    explaining: type[Validator] = extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, dict(_KEYWORDS), type_checker=types
    )
    return explaining


@functools.cache
def explainer(kind: str) -> Validator:
    """Return the ``jsonschema`` validator that explains failures against *kind*'s schema.

    It is `Draft202012Validator` with the packaged `registry`, except that
    ``pattern`` follows ECMA-262 exactly, ``uniqueItems`` is checked in one
    pass, and messages echo clipped values (see the module documentation).
    """
    validator: Validator = _explainer_class()(load_schema(KINDS[kind]), registry=registry())
    return validator


@functools.cache
def _fast(kind: str) -> Any:
    documents: list[tuple[str, Any]] = [
        (SCHEMA_BASE + name, load_schema(name)) for name in _files()
    ]
    top: Any = load_schema(KINDS[kind])
    return jsonschema_rs.Draft202012Validator(top, registry=jsonschema_rs.Registry(documents))


def fast_is_valid(kind: str, instance: object) -> bool:
    """Whether *instance* is valid against the schema of *kind* (compiled validator).

    jsonschema-rs reads plain JSON values only (`dict`, `list`, `tuple`, `str`,
    `int`, `float`, `bool`, `None`); for anything else (a `MappingProxyType`, an
    `int` subclass, a non-string key) the explaining validator decides instead.
    """
    try:
        return bool(_fast(kind).is_valid(instance))
    except (ValueError, OverflowError):
        checked: Any = instance  # jsonschema's stubs say JSON only; any value can be checked
        try:
            return bool(explainer(kind).is_valid(checked))
        except RecursionError:
            return False  # too deep to judge is not valid; `iter_schema_errors` says why


def iter_schema_errors(kind: str, instance: object) -> Iterator[ValidationError]:
    """Yield jsonschema's errors for *instance* against the schema of *kind*.

    jsonschema recurses once per level of nesting. Documents read from bytes
    are never deeper than the loader's limit, but a mapping built in Python
    may be; when one is too deep to explain, the last error says so at the
    document's root instead of raising `RecursionError`.
    """
    checked: Any = instance  # any Python value can be checked; jsonschema's stubs say JSON only
    try:
        yield from explainer(kind).iter_errors(checked)
    except RecursionError:
        yield _error(
            "the document nests too deeply to be checked against its schema",
            validator="maxDepth",  # not a JSON Schema keyword: the explainer's own limit
        )


@frozen(kw_only=True)
class Explanation:
    """The first errors of an invalid document, and how many more there were."""

    errors: tuple[ValidationError, ...]
    more: int


def explain(kind: str, instance: object, *, limit: int = MAX_SCHEMA_ERRORS) -> Explanation:
    """Keep the first *limit* of `iter_schema_errors` and count the rest (memory stays bounded)."""
    errors = iter_schema_errors(kind, instance)
    kept = tuple(itertools.islice(errors, limit))
    return Explanation(errors=kept, more=sum(1 for _ in errors))
