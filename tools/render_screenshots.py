"""Take the screenshots of the rendered examples that the docs show.

    python tools/render_screenshots.py   # writes docs/images/render-*.png

Each example (and one redline) is rendered to HTML at a fixed time with the
example keyring, opened in the system's headless Chromium, and the top of the
page is saved as a small PNG. The rendering tests check that every example has
one; rerun this after changing the templates.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from woda_sharing import _canonical as canonical  # noqa: E402
from woda_sharing._loading import load_path  # noqa: E402
from woda_sharing.render import render, render_redline  # noqa: E402
from woda_sharing.render._pdf import CHROMIUM_ARGS, find_chromium  # noqa: E402

FOLDER = ROOT / "examples" / "worcestershire"
IMAGES = ROOT / "docs" / "images"
AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
VIEWPORT = {"width": 960, "height": 720}


def pages() -> dict[str, bytes]:
    """Every example's HTML rendering, and a redline of an amendment, by screenshot name."""
    charter = load_path(FOLDER / "charter.json")
    keyring = load_path(FOLDER / "keyring.json")
    out = {}
    for path in sorted(FOLDER.glob("*.json")):
        document = load_path(path)
        if document.get("kind") not in ("charter", "agreement"):
            continue
        extra = {"charter": charter} if document["kind"] == "agreement" else {}
        out[f"render-{path.stem}"] = render(document, at=AT, keyring=keyring, **extra)
    old = load_path(FOLDER / "early-help-families.json")
    new = copy.deepcopy(old)
    new["version"] = 2
    new["supersedes"] = {"version": 1, "digest": canonical.digest(old)}
    new["flows"][1]["frequency"] = "weekly"
    new["breach"]["notify_within_hours"] = 12
    out["render-redline"] = render_redline(old, new)
    return out


def main() -> None:
    """Write the screenshots."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport=VIEWPORT)
        for name, html in pages().items():
            file = Path(tmp) / f"{name}.html"
            file.write_bytes(html)
            page.goto(file.as_uri())
            page.screenshot(path=str(IMAGES / f"{name}.png"))
            print(IMAGES / f"{name}.png")
            if name == "render-charter":  # the endorsement panel on its own
                panel = IMAGES / "render-charter-panel.png"
                page.locator("section.endorsements").screenshot(path=str(panel))
                print(panel)
        browser.close()


if __name__ == "__main__":
    main()
