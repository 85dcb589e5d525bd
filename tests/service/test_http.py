"""The decision service over HTTP, in a real uvicorn process on loopback: answers, refusals, health, OpenAPI.

One process serves the whole module (recording off: the log's own tests are
in test_recording.py), so the many refusal cases cost one start-up.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service._server import COUNTY_TOKEN, DISTRICT_TOKEN, REQUEST, ServiceProcess, config
from tests.service.conftest import seed
from woda_sharing.service import openapi


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("http")
    db = str(folder / "register.sqlite")
    seed(db)
    process = ServiceProcess(config(folder, db, recording="off", max_body_bytes=4096, max_batch=3))
    yield process
    process.stop()


def _with(**changes: Any) -> dict[str, Any]:
    request = copy.deepcopy(REQUEST)
    for name, value in changes.items():
        if value is None:
            request.pop(name, None)
        else:
            request[name] = value
    return request


def test_a_permitted_decision(svc: ServiceProcess) -> None:
    answer = svc.decide()
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json["record"] is None  # recording is off here
    decision = answer.json["decision"]
    assert decision["permitted"] is True
    assert decision["flows"] == [{"agreement": "test-agreement", "flow": "referral"}]
    assert [b["id"] for b in decision["bases"]] == ["uk-gdpr-art-6-1-e"]


def test_a_refused_decision_carries_its_reasons(svc: ServiceProcess) -> None:
    answer = svc.decide(_with(items=["name", "health-record"]))
    assert answer.status == 200
    decision = answer.json["decision"]
    assert decision["permitted"] is False
    assert "health-record" in decision["refused_items"]
    assert [r["code"] for r in decision["reasons"]] == ["DR009"]


def test_the_recipient_may_ask_on_its_own_behalf(svc: ServiceProcess) -> None:
    answer = svc.decide(_with(on_behalf_of="county-council"), token=COUNTY_TOKEN)
    assert answer.status == 200
    assert answer.json["decision"]["permitted"] is True


def test_a_batch_is_answered_in_order(svc: ServiceProcess) -> None:
    requests = [REQUEST, _with(purpose="marketing"), REQUEST]
    answer = svc.ask("POST", "/v1/decisions/batch", {"requests": requests})
    assert answer.status == 200
    permitted = [d["decision"]["permitted"] for d in answer.json["decisions"]]
    assert permitted == [True, False, True]


def test_agreements_in_force(svc: ServiceProcess) -> None:
    answer = svc.ask("GET", "/v1/agreements")
    assert answer.status == 200
    assert answer.json["charter"]["id"] == "test-charter"
    assert [(a["id"], a["version"]) for a in answer.json["agreements"]] == [("test-agreement", 1)]
    assert answer.json["agreements"][0]["digest"].startswith("sha256:")
    assert answer.json["withheld"] == []


def test_health_and_readiness_need_no_token(svc: ServiceProcess) -> None:
    assert svc.ask("GET", "/health/live", token=None).json == {"status": "live"}
    ready = svc.ask("GET", "/health/ready", token=None)
    assert ready.status == 200
    assert ready.json["status"] == "ready"
    assert ready.json["charter"] == "test-charter@1"


def test_the_openapi_description_covers_every_route(svc: ServiceProcess) -> None:
    answer = svc.ask("GET", "/openapi.json", token=None)
    assert answer.status == 200
    assert answer.json == openapi()
    assert answer.json["openapi"].startswith("3.1")
    routes = {
        ("post", "/v1/decisions"),
        ("post", "/v1/decisions/batch"),
        ("get", "/v1/agreements"),
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("get", "/openapi.json"),
    }
    described = {(m, p) for p, ops in answer.json["paths"].items() for m in ops}
    assert described == routes
    for method, path in routes:  # every described route answers something other than 404/405
        status = svc.ask(method.upper(), path, REQUEST if method == "post" else None).status
        assert status not in (404, 405), (method, path)


# --- refusals: status, stable code, a reason, logged, never a traceback ----------------------

_LONG = "x" * 40

AUTH_CASES = [
    pytest.param({"token": None}, 401, "no-credentials", id="no-credentials"),
    pytest.param(
        {"token": None, "headers": {"Authorization": f"Basic {_LONG}"}},
        400,
        "malformed-credentials",
        id="not-bearer",
    ),
    pytest.param(
        {"token": None, "headers": {"Authorization": "Bearer"}},
        400,
        "malformed-credentials",
        id="empty-bearer",
    ),
    pytest.param({"token": "short"}, 400, "malformed-credentials", id="token-too-short"),
    pytest.param(
        {"token": "spaces in the token " + _LONG},
        400,
        "malformed-credentials",
        id="token-bad-chars",
    ),
    pytest.param({"token": "y" * 64}, 401, "unknown-token", id="unknown-token"),
    pytest.param(
        {"token": COUNTY_TOKEN}, 403, "not-your-organisation", id="another-organisations-token"
    ),
    pytest.param(
        {"token": DISTRICT_TOKEN, "body": _with(on_behalf_of="county-council")},
        403,
        "not-your-organisation",
        id="on-behalf-of-another",
    ),
    pytest.param(
        {
            "token": DISTRICT_TOKEN,
            "body": _with(
                sender="police", recipient="county-council", on_behalf_of="district-council"
            ),
        },
        403,
        "not-a-party",
        id="not-a-party",
    ),
]


@pytest.mark.parametrize(("kwargs", "status", "code"), AUTH_CASES)
def test_who_may_ask(svc: ServiceProcess, kwargs: dict[str, Any], status: int, code: str) -> None:
    body = kwargs.pop("body", REQUEST)
    answer = svc.ask("POST", "/v1/decisions", body, **kwargs)
    assert answer.status == status, answer.raw
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json["code"] == code
    assert answer.json["status"] == status
    assert answer.json["detail"]
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert svc.logged(f'"code": "{code}"')


def test_the_whole_batch_is_refused_when_one_request_is_not_the_callers(
    svc: ServiceProcess,
) -> None:
    requests = [REQUEST, _with(on_behalf_of="county-council")]
    answer = svc.ask("POST", "/v1/decisions/batch", {"requests": requests})
    assert answer.status == 403
    assert answer.json["detail"].startswith("requests[1]: ")


MALFORMED = [
    pytest.param(b"{not json", "not JSON", id="not-json"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "", id="deep-nesting-too-large"),
    pytest.param(b"[" * 2000 + b"]" * 2000, "nests too deeply", id="deep-nesting"),
    pytest.param(b"[]", "not a JSON object", id="not-an-object"),
    pytest.param(
        json.dumps(_with(colour="red")).encode(), "unknown member(s): colour", id="unknown"
    ),
    pytest.param(json.dumps(_with(items=[])).encode(), "items", id="no-items"),
    pytest.param(json.dumps(_with(items="name")).encode(), "items", id="items-a-string"),
    pytest.param(json.dumps(_with(items=[1])).encode(), "items holds strings", id="item-a-number"),
    pytest.param(json.dumps(_with(sender=None)).encode(), "sender is missing", id="no-sender"),
    pytest.param(json.dumps(_with(purpose=7)).encode(), "purpose is a int", id="purpose-number"),
    pytest.param(json.dumps(_with(recipient="")).encode(), "recipient is 1 to", id="empty-id"),
    pytest.param(json.dumps(_with(on="2024-13-01")).encode(), "on is a date", id="bad-date"),
    pytest.param(json.dumps(_with(on="tomorrow")).encode(), "on is a date", id="not-a-date"),
    pytest.param(
        json.dumps(_with(sender_capacity=["a"])).encode(), "sender_capacity", id="capacity-list"
    ),
    pytest.param(b"\xff\xfe", "not JSON", id="not-utf8"),
]


@pytest.mark.parametrize(("raw", "words"), MALFORMED)
def test_malformed_requests_get_400_with_a_reason(
    svc: ServiceProcess, raw: bytes, words: str
) -> None:
    answer = svc.ask("POST", "/v1/decisions", raw=raw)
    expected = 413 if len(raw) > 4096 else 400
    assert answer.status == expected, answer.raw
    assert words in answer.json["detail"]
    assert b"Traceback" not in answer.raw


BATCH_MALFORMED = [
    pytest.param({"requests": []}, "1 to 3", id="empty"),
    pytest.param({"requests": [REQUEST] * 4}, "1 to 3", id="too-many"),
    pytest.param({"requests": REQUEST}, "1 to 3", id="not-an-array"),
    pytest.param({"asks": [REQUEST]}, '{"requests"', id="wrong-member"),
    pytest.param({"requests": [REQUEST, {"sender": 1}]}, "requests[1].", id="second-bad"),
]


@pytest.mark.parametrize(("body", "words"), BATCH_MALFORMED)
def test_malformed_batches(svc: ServiceProcess, body: object, words: str) -> None:
    answer = svc.ask("POST", "/v1/decisions/batch", body)
    assert answer.status == 400, answer.raw
    assert words in answer.json["detail"]


def test_size_method_and_path(svc: ServiceProcess) -> None:
    big = svc.ask("POST", "/v1/decisions", raw=b" " * 5000)
    assert (big.status, big.json["code"]) == (413, "body-too-large")
    chunked = svc.ask(
        "POST", "/v1/decisions", raw=b" " * 5000, headers={"Content-Length": "not-a-number"}
    )
    assert chunked.status in (400, 413)
    assert b"Traceback" not in chunked.raw
    assert svc.ask("GET", "/v1/decisions").json["code"] == "method-not-allowed"
    assert svc.ask("GET", "/v2/anything").json["code"] == "not-found"
    assert svc.ask("POST", "/v1/agreements", REQUEST).status == 405


def test_a_service_with_nothing_to_serve_says_why(tmp_path: Path, start: Any) -> None:
    db = str(tmp_path / "register.sqlite")
    seed(db)
    process = start(db, recording="off", charter="another-charter")
    ready = process.ask("GET", "/health/ready", token=None)
    assert ready.status == 503
    assert "no endorsed charter 'another-charter'" in ready.json["problems"][0]
    answer = process.decide()
    assert (answer.status, answer.json["code"]) == (503, "not-serving")
    assert process.ask("GET", "/v1/agreements").status == 503
