from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing.cli import main


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data)
    return path


@pytest.fixture
def folder(tmp_path: Path, charter: dict[str, Any], agreement: dict[str, Any]) -> Path:
    agreement["review"] = "2999-01-01"  # keep lifecycle rules quiet whatever today is
    _write(tmp_path, "charter.json", charter)
    _write(tmp_path, "agreement.json", agreement)
    return tmp_path


def test_a_folder_is_walked_and_agreements_find_their_charter(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", "--format", "json", str(folder)])
    out = json.loads(capsys.readouterr().out)
    paths = [Path(f["source"]).name for f in out["files"]]
    assert paths == ["agreement.json", "charter.json"]
    agreement = out["files"][0]
    assert agreement["kind"] == "agreement"
    # the charter was found: no "charter not given" warning
    assert all(f["code"] != "WS012" for f in agreement["findings"])
    assert {"ok", "files"} <= out.keys()
    for f in agreement["findings"]:
        assert set(f) >= {"code", "severity", "pointer", "message", "hint"}
    assert (code == 0) == out["ok"]


def test_an_error_finding_exits_1_and_reads_like_a_compiler(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["flows"][0]["to"] = "nobody"
    bad = _write(folder, "agreement.json", agreement)
    code = main(["validate", "--charter", str(folder / "charter.json"), str(bad)])
    out = capsys.readouterr().out
    assert code == 1
    lines = bad.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '"to": "nobody"' in text)
    column = lines[line - 1].index('"to"') + 1
    assert f"{bad}:{line}:{column}: error WS101 party 'nobody' is not declared" in out.splitlines()


def test_json_output_for_a_failing_file(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["flows"][0]["items"].append("nhs-number")
    _write(folder, "agreement.json", agreement)
    code = main(["validate", "--format", "json", str(folder)])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["ok"] is False
    failing = next(f for f in out["files"] if f["source"].endswith("agreement.json"))
    assert failing["ok"] is False
    assert any(
        f["code"] == "WS102" and f["pointer"] == "/flows/0/items/2" for f in failing["findings"]
    )


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [("{", "WS003", "1:2"), ("[1, 2]", "WS007", "1:1"), ('{"a": 1, "a": 1}', "WS004", "1:10")],
    ids=["syntax", "array", "duplicate"],
)
def test_unreadable_input_exits_2_and_is_still_reported(
    tmp_path: Path, content: str, code: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "broken.json", content)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}:{where}: error {code}" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "absent.json")]) == 2
    assert "WS001" in capsys.readouterr().out


def test_an_empty_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "no JSON or YAML files" in capsys.readouterr().err


def test_an_invalid_charter_option_exits_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(folder, "not-a-charter.json", {"kind": "charter", "format_version": 1})
    assert main(["validate", "--charter", str(bad), str(folder / "agreement.json")]) == 2
    assert "is not a valid charter" in capsys.readouterr().err
    unreadable = _write(folder, "broken.json", "{")
    assert main(["validate", "--charter", str(unreadable), str(folder / "agreement.json")]) == 2


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["validate", "--format", "xml", "x.json"])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_today_option_judges_dates_as_of_that_day(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["end"] = "2024-12-31"
    _write(folder, "agreement.json", agreement)
    main(["validate", "--format", "json", "--today", "2024-06-01", str(folder)])
    early = json.loads(capsys.readouterr().out)
    main(["validate", "--format", "json", "--today", "2025-06-01", str(folder)])
    late = json.loads(capsys.readouterr().out)
    codes = [{f["code"] for f in out["files"][0]["findings"]} for out in (early, late)]
    assert codes[0] != codes[1]
    with pytest.raises(SystemExit) as info:
        main(["validate", "--today", "June", str(folder)])
    assert info.value.code == 2


def test_folder_walks_skip_hidden_and_underscore_files(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["review"] = "2025-01-31"  # current on 2024-06-01
    _write(folder, "agreement.json", agreement)
    _write(folder, "_expected.json", {"not": "a document"})
    (folder / ".cache").mkdir()
    _write(folder / ".cache", "x.json", "{")
    code = main(["validate", "--format", "json", "--today", "2024-06-01", str(folder)])
    out = json.loads(capsys.readouterr().out)
    assert sorted(Path(f["source"]).name for f in out["files"]) == [
        "agreement.json",
        "charter.json",
    ]
    assert code == 0
    # named explicitly, such a file is still checked
    assert main(["validate", str(folder / "_expected.json")]) == 1


def test_an_unexpected_error_is_one_line_not_a_traceback(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from woda_sharing import _batch as batch

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(batch, "validate", boom)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "woda-sharing: internal error: RuntimeError: a bug (rerun with --debug)"
    with pytest.raises(RuntimeError):
        main(["--debug", "validate", str(folder)])


def test_control_characters_in_a_document_never_reach_the_terminal(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["flows"][0]["to"] = "x\x1b[2K\nfake: ok"
    bad = _write(folder, "agreement.json", agreement)
    assert main(["validate", "--charter", str(folder / "charter.json"), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b" in out
    assert not any(line.startswith("fake") for line in out.splitlines())


def test_printable_escapes_only_what_a_terminal_would_act_on() -> None:
    from woda_sharing.cli import printable

    assert printable("Worcester City Council £ é") == "Worcester City Council £ é"
    assert printable("a\x1b[31mb\nc\u202ed") == "a\\x1b[31mb\\nc\\u202ed"


@pytest.mark.parametrize("text", ["20240601", "2024-W05-1", "2024-6-1", "2024-02-30"], ids=str)
def test_command_line_dates_are_strict(folder: Path, text: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "--today", text, str(folder)])
    assert info.value.code == 2


def test_json_output_escapes_what_a_terminal_would_act_on(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """A basis title comes from the agreement file; printed raw, it could reorder the line."""
    agreement["legal_bases"] = [
        {
            "id": "local-power",
            "title": "Local power\u202e\x1b[2K",
            "citation": "Example Act s.1",
            "basis": {
                "type": "statutory-gateway",
                "act": "Example Act",
                "section": "1",
                "nature": "power",
            },
        }
    ]
    agreement["flows"][0]["bases"].append("local-power")
    path = _write(folder, "agreement.json", agreement)
    code = main(
        [
            "check",
            "--charter",
            str(folder / "charter.json"),
            "--agreement",
            str(path),
            "--from",
            "district-council",
            "--to",
            "county-council",
            "--item",
            "name",
            "--purpose",
            "early-help",
            "--on",
            "2024-06-01",
            "--format",
            "json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "\x1b" not in out
    assert "\u202e" not in out
    titles = [b["title"] for b in json.loads(out)["bases"]]
    assert "Local power\u202e\x1b[2K" in titles


@pytest.mark.parametrize("version", [[], {}, "1", True], ids=["list", "object", "string", "bool"])
def test_a_malformed_charter_reference_is_a_finding_not_a_crash(
    folder: Path, agreement: dict[str, Any], version: object, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement["charter"]["version"] = version
    path = _write(folder, "agreement.json", agreement)
    assert main(["validate", str(folder)]) == 1
    captured = capsys.readouterr()
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '"charter": {' in text)
    line += next(i for i, text in enumerate(lines[line:], 1) if '"version"' in text)
    column = lines[line - 1].index('"version"') + 1
    assert f"{path}:{line}:{column}: error WS010" in captured.out
    assert captured.err == ""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_writes_the_report_to_a_file_and_nothing_to_stdout(
    folder: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "report.txt"
    target.parent.mkdir()
    code = main(["validate", "--format", fmt, "--output", str(target), str(folder)])
    assert capsys.readouterr().out == ""
    assert main(["validate", "--format", fmt, str(folder)]) == code
    assert target.read_text(encoding="utf-8") == capsys.readouterr().out
    assert [p.name for p in target.parent.iterdir()] == ["report.txt"]  # no temporary file left


def test_output_to_an_unwritable_place_is_a_usage_error(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "absent" / "report.json"
    assert main(["validate", "--format", "json", "--output", str(target), str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("woda-sharing: error: ")
    assert "Traceback" not in err
    assert not target.exists()


def test_an_invalid_charter_option_is_reported_in_the_chosen_format(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(folder, "not-a-charter.json", {"kind": "charter", "format_version": 1})
    code = main(
        ["validate", "--format", "json", "--charter", str(bad), str(folder / "agreement.json")]
    )
    captured = capsys.readouterr()
    assert code == 2
    out = json.loads(captured.out)
    assert [f["source"] for f in out["files"]] == [str(bad)]
    assert "WS010" in {f["code"] for f in out["files"][0]["findings"]}
    assert captured.err == f"woda-sharing: error: {bad} is not a valid charter\n"


def test_output_formats_write_to_the_stream_they_are_given(folder: Path) -> None:
    import io

    from woda_sharing import validate_many
    from woda_sharing.cli._output import FORMATS, JsonOutput, TextOutput

    assert {"text", "json", "sarif", "github", "junit"} == set(FORMATS)
    assert (FORMATS["text"], FORMATS["json"]) == (TextOutput, JsonOutput)
    batch = validate_many([folder / "agreement.json"])
    text, data = io.StringIO(), io.StringIO()
    TextOutput(text).batch(batch)
    JsonOutput(data).batch(batch)
    report = batch.reports[0]
    (finding,) = report.findings  # WS012: the charter was not given
    assert text.getvalue().splitlines() == [
        finding.text(report.source),
        f"    hint: {finding.hint}",
        "1 file(s) checked, 0 with errors, 0 error finding(s)",
    ]
    assert json.loads(data.getvalue()) == batch.as_dict()


def test_waived_findings_are_shown_apart_and_do_not_fail(
    folder: Path, agreement: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    del agreement["review"]
    agreement["waivers"] = [
        {
            "code": "WS302",
            "reason": "The review date is set at the board's next meeting.",
            "approved_by": "IG Board",
            "approved": "2024-01-01",
            "expires": "2999-12-31",
        }
    ]
    path = _write(folder, "agreement.json", agreement)
    code = main(["validate", "--today", "2024-06-01", str(folder)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert "waived findings (accepted in the document; they do not count):" in lines
    waived = [line for line in lines if "WS302" in line]
    assert waived == [
        (
            f"  {path}:/review: waived error WS302 the agreement has no review date"
            " (waived by IG Board until 2999-12-31: The review date is set at the board's next meeting.)"
        )
    ]
    assert lines[-1].endswith(", 1 waived")
    main(["validate", "--format", "json", "--today", "2024-06-01", str(folder)])
    out = json.loads(capsys.readouterr().out)
    report = next(f for f in out["files"] if f["kind"] == "agreement")
    assert [w["code"] for w in report["waived"]] == ["WS302"]
    assert report["waived"][0]["waiver"]["approved_by"] == "IG Board"
