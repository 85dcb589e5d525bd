"""Benchmark of the register (issue 12), on SQLite files in a temporary folder.

- import 1,000 agreements (validated, verified against a keyring, chained) in one import;
- queries on a register of 10,000 agreements (each filter of `Query`, median of runs);
- ``due`` on the same register;
- compiling a decision policy from the register, against compiling it from files.

Agreements come from `benchmarks.generate` (size "small": 5 parties, 20 items,
10 flows), spread over a 60-member charter with 5 sectors; every agreement is
endorsed by its 5 parties with Ed25519 keys (so ``due`` lists what a real register
lists: review and end dates within the notice period, not 10,000 pending
endorsements); review dates spread over two years. The endorsements are made by
`_endorse_all`, which signs the canonical bytes once per agreement; one agreement
is checked to be byte for byte what `woda_sharing._signing.endorse` makes
(Ed25519 signatures are deterministic).
Run ``python -m benchmarks bench_register``; ``run()`` returns the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generate import SIZES, agreement, charter_for
from woda_sharing import _canonical as canonical
from woda_sharing import _jws
from woda_sharing._decisions import Policy
from woda_sharing._jose import b64url_encode
from woda_sharing._keyring import Keyring, add_key, new_keyring
from woda_sharing._keys import Signer, generate_signer
from woda_sharing._loading import load_path
from woda_sharing._signing import endorse
from woda_sharing.register import Query, State, open_register

SMALL = SIZES[0]
#: How many agreements the query register holds (WODA_BENCH_REGISTER_AGREEMENTS overrides it).
REGISTER_SIZE = int(os.environ.get("WODA_BENCH_REGISTER_AGREEMENTS", "10000"))
MEMBERS = 60
SIGNED = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
AT = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
TODAY = dt.date(2024, 6, 1)


def _endorse_all(
    doc: dict[str, Any], signers: dict[str, Signer], orgs: list[str]
) -> dict[str, Any]:
    """*doc* endorsed by each of *orgs* as ``siro`` at `SIGNED`: `endorse`'s wire form, made quickly.

    `endorse` types and checks the document and its signer on every call; here
    the canonical bytes and their digest are worked out once per document.
    """
    payload = canonical.signed_bytes(doc)
    payload_b64 = b64url_encode(payload).encode("ascii")
    digest = canonical.digest_of(payload)
    endorsements = []
    for org in orgs:
        signer = signers[org]
        protected = _jws.encode_header(
            {
                "alg": signer.algorithm,
                "kid": signer.key_id,
                "typ": _jws.TYP,
                "iat": int(SIGNED.timestamp()),
                "woda_kind": doc["kind"],
                "woda_id": doc["id"],
                "woda_version": doc["version"],
                "woda_digest": digest,
                "woda_org": org,
                "woda_role": "siro",
            }
        )
        signature = signer.sign(_jws.signing_input(protected, payload_b64))
        endorsements.append({"protected": protected, "signature": b64url_encode(signature)})
    return {**doc, "endorsements": endorsements}


def _world(count: int) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """A keyring, an endorsed charter and *count* agreements under it, each endorsed by its parties."""
    charter = charter_for(SMALL)
    sectors = ("county-council", "district-council", "fire-and-rescue", "nhs", "police")
    charter["members"] = [
        {
            "id": f"org-{i}",
            "name": f"Example Organisation {i}",
            "sector": sectors[i % len(sectors)],
            "public_authority": True,
            "registration": f"EXAMPLE-{i:04d}",
        }
        for i in range(MEMBERS)
    ]
    charter["review_interval_months"] = 36
    charter["endorsement"] = {"rule": "threshold", "threshold": 1, "roles": ["siro"]}
    signers = {m["id"]: generate_signer("Ed25519") for m in charter["members"]}
    # add_key checks the whole keyring again on every call (quadratic in keys): add the first
    # key with it, write the other entries in the same form, and check the keyring once.
    ring = new_keyring("bench-keyring")
    since = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    ring = add_key(ring, "org-0", signers["org-0"].public_jwk, not_before=since)
    first = ring["organisations"][0]["keys"][0]
    ring["organisations"] += [
        {"id": org, "keys": [{**first, "jwk": dict(signer.public_jwk)}]}
        for org, signer in signers.items()
        if org != "org-0"
    ]
    Keyring.from_data(ring)
    charter = endorse(
        charter, signers["org-0"], organisation="org-0", role="siro", signed_at=SIGNED
    )
    template_text = json.dumps(agreement(SMALL))
    documents = []
    for n in range(count):
        doc = json.loads(template_text)
        doc["id"] = f"bench-{n}"
        orgs = [f"org-{(n * 7 + k * 11) % MEMBERS}" for k in range(SMALL.parties)]
        for party, org in zip(doc["parties"], orgs, strict=True):
            party["organisation"] = org
        doc["charter"] = {"id": charter["id"], "version": 1, "digest": canonical.digest(charter)}
        doc["review"] = (TODAY + dt.timedelta(days=1 + n % 700)).isoformat()
        if n % 3:
            for item in doc["items"]:
                if item["category"] == "special-category":
                    item["category"], item["special_category"] = "personal", None
                    del item["special_category"]
        endorsers = list(dict.fromkeys(orgs))
        fast = _endorse_all(doc, signers, endorsers)
        if n == 0:  # the quick path makes exactly what endorse makes
            slow = doc
            for org in endorsers:
                slow = endorse(slow, signers[org], organisation=org, role="siro", signed_at=SIGNED)
            if slow != fast:
                raise SystemExit("the benchmark's endorsements differ from endorse's")
        documents.append(fast)
    return ring, charter, documents


def _median_ms(
    fn: Callable[[], object], repeat: int = 15, clock: Callable[[], float] = time.perf_counter
) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def run() -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        ring, charter, documents = _world(REGISTER_SIZE)
        base = [ring, charter]
        # Import 1,000 agreements into a fresh register, in one import.
        imports, cpu = [], []
        for attempt in range(3):
            with open_register(Path(folder) / f"import-{attempt}.sqlite") as reg:
                reg.import_documents(base, at=AT)
                start, start_cpu = time.perf_counter(), time.process_time()
                reg.import_documents(documents[:1000], at=AT)
                imports.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        results["import_1000_agreements_s"] = statistics.median(imports)
        # CPU time of this process (SQLite runs in it): what the load of other processes does not add.
        results["import_1000_agreements_cpu_s"] = statistics.median(cpu)

        big = Path(folder) / "big.sqlite"
        with open_register(big) as reg:
            reg.import_documents(base, at=AT)
            start = time.perf_counter()
            for chunk in range(0, len(documents), 1000):
                reg.import_documents(documents[chunk : chunk + 1000], at=AT)
            results["import_register_s"] = time.perf_counter() - start
            results["register_agreements"] = len(documents)
            queries = {
                "organisation": Query(organisation="org-7"),
                "party_sector": Query(sector="police", limit=100),
                "x_shares_y_with_z": Query(source="org-0", recipient="org-11", item="item-3"),
                "share_with_police": Query(source="org-7", recipient_sector="police"),
                "category": Query(category="special-category", organisation="org-3"),
                "purpose": Query(purpose="fire-safety", source="org-14"),
                "legal_basis": Query(basis="uk-gdpr-art-9-2-h", organisation="org-21"),
                "endorsement_state": Query(organisation="org-5", state=State.ENDORSED),
                "review_window": Query(
                    review_after=TODAY, review_before=TODAY + dt.timedelta(days=14)
                ),
                "by_id": Query(id="bench-4242"),
            }
            worst = 0.0
            for name, query in queries.items():
                found = len(reg.query(query))
                ms = _median_ms(lambda q=query: reg.query(q))
                results[f"query_{name}_ms"] = ms
                results[f"query_{name}_cpu_ms"] = _median_ms(
                    lambda q=query: reg.query(q), clock=time.process_time
                )
                results[f"query_{name}_rows"] = found
                worst = max(worst, ms)
            results["query_worst_ms"] = worst
            results["due_rows"] = len(reg.due(TODAY))
            results["due_pending_rows"] = sum(d.what == "endorsement" for d in reg.due(TODAY))
            results["due_ms"] = _median_ms(lambda: reg.due(TODAY))
            results["due_cpu_ms"] = _median_ms(lambda: reg.due(TODAY), clock=time.process_time)

        # Policy: from the register, against from files (1,000 agreements).
        with open_register(Path(folder) / "policy.sqlite") as reg:
            reg.import_documents([*base, *documents[:1000]], at=AT)
            files = Path(folder) / "files"
            files.mkdir()
            (files / "charter.json").write_text(json.dumps(charter))
            for doc in documents[:1000]:
                (files / f"{doc['id']}.json").write_text(json.dumps(doc))

            def from_files() -> None:
                loaded = [load_path(p) for p in sorted(files.glob("bench-*.json"))]
                Policy.compile(
                    load_path(files / "charter.json"),
                    loaded,
                    endorsed=dict.fromkeys((d["id"] for d in loaded), True),
                )

            results["policy_from_files_ms"] = _median_ms(from_files, repeat=3)
            results["policy_from_register_ms"] = _median_ms(
                lambda: reg.policy(charter["id"]), repeat=3
            )
            results["policy_register_over_files_x"] = (
                results["policy_from_register_ms"] / results["policy_from_files_ms"]
            )
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:40} {value:12.3f}")
