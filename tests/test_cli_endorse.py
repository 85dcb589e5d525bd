"""The keygen, keyring, endorse, verify and status commands, end to end."""

from __future__ import annotations

import base64
import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from woda_sharing.cli import main

AT = "2026-03-01T09:00:00Z"
LATER = "2026-06-01T00:00:00Z"


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def _keygen(tmp_path: Path, org: str, *extra: str) -> tuple[Path, Path]:
    assert main(["keygen", "--org", org, "--out", str(tmp_path / "keys"), *extra]) == 0
    private = next((tmp_path / "keys").glob(f"{org}-*.key.pem"))
    public = next((tmp_path / "keys").glob(f"{org}-*.jwk.json"))
    return private, public


@pytest.fixture
def setup(
    tmp_path: Path, charter: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    """A charter file, a key per member and a keyring holding them."""
    ring = tmp_path / "keyring.json"
    assert main(["keyring", "new", str(ring), "--id", "test-ring"]) == 0
    keys = {}
    for member in charter["members"]:
        org = member["id"]
        private, public = _keygen(tmp_path, org)
        keys[org] = private
        args = ["keyring", "add", str(ring), "--org", org, "--jwk", str(public)]
        assert main([*args, "--not-before", "2026-01-01T00:00:00Z"]) == 0
    capsys.readouterr()
    return {
        "charter": _write(tmp_path / "charter.json", charter),
        "ring": ring,
        "keys": keys,
        "data": charter,
    }


def _endorse(setup: dict[str, Any], org: str, *extra: str, path: Path | None = None) -> int:
    target = path or setup["charter"]
    args = [
        "endorse",
        str(target),
        "--key",
        str(setup["keys"][org]),
        "--org",
        org,
        "--role",
        "siro",
    ]
    return main([*args, "--at", AT, *extra])


def test_keygen_writes_owner_only_private_key_and_never_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, public = _keygen(tmp_path, "county", "--alg", "ES256")
    out = capsys.readouterr().out
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in out
    jwk = json.loads(public.read_text())
    assert jwk["alg"] == "ES256"
    assert "d" not in jwk
    assert jwk["kid"] in out


def test_keygen_with_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WODA_PASS", "s3cret")
    private, _ = _keygen(tmp_path, "county", "--passphrase-env", "WODA_PASS")
    assert b"ENCRYPTED" in private.read_bytes()


def test_keygen_with_missing_passphrase_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "keygen",
            "--org",
            "x",
            "--out",
            str(tmp_path),
            "--passphrase-env",
            "WODA_NOT_SET_ANYWHERE",
        ]
    )
    assert code == 2
    assert "WODA_NOT_SET_ANYWHERE" in capsys.readouterr().err


def test_endorse_verify_and_status(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    doc, ring = str(setup["charter"]), str(setup["ring"])
    assert _endorse(setup, "county-council", "--signatory", "A. Person") == 0
    assert main(["verify", doc, "--keyring", ring, "--at", LATER]) == 1
    assert main(["status", doc, "--keyring", ring, "--at", LATER]) == 1
    out = capsys.readouterr().out
    assert "pending" in out
    row = next(line for line in out.splitlines() if line.startswith("county-council "))
    assert row.split()[:5] == ["county-council", "endorsed", "siro", "A.", "Person"]
    assert "2026-03-01 09:00" in row
    assert _endorse(setup, "district-council") == 0
    assert _endorse(setup, "police") == 0
    capsys.readouterr()
    assert main(["verify", doc, "--keyring", ring, "--at", LATER, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verified"] is True
    assert result["endorsed"] == ["county-council", "district-council", "police"]
    assert main(["verify", doc, "--keyring", ring, "--at", LATER]) == 0
    assert ": verified" in capsys.readouterr().out


def test_endorse_refuses_an_invalid_document(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from woda_sharing import _validation as validation
    from woda_sharing._findings import Finding, Report, Severity

    def failing(data: Any, **_: Any) -> Report:
        finding = Finding(
            code="WS999", severity=Severity.ERROR, pointer="/title", message="bad title"
        )
        return Report(source="x", kind="charter", findings=(finding,))

    monkeypatch.setattr(validation, "validate", failing)
    before = setup["charter"].read_bytes()
    assert _endorse(setup, "police") == 1
    assert setup["charter"].read_bytes() == before
    assert "WS999" in capsys.readouterr().err


def test_endorse_refuses_a_really_invalid_document(setup: dict[str, Any], tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.json", {**setup["data"], "members": "nobody"})
    assert _endorse(setup, "police", path=bad) == 1


def test_endorse_as_non_member_is_an_error(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["endorse", str(setup["charter"]), "--key", str(setup["keys"]["police"])]
    assert main([*args, "--org", "outsider", "--role", "siro", "--at", AT]) == 1
    assert "not a member" in capsys.readouterr().err


def test_agreement_with_charter(
    setup: dict[str, Any],
    agreement: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    agreement["review"] = (dt.date.today() + dt.timedelta(days=180)).isoformat()
    path = _write(tmp_path / "agreement.json", agreement)
    orgs = sorted({p["organisation"] for p in agreement["parties"]})
    for org in orgs:
        assert _endorse(setup, org, "--charter", str(setup["charter"]), path=path) == 0
    verify = ["verify", str(path), "--keyring", str(setup["ring"]), "--at", LATER]
    assert main([*verify, "--charter", str(setup["charter"])]) == 0
    assert main(verify) == 1
    assert "no charter given" in capsys.readouterr().out


def test_retire_honours_and_compromise_refuses(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for member in setup["data"]["members"]:
        assert _endorse(setup, member["id"]) == 0
    ring, doc = str(setup["ring"]), str(setup["charter"])
    kid = json.loads(next(setup["keys"]["police"].parent.glob("police-*.jwk.json")).read_text())[
        "kid"
    ]
    retire = [
        "keyring",
        "retire",
        ring,
        f"--kid={kid}",  # a key id may start with "-"
        "--at",
        "2026-04-01T00:00:00Z",
        "--honour",
        doc,
    ]
    assert main(retire) == 0
    assert "1 endorsement(s) stay honoured" in capsys.readouterr().out
    assert main(["verify", doc, "--keyring", ring, "--at", LATER]) == 0
    assert main(["keyring", "compromise", ring, f"--kid={kid}", "--at", LATER]) == 0
    assert main(["verify", doc, "--keyring", ring, "--at", LATER]) == 1
    assert "key-compromised" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["verify", "missing.json", "--keyring", "missing.json"], id="missing-file"),
        pytest.param(["verify", "{doc}", "--keyring", "{doc}"], id="charter-as-keyring"),
        pytest.param(
            ["verify", "{doc}", "--keyring", "{ring}", "--at", "2026-01-01T00:00:00"],
            id="naive-time",
        ),
        pytest.param(
            ["verify", "{doc}", "--keyring", "{ring}", "--at", "yesterday"], id="bad-time"
        ),
        pytest.param(["keyring", "new", "{ring}", "--id", "again"], id="keyring-exists"),
        pytest.param(["keyring", "retire", "{ring}", "--kid", "nope"], id="unknown-kid"),
        pytest.param(
            ["endorse", "{doc}", "--key", "{doc}", "--org", "police", "--role", "siro"],
            id="not-a-key",
        ),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    setup: dict[str, Any], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    filled = [a.format(doc=setup["charter"], ring=setup["ring"]) for a in argv]
    assert main(filled) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip()


def _kid_of(setup: dict[str, Any], org: str) -> str:
    public = next(setup["keys"][org].parent.glob(f"{org}-*.jwk.json"))
    kid: str = json.loads(public.read_text())["kid"]
    return kid


def test_documents_of_unhashable_kind_exit_1_or_2_in_one_line(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kind that is not a string is not verified (exit 1), and --honour refuses it (exit 2)."""
    hostile = _write(tmp_path / "hostile.json", {"kind": [], "id": "x", "version": 1})
    ring = str(setup["ring"])
    for command in ("verify", "status"):
        assert main([command, str(hostile), "--keyring", ring]) == 1
        assert "carries no endorsements" in capsys.readouterr().out
    kid = _kid_of(setup, "police")
    before = setup["ring"].read_text()
    retire = ["keyring", "retire", ring, f"--kid={kid}", "--honour", str(hostile)]
    assert main(retire) == 2
    err = capsys.readouterr().err
    assert "nothing in it to honour" in err
    assert len(err.strip().splitlines()) == 1
    assert setup["ring"].read_text() == before


def test_control_characters_never_reach_the_terminal(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text from the document and its endorsements is printed escaped, in text and in JSON."""
    assert _endorse(setup, "county-council") == 0
    data = json.loads(setup["charter"].read_text())
    data["id"] = "x\x1b[2K\x9b2K\u202e"
    data["members"][0]["id"] = "m\x1b[1A"
    hostile = _write(tmp_path / "hostile.json", data)
    ring = str(setup["ring"])
    for argv in (
        ["verify", str(hostile), "--keyring", ring],
        ["status", str(hostile), "--keyring", ring],
        ["verify", str(hostile), "--keyring", ring, "--format", "json"],
    ):
        assert main(argv) == 1
        out = capsys.readouterr().out
        assert not any(c in out for c in "\x1b\x9b\u202e"), out
    assert main(["verify", str(hostile), "--keyring", ring, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["id"] == data["id"]
    assert main(["verify", str(hostile), "--keyring", ring]) == 1
    assert "x\\x1b[2K\\x9b2K\\u202e" in capsys.readouterr().out


def test_keygen_refuses_an_organisation_that_is_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The organisation names the key files: '../x' would write outside --out."""
    out = tmp_path / "out" / "keys"
    assert main(["keygen", "--org", "../x", "--out", str(out)]) == 2
    assert "is not an id" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_times_beyond_the_calendar_exit_2(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """9999-12-31T23:00:00-05:00 is after 9999 in UTC: a usage error, never an OverflowError."""
    late = "9999-12-31T23:00:00-05:00"
    ring = str(setup["ring"])
    kid = _kid_of(setup, "police")
    assert main(["keyring", "retire", ring, f"--kid={kid}", "--at", late]) == 2
    jwk = str(next(setup["keys"]["police"].parent.glob("police-*.jwk.json")))
    other = tmp_path / "other.json"
    assert main(["keyring", "new", str(other), "--id", "other"]) == 0
    assert (
        main(["keyring", "add", str(other), "--org", "x", "--jwk", jwk, "--not-before", late]) == 2
    )
    assert "outside the times" in capsys.readouterr().err


def test_keyring_add_refuses_a_private_jwk(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JWK with d is a leaked private key: refused, never stripped and added."""
    public = next(setup["keys"]["police"].parent.glob("police-*.jwk.json"))
    private = _write(tmp_path / "private.jwk.json", {**json.loads(public.read_text()), "d": "AAAA"})
    ring = tmp_path / "ring.json"
    assert main(["keyring", "new", str(ring), "--id", "ring"]) == 0
    assert main(["keyring", "add", str(ring), "--org", "x", "--jwk", str(private)]) == 2
    assert "private key material" in capsys.readouterr().err
    assert json.loads(ring.read_text())["organisations"] == []


# --- refusing early, one hunk, YAML, withdrawing -----------------------------------------


def _hunks(before: str, after: str) -> list[tuple[str, int, int, int, int]]:
    """The changed regions of a line diff (what a pull request shows as hunks)."""
    import difflib

    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    return [op for op in matcher.get_opcodes() if op[0] != "equal"]


def test_endorse_refuses_before_the_key_is_read(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal needs no key: the key file given does not even exist."""
    args = ["endorse", str(setup["charter"]), "--key", str(tmp_path / "missing.pem")]
    before = setup["charter"].read_bytes()
    assert main([*args, "--org", "police", "--role", "sirro", "--at", AT]) == 1
    err = capsys.readouterr().err
    assert "role 'sirro' is not one the charter accepts (dpo, siro); did you mean 'siro'?" in err
    assert "missing.pem" not in err
    assert main([*args, "--org", "polise", "--role", "siro", "--at", AT]) == 1
    assert "did you mean 'police'?" in capsys.readouterr().err
    assert setup["charter"].read_bytes() == before


def test_endorse_refuses_an_agreement_without_its_charter(
    setup: dict[str, Any],
    agreement: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _write(tmp_path / "agreement.json", agreement)
    org = agreement["parties"][0]["organisation"]
    assert _endorse(setup, org, path=path) == 1
    assert "--charter FILE" in capsys.readouterr().err
    assert "endorsements" not in json.loads(path.read_text())


def test_endorse_with_a_keyring_refuses_another_organisations_key(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["endorse", str(setup["charter"]), "--key", str(setup["keys"]["police"])]
    args += ["--org", "county-council", "--role", "siro", "--at", AT]
    before = setup["charter"].read_bytes()
    assert main([*args, "--keyring", str(setup["ring"])]) == 1
    assert "belongs to 'police', not 'county-council'" in capsys.readouterr().err
    assert setup["charter"].read_bytes() == before
    assert _endorse(setup, "police", "--keyring", str(setup["ring"])) == 0
    assert "not checked against a keyring" not in capsys.readouterr().err
    assert _endorse(setup, "county-council") == 0
    assert "not checked against a keyring" in capsys.readouterr().err


def test_endorsing_changes_one_hunk_and_keeps_the_files_own_layout(
    setup: dict[str, Any], tmp_path: Path
) -> None:
    # Four-space indentation, members in an order of the author's choosing, non-ASCII text.
    data = dict(reversed(list(setup["data"].items())))
    data["title"] = data["title"] + " — Worcestershire"
    path = tmp_path / "charter.json"
    path.write_text(json.dumps(data, indent=4, ensure_ascii=False) + "\n", "utf-8")
    original = path.read_text("utf-8")
    assert _endorse(setup, "police", path=path) == 0
    first = path.read_text("utf-8")
    (hunk,) = _hunks(original, first)
    assert hunk[0] in ("replace", "insert")
    assert first.startswith(original.rstrip("\n}").rstrip())  # everything before is kept
    assert '\n    "endorsements": [\n        {\n            "protected": ' in first
    assert _endorse(setup, "county-council", path=path) == 0
    second = path.read_text("utf-8")
    (_hunk,) = _hunks(first, second)
    assert json.loads(second)["endorsements"][:1] == json.loads(first)["endorsements"]


def test_endorsing_a_compact_file_keeps_it_compact(setup: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "charter.json"
    path.write_text(json.dumps(setup["data"], separators=(",", ":")), "utf-8")
    assert _endorse(setup, "police", path=path) == 0
    text = path.read_text("utf-8")
    assert "\n" not in text
    assert len(json.loads(text)["endorsements"]) == 1


def test_yaml_documents_are_endorsed_in_place_and_share_the_json_digest(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from woda_sharing import digest
    from woda_sharing._yaml import load_yaml

    lines = ["# The partnership's charter, kept in YAML", *_yaml_lines(setup["data"])]
    path = tmp_path / "charter.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    original = path.read_text("utf-8")
    for org in ("police", "county-council", "district-council"):
        before = path.read_text("utf-8")
        assert _endorse(setup, org, path=path) == 0
        (_hunk,) = _hunks(before, path.read_text("utf-8"))
    endorsed = path.read_text("utf-8")
    assert endorsed.startswith(original)  # the comment and every member stay as written
    loaded = load_yaml(endorsed.encode())
    assert digest(loaded) == digest(setup["data"])
    capsys.readouterr()
    ring = str(setup["ring"])
    assert main(["verify", str(path), "--keyring", ring, "--at", LATER]) == 0
    assert main(["withdraw", str(path), "--org", "police"]) == 1  # complete: refused
    assert "completed sign-off" in capsys.readouterr().err


def _yaml_lines(data: Any, indent: str = "") -> list[str]:
    """A block-style YAML rendering of *data* (JSON scalars are YAML 1.2 flow scalars)."""
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{key}:")
            lines += _yaml_lines(value, indent + "  ")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{indent}{key}:")
            for item in value:
                inner = _yaml_lines(item, indent + "    ")
                lines.append(f"{indent}  - {inner[0].strip()}")
                lines += inner[1:]
        else:
            lines.append(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}")
    return lines


def test_withdraw_removes_one_endorsement_in_one_hunk(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = setup["charter"]
    assert _endorse(setup, "police") == 0
    assert _endorse(setup, "county-council") == 0
    before = path.read_text("utf-8")
    capsys.readouterr()
    assert main(["withdraw", str(path), "--org", "police"]) == 0
    assert "withdrew 1 endorsement(s) by police" in capsys.readouterr().out
    after = path.read_text("utf-8")
    (_hunk,) = _hunks(before, after)
    orgs = [
        json.loads(base64.urlsafe_b64decode(e["protected"] + "==").decode())["woda_org"]
        for e in json.loads(after)["endorsements"]
    ]
    assert orgs == ["county-council"]
    assert main(["withdraw", str(path), "--org", "police"]) == 1
    assert "'police' has no endorsement in the document" in capsys.readouterr().err
    assert path.read_text("utf-8") == after


def test_a_file_that_changed_since_it_was_read_is_not_overwritten(
    setup: dict[str, Any], tmp_path: Path
) -> None:
    from woda_sharing import load_path, write_endorsements
    from woda_sharing.exceptions import SigningError

    path = _write(tmp_path / "charter.json", setup["data"])
    document = load_path(path)
    _write(path, {**setup["data"], "title": "Changed by someone else"})
    with pytest.raises(SigningError, match="changed since it was read"):
        write_endorsements(path, {**document, "endorsements": []})
    assert json.loads(path.read_text())["title"] == "Changed by someone else"
