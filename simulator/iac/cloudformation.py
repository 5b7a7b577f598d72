"""What World would this CloudFormation template build?

Input: template text, JSON or YAML with short intrinsic tags (`simulator.iac.cfn_template`),
deployed as stack `stack_name` in `account_id`/`region`. Intrinsics are evaluated by
`simulator.iac.intrinsics` with the names and ARNs of `simulator.iac.cfn_names`;
parameters take the value passed in `parameters`, else their Default.

Resource types read (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_IAM.html):
`AWS::IAM::Role` (AssumeRolePolicyDocument, Policies, ManagedPolicyArns, PermissionsBoundary,
Path, RoleName, MaxSessionDuration, Tags), `AWS::IAM::User` (+ `AWS::IAM::AccessKey`,
Groups), `AWS::IAM::Group`, `AWS::IAM::Policy` (Roles, Users, Groups), `AWS::IAM::ManagedPolicy`
(Roles, Users, Groups), `AWS::IAM::RolePolicy`/`UserPolicy`/`GroupPolicy`,
`AWS::IAM::UserToGroupAddition`, `AWS::IAM::InstanceProfile`, `AWS::IAM::OIDCProvider`,
`AWS::S3::Bucket` (+ PublicAccessBlockConfiguration), `AWS::S3::BucketPolicy`.
A resource whose Condition is false is not created; one whose Condition cannot be
evaluated is unknown. Transforms, `AWS::Serverless::*` and nested stacks create resources
this reader cannot see: each is reported unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..arn import is_account_id, parse_arn
from ..errors import ArnError, InputError
from ..world import DEFAULT_MAX_SESSION
from .assembly import assemble
from .cfn_names import StackResolver
from .cfn_properties import Properties
from .cfn_template import parse_template
from .drafts import (
    AttachmentDraft,
    BucketDraft,
    BucketPolicyDraft,
    Drafts,
    Link,
    ManagedPolicyDraft,
    MembershipDraft,
    OidcDraft,
    PrincipalDraft,
    PrincipalKind,
    ProfileDraft,
    PublicAccessDraft,
)
from .intrinsics import Unresolvable
from .proposed import IacWorld, Ledger

DEFAULT_STACK_NAME = "stack"
_STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")
_PRINCIPAL_TYPES: dict[str, PrincipalKind] = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user",
                                              "AWS::IAM::Group": "group"}
_TARGETS: tuple[tuple[PrincipalKind, str], ...] = (("role", "Roles"), ("user", "Users"),
                                                    ("group", "Groups"))
_OWN_POLICY: dict[str, tuple[PrincipalKind, str]] = {
    "AWS::IAM::RolePolicy": ("role", "RoleName"), "AWS::IAM::UserPolicy": ("user", "UserName"),
    "AWS::IAM::GroupPolicy": ("group", "GroupName")}


class _Reader(Properties):
    def __init__(self, resolver: StackResolver, ledger: Ledger) -> None:
        super().__init__(resolver, ledger)
        self.out: dict[str, list[Any]] = {}
        self.keyed: set[str] = set()

    def add(self, kind: str, draft: Any) -> None:
        self.out.setdefault(kind, []).append(draft)

    def principal(self, lid: str, kind: PrincipalKind) -> None:
        state = self.state(lid)
        if state is None:
            return
        phys = self.r.physical(lid)
        if state:
            self.ledger.unknown(lid, "Condition", state, (phys.arn,),
                                stand_in=f"the {kind} is not in the World")
            return
        fields: dict[str, Any] = {"inline": self.inline(lid),
                                  "managed": self.links(lid, "ManagedPolicyArns")}
        if kind != "group":
            fields["boundary"] = self.link(lid, "PermissionsBoundary")
            fields["tags"] = self.tags(lid, phys.arn)
        if kind == "role":
            fields["trust"] = self.text(lid, "AssumeRolePolicyDocument",
                                        f"{phys.name} trust policy")
            fields["max_session_duration"] = self.number(lid, "MaxSessionDuration",
                                                         DEFAULT_MAX_SESSION, phys.arn)
        if kind == "user":
            fields["groups"] = self.links(lid, "Groups")
            fields["access_keys"] = phys.name.lower() in self.keyed
        self.add("principals", PrincipalDraft(kind=kind, address=lid, name=phys.name,
                                              arn=phys.arn, **fields))

    def policy(self, lid: str, managed: bool) -> None:
        state = self.state(lid)
        if state is None:
            return
        name_key = "ManagedPolicyName" if managed else "PolicyName"
        try:
            name = self.value(lid, name_key)
        except Unresolvable:
            name = None
        arn = self.r.physical(lid).arn if managed else ""
        text = self.text(lid, "PolicyDocument", arn or str(name or lid), unknown=state)
        if managed:
            self.add("managed_policies", ManagedPolicyDraft(address=lid, arn=arn, text=text))
        for kind, key in _TARGETS:
            for target in self.links(lid, key):
                self.add("attachments", AttachmentDraft(
                    address=lid, target_kind=kind, target=target,
                    managed=Link(address=lid, attribute="Ref", value=arn) if managed else None,
                    inline=None if managed else text))

    def own_policy(self, lid: str, kind: PrincipalKind, key: str) -> None:
        state = self.state(lid)
        target = self.link(lid, key)
        if state is None or target is None:
            return
        name = self.props(lid).get("PolicyName")
        text = self.text(lid, "PolicyDocument", name if isinstance(name, str) else lid,
                         unknown=state)
        self.add("attachments", AttachmentDraft(address=lid, target_kind=kind, target=target,
                                                inline=text))

    def membership(self, lid: str) -> None:
        group = self.link(lid, "GroupName")
        if self.state(lid) is not None and group is not None:
            self.add("memberships", MembershipDraft(address=lid, group=group,
                                                    users=self.links(lid, "Users")))

    def access_key(self, lid: str) -> None:
        user = self.link(lid, "UserName")
        status = self.props(lid).get("Status", "Active")
        if self.state(lid) is None or status == "Inactive" or user is None:
            return
        if user.value is None:
            self.ledger.unknown(lid, user.attribute, user.unknown,
                                stand_in="no user is marked as having access keys")
        else:
            self.keyed.add(user.value.lower())

    def profile(self, lid: str) -> None:
        state = self.state(lid)
        if state is None:
            return
        phys = self.r.physical(lid)
        if state:
            self.ledger.unknown(lid, "Condition", state, (phys.arn,),
                                stand_in="the instance profile is not in the World")
            return
        roles = self.links(lid, "Roles")
        if len(roles) != 1:
            self.r.fail("an instance profile holds exactly one role",
                        f"Resources.{lid}.Properties.Roles")
        self.add("profiles", ProfileDraft(address=lid, arn=phys.arn, role=roles[0]))

    def oidc(self, lid: str) -> None:
        state = self.state(lid)
        if state is None:
            return
        try:
            arn = self.r.physical(lid).arn
            if state:
                raise Unresolvable(state, f"Resources.{lid}.Condition")
            audiences = self.value(lid, "ClientIdList") or []
        except Unresolvable as exc:
            self.ledger.unknown(lid, self.attr(lid, exc), exc.reason,
                                stand_in="the provider is not in the World")
            return
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            self.r.fail("ClientIdList must be a list of strings",
                        f"Resources.{lid}.Properties.ClientIdList")
        self.add("oidc_providers", OidcDraft(address=lid, arn=arn, audiences=tuple(audiences)))

    def bucket(self, lid: str) -> None:
        state = self.state(lid)
        if state is None:
            return
        phys = self.r.physical(lid)
        if state:
            self.ledger.unknown(lid, "Condition", state, (phys.arn,),
                                stand_in="the bucket is not in the World")
            return
        self.add("buckets", BucketDraft(address=lid, name=phys.name, account=self.r.account_id))
        try:
            block = self.value(lid, "PublicAccessBlockConfiguration")
        except Unresolvable as exc:
            self.ledger.unknown(lid, self.attr(lid, exc), exc.reason, (phys.arn,), "true")
            return
        if isinstance(block, dict) and "RestrictPublicBuckets" in block:
            restrict = str(block["RestrictPublicBuckets"]).lower() != "false"
            self.add("public_access", PublicAccessDraft(
                address=lid, bucket=Link(address=lid, attribute="Ref", value=phys.name),
                restrict_public_buckets=restrict))

    def bucket_policy(self, lid: str) -> None:
        state = self.state(lid)
        bucket = self.link(lid, "Bucket")
        if state is None:
            return
        if bucket is None:
            self.r.fail("Bucket is required", f"Resources.{lid}.Properties")
        self.add("bucket_policies", BucketPolicyDraft(
            address=lid, bucket=bucket,
            text=self.text(lid, "PolicyDocument", f"{bucket.value or lid} bucket policy",
                           unknown=state)))

    def read(self) -> None:
        resources = self.r.resources
        for lid in resources:
            if resources[lid]["Type"] == "AWS::IAM::AccessKey":
                self.access_key(lid)
        for lid, res in resources.items():
            kind = res["Type"]
            if kind in _PRINCIPAL_TYPES:
                self.principal(lid, _PRINCIPAL_TYPES[kind])
            elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                self.policy(lid, kind == "AWS::IAM::ManagedPolicy")
            elif kind in _OWN_POLICY:
                self.own_policy(lid, *_OWN_POLICY[kind])
            elif kind == "AWS::IAM::UserToGroupAddition":
                self.membership(lid)
            elif kind == "AWS::IAM::InstanceProfile":
                self.profile(lid)
            elif kind == "AWS::IAM::OIDCProvider":
                self.oidc(lid)
            elif kind == "AWS::S3::Bucket":
                self.bucket(lid)
            elif kind == "AWS::S3::BucketPolicy":
                self.bucket_policy(lid)
            elif kind.startswith("AWS::Serverless::") or kind == "AWS::CloudFormation::Stack":
                self.ledger.unknown(lid, "Type", f"{kind} creates resources (roles, policies) "
                                    f"this reader does not see", stand_in="nothing")

    def drafts(self, name: str) -> Drafts:
        principals = [p.model_copy(update={"id": self.r.role_ids.get(p.address)})
                      if p.kind == "role" else p for p in self.out.get("principals", [])]
        fields = {k: tuple(v) for k, v in self.out.items() if k != "principals"}
        return Drafts(name=name, account_id=self.r.account_id, partition=self.r.partition,
                      principals=tuple(principals), **fields)


def _check_arguments(source: str, account_id: str, region: str, partition: str,
                     stack_name: str) -> None:
    if not is_account_id(account_id):
        raise InputError(f"account_id {account_id!r} is not a 12-digit account id",
                         source=source, location="account_id")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region):
        raise InputError(f"region {region!r} is not a region name such as us-east-1",
                         source=source, location="region")
    try:
        parse_arn(f"arn:{partition}:iam::{account_id}:root")
    except ArnError:
        raise InputError(f"unknown partition {partition!r}", source=source,
                         location="partition") from None
    if not _STACK_NAME.match(stack_name):
        raise InputError(f"stack name {stack_name!r} must start with a letter and hold only "
                         f"letters, digits and hyphens", source=source, location="stack_name")


def world_from_cloudformation(template_text: str, source: str, *, account_id: str, region: str,
                              partition: str = "aws",
                              parameters: Mapping[str, str] | None = None,
                              stack_name: str | None = None,
                              managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """The World a CloudFormation template would build as stack `stack_name` (default
    "stack", recorded as a placeholder where used) in `account_id`/`region`.

    `parameters` override the template's Defaults. `managed_policies` maps ARNs of
    policies the template attaches but does not define (AWS managed policies, existing
    customer policies) to their documents. Raises InputError/InputErrors naming `source`
    and the key path (or line, for malformed JSON/YAML).
    """
    name = stack_name or DEFAULT_STACK_NAME
    _check_arguments(source, account_id, region, partition, name)
    template = parse_template(template_text, source)
    ledger = Ledger(source)
    resolver = StackResolver(template, source, ledger, account_id=account_id, region=region,
                             partition=partition, stack_name=name,
                             stack_name_given=stack_name is not None,
                             parameters=dict(parameters or {}))
    if "Transform" in template:
        ledger.unknown("Transform", "", f"the template uses transform {template['Transform']}: "
                       f"what it expands to is not read", stand_in="the untransformed template")
    reader = _Reader(resolver, ledger)
    reader.read()
    world = assemble(reader.drafts(name), ledger, managed_policies=managed_policies)
    return ledger.result(world)
