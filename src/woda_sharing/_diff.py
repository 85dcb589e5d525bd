"""Amendment impact: a semantic diff between two versions of an agreement or a charter.

A textual diff says which lines moved; this one says what the amendment
*does*: which permissions (sender, recipient, item, purpose) are newly
granted or withdrawn, which parties, items, purposes and flows come and go,
which legal bases a flow gains or loses, which controls are weakened, which
members a charter drops. Each `Difference` says whether it *widens* the sharing
or weakens a safeguard, so a reviewer (or a CI job) can ask for the changes
that need a closer look first.

The same diff is the redline's (``woda-sharing render redline``): beside those
semantic changes it reports every other signed member that changed (a title,
a contact, a waiver, a history entry), so that nothing an amendment does is
left out, and each change carries the text before and after (``old``, ``new``)
for a reader to compare word by word.
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs
from attrs import frozen

from woda_sharing import _codec as codec
from woda_sharing._findings import pointer
from woda_sharing._model import Agreement, Charter, Flow, Party
from woda_sharing._records import record_flows
from woda_sharing.exceptions import UsageError

__all__ = ["Diff", "Difference", "DifferenceKind", "diff"]


class DifferenceKind(enum.Enum):
    """Whether something was added, removed or changed."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@frozen(kw_only=True)
class Difference:
    """One semantic change: what (``subject``), where (a JSON Pointer in the version that has it), and its impact.

    ``widens`` is true when the change permits more sharing or weakens a
    safeguard (a new permission, a basis lost, a control dropped, a longer
    retention, a member dropped from a charter, a finding waived...).
    ``old`` and ``new`` are the changed member's value before and after, as
    text (``None`` on the side that does not have it, and for a derived
    change such as a permission).
    """

    kind: DifferenceKind
    subject: str
    pointer: str
    detail: str
    widens: bool = False
    old: str | None = None
    new: str | None = None

    @property
    def words(self) -> tuple[tuple[str, str], ...]:
        """``old`` to ``new`` word by word: ``("equal" | "removed" | "added", text)`` pairs."""
        a, b = (self.old or "").split(), (self.new or "").split()
        out: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                out.append(("equal", " ".join(a[i1:i2])))
                continue
            if i2 > i1:
                out.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", " ".join(b[j1:j2])))
        return tuple(out)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing diff --format json``."""
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "pointer": self.pointer,
            "detail": self.detail,
            "widens": self.widens,
            "old": self.old,
            "new": self.new,
        }


@frozen(kw_only=True)
class Diff:
    """The semantic changes from one version of a document to another; falsy when nothing changed."""

    kind: str
    id: str
    old_version: int
    new_version: int
    changes: tuple[Difference, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def widening(self) -> tuple[Difference, ...]:
        """The changes that permit more or weaken a safeguard."""
        return tuple(c for c in self.changes if c.widens)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing diff --format json``."""
        return {
            "kind": self.kind,
            "id": self.id,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "widens": bool(self.widening),
            "changes": [c.as_dict() for c in self.changes],
        }


Document = Charter | Agreement

_ADDED, _REMOVED, _CHANGED = DifferenceKind.ADDED, DifferenceKind.REMOVED, DifferenceKind.CHANGED


def _typed(document: Document | Mapping[str, Any]) -> Document:
    if isinstance(document, (Charter, Agreement)):
        return document
    if not isinstance(document, Mapping):
        raise UsageError(f"diff compares charters or agreements, not {type(document).__name__}")
    kind = document.get("kind")
    if kind == "charter":
        return codec.structure(document, Charter)
    if kind == "agreement":
        return codec.structure(document, Agreement)
    raise UsageError(f"diff compares charters or agreements, not kind {kind!r}")


def diff(old: Document | Mapping[str, Any], new: Document | Mapping[str, Any]) -> Diff:
    """Compare *old* with *new* (typed documents or wire mappings of one kind).

    Raises `UsageError` when the two are not of one kind, and
    `woda_sharing.DocumentError` when a mapping cannot be read into the model.
    """
    a, b = _typed(old), _typed(new)
    if type(a) is not type(b):
        raise UsageError(f"cannot compare a {a.kind} with a {b.kind}")
    semantic = _semantic(a, b)
    return Diff(
        kind=b.kind,
        id=b.id,
        old_version=a.version,
        new_version=b.version,
        # Both sides through the model: a default written out or left out is no change.
        changes=_merged(semantic, _members(codec.unstructure(a), codec.unstructure(b), semantic)),
    )


def _semantic(a: Document, b: Document) -> list[Difference]:
    changes: list[Difference] = []
    if a.id != b.id:
        changes.append(
            Difference(
                kind=_CHANGED, subject="id", pointer=pointer("id"), detail=f"id {a.id!r} → {b.id!r}"
            )
        )
    if isinstance(a, Agreement) and isinstance(b, Agreement):
        changes += _agreement(a, b)
    elif isinstance(a, Charter) and isinstance(b, Charter):
        changes += _charter(a, b)
    changes += _common(a, b)
    return changes


#: Members every version changes (the amendment's header says so), or that are not signed content.
_NOT_WALKED: Final = frozenset(
    {"endorsements", "kind", "format_version", "id", "version", "supersedes"}
)
#: Lists of objects matched by id: a moved element is not a change.
_ELEMENTS: Final = {
    "members": "member",
    "principles": "principle",
    "purposes": "purpose",
    "parties": "party",
    "items": "item",
    "flows": "flow",
    "legal_bases": "legal basis entry",
    "subjects": "subject category",
    "waivers": "waiver",
    "history": "history entry",
}
#: How elements without an id are told apart.
_KEYS: Final[dict[str, Callable[[Mapping[str, Any]], object]]] = {
    "waivers": lambda v: " at ".join(str(v[k]) for k in ("code", "pointer") if v.get(k)),
    "history": lambda v: f"version {v.get('version')}",
}


def _text(value: object) -> str:
    """A member's value as text a reader can compare word by word."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int):
        return str(value)
    if value is None:
        return "(none)"
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping) and all(isinstance(v, str | int | bool) for v in value.values()):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _id_of(value: Mapping[str, Any]) -> object:
    return value.get("id")


def _by_id(value: object, key: str) -> dict[str, int] | None:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        return None
    ident = _KEYS.get(key, _id_of)
    keys = [ident(v) for v in value]
    out = {k: i for i, k in enumerate(keys) if isinstance(k, str) and k}
    return out if len(out) == len(value) else None


def _members(
    old: Mapping[str, Any], new: Mapping[str, Any], semantic: list[Difference]
) -> list[Difference]:
    """Every signed member that changed, down to the pointers the semantic changes stop at."""
    floor = {d.pointer for d in semantic}
    out: list[Difference] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if key in _NOT_WALKED or a == b:
            continue
        olds = _by_id(a if a is not None else [], key)
        news = _by_id(b if b is not None else [], key)
        if key in _ELEMENTS and olds is not None and news is not None:
            name = _ELEMENTS[key]
            for ident in [*news, *(i for i in olds if i not in news)]:
                where = (key, news[ident]) if ident in news else (key, olds[ident])
                _walk(
                    a[olds[ident]] if ident in olds else None,  # type: ignore[index]
                    b[news[ident]] if ident in news else None,  # type: ignore[index]
                    where,
                    name,
                    f"{name} {ident}" if key in _KEYS else f"{name} {ident!r}",
                    floor,
                    out,
                )
            continue
        _walk(a, b, (key,), key.replace("_", " "), key.replace("_", " "), floor, out)
    return out


def _walk(  # noqa: PLR0917 - a recursive walk, called from two places in this module
    old: object,
    new: object,
    where: tuple[str | int, ...],
    subject: str,
    label: str,
    floor: set[str],
    out: list[Difference],
) -> None:
    if old == new:
        return
    here = pointer(*where)
    if isinstance(old, Mapping) and isinstance(new, Mapping) and here not in floor:
        for key in dict.fromkeys([*old, *new]):
            _walk(
                old.get(key),
                new.get(key),
                (*where, key),
                subject,
                f"{label}, {str(key).replace('_', ' ')}",
                floor,
                out,
            )
        return
    kind = _ADDED if old is None else _REMOVED if new is None else _CHANGED
    out.append(
        Difference(
            kind=kind,
            subject=subject,
            pointer=here,
            detail=f"{label} {kind.value}",
            old=None if old is None else _text(old),
            new=None if new is None else _text(new),
        )
    )


def _merged(semantic: list[Difference], members: list[Difference]) -> tuple[Difference, ...]:
    """The semantic changes, given the text of the member they are about, then every other change."""
    at: dict[str, Difference] = {}
    for each in members:
        at.setdefault(each.pointer, each)
    used: set[str] = set()
    out = []
    for change in semantic:
        member = at.get(change.pointer)
        if member is not None and change.subject != "permission":
            used.add(change.pointer)
            if change.old is None and change.new is None:
                out.append(attrs.evolve(change, old=member.old, new=member.new))
                continue
        out.append(change)
    out += [m for m in members if m.pointer not in used]
    return tuple(out)


def _common(a: Document, b: Document) -> Iterator[Difference]:
    """Changes either kind of document can have: subject categories and waivers."""
    yield from _set_changes(
        "subject category",
        _keyed(a.subjects),
        _keyed(b.subjects),
        "subjects",
        added_widens=True,
        removed_widens=False,
        describe=lambda s: f"{s.id!r}" + (" (children)" if s.children else ""),
    )
    old_waivers = {(w.code, w.pointer): w for w in a.waivers}
    for i, waiver in enumerate(b.waivers):
        before = old_waivers.get((waiver.code, waiver.pointer))
        where = f"{waiver.code}" + (f" at {waiver.pointer}" if waiver.pointer else "")
        if before is None:
            yield Difference(
                kind=_ADDED,
                subject="waiver",
                pointer=pointer("waivers", i),
                detail=f"finding {where} waived until {waiver.expires.isoformat()}",
                widens=True,
            )
        elif waiver.expires > before.expires:
            yield Difference(
                kind=_CHANGED,
                subject="waiver",
                pointer=pointer("waivers", i, "expires"),
                detail=f"waiver of {where} extended to {waiver.expires.isoformat()}",
                widens=True,
            )
    new_waivers = {(w.code, w.pointer) for w in b.waivers}
    for i, waiver in enumerate(a.waivers):
        if (waiver.code, waiver.pointer) not in new_waivers:
            yield Difference(
                kind=_REMOVED,
                subject="waiver",
                pointer=pointer("waivers", i),
                detail=f"waiver of {waiver.code} withdrawn",
            )


def _keyed(values: Iterable[Any]) -> dict[str, tuple[int, Any]]:
    return {v.id: (i, v) for i, v in enumerate(values)}


def _set_changes(
    subject: str,
    old: Mapping[str, tuple[int, Any]],
    new: Mapping[str, tuple[int, Any]],
    base: str,
    *,
    added_widens: bool,
    removed_widens: bool,
    describe: Any = None,
) -> Iterator[Difference]:
    show = describe or (lambda v: repr(v.id))
    for key, (i, value) in new.items():
        if key not in old:
            yield Difference(
                kind=_ADDED,
                subject=subject,
                pointer=pointer(base, i),
                detail=f"{subject} {show(value)} added",
                widens=added_widens,
            )
    for key, (i, value) in old.items():
        if key not in new:
            yield Difference(
                kind=_REMOVED,
                subject=subject,
                pointer=pointer(base, i),
                detail=f"{subject} {show(value)} removed",
                widens=removed_widens,
            )


def _who(party: Party | None) -> str:
    if party is None:
        return "?"
    return party.organisation + (f":{party.capacity}" if party.capacity else "")


def _permissions(a: Agreement) -> dict[tuple[str, str, str, str], str]:
    """Every (sender, recipient, item, purpose) the agreement permits, with the pointer of the flow (or shared record) that does."""
    parties = {p.id: p for p in a.parties}
    needs = {p.id: set(p.needs) for p in a.purposes}
    out: dict[tuple[str, str, str, str], str] = {}
    try:
        through_records = [(pointer("records", rf.record), rf.flow) for rf in record_flows(a)]
    except ValueError:  # too many to expand: WS130 refuses the document anyway
        through_records = []
    declared = [(pointer("flows", i), flow) for i, flow in enumerate(a.flows)]
    for where, flow in declared + through_records:
        src, dst = _who(parties.get(flow.source)), _who(parties.get(flow.recipient))
        for item in flow.items:
            for purpose in flow.purposes:
                if item in needs.get(purpose, ()):
                    out.setdefault((src, dst, item, purpose), where)
    return out


def _agreement(a: Agreement, b: Agreement) -> Iterator[Difference]:
    old_perm, new_perm = _permissions(a), _permissions(b)
    new_flows, old_flows = _keyed(b.flows), _keyed(a.flows)
    for key in sorted(new_perm.keys() - old_perm.keys()):
        src, dst, item, purpose = key
        yield Difference(
            kind=_ADDED,
            subject="permission",
            pointer=new_perm[key],
            detail=f"{src} may now share {item!r} with {dst} for {purpose!r}",
            widens=True,
        )
    for key in sorted(old_perm.keys() - new_perm.keys()):
        src, dst, item, purpose = key
        yield Difference(
            kind=_REMOVED,
            subject="permission",
            pointer=old_perm[key],
            detail=f"{src} may no longer share {item!r} with {dst} for {purpose!r}",
        )
    yield from _set_changes(
        "party",
        _keyed(a.parties),
        _keyed(b.parties),
        "parties",
        added_widens=True,
        removed_widens=False,
        describe=lambda p: f"{p.id!r} ({_who(p)}, {p.role.value})",
    )
    old_parties = _keyed(a.parties)
    for pid, (i, new) in _keyed(b.parties).items():
        old = old_parties.get(pid)
        if old is not None and (old[1].organisation, old[1].capacity, old[1].role) != (
            new.organisation,
            new.capacity,
            new.role,
        ):
            yield Difference(
                kind=_CHANGED,
                subject="party",
                pointer=pointer("parties", i),
                detail=f"party {pid!r}: {_who(old[1])} ({old[1].role.value}) → {_who(new)} ({new.role.value})",
                widens=True,
            )
    yield from _set_changes(
        "item",
        _keyed(a.items),
        _keyed(b.items),
        "items",
        added_widens=True,
        removed_widens=False,
        describe=lambda x: f"{x.id!r} ({_categories(x)})",
    )
    old_items = _keyed(a.items)
    for iid, (i, new) in _keyed(b.items).items():
        old = old_items.get(iid)
        if old is None:
            continue
        o = old[1]
        if (o.category, o.special_category) != (new.category, new.special_category):
            yield Difference(
                kind=_CHANGED,
                subject="item",
                pointer=pointer("items", i, "category"),
                detail=f"item {iid!r} category {_categories(o)} → {_categories(new)}",
                widens=True,
            )
        for subject in sorted(set(new.subjects) - set(o.subjects)):
            yield Difference(
                kind=_ADDED,
                subject="item",
                pointer=pointer("items", i, "subjects"),
                detail=f"item {iid!r} is now also about {subject!r}",
                widens=True,
            )
        yield from _retention(
            o.retention, new.retention, pointer("items", i, "retention"), f"item {iid!r}"
        )
    yield from _set_changes(
        "purpose",
        _keyed(a.purposes),
        _keyed(b.purposes),
        "purposes",
        added_widens=True,
        removed_widens=False,
    )
    yield from _set_changes(
        "flow",
        old_flows,
        new_flows,
        "flows",
        added_widens=True,
        removed_widens=False,
        describe=lambda f: f"{f.id!r}",
    )
    parties_a, parties_b = {p.id: p for p in a.parties}, {p.id: p for p in b.parties}
    for fid, (i, new_flow) in new_flows.items():
        if fid in old_flows:
            yield from _flow(old_flows[fid][1], new_flow, i, parties_a, parties_b)
    yield from _agreement_controls(a, b)


def _flow(
    a: Flow, b: Flow, i: int, pa: Mapping[str, Party], pb: Mapping[str, Party]
) -> Iterator[Difference]:
    where = f"flow {a.id!r}"
    if (_who(pa.get(a.source)), _who(pa.get(a.recipient))) != (
        _who(pb.get(b.source)),
        _who(pb.get(b.recipient)),
    ):
        yield Difference(
            kind=_CHANGED,
            subject="flow",
            pointer=pointer("flows", i),
            detail=f"{where}: {_who(pa.get(a.source))} → {_who(pa.get(a.recipient))} is now {_who(pb.get(b.source))} → {_who(pb.get(b.recipient))}",
            widens=True,
        )
    old_bases = {*a.bases, *([a.capacity_basis] if a.capacity_basis else [])}
    new_bases = {*b.bases, *([b.capacity_basis] if b.capacity_basis else [])}
    for basis in sorted(new_bases - old_bases):
        yield Difference(
            kind=_ADDED,
            subject="basis",
            pointer=pointer("flows", i, "bases"),
            detail=f"{where} gains legal basis {basis!r}",
        )
    for basis in sorted(old_bases - new_bases):
        yield Difference(
            kind=_REMOVED,
            subject="basis",
            pointer=pointer("flows", i, "bases"),
            detail=f"{where} loses legal basis {basis!r}",
            widens=True,
        )
    for exemption in sorted(set(b.exemptions) - set(a.exemptions)):
        yield Difference(
            kind=_ADDED,
            subject="exemption",
            pointer=pointer("flows", i, "exemptions"),
            detail=f"{where} now relies on exemption {exemption!r}",
            widens=True,
        )
    for measure in sorted(set(a.security) - set(b.security)):
        yield Difference(
            kind=_REMOVED,
            subject="control",
            pointer=pointer("flows", i, "security"),
            detail=f"{where} drops security measure {measure!r}",
            widens=True,
        )
    for measure in sorted(set(b.security) - set(a.security)):
        yield Difference(
            kind=_ADDED,
            subject="control",
            pointer=pointer("flows", i, "security"),
            detail=f"{where} adds security measure {measure!r}",
        )
    for name in ("frequency", "method"):
        if getattr(a, name) != getattr(b, name):
            yield Difference(
                kind=_CHANGED,
                subject="flow",
                pointer=pointer("flows", i, name),
                detail=f"{where} {name} {str(getattr(a, name))!r} → {str(getattr(b, name))!r}",
            )
    if a.data_matching != b.data_matching:
        yield Difference(
            kind=_CHANGED,
            subject="flow",
            pointer=pointer("flows", i, "data_matching"),
            detail=f"{where} data matching {'on' if b.data_matching else 'off'}",
            widens=b.data_matching,
        )


def _retention(old: Any, new: Any, where: str, what: str) -> Iterator[Difference]:
    if old is None and new is None:
        return
    if new is None:
        yield Difference(
            kind=_REMOVED,
            subject="control",
            pointer=where,
            detail=f"{what} retention removed",
            widens=True,
        )
    elif old is None:
        yield Difference(
            kind=_ADDED,
            subject="control",
            pointer=where,
            detail=f"{what} retention of {new.describe()} added",
        )
    elif (old.describe(), old.deletion) != (new.describe(), new.deletion):
        yield Difference(
            kind=_CHANGED,
            subject="control",
            pointer=where,
            detail=f"{what} retention {old.describe()} ({old.deletion}) → {new.describe()} ({new.deletion})",
            widens=_longer(old, new),
        )


def _longer(old: Any, new: Any) -> bool:
    """Whether *new* may keep data longer than *old*: when it cannot be shown that it does not."""
    if new.view_only:
        return False  # no copy is kept at all
    if old.months is not None and new.months is not None and old.after == new.after:
        return bool(new.months > old.months)
    return (old.until, old.after) != (new.until, new.after) or old.view_only


def _agreement_controls(a: Agreement, b: Agreement) -> Iterator[Difference]:
    yield from _retention(a.retention, b.retention, pointer("retention"), "the agreement's")
    for measure in sorted(set(a.security) - set(b.security)):
        yield Difference(
            kind=_REMOVED,
            subject="control",
            pointer=pointer("security"),
            detail=f"security measure {measure!r} dropped",
            widens=True,
        )
    for measure in sorted(set(b.security) - set(a.security)):
        yield Difference(
            kind=_ADDED,
            subject="control",
            pointer=pointer("security"),
            detail=f"security measure {measure!r} added",
        )
    for name in ("dpia", "rights", "transparency", "breach", "termination"):
        old, new = getattr(a, name), getattr(b, name)
        if old is not None and new is None:
            yield Difference(
                kind=_REMOVED,
                subject="control",
                pointer=pointer(name),
                detail=f"{name} removed",
                widens=True,
            )
        elif old is None and new is not None:
            yield Difference(
                kind=_ADDED, subject="control", pointer=pointer(name), detail=f"{name} added"
            )
        elif old != new:
            weaker = name == "breach" and (
                new.within.longest_hours > old.within.longest_hours
                or bool(set(old.notify) - set(new.notify))
            )
            yield Difference(
                kind=_CHANGED,
                subject="control",
                pointer=pointer(name),
                detail=f"{name} changed",
                widens=weaker,
            )
    if a.large_scale != b.large_scale:
        yield Difference(
            kind=_CHANGED,
            subject="scale",
            pointer=pointer("large_scale"),
            detail=f"large scale {'yes' if b.large_scale else 'no'}",
            widens=b.large_scale,
        )
    for name in ("start", "end", "review"):
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            later = old is not None and (new is None or new > old)
            yield Difference(
                kind=_CHANGED,
                subject="date",
                pointer=pointer(name),
                detail=f"{name} {_day(old)} → {_day(new)}",
                widens=later and name != "start",
            )
    if a.charter != b.charter:
        yield Difference(
            kind=_CHANGED,
            subject="charter",
            pointer=pointer("charter"),
            detail=f"charter {a.charter.id} version {a.charter.version} → {b.charter.id} version {b.charter.version}",
        )
    yield from _entries(a.legal_bases, b.legal_bases)


def _categories(item: Any) -> str:
    return ", ".join(c.value for c in item.categories)


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "none"


def _entries(old: Iterable[Any], new: Iterable[Any]) -> Iterator[Difference]:
    olds, news = {e.id: i for i, e in enumerate(old)}, {e.id: i for i, e in enumerate(new)}
    for key in sorted(news.keys() - olds.keys()):
        yield Difference(
            kind=_ADDED,
            subject="legal-basis-entry",
            pointer=pointer("legal_bases", news[key]),
            detail=f"legal basis entry {key!r} added",
            widens=True,
        )
    for key in sorted(olds.keys() - news.keys()):
        yield Difference(
            kind=_REMOVED,
            subject="legal-basis-entry",
            pointer=pointer("legal_bases", olds[key]),
            detail=f"legal basis entry {key!r} removed",
        )


def _charter(a: Charter, b: Charter) -> Iterator[Difference]:
    yield from _set_changes(
        "member",
        _keyed(a.members),
        _keyed(b.members),
        "members",
        added_widens=True,
        removed_widens=True,
        describe=lambda m: f"{m.id!r} ({m.sector.value})",
    )
    old_members = _keyed(a.members)
    for mid, (i, new) in _keyed(b.members).items():
        old = old_members.get(mid)
        if old is not None and old[1] != new:
            yield Difference(
                kind=_CHANGED,
                subject="member",
                pointer=pointer("members", i),
                detail=f"member {mid!r} changed",
                widens=True,
            )
    yield from _set_changes(
        "purpose",
        _keyed(a.purposes),
        _keyed(b.purposes),
        "purposes",
        added_widens=True,
        removed_widens=False,
    )
    yield from _set_changes(
        "principle",
        _keyed(a.principles),
        _keyed(b.principles),
        "principles",
        added_widens=False,
        removed_widens=True,
    )
    for control in sorted(set(a.controls) - set(b.controls), key=lambda c: c.value):
        yield Difference(
            kind=_REMOVED,
            subject="control",
            pointer=pointer("controls"),
            detail=f"required control {control.value!r} dropped",
            widens=True,
        )
    for control in sorted(set(b.controls) - set(a.controls), key=lambda c: c.value):
        yield Difference(
            kind=_ADDED,
            subject="control",
            pointer=pointer("controls"),
            detail=f"required control {control.value!r} added",
        )
    if a.endorsement != b.endorsement:
        weaker = (
            b.endorsement.rule == "threshold"
            and (
                a.endorsement.rule == "all-members"
                or (b.endorsement.threshold or 0) < (a.endorsement.threshold or 0)
            )
        ) or bool(set(b.endorsement.roles) - set(a.endorsement.roles))
        yield Difference(
            kind=_CHANGED,
            subject="endorsement",
            pointer=pointer("endorsement"),
            detail=f"endorsement rule {_rule(a)} → {_rule(b)}",
            widens=weaker,
        )
    if a.review_interval_months != b.review_interval_months:
        yield Difference(
            kind=_CHANGED,
            subject="control",
            pointer=pointer("review_interval_months"),
            detail=f"review interval {a.review_interval_months} → {b.review_interval_months} months",
            widens=b.review_interval_months > a.review_interval_months,
        )
    if a.notice_days != b.notice_days:
        yield Difference(
            kind=_CHANGED,
            subject="control",
            pointer=pointer("notice_days"),
            detail=f"notice period {a.notice_days or 90} → {b.notice_days or 90} days",
            widens=(b.notice_days or 90) < (a.notice_days or 90),
        )
    if a.published_fields != b.published_fields:
        fewer = (
            set(a.published_fields or ()) - set(b.published_fields or ())
            if b.published_fields is not None
            else set()
        )
        yield Difference(
            kind=_CHANGED,
            subject="transparency",
            pointer=pointer("published_fields"),
            detail="published fields changed",
            widens=bool(fewer) or (a.published_fields is None and b.published_fields is not None),
        )
    for name in ("effective", "review"):
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            yield Difference(
                kind=_CHANGED,
                subject="date",
                pointer=pointer(name),
                detail=f"{name} {_day(old)} → {_day(new)}",
            )
    yield from _entries(a.legal_bases, b.legal_bases)


def _rule(c: Charter) -> str:
    e = c.endorsement
    count = f" {e.threshold}" if e.threshold is not None else ""
    return f"{e.rule}{count} by {', '.join(e.roles)}"
