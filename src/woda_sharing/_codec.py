"""The one cattrs converter that owns the JSON wire format.

Python names and wire names mostly agree; where they do not (a flow's ``from``
and ``to`` are `Flow.source` and `Flow.recipient`), the renames are declared
here once. Dates travel as ``YYYY-MM-DD`` strings, optional members that are
absent on the wire are ``None`` in the model and are left out again on the
way back, and legal bases are told apart by their ``type`` member.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, TypeVar, Union

import attrs
from cattrs import ClassValidationError, Converter, IterableValidationError
from cattrs.errors import IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from woda_sharing import _legal as legal
from woda_sharing._findings import pointer as json_pointer
from woda_sharing._legal import CatalogueEntry, LegalBasis
from woda_sharing._model import Agreement, Category, Charter, Flow, Retention, unchecked
from woda_sharing.exceptions import DocumentError

__all__ = [
    "StructureIssue",
    "converter",
    "parse_date",
    "structure",
    "structure_entries",
    "structure_issues",
    "unstructure",
]

T = TypeVar("T")

#: Python attribute name → wire name, per class, where they differ.
_RENAMES: Final[Mapping[type, Mapping[str, str]]] = {
    Flow: {"source": "from", "recipient": "to"},
}
#: Members left out of the wire form when false: a false one would be meaningless there.
_OMIT_FALSE: Final[Mapping[type, frozenset[str]]] = {Retention: frozenset({"view_only"})}
#: An item's category: one value, or several that hold together.
_CATEGORIES: Final = Category | tuple[Category, ...]
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: object) -> dt.date:
    """Parse a wire date: exactly ``YYYY-MM-DD`` and a real day, or raise `ValueError`."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _structure_date(value: object, _: type) -> dt.date:
    return parse_date(value)


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _structure_int(value: object, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not an integer")
    return value


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _structure_str_tuple(value: object, _: type) -> tuple[str, ...]:
    # The hot path of structuring: lists of ids. One C-level pass instead of cattrs' generic loop.
    if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
        return tuple(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{value!r} is not an array")
    errors = [
        _annotate(TypeError(f"{v!r} is not a string"), i)
        for i, v in enumerate(value)
        if not isinstance(v, str)
    ]
    raise IterableValidationError("invalid members", errors, tuple[str, ...])


_CATEGORY_BY_VALUE: Final = {c.value: c for c in Category}


def _trusted_categories(value: Any, _: object) -> Category | tuple[Category, ...]:
    # The schema has checked the values: a dictionary lookup, as for any enum on the trusted path.
    if type(value) is str:
        return _CATEGORY_BY_VALUE[value]
    return tuple(_CATEGORY_BY_VALUE[v] for v in value)


def _structure_categories(value: object, _: object) -> Category | tuple[Category, ...]:
    if isinstance(value, str):
        return Category(value)
    if not isinstance(value, (list, tuple)) or not value:
        raise TypeError(f"{value!r} is not a category or a non-empty array of categories")
    categories = tuple(Category(v) if isinstance(v, str) else _not_category(v) for v in value)
    if len(set(categories)) != len(categories):
        raise ValueError(f"{value!r} repeats a category")
    return categories


def _not_category(value: object) -> Category:
    raise TypeError(f"{value!r} is not a category")


def _unstructure_categories(value: Category | tuple[Category, ...]) -> str | list[str]:
    if isinstance(value, Category):
        return value.value
    return [c.value for c in value]


def _annotate(error: Exception, index: int) -> Exception:
    error.__notes__ = [IterableValidationNote(f"Structuring tuple @ index {index}", index, str)]
    return error


def _trusted_str_tuple(value: Any, _: type) -> tuple[str, ...]:
    return tuple(value)


def _trusted_optional_str(value: Any, _: type) -> str | None:
    return value  # type: ignore[no-any-return]


def _trusted_enum(cls: type[enum.Enum]) -> Callable[[Any, type], Any]:
    by_value = {member.value: member for member in cls}

    def structure_enum(value: Any, _: type) -> enum.Enum:
        return by_value[value]

    return structure_enum


def _is_optional_attrs(t: object) -> bool:
    args = getattr(t, "__args__", ())
    return len(args) == 2 and type(None) in args and any(attrs.has(a) for a in args)


def _trusted_optional(conv: Converter, t: Any) -> Callable[[Any, type], Any]:
    # The schema has no nulls: a member that is present is the attrs class itself.
    inner = next(a for a in t.__args__ if a is not type(None))
    return conv.get_structure_hook(inner)


#: JSON scalars the compiled schema has already typed: the trusted converter passes them through.
_SCALARS: Final = (str, bool)  # not int: a JSON 1.0 is an integer to the schema


def _is_passthrough(t: object) -> bool:
    """A ``Literal`` of strings, or an optional scalar or ``Literal`` (``int | None``)."""
    if getattr(t, "__origin__", None) is Literal:
        return all(isinstance(a, str) for a in getattr(t, "__args__", ()))
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    if getattr(t, "__origin__", None) is not Union and not isinstance(t, types.UnionType):
        return False
    return (
        len(args) == 2
        and type(None) in args
        and all(a is type(None) or a in _SCALARS or _is_passthrough(a) for a in args)
    )


def _trusted_passthrough(value: Any, _: type) -> Any:
    return value


def _is_optional(t: object) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    union = getattr(t, "__origin__", None) is Union or isinstance(t, types.UnionType)
    return union and len(args) == 2 and type(None) in args


def _trusted_optional_any(conv: Converter, t: Any) -> Callable[[Any, type], Any]:
    # cattrs' own hook for an optional member hashes the union on every call.
    inner = next(a for a in t.__args__ if a is not type(None))
    hook = conv.get_structure_hook(inner)

    def structure_optional(value: Any, _: type) -> Any:
        return None if value is None else hook(value, inner)

    return structure_optional


def _is_tuple_of_attrs(t: object) -> bool:
    args: tuple[Any, ...] = getattr(t, "__args__", ())
    return (
        getattr(t, "__origin__", None) is tuple
        and len(args) == 2
        and args[1] is Ellipsis
        and attrs.has(args[0])
    )


def _trusted_tuple_of_attrs(conv: Converter, t: Any) -> Callable[[Any, type], Any]:
    # One list comprehension over the elements instead of cattrs' generic generator.
    inner = t.__args__[0]
    element = conv.get_structure_hook(inner)

    def structure_tuple(value: Any, _: type) -> tuple[Any, ...]:
        return tuple([element(v, inner) for v in value])

    return structure_tuple


def _make_converter(*, trusted: bool = False) -> Converter:
    """Build the converter. Both variants share every wire-format declaration.

    The strict variant checks every JSON type itself, so it is safe on any
    input. The *trusted* variant is only for data the compiled schema
    validator has just accepted: the schema already guarantees each member's
    JSON type, so strings, integers and booleans pass through C-level calls
    instead of Python hooks (see docs/explanation/performance.md).
    """
    # The schema refuses unknown members (additionalProperties: false), so only the
    # strict variant needs to look for them again.
    conv = Converter(forbid_extra_keys=not trusted, detailed_validation=not trusted)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook_func(
        lambda t: t == _CATEGORIES, _trusted_categories if trusted else _structure_categories
    )
    conv.register_unstructure_hook_func(lambda t: t == _CATEGORIES, _unstructure_categories)
    if trusted:
        conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _trusted_str_tuple)
        conv.register_structure_hook_factory(_is_optional, lambda t: _trusted_optional_any(conv, t))
        conv.register_structure_hook_func(_is_passthrough, _trusted_passthrough)
        conv.register_structure_hook_func(lambda t: t == (str | None), _trusted_optional_str)
        conv.register_structure_hook_factory(
            lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _trusted_enum
        )
        conv.register_structure_hook_factory(
            _is_optional_attrs, lambda t: _trusted_optional(conv, t)
        )
        conv.register_structure_hook_factory(
            _is_tuple_of_attrs, lambda t: _trusted_tuple_of_attrs(conv, t)
        )
    else:
        conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_str_tuple)
        conv.register_structure_hook(bool, _structure_bool)
        conv.register_structure_hook(int, _structure_int)
        conv.register_structure_hook(str, _structure_str)

    def structure_factory(cls: type) -> Callable[[Any, type], Any]:
        renames = _RENAMES.get(cls, {})
        overrides: dict[str, Any] = {name: override(rename=wire) for name, wire in renames.items()}
        return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=not trusted, **overrides)

    def unstructure_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        renames = _RENAMES.get(cls, {})
        overrides: dict[str, Any] = {}
        omit_false = _OMIT_FALSE.get(cls, frozenset())
        for a in attrs.fields(cls):
            omit = (
                a.default is None
                or a.default == ()
                or a.metadata.get("omit_if_default", False)
                or a.name in omit_false
            )
            if a.name in ("kind", "format_version", "type"):
                omit = False
            overrides[a.name] = override(rename=renames.get(a.name), omit_if_default=omit)
        return make_dict_unstructure_fn(cls, conv, **overrides)

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)

    def structure_basis(value: object, _: type) -> LegalBasis:
        if not isinstance(value, Mapping):
            raise TypeError(f"{value!r} is not a legal basis object")
        cls = legal.basis_type(str(value.get("type")))
        result: LegalBasis = conv.structure(value, cls)
        return result

    conv.register_structure_hook(LegalBasis, structure_basis)
    return conv


#: The converter. Use `structure` and `unstructure` rather than calling it directly.
converter: Final = _make_converter()
_DOCUMENTS: Final = frozenset({Charter, Agreement})
_trusted: Final = _make_converter(trusted=True)


def structure_schema_valid(data: Mapping[str, Any], cls: type[T]) -> T:
    """Like `structure`, for data the compiled schema validator has just accepted.

    Faster, because the schema has already checked every JSON type; a value
    the schema cannot judge (an impossible date) still raises `DocumentError`,
    with pointers from the strict converter.
    """
    try:
        with unchecked():  # the schema has checked every type
            return _trusted.structure(data, cls)
    except Exception:
        return structure(data, cls)


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build a *cls* (`Charter`, `Agreement`, ...) from wire data, raising `DocumentError`.

    A document's ``$schema`` (an editor's hint, outside the model) is left out.
    """
    if "$schema" in data and cls in _DOCUMENTS:
        data = {k: v for k, v in data.items() if k != "$schema"}
    try:
        with unchecked():  # the strict converter checks every JSON type itself
            return converter.structure(data, cls)
    except Exception as e:
        issues = structure_issues(e, cls)
        detail = "; ".join(f"{i.pointer or '/'}: {i.message}" for i in issues)
        raise DocumentError(f"not a valid {cls.__name__}: {detail}") from e


def unstructure(document: Charter | Agreement | attrs.AttrsInstance) -> dict[str, Any]:
    """Return the wire form (JSON-ready dict) of a model object."""
    result: dict[str, Any] = converter.unstructure(document)
    return result


def structure_entries(raw: Iterable[Mapping[str, Any]]) -> list[CatalogueEntry]:
    """Build catalogue entries from their wire form, raising `DocumentError` for a bad one."""
    return [structure(entry, CatalogueEntry) for entry in raw]


@attrs.frozen(kw_only=True)
class StructureIssue:
    """Where and why wire data could not be turned into the model."""

    pointer: str
    message: str


def structure_issues(error: BaseException, cls: type) -> list[StructureIssue]:
    """Flatten a cattrs error tree into issues with RFC 6901 pointers over wire names."""
    out: list[StructureIssue] = []
    _walk(error, cls, "", out)
    return out


def _walk(error: BaseException, cls: type | None, pointer: str, out: list[StructureIssue]) -> None:
    if isinstance(error, ClassValidationError):
        with_notes, without = error.group_exceptions()
        renames = _RENAMES.get(cls, {}) if isinstance(cls, type) else {}
        for exc, note in with_notes:
            wire = renames.get(note.name, note.name)
            if isinstance(exc, KeyError):  # a missing member: point at the object that lacks it
                out.append(
                    StructureIssue(pointer=pointer, message=f"required member {wire!r} is missing")
                )
                continue
            inner = _field_type(cls, note.name)
            _walk(exc, inner, pointer + json_pointer(wire), out)
        for exc in without:
            _walk(exc, None, pointer, out)
    elif isinstance(error, IterableValidationError):
        indexed, unindexed = error.group_exceptions()
        for exc, index_note in indexed:
            _walk(exc, _element_type(index_note.type), f"{pointer}/{index_note.index}", out)
        for exc in unindexed:
            _walk(exc, None, pointer, out)
    elif isinstance(error, KeyError):
        out.append(StructureIssue(pointer=pointer, message=f"required member {error} is missing"))
    else:
        text = str(error) or type(error).__name__
        out.append(StructureIssue(pointer=pointer, message=text))


def _field_type(cls: type | None, name: str) -> type | None:
    if cls is None or not attrs.has(cls):
        return None
    for a in attrs.fields(cls):
        if a.name == name:
            return _element_type(a.type)
    return None


def _element_type(tp: object) -> type | None:
    """Unwrap ``X | None`` and ``tuple[X, ...]`` to the attrs class inside, if any."""
    for arg in (tp, *getattr(tp, "__args__", ())):
        if isinstance(arg, type) and attrs.has(arg):
            return arg
    return None
