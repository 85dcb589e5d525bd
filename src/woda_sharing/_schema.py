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
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Final

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = [
    "KINDS",
    "SCHEMA_BASE",
    "SCHEMA_FILES",
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


def _pattern(
    validator: Validator, pattern: str, instance: object, _schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_array(_checker: object, instance: object) -> bool:
    return isinstance(instance, (list, tuple))


def _is_object(_checker: object, instance: object) -> bool:
    return isinstance(instance, Mapping)


# Python callers build documents with tuples and read-only mappings; jsonschema-rs reads a
# tuple as an array, so the explainer does too (and any Mapping as an object).
_TYPES: Final = Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"array": _is_array, "object": _is_object}
)
# jsonschema's `extend` is untyped; it returns a validator class like the one it extends.
_Explainer: Final[type[Validator]] = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}, type_checker=_TYPES
)


@functools.cache
def explainer(kind: str) -> Validator:
    """Return the ``jsonschema`` validator that explains failures against *kind*'s schema.

    It is `Draft202012Validator` with the packaged `registry`, except that
    ``pattern`` follows ECMA-262 exactly (see the module documentation).
    """
    validator: Validator = _Explainer(load_schema(KINDS[kind]), registry=registry())
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
        return bool(explainer(kind).is_valid(checked))


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
        yield ValidationError(
            "the document nests too deeply to be checked against its schema",
            validator="maxDepth",  # not a JSON Schema keyword: the explainer's own limit
        )
