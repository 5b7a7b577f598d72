"""Results -> an explanation tree, filtered. Pure data: no rich import, no I/O.

`explain_decision()` turns one RequestDecision into an ExplainNode tree: the decision, each
step of AWS's evaluation order, each policy of the step, each statement with the element
that failed and the values compared. Mode `full` keeps every statement; mode `fails` keeps
the deciding statements and the near misses (statements whose Action matched but another
element failed), which is what a person debugging AccessDenied reads first.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .replay import FlowResult
from .results import (
    ConditionCheck,
    Decision,
    ElementCheck,
    PolicyResult,
    RequestDecision,
    StatementResult,
    StepResult,
)
from .stages import StageResult

Mode = Literal["fails", "full"]


class ExplainNode(BaseModel):
    """One line of an explanation and the lines under it. `status` is one of allow,
    explicit_deny, implicit_deny, pass, fail, info, skip."""

    model_config = ConfigDict(frozen=True)

    label: str
    status: str = "info"
    children: tuple[ExplainNode, ...] = ()


def _shown(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"


def condition_node(c: ConditionCheck) -> ExplainNode:
    sent = "missing" if c.request_values is None else _shown(c.request_values)
    return ExplainNode(label=f"{c.operator} {c.key} {list(c.policy_values)}: request {sent}",
                       status="pass" if c.holds else "fail")


def element_node(e: ElementCheck) -> ExplainNode:
    if e.element == "Condition":
        return ExplainNode(label="Condition " + ("holds" if e.matched else "does not hold"),
                           status="pass" if e.matched else "fail",
                           children=tuple(condition_node(c) for c in e.conditions))
    verb = "matches" if e.matched else "does not match"
    reason = "" if e.reason in ("matched",) else f" [{e.reason}]"
    return ExplainNode(label=f"{e.element} {_shown(e.policy_values)} {verb} "
                             f"{e.request_value}{reason}",
                       status="pass" if e.matched else "fail")


def statement_node(s: StatementResult, full: bool) -> ExplainNode:
    verdict = f"applies ({s.ref.effect})" if s.applies else "does not apply"
    grant = f", names the caller by {s.grant.value}" if s.grant else ""
    checks = s.checks if full or s.applies else tuple(c for c in s.checks if not c.matched)
    return ExplainNode(label=f"statement #{s.ref.index}"
                             + (f" ({s.ref.sid})" if s.ref.sid else "") + f": {verdict}{grant}",
                       status=("explicit_deny" if s.ref.effect == "Deny" else "allow")
                       if s.applies else "skip",
                       children=tuple(element_node(c) for c in checks))


def _near_miss(s: StatementResult) -> bool:
    return s.failed is not None and s.failed.element not in ("Action", "NotAction")


def policy_node(p: PolicyResult, full: bool) -> ExplainNode:
    statements = [s for s in p.statements if full or s.applies or _near_miss(s)]
    hidden = len(p.statements) - len(statements) + p.not_traced
    children = [statement_node(s, full) for s in statements]
    if hidden:
        children.append(ExplainNode(label=f"{hidden} statement(s) not about this action",
                                    status="skip"))
    return ExplainNode(label=f"{p.kind.value} policy {p.name!r}: {p.decision.value}",
                       status=p.decision.value, children=tuple(children))


def step_node(step: StepResult, decision: RequestDecision, full: bool) -> ExplainNode:
    status = {"pass": "pass", "decided": (step.decision or Decision.implicit_deny).value,
              "not_applicable": "skip", "not_reached": "skip"}[step.outcome]
    label = f"{step.name}: {step.outcome.replace('_', ' ')}" + (f" - {step.note}"
                                                              if step.note else "")
    wanted = set(step.policies)
    children = tuple(policy_node(p, full) for p in decision.policies if p.name in wanted)
    return ExplainNode(label=label, status=status, children=children)


def explain_decision(decision: RequestDecision, mode: Mode = "fails") -> ExplainNode:
    full = mode == "full"
    steps = [s for s in decision.steps if full or s.outcome in ("pass", "decided")]
    children: list[ExplainNode] = [step_node(s, decision, full) for s in steps]
    if decision.missing_context:
        children.append(ExplainNode(label="context keys referenced but not in the request: "
                                          + ", ".join(decision.missing_context)))
    if decision.ignored_context:
        children.append(ExplainNode(label="context keys ignored (the action does not support "
                                          "them): " + ", ".join(decision.ignored_context)))
    children.extend(ExplainNode(label=f"note: {n}") for n in decision.notes)
    children.extend(ExplainNode(label=f"would change the answer: {h}", status="info")
                    for h in decision.hints)
    return ExplainNode(label=f"{decision.decision.value}: {decision.message}",
                       status=decision.decision.value, children=tuple(children))


def stage_node(stage: StageResult, mode: Mode = "fails") -> ExplainNode:
    """A stage: its verdict, the deciding statements, details, hints and (for a failing
    stage, or in full mode) the reasoning of the decision it was read from."""
    children: list[ExplainNode] = [ExplainNode(label=stage.message)]
    children.extend(ExplainNode(label=f"decided by {ref}", status="info")
                    for ref in stage.deciding)
    children.extend(ExplainNode(label=f"{k}: {v}") for k, v in stage.details.items())
    if stage.decision is not None and (mode == "full" or not stage.status.passed):
        inner = explain_decision(stage.decision.model_copy(update={"hints": ()}), mode)
        children.extend(inner.children)
    children.extend(ExplainNode(label=f"would change the answer: {h}", status="info")
                    for h in stage.hints)
    if stage.expected is not None:
        ok = stage.expected.value == stage.status.value
        children.append(ExplainNode(label=f"expected {stage.expected.value}",
                                    status="pass" if ok else "fail"))
    status = "allow" if stage.status.passed else (
        "explicit_deny" if stage.status.value == "explicit_deny" else "implicit_deny")
    return ExplainNode(label=f"{stage.key}: {stage.title} -> {stage.status.value}",
                       status=status, children=tuple(children))


def explain_flow(result: FlowResult, mode: Mode = "fails") -> ExplainNode:
    children = [stage_node(s, mode) for s in result.stages]
    children.extend(ExplainNode(label=f"note: {n}", status="info") for n in result.notes)
    if result.expectation_met is not None:
        children.append(ExplainNode(
            label="expectations hold" if result.expectation_met else
            "expectation not met: " + "; ".join(result.mismatches),
            status="pass" if result.expectation_met else "fail"))
    where = f" (fails at {result.failed_stage})" if result.failed_stage else ""
    return ExplainNode(label=f"flow {result.flow!r}: {result.outcome}{where}",
                       status="allow" if result.outcome == "allow" else "implicit_deny",
                       children=tuple(children))


_SAY = {"allow": "passes", "explicit_deny": "is explicitly denied",
        "implicit_deny": "is denied: a policy that must allow it does not",
        "invalid": "is rejected before any policy is evaluated"}


def walkthrough(result: FlowResult) -> list[str]:
    """The chain told step by step in plain words, for a workshop."""
    lines = [f"Flow {result.flow!r}" + (f": {result.about}" if result.about else "")]
    stages = result.stages
    for n, stage in enumerate(stages, start=1):
        title = stage.title if stage.title.startswith("arn:") else (
            stage.title[:1].upper() + stage.title[1:])
        lines.append(f"Step {n}. {title}.")
        lines.append(f"   It {_SAY[stage.status.value]}: {stage.message}.")
        for ref in stage.deciding:
            lines.append(f"   The deciding statement is {ref}.")
        for key, value in stage.details.items():
            lines.append(f"   {key.replace('_', ' ').capitalize()}: {value}.")
        as_expected = stage.expected is not None and stage.expected.value == stage.status.value
        if as_expected:
            lines.append(f"   As expected: this step should be {stage.expected.value}."
                         if stage.expected else "")
        else:
            for hint in stage.hints:
                lines.append(f"   What would change it: {hint}.")
        following = stages[n] if n < len(stages) else None
        if (not stage.status.passed and stage.expected is None
                and not (following and following.key.startswith("setup."))):
            lines.append("   The chain stops here: nothing after this step can happen.")
    intended = sum(1 for s in stages if not s.status.passed and s.expected is not None)
    if result.outcome == "deny":
        lines.append(f"Outcome: denied at {result.failed_stage}.")
    elif intended:
        lines.append(f"Outcome: the chain works; {intended} step(s) denied as intended.")
    else:
        lines.append("Outcome: allowed: every step passes.")
    lines.extend(f"Note: this {n}." for n in result.notes)
    if result.expectation_met is not None:
        lines.append("This is what the scenario expects." if result.expectation_met else
                     "This is NOT what the scenario expects: " + "; ".join(result.mismatches))
    return lines
