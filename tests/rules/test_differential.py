"""The faster rules find exactly what the plain rules they replaced found (issue 16).

The minimisation rules were rewritten so that WS501 is linear (an index of
which purposes need each item, instead of uniting every purpose's needs per
flow), and the legal-basis rules (WS201 to WS214) to share facts worked out
once per distinct list of cited bases and per item, and to skip a flow with
one check. The plain versions are kept in ``tests/rules/_legacy_*.py`` as the
oracle: on every generated agreement, with and without its charter, each
rule's findings are the same, in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules import (  # noqa: F401 - register
    _legacy_legal_bases,
    _legacy_minimisation,
    _legacy_references,
)
from tests.rules._legacy import LEGACY
from tests.rules.test_properties import BASIS_IDS, CATEGORIES, agreements
from woda_sharing import _codec as codec
from woda_sharing._legal import (
    Art6Basis,
    Art6Point,
    CatalogueEntry,
    LawEnforcementBasis,
    Schedule1Condition,
)
from woda_sharing._model import Agreement, Charter
from woda_sharing.rules import Rules, builtin_catalogue, builtin_rules
from woda_sharing.testing import example_agreement, example_charter


def _findings(
    rules: Rules, agreement: Agreement, charter: Charter | None, today: dt.date
) -> list[Any]:
    return list(rules.run(agreement, charter=charter, catalogue=builtin_catalogue(), today=today))


def _only(codes: set[str]) -> Rules:
    return Rules(rule for rule in builtin_rules() if rule.code in codes)


def test_the_oracle_covers_the_rewritten_families() -> None:
    codes = {rule.code for rule in LEGACY}
    assert {f"WS2{n:02d}" for n in range(1, 15)} | {"WS109", "WS501", "WS502", "WS503"} == codes


@settings(max_examples=300)  # cheap examples; many, so that rare combinations of bases occur
@given(
    agreement=agreements(),
    with_charter=st.booleans(),
    today=st.dates(dt.date(2024, 1, 1), dt.date(2026, 1, 1)),
)
def test_same_findings_as_the_plain_rules(
    agreement: dict[str, Any], with_charter: bool, today: dt.date
) -> None:
    document = codec.structure(agreement, Agreement)
    charter = codec.structure(example_charter(), Charter) if with_charter else None
    new = _findings(_only({rule.code for rule in LEGACY}), document, charter, today)
    assert new == _findings(LEGACY, document, charter, today)


@pytest.mark.parametrize("with_charter", [True, False], ids=["with-charter", "without-charter"])
def test_same_findings_on_the_examples(with_charter: bool) -> None:
    document = codec.structure(example_agreement(), Agreement)
    charter = codec.structure(example_charter(), Charter) if with_charter else None
    today = dt.date(2025, 1, 1)
    new = _findings(_only({rule.code for rule in LEGACY}), document, charter, today)
    assert new == _findings(LEGACY, document, charter, today)


# Entries that reach the rare branches: Schedule 1 conditions and s.35 bases that record
# nothing, and entries repealed or not yet in force.
_EXTRA = (
    CatalogueEntry(
        id="test-para-10",
        title="x",
        citation="x",
        basis=Schedule1Condition(part=2, paragraph=10, appropriate_policy_document=False),
    ),
    CatalogueEntry(
        id="test-para-6",
        title="x",
        citation="x",
        basis=Schedule1Condition(part=2, paragraph=6, appropriate_policy_document=False),
    ),
    CatalogueEntry(
        id="test-s35-task",
        title="x",
        citation="x",
        basis=LawEnforcementBasis(ground="law-enforcement-task", schedule_8_paragraph=1),
    ),
    CatalogueEntry(
        id="test-s35-consent", title="x", citation="x", basis=LawEnforcementBasis(ground="consent")
    ),
    CatalogueEntry(
        id="test-repealed",
        title="x",
        citation="x",
        basis=Art6Basis(point=Art6Point.PUBLIC_TASK),
        repealed=dt.date(2020, 1, 1),
    ),
    CatalogueEntry(
        id="test-late",
        title="x",
        citation="x",
        basis=Art6Basis(point=Art6Point.PUBLIC_TASK),
        in_force=dt.date(2025, 1, 1),
    ),
)
_FOCUS = [
    *(entry.id for entry in _EXTRA),
    "uk-gdpr-art-6-1-a",
    "uk-gdpr-art-6-1-e",
    "uk-gdpr-art-6-1-f",
    "uk-gdpr-art-9-2-a",
    "uk-gdpr-art-9-2-h",
    "dpa-2018-s35-consent",
    "dpa-2018-sch-1-para-10",
    "common-law-implied-consent",
    "test-charter",
    "unknown",
]
_IDS = st.one_of(st.sampled_from(_FOCUS), st.sampled_from(BASIS_IDS))


@st.composite
def _legal_cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An agreement using every member the legal-basis rules read, and a charter that varies who is who."""
    agreement = draw(agreements())
    for item in agreement["items"]:
        if draw(st.booleans()):
            item["category"] = draw(
                st.lists(st.sampled_from(CATEGORIES[:4]), min_size=1, max_size=3, unique=True)
            )
        if draw(st.booleans()):
            item["special_category"] = draw(st.sampled_from(["health", "genetic"]))
        if draw(st.booleans()):
            item["confidential"] = draw(st.booleans())
    for flow in agreement["flows"]:
        flow["bases"] = draw(st.lists(_IDS, unique=True, max_size=5))
        if draw(st.booleans()):
            flow["to"] = agreement["parties"][-1]["id"]
        if draw(st.booleans()):
            flow["capacity_basis"] = draw(_IDS)
        if draw(st.booleans()):
            flow["exemptions"] = draw(st.lists(_IDS, unique=True, max_size=2))
        flow["outside_public_tasks"] = draw(st.booleans())
    agreement["start"] = draw(st.dates(dt.date(2010, 1, 1), dt.date(2027, 1, 1))).isoformat()
    charter = example_charter()
    for member in charter["members"]:
        member["public_authority"] = draw(st.booleans())
        member["competent_authority"] = draw(st.sampled_from([True, True, False]))
    for purpose in charter["purposes"]:
        purpose["law_enforcement"] = draw(st.booleans())
    return agreement, charter


@settings(max_examples=500)
@given(
    case=_legal_cases(),
    with_charter=st.booleans(),
    today=st.dates(dt.date(2010, 1, 1), dt.date(2030, 1, 1)),
)
def test_same_legal_findings_on_every_member_the_rules_read(
    case: tuple[dict[str, Any], dict[str, Any]], with_charter: bool, today: dt.date
) -> None:
    agreement, charter_data = case
    document = codec.structure(agreement, Agreement)
    charter = codec.structure(charter_data, Charter) if with_charter else None
    codes = {rule.code for rule in LEGACY if rule.code.startswith("WS2") or rule.code == "WS109"}
    catalogue = builtin_catalogue().extended(_EXTRA)

    def run(rules: Rules) -> list[Any]:
        return list(rules.run(document, charter=charter, catalogue=catalogue, today=today))

    assert run(_only(codes)) == run(Rules(r for r in LEGACY if r.code in codes))
