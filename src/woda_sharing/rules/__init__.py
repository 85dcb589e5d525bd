"""Charter-aware validation rules, registered in a table, and the built-in tables.

A rule is a small function that takes a context and yields `Hit`s; the
registry turns each hit into a `Finding` with the rule's stable code, severity
and citation. The rule's docstring is its documentation: the reference page
``docs/reference/rules.md`` is generated from this table, so it cannot drift.

The registry chooses the context from what the rule applies to: an agreement
rule takes an `AgreementContext` (an `AgreementWithCharterContext` when it
``needs_charter``), a charter rule a `CharterContext`, so a rule never has to
narrow its context's type.

Rules live in one module per family (``references``, ``legal_bases``,
``lifecycle``, ``governance``, ``roles``, ``minimisation``, ``charter``, ``conditions``). To add a rule of your
own, register it in a copy of the built-in table::

    rules = builtin_rules().copy()

    @rules.rule("ACME001", title="Flows must use SFTP", severity=Severity.WARNING)
    def sftp_only(ctx: AgreementContext) -> Iterator[Hit]:
        \"\"\"Our partnership moves files by SFTP only.\"\"\"
        for i, flow in enumerate(ctx.agreement.flows):
            if flow.method != "sftp":
                yield Hit(pointer=pointer("flows", i, "method"), message="not SFTP")

    report = validate(data, charter=charter, rules=rules)

This module also loads the legal-basis catalogue shipped with the library
(`builtin_catalogue`), so that `woda_sharing._legal` stays types only.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from importlib import resources
from typing import Any, Final, Literal, TypeAlias, TypeVar, cast, overload

import attrs
from attrs import define, field, frozen

from woda_sharing import _codec as codec
from woda_sharing._findings import Finding, Severity
from woda_sharing._legal import Catalogue
from woda_sharing._model import (
    Agreement,
    Charter,
    CharterPurpose,
    DataItem,
    Flow,
    Member,
    Party,
    Purpose,
    SubjectCategory,
)
from woda_sharing._records import RecordFlow, fold_findings, record_flows
from woda_sharing._terms import EffectiveTerms, effective_terms
from woda_sharing.exceptions import RuleError

__all__ = [
    "AgreementContext",
    "AgreementWithCharterContext",
    "CharterContext",
    "Context",
    "Hit",
    "Rule",
    "RuleFunction",
    "Rules",
    "builtin_catalogue",
    "builtin_rules",
    "cited_bases",
    "duplicates",
]

T = TypeVar("T")

_CODE: Final = re.compile(r"[A-Z]{2,8}[0-9]{3}")
_FAMILIES: Final = (
    "references",
    "legal_bases",
    "lifecycle",
    "governance",
    "notice",
    "roles",
    "minimisation",
    "charter",
    "records",
    "security",
    "signatures",
    "policy_documents",
    "governance_text",
    "conditions",
)


@frozen(kw_only=True)
class Hit:
    """One place a rule fires, before it becomes a `Finding`.

    ``severity`` overrides the rule's default for this hit only (a rule may
    warn about one case and refuse another).
    """

    pointer: str
    message: str
    hint: str | None = None
    severity: Severity | None = None


@define(kw_only=True)
class _BaseContext:
    """What every rule sees: the catalogue, today's date, the charter's digest and a memo."""

    catalogue: Catalogue
    today: dt.date
    charter_digest: str | None = None
    members: Mapping[str, Member] = field(init=False)
    charter_purposes: Mapping[str, CharterPurpose] = field(init=False)
    _memo: dict[str, object] = field(init=False, factory=dict)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return what *compute* returns, computed once per context and *key*.

        Rules of one family that need the same derived facts (say, each flow's
        resolved legal bases) share them this way instead of recomputing them.
        """
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            value = self._memo[key] = compute()
            return value


@define(kw_only=True)
class CharterContext(_BaseContext):
    """What a charter rule sees: the charter document, the catalogue, today's date and lookups.

    ``members`` and ``charter_purposes`` map the charter's ids to its members
    and purposes; ``charter_digest`` is the digest of its wire form, when known.
    """

    charter: Charter

    def __attrs_post_init__(self) -> None:
        self.members = {m.id: m for m in self.charter.members}
        self.charter_purposes = {p.id: p for p in self.charter.purposes}


@define(kw_only=True)
class AgreementContext(_BaseContext):
    """What an agreement rule sees: the agreement, its charter when given, the catalogue, today's date and lookups.

    ``parties``, ``items`` and ``purposes`` map the agreement's ids to its
    parties, data items and purposes; ``members`` and ``charter_purposes`` map
    the charter's (empty when the charter was not given). A rule registered
    with ``needs_charter=True`` gets an `AgreementWithCharterContext` instead.
    """

    agreement: Agreement
    charter: Charter | None = None
    parties: Mapping[str, Party] = field(init=False)
    items: Mapping[str, DataItem] = field(init=False)
    purposes: Mapping[str, Purpose] = field(init=False)

    @property
    def subjects(self) -> Mapping[str, SubjectCategory]:
        """The categories of data subject the agreement may name: the charter's, then its own."""

        def compute() -> dict[str, SubjectCategory]:
            declared = {s.id: s for s in self.charter.subjects} if self.charter else {}
            declared.update((s.id, s) for s in self.agreement.subjects)
            return declared

        return self.memo("subjects", compute)

    @property
    def terms(self) -> EffectiveTerms:
        """The agreement's effective terms: its own, else its charter's defaults (worked out once)."""
        return self.memo("terms", lambda: effective_terms(self.agreement, self.charter))

    @property
    def document_ids(self) -> set[str]:
        """The ids of the agreement and of its charter (as cited and as given): never legal bases."""
        ids = {self.agreement.id, self.agreement.charter.id}
        if self.charter is not None:
            ids.add(self.charter.id)
        return ids

    def __attrs_post_init__(self) -> None:
        charter, agreement = self.charter, self.agreement
        self.members = {m.id: m for m in charter.members} if charter else {}
        self.charter_purposes = {p.id: p for p in charter.purposes} if charter else {}
        self.parties = {p.id: p for p in agreement.parties}
        self.items = {i.id: i for i in agreement.items}
        self.purposes = {p.id: p for p in agreement.purposes}


@define(kw_only=True)
class AgreementWithCharterContext(AgreementContext):
    """What a ``needs_charter`` agreement rule sees: an `AgreementContext` whose charter is known."""

    charter: Charter


#: Any rule context, for helpers that work on both kinds.
Context: TypeAlias = AgreementContext | CharterContext

_AgreementFunction: TypeAlias = Callable[[AgreementContext], Iterable[Hit]]
_WithCharterFunction: TypeAlias = Callable[[AgreementWithCharterContext], Iterable[Hit]]
_CharterFunction: TypeAlias = Callable[[CharterContext], Iterable[Hit]]

#: The signature of a rule function: it takes the context for what the rule applies to.
RuleFunction: TypeAlias = _AgreementFunction | _WithCharterFunction | _CharterFunction


def _context_for(
    document: Charter | Agreement,
    *,
    charter: Charter | None,
    catalogue: Catalogue,
    today: dt.date,
    charter_digest: str | None,
) -> Context:
    if isinstance(document, Charter):
        return CharterContext(
            charter=document, catalogue=catalogue, today=today, charter_digest=charter_digest
        )
    if charter is None:
        return AgreementContext(
            agreement=document, catalogue=catalogue, today=today, charter_digest=charter_digest
        )
    return AgreementWithCharterContext(
        agreement=document,
        charter=charter,
        catalogue=catalogue,
        today=today,
        charter_digest=charter_digest,
    )


@frozen(kw_only=True)
class Rule:
    """A registered rule: its code, title, default severity, what it applies to, and its function.

    ``applies_to`` is ``"agreement"`` or ``"charter"``; ``needs_charter``
    rules run on an agreement only when its charter is known. The function
    takes the context for what the rule applies to: `CharterContext`,
    `AgreementContext`, or `AgreementWithCharterContext` (``needs_charter``).
    """

    code: str
    title: str
    severity: Severity
    applies_to: Literal["agreement", "charter"]
    function: RuleFunction
    needs_charter: bool = False
    citation: str | None = None

    @property
    def doc(self) -> str:
        """The rule's documentation: its function's docstring."""
        return (self.function.__doc__ or "").strip()

    @property
    def context_type(self) -> type[Context]:
        """The context class the rule's function is given."""
        if self.applies_to == "charter":
            return CharterContext
        return AgreementWithCharterContext if self.needs_charter else AgreementContext

    def applies(self, ctx: Context) -> bool:
        """Whether the rule runs on *ctx*: a document of its kind, with the charter when it needs one."""
        return isinstance(ctx, self.context_type)

    def run(self, ctx: Context) -> Iterator[Finding]:
        """Run the rule and turn its hits into findings.

        Raise `RuleError` when *ctx* is not the context the rule takes (see
        `applies`): a charter rule is never given an agreement, nor the reverse.
        """
        if not self.applies(ctx):
            raise RuleError(
                f"rule {self.code} takes {_a(self.context_type.__name__)},"
                f" not {_a(type(ctx).__name__)}"
            )
        function = cast("Callable[[Context], Iterable[Hit]]", self.function)
        for hit in function(ctx):
            yield Finding(
                code=self.code,
                severity=hit.severity or self.severity,
                pointer=hit.pointer,
                message=hit.message,
                hint=hit.hint,
                citation=self.citation,
            )


def _a(name: str) -> str:
    return f"an {name}" if name[0] in "AEIOU" else f"a {name}"


_CONTEXT_NAMES: Final = frozenset(
    {"AgreementContext", "AgreementWithCharterContext", "CharterContext"}
)


def _declared_context(function: object) -> str | None:
    """Return the name of the context class *function*'s first parameter is annotated with, if any."""
    try:
        parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a callable without a signature: nothing to check
        return None
    if not parameters:
        return None
    annotation: Any = parameters[0].annotation
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return str(name).rpartition(".")[2]


def _check_context(rule: Rule) -> None:
    """Refuse a rule whose function is annotated to take another kind's context."""
    declared = _declared_context(rule.function)
    if declared not in _CONTEXT_NAMES:
        return
    wanted = rule.context_type.__name__
    # a function that does not read the charter may take the wider AgreementContext
    accepted = {wanted, "AgreementContext"} if wanted == "AgreementWithCharterContext" else {wanted}
    if declared in accepted:
        return
    kind = "charter" if rule.applies_to == "charter" else "agreement"
    if rule.needs_charter:
        kind += " (with its charter)"
    raise RuleError(
        f"rule {rule.code} applies to {kind} documents and is given {_a(wanted)},"
        f" but its function takes {_a(declared)}: change the parameter's type,"
        " or register the rule with the applies_to (and needs_charter) that matches it"
    )


def cited_bases(flow: Flow) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield each catalogue id *flow* cites (bases, capacity basis, exemptions), with the pointer tokens of where, within the flow."""
    for j, basis_id in enumerate(flow.bases):
        yield ("bases", j), basis_id
    if flow.capacity_basis is not None:
        yield ("capacity_basis",), flow.capacity_basis
    for j, basis_id in enumerate(flow.exemptions):
        yield ("exemptions", j), basis_id


def cited_ids(ctx: AgreementContext) -> AbstractSet[str]:
    """Every catalogue id the agreement's flows cite (bases, capacity bases, exemptions), once per context.

    A rule that judges ids judges each distinct id once, then passes a flow
    that cites none of those it flags with `cites_none_of`.
    """

    def compute() -> frozenset[str]:
        ids: set[str] = set()
        for flow in ctx.agreement.flows:
            ids.update(flow.bases)
            ids.update(flow.exemptions)
            if flow.capacity_basis is not None:
                ids.add(flow.capacity_basis)
        return frozenset(ids)

    return ctx.memo("rules.cited_ids", compute)


def cites_none_of(flow: Flow, ids: AbstractSet[str]) -> bool:
    """Whether *flow* cites none of *ids* (among its bases, capacity basis and exemptions)."""
    return (
        ids.isdisjoint(flow.bases)
        and flow.capacity_basis not in ids
        and ids.isdisjoint(flow.exemptions)
    )


def duplicates(ids: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Yield ``(index, id)`` for every id that repeats an earlier one."""
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            yield i, value
        seen.add(value)


class Rules:
    """A table of rules keyed by code. Codes are unique and never reused."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for r in rules:
            self.register(r)

    def register(self, rule: Rule) -> Rule:
        """Add *rule*; raise `RuleError` for a malformed or duplicate code.

        A rule whose function is annotated to take another kind's context (a
        `CharterContext` for an agreement rule, say) is refused too.
        """
        if not _CODE.fullmatch(rule.code):
            raise RuleError(f"rule code {rule.code!r} is not 2-8 capitals and 3 digits")
        if rule.code in self._rules:
            raise RuleError(f"rule code {rule.code} is already registered")
        if not rule.doc:
            raise RuleError(f"rule {rule.code} has no docstring to document it")
        _check_context(rule)
        self._rules[rule.code] = rule
        return rule

    @overload
    def rule(
        self,
        code: str,
        *,
        title: str,
        severity: Severity = ...,
        applies_to: Literal["agreement"] = ...,
        needs_charter: Literal[False] = ...,
        citation: str | None = ...,
    ) -> Callable[[_AgreementFunction], _AgreementFunction]: ...

    @overload
    def rule(
        self,
        code: str,
        *,
        title: str,
        severity: Severity = ...,
        applies_to: Literal["agreement"] = ...,
        needs_charter: Literal[True],
        citation: str | None = ...,
    ) -> Callable[[_WithCharterFunction], _WithCharterFunction]: ...

    @overload
    def rule(
        self,
        code: str,
        *,
        title: str,
        severity: Severity = ...,
        applies_to: Literal["charter"],
        needs_charter: Literal[False] = ...,
        citation: str | None = ...,
    ) -> Callable[[_CharterFunction], _CharterFunction]: ...

    def rule(
        self,
        code: str,
        *,
        title: str,
        severity: Severity = Severity.ERROR,
        applies_to: Literal["agreement", "charter"] = "agreement",
        needs_charter: bool = False,
        citation: str | None = None,
    ) -> Callable[[Any], Any]:
        """Register the decorated function as a rule with this code.

        The function takes an `AgreementContext` (the default), an
        `AgreementWithCharterContext` with ``needs_charter=True``, or a
        `CharterContext` with ``applies_to="charter"``.
        """

        def decorator(fn: RuleFunction) -> RuleFunction:
            self.register(
                Rule(
                    code=code,
                    title=title,
                    severity=severity,
                    applies_to=applies_to,
                    needs_charter=needs_charter,
                    citation=citation,
                    function=fn,
                )
            )
            return fn

        return decorator

    def run(
        self,
        document: Charter | Agreement,
        *,
        charter: Charter | None = None,
        catalogue: Catalogue,
        today: dt.date,
        charter_digest: str | None = None,
    ) -> Iterator[Finding]:
        """Run every rule that applies to *document* and yield its findings, in code order.

        The table builds the document's context once: a `CharterContext` for a
        charter, an `AgreementContext` for an agreement (an
        `AgreementWithCharterContext` when *charter*, the charter it sits under,
        is given). Rules that need a charter do not run without one.

        An agreement's shared records are judged through the flows they stand
        for: the rules see ``agreement.flows`` followed by those flows (ids
        ``<record>--<contributor>--<viewer>``), and a finding on one of them is
        reported once, at the record (`woda_sharing._records`).
        """
        expanded: list[RecordFlow] = []
        declared = 0
        if isinstance(document, Agreement) and document.records:
            declared = len(document.flows)
            try:
                expanded = record_flows(document)
            except ValueError:  # too many to expand: WS130 says so, and the records go unjudged
                expanded = []
            if expanded:
                flows = document.flows + tuple(rf.flow for rf in expanded)
                document = attrs.evolve(document, flows=flows)
        ctx = _context_for(
            document,
            charter=charter,
            catalogue=catalogue,
            today=today,
            charter_digest=charter_digest,
        )
        findings = (f for rule in self if rule.applies(ctx) for f in rule.run(ctx))
        if expanded:
            yield from fold_findings(findings, declared=declared, expanded=expanded)
        else:
            yield from findings

    def copy(self) -> Rules:
        """Return a new table with the same rules, to extend without touching this one."""
        return Rules(self._rules.values())

    def get(self, code: str) -> Rule | None:
        """Return the rule with *code*, or ``None``."""
        return self._rules.get(code)

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules


#: The built-in table, filled by the family modules on first use of `builtin_rules`.
BUILTIN: Final = Rules()


@functools.cache
def builtin_rules() -> Rules:
    """Return the table of built-in rules (shared: use ``.copy()`` before adding your own)."""
    for family in _FAMILIES:  # each family module registers its rules when imported
        importlib.import_module(f"woda_sharing.rules._{family}")
    return BUILTIN


@functools.cache
def builtin_catalogue() -> Catalogue:
    """Return the legal-basis catalogue shipped with the library, each entry with its citation.

    The catalogue is read from the package once and shared (it is immutable:
    ``builtin_catalogue().extended(entries)`` returns a new one).
    """
    raw: Any = json.loads(
        resources.files("woda_sharing").joinpath("data/legal-bases.json").read_bytes()
    )
    return Catalogue.of(codec.structure_entries(raw["entries"]))
