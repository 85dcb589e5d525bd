"""The typed documents: charters, agreements and everything inside them.

Every class is an attrs class that is frozen, slotted and keyword-only, and
checks the type of every field when it is built: a string where a tuple of
parties belongs raises `UsageError` (a `TypeError`) naming the field. The
codec builds objects from data it has already checked, inside `unchecked`,
so structuring a document does not pay for the check twice.
The model knows nothing of files or JSON: `woda_sharing._codec` owns the
conversion to and from the wire format, where names can differ (a flow's
``from`` is `Flow.source` here) and dates are ISO strings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import re
import threading
import types
import typing
from collections.abc import Callable, Iterator
from typing import Final, Literal, TypeGuard

import attrs
from attrs import field, frozen

from woda_sharing._legal import CatalogueEntry
from woda_sharing.exceptions import UsageError

__all__ = [
    "DEFAULT_NOTICE_DAYS",
    "ID_MAX_LENGTH",
    "Action",
    "Agreement",
    "Audit",
    "Breach",
    "BreachNotice",
    "Category",
    "Change",
    "Charter",
    "CharterPurpose",
    "CharterRef",
    "Conditions",
    "Consent",
    "Contact",
    "ContactRole",
    "Control",
    "DataItem",
    "Defaults",
    "DocumentStatus",
    "Dpia",
    "Duration",
    "Duty",
    "Endorsement",
    "EndorsementRule",
    "Flow",
    "Frequency",
    "Governance",
    "Instruction",
    "InternationalTransfers",
    "LegalStatus",
    "Marking",
    "Measure",
    "Member",
    "Method",
    "Office",
    "OfficeHolder",
    "PaperOriginal",
    "Party",
    "Permission",
    "PolicyDocument",
    "Principle",
    "Prohibition",
    "Purpose",
    "Retention",
    "ReviewCycle",
    "Rights",
    "Role",
    "Sector",
    "Separation",
    "SharedRecord",
    "Signatory",
    "SubjectCategory",
    "Supersedes",
    "Termination",
    "Transparency",
    "Waiver",
    "is_id",
    "notice_days",
    "unchecked",
]


#: Days before a review or end date that warnings start when the charter sets no ``notice_days``.
DEFAULT_NOTICE_DAYS: Final = 90

_ID: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: attrs metadata of a member added to format 1 after its first release: the codec leaves
#: it out of the wire form while it has its default, so documents written before it
#: existed keep their exact bytes when they go through the model.
_ADDED: Final = {"omit_if_default": True}
#: The longest identifier the schemas allow.
ID_MAX_LENGTH: Final = 64


def is_id(value: object) -> TypeGuard[str]:
    """Whether *value* is an identifier: lower-case ASCII letters and digits, single hyphens, at most 64.

    The same rule as ``$defs/id`` in the schemas; code that checks ids
    outside schema validation (signing headers, command-line options) uses it.
    """
    return (
        isinstance(value, str) and len(value) <= ID_MAX_LENGTH and _ID.fullmatch(value) is not None
    )


# --------------------------------------------------------------------------- type checks

_Check = Callable[[object], bool]
_SWAP: Final = threading.Lock()
_structuring = 0


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """Build model objects without the type checks at construction, for data already checked.

    The codec uses it around structuring: the schema (or the strict
    converter) has checked every value's type already, and a check per
    object would cost more than a tenth of structuring. The checks are
    switched off for the whole process while any thread is inside, so an
    object another thread builds meanwhile is not checked either (a
    wrongly typed one still gets findings from `woda_sharing.validate`).
    Nothing but the codec should use it.
    """
    global _structuring  # noqa: PLW0603 - one switch for the process, under a lock
    with _SWAP:
        _structuring += 1
        if _structuring == 1:
            # A C-level method that takes only self: the post-init call then costs next to nothing.
            setattr(_Checked, "__attrs_post_init__", object.__sizeof__)  # noqa: B010 - mypy would refuse the assignment
    try:
        yield
    finally:
        with _SWAP:
            _structuring -= 1
            if _structuring == 0:
                setattr(_Checked, "__attrs_post_init__", _check_types)  # noqa: B010 - as above


def _describe(tp: object) -> str:
    """*tp* in words: ``a tuple of Party``, ``str or None``, ``one of 'delete', 'return'``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"a tuple of {_describe(args[0])}"
    if tp is type(None):
        return "None"
    return getattr(tp, "__name__", str(tp))


def _is_tuple_of(inner: _Check) -> _Check:
    return lambda v: isinstance(v, tuple) and all(inner(x) for x in v)


def _is_any_of(checks: list[_Check]) -> _Check:
    return lambda v: any(c(v) for c in checks)


def _is_exactly(tp: type) -> _Check:
    return lambda v: type(v) is tp


def _is_instance(tp: type) -> _Check:
    return lambda v: isinstance(v, tp)


def _checker(tp: object) -> _Check | None:
    """A predicate for values of annotation *tp*, or ``None`` when *tp* is not checked."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    check: _Check | None = None
    if origin is Literal:
        allowed = tuple((type(a), a) for a in args)
        check = lambda v: (type(v), v) in allowed  # noqa: E731 - one small closure per case
    elif origin in (typing.Union, types.UnionType):
        checks = [_checker(a) for a in args]
        if all(c is not None for c in checks):
            check = _is_any_of(typing.cast("list[_Check]", checks))
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _checker(args[0])
        check = None if inner is None else _is_tuple_of(inner)
    elif tp is type(None):
        check = lambda v: v is None  # noqa: E731 - one small closure per case
    elif tp in (bool, int, str, dt.date):  # no bool for an int, no datetime for a date
        check = _is_exactly(typing.cast("type", tp))
    elif isinstance(tp, type):
        check = _is_instance(tp)
    return check


_CHECKS: dict[type, tuple[tuple[str, _Check, str], ...]] = {}


def _checks(cls: type) -> tuple[tuple[str, _Check, str], ...]:
    """The (field, predicate, description) of every checked field of *cls*, built once."""
    found = _CHECKS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        out = []
        for a in attrs.fields(cls):
            check = _checker(hints[a.name])
            if check is not None:
                out.append((a.name, check, _describe(hints[a.name])))
        found = _CHECKS[cls] = tuple(out)
    return found


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_types(self: object) -> None:
    """Raise `UsageError` naming the first field of *self* whose value is not of its type."""
    for name, check, wanted in _checks(type(self)):
        value = getattr(self, name)
        if not check(value):
            raise UsageError(
                f"{type(self).__name__}.{name} must be {wanted},"
                f" not {type(value).__name__}: {_shown(value)}"
            )


class _Checked:
    """Checks every field's type when an object is built (not while the codec structures)."""

    __slots__ = ()
    __attrs_post_init__ = _check_types


class Frequency(enum.StrEnum):
    """How often a flow sends data. A `str`, so ``flow.frequency == "daily"`` still reads naturally."""

    ONE_OFF = "one-off"
    AD_HOC = "ad-hoc"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"
    CONTINUOUS = "continuous"


class Method(enum.StrEnum):
    """How a flow sends data. A `str`, so ``flow.method == "sftp"`` still reads naturally."""

    SECURE_EMAIL = "secure-email"
    SFTP = "sftp"
    API = "api"
    SHARED_SYSTEM = "shared-system"
    SECURE_PORTAL = "secure-portal"
    CASE_CONFERENCE = "case-conference"
    REMOVABLE_MEDIA = "removable-media"


_E = typing.TypeVar("_E", bound=enum.StrEnum)


class _Members(dict[str, _E]):
    """A `StrEnum`'s members by value; a member finds itself (it equals its value).

    Its ``__getitem__`` is the attrs converter of a field of that enum: a
    C-level lookup, so structuring pays next to nothing for it.
    """

    def __init__(self, cls: type[_E]) -> None:
        super().__init__({m.value: m for m in cls})
        self.cls = cls

    def __missing__(self, value: object) -> _E:
        allowed = ", ".join(repr(m.value) for m in self.cls)
        raise UsageError(f"{_shown(value)} is not a {self.cls.__name__} (one of {allowed})")


_FREQUENCIES: Final = _Members(Frequency)
_METHODS: Final = _Members(Method)


class Category(enum.Enum):
    """How a data item is classified for data protection purposes."""

    PERSONAL = "personal"
    SPECIAL_CATEGORY = "special-category"
    CRIMINAL_OFFENCE = "criminal-offence"
    PSEUDONYMISED = "pseudonymised"
    ANONYMISED = "anonymised"
    AGGREGATE = "aggregate"

    @property
    def is_personal_data(self) -> bool:
        """Whether data of this category is personal data (pseudonymised data still is)."""
        return self not in (Category.ANONYMISED, Category.AGGREGATE)


class Marking(enum.Enum):
    """A protective marking under the Government Security Classifications, lowest first."""

    OFFICIAL = "official"
    OFFICIAL_SENSITIVE = "official-sensitive"
    SECRET = "secret"  # noqa: S105 - a protective marking, not a password
    TOP_SECRET = "top-secret"  # noqa: S105 - a protective marking, not a password

    @property
    def rank(self) -> int:
        """The marking's place in the order OFFICIAL < OFFICIAL-SENSITIVE < SECRET < TOP SECRET."""
        return _MARKING_RANK[self]


_MARKING_RANK: Final = {m: i for i, m in enumerate(Marking)}


class DocumentStatus(enum.Enum):
    """Where a document is in its approval."""

    DRAFT = "draft"
    UNDER_REVIEW = "under-review"
    APPROVED = "approved"


class ContactRole(enum.Enum):
    """The post a contact holds for data protection purposes."""

    DESIGNATED_OFFICER = "designated-officer"
    DPO = "dpo"
    IG_LEAD = "ig-lead"
    SIRO = "siro"
    CALDICOTT_GUARDIAN = "caldicott-guardian"
    BREACH_CONTACT = "breach-contact"
    OTHER = "other"


_NOT_PERSONAL: Final = frozenset({Category.ANONYMISED, Category.AGGREGATE})


class Role(enum.Enum):
    """A party's data protection role in an agreement."""

    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint-controller"
    PROCESSOR = "processor"


class Sector(enum.Enum):
    """The kind of body a charter member is."""

    COUNTY_COUNCIL = "county-council"
    DISTRICT_COUNCIL = "district-council"
    UNITARY_COUNCIL = "unitary-council"
    CENTRAL_GOVERNMENT = "central-government"
    POLICE = "police"
    PROBATION = "probation"
    PRISON = "prison"
    YOUTH_JUSTICE = "youth-justice"
    FIRE_AND_RESCUE = "fire-and-rescue"
    NHS = "nhs"
    GP_PRACTICE = "gp-practice"
    EDUCATION = "education"
    SCHOOL = "school"
    HOUSING_ASSOCIATION = "housing-association"
    VOLUNTARY = "voluntary"
    CHARITY = "charity"
    COMMUNITY_INTEREST_COMPANY = "community-interest-company"
    OTHER = "other"

    @property
    def law_enforcement(self) -> bool:
        """Whether bodies of this sector are usually competent authorities (DPA 2018 Schedule 7)."""
        return self in (Sector.POLICE, Sector.PROBATION, Sector.PRISON, Sector.YOUTH_JUSTICE)


class Control(enum.Enum):
    """A control a charter can require every agreement to carry."""

    DPIA = "dpia"
    RETENTION = "retention"
    SECURITY = "security"
    RIGHTS = "rights"
    TRANSPARENCY = "transparency"
    BREACH = "breach"
    TERMINATION = "termination"
    REVIEW = "review"


@frozen(kw_only=True)
class Endorsement(_Checked):
    """A signed endorsement as it sits in a document: a JWS with a detached payload.

    The model carries it opaquely; `woda_sharing._signing` makes and checks it.
    """

    protected: str
    signature: str


@frozen(kw_only=True)
class Supersedes(_Checked):
    """The version a document amends, with that version's digest."""

    version: int
    digest: str


@frozen(kw_only=True)
class Contact(_Checked):
    """A contact of an organisation, or of one of its capacities: a post, and how to reach it."""

    role: ContactRole
    post: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@frozen(kw_only=True)
class PolicyDocument(_Checked):
    """A member's own appropriate policy document: what it covers, its reference and next review.

    ``covers`` is ``"schedule-1"`` (DPA 2018 Schedule 1 paragraphs 5 and 39)
    or ``"part-3"`` (sensitive processing for law enforcement, s.35(4)(b),
    (5)(c) and s.42).
    """

    covers: Literal["schedule-1", "part-3"]
    reference: str
    review: dt.date | None = None


@frozen(kw_only=True)
class Member(_Checked):
    """An organisation that is a member of a charter."""

    id: str
    name: str
    sector: Sector
    public_authority: bool
    competent_authority: bool = False
    registration: str | None = None
    contacts: tuple[Contact, ...] = ()
    policy_documents: tuple[PolicyDocument, ...] = ()

    def has_policy_document(self, covers: Literal["schedule-1", "part-3"]) -> bool:
        """Whether the member records an appropriate policy document that covers *covers*."""
        return any(d.covers == covers for d in self.policy_documents)


@frozen(kw_only=True)
class Measure(_Checked):
    """A security measure a charter registers for agreements to name by id (beyond the built-in list)."""

    id: str
    title: str
    description: str | None = None


@frozen(kw_only=True)
class Office(_Checked):
    """One office a person holds: in which member body, and which office (district councillor)."""

    organisation: str
    office: str
    capacity: str | None = None


@frozen(kw_only=True)
class Separation(_Checked):
    """How a person holding two offices keeps each body's data apart."""

    measures: tuple[
        Literal[
            "separate-equipment",
            "separate-accounts",
            "separate-email",
            "separate-storage",
            "declaration",
            "training",
        ],
        ...,
    ]
    text: str | None = None


@frozen(kw_only=True)
class OfficeHolder(_Checked):
    """A person holding offices in two or more member bodies (a dual hatter), described by the offices only.

    Data received in one office must not reach the other: ``separation``
    records the control that keeps them apart.
    """

    id: str
    offices: tuple[Office, ...]
    description: str | None = None
    separation: Separation | None = None


@frozen(kw_only=True)
class Signatory(_Checked):
    """Who signed or approved a document for one body: the post, the date, and whether on paper."""

    organisation: str
    post: str
    date: dt.date
    name: str | None = None
    approval: str | None = None
    on_paper: bool = field(default=False, metadata=_ADDED)


@frozen(kw_only=True)
class PaperOriginal(_Checked):
    """A signed paper original: when it was signed, who holds it and where.

    With ``version`` and ``digest`` it is a print of that earlier digital
    version (the rendering prints the digest on every page); without them the
    paper came first and this document transcribes it.
    """

    signed: dt.date
    held_by: str
    location: str
    version: int | None = None
    digest: str | None = None
    reference: str | None = None


@frozen(kw_only=True)
class LegalStatus(_Checked):
    """Whether the document is meant to bind the parties, with its words."""

    binding: Literal["not-legally-binding", "legally-binding", "contract"]
    text: str | None = None


@frozen(kw_only=True)
class Audit(_Checked):
    """How compliance is audited and monitored: the words, how often (months), and when last."""

    text: str
    interval_months: int | None = None
    last: dt.date | None = None


@frozen(kw_only=True)
class InternationalTransfers(_Checked):
    """Transfers outside the UK (UK GDPR Chapter V): whether any are made, where to and under which safeguard."""

    made: bool
    destinations: tuple[str, ...] = ()
    safeguard: (
        Literal["adequacy", "idta", "addendum", "binding-corporate-rules", "derogation"] | None
    ) = None
    text: str | None = None


@frozen(kw_only=True)
class Governance(_Checked):
    """The rest of a document's governance text, typed: each member is the document's own words."""

    legal_status: LegalStatus | None = None
    foi: str | None = None
    indemnity: str | None = None
    non_compliance: str | None = None
    disputes: str | None = None
    data_quality: str | None = None
    benefits: str | None = None
    necessity: str | None = None
    audit: Audit | None = None
    international_transfers: InternationalTransfers | None = None


@frozen(kw_only=True)
class SubjectCategory(_Checked):
    """A category of data subject (victims, witnesses, children, patients), declared once and named by items and flows."""

    id: str
    title: str
    description: str | None = None
    children: bool = False


@frozen(kw_only=True)
class Change(_Checked):
    """One entry of a document's change history: the version, when, what changed and who approved it."""

    version: int
    date: dt.date
    summary: str
    approved_by: str
    label: str | None = None


@frozen(kw_only=True)
class ReviewCycle(_Checked):
    """How often a document is reviewed: ``first_months`` after it starts, then every ``then_months``."""

    then_months: int
    first_months: int | None = None

    @property
    def first(self) -> int:
        """Months from the start to the first review."""
        return self.first_months if self.first_months is not None else self.then_months


@frozen(kw_only=True)
class Waiver(_Checked):
    """A finding the partnership has accepted: its code (and pointer), why, who approved it, and until when.

    Without a ``pointer`` the waiver covers every finding of the code in the
    document. It counts up to and including its ``expires`` day.
    """

    code: str
    reason: str
    approved_by: str
    approved: dt.date
    expires: dt.date
    pointer: str | None = None


@frozen(kw_only=True)
class Principle(_Checked):
    """One principle of a charter."""

    id: str
    text: str


@frozen(kw_only=True)
class CharterPurpose(_Checked):
    """A purpose a charter permits agreements to share data for."""

    id: str
    title: str
    description: str | None = None
    law_enforcement: bool = False


@frozen(kw_only=True)
class EndorsementRule(_Checked):
    """Who must endorse: every member, or a threshold of distinct members, signing in a listed role."""

    rule: Literal["all-members", "threshold"]
    roles: tuple[str, ...]
    threshold: int | None = None


@frozen(kw_only=True)
class Action(_Checked):
    """An action of the conditions vocabulary that a charter adds to the built-in one.

    *kind* says how the action is used: a ``use`` is something a recipient
    may intend to do with data (permitted or prohibited), a ``duty`` something
    a party must do, a ``condition`` a named circumstance a request can assert
    (a trigger of a case-by-case flow, or an override of a consent model).
    """

    id: str
    title: str
    kind: Literal["use", "duty", "condition"]
    description: str | None = None


@frozen(kw_only=True)
class Charter(_Checked):
    """A data sharing charter: the partnership's members, principles, purposes and rules."""

    id: str
    version: int
    title: str
    effective: dt.date
    members: tuple[Member, ...]
    principles: tuple[Principle, ...]
    purposes: tuple[CharterPurpose, ...]
    controls: tuple[Control, ...]
    endorsement: EndorsementRule
    review_interval_months: int
    description: str | None = None
    supersedes: Supersedes | None = None
    review: dt.date | None = None
    notice_days: int | None = None
    published_fields: tuple[str, ...] | None = None
    legal_bases: tuple[CatalogueEntry, ...] = ()
    defaults: Defaults | None = None
    subjects: tuple[SubjectCategory, ...] = ()
    label: str | None = None
    status: DocumentStatus | None = None
    last_reviewed: dt.date | None = None
    history: tuple[Change, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    measures: tuple[Measure, ...] = ()
    office_holders: tuple[OfficeHolder, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    paper_originals: tuple[PaperOriginal, ...] = ()
    governance: Governance | None = None
    #: Actions the charter adds to the built-in conditions vocabulary.
    actions: tuple[Action, ...] = ()
    endorsements: tuple[Endorsement, ...] = ()
    kind: Literal["charter"] = "charter"
    format_version: Literal[1] = 1


@frozen(kw_only=True)
class CharterRef(_Checked):
    """An agreement's reference to the exact charter version it sits under."""

    id: str
    version: int
    digest: str


@frozen(kw_only=True)
class Party(_Checked):
    """An organisation acting in one capacity, with its role in the agreement."""

    id: str
    organisation: str
    role: Role
    capacity: str | None = None
    acting_for: str | None = None
    #: For a sub-processor: the controller's prior written authorisation (UK GDPR Article 28(2), (4)).
    authorisation: str | None = None
    contacts: tuple[Contact, ...] = ()


@frozen(kw_only=True)
class Purpose(_Checked):
    """A purpose of the agreement (a charter purpose id) and the items it needs."""

    id: str
    needs: tuple[str, ...]
    description: str | None = None


@frozen(kw_only=True)
class Retention(_Checked):
    """How long data is kept, and how it is disposed of.

    Exactly one of three forms: ``months`` (counted from receipt, or from the
    event named in ``after``: "24 months after case closure"), ``until`` an
    event ("the end of the study"), or ``view_only``: the recipient views the
    source system and keeps no copy, so the source's own schedule applies and
    there is nothing to delete (``deletion`` is then ``None``).
    """

    months: int | None = None
    after: str | None = None
    until: str | None = None
    view_only: bool = False
    deletion: (
        Literal["secure-deletion", "return-to-sender", "anonymise", "archive-under-law"] | None
    ) = None
    notes: str | None = None

    def describe(self) -> str:
        """The retention in words: "24 months after case closure", "until the end of the study", "view only"."""
        if self.view_only:
            return "view only (the source system's schedule applies)"
        if self.until is not None:
            return f"until {self.until}"
        return f"{self.months} months" + (f" after {self.after}" if self.after else "")


@frozen(kw_only=True)
class Duty(_Checked):
    """Something a party must do with the data (ODRL 2.2 duty): delete after use, notify the sender.

    *party* is the id of the party that must do it; without one, the
    recipient of each flow the duty applies to.
    """

    action: str
    party: str | None = None
    note: str | None = None


@frozen(kw_only=True)
class Permission(_Checked):
    """A use the recipient may make of the data (ODRL 2.2 permission), with the duties it brings.

    Once any use is permitted, a request must state its uses and every one
    must be permitted. A permission of ``onward-disclosure`` lets data
    received under the flow be passed on, under the agreements named in
    *under* (any agreement of the charter when empty).
    """

    action: str
    under: tuple[str, ...] = ()
    duties: tuple[Duty, ...] = ()


@frozen(kw_only=True)
class Prohibition(_Checked):
    """A use the recipient must not make of the data (ODRL 2.2 prohibition)."""

    action: str
    note: str | None = None


@frozen(kw_only=True)
class Consent(_Checked):
    """The consent model a sharing rests on, and the conditions that override an objection.

    ``none``: consent is not the basis and a recorded objection does not stop
    the sharing; ``implied`` and ``opt-out``: the sharing goes ahead unless
    the person refused, withdrew or opted out; ``explicit``: only with
    recorded consent. *national_opt_out*: the flow uses confidential patient
    information for research or planning, so the national data opt-out applies.
    """

    model: Literal["none", "implied", "explicit", "opt-out"]
    overrides: tuple[str, ...] = ()
    national_opt_out: bool = field(default=False, metadata=_ADDED)


@frozen(kw_only=True)
class Conditions(_Checked):
    """Conditions of use of an item, a flow or a whole agreement, enforced by decisions.

    *triggers* makes the sharing case by case: a request must assert one of
    the named conditions (a MARAC threshold, a s.47 enquiry). Conditions at
    the agreement, flow and item levels all apply together.
    """

    permissions: tuple[Permission, ...] = ()
    prohibitions: tuple[Prohibition, ...] = ()
    duties: tuple[Duty, ...] = ()
    consent: Consent | None = None
    triggers: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether these conditions say nothing."""
        return not (
            self.permissions
            or self.prohibitions
            or self.duties
            or self.consent is not None
            or self.triggers
        )


@frozen(kw_only=True)
class DataItem(_Checked):
    """A data item the agreement shares, with its classification."""

    id: str
    title: str
    category: Category | tuple[Category, ...]
    special_category: str | None = None
    children: bool = False
    retention: Retention | None = None
    #: Given in confidence (common law duty of confidentiality); ``None``: health data is, other data is not.
    confidential: bool | None = None
    subjects: tuple[str, ...] = ()
    marking: Marking | None = None
    conditions: Conditions | None = None

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category of the item: one, or several that hold together (health and offending flags)."""
        category = self.category
        return (category,) if isinstance(category, Category) else category

    @property
    def is_personal_data(self) -> bool:
        """Whether the item is personal data (pseudonymised data still is)."""
        category = self.category
        if isinstance(category, Category):  # the common case, kept cheap: rules ask per flow
            return category not in _NOT_PERSONAL
        return any(c not in _NOT_PERSONAL for c in category)

    @property
    def is_special_category(self) -> bool:
        """Whether this is special category data: so classed, or pseudonymised with a special category.

        Pseudonymised data is still personal data, and pseudonymised health data
        is still health data (UK GDPR Article 4(1)(5), Recital 26, Article 9(1)).
        """
        category = self.category
        if category is Category.SPECIAL_CATEGORY:
            return True
        if isinstance(category, Category):
            return category is Category.PSEUDONYMISED and self.special_category is not None
        return Category.SPECIAL_CATEGORY in category or (
            Category.PSEUDONYMISED in category and self.special_category is not None
        )

    @property
    def is_confidential(self) -> bool:
        """Whether the item owes the common law duty of confidentiality.

        As the item says (``confidential``); when it says nothing, health data
        is taken to have been given in confidence and other data not.
        """
        if self.confidential is not None:
            return self.confidential
        return self.is_special_category and self.special_category == "health"

    @property
    def is_criminal_offence(self) -> bool:
        """Whether this is criminal offence data, alone, combined with another category, or pseudonymised.

        Pseudonymised criminal offence data is still criminal offence data
        (UK GDPR Article 10, Article 4(5), Recital 26).
        """
        category = self.category
        if isinstance(category, Category):
            return category is Category.CRIMINAL_OFFENCE
        return Category.CRIMINAL_OFFENCE in category


@frozen(kw_only=True)
class Instruction(_Checked):
    """The controller's documented instruction a processor follows when it sends data (UK GDPR Article 28(3)(a))."""

    controller: str
    reference: str


@frozen(kw_only=True)
class Flow(_Checked):
    """Data moving from one party to another, for purposes, on legal bases."""

    id: str
    source: str
    recipient: str
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    bases: tuple[str, ...]
    #: A `Frequency`; its wire value (``"daily"``) is accepted and converted.
    frequency: Frequency = field(converter=_FREQUENCIES.__getitem__)  # type: ignore[misc] # a C-level lookup, which the attrs plugin cannot read
    #: A `Method`; its wire value (``"sftp"``) is accepted and converted.
    method: Method = field(converter=_METHODS.__getitem__)  # type: ignore[misc] # as frequency
    security: tuple[str, ...] = ()
    capacity_basis: str | None = None
    data_matching: bool = False
    #: DPA 2018 Schedule 2 exemptions the disclosure relies on (never lawful bases).
    exemptions: tuple[str, ...] = ()
    #: The sender, a public authority, discloses outside the performance of its tasks.
    outside_public_tasks: bool = field(default=False, metadata=_ADDED)
    #: For a processor's flow: the controller's documented instruction it follows.
    instruction: Instruction | None = None
    subjects: tuple[str, ...] = ()
    #: Further ways the data moves beside ``method`` (at the meeting, and by secure email outside it).
    other_methods: tuple[str, ...] = ()
    marking: Marking | None = None
    networks: tuple[str, ...] = ()
    #: Ids of security measures the charter registers.
    measures: tuple[str, ...] = ()
    conditions: Conditions | None = None

    @property
    def methods(self) -> tuple[str, ...]:
        """Every way the data moves: ``method``, then ``other_methods``."""
        return (self.method, *self.other_methods) if self.other_methods else (self.method,)


@frozen(kw_only=True)
class SharedRecord(_Checked):
    """A shared record or hub: many contributors put data in, many viewers see it.

    Declared once, it stands for a flow from every contributor to every
    viewer other than itself (`SharedRecord.flow`, `expanded_flows`), on the record's bases and for
    its purposes; the rules check it once.
    """

    id: str
    title: str
    contributors: tuple[str, ...]
    viewers: tuple[str, ...]
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    bases: tuple[str, ...]
    description: str | None = None
    host: str | None = None
    exemptions: tuple[str, ...] = ()
    capacity_basis: str | None = None
    method: str | None = None
    frequency: str | None = None
    security: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    marking: Marking | None = None
    subjects: tuple[str, ...] = ()
    data_matching: bool = field(default=False, metadata=_ADDED)

    def pairs(self) -> list[tuple[int, int]]:
        """Each (contributor index, viewer index) the record stands for a flow between: every pair but a party with itself."""
        return [
            (c, v)
            for c, contributor in enumerate(self.contributors)
            for v, viewer in enumerate(self.viewers)
            if contributor != viewer
        ]

    def flow(self, contributor: int, viewer: int) -> Flow:
        """The flow the record stands for from ``contributors[contributor]`` to ``viewers[viewer]``.

        Its id is ``<record>--<contributor>--<viewer>``: the double hyphen is
        not allowed in a declared id, so it never clashes with one.
        """
        source, recipient = self.contributors[contributor], self.viewers[viewer]
        return Flow(
            id=f"{self.id}--{source}--{recipient}",
            source=source,
            recipient=recipient,
            items=self.items,
            purposes=self.purposes,
            bases=self.bases,
            frequency=self.frequency or "continuous",
            method=self.method or "shared-system",
            security=self.security,
            capacity_basis=self.capacity_basis,
            data_matching=self.data_matching,
            exemptions=self.exemptions,
            subjects=self.subjects,
            marking=self.marking,
            networks=self.networks,
            measures=self.measures,
        )


@frozen(kw_only=True)
class Dpia(_Checked):
    """The data protection impact assessment an agreement rests on."""

    reference: str
    completed: dt.date


@frozen(kw_only=True)
class Rights(_Checked):
    """How individuals exercise their rights under the agreement."""

    contact: str
    subject_access: str
    objections: str
    complaints: str


@frozen(kw_only=True)
class Transparency(_Checked):
    """How individuals are told about the sharing."""

    privacy_notice: str
    exemption: str | None = None


@frozen(kw_only=True)
class Duration(_Checked):
    """A length of time in hours, calendar days or working days."""

    amount: int
    unit: Literal["hours", "days", "working-days"]

    @property
    def longest_hours(self) -> int:
        """The most hours the duration can span: working days stretch over weekends.

        ``n`` working days can take ``n`` days plus two weekend days for each
        week begun (bank holidays aside): one working day from a Friday ends
        on the Monday, 72 hours later.
        """
        if self.unit == "hours":
            return self.amount
        if self.unit == "days":
            return self.amount * 24
        weekends = -(-self.amount // 5)
        return (self.amount + 2 * weekends) * 24

    def describe(self) -> str:
        """The duration in words, for instance "5 working days"."""
        unit = self.unit.replace("-", " ")
        return f"{self.amount} {unit if self.amount != 1 else unit[:-1]}"


@frozen(kw_only=True)
class BreachNotice(_Checked):
    """Whom to notify of a breach: a post (contact role) at a charter member."""

    organisation: str
    role: ContactRole


@frozen(kw_only=True)
class Breach(_Checked):
    """How a personal data breach is reported between the parties.

    The time allowed is ``notify_within_hours`` (the format-1 member, at most
    72) or ``notify_within``, a `Duration` that may be in working days.
    """

    contact: str
    notify_within_hours: int | None = None
    notify_within: Duration | None = None
    notify: tuple[BreachNotice, ...] = ()

    @property
    def within(self) -> Duration:
        """The time allowed, as a `Duration` whichever member states it."""
        if self.notify_within is not None:
            return self.notify_within
        return Duration(amount=self.notify_within_hours or 0, unit="hours")


@frozen(kw_only=True)
class Termination(_Checked):
    """How the agreement ends and what happens to shared data then."""

    notice_days: int
    on_termination: Literal["delete", "return", "retain-under-own-basis"]


@frozen(kw_only=True)
class Defaults(_Checked):
    """The tier-1 terms a charter sets for every agreement under it, unless the agreement sets its own."""

    security: tuple[str, ...] = ()
    retention: Retention | None = None
    breach: Breach | None = None
    rights: Rights | None = None
    transparency: Transparency | None = None
    termination: Termination | None = None


@frozen(kw_only=True)
class Agreement(_Checked):
    """A data sharing agreement under a charter."""

    id: str
    version: int
    title: str
    charter: CharterRef
    parties: tuple[Party, ...]
    purposes: tuple[Purpose, ...]
    items: tuple[DataItem, ...]
    flows: tuple[Flow, ...]
    start: dt.date
    description: str | None = None
    supersedes: Supersedes | None = None
    legal_bases: tuple[CatalogueEntry, ...] = ()
    retention: Retention | None = None
    security: tuple[str, ...] = ()
    dpia: Dpia | None = None
    large_scale: bool = False
    #: Decisions with legal or similar effects rest on automated evaluation (UK GDPR Article 35(3)(a)).
    automated_decisions: bool = field(default=False, metadata=_ADDED)
    #: Systematic monitoring of a publicly accessible area on a large scale (Article 35(3)(c)).
    public_monitoring: bool = field(default=False, metadata=_ADDED)
    #: The data decides access to a service, product, opportunity or benefit (ICO DPIA list).
    access_decisions: bool = field(default=False, metadata=_ADDED)
    end: dt.date | None = None
    review: dt.date | None = None
    rights: Rights | None = None
    transparency: Transparency | None = None
    breach: Breach | None = None
    termination: Termination | None = None
    subjects: tuple[SubjectCategory, ...] = ()
    label: str | None = None
    status: DocumentStatus | None = None
    last_reviewed: dt.date | None = None
    review_cycle: ReviewCycle | None = None
    history: tuple[Change, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    records: tuple[SharedRecord, ...] = ()
    measures: tuple[str, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    paper_originals: tuple[PaperOriginal, ...] = ()
    governance: Governance | None = None
    conditions: Conditions | None = None
    endorsements: tuple[Endorsement, ...] = ()
    kind: Literal["agreement"] = "agreement"
    format_version: Literal[1] = 1


def notice_days(charter: Charter | None) -> int:
    """The charter's notice period in days before a review or end date (`DEFAULT_NOTICE_DAYS` without one)."""
    if charter is None or charter.notice_days is None:
        return DEFAULT_NOTICE_DAYS
    return charter.notice_days
