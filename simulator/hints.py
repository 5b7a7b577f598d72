"""What would change the answer? Counterfactual hints from a traced decision.

Each hint names the smallest change that would flip the deciding step, read off the
statements that came closest: a trust statement whose only failure is a condition says
which key and value it needs ("requires sts:ExternalId = X; the request sent none"); an
identity statement that allows the action on other resources says which ones (the classic
object-actions-on-the-bucket-ARN mistake); a Deny says which statement to narrow.
"""

from __future__ import annotations

from .results import (
    ConditionCheck,
    Decision,
    ElementCheck,
    PolicyResult,
    RequestDecision,
    StatementResult,
)


def _values(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "one of [" + ", ".join(values) + "]"


def condition_hint(check: ConditionCheck) -> str:
    """`requires sts:ExternalId StringEquals doris-external-id; the request sent none`."""
    sent = ("sent none" if check.request_values is None
            else "sent " + ", ".join(check.request_values))
    literal = ""
    if check.operator.removesuffix("IfExists").endswith(("StringEquals", "StringNotEquals")) \
            and any("*" in v or "?" in v for v in check.policy_values):
        literal = (f" ({check.operator} takes * and ? literally: use StringLike for a "
                   f"pattern)")
    return (f"requires {check.key} {check.operator} {_values(check.policy_values)}; "
            f"the request {sent}{literal}")


def _element_hint(s: StatementResult, failed: ElementCheck) -> str:
    where = f"{s.ref}"
    if failed.reason == "condition_failed":
        reasons = [condition_hint(c) for c in failed.conditions if not c.holds]
        return f"{where} {'; and '.join(reasons)}"
    if failed.element == "Principal":
        return (f"{where} names {', '.join(failed.policy_values)}, not the caller "
                f"{failed.request_value}")
    if failed.element == "Resource":
        return (f"{where} allows the action on {', '.join(failed.policy_values)}, which does "
                f"not cover {failed.request_value}")
    if failed.reason == "unresolved_variable":
        return f"{where} uses a policy variable the request does not supply"
    return f"{where}: {failed.element} does not match ({failed.reason})"


def _near_misses(result: PolicyResult, effect: str) -> list[StatementResult]:
    """Statements of `effect` whose Action matched but that failed on one later element."""
    out = []
    for s in result.statements:
        if s.applies or s.ref.effect != effect or s.failed is None:
            continue
        if s.failed.element in ("Action", "NotAction"):
            continue
        out.append(s)
    return out


def hints_for(decision: RequestDecision) -> tuple[str, ...]:
    """Hints for a traced decision (empty for an allow or an untraced decision)."""
    if decision.decision is Decision.allow:
        return ()
    if decision.decision is Decision.explicit_deny:
        return tuple(f"the Deny in {ref} applies; narrow or remove it (or add a condition that "
                     f"excludes this request)" for ref in decision.deciding)
    reason = decision.reason
    target = reason.removeprefix("no_allow_in_")
    hints: list[str] = []
    for result in decision.policies:
        if result.kind.value != target:
            continue
        for s in _near_misses(result, "Allow"):
            assert s.failed is not None
            hints.append(_element_hint(s, s.failed))
    action, resource = decision.action, decision.resource
    if target == "trust" and not hints:
        hints.append(f"no statement of the trust policy allows {action} for "
                     f"{decision.principal}: add one naming the caller (its role ARN) or its "
                     f"account")
    elif target == "identity" and not hints:
        hints.append(f"add an Allow for {action} on {resource} to an identity-based policy "
                     f"of the caller")
    elif target == "resource" and not hints:
        hints.append(f"the resource-based policy must name the caller ({decision.principal}), "
                     f"its role or its account for {action}")
    elif target in ("boundary", "session") and not hints:
        hints.append(f"the {target} policy must also allow {action} on {resource}")
    elif reason.startswith(("scp_no_allow", "rcp_no_allow")):
        hints.append(f"every organization level must allow {action}: attach FullAWSAccess "
                     f"or an Allow for it at the level named")
    return tuple(dict.fromkeys(hints))


def with_hints(decision: RequestDecision) -> RequestDecision:
    return decision.model_copy(update={"hints": hints_for(decision)})


def near_miss_hints(result: PolicyResult) -> list[str]:
    """Hints from one policy's Allow statements that matched the action but failed later."""
    out = []
    for s in _near_misses(result, "Allow"):
        assert s.failed is not None
        out.append(_element_hint(s, s.failed))
    return out
