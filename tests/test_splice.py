"""Writing endorsements into a file in place: one member changes, the rest stays as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import write_endorsements
from woda_sharing._splice import splice_json, splice_yaml
from woda_sharing.exceptions import SigningError

E1 = {"protected": "eyJhIjoxfQ", "signature": "c2ln"}
E2 = {"protected": "eyJiIjoyfQ", "signature": "-c2ln_"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '{\n  "a": 1,\n  "endorsements": []\n}\n',
            '{\n  "a": 1,\n  "endorsements": [\n    {\n      "protected": "eyJhIjoxfQ",\n'
            '      "signature": "c2ln"\n    }\n  ]\n}\n',
            id="replaces-an-empty-array",
        ),
        pytest.param(
            '{\n\t"a": 1\n}',
            '{\n\t"a": 1,\n\t"endorsements": [\n\t\t{\n\t\t\t"protected": "eyJhIjoxfQ",\n'
            '\t\t\t"signature": "c2ln"\n\t\t}\n\t]\n}',
            id="adds-the-member-with-tabs",
        ),
        pytest.param(
            '{"a": 1}',
            '{"a": 1, "endorsements": [{"protected": "eyJhIjoxfQ", "signature": "c2ln"}]}',
            id="compact",
        ),
        pytest.param(
            '\ufeff{"endorsements": [], "a": {"endorsements": 5}}',
            '\ufeff{"endorsements": [{"protected": "eyJhIjoxfQ", "signature": "c2ln"}], "a": {"endorsements": 5}}',
            id="only-the-top-level-member",
        ),
    ],
)
def test_splice_json(text: str, expected: str) -> None:
    assert splice_json(text, [E1]) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[1]", id="array"),
        pytest.param("{}", id="empty-object"),
        pytest.param('{"a" 1}', id="no-colon"),
        pytest.param('{"a": 1 "b": 2}', id="no-comma"),
        pytest.param("{a: 1}", id="unquoted-name"),
    ],
)
def test_splice_json_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match=r"edit in place|no place"):
        splice_json(text, [E1])


def test_splice_yaml_replaces_the_block_and_keeps_what_follows() -> None:
    text = "id: x\nendorsements:\n- protected: a\n  signature: b\n\n# trailing note\ntitle: T\n"
    out = splice_yaml(text, [E1, E2])
    assert out == (
        'id: x\nendorsements:\n  - protected: "eyJhIjoxfQ"\n    signature: "c2ln"\n'
        '  - protected: "eyJiIjoyfQ"\n    signature: "-c2ln_"\n\n# trailing note\ntitle: T\n'
    )
    assert splice_yaml("id: x", []) == "id: x\nendorsements: []\n"


def _doc(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_a_json_edit_that_does_not_read_back_falls_back_to_writing_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-back check is the safety net: a wrong edit is never written."""
    from woda_sharing import _splice

    path = _doc(tmp_path, "a.json", '{"kind": "x", "title": "T"}')
    monkeypatch.setattr(_splice, "splice_json", lambda text, e: text.replace('"T"', '"U"'))
    write_endorsements(path, {"kind": "x", "title": "T", "endorsements": [E1]})
    assert json.loads(path.read_text("utf-8")) == {"kind": "x", "title": "T", "endorsements": [E1]}


def test_a_yaml_file_in_flow_style_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    text = "{kind: x, title: T}\n"
    path = _doc(tmp_path, "a.yaml", text)
    with pytest.raises(SigningError, match="without rewriting it"):
        write_endorsements(path, {"kind": "x", "title": "T", "endorsements": [E1]})
    assert path.read_text("utf-8") == text


def test_a_file_that_no_longer_reads_is_refused(tmp_path: Path) -> None:
    path = _doc(tmp_path, "a.json", "{")
    document: dict[str, Any] = {"kind": "x"}
    with pytest.raises(SigningError, match="can no longer be read"):
        write_endorsements(path, document)
