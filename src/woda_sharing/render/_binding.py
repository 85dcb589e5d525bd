"""Tell whether a rendering came from a given signed document, and say why when it did not.

A rendering carries the signed document (embedded in HTML and Markdown,
attached to the PDF) and the options it was made with. The check:

1. reads the embedded document and compares its digest with the digest of the
   document given (another document or another version fails here);
2. compares the id, version and digest shown on the rendering with it;
3. renders the given document again with the recorded options and compares:
   the bytes for HTML and Markdown, the content of every page for PDF (an
   edited rendering fails here).

A rendering whose endorsement panel was verified against a keyring can only
be checked with that keyring (and an agreement rendered with its charter, with
that charter): the check fails closed and says which is missing.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any, Final

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing._keyring import Keyring
from woda_sharing.exceptions import WodaError
from woda_sharing.render._pdf import Printer
from woda_sharing.render._render import (
    GENERATOR,
    Format,
    RenderError,
    RenderOptions,
    prepare,
    render_prepared,
)

__all__ = ["BindingError", "BindingResult", "check_rendering", "require_binding"]

_MD_MARKER: Final = "<!-- woda-sharing:signed-document -->"
_MD_OPTIONS: Final = re.compile(r"^<!-- woda-render (\{[^\n]*\}) -->$", re.MULTILINE)
_MD_DOCUMENT: Final = re.compile(
    re.escape(_MD_MARKER) + r"\n(`{3,})json\n([^\n]*)\n\1\n", re.MULTILINE
)


@frozen(kw_only=True)
class BindingResult:
    """Whether a rendering came from the given signed document; truthy exactly when it did.

    ``digest`` is the given document's digest; ``shown`` the digest the
    rendering shows (``None`` when unreadable); ``reasons`` says why not.
    """

    bound: bool
    format: Format | None
    digest: str | None
    shown: str | None
    reasons: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.bound

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing render check --format json``."""
        return {
            "bound": self.bound,
            "format": self.format.value if self.format else None,
            "digest": self.digest,
            "shown": self.shown,
            "reasons": list(self.reasons),
        }


class BindingError(RenderError):
    """A rendering did not come from the signed document it was checked against."""

    def __init__(self, message: str, *, result: BindingResult) -> None:
        super().__init__(message)
        self.result = result


class _HtmlBinding(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.embedded: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") and values.get("content") is not None:
            self.meta.setdefault(str(values["name"]), str(values["content"]))
        self._in_script = tag == "script" and values.get("id") == "woda-signed-document"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.embedded.append(data)


@frozen(kw_only=True)
class _Read:
    format: Format
    document: str | None
    digest: str | None
    options: str | None


def _sniff(data: bytes) -> Format | None:
    if data.startswith(b"%PDF-"):
        return Format.PDF
    if data.startswith(b"PK\x03\x04"):
        return Format.DOCX
    head = data[:200].lstrip().lower()
    if head.startswith(b"<!doctype html"):
        return Format.HTML
    if _MD_MARKER.encode() in data:
        return Format.MARKDOWN
    return None


def _read_html(data: bytes) -> _Read:
    parser = _HtmlBinding()
    try:
        parser.feed(data.decode("utf-8"))
        parser.close()
    except UnicodeDecodeError as e:
        raise RenderError(f"the HTML is not UTF-8: {e}") from None
    return _Read(
        format=Format.HTML,
        document="".join(parser.embedded) if parser.embedded else None,
        digest=parser.meta.get("WodaDigest"),
        options=parser.meta.get("WodaRender"),
    )


def _read_markdown(data: bytes) -> _Read:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RenderError(f"the Markdown is not UTF-8: {e}") from None
    document = _MD_DOCUMENT.search(text)
    options = _MD_OPTIONS.search(text)
    embedded = document.group(2) if document else None
    digest = None
    if embedded is not None:
        try:
            digest = canonical.digest(json.loads(embedded))
        except (ValueError, WodaError):
            digest = None
    return _Read(
        format=Format.MARKDOWN,
        document=embedded,
        digest=digest,
        options=options.group(1) if options else None,
    )


def _read_pdf(data: bytes) -> _Read:
    import pikepdf  # noqa: PLC0415 - only to check PDFs

    try:
        with pikepdf.open(io.BytesIO(data)) as document:
            info = document.docinfo
            digest = info.get("/WodaDigest")
            options = info.get("/WodaRender")
            spec = document.attachments.get("signed-document.json")
            attached = spec.get_file().read_bytes() if spec is not None else None
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise RenderError(f"the PDF cannot be read: {e}") from None
    embedded = None
    if attached is not None:
        try:
            embedded = attached.decode("utf-8")
        except UnicodeDecodeError:
            embedded = None
    return _Read(
        format=Format.PDF,
        document=embedded,
        digest=str(digest) if digest is not None else None,
        options=str(options) if options is not None else None,
    )


def _read_docx(data: bytes) -> _Read:
    from woda_sharing.render import _docx  # noqa: PLC0415 - only to check Word files

    try:
        embedded = _docx.read_embedded(_docx.parts(data))
    except ValueError as e:
        raise RenderError(f"the Word file cannot be read: {e}") from None
    if embedded is None:
        return _Read(format=Format.DOCX, document=None, digest=None, options=None)
    documents = dict(embedded.documents)
    return _Read(
        format=Format.DOCX,
        document=documents.get("signed-document.json"),
        digest=embedded.digest,
        options=embedded.options,
    )


def _compare_docx(made: bytes, given: bytes) -> str | None:
    from woda_sharing.render import _docx  # noqa: PLC0415

    try:
        expected, found = _docx.parts(made), _docx.parts(given)
    except ValueError as e:  # pragma: no cover - read once already by _read_docx
        return f"the Word file cannot be read: {e}"
    for name in sorted(expected.keys() | found.keys()):
        if name not in found:
            return f"its part {name} is missing: the Word file was edited"
        if name not in expected:
            return f"it has a part {name} the signed document does not render to: the Word file was edited"
        if expected[name] != found[name]:
            return f"its part {name} differs from what the signed document renders to: the Word file was edited (or saved again)"
    return None


def _pages(data: bytes) -> list[bytes]:
    import pikepdf  # noqa: PLC0415

    with pikepdf.open(io.BytesIO(data)) as document:
        return [
            b"".join(
                stream.read_bytes()
                for stream in (
                    page.obj.Contents
                    if isinstance(page.obj.Contents, pikepdf.Array)
                    else [page.obj.Contents]
                )
            )
            for page in document.pages
        ]


def _first_difference(made: bytes, given: bytes) -> str:
    a = made.decode("utf-8", "replace").splitlines()
    b = given.decode("utf-8", "replace").splitlines()
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"line {number} differs"
    return f"the rendering has {len(b)} lines where {len(a)} were expected"


def _compare(made: bytes, given: bytes, form: Format) -> str | None:  # noqa: PLR0911
    if form is Format.DOCX:
        return _compare_docx(made, given)
    if form is not Format.PDF:
        if made == given:
            return None
        return f"the content differs from what the signed document renders to ({_first_difference(made, given)}): the rendering was edited"
    try:
        expected, found = _pages(made), _pages(given)
    except Exception as e:
        return f"the PDF's pages cannot be read: {type(e).__name__}"
    if len(expected) != len(found):
        return f"the PDF has {len(found)} pages where {len(expected)} were expected: it was edited"
    for number, (x, y) in enumerate(zip(expected, found, strict=True), start=1):
        if x != y:
            return (
                f"page {number} differs from what the signed document prints to: the PDF was edited"
            )
    return None


def check_rendering(  # noqa: PLR0911, PLR0912 - one early return per refusal reads best
    data: bytes,
    document: Mapping[str, Any],
    *,
    keyring: Keyring | Mapping[str, Any] | None = None,
    charter: Mapping[str, Any] | None = None,
    printer: Printer | None = None,
) -> BindingResult:
    """Check that the rendering *data* came from the signed *document*; never raises for bad *data*.

    Give the *keyring* (and, for an agreement, the *charter*) the rendering
    was made with when it shows a verified endorsement panel. Checking a PDF
    prints the document again (with *printer*, or a Chromium started for the
    call) and compares the content of every page. Raises
    `RenderError` only when *document* itself cannot be rendered.
    """
    if not isinstance(data, bytes):
        raise RenderError(f"a rendering is bytes, not {type(data).__name__}")
    if not isinstance(document, Mapping):
        raise RenderError(f"the document is a JSON object, not a {type(document).__name__}")
    try:
        expected = canonical.digest(document)
    except WodaError as e:
        raise RenderError(f"the document has no canonical form: {e}") from e

    def fail(form: Format | None, shown: str | None, *reasons: str) -> BindingResult:
        return BindingResult(
            bound=False, format=form, digest=expected, shown=shown, reasons=reasons
        )

    form = _sniff(data)
    if form is None:
        return fail(
            None, None, "not a rendering woda_sharing made (not HTML, PDF, Word or Markdown)"
        )
    readers = {
        Format.HTML: _read_html,
        Format.PDF: _read_pdf,
        Format.MARKDOWN: _read_markdown,
        Format.DOCX: _read_docx,
    }
    try:
        read = readers[form](data)
    except RenderError as e:
        return fail(form, None, str(e))
    if read.document is None:
        return fail(form, read.digest, "the rendering carries no signed document")
    try:
        embedded = json.loads(read.document)
        carried = canonical.digest(embedded)
    except (ValueError, WodaError) as e:
        return fail(form, read.digest, f"the signed document it carries is unreadable: {e}")
    reasons = []
    if carried != expected:
        reasons.append(f"it carries another document or version (digest {carried}, not {expected})")
    if read.digest != carried:
        reasons.append(f"the digest it shows ({read.digest}) is not the digest of what it carries")
    if reasons:
        return fail(form, read.digest, *reasons)
    if read.options is None:
        return fail(form, read.digest, "the rendering does not say how it was made")
    try:
        options = RenderOptions.from_json(read.options)
        moment = options.moment
    except RenderError as e:
        return fail(form, read.digest, str(e))
    missing = _missing_inputs(options, keyring=keyring, charter=charter)
    if missing:
        return fail(form, read.digest, *missing)
    prepared = prepare(
        document,
        charter=charter if options.charter else None,
        keyring=keyring if options.keyring else None,
        at=moment,
        findings=options.findings,
    )
    difference = _compare(render_prepared(prepared, form, printer=printer), data, form)
    if difference:
        return fail(form, read.digest, difference)
    return BindingResult(bound=True, format=form, digest=expected, shown=read.digest, reasons=())


def _missing_inputs(
    options: RenderOptions,
    *,
    keyring: Keyring | Mapping[str, Any] | None,
    charter: Mapping[str, Any] | None,
) -> list[str]:
    reasons = []
    if options.generator != GENERATOR:
        reasons.append(
            f"it was made by woda_sharing {options.generator}; this is {GENERATOR}, which cannot"
            " make it again to compare"
        )
    for what, recorded, given in (
        ("keyring", options.keyring, keyring),
        ("charter", options.charter, charter),
    ):
        if recorded is None:
            continue
        if given is None:
            reasons.append(
                f"it was rendered with a {what} ({recorded}): give that {what} to check it"
            )
            continue
        data = given.data if isinstance(given, Keyring) else given
        try:
            actual = canonical.digest(data)
        except WodaError:
            actual = None
        if actual != recorded:
            reasons.append(f"it was rendered with another {what} ({recorded}, not {actual})")
    return reasons


def require_binding(
    data: bytes,
    document: Mapping[str, Any],
    *,
    keyring: Keyring | Mapping[str, Any] | None = None,
    charter: Mapping[str, Any] | None = None,
    printer: Printer | None = None,
) -> BindingResult:
    """Check like `check_rendering`, and raise `BindingError` unless the rendering is bound."""
    result = check_rendering(data, document, keyring=keyring, charter=charter, printer=printer)
    if not result:
        raise BindingError(
            f"the rendering did not come from this document: {'; '.join(result.reasons)}",
            result=result,
        )
    return result
