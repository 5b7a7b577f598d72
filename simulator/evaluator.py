"""Which statements of ONE policy apply to this request, and why not the others?

A statement applies when its Effect is Allow/Deny and every element matches: Action (or
NotAction does not), Resource (or NotResource does not; trust policies have none), Principal
(or NotPrincipal does not) in resource-based policies, and every condition holds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html

Speed: each policy is indexed once by service prefix and the statements an action can
reach are cached per action; a statement is compiled when an action first makes it a
candidate. Identical Resource elements, conditions and checks (everything a statement
checks but its Action) are compiled once and shared. A plain evaluation (`Reach`,
`plain_verdicts`) makes each distinct check once per request, skips those with nothing to
check, stops each at its first failing element, and builds no result models: the verdicts
(`Verdict`, shared by every request with the same outcomes) are memoized per plan and
outcome of its checks. A traced one records every element of every statement; identical
result models are shared. Pure checks are memoized: plain Resource patterns per resource
(after a test of their literal heads), patterns with policy variables filled in per values
of the keys they read, the principal check per caller, a condition per request value (and,
with policy variables, the values of the keys they read).
Evaluation-time problems (a variable that resolves to nothing, a multi-valued key under a
plain operator) are diagnostics, never exceptions: the element fails and the note says why.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from functools import lru_cache

from .conditions import parse_operator
from .fastmodel import constructor
from .matching import (
    action_matcher,
    filled_resource_matcher,
    not_principal_excludes,
    principal_grants,
    resource_matcher,
    strongest,
)
from .policy import PolicyDocument, PolicyKind, PrincipalBlock, Statement
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
from .variables import QMARK, STAR, Unresolved, has_variables, referenced_keys, substitute
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

    __slots__ = ("request", "context", "action", "resource", "missing", "notes", "caller",
                 "bounded")

    def __init__(self, request: Request, context: dict[str, ContextValues],
                 caller: tuple[Hashable, ...] | None = None, bounded: bool = False) -> None:
        self.request = request
        self.context = context
        self.action = request.action.lower()
        self.resource = request.resource
        # lower-cased key -> the key as first written (condition keys are case-insensitive)
        self.missing: dict[str, str] = {}
        self.notes: list[str] = []
        # the principal's fields and id: given by request.context_and_caller, or built here
        self.caller: tuple[Hashable, ...] = caller or (*request.principal.__dict__.values(),
                                                       request.principal_id)
        # the caller has a permissions boundary (a NotPrincipal Deny then spares no one);
        # the principal checks are memoized per caller, so it is part of `caller` too
        self.bounded = bounded
        if bounded:
            self.caller = _bounded_caller(self.caller)


_BOUNDED: dict[tuple[Hashable, ...], tuple[Hashable, ...]] = {}


def _bounded_caller(caller: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
    """The memo key of a caller that has a permissions boundary (one tuple per caller)."""
    hit = _BOUNDED.get(caller)
    if hit is None:
        if len(_BOUNDED) >= 4096:
            _BOUNDED.clear()
        hit = _BOUNDED[caller] = (*caller, "permissions-boundary")
    return hit


class Verdict:
    """One policy's verdict, as the decision steps read it: a PolicyResult's summary, and
    the PolicyResult itself when the evaluation was traced. Plain verdicts are shared by
    many requests: read them, never change them."""

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
    """One condition, compiled; shared by every statement that has the same one. Its
    outcome is memoized: per request value, or, when it has policy variables, per request
    value and the values of the keys its variables read (with the keys left unresolved)."""

    __slots__ = ("operator", "key", "name", "values", "variables", "plain", "memo", "keys",
                 "variable_memo")

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
        self.keys = tuple(dict.fromkeys(k for v in values for k in referenced_keys(v))
                          if self.variables else ())
        self.variable_memo: dict[tuple[object, ...], tuple[bool, tuple[str, ...]]] = {}

    def holds(self, ev: Evaluation, request_values: ContextValues | None) -> bool:
        memo = self.memo
        if memo is None:
            return self._holds_with_variables(ev, request_values)
        try:
            held = memo.get(request_values)
        except TypeError:  # not a tuple: a context a caller built without validation
            return self.operator.holds(self.values, request_values)
        if held is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            held = memo[request_values] = self.operator.holds(self.values, request_values)
        return held

    def _holds_with_variables(self, ev: Evaluation,
                              request_values: ContextValues | None) -> bool:
        context = ev.context
        # substitution reads only these keys: with the request value they decide the outcome
        key = (request_values, *[context.get(k) for k in self.keys])
        memo: dict[tuple[object, ...], tuple[bool, tuple[str, ...]]] | None
        memo = self.variable_memo
        try:
            hit = memo.get(key)
        except TypeError:  # (see holds)
            hit = memo = None
        if hit is None:
            unresolved: list[str] = []
            hit = (self.operator.holds(_condition_values(self, context, unresolved),
                                       request_values), tuple(unresolved))
            if memo is not None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = hit
        held, unresolved_keys = hit
        for name in unresolved_keys:
            ev.missing.setdefault(name.lower(), name)
        return held


_compiled_condition = lru_cache(maxsize=16384)(_Cond)


class _Resources:
    """A Resource/NotResource element's patterns, compiled; shared by every statement that
    has the same ones. Each pattern comes with its matcher (None when its variables must be
    substituted first). When all are plain, `prefixes` holds their literal heads (a value
    that starts with none of them matches none of them; a pattern holding a sentinel is
    left to its matcher) and `memo` remembers the answer per value. Otherwise `filled`
    remembers, per values of the keys the variables read, each pattern's matcher once
    filled in (None when a variable resolves to nothing, with its key)."""

    __slots__ = ("matchers", "prefixes", "memo", "keys", "filled")

    def __init__(self, patterns: tuple[str, ...], variables: bool) -> None:
        self.matchers = tuple((p, None if variables and has_variables(p)
                               else resource_matcher(p)) for p in patterns)
        static = all(m is not None and STAR not in p and QMARK not in p
                     for p, m in self.matchers)
        self.prefixes = tuple(literal_prefix(p) for p in patterns) if static else None
        self.memo: dict[str, bool] | None = {} if static else None
        self.keys = tuple(dict.fromkeys(k for p, m in self.matchers if m is None
                                        for k in referenced_keys(p)))
        self.filled: dict[tuple[object, ...], tuple[tuple[Matcher | None, str], ...]] = {}

    def static_match(self, value: str) -> bool:
        """Does a pattern match `value` (all patterns plain)? Memoized."""
        memo = self.memo
        assert memo is not None
        matched = memo.get(value)
        if matched is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            matched = memo[value] = any(m(value) for _, m in self.matchers if m is not None)
        return matched

    def match(self, value: str, context: dict[str, ContextValues]) -> tuple[bool,
                                                                              tuple[str, ...]]:
        """Does a pattern match `value`, once its variables are filled in from `context`?
        With the keys of the variables that resolved to nothing (before the first match)."""
        if self.memo is not None:
            return self.static_match(value), ()
        # substitution reads only these keys: their values decide the filled-in patterns
        key = tuple([context.get(k) for k in self.keys])
        memo: dict[tuple[object, ...], tuple[tuple[Matcher | None, str], ...]] | None
        memo = self.filled
        try:
            filled = memo.get(key)
        except TypeError:  # (see _Cond.holds)
            filled = memo = None
        if filled is None:
            filled = tuple(self._fill(context))
            if memo is not None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = filled
        unresolved: tuple[str, ...] = ()
        for matcher, missing in filled:
            if matcher is None:
                unresolved += (missing,)
            elif matcher(value):
                return True, unresolved
        return False, unresolved

    def _fill(self, context: dict[str, ContextValues]) -> Iterator[tuple[Matcher | None, str]]:
        for raw, matcher in self.matchers:
            if matcher is not None:
                yield matcher, ""
                continue
            try:
                filled = substitute(raw, context, wildcards=True)
            except Unresolved as exc:
                yield None, exc.key  # a variable with no value makes the pattern match nothing
                continue
            yield filled_resource_matcher(filled), ""


_compiled_resources = lru_cache(maxsize=16384)(_Resources)


class _Check:
    """What a request must match in a statement besides its Action: the Resource or
    NotResource element (None: none, or `*` first), the Principal or NotPrincipal element,
    the conditions. Statements with the same ones share one (policies repeat the same
    guards), so a plain evaluation makes each distinct check once per request."""

    __slots__ = ("resources", "negate_resource", "resource_free", "prefixes", "memo",
                 "principal", "not_principal", "principals", "principal_memo", "conds",
                 "constant", "deny")

    def __init__(self, resources: _Resources | None, negate_resource: bool,
                 principal: PrincipalBlock | None, not_principal: PrincipalBlock | None,
                 conds: tuple[_Cond, ...], deny: bool = False) -> None:
        self.resources = resources
        self.negate_resource = negate_resource
        self.resource_free = resources is None
        self.prefixes = resources.prefixes if resources is not None else None
        # the plain patterns' memo (when `prefixes` is set), for the inlined lookup
        self.memo = resources.memo if resources is not None and resources.memo is not None \
            else {}
        self.principal = principal
        self.not_principal = not_principal
        self.deny = deny  # a Deny statement's NotPrincipal (only then is it set)
        self.principals = principal is not None or not_principal is not None
        self.principal_memo: dict[tuple[Hashable, ...], tuple[bool, Grant | None]] = {}
        self.conds = conds
        # applies to every request: nothing to check
        self.constant = self.resource_free and not self.principals and not conds

    def resource_matches(self, ev: Evaluation, unresolved: list[str] | None = None) -> bool:
        """Does a Resource pattern match (or no NotResource pattern)? Trust policies: yes.
        Keys of variables that resolve to nothing go to `ev.missing`, or to `unresolved`
        when given (the caller records them when the statement is relevant)."""
        resources = self.resources
        if resources is None:
            return True
        value = ev.resource
        if self.prefixes is not None and not value.startswith(self.prefixes):
            return self.negate_resource
        matched, keys = resources.match(value, ev.context)
        if unresolved is not None:
            unresolved += keys
        else:
            for key in keys:
                ev.missing.setdefault(key.lower(), key)
        return matched is not self.negate_resource

    def principal_check(self, ev: Evaluation) -> tuple[bool, Grant | None]:
        if not self.principals:
            return True, None
        memo = self.principal_memo
        hit = memo.get(ev.caller)
        if hit is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            hit = memo[ev.caller] = _principal_check(self.principal, self.not_principal,
                                                     ev.request, self.deny and ev.bounded)
        return hit


_compiled_check = lru_cache(maxsize=16384)(_Check)


class CompiledStatement:
    """One statement, compiled in two stages: its Action matchers when an action's
    candidates are sorted out, the rest (its `check`) when a request first reaches it."""

    __slots__ = ("policy", "stmt", "variables", "allow", "negate_action", "actions", "_ref",
                 "ready", "check", "resource_patterns", "conds", "principals",
                 "principal_values")

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
        # no Resource element (trust policy), or one whose first pattern is "*"
        resource_free = raw is None or (stmt.resource is not None and raw[0] == "*")
        self.conds = tuple(_compiled_condition(c.operator, c.key, c.values, variables)
                           for c in stmt.conditions)
        self.check = _compiled_check(
            None if resource_free else _compiled_resources(self.resource_patterns, variables),
            False if resource_free else stmt.resource is None,
            stmt.principal, stmt.not_principal, self.conds,
            stmt.not_principal is not None and stmt.effect == "Deny")
        block = stmt.principal or stmt.not_principal
        self.principals = block is not None
        self.principal_values = tuple(block.values()) if block is not None else ()
        self.ready = True

    def resource_matches(self, ev: Evaluation, unresolved: list[str] | None = None) -> bool:
        """Does a Resource pattern match (or no NotResource pattern)? Trust policies: yes."""
        return self.check.resource_matches(ev, unresolved)

    def principal_check(self, ev: Evaluation) -> tuple[bool, Grant | None]:
        return self.check.principal_check(ev)

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
            ev.notes.append(self.multi_valued_note(cond))
        return request_values

    def multi_valued_note(self, cond: _Cond) -> str:
        return (f"{self.ref}: plain operator {cond.operator.text} given the multi-valued "
                f"key {cond.name}; AWS leaves this undefined")


def _principal_check(principal: PrincipalBlock | None, not_principal: PrincipalBlock | None,
                     request: Request, spares_none: bool = False) -> tuple[bool, Grant | None]:
    """Does the Principal / NotPrincipal element apply to the caller, and how does it name it?
    `spares_none`: a Deny's NotPrincipal and a caller with a permissions boundary, which such
    a Deny always denies, whatever it lists:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"""
    caller = request.principal
    pid = request.principal_id
    if principal is not None:
        grant = strongest(principal_grants(principal, caller, pid))
        return grant is not None, grant
    if not_principal is not None:
        if not spares_none and not_principal_excludes(not_principal, caller, pid):
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


def _condition_values(cond: _Cond, context: dict[str, ContextValues],
                      unresolved: list[str]) -> list[str | None]:
    if not cond.variables:
        return list(cond.values)
    out: list[str | None] = []
    for v in cond.values:
        try:
            out.append(substitute(v, context, wildcards=cond.operator.base.wildcards))
        except Unresolved as exc:
            unresolved.append(exc.key)
            out.append(None)  # resolves to nothing: matches no request value
    return out


Outcome = bool | Grant  # of a check: False, True (applies), or the Grant it applies with
Verdicts = tuple[tuple[Verdict, ...], tuple[Verdict, ...]]  # every position's, those that deny


class Reach:
    """The statements an action reaches in a list of policies, as (position, statement) in
    evaluation order, prepared for plain evaluation: their distinct checks (a check that
    always applies left out), and per outcome of those checks the verdicts it gives (with
    those that deny). `empties` holds each position's verdict for "nothing applies"."""

    __slots__ = ("empties", "checks", "statements", "runs", "memo")

    def __init__(self, empties: Sequence[Verdict],
                 reached: Sequence[tuple[int, CompiledStatement]]) -> None:
        self.empties = tuple(empties)
        slot: dict[_Check, int] = {}
        # per statement, its check's slot in the outcomes (-1: applies always), in order
        self.statements: list[tuple[int, CompiledStatement]] = []
        # consecutive statements of one position: (position, [(slot, statement), ...])
        self.runs: list[tuple[int, list[tuple[int, CompiledStatement]]]] = []
        for position, c in reached:
            check = c.check
            i = -1 if check.constant else slot.setdefault(check, len(slot))
            self.statements.append((i, c))
            if not self.runs or self.runs[-1][0] != position:
                self.runs.append((position, []))
            self.runs[-1][1].append((i, c))
        self.checks = tuple(slot)
        self.memo: dict[tuple[Outcome, ...], Verdicts] = {}

    def verdicts(self, outcomes: tuple[Outcome, ...]) -> Verdicts:
        """Each position's verdict, given the outcome of each check, and those that deny."""
        hit = self.memo.get(outcomes)
        if hit is None:
            verdicts = list(self.empties)
            for position, run in self.runs:
                allows: list[StatementRef] = []
                denies: list[StatementRef] = []
                grants: list[Grant] = []
                for i, c in run:
                    outcome = outcomes[i] if i >= 0 else True
                    if outcome is False:
                        continue
                    if not c.allow:
                        denies.append(c.ref)
                        continue
                    allows.append(c.ref)
                    if outcome is not True:
                        grants.append(outcome)
                if allows or denies:
                    verdicts[position] = _verdict(verdicts[position], allows, denies, grants)
            if len(self.memo) >= _MEMO_LIMIT:
                self.memo.clear()
            hit = self.memo[outcomes] = (tuple(verdicts),
                                         tuple([v for v in verdicts if v.denies]))
        return hit


def plain_verdicts(reach: Reach, ev: Evaluation) -> Verdicts:
    """Plain evaluation of the statements an action reaches: each position's verdict (the
    shared "nothing applies" one where no statement does), and those of them that deny,
    in order. Each distinct check is made once
    and stops at its first failing element: Resource, Principal, then the conditions in
    order; the verdicts follow from the outcomes of the checks."""
    resource, context, missing, caller = ev.resource, ev.context, ev.missing, ev.caller
    outcomes: list[Outcome] = []
    noted: list[tuple[int, _Cond]] | None = None
    for check in reach.checks:
        if not check.resource_free:
            prefixes = check.prefixes
            if prefixes is None:  # patterns with variables
                if not check.resource_matches(ev):
                    outcomes.append(False)
                    continue
            elif resource.startswith(prefixes):
                matched = check.memo.get(resource)  # static_match, inlined
                if matched is None:
                    assert check.resources is not None
                    matched = check.resources.static_match(resource)
                if matched is check.negate_resource:
                    outcomes.append(False)
                    continue
            elif not check.negate_resource:
                outcomes.append(False)  # no pattern can match
                continue
        outcome: Outcome = True
        if check.principals:
            hit = check.principal_memo.get(caller)  # principal_check, inlined
            if hit is None:
                hit = check.principal_check(ev)
            if not hit[0]:
                outcomes.append(False)
                continue
            if hit[1] is not None:
                outcome = hit[1]
        for cond in check.conds:  # conditions_hold, inlined: most are a memo lookup
            request_values = context.get(cond.key)
            if request_values is None:
                missing.setdefault(cond.key, cond.name)
            elif cond.plain and len(request_values) > 1:
                if noted is None:
                    noted = []
                noted.append((len(outcomes), cond))  # noted per statement, below
            memo = cond.memo
            try:
                held = memo.get(request_values) if memo is not None else None
            except TypeError:  # (see _Cond.holds)
                held = None
            if held is None:
                held = cond.holds(ev, request_values)
            if not held:
                outcome = False
                break
        outcomes.append(outcome)
    if noted is not None:  # each statement of a noted check notes, in statement order
        for i, c in reach.statements:
            ev.notes += [c.multi_valued_note(cond) for j, cond in noted if j == i]
    return reach.verdicts(tuple(outcomes))


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
                                not_traced=len(index.compiled) - len(results)
                                + policy.omitted)
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
    v = plain_verdicts(Reach([index.empty], [(0, c) for c in index.reachable(wanted)]),
                       ev)[0][0]
    return PolicyResult(name=v.name, kind=v.kind, decision=v.decision, allows=v.allows,
                        denies=v.denies, grant=v.grant, statements=())

