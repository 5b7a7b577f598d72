"""The Terraform plan reader: `terraform show -json` output -> World, unknowns, placeholders.

Plan format: https://developer.hashicorp.com/terraform/internals/json-format
The fixture tests/fixtures/iac/doris_cross_account.plan.json is a plan of a Doris/SelectDB
style cross-account setup in the customer account 111122223333: the vendor's role
(444455556666) assumes `doris-s3-access` with an external id; an instance profile for
Doris BE nodes; an access-key user; a lakehouse bucket whose policy JSON is computed from
ARNs that exist only after apply; an EKS OIDC provider and an IRSA role for SingleStore in
a module; an SCP attached to the account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.decision import PolicySet, decide
from simulator.errors import InputError, InputErrors, PolicyError
from simulator.iac import IacWorld, load_terraform_plan, world_from_terraform_plan
from simulator.iac.proposed import STAND_IN_SID
from simulator.policy import PolicyKind
from simulator.request import make_request
from simulator.results import Decision

FIXTURE = Path(__file__).parent / "fixtures" / "iac" / "doris_cross_account.plan.json"
ACCT = "111122223333"
DORIS_ROLE = f"arn:aws:iam::{ACCT}:role/doris/doris-s3-access"
DORIS_POLICY = f"arn:aws:iam::{ACCT}:policy/doris/doris-s3-read-write"
BOUNDARY = f"arn:aws:iam::{ACCT}:policy/boundaries/data-platform-boundary"
BE_ROLE = f"arn:aws:iam::{ACCT}:role/doris/doris-be-node"
IRSA_ROLE = f"arn:aws:iam::{ACCT}:role/eks/singlestore-s3-irsa"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/8A5F2C1B7D3E4F60A9B8C7D6E5F4A3B2"
BUCKET = "acme-doris-lakehouse"
VENDOR_SESSION = "arn:aws:sts::444455556666:assumed-role/selectdb-cloud-service/doris-vault"


@pytest.fixture(scope="module")
def doris() -> IacWorld:
    return world_from_terraform_plan(json.loads(FIXTURE.read_text()), str(FIXTURE))


def _role(iw: IacWorld, arn: str) -> Any:
    return iw.world.roles_by_arn[arn]


# --- the fixture plan -----------------------------------------------------------------------


def test_role_arn_has_path_and_is_derived_from_name_and_account(doris: IacWorld) -> None:
    assert sorted(doris.world.roles_by_arn) == sorted([DORIS_ROLE, BE_ROLE, IRSA_ROLE])
    ph = doris.placeholder("aws_iam_role.doris_customer", "arn")
    assert ph is not None and ph.value == DORIS_ROLE
    assert "account" in ph.derived_from


def test_trust_policy_is_parsed(doris: IacWorld) -> None:
    trust = _role(doris, DORIS_ROLE).trust
    assert trust.kind is PolicyKind.trust
    (st,) = trust.statements
    assert st.principal.aws == ("arn:aws:iam::444455556666:role/selectdb-cloud-service",)
    assert [(c.operator, c.key, c.values) for c in st.conditions] == [
        ("StringEquals", "sts:ExternalId", ("selectdb-7f3e9a2c51d04b8e",))]


def test_inline_managed_and_boundary(doris: IacWorld) -> None:
    role = _role(doris, DORIS_ROLE)
    assert [p.name for p in role.policies] == ["doris-list-buckets", DORIS_POLICY]
    managed = role.policies[1]
    assert managed.statements[1].resource == (f"arn:aws:s3:::{BUCKET}/doris/*",)
    assert role.boundary is not None and role.boundary.name == BOUNDARY
    assert role.boundary.kind is PolicyKind.boundary
    assert role.boundary.statements[2].effect == "Deny"


def test_unknown_links_are_taken_from_the_one_resource_they_refer_to(doris: IacWorld) -> None:
    role_link = doris.placeholder("aws_iam_role_policy.doris_list", "role")
    arn_link = doris.placeholder("aws_iam_role_policy_attachment.doris_s3", "policy_arn")
    boundary = doris.placeholder("aws_iam_role.doris_customer", "permissions_boundary")
    assert role_link is not None and role_link.value == "doris-s3-access"
    assert arn_link is not None and arn_link.value == DORIS_POLICY
    assert boundary is not None and boundary.value == BOUNDARY
    assert "aws_iam_policy.doris_s3" in arn_link.derived_from


def test_module_variable_is_followed_to_the_root_resource(doris: IacWorld) -> None:
    ph = doris.placeholder("module.singlestore_irsa.aws_iam_role_policy_attachment.lake[0]",
                           "policy_arn")
    assert ph is not None and ph.value == DORIS_POLICY
    assert DORIS_POLICY in [p.name for p in _role(doris, IRSA_ROLE).policies]


def test_max_session_duration_and_tags(doris: IacWorld) -> None:
    role = _role(doris, DORIS_ROLE)
    assert role.max_session_duration == 7200
    assert role.tags == {"managed-by": "terraform", "cost-center": "data-platform",
                         "team": "data-platform", "vendor": "selectdb"}
    assert _role(doris, BE_ROLE).max_session_duration == 3600


def test_instance_profile_holds_its_role(doris: IacWorld) -> None:
    profile = doris.world.profiles_by_arn[
        f"arn:aws:iam::{ACCT}:instance-profile/doris/doris-be-node"]
    assert profile.role == BE_ROLE
    assert _role(doris, BE_ROLE).trust.statements[0].principal.service == ("ec2.amazonaws.com",)


def test_user_with_access_key_inline_and_attached_policies(doris: IacWorld) -> None:
    user = doris.world.users_by_arn[f"arn:aws:iam::{ACCT}:user/service-users/doris-ak-legacy"]
    assert user.access_keys is True
    assert [p.name for p in user.policies] == ["doris-ak-office-network-only", DORIS_POLICY]
    assert user.tags["purpose"] == "doris-s3-ak-sk"


def test_oidc_provider_of_the_module(doris: IacWorld) -> None:
    arn = f"arn:aws:iam::{ACCT}:oidc-provider/{ISSUER}"
    provider = doris.world.providers_by_arn[arn]
    assert provider.audiences == ("sts.amazonaws.com",)
    assert provider.url == ISSUER
    trust = _role(doris, IRSA_ROLE).trust.statements[0]
    assert trust.principal.federated == (arn,)


def test_policy_computed_after_apply_is_unknown_not_empty(doris: IacWorld) -> None:
    bucket = doris.world.buckets_by_name[BUCKET]
    assert bucket.account == ACCT
    assert bucket.policy is not None
    (st,) = bucket.policy.statements
    assert (st.sid, st.effect, st.action, st.principal.everyone) == (
        STAND_IN_SID, "Deny", ("*",), True)
    (unknown,) = doris.unknowns_affecting(f"arn:aws:s3:::{BUCKET}")
    assert (unknown.address, unknown.attribute) == ("aws_s3_bucket_policy.lakehouse", "policy")
    assert "after apply" in unknown.reason


def test_unknown_inline_policy_in_a_module_is_listed_with_its_role(doris: IacWorld) -> None:
    (unknown,) = doris.unknowns_affecting(IRSA_ROLE)
    assert unknown.where == "module.singlestore_irsa.aws_iam_role_policy.s3.policy"
    stand_in = _role(doris, IRSA_ROLE).policies[0]
    assert stand_in.name == "unknown: module.singlestore_irsa.aws_iam_role_policy.s3.policy"
    assert stand_in.statements[0].effect == "Deny"
    assert len(doris.unknowns) == 2
    assert not doris.complete


def test_scp_attached_to_the_account(doris: IacWorld) -> None:
    org = doris.world.organization
    assert org is not None
    assert (org.id, org.management_account) == ("o-a1b2c3d4e5", "999988887777")
    assert [d.name for d in org.levels["root"].scps] == ["FullAWSAccess"]
    account = doris.world.accounts[ACCT]
    assert account.ou_path == "root"
    assert [d.name for d in account.scps] == ["FullAWSAccess", "protect-doris-roles"]
    assert account.scps[1].kind is PolicyKind.scp
    assert doris.placeholder(ACCT, "FullAWSAccess") is not None


def test_deleted_resources_are_not_in_the_world(doris: IacWorld) -> None:
    assert all("etl-legacy" not in u.arn for u in doris.world.users)


def test_the_proposed_trust_decides_like_the_engine_says(doris: IacWorld) -> None:
    trust = _role(doris, DORIS_ROLE).trust
    vendor = PolicySet(identity=(), resource=trust)

    def assume(external_id: str | None) -> Decision:
        ctx = {"sts:ExternalId": external_id} if external_id else {}
        req = make_request(VENDOR_SESSION, "sts:AssumeRole", DORIS_ROLE, context=ctx)
        return decide(req, vendor).decision

    assert assume("selectdb-7f3e9a2c51d04b8e") is not Decision.explicit_deny
    assert assume(None) is Decision.implicit_deny


def test_the_unknown_bucket_policy_never_allows(doris: IacWorld) -> None:
    role = _role(doris, DORIS_ROLE)
    bucket = doris.world.buckets_by_name[BUCKET]
    req = make_request(f"arn:aws:sts::{ACCT}:assumed-role/doris-s3-access/s", "s3:GetObject",
                       f"arn:aws:s3:::{BUCKET}/doris/part-0.parquet", role_arn=DORIS_ROLE)
    result = decide(req, PolicySet(identity=role.policies, resource=bucket.policy,
                                   boundary=role.boundary))
    assert result.decision is Decision.explicit_deny
    assert result.deciding[0].policy == "unknown: aws_s3_bucket_policy.lakehouse.policy"


def test_load_terraform_plan_reads_the_file(doris: IacWorld) -> None:
    loaded = load_terraform_plan(FIXTURE)
    assert loaded.model_dump() == doris.model_dump()


# --- small plans ----------------------------------------------------------------------------

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})
ROLE_UNKNOWN = {"arn": True, "id": True, "inline_policy": True, "managed_policy_arns": True,
                "unique_id": True}


def res(type_: str, name: str, values: dict[str, Any], unknown: dict[str, Any] | None = None,
        expressions: dict[str, Any] | None = None, index: int | None = None,
        mode: str = "managed") -> dict[str, Any]:
    address = ("data." if mode == "data" else "") + f"{type_}.{name}"
    if index is not None:
        address += f"[{index}]"
    return {"address": address, "mode": mode, "type": type_, "name": name, "index": index,
            "values": values, "unknown": unknown or {}, "expressions": expressions or {}}


def plan(*resources: dict[str, Any], configuration: bool = True) -> dict[str, Any]:
    planned, changes, config = [], [], []
    for r in resources:
        entry = {k: r[k] for k in ("address", "mode", "type", "name", "values")}
        if r["index"] is not None:
            entry["index"] = r["index"]
        planned.append(entry)
        changes.append({"address": r["address"], "mode": r["mode"], "type": r["type"],
                        "name": r["name"], "change": {"actions": ["create"], "before": None,
                                                      "after": r["values"],
                                                      "after_unknown": r["unknown"]}})
        relative = r["address"].split("[")[0]
        if all(c["address"] != relative for c in config):
            config.append({"address": relative, "mode": r["mode"], "type": r["type"],
                           "name": r["name"], "expressions": r["expressions"]})
    out: dict[str, Any] = {"format_version": "1.2",
                           "planned_values": {"root_module": {"resources": planned}},
                           "resource_changes": changes}
    if configuration:
        out["configuration"] = {"root_module": {"resources": config}}
    return out


def role(name: str = "app", **values: Any) -> dict[str, Any]:
    """A role to create; attributes given in `values` are configured and known."""
    unknown = {k: v for k, v in ROLE_UNKNOWN.items() if k not in values}
    return res("aws_iam_role", name, {"name": name, "path": "/", "assume_role_policy": TRUST,
                                      **values}, unknown,
               {"name": {"constant_value": name},
                **{k: {"constant_value": v} for k, v in values.items()}})


def read(p: dict[str, Any], **kwargs: Any) -> IacWorld:
    kwargs.setdefault("account_id", ACCT)
    return world_from_terraform_plan(p, "plan.json", **kwargs)


def test_account_comes_from_the_argument_or_the_caller_identity() -> None:
    identity = res("aws_caller_identity", "current", {"account_id": "999999999999"},
                   mode="data")
    assert read(plan(role())).world.roles[0].arn == f"arn:aws:iam::{ACCT}:role/app"
    from_data = world_from_terraform_plan(plan(role(), identity), "plan.json")
    assert from_data.world.roles[0].arn == "arn:aws:iam::999999999999:role/app"


def test_arn_after_apply_without_an_account_is_an_error() -> None:
    with pytest.raises(InputError) as err:
        world_from_terraform_plan(plan(role()), "plan.json")
    assert (err.value.source, err.value.location) == ("plan.json", "aws_iam_role.app.arn")


def test_known_arn_is_used_as_is() -> None:
    arn = "arn:aws:iam::222222222222:role/legacy/app"
    iw = read(plan(res("aws_iam_role", "app", {"name": "app", "arn": arn,
                                               "assume_role_policy": TRUST})))
    assert iw.world.roles[0].arn == arn
    assert iw.placeholders == ()


def test_generated_name_is_a_placeholder_and_unknown() -> None:
    r = res("aws_iam_role", "gen", {"name_prefix": "etl-", "path": "/",
                                    "assume_role_policy": TRUST},
            {**ROLE_UNKNOWN, "name": True})
    iw = read(plan(r))
    name = iw.world.roles[0].name
    assert name.startswith("etl-") and len(name) == 4 + 26 and name[4:].isdigit()
    (unknown,) = iw.unknowns
    assert unknown.where == "aws_iam_role.gen.name"
    assert iw.placeholder("aws_iam_role.gen", "name") is not None
    assert read(plan(r)).world.roles[0].name == name  # stable


def test_unknown_trust_policy_makes_the_role_unassumable_and_listed() -> None:
    r = res("aws_iam_role", "app", {"name": "app", "path": "/"},
            {**ROLE_UNKNOWN, "assume_role_policy": True})
    iw = read(plan(r))
    trust = iw.world.roles[0].trust
    assert trust.statements[0].effect == "Deny" and trust.statements[0].principal.everyone
    (unknown,) = iw.unknowns
    assert (unknown.where, unknown.affects) == ("aws_iam_role.app.assume_role_policy",
                                                (f"arn:aws:iam::{ACCT}:role/app",))


def test_link_through_a_variable_at_the_root_stays_unknown() -> None:
    att = res("aws_iam_role_policy", "p", {"name": "p", "policy": S3_READ},
              {"role": True, "id": True}, {"role": {"references": ["var.role_name"]}})
    iw = read(plan(role(), att))
    assert iw.world.roles[0].policies == ()
    (unknown,) = iw.unknowns
    assert unknown.where == "aws_iam_role_policy.p.role"
    assert "expression" in unknown.reason


def test_link_with_other_references_stays_unknown() -> None:
    att = res("aws_iam_role_policy", "p", {"name": "p", "policy": S3_READ},
              {"role": True}, {"role": {"references": [
                  "aws_iam_role.app.id", "aws_iam_role.app", "local.enabled"]}})
    iw = read(plan(role(), att))
    assert [u.where for u in iw.unknowns] == ["aws_iam_role_policy.p.role"]


def test_count_index_picks_the_matching_instance() -> None:
    roles = [res("aws_iam_role", "this", {"name": f"r{i}", "path": "/",
                                          "assume_role_policy": TRUST}, ROLE_UNKNOWN,
                 index=i) for i in (0, 1)]
    policies = [res("aws_iam_role_policy", "p", {"name": f"p{i}", "policy": S3_READ},
                    {"role": True}, {"role": {"references": [
                        "aws_iam_role.this", "count.index"]}}, index=i) for i in (0, 1)]
    iw = read(plan(*roles, *policies))
    assert {r.name: [p.name for p in r.policies] for r in iw.world.roles} == {
        "r0": ["p0"], "r1": ["p1"]}


def test_computed_inline_and_managed_sets_are_not_unknown_when_not_configured() -> None:
    assert read(plan(role())).unknowns == ()


def test_without_configuration_computed_sets_are_unknown() -> None:
    iw = read(plan(role(), configuration=False))
    assert sorted(u.attribute for u in iw.unknowns) == ["inline_policy", "managed_policy_arns"]
    assert all(p.statements[0].effect == "Deny" for p in iw.world.roles[0].policies)


def test_inline_policy_blocks() -> None:
    r = role(inline_policy=[{"name": "read", "policy": S3_READ}, {"name": "", "policy": ""}])
    r["unknown"]["inline_policy"] = [{"name": False, "policy": False}, {}]
    iw = read(plan(r))
    assert [p.name for p in iw.world.roles[0].policies] == ["read"]


def test_existing_role_lists_an_inline_policy_once() -> None:
    """An existing role's `inline_policy` (read back from AWS) also lists the policies that
    aws_iam_role_policy resources manage; an inline policy name is unique per role."""
    existing = role(inline_policy=[{"name": "read", "policy": S3_READ}],
                    arn=f"arn:aws:iam::{ACCT}:role/app")
    att = res("aws_iam_role_policy", "read", {"name": "read", "policy": S3_READ,
                                              "role": "app"})
    assert [p.name for p in read(plan(existing, att)).world.roles[0].policies] == ["read"]


def test_managed_policy_outside_the_plan_is_unknown_unless_supplied() -> None:
    aws_managed = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    p = plan(role(managed_policy_arns=[aws_managed]))
    iw = read(p)
    (unknown,) = iw.unknowns
    assert unknown.where == "aws_iam_role.app.managed_policy_arns"
    assert aws_managed in unknown.reason
    supplied = read(p, managed_policies={aws_managed: S3_READ})
    assert supplied.unknowns == ()
    assert supplied.world.roles[0].policies[0].statements[0].action == ("s3:GetObject",)


def test_policy_attachment_groups_and_memberships() -> None:
    policy = res("aws_iam_policy", "read", {"name": "read", "path": "/", "policy": S3_READ},
                 {"arn": True})
    user = res("aws_iam_user", "ana", {"name": "ana", "path": "/"}, {"arn": True})
    group = res("aws_iam_group", "analysts", {"name": "analysts", "path": "/"}, {"arn": True})
    att = res("aws_iam_policy_attachment", "read",
              {"name": "read", "groups": ["analysts"], "roles": ["app"], "users": None},
              {"policy_arn": True},
              {"policy_arn": {"references": ["aws_iam_policy.read.arn", "aws_iam_policy.read"]}})
    member = res("aws_iam_user_group_membership", "ana",
                 {"user": "ana", "groups": ["analysts"]})
    iw = read(plan(policy, user, group, att, member, role()))
    read_arn = f"arn:aws:iam::{ACCT}:policy/read"
    assert [p.name for p in iw.world.roles[0].policies] == [read_arn]
    assert [p.name for p in iw.world.users[0].policies] == [read_arn]
    assert iw.world.users[0].access_keys is False


def test_bucket_settings_for_a_bucket_outside_the_plan() -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::existing/*"}]})
    bp = res("aws_s3_bucket_policy", "existing", {"bucket": "existing", "policy": policy})
    pab = res("aws_s3_bucket_public_access_block", "existing",
              {"bucket": "existing", "restrict_public_buckets": False})
    iw = read(plan(bp, pab))
    bucket = iw.world.buckets_by_name["existing"]
    assert (bucket.account, bucket.restrict_public_buckets) == (ACCT, False)
    assert bucket.policy is not None and bucket.policy.statements[0].principal.everyone
    assert iw.placeholder("aws_s3_bucket_policy.existing", "bucket owner") is not None


def test_two_policies_for_one_bucket_are_an_error() -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}]})
    first = res("aws_s3_bucket_policy", "a", {"bucket": "b", "policy": policy})
    second = res("aws_s3_bucket_policy", "b", {"bucket": "b", "policy": policy})
    with pytest.raises(InputError, match="already has a policy from aws_s3_bucket_policy.a"):
        read(plan(first, second))


def test_scp_and_rcp_placed_in_the_ou_tree() -> None:
    scp = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})
    rcp = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]})
    ou = "aws_organizations_organizational_unit"
    refs = {"references": [f"{ou}.prod.id", f"{ou}.prod"]}
    workloads = res(ou, "workloads", {"name": "Workloads", "parent_id": "r-k3x9"}, {"id": True})
    prod = res(ou, "prod", {"name": "Prod"}, {"id": True, "parent_id": True},
               {"parent_id": {"references": [f"{ou}.workloads.id", f"{ou}.workloads"]}})
    account = res("aws_organizations_account", "data", {"name": "data", "id": "555566667777"},
                  {"parent_id": True}, {"parent_id": refs})
    policies = [res("aws_organizations_policy", name, {"name": name, "content": content,
                                                       "type": kind}, {"id": True})
                for name, content, kind in (("no-delete", scp, "SERVICE_CONTROL_POLICY"),
                                            ("perimeter", rcp, "RESOURCE_CONTROL_POLICY"))]
    to_prod = res("aws_organizations_policy_attachment", "scp", {}, {"policy_id": True,
                                                                      "target_id": True},
                  {"policy_id": {"references": ["aws_organizations_policy.no-delete.id"]},
                   "target_id": refs})
    to_root = res("aws_organizations_policy_attachment", "rcp", {"target_id": "r-k3x9"},
                  {"policy_id": True},
                  {"policy_id": {"references": ["aws_organizations_policy.perimeter.id"]}})
    iw = read(plan(workloads, prod, account, *policies, to_prod, to_root))
    org = iw.world.organization
    assert org is not None
    assert sorted(org.levels) == ["root", "root/Workloads", "root/Workloads/Prod"]
    assert [d.name for d in org.levels["root/Workloads/Prod"].scps] == ["FullAWSAccess",
                                                                         "no-delete"]
    assert [d.name for d in org.levels["root"].rcps] == ["perimeter"]
    assert org.levels["root"].rcps[0].kind is PolicyKind.rcp
    assert iw.world.accounts["555566667777"].ou_path == "root/Workloads/Prod"


def test_attachment_to_a_role_outside_the_plan_is_unknown() -> None:
    att = res("aws_iam_role_policy", "p", {"name": "p", "policy": S3_READ, "role": "other"})
    iw = read(plan(att))
    (unknown,) = iw.unknowns
    assert (unknown.where, unknown.affects) == ("aws_iam_role_policy.p.role", ("other",))


def test_a_state_file_is_read_too() -> None:
    state = {"format_version": "1.0", "values": {"root_module": {"resources": [
        {"address": "aws_iam_role.app", "mode": "managed", "type": "aws_iam_role",
         "name": "app", "values": {"name": "app", "assume_role_policy": TRUST,
                                   "arn": f"arn:aws:iam::{ACCT}:role/app"}}]}}}
    assert world_from_terraform_plan(state, "s.json").world.roles[0].name == "app"


# --- bad input ------------------------------------------------------------------------------


def test_bad_policy_is_reported_with_the_address_and_key_path() -> None:
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})
    with pytest.raises(PolicyError) as err:
        read(plan(role(assume_role_policy=bad)))
    assert err.value.source == "plan.json"
    assert err.value.location == "aws_iam_role.app.assume_role_policy.Statement[0].Effect"


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(InputErrors) as err:
        read(plan(role("a", assume_role_policy="{"), role("b", assume_role_policy="[]")))
    assert [e.location for e in err.value.errors] == ["aws_iam_role.a.assume_role_policy",
                                                      "aws_iam_role.b.assume_role_policy"]


def test_duplicate_role_names_are_an_error() -> None:
    with pytest.raises(InputError, match="also used by aws_iam_role.a"):
        read(plan(role("a"), res("aws_iam_role", "b", {"name": "A", "assume_role_policy": TRUST},
                                 ROLE_UNKNOWN)))


@pytest.mark.parametrize("data, location", [
    ([], ""),
    ({"format_version": "2.0", "planned_values": {}}, "format_version"),
    ({"format_version": "1.2"}, ""),
    ({"format_version": "1.2", "planned_values": {"root_module": {"resources": [{}]}}},
     "planned_values.root_module.resources[0]"),
    ({"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{}]}}},
     "planned_values.root_module.child_modules[0]"),
])
def test_not_a_plan(data: Any, location: str) -> None:
    with pytest.raises(InputError) as err:
        world_from_terraform_plan(data, "x.json", account_id=ACCT)
    assert (err.value.source, err.value.location) == ("x.json", location)


def test_bad_account_id_argument() -> None:
    with pytest.raises(InputError, match="12-digit"):
        read(plan(role()), account_id="12345")


def test_malformed_json_file_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,}\n}\n')
    with pytest.raises(InputError) as err:
        load_terraform_plan(path)
    assert err.value.source == str(path)
    assert err.value.location == "line 3 column 22"


def test_binary_plan_file_says_how_to_convert_it(tmp_path: Path) -> None:
    path = tmp_path / "tfplan"
    path.write_bytes(b"PK\x03\x04\x14\x00binary")
    with pytest.raises(InputError, match="terraform show -json tfplan"):
        load_terraform_plan(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_terraform_plan(tmp_path / "nope.json")
