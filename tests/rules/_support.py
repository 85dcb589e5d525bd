"""Table-driven rule cases: start from the valid examples, mutate, validate, compare.

Each test module under ``tests/rules/`` holds a ``CASES`` table of `Case`s; a
case names the rule code it is about and the findings of that code it expects
(none for a passing case). ``test_coverage.py`` checks the tables cover every
registered rule code with at least one failing and one passing case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import EXAMPLE_TODAY
from woda_sharing import _canonical as canonical
from woda_sharing._findings import Report, Severity
from woda_sharing._validation import validate
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]
Mutation = Callable[[Doc, Doc], None]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _unchanged(charter: Doc, agreement: Doc) -> None:
    """Leave the valid examples as they are."""


@dataclass(frozen=True)
class Case:
    """One named rule case.

    ``expected`` lists the (severity, pointer) of every finding with ``code``;
    empty means the rule must not fire. ``also`` lists other error codes that
    the mutation unavoidably causes (none, usually: the cases are minimal).
    """

    id: str
    code: str
    mutate: Mutation = _unchanged
    expected: tuple[tuple[Severity, str], ...] = ()
    kind: str = "agreement"
    with_charter: bool = True
    today: dt.date = EXAMPLE_TODAY
    message: str | None = None
    also: frozenset[str] = field(default_factory=frozenset)

    @property
    def fails(self) -> bool:
        """Whether the case expects the rule to fire."""
        return bool(self.expected)


def run(case: Case) -> Report:
    """Build the documents for *case* and validate the one it is about."""
    charter = example_charter()
    agreement = example_agreement(charter)
    original = agreement["charter"]["digest"]
    case.mutate(charter, agreement)
    if agreement["charter"]["digest"] == original:  # keep citing the (mutated) charter
        agreement["charter"]["digest"] = canonical.digest(charter)
    if case.kind == "charter":
        return validate(charter, today=case.today)
    return validate(agreement, charter=charter if case.with_charter else None, today=case.today)


def check(case: Case) -> None:
    """Assert that *case* produces exactly the findings it expects, and no other error."""
    report = run(case)
    found = sorted((f.pointer, f.severity.value) for f in report.findings if f.code == case.code)
    assert found == sorted((path, sev.value) for sev, path in case.expected)
    if case.message is not None:
        messages = [f.message for f in report.findings if f.code == case.code]
        assert any(case.message in m for m in messages), messages
    others = {f.code for f in report.errors if f.code != case.code}
    assert others == set(case.also), report.errors


def parametrize(cases: list[Case]) -> pytest.MarkDecorator:
    """Parametrize a test over *cases*, each named ``CODE-id``."""
    return pytest.mark.parametrize("case", cases, ids=[f"{c.code}-{c.id}" for c in cases])


# Mutation helpers: each changes the wire-form documents in place.


def add_item(
    agreement: Doc,
    item_id: str,
    category: str | list[str],
    *,
    special: str | None = None,
    children: bool = False,
) -> None:
    """Declare an item, make the first purpose need it and the first flow share it."""
    item: Doc = {"id": item_id, "title": item_id.title(), "category": category}
    if special is not None:
        item["special_category"] = special
    if children:
        item["children"] = True
    agreement["items"].append(item)
    agreement["purposes"][0]["needs"].append(item_id)
    agreement["flows"][0]["items"].append(item_id)


def bases(agreement: Doc, *ids: str) -> None:
    """Set the first flow's legal bases."""
    agreement["flows"][0]["bases"] = list(ids)


def police_flow(agreement: Doc, *basis_ids: str) -> None:
    """Make the first flow go from a police party to the county for crime prevention."""
    agreement["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    agreement["purposes"][0]["id"] = "crime-prevention"
    flow = agreement["flows"][0]
    flow.update({"from": "police", "purposes": ["crime-prevention"], "bases": list(basis_ids)})


def nhs_flow(charter: Doc, agreement: Doc) -> None:
    """Add an NHS trust to the charter and make the first flow go from it to the county."""
    charter["members"].append(
        {"id": "nhs-trust", "name": "Test NHS Trust", "sector": "nhs", "public_authority": True}
    )
    agreement["parties"].append({"id": "trust", "organisation": "nhs-trust", "role": "controller"})
    agreement["flows"][0]["from"] = "trust"
