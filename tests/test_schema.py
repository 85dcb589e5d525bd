"""The published JSON Schemas: metaschema, ids, packaging, examples, and the two validators.

The library decides validity with a compiled validator (jsonschema-rs) and
explains failures with jsonschema. The differential property tests here
prove that the two agree on validity over valid documents and many mutations
of them, and that every invalid case gets at least one jsonschema error whose
JSON Pointer leads to a real place in the document. Property tests also show
that model -> JSON -> schema -> model round-trips unchanged.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import re
import zipfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema_rs
import pytest
from benchmarks.generate import SIZES, TODAY, Size, agreement, charter_for
from hypothesis import given, note
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._findings import pointer
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.testing import example_agreement, example_charter

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"

#: The published base of every ``$id``. Pinned here: changing it breaks every user's references.
PUBLISHED_BASE = "https://schemas.woda-sharing.org/1/"

#: A day on which the shipped examples are current (see examples/README.md).
EXAMPLES_REVIEWED_ON = dt.date(2026, 11, 27)

SCHEMA_FILES = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- the schemas themselves ---------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_FILES, ids=SCHEMA_FILES)
def test_schema_is_valid_against_the_2020_12_metaschema(name: str) -> None:
    document = _read(SCHEMAS / name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)
    assert jsonschema_rs.meta.is_valid(document)


def test_metaschema_check_can_fail() -> None:
    broken = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "objekt"}
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(broken)
    assert not jsonschema_rs.meta.is_valid(broken)


@pytest.mark.parametrize("name", SCHEMA_FILES, ids=SCHEMA_FILES)
def test_id_is_stable_and_matches_the_file_name(name: str) -> None:
    assert _read(SCHEMAS / name)["$id"] == PUBLISHED_BASE + name


def test_schema_base_is_the_published_one() -> None:
    assert schema.SCHEMA_BASE == PUBLISHED_BASE


@pytest.mark.parametrize("kind", sorted(schema.KINDS), ids=sorted(schema.KINDS))
def test_each_kind_declares_its_kind_and_format_version(kind: str) -> None:
    document = schema.load_schema(schema.KINDS[kind])
    assert schema.schema_id(kind) == document["$id"] == f"{PUBLISHED_BASE}{kind}.schema.json"
    assert {"kind", "format_version"} <= set(document["required"])
    assert document["properties"]["kind"] == {"const": kind}
    assert document["properties"]["format_version"] == {
        "$ref": "common.schema.json#/$defs/format_version"
    }
    assert schema.load_schema("common.schema.json")["$defs"]["format_version"]["const"] == 1


def test_every_schema_file_in_the_repository_is_known() -> None:
    assert sorted(schema.SCHEMA_FILES) == SCHEMA_FILES


@pytest.mark.parametrize("name", SCHEMA_FILES, ids=SCHEMA_FILES)
def test_packaged_copy_equals_the_repository_file(name: str) -> None:
    packaged = resources.files("woda_sharing") / "schemas" / name
    assert packaged.read_bytes() == (SCHEMAS / name).read_bytes()
    assert schema.load_schema(name) == _read(SCHEMAS / name)


def test_registry_resolves_every_schema_by_id() -> None:
    for name in SCHEMA_FILES:
        resolved = schema.registry().resolver().lookup(PUBLISHED_BASE + name)
        assert resolved.contents == _read(SCHEMAS / name)


def test_unknown_kind_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        schema.schema_id("memo")


# --- the shipped examples --------------------------------------------------------------------


def _examples() -> Iterator[tuple[Path, str]]:
    for path in sorted(EXAMPLES.rglob("*.json")):
        data = _read(path)
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind in schema.KINDS:
            yield path, kind


EXAMPLE_FILES = list(_examples())
EXAMPLE_IDS = [str(p.relative_to(EXAMPLES)) for p, _ in EXAMPLE_FILES]


def test_there_are_examples_of_both_valid_and_invalid_documents() -> None:
    folders = {p.parent.name for p, _ in EXAMPLE_FILES}
    assert {"worcestershire", "invalid"} <= folders
    assert {kind for _, kind in EXAMPLE_FILES} >= {"charter", "agreement"}


@pytest.mark.parametrize(("path", "kind"), EXAMPLE_FILES, ids=EXAMPLE_IDS)
def test_every_example_validates_against_its_schema(path: Path, kind: str) -> None:
    data = _read(path)
    errors = [
        f"{pointer(*e.absolute_path)}: {e.message}" for e in schema.iter_schema_errors(kind, data)
    ]
    assert errors == []
    assert schema.fast_is_valid(kind, data)
    plain = Draft202012Validator(schema.load_schema(schema.KINDS[kind]), registry=schema.registry())
    assert plain.is_valid(data)


INVALID = [(p, k) for p, k in EXAMPLE_FILES if p.parent.name == "invalid" and k == "agreement"]


@pytest.mark.parametrize(("path", "kind"), INVALID, ids=[p.name for p, _ in INVALID])
def test_invalid_examples_fail_rules_not_the_schema(path: Path, kind: str) -> None:
    charter = CharterInfo.from_data(_read(path.parent / "charter.json"))
    report = validate(path.read_bytes(), charter=charter, today=EXAMPLES_REVIEWED_ON)
    codes = {f.code for f in report.errors}
    assert codes, "an invalid example must fail"
    assert not codes & {"WS010", "WS011"}, "invalid examples are schema-valid by design"


# --- the two validators agree --------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.integers(min_value=-3, max_value=80),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=6,
)
#: Strings built to sit just inside or just outside the schemas' patterns and lengths.
_NEAR_MISSES = st.sampled_from(
    [
        "",
        "abc\n",
        "\nabc",
        "ab--c",
        "-abc",
        "abc-",
        "Abc",
        "a b",
        "é",
        "a" * 64,
        "a" * 65,
        "2024-02-30",
        "2024-2-01",
        "2024-02-01\n",
        "sha256:" + "0" * 64,
        "sha256:" + "0" * 63,
        "sha256:" + "0" * 64 + "\n",
        "SHA256:" + "0" * 64,
        "uk-gdpr-art-6-1-e",
        "personal",
        "special-category",
        "controller",
        "x" * 10001,
    ]
)


def _places(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path in *value*, the root included."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _places(child, (*path, index))


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for token in path:
        value = value[token]
    return value


def _resolve(document: Any, ptr: str) -> Any:
    """Resolve an RFC 6901 pointer in *document*; raise LookupError if it leads nowhere."""
    if ptr == "":
        return document
    assert ptr.startswith("/")
    for raw in ptr[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, list):
            assert token.isdigit()
            document = document[int(token)]
        else:
            document = document[token]
    return document


def _documents() -> list[tuple[str, dict[str, Any]]]:
    small = SIZES[0]
    return [
        ("charter", example_charter()),
        ("agreement", example_agreement()),
        ("agreement", agreement(small)),
        ("charter", charter_for(small)),
        ("charter", _read(EXAMPLES / "worcestershire" / "charter.json")),
        ("agreement", _read(EXAMPLES / "worcestershire" / "early-help-families.json")),
        # Keyrings, once the examples have one (tools/endorse_examples.py writes it).
        *(("keyring", _read(path)) for path, kind in EXAMPLE_FILES if kind == "keyring"),
    ]


_MUTATIONS = ("drop", "replace", "near-miss", "add-member", "duplicate-item", "empty")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any, str]:
    """A valid document with one to three mutations at random places, and what was done."""
    kind, document = draw(st.sampled_from(_documents()))
    document = copy.deepcopy(document)
    done = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = list(_places(document))
        path = draw(st.sampled_from(places))
        mutation = draw(st.sampled_from(_MUTATIONS))
        parent = _at(document, path[:-1]) if path else None
        target = _at(document, path)
        if mutation == "drop" and path:
            del parent[path[-1]]
        elif mutation == "replace" and path:
            parent[path[-1]] = draw(_VALUES)
        elif mutation == "near-miss" and path:
            parent[path[-1]] = draw(_NEAR_MISSES)
        elif mutation == "add-member" and isinstance(target, dict):
            target[draw(st.sampled_from(["extra", "id", "kind", draw(_TEXT)]))] = draw(_VALUES)
        elif mutation == "duplicate-item" and isinstance(target, list) and target:
            target.append(copy.deepcopy(target[0]))
        elif mutation == "empty" and isinstance(target, (list, dict)):
            target.clear()
        else:
            continue
        done.append(f"{mutation} at {pointer(*path)}")
    return kind, document, "; ".join(done) or "unchanged"


def _assert_agree(kind: str, document: Any) -> None:
    fast = schema.fast_is_valid(kind, document)
    errors = list(schema.iter_schema_errors(kind, document))
    assert fast == (not errors), f"jsonschema-rs says {fast}, jsonschema says {errors[:3]}"
    for error in errors:
        _resolve(document, pointer(*error.absolute_path))  # every error points somewhere real


@pytest.mark.parametrize(
    ("kind", "document"), _documents(), ids=[f"{k}-{i}" for i, (k, _) in enumerate(_documents())]
)
def test_starting_documents_are_valid(kind: str, document: dict[str, Any]) -> None:
    assert schema.fast_is_valid(kind, document)
    assert list(schema.iter_schema_errors(kind, document)) == []


@given(mutated())
def test_compiled_and_explaining_validators_agree(case: tuple[str, Any, str]) -> None:
    kind, document, done = case
    note(done)
    _assert_agree(kind, document)


@given(kind=st.sampled_from(sorted(schema.KINDS)), document=_VALUES)
def test_validators_agree_on_arbitrary_values(kind: str, document: Any) -> None:
    _assert_agree(kind, document)


@given(mutated())
def test_every_invalid_case_gets_a_pointed_finding(case: tuple[str, Any, str]) -> None:
    kind, document, done = case
    note(done)
    if schema.fast_is_valid(kind, document):
        return
    report = validate(document, today=TODAY)
    assert not report.ok
    for finding in report.errors:
        _resolve(document, finding.pointer)
    schema_findings = [f for f in report.errors if f.code == "WS010"]
    kind_or_version = {f.code for f in report.errors} & {"WS008", "WS009"}
    assert schema_findings or kind_or_version, report.findings


# Cases found by hand or by the property tests: each once split the two validators.
REGRESSIONS = [
    ("id-trailing-newline", ("id",), "abc\n", False),
    ("date-trailing-newline", ("start",), "2024-02-01\n", False),
    ("digest-trailing-newline", ("charter", "digest"), "sha256:" + "0" * 64 + "\n", False),
    ("id-leading-newline", ("id",), "\nabc", False),
    ("version-bool", ("version",), True, False),
    ("version-integral-float", ("version",), 1.0, True),
    ("id-fullwidth-letter", ("id",), "\uff41bc", False),
    ("id-at-max-length", ("id",), "a" * 64, True),
    ("id-too-long", ("id",), "a" * 65, False),
]


@pytest.mark.parametrize(
    ("path", "value", "valid"),
    [case[1:] for case in REGRESSIONS],
    ids=[case[0] for case in REGRESSIONS],
)
def test_known_edge_cases(path: tuple[str, ...], value: object, valid: bool) -> None:
    document = example_agreement()
    _at(document, path[:-1])[path[-1]] = value
    assert schema.fast_is_valid("agreement", document) is valid
    errors = list(schema.iter_schema_errors("agreement", document))
    assert (not errors) is valid
    if not valid:
        assert [pointer(*e.absolute_path) for e in errors] == [pointer(*path)]


def test_plain_jsonschema_differs_on_a_trailing_newline() -> None:
    """Why `explainer` is not plain jsonschema: Python's ``$`` matches before a final newline."""
    document = example_agreement()
    document["id"] = "abc\n"
    plain = Draft202012Validator(
        schema.load_schema("agreement.schema.json"), registry=schema.registry()
    )
    assert plain.is_valid(document)
    assert not schema.explainer("agreement").is_valid(document)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^a$", "^a\\Z"),
        ("^[$]$", "^[$]\\Z"),
        ("^a\\$$", "^a\\$\\Z"),
        ("^[\\]$]+$", "^[\\]$]+\\Z"),
        ("^a(?:b|$)", "^a(?:b|\\Z)"),
        ("no-anchor", "no-anchor"),
    ],
    ids=["end", "in-class", "escaped", "escaped-bracket-in-class", "in-group", "none"],
)
def test_ecma_end_anchor_translation(pattern: str, expected: str) -> None:
    assert schema._ecma_pattern(pattern) == expected


class _Int(int):
    """An int subclass: not a plain JSON value to jsonschema-rs."""


PYTHON_VALUES = [
    ("tuple-as-array", ("parties",), tuple, True),
    ("tuple-of-wrong-items", ("parties",), lambda v: ("x",), False),
    ("read-only-mapping", ("rights",), MappingProxyType, True),
    ("read-only-mapping-missing-member", ("rights",), lambda v: MappingProxyType({}), False),
    ("int-subclass", ("breach", "notify_within_hours"), _Int, True),
    ("int-subclass-out-of-range", ("breach", "notify_within_hours"), lambda v: _Int(99), False),
    ("set-is-no-array", ("security",), set, False),
    ("bytes-are-no-string", ("title",), lambda v: v.encode(), False),
    ("non-string-key", ("rights",), lambda v: {**v, 1: "x"}, False),
    ("huge-int", ("version",), lambda v: 2**70, False),
]


@pytest.mark.parametrize(
    ("path", "change", "valid"),
    [case[1:] for case in PYTHON_VALUES],
    ids=[case[0] for case in PYTHON_VALUES],
)
def test_python_values_beyond_json_get_one_verdict(
    path: tuple[str, ...], change: Any, valid: bool
) -> None:
    document = example_agreement()
    parent = _at(document, path[:-1])
    parent[path[-1]] = change(parent[path[-1]])
    assert schema.fast_is_valid("agreement", document) is valid
    errors = list(schema.iter_schema_errors("agreement", document))
    assert (not errors) is valid
    for error in errors:
        assert pointer(*error.absolute_path).startswith(pointer(*path))


# --- the wheel check used by ``nox -s build`` ----------------------------------------------


def _check_wheel() -> Any:
    spec = importlib.util.spec_from_file_location("check_wheel", ROOT / "tools" / "check_wheel.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda files: None, None),
        (lambda files: files.pop("woda_sharing/schemas/agreement.schema.json"), "missing"),
        (lambda files: files.pop("woda_sharing/py.typed"), "missing"),
        (lambda files: files.pop("woda_sharing/data/legal-bases.json"), "missing"),
        (
            lambda files: files.__setitem__("woda_sharing/schemas/common.schema.json", b"{}"),
            "differs",
        ),
    ],
    ids=["complete", "no-agreement-schema", "no-py-typed", "no-catalogue", "stale-schema"],
)
def test_check_wheel_finds_what_is_missing(
    tmp_path: Path, change: Any, problem: str | None
) -> None:
    check_wheel = _check_wheel()
    files = {name: source.read_bytes() for name, source in check_wheel.expected_files().items()}
    assert len([n for n in files if n.startswith("woda_sharing/schemas/")]) == len(SCHEMA_FILES)
    change(files)
    wheel = _fake_wheel(tmp_path / "woda_sharing-0-py3-none-any.whl", files)
    found = check_wheel.problems(wheel)
    if problem is None:
        assert found == []
        assert check_wheel.main([str(tmp_path)]) == 0
    else:
        assert len(found) == 1
        assert found[0].startswith(problem)
        assert check_wheel.main([str(wheel)]) == 1


def test_check_wheel_without_a_wheel(tmp_path: Path) -> None:
    assert _check_wheel().main([str(tmp_path)]) == 2


# --- the reference page ---------------------------------------------------------------------

SCHEMAS_PAGE = ROOT / "docs" / "reference" / "schemas.md"


@pytest.mark.parametrize("name", SCHEMA_FILES, ids=SCHEMA_FILES)
def test_reference_page_lists_every_schema_and_its_id(name: str) -> None:
    page = SCHEMAS_PAGE.read_text(encoding="utf-8")
    assert f"| `{name}` | `{PUBLISHED_BASE}{name}` |" in page


def test_reference_page_names_every_public_schema_name() -> None:
    """Every name the door exports from the schema module is on the page, and nothing else of it."""
    import woda_sharing

    page = SCHEMAS_PAGE.read_text(encoding="utf-8")
    exported = [
        name
        for name in woda_sharing.__all__
        if getattr(getattr(woda_sharing, name), "__module__", None) == schema.__name__
    ]
    assert sorted(exported) == ["load_schema", "schema_registry"]
    assert [name for name in exported if f"`{name}(" not in page] == []
    assert "woda_sharing._schema" not in page


def test_reference_page_examples_run() -> None:
    page = SCHEMAS_PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, str(SCHEMAS_PAGE), "exec"), {})  # noqa: S102 - our own docs


# --- the benchmark's documents and runner ---------------------------------------------------


@pytest.mark.parametrize("size", SIZES[:2], ids=[s.name for s in SIZES[:2]])
def test_generated_agreements_are_valid_and_sized(size: Any) -> None:
    document = agreement(size)
    assert (len(document["parties"]), len(document["items"]), len(document["flows"])) == (
        size.parties,
        size.items,
        size.flows,
    )
    report = validate(
        json.dumps(document).encode(), charter=CharterInfo.from_data(charter_for(size)), today=TODAY
    )
    assert [f"{f.pointer}: {f.code} {f.message}" for f in report.findings] == []
    needed = {item for purpose in document["purposes"] for item in purpose["needs"]}
    assert needed == {item["id"] for item in document["items"]}


def test_benchmark_runner_skips_missing_modules_and_writes_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import benchmarks.__main__ as runner

    monkeypatch.setattr(runner, "MODULES", ("bench_not_written_yet",))
    output = tmp_path / "out" / "results.json"
    assert runner.main(["--output", str(output)]) == 0
    record = json.loads(output.read_text(encoding="utf-8"))
    assert record["results"] == {}
    assert record["notes"][0] == "benchmarks/bench_not_written_yet.py is not present; skipped"
    assert "not present" in capsys.readouterr().out


# --- model -> JSON -> schema -> model ---------------------------------------------------------

_OPTIONAL_AGREEMENT_MEMBERS = ("description", "retention", "security", "dpia", "rights", "end")


@st.composite
def wire_agreements(draw: st.DrawFn) -> dict[str, Any]:
    """Schema-valid agreements of drawn sizes, texts and optional members."""
    items = draw(st.integers(min_value=5, max_value=30))
    size = Size(
        name="drawn",
        parties=draw(st.integers(min_value=1, max_value=6)),
        items=items,
        flows=draw(st.integers(min_value=1, max_value=items)),
    )
    document = agreement(size)
    document["title"] = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=40))
    if draw(st.booleans()):
        document["end"] = "2026-01-31"
    if draw(st.booleans()):
        document["description"] = draw(_TEXT.filter(bool))
    for member in draw(st.sets(st.sampled_from(_OPTIONAL_AGREEMENT_MEMBERS))):
        document.pop(member, None)
    for item in document["items"]:
        if draw(st.booleans()):
            item.pop("retention")
    return document


@given(wire_agreements())
def test_model_json_schema_model_round_trip(document: dict[str, Any]) -> None:
    assert schema.fast_is_valid("agreement", document)
    model = codec.structure(document, Agreement)
    wire = json.loads(json.dumps(codec.unstructure(model)))
    assert schema.fast_is_valid("agreement", wire)
    assert list(schema.iter_schema_errors("agreement", wire)) == []
    assert codec.structure(wire, Agreement) == model
    assert codec.unstructure(codec.structure(wire, Agreement)) == wire


@st.composite
def wire_charters(draw: st.DrawFn) -> dict[str, Any]:
    """Schema-valid charters with drawn members, texts, endorsement rule and review date."""
    members = draw(st.integers(min_value=1, max_value=8))
    document = charter_for(Size(name="drawn", parties=members, items=5, flows=1))
    document["title"] = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=40))
    if draw(st.booleans()):
        document["endorsement"] = {
            "rule": "threshold",
            "threshold": draw(st.integers(min_value=1, max_value=members)),
            "roles": ["siro"],
        }
    if draw(st.booleans()):
        document["review"] = "2026-06-30"
    return document


@given(wire_charters())
def test_charter_round_trip(document: dict[str, Any]) -> None:
    assert schema.fast_is_valid("charter", document)
    model = codec.structure(document, Charter)
    wire = json.loads(json.dumps(codec.unstructure(model)))
    assert schema.fast_is_valid("charter", wire)
    assert list(schema.iter_schema_errors("charter", wire)) == []
    assert codec.structure(wire, Charter) == model
    assert codec.unstructure(codec.structure(wire, Charter)) == wire


def _nested(depth: int) -> list[Any]:
    top: list[Any] = []
    inner = top
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return top


@pytest.mark.parametrize("depth", [10, 5000], ids=["shallow", "deeper-than-the-recursion-limit"])
def test_deep_nesting_is_a_finding_not_a_recursion_error(depth: int) -> None:
    """A deep value is echoed clipped, so even one deeper than the recursion limit is explained."""
    document = example_agreement()
    document["title"] = _nested(depth)
    assert not schema.fast_is_valid("agreement", document)
    errors = list(schema.iter_schema_errors("agreement", document))
    report = validate(document, today=TODAY)
    assert [f.code for f in report.errors] == ["WS010"]
    assert [pointer(*e.absolute_path) for e in errors] == ["/title"]
    assert errors[0].message == "[[[... (1 item)]]] is not of type 'string'"


def test_uniqueness_of_items_deeper_than_the_recursion_limit_is_a_finding() -> None:
    """Comparing items recurses into them: too deep to compare is an answer, not a crash."""
    document = example_agreement()
    document["security"] = [_nested(5000), _nested(5000)]
    errors = list(schema.iter_schema_errors("agreement", document))
    assert errors[-1].message == "the document nests too deeply to be checked against its schema"
    report = validate(document, today=TODAY)
    assert {f.code for f in report.errors} == {"WS010"}


@pytest.mark.parametrize(
    ("category", "special", "valid"),
    [
        ("special-category", "health", True),
        ("special-category", None, False),
        ("pseudonymised", "health", True),
        ("pseudonymised", None, True),
        ("personal", "health", False),
        ("aggregate", "health", False),
    ],
    ids=[
        "special",
        "special-without-kind",
        "pseudonymised-health",
        "pseudonymised",
        "personal-with-kind",
        "aggregate-with-kind",
    ],
)
def test_which_items_may_name_a_special_category(
    category: str, special: str | None, valid: bool
) -> None:
    from woda_sharing.testing import example_agreement

    agreement = example_agreement()
    item: dict[str, Any] = {"id": "extra", "title": "Extra", "category": category}
    if special is not None:
        item["special_category"] = special
    agreement["items"].append(item)
    assert schema.fast_is_valid("agreement", agreement) is valid
    assert (not list(schema.iter_schema_errors("agreement", agreement))) is valid
