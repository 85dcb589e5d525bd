"""Helpers for tests: small, valid documents to start from and mutate.

These are public so that integrators can test their own rules and pipelines
the way this library tests itself. Each call returns a fresh ``dict`` in wire
form: change it freely.
"""

from __future__ import annotations

import copy
from typing import Any

from woda_sharing import _canonical as canonical

__all__ = ["example_agreement", "example_charter"]

_CHARTER: dict[str, Any] = {
    "kind": "charter",
    "format_version": 1,
    "id": "test-charter",
    "version": 1,
    "title": "Test data sharing charter",
    "effective": "2024-01-01",
    "members": [
        {
            "id": "county-council",
            "name": "Test County Council",
            "sector": "county-council",
            "public_authority": True,
            "registration": "EXAMPLE-0001",
        },
        {
            "id": "district-council",
            "name": "Test District Council",
            "sector": "district-council",
            "public_authority": True,
            "registration": "EXAMPLE-0002",
        },
        {
            "id": "police",
            "name": "Test Police",
            "sector": "police",
            "public_authority": True,
            "competent_authority": True,
            "registration": "EXAMPLE-0003",
        },
    ],
    "principles": [{"id": "lawful", "text": "Every sharing has its own lawful basis."}],
    "purposes": [
        {"id": "early-help", "title": "Early help for families"},
        {
            "id": "crime-prevention",
            "title": "Preventing crime and disorder",
            "law_enforcement": True,
        },
    ],
    "controls": [
        "dpia",
        "retention",
        "security",
        "rights",
        "transparency",
        "breach",
        "termination",
        "review",
    ],
    "endorsement": {"rule": "all-members", "roles": ["siro", "dpo"]},
    "review_interval_months": 12,
}

_AGREEMENT: dict[str, Any] = {
    "kind": "agreement",
    "format_version": 1,
    "id": "test-agreement",
    "version": 1,
    "title": "Test early help agreement",
    "charter": {"id": "test-charter", "version": 1, "digest": ""},
    "parties": [
        {"id": "county", "organisation": "county-council", "role": "controller"},
        {"id": "district", "organisation": "district-council", "role": "controller"},
    ],
    "purposes": [{"id": "early-help", "needs": ["name", "address"]}],
    "items": [
        {"id": "name", "title": "Name", "category": "personal"},
        {"id": "address", "title": "Address", "category": "personal"},
    ],
    "flows": [
        {
            "id": "referral",
            "from": "district",
            "to": "county",
            "items": ["name", "address"],
            "purposes": ["early-help"],
            "bases": ["uk-gdpr-art-6-1-e"],
            "frequency": "ad-hoc",
            "method": "secure-email",
            "security": ["encryption-in-transit"],
        }
    ],
    "retention": {"months": 24, "deletion": "secure-deletion"},
    "security": ["access-control", "audit-logging"],
    "dpia": {"reference": "DPIA-EXAMPLE-1", "completed": "2024-01-15"},
    "start": "2024-02-01",
    "review": "2025-01-31",
    "rights": {
        "contact": "dpo@example.invalid",
        "subject_access": "Each controller answers requests for the data it holds.",
        "objections": "Objections go to the controller that collected the data.",
        "complaints": "Complaints go to the DPO, then the ICO.",
    },
    "transparency": {"privacy_notice": "https://example.invalid/privacy"},
    "breach": {"notify_within_hours": 24, "contact": "dpo@example.invalid"},
    "termination": {"notice_days": 30, "on_termination": "delete"},
}


def example_charter() -> dict[str, Any]:
    """Return a small valid charter with three members (one a competent authority)."""
    return copy.deepcopy(_CHARTER)


def example_agreement(charter: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a small valid agreement under *charter* (default: `example_charter`), citing it exactly.

    Validate it with ``today`` between its start (2024-02-01) and review (2025-01-31) dates.
    """
    charter = charter or _CHARTER
    agreement = copy.deepcopy(_AGREEMENT)
    agreement["charter"] = {
        "id": charter["id"],
        "version": charter["version"],
        "digest": canonical.digest(charter),
    }
    return agreement
