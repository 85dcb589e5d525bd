"""``woda-sharing register``: import into, query and export the register.

Exit codes: 0 success; 1 a negative answer (import refused, something
overdue in ``due``); 2 usage errors, unreadable input or an unusable database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any, Final

from woda_sharing.cli import (
    EXIT_NEGATIVE,
    EXIT_OK,
    date_argument,
    json_text,
    positive_argument,
    printable,
    time_argument,
)

if TYPE_CHECKING:
    from woda_sharing.cli._register_output import RegisterOutput
    from woda_sharing.register import Query

# The register (SQLAlchemy) and the library load when a subcommand runs, not to build the
# parser: ``woda-sharing --help`` starts quickly (issue 16). The choices below are the
# register's own (`KINDS`, `State`); a test keeps them equal.
KIND_CHOICES: Final = ("charter", "agreement", "keyring")
STATE_CHOICES: Final = ("endorsed", "pending", "n/a")

__all__ = ["register"]


def _db_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH|URL",
        help="the register: a SQLite file or a postgresql:// URL "
        "(default: $WODA_REGISTER, else woda-register.sqlite here)",
    )
    parent.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    return parent


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days")
    return int(text)


def register(commands: argparse._SubParsersAction[Any]) -> None:  # noqa: PLR0915 - one block per subcommand
    """Add ``register`` and its subcommands to *commands*."""
    top = commands.add_parser(
        "register",
        help="the register: import, list, show, history, due, export, diff",
        description="Keep every charter, agreement and keyring of a partnership, with every "
        "version, in one queryable store (SQLite by default, or PostgreSQL). Needs the "
        "'register' extra: pip install 'woda-sharing[register]'.",
    )
    sub = top.add_subparsers(dest="register_command", required=True, parser_class=type(top))
    parent = _db_parent()

    p = sub.add_parser(
        "import",
        parents=[parent],
        help="validate, verify and import documents",
        description="Import documents as one unit: each is validated, verified against the "
        "keyring (--keyring, else a keyring among the files, else the register's) and checked "
        "against its chain. A rollback, fork, gap, invalid document or endorsement that does not "
        "verify refuses the whole import (exit 1) and nothing is written.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE")
    p.add_argument("--keyring", metavar="FILE", help="verify against this keyring")
    p.add_argument(
        "--at", type=time_argument, metavar="TIME", help="verify as of this UTC time (default: now)"
    )
    p.add_argument(
        "--require-endorsed",
        action="store_true",
        help="refuse documents whose endorsement rule is not met yet (default: store them as pending)",
    )
    p.set_defaults(handler=_import)

    for name in ("list", "query"):
        p = sub.add_parser(
            name,
            parents=[parent],
            help="list the documents that match every filter given",
            description="List current versions (or every version with --all-versions) that match "
            "every filter. --from/--to/--item/--purpose/--basis/--from-sector/--to-sector must hold "
            "of one flow: 'register list --from county-council --to-sector police' is what the "
            "county shares with the police.",
        )
        p.add_argument("--kind", choices=KIND_CHOICES, default="agreement")
        p.add_argument("--id", metavar="ID")
        p.add_argument("--organisation", metavar="ORG", help="any party is this organisation")
        p.add_argument("--sector", metavar="SECTOR", help="any party is of this charter sector")
        p.add_argument("--from", dest="source", metavar="ORG", help="a flow's sender")
        p.add_argument("--to", dest="recipient", metavar="ORG", help="the same flow's recipient")
        p.add_argument("--from-sector", dest="source_sector", metavar="SECTOR")
        p.add_argument("--to-sector", dest="recipient_sector", metavar="SECTOR")
        p.add_argument("--item", metavar="ITEM", help="the same flow carries this item")
        p.add_argument("--category", metavar="CATEGORY", help="an item of this data category")
        p.add_argument("--purpose", metavar="PURPOSE", help="the same flow is for this purpose")
        p.add_argument("--basis", metavar="BASIS", help="the same flow cites this legal basis")
        p.add_argument("--charter", metavar="ID", help="agreements under this charter")
        p.add_argument("--state", choices=STATE_CHOICES, help="endorsement state")
        p.add_argument("--review-before", type=date_argument, metavar="YYYY-MM-DD")
        p.add_argument("--review-after", type=date_argument, metavar="YYYY-MM-DD")
        p.add_argument("--all-versions", action="store_true", help="every stored version")
        p.add_argument("--limit", type=positive_argument, metavar="N")
        p.set_defaults(handler=_list)

    p = sub.add_parser(
        "show",
        parents=[parent],
        help="show one stored version",
        description="Show one version (default: the current one); with --format json, the "
        "document exactly as imported.",
    )
    p.add_argument("kind", choices=KIND_CHOICES)
    p.add_argument("id")
    p.add_argument("--version", type=positive_argument, metavar="N")
    p.set_defaults(handler=_show)

    p = sub.add_parser(
        "history",
        parents=[parent],
        help="list every version of a document, with what each amendment changed",
    )
    p.add_argument("kind", choices=("charter", "agreement", "keyring"))
    p.add_argument("id")
    p.set_defaults(handler=_history)

    p = sub.add_parser(
        "due",
        parents=[parent],
        help="list reviews and ends within the notice period, and pending endorsements",
        description="List current documents whose review or end date falls within the notice "
        "period (the charter's notice_days, default 90, or --within DAYS) or has passed, and "
        "those still waiting for endorsements. Exit 1 when a date has passed, else 0.",
    )
    p.add_argument("--today", type=date_argument, metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--within", type=_days, metavar="DAYS", help="notice period for every document")
    p.set_defaults(handler=_due)

    p = sub.add_parser(
        "export",
        parents=[_db_parent_only()],
        help="the transparency export (CSV or JSON)",
        description="Publish each current agreement's published fields (chosen by its charter's "
        "published_fields): parties, purposes, legal bases, items by category, dates, review "
        "date, digest.",
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
    p.add_argument("--charter", metavar="ID", help="only agreements under this charter")
    p.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of stdout"
    )
    p.set_defaults(handler=_export)

    p = sub.add_parser(
        "diff",
        parents=[parent],
        help="what an amendment in the register changed",
    )
    p.add_argument("kind", choices=("charter", "agreement"))
    p.add_argument("id")
    p.add_argument("old", type=positive_argument, metavar="OLD")
    p.add_argument(
        "new", type=positive_argument, metavar="NEW", nargs="?", help="default: the current version"
    )
    p.set_defaults(handler=_diff)


def _db_parent_only() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db", metavar="PATH|URL", help="the register (see 'register import --help')"
    )
    return parent


def _out(args: argparse.Namespace) -> RegisterOutput:
    from woda_sharing.cli._register_output import REGISTER_FORMATS  # noqa: PLC0415 - lean start-up (issue 16)

    return REGISTER_FORMATS[args.format](sys.stdout)


def _import(args: argparse.Namespace) -> int:
    from woda_sharing._loading import load_path  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing.exceptions import ImportRefusedError  # noqa: PLC0415
    from woda_sharing.register import Refusal, open_register  # noqa: PLC0415

    keyring = load_path(args.keyring) if args.keyring else None
    with open_register(args.db) as reg:
        try:
            done = reg.import_paths(
                args.paths, keyring=keyring, at=args.at, require_endorsed=args.require_endorsed
            )
        except ImportRefusedError as e:
            _out(args).refused([r for r in e.refusals if isinstance(r, Refusal)])
            return EXIT_NEGATIVE
    _out(args).imported(done)
    return EXIT_OK


def _query(args: argparse.Namespace) -> Query:
    from woda_sharing.register import Query, State  # noqa: PLC0415 - lean start-up (issue 16)

    return Query(
        kind=args.kind,
        id=args.id,
        organisation=args.organisation,
        sector=args.sector,
        source=args.source,
        recipient=args.recipient,
        source_sector=args.source_sector,
        recipient_sector=args.recipient_sector,
        item=args.item,
        category=args.category,
        purpose=args.purpose,
        basis=args.basis,
        charter=args.charter,
        state=State(args.state) if args.state else None,
        review_before=args.review_before,
        review_after=args.review_after,
        current=not args.all_versions,
        limit=args.limit,
    )


def _list(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_register  # noqa: PLC0415 - lean start-up (issue 16)

    query = _query(args)
    with open_register(args.db) as reg:
        _out(args).entries(reg.query(query))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_register  # noqa: PLC0415 - lean start-up (issue 16)

    with open_register(args.db) as reg:
        entry = reg.entry(args.kind, args.id, args.version)
        body = reg.body(args.kind, args.id, args.version)
    _out(args).show(entry, body)
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_register  # noqa: PLC0415 - lean start-up (issue 16)

    with open_register(args.db) as reg:
        entries = reg.history(args.kind, args.id)
        changes = reg.changes(args.kind, args.id)
    _out(args).history(entries, changes)
    return EXIT_OK


def _due(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_register  # noqa: PLC0415 - lean start-up (issue 16)

    today: dt.date = args.today or dt.date.today()  # a calendar date in the user's own zone
    with open_register(args.db) as reg:
        due = reg.due(today, within=args.within)
    _out(args).due(due)
    return EXIT_NEGATIVE if any(d.overdue for d in due) else EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing.register import Query, export_csv, export_json, open_register  # noqa: PLC0415

    with open_register(args.db) as reg:
        records = reg.transparency(Query(charter=args.charter))
    text = export_json(records) if args.format == "json" else export_csv(records)
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
        print(f"{len(records)} agreement(s) written to {printable(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(json_text(text) if args.format == "json" else text)
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_register  # noqa: PLC0415 - lean start-up (issue 16)

    with open_register(args.db) as reg:
        result = reg.diff(args.kind, args.id, args.old, args.new)
    _out(args).diff(result)
    return EXIT_OK
