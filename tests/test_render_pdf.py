"""PDF renderings: printed by headless Chromium, read back with poppler and pikepdf.

``tools/ensure_browser.sh`` installs Chromium and poppler-utils from Debian.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from tests._render_fixtures import AT, charter, examples, keyring, load
from woda_sharing import _canonical as canonical
from woda_sharing.render import Printer, check_rendering, render, render_redline


def _inputs(document: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"keyring": keyring(), "at": AT}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    return extra


@pytest.fixture(scope="module")
def printer() -> Iterator[Printer]:
    with Printer() as started:
        yield started


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: run tools/ensure_browser.sh"
    return found


def _pdftotext(pdf: bytes, tmp_path: Path) -> list[str]:
    file = tmp_path / "doc.pdf"
    file.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 - a fixed tool on a file the test wrote
        [_tool("pdftotext"), "-layout", str(file), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def _ink(pdf: bytes, tmp_path: Path, page_number: int) -> float:
    """The share of a page's pixels that are not white (pdftoppm, greyscale PGM)."""
    file = tmp_path / "doc.pdf"
    file.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603 - a fixed tool on a file the test wrote
        [
            _tool("pdftoppm"),
            "-gray",
            "-r",
            "30",
            "-f",
            str(page_number),
            "-l",
            str(page_number),
            str(file),
        ],
        capture_output=True,
        check=True,
    ).stdout
    # A binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
    header, _, pixels = out.split(b"\n", 3)[0:3], None, out.split(b"\n", 3)[3]
    assert header[0] == b"P5"
    return sum(1 for p in pixels if p < 200) / len(pixels)


@pytest.mark.parametrize("name", examples(), ids=str)
def test_each_example_prints_to_pdf_with_the_digest_on_every_page(
    name: str, printer: Printer, tmp_path: Path
) -> None:
    document = load(name)
    pdf = render(document, format="pdf", printer=printer, **_inputs(document))
    digest = canonical.digest(document)
    pages = _pdftotext(pdf, tmp_path)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"{document['id']} version {document['version']} {digest}" in text, number
        assert f"Page {number} of {len(pages)}" in text
    assert document["title"] in pages[0]
    assert _ink(pdf, tmp_path, 1) > 0.01
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert str(opened.docinfo["/WodaDigest"]) == digest
        assert str(opened.docinfo["/Keywords"]) == digest
        attached = opened.attachments["signed-document.json"]
        assert str(attached.obj.AFRelationship) == "/Source"
        assert canonical.digest(json.loads(attached.get_file().read_bytes())) == digest
        assert len(opened.Root.AF) == 1
        assert opened.Root.MarkInfo.Marked  # tagged PDF


def test_the_pdf_binding_check_passes_and_fails(printer: Printer, tmp_path: Path) -> None:
    document = load("early-help-families.json")
    inputs = _inputs(document)
    pdf = render(document, format="pdf", printer=printer, **inputs)
    result = check_rendering(
        pdf, document, keyring=inputs["keyring"], charter=inputs["charter"], printer=printer
    )
    assert result, result.reasons
    # Edit the first page's content: the check sees it.
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        first = opened.pages[0]
        first.contents_add(pikepdf.Stream(opened, b"q 1 0 0 RG 10 10 50 50 re S Q"), prepend=False)
        out = io.BytesIO()
        opened.save(out)
    edited = check_rendering(
        out.getvalue(),
        document,
        keyring=inputs["keyring"],
        charter=inputs["charter"],
        printer=printer,
    )
    assert not edited
    assert "page 1 differs" in edited.reasons[0]
    # A PDF of another version.
    other = {**document, "version": 2}
    other_pdf = render(other, format="pdf", printer=printer, **inputs)
    wrong = check_rendering(other_pdf, document, **{k: inputs[k] for k in ("keyring", "charter")})
    assert not wrong
    assert "another document or version" in wrong.reasons[0]


def test_a_pdf_with_a_page_removed_fails(printer: Printer) -> None:
    document = load("charter.json")
    pdf = render(document, format="pdf", printer=printer, at=AT)
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        del opened.pages[-1]
        out = io.BytesIO()
        opened.save(out)
    result = check_rendering(out.getvalue(), document, printer=printer)
    assert not result
    assert "pages where" in result.reasons[0]


def test_the_redline_prints_with_both_versions_attached(printer: Printer, tmp_path: Path) -> None:
    old = load("early-help-families.json")
    new = {**old, "version": 2, "title": "Early help, amended"}
    pdf = render_redline(old, new, format="pdf", printer=printer)
    pages = _pdftotext(pdf, tmp_path)
    assert all(canonical.digest(new) in text for text in pages)
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert set(opened.attachments) == {"version-1.json", "version-2.json"}
        assert str(opened.docinfo["/WodaAmends"]) == canonical.digest(old)


def test_markdown_and_html_of_every_example_check_in_one_run(printer: Printer) -> None:
    for name in examples():
        document = load(name)
        inputs = _inputs(document)
        inputs.pop("at")
        for form in ("html", "markdown"):
            data = render(document, format=form, at=AT, **inputs)
            assert check_rendering(data, document, **inputs), (name, form)
