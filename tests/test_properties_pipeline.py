"""Mutated, signed documents through verify and decide: only results and the library's errors.

Issue 5 asks that hostile input, run through load, validate, canonicalize,
verify and decide, yields findings or the library's own errors and nothing else.
`tests/test_properties.py` covers load, validate and canonicalize; this module
takes the shipped, endorsed Worcestershire examples, changes one value anywhere
in them, and runs the result through verification and the sharing policy.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import _parent, _paths
from woda_sharing._decisions import Policy, Request
from woda_sharing._keyring import Keyring
from woda_sharing._loading import load_path
from woda_sharing._signing import VerificationResult, verify
from woda_sharing.exceptions import WodaError

FOLDER = Path(__file__).parent.parent / "examples" / "worcestershire"
AT = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
ON = dt.date(2026, 12, 1)

CHARTER = load_path(FOLDER / "charter.json")
AGREEMENT = load_path(FOLDER / "early-help-families.json")
KEYRING = Keyring.from_data(load_path(FOLDER / "keyring.json"))

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)


@st.composite
def _mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """*document* with one member or element dropped, replaced or duplicated."""
    doc = copy.deepcopy(document)
    path = draw(st.sampled_from(_paths(doc)))
    parent = _parent(doc, path)
    action = draw(st.sampled_from(["drop", "replace", "duplicate"]))
    if action == "drop":
        del parent[path[-1]]
    elif action == "replace":
        parent[path[-1]] = draw(_VALUES)
    elif isinstance(parent, list):
        parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))  # type: ignore[index]
    else:
        parent[path[-1]] = [parent[path[-1]], parent[path[-1]]]
    return doc


def test_the_unmutated_examples_verify() -> None:
    assert verify(CHARTER, KEYRING, at=AT)
    assert verify(AGREEMENT, KEYRING, charter=CHARTER, at=AT)


def _same_up_to_repeated_endorsements(doc: dict[str, Any], original: dict[str, Any]) -> bool:
    """Whether *doc* differs from *original* at most by repeating some of its endorsements.

    A repeated valid endorsement is still valid and counts once, so such a
    document rightly verifies; any other change must not.
    """
    content = {k: v for k, v in doc.items() if k != "endorsements"}
    if content != {k: v for k, v in original.items() if k != "endorsements"}:
        return False
    endorsements = doc.get("endorsements")
    if not isinstance(endorsements, list):
        return False
    originals = original["endorsements"]
    return all(e in originals for e in endorsements) and all(e in endorsements for e in originals)


@given(charter=_mutated(CHARTER))
def test_a_changed_charter_never_verifies_and_never_crashes(charter: dict[str, Any]) -> None:
    try:
        result = verify(charter, KEYRING, at=AT)
    except WodaError:
        return
    assert isinstance(result, VerificationResult)
    if not _same_up_to_repeated_endorsements(charter, CHARTER):
        assert not result, "a changed document must not verify"


@given(agreement=_mutated(AGREEMENT))
def test_a_changed_agreement_never_verifies_and_never_crashes(agreement: dict[str, Any]) -> None:
    try:
        result = verify(agreement, KEYRING, charter=CHARTER, at=AT)
    except WodaError:
        return
    if not _same_up_to_repeated_endorsements(agreement, AGREEMENT):
        assert not result


@given(charter=_mutated(CHARTER))
def test_an_agreement_under_a_changed_charter_never_verifies(charter: dict[str, Any]) -> None:
    try:
        result = verify(AGREEMENT, KEYRING, charter=charter, at=AT)
    except WodaError:
        return
    signed_content_changed = {k: v for k, v in charter.items() if k != "endorsements"} != {
        k: v for k, v in CHARTER.items() if k != "endorsements"
    }
    if signed_content_changed:
        assert not result


def _requests(agreement: dict[str, Any]) -> list[Request]:
    orgs = [p.get("organisation") for p in agreement.get("parties", []) if isinstance(p, dict)]
    items = [i.get("id") for i in agreement.get("items", []) if isinstance(i, dict)]
    purposes = [p.get("id") for p in agreement.get("purposes", []) if isinstance(p, dict)]
    strings = [v for v in (*orgs, *items, *purposes) if isinstance(v, str)] or ["x"]
    return [
        Request(
            sender=strings[i % len(strings)],
            recipient=strings[(i + 1) % len(strings)],
            items=tuple(strings[i : i + 2]) or ("x",),
            purpose=strings[-1 - i % len(strings)],
            on=ON,
        )
        for i in range(4)
    ]


@given(agreement=_mutated(AGREEMENT))
def test_a_policy_from_a_changed_agreement_compiles_or_is_refused(
    agreement: dict[str, Any],
) -> None:
    try:
        policy = Policy.compile(CHARTER, [agreement])
    except WodaError:
        return
    requests = _requests(agreement)
    decisions = [policy.decide(r) for r in requests]
    assert list(policy.decide_many(requests)) == decisions
    for decision in decisions:
        assert decision.reasons or decision.flows


@pytest.mark.parametrize("name", ["charter.json", "early-help-families.json"], ids=str)
def test_every_single_value_change_is_caught(name: str) -> None:
    """Exhaustively, not by sampling: replacing any one string value breaks verification."""
    original = load_path(FOLDER / name)
    charter = None if name == "charter.json" else CHARTER
    for path in _paths({k: v for k, v in original.items() if k != "endorsements"}):
        doc = copy.deepcopy(original)
        parent = _parent(doc, path)
        value = parent[path[-1]]
        if not isinstance(value, str):
            continue
        parent[path[-1]] = value + "x"
        assert not verify(doc, KEYRING, charter=charter, at=AT), path
