"""Render a charter or an agreement to HTML, PDF or Markdown, bound to its signed bytes."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen
from markupsafe import Markup

from woda_sharing import __version__
from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._keyring import Keyring
from woda_sharing._legal import Catalogue
from woda_sharing._model import Agreement, Charter
from woda_sharing._signing import verify
from woda_sharing._validation import validate
from woda_sharing.exceptions import CatalogueError, WodaError
from woda_sharing.render import _view
from woda_sharing.render._pdf import Printer
from woda_sharing.render._templates import Md
from woda_sharing.rules import builtin_catalogue

__all__ = [
    "GENERATOR",
    "Format",
    "RenderError",
    "RenderOptions",
    "Rendering",
    "prepare",
    "render",
]

#: The version of woda_sharing that renders; a check needs the same one.
GENERATOR: Final = __version__

_KIND_LABELS: Final = {"charter": "Data sharing charter", "agreement": "Data sharing agreement"}
_EMPTY_KEYRING: Final = {
    "kind": "keyring",
    "format_version": 1,
    "id": "no-keyring",
    "organisations": [],
}
_AGREEMENT_TOC: Final = (
    ("summary", "Purpose and benefits"),
    ("parties", "Parties"),
    ("data", "Data shared"),
    ("flows", "Flows"),
    ("legal-bases", "Legal bases"),
    ("retention", "Retention"),
    ("security", "Security and impact assessment"),
    ("rights", "Individuals' rights and transparency"),
    ("breach", "Personal data breaches"),
    ("review", "Review, termination and history"),
    ("endorsement", "Endorsement"),
)
_WAIVERS: Final = ("waivers", "Accepted findings (waivers)")
_OTHER: Final = ("other-terms", "Other terms")
_CHARTER_TOC: Final = (
    ("summary", "Purpose of the charter"),
    ("members", "Members"),
    ("principles", "Principles"),
    ("purposes", "Purposes agreements may share data for"),
    ("controls", "Controls every agreement carries"),
    ("legal-bases", "Legal bases"),
    ("review", "Review and history"),
    ("endorsement", "Endorsement"),
)


class RenderError(WodaError, ValueError):
    """A document, charter or keyring could not be rendered, or a rendering could not be read."""


class Format(enum.Enum):
    """An output format."""

    HTML = "html"
    PDF = "pdf"
    MARKDOWN = "markdown"
    DOCX = "docx"

    @property
    def suffix(self) -> str:
        """The file name suffix for this format."""
        return {"html": ".html", "pdf": ".pdf", "markdown": ".md", "docx": ".docx"}[self.value]

    @classmethod
    def of(cls, value: Format | str) -> Format:
        """Return *value* as a `Format`, raising `RenderError` for an unknown one."""
        if isinstance(value, Format):
            return value
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(f.value for f in cls)
            raise RenderError(f"unknown format {value!r} (use one of: {names})") from None


@frozen(kw_only=True)
class RenderOptions:
    """What a rendering was made with, recorded in it so that a check can make it again.

    ``keyring`` and ``charter`` are the digests of the keyring and charter
    used (or ``None``); ``at`` the moment endorsements were verified at.
    """

    at: str
    keyring: str | None
    charter: str | None
    findings: bool
    generator: str = GENERATOR

    def to_json(self) -> str:
        """The compact JSON form written into renderings."""
        return json.dumps(
            {
                "at": self.at,
                "charter": self.charter,
                "findings": self.findings,
                "generator": self.generator,
                "keyring": self.keyring,
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> RenderOptions:
        """Read options written by `to_json`, raising `RenderError` for anything else."""
        try:
            raw = json.loads(text)
            at, keyring, charter = raw["at"], raw["keyring"], raw["charter"]
            findings, generator = raw["findings"], raw["generator"]
        except (ValueError, TypeError, KeyError) as e:
            raise RenderError(f"the rendering's options are unreadable: {e}") from None
        if not (
            isinstance(at, str)
            and isinstance(generator, str)
            and isinstance(findings, bool)
            and all(isinstance(v, str | None) for v in (keyring, charter))
        ):
            raise RenderError("the rendering's options are unreadable")
        return cls(at=at, keyring=keyring, charter=charter, findings=findings, generator=generator)

    @property
    def moment(self) -> dt.datetime:
        """`at` as a timezone-aware datetime."""
        try:
            return dt.datetime.strptime(self.at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise RenderError(f"the rendering's time {self.at!r} is unreadable") from None


@frozen(kw_only=True)
class Binding:
    """What binds a rendering to the signed bytes: shown on every page, embedded whole."""

    kind: str
    id: str
    version: int
    digest: str
    canonical: str
    options: str

    @property
    def embedded(self) -> Markup:
        """The canonical document, safe inside ``<script type="application/json">``."""
        text = (
            self.canonical.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        )
        return Markup(text)  # noqa: S704 - no <, > or & is left to close the element

    @property
    def options_md(self) -> Md:
        """The options, for a Markdown comment (JSON this module wrote: no ``--`` in it)."""
        return Md(self.options)


@frozen(kw_only=True)
class Rendering:
    """A document prepared for a template: the template name and everything it reads."""

    template: str
    context: dict[str, Any]
    binding: Binding
    options: RenderOptions


def _utc_seconds(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    when: object = at  # the annotation is a promise the caller may break
    if not isinstance(when, dt.datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise RenderError("at must be a timezone-aware datetime")
    return at.astimezone(dt.UTC).replace(microsecond=0)


def _checked_mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RenderError(f"{what} is a JSON object, not a {type(value).__name__}")
    return value


def _structure(document: Mapping[str, Any], what: str) -> Charter | Agreement:
    kind = document.get("kind")
    if kind not in _KIND_LABELS:
        raise RenderError(f"{what} is of kind {kind!r}; only a charter or an agreement renders")
    cls: type[Charter | Agreement] = Charter if kind == "charter" else Agreement
    try:
        return codec.structure(document, cls)
    except WodaError as e:
        raise RenderError(f"{what} cannot be rendered: {e}") from e


def _catalogue(doc: Charter | Agreement, charter: Charter | None) -> Catalogue:
    catalogue = builtin_catalogue()
    try:
        if charter is not None:
            catalogue = catalogue.extended(charter.legal_bases)
        return catalogue.extended(doc.legal_bases)
    except CatalogueError as e:
        raise RenderError(f"the document's legal bases cannot be explained: {e}") from e


def _rule_text(doc: Charter | Agreement, charter: Charter | None) -> str:
    rule = doc.endorsement if isinstance(doc, Charter) else charter.endorsement if charter else None
    if rule is None:
        return (
            "Every organisation that is a party endorses this agreement, in a role its charter"
            " accepts (the charter was not given, so the roles are not shown)."
        )
    roles = ", ".join(_view.role_name(r) for r in rule.roles)
    if isinstance(doc, Agreement):
        return f"Every organisation that is a party endorses this agreement, signing as: {roles}."
    if rule.rule == "all-members":
        return f"Every member endorses this charter, signing as: {roles}."
    return f"At least {rule.threshold} distinct members endorse this charter, signing as: {roles}."


@frozen(kw_only=True)
class FindingRow:
    """A validation finding as the annex shows it."""

    code: str
    severity: Any
    where: str
    message: str
    hint: str | None


def _charter(charter: object) -> tuple[Charter, str]:
    """The charter an agreement is rendered with, and its digest."""
    data = _checked_mapping(charter, "the charter")
    found = _structure(data, "the charter")
    if not isinstance(found, Charter):
        raise RenderError("the charter given is an agreement")
    try:
        return found, canonical.digest(data)
    except WodaError as e:  # pragma: no cover - structure refuses what has no canonical form
        raise RenderError(f"the charter has no canonical form: {e}") from e


def _panel(
    document: Mapping[str, Any],
    doc: Charter | Agreement,
    *,
    charter: Mapping[str, Any] | None,
    charter_doc: Charter | None,
    keyring: Keyring | Mapping[str, Any] | None,
    at: dt.datetime,
) -> tuple[_view.Panel, str | None]:
    """The endorsement panel, and the digest of the keyring it was verified against."""
    try:
        ring = (
            keyring
            if isinstance(keyring, Keyring)
            else Keyring.from_data(keyring if keyring is not None else _EMPTY_KEYRING)
        )
    except WodaError as e:
        raise RenderError(f"the keyring cannot be used: {e}") from e
    names = _view.organisations(charter_doc if isinstance(doc, Agreement) else doc)
    if keyring is None and not doc.endorsements:
        # Nothing to verify and no claims to show: everyone expected is pending.
        return _view.unsigned_panel(doc, names=names, at=at), None
    result = verify(document, ring, charter=charter, at=at)
    panel = _view.panel(result, names=names, checked=keyring is not None, keyring=ring.id, at=at)
    return panel, canonical.digest(ring.data) if keyring is not None else None


def prepare(
    document: Mapping[str, Any],
    *,
    charter: Mapping[str, Any] | None = None,
    keyring: Keyring | Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    findings: bool = False,
) -> Rendering:
    """Check the inputs and compute everything a template shows (see `render`)."""
    document = _checked_mapping(document, "the document")
    try:
        payload = canonical.signed_bytes(document)
        # The whole signed document, endorsements included. The check recomputes the
        # canonical bytes from it, so this need not be JCS itself: sorted compact JSON
        # is far cheaper, and equal to JCS for the integer-only documents we accept.
        full = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (WodaError, TypeError, ValueError) as e:
        raise RenderError(f"the document has no canonical form: {e}") from e
    digest = canonical.digest_of(payload)
    doc = _structure(document, "the document")
    charter_doc, charter_digest = (
        _charter(charter) if charter is not None and isinstance(doc, Agreement) else (None, None)
    )
    moment = _utc_seconds(at)
    panel, keyring_digest = _panel(
        document, doc, charter=charter, charter_doc=charter_doc, keyring=keyring, at=moment
    )
    options = RenderOptions(
        at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        keyring=keyring_digest,
        charter=charter_digest,
        findings=findings,
    )
    binding = Binding(
        kind=doc.kind,
        id=doc.id,
        version=doc.version,
        digest=digest,
        canonical=full,
        options=options.to_json(),
    )
    report = None
    if findings:
        report = validate(document, charter=charter, today=moment.date())
    catalogue = _catalogue(doc, charter_doc)
    context = _view.context(doc, charter=charter_doc, catalogue=catalogue, wire=document)
    kind_label = _KIND_LABELS[doc.kind]
    toc = list(_AGREEMENT_TOC if isinstance(doc, Agreement) else _CHARTER_TOC)
    if doc.waivers:
        toc.insert(len(toc) - 1, _WAIVERS)
    if context["other_terms"]:
        toc.insert(len(toc) - 1, _OTHER)
    numbers = {anchor: n for n, (anchor, _) in enumerate(toc, start=1)}
    if report is not None:
        toc.append(("findings", "Annex: validation findings"))
    titles = {i.id: i.title for i in doc.items} if isinstance(doc, Agreement) else {}

    def basis_title(basis_id: str) -> str:
        entry = catalogue.get(basis_id)
        return (
            f"{entry.title} ({entry.citation})" if entry else f"{basis_id} (not in the catalogue)"
        )

    def basis_short(basis_id: str) -> str:
        entry = catalogue.get(basis_id)
        return entry.title if entry else f"{basis_id} (not in the catalogue)"

    def bases_of(flow: _view.FlowRow) -> list[str]:
        shown = [basis_short(b) for b in flow.bases]
        if flow.capacity_basis:
            shown.append(f"between capacities: {basis_short(flow.capacity_basis)}")
        return shown

    context.update(
        title=doc.title,
        kind_label=kind_label,
        binding=binding,
        toc=toc,
        numbers=numbers,
        panel=panel,
        rule_text=_rule_text(doc, charter_doc),
        report=None
        if report is None
        else {
            "findings": [
                FindingRow(
                    code=f.code,
                    severity=f.severity,
                    where=f.pointer,
                    message=f.message,
                    hint=f.hint,
                )
                for f in report.findings
            ]
        },
        today=moment.date().isoformat(),
        generator=GENERATOR,
        humane=_view.humane,
        item_titles=lambda ids: [titles.get(i, i) for i in ids],
        basis_title=basis_title,
        basis_short=basis_short,
        bases_of=bases_of,
        running=f"{doc.id} version {doc.version} {digest}",
        footer=f"{kind_label}: {doc.id} version {doc.version}",
    )
    template = "charter.html.j2" if isinstance(doc, Charter) else "agreement.html.j2"
    return Rendering(template=template, context=context, binding=binding, options=options)


def render_prepared(rendering: Rendering, form: Format, *, printer: Printer | None = None) -> bytes:
    """Lay out a prepared rendering in *form*."""
    from woda_sharing.render import _templates  # noqa: PLC0415 - Jinja2 only when rendering

    if form is Format.MARKDOWN:
        md = _templates.markdown_environment().get_template("document.md.j2")
        return md.render(rendering.context).encode("utf-8")
    html = _templates.html_environment().get_template(rendering.template)
    text = html.render(rendering.context)
    if form is Format.HTML:
        return text.encode("utf-8")
    binding = rendering.binding
    if form is Format.DOCX:
        from woda_sharing.render import _docx  # noqa: PLC0415 - python-docx only for Word

        return _docx.write_docx(
            text,
            embedded=_docx.Embedded(
                kind=binding.kind,
                id=binding.id,
                version=str(binding.version),
                digest=binding.digest,
                options=binding.options,
                documents=(("signed-document.json", binding.canonical),),
            ),
            title=rendering.context["title"],
            subject=f"{rendering.context['kind_label']} {binding.id}, version {binding.version}, {binding.digest}",
            header=rendering.context["running"],
            footer=rendering.context["footer"],
            created=rendering.options.moment,
            generator=f"woda_sharing {GENERATOR}",
        )
    from woda_sharing.render import _pdf  # noqa: PLC0415 - the browser only for PDF

    return _pdf.write_pdf(
        text,
        attachments=(("signed-document.json", binding.canonical),),
        metadata={
            "Subject": f"{rendering.context['kind_label']} {binding.id}, version {binding.version}, {binding.digest}",
            "Keywords": binding.digest,
            "Creator": f"woda_sharing {GENERATOR}",
            "WodaKind": binding.kind,
            "WodaId": binding.id,
            "WodaVersion": str(binding.version),
            "WodaDigest": binding.digest,
            "WodaRender": binding.options,
        },
        title=rendering.context["title"],
        printer=printer,
    )


def render(
    document: Mapping[str, Any],
    *,
    format: Format | str = Format.HTML,  # noqa: A002 - the word users expect
    charter: Mapping[str, Any] | None = None,
    keyring: Keyring | Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    findings: bool = False,
    printer: Printer | None = None,
) -> bytes:
    """Render a signed charter or agreement (its wire form) and return the bytes.

    *format* is ``"html"`` (one self-contained file), ``"pdf"`` (printed by
    headless Chromium, with the signed document attached), ``"docx"`` (Word,
    the signed document in a custom XML part) or ``"markdown"``. Every format
    shows the document's id, version and digest (on every printed page) and
    embeds the signed document, so that `check_rendering` can tell later whether a
    rendering came from it.

    *charter* is the charter an agreement sits under (names, purposes, roles).
    *keyring* verifies the endorsements for the endorsement panel at *at*
    (default: now, to the second); without it the panel says they were not
    verified. *findings* adds the validation findings as an annex (validated
    on the date of *at*). *printer* is a started `Printer` to print PDFs with
    (default: one started for this call). Raises `RenderError` for anything that cannot be
    rendered.
    """
    form = Format.of(format)
    return render_prepared(
        prepare(document, charter=charter, keyring=keyring, at=at, findings=findings),
        form,
        printer=printer,
    )
