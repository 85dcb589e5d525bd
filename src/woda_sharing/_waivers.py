"""Waivers: findings a partnership has accepted, recorded in the document itself.

An IG board may accept a finding (say, a legacy system that cannot encrypt
one feed until it is replaced) with a reason, an approver and an expiry. The
waiver sits in the document's ``waivers``, so endorsers sign it with the rest.
`apply_waivers` moves the findings a current waiver covers out of the count
into `Report.waived`; it never hides them. An expired waiver stops counting
and says so; a waiver that covers nothing says so too; and pipeline, schema
and integrity codes can never be waived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from woda_sharing._findings import Finding, Severity, Waived, pointer
from woda_sharing._model import Waiver

__all__ = [
    "CODE_UNUSED",
    "CODE_WAIVER_EXPIRED",
    "CODE_WAIVER_REFUSED",
    "UNWAIVABLE",
    "WAIVER_CODES",
    "apply_waivers",
    "waivable",
]

CODE_WAIVER_REFUSED: Final = "WS014"
CODE_WAIVER_EXPIRED: Final = "WS015"
CODE_UNUSED: Final = "WS016"

#: The pipeline's own waiver codes, with their titles.
WAIVER_CODES: Final[Mapping[str, str]] = {
    CODE_WAIVER_REFUSED: "A waiver names a code that cannot be waived (pipeline, schema, integrity or unknown)",
    CODE_WAIVER_EXPIRED: "A waiver has expired: the findings it covered count again",
    CODE_UNUSED: "A waiver covers no finding",
}

#: Codes of built-in rules that can never be waived, because no board can accept them:
#: the document's integrity and its conformity to the charter (WS1xx: undeclared or
#: duplicate identifiers, the charter digest the endorsements rest on, a shared
#: record that cannot be judged, an unregistered measure, a signatory of an unknown
#: body); lawfulness (a missing Art 6, 9 or 10 basis or Schedule 1 condition, a
#: controller without its own appropriate policy document, law enforcement
#: processing without its s.35 safeguards, a basis not in force, an exemption used
#: as a basis: UK GDPR Art 5(1)(a) and 6(1) make such sharing unlawful whatever a
#: board decides); a DPIA the law requires (Art 35(1)); roles that make the
#: sharing incoherent (a processor acting as a controller, no controller, a flow
#: to itself or between capacities without a basis); dates that contradict each
#: other (a paper original of a later version); and the charter's own consistency
#: (an endorsement rule that can never be met, an office holder without separation). Warnings and the remaining errors (retention, review, controls, breach
#: terms, minimisation) may be accepted for a time.
UNWAIVABLE: Final = frozenset(
    {
        *("WS101", "WS102", "WS103", "WS104", "WS105", "WS106", "WS107", "WS108", "WS109"),
        *("WS120", "WS130", "WS132", "WS133"),
        *("WS201", "WS202", "WS203", "WS204", "WS205", "WS206", "WS207", "WS209", "WS211"),
        *("WS213", "WS214", "WS220"),
        *("WS305", "WS307", "WS316", "WS317", "WS331"),
        *("WS401", "WS403", "WS404", "WS405"),
        *("WS601", "WS602", "WS606", "WS621", "WS622", "WS623"),
    }
)


def waivable(code: str, known: Iterable[str]) -> bool:
    """Whether a waiver may name *code*: a rule in *known*, never a pipeline (``WS0xx``) or `UNWAIVABLE` code."""
    return code in set(known) and not code.startswith("WS0") and code not in UNWAIVABLE


def _covers(waiver: Waiver, finding: Finding) -> bool:
    return finding.code == waiver.code and waiver.pointer in (None, finding.pointer)


def apply_waivers(
    waivers: Sequence[Waiver],
    findings: Iterable[Finding],
    *,
    today: dt.date,
    known: Iterable[str],
    ran: Iterable[str] | None = None,
) -> tuple[list[Finding], list[Waived]]:
    """Split *findings* into those that count and those a current waiver covers.

    *known* are the codes waivers may name (the rule table's). The findings
    that count include one for each waiver that is refused (``WS014``, an
    error), expired (``WS015``, a warning: its findings count again) or covers
    nothing (``WS016``, a note). A waiver counts up to and including its
    ``expires`` day. *ran* are the codes whose rules ran (all of *known* when
    ``None``): a waiver of a rule that did not run (a rule that needs the
    charter, validated without one) is neither used nor reported unused.
    """
    known = set(known)
    ran = known if ran is None else set(ran)
    counting: list[Finding] = []
    waived: list[Waived] = []
    current: list[tuple[int, Waiver]] = []
    notes: list[Finding] = []
    for i, waiver in enumerate(waivers):
        if not waivable(waiver.code, known):
            notes.append(
                Finding(
                    code=CODE_WAIVER_REFUSED,
                    severity=Severity.ERROR,
                    pointer=pointer("waivers", i, "code"),
                    message=f"{waiver.code} cannot be waived: only the findings of charter rules can, never pipeline, schema or integrity codes",
                    hint="fix the document instead",
                )
            )
        elif waiver.expires < today:
            notes.append(
                Finding(
                    code=CODE_WAIVER_EXPIRED,
                    severity=Severity.WARNING,
                    pointer=pointer("waivers", i, "expires"),
                    message=f"the waiver of {waiver.code} approved by {waiver.approved_by} expired on {waiver.expires.isoformat()}",
                    hint="fix the finding, or have the waiver reviewed and renewed",
                )
            )
        else:
            current.append((i, waiver))
    used: set[int] = set()
    for finding in findings:
        match = next(((i, w) for i, w in current if _covers(w, finding)), None)
        if match is None:
            counting.append(finding)
        else:
            used.add(match[0])
            waived.append(Waived(finding=finding, waiver=match[1], index=match[0]))
    for i, waiver in current:
        if i not in used and waiver.code in ran:
            notes.append(
                Finding(
                    code=CODE_UNUSED,
                    severity=Severity.INFO,
                    pointer=pointer("waivers", i),
                    message=f"the waiver of {waiver.code}{' at ' + waiver.pointer if waiver.pointer else ''} covers no finding",
                    hint="remove the waiver: what it accepted is fixed",
                )
            )
    return counting + notes, waived
