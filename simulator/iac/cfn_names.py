"""What do Ref and Fn::GetAtt return for a template's resources, before the stack exists?

Stable placeholders built from the caller's account, region and partition and the stack
name, the way AWS builds the real values:
- IAM ARNs `arn:<partition>:iam::<account>:<role|user|group|instance-profile|policy><Path><name>`
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns);
  S3 `arn:<partition>:s3:::<bucket>`; OIDC `arn:...:oidc-provider/<Url without https://>`.
- A resource without an explicit name gets `<stack>-<LogicalId>` (buckets: lower case):
  CloudFormation generates `<stack>-<LogicalId>-<random suffix>`
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html).
- `RoleId` is `AROA` + 17 characters from a hash of the role ARN.
Every made-up value is recorded as a placeholder. What Ref and GetAtt return per type is
on each resource's page, e.g.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html#aws-resource-iam-role-return-values
Ref/GetAtt of other resource types are unknown (known after deploy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from .intrinsics import Resolver, Unresolvable, property_path
from .proposed import Ledger

# type -> (name property, ARN resource kind, maximum name length, what Ref returns)
_NAMED = {
    "AWS::IAM::Role": ("RoleName", "role", 64, "name"),
    "AWS::IAM::User": ("UserName", "user", 64, "name"),
    "AWS::IAM::Group": ("GroupName", "group", 128, "name"),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName", "instance-profile", 128, "name"),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "policy", 128, "arn"),
    "AWS::S3::Bucket": ("BucketName", "", 63, "name"),
    "AWS::IAM::OIDCProvider": ("", "oidc-provider", 0, "arn"),
}
_ARN_ATTRIBUTE = {"AWS::IAM::Role": "Arn", "AWS::IAM::User": "Arn", "AWS::IAM::Group": "Arn",
                  "AWS::IAM::InstanceProfile": "Arn", "AWS::IAM::ManagedPolicy": "PolicyArn",
                  "AWS::IAM::OIDCProvider": "Arn", "AWS::S3::Bucket": "Arn"}
URL_SUFFIX = {"aws-cn": "amazonaws.com.cn"}


class Physical(BaseModel):
    """A resource's name and ARN as the stack would create them (placeholders)."""

    model_config = ConfigDict(frozen=True)

    logical_id: str
    type: str
    name: str
    arn: str


class StackResolver(Resolver):
    """Intrinsics of one stack, with its resources' names and ARNs as placeholders."""

    def __init__(self, template: Mapping[str, Any], source: str, ledger: Ledger, *,
                 account_id: str, region: str, partition: str, stack_name: str,
                 stack_name_given: bool, parameters: Mapping[str, str]) -> None:
        self.ledger = ledger
        self.account_id = account_id
        self.region = region
        self.partition = partition
        self.stack_name = stack_name
        self.stack_name_given = stack_name_given
        self.stack_id = (f"arn:{partition}:cloudformation:{region}:{account_id}:stack/"
                         f"{stack_name}/00000000-0000-0000-0000-000000000000")
        pseudo = {"AWS::AccountId": account_id, "AWS::Region": region,
                  "AWS::Partition": partition, "AWS::StackName": stack_name,
                  "AWS::StackId": self.stack_id,
                  "AWS::URLSuffix": URL_SUFFIX.get(partition, "amazonaws.com")}
        super().__init__(template, source, parameters, pseudo)
        self._physical: dict[str, Physical] = {}
        self._naming: set[str] = set()
        self.role_ids: dict[str, str] = {}
        self._unknown_names: dict[str, tuple[str, str]] = {}

    def ref(self, name: Any, path: str) -> Any:
        if name == "AWS::StackId":
            self.ledger.placeholder("AWS::StackId", "", self.stack_id,
                                    "stack name, region and account; zero stack UUID")
        if name == "AWS::StackName" and not self.stack_name_given:
            self.ledger.placeholder("AWS::StackName", "", self.stack_name,
                                    "default stack name (pass stack_name)")
        return super().ref(name, path)

    def created(self, logical_id: str, path: str) -> bool:
        """Is the resource created? Unresolvable when its Condition cannot be evaluated."""
        condition = self.resources[logical_id].get("Condition")
        if condition is None:
            return True
        try:
            return self.condition(condition, f"Resources.{logical_id}.Condition")
        except Unresolvable as exc:
            raise Unresolvable(f"{logical_id} exists only if condition {condition} holds, "
                               f"which cannot be evaluated: {exc.reason}", path) from None

    def _existing(self, logical_id: str, path: str) -> str:
        if not self.created(logical_id, path):
            self.fail(f"{logical_id} is not created (its condition is false) but is used here",
                      path)
        kind: str = self.resources[logical_id]["Type"]
        return kind

    def resource_ref(self, logical_id: str, path: str) -> Any:
        kind = self._existing(logical_id, path)
        if kind not in _NAMED:
            raise Unresolvable(f"Ref {logical_id} ({kind}) is known only after deploy", path)
        phys = self.physical(logical_id, path)
        return phys.arn if _NAMED[kind][3] == "arn" else phys.name

    def resource_att(self, logical_id: str, attribute: str, path: str) -> Any:
        kind = self._existing(logical_id, path)
        if kind in _NAMED and attribute == _ARN_ATTRIBUTE[kind]:
            return self.physical(logical_id, path).arn
        if kind == "AWS::IAM::Role" and attribute == "RoleId":
            return self.role_id(logical_id, path)
        if kind == "AWS::S3::Bucket" and attribute in ("DomainName", "RegionalDomainName",
                                                       "DualStackDomainName"):
            name = self.physical(logical_id, path).name
            suffix = URL_SUFFIX.get(self.partition, "amazonaws.com")
            host = {"DomainName": f"s3.{suffix}", "RegionalDomainName":
                    f"s3.{self.region}.{suffix}",
                    "DualStackDomainName": f"s3.dualstack.{self.region}.{suffix}"}[attribute]
            return f"{name}.{host}"
        raise Unresolvable(f"{logical_id}.{attribute} ({kind}) is known only after deploy", path)

    def role_id(self, logical_id: str, path: str) -> str:
        if logical_id not in self.role_ids:
            arn = self.physical(logical_id, path).arn
            role_id = "AROA" + hashlib.sha256(arn.encode()).hexdigest().upper()[:17]
            self.role_ids[logical_id] = role_id
            self.ledger.placeholder(logical_id, "RoleId", role_id,
                                    "AROA + 17 characters of a hash of the role ARN")
        return self.role_ids[logical_id]

    def physical(self, logical_id: str, path: str = "") -> Physical:
        """Name and ARN of a resource of a type in `_NAMED` (placeholders, recorded)."""
        if logical_id in self._physical:
            return self._physical[logical_id]
        if logical_id in self._naming:
            self.fail(f"the name of {logical_id} depends on itself", f"Resources.{logical_id}")
        self._naming.add(logical_id)
        try:
            phys = self._build(logical_id, path)
        finally:
            self._naming.discard(logical_id)
        self._physical[logical_id] = phys
        return phys

    def _property(self, logical_id: str, name: str) -> Any:
        props = self.resources[logical_id].get("Properties") or {}
        if name not in props:
            return None
        return self.resolve(props[name], f"Resources.{logical_id}.Properties.{name}")

    def _build(self, logical_id: str, path: str) -> Physical:
        kind = self.resources[logical_id]["Type"]
        name_prop, arn_kind, length, _ = _NAMED[kind]
        if kind == "AWS::IAM::OIDCProvider":
            url = self._property(logical_id, "Url")
            if not isinstance(url, str) or not url:
                self.fail("an OIDC provider needs a Url", f"Resources.{logical_id}.Properties")
            arn = (f"arn:{self.partition}:iam::{self.account_id}:oidc-provider/"
                   f"{url.split('://', 1)[-1]}")
            self.ledger.placeholder(logical_id, "Arn", arn, "Url and account_id")
            return Physical(logical_id=logical_id, type=kind, name=url, arn=arn)
        name = self._name(logical_id, name_prop, length, kind == "AWS::S3::Bucket")
        if kind == "AWS::S3::Bucket":
            return Physical(logical_id=logical_id, type=kind, name=name,
                            arn=f"arn:{self.partition}:s3:::{name}")
        iam_path = self._iam_path(logical_id)
        arn = f"arn:{self.partition}:iam::{self.account_id}:{arn_kind}{iam_path}{name}"
        self.ledger.placeholder(logical_id, _ARN_ATTRIBUTE[kind], arn,
                                "partition, account_id, Path and name")
        if logical_id in self._unknown_names:
            attribute, reason = self._unknown_names[logical_id]
            self.ledger.unknown(logical_id, attribute, reason, (arn,))
        return Physical(logical_id=logical_id, type=kind, name=name, arn=arn)

    def _name(self, logical_id: str, name_prop: str, length: int, lower: bool) -> str:
        generated = f"{self.stack_name}-{logical_id}"[:length]
        generated = generated.lower() if lower else generated
        where = f"Properties.{name_prop}"
        try:
            name = self._property(logical_id, name_prop)
        except Unresolvable as exc:
            attribute = property_path(exc.path).removeprefix(f"Resources.{logical_id}.")
            self._unknown_names[logical_id] = (attribute, exc.reason)
            self.ledger.unknown(logical_id, attribute, exc.reason,
                                stand_in=f"placeholder name {generated}")
            name = None
        if name is None:
            self.ledger.placeholder(logical_id, where, generated,
                                    "<stack>-<LogicalId>: CloudFormation generates the name")
            return generated
        if not isinstance(name, str) or not name:
            self.fail(f"{name_prop} must be a non-empty string",
                      f"Resources.{logical_id}.{where}")
        return name

    def _iam_path(self, logical_id: str) -> str:
        where = f"Resources.{logical_id}.Properties.Path"
        try:
            path = self._property(logical_id, "Path")
        except Unresolvable as exc:
            self.ledger.unknown(logical_id, "Properties.Path", exc.reason, stand_in="/")
            path = None
        if path is None:
            return "/"
        if not isinstance(path, str) or not (path.startswith("/") and path.endswith("/")):
            self.fail(f"Path {path!r} must begin and end with /", where)
        return path
