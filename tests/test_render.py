"""Rendering to HTML and Markdown: content, order, escaping, the endorsement panel, errors."""

from __future__ import annotations

import copy
import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests._render_fixtures import AT, HOSTILE, PARTIAL, charter, examples, hostile, keyring, load
from woda_sharing import _canonical as canonical
from woda_sharing.render import Format, RenderError, render
from woda_sharing.render._legislation import ACTS, explain
from woda_sharing.render._templates import code, css_string, md_escape
from woda_sharing.rules import builtin_catalogue


class _Outline(HTMLParser):
    """Headings, script elements and every tag of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


def _outline(html: bytes) -> _Outline:
    parser = _Outline()
    parser.feed(html.decode("utf-8"))
    return parser


def _render(name: str, form: str = "html", **kwargs: Any) -> bytes:
    document = load(name)
    extra: dict[str, Any] = {"at": AT}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    extra.update(kwargs)
    return render(document, format=form, **extra)


@pytest.mark.parametrize("name", examples(), ids=str)
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_every_example_shows_its_id_version_and_digest(name: str, form: str) -> None:
    document = load(name)
    out = _render(name, form, keyring=keyring()).decode("utf-8")
    assert canonical.digest(document) in out
    assert document["id"] in out
    assert f"version {document['version']}" in out


AGREEMENT_ORDER = [
    "1. Purpose and benefits",
    "2. Parties",
    "3. Data shared",
    "4. Flows",
    "5. Legal bases",
    "6. Retention",
    "7. Security and impact assessment",
    "8. Individuals' rights and transparency",
    "9. Personal data breaches",
    "10. Review, termination and history",
    "11. Endorsement",
]
#: Examples with conditions of use, which the templates show under "Other terms".
WITH_OTHER_TERMS = {"child-health-safeguarding-and-research.json"}
CHARTER_ORDER = [
    "1. Purpose of the charter",
    "2. Members",
    "3. Principles",
    "4. Purposes agreements may share data for",
    "5. Controls every agreement carries",
    "6. Legal bases",
    "7. Review and history",
    "8. Endorsement",
]


@pytest.mark.parametrize("name", examples(), ids=str)
def test_sections_follow_the_ico_checklist_order(name: str) -> None:
    outline = _outline(_render(name))
    h2 = [text for tag, text in outline.headings if tag == "h2" and text != "Contents"]
    expected = CHARTER_ORDER if name == "charter.json" else AGREEMENT_ORDER
    if name in WITH_OTHER_TERMS:  # members the templates do not lay out yet
        expected = [*AGREEMENT_ORDER[:-1], "11. Other terms", "12. Endorsement"]
    assert h2 == expected
    assert [tag for tag, _ in outline.headings].count("h1") == 1


@pytest.mark.parametrize("name", examples(), ids=str)
def test_the_markdown_has_the_same_sections(name: str) -> None:
    text = _render(name, "markdown").decode("utf-8")
    h2 = re.findall(r"^## (\d+\. .+)$", text, flags=re.MULTILINE)
    outline = _outline(_render(name))
    assert h2 == [t for tag, t in outline.headings if tag == "h2" and t != "Contents"]


def test_parties_show_organisation_names_capacities_and_roles() -> None:
    html = _render("early-help-families.json").decode("utf-8")
    assert "Worcestershire County Council</th><td>childrens services</td><td>Controller" in html
    assert "West Mercia Police</th><td>the whole organisation</td>" in html


def test_legal_bases_are_explained_and_linked_to_legislation() -> None:
    html = _render("early-help-families.json").decode("utf-8")
    assert 'href="https://www.legislation.gov.uk/eur/2016/679/article/6"' in html
    assert 'href="https://www.legislation.gov.uk/ukpga/2004/31/section/11"' in html
    assert 'href="https://www.legislation.gov.uk/ukpga/2018/12/schedule/1/paragraph/18"' in html
    assert "needed to perform a task in the public interest" in html
    markdown = _render("early-help-families.json", "markdown").decode("utf-8")
    assert "(<https://www.legislation.gov.uk/ukpga/2004/31/section/11>)" in markdown


def test_every_builtin_basis_has_plain_words_and_every_known_act_a_link() -> None:
    for entry in builtin_catalogue():
        explained = explain(entry)
        assert explained.plain.endswith(".")
        assert explained.citation == entry.citation
        if entry.basis.type == "statutory-gateway":
            assert explained.url is not None
            assert "/all?title=" not in explained.url, f"{entry.id}: add its act to ACTS"
    assert all(re.fullmatch(r"ukpga/\d{4}/\d+", v) for v in ACTS.values())


def test_an_act_the_table_does_not_know_links_to_a_search() -> None:
    from woda_sharing._legal import CatalogueEntry, StatutoryGateway

    entry = CatalogueEntry(
        id="x",
        title="Made up",
        citation="Made Up Act 2099 s.1",
        basis=StatutoryGateway(act="Made Up Act 2099", section="1", nature="power"),
    )
    assert explain(entry).url == "https://www.legislation.gov.uk/all?title=Made%20Up%20Act%202099"


def test_a_cited_basis_no_catalogue_has_is_named_not_hidden() -> None:
    document = load("early-help-families.json")
    document["flows"][0]["bases"].append("no-such-basis")
    html = render(document, charter=charter(), at=AT).decode("utf-8")
    assert "no-such-basis" in html
    assert "Not in the legal-basis catalogue" in html


def test_the_agreements_own_legal_bases_are_explained() -> None:
    html = _render("fire-safety-home-visits.json").decode("utf-8")
    assert 'href="https://www.legislation.gov.uk/ukpga/2014/23/section/2"' in html


# ----------------------------------------------------------------- escaping


@pytest.mark.parametrize("name", ["charter.json", "early-help-families.json"], ids=str)
def test_hostile_text_never_becomes_markup_in_html(name: str) -> None:
    document = hostile(load(name))
    html = render(document, charter=charter() if name != "charter.json" else None, at=AT).decode(
        "utf-8"
    )
    outline = _outline(html.encode("utf-8"))
    # The only script element is the embedded JSON, and no <img> element exists.
    assert outline.scripts == [{"type": "application/json", "id": "woda-signed-document"}]
    assert "img" not in outline.tags
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    # Inside the embedded JSON, < > & are escaped, so it cannot close its element.
    embedded = html.split('id="woda-signed-document">', 1)[1].split("</script>", 1)[0]
    assert "<" not in embedded
    assert ">" not in embedded


@pytest.mark.parametrize("name", ["charter.json", "early-help-families.json"], ids=str)
def test_hostile_text_never_becomes_markup_in_markdown(name: str) -> None:
    document = hostile(load(name))
    text = render(
        document,
        format="markdown",
        charter=charter() if name != "charter.json" else None,
        at=AT,
    ).decode("utf-8")
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)
    outline = _outline(html.encode("utf-8"))
    assert "script" not in outline.tags
    assert "img" not in outline.tags
    assert 'href="javascript' not in html
    assert "<em>bold</em>" not in html
    # The hostile text is still there, as text.
    assert "&lt;script&gt;" in html


def test_a_pipe_cannot_add_a_table_cell_in_markdown() -> None:
    document = load("early-help-families.json")
    document["items"][0]["title"] = "a | b | c"
    text = render(document, format="markdown", charter=charter(), at=AT).decode("utf-8")
    html = MarkdownIt("commonmark").enable("table").render(text)
    row = next(r for r in html.split("<tr>") if "<td>a | b | c (" in r)
    assert row.count("<td>") == 5  # item, about, children, special category, kept for


def test_markdown_escaping_helpers() -> None:
    assert md_escape(None) == ""
    assert md_escape("a\nb  c") == "a b c"
    assert md_escape("<b>*x*</b>") == r"\<b\>\*x\*\</b\>"
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"
    assert code("x|y") == r"`x\|y`"


def test_css_strings_cannot_close_the_string_or_the_style_element() -> None:
    value = css_string('x"; } </style><script>alert(1)</script> \\')
    assert value.count('"') == 2
    assert "<" not in value
    assert ">" not in value
    assert "}" not in value
    assert css_string("sha256:ab-1 version 2") == '"sha256:ab-1 version 2"'


# ----------------------------------------------------------------- panel


def test_the_panel_shows_verified_endorsements_against_the_keyring() -> None:
    html = _render("charter.json", keyring=keyring()).decode("utf-8")
    assert "<strong>Endorsed.</strong>" in html
    assert "worcestershire-example-keyring" in html
    assert "2026-12-01 09:30 UTC" in html
    assert html.count('class="status-ok">Verified') == 12
    assert "Senior Information Risk Owner" in html


def test_the_panel_lists_who_is_pending() -> None:
    html = _render(PARTIAL, keyring=keyring()).decode("utf-8")
    assert "Not fully endorsed" in html
    assert "Pending" in html
    assert "the endorsement rule is not met" in html


def test_without_a_keyring_the_panel_says_nothing_was_verified() -> None:
    html = _render("charter.json").decode("utf-8")
    assert "Endorsements not verified" in html
    assert "Verified" not in html.replace("not verified", "")
    assert html.count("Not checked") == 12


def test_the_panel_is_verified_at_the_time_given() -> None:
    before = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    html = _render("charter.json", keyring=keyring(), at=before).decode("utf-8")
    assert "Not fully endorsed" in html
    assert "signed-in-future" in html


def test_a_changed_document_fails_its_endorsements_in_the_panel() -> None:
    document = load("charter.json")
    document["title"] = "Another title"
    html = render(document, keyring=keyring(), at=AT).decode("utf-8")
    assert "document-changed" in html
    assert "Not fully endorsed" in html


# ----------------------------------------------------------------- annex and options


def test_findings_are_an_annex_when_asked() -> None:
    document = load("early-help-families.json")
    document["flows"][0]["to"] = "nobody"
    html = render(document, charter=charter(), at=AT, findings=True).decode("utf-8")
    assert "Annex: validation findings" in html
    assert "WS101" in html
    assert "/flows/0/to" in html
    noted = _render("early-help-families.json", findings=True).decode("utf-8")
    assert "WS402" in noted  # the dual hatter's note
    clean = _render("charter.json", findings=True).decode("utf-8")
    assert "found nothing to report" in clean
    assert "Annex: validation findings" not in _render("early-help-families.json").decode()


def test_rendering_is_deterministic() -> None:
    assert _render("early-help-families.json") == _render("early-help-families.json")


def test_the_default_time_is_now_to_the_second() -> None:
    html = render(load("charter.json")).decode("utf-8")
    now = dt.datetime.now(dt.UTC)
    assert now.strftime("%Y-%m-%d") in html


def test_an_agreement_renders_without_its_charter() -> None:
    html = render(load("early-help-families.json"), at=AT).decode("utf-8")
    assert "worcestershire-county-council" in html
    assert "the charter was not given" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda d: ["not", "a", "mapping"], "JSON object", id="not-a-mapping"),
        pytest.param(
            lambda d: {**d, "kind": "keyring"}, "only a charter or an agreement", id="kind"
        ),
        pytest.param(lambda d: {**d, "version": 1.0}, "no canonical form", id="float"),
        pytest.param(lambda d: {**d, "parties": "x"}, "cannot be rendered", id="structure"),
    ],
)
def test_documents_that_cannot_render_raise_render_error(change: Any, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        render(change(load("early-help-families.json")), at=AT)


def test_bad_options_raise_render_error() -> None:
    document = load("charter.json")
    with pytest.raises(RenderError, match="unknown format 'odt'"):
        render(document, format="odt", at=AT)
    with pytest.raises(RenderError, match="timezone-aware"):
        render(document, at=dt.datetime(2026, 1, 1))
    with pytest.raises(RenderError, match="keyring cannot be used"):
        render(document, keyring={"kind": "keyring"}, at=AT)
    with pytest.raises(RenderError, match="the charter given is an agreement"):
        render(load("early-help-families.json"), charter=load(PARTIAL), at=AT)
    with pytest.raises(RenderError, match="the charter is a JSON object"):
        render(load("early-help-families.json"), charter=[], at=AT)  # type: ignore[arg-type]


def test_a_legal_basis_redefined_differently_cannot_be_explained() -> None:
    document = load("fire-safety-home-visits.json")
    document["legal_bases"] = [
        {
            "id": "uk-gdpr-art-6-1-e",
            "title": "Redefined",
            "citation": "x",
            "basis": {"type": "uk-gdpr-art6", "point": "a"},
        }
    ]
    with pytest.raises(RenderError, match="cannot be explained"):
        render(document, charter=charter(), at=AT)


def test_format_names() -> None:
    assert Format.of("markdown") is Format.MARKDOWN
    assert Format.of(Format.PDF) is Format.PDF
    assert [f.suffix for f in Format] == [".html", ".pdf", ".md", ".docx"]


def test_importing_woda_sharing_does_not_import_the_rendering_stack() -> None:
    import subprocess
    import sys

    code_ = (
        "import sys, woda_sharing; "
        "bad = [m for m in ('jinja2', 'playwright', 'pikepdf', 'markupsafe', 'woda_sharing.render') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", code_], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_copy_renders_the_same() -> None:
    document = load("charter.json")
    assert render(copy.deepcopy(document), at=AT) == render(document, at=AT)


_ = HOSTILE


def test_an_unsigned_document_without_keyring_shows_everyone_pending() -> None:
    document = load("early-help-families.json")
    document["endorsements"] = []
    html = render(document, charter=charter(), at=AT).decode("utf-8")
    assert html.count(">Pending<") == 3  # the three party organisations
    assert "Endorsements not verified" in html
    charter_html = render({**load("charter.json"), "endorsements": []}, at=AT).decode()
    assert charter_html.count(">Pending<") == 12


def test_a_threshold_rule_is_described() -> None:
    document = load("charter.json")
    document["endorsement"] = {"rule": "threshold", "threshold": 7, "roles": ["siro"]}
    html = render(document, at=AT).decode("utf-8")
    assert "At least 7 distinct members endorse this charter" in html


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda s: s.strip())


def _tag_counts(html: bytes) -> dict[str, int]:
    outline = _outline(html)
    return {tag: outline.tags.count(tag) for tag in set(outline.tags)}


@settings(max_examples=40)
@given(title=_TEXT, item=_TEXT, contact=_TEXT)
def test_no_text_in_a_document_changes_the_markup(title: str, item: str, contact: str) -> None:
    document = load("early-help-families.json")
    plain = _tag_counts(render(document, charter=charter(), at=AT))
    document["title"] = title
    document["items"][0]["title"] = item
    document["rights"]["contact"] = contact
    html = render(document, charter=charter(), at=AT)
    assert _tag_counts(html) == plain
    text = render(document, format="markdown", charter=charter(), at=AT).decode("utf-8")
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered.replace('<a href="https://www.legislation.gov.uk/', "")


@pytest.mark.parametrize(
    ("basis", "words", "url"),
    [
        pytest.param(
            "Art6Basis(point=Art6Point.RECOGNISED_LEGITIMATE_INTERESTS, annex_1_paragraph=3)",
            "recognised legitimate interest",
            "https://www.legislation.gov.uk/eur/2016/679/article/6",
            id="art6-ea",
        ),
        pytest.param(
            "FurtherProcessing(condition='safeguarding')",
            "compatible with the original one (safeguarding)",
            "https://www.legislation.gov.uk/eur/2016/679/article/8A",
            id="art8a",
        ),
        pytest.param(
            "InternationalLawCondition(paragraph=1)",
            "Schedule A1",
            "https://www.legislation.gov.uk/ukpga/2018/12/schedule/A1/paragraph/1",
            id="schedule-a1",
        ),
        pytest.param(
            "Schedule2Exemption(part=1, paragraph=2)",
            "It is not a lawful basis",
            "https://www.legislation.gov.uk/ukpga/2018/12/schedule/2/paragraph/2",
            id="schedule-2",
        ),
        pytest.param(
            "CommonLawPower(power='police-policing-purpose')",
            "policing purpose",
            None,
            id="common-law-power",
        ),
        pytest.param(
            "StatutoryGateway(act='Children Act 1989', section='47', nature='function')",
            "function that implies sharing",
            "https://www.legislation.gov.uk/ukpga/1989/41/section/47",
            id="gateway-function",
        ),
        pytest.param(
            "LawEnforcementBasis(ground='consent')",
            "with the person's consent",
            "https://www.legislation.gov.uk/ukpga/2018/12/section/35",
            id="part-3-consent",
        ),
        pytest.param(
            "Art10Basis(authority='authorised-by-law')",
            "authorised by law",
            "https://www.legislation.gov.uk/eur/2016/679/article/10",
            id="art10",
        ),
    ],
)
def test_each_kind_of_basis_is_explained(basis: str, words: str, url: str | None) -> None:
    from woda_sharing import _legal as legal

    made = eval(basis, vars(legal))  # noqa: S307 - test table of constructor calls
    entry = legal.CatalogueEntry(id="x", title="A title", citation="A citation", basis=made)
    explained = explain(entry)
    assert words in explained.plain
    assert explained.url == url


def test_an_entry_url_wins_over_the_built_link() -> None:
    from woda_sharing import _legal as legal

    entry = legal.CatalogueEntry(
        id="x",
        title="t",
        citation="c",
        basis=legal.CommonLawPower(power="police-policing-purpose"),
        url="https://www.legislation.gov.uk/example",
    )
    assert explain(entry).url == "https://www.legislation.gov.uk/example"
