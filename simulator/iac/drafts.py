"""What did a template state about each IAM entity, before the pieces are put together?

Both readers (Terraform, CloudFormation) turn their resources into these drafts; the
assembly (`simulator.iac.assembly`) joins them into a World. A draft keeps where each value
came from (`address`, `attribute`) so that an unknown or a bad policy can be reported at
its place. A policy is referred to by ARN, a principal or a bucket by name, as both IaC
formats do.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..world import DEFAULT_MAX_SESSION

PrincipalKind = Literal["role", "user", "group"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PolicyText(_Frozen):
    """A policy document as the template states it: decoded JSON or JSON text in `raw`, or
    unknown (`unknown` says why; `raw` is then None). `location` is its key path in the
    file when that differs from `address.attribute` (CloudFormation: `Resources.<id>...`)."""

    address: str
    attribute: str
    name: str
    raw: Any = None
    unknown: str = ""
    location: str = ""

    @property
    def key_path(self) -> str:
        """Where to point at in the file (defaults to `address.attribute`)."""
        return self.location or f"{self.address}.{self.attribute}"


class Link(_Frozen):
    """A name or ARN naming another entity; `value` None means unknown (`unknown` says why)."""

    address: str
    attribute: str
    value: str | None = None
    unknown: str = ""


class PrincipalDraft(_Frozen):
    """A role, user or group with what its own resource states (inline policies, managed
    policy ARNs, boundary). Roles have a `trust` policy; users may have access keys."""

    kind: PrincipalKind
    address: str
    name: str
    arn: str
    id: str | None = None
    trust: PolicyText | None = None
    inline: tuple[PolicyText, ...] = ()
    managed: tuple[Link, ...] = ()
    boundary: Link | None = None
    max_session_duration: int = DEFAULT_MAX_SESSION
    tags: dict[str, str] = Field(default_factory=dict)
    access_keys: bool = False
    groups: tuple[Link, ...] = ()


class ManagedPolicyDraft(_Frozen):
    address: str
    arn: str
    text: PolicyText


class AttachmentDraft(_Frozen):
    """A policy attached to a principal named by `target`: a managed policy (by ARN) or an
    inline policy of its own (`aws_iam_role_policy`, `AWS::IAM::Policy`)."""

    address: str
    target_kind: PrincipalKind
    target: Link
    managed: Link | None = None
    inline: PolicyText | None = None


class MembershipDraft(_Frozen):
    """Users added to a group (group policies apply to its member users)."""

    address: str
    group: Link
    users: tuple[Link, ...]


class BucketDraft(_Frozen):
    address: str
    name: str
    account: str
    policy: PolicyText | None = None


class BucketPolicyDraft(_Frozen):
    address: str
    bucket: Link
    text: PolicyText


class PublicAccessDraft(_Frozen):
    """A bucket's Block Public Access setting RestrictPublicBuckets."""

    address: str
    bucket: Link
    restrict_public_buckets: bool


class ProfileDraft(_Frozen):
    address: str
    arn: str
    role: Link


class OidcDraft(_Frozen):
    address: str
    arn: str
    audiences: tuple[str, ...]


class Drafts(_Frozen):
    """Everything one template states, ready to be assembled."""

    name: str = ""
    account_id: str | None = None
    partition: str = "aws"
    principals: tuple[PrincipalDraft, ...] = ()
    managed_policies: tuple[ManagedPolicyDraft, ...] = ()
    attachments: tuple[AttachmentDraft, ...] = ()
    memberships: tuple[MembershipDraft, ...] = ()
    buckets: tuple[BucketDraft, ...] = ()
    bucket_policies: tuple[BucketPolicyDraft, ...] = ()
    public_access: tuple[PublicAccessDraft, ...] = ()
    profiles: tuple[ProfileDraft, ...] = ()
    oidc_providers: tuple[OidcDraft, ...] = ()
