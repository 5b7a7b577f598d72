"""The commands as a user meets them: exit codes, formats, and bad input that gets one
clear message naming the file and the place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scenarios"
runner = CliRunner()

CASE = {"id": "c1", "policies": {"identity": [{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}]},
        "request": {"principal_arn": "arn:aws:iam::111111111111:user/alice",
                    "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "expected": "allow"}


def _write(tmp_path: Path, cases: object) -> Path:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    return path


def test_evaluate_conformance_cases_all_match() -> None:
    result = runner.invoke(app, ["evaluate", "--cases", str(DATA / "conformance_cases.json"),
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    decided = [rec for rec in lines if "decision" in rec]
    assert len(decided) == 75
    assert all(rec["matches"] for rec in decided)
    assert "summary" in lines[-1] and "decision" not in lines[-1]


def test_evaluate_mismatch_exits_3(tmp_path: Path) -> None:
    case = dict(CASE, expected="implicit_deny")
    result = runner.invoke(app, ["evaluate", "--cases", str(_write(tmp_path, [case])),
                                 "--format", "json"])
    assert result.exit_code == 3
    assert json.loads(result.output)["cases"][0]["decision"] == "allow"


def test_invalid_case_is_an_error_and_others_still_run(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(CASE))
    bad["id"] = "bad"
    bad["policies"]["identity"][0]["Statement"][0]["Effect"] = "allow"
    result = runner.invoke(app, ["evaluate", "--cases", str(_write(tmp_path, [bad, CASE])),
                                 "--format", "jsonl"])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines()][:2]
    assert records[0]["decision"] == "error"
    assert "Statement[0].Effect" in records[0]["error"] and "bad" in records[0]["error"]
    assert records[1]["decision"] == "allow"


@pytest.mark.parametrize(("content", "needle"), [
    ("{\n", "line 2 column 1"),
    ('{"x": 1}', "a cases file is a JSON array"),
])
def test_unreadable_cases_file_exits_1_with_its_name(tmp_path: Path, content: str,
                                                     needle: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    result = runner.invoke(app, ["evaluate", "--cases", str(path)])
    assert result.exit_code == 1
    assert "broken.json" in result.output and needle in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_1() -> None:
    result = runner.invoke(app, ["evaluate", "--cases", "/nonexistent/cases.json"])
    assert result.exit_code == 1 and "no such file" in result.output


def test_explain_prints_the_deciding_condition() -> None:
    result = runner.invoke(app, ["evaluate", "--cases", str(DATA / "conformance_cases.json"),
                                 "--id", "xacct-assume-externalid-missing", "--explain"])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert "sts:ExternalId" in flat and "the request sent none" in flat


def test_explain_full_shows_statements_about_other_actions(tmp_path: Path) -> None:
    case = {**CASE, "policies": {"identity": [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "Other", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::b/*"}]}]}}
    path = _write(tmp_path, [case])
    short = runner.invoke(app, ["evaluate", "--cases", str(path), "--explain"])
    full = runner.invoke(app, ["evaluate", "--cases", str(path), "--explain", "--full"])
    assert short.exit_code == full.exit_code == 0
    assert "1 statement(s) not about this action" in short.output
    assert "(Other)" not in short.output
    assert "statement #1 (Other): does not apply" in full.output
    assert "action_mismatch" in full.output


def test_run_json_has_the_documented_shape() -> None:
    result = runner.invoke(app, ["run", str(FIXTURES), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    flow = report["flows"][0]
    for key in ("scenario", "flow", "outcome", "expected", "stages"):
        assert key in flow
    stage = flow["stages"][0]
    assert {"name", "decision", "deciding"} <= set(stage)
    assert all({"policy", "index", "sid"} <= set(d) for s in flow["stages"]
               for d in s["deciding"])


def test_run_unmet_expectation_exits_3(tmp_path: Path) -> None:
    source = next(FIXTURES.rglob("*.yaml"))
    text = source.read_text().replace("expect: allow", "expect: {outcome: deny}", 1)
    for extra in source.parent.glob("*.json"):
        (tmp_path / extra.name).write_text(extra.read_text())
    (tmp_path / source.name).write_text(text)
    result = runner.invoke(app, ["run", str(tmp_path / source.name)])
    assert result.exit_code == 3


def test_run_bad_scenario_exits_1_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nroles:\n  - arn: not-an-arn\n    trust: {}\nbogus: 1\n")
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "roles[0]" in result.output
    assert "bogus" in result.output and "Traceback" not in result.output


def test_explain_walkthrough_tells_the_chain_in_steps() -> None:
    source = next(FIXTURES.rglob("*.yaml"))
    result = runner.invoke(app, ["explain", str(source), "--walkthrough"])
    assert result.exit_code == 0
    assert "Step 1." in result.output and "Outcome:" in result.output


@pytest.mark.parametrize(("action", "resource", "message"), [
    ("s3:GetObject", "customer-lake", "RESOURCE: not an ARN"),
    ("s3GetObject", "arn:aws:s3:::customer-lake/*", "ACTION: action 's3GetObject'"),
])
def test_who_can_refuses_a_misspelt_question(action: str, resource: str, message: str) -> None:
    """A question with no valid ARN would answer "nobody": bad input, exit 1."""
    result = runner.invoke(app, ["who-can", action, resource, str(FIXTURES)])
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("argv", [
    ["check", "scenarios/", "--format", "xml"],  # a format the command does not print
    ["check"],                                   # a missing argument
    ["run", "scenarios/", "--bogus"],             # an unknown option
    ["diff", "a", "b", "--fail-on", "sometimes"],
    ["who-can", "s3:GetObject", "*", "scenarios/doris", "--format", "jsonl"],  # one document
    ["reach", "arn:aws:iam::111122223333:role/x", "scenarios/doris", "--format", "jsonl"],
])
def test_usage_errors_are_bad_input_exit_1(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2 means "a flow without expectations was denied": a typo in the command line
    must not look like that to a CI job that tolerates 2 (docs/ci.md)."""
    from simulator.cli import main

    monkeypatch.setattr("sys.argv", ["trustsim", *argv])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    assert "Error:" in capsys.readouterr().err


def test_main_passes_on_a_command_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.cli import main

    case = dict(CASE, expected="implicit_deny")
    monkeypatch.setattr("sys.argv", ["trustsim", "evaluate", "--cases",
                                     str(_write(tmp_path, [case])), "--format", "json"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 3
    assert json.loads(capsys.readouterr().out)["cases"][0]["decision"] == "allow"


def test_lint_reports_findings_only_each_with_its_file() -> None:
    """lint replays no flow: no empty flow table, no "0 flows" in its summaries."""
    root = Path(__file__).resolve().parent.parent
    table = runner.invoke(app, ["lint", str(root / "scenarios" / "qubole")])
    assert table.exit_code == 0, table.output
    assert "flows" not in table.output
    lines = [line for line in table.output.splitlines() if " TS0" in line]
    assert lines and all(line.startswith(str(root / "scenarios" / "qubole")) for line in lines)
    markdown = runner.invoke(app, ["lint", str(root / "scenarios" / "qubole"),
                                   "--format", "markdown"])
    heading = markdown.output.splitlines()[1]
    assert heading.startswith("## trustsim lint: ") and "lint findings" in heading
    assert "flows" not in heading


@pytest.mark.parametrize(("argv", "where"), [
    (["graph", "scenarios/doris", "--resource", "not-an-arn"], "--resource: not an ARN"),
    (["who-can", "s3:GetObject", "arn:aws:iam::12:role/x", "scenarios/doris"],
     "RESOURCE: account segment '12'"),
])
def test_a_misspelt_resource_is_bad_input(argv: list[str], where: str) -> None:
    """A question about a resource that cannot exist must not answer "nobody" (exit 0)."""
    root = Path(__file__).resolve().parent.parent
    argv = [str(root / a) if a.startswith("scenarios/") else a for a in argv]
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert where in result.output
