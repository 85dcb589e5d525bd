"""`validate_many`: the command line's folder validation as a library function."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import (
    PIPELINE_CODES,
    BatchReport,
    CharterInfo,
    DocumentError,
    Limits,
    UsageError,
    require_valid,
    validate_many,
)

TODAY = dt.date(2024, 6, 1)


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


@pytest.fixture
def folder(tmp_path: Path, charter: dict[str, Any], agreement: dict[str, Any]) -> Path:
    agreement["review"] = "2025-01-31"  # current on TODAY
    _write(tmp_path, "charter.json", charter)
    _write(tmp_path, "agreements/agreement.json", agreement)
    return tmp_path


def _codes(batch: BatchReport) -> dict[str, set[str]]:
    return {Path(r.source).name: r.codes() for r in batch}


def test_a_folder_gives_one_report_per_file_and_agreements_find_their_charter(
    folder: Path,
) -> None:
    batch = validate_many([folder], today=TODAY)
    assert [Path(r.source).relative_to(folder).as_posix() for r in batch] == [
        "agreements/agreement.json",
        "charter.json",
    ]
    assert len(batch) == 2
    assert batch.ok
    assert batch
    assert batch.unreadable == ()
    assert _codes(batch) == {"agreement.json": set(), "charter.json": set()}
    assert [r.kind for r in batch] == ["agreement", "charter"]
    assert batch.as_dict() == {"ok": True, "files": [r.as_dict() for r in batch.reports]}


def test_one_path_is_one_path_not_a_string_of_characters(folder: Path) -> None:
    assert validate_many(str(folder), today=TODAY) == validate_many([folder], today=TODAY)
    assert len(validate_many(folder / "charter.json", today=TODAY)) == 1


def test_an_agreement_whose_charter_is_absent_or_invalid_gets_ws012(
    folder: Path, charter: dict[str, Any]
) -> None:
    alone = validate_many([folder / "agreements"], today=TODAY)
    assert _codes(alone) == {"agreement.json": {"WS012"}}
    assert alone.ok  # a warning only
    del charter["members"]
    _write(folder, "charter.json", charter)
    broken = validate_many([folder], today=TODAY)
    assert _codes(broken) == {"agreement.json": {"WS012"}, "charter.json": {"WS010"}}
    assert not broken.ok
    assert broken.unreadable == ()  # invalid, but read


def test_an_error_finding_makes_the_batch_false(folder: Path, agreement: dict[str, Any]) -> None:
    agreement["flows"][0]["to"] = "nobody"
    _write(folder, "agreements/agreement.json", agreement)
    batch = validate_many([folder], today=TODAY)
    assert not batch
    assert "WS101" in _codes(batch)["agreement.json"]


@pytest.mark.parametrize(
    ("content", "code"),
    [("{", "WS003"), ("[]", "WS007"), ('{"a": 1, "a": 2}', "WS004"), (b"\xff", "WS002")],
    ids=["syntax", "array", "duplicate", "encoding"],
)
def test_unreadable_files_are_reports_and_listed_as_unreadable(
    folder: Path, content: str | bytes, code: str
) -> None:
    bad = folder / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    batch = validate_many([folder], today=TODAY)
    (unreadable,) = batch.unreadable
    assert unreadable.source == str(bad)
    assert unreadable.kind is None
    assert unreadable.codes() == {code}
    assert not batch


def test_a_missing_file_is_a_ws001_report(tmp_path: Path) -> None:
    batch = validate_many([tmp_path / "absent.json"])
    assert [r.codes() for r in batch.unreadable] == [{"WS001"}]


def test_limits_apply_to_every_file(folder: Path) -> None:
    batch = validate_many([folder], today=TODAY, limits=Limits(max_bytes=64))
    assert [r.codes() for r in batch] == [{"WS006"}, {"WS006"}]
    assert len(batch.unreadable) == 2


def test_no_json_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not json")
    with pytest.raises(UsageError, match="no JSON or YAML files"):
        validate_many([tmp_path])
    with pytest.raises(UsageError):
        validate_many([])


def test_the_charter_can_be_given_as_a_path_a_mapping_or_typed(
    folder: Path, charter: dict[str, Any]
) -> None:
    agreements = folder / "agreements"
    typed = require_valid(charter, today=TODAY)
    for given in (
        folder / "charter.json",
        str(folder / "charter.json"),
        charter,
        CharterInfo.from_data(charter),
        typed,
    ):
        batch = validate_many([agreements], charter=given, today=TODAY)
        assert _codes(batch) == {"agreement.json": set()}, given


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{", "WS003"),
        ({"kind": "charter", "format_version": 1}, "WS010"),
        ({"kind": "keyring", "format_version": 1, "id": "k", "keys": []}, None),
    ],
    ids=["unreadable", "invalid", "not-a-charter"],
)
def test_a_charter_path_that_is_not_a_valid_charter_raises_with_its_report(
    folder: Path, content: Any, code: str | None
) -> None:
    path = _write(folder, "given.json", content)
    with pytest.raises(DocumentError, match="is not a valid charter") as info:
        validate_many([folder / "agreements"], charter=path, today=TODAY)
    report = info.value.report
    assert report is not None
    assert report.source == str(path)
    if code is not None:
        assert code in report.codes()


def test_an_invalid_charter_mapping_raises_document_error(folder: Path) -> None:
    with pytest.raises(DocumentError):
        validate_many([folder], charter={"kind": "charter", "format_version": 1})


def test_pipeline_codes_mark_exactly_the_loading_codes_unreadable() -> None:
    unreadable = sorted(code for code, entry in PIPELINE_CODES.items() if entry.unreadable)
    assert unreadable == [f"WS00{n}" for n in range(1, 8)]
    assert {entry.stage for entry in PIPELINE_CODES.values()} == {
        "load",
        "kind",
        "schema",
        "structure",
        "charter",
        "waiver",
    }
    assert all(entry.title for entry in PIPELINE_CODES.values())
