"""Self-contained documents, keys and keyrings for the signing tests."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from typing import Any

from woda_sharing import _canonical as canonical
from woda_sharing._keyring import add_key, new_keyring
from woda_sharing._keys import LocalSigner, generate_signer

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)  # keys valid from here
SIGNED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=UTC)

MEMBERS = ("county", "district-a", "district-b", "police")


def charter(
    *, rule: str = "all-members", threshold: int | None = None, version: int = 1
) -> dict[str, Any]:
    """A small charter with four members."""
    endorsement: dict[str, Any] = {"rule": rule, "roles": ["siro", "dpo"]}
    if threshold is not None:
        endorsement["threshold"] = threshold
    return {
        "kind": "charter",
        "format_version": 1,
        "id": "test-charter",
        "version": version,
        "title": "Test charter",
        "effective": "2026-01-01",
        "members": [
            {"id": m, "name": m.title(), "sector": "other", "public_authority": True}
            for m in MEMBERS
        ],
        "principles": [],
        "purposes": [{"id": "care", "title": "Care"}],
        "controls": ["dpia"],
        "endorsement": endorsement,
        "review_interval_months": 12,
    }


def agreement(
    the_charter: dict[str, Any], *, parties: tuple[str, ...] = ("county", "police")
) -> dict[str, Any]:
    """A small agreement under *the_charter* between *parties*."""
    return {
        "kind": "agreement",
        "format_version": 1,
        "id": "test-agreement",
        "version": 1,
        "title": "Test agreement",
        "charter": {
            "id": the_charter["id"],
            "version": the_charter["version"],
            "digest": canonical.digest(the_charter),
        },
        "parties": [
            {"id": f"p-{org}", "organisation": org, "role": "controller"} for org in parties
        ],
        "purposes": [{"id": "care", "needs": ["name"]}],
        "items": [{"id": "name", "title": "Name", "category": "personal"}],
        "flows": [
            {
                "id": "f1",
                "from": f"p-{parties[0]}",
                "to": f"p-{parties[-1]}",
                "items": ["name"],
                "purposes": ["care"],
                "bases": ["uk-gdpr-6-1-e"],
                "frequency": "daily",
                "method": "sftp",
            }
        ],
        "start": "2026-02-01",
    }


@functools.cache
def _signer(org: str, alg: str) -> LocalSigner:
    return generate_signer(alg)


def signer(org: str, alg: str = "Ed25519") -> LocalSigner:
    """One cached key per (organisation, algorithm), so tests stay fast."""
    return _signer(org, alg)


def keyring_for(
    orgs: tuple[str, ...] = MEMBERS,
    alg: str = "Ed25519",
    *,
    not_before: dt.datetime = T0,
    not_after: dt.datetime | None = None,
) -> dict[str, Any]:
    """A keyring document with one active key per organisation."""
    ring = new_keyring("test-keyring")
    for org in orgs:
        ring = add_key(
            ring, org, signer(org, alg).public_jwk, not_before=not_before, not_after=not_after
        )
    return ring


def endorsed(
    document: dict[str, Any],
    orgs: tuple[str, ...],
    alg: str = "Ed25519",
    role: str = "siro",
    amends: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """*document* endorsed by each of *orgs* (consenting as members of *amends*, when given)."""
    from woda_sharing._signing import endorse

    doc = copy.deepcopy(document)
    for org in orgs:
        doc = endorse(
            doc, signer(org, alg), organisation=org, role=role, signed_at=SIGNED, amends=amends
        )
    return doc
