"""How does `trustsim evaluate` compare with merely reading its input?

Generates (in a temporary directory) a cases file of 400 cases in the case format
(FORMAT.md), each carrying its own ~200-statement policy set (benchmarks/workload.py), then
times, as subprocesses, wall clock, best of 3 after a warm-up run:
  (a) python -c "import json; json.load(open(F))"
  (b) trustsim evaluate --cases F --format jsonl
and prints both and their ratio. Until `trustsim evaluate` exists (`trustsim evaluate
--help` exits 0), (b) is the same work through the library: json.load, then parse_case and
decide for every case, one JSON line per case. Run: `python benchmarks/bench_evaluate.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload  # noqa: E402

# (b) without the CLI: the library calls `trustsim evaluate` makes, in a fresh interpreter.
LIBRARY_EVALUATE = """
import json, sys
from simulator.cases import case_list, parse_case
from simulator.decision import decide
from simulator.errors import InputError
out = []
for i, raw in enumerate(case_list(json.load(open(sys.argv[1])), sys.argv[1])):
    try:
        case = parse_case(raw, i)
    except InputError as exc:
        out.append(json.dumps({"id": raw.get("id"), "decision": "error", "error": str(exc)}))
        continue
    d = decide(case.request, case.policies)
    out.append(json.dumps({"id": case.id, "decision": d.decision.value, "reason": d.reason}))
sys.stdout.write("\\n".join(out) + "\\n")
"""


def trustsim_command() -> list[str] | None:
    """`trustsim` (beside this interpreter or on PATH) when its `evaluate` command works."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    exe = shutil.which("trustsim", path=search)
    if exe is None:
        return None
    probe = subprocess.run([exe, "evaluate", "--help"], capture_output=True, env=ENV)
    return [exe] if probe.returncode == 0 else None


# Bytecode caching as installed Python has it (some sandboxes set PYTHONDONTWRITEBYTECODE,
# which makes every run compile the package again).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best_of(command: list[str], repeat: int, stdout: Path) -> tuple[float, int]:
    """Best wall time of `repeat` runs after one untimed warm-up run, and the last exit
    code (stdout to a file)."""
    times = []
    code = 0
    for attempt in range(repeat + 1):
        with stdout.open("wb") as sink:
            start = time.perf_counter()
            code = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE,
                                  env=ENV).returncode
            if attempt:
                times.append(time.perf_counter() - start)
    return min(times), code


def decisions_in(path: Path) -> int:
    lines = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return sum(1 for obj in lines if isinstance(obj, dict) and "decision" in obj)


def breakdown(path: Path) -> str:
    """Where the library's time goes, in this process: load, parse_case (as evaluate calls
    it: every statement checked, only those the action reaches built), decide."""
    from simulator.cases import case_list, parse_case
    from simulator.decision import decide

    start = time.perf_counter()
    raw = case_list(json.loads(path.read_text()), str(path))
    loaded = time.perf_counter()
    cases = [parse_case(c, i, reachable_only=True) for i, c in enumerate(raw)]
    parsed = time.perf_counter()
    for case in cases:
        decide(case.request, case.policies)
    decided = time.perf_counter()
    return (f"in-process: json.load {loaded - start:.3f} s, parse_case {parsed - loaded:.3f} s, "
            f"decide {decided - parsed:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="also write the cases file here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="trustsim-bench-") as tmp:
        cases = [workload.case(i, args.seed) for i in range(args.cases)]
        statements = sum(workload.statement_count(c["policies"])[1] for c in cases)
        path = Path(tmp) / "cases.json"
        path.write_text(json.dumps(cases, indent=1))
        if args.keep:
            shutil.copyfile(path, args.keep)
        size = path.stat().st_size / 1e6
        print(f"cases file: {len(cases)} cases, {statements} statements, {size:.1f} MB")

        load, _ = best_of([sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))",
                           str(path)], args.repeat, Path(tmp) / "load.out")
        trustsim = trustsim_command()
        if trustsim:
            label = "trustsim evaluate --cases F --format jsonl"
            command = [*trustsim, "evaluate", "--cases", str(path), "--format", "jsonl"]
        else:
            label = "library evaluate (trustsim evaluate not available yet)"
            command = [sys.executable, "-c", LIBRARY_EVALUATE, str(path)]
        out = Path(tmp) / "evaluate.out"
        evaluate, code = best_of(command, args.repeat, out)
        found = decisions_in(out)
        print(f"(a) json.load:  {load:.3f} s (best of {args.repeat})")
        print(f"(b) {label}: {evaluate:.3f} s (best of {args.repeat}; exit code {code}, "
              f"{found} decisions)")
        print(f"ratio (b)/(a): {evaluate / load:.2f}")
        print(breakdown(path))
        if found != len(cases):
            sys.exit(f"expected {len(cases)} decision lines, got {found}")


if __name__ == "__main__":
    main()
