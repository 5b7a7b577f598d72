"""Which statements of ONE policy apply to this request, and why not the others?

A statement applies when its Effect is Allow/Deny and every element matches: Action (or
NotAction does not), Resource (or NotResource does not; trust policies have none), Principal
(or NotPrincipal does not) in resource-based policies, and every condition holds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html

Speed: each policy is compiled once (patterns, operators) and indexed by service prefix; the
statements an action can reach are cached per action. A plain evaluation stops at the first
failing element; a traced one records every element of every statement.
Evaluation-time problems (a variable that resolves to nothing, a multi-valued key under a
plain operator) are diagnostics, never exceptions: the element fails and the note says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .conditions import Operator, parse_operator
from .matching import (
    action_matcher,
    not_principal_excludes,
    principal_grants,
    resource_matcher,
    resource_matches,
    strongest,
)
from .policy import PolicyDocument, Statement
from .request import ContextValues, Request
from .results import (
    ConditionCheck,
    Decision,
    ElementCheck,
    Grant,
    PolicyResult,
    StatementRef,
    StatementResult,
)
from .variables import Unresolved, has_variables, referenced_keys, substitute
from .wildcard import Matcher


@dataclass
class Evaluation:
    """The request as every policy sees it: lower-cased action, the full context, and the
    notes gathered while evaluating (missing keys, diagnostics)."""

    request: Request
    context: dict[str, ContextValues]
    action: str = ""
    missing: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.action = self.request.action.lower()


@dataclass
class _Cond:
    operator: Operator
    key: str
    values: tuple[str, ...]
    variables: bool


class _Compiled:
    __slots__ = ("stmt", "ref", "actions", "resources", "conds", "allow")

    def __init__(self, policy: PolicyDocument, stmt: Statement) -> None:
        self.stmt = stmt
        self.allow = stmt.effect == "Allow"
        self.ref = StatementRef(policy=policy.name, kind=policy.kind, index=stmt.index,
                                sid=stmt.sid, effect=stmt.effect)
        patterns = stmt.action if stmt.action is not None else stmt.not_action or ()
        self.actions: tuple[Matcher, ...] = tuple(action_matcher(p) for p in patterns)
        variables = policy.variables_enabled
        raw = stmt.resource if stmt.resource is not None else stmt.not_resource
        self.resources: tuple[tuple[str, Matcher | None], ...] = tuple(
            (p, None if variables and has_variables(p) else resource_matcher(p))
            for p in raw or ())
        self.conds = tuple(
            _Cond(parse_operator(c.operator), c.key.lower(), c.values,
                  variables and parse_operator(c.operator).base.variables
                  and any(has_variables(v) for v in c.values))
            for c in stmt.conditions)


class _Index:
    """A policy compiled and indexed by service prefix, with a per-action cache."""

    __slots__ = ("compiled", "by_service", "always", "cache")

    def __init__(self, policy: PolicyDocument) -> None:
        self.compiled = [_Compiled(policy, s) for s in policy.statements]
        self.by_service: dict[str, list[_Compiled]] = {}
        self.always: list[_Compiled] = []
        for c in self.compiled:
            if c.stmt.action is None or "*" in c.stmt.action:
                self.always.append(c)
                continue
            for service in {a.partition(":")[0].lower() for a in c.stmt.action}:
                self.by_service.setdefault(service, []).append(c)
        self.cache: dict[str, tuple[_Compiled, ...]] = {}

    def reachable(self, action: str) -> tuple[_Compiled, ...]:
        """Statements whose Action/NotAction element matches `action` (lower-cased)."""
        hit = self.cache.get(action)
        if hit is None:
            service = action.partition(":")[0]
            pool = self.by_service.get(service, []) + self.always
            pool.sort(key=lambda c: c.stmt.index)
            hit = tuple(c for c in pool if _action_matches(c, action))
            self.cache[action] = hit
        return hit


def _action_matches(c: _Compiled, action: str) -> bool:
    matched = any(m(action) for m in c.actions)
    return matched if c.stmt.action is not None else not matched


def _index(policy: PolicyDocument) -> _Index:
    index = policy._compiled
    if index is None:
        index = _Index(policy)
        policy._compiled = index  # a private cache beside the frozen fields
    assert isinstance(index, _Index)
    return index


def _resource_check(c: _Compiled, ev: Evaluation, policy: PolicyDocument,
                    trace: bool) -> ElementCheck | bool:
    stmt = c.stmt
    if stmt.resource is None and stmt.not_resource is None:
        return True  # trust policy: the role is the resource
    value = ev.request.resource
    matched = False
    unresolved: list[str] = []
    for raw, matcher in c.resources:
        if matcher is not None:
            hit = matcher(value)
        else:
            try:
                hit = resource_matches(substitute(raw, ev.context, wildcards=True), value)
            except Unresolved as exc:
                ev.missing.add(exc.key)
                unresolved.append(exc.key)
                hit = False  # a variable with no value makes the pattern match nothing
        if hit:
            matched = True
            break
    ok = matched if stmt.resource is not None else not matched
    if not trace:
        return ok
    element = "Resource" if stmt.resource is not None else "NotResource"
    reason = "matched" if ok else (
        "unresolved_variable" if unresolved and stmt.resource is not None else
        "resource_mismatch" if stmt.resource is not None else "resource_excluded")
    return ElementCheck(element=element, matched=ok, reason=reason,
                        policy_values=tuple(r for r, _ in c.resources), request_value=value)


def _condition_values(cond: _Cond, ev: Evaluation) -> list[str | None]:
    if not cond.variables:
        return list(cond.values)
    out: list[str | None] = []
    for v in cond.values:
        try:
            out.append(substitute(v, ev.context, wildcards=cond.operator.base.wildcards))
        except Unresolved as exc:
            ev.missing.add(exc.key)
            out.append(None)  # resolves to nothing: matches no request value
    return out


def _conditions_hold(c: _Compiled, ev: Evaluation,
                     trace: bool) -> tuple[bool, tuple[ConditionCheck, ...]]:
    checks = []
    ok = True
    for cond in c.conds:
        request_values = ev.context.get(cond.key)
        if request_values is None:
            ev.missing.add(cond.key)
        elif (len(request_values) > 1 and cond.operator.qualifier is None
              and not cond.operator.is_null):
            ev.notes.append(f"{c.ref}: plain operator {cond.operator.text} given the "
                            f"multi-valued key {cond.key}; AWS leaves this undefined")
        holds = cond.operator.holds(_condition_values(cond, ev), request_values)
        if trace:
            checks.append(ConditionCheck(operator=cond.operator.text, key=cond.key,
                                         policy_values=cond.values,
                                         request_values=request_values, holds=holds))
        if not holds:
            ok = False
            if not trace:
                break
    return ok, tuple(checks)


def _principal_check(c: _Compiled, ev: Evaluation) -> tuple[bool, Grant | None]:
    stmt = c.stmt
    caller = ev.request.principal
    pid = ev.request.principal_id
    if stmt.principal is not None:
        grant = strongest(principal_grants(stmt.principal, caller, pid))
        return grant is not None, grant
    if stmt.not_principal is not None:
        if not_principal_excludes(stmt.not_principal, caller, pid):
            return False, None
        return True, Grant.principal
    return True, None


def _statement(c: _Compiled, ev: Evaluation, policy: PolicyDocument, trace: bool,
               action_ok: bool) -> StatementResult | tuple[bool, Grant | None]:
    """Plain: (applies, grant). Traced: a StatementResult with every element's check."""
    stmt = c.stmt
    checks: list[ElementCheck] = []
    failed: ElementCheck | None = None
    if trace:
        element = "Action" if stmt.action is not None else "NotAction"
        values = stmt.action if stmt.action is not None else stmt.not_action or ()
        checks.append(ElementCheck(element=element, matched=action_ok,
                                   reason="matched" if action_ok else "action_mismatch",
                                   policy_values=values, request_value=ev.request.action))
        if not action_ok:
            failed = checks[-1]
    elif not action_ok:
        return False, None
    resource = _resource_check(c, ev, policy, trace)
    if isinstance(resource, ElementCheck):
        if stmt.resource is not None or stmt.not_resource is not None:
            checks.append(resource)
        if not resource.matched and failed is None:
            failed = resource
    elif not resource:
        return False, None
    principal_ok, grant = _principal_check(c, ev)
    if trace and (stmt.principal is not None or stmt.not_principal is not None):
        block = stmt.principal or stmt.not_principal
        assert block is not None
        check = ElementCheck(element="Principal" if stmt.principal else "NotPrincipal",
                             matched=principal_ok,
                             reason="matched" if principal_ok else (
                                 "principal_mismatch" if stmt.principal
                                 else "not_principal_excludes_caller"),
                             policy_values=tuple(block.values()),
                             request_value=ev.request.principal.arn)
        checks.append(check)
        if not principal_ok and failed is None:
            failed = check
    elif not principal_ok:
        return False, None
    if c.conds and (trace or failed is None):
        held, cond_checks = _conditions_hold(c, ev, trace)
        if trace:
            check = ElementCheck(element="Condition", matched=held,
                                 reason="matched" if held else "condition_failed",
                                 conditions=cond_checks)
            checks.append(check)
            if not held and failed is None:
                failed = check
        elif not held:
            return False, None
    if not trace:
        return True, grant
    return StatementResult(ref=c.ref, applies=failed is None, failed=failed,
                           checks=tuple(checks), grant=grant if failed is None else None)


def evaluate_policy(policy: PolicyDocument, ev: Evaluation, *, trace: bool = False,
                    action: str | None = None) -> PolicyResult:
    """Evaluate one policy. `action` overrides the request's action (trust policies are
    asked about the STS action even when the caller's request names another)."""
    index = _index(policy)
    wanted = (action or ev.action).lower()
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    grants: list[Grant] = []
    results: list[StatementResult] = []
    if trace:
        reachable = {id(c) for c in index.reachable(wanted)}
        for c in index.compiled:
            r = _statement(c, ev, policy, True, id(c) in reachable)
            assert isinstance(r, StatementResult)
            results.append(r)
            if r.applies:
                (allows if c.allow else denies).append(c.ref)
                if c.allow and r.grant:
                    grants.append(r.grant)
    else:
        for c in index.reachable(wanted):
            outcome = _statement(c, ev, policy, False, True)
            assert isinstance(outcome, tuple)
            applies, grant = outcome
            if applies:
                (allows if c.allow else denies).append(c.ref)
                if c.allow and grant:
                    grants.append(grant)
    decision = (Decision.explicit_deny if denies else
                Decision.allow if allows else Decision.implicit_deny)
    return PolicyResult(name=policy.name, kind=policy.kind, decision=decision,
                        allows=tuple(allows), denies=tuple(denies), grant=strongest(grants),
                        statements=tuple(results))


def referenced_context_keys(policies: Sequence[PolicyDocument]) -> set[str]:
    """Every context key the policies' conditions and variables read (lower-cased)."""
    keys: set[str] = set()
    for p in policies:
        for s in p.statements:
            for c in s.conditions:
                keys.add(c.key.lower())
                for v in c.values:
                    keys.update(referenced_keys(v))
            for r in (s.resource or s.not_resource or ()):
                keys.update(referenced_keys(r))
    return keys
