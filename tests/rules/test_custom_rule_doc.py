"""The custom-rule how-to runs as written: each Python block, in order, prints the text block after it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "how-to" / "custom-rule.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_how_to_runs_and_prints_what_it_shows() -> None:
    blocks = _blocks()
    python = [i for i, (lang, _) in enumerate(blocks) if lang == "python"]
    assert len(python) >= 4
    namespace: dict[str, object] = {"__name__": "custom_rule_doc"}
    for i in python:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(blocks[i][1], f"{DOC.name} block {i}", "exec"), namespace)  # noqa: S102 - our own docs
        shown = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "text" else ""
        assert out.getvalue() == shown, f"block {i} printed something else"


def test_the_how_to_does_not_touch_the_builtin_table() -> None:
    from woda_sharing.rules import builtin_rules

    namespace: dict[str, object] = {"__name__": "custom_rule_doc"}
    for lang, code in _blocks():
        if lang == "python":
            exec(code, namespace)  # noqa: S102 - our own docs
    assert "ACME001" not in builtin_rules()
