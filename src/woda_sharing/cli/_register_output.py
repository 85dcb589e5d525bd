r"""Output formats of ``woda-sharing register`` and ``woda-sharing diff``: one class each, on a given stream.

As for ``validate`` (`woda_sharing.cli._output`), a format is an object
holding its stream; the text format passes every line through `printable`
(documents come from other organisations), the JSON format writes
non-printable characters as ``\uXXXX``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol, TextIO

from attrs import frozen

from woda_sharing._diff import Diff, Difference
from woda_sharing.cli import json_text, printable
from woda_sharing.register import Due, Entry, Imported, Refusal

__all__ = ["REGISTER_FORMATS", "RegisterJson", "RegisterOutput", "RegisterText"]


class RegisterOutput(Protocol):
    """What a register output format writes."""

    def imported(self, done: Sequence[Imported]) -> None:
        """An import that succeeded."""

    def refused(self, refusals: Sequence[Refusal]) -> None:
        """An import that was refused."""

    def entries(self, entries: Sequence[Entry]) -> None:
        """A list of stored versions."""

    def show(self, entry: Entry, body: Mapping[str, Any]) -> None:
        """One stored version."""

    def history(self, entries: Sequence[Entry], changes: Sequence[Diff]) -> None:
        """Every version of a document, and what each amendment changed."""

    def due(self, items: Sequence[Due]) -> None:
        """What needs action."""

    def diff(self, result: Diff) -> None:
        """The semantic diff of two versions."""


def _entry_line(e: Entry) -> str:
    pending = f" pending: {', '.join(e.pending)}" if e.pending else ""
    review = f" review {e.review.isoformat()}" if e.review else ""
    head = "" if e.current else " (superseded)"
    return f"{e.kind} {e.id} v{e.version}{head} [{e.state.value}]{review} {e.title}{pending}"


def _change_line(c: Difference, indent: str = " ") -> str:
    mark = "!" if c.widens else " "
    return f"{indent}{mark} {c.kind.value:<7} {c.pointer or '/'}: {c.detail}"


@frozen
class RegisterText:
    """Readable lines, one per document, change or due item, then a count."""

    stream: TextIO

    def _line(self, text: str) -> None:
        self.stream.write(printable(text) + "\n")

    def imported(self, done: Sequence[Imported]) -> None:
        """One line per document: what the import did, and its endorsement state."""
        for i in done:
            pending = f", pending: {', '.join(i.pending)}" if i.pending else ""
            self._line(
                f"{i.source}: {i.outcome.value}: {i.kind} {i.id} version {i.version} ({i.state.value}{pending})"
            )
        self._line(f"{len(done)} document(s) imported")

    def refused(self, refusals: Sequence[Refusal]) -> None:
        """Each refusal with its reason and findings."""
        for r in refusals:
            self._line(f"{r.source}: refused: {r.reason}")
            for f in r.findings:
                self._line("    " + f.text())
        self._line("import refused: nothing was written")

    def entries(self, entries: Sequence[Entry]) -> None:
        """One line per stored version."""
        for e in entries:
            self._line(_entry_line(e))
        self._line(f"{len(entries)} document(s)")

    def show(self, entry: Entry, body: Mapping[str, Any]) -> None:
        """The version's line, digest, import time, charter and endorsers."""
        del body
        self._line(_entry_line(entry))
        self._line(f"  digest: {entry.digest}")
        self._line(f"  imported: {entry.as_dict()['imported_at']}")
        if entry.charter:
            self._line(f"  charter: {entry.charter[0]} version {entry.charter[1]}")
        if entry.endorsed:
            self._line(f"  endorsed by: {', '.join(entry.endorsed)}")

    def history(self, entries: Sequence[Entry], changes: Sequence[Diff]) -> None:
        """Each version, followed by what its amendment changed."""
        for i, e in enumerate(entries):
            self._line(_entry_line(e))
            if i and len(changes) >= i:
                for c in changes[i - 1].changes:
                    self._line(_change_line(c, "   "))

    def due(self, items: Sequence[Due]) -> None:
        """One line per due item: overdue, coming, or endorsements pending."""
        for d in items:
            if d.date is None or d.days is None:  # pending endorsements carry no date
                pending = ", ".join(d.pending) or "the endorsement rule"
                self._line(f"{d.kind} {d.id} v{d.version}: endorsements pending from {pending}")
            else:
                when = f"{-d.days} days overdue" if d.overdue else f"in {d.days} days"
                self._line(f"{d.kind} {d.id} v{d.version}: {d.what} {d.date.isoformat()} ({when})")
        self._line(f"{len(items)} item(s) due")

    def diff(self, result: Diff) -> None:
        """The versions compared, one line per change (``!`` when it widens), then a count."""
        self._line(
            f"{result.kind} {result.id}: version {result.old_version} → {result.new_version}"
        )
        for c in result.changes:
            self._line(_change_line(c))
        self._line(
            f"{len(result.changes)} change(s), {len(result.widening)} widening the sharing"
            " or weakening a safeguard"
        )


@frozen
class RegisterJson:
    """Indented JSON, one document per command."""

    stream: TextIO

    def _dump(self, value: object) -> None:
        self.stream.write(json_text(json.dumps(value, indent=2, ensure_ascii=False)) + "\n")

    def imported(self, done: Sequence[Imported]) -> None:
        """``{"ok": true, "imported": [...]}``."""
        self._dump({"ok": True, "imported": [i.as_dict() for i in done]})

    def refused(self, refusals: Sequence[Refusal]) -> None:
        """``{"ok": false, "refused": [...]}``."""
        self._dump({"ok": False, "refused": [r.as_dict() for r in refusals]})

    def entries(self, entries: Sequence[Entry]) -> None:
        """A list of `Entry.as_dict`."""
        self._dump([e.as_dict() for e in entries])

    def show(self, entry: Entry, body: Mapping[str, Any]) -> None:
        """The document exactly as imported."""
        del entry
        self._dump(body)

    def history(self, entries: Sequence[Entry], changes: Sequence[Diff]) -> None:
        """A list of `Entry.as_dict`, each amendment with its ``changes``."""
        out = [e.as_dict() for e in entries]
        for record, change in zip(out[1:], changes, strict=False):
            record["changes"] = change.as_dict()["changes"]
        self._dump(out)

    def due(self, items: Sequence[Due]) -> None:
        """A list of `Due.as_dict`."""
        self._dump([d.as_dict() for d in items])

    def diff(self, result: Diff) -> None:
        """`Diff.as_dict`."""
        self._dump(result.as_dict())


#: Output formats by their ``--format`` name.
REGISTER_FORMATS: Final[Mapping[str, Callable[[TextIO], RegisterOutput]]] = {
    "text": RegisterText,
    "json": RegisterJson,
}
