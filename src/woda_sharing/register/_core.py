"""The register's typed core: queries, entries, due items and import outcomes, with no database.

Nothing here imports SQLAlchemy: the values are what the SQL adapter
(`woda_sharing.register._store`) returns and what the command line formats.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

from woda_sharing._findings import Finding
from woda_sharing._model import Agreement, Charter, is_id
from woda_sharing.exceptions import UsageError

__all__ = [
    "KINDS",
    "PUBLISHED_FIELDS",
    "Due",
    "Entry",
    "Imported",
    "Outcome",
    "Query",
    "Refusal",
    "State",
]

#: The kinds of document the register stores.
KINDS: Final = ("charter", "agreement", "keyring")

#: What a transparency export can publish of an agreement (a charter's ``published_fields`` picks).
PUBLISHED_FIELDS: Final = (
    "parties",
    "purposes",
    "legal-bases",
    "items",
    "dates",
    "review",
    "digest",
)


class State(enum.Enum):
    """A stored version's endorsement state, as verified when it was imported."""

    ENDORSED = "endorsed"
    PENDING = "pending"
    NOT_APPLICABLE = "n/a"


class Outcome(enum.Enum):
    """What an import did with one document."""

    ADDED = "added"
    ENDORSEMENTS_UPDATED = "endorsements-updated"
    UNCHANGED = "unchanged"


def _optional_id(value: str | None, name: str) -> None:
    if value is not None and not is_id(value):
        raise UsageError(
            f"{name} must be an identifier (lower-case letters, digits, hyphens), not {value!r}"
        )


@frozen(kw_only=True)
class Query:
    """A question to the register: every filter given must hold (AND); ``None`` means any.

    Flow filters (``source``, ``recipient``, ``item``, ``purpose``, ``basis``,
    ``recipient_sector``, ``source_sector``) must hold of one and the same flow, so
    ``Query(source="county-council", recipient_sector="police")`` reads "what
    does the county share with the police". ``organisation`` matches any party;
    ``sector`` any party's charter sector; ``category`` any item's category.
    ``review_before``/``review_after`` bound the review date (inclusive).
    ``current`` (default) asks of the head of each chain only; ``False`` of
    every stored version. Identifiers are matched exactly; a malformed one is
    a `UsageError`, so a hostile string never reaches the database as a filter.
    """

    kind: str | None = "agreement"
    id: str | None = None
    organisation: str | None = None
    sector: str | None = None
    source: str | None = None
    recipient: str | None = None
    source_sector: str | None = None
    recipient_sector: str | None = None
    item: str | None = None
    category: str | None = None
    purpose: str | None = None
    basis: str | None = None
    charter: str | None = None
    state: State | None = None
    review_before: dt.date | None = None
    review_after: dt.date | None = None
    current: bool = True
    limit: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        for name in (
            "id",
            "organisation",
            "sector",
            "source",
            "recipient",
            "source_sector",
            "recipient_sector",
            "item",
            "category",
            "purpose",
            "charter",
        ):
            _optional_id(getattr(self, name), name)
        if self.basis is not None and not _is_basis_id(self.basis):
            raise UsageError(f"basis must be a legal-basis id, not {self.basis!r}")
        if self.state is not None and not isinstance(self.state, State):
            raise UsageError("state must be a register State")
        for name in ("review_before", "review_after"):
            value = getattr(self, name)
            if value is not None and type(value) is not dt.date:
                raise UsageError(f"{name} must be a datetime.date")
        if self.limit is not None and (type(self.limit) is not int or self.limit < 1):
            raise UsageError("limit must be a positive integer")

    @property
    def flow_filters(self) -> dict[str, str]:
        """The filters that must hold of one flow, by column name."""
        names = (
            "source",
            "recipient",
            "source_sector",
            "recipient_sector",
            "item",
            "purpose",
            "basis",
        )
        return {n: v for n in names if (v := getattr(self, n)) is not None}


def _is_basis_id(value: object) -> bool:
    """Legal-basis ids are identifiers too (the catalogue's and the schema's ``$defs/id``)."""
    return is_id(value)


@frozen(kw_only=True)
class Entry:
    """One stored version of a document, as the register lists it."""

    kind: str
    id: str
    version: int
    digest: str
    title: str
    current: bool
    state: State
    imported_at: dt.datetime
    start: dt.date | None = None
    end: dt.date | None = None
    review: dt.date | None = None
    charter: tuple[str, int] | None = None
    endorsed: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``woda-sharing register list --format json``."""
        return {
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "digest": self.digest,
            "title": self.title,
            "current": self.current,
            "state": self.state.value,
            "imported_at": self.imported_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "start": _iso(self.start),
            "end": _iso(self.end),
            "review": _iso(self.review),
            "charter": {"id": self.charter[0], "version": self.charter[1]}
            if self.charter
            else None,
            "endorsed": list(self.endorsed),
            "pending": list(self.pending),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


@frozen(kw_only=True)
class Due:
    """Something that needs action: a review or end date within the notice period (or past), or endorsements pending.

    ``what`` is ``"review"``, ``"end"`` or ``"endorsement"``; ``date`` and
    ``days`` (negative when overdue) are ``None`` for pending endorsements.
    """

    kind: str
    id: str
    version: int
    title: str
    what: str
    date: dt.date | None
    days: int | None
    notice_days: int
    pending: tuple[str, ...] = ()

    @property
    def overdue(self) -> bool:
        """Whether the date has passed."""
        return self.days is not None and self.days < 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``woda-sharing register due --format json``."""
        return {
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "what": self.what,
            "date": _iso(self.date),
            "days": self.days,
            "overdue": self.overdue,
            "notice_days": self.notice_days,
            "pending": list(self.pending),
        }


@frozen(kw_only=True)
class Refusal:
    """Why one document of an import was refused: a reason and, for invalid documents, the findings."""

    source: str
    reason: str
    findings: tuple[Finding, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of a refused import."""
        return {
            "source": self.source,
            "reason": self.reason,
            "findings": [f.as_dict() for f in self.findings],
        }


@frozen(kw_only=True)
class Imported:
    """What an import did with one document."""

    source: str
    kind: str
    id: str
    version: int
    digest: str
    outcome: Outcome
    state: State
    pending: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of a successful import."""
        return {
            "source": self.source,
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "digest": self.digest,
            "outcome": self.outcome.value,
            "state": self.state.value,
            "pending": list(self.pending),
        }


def due_dates(document: Charter | Agreement) -> Mapping[str, dt.date]:
    """The dates of *document* that can fall due: ``review`` and, for an agreement, ``end``."""
    dates: dict[str, dt.date] = {}
    if document.review is not None:
        dates["review"] = document.review
    if isinstance(document, Agreement) and document.end is not None:
        dates["end"] = document.end
    return dates
