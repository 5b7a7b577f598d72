"""Graph answers -> JSON-ready dicts and table rows (plain strings, no rich).

`who_can_dict` / `reach_dict` are the machine formats of the two questions; every hop
carries its requirements and the decision that justified it (`reports.decision_dict`).
`who_can_rows` / `reach_rows` are rows of strings under WHO_CAN_COLUMNS / REACH_COLUMNS,
for a table renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .graph_model import ActionGrant, Edge, EdgeKind, Refusal, Requirement
from .questions import Hop, ReachAnswer, WhoCanAnswer, WhoCanEntry
from .reports import decision_dict

WHO_CAN_COLUMNS = ("account", "principal", "kind", "chain", "requires", "one-hour cap")
REACH_COLUMNS = ("resource", "level", "action", "via", "chain", "requires")


def requirement_dict(r: Requirement) -> dict[str, Any]:
    return {"key": r.key, "operator": r.operator, "values": list(r.values),
            "supplied": r.supplied, "label": r.label}


def hop_dict(hop: Hop) -> dict[str, Any]:
    return {"kind": hop.kind.value, "source": hop.source, "target": hop.target,
            "action": hop.action, "requires": [requirement_dict(r) for r in hop.requires],
            "chained": hop.chained, "service": hop.service, "profile": hop.profile,
            "decision": decision_dict(hop.decision) if hop.decision else None,
            "kms": decision_dict(hop.kms) if hop.kms else None, "notes": list(hop.notes)}


def grant_dict(grant: ActionGrant) -> dict[str, Any]:
    return {"action": grant.action, "level": grant.level,
            "requires": [requirement_dict(r) for r in grant.requires],
            "decision": decision_dict(grant.decision),
            "kms": decision_dict(grant.kms) if grant.kms else None}


def edge_dict(edge: Edge) -> dict[str, Any]:
    """An edge's attributes, JSON-safe (the node-link export uses these)."""
    return {"kind": edge.kind.value, "action": edge.action,
            "requires": [requirement_dict(r) for r in edge.requires], "chained": edge.chained,
            "service": edge.service, "profile": edge.profile,
            "decision": decision_dict(edge.decision) if edge.decision else None,
            "supplied": {k: list(v) for k, v in edge.supplied.items()},
            "actions": [grant_dict(g) for g in edge.actions], "notes": list(edge.notes)}


def refusal_dict(r: Refusal) -> dict[str, Any]:
    return {"principal": r.source, "target": r.target, "action": r.action,
            "reason": r.reason, "message": r.message}


def _entry_dict(e: WhoCanEntry) -> dict[str, Any]:
    return {"principal": e.principal, "kind": e.kind.value, "account": e.account,
            "external": e.external, "direct": e.direct, "one_hour_cap": e.one_hour_cap,
            "requires": [requirement_dict(r) for r in e.requires],
            "chain": [hop_dict(h) for h in e.chain]}


def who_can_dict(answer: WhoCanAnswer) -> dict[str, Any]:
    return {"question": "who-can", "action": answer.action, "resource": answer.resource,
            "level": answer.level, "decisions": answer.decisions,
            "accounts": [{"account": g.account, "name": g.name, "external": g.external,
                          "principals": [_entry_dict(e) for e in g.principals]}
                         for g in answer.accounts],
            "refused": [refusal_dict(r) for r in answer.refused]}


def reach_dict(answer: ReachAnswer) -> dict[str, Any]:
    return {"question": "reach", "principal": answer.principal,
            "decisions": answer.decisions,
            "principals": [{"principal": p.principal, "kind": p.kind.value,
                            "one_hour_cap": p.one_hour_cap,
                            "requires": [requirement_dict(r) for r in p.requires],
                            "chain": [hop_dict(h) for h in p.chain]}
                           for p in answer.principals],
            "resources": [{"resource": r.resource, "kind": r.kind.value, "account": r.account,
                           "levels": {level: [{"action": a.action, "via": a.via,
                                               "one_hour_cap": a.one_hour_cap,
                                               "requires": [requirement_dict(q)
                                                            for q in a.requires],
                                               "chain": [hop_dict(h) for h in a.chain]}
                                              for a in acts]
                                      for level, acts in r.levels.items()}}
                          for r in answer.resources]}


def short(node_id: str) -> str:
    """`arn:aws:iam::1:role/x` -> `role/x`, `arn:aws:iam::1:root` -> `account 1`; services
    and `*` unchanged."""
    if node_id.count(":") < 5:
        return node_id
    if node_id.endswith(":root"):
        return f"account {node_id.split(':')[4]}"
    return node_id.split(":", 5)[5]


_VERB = {EdgeKind.can_assume: "assume", EdgeKind.can_pass: "pass",
         EdgeKind.instance_profile_of: "instance profile"}


def chain_text(chain: Sequence[Hop]) -> str:
    """`role/a -assume-> role/b -s3:GetObject-> customer-lake/*`."""
    if not chain:
        return ""
    parts = [short(chain[0].source)]
    for hop in chain:
        verb = hop.action if hop.kind is EdgeKind.can_act else _VERB[hop.kind]
        if hop.kind is EdgeKind.can_pass and hop.service:
            verb += f" to {hop.service}"
        parts.append(f"-{verb}-> {short(hop.target)}")
    return " ".join(parts)


def requires_text(requires: Sequence[Requirement]) -> str:
    return "; ".join(r.label for r in requires)


def who_can_rows(answer: WhoCanAnswer) -> list[list[str]]:
    rows = []
    for group in answer.accounts:
        account = group.account + (f" ({group.name})" if group.name else "") + \
            (" [external]" if group.external else "")
        for e in group.principals:
            rows.append([account, e.principal, e.kind.value, chain_text(e.chain),
                         requires_text(e.requires), "yes" if e.one_hour_cap else ""])
    return rows


def reach_rows(answer: ReachAnswer) -> list[list[str]]:
    rows = []
    for res in answer.resources:
        for level, acts in res.levels.items():
            for a in acts:
                rows.append([res.resource, level, a.action, a.via, chain_text(a.chain),
                             requires_text(a.requires)])
    return rows
