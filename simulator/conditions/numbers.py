"""Numeric operators: integer and decimal comparisons; no variables, no wildcards.

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
A request value that is not a number matches nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .base import BaseOperator, Predicate


def to_number(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def _comparing(compare: Callable[[Decimal, Decimal], bool]) -> Callable[[str], Predicate]:
    def compile_(policy: str) -> Predicate:
        if "${" in policy:
            raise ValueError("Numeric operators do not accept policy variables")
        bound = to_number(policy)

        def predicate(value: str) -> bool:
            try:
                return compare(to_number(value), bound)
            except ValueError:
                return False

        return predicate

    return compile_


OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("NumericEquals", "Numeric", _comparing(operator.eq)),
        BaseOperator("NumericNotEquals", "Numeric", _comparing(operator.eq), negated=True),
        BaseOperator("NumericLessThan", "Numeric", _comparing(operator.lt)),
        BaseOperator("NumericLessThanEquals", "Numeric", _comparing(operator.le)),
        BaseOperator("NumericGreaterThan", "Numeric", _comparing(operator.gt)),
        BaseOperator("NumericGreaterThanEquals", "Numeric", _comparing(operator.ge)),
    )
}
