"""Format-1 documents validate unchanged: the golden record was made with the code before the additions.

``tests/golden/format-1-findings.json`` holds, for every shipped example, the
SHA-256 of its bytes and the findings the library *before* the format grew
(tiered terms, new retention forms, combined categories, review history,
waivers, breach durations, contacts) gave it. The files must not have been
rewritten (no migration) and must give exactly the same findings now; their
typed form must also survive the codec unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import _codec as codec
from woda_sharing._loading import load_path
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import CharterInfo, validate

ROOT = Path(__file__).parent.parent
GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parent / "golden" / "format-1-findings.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", sorted(GOLDEN), ids=str)
def test_format_1_documents_validate_as_before(name: str) -> None:
    path = ROOT / name
    golden = GOLDEN[name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == golden["sha256"], "file rewritten"
    data = load_path(path)
    charter = None
    if data["kind"] == "agreement":
        charter = CharterInfo.from_data(load_path(path.parent / "charter.json"))
    report = validate(data, charter=charter, today=dt.date.fromisoformat(golden["today"]))
    found = sorted([f.code, f.pointer, f.severity.value] for f in report.findings)
    assert found == golden["findings"]
    assert report.waived == ()


@pytest.mark.parametrize("name", sorted(GOLDEN), ids=str)
def test_format_1_documents_round_trip_through_the_codec(name: str) -> None:
    data = load_path(ROOT / name)
    model = Charter if data["kind"] == "charter" else Agreement
    typed = codec.structure(data, model)
    assert codec.structure(codec.unstructure(typed), model) == typed
