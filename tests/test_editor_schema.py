"""``$schema`` in a document: allowed for editors, outside what is signed, never read by validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import _signing_fixtures as fx
from woda_sharing import digest, signed_bytes, validate, verify
from woda_sharing._codec import structure
from woda_sharing._model import Charter
from woda_sharing.testing import example_agreement, example_charter

AGREEMENT_SCHEMA = "https://schemas.woda-sharing.org/1/agreement.schema.json"
CHARTER_SCHEMA = "https://schemas.woda-sharing.org/1/charter.schema.json"


def test_a_document_with_schema_validates_as_without() -> None:
    charter = example_charter()
    agreement = example_agreement(charter)
    plain = validate(agreement, charter=charter)
    hinted = validate({"$schema": AGREEMENT_SCHEMA, **agreement}, charter=charter)
    assert [f.code for f in hinted.findings] == [f.code for f in plain.findings]
    assert validate({"$schema": CHARTER_SCHEMA, **charter}).ok


def test_schema_is_not_part_of_the_digest_nor_the_signed_bytes() -> None:
    charter = example_charter()
    for hint in (CHARTER_SCHEMA, "./schemas/charter.schema.json"):
        hinted = {"$schema": hint, **charter}
        assert signed_bytes(hinted) == signed_bytes(charter)
        assert digest(hinted) == digest(charter)
    assert digest({**charter, "title": "Another"}) != digest(charter)  # the rest still counts


def test_changing_schema_after_signing_keeps_every_endorsement_valid() -> None:
    doc = fx.endorsed(fx.charter(), fx.MEMBERS)
    assert verify(doc, fx.keyring_for(), at=fx.NOW)
    moved = {**doc, "$schema": "https://example.org/elsewhere.json"}
    assert verify(moved, fx.keyring_for(), at=fx.NOW)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(1, id="number"),
        pytest.param("", id="empty"),
        pytest.param("x" * 2049, id="long"),
    ],
)
def test_schema_must_be_a_short_string(value: Any) -> None:
    report = validate({"$schema": value, **example_charter()})
    assert not report.ok
    assert any(f.pointer == "/$schema" for f in report.findings), [
        f.text() for f in report.findings
    ]


def test_the_typed_model_leaves_schema_out() -> None:
    data = json.loads(json.dumps(fx.charter()))
    assert structure({"$schema": CHARTER_SCHEMA, **data}, Charter) == structure(data, Charter)


def test_only_schema_is_exempt_other_unknown_members_are_not() -> None:
    report = validate({"$schemas": CHARTER_SCHEMA, **example_charter()})
    assert not report.ok
