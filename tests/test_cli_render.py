"""``woda-sharing render``: documents, the binding check and redlines from the command line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests._render_fixtures import FOLDER
from woda_sharing import _canonical as canonical
from woda_sharing._loading import load_path
from woda_sharing.cli import main

AGREEMENT = str(FOLDER / "early-help-families.json")
CHARTER = str(FOLDER / "charter.json")
KEYRING = str(FOLDER / "keyring.json")
AT = "2026-12-01T09:30:00Z"
SIGNED = ["--charter", CHARTER, "--keyring", KEYRING]


def test_markdown_goes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "document", CHARTER, "--format", "markdown", "--at", AT]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ")
    assert canonical.digest(load_path(CHARTER)) in out


def test_html_to_a_file_then_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "agreement.html"
    args = ["render", "document", AGREEMENT, *SIGNED, "--at", AT, "--findings", "-o", str(out)]
    assert main(args) == 0
    assert out.read_bytes().startswith(b"<!DOCTYPE html>")
    assert main(["render", "check", str(out), AGREEMENT, *SIGNED]) == 0
    assert "came from" in capsys.readouterr().out
    out.write_bytes(out.read_bytes().replace(b"within 24 hours", b"within 96 hours"))
    assert main(["render", "check", str(out), AGREEMENT, *SIGNED, "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["bound"] is False
    assert "edited" in result["reasons"][0]
    assert main(["render", "check", str(out), AGREEMENT]) == 1
    assert "give that keyring" in capsys.readouterr().out


def test_a_pdf_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "document", CHARTER, "--format", "pdf"]) == 2
    assert "a PDF needs --output FILE" in capsys.readouterr().err
    assert main(["render", "redline", CHARTER, CHARTER, "--format", "pdf"]) == 2
    assert main(["render", "document", CHARTER, "--format", "docx"]) == 2
    assert "a Word file needs --output FILE" in capsys.readouterr().err


def test_word_from_the_command_line_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "agreement.docx"
    args = [
        "render",
        "document",
        AGREEMENT,
        *SIGNED,
        "--format",
        "docx",
        "--at",
        AT,
        "-o",
        str(out),
    ]
    assert main(args) == 0
    assert out.read_bytes().startswith(b"PK")
    assert main(["render", "check", str(out), AGREEMENT, *SIGNED]) == 0
    assert "came from" in capsys.readouterr().out
    assert main(["render", "check", str(out), CHARTER]) == 1
    assert "another document or version" in capsys.readouterr().out


def test_a_pdf_from_the_command_line_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "charter.pdf"
    assert main(["render", "document", CHARTER, "--format", "pdf", "--at", AT, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert main(["render", "check", str(out), CHARTER]) == 0
    other = load_path(CHARTER)
    other["version"] = 2
    other_file = tmp_path / "other.json"
    other_file.write_text(json.dumps(other))
    assert main(["render", "check", str(out), str(other_file)]) == 1
    assert "another document or version" in capsys.readouterr().out


def test_a_redline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = load_path(AGREEMENT)
    new = copy.deepcopy(old)
    new["version"] = 2
    new["flows"][0]["frequency"] = "weekly"
    new_file = tmp_path / "v2.json"
    new_file.write_text(json.dumps(new))
    assert main(["render", "redline", AGREEMENT, str(new_file), "--format", "markdown"]) == 0
    assert "~~ad-hoc~~ **weekly**" in capsys.readouterr().out
    out = tmp_path / "redline.html"
    assert main(["render", "redline", AGREEMENT, str(new_file), "-o", str(out)]) == 0
    assert "<del>ad-hoc</del>" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["document", CHARTER, "--at", "yesterday"], "not an ISO 8601 time", id="time"),
        pytest.param(["document", CHARTER, "--at", "2026-12-01T09:00:00"], "no time zone", id="tz"),
        pytest.param(["document", "/nonexistent.json"], "nonexistent.json", id="missing"),
        pytest.param(["document", KEYRING], "only a charter or an agreement", id="kind"),
        pytest.param(["redline", CHARTER, AGREEMENT], "different documents", id="redline"),
        pytest.param(["check", "/nonexistent.html", CHARTER], "nonexistent.html", id="check"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_an_output_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-folder" / "out.html"
    assert main(["render", "document", CHARTER, "-o", str(target)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not target.exists()


def test_without_the_extra_the_command_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "woda_sharing.render", None)
    assert main(["render", "document", CHARTER]) == 2
    assert "pip install 'woda-sharing[render]'" in capsys.readouterr().err
