"""Decision records: what was asked, by whom, for whom, what was decided, why, under which documents.

A `DecisionRecord` is a frozen value made by `record` from a `Decision` and
its `Request`, the calling system (*asked_by*) and the party it asked for
(*on_behalf_of*). It carries the outcome, every reason, the permitting flows
and legal bases, the duties the decision returned, and the digest of the
charter and of each agreement the policy was compiled from
(`Policy.documents`). Its wire form (`DecisionRecord.as_dict`, reference:
``docs/reference/receipt-format.md``) is a JSON object; its canonical bytes
are the RFC 8785 form of that object through `woda_sharing._canonical`, and
its digest is SHA-256 over those bytes. Receipts sign those bytes and the
decision log hash-links them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

from woda_sharing import _canonical as canonical
from woda_sharing._canonical import MAX_SAFE_INTEGER
from woda_sharing._decisions import Decision, DocumentRef, FlowRef, Policy, Reason, Request
from woda_sharing.exceptions import CanonicalizationError, RecordError, UsageError

__all__ = [
    "RECORD_FORMAT",
    "RECORD_KIND",
    "DecisionRecord",
    "format_record_time",
    "parse_record_time",
    "record",
]

#: The ``kind`` member of every record's wire form.
RECORD_KIND: Final = "decision-record"
#: The ``format`` member: grows by optional members only.
RECORD_FORMAT: Final = 1
#: The C encoder of the plain case (see `DecisionRecord.canonical_bytes`).
_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
    sort_keys=True,
    separators=(",", ":"),
)
#: Types of request values the plain case writes (dates as text, tuples of item ids as arrays).
_PLAIN: Final = frozenset({str, tuple, dt.date, type(None)})
#: Longest identifier of a calling system or a party, in characters.
NAME_MAX: Final = 200

_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_MEMBERS: Final = frozenset(
    {
        "kind",
        "format",
        "id",
        "time",
        "asked_by",
        "on_behalf_of",
        "request",
        "permitted",
        "reasons",
        "refused_items",
        "agreements",
        "flows",
        "bases",
        "duties",
        "documents",
    }
)


def format_record_time(when: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC: sorts as text in time order."""
    utc = when if when.tzinfo is dt.UTC else when.astimezone(dt.UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_record_time(text: object) -> dt.datetime:
    """Read `format_record_time`'s form back, raising `RecordError` for anything else."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise RecordError(f"a record time is YYYY-MM-DDTHH:MM:SS.ffffffZ, not {text!r}")
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError as e:
        raise RecordError(f"{text!r} is not a real time: {e}") from e


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= NAME_MAX or not value.isprintable():
        raise UsageError(f"{what} is 1 to {NAME_MAX} printable characters, not {value!r}")
    return value


@frozen(kw_only=True)
class DecisionRecord:
    """One decision as it is kept: who asked, for whom, what, when, the answer and why.

    Make it with `record`. *time* is timezone-aware UTC (microseconds kept);
    *bases* are the ids of the legal bases the permitting flows cite; *duties*
    the JSON form of each duty the decision returned; *documents* the charter
    and the agreements in force, each with its digest. Equal records have equal
    canonical bytes (`canonical_bytes`) and digest (`digest`).
    """

    id: str
    time: dt.datetime
    asked_by: str
    on_behalf_of: str
    request: Request
    permitted: bool
    reasons: tuple[Reason, ...] = ()
    refused_items: tuple[str, ...] = ()
    agreements: tuple[str, ...] = ()
    flows: tuple[FlowRef, ...] = ()
    bases: tuple[str, ...] = ()
    duties: tuple[Mapping[str, Any], ...] = ()
    documents: tuple[DocumentRef, ...] = ()
    _bytes: list[bytes] = field(init=False, factory=list, eq=False, repr=False)

    def __bool__(self) -> bool:
        return self.permitted

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """The wire form (``docs/reference/receipt-format.md``): a JSON object."""
        return {
            "kind": RECORD_KIND,
            "format": RECORD_FORMAT,
            "id": self.id,
            "time": format_record_time(self.time),
            "asked_by": self.asked_by,
            "on_behalf_of": self.on_behalf_of,
            "request": _request_dict(self.request),
            "permitted": self.permitted,
            "reasons": [r.as_dict() for r in self.reasons],
            "refused_items": list(self.refused_items),
            "agreements": list(self.agreements),
            "flows": [{"agreement": f.agreement, "flow": f.flow} for f in self.flows],
            "bases": list(self.bases),
            "duties": [dict(d) for d in self.duties],
            "documents": [d.as_dict() for d in self.documents],
        }

    def canonical_bytes(self) -> bytes:
        """The RFC 8785 bytes of `as_dict` (computed once): what receipts sign and the log links."""
        if not self._bytes:
            self._bytes.append(self._canonical())
        return self._bytes[0]

    def _canonical(self) -> bytes:
        data = self.as_dict()
        # Every member name is ours and ASCII, and every value a string, a small integer, a
        # boolean, null or an array or object of those: the C encoder writes RFC 8785 exactly
        # (see woda_sharing._canonical). Duties and unusual request values take the checked path.
        plain = (
            not self.duties
            and all(-MAX_SAFE_INTEGER <= d.version <= MAX_SAFE_INTEGER for d in self.documents)
            and all(type(v) in _PLAIN for v in self.request)
        )
        try:
            if plain:
                try:
                    return _ENCODER.encode(data).encode("utf-8")
                except UnicodeEncodeError:
                    pass  # a lone surrogate: the checked path says where
            return canonical.signed_bytes(data)
        except CanonicalizationError as e:
            raise RecordError(f"record {self.id} has no canonical form: {e}") from e

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` over `canonical_bytes`."""
        return canonical.digest_of(self.canonical_bytes())

    @classmethod
    def from_dict(cls, data: object) -> DecisionRecord:
        """Read a record's wire form back, raising `RecordError` when it is not one."""
        return _from_dict(data)


class _Ids:
    """Record ids: 80 random bits per process (drawn again in a forked child), then a counter.

    As unique as a random UUID across processes and hosts, without a system call
    per record (`uuid.uuid4` reads the operating system's randomness each time).
    """

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = uuid.uuid4().hex[:20]
        self.counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self.prefix}-{next(self.counter):012x}"


_new_id: Final = _Ids()
if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX and Windows alike have it now
    os.register_at_fork(after_in_child=_new_id.reseed)


def record(
    decision: Decision,
    request: Request,
    *,
    asked_by: str,
    on_behalf_of: str,
    policy: Policy | None = None,
    at: dt.datetime | None = None,
    record_id: str | None = None,
) -> DecisionRecord:
    """Make the record of *decision*, the answer to *request*, asked by *asked_by* for *on_behalf_of*.

    *policy* is the policy that decided: its `Policy.documents` (charter and
    agreements with their digests) go in the record; without it the record
    names no documents. *at* is the time of the decision (default: now; it
    must be timezone-aware), *record_id* its id (default: 20 hex digits
    random per process, a hyphen and 12 counted: unique across processes).
    Raises `UsageError` for arguments of the wrong type.
    """
    if not isinstance(decision, Decision):
        raise UsageError(f"a decision is a Decision, not {type(decision).__name__}")
    if not isinstance(request, Request):
        raise UsageError(f"a request is a Request, not {type(request).__name__}")
    when: object = dt.datetime.now(dt.UTC) if at is None else at
    if not isinstance(when, dt.datetime) or when.utcoffset() is None:
        raise UsageError("at must be a timezone-aware datetime")
    return DecisionRecord(
        id=_new_id() if record_id is None else _name(record_id, "record_id"),
        time=when.astimezone(dt.UTC),
        asked_by=_name(asked_by, "asked_by"),
        on_behalf_of=_name(on_behalf_of, "on_behalf_of"),
        request=request,
        permitted=decision.permitted,
        reasons=decision.reasons,
        refused_items=decision.refused_items,
        agreements=decision.agreements,
        flows=decision.flows,
        bases=tuple(b.id for b in decision.bases),
        duties=_duties(decision),
        documents=() if policy is None else policy.documents,
    )


def _duties(decision: Decision) -> tuple[Mapping[str, Any], ...]:
    """The JSON form of each duty (`Decision.obligations`) *decision* returned with a permit."""
    return tuple(o.as_dict() for o in decision.obligations)


# --- wire form ---------------------------------------------------------------------------------


def _request_dict(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(request._fields, request, strict=True))
    for name, value in out.items():
        if isinstance(value, dt.date):
            out[name] = value.isoformat()
        elif isinstance(value, tuple):
            out[name] = list(value)
    return out


def _fail(message: str) -> RecordError:
    return RecordError(f"not a decision record: {message}")


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{what} is an array of strings")
    return tuple(value)


def _objects(value: object, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise _fail(f"{what} is an array of objects")
    return value


def _text(data: Mapping[str, Any], name: str, what: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise _fail(f"{what}{name} is a string")
    return value


def _request(data: object) -> Request:
    if not isinstance(data, Mapping):
        raise _fail("request is an object")
    unknown = sorted(set(data) - set(Request._fields))
    if unknown:
        raise _fail(f"request has members this format does not define: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name in Request._fields:
        if name not in data:
            continue
        value = data[name]
        if name == "on":
            try:
                value = dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None:
                raise _fail("request/on is a date YYYY-MM-DD")
        elif isinstance(value, list):
            value = _strings(value, f"request/{name}")
        values[name] = value
    try:
        request = Request(**values)
    except TypeError as e:
        raise _fail(f"request lacks a member: {e}") from e
    for name in ("sender", "recipient", "purpose"):
        if not isinstance(getattr(request, name), str):
            raise _fail(f"request/{name} is a string")
    return request


def _from_dict(data: object) -> DecisionRecord:
    if not isinstance(data, Mapping):
        raise _fail("a record is a JSON object")
    if data.get("kind") != RECORD_KIND:
        raise _fail(f"kind is {data.get('kind')!r}, not {RECORD_KIND!r}")
    if data.get("format") != RECORD_FORMAT or type(data.get("format")) is not int:
        raise _fail(f"format is {data.get('format')!r}, not {RECORD_FORMAT}")
    missing = sorted(_MEMBERS - set(data))
    if missing:
        raise _fail(f"it lacks {', '.join(missing)}")
    unknown = sorted(set(data) - _MEMBERS)
    if unknown:
        raise _fail(f"it has members this format does not define: {', '.join(unknown)}")
    if not isinstance(data["permitted"], bool):
        raise _fail("permitted is true or false")
    reasons = [
        Reason(
            code=_text(r, "code", "reasons/"),
            message=_text(r, "message", "reasons/"),
            items=_strings(r.get("items", []), "reasons/items"),
            agreements=_strings(r.get("agreements", []), "reasons/agreements"),
        )
        for r in _objects(data["reasons"], "reasons")
    ]
    flows = tuple(
        FlowRef(agreement=_text(f, "agreement", "flows/"), flow=_text(f, "flow", "flows/"))
        for f in _objects(data["flows"], "flows")
    )
    documents = []
    for d in _objects(data["documents"], "documents"):
        version, digest = d.get("version"), d.get("digest")
        if type(version) is not int:
            raise _fail("documents/version is an integer")
        if digest is not None and not isinstance(digest, str):
            raise _fail("documents/digest is a string or null")
        documents.append(
            DocumentRef(
                kind=_text(d, "kind", "documents/"),
                id=_text(d, "id", "documents/"),
                version=version,
                digest=digest,
            )
        )
    for name in ("id", "asked_by", "on_behalf_of"):
        _text(data, name, "")
    return DecisionRecord(
        id=data["id"],
        time=parse_record_time(data["time"]),
        asked_by=data["asked_by"],
        on_behalf_of=data["on_behalf_of"],
        request=_request(data["request"]),
        permitted=data["permitted"],
        reasons=tuple(reasons),
        refused_items=_strings(data["refused_items"], "refused_items"),
        agreements=_strings(data["agreements"], "agreements"),
        flows=flows,
        bases=_strings(data["bases"], "bases"),
        duties=tuple(dict(d) for d in _objects(data["duties"], "duties")),
        documents=tuple(documents),
    )
