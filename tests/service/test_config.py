"""The service's configuration: what it accepts, and a clear refusal of everything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing.cli import main
from woda_sharing.exceptions import UsageError
from woda_sharing.service import Client, ServiceConfig, load_config, new_token, token_digest

DIGEST = token_digest("a" * 43)
CLIENT = {"name": "case-system", "token_sha256": DIGEST, "on_behalf_of": ["county-council"]}


def _config(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"charter": "test-charter", "clients": [CLIENT]}
    data.update(changes)
    return data


def test_a_configuration_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "service.json"
    path.write_text(
        json.dumps(_config(register="r.sqlite", recording="off", reload_seconds=1, record_batch=5))
    )
    config = load_config(path)
    assert config.charter == "test-charter"
    assert config.clients == (
        Client(name="case-system", token_sha256=DIGEST, on_behalf_of=frozenset({"county-council"})),
    )
    assert config.register == "r.sqlite"
    assert not config.recording_required
    assert config.record_batch == 5
    assert ServiceConfig.from_dict(_config()).recording_required  # required by default


def test_new_tokens_are_long_random_and_named_by_their_digest() -> None:
    one, two = new_token(), new_token()
    assert one != two
    assert len(one) >= 43
    assert len(token_digest(one)) == 64


BAD = [
    pytest.param([], "a JSON object", id="not-an-object"),
    pytest.param({"clients": []}, "names no charter", id="no-charter"),
    pytest.param(_config(charter="Not An Id"), "charter id", id="bad-charter"),
    pytest.param(_config(colour="red"), "unknown configuration member(s): colour", id="unknown"),
    pytest.param(_config(recording="sometimes"), "recording is one of", id="recording"),
    pytest.param(_config(clients={}), "clients is an array", id="clients-object"),
    pytest.param(_config(clients=[1]), "clients[0] is an object", id="client-number"),
    pytest.param(
        _config(clients=[{**CLIENT, "token": "x"}]), "unknown member(s): token", id="plain-token"
    ),
    pytest.param(
        _config(clients=[{**CLIENT, "on_behalf_of": "county-council"}]),
        "on_behalf_of is an array",
        id="behalf-string",
    ),
    pytest.param(
        _config(clients=[{**CLIENT, "on_behalf_of": []}]), "one or more", id="behalf-empty"
    ),
    pytest.param(
        _config(clients=[{**CLIENT, "on_behalf_of": ["Bad Org"]}]), "one or more", id="behalf-bad"
    ),
    pytest.param(
        _config(clients=[{**CLIENT, "token_sha256": "abc"}]), "64 lower-case hex", id="digest"
    ),
    pytest.param(_config(clients=[{**CLIENT, "name": ""}]), "client's name", id="name"),
    pytest.param(_config(clients=[CLIENT, CLIENT]), "share a name", id="same-name"),
    pytest.param(
        _config(clients=[CLIENT, {**CLIENT, "name": "other"}]), "share a token", id="same-token"
    ),
    pytest.param(_config(reload_seconds=0), "reload_seconds", id="reload-zero"),
    pytest.param(_config(max_batch=True), "max_batch", id="batch-bool"),
    pytest.param(_config(max_body_bytes="big"), "max_body_bytes", id="body-text"),
    pytest.param(_config(register=5), "register is a path", id="register-number"),
]


@pytest.mark.parametrize(("data", "words"), BAD)
def test_bad_configurations_are_refused_with_the_reason(data: object, words: str) -> None:
    with pytest.raises(UsageError, match=None) as info:
        ServiceConfig.from_dict(data)
    assert words in str(info.value)


def test_the_command_line_refuses_a_bad_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--config", str(tmp_path / "missing.json")]) == 2
    assert "cannot read the configuration" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["serve", "--config", str(broken)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert main(["serve"]) == 2
    assert "give --config" in capsys.readouterr().err


def test_the_command_line_makes_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--new-token"]) == 0
    out = capsys.readouterr().out.splitlines()
    token = out[0].split()[-1]
    assert out[1].split()[-1] == token_digest(token)


def test_an_address_in_use_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    path = tmp_path / "service.json"
    path.write_text(json.dumps(_config(recording="off")))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--config", str(path), "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
