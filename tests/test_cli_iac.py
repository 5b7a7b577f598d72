"""The commands on infrastructure code named directly: who-can, reach, graph, lint, check,
diff and run read a Terraform plan or a CloudFormation template (found out from the
content, whatever the file is called) with --account-id, --region, --parameter and
--stack-name; a bad option or file is one line on stderr and exit 1; an unknown is named
and never reported as an allow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from simulator.cli import app

IAC = Path(__file__).parent / "fixtures" / "iac"
PLAN = IAC / "doris_cross_account.plan.json"
TEMPLATE = IAC / "qubole_dual_role.yaml"
CFN = ["--account-id", "444455556666", "--region", "us-east-1",
       "--parameter", "QuboleExternalId=qubole-ext-5f2a9c71", "--stack-name", "qubole-dual-role"]
SERVICE = "arn:aws:iam::444455556666:role/qubole/qubole-service-prod"
LAKEHOUSE = "arn:aws:s3:::acme-doris-lakehouse/doris/part-0.parquet"
UNKNOWN_BUCKET_POLICY = "aws_s3_bucket_policy.lakehouse.policy"
runner = CliRunner()


def _principals(world: dict[str, object]) -> set[str]:
    return {p["principal"] for g in world["accounts"] for p in g["principals"]}  # type: ignore[attr-defined,index]


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


# --- Terraform plans --------------------------------------------------------------------


def test_who_can_on_a_plan_never_reports_the_unknown_bucket_policy_as_an_allow() -> None:
    result = runner.invoke(app, ["who-can", "s3:GetObject", LAKEHOUSE, str(PLAN),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    [world] = json.loads(result.stdout)["worlds"]
    assert world["world"] == PLAN.name
    # the plan grants the Doris role and user s3:GetObject there, but the bucket policy is
    # computed at apply: its deny-everything stand-in decides, so nobody is listed
    assert _principals(world) == set()
    assert {(u["address"], u["attribute"]) for u in world["unknowns"]} >= {
        ("aws_s3_bucket_policy.lakehouse", "policy")}


def test_who_can_table_names_the_unknown() -> None:
    result = runner.invoke(app, ["who-can", "s3:GetObject", LAKEHOUSE, str(PLAN)])
    assert result.exit_code == 0, result.output
    assert f"note: {PLAN.name}: {UNKNOWN_BUCKET_POLICY} is unknown until deploy" in \
        " ".join(result.stdout.split())


def test_a_plan_is_found_by_content_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "customer-plan.txt"
    shutil.copy(PLAN, renamed)
    result = runner.invoke(app, ["reach", "arn:aws:iam::111122223333:role/doris/doris-s3-access",
                                 str(renamed), "--format", "json"])
    assert result.exit_code == 0, result.output
    [world] = json.loads(result.stdout)["worlds"]
    assert world["world"] == "customer-plan.txt" and world["unknowns"]


def test_account_id_fills_in_a_plan_without_caller_identity(tmp_path: Path) -> None:
    plan = json.loads(PLAN.read_text())
    module = plan["planned_values"]["root_module"]
    module["resources"] = [r for r in module["resources"]
                           if r["type"] != "aws_caller_identity"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    without = runner.invoke(app, ["lint", str(path)])
    assert without.exit_code == 1
    assert "the account is unknown: pass account_id" in without.output
    result = runner.invoke(app, ["lint", str(path), "--account-id", "210987654321",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    subjects = {f["subject"] for f in json.loads(result.stdout)["findings"]}
    assert "arn:aws:iam::210987654321:user/service-users/doris-ak-legacy" in subjects


def test_lint_on_a_plan_lists_its_unknowns() -> None:
    result = runner.invoke(app, ["lint", str(PLAN), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert any(UNKNOWN_BUCKET_POLICY in u for u in report["unknowns"])
    assert {f["source"] for f in report["findings"]} == {str(PLAN)}


def test_check_and_run_on_a_plan_have_no_flows_and_pass() -> None:
    for command in ("check", "run"):
        result = runner.invoke(app, [command, str(PLAN)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", str(PLAN), "--format", "markdown"])
    assert "### Unknown until deploy" in result.stdout and UNKNOWN_BUCKET_POLICY in result.stdout
    # run lists them too, as check does: in the table as notes, in JSON as `unknowns`
    table = runner.invoke(app, ["run", str(PLAN)])
    assert any(line.startswith("note: ") and UNKNOWN_BUCKET_POLICY in line
               for line in table.stdout.splitlines())
    report = json.loads(runner.invoke(app, ["run", str(PLAN), "--format", "json"]).stdout)
    assert any(UNKNOWN_BUCKET_POLICY in u for u in report["unknowns"])


def test_diff_compares_two_plans_whatever_their_names(tmp_path: Path) -> None:
    plan = json.loads(PLAN.read_text())
    for r in plan["planned_values"]["root_module"]["resources"]:
        if r["address"] == "aws_iam_role.doris_customer":
            trust = json.loads(r["values"]["assume_role_policy"])
            del trust["Statement"][0]["Condition"]  # the ExternalId guard dropped
            r["values"]["assume_role_policy"] = json.dumps(trust)
    head = tmp_path / "after.json"
    head.write_text(json.dumps(plan))
    result = runner.invoke(app, ["diff", str(PLAN), str(head), "--format", "json"])
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert any(c["kind"] == "who_can" and "doris-s3-access" in (c["resource"] or "")
               for c in report["widened"]), report["widened"]
    same = runner.invoke(app, ["diff", str(PLAN), str(PLAN), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.stdout)["widened"] == []


# --- CloudFormation templates ------------------------------------------------------------


def test_who_can_on_a_template_uses_account_region_parameters_and_stack_name() -> None:
    result = runner.invoke(app, ["who-can", "s3:GetObject", "arn:aws:s3:::acme-qubole-defloc/x",
                                 str(TEMPLATE), *CFN, "--format", "json"])
    assert result.exit_code == 0, result.output
    [world] = json.loads(result.stdout)["worlds"]
    assert world["unknowns"] == []
    principals = _principals(world)
    assert SERVICE in principals
    assert "arn:aws:iam::444455556666:role/qubole/qubole-dual-role-QuboleSecondaryRole" in \
        principals
    external = [p for g in world["accounts"] if g["external"] for p in g["principals"]]
    assert external and any("qubole-ext-5f2a9c71" in json.dumps(p["requires"])
                            for p in external)


def test_the_stack_name_and_region_reach_the_placeholders() -> None:
    result = runner.invoke(app, ["reach", SERVICE, str(TEMPLATE), "--account-id",
                                 "444455556666", "--region", "eu-west-1", "--parameter",
                                 "QuboleExternalId=x-5f2a9c71", "--stack-name", "lake",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "acme-sensitive-data-444455556666-eu-west-1" in text
    assert "role/qubole/lake-QuboleSecondaryRole" in text


def test_a_json_template_and_a_template_with_another_name_are_found_by_content(
        tmp_path: Path) -> None:
    renamed = tmp_path / "stack.template"
    shutil.copy(TEMPLATE, renamed)
    for path in (IAC / "qubole_dual_role.template.json", renamed):
        result = runner.invoke(app, ["check", str(path), *CFN])
        assert result.exit_code == 0, result.output


def test_a_parameter_without_a_value_leaves_an_unknown_that_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(TEMPLATE), "--account-id", "444455556666",
                                 "--region", "us-east-1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert any("QuboleExternalId" in u for u in json.loads(result.stdout)["unknowns"])


def test_graph_on_a_template_writes_the_unknowns_to_stderr_not_into_the_diagram() -> None:
    result = runner.invoke(app, ["graph", str(TEMPLATE), "--account-id", "444455556666",
                                 "--region", "us-east-1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("flowchart")
    assert "QuboleExternalId" in result.stderr and "QuboleExternalId" not in result.stdout


# --- bad input: one line, exit 1 ----------------------------------------------------------


def test_a_template_without_account_and_region_is_one_error() -> None:
    result = runner.invoke(app, ["who-can", "s3:GetObject", "arn:aws:s3:::b/k", str(TEMPLATE)])
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert line == (f"trustsim: error: {TEMPLATE}: a CloudFormation template: pass "
                    "--account-id and --region (its ARNs and bucket names are built from them)")


def test_a_malformed_parameter_is_one_error() -> None:
    result = runner.invoke(app, ["lint", str(TEMPLATE), "--account-id", "444455556666",
                                 "--region", "us-east-1", "--parameter", "QuboleExternalId"])
    assert result.exit_code == 1
    assert "--parameter 'QuboleExternalId': write KEY=VALUE" in _one_error_line(result.output)


def test_a_parameter_the_template_does_not_declare_is_one_error() -> None:
    result = runner.invoke(app, ["check", str(TEMPLATE), *CFN, "--parameter", "Nope=1"])
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert str(TEMPLATE) in line and "Nope" in line


def test_options_without_code_to_apply_them_to_are_one_error() -> None:
    scenario = Path(__file__).parent / "fixtures" / "scenarios" / "doris" / \
        "doris-repository.yaml"
    result = runner.invoke(app, ["check", str(scenario), "--account-id", "444455556666"])
    assert result.exit_code == 1
    assert "apply to a Terraform plan or a CloudFormation template" in \
        _one_error_line(result.output)
    result = runner.invoke(app, ["lint", str(PLAN), "--parameter", "A=b"])
    assert result.exit_code == 1
    assert "--parameter and --stack-name apply to CloudFormation templates" in \
        _one_error_line(result.output)


def test_a_bad_account_id_is_one_error() -> None:
    result = runner.invoke(app, ["lint", str(TEMPLATE), "--account-id", "4444",
                                 "--region", "us-east-1"])
    assert result.exit_code == 1
    assert "--account-id '4444' is not a 12-digit account id" in _one_error_line(result.output)


def test_a_binary_plan_is_one_error_with_the_conversion() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("tfplan", "x")
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        path = Path(folder) / "tfplan"
        path.write_bytes(buffer.getvalue())
        result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 1
    assert "terraform show -json tfplan > tfplan.json" in _one_error_line(result.output)


# --- scenarios with world_from -------------------------------------------------------------


def test_run_and_check_name_the_unknown_that_denied_an_expected_allow(tmp_path: Path) -> None:
    shutil.copy(PLAN, tmp_path / "plan.json")
    (tmp_path / "s.yaml").write_text(f"""\
name: lakehouse
world_from:
  - terraform: plan.json
flows:
  - name: legacy-user-reads
    start: {{user: arn:aws:iam::111122223333:user/service-users/doris-ak-legacy}}
    access:
      - {{action: s3:GetObject, resource: "{LAKEHOUSE}", context: {{aws:SourceIp: 203.0.113.9}}}}
    expect: allow
""", encoding="utf-8")
    run = runner.invoke(app, ["run", str(tmp_path / "s.yaml")])
    assert run.exit_code == 3, run.output
    flat = " ".join(run.stdout.split())
    assert f"access1 was decided by unknown {UNKNOWN_BUCKET_POLICY}" in flat
    assert f"lakehouse/legacy-user-reads: note: depends on unknown {UNKNOWN_BUCKET_POLICY}" in flat
    check = runner.invoke(app, ["check", str(tmp_path), "--format", "json"])
    assert check.exit_code == 3, check.output
    [flow] = json.loads(check.stdout)["flows"]
    assert flow["outcome"] == "deny" and flow["expectation_met"] is False
    assert any(UNKNOWN_BUCKET_POLICY in m for m in flow["mismatches"])
    assert flow["notes"] and flow["stages"][-1]["details"]["unknown"].startswith(
        UNKNOWN_BUCKET_POLICY)
    explain = runner.invoke(app, ["explain", str(tmp_path / "s.yaml")])
    assert f"note: depends on unknown {UNKNOWN_BUCKET_POLICY}" in " ".join(explain.stdout.split())
    as_json = runner.invoke(app, ["run", str(tmp_path / "s.yaml"), "--format", "json"])
    [run_flow] = json.loads(as_json.stdout)["flows"]
    assert run_flow["notes"] == flow["notes"]


def test_a_missing_world_from_file_is_one_error_from_the_cli(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: s\nworld_from:\n  - terraform: nope.json\n",
                                     encoding="utf-8")
    result = runner.invoke(app, ["run", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert line.startswith(f"trustsim: error: {tmp_path / 's.yaml'}: world_from[0].terraform: "
                           f"file 'nope.json' not found")


def test_the_seed_scenario_replays_its_flows_against_the_template() -> None:
    seed = Path(__file__).parent.parent / "scenarios" / "qubole" / \
        "proposed-cloudformation-stack.yaml"
    result = runner.invoke(app, ["run", str(seed), "--format", "json"])
    assert result.exit_code == 0, result.output
    flows = {f["flow"]: f for f in json.loads(result.stdout)["flows"]}
    assert flows["cluster-cannot-list-default-location"]["failed_stage"] == "access4"
    assert all(f["expectation_met"] for f in flows.values())


def test_explain_reports_a_plan_rather_than_misreading_it() -> None:
    result = runner.invoke(app, ["explain", str(PLAN)])
    assert result.exit_code == 1
    assert _one_error_line(result.output).endswith(
        "a Terraform plan, not a scenario file: name it in a scenario's world_from:, or pass "
        "it to who-can, reach, graph, lint, check, diff or run")


READONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ETL_TEMPLATE = IAC / "etl_managed_policy.yaml"


def test_managed_policy_supplies_what_a_template_only_attaches(tmp_path: Path) -> None:
    template = ETL_TEMPLATE
    doc = tmp_path / "readonly.json"
    doc.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    common = ["reach", "arn:aws:iam::444455556666:role/etl-EtlRole", str(template),
              "--account-id", "444455556666", "--region", "us-east-1", "--format", "json"]
    without = json.loads(runner.invoke(app, common).stdout)
    assert any(READONLY in u["reason"] for w in without["worlds"] for u in w["unknowns"])
    result = runner.invoke(app, [*common, "--managed-policy", f"{READONLY}={doc}"])
    assert result.exit_code == 0, result.output
    supplied = json.loads(result.stdout)
    assert all(not w["unknowns"] for w in supplied["worlds"])
    (tmp_path / "broken.json").write_text('{"Statement": [')
    for bad, message in ((f"{READONLY}", "write ARN=FILE"),
                         (f"{READONLY}={tmp_path / 'nope.json'}", "no such file"),
                         (f"{READONLY}={tmp_path / 'broken.json'}",
                          f"{tmp_path / 'broken.json'}: not valid JSON")):
        result = runner.invoke(app, [*common, "--managed-policy", bad])
        assert result.exit_code == 1 and message in result.output
