"""The stages of one hop: may the caller assume the role, does the trust admit it, will STS
issue the session; and may a caller pass a role to a service.

`hopN.caller` and `hopN.trust` are two views of ONE decision of the sts:AssumeRole call
(simulator.decision.decide): the caller's side (identity policies, boundary, session
policy, SCPs of its account) and the role's side (trust policy, RCPs of the role's
account). Cross-account both must allow; in the same account a trust policy naming the
caller's user or role ARN needs no identity allow, one naming the account does.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
Session tags need sts:TagSession and a source identity sts:SetSourceIdentity, allowed the
same way as the AssumeRole call; a source identity, once set, cannot change.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
iam:PassRole is checked on the role with iam:PassedToService, and a role of another
account cannot be passed. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from . import sts
from .arn import PrincipalKind, principal_from_arn
from .decision import PolicySet, decide
from .flows import AssumeRoleHop
from .hints import near_miss_hints, with_hints
from .policy import PolicyDocument, PolicyKind
from .request import ContextValues, Request
from .results import Decision, Grant, PolicyResult, RequestDecision, StatementRef
from .sessions import Session, caller_policies, org_levels, session_request
from .world import World

DEFAULT_SESSION_NAME = "trustsim-session"
_CALLER_KINDS = (PolicyKind.identity, PolicyKind.boundary, PolicyKind.session, PolicyKind.scp)
_TRUST_KINDS = (PolicyKind.trust, PolicyKind.rcp)


class StageStatus(str, Enum):
    allow = "allow"
    explicit_deny = "explicit_deny"
    implicit_deny = "implicit_deny"
    invalid = "invalid"

    @property
    def passed(self) -> bool:
        return self is StageStatus.allow


class StageResult(BaseModel):
    """One stage: its key (`hop1.trust`), a title in words, the status, the reason code and
    sentence, the deciding statements, hints that would change the answer, and the traced
    decision it was read from (None for validation stages)."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    status: StageStatus
    reason: str
    message: str
    deciding: tuple[StatementRef, ...] = ()
    hints: tuple[str, ...] = ()
    details: dict[str, str] = Field(default_factory=dict)
    decision: RequestDecision | None = None
    expected: Decision | None = None


def decided_stage(key: str, title: str, decision: RequestDecision,
                  expected: Decision | None = None) -> StageResult:
    d = with_hints(decision) if decision.decision is not Decision.allow else decision
    return StageResult(key=key, title=title, status=StageStatus(d.decision.value),
                       reason=d.reason, message=d.message, deciding=d.deciding, hints=d.hints,
                       decision=d, expected=expected)


def invalid_stage(key: str, title: str, reason: str, message: str,
                  hints: Sequence[str] = ()) -> StageResult:
    return StageResult(key=key, title=title, status=StageStatus.invalid, reason=reason,
                       message=message, hints=tuple(hints))


def role_session(world: World, role_arn: str, session_name: str, **kw: object) -> Session:
    role = world.roles_by_arn[role_arn]
    principal = principal_from_arn(
        f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
        role_arn=role.arn)
    fields: dict[str, object] = {"principal": principal, "account": role.account,
                                 "principal_id": role.id, "identity": role.policies,
                                 "boundary": role.boundary, "tags": dict(role.tags),
                                 "role": role}
    fields.update(kw)
    return Session(**fields)  # type: ignore[arg-type]


def service_assumes(world: World, service: str, role_arn: str) -> RequestDecision:
    """Does the role's trust policy let `service` (e.g. ec2.amazonaws.com) assume it?"""
    role = world.roles_by_arn[role_arn]
    request = Request(principal=principal_from_arn(service), action="sts:AssumeRole",
                      resource=role.arn, resource_account=role.account)
    rcp = org_levels(world, role.account, PolicyKind.rcp)
    return decide(request, PolicySet(resource=role.trust, rcp=rcp), trace=True)




def _stage(key: str, title: str, status: StageStatus, reason: str, message: str,
           decision: RequestDecision, deciding: Sequence[StatementRef] = (),
           hints: Sequence[str] = ()) -> StageResult:
    return StageResult(key=key, title=title, status=status, reason=reason, message=message,
                       deciding=tuple(deciding), hints=tuple(hints), decision=decision)


def _levels_allow(results: Sequence[PolicyResult],
                  levels: Sequence[Sequence[PolicyDocument]]) -> int | None:
    """The first SCP level (1-based) with no Allow, or None when every level allows."""
    by_name = {r.name: r for r in results}
    for depth, level in enumerate(levels, start=1):
        if not any(by_name[d.name].allows for d in level if d.name in by_name):
            return depth
    return None


def split_assume(d: RequestDecision, policies: PolicySet, caller: Session,
                 key: str, role_arn: str) -> tuple[StageResult, StageResult]:
    """Stages 1a (caller side) and 1b (trust side) of one traced AssumeRole decision."""
    results = d.policies
    who = caller.principal.arn
    trust_title = f"the trust policy of {role_arn} admits {who}"
    caller_title = f"{who} may call sts:AssumeRole on {role_arn}"
    trust_denies = [ref for r in results if r.kind in _TRUST_KINDS for ref in r.denies]
    trust = next((r for r in results if r.kind is PolicyKind.trust), None)
    grant = trust.grant if trust is not None and trust.allows else None
    if trust_denies:
        trust_stage = _stage(f"{key}.trust", trust_title, StageStatus.explicit_deny,
                             "explicit_deny_in_trust", "a Deny in the trust policy (or an RCP) "
                             "applies", d, trust_denies, [f"narrow or remove the Deny in {r}"
                                                          for r in trust_denies])
    elif grant is None:
        named = caller.role.arn if caller.role else who
        hints = near_miss_hints(trust) if trust is not None else []
        trust_stage = _stage(f"{key}.trust", trust_title, StageStatus.implicit_deny,
                             "no_allow_in_trust", f"no statement of the trust policy admits "
                             f"{who} for sts:AssumeRole", d,
                             hints=hints or [f"add a trust statement naming {named} (or its "
                                             f"account) for sts:AssumeRole"])
    else:
        how = {Grant.principal: "names the caller", Grant.role: "names the caller's role",
               Grant.account: "names the caller's account"}.get(grant, "admits the caller")
        trust_stage = _stage(f"{key}.trust", trust_title, StageStatus.allow, "trust_allows",
                             f"the trust policy {how}", d, trust.allows if trust else ())
    caller_denies = [ref for r in results if r.kind in _CALLER_KINDS for ref in r.denies]
    identity = [r for r in results if r.kind is PolicyKind.identity]
    allows = [ref for r in identity for ref in r.allows]
    needs_identity = d.cross_account or grant in (None, Grant.account)
    boundary = next((r for r in results if r.kind is PolicyKind.boundary), None)
    session = next((r for r in results if r.kind is PolicyKind.session), None)
    scp_gap = _levels_allow([r for r in results if r.kind is PolicyKind.scp], policies.scp)
    root = caller.principal.kind is PrincipalKind.root
    if caller_denies:
        status, reason, message = (StageStatus.explicit_deny, "explicit_deny_in_caller",
                                   "a Deny in the caller's policies applies")
        hints = [f"narrow or remove the Deny in {r}" for r in caller_denies]
    elif scp_gap is not None:
        status, reason = StageStatus.implicit_deny, f"scp_no_allow_at_level_{scp_gap}"
        message = f"no SCP at level {scp_gap} of the caller's organization allows sts:AssumeRole"
        hints = ["every SCP level from the root down must allow sts:AssumeRole"]
    elif needs_identity and not allows and not root:
        status, reason = StageStatus.implicit_deny, "no_allow_in_identity"
        why = ("cross-account, the caller's own policy must allow it even when the trust "
               "names the caller" if d.cross_account else
               "the trust policy names only the account, which delegates to IAM policies")
        message = f"no identity-based policy of {who} allows sts:AssumeRole on {role_arn}"
        hints = [f"add an Allow for sts:AssumeRole on {role_arn} to the caller's policy "
                 f"({why})"] + [h for r in identity for h in near_miss_hints(r)]
    elif boundary is not None and not boundary.allows:
        status, reason = StageStatus.implicit_deny, "no_allow_in_boundary"
        message = "the caller's permissions boundary does not allow sts:AssumeRole"
        hints = ["a permissions boundary must allow sts:AssumeRole even when the trust "
                 "policy names the caller"]
    elif session is not None and not session.allows and grant is not Grant.principal:
        status, reason = StageStatus.implicit_deny, "no_allow_in_session"
        message = "the caller's session policy does not allow sts:AssumeRole"
        hints = ["the session policy of the caller's session must allow sts:AssumeRole"]
    else:
        status, reason, hints = StageStatus.allow, "caller_allows", []
        message = ("the caller's identity policy allows it" if needs_identity and allows else
                   "no identity allow needed: the trust policy names the caller directly")
    deciding = (allows if needs_identity else []) if status is StageStatus.allow \
        else caller_denies
    caller_stage = _stage(f"{key}.caller", caller_title, status, reason, message, d,
                          deciding, hints)
    # the AWS decision is authoritative: the views must agree with it
    if d.decision is Decision.allow:
        return (caller_stage.model_copy(update={"status": StageStatus.allow}),
                trust_stage.model_copy(update={"status": StageStatus.allow}))
    if caller_stage.status.passed and trust_stage.status.passed:
        side = trust_stage if d.reason.endswith(("trust", "rcp")) else caller_stage
        fixed = side.model_copy(update={"status": StageStatus(d.decision.value),
                                        "reason": d.reason, "message": d.message,
                                        "hints": d.hints})
        return (caller_stage, fixed) if side is trust_stage else (fixed, trust_stage)
    return caller_stage, trust_stage


def _merge_session_policy(hop: AssumeRoleHop) -> PolicyDocument | None:
    """The inline policy and the managed session policies together, as one document."""
    docs = [d for d in (hop.session_policy, *hop.policy_arns) if d is not None]
    if not docs:
        return None
    if len(docs) == 1:
        return docs[0]
    statements = [s for d in docs for s in d.statements]
    renumbered = tuple(s.model_copy(update={"index": i}) for i, s in enumerate(statements))
    return PolicyDocument(name="session policies", kind=PolicyKind.session,
                          version=docs[0].version, statements=renumbered)


def assume_role_stages(world: World, session: Session, hop: AssumeRoleHop,
                       number: int) -> tuple[list[StageResult], Session | None]:
    key = f"hop{number}"
    role = world.roles_by_arn[hop.role]
    name = hop.session_name or DEFAULT_SESSION_NAME
    context: dict[str, ContextValues] = {"sts:RoleSessionName": (name,)}
    if hop.external_id is not None:
        context["sts:ExternalId"] = (hop.external_id,)
    if hop.source_identity:
        context["sts:SourceIdentity"] = (hop.source_identity,)
    if hop.mfa:
        context["aws:MultiFactorAuthPresent"] = ("true",)
    context.update(hop.context)
    request = session_request(world, session, "sts:AssumeRole", role.arn, role.account, context)
    policies = caller_policies(world, session, role.account, role.trust, "sts")
    d = with_hints(decide(request, policies, trace=True))
    caller_stage, trust_stage = split_assume(d, policies, session, key, role.arn)
    stages = [caller_stage, trust_stage]
    if d.decision is not Decision.allow:
        return stages, None
    credentials = _credentials(world, session, hop, role.arn, name, key, request, policies)
    stages.extend(credentials)
    if not all(s.status.passed for s in credentials):
        return stages, None
    carried = {k: v for k, v in session.tags.items() if k in session.transitive_tags}
    new = role_session(world, role.arn, name, tags={**role.tags, **carried, **hop.tags},
                       transitive_tags=frozenset(session.transitive_tags
                                                 | set(hop.transitive_tags)),
                       source_identity=hop.source_identity or session.source_identity,
                       session_policy=_merge_session_policy(hop), mfa=hop.mfa or session.mfa,
                       federated_provider=None, origin="assume_role")
    return stages, new


def _credentials(world: World, session: Session, hop: AssumeRoleHop, role_arn: str,
                 name: str, key: str, request: Request,
                 policies: PolicySet) -> list[StageResult]:
    role = world.roles_by_arn[role_arn]
    title = f"STS issues a session of {role_arn}"
    problems: list[tuple[str, str]] = []
    duration = sts.duration_problem(hop.duration, role.max_session_duration, session.chained)
    if duration:
        if duration[0] == "chained_session_over_one_hour" and session.origin == "instance_profile":
            duration = (duration[0], duration[1] + sts.EC2_CHAINING_NOTE)
        problems.append(duration)
    for code, problem in (("session_name_invalid", sts.session_name_problem(name)),
                          ("external_id_invalid", sts.external_id_problem(hop.external_id)
                           if hop.external_id is not None else None),
                          ("source_identity_invalid", sts.source_identity_problem(
                              hop.source_identity) if hop.source_identity else None),
                          ("session_policy_too_large", sts.session_policy_problem(
                              hop.session_policy_text, hop.session_policy,
                              len(hop.policy_arns))),
                          ("too_many_tags", sts.tags_problem(hop.tags))):
        if problem:
            problems.append((code, problem))
    if (session.source_identity and hop.source_identity
            and hop.source_identity != session.source_identity):
        problems.append(("source_identity_changed", "a source identity, once set, cannot be "
                                                    "changed in a role chain"))
    if problems:
        return [invalid_stage(f"{key}.credentials", title, problems[0][0],
                              "; ".join(p for _, p in problems))]
    out: list[StageResult] = []
    for action, wanted in (("sts:TagSession", bool(hop.tags)),
                           ("sts:SetSourceIdentity", bool(hop.source_identity))):
        if not wanted:
            continue
        extra = dict(request.context)
        if action == "sts:TagSession":
            extra.update({f"aws:RequestTag/{k}": (v,) for k, v in hop.tags.items()})
            extra["aws:TagKeys"] = tuple(hop.tags)
        sub = request.model_copy(update={"action": action, "context": extra})
        d = decide(sub, policies, trace=True)
        if d.decision is not Decision.allow:
            out.append(decided_stage(f"{key}.credentials", f"{title}: {action}", d))
            return out
    duration_s = hop.duration or sts.DEFAULT_DURATION
    details = {"session_arn": f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{name}",
               "duration_seconds": str(duration_s),
               "role_chaining": "yes (one-hour cap)" if session.chained else "no"}
    if hop.tags:
        details["session_tags"] = ", ".join(f"{k}={v}" for k, v in hop.tags.items())
    if hop.session_policy or hop.policy_arns:
        details["session_policy"] = "yes: the session can do at most what it allows"
    out.append(StageResult(key=f"{key}.credentials", title=title, status=StageStatus.allow,
                           reason="issued", message=f"issued {details['session_arn']} for "
                                                    f"{duration_s} s", details=details))
    return out


def pass_role_stages(world: World, caller: Session, role_arn: str, service: str,
                     profile: str | None, key: str) -> list[StageResult]:
    role = world.roles_by_arn[role_arn]
    title = f"{caller.principal.arn} may pass {role_arn} to {service}"
    if role.account != caller.account:
        return [invalid_stage(key, title, "passrole_cross_account",
                              f"iam:PassRole cannot pass a role of account {role.account} "
                              f"from account {caller.account}",
                              ["pass a role of the caller's own account"])]
    request = session_request(world, caller, "iam:PassRole", role.arn, role.account,
                              {"iam:PassedToService": (service,)})
    policies = caller_policies(world, caller, role.account, None, "iam")
    stages = [decided_stage(key, title, decide(request, policies, trace=True))]
    if profile and stages[0].status.passed:
        request = session_request(world, caller, "iam:GetInstanceProfile", profile,
                                  role.account)
        stages.append(decided_stage(f"{key}.get_instance_profile",
                                    f"{caller.principal.arn} may read the instance profile "
                                    f"{profile}", decide(request, policies, trace=True)))
    return stages
