"""The Jinja2 environments: HTML with autoescaping, Markdown with an escaping finalizer.

Both escape every value a template prints unless this package marked it as
already safe, so text from a document (a title, a contact, a signatory's
name) can never become markup, script or a Markdown link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any, Final

import jinja2
from markupsafe import Markup

__all__ = ["Md", "code", "css_string", "html_environment", "markdown_environment", "md_escape"]

_CSS_SAFE: Final = re.compile(r"[A-Za-z0-9 .,:()-]")


def css_string(value: object) -> Markup:
    """Return *value* as a quoted CSS string whose every unusual character is a CSS escape.

    Used for the running header of printed pages: nothing in it can close the
    string, the rule or the ``<style>`` element.
    """
    text = str(value)
    body = "".join(c if _CSS_SAFE.fullmatch(c) else f"\\{ord(c):06x}" for c in text)
    return Markup(f'"{body}"')  # noqa: S704 - every character is checked above


class Md(str):
    """Markdown this package wrote, printed as it is."""

    __slots__ = ()


_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|~&])")


def md_escape(value: object) -> Md:
    """Escape *value* for Markdown: no emphasis, link, HTML, table cell break or line break."""
    if isinstance(value, Md):
        return value
    if value is None:
        return Md("")
    text = " ".join(str(value).split())
    return Md(_MD_SPECIAL.sub(r"\\\1", text))


def code(value: object) -> Md:
    """A Markdown code span holding *value* exactly (the fence outgrows any run of backticks)."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Md(f"{fence}{pad}{text}{pad}{fence}")


def fenced(text: str) -> Md:
    """A fenced JSON code block holding *text* (one line, as canonical JSON is)."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return Md(f"{fence}json\n{text}\n{fence}")


def link(text: object, url: str) -> Md:
    """A Markdown link to *url* (a URL this package built) with escaped *text*."""
    target = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return Md(f"[{md_escape(text)}](<{target}>)")


def strong(text: object) -> Md:
    """Escaped *text* in bold (an addition in a redline)."""
    return Md(f"**{md_escape(text)}**") if str(text).strip() else Md("")


def struck(text: object) -> Md:
    """Escaped *text* struck through (a removal in a redline)."""
    return Md(f"~~{md_escape(text)}~~") if str(text).strip() else Md("")


def cell(values: Iterable[object]) -> Md:
    """Several values in one Markdown table cell, one per line."""
    return Md("<br>".join(md_escape(v) for v in values))


def _md_finalize(value: Any) -> Md:
    return md_escape(value)


_LOADER: Final = jinja2.PackageLoader("woda_sharing.render", "templates")


@functools.cache
def html_environment() -> jinja2.Environment:
    """The HTML environment: autoescaping on for every template, undefined names fail."""
    env = jinja2.Environment(
        loader=_LOADER,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


@functools.cache
def markdown_environment() -> jinja2.Environment:
    """The Markdown environment: every printed value goes through `md_escape`."""
    env = jinja2.Environment(
        loader=_LOADER,
        autoescape=False,  # noqa: S701 - Markdown, not HTML: the finalizer escapes every value
        finalize=_md_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(code=code, fenced=fenced, link=link, cell=cell, strong=strong, struck=struck)
    return env
