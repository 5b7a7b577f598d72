"""What does a flow ask? How a chain starts, each hop, the accesses to check, what is expected.

A flow is replayed by `simulator.replay`. Starts (exactly one):
- `instance_profile`: an EC2 instance whose profile holds `role`; EC2 assumes the role
  (the role must trust ec2.amazonaws.com); `launched_by` names who passed the role.
- `web_identity`: a pod's OIDC token (EKS IRSA) exchanged with AssumeRoleWithWebIdentity.
- `user`: an IAM user's long-term access keys.
- `session`: an existing session of a role (e.g. credentials a platform already holds).
Hops: `assume_role` (sts:AssumeRole with its parameters) and `pass_role` (iam:PassRole of
a role to a service, after which the chain continues as that service's session of it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .policy import PolicyDocument
from .request import ContextValues
from .results import Decision

DEFAULT_INSTANCE_ID = "i-0123456789abcdef0"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class InstanceProfileStart(_Frozen):
    role: str
    profile: str | None = None
    instance_id: str = DEFAULT_INSTANCE_ID
    launched_by: str | None = None


class WebIdentityStart(_Frozen):
    provider: str
    role: str
    sub: str
    aud: str = "sts.amazonaws.com"
    session_name: str = "web-identity-session"
    duration: int | None = None
    claims: dict[str, str] = Field(default_factory=dict)


class UserStart(_Frozen):
    user: str


class SessionStart(_Frozen):
    role: str
    session_name: str = "session"
    tags: dict[str, str] = Field(default_factory=dict)
    source_identity: str | None = None


Start = InstanceProfileStart | WebIdentityStart | UserStart | SessionStart


class AssumeRoleHop(_Frozen):
    """sts:AssumeRole with the parameters STS takes
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
    `session_policy_text` is the inline policy as sent (its length is limited)."""

    kind: Literal["assume_role"] = "assume_role"
    role: str
    external_id: str | None = None
    session_name: str | None = None
    duration: int | None = None
    session_policy: PolicyDocument | None = None
    session_policy_text: str | None = None
    policy_arns: tuple[PolicyDocument, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)
    transitive_tags: tuple[str, ...] = ()
    source_identity: str | None = None
    mfa: bool = False
    context: dict[str, ContextValues] = Field(default_factory=dict)


class PassRoleHop(_Frozen):
    """iam:PassRole of `role` to `service` (e.g. launching EC2 instances with its instance
    profile); the chain then continues as the service's session of the role."""

    kind: Literal["pass_role"] = "pass_role"
    role: str
    service: str = "ec2.amazonaws.com"
    instance_profile: str | None = None
    instance_id: str = DEFAULT_INSTANCE_ID


Hop = AssumeRoleHop | PassRoleHop


class Access(_Frozen):
    """One action to check with the final session; several resources are each checked
    (Glue needs the catalog, the database and the table). `expect` is this access's own
    expected decision."""

    action: str
    resources: tuple[str, ...]
    context: dict[str, ContextValues] = Field(default_factory=dict)
    expect: Decision | None = None


class FlowExpect(_Frozen):
    """What the flow should do: `allow` (every stage passes, every access allowed) or
    `deny`, optionally at a named stage (e.g. `hop1.trust`), with a decision or reason."""

    outcome: Literal["allow", "deny"]
    stage: str | None = None
    decision: Decision | Literal["invalid"] | None = None
    reason: str | None = None


class SetupCheck(_Frozen):
    """A product-level rule checked before the chain starts (e.g. SingleStore allows at
    most 20 delegated entities); a failed check stops the flow as `setup.<name>`."""

    name: str
    ok: bool
    message: str


class Flow(_Frozen):
    name: str
    about: str = ""
    start: Start
    hops: tuple[Hop, ...] = ()
    access: tuple[Access, ...] = ()
    expect: FlowExpect | None = None
    setup: tuple[SetupCheck, ...] = ()
