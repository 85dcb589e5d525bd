"""PDF: headless Chromium prints the HTML rendering; pikepdf attaches the signed document.

Chromium lays out the very HTML and print stylesheet a reader's browser gets
(the running header with the digest in a page margin box, page counters, page
breaks, table headers repeated on each page) and writes a tagged PDF with an
outline. pikepdf (qpdf) then attaches the signed document as an associated file
(relationship ``Source``, PDF/A-3 style) and writes the id, version, digest
and rendering options into the document information dictionary and XMP.
Chromium is found as ``$WODA_CHROMIUM``, ``chromium`` or ``chromium-browser``
on the ``PATH``; it runs headless, sandboxed from the network (no first-run,
sync, component update or background networking), with a fresh profile
(Playwright gives every browser it launches a new temporary ``--user-data-dir``).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final

from woda_sharing.exceptions import WodaError

__all__ = ["CHROMIUM_ARGS", "Printer", "PrinterError", "find_chromium", "write_pdf"]

#: The flags every Chromium started here gets (Playwright adds a fresh ``--user-data-dir``).
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
)
#: How long one page may take to load or print, in milliseconds.
TIMEOUT_MS: Final = 60_000


class PrinterError(WodaError, RuntimeError):
    """Chromium could not be found, started or asked to print."""


def find_chromium() -> str:
    """Return the Chromium executable to use, or raise `PrinterError` saying how to get one."""
    named = os.environ.get("WODA_CHROMIUM")
    for candidate in (named, "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise PrinterError(
        "PDF needs Chromium: install it (Debian: apt-get install chromium) or set WODA_CHROMIUM"
    )


class Printer:
    """A headless Chromium kept open to print several PDFs; use it as a context manager.

    ``render(..., format="pdf")`` starts one for each call when given none;
    pass ``printer=`` to print many documents with one browser.
    """

    def __init__(self, *, executable: str | None = None) -> None:
        self._executable = executable
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._page: Any = None

    def __enter__(self) -> Printer:
        try:
            from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415
        except ImportError as e:  # pragma: no cover - the extra is installed where PDF is tested
            raise PrinterError(
                "PDF needs the render extra: pip install 'woda-sharing[render]'"
            ) from e
        executable = self._executable or find_chromium()
        try:
            self._playwright = sync_playwright().start()
        except Error as e:
            raise PrinterError(
                f"cannot drive Chromium here: {e.message} (print from a thread without an"
                " asyncio event loop, or with one Printer at a time)"
            ) from None
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=executable,
                args=list(CHROMIUM_ARGS),
                timeout=TIMEOUT_MS,
            )
        except Error as e:
            self.close()
            raise PrinterError(f"Chromium did not start ({executable}): {e.message}") from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser (Playwright removes the fresh profile it started it with)."""
        self._drop_page()
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def print_pdf(self, html: str) -> bytes:
        """Print *html* (a self-contained page) to PDF with its own print stylesheet."""
        from playwright.sync_api import Error  # noqa: PLC0415

        if self._browser is None:
            raise PrinterError("the printer is not started: use it in a with statement")
        try:
            page = self._ready_page()
            # The page is self-contained (styles inline, system fonts, no script, offline):
            # "load" comes as soon as it is parsed; nothing is fetched, nothing to wait for.
            page.set_content(html, wait_until="load")
            pdf = page.pdf(
                prefer_css_page_size=True,
                print_background=True,
                tagged=True,
                outline=True,
                display_header_footer=False,
            )
        except Error as e:
            self._drop_page()  # a page that failed is not reused
            raise PrinterError(f"Chromium could not print the page: {e.message}") from None
        assert isinstance(pdf, bytes)  # noqa: S101 - playwright returns the PDF's bytes
        return pdf

    def _ready_page(self) -> Any:
        """The one page this printer prints with, opened on first use.

        Opening a browser context and a page costs about as much as laying out
        a short document; a printer keeps one (script off, offline) and loads
        each document into it in turn, which replaces the previous one whole.
        """
        if self._page is None:
            self._context = self._browser.new_context(
                java_script_enabled=False, offline=True, locale="en-GB"
            )
            self._page = self._context.new_page()
            self._page.set_default_timeout(TIMEOUT_MS)
        return self._page

    def _drop_page(self) -> None:
        context, self._context, self._page = self._context, None, None
        if context is not None:
            # Closing a context that broke may fail too: there is nothing left to keep.
            with contextlib.suppress(Exception):
                context.close()


def _attach(
    pdf: bytes, attachments: Sequence[tuple[str, str]], metadata: Mapping[str, str], title: str
) -> bytes:
    import pikepdf  # noqa: PLC0415 - only for PDF

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for name, text in attachments:
            document.attachments[name] = pikepdf.AttachedFileSpec(
                document,
                text.encode("utf-8"),
                filename=name,
                mime_type="application/json",
                description=f"The signed document this PDF renders: {title}",
                relationship=pikepdf.Name.Source,
            )
        # PDF/A-3 associated files: the catalog lists them in /AF too.
        document.Root.AF = pikepdf.Array(
            [document.attachments[name].obj for name, _ in attachments]
        )
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = title
            xmp["dc:description"] = metadata.get("Subject", title)
            xmp["pdf:Keywords"] = metadata.get("Keywords", "")
        document.docinfo[pikepdf.Name.Title] = title
        for key, value in metadata.items():
            document.docinfo[pikepdf.Name("/" + key)] = value
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def write_pdf(
    html: str,
    *,
    attachments: Sequence[tuple[str, str]],
    metadata: Mapping[str, str],
    title: str,
    printer: Printer | None = None,
) -> bytes:
    """Print *html* to PDF, attach each ``(name, text)`` and set the information *metadata*."""
    if printer is not None:
        return _attach(printer.print_pdf(html), attachments, metadata, title)
    with Printer() as own:
        return _attach(own.print_pdf(html), attachments, metadata, title)
