"""Bool, Null and BinaryEquals.

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Bool compares "true"/"false" (JSON booleans are accepted too); variables allowed.
- Null: "true" means the key must be absent, "false" that it must be present. It takes no
  IfExists and no variables; its evaluation is special-cased in conditions/__init__.py.
- BinaryEquals compares bytes: the policy value is base64, as is the request value.
"""

from __future__ import annotations

import base64
import binascii

from .base import BaseOperator, Predicate


def _bool(policy: str) -> Predicate:
    folded = policy.strip().lower()
    return lambda value: value.strip().lower() == folded


def _null(policy: str) -> Predicate:
    if policy.strip().lower() not in ("true", "false"):
        raise ValueError(f"Null takes \"true\" or \"false\", got {policy!r}")
    wants_absent = policy.strip().lower() == "true"
    return lambda value: not wants_absent  # only reached when the key is present


def _decode(text: str) -> bytes:
    return base64.b64decode(text.strip(), validate=True)


def _binary(policy: str) -> Predicate:
    if "${" in policy:
        raise ValueError("BinaryEquals does not accept policy variables")
    try:
        expected = _decode(policy)
    except (binascii.Error, ValueError):
        raise ValueError(f"{policy!r} is not base64") from None

    def predicate(value: str) -> bool:
        try:
            return _decode(value) == expected
        except (binascii.Error, ValueError):
            return False

    return predicate


NULL = BaseOperator("Null", "Null", _null)

OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("Bool", "Bool", _bool, variables=True),
        BaseOperator("BinaryEquals", "Binary", _binary),
        NULL,
    )
}
