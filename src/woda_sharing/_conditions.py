"""Conditions of use: the vocabulary of actions, and the compiled terms a decision checks.

The documents attach `woda_sharing._model.Conditions` (ODRL 2.2-style
permissions, prohibitions and duties, a consent model and triggers) to an
agreement, a flow or an item. This module holds the closed vocabulary those
conditions draw on (`BUILTIN_ACTIONS`, which a charter extends with its own
``actions``), the states of a person's consent a request can carry
(`CONSENT_STATES`), and `Terms`: the conditions that apply to one item in one
flow, merged from the three levels once, at compile time, so that a decision
checks a request against them with a few set operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, NamedTuple

from attrs import frozen

from woda_sharing._model import (
    Action,
    Agreement,
    Charter,
    Conditions,
    Consent,
    DataItem,
    Duty,
    Flow,
    Party,
)

__all__ = [
    "BUILTIN_ACTIONS",
    "CONSENT_STATES",
    "ONWARD",
    "Obligation",
    "Terms",
    "judge",
    "merged_terms",
    "obligations",
    "use_failure",
    "vocabulary",
]

#: The use that a permission of passes data on under further agreements.
ONWARD: Final = "onward-disclosure"
#: The prohibited use that keeps onward disclosure among the agreement's own parties.
NON_SIGNATORIES: Final = "disclose-to-non-signatories"


def _a(kind: str, id_: str, title: str) -> Action:
    return Action(id=id_, title=title, kind=kind)  # type: ignore[arg-type]  # kinds are literals below


#: The built-in vocabulary, by id. A charter's ``actions`` add to it (never redefine it).
BUILTIN_ACTIONS: Final[Mapping[str, Action]] = {
    a.id: a
    for a in (
        _a("use", "direct-care", "Provide direct care to the person"),
        _a("use", "case-management", "Manage the person's case"),
        _a("use", "research", "Use for research"),
        _a("use", "planning", "Use for planning and commissioning services"),
        _a("use", "aggregate", "Produce aggregate figures"),
        _a("use", "link", "Link with other data sets"),
        _a("use", "decide-about-individuals", "Make decisions about individuals"),
        _a("use", "re-identify", "Re-identify people in pseudonymised or aggregate data"),
        _a("use", "return-linked-data", "Return linked data to the sender"),
        _a("use", "release-record-level", "Release outputs that are not aggregated"),
        _a("use", "automated-decision", "Automated decision-making or AI on the data"),
        _a("use", "commercial-use", "Use for a commercial purpose"),
        _a("use", ONWARD, "Disclose the data onward to another party"),
        _a("use", NON_SIGNATORIES, "Disclose the data to a body not party to the agreement"),
        _a("duty", "delete-after-use", "Delete the data once the purpose is met"),
        _a(
            "duty",
            "notify-sender-before-onward-disclosure",
            "Notify the sender before passing it on",
        ),
        _a("duty", "suppress-small-numbers", "Suppress small numbers in outputs"),
        _a("duty", "record-reason-for-sharing", "Record why the data was shared"),
        _a("duty", "inform-the-person", "Tell the person the data was shared"),
        _a("duty", "review-need-to-share", "Review whether the sharing is still needed"),
        _a("condition", "safeguarding", "A safeguarding concern about a child or adult at risk"),
        _a("condition", "court-order", "An order of a court"),
        _a("condition", "prevention-of-serious-crime", "Preventing or detecting serious crime"),
        _a("condition", "vital-interests", "Protecting someone's life"),
        _a("condition", "public-interest", "An overriding public interest"),
        _a("condition", "s251-support", "Support under NHS Act 2006 s.251"),
        _a("condition", "marac-threshold", "The case meets the MARAC referral threshold"),
        _a("condition", "s47-enquiry", "A Children Act 1989 s.47 enquiry is under way"),
        _a("condition", "lead-professional-request", "The lead professional asked for the data"),
    )
}

#: A person's recorded state of consent or objection, as a request carries it.
CONSENT_STATES: Final = frozenset(
    {"consented", "refused", "withdrawn", "opted-out", "national-opt-out"}
)
#: States that stop an implied or opt-out sharing (unless overridden).
OBJECTIONS: Final = frozenset({"refused", "withdrawn", "opted-out"})


def vocabulary(charter: Charter | None) -> dict[str, Action]:
    """The built-in actions, then the charter's own (a charter's never replace a built-in one)."""
    actions = dict(BUILTIN_ACTIONS)
    if charter is not None:
        for a in charter.actions:
            actions.setdefault(a.id, a)
    return actions


@frozen(kw_only=True)
class Obligation:
    """A duty that comes back with a permit: what must be done, by whom, because of which flow.

    *party* is the organisation that must do it (``ORG`` or ``ORG:CAPACITY``);
    *agreement* and *flow* name where the duty is written.
    """

    action: str
    party: str
    agreement: str
    flow: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form used by ``woda-sharing check --format json``."""
        return {
            "action": self.action,
            "party": self.party,
            "agreement": self.agreement,
            "flow": self.flow,
        }


class Onward(NamedTuple):
    """A permission of onward disclosure, compiled: under which agreements, with which duties."""

    under: frozenset[str] | None  # None: any agreement of the charter
    duties: tuple[Obligation, ...]


class Terms(NamedTuple):
    """The conditions that apply to one item in one flow: the agreement's, the flow's and the item's.

    ``permitted`` is ``None`` when no use is permitted explicitly (any use not
    prohibited may be made). ``consents`` and ``triggers`` each hold one entry
    per level that sets one; every one must be met. ``bare`` says whether a
    request that states nothing (no uses, no consent, no conditions) meets them.
    ``duties`` always apply; ``use_duties`` are the duties of each permitted
    use, which apply when the request states that use.
    """

    permitted: frozenset[str] | None
    prohibited: frozenset[str]
    duties: tuple[Obligation, ...]
    use_duties: tuple[tuple[str, tuple[Obligation, ...]], ...]
    consents: tuple[Consent, ...]
    triggers: tuple[tuple[str, ...], ...]
    onward: tuple[Onward, ...]
    signatories: frozenset[str]
    bare: bool


def _who(party: Party | None) -> str:
    if party is None:
        return "?"
    return (
        party.organisation if party.capacity is None else f"{party.organisation}:{party.capacity}"
    )


def _duties(
    duties: Iterable[Duty], parties: Mapping[str, Party], default: Party, a: Agreement, f: Flow
) -> list[Obligation]:
    return [
        Obligation(
            action=d.action,
            party=_who(parties.get(d.party) if d.party is not None else default),
            agreement=a.id,
            flow=f.id,
        )
        for d in duties
    ]


def merged_terms(
    a: Agreement,
    f: Flow,
    item: DataItem | None,
    parties: Mapping[str, Party],
) -> Terms | None:
    """The `Terms` of *item* in flow *f* of agreement *a*, or ``None`` when no level sets a condition."""
    levels = [
        c
        for c in (a.conditions, f.conditions, item.conditions if item is not None else None)
        if c is not None and not c.empty
    ]
    if not levels:
        return None
    return _merge(levels, a, f, parties)


def _merge(levels: list[Conditions], a: Agreement, f: Flow, parties: Mapping[str, Party]) -> Terms:
    recipient = parties[f.recipient]
    permitted: set[str] | None = None
    prohibited: set[str] = set()
    duties: list[Obligation] = []
    use_duties: dict[str, list[Obligation]] = {}
    consents: list[Consent] = []
    triggers: list[tuple[str, ...]] = []
    onward: list[Onward] = []
    for c in levels:
        # Each level that permits uses narrows them: the uses every such level permits.
        uses = {p.action for p in c.permissions if p.action != ONWARD}
        if uses:
            permitted = uses if permitted is None else permitted & uses
        for p in c.permissions:
            if p.action == ONWARD:
                onward.append(
                    Onward(
                        under=frozenset(p.under) if p.under else None,
                        duties=tuple(_duties(p.duties, parties, recipient, a, f)),
                    )
                )
            elif p.duties:
                use_duties.setdefault(p.action, []).extend(
                    _duties(p.duties, parties, recipient, a, f)
                )
        prohibited.update(p.action for p in c.prohibitions)
        duties += _duties(c.duties, parties, recipient, a, f)
        if c.consent is not None:
            consents.append(c.consent)
        if c.triggers:
            triggers.append(c.triggers)
    bare = permitted is None and not triggers and all(c.model != "explicit" for c in consents)
    return Terms(
        permitted=frozenset(permitted) if permitted is not None else None,
        prohibited=frozenset(prohibited),
        duties=tuple(dict.fromkeys(duties)),
        use_duties=tuple((use, tuple(dict.fromkeys(d))) for use, d in use_duties.items()),
        consents=tuple(consents),
        triggers=tuple(triggers),
        onward=tuple(onward),
        signatories=frozenset(p.organisation for p in a.parties),
        bare=bare,
    )


def obligations(terms: Terms, uses: tuple[str, ...]) -> tuple[Obligation, ...]:
    """The duties *terms* bring for a request that states *uses*."""
    if not terms.use_duties or not uses:
        return terms.duties
    extra = tuple(d for use, ds in terms.use_duties if use in uses for d in ds)
    return terms.duties + extra


def judge(
    terms: Terms,
    uses: tuple[str, ...],
    state: str | None,
    asserted: tuple[str, ...],
    overrides: list[str] | None = None,
) -> tuple[str, str] | None:
    """Whether a request meets *terms*: ``None`` when it does, else ``(reason code, detail)``.

    An override that lets an objection be set aside is appended to *overrides*.
    """
    if uses or terms.permitted is not None:
        failure = use_failure(terms, uses)
        if failure is not None:
            return failure
    for group in terms.triggers:
        if not any(c in asserted for c in group):
            return "DR017", f"needs one of the conditions {_words(group)}"
    if not terms.consents:
        return None
    used: list[str] = []
    for consent in terms.consents:
        failure = _consent(consent, state)
        if failure is None:
            continue
        override = next((o for o in consent.overrides if o in asserted), None)
        if override is None:
            return failure
        used.append(override)
    if overrides is not None:
        overrides += used
    return None


def use_failure(terms: Terms, uses: tuple[str, ...]) -> tuple[str, str] | None:
    """Whether *terms* let the recipient make *uses*: ``None``, or ``("DR012", detail)``."""
    if uses:
        bad = terms.prohibited.intersection(uses)
        if bad:
            return "DR012", f"prohibits {_words(bad)}"
        if terms.permitted is not None and not terms.permitted.issuperset(uses):
            return "DR012", f"permits only {_words(terms.permitted)}, not {_words(set(uses))}"
    elif terms.permitted is not None:
        return "DR012", f"permits only {_words(terms.permitted)}, and the request states no use"
    return None


def _consent(consent: Consent, state: str | None) -> tuple[str, str] | None:
    if state == "national-opt-out" and consent.national_opt_out:
        return "DR016", "honours the national data opt-out the person registered"
    if consent.model == "explicit" and state != "consented":
        if state in OBJECTIONS:
            return "DR015", f"needs explicit consent and the person has {state}"
        return "DR014", "needs explicit consent and none is recorded"
    if consent.model in ("implied", "opt-out") and state in OBJECTIONS:
        return "DR015", f"rests on {consent.model} consent and the person has {state}"
    return None


def _words(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in sorted(values))
