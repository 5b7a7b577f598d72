"""What must a call carry for a policy's conditions to let it through?

Some condition keys are chosen by the caller, not by AWS: the parameters of AssumeRole
(sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity; MFA comes with the credentials
the caller chose to use), the claims of a web identity token, a service's
aws:SourceAccount/aws:SourceArn, request headers such as s3:x-amz-server-side-encryption.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

`supply` picks, for such keys, the value an Allow statement's conditions want (the first
listed value; a `*`/`?` pattern filled with `x`; a number just inside a numeric bound) and
the value that keeps a Deny with a negated condition (StringNotEquals, Null, BoolIfExists)
from applying, and returns them with the conditions as Requirements. Keys the caller does
not choose (aws:PrincipalOrgID, aws:SourceIp, dates) are never supplied: the graph finds
only what the caller can make true.
Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .conditions import parse_operator
from .graph_model import Requirement
from .policy import Statement
from .request import ContextValues

FILLER = "x"
Context = dict[str, ContextValues]


def _example(base: str, values: tuple[str, ...]) -> str | None:
    """A value satisfying a positive operator with these policy values."""
    value = values[0]
    if "${" in value:
        return None
    if base in ("StringLike", "ArnLike"):
        return value.replace("*", FILLER).replace("?", FILLER)
    if base in ("NumericLessThan", "NumericLessThanEquals"):
        number = float(value)
        return "0" if number > 0 else str(int(number) - 1)
    if base == "NumericGreaterThan":
        return str(int(float(value)) + 1)
    if base.startswith(("Date", "IpAddress", "NotIp")):
        return None
    return value


def _satisfying(operator: str, values: tuple[str, ...], effect: str) -> str | None:
    """The value that makes an Allow's condition hold, or a Deny's fail (None: absence
    already does, or no value can)."""
    op = parse_operator(operator)
    if op.is_null:
        wants_present = values[0].lower() == ("false" if effect == "Allow" else "true")
        return FILLER if wants_present else None
    if effect == "Allow":
        return None if op.negated else _example(op.base.name, values)
    if op.negated:
        return _example(op.base.name, values)
    if op.base.name == "Bool" and op.if_exists:
        return "false" if values[0].lower() == "true" else "true"
    return None


def supply(allow: Statement | None, others: Iterable[Statement],
           choosable: Callable[[str], bool]) -> tuple[Context, tuple[Requirement, ...]]:
    """Context values for the caller-chosen keys: what `allow` wants, and what keeps the
    Deny statements among `others` from applying. Returns them with the requirements."""
    context: Context = {}
    requirements: list[Requirement] = []
    statements = ([allow] if allow is not None else []) + \
        [s for s in others if s.effect == "Deny"]
    for stmt in statements:
        for cond in stmt.conditions:
            if not choosable(cond.key.lower()) or not cond.values:
                continue
            value = _satisfying(cond.operator, cond.values, stmt.effect)
            if value is None:
                continue
            if cond.key.lower() not in {k.lower() for k in context}:
                context[cond.key] = (value,)
            requirements.append(Requirement(key=cond.key, operator=cond.operator,
                                            values=cond.values, supplied=value))
    return context, tuple(requirements)
