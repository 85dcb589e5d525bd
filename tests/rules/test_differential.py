"""The faster rules find exactly what the plain rules they replaced found (issue 16).

The minimisation rules were rewritten so that WS501 is linear (an index of
which purposes need each item, instead of uniting every purpose's needs per
flow). The plain versions are kept in ``tests/rules/_legacy_*.py`` as the
oracle: on every generated agreement, with and without its charter, each
rule's findings are the same, in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules import _legacy_minimisation  # noqa: F401 - register
from tests.rules._legacy import LEGACY
from tests.rules.test_properties import agreements
from woda_sharing import _codec as codec
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
    assert {"WS501", "WS502", "WS503"} == codes


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
