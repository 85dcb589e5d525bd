"""The transparency export's formats: CSV that a spreadsheet cannot run, JSON as published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import attrs
import pytest

from woda_sharing.register import Entry, State, export_csv, export_json, published

ENTRY = Entry(
    kind="agreement",
    id="a",
    version=2,
    digest="sha256:ab",
    title='=HYPERLINK("https://example.invalid")',
    current=True,
    state=State.ENDORSED,
    imported_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    start=dt.date(2024, 2, 1),
    review=dt.date(2025, 1, 31),
)
BODY = {
    "parties": [
        {"id": "p", "organisation": "county-council", "capacity": "housing", "role": "controller"},
        "not a party",
    ],
    "purposes": [{"id": "early-help"}],
    "items": [
        {"id": "name", "category": "personal"},
        {"id": "health", "category": "special-category"},
    ],
    "flows": [{"bases": ["uk-gdpr-art-6-1-e", 3], "capacity_basis": "la-1972-s111"}, "x"],
}


def test_every_field_by_default() -> None:
    record = published(ENTRY, BODY)
    assert record["parties"] == [
        {"organisation": "county-council", "capacity": "housing", "role": "controller"}
    ]
    assert record["legal_bases"] == ["la-1972-s111", "uk-gdpr-art-6-1-e"]
    assert record["items"] == {"personal": ["name"], "special-category": ["health"]}
    assert (record["start"], record["end"], record["review"]) == ("2024-02-01", None, "2025-01-31")


@pytest.mark.parametrize(
    "fields", [(), ("digest",), ("items", "dates")], ids=["none", "digest", "two"]
)
def test_only_the_chosen_fields(fields: tuple[str, ...]) -> None:
    record = published(ENTRY, BODY, fields)
    assert set(record) - {"kind", "id", "version", "title"} == {
        {"legal-bases": "legal_bases", "dates": "start"}.get(f, f) for f in fields
    } | ({"end"} if "dates" in fields else set())


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_be_formulas(start: str) -> None:
    entry = attrs.evolve(ENTRY, title=f"{start}1+1")
    text = export_csv([published(entry, BODY)])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title"] == f"'{start}1+1"
    assert row["parties"] == "county-council:housing (controller)"
    assert row["items"] == "personal: name; special-category: health"


def test_json_export() -> None:
    document = json.loads(export_json([published(ENTRY, BODY)]))
    assert document["format"] == "woda-register-export"
    assert document["agreements"][0]["title"] == ENTRY.title
