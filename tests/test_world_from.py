"""Scenarios that take their world from infrastructure code (`world_from:`): the files are
resolved beside the scenario, their worlds merge with the scenario's own (an entity defined
in two places is an error naming both), every bad entry is ONE input error naming the
scenario file and the place, and a flow that depends on an unknown says so and is never
allowed."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from simulator.account_data_fields import Problems
from simulator.errors import InputError, InputErrors
from simulator.flow_unknowns import replay_scenario
from simulator.iac.kind import iac_kind_of_text
from simulator.policy import PolicyKind, parse_policy
from simulator.scenario_sections import Sections
from simulator.scenario_world_from import Outside, merge
from simulator.scenarios import load_scenarios
from simulator.world import Account, World

IAC = Path(__file__).parent / "fixtures" / "iac"
SERVICE = "arn:aws:iam::444455556666:role/qubole/qubole-service-prod"
SECONDARY = "arn:aws:iam::444455556666:role/qubole/qubole-dual-role-QuboleSecondaryRole"
PROFILE = ("arn:aws:iam::444455556666:instance-profile/qubole/"
           "qubole-dual-role-QuboleInstanceProfile")
QDS = "arn:aws:iam::805246085872:user/qds"
DORIS_USER = "arn:aws:iam::111122223333:user/service-users/doris-ak-legacy"
CFN_ITEM = """\
  - cloudformation: iac/qubole.yaml
    account_id: "444455556666"
    region: us-east-1
    stack_name: qubole-dual-role
    parameters: {QuboleAccountId: "805246085872", QuboleExternalId: qx-5f2a9c71}
"""
CFN_ENTRY = "world_from:\n" + CFN_ITEM
VENDOR = f"""\
accounts:
  "805246085872": qubole
users:
  - arn: {QDS}
    policies:
      assume: {{Statement: {{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}}}}
"""
SERVICE_FLOW = f"""\
flows:
  - name: service
    start:
      qubole:
        qubole_principal: {QDS}
        account_role: {SERVICE}
        external_id: qx-5f2a9c71
        default_location: s3://acme-qubole-defloc/qds/
    expect: allow
"""


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "iac").mkdir(parents=True)
    shutil.copy(IAC / "qubole_dual_role.yaml", tmp_path / "iac" / "qubole.yaml")
    shutil.copy(IAC / "doris_cross_account.plan.json", tmp_path / "iac" / "doris.plan.json")
    return tmp_path


def _scenario(tmp_path: Path, *parts: str) -> Path:
    path = _folder(tmp_path) / "s.yaml"
    path.write_text("name: s\n" + "".join(textwrap.dedent(p) for p in parts), encoding="utf-8")
    return path


def _one_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenarios([path])
    assert not isinstance(info.value, InputErrors)
    return info.value


# --- merge and path resolution -----------------------------------------------------------


def test_the_vendor_side_runs_against_the_proposed_customer_side(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, VENDOR, SERVICE_FLOW)
    [scenario] = load_scenarios([path])
    world = scenario.world
    assert {SERVICE, SECONDARY} <= set(world.roles_by_arn)
    assert QDS in world.users_by_arn
    assert set(world.accounts) == {"805246085872", "444455556666"}
    assert world.accounts["805246085872"].name == "qubole"
    assert scenario.unknowns == ()
    [result] = replay_scenario(scenario)
    assert result.outcome == "allow" and result.expectation_met is True
    assert result.notes == ()


def test_the_template_parameters_of_the_entry_are_used(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY.replace("qx-5f2a9c71", "another-id"), VENDOR,
                     SERVICE_FLOW)
    [result] = replay_scenario(load_scenarios([path])[0])
    assert result.outcome == "deny" and result.failed_stage == "hop1.trust"


def test_files_resolve_beside_the_scenario_not_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _scenario(tmp_path / "project", CFN_ENTRY, VENDOR, SERVICE_FLOW)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    [scenario] = load_scenarios([path])
    assert SERVICE in scenario.world.roles_by_arn


def test_a_scenario_profile_may_hold_a_role_of_the_code_and_its_account_counts_as_declared(
        tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, VENDOR, f"""\
        instance_profiles:
          - {{arn: "arn:aws:iam::444455556666:instance-profile/extra", role: {SECONDARY}}}
        buckets:
          - {{name: acme-other-bucket, account: "444455556666"}}
        """)
    [scenario] = load_scenarios([path])
    assert "arn:aws:iam::444455556666:instance-profile/extra" in scenario.world.profiles_by_arn
    assert "acme-other-bucket" in scenario.world.buckets_by_name


def test_two_files_of_different_kinds_merge(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY + "  - terraform: iac/doris.plan.json\n")
    [scenario] = load_scenarios([path])
    assert SERVICE in scenario.world.roles_by_arn and DORIS_USER in scenario.world.users_by_arn
    assert scenario.world.organization is not None  # from the plan
    assert {u.address for u in scenario.unknowns} == {
        "aws_s3_bucket_policy.lakehouse", "module.singlestore_irsa.aws_iam_role_policy.s3"}


# --- the merge rule: one definition per entity --------------------------------------------


def test_an_entity_defined_in_the_scenario_and_the_code_is_one_error_naming_both(
        tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, f"""\
        roles:
          - arn: {SERVICE}
            trust: {{Statement: {{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}},
                                  Action: sts:AssumeRole}}}}
        """)
    error = _one_error(path)
    assert error.source == str(path) and error.location == "roles[0].arn"
    assert error.message.startswith(f"role {SERVICE} is also defined by iac/qubole.yaml "
                                    f"(world_from[0]): define it in one place")


def test_an_entity_defined_by_two_files_is_one_error_at_the_second(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY + CFN_ITEM.replace("qx-5f2a9c71", "x2-5f2a9c71"))
    with pytest.raises(InputErrors) as info:
        load_scenarios([path])
    assert {e.location for e in info.value.errors} == {"world_from[1]"}
    assert any(e.message.startswith(f"role {SERVICE} is defined by both iac/qubole.yaml "
                                    f"(world_from[0]) and iac/qubole.yaml: define it in one "
                                    f"place") for e in info.value.errors)


def test_the_organization_comes_from_one_place(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "world_from:\n  - terraform: iac/doris.plan.json\n",
                     "organization: {id: o-abc123defg}\n")
    error = _one_error(path)
    assert (error.source, error.location) == (str(path), "organization")
    assert "also defined by iac/doris.plan.json (world_from[0])" in error.message


def test_an_account_placed_in_the_organization_on_both_sides_is_an_error() -> None:
    scp = parse_policy({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}},
                       name="FullAWSAccess", kind=PolicyKind.scp)
    own = World(accounts={"111122223333": Account(id="111122223333", name="lake",
                                                  ou_path="root", scps=(scp,))})
    theirs = Outside(world=World(accounts={"111122223333": Account(
        id="111122223333", ou_path="root/Data", scps=(scp,))}),
        origin={"account 111122223333": ("world_from[0]", "plan.json")})
    problems = Problems()
    merge(own, Sections(), theirs, problems, "s.yaml")
    [error] = problems.errors
    assert (error.source, error.location) == ("s.yaml", "accounts.111122223333.ou")
    assert error.message == ("account 111122223333 is also placed in the organization by "
                             "plan.json (world_from[0]): place it in one")


def test_an_account_placed_on_one_side_only_keeps_the_placement_and_the_name() -> None:
    scp = parse_policy({"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}},
                       name="NoS3", kind=PolicyKind.scp)
    own = World(accounts={"111122223333": Account(id="111122223333", name="lake")})
    theirs = Outside(world=World(accounts={"111122223333": Account(
        id="111122223333", ou_path="root", scps=(scp,))}),
        origin={"account 111122223333": ("world_from[0]", "plan.json")})
    problems = Problems()
    merged = merge(own, Sections(), theirs, problems, "s.yaml")
    assert not problems.errors
    account = merged.accounts["111122223333"]
    assert (account.name, account.ou_path, account.scps) == ("lake", "root", (scp,))


def test_an_account_named_by_the_scenario_keeps_its_name(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, 'accounts:\n  "444455556666": acme-data\n')
    [scenario] = load_scenarios([path])
    assert scenario.world.accounts["444455556666"].name == "acme-data"


# --- bad entries: one error each, naming the scenario and the place ------------------------


def test_a_missing_file_is_one_error_at_the_entry(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "world_from:\n  - terraform: plans/nope.json\n")
    error = _one_error(path)
    assert (error.source, error.location) == (str(path), "world_from[0].terraform")
    assert error.message.startswith("file 'plans/nope.json' not found (looked for ")
    assert "(line 3)" in error.message


def test_an_unknown_key_is_one_error_with_a_suggestion(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY.replace("account_id:", "acount_id:"))
    with pytest.raises(InputErrors) as info:
        load_scenarios([path])
    found = {(e.location, e.message.split(" (")[0]) for e in info.value.errors}
    assert found == {("world_from[0].account_id", "is required"),
                     ("world_from[0].acount_id",
                      "unknown key 'acount_id'; did you mean 'account_id'?")}
    assert all(e.source == str(path) for e in info.value.errors)


def test_a_file_of_the_other_kind_is_one_error_saying_what_it_is(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "world_from:\n  - terraform: iac/qubole.yaml\n")
    error = _one_error(path)
    assert (error.source, error.location) == (str(path), "world_from[0].terraform")
    assert error.message.startswith("iac/qubole.yaml: not a Terraform plan")
    assert "it is a CloudFormation template" in error.message


def test_a_file_of_neither_kind_is_one_error(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY.replace("iac/qubole.yaml", "s.yaml"))
    error = _one_error(path)
    assert error.location == "world_from[0].cloudformation"
    assert "not a CloudFormation template" in error.message and "it is neither" in error.message


def test_an_entry_with_both_kinds_is_one_error(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "world_from:\n  - {terraform: a.json, cloudformation: b.yaml}\n")
    error = _one_error(path)
    assert error.location == "world_from[0]"
    assert error.message.startswith("a world_from entry has exactly one of: terraform, "
                                    "cloudformation")


def test_a_problem_inside_the_file_names_that_file_and_its_place(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY)
    template = path.parent / "iac" / "qubole.yaml"
    template.write_text(template.read_text().replace("Effect: Allow", "Effect: Alow", 1))
    error = _one_error(path)
    assert error.source == str(template)
    assert error.location.startswith("Resources.QuboleServiceRole.Properties."
                                     "AssumeRolePolicyDocument.Statement[0]")
    assert "(line" not in error.message  # a line of the scenario would be a wrong place


def test_a_flow_naming_a_missing_role_says_where_roles_come_from(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, VENDOR, SERVICE_FLOW.replace(
        "qubole-service-prod", "qubole-service"))
    error = _one_error(path)
    assert error.location == "flows[0].start.qubole"
    assert "is not declared under roles: or by a world_from file" in error.message


# --- folders --------------------------------------------------------------------------------


def test_a_folder_skips_the_code_its_scenarios_name(tmp_path: Path) -> None:
    path = _scenario(tmp_path, CFN_ENTRY, VENDOR, SERVICE_FLOW)
    shutil.copy(IAC / "qubole_dual_role.template.json", path.parent / "iac" / "q.json")
    assert [s.name for s in load_scenarios([path.parent])] == ["s"]


def test_code_named_as_a_scenario_is_reported_not_misread(tmp_path: Path) -> None:
    path = _folder(tmp_path) / "iac" / "doris.plan.json"
    error = _one_error(path)
    assert error.source == str(path)
    assert error.message.startswith("a Terraform plan, not a scenario file: name it in a "
                                    "scenario's world_from:")


def test_kind_is_read_from_the_content() -> None:
    assert iac_kind_of_text((IAC / "qubole_dual_role.yaml").read_text()) == "cloudformation"
    assert iac_kind_of_text((IAC / "qubole_dual_role.template.json").read_text()) == \
        "cloudformation"
    assert iac_kind_of_text((IAC / "doris_cross_account.plan.json").read_text()) == "terraform"
    assert iac_kind_of_text('{"format_version": "1.0", "values": {}}') == "terraform"
    assert iac_kind_of_text('{"format_version": "1.0"}') is None
    assert iac_kind_of_text("name: s\nroles: []\n") is None
    assert iac_kind_of_text("Resources:\n  X: {Type: Custom::Thing}\n") is None
    assert iac_kind_of_text("Resources:\n  B: {Type: AWS::S3::Bucket}\n") == "cloudformation"
    assert iac_kind_of_text("Resources:\n  B:\n    'Type': 'AWS::S3::Bucket'\n") == \
        "cloudformation"
    assert iac_kind_of_text("name: s\nabout: 'Resources: Type: AWS::IAM::Role'\n") is None


# --- unknowns: named, never an allow -------------------------------------------------------


def _doris(tmp_path: Path, expect: str) -> Path:
    return _scenario(tmp_path, "world_from:\n  - terraform: iac/doris.plan.json\n", f"""\
        flows:
          - name: read
            start: {{user: {DORIS_USER}}}
            access:
              - {{action: s3:GetObject, resource: "arn:aws:s3:::acme-doris-lakehouse/doris/x",
                 context: {{aws:SourceIp: 203.0.113.9}}}}
            expect: {expect}
          - name: keys-only
            start: {{user: {DORIS_USER}}}
            expect: allow
        """)


def test_a_flow_denied_by_an_unknown_names_it_and_is_never_allowed(tmp_path: Path) -> None:
    read, keys_only = replay_scenario(load_scenarios([_doris(tmp_path, "allow")])[0])
    assert read.outcome == "deny" and read.expectation_met is False
    assert read.failed_stage == "access1"
    stage = read.stages[-1]
    assert stage.status.value == "explicit_deny"
    assert stage.details["unknown"].startswith("aws_s3_bucket_policy.lakehouse.policy: the "
                                               "policy JSON is known only after apply")
    assert any("narrow or remove" not in h and "unknown until deploy" in h for h in stage.hints)
    assert not any("'unknown: " in h for h in stage.hints)
    assert ("access1 was decided by unknown aws_s3_bucket_policy.lakehouse.policy, a stand-in "
            "that denies everything until deploy") in read.mismatches
    assert read.notes == ("depends on unknown aws_s3_bucket_policy.lakehouse.policy: the "
                          "policy JSON is known only after apply (it is computed from values "
                          "that do not exist yet)",)
    assert keys_only.outcome == "allow" and keys_only.notes == ()


def test_a_deny_expected_because_of_an_unknown_still_carries_the_note(tmp_path: Path) -> None:
    read, _ = replay_scenario(load_scenarios([_doris(tmp_path, "deny")])[0])
    assert read.expectation_met is True
    assert read.notes and "aws_s3_bucket_policy.lakehouse.policy" in read.notes[0]
    assert not any("unknown" in m for m in read.mismatches)


# --- managed policies the code attaches but does not define -------------------------------

READONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ETL_ROLE = "arn:aws:iam::444455556666:role/etl-EtlRole"
READONLY_DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}
ETL_FLOW = f"""\
buckets:
  - {{name: etl-data, account: "444455556666"}}
flows:
  - name: read
    start: {{instance_profile: {ETL_ROLE}}}
    access: [{{action: s3:GetObject, resource: "arn:aws:s3:::etl-data/k"}}]
"""


def _etl(tmp_path: Path, supplied: str, policies: str = "") -> Path:
    shutil.copy(IAC / "etl_managed_policy.yaml", tmp_path / "etl.yaml")
    (tmp_path / "readonly.json").write_text(json.dumps(READONLY_DOC))
    path = tmp_path / "s.yaml"
    path.write_text("name: s\n" + policies + "world_from:\n"
                    "  - cloudformation: etl.yaml\n"
                    "    account_id: \"444455556666\"\n"
                    "    region: us-east-1\n"
                    "    stack_name: etl\n" + supplied + ETL_FLOW, encoding="utf-8")
    return path


@pytest.mark.parametrize(("supplied", "policies"), [
    (f"    managed_policies: {{{READONLY}: readonly.json}}\n", ""),         # a file beside
    (f"    managed_policies: {{{READONLY}: {json.dumps(READONLY_DOC)}}}\n", ""),  # in place
    (f"    managed_policies: {{{READONLY}: ReadOnly}}\n",                   # by name
     "policies: {ReadOnly: readonly.json}\n"),
])
def test_a_managed_policy_the_code_only_attaches_can_be_supplied(
        tmp_path: Path, supplied: str, policies: str) -> None:
    [scenario] = load_scenarios([_etl(tmp_path, supplied, policies)])
    assert scenario.unknowns == ()
    role = scenario.world.roles_by_arn[ETL_ROLE]
    assert [p.name for p in role.policies] == [READONLY]
    [result] = replay_scenario(scenario)
    assert result.outcome == "allow" and result.notes == ()


def test_without_its_document_a_managed_policy_is_an_unknown_that_denies(
        tmp_path: Path) -> None:
    [scenario] = load_scenarios([_etl(tmp_path, "")])
    [unknown] = scenario.unknowns
    assert READONLY in unknown.describe() and "managed_policies" in unknown.describe()
    [result] = replay_scenario(scenario)
    assert result.outcome == "deny" and any(READONLY in n for n in result.notes)


def test_a_supplied_policy_that_is_missing_or_invalid_is_one_error(tmp_path: Path) -> None:
    error = _one_error(_etl(tmp_path, f"    managed_policies: {{{READONLY}: nope.json}}\n"))
    assert error.location == f"world_from[0].managed_policies.{READONLY}"
    assert "nope.json" in error.message
    error = _one_error(_etl(tmp_path, f"    managed_policies: {{{READONLY}: NoSuchName}}\n"))
    assert "no policy named 'NoSuchName'" in error.message
    bad = {"Statement": {"Effect": "Permit", "Action": "s3:*", "Resource": "*"}}
    error = _one_error(_etl(tmp_path,
                            f"    managed_policies: {{{READONLY}: {json.dumps(bad)}}}\n"))
    assert error.location == f"world_from[0].managed_policies.{READONLY}.Statement[0].Effect"
    assert error.source is not None and error.source.endswith("s.yaml")
