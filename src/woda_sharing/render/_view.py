"""What a rendering shows, as plain values: no Jinja2, no HTML, no I/O.

The templates only lay out what this module computes, so the order of the
sections, the wording of labels and the endorsement panel are tested here
and shared by every output format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from woda_sharing._legal import Catalogue
from woda_sharing._model import Agreement, Category, Charter, Control, DataItem, Party, Role, Sector
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
    Sector.POLICE: "Police",
    Sector.FIRE_AND_RESCUE: "Fire and rescue",
    Sector.NHS: "NHS",
    Sector.EDUCATION: "Education",
    Sector.VOLUNTARY: "Voluntary sector",
    Sector.OTHER: "Other",
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
        )
        for p in parties
    )


def party_label(party: PartyRow) -> str:
    """``Organisation (capacity)``, or the organisation alone."""
    return f"{party.organisation} ({party.capacity})" if party.capacity else party.organisation


def item_groups(items: tuple[DataItem, ...]) -> tuple[ItemGroup, ...]:
    """The items grouped by category, in the order of `Category`."""
    return tuple(
        ItemGroup(category=CATEGORY_LABELS[c], items=group)
        for c in Category
        if (group := tuple(i for i in items if i.category is c))
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
        )
        for f in agreement.flows
    )


def context(
    document: Charter | Agreement, *, charter: Charter | None, catalogue: Catalogue
) -> dict[str, Any]:
    """The names a document template reads, beside the document itself."""
    names = organisations(charter if isinstance(document, Agreement) else document)
    out: dict[str, Any] = {"doc": document, "names": names}
    if isinstance(document, Charter):
        out["sectors"] = SECTOR_LABELS
        out["controls"] = [(c, CONTROL_LABELS[c]) for c in document.controls]
        out["bases"] = tuple(_basis_row(e.id, catalogue) for e in document.legal_bases)
        out["roles"] = [role_name(r) for r in document.endorsement.roles]
        return out
    purposes = {p.id: p.title for p in charter.purposes} if charter else {}
    parties = party_rows(document.parties, names)
    out["charter_doc"] = charter
    out["purpose_titles"] = purposes
    out["parties"] = parties
    out["groups"] = item_groups(document.items)
    out["flows"] = flow_rows(document, parties, purposes)
    out["bases"] = cited_bases(document, catalogue)
    out["own_retention"] = tuple(i for i in document.items if i.retention is not None)
    out["roles"] = [role_name(r) for r in charter.endorsement.roles] if charter else []
    out["organisations"] = sorted(
        {names.get(p.organisation, p.organisation) for p in document.parties}
    )
    return out
