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


def test_api_reference_lists_every_public_name_once() -> None:
    gen = _generator()
    text = (ROOT / "docs" / gen.API_PAGE).read_text(encoding="utf-8")
    assert gen.api_problems(text) == []
    assert "::: woda_sharing.Policy" in text.splitlines()  # methods such as decide come with it


def test_api_reference_check_finds_missing_unknown_and_repeated_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import woda_sharing

    gen = _generator()
    names = [n for n in woda_sharing.__all__ if n != "verify"]
    text = "".join(f"::: woda_sharing.{n}\n" for n in [*names, "validate", "_jws"])
    assert gen.api_problems(text) == [
        "verify is public but not in reference/api.md",
        "_jws is in reference/api.md but not public",
        "validate is in reference/api.md 2 times",
    ]
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    assert gen.main([]) == 0
    (tmp_path / gen.API_PAGE).write_text(text, encoding="utf-8")
    assert gen.main(["--check"]) == 1
    assert "API reference: verify is public but not in" in capsys.readouterr().err


def test_public_names_are_unique() -> None:
    """Ruff's RUF022 keeps ``__all__`` sorted; a name listed twice would pass it."""
    import woda_sharing

    assert len(set(woda_sharing.__all__)) == len(woda_sharing.__all__)
