"""The graph as Graphviz DOT, a Mermaid flowchart, or networkx node-link JSON.

Without a filter the whole graph is decided first (`WorldGraph.complete`: every principal
edge, and the representative actions on every resource). With `resource_filter`, only the
nodes and edges on a way to that resource are kept: the resource (for a bucket ARN, also
its object and prefix nodes), the principals allowed a representative action on it, and
every principal that reaches one of them through traversable edges.

DOT: https://graphviz.org/doc/info/lang.html (double-quoted IDs, `\\"` escapes).
Mermaid flowcharts: https://mermaid.js.org/syntax/flowchart.html (labels in double quotes,
entity codes `#quot;` for characters that would end them).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import networkx as nx

from .graph import PRINCIPAL_EDGES, WorldGraph
from .graph_access import representative_actions
from .graph_model import Edge, EdgeKind, GraphNode, NodeKind
from .graph_report import edge_dict, short


def _targets(graph: WorldGraph, resource: str) -> list[str]:
    graph.resource(resource)
    prefix = resource + "/"
    found = [arn for arn in graph.access.resources if arn.startswith(prefix)]
    return [resource, *found] if "/" not in resource.split(":::", 1)[-1] else [resource]


def subgraph(graph: WorldGraph, resource_filter: str | None = None) -> nx.MultiDiGraph:
    """The decided graph, or the part of it on the ways to one resource."""
    if resource_filter is None:
        return graph.complete().nx
    targets = _targets(graph, resource_filter)
    keep: set[str] = set(targets)
    queue: deque[str] = deque()
    for target in targets:
        for action in representative_actions(graph.node(target).kind, target):
            for actor in graph.actors(action, target):
                if actor not in keep:
                    keep.add(actor)
                    queue.append(actor)
    while queue:
        node = queue.popleft()
        if graph.node(node).kind is not NodeKind.role:
            continue
        for into in graph.incoming(node):
            if into.source not in keep and graph.traversable(into):
                keep.add(into.source)
                queue.append(into.source)
    out = nx.MultiDiGraph()
    for node in sorted(keep):
        out.add_node(node, **graph.nx.nodes[node])
    for u, v, k, data in graph.nx.edges(keys=True, data=True):
        edge: Edge = data["edge"]
        on_way = (edge.kind is EdgeKind.can_act and v in targets) or \
            (edge.kind in PRINCIPAL_EDGES and v in keep and graph.traversable(edge))
        if u in keep and v in keep and on_way:
            out.add_edge(u, v, key=k, **data)
    return out


def edge_label(edge: Edge) -> str:
    if edge.kind is EdgeKind.can_act:
        return ", ".join(g.action for g in edge.actions)
    if edge.kind is EdgeKind.can_pass:
        return f"PassRole to {edge.service}"
    if edge.kind is EdgeKind.instance_profile_of:
        return f"instance profile {short(edge.profile or '')}"
    words = ["assume" if edge.action == "sts:AssumeRole" else "web identity"]
    words += [r.label for r in edge.requires]
    if edge.chained:
        words.append("chained: 1 h")
    return "; ".join(words)


def node_label(node: GraphNode) -> str:
    if node.kind in (NodeKind.user, NodeKind.role):
        return f"{node.kind.value} {short(node.id).split('/', 1)[-1]} ({node.account})"
    if node.kind is NodeKind.external_account:
        return f"external account {node.account}"
    if node.kind is NodeKind.external_principal:
        return f"external {short(node.id)}"
    if node.kind is NodeKind.web_identity:
        return f"OIDC {node.label}"
    if node.kind is NodeKind.everyone:
        return "anyone (*)"
    return node.label or node.id


def _sorted_edges(g: nx.MultiDiGraph) -> list[tuple[str, str, Edge]]:
    return sorted(((u, v, d["edge"]) for u, v, d in g.edges(data=True)),
                  key=lambda t: (t[0], t[1], t[2].key))


# -- DOT -----------------------------------------------------------------------------------
_DOT_SHAPE = {NodeKind.user: "ellipse", NodeKind.role: "box", NodeKind.service: "hexagon",
              NodeKind.web_identity: "hexagon", NodeKind.external_account: "box3d",
              NodeKind.external_principal: "box3d", NodeKind.everyone: "doubleoctagon",
              NodeKind.bucket: "cylinder", NodeKind.objects: "folder", NodeKind.key: "note",
              NodeKind.resource: "component"}
_DOT_STYLE = {EdgeKind.can_assume: "solid", EdgeKind.can_pass: "dashed",
              EdgeKind.instance_profile_of: "bold", EdgeKind.can_act: "solid"}


def dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: WorldGraph, resource_filter: str | None = None) -> str:
    g = subgraph(graph, resource_filter)
    lines = ["digraph trustsim {", "  rankdir=LR;", '  node [fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for node_id in sorted(g.nodes):
        node: GraphNode = g.nodes[node_id]["node"]
        style = ', style=dashed' if node.external else ""
        lines.append(f"  {dot_quote(node_id)} [label={dot_quote(node_label(node))}, "
                     f"shape={_DOT_SHAPE[node.kind]}{style}];")
    for u, v, edge in _sorted_edges(g):
        color = ', color="darkgreen"' if edge.kind is EdgeKind.can_act else ""
        lines.append(f"  {dot_quote(u)} -> {dot_quote(v)} [label={dot_quote(edge_label(edge))}"
                     f", style={_DOT_STYLE[edge.kind]}{color}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid -------------------------------------------------------------------------------
_MERMAID_SHAPE = {NodeKind.user: ('(["', '"])'), NodeKind.role: ('["', '"]'),
                  NodeKind.service: ('{{"', '"}}'), NodeKind.web_identity: ('{{"', '"}}'),
                  NodeKind.external_account: ('[/"', '"/]'),
                  NodeKind.external_principal: ('[/"', '"/]'),
                  NodeKind.everyone: ('(("', '"))'), NodeKind.bucket: ('[("', '")]'),
                  NodeKind.objects: ('[("', '")]'), NodeKind.key: ('>"', '"]'),
                  NodeKind.resource: ('[["', '"]]')}
_MERMAID_ARROW = {EdgeKind.can_assume: "-->", EdgeKind.can_pass: "-.->",
                  EdgeKind.instance_profile_of: "==>", EdgeKind.can_act: "-->"}
_ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;"),
             ("`", "#96;"), ("\n", " "))


def mermaid_text(text: str) -> str:
    for char, code in _ENTITIES:
        text = text.replace(char, code)
    return text


def to_mermaid(graph: WorldGraph, resource_filter: str | None = None) -> str:
    g = subgraph(graph, resource_filter)
    ids = {node_id: f"n{i}" for i, node_id in enumerate(sorted(g.nodes))}
    lines = ["flowchart LR"]
    for node_id, short_id in ids.items():
        node: GraphNode = g.nodes[node_id]["node"]
        left, right = _MERMAID_SHAPE[node.kind]
        lines.append(f"  {short_id}{left}{mermaid_text(node_label(node))}{right}")
    for u, v, edge in _sorted_edges(g):
        arrow = _MERMAID_ARROW[edge.kind]
        lines.append(f'  {ids[u]} {arrow}|"{mermaid_text(edge_label(edge))}"| {ids[v]}')
    return "\n".join(lines) + "\n"


# -- node-link JSON ------------------------------------------------------------------------
def node_dict(node: GraphNode) -> dict[str, Any]:
    return {"kind": node.kind.value, "account": node.account, "label": node.label,
            "external": node.external}


def to_json(graph: WorldGraph, resource_filter: str | None = None) -> dict[str, Any]:
    """networkx node-link data (`nodes`, `edges`), every attribute JSON-safe; read it back
    with `networkx.node_link_graph(data, edges="edges")`."""
    g = subgraph(graph, resource_filter)
    plain = nx.MultiDiGraph(name=graph.world.name)
    for node_id in sorted(g.nodes):
        plain.add_node(node_id, **node_dict(g.nodes[node_id]["node"]))
    for u, v, edge in _sorted_edges(g):
        plain.add_edge(u, v, key=edge.key, **edge_dict(edge))
    data: dict[str, Any] = nx.node_link_data(plain, edges="edges")
    return data
