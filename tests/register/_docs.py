"""Signed documents for the register's tests: one key per member, chains of amendments."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from woda_sharing import _canonical as canonical
from woda_sharing._keyring import add_key, new_keyring
from woda_sharing._keys import LocalSigner, generate_signer
from woda_sharing._signing import endorse
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]

KEYS_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SIGNED = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
#: When the tests verify: keys valid, signatures in the past, the example agreement current.
AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
AT_TEXT = "2024-06-01T12:00:00Z"
MEMBERS = ("county-council", "district-council", "police")


@functools.cache
def signer(org: str) -> LocalSigner:
    return generate_signer("Ed25519")


def keyring(orgs: tuple[str, ...] = MEMBERS) -> Doc:
    ring = new_keyring("test-keyring")
    for org in orgs:
        ring = add_key(ring, org, signer(org).public_jwk, not_before=KEYS_FROM)
    return ring


def sign(document: Doc, orgs: tuple[str, ...]) -> Doc:
    doc = copy.deepcopy(document)
    doc.pop("endorsements", None)
    for org in orgs:
        doc = endorse(doc, signer(org), organisation=org, role="siro", signed_at=SIGNED)
    return doc


def charter() -> Doc:
    return sign(example_charter(), MEMBERS)


def agreement(
    the_charter: Doc | None = None,
    *,
    ident: str = "test-agreement",
    endorsers: tuple[str, ...] = ("county-council", "district-council"),
    change: Callable[[Doc], None] | None = None,
) -> Doc:
    doc = example_agreement(the_charter or charter())
    doc["id"] = ident
    if change is not None:
        change(doc)
    return sign(doc, endorsers)


def amend(
    document: Doc,
    change: Callable[[Doc], None] | None = None,
    *,
    endorsers: tuple[str, ...] | None = None,
) -> Doc:
    """The next version of *document*: superseding it exactly, changed, endorsed again."""
    new = copy.deepcopy(document)
    new.pop("endorsements", None)
    new["version"] = document["version"] + 1
    new["supersedes"] = {"version": document["version"], "digest": canonical.digest(document)}
    if change is not None:
        change(new)
    if endorsers is None:
        endorsers = (
            MEMBERS
            if document["kind"] == "charter"
            else tuple(dict.fromkeys(p["organisation"] for p in new["parties"]))
        )
    return sign(new, endorsers)


def write(folder: Path, name: str, document: Doc) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
