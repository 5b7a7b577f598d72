"""Dump every RequestDecision of the benchmark workload, to check that a speed change
changes no decision (benchmarks/README.md, "Checking that an optimisation changes no
decision").

Run `python benchmarks/dump_decisions.py OUT` before a change and again after it, then
compare the two files (`cmp`): they must be byte-identical. Each line is one decision as
`model_dump(mode="json")` and as `model_dump(exclude_unset=True)` (a traced one as the
SHA-256 of those), for:

- the workload of bench_decide (seeded), with trace=False, trace=True and (a subset)
  trace_all=True; the untraced pass is made again in reverse order, on warm memos;
- the same requests with every context value made multi-valued, twice: each value
  doubled (`[v, v]`) and each value followed by another (`[v, "other"]`);
- a second seed, smaller.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_decide import build  # noqa: E402

from simulator.decision import PolicySet, decide  # noqa: E402
from simulator.request import Request, make_request  # noqa: E402
from simulator.results import RequestDecision  # noqa: E402

Work = list[tuple[Request, PolicySet]]


def _multi(work: Work, extra: Callable[[str], list[str]]) -> Work:
    """The same calls, each context value replaced by `extra(value)` per value."""
    out = []
    for request, policies in work:
        context = {k: [w for v in values for w in extra(v)]
                   for k, values in request.context.items()}
        p = request.principal
        multi = make_request(p.arn, request.action, request.resource,
                             principal_account=p.account if p.arn.startswith("arn:") else None,
                             resource_account=request.resource_account, context=context,
                             role_arn=p.role_arn, principal_id=request.principal_id)
        assert multi.principal == p, (multi.principal, p)
        out.append((multi, policies))
    return out


def _line(label: str, i: int, d: RequestDecision) -> str:
    line = json.dumps([label, i, d.model_dump(mode="json"),
                       repr(d.model_dump(exclude_unset=True))], sort_keys=True)
    if d.policies:  # a traced decision: its digest (the full dumps run to gigabytes)
        return json.dumps([label, i, d.decision.value, d.reason,
                           hashlib.sha256(line.encode()).hexdigest()])
    return line


def dump(work: Work, label: str, *, traced_all: int = 500) -> Iterator[str]:
    fast = [decide(r, p) for r, p in work]
    again = [decide(r, p) for r, p in reversed(work)][::-1]
    for i, (a, b) in enumerate(zip(fast, again, strict=True)):
        if a.model_dump(mode="json") != b.model_dump(mode="json"):
            yield _line(f"{label}/reversed-order-differs", i, b)
        yield _line(f"{label}/untraced", i, a)
    for i, (r, p) in enumerate(work):
        yield _line(f"{label}/traced", i, decide(r, p, trace=True))
    for i, (r, p) in enumerate(random.Random(7).sample(work, min(traced_all, len(work)))):
        yield _line(f"{label}/trace_all", i, decide(r, p, trace_all=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    base = build(20240601, args.requests)
    with args.out.open("w") as f:
        for label, work in (("base", base),
                            ("doubled", _multi(base, lambda v: [v, v])),
                            ("other", _multi(base, lambda v: [v, "other"])),
                            ("seed2", build(7, args.requests // 4))):
            for line in dump(work, label):
                f.write(line + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
