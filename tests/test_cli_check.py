"""Tests for ``woda-sharing check``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing.cli import main
from woda_sharing.testing import example_agreement, example_charter


def _write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    charter = example_charter()
    return (
        _write(tmp_path, "charter.json", charter),
        _write(tmp_path, "agreement.json", example_agreement(charter)),
    )


def _check(files: tuple[Path, Path], *extra: str) -> list[str]:
    charter, agreement = files
    return [
        "check",
        "--charter",
        str(charter),
        "--agreement",
        str(agreement),
        "--from",
        "district-council",
        "--to",
        "county-council",
        "--purpose",
        "early-help",
        *extra,
    ]


def test_permitted_exits_0_and_names_flow_and_basis(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_check(files, "--item", "name", "address", "--on", "2024-06-01"))
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == (
        "permitted: district-council -> county-council: name, address for early-help on 2024-06-01"
    )
    assert "  flow test-agreement#referral" in out
    assert any(line.startswith("  basis uk-gdpr-art-6-1-e: Public task") for line in out)


def test_refused_exits_1_with_every_reason(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_check(files, "--item", "name", "--item", "nhs-number", "--on", "2024-06-01"))
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("refused: ")
    assert any(line.startswith("  DR009 unknown items ['nhs-number']") for line in out)


def test_json_output(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_check(files, "--item", "name", "--on", "2025-06-01", "--format", "json"))
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["permitted"] is False
    assert out["request"] == {
        "from": "district-council",
        "from_capacity": None,
        "to": "county-council",
        "to_capacity": None,
        "items": ["name"],
        "purpose": "early-help",
        "on": "2025-06-01",
        "uses": [],
        "received_under": None,
        "consent": None,
        "conditions": [],
    }
    assert [r["code"] for r in out["reasons"]] == ["DR005"]
    assert out["reasons"][0]["agreements"] == ["test-agreement"]


def test_capacities_on_the_command_line(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            *_check(files, "--item", "name", "--on", "2024-06-01", "--format", "json"),
            "--from",
            "district-council:housing",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["request"]["from_capacity"] == "housing"
    assert [r["code"] for r in out["reasons"]] == ["DR009"]


def test_default_date_is_today(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    main(_check(files, "--item", "name", "--format", "json"))
    assert json.loads(capsys.readouterr().out)["request"]["on"] == dt.date.today().isoformat()


USAGE = [
    ("bad-date", ["--item", "name", "--on", "01/06/2024"]),
    ("no-item", []),
    ("empty-capacity", ["--item", "name", "--to", "county-council:"]),
]


@pytest.mark.parametrize("extra", [u[1] for u in USAGE], ids=[u[0] for u in USAGE])
def test_usage_errors_exit_2(
    files: tuple[Path, Path], extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(_check(files, *extra))
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_check((tmp_path / "no.json", tmp_path / "none.json"), "--item", "name"))
    assert code == 2
    assert "no.json" in capsys.readouterr().err


def test_unreadable_agreement_exits_2(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _write(files[1].parent, "agreement.json", '{"id": 1, "id": 2}')
    assert main(_check(files, "--item", "name")) == 2
    assert "duplicate member name" in capsys.readouterr().err


def test_invalid_agreement_exits_2(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = example_agreement()
    agreement["flows"][0]["to"] = "nobody"
    _write(files[1].parent, "agreement.json", agreement)
    assert main(_check(files, "--item", "name")) == 2
    assert "WS101" in capsys.readouterr().err


def test_keyring_requires_endorsement(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    keys = pytest.importorskip("woda_sharing._keys")
    keyring = pytest.importorskip("woda_sharing._keyring")
    signing = pytest.importorskip("woda_sharing._signing")
    utc = dt.UTC
    charter = example_charter()
    agreement = example_agreement(charter)
    ring = keyring.new_keyring("test")
    for org in ("county-council", "district-council"):
        signer = keys.generate_signer("Ed25519")
        ring = keyring.add_key(
            ring, org, signer.public_jwk, not_before=dt.datetime(2024, 1, 1, tzinfo=utc)
        )
        agreement = signing.endorse(
            agreement,
            signer,
            organisation=org,
            role="siro",
            signed_at=dt.datetime(2024, 3, 1, tzinfo=utc),
        )
        if org == "county-council":
            half = agreement
    ring_path = _write(files[0].parent, "keyring.json", ring)
    args = ["--item", "name", "--on", "2024-06-01", "--keyring", str(ring_path)]

    _write(files[1].parent, "agreement.json", half)
    assert main(_check(files, *args)) == 1
    assert "DR006" in capsys.readouterr().out

    _write(files[1].parent, "agreement.json", agreement)
    assert main(_check(files, *args)) == 0
    capsys.readouterr()

    _write(files[0].parent, "keyring.json", {"kind": "keyring"})
    assert main(_check(files, *args)) == 2
