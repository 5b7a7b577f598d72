"""check, lint and diff -> plain JSON-ready dicts (the documented, versioned formats).

The same versioning as `simulator.reports` (whose `run_report` and `flow_dict` are reused):
`SCHEMA_VERSION` changes when a field is removed or changes meaning; new fields may appear
in a minor version. docs/output.md describes every field.
"""

from __future__ import annotations

from typing import Any

from ..assertions import AssertionResult, Offender
from ..check import Checked, exit_code
from ..diff import Change, FailOn, WorldDiff
from ..lint import Finding
from ..reports import SCHEMA_VERSION, flow_dict, ref_dict


def offender_dict(o: Offender) -> dict[str, Any]:
    return {"principal": o.principal, "external": o.external, "chain": list(o.chain),
            "steps": [{"source": s.source, "target": s.target, "action": s.action,
                       "requires": list(s.requires),
                       "deciding": [ref_dict(r) for r in s.deciding]} for s in o.steps]}


def assertion_dict(a: AssertionResult) -> dict[str, Any]:
    return {"scenario": a.scenario, "name": a.name, "kind": a.kind, "location": a.location,
            "holds": a.holds, "message": a.message,
            "offenders": [offender_dict(o) for o in a.offenders]}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "rule": f.rule, "severity": f.severity.value,
            "message": f.message, "policy": f.policy, "statement": f.statement, "sid": f.sid,
            "subject": f.subject, "source": f.source, "fix": f.fix, "url": f.url}


def check_report(checked: Checked) -> dict[str, Any]:
    """`trustsim check --format json`: run's flows, plus assertions and findings."""
    flows = checked.flows
    return {"schema_version": SCHEMA_VERSION, "tool": "trustsim", "command": checked.command,
            "flows": [{**flow_dict(r), "notes": list(r.notes)} for r in flows],
            "assertions": [assertion_dict(a) for a in checked.assertions],
            "findings": [finding_dict(f) for f in checked.findings],
            "unknowns": list(checked.unknowns),
            "summary": {"flows": len(flows),
                        "allow": sum(r.outcome == "allow" for r in flows),
                        "deny": sum(r.outcome == "deny" for r in flows),
                        "expectations_failed": sum(r.expectation_met is False
                                                   for r in flows),
                        "assertions": len(checked.assertions),
                        "assertions_failed": sum(not a.holds for a in checked.assertions),
                        "findings": len(checked.findings),
                        "exit_code": exit_code(checked)}}


def lint_report(findings: tuple[Finding, ...],
                unknowns: tuple[str, ...] = ()) -> dict[str, Any]:
    """`trustsim lint --format json`."""
    counts = {s: sum(f.severity.value == s for f in findings)
              for s in ("error", "warning", "info")}
    return {"schema_version": SCHEMA_VERSION, "tool": "trustsim", "command": "lint",
            "findings": [finding_dict(f) for f in findings],
            "unknowns": list(unknowns),
            "summary": {"findings": len(findings), **counts}}


def change_dict(c: Change) -> dict[str, Any]:
    return {"direction": c.direction, "kind": c.kind, "scenario": c.scenario,
            "source": c.source, "flow": c.flow, "stage": c.stage, "title": c.title,
            "action": c.action, "resource": c.resource, "principal": c.principal,
            "base": c.base, "head": c.head, "base_reason": c.base_reason,
            "head_reason": c.head_reason,
            "base_deciding": [ref_dict(r) for r in c.base_deciding],
            "head_deciding": [ref_dict(r) for r in c.head_deciding],
            "because": c.because, "message": c.message}


def diff_report(diff: WorldDiff, fail_on: FailOn = "widen") -> dict[str, Any]:
    """`trustsim diff --format json`."""
    return {"schema_version": SCHEMA_VERSION, "tool": "trustsim", "command": "diff",
            "fail_on": fail_on, "fails": diff.fail(fail_on),
            "widened": [change_dict(c) for c in diff.widened],
            "narrowed": [change_dict(c) for c in diff.narrowed],
            "compared": list(diff.compared), "only_in_base": list(diff.only_in_base),
            "only_in_head": list(diff.only_in_head),
            "summary": {"flows_compared": diff.flows_compared,
                        "widened": len(diff.widened), "narrowed": len(diff.narrowed)}}
