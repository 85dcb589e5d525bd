from __future__ import annotations

import pytest

from woda_sharing._findings import Finding, Report, Severity, pointer


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [((), ""), (("flows", 0, "to"), "/flows/0/to"), (("a/b", "c~d"), "/a~1b/c~0d")],
    ids=["root", "plain", "escaped"],
)
def test_pointer_follows_rfc_6901(tokens: tuple[str | int, ...], expected: str) -> None:
    assert pointer(*tokens) == expected


def _finding(code: str, where: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(code=code, severity=severity, pointer=where, message=f"{code} at {where}")


def test_report_sorts_by_pointer_then_code_and_is_truthy_without_errors() -> None:
    report = Report(
        source="x.json",
        kind="agreement",
        findings=(_finding("WS2", "/b"), _finding("WS1", "/b"), _finding("WS9", "/a")),
    )
    assert [f.code for f in report] == ["WS9", "WS1", "WS2"]
    assert not report
    assert report.codes() == {"WS1", "WS2", "WS9"}
    warn_only = Report(
        source="x.json", kind="agreement", findings=(_finding("WS3", "", Severity.WARNING),)
    )
    assert warn_only.ok
    assert warn_only.errors == ()


def test_json_forms_carry_the_documented_members() -> None:
    finding = Finding(
        code="WS101", severity=Severity.WARNING, pointer="/x", message="m", hint="h", citation="c"
    )
    assert finding.as_dict() == {
        "code": "WS101",
        "severity": "warning",
        "pointer": "/x",
        "message": "m",
        "hint": "h",
        "line": None,
        "column": None,
        "citation": "c",
    }
    report = Report(source="f", kind=None, findings=(finding,))
    assert report.as_dict() == {
        "source": "f",
        "kind": None,
        "ok": True,
        "findings": [finding.as_dict()],
        "waived": [],
    }


@pytest.mark.parametrize(
    ("severity", "level"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note")],
    ids=["error", "warning", "info"],
)
def test_severity_maps_onto_sarif(severity: Severity, level: str) -> None:
    assert severity.sarif_level == level


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("/flows/0/to", "a.json", "a.json:/flows/0/to: error WS101 m"),
        ("", "a.json", "a.json:/: error WS101 m"),
        ("/id", None, "/id: error WS101 m"),
    ],
    ids=["with-source", "whole-document", "without-source"],
)
def test_one_text_form_for_a_finding(where: str, source: str | None, expected: str) -> None:
    finding = Finding(code="WS101", severity=Severity.ERROR, pointer=where, message="m", hint="h")
    assert finding.text(source) == expected
