from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given

from tests.strategies import documents
from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._legal import Art6Basis, Art6Point, CatalogueEntry, StatutoryGateway
from woda_sharing._model import Agreement, Category, Charter, Flow
from woda_sharing.exceptions import DocumentError


def test_agreement_round_trips_through_the_wire_form(agreement: dict[str, Any]) -> None:
    typed = codec.structure(agreement, Agreement)
    assert typed.start == dt.date(2024, 2, 1)
    assert typed.flows[0].source == "district"
    assert typed.items[0].category is Category.PERSONAL
    wire = codec.unstructure(typed)
    assert codec.structure(wire, Agreement) == typed


def test_flow_wire_names_are_from_and_to() -> None:
    flow = Flow(
        id="f",
        source="a",
        recipient="b",
        items=("x",),
        purposes=("p",),
        bases=("b",),
        frequency="daily",
        method="api",
    )
    wire = codec.unstructure(flow)
    assert wire["from"] == "a"
    assert wire["to"] == "b"
    assert "source" not in wire
    assert "recipient" not in wire


def test_absent_optional_members_stay_absent(charter: dict[str, Any]) -> None:
    typed = codec.structure(charter, Charter)
    assert typed.review is None
    wire = codec.unstructure(typed)
    assert "review" not in wire
    assert "supersedes" not in wire
    assert "endorsements" not in wire
    assert wire["kind"] == "charter"
    assert wire["format_version"] == 1


def test_legal_bases_are_told_apart_by_type() -> None:
    raw = [
        {
            "id": "a",
            "title": "t",
            "citation": "c",
            "basis": {"type": "uk-gdpr-art6", "point": "e"},
        },
        {
            "id": "g",
            "title": "t",
            "citation": "c",
            "basis": {
                "type": "statutory-gateway",
                "act": "X Act",
                "section": "1",
                "nature": "duty",
            },
        },
    ]
    entries = codec.structure_entries(raw)
    assert entries[0].basis == Art6Basis(point=Art6Point.PUBLIC_TASK)
    assert isinstance(entries[1].basis, StatutoryGateway)
    assert [codec.unstructure(e) for e in entries] == raw


@pytest.mark.parametrize(
    ("mutate", "pointer", "fragment"),
    [
        (lambda a: a.__setitem__("start", "2024-02-30"), "/start", "day is out of range"),
        (lambda a: a.__setitem__("start", "1 Feb 2024"), "/start", "YYYY-MM-DD"),
        (lambda a: a["flows"][0].__setitem__("to", 3), "/flows/0/to", "not a string"),
        (lambda a: a["flows"][0]["items"].append(1), "/flows/0/items/2", "not a string"),
        (
            lambda a: a["items"][0].__setitem__("children", "yes"),
            "/items/0/children",
            "true or false",
        ),
        (lambda a: a.__setitem__("version", True), "/version", "not an integer"),
        (lambda a: a["items"][0].__setitem__("category", "secret"), "/items/0/category", "secret"),
        (lambda a: a["flows"][0].pop("from"), "/flows/0", "from"),
    ],
    ids=[
        "impossible-date",
        "not-iso-date",
        "int-for-str",
        "int-in-list",
        "str-for-bool",
        "bool-for-int",
        "bad-enum",
        "missing",
    ],
)
def test_structure_errors_point_at_wire_names(
    agreement: dict[str, Any], mutate: Any, pointer: str, fragment: str
) -> None:
    mutate(agreement)
    with pytest.raises(DocumentError) as info:
        codec.structure(agreement, Agreement)
    issues = codec.structure_issues(info.value.__cause__, Agreement)  # type: ignore[arg-type]
    assert any(i.pointer == pointer and fragment in i.message for i in issues), issues


def test_unknown_basis_type_is_refused() -> None:
    with pytest.raises(DocumentError):
        codec.structure(
            {"id": "a", "title": "t", "citation": "c", "basis": {"type": "charter"}}, CatalogueEntry
        )


@given(document=documents())
def test_the_trusted_converter_builds_what_the_strict_one_builds(
    document: Charter | Agreement,
) -> None:
    wire = codec.unstructure(document)
    assert schema.fast_is_valid(wire["kind"], wire)
    cls = type(document)
    assert codec.structure_schema_valid(wire, cls) == codec.structure(wire, cls) == document


def test_the_trusted_path_still_explains_what_the_schema_cannot_see(
    agreement: dict[str, Any],
) -> None:
    agreement["start"] = "2024-02-30"  # matches the schema's pattern, but is no date
    with pytest.raises(DocumentError, match="/start"):
        codec.structure_schema_valid(agreement, Agreement)


def test_bad_catalogue_entries_raise_document_error() -> None:
    with pytest.raises(DocumentError):
        codec.structure_entries([{"id": "x", "title": "t", "citation": "c"}])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("west-mercia-police", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("West-Mercia", False),
        ("double--hyphen", False),
        ("-leading", False),
        ("trailing\n", False),
        ("w\u0435st", False),  # Cyrillic e
        (7, False),
    ],
    ids=[
        "plain",
        "longest",
        "too-long",
        "capitals",
        "double-hyphen",
        "leading-hyphen",
        "newline",
        "look-alike",
        "not-a-string",
    ],
)
def test_is_id_follows_the_schema_rule(value: object, expected: bool) -> None:
    from woda_sharing._model import is_id

    assert is_id(value) is expected
    id_schema = {**schema.load_schema("common.schema.json")["$defs"]["id"]}
    assert jsonschema_rs.validator_for(id_schema).is_valid(value) is expected  # the schema agrees
