"""Who can obtain a session of this role, directly or through a chain? On the graph.

`who_can(graph, "sts:AssumeRole", role)` answers the single call (the trust read as a
resource policy, nothing supplied); this follows the graph's principal edges instead
(can_assume with the ExternalId, MFA, ... the trust requires supplied, PassRole to a
service that then takes the role, instance profiles), breadth-first along reversed edges,
so each principal comes with a shortest chain (simulator.questions.Hop, with the decision
and deciding statements of every hop).
"""

from __future__ import annotations

from collections import deque

from .graph import WorldGraph
from .graph_model import NodeKind
from .questions import Hop, edge_hop


def assumers(graph: WorldGraph, role_arn: str) -> dict[str, tuple[Hop, ...]]:
    """Every principal that can become `role_arn` (not the role itself), each with the
    hops of a shortest chain ending at the role."""
    if role_arn not in graph.world.roles_by_arn:
        return {}
    chains: dict[str, tuple[Hop, ...]] = {role_arn: ()}
    queue = deque([role_arn])
    while queue:
        node = queue.popleft()
        if graph.node(node).kind is not NodeKind.role:
            continue
        edges = sorted(graph.incoming(node), key=lambda e: (e.source, e.key))
        for edge in edges:
            if edge.source not in chains and graph.traversable(edge):
                chains[edge.source] = (edge_hop(edge), *chains[node])
                queue.append(edge.source)
    del chains[role_arn]
    return chains
