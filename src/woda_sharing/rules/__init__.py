"""Charter-aware validation rules, registered in a table.

A rule is a small function that takes a `Context` and yields `Hit`s; the
registry turns each hit into a `Finding` with the rule's stable code, severity
and citation. The rule's docstring is its documentation: the reference page
``docs/reference/rules.md`` is generated from this table, so it cannot drift.

Rules live in one module per family (``references``, ``legal_bases``,
``lifecycle``, ``roles``, ``minimisation``, ``charter``). To add a rule of your
own, register it in a copy of the built-in table::

    rules = builtin_rules().copy()

    @rules.rule("ACME001", title="Flows must use SFTP", severity=Severity.WARNING)
    def sftp_only(ctx: Context) -> Iterator[Hit]:
        \"\"\"Our partnership moves files by SFTP only.\"\"\"
        for i, flow in enumerate(ctx.agreement.flows):
            if flow.method != "sftp":
                yield Hit(path=pointer("flows", i, "method"), message="not SFTP")

    report = validate(data, charter=charter, rules=rules)
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, Literal, TypeVar

from attrs import define, field, frozen

from woda_sharing.exceptions import RuleError
from woda_sharing.findings import Finding, Severity
from woda_sharing.legal import Catalogue
from woda_sharing.model import (
    Agreement,
    Charter,
    CharterPurpose,
    DataItem,
    Flow,
    Member,
    Party,
    Purpose,
)

__all__ = [
    "Context",
    "Hit",
    "Rule",
    "RuleFunction",
    "Rules",
    "builtin_rules",
    "cited_bases",
    "duplicates",
]

T = TypeVar("T")

_CODE: Final = re.compile(r"[A-Z]{2,8}[0-9]{3}")
_FAMILIES: Final = ("references", "legal_bases", "lifecycle", "roles", "minimisation", "charter")


@frozen(kw_only=True)
class Hit:
    """One place a rule fires, before it becomes a `Finding`.

    ``severity`` overrides the rule's default for this hit only (a rule may
    warn about one case and refuse another).
    """

    path: str
    message: str
    hint: str | None = None
    severity: Severity | None = None


@define(kw_only=True)
class Context:
    """What a rule sees: the document, its charter, the catalogue, today's date and lookups.

    ``agreement`` is set for agreement documents and ``charter`` is the
    charter they sit under (``None`` when it was not given); for a charter
    document ``agreement`` is ``None`` and ``charter`` is the document itself.
    ``charter_digest`` is the digest of the charter's wire form, when known.
    """

    charter: Charter | None
    agreement: Agreement | None
    catalogue: Catalogue
    today: dt.date
    charter_digest: str | None = None
    members: Mapping[str, Member] = field(init=False)
    charter_purposes: Mapping[str, CharterPurpose] = field(init=False)
    parties: Mapping[str, Party] = field(init=False)
    items: Mapping[str, DataItem] = field(init=False)
    purposes: Mapping[str, Purpose] = field(init=False)
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

    @property
    def document_ids(self) -> set[str]:
        """The ids of the agreement and of its charter (as cited and as given): never legal bases."""
        ids = {self.charter.id} if self.charter is not None else set()
        if self.agreement is not None:
            ids |= {self.agreement.id, self.agreement.charter.id}
        return ids

    def __attrs_post_init__(self) -> None:
        charter, agreement = self.charter, self.agreement
        self.members = {m.id: m for m in charter.members} if charter else {}
        self.charter_purposes = {p.id: p for p in charter.purposes} if charter else {}
        self.parties = {p.id: p for p in agreement.parties} if agreement else {}
        self.items = {i.id: i for i in agreement.items} if agreement else {}
        self.purposes = {p.id: p for p in agreement.purposes} if agreement else {}


#: The signature of a rule function.
RuleFunction = Callable[[Context], Iterable[Hit]]


@frozen(kw_only=True)
class Rule:
    """A registered rule: its code, title, default severity, what it applies to, and its function.

    ``applies_to`` is ``"agreement"`` or ``"charter"``; ``needs_charter``
    rules run on an agreement only when its charter is known.
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

    def run(self, ctx: Context) -> Iterator[Finding]:
        """Run the rule and turn its hits into findings."""
        for hit in self.function(ctx):
            yield Finding(
                code=self.code,
                severity=hit.severity or self.severity,
                path=hit.path,
                message=hit.message,
                hint=hit.hint,
                citation=self.citation,
            )


def cited_bases(flow: Flow) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield each legal-basis id *flow* cites, with the pointer tokens of where, within the flow."""
    for j, basis_id in enumerate(flow.bases):
        yield ("bases", j), basis_id
    if flow.capacity_basis is not None:
        yield ("capacity_basis",), flow.capacity_basis


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
        """Add *rule*; raise `RuleError` for a malformed or duplicate code."""
        if not _CODE.fullmatch(rule.code):
            raise RuleError(f"rule code {rule.code!r} is not 2-8 capitals and 3 digits")
        if rule.code in self._rules:
            raise RuleError(f"rule code {rule.code} is already registered")
        if not rule.doc:
            raise RuleError(f"rule {rule.code} has no docstring to document it")
        self._rules[rule.code] = rule
        return rule

    def rule(
        self,
        code: str,
        *,
        title: str,
        severity: Severity = Severity.ERROR,
        applies_to: Literal["agreement", "charter"] = "agreement",
        needs_charter: bool = False,
        citation: str | None = None,
    ) -> Callable[[RuleFunction], RuleFunction]:
        """Register the decorated function as a rule with this code."""

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
        importlib.import_module(f"woda_sharing.rules.{family}")
    return BUILTIN
