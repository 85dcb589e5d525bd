"""Hostile decision requests: identifiers are matched exactly, never loosely, and refusals say why."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woda_sharing._decisions import Policy, Request
from woda_sharing.testing import example_agreement, example_charter

ON = dt.date(2024, 6, 1)
GOOD = Request(
    sender="district-council",
    recipient="county-council",
    items=("name", "address"),
    purpose="early-help",
    on=ON,
)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.compile(example_charter(), [example_agreement()])


def test_the_genuine_request_is_permitted(policy: Policy) -> None:
    assert policy.decide(GOOD)


def _lookalikes(text: str) -> list[tuple[str, str]]:
    """Spellings a loose matcher might confuse with *text*."""
    cyrillic = text.replace("a", "\u0430").replace("o", "\u043e").replace("c", "\u0441")
    return [
        ("upper-case", text.upper()),
        ("title-case", text.title()),
        ("trailing-space", text + " "),
        ("leading-space", " " + text),
        ("trailing-newline", text + "\n"),
        ("nbsp", text.replace("-", "\u00a0") if "-" in text else text + "\u00a0"),
        ("cyrillic", cyrillic),
        (
            "full-width",
            unicodedata.normalize(
                "NFC", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
            ),
        ),
        ("zero-width-joiner", text[:2] + "\u200d" + text[2:]),
        ("soft-hyphen", text[:2] + "\u00ad" + text[2:]),
        ("combining-accent", text[:1] + "\u0301" + text[1:]),
        ("nul", text + "\x00"),
        ("en-dash", text.replace("-", "\u2013")),
    ]


FIELDS = ["sender", "recipient", "purpose"]
CASES = [
    (field, name, spelt)
    for field in FIELDS
    for name, spelt in _lookalikes(getattr(GOOD, field))
    if spelt != getattr(GOOD, field)
]


@pytest.mark.parametrize(
    ("field", "spelt"),
    [(f, s) for f, _, s in CASES],
    ids=[f"{f}-{n}" for f, n, _ in CASES],
)
def test_lookalike_identifiers_are_refused_as_unknown(
    policy: Policy, field: str, spelt: str
) -> None:
    decision = policy.decide(GOOD._replace(**{field: spelt}))  # type: ignore[arg-type]
    assert not decision
    assert decision.codes == ("DR009",)
    assert repr(spelt) in decision.reasons[0].message
    assert decision.refused_items == GOOD.items


ITEM_CASES = [(n, s) for n, s in _lookalikes("name") if s != "name"]


@pytest.mark.parametrize("spelt", [s for _, s in ITEM_CASES], ids=[n for n, _ in ITEM_CASES])
def test_lookalike_items_are_refused_and_listed(policy: Policy, spelt: str) -> None:
    decision = policy.decide(GOOD._replace(items=("address", spelt)))
    assert not decision
    assert decision.codes == ("DR009",)
    assert decision.reasons[0].items == (spelt,)


@pytest.mark.parametrize(
    "capacity",
    ["", " ", "None", "null", "district-council", "\u0430"],
    ids=["empty", "space", "None-string", "null-string", "org-name", "cyrillic"],
)
def test_invented_capacities_are_unknown(policy: Policy, capacity: str) -> None:
    decision = policy.decide(GOOD._replace(sender_capacity=capacity))
    assert decision.codes == ("DR009",)
    assert "capacity" in decision.reasons[0].message


def test_a_party_cannot_share_with_itself(policy: Policy) -> None:
    decision = policy.decide(GOOD._replace(recipient=GOOD.sender))
    assert decision.codes == ("DR001",)


def test_a_known_member_without_flows_is_refused(policy: Policy) -> None:
    decision = policy.decide(GOOD._replace(sender="police"))
    assert decision.codes == ("DR001",)


def test_a_charter_purpose_the_agreement_does_not_cover(policy: Policy) -> None:
    decision = policy.decide(GOOD._replace(purpose="crime-prevention"))
    assert decision.codes == ("DR003",)
    assert decision.reasons[0].items == ("name", "address")


def test_batch_does_not_confuse_lookalikes_with_the_genuine_request(policy: Policy) -> None:
    fake = GOOD._replace(sender="district-c\u043euncil")
    answers = policy.decide_many([GOOD, fake, GOOD, fake])
    assert [bool(a) for a in answers] == [True, False, True, False]


identifier = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "M", "Cf")),
    min_size=1,
    max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(sender=identifier, recipient=identifier, item=identifier, purpose=identifier)
def test_random_identifiers_are_never_permitted_unless_exact(
    policy: Policy, sender: str, recipient: str, item: str, purpose: str
) -> None:
    request = Request(sender=sender, recipient=recipient, items=(item,), purpose=purpose, on=ON)
    decision = policy.decide(request)
    exact = (sender, recipient, purpose) == (GOOD.sender, GOOD.recipient, GOOD.purpose) and (
        item in GOOD.items
    )
    assert bool(decision) is exact
    if not exact:
        assert decision.reasons
        assert all(r.code.startswith("DR") for r in decision.reasons)
