"""``woda-sharing check``: decide whether one organisation may share items with another."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK, date_argument
from woda_sharing.cli._output import DECISION_FORMATS
from woda_sharing.exceptions import UsageError

__all__ = ["register"]

#: The person's recorded states (`woda_sharing.CONSENT_STATES`), spelt out so that
#: building the parser imports nothing of the library (a test holds the two equal).
CONSENT_CHOICES = ("consented", "national-opt-out", "opted-out", "refused", "withdrawn")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``check`` to *commands*."""
    p = commands.add_parser(
        "check",
        help="decide whether a sharing is permitted",
        description="Compile the charter and agreements into a policy and decide one request: "
        "exit 0 when permitted, 1 when refused (every reason is printed), 2 on usage errors "
        "or unreadable input. Identifiers are matched exactly.",
    )
    p.add_argument("--charter", required=True, metavar="FILE", help="the charter")
    p.add_argument(
        "--agreement",
        required=True,
        nargs="+",
        action="extend",
        metavar="FILE",
        help="agreements under the charter (repeatable)",
    )
    p.add_argument("--from", dest="sender", required=True, type=_party, metavar="ORG[:CAPACITY]")
    p.add_argument("--to", dest="recipient", required=True, type=_party, metavar="ORG[:CAPACITY]")
    p.add_argument(
        "--item", dest="items", required=True, nargs="+", action="extend", metavar="ITEM"
    )
    p.add_argument("--purpose", required=True, metavar="PURPOSE")
    p.add_argument(
        "--on",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="the date of the sharing (default: today)",
    )
    p.add_argument(
        "--use",
        dest="uses",
        nargs="+",
        action="extend",
        default=[],
        metavar="USE",
        help="what the recipient intends to do with the data (research, aggregate, ...;"
        " repeatable): refused if a condition of use prohibits it",
    )
    p.add_argument(
        "--received-under",
        metavar="AGREEMENT[#FLOW]",
        help="for onward disclosure: the agreement (or flow) the sender received the data"
        " under; it must permit passing the data on",
    )
    p.add_argument(
        "--consent",
        choices=CONSENT_CHOICES,
        help="the person's recorded consent or objection",
    )
    p.add_argument(
        "--condition",
        dest="conditions",
        nargs="+",
        action="extend",
        default=[],
        metavar="CONDITION",
        help="a named condition the sharing meets: a trigger (s47-enquiry, marac-threshold)"
        " or an override (safeguarding, court-order); repeatable",
    )
    p.add_argument(
        "--keyring",
        metavar="FILE",
        help="require every agreement used to be fully endorsed, verified against this keyring "
        "(at 00:00 UTC on --on, or now)",
    )
    p.add_argument(
        "--format",
        choices=tuple(DECISION_FORMATS),
        default="text",
        help="output format (default: text)",
    )
    p.set_defaults(handler=run)


def _party(text: str) -> tuple[str, str | None]:
    from woda_sharing._decisions import parse_party  # noqa: PLC0415 - lean start-up (issue 16)

    try:
        return parse_party(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def run(args: argparse.Namespace) -> int:
    """Decide the request on the command line, print the decision and return the exit code."""
    from woda_sharing._decisions import Policy, Request  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._loading import load_path  # noqa: PLC0415
    from woda_sharing._updates import endorsed_by_keyring  # noqa: PLC0415

    charter = load_path(args.charter)
    agreements = [load_path(path) for path in args.agreement]
    on: dt.date = args.on or dt.date.today()  # a calendar date in the user's own zone
    endorsed = None
    if args.keyring:
        keyring = load_path(args.keyring)
        at = (
            dt.datetime.combine(args.on, dt.time(), tzinfo=dt.UTC)
            if args.on
            else dt.datetime.now(dt.UTC)
        )
        endorsed = endorsed_by_keyring(charter, agreements, keyring, at=at)
    policy = Policy.compile(charter, agreements, endorsed=endorsed)
    request = Request(
        sender=args.sender[0],
        sender_capacity=args.sender[1],
        recipient=args.recipient[0],
        recipient_capacity=args.recipient[1],
        items=tuple(args.items),
        purpose=args.purpose,
        on=on,
        uses=tuple(args.uses),
        received_under=args.received_under,
        consent=args.consent,
        conditions=tuple(args.conditions),
    )
    decision = policy.decide(request)
    DECISION_FORMATS[args.format](sys.stdout).decision(request, decision)
    return EXIT_OK if decision else EXIT_NEGATIVE
