"""Does a candidate edge hold, and what must the call carry for it to hold?

Each candidate pair from the index is decided once with `decide`, through the same
helpers as the replay (`simulator.sessions`: SCPs of the caller's account, RCPs of the
role's account, boundaries, cross-account rules). A role acts as a session of itself; an
IAM user with its long-term keys.

What a trust policy asks of the call is supplied, not guessed away: for each trust Allow
statement that names the caller, the values its conditions want on keys the caller
chooses (sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity, MFA; `:sub`/`:aud` and
other claims for a web identity; aws:SourceAccount/SourceArn for a service) are put in
the request, and the edge records them as requirements. An ExternalId-protected role is
therefore an edge that requires the ID, never a missing edge (PMapper's blind spot,
peers.md §1.1). Deny statements with a negated condition on such a key get the value that
keeps them from applying (e.g. a Deny unless ExternalId equals X).
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html

Callers outside the world (accounts and principals a trust names, `*`) control their own
side, so their identity side is the stand-in policy EXTERNAL_SIDE (Allow * on *); the
role's side is decided in full. `*` is played by a session of account 000000000000.
"""

from __future__ import annotations

from .arn import Principal, principal_from_arn
from .conditions import parse_operator
from .decision import PolicySet, decide
from .graph_index import reaches
from .graph_model import Edge, EdgeKind, GraphNode, NodeKind, Refusal, Requirement
from .graph_requirements import FILLER, Context, supply
from .matching import principal_grants
from .policy import PolicyKind, Statement, parse_policy
from .request import Request
from .results import RequestDecision
from .sessions import Session, caller_policies, org_levels, session_request
from .stages import role_session
from .world import Role, World

SESSION_NAME = "trustsim"
OUTSIDER_ACCOUNT = "000000000000"
EC2 = "ec2.amazonaws.com"
EXTERNAL_SIDE = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Sid": "AssumedExternalSide", "Effect": "Allow",
                                             "Action": "*", "Resource": "*"}]},
    name="external side (assumed: its own policies are not in the world)",
    kind=PolicyKind.identity)
ASSUME_KEYS = frozenset({"sts:externalid", "sts:rolesessionname", "sts:sourceidentity",
                         "aws:multifactorauthpresent", "aws:multifactorauthage"})
SERVICE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"})


class Decider:
    """Calls `decide` (untraced unless `trace`) and counts the calls."""

    def __init__(self, world: World, *, trace: bool = False) -> None:
        self.world = world
        self.trace = trace
        self.calls = 0
        self.profile_of = {p.role: p.arn for p in reversed(world.instance_profiles)}
        self.sessions: dict[str, Session] = {}

    def __call__(self, request: Request, policies: PolicySet) -> RequestDecision:
        self.calls += 1
        return decide(request, policies, trace=self.trace)

    def session(self, node: GraphNode) -> Session:
        """The node's session, built once."""
        found = self.sessions.get(node.id)
        if found is None:
            found = self.sessions[node.id] = caller_session(self.world, node)
        return found


def _account(role: Role) -> str:
    return role.arn.split(":")[4]


def caller_session(world: World, node: GraphNode, principal_arn: str | None = None) -> Session:
    """The session a principal node acts with (see the module docstring for externals)."""
    if node.kind is NodeKind.role:
        return role_session(world, node.id, SESSION_NAME)
    if node.kind is NodeKind.user:
        user = world.users_by_arn[node.id]
        return Session(principal=principal_from_arn(user.arn), account=user.account,
                       principal_id=user.id, identity=user.policies, boundary=user.boundary,
                       tags=dict(user.tags), temporary=False)
    account = node.account or OUTSIDER_ACCOUNT
    arn = principal_arn or (node.id if node.kind is NodeKind.external_principal else
                            f"arn:aws:iam::{account}:role/external")
    return Session(principal=_presented(arn), account=account, identity=(EXTERNAL_SIDE,),
                   temporary=":user/" not in arn)


def _presented(arn: str) -> Principal:
    """What a principal ARN presents when it calls: a role calls as a session of itself."""
    if ":role/" in arn:
        name = arn.rsplit("/", 1)[-1]
        account = arn.split(":")[4]
        return principal_from_arn(f"arn:aws:sts::{account}:assumed-role/{name}/{SESSION_NAME}",
                                  role_arn=arn)
    return principal_from_arn(arn)


def chained(node: GraphNode) -> bool | None:
    """Does the caller hold role-session credentials (so its AssumeRole is chaining)?"""
    if node.kind is NodeKind.role:
        return True
    if node.kind is NodeKind.external_principal:
        return ":role/" in node.id or ":assumed-role/" in node.id
    if node.kind in (NodeKind.external_account, NodeKind.everyone):
        return None  # depends on credentials the graph cannot see
    return False


def _principal_arn_fill(stmt: Statement, account: str) -> str | None:
    """An ARN in `account` satisfying the statement's aws:PrincipalArn condition."""
    for cond in stmt.conditions:
        if cond.key.lower() == "aws:principalarn" and not parse_operator(cond.operator).negated:
            for value in cond.values:
                if value.split(":")[4:5] == [account] or value.split(":")[4:5] == ["*"]:
                    filled = value.replace("*", FILLER).replace("?", FILLER)
                    return filled.replace(f"::{FILLER}:", f"::{account}:")
    return None


def assume_edge(dec: Decider, caller: GraphNode, role: Role) -> Edge | Refusal:
    """Can the caller (user, role, external, `*`) call sts:AssumeRole on the role?"""
    world, account = dec.world, _account(role)
    base = dec.session(caller)
    policies = caller_policies(world, base, account, role.trust, "sts")
    tried: list[RequestDecision] = []
    for stmt in [s for s in role.trust.statements
                 if s.effect == "Allow" and reaches(s, ("sts:assumerole",))]:
        session = base
        extra: tuple[Requirement, ...] = ()
        if caller.kind in (NodeKind.external_account, NodeKind.everyone):
            fill = _principal_arn_fill(stmt, base.account)
            if fill is not None:
                session = caller_session(world, caller, fill)
                extra = tuple(Requirement(key=c.key, operator=c.operator, values=c.values,
                                          supplied=fill) for c in stmt.conditions
                              if c.key.lower() == "aws:principalarn")
        if stmt.principal is not None and not principal_grants(
                stmt.principal, session.principal, session.principal_id):
            continue
        context, requires = supply(stmt, role.trust.statements, ASSUME_KEYS.__contains__)
        context.setdefault("sts:RoleSessionName", (SESSION_NAME,))
        request = session_request(world, session, "sts:AssumeRole", role.arn, account,
                                  context)
        d = dec(request, policies if session is base else
                caller_policies(world, session, account, role.trust, "sts"))
        if d.allowed:
            return Edge(kind=EdgeKind.can_assume, source=caller.id, target=role.arn,
                        action="sts:AssumeRole", requires=extra + requires,
                        chained=chained(caller), decision=d, supplied=context)
        tried.append(d)
    if not tried:
        request = session_request(world, base, "sts:AssumeRole", role.arn, account,
                                  {"sts:RoleSessionName": (SESSION_NAME,)})
        tried.append(dec(request, policies))
    return Refusal(source=caller.id, target=role.arn, action="sts:AssumeRole",
                   reason=tried[0].reason, message=tried[0].message, decision=tried[0])


def _admits(stmt: Statement, principal: Principal) -> bool:
    return stmt.effect == "Allow" and (stmt.principal is None
                                       or bool(principal_grants(stmt.principal, principal)))


def service_edge(dec: Decider, service: str, role: Role) -> Edge | Refusal:
    """Does the role trust the service? With EC2 and an instance profile holding the role,
    the edge is `instance_profile_of`."""
    world, account = dec.world, _account(role)
    principal = principal_from_arn(service)
    stmt = next((s for s in role.trust.statements
                 if _admits(s, principal) and reaches(s, ("sts:assumerole",))), None)
    context, requires = supply(stmt, role.trust.statements, SERVICE_KEYS.__contains__)
    request = Request(principal=principal, action="sts:AssumeRole", resource=role.arn,
                      resource_account=account, context=context)
    rcp = org_levels(world, account, PolicyKind.rcp)
    d = dec(request, PolicySet(resource=role.trust, rcp=rcp))
    if not d.allowed:
        return Refusal(source=service, target=role.arn, action="sts:AssumeRole",
                       reason=d.reason, message=d.message, decision=d)
    profile = dec.profile_of.get(role.arn)
    kind = EdgeKind.instance_profile_of if service == EC2 and profile else EdgeKind.can_assume
    notes = ("no instance profile of the world holds the role (EC2 delivers a role to "
             "instances through one)",) if service == EC2 and not profile else ()
    return Edge(kind=kind, source=service, target=role.arn, action="sts:AssumeRole",
                requires=requires, chained=False, service=service, decision=d,
                profile=profile if kind is EdgeKind.instance_profile_of else None,
                supplied=context, notes=notes)


def web_identity_edge(dec: Decider, provider_arn: str, role: Role) -> Edge | Refusal:
    """sts:AssumeRoleWithWebIdentity: the provider is in the role's account, the token's
    audience is one of its client ids, and the trust admits the claims.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html"""
    world, account = dec.world, _account(role)
    provider = world.providers_by_arn[provider_arn]
    action = "sts:AssumeRoleWithWebIdentity"
    if provider.account != account:
        return Refusal(source=provider_arn, target=role.arn, action=action,
                       reason="provider_not_in_role_account",
                       message=f"the OIDC provider is in account {provider.account}, the "
                               f"role in {account}")
    principal = principal_from_arn(provider.arn)
    url = provider.url.lower()
    stmt = next((s for s in role.trust.statements
                 if _admits(s, principal) and reaches(s, (action.lower(),))), None)
    context, requires = supply(stmt, role.trust.statements,
                               lambda k: k.startswith(url + ":") or k == "sts:rolesessionname")
    aud_key = next((k for k in context if k.lower() == f"{url}:aud"), None)
    if aud_key is None:
        context[f"{provider.url}:aud"] = (provider.audiences[0],)
    elif context[aud_key][0] not in provider.audiences:
        return Refusal(source=provider_arn, target=role.arn, action=action,
                       reason="audience_not_allowed",
                       message=f"the trust wants audience {context[aud_key][0]!r}, which is "
                               f"not a client id of {provider.arn}")
    notes = () if any(r.key.lower() == f"{url}:sub" for r in requires) else (
        "no :sub condition: every identity the provider issues can assume the role",)
    context.setdefault("sts:RoleSessionName", (SESSION_NAME,))
    context["aws:FederatedProvider"] = (provider.arn,)
    request = Request(principal=principal, action=action, resource=role.arn,
                      resource_account=account, context=context)
    rcp = org_levels(world, account, PolicyKind.rcp)
    d = dec(request, PolicySet(resource=role.trust, rcp=rcp))
    if not d.allowed:
        return Refusal(source=provider_arn, target=role.arn, action=action, reason=d.reason,
                       message=d.message, decision=d)
    return Edge(kind=EdgeKind.can_assume, source=provider_arn, target=role.arn, action=action,
                requires=requires, chained=False, decision=d, supplied=context, notes=notes)


def pass_edge(dec: Decider, caller: GraphNode, role: Role, service: str) -> Edge | Refusal:
    """iam:PassRole of the role to the service (iam:PassedToService), same account only."""
    world, account = dec.world, _account(role)
    session = dec.session(caller)
    context: Context = {"iam:PassedToService": (service,)}
    request = session_request(world, session, "iam:PassRole", role.arn, account, context)
    d = dec(request, caller_policies(world, session, account, None, "iam"))
    if not d.allowed:
        return Refusal(source=caller.id, target=role.arn, action="iam:PassRole",
                       reason=d.reason, message=d.message, decision=d)
    return Edge(kind=EdgeKind.can_pass, source=caller.id, target=role.arn,
                action="iam:PassRole", chained=False, service=service, decision=d,
                supplied=context)


def principal_edge(dec: Decider, caller: GraphNode, role: Role) -> Edge | Refusal:
    """The edge from any principal node into a role."""
    if caller.kind is NodeKind.service:
        return service_edge(dec, caller.id, role)
    if caller.kind is NodeKind.web_identity:
        return web_identity_edge(dec, caller.id, role)
    return assume_edge(dec, caller, role)


__all__ = ["Decider", "EXTERNAL_SIDE", "assume_edge", "caller_session",
           "chained", "pass_edge", "principal_edge", "service_edge",
           "web_identity_edge"]
