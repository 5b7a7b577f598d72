"""The CloudFormation reader: template text (JSON or YAML with short tags) -> World.

Intrinsic functions: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
Pseudo parameters: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
The fixtures are the Qubole dual-role setup (tests/fixtures/iac/qubole_dual_role.yaml, and
a JSON variant): a cross-account Service role trusted by Qubole's account with an external
id, a Secondary role trusted by ec2.amazonaws.com with its instance profile, the PassRole
policy between them, and the bucket policies of the default location and the data bucket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.decision import PolicySet, decide
from simulator.errors import InputError, PolicyError
from simulator.iac import IacWorld, load_cloudformation, world_from_cloudformation
from simulator.policy import PolicyKind
from simulator.request import make_request
from simulator.results import Decision

FIXTURES = Path(__file__).parent / "fixtures" / "iac"
YAML = FIXTURES / "qubole_dual_role.yaml"
JSON = FIXTURES / "qubole_dual_role.template.json"
ACCT = "111122223333"
EXTERNAL_ID = "qubole-ext-5f2a9c71"
SERVICE = f"arn:aws:iam::{ACCT}:role/qubole/qubole-service-prod"
SECONDARY = f"arn:aws:iam::{ACCT}:role/qubole/qubole-dual-role-QuboleSecondaryRole"
PROFILE = f"arn:aws:iam::{ACCT}:instance-profile/qubole/qubole-dual-role-QuboleInstanceProfile"
DATA_POLICY = f"arn:aws:iam::{ACCT}:policy/qubole/qubole-data-prod"
BOUNDARY = f"arn:aws:iam::{ACCT}:policy/boundaries/qubole-cluster-boundary"
DATA_BUCKET = f"acme-sensitive-data-{ACCT}-us-east-1"


def qubole(**parameters: str) -> IacWorld:
    return load_cloudformation(YAML, ACCT, "us-east-1",
                               {"QuboleExternalId": EXTERNAL_ID, **parameters},
                               stack_name="qubole-dual-role")


@pytest.fixture(scope="module")
def yaml_world() -> IacWorld:
    return qubole()


def _role(iw: IacWorld, arn: str) -> Any:
    return iw.world.roles_by_arn[arn]


# --- the YAML fixture -----------------------------------------------------------------------


def test_roles_have_paths_and_placeholder_names(yaml_world: IacWorld) -> None:
    assert sorted(yaml_world.world.roles_by_arn) == [SECONDARY, SERVICE]
    generated = yaml_world.placeholder("QuboleSecondaryRole", "Properties.RoleName")
    assert generated is not None and generated.value == "qubole-dual-role-QuboleSecondaryRole"
    arn = yaml_world.placeholder("QuboleServiceRole", "Arn")
    assert arn is not None and arn.value == SERVICE


def test_service_role_trust_resolves_sub_and_parameter(yaml_world: IacWorld) -> None:
    (st,) = _role(yaml_world, SERVICE).trust.statements
    assert st.principal.aws == ("arn:aws:iam::210987654321:root",)
    assert [(c.key, c.values) for c in st.conditions] == [("sts:ExternalId", (EXTERNAL_ID,))]


def test_secondary_role_trusts_ec2_through_url_suffix(yaml_world: IacWorld) -> None:
    (st,) = _role(yaml_world, SECONDARY).trust.statements
    assert st.principal.service == ("ec2.amazonaws.com",)


def test_inline_attached_managed_and_boundary(yaml_world: IacWorld) -> None:
    service = _role(yaml_world, SERVICE)
    assert [p.name for p in service.policies] == [
        "qubole-default-location", "qubole-ec2-cluster-lifecycle", "qubole-pass-secondary-role"]
    assert service.policies[0].statements[1].resource == ("arn:aws:s3:::acme-qubole-defloc/*",)
    assert service.policies[1].statements[0].conditions[0].values == ("us-east-1",)
    assert service.boundary is None
    secondary = _role(yaml_world, SECONDARY)
    assert [p.name for p in secondary.policies] == [DATA_POLICY]
    assert secondary.policies[0].statements[1].resource == (
        f"arn:aws:s3:::{DATA_BUCKET}/warehouse/*",)
    assert secondary.boundary is not None and secondary.boundary.name == BOUNDARY
    assert secondary.boundary.kind is PolicyKind.boundary


def test_pass_role_policy_names_the_secondary_role_and_profile(yaml_world: IacWorld) -> None:
    passrole = _role(yaml_world, SERVICE).policies[2]
    assert [s.resource for s in passrole.statements] == [(SECONDARY,), (PROFILE,)]


def test_instance_profile_holds_the_secondary_role(yaml_world: IacWorld) -> None:
    assert yaml_world.world.profiles_by_arn[PROFILE].role == SECONDARY


def test_if_on_a_parameter_condition_and_tags(yaml_world: IacWorld) -> None:
    service = _role(yaml_world, SERVICE)
    assert service.max_session_duration == 43200
    assert service.tags == {"vendor": "qubole", "environment": "prod"}
    dev = qubole(Environment="dev")
    dev_role = dev.world.roles_by_arn[f"arn:aws:iam::{ACCT}:role/qubole/qubole-service-dev"]
    assert dev_role.max_session_duration == 3600
    assert f"arn:aws:iam::{ACCT}:policy/qubole/qubole-data-dev" in [
        p.name for p in dev.world.roles_by_arn[SECONDARY].policies]


def test_bucket_names_and_policies(yaml_world: IacWorld) -> None:
    buckets = yaml_world.world.buckets_by_name
    assert sorted(buckets) == ["acme-qubole-defloc", DATA_BUCKET]
    defloc = buckets["acme-qubole-defloc"].policy
    assert defloc is not None and defloc.kind is PolicyKind.resource
    assert defloc.statements[0].principal.aws == (SERVICE,)
    assert defloc.statements[1].conditions[0].values == ("false",)
    data = buckets[DATA_BUCKET].policy
    assert data is not None
    assert [s.sid for s in data.statements] == ["OnlyTheClusterRoleReadsObjects",
                                                "DenyInsecureTransport"]


def test_condition_true_keeps_the_if_branch() -> None:
    audit = f"arn:aws:iam::{ACCT}:role/audit"
    data = qubole(AuditRoleArn=audit).world.buckets_by_name[DATA_BUCKET].policy
    assert data is not None
    assert [s.sid for s in data.statements] == ["OnlyTheClusterRoleReadsObjects",
                                                "AuditTeamRead", "DenyInsecureTransport"]
    assert data.statements[1].principal.aws == (audit,)


def test_role_id_placeholder_is_the_roles_id(yaml_world: IacWorld) -> None:
    role_id = _role(yaml_world, SECONDARY).id
    assert role_id is not None and role_id.startswith("AROA") and len(role_id) == 21
    data = yaml_world.world.buckets_by_name[DATA_BUCKET].policy
    assert data is not None
    assert data.statements[0].conditions[0].values == (f"{role_id}:*", ACCT)
    placeholder = yaml_world.placeholder("QuboleSecondaryRole", "RoleId")
    assert placeholder is not None and placeholder.value == role_id
    assert _role(yaml_world, SERVICE).id is None


def test_parameter_without_value_is_unknown_at_its_property_path() -> None:
    iw = load_cloudformation(YAML, ACCT, "us-east-1", stack_name="qubole-dual-role")
    (unknown,) = iw.unknowns
    assert unknown.address == "QuboleServiceRole"
    assert unknown.attribute == ("Properties.AssumeRolePolicyDocument.Statement[0].Condition."
                                 "StringEquals.sts:ExternalId")
    assert unknown.affects == (SERVICE,)
    assert "QuboleExternalId" in unknown.reason
    trust = iw.world.roles_by_arn[SERVICE].trust
    assert (trust.statements[0].effect, trust.statements[0].principal.everyone) == ("Deny", True)


def test_the_proposed_chain_decides(yaml_world: IacWorld) -> None:
    service = _role(yaml_world, SERVICE)
    qubole_session = "arn:aws:sts::210987654321:assumed-role/qubole-control-plane/qds"
    req = make_request(qubole_session, "sts:AssumeRole", SERVICE,
                       context={"sts:ExternalId": "wrong"})
    assert decide(req, PolicySet(resource=service.trust)).decision is Decision.implicit_deny
    session = f"arn:aws:sts::{ACCT}:assumed-role/qubole-service-prod/qds"
    passrole = make_request(session, "iam:PassRole", SECONDARY, role_arn=SERVICE,
                            context={"iam:PassedToService": "ec2.amazonaws.com"})
    assert decide(passrole, PolicySet(identity=service.policies)).decision is Decision.allow


# --- the JSON variant -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def json_world() -> IacWorld:
    return load_cloudformation(JSON, ACCT, "eu-west-1", {"QuboleExternalId": EXTERNAL_ID})


def test_json_variant_same_trust_as_yaml(json_world: IacWorld, yaml_world: IacWorld) -> None:
    j = json_world.world.roles_by_arn[f"arn:aws:iam::{ACCT}:role/qubole/qubole-service"]
    assert j.trust.statements == _role(yaml_world, SERVICE).trust.statements


def test_json_variant_select_split_join(json_world: IacWorld) -> None:
    names = sorted(json_world.world.buckets_by_name)
    assert names == [f"qubole-defloc-{ACCT}-000000000000", "stack-sensitivedata"]
    assert json_world.placeholder("AWS::StackId", "") is not None
    roles = sorted(json_world.world.roles_by_arn)
    assert f"arn:aws:iam::{ACCT}:role/qubole/qubole-cluster-amazonaws" in roles
    lifecycle = json_world.world.roles_by_arn[
        f"arn:aws:iam::{ACCT}:role/qubole/qubole-service"].policies[1]
    assert lifecycle.statements[0].resource[:2] == (
        f"arn:aws:ec2:eu-west-1:{ACCT}:subnet/subnet-0a1b2c3d",
        f"arn:aws:ec2:eu-west-1:{ACCT}:subnet/subnet-4e5f6a7b")
    assert json_world.world.buckets_by_name["stack-sensitivedata"].restrict_public_buckets \
        is False


def test_json_variant_import_value_and_aws_managed_policy_are_unknown(
        json_world: IacWorld) -> None:
    cluster = f"arn:aws:iam::{ACCT}:role/qubole/qubole-cluster-amazonaws"
    assert sorted(u.where for u in json_world.unknowns_affecting(cluster)) == [
        "QuboleLogShippingPolicy.Properties.PolicyDocument.Statement[0].Resource",
        "QuboleSecondaryRole.Properties.ManagedPolicyArns[1]"]
    names = [p.name for p in json_world.world.roles_by_arn[cluster].policies]
    assert names[0].startswith("unknown: QuboleLogShippingPolicy")


def test_supplied_managed_policy_replaces_the_stand_in() -> None:
    ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:UpdateInstanceInformation", "Resource": "*"}]}
    iw = load_cloudformation(JSON, ACCT, "eu-west-1", {"QuboleExternalId": EXTERNAL_ID},
                             managed_policies={ssm: doc})
    assert [u.address for u in iw.unknowns] == ["QuboleLogShippingPolicy"]
    cluster = iw.world.roles_by_arn[f"arn:aws:iam::{ACCT}:role/qubole/qubole-cluster-amazonaws"]
    assert cluster.policies[-1].name == ssm


# --- intrinsics on small templates ----------------------------------------------------------

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]}


def template(resources: dict[str, Any], **sections: Any) -> str:
    return json.dumps({"Resources": resources, **sections})


def role(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST, **props}}


def read(text: str, **kwargs: Any) -> IacWorld:
    kwargs.setdefault("account_id", ACCT)
    kwargs.setdefault("region", "us-east-1")
    return world_from_cloudformation(text, "t.json", **kwargs)


def test_sub_variable_map_literal_and_find_in_map() -> None:
    name = {"Fn::Sub": ["${Team}-${AWS::Region}-${!Literal}", {"Team": {
        "Fn::FindInMap": ["Teams", {"Ref": "Env"}, "Name"]}}]}
    t = template({"R": role(RoleName=name)}, Parameters={"Env": {"Type": "String",
                                                                  "Default": "prod"}},
                 Mappings={"Teams": {"prod": {"Name": "data"}}})
    assert read(t).world.roles[0].name == "data-us-east-1-${Literal}"


def test_partition_and_base64() -> None:
    t = template({"R": role(RoleName={"Fn::Base64": "x"}, Path="/a/b/")})
    iw = read(t, partition="aws-cn", region="cn-north-1")
    assert iw.world.roles[0].arn == f"arn:aws-cn:iam::{ACCT}:role/a/b/eA=="


def test_if_on_an_unknown_condition_is_unknown() -> None:
    t = template({"R": role(Policies=[{"PolicyName": "p", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": {"Fn::If": [
                                                    "Big", "*", "arn:aws:s3:::b/*"]}}]}}])},
                 Parameters={"Size": {"Type": "String"}},
                 Conditions={"Big": {"Fn::Equals": [{"Ref": "Size"}, "big"]}})
    iw = read(t)
    (unknown,) = iw.unknowns
    assert unknown.where == "R.Properties.Policies[0].PolicyDocument.Statement[0].Resource"
    assert "condition Big cannot be evaluated" in unknown.reason
    assert iw.world.roles[0].policies[0].statements[0].effect == "Deny"


def test_resource_conditions() -> None:
    conditions = {"Never": {"Fn::Equals": ["a", "b"]},
                  "Maybe": {"Fn::Equals": [{"Ref": "X"}, "y"]}}
    t = template({"Absent": role(RoleName="absent"), "Unknown": role(RoleName="unknown")},
                 Parameters={"X": {"Type": "String"}}, Conditions=conditions)
    data = json.loads(t)
    data["Resources"]["Absent"]["Condition"] = "Never"
    data["Resources"]["Unknown"]["Condition"] = "Maybe"
    iw = read(json.dumps(data))
    assert iw.world.roles == ()
    (unknown,) = iw.unknowns
    assert (unknown.where, unknown.affects) == ("Unknown.Condition",
                                                (f"arn:aws:iam::{ACCT}:role/unknown",))


def test_dynamic_reference_and_import_in_a_name() -> None:
    t = template({"R": role(RoleName={"Fn::ImportValue": "shared-role-name"}),
                  "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {
                      "Bucket": "{{resolve:ssm:/buckets/data}}", "PolicyDocument": {}}}})
    iw = read(t, stack_name="s")
    assert iw.world.roles[0].name == "s-R"
    assert sorted(u.where for u in iw.unknowns) == ["P.Properties.Bucket",
                                                    "R.Properties.RoleName"]


def test_policy_attached_to_users_and_groups() -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]}
    t = template({
        "U": {"Type": "AWS::IAM::User", "Properties": {"UserName": "ana",
                                                       "Groups": [{"Ref": "G"}]}},
        "G": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "analysts"}},
        "K": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "U"}}},
        "P": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "list", "PolicyDocument": doc, "Groups": [{"Ref": "G"}]}}})
    user = read(t).world.users[0]
    assert (user.arn, user.access_keys) == (f"arn:aws:iam::{ACCT}:user/ana", True)
    assert [p.name for p in user.policies] == ["list"]


def test_transform_and_serverless_resources_are_unknown() -> None:
    t = template({"F": {"Type": "AWS::Serverless::Function", "Properties": {}}},
                 Transform="AWS::Serverless-2016-10-31")
    assert sorted(u.where for u in read(t).unknowns) == ["F.Type", "Transform"]


# --- bad input ------------------------------------------------------------------------------


def test_malformed_yaml_reports_the_line() -> None:
    text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [a\n  B: 1\n"
    with pytest.raises(InputError) as err:
        read(text)
    assert err.value.source == "t.json"
    assert err.value.location.startswith("line 5")


def test_malformed_json_reports_the_line() -> None:
    with pytest.raises(InputError) as err:
        read('{\n "Resources": {\n  "R": ,\n }\n}')
    assert err.value.location == "line 3 column 8"


def test_duplicate_keys_are_rejected_with_their_line() -> None:
    text = ("Resources:\n  R:\n    Type: AWS::IAM::Role\n"
            "    Properties:\n      RoleName: a\n      RoleName: b\n")
    with pytest.raises(InputError, match="duplicate key 'RoleName'") as err:
        read(text)
    assert err.value.location == "line 6"


def test_bad_policy_reports_the_key_path() -> None:
    bad = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole", "Resource": "*"}]}
    with pytest.raises(PolicyError) as err:
        read(template({"R": role(AssumeRolePolicyDocument=bad)}))
    assert err.value.location == "Resources.R.Properties.AssumeRolePolicyDocument.Statement[0]"


@pytest.mark.parametrize("resources, kwargs, location", [
    ({"R": role(RoleName={"Ref": "Nope"})}, {}, "Resources.R.Properties.RoleName.Ref"),
    ({"R": role(Path="no-slash")}, {}, "Resources.R.Properties.Path"),
    ({"R": role(RoleName={"Fn::Select": [3, ["a"]]})}, {},
     "Resources.R.Properties.RoleName.Fn::Select"),
    ({"P": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": ["a", "b"]}}}, {},
     "Resources.P.Properties.Roles"),
    ({"R": role()}, {"parameters": {"Undeclared": "x"}}, "parameters.Undeclared"),
    ({"R": role()}, {"account_id": "123"}, "account_id"),
    ({"R": role()}, {"region": "moon"}, "region"),
    ({"R": role()}, {"stack_name": "1bad"}, "stack_name"),
    ({"R": {"Properties": {}}}, {}, "Resources.R"),
    ({}, {}, "Resources"),
])
def test_rejected_templates(resources: dict[str, Any], kwargs: dict[str, Any],
                            location: str) -> None:
    with pytest.raises(InputError) as err:
        read(template(resources), **kwargs)
    assert (err.value.source, err.value.location) == ("t.json", location)


def test_allowed_values_are_checked() -> None:
    t = template({"R": role(RoleName={"Ref": "Env"})},
                 Parameters={"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}})
    with pytest.raises(InputError, match="AllowedValues") as err:
        read(t, parameters={"Env": "test"})
    assert err.value.location == "Parameters.Env"


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as err:
        load_cloudformation(tmp_path / "none.yaml", ACCT, "us-east-1")
    assert err.value.source == str(tmp_path / "none.yaml")
