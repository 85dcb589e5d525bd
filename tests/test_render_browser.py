"""Renderings as a person meets them: in headless Chromium, checked by axe-core.

Chromium is the system's (``tools/ensure_browser.sh`` installs it), driven by
Playwright.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests._render_fixtures import AT, charter, examples, keyring, load
from woda_sharing import _canonical as canonical
from woda_sharing.render import render, render_redline
from woda_sharing.render._pdf import CHROMIUM_ARGS, find_chromium

DOCS_IMAGES = Path(__file__).parent.parent / "docs" / "images"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _inputs(document: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"keyring": keyring(), "at": AT}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    return extra


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 960, "height": 720})
    yield context.new_page()
    context.close()


def _open(page: Page, html: bytes, tmp_path: Path) -> None:
    file = tmp_path / "page.html"
    file.write_bytes(html)
    page.goto(file.as_uri())


@pytest.mark.parametrize("name", examples(), ids=str)
def test_each_example_passes_axe_with_no_serious_violation(
    name: str, page: Page, tmp_path: Path
) -> None:
    document = load(name)
    _open(page, render(document, **_inputs(document)), tmp_path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    violations = results.response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert [v["id"] for v in violations] == []  # and nothing lesser either, today
    assert results.response["passes"] or True


def test_the_redline_passes_axe(page: Page, tmp_path: Path) -> None:
    old = load("early-help-families.json")
    new = {**old, "version": 2, "title": "Early help for families, amended"}
    _open(page, render_redline(old, new), tmp_path)
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert [v["id"] for v in violations.response["violations"]] == []


_STRUCTURE = """() => {
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  const tables = [...document.querySelectorAll('table')];
  return {
    lang: document.documentElement.lang,
    title: document.title,
    levels,
    tablesWithoutCaption: tables.filter(t => !t.caption).length,
    headerCellsWithoutScope: [...document.querySelectorAll('th')].filter(th => !th.scope).length,
    rowsWithoutRowHeader: [...document.querySelectorAll('tbody tr')].filter(
      r => r.cells.length > 1 && r.cells[0].tagName !== 'TH').length,
    embedded: document.getElementById('woda-signed-document').textContent,
    scripts: document.scripts.length,
  };
}"""


@pytest.mark.parametrize("name", examples(), ids=str)
def test_headings_tables_and_language_are_right(name: str, page: Page, tmp_path: Path) -> None:
    document = load(name)
    _open(page, render(document, **_inputs(document)), tmp_path)
    found = page.evaluate(_STRUCTURE)
    assert found["lang"] == "en-GB"
    assert found["title"] == document["title"]
    levels = found["levels"]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert found["tablesWithoutCaption"] == 0
    assert found["headerCellsWithoutScope"] == 0
    assert found["rowsWithoutRowHeader"] == 0
    # The browser reads back exactly the signed document.
    import json

    assert canonical.digest(json.loads(found["embedded"])) == canonical.digest(document)
    assert found["scripts"] == 1


_PRINT = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  return {
    thead: style('thead').display,
    row: style('tbody tr').breakInside,
    h2: style('main h2').breakAfter,
    endorsements: style('section.endorsements').breakBefore,
    nav: style('nav.contents').display,
    overflows: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  };
}"""


def test_print_styles_repeat_headers_and_break_pages_sensibly(page: Page, tmp_path: Path) -> None:
    document = load("early-help-families.json")
    _open(page, render(document, **_inputs(document)), tmp_path)
    page.emulate_media(media="print")
    assert page.evaluate(_PRINT) == {
        "thead": "table-header-group",
        "row": "avoid",
        "h2": "avoid",
        "endorsements": "page",
        "nav": "none",
        "overflows": False,
    }
    page.emulate_media(media="screen")
    assert page.evaluate(_PRINT)["nav"] == "block"


@pytest.mark.parametrize("name", examples(), ids=str)
def test_each_example_has_a_screenshot_in_the_docs(name: str, page: Page, tmp_path: Path) -> None:
    document = load(name)
    _open(page, render(document, **_inputs(document)), tmp_path)
    shot = page.screenshot()
    assert shot.startswith(b"\x89PNG")
    committed = DOCS_IMAGES / f"render-{Path(name).stem}.png"
    assert committed.is_file(), "run: python tools/render_screenshots.py"
    assert committed.stat().st_size < 200_000
    assert committed.read_bytes().startswith(b"\x89PNG")


def _late_fields() -> list[dict[str, Any]]:
    from tests.test_render_fields import _agreement, _charter

    return [_agreement(), _charter()]


@pytest.mark.parametrize("document", _late_fields(), ids=["agreement", "charter"])
def test_the_late_fields_pass_axe_and_keep_the_structure(
    document: dict[str, Any], page: Page, tmp_path: Path
) -> None:
    extra: dict[str, Any] = {"at": AT}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    _open(page, render(document, **extra), tmp_path)
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert [v["id"] for v in violations.response["violations"]] == []
    found = page.evaluate(_STRUCTURE)
    assert found["tablesWithoutCaption"] == 0
    assert found["headerCellsWithoutScope"] == 0
    assert found["rowsWithoutRowHeader"] == 0
    assert all(b - a <= 1 for a, b in itertools.pairwise(found["levels"]))


def test_a_redline_that_widens_passes_axe(page: Page, tmp_path: Path) -> None:
    old = load("charter.json")
    new = {**old, "version": 2, "members": old["members"][:-1], "review_interval_months": 36}
    _open(page, render_redline(old, new), tmp_path)
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert [v["id"] for v in violations.response["violations"]] == []
