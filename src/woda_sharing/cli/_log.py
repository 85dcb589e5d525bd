"""``woda-sharing receipt`` and ``woda-sharing log``: check receipts; verify, checkpoint, show, prove and replay the decision log.

Exit codes: 0 success (verified, nothing would change); 1 a negative answer
(not verified, some outcome would change); 2 usage errors, unreadable input
or an unusable database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from woda_sharing.cli import (
    EXIT_NEGATIVE,
    EXIT_OK,
    date_argument,
    json_text,
    positive_argument,
    printable,
    time_argument,
)
from woda_sharing.exceptions import KeyMaterialError, UsageError

if TYPE_CHECKING:  # the handlers import what they use: building the parser stays light
    from woda_sharing._receipts import ReceiptResult
    from woda_sharing._replay import ReplayResult
    from woda_sharing.register import LogEntry, LogVerification, ProofResult

__all__ = ["register"]


def _parent(*, db: bool) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    if db:
        parent.add_argument(
            "--db",
            metavar="PATH|URL",
            help="the register holding the log: a SQLite file or a postgresql:// URL "
            "(default: $WODA_REGISTER, else woda-register.sqlite here)",
        )
    parent.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    return parent


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``receipt`` and ``log`` and their subcommands to *commands*."""
    top = commands.add_parser(
        "receipt",
        help="check a signed decision receipt",
        description="Check signed decision receipts offline (docs/reference/receipt-format.md).",
    )
    sub = top.add_subparsers(dest="receipt_command", required=True, parser_class=type(top))
    p = sub.add_parser(
        "verify",
        parents=[_parent(db=False)],
        help="check a receipt against a keyring (and the documents it names)",
        description="Check a receipt's signature against the keyring and, with --document, that "
        "the charter and agreements given are exactly the versions the decision was made under. "
        "Exit 0 when verified, 1 when not.",
    )
    p.add_argument("file", metavar="RECEIPT")
    p.add_argument("--keyring", required=True, metavar="KEYRING")
    p.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="FILE",
        help="a charter or agreement the record names (repeat)",
    )
    p.add_argument(
        "--at", type=time_argument, metavar="TIME", help="verification time (default: now)"
    )
    p.set_defaults(handler=_receipt_verify)

    top = commands.add_parser(
        "log",
        help="the decision log: verify, checkpoint, show, prove, check-proof, replay",
        description="The append-only, hash-linked decision log in the register's database "
        "(docs/reference/log-format.md). Needs the 'register' extra.",
    )
    sub = top.add_subparsers(dest="log_command", required=True, parser_class=type(top))
    with_db = _parent(db=True)

    p = sub.add_parser(
        "verify",
        parents=[with_db],
        help="recompute the chain; check the head and every checkpoint",
        description="Recompute every entry's hash from the first, and check the head and every "
        "checkpoint against the chain (and, with --keyring, their signatures). Names the first "
        "entry deleted, inserted, moved or changed. Exit 0 when intact, 1 when not.",
    )
    p.add_argument("--keyring", metavar="KEYRING", help="check the checkpoints' signatures")
    p.add_argument(
        "--at", type=time_argument, metavar="TIME", help="verification time (default: now)"
    )
    p.set_defaults(handler=_verify)

    p = sub.add_parser(
        "checkpoint",
        parents=[with_db],
        help="sign the log's current size and head, and store the checkpoint",
    )
    p.add_argument("--key", required=True, metavar="PEM", help="the organisation's private key")
    p.add_argument("--org", required=True, help="the signing organisation")
    p.add_argument("--passphrase-env", metavar="VAR", help="the key's passphrase is in $VAR")
    p.add_argument(
        "--output", "-o", metavar="FILE", help="also write the checkpoint to FILE (atomically)"
    )
    p.set_defaults(handler=_checkpoint)

    p = sub.add_parser(
        "show",
        parents=[with_db],
        help="list the log's entries (by time) or one record",
    )
    p.add_argument("--record", metavar="ID", help="show this record in full")
    p.add_argument("--since", type=time_argument, metavar="TIME", help="decided at or after TIME")
    p.add_argument("--until", type=time_argument, metavar="TIME", help="decided before TIME")
    p.add_argument("--limit", type=positive_argument, metavar="N", help="at most N entries")
    p.set_defaults(handler=_show)

    p = sub.add_parser(
        "prove",
        parents=[with_db],
        help="prove that the log held a record at its latest checkpoint, or that it extends an old one",
        description="Write an inclusion proof of RECORD_ID at the latest checkpoint that covers "
        "it or, with --extends, a consistency proof that the latest checkpoint's log extends the "
        "log an older checkpoint (a file a partner kept) signed.",
    )
    p.add_argument("record", metavar="RECORD_ID", nargs="?")
    p.add_argument("--extends", metavar="CHECKPOINT", help="an older checkpoint (JSON file)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the proof to FILE (atomically)")
    p.set_defaults(handler=_prove)

    p = sub.add_parser(
        "check-proof",
        parents=[_parent(db=False)],
        help="check an inclusion or consistency proof against a keyring (offline)",
    )
    p.add_argument("file", metavar="PROOF")
    p.add_argument("--keyring", required=True, metavar="KEYRING")
    p.add_argument(
        "--at", type=time_argument, metavar="TIME", help="verification time (default: now)"
    )
    p.set_defaults(handler=_check_proof)

    p = sub.add_parser(
        "replay",
        parents=[with_db],
        help="what-if: which logged outcomes a proposed amendment would change",
        description="Decide the logged requests of a period again under the register's charter "
        "and agreements with the --proposed documents in place (an amended agreement, a new "
        "agreement, a new charter version) and list every outcome that would change. Exit 0 "
        "when none would, 1 when some would.",
    )
    p.add_argument("--charter", required=True, metavar="ID", help="the charter the log is under")
    p.add_argument(
        "--proposed", action="append", default=[], metavar="FILE", help="a proposed document"
    )
    p.add_argument(
        "--since", type=time_argument, metavar="TIME", help="requests decided at or after TIME"
    )
    p.add_argument(
        "--until", type=time_argument, metavar="TIME", help="requests decided before TIME"
    )
    p.add_argument(
        "--on", type=date_argument, metavar="YYYY-MM-DD", help="ask every request as of this date"
    )
    p.set_defaults(handler=_replay)


# --- handlers ------------------------------------------------------------------------------


def _receipt_verify(args: argparse.Namespace) -> int:
    from woda_sharing._loading import load_path  # noqa: PLC0415 - see the imports above
    from woda_sharing._receipts import verify_receipt  # noqa: PLC0415

    receipt = load_path(args.file)
    keyring = load_path(args.keyring)
    documents = [load_path(path) for path in args.document]
    result = verify_receipt(receipt, keyring, documents=documents, at=args.at)
    _FORMATS[args.format](sys.stdout).receipt(args.file, result)
    return EXIT_OK if result else EXIT_NEGATIVE


def _verify(args: argparse.Namespace) -> int:
    from woda_sharing._loading import load_path  # noqa: PLC0415 - see the imports above
    from woda_sharing.register import open_log  # noqa: PLC0415

    keyring = load_path(args.keyring) if args.keyring else None
    with open_log(args.db) as log:
        result = log.verify(keyring, at=args.at)
    _FORMATS[args.format](sys.stdout).verification(result)
    return EXIT_OK if result else EXIT_NEGATIVE


def _passphrase(var: str | None) -> bytes | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise KeyMaterialError(f"environment variable {var} is not set or empty")
    return value.encode("utf-8")


def _checkpoint(args: argparse.Namespace) -> int:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - see the imports above
    from woda_sharing._keys import read_signer  # noqa: PLC0415
    from woda_sharing.register import open_log  # noqa: PLC0415

    signer = read_signer(args.key, passphrase=_passphrase(args.passphrase_env))
    with open_log(args.db) as log:
        cp = log.checkpoint(signer, organisation=args.org)
    if args.output:
        atomic_write(args.output, _json(cp.as_dict()).encode("utf-8"))
    _FORMATS[args.format](sys.stdout).data(
        cp.as_dict(),
        f"checkpoint of log {cp.log}: {cp.size} entries, head {cp.head}, signed by {cp.organisation}",
    )
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from woda_sharing.register import open_log  # noqa: PLC0415 - see the imports above

    with open_log(args.db) as log:
        if args.record:
            entry = log.get(args.record)
            _FORMATS[args.format](sys.stdout).data(
                {
                    "seq": entry.seq,
                    "entry_hash": entry.entry_hash,
                    "record": entry.record.as_dict(),
                },
                _json(entry.record.as_dict()).rstrip("\n"),
            )
            return EXIT_OK
        entries = []
        for entry in log.entries(since=args.since, until=args.until):
            entries.append(entry)
            if args.limit is not None and len(entries) >= args.limit:
                break
    _FORMATS[args.format](sys.stdout).entries(entries)
    return EXIT_OK


def _prove(args: argparse.Namespace) -> int:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - see the imports above
    from woda_sharing._loading import load_path  # noqa: PLC0415
    from woda_sharing.register import Checkpoint, open_log  # noqa: PLC0415

    if (args.record is None) == (args.extends is None):
        raise UsageError("give RECORD_ID or --extends CHECKPOINT (one of them)")
    with open_log(args.db) as log:
        if args.extends:
            proof: Any = log.consistency(Checkpoint.from_dict(load_path(args.extends)))
            what = f"proof that {proof.new.size} entries extend {proof.old.size}"
        else:
            proof = log.prove(args.record)
            what = f"proof of entry {proof.seq}"
    text = _json(proof.as_dict())
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
        print(printable(f"{what} written to {args.output}"), file=sys.stderr)
    else:
        sys.stdout.write(json_text(text))
    return EXIT_OK


def _check_proof(args: argparse.Namespace) -> int:
    from woda_sharing._loading import load_path  # noqa: PLC0415 - see the imports above
    from woda_sharing.register import (  # noqa: PLC0415
        ConsistencyProof,
        InclusionProof,
        verify_consistency,
        verify_inclusion,
    )

    data = load_path(args.file)
    keyring = load_path(args.keyring)
    if data.get("kind") == "log-consistency-proof":
        result = verify_consistency(ConsistencyProof.from_dict(data), keyring, at=args.at)
    else:
        result = verify_inclusion(InclusionProof.from_dict(data), keyring, at=args.at)
    _FORMATS[args.format](sys.stdout).proof(result)
    return EXIT_OK if result else EXIT_NEGATIVE


def _replay(args: argparse.Namespace) -> int:
    from woda_sharing._loading import load_path  # noqa: PLC0415 - see the imports above
    from woda_sharing.register import open_register, proposed_policy  # noqa: PLC0415

    proposed = [load_path(path) for path in args.proposed]
    with open_register(args.db) as reg:
        policy = proposed_policy(reg, args.charter, proposed)
        result = reg.log.replay(policy, since=args.since, until=args.until, on=args.on)
    _FORMATS[args.format](sys.stdout).replay(result)
    return EXIT_OK if result else EXIT_NEGATIVE


# --- output --------------------------------------------------------------------------------


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


class _Text:
    """Plain text for people; every value from the database or a file is made printable."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _line(self, text: str) -> None:
        self._stream.write(printable(text) + "\n")

    def data(self, _value: object, text: str) -> None:
        for line in text.splitlines():
            self._line(line)

    def receipt(self, source: str, r: ReceiptResult) -> None:
        verdict = "verified" if r else "NOT verified"
        who = f" signed by {r.organisation}" if r.organisation else ""
        record = f" record {r.record.id}" if r.record else ""
        self._line(f"{source}: {verdict}{record}{who} ({r.status.value}: {r.reason})")
        if not r.documents_checked:
            self._line("  documents not checked (give them with --document)")
        for problem in r.problems:
            self._line(f"  problem: {problem}")

    def verification(self, v: LogVerification) -> None:
        verdict = "intact" if v else "NOT intact"
        self._line(f"log {v.log}: {verdict}, {v.size} entries, {v.checkpoints} checkpoint(s)")
        if v.first_bad is not None:
            rec = f" (record {v.record_id})" if v.record_id else ""
            self._line(f"  first bad entry: {v.first_bad}{rec}: {v.problem}")
        for problem in v.problems:
            self._line(f"  problem: {problem}")
        if not v.signatures_checked and v.checkpoints:
            self._line("  checkpoint signatures not checked (give --keyring)")

    def entries(self, entries: Sequence[LogEntry]) -> None:
        for e in entries:
            r = e.record
            outcome = "permitted" if r.permitted else "refused " + ",".join(r.codes)
            q = r.request
            self._line(
                f"{e.seq} {r.as_dict()['time']} {r.asked_by} for {r.on_behalf_of}:"
                f" {q.sender} -> {q.recipient} {','.join(q.items)} for {q.purpose}"
                f" on {q.on.isoformat()}: {outcome} [{r.id}]"
            )

    def proof(self, p: ProofResult) -> None:
        self._line(("proved: " if p else "NOT proved: ") + p.reason)

    def replay(self, r: ReplayResult) -> None:
        self._line(f"{r.replayed} request(s) replayed, {len(r.changed)} outcome(s) would change")
        for c in r.changed:
            was = "permitted" if c.record.permitted else "refused " + ",".join(c.record.codes)
            now = "permitted" if c.decision.permitted else "refused " + ",".join(c.decision.codes)
            q = c.record.request
            self._line(
                f"  {c.change.value}: {c.record.id} ({q.sender} -> {q.recipient}"
                f" {','.join(q.items)} for {q.purpose} on {q.on.isoformat()}): {was} -> {now}"
            )


class _Json:
    """One JSON document per command, control characters escaped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _dump(self, value: object) -> None:
        self._stream.write(json_text(_json(value)))

    def data(self, value: object, _text: str) -> None:
        self._dump(value)

    def receipt(self, source: str, r: ReceiptResult) -> None:
        self._dump({"source": source, **r.as_dict()})

    def verification(self, v: LogVerification) -> None:
        self._dump(v.as_dict())

    def entries(self, entries: Sequence[LogEntry]) -> None:
        self._dump(
            [
                {"seq": e.seq, "entry_hash": e.entry_hash, "record": e.record.as_dict()}
                for e in entries
            ]
        )

    def proof(self, p: ProofResult) -> None:
        self._dump({"verified": p.verified, "reason": p.reason})

    def replay(self, r: ReplayResult) -> None:
        self._dump(r.as_dict())


_FORMATS: dict[str, type[_Text] | type[_Json]] = {"text": _Text, "json": _Json}
