"""What a rendering shows, as plain values: no Jinja2, no HTML, no I/O.

The templates only lay out what this module computes, so the order of the
sections, the wording of labels and the endorsement panel are tested here
and shared by every output format.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from woda_sharing._legal import Catalogue
from woda_sharing._model import (
    Agreement,
    Breach,
    Category,
    Charter,
    Contact,
    ContactRole,
    Control,
    DataItem,
    DocumentStatus,
    Party,
    Retention,
    Role,
    Sector,
    SubjectCategory,
)
from woda_sharing._signing import EndorsementStatus, Status, VerificationResult
from woda_sharing.render._legislation import Explained, explain

__all__ = [
    "CATEGORY_LABELS",
    "CONTROL_LABELS",
    "BasisRow",
    "FlowRow",
    "ItemGroup",
    "Panel",
    "PanelRow",
    "PartyRow",
    "humane",
    "panel",
]

CATEGORY_LABELS: Final = {
    Category.PERSONAL: "Personal data",
    Category.SPECIAL_CATEGORY: "Special category data",
    Category.CRIMINAL_OFFENCE: "Criminal offence data",
    Category.PSEUDONYMISED: "Pseudonymised data",
    Category.ANONYMISED: "Anonymised data",
    Category.AGGREGATE: "Aggregate figures",
}

ROLE_LABELS: Final = {
    Role.CONTROLLER: "Controller",
    Role.JOINT_CONTROLLER: "Joint controller",
    Role.PROCESSOR: "Processor",
}

SECTOR_LABELS: Final = {
    Sector.COUNTY_COUNCIL: "County council",
    Sector.DISTRICT_COUNCIL: "District council",
    Sector.UNITARY_COUNCIL: "Unitary council",
    Sector.CENTRAL_GOVERNMENT: "Central government",
    Sector.POLICE: "Police",
    Sector.PROBATION: "Probation",
    Sector.PRISON: "Prison",
    Sector.YOUTH_JUSTICE: "Youth justice",
    Sector.FIRE_AND_RESCUE: "Fire and rescue",
    Sector.NHS: "NHS",
    Sector.GP_PRACTICE: "GP practice",
    Sector.EDUCATION: "Education",
    Sector.SCHOOL: "School",
    Sector.HOUSING_ASSOCIATION: "Housing association",
    Sector.VOLUNTARY: "Voluntary sector",
    Sector.CHARITY: "Charity",
    Sector.COMMUNITY_INTEREST_COMPANY: "Community interest company",
    Sector.OTHER: "Other",
}

CONTACT_ROLE_LABELS: Final = {
    ContactRole.DESIGNATED_OFFICER: "Designated officer",
    ContactRole.DPO: "Data Protection Officer",
    ContactRole.IG_LEAD: "Information governance lead",
    ContactRole.SIRO: "Senior Information Risk Owner",
    ContactRole.CALDICOTT_GUARDIAN: "Caldicott Guardian",
    ContactRole.BREACH_CONTACT: "Breach contact",
    ContactRole.OTHER: "Other contact",
}

STATUS_LABELS: Final = {
    DocumentStatus.DRAFT: "Draft",
    DocumentStatus.UNDER_REVIEW: "Under review",
    DocumentStatus.APPROVED: "Approved",
}

CONTROL_LABELS: Final = {
    Control.DPIA: "A data protection impact assessment",
    Control.RETENTION: "Retention periods and disposal",
    Control.SECURITY: "Security measures",
    Control.RIGHTS: "How individuals exercise their rights",
    Control.TRANSPARENCY: "How individuals are told (privacy notice)",
    Control.BREACH: "Breach reporting between the parties",
    Control.TERMINATION: "What happens when the agreement ends",
    Control.REVIEW: "A review date",
}

ROLE_NAMES: Final = {
    "siro": "Senior Information Risk Owner",
    "dpo": "Data Protection Officer",
    "caldicott-guardian": "Caldicott Guardian",
    "chief-executive": "Chief Executive",
}

_STATUS_TEXT: Final = {
    Status.VALID: "Verified",
    Status.UNKNOWN_KEY: "Not verified",
}


def humane(value: str | None) -> str:
    """Return an identifier as words: ``childrens-services`` becomes ``childrens services``."""
    return (value or "").replace("-", " ")


def role_name(role: str | None) -> str:
    """The title of a signatory role, or the role id as words."""
    if role is None:
        return ""
    return ROLE_NAMES.get(role, humane(role).capitalize())


def when(moment: dt.datetime | None) -> str:
    """A moment as ``YYYY-MM-DD HH:MM UTC``."""
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@frozen(kw_only=True)
class PartyRow:
    """A party as readers see it."""

    id: str
    organisation: str
    organisation_id: str
    capacity: str
    role: str
    acting_for: str
    authorisation: str = ""


@frozen(kw_only=True)
class ItemGroup:
    """The data items of one category."""

    category: str
    items: tuple[DataItem, ...]


@frozen(kw_only=True)
class BasisRow:
    """A legal basis cited by the document, explained; ``known`` is False for an id no catalogue has."""

    id: str
    known: bool
    explained: Explained | None


@frozen(kw_only=True)
class FlowRow:
    """A flow with names instead of ids."""

    id: str
    source: str
    recipient: str
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    bases: tuple[str, ...]
    capacity_basis: str | None
    frequency: str
    method: str
    security: tuple[str, ...]
    data_matching: bool
    exemptions: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@frozen(kw_only=True)
class PanelRow:
    """One line of the endorsement panel."""

    organisation: str
    role: str
    signatory: str
    signed: str
    status: str
    reason: str
    ok: bool


@frozen(kw_only=True)
class Panel:
    """Who has endorsed, who is pending, as verified against a keyring at a time."""

    checked: bool
    keyring: str
    at: str
    rule: str
    rule_met: bool
    verified: bool
    rows: tuple[PanelRow, ...]
    problems: tuple[str, ...]


def organisations(charter: Charter | None) -> dict[str, str]:
    """Member id → name, from the charter when there is one."""
    return {m.id: m.name for m in charter.members} if charter else {}


def panel(
    result: VerificationResult,
    *,
    names: Mapping[str, str],
    checked: bool,
    keyring: str,
    at: dt.datetime,
) -> Panel:
    """Lay out *result* for readers: each endorsement, then each pending organisation."""

    def row(status: EndorsementStatus) -> PanelRow:
        org = status.organisation or "(unreadable)"
        if checked:
            text = _STATUS_TEXT.get(status.status, "Not valid") if status.valid else "Not valid"
            reason = "" if status.valid else f"{status.status.value}: {status.reason}"
        else:
            text, reason = "Not checked", "no keyring was given"
        return PanelRow(
            organisation=names.get(org, org),
            role=role_name(status.role),
            signatory=status.signatory or "",
            signed=when(status.signed_at),
            status=text,
            reason=reason,
            ok=checked and status.valid,
        )

    rows = [row(s) for s in result.endorsements]
    rows += [
        PanelRow(
            organisation=names.get(org, org),
            role="",
            signatory="",
            signed="",
            status="Pending",
            reason="no valid endorsement yet" if checked else "",
            ok=False,
        )
        for org in result.pending
    ]
    return Panel(
        checked=checked,
        keyring=keyring,
        at=when(at),
        rule=result.rule,
        rule_met=checked and result.rule_met,
        verified=checked and result.verified,
        rows=tuple(rows),
        problems=result.problems if checked else (),
    )


def unsigned_panel(
    document: Charter | Agreement, *, names: Mapping[str, str], at: dt.datetime
) -> Panel:
    """The panel of a document with no endorsements, shown without a keyring: everyone is pending."""
    expected = (
        [m.id for m in document.members]
        if isinstance(document, Charter)
        else sorted({p.organisation for p in document.parties})
    )
    rows = tuple(
        PanelRow(
            organisation=names.get(org, org),
            role="",
            signatory="",
            signed="",
            status="Pending",
            reason="",
            ok=False,
        )
        for org in sorted(expected)
    )
    return Panel(
        checked=False,
        keyring="",
        at=when(at),
        rule="",
        rule_met=False,
        verified=False,
        rows=rows,
        problems=(),
    )


def party_rows(parties: tuple[Party, ...], names: Mapping[str, str]) -> tuple[PartyRow, ...]:
    """The parties with organisation names."""
    return tuple(
        PartyRow(
            id=p.id,
            organisation=names.get(p.organisation, p.organisation),
            organisation_id=p.organisation,
            capacity=humane(p.capacity),
            role=ROLE_LABELS[p.role],
            acting_for=p.acting_for or "",
            authorisation=p.authorisation or "",
        )
        for p in parties
    )


def party_label(party: PartyRow) -> str:
    """``Organisation (capacity)``, or the organisation alone."""
    return f"{party.organisation} ({party.capacity})" if party.capacity else party.organisation


def categories_label(item: DataItem) -> str:
    """The item's categories in words: one, or several joined ("Special category data and criminal offence data")."""
    labels = [CATEGORY_LABELS.get(c, humane(c.value)) for c in item.categories]
    if len(labels) == 1:
        return labels[0]
    return " and ".join([labels[0], *(label[0].lower() + label[1:] for label in labels[1:])])


def item_groups(items: tuple[DataItem, ...]) -> tuple[ItemGroup, ...]:
    """The items grouped by category (an item of several categories in a group of its own), in the order of `Category`."""
    order = {c: i for i, c in enumerate(Category)}
    groups: dict[tuple[Category, ...], list[DataItem]] = {}
    for item in items:
        groups.setdefault(item.categories, []).append(item)
    return tuple(
        ItemGroup(category=categories_label(group[0]), items=tuple(group))
        for key, group in sorted(
            groups.items(), key=lambda kv: (len(kv[0]) > 1, [order[c] for c in kv[0]])
        )
    )


def cited_bases(agreement: Agreement, catalogue: Catalogue) -> tuple[BasisRow, ...]:
    """Every basis the flows cite, in order of first citation, explained."""
    seen: dict[str, None] = {}
    for flow in agreement.flows:
        for basis in (*flow.bases, *((flow.capacity_basis,) if flow.capacity_basis else ())):
            seen.setdefault(basis, None)
    return tuple(_basis_row(b, catalogue) for b in seen)


def _basis_row(basis_id: str, catalogue: Catalogue) -> BasisRow:
    entry = catalogue.get(basis_id)
    return BasisRow(
        id=basis_id, known=entry is not None, explained=explain(entry) if entry else None
    )


def flow_rows(
    agreement: Agreement, parties: tuple[PartyRow, ...], purposes: Mapping[str, str]
) -> tuple[FlowRow, ...]:
    """The flows with party, item and purpose names."""
    by_party = {p.id: party_label(p) for p in parties}
    titles = {i.id: i.title for i in agreement.items}
    return tuple(
        FlowRow(
            id=f.id,
            source=by_party.get(f.source, f.source),
            recipient=by_party.get(f.recipient, f.recipient),
            items=tuple(titles.get(i, i) for i in f.items),
            purposes=tuple(purposes.get(p, humane(p)) for p in f.purposes),
            bases=f.bases,
            capacity_basis=f.capacity_basis,
            frequency=humane(f.frequency),
            method=humane(f.method),
            security=f.security,
            data_matching=f.data_matching,
            exemptions=f.exemptions,
            subjects=subject_titles(agreement.subjects, f.subjects),
            notes=tuple(
                note
                for note in (
                    "outside the sender's public tasks" if f.outside_public_tasks else "",
                    f"on the documented instruction of {humane(f.instruction.controller)} ({f.instruction.reference})"
                    if f.instruction
                    else "",
                )
                if note
            ),
        )
        for f in agreement.flows
    )


def context(
    document: Charter | Agreement,
    *,
    charter: Charter | None,
    catalogue: Catalogue,
    wire: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The names a document template reads, beside the document itself (*wire*: its wire form)."""
    names = organisations(charter if isinstance(document, Agreement) else document)
    out: dict[str, Any] = {
        "doc": document,
        "names": names,
        "review_facts": review_facts(document),
        "other_terms": other_terms(wire) if wire is not None else (),
        "retention_text": retention_text,
        "sector_label": sector_label,
        "breach_sentence": breach_text,
    }
    if isinstance(document, Charter):
        out["sectors"] = SECTOR_LABELS
        out["controls"] = [(c, CONTROL_LABELS[c]) for c in document.controls]
        out["bases"] = tuple(_basis_row(e.id, catalogue) for e in document.legal_bases)
        out["roles"] = [role_name(r) for r in document.endorsement.roles]
        out["contacts"] = tuple(
            contact_row(m.name, c) for m in document.members for c in m.contacts
        )
        out["subject_rows"] = subject_rows(document.subjects, ())
        return out
    purposes = {p.id: p.title for p in charter.purposes} if charter else {}
    parties = party_rows(document.parties, names)
    out["charter_doc"] = charter
    out["purpose_titles"] = purposes
    out["parties"] = parties
    out["contacts"] = party_contacts(document.parties, parties)
    out["groups"] = item_groups(document.items)
    out["subject_rows"] = subject_rows(document.subjects, document.items)
    out["item_subjects"] = lambda item: subject_titles(document.subjects, item.subjects)
    out["flows"] = flow_rows(document, parties, purposes)
    out["bases"] = cited_bases(document, catalogue)
    out["own_retention"] = tuple(i for i in document.items if i.retention is not None)
    out["breach_text"] = breach_text(document.breach) if document.breach else ""
    out["breach_notify"] = (
        tuple(
            f"{CONTACT_ROLE_LABELS.get(n.role, humane(n.role.value))}, {names.get(n.organisation, n.organisation)}"
            for n in document.breach.notify
        )
        if document.breach
        else ()
    )
    out["dpia_triggers"] = tuple(
        label
        for flag, label in (
            (document.large_scale, "large-scale processing"),
            (
                document.automated_decisions,
                "decisions with legal or similar effects on automated evaluation",
            ),
            (document.public_monitoring, "systematic monitoring of a publicly accessible area"),
            (document.access_decisions, "decisions on access to a service, opportunity or benefit"),
        )
        if flag
    )
    out["roles"] = [role_name(r) for r in charter.endorsement.roles] if charter else []
    out["organisations"] = sorted(
        {names.get(p.organisation, p.organisation) for p in document.parties}
    )
    return out


def retention_text(retention: Retention | None) -> str:
    """A retention in words, with what happens at its end: "72 months after the enquiry closes, then secure deletion"."""
    if retention is None:
        return ""
    text = retention.describe()
    if retention.deletion is not None and not retention.view_only:
        text += f", then {humane(retention.deletion)}"
    return text


def breach_text(breach: Breach) -> str:
    """The breach procedure in one sentence: whom to tell, within how long, and which posts."""
    text = (
        f"A party that finds a breach affecting shared data tells {breach.contact}"
        f" within {breach.within.describe()}"
    )
    return text + "."


def sector_label(sector: Sector) -> str:
    """The sector of a member in words."""
    return SECTOR_LABELS.get(sector, humane(sector.value).capitalize())


def status_label(status: DocumentStatus | None) -> str:
    """The approval status in words, or the empty string."""
    return STATUS_LABELS.get(status, humane(status.value)) if status is not None else ""


@frozen(kw_only=True)
class ContactRow:
    """One contact of a party or a member, as readers see it."""

    holder: str
    role: str
    post: str
    name: str
    email: str
    phone: str


def contact_row(holder: str, contact: Contact) -> ContactRow:
    """A contact with its holder's name and its post in words."""
    return ContactRow(
        holder=holder,
        role=CONTACT_ROLE_LABELS.get(contact.role, humane(contact.role.value)),
        post=contact.post,
        name=contact.name or "",
        email=contact.email or "",
        phone=contact.phone or "",
    )


def party_contacts(
    parties: tuple[Party, ...], rows: tuple[PartyRow, ...]
) -> tuple[ContactRow, ...]:
    """Every party's contacts, in the order of the parties."""
    labels = {r.id: party_label(r) for r in rows}
    return tuple(contact_row(labels.get(p.id, p.id), c) for p in parties for c in p.contacts)


@frozen(kw_only=True)
class SubjectRow:
    """A category of data subject, with the items about it."""

    id: str
    title: str
    description: str
    children: bool
    items: tuple[str, ...]


def subject_rows(
    subjects: tuple[SubjectCategory, ...], items: tuple[DataItem, ...]
) -> tuple[SubjectRow, ...]:
    """The declared subject categories, each with the titles of the items about them."""
    return tuple(
        SubjectRow(
            id=s.id,
            title=s.title,
            description=s.description or "",
            children=s.children,
            items=tuple(i.title for i in items if s.id in i.subjects),
        )
        for s in subjects
    )


def subject_titles(subjects: tuple[SubjectCategory, ...], ids: tuple[str, ...]) -> tuple[str, ...]:
    """Subject category ids as their titles (an undeclared id as words)."""
    titles = {s.id: s.title for s in subjects}
    return tuple(titles.get(i, humane(i)) for i in ids)


def review_facts(document: Charter | Agreement) -> list[tuple[str, str | None]]:
    """The document's approval and review record as (label, value) pairs, empty values left out by templates."""
    cycle = document.review_cycle if isinstance(document, Agreement) else None
    return [
        ("Label", document.label),
        ("Status", status_label(document.status)),
        ("Last reviewed", document.last_reviewed.isoformat() if document.last_reviewed else None),
        (
            "Review cycle",
            (
                f"first review {cycle.first} months after the start, then every {cycle.then_months} months"
                if cycle
                else None
            ),
        ),
    ]


#: Wire members each part of a document that the templates lay out. A member a
#: newer format adds (and this version does not lay out) is shown under
#: "Other terms", so that nothing signed is left out of what people read.
LAID_OUT: Final[dict[str, frozenset[str]]] = {
    "agreement": frozenset(
        {
            "kind",
            "format_version",
            "id",
            "version",
            "title",
            "charter",
            "parties",
            "purposes",
            "items",
            "flows",
            "start",
            "description",
            "supersedes",
            "legal_bases",
            "retention",
            "security",
            "dpia",
            "large_scale",
            "automated_decisions",
            "public_monitoring",
            "access_decisions",
            "end",
            "review",
            "rights",
            "transparency",
            "breach",
            "termination",
            "subjects",
            "label",
            "status",
            "last_reviewed",
            "review_cycle",
            "history",
            "waivers",
            "endorsements",
        }
    ),
    "charter": frozenset(
        {
            "kind",
            "format_version",
            "id",
            "version",
            "title",
            "effective",
            "members",
            "principles",
            "purposes",
            "controls",
            "endorsement",
            "review_interval_months",
            "description",
            "supersedes",
            "review",
            "notice_days",
            "published_fields",
            "legal_bases",
            "defaults",
            "subjects",
            "label",
            "status",
            "last_reviewed",
            "history",
            "waivers",
            "endorsements",
        }
    ),
    "parties": frozenset(
        {"id", "organisation", "role", "capacity", "acting_for", "authorisation", "contacts"}
    ),
    "items": frozenset(
        {
            "id",
            "title",
            "category",
            "special_category",
            "children",
            "retention",
            "confidential",
            "subjects",
        }
    ),
    "flows": frozenset(
        {
            "id",
            "from",
            "to",
            "items",
            "purposes",
            "bases",
            "frequency",
            "method",
            "security",
            "capacity_basis",
            "data_matching",
            "exemptions",
            "outside_public_tasks",
            "instruction",
            "subjects",
        }
    ),
    "purposes": frozenset({"id", "needs", "description", "title", "law_enforcement"}),
    "members": frozenset(
        {
            "id",
            "name",
            "sector",
            "public_authority",
            "competent_authority",
            "registration",
            "contacts",
        }
    ),
}
_PARTS: Final = {
    "parties": "party",
    "items": "data item",
    "flows": "flow",
    "purposes": "purpose",
    "members": "member",
}


@frozen(kw_only=True)
class OtherTerm:
    """A signed member no section lays out: where it is, in words, and its value as text."""

    where: str
    value: str


def _words(key: str) -> str:
    return key.replace("_", " ").replace("-", " ")


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def other_terms(
    document: Mapping[str, Any], laid_out: Mapping[str, frozenset[str]] | None = None
) -> tuple[OtherTerm, ...]:
    """The members of *document* (wire form) that no section lays out (`LAID_OUT`), in document order."""
    if laid_out is None:
        laid_out = LAID_OUT
    kind = str(document.get("kind"))
    out = [
        OtherTerm(where=_words(key).capitalize(), value=_as_text(value))
        for key, value in document.items()
        if key not in laid_out.get(kind, frozenset(document))
    ]
    for part, name in _PARTS.items():
        values = document.get(part)
        known = laid_out.get(part)
        if known is None or not isinstance(values, list):
            continue
        for element in values:
            if not isinstance(element, Mapping):
                continue
            out += [
                OtherTerm(
                    where=f"{name} {element.get('id', '?')}, {_words(key)}", value=_as_text(value)
                )
                for key, value in element.items()
                if key not in known
            ]
    return tuple(out)
