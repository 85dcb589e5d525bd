"""Package metadata that a release relies on: project URLs, kept in step with the docs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_the_documentation_url_is_where_mkdocs_publishes() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    urls = project["urls"]
    site_url = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert site_url is not None
    assert urls["Documentation"] == site_url.group(1)
    assert all(url.startswith("https://") and url.endswith("/") for url in urls.values())


def test_the_release_how_to_says_what_to_confirm_about_the_urls() -> None:
    text = (ROOT / "docs" / "how-to" / "release.md").read_text()
    assert "[project.urls]" in text
    assert "site_url" in text
