"""Decisions -> plain JSON-ready dicts (the documented, versioned machine formats).

`SCHEMA_VERSION` changes when a field is removed or changes meaning; new fields may appear
in a minor version. docs/output.md describes every field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .results import RequestDecision, StatementRef

if TYPE_CHECKING:  # `evaluate` reports single calls and need not import the replay
    from .replay import FlowResult
    from .stages import StageResult

SCHEMA_VERSION = "1.0"


def ref_dict(ref: StatementRef) -> dict[str, Any]:
    return {"policy": ref.policy, "kind": ref.kind.value, "index": ref.index, "sid": ref.sid,
            "effect": ref.effect}


def decision_dict(d: RequestDecision, *, full: bool = False) -> dict[str, Any]:
    """The summary every output carries; `full` adds steps and per-policy results."""
    out: dict[str, Any] = {
        "decision": d.decision.value, "reason": d.reason, "message": d.message,
        "principal": d.principal, "action": d.action, "resource": d.resource,
        "cross_account": d.cross_account,
        "deciding": [ref_dict(r) for r in d.deciding],
        "missing_context": list(d.missing_context),
        "ignored_context": list(d.ignored_context),
        "hints": list(d.hints), "notes": list(d.notes), "uncertain": d.uncertain,
    }
    if full:
        out["steps"] = [s.model_dump(mode="json") for s in d.steps]
        out["policies"] = [p.model_dump(mode="json") for p in d.policies]
        out["rules_as_of"] = d.rules_as_of
    return out


def stage_dict(stage: StageResult) -> dict[str, Any]:
    return {"name": stage.key, "title": stage.title, "decision": stage.status.value,
            "reason": stage.reason, "message": stage.message,
            "deciding": [ref_dict(r) for r in stage.deciding], "hints": list(stage.hints),
            "details": dict(stage.details),
            "expected": stage.expected.value if stage.expected else None,
            "missing_context": list(stage.decision.missing_context) if stage.decision else []}


def flow_dict(result: FlowResult) -> dict[str, Any]:
    expect = result.expect
    return {"scenario": result.scenario, "flow": result.flow, "about": result.about,
            "outcome": result.outcome, "expected": expect.outcome if expect else None,
            "expected_stage": expect.stage if expect else None,
            "expectation_met": result.expectation_met, "failed_stage": result.failed_stage,
            "mismatches": list(result.mismatches), "notes": list(result.notes),
            "stages": [stage_dict(s) for s in result.stages]}


def run_report(results: list[FlowResult],
               unknowns: Sequence[str] = ()) -> dict[str, Any]:
    """`trustsim run --format json`; `unknowns` lists, per scenario, what its plans and
    templates leave unknown until deploy (as `check` does)."""
    return {"schema_version": SCHEMA_VERSION, "tool": "trustsim",
            "flows": [flow_dict(r) for r in results], "unknowns": list(unknowns),
            "summary": {"flows": len(results),
                        "allow": sum(r.outcome == "allow" for r in results),
                        "deny": sum(r.outcome == "deny" for r in results),
                        "expectations_failed": sum(r.expectation_met is False
                                                   for r in results)}}
