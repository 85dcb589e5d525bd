"""The example partnerships written for issue 9: a tier-1 protocol with a tier-2 MASH agreement,
and a national matching study. Each validates, is endorsed, shows what it claims, and `check` answers on it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from woda_sharing import _codec as codec
from woda_sharing._keyring import Keyring
from woda_sharing._loading import load_path
from woda_sharing._model import Agreement, Charter, Role
from woda_sharing._signing import verify
from woda_sharing._terms import effective_terms
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
FOLDERS = ["shropshire-telford", "national-matching"]
AT = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 27)


def _agreements(folder: str) -> list[Path]:
    return [
        p
        for p in sorted((EXAMPLES / folder).glob("*.json"))
        if load_path(p).get("kind") == "agreement"
    ]


CASES = [(folder, p.name) for folder in FOLDERS for p in _agreements(folder)]


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_charter_is_endorsed_by_every_member_and_valid(folder: str) -> None:
    charter = load_path(EXAMPLES / folder / "charter.json")
    ring = Keyring.from_data(load_path(EXAMPLES / folder / "keyring.json"))
    result = verify(charter, ring, at=AT)
    assert result
    assert set(result.endorsed) == {m["id"] for m in charter["members"]}
    assert validate(charter, today=TODAY).findings == ()


@pytest.mark.parametrize(("folder", "name"), CASES, ids=[f"{f}/{n}" for f, n in CASES])
def test_each_agreement_is_endorsed_and_has_no_finding(folder: str, name: str) -> None:
    charter = load_path(EXAMPLES / folder / "charter.json")
    agreement = load_path(EXAMPLES / folder / name)
    ring = Keyring.from_data(load_path(EXAMPLES / folder / "keyring.json"))
    assert verify(agreement, ring, charter=charter, at=AT)
    report = validate(agreement, charter=CharterInfo.from_data(charter), today=TODAY)
    assert report.findings == ()


def _typed(folder: str, name: str) -> tuple[Charter, Agreement]:
    charter = codec.structure(load_path(EXAMPLES / folder / "charter.json"), Charter)
    return charter, codec.structure(load_path(EXAMPLES / folder / name), Agreement)


def test_the_mash_agreement_adopts_the_tier_1_terms_and_declares_its_hub_once() -> None:
    charter, mash = _typed("shropshire-telford", "mash-children.json")
    assert charter.defaults is not None
    for term in ("security", "retention", "breach", "rights", "transparency", "termination"):
        assert getattr(mash, term) in (None, ()), term  # not restated
    terms = effective_terms(mash, charter)
    assert terms.retention is not None
    assert terms.retention.origin.startswith("inherited from charter")
    (hub,) = mash.records
    assert len(hub.contributors) == len(hub.viewers) == 5
    assert len(hub.pairs()) == 20  # 20 flows declared once
    assert charter.office_holders[0].separation is not None
    assert all(m.policy_documents for m in charter.members)
    assert charter.paper_originals
    assert all(s.on_paper for s in charter.signatories)
    assert mash.flows[0].methods == ("case-conference", "secure-email")


def test_the_matching_study_has_a_processor_on_instruction_and_event_based_retention() -> None:
    _, study = _typed("national-matching", "matching-study.json")
    processor = next(p for p in study.parties if p.role is Role.PROCESSOR)
    sent = [f for f in study.flows if f.source == processor.id]
    assert sent
    assert all(f.instruction is not None for f in sent)
    assert study.retention is not None
    assert study.retention.until is not None
    matches = next(i for i in study.items if i.id == "matches")
    assert matches.retention is not None
    assert matches.retention.after is not None
    assert any(f.data_matching for f in study.flows)


def test_removing_a_policy_document_is_caught_on_the_example() -> None:
    charter = load_path(EXAMPLES / "shropshire-telford" / "charter.json")
    charter.pop("endorsements")
    del charter["members"][1]["policy_documents"]  # Telford & Wrekin Council
    agreement = load_path(EXAMPLES / "shropshire-telford" / "mash-children.json")
    found = validate(agreement, charter=charter, today=TODAY).findings
    ws220 = [f for f in found if f.code == "WS220"]
    assert [f.pointer for f in ws220] == ["/records/0/bases/4"]
    assert "telford-wrekin-council" in ws220[0].message


@pytest.mark.parametrize(
    ("folder", "name", "question"),
    [
        (
            "shropshire-telford",
            "mash-children.json",
            [
                "--from",
                "west-mercia-police",
                "--to",
                "telford-wrekin-council:children-services",
                "--purpose",
                "safeguarding-children",
                "--item",
                "health-information",
            ],
        ),
        (
            "national-matching",
            "matching-study.json",
            [
                "--from",
                "example-matching-services",
                "--to",
                "shropshire-council",
                "--purpose",
                "fraud-prevention-and-detection",
                "--item",
                "matches",
            ],
        ),
    ],
    ids=FOLDERS,
)
def test_check_answers_on_each(
    folder: str, name: str, question: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    base = EXAMPLES / folder
    code = main(
        [
            "check",
            "--charter",
            str(base / "charter.json"),
            "--agreement",
            str(base / name),
            "--keyring",
            str(base / "keyring.json"),
            *question,
            "--on",
            "2026-12-01",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("permitted: ")
