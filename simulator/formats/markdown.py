"""A pull-request comment: what the change does to access, in a table a reviewer scans,
with a Mermaid flowchart of every chain that failed (GitHub and GitLab render Mermaid in
comments: https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams).

    <!-- trustsim -->                 a marker, so a bot can update its own comment
    ## trustsim check: summary
    | | scenario | flow | outcome | expected | failing stage | why |
    ### Assertions                     | | assertion | offenders |
    ### Lint                           | | code | policy | statement | finding |
    ### Unknown until deploy           what infrastructure code leaves unknown (world_from)
    ### scenario/flow                  one Mermaid flowchart per failing flow: the stages
                                       as nodes in order, the failing one marked

For `diff`: `## trustsim diff: N widened, M narrowed`, then a table per direction
(| | scenario | where | base | head | what changed | decided by |), ❌ on the changes that
fail the gate.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..check import Checked
from ..diff import Change, FailOn, WorldDiff
from ..replay import FlowResult
from .changes import fails
from .checked import flow_problem, problems

MARKER = "<!-- trustsim -->"
_ICON = {"error": "❌", "warning": "⚠️", "note": "ℹ️", "ok": "✅"}
_MERMAID_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def _label(text: str) -> str:
    return "".join(_MERMAID_ESCAPES.get(c, c) for c in text)


def flowchart(result: FlowResult) -> list[str]:
    """A Mermaid flowchart of one chain: each stage a node (key, decision, reason), the
    failing stage (or the first whose own expectation failed) marked `fail`."""
    failing = result.failed_stage or next(
        (s.key for s in result.stages if s.expected is not None
         and s.status.value != s.expected.value), None)
    lines = ["```mermaid", "flowchart LR"]
    for i, s in enumerate(result.stages):
        style = "fail" if s.key == failing else "pass" if s.status.passed else "deny"
        lines.append(f'  s{i}["{_label(s.key)}<br/>{_label(s.status.value)}: '
                     f'{_label(s.reason)}"]:::{style}')
        if i:
            lines.append(f"  s{i - 1} --> s{i}")
    lines += ["  classDef pass fill:#e6ffed,stroke:#22863a",
              "  classDef deny fill:#fff5b1,stroke:#b08800",
              "  classDef fail fill:#ffeef0,stroke:#cb2431,stroke-width:3px", "```"]
    return lines


def _flow_row(r: FlowResult) -> list[str]:
    problem = flow_problem(r)
    icon = _ICON[problem.level] if problem else _ICON["ok"]
    failed = next((s for s in r.stages if s.key == r.failed_stage), None)
    expected = "-"
    if r.expect is not None:
        expected = r.expect.outcome + (f" at {r.expect.stage}" if r.expect.stage else "")
    why = failed.message if failed else ""
    if r.expectation_met is False:
        why = "; ".join(r.mismatches) + (f" — {why}" if why else "")
    return [icon, r.scenario, r.flow, r.outcome, expected, r.failed_stage or "", why]


def _summary(checked: Checked) -> str:
    # lint replays no flow: its summary counts findings only
    parts = [] if checked.command == "lint" else [f"{len(checked.flows)} flows"]
    unmet = sum(r.expectation_met is False for r in checked.flows)
    denied = sum(r.expectation_met is None and r.outcome == "deny" for r in checked.flows)
    if unmet:
        parts.append(f"{unmet} expectation(s) not met")
    if denied:
        parts.append(f"{denied} denied without expectation")
    if checked.assertions:
        failing = sum(not a.holds for a in checked.assertions)
        parts.append(f"{len(checked.assertions)} assertions, {failing} failing")
    if checked.findings or checked.command == "lint":
        parts.append(f"{len(checked.findings)} lint findings")
    verdict = _ICON["error"] if any(p.level == "error" for p in problems(checked)) else \
        _ICON["ok"]
    return f"{verdict} " + ", ".join(parts)


def check_markdown(checked: Checked) -> str:
    """The comment for `run`, `check` or `lint` results (see the module docstring)."""
    out = [MARKER, f"## trustsim {checked.command}: {_summary(checked)}", ""]
    if checked.flows:
        out += table(["", "scenario", "flow", "outcome", "expected", "failing stage", "why"],
                     [_flow_row(r) for r in checked.flows]) + [""]
    if checked.assertions:
        rows = [[_ICON["ok"] if a.holds else _ICON["error"], a.name,
                 "; ".join(o.path for o in a.offenders) or "-"] for a in checked.assertions]
        out += ["### Assertions", ""] + table(["", "assertion", "offenders"], rows) + [""]
    if checked.findings:
        rows = [[_ICON[{"info": "note"}.get(f.severity.value, f.severity.value)], f.code,
                 f.policy, str(f.statement), f.message] for f in checked.findings]
        out += ["### Lint", ""] + table(["", "code", "policy", "statement", "finding"],
                                        rows) + [""]
    if checked.unknowns:
        out += ["### Unknown until deploy", ""] + [f"- {cell(u)}" for u in checked.unknowns]
        out += [""]
    for r in checked.flows:
        problem = flow_problem(r)
        if problem is None or not r.stages:
            continue
        out += [f"### {r.scenario}/{r.flow}", "", cell(problem.message), ""]
        out += flowchart(r)
        out += [f"- hint: {cell(h)}" for h in problem.hints] + [""]
    return "\n".join(out).rstrip() + "\n"


def _change_row(change: Change, on: FailOn) -> list[str]:
    icon = _ICON["error"] if fails(change, on) else (
        _ICON["warning"] if change.direction == "widen" else _ICON["note"])
    where = f"{change.flow} {change.stage}" if change.kind == "stage" else \
        f"{change.principal}: {change.action} {change.resource}"
    decided = change.head_deciding or change.base_deciding
    return [icon, change.scenario, where, change.base, change.head, change.message,
            "; ".join(str(r) for r in decided[:3])]


def diff_markdown(diff: WorldDiff, fail_on: FailOn = "widen") -> str:
    """The comment for `diff` (see the module docstring)."""
    verdict = _ICON["error"] if diff.fail(fail_on) else _ICON["ok"]
    out = [MARKER, f"## trustsim diff: {verdict} {len(diff.widened)} widened, "
                   f"{len(diff.narrowed)} narrowed ({diff.flows_compared} flows compared, "
                   f"fail on {fail_on})", ""]
    header = ["", "scenario", "where", "base", "head", "what changed", "decided by"]
    for title, changes in (("Widened", diff.widened), ("Narrowed", diff.narrowed)):
        if changes:
            out += [f"### {title}", ""] + table(header, [_change_row(c, fail_on)
                                                          for c in changes]) + [""]
    if not diff.changes:
        out += ["No access changed.", ""]
    skipped = [*diff.only_in_base, *diff.only_in_head]
    if skipped:
        out += ["Not compared (on one side only): " + ", ".join(f"`{n}`" for n in skipped)]
    return "\n".join(out).rstrip() + "\n"
