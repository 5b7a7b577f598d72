"""Who is acting, with which policies, and what does AWS put in the request context?

A Session is the identity a chain holds at some point: an IAM user's long-term keys or a
role session. It knows the policies that bear on its requests (identity policies,
boundary, session policy, the SCPs of its account) and the keys AWS adds to its requests:
aws:PrincipalOrgID when its account is in an organization, aws:PrincipalTag/* (session tags
override the role's own tags), aws:SourceIdentity, aws:FederatedProvider,
aws:MultiFactorAuthPresent (temporary credentials only: absent for long-term keys).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .arn import Principal, PrincipalKind
from .decision import PolicySet
from .policy import PolicyDocument, PolicyKind
from .request import ContextValues, Request
from .world import Role, World


@dataclass(frozen=True)
class Session:
    principal: Principal
    account: str
    principal_id: str | None = None
    identity: tuple[PolicyDocument, ...] = ()
    boundary: PolicyDocument | None = None
    session_policy: PolicyDocument | None = None
    tags: dict[str, str] = field(default_factory=dict)
    transitive_tags: frozenset[str] = frozenset()
    source_identity: str | None = None
    federated_provider: str | None = None
    temporary: bool = True
    mfa: bool = False
    role: Role | None = None
    origin: str = ""  # how the session began: instance_profile, web_identity, assume_role...

    @property
    def chained(self) -> bool:
        """An AssumeRole made with these credentials is role chaining (one-hour cap)."""
        return self.principal.kind is PrincipalKind.role_session


def org_levels(world: World, account: str, kind: PolicyKind) -> tuple[tuple[PolicyDocument, ...],
                                                                         ...]:
    """The SCP or RCP levels that govern an account, root first; () outside the
    organization or for its management account (SCPs and RCPs do not apply there).
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html"""
    org = world.organization
    acct = world.accounts.get(account)
    if org is None or acct is None or acct.ou_path is None:
        return ()
    if org.management_account == account:
        return ()
    levels = []
    parts = acct.ou_path.split("/")
    for depth in range(1, len(parts) + 1):
        level = org.levels.get("/".join(parts[:depth]))
        if level is not None:
            levels.append(level.scps if kind is PolicyKind.scp else level.rcps)
    levels.append(acct.scps if kind is PolicyKind.scp else acct.rcps)
    if kind is PolicyKind.rcp:
        return tuple(lv for lv in levels if lv)  # RCPFullAWSAccess is implied at every level
    return tuple(levels)


def in_organization(world: World, account: str | None) -> bool:
    acct = world.accounts.get(account or "")
    return world.organization is not None and acct is not None and acct.ou_path is not None


def session_context(world: World, session: Session) -> dict[str, ContextValues]:
    ctx: dict[str, ContextValues] = {}
    if in_organization(world, session.account):
        assert world.organization is not None
        ctx["aws:PrincipalOrgID"] = (world.organization.id,)
    for key, value in session.tags.items():
        ctx[f"aws:PrincipalTag/{key}"] = (value,)
    if session.source_identity:
        ctx["aws:SourceIdentity"] = (session.source_identity,)
    if session.federated_provider:
        ctx["aws:FederatedProvider"] = (session.federated_provider,)
    if session.temporary:
        ctx["aws:MultiFactorAuthPresent"] = ("true" if session.mfa else "false",)
    ctx["aws:SecureTransport"] = ("true",)
    ctx["aws:ViaAWSService"] = ("false",)
    return ctx


def session_request(world: World, session: Session, action: str, resource: str,
                    resource_account: str | None,
                    extra: dict[str, ContextValues] | None = None) -> Request:
    context = session_context(world, session)
    context.update(extra or {})
    return Request(principal=session.principal, action=action, resource=resource,
                   resource_account=resource_account, context=context,
                   principal_id=session.principal_id)


def caller_policies(world: World, session: Session, resource_account: str | None,
                    resource_policy: PolicyDocument | None, service: str,
                    restrict_public_buckets: bool = False) -> PolicySet:
    """The policies bearing on a request by `session` to a resource in `resource_account`.
    Service-linked roles are exempt from SCPs; RCPs apply whoever calls."""
    exempt = session.role is not None and session.role.service_linked
    scp = () if exempt else org_levels(world, session.account, PolicyKind.scp)
    rcp = org_levels(world, resource_account, PolicyKind.rcp) if resource_account else ()
    return PolicySet(identity=session.identity, resource=resource_policy, scp=scp, rcp=rcp,
                     boundary=session.boundary, session=session.session_policy,
                     restrict_public_buckets=restrict_public_buckets)


def restricts_public(world: World, resource: str) -> bool:
    """Does the resource's bucket have S3 Block Public Access RestrictPublicBuckets on? (A
    bucket the world does not hold, or a resource that is no bucket: no.)"""
    bucket = world.bucket_of(resource)
    return bucket is not None and bucket.restrict_public_buckets


def resource_policy_of(world: World, resource: str) -> tuple[PolicyDocument | None, str | None]:
    """The resource-based policy of a resource and the account that owns it (None when
    the world does not say)."""
    if resource.startswith("arn:aws:s3:::"):
        bucket = world.bucket_of(resource)
        return (bucket.policy, bucket.account) if bucket else (None, None)
    role = world.roles_by_arn.get(resource)
    if role is not None:
        return role.trust, role.account
    key = world.keys_by_arn.get(resource)
    if key is not None:
        return key.policy, key.account
    other = world.resources_by_arn.get(resource)
    account = resource.split(":")[4] if resource.count(":") >= 5 else ""
    return (other.policy if other else None), (account or None)
