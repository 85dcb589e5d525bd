"""``--version``, ``python -m woda_sharing``, ``digest`` and ``-`` for standard input."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import digest, validate_many
from woda_sharing._loading import Limits
from woda_sharing.cli import EXIT_BROKEN_PIPE, main
from woda_sharing.exceptions import UsageError

EXAMPLES = Path(__file__).parent.parent / "examples"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_version_is_printed_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"woda-sharing {metadata.version('woda-sharing')}\n"


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "woda_sharing",
            "digest",
            str(EXAMPLES / "worcestershire" / "charter.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sha256:")


def test_digest_is_the_one_an_agreement_cites_for_its_charter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = EXAMPLES / "worcestershire"
    assert main(["digest", str(folder / "charter.json")]) == 0
    cited = json.loads((folder / "early-help-families.json").read_text("utf-8"))["charter"]
    assert capsys.readouterr().out == f"{cited['digest']}\n"


def test_digest_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], charter: dict[str, Any]
) -> None:
    _stdin(monkeypatch, json.dumps(charter, indent=4).encode())
    assert main(["digest", "-"]) == 0
    assert capsys.readouterr().out == f"{digest(charter)}\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b'{"a": 1.5}', "fraction"), (b"{", "not JSON"), (b"[]", "not an object")],
    ids=["number", "syntax", "array"],
)
def test_digest_of_what_cannot_be_read_strictly_is_a_one_line_usage_error(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    assert main(["digest", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("woda-sharing: error: ")
    assert message in captured.err
    assert len(captured.err.splitlines()) == 1


def test_validate_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    charter: dict[str, Any],
    agreement: dict[str, Any],
) -> None:
    (tmp_path / "charter.json").write_text(json.dumps(charter))
    agreement["flows"][0]["to"] = "nobody"
    _stdin(monkeypatch, json.dumps(agreement, indent=2).encode())
    code = main(["validate", "--charter", str(tmp_path / "charter.json"), "-"])
    out = capsys.readouterr().out
    assert code == 1
    assert any(line.startswith("<stdin>:") and "WS101" in line for line in out.splitlines())


def test_standard_input_is_read_once_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, b"{}")
    assert main(["validate", "-", "-"]) == 2
    assert (
        capsys.readouterr().err == "woda-sharing: error: standard input (-) can be read only once\n"
    )
    with pytest.raises(UsageError):
        validate_many(["x.json", "-"], charter="-")


def test_standard_input_has_the_size_limit_of_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b'{"a": "' + b"x" * 200 + b'"}')
    (report,) = validate_many("-", limits=Limits(max_bytes=100))
    assert report.source == "<stdin>"
    assert report.codes() == {"WS006"}


def test_standard_input_that_cannot_be_read_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{}"))  # no byte stream behind it
    (report,) = validate_many("-")
    assert report.codes() == {"WS001"}


def test_a_file_called_dash_is_named_dot_slash_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, charter: dict[str, Any]
) -> None:
    (tmp_path / "-").write_text(json.dumps(charter))
    monkeypatch.chdir(tmp_path)
    (report,) = validate_many("./-")
    assert report.ok


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["validate", str(EXAMPLES / "invalid")], id="validate-many-findings"),
        pytest.param(["digest", str(EXAMPLES / "worcestershire" / "charter.json")], id="digest"),
    ],
)
def test_a_reader_that_went_away_ends_quietly_with_the_sigpipe_status(command: list[str]) -> None:
    """``validate | head``: no "Broken pipe" message, no traceback, status 141 as SIGPIPE gives."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "woda_sharing", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == EXIT_BROKEN_PIPE == 141


def test_a_reader_that_stops_after_one_line_gets_exactly_that_line() -> None:
    shell = f'{shlex.quote(sys.executable)} -m woda_sharing validate {shlex.quote(str(EXAMPLES / "invalid"))} | head -n 1; echo "status ${{PIPESTATUS[0]}}"'
    result = subprocess.run(  # noqa: S603 - a fixed command line of our own
        ["bash", "-c", shell],  # noqa: S607 - bash from the PATH, as CI runs it
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "Broken pipe" not in result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[1] in ("status 141", "status 1")  # 1: everything fitted in the pipe first
