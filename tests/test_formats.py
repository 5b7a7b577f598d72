"""CI formats: statement lines, SARIF (re-read with sarif-pydantic), JUnit (re-read with
junitparser), the Markdown comment and the JSON documents of check / lint / diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml
from sarif_pydantic import Sarif

from simulator.assertions import check_assertions, parse_assertions
from simulator.check import Checked, check_scenarios, exit_code, lint_exit_code, lint_scenarios
from simulator.diff import diff_worlds
from simulator.formats.checked import place, problems
from simulator.formats.json_reports import check_report, diff_report, lint_report
from simulator.formats.junit import check_junit, diff_junit
from simulator.formats.locate import locate, locate_flow, locate_path, referenced_file
from simulator.formats.markdown import check_markdown, diff_markdown, flowchart
from simulator.formats.sarif import SARIF_SCHEMA, check_sarif, diff_sarif
from simulator.scenarios import Scenario, load_scenario_text, load_scenarios

DIFF = Path(__file__).parent / "fixtures" / "diff"

YAML = """\
name: where
accounts:
  "111122223333": {name: ours, ou: root}
  "444455556666": {name: data, ou: Workloads}
organization:
  id: o-a1b2c3d4e5
  root: {scps: [FullAWSAccess]}
  ous:
    Workloads:
      scps:
        - FullAWSAccess
        - Version: "2012-10-17"
          Statement:
            - {Effect: Deny, Action: s3:DeleteBucket, Resource: "*"}
policies:
  Shared:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: s3:ListBucket
        Resource: arn:aws:s3:::lake
      - Sid: Second
        Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::lake/*
users:
  - arn: arn:aws:iam::111122223333:user/ops
    policies:
      own: {Statement: [{Effect: Allow, Action: "*", Resource: "*"},
                        {Sid: B, Effect: Deny, Action: "*", Resource: "*"}]}
    boundary:
      Version: "2012-10-17"
      Statement:
        Effect: Allow
        Action: "*"
        Resource: "*"
roles:
  - arn: arn:aws:iam::111122223333:role/team/reader
    trust: trust.json
    managed: [Shared]
  - arn: arn:aws:iam::444455556666:role/writer
    trust:
      Version: "2012-10-17"
      Statement:
      - Effect: Allow
        Principal: {AWS: arn:aws:iam::111122223333:role/team/reader}
        Action: sts:AssumeRole
      - Effect: Deny
        Principal: "*"
        Action: sts:AssumeRole
        Condition: {Bool: {aws:MultiFactorAuthPresent: "false"}}
buckets:
  - name: lake
    account: "444455556666"
    policy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Deny, Principal: "*", Action: s3:DeleteObject, Resource: "arn:aws:s3:::lake/*"}
flows:
  - name: first
    start: {user: arn:aws:iam::111122223333:user/ops}
  - name: second
    start: {user: arn:aws:iam::111122223333:user/ops}
"""
TRUST = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ops"},
     "Action": "sts:AssumeRole"},
    {
      "Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": "sts:AssumeRole"
    }
  ]
}
"""


def _line(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth]


@pytest.fixture(scope="module")
def where() -> Scenario:
    return load_scenario_text(YAML, "where.yaml", lambda name: TRUST)


def _after(text: str, anchor: str, needle: str) -> int:
    """The line of the first `needle` at or after the first line holding `anchor`."""
    start = _line(text, anchor)
    lines = text.splitlines()
    return next(i for i in range(start, len(lines) + 1) if needle in lines[i - 1])


@pytest.mark.parametrize(("policy", "index", "anchor", "needle"), [
    ("writer/trust", 0, "role/writer", "- Effect: Allow"),
    ("writer/trust", 1, "role/writer", "- Effect: Deny"),
    ("writer/trust", 7, "role/writer", "trust:"),        # no such statement: the policy
    ("writer/trust", None, "role/writer", "trust:"),
    ("managed Shared", 0, "policies:", "- Effect: Allow"),
    ("managed Shared", 1, "policies:", "- Sid: Second"),
    ("user ops inline own", 0, "user/ops", "own: {Statement"),  # a flow list
    ("user ops inline own", 1, "user/ops", "{Sid: B"),
    ("user ops boundary", 0, "boundary:", "Effect: Allow"),   # a single mapping
    ("bucket lake", 0, "- name: lake", "{Effect: Deny, Principal"),
    ("scp Workloads[1]", 0, "Workloads:", "{Effect: Deny, Action: s3:DeleteBucket"),
    ("reader/trust", 0, "role/team/reader", "trust: trust.json"),  # in a file: the reference
])
def test_locate_finds_the_statement_line(policy: str, index: int | None, anchor: str,
                                         needle: str) -> None:
    assert locate(YAML, policy, index) == _after(YAML, anchor, needle)


def test_every_policy_the_loader_names_is_found(where: Scenario) -> None:
    w = where.world
    docs = [d for r in w.roles for d in (r.trust, *r.policies)]
    docs += [d for u in w.users for d in (*u.policies, u.boundary) if d is not None]
    docs += [b.policy for b in w.buckets if b.policy is not None]
    assert w.organization is not None
    docs += [d for lv in w.organization.levels.values() for d in lv.scps
             if "FullAWSAccess" not in d.name]
    assert len(docs) == 7
    for doc in docs:
        assert locate(YAML, doc.name, len(doc.statements) - 1) is not None, doc.name


def test_locate_in_json_scenarios() -> None:
    text = json.dumps({"name": "j", "roles": [
        {"arn": "arn:aws:iam::111122223333:role/a", "trust": {"Statement": [{"Sid": "A"}]}},
        {"arn": "arn:aws:iam::111122223333:role/b", "trust": {"Statement": [
            {"Sid": "B0"}, {"Sid": "B1"}]}}]}, indent=2)
    # a statement starts at its brace
    assert locate(text, "b/trust", 1) == _line(text, '"Sid": "B1"') - 1
    assert locate(text, "a/trust", 0) == _line(text, '"Sid": "A"') - 1
    assert locate(text, "c/trust", 0) is None
    assert locate(text, "something else", 0) is None


def test_locate_flows_paths_and_files() -> None:
    assert locate_flow(YAML, "second") == _line(YAML, "- name: second")
    assert locate_flow(YAML, "third") is None
    assert locate_path(YAML, "flows[1]") == _line(YAML, "- name: second")
    assert locate_path(YAML, "flows[5]") is None
    assert referenced_file(YAML, "reader/trust") == "trust.json"
    assert referenced_file(YAML, "writer/trust") is None


def test_place_follows_a_policy_file(where: Scenario) -> None:
    deny = where.world.roles_by_arn["arn:aws:iam::111122223333:role/team/reader"].trust
    [problem] = problems(Checked(findings=(_finding(deny.name, 1, "where.yaml"),)))
    files = {"where.yaml": YAML, "trust.json": TRUST}
    assert place(problem, files.get) == ("trust.json",
                                         _line(TRUST, '"Effect": "Allow"', 1) - 1)
    assert place(problem, {"where.yaml": YAML}.get) == ("where.yaml",
                                                        _line(YAML, "trust: trust.json"))
    assert place(problem, lambda _: None) == ("where.yaml", None)


def _finding(policy: str, statement: int, source: str):  # type: ignore[no-untyped-def]
    from simulator.lint import RULES, Finding
    rule = RULES["TS001"]
    return Finding(code=rule.code, rule=rule.name, severity=rule.severity, message="m",
                   policy=policy, statement=statement, source=source, url=rule.url)


# -- a check with every kind of problem: a mismatch, a deny, an assertion, a finding -------

ASSERTIONS = parse_assertions([
    {"no_external_assume": {"role": "arn:aws:iam::444455556666:role/lake-access"}},
    {"only": {"action": "s3:GetObject", "resource": "arn:aws:s3:::customer-lake/*",
              "principals": ["arn:aws:iam::444455556666:role/lake-access"]}}])


@pytest.fixture(scope="module")
def checked() -> Checked:
    """The external-id-dropped head, with its flows (one now allowed though expected
    denied), the assertions above (the first fails: the vendor is outside the
    organization) and lint (TS001 on the trust)."""
    [scenario] = load_scenarios([DIFF / "external-id-dropped"])
    base = check_scenarios([scenario], lint=True)
    assertions = check_assertions(scenario.world, ASSERTIONS, scenario.name)
    return base.model_copy(update={"assertions": assertions})


def _read(path: str) -> str | None:
    p = Path(path)
    return p.read_text() if p.is_file() else None


def test_problems_and_exit_codes(checked: Checked) -> None:
    kinds = [(p.kind, p.rule, p.level) for p in problems(checked)]
    assert kinds == [("expectation", "unexpected_allow", "error"),
                     ("assertion", "no_external_assume", "error"),
                     ("lint", "TS001", "warning")]
    assert exit_code(checked) == 3
    assert exit_code(checked.model_copy(update={"assertions": ()})) == 3
    [flows_ok] = [r for r in checked.flows if r.flow == "read"]
    assert exit_code(Checked(flows=(flows_ok,))) == 0
    assert lint_exit_code(checked) == 0 and lint_exit_code(checked, strict=True) == 3


def test_sarif_round_trip(checked: Checked) -> None:
    text = check_sarif(checked, _read)
    raw = json.loads(text)
    assert raw["version"] == "2.1.0" and raw["$schema"] == SARIF_SCHEMA
    log = Sarif.model_validate_json(text)
    run = log.runs[0]
    assert run.tool.driver.name == "trustsim" and run.tool.driver.version
    rules = [r.id for r in run.tool.driver.rules]
    results = run.results
    assert [r.rule_id for r in results] == ["unexpected_allow", "no_external_assume", "TS001"]
    assert all(rules[r.rule_index] == r.rule_id for r in results)
    source = (DIFF / "external-id-dropped" / "lake.yaml")
    text_yaml = source.read_text()
    trust_line = _line(text_yaml, "- Sid: VendorWithExternalId")
    mismatch, assertion, finding = results
    for result in results:
        loc = result.locations[0].physical_location
        assert loc.artifact_location.uri == str(source)
    # the flow was allowed though expected denied at hop1.trust: the Allow that admitted it
    assert mismatch.locations[0].physical_location.region.start_line == trust_line
    assert mismatch.level.value == "error" and "expected deny" in mismatch.message.text
    # the assertion: the trust statement of the offender's first hop
    assert assertion.locations[0].physical_location.region.start_line == trust_line
    assert finding.locations[0].physical_location.region.start_line == trust_line
    assert finding.level.value == "warning"
    help_uris = {r.id: r.help_uri for r in run.tool.driver.rules}
    assert help_uris["TS001"].startswith("https://docs.aws.amazon.com/")


def test_sarif_without_files_has_no_line(checked: Checked) -> None:
    log = Sarif.model_validate_json(check_sarif(checked))
    regions = [r.locations[0].physical_location.region for r in log.runs[0].results]
    assert regions == [None, None, None]


def test_junit_read_back(checked: Checked) -> None:
    xml = JUnitXml.fromstring(check_junit(checked))
    suites = {s.name: s for s in xml}
    assert set(suites) == {"lake", "lint"}
    cases = {c.name: c for c in suites["lake"]}
    assert set(cases) == {"flow read", "flow write", "flow without-external-id",
                          "flow audit-write", "flow other-bucket", "flow other-vendor",
                          f"assertion {ASSERTIONS[0].name}", f"assertion {ASSERTIONS[1].name}"}
    failed = {name for name, c in cases.items() if not c.is_passed}
    assert failed == {"flow without-external-id", f"assertion {ASSERTIONS[0].name}"}
    [failure] = cases["flow without-external-id"].result
    assert isinstance(failure, Failure) and failure.type == "unexpected_allow"
    assert "expected deny" in failure.message
    assert "vendor-ec2" in cases[f"assertion {ASSERTIONS[0].name}"].result[0].text
    [lint_case] = list(suites["lint"])
    assert lint_case.name.startswith("TS001 statement #0") and not lint_case.is_passed
    assert suites["lake"].tests == 8 and suites["lake"].failures == 2


def test_markdown_comment(checked: Checked) -> None:
    text = check_markdown(checked)
    assert text.startswith("<!-- trustsim -->\n## trustsim check: ❌")
    assert "| | scenario | flow | outcome | expected | failing stage | why |" \
        .replace("| |", "|  |") in text
    assert "| ❌ | lake | without-external-id | allow | deny at hop1.trust |" in text
    assert "### Assertions" in text and "### Lint" in text
    assert "```mermaid\nflowchart LR" in text
    assert text.count("```mermaid") == 1  # only the failing flow


def test_flowchart_marks_the_failing_stage() -> None:
    [base] = load_scenarios([DIFF / "base"])
    denied = check_scenarios([base], flow="other-vendor").flows[0]
    chart = "\n".join(flowchart(denied))
    assert 's2["hop1.trust<br/>implicit_deny: no_allow_in_trust"]:::fail' in chart
    assert ":::pass" in chart and "s1 --> s2" in chart


def test_check_and_lint_json(checked: Checked) -> None:
    report = check_report(checked)
    assert report["schema_version"] and report["command"] == "check"
    assert report["summary"] == {"flows": 6, "allow": 3, "deny": 3, "expectations_failed": 1,
                                 "assertions": 2, "assertions_failed": 1, "findings": 1,
                                 "exit_code": 3}
    assert report["assertions"][0]["offenders"][0]["chain"][-1] == \
        "arn:aws:iam::444455556666:role/lake-access"
    [scenario] = load_scenarios([DIFF / "external-id-dropped"])
    lint = lint_report(lint_scenarios([scenario]).findings)
    assert lint["summary"] == {"findings": 1, "error": 0, "warning": 1, "info": 0}
    assert lint["findings"][0]["source"] == scenario.source
    json.dumps(report)


def test_diff_formats() -> None:
    base = load_scenarios([DIFF / "base"])
    head = load_scenarios([DIFF / "deny-removed"])
    diff = diff_worlds(base, head)
    log = Sarif.model_validate_json(diff_sarif(diff, "widen", _read))
    [result] = log.runs[0].results
    assert result.rule_id == "widened_access" and result.level.value == "error"
    text = (DIFF / "deny-removed" / "lake.yaml").read_text()
    assert result.locations[0].physical_location.region.start_line == \
        _line(text, "- Sid: ReadWriteLake")
    none = Sarif.model_validate_json(diff_sarif(diff, "none"))
    assert none.runs[0].results[0].level.value == "warning"
    xml = JUnitXml.fromstring(diff_junit(diff, "widen"))
    [suite] = list(xml)
    failed = [c.name for c in suite if not c.is_passed]
    assert failed == ["flow audit-write"] and suite.tests == 6
    [quiet] = list(JUnitXml.fromstring(diff_junit(diff, "none")))
    assert all(c.is_passed for c in quiet) and quiet.failures == 0
    md = diff_markdown(diff, "widen")
    assert "## trustsim diff: ❌ 1 widened, 0 narrowed" in md and "### Widened" in md
    assert "| ❌ | lake | audit-write access1 | explicit_deny | allow |" in md
    report = diff_report(diff, "widen")
    assert report["fails"] is True and report["summary"]["widened"] == 1
    assert report["widened"][0]["base_deciding"][0]["sid"] == "NoAuditWrites"


def test_an_only_assertion_points_at_the_grant() -> None:
    [scenario] = load_scenarios([DIFF / "wildcard-resource"])
    [rule] = parse_assertions([{"only": {
        "action": "s3:GetObject", "resource": "arn:aws:s3:::audit-logs/*",
        "principals": ["arn:aws:iam::444455556666:role/audit-*"]}}])
    results = check_assertions(scenario.world, [rule], scenario.name)
    checked = Checked(assertions=results, sources={scenario.name: scenario.source})
    [result] = Sarif.model_validate_json(check_sarif(checked, _read)).runs[0].results
    assert result.rule_id == "only_principals"
    text = Path(scenario.source).read_text()
    assert result.locations[0].physical_location.region.start_line == \
        _line(text, "- Sid: ReadWriteLake")
    assert "does not hold" in result.message.text and "lake-access" in result.message.text


def test_an_implicit_deny_points_at_the_closest_allow() -> None:
    [base] = load_scenarios([DIFF / "base"])
    [flow] = check_scenarios([base], flow="other-vendor").flows
    unexpected = flow.model_copy(update={"expect": None, "expectation_met": None})
    checked = Checked(flows=(unexpected,), sources={"lake": base.source})
    [problem] = problems(checked)
    assert (problem.kind, problem.rule, problem.level) == ("denied", "no_allow_in_trust",
                                                          "warning")
    assert (problem.policy, problem.statement) == ("lake-access/trust", 0)
    assert place(problem, _read) == (base.source, _line(Path(base.source).read_text(),
                                                        "- Sid: VendorWithExternalId"))
    assert exit_code(checked) == 2
