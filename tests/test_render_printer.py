"""Starting Chromium: clear errors when it is missing or does not start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from woda_sharing.render import Printer, PrinterError
from woda_sharing.render._pdf import find_chromium


def test_a_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WODA_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PrinterError, match="apt-get install chromium"):
        find_chromium()


def test_a_chromium_that_does_not_start_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(PrinterError, match="Chromium did not start"), Printer(executable=str(fake)):
        pass


def test_a_printer_must_be_started() -> None:
    with pytest.raises(PrinterError, match="not started"):
        Printer().print_pdf("<!DOCTYPE html><p>x</p>")
    assert shutil.which("pdftotext")


def _pages(pdf: bytes) -> list[bytes]:
    from woda_sharing.render._binding import _pages as pages

    return pages(pdf)


def test_one_printer_prints_each_document_as_a_fresh_one_would() -> None:
    first = "<!DOCTYPE html><html lang='en-GB'><title>a</title><p>First document</p>"
    second = "<!DOCTYPE html><html lang='en-GB'><title>b</title><p>Second</p><p>document</p>"
    with Printer() as printer:
        a1 = printer.print_pdf(first)
        b = printer.print_pdf(second)
        a2 = printer.print_pdf(first)
    with Printer() as fresh:
        a3 = fresh.print_pdf(first)
    assert _pages(a1) == _pages(a2) == _pages(a3)
    assert _pages(b) != _pages(a1)


def test_a_printer_whose_page_broke_opens_a_new_one() -> None:
    html = "<!DOCTYPE html><html lang='en-GB'><title>a</title><p>Text</p>"
    with Printer() as printer:
        printer.print_pdf(html)
        printer._context.close()  # the page dies under the printer
        with pytest.raises(PrinterError, match="could not print"):
            printer.print_pdf(html)
        assert printer.print_pdf(html).startswith(b"%PDF-")
