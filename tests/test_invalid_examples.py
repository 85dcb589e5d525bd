"""Each file in ``examples/invalid/`` shows one error rule firing, where ``_expected.json`` says.

Review dates are judged as of a pinned day (``--today`` / ``today=``), so these
tests do not change with the calendar. The files are also built to hold on the
real date from mid-2025 to mid-2035 (a 120-month review interval, reviews due
2035-06-30), which the last test checks while it lasts.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing._validation import CharterInfo, validate
from woda_sharing.cli import main

FOLDER = Path(__file__).parents[1] / "examples" / "invalid"
CHARTER = FOLDER / "charter.json"
EXPECTED: dict[str, dict[str, str]] = json.loads(
    (FOLDER / "_expected.json").read_text(encoding="utf-8")
)
NAMES = sorted(EXPECTED)
PINNED_TODAY = dt.date(2027, 1, 1)
TODAY = ["--today", PINNED_TODAY.isoformat()]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_example_file_has_an_expectation() -> None:
    files = {p.name for p in FOLDER.glob("*.json")} - {"charter.json", "_expected.json"}
    assert files == set(EXPECTED)
    for name, expected in EXPECTED.items():
        assert name.startswith(expected["code"].lower() + "-"), name


def test_the_charter_alone_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", *TODAY, str(CHARTER)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    assert out["files"][0]["findings"] == []


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_cli_reports_the_promised_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FOLDER / name
    assert main(["validate", "--format", "json", *TODAY, str(CHARTER), str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    (report,) = [f for f in out["files"] if f["source"] == str(path)]
    errors = {(f["code"], f["pointer"]) for f in report["findings"] if f["severity"] == "error"}
    assert errors == {(EXPECTED[name]["code"], EXPECTED[name]["pointer"])}


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_api_reports_the_promised_error_on_a_pinned_date(name: str) -> None:
    data = _load(FOLDER / name)
    charter = CharterInfo.from_data(_load(CHARTER)) if data["kind"] == "agreement" else None
    report = validate(data, charter=charter, today=PINNED_TODAY)
    errors = {(f.code, f.pointer) for f in report.errors}
    assert errors == {(EXPECTED[name]["code"], EXPECTED[name]["pointer"])}


def test_the_valid_base_agreement_is_valid_on_the_pinned_date() -> None:
    # ws303 only moves the review date into the past: put it back and nothing is wrong.
    data = _load(FOLDER / "ws303-review-date-past.json")
    data["review"] = "2035-06-30"
    report = validate(data, charter=CharterInfo.from_data(_load(CHARTER)), today=PINNED_TODAY)
    assert report.findings == ()


@pytest.mark.skipif(
    not dt.date(2025, 7, 1) <= dt.date.today() <= dt.date(2035, 6, 30),
    reason="the examples' review dates are chosen to hold on the real date until mid-2035",
)
def test_the_folder_holds_on_the_real_date(capsys: pytest.CaptureFixture[str]) -> None:
    names = [str(FOLDER / name) for name in NAMES]
    assert main(["validate", "--format", "json", str(CHARTER), *names]) == 1
    out = json.loads(capsys.readouterr().out)
    found = {
        Path(report["source"]).name: {
            (f["code"], f["pointer"]) for f in report["findings"] if f["severity"] == "error"
        }
        for report in out["files"]
    }
    assert found.pop("charter.json") == set()
    assert found == {name: {(e["code"], e["pointer"])} for name, e in EXPECTED.items()}


def test_the_committed_files_are_what_make_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("invalid_make", FOLDER / "_make.py")
    assert spec is not None
    assert spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    monkeypatch.setattr(make, "HERE", tmp_path)
    make.main()
    written = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in FOLDER.iterdir() if p.suffix in {".json", ".md"})
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_text(encoding="utf-8") == (FOLDER / name).read_text(
            encoding="utf-8"
        ), f"{name} is stale: run python examples/invalid/_make.py"
