"""How many single-call decisions per second does `simulator.decision.decide` make?

Builds one policy set of ~20 documents / ~200 statements and 10,000 varied requests
(benchmarks/workload.py, seeded), then decides every request with trace=False, and once
more with trace=True. Run: `python benchmarks/bench_decide.py [--requests N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload  # noqa: E402

from simulator.decision import PolicySet, decide  # noqa: E402
from simulator.policy import PolicyDocument, PolicyKind, parse_policy  # noqa: E402
from simulator.request import Request, make_request  # noqa: E402
from simulator.results import RequestDecision  # noqa: E402


def build(seed: int, count: int) -> list[tuple[Request, PolicySet]]:
    """The requests, each with the PolicySet of the documents that bear on it (the same
    parsed documents shared by every request, as for one account's setup)."""
    raw = workload.policy_set(seed)

    def parse(d: workload.Json, name: str, kind: PolicyKind) -> PolicyDocument:
        return parse_policy(d, name=name, kind=kind)

    identity = tuple(parse(d, f"identity[{i}]", PolicyKind.identity)
                     for i, d in enumerate(raw["identity"]))
    bucket = parse(raw["bucket_policy"], "bucket_policy", PolicyKind.resource)
    key = parse(raw["resource_policy"], "resource_policy", PolicyKind.resource)
    scp = tuple(tuple(parse(d, f"scp[{n}][{i}]", PolicyKind.scp) for i, d in enumerate(level))
                for n, level in enumerate(raw["scp"]))
    boundary = parse(raw["boundary"], "boundary", PolicyKind.boundary)
    session = parse(raw["session_policy"], "session_policy", PolicyKind.session)
    sets: dict[tuple[str, bool], PolicySet] = {}
    for resource_kind, resource in (("s3", bucket), ("kms", key), ("", None)):
        for with_session in (False, True):
            sets[resource_kind, with_session] = PolicySet(
                identity=identity, resource=resource, scp=scp, boundary=boundary,
                session=session if with_session else None)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        r = workload.request(rng)
        request = make_request(r["principal_arn"], r["action"], r["resource"],
                               principal_account=r.get("principal_account"),
                               context=r["context"], principal_id=r.get("principal_id"))
        service = request.service if request.service in ("s3", "kms") else ""
        out.append((request, sets[service, ":assumed-role/" in r["principal_arn"]]))
    return out


def run(work: Sequence[tuple[Request, PolicySet]], trace: bool) -> tuple[float,
                                                                         list[RequestDecision]]:
    start = time.perf_counter()
    decisions = [decide(request, policies, trace=trace) for request, policies in work]
    return time.perf_counter() - start, decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (best is shown)")
    parser.add_argument("--traced", type=int, default=10_000,
                        help="how many of the requests to decide with trace=True")
    args = parser.parse_args()

    start = time.perf_counter()
    work = build(args.seed, args.requests)
    built = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # the prepared workload is not garbage: keep the collector off it
    documents, statements = workload.statement_count(workload.policy_set(args.seed))
    n = len(work)
    print(f"policy set: {documents} documents, {statements} statements; {n} requests "
          f"(built in {built:.2f} s)")

    cold, decisions = run(work, trace=False)
    warm = min(run(work, trace=False)[0] for _ in range(args.repeat))
    split = Counter(d.decision.value for d in decisions)
    print(f"trace=False: {n / warm:,.0f} decisions/s (best of {args.repeat}; "
          f"first pass with cold caches: {n / cold:,.0f}/s)")
    print("  split: " + ", ".join(f"{k} {split[k]} ({100 * split[k] / n:.1f}%)"
                                  for k in ("allow", "explicit_deny", "implicit_deny")))
    reasons = Counter(d.reason for d in decisions).most_common(6)
    print("  top reasons: " + ", ".join(f"{r} {c}" for r, c in reasons))

    subset = work[: args.traced]
    traced_time, traced = run(subset, trace=True)
    print(f"trace=True:  {len(subset) / traced_time:,.0f} decisions/s (one pass over "
          f"{len(subset)} requests)")
    differ = sum(a.decision != b.decision or a.reason != b.reason
                 for a, b in zip(decisions, traced, strict=False))
    print(f"  traced and fast decisions agree: {'yes' if not differ else f'NO ({differ})'}")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
