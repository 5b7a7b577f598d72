"""What World would this Terraform plan build?

Input: the decoded output of `terraform show -json <planfile>` (or of a state file); see
`simulator.iac.terraform_plan` for the format and
https://developer.hashicorp.com/terraform/internals/json-format . Every module is walked
(`planned_values.root_module` and its `child_modules`, recursively).

Resource types read (AWS provider, https://registry.terraform.io/providers/hashicorp/aws/latest/docs):
roles `aws_iam_role` (assume_role_policy, name/name_prefix, path, max_session_duration,
permissions_boundary, tags, inline_policy blocks, managed_policy_arns), `aws_iam_role_policy`,
`aws_iam_role_policy_attachment`; users `aws_iam_user`, `aws_iam_user_policy`,
`aws_iam_user_policy_attachment`, `aws_iam_access_key` (the user has long-term keys); groups
`aws_iam_group`, `aws_iam_group_policy`, `aws_iam_group_policy_attachment`,
`aws_iam_group_membership`, `aws_iam_user_group_membership`; managed policies
`aws_iam_policy` and `aws_iam_policy_attachment`; `aws_iam_instance_profile`;
`aws_iam_openid_connect_provider`; `aws_s3_bucket` (+ its deprecated `policy`),
`aws_s3_bucket_policy`, `aws_s3_bucket_public_access_block`; Organizations SCPs and RCPs
(`simulator.iac.terraform_org`). Other resource types are not about IAM and are not read.

What is known only after apply is handled by `simulator.iac.terraform_values`: derived
(ARNs), followed through the configuration's references (links), or reported unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..arn import is_account_id
from ..errors import InputError
from .assembly import assemble
from .drafts import (
    AttachmentDraft,
    BucketDraft,
    BucketPolicyDraft,
    Drafts,
    Link,
    ManagedPolicyDraft,
    MembershipDraft,
    OidcDraft,
    PolicyText,
    PrincipalDraft,
    PrincipalKind,
    ProfileDraft,
    PublicAccessDraft,
)
from .proposed import IacWorld, Ledger
from .terraform_org import organization
from .terraform_plan import Plan, PlannedResource, read_plan
from .terraform_values import AFTER_APPLY, Target, Values

_INLINE: dict[str, PrincipalKind] = {"aws_iam_role_policy": "role",
                                     "aws_iam_user_policy": "user",
                                     "aws_iam_group_policy": "group"}
_ATTACH: dict[str, PrincipalKind] = {"aws_iam_role_policy_attachment": "role",
                                     "aws_iam_user_policy_attachment": "user",
                                     "aws_iam_group_policy_attachment": "group"}
_PRINCIPALS: dict[PrincipalKind, str] = {"role": "aws_iam_role", "user": "aws_iam_user",
                                         "group": "aws_iam_group"}


class _Reader:
    def __init__(self, v: Values) -> None:
        self.v = v
        self.plan = v.plan
        self.policy_target: Target = {"aws_iam_policy": v.arn}

    def target(self, kind: PrincipalKind) -> Target:
        return {_PRINCIPALS[kind]: self.v.name}

    def principal(self, r: PlannedResource, kind: PrincipalKind,
                  keyed: set[str]) -> PrincipalDraft:
        v = self.v
        name, arn = v.name(r), v.arn(r)
        managed: tuple[Link, ...] = ()
        if not (r.unknown("managed_policy_arns") and r.configured("managed_policy_arns") is False):
            managed = v.links(r, "managed_policy_arns", self.policy_target)
        boundary = None
        if r.unknown("permissions_boundary") or r.values.get("permissions_boundary"):
            boundary = v.link(r, "permissions_boundary", self.policy_target)
        fields: dict[str, Any] = {}
        if kind == "role":
            fields = {"trust": v.text(r, "assume_role_policy", f"{name} trust policy"),
                      "inline": v.inline_blocks(r, name),
                      "max_session_duration": v.number(r, "max_session_duration", 3600, (arn,))}
        if kind != "group":
            fields["tags"] = v.tags(r, (arn,))
        return PrincipalDraft(kind=kind, address=r.address, name=name, arn=arn, managed=managed,
                              boundary=boundary, access_keys=name.lower() in keyed, **fields)

    def keyed_users(self) -> set[str]:
        out = set()
        for r in self.plan.of_type("aws_iam_access_key"):
            link = self.v.link(r, "user", self.target("user"))
            if link.value is None:
                self.v.ledger.unknown(r.address, "user", link.unknown,
                                      stand_in="no user is marked as having access keys")
            else:
                out.add(link.value.lower())
        return out

    def attachments(self) -> list[AttachmentDraft]:
        out = []
        for r in self.plan.of_type(*_INLINE):
            kind = _INLINE[r.type]
            text = self.v.text(r, "policy", self.v.name(r))
            out.append(AttachmentDraft(address=r.address, target_kind=kind, inline=text,
                                       target=self.v.link(r, kind, self.target(kind))))
        for r in self.plan.of_type(*_ATTACH):
            kind = _ATTACH[r.type]
            out.append(AttachmentDraft(address=r.address, target_kind=kind,
                                       target=self.v.link(r, kind, self.target(kind)),
                                       managed=self.v.link(r, "policy_arn", self.policy_target)))
        for r in self.plan.of_type("aws_iam_policy_attachment"):
            policy = self.v.link(r, "policy_arn", self.policy_target)
            for kind in _PRINCIPALS:
                for target in self.v.links(r, f"{kind}s", self.target(kind)):
                    out.append(AttachmentDraft(address=r.address, target_kind=kind,
                                               target=target, managed=policy))
        return out

    def memberships(self) -> list[MembershipDraft]:
        out = []
        for r in self.plan.of_type("aws_iam_group_membership"):
            out.append(MembershipDraft(address=r.address,
                                       group=self.v.link(r, "group", self.target("group")),
                                       users=self.v.links(r, "users", self.target("user"))))
        for r in self.plan.of_type("aws_iam_user_group_membership"):
            user = self.v.link(r, "user", self.target("user"))
            for group in self.v.links(r, "groups", self.target("group")):
                out.append(MembershipDraft(address=r.address, group=group, users=(user,)))
        return out

    def profiles(self) -> list[ProfileDraft]:
        out = []
        for r in self.plan.of_type("aws_iam_instance_profile"):
            if not r.unknown("role") and not r.values.get("role"):
                continue  # a profile without a role hands out no credentials
            out.append(ProfileDraft(address=r.address, arn=self.v.arn(r),
                                    role=self.v.link(r, "role", self.target("role"))))
        return out

    def oidc_providers(self) -> list[OidcDraft]:
        out = []
        for r in self.plan.of_type("aws_iam_openid_connect_provider"):
            if not isinstance(self.v.known(r, "url"), str):
                self.v.ledger.unknown(r.address, "url", f"the issuer URL is {AFTER_APPLY}",
                                      stand_in="the provider is not in the World")
                continue
            audiences = self.v.known(r, "client_id_list")
            if not isinstance(audiences, list):
                self.v.ledger.unknown(r.address, "client_id_list", f"the audiences are "
                                      f"{AFTER_APPLY}", (self.v.arn(r),), stand_in="no audience")
                audiences = []
            out.append(OidcDraft(address=r.address, arn=self.v.arn(r),
                                 audiences=tuple(a for a in audiences if isinstance(a, str))))
        return out

    def buckets(self) -> list[BucketDraft]:
        out = []
        for r in self.plan.of_type("aws_s3_bucket"):
            name = self.v.name(r)
            policy: PolicyText | None = None
            if r.unknown("policy") and r.configured("policy") is not False:
                policy = self.v.text(r, "policy", f"{name} bucket policy")
            elif isinstance(r.values.get("policy"), str) and r.values["policy"].strip():
                policy = self.v.text(r, "policy", f"{name} bucket policy")
            out.append(BucketDraft(address=r.address, name=name, account=self.v.account_for(r),
                                   policy=policy))
        return out

    def bucket_settings(self) -> tuple[list[BucketPolicyDraft], list[PublicAccessDraft]]:
        target: Target = {"aws_s3_bucket": self.v.name}
        policies = []
        for r in self.plan.of_type("aws_s3_bucket_policy"):
            bucket = self.v.link(r, "bucket", target)
            policies.append(BucketPolicyDraft(
                address=r.address, bucket=bucket,
                text=self.v.text(r, "policy", f"{bucket.value or r.address} bucket policy")))
        blocks = []
        for r in self.plan.of_type("aws_s3_bucket_public_access_block"):
            restrict = self.v.known(r, "restrict_public_buckets")
            if r.unknown("restrict_public_buckets"):
                self.v.ledger.unknown(r.address, "restrict_public_buckets",
                                      f"the setting is {AFTER_APPLY}", stand_in="true")
            blocks.append(PublicAccessDraft(address=r.address,
                                            bucket=self.v.link(r, "bucket", target),
                                            restrict_public_buckets=restrict is not False))
        return policies, blocks

    def drafts(self, name: str) -> Drafts:
        keyed = self.keyed_users()
        principals = [self.principal(r, kind, keyed) for kind, type_ in _PRINCIPALS.items()
                      for r in self.plan.of_type(type_)]
        managed = [ManagedPolicyDraft(address=r.address, arn=self.v.arn(r),
                                      text=self.v.text(r, "policy", self.v.arn(r)))
                   for r in self.plan.of_type("aws_iam_policy")]
        bucket_policies, public_access = self.bucket_settings()
        return Drafts(name=name, account_id=self.v.account, partition=self.v.partition,
                      principals=tuple(principals), managed_policies=tuple(managed),
                      attachments=tuple(self.attachments()),
                      memberships=tuple(self.memberships()), buckets=tuple(self.buckets()),
                      bucket_policies=tuple(bucket_policies), public_access=tuple(public_access),
                      profiles=tuple(self.profiles()), oidc_providers=tuple(self.oidc_providers()))


def _data_value(plan: Plan, type_: str, attribute: str) -> str | None:
    for r in plan.of_type(type_, mode="data"):
        value = r.values.get(attribute)
        if isinstance(value, str) and value and not r.unknown(attribute):
            return value
    return None


def world_from_terraform_plan(plan: Mapping[str, Any], source: str, *,
                              account_id: str | None = None, region: str | None = None,
                              partition: str | None = None,
                              managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """The World a `terraform show -json` plan would build, with its unknowns and placeholders.

    `account_id` is the account the plan applies to (default: the plan's
    `data.aws_caller_identity`); it is needed to derive ARNs known only after apply.
    `region` is accepted for symmetry with the CloudFormation reader: IAM and S3 ARNs carry
    no region. `partition` defaults to the plan's `data.aws_partition`, else `aws`.
    `managed_policies` maps ARNs of policies the plan attaches but does not define (AWS
    managed policies, existing customer policies) to their documents.
    Raises InputError/InputErrors naming `source` and the resource address.
    """
    parsed = read_plan(plan, source)
    if account_id is not None and not is_account_id(account_id):
        raise InputError(f"account_id {account_id!r} is not a 12-digit account id",
                         source=source, location="account_id")
    ledger = Ledger(source)
    account = account_id or _data_value(parsed, "aws_caller_identity", "account_id")
    part = partition or _data_value(parsed, "aws_partition", "partition") or "aws"
    values = Values(parsed, ledger, account, part)
    drafts = _Reader(values).drafts(source)
    org, accounts = organization(values, drafts)
    world = assemble(drafts, ledger, managed_policies=managed_policies, organization=org,
                     accounts=accounts)
    return ledger.result(world)
