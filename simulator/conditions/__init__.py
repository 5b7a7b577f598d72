"""Does one condition of a Condition block hold for this request?

The qualifiers are handled here, once, for every operator family
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):

- several policy values for one key are OR'ed; for a negated operator the request value
  must match none of them (an AND of the negations);
- a positive operator on a missing key is false, a negated one is true;
- `...IfExists` (every operator but Null): a missing key makes the condition true;
- `ForAnyValue:` true if at least one request value satisfies the operator; false when the
  key is missing or empty;
- `ForAllValues:` true if every request value satisfies the operator; true when the key is
  missing or empty;
- `Null`: "true" holds when the key is missing, "false" when it is present.

A plain operator given a multi-valued key holds for a positive operator when any request
value matches, and for a negated operator when none does; AWS leaves this case undefined
and the evaluator flags it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import arns, dates, flags, network, numbers, strings
from .base import BaseOperator, Predicate

REGISTRY: dict[str, BaseOperator] = {
    **strings.OPERATORS, **numbers.OPERATORS, **dates.OPERATORS, **network.OPERATORS,
    **arns.OPERATORS, **flags.OPERATORS,
}
QUALIFIERS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True)
class Operator:
    """An operator as written: base operator plus its qualifiers."""

    text: str
    base: BaseOperator
    qualifier: str | None
    if_exists: bool

    @property
    def is_null(self) -> bool:
        return self.base is flags.NULL

    @property
    def negated(self) -> bool:
        return self.base.negated

    def validate(self, values: Sequence[str]) -> None:
        """Raise ValueError for a policy value this operator cannot take."""
        for value in values:
            if "${" in value and self.base.variables:
                continue
            self.base.compile(value)

    def predicate(self, value: str | None) -> Predicate | None:
        """The compiled test for one (already substituted) policy value; None matches nothing."""
        return None if value is None else _compiled(self.base.name, value)

    def holds(self, policy_values: Sequence[str | None],
              request_values: Sequence[str] | None) -> bool:
        """Evaluate against the request's values (None when the key is missing)."""
        present = bool(request_values)
        if self.is_null:
            return any(v is not None and (v.strip().lower() == "true") != present
                       for v in policy_values)
        if not present:
            if self.qualifier == "ForAllValues":
                return True
            return self.if_exists or (self.qualifier is None and self.negated)
        assert request_values is not None
        predicates = [p for p in (self.predicate(v) for v in policy_values) if p is not None]

        def one(value: str) -> bool:
            matched = any(p(value) for p in predicates)
            return not matched if self.negated else matched

        if self.qualifier == "ForAllValues":
            return all(one(v) for v in request_values)
        if self.qualifier == "ForAnyValue":
            return any(one(v) for v in request_values)
        if self.negated:
            return all(one(v) for v in request_values)
        return any(one(v) for v in request_values)


@lru_cache(maxsize=65536)
def _compiled(base_name: str, value: str) -> Predicate | None:
    try:
        return REGISTRY[base_name].compile(value)
    except ValueError:
        return None  # a substituted value that is invalid for the operator matches nothing


@lru_cache(maxsize=4096)
def parse_operator(text: str) -> Operator:
    """`ForAnyValue:StringLikeIfExists` -> Operator; ValueError for an unknown spelling."""
    qualifier = None
    name = text
    if ":" in text:
        qualifier, _, name = text.partition(":")
        if qualifier not in QUALIFIERS:
            raise ValueError(f"unknown condition qualifier {qualifier!r} in {text!r} "
                             f"(ForAllValues, ForAnyValue)")
    if_exists = name.endswith("IfExists")
    base_name = name[: -len("IfExists")] if if_exists else name
    base = REGISTRY.get(base_name)
    if base is None:
        raise ValueError(f"unknown condition operator {text!r}")
    if if_exists and base is flags.NULL:
        raise ValueError("Null takes no IfExists suffix")
    if qualifier and base is flags.NULL:
        raise ValueError("Null takes no ForAllValues/ForAnyValue qualifier")
    return Operator(text=text, base=base, qualifier=qualifier, if_exists=if_exists)


__all__ = ["REGISTRY", "Operator", "parse_operator"]
