"""Properties of the rule table over generated agreements: rules never raise, and point at real places."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from woda_sharing._validation import PIPELINE_CODES, validate
from woda_sharing.rules import builtin_catalogue
from woda_sharing.testing import example_agreement, example_charter

CATEGORIES = [
    "personal",
    "special-category",
    "criminal-offence",
    "pseudonymised",
    "anonymised",
    "aggregate",
]
BASIS_IDS = [*sorted(entry.id for entry in builtin_catalogue()), "test-charter", "unknown"]
ORGANISATIONS = ["county-council", "district-council", "police", "acme"]
ROLES = ["controller", "joint-controller", "processor"]
PARTY_IDS = ["p0", "p1", "p2", "ghost"]


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    """A schema-valid agreement with arbitrary parties, items, bases and dates."""
    a = example_agreement()
    a["parties"] = [
        {
            "id": f"p{i}",
            "organisation": draw(st.sampled_from(ORGANISATIONS)),
            "role": draw(st.sampled_from(ROLES)),
            **({"capacity": c} if (c := draw(st.sampled_from([None, "a", "b"]))) else {}),
            **({"acting_for": f} if (f := draw(st.sampled_from([None, *PARTY_IDS]))) else {}),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    items = []
    for i in range(draw(st.integers(1, 4))):
        category = draw(st.sampled_from(CATEGORIES))
        item: dict[str, Any] = {"id": f"i{i}", "title": "x", "category": category}
        if category == "special-category":
            item["special_category"] = "health"
        item["children"] = draw(st.booleans())
        items.append(item)
    a["items"] = items
    item_ids = [it["id"] for it in items] + ["ghost"]
    a["purposes"] = [
        {"id": "early-help", "needs": draw(st.lists(st.sampled_from(item_ids), unique=True))}
    ]
    a["flows"] = [
        {
            "id": f"f{i}",
            "from": draw(st.sampled_from(PARTY_IDS)),
            "to": draw(st.sampled_from(PARTY_IDS)),
            "items": draw(st.lists(st.sampled_from(item_ids), min_size=1, unique=True)),
            "purposes": draw(st.sampled_from([["early-help"], ["crime-prevention"]])),
            "bases": draw(st.lists(st.sampled_from(BASIS_IDS), unique=True, max_size=5)),
            "frequency": "ad-hoc",
            "method": "api",
            "data_matching": draw(st.booleans()),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    for key in ("retention", "dpia", "review", "security", "rights"):
        if draw(st.booleans()):
            a.pop(key)
    if draw(st.booleans()):
        a["end"] = draw(st.dates(dt.date(2023, 1, 1), dt.date(2026, 1, 1))).isoformat()
    a["large_scale"] = draw(st.booleans())
    return a


def _resolves(document: Any, path: str) -> bool:
    """Whether *path* names a member of *document*, or a missing member of an object in it."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]
    node = document
    for n, token in enumerate(tokens):
        last = n == len(tokens) - 1
        if isinstance(node, dict):
            if token not in node:
                return last  # a member the rule says is missing
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return False
            node = node[int(token)]
        else:
            return False
    return True


@given(agreement=agreements(), today=st.dates(dt.date(2024, 1, 1), dt.date(2026, 1, 1)))
def test_rule_findings_point_into_the_document(agreement: dict[str, Any], today: dt.date) -> None:
    report = validate(agreement, charter=example_charter(), today=today)
    assert report.document is not None, report.findings  # the generator stays schema-valid
    for finding in report.findings:
        if finding.code in PIPELINE_CODES:
            continue
        assert _resolves(agreement, finding.pointer), finding
        assert finding.message
