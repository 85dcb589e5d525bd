"""Hot pickup: a newly imported endorsed version is served without dropping a request; a pending one waits; a version whose endorsements fail is never served."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

from tests.register import _docs
from tests.register._docs import AT, Doc
from tests.service._server import REQUEST, ServiceProcess
from woda_sharing.register import open_register

PHONE = {**REQUEST, "items": ["name", "phone"]}


def _add_phone(doc: Doc) -> None:
    item = dict(doc["items"][0])
    item.update(id="phone", title="Phone number")
    doc["items"].append(item)
    doc["flows"][0]["items"].append("phone")
    doc["purposes"][0]["needs"].append("phone")


def _in_force(process: ServiceProcess) -> dict[str, Any]:
    answer = process.ask("GET", "/v1/agreements")
    assert answer.status == 200, answer.raw
    return answer.json  # type: ignore[no-any-return]


def _wait(process: ServiceProcess, check: Any, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = _in_force(process)
        if check(state):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.1)


def test_new_versions_are_picked_up_without_dropping_a_request(
    world: tuple[str, Doc, Doc], start: Any
) -> None:
    db, _charter, v1 = world
    process = start(db, recording="off")
    assert process.decide(PHONE).json["decision"]["permitted"] is False

    statuses: list[int] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            statuses.append(process.decide().status)

    workers = [threading.Thread(target=load) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        v2 = _docs.amend(v1, _add_phone)
        with open_register(db) as register:
            register.import_documents([v2], at=AT)
        _wait(process, lambda s: [a["version"] for a in s["agreements"]] == [2])
        assert process.decide(PHONE).json["decision"]["permitted"] is True

        # A newer version still waiting for endorsements leaves version 2 in force.
        v3 = _docs.amend(v2, lambda d: d.update(title="Third"), endorsers=("county-council",))
        with open_register(db) as register:
            assert register.import_documents([v3], at=AT)[0].state.value == "pending"
        time.sleep(1)  # several reloads
        assert [a["version"] for a in _in_force(process)["agreements"]] == [2]
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert statuses
    assert set(statuses) == {200}, "a request was dropped or refused during the pickup"


def test_a_version_whose_endorsements_fail_is_never_served(
    world: tuple[str, Doc, Doc], start: Any
) -> None:
    db, _charter, v1 = world
    process = start(db, recording="off")
    assert process.decide().json["decision"]["permitted"] is True
    # Someone with write access to the database widens the stored agreement behind the
    # register's back: its endorsements no longer match what it says.
    with sqlite3.connect(db) as conn:
        changed = conn.execute(
            "UPDATE documents SET body = replace(body, '\"early-help\"]', "
            "'\"early-help\",\"marketing\"]') WHERE kind = 'agreement' AND doc_id = ?",
            (v1["id"],),
        ).rowcount
    assert changed == 1
    state = _wait(process, lambda s: s["withheld"])
    assert state["agreements"] == []
    (withheld,) = state["withheld"]
    assert (withheld["id"], withheld["version"]) == ("test-agreement", 1)
    assert "endorsements do not verify" in withheld["reason"] or "digest" in withheld["reason"]
    decision = process.decide().json["decision"]
    assert decision["permitted"] is False
    assert process.logged('"withheld": [{"kind": "agreement"')


def test_a_charter_whose_endorsements_fail_stops_the_service_answering(
    world: tuple[str, Doc, Doc], start: Any
) -> None:
    db, _charter, _v1 = world
    process = start(db, recording="off")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE documents SET body = replace(body, '\"Test data sharing charter\"', "
            "'\"A different charter\"') WHERE kind = 'charter'"
        )
    deadline = time.monotonic() + 20
    while process.ask("GET", "/health/ready", token=None).status != 503:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    answer = process.decide()
    assert (answer.status, answer.json["code"]) == (503, "not-serving")
    assert "withheld" in answer.json["detail"]
