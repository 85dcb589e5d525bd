"""Word (.docx): read back with python-docx; structure, language, binding and its failures."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from tests._render_fixtures import AT, HOSTILE, charter, examples, hostile, keyring, load
from tests.test_render import _outline
from woda_sharing import _canonical as canonical
from woda_sharing.render import Format, check_rendering, render, render_redline
from woda_sharing.render import _docx as word


def _render(name: str, form: str = "docx", document: dict[str, Any] | None = None) -> bytes:
    document = document if document is not None else load(name)
    extra: dict[str, Any] = {"at": AT, "keyring": keyring()}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    return render(document, format=form, **extra)


def _check(data: bytes, document: dict[str, Any]) -> Any:
    extra: dict[str, Any] = {"keyring": keyring()}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    return check_rendering(data, document, **extra)


def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def text_of(data: bytes) -> str:
    """Every piece of text of the body, in order, one space between runs of text."""
    body = _open(data).element.body
    return " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def _our_part(files: dict[str, bytes]) -> str:
    return next(
        n
        for n, b in files.items()
        if re.fullmatch(r"customXml/item\d+\.xml", n) and word.NAMESPACE.encode() in b
    )


def _rezip(data: bytes, change: Any) -> bytes:
    files = word.parts(data)
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in files.items():
            archive.writestr(name, blob)
    return out.getvalue()


@pytest.mark.parametrize("name", examples(), ids=str)
def test_every_example_renders_to_word_and_checks(name: str) -> None:
    document = load(name)
    data = _render(name)
    result = _check(data, document)
    assert result, result.reasons
    assert result.format is Format.DOCX


@pytest.mark.parametrize("name", examples(), ids=str)
def test_word_has_the_html_headings_as_real_heading_styles(name: str) -> None:
    opened = _open(_render(name))
    headings = [
        (p.style.name, p.text) for p in opened.paragraphs if p.style.name.startswith("Heading")
    ]
    html = _outline(_render(name, "html"))
    expected = [(f"Heading {tag[1]}", text) for tag, text in html.headings]
    assert headings == expected


def test_tables_have_header_rows_that_repeat_and_a_title() -> None:
    opened = _open(_render("early-help-families.json"))
    assert len(opened.tables) >= 5
    for table in opened.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None
        assert first.trPr.find(qn("w:tblHeader")) is not None
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        assert caption is not None
        assert caption.get(qn("w:val"))
        for row in table.rows[1:]:
            assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    parties = next(t for t in opened.tables if t.rows[0].cells[0].text == "Organisation")
    assert [c.text for c in parties.rows[0].cells] == [
        "Organisation",
        "Capacity",
        "Role",
        "Party id",
    ]


def test_word_says_its_language_is_british_english() -> None:
    data = _render("charter.json")
    opened = _open(data)
    assert opened.core_properties.language == "en-GB"
    defaults = opened.styles.element.find(qn("w:docDefaults"))
    language = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert language.get(qn("w:val")) == "en-GB"
    assert b'w:themeFontLang w:val="en-GB"' in word.parts(data)["word/settings.xml"]


def test_every_page_shows_id_version_and_digest_in_its_header() -> None:
    document = load("early-help-families.json")
    opened = _open(_render("early-help-families.json"))
    digest = canonical.digest(document)
    for section in opened.sections:
        assert section.header.paragraphs[0].text == (
            f"{document['id']} version {document['version']} {digest}"
        )
        footer = section.footer.paragraphs[0]._p
        fields = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
        assert fields == ["PAGE", "NUMPAGES"]
    properties = opened.core_properties
    assert properties.keywords == digest
    assert properties.identifier == f"{document['id']} version {document['version']}"
    assert properties.created == AT


def test_the_signed_document_travels_in_a_custom_xml_part() -> None:
    document = load("homelessness-duty-to-refer.json")
    files = word.parts(_render("homelessness-duty-to-refer.json"))
    embedded = word.read_embedded(files)
    assert embedded is not None
    assert embedded.digest == canonical.digest(document)
    (name, text), *rest = embedded.documents
    assert (name, rest) == ("signed-document.json", [])
    assert json.loads(text) == document
    ours = _our_part(files)
    rels = files[ours.replace("customXml/", "customXml/_rels/") + ".rels"]
    assert b"customXmlProps" in rels
    assert b"customXml/" + ours.split("/")[1].encode() in files["word/_rels/document.xml.rels"]


def test_links_to_legislation_are_hyperlinks() -> None:
    files = word.parts(_render("early-help-families.json"))
    rels = files["word/_rels/document.xml.rels"].decode()
    assert 'Target="https://www.legislation.gov.uk/' in rels
    assert "<w:hyperlink" in files["word/document.xml"].decode()


def test_an_edited_word_file_is_detected() -> None:
    document = load("early-help-families.json")
    data = _render("early-help-families.json")

    def edit(files: dict[str, bytes]) -> None:
        files["word/document.xml"] = files["word/document.xml"].replace(
            b"Purpose and benefits", b"Purpose and benefit", 1
        )

    result = _check(_rezip(data, edit), document)
    assert not result
    assert "word/document.xml differs" in " ".join(result.reasons)


def test_an_added_or_removed_part_is_detected() -> None:
    document = load("early-help-families.json")
    data = _render("early-help-families.json")
    added = _check(_rezip(data, lambda f: f.update({"word/extra.xml": b"<x/>"})), document)
    assert "word/extra.xml" in " ".join(added.reasons)
    removed = _check(_rezip(data, lambda f: f.pop("word/footer1.xml")), document)
    assert "word/footer1.xml is missing" in " ".join(removed.reasons)


def test_word_of_another_version_or_a_swapped_document_is_detected() -> None:
    document = load("early-help-families.json")
    other = dict(document, version=document["version"] + 1, endorsements=[])
    of_other = _render("", document=other)
    result = _check(of_other, document)
    assert not result
    assert "another document or version" in " ".join(result.reasons)

    data = _render("early-help-families.json")
    other_part = word.read_embedded(word.parts(of_other))
    assert other_part is not None

    def swap(files: dict[str, bytes]) -> None:
        name = _our_part(files)
        files[name] = word.parts(of_other)[name]

    swapped = _check(_rezip(data, swap), document)
    assert not swapped
    assert "another document or version" in " ".join(swapped.reasons)


def _drop_ours(files: dict[str, bytes]) -> None:
    files.pop(_our_part(files))


def _replace_ours(blob: bytes) -> Any:
    def change(files: dict[str, bytes]) -> None:
        files[_our_part(files)] = blob

    return change


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_drop_ours, "carries no signed document"),
        (_replace_ours(f"<x xmlns='{word.NAMESPACE}'>".encode()), "not XML"),
        (_replace_ours(f"<x xmlns='{word.NAMESPACE}'/>".encode()), "not a rendering's"),
    ],
    ids=["no-part", "broken-xml", "foreign-root"],
)
def test_a_missing_or_broken_custom_part_fails_closed(change: Any, reason: str) -> None:
    document = load("early-help-families.json")
    result = _check(_rezip(_render("early-help-families.json"), change), document)
    assert not result
    assert reason in " ".join(result.reasons)


def test_two_signed_document_parts_fail_closed() -> None:
    document = load("early-help-families.json")
    data = _render("early-help-families.json")

    def double(files: dict[str, bytes]) -> None:
        name = _our_part(files)
        files["customXml/item9.xml"] = files[name]

    result = _check(_rezip(data, double), document)
    assert "more than one signed-document part" in " ".join(result.reasons)


def test_what_is_not_a_word_file_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    document = load("early-help-families.json")
    broken = _check(b"PK\x03\x04 not really a zip", document)
    assert not broken
    assert "cannot be read" in " ".join(broken.reasons)
    monkeypatch.setattr(word, "MAX_UNCOMPRESSED", 1000)
    big = _check(_render("early-help-families.json"), document)
    assert "unpacks to more than 1000 bytes" in " ".join(big.reasons)


def test_hostile_text_stays_text_in_word() -> None:
    document = hostile(load("early-help-families.json"))
    document["description"] = HOSTILE + " \x01\x0b\ufffe end"
    document["endorsements"] = []
    data = _render("", document=document)
    text = text_of(data)
    assert HOSTILE in text
    # characters XML cannot hold are replaced; the vertical tab is white space
    assert "\ufffd \ufffd end" in text
    assert "\x01" not in text
    body = word.parts(data)["word/document.xml"]
    assert b"<script" not in body
    assert b"&lt;script&gt;" in body
    assert _check(data, document)


def test_a_redline_in_word_strikes_and_underlines() -> None:
    old = load("early-help-families.json")
    new = json.loads(json.dumps(old))
    new["version"] = old["version"] + 1
    new["description"] = "A new description of the sharing."
    data = render_redline(old, new, format="docx")
    opened = _open(data)
    runs = [r for p in opened.paragraphs for r in p.runs] + [
        r
        for t in opened.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    assert any(r.font.strike for r in runs)
    assert any(r.underline for r in runs)
    embedded = word.read_embedded(word.parts(data))
    assert embedded is not None
    assert [n for n, _ in embedded.documents] == ["version-1.json", "version-2.json"]
    assert embedded.options is None
