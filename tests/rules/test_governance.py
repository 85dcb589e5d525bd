"""Breach terms and routing, change history and approval status (WS312, WS313, WS317, WS318, WS606)."""

from __future__ import annotations

from typing import Any

from tests.rules._support import Case, Doc, E, Mutation, W, check, parametrize


def _breach(**values: Any) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        a["breach"] = {"contact": "ig@example.invalid", **values}

    return mutate


def _within(amount: int, unit: str) -> Mutation:
    return _breach(notify_within={"amount": amount, "unit": unit})


def _routed(organisation: str, role: str, *, contact_on: str | None = None) -> Mutation:
    """Route the breach notice to *role* at *organisation*; record the contact on the member or party."""

    def mutate(c: Doc, a: Doc) -> None:
        a["breach"]["notify"] = [{"organisation": organisation, "role": role}]
        contact = {"role": role, "post": "Data Protection Officer", "email": "dpo@example.invalid"}
        if contact_on == "member":
            c["members"][0]["contacts"] = [contact]
        elif contact_on == "party":
            a["parties"][0]["contacts"] = [contact]

    return mutate


def _inherited_routing(c: Doc, a: Doc) -> None:
    c["defaults"] = {"breach": a.pop("breach")}
    c["defaults"]["breach"]["notify"] = [{"organisation": "county-council", "role": "dpo"}]


HISTORY = [
    {"version": 1, "date": "2024-01-10", "summary": "First version.", "approved_by": "IG Board"},
]


def _history(*entries: Doc, version: int = 1) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        a["history"] = list(entries)
        a["version"] = version

    return mutate


def _entry(version: int, date: str) -> Doc:
    return {"version": version, "date": date, "summary": "A change.", "approved_by": "IG Board"}


CASES = [
    # WS312 breach window
    Case(id="24-hours", code="WS312"),
    Case(id="one-working-day", code="WS312", mutate=_within(1, "working-days")),
    Case(id="three-days", code="WS312", mutate=_within(3, "days")),
    Case(
        id="two-working-days",
        code="WS312",
        mutate=_within(2, "working-days"),
        expected=((W, "/breach"),),
        message="up to 96 hours",
    ),
    Case(
        id="five-working-days",
        code="WS312",
        mutate=_within(5, "working-days"),
        expected=((W, "/breach"),),
        message="5 working days",
    ),
    Case(
        id="inherited-from-charter",
        code="WS312",
        mutate=lambda c, a: (
            a.pop("breach"),
            c.update(
                defaults={
                    "breach": {
                        "notify_within": {"amount": 4, "unit": "days"},
                        "contact": "ig@example.invalid",
                    }
                }
            ),
        ),
        expected=((W, "/breach"),),
        message="inherited from charter 'test-charter' at /defaults/breach",
    ),
    # WS313 breach routing
    Case(id="no-routing", code="WS313"),
    Case(
        id="member-contact",
        code="WS313",
        mutate=_routed("county-council", "dpo", contact_on="member"),
    ),
    Case(
        id="party-contact",
        code="WS313",
        mutate=_routed("county-council", "dpo", contact_on="party"),
    ),
    Case(
        id="not-a-member",
        code="WS313",
        mutate=_routed("parish-council", "dpo"),
        expected=((E, "/breach/notify/0"),),
    ),
    Case(
        id="no-such-contact",
        code="WS313",
        mutate=_routed("county-council", "ig-lead", contact_on=None),
        expected=((W, "/breach/notify/0"),),
    ),
    Case(
        id="inherited-no-such-contact",
        code="WS313",
        mutate=_inherited_routing,
        expected=((W, "/breach"),),
        message="inherited from charter",
    ),
    # WS317 change history
    Case(id="one-entry", code="WS317", mutate=_history(*HISTORY)),
    Case(
        id="two-entries",
        code="WS317",
        mutate=_history(*HISTORY, _entry(2, "2024-01-20"), version=2),
    ),
    Case(
        id="entry-after-version",
        code="WS317",
        mutate=_history(*HISTORY, _entry(2, "2024-01-20")),
        expected=((E, "/history/1/version"),),
    ),
    Case(
        id="out-of-order",
        code="WS317",
        mutate=_history(_entry(2, "2024-01-20"), *HISTORY, version=2),
        expected=((E, "/history/1/version"), (E, "/history/1/date")),
    ),
    # WS318 status
    Case(id="no-status", code="WS318"),
    Case(id="approved", code="WS318", mutate=lambda c, a: a.update(status="approved")),
    Case(
        id="draft",
        code="WS318",
        mutate=lambda c, a: a.update(status="draft"),
        expected=((W, "/status"),),
    ),
    Case(
        id="under-review",
        code="WS318",
        mutate=lambda c, a: a.update(status="under-review"),
        expected=((W, "/status"),),
        message="under review",
    ),
    # WS606 charter history
    Case(
        id="charter-history",
        code="WS606",
        kind="charter",
        mutate=lambda c, a: c.update(history=HISTORY),
    ),
    Case(
        id="charter-history-ahead",
        code="WS606",
        kind="charter",
        mutate=lambda c, a: c.update(history=[*HISTORY, _entry(3, "2024-02-01")]),
        expected=((E, "/history/1/version"),),
    ),
]


@parametrize(CASES)
def test_governance_rules(case: Case) -> None:
    check(case)
