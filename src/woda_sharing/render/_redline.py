"""Amendments as a redline: what changed between two versions of a document.

Lists of objects with an ``id`` (parties, items, flows, members...) are
matched by id, so moving a flow is not a change and editing one shows the
fields that changed; changed text is compared word by word.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Mapping
from typing import Any, Final, Literal

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing.exceptions import WodaError
from woda_sharing.render._pdf import Printer
from woda_sharing.render._render import _KIND_LABELS, GENERATOR, Format, RenderError
from woda_sharing.render._templates import css_string

__all__ = ["Change", "Redline", "diff", "render_redline"]

_SECTIONS: Final = {
    "title": "Title and purpose",
    "description": "Title and purpose",
    "charter": "Charter",
    "members": "Members",
    "principles": "Principles",
    "purposes": "Purposes",
    "parties": "Parties",
    "items": "Data items",
    "flows": "Flows",
    "controls": "Controls",
    "legal_bases": "Legal bases",
    "retention": "Retention",
    "security": "Security and impact assessment",
    "dpia": "Security and impact assessment",
    "large_scale": "Security and impact assessment",
    "rights": "Individuals' rights and transparency",
    "transparency": "Individuals' rights and transparency",
    "breach": "Personal data breaches",
    "endorsement": "Endorsement rule",
    "start": "Review, termination and history",
    "end": "Review, termination and history",
    "effective": "Review, termination and history",
    "review": "Review, termination and history",
    "review_interval_months": "Review, termination and history",
    "termination": "Review, termination and history",
    "version": "Review, termination and history",
    "supersedes": "Review, termination and history",
}
_SINGULAR: Final = {
    "members": "member",
    "principles": "principle",
    "purposes": "purpose",
    "parties": "party",
    "items": "data item",
    "flows": "flow",
    "legal_bases": "legal basis",
}
#: A redline has no moment of its own: its Word file says it was made at the epoch.
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Members that are not signed content (endorsements) or never change meaning.
_SKIPPED: Final = frozenset({"endorsements", "kind", "format_version", "id"})


@frozen(kw_only=True)
class Change:
    """One difference: something ``added``, ``removed`` or ``changed``, with before and after as text."""

    section: str
    subject: str
    kind: Literal["added", "removed", "changed"]
    old: str | None
    new: str | None

    @property
    def words(self) -> tuple[tuple[str, str], ...]:
        """The change word by word: ``("equal" | "removed" | "added", text)`` pairs."""
        a, b = (self.old or "").split(), (self.new or "").split()
        out: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                out.append(("equal", " ".join(a[i1:i2])))
                continue
            if i2 > i1:
                out.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", " ".join(b[j1:j2])))
        return tuple(out)


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
    changes: tuple[Change, ...]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int):
        return str(value)
    if value is None:
        return "(none)"
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _keyed(value: object) -> dict[str, Any] | None:
    if not isinstance(value, list) or not all(
        isinstance(v, Mapping) and isinstance(v.get("id"), str) for v in value
    ):
        return None
    out = {v["id"]: v for v in value}
    return out if len(out) == len(value) else None


def _walk(old: object, new: object, section: str, subject: str, out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            _walk(old.get(key), new.get(key), section, f"{subject}, {key}", out)
        return
    if old is None:
        out.append(Change(section=section, subject=subject, kind="added", old=None, new=_text(new)))
    elif new is None:
        out.append(
            Change(section=section, subject=subject, kind="removed", old=_text(old), new=None)
        )
    else:
        out.append(
            Change(section=section, subject=subject, kind="changed", old=_text(old), new=_text(new))
        )


def _walk_member(key: str, old: object, new: object, out: list[Change]) -> None:
    section = _SECTIONS.get(key, key)
    a, b = _keyed(old if old is not None else []), _keyed(new if new is not None else [])
    if key in _SINGULAR and a is not None and b is not None:
        name = _SINGULAR[key]
        for ident in [*a, *(i for i in b if i not in a)]:
            _walk(a.get(ident), b.get(ident), section, f"{name} {ident}", out)
        return
    _walk(old, new, section, key.replace("_", " "), out)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Redline:
    """Compare two versions of one charter or agreement (wire form), raising `RenderError` when they are not."""
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
    except WodaError as e:
        raise RenderError(f"a version has no canonical form: {e}") from e
    changes: list[Change] = []
    order = [k for k in _SECTIONS if k in old or k in new]
    order += [k for k in [*old, *new] if k not in _SECTIONS and k not in _SKIPPED]
    for key in dict.fromkeys(order):
        _walk_member(key, old.get(key), new.get(key), changes)
    rank = {name: i for i, name in enumerate(dict.fromkeys(_SECTIONS.values()))}
    changes.sort(key=lambda c: rank.get(c.section, len(rank)))
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

    HTML and PDF show removed words struck through and added words underlined;
    Markdown uses ``~~removed~~`` and ``**added**``. Both versions' digests are
    shown on every page, and a PDF attaches both signed documents.
    """
    from woda_sharing.render import _templates  # noqa: PLC0415

    form = Format.of(format)
    redline = diff(old, new)
    sections: dict[str, list[Change]] = {}
    for change in redline.changes:
        sections.setdefault(change.section, []).append(change)
    context = {
        "r": redline,
        "sections": sections,
        "kind_label": _KIND_LABELS[redline.kind],
        "generator": GENERATOR,
        "running": f"{redline.id} version {redline.old_version} to {redline.new_version}"
        f" {redline.new_digest}",
        "footer": f"Amendment of {redline.id}",
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
            header=context["running"],
            footer=context["footer"],
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
