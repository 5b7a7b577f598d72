"""ARN condition operators.

AWS (Amazon Resource Name (ARN) condition operators):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
- ArnEquals and ArnLike are identical (both accept `*` and `?`); so are ArnNotEquals and
  ArnNotLike;
- the comparison is case-sensitive and each of the six colon-delimited parts of the ARN is
  checked separately, so `*` does not cross a colon between parts (AWS's example, below,
  matches under StringLike but not under ArnLike);
- policy variables are allowed.
"""

from __future__ import annotations

import pytest

from simulator.conditions import parse_operator

ROLE = "arn:aws:iam::111122223333:role/App"
AWS_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
AWS_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc.txt"

# (pattern, value, matches) - used for both ArnEquals and ArnLike
LIKE_TABLE: list[tuple[str, str, bool]] = [
    (ROLE, ROLE, True),
    (ROLE, "arn:aws:iam::111122223333:role/app", False),  # case-sensitive
    ("arn:aws:iam::111122223333:role/*", ROLE, True),
    ("arn:aws:iam::*:role/App", ROLE, True),
    ("arn:aws:iam::?????????????:role/App", ROLE, False),  # 13 ? for a 12-digit account
    ("arn:aws:iam::????????????:role/App", ROLE, True),
    ("arn:aws:iam::111122223333:role/A?p", ROLE, True),
    ("arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:user/App", False),
    ("arn:aws:iam::111122223333:*", ROLE, True),
    ("arn:aws:*:*:*:*", ROLE, True),
    ("*", ROLE, True),
    # AWS's own example: per-segment, the account part 999999999999 does not match
    (AWS_PATTERN, AWS_VALUE, False),
    (AWS_PATTERN, "arn:aws:someservice:us-east-2:111122223333:finance/doc.txt", True),
    # the sixth part is everything after the fifth colon
    ("arn:aws:logs:us-east-1:111122223333:log-group:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:web", True),
    ("arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a/x/y", True),
    ("arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/x", False),
    # a request value that is not an ARN matches no ARN pattern (engine convention)
    ("arn:aws:iam::*:role/*", "App", False),
    ("arn:aws:iam::*:role/*", "arn:aws:iam", False),
]


@pytest.mark.parametrize("op", ["ArnEquals", "ArnLike"])
@pytest.mark.parametrize(("pattern", "value", "matches"), LIKE_TABLE)
def test_arn_equals_is_arn_like(op: str, pattern: str, value: str, matches: bool) -> None:
    assert parse_operator(op).holds([pattern], [value]) is matches


@pytest.mark.parametrize("op", ["ArnNotEquals", "ArnNotLike"])
@pytest.mark.parametrize(("pattern", "value", "matches"), LIKE_TABLE)
def test_arn_not_equals_is_arn_not_like(op: str, pattern: str, value: str,
                                        matches: bool) -> None:
    assert parse_operator(op).holds([pattern], [value]) is (not matches)


def test_string_like_differs_from_arn_like_on_aws_example() -> None:
    assert parse_operator("StringLike").holds([AWS_PATTERN], [AWS_VALUE]) is True
    assert parse_operator("ArnLike").holds([AWS_PATTERN], [AWS_VALUE]) is False


def test_several_values() -> None:
    """Several values: OR for ArnLike, AND (match none) for ArnNotLike
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)."""
    values = ["arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::111122223333:role/A*"]
    assert parse_operator("ArnLike").holds(values, [ROLE]) is True
    assert parse_operator("ArnNotLike").holds(values, [ROLE]) is False
    assert parse_operator("ArnNotLike").holds(values, ["arn:aws:iam::111122223333:role/B"])


@pytest.mark.parametrize(("op", "expected"), [("ArnLike", False), ("ArnEquals", False),
                                              ("ArnNotLike", True), ("ArnNotEquals", True),
                                              ("ArnLikeIfExists", True)])
def test_missing_key(op: str, expected: bool) -> None:
    assert parse_operator(op).holds([ROLE], None) is expected


@pytest.mark.parametrize("op", ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"])
def test_arn_operators_accept_variables(op: str) -> None:
    parse_operator(op).validate(["arn:aws:iam::${aws:PrincipalAccount}:role/${aws:username}"])
