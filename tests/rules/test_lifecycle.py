from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.rules._support import Case, Doc, E, Mutation, W, add_item, bases, check, parametrize


def _set(**values: Any) -> Mutation:
    """Set top-level agreement members (``None`` deletes one)."""

    def mutate(c: Doc, a: Doc) -> None:
        for key, value in values.items():
            if value is None:
                a.pop(key, None)
            else:
                a[key] = value

    return mutate


def _charter_controls(*controls: str, then: Mutation | None = None) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["controls"] = list(controls)
        if then is not None:
            then(c, a)

    return mutate


def _item_retention(c: Doc, a: Doc) -> None:
    del a["retention"]
    for item in a["items"]:
        item["retention"] = {"months": 12, "deletion": "secure-deletion"}


def _one_item_retention(c: Doc, a: Doc) -> None:
    del a["retention"]
    a["items"][1]["retention"] = {"months": 12, "deletion": "secure-deletion"}


def _anonymised_without_retention(c: Doc, a: Doc) -> None:
    del a["retention"]
    for item in a["items"]:
        item["category"] = "aggregate"
    bases(a)


def _health(c: Doc, a: Doc) -> None:
    add_item(a, "extra", "special-category", special="health")
    bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2")


def _genetic(c: Doc, a: Doc) -> None:
    add_item(a, "extra", "special-category", special="genetic")
    bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2")


def _no_dpia_and(then: Mutation) -> Mutation:
    return _charter_controls("retention", "review", then=lambda c, a: (a.pop("dpia"), then(c, a)))


def _children(c: Doc, a: Doc) -> None:
    a["items"][0]["children"] = True


def _large_scale_matching(c: Doc, a: Doc) -> None:
    a["large_scale"] = True
    a["flows"][0]["data_matching"] = True


def _large_scale_criminal(c: Doc, a: Doc) -> None:
    a["large_scale"] = True
    add_item(a, "extra", "criminal-offence")
    bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-10-official-authority")


def _large_scale_only(c: Doc, a: Doc) -> None:
    a["large_scale"] = True


def _health_unencrypted(c: Doc, a: Doc) -> None:
    _health(c, a)
    a["flows"][0]["security"] = []


def _health_encrypted_by_agreement(c: Doc, a: Doc) -> None:
    _health_unencrypted(c, a)
    a["security"].append("encryption-in-transit")


def _personal_unencrypted(c: Doc, a: Doc) -> None:
    del a["flows"][0]["security"]


_BREACH_5_WORKING_DAYS = {
    "notify_within": {"amount": 5, "unit": "working-days"},
    "contact": "ig@example.invalid",
}


def _inherit_all(c: Doc, a: Doc) -> None:
    """Move every tier-1 term from the agreement into the charter's defaults."""
    c["defaults"] = {
        name: a.pop(name)
        for name in ("security", "retention", "breach", "rights", "transparency", "termination")
    }


REVIEW_OK = "2025-06-01"  # 12 months after EXAMPLE_TODAY

CASES = [
    # WS301 retention
    Case(id="agreement-retention", code="WS301"),
    Case(id="item-retention", code="WS301", mutate=_item_retention),
    Case(id="not-personal-data", code="WS301", mutate=_anonymised_without_retention),
    Case(
        id="inherited-from-charter",
        code="WS301",
        mutate=lambda c, a: (
            c.update(defaults={"retention": {"months": 24, "deletion": "secure-deletion"}}),
            a.pop("retention"),
        ),
    ),
    Case(
        id="charter-defaults-without-retention",
        code="WS301",
        mutate=lambda c, a: (c.update(defaults={"security": ["dspt"]}), a.pop("retention")),
        expected=((E, "/items/0/retention"), (E, "/items/1/retention")),
    ),
    Case(
        id="event-based",
        code="WS301",
        mutate=_set(
            retention={"months": 24, "after": "case closure", "deletion": "secure-deletion"}
        ),
    ),
    Case(
        id="until-an-event",
        code="WS301",
        mutate=_set(retention={"until": "the end of the study", "deletion": "anonymise"}),
    ),
    Case(
        id="none",
        code="WS301",
        mutate=_set(retention=None),
        expected=((E, "/items/0/retention"), (E, "/items/1/retention")),
    ),
    Case(
        id="one-item",
        code="WS301",
        mutate=_one_item_retention,
        expected=((E, "/items/0/retention"),),
    ),
    # WS302-WS304 review
    Case(id="present", code="WS302"),
    Case(id="missing", code="WS302", mutate=_set(review=None), expected=((E, "/review"),)),
    Case(id="today", code="WS303", mutate=_set(review="2024-06-01")),
    Case(
        id="yesterday", code="WS303", mutate=_set(review="2024-05-31"), expected=((E, "/review"),)
    ),
    Case(id="at-interval", code="WS304", mutate=_set(review=REVIEW_OK)),
    Case(
        id="beyond-interval",
        code="WS304",
        mutate=_set(review="2025-06-02"),
        expected=((E, "/review"),),
    ),
    Case(
        id="beyond-interval-without-charter",
        code="WS304",
        mutate=_set(review="2030-01-01"),
        with_charter=False,
    ),
    Case(
        id="month-end-clamped",
        code="WS304",
        mutate=_charter_controls(
            "review",
            then=lambda c, a: (c.update(review_interval_months=1), a.update(start="2024-01-31")),
        ),
        today=dt.date(2024, 1, 31),
        expected=((E, "/review"),),
        message="latest 2024-02-29",
    ),
    Case(
        id="month-end-within",
        code="WS304",
        mutate=lambda c, a: (
            c.update(review_interval_months=1),
            a.update(start="2024-01-31", review="2024-02-29"),
        ),
        today=dt.date(2024, 1, 31),
    ),
    Case(
        id="anchored-on-last-review",
        code="WS304",
        mutate=_set(last_reviewed="2024-03-01", review="2025-03-01"),
    ),
    Case(
        id="beyond-last-review",
        code="WS304",
        mutate=_set(last_reviewed="2024-03-01", review="2025-03-02"),
        expected=((E, "/review"),),
        message="after the last review (2024-03-01)",
    ),
    Case(
        id="anchored-on-a-future-start",
        code="WS304",
        mutate=_set(start="2024-09-01", review="2025-09-01"),
    ),
    Case(
        id="beyond-a-future-start",
        code="WS304",
        mutate=_set(start="2024-09-01", review="2025-09-02"),
        expected=((E, "/review"),),
        message="after the start (2024-09-01)",
    ),
    # WS315 the agreement's own review cycle
    Case(id="no-cycle", code="WS315"),
    Case(
        id="first-review-within",
        code="WS315",
        mutate=_set(review_cycle={"first_months": 6, "then_months": 12}, review="2024-08-01"),
    ),
    Case(
        id="first-review-beyond",
        code="WS315",
        mutate=_set(review_cycle={"first_months": 6, "then_months": 12}, review="2024-08-02"),
        expected=((E, "/review"),),
        message="6 months after the start",
    ),
    Case(
        id="then-annually",
        code="WS315",
        mutate=_set(
            review_cycle={"first_months": 6, "then_months": 12},
            last_reviewed="2024-05-01",
            review="2025-05-01",
        ),
    ),
    Case(
        id="then-beyond",
        code="WS315",
        mutate=_set(
            review_cycle={"then_months": 3}, last_reviewed="2024-05-01", review="2024-08-02"
        ),
        expected=((E, "/review"),),
        message="3 months after the last review",
    ),
    # WS316 last review
    Case(id="last-review-past", code="WS316", mutate=_set(last_reviewed="2024-05-31")),
    Case(
        id="last-review-in-the-future",
        code="WS316",
        mutate=_set(last_reviewed="2024-06-02"),
        expected=((E, "/last_reviewed"),),
    ),
    Case(
        id="next-review-not-after-last",
        code="WS316",
        mutate=_set(last_reviewed="2024-05-31", review="2024-05-31"),
        expected=((E, "/review"),),
        also=frozenset({"WS303"}),
    ),
    # WS305 / WS306 dates
    Case(id="no-end", code="WS305"),
    Case(id="end-after-start", code="WS305", mutate=_set(end="2024-12-31")),
    Case(
        id="end-before-start", code="WS305", mutate=_set(end="2024-01-31"), expected=((E, "/end"),)
    ),
    Case(id="ends-today", code="WS306", mutate=_set(end="2024-06-01")),
    Case(id="ended", code="WS306", mutate=_set(end="2024-05-31"), expected=((W, "/end"),)),
    # WS307 DPIA
    Case(id="present", code="WS307"),
    Case(id="not-required", code="WS307", mutate=_no_dpia_and(lambda c, a: None)),
    Case(id="large-scale-without-matching", code="WS307", mutate=_no_dpia_and(_large_scale_only)),
    Case(
        id="charter-requires",
        code="WS307",
        mutate=_set(dpia=None),
        expected=((E, "/dpia"),),
        message="the charter requires a DPIA",
    ),
    Case(
        id="special-category-recommended",
        code="WS307",
        mutate=_no_dpia_and(_health),
        expected=((W, "/dpia"),),
        message="recommended: special category",
    ),
    Case(
        id="children-recommended",
        code="WS307",
        mutate=_no_dpia_and(_children),
        expected=((W, "/dpia"),),
        message="children",
    ),
    Case(
        id="children-without-charter",
        code="WS307",
        mutate=_no_dpia_and(_children),
        with_charter=False,
        expected=((W, "/dpia"),),
    ),
    Case(
        id="large-scale-special-category",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: (_health(c, a), a.update(large_scale=True))),
        expected=((E, "/dpia"),),
        message="required: large-scale special category or criminal offence data",
    ),
    Case(
        id="large-scale-criminal-offence",
        code="WS307",
        mutate=_no_dpia_and(_large_scale_criminal),
        expected=((E, "/dpia"),),
        message="large-scale special category or criminal offence data",
    ),
    Case(
        id="matching-at-any-scale",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: a["flows"][0].update(data_matching=True)),
        expected=((E, "/dpia"),),
        message="data matching",
    ),
    Case(
        id="large-scale-matching",
        code="WS307",
        mutate=_no_dpia_and(_large_scale_matching),
        expected=((E, "/dpia"),),
        message="data matching",
    ),
    # The ICO's Article 35(4) list: genetic data, and decisions that deny a service
    Case(
        id="genetic-data",
        code="WS307",
        mutate=_no_dpia_and(_genetic),
        expected=((E, "/dpia"),),
        message="required: genetic data",
    ),
    Case(
        id="access-decisions-on-special-category-data",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: (_health(c, a), a.update(access_decisions=True))),
        expected=((E, "/dpia"),),
        message="decisions about access to a service",
    ),
    Case(
        id="access-decisions-on-automated-evaluation",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: a.update(access_decisions=True, automated_decisions=True)),
        expected=((E, "/dpia"),),
    ),
    Case(
        id="access-decisions-on-personal-data",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: a.update(access_decisions=True)),
    ),
    # Article 35(3)(a) and (c)
    Case(
        id="automated-decisions",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: a.update(automated_decisions=True)),
        expected=((E, "/dpia"),),
        message="Article 35(3)(a)",
    ),
    Case(
        id="public-monitoring",
        code="WS307",
        mutate=_no_dpia_and(lambda c, a: a.update(public_monitoring=True)),
        expected=((E, "/dpia"),),
        message="Article 35(3)(c)",
    ),
    # WS308 charter controls
    Case(id="all-present", code="WS308"),
    Case(
        id="not-required",
        code="WS308",
        mutate=_charter_controls("dpia", then=_set(rights=None, security=[])),
    ),
    Case(id="rights", code="WS308", mutate=_set(rights=None), expected=((E, "/rights"),)),
    Case(id="security-empty", code="WS308", mutate=_set(security=[]), expected=((E, "/security"),)),
    Case(
        id="inherited",
        code="WS308",
        mutate=_inherit_all,
    ),
    Case(
        id="overridden-and-inherited",
        code="WS308",
        mutate=lambda c, a: (_inherit_all(c, a), a.update(breach=_BREACH_5_WORKING_DAYS)),
    ),
    Case(
        id="defaults-without-rights",
        code="WS308",
        mutate=lambda c, a: (_inherit_all(c, a), c["defaults"].pop("rights")),
        expected=((E, "/rights"),),
        message="neither the agreement nor the charter's defaults",
    ),
    Case(
        id="three-missing",
        code="WS308",
        mutate=_set(transparency=None, breach=None, termination=None),
        expected=((E, "/breach"), (E, "/termination"), (E, "/transparency")),
    ),
    # WS309 DPIA timing
    Case(
        id="on-start-day",
        code="WS309",
        mutate=_set(dpia={"reference": "D-1", "completed": "2024-02-01"}),
    ),
    Case(
        id="after-start",
        code="WS309",
        mutate=_set(dpia={"reference": "D-1", "completed": "2024-02-02"}),
        expected=((W, "/dpia/completed"),),
    ),
    # WS310 charter effective date
    Case(id="on-effective-day", code="WS310", mutate=_set(start="2024-01-01")),
    Case(
        id="before-effective",
        code="WS310",
        mutate=_set(start="2023-12-31"),
        expected=((W, "/start"),),
    ),
    # WS311 encryption of sensitive data
    Case(id="flow-encrypted", code="WS311", mutate=_health),
    Case(id="agreement-encrypted", code="WS311", mutate=_health_encrypted_by_agreement),
    Case(id="not-sensitive", code="WS311", mutate=_personal_unencrypted),
    Case(
        id="unencrypted",
        code="WS311",
        mutate=_health_unencrypted,
        expected=((W, "/flows/0/security"),),
    ),
    Case(
        id="encrypted-by-charter-defaults",
        code="WS311",
        mutate=lambda c, a: (
            _health_unencrypted(c, a),
            a.pop("security"),
            c.update(defaults={"security": ["encryption-in-transit", "access-control"]}),
        ),
    ),
    Case(
        id="charter-defaults-unencrypted",
        code="WS311",
        mutate=lambda c, a: (
            _health_unencrypted(c, a),
            a.pop("security"),
            c.update(defaults={"security": ["access-control"]}),
        ),
        expected=((W, "/flows/0/security"),),
        message="inherited from charter 'test-charter' at /defaults/security",
    ),
    Case(
        id="agreement-overrides-encrypted-defaults",
        code="WS311",
        mutate=lambda c, a: (
            _health_unencrypted(c, a),
            c.update(defaults={"security": ["encryption-in-transit"]}),
        ),
        expected=((W, "/flows/0/security"),),
        message="set by the agreement at /security",
    ),
    # WS314 view-only retention
    Case(
        id="view-only-through-a-shared-system",
        code="WS314",
        mutate=lambda c, a: (
            a.update(retention={"view_only": True}),
            a["flows"][0].update(method="shared-system"),
        ),
    ),
    Case(
        id="copy-with-own-retention",
        code="WS314",
        mutate=lambda c, a: (
            a.update(retention={"view_only": True}),
            [i.update(retention={"months": 6, "deletion": "secure-deletion"}) for i in a["items"]],
        ),
    ),
    Case(
        id="view-only-sent-by-email",
        code="WS314",
        mutate=_set(retention={"view_only": True}),
        expected=((W, "/flows/0/method"), (W, "/flows/0/method")),
        message="set by the agreement at /retention",
    ),
    Case(
        id="inherited-view-only-sent-by-email",
        code="WS314",
        mutate=lambda c, a: (
            c.update(defaults={"retention": {"view_only": True}}),
            a.pop("retention"),
            a["items"][0].update(retention={"months": 6, "deletion": "secure-deletion"}),
        ),
        expected=((W, "/flows/0/method"),),
        message="inherited from charter 'test-charter' at /defaults/retention",
    ),
]


@parametrize(CASES)
def test_lifecycle_rules(case: Case) -> None:
    check(case)


@pytest.mark.parametrize(
    "dates",
    [
        {"last_reviewed": "9999-12-01", "review": "9999-12-31"},
        {
            "start": "9999-12-01",
            "review": "9999-12-31",
            "review_cycle": {"first_months": 6, "then_months": 12},
        },
    ],
    ids=["last-review-at-the-calendar-end", "cycle-from-a-start-at-the-calendar-end"],
)
def test_review_rules_at_the_end_of_the_calendar_report_instead_of_raising(
    dates: dict[str, object],
) -> None:
    from woda_sharing import _canonical as canonical
    from woda_sharing._validation import validate
    from woda_sharing.testing import example_agreement, example_charter

    charter = example_charter()
    agreement = {**example_agreement(charter), **dates}
    agreement["charter"]["digest"] = canonical.digest(charter)
    report = validate(agreement, charter=charter, today=dt.date(2026, 12, 3))
    assert "WS304" not in report.codes()
    assert "WS315" not in report.codes()
