"""``woda-sharing keygen | keyring | endorse | withdraw | verify | status``: signed endorsements.

Every file is written atomically; private keys with owner-only permissions.
Private keys are never printed. Exit codes follow `woda_sharing.cli`: 0 done
or verified, 1 not verified or refused, 2 usage errors or unreadable input.

Documents and endorsement headers are untrusted: every piece of text they
contribute to the output passes through `printable` (or `json_text`), so control
characters reach the terminal escaped, never raw.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from woda_sharing.cli import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, json_text, printable
from woda_sharing.cli._output import VERIFICATION_FORMATS, TextOutput
from woda_sharing.exceptions import EndorsementRefused, KeyMaterialError, UsageError

if TYPE_CHECKING:
    from woda_sharing._signing import VerificationResult
    from woda_sharing._updates import UpdateResult

# The library (cryptography, jsonschema, cattrs) loads when a subcommand runs, not to build
# the parser: ``woda-sharing --help`` starts quickly (issue 16).

#: The signature algorithms ``keygen`` offers (`woda_sharing._keys.ALGORITHMS`; a test keeps them equal).
ALGORITHM_NAMES: Final = ("Ed25519", "ES256", "PS256")

__all__ = ["register"]


def _org_id(value: str) -> str:
    from woda_sharing._model import is_id  # noqa: PLC0415 - lean start-up (issue 16)

    if not is_id(value):
        raise UsageError(
            f"organisation {value!r} is not an id (lower-case letters, digits, single hyphens)"
        )
    return value


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``keygen``, ``keyring``, ``endorse``, ``withdraw``, ``verify`` and ``status`` to *commands*."""
    p = commands.add_parser("keygen", help="generate a signing key for an organisation")
    p.add_argument(
        "--org", required=True, help="the organisation (charter member id) the key signs for"
    )
    p.add_argument(
        "--out", required=True, metavar="DIR", help="folder for the private key and public JWK"
    )
    p.add_argument(
        "--alg", choices=ALGORITHM_NAMES, default=ALGORITHM_NAMES[0], help="signature algorithm"
    )
    p.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="encrypt the private key with the passphrase in $VAR",
    )
    p.set_defaults(handler=run_keygen)

    _register_keyring(commands)

    p = commands.add_parser("endorse", help="sign an exact version of a charter or agreement")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--key", required=True, metavar="PEM", help="the private key")
    p.add_argument("--org", required=True, help="the endorsing organisation")
    p.add_argument("--role", required=True, help="the signatory's role (siro, dpo, ...)")
    p.add_argument("--signatory", metavar="NAME", help="the signatory's name")
    p.add_argument("--at", metavar="TIME", help="signing time (default: now)")
    p.add_argument(
        "--charter",
        metavar="FILE",
        help="the charter an agreement sits under (required for an agreement)",
    )
    p.add_argument("--passphrase-env", metavar="VAR", help="the key's passphrase is in $VAR")
    p.add_argument(
        "--amends",
        metavar="OLD",
        help="the version FILE supersedes: its members may endorse too, to consent",
    )
    p.add_argument(
        "--keyring",
        metavar="KEYRING",
        help="refuse a key this keyring would not accept (unknown, another organisation's, ...)",
    )
    p.set_defaults(handler=run_endorse)

    p = commands.add_parser(
        "withdraw", help="withdraw an organisation's endorsement before the sign-off is complete"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--org", required=True, help="the organisation whose endorsement goes")
    p.add_argument("--kid", help="only the endorsements made with this key id")
    p.set_defaults(handler=run_withdraw)

    for name, handler, text in (
        ("verify", run_verify, "verify a document's endorsements against a keyring"),
        ("status", run_status, "show who has endorsed a document and who is pending"),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("file", metavar="FILE")
        p.add_argument("--keyring", required=True, metavar="KEYRING")
        p.add_argument("--charter", metavar="FILE", help="the charter an agreement sits under")
        p.add_argument("--at", metavar="TIME", help="verification time (default: now)")
        if name == "verify":
            p.add_argument(
                "--format",
                choices=tuple(VERIFICATION_FORMATS),
                default="text",
                help="output format",
            )
            p.add_argument(
                "--trusted",
                metavar="OLD",
                help="the version already trusted: accept FILE only as an update of it,"
                " with the consent OLD's rule requires",
            )
            p.add_argument(
                "--intermediate",
                metavar="FILE",
                action="append",
                default=[],
                help="a version between OLD and FILE (repeat for each)",
            )
            p.add_argument(
                "--trusted-charter",
                metavar="FILE",
                action="append",
                default=[],
                help="another charter version an earlier agreement version sits under",
            )
        p.set_defaults(handler=handler)


def _register_keyring(commands: argparse._SubParsersAction[Any]) -> None:
    ring = commands.add_parser(
        "keyring", help="create and maintain a keyring of trusted public keys"
    )
    actions = ring.add_subparsers(dest="keyring_command", required=True, parser_class=type(ring))
    p = actions.add_parser("new", help="create an empty keyring")
    p.add_argument("file", metavar="KEYRING")
    p.add_argument("--id", required=True, help="the keyring's id")
    p.add_argument("--title", help="a title")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(handler=run_keyring_new)
    p = actions.add_parser("add", help="add an organisation's public key (active)")
    p.add_argument("file", metavar="KEYRING")
    p.add_argument("--org", required=True, help="the organisation the key belongs to")
    p.add_argument("--jwk", required=True, metavar="FILE", help="the public JWK written by keygen")
    p.add_argument(
        "--not-before", metavar="TIME", help="start of the validity window (default: now)"
    )
    p.add_argument("--not-after", metavar="TIME", help="end of the validity window")
    p.set_defaults(handler=run_keyring_add)
    p = actions.add_parser(
        "retire", help="retire a key, honouring its endorsements in the given documents"
    )
    p.add_argument("file", metavar="KEYRING")
    p.add_argument("--kid", required=True, help="the key id")
    p.add_argument("--at", metavar="TIME", help="retirement time (default: now)")
    p.add_argument(
        "--honour",
        nargs="*",
        default=[],
        metavar="DOC",
        help="documents whose valid endorsements stay honoured",
    )
    p.add_argument(
        "--charter", metavar="FILE", help="the charter the honoured agreements sit under"
    )
    p.set_defaults(handler=run_keyring_retire)
    p = actions.add_parser(
        "compromise", help="mark a key compromised: none of its endorsements counts"
    )
    p.add_argument("file", metavar="KEYRING")
    p.add_argument("--kid", required=True, help="the key id")
    p.add_argument("--at", metavar="TIME", help="when the compromise was found (default: now)")
    p.set_defaults(handler=run_keyring_compromise)


def _time(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not an ISO 8601 time such as 2026-01-31T09:00:00Z") from None
    if when.tzinfo is None:
        raise UsageError(f"{text!r} has no time zone; add Z or an offset")
    return when


def _passphrase(var: str | None) -> bytes | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise KeyMaterialError(f"environment variable {var} is not set or empty")
    return value.encode("utf-8")


def _write_json(path: str | Path, data: Any) -> None:
    from woda_sharing._files import atomic_write  # noqa: PLC0415 - lean start-up (issue 16)

    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def run_keygen(args: argparse.Namespace) -> int:
    """Generate a key pair; write the private key (0600) and the public JWK."""
    from woda_sharing._keys import generate_signer, write_private_key  # noqa: PLC0415 - lean start-up (issue 16)

    org = _org_id(args.org)  # it names files: never a path
    signer = generate_signer(args.alg)
    passphrase = _passphrase(args.passphrase_env)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"{org}-{signer.key_id[:8]}"
    private, public = out / f"{stem}.key.pem", out / f"{stem}.jwk.json"
    write_private_key(private, signer, passphrase=passphrase)
    _write_json(public, dict(signer.public_jwk))
    print(f"key id:      {signer.key_id}")
    print(f"algorithm:   {signer.algorithm}")
    print(f"private key: {printable(private)} (keep it secret; never add it to a keyring)")
    print(f"public JWK:  {printable(public)}")
    return EXIT_OK


def run_keyring_new(args: argparse.Namespace) -> int:
    """Create an empty keyring file."""
    from woda_sharing import _keyring as keyring_mod  # noqa: PLC0415 - lean start-up (issue 16)

    if Path(args.file).exists() and not args.force:
        print(
            f"woda-sharing: error: {printable(args.file)} exists (use --force to replace it)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _write_json(args.file, keyring_mod.new_keyring(args.id, title=args.title))
    print(f"created keyring {printable(args.id)} in {printable(args.file)}")
    return EXIT_OK


def run_keyring_add(args: argparse.Namespace) -> int:
    """Add a public key to a keyring."""
    from woda_sharing import _keyring as keyring_mod  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._sources import load_source  # noqa: PLC0415

    data = load_source(args.file)
    jwk = load_source(args.jwk)
    not_after = _time(args.not_after) if args.not_after else None
    updated = keyring_mod.add_key(
        data, args.org, jwk, not_before=_time(args.not_before), not_after=not_after
    )
    _write_json(args.file, updated)
    print(f"added key {printable(jwk.get('kid'))} for {printable(args.org)}")
    return EXIT_OK


def run_keyring_retire(args: argparse.Namespace) -> int:
    """Retire a key, honouring its valid endorsements in the documents given."""
    from woda_sharing import _keyring as keyring_mod  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._signing import honourable  # noqa: PLC0415
    from woda_sharing._sources import load_source  # noqa: PLC0415

    data = load_source(args.file)
    at = _time(args.at)
    charter = load_source(args.charter) if args.charter else None
    honour: list[str] = []
    for path in args.honour:
        document = load_source(path)
        if document.get("kind") not in ("charter", "agreement"):
            # Retiring without it would silently drop the endorsements the operator meant to keep.
            raise UsageError(f"{path!r} is not a charter or an agreement: nothing in it to honour")
        honour.extend(honourable(document, data, kid=args.kid, at=at, charter=charter))
    _write_json(args.file, keyring_mod.retire_key(data, args.kid, at=at, honour=honour))
    print(f"retired key {printable(args.kid)}; {len(set(honour))} endorsement(s) stay honoured")
    return EXIT_OK


def run_keyring_compromise(args: argparse.Namespace) -> int:
    """Mark a key compromised."""
    from woda_sharing import _keyring as keyring_mod  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._sources import load_source  # noqa: PLC0415

    data = load_source(args.file)
    _write_json(args.file, keyring_mod.compromise_key(data, args.kid, at=_time(args.at)))
    print(f"key {printable(args.kid)} marked compromised: none of its endorsements counts any more")
    return EXIT_OK


def _refuse(path: str, reasons: list[str] | tuple[str, ...], what: str) -> int:
    for reason in reasons:
        print(f"  {printable(reason)}", file=sys.stderr)
    print(f"woda-sharing: refused: {printable(path)} {what}", file=sys.stderr)
    return EXIT_NEGATIVE


def run_endorse(args: argparse.Namespace) -> int:
    """Refuse early what verify would reject; then sign, and write only the ``endorsements`` member.

    Everything that can be checked without the key is checked before the key
    (and its passphrase) is read: the document validates (with its charter,
    for an agreement), the organisation may endorse, in a role the charter
    accepts. With ``--keyring`` the new endorsement is checked against it too.
    """
    from woda_sharing import _validation as validation  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._keys import read_signer  # noqa: PLC0415
    from woda_sharing._signing import endorse, endorsement_refusals  # noqa: PLC0415
    from woda_sharing._sources import load_source  # noqa: PLC0415
    from woda_sharing._splice import write_endorsements  # noqa: PLC0415

    data = load_source(args.file)
    if data.get("kind") == "agreement" and not args.charter:
        return _refuse(
            args.file,
            [
                (
                    "an agreement is endorsed with its charter (--charter FILE): without it the"
                    " charter rules and the roles it accepts cannot be checked"
                )
            ],
            "cannot be endorsed without its charter",
        )
    charter = load_source(args.charter) if args.charter else None
    report = validation.validate(data, charter=charter, source=args.file)
    if not report.ok:
        for f in report.findings:
            print(printable(f.text(args.file)), file=sys.stderr)
        print(
            f"woda-sharing: refused: {printable(args.file)} is not valid, so it cannot be endorsed",
            file=sys.stderr,
        )
        return EXIT_NEGATIVE
    amends = load_source(args.amends) if args.amends else None
    reasons = endorsement_refusals(
        data, organisation=args.org, role=args.role, charter=charter, amends=amends
    )
    if reasons:
        return _refuse(args.file, reasons, "would not verify, so it was not signed")
    ring = load_source(args.keyring) if args.keyring else None
    signer = read_signer(args.key, passphrase=_passphrase(args.passphrase_env))
    try:
        updated = endorse(
            data,
            signer,
            organisation=args.org,
            role=args.role,
            signatory=args.signatory,
            signed_at=_time(args.at),
            amends=amends,
            charter=charter,
            keyring=ring,
        )
    except EndorsementRefused as e:
        return _refuse(args.file, e.reasons, "would not verify, so it was not signed")
    write_endorsements(args.file, updated)
    print(printable(f"{args.file}: endorsed by {args.org} ({args.role}) with key {signer.key_id}"))
    if ring is None:
        print(
            "note: the key was not checked against a keyring (--keyring KEYRING would refuse"
            " one that verify will not accept)",
            file=sys.stderr,
        )
    return EXIT_OK


def run_withdraw(args: argparse.Namespace) -> int:
    """Remove an organisation's endorsements, changing only the ``endorsements`` member."""
    from woda_sharing._signing import withdraw  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._sources import load_source  # noqa: PLC0415
    from woda_sharing._splice import write_endorsements  # noqa: PLC0415

    data = load_source(args.file)
    before = len(data.get("endorsements") or [])
    try:
        updated = withdraw(data, organisation=args.org, kid=args.kid)
    except EndorsementRefused as e:
        return _refuse(args.file, e.reasons, "was left as it was")
    write_endorsements(args.file, updated)
    gone = before - len(updated["endorsements"])
    print(printable(f"{args.file}: withdrew {gone} endorsement(s) by {args.org}"))
    return EXIT_OK


def _verify(args: argparse.Namespace) -> VerificationResult:
    from woda_sharing._signing import verify  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._sources import load_source  # noqa: PLC0415

    document = load_source(args.file)
    ring = load_source(args.keyring)
    charter = load_source(args.charter) if args.charter else None
    return verify(document, ring, charter=charter, at=_time(args.at))


def _print_update(args: argparse.Namespace, result: UpdateResult) -> None:
    from woda_sharing._updates import UpdateCheck  # noqa: PLC0415 - lean start-up (issue 16)

    verdict = (
        "accepted" if result else f"NOT accepted ({result.failed.value if result.failed else '?'})"
    )
    print(
        printable(
            f"{args.file}: {result.kind} {result.id} v{result.trusted_version}"
            f" -> v{result.candidate_version}: {verdict}"
        )
    )
    for step in result.steps:
        old, own = step.trusted_rule, step.candidate
        print(
            printable(
                f"  v{step.to_version} under the rule of v{step.from_version}: {old.rule}"
                f" ({'met' if old.met else 'not met'})"
            )
        )
        print(
            printable(
                f"  v{step.to_version} under its own rule: {own.rule}"
                f" ({'met' if UpdateCheck.CANDIDATE_RULE not in step.failed else 'not met'})"
            )
        )
    for problem in result.problems:
        print(f"  problem: {printable(problem)}")


def run_verify(args: argparse.Namespace) -> int:
    """Verify a document (or an update of a trusted version); exit 0 when verified, 1 when not."""
    from woda_sharing._sources import load_source  # noqa: PLC0415 - lean start-up (issue 16)
    from woda_sharing._updates import verify_update  # noqa: PLC0415

    if args.trusted:
        update = verify_update(
            load_source(args.trusted),
            load_source(args.file),
            load_source(args.keyring),
            at=_time(args.at),
            intermediates=[load_source(f) for f in args.intermediate],
            charter=load_source(args.charter) if args.charter else None,
            charters=[load_source(f) for f in args.trusted_charter],
        )
        if args.format == "json":
            print(json_text(json.dumps(update.as_dict(), indent=2, ensure_ascii=False)))
        else:
            _print_update(args, update)
        return EXIT_OK if update else EXIT_NEGATIVE
    result = _verify(args)
    VERIFICATION_FORMATS[args.format](sys.stdout).verification(args.file, result)
    return EXIT_OK if result else EXIT_NEGATIVE


def run_status(args: argparse.Namespace) -> int:
    """Print a table of expected organisations: endorsed by whom and when, pending, invalid."""
    result = _verify(args)
    TextOutput(sys.stdout).status(result)
    return EXIT_OK if result else EXIT_NEGATIVE
