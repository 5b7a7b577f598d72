"""Which statements of ONE policy apply to this request, and why not the others?

A statement applies when its Effect is Allow/Deny and every element matches: Action (or
NotAction does not), Resource (or NotResource does not; trust policies have none), Principal
(or NotPrincipal does not) in resource-based policies, and every condition holds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html

Speed: each policy is indexed once by service prefix and the statements an action can
reach are cached per action; a statement is compiled when an action first makes it a
candidate. Identical Resource elements and conditions are compiled once and shared. A
plain evaluation stops at the first failing element and builds no result models: it
returns a `Verdict` (one shared by every request a policy does not apply to). A traced one
records every element of every statement; identical checks are shared. Pure checks are
memoized: plain Resource patterns per resource (after a test of their literal heads), the
principal check per caller, a condition without policy variables per request value.
Evaluation-time problems (a variable that resolves to nothing, a multi-valued key under a
plain operator) are diagnostics, never exceptions: the element fails and the note says why.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache

from .conditions import parse_operator
from .fastmodel import constructor
from .matching import (
    action_matcher,
    not_principal_excludes,
    principal_grants,
    resource_matcher,
    resource_matches,
    strongest,
)
from .policy import PolicyDocument, PolicyKind, Statement
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
from .variables import QMARK, STAR, Unresolved, has_variables, substitute
from .wildcard import Matcher, literal_prefix

_MEMO_LIMIT = 1024  # entries per memo before it starts over
_new_ref = constructor(StatementRef, "policy", "kind", "index", "sid", "effect")
_new_check = constructor(ElementCheck, "element", "matched", "reason", "policy_values",
                         "request_value")
_new_conditions_check = constructor(ElementCheck, "element", "matched", "reason", "conditions")
_new_condition_check = constructor(ConditionCheck, "operator", "key", "policy_values",
                                   "request_values", "holds")
_new_statement_result = constructor(StatementResult, "ref", "applies", "failed", "checks",
                                    "grant")
_new_policy_result = constructor(PolicyResult, "name", "kind", "decision", "allows", "denies",
                                 "grant", "statements", "not_traced")


class Evaluation:
    """The request as every policy sees it: lower-cased action, the full context, and the
    notes gathered while evaluating (missing keys, diagnostics). `caller` identifies the
    caller for the memoized principal checks."""

    __slots__ = ("request", "context", "action", "resource", "missing", "notes", "caller")

    def __init__(self, request: Request, context: dict[str, ContextValues]) -> None:
        self.request = request
        self.context = context
        self.action = request.action.lower()
        self.resource = request.resource
        # lower-cased key -> the key as first written (condition keys are case-insensitive)
        self.missing: dict[str, str] = {}
        self.notes: list[str] = []
        self.caller: tuple[Hashable, ...] = (*request.principal.__dict__.values(),
                                             request.principal_id)


class Verdict:
    """One policy's verdict, as the decision steps read it: a PolicyResult's summary, and
    the PolicyResult itself when the evaluation was traced."""

    __slots__ = ("name", "kind", "decision", "allows", "denies", "grant", "result")

    def __init__(self, name: str, kind: PolicyKind, decision: Decision,
                 allows: tuple[StatementRef, ...] = (), denies: tuple[StatementRef, ...] = (),
                 grant: Grant | None = None, result: PolicyResult | None = None) -> None:
        self.name = name
        self.kind = kind
        self.decision = decision
        self.allows = allows
        self.denies = denies
        self.grant = grant
        self.result = result


class _Cond:
    """One condition, compiled; shared by every statement that has the same one."""

    __slots__ = ("operator", "key", "name", "values", "variables", "plain", "memo")

    def __init__(self, operator: str, key: str, values: tuple[str, ...],
                 variables: bool) -> None:
        self.operator = parse_operator(operator)
        self.key = key.lower()  # context lookups: condition keys are case-insensitive
        self.name = key  # as the policy wrote it, for explanations
        self.values = values
        self.variables = (variables and self.operator.base.variables
                          and any(has_variables(v) for v in values))
        self.plain = self.operator.qualifier is None and not self.operator.is_null
        # without variables the outcome depends on the request's values only
        self.memo: dict[ContextValues | None, bool] | None = None if self.variables else {}

    def holds(self, ev: Evaluation, request_values: ContextValues | None) -> bool:
        memo = self.memo
        if memo is None:
            return self.operator.holds(_condition_values(self, ev), request_values)
        try:
            held = memo.get(request_values)
        except TypeError:  # not a tuple: a context a caller built without validation
            return self.operator.holds(self.values, request_values)
        if held is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            held = memo[request_values] = self.operator.holds(self.values, request_values)
        return held


_compiled_condition = lru_cache(maxsize=16384)(_Cond)


class _Resources:
    """A Resource/NotResource element's patterns, compiled; shared by every statement that
    has the same ones. Each pattern comes with its matcher (None when its variables must be
    substituted first). When all are plain, `prefixes` holds their literal heads (a value
    that starts with none of them matches none of them; a pattern holding a sentinel is
    left to its matcher) and `memo` remembers the answer per value."""

    __slots__ = ("matchers", "prefixes", "memo")

    def __init__(self, patterns: tuple[str, ...], variables: bool) -> None:
        self.matchers = tuple((p, None if variables and has_variables(p)
                               else resource_matcher(p)) for p in patterns)
        static = all(m is not None and STAR not in p and QMARK not in p
                     for p, m in self.matchers)
        self.prefixes = tuple(literal_prefix(p) for p in patterns) if static else None
        self.memo: dict[str, bool] | None = {} if static else None


_compiled_resources = lru_cache(maxsize=16384)(_Resources)


class CompiledStatement:
    """One statement, compiled in two stages: its Action matchers when an action's
    candidates are sorted out, the rest when a request first reaches it."""

    __slots__ = ("policy", "stmt", "variables", "allow", "negate_action", "actions", "_ref",
                 "ready", "resources", "resource_patterns", "negate_resource", "resource_free",
                 "prefixes", "conds", "principals", "principal_values", "principal_memo")

    def __init__(self, policy: PolicyDocument, stmt: Statement, variables: bool) -> None:
        self.policy = policy
        self.stmt = stmt
        self.variables = variables  # the policy's Version substitutes policy variables
        self.allow = stmt.effect == "Allow"
        self.negate_action = stmt.action is None
        self.actions: tuple[Matcher, ...] | None = None
        self._ref: StatementRef | None = None
        self.ready = False

    @property
    def ref(self) -> StatementRef:
        if self._ref is None:
            stmt = self.stmt
            self._ref = _new_ref(policy=self.policy.name, kind=self.policy.kind,
                                 index=stmt.index, sid=stmt.sid, effect=stmt.effect)
        return self._ref

    def action_matches(self, action: str) -> bool:
        """Does the Action element match `action` (lower-cased), or NotAction not?"""
        if self.actions is None:
            stmt = self.stmt
            patterns = stmt.action if stmt.action is not None else stmt.not_action or ()
            self.actions = tuple(action_matcher(p) for p in patterns)
        for matcher in self.actions:
            if matcher(action):
                return not self.negate_action
        return self.negate_action

    def prepare(self) -> None:
        stmt = self.stmt
        variables = self.variables
        raw = stmt.resource if stmt.resource is not None else stmt.not_resource
        self.resource_patterns = raw or ()
        self.resources = _compiled_resources(self.resource_patterns, variables)
        self.prefixes = self.resources.prefixes
        self.negate_resource = stmt.resource is None
        # no Resource element (trust policy), or one whose first pattern is "*"
        self.resource_free = raw is None or (stmt.resource is not None and raw[0] == "*")
        self.conds = tuple(_compiled_condition(c.operator, c.key, c.values, variables)
                           for c in stmt.conditions)
        block = stmt.principal or stmt.not_principal
        self.principals = block is not None
        self.principal_values = tuple(block.values()) if block is not None else ()
        self.principal_memo: dict[tuple[Hashable, ...], tuple[bool, Grant | None]] = {}
        self.ready = True

    def resource_matches(self, ev: Evaluation, unresolved: list[str] | None = None) -> bool:
        """Does a Resource pattern match (or no NotResource pattern)? Trust policies: yes."""
        if self.resource_free:
            return True
        value = ev.request.resource
        if self.prefixes is not None and not value.startswith(self.prefixes):
            return self.negate_resource
        memo = self.resources.memo
        if memo is not None:
            matched = memo.get(value)
            if matched is None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                matched = memo[value] = any(m(value) for _, m in self.resources.matchers
                                            if m is not None)
            return matched is not self.negate_resource
        matched = False
        for raw, matcher in self.resources.matchers:
            if matcher is not None:
                hit = matcher(value)
            else:
                try:
                    hit = resource_matches(substitute(raw, ev.context, wildcards=True), value)
                except Unresolved as exc:
                    if unresolved is None:
                        ev.missing.setdefault(exc.key.lower(), exc.key)
                    else:  # the caller records it when the statement is relevant
                        unresolved.append(exc.key)
                    hit = False  # a variable with no value makes the pattern match nothing
            if hit:
                matched = True
                break
        return matched is not self.negate_resource

    def principal_check(self, ev: Evaluation) -> tuple[bool, Grant | None]:
        if not self.principals:
            return True, None
        memo = self.principal_memo
        hit = memo.get(ev.caller)
        if hit is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            hit = memo[ev.caller] = _principal_check(self.stmt, ev.request)
        return hit

    def note_condition_key(self, cond: _Cond, ev: Evaluation,
                           relevant: bool = True) -> ContextValues | None:
        """The request's values for the condition's key; records a missing key (when the
        statement is `relevant`: its Action matches), and a multi-valued key under a plain
        operator."""
        request_values = ev.context.get(cond.key)
        if request_values is None:
            if relevant:
                ev.missing.setdefault(cond.key, cond.name)
        elif cond.plain and len(request_values) > 1:
            ev.notes.append(f"{self.ref}: plain operator {cond.operator.text} given the "
                            f"multi-valued key {cond.name}; AWS leaves this undefined")
        return request_values


def _principal_check(stmt: Statement, request: Request) -> tuple[bool, Grant | None]:
    caller = request.principal
    pid = request.principal_id
    if stmt.principal is not None:
        grant = strongest(principal_grants(stmt.principal, caller, pid))
        return grant is not None, grant
    if stmt.not_principal is not None:
        if not_principal_excludes(stmt.not_principal, caller, pid):
            return False, None
        return True, Grant.principal
    return True, None


class PolicyIndex:
    """A policy indexed by service prefix, with a per-action cache of reachable statements.
    Statements are compiled when an action first makes them candidates (or a traced
    evaluation needs them all)."""

    __slots__ = ("policy", "variables", "compiled", "by_service", "always", "cache", "empty")

    def __init__(self, policy: PolicyDocument) -> None:
        self.policy = policy
        self.variables = policy.variables_enabled
        self.compiled: list[CompiledStatement | None] = [None] * len(policy.statements)
        self.by_service: dict[str, list[int]] = {}  # positions of statements, in order
        self.always: list[int] = []
        for position, stmt in enumerate(policy.statements):
            actions = stmt.action
            if actions is None or "*" in actions:
                self.always.append(position)
            elif len(actions) == 1:
                self.by_service.setdefault(actions[0].partition(":")[0].lower(),
                                           []).append(position)
            else:
                for service in {a.partition(":")[0].lower() for a in actions}:
                    self.by_service.setdefault(service, []).append(position)
        self.cache: dict[str, tuple[CompiledStatement, ...]] = {}
        self.empty = Verdict(policy.name, policy.kind, Decision.implicit_deny)

    def statement(self, position: int) -> CompiledStatement:
        c = self.compiled[position]
        if c is None:
            c = self.compiled[position] = CompiledStatement(
                self.policy, self.policy.statements[position], self.variables)
        return c

    def every(self) -> list[CompiledStatement]:
        """Every statement, compiled, in order."""
        return [self.statement(p) for p in range(len(self.compiled))]

    def reachable(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element matches `action` (lower-cased)."""
        hit = self.cache.get(action)
        if hit is None:
            service = action.partition(":")[0]
            pool = sorted(self.by_service.get(service, []) + self.always)
            hit = tuple(c for c in map(self.statement, pool) if c.action_matches(action))
            for c in hit:
                if not c.ready:
                    c.prepare()
            self.cache[action] = hit
        return hit


def policy_index(policy: PolicyDocument) -> PolicyIndex:
    """The policy's index, built on first use and kept beside its frozen fields."""
    private = policy.__pydantic_private__
    assert private is not None
    index = private["_compiled"]
    if index is None:
        index = private["_compiled"] = PolicyIndex(policy)
    assert isinstance(index, PolicyIndex)
    return index


def _condition_values(cond: _Cond, ev: Evaluation) -> list[str | None]:
    if not cond.variables:
        return list(cond.values)
    out: list[str | None] = []
    for v in cond.values:
        try:
            out.append(substitute(v, ev.context, wildcards=cond.operator.base.wildcards))
        except Unresolved as exc:
            ev.missing.setdefault(exc.key.lower(), exc.key)
            out.append(None)  # resolves to nothing: matches no request value
    return out


def plain_verdicts(reached: Sequence[tuple[int, CompiledStatement]], verdicts: list[Verdict],
                   ev: Evaluation) -> None:
    """Plain evaluation of the statements an action reaches, given as (position, statement)
    in evaluation order: `verdicts[position]` (the policy's shared verdict for "nothing
    applies") is replaced for each policy where a statement applies. Each statement stops
    at its first failing element: Resource, Principal, then the conditions in order."""
    resource, context, missing = ev.resource, ev.context, ev.missing
    current = -1
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    grants: list[Grant] = []
    for position, c in reached:
        if position != current:
            if allows or denies:
                verdicts[current] = _verdict(verdicts[current], allows, denies, grants)
                allows, denies, grants = [], [], []
            current = position
        if not c.resource_free:
            prefixes = c.prefixes
            if prefixes is not None and not resource.startswith(prefixes):
                if not c.negate_resource:
                    continue  # no pattern can match
            elif not c.resource_matches(ev):
                continue
        grant = None
        if c.principals:
            principal_ok, grant = c.principal_check(ev)
            if not principal_ok:
                continue
        held: bool | None = True
        for cond in c.conds:  # conditions_hold, inlined: most are a memo lookup
            request_values = context.get(cond.key)
            if request_values is None:
                missing.setdefault(cond.key, cond.name)
            elif cond.plain and len(request_values) > 1:
                c.note_condition_key(cond, ev)
            memo = cond.memo
            try:
                held = memo.get(request_values) if memo is not None else None
            except TypeError:  # (see _Cond.holds)
                held = None
            if held is None:
                held = cond.holds(ev, request_values)
            if not held:
                break
        if not held:
            continue
        if c.allow:
            allows.append(c.ref)
            if grant:
                grants.append(grant)
        else:
            denies.append(c.ref)
    if allows or denies:
        verdicts[current] = _verdict(verdicts[current], allows, denies, grants)


def _verdict(empty: Verdict, allows: list[StatementRef], denies: list[StatementRef],
             grants: list[Grant]) -> Verdict:
    decision = Decision.explicit_deny if denies else Decision.allow
    return Verdict(empty.name, empty.kind, decision, tuple(allows), tuple(denies),
                   strongest(grants) if grants else None)


# Traced results are mostly the same few checks again (an Action that does not match,
# Resource "*", the same condition on the same value): identical checks are shared.
_INTERN_LIMIT = 1 << 16
_CHECKS: dict[tuple[object, ...], ElementCheck] = {}
_CONDITION_CHECKS: dict[tuple[object, ...], ConditionCheck] = {}


def _element_check(element: str, matched: bool, reason: str, policy_values: tuple[str, ...],
                   request_value: str) -> ElementCheck:
    key = (element, matched, reason, policy_values, request_value)
    check = _CHECKS.get(key)
    if check is None:
        if len(_CHECKS) >= _INTERN_LIMIT:
            _CHECKS.clear()
        check = _CHECKS[key] = _new_check(element=element, matched=matched, reason=reason,
                                          policy_values=policy_values,
                                          request_value=request_value)
    return check


def _condition_check(cond: _Cond, request_values: ContextValues | None,
                     holds: bool) -> ConditionCheck:
    key = (cond.operator.text, cond.name, cond.values, request_values, holds)
    try:
        check = _CONDITION_CHECKS.get(key)
    except TypeError:  # (see _Cond.holds)
        return _new_condition_check(operator=cond.operator.text, key=cond.name,
                                    policy_values=cond.values, request_values=request_values,
                                    holds=holds)
    if check is None:
        if len(_CONDITION_CHECKS) >= _INTERN_LIMIT:
            _CONDITION_CHECKS.clear()
        check = _CONDITION_CHECKS[key] = _new_condition_check(
            operator=cond.operator.text, key=cond.name, policy_values=cond.values,
            request_values=request_values, holds=holds)
    return check


def _conditions_check(held: bool, conditions: tuple[ConditionCheck, ...]) -> ElementCheck:
    # keyed by identity: the cached check holds its conditions, so their ids stay theirs
    key = ("Condition", held, *map(id, conditions))
    check = _CHECKS.get(key)
    if check is None:
        if len(_CHECKS) >= _INTERN_LIMIT:
            _CHECKS.clear()
        check = _CHECKS[key] = _new_conditions_check(
            element="Condition", matched=held,
            reason="matched" if held else "condition_failed", conditions=conditions)
    return check


def _traced_statement(c: CompiledStatement, ev: Evaluation, action_ok: bool) -> StatementResult:
    """Every element of one statement compared with the request."""
    if not c.ready:
        c.prepare()
    stmt = c.stmt
    failed: ElementCheck | None = None
    element = "Action" if stmt.action is not None else "NotAction"
    values = stmt.action if stmt.action is not None else stmt.not_action or ()
    check = _element_check(element, action_ok, "matched" if action_ok else "action_mismatch",
                           values, ev.request.action)
    checks = [check]
    if not action_ok:
        failed = check
    if stmt.resource is not None or stmt.not_resource is not None:
        unresolved: list[str] = []
        ok = c.resource_matches(ev, unresolved)
        if action_ok:
            for key in unresolved:
                ev.missing.setdefault(key.lower(), key)
        positive = stmt.resource is not None
        reason = "matched" if ok else (
            "unresolved_variable" if unresolved and positive else
            "resource_mismatch" if positive else "resource_excluded")
        check = _element_check("Resource" if positive else "NotResource", ok, reason,
                               c.resource_patterns, ev.resource)
        checks.append(check)
        if not ok and failed is None:
            failed = check
    principal_ok, grant = c.principal_check(ev)
    if c.principals:
        check = _element_check("Principal" if stmt.principal else "NotPrincipal",
                               principal_ok,
                               "matched" if principal_ok else (
                                   "principal_mismatch" if stmt.principal
                                   else "not_principal_excludes_caller"),
                               c.principal_values, ev.request.principal.arn)
        checks.append(check)
        if not principal_ok and failed is None:
            failed = check
    if c.conds:
        held = True
        cond_checks = []
        for cond in c.conds:
            request_values = c.note_condition_key(cond, ev, action_ok)
            holds = cond.holds(ev, request_values)
            cond_checks.append(_condition_check(cond, request_values, holds))
            held = held and holds
        check = _conditions_check(held, tuple(cond_checks))
        checks.append(check)
        if not held and failed is None:
            failed = check
    return _new_statement_result(ref=c.ref, applies=failed is None, failed=failed,
                                 checks=tuple(checks),
                                 grant=grant if failed is None else None)


def traced_verdict(index: PolicyIndex, ev: Evaluation, action: str, *,
                   every: bool = False) -> Verdict:
    """The verdict of a traced evaluation, with the result of each statement the action
    reaches in `result` (of every statement, with `every`)."""
    reached = index.reachable(action)
    if every:
        reachable = {id(c) for c in reached}
        traced = [(c, id(c) in reachable) for c in index.every()]
    else:
        traced = [(c, True) for c in reached]
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    grants: list[Grant] = []
    results = []
    for c, action_ok in traced:
        r = _traced_statement(c, ev, action_ok)
        results.append(r)
        if r.applies:
            if c.allow:
                allows.append(c.ref)
                if r.grant:
                    grants.append(r.grant)
            else:
                denies.append(c.ref)
    policy = index.policy
    decision = (Decision.explicit_deny if denies else
                Decision.allow if allows else Decision.implicit_deny)
    grant = strongest(grants)
    result = _new_policy_result(name=policy.name, kind=policy.kind, decision=decision,
                                allows=tuple(allows), denies=tuple(denies), grant=grant,
                                statements=tuple(results),
                                not_traced=len(index.compiled) - len(results))
    return Verdict(policy.name, policy.kind, decision, result.allows, result.denies, grant,
                   result)


def evaluate_policy(policy: PolicyDocument, ev: Evaluation, *, trace: bool = False,
                    trace_all: bool = False, action: str | None = None) -> PolicyResult:
    """Evaluate one policy. `action` overrides the request's action (trust policies are
    asked about the STS action even when the caller's request names another). `trace`
    records the statements the action reaches, `trace_all` every statement."""
    index = policy_index(policy)
    wanted = (action or ev.action).lower()
    if trace or trace_all:
        verdict = traced_verdict(index, ev, wanted, every=trace_all)
        assert verdict.result is not None
        return verdict.result
    verdicts = [index.empty]
    plain_verdicts([(0, c) for c in index.reachable(wanted)], verdicts, ev)
    v = verdicts[0]
    return PolicyResult(name=v.name, kind=v.kind, decision=v.decision, allows=v.allows,
                        denies=v.denies, grant=v.grant, statements=())

