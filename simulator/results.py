"""The records every level of evaluation returns. Decisions are data, rendered at the edge.

Three outcomes, as AWS's policy simulator names them (allowed / explicitDeny /
implicitDeny, https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html):
`allow`, `explicit_deny` (an applicable Deny matched), `implicit_deny` (no Deny, but some
required Allow is missing).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from .policy import PolicyKind

RULES_AS_OF = "2026-11-01"


class Decision(str, Enum):
    allow = "allow"
    explicit_deny = "explicit_deny"
    implicit_deny = "implicit_deny"


class Grant(str, Enum):
    """How a resource-based or trust statement named the caller; it decides which other
    policies must still allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
    `principal` the caller's own user/session/federated-user ARN or `*`; `role` the role
    of the caller's session; `account` the caller's account (delegation only); `service`
    and `web_identity` a service or identity provider principal."""

    principal = "principal"
    role = "role"
    account = "account"
    service = "service"
    web_identity = "web_identity"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class StatementRef(_Frozen):
    """Names one statement: the policy it is in, its index in that policy, its Sid."""

    policy: str
    kind: PolicyKind
    index: int
    sid: str | None = None
    effect: str

    def __str__(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.kind.value} policy {self.policy!r} statement #{self.index}{sid}"


class ConditionCheck(_Frozen):
    """One condition compared: `request_values` is None when the key was missing."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    holds: bool


class ElementCheck(_Frozen):
    """One element of a statement compared with the request.

    `reason` is a stable snake_case code (action_mismatch, resource_mismatch,
    principal_mismatch, condition_failed, unresolved_variable, ...); `policy_values` are the
    values as written, `request_value` what they were compared with.
    """

    element: str
    matched: bool
    reason: str
    policy_values: tuple[str, ...] = ()
    request_value: str = ""
    conditions: tuple[ConditionCheck, ...] = ()


class StatementResult(_Frozen):
    """Whether a statement applies to the request, and the first element that failed."""

    ref: StatementRef
    applies: bool
    failed: ElementCheck | None = None
    checks: tuple[ElementCheck, ...] = ()
    grant: Grant | None = None


class PolicyResult(_Frozen):
    """One policy's verdict: explicit_deny if a Deny applies, allow if an Allow applies,
    implicit_deny if no statement applies. In traced evaluations `statements` lists the
    result of every statement whose Action matches the action (of every statement, when
    the trace covered them all) and `not_traced` counts the statements left out, which
    cannot apply: their Action does not match. Untraced evaluations list none. `grant` is the
    broadest way an applying Allow named the caller (resource-based and trust policies
    only)."""

    name: str
    kind: PolicyKind
    decision: Decision
    allows: tuple[StatementRef, ...] = ()
    denies: tuple[StatementRef, ...] = ()
    grant: Grant | None = None
    statements: tuple[StatementResult, ...] = ()
    not_traced: int = 0


class StepResult(_Frozen):
    """One named step of AWS's evaluation order and what it concluded.

    `outcome` is `pass` (the step let the request through), `decided` (the step produced
    the final decision), `not_applicable` (no policy of that type bears on the request) or
    `not_reached` (an earlier step decided)."""

    name: str
    outcome: str
    decision: Decision | None = None
    note: str = ""
    policies: tuple[str, ...] = ()


class RequestDecision(_Frozen):
    """What AWS decides for one call, and why.

    `reason` is a stable code (explicit_deny_in_<type>, no_allow_in_<type>,
    scp_no_allow_at_level_<n>, allowed, ...) and `message` its sentence; `deciding` the
    statements that decided (the Deny, or the Allows that together granted; empty for an
    implicit deny). `missing_context` lists keys a condition or variable referenced that the
    request lacked; `ignored_context` the given keys the action does not support;
    `uncertain` is set when something the engine does not model touched the decision.
    """

    decision: Decision
    reason: str
    message: str
    principal: str
    action: str
    resource: str
    cross_account: bool
    deciding: tuple[StatementRef, ...] = ()
    steps: tuple[StepResult, ...] = ()
    policies: tuple[PolicyResult, ...] = ()
    missing_context: tuple[str, ...] = ()
    ignored_context: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    uncertain: bool = False
    rules_as_of: str = RULES_AS_OF

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.allow
