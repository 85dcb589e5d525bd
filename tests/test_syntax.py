"""Why a file is not JSON, in plain words, at the place the fix goes (woda_sharing._syntax)."""

from __future__ import annotations

import pytest

from woda_sharing import validate

CASES = [
    (
        "trailing-comma-object",
        b'{\n  "a": 1,\n}',
        (2, 9),
        "trailing comma before '}'",
        "remove the comma",
    ),
    (
        "trailing-comma-array",
        b'{"a": [1, 2,\n]}',
        (1, 12),
        "trailing comma before ']'",
        "last element",
    ),
    (
        "missing-comma",
        b'{\n  "a": 1\n  "b": 2\n}',
        (2, 9),
        "missing comma after this value",
        "commas",
    ),
    ("single-quotes", b"{\n  'a': 1\n}", (2, 3), "single quote", 'write "name"'),
    (
        "line-comment",
        b'{\n  // the parties\n  "a": 1\n}',
        (2, 3),
        "comment: JSON has no comments",
        "remove it",
    ),
    ("block-comment", b'{"a": 1, /* x */ "b": 2}', (1, 10), "comment", "remove it"),
    (
        "curly-quote-opening",
        '{"a": \u201cx\u201d}'.encode(),
        (1, 7),
        "curly quote \u201c",
        "smart quotes",
    ),
    (
        "curly-quote-closing",
        '{\n  "a": "Worcester\u201d\n}'.encode(),
        (2, 18),
        "curly quote \u201d ends this string",
        "straight double quote",
    ),
    (
        "curly-single-quote",
        "{\u2018a\u2019: 1}".encode(),
        (1, 2),
        "curly quote \u2018",
        "smart quotes",
    ),
    (
        "curly-quote-closing-same-line",
        '{"a": "x\u201d }'.encode(),
        (1, 9),
        "ends this string",
        "smart quotes",
    ),
    ("other", b'{"a": tru}', (1, 7), "not JSON: Expecting value at line 1 column 7", None),
]


@pytest.mark.parametrize(
    ("data", "place", "message", "hint"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_common_mistakes_are_named_and_placed_where_the_fix_goes(
    data: bytes, place: tuple[int, int], message: str, hint: str | None
) -> None:
    (finding,) = validate(data).findings
    assert finding.code == "WS003"
    assert (finding.line, finding.column) == place
    assert message in finding.message
    if hint is None:
        assert finding.hint is None
    else:
        assert hint in (finding.hint or "")


@pytest.mark.parametrize(
    ("byte", "meaning"),
    [(b"\x92", "\u2019"), (b"\x93", "\u201c"), (b"\x96", "\u2013"), (b"\xa3", "\u00a3")],
    ids=["apostrophe", "opening-quote", "en-dash", "pound"],
)
def test_windows_1252_bytes_are_named_with_what_they_mean(byte: bytes, meaning: str) -> None:
    (finding,) = validate(b'{\n  "a": "don' + byte + b't"\n}').findings
    assert finding.code == "WS002"
    assert (finding.line, finding.column) == (2, 12)
    assert f"0x{byte[0]:02X}" in finding.message
    assert "Windows-1252" in finding.message
    assert repr(meaning) in finding.message
    assert "UTF-8" in (finding.hint or "")


def test_bytes_that_are_not_windows_1252_either_are_just_not_utf8() -> None:
    (finding,) = validate(b'{"a": "\x81"}').findings  # 0x81 is undefined in Windows-1252
    assert finding.code == "WS002"
    assert finding.message == "not valid UTF-8 at byte 7"
    assert (finding.line, finding.column) == (1, 8)


@pytest.mark.parametrize(
    "data",
    [b'\xef\xbb\xbf{"a": "\x92"}', b'{"a": 1}\x00\xff'],
    ids=["byte-order-mark", "nul-bytes"],
)
def test_a_byte_order_mark_or_nul_bytes_keep_the_loaders_reason(data: bytes) -> None:
    (finding,) = validate(data).findings
    assert finding.code == "WS002"
    assert "Windows-1252" not in finding.message
    assert finding.message.startswith(("file starts with a byte order mark", "file holds NUL"))
