"""Decisions -> plain JSON-ready dicts (the documented, versioned machine formats).

`SCHEMA_VERSION` changes when a field is removed or changes meaning; new fields may appear
in a minor version. docs/output.md describes every field.
"""

from __future__ import annotations

from typing import Any

from .results import RequestDecision, StatementRef

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
