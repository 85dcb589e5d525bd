"""Rules on the charter document itself: its endorsement rule, ids, review date and members."""

from __future__ import annotations

from collections.abc import Iterator

from woda_sharing._endorsement import endorsement_requirement
from woda_sharing._findings import Severity, pointer
from woda_sharing.rules import BUILTIN, CharterContext, Hit, duplicates

__all__: list[str] = []

rule = BUILTIN.rule


@rule("WS601", title="Endorsement threshold can never be met", applies_to="charter")
def threshold_reachable(ctx: CharterContext) -> Iterator[Hit]:
    """A threshold endorsement rule must not ask for more endorsements than the charter has members."""
    need = endorsement_requirement(ctx.charter)  # the reading verify uses, so they agree
    if ctx.charter.endorsement.rule == "threshold" and need.threshold > len(need.expected):
        yield Hit(
            pointer=pointer("endorsement", "threshold"),
            message=f"the threshold is {need.threshold} endorsements, but the charter has only {len(need.expected)} members",
            hint="lower the threshold, or use the all-members rule",
        )


@rule("WS602", title="Charter identifier declared twice", applies_to="charter")
def unique_charter_ids(ctx: CharterContext) -> Iterator[Hit]:
    """Ids of members, principles, purposes, legal-basis entries, data subject categories, registered measures and office holders must each be unique within a charter."""
    c = ctx.charter
    for member, ids in (
        ("members", [m.id for m in c.members]),
        ("principles", [p.id for p in c.principles]),
        ("purposes", [p.id for p in c.purposes]),
        ("legal_bases", [e.id for e in c.legal_bases]),
        ("subjects", [s.id for s in c.subjects]),
        ("measures", [m.id for m in c.measures]),
        ("office_holders", [h.id for h in c.office_holders]),
    ):
        for i, value in duplicates(ids):
            yield Hit(
                pointer=pointer(member, i, "id"),
                message=f"{value!r} is declared more than once in {member}",
            )


@rule("WS603", title="Charter review date past", severity=Severity.WARNING, applies_to="charter")
def charter_review_past(ctx: CharterContext) -> Iterator[Hit]:
    """The charter's own ``review`` date has passed: the partnership should review it."""
    review = ctx.charter.review
    if review is not None and review < ctx.today:
        yield Hit(
            pointer=pointer("review"),
            message=f"the charter's review was due on {review.isoformat()}",
            hint="review the charter, publish a new version and ask members to endorse it",
        )


@rule(
    "WS604",
    title="Competent authority that is not a public authority",
    severity=Severity.INFO,
    applies_to="charter",
    citation="DPA 2018 s.30",
)
def competent_authority(ctx: CharterContext) -> Iterator[Hit]:
    """A member marked ``competent_authority`` but not ``public_authority`` is unusual.

    Competent authorities (DPA 2018 s.30 and Schedule 7) are almost all public
    bodies; a private body is one only for the statutory functions it exercises.
    """
    for i, member in enumerate(ctx.charter.members):
        if member.competent_authority and not member.public_authority:
            yield Hit(
                pointer=pointer("members", i, "competent_authority"),
                message=f"member {member.id!r} is a competent authority but not a public authority",
                hint="check both flags: a competent authority is usually a public body",
            )


@rule(
    "WS605",
    title="Law enforcement purpose without a competent authority",
    severity=Severity.WARNING,
    applies_to="charter",
    citation="DPA 2018 ss.30-31",
)
def law_enforcement_purpose(ctx: CharterContext) -> Iterator[Hit]:
    """A purpose marked ``law_enforcement`` only makes sense when some member is a competent authority to carry it out."""
    if any(m.competent_authority for m in ctx.charter.members):
        return
    for i, purpose in enumerate(ctx.charter.purposes):
        if purpose.law_enforcement:
            yield Hit(
                pointer=pointer("purposes", i, "law_enforcement"),
                message=f"purpose {purpose.id!r} is law enforcement, but no member is a competent authority",
                hint="mark the member that is a competent authority, or unmark the purpose",
            )


@rule(
    "WS607",
    title="Law enforcement body not marked a competent authority",
    severity=Severity.INFO,
    applies_to="charter",
    citation="DPA 2018 s.30 and Schedule 7",
)
def law_enforcement_sector(ctx: CharterContext) -> Iterator[Hit]:
    """A member in a sector whose bodies are usually competent authorities (police, probation, prison, youth justice) but not marked ``competent_authority``.

    Schedule 7 lists chief officers of police, probation providers, prison
    governors and youth offending teams among competent authorities: their law
    enforcement processing falls under DPA 2018 Part 3, which the rules can see
    only when the member is marked.
    """
    for i, member in enumerate(ctx.charter.members):
        if member.sector.law_enforcement and not member.competent_authority:
            yield Hit(
                pointer=pointer("members", i, "competent_authority"),
                message=f"member {member.id!r} is in the {member.sector.value} sector but not marked a competent authority",
                hint="set competent_authority to true if the member processes for law enforcement purposes",
            )
