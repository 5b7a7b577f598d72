"""JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins `junit`,
Azure `PublishTestResults`), built with xml.etree.

    <testsuites name="trustsim">            one suite per scenario, plus `lint`
      <testsuite name=SCENARIO file=...>
        <testcase classname=SCENARIO name="flow NAME">     one per flow
        <testcase classname=SCENARIO name="assertion ...">  one per assertion
      <testsuite name="lint">
        <testcase classname=POLICY name="TS001 statement #0">   one per finding

For `diff`: a suite per scenario, a testcase per flow compared (`flow NAME`) and one for
who can reach the scenario's buckets and roles (`who can`); a testcase fails when one of
its changes fails the gate (`--fail-on`), and lists every change in `<system-out>`.

A testcase fails (`<failure type=RULE message=...>`) when its problem (checked.py) exists:
the flow's expectation did not hold, a flow without expectation was denied, the assertion
does not hold, the lint rule fired. The failure's text carries the mismatches, the failing
stage's message and its hints; `<system-out>` lists every stage of a flow.
Schema used by the readers: https://github.com/testmoapp/junitxml
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from ..assertions import AssertionResult
from ..check import Checked
from ..diff import FailOn, WorldDiff
from ..lint import Finding
from ..replay import FlowResult
from .changes import change_problem, fails
from .checked import Problem, assertion_problem, finding_problem, flow_problem, uri


def _failure(case: ET.Element, problem: Problem | None, detail: Iterable[str] = ()) -> bool:
    if problem is None:
        return False
    failure = ET.SubElement(case, "failure", type=problem.rule, message=problem.message)
    failure.text = "\n".join([problem.message, *(f"hint: {h}" for h in problem.hints),
                              *detail])
    return True


def _case(suite: ET.Element, classname: str, name: str, file: str | None) -> ET.Element:
    attrs = {"classname": classname, "name": name, "time": "0"}
    if file:
        attrs["file"] = uri(file)
    return ET.SubElement(suite, "testcase", attrs)


def _flow_case(suite: ET.Element, result: FlowResult, source: str | None) -> bool:
    case = _case(suite, result.scenario, f"flow {result.flow}", source)
    out = ET.SubElement(case, "system-out")
    out.text = "\n".join(f"{s.key}: {s.status.value} ({s.reason}) {s.message}"
                         for s in result.stages)
    return _failure(case, flow_problem(result, source))


def _assertion_case(suite: ET.Element, result: AssertionResult, source: str | None) -> bool:
    case = _case(suite, result.scenario, f"assertion {result.name}", source)
    problem = assertion_problem(result, source)
    detail = [f"offender: {o.path}" for o in result.offenders]
    return _failure(case, problem, detail)


def _finding_case(suite: ET.Element, finding: Finding) -> bool:
    sid = f" ({finding.sid})" if finding.sid else ""
    case = _case(suite, finding.policy, f"{finding.code} statement #{finding.statement}{sid}",
                 finding.source)
    return _failure(case, finding_problem(finding), [f"rule: {finding.rule}",
                                                     f"see: {finding.url}"])


def _suite(root: ET.Element, name: str, file: str | None) -> ET.Element:
    attrs = {"name": name}
    if file:
        attrs["file"] = uri(file)
    return ET.SubElement(root, "testsuite", attrs)


def _count(suite: ET.Element, failures: int) -> None:
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")


def junit_element(checked: Checked) -> ET.Element:
    """The <testsuites> element of `checked` (see the module docstring)."""
    root = ET.Element("testsuites", name="trustsim")
    suites: dict[str, tuple[ET.Element, list[bool]]] = {}

    def suite_of(scenario: str) -> tuple[ET.Element, list[bool]]:
        if scenario not in suites:
            suites[scenario] = (_suite(root, scenario, checked.sources.get(scenario)), [])
        return suites[scenario]

    for r in checked.flows:
        suite, fails = suite_of(r.scenario)
        fails.append(_flow_case(suite, r, checked.sources.get(r.scenario)))
    for a in checked.assertions:
        suite, fails = suite_of(a.scenario)
        fails.append(_assertion_case(suite, a, checked.sources.get(a.scenario)))
    if checked.findings:
        lint = _suite(root, "lint", None)
        suites["\0lint"] = (lint, [_finding_case(lint, f) for f in checked.findings])
    for suite, fails in suites.values():
        _count(suite, sum(fails))
    total = sum(len(f) for _, f in suites.values())
    root.set("tests", str(total))
    root.set("failures", str(sum(sum(f) for _, f in suites.values())))
    root.set("errors", "0")
    root.set("time", "0")
    return root


def to_xml(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def check_junit(checked: Checked) -> str:
    """JUnit XML text for `run`, `check` or `lint` results."""
    return to_xml(junit_element(checked))


def diff_junit(diff: WorldDiff, fail_on: FailOn = "widen") -> str:
    """JUnit XML text for `diff` (see the module docstring)."""
    root = ET.Element("testsuites", name="trustsim diff")
    suites: dict[str, ET.Element] = {}
    cases: dict[tuple[str, str], ET.Element] = {}
    keys = [(name.split("/", 1)[0], f"flow {name.split('/', 1)[1]}") for name in diff.compared]
    keys += [(c.scenario, "who can") for c in diff.changes if c.kind == "who_can"]
    for scenario, name in dict.fromkeys(keys):
        if scenario not in suites:
            suites[scenario] = _suite(root, scenario, None)
        cases[(scenario, name)] = _case(suites[scenario], scenario, name, None)
    logs: dict[tuple[str, str], list[str]] = {}
    for change in diff.changes:
        key = (change.scenario, f"flow {change.flow}" if change.kind == "stage"
               else "who can")
        logs.setdefault(key, []).append(f"{change.direction}: {change.message}")
        if fails(change, fail_on) and cases[key].find("failure") is None:
            _failure(cases[key], change_problem(change, fail_on))
    for key, lines in logs.items():
        ET.SubElement(cases[key], "system-out").text = "\n".join(lines)
    failures = 0
    for suite in suites.values():
        failed = sum(c.find("failure") is not None for c in suite.findall("testcase"))
        _count(suite, failed)
        failures += failed
    root.set("tests", str(len(cases)))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("time", "0")
    return to_xml(root)
