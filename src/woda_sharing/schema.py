"""The published JSON Schemas: packaged, registered once, validators built once.

The schemas in the repository's ``schemas/`` folder ship inside the wheel as
``woda_sharing/schemas`` and load with `importlib.resources`. Each document
kind has one schema; shared definitions live in ``common.schema.json``.

Two validators judge every document against the same schema: a compiled one
(jsonschema-rs) decides the common, valid case quickly, and ``jsonschema``
explains a failure with its precise errors. A differential test keeps them in
agreement about validity; see ``docs/explanation/performance.md`` for why.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Final

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["KINDS", "SCHEMA_BASE", "fast_is_valid", "iter_schema_errors", "load_schema", "schema_id"]

#: The base of every schema ``$id``.
SCHEMA_BASE: Final = "https://schemas.woda-sharing.org/1/"

#: Document kinds that have a schema, and the file holding it.
KINDS: Final[Mapping[str, str]] = {
    "charter": "charter.schema.json",
    "agreement": "agreement.schema.json",
    "keyring": "keyring.schema.json",
}
_SHARED: Final = ("common.schema.json",)


def schema_id(kind: str) -> str:
    """Return the stable ``$id`` of the schema for *kind*."""
    return SCHEMA_BASE + KINDS[kind]


def _files() -> list[str]:
    folder = resources.files("woda_sharing").joinpath("schemas")
    return [name for name in (*_SHARED, *KINDS.values()) if folder.joinpath(name).is_file()]


@functools.cache
def load_schema(filename: str) -> Mapping[str, Any]:
    """Return the parsed packaged schema file *filename* (for instance ``agreement.schema.json``)."""
    raw = resources.files("woda_sharing").joinpath("schemas", filename).read_bytes()
    schema: Mapping[str, Any] = json.loads(raw)
    return schema


@functools.cache
def _registry() -> Registry[Any]:
    resources_ = [
        (SCHEMA_BASE + name, Resource.from_contents(load_schema(name), default_specification=DRAFT202012))
        for name in _files()
    ]
    registry: Registry[Any] = Registry().with_resources(resources_)
    return registry


@functools.cache
def _explainer(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(KINDS[kind]), registry=_registry())


@functools.cache
def _fast(kind: str) -> Any:
    registry = jsonschema_rs.Registry([(SCHEMA_BASE + name, load_schema(name)) for name in _files()])
    return jsonschema_rs.Draft202012Validator(load_schema(KINDS[kind]), registry=registry)


def fast_is_valid(kind: str, instance: object) -> bool:
    """Whether *instance* is valid against the schema of *kind* (compiled validator)."""
    return bool(_fast(kind).is_valid(instance))


def iter_schema_errors(kind: str, instance: object) -> Iterator[ValidationError]:
    """Yield jsonschema's errors for *instance* against the schema of *kind*."""
    return _explainer(kind).iter_errors(instance)
