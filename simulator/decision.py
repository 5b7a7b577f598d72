"""What does AWS decide for ONE call?

The evaluation order is data: `STEPS` lists AWS's steps in the order of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
(explicit deny in any policy -> RCPs -> SCPs -> resource-based policy -> identity-based
policies -> permissions boundary -> session policy), and `decide()` walks it.

Rules beyond the order, each with its page:
- Cross-account: the caller's side (SCP, identity, boundary, session) and the resource's
  side (RCP, resource-based policy) must both allow; the same-account shortcuts below do not
  apply. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Same account, resource-based policy naming the caller's user, session or federated-user
  ARN (or `*`): allowed without identity policy, boundary or session policy; naming the
  role of the caller's session: no identity policy needed, but boundary and session policy
  still filter; naming the account: delegation, the identity policy must allow.
  (evaluation-logic page above; https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session)
- Role trust policies and KMS key policies must themselves allow; an identity allow alone
  never suffices. A caller named in a trust policy still needs its boundary to allow
  sts:AssumeRole. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html,
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
- SCPs restrict principals of member accounts (every level from the root down must allow),
  never service principals or external callers' resources; RCPs restrict resources of
  supported services, whoever calls. https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- The root user is allowed everything in its own account save what SCPs deny.
- sts:GetCallerIdentity needs no permission and cannot be denied
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
- A federated-user session with no session policy has no permissions.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from .arn import PrincipalKind
from .evaluator import (
    Evaluation,
    PolicyIndex,
    Reach,
    Verdict,
    plain_verdicts,
    policy_index,
    traced_verdict,
)
from .fastmodel import constructor
from .policy import PolicyDocument, PolicyKind
from .public_policy import public_policy
from .request import Request, context_and_caller
from .results import Decision, Grant, RequestDecision, StatementRef, StepResult

STEPS = ("explicit_deny", "rcp", "scp", "resource_policy", "identity", "boundary",
         "session_policy")

# Services whose resources RCPs govern (Organizations user guide, RCPs: supported services).
RCP_SERVICES = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss",
                          "cognito-idp", "logs", "dynamodb"})
NO_AUTHORIZATION = frozenset({"sts:getcalleridentity"})
# Only an IAM user or a role session may call AssumeRole (and so pass tags or a source
# identity with it); the account root user is refused ("Roles may not be assumed by root
# accounts"): https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html
NOT_FOR_ROOT = frozenset({"sts:assumerole", "sts:tagsession", "sts:setsourceidentity"})
_NO_IDENTITY = (PrincipalKind.service, PrincipalKind.anonymous, PrincipalKind.web_identity)


class PolicySet(BaseModel):
    """Every policy that bears on one call.

    `resource` is the resource-based policy of the resource (bucket policy, key policy,
    queue policy) or, for sts:AssumeRole*, the role's trust policy. `scp` and `rcp` are
    lists of levels, root first; each level holds the documents attached there and must
    allow. RCPFullAWSAccess is implied at every RCP level, as AWS attaches it.
    `restrict_public_buckets`: the bucket's S3 Block Public Access RestrictPublicBuckets
    setting (for s3 calls; see public_policy.py).
    """

    model_config = ConfigDict(frozen=True)

    identity: tuple[PolicyDocument, ...] = ()
    resource: PolicyDocument | None = None
    scp: tuple[tuple[PolicyDocument, ...], ...] = ()
    rcp: tuple[tuple[PolicyDocument, ...], ...] = ()
    boundary: PolicyDocument | None = None
    session: PolicyDocument | None = None
    restrict_public_buckets: bool = False


_LABEL = {PolicyKind.identity: "identity-based", PolicyKind.resource: "resource-based",
          PolicyKind.trust: "role trust", PolicyKind.boundary: "permissions boundary",
          PolicyKind.session: "session", PolicyKind.scp: "service control",
          PolicyKind.rcp: "resource control"}


class _Plan:
    """For one policy set, one action and one kind of caller: the documents evaluated, in
    evaluation order (RCPs when the service has them, SCPs, resource-based policy,
    identity policies, boundary, session policy; a caller without identity policies has
    only the RCPs and the resource-based policy), each group's span and the names of its
    documents, the positions and names of the documents of each SCP level, and the
    statements the action reaches (`reach`, built when a plain evaluation first needs it: a
    traced one reads the indexes). Built once and kept while the set lives."""

    __slots__ = ("indexes", "spans", "names", "scp_levels", "action", "_reach")

    def __init__(self, policies: PolicySet, action: str, no_identity: bool) -> None:
        rcp = action.partition(":")[0] in RCP_SERVICES
        own = not no_identity  # the caller's own policies count
        groups: list[tuple[str, Sequence[PolicyDocument | None]]] = [
            ("rcp", [d for level in policies.rcp for d in level] if rcp else []),
            ("scp", [d for level in policies.scp for d in level] if own else []),
            ("resource", [policies.resource]),
            ("identity", policies.identity if own else []),
            ("boundary", [policies.boundary] if own else []),
            ("session", [policies.session] if own else [])]
        self.indexes: list[PolicyIndex] = []
        self.spans: dict[str, slice] = {}
        self.names: dict[str, tuple[str, ...]] = {}
        for name, docs in groups:
            start = len(self.indexes)
            self.indexes += [policy_index(d) for d in docs if d is not None]
            self.spans[name] = slice(start, len(self.indexes))
            self.names[name] = tuple(i.policy.name for i in self.indexes[start:])
        # per SCP level, the evaluated documents that bear its documents' names
        self.scp_levels: list[tuple[list[int], tuple[str, ...]]] = []
        for level in policies.scp if own else ():
            names = {d.name for d in level}
            positions = [p for p, i in enumerate(self.indexes) if i.policy.name in names]
            self.scp_levels.append((positions,
                                    tuple(self.indexes[p].policy.name for p in positions)))
        self.action = action
        self._reach: Reach | None = None

    @property
    def reach(self) -> Reach:
        if self._reach is None:
            self._reach = Reach([i.empty for i in self.indexes],
                                [(position, c) for position, i in enumerate(self.indexes)
                                 for c in i.reachable(self.action)])
        return self._reach


_PLANS: dict[int, dict[tuple[str, bool], _Plan]] = {}  # id(PolicySet) -> plans


def _plan(policies: PolicySet, action: str, no_identity: bool) -> _Plan:
    plans = _PLANS.get(id(policies))
    if plans is None:
        plans = _PLANS[id(policies)] = {}
        weakref.finalize(policies, _PLANS.pop, id(policies), None)
    plan = plans.get((action, no_identity))
    if plan is None:
        plan = plans[action, no_identity] = _Plan(policies, action, no_identity)
    return plan


_new_step = constructor(StepResult, "name", "outcome", "decision", "note", "policies")
_new_decision = constructor(RequestDecision, "decision", "reason", "message", "principal",
                            "action", "resource", "cross_account", "deciding", "steps",
                            "policies", "missing_context", "ignored_context", "notes",
                            "uncertain")
_STEP_ORDER = {name: i for i, name in enumerate(STEPS)}
_NOT_REACHED = [StepResult(name=name, outcome="not_reached") for name in STEPS]
_STEPS: dict[tuple[object, ...], StepResult] = {}  # StepResults are few and immutable


class _Run:
    """The state of one walk through STEPS."""

    __slots__ = ("ev", "request", "policies", "ignored", "trace", "trace_all", "steps",
                 "again", "results", "service", "cross")

    def __init__(self, request: Request, policies: PolicySet, trace: bool,
                 trace_all: bool = False) -> None:
        context, ignored, caller = context_and_caller(request)
        self.ev = Evaluation(request, context, caller,
                             bounded=policies.boundary is not None
                             and request.principal.kind not in _NO_IDENTITY)
        self.request, self.policies, self.ignored = request, policies, ignored
        self.trace, self.trace_all = trace or trace_all, trace_all
        # the step taken at each position of STEPS (slots filled in, not a list to sort)
        self.steps = _NOT_REACHED.copy()
        self.again: list[StepResult] = []  # a step taken a second time, in order
        self.results: Sequence[Verdict] = ()
        self.service, self.cross = request.service, request.cross_account  # read often

    def evaluate(self, plan: _Plan) -> Sequence[Verdict]:
        """Evaluate the plan's documents; returns those whose verdict denies, in order."""
        ev = self.ev
        if self.trace:
            self.results = [traced_verdict(index, ev, ev.action, every=self.trace_all)
                            for index in plan.indexes]
            return [r for r in self.results if r.denies]
        self.results, denies = plain_verdicts(plan.reach, ev)
        return denies

    def step(self, name: str, outcome: str, decision: Decision | None = None, note: str = "",
             policies: tuple[str, ...] = ()) -> None:
        """Record a step; `policies` names the documents it read."""
        key = (name, outcome, decision, note, policies)
        step = _STEPS.get(key)
        if step is None:
            if len(_STEPS) >= 4096:
                _STEPS.clear()
            step = _STEPS[key] = _new_step(name=name, outcome=outcome, decision=decision,
                                           note=note, policies=policies)
        i = _STEP_ORDER[name]
        if self.steps[i] is _NOT_REACHED[i]:
            self.steps[i] = step
        else:
            self.again.append(step)

    def finish(self, decision: Decision, reason: str, message: str,
               deciding: Sequence[StatementRef] = (), notes: Sequence[str] = ()) -> RequestDecision:
        # every step in the order of STEPS (those taken twice in the order taken)
        steps = self.steps
        if self.again:
            steps = [s for i, first in enumerate(steps)
                     for s in (first, *(a for a in self.again if a.name == STEPS[i]))]
        missing = self.ev.missing
        r = self.request
        return _new_decision(
            decision=decision, reason=reason, message=message, principal=r.principal.arn,
            action=r.action, resource=r.resource, cross_account=self.cross,
            deciding=tuple(deciding), steps=tuple(steps),
            policies=tuple(v.result for v in self.results if v.result is not None)
            if self.trace else (),
            missing_context=tuple([missing[k] for k in sorted(missing)]) if missing else (),
            ignored_context=self.ignored,
            notes=tuple(dict.fromkeys([*notes, *self.ev.notes])) if notes or self.ev.notes
            else (),
            uncertain=bool(self.ev.notes))


def _allows(results: Iterable[Verdict]) -> list[StatementRef]:
    return [ref for r in results for ref in r.allows]


def _levels_allow(run: _Run, name: str, levels: Sequence[Sequence[PolicyDocument]],
                  evaluated: Sequence[tuple[list[int], tuple[str, ...]]],
                  implied_allow: bool) -> RequestDecision | None:
    """SCPs / RCPs: an Allow must exist at every level (RCPFullAWSAccess is implied).
    `evaluated` gives, per level, the positions in `run.results` of the documents that bear
    the names of its documents, and those names."""
    if not levels:
        run.step(name, "not_applicable")
        return None
    label = "SCP" if name == "scp" else "RCP"
    results = run.results
    for depth, (level, (positions, names)) in enumerate(
            () if implied_allow else zip(levels, evaluated, strict=True), start=1):
        if not any(results[p].allows for p in positions):
            run.step(name, "decided", Decision.implicit_deny,
                     f"no {label} at level {depth} allows the action", names)
            return run.finish(Decision.implicit_deny, f"{name}_no_allow_at_level_{depth}",
                              f"no {label} attached at level {depth} of the organization "
                              f"({', '.join(d.name for d in level) or 'none'}) allows "
                              f"{run.request.action}; every level must allow")
    run.step(name, "pass", Decision.allow, f"every {label} level allows")
    return None


def decide(request: Request, policies: PolicySet, *, trace: bool = False,
           trace_all: bool = False) -> RequestDecision:
    """Decide one call. With `trace`, every statement the action reaches (its Action
    matches) is explained element by element; with `trace_all`, every statement."""
    run = _Run(request, policies, trace, trace_all)
    caller = request.principal
    action = run.ev.action
    if action in NO_AUTHORIZATION:
        for name in STEPS:
            run.step(name, "not_applicable")
        return run.finish(Decision.allow, "no_authorization_required",
                          f"{request.action} needs no permission and cannot be denied")
    no_identity = caller.kind in _NO_IDENTITY
    scp_levels = () if no_identity else policies.scp
    rcp_levels = policies.rcp if run.service in RCP_SERVICES else ()
    plan = _plan(policies, action, no_identity)
    denies = run.evaluate(plan)

    # 1. An applicable Deny in any policy decides.
    if denies:
        first = denies[0]
        run.step("explicit_deny", "decided", Decision.explicit_deny,
                 f"a Deny in the {_LABEL[first.kind]} policy {first.name!r} applies",
                 tuple([r.name for r in denies]))
        return run.finish(Decision.explicit_deny, f"explicit_deny_in_{first.kind.value}",
                          f"explicitly denied by the {_LABEL[first.kind]} policy "
                          f"{first.name!r}",
                          [ref for r in denies for ref in r.denies])
    run.step("explicit_deny", "pass", note="no applicable Deny")

    # 2-3. RCPs of the resource's account, SCPs of the caller's account.
    early = (_levels_allow(run, "rcp", rcp_levels, (), True)
             or _levels_allow(run, "scp", scp_levels, plan.scp_levels, False))
    if early:
        return early
    return _after_organizations(run, plan)


def _restricted_public(run: _Run) -> RequestDecision | None:
    """S3 Block Public Access: with RestrictPublicBuckets on, a bucket whose policy is public
    can be reached only by AWS service principals and the bucket owner's account; "public
    and cross-account access within any public bucket policy, including non-public
    delegation to specific accounts, is blocked":
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"""
    caller = run.request.principal
    if caller.kind is PrincipalKind.service or not (run.cross
                                                    or caller.kind is PrincipalKind.anonymous):
        return None
    verdict = public_policy(run.policies.resource)
    if not verdict.public:
        run.ev.notes.extend(verdict.notes)
        return None
    where = ", ".join(f"#{i}" for i in verdict.statements)
    run.step("resource_policy", "decided", Decision.implicit_deny,
             f"S3 Block Public Access (RestrictPublicBuckets): the bucket policy is public "
             f"(statement {where}), so it grants nothing to another account or an anonymous "
             f"caller", (run.policies.resource.name,) if run.policies.resource else ())
    return run.finish(Decision.implicit_deny, "restrict_public_buckets",
                      f"the bucket has RestrictPublicBuckets on and its policy is public "
                      f"(statement {where}): only AWS service principals and the bucket "
                      f"owner's account may use it, not {caller.arn}")


_HOW = {Grant.principal: "names the caller", Grant.role: "names the caller's role",
        Grant.account: "names the caller's account (delegation: identity policy must allow)"}


def _after_organizations(run: _Run, plan: _Plan) -> RequestDecision:
    results, spans, names = run.results, plan.spans, plan.names
    resource, identity = results[spans["resource"]], results[spans["identity"]]
    boundary, session = results[spans["boundary"]], results[spans["session"]]
    request = run.request
    caller = request.principal
    rbp = resource[0] if resource else None
    grant = rbp.grant if rbp is not None and rbp.decision is Decision.allow else None
    rbp_kind = rbp.kind if rbp is not None else None
    service = run.service
    must_rbp = (service == "kms" or rbp_kind is PolicyKind.trust
                or run.ev.action.startswith("sts:assumerole"))
    cross = run.cross
    rbp_allows = rbp.allows if rbp is not None and grant is not None else ()
    label = "role trust" if rbp_kind is PolicyKind.trust or must_rbp and service == "sts" \
        else "resource-based"
    code = "trust" if label == "role trust" else "resource"

    # 4. Resource-based policy.
    if caller.kind is PrincipalKind.root and run.ev.action in NOT_FOR_ROOT:
        run.step("resource_policy", "decided", Decision.implicit_deny,
                 "the account root user cannot assume a role", names["resource"])
        return run.finish(Decision.implicit_deny, "root_cannot_assume_role",
                          f"{caller.arn} is an account root user: only IAM users and role "
                          f"sessions can call {request.action}")
    if grant is not None and service == "s3" and run.policies.restrict_public_buckets:
        blocked = _restricted_public(run)
        if blocked is not None:
            return blocked
    if must_rbp and grant is None:
        run.step("resource_policy", "decided", Decision.implicit_deny,
                 f"the {label} policy does not allow the caller", names["resource"])
        what = "the role's trust policy" if code == "trust" else "the key policy" \
            if service == "kms" else "the resource-based policy"
        return run.finish(Decision.implicit_deny, f"no_allow_in_{code}",
                          f"{what} does not allow {caller.arn} to call {request.action}"
                          + ("" if rbp is not None else f" ({what} was not given)"))
    if caller.kind in _NO_IDENTITY:
        ok = grant in (Grant.principal, Grant.service, Grant.web_identity)
        run.step("resource_policy", "decided", Decision.allow if ok else Decision.implicit_deny,
                 "the only policy that can allow a caller without identity policies",
                 names["resource"])
        if ok:
            return run.finish(Decision.allow, f"{code}_policy_allows",
                              f"the {label} policy allows {caller.arn}", rbp_allows)
        return run.finish(Decision.implicit_deny, f"no_allow_in_{code}",
                          f"no {label} policy allows {caller.arn} to call {request.action}")
    if cross and grant is None:
        run.step("resource_policy", "decided", Decision.implicit_deny,
                 "cross-account: the resource's side must allow", names["resource"])
        return run.finish(Decision.implicit_deny, f"no_allow_in_{code}",
                          f"cross-account request: no {label} policy of account "
                          f"{request.resource_account} allows {caller.arn}")
    needs_identity = cross or grant in (None, Grant.account)
    filters = cross or grant in (None, Grant.account, Grant.role)
    if code == "trust" and grant is Grant.principal:
        filters = True  # the caller's boundary must still allow sts:AssumeRole
        boundary_only = True
    else:
        boundary_only = False
    if grant is not None:
        how = _HOW.get(grant, "allows")
        run.step("resource_policy", "pass", Decision.allow, f"the {label} policy {how}",
                 names["resource"])
    else:
        run.step("resource_policy", "not_applicable" if rbp is None else "pass",
                 rbp.decision if rbp else None,
                 "no resource-based grant; the identity policy must allow", names["resource"])
    if not needs_identity and not filters:
        for name in ("identity", "boundary", "session_policy"):
            run.step(name, "not_applicable", note="same account, resource policy names the "
                                                  "caller: not needed")
        return run.finish(Decision.allow, f"{code}_policy_names_caller",
                          f"same account: the {label} policy names {caller.arn} directly",
                          rbp_allows)

    # 5. Identity-based policies.
    identity_allows = _allows(identity)
    if caller.kind is PrincipalKind.root:
        # the root user holds every permission of its own account, cross-account calls
        # included; only SCPs (and the resource side) restrict it.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
        run.step("identity", "pass", Decision.allow, "the root user of the account")
    elif needs_identity:
        if not identity_allows:
            run.step("identity", "decided", Decision.implicit_deny,
                     "no identity-based policy allows", names["identity"])
            why = " (cross-account: both sides must allow)" if cross else (
                " (the resource policy names only the account)" if grant is Grant.account
                else "")
            return run.finish(Decision.implicit_deny, "no_allow_in_identity",
                              f"no identity-based policy of {caller.arn} allows "
                              f"{request.action} on {request.resource}{why}")
        run.step("identity", "pass", Decision.allow, "an identity-based policy allows",
                 names["identity"])
    else:
        run.step("identity", "not_applicable", note="the resource policy names the caller's "
                                                    "role: identity allow not needed")

    # 6. Permissions boundary.
    boundary_result = boundary[0] if boundary else None
    if boundary_result is not None and filters:
        if boundary_result.decision is not Decision.allow:
            run.step("boundary", "decided", Decision.implicit_deny,
                     "the permissions boundary does not allow", names["boundary"])
            return run.finish(Decision.implicit_deny, "no_allow_in_boundary",
                              f"the permissions boundary {boundary_result.name!r} does not "
                              f"allow {request.action}")
        run.step("boundary", "pass", Decision.allow, "within the permissions boundary",
                 names["boundary"])
    else:
        run.step("boundary", "not_applicable")

    # 7. Session policy.
    session_result = session[0] if session else None
    if filters and not boundary_only:
        if session_result is not None and session_result.decision is not Decision.allow:
            run.step("session_policy", "decided", Decision.implicit_deny,
                     "the session policy does not allow", names["session"])
            return run.finish(Decision.implicit_deny, "no_allow_in_session",
                              f"the session policy {session_result.name!r} does not allow "
                              f"{request.action}")
        if session_result is None and caller.kind is PrincipalKind.federated_user:
            run.step("session_policy", "decided", Decision.implicit_deny,
                     "a federated-user session without a session policy has no permissions")
            return run.finish(Decision.implicit_deny, "no_allow_in_session",
                              "a federated-user session has only what its session policy "
                              "allows, and it has none")
        run.step("session_policy", "pass" if session_result else "not_applicable",
                 session_result.decision if session_result else None, "", names["session"])
    else:
        run.step("session_policy", "not_applicable")
    deciding = [*rbp_allows, *(identity_allows if needs_identity else ())]
    side = "both the caller's and the resource's side allow" if cross else "allowed"
    return run.finish(Decision.allow, "allowed", f"{side}: {request.action} on "
                      f"{request.resource}", deciding)
