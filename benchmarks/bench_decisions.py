"""Benchmark of run-time sharing decisions (issues 4 and 16).

Generates one charter with 200 member organisations and 100 agreements under it
holding 2,000 distinct items and 1,000 flows, then measures:

- compile time (typed documents, and wire documents including validation);
- single decisions with `Policy.decide` on distinct permitted requests, in
  microseconds, against two baselines: a plain scan over the flows prepared
  once into tuples (``prepared_scan``: the figure issue 16 names), and a
  faithful scan of the typed agreements making the same checks (``scan``);
- batch decisions per second with `Policy.decide_many`: on 200,000 requests
  that are all different (no answer can come from the memo), and on a batch
  that repeats 20,000 questions, cold (first sight) and warm (steady state);
- compiling the policy of 1,000 agreements from files: read, validate against
  the charter, compile, with the garbage collector on as in real use, beside
  reading the same files with `json.loads` (the floor);
- the same single and batch decisions (as decisions per second) on a policy whose
  every flow carries conditions of use (a prohibition, a duty, an opt-out consent
  model with an override, and on a third of the flows a trigger), with requests
  that state uses, consent and conditions, beside the same requests stating
  nothing on the policy without conditions (issue 11).

Times are CPU time, medians of interleaved rounds (see `benchmarks._timing`).
Run ``python benchmarks/bench_decisions.py`` for a table; ``run()`` returns the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks._timing import clock, interleaved, median_ratio
from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._batch import validate_many
from woda_sharing._decisions import Policy, Request
from woda_sharing._model import Agreement, Charter
from woda_sharing._validation import CharterInfo
from woda_sharing.testing import example_agreement, example_charter

PARTIES = 200
ITEMS = 2_000
FLOWS = 1_000
AGREEMENTS = 100
FILES = 1_000
DISTINCT = 200_000
ON = dt.date(2024, 6, 1)


def generate(
    seed: int = 4, agreements_n: int = AGREEMENTS
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a charter and its agreements (wire form): 200 parties, 2,000 items, 10 flows each.

    With the default 100 agreements that is 1,000 flows.
    """
    rng = random.Random(seed)
    charter = example_charter()
    charter["members"] = [
        {
            "id": f"org-{n:03d}",
            "name": f"Organisation {n}",
            "sector": "district-council",
            "public_authority": True,
        }
        for n in range(PARTIES)
    ]
    charter["purposes"] = [{"id": f"purpose-{n}", "title": f"Purpose {n}"} for n in range(10)]
    template = example_agreement(charter)
    items = [f"item-{n:04d}" for n in range(ITEMS)]
    agreements = []
    per_agreement = FLOWS // AGREEMENTS
    for k in range(agreements_n):
        a = dict(template)
        a["id"] = f"agreement-{k:03d}"
        orgs = rng.sample(range(PARTIES), 6)
        a["parties"] = [
            {"id": f"p{n}", "organisation": f"org-{n:03d}", "role": "controller"} for n in orgs
        ]
        start = k * 20 % ITEMS
        mine = items[start : start + 20] + rng.sample(items, 20)
        mine = list(dict.fromkeys(mine))
        a["items"] = [{"id": i, "title": i, "category": "personal"} for i in mine]
        purposes = rng.sample(range(10), 2)
        a["purposes"] = [{"id": f"purpose-{p}", "needs": mine} for p in purposes]
        flows = []
        for f in range(per_agreement):
            src, dst = rng.sample(orgs, 2)
            flows.append(
                {
                    "id": f"flow-{f}",
                    "from": f"p{src}",
                    "to": f"p{dst}",
                    "items": rng.sample(mine, 15),
                    "purposes": [f"purpose-{p}" for p in purposes],
                    "bases": ["uk-gdpr-art-6-1-e"],
                    "frequency": "monthly",
                    "method": "sftp",
                }
            )
        a["flows"] = flows
        agreements.append(a)
    digest = canonical.digest(charter)
    for a in agreements:
        a["charter"] = {"id": charter["id"], "version": charter["version"], "digest": digest}
    return charter, agreements


#: The conditions of use every flow gets in the conditioned policy; a third also get TRIGGER.
CONDITIONS: dict[str, Any] = {
    "prohibitions": [{"action": "re-identify"}],
    "duties": [{"action": "delete-after-use"}],
    "consent": {"model": "opt-out", "overrides": ["safeguarding"]},
}
TRIGGER: list[str] = ["marac-threshold"]


def with_conditions(agreements: Sequence[dict[str, Any]], every: int = 1) -> list[dict[str, Any]]:
    """The agreements (wire form) with `CONDITIONS` on every flow, and `TRIGGER` on every third.

    With *every* of 2, only every other agreement gets them.
    """
    out = []
    for k, a in enumerate(agreements):
        if k % every:
            out.append(a)
            continue
        flows = []
        for n, f in enumerate(a["flows"]):
            conditions = dict(CONDITIONS)
            if n % 3 == 0:
                conditions["triggers"] = TRIGGER
            flows.append({**f, "conditions": conditions})
        out.append({**a, "flows": flows})
    return out


def stating(requests: Sequence[Request]) -> list[Request]:
    """The requests, stating a use, the person's consent and the trigger: all still permitted."""
    return [
        r._replace(uses=("research",), consent="consented", conditions=tuple(TRIGGER))
        for r in requests
    ]


def scan(charter: Charter, agreements: Sequence[Agreement], request: Request) -> bool:
    """A faithful scan: the same identifier, party, item, purpose, need and date checks, no index."""
    members = {m.id for m in charter.members}
    if request.sender not in members or request.recipient not in members or not request.items:
        return False
    known_items = {i.id for a in agreements for i in a.items}
    purposes = {p.id for p in charter.purposes} | {p.id for a in agreements for p in a.purposes}
    if request.purpose not in purposes or not all(i in known_items for i in request.items):
        return False
    for item in request.items:
        permitted = False
        for a in agreements:
            parties = {p.id: p for p in a.parties}
            needs = {p.id: p.needs for p in a.purposes}
            for flow in a.flows:
                src, dst = parties[flow.source], parties[flow.recipient]
                if (src.organisation, src.capacity, dst.organisation, dst.capacity) != (
                    request.sender,
                    request.sender_capacity,
                    request.recipient,
                    request.recipient_capacity,
                ):
                    continue
                crossing = src.organisation == dst.organisation and src.capacity != dst.capacity
                if (
                    item in flow.items
                    and request.purpose in flow.purposes
                    and item in needs.get(request.purpose, ())
                    and a.start <= request.on
                    and (a.end is None or request.on <= a.end)
                    and (a.review is None or request.on <= a.review)
                    and (not crossing or flow.capacity_basis is not None)
                ):
                    permitted = True
        if not permitted:
            return False
    return True


def prepared_scan(charter: Charter, agreements: Sequence[Agreement]) -> Callable[[Request], bool]:
    """A plain scan over the flows prepared once into tuples: the baseline issue 16 names.

    Each flow becomes one tuple (the four party fields, its items, purposes,
    the needs of each purpose, the agreement's dates); a request scans them all
    for each of its items. It makes the same checks as `Policy.decide` for a
    request it permits.
    """
    members = frozenset(m.id for m in charter.members)
    rows = []
    for a in agreements:
        parties = {p.id: p for p in a.parties}
        needs: dict[str, set[str]] = {}
        for purpose in a.purposes:
            needs.setdefault(purpose.id, set()).update(purpose.needs)
        for flow in a.flows:
            src, dst = parties[flow.source], parties[flow.recipient]
            crossing = src.organisation == dst.organisation and src.capacity != dst.capacity
            if crossing and flow.capacity_basis is None:
                continue
            key = (src.organisation, src.capacity, dst.organisation, dst.capacity)
            wanted = {p: frozenset(needs.get(p, ())) for p in flow.purposes}
            rows.append((key, frozenset(flow.items), wanted, a.start, a.end, a.review))
    prepared = tuple(rows)

    def decide(r: Request) -> bool:
        if r.sender not in members or r.recipient not in members or not r.items:
            return False
        key = (r.sender, r.sender_capacity, r.recipient, r.recipient_capacity)
        purpose, on = r.purpose, r.on
        for item in r.items:
            for k, items, wanted, start, end, review in prepared:
                if (
                    k == key
                    and item in items
                    and item in wanted.get(purpose, ())
                    and start <= on
                    and (end is None or on <= end)
                    and (review is None or on <= review)
                ):
                    break
            else:
                return False
        return True

    return decide


def distinct_requests(agreements: Sequence[Agreement], n: int, seed: int = 6) -> list[Request]:
    """Return *n* permitted requests that are all different (items, purpose and date vary)."""
    rng = random.Random(seed)
    flows = [(a, f) for a in agreements for f in a.flows]
    seen: set[Request] = set()
    out: list[Request] = []
    days = [ON + dt.timedelta(days=d) for d in range(120)]
    while len(out) < n:
        a, f = rng.choice(flows)
        parties = {p.id: p for p in a.parties}
        request = Request(
            sender=parties[f.source].organisation,
            recipient=parties[f.recipient].organisation,
            items=tuple(rng.sample(f.items, rng.choice((1, 1, 2, 3)))),
            purpose=rng.choice(f.purposes),
            on=rng.choice(days),
        )
        if request not in seen:
            seen.add(request)
            out.append(request)
    return out


def permitted_requests(agreements: Sequence[Agreement], n: int, seed: int = 5) -> list[Request]:
    """Return *n* distinct-ish permitted single- and multi-item requests drawn from the flows."""
    rng = random.Random(seed)
    out: list[Request] = []
    flows = [(a, f) for a in agreements for f in a.flows]
    while len(out) < n:
        a, f = rng.choice(flows)
        parties = {p.id: p for p in a.parties}
        items = tuple(rng.sample(f.items, rng.choice((1, 1, 2, 3))))
        out.append(
            Request(
                sender=parties[f.source].organisation,
                recipient=parties[f.recipient].organisation,
                items=items,
                purpose=rng.choice(f.purposes),
                on=ON,
            )
        )
    return out


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def _files(folder: Path) -> tuple[Path, list[Path]]:
    """Write the charter and 1,000 agreements under it as files, as a person would save them."""
    charter, agreements = generate(agreements_n=FILES)
    charter_path = folder / "charter.json"
    charter_path.write_text(json.dumps(charter, indent=2), encoding="utf-8")
    paths = []
    for a in agreements:
        path = folder / f"{a['id']}.json"
        path.write_text(json.dumps(a, indent=2), encoding="utf-8")
        paths.append(path)
    return charter_path, paths


def compile_from_files(folder: Path) -> Policy:
    """Read, validate and compile a folder: what an integrator or the register does.

    `validate_many` reads every file and checks each agreement against the charter
    it cites; the valid agreements are then compiled under that charter.
    """
    batch = validate_many(folder, today=ON)
    if not batch.ok:
        raise SystemExit(f"{folder} is not valid: {[r.errors[:1] for r in batch if not r.ok][:3]}")
    charter = next(r for r in batch if isinstance(r.document, Charter))
    agreements = [r.document for r in batch if isinstance(r.document, Agreement)]
    return Policy.compile(CharterInfo.from_report(charter), agreements)


def _compile_files() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="woda-bench-") as tmp:
        charter_path, paths = _files(Path(tmp))
        policy = compile_from_files(Path(tmp))
        assert len(policy.agreement_ids) == FILES

        def floor() -> None:
            json.loads(charter_path.read_bytes())
            for path in paths:
                json.loads(path.read_bytes())

        times = interleaved(
            {
                "floor": floor,
                "ours": lambda: compile_from_files(Path(tmp)),
            },
            5,
            loops={"floor": 1, "ours": 1},
            collect=True,
        )
        quiet = interleaved({"ours": lambda: compile_from_files(Path(tmp))}, 3, loops={"ours": 1})
    return {
        "files_compile_s": statistics.median(times["ours"]),
        "files_read_loads_s": statistics.median(times["floor"]),
        "files_compile_vs_loads_x": median_ratio(times, "ours", "floor"),
        "files_compile_gc_off_s": statistics.median(quiet["ours"]),
    }


def run() -> dict[str, float]:
    """Measure and return the figures (seconds, microseconds, decisions per second, ratios)."""
    charter_data, agreement_data = generate()
    charter = codec.structure(charter_data, Charter)
    agreements = [codec.structure(a, Agreement) for a in agreement_data]
    flows = sum(len(a.flows) for a in agreements)
    items = len({i.id for a in agreements for i in a.items})
    assert (len(charter.members), items, flows) == (PARTIES, ITEMS, FLOWS)

    compile_s = _best(lambda: Policy.compile(charter, agreements))
    t0 = clock()
    Policy.compile(charter_data, agreement_data)
    compile_wire_s = clock() - t0
    policy = Policy.compile(charter, agreements)

    requests = permitted_requests(agreements, 20_000)
    prepared = prepared_scan(charter, agreements)
    assert all(policy.decide(r) for r in requests[:2000])
    assert all(scan(charter, agreements, r) for r in requests[:50])
    assert all(prepared(r) for r in requests[:500])
    few = requests[:200]
    times = interleaved(
        {
            "decide": lambda: [policy.decide(r) for r in requests],
            "prepared_scan": lambda: [prepared(r) for r in few],
        },
        9,
        loops={"decide": 1, "prepared_scan": 1},
    )
    decide_us = statistics.median(times["decide"]) / len(requests) * 1e6
    prepared_us = statistics.median(times["prepared_scan"]) / len(few) * 1e6
    ratios = [
        (p / len(few)) / (d / len(requests))
        for d, p in zip(times["decide"], times["prepared_scan"], strict=True)
    ]
    scan_n = 50
    scan_s = _best(lambda: [scan(charter, agreements, r) for r in requests[:scan_n]], repeat=1)

    distinct = distinct_requests(agreements, DISTINCT)
    distinct_s = []
    for _ in range(3):  # a fresh policy each time: nothing answered before, nothing repeats
        fresh = Policy.compile(charter, agreements)
        t0 = clock()
        answers = fresh.decide_many(distinct)
        distinct_s.append(clock() - t0)
        assert all(answers)

    batch = requests * 50  # 1,000,000 requests, 20,000 distinct questions
    cold = Policy.compile(charter, agreements)
    t0 = clock()
    answers = cold.decide_many(batch)
    batch_cold_s = clock() - t0
    assert all(answers)
    batch_warm_s = _best(lambda: cold.decide_many(batch))
    conditioned = _conditions(agreement_data, requests, distinct)
    return {
        "parties": float(PARTIES),
        "items": float(items),
        "flows": float(flows),
        "compile_s": compile_s,
        "compile_validated_wire_s": compile_wire_s,
        "decide_us": decide_us,
        "decide_per_s": 1e6 / decide_us,
        "prepared_scan_us": prepared_us,
        "decide_vs_prepared_scan_x": statistics.median(ratios),
        "scan_us": scan_s / scan_n * 1e6,
        "decide_vs_scan_x": scan_s / scan_n * 1e6 / decide_us,
        "batch_distinct_per_s": len(distinct) / statistics.median(distinct_s),
        "batch_cold_per_s": len(batch) / batch_cold_s,
        "batch_warm_per_s": len(batch) / batch_warm_s,
        **conditioned,
        **_compile_files(),
    }


def _conditions(
    agreement_data: Sequence[dict[str, Any]],
    requests: Sequence[Request],
    distinct: Sequence[Request],
) -> dict[str, float]:
    """Single and batch decisions with conditions of use, beside the same without (issue 11)."""
    charter = codec.structure(generate()[0], Charter)
    plain = [codec.structure(a, Agreement) for a in agreement_data]
    conditioned = [codec.structure(a, Agreement) for a in with_conditions(agreement_data)]
    mixed = [codec.structure(a, Agreement) for a in with_conditions(agreement_data, every=2)]
    policy = Policy.compile(charter, plain)
    cpolicy = Policy.compile(charter, conditioned)
    mpolicy = Policy.compile(charter, mixed)
    asked = stating(requests)
    assert all(cpolicy.decide(r) for r in asked[:2000])
    assert all(cpolicy.decide(r).obligations for r in asked[:100])
    # Requests stating nothing, answered by agreements without conditions, in a policy
    # where every other agreement has them: they should pay nothing for them.
    bare = [r for r in requests if all(int(a[-3:]) % 2 for a in policy.decide(r).agreements)]
    assert all(mpolicy.decide(r) == policy.decide(r) for r in bare[:2000])
    times = interleaved(
        {
            "plain": lambda: [policy.decide(r) for r in requests],
            "conditions": lambda: [cpolicy.decide(r) for r in asked],
        },
        7,
        loops={"plain": 1, "conditions": 1},
    )
    bare_times = interleaved(
        {
            "plain": lambda: [policy.decide(r) for r in bare],
            "bare": lambda: [mpolicy.decide(r) for r in bare],
        },
        7,
        loops={"plain": 1, "bare": 1},
    )
    plain_us = statistics.median(times["plain"]) / len(requests) * 1e6
    stated_us = statistics.median(times["conditions"]) / len(asked) * 1e6
    distinct_asked = stating(distinct)
    batch_s: dict[str, list[float]] = {"plain": [], "conditions": []}
    for _ in range(3):  # fresh policies: nothing answered before, nothing repeats
        for name, docs, batch in (
            ("plain", plain, distinct),
            ("conditions", conditioned, distinct_asked),
        ):
            fresh = Policy.compile(charter, docs)
            t0 = clock()
            fresh.decide_many(batch)
            batch_s[name].append(clock() - t0)
    return {
        "conditions_decide_plain_per_s": 1e6 / plain_us,
        "conditions_decide_per_s": 1e6 / stated_us,
        "conditions_decide_us": stated_us,
        "conditions_decide_vs_plain_x": median_ratio(times, "conditions", "plain"),
        "conditions_bare_vs_plain_x": median_ratio(bare_times, "bare", "plain"),
        "conditions_batch_plain_per_s": len(distinct) / statistics.median(batch_s["plain"]),
        "conditions_batch_per_s": len(distinct) / statistics.median(batch_s["conditions"]),
    }


def _table(figures: dict[str, float]) -> str:
    rows = [f"{'measure':<28} {'value':>16}", "-" * 45]
    for name, value in figures.items():
        text = f"{value:,.4f}" if value < 100 else f"{value:,.0f}"
        rows.append(f"{name:<28} {text:>16}")
    return "\n".join(rows)


if __name__ == "__main__":
    print(_table(run()))
