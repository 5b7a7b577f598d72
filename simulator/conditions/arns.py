"""ARN operators: compare ARNs segment by segment.

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
- ArnEquals and ArnLike are identical, as are ArnNotEquals and ArnNotLike.
- Each of the six colon-delimited parts is compared separately, case-sensitively, with `*`
  and `?` inside a part; so `*` never swallows a colon before the resource part (AWS's own
  example: StringLike matches where ArnLike does not).
- A request value that is not an ARN matches nothing. Policy variables are allowed.
"""

from __future__ import annotations

from ..variables import QMARK, STAR, sentinel_value
from ..wildcard import glob_match
from .base import BaseOperator, Predicate


def _arn_like(policy: str) -> Predicate:
    pattern = policy.split(":", 5)
    if len(pattern) != 6 and policy != "*":
        raise ValueError(f"{policy!r} is not an ARN (arn:partition:service:region:account:"
                         f"resource)")
    if policy == "*":
        return lambda value: True
    escaped = STAR in policy or QMARK in policy

    def predicate(value: str) -> bool:
        parts = (sentinel_value(value) if escaped else value).split(":", 5)
        if len(parts) != 6:
            return False
        return all(glob_match(p, v) for p, v in zip(pattern, parts, strict=True))

    return predicate


OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("ArnEquals", "Arn", _arn_like, variables=True, wildcards=True),
        BaseOperator("ArnLike", "Arn", _arn_like, variables=True, wildcards=True),
        BaseOperator("ArnNotEquals", "Arn", _arn_like, negated=True, variables=True,
                     wildcards=True),
        BaseOperator("ArnNotLike", "Arn", _arn_like, negated=True, variables=True,
                     wildcards=True),
    )
}
