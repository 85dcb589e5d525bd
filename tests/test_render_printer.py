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
