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

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, Literal, TypeAlias

from attrs import field, frozen

from woda_sharing.exceptions import CatalogueError

__all__ = [
    "ANNEX_1_CONDITIONS",
    "ART9_NEEDS_SCHEDULE_1",
    "ART9_SCHEDULE_1_PARTS",
    "SCHEDULE_1_NEEDS_POLICY_DOCUMENT",
    "SCHEDULE_1_PARAGRAPHS",
    "SCHEDULE_8_PARAGRAPHS",
    "Amendment",
    "Art6Basis",
    "Art6Point",
    "Art9Condition",
    "Art9Point",
    "Art10Basis",
    "Catalogue",
    "CatalogueEntry",
    "CommonLawBasis",
    "CommonLawPower",
    "FurtherProcessing",
    "InternationalLawCondition",
    "LawEnforcementBasis",
    "LegalBasis",
    "Schedule1Condition",
    "Schedule2Exemption",
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
    RECOGNISED_LEGITIMATE_INTERESTS = "ea"
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

#: The paragraphs of UK GDPR Annex 1 that are recognised legitimate interest conditions, as the
#: Data (Use and Access) Act 2025 Schedule 4 enacted it: 1 disclosure for a public task on request,
#: 2 national security, public security and defence, 3 emergencies, 5 crime, 6 safeguarding
#: vulnerable individuals. Paragraphs 4 and 7 interpret 3 and 6. Regulations may add paragraphs
#: after 7 (Article 6(6)), so a later paragraph is accepted.
ANNEX_1_CONDITIONS: Final = frozenset({1, 2, 3, 5, 6})
_ANNEX_1_INTERPRETATION: Final = frozenset({4, 7})


@frozen(kw_only=True)
class Art6Basis:
    """A lawful basis under UK GDPR Article 6(1), point (a) to (f) or (ea).

    Point (ea), recognised legitimate interests, is met only through a condition
    in Annex 1 (Article 6(5)), so it names its Annex 1 paragraph in
    ``annex_1_paragraph``; no other point has one. Getting either wrong raises
    `CatalogueError`.
    """

    point: Art6Point
    annex_1_paragraph: int | None = field(default=None)
    type: Literal["uk-gdpr-art6"] = "uk-gdpr-art6"

    @annex_1_paragraph.validator
    def _check_annex_1(self, _: object, value: int | None) -> None:
        if self.point is Art6Point.RECOGNISED_LEGITIMATE_INTERESTS:
            if value is None:
                raise CatalogueError(
                    "Article 6(1)(ea) is met only through an Annex 1 condition (Article 6(5)):"
                    " name its paragraph in annex_1_paragraph"
                )
            if isinstance(value, bool) or value < 1 or value in _ANNEX_1_INTERPRETATION:
                raise CatalogueError(
                    f"UK GDPR Annex 1 has no condition in paragraph {value!r}"
                    f" (its conditions are paragraphs {sorted(ANNEX_1_CONDITIONS)}; 4 and 7 interpret them)"
                )
        elif value is not None:
            raise CatalogueError(
                f"only point (ea) has an Annex 1 condition, not point ({self.point.value})"
            )


@frozen(kw_only=True)
class FurtherProcessing:
    """Processing for a new purpose that is compatible with the original one (UK GDPR Article 8A).

    ``condition`` is ``"assessed-compatible"`` when the controller assessed the
    compatibility against Article 8A(2), or the Annex 2 condition the new
    purpose meets. Compatibility is never a lawful basis (Article 5(3)): it is
    what a flow between two capacities of one organisation cites as its
    ``capacity_basis``.
    """

    condition: Literal[
        "assessed-compatible",
        "public-task-disclosure",
        "archiving-disclosure",
        "public-security",
        "emergencies",
        "crime",
        "vital-interests",
        "safeguarding",
        "taxation",
        "legal-obligation",
    ]
    type: Literal["uk-gdpr-art8a"] = "uk-gdpr-art8a"


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
class InternationalLawCondition:
    """A condition in DPA 2018 Schedule A1: relevant international law as the basis Articles 6(3), 8A(3)(e), 9(2)(g) and 10(1) ask for (DPA 2018 s.9A)."""

    paragraph: int = field()
    type: Literal["dpa-2018-schedule-a1"] = "dpa-2018-schedule-a1"

    @paragraph.validator
    def _check_paragraph(self, _: object, value: int) -> None:
        if isinstance(value, bool) or value < 1:
            raise CatalogueError(f"DPA 2018 Schedule A1 has no paragraph {value!r}")


@frozen(kw_only=True)
class Schedule2Exemption:
    """An exemption in DPA 2018 Schedule 2, by part and paragraph.

    An exemption disapplies the provisions it lists (transparency, subject
    rights, purpose limitation) so far as applying them would prejudice its
    purpose. It is never a lawful basis: no rule accepts it in place of one,
    and a flow records it among its ``exemptions``.
    """

    part: Literal[1, 2, 3, 4, 5, 6]
    paragraph: int = field()
    type: Literal["dpa-2018-schedule-2"] = "dpa-2018-schedule-2"

    @paragraph.validator
    def _check_paragraph(self, _: object, value: int) -> None:
        if isinstance(value, bool) or value < 1:
            raise CatalogueError(f"DPA 2018 Schedule 2 has no paragraph {value!r}")


@frozen(kw_only=True)
class LawEnforcementBasis:
    """Law enforcement processing under DPA 2018 Part 3 (s.35), with a Schedule 8 condition when sensitive.

    ``schedule_8_paragraph`` names the Schedule 8 condition that sensitive
    processing relies on (s.35(5)(b)); a paragraph outside 1-9 raises `CatalogueError`.
    For sensitive processing the controller also needs an appropriate policy
    document (s.35(4)(b), (5)(c), s.42) and, on a Schedule 8 condition, the
    processing must be strictly necessary (s.35(5)(a)), a test of its own:
    ``appropriate_policy_document`` and ``strictly_necessary`` record them
    (``None``: not recorded).
    """

    ground: Literal["consent", "law-enforcement-task"]
    schedule_8_paragraph: int | None = field(default=None)
    appropriate_policy_document: bool | None = None
    strictly_necessary: bool | None = None
    type: Literal["dpa-2018-part-3"] = "dpa-2018-part-3"

    @schedule_8_paragraph.validator
    def _check_schedule_8(self, _: object, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or value not in SCHEDULE_8_PARAGRAPHS):
            raise CatalogueError(f"DPA 2018 Schedule 8 has no paragraph {value!r} (it has 1-9)")


@frozen(kw_only=True)
class StatutoryGateway:
    """A provision of an act that requires, allows or implies sharing. It never replaces a UK GDPR basis.

    ``nature`` says what the provision does: ``"duty-to-disclose"``,
    ``"power-to-disclose"``, or ``"function"`` (a duty or power to do something
    else, such as to co-operate or to make enquiries, that implies sharing to
    carry it out). Format 1's ``"duty"`` and ``"power"`` are kept as written and
    mean a duty and a power to disclose.
    """

    act: str
    section: str
    nature: Literal["duty-to-disclose", "power-to-disclose", "function", "duty", "power"]
    type: Literal["statutory-gateway"] = "statutory-gateway"

    @property
    def disclosure(self) -> Literal["duty", "power", "function"]:
        """What the provision makes of a disclosure: a duty, a power, or part of a function."""
        if self.nature in ("duty-to-disclose", "duty"):
            return "duty"
        if self.nature in ("power-to-disclose", "power"):
            return "power"
        return "function"


@frozen(kw_only=True)
class CommonLawPower:
    """A common law power to disclose: the police's, for a policing purpose. It never replaces a UK GDPR or Part 3 basis."""

    power: Literal["police-policing-purpose"]
    type: Literal["common-law-power"] = "common-law-power"


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
    | FurtherProcessing
    | Art9Condition
    | Art10Basis
    | Schedule1Condition
    | InternationalLawCondition
    | Schedule2Exemption
    | LawEnforcementBasis
    | StatutoryGateway
    | CommonLawPower
    | CommonLawBasis
)

_BASIS_TYPES: Final[Mapping[str, type[LegalBasis]]] = {
    "uk-gdpr-art6": Art6Basis,
    "uk-gdpr-art8a": FurtherProcessing,
    "uk-gdpr-art9": Art9Condition,
    "uk-gdpr-art10": Art10Basis,
    "dpa-2018-schedule-1": Schedule1Condition,
    "dpa-2018-schedule-a1": InternationalLawCondition,
    "dpa-2018-schedule-2": Schedule2Exemption,
    "dpa-2018-part-3": LawEnforcementBasis,
    "statutory-gateway": StatutoryGateway,
    "common-law-power": CommonLawPower,
    "common-law": CommonLawBasis,
}


def basis_type(name: str) -> type[LegalBasis]:
    """Return the class for a wire ``type`` name, or raise `CatalogueError`."""
    try:
        return _BASIS_TYPES[name]
    except KeyError:
        raise CatalogueError(f"unknown legal basis type {name!r}") from None


@frozen(kw_only=True)
class Amendment:
    """An amendment to the provision an entry cites: when it took effect, and what made it."""

    date: dt.date
    by: str


@frozen(kw_only=True)
class CatalogueEntry:
    """A legal basis with the id flows cite it by, a title and its citation.

    ``url`` is where the provision can be read; ``in_force`` and ``repealed``
    bound when it can be relied on (``None``: not recorded); ``amended`` lists
    the amendments since, oldest first; ``source`` says what the citation and
    dates were checked against, and what could not be checked.
    """

    id: str
    title: str
    citation: str
    basis: LegalBasis
    url: str | None = None
    in_force: dt.date | None = None
    repealed: dt.date | None = None
    amended: tuple[Amendment, ...] = ()
    source: str | None = None

    def in_force_on(self, day: dt.date) -> bool | None:
        """Whether the provision could be relied on on *day*; ``None`` when no in-force date is recorded and it is not repealed by then."""
        if self.repealed is not None and day >= self.repealed:
            return False
        if self.in_force is None:
            return None
        return day >= self.in_force


def _redeclared(existing: CatalogueEntry, entry: CatalogueEntry) -> CatalogueEntry:
    """Merge a re-declaration of *existing*: same basis and dates, later title and citation."""
    if existing.basis != entry.basis:
        raise CatalogueError(
            f"legal basis {entry.id!r} is already defined differently"
            f" (as {existing.citation}); declare yours under another id"
        )
    for name in ("in_force", "repealed"):
        old, new = getattr(existing, name), getattr(entry, name)
        if old is not None and new is not None and old != new:
            raise CatalogueError(
                f"legal basis {entry.id!r} is already recorded with {name} {old.isoformat()},"
                f" not {new.isoformat()}; declare yours under another id"
            )
    return CatalogueEntry(
        id=entry.id,
        title=entry.title,
        citation=entry.citation,
        basis=entry.basis,
        url=existing.url or entry.url,
        in_force=existing.in_force or entry.in_force,
        repealed=existing.repealed or entry.repealed,
        amended=existing.amended or entry.amended,
        source=existing.source or entry.source,
    )


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
        library ships); the later entry's title and citation are kept, and
        what the earlier entry records about time (``in_force``, ``repealed``,
        ``amended``) and its ``url`` and ``source`` are kept unless it records
        none: a re-declaration can add a date, never drop one, so a document
        cannot make a basis in force by spelling it out again. Re-declaring
        an id with a different basis or different dates raises
        `CatalogueError`: an id must mean one provision wherever it is cited.
        """
        merged = dict(self._entries)
        for entry in entries:
            existing = merged.get(entry.id)
            merged[entry.id] = entry if existing is None else _redeclared(existing, entry)
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
