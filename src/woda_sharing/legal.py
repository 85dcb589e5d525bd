"""Legal bases as a closed family of typed objects, and the catalogue that names them.

A flow cites legal bases by id. The id resolves through a `Catalogue`: the
built-in entries shipped with the library (each with its citation, loaded by
`woda_sharing.builtin_catalogue`), extended by the charter's and the agreement's
own ``legal_bases`` entries, or by a caller's. This module is types only: it
reads no files and knows no wire format.

The family is closed on purpose: a basis is one of the types below, each
mirroring a provision of UK GDPR, the Data Protection Act 2018, a statute, or
the common law duty of confidentiality. A charter is *never* a legal basis, so
there is no type for it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, Literal, TypeAlias

from attrs import field, frozen

from woda_sharing.exceptions import CatalogueError

__all__ = [
    "ART9_NEEDS_SCHEDULE_1",
    "ART9_SCHEDULE_1_PARTS",
    "SCHEDULE_1_NEEDS_POLICY_DOCUMENT",
    "SCHEDULE_1_PARAGRAPHS",
    "SCHEDULE_8_PARAGRAPHS",
    "Art6Basis",
    "Art6Point",
    "Art9Condition",
    "Art9Point",
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


#: Art 9(2) points that are only lawful with a DPA 2018 Schedule 1 condition (DPA 2018 s.10(1)).
ART9_NEEDS_SCHEDULE_1: Final = frozenset({"b", "g", "h", "i", "j"})

#: The paragraphs of each part of DPA 2018 Schedule 1 that are conditions. Paragraph 5 (the
#: appropriate policy document rule for Part 2) and Part 4 (paragraphs 38-41) are not.
SCHEDULE_1_PARAGRAPHS: Final[Mapping[int, range]] = {
    1: range(1, 5),
    2: range(6, 29),
    3: range(29, 38),
}

#: The (part, paragraph) Schedule 1 conditions that meet each Art 9(2) point needing one.
#:
#: DPA 2018 s.10(2) sends points (b), (h), (i) and (j) to "a condition in Part 1", and each
#: Part 1 paragraph is written for one of them: 1 employment and social security (b), 2 health
#: or social care (h), 3 public health (i), 4 research etc (j). Point (g) needs one of the
#: substantial public interest conditions in Part 2 (s.10(3)).
ART9_SCHEDULE_1_PARTS: Final[Mapping[str, frozenset[tuple[int, int]]]] = {
    "b": frozenset({(1, 1)}),
    "h": frozenset({(1, 2)}),
    "i": frozenset({(1, 3)}),
    "j": frozenset({(1, 4)}),
    "g": frozenset((2, n) for n in SCHEDULE_1_PARAGRAPHS[2]),
}

#: The (part, paragraph) Schedule 1 conditions that are met only with an appropriate policy
#: document (Schedule 1 Part 4, paragraph 39).
#:
#: Part 1 paragraph 1 requires one by paragraph 1(1)(b); every Part 2 condition by paragraph
#: 5(1), except paragraph 13 (journalism), which paragraph 13(3) waives; Part 3 paragraph 35
#: by paragraph 35(1); paragraphs 36 and 37 carry over the requirement of the Part 2
#: conditions they extend. Paragraphs 10 and 27 waive it only for a disclosure to a competent
#: authority (10(2)) or to an anti-doping body (27(3)), and paragraph 36 only inherits it, so
#: they are listed: the flag errs on the side of asking for the document.
SCHEDULE_1_NEEDS_POLICY_DOCUMENT: Final[frozenset[tuple[int, int]]] = frozenset(
    {(1, 1), (3, 35), (3, 36), (3, 37)} | {(2, n) for n in SCHEDULE_1_PARAGRAPHS[2] if n != 13}
)

#: The paragraphs of DPA 2018 Schedule 8 (conditions for sensitive law enforcement processing).
SCHEDULE_8_PARAGRAPHS: Final = range(1, 10)


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
    appropriate policy document Schedule 1 Part 4 describes. Constructing a
    condition for a paragraph its part does not have raises `CatalogueError`.
    """

    part: Literal[1, 2, 3]
    paragraph: int = field()
    appropriate_policy_document: bool
    type: Literal["dpa-2018-schedule-1"] = "dpa-2018-schedule-1"

    @paragraph.validator
    def _check_paragraph(self, _: object, value: int) -> None:
        paragraphs = SCHEDULE_1_PARAGRAPHS.get(self.part)
        if paragraphs is None:
            raise CatalogueError(f"DPA 2018 Schedule 1 has no Part {self.part!r} of conditions")
        if isinstance(value, bool) or value not in paragraphs:
            raise CatalogueError(
                f"DPA 2018 Schedule 1 Part {self.part} has no condition in paragraph {value!r}"
                f" (its conditions are paragraphs {paragraphs.start}-{paragraphs.stop - 1})"
            )

    @property
    def needs_policy_document(self) -> bool:
        """Whether the law requires an appropriate policy document for this condition.

        See `SCHEDULE_1_NEEDS_POLICY_DOCUMENT` for the provisions behind the answer.
        """
        return (self.part, self.paragraph) in SCHEDULE_1_NEEDS_POLICY_DOCUMENT


@frozen(kw_only=True)
class LawEnforcementBasis:
    """Law enforcement processing under DPA 2018 Part 3 (s.35), with a Schedule 8 condition when sensitive.

    ``schedule_8_paragraph`` names the Schedule 8 condition that sensitive
    processing relies on (s.35(5)); a paragraph outside 1-9 raises `CatalogueError`.
    """

    ground: Literal["consent", "law-enforcement-task"]
    schedule_8_paragraph: int | None = field(default=None)
    type: Literal["dpa-2018-part-3"] = "dpa-2018-part-3"

    @schedule_8_paragraph.validator
    def _check_schedule_8(self, _: object, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or value not in SCHEDULE_8_PARAGRAPHS):
            raise CatalogueError(f"DPA 2018 Schedule 8 has no paragraph {value!r} (it has 1-9)")


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

    ``builtin_catalogue()`` returns the bases UK public bodies commonly rely
    on, each with its citation; ``catalogue.extended(entries)`` returns a new
    catalogue with more entries and refuses to redefine an id with a
    different basis.
    """

    _entries: Mapping[str, CatalogueEntry]

    @classmethod
    def of(cls, entries: Iterable[CatalogueEntry]) -> Catalogue:
        """Return a catalogue holding exactly *entries*."""
        return cls({}).extended(entries)

    def extended(self, entries: Iterable[CatalogueEntry]) -> Catalogue:
        """Return a new catalogue with *entries* added.

        Re-declaring an existing id with the same basis is allowed (a charter
        and an agreement may both spell out the same local basis, or one the
        library ships); the later entry's title and citation are kept.
        Re-declaring it with a different basis raises `CatalogueError`: an id
        must mean one provision wherever it is cited.
        """
        merged = dict(self._entries)
        for entry in entries:
            existing = merged.get(entry.id)
            if existing is not None and existing.basis != entry.basis:
                raise CatalogueError(
                    f"legal basis {entry.id!r} is already defined differently"
                    f" (as {existing.citation}); declare yours under another id"
                )
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
