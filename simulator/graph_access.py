"""What can a principal do on a resource? The `can_act` edges, decided per resource.

Resource nodes: each bucket (`arn:aws:s3:::b`), "any object of the bucket" (`arn:aws:s3:::b/*`),
and every prefix a policy singles out (`arn:aws:s3:::b/backup/*`), KMS keys, and the other
resources of the world (Glue catalogs, queues, ...). A node's ARN is the request's
resource, so a policy granting `b/*`, `b*` or `*` matches `b/*`, and one granting only
`b/backup/*` matches the prefix node, not `b/*`. Bucket actions need the bucket ARN and
object actions an object ARN:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-actions.html

Representative actions per resource type (REPRESENTATIVE), each classified by its access
level in the Service Authorization Reference (`simulator.catalog.access_level`).
An object read or write of a bucket with a default SSE-KMS key also needs kms:Decrypt or
kms:GenerateDataKey on the key, decided against the key policy; an AWS managed key cannot
be used from another account (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).

Candidates for (action, resource), without evaluating every principal: the principals with
an identity Allow statement reaching the action whose Resource pattern matches, and whoever
the resource policy names (exact ARNs, accounts, services, `*` narrowed as in the trust
index; an unnarrowed `*` also proposes every principal of the resource's account, and the
`*` node, played by an anonymous caller). Caller-chosen request headers a policy conditions
on (SSE, canned ACL) are supplied as for trust conditions.
"""

from __future__ import annotations

from collections import defaultdict

from .arn import principal_from_arn
from .catalog import access_level
from .decision import PolicySet
from .graph_edges import Decider
from .graph_index import CandidateIndex, Names, policy_names, reaches, widened
from .graph_model import EVERYONE, ActionGrant, GraphNode, NodeKind, Refusal, Requirement
from .graph_requirements import supply
from .policy import PolicyDocument, PolicyKind, Statement
from .request import Request
from .results import RequestDecision
from .sessions import (
    Session,
    caller_policies,
    org_levels,
    resource_policy_of,
    restricts_public,
    session_request,
)
from .wildcard import Matcher, compile_glob, has_wildcard
from .world import World

REPRESENTATIVE: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.bucket: ("s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy"),
    NodeKind.objects: ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
    NodeKind.key: ("kms:Decrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy"),
}
BY_SERVICE: dict[str, tuple[str, ...]] = {
    "glue": ("glue:GetDatabase", "glue:GetTable", "glue:PutResourcePolicy"),
    "sqs": ("sqs:ReceiveMessage", "sqs:SendMessage", "sqs:SetQueueAttributes"),
    "secretsmanager": ("secretsmanager:GetSecretValue", "secretsmanager:PutResourcePolicy"),
}
ALL_REPRESENTATIVE = frozenset(a for group in (*REPRESENTATIVE.values(), *BY_SERVICE.values())
                               for a in group)
ACCESS_KEYS = frozenset({"s3:x-amz-server-side-encryption", "s3:x-amz-acl",
                         "s3:x-amz-server-side-encryption-aws-kms-key-id"})
KMS_FOR = {"s3:getobject": "kms:Decrypt", "s3:getobjectversion": "kms:Decrypt",
           "s3:putobject": "kms:GenerateDataKey"}
S3 = "arn:aws:s3:::"


def level_of(action: str) -> str:
    level = access_level(action)
    return level.value if level else "Unknown"


def resource_kind(world: World, arn: str) -> NodeKind:
    if arn.startswith(S3):
        return NodeKind.objects if "/" in arn[len(S3):] else NodeKind.bucket
    return NodeKind.key if arn in world.keys_by_arn or ":kms:" in arn else NodeKind.resource


def representative_actions(kind: NodeKind, arn: str) -> tuple[str, ...]:
    if kind in REPRESENTATIVE:
        return REPRESENTATIVE[kind]
    return BY_SERVICE.get(arn.split(":")[2] if arn.count(":") >= 2 else "", ())


def resource_node(world: World, arn: str) -> GraphNode:
    _, account = resource_policy_of(world, arn)
    kind = resource_kind(world, arn)
    label = arn[len(S3):] if arn.startswith(S3) else arn.split(":", 5)[-1]
    return GraphNode(id=arn, kind=kind, account=account, label=label)


def _s3_prefix(pattern: str, buckets: set[str]) -> str | None:
    """A prefix node for an object pattern naming one described bucket, or None."""
    if not pattern.startswith(S3) or "${" in pattern:
        return None
    bucket, sep, key = pattern[len(S3):].partition("/")
    return pattern if sep and key not in ("", "*") and bucket in buckets else None


class AccessIndex:
    """Identity Allow statements by service, resource policies by whom they name, and the
    resource nodes of the world."""

    def __init__(self, world: World, index: CandidateIndex) -> None:
        self.world, self.index = world, index
        buckets = set(world.buckets_by_name)
        prefixes: set[str] = set()
        self.by_service: dict[str, list[tuple[str, Statement, tuple[Matcher, ...]]]] = \
            defaultdict(list)
        self.of_caller: dict[str, list[tuple[Statement, tuple[str, ...]]]] = \
            defaultdict(list)
        callers = [(u.arn, u.policies) for u in world.users] + \
                  [(r.arn, r.policies) for r in world.roles]
        for caller, policies in callers:
            for policy in policies:
                for stmt in policy.statements:
                    if stmt.effect != "Allow":
                        continue
                    patterns = stmt.resource if stmt.resource is not None else ("*",)
                    prefixes.update(p for p in (_s3_prefix(x, buckets) for x in patterns) if p)
                    matchers = tuple(compile_glob(widened(p)) for p in patterns)
                    services = {"*"} if stmt.action is None or "*" in stmt.action else \
                        {a.partition(":")[0].lower() for a in stmt.action}
                    for service in services:
                        self.by_service[service].append((caller, stmt, matchers))
                    self.of_caller[caller].append((stmt, tuple(widened(p) for p in patterns)))
        arns = []
        for bucket in world.buckets:
            arns += [bucket.arn, f"{bucket.arn}/*"]
            for stmt in (bucket.policy.statements if bucket.policy else ()):
                prefixes.update(p for p in (_s3_prefix(x, buckets) for x in stmt.resource or ())
                                if p)
        arns += sorted(prefixes - set(arns)) + [k.arn for k in world.keys] + \
            [r.arn for r in world.resources]
        self.resources = {arn: resource_node(world, arn) for arn in dict.fromkeys(arns)}
        self._by_scope: dict[str, list[str]] = defaultdict(list)  # bucket name / account
        for arn, res in self.resources.items():
            scope = arn[len(S3):].split("/", 1)[0] if arn.startswith(S3) else res.account
            self._by_scope[scope or ""].append(arn)
        self._named: dict[str, Names] = {}
        self._naming: dict[str, set[str]] = defaultdict(set)  # whom resource policies name
        for arn, res in self.resources.items():
            for caller in self._named_callers(self.names(arn), res.account):
                self._naming[caller].add(arn)

    def names(self, resource: str, action: str | None = None) -> Names:
        policy, _ = resource_policy_of(self.world, resource)
        if action is not None:
            return policy_names(policy, (action,))
        if resource not in self._named:
            self._named[resource] = policy_names(policy, ())
        return self._named[resource]

    def candidates(self, action: str, resource: str) -> set[str]:
        low = action.lower()
        service = low.partition(":")[0]
        node = self.resources.get(resource) or resource_node(self.world, resource)
        names = self.names(resource, action)
        out: set[str] = set()
        for caller, stmt, matchers in (*self.by_service.get(service, ()),
                                       *self.by_service.get("*", ())):
            if caller not in out and any(m(resource) for m in matchers) \
                    and reaches(stmt, (low,)) and self._reachable(names, caller, node.account):
                out.add(caller)
        return out | self._named_callers(names, node.account)

    def _reachable(self, names: Names, caller: str, account: str | None) -> bool:
        """Cross-account, the resource's policy must name the caller, its account or `*`
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
        an identity allow alone cannot reach a resource of another account."""
        own = self.index.account_of.get(caller)
        if account is None or own == account or names.everyone or caller in names.arns:
            return True
        if own in names.accounts or own in names.everyone_accounts:
            return True
        if any(self.index.ids.get(i) == caller for i in names.ids):
            return True
        return any(compile_glob(widened(p))(caller) for p in names.arn_patterns)

    def _named_callers(self, names: Names, account: str | None) -> set[str]:
        index = self.index
        out: set[str] = set()
        for value in names.arns:
            if value in index.nodes:
                out.add(value)
            elif (ext := index.external(value)) is not None:
                out.add(ext)
        out.update(index.ids[i] for i in names.ids if i in index.ids)
        for acct in names.accounts | names.everyone_accounts:
            if acct == account and acct in names.everyone_accounts:
                out.update(index.by_account.get(acct, ()))
            elif (ext := index.external(acct)) is not None:
                out.add(ext)
        if names.everyone:
            out.update(index.by_account.get(account or "", ()))
            out.add(index.special(EVERYONE, NodeKind.everyone))
        for pattern in names.arn_patterns:
            out.update(index.matching_principals(pattern))
        out.update(index.special(s, NodeKind.service) for s in names.services)
        return out

    def resources_for(self, node: GraphNode) -> dict[str, tuple[str, ...]]:
        """The representative actions the principal might be allowed, by resource node: an
        identity Allow reaches the action and matches the resource (and, cross-account,
        the resource policy could grant it), or the resource policy names the principal,
        its account or `*` (then every representative action)."""
        found: dict[str, set[str]] = defaultdict(set)
        for stmt, patterns in self.of_caller.get(node.id, ()):
            granted = {a for a in ALL_REPRESENTATIVE if reaches(stmt, (a.lower(),))}
            if not granted:
                continue
            for pattern in patterns:
                matcher = compile_glob(pattern)
                for arn in self._scope(pattern):
                    res = self.resources[arn]
                    wanted = granted.intersection(representative_actions(res.kind, arn))
                    if wanted - found[arn] and matcher(arn) and \
                            self._reachable(self.names(arn), node.id, res.account):
                        found[arn].update(wanted)
        for arn in self._naming.get(node.id, ()):
            found[arn].update(representative_actions(self.resources[arn].kind, arn))
        return {arn: tuple(a for a in representative_actions(self.resources[arn].kind, arn)
                           if a in acts) for arn, acts in sorted(found.items()) if acts}

    def _scope(self, pattern: str) -> list[str]:
        """The resource nodes a pattern can match: one bucket's, or one account's."""
        if pattern.startswith(S3):
            bucket = pattern[len(S3):].split("/", 1)[0]
            if not has_wildcard(bucket):
                return self._by_scope.get(bucket, [])
        elif pattern.count(":") >= 5:
            account = pattern.split(":")[4]
            if account and not has_wildcard(account):
                return self._by_scope.get(account, [])
        return list(self.resources)


def _supplied(policies: PolicySet,
              action: str) -> tuple[dict[str, tuple[str, ...]], tuple[Requirement, ...]]:
    docs: list[PolicyDocument] = [d for d in (policies.resource, *policies.identity) if d]
    statements = [s for d in docs for s in d.statements if reaches(s, (action.lower(),))]
    allow = next((s for s in statements if s.effect == "Allow"
                  and any(c.key.lower() in ACCESS_KEYS for c in s.conditions)), None)
    return supply(allow, statements, ACCESS_KEYS.__contains__)


def access_grant(dec: Decider, node: GraphNode, resource: str,
                 action: str) -> ActionGrant | Refusal:
    """Decide one (principal, action, resource) exactly as the replay's access stage does."""
    world = dec.world
    policy, account = resource_policy_of(world, resource)
    session = None
    if node.kind in (NodeKind.service, NodeKind.everyone):
        principal = principal_from_arn(node.id if node.kind is NodeKind.service else "*")
        rcp = org_levels(world, account, PolicyKind.rcp) if account else ()
        policies = PolicySet(resource=policy, rcp=rcp,
                             restrict_public_buckets=restricts_public(world, resource))
        context, requires = _supplied(policies, action)
        request = Request(principal=principal, action=action, resource=resource,
                          resource_account=account, context=context)
    else:
        session = dec.session(node)
        account = account or session.account
        policies = caller_policies(world, session, account, policy, action.split(":")[0],
                                   restricts_public(world, resource))
        context, requires = _supplied(policies, action)
        request = session_request(world, session, action, resource, account, context)
    d = dec(request, policies)
    if not d.allowed:
        return Refusal(source=node.id, target=resource, action=action, reason=d.reason,
                       message=d.message, decision=d)
    kms: RequestDecision | Refusal | None = None
    if session is not None:
        kms = _sse_kms(dec, session, resource, action)
        if isinstance(kms, Refusal):
            return kms.model_copy(update={"source": node.id})
    return ActionGrant(action=action, level=level_of(action), decision=d, supplied=context,
                       requires=requires, kms=kms)


def _sse_kms(dec: Decider, session: Session, resource: str,
             action: str) -> RequestDecision | Refusal | None:
    kms_action = KMS_FOR.get(action.lower())
    if kms_action is None:
        return None
    world = dec.world
    bucket = world.bucket_of(resource)
    if bucket is None or bucket.kms_key is None:
        return None
    key = world.keys_by_arn.get(bucket.kms_key)
    refuse = Refusal(source=session.principal.arn, target=resource, action=action,
                     reason="", message="")
    if key is None:
        return refuse.model_copy(update={
            "reason": "unknown_key", "message": f"the bucket's key {bucket.kms_key} is not "
                                               f"described; its key policy decides"})
    if key.aws_managed and key.account != session.account:
        return refuse.model_copy(update={
            "reason": "aws_managed_key_cross_account",
            "message": "an AWS managed key (aws/s3) cannot be used from another account"})
    region = key.arn.split(":")[3]
    request = session_request(world, session, kms_action, key.arn, key.account,
                              {"kms:ViaService": (f"s3.{region}.amazonaws.com",)})
    d = dec(request, caller_policies(world, session, key.account, key.policy, "kms"))
    if not d.allowed:
        return refuse.model_copy(update={"reason": f"kms_{d.reason}", "decision": d,
                                         "message": f"SSE-KMS: {kms_action} on {key.arn}: "
                                                    f"{d.message}"})
    return d
