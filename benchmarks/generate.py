"""Generate valid agreements of known sizes under one charter, for benchmarks and tests.

Every generated agreement validates with no finding at all under the charter
`charter_for` returns for it: each party is a charter member, each item is
needed by a purpose and carried by a flow, personal items carry their own
retention, special-category (health) items travel with an Art 9 condition, its
Schedule 1 condition and a common law confidentiality basis, and every flow
cites catalogue bases by id.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from attrs import frozen

from woda_sharing.testing import example_agreement, example_charter

__all__ = ["LIMIT", "SIZES", "TODAY", "Size", "agreement", "agreement_bytes", "charter_for"]


@frozen(kw_only=True)
class Size:
    """How many parties, items and flows a generated agreement has."""

    name: str
    parties: int
    items: int
    flows: int


#: The three sizes the benchmark measures (issue 2, item 8).
SIZES: Final = (
    Size(name="small", parties=5, items=20, flows=10),
    Size(name="medium", parties=30, items=200, flows=100),
    Size(name="large", parties=200, items=2000, flows=1000),
)

#: The largest agreement the default limits accept, near 16 MiB (``Limits.max_bytes``): the
#: shape of ``large`` scaled 18.5 times (16.6 MB), for the linearity figure (issue 16).
LIMIT: Final = Size(name="limit", parties=3_700, items=37_000, flows=18_500)

#: The date generated agreements are valid on (between their start and review dates).
TODAY: Final = dt.date(2024, 6, 1)

_PURPOSES: Final = (
    ("early-help", "Early help for families"),
    ("homelessness-prevention", "Preventing homelessness"),
    ("fire-safety", "Fire safety home visits"),
    ("adult-safeguarding", "Safeguarding adults at risk"),
    ("population-health", "Population health planning"),
)
_SECTORS: Final = ("county-council", "district-council", "fire-and-rescue", "nhs")
_METHODS: Final = ("secure-email", "sftp", "api", "shared-system", "secure-portal")
_FREQUENCIES: Final = ("ad-hoc", "daily", "weekly", "monthly", "quarterly")
_SPECIAL_EVERY: Final = 10  # every tenth item is health data (special category)


def charter_for(size: Size) -> dict[str, Any]:
    """Return the charter (wire form) a generated agreement of *size* sits under.

    It starts from `woda_sharing.testing.example_charter` and adds one public
    member per party and the purposes the generated agreements use.
    """
    charter = example_charter()
    charter["id"] = "bench-charter"
    charter["title"] = "Benchmark data sharing charter"
    charter["members"] = [
        {
            "id": f"org-{i}",
            "name": f"Example Organisation {i}",
            "sector": _SECTORS[i % len(_SECTORS)],
            "public_authority": True,
            "registration": f"EXAMPLE-{i:04d}",
        }
        for i in range(size.parties)
    ]
    charter["purposes"] = [{"id": pid, "title": title} for pid, title in _PURPOSES]
    return charter


def _item(index: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"item-{index}",
        "title": f"Data item {index}",
        "category": "personal",
        "retention": {"months": 12 + index % 60, "deletion": "secure-deletion"},
    }
    if index % _SPECIAL_EVERY == _SPECIAL_EVERY - 1:
        item["category"] = "special-category"
        item["special_category"] = "health"
    if index % 7 == 0:
        item["children"] = True
    return item


def _chunks(count: int, parts: int) -> list[range]:
    """Split ``range(count)`` into *parts* contiguous, non-empty, near-equal runs."""
    return [range(count * p // parts, count * (p + 1) // parts) for p in range(parts)]


def agreement(size: Size) -> dict[str, Any]:
    """Return a valid agreement (wire form) of *size* under ``charter_for(size)``."""
    charter = charter_for(size)
    items = [_item(i) for i in range(size.items)]
    purpose_ids = [pid for pid, _ in _PURPOSES]
    per_purpose = _chunks(size.items, len(purpose_ids))
    purposes = [
        {"id": pid, "needs": [f"item-{i}" for i in run]}
        for pid, run in zip(purpose_ids, per_purpose, strict=True)
    ]
    purpose_of = {i: purpose_ids[p] for p, run in enumerate(per_purpose) for i in run}
    flows = []
    for f, run in enumerate(_chunks(size.items, size.flows)):
        carried = list(run)
        special = any(items[i]["category"] == "special-category" for i in carried)
        bases = ["uk-gdpr-art-6-1-e"]
        if special:
            bases += ["uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2", "common-law-implied-consent"]
        flows.append(
            {
                "id": f"flow-{f}",
                "from": f"party-{f % size.parties}",
                "to": f"party-{(f + 1) % size.parties}",
                "items": [f"item-{i}" for i in carried],
                "purposes": sorted({purpose_of[i] for i in carried}),
                "bases": bases,
                "frequency": _FREQUENCIES[f % len(_FREQUENCIES)],
                "method": _METHODS[f % len(_METHODS)],
                "security": ["encryption-in-transit", "access-control"],
            }
        )
    # The controls (rights, transparency, breach, ...) are those of the test helpers' example.
    document = example_agreement(charter)
    document.update(
        id=f"bench-{size.name}",
        title=f"Benchmark agreement ({size.name})",
        parties=[
            {"id": f"party-{i}", "organisation": f"org-{i}", "role": "controller"}
            for i in range(size.parties)
        ],
        purposes=purposes,
        items=items,
        flows=flows,
        security=["access-control", "audit-logging", "encryption-at-rest"],
        dpia={"reference": f"DPIA-EXAMPLE-{size.name}", "completed": "2024-01-15"},
        large_scale=size.items >= 200,
    )
    return document


def agreement_bytes(size: Size) -> bytes:
    """Return `agreement` for *size* as UTF-8 JSON bytes, indented as a person would save it."""
    return json.dumps(agreement(size), indent=2, ensure_ascii=False).encode()
