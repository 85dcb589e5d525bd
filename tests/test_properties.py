"""Properties over generated documents: round trips, and what broken input may lead to.

(a) A valid typed document survives model → wire → schema → model unchanged.
(b) Broken bytes and broken mappings go through load → validate → canonicalize,
    and the only outcomes are a `Report` and the library's own `WodaError`s.
(c) The CLI, fed files of broken bytes, exits 1 or 2 with readable lines and
    never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import strategies as gen
from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._findings import Report
from woda_sharing._loading import load_json
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import validate
from woda_sharing.cli import main
from woda_sharing.exceptions import WodaError

TODAY = dt.date(2024, 6, 1)
_counter = itertools.count()


@given(gen.documents())
def test_round_trip_model_wire_schema_model(document: Charter | Agreement) -> None:
    wire = codec.unstructure(document)
    kind = wire["kind"]
    assert schema.fast_is_valid(kind, wire)
    assert [e.message for e in schema.iter_schema_errors(kind, wire)] == []
    data = json.dumps(wire, ensure_ascii=False).encode("utf-8")
    loaded = load_json(data)
    assert loaded == wire
    assert codec.structure(loaded, type(document)) == document
    assert canonical.signed_bytes(loaded) == canonical.signed_bytes(wire)


@given(gen.charters().flatmap(lambda c: st.tuples(st.just(c), gen.agreements(charter=c))))
def test_agreements_under_a_generated_charter_validate_without_schema_findings(
    pair: tuple[Charter, Agreement],
) -> None:
    charter, agreement = pair
    report = validate(codec.unstructure(agreement), charter=charter, today=TODAY)
    assert isinstance(report.document, Agreement)
    assert not {"WS010", "WS011"} & report.codes()


def _canonical(load: Any) -> str:
    """Canonicalize what *load* returns; the outcome's name, or the library error's text."""
    try:
        canonical.signed_bytes(load())
    except WodaError as e:
        return f"{type(e).__name__}: {e}"
    return "canonical"


def _through_the_pipeline(data: bytes) -> tuple[Report, str]:
    """Validate, then load and canonicalize *data*; any exception but WodaError propagates."""
    report = validate(data, today=TODAY, source="mutated.json")
    assert isinstance(report, Report)
    outcome = _canonical(lambda: load_json(data))
    assert outcome == "canonical" or outcome.split(": ", 1)[1]  # a readable message
    return report, outcome


@given(gen.broken_bytes())
def test_broken_bytes_give_reports_and_library_errors_only(case: tuple[str, bytes]) -> None:
    _, data = case
    report, outcome = _through_the_pipeline(data)
    if outcome.startswith(("LoadError", "LimitExceededError")):
        assert not report.ok  # what the loader refuses, validation reports as a finding
        finding = report.findings[0]
        # Not JSON and not UTF-8 are reported in plainer words than the loader's (_syntax).
        assert finding.message in outcome or finding.code in {"WS002", "WS003"}


@given(st.binary(max_size=300))
def test_random_bytes_give_reports_and_library_errors_only(data: bytes) -> None:
    report, outcome = _through_the_pipeline(data)
    assert report.ok == (outcome == "canonical" and report.document is not None)


@given(gen.mutated_documents())
def test_broken_mappings_give_reports_and_library_errors_only(document: dict[str, Any]) -> None:
    report = validate(document, today=TODAY)
    assert isinstance(report, Report)
    outcome = _canonical(lambda: document)
    if outcome != "canonical":  # what cannot be canonicalized is never a valid document
        assert not report.ok


@given(case=gen.broken_bytes())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cli_on_broken_files_exits_1_or_2_with_readable_lines(
    case: tuple[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data = case
    path = tmp_path / f"{name}-{next(_counter)}.json"
    path.write_bytes(data)
    report = validate(data, today=TODAY, source=str(path))
    code = main(["validate", "--today", TODAY.isoformat(), str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in {0, 1, 2}
    if not report.ok:
        assert code in {1, 2}
        assert str(path) in out
        assert all(line.strip() for line in out.splitlines())
        assert {f.code for f in report.errors} <= {w for w in out.split() if w.startswith("WS")}


def test_cli_on_a_folder_of_broken_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole corpus at once: one folder, every kind of breakage, exit 2 and no traceback."""
    corpus = {
        "bom.json": b"\xef\xbb\xbf{}",
        "utf16.json": json.dumps({"kind": "agreement"}).encode("utf-16"),
        "truncated.json": b'{"kind": "agreement", "id": "a',
        "duplicate.json": b'{"kind": "agreement", "kind": "charter"}',
        "float.json": b'{"kind": "agreement", "format_version": 1.0}',
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "array.json": b"[]",
        "empty.json": b"",
        "surrogate.json": b'{"kind": "\\udc00"}',
        "unknown-kind.json": b'{"kind": "keyring-v9"}',
        "schema.json": b'{"kind": "agreement", "format_version": 1}',
    }
    for name, data in corpus.items():
        (tmp_path / name).write_bytes(data)
    code = main(["validate", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err
    for name in corpus:
        assert f"{tmp_path / name}:" in out
    assert f"{len(corpus)} file(s) checked, {len(corpus)} with errors" in out.splitlines()[-1]


def _fuzz_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "fuzz_loader", Path(__file__).parents[1] / "fuzz" / "fuzz_loader.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ_CORPUS = Path(__file__).parents[1] / "fuzz" / "corpus"


def test_fuzz_target_fallback_loop_runs_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """Without atheris the fuzz target still mutates the seed corpus and checks the contract."""
    fuzz = _fuzz_module()
    assert fuzz.atheris is None  # imported, not run: nothing is instrumented
    assert len(list(FUZZ_CORPUS.iterdir())) >= 3
    assert fuzz.random_loop(["-runs=300", "-seed=1", str(FUZZ_CORPUS)]) == 0
    assert "300 runs, no contract broken" in capsys.readouterr().err


def test_fuzz_fallback_loop_saves_a_crashing_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fuzz = _fuzz_module()
    monkeypatch.chdir(tmp_path)
    seen: list[bytes] = []

    def target(data: bytes) -> None:
        seen.append(data)
        if len(seen) == 5:
            raise RecursionError("a contract breach")

    with pytest.raises(RecursionError):
        fuzz.random_loop(["-max_total_time=10", str(FUZZ_CORPUS)], target)
    assert (tmp_path / "crash-4.bin").read_bytes() == seen[-1]


def test_fuzz_check_rejects_only_contract_breaches() -> None:
    fuzz = _fuzz_module()
    for seed in sorted(FUZZ_CORPUS.iterdir()):
        fuzz.check(seed.read_bytes())  # seeds, valid or broken, keep the contract
    fuzz.check(b"[" * 100_000)
