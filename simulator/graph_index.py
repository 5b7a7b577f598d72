"""Who could possibly assume, or pass, which role? The candidate index.

Evaluating every (principal, role) pair is what makes PMapper quadratic (peers.md §1.1,
§4). The index reads each policy once and proposes only the pairs that some statement
could allow; `decide` then settles each proposed pair. A pair is a candidate when the
role's trust policy (an Allow reaching sts:AssumeRole or sts:AssumeRoleWithWebIdentity):

- names the caller exactly (its ARN or unique id AROA.../AIDA...), or names a service or
  OIDC provider node;
- names the caller's account and one of the caller's identity Allow statements reaching
  sts:AssumeRole has a Resource pattern matching the role (delegation: the identity policy
  must allow, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html);
- names `*`, narrowed by an `aws:PrincipalArn` or `aws:PrincipalAccount` condition when it
  has one; an unnarrowed `*` proposes the role's own account (a same-account grant to `*`
  needs no identity allow) and every caller whose identity patterns match, plus the `*`
  node (anyone outside the world).

Accounts and principals a policy names but the world does not describe become external
nodes. For iam:PassRole the candidates are the callers of the role's own account (PassRole
never crosses accounts) whose identity Allow reaching iam:PassRole matches the role, once
per service the role's trust names (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
Resource patterns holding policy variables are widened to `*` at the variable: the index
may propose too much, never too little.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .graph_model import EVERYONE, GraphNode, NodeKind
from .matching import action_matcher
from .policy import PolicyDocument, Statement
from .wildcard import Matcher, compile_glob, has_wildcard
from .world import World

ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithwebidentity")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
_NARROWING_OPERATORS = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike",
                                  "StringEqualsIgnoreCase"})


def account_root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def reaches(stmt: Statement, actions: Iterable[str]) -> bool:
    """Does the statement's Action (or NotAction) cover any of the lower-cased actions?"""
    wanted = list(actions)
    if stmt.action is not None:
        return any(action_matcher(p)(a) for p in stmt.action for a in wanted)
    excluded = stmt.not_action or ()
    return any(not any(action_matcher(p)(a) for p in excluded) for a in wanted)


@dataclass
class Names:
    """Whom an Allow statement's Principal names, `*` narrowed by its conditions."""

    arns: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    federated: set[str] = field(default_factory=set)
    everyone: bool = False
    everyone_accounts: set[str] = field(default_factory=set)
    arn_patterns: set[str] = field(default_factory=set)

    def merge(self, other: Names) -> None:
        for name in ("arns", "ids", "accounts", "services", "federated", "everyone_accounts",
                     "arn_patterns"):
            getattr(self, name).update(getattr(other, name))
        self.everyone = self.everyone or other.everyone


def statement_names(stmt: Statement) -> Names:
    names = Names()
    block = stmt.principal
    if block is None or block.everyone:  # NotPrincipal in an Allow reaches (almost) all
        narrowed = False
        for cond in stmt.conditions:
            base = cond.operator.split(":")[-1].removesuffix("IfExists")
            if base not in _NARROWING_OPERATORS or cond.operator.startswith("ForAllValues"):
                continue
            key = cond.key.lower()
            if key == "aws:principalarn":
                names.arn_patterns.update(cond.values)
                narrowed = True
            elif key == "aws:principalaccount":
                names.everyone_accounts.update(cond.values)
                narrowed = True
        names.everyone = not narrowed
        if block is None:
            return names
    for value in block.aws:
        if value.isdigit():
            names.accounts.add(value)
        elif value.endswith(":root") and value.startswith("arn:"):
            names.accounts.add(value.split(":")[4])
        elif value[:4] in ("AROA", "AIDA"):
            names.ids.add(value)
        else:
            names.arns.add(value)
    names.services.update(s.lower() for s in block.service)
    names.federated.update(block.federated)
    return names


def policy_names(policy: PolicyDocument | None, actions: Iterable[str]) -> Names:
    """Everyone the Allow statements of a trust or resource policy reaching `actions` name."""
    out = Names()
    wanted = tuple(a.lower() for a in actions)
    for stmt in (policy.statements if policy else ()):
        if stmt.effect == "Allow" and (not wanted or reaches(stmt, wanted)):
            out.merge(statement_names(stmt))
    return out


def widened(pattern: str) -> str:
    return _VARIABLE.sub("*", pattern)


class Patterns:
    """The Resource patterns of identity Allow statements reaching one action, by caller."""

    def __init__(self) -> None:
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.by_account: dict[str, list[tuple[Matcher, str]]] = defaultdict(list)
        self.anywhere: list[tuple[Matcher, str]] = []
        self.everything: set[str] = set()

    def add(self, caller: str, pattern: str) -> None:
        pattern = widened(pattern)
        if pattern == "*":
            self.everything.add(caller)
            return
        if not has_wildcard(pattern):
            self.exact[pattern].add(caller)
            return
        parts = pattern.split(":", 5)
        account = parts[4] if len(parts) == 6 else "*"
        entry = (compile_glob(pattern), caller)
        if has_wildcard(account) or not account:
            self.anywhere.append(entry)
        else:
            self.by_account[account].append(entry)

    def callers_for(self, arn: str, account: str) -> set[str]:
        out = set(self.everything) | self.exact.get(arn, set())
        for matcher, caller in (*self.by_account.get(account, ()), *self.anywhere):
            if caller not in out and matcher(arn):
                out.add(caller)
        return out


def identity_patterns(callers: Iterable[tuple[str, str, Iterable[PolicyDocument]]],
                      action: str) -> dict[str, Patterns]:
    """Per caller account, the patterns of the Allow statements reaching `action`."""
    out: dict[str, Patterns] = defaultdict(Patterns)
    for caller, account, policies in callers:
        for policy in policies:
            for stmt in policy.statements:
                if stmt.effect != "Allow" or not reaches(stmt, (action,)):
                    continue
                for pattern in stmt.resource if stmt.resource is not None else ("*",):
                    out[account].add(caller, pattern)
    return out


def world_accounts(world: World) -> frozenset[str]:
    found = set(world.accounts)
    arns = [*(u.arn for u in world.users), *(r.arn for r in world.roles),
            *(p.arn for p in world.oidc_providers)]
    found.update(arn.split(":")[4] for arn in arns)
    found.update(b.account for b in world.buckets)
    return frozenset(found)


class CandidateIndex:
    """Principal nodes of a world and the candidate (caller, role) pairs, before any
    decision. Building reads every policy once; it never calls `decide`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.accounts = world_accounts(world)
        self.nodes: dict[str, GraphNode] = {}
        self.by_account: dict[str, list[str]] = defaultdict(list)
        self.ids: dict[str, str] = {}
        self.account_of: dict[str, str] = {}
        for user in world.users:
            self._principal(user.arn, NodeKind.user, user.id)
        for role in world.roles:
            self._principal(role.arn, NodeKind.role, role.id)
        for provider in world.oidc_providers:
            self.nodes[provider.arn] = GraphNode(id=provider.arn, kind=NodeKind.web_identity,
                                                 account=provider.account, label=provider.url)
        callers = [(u.arn, self.account_of[u.arn], u.policies) for u in world.users] + \
                  [(r.arn, self.account_of[r.arn], r.policies) for r in world.roles]
        self.profile_of = {p.role: p.arn for p in reversed(world.instance_profiles)}
        self.assume = identity_patterns(callers, "sts:assumerole")
        self.passrole = identity_patterns(callers, "iam:passrole")
        self.callers_of: dict[str, tuple[str, ...]] = {}
        self.passers_of: dict[str, tuple[tuple[str, str], ...]] = {}
        self.assumable_by: dict[str, list[str]] = defaultdict(list)
        self.passable_by: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for role in world.roles:
            account = self.account_of[role.arn]
            names = policy_names(role.trust, ASSUME_ACTIONS)
            callers_of = tuple(sorted(self._callers(role.arn, account, names)))
            self.callers_of[role.arn] = callers_of
            for caller in callers_of:
                self.assumable_by[caller].append(role.arn)
            passers = self.passrole.get(account)
            pairs = tuple((p, s) for s in sorted(names.services)
                          for p in sorted(passers.callers_for(role.arn, account)
                                          if passers else ()))
            self.passers_of[role.arn] = pairs
            for passer, service in pairs:
                self.passable_by[passer].append((role.arn, service))

    def _principal(self, arn: str, kind: NodeKind, uid: str | None) -> None:
        account = self.account_of[arn] = arn.split(":")[4]
        self.nodes[arn] = GraphNode(id=arn, kind=kind, account=account,
                                    label=arn.rsplit("/", 1)[-1])
        self.by_account[account].append(arn)
        if uid:
            self.ids[uid] = arn

    def external(self, value: str) -> str | None:
        """The node for a principal ARN or account id absent from the world (created on
        first sight), or None when it belongs to a described account but does not exist."""
        account = value if value.isdigit() else value.split(":")[4] if value.count(":") >= 5 \
            else ""
        if not account or account in self.accounts:
            return None
        if value.isdigit() or value.endswith(":root"):
            node = GraphNode(id=account_root(account), kind=NodeKind.external_account,
                             account=account, label=f"account {account}")
        else:
            node = GraphNode(id=value, kind=NodeKind.external_principal, account=account,
                             label=value.rsplit("/", 1)[-1])
        return self.nodes.setdefault(node.id, node).id

    def special(self, node_id: str, kind: NodeKind) -> str:
        if node_id not in self.nodes:
            label = "anyone" if kind is NodeKind.everyone else node_id
            self.nodes[node_id] = GraphNode(id=node_id, kind=kind, label=label)
        return node_id

    def _in_account(self, account: str, arn: str) -> set[str]:
        patterns = self.assume.get(account)
        return patterns.callers_for(arn, self._account_of(arn)) if patterns else set()

    @staticmethod
    def _account_of(arn: str) -> str:
        parts = arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    def _callers(self, arn: str, account: str, names: Names) -> set[str]:
        out: set[str] = set()
        for value in names.arns:
            if value in self.nodes and self.nodes[value].kind in (NodeKind.user, NodeKind.role):
                out.add(value)
            elif (ext := self.external(value)) is not None:
                out.add(ext)
        out.update(self.ids[i] for i in names.ids if i in self.ids)
        for acct in names.accounts:
            if acct in self.accounts:
                out |= self._in_account(acct, arn)
            elif (ext := self.external(acct)) is not None:
                out.add(ext)
        if names.everyone:
            out.update(self.by_account.get(account, ()))
            for patterns in self.assume.values():
                out |= patterns.callers_for(arn, account)
            out.add(self.special(EVERYONE, NodeKind.everyone))
        for acct in names.everyone_accounts:
            if acct == account:
                out.update(self.by_account.get(acct, ()))
            elif acct in self.accounts:
                out |= self._in_account(acct, arn)
            elif (ext := self.external(acct)) is not None:
                out.add(ext)
        for pattern in names.arn_patterns:
            out.update(self.matching_principals(pattern))
        out.update(self.special(s, NodeKind.service) for s in names.services)
        out.update(f for f in names.federated if f in self.nodes)
        return out

    def matching_principals(self, pattern: str) -> Iterator[str]:
        """World principals an aws:PrincipalArn pattern names, or its external node."""
        account = self._account_of(pattern)
        if account and not has_wildcard(account) and account not in self.accounts:
            ext = self.external(pattern if not has_wildcard(pattern) else account)
            if ext is not None:
                yield ext
            return
        matcher = compile_glob(widened(pattern))
        pool = self.by_account.get(account, ()) if account and not has_wildcard(account) \
            else [n for arns in self.by_account.values() for n in arns]
        yield from (arn for arn in pool if matcher(arn))

    def candidate_pairs(self) -> int:
        return sum(len(v) for v in self.callers_of.values()) + \
            sum(len(v) for v in self.passers_of.values())
