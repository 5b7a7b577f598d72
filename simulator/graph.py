"""Who can become whom, and who can do what to which resource? The world as a graph.

`build_graph(world)` indexes every policy once (`graph_index`, `graph_access`: no
evaluation) and proposes candidate pairs; `decide` (through `graph_edges`) settles a pair
the first time a question needs it, and the result is kept. Principal edges (can_assume,
can_pass, instance_profile_of) are decided per role, all the edges into a role at once,
when a walk reaches the role (`incoming`) or leaves a principal (`outgoing`);
`build_graph(world, eager=True)` decides them all up front. `can_act` edges are decided
for the resources and actions a question asks about, cached per (principal, resource,
action); `WorldGraph.complete()` decides everything (exports without a filter).

The networkx.MultiDiGraph (`WorldGraph.nx`) holds GraphNode records under the node
attribute `node` and Edge records under the edge attribute `edge`; multi-edge keys are the
edge kinds. Edges a candidate failed are not in it: `WorldGraph.refusals` keeps them with
the decision that refused them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import networkx as nx

from .graph_access import AccessIndex, access_grant, representative_actions, resource_node
from .graph_edges import Decider, pass_edge, principal_edge
from .graph_index import CandidateIndex
from .graph_model import (
    ActionGrant,
    Edge,
    EdgeKind,
    GraphNode,
    NodeKind,
    Refusal,
)
from .world import World

PRINCIPAL_EDGES = frozenset({EdgeKind.can_assume, EdgeKind.can_pass,
                             EdgeKind.instance_profile_of})


class WorldGraph:
    """A world's graph, filled as questions need it. Read it through the accessors."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.index = CandidateIndex(world)
        self.access = AccessIndex(world, self.index)
        self.decider = Decider(world)
        self.nx = nx.MultiDiGraph()
        self.refusals: dict[tuple[str, str, str], Refusal] = {}
        self._incoming: set[str] = set()
        self._outgoing: set[str] = set()
        self._pairs: set[tuple[str, str, str]] = set()
        self._swept: set[tuple[str, str]] = set()
        self._acts: set[tuple[str, str, str]] = set()
        self._reach_done: set[str] = set()
        for node in (*self.index.nodes.values(), *self.access.resources.values()):
            self._add_node(node)

    # -- reading ---------------------------------------------------------------------------
    @property
    def decisions(self) -> int:
        """How many times `decide` ran so far."""
        return self.decider.calls

    def node(self, node_id: str) -> GraphNode:
        node: GraphNode = self.nx.nodes[node_id]["node"]
        return node

    def has_node(self, node_id: str) -> bool:
        return node_id in self.nx

    def nodes(self, kind: NodeKind | None = None) -> list[GraphNode]:
        return [d["node"] for _, d in self.nx.nodes(data=True)
                if kind is None or d["node"].kind is kind]

    def edges(self, kind: EdgeKind | None = None) -> list[Edge]:
        return [d["edge"] for _, _, d in self.nx.edges(data=True)
                if kind is None or d["edge"].kind is kind]

    def edge(self, source: str, target: str, kind: EdgeKind,
             service: str | None = None) -> Edge | None:
        key = f"{kind.value}:{service}" if kind is EdgeKind.can_pass else kind.value
        data = self.nx.get_edge_data(source, target, key)
        return data["edge"] if data else None

    def in_edges(self, node_id: str) -> list[Edge]:
        """Edges into a node, as decided so far (see `incoming`)."""
        if node_id not in self.nx:
            return []
        return [d["edge"] for _, _, d in self.nx.in_edges(node_id, data=True)]

    def out_edges(self, node_id: str) -> list[Edge]:
        if node_id not in self.nx:
            return []
        return [d["edge"] for _, _, d in self.nx.out_edges(node_id, data=True)]

    # -- principal edges -------------------------------------------------------------------
    def incoming(self, role_arn: str) -> list[Edge]:
        """Every principal edge into the role, deciding its candidates first."""
        if role_arn not in self._incoming and role_arn in self.world.roles_by_arn:
            self._incoming.add(role_arn)
            for caller in self.index.callers_of.get(role_arn, ()):
                self._pair(caller, role_arn)
            for passer, service in self.index.passers_of.get(role_arn, ()):
                self._pair(passer, role_arn, service)
        return [e for e in self.in_edges(role_arn) if e.kind in PRINCIPAL_EDGES]

    def outgoing(self, node_id: str) -> list[Edge]:
        """Every principal edge out of a principal, deciding its candidates first."""
        if node_id not in self._outgoing:
            self._outgoing.add(node_id)
            for role in self.index.assumable_by.get(node_id, ()):
                self._pair(node_id, role)
            for role, service in self.index.passable_by.get(node_id, ()):
                self._pair(node_id, role, service)
        return [e for e in self.out_edges(node_id) if e.kind in PRINCIPAL_EDGES]

    def delivers(self, service: str, role_arn: str) -> Edge | None:
        """The edge by which the service hands out sessions of the role, if it does."""
        self._pair(service, role_arn)
        return self.edge(service, role_arn, EdgeKind.instance_profile_of) or \
            self.edge(service, role_arn, EdgeKind.can_assume)

    def traversable(self, edge: Edge) -> bool:
        """Does the edge hand its source a session of its target? A PassRole does only
        when the service then takes the role. An EC2 edge without an instance profile in
        the world still counts (worlds often leave profiles out, as the replay's
        instance-profile start does); the edge carries a note saying so."""
        if edge.kind is EdgeKind.can_pass:
            return edge.service is not None and self.delivers(edge.service, edge.target) \
                is not None
        return edge.kind in PRINCIPAL_EDGES

    def _pair(self, caller: str, role_arn: str, service: str | None = None) -> None:
        key = (caller, role_arn, service or "")
        if key in self._pairs or not self._known(caller):
            return
        self._pairs.add(key)
        role = self.world.roles_by_arn[role_arn]
        node = self.node(caller)
        result = pass_edge(self.decider, node, role, service) if service else \
            principal_edge(self.decider, node, role)
        if isinstance(result, Refusal):
            self.refusals[(caller, role_arn, result.action)] = result
        else:
            self.nx.add_edge(result.source, result.target, key=result.key, edge=result)

    # -- access edges ----------------------------------------------------------------------
    def resource(self, arn: str) -> GraphNode:
        """The resource's node, created when a question names a resource not yet in it."""
        if arn not in self.nx:
            self._add_node(resource_node(self.world, arn))
        return self.node(arn)

    def actors(self, action: str, resource: str) -> dict[str, ActionGrant]:
        """Every principal allowed `action` on `resource` directly (not through a chain)."""
        self.resource(resource)
        low = action.lower()
        if (resource, low) not in self._swept:
            self._swept.add((resource, low))
            for caller in sorted(self.access.candidates(action, resource)):
                self._act(caller, resource, action)
        out = {}
        for edge in self.in_edges(resource):
            grant = edge.grant(action)
            if grant is not None:
                out[edge.source] = grant
        return out

    def access_of(self, node_id: str,
                  skip: Collection[tuple[str, str]] = ()) -> list[Edge]:
        """The can_act edges of a principal over the representative actions of every
        resource it might act on; (resource, action) pairs in `skip` are left undecided
        (a walk that already reached them by a shorter way)."""
        if node_id not in self._reach_done and self._known(node_id):
            node = self.node(node_id)
            complete = True
            for arn, actions in self.access.resources_for(node).items():
                self.resource(arn)
                for action in actions:
                    if (arn, action) in skip:
                        complete = False
                    else:
                        self._act(node_id, arn, action)
            if complete:
                self._reach_done.add(node_id)
        return [e for e in self.out_edges(node_id) if e.kind is EdgeKind.can_act]

    def _act(self, caller: str, resource: str, action: str) -> None:
        key = (caller, resource, action.lower())
        if key in self._acts or not self._known(caller):
            return
        self._acts.add(key)
        result = access_grant(self.decider, self.node(caller), resource, action)
        if isinstance(result, Refusal):
            self.refusals[(caller, resource, action)] = result
            return
        current = self.edge(caller, resource, EdgeKind.can_act)
        grants = (*(current.actions if current else ()), result)
        edge = Edge(kind=EdgeKind.can_act, source=caller, target=resource,
                    actions=tuple(sorted(grants, key=lambda g: g.action)))
        self.nx.add_edge(caller, resource, key=edge.key, edge=edge)

    # -- whole graph -----------------------------------------------------------------------
    def principal_edges(self) -> WorldGraph:
        """Decide every candidate principal edge."""
        for role in self.world.roles:
            self.incoming(role.arn)
        return self

    def complete(self, resources: Iterable[str] | None = None) -> WorldGraph:
        """Decide every principal edge, and the can_act edges of the representative actions
        on the given resources (default: every resource node)."""
        self.principal_edges()
        for arn in list(resources if resources is not None else self.access.resources):
            res = self.resource(arn)
            for action in representative_actions(res.kind, arn):
                self.actors(action, arn)
        return self

    def _add_node(self, node: GraphNode) -> None:
        self.nx.add_node(node.id, node=node)

    def _known(self, node_id: str) -> bool:
        """Is it a node? External nodes the index creates while answering are added."""
        if node_id not in self.nx and node_id in self.index.nodes:
            self._add_node(self.index.nodes[node_id])
        return node_id in self.nx


def build_graph(world: World, *, eager: bool = False) -> WorldGraph:
    """Index the world; with `eager`, also decide every candidate principal edge now
    (otherwise each is decided the first time a question walks into its role: the answers
    are the same). can_act edges are always decided on demand (`WorldGraph.actors`,
    `access_of`, `complete`)."""
    graph = WorldGraph(world)
    if eager:
        graph.principal_edges()
    return graph
