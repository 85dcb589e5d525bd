"""Benchmark of run-time sharing decisions (issue 4).

Generates one charter with 200 member organisations and 100 agreements under it
holding 2,000 distinct items and 1,000 flows, then measures:

- compile time (typed documents, and wire documents including validation);
- single decisions per second with `Policy.decide` on distinct permitted requests;
- a faithful scan making the same checks, for comparison;
- batch decisions per second with `Policy.decide_many` on permitted requests,
  cold (first sight of each distinct request) and warm (a pipeline's steady state).

Run ``python benchmarks/bench_decisions.py`` for a table; ``run()`` returns the figures.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._decisions import Policy, Request
from woda_sharing._model import Agreement, Charter
from woda_sharing.testing import example_agreement, example_charter

PARTIES = 200
ITEMS = 2_000
FLOWS = 1_000
AGREEMENTS = 100
ON = dt.date(2024, 6, 1)


def generate(seed: int = 4) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a charter and its agreements (wire form): 200 parties, 2,000 items, 1,000 flows."""
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
    for k in range(AGREEMENTS):
        a = dict(template)
        a["id"] = f"agreement-{k:03d}"
        orgs = rng.sample(range(PARTIES), 6)
        a["parties"] = [
            {"id": f"p{n}", "organisation": f"org-{n:03d}", "role": "controller"} for n in orgs
        ]
        mine = items[k * 20 : k * 20 + 20] + rng.sample(items, 20)
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
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run() -> dict[str, float]:
    """Measure and return the figures (seconds, decisions per second, ratios)."""
    charter_data, agreement_data = generate()
    charter = codec.structure(charter_data, Charter)
    agreements = [codec.structure(a, Agreement) for a in agreement_data]
    flows = sum(len(a.flows) for a in agreements)
    items = len({i.id for a in agreements for i in a.items})
    assert (len(charter.members), items, flows) == (PARTIES, ITEMS, FLOWS)

    compile_s = _best(lambda: Policy.compile(charter, agreements))
    t0 = time.perf_counter()
    Policy.compile(charter_data, agreement_data)
    compile_wire_s = time.perf_counter() - t0
    policy = Policy.compile(charter, agreements)

    requests = permitted_requests(agreements, 20_000)
    assert all(policy.decide(r) for r in requests[:2000])
    assert all(scan(charter, agreements, r) for r in requests[:50])
    single_s = _best(lambda: [policy.decide(r) for r in requests])
    single_rate = len(requests) / single_s
    scan_n = 200
    scan_s = _best(lambda: [scan(charter, agreements, r) for r in requests[:scan_n]], repeat=1)
    scan_rate = scan_n / scan_s

    batch = requests * 50  # 1,000,000 requests, 20,000 distinct questions
    cold = Policy.compile(charter, agreements)
    t0 = time.perf_counter()
    answers = cold.decide_many(batch)
    batch_cold_s = time.perf_counter() - t0
    assert all(answers)
    batch_warm_s = _best(lambda: cold.decide_many(batch))
    return {
        "parties": float(PARTIES),
        "items": float(items),
        "flows": float(flows),
        "compile_s": compile_s,
        "compile_validated_wire_s": compile_wire_s,
        "single_per_s": single_rate,
        "scan_per_s": scan_rate,
        "single_vs_scan_x": single_rate / scan_rate,
        "batch_cold_per_s": len(batch) / batch_cold_s,
        "batch_warm_per_s": len(batch) / batch_warm_s,
    }


def _table(figures: dict[str, float]) -> str:
    rows = [f"{'measure':<28} {'value':>16}", "-" * 45]
    for name, value in figures.items():
        text = f"{value:,.4f}" if value < 100 else f"{value:,.0f}"
        rows.append(f"{name:<28} {text:>16}")
    return "\n".join(rows)


if __name__ == "__main__":
    print(_table(run()))
