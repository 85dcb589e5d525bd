from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from woda_sharing import _codec as codec
from woda_sharing._findings import Severity
from woda_sharing._legal import Art6Basis, Art6Point, Catalogue, CatalogueEntry
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import CharterInfo, require_valid, validate
from woda_sharing.exceptions import DocumentError, UsageError

TODAY = dt.date(2024, 6, 1)


def test_valid_agreement_has_no_findings(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    report = validate(agreement, charter=charter, today=TODAY)
    assert report.ok
    assert report.findings == ()
    assert isinstance(report.document, Agreement)
    assert report.kind == "agreement"


def test_bytes_model_objects_and_mappings_give_the_same_answer(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    typed = codec.structure(agreement, Agreement)
    as_bytes = json.dumps(agreement).encode()
    for form in (agreement, typed, as_bytes):
        assert validate(form, charter=charter, today=TODAY).ok


def test_charter_may_be_given_typed_or_prepared(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    typed = codec.structure(charter, Charter)
    assert validate(agreement, charter=typed, today=TODAY).ok
    assert validate(agreement, charter=CharterInfo.from_data(charter), today=TODAY).ok


def test_the_charter_digest_is_checked_against_its_wire_form(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    charter["title"] = "Amended after the agreement cited it"
    report = validate(agreement, charter=charter, today=TODAY)
    assert [(f.code, f.pointer) for f in report.errors] == [("WS106", "/charter/digest")]
    # A typed charter has no wire form to digest, so only id and version are compared.
    assert validate(agreement, charter=codec.structure(charter, Charter), today=TODAY).ok


def test_without_charter_a_warning_says_charter_rules_did_not_run(
    agreement: dict[str, Any],
) -> None:
    agreement["parties"][0]["organisation"] = "not-a-member"
    report = validate(agreement, today=TODAY)
    assert report.ok
    assert report.codes() == {"WS012"}
    (finding,) = report.findings
    assert finding.severity is Severity.WARNING
    assert finding.pointer == "/charter"


@pytest.mark.parametrize(
    ("raw", "code", "path"),
    [
        (b"\xef\xbb\xbf{}", "WS002", ""),
        (b"{", "WS003", ""),
        (b'{"a": 1, "a": 2}', "WS004", "/a"),
        (b'{"a": 1.5}', "WS005", "/a"),
        (b"[]", "WS007", ""),
        (b'{"format_version": 1}', "WS008", ""),
        (b'{"kind": "memo", "format_version": 1}', "WS008", "/kind"),
        (b'{"kind": "agreement"}', "WS009", ""),
        (b'{"kind": "agreement", "format_version": 2}', "WS009", "/format_version"),
        (b'{"kind": "agreement", "format_version": true}', "WS009", "/format_version"),
    ],
    ids=[
        "bom",
        "syntax",
        "duplicate",
        "float",
        "array",
        "no-kind",
        "unknown-kind",
        "no-version",
        "version-2",
        "version-bool",
    ],
)
def test_load_and_kind_failures_are_findings(raw: bytes, code: str, path: str) -> None:
    report = validate(raw, source="in.json")
    assert not report.ok
    assert [(f.code, f.pointer) for f in report.findings] == [(code, path)]
    assert report.source == "in.json"


def test_schema_failures_carry_pointers_and_stop_before_rules(agreement: dict[str, Any]) -> None:
    agreement["flows"][0]["frequency"] = "hourly"
    agreement["flows"][0]["to"] = "nobody"  # a rule would fire on this, but rules do not run
    report = validate(agreement, today=TODAY)
    assert report.codes() == {"WS010"}
    assert [f.pointer for f in report.findings] == ["/flows/0/frequency"]
    assert report.document is None


def test_one_of_failures_explain_the_closest_branch(agreement: dict[str, Any]) -> None:
    agreement["legal_bases"] = [
        {"id": "x", "title": "t", "citation": "c", "basis": {"type": "uk-gdpr-art6", "point": "z"}}
    ]
    report = validate(agreement, today=TODAY)
    assert report.codes() == {"WS010"}
    assert report.findings[0].pointer.startswith("/legal_bases/0/basis")


def test_structure_failures_are_findings(agreement: dict[str, Any]) -> None:
    agreement["start"] = "2024-13-01"
    report = validate(agreement, today=TODAY)
    assert [(f.code, f.pointer) for f in report.findings] == [("WS011", "/start")]


def test_clashing_legal_basis_entries_are_a_finding(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    agreement["legal_bases"] = [
        {
            "id": "uk-gdpr-art-6-1-e",
            "title": "t",
            "citation": "c",
            "basis": {"type": "uk-gdpr-art6", "point": "a"},
        }
    ]
    report = validate(agreement, charter=charter, today=TODAY)
    assert "WS013" in report.codes()


def test_custom_catalogue_replaces_the_builtin(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    tiny = Catalogue.of(
        [
            CatalogueEntry(
                id="local-basis",
                title="t",
                citation="c",
                basis=Art6Basis(point=Art6Point.PUBLIC_TASK),
            )
        ]
    )
    report = validate(agreement, charter=charter, today=TODAY, catalogue=tiny)
    assert "WS109" in report.codes()
    agreement["flows"][0]["bases"] = ["local-basis"]
    assert validate(agreement, charter=charter, today=TODAY, catalogue=tiny).ok


def test_misuse_raises_usage_error(agreement: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        validate(42)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        validate(agreement, charter="charter.json")  # type: ignore[arg-type]


def test_an_invalid_charter_given_for_an_agreement_is_refused(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    del charter["members"]
    with pytest.raises(DocumentError) as info:
        validate(agreement, charter=charter)
    assert info.value.report is not None


def test_require_valid_returns_the_typed_document_or_raises(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    assert isinstance(require_valid(agreement, charter=charter, today=TODAY), Agreement)
    agreement["flows"][0]["to"] = "nobody"
    with pytest.raises(DocumentError, match="WS101"):
        require_valid(agreement, charter=charter, today=TODAY)


def test_charters_validate_on_their_own(charter: dict[str, Any]) -> None:
    report = validate(charter)
    assert report.ok
    assert isinstance(report.document, Charter)


def test_an_empty_rule_table_or_catalogue_is_used_as_given(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    from woda_sharing.rules import Rules

    agreement["flows"][0]["to"] = "nobody"
    report = validate(agreement, charter=charter, today=TODAY, rules=Rules())
    assert report.findings == ()
    report = validate(agreement, charter=charter, today=TODAY, catalogue=Catalogue.of([]))
    assert "WS109" in report.codes()
