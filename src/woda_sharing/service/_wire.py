"""The service's wire form: JSON requests to `Request` values, decisions to JSON, refusals with reasons.

No web framework here: the ASGI adapter (`woda_sharing.service._app`) hands
bytes in and takes bytes out, so the parsing and its failure modes are
tested as plain functions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final

from woda_sharing._decisions import Decision, Request

__all__ = ["Problem", "decision_json", "parse_batch", "parse_one", "problem_json"]

_FIELDS: Final = frozenset(
    {
        "sender",
        "sender_capacity",
        "recipient",
        "recipient_capacity",
        "items",
        "purpose",
        "on",
        "on_behalf_of",
        "uses",
        "received_under",
        "consent",
        "conditions",
    }
)
#: A person's recorded consent states (`woda_sharing.CONSENT_STATES`).
_STATES: Final = frozenset({"consented", "refused", "withdrawn", "opted-out", "national-opt-out"})
#: The most uses or conditions one request may state.
NAMES_MAX: Final = 50
#: The longest identifier a request may carry, in characters (ids are at most 64; leave room for a clear reason).
_TEXT_MAX: Final = 200
#: The most items one request may name.
ITEMS_MAX: Final = 1000


class Problem(Exception):  # noqa: N818 - a refusal sent as a response, not an error of ours
    """A request the service refuses: an HTTP status, a stable code and a reason for the caller."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


def problem_json(problem: Problem) -> bytes:
    """The JSON body of a refusal (RFC 9457 problem details, with the service's ``code``)."""
    return json.dumps(
        {
            "type": "about:blank",
            "title": problem.code,
            "status": problem.status,
            "detail": problem.reason,
            "code": problem.code,
        }
    ).encode()


def _bad(reason: str) -> Problem:
    return Problem(400, "malformed-request", reason)


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise _bad("the body nests too deeply") from None
    except ValueError as e:
        raise _bad(f"the body is not JSON: {e}") from None


def _text(data: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if type(value) is not str:
        what = "missing" if value is None else f"a {type(value).__name__}, not a string"
        raise _bad(f"{where}{name} is {what}")
    if not 0 < len(value) <= _TEXT_MAX:
        raise _bad(f"{where}{name} is 1 to {_TEXT_MAX} characters")
    return value


def _request(data: object, where: str, today: dt.date) -> tuple[Request, str]:  # noqa: PLR0912 - one check per member
    if not isinstance(data, dict):
        raise _bad(f"{where or 'the body'} is not a JSON object")
    unknown = data.keys() - _FIELDS
    if unknown:
        raise _bad(f"{where}unknown member(s): {', '.join(sorted(map(str, unknown)))}")
    items = data.get("items")
    if type(items) is not list or not items or len(items) > ITEMS_MAX:
        raise _bad(f"{where}items is an array of 1 to {ITEMS_MAX} item ids")
    for item in items:
        if type(item) is not str or not 0 < len(item) <= _TEXT_MAX:
            raise _bad(f"{where}items holds strings of 1 to {_TEXT_MAX} characters")
    on_text = data.get("on")
    if on_text is None:
        on = today
    else:
        if type(on_text) is not str or len(on_text) != 10:
            raise _bad(f"{where}on is a date like 2026-12-01")
        try:
            on = dt.date.fromisoformat(on_text)
        except ValueError:
            raise _bad(f"{where}on is a date like 2026-12-01, not {on_text!r}") from None
    sender = _text(data, "sender", where)
    names: dict[str, tuple[str, ...]] = {}
    for name in ("uses", "conditions"):
        value = data.get(name, [])
        if type(value) is not list or len(value) > NAMES_MAX:
            raise _bad(f"{where}{name} is an array of at most {NAMES_MAX} ids")
        if any(type(v) is not str or not 0 < len(v) <= _TEXT_MAX for v in value):
            raise _bad(f"{where}{name} holds strings of 1 to {_TEXT_MAX} characters")
        names[name] = tuple(value)
    consent = data.get("consent")
    if consent is not None and consent not in _STATES:
        raise _bad(f"{where}consent is one of {', '.join(sorted(_STATES))}")
    request = Request(
        sender=sender,  # type: ignore[arg-type]  # required: never None
        recipient=_text(data, "recipient", where),  # type: ignore[arg-type]
        items=tuple(items),
        purpose=_text(data, "purpose", where),  # type: ignore[arg-type]
        on=on,
        sender_capacity=_text(data, "sender_capacity", where, required=False),
        recipient_capacity=_text(data, "recipient_capacity", where, required=False),
        uses=names["uses"],
        received_under=_text(data, "received_under", where, required=False),
        consent=consent,
        conditions=names["conditions"],
    )
    behalf = _text(data, "on_behalf_of", where, required=False) or sender
    return request, behalf  # type: ignore[return-value]  # sender is a string


def parse_one(body: bytes, today: dt.date) -> tuple[Request, str]:
    """Read one decision request: the `Request` and the organisation it is asked on behalf of.

    ``on_behalf_of`` defaults to the sender; ``on`` to *today*. Raises
    `Problem` (400) saying what is wrong.
    """
    return _request(_load(body), "", today)


def parse_batch(body: bytes, today: dt.date, limit: int) -> list[tuple[Request, str]]:
    """Read a batch: ``{"requests": [...]}`` of at most *limit* requests. Raises `Problem` (400)."""
    data = _load(body)
    if not isinstance(data, dict) or set(data) != {"requests"}:
        raise _bad('a batch is {"requests": [...]}')
    requests = data["requests"]
    if type(requests) is not list or not 0 < len(requests) <= limit:
        raise _bad(f"requests is an array of 1 to {limit} requests")
    return [_request(r, f"requests[{i}].", today) for i, r in enumerate(requests)]


_ENCODED: dict[int, tuple[Decision, bytes]] = {}
_ENCODED_MAX: Final = 1 << 16


def decision_json(decision: Decision) -> bytes:
    """The JSON bytes of *decision* (`Decision.as_dict`), encoded once per shared decision object."""
    found = _ENCODED.get(id(decision))
    if found is not None and found[0] is decision:
        return found[1]
    encoded = json.dumps(decision.as_dict(), separators=(",", ":")).encode()
    if len(_ENCODED) >= _ENCODED_MAX:
        _ENCODED.clear()
    _ENCODED[id(decision)] = (decision, encoded)
    return encoded
