"""The format's additions: what the schemas accept and refuse, and that both validators agree.

Each case mutates the small valid agreement (or charter) and says whether the
schema accepts it; a refused case must be WS010 at the pointer given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest

from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._model import Agreement, BreachNotice, ContactRole, Duration, Retention
from woda_sharing._terms import effective_terms
from woda_sharing._validation import validate
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]


def _item(**values: Any) -> Callable[[Doc], None]:
    return lambda a: a["items"][0].update(values)


def _retention(value: Doc) -> Callable[[Doc], None]:
    return lambda a: a.update(retention=value)


def _breach(value: Doc) -> Callable[[Doc], None]:
    return lambda a: a.update(breach={"contact": "ig@example.invalid", **value})


AGREEMENT_CASES: list[tuple[str, Callable[[Doc], None], str | None]] = [
    # categories
    ("one-category", _item(category="personal"), None),
    ("combined", _item(category=["pseudonymised", "criminal-offence"]), None),
    (
        "combined-special",
        _item(category=["special-category", "criminal-offence"], special_category="health"),
        None,
    ),
    (
        "combined-special-without-which",
        _item(category=["special-category", "personal"]),
        "/items/0",
    ),
    ("pseudonymised-special", _item(category="pseudonymised", special_category="health"), None),
    (
        "personal-with-special",
        _item(category="personal", special_category="health"),
        "/items/0/category",
    ),
    ("anonymised-combined", _item(category=["anonymised", "personal"]), "/items/0/category"),
    ("aggregate-alone-in-array", _item(category=["aggregate"]), None),
    ("empty-array", _item(category=[]), "/items/0/category"),
    ("repeated", _item(category=["personal", "personal"]), "/items/0/category"),
    ("unknown", _item(category=["personal", "secret"]), "/items/0/category"),
    # retention
    ("months", _retention({"months": 6, "deletion": "secure-deletion"}), None),
    (
        "after-an-event",
        _retention({"months": 24, "after": "case closure", "deletion": "anonymise"}),
        None,
    ),
    ("until", _retention({"until": "the end of the study", "deletion": "anonymise"}), None),
    ("view-only", _retention({"view_only": True}), None),
    (
        "view-only-with-deletion",
        _retention({"view_only": True, "deletion": "secure-deletion"}),
        "/retention",
    ),
    (
        "view-only-false",
        _retention({"view_only": False, "months": 1, "deletion": "anonymise"}),
        "/retention",
    ),
    (
        "months-and-until",
        _retention({"months": 1, "until": "x", "deletion": "anonymise"}),
        "/retention",
    ),
    (
        "after-without-months",
        _retention({"until": "x", "after": "y", "deletion": "anonymise"}),
        "/retention",
    ),
    ("months-without-deletion", _retention({"months": 1}), "/retention"),
    ("nothing", _retention({"deletion": "anonymise"}), "/retention"),
    # breach
    ("hours", _breach({"notify_within_hours": 72}), None),
    ("working-days", _breach({"notify_within": {"amount": 5, "unit": "working-days"}}), None),
    ("hours-over-72", _breach({"notify_within_hours": 73}), "/breach/notify_within_hours"),
    (
        "both-forms",
        _breach({"notify_within_hours": 1, "notify_within": {"amount": 1, "unit": "hours"}}),
        "/breach",
    ),
    ("neither-form", _breach({}), "/breach"),
    (
        "bad-unit",
        _breach({"notify_within": {"amount": 1, "unit": "weeks"}}),
        "/breach/notify_within/unit",
    ),
    # review history and waivers
    ("status", lambda a: a.update(status="under-review"), None),
    ("bad-status", lambda a: a.update(status="final"), "/status"),
    ("label", lambda a: a.update(label="v2.4"), None),
    ("long-label", lambda a: a.update(label="v" * 33), "/label"),
    ("cycle", lambda a: a.update(review_cycle={"then_months": 12}), None),
    ("cycle-without-then", lambda a: a.update(review_cycle={"first_months": 6}), "/review_cycle"),
    (
        "history-without-approver",
        lambda a: a.update(history=[{"version": 1, "date": "2024-01-01", "summary": "x"}]),
        "/history/0",
    ),
    (
        "waiver-bad-code",
        lambda a: a.update(
            waivers=[
                {
                    "code": "ws302",
                    "reason": "r",
                    "approved_by": "b",
                    "approved": "2024-01-01",
                    "expires": "2024-12-31",
                }
            ]
        ),
        "/waivers/0/code",
    ),
    (
        "waiver-without-expiry",
        lambda a: a.update(
            waivers=[{"code": "WS302", "reason": "r", "approved_by": "b", "approved": "2024-01-01"}]
        ),
        "/waivers/0",
    ),
    # contacts and subjects
    (
        "party-contact",
        lambda a: a["parties"][0].update(contacts=[{"role": "dpo", "post": "DPO"}]),
        None,
    ),
    (
        "contact-without-post",
        lambda a: a["parties"][0].update(contacts=[{"role": "dpo"}]),
        "/parties/0/contacts/0",
    ),
    ("subjects", lambda a: a.update(subjects=[{"id": "victims", "title": "Victims"}]), None),
    ("bad-subject-id", lambda a: a["items"][0].update(subjects=["Victims"]), "/items/0/subjects/0"),
]


@pytest.mark.parametrize(
    ("mutate", "refused_at"),
    [pytest.param(m, r, id=i) for i, m, r in AGREEMENT_CASES],
)
def test_agreement_additions(mutate: Callable[[Doc], None], refused_at: str | None) -> None:
    charter = example_charter()
    agreement = example_agreement(charter)
    mutate(agreement)
    compiled = jsonschema_rs.validator_for(
        schema.load_schema("agreement.schema.json"),
        retriever=lambda uri: schema.load_schema(uri.rsplit("/", 1)[-1]),
    )
    fast = schema.fast_is_valid("agreement", agreement)
    explained = list(schema.iter_schema_errors("agreement", agreement))
    assert fast is (not explained)
    assert compiled.is_valid(agreement) is fast
    report = validate(agreement, charter=charter, today=dt.date(2024, 6, 1))
    schema_findings = sorted({f.pointer for f in report.findings if f.code == "WS010"})
    if refused_at is None:
        assert fast, explained
        assert schema_findings == []
    else:
        assert not fast
        assert refused_at in schema_findings


def test_charter_defaults_and_member_contacts_are_accepted() -> None:
    charter = example_charter()
    agreement = example_agreement(charter)
    charter["defaults"] = {"security": agreement["security"], "breach": agreement["breach"]}
    charter["members"][0]["contacts"] = [{"role": "ig-lead", "post": "IG lead"}]
    charter["subjects"] = [{"id": "children", "title": "Children", "children": True}]
    assert schema.fast_is_valid("charter", charter)
    charter["defaults"]["review"] = "2025-01-01"
    assert not schema.fast_is_valid("charter", charter)


def test_new_members_round_trip_through_the_codec() -> None:
    agreement = example_agreement()
    agreement["items"][0]["category"] = ["pseudonymised", "criminal-offence"]
    agreement["retention"] = {"view_only": True}
    agreement["breach"] = {
        "notify_within": {"amount": 2, "unit": "working-days"},
        "contact": "ig@example.invalid",
        "notify": [{"organisation": "county-council", "role": "dpo"}],
    }
    agreement["waivers"] = [
        {
            "code": "WS312",
            "reason": "r",
            "approved_by": "b",
            "approved": "2024-01-01",
            "expires": "2024-12-31",
        }
    ]
    typed = codec.structure(agreement, Agreement)
    assert typed.retention == Retention(view_only=True)
    assert typed.breach is not None
    assert typed.breach.within == Duration(amount=2, unit="working-days")
    assert typed.breach.notify == (
        BreachNotice(organisation="county-council", role=ContactRole.DPO),
    )
    assert codec.unstructure(typed) == codec.unstructure(
        codec.structure(codec.unstructure(typed), Agreement)
    )
    wire = codec.unstructure(typed)
    assert wire["retention"] == {"view_only": True}
    assert wire["items"][0]["category"] == ["pseudonymised", "criminal-offence"]
    assert codec.structure_schema_valid(agreement, Agreement) == typed


@pytest.mark.parametrize(
    ("duration", "hours", "words"),
    [
        (Duration(amount=24, unit="hours"), 24, "24 hours"),
        (Duration(amount=1, unit="hours"), 1, "1 hour"),
        (Duration(amount=3, unit="days"), 72, "3 days"),
        (Duration(amount=1, unit="working-days"), 72, "1 working day"),
        (Duration(amount=5, unit="working-days"), 168, "5 working days"),
        (Duration(amount=6, unit="working-days"), 240, "6 working days"),
    ],
    ids=str,
)
def test_durations(duration: Duration, hours: int, words: str) -> None:
    assert duration.longest_hours == hours
    assert duration.describe() == words


@pytest.mark.parametrize(
    ("retention", "words"),
    [
        (Retention(months=6, deletion="anonymise"), "6 months"),
        (
            Retention(months=24, after="case closure", deletion="anonymise"),
            "24 months after case closure",
        ),
        (
            Retention(until="the end of the study", deletion="anonymise"),
            "until the end of the study",
        ),
        (Retention(view_only=True), "view only (the source system's schedule applies)"),
    ],
    ids=str,
)
def test_retention_in_words(retention: Retention, words: str) -> None:
    assert retention.describe() == words


def test_effective_terms_say_where_each_term_comes_from() -> None:
    charter_data = example_charter()
    agreement_data = example_agreement(charter_data)
    charter_data["defaults"] = {
        "retention": agreement_data.pop("retention"),
        "security": ["dspt"],
    }
    charter = validate(charter_data).document
    agreement = codec.structure(agreement_data, Agreement)
    terms = effective_terms(agreement, charter)  # type: ignore[arg-type]
    assert terms.retention is not None
    assert terms.retention.inherited
    assert terms.retention.origin == "inherited from charter 'test-charter' at /defaults/retention"
    assert terms.security is not None
    assert not terms.security.inherited
    assert terms.security.origin == "set by the agreement at /security"
    assert terms.measures == ("access-control", "audit-logging")
    alone = effective_terms(agreement)
    assert alone.retention is None
    assert alone.breach is not None
    assert alone.breach.source == "agreement"
