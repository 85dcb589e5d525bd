"""Tiered terms: what an agreement adopts from its charter, and where each effective term comes from.

A tier-1 charter may declare ``defaults`` for security, retention, breach,
rights, transparency and termination. A tier-2 agreement adopts each of them
unless it sets its own: the agreement's value then replaces the charter's
whole (there is no merging member by member, so what an endorser reads in one
place is the whole term). Rules judge the *effective* terms and say where
each came from.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from attrs import frozen

from woda_sharing._findings import pointer
from woda_sharing._model import (
    Agreement,
    Breach,
    Charter,
    Retention,
    Rights,
    Termination,
    Transparency,
)

__all__ = ["EffectiveTerms", "Term", "effective_terms"]

T = TypeVar("T")


@frozen(kw_only=True)
class Term(Generic[T]):
    """One effective term: its value, which document set it, and where in that document."""

    value: T
    source: Literal["agreement", "charter"]
    #: The JSON Pointer of the value in the document that set it.
    pointer: str
    #: The id of the document that set it.
    document: str

    @property
    def inherited(self) -> bool:
        """Whether the agreement adopted this term from its charter."""
        return self.source == "charter"

    @property
    def origin(self) -> str:
        """Where the term comes from, in words: "the agreement's /security" or "charter 'x' at /defaults/security"."""
        if self.inherited:
            return f"inherited from charter {self.document!r} at {self.pointer}"
        return f"set by the agreement at {self.pointer}"


@frozen(kw_only=True)
class EffectiveTerms:
    """The terms that apply to an agreement: its own, else its charter's defaults, else none."""

    security: Term[tuple[str, ...]] | None = None
    retention: Term[Retention] | None = None
    breach: Term[Breach] | None = None
    rights: Term[Rights] | None = None
    transparency: Term[Transparency] | None = None
    termination: Term[Termination] | None = None

    @property
    def measures(self) -> tuple[str, ...]:
        """The effective agreement-wide security measures (empty when none)."""
        return self.security.value if self.security is not None else ()


def _term(
    own: T | None, default: T | None, name: str, agreement: Agreement, charter: Charter | None
) -> Term[T] | None:
    if own is not None and own != ():
        return Term(value=own, source="agreement", pointer=pointer(name), document=agreement.id)
    if default is not None and default != () and charter is not None:
        return Term(
            value=default,
            source="charter",
            pointer=pointer("defaults", name),
            document=charter.id,
        )
    return None


def effective_terms(agreement: Agreement, charter: Charter | None = None) -> EffectiveTerms:
    """Work out the terms that apply to *agreement* under *charter* (its own first, then the charter's defaults)."""
    d = charter.defaults if charter is not None else None
    a = agreement
    return EffectiveTerms(
        security=_term(a.security, d.security if d else None, "security", a, charter),
        retention=_term(a.retention, d.retention if d else None, "retention", a, charter),
        breach=_term(a.breach, d.breach if d else None, "breach", a, charter),
        rights=_term(a.rights, d.rights if d else None, "rights", a, charter),
        transparency=_term(
            a.transparency, d.transparency if d else None, "transparency", a, charter
        ),
        termination=_term(a.termination, d.termination if d else None, "termination", a, charter),
    )
