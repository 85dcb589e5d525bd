"""Render charters and agreements for people to read and sign off, bound to the signed bytes.

`render` writes a signed charter or agreement as one self-contained HTML
file, a PDF with the signed document attached (PDF/A-3 style), a Word file
(.docx) carrying it in a custom XML part, or Markdown; every form shows the
document's id, version and digest and embeds the signed document.
`check_rendering` tells whether a rendering came from a given signed
document; `render_redline` shows what an amendment changes, as
`woda_sharing.diff` finds it.

Needs the ``render`` extra (``pip install woda-sharing[render]``): Jinja2
for the templates, Playwright to drive the system's headless Chromium for
PDF, pikepdf to attach the signed document and read PDFs back, python-docx
for Word. Importing `woda_sharing` alone imports none of them.
"""

from __future__ import annotations

try:
    import jinja2 as _jinja2  # noqa: F401 - fail early, with the fix, when the extra is missing
except ImportError as e:  # pragma: no cover - the extra is installed where this is tested
    raise ImportError(
        "woda_sharing.render needs the render extra: pip install 'woda-sharing[render]'"
    ) from e

from woda_sharing.render._binding import (
    BindingError,
    BindingResult,
    check_rendering,
    require_binding,
)
from woda_sharing.render._pdf import Printer, PrinterError
from woda_sharing.render._redline import Redline, diff, render_redline
from woda_sharing.render._render import Format, RenderError, RenderOptions, render

__all__ = [
    "BindingError",
    "BindingResult",
    "Format",
    "Printer",
    "PrinterError",
    "Redline",
    "RenderError",
    "RenderOptions",
    "check_rendering",
    "diff",
    "render",
    "render_redline",
    "require_binding",
]
