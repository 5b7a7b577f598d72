"""Does a set of scenarios pass the CI gate? Flows, assertions and (optionally) lint, in one
call, as one `Checked` record that every output format reads (simulator/formats/).

    check_scenarios(scenarios, flow=None, lint=False)   trustsim run / check
    lint_scenarios(scenarios)                            trustsim lint

Exit codes (`exit_code`): 3 when a flow's expectation or an assertion does not hold, 2 when
a flow without expectation is denied, else 0; for lint (`lint_exit_code`), 3 when a finding
of severity error (or, with `strict`, any finding) exists, else 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from .assertions import AssertionResult, check_assertions
from .flow_unknowns import replay_scenario, scenario_unknowns
from .lint import Finding, Severity, lint_world
from .replay import FlowResult
from .scenarios import Scenario


class Checked(BaseModel):
    """One command's results. `sources` maps a scenario name to the file it was read from
    (Scenario.source); lint findings carry their own `source`. `unknowns` lists, per
    scenario, what its infrastructure code leaves unknown until deploy (each answer that
    depends on one is denied, never allowed)."""

    model_config = ConfigDict(frozen=True)

    command: str = "check"
    flows: tuple[FlowResult, ...] = ()
    assertions: tuple[AssertionResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    sources: dict[str, str] = Field(default_factory=dict)
    unknowns: tuple[str, ...] = ()


def _findings(scenario: Scenario) -> list[Finding]:
    return [f.model_copy(update={"source": scenario.source})
            for f in lint_world(scenario.world)]


def check_scenarios(scenarios: Sequence[Scenario], *, flow: str | None = None,
                    lint: bool = False, command: str = "check") -> Checked:
    """Replay every flow (only `flow`, when named; unknowns of world_from files noted),
    evaluate every assertion, and with `lint` lint every world."""
    flows = tuple(r for s in scenarios for r in replay_scenario(s, flow))
    assertions = tuple(r for s in scenarios
                       for r in check_assertions(s.world, getattr(s, "assertions", ()),
                                                 s.name))
    findings = tuple(f for s in scenarios for f in _findings(s)) if lint else ()
    return Checked(command=command, flows=flows, assertions=assertions, findings=findings,
                   sources={s.name: s.source for s in scenarios},
                   unknowns=scenario_unknowns(scenarios))


def lint_scenarios(scenarios: Sequence[Scenario]) -> Checked:
    """Lint every scenario's world; each finding names its scenario file."""
    return Checked(command="lint", findings=tuple(f for s in scenarios for f in _findings(s)),
                   sources={s.name: s.source for s in scenarios},
                   unknowns=scenario_unknowns(scenarios))


def exit_code(checked: Checked) -> int:
    """`run` / `check`: 3 when an expectation or an assertion does not hold, 2 when a flow
    without expectations is denied, else 0 (lint findings do not change it)."""
    if any(r.expectation_met is False for r in checked.flows) or any(
            not a.holds for a in checked.assertions):
        return 3
    if any(r.expectation_met is None and r.outcome == "deny" for r in checked.flows):
        return 2
    return 0


def lint_exit_code(checked: Checked, *, strict: bool = False) -> int:
    """`lint`: 3 when a finding of severity error exists (any finding, with `strict`)."""
    bad = [f for f in checked.findings if strict or f.severity is Severity.error]
    return 3 if bad else 0
