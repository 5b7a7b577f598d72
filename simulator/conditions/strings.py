"""String operators: exact, case-insensitive exact, and glob (`*`, `?`) comparisons.

AWS (String condition operators): StringEquals / StringNotEquals are exact and
case-sensitive and treat `*` literally; the IgnoreCase forms ignore case; StringLike /
StringNotLike match `*` and `?` anywhere. All accept policy variables.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

from ..variables import QMARK, STAR, sentinel_value
from ..wildcard import compile_glob
from .base import BaseOperator, Predicate


def _equals(policy: str) -> Predicate:
    return policy.__eq__


def _equals_ignore_case(policy: str) -> Predicate:
    folded = policy.casefold()
    return lambda value: value.casefold() == folded


def _like(policy: str) -> Predicate:
    match = compile_glob(policy)
    if STAR in policy or QMARK in policy:
        return lambda value: match(sentinel_value(value))
    return match


OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("StringEquals", "String", _equals, variables=True),
        BaseOperator("StringNotEquals", "String", _equals, negated=True, variables=True),
        BaseOperator("StringEqualsIgnoreCase", "String", _equals_ignore_case, variables=True),
        BaseOperator("StringNotEqualsIgnoreCase", "String", _equals_ignore_case, negated=True,
                     variables=True),
        BaseOperator("StringLike", "String", _like, variables=True, wildcards=True),
        BaseOperator("StringNotLike", "String", _like, negated=True, variables=True,
                     wildcards=True),
    )
}
