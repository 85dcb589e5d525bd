"""Waivers: accepted findings recorded in the document, shown apart, expiring, never for pipeline codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import EXAMPLE_TODAY
from woda_sharing import _canonical as canonical
from woda_sharing._findings import Severity
from woda_sharing._model import Waiver
from woda_sharing._validation import PIPELINE_CODES, validate
from woda_sharing._waivers import UNWAIVABLE, apply_waivers, waivable
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]


def _waiver(code: str, *, pointer: str | None = None, expires: str = "2024-12-31") -> Doc:
    waiver: Doc = {
        "code": code,
        "reason": "The legacy feed is replaced in the autumn; the IG board accepts the risk until then.",
        "approved_by": "Information Governance Board",
        "approved": "2024-03-01",
        "expires": expires,
    }
    if pointer is not None:
        waiver["pointer"] = pointer
    return waiver


def _unencrypted_health() -> tuple[Doc, Doc]:
    """An agreement with a WS311 warning at /flows/0/security and a WS302 error at /review."""
    charter = example_charter()
    agreement = example_agreement(charter)
    agreement["items"].append(
        {
            "id": "health",
            "title": "Health",
            "category": "special-category",
            "special_category": "health",
        }
    )
    agreement["purposes"][0]["needs"].append("health")
    flow = agreement["flows"][0]
    flow["items"].append("health")
    flow["bases"] = ["uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2"]
    flow["security"] = []
    del agreement["review"]
    return charter, agreement


def _validate(charter: Doc, agreement: Doc, today: dt.date = EXAMPLE_TODAY) -> Any:
    agreement["charter"]["digest"] = canonical.digest(charter)
    return validate(agreement, charter=charter, today=today)


def test_without_waivers_the_findings_count() -> None:
    report = _validate(*_unencrypted_health())
    assert {"WS311", "WS302"} <= report.codes()
    assert not report.ok
    assert report.waived == ()


def test_a_current_waiver_moves_its_finding_apart() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS302"), _waiver("WS311", pointer="/flows/0/security")]
    report = _validate(charter, agreement)
    assert report.ok
    assert "WS302" not in report.codes()
    assert "WS311" not in report.codes()
    # sorted like findings: by pointer, then code
    assert [(w.finding.code, w.index) for w in report.waived] == [("WS311", 1), ("WS302", 0)]
    shown = report.as_dict()["waived"]
    assert shown[1]["code"] == "WS302"
    assert shown[1]["waiver"]["approved_by"] == "Information Governance Board"
    assert shown[1]["waiver"]["pointer"] == "/waivers/0"


def test_a_waiver_with_a_pointer_covers_only_that_place() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS311", pointer="/flows/9/security")]
    report = _validate(charter, agreement)
    assert "WS311" in report.codes()
    unused = [f for f in report.findings if f.code == "WS016"]
    assert [(f.pointer, f.severity) for f in unused] == [("/waivers/0", Severity.INFO)]


def test_the_expiry_day_still_counts() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS302", expires="2024-06-01")]
    report = _validate(charter, agreement)
    assert report.ok


def test_an_expired_waiver_stops_counting_and_says_so() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS302", expires="2024-05-31")]
    report = _validate(charter, agreement)
    assert not report.ok
    assert "WS302" in report.codes()
    expired = [f for f in report.findings if f.code == "WS015"]
    assert [(f.pointer, f.severity) for f in expired] == [("/waivers/0/expires", Severity.WARNING)]
    assert report.waived == ()


@pytest.mark.parametrize(
    "code",
    ["WS010", "WS011", "WS012", "WS013", "WS014", "WS106", "WS999", "ACME001"],
    ids=["schema", "structure", "no-charter", "catalogue", "waiver", "digest", "unknown", "custom"],
)
def test_pipeline_schema_integrity_and_unknown_codes_cannot_be_waived(code: str) -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver(code)]
    report = _validate(charter, agreement)
    refused = [f for f in report.findings if f.code == "WS014"]
    assert [(f.pointer, f.severity) for f in refused] == [("/waivers/0/code", Severity.ERROR)]
    assert not report.ok


def test_a_missing_charter_warning_stays_whatever_the_waiver_says() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS012")]
    agreement["charter"]["digest"] = canonical.digest(charter)
    report = validate(agreement, today=EXAMPLE_TODAY)
    assert "WS012" in report.codes()
    assert "WS014" in report.codes()


def test_a_charter_records_waivers_too() -> None:
    charter = example_charter()
    charter["review"] = "2024-01-01"
    charter["waivers"] = [_waiver("WS603")]
    report = validate(charter, today=EXAMPLE_TODAY)
    assert "WS603" not in report.codes()
    assert [w.finding.code for w in report.waived] == ["WS603"]


def test_waivable_codes() -> None:
    known = {"WS302", "WS106", "WS010"}
    assert waivable("WS302", known)
    assert not waivable("WS106", known)
    assert not waivable("WS010", known)
    assert not waivable("WS303", known)
    assert "WS106" in UNWAIVABLE
    assert {"WS014", "WS015", "WS016"} <= set(PIPELINE_CODES)


def test_apply_waivers_keeps_every_finding_somewhere() -> None:
    charter, agreement = _unencrypted_health()
    findings = list(_validate(charter, agreement).findings)
    waiver = Waiver(
        code="WS311",
        reason="r",
        approved_by="b",
        approved=dt.date(2024, 1, 1),
        expires=dt.date(2025, 1, 1),
    )
    counting, waived = apply_waivers([waiver], findings, today=EXAMPLE_TODAY, known={"WS311"})
    assert len(counting) + len(waived) == len(findings)
    assert [w.finding.code for w in waived] == ["WS311"]


def _without_art6(charter: Doc, agreement: Doc) -> None:
    agreement["flows"][0]["bases"] = []


def _undeclared_party(charter: Doc, agreement: Doc) -> None:
    agreement["flows"][0]["to"] = "nobody"


@pytest.mark.parametrize(
    ("code", "break_it"),
    [("WS201", _without_art6), ("WS101", _undeclared_party)],
    ids=["no-lawful-basis", "undeclared-party"],
)
def test_lawfulness_and_integrity_findings_cannot_be_waived(code: str, break_it: Any) -> None:
    charter = example_charter()
    agreement = example_agreement(charter)
    break_it(charter, agreement)
    agreement["waivers"] = [_waiver(code)]
    report = _validate(charter, agreement)
    assert code in report.codes()
    assert "WS014" in report.codes()
    assert report.waived == ()
    assert not report.ok


def test_every_integrity_lawfulness_role_and_charter_error_is_unwaivable() -> None:
    from woda_sharing.rules import builtin_rules

    families = ("WS1", "WS2", "WS4", "WS6")
    guarded = {
        r.code
        for r in builtin_rules()
        if r.code.startswith(families) and r.severity is Severity.ERROR
    }
    assert guarded
    assert guarded <= UNWAIVABLE


def test_a_waiver_of_a_rule_that_needs_the_charter_is_not_unused_without_it() -> None:
    charter, agreement = _unencrypted_health()
    agreement["waivers"] = [_waiver("WS308")]  # a charter control: runs only with the charter
    agreement["charter"]["digest"] = canonical.digest(charter)
    report = validate(agreement, today=EXAMPLE_TODAY)
    assert "WS016" not in report.codes()
    with_charter = _validate(charter, agreement)
    assert ("WS016" in with_charter.codes()) is (
        "WS308" not in {w.finding.code for w in with_charter.waived}
    )
