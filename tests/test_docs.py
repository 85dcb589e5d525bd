"""The generated reference pages must match the code they describe."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_gen", ROOT / "docs" / "_gen.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", sorted(_generator().PAGES), ids=str)
def test_generated_page_is_up_to_date(page: str) -> None:
    gen = _generator()
    committed = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert committed == gen.PAGES[page](), f"run: python docs/_gen.py ({page} is stale)"


def test_every_public_name_has_a_docstring() -> None:
    import woda_sharing

    missing = [
        name
        for name in woda_sharing.__all__
        if not getattr(getattr(woda_sharing, name), "__doc__", None)
    ]
    assert missing == []


def test_check_mode_reports_stale_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _generator()
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
