"""Every flow of every seed scenario under scenarios/ meets its expectations: the scenario
files are the product's regression suite (docs/scenarios.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.replay import replay
from simulator.scenarios import load_scenarios

ROOT = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIOS = load_scenarios([ROOT]) if ROOT.exists() else []
FLOWS = [(s, f) for s in SCENARIOS for f in s.flows]


@pytest.mark.parametrize(("scenario", "flow"), FLOWS,
                         ids=[f"{s.name}/{f.name}" for s, f in FLOWS])
def test_flow_meets_its_expectations(scenario: object, flow: object) -> None:
    result = replay(scenario.world, flow, scenario.name)  # type: ignore[attr-defined]
    assert result.expectation_met is True, result.mismatches


def test_every_flow_states_an_expectation() -> None:
    missing = [f"{s.name}/{f.name}" for s, f in FLOWS
               if f.expect is None and not any(a.expect for a in f.access)]
    assert not missing


@pytest.mark.parametrize("product", ["doris", "starrocks", "qubole", "singlestore"])
def test_each_setup_has_its_working_flow_and_four_misconfigurations(product: str) -> None:
    flows = [f for s in SCENARIOS if Path(s.source).parent.name == product for f in s.flows]
    denied = [f for f in flows if (f.expect and f.expect.outcome == "deny")
              or any(a.expect and a.expect.value != "allow" for a in f.access)]
    allowed = [f for f in flows if f.expect and f.expect.outcome == "allow"]
    assert allowed, f"{product}: no working flow"
    assert len(denied) >= 4, f"{product}: {len(denied)} misconfiguration flows"
