"""``woda-sharing register`` and ``woda-sharing diff`` end to end, on a SQLite file."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.register import _docs
from tests.register._docs import AT_TEXT
from woda_sharing.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples" / "worcestershire"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "r.sqlite")
    code, out, _ = run(
        capsys, "register", "import", "--db", path, *map(str, sorted(EXAMPLES.glob("*.json")))
    )
    assert code == 0, out
    assert f"{len(list(EXAMPLES.glob('*.json')))} document(s) imported" in out
    return path


def test_list_query_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "register",
        "list",
        "--db",
        db,
        "--from",
        "worcestershire-county-council",
        "--to-sector",
        "police",
    )
    assert code == 0
    assert out.splitlines()[-1] == "0 document(s)"
    code, out, _ = run(
        capsys, "register", "query", "--db", db, "--to-sector", "police", "--format", "json"
    )
    assert [e["id"] for e in json.loads(out)] == ["anti-social-behaviour-case-conference"]
    code, out, _ = run(capsys, "register", "list", "--db", db, "--state", "pending")
    assert "homelessness-duty-to-refer" in out
    assert "pending: " in out
    code, out, _ = run(
        capsys,
        "register",
        "show",
        "--db",
        db,
        "agreement",
        "early-help-families",
        "--format",
        "json",
    )
    assert json.loads(out) == json.loads((EXAMPLES / "early-help-families.json").read_text())
    code, out, _ = run(
        capsys, "register", "show", "--db", db, "charter", "worcestershire-data-sharing-charter"
    )
    assert "digest: sha256:" in out


def test_bad_identifiers_and_missing_documents_exit_2(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "register", "list", "--db", db, "--item", "x'; DROP TABLE documents;--"
    )
    assert code == 2
    assert "item must be an identifier" in err
    code, _, err = run(capsys, "register", "show", "--db", db, "agreement", "nothing")
    assert code == 2
    assert "holds no agreement nothing" in err
    code, _, err = run(capsys, "register", "list", "--db", "mysql://x/y")
    assert code == 2
    assert "SQLite file or PostgreSQL" in err


def test_refused_import_exits_1_and_writes_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((EXAMPLES / "early-help-families.json").read_text())
    data["title"] = "Tampered"
    data["id"] = "tampered-copy"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run(capsys, "register", "import", "--db", db, str(bad))
    assert code == 1
    assert "document-changed" in out
    assert "nothing was written" in out
    code, out, _ = run(capsys, "register", "import", "--db", db, str(bad), "--format", "json")
    assert code == 1
    assert json.loads(out)["ok"] is False
    _, out, _ = run(capsys, "register", "show", "--db", db, "agreement", "early-help-families")
    assert "Tampered" not in out


def test_due_export_history_diff(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "register", "due", "--db", db, "--today", "2026-12-01")
    assert code == 0
    assert "endorsements pending from worcester-city-council" in out
    code, out, _ = run(
        capsys, "register", "due", "--db", db, "--today", "2027-09-01", "--format", "json"
    )
    assert code == 1  # something is overdue
    assert any(d["overdue"] for d in json.loads(out))
    code, out, _ = run(capsys, "register", "export", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    agreements = len(list(EXAMPLES.glob("*.json"))) - 2  # less the charter and the keyring
    assert len(rows) == agreements
    assert rows[0]["digest"].startswith("sha256:")
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    code, _, err = run(
        capsys, "register", "export", "--db", db, "--format", "json", "-o", str(target)
    )
    assert code == 0
    assert f"{agreements} agreement(s)" in err
    assert len(json.loads(target.read_text())["agreements"]) == agreements
    code, out, _ = run(
        capsys, "register", "history", "--db", db, "agreement", "early-help-families"
    )
    assert "v1" in out


def test_amendment_in_history_and_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "r.sqlite")
    charter = _docs.charter()
    v1 = _docs.agreement(charter)
    v2 = _docs.amend(v1, lambda d: d["flows"][0].update(bases=["uk-gdpr-art-6-1-c"]))
    files = [
        _docs.write(tmp_path, n, d)
        for n, d in (
            ("k.json", _docs.keyring()),
            ("c.json", charter),
            ("v1.json", v1),
            ("v2.json", v2),
        )
    ]
    code, out, _ = run(capsys, "register", "import", "--db", db, "--at", AT_TEXT, *map(str, files))
    assert code == 0, out
    code, out, _ = run(capsys, "register", "history", "--db", db, "agreement", "test-agreement")
    assert "! removed" in out
    assert "loses legal basis 'uk-gdpr-art-6-1-e'" in out
    code, out, _ = run(
        capsys, "register", "history", "--db", db, "agreement", "test-agreement", "--format", "json"
    )
    assert json.loads(out)[1]["changes"]
    code, out, _ = run(
        capsys,
        "register",
        "diff",
        "--db",
        db,
        "agreement",
        "test-agreement",
        "1",
        "--format",
        "json",
    )
    assert json.loads(out)["widens"] is True
    code, _, err = run(
        capsys, "register", "diff", "--db", db, "agreement", "test-agreement", "2", "2"
    )
    assert code == 2
    assert "two different versions" in err
    code, out, _ = run(capsys, "diff", str(files[2]), str(files[3]))
    assert code == 0
    assert "1 widening" in out
    code, out, _ = run(capsys, "diff", str(files[2]), str(files[3]), "--fail-on-widening")
    assert code == 1
    code, out, _ = run(capsys, "diff", str(files[2]), str(files[2]), "--fail-on-widening")
    assert code == 0
    assert out.splitlines()[-1].startswith("0 change(s)")
    code, _, err = run(capsys, "diff", str(files[1]), str(files[2]))
    assert code == 2
    assert "cannot compare" in err


def test_default_database_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, _ = run(capsys, "register", "list")
    assert code == 0
    assert (tmp_path / "woda-register.sqlite").exists()
    monkeypatch.setenv("WODA_REGISTER", str(tmp_path / "other.sqlite"))
    run(capsys, "register", "list")
    assert (tmp_path / "other.sqlite").exists()
    shutil.rmtree(tmp_path / "nothing", ignore_errors=True)


def test_text_output_escapes_control_characters() -> None:
    import datetime as dt
    import io

    from woda_sharing.cli._register_output import RegisterJson, RegisterText
    from woda_sharing.register import Entry, State

    entry = Entry(
        kind="agreement",
        id="a",
        version=1,
        digest="sha256:00",
        title="\x1b[2Jcleared\u202e",
        current=True,
        state=State.ENDORSED,
        imported_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    )
    text, data = io.StringIO(), io.StringIO()
    RegisterText(text).entries([entry])
    RegisterJson(data).entries([entry])
    assert "\x1b" not in text.getvalue()
    assert "\\x1b[2Jcleared\\u202e" in text.getvalue()
    assert "\x1b" not in data.getvalue()
    assert json.loads(data.getvalue())[0]["title"] == entry.title


@pytest.mark.parametrize(
    "args",
    [
        ("register", "import", "x.json", "--at", "2024-06-01"),
        ("register", "list", "--limit", "0"),
        ("register", "due", "--within", "soon"),
        ("register", "show", "agreement", "a", "--version", "-1"),
    ],
    ids=["at", "limit", "within", "version"],
)
def test_bad_arguments_exit_2(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_import_with_an_explicit_keyring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.sqlite")
    charter = _docs.charter()
    ring = _docs.write(tmp_path, "ring.json", _docs.keyring())
    c = _docs.write(tmp_path, "c.json", charter)
    code, out, _ = run(
        capsys, "register", "import", "--db", db, "--keyring", str(ring), "--at", AT_TEXT, str(c)
    )
    assert code == 0, out
    assert "charter test-charter version 1 (endorsed)" in out
