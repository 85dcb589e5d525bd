"""Who must endorse a document: the rule read once from the typed charter or agreement.

Rule WS601 and `woda_sharing._signing.verify` both read the requirement here, so
they cannot disagree. It lives apart from `woda_sharing.signing` because it
needs only the typed model: validating a charter (which runs WS601) never
loads the signature machinery and its cryptography.
"""

from __future__ import annotations

from attrs import frozen

from woda_sharing._model import Agreement, Charter

__all__ = ["EndorsementRequirement", "endorsement_requirement"]


@frozen(kw_only=True)
class EndorsementRequirement:
    """Who must endorse a document: read once from the typed `Charter` or `Agreement`.

    ``expected`` are the organisations whose endorsements count, ``threshold``
    how many distinct ones are needed, ``roles`` the roles they may sign in
    (``None`` when they cannot be checked: an agreement without its charter,
    which `verify` counts as a problem of its own).
    ``problems`` say why the requirement can never be met, if it cannot.
    """

    description: str
    expected: frozenset[str]
    roles: frozenset[str] | None
    threshold: int
    problems: tuple[str, ...]


def endorsement_requirement(
    document: Charter | Agreement, *, charter: Charter | None = None
) -> EndorsementRequirement:
    """Return who must endorse *document* (for an agreement, under *charter*).

    A charter carries its own rule (``all-members`` or a ``threshold`` of
    distinct members, in its ``roles``); an agreement needs every distinct
    party organisation, in a role of its charter's rule. Rule WS601 and
    `verify` both read the rule here, so they cannot disagree.
    """
    if isinstance(document, Charter):
        return _charter_requirement(document)
    return _agreement_requirement(document, charter)


def _charter_requirement(charter: Charter) -> EndorsementRequirement:
    members = frozenset(m.id for m in charter.members)
    rule = charter.endorsement
    roles = frozenset(rule.roles) or None
    problems: list[str] = []
    if not members:
        problems.append("the charter has no members, so its endorsement rule needs nothing")
    if roles is None:
        problems.append("the charter's endorsement rule names no roles")
        return EndorsementRequirement(
            description="unreadable",
            expected=members,
            roles=None,
            threshold=0,
            problems=tuple(problems),
        )
    if rule.rule == "all-members":
        need = len(members)
        description = f"all {need} members"
    elif rule.threshold is not None:
        need = rule.threshold
        description = f"{need} of {len(members)} members"
        if need > len(members):
            problems.append(f"the threshold {need} exceeds the {len(members)} members")
    else:
        need = 0
        description = "unreadable"
        problems.append("the charter's threshold rule names no threshold")
    if need < 1 and not problems:
        problems.append("the endorsement rule needs nothing, so it can never be met")
    description += f", roles: {', '.join(sorted(roles))}"
    return EndorsementRequirement(
        description=description,
        expected=members,
        roles=roles,
        threshold=need,
        problems=tuple(problems),
    )


def _agreement_requirement(agreement: Agreement, charter: Charter | None) -> EndorsementRequirement:
    orgs = frozenset(p.organisation for p in agreement.parties)
    problems: list[str] = []
    if not orgs:
        problems.append("the agreement has no parties, so its endorsement rule needs nothing")
    roles: frozenset[str] | None = None
    if charter is not None:
        roles = frozenset(charter.endorsement.roles) or None
        if roles is None:
            problems.append("the charter's endorsement roles cannot be read")
        outsiders = sorted(orgs - {m.id for m in charter.members})
        if outsiders:
            problems.append(f"parties are not charter members: {', '.join(outsiders)}")
    description = f"every party organisation ({len(orgs)})"
    if roles:
        description += f", roles: {', '.join(sorted(roles))}"
    return EndorsementRequirement(
        description=description,
        expected=orgs,
        roles=roles,
        threshold=len(orgs),
        problems=tuple(problems),
    )
