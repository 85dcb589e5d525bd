"""Rules on legal bases: every flow of personal data needs the bases the law asks for.

A flow cites bases by id; the ids resolve through the catalogue (built-in
entries, then the charter's and the agreement's own). Ids that do not resolve
are reported once, by WS109, and ignored here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Final, NamedTuple

from woda_sharing._findings import Severity, pointer
from woda_sharing._legal import (
    ART9_SCHEDULE_1_PARTS,
    Art6Basis,
    Art6Point,
    Art9Condition,
    Art9Point,
    Art10Basis,
    Catalogue,
    CommonLawBasis,
    LawEnforcementBasis,
    LegalBasis,
    Schedule1Condition,
    Schedule2Exemption,
    StatutoryGateway,
)
from woda_sharing._model import DataItem, Flow, Member
from woda_sharing.rules import (
    BUILTIN,
    AgreementContext,
    Hit,
    cited_bases,
    cited_ids,
    cites_none_of,
)

__all__: list[str] = []

rule = BUILTIN.rule


def _legitimate_interests(basis: LegalBasis) -> bool:
    return isinstance(basis, Art6Basis) and basis.point in (
        Art6Point.LEGITIMATE_INTERESTS,
        Art6Point.RECOGNISED_LEGITIMATE_INTERESTS,
    )


_CONSENT: Final = (
    Art6Basis(point=Art6Point.CONSENT),
    Art9Condition(point=Art9Point.EXPLICIT_CONSENT),
)


def _sensitive_gaps(basis: LawEnforcementBasis) -> list[str] | None:
    """What the s.35 route *basis* offers for sensitive processing still lacks; ``None`` when it offers no route."""
    if basis.ground == "consent":
        needed = [
            (basis.appropriate_policy_document, "an appropriate policy document (s.35(4)(b))")
        ]
    elif basis.schedule_8_paragraph is not None:
        needed = [
            (basis.strictly_necessary, "a judgement that it is strictly necessary (s.35(5)(a))"),
            (basis.appropriate_policy_document, "an appropriate policy document (s.35(5)(c))"),
        ]
    else:
        return None
    return [what for recorded, what in needed if recorded is not True]


class _Cited(NamedTuple):
    """What the legal-basis rules need to know about one list of cited basis ids.

    Flows cite the same few lists over and over, so this is worked out once
    per distinct list, and a rule first asks it whether a flow can fire at all.
    """

    #: (index in ``bases``, basis) of each id that resolves.
    bases: tuple[tuple[int, LegalBasis], ...]
    #: Some id does not resolve (WS109 reports it).
    unknown: bool
    art6: bool
    art9: bool
    part_3: bool
    schedule_1: bool
    official_authority: bool
    common_law: bool
    #: (index, condition) of each Article 9 condition that needs a Schedule 1 condition and has none.
    schedule_1_missing: tuple[tuple[int, Art9Condition], ...]
    #: (index, condition) of each Schedule 1 condition that needs a policy document and records none.
    policy_missing: tuple[tuple[int, Schedule1Condition], ...]
    #: Index of each DPA 2018 Part 3 basis.
    part_3_at: tuple[int, ...]
    #: (index, basis) of each legitimate-interests basis, and of each consent basis.
    legitimate_interests_at: tuple[tuple[int, LegalBasis], ...]
    consent_at: tuple[tuple[int, LegalBasis], ...]
    #: The s.35 routes for sensitive processing: (index, what each lacks).
    sensitive_routes: tuple[tuple[int, list[str]], ...]


def _cited(ids: tuple[str, ...], catalogue: Catalogue) -> _Cited:
    bases = tuple(
        (j, entry.basis)
        for j, basis_id in enumerate(ids)
        if (entry := catalogue.get(basis_id)) is not None
    )
    schedule_1 = {(b.part, b.paragraph) for _, b in bases if isinstance(b, Schedule1Condition)}
    return _Cited(
        bases=bases,
        unknown=len(bases) != len(ids),
        art6=any(type(b) is Art6Basis for _, b in bases),
        art9=any(isinstance(b, Art9Condition) for _, b in bases),
        part_3=any(type(b) is LawEnforcementBasis for _, b in bases),
        schedule_1=any(isinstance(b, Schedule1Condition) for _, b in bases),
        official_authority=any(
            isinstance(b, Art10Basis) and b.authority == "official-authority" for _, b in bases
        ),
        common_law=any(isinstance(b, CommonLawBasis) for _, b in bases),
        schedule_1_missing=tuple(
            (j, b)
            for j, b in bases
            if isinstance(b, Art9Condition)
            and b.needs_schedule_1
            and not schedule_1 & ART9_SCHEDULE_1_PARTS[b.point.value]
        ),
        policy_missing=tuple(
            (j, b)
            for j, b in bases
            if isinstance(b, Schedule1Condition)
            and b.needs_policy_document
            and not b.appropriate_policy_document
        ),
        part_3_at=tuple(j for j, b in bases if isinstance(b, LawEnforcementBasis)),
        legitimate_interests_at=tuple((j, b) for j, b in bases if _legitimate_interests(b)),
        consent_at=tuple((j, b) for j, b in bases if b in _CONSENT),
        sensitive_routes=tuple(
            (j, gaps)
            for j, b in bases
            if isinstance(b, LawEnforcementBasis) and (gaps := _sensitive_gaps(b)) is not None
        ),
    )


class _FlowFacts(NamedTuple):
    """What the legal-basis rules need to know about one flow, worked out once."""

    cited: _Cited
    #: The sender, or the recipient, is a competent authority and a purpose is law enforcement.
    sender_le: bool
    recipient_le: bool
    #: Both sides process under DPA 2018 Part 3, so no UK GDPR basis is needed. Without the
    #: charter, who is a competent authority is unknown: a cited Part 3 basis is taken as the answer.
    gdpr_exempt: bool

    @property
    def bases(self) -> tuple[tuple[int, LegalBasis], ...]:
        """The flow's bases that resolve, with their index in ``bases``."""
        return self.cited.bases

    @property
    def law_enforcement(self) -> bool:
        """A competent authority processes this flow's data for a law enforcement purpose."""
        return self.sender_le or self.recipient_le


class _Facts(NamedTuple):
    """The facts of every flow, in order, and the ids of the declared items of each kind that matters."""

    flows: tuple[_FlowFacts, ...]
    personal: frozenset[str]
    special: frozenset[str]
    criminal: frozenset[str]
    confidential: frozenset[str]


def _facts(ctx: AgreementContext) -> _Facts:
    """The facts of the context's agreement, worked out once per context."""
    return ctx.memo("legal_bases.facts", lambda: _compute_facts(ctx))


def _compute_facts(ctx: AgreementContext) -> _Facts:
    catalogue = ctx.catalogue
    # Per distinct list of basis ids: its facts, and the facts of a flow with no law enforcement.
    by_ids: dict[tuple[str, ...], _FlowFacts] = {}
    law_enforcement_purposes = {p.id for p in ctx.charter_purposes.values() if p.law_enforcement}
    competent_parties = {
        party_id
        for party_id, party in ctx.parties.items()
        if (member := ctx.members.get(party.organisation)) is not None
        and member.competent_authority
    }
    with_charter = ctx.charter is not None
    flows: list[_FlowFacts] = []
    for flow in ctx.agreement.flows:
        plain = by_ids.get(flow.bases)
        if plain is None:
            cited = _cited(flow.bases, catalogue)
            plain = by_ids[flow.bases] = _FlowFacts(
                cited,
                sender_le=False,
                recipient_le=False,
                gdpr_exempt=not with_charter and cited.part_3,
            )
        if law_enforcement_purposes and not law_enforcement_purposes.isdisjoint(flow.purposes):
            cited = plain.cited
            sender_le = flow.source in competent_parties
            recipient_le = flow.recipient in competent_parties
            exempt = (sender_le and recipient_le) if with_charter else cited.part_3
            flows.append(_FlowFacts(cited, sender_le, recipient_le, exempt))
        else:
            flows.append(plain)
    items = ctx.items.values()  # an id declared twice (WS107) is the item the id resolves to
    return _Facts(
        flows=tuple(flows),
        personal=frozenset(i.id for i in items if i.is_personal_data),
        special=frozenset(i.id for i in items if i.is_special_category),
        criminal=frozenset(i.id for i in items if i.is_criminal_offence),
        confidential=frozenset(i.id for i in items if i.is_confidential),
    )


def _flows(ctx: AgreementContext) -> Iterator[tuple[int, Flow, _FlowFacts]]:
    """Each flow with its index and its facts."""
    for i, (flow, facts) in enumerate(zip(ctx.agreement.flows, _facts(ctx).flows, strict=True)):
        yield i, flow, facts


def _declared(ctx: AgreementContext, flow: Flow, kind: frozenset[str]) -> list[DataItem]:
    """The declared items of *kind* (ids from `_Facts`) that *flow* shares, in its order."""
    items = ctx.items
    return [items[i] for i in flow.items if i in kind]


def _names(items: Sequence[DataItem]) -> str:
    return ", ".join(repr(i.id) for i in items)


def _member(ctx: AgreementContext, party_id: str) -> Member | None:
    party = ctx.parties.get(party_id)
    return ctx.members.get(party.organisation) if party is not None else None


@rule(
    "WS201",
    title="Personal data shared without a UK GDPR Article 6 basis",
    citation="UK GDPR Article 6(1)",
)
def art6_basis(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow that shares personal data (personal, special category, criminal offence or pseudonymised items) must cite a UK GDPR Article 6(1) basis.

    Pseudonymised data is still personal data. Only a flow whose sender and
    recipient are both competent authorities processing for a law enforcement
    purpose is outside UK GDPR (DPA 2018 ss.29-31) and exempt: when a council
    discloses to the police, the council's processing is still under UK GDPR,
    whatever Part 3 basis records the police's. Without the charter, a flow
    citing a Part 3 basis is taken to be exempt. A flow citing a basis id
    that is not in the catalogue is left to WS109: the unknown id may be
    its Article 6 basis misspelt, and one mistake gets one finding.
    """
    kind = _facts(ctx).personal
    for i, flow, facts in _flows(ctx):
        cited = facts.cited
        if facts.gdpr_exempt or cited.art6 or cited.unknown or kind.isdisjoint(flow.items):
            continue  # (an unknown id is WS109's: no cascade)
        personal = _declared(ctx, flow, kind)
        if personal:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} shares personal data ({_names(personal)}) without an Article 6 basis",
                hint="cite the Article 6(1) basis the sender relies on, for a public body usually (e) public task",
            )


@rule(
    "WS202",
    title="Special category data shared without an Article 9 condition",
    citation="UK GDPR Article 9(2)",
)
def art9_condition(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow that shares special category data must cite a UK GDPR Article 9(2) condition besides its Article 6 basis.

    A flow wholly under DPA 2018 Part 3 (see WS201) is exempt: its sensitive
    processing is WS211's business. A flow citing a basis id that is not in
    the catalogue is left to WS109, as for WS201.
    """
    kind = _facts(ctx).special
    for i, flow, facts in _flows(ctx):
        if (
            facts.gdpr_exempt
            or facts.cited.art9
            or facts.cited.unknown
            or kind.isdisjoint(flow.items)
        ):
            continue
        special = _declared(ctx, flow, kind)
        if special:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} shares special category data ({_names(special)}) without an Article 9(2) condition",
                hint="cite the Article 9(2) condition that applies, for instance (h) health or social care",
            )


@rule(
    "WS203",
    title="Article 9 condition without the Schedule 1 condition it needs",
    citation="UK GDPR Article 9(2); DPA 2018 s.10 and Schedule 1",
)
def art9_schedule_1(ctx: AgreementContext) -> Iterator[Hit]:
    """Article 9(2) points (b), (g), (h), (i) and (j) are lawful only with a matching DPA 2018 Schedule 1 condition cited on the same flow.

    Point (b) needs Part 1 paragraph 1, (h) paragraph 2, (i) paragraph 3, (j)
    paragraph 4, and (g) substantial public interest one of the Part 2
    conditions (paragraphs 6 to 28). A flow citing a basis id that is not in
    the catalogue is left to WS109: it may be the Schedule 1 condition misspelt.
    """
    for i, flow, facts in _flows(ctx):
        if facts.cited.unknown:
            continue  # WS109 reports the unknown id; no cascade
        for j, basis in facts.cited.schedule_1_missing:
            wanted = ART9_SCHEDULE_1_PARTS[basis.point.value]
            options = ", ".join(f"Part {p} para {n}" for p, n in sorted(wanted)[:3])
            more = " or another Part 2 paragraph" if len(wanted) > 3 else ""
            yield Hit(
                pointer=pointer("flows", i, "bases", j),
                message=f"Article 9(2)({basis.point.value}) needs a matching DPA 2018 Schedule 1 condition, and flow {flow.id!r} cites none",
                hint=f"cite the Schedule 1 condition that applies: {options}{more}",
            )


@rule(
    "WS204",
    title="Schedule 1 condition without its appropriate policy document",
    citation="DPA 2018 Schedule 1 paragraphs 1(1)(b), 5, 13(3), 35-37 and Part 4",
)
def policy_document(ctx: AgreementContext) -> Iterator[Hit]:
    """A Schedule 1 condition that requires an appropriate policy document is cited, but its entry records that there is none.

    The conditions that require one are Part 1 paragraph 1, the Part 2
    conditions except paragraph 13, and Part 3 paragraphs 35 to 37. Paragraph
    10 (preventing or detecting unlawful acts) does not need one for a
    disclosure to a competent authority (paragraph 10(2)), so a flow to a
    charter member marked ``competent_authority`` is not reported for it.
    """
    for i, flow, facts in _flows(ctx):
        missing = facts.cited.policy_missing
        if not missing:
            continue
        recipient = _member(ctx, flow.recipient)
        to_competent = recipient is not None and recipient.competent_authority
        for j, basis in missing:
            if not (to_competent and (basis.part, basis.paragraph) == (2, 10)):
                yield Hit(
                    pointer=pointer("flows", i, "bases", j),
                    message=f"Schedule 1 Part {basis.part} paragraph {basis.paragraph} requires an appropriate policy document, and {flow.bases[j]!r} records none",
                    hint="put an appropriate policy document in place (Schedule 1 Part 4) and set appropriate_policy_document to true",
                )


@rule(
    "WS205",
    title="Criminal offence data without an Article 10 basis",
    citation="UK GDPR Article 10; DPA 2018 s.10(5) and Schedule 1",
)
def art10_basis(ctx: AgreementContext) -> Iterator[Hit]:
    """A flow that shares criminal offence data needs Article 10 official authority, or a DPA 2018 Schedule 1 condition.

    Criminal offence data is an item whose categories include
    ``criminal-offence``, alone, beside a special category (health and
    offending flags), or pseudonymised: pseudonymised criminal offence data is
    still criminal offence data.

    Article 10 "authorised by law" is met only through a Schedule 1 condition
    (DPA 2018 s.10(5)), so on its own it is not enough. Official authority
    means processing as part of a public function, so it counts only for a
    sender that is a public authority (when the charter says who is one). A
    flow wholly under DPA 2018 Part 3 (see WS201) is exempt, and a flow
    citing a basis id that is not in the catalogue is left to WS109.
    """
    kind = _facts(ctx).criminal
    for i, flow, facts in _flows(ctx):
        cited = facts.cited
        if facts.gdpr_exempt or cited.schedule_1 or cited.unknown or kind.isdisjoint(flow.items):
            continue
        if cited.official_authority:
            sender = _member(ctx, flow.source)
            if ctx.charter is None or (sender is not None and sender.public_authority):
                continue
        criminal = _declared(ctx, flow, kind)
        if criminal:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} shares criminal offence data ({_names(criminal)}) without Article 10 official authority or a Schedule 1 condition",
                hint="cite Article 10 official authority, or the DPA 2018 Schedule 1 condition that authorises it",
            )


@rule(
    "WS206",
    title="The charter cited as a legal basis",
    citation="UK GDPR Articles 6, 9 and 10",
)
def charter_is_not_a_basis(ctx: AgreementContext) -> Iterator[Hit]:
    """A charter (or the agreement itself) is never a legal basis: it records how partners share, but only the law makes a sharing lawful.

    Fires when a flow cites the charter's id, the agreement's own id, or a
    statutory-gateway entry whose act is a charter.
    """
    charters = ctx.document_ids
    charters.update(
        entry.id
        for entry in ctx.catalogue
        if isinstance(entry.basis, StatutoryGateway) and "charter" in entry.basis.act.lower()
    )
    for i, flow in enumerate(ctx.agreement.flows):
        if cites_none_of(flow, charters):
            continue
        for tokens, basis_id in cited_bases(flow):
            if basis_id in charters:
                yield Hit(
                    pointer=pointer("flows", i, *tokens),
                    message=f"{basis_id!r} is a charter or agreement, cited as if it were a legal basis",
                    hint="a charter is never a legal basis: cite the UK GDPR / DPA 2018 basis and any statutory gateway the sharing relies on",
                )


def _sender_bases(
    ctx: AgreementContext, wanted: Callable[[_Cited], Sequence[tuple[int, LegalBasis]]]
) -> Iterator[tuple[int, Flow, int, LegalBasis]]:
    """(flow index, flow, basis index, basis) of each *wanted* basis (from `_Cited`) a public-authority sender cites."""
    for i, flow, facts in _flows(ctx):
        at = wanted(facts.cited)
        if not at:
            continue
        member = _member(ctx, flow.source)
        if member is None or not member.public_authority:
            continue
        for j, basis in at:
            yield i, flow, j, basis


@rule(
    "WS207",
    title="Public authority relying on legitimate interests for its tasks",
    needs_charter=True,
    citation="UK GDPR Article 6(1), words after point (f); DPA 2018 s.7(2)",
)
def public_authority_legitimate_interests(ctx: AgreementContext) -> Iterator[Hit]:
    """A public authority cannot rely on Article 6(1)(f) legitimate interests, nor on (ea) recognised legitimate interests, for processing in the performance of its tasks.

    Fires when the sender of a flow is a charter member marked
    ``public_authority`` and cites either, unless the flow records that the
    disclosure is outside the authority's tasks (``outside_public_tasks``):
    the bar applies to processing "in the performance of their tasks", and a
    body is a public authority for UK GDPR only when it performs a task in the
    public interest or in the exercise of official authority (DPA 2018 s.7(2)).
    """
    for i, flow, j, basis in _sender_bases(ctx, lambda cited: cited.legitimate_interests_at):
        if flow.outside_public_tasks:
            continue
        recognised = (
            isinstance(basis, Art6Basis)
            and basis.point is Art6Point.RECOGNISED_LEGITIMATE_INTERESTS
        )
        name = (
            "recognised legitimate interests (Article 6(1)(ea))"
            if recognised
            else "legitimate interests (Article 6(1)(f))"
        )
        yield Hit(
            pointer=pointer("flows", i, "bases", j),
            message=f"the sender of flow {flow.id!r} is a public authority, which cannot rely on {name} for processing in the performance of its tasks",
            hint="a public body sharing for its tasks relies on Article 6(1)(e) public task or (c) legal obligation; if this disclosure is outside its tasks, set outside_public_tasks on the flow",
        )


@rule(
    "WS208",
    title="Public authority relying on consent",
    severity=Severity.WARNING,
    needs_charter=True,
    citation="UK GDPR Articles 4(1)(11), 6(1)(a), 7(4) and 9(2)(a); Recital 43",
)
def public_authority_consent(ctx: AgreementContext) -> Iterator[Hit]:
    """Consent is rarely valid for a public authority: the imbalance of power means it is seldom freely given.

    Fires when the sender of a flow is a public authority citing Article 6(1)(a)
    consent or Article 9(2)(a) explicit consent. Explicit consent as the basis
    for setting aside the common law duty of confidentiality is another matter,
    and is not flagged.
    """
    for i, flow, j, _ in _sender_bases(ctx, lambda cited: cited.consent_at):
        yield Hit(
            pointer=pointer("flows", i, "bases", j),
            message=f"the sender of flow {flow.id!r} is a public authority relying on consent",
            hint="prefer Article 6(1)(e) public task; keep consent only where people can truly refuse",
        )


@rule(
    "WS209",
    title="Law enforcement processing filed under UK GDPR",
    needs_charter=True,
    citation="DPA 2018 Part 3, ss.29-31 and 35",
)
def law_enforcement_under_gdpr(ctx: AgreementContext) -> Iterator[Hit]:
    """Processing by a competent authority for a law enforcement purpose falls under DPA 2018 Part 3, not UK GDPR.

    Fires when a flow to or from a competent authority serves a charter purpose
    marked ``law_enforcement`` but cites no Part 3 basis. It is an error when
    the competent authority sends (its disclosure is Part 3 processing), and a
    warning when it only receives: the sender's UK GDPR bases are right for
    the sender, and the recipient's s.35 basis should be recorded beside them.
    """
    for i, flow, facts in _flows(ctx):
        if facts.cited.part_3 or not facts.law_enforcement:
            continue
        if facts.sender_le:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} is law enforcement processing by a competent authority ({flow.source!r}) but cites no DPA 2018 Part 3 basis",
                hint="cite the DPA 2018 Part 3 (s.35) basis for the competent authority's law enforcement processing",
            )
        else:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} goes to a competent authority ({flow.recipient!r}) for law enforcement, but its DPA 2018 Part 3 basis is not recorded",
                hint="keep the sender's UK GDPR bases and add the s.35 basis the recipient processes under",
                severity=Severity.WARNING,
            )


@rule(
    "WS210",
    title="DPA 2018 Part 3 cited outside law enforcement",
    severity=Severity.WARNING,
    needs_charter=True,
    citation="DPA 2018 ss.30-31",
)
def part_3_outside_law_enforcement(ctx: AgreementContext) -> Iterator[Hit]:
    """A DPA 2018 Part 3 basis applies only to a competent authority processing for law enforcement purposes.

    Fires when a flow cites one although neither party is a competent
    authority, or none of its purposes is marked ``law_enforcement``.
    """
    for i, flow, facts in _flows(ctx):
        if facts.law_enforcement:
            continue
        for j in facts.cited.part_3_at:
            yield Hit(
                pointer=pointer("flows", i, "bases", j),
                message=f"flow {flow.id!r} cites DPA 2018 Part 3, but no competent authority processes for a law enforcement purpose",
                hint="cite UK GDPR bases, or mark the charter purpose law_enforcement and the member competent_authority",
            )


@rule(
    "WS211",
    title="Sensitive law enforcement processing without s.35 safeguards",
    citation="DPA 2018 s.35(3)-(5), s.35(8), s.42 and Schedule 8",
)
def sensitive_law_enforcement(ctx: AgreementContext) -> Iterator[Hit]:
    """Sensitive processing under DPA 2018 Part 3 needs consent and an appropriate policy document (s.35(4)), or to be strictly necessary, meet a Schedule 8 condition and have an appropriate policy document (s.35(5)).

    Sensitive processing (s.35(8)) is that of special category data: racial or
    ethnic origin, political opinions, beliefs, trade union membership, genetic
    and biometric data, health, sex life or orientation. Criminal offence data
    is not sensitive processing under Part 3: it is what law enforcement
    processing is about. Strict necessity is a test of its own, not something a
    Schedule 8 condition supplies: the s.35 basis records it
    (``strictly_necessary``) and the policy document
    (``appropriate_policy_document``), as the built-in entries do. The rule
    fires at the flow's bases when no s.35 basis offers either route, and at
    each basis that offers one but does not record what it needs, unless another
    basis of the flow offers a complete route.
    """
    kind = _facts(ctx).special
    for i, flow, facts in _flows(ctx):
        if not facts.cited.part_3 or kind.isdisjoint(flow.items):
            continue
        special = _declared(ctx, flow, kind)
        if not special:
            continue
        routes = facts.cited.sensitive_routes
        if not routes:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} is sensitive processing ({_names(special)}) with neither consent nor a Schedule 8 condition",
                hint="cite consent (s.35(4)) or the s.35 basis with the Schedule 8 condition that applies; strict necessity (s.35(5)(a)) is a separate test the basis records",
            )
            continue
        if any(not gaps for _, gaps in routes):
            continue
        for j, gaps in routes:
            yield Hit(
                pointer=pointer("flows", i, "bases", j),
                message=f"flow {flow.id!r} is sensitive processing ({_names(special)}) on {flow.bases[j]!r}, which does not record {' or '.join(gaps)}",
                hint="record strictly_necessary and appropriate_policy_document on the s.35 basis once they are true (the built-in entries do), or do not share the sensitive items",
            )


@rule(
    "WS212",
    title="Information given in confidence shared without a confidentiality basis",
    severity=Severity.WARNING,
    citation="Common law duty of confidentiality; compare NHS Act 2006 s.251(2)(a)",
)
def common_law_confidentiality(ctx: AgreementContext) -> Iterator[Hit]:
    """Information given in confidence owes the common law duty of confidentiality, whoever holds it: a flow that shares it should cite the basis that sets the duty aside (implied or explicit consent, a legal requirement, s.251 support or overriding public interest).

    The duty attaches to the information, not to the status of the body: a
    council's social care records are covered as much as an NHS body's (NHS Act
    2006 s.251(2)(a) reaches "relevant social care bodies" too). An item is
    confidential when it says so (``confidential``); when it does not say,
    health data is taken to have been given in confidence and other data not.
    """
    kind = _facts(ctx).confidential
    for i, flow, facts in _flows(ctx):
        if facts.cited.common_law or kind.isdisjoint(flow.items):
            continue
        confidential = _declared(ctx, flow, kind)
        if confidential:
            yield Hit(
                pointer=pointer("flows", i, "bases"),
                message=f"flow {flow.id!r} shares information given in confidence ({_names(confidential)}) without a common law confidentiality basis",
                hint="cite a common-law basis: implied consent for individual care, explicit consent, a legal requirement, s.251 support or overriding public interest",
            )


@rule(
    "WS213",
    title="Legal basis not in force on the agreement's start",
)
def basis_in_force(ctx: AgreementContext) -> Iterator[Hit]:
    """A basis, capacity basis or exemption a flow cites must be in force on the agreement's ``start``.

    An error when the catalogue entry's ``in_force`` date is after the start
    (a 2014 agreement citing a section commenced in 2015 rests on nothing), or
    when its ``repealed`` date is on or before the start; a warning when it was
    repealed after the agreement started, up to today, because the sharing has
    lost the basis since. Entries without dates are not judged: the built-in
    catalogue records a date only where the commencement could be checked.
    """
    start, today = ctx.agreement.start, ctx.today
    # Judge each distinct id once; then a flow citing none that fails is skipped with one check.
    verdicts: dict[str, tuple[str, str, Severity | None]] = {}
    for basis_id in cited_ids(ctx):
        entry = ctx.catalogue.get(basis_id)
        if entry is None:
            continue
        if entry.in_force is not None and start < entry.in_force:
            verdicts[basis_id] = (
                f"{basis_id!r} came into force on {entry.in_force.isoformat()}, after the agreement's start on {start.isoformat()}",
                "cite the basis the sharing relied on when it started, or start a new version of the agreement from the date the new basis applies",
                None,
            )
        elif entry.repealed is not None and entry.repealed <= start:
            verdicts[basis_id] = (
                f"{basis_id!r} was repealed on {entry.repealed.isoformat()}, before the agreement's start on {start.isoformat()}",
                "cite the provision that replaced it",
                None,
            )
        elif entry.repealed is not None and entry.repealed <= today:
            verdicts[basis_id] = (
                f"{basis_id!r} was repealed on {entry.repealed.isoformat()}, after the agreement started: the sharing has relied on nothing since",
                "amend the agreement to cite the provision that replaced it",
                Severity.WARNING,
            )
    if not verdicts:
        return
    for i, flow in enumerate(ctx.agreement.flows):
        if cites_none_of(flow, verdicts.keys()):
            continue
        for tokens, basis_id in cited_bases(flow):
            verdict = verdicts.get(basis_id)
            if verdict is not None:
                message, hint, severity = verdict
                yield Hit(
                    pointer=pointer("flows", i, *tokens),
                    message=message,
                    hint=hint,
                    severity=severity,
                )


@rule(
    "WS214",
    title="Exemption and lawful basis confused",
    citation="DPA 2018 s.15 and Schedule 2; UK GDPR Article 6(1)",
)
def exemption_is_not_a_basis(ctx: AgreementContext) -> Iterator[Hit]:
    """A DPA 2018 Schedule 2 exemption is never a lawful basis, and a lawful basis is not an exemption.

    An exemption (crime and taxation, information required by law, ...)
    disapplies listed provisions so far as applying them would prejudice its
    purpose; the disclosure still needs its own Article 6 basis. Fires when a
    flow cites an exemption among its ``bases`` or as its ``capacity_basis``,
    or cites something that is not an exemption among its ``exemptions``.
    """
    exemptions: set[str] = set()  # known ids that are exemptions, and known ids that are not
    others: set[str] = set()
    for basis_id in cited_ids(ctx):
        entry = ctx.catalogue.get(basis_id)
        if entry is not None:
            (exemptions if isinstance(entry.basis, Schedule2Exemption) else others).add(basis_id)
    for i, flow in enumerate(ctx.agreement.flows):
        if cites_none_of(flow, exemptions) and others.isdisjoint(flow.exemptions):
            continue
        for tokens, basis_id in cited_bases(flow):
            if basis_id not in exemptions and basis_id not in others:
                continue
            is_exemption = basis_id in exemptions
            if tokens[0] == "exemptions" and not is_exemption:
                yield Hit(
                    pointer=pointer("flows", i, *tokens),
                    message=f"{basis_id!r} is cited as an exemption, but it is not a DPA 2018 Schedule 2 exemption",
                    hint="move it to the flow's bases if it is a lawful basis",
                )
            elif tokens[0] != "exemptions" and is_exemption:
                yield Hit(
                    pointer=pointer("flows", i, *tokens),
                    message=f"{basis_id!r} is a DPA 2018 Schedule 2 exemption, which is never a lawful basis",
                    hint="record it in the flow's exemptions and cite the Article 6 basis (and Article 9 or 10 condition) the disclosure relies on",
                )
