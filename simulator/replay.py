"""Replay a flow stage by stage: how the chain starts, each hop, each access.

Stages, each with its own result (allow / explicit_deny / implicit_deny / invalid):
- `setup.<check>`: product-level rules (e.g. SingleStore's 20 delegated entities).
- `start.instance_profile`: EC2 assumes the role (its trust must admit ec2.amazonaws.com);
  a named launcher must hold iam:PassRole (iam:PassedToService = ec2.amazonaws.com) and
  iam:GetInstanceProfile. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html
- `start.web_identity`: AssumeRoleWithWebIdentity: the OIDC provider exists in the role's
  account and lists the token's audience, and the trust policy admits the token's claims;
  no caller identity policy is involved. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
- `start.user`: an IAM user's long-term access keys.
- `hopN.caller` (1a): the caller's own policies allow sts:AssumeRole on the role;
  `hopN.trust` (1b): the role's trust policy admits the caller, every condition checked;
  both are read off ONE decision of the AssumeRole call, so they never disagree with AWS.
- `hopN.credentials` (2): STS issues the session (duration, ExternalId, session name, tags
  and source identity, session policy size); details carry the session ARN.
- `hopN.pass_role`: iam:PassRole of a role to a service; `hopN.service_trust`: the role
  trusts that service. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
- `accessN` (3): the final session's action on each resource, and `accessN.kms` the SSE-KMS
  key use it implies (kms:Decrypt for reads, kms:GenerateDataKey for writes).
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
A stage that fails stops the chain there; accesses are all checked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .arn import principal_from_arn
from .decision import PolicySet, decide
from .flows import (
    Access,
    AssumeRoleHop,
    Flow,
    FlowExpect,
    InstanceProfileStart,
    PassRoleHop,
    SessionStart,
    UserStart,
    WebIdentityStart,
)
from .policy import PolicyKind
from .request import ContextValues, Request
from .sessions import (
    Session,
    caller_policies,
    org_levels,
    resource_policy_of,
    restricts_public,
    session_request,
)
from .stages import (
    StageResult,
    StageStatus,
    assume_role_stages,
    decided_stage,
    invalid_stage,
    pass_role_stages,
    role_session,
    service_assumes,
)
from .world import World


class FlowResult(BaseModel):
    """A replayed flow: outcome `allow` when every stage passes (accesses with their own
    expectation are judged by it), the first failing stage, and whether the flow's
    expectations held (None when it states none). `notes` say what the answer depends on
    beyond the policies shown (values unknown until deploy: simulator.flow_unknowns)."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    flow: str
    about: str = ""
    outcome: Literal["allow", "deny"]
    failed_stage: str | None = None
    stages: tuple[StageResult, ...]
    expect: FlowExpect | None = None
    expectation_met: bool | None = None
    mismatches: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _start(world: World, flow: Flow, stages: list[StageResult]) -> Session | None:
    start = flow.start
    if isinstance(start, UserStart):
        user = world.users_by_arn[start.user]
        if not user.access_keys:
            stages.append(invalid_stage("start.user", "the IAM user signs with long-term keys",
                                        "no_access_keys", f"{user.arn} has no access keys",
                                        ["create an access key, or (better) use a role"]))
            return None
        principal = principal_from_arn(user.arn)
        stages.append(StageResult(key="start.user", title="the IAM user signs with "
                                  "long-term keys", status=StageStatus.allow,
                                  reason="access_keys", message=f"{user.arn} holds access keys"
                                  " (no aws:MultiFactorAuthPresent, no aws:TokenIssueTime)"))
        return Session(principal=principal, account=user.account, principal_id=user.id,
                       identity=user.policies, boundary=user.boundary, tags=dict(user.tags),
                       temporary=False)
    if isinstance(start, SessionStart):
        session = role_session(world, start.role, start.session_name,
                                source_identity=start.source_identity)
        if start.tags:
            session = role_session(world, start.role, start.session_name,
                                    source_identity=start.source_identity,
                                    tags={**session.tags, **start.tags})
        stages.append(StageResult(key="start.session", title="an existing role session",
                                  status=StageStatus.allow, reason="given",
                                  message=f"starts as {session.principal.arn}"))
        return session
    if isinstance(start, InstanceProfileStart):
        return _instance_profile(world, start, stages)
    assert isinstance(start, WebIdentityStart)
    return _web_identity(world, start, stages)


def _instance_profile(world: World, start: InstanceProfileStart,
                      stages: list[StageResult]) -> Session | None:
    title = "EC2 assumes the instance profile's role"
    if start.launched_by:
        launcher = _launcher(world, start.launched_by)
        checks = pass_role_stages(world, launcher, start.role, "ec2.amazonaws.com",
                                  start.profile, "start.launch")
        stages.extend(checks)
        if not all(s.status.passed for s in checks):
            return None
    stage = decided_stage("start.instance_profile", title,
                          service_assumes(world, "ec2.amazonaws.com", start.role))
    stages.append(stage)
    if not stage.status.passed:
        return None
    return role_session(world, start.role, start.instance_id, origin="instance_profile")


def _launcher(world: World, arn: str) -> Session:
    if arn in world.users_by_arn:
        user = world.users_by_arn[arn]
        return Session(principal=principal_from_arn(arn), account=user.account,
                       principal_id=user.id, identity=user.policies, boundary=user.boundary,
                       tags=dict(user.tags), temporary=False)
    return role_session(world, arn, "launcher")


def _web_identity(world: World, start: WebIdentityStart,
                  stages: list[StageResult]) -> Session | None:
    key, title = "start.web_identity", "STS exchanges the web identity token for the role"
    role = world.roles_by_arn[start.role]
    provider = world.providers_by_arn[start.provider]
    if provider.account != role.account:
        stages.append(invalid_stage(key, title, "provider_not_in_role_account",
                                    f"the OIDC provider {provider.arn} is in account "
                                    f"{provider.account}, the role in {role.account}",
                                    ["create the IAM OIDC provider in the role's account"]))
        return None
    if start.aud not in provider.audiences:
        stages.append(invalid_stage(key, title, "audience_not_allowed",
                                    f"the token's audience {start.aud!r} is not a client ID "
                                    f"of {provider.arn}",
                                    [f"add {start.aud!r} to the provider's audiences"]))
        return None
    url = provider.url
    context: dict[str, ContextValues] = {f"{url}:sub": (start.sub,), f"{url}:aud": (start.aud,),
                                         "aws:FederatedProvider": (provider.arn,),
                                         "sts:RoleSessionName": (start.session_name,)}
    context.update({f"{url}:{k}": (v,) for k, v in start.claims.items()})
    request = Request(principal=principal_from_arn(provider.arn),
                      action="sts:AssumeRoleWithWebIdentity", resource=role.arn,
                      resource_account=role.account, context=context)
    rcp = org_levels(world, role.account, PolicyKind.rcp)
    stage = decided_stage(key, title, decide(request, PolicySet(resource=role.trust, rcp=rcp),
                                             trace=True))
    stages.append(stage)
    if not stage.status.passed:
        return None
    return role_session(world, role.arn, start.session_name, federated_provider=provider.arn,
                        origin="web_identity")


def _access(world: World, session: Session, number: int, access: Access) -> list[StageResult]:
    out: list[StageResult] = []
    many = len(access.resources) > 1
    for j, resource in enumerate(access.resources, start=1):
        key = f"access{number}" + (f".{j}" if many else "")
        policy, account = resource_policy_of(world, resource)
        account = account or session.account
        request = session_request(world, session, access.action, resource, account,
                                  dict(access.context))
        policies = caller_policies(world, session, account, policy, request.service,
                                   restricts_public(world, resource))
        stage = decided_stage(key, f"{session.principal.arn} calls {access.action} on "
                                   f"{resource}", decide(request, policies, trace=True),
                              access.expect)
        out.append(stage)
        kms = _kms_stage(world, session, key, access, resource)
        if kms is not None and stage.status.passed:
            out.append(kms)
    return out


_KMS_FOR = {"s3:getobject": "kms:Decrypt", "s3:getobjectversion": "kms:Decrypt",
            "s3:putobject": "kms:GenerateDataKey"}


def _kms_stage(world: World, session: Session, key: str, access: Access,
               resource: str) -> StageResult | None:
    kms_action = _KMS_FOR.get(access.action.lower())
    if kms_action is None:
        return None
    bucket = world.bucket_of(resource)
    if bucket is None or bucket.kms_key is None:
        return None
    title = f"SSE-KMS: {kms_action} on the bucket's key {bucket.kms_key}"
    kms_key = world.keys_by_arn.get(bucket.kms_key)
    if kms_key is None:
        return invalid_stage(f"{key}.kms", title, "unknown_key",
                             f"the key {bucket.kms_key} is not described; its key policy "
                             f"decides, so the access is not known to be allowed")
    if kms_key.aws_managed and kms_key.account != session.account:
        return invalid_stage(f"{key}.kms", title, "aws_managed_key_cross_account",
                             "an AWS managed key (aws/s3) cannot be used from another account",
                             ["encrypt the bucket with a customer managed key whose key "
                              "policy names the caller's account or role"])
    region = bucket.kms_key.split(":")[3]
    request = session_request(world, session, kms_action, kms_key.arn, kms_key.account,
                              {"kms:ViaService": (f"s3.{region}.amazonaws.com",)})
    policies = caller_policies(world, session, kms_key.account, kms_key.policy, "kms")
    return decided_stage(f"{key}.kms", title, decide(request, policies, trace=True))


def replay(world: World, flow: Flow, scenario: str = "") -> FlowResult:
    """Replay one flow of a world."""
    stages: list[StageResult] = []
    session: Session | None = None
    for check in flow.setup:
        stages.append(StageResult(key=f"setup.{check.name}", title=f"product rule: "
                                  f"{check.name}", status=StageStatus.allow if check.ok
                                  else StageStatus.invalid, reason=f"setup_{check.name}",
                                  message=check.message))
    if all(s.status.passed for s in stages):
        session = _start(world, flow, stages)
    for number, hop in enumerate(flow.hops, start=1):
        if session is None:
            break
        if isinstance(hop, AssumeRoleHop):
            hop_stages, session = assume_role_stages(world, session, hop, number)
        else:
            assert isinstance(hop, PassRoleHop)
            hop_stages, session = _pass_role_hop(world, session, hop, number)
        stages.extend(hop_stages)
    if session is not None:
        for number, access in enumerate(flow.access, start=1):
            stages.extend(_access(world, session, number, access))
    return _judge(scenario, flow, stages)


def _pass_role_hop(world: World, session: Session, hop: PassRoleHop,
                   number: int) -> tuple[list[StageResult], Session | None]:
    stages = pass_role_stages(world, session, hop.role, hop.service, hop.instance_profile,
                              f"hop{number}.pass_role")
    if not all(s.status.passed for s in stages):
        return stages, None
    trust = decided_stage(f"hop{number}.service_trust", f"{hop.service} assumes {hop.role}",
                          service_assumes(world, hop.service, hop.role))
    stages.append(trust)
    if not trust.status.passed:
        return stages, None
    return stages, role_session(world, hop.role, hop.instance_id, origin="instance_profile")


def _judge(scenario: str, flow: Flow, stages: list[StageResult]) -> FlowResult:
    failed = next((s for s in stages if not s.status.passed and s.expected is None), None)
    mismatches = [f"{s.key}: expected {s.expected.value}, got {s.status.value}"
                  for s in stages if s.expected is not None and s.status.value != s.expected.value]
    expect = flow.expect
    if expect is not None:
        outcome = "deny" if failed else "allow"
        if expect.outcome != outcome:
            where = f" at {failed.key} ({failed.reason})" if failed else ""
            mismatches.append(f"expected {expect.outcome}, got {outcome}{where}")
        elif failed is not None:
            if expect.stage and not (failed.key == expect.stage
                                     or failed.key.startswith(expect.stage + ".")):
                mismatches.append(f"expected the failure at {expect.stage}, got {failed.key}")
            if expect.decision and failed.status.value != str(getattr(expect.decision, "value",
                                                                       expect.decision)):
                mismatches.append(f"expected {failed.key} to be "
                                  f"{getattr(expect.decision, 'value', expect.decision)}, got "
                                  f"{failed.status.value}")
            if expect.reason and failed.reason != expect.reason:
                mismatches.append(f"expected reason {expect.reason}, got {failed.reason}")
    stated = expect is not None or any(s.expected is not None for s in stages)
    # a flow with no stage at all left (start failed with no access) still has an outcome
    return FlowResult(scenario=scenario, flow=flow.name, about=flow.about,
                      outcome="deny" if failed else "allow",
                      failed_stage=failed.key if failed else None, stages=tuple(stages),
                      expect=expect, expectation_met=(not mismatches) if stated else None,
                      mismatches=tuple(mismatches))


__all__ = ["FlowResult", "StageResult", "StageStatus", "replay"]
