"""Bool, Null and BinaryEquals.

AWS (condition operators page, sections Boolean, Binary and "Condition operator to check
existence of condition keys"):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Bool compares true/false values; policy variables are allowed;
- BinaryEquals compares the key's bytes with a base-64 encoded policy value; no variables;
- Null "true": the key must be absent; "false": the key must be present; no variables, and
  Null takes no IfExists.
"""

from __future__ import annotations

import pytest

from simulator.conditions import parse_operator
from simulator.policy import PolicyKind, parse_policy

BOOL: list[tuple[str, list[str], list[str] | None, bool]] = [
    ("Bool", ["true"], ["true"], True),
    ("Bool", ["true"], ["false"], False),
    ("Bool", ["false"], ["false"], True),
    ("Bool", ["false"], None, False),  # absent: positive operator is false
    ("BoolIfExists", ["false"], None, True),  # absent + IfExists: true
    ("BoolIfExists", ["false"], ["false"], True),
    ("BoolIfExists", ["false"], ["true"], False),
    ("Bool", ["true", "false"], ["false"], True),
]


@pytest.mark.parametrize(("op", "policy", "request_values", "expected"), BOOL)
def test_bool(op: str, policy: list[str], request_values: list[str] | None,
              expected: bool) -> None:
    assert parse_operator(op).holds(policy, request_values) is expected


def test_bool_json_boolean_in_policy() -> None:
    """AWS's AssumeRole example writes `"aws:MultiFactorAuthPresent": true` as a JSON boolean
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); the parser turns it
    into "true", which Bool compares with the request's "true"."""
    doc = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}}}]},
        name="p", kind=PolicyKind.identity)
    values = doc.statements[0].conditions[0].values
    assert values == ("true",)
    assert parse_operator("Bool").holds(list(values), ["true"]) is True
    assert parse_operator("Bool").holds(list(values), ["false"]) is False


NULL: list[tuple[list[str], list[str] | None, bool]] = [
    (["true"], None, True),  # key absent: Null true holds
    (["true"], ["x"], False),
    (["false"], ["x"], True),  # key present: Null false holds
    (["false"], None, False),
    (["TRUE"], None, True),
]


@pytest.mark.parametrize(("policy", "request_values", "expected"), NULL)
def test_null(policy: list[str], request_values: list[str] | None, expected: bool) -> None:
    assert parse_operator("Null").holds(policy, request_values) is expected


AWS_B64 = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="  # AWS's example value: "BinaryValueInBase64"

BINARY: list[tuple[list[str], list[str] | None, bool]] = [
    ([AWS_B64], [AWS_B64], True),
    ([AWS_B64], ["QmluYXJ5VmFsdWVJbkJhc2U2NQ=="], False),
    (["AAEC"], ["AAEC"], True),
    (["AAEC"], ["AAED"], False),
    ([AWS_B64], ["not base64!"], False),
    ([AWS_B64], None, False),
    (["AAEC", AWS_B64], [AWS_B64], True),
]


@pytest.mark.parametrize(("policy", "request_values", "expected"), BINARY)
def test_binary_equals(policy: list[str], request_values: list[str] | None,
                       expected: bool) -> None:
    assert parse_operator("BinaryEquals").holds(policy, request_values) is expected


def test_binary_equals_if_exists() -> None:
    assert parse_operator("BinaryEqualsIfExists").holds([AWS_B64], None) is True


@pytest.mark.parametrize(("op", "bad"), [
    ("Null", "${aws:username}"),
    ("Null", "maybe"),
    ("Null", ""),
    ("BinaryEquals", "${aws:username}"),
    ("BinaryEquals", "not base64!"),
    ("BinaryEquals", "QmluYXJ5"[:-1]),  # bad padding
    ("BinaryEqualsIfExists", "${key}"),
])
def test_validation_errors(op: str, bad: str) -> None:
    with pytest.raises(ValueError):
        parse_operator(op).validate([bad])


def test_bool_accepts_variables() -> None:
    parse_operator("Bool").validate(["${aws:SecureTransport}"])


@pytest.mark.parametrize("text", ["NullIfExists", "ForAllValues:Null", "ForAnyValue:Null"])
def test_null_takes_no_qualifiers(text: str) -> None:
    """IfExists can be added to every operator except Null."""
    with pytest.raises(ValueError, match="Null"):
        parse_operator(text)
