"""What exists: accounts, the organization, principals, resources and their policies.

A World is the resolved form of a scenario (or of real account data): every policy is a
parsed PolicyDocument, every reference points at something that exists. Readers (YAML
scenarios, account-authorization exports, Terraform, CloudFormation) build it; the replay
and the graph only read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .arn import parse_arn
from .policy import PolicyDocument

DEFAULT_MAX_SESSION = 3600


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrgLevel(_Frozen):
    """One level of the organization tree (root, an OU, an account) and what is attached."""

    name: str
    scps: tuple[PolicyDocument, ...] = ()
    rcps: tuple[PolicyDocument, ...] = ()


class Organization(_Frozen):
    """`levels` maps a path ("root", "root/Workloads", "root/Workloads/Prod") to its level."""

    id: str
    management_account: str | None = None
    levels: dict[str, OrgLevel] = Field(default_factory=dict)


class Account(_Frozen):
    """An AWS account. `ou_path` is None for an account outside the organization."""

    id: str
    name: str = ""
    ou_path: str | None = None
    scps: tuple[PolicyDocument, ...] = ()
    rcps: tuple[PolicyDocument, ...] = ()


class User(_Frozen):
    arn: str
    id: str | None = None
    policies: tuple[PolicyDocument, ...] = ()
    boundary: PolicyDocument | None = None
    access_keys: bool = True
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def account(self) -> str:
        return parse_arn(self.arn).account


class Role(_Frozen):
    """A role: ARN with its path, trust policy, permission policies (inline and managed,
    already resolved), boundary, MaxSessionDuration, tags."""

    arn: str
    id: str | None = None
    trust: PolicyDocument
    policies: tuple[PolicyDocument, ...] = ()
    boundary: PolicyDocument | None = None
    max_session_duration: int = DEFAULT_MAX_SESSION
    tags: dict[str, str] = Field(default_factory=dict)
    service_linked: bool = False

    @property
    def account(self) -> str:
        return parse_arn(self.arn).account

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


class InstanceProfile(_Frozen):
    arn: str
    role: str


class OidcProvider(_Frozen):
    """An IAM OIDC identity provider; `url` is the issuer without https://."""

    arn: str
    audiences: tuple[str, ...] = ("sts.amazonaws.com",)

    @property
    def url(self) -> str:
        return self.arn.split(":oidc-provider/", 1)[1]

    @property
    def account(self) -> str:
        return parse_arn(self.arn).account


class KmsKey(_Frozen):
    """A KMS key and its key policy; AWS managed keys (aws/s3) cannot be used cross-account."""

    arn: str
    policy: PolicyDocument | None = None
    aws_managed: bool = False

    @property
    def account(self) -> str:
        return parse_arn(self.arn).account


class Bucket(_Frozen):
    """An S3 bucket, its owner, bucket policy, default SSE-KMS key and Block Public Access
    RestrictPublicBuckets setting."""

    name: str
    account: str
    policy: PolicyDocument | None = None
    kms_key: str | None = None
    restrict_public_buckets: bool = True

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


class Resource(_Frozen):
    """Any other resource with a resource-based policy (Glue catalog, SQS queue, ...)."""

    arn: str
    policy: PolicyDocument | None = None


class World(_Frozen):
    """Everything a scenario or an account export describes."""

    name: str = ""
    organization: Organization | None = None
    accounts: dict[str, Account] = Field(default_factory=dict)
    users: tuple[User, ...] = ()
    roles: tuple[Role, ...] = ()
    instance_profiles: tuple[InstanceProfile, ...] = ()
    oidc_providers: tuple[OidcProvider, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    keys: tuple[KmsKey, ...] = ()
    resources: tuple[Resource, ...] = ()

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> World:
        """A copy with `update` applied. The lookup tables below are cached in the
        instance's __dict__, which pydantic copies: drop them so the copy builds its own
        from its own fields."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _LOOKUPS:
            copy.__dict__.pop(name, None)
        return copy

    @cached_property
    def roles_by_arn(self) -> dict[str, Role]:
        return {r.arn: r for r in self.roles}

    @cached_property
    def users_by_arn(self) -> dict[str, User]:
        return {u.arn: u for u in self.users}

    @cached_property
    def buckets_by_name(self) -> dict[str, Bucket]:
        return {b.name: b for b in self.buckets}

    def bucket_of(self, resource: str) -> Bucket | None:
        """The bucket an S3 ARN (the bucket's, or an object's in it) is in, if the world
        holds it; None for any other resource."""
        if not resource.startswith("arn:aws:s3:::"):
            return None
        return self.buckets_by_name.get(resource[len("arn:aws:s3:::"):].split("/", 1)[0])

    @cached_property
    def keys_by_arn(self) -> dict[str, KmsKey]:
        return {k.arn: k for k in self.keys}

    @cached_property
    def providers_by_arn(self) -> dict[str, OidcProvider]:
        return {p.arn: p for p in self.oidc_providers}

    @cached_property
    def profiles_by_arn(self) -> dict[str, InstanceProfile]:
        return {p.arn: p for p in self.instance_profiles}

    @cached_property
    def resources_by_arn(self) -> dict[str, Resource]:
        return {r.arn: r for r in self.resources}


_LOOKUPS = tuple(name for name, value in vars(World).items()
                 if isinstance(value, cached_property))
