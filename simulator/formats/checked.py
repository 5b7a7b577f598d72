"""What did a run, check or lint find that a reviewer must look at? The shared reading of
results that SARIF, JUnit and Markdown all write out.

`simulator.check.Checked` bundles one command's results with the scenario files they came
from; `problems` turns them into `Problem`s, one per:

- flow whose expectation did not hold (level error; rule: the reason code of the stage
  that decided, or `unexpected_allow` when a flow expected to be denied was allowed);
- flow without expectation that was denied (level warning; rule: the failing stage's
  reason code, e.g. `no_allow_in_trust`);
- assertion that does not hold (level error; rule `only_principals` /
  `no_external_assume`);
- lint finding (its code; level from its severity: error, warning, note);
- and for `diff`, each change (changes.py).

Each problem names the statement to blame where one is known: the deciding statement of
the failing stage (the Deny, or the Allows that granted), for an implicit deny the
closest Allow of the policy that had to allow (its Action matched, a later element
failed), else that policy. `place` turns this into a file and a line (locate.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..assertions import AssertionResult
from ..check import Checked
from ..lint import Finding, Severity
from ..replay import FlowResult
from ..results import StatementRef
from ..stages import StageResult, StageStatus
from .locate import locate, locate_flow, locate_path, referenced_file, statement_line

Level = Literal["error", "warning", "note"]
Reader = Callable[[str], "str | None"]
_LEVELS: dict[Severity, Level] = {Severity.error: "error", Severity.warning: "warning",
                                  Severity.info: "note"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Problem(_Frozen):
    """One thing to show a reviewer. `subject` is what failed (`scenario/flow`, an
    assertion's name, a finding's policy); `policy`/`statement` the statement to blame;
    `flow`/`path` where else to point in the scenario file."""

    kind: Literal["expectation", "denied", "assertion", "lint", "widen", "narrow"]
    rule: str
    level: Level
    subject: str
    message: str
    hints: tuple[str, ...] = ()
    source: str | None = None
    scenario: str = ""
    flow: str | None = None
    path: str | None = None
    policy: str | None = None
    statement: int | None = None
    help_uri: str = ""


def blamed(stage: StageResult) -> tuple[str, int | None] | None:
    """The policy and statement to blame for a stage's decision (see module docstring)."""
    if stage.deciding:
        ref: StatementRef = stage.deciding[0]
        return ref.policy, ref.index
    d = stage.decision
    if d is None or stage.status is not StageStatus.implicit_deny:
        return None
    target = stage.reason.removeprefix("no_allow_in_")
    for result in d.policies:
        if result.kind.value != target and not (target == "caller"
                                                and result.kind.value == "identity"):
            continue
        for s in result.statements:
            if (s.ref.effect == "Allow" and s.failed is not None
                    and s.failed.element not in ("Action", "NotAction")):
                return result.name, s.ref.index
        return result.name, None
    step = next((s for s in d.steps if s.outcome == "decided" and s.policies), None)
    return (step.policies[0], None) if step else None


def _stage(result: FlowResult, key: str | None) -> StageResult | None:
    return next((s for s in result.stages if s.key == key), None) if key else None


def _culprit(result: FlowResult, failed: StageResult | None) -> StageResult | None:
    """The stage to show for an expectation that failed: the stage the expectation named,
    else the failing stage, else the first access whose own expectation failed, else the
    last stage (the flow was allowed though expected to be denied)."""
    named = _stage(result, result.expect.stage if result.expect else None)
    mismatched = next((s for s in result.stages if s.expected is not None
                       and s.status.value != s.expected.value), None)
    return named or failed or mismatched or (result.stages[-1] if result.stages else None)


def flow_problem(result: FlowResult, source: str | None = None) -> Problem | None:
    """The problem a replayed flow poses, or None when it is as expected (or allowed)."""
    subject = f"{result.scenario}/{result.flow}"
    failed = _stage(result, result.failed_stage)
    common = {"subject": subject, "source": source, "scenario": result.scenario,
              "flow": result.flow}
    if result.expectation_met is False:
        culprit = _culprit(result, failed)
        rule = failed.reason if failed is not None else "unexpected_allow"
        detail = f" ({culprit.key}: {culprit.message})" if culprit is not None else ""
        where = blamed(culprit) if culprit is not None else None
        return Problem(kind="expectation", rule=rule, level="error",
                       message=f"{subject}: {'; '.join(result.mismatches)}{detail}",
                       hints=culprit.hints if culprit is not None else (),
                       policy=where[0] if where else None,
                       statement=where[1] if where else None, **common)
    if result.expectation_met is None and failed is not None:
        where = blamed(failed)
        return Problem(kind="denied", rule=failed.reason, level="warning",
                       message=f"{subject} is denied at {failed.key}: {failed.message}",
                       hints=failed.hints, policy=where[0] if where else None,
                       statement=where[1] if where else None, **common)
    return None


def _assertion_blame(result: AssertionResult) -> StatementRef | None:
    """The statement that let the first offender in: for no_external_assume the trust
    statement of its first step (where the outsider enters), for only the statement of its
    last step (the grant to an unlisted principal)."""
    if not result.offenders or not result.offenders[0].steps:
        return None
    steps = result.offenders[0].steps
    step = steps[0] if result.kind == "no_external_assume" else steps[-1]
    refs = sorted(step.deciding, key=lambda r: r.kind.value not in ("trust", "resource"))
    return refs[0] if refs else None


def assertion_problem(result: AssertionResult, source: str | None = None) -> Problem | None:
    if result.holds:
        return None
    ref = _assertion_blame(result)
    offenders = "; ".join(o.path for o in result.offenders[:5])
    more = f" (and {len(result.offenders) - 5} more)" if len(result.offenders) > 5 else ""
    return Problem(kind="assertion", rule=result.kind if result.kind != "only"
                   else "only_principals", level="error", subject=result.name,
                   message=f"{result.name}: does not hold: {offenders}{more}",
                   source=source, scenario=result.scenario, path=result.location or None,
                   policy=ref.policy if ref else None,
                   statement=ref.index if ref else None)


def finding_problem(finding: Finding) -> Problem:
    on = f" on {finding.subject}" if finding.subject else ""
    return Problem(kind="lint", rule=finding.code, level=_LEVELS[finding.severity],
                   subject=f"{finding.policy} statement #{finding.statement}",
                   message=f"{finding.message}{on}", hints=(finding.fix,) if finding.fix
                   else (), source=finding.source, policy=finding.policy,
                   statement=finding.statement, help_uri=finding.url)


def problems(checked: Checked) -> tuple[Problem, ...]:
    """Every problem, in order: flows, assertions, findings."""
    src = checked.sources.get
    out = [flow_problem(r, src(r.scenario)) for r in checked.flows]
    out += [assertion_problem(a, src(a.scenario)) for a in checked.assertions]
    out += [finding_problem(f) for f in checked.findings]
    return tuple(p for p in out if p is not None)


def uri(path: str) -> str:
    """A file path as a SARIF/JUnit URI: forward slashes, no leading `./`."""
    out = path.replace("\\", "/")
    while out.startswith("./"):
        out = out[2:]
    return out


def place(problem: Problem, read: Reader) -> tuple[str, int | None] | None:
    """The file (as a URI) and line of a problem, best effort: the statement in the
    scenario (or in the policy file it references), else the flow or assertion, else the
    file alone. None when the problem has no file."""
    if problem.source is None:
        return None
    text = read(problem.source)
    if text is None:
        return uri(problem.source), None
    if problem.policy is not None:
        ref = referenced_file(text, problem.policy)
        if ref is not None:
            path = posixpath.join(posixpath.dirname(uri(problem.source)), ref)
            policy_text = read(path)
            line = statement_line(policy_text, problem.statement or 0) if policy_text else None
            if line is not None:
                return uri(path), line
        line = locate(text, problem.policy, problem.statement)
        if line is not None:
            return uri(problem.source), line
    line = (locate_flow(text, problem.flow) if problem.flow else
            locate_path(text, problem.path) if problem.path else None)
    return uri(problem.source), line
