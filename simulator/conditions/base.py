"""The shape every condition operator shares: a base operator family record.

A `BaseOperator` is AWS's operator without its qualifiers (`ForAllValues:`, `ForAnyValue:`,
`...IfExists`); those are applied once, in `conditions/__init__.py`. Each family module
registers its operators by AWS's spelling.
AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Predicate = Callable[[str], bool]


@dataclass(frozen=True)
class BaseOperator:
    """One operator family member.

    `compile` turns one policy value into a predicate over one request value, raising
    ValueError when the policy value is invalid for the operator (a bad number, date, CIDR).
    `negated` operators hold when the request value matches none of the policy values, and
    are true on a missing key. `variables` says whether `${...}` is substituted (AWS allows
    it for String, ARN and Bool operators only). `wildcards` says whether `*`/`?` are
    patterns (then escaped wildcards from variables need care).
    """

    name: str
    family: str
    compile: Callable[[str], Predicate]
    negated: bool = False
    variables: bool = False
    wildcards: bool = False
