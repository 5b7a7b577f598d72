"""Who can do this to that resource? What can this principal reach? Answered on the graph.

- `who_can(graph, action, resource)`: every principal allowed the action on the resource,
  directly or through a chain of role assumptions, PassRole-to-a-service and instance
  profiles; each with its shortest chain (breadth-first from the direct actors along
  reversed edges, so cycles end and the first chain found is a shortest one), grouped
  by account; accounts outside the world are groups of their own, listed first.
- `reach(graph, principal)`: everything the principal can reach, by resource and access
  level, each action with its shortest chain.

A chain is a tuple of Hops, one per edge, each with what it requires (ExternalId, `:sub`,
MFA, ...), whether it is role chaining (any AssumeRole made with role-session credentials:
the session is capped at one hour, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)
and the decision that justified it (reason, message, deciding statements).
"""

from __future__ import annotations

from collections import deque

from pydantic import BaseModel, ConfigDict

from .arn import is_account_id, parse_arn
from .errors import InputError
from .graph import WorldGraph
from .graph_access import access_grant, level_of
from .graph_edges import Decider, pass_edge, principal_edge
from .graph_model import ActionGrant, Edge, EdgeKind, GraphNode, NodeKind, Refusal, Requirement
from .results import RequestDecision

LEVEL_ORDER = ("List", "Read", "Write", "Permissions management", "Tagging", "Unknown")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Hop(_Frozen):
    """One edge of a chain, with what justified it."""

    kind: EdgeKind
    source: str
    target: str
    action: str
    requires: tuple[Requirement, ...] = ()
    chained: bool | None = False
    service: str | None = None
    profile: str | None = None
    decision: RequestDecision | None = None
    kms: RequestDecision | None = None
    notes: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return self.decision.reason if self.decision else ""

    @property
    def message(self) -> str:
        return self.decision.message if self.decision else ""


def edge_hop(edge: Edge) -> Hop:
    return Hop(kind=edge.kind, source=edge.source, target=edge.target, action=edge.action,
               requires=edge.requires, chained=edge.chained, service=edge.service,
               profile=edge.profile, decision=edge.decision, notes=edge.notes)


def act_hop(source: str, resource: str, grant: ActionGrant) -> Hop:
    return Hop(kind=EdgeKind.can_act, source=source, target=resource, action=grant.action,
               requires=grant.requires, decision=grant.decision, kms=grant.kms)


def explain_hop(graph: WorldGraph, hop: Hop) -> RequestDecision | None:
    """The hop's decision again, traced (every statement's elements and conditions), from
    the same request: for `simulator.explain.explain_decision`."""
    dec = Decider(graph.world, trace=True)
    source = graph.node(hop.source)
    if hop.kind is EdgeKind.can_act:
        result: object = access_grant(dec, source, hop.target, hop.action)
    elif hop.kind is EdgeKind.can_pass and hop.service:
        result = pass_edge(dec, source, graph.world.roles_by_arn[hop.target], hop.service)
    else:
        result = principal_edge(dec, source, graph.world.roles_by_arn[hop.target])
    decision = getattr(result, "decision", None)
    return decision if isinstance(decision, RequestDecision) else None


def _requires(hops: tuple[Hop, ...]) -> tuple[Requirement, ...]:
    return tuple(dict.fromkeys(r for h in hops for r in h.requires))


def _one_hour(hops: tuple[Hop, ...]) -> bool:
    return any(h.chained for h in hops if h.kind is EdgeKind.can_assume)


class WhoCanEntry(_Frozen):
    principal: str
    kind: NodeKind
    account: str | None
    label: str = ""
    external: bool = False
    direct: bool
    chain: tuple[Hop, ...]
    requires: tuple[Requirement, ...] = ()
    one_hour_cap: bool = False


class AccountGroup(_Frozen):
    """`account` is an account id, `services` for service principals, `*` for anyone."""

    account: str
    name: str = ""
    external: bool = False
    principals: tuple[WhoCanEntry, ...]


class WhoCanAnswer(_Frozen):
    action: str
    resource: str
    level: str
    accounts: tuple[AccountGroup, ...]
    refused: tuple[Refusal, ...] = ()
    decisions: int = 0

    def principals(self) -> list[WhoCanEntry]:
        return [p for group in self.accounts for p in group.principals]

    def find(self, principal: str) -> WhoCanEntry | None:
        return next((p for p in self.principals() if p.principal == principal), None)


class ReachAction(_Frozen):
    action: str
    level: str
    via: str
    chain: tuple[Hop, ...]
    requires: tuple[Requirement, ...] = ()
    one_hour_cap: bool = False


class ResourceReach(_Frozen):
    resource: str
    kind: NodeKind
    account: str | None
    levels: dict[str, tuple[ReachAction, ...]]


class ReachedPrincipal(_Frozen):
    principal: str
    kind: NodeKind
    chain: tuple[Hop, ...]
    requires: tuple[Requirement, ...] = ()
    one_hour_cap: bool = False


class ReachAnswer(_Frozen):
    principal: str
    principals: tuple[ReachedPrincipal, ...]
    resources: tuple[ResourceReach, ...]
    decisions: int = 0

    def actions(self, resource: str) -> list[str]:
        found = next((r for r in self.resources if r.resource == resource), None)
        return [a.action for acts in (found.levels.values() if found else ()) for a in acts]

    def by_level(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for res in self.resources:
            for level, acts in res.levels.items():
                out.setdefault(level, []).extend((res.resource, a.action) for a in acts)
        return out


def _order(edges: list[Edge]) -> list[Edge]:
    return sorted(edges, key=lambda e: (e.source, e.target, e.key))


def _toward(graph: WorldGraph, actors: list[str]) -> dict[str, Edge | None]:
    """For every principal that reaches an actor, its first edge on a shortest way."""
    via: dict[str, Edge | None] = {a: None for a in actors}
    queue = deque(actors)
    while queue:
        node = queue.popleft()
        if graph.node(node).kind is not NodeKind.role:
            continue
        for edge in _order(graph.incoming(node)):
            if edge.source not in via and graph.traversable(edge):
                via[edge.source] = edge
                queue.append(edge.source)
    return via


def _path(via: dict[str, Edge | None], start: str) -> tuple[Hop, ...]:
    hops = []
    node, edge = start, via[start]
    while edge is not None:
        hops.append(edge_hop(edge))
        node = edge.target
        edge = via[node]
    return tuple(hops)


def _group_key(node: GraphNode) -> str:
    if node.kind is NodeKind.service:
        return "services"
    return node.account or "*"


def check_question(action: str, resource: str) -> None:
    """Raise InputError unless `action` is service:Action (or `*`) and `resource` an ARN
    (wildcards allowed) or `*`: a misspelt question must not answer "nobody"."""
    service, sep, name = action.partition(":")
    if action != "*" and not (sep and service and name):
        raise InputError(f"action {action!r} is not service:Action, e.g. s3:GetObject",
                         location="ACTION")
    check_resource(resource, "RESOURCE")


def check_resource(resource: str, location: str) -> None:
    """Raise InputError unless `resource` is `*` or an ARN (wildcards allowed) whose account
    segment, when given without a wildcard, is a 12-digit account id."""
    if resource == "*":
        return
    try:
        arn = parse_arn(resource, allow_wildcards=True)
    except InputError as exc:
        raise InputError(exc.message, location=location) from None
    account = arn.account
    if account and account != "aws" and not is_account_id(account) \
            and "*" not in account and "?" not in account:
        raise InputError(f"account segment {account!r} is not a 12-digit account id in "
                         f"{resource!r}", location=location)


def who_can(graph: WorldGraph, action: str, resource: str) -> WhoCanAnswer:
    """Every principal that can perform `action` on `resource`, with its shortest chain."""
    check_question(action, resource)
    before = graph.decisions
    actors = graph.actors(action, resource)
    via = _toward(graph, sorted(actors))
    groups: dict[str, list[WhoCanEntry]] = {}
    for principal in via:
        node = graph.node(principal)
        path = _path(via, principal)
        last = path[-1].target if path else principal
        chain = path + (act_hop(last, resource, actors[last]),)
        groups.setdefault(_group_key(node), []).append(WhoCanEntry(
            principal=principal, kind=node.kind, account=node.account, label=node.label,
            external=node.external, direct=not path, chain=chain,
            requires=_requires(chain), one_hour_cap=_one_hour(chain)))
    accounts = []
    for key, entries in groups.items():
        external = all(e.external for e in entries)
        name = graph.world.accounts[key].name if key in graph.world.accounts else ""
        accounts.append(AccountGroup(account=key, name=name, external=external,
                                     principals=tuple(sorted(entries, key=_entry_order))))
    accounts.sort(key=lambda g: (not g.external, g.account == "services", g.account))
    refused = tuple(r for (src, res, act), r in sorted(graph.refusals.items())
                    if res == resource and act.lower() == action.lower() and src not in via)
    return WhoCanAnswer(action=action, resource=resource, level=level_of(action),
                        accounts=tuple(accounts), refused=refused,
                        decisions=graph.decisions - before)


def _entry_order(entry: WhoCanEntry) -> tuple[int, str]:
    return (len(entry.chain), entry.principal)


def _from(graph: WorldGraph, start: str) -> dict[str, Edge | None]:
    """Every principal the start can become, with the edge that first reached it."""
    came: dict[str, Edge | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for edge in _order(graph.outgoing(node)):
            if edge.target not in came and graph.traversable(edge):
                came[edge.target] = edge
                queue.append(edge.target)
    return came


def _back(came: dict[str, Edge | None], node: str) -> tuple[Hop, ...]:
    hops = []
    edge = came[node]
    while edge is not None:
        hops.append(edge_hop(edge))
        edge = came[edge.source]
    return tuple(reversed(hops))


def reach(graph: WorldGraph, principal: str) -> ReachAnswer:
    """Everything `principal` (an ARN, a service name, an account id, `*`) can reach."""
    before = graph.decisions
    start = f"arn:aws:iam::{principal}:root" if principal.isdigit() else principal
    if not graph.has_node(start):
        raise KeyError(f"{principal!r} is not a principal of the world")
    came = _from(graph, start)
    found: dict[str, dict[str, ReachAction]] = {}
    reached: set[tuple[str, str]] = set()
    for node in came:
        path = _back(came, node)
        for edge in graph.access_of(node, skip=reached):
            if edge.target not in graph.access.resources:
                continue  # a resource an earlier question added: not part of every answer
            for grant in edge.actions:
                acts = found.setdefault(edge.target, {})
                if grant.action not in acts:
                    reached.add((edge.target, grant.action))
                    chain = path + (act_hop(node, edge.target, grant),)
                    acts[grant.action] = ReachAction(
                        action=grant.action, level=grant.level, via=node, chain=chain,
                        requires=_requires(chain), one_hour_cap=_one_hour(chain))
    resources = []
    for arn in sorted(found):
        res = graph.node(arn)
        levels: dict[str, tuple[ReachAction, ...]] = {}
        for level in LEVEL_ORDER:
            at_level = tuple(a for a in sorted(found[arn].values(), key=lambda a: a.action)
                             if a.level == level)
            if at_level:
                levels[level] = at_level
        resources.append(ResourceReach(resource=arn, kind=res.kind, account=res.account,
                                       levels=levels))
    principals = tuple(
        ReachedPrincipal(principal=n, kind=graph.node(n).kind, chain=_back(came, n),
                         requires=_requires(_back(came, n)),
                         one_hour_cap=_one_hour(_back(came, n)))
        for n in came if n != start)
    return ReachAnswer(principal=start, principals=principals, resources=tuple(resources),
                       decisions=graph.decisions - before)
