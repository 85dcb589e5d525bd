"""``woda-sharing receipt`` and ``woda-sharing log`` end to end, on a SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.register import _docs
from tests.register._docs import AT
from woda_sharing import Request, record, sign_receipt
from woda_sharing.cli import main
from woda_sharing.register import open_register

ORG = "county-council"
ASK = Request("district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    charter, ring = _docs.charter(), _docs.keyring()
    agreement = _docs.agreement(charter)
    for name, doc in (
        ("charter.json", charter),
        ("agreement.json", agreement),
        ("keyring.json", ring),
    ):
        _docs.write(tmp_path, name, doc)
    with open_register(tmp_path / "r.sqlite") as reg:
        reg.import_documents([ring, charter, agreement], at=AT)
        policy = reg.policy("test-charter")
        recs = [
            record(
                policy.decide(q),
                q,
                asked_by="case-system",
                on_behalf_of="district-council",
                policy=policy,
                at=AT + dt.timedelta(minutes=i),
                record_id=f"rec-{i}",
            )
            for i, q in enumerate(
                [ASK, ASK._replace(items=("address",)), ASK._replace(purpose="x")]
            )
        ]
        reg.log.append(recs)
        receipt = sign_receipt(recs[0], _docs.signer(ORG), organisation=ORG, signed_at=AT)
    _docs.write(tmp_path, "receipt.json", receipt.as_dict())
    (tmp_path / "key.pem").write_bytes(_docs.signer(ORG).private_pem())

    def narrow(a: dict[str, Any]) -> None:
        a["flows"][0]["items"] = ["name"]

    _docs.write(tmp_path, "amended.json", _docs.amend(agreement, narrow))
    return tmp_path


def test_receipt_verify(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [
        "receipt",
        "verify",
        str(folder / "receipt.json"),
        "--keyring",
        str(folder / "keyring.json"),
        "--at",
        "2024-06-02T00:00:00Z",
    ]
    code, out, _ = run(
        capsys,
        *base,
        "--document",
        str(folder / "charter.json"),
        "--document",
        str(folder / "agreement.json"),
    )
    assert code == 0, out
    assert "verified record rec-0 signed by county-council" in out
    code, out, _ = run(capsys, *base)
    assert code == 0
    assert "documents not checked" in out
    code, out, _ = run(
        capsys, *base, "--document", str(folder / "amended.json"), "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["problems"]
    data = json.loads((folder / "receipt.json").read_text())
    data["record"]["permitted"] = False
    _docs.write(folder, "receipt.json", data)
    code, out, _ = run(capsys, *base)
    assert code == 1
    assert "NOT verified" in out
    assert "document-changed" in out


def test_log_checkpoint_verify_show_prove(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(folder / "r.sqlite")]
    ring = ["--keyring", str(folder / "keyring.json")]
    code, out, _ = run(capsys, "log", "verify", *db)
    assert code == 0
    assert "intact, 3 entries, 0 checkpoint(s)" in out
    code, out, _ = run(
        capsys,
        "log",
        "checkpoint",
        *db,
        "--key",
        str(folder / "key.pem"),
        "--org",
        ORG,
        "-o",
        str(folder / "cp.json"),
    )
    assert code == 0, out
    assert "3 entries" in out
    assert json.loads((folder / "cp.json").read_text())["size"] == 3
    code, out, _ = run(capsys, "log", "verify", *db)
    assert "signatures not checked" in out
    code, out, _ = run(capsys, "log", "verify", *db, *ring, "--format", "json")
    assert code == 0
    assert json.loads(out)["signatures_checked"] is True
    code, out, _ = run(capsys, "log", "show", *db, "--limit", "2")
    assert len(out.splitlines()) == 2
    assert "1 2024-06-01T12:00:00.000000Z case-system for district-council" in out
    code, out, _ = run(
        capsys, "log", "show", *db, "--since", "2024-06-01T12:01:00Z", "--format", "json"
    )
    assert [e["seq"] for e in json.loads(out)] == [2, 3]
    code, out, _ = run(capsys, "log", "show", *db, "--record", "rec-2")
    assert json.loads(out)["id"] == "rec-2"
    code, out, _ = run(capsys, "log", "show", *db, "--record", "rec-2", "--format", "json")
    assert json.loads(out)["seq"] == 3
    code, out, err = run(capsys, "log", "prove", "rec-1", *db, "-o", str(folder / "proof.json"))
    assert code == 0
    assert "proof of entry 2" in err
    code, out, _ = run(capsys, "log", "check-proof", str(folder / "proof.json"), *ring)
    assert code == 0
    assert out.startswith("proved: record rec-1 is entry 2 of the 3 entries")
    code, out, _ = run(capsys, "log", "prove", "rec-1", *db)
    assert json.loads(out)["seq"] == 2
    proof = json.loads((folder / "proof.json").read_text())
    proof["later"] = proof["later"][1:]
    _docs.write(folder, "proof.json", proof)
    code, out, _ = run(
        capsys, "log", "check-proof", str(folder / "proof.json"), *ring, "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["verified"] is False
    # Tamper with a row: verify names it and exits 1.
    with sqlite3.connect(folder / "r.sqlite") as conn:
        conn.execute("DELETE FROM decision_log WHERE seq = 2")
    code, out, _ = run(capsys, "log", "verify", *db, *ring)
    assert code == 1
    assert "first bad entry: 2: entry 2 is missing" in out


def test_log_prove_extends(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(folder / "r.sqlite")]
    ring = ["--keyring", str(folder / "keyring.json")]
    key = ["--key", str(folder / "key.pem"), "--org", ORG]
    assert run(capsys, "log", "checkpoint", *db, *key, "-o", str(folder / "cp.json"))[0] == 0
    # A later checkpoint extends the one kept in cp.json.
    with open_register(folder / "r.sqlite") as reg:
        policy = reg.policy("test-charter")
        reg.log.append([record(policy.decide(ASK), ASK, asked_by="s", on_behalf_of="p", at=AT)])
    run(capsys, "log", "checkpoint", *db, "--key", str(folder / "key.pem"), "--org", ORG)
    code, _, err = run(
        capsys,
        "log",
        "prove",
        "--extends",
        str(folder / "cp.json"),
        *db,
        "-o",
        str(folder / "extends.json"),
    )
    assert code == 0
    assert "4 entries extend 3" in err
    code, out, _ = run(capsys, "log", "check-proof", str(folder / "extends.json"), *ring)
    assert code == 0, out
    assert "at 4 entries" in out
    code, _, err = run(capsys, "log", "prove", *db)
    assert code == 2
    assert "RECORD_ID or --extends" in err


def test_log_replay(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(folder / "r.sqlite"), "--charter", "test-charter"]
    code, out, _ = run(capsys, "log", "replay", *db)
    assert code == 0
    assert "3 request(s) replayed, 0 outcome(s) would change" in out
    code, out, _ = run(capsys, "log", "replay", *db, "--proposed", str(folder / "amended.json"))
    assert code == 1
    assert "newly-refused: rec-1" in out
    assert "permitted -> refused DR002" in out
    code, out, _ = run(
        capsys,
        "log",
        "replay",
        *db,
        "--proposed",
        str(folder / "amended.json"),
        "--until",
        "2024-06-01T12:01:00Z",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["replayed"] == 1
    code, out, _ = run(capsys, "log", "replay", *db, "--on", "2030-01-01", "--format", "json")
    assert code == 1
    assert json.loads(out)["counts"]["newly-refused"] == 2


def test_bad_input_is_a_clear_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(folder / "r.sqlite")]
    code, _, err = run(capsys, "log", "show", *db, "--record", "nothing")
    assert code == 2
    assert "no record 'nothing'" in err
    code, _, err = run(capsys, "log", "prove", "rec-0", *db)
    assert code == 2
    assert "no checkpoint covers" in err
    code, _, err = run(
        capsys,
        "log",
        "check-proof",
        str(folder / "receipt.json"),
        "--keyring",
        str(folder / "keyring.json"),
    )
    assert code == 2
    assert "not an inclusion proof" in err
    code, _, err = run(
        capsys,
        "log",
        "checkpoint",
        *db,
        "--key",
        str(folder / "key.pem"),
        "--org",
        ORG,
        "--passphrase-env",
        "WODA_NO_SUCH_VARIABLE",
    )
    assert code == 2
    assert "WODA_NO_SUCH_VARIABLE" in err
    code, _, err = run(
        capsys,
        "log",
        "replay",
        *db,
        "--charter",
        "test-charter",
        "--proposed",
        str(folder / "keyring.json"),
    )
    assert code == 2
    assert "at most one charter" in err
    code, _, err = run(capsys, "log", "verify", "--db", str(folder / "missing" / "x.sqlite"))
    assert code == 2
    assert "cannot open the register" in err
    with pytest.raises(SystemExit):
        main(["log", "show", *db, "--since", "yesterday"])
    assert "not a time" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["log", "show", *db, "--limit", "0"])
