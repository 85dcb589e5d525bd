"""YAML input: the JSON data model written as YAML 1.2, refused where YAML goes further."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from woda_sharing import digest, validate_many
from woda_sharing._loading import Limits
from woda_sharing._yaml import error_place, load_yaml, load_yaml_located
from woda_sharing.cli import main
from woda_sharing.exceptions import LimitExceededError, LoadError

EXAMPLES = Path(__file__).parent.parent / "examples" / "worcestershire"


def _yaml_text(data: Any) -> str:
    out = io.StringIO()
    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = False
    dumper.dump(data, out)
    return out.getvalue()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_a_yaml_copy_of_each_example_loads_to_the_same_object_and_digest(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    loaded = load_yaml(_yaml_text(data).encode())
    assert loaded == data
    assert digest(loaded) == digest(data)


def test_core_schema_keeps_no_on_and_off_as_text() -> None:
    text = b"a: no\nb: on\nc: off\nd: yes\ne: true\nf: false\ng: null\nh: ~\ni:\nj: 'true'\nk: 12\nl: |\n  x\n"
    assert load_yaml(text) == {
        "a": "no",
        "b": "on",
        "c": "off",
        "d": "yes",
        "e": True,
        "f": False,
        "g": None,
        "h": None,
        "i": None,
        "j": "true",
        "k": 12,
        "l": "x\n",
    }


REFUSED = [
    ("anchor", b"a: &x [1]\n", "WS003", "/a", (1, 4)),
    ("alias", b"a: [1]\nb: *x\n", "WS003", "/b", (2, 4)),
    ("tag", b"a: !!str 5\n", "WS003", "/a", (1, 4)),
    ("local-tag", b"a: !thing 5\n", "WS003", "/a", (1, 4)),
    ("python-tag", b"a: !!python/object:os.system x\n", "WS003", "/a", (1, 4)),
    ("duplicate", b"a: 1\nb: 2\na: 3\n", "WS004", "/a", (3, 1)),
    ("fraction", b"a:\n  - 1.5\n", "WS005", "/a/0", (2, 5)),
    ("exponent", b"a: 1e3\n", "WS005", "/a", (1, 4)),
    ("infinity", b"a: .inf\n", "WS005", "/a", (1, 4)),
    ("nan", b"a: .nan\n", "WS005", "/a", (1, 4)),
    ("leading-zero", b"a: 007\n", "WS005", "/a", (1, 4)),
    ("plus", b"a: +1\n", "WS005", "/a", (1, 4)),
    ("hex", b"a: 0x1F\n", "WS005", "/a", (1, 4)),
    ("octal", b"a: 0o17\n", "WS005", "/a", (1, 4)),
    ("negative-zero", b"a: -0\n", "WS005", "/a", (1, 4)),
    ("too-big", b"a: 9007199254740992\n", "WS005", "/a", (1, 4)),
    ("number-name", b"1: a\n", "WS003", "", (1, 1)),
    ("boolean-name", b"x: 1\ntrue: a\n", "WS003", "", (2, 1)),
    ("complex-name", b"? [a]\n: 1\n", "WS003", "", (1, 3)),
    ("two-documents", b"a: 1\n---\nb: 2\n", "WS003", "", (2, 1)),
    ("sequence", b"- 1\n", "WS007", "", (1, 1)),
    ("empty", b"", "WS007", "", (1, 1)),
    ("scalar", b"hello\n", "WS007", "", (1, 1)),
    ("syntax", b"a: [1,\nb: 2\n", "WS003", "", (3, 1)),
    ("tab", b"a: 1\n\tb: 2\n", "WS003", "", (2, 1)),
    ("control-character", b"a: \x07\n", "WS003", "", (1, 4)),
    ("byte-order-mark", b"\xef\xbb\xbfa: 1\n", "WS002", "", None),
    ("nul", b"a: 1\x00\n", "WS002", "", None),
    ("invalid-utf8", b"a: 1\nb: \xe9t\xe9\n", "WS002", "", (2, 4)),
    ("lone-surrogate", b'a:\n  b: "\\ud800"\n', "WS002", "/a/b", (2, 3)),
]


@pytest.mark.parametrize(
    ("text", "code", "where", "place"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_what_yaml_adds_to_json_and_what_json_refuses_is_refused_at_its_place(
    text: bytes, code: str, where: str, place: tuple[int, int] | None
) -> None:
    with pytest.raises(LoadError) as info:
        load_yaml(text, source="x.yaml")
    assert (info.value.code, info.value.pointer) == (code, where)
    if place is not None:
        assert error_place(info.value) == place
    assert str(info.value)


@pytest.mark.parametrize(
    ("text", "limits", "where"),
    [
        (b"a: " + b"x" * 50 + b"\n", Limits(max_string_length=10), "/a"),
        (b"a:\n" + b"".join(b"  - 1\n" for _ in range(20)), Limits(max_array_length=10), "/a"),
        (b"a: " + b"[" * 40 + b"]" * 40 + b"\n", Limits(max_depth=8), None),
        (b"a: 1\n" * 1000, Limits(max_bytes=100), ""),
    ],
    ids=["string", "array", "depth", "bytes"],
)
def test_the_json_loaders_limits_apply(text: bytes, limits: Limits, where: str | None) -> None:
    with pytest.raises(LimitExceededError) as info:
        load_yaml(text, limits=limits)
    assert info.value.code == "WS006"
    if where is not None:
        assert info.value.pointer == where


def test_deep_nesting_neither_recurses_nor_crashes() -> None:
    text = b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    with pytest.raises(LimitExceededError):
        load_yaml(text)


@given(st.text(max_size=300))
def test_any_text_loads_or_is_refused_with_a_load_error(text: str) -> None:
    with contextlib.suppress(LoadError):
        load_yaml(text.encode("utf-8", "surrogatepass"))


def test_members_and_elements_are_placed_at_their_lines_and_columns() -> None:
    _, positions = load_yaml_located(
        b"# comment\nkind: agreement\nflows:\n  - to: x\n    from: y\n"
    )
    assert positions.locate("") == (2, 1)
    assert positions.locate("/flows") == (3, 1)
    assert positions.locate("/flows/0") == (4, 5)
    assert positions.locate("/flows/0/from") == (5, 5)
    assert positions.locate("/flows/0/missing") == (4, 5)
    assert positions.locate("/nothing") == (2, 1)


def test_a_missing_ruamel_yaml_is_a_finding_that_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ruamel.yaml", None)
    path = tmp_path / "a.yaml"
    path.write_text("kind: agreement\n")
    (report,) = validate_many(path)
    (finding,) = report.findings
    assert finding.code == "WS001"
    assert "pip install 'woda-sharing[yaml]'" in finding.message


@pytest.fixture
def yaml_folder(tmp_path: Path, charter: dict[str, Any], agreement: dict[str, Any]) -> Path:
    agreement["review"] = "2999-01-01"
    agreement["flows"][0]["to"] = "nobody"
    (tmp_path / "charter.yml").write_text(_yaml_text(charter))
    (tmp_path / "agreement.yaml").write_text("# drafted in YAML\n" + _yaml_text(agreement))
    (tmp_path / "agreement.json").write_text(json.dumps(agreement, indent=2))
    return tmp_path


def test_a_folder_of_yaml_validates_like_json_with_yaml_lines(
    yaml_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = validate_many(yaml_folder)
    by_name = {Path(r.source).name: r for r in batch}
    assert set(by_name) == {"charter.yml", "agreement.yaml", "agreement.json"}
    assert by_name["charter.yml"].ok
    as_yaml, as_json = by_name["agreement.yaml"], by_name["agreement.json"]
    assert [(f.code, f.pointer) for f in as_yaml] == [(f.code, f.pointer) for f in as_json]
    (ws101,) = (f for f in as_yaml if f.code == "WS101")
    lines = (yaml_folder / "agreement.yaml").read_text().splitlines()
    assert lines[ws101.line - 1].lstrip().startswith(("to: nobody", "- to: nobody"))  # type: ignore[operator]
    assert lines[ws101.line - 1][ws101.column - 1 :].startswith("to:")  # type: ignore[operator]
    assert (
        main(["validate", str(yaml_folder / "agreement.yaml"), str(yaml_folder / "charter.yml")])
        == 1
    )
    assert f"agreement.yaml:{ws101.line}:{ws101.column}: error WS101" in capsys.readouterr().out


def test_yaml_and_json_of_one_document_share_a_digest(
    yaml_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", str(yaml_folder / "agreement.yaml")]) == 0
    from_yaml = capsys.readouterr().out
    assert main(["digest", str(yaml_folder / "agreement.json")]) == 0
    assert capsys.readouterr().out == from_yaml


def test_an_unreadable_yaml_file_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("kind: agreement\nanswer: &a 1\n")
    assert main(["validate", str(path)]) == 2
    assert f"{path}:2:9: error WS003 anchor &a is refused" in capsys.readouterr().out


def test_the_core_import_does_not_load_ruamel_yaml() -> None:
    import subprocess

    code = "import sys, woda_sharing, woda_sharing.cli; print('ruamel' in ' '.join(sys.modules))"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
