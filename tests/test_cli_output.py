"""Output formats are objects with an injected stream: each writes what its command prints."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from tests._signing_fixtures import NOW, agreement, charter, endorsed, keyring_for
from woda_sharing import (
    EndorsementStatus,
    Policy,
    Request,
    Status,
    VerificationResult,
    verify,
)
from woda_sharing.cli import main
from woda_sharing.cli._output import (
    DECISION_FORMATS,
    FORMATS,
    VERIFICATION_FORMATS,
    JsonOutput,
    TextOutput,
)
from woda_sharing.testing import example_agreement, example_charter

ON = dt.date(2024, 6, 1)


def _request(**changes: object) -> Request:
    """A request the example agreement permits, with *changes*."""
    fields: dict[str, object] = {
        "sender": "district-council",
        "sender_capacity": None,
        "recipient": "county-council",
        "recipient_capacity": None,
        "items": ("name",),
        "purpose": "early-help",
        "on": ON,
    }
    fields.update(changes)
    return Request(**fields)  # type: ignore[arg-type]


def _policy() -> Policy:
    the_charter = example_charter()
    return Policy.compile(the_charter, [example_agreement(the_charter)])


def test_every_command_offers_text_and_json() -> None:
    for table in (FORMATS, DECISION_FORMATS, VERIFICATION_FORMATS):
        assert (table["text"], table["json"]) == (TextOutput, JsonOutput)
    assert set(DECISION_FORMATS) == set(VERIFICATION_FORMATS) == {"text", "json"}
    assert set(FORMATS) == {"text", "json", "sarif", "github", "junit"}  # CI formats: validate


def test_text_decision_permitted_names_flows_and_bases() -> None:
    request = _request()
    decision = _policy().decide(request)
    out = io.StringIO()
    TextOutput(out).decision(request, decision)
    lines = out.getvalue().splitlines()
    assert decision
    assert (
        lines[0]
        == "permitted: district-council -> county-council: name for early-help on 2024-06-01"
    )
    assert lines[1:] == [f"  flow {flow}" for flow in decision.flows] + [
        f"  basis {b.id}: {b.title} ({b.citation})" for b in decision.bases
    ]
    assert decision.flows
    assert decision.bases


def test_text_decision_refused_lists_every_reason_with_capacities() -> None:
    request = _request(sender_capacity="housing", items=("name", "secret"))
    decision = _policy().decide(request)
    assert not decision
    out = io.StringIO()
    TextOutput(out).decision(request, decision)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "refused: district-council:housing -> county-council: name, secret"
        " for early-help on 2024-06-01"
    )
    assert lines[1:] == [f"  {r.code} {r.message}" for r in decision.reasons]
    assert lines[1:]


def test_json_decision_is_the_request_and_the_decision() -> None:
    request = _request(recipient_capacity="control-room")
    decision = _policy().decide(request)
    out = io.StringIO()
    JsonOutput(out).decision(request, decision)
    assert out.getvalue().endswith("}\n")
    data = json.loads(out.getvalue())
    assert data["request"] == {
        "from": "district-council",
        "from_capacity": None,
        "to": "county-council",
        "to_capacity": "control-room",
        "items": ["name"],
        "purpose": "early-help",
        "on": "2024-06-01",
        "uses": [],
        "received_under": None,
        "consent": None,
        "conditions": [],
    }
    assert {k: v for k, v in data.items() if k != "request"} == decision.as_dict()


def test_text_decision_escapes_control_characters() -> None:
    request = _request(purpose="early-help\x1b[2J", sender="district\u202e")
    decision = _policy().decide(request)
    out = io.StringIO()
    TextOutput(out).decision(request, decision)
    text = out.getvalue()
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "early-help\\x1b[2J" in text
    assert "district\\u202e" in text


def test_text_verification_shows_each_endorsement_and_who_is_pending() -> None:
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county",))
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    out = io.StringIO()
    TextOutput(out).verification("a.json", result)
    assert out.getvalue().splitlines() == [
        "a.json: agreement test-agreement v1: NOT verified",
        f"  rule: {result.rule} (not met)",
        "  endorsement 0: valid (county, siro)",
        "  pending: police",
    ]


def test_text_verification_lists_problems_and_reasons() -> None:
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county", "police"))
    document["title"] = "Changed after signing"
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    out = io.StringIO()
    TextOutput(out).verification("a.json", result)
    lines = out.getvalue().splitlines()
    assert lines[0] == "a.json: agreement test-agreement v1: NOT verified"
    reasons = [s.reason for s in result.endorsements]
    assert all(s.status.value == "document-changed" for s in result.endorsements)
    assert lines[2:4] == [
        "  endorsement 0: document-changed (county, siro)"
        + ("" if reasons[0] == "document-changed" else f": {reasons[0]}"),
        "  endorsement 1: document-changed (police, siro)"
        + ("" if reasons[1] == "document-changed" else f": {reasons[1]}"),
    ]
    unsigned = verify(agreement(the_charter), keyring_for(), charter=the_charter, at=NOW)
    out = io.StringIO()
    TextOutput(out).verification("u.json", unsigned)
    assert [f"  problem: {p}" for p in unsigned.problems] == [
        line for line in out.getvalue().splitlines() if line.startswith("  problem: ")
    ]
    assert unsigned.problems


def test_json_verification_is_the_result() -> None:
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county", "police"))
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    assert result
    out = io.StringIO()
    JsonOutput(out).verification("a.json", result)
    assert json.loads(out.getvalue()) == result.as_dict()


def test_status_table_aligns_escaped_cells() -> None:
    """Control characters are escaped before the columns are measured, so the table lines up."""
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    result = VerificationResult(
        verified=False,
        kind="agreement",
        id="test-agreement",
        version=1,
        digest=None,
        rule="every party organisation",
        rule_met=False,
        endorsements=(
            EndorsementStatus(
                index=0,
                status=Status.VALID,
                reason="valid",
                organisation="county",
                role="siro",
                signatory="A.\x1b[31m Example",
                signed_at=when,
            ),
            EndorsementStatus(
                index=1, status=Status.BAD_SIGNATURE, reason="bad", organisation="x\u202ey"
            ),
        ),
        endorsed=("county",),
        pending=("police",),
        invalid=("x\u202ey",),
        problems=("a\nproblem",),
    )
    out = io.StringIO()
    TextOutput(out).status(result)
    text = out.getvalue()
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert text.splitlines() == [
        "agreement test-agreement v1: rule every party organisation",
        "organisation  status                  role  signatory           signed (UTC)",
        "county        endorsed                siro  A.\\x1b[31m Example  2026-03-01 09:30",
        "police        pending                 -     -                   -",
        "x\\u202ey      invalid: bad-signature  -     -                   -",
        "1 endorsed, 1 pending, 1 invalid: not verified, because:",
        "  - a\\nproblem",
        "  - endorsement 1 (x\\u202ey): bad-signature: bad",
        "  - police has not endorsed",
    ]


def test_status_of_a_verified_document_has_no_problem_lines() -> None:
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county", "police"))
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    out = io.StringIO()
    TextOutput(out).status(result)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "2 endorsed, 0 pending, 0 invalid: verified"
    assert not any(line.startswith("  - ") for line in lines)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_command_writes_through_its_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    charter_data = example_charter()
    agreement_data = example_agreement(charter_data)
    (tmp_path / "charter.json").write_text(json.dumps(charter_data), encoding="utf-8")
    (tmp_path / "agreement.json").write_text(json.dumps(agreement_data), encoding="utf-8")
    flow = agreement_data["flows"][0]
    parties = {p["id"]: p["organisation"] for p in agreement_data["parties"]}
    request = Request(
        sender=parties[flow["from"]],
        sender_capacity=None,
        recipient=parties[flow["to"]],
        recipient_capacity=None,
        items=tuple(flow["items"]),
        purpose=flow["purposes"][0],
        on=dt.date.fromisoformat(agreement_data["start"]),
    )
    code = main(
        [
            "check",
            "--charter",
            str(tmp_path / "charter.json"),
            "--agreement",
            str(tmp_path / "agreement.json"),
            "--from",
            request.sender,
            "--to",
            request.recipient,
            "--item",
            *request.items,
            "--purpose",
            request.purpose,
            "--on",
            request.on.isoformat(),
            "--format",
            fmt,
        ]
    )
    decision = Policy.compile(charter_data, [agreement_data]).decide(request)
    expected = io.StringIO()
    DECISION_FORMATS[fmt](expected).decision(request, decision)
    assert capsys.readouterr().out == expected.getvalue()
    assert code == (0 if decision else 1)


def test_status_says_why_when_every_organisation_has_endorsed_and_one_endorsement_is_bad() -> None:
    """Once "2 endorsed, 0 pending, 0 invalid: not verified" with no reason: now the reason."""
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county", "police", "county"))
    document["endorsements"][2]["signature"] = document["endorsements"][1]["signature"]
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    assert not result
    assert result.pending == result.invalid == ()
    out = io.StringIO()
    TextOutput(out).status(result)
    lines = out.getvalue().splitlines()
    county = [line for line in lines if line.startswith("county ")]
    assert [row.split()[1] for row in county] == ["endorsed", "invalid:"]  # both rows, not one
    assert lines[-2] == "2 endorsed, 0 pending, 1 invalid: not verified, because:"
    assert lines[-1] == "  - endorsement 2 (county): bad-signature: the signature does not verify"
    assert result.reasons == (
        "endorsement 2 (county): bad-signature: the signature does not verify",
    )
    assert result.as_dict()["reasons"] == list(result.reasons)


def test_reasons_of_an_unmet_rule_name_who_is_missing_and_are_empty_once_verified() -> None:
    the_charter = charter()
    document = endorsed(agreement(the_charter), ("county",))
    result = verify(document, keyring_for(), charter=the_charter, at=NOW)
    assert result.reasons == ("police has not endorsed",)
    done = verify(
        endorsed(agreement(the_charter), ("county", "police")),
        keyring_for(),
        charter=the_charter,
        at=NOW,
    )
    assert done.reasons == ()
