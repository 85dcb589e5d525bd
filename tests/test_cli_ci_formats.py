"""The CI output formats of ``woda-sharing validate``: SARIF 2.1.0, GitHub Actions, JUnit XML."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from woda_sharing._batch import BatchReport
from woda_sharing._findings import Finding, Report, Severity
from woda_sharing.cli import main
from woda_sharing.cli._output import GithubOutput, JunitOutput, SarifOutput

#: The official OASIS SARIF 2.1.0 schema (see fixtures/sarif/README.md for its source and licence).
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
SARIF = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data, "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path, charter: dict[str, Any], agreement: dict[str, Any]) -> Path:
    """A charter, an agreement with an error and a warning, and a file that is not JSON."""
    agreement["review"] = "2999-01-01"
    agreement["flows"][0]["to"] = "nobody"  # WS101, an error with a hint
    _write(tmp_path, "charter.json", charter)
    _write(tmp_path, "agreement.json", agreement)
    _write(tmp_path, "broken file,: 100%.json", '{\n  "a": 1,\n}')
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["validate", *argv])
    return code, capsys.readouterr().out


def _sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out = _run(capsys, "--format", "sarif", *argv)
    return code, json.loads(out)


def test_sarif_is_valid_against_the_official_schema(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, log = _sarif(capsys, str(folder))
    assert code == 2  # the broken file: the exit code does not depend on the format
    SARIF.validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "woda-sharing"
    assert run["columnKind"] == "unicodeCodePoints"
    assert {r["ruleId"] for r in run["results"]} >= {"WS101", "WS003"}


def test_a_schema_check_that_cannot_fail_proves_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, log = _sarif(capsys, str(folder))
    log["runs"][0]["results"][0]["level"] = "info"  # SARIF says "note"
    with pytest.raises(jsonschema.ValidationError):
        SARIF.validate(log)
    del log["version"]
    assert not SARIF.is_valid(log)


def test_sarif_results_carry_level_place_pointer_hint_and_rule(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = folder / "agreement.json"
    _, log = _sarif(capsys, "--charter", str(folder / "charter.json"), str(agreement))
    (run,) = log["runs"]
    (result,) = (r for r in run["results"] if r["ruleId"] == "WS101")
    assert result["level"] == "error"
    lines = agreement.read_text("utf-8").splitlines()
    (location,) = result["locations"]
    region = location["physicalLocation"]["region"]
    assert '"to": "nobody"' in lines[region["startLine"] - 1]
    assert lines[region["startLine"] - 1].index('"to"') + 1 == region["startColumn"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == agreement.as_uri()
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/flows/0/to"
    assert result["properties"]["pointer"] == "/flows/0/to"
    assert result["message"]["text"].startswith("party 'nobody' is not declared. ")
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "WS101"
    assert rule["shortDescription"]["text"]
    assert rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"


def test_sarif_rules_carry_the_citation_of_the_law(tmp_path: Path) -> None:
    report = Report(
        source="sharing/a b.json",
        kind="agreement",
        findings=(
            Finding(
                code="WS201",
                severity=Severity.ERROR,
                pointer="/flows/0/bases",
                message="m",
                citation="UK GDPR Article 6(1)",
            ),
            Finding(code="WS402", severity=Severity.WARNING, pointer="", message="w"),
            Finding(code="ACME001", severity=Severity.INFO, pointer="/x", message="i"),
        ),
    )
    buffer = io.StringIO()
    SarifOutput(buffer).batch(BatchReport(reports=(report,)))
    log = json.loads(buffer.getvalue())
    SARIF.validate(log)
    (run,) = log["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "UK GDPR Article 6(1)" in rules["WS201"]["properties"]["citation"]
    assert "UK GDPR Article 6(1)" in rules["WS201"]["help"]["text"]
    assert rules["ACME001"] == {"id": "ACME001"}  # a rule of one's own: no metadata to give
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"WS201": "error", "WS402": "warning", "ACME001": "note"}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["WS201"]["properties"]["citation"] == "UK GDPR Article 6(1)"
    # no line: the document was not read from bytes, so no region, but the pointer stays
    assert "region" not in by_rule["WS402"]["locations"][0]["physicalLocation"]
    assert by_rule["WS402"]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/"
    assert run["artifacts"][0]["location"]["uri"] == "sharing/a%20b.json"


def test_sarif_of_a_clean_run_is_valid_and_empty(
    tmp_path: Path, charter: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "charter.json", charter)
    code, log = _sarif(capsys, str(tmp_path))
    assert code == 0
    SARIF.validate(log)
    assert log["runs"][0]["results"] == []


def test_github_annotations_place_each_finding(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = folder / "agreement.json"
    code, out = _run(capsys, "--format", "github", str(folder))
    assert code == 2
    lines = out.splitlines()
    (ws101,) = (line for line in lines if "title=WS101" in line)
    assert ws101.startswith(f"::error file={agreement},line=")
    assert ws101.endswith(
        "::party 'nobody' is not declared%0Ahint: add it to parties, or correct the id"
    )
    assert lines[-1].startswith("3 file(s) checked, 2 with errors, ")


def test_github_annotations_escape_what_would_end_or_inject_a_command(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "--format", "github", str(folder / "broken file,: 100%.json"))
    assert code == 2
    (annotation, summary) = out.splitlines()
    # the file name's comma, colon and percent sign are escaped in the property
    assert (
        "file=" + str(folder).replace(":", "%3A") + "/broken file%2C%3A 100%25.json," in annotation
    )
    assert ",line=2,col=9,title=WS003::trailing comma before '}'%0Ahint: " in annotation
    assert summary.startswith("1 file(s) checked")


def test_github_messages_cannot_start_a_command_of_their_own() -> None:
    finding = Finding(
        code="WS101",
        severity=Severity.INFO,
        pointer="/a",
        message="x\n::error::forged\r\x1b[2K 100%",
    )
    buffer = io.StringIO()
    GithubOutput(buffer).batch(
        BatchReport(reports=(Report(source="a.json", kind=None, findings=(finding,)),))
    )
    first, summary = buffer.getvalue().splitlines()
    assert first.startswith("::notice file=a.json,title=WS101::x")
    assert "\x1b" not in first
    assert "%25" in first  # a literal percent sign cannot be read as an escape
    assert first.endswith("%0Aat /a")  # no line known: the pointer says where
    assert summary.startswith("1 file(s)")


def test_junit_has_one_case_per_file_failing_with_its_errors(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "--format", "junit", str(folder))
    assert code == 2
    root = ET.fromstring(out)  # noqa: S314 - our own output
    assert root.tag == "testsuites"
    (suite,) = root
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
    cases = {Path(case.get("name", "")).name: case for case in suite}
    assert cases["charter.json"].find("failure") is None
    failure = cases["agreement.json"].find("failure")
    assert failure is not None
    assert failure.get("type") == "WS101"
    assert "error WS101 party 'nobody' is not declared" in (failure.text or "")
    assert "hint: add it to parties" in (failure.text or "")
    assert cases["broken file,: 100%.json"].find("failure") is not None


def test_junit_puts_warnings_in_system_out_and_never_writes_forbidden_xml_characters() -> None:
    finding = Finding(
        code="WS402", severity=Severity.WARNING, pointer="/a", message="w\x00\x1b\ufffe", hint="h"
    )
    buffer = io.StringIO()
    JunitOutput(buffer).batch(
        BatchReport(reports=(Report(source="a\x01.json", kind=None, findings=(finding,)),))
    )
    root = ET.fromstring(buffer.getvalue())  # noqa: S314 - our own output
    (case,) = root.iter("testcase")
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None
    assert "warning WS402 w\\x00\\x1b\\ufffe" in (out.text or "")
    assert case.get("name") == "a\\x01.json"


def _waived_batch() -> BatchReport:
    """One report: a counting warning, and an error a waiver in the document covers."""
    import datetime as dt

    from woda_sharing._findings import Waived
    from woda_sharing._model import Waiver

    counting = Finding(code="WS402", severity=Severity.WARNING, pointer="/a", message="w")
    accepted = Finding(
        code="WS302",
        severity=Severity.ERROR,
        pointer="/review",
        message="no review date",
        line=3,
        column=5,
    )
    waiver = Waiver(
        code="WS302",
        reason="Reviewed with the partnership's annual cycle, 100%: fine",
        approved_by="IG Board",
        approved=dt.date(2026, 1, 5),
        expires=dt.date(2026, 12, 31),
    )
    report = Report(
        source="a.json",
        kind="agreement",
        findings=(counting,),
        waived=(Waived(finding=accepted, waiver=waiver, index=0),),
    )
    return BatchReport(reports=(report,))


def test_sarif_lists_a_waived_finding_as_suppressed_in_source_with_the_waivers_reason() -> None:
    buffer = io.StringIO()
    SarifOutput(buffer).batch(_waived_batch())
    log = json.loads(buffer.getvalue())
    SARIF.validate(log)
    (run,) = log["runs"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"WS402", "WS302"}
    assert "suppressions" not in by_rule["WS402"]
    waived = by_rule["WS302"]
    assert waived["level"] == "error"  # what it is; the suppression says it is accepted
    assert waived["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 5,
    }
    (suppression,) = waived["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["status"] == "accepted"
    assert suppression["justification"].startswith("Reviewed with the partnership")
    assert suppression["properties"] == {
        "pointer": "/waivers/0",
        "approvedBy": "IG Board",
        "approved": "2026-01-05",
        "expires": "2026-12-31",
    }
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["WS302", "WS402"]
    assert run["tool"]["driver"]["rules"][waived["ruleIndex"]]["id"] == "WS302"


def test_github_shows_a_waived_finding_as_a_notice_that_names_its_waiver() -> None:
    buffer = io.StringIO()
    GithubOutput(buffer).batch(_waived_batch())
    warning, waived, summary = buffer.getvalue().splitlines()
    assert warning.startswith("::warning file=a.json,title=WS402::w")
    assert waived.startswith("::notice file=a.json,line=3,col=5,title=WS302 (waived)::")
    assert waived.endswith(
        "%0Awaived by IG Board until 2026-12-31: Reviewed with the partnership's annual cycle, 100%25: fine"
    )
    assert "::error" not in buffer.getvalue()
    assert summary.startswith("1 file(s) checked, 0 with errors")


def test_junit_lists_a_waived_finding_in_system_out_and_does_not_fail_the_case() -> None:
    buffer = io.StringIO()
    JunitOutput(buffer).batch(_waived_batch())
    root = ET.fromstring(buffer.getvalue())  # noqa: S314 - our own output
    (case,) = root.iter("testcase")
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None
    lines = (out.text or "").splitlines()
    assert lines[0] == "a.json:/a: warning WS402 w"
    assert lines[-1].startswith("a.json:3:5: waived error WS302 no review date (waived by IG Board")
