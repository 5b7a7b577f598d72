"""Loading a World from real account data (docs/account-data.md).

The fixture estate tests/fixtures/accounts/estate1 holds AWS CLI outputs in their exact
shapes: `aws iam get-account-authorization-details`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html),
`aws s3api get-bucket-policy` / `get-public-access-block` / `get-bucket-encryption`,
`aws kms describe-key` + `get-key-policy`, `aws iam get-open-id-connect-provider`, and
`aws organizations describe-organization` / `describe-policy` / `list-policies-for-target`.
Error tests copy the estate to a temporary folder and break one thing at a time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.account_data import (
    AccountData,
    OrganizationData,
    load_estate,
    load_estate_with_unknowns,
    world_and_unknowns_from_account_data,
    world_from_account_data,
)
from simulator.errors import InputError, InputErrors
from simulator.flows import (
    Access,
    AssumeRoleHop,
    Flow,
    InstanceProfileStart,
    WebIdentityStart,
)
from simulator.policy import PolicyKind
from simulator.replay import replay
from simulator.world import World

ESTATE = Path(__file__).parent / "fixtures" / "accounts" / "estate1"
LAKE, VENDOR, SECURITY = "111122223333", "444455556666", "999988887777"
LAKE_DETAILS = f"{LAKE}/authorization-details.json"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C8B1E0F3A6D2E9B7C4A1F0E8D3B6A2C"
KEY_ARN = f"arn:aws:kms:eu-west-1:{LAKE}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def world() -> World:
    return load_estate(ESTATE)


def role(world: World, name: str) -> Any:
    return next(r for r in world.roles if r.name == name)


def user(world: World, name: str) -> Any:
    return next(u for u in world.users if u.arn.rsplit("/", 1)[-1] == name)


def names(docs: Any) -> list[str]:
    return [d.name for d in docs]


# --- the fixture loads into the expected World ---------------------------------------------

def test_estate_counts(world: World) -> None:
    assert world.name == "estate1"
    assert sorted(world.accounts) == [LAKE, VENDOR, SECURITY]
    assert len(world.users) == 3
    assert len(world.roles) == 8
    assert [p.arn for p in world.instance_profiles] == [
        f"arn:aws:iam::{VENDOR}:instance-profile/doris-ec2"]
    assert sorted(b.name for b in world.buckets) == ["customer-lake", "customer-lake-logs"]
    assert [k.arn for k in world.keys] == [KEY_ARN]
    assert [p.arn for p in world.oidc_providers] == [
        f"arn:aws:iam::{LAKE}:oidc-provider/{ISSUER}"]


def test_estate_has_no_unknowns() -> None:
    _, unknowns = load_estate_with_unknowns(ESTATE)
    assert unknowns == ()


def test_vendor_role_trust_with_external_id(world: World) -> None:
    doris = role(world, "doris-s3")
    assert doris.arn == f"arn:aws:iam::{LAKE}:role/doris-s3"
    assert doris.id == "AROAQLAKE0DORIS0S3ROLE"
    assert doris.trust.name == "role doris-s3 trust"
    assert doris.trust.kind is PolicyKind.trust
    (stmt,) = doris.trust.statements
    assert stmt.principal is not None
    assert stmt.principal.aws == (f"arn:aws:iam::{VENDOR}:role/doris-ec2",)
    assert [(c.operator, c.key, c.values) for c in stmt.conditions] == [
        ("StringEquals", "sts:ExternalId", ("doris-7f3c9a41",))]
    assert names(doris.policies) == ["role doris-s3 inline s3-access"]
    assert doris.tags == {"owner": "data-platform", "vendor": "doris"}


def test_irsa_role_trusts_the_oidc_provider(world: World) -> None:
    spark = role(world, "spark-jobs")
    assert spark.arn == f"arn:aws:iam::{LAKE}:role/eks/spark-jobs"
    assert spark.trust.statements[0].principal is not None
    assert spark.trust.statements[0].principal.federated == (
        f"arn:aws:iam::{LAKE}:oidc-provider/{ISSUER}",)
    assert spark.max_session_duration == 7200
    assert role(world, "doris-s3").max_session_duration == 3600


def test_oidc_provider_audiences(world: World) -> None:
    (provider,) = world.oidc_providers
    assert provider.audiences == ("sts.amazonaws.com",)
    assert provider.url == ISSUER


def test_users_inherit_their_groups_policies(world: World) -> None:
    group_policies = ["group data-engineers inline lake-staging-write",
                      f"managed arn:aws:iam::{LAKE}:policy/lake-read-only"]
    assert names(user(world, "alice").policies) == group_policies
    assert names(user(world, "bob").policies) == ["user bob inline deny-delete",
                                                  *group_policies]
    assert names(user(world, "carol").policies) == [
        "managed arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert user(world, "bob").arn == f"arn:aws:iam::{LAKE}:user/contractors/bob"
    assert user(world, "alice").tags == {"team": "ingest"}


def test_permissions_boundary_attached(world: World) -> None:
    boundary_arn = f"arn:aws:iam::{LAKE}:policy/boundaries/lake-boundary"
    analyst = role(world, "analyst")
    assert analyst.boundary is not None
    assert analyst.boundary.name == f"boundary {boundary_arn}"
    assert analyst.boundary.kind is PolicyKind.boundary
    assert [s.sid for s in analyst.boundary.statements] == ["DataServicesOnly", "NoIamChanges"]
    assert user(world, "bob").boundary is analyst.boundary  # parsed once, shared
    assert user(world, "alice").boundary is None
    assert role(world, "doris-s3").boundary is None


def test_managed_policy_uses_the_default_version(world: World) -> None:
    (doc,) = role(world, "spark-jobs").policies
    assert doc.name == f"managed arn:aws:iam::{LAKE}:policy/lake-read-only"
    assert [s.sid for s in doc.statements] == ["ListLake", "ReadLake", "DecryptLake"]  # v2


def test_url_encoded_documents_decode(world: World) -> None:
    raw = json.loads((ESTATE / LAKE_DETAILS).read_text(encoding="utf-8"))
    entry = next(r for r in raw["RoleDetailList"] if r["RoleName"] == "singlestore-s3")
    assert entry["AssumeRolePolicyDocument"].startswith("%7B%22Version%22")
    singlestore = role(world, "singlestore-s3")
    assert singlestore.trust.statements[0].principal is not None
    assert singlestore.trust.statements[0].principal.aws == (
        "arn:aws:iam::777788889999:role/singlestore-wg-4b1e9c2d",)
    inline = singlestore.policies[0]
    assert inline.name == "role singlestore-s3 inline lake-prefix"
    assert inline.statements[0].resource == ("arn:aws:s3:::customer-lake",
                                             "arn:aws:s3:::customer-lake/singlestore/*")


def test_roles_profiles_and_service_linked(world: World) -> None:
    assert world.instance_profiles[0].role == f"arn:aws:iam::{VENDOR}:role/doris-ec2"
    assert role(world, "AWSServiceRoleForSupport").service_linked is True
    assert role(world, "doris-s3").service_linked is False
    assert names(role(world, "AWSGlueServiceRole-lake").policies) == [
        "role AWSGlueServiceRole-lake inline lake-crawl",
        "managed arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"]


def test_bucket_policy_encryption_and_public_access(world: World) -> None:
    lake = world.buckets_by_name["customer-lake"]
    assert lake.account == LAKE
    assert lake.policy is not None
    assert lake.policy.name == "bucket customer-lake"
    assert lake.policy.kind is PolicyKind.resource
    assert [s.sid for s in lake.policy.statements] == ["DenyInsecureTransport", "DorisPrefix",
                                                      "SecurityAudit"]
    assert lake.kms_key == KEY_ARN
    assert lake.restrict_public_buckets is True
    logs = world.buckets_by_name["customer-lake-logs"]  # the raw document form
    assert logs.policy is not None and logs.policy.statements[0].sid == "S3ServerAccessLogs"
    assert logs.kms_key is None


def test_kms_key(world: World) -> None:
    key = world.keys_by_arn[KEY_ARN]
    assert key.aws_managed is False
    assert key.policy is not None and key.policy.kind is PolicyKind.resource
    assert key.account == LAKE


def test_organization_levels_and_account_ou_paths(world: World) -> None:
    org = world.organization
    assert org is not None
    assert (org.id, org.management_account) == ("o-a1b2c3d4e5", "210987654321")
    levels = {path: (names(level.scps), names(level.rcps)) for path, level in org.levels.items()}
    assert levels == {
        "root": (["scp FullAWSAccess"], ["rcp RCPFullAWSAccess"]),
        "root/Workloads": (["scp FullAWSAccess"], ["rcp deny-outside-org"]),
        "root/Workloads/Prod": (["scp FullAWSAccess", "scp protect-prod"], []),
        "root/Security": (["scp FullAWSAccess"], []),
    }
    assert org.levels["root/Workloads/Prod"].name == "Prod"
    lake, vendor, security = (world.accounts[a] for a in (LAKE, VENDOR, SECURITY))
    assert (lake.name, lake.ou_path, names(lake.scps)) == (
        "data-lake-prod", "root/Workloads/Prod", ["scp FullAWSAccess"])
    assert (vendor.ou_path, vendor.scps, vendor.rcps) == (None, (), ())  # outside the org
    assert (security.name, security.ou_path, names(security.scps)) == (
        "security-tooling", "root/Security", ["scp FullAWSAccess"])  # list-policies-for-target


# --- the graph questions run on the loaded estate ------------------------------------------

def _doris(external_id: str | None, key: str) -> Flow:
    return Flow(name="doris",
                start=InstanceProfileStart(role=f"arn:aws:iam::{VENDOR}:role/doris-ec2"),
                hops=(AssumeRoleHop(role=f"arn:aws:iam::{LAKE}:role/doris-s3",
                                    external_id=external_id),),
                access=(Access(action="s3:GetObject",
                               resources=(f"arn:aws:s3:::customer-lake/{key}",)),))


def test_replay_vendor_instance_role_reads_the_lake(world: World) -> None:
    result = replay(world, _doris("doris-7f3c9a41", "doris/part-0.parquet"))
    assert (result.outcome, result.failed_stage) == ("allow", None)
    assert replay(world, _doris(None, "doris/part-0.parquet")).failed_stage == "hop1.trust"
    assert replay(world, _doris("doris-7f3c9a41", "finance/q1.csv")).failed_stage == "access1"


def test_replay_irsa_pod_reads_the_lake(world: World) -> None:
    flow = Flow(name="irsa",
                start=WebIdentityStart(provider=f"arn:aws:iam::{LAKE}:oidc-provider/{ISSUER}",
                                       role=f"arn:aws:iam::{LAKE}:role/eks/spark-jobs",
                                       sub="system:serviceaccount:spark:spark-runner"),
                access=(Access(action="s3:GetObject",
                               resources=("arn:aws:s3:::customer-lake/raw/a.parquet",)),))
    assert replay(world, flow).outcome == "allow"


# --- errors name the file and the key path -------------------------------------------------

@pytest.fixture()
def estate(tmp_path: Path) -> Path:
    copy = tmp_path / "estate"
    shutil.copytree(ESTATE, copy)
    return copy


def edit(path: Path, change: Callable[[Any], Any]) -> None:
    """Rewrite a JSON file after `change` mutated its content (its return value is unused)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")


def lake_role(data: Any, name: str) -> Any:
    return next(r for r in data["RoleDetailList"] if r["RoleName"] == name)


def errors_of(path: Path, **kwargs: Any) -> list[InputError]:
    with pytest.raises(InputErrors) as caught:
        load_estate_with_unknowns(path, **kwargs)
    return list(caught.value.errors)


def places(errors: list[InputError]) -> list[tuple[str, str]]:
    return [(e.source, e.location) for e in errors]


def test_malformed_json_names_file_and_line(estate: Path) -> None:
    (estate / VENDOR / "authorization-details.json").write_text(
        '{\n    "UserDetailList": [],\n    "RoleDetailList": [,]\n}\n', encoding="utf-8")
    (error,) = errors_of(estate)
    assert error.source == f"{VENDOR}/authorization-details.json"
    assert "not valid JSON" in error.message and "line 3" in error.message


def test_duplicate_json_key_is_an_error(estate: Path) -> None:
    (estate / "security" / "account.json").write_text(
        '{"id": "999988887777", "ou": "Security", "ou": "Workloads"}', encoding="utf-8")
    errors = errors_of(estate)
    assert places(errors) == [("organization/targets.json", SECURITY),
                              ("security/account.json", "")]
    assert "'ou' appears twice" in errors[1].message
    assert "could not be identified" in errors[0].message  # the folder's id was in that file


def test_bad_trust_policy_names_its_key_path(estate: Path) -> None:
    def change(data: Any) -> None:
        trust = lake_role(data, "doris-s3")["AssumeRolePolicyDocument"]
        trust["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{VENDOR}:role/doris-*"}
    edit(estate / LAKE_DETAILS, change)
    (error,) = errors_of(estate)
    assert (error.source, error.location) == (
        LAKE_DETAILS, "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Principal.AWS[0]")
    assert "partial wildcards" in error.message


def test_bad_policy_inside_a_url_encoded_document(estate: Path) -> None:
    def change(data: Any) -> None:
        entry = lake_role(data, "singlestore-s3")
        entry["RolePolicyList"][0]["PolicyDocument"] = (
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
            "%22allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22"
            "%7D%5D%7D")
    edit(estate / LAKE_DETAILS, change)
    (error,) = errors_of(estate)
    assert (error.source, error.location) == (
        LAKE_DETAILS, "RoleDetailList[2].RolePolicyList[0].PolicyDocument.Statement[0].Effect")


def test_missing_managed_policy_is_an_error(estate: Path) -> None:
    edit(estate / LAKE_DETAILS, lambda d: d["Policies"].pop(2))  # AmazonS3ReadOnlyAccess
    errors = errors_of(estate)
    assert places(errors) == [
        (LAKE_DETAILS, "UserDetailList[2].AttachedManagedPolicies[0].PolicyArn"),
        (LAKE_DETAILS, "RoleDetailList[4].AttachedManagedPolicies[0].PolicyArn")]
    assert "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" in errors[0].message
    assert "--filter AWSManagedPolicy" in errors[0].message


def test_missing_managed_policy_allowed_becomes_an_unknown(estate: Path) -> None:
    edit(estate / LAKE_DETAILS, lambda d: d["Policies"].pop(2))
    world, unknowns = load_estate_with_unknowns(estate, allow_missing_managed=True)
    assert [(u.subject, u.missing, u.location) for u in unknowns] == [
        (f"arn:aws:iam::{LAKE}:user/carol", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
         "UserDetailList[2].AttachedManagedPolicies[0].PolicyArn"),
        (f"arn:aws:iam::{LAKE}:role/analyst", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
         "RoleDetailList[4].AttachedManagedPolicies[0].PolicyArn")]
    assert unknowns[0].source == LAKE_DETAILS
    assert unknowns[0].render().startswith(f"{LAKE_DETAILS}: UserDetailList[2]")
    assert role(world, "analyst").policies == ()
    assert user(world, "carol").policies == ()


def test_missing_group_policy_unknown_affects_every_member(estate: Path) -> None:
    def change(data: Any) -> None:
        data["Policies"].pop(0)  # lake-read-only: attached to the group and two roles
    edit(estate / LAKE_DETAILS, change)
    _, unknowns = load_estate_with_unknowns(estate, allow_missing_managed=True)
    group = next(u for u in unknowns if u.subject.endswith(":group/data-engineers"))
    assert group.affects == (f"arn:aws:iam::{LAKE}:user/alice",
                             f"arn:aws:iam::{LAKE}:user/contractors/bob")
    assert len(unknowns) == 3


def test_missing_boundary_allowed_allows_nothing(estate: Path) -> None:
    edit(estate / LAKE_DETAILS, lambda d: d["Policies"].pop(1))  # lake-boundary
    world, unknowns = load_estate_with_unknowns(estate, allow_missing_managed=True)
    boundary = role(world, "analyst").boundary
    assert boundary is not None and boundary.statements == ()
    assert "allows nothing" in boundary.name
    assert {u.subject for u in unknowns} == {f"arn:aws:iam::{LAKE}:role/analyst",
                                             f"arn:aws:iam::{LAKE}:user/contractors/bob"}


def test_unknown_account_folder_content(estate: Path) -> None:
    (estate / LAKE / "roles.json").write_text("[]", encoding="utf-8")
    (estate / LAKE / "buckets" / "notes.txt").write_text("x", encoding="utf-8")
    (estate / "inventory.csv").write_text("x", encoding="utf-8")
    (estate / "README.md").write_text("# notes", encoding="utf-8")  # documentation: ignored
    (estate / LAKE / ".DS_Store").write_bytes(b"\0")  # hidden entries: ignored
    errors = errors_of(estate)
    assert sorted(places(errors)) == [("111122223333/buckets/notes.txt", ""),
                                      ("111122223333/roles.json", ""), ("inventory.csv", "")]
    assert all("unknown" in e.message for e in errors)


def test_several_problems_are_reported_together(estate: Path) -> None:
    (estate / VENDOR / "authorization-details.json").write_text("{", encoding="utf-8")
    edit(estate / LAKE_DETAILS, lambda d: lake_role(d, "spark-jobs").update(
        {"MaxSessionDuration": 90000}))
    edit(estate / LAKE / "buckets" / "customer-lake.json",
         lambda d: d.update({"Policy": '{"Statement": {"Effect": "Allow"}}'}))
    edit(estate / "organization" / "targets.json",
         lambda d: d["Workloads/Prod"].append("p-0000000000"))
    errors = errors_of(estate)
    assert places(errors) == [
        (LAKE_DETAILS, "RoleDetailList[3].MaxSessionDuration"),
        (f"{LAKE}/buckets/customer-lake.json", "Policy.Statement[0]"),
        (f"{VENDOR}/authorization-details.json", ""),
        ("organization/targets.json", "Workloads/Prod[2]")]
    assert str(InputErrors(errors)).count("\n") == 3


def test_role_problems_are_all_reported(estate: Path) -> None:
    def change(data: Any) -> None:
        entry = lake_role(data, "doris-s3")
        entry["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] = "Permit"
        entry["Tags"].append({"Key": "owner", "Value": "again"})
        entry["AttachedManagedPolicies"] = [{"PolicyName": "x",
                                             "PolicyArn": f"arn:aws:iam::{LAKE}:policy/x"}]
    edit(estate / LAKE_DETAILS, change)
    assert places(errors_of(estate)) == [
        (LAKE_DETAILS, "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Effect"),
        (LAKE_DETAILS, "RoleDetailList[0].AttachedManagedPolicies[0].PolicyArn"),
        (LAKE_DETAILS, "RoleDetailList[0].Tags[2]")]


@pytest.mark.parametrize(("change", "location", "words"), [
    (lambda d: d.update({"IsTruncated": True, "Marker": "x"}), "IsTruncated", "truncated"),
    (lambda d: d.update({"RoleDetails": []}), "RoleDetails", "unknown key"),
    (lambda d: d["UserDetailList"][0]["GroupList"].append("admins"),
     "UserDetailList[0].GroupList[1]", "'admins' is not in GroupDetailList"),
    (lambda d: d["RoleDetailList"][0].update({"Arn": f"arn:aws:iam::{VENDOR}:role/doris-s3"}),
     "RoleDetailList[0].Arn", "belongs to account 444455556666"),
    (lambda d: d["Policies"][0]["PolicyVersionList"][1].update({"IsDefaultVersion": True}),
     "Policies[0].PolicyVersionList", "exactly one version"),
    (lambda d: d["RoleDetailList"].append(d["RoleDetailList"][0]),
     "RoleDetailList[6].Arn", "listed twice"),
])
def test_authorization_details_errors(estate: Path, change: Callable[[Any], Any],
                                      location: str, words: str) -> None:
    edit(estate / LAKE_DETAILS, change)
    (error,) = errors_of(estate)
    assert (error.source, error.location) == (LAKE_DETAILS, location)
    assert words in error.message


@pytest.mark.parametrize(("file", "change", "place", "words"), [
    ("organization/targets.json", lambda d: d.pop("Workloads"),
     ("organization/targets.json", "Workloads/Prod"), "not listed"),
    ("organization/targets.json", lambda d: d.update({"Security": ["p-8d3h6j0w5r"]}),
     ("organization/targets.json", "Security"), "no SCP attached"),
    ("organization/targets.json", lambda d: d.update({"123456789012": ["p-FullAWSAccess"]}),
     ("organization/targets.json", "123456789012"), "has no folder"),
    ("organization/targets.json", lambda d: d.pop(SECURITY),
     ("security/account.json", "ou"), "does not list account 999988887777"),
    ("security/account.json", lambda d: d.update({"ou": "Workloads/Dev"}),
     ("security/account.json", "ou"), "'Workloads/Dev' is not in"),
    ("security/account.json", lambda d: d.pop("ou"),
     ("security/account.json", ""), 'must give its "ou"'),
    ("organization/policies/p-4f7k2m9x1q.json",
     lambda d: d["Policy"]["PolicySummary"].update({"Type": "TAG_POLICY"}),
     ("organization/policies/p-4f7k2m9x1q.json", "Policy.PolicySummary.Type"),
     "does not take part in authorization"),
    ("organization/policies/p-4f7k2m9x1q.json",
     lambda d: d["Policy"]["PolicySummary"].update({"Id": "p-4f7k2m9x1z"}),
     ("organization/policies/p-4f7k2m9x1q.json", "Policy.PolicySummary.Id"), "named for"),
    ("organization/policies/p-8d3h6j0w5r.json",
     lambda d: d["Policy"].update({"Content": d["Policy"]["Content"].replace(
         '"Principal":"*",', "")}),
     ("organization/policies/p-8d3h6j0w5r.json", "Policy.Content.Statement[0]"),
     "needs a Principal"),
    ("organization/organization.json", lambda d: d["Organization"].update({"Id": "org-1"}),
     ("organization/organization.json", "Organization.Id"), "not an organization id"),
])
def test_organization_errors(estate: Path, file: str, change: Callable[[Any], Any],
                             place: tuple[str, str], words: str) -> None:
    edit(estate / file, change)
    (error,) = errors_of(estate)
    assert (error.source, error.location) == place
    assert words in error.message


@pytest.mark.parametrize(("file", "change", "place", "words"), [
    (f"{LAKE}/buckets/customer-lake.json", lambda d: d.update({"Acl": []}),
     (f"{LAKE}/buckets/customer-lake.json", "Acl"), "unknown key"),
    (f"{LAKE}/buckets/customer-lake.json",
     lambda d: d["ServerSideEncryptionConfiguration"]["Rules"][0][
         "ApplyServerSideEncryptionByDefault"].update({"KMSMasterKeyID": "alias/lake"}),
     (f"{LAKE}/buckets/customer-lake.json", "ServerSideEncryptionConfiguration.Rules[0]."
      "ApplyServerSideEncryptionByDefault.KMSMasterKeyID"), "not a key ARN"),
    (f"{LAKE}/kms-keys/1234abcd-12ab-34cd-56ef-1234567890ab.json",
     lambda d: d["KeyMetadata"].update({"KeyManager": "aws"}),
     (f"{LAKE}/kms-keys/1234abcd-12ab-34cd-56ef-1234567890ab.json", "KeyMetadata.KeyManager"),
     "AWS or CUSTOMER"),
    (f"{LAKE}/oidc-providers.json", lambda d: d[0].pop("ClientIDList"),
     (f"{LAKE}/oidc-providers.json", "[0].ClientIDList"), "audiences"),
    (f"{LAKE}/oidc-providers.json", lambda d: d[0].update({"Url": "oidc.example.com"}),
     (f"{LAKE}/oidc-providers.json", "[0].Url"), "not the issuer"),
    ("security/account.json", lambda d: d.update({"id": "999988887776"}),
     ("security/authorization-details.json", "RoleDetailList[0].Arn"),
     "belongs to account 999988887777"),
])
def test_resource_and_account_errors(estate: Path, file: str, change: Callable[[Any], Any],
                                     place: tuple[str, str], words: str) -> None:
    edit(estate / file, change)
    errors = errors_of(estate)
    assert place in places(errors)
    assert words in next(e for e in errors if (e.source, e.location) == place).message


def test_key_bare_id_resolves_bucket_encryption(estate: Path) -> None:
    edit(estate / LAKE / "buckets" / "customer-lake.json",
         lambda d: d["ServerSideEncryptionConfiguration"]["Rules"][0][
             "ApplyServerSideEncryptionByDefault"].update(
             {"KMSMasterKeyID": "1234abcd-12ab-34cd-56ef-1234567890ab"}))
    assert load_estate(estate).buckets_by_name["customer-lake"].kms_key == KEY_ARN


def test_folder_without_an_account_id(estate: Path) -> None:
    (estate / "security" / "account.json").write_text('{"name": "sec"}', encoding="utf-8")
    errors = errors_of(estate)
    assert ("security", "") in places(errors)


def test_estate_must_be_a_folder(tmp_path: Path) -> None:
    (error,) = errors_of(tmp_path / "nope")
    assert "not a folder" in error.message


# --- the pure functions take decoded documents ---------------------------------------------

def _details(*roles: dict[str, Any]) -> dict[str, Any]:
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": list(roles),
            "Policies": []}


def _role(account: str, name: str) -> dict[str, Any]:
    return {"RoleName": name, "Arn": f"arn:aws:iam::{account}:role/{name}", "Path": "/",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]}}


def test_world_from_decoded_account_data() -> None:
    key_id = "0987dcba-09fe-87dc-65ba-ab0987654321"
    key_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}
    accounts = {"123456789012": AccountData(
        authorization_details=_details(_role("123456789012", "app")),
        kms_keys={key_id: {"KeyId": key_id, "KeyManager": "AWS", "Policy": json.dumps(key_policy),
                           "Arn": f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"}},
        buckets={"app-data": {"Policy": None}})}
    world = world_from_account_data(accounts, name="pure")
    assert world.name == "pure" and world.organization is None
    assert [r.name for r in world.roles] == ["app"]
    assert world.keys[0].aws_managed is True
    assert world.buckets[0].policy is None
    assert world.accounts["123456789012"].ou_path is None


def test_pure_errors_name_the_folder() -> None:
    accounts = {"123456789012": AccountData(folder="prod", ou="Workloads"),
                "12345": AccountData(authorization_details=_details())}
    with pytest.raises(InputErrors) as caught:
        world_and_unknowns_from_account_data(accounts)
    assert sorted(places(list(caught.value.errors))) == [
        ("12345", ""), ("prod/account.json", "ou"), ("prod/authorization-details.json", "")]


def test_bucket_names_are_global() -> None:
    accounts = {a: AccountData(authorization_details=_details(), buckets={"shared": {}})
                for a in ("123456789012", "210987654321")}
    with pytest.raises(InputErrors) as caught:
        world_from_account_data(accounts)
    (error,) = caught.value.errors
    assert error.source == "210987654321/buckets/shared.json"
    assert "also in account 123456789012" in error.message


def test_organization_data_without_targets_entry_keeps_account_outside() -> None:
    org = OrganizationData(
        organization={"Id": "o-abcdefghij", "MasterAccountId": "123456789012"},
        policies={"p-FullAWSAccess": {"Policy": {"PolicySummary": {
            "Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY"},
            "Content": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",'
                       '"Resource":"*"}]}'}}},
        targets={"root": ["p-FullAWSAccess"]})
    accounts = {a: AccountData(authorization_details=_details())
                for a in ("123456789012", "210987654321")}
    world = world_from_account_data(accounts, org)
    assert world.accounts["123456789012"].ou_path == "root"  # the management account
    assert world.accounts["210987654321"].ou_path is None


# --- any JSON anywhere gives a World or InputErrors, never a crash --------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["*", "Allow", "sts:AssumeRole", "%7B", "{",
                                             "p-FullAWSAccess", "data-engineers", "AWS"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, child in children:
        out.extend(_paths(child, (*path, key)))
    return out


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replaced(node[path[0]], path[1:], value)
    return copy


def _decoded(name: str) -> Any:
    return json.loads((ESTATE / name).read_text(encoding="utf-8"))


_DOCS = {
    "details": _decoded(LAKE_DETAILS),
    "bucket": _decoded(f"{LAKE}/buckets/customer-lake.json"),
    "key": _decoded(f"{LAKE}/kms-keys/1234abcd-12ab-34cd-56ef-1234567890ab.json"),
    "oidc": _decoded(f"{LAKE}/oidc-providers.json"),
    "org": _decoded("organization/organization.json"),
    "targets": _decoded("organization/targets.json"),
    "scp": _decoded("organization/policies/p-4f7k2m9x1q.json"),
}


def _estate(docs: dict[str, Any]) -> tuple[dict[str, AccountData], OrganizationData]:
    accounts = {LAKE: AccountData(ou="Workloads/Prod", authorization_details=docs["details"],
                                  buckets={"customer-lake": docs["bucket"]},
                                  kms_keys={"1234abcd-12ab-34cd-56ef-1234567890ab": docs["key"]},
                                  oidc_providers=docs["oidc"]),
                SECURITY: AccountData(ou="Security", authorization_details=_details())}
    policies = {p.stem: json.loads(p.read_text(encoding="utf-8"))
                for p in (ESTATE / "organization" / "policies").glob("*.json")}
    policies["p-4f7k2m9x1q"] = docs["scp"]
    return accounts, OrganizationData(organization=docs["org"], policies=policies,
                                      targets=docs["targets"])


def test_unchanged_documents_load() -> None:
    world, _ = world_and_unknowns_from_account_data(*_estate(_DOCS))
    assert len(world.roles) == 6


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_json_anywhere_loads_or_raises_input_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(_DOCS)))
    path = data.draw(st.sampled_from(_paths(_DOCS[name])))
    docs = {**_DOCS, name: _replaced(_DOCS[name], path, data.draw(_JSON))}
    try:
        world_and_unknowns_from_account_data(*_estate(docs), allow_missing_managed=True)
    except InputErrors as exc:
        assert exc.errors and all(isinstance(e, InputError) and e.source for e in exc.errors)
