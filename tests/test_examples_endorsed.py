"""The shipped examples carry endorsements that verify against the shipped keyring."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from woda_sharing._keyring import Keyring
from woda_sharing._loading import load_path
from woda_sharing._signing import verify

FOLDER = Path(__file__).parent.parent / "examples" / "worcestershire"
AT = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
PARTIAL = "homelessness-duty-to-refer.json"


def _agreements() -> list[str]:
    return sorted(p.name for p in FOLDER.glob("*.json") if load_path(p).get("kind") == "agreement")


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return Keyring.from_data(load_path(FOLDER / "keyring.json"))


def test_the_charter_is_endorsed_by_every_member(keyring: Keyring) -> None:
    charter = load_path(FOLDER / "charter.json")
    result = verify(charter, keyring, at=AT)
    assert result
    assert set(result.endorsed) == {m["id"] for m in charter["members"]}
    assert not result.pending


@pytest.mark.parametrize("name", [n for n in _agreements() if n != PARTIAL], ids=str)
def test_fully_endorsed_agreements_verify(name: str, keyring: Keyring) -> None:
    charter = load_path(FOLDER / "charter.json")
    assert verify(load_path(FOLDER / name), keyring, charter=charter, at=AT)


def test_the_partially_endorsed_agreement_shows_who_is_pending(keyring: Keyring) -> None:
    charter = load_path(FOLDER / "charter.json")
    result = verify(load_path(FOLDER / PARTIAL), keyring, charter=charter, at=AT)
    assert not result
    assert len(result.endorsed) == 2
    assert len(result.pending) == 2
