"""Legal bases as a closed family of typed objects, and the catalogue that names them.

A flow cites legal bases by id. The id resolves through a `Catalogue`: the
built-in entries shipped with the library (each with its citation), extended by
the charter's and the agreement's own ``legal_bases`` entries, or by a caller's.

The family is closed on purpose: a basis is one of the types below, each
mirroring a provision of UK GDPR, the Data Protection Act 2018, a statute, or
the common law duty of confidentiality. A charter is *never* a legal basis, so
there is no type for it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any, Final, Literal, TypeAlias

from attrs import field, frozen

from woda_sharing.exceptions import CatalogueError

__all__ = [
    "Art6Basis",
    "Art9Condition",
    "Art10Basis",
    "Catalogue",
    "CatalogueEntry",
    "CommonLawBasis",
    "LawEnforcementBasis",
    "LegalBasis",
    "Schedule1Condition",
    "StatutoryGateway",
    "basis_type",
]


class Art6Point(enum.Enum):
    """UK GDPR Article 6(1) points."""

    CONSENT = "a"
    CONTRACT = "b"
    LEGAL_OBLIGATION = "c"
    VITAL_INTERESTS = "d"
    PUBLIC_TASK = "e"
    LEGITIMATE_INTERESTS = "f"


class Art9Point(enum.Enum):
    """UK GDPR Article 9(2) points."""

    EXPLICIT_CONSENT = "a"
    EMPLOYMENT_SOCIAL_SECURITY = "b"
    VITAL_INTERESTS = "c"
    NOT_FOR_PROFIT = "d"
    MANIFESTLY_PUBLIC = "e"
    LEGAL_CLAIMS = "f"
    SUBSTANTIAL_PUBLIC_INTEREST = "g"
    HEALTH_OR_SOCIAL_CARE = "h"
    PUBLIC_HEALTH = "i"
    ARCHIVING_RESEARCH_STATISTICS = "j"


#: Art 9(2) points that are only lawful with a matching DPA 2018 Schedule 1 condition (DPA 2018 s.10).
ART9_NEEDS_SCHEDULE_1: Final = frozenset({"b", "g", "h", "i", "j"})

#: The Schedule 1 part whose conditions meet each Art 9(2) point that needs one (DPA 2018 s.10(2)-(3)).
ART9_SCHEDULE_1_PARTS: Final[Mapping[str, frozenset[tuple[int, int]]]] = {
    "b": frozenset({(1, 1)}),
    "h": frozenset({(1, 2)}),
    "i": frozenset({(1, 3)}),
    "j": frozenset({(1, 4)}),
    "g": frozenset((2, n) for n in range(6, 29)),
}


@frozen(kw_only=True)
class Art6Basis:
    """A lawful basis under UK GDPR Article 6(1), point (a) to (f)."""

    point: Art6Point
    type: Literal["uk-gdpr-art6"] = "uk-gdpr-art6"


@frozen(kw_only=True)
class Art9Condition:
    """A condition for special category data under UK GDPR Article 9(2), point (a) to (j)."""

    point: Art9Point
    type: Literal["uk-gdpr-art9"] = "uk-gdpr-art9"

    @property
    def needs_schedule_1(self) -> bool:
        """Whether DPA 2018 s.10 requires a matching Schedule 1 condition for this point."""
        return self.point.value in ART9_NEEDS_SCHEDULE_1


@frozen(kw_only=True)
class Art10Basis:
    """Criminal offence data under UK GDPR Article 10: official authority, or authorised by law."""

    authority: Literal["official-authority", "authorised-by-law"]
    type: Literal["uk-gdpr-art10"] = "uk-gdpr-art10"


@frozen(kw_only=True)
class Schedule1Condition:
    """A condition in DPA 2018 Schedule 1 (Part 1, 2 or 3, by paragraph).

    ``appropriate_policy_document`` records whether the controller has the
    appropriate policy document Schedule 1 Part 4 requires for this condition.
    """

    part: Literal[1, 2, 3]
    paragraph: int = field()
    appropriate_policy_document: bool
    type: Literal["dpa-2018-schedule-1"] = "dpa-2018-schedule-1"

    @paragraph.validator
    def _check_paragraph(self, _: object, value: int) -> None:
        ranges = {1: range(1, 5), 2: range(6, 29), 3: range(29, 38)}
        if value not in ranges[self.part]:
            raise CatalogueError(f"Schedule 1 Part {self.part} has no paragraph {value}")

    @property
    def needs_policy_document(self) -> bool:
        """Whether Schedule 1 requires an appropriate policy document for this condition.

        Part 1 paragraph 1 (employment) does, by paragraph 1(1)(b), and so do
        the Part 2 conditions, by paragraph 5; the few Part 2 paragraphs that
        waive it are not singled out here, so the flag errs on the safe side.
        """
        return (self.part, self.paragraph) == (1, 1) or self.part == 2


@frozen(kw_only=True)
class LawEnforcementBasis:
    """Law enforcement processing under DPA 2018 Part 3 (s.35), with a Schedule 8 condition when sensitive."""

    ground: Literal["consent", "law-enforcement-task"]
    schedule_8_paragraph: int | None = None
    type: Literal["dpa-2018-part-3"] = "dpa-2018-part-3"


@frozen(kw_only=True)
class StatutoryGateway:
    """A statutory power or duty to share (an act and section). It never replaces a UK GDPR basis."""

    act: str
    section: str
    nature: Literal["power", "duty"]
    type: Literal["statutory-gateway"] = "statutory-gateway"


@frozen(kw_only=True)
class CommonLawBasis:
    """A basis for setting aside the common law duty of confidentiality."""

    ground: Literal[
        "implied-consent",
        "explicit-consent",
        "legal-requirement",
        "section-251-support",
        "overriding-public-interest",
    ]
    type: Literal["common-law"] = "common-law"


LegalBasis: TypeAlias = (
    Art6Basis
    | Art9Condition
    | Art10Basis
    | Schedule1Condition
    | LawEnforcementBasis
    | StatutoryGateway
    | CommonLawBasis
)

_BASIS_TYPES: Final[Mapping[str, type[LegalBasis]]] = {
    "uk-gdpr-art6": Art6Basis,
    "uk-gdpr-art9": Art9Condition,
    "uk-gdpr-art10": Art10Basis,
    "dpa-2018-schedule-1": Schedule1Condition,
    "dpa-2018-part-3": LawEnforcementBasis,
    "statutory-gateway": StatutoryGateway,
    "common-law": CommonLawBasis,
}


def basis_type(name: str) -> type[LegalBasis]:
    """Return the class for a wire ``type`` name, or raise `CatalogueError`."""
    try:
        return _BASIS_TYPES[name]
    except KeyError:
        raise CatalogueError(f"unknown legal basis type {name!r}") from None


@frozen(kw_only=True)
class CatalogueEntry:
    """A legal basis with the id flows cite it by, a title and its citation."""

    id: str
    title: str
    citation: str
    basis: LegalBasis


@frozen
class Catalogue:
    """An immutable id → `CatalogueEntry` mapping. Extend it with `extended`.

    ``Catalogue.builtin()`` holds the bases UK public bodies commonly rely on,
    each with its citation; ``catalogue.extended(entries)`` returns a new
    catalogue with more entries and refuses to redefine an id with a
    different basis.
    """

    _entries: Mapping[str, CatalogueEntry]

    @classmethod
    def builtin(cls) -> Catalogue:
        """Return the catalogue shipped with the library."""
        return _builtin()

    @classmethod
    def of(cls, entries: Iterable[CatalogueEntry]) -> Catalogue:
        """Return a catalogue holding exactly *entries*."""
        return cls({}).extended(entries)

    def extended(self, entries: Iterable[CatalogueEntry]) -> Catalogue:
        """Return a new catalogue with *entries* added.

        Re-declaring an existing id with an identical entry is allowed (a
        charter and an agreement may both spell out the same local basis);
        re-declaring it with a different basis raises `CatalogueError`.
        """
        merged = dict(self._entries)
        for entry in entries:
            existing = merged.get(entry.id)
            if existing is not None and existing.basis != entry.basis:
                raise CatalogueError(f"legal basis {entry.id!r} is already defined differently")
            merged[entry.id] = entry
        return Catalogue(merged)

    def get(self, basis_id: str) -> CatalogueEntry | None:
        """Return the entry for *basis_id*, or ``None``."""
        return self._entries.get(basis_id)

    def __getitem__(self, basis_id: str) -> CatalogueEntry:
        return self._entries[basis_id]

    def __contains__(self, basis_id: object) -> bool:
        return basis_id in self._entries

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


_BUILTIN: list[Catalogue] = []


def _builtin() -> Catalogue:
    if not _BUILTIN:
        from woda_sharing.codec import structure_entries  # noqa: PLC0415 - codec imports this module

        raw: Any = json.loads(
            resources.files("woda_sharing").joinpath("data/legal-bases.json").read_bytes()
        )
        _BUILTIN.append(Catalogue.of(structure_entries(raw["entries"])))
    return _BUILTIN[0]
