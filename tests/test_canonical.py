"""The canonical bytes and digest: RFC 8785 over the document without endorsements."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from woda_sharing._canonical import MAX_DEPTH, MAX_SAFE_INTEGER, digest, signed_bytes
from woda_sharing.exceptions import CanonicalizationError

json_ints = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
json_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | json_ints | json_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=20,
)


def test_known_answer() -> None:
    doc = {"b": [1, "é", True, None], "a": {"z": -5, "y": "\u2028"}, "endorsements": ["ignored"]}
    expected = '{"a":{"y":"\u2028","z":-5},"b":[1,"é",true,null]}'.encode()
    assert signed_bytes(doc) == expected
    assert digest(doc) == "sha256:" + hashlib.sha256(expected).hexdigest()


def test_endorsements_do_not_change_the_digest() -> None:
    doc: dict[str, Any] = {"kind": "charter", "id": "x", "version": 1}
    assert digest(doc) == digest({**doc, "endorsements": [{"protected": "a", "signature": "b"}]})


def test_only_the_top_level_endorsements_member_is_removed() -> None:
    doc = {"nested": {"endorsements": 1}}
    assert b"endorsements" in signed_bytes(doc)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(1.0, "float", id="integral-float"),
        pytest.param(0.5, "float", id="fraction"),
        pytest.param(float("nan"), "float", id="nan"),
        pytest.param(float("inf"), "float", id="infinity"),
        pytest.param(MAX_SAFE_INTEGER + 1, "outside", id="too-large"),
        pytest.param(-MAX_SAFE_INTEGER - 1, "outside", id="too-small"),
        pytest.param("\ud800", "lone surrogate", id="lone-surrogate"),
        pytest.param({"\udc00": 1}, "lone surrogate", id="lone-surrogate-key"),
        pytest.param({1: "x"}, "not a string", id="int-key"),
        pytest.param((1, 2), "tuple", id="tuple"),
        pytest.param(b"x", "bytes", id="bytes"),
        pytest.param({1, 2}, "set", id="set"),
    ],
)
def test_refused_values(value: object, message: str) -> None:
    with pytest.raises(CanonicalizationError, match=message):
        signed_bytes({"value": value})


def test_limits_are_inclusive() -> None:
    assert signed_bytes({"n": MAX_SAFE_INTEGER, "m": -MAX_SAFE_INTEGER}) == (
        b'{"m":-9007199254740991,"n":9007199254740991}'
    )


def test_too_deep() -> None:
    value: Any = 1
    for _ in range(MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(CanonicalizationError, match="deeper"):
        signed_bytes({"v": value})


def test_not_a_mapping() -> None:
    with pytest.raises(CanonicalizationError):
        signed_bytes([1, 2])  # type: ignore[arg-type]


@given(st.dictionaries(json_text, json_values, max_size=6))
def test_round_trip_is_stable(doc: dict[str, Any]) -> None:
    data = signed_bytes(doc)
    again = json.loads(data)
    assert signed_bytes(again) == data
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest(doc))


@given(st.dictionaries(json_text, json_values, min_size=2, max_size=6))
def test_member_order_does_not_matter(doc: dict[str, Any]) -> None:
    reordered = dict(reversed(list(doc.items())))
    assert signed_bytes(reordered) == signed_bytes(doc)
