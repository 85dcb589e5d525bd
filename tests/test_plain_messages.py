"""Schema findings in plain words (woda_sharing._plain): no regexes, suggestions, one finding per mistake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from woda_sharing import validate
from woda_sharing._plain import did_you_mean

Doc = dict[str, Any]


def _set(path: tuple[str | int, ...], value: object) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        for token in path[:-1]:
            target = target[token]
        target[path[-1]] = value

    return change


def _rename(path: tuple[str | int, ...], old: str, new: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        for token in path:
            target = target[token]
        target[new] = target.pop(old)

    return change


def _drop(path: tuple[str | int, ...], name: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        for token in path:
            target = target[token]
        del target[name]

    return change


CASES = [
    (
        "uk-date",
        _set(("review",), "01/04/2026"),
        "/review",
        "'01/04/2026' is not a YYYY-MM-DD date; did you mean 2026-04-01?",
        None,
    ),
    (
        "slashed-iso-date",
        _set(("review",), "2026/4/1"),
        "/review",
        "did you mean 2026-04-01?",
        None,
    ),
    (
        "impossible-date",
        _set(("review",), "31/02/2026"),
        "/review",
        "'31/02/2026' is not a YYYY-MM-DD date",
        None,
    ),
    (
        "unknown-member",
        _set(("review_date",), "2026-04-01"),
        "/review_date",
        "unknown member 'review_date'; did you mean 'review'?",
        "members allowed here: ",
    ),
    (
        "unknown-member-no-guess",
        _set(("colour",), "blue"),
        "/colour",
        "unknown member 'colour'",
        "members allowed here: ",
    ),
    (
        "us-spelling",
        _rename(("parties", 0), "organisation", "organization"),
        "/parties/0/organization",
        "unknown member 'organization'; did you mean 'organisation'?",
        "organisation",
    ),
    (
        "missing-required",
        _drop(("purposes", 0), "id"),
        "/purposes/0",
        "missing required member 'id'",
        "required here: id, needs",
    ),
    (
        "missing-at-the-top",
        _drop((), "parties"),
        "",
        "missing required member 'parties'",
        "required here: ",
    ),
    (
        "enum-case",
        _set(("flows", 0, "frequency"), "Weekly"),
        "/flows/0/frequency",
        "did you mean 'weekly'?",
        None,
    ),
    (
        "enum-typo",
        _set(("flows", 0, "frequency"), "weekley"),
        "/flows/0/frequency",
        "'weekley' is not one of: one-off, ad-hoc, daily, weekly",
        None,
    ),
    (
        "enum-given-a-list",
        _set(("flows", 0, "frequency"), ["weekly"]),
        "/flows/0/frequency",
        '["weekly"] is not one of: one-off',
        None,
    ),
    (
        "id",
        _set(("id",), "Early Help"),
        "/id",
        "'Early Help' is not an id; did you mean 'early-help'?",
        "lower-case letters",
    ),
    ("type", _set(("version",), "two"), "/version", "expected a whole number, not text", None),
]


@pytest.mark.parametrize(
    ("change", "where", "message", "hint"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_schema_findings_read_in_plain_words(
    agreement: Doc, change: Callable[[Doc], None], where: str, message: str, hint: str | None
) -> None:
    change(agreement)
    schema_findings = [f for f in validate(agreement) if f.code == "WS010"]
    (finding,) = (f for f in schema_findings if f.pointer == where)
    assert message in finding.message
    if hint is not None:
        assert hint in (finding.hint or "")
    for f in schema_findings:
        for text in (f.message, f.hint or ""):
            assert "^" not in text  # no regular expression is ever shown
            assert "(?:" not in text
            assert "One concrete data sharing arrangement" not in text  # the document's description


def test_a_misspelt_required_member_is_one_finding_not_two(agreement: Doc) -> None:
    agreement["parties"][0]["organization"] = agreement["parties"][0].pop("organisation")
    findings = [f for f in validate(agreement) if f.code == "WS010"]
    assert [f.pointer for f in findings] == ["/parties/0/organization"]


def test_several_missing_members_are_each_named_once(agreement: Doc) -> None:
    del agreement["purposes"][0]["id"]
    del agreement["purposes"][0]["needs"]
    messages = sorted(f.message for f in validate(agreement) if f.code == "WS010")
    assert messages == ["missing required member 'id'", "missing required member 'needs'"]


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("organization", ["organisation", "role"], "organisation"),
        ("review_date", ["review", "end"], "review"),
        (" Weekly ", ["weekly", "daily"], "weekly"),
        ("zzz", ["weekly", "daily"], None),
        ("weekly", ["weekly"], None),  # already right: nothing to suggest
    ],
    ids=["spelling", "added-word", "case-and-space", "nothing-close", "exact"],
)
def test_did_you_mean(word: str, choices: list[str], expected: str | None) -> None:
    assert did_you_mean(word, choices) == expected
