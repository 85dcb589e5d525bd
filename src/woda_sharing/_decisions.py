"""Run-time sharing decisions: may one body share these items with another, for this, today.

A `Policy` is compiled once from a charter and its agreements: every flow
becomes entries in an index keyed by the two parties, the item and the
purpose, so a decision costs a few dictionary lookups rather than a scan of
the agreements. `Policy.decide` answers one `Request`; `Policy.decide_many`
answers a batch with the same answers, memoising on the request.

Decisions are default-deny and explain themselves. A `Decision` is
immutable, so equal outcomes share one object. When refused it lists every
`Reason`, each with a stable code from `REASONS` (``DR001``...).

Identifiers are matched exactly: no case folding, no Unicode normalisation,
no trimming. ``"County-Council"``, ``"county-council "`` and a look-alike
spelt with a Cyrillic letter are unknown identifiers (``DR009``), never the
member they resemble.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple, TypeVar

from attrs import evolve, frozen

from woda_sharing._conditions import (
    CONSENT_STATES,
    NON_SIGNATORIES,
    ONWARD,
    Obligation,
    Terms,
    judge,
    merged_terms,
    obligations,
    use_failure,
    vocabulary,
)
from woda_sharing._gc import collector_paused
from woda_sharing._legal import Catalogue, CatalogueEntry
from woda_sharing._model import Agreement, Charter, DataItem, Flow, Party
from woda_sharing._records import expanded_flows
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.exceptions import CatalogueError, DocumentError, PolicyError, UsageError
from woda_sharing.rules import builtin_catalogue

__all__ = [
    "REASONS",
    "Decision",
    "DocumentRef",
    "FlowRef",
    "IndexEntry",
    "Obligation",
    "Policy",
    "PolicyIndex",
    "Reason",
    "Request",
    "parse_party",
    "reason_table",
]

_T = TypeVar("_T")

#: Every reason code a refusal can carry, with its one-line summary. Codes are never reused.
REASONS: Final[Mapping[str, str]] = {
    "DR001": "No flow in any agreement goes from the sender to the recipient",
    "DR002": "No flow between these parties carries the item",
    "DR003": "No flow between these parties carries the item for this purpose",
    "DR004": "The request's date is before the agreement's start or after its end",
    "DR005": "The agreement is past its review date",
    "DR006": "The agreement is not endorsed, and endorsement is required",
    "DR007": "A party is not a member of the charter",
    "DR008": "The flow crosses two capacities of one organisation without a capacity basis",
    "DR009": "An organisation, capacity, item or purpose is not known to the policy",
    "DR010": "The agreement's purpose does not need the item (data minimisation)",
    "DR011": "The request names no items",
    "DR012": "A use the request states is prohibited, or not among the uses permitted",
    "DR013": "The agreement the data came in under does not permit this onward disclosure",
    "DR014": "The flow needs the person's explicit consent, and none is recorded",
    "DR015": "The person refused, withdrew consent or opted out, and no override applies",
    "DR016": "The person's national data opt-out applies, and no override applies",
    "DR017": "The flow is case by case, and the request asserts none of its conditions",
    "DR018": "A use, condition, consent state or source agreement is not known to the policy",
}

#: Validation codes whose errors depend on the date judged against; a decision judges dates itself.
_DATED_CODES: Final = frozenset({"WS303", "WS304", "WS306"})

#: How many distinct requests the batch memo keeps before it starts again.
_MEMO_LIMIT: Final = 1 << 18


def reason_table() -> list[tuple[str, str]]:
    """Return ``(code, summary)`` for every reason code, in code order (for the reference docs)."""
    return sorted(REASONS.items())


def parse_party(text: str) -> tuple[str, str | None]:
    """Split ``ORG`` or ``ORG:CAPACITY`` into ``(organisation, capacity)``; nothing is trimmed."""
    organisation, sep, capacity = text.partition(":")
    if not organisation or (sep and not capacity):
        raise UsageError(f"{text!r} is not ORG or ORG:CAPACITY")
    return organisation, capacity if sep else None


class Request(NamedTuple):
    """A question: whether *sender* may share *items* with *recipient* for *purpose* on *on*.

    A plain tuple, so it is hashable and cheap: `Policy.decide_many` memoises
    on it. Organisations, capacities, items and the purpose are identifiers as
    written in the documents; ``None`` capacity means a party listed without one.

    The last four members state what the conditions of use ask about, and
    default to stating nothing: *uses*, what the recipient intends to do with
    the data (actions of the vocabulary, such as ``research``); *received_under*,
    for onward disclosure, the agreement (``AGREEMENT``) or flow
    (``AGREEMENT#FLOW``) the sender received the data under; *consent*, the
    person's recorded state (`woda_sharing.CONSENT_STATES`); *conditions*, the
    named conditions the sharing meets (triggers such as ``marac-threshold``,
    overrides such as ``safeguarding``).
    """

    sender: str
    recipient: str
    items: tuple[str, ...]
    purpose: str
    on: dt.date
    sender_capacity: str | None = None
    recipient_capacity: str | None = None
    uses: tuple[str, ...] = ()
    received_under: str | None = None
    consent: str | None = None
    conditions: tuple[str, ...] = ()


@frozen(kw_only=True)
class FlowRef:
    """A flow of an agreement, by ids."""

    agreement: str
    flow: str

    def __str__(self) -> str:
        return f"{self.agreement}#{self.flow}"


@frozen(kw_only=True)
class DocumentRef:
    """A document a policy was compiled from: kind, id, version and digest.

    *digest* is ``sha256:<hex>`` over the document's canonical bytes, or
    ``None`` when the policy was compiled from a typed document whose wire
    form (and so whose digest) it never saw.
    """

    kind: str
    id: str
    version: int
    digest: str | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used in decision records."""
        return {"kind": self.kind, "id": self.id, "version": self.version, "digest": self.digest}


@frozen(kw_only=True)
class Reason:
    """Why a request was refused: a stable code, a message, and the items and agreements concerned."""

    code: str
    message: str
    items: tuple[str, ...] = ()
    agreements: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing check --format json``."""
        return {
            "code": self.code,
            "message": self.message,
            "items": list(self.items),
            "agreements": list(self.agreements),
        }


@frozen(kw_only=True)
class Decision:
    """The answer to a `Request`: truthy when permitted.

    When permitted, *flows* are every flow that permits some item, *agreements*
    their agreements and *bases* the legal bases those flows cite (resolved
    through the catalogue); *obligations* are the duties those flows attach,
    which the caller must meet, *prohibited* the uses the recipient must not
    make, and *overrides* the conditions under which a person's objection was
    set aside. When refused, *reasons* holds every reason and *refused_items*
    the items that are not permitted (all of them when the refusal is not
    about items). Decisions are immutable and shared.
    """

    permitted: bool
    reasons: tuple[Reason, ...] = ()
    refused_items: tuple[str, ...] = ()
    flows: tuple[FlowRef, ...] = ()
    agreements: tuple[str, ...] = ()
    bases: tuple[CatalogueEntry, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    prohibited: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.permitted

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing check --format json``."""
        return {
            "permitted": self.permitted,
            "agreements": list(self.agreements),
            "flows": [{"agreement": f.agreement, "flow": f.flow} for f in self.flows],
            "bases": [{"id": b.id, "title": b.title, "citation": b.citation} for b in self.bases],
            "obligations": [o.as_dict() for o in self.obligations],
            "prohibited": list(self.prohibited),
            "overrides": list(self.overrides),
            "refused_items": list(self.refused_items),
            "reasons": [r.as_dict() for r in self.reasons],
        }


# --- compiled form -------------------------------------------------------------------------


class IndexEntry(NamedTuple):
    """One flow of a compiled policy, as it applies to one (sender, recipient, item, purpose)."""

    agreement: str
    ref: FlowRef
    start: dt.date
    end: dt.date | None
    review: dt.date | None
    needed: bool  # the agreement's purpose needs the item
    endorsed: bool  # endorsed, or endorsement not required
    capacity_ok: bool  # not cross-capacity, or cites a capacity basis
    bases: tuple[CatalogueEntry, ...]
    terms: Terms | None = None  # the conditions of use of the item in the flow, if any


class Source(NamedTuple):
    """A flow as the source of an onward disclosure: whom it delivers to, and its terms per item."""

    ref: FlowRef
    recipient: tuple[str, str | None]
    terms: Mapping[str, Terms | None]


#: (sender, sender capacity, recipient, recipient capacity)
PartyPair = tuple[str, str | None, str, str | None]
_Key = PartyPair
#: pair -> item -> purpose -> entries
_Pairs = dict[_Key, dict[str, dict[str, tuple[IndexEntry, ...]]]]
#: (pair, item, purpose) -> entries that can permit (needed, endorsed, capacity ok), with windows
_Fast = dict[tuple[_Key, str, str], tuple[tuple[dt.date, dt.date, FlowRef], ...]]
#: (sender, sender capacity, recipient, recipient capacity, purpose)
PairPurpose = tuple[str, str | None, str, str | None, str]
#: Each flow of a run with the terms it sets for the item (``None``: no condition).
RunTerms = tuple[tuple[FlowRef, Terms | None], ...]
#: A run of days (first, last), the flows that permit an item on every one of them, and
#: those flows with their terms for the item when any sets conditions (else ``None``).
Run = tuple[dt.date, dt.date, frozenset[FlowRef], RunTerms | None]
#: pair and purpose -> item -> its runs, in date order
_Answers = dict[PairPurpose, dict[str, tuple[Run, ...]]]

_FAR: Final = dt.date.max
_DAY: Final = dt.timedelta(days=1)
_DATE: Final = dt.date


def _failures(entry: IndexEntry, on: dt.date) -> tuple[str, ...]:
    codes = []
    if on < entry.start or (entry.end is not None and on > entry.end):
        codes.append("DR004")
    if entry.review is not None and on > entry.review:
        codes.append("DR005")
    if not entry.endorsed:
        codes.append("DR006")
    if not entry.capacity_ok:
        codes.append("DR008")
    return tuple(codes)


def _by_flow(o: Obligation) -> tuple[str, str]:
    return o.agreement, o.flow


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _party(org: str, capacity: str | None) -> str:
    return org if capacity is None else f"{org}:{capacity}"


_MESSAGES: Final[Mapping[str, str]] = {
    "DR002": "no flow between these parties carries {items}",
    "DR003": "no flow between these parties carries {items} for purpose {purpose!r}",
    "DR004": "{items}: {on} is outside the dates of {agreements}",
    "DR005": "{items}: {agreements} passed its review date before {on}",
    "DR006": "{items}: {agreements} is not endorsed, and endorsement is required",
    "DR008": "{items}: the flow in {agreements} crosses capacities without a capacity basis",
    "DR010": "{items}: purpose {purpose!r} in {agreements} does not need the item",
    # Conditions of use: the message is the items, then each flow's own detail.
    "DR012": "{items}",
    "DR013": "{items}",
    "DR014": "{items}",
    "DR015": "{items}",
    "DR016": "{items}",
    "DR017": "{items}",
}


@frozen(kw_only=True)
class PolicyIndex:
    """The compiled form of a policy: a frozen value that `Policy` holds and decides from.

    Build it with `PolicyIndex.build` (as `Policy.compile` does) and inspect
    it in tests or tools. ``pairs`` maps a (sender, sender capacity,
    recipient, recipient capacity) pair to item to purpose to the
    `IndexEntry` values of every flow that carries the item for the purpose;
    ``windows`` keeps, per (pair, item, purpose), only the entries that can
    permit (needed, endorsed, capacity ok) as (first day, last day, flow).
    ``answers`` is the same knowledge arranged for `Policy.decide` to answer a
    permitted request with a few lookups: per (sender, sender capacity,
    recipient, recipient capacity, purpose), per item, the runs of days on
    which the item is permitted, each with every flow that permits it then
    and the `Terms` (conditions of use) of those flows that set any for the
    item: a request that states nothing is answered from a run without terms
    in a few lookups, and anything else is checked against the terms.
    Only pairs of charter members with declared capacities, and declared items
    and purposes, are there, so a request found there is well identified.
    ``terms`` holds the same terms per (flow, item); ``sources`` per
    agreement id and ``AGREEMENT#FLOW`` the flows a request's
    ``received_under`` can name; ``uses`` and ``conditions`` the vocabulary
    a request may state. The mappings are not to be changed.
    """

    charter_id: str
    agreement_ids: tuple[str, ...]
    endorsement_required: bool
    members: frozenset[str]
    organisations: frozenset[str]  # members and every party organisation
    known_parties: frozenset[tuple[str, str | None]]  # (organisation, capacity) as declared
    good_parties: frozenset[tuple[str, str | None]]  # members, with a declared capacity or none
    purposes: frozenset[str]
    items: frozenset[str]
    pairs: Mapping[PartyPair, Mapping[str, Mapping[str, tuple[IndexEntry, ...]]]]
    windows: Mapping[tuple[PartyPair, str, str], tuple[tuple[dt.date, dt.date, FlowRef], ...]]
    answers: Mapping[PairPurpose, Mapping[str, tuple[Run, ...]]]
    flow_bases: Mapping[FlowRef, tuple[CatalogueEntry, ...]]
    terms: Mapping[tuple[FlowRef, str], Terms]
    sources: Mapping[str, tuple[Source, ...]]
    uses: frozenset[str]
    conditions: frozenset[str]
    #: The charter, then each agreement, the index was built from (with digests when known).
    documents: tuple[DocumentRef, ...] = ()

    @classmethod
    def build(
        cls,
        charter: Charter,
        agreements: Sequence[Agreement],
        *,
        endorsed: Mapping[str, bool] | Callable[[Agreement], bool] | None = None,
        catalogue: Catalogue | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> PolicyIndex:
        """Index typed *charter* and *agreements* (taken as given), or raise `PolicyError`.

        `Policy.compile` validates wire documents and calls this; see it for
        *endorsed*, *catalogue* and *digests*.
        """
        index = _build(
            charter,
            agreements,
            endorsed,
            builtin_catalogue() if catalogue is None else catalogue,
        )
        return evolve(index, documents=_documents(charter, agreements, digests or {}))


class Policy:
    """A compiled sharing policy: a charter and its agreements, indexed for fast decisions.

    Build it with `Policy.compile`. It is immutable once built; the batch memo
    is an internal cache that never changes an answer.
    """

    __slots__ = (
        "_all_items",
        "_answers",
        "_conditions",
        "_fast",
        "_flow_bases",
        "_good_parties",
        "_index",
        "_known_parties",
        "_members",
        "_memo",
        "_orgs",
        "_pairs",
        "_permits",
        "_purposes",
        "_sources",
        "_terms",
        "_uses",
        "agreement_ids",
        "charter_id",
        "endorsement_required",
    )

    def __init__(self, index: PolicyIndex | None = None) -> None:
        """Hold *index* (see `PolicyIndex.build`); most callers use `Policy.compile`."""
        if not isinstance(index, PolicyIndex):
            raise UsageError("build a Policy with Policy.compile(charter, agreements)")
        self._index = index
        # The hot path reads slots, not attributes of the index: as fast as before.
        self.charter_id = index.charter_id
        self.agreement_ids = index.agreement_ids
        self.endorsement_required = index.endorsement_required
        self._members = index.members
        self._orgs = index.organisations
        self._known_parties = index.known_parties
        self._good_parties = index.good_parties
        self._purposes = index.purposes
        self._all_items = index.items
        self._pairs = index.pairs
        self._fast = index.windows
        self._answers = index.answers
        self._flow_bases = index.flow_bases
        self._terms = index.terms
        self._sources = index.sources
        self._uses = index.uses
        self._conditions = index.conditions
        self._permits: dict[object, Decision] = {}
        self._memo: dict[object, Decision] = {}

    @classmethod
    def compile(
        cls,
        charter: Charter | CharterInfo | Mapping[str, Any],
        agreements: Iterable[Agreement | Mapping[str, Any]],
        *,
        endorsed: Mapping[str, bool] | Callable[[Agreement], bool] | None = None,
        catalogue: Catalogue | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> Policy:
        """Compile *charter* and *agreements* into a policy, or raise `PolicyError`.

        Documents are typed model objects or wire mappings; a mapping is
        validated against the charter first, and any error finding other than
        a date-dependent one (review past, review beyond the interval: those
        are judged per decision) makes compilation fail. A typed agreement is
        taken as its author built it, not validated again: what the rules
        would refuse (a party that is not a member, a flow across capacities
        without its basis, an item no purpose needs) is refused per decision
        instead (DR007, DR008, DR010), while what the policy cannot be built
        without (an undeclared party, an unknown basis) raises here. Every
        agreement must cite this charter's id and version, and agreement ids
        must be unique, except that several versions of one agreement may be
        given as wire mappings: they must form a sound chain
        (`woda_sharing.check_chain`), and only the newest is compiled. Use
        `endorsed_by_keyring` over the same versions, so that the newest counts
        as endorsed only when each amendment has the consent the version
        before it required (`woda_sharing.verify_update`).

        *endorsed* turns on the endorsement requirement: a mapping from
        agreement id to whether that agreement is fully endorsed (a missing
        id counts as not endorsed), or a callable asked once per agreement.
        See `endorsed_by_keyring` to answer it from a keyring. Without it,
        endorsement is not checked. *catalogue* replaces the built-in
        legal-basis catalogue (the charter's and each agreement's own entries
        extend it).

        The policy remembers the digest of each document it was compiled from
        (`Policy.documents`), so that a `woda_sharing.DecisionRecord` can name
        exactly what was in force. Wire mappings and a `CharterInfo` carry
        their digest; for typed documents give *digests*, mapping the
        charter's and each agreement's id to its ``sha256:`` digest (a typed
        document without one is recorded with digest ``None``).
        """
        return cls(_compile(charter, agreements, endorsed, catalogue, digests))

    # --- single decisions ----------------------------------------------------------------

    def decide(self, request: Request) -> Decision:
        """Decide one request. Raises `UsageError` only for a malformed request (wrong types)."""
        decision = self._quick(request)
        return decision if decision is not None else self._decide(_normalise(request))

    def _quick(self, request: object) -> Decision | None:  # noqa: PLR0911, PLR0912 - one exit per case, one hot function
        """Answer a well-formed request that is permitted from ``answers``; ``None`` otherwise.

        The common case in a few lookups. Anything else (a refusal, which
        needs its reasons, a malformed request, which raises) takes the full
        path, whose answer for a permitted request is the very same object.
        """
        if type(request) is not Request:
            return None
        (
            sender,
            recipient,
            items,
            purpose,
            on,
            sender_capacity,
            recipient_capacity,
            uses,
            received_under,
            consent,
            asserted,
        ) = request
        if (
            type(on) is not _DATE
            or type(items) is not tuple
            or type(sender) is not str
            or type(recipient) is not str
            or type(purpose) is not str
            or (sender_capacity is not None and type(sender_capacity) is not str)
            or (recipient_capacity is not None and type(recipient_capacity) is not str)
        ):
            return None
        by_item = self._answers.get(
            (sender, sender_capacity, recipient, recipient_capacity, purpose)
        )
        if by_item is None:
            return None
        if uses or asserted or received_under is not None or consent is not None:
            # The request states conditions: check them against the runs' terms.
            if received_under is not None:
                return None  # an onward disclosure: the full path checks the chain
            return self._quick_terms(by_item, items, on, uses, consent, asserted)
        if len(items) == 1:
            item = items[0]
            if type(item) is str:
                for first, last, flows, terms in by_item.get(item, ()):
                    if first <= on <= last:
                        if terms is not None:  # conditions of use apply to some flow
                            return self._quick_terms(by_item, items, on, (), None, ())
                        decision = self._permits.get(flows)
                        return self._permit(flows) if decision is None else decision
            return None
        if not items:
            return None
        found: frozenset[FlowRef] = frozenset()
        for item in items:
            if type(item) is not str:
                return None
            for first, last, flows, terms in by_item.get(item, ()):
                if first <= on <= last:
                    if terms is not None:
                        return self._quick_terms(by_item, items, on, (), None, ())
                    # Items of one flow share one (interned) set of flows: no new set.
                    found = flows if not found or found is flows else found | flows
                    break
            else:
                return None
        decision = self._permits.get(found)
        return self._permit(found) if decision is None else decision

    def _quick_terms(  # noqa: PLR0911, PLR0912, PLR0917 - the quick path, with conditions of use
        self,
        by_item: Mapping[str, tuple[Run, ...]],
        items: tuple[str, ...],
        on: dt.date,
        uses: object,
        consent: object,
        asserted: object,
    ) -> Decision | None:
        """`_quick` for a request that states conditions, or meets a run with terms.

        Each flow of the run permits when it has no terms for the item or the
        request meets them; a refusal, or anything malformed, takes the full path.
        """
        if (
            type(uses) is not tuple
            or type(asserted) is not tuple
            or (consent is not None and consent not in CONSENT_STATES)
            or not items
        ):
            return None
        if (uses and not self._uses.issuperset(uses)) or (
            asserted and not self._conditions.issuperset(asserted)
        ):
            return None
        found: frozenset[FlowRef] = frozenset()
        used: list[Terms] = []  # the terms of each flow and item that permits
        for item in items:
            if type(item) is not str:
                return None
            for first, last, flows, terms in by_item.get(item, ()):
                if first <= on <= last:
                    if terms is not None:
                        ok = 0
                        for _, t in terms:
                            if t is None or t in used:
                                ok += 1
                            elif judge(t, uses, consent, asserted) is None:
                                ok += 1
                                used.append(t)
                        if not ok:
                            return None
                        if ok < len(terms):  # some flows refuse: only the others permit
                            flows = frozenset(  # noqa: PLW2901 - the run's flows, narrowed
                                ref
                                for ref, t in terms
                                if t is None or judge(t, uses, consent, asserted) is None
                            )
                    found = flows if not found or found is flows else found | flows
                    break
            else:
                return None
        if not used:
            decision = self._permits.get(found)
            return self._permit(found) if decision is None else decision
        # The answer follows from the flows, the terms met and what the request states.
        key = (found, tuple(map(id, used)), uses, consent, asserted)
        decision = self._permits.get(key)
        if decision is None:
            decision = self._permit_terms(found, used, uses, consent, asserted)
            self._permits[key] = decision
        return decision

    def _permit_terms(
        self,
        flows: frozenset[FlowRef],
        used: Iterable[Terms],
        uses: tuple[str, ...],
        consent: str | None,
        asserted: tuple[str, ...],
    ) -> Decision:
        duties: list[Obligation] = []
        overrides: list[str] = []
        prohibited: set[str] = set()
        for t in dict.fromkeys(used):
            duties.extend(obligations(t, uses))
            judge(t, uses, consent, asserted, overrides)
            prohibited.update(t.prohibited)
        return self._permit(flows, tuple(duties), tuple(overrides), prohibited)

    def _decide(self, r: Request) -> Decision:  # noqa: PLR0912 - one loop over items and flows
        key = (r.sender, r.sender_capacity, r.recipient, r.recipient_capacity)
        items = r.items
        good = self._good_parties
        if not (
            items
            and key[:2] in good
            and key[2:] in good
            and r.purpose in self._purposes
            and self._all_items.issuperset(items)
            and self._uses.issuperset(r.uses)
            and self._conditions.issuperset(r.conditions)
            and (r.received_under is None or r.received_under in self._sources)
        ):
            # The check above holds exactly when no identifier is unknown: refuse with why.
            return Decision(
                permitted=False, reasons=self._identify(r), refused_items=_unique(items)
            )
        inbound = None if r.received_under is None else self._inbound(r)
        fast, all_terms = self._fast, self._terms
        purpose, on = r.purpose, r.on
        uses, state, asserted = r.uses, r.consent, r.conditions
        refs: list[FlowRef] = []
        duties: list[Obligation] = []
        overrides: list[str] = []
        prohibited: set[str] = set()
        for item in items:
            entries = fast.get((key, item, purpose))
            if entries is None:
                return self._refuse(key, r)
            allowed: frozenset[str] | None = None
            if inbound is not None:
                came = inbound[item]
                if isinstance(came[0], str):
                    return self._refuse(key, r)
                allowed, onward_duties = came
            found = False
            for lo, hi, ref in entries:
                if lo <= on <= hi:
                    if allowed is not None and ref.agreement not in allowed:
                        continue
                    terms = all_terms.get((ref, item))
                    if terms is not None:
                        if judge(terms, uses, state, asserted, overrides) is not None:
                            continue
                        duties.extend(obligations(terms, uses))
                        prohibited.update(terms.prohibited)
                    refs.append(ref)
                    found = True
            if not found:
                return self._refuse(key, r)
            if inbound is not None:
                duties.extend(onward_duties)
        if not (duties or overrides or prohibited):
            return self._permit(refs)
        return self._permit(refs, tuple(duties), tuple(overrides), prohibited)

    def _inbound(
        self, r: Request
    ) -> dict[str, tuple[str, str] | tuple[frozenset[str] | None, tuple[Obligation, ...]]]:
        """For each item of an onward disclosure: the agreements it may go on under, and duties.

        Or, for an item the source does not let go on, ``(reason code, detail)``.
        Every flow of the source that brought the item to the sender must
        permit onward disclosure (a permission of ``onward-disclosure``, no
        prohibition of it, and a recipient among the signatories when
        disclosure to others is prohibited), and none may prohibit a use the
        request states.
        """
        source = r.received_under or ""
        mine = [s for s in self._sources[source] if s.recipient == (r.sender, r.sender_capacity)]
        out: dict[str, tuple[str, str] | tuple[frozenset[str] | None, tuple[Obligation, ...]]]
        out = {}
        for item in r.items:
            carrying = [s for s in mine if item in s.terms]
            if not mine:
                out[item] = ("DR013", f"the sender did not receive data under {source!r}")
                continue
            if not carrying:
                out[item] = ("DR013", f"{source!r} did not bring the item to the sender")
                continue
            allowed: frozenset[str] | None = None
            duties: list[Obligation] = []
            failure: tuple[str, str] | None = None
            for n, s in enumerate(carrying):
                failure, (under, onward_duties) = _onward(s.terms[item], r, s.ref)
                if failure is not None:
                    break
                # Every flow that brought the item must allow the agreement it goes on under.
                if n == 0 or allowed is None:
                    allowed = under
                elif under is not None:
                    allowed = allowed & under
                duties.extend(onward_duties)
            out[item] = failure if failure is not None else (allowed, tuple(duties))
        return out

    def _permit(
        self,
        refs: Iterable[FlowRef],
        duties: tuple[Obligation, ...] = (),
        overrides: tuple[str, ...] = (),
        prohibited: set[str] | frozenset[str] = frozenset(),
    ) -> Decision:
        flowset = refs if type(refs) is frozenset else frozenset(refs)
        key: object = flowset
        if duties or overrides or prohibited:
            # Flows come in set order: sort, so that equal answers are equal (and one object).
            duties = tuple(sorted(_unique(duties), key=_by_flow))
            overrides = tuple(sorted(set(overrides)))
            key = (flowset, duties, overrides, frozenset(prohibited))
        decision = self._permits.get(key)
        if decision is None:
            flows = tuple(sorted(flowset, key=lambda f: (f.agreement, f.flow)))
            bases: dict[str, CatalogueEntry] = {}
            for f in flows:
                bases.update((b.id, b) for b in self._flow_bases[f])
            decision = Decision(
                permitted=True,
                flows=flows,
                agreements=_unique(f.agreement for f in flows),
                bases=tuple(bases.values()),
                obligations=duties,
                prohibited=tuple(sorted(prohibited)),
                overrides=overrides,
            )
            self._permits[key] = decision
        return decision

    def _identify(self, r: Request) -> tuple[Reason, ...]:
        reasons: list[Reason] = []
        for role, org, capacity in (
            ("sender", r.sender, r.sender_capacity),
            ("recipient", r.recipient, r.recipient_capacity),
        ):
            if org not in self._orgs:
                reasons.append(Reason(code="DR009", message=f"unknown {role} organisation {org!r}"))
            elif org not in self._members:
                reasons.append(
                    Reason(
                        code="DR007",
                        message=f"{role} {org!r} is not a member of charter {self.charter_id!r}",
                    )
                )
            elif capacity is not None and (org, capacity) not in self._known_parties:
                reasons.append(
                    Reason(
                        code="DR009",
                        message=f"unknown capacity {capacity!r} of {role} organisation {org!r}",
                    )
                )
        unknown = tuple(i for i in _unique(r.items) if i not in self._all_items)
        if unknown:
            reasons.append(
                Reason(code="DR009", message=f"unknown items {list(unknown)!r}", items=unknown)
            )
        if r.purpose not in self._purposes:
            reasons.append(Reason(code="DR009", message=f"unknown purpose {r.purpose!r}"))
        unknown_uses = [u for u in _unique(r.uses) if u not in self._uses]
        if unknown_uses:
            reasons.append(Reason(code="DR018", message=f"unknown uses {unknown_uses!r}"))
        unknown_conditions = [c for c in _unique(r.conditions) if c not in self._conditions]
        if unknown_conditions:
            reasons.append(
                Reason(code="DR018", message=f"unknown conditions {unknown_conditions!r}")
            )
        if r.received_under is not None and r.received_under not in self._sources:
            reasons.append(
                Reason(
                    code="DR018",
                    message=f"unknown source {r.received_under!r}: not an agreement or"
                    " AGREEMENT#FLOW of the policy",
                )
            )
        if not r.items:
            reasons.append(Reason(code="DR011", message="the request names no items"))
        return tuple(sorted(reasons, key=lambda x: x.code))

    def _refuse(self, key: _Key, r: Request) -> Decision:
        items = _unique(r.items)
        by_item = self._pairs.get(key)
        if by_item is None:
            message = (
                f"no flow goes from {_party(*key[:2])!r} to {_party(*key[2:])!r}"
                f" in charter {self.charter_id!r}"
            )
            return Decision(
                permitted=False,
                reasons=(Reason(code="DR001", message=message),),
                refused_items=items,
            )
        buckets: dict[str, tuple[list[str], set[str], dict[str, None]]] = {}

        def note(
            code: str, item: str, agreements: Iterable[str] = (), detail: str | None = None
        ) -> None:
            its, ags, details = buckets.setdefault(code, ([], set(), {}))
            if item not in its:
                its.append(item)
            ags.update(agreements)
            if detail is not None:
                details[detail] = None

        inbound = None if r.received_under is None else self._inbound(r)
        refused: list[str] = []
        for item in items:
            by_purpose = by_item.get(item)
            if by_purpose is None:
                note("DR002", item)
                refused.append(item)
                continue
            entries = by_purpose.get(r.purpose)
            if entries is None:
                note("DR003", item)
                refused.append(item)
                continue
            needed = [e for e in entries if e.needed]
            if not needed:
                note("DR010", item, (e.agreement for e in entries))
                refused.append(item)
                continue
            allowed: frozenset[str] | None = None
            if inbound is not None:
                came = inbound[item]
                first, second = came
                if isinstance(first, str):  # a failure: (code, detail)
                    source = (r.received_under or "").partition("#")[0]
                    note(first, item, (source,), str(second))
                    refused.append(item)
                    continue
                allowed = first  # the agreements it may go on under
            failing = [(e, self._failing(e, item, r, allowed)) for e in needed]
            if all(codes for _, codes in failing):
                refused.append(item)
                for e, codes in failing:
                    for code, detail in codes:
                        note(code, item, (e.agreement,), detail)
        reasons = []
        for code in sorted(buckets):
            its, ags, details = buckets[code]
            message = _MESSAGES[code].format(
                items=", ".join(repr(i) for i in its),
                agreements=", ".join(repr(a) for a in sorted(ags)) or "no agreement",
                purpose=r.purpose,
                on=r.on.isoformat(),
            )
            if details:
                message += ": " + "; ".join(details)
            reasons.append(
                Reason(code=code, message=message, items=tuple(its), agreements=tuple(sorted(ags)))
            )
        return Decision(permitted=False, reasons=tuple(reasons), refused_items=tuple(refused))

    @staticmethod
    def _failing(
        e: IndexEntry, item: str, r: Request, allowed: frozenset[str] | None
    ) -> list[tuple[str, str | None]]:
        """Why entry *e* does not permit *item* for *r*: its dates and state, else its conditions."""
        codes: list[tuple[str, str | None]] = [(c, None) for c in _failures(e, r.on)]
        if codes:
            return codes
        if allowed is not None and e.agreement not in allowed:
            under = ", ".join(repr(a) for a in sorted(allowed))
            return [("DR013", f"{r.received_under!r} permits onward disclosure only under {under}")]
        if e.terms is not None:
            failure = judge(e.terms, r.uses, r.consent, r.conditions, [])
            if failure is not None:
                return [(failure[0], f"{e.ref} {failure[1]}")]
        return []

    # --- batches ----------------------------------------------------------------------------

    def decide_many(self, requests: Iterable[Request]) -> list[Decision]:
        """Decide every request, in order, with the same answers as `decide`.

        Equal requests get the same (shared) decision object; the policy keeps
        a bounded memo of requests it has answered, so a batch over millions
        of records that repeat the same questions costs one lookup each, and a
        request seen for the first time is answered as `decide` answers it.
        """
        batch = requests if isinstance(requests, (list, tuple)) else list(requests)
        memo = self._memo
        try:
            out = list(map(memo.get, batch))
        except TypeError:  # an unhashable request (items as a list): take the careful path
            return [self.decide(r) for r in batch]
        missed = [i for i, decision in enumerate(out) if decision is None]
        if missed:
            if len(memo) + len(missed) > _MEMO_LIMIT:
                memo.clear()
            quick, decide = self._quick, self._decide
            for i in missed:
                request = batch[i]
                answer = memo.get(request)  # an earlier miss in this batch may have filled it
                if answer is None:
                    answer = quick(request) or decide(_normalise(request))
                    memo[request] = answer
                out[i] = answer
        return out  # type: ignore[return-value]  # every None has been filled

    # --- introspection -------------------------------------------------------------------

    @property
    def index(self) -> PolicyIndex:
        """The compiled index this policy decides from."""
        return self._index

    @property
    def documents(self) -> tuple[DocumentRef, ...]:
        """The charter, then each agreement, this policy was compiled from, with their digests."""
        return self._index.documents

    @property
    def members(self) -> frozenset[str]:
        """The charter's member organisation ids."""
        return self._members

    @property
    def purposes(self) -> frozenset[str]:
        """Every purpose id known to the policy (the charter's and the agreements')."""
        return self._purposes

    @property
    def items(self) -> frozenset[str]:
        """Every item id some agreement declares."""
        return self._all_items

    def __repr__(self) -> str:
        return (
            f"<Policy charter={self.charter_id!r} agreements={len(self.agreement_ids)}"
            f" flows={len(self._flow_bases)}>"
        )


# --- compiling -------------------------------------------------------------------------------


@collector_paused  # validating and indexing allocate many small objects, none in a cycle
def _compile(
    charter: Charter | CharterInfo | Mapping[str, Any],
    agreements: Iterable[Agreement | Mapping[str, Any]],
    endorsed: Mapping[str, bool] | Callable[[Agreement], bool] | None,
    catalogue: Catalogue | None,
    digests: Mapping[str, str] | None,
) -> PolicyIndex:
    info = _charter_info(charter)
    known = dict(digests or {})
    if info.digest is not None:
        known[info.charter.id] = info.digest
    current = current_versions(agreements)
    typed = []
    for given in current:
        a = _agreement(given, info)
        if isinstance(given, Mapping):
            known[a.id] = _digest(given)
        typed.append(a)
    return PolicyIndex.build(
        info.charter, typed, endorsed=endorsed, catalogue=catalogue, digests=known
    )


def _digest(document: Mapping[str, Any]) -> str:
    from woda_sharing._canonical import digest  # noqa: PLC0415 - a valid document has one

    return digest(document)


def _documents(
    charter: Charter, agreements: Sequence[Agreement], digests: Mapping[str, str]
) -> tuple[DocumentRef, ...]:
    """The documents a policy is built from: the charter, then each agreement, in order."""
    refs = [
        DocumentRef(
            kind="charter",
            id=charter.id,
            version=charter.version,
            digest=digests.get(charter.id),
        )
    ]
    refs.extend(
        DocumentRef(kind="agreement", id=a.id, version=a.version, digest=digests.get(a.id))
        for a in agreements
    )
    return tuple(refs)


def _charter_info(charter: Charter | CharterInfo | Mapping[str, Any]) -> CharterInfo:
    try:
        return CharterInfo.of(charter)
    except DocumentError as e:
        raise PolicyError(f"the charter is not valid: {_first_error(e.report)}") from e


def _first_error(report: object, skip: frozenset[str] = frozenset()) -> str:
    for f in getattr(report, "errors", ()):
        if f.code not in skip:
            return f"{f.pointer or '/'}: {f.code} {f.message}"
    return "no detail"  # pragma: no cover - a report that failed has an error finding


def current_versions(
    agreements: Iterable[Agreement | Mapping[str, Any]],
) -> list[Agreement | Mapping[str, Any]]:
    """The newest of each agreement's versions, in the order first given; `PolicyError` otherwise.

    Several wire versions of one agreement id must form a sound chain
    (`woda_sharing._chain.check_chain`: no gap, no fork, each superseding the
    one before by its exact digest); typed agreements carry no digest, so one
    id given twice as a typed agreement is refused.
    """
    from woda_sharing._chain import check_chain  # noqa: PLC0415 - kept off the decision path

    groups: dict[object, list[Agreement | Mapping[str, Any]]] = {}
    for a in agreements:
        given: object = a  # the annotation is a promise the caller may break
        key = a.id if isinstance(a, Agreement) else a.get("id") if isinstance(given, Mapping) else a
        groups.setdefault(key if isinstance(key, str) else id(a), []).append(a)
    out: list[Agreement | Mapping[str, Any]] = []
    for ident, versions in groups.items():
        if len(versions) == 1:
            out.append(versions[0])
            continue
        wire = [v for v in versions if isinstance(v, Mapping)]
        if len(wire) != len(versions):
            raise PolicyError(f"agreement {ident!r} is given twice; give only its current version")
        chain = check_chain(wire)
        if not chain:
            raise PolicyError(
                f"agreement {ident!r} is given twice or more, and the versions given do not"
                f" form a sound chain: {'; '.join(chain.problems)}"
            )
        out.append(max(wire, key=lambda v: v["version"]))
    return out


def _agreement(agreement: Agreement | Mapping[str, Any], info: CharterInfo) -> Agreement:
    if isinstance(agreement, Agreement):
        return agreement
    if not isinstance(agreement, Mapping):
        raise UsageError(
            f"an agreement must be an Agreement or a mapping, not {type(agreement).__name__}"
        )
    report = validate(agreement, charter=info)
    blocking = [f for f in report.errors if f.code not in _DATED_CODES]
    if blocking or not isinstance(report.document, Agreement):
        ident = agreement.get("id", "<agreement>")
        raise PolicyError(f"agreement {ident!r} is not valid: {_first_error(report, _DATED_CODES)}")
    return report.document


def _endorsement(
    endorsed: Mapping[str, bool] | Callable[[Agreement], bool] | None, agreement: Agreement
) -> bool:
    if endorsed is None:
        return True
    if isinstance(endorsed, Mapping):
        return endorsed.get(agreement.id) is True
    return bool(endorsed(agreement))


def _build(
    charter: Charter,
    agreements: Sequence[Agreement],
    endorsed: Mapping[str, bool] | Callable[[Agreement], bool] | None,
    catalogue: Catalogue,
) -> PolicyIndex:
    try:
        base = catalogue.extended(charter.legal_bases) if charter.legal_bases else catalogue
    except CatalogueError as e:
        raise PolicyError(f"the charter's legal bases: {e}") from e
    members = frozenset(m.id for m in charter.members)
    purposes = {p.id for p in charter.purposes}
    actions = vocabulary(charter)
    all_items: set[str] = set()
    known_parties: set[tuple[str, str | None]] = set()
    orgs = set(members)
    pairs: _Pairs = {}
    flow_bases: dict[FlowRef, tuple[CatalogueEntry, ...]] = {}
    terms: dict[tuple[FlowRef, str], Terms] = {}
    interned: dict[Terms, Terms] = {}
    sources: dict[str, tuple[Source, ...]] = {}
    seen: set[str] = set()
    for a in agreements:
        if a.id in seen:
            raise PolicyError(f"agreement {a.id!r} is given twice; give only its current version")
        seen.add(a.id)
        if (a.charter.id, a.charter.version) != (charter.id, charter.version):
            raise PolicyError(
                f"agreement {a.id!r} sits under charter {a.charter.id!r} version"
                f" {a.charter.version}, not {charter.id!r} version {charter.version}"
            )
        try:
            local = base.extended(a.legal_bases) if a.legal_bases else base
        except CatalogueError as e:
            raise PolicyError(f"agreement {a.id!r}: {e}") from e
        parties = {p.id: p for p in a.parties}
        needs = {p.id: frozenset(p.needs) for p in a.purposes}
        purposes.update(needs)
        all_items.update(i.id for i in a.items)
        for p in a.parties:
            orgs.add(p.organisation)
            known_parties.add((p.organisation, p.capacity))
        ok = _endorsement(endorsed, a)
        try:
            flows = expanded_flows(
                a
            )  # a shared record stands for a flow per contributor and viewer
        except ValueError as e:
            raise PolicyError(f"agreement {a.id!r}: {e}") from e
        declared = {i.id: i for i in a.items}
        for flow in flows:
            source = _index_flow(
                pairs,
                flow_bases,
                terms,
                a,
                flow,
                parties=parties,
                needs=needs,
                declared=declared,
                catalogue=local,
                endorsed=ok,
                interned=interned,
            )
            sources[a.id] = (*sources.get(a.id, ()), source)
            sources[str(source.ref)] = (source,)
    fast: _Fast = {}
    for key, by_item in pairs.items():
        for item, by_purpose in by_item.items():
            for purpose, entries in by_purpose.items():
                windows = tuple(
                    (e.start, min(e.end or _FAR, e.review or _FAR), e.ref)
                    for e in entries
                    if e.needed and e.endorsed and e.capacity_ok
                )
                if windows:
                    fast[(key, item, purpose)] = windows
    good_parties = frozenset(
        {p for p in known_parties if p[0] in members} | {(m, None) for m in members}
    )
    return PolicyIndex(
        charter_id=charter.id,
        agreement_ids=tuple(a.id for a in agreements),
        endorsement_required=endorsed is not None,
        members=members,
        organisations=frozenset(orgs),
        known_parties=frozenset(known_parties),
        good_parties=good_parties,
        purposes=frozenset(purposes),
        items=frozenset(all_items),
        pairs=pairs,
        windows=fast,
        answers=_answers(fast, good_parties, purposes, all_items, terms),
        flow_bases=flow_bases,
        terms=terms,
        sources=sources,
        uses=frozenset(a.id for a in actions.values() if a.kind == "use"),
        conditions=frozenset(a.id for a in actions.values() if a.kind == "condition"),
    )


def _answers(
    fast: _Fast,
    good_parties: frozenset[tuple[str, str | None]],
    purposes: set[str],
    items: set[str],
    terms: Mapping[tuple[FlowRef, str], Terms],
) -> _Answers:
    """Arrange the windows per pair and purpose, then item, as runs of days (see `PolicyIndex`).

    Only what `Policy._decide` would look up after finding every identifier
    known goes in: members with declared capacities, declared items and purposes.
    """
    answers: _Answers = {}
    interned: dict[frozenset[FlowRef], frozenset[FlowRef]] = {}
    for (key, item, purpose), windows in fast.items():
        known = purpose in purposes and item in items
        if known and key[:2] in good_parties and key[2:] in good_parties:
            # Equal sets of flows are one object, so that a request's items can share it.
            runs = tuple(
                (first, last, interned.setdefault(flows, flows), _run_terms(flows, item, terms))
                for first, last, flows in _runs(windows)
            )
            answers.setdefault((*key, purpose), {})[item] = runs
    return answers


def _run_terms(
    flows: frozenset[FlowRef], item: str, terms: Mapping[tuple[FlowRef, str], Terms]
) -> RunTerms | None:
    """Each flow of a run with its terms for *item*; ``None`` (the common case) when none has any.

    A tuple in the order of the run's set of flows, so that the quick path walks it
    without hashing a flow.
    """
    if not terms:
        return None
    found = tuple((ref, terms.get((ref, item))) for ref in flows)
    return found if any(t is not None for _, t in found) else None


def _runs(
    windows: Sequence[tuple[dt.date, dt.date, FlowRef]],
) -> tuple[tuple[dt.date, dt.date, frozenset[FlowRef]], ...]:
    """The runs of days on which the same flows of *windows* are in force (empty runs left out)."""
    windows = [w for w in windows if w[0] <= w[1]]  # a review before the start permits nothing
    if len(windows) <= 1:
        return tuple((first, last, frozenset((ref,))) for first, last, ref in windows)
    # Each window starts a run on its first day and ends one after its last day.
    edges = sorted({w[0] for w in windows} | {w[1] + _DAY for w in windows if w[1] < _FAR})
    runs: list[tuple[dt.date, dt.date, frozenset[FlowRef]]] = []
    for n, start in enumerate(edges):
        end = edges[n + 1] - _DAY if n + 1 < len(edges) else _FAR
        flows = frozenset(ref for first, last, ref in windows if first <= start and end <= last)
        if not flows:
            continue
        if runs and runs[-1][2] == flows and runs[-1][1] + _DAY == start:
            runs[-1] = (runs[-1][0], end, flows)  # the same flows go on: one run
        else:
            runs.append((start, end, flows))
    return tuple(runs)


def _index_flow(
    pairs: _Pairs,
    flow_bases: dict[FlowRef, tuple[CatalogueEntry, ...]],
    terms: dict[tuple[FlowRef, str], Terms],
    a: Agreement,
    flow: Flow,
    *,
    parties: Mapping[str, Party],
    needs: Mapping[str, frozenset[str]],
    declared: Mapping[str, DataItem],
    catalogue: Catalogue,
    endorsed: bool,
    interned: dict[Terms, Terms],
) -> Source:
    src, dst = parties.get(flow.source), parties.get(flow.recipient)
    if src is None or dst is None:
        raise PolicyError(f"flow {flow.id!r} of {a.id!r} names a party it does not list")
    cited = (*flow.bases, flow.capacity_basis) if flow.capacity_basis else flow.bases
    bases = []
    for basis in cited:
        entry = catalogue.get(basis)
        if entry is None:
            raise PolicyError(f"flow {flow.id!r} of {a.id!r} cites unknown basis {basis!r}")
        bases.append(entry)
    crossing = src.organisation == dst.organisation and src.capacity != dst.capacity
    ref = FlowRef(agreement=a.id, flow=flow.id)
    flow_bases[ref] = resolved = tuple(bases)
    by_item = pairs.setdefault((src.organisation, src.capacity, dst.organisation, dst.capacity), {})
    flow_terms: dict[str, Terms | None] = {}
    for item in flow.items:
        flow_terms[item] = merged = merged_terms(a, flow, declared.get(item), parties)
        if merged is not None:
            # Equal terms (a flow's items, mostly) are one object: the quick path judges it once.
            merged = flow_terms[item] = interned.setdefault(merged, merged)
            terms[(ref, item)] = merged
        by_purpose = by_item.setdefault(item, {})
        for purpose in flow.purposes:
            new = IndexEntry(
                agreement=a.id,
                ref=ref,
                start=a.start,
                end=a.end,
                review=a.review,
                needed=item in needs.get(purpose, ()),
                endorsed=endorsed,
                capacity_ok=not crossing or flow.capacity_basis is not None,
                bases=resolved,
                terms=merged,
            )
            by_purpose[purpose] = (*by_purpose.get(purpose, ()), new)
    return Source(ref=ref, recipient=(dst.organisation, dst.capacity), terms=flow_terms)


def _onward(
    terms: Terms | None, r: Request, ref: FlowRef
) -> tuple[tuple[str, str] | None, tuple[frozenset[str] | None, tuple[Obligation, ...]]]:
    """Whether the source flow *ref* with *terms* lets its data go on as *r* asks.

    Returns a failure ``(code, detail)`` or ``None``, and the agreements the
    data may go on under (``None``: any) with the duties the permission brings.
    """
    nothing: tuple[frozenset[str] | None, tuple[Obligation, ...]] = (frozenset(), ())
    if terms is None or not terms.onward or ONWARD in terms.prohibited:
        return ("DR013", f"{ref} does not permit onward disclosure"), nothing
    if NON_SIGNATORIES in terms.prohibited and r.recipient not in terms.signatories:
        detail = f"{ref} prohibits disclosure to {r.recipient!r}, which is not a party to it"
        return ("DR013", detail), nothing
    failure = use_failure(terms, r.uses)
    if failure is not None:
        return (failure[0], f"{ref} {failure[1]}"), nothing
    unders = [p.under for p in terms.onward]
    under = None if any(u is None for u in unders) else frozenset().union(*unders)  # type: ignore[arg-type]
    duties = tuple(d for p in terms.onward for d in p.duties)
    return None, (under, duties)


def _normalise(request: object) -> Request:  # noqa: PLR0912 - one check per member
    """Check a request's types; accept a list of items. Raise `UsageError` when malformed."""
    if not isinstance(request, tuple) or not 5 <= len(request) <= 11:
        raise UsageError(f"a request is a Request, not {type(request).__name__}")
    r = request if isinstance(request, Request) else Request(*request)
    items: object = r.items
    if not isinstance(items, (list, tuple)):
        raise UsageError("a request's items are a tuple of item ids, not a single string")
    named: tuple[tuple[str, object], ...] = (
        ("sender", r.sender),
        ("recipient", r.recipient),
        ("purpose", r.purpose),
    )
    for name, value in named:
        if type(value) is not str:
            raise UsageError(f"a request's {name} is a string, not {type(value).__name__}")
    optional: tuple[tuple[str, object], ...] = (
        ("sender_capacity", r.sender_capacity),
        ("recipient_capacity", r.recipient_capacity),
    )
    for name, value in optional:
        if value is not None and type(value) is not str:
            raise UsageError(f"a request's {name} is a string or None")
    if any(type(i) is not str for i in items):
        raise UsageError("a request's items are strings")
    on: object = r.on
    if type(on) is not dt.date:
        raise UsageError("a request's date is a datetime.date (not a datetime or a string)")
    lists: tuple[tuple[str, object], ...] = (("uses", r.uses), ("conditions", r.conditions))
    for name, value in lists:
        if not isinstance(value, (list, tuple)) or any(type(v) is not str for v in value):
            raise UsageError(f"a request's {name} are a tuple of strings")
    received: object = r.received_under
    if received is not None and type(received) is not str:
        raise UsageError("a request's received_under is AGREEMENT or AGREEMENT#FLOW, or None")
    consent: object = r.consent
    if consent is not None and consent not in CONSENT_STATES:
        states = ", ".join(sorted(CONSENT_STATES))
        raise UsageError(f"a request's consent is one of {states}, or None; not {consent!r}")
    if type(items) is tuple and type(r.uses) is tuple and type(r.conditions) is tuple:
        return r
    return r._replace(items=tuple(items), uses=tuple(r.uses), conditions=tuple(r.conditions))
