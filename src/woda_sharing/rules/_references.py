"""Rules on references: every id a document uses must be declared, and declared once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from woda_sharing._findings import pointer
from woda_sharing._plain import did_you_mean
from woda_sharing.rules import (
    BUILTIN,
    AgreementContext,
    AgreementWithCharterContext,
    Hit,
    cited_bases,
    cited_ids,
    cites_none_of,
    duplicates,
)

rule = BUILTIN.rule


def _guess(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the declared id closest to *word*, or nothing."""
    match = did_you_mean(word, choices)
    return f"; did you mean {match!r}?" if match else ""


@rule("WS101", title="Flow names an undeclared party")
def flow_party_declared(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow's ``from`` and ``to`` must be ids of parties declared in ``parties``."""
    for i, flow in enumerate(ctx.agreement.flows):
        for wire, party in (("from", flow.source), ("to", flow.recipient)):
            if party not in ctx.parties:
                yield Hit(
                    pointer=pointer("flows", i, wire),
                    message=f"party {party!r} is not declared{_guess(party, ctx.parties)}",
                    hint="add it to parties, or correct the id",
                )


@rule("WS102", title="Flow names an undeclared item")
def flow_item_declared(ctx: AgreementContext) -> Iterator[Hit]:
    """Every item a flow shares must be declared in ``items``."""
    declared = ctx.items.keys()
    for i, flow in enumerate(ctx.agreement.flows):
        if declared >= set(flow.items):
            continue
        for j, item in enumerate(flow.items):
            if item not in ctx.items:
                yield Hit(
                    pointer=pointer("flows", i, "items", j),
                    message=f"item {item!r} is not declared{_guess(item, ctx.items)}",
                    hint="add it to items with its classification, or correct the id",
                )


@rule("WS103", title="Flow names an undeclared purpose")
def flow_purpose_declared(ctx: AgreementContext) -> Iterator[Hit]:
    """Every purpose a flow serves must be declared in the agreement's ``purposes``."""
    for i, flow in enumerate(ctx.agreement.flows):
        for j, purpose in enumerate(flow.purposes):
            if purpose not in ctx.purposes:
                yield Hit(
                    pointer=pointer("flows", i, "purposes", j),
                    message=f"purpose {purpose!r} is not declared in this agreement"
                    f"{_guess(purpose, ctx.purposes)}",
                    hint="add it to purposes with the items it needs, or correct the id",
                )


@rule("WS104", title="Purpose not permitted by the charter", needs_charter=True)
def purpose_permitted(ctx: AgreementContext) -> Iterator[Hit]:
    """Every purpose of an agreement must be one its charter permits."""
    for i, purpose in enumerate(ctx.agreement.purposes):
        if purpose.id not in ctx.charter_purposes:
            yield Hit(
                pointer=pointer("purposes", i, "id"),
                message=f"purpose {purpose.id!r} is not permitted by the charter",
                hint="use a purpose the charter lists, or amend the charter first",
            )


@rule("WS105", title="Party is not a charter member", needs_charter=True)
def party_is_member(ctx: AgreementContext) -> Iterator[Hit]:
    """Every party's organisation must be a member of the charter the agreement sits under."""
    for i, party in enumerate(ctx.agreement.parties):
        if party.organisation not in ctx.members:
            yield Hit(
                pointer=pointer("parties", i, "organisation"),
                message=f"organisation {party.organisation!r} is not a member of the charter",
                hint="the organisation must endorse the charter and be listed among its members first",
            )


@rule("WS106", title="Agreement cites another charter", needs_charter=True)
def charter_reference(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """The agreement's ``charter`` reference must match the charter given: its id, version and digest.

    A digest mismatch means the charter changed after the agreement was written.
    """
    ref = ctx.agreement.charter
    if ref.id != ctx.charter.id:
        yield Hit(
            pointer=pointer("charter", "id"),
            message=f"cites charter {ref.id!r}, not {ctx.charter.id!r}",
        )
    elif ref.version != ctx.charter.version:
        yield Hit(
            pointer=pointer("charter", "version"),
            message=f"cites charter version {ref.version}, but version {ctx.charter.version} was given",
            hint="review the agreement against the current charter and update the reference",
        )
    elif ctx.charter_digest is not None and ref.digest != ctx.charter_digest:
        yield Hit(
            pointer=pointer("charter", "digest"),
            message="the charter's digest differs: the charter changed after this agreement cited it",
            hint=f"if the change is understood, cite {ctx.charter_digest}",
        )


@rule("WS107", title="Identifier declared twice")
def unique_ids(ctx: AgreementContext) -> Iterator[Hit]:
    """Ids of parties, purposes, items, flows, shared records, data subject categories and legal-basis entries must each be unique."""
    a = ctx.agreement
    for member, ids in (
        ("subjects", [s.id for s in a.subjects]),
        ("parties", [p.id for p in a.parties]),
        ("purposes", [p.id for p in a.purposes]),
        ("items", [i.id for i in a.items]),
        ("flows", [f.id for f in a.flows]),
        ("records", [r.id for r in a.records]),
        ("legal_bases", [e.id for e in a.legal_bases]),
    ):
        if len(set(ids)) == len(ids):
            continue
        for i, value in duplicates(ids):
            yield Hit(
                pointer=pointer(member, i, "id"),
                message=f"{value!r} is declared more than once in {member}",
            )


@rule("WS108", title="Purpose needs an undeclared item")
def purpose_needs_declared(ctx: AgreementContext) -> Iterator[Hit]:
    """Every item a purpose says it needs must be declared in ``items``."""
    for i, purpose in enumerate(ctx.agreement.purposes):
        for j, item in enumerate(purpose.needs):
            if item not in ctx.items:
                yield Hit(
                    pointer=pointer("purposes", i, "needs", j),
                    message=f"item {item!r} is not declared{_guess(item, ctx.items)}",
                )


@rule("WS109", title="Flow cites an unknown legal basis")
def basis_known(ctx: AgreementContext) -> Iterator[Hit]:
    """Every basis id a flow cites must resolve in the catalogue (built-in, charter or agreement entries)."""
    documents = ctx.document_ids
    # (the charter or agreement cited as a basis is WS206's)
    unknown = {b for b in cited_ids(ctx) if b not in ctx.catalogue and b not in documents}
    if not unknown:
        return
    for i, flow in enumerate(ctx.agreement.flows):
        if cites_none_of(flow, unknown):
            continue
        for tokens, basis in cited_bases(flow):
            if basis not in unknown:
                continue
            yield Hit(
                pointer=pointer("flows", i, *tokens),
                message=f"legal basis {basis!r} is not in the catalogue"
                f"{_guess(basis, (entry.id for entry in ctx.catalogue))}",
                hint="cite a built-in basis id, or declare it under legal_bases with its citation",
            )


@rule("WS120", title="Undeclared data subject category", needs_charter=True)
def subjects_declared(ctx: AgreementWithCharterContext) -> Iterator[Hit]:
    """Every data subject category an item or a flow names must be declared in the agreement's or the charter's ``subjects``."""
    declared = ctx.subjects
    named = [("items", i, item.subjects) for i, item in enumerate(ctx.agreement.items)]
    named += [("flows", i, flow.subjects) for i, flow in enumerate(ctx.agreement.flows)]
    for member, i, subjects in named:
        for j, subject in enumerate(subjects):
            if subject not in declared:
                yield Hit(
                    pointer=pointer(member, i, "subjects", j),
                    message=f"data subject category {subject!r} is not declared",
                    hint="declare it in the agreement's or the charter's subjects, or correct the id",
                )
