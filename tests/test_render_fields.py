"""The fields that landed after the first renderings, in every format: contacts, subject
categories, retention forms, review history, waivers, breach posts; and the "Other terms"
safety net for signed members a renderer does not know."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest

from tests._render_fixtures import AT, charter, load
from tests.test_render import _outline
from tests.test_render_docx import text_of
from woda_sharing.render import _view as view
from woda_sharing.render import render

FORMATS = ["html", "markdown", "docx"]


def _agreement() -> dict[str, Any]:
    document = copy.deepcopy(load("early-help-families.json"))
    document["endorsements"] = []
    document["parties"][0]["contacts"] = [
        {
            "role": "caldicott-guardian",
            "post": "Caldicott Guardian for childrens services",
            "name": "Alex Example",
            "email": "caldicott@example.invalid",
            "phone": "01905 000000",
        }
    ]
    document["parties"][3]["authorisation"] = "authorisation letter EXAMPLE-0042"
    document["subjects"] = [
        {"id": "children", "title": "Children in the family", "children": True},
        {
            "id": "parents",
            "title": "Parents and carers",
            "description": "Adults with parental responsibility",
        },
    ]
    document["items"][0]["subjects"] = ["children", "parents"]
    document["items"][0]["retention"] = {"until": "the end of the study", "deletion": "anonymise"}
    document["items"][1]["retention"] = {"view_only": True}
    document["items"][2]["retention"] = {
        "months": 24,
        "after": "case closure",
        "deletion": "return-to-sender",
    }
    document["items"][3]["category"] = ["special-category", "criminal-offence"]
    document["items"][3]["special_category"] = "health"
    document["flows"][0]["subjects"] = ["children"]
    document["flows"][0]["exemptions"] = ["dpa-2018-sch2-para2-crime"]
    document["label"] = "v1.4-draft"
    document["status"] = "under-review"
    document["last_reviewed"] = "2026-10-01"
    document["review_cycle"] = {"first_months": 6, "then_months": 12}
    document["history"] = [
        {
            "version": 1,
            "label": "v1.0",
            "date": "2026-01-15",
            "summary": "First version agreed.",
            "approved_by": "Early Help Partnership Board",
        }
    ]
    document["waivers"] = [
        {
            "code": "WS304",
            "pointer": "/review",
            "reason": "The board reviews this with the charter in March.",
            "approved_by": "Information Governance Group",
            "approved": "2026-09-01",
            "expires": "2027-03-31",
        },
        {
            "code": "WS402",
            "reason": "Accepted for the pilot.",
            "approved_by": "SIRO, Worcestershire County Council",
            "approved": "2026-09-01",
            "expires": "2027-01-31",
        },
    ]
    document["breach"] = {
        "contact": "information-governance@example.invalid",
        "notify_within": {"amount": 2, "unit": "working-days"},
        "notify": [{"organisation": "west-mercia-police", "role": "dpo"}],
    }
    return document


def _charter() -> dict[str, Any]:
    document = copy.deepcopy(charter())
    document["endorsements"] = []
    document["members"][0]["contacts"] = [
        {"role": "siro", "post": "Senior Information Risk Owner", "email": "siro@example.invalid"}
    ]
    document["members"][1]["sector"] = "probation"
    document["subjects"] = [
        {"id": "victims", "title": "Victims of crime", "description": "People harmed"}
    ]
    document["label"] = "2026 charter"
    document["status"] = "approved"
    document["last_reviewed"] = "2026-11-01"
    document["notice_days"] = 60
    document["published_fields"] = ["title", "parties"]
    document["history"] = [
        {"version": 1, "date": "2026-01-01", "summary": "Agreed.", "approved_by": "Cabinet"}
    ]
    document["waivers"] = [
        {
            "code": "WS130",
            "reason": "Member list being refreshed.",
            "approved_by": "Partnership board",
            "approved": "2026-02-01",
            "expires": "2026-12-31",
        }
    ]
    document["defaults"] = {
        "security": ["Encrypted at rest"],
        "retention": {"months": 36, "deletion": "secure-deletion"},
        "breach": {"contact": "ig@example.invalid", "notify_within_hours": 48},
    }
    return document


def _text(document: dict[str, Any], form: str, **kwargs: Any) -> str:
    extra: dict[str, Any] = {"at": AT, **kwargs}
    if document["kind"] == "agreement":
        extra["charter"] = charter()
    data = render(document, format=form, **extra)
    if form == "docx":
        return text_of(data)
    text = data.decode("utf-8")
    if form == "html":
        text = re.sub(r"<script.*?</script>|<style>.*?</style>", "", text, flags=re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    else:
        text = text.split("## Annex: the signed document")[0].replace("\\", "")
    return " ".join(text.split())


AGREEMENT_SHOWS = [
    "Caldicott Guardian for childrens services",
    "Alex Example",
    "caldicott@example.invalid",
    "01905 000000",
    "authorised by authorisation letter EXAMPLE-0042",
    "Children in the family",
    "Adults with parental responsibility",
    "until the end of the study, then anonymise",
    "view only (the source system's schedule applies)",
    "24 months after case closure, then return to sender",
    "Special category data and criminal offence data",
    "about: Children in the family",
    "exemptions relied on: dpa-2018-sch2-para2-crime",
    "v1.4-draft",
    "Under review",
    "2026-10-01",
    "first review 6 months after the start, then every 12 months",
    "First version agreed.",
    "Early Help Partnership Board",
    "v1.0",
    "WS304",
    "/review",
    "The board reviews this with the charter in March.",
    "Information Governance Group",
    "2027-03-31",
    "anywhere in the document",
    "within 2 working days",
    "Data Protection Officer, West Mercia Police",
]
CHARTER_SHOWS = [
    "Senior Information Risk Owner",
    "siro@example.invalid",
    "Probation",
    "Victims of crime",
    "People harmed",
    "2026 charter",
    "Approved",
    "2026-11-01",
    "60 days before a review or end date",
    "title, parties",
    "Agreed.",
    "Cabinet",
    "WS130",
    "Member list being refreshed.",
    "2026-12-31",
    "Encrypted at rest",
    "36 months, then secure deletion",
    "within 48 hours",
]


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("shown", AGREEMENT_SHOWS)
def test_an_agreement_shows_the_late_fields(form: str, shown: str, agreement_texts: Any) -> None:
    assert shown in agreement_texts[form]


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("shown", CHARTER_SHOWS)
def test_a_charter_shows_the_late_fields(form: str, shown: str, charter_texts: Any) -> None:
    assert shown in charter_texts[form]


@pytest.fixture(scope="module")
def agreement_texts() -> dict[str, str]:
    return {form: _text(_agreement(), form) for form in FORMATS}


@pytest.fixture(scope="module")
def charter_texts() -> dict[str, str]:
    return {form: _text(_charter(), form) for form in FORMATS}


def test_waivers_get_a_numbered_section_before_the_endorsement() -> None:
    outline = _outline(render(_agreement(), charter=charter(), at=AT))
    h2 = [t for tag, t in outline.headings if tag == "h2" and t != "Contents"]
    assert h2[-2:] == ["11. Accepted findings (waivers)", "12. Endorsement"]
    outline = _outline(render(_charter(), at=AT))
    h2 = [t for tag, t in outline.headings if tag == "h2" and t != "Contents"]
    assert h2[-2:] == ["8. Accepted findings (waivers)", "9. Endorsement"]


def test_an_item_of_several_categories_is_not_left_out() -> None:
    document = _agreement()
    groups = view.item_groups(
        tuple(
            i
            for i in __import__("woda_sharing._codec", fromlist=["x"])
            .structure(document, __import__("woda_sharing", fromlist=["Agreement"]).Agreement)
            .items
        )
    )
    shown = [i.id for g in groups for i in g.items]
    assert sorted(shown) == sorted(i["id"] for i in document["items"])
    assert groups[-1].category == "Special category data and criminal offence data"


@pytest.mark.parametrize("form", FORMATS)
def test_a_signed_member_no_section_lays_out_is_shown_under_other_terms(
    form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a renderer that predates "label" (and a flow's "method") would see this document.
    laid_out = dict(view.LAID_OUT)
    laid_out["agreement"] = laid_out["agreement"] - {"label"}
    laid_out["flows"] = laid_out["flows"] - {"method"}
    monkeypatch.setattr(view, "LAID_OUT", laid_out)
    text = _text(_agreement(), form)
    assert "Other terms" in text
    assert "Label: v1.4-draft" in text or "Label v1.4-draft" in text
    flow = _agreement()["flows"][0]
    assert f"flow {flow['id']}, method" in text


def test_other_terms_lists_unknown_members_in_document_order() -> None:
    document = {
        "kind": "agreement",
        "id": "a",
        "conditions": {"onward": False},
        "flows": [{"id": "f1", "from": "x", "conditions_of_use": ["no onward sharing"]}, "odd"],
        "parties": "not a list",
    }
    terms = view.other_terms(document)
    assert [(t.where, t.value) for t in terms] == [
        ("Conditions", '{"onward": false}'),
        ("flow f1, conditions of use", '["no onward sharing"]'),
    ]
    assert view.other_terms({"kind": "unknown", "x": 1}) == ()


def test_every_example_has_nothing_under_other_terms() -> None:
    for name in (
        "early-help-families.json",
        "charter.json",
        "adult-safeguarding-shared-care-record.json",
    ):
        assert view.other_terms(load(name)) == ()
    assert view.other_terms(_agreement()) == ()
    assert view.other_terms(_charter()) == ()


def test_labels_of_every_sector_contact_role_and_status() -> None:
    from woda_sharing._model import ContactRole, DocumentStatus, Sector

    assert all(view.sector_label(s) for s in Sector)
    assert set(view.CONTACT_ROLE_LABELS) == set(ContactRole)
    assert [view.status_label(s) for s in DocumentStatus] == ["Draft", "Under review", "Approved"]
    assert view.status_label(None) == ""
    assert view.retention_text(None) == ""
