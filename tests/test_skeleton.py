"""``woda-sharing new agreement`` and `agreement_skeleton`: a skeleton that validation explains."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import agreement_skeleton, digest, validate
from woda_sharing.cli import main
from woda_sharing.exceptions import UsageError

Doc = dict[str, Any]


def _filled(skeleton: Doc) -> Doc:
    """The skeleton with every placeholder filled in, as its author would."""
    doc = json.loads(json.dumps(skeleton))
    doc["id"] = "new-agreement"
    doc["purposes"][0]["needs"] = ["name"]
    doc["items"][0]["id"] = "name"
    flow = doc["flows"][0]
    flow.update(
        id="referral",
        items=["name"],
        bases=["uk-gdpr-art-6-1-e"],
        frequency="ad-hoc",
        method="secure-email",
    )
    doc["retention"]["deletion"] = "secure-deletion"
    doc["start"], doc["review"] = "2024-02-01", "2025-01-31"
    if "security" in doc:
        doc["security"] = ["access-control"]
    if "termination" in doc:
        doc["termination"]["on_termination"] = "delete"
    if "dpia" in doc:
        doc["dpia"]["completed"] = "2024-01-15"
    return doc


def test_the_skeleton_cites_its_charter_and_carries_every_required_control(charter: Doc) -> None:
    skeleton = agreement_skeleton(charter)
    assert skeleton["charter"] == {
        "id": charter["id"],
        "version": charter["version"],
        "digest": digest(charter),
    }
    for control in set(charter["controls"]) - {"retention", "review"}:
        assert control in skeleton, control
    assert {p["organisation"] for p in skeleton["parties"]} <= {m["id"] for m in charter["members"]}


def test_validation_explains_every_placeholder_and_nothing_else(charter: Doc) -> None:
    report = validate(agreement_skeleton(charter), charter=charter, today=dt.date(2024, 6, 1))
    assert not report.ok
    assert report.codes() == {"WS010"}
    assert all(f.message.startswith("placeholder ") for f in report)


def test_a_filled_in_skeleton_is_valid(charter: Doc) -> None:
    report = validate(
        _filled(agreement_skeleton(charter)), charter=charter, today=dt.date(2024, 6, 1)
    )
    assert report.ok, [f.text() for f in report]


@pytest.mark.parametrize(
    "bad",
    [{"kind": "agreement"}, {"kind": "charter", "members": [], "purposes": [{"id": "x"}]}, {}],
    ids=["agreement", "no-members", "empty"],
)
def test_a_skeleton_needs_a_charter(bad: Doc) -> None:
    with pytest.raises(UsageError):
        agreement_skeleton(bad)


def test_new_agreement_writes_to_standard_output(
    tmp_path: Path, charter: Doc, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "charter.json"
    path.write_text(json.dumps(charter))
    assert main(["new", "agreement", "--charter", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == agreement_skeleton(charter)


def test_new_agreement_writes_a_file_but_never_over_one(
    tmp_path: Path, charter: Doc, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "charter.json"
    path.write_text(json.dumps(charter))
    target = tmp_path / "agreement.json"
    assert main(["new", "agreement", "--charter", str(path), "--output", str(target)]) == 0
    assert json.loads(target.read_text()) == agreement_skeleton(charter)
    before = target.read_bytes()
    assert main(["new", "agreement", "--charter", str(path), "--output", str(target)]) == 2
    assert "exists" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_new_agreement_refuses_an_invalid_charter(
    tmp_path: Path, agreement: Doc, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agreement.json"
    path.write_text(json.dumps(agreement))
    assert main(["new", "agreement", "--charter", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"woda-sharing: error: {path} is not a valid charter\n"
