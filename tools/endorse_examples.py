"""Give the example partnerships example keys, a keyring each and endorsements.

    python tools/endorse_examples.py          # write what is missing or stale
    python tools/endorse_examples.py --check  # exit 1 if anything would change

EXAMPLE KEYS ONLY. The private keys under ``examples/keys/`` are published in
this repository, so anyone can sign with them: they prove nothing and must
never be trusted outside the examples.

What it does, idempotently (Ed25519 signatures are deterministic, and the
signing time is fixed, so a second run changes nothing):

1. refuses to go on unless the charter and every agreement validate;
2. makes one Ed25519 key per charter member under ``examples/keys/`` (reused
   when present, also across partnerships) and writes each partnership's
   ``keyring.json`` (``examples/worcestershire/``, ``examples/shropshire-telford/``,
   ``examples/national-matching/``);
3. endorses the charter by every member, and each agreement by each of its
   party organisations, except `PARTIAL`, which only some parties endorse, so
   that ``woda-sharing status`` has someone pending to show;
4. verifies the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from woda_sharing._files import atomic_write
from woda_sharing._keyring import add_key, new_keyring
from woda_sharing._keys import LocalSigner, generate_signer, read_signer, write_private_key
from woda_sharing._loading import load_path
from woda_sharing._signing import endorse, verify
from woda_sharing._validation import validate

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "examples" / "keys"
#: Each partnership's folder, its keyring's id and title.
PARTNERSHIPS = {
    "worcestershire": (
        "worcestershire-example-keyring",
        "Worcestershire examples: EXAMPLE KEYS ONLY",
    ),
    "shropshire-telford": (
        "shropshire-telford-example-keyring",
        "Shropshire, Telford and Wrekin examples: EXAMPLE KEYS ONLY",
    ),
    "national-matching": (
        "national-matching-example-keyring",
        "National matching study example: EXAMPLE KEYS ONLY",
    ),
}
#: The agreement left partially endorsed, and how many of its parties endorse it.
PARTIAL = "homelessness-duty-to-refer"
PARTIAL_COUNT = 2
#: Fixed times, so that runs are reproducible.
NOT_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SIGNED_AT = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
ROLE_BY_SECTOR = {"nhs": "caldicott-guardian"}
KEYS_README = """# Example keys: NOT SECRET, NOT TRUSTED

These Ed25519 private keys are published on purpose so that the examples can be
re-endorsed by `tools/endorse_examples.py`. Anyone can sign with them. Never
put them, or a keyring holding their public halves, anywhere real.
"""


def _dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _key(org: str, *, check: bool, changes: list[str]) -> LocalSigner:
    path = KEYS / f"{org}.key.pem"
    if path.exists():
        return read_signer(path)
    changes.append(str(path.relative_to(ROOT)))
    signer = generate_signer("Ed25519")
    if not check:
        KEYS.mkdir(parents=True, exist_ok=True)
        write_private_key(path, signer)
    return signer


def _write(path: Path, data: bytes, *, check: bool, changes: list[str]) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    changes.append(str(path.relative_to(ROOT)))
    if not check:
        atomic_write(path, data)


def _endorsed(
    document: dict[str, Any],
    orgs: list[str],
    signers: dict[str, LocalSigner],
    roles: dict[str, str],
) -> dict[str, Any]:
    doc = {k: v for k, v in document.items() if k != "endorsements"}
    for org in orgs:
        doc = endorse(doc, signers[org], organisation=org, role=roles[org], signed_at=SIGNED_AT)
    return doc


def main(argv: list[str] | None = None) -> int:
    """Bring the example keys, keyrings and endorsements up to date; return an exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if anything is stale"
    )
    args = parser.parse_args(argv)
    changes: list[str] = []
    _write(KEYS / "README.md", KEYS_README.encode(), check=args.check, changes=changes)
    for folder, (ring_id, ring_title) in PARTNERSHIPS.items():
        status = _partnership(
            ROOT / "examples" / folder, ring_id, ring_title, check=args.check, changes=changes
        )
        if status:
            return status
    for change in changes:
        print(("stale: " if args.check else "wrote: ") + change)
    if not changes:
        print("examples are up to date")
    return 1 if args.check and changes else 0


def _partnership(
    examples: Path, ring_id: str, ring_title: str, *, check: bool, changes: list[str]
) -> int:
    """Endorse one partnership's charter and agreements; return an exit code."""
    keyring_path = examples / "keyring.json"
    charter = load_path(examples / "charter.json")
    agreements = {
        path: load_path(path)
        for path in sorted(examples.glob("*.json"))
        if path.name not in {"charter.json", keyring_path.name}
    }
    failures = [str(examples / "charter.json")] if not validate(charter).ok else []
    failures += [str(p) for p, a in agreements.items() if not validate(a, charter=charter).ok]
    if failures:
        print(
            "refusing to endorse documents that do not validate:",
            *failures,
            sep="\n  ",
            file=sys.stderr,
        )
        return 1

    members = [m["id"] for m in charter["members"]]
    roles = {m["id"]: ROLE_BY_SECTOR.get(m["sector"], "siro") for m in charter["members"]}
    accepted = set(charter["endorsement"]["roles"])
    roles = {
        org: role if role in accepted else charter["endorsement"]["roles"][0]
        for org, role in roles.items()
    }
    signers = {org: _key(org, check=check, changes=changes) for org in members}

    ring = new_keyring(ring_id, title=ring_title)
    for org in members:
        ring = add_key(ring, org, signers[org].public_jwk, not_before=NOT_BEFORE)
    _write(keyring_path, _dump(ring), check=check, changes=changes)

    charter_out = _endorsed(charter, members, signers, roles)
    _write(examples / "charter.json", _dump(charter_out), check=check, changes=changes)
    for path, agreement in agreements.items():
        parties = sorted({p["organisation"] for p in agreement["parties"]})
        if agreement["id"] == PARTIAL:
            parties = parties[:PARTIAL_COUNT]
        out = _endorsed(agreement, parties, signers, roles)
        _write(path, _dump(out), check=check, changes=changes)
        if not check:
            result = verify(out, ring, charter=charter_out, at=SIGNED_AT + dt.timedelta(days=1))
            expected = agreement["id"] != PARTIAL
            if bool(result) is not expected:
                print(
                    f"{path.name}: unexpected verification result: {result.problems}",
                    file=sys.stderr,
                )
                return 1
    if not check and not verify(charter_out, ring, at=SIGNED_AT + dt.timedelta(days=1)):
        print(f"{examples.name}/charter.json does not verify after endorsement", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
