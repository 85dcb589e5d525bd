"""Findings are placed at a line and column of their source file (woda_sharing._positions)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from woda_sharing import validate
from woda_sharing._findings import Finding, Report, Severity
from woda_sharing._positions import PathIndex, PositionIndex, locate

TEXT = """{
  "a": 1,
  "b/c": {"d~e": [10, {"f": "x"}]},
  "é": "ü", "g": []
}"""


@pytest.mark.parametrize(
    ("where", "place"),
    [
        ("", (1, 1)),
        ("/a", (2, 3)),
        ("/b~1c", (3, 3)),
        ("/b~1c/d~0e", (3, 11)),
        ("/b~1c/d~0e/0", (3, 19)),
        ("/b~1c/d~0e/1", (3, 23)),
        ("/b~1c/d~0e/1/f", (3, 24)),
        ("/é", (4, 3)),
        ("/g", (4, 13)),  # columns count characters, not bytes: "é" and "ü" are one each
    ],
    ids=[
        "root",
        "member",
        "escaped-slash",
        "escaped-tilde",
        "element",
        "object-element",
        "deep",
        "non-ascii",
        "after-non-ascii",
    ],
)
def test_members_are_placed_at_their_name_and_elements_at_their_value(
    where: str, place: tuple[int, int]
) -> None:
    assert PositionIndex(TEXT).locate(where) == place


@pytest.mark.parametrize(
    ("where", "place"),
    [("/b~1c/missing", (3, 3)), ("/b~1c/d~0e/7", (3, 11)), ("/nothing/at/all", (1, 1))],
    ids=["missing-member", "missing-element", "missing-everything"],
)
def test_a_place_that_does_not_exist_falls_back_to_its_nearest_ancestor(
    where: str, place: tuple[int, int]
) -> None:
    assert PositionIndex(TEXT).locate(where) == place


def test_leading_whitespace_places_the_document_at_its_first_character() -> None:
    assert PositionIndex('\n\n  {"a": 1}').locate("") == (3, 3)


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, 2', '{"a" 1}', "[[[[" * 50_000, '{"a": "unterminated', "}{", "1 2", "{1: 2}", ""],
    ids=[
        "truncated",
        "missing-colon",
        "deep",
        "unterminated-string",
        "close-first",
        "two-values",
        "number-name",
        "empty",
    ],
)
def test_broken_text_never_raises_and_never_recurses(text: str) -> None:
    index = PositionIndex(text)
    line, column = index.locate("/a/0")
    assert line >= 1
    assert column >= 1


@given(st.text(max_size=200))
def test_any_text_is_indexed_without_error(text: str) -> None:
    line, column = PositionIndex(text).locate("/a/0/b")
    assert line >= 1
    assert column >= 1


def _report(*findings: Finding) -> Report:
    return Report(source="x.json", kind=None, findings=findings)


def _finding(code: str, where: str = "") -> Finding:
    return Finding(code=code, severity=Severity.ERROR, pointer=where, message="m")


def test_a_report_without_findings_is_returned_as_it_is_without_reading_the_bytes() -> None:
    report = _report()
    assert locate(report, b"\xff not even UTF-8") is report


def test_every_finding_gets_a_line_and_a_column() -> None:
    located = locate(_report(_finding("WS101", "/a"), _finding("WS102", "/b~1c")), TEXT.encode())
    assert [(f.line, f.column) for f in located] == [(2, 3), (3, 3)]


def test_a_syntax_error_is_placed_where_the_fix_goes() -> None:
    data = b'{"a": 1,\n  "b": [1, 2,]\n}'
    report = validate(data)
    (finding,) = report.findings
    assert (finding.code, finding.line, finding.column) == ("WS003", 2, 13)  # the comma


def test_invalid_utf8_is_placed_at_the_bad_byte_counting_characters_before_it() -> None:
    data = '{\n  "a": "é'.encode() + b"\x92" + b'"\n}'
    (finding,) = validate(data).findings
    assert (finding.code, finding.line, finding.column) == ("WS002", 2, 10)
    assert "Windows-1252" in finding.message  # 0x92 is its right single quote


def test_a_duplicate_member_is_placed_at_its_second_occurrence() -> None:
    (finding,) = validate(b'{\n  "a": 1,\n  "a": 2\n}').findings
    assert (finding.code, finding.line, finding.column) == ("WS004", 3, 3)


def test_a_refused_number_is_placed_at_its_member() -> None:
    (finding,) = validate(b'{"kind": "agreement",\n "n": 1.5}').findings
    assert (finding.code, finding.line, finding.column) == ("WS005", 2, 2)


def test_findings_of_a_document_read_from_bytes_are_placed_and_of_a_mapping_are_not(
    agreement: dict[str, object],
) -> None:
    agreement["flows"][0]["to"] = "nobody"  # type: ignore[index]
    text = json.dumps(agreement, indent=2)
    from_bytes = validate(text.encode(), source="a.json")
    from_mapping = validate(agreement)
    assert [f.code for f in from_bytes] == [f.code for f in from_mapping]
    assert all(f.line is None and f.column is None for f in from_mapping)
    lines = text.splitlines()
    (ws101,) = (f for f in from_bytes if f.code == "WS101")
    assert lines[ws101.line - 1].index('"to"') + 1 == ws101.column  # type: ignore[operator]
    assert '"nobody"' in lines[ws101.line - 1]  # type: ignore[operator]
    assert ws101.text("a.json").startswith(f"a.json:{ws101.line}:{ws101.column}: error WS101 ")


def test_a_finding_without_a_line_is_written_with_its_pointer() -> None:
    assert _finding("WS101", "/a").text("x.json") == "x.json:/a: error WS101 m"
    placed = Finding(
        code="WS101", severity=Severity.ERROR, pointer="/a", message="m", line=3, column=4
    )
    assert placed.text("x.json") == "x.json:3:4: error WS101 m"
    assert placed.text() == "3:4: error WS101 m"
    assert placed.as_dict()["line"] == 3
    assert placed.as_dict()["column"] == 4


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab/~"\\\n é', max_size=3), children, max_size=4)
    ),
    max_leaves=25,
)


def _pointers(value: object, where: str = "") -> list[str]:
    found = [where]
    if isinstance(value, dict):
        for name, child in value.items():
            token = name.replace("~", "~0").replace("/", "~1")
            found += _pointers(child, f"{where}/{token}")
            found.append(f"{where}/{token}/missing")
    elif isinstance(value, list):
        for n, child in enumerate(value):
            found += _pointers(child, f"{where}/{n}")
        found.append(f"{where}/{len(value)}")
    return found


@given(value=_JSON, indent=st.sampled_from([None, 1, 2]), duplicate=st.booleans())
def test_the_path_index_places_every_pointer_where_the_full_pass_does(
    value: object, indent: int | None, duplicate: bool
) -> None:
    """PathIndex (reads only the containers on a path) agrees with PositionIndex (reads every token)."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if duplicate and isinstance(value, dict) and value:
        name = next(iter(value))  # a repeated name: the last occurrence wins in both
        text = text[:-1] + f', {json.dumps(name)}: [1, {{"x": 2}}]' + "}"
    full, path = PositionIndex(text), PathIndex(text)
    for where in _pointers(json.loads(text)):
        assert path.locate(where) == full.locate(where), where


def test_the_path_index_refuses_what_it_cannot_read_and_locate_falls_back() -> None:
    with pytest.raises(ValueError, match="expected"):
        PathIndex('{"a": 1 "b": 2}').locate("/b")
    broken = b'{"a": 1\n "b": 2}'
    finding = Finding(code="WS999", severity=Severity.ERROR, pointer="/b", message="x")
    (placed,) = locate(Report(source="x", kind=None, findings=(finding,)), broken).findings
    assert (placed.line, placed.column) == PositionIndex(broken.decode()).locate("/b")
