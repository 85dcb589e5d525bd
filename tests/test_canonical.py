"""The canonical bytes and digest: RFC 8785 over the document without endorsements."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from woda_sharing._canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    _fast_bytes,
    check_canonicalizable,
    digest,
    signed_bytes,
)
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


# --- The fast path: the C encoder's bytes, held to the RFC 8785 reference serializer ------------

#: Anything a caller might pass: JSON values and the Python values that only look like them.
any_keys = st.text(max_size=6) | st.integers() | st.booleans() | st.none()
any_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["\ue000", "\uffff", "\U0001f600", "\ufb33", "\u20ac", "\x7f", "\x1f"])
)
any_values = st.recursive(
    any_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(any_keys, children, max_size=4)
    ),
    max_leaves=25,
)


def _reference(content: dict[str, Any]) -> bytes | None:
    """RFC 8785 bytes by the reference serializer after our policy check, or None if refused."""
    try:
        check_canonicalizable(content)
    except CanonicalizationError:
        return None
    return bytes(rfc8785.dumps(content))


@given(st.dictionaries(any_keys, any_values, max_size=5))
def test_fast_path_agrees_with_the_reference(content: dict[Any, Any]) -> None:
    reference = _reference(content)
    fast = _fast_bytes(content)
    if fast is not None:  # the fast path only ever answers with the reference's bytes
        assert fast == reference
    try:
        ours: bytes | None = signed_bytes(content)
    except CanonicalizationError:
        ours = None
    assert ours == reference


@given(st.dictionaries(json_text.filter(lambda t: t < "\ue000"), json_values, max_size=6))
def test_fast_path_serves_plain_documents(doc: dict[str, Any]) -> None:
    # Plain JSON with text below U+E000 is the common case: the fast path must take it.
    if all(c < "\ue000" for c in json.dumps(doc, ensure_ascii=False)):
        assert _fast_bytes(doc) == bytes(rfc8785.dumps(doc))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param({"v": 1.0}, id="integral-float"),
        pytest.param({"v": (1, 2)}, id="tuple"),
        pytest.param({1: "x"}, id="int-key"),
        pytest.param({"v": {True: 1}}, id="bool-key"),
        pytest.param({"v": MAX_SAFE_INTEGER + 1}, id="long-integer"),
        pytest.param({"v": "\ud800"}, id="lone-surrogate"),
        pytest.param({"\ufb33": 1, "\U0001f600": 2}, id="utf16-order"),
        pytest.param({"v": {1, 2}}, id="set"),
        pytest.param({"v": json.loads("[" * 40 + "]" * 40)}, id="nested-deeper-than-32"),
    ],
)
def test_fast_path_declines(content: dict[Any, Any]) -> None:
    assert _fast_bytes(content) is None


def test_fast_path_reads_escapes_as_text() -> None:
    # Brackets, quotes and backslashes inside strings say nothing about nesting.
    doc = {"a": '[[[["\\', "b": "]]]]" * 40, "c": [[["\\\\\\"]]]}
    assert _fast_bytes(doc) == bytes(rfc8785.dumps(doc))


def test_rfc8785_sorting_example() -> None:
    # RFC 8785 section 3.2.3: member names sort by their UTF-16 code units.
    doc = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
           "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control",
           "\u00f6": "Latin Small Letter O With Diaeresis"}  # fmt: skip
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert signed_bytes(doc) == expected.encode()


@pytest.mark.parametrize("depth", [1, 31, 32, 33, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_either_way(depth: int) -> None:
    # Deep values take the reference path; the bytes and the refusals are the same.
    content = {"v": json.loads("[" * depth + "1" + "]" * depth)}
    try:
        expected: bytes | None = signed_bytes(content)
    except CanonicalizationError:
        expected = None
    assert expected == _reference(content)
    assert (expected is None) == (depth > MAX_DEPTH - 1)
