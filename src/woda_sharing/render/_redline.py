"""Amendments as a redline: what changed between two versions of a document.

The changes are the semantic diff's (`woda_sharing.diff`, the register's
``diff`` too): lists of objects are matched by id, so moving a flow is not a
change; each change says whether it widens the sharing or weakens a
safeguard, and carries the text before and after, compared word by word.
This module only groups them into the sections a reader knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing._diff import Difference
from woda_sharing._diff import diff as semantic_diff
from woda_sharing.exceptions import WodaError
from woda_sharing.render._pdf import Printer
from woda_sharing.render._render import _KIND_LABELS, GENERATOR, Format, RenderError
from woda_sharing.render._templates import css_string

__all__ = ["Redline", "diff", "render_redline", "section_of"]

_SECTIONS: Final = {
    "id": "Title and purpose",
    "title": "Title and purpose",
    "description": "Title and purpose",
    "label": "Title and purpose",
    "status": "Title and purpose",
    "charter": "Charter",
    "members": "Members",
    "principles": "Principles",
    "purposes": "Purposes",
    "parties": "Parties",
    "subjects": "Data subjects",
    "items": "Data items",
    "flows": "Flows",
    "controls": "Controls",
    "legal_bases": "Legal bases",
    "retention": "Retention",
    "security": "Security and impact assessment",
    "dpia": "Security and impact assessment",
    "large_scale": "Security and impact assessment",
    "automated_decisions": "Security and impact assessment",
    "public_monitoring": "Security and impact assessment",
    "access_decisions": "Security and impact assessment",
    "rights": "Individuals' rights and transparency",
    "transparency": "Individuals' rights and transparency",
    "published_fields": "Individuals' rights and transparency",
    "breach": "Personal data breaches",
    "defaults": "Terms every agreement inherits",
    "endorsement": "Endorsement rule",
    "start": "Review, termination and history",
    "end": "Review, termination and history",
    "effective": "Review, termination and history",
    "review": "Review, termination and history",
    "review_interval_months": "Review, termination and history",
    "review_cycle": "Review, termination and history",
    "last_reviewed": "Review, termination and history",
    "notice_days": "Review, termination and history",
    "termination": "Review, termination and history",
    "history": "Review, termination and history",
    "waivers": "Accepted findings (waivers)",
}
_RANK: Final = {name: i for i, name in enumerate(dict.fromkeys(_SECTIONS.values()))}
#: A redline has no moment of its own: its Word file says it was made at the epoch.
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def section_of(change: Difference) -> str:
    """The section of a document a change belongs to, from the first member of its pointer."""
    first = change.pointer.split("/")[1] if change.pointer.count("/") else ""
    first = first.replace("~1", "/").replace("~0", "~")
    return _SECTIONS.get(first, first.replace("_", " ").capitalize() or "The whole document")


@frozen(kw_only=True)
class Redline:
    """The differences between two versions of one document, in reading order."""

    kind: str
    id: str
    title: str
    old_version: int
    new_version: int
    old_digest: str
    new_digest: str
    declared_amendment: bool
    changes: tuple[Difference, ...]

    @property
    def widening(self) -> tuple[Difference, ...]:
        """The changes that permit more sharing or weaken a safeguard."""
        return tuple(c for c in self.changes if c.widens)

    @property
    def sections(self) -> dict[str, list[Difference]]:
        """The changes grouped by section, sections in reading order."""
        out: dict[str, list[Difference]] = {}
        for change in self.changes:
            out.setdefault(section_of(change), []).append(change)
        return out


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Redline:
    """Compare two versions of one charter or agreement (wire form) for a redline.

    The changes are `woda_sharing.diff`'s, sorted into the sections of the
    document (stable within a section). Raises `RenderError` when the two are
    not versions of one document or cannot be read.
    """
    for what, value in (("the old version", old), ("the new version", new)):
        if not isinstance(value, Mapping):
            raise RenderError(f"{what} is a JSON object, not a {type(value).__name__}")
        if value.get("kind") not in _KIND_LABELS:
            raise RenderError(f"{what} is not a charter or an agreement")
        if not isinstance(value.get("version"), int) or not isinstance(value.get("id"), str):
            raise RenderError(f"{what} has no id or version")
    if (old["kind"], old["id"]) != (new["kind"], new["id"]):
        raise RenderError(
            f"the versions are of different documents ({old['kind']} {old['id']!r},"
            f" {new['kind']} {new['id']!r})"
        )
    try:
        old_digest, new_digest = canonical.digest(old), canonical.digest(new)
        found = semantic_diff(old, new)
    except WodaError as e:
        raise RenderError(f"a version cannot be compared: {e}") from e
    changes = sorted(found.changes, key=lambda c: _RANK.get(section_of(c), len(_RANK)))
    supersedes = new.get("supersedes")
    declared = isinstance(supersedes, Mapping) and supersedes == {
        "version": old["version"],
        "digest": old_digest,
    }
    return Redline(
        kind=str(new["kind"]),
        id=str(new["id"]),
        title=str(new.get("title", new["id"])),
        old_version=old["version"],
        new_version=new["version"],
        old_digest=old_digest,
        new_digest=new_digest,
        declared_amendment=declared,
        changes=tuple(changes),
    )


def render_redline(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    format: Format | str = Format.HTML,  # noqa: A002 - the word users expect
    printer: Printer | None = None,
) -> bytes:
    """Render what changed from *old* to *new* (two versions of one document) as a redline.

    HTML, PDF and Word show removed words struck through and added words
    underlined, and mark each change that widens the sharing or weakens a
    safeguard; Markdown uses ``~~removed~~`` and ``**added**``. Both versions' digests are
    shown on every page, and a PDF attaches both signed documents.
    """
    from woda_sharing.render import _templates  # noqa: PLC0415

    form = Format.of(format)
    redline = diff(old, new)
    running = (
        f"{redline.id} version {redline.old_version} to {redline.new_version} {redline.new_digest}"
    )
    footer = f"Amendment of {redline.id}"
    context = {
        "r": redline,
        "sections": redline.sections,
        "kind_label": _KIND_LABELS[redline.kind],
        "generator": GENERATOR,
        "running": running,
        "footer": footer,
        "css_string": css_string,
    }
    if form is Format.MARKDOWN:
        md = _templates.markdown_environment().get_template("redline.md.j2")
        return md.render(context).encode("utf-8")
    text = _templates.html_environment().get_template("redline.html.j2").render(context)
    if form is Format.HTML:
        return text.encode("utf-8")

    def canonical_text(value: Mapping[str, Any]) -> str:
        import rfc8785  # noqa: PLC0415

        return bytes(rfc8785.dumps(dict(value))).decode("utf-8")

    if form is Format.DOCX:
        from woda_sharing.render import _docx  # noqa: PLC0415

        return _docx.write_docx(
            text,
            embedded=_docx.Embedded(
                kind=redline.kind,
                id=redline.id,
                version=str(redline.new_version),
                digest=redline.new_digest,
                options=None,
                documents=(
                    (f"version-{redline.old_version}.json", canonical_text(old)),
                    (f"version-{redline.new_version}.json", canonical_text(new)),
                ),
            ),
            title=f"Amendment of {redline.title}",
            subject=f"Amendment of {redline.id}, version {redline.old_version} to {redline.new_version}",
            header=running,
            footer=footer,
            created=_EPOCH,
            generator=f"woda_sharing {GENERATOR}",
        )
    from woda_sharing.render import _pdf  # noqa: PLC0415

    return _pdf.write_pdf(
        text,
        attachments=(
            (f"version-{redline.old_version}.json", canonical_text(old)),
            (f"version-{redline.new_version}.json", canonical_text(new)),
        ),
        metadata={
            "Subject": f"Amendment of {redline.id}, version {redline.old_version} to {redline.new_version}",
            "Keywords": f"{redline.old_digest}, {redline.new_digest}",
            "Creator": f"woda_sharing {GENERATOR}",
            "WodaId": redline.id,
            "WodaVersion": str(redline.new_version),
            "WodaDigest": redline.new_digest,
            "WodaAmends": redline.old_digest,
        },
        title=f"Amendment of {redline.title}",
        printer=printer,
    )
