"""Findings and reports: what validation says about a document.

A bad document is data, not an exception. Validation returns a `Report`; each
`Finding` carries a stable code (never reused for another meaning), a
`Severity` that maps onto SARIF levels, an RFC 6901 JSON Pointer over the
*wire* names of the document, a message, and where useful a hint and a
citation. Findings sort by pointer, then code, so CI diffs stay stable.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:  # findings stay a leaf module at run time
    from woda_sharing._model import Agreement, Charter, Waiver

__all__ = ["Finding", "Report", "Severity", "Waived", "pointer"]


class Severity(enum.Enum):
    """How serious a finding is. Only errors make a document invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def sarif_level(self) -> str:
        """The SARIF ``level`` this severity maps onto."""
        return {"error": "error", "warning": "warning", "info": "note"}[self.value]


def _escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build an RFC 6901 JSON Pointer from reference tokens: ``pointer("flows", 0)`` → ``/flows/0``."""
    return "".join("/" + _escape(t) for t in tokens)


@frozen(kw_only=True, order=False)
class Finding:
    """One thing validation found, at one place in one document.

    ``pointer`` is an RFC 6901 JSON Pointer over the document's wire names
    (``""`` is the whole document). ``line`` and ``column`` (from 1; the
    column counts characters) place it in the source file when the document
    was read from bytes, else they are ``None``.
    """

    code: str
    severity: Severity
    pointer: str
    message: str
    hint: str | None = None
    citation: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Pointer, then code, then message: the stable order of a report."""
        return (self.pointer, self.code, self.message)

    def text(self, source: str | None = None) -> str:
        """The one-line form every text output uses: ``source:line:col: severity CODE message``.

        This is the form compilers and linters print, so editors jump to the
        place. A finding without a line (its document was not read from
        bytes) is placed by its pointer instead, ``source:/pointer:``; the
        whole document's pointer ``""`` is written ``/``. Without *source*
        the line starts at the position. The hint is not included.
        """
        where = self.pointer or "/"
        if self.line is not None:
            where = f"{self.line}:{self.column}"
        if source is not None:
            where = f"{source}:{where}"
        return f"{where}: {self.severity.value} {self.code} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing validate --format json``."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
            "line": self.line,
            "column": self.column,
        }
        if self.citation is not None:
            out["citation"] = self.citation
        return out


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: f.sort_key))


@frozen(kw_only=True)
class Waived:
    """A finding a waiver in the document covers, with the waiver and its index in ``waivers``."""

    finding: Finding
    waiver: Waiver
    index: int

    def text(self, source: str | None = None) -> str:
        """The one-line text form: the finding's, marked waived, with who accepted it and until when."""
        line = self.finding.text(source).replace(": ", ": waived ", 1)
        w = self.waiver
        return f"{line} (waived by {w.approved_by} until {w.expires.isoformat()}: {w.reason})"

    def as_dict(self) -> dict[str, Any]:
        """The finding's JSON form, with the waiver that covers it under ``waiver``."""
        out = self.finding.as_dict()
        out["waiver"] = {
            "pointer": pointer("waivers", self.index),
            "reason": self.waiver.reason,
            "approved_by": self.waiver.approved_by,
            "approved": self.waiver.approved.isoformat(),
            "expires": self.waiver.expires.isoformat(),
        }
        return out


def _sorted_waived(waived: Iterable[Waived]) -> tuple[Waived, ...]:
    return tuple(sorted(waived, key=lambda w: w.finding.sort_key))


@frozen(kw_only=True)
class Report:
    """The findings about one document, and the document when it could be read.

    A report is truthy when the document has no error finding, so
    ``if validate(doc): ...`` reads naturally. ``document`` is the typed
    `Charter` or `Agreement` when the input got that far, else ``None``;
    ``data`` is the parsed JSON when it could be parsed. ``source`` names
    where the document came from (a file's path, or ``<document>``).
    ``waived`` holds the findings that a current waiver in the document
    covers: they are shown apart and do not count towards ``ok``.
    """

    source: str
    kind: str | None
    findings: tuple[Finding, ...] = field(converter=_sorted)
    document: Charter | Agreement | None = None
    data: Any = None
    waived: tuple[Waived, ...] = field(default=(), converter=_sorted_waived)

    @property
    def ok(self) -> bool:
        """No finding is an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def __bool__(self) -> bool:
        return self.ok

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error findings only."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def codes(self) -> set[str]:
        """The distinct codes in this report."""
        return {f.code for f in self.findings}

    def as_dict(self) -> dict[str, Any]:
        """The per-file JSON form used by ``woda-sharing validate --format json``."""
        return {
            "source": self.source,
            "kind": self.kind,
            "ok": self.ok,
            "findings": [f.as_dict() for f in self.findings],
            "waived": [w.as_dict() for w in self.waived],
        }
