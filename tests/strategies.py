"""Hypothesis strategies: valid typed documents, their wire form, and ways to break them.

`charters` and `agreements` build `Charter` and `Agreement` objects whose
references are consistent (flows cite parties, items, purposes and legal bases
that exist), so that their wire form (`woda_sharing._codec.unstructure`) is
valid against the schema. The mutators then break a wire form the ways
documents arrive broken: a member dropped, duplicated, retyped, the bytes
truncated or re-encoded.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Final

from hypothesis import strategies as st

from woda_sharing import _codec as codec
from woda_sharing._legal import CatalogueEntry, StatutoryGateway
from woda_sharing._model import (
    Agreement,
    Breach,
    Category,
    Charter,
    CharterPurpose,
    CharterRef,
    Control,
    DataItem,
    Dpia,
    Endorsement,
    EndorsementRule,
    Flow,
    Member,
    Party,
    Principle,
    Purpose,
    Retention,
    Rights,
    Role,
    Sector,
    Supersedes,
    Termination,
    Transparency,
)
from woda_sharing.rules import builtin_catalogue

__all__ = [
    "MUTATORS",
    "agreements",
    "broken_bytes",
    "charters",
    "documents",
    "ids",
    "mutated_documents",
    "texts",
    "wire_documents",
]

JSON = Any
Path = tuple[str | int, ...]

SPECIAL_CATEGORIES: Final = (
    "racial-or-ethnic-origin",
    "political-opinions",
    "religious-or-philosophical-beliefs",
    "trade-union-membership",
    "genetic",
    "biometric",
    "health",
    "sex-life-or-sexual-orientation",
)
SECURITY: Final = (
    "encryption-in-transit",
    "encryption-at-rest",
    "access-control",
    "audit-logging",
    "pseudonymisation",
    "secure-destruction",
    "staff-training",
    "cyber-essentials",
    "dspt",
)
FREQUENCIES: Final = ("one-off", "ad-hoc", "daily", "weekly", "monthly", "quarterly", "annually")
METHODS: Final = ("secure-email", "sftp", "api", "shared-system", "secure-portal")
BUILTIN_BASES: Final = tuple(entry.id for entry in builtin_catalogue())


def ids() -> st.SearchStrategy[str]:
    """Schema-valid identifiers: lower-case ASCII letters and digits, single hyphens."""
    part = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=5)
    return st.lists(part, min_size=1, max_size=3).map("-".join)


def texts(max_size: int = 12) -> st.SearchStrategy[str]:
    """Non-empty free text in any script (never a lone surrogate: those have no UTF-8 form)."""
    return st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=max_size)


def _unique_ids(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(ids(), min_size=min_size, max_size=max_size, unique=True)


_dates = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
_versions = st.integers(1, 1_000_000)
_digests = st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex())
_b64url = st.text("ABCXYZabcxyz0189_-", min_size=4, max_size=20)
_endorsements = st.lists(st.builds(Endorsement, protected=_b64url, signature=_b64url), max_size=2)
_retentions = st.builds(
    Retention,
    months=st.integers(0, 1200),
    deletion=st.sampled_from(
        ["secure-deletion", "return-to-sender", "anonymise", "archive-under-law"]
    ),
    notes=st.none() | texts(),
)
_security = st.lists(st.sampled_from(SECURITY), max_size=3, unique=True).map(tuple)


@st.composite
def charters(draw: st.DrawFn) -> Charter:
    """A valid `Charter` with distinct member, principle and purpose ids."""
    member_ids = draw(_unique_ids(1, 3))
    purpose_ids = draw(_unique_ids(1, 3))
    rule = draw(st.sampled_from(["all-members", "threshold"]))
    return Charter(
        id=draw(ids()),
        version=draw(_versions),
        title=draw(texts()),
        effective=draw(_dates),
        members=tuple(
            Member(
                id=member,
                name=draw(texts()),
                sector=draw(st.sampled_from(Sector)),
                public_authority=draw(st.booleans()),
                competent_authority=draw(st.booleans()),
                registration=draw(st.none() | st.integers(0, 999999).map("EXAMPLE-{}".format)),
            )
            for member in member_ids
        ),
        principles=tuple(Principle(id=p, text=draw(texts())) for p in draw(_unique_ids(0, 2))),
        purposes=tuple(
            CharterPurpose(
                id=p,
                title=draw(texts()),
                description=draw(st.none() | texts()),
                law_enforcement=draw(st.booleans()),
            )
            for p in purpose_ids
        ),
        controls=tuple(draw(st.lists(st.sampled_from(Control), unique=True))),
        endorsement=EndorsementRule(
            rule=rule,
            roles=tuple(draw(_unique_ids(1, 2))),
            threshold=draw(st.integers(1, len(member_ids))) if rule == "threshold" else None,
        ),
        review_interval_months=draw(st.integers(1, 120)),
        description=draw(st.none() | texts()),
        supersedes=draw(st.none() | st.builds(Supersedes, version=_versions, digest=_digests)),
        review=draw(st.none() | _dates),
        endorsements=tuple(draw(_endorsements)),
    )


def _item(draw: st.DrawFn, item_id: str) -> DataItem:
    category = draw(st.sampled_from(Category))
    special = (
        draw(st.sampled_from(SPECIAL_CATEGORIES)) if category is Category.SPECIAL_CATEGORY else None
    )
    return DataItem(
        id=item_id,
        title=draw(texts()),
        category=category,
        special_category=special,
        children=draw(st.booleans()),
        retention=draw(st.none() | _retentions),
    )


@st.composite
def agreements(draw: st.DrawFn, charter: Charter | None = None) -> Agreement:
    """A valid `Agreement` whose flows cite its own parties, items, purposes and bases.

    With *charter*, parties are charter members and purposes charter purposes.
    """
    organisations = [m.id for m in charter.members] if charter else draw(_unique_ids(1, 3))
    purposes = [p.id for p in charter.purposes] if charter else draw(_unique_ids(1, 3))
    party_ids = draw(_unique_ids(1, 3))
    item_ids = draw(_unique_ids(1, 4))
    local_bases = [f"local-{i}" for i in range(draw(st.integers(0, 2)))]
    bases = [*BUILTIN_BASES[:6], *local_bases]
    parties = tuple(
        Party(
            id=p,
            organisation=draw(st.sampled_from(organisations)),
            role=draw(st.sampled_from(Role)),
            capacity=draw(st.none() | ids()),
        )
        for p in party_ids
    )
    flows = tuple(
        Flow(
            id=flow_id,
            source=draw(st.sampled_from(party_ids)),
            recipient=draw(st.sampled_from(party_ids)),
            items=tuple(
                draw(st.lists(st.sampled_from(item_ids), min_size=1, max_size=3, unique=True))
            ),
            purposes=tuple(
                draw(st.lists(st.sampled_from(purposes), min_size=1, max_size=2, unique=True))
            ),
            bases=tuple(
                draw(st.lists(st.sampled_from(bases), min_size=1, max_size=2, unique=True))
            ),
            frequency=draw(st.sampled_from(FREQUENCIES)),
            method=draw(st.sampled_from(METHODS)),
            security=draw(_security),
            data_matching=draw(st.booleans()),
        )
        for flow_id in draw(_unique_ids(1, 2))
    )
    start = draw(_dates)
    return Agreement(
        id=draw(ids()),
        version=draw(_versions),
        title=draw(texts()),
        charter=CharterRef(
            id=charter.id if charter else draw(ids()),
            version=charter.version if charter else draw(_versions),
            digest=draw(_digests),
        ),
        parties=parties,
        purposes=tuple(
            Purpose(
                id=p,
                needs=tuple(draw(st.lists(st.sampled_from(item_ids), max_size=3, unique=True))),
                description=draw(st.none() | texts()),
            )
            for p in draw(st.lists(st.sampled_from(purposes), min_size=1, unique=True))
        ),
        items=tuple(_item(draw, i) for i in item_ids),
        flows=flows,
        start=start,
        legal_bases=tuple(
            CatalogueEntry(
                id=b,
                title=draw(texts()),
                citation=draw(texts()),
                basis=StatutoryGateway(
                    act=draw(texts()),
                    section=draw(texts(10)),
                    nature=draw(
                        st.sampled_from(
                            ["duty-to-disclose", "power-to-disclose", "function", "power", "duty"]
                        )
                    ),
                ),
            )
            for b in local_bases
        ),
        retention=draw(st.none() | _retentions),
        security=draw(_security),
        dpia=draw(st.none() | st.builds(Dpia, reference=texts(), completed=_dates)),
        large_scale=draw(st.booleans()),
        end=draw(st.none() | st.just(start + dt.timedelta(days=365))),
        review=draw(st.none() | st.just(start + dt.timedelta(days=300))),
        rights=draw(
            st.none()
            | st.builds(
                Rights,
                contact=texts(),
                subject_access=texts(),
                objections=texts(),
                complaints=texts(),
            )
        ),
        transparency=draw(
            st.none()
            | st.builds(Transparency, privacy_notice=texts(), exemption=st.none() | texts())
        ),
        breach=draw(
            st.none() | st.builds(Breach, notify_within_hours=st.integers(1, 72), contact=texts())
        ),
        termination=draw(
            st.none()
            | st.builds(
                Termination,
                notice_days=st.integers(0, 3650),
                on_termination=st.sampled_from(["delete", "return", "retain-under-own-basis"]),
            )
        ),
        endorsements=tuple(draw(_endorsements)),
    )


def documents() -> st.SearchStrategy[Charter | Agreement]:
    """A valid charter or agreement."""
    return st.one_of(charters(), agreements())


def wire_documents() -> st.SearchStrategy[dict[str, JSON]]:
    """The wire form of a valid document (what `codec.unstructure` writes)."""
    return documents().map(codec.unstructure)


# --- Mutators: each takes a wire form and a draw, and returns broken bytes -------------------


def _paths(value: JSON, prefix: Path = ()) -> list[Path]:
    """Every path in *value* (not the root), parents before children."""
    out: list[Path] = []
    children: list[tuple[str | int, JSON]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for token, child in children:
        out.append((*prefix, token))
        out.extend(_paths(child, (*prefix, token)))
    return out


def _parent(document: JSON, path: Path) -> JSON:
    node = document
    for token in path[:-1]:
        node = node[token]
    return node


def _dump(document: JSON) -> bytes:
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")


def drop(document: dict[str, JSON], draw: st.DrawFn) -> bytes:
    """Remove one member or array element."""
    path = draw(st.sampled_from(_paths(document)))
    del _parent(document, path)[path[-1]]
    return _dump(document)


_OTHER_VALUES: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.text(max_size=10),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
    st.just(""),
    st.just("2024-02-30"),
    st.just("NOT-AN-ID"),
)


def retype(document: dict[str, JSON], draw: st.DrawFn) -> bytes:
    """Replace one value by a value of another type (or an out-of-range one)."""
    path = draw(st.sampled_from(_paths(document)))
    _parent(document, path)[path[-1]] = draw(_OTHER_VALUES)
    return _dump(document)


def duplicate(document: dict[str, JSON], draw: st.DrawFn) -> bytes:
    """Repeat an object member (a duplicate name) or an array element, in the text."""
    path = draw(st.sampled_from(_paths(document)))
    parent = _parent(document, path)
    if isinstance(parent, list):
        parent.insert(path[-1], parent[path[-1]])  # type: ignore[arg-type]
        return _dump(document)
    marker = "\x00dup\x00"
    value = parent.pop(path[-1])
    parent[marker] = value
    member = json.dumps(path[-1], ensure_ascii=False) + ": " + json.dumps(value, ensure_ascii=False)
    text = json.dumps(document, ensure_ascii=False).replace(
        json.dumps(marker) + ": " + json.dumps(value, ensure_ascii=False), member + ", " + member
    )
    return text.encode("utf-8")


def truncate(document: dict[str, JSON], draw: st.DrawFn) -> bytes:
    """Cut the bytes anywhere, even inside a multi-byte character."""
    data = _dump(document)
    return data[: draw(st.integers(0, len(data) - 1))]


def _respell_numbers(text: str, draw: st.DrawFn) -> str:
    spelling = draw(st.sampled_from(["{}.0", "{}e0", "{}E+0", "-0", "{}0000000000000000000"]))
    out, i = [], 0
    while i < len(text):
        if text[i].isdigit() and (i == 0 or text[i - 1] in ": ["):
            j = i
            while j < len(text) and text[j].isdigit():
                j += 1
            out.append(spelling.format(text[i:j]))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def reencode(document: dict[str, JSON], draw: st.DrawFn) -> bytes:
    """Write the same document in another encoding or spelling."""
    text = json.dumps(document, indent=1, ensure_ascii=False)
    how = draw(
        st.sampled_from(["bom", "utf-16", "latin-1", "escaped", "numbers", "surrogate", "cp1252"])
    )
    if how == "bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if how == "utf-16":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    if how in ("latin-1", "cp1252"):
        return (text + '\n"caf\u00e9"').encode(how, errors="replace")
    if how == "escaped":
        return json.dumps(document, ensure_ascii=True).encode("ascii")
    if how == "numbers":
        return _respell_numbers(text, draw).encode("utf-8")
    return text.replace('"kind"', '"\\ud800kind"', 1).encode("utf-8")


Mutator = Callable[[dict[str, JSON], st.DrawFn], bytes]

#: Every mutator, by name.
MUTATORS: Final[dict[str, Mutator]] = {
    "drop": drop,
    "duplicate": duplicate,
    "retype": retype,
    "truncate": truncate,
    "reencode": reencode,
}


@st.composite
def broken_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """``(mutator name, bytes)``: a valid document's wire form, broken by one mutator."""
    document = draw(wire_documents())
    name = draw(st.sampled_from(sorted(MUTATORS)))
    return name, MUTATORS[name](document, draw)


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, JSON]:
    """A valid document's wire form with one value dropped or retyped (a mapping, not bytes)."""
    document = draw(wire_documents())
    path = draw(st.sampled_from(_paths(document)))
    parent = _parent(document, path)
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(_OTHER_VALUES | st.floats() | st.just(2**53))
    return document
