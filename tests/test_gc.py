"""The collector is paused while many documents are validated or compiled, and restored after."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from woda_sharing import Policy, validate_many
from woda_sharing._gc import collector_paused
from woda_sharing.testing import example_agreement, example_charter


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """Count the collections that start while the test runs (generation of each)."""
    seen: list[int] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.collect()
    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)


def _allocate() -> list[object]:
    return [[n] for n in range(20_000)]  # enough containers to trigger collections


def test_paused_while_running_and_restored(collections: list[int]) -> None:
    states: list[bool] = []

    @collector_paused
    def work() -> int:
        states.append(gc.isenabled())
        _allocate()
        return 7

    assert work() == 7
    assert states == [False]
    assert gc.isenabled()
    assert len(collections) <= 1


def test_restored_after_an_exception() -> None:
    @collector_paused
    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        fail()
    assert gc.isenabled()


def test_left_off_when_the_caller_turned_it_off() -> None:
    gc.disable()
    try:
        collector_paused(_allocate)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_compile_and_validate_many_run_without_collections(
    collections: list[int], tmp_path: Path
) -> None:
    charter = example_charter()
    agreements = []
    for n in range(40):
        agreement = example_agreement(charter)
        agreement["id"] = f"agreement-{n}"
        agreements.append(agreement)
    gc.collect()  # a fresh count, so that no collection falls due on the call itself
    collections.clear()
    Policy.compile(charter, agreements)
    # At most the young-generation collection that falls due as the collector resumes.
    assert len(collections) <= 1
    (tmp_path / "charter.json").write_text(json.dumps(charter))
    for agreement in agreements:
        (tmp_path / f"{agreement['id']}.json").write_text(json.dumps(agreement))
    gc.collect()
    collections.clear()
    assert len(validate_many(tmp_path)) == 41
    assert len(collections) <= 1
    assert gc.isenabled()
