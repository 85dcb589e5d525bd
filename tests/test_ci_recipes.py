"""The CI recipes this repository ships: the GitHub Action, the pre-commit hook, the how-to's shell.

A recipe that passes when woda-sharing is not installed, or when a file cannot
be read, is a bug: each is run here with and without woda-sharing on the PATH.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "tools" / "ci" / "validate.sh"
HOWTO = ROOT / "docs" / "how-to" / "validate-in-ci.md"
BIN = Path(sys.executable).parent
#: A review date the lifecycle rules accept whatever today is.
_REVIEW = (dt.date.today() + dt.timedelta(days=180)).isoformat()


def _load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text("utf-8"))


def _env(*, installed: bool, **extra: str) -> dict[str, str]:
    """An environment whose PATH has woda-sharing (this interpreter's scripts) or not."""
    system = "/usr/local/bin:/usr/bin:/bin"
    path = f"{BIN}:{system}" if installed else system
    return {"PATH": path, "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8", **extra}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed commands of our own
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture
def sharing(tmp_path: Path, charter: dict[str, Any], agreement: dict[str, Any]) -> Path:
    """A repository folder ``sharing/`` with a valid charter and agreement."""
    folder = tmp_path / "sharing"
    folder.mkdir()
    agreement["review"] = _REVIEW
    (folder / "charter.json").write_text(json.dumps(charter, indent=2))
    (folder / "agreement.json").write_text(json.dumps(agreement, indent=2))
    return folder


def test_the_action_script_passes_valid_documents(sharing: Path) -> None:
    result = _run(["bash", str(SCRIPT)], sharing.parent, _env(installed=True, WODA_PATHS="sharing"))
    assert "::error" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_script_fails_and_annotates_an_error(
    sharing: Path, agreement: dict[str, Any]
) -> None:
    agreement["review"] = _REVIEW
    agreement["flows"][0]["to"] = "nobody"
    (sharing / "agreement.json").write_text(json.dumps(agreement, indent=2))
    sarif = sharing.parent / "out.sarif"
    env = _env(installed=True, WODA_PATHS="sharing", WODA_SARIF=str(sarif))
    result = _run(["bash", str(SCRIPT)], sharing.parent, env)
    assert result.returncode == 1
    assert re.search(
        r"^::error file=sharing/agreement\.json,line=\d+,col=\d+,title=WS101::", result.stdout, re.M
    )
    assert json.loads(sarif.read_text())["version"] == "2.1.0"


def test_the_action_script_fails_on_an_unreadable_file(sharing: Path) -> None:
    (sharing / "broken.json").write_text("{")
    result = _run(["bash", str(SCRIPT)], sharing.parent, _env(installed=True, WODA_PATHS="sharing"))
    assert result.returncode == 2
    assert "title=WS003" in result.stdout


def test_the_action_script_fails_when_woda_sharing_is_not_installed(sharing: Path) -> None:
    result = _run(
        ["bash", str(SCRIPT)], sharing.parent, _env(installed=False, WODA_PATHS="sharing")
    )
    assert result.returncode == 127
    assert "woda-sharing is not installed" in result.stdout


def test_the_action_script_fails_when_the_sarif_log_cannot_be_written(sharing: Path) -> None:
    env = _env(installed=True, WODA_PATHS="sharing", WODA_SARIF=str(sharing / "absent" / "x.sarif"))
    result = _run(["bash", str(SCRIPT)], sharing.parent, env)
    assert result.returncode == 2


def test_the_action_is_composite_and_passes_inputs_through_the_environment() -> None:
    action = _load_yaml(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert all(step["shell"] == "bash" for step in steps)
    # An input spliced into a script could run as shell code: inputs go through env only.
    assert not any("inputs." in step["run"] for step in steps)
    assert "tools/ci/validate.sh" in steps[-1]["run"]
    assert set(steps[-1]["env"]) == {"WODA_PATHS", "WODA_CHARTER", "WODA_SARIF"}
    assert set(action["inputs"]) == {"paths", "charter", "sarif-file", "install"}


def test_the_pre_commit_hook_runs_the_validator_on_json_and_yaml() -> None:
    (hook,) = _load_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "woda-sharing-validate"
    assert hook["entry"] == "woda-sharing validate"
    assert hook["language"] == "python"
    assert set(hook["types_or"]) == {"json", "yaml"}
    assert hook.get("pass_filenames", True)


def test_the_pre_commit_entry_fails_a_commit_with_an_error(
    sharing: Path, agreement: dict[str, Any]
) -> None:
    (hook,) = _load_yaml(ROOT / ".pre-commit-hooks.yaml")
    agreement["flows"][0]["to"] = "nobody"
    (sharing / "agreement.json").write_text(json.dumps(agreement, indent=2))
    entry = [*hook["entry"].split(), "--charter", "sharing/charter.json", "sharing/agreement.json"]
    command = ["bash", "-c", 'exec "$@"', "hook", *entry]  # as pre-commit runs it: 127 if missing
    assert _run(command, sharing.parent, _env(installed=True)).returncode == 1
    assert _run(command, sharing.parent, _env(installed=False)).returncode == 127


def _shell_block(marker: str) -> str:
    """The ```sh block of the how-to that contains *marker*."""
    blocks = re.findall(r"```sh\n(.*?)```", HOWTO.read_text("utf-8"), re.S)
    (block,) = (b for b in blocks if marker in b)
    return block


def test_the_how_tos_jq_recipe_fails_when_woda_sharing_is_not_installed(sharing: Path) -> None:
    recipe = _shell_block('[ "$status" -le 1 ]')
    result = _run(["bash", "-c", recipe], sharing.parent, _env(installed=False))
    assert result.returncode == 127


def test_the_how_tos_jq_recipe_fails_on_an_unreadable_file(sharing: Path) -> None:
    (sharing / "broken.json").write_text("{")
    recipe = _shell_block('[ "$status" -le 1 ]')
    result = _run(["bash", "-c", recipe], sharing.parent, _env(installed=True))
    assert result.returncode == 2
