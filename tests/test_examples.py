"""The shipped Worcestershire examples: valid, consistent, and exercising what they claim to.

The examples are the first thing a newcomer runs (``woda-sharing validate
examples/worcestershire``), so they must stay free of error findings. They
also demonstrate the hard cases of the model; the tests below check that those
cases are still present, so an edit cannot quietly remove them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import runpy
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._findings import Report, Severity
from woda_sharing._legal import Catalogue, LawEnforcementBasis, StatutoryGateway
from woda_sharing._model import Agreement, Category, Charter
from woda_sharing._validation import CharterInfo, require_valid, validate
from woda_sharing.cli import main
from woda_sharing.rules import builtin_catalogue

EXAMPLES = Path(__file__).parent.parent / "examples" / "worcestershire"
CHARTER_FILE = EXAMPLES / "charter.json"
ALL_FILES = sorted(EXAMPLES.glob("*.json"))
AGREEMENT_FILES = [
    p for p in ALL_FILES if json.loads(p.read_text(encoding="utf-8")).get("kind") == "agreement"
]

#: The day the examples were last reviewed: every review date is within a year of it.
REVIEWED_ON = dt.date(2026, 11, 27)

#: Findings below error that an example may carry on purpose, by file name.
EXPECTED_NOTES: dict[str, set[str]] = {
    # Worcestershire County Council takes part in two capacities: the dual-hatter reminder.
    "early-help-families.json": {"WS402"},
    # The county council's children's services and public health teams receive apart.
    "child-health-safeguarding-and-research.json": {"WS402"},
    # Health data given in confidence (victims' vulnerability; a safeguarding concern) shared
    # without a recorded common law confidentiality basis: WS212 follows the information, not
    # NHS status. The endorsed examples are kept byte for byte, so they carry the reminder.
    "anti-social-behaviour-case-conference.json": {"WS212"},
    "fire-safety-home-visits.json": {"WS212"},
}


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def charter_data() -> dict[str, Any]:
    return _read(CHARTER_FILE)


@pytest.fixture(scope="module")
def charter_info(charter_data: dict[str, Any]) -> CharterInfo:
    return CharterInfo.from_data(charter_data)


def _agreements() -> Iterator[tuple[Path, Agreement]]:
    for path in AGREEMENT_FILES:
        document = codec.structure(_read(path), Agreement)
        yield path, document


def _catalogue(charter: Charter, agreement: Agreement) -> Catalogue:
    return builtin_catalogue().extended(charter.legal_bases).extended(agreement.legal_bases)


def _report(path: Path, info: CharterInfo, data: dict[str, Any] | None = None) -> Report:
    raw = path.read_bytes() if data is None else json.dumps(data).encode()
    return validate(raw, charter=info, today=REVIEWED_ON, source=path.name)


def _describe(report: Report) -> list[str]:
    return [f"{f.pointer}: {f.severity.value} {f.code} {f.message}" for f in report.findings]


def test_there_is_a_charter_and_at_least_four_agreements() -> None:
    assert _read(CHARTER_FILE)["kind"] == "charter"
    assert len(AGREEMENT_FILES) >= 4
    # Besides the charter and the agreements, only a keyring may sit in the folder.
    others = {_read(p)["kind"] for p in ALL_FILES if p not in [CHARTER_FILE, *AGREEMENT_FILES]}
    assert others <= {"keyring"}


def test_the_charter_is_valid_with_no_findings() -> None:
    report = validate(CHARTER_FILE.read_bytes(), today=REVIEWED_ON, source="charter.json")
    assert report.kind == "charter"
    assert report.findings == (), _describe(report)


@pytest.mark.parametrize("path", AGREEMENT_FILES, ids=lambda p: p.stem)
def test_each_agreement_is_valid_under_the_charter(path: Path, charter_info: CharterInfo) -> None:
    report = _report(path, charter_info)
    assert report.kind == "agreement"
    assert report.errors == (), _describe(report)
    assert isinstance(
        require_valid(path.read_bytes(), charter=charter_info, today=REVIEWED_ON), Agreement
    )


@pytest.mark.parametrize("path", AGREEMENT_FILES, ids=lambda p: p.stem)
def test_each_agreement_carries_only_its_expected_notes(
    path: Path, charter_info: CharterInfo
) -> None:
    report = _report(path, charter_info)
    below_error = {f.code for f in report.findings if f.severity is not Severity.ERROR}
    assert below_error == EXPECTED_NOTES.get(path.name, set()), _describe(report)


@pytest.mark.parametrize("path", AGREEMENT_FILES, ids=lambda p: p.stem)
def test_each_agreement_cites_the_charter_by_id_version_and_digest(
    path: Path, charter_data: dict[str, Any]
) -> None:
    assert _read(path)["charter"] == {
        "id": charter_data["id"],
        "version": charter_data["version"],
        "digest": canonical.digest(charter_data),
    }


def test_a_changed_charter_no_longer_matches_the_cited_digest(
    charter_data: dict[str, Any],
) -> None:
    changed = copy.deepcopy(charter_data)
    changed["principles"][0]["text"] += " Amended."
    report = _report(AGREEMENT_FILES[0], CharterInfo.from_data(changed))
    assert [(f.code, f.pointer) for f in report.errors] == [("WS106", "/charter/digest")]


def test_the_cli_exits_0_on_the_folder_today(capsys: pytest.CaptureFixture[str]) -> None:
    # Judged against the real date, as `woda-sharing validate examples/worcestershire` is in the
    # README. If this fails because review dates have passed, the examples are due their review.
    code = main(["validate", str(EXAMPLES)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(ALL_FILES)} file(s) checked, 0 with errors" in out


def test_the_cli_json_output_reports_every_file_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--format", "json", "--today", REVIEWED_ON.isoformat(), str(EXAMPLES)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["ok"] is True
    files = {Path(f["source"]).name: f for f in out["files"]}
    assert set(files) >= {p.name for p in [CHARTER_FILE, *AGREEMENT_FILES]}
    for name, result in files.items():
        assert result["ok"] is True, name
        assert all(f["severity"] != "error" for f in result["findings"])


@pytest.mark.parametrize("path", [CHARTER_FILE, *AGREEMENT_FILES], ids=lambda p: p.stem)
def test_files_are_pretty_printed_with_two_spaces(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_registration_references_are_obviously_fake(charter_data: dict[str, Any]) -> None:
    refs = [m["registration"] for m in charter_data["members"]]
    assert len(refs) == len(charter_data["members"])
    assert all(re.fullmatch(r"EXAMPLE-[0-9]{4}", r) for r in refs)
    assert len(set(refs)) == len(refs)
    assert "EXAMPLE-NNNN" in charter_data["description"]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("path", [CHARTER_FILE, *AGREEMENT_FILES], ids=lambda p: p.stem)
def test_contacts_and_links_use_the_reserved_invalid_domain(path: Path) -> None:
    text = " ".join(_strings(_read(path)))
    emails = re.findall(r"[\w.+-]+@([\w.-]+)", text)
    hosts = re.findall(r"https?://([\w.-]+)", text)
    assert all(domain.endswith(".invalid") for domain in emails + hosts), (emails, hosts)


def test_the_charter_has_the_partnership_members_and_every_control(
    charter_data: dict[str, Any],
) -> None:
    charter = codec.structure(charter_data, Charter)
    sectors = {m.sector.value for m in charter.members}
    assert {"county-council", "district-council", "police", "fire-and-rescue", "nhs"} <= sectors
    assert sum(m.sector.value == "district-council" for m in charter.members) == 6
    assert [m.name for m in charter.members if m.competent_authority] == ["West Mercia Police"]
    assert len(set(charter.controls)) == 8
    assert charter.endorsement.rule == "all-members"
    assert set(charter.endorsement.roles) == {
        "siro",
        "dpo",
        "caldicott-guardian",
        "chief-executive",
    }
    assert charter.review_interval_months == 12
    assert [p.id for p in charter.purposes if p.law_enforcement] == ["anti-social-behaviour"]


def test_review_dates_are_within_the_charter_interval(charter_data: dict[str, Any]) -> None:
    a_year_on = REVIEWED_ON.replace(
        year=REVIEWED_ON.year + charter_data["review_interval_months"] // 12
    )
    for path, agreement in _agreements():
        assert agreement.review is not None, path.name
        assert REVIEWED_ON < agreement.review <= a_year_on, path.name
        assert agreement.start < agreement.review, path.name
        assert agreement.end is None or agreement.end > agreement.review, path.name
        assert agreement.start >= dt.date.fromisoformat(charter_data["effective"]), path.name


def test_a_dual_hatter_flow_crosses_capacities_on_its_own_basis(
    charter_data: dict[str, Any],
) -> None:
    charter = codec.structure(charter_data, Charter)
    found = []
    for path, agreement in _agreements():
        parties = {p.id: p for p in agreement.parties}
        for flow in agreement.flows:
            a, b = parties[flow.source], parties[flow.recipient]
            if a.organisation == b.organisation:
                assert a.capacity is not None, path.name
                assert b.capacity is not None, path.name
                assert a.capacity != b.capacity, path.name
                assert flow.capacity_basis is not None, (path.name, flow.id)
                assert flow.capacity_basis in _catalogue(charter, agreement), (path.name, flow.id)
                found.append((path.name, flow.id))
    assert found, "no example moves data between two capacities of one organisation"


def test_the_dual_hatter_flow_needs_its_capacity_basis(charter_info: CharterInfo) -> None:
    path = EXAMPLES / "early-help-families.json"
    data = _read(path)
    (index,) = [i for i, f in enumerate(data["flows"]) if "capacity_basis" in f]
    del data["flows"][index]["capacity_basis"]
    report = _report(path, charter_info, data)
    assert "WS403" in {f.code for f in report.errors}, _describe(report)


def test_law_enforcement_processing_by_the_police_uses_part_3(
    charter_data: dict[str, Any],
) -> None:
    charter = codec.structure(charter_data, Charter)
    competent = {m.id for m in charter.members if m.competent_authority}
    law_enforcement = {p.id for p in charter.purposes if p.law_enforcement}
    found = []
    for path, agreement in _agreements():
        catalogue = _catalogue(charter, agreement)
        parties = {p.id: p for p in agreement.parties}
        items = {i.id: i for i in agreement.items}
        for flow in agreement.flows:
            ends = {parties[flow.source].organisation, parties[flow.recipient].organisation}
            if not (ends & competent and set(flow.purposes) & law_enforcement):
                continue
            bases = [catalogue[b].basis for b in flow.bases]
            part_3 = [b for b in bases if isinstance(b, LawEnforcementBasis)]
            assert part_3, (path.name, flow.id)
            sensitive = any(
                items[i].category in (Category.SPECIAL_CATEGORY, Category.CRIMINAL_OFFENCE)
                for i in flow.items
            )
            if sensitive and parties[flow.source].organisation in competent:
                assert any(b.schedule_8_paragraph for b in part_3), (path.name, flow.id)
            found.append((path.name, flow.id, sensitive))
    assert any(sensitive for *_, sensitive in found), "no Part 3 flow carries sensitive data"


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        pytest.param(lambda b: b.startswith("dpa-2018-s35"), "WS209", id="without-part-3-bases"),
        pytest.param(
            lambda b: b.startswith("dpa-2018-s35-sch-8"), "WS211", id="without-schedule-8"
        ),
    ],
)
def test_the_police_flows_need_their_part_3_bases(
    charter_info: CharterInfo, drop: Callable[[str], bool], code: str
) -> None:
    path = EXAMPLES / "anti-social-behaviour-case-conference.json"
    data = _read(path)
    (index,) = [i for i, f in enumerate(data["flows"]) if f["id"] == "police-to-bromsgrove"]
    flow = data["flows"][index]
    flow["bases"] = [b for b in flow["bases"] if not drop(b)]
    report = _report(path, charter_info, data)
    assert any(f.code == code and f.pointer.startswith(f"/flows/{index}") for f in report.errors), (
        _describe(report)
    )


def test_an_agreement_declares_its_own_statutory_gateway(charter_data: dict[str, Any]) -> None:
    charter = codec.structure(charter_data, Charter)
    cited_local = []
    for path, agreement in _agreements():
        local = {e.id for e in agreement.legal_bases}
        for entry in agreement.legal_bases:
            builtin = builtin_catalogue().get(entry.id)
            assert builtin is None or builtin.basis == entry.basis, (path.name, entry.id)
        assert all(isinstance(e.basis, StatutoryGateway) for e in agreement.legal_bases)
        cited = {b for f in agreement.flows for b in f.bases}
        assert local <= cited, f"{path.name} declares bases no flow cites"
        cited_local += sorted(local & cited)
        assert all(b in _catalogue(charter, agreement) for b in cited), path.name
    assert cited_local, "no example demonstrates an agreement-level legal basis"


def test_an_aggregate_only_agreement_needs_no_lawful_basis() -> None:
    aggregate_only = [
        (path, agreement)
        for path, agreement in _agreements()
        if all(not i.category.is_personal_data for i in agreement.items)
    ]
    assert aggregate_only
    for path, agreement in aggregate_only:
        assert all(f.bases == () for f in agreement.flows), path.name


# The tutorial is an example too: run it, step by step, and compare every output it shows.

TUTORIAL = Path(__file__).parent.parent / "docs" / "tutorial.md"
_BLOCK = re.compile(r"([^\n]*)\n\n```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SAVE = re.compile(r"Save this as `([\w.-]+)`:")
_EDIT = re.compile(r"Edit `([\w.-]+)` so .*:")


def _run_command(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    argv = shlex.split(command)
    if argv[0] == "woda-sharing":
        main(argv[1:])
    elif argv[:2] == ["python", "-c"]:
        exec(argv[2], {})  # noqa: S102 - the tutorial's own one-liner
    elif argv[0] == "python":
        runpy.run_path(argv[1], run_name="__main__")
    else:  # pragma: no cover - a new kind of command in the tutorial
        pytest.fail(f"the tutorial runs a command this test cannot: {command}")
    return capsys.readouterr().out


def test_the_tutorial_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    steps = 0
    for lead, lang, body in _BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        if lang in ("json", "python") and (save := _SAVE.search(lead)):
            (tmp_path / save.group(1)).write_text(body, encoding="utf-8")
        elif lang == "json" and (edit := _EDIT.search(lead)):
            target = tmp_path / edit.group(1)
            key = body.strip().split(":", 1)[0]
            lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
            (index,) = [i for i, line in enumerate(lines) if line.strip().startswith(key)]
            lines[index] = body
            target.write_text("".join(lines), encoding="utf-8")
        elif lang == "console":
            for chunk in body.split("$ ")[1:]:
                command, _, expected = chunk.partition("\n")
                assert _run_command(command, capsys) == expected, command
        else:
            continue
        steps += 1
    assert steps >= 10
    assert (
        json.loads((tmp_path / "agreement-typed.json").read_text())["id"]
        == (_read(tmp_path / "agreement.json")["id"])
    )


def test_the_shared_care_record_is_view_only_and_its_concern_needs_article_10(
    charter_info: CharterInfo,
) -> None:
    path = EXAMPLES / "adult-safeguarding-shared-care-record.json"
    data = _read(path)
    assert data["retention"] == {
        "view_only": True,
        "notes": data["retention"]["notes"],
    }
    assert _report(path, charter_info).findings == ()
    # sending the viewed record as a copy contradicts its view-only retention
    copied = json.loads(json.dumps(data))
    copied["flows"][0]["method"] = "secure-email"
    assert "WS314" in _report(path, charter_info, copied).codes()
    # health and offending in one item: it needs both an Article 9 and an Article 10 basis
    concern = codec.structure(data, Agreement).items[1]
    assert concern.is_special_category
    assert concern.is_criminal_offence
    gdpr_only = json.loads(json.dumps(data))
    gdpr_only["flows"][2]["bases"] = ["uk-gdpr-art-6-1-e", "care-act-2014-s42"]
    assert {"WS202", "WS205"} <= _report(path, charter_info, gdpr_only).codes()
