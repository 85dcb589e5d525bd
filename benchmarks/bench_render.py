"""How fast rendering is: a medium agreement to HTML, Markdown and PDF.

The medium agreement of `benchmarks.generate` (30 parties, 200 items, 100
flows) under its charter is rendered:

- ``html_ms`` / ``markdown_ms``: median of several renderings, in milliseconds
  (the templates are compiled once, before timing, as in any long-running use);
  ``html_cpu_ms`` the same in CPU time of this process, which a busy machine
  inflates less than wall time;
- ``pdf_s``: median seconds to print the PDF with a started `Printer` (one
  headless Chromium kept for several documents), including attaching the
  signed document with pikepdf;
- ``pdf_cold_s``: one PDF including starting and stopping Chromium, as a
  single ``woda-sharing render`` command pays it;
- ``pdf_pages``: how many A4 pages the PDF has;
- ``check_html_ms``: median time of `check_rendering` on the HTML.

Targets (issue 14): HTML under 100 ms, PDF under 3 s; ``*_target_ratio`` is
the figure divided by its target (below 1.0 meets it).
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any, Final

from benchmarks.generate import SIZES, agreement, charter_for

__all__ = ["HTML_TARGET_MS", "PDF_TARGET_S", "run"]

HTML_TARGET_MS: Final = 100.0
PDF_TARGET_S: Final = 3.0
AT: Final = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _median(
    fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    times = []
    for _ in range(repeat):
        gc.disable()
        start = clock()
        fn()
        times.append(clock() - start)
        gc.enable()
    return statistics.median(times)


def run() -> dict[str, float]:
    """Time the renderings of the medium agreement; return the figures."""
    import pikepdf

    from woda_sharing.render import Printer, check_rendering, render

    size = next(s for s in SIZES if s.name == "medium")
    document, charter = agreement(size), charter_for(size)
    render(document, charter=charter, at=AT)  # compile the templates
    html_s = _median(lambda: render(document, charter=charter, at=AT), 15)
    html_cpu_s = _median(lambda: render(document, charter=charter, at=AT), 15, time.process_time)
    md_s = _median(lambda: render(document, format="markdown", charter=charter, at=AT), 15)
    html = render(document, charter=charter, at=AT)
    check_s = _median(lambda: check_rendering(html, document, charter=charter), 9)
    with Printer() as printer:
        render(document, format="pdf", charter=charter, at=AT, printer=printer)  # warm up
        pdf_s = _median(
            lambda: render(document, format="pdf", charter=charter, at=AT, printer=printer), 5
        )
    start = time.perf_counter()
    pdf = render(document, format="pdf", charter=charter, at=AT)
    cold_s = time.perf_counter() - start
    import io

    with pikepdf.open(io.BytesIO(pdf)) as opened:
        pages = len(opened.pages)
    return {
        "html_ms": html_s * 1000,
        "html_target_ratio": html_s * 1000 / HTML_TARGET_MS,
        "html_cpu_ms": html_cpu_s * 1000,
        "markdown_ms": md_s * 1000,
        "check_html_ms": check_s * 1000,
        "pdf_s": pdf_s,
        "pdf_target_ratio": pdf_s / PDF_TARGET_S,
        "pdf_cold_s": cold_s,
        "pdf_pages": float(pages),
        "html_bytes": float(len(html)),
    }
