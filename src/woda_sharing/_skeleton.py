"""A new agreement to fill in: the skeleton that ``woda-sharing new agreement`` writes.

The skeleton cites its charter exactly (id, version and digest), declares two
parties from the charter's members, one purpose the charter permits, and one
section for each control the charter requires (and the retention and review
every agreement needs), so that nothing the charter asks for is forgotten.
Where only the author knows the answer, it holds a placeholder that
validation refuses with a plain message (``'YYYY-MM-DD' is not a YYYY-MM-DD
date``, ``'TODO' is not an id``), so a skeleton cannot pass validation until
every placeholder is filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from woda_sharing._canonical import digest
from woda_sharing.exceptions import UsageError

__all__ = ["PLACEHOLDER_DATE", "PLACEHOLDER_ID", "agreement_skeleton"]

#: What the skeleton holds where a date belongs: validation refuses it.
PLACEHOLDER_DATE: Final = "YYYY-MM-DD"
#: What the skeleton holds where an id belongs: validation refuses it.
PLACEHOLDER_ID: Final = "TODO"
_TEXT: Final = "TODO: "

#: The section each charter control asks of an agreement, with placeholders.
_CONTROLS: Final[Mapping[str, Any]] = {
    "dpia": {"reference": _TEXT + "your DPIA's reference", "completed": PLACEHOLDER_DATE},
    "security": [PLACEHOLDER_ID],
    "rights": {
        "contact": _TEXT + "who answers rights requests",
        "subject_access": _TEXT + "how subject access requests are answered",
        "objections": _TEXT + "how objections are handled",
        "complaints": _TEXT + "how complaints are handled",
    },
    "transparency": {"privacy_notice": _TEXT + "the privacy notice's address"},
    "breach": {"notify_within_hours": 24, "contact": _TEXT + "who is told of a breach"},
    "termination": {"notice_days": 30, "on_termination": PLACEHOLDER_ID},
}


def agreement_skeleton(charter: Mapping[str, Any]) -> dict[str, Any]:
    """Return a new agreement (wire form) under *charter* (a valid charter's wire form), to fill in.

    Raises `UsageError` when *charter* is not a charter with members and
    purposes (validate it first).
    """
    members = charter.get("members")
    purposes = charter.get("purposes")
    if (
        charter.get("kind") != "charter"
        or not isinstance(members, list)
        or not members
        or not isinstance(purposes, list)
        or not purposes
    ):
        raise UsageError("a skeleton needs a valid charter with members and purposes")
    first, second = members[0], members[1 % len(members)]
    purpose = purposes[0]
    skeleton: dict[str, Any] = {
        "kind": "agreement",
        "format_version": 1,
        "id": PLACEHOLDER_ID,
        "version": 1,
        "title": _TEXT + "what this agreement shares, and why",
        "charter": {
            "id": charter.get("id"),
            "version": charter.get("version"),
            "digest": digest(charter),
        },
        "parties": [
            {"id": "sender", "organisation": first.get("id"), "role": "controller"},
            {"id": "recipient", "organisation": second.get("id"), "role": "controller"},
        ],
        "purposes": [{"id": purpose.get("id"), "needs": [PLACEHOLDER_ID]}],
        "items": [{"id": PLACEHOLDER_ID, "title": _TEXT + "the data item", "category": "personal"}],
        "flows": [
            {
                "id": PLACEHOLDER_ID,
                "from": "sender",
                "to": "recipient",
                "items": [PLACEHOLDER_ID],
                "purposes": [purpose.get("id")],
                "bases": [PLACEHOLDER_ID],
                "frequency": PLACEHOLDER_ID,
                "method": PLACEHOLDER_ID,
            }
        ],
        "retention": {"months": 12, "deletion": PLACEHOLDER_ID},
        "start": PLACEHOLDER_DATE,
        "review": PLACEHOLDER_DATE,
    }
    controls = charter.get("controls")
    for control in controls if isinstance(controls, list) else ():
        if control in _CONTROLS:
            skeleton[control] = _CONTROLS[control]
    return skeleton
