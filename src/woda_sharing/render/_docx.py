"""Word (.docx): the HTML rendering laid out again as a Word document with python-docx.

Word is built from the very HTML a reader's browser gets, not from a third
template: the same sections, tables and wording, in Word's own structure.
``h1``-``h3`` become Word's built-in Heading 1-3 styles (the navigation pane
and screen readers use them), each ``<table>`` a Word table whose ``<thead>``
rows repeat on every page and whose ``<caption>`` is the table's title, lists
Word lists, links hyperlinks; the document language is ``en-GB`` in the
styles, the settings and the core properties.

The binding: every page's header shows the document's id, version and
digest (and the footer its page number). The signed document and the
rendering options travel in a custom XML part (``customXml/item<n>.xml``, the
place Word keeps data that is not text, and keeps it when a document is
saved again), read back by `woda_sharing.render.check_rendering`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from typing import Any, Final

import attrs
from attrs import define, field, frozen

__all__ = ["NAMESPACE", "Embedded", "parts", "read_embedded", "write_docx"]

#: The namespace of the custom XML part that carries the signed document.
NAMESPACE: Final = "urn:woda-sharing:render:1"
_ITEM: Final = re.compile(r"customXml/item\d+\.xml")
#: The most a .docx may hold, uncompressed, for the check to read it (a bound on zip bombs).
MAX_UNCOMPRESSED: Final = 64 * 1024 * 1024
_MONO: Final = "DejaVu Sans Mono"
_LANGUAGE: Final = "en-GB"
_XML_UNSAFE: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE: Final = re.compile(r"\s+")
_BLOCKS: Final = frozenset(
    {"section", "main", "header", "footer", "nav", "div", "body", "html", "article"}
)
_SKIPPED: Final = frozenset({"head", "script", "style", "title", "meta"})
_VOID: Final = frozenset({"br", "meta", "img", "hr", "link", "input"})
_RT_CUSTOM_XML: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
)
_RT_CUSTOM_XML_PROPS: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
)
_CT_CUSTOM_XML_PROPS: Final = (
    "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
)


@define
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Tree(HTMLParser):
    """The HTML as a tree of elements (our own, well-formed HTML: no repair needed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID:
            self._stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data)


def _safe(text: str) -> str:
    """*text* with every character XML cannot hold replaced (a document's strings may have any)."""
    return _XML_UNSAFE.sub("\ufffd", text)


@frozen
class _Span:
    text: str
    bold: bool = field(default=False, kw_only=True)
    mono: bool = field(default=False, kw_only=True)
    strike: bool = field(default=False, kw_only=True)
    underline: bool = field(default=False, kw_only=True)
    href: str | None = field(default=None, kw_only=True)
    brk: bool = field(default=False, kw_only=True)


_PLAIN: Final = _Span("")


def _spans(node: _Node | str, style: _Span = _PLAIN) -> Iterator[_Span]:
    if isinstance(node, str):
        yield attrs.evolve(style, text=node, brk=False)
        return
    tag = node.tag
    if tag == "br":
        yield _Span("", brk=True)
        return
    if tag in _SKIPPED:
        return
    if tag in ("strong", "b", "th"):
        style = attrs.evolve(style, bold=True)
    elif tag == "code":
        style = attrs.evolve(style, mono=True)
    elif tag == "del":
        style = attrs.evolve(style, strike=True)
    elif tag == "ins":
        style = attrs.evolve(style, underline=True)
    elif tag == "a" and node.attrs.get("href", "").startswith("https://"):
        style = attrs.evolve(style, href=node.attrs["href"])
    for child in node.children:
        yield from _spans(child, style)


def _normalised(spans: Sequence[_Span]) -> list[_Span]:
    """Collapse white space as a browser does; no leading or trailing space on a line."""
    out: list[_Span] = []
    at_line_start = True
    for span in spans:
        if span.brk:
            if out and not out[-1].brk:
                out[-1] = attrs.evolve(out[-1], text=out[-1].text.rstrip())
            out.append(span)
            at_line_start = True
            continue
        text = _SPACE.sub(" ", span.text)
        if at_line_start:
            text = text.lstrip()
        elif out and not out[-1].brk and out[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if not text:
            continue
        out.append(attrs.evolve(span, text=text))
        at_line_start = False
    if out and not out[-1].brk:
        out[-1] = attrs.evolve(out[-1], text=out[-1].text.rstrip())
    return [s for s in out if s.brk or s.text]


class _Writer:
    """Lays out the tree in a python-docx document."""

    def __init__(self, document: Any) -> None:
        self.doc = document
        self._styles: dict[str, Any] = {}

    def style(self, name: str) -> Any:
        """A style by name, looked up once (python-docx searches every style by name each time)."""
        if name not in self._styles:
            self._styles[name] = self.doc.styles[name]
        return self._styles[name]

    def fill(self, paragraph: Any, nodes: Sequence[_Node | str], *, bold: bool = False) -> None:
        from docx.shared import Pt  # noqa: PLC0415

        spans = _normalised([s for n in nodes for s in _spans(n, _Span("", bold=bold))])
        for span in spans:
            if span.brk:
                paragraph.add_run().add_break()
                continue
            if span.href:
                self._hyperlink(paragraph, span)
                continue
            run = paragraph.add_run(_safe(span.text))
            run.bold = span.bold or None
            if span.mono:
                run.font.name = _MONO
                run.font.size = Pt(8.5)
            if span.strike:
                run.font.strike = True
            if span.underline:
                run.underline = True

    def _hyperlink(self, paragraph: Any, span: _Span) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: PLC0415
        from docx.oxml import OxmlElement  # noqa: PLC0415
        from docx.oxml.ns import qn  # noqa: PLC0415

        assert span.href is not None  # noqa: S101 - only called for links
        rid = paragraph.part.relate_to(span.href, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        style = OxmlElement("w:rStyle")
        style.set(qn("w:val"), "Hyperlink")
        props.append(style)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(underline)
        run.append(props)
        text = OxmlElement("w:t")
        text.text = _safe(span.text)
        text.set(qn("xml:space"), "preserve")
        run.append(text)
        link.append(run)
        paragraph._p.append(link)

    def blocks(self, node: _Node) -> None:
        inline: list[_Node | str] = []

        def flush() -> None:
            if any(isinstance(n, _Node) or n.strip() for n in inline):
                self.fill(self.doc.add_paragraph(), inline)
            inline.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag in (
                "a",
                "strong",
                "code",
                "span",
                "em",
                "br",
                "del",
                "ins",
            ):
                if isinstance(child, _Node) and "skip" in child.classes:
                    continue
                inline.append(child)
                continue
            flush()
            self.block(child)
        flush()

    def block(self, node: _Node) -> None:
        tag = node.tag
        if tag in _SKIPPED:
            return
        if tag in ("h1", "h2", "h3", "h4"):
            heading = self.doc.add_paragraph(style=self.style(f"Heading {tag[1]}"))
            self.fill(heading, node.children)
        elif tag == "p":
            self.fill(self.doc.add_paragraph(), node.children)
        elif tag in ("ul", "ol"):
            style = self.style("List Number" if tag == "ol" else "List Bullet")
            for item in node.children:
                if isinstance(item, _Node) and item.tag == "li":
                    self.fill(self.doc.add_paragraph(style=style), item.children)
        elif tag == "dl":
            self._facts(node)
        elif tag == "table":
            self._table(node)
        else:
            self.blocks(node)

    def _facts(self, node: _Node) -> None:
        term: _Node | None = None
        for child in node.children:
            if not isinstance(child, _Node):
                continue
            if child.tag == "dt":
                term = child
            elif child.tag == "dd" and term is not None:
                paragraph = self.doc.add_paragraph()
                self.fill(paragraph, [*term.children, ": "], bold=True)
                self.fill(paragraph, child.children)

    def _table(self, node: _Node) -> None:
        from docx.oxml import OxmlElement  # noqa: PLC0415
        from docx.oxml.ns import qn  # noqa: PLC0415

        caption = next(
            (c for c in node.children if isinstance(c, _Node) and c.tag == "caption"), None
        )
        head = _rows(node, "thead")
        rows = head + _rows(node, "tbody")
        if not rows:
            return
        title = ""
        if caption is not None:
            paragraph = self.doc.add_paragraph(style=self.style("Caption"))
            self.fill(paragraph, caption.children)
            title = "".join(s.text for s in _normalised(list(_spans(caption))))
        width = max(len(r) for r in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = self.style("Table Grid")
        properties = table._tbl.tblPr
        if title:
            element = OxmlElement("w:tblCaption")
            element.set(qn("w:val"), _safe(title))
            properties.append(element)
        for number, cells in enumerate(rows):
            row = table.add_row()
            if number < len(head):
                row_properties = row._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                row_properties.append(header)
            targets = row.cells  # python-docx walks the row on each access: once per row
            for index, cell in enumerate(cells):
                target = targets[index]
                span = int(cell.attrs.get("colspan", "1") or "1")
                if span > 1 and index + span <= width:
                    target = target.merge(targets[index + span - 1])
                paragraph = target.paragraphs[0]
                lists = [c for c in cell.children if isinstance(c, _Node) and c.tag in ("ul", "ol")]
                inline = [c for c in cell.children if c not in lists]
                self.fill(paragraph, inline, bold=cell.tag == "th")
                for values in lists:
                    for item in values.children:
                        if isinstance(item, _Node) and item.tag == "li":
                            self.fill(
                                target.add_paragraph(style=self.style("List Bullet")),
                                item.children,
                            )


def _rows(table: _Node, part: str) -> list[list[_Node]]:
    return [
        [c for c in row.children if isinstance(c, _Node) and c.tag in ("th", "td")]
        for section in table.children
        if isinstance(section, _Node) and section.tag == part
        for row in section.children
        if isinstance(row, _Node) and row.tag == "tr"
    ]


@frozen(kw_only=True)
class Embedded:
    """What a .docx carries in its custom XML part: the rendering's identity, options and documents."""

    kind: str
    id: str
    version: str
    digest: str
    options: str | None
    documents: tuple[tuple[str, str], ...]


def _custom_xml(embedded: Embedded) -> bytes:
    from lxml import etree  # noqa: PLC0415 - python-docx's own XML library

    root = etree.Element(f"{{{NAMESPACE}}}rendering", nsmap={"woda": NAMESPACE})
    for name in ("kind", "id", "version", "digest"):
        root.set(name, _safe(getattr(embedded, name)))
    if embedded.options is not None:
        etree.SubElement(root, f"{{{NAMESPACE}}}options").text = embedded.options
    for name, text in embedded.documents:
        element = etree.SubElement(root, f"{{{NAMESPACE}}}document")
        element.set("name", name)
        # ASCII JSON: any document's text is valid XML this way.
        element.text = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _item_properties(embedded: Embedded) -> bytes:
    item = uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}:{embedded.digest}")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<ds:datastoreItem ds:itemID="{{{str(item).upper()}}}"'
        ' xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
        f'<ds:schemaRefs><ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs>'
        "</ds:datastoreItem>"
    ).encode()


def _field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _language(document: Any) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:  # pragma: no cover - python-docx's template has them
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:  # pragma: no cover
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:  # pragma: no cover
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), _LANGUAGE)
    settings = document.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), _LANGUAGE)


def write_docx(
    html: str,
    *,
    embedded: Embedded,
    title: str,
    subject: str,
    header: str,
    footer: str,
    created: dt.datetime,
    generator: str,
) -> bytes:
    """Lay out *html* (a rendering this package made) as a .docx carrying *embedded*."""
    import docx  # noqa: PLC0415 - only for Word
    from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: PLC0415
    from docx.opc.packuri import PackURI  # noqa: PLC0415
    from docx.opc.part import Part  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    tree = _Tree()
    tree.feed(html)
    tree.close()
    document = docx.Document()
    _language(document)
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    properties = document.core_properties
    properties.title = _safe(title)
    properties.subject = _safe(subject)
    properties.keywords = embedded.digest
    properties.identifier = f"{embedded.id} version {embedded.version}"
    properties.language = _LANGUAGE
    properties.author = generator
    properties.last_modified_by = generator
    properties.comments = embedded.digest
    properties.created = properties.modified = created.replace(tzinfo=None)
    properties.revision = 1
    section = document.sections[0]
    running = section.header.paragraphs[0]
    running.text = _safe(header)
    for run in running.runs:
        run.font.name = _MONO
        run.font.size = Pt(7)
    bottom = section.footer.paragraphs[0]
    bottom.text = _safe(footer) + "    Page "
    _field(bottom, "PAGE")
    bottom.add_run(" of ")
    _field(bottom, "NUMPAGES")
    body = next(
        (c for c in tree.root.children if isinstance(c, _Node) and c.tag == "html"), tree.root
    )
    _Writer(document).blocks(body)
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # python-docx's template's picture, not this document's
            del package.rels[rid]
    name = package.next_partname("/customXml/item%d.xml")
    number = name.idx
    item = Part(name, "application/xml", _custom_xml(embedded), package)
    props = Part(
        PackURI(f"/customXml/itemProps{number}.xml"),
        _CT_CUSTOM_XML_PROPS,
        _item_properties(embedded),
        package,
    )
    item.relate_to(props, _RT_CUSTOM_XML_PROPS)
    document.part.relate_to(item, _RT_CUSTOM_XML)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of a .docx by name; raises `ValueError` for a file that is not one or is too big."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise ValueError(f"it unpacks to more than {MAX_UNCOMPRESSED} bytes")
            return {i.filename: archive.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        raise ValueError(f"not a readable .docx: {e}") from None


def read_embedded(files: dict[str, bytes]) -> Embedded | None:
    """The custom XML part this package wrote, or ``None``; raises `ValueError` when it is unreadable."""
    from lxml import etree  # noqa: PLC0415

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    ours = [
        name
        for name, data in sorted(files.items())
        if _ITEM.fullmatch(name) and NAMESPACE.encode() in data
    ]
    if not ours:
        return None
    if len(ours) > 1:
        raise ValueError("it carries more than one signed-document part")
    try:
        root = etree.fromstring(files[ours[0]], parser)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"its custom XML part is not XML: {e}") from None
    if root.tag != f"{{{NAMESPACE}}}rendering":
        raise ValueError("its custom XML part is not a rendering's")
    options = root.find(f"{{{NAMESPACE}}}options")
    documents = tuple(
        (str(e.get("name", "")), e.text or "") for e in root.findall(f"{{{NAMESPACE}}}document")
    )
    return Embedded(
        kind=str(root.get("kind", "")),
        id=str(root.get("id", "")),
        version=str(root.get("version", "")),
        digest=str(root.get("digest", "")),
        options=options.text if options is not None else None,
        documents=documents,
    )
