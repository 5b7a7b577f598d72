"""String condition operators: StringEquals, StringNotEquals, the IgnoreCase forms, StringLike
and StringNotLike.

AWS (String condition operators):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
- StringEquals / StringNotEquals: exact, case-sensitive, no wildcards (`*` is a literal).
- StringEqualsIgnoreCase / StringNotEqualsIgnoreCase: exact, ignoring case.
- StringLike / StringNotLike: case-sensitive, `*` any run of characters, `?` exactly one,
  anywhere in the string.
- All of them accept policy variables.
Several values for one key are OR'ed; for a negated operator the request value must match
none of them:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.conditions import parse_operator
from simulator.variables import substitute

Row = tuple[str, list[str], list[str], bool]

EQUALS: list[Row] = [
    ("StringEquals", ["alpha"], ["alpha"], True),
    ("StringEquals", ["alpha"], ["Alpha"], False),  # case-sensitive
    ("StringEquals", ["alpha"], ["alpha "], False),
    ("StringEquals", ["alpha"], ["alph"], False),
    ("StringEquals", [""], [""], True),
    ("StringEquals", ["alpha-*"], ["alpha-1"], False),  # * is literal
    ("StringEquals", ["alpha-*"], ["alpha-*"], True),
    ("StringEquals", ["*"], ["anything"], False),
    ("StringEquals", ["a?c"], ["abc"], False),  # ? is literal
    ("StringEquals", ["red", "blue"], ["blue"], True),  # values OR'ed
    ("StringEquals", ["red", "blue"], ["green"], False),
    ("StringNotEquals", ["alpha"], ["alpha"], False),
    ("StringNotEquals", ["alpha"], ["Alpha"], True),
    ("StringNotEquals", ["alpha-*"], ["alpha-1"], True),
    ("StringNotEquals", ["red", "blue"], ["blue"], False),  # must equal none of them
    ("StringNotEquals", ["red", "blue"], ["green"], True),
]

IGNORE_CASE: list[Row] = [
    ("StringEqualsIgnoreCase", ["Finance"], ["FINANCE"], True),
    ("StringEqualsIgnoreCase", ["Finance"], ["finance"], True),
    ("StringEqualsIgnoreCase", ["Finance"], ["finances"], False),
    ("StringEqualsIgnoreCase", ["fin*"], ["finance"], False),  # still no wildcards
    ("StringEqualsIgnoreCase", ["FIN*"], ["fin*"], True),
    ("StringNotEqualsIgnoreCase", ["Finance"], ["FINANCE"], False),
    ("StringNotEqualsIgnoreCase", ["Finance"], ["Legal"], True),
    ("StringNotEqualsIgnoreCase", ["Finance", "Legal"], ["LEGAL"], False),
]

LIKE: list[Row] = [
    ("StringLike", ["alpha-*"], ["alpha-1"], True),
    ("StringLike", ["alpha-*"], ["alpha-"], True),  # * matches the empty run
    ("StringLike", ["alpha-*"], ["Alpha-1"], False),  # case-sensitive
    ("StringLike", ["*"], [""], True),
    ("StringLike", ["*"], ["anything at all"], True),
    ("StringLike", ["a?c"], ["abc"], True),
    ("StringLike", ["a?c"], ["ac"], False),  # ? is exactly one character
    ("StringLike", ["a?c"], ["abbc"], False),
    ("StringLike", ["*-prod-*"], ["web-prod-1"], True),
    ("StringLike", ["*-prod-*"], ["web-dev-1"], False),
    ("StringLike", ["a*b*c"], ["aXbYc"], True),
    ("StringLike", ["a*b*c"], ["aXcYb"], False),
    # AWS's own example: StringLike's * spans colons.
    ("StringLike", ["arn:aws:someservice:*:111122223333:finance/*"],
     ["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc.txt"],
     True),
    ("StringLike", ["system:serviceaccount:data:*"], ["system:serviceaccount:data:reader"],
     True),
    ("StringLike", ["system:serviceaccount:data:*"], ["system:serviceaccount:web:reader"],
     False),
    ("StringLike", ["red-*", "blue-*"], ["blue-7"], True),
    ("StringNotLike", ["alpha-*"], ["alpha-1"], False),
    ("StringNotLike", ["alpha-*"], ["beta-1"], True),
    ("StringNotLike", ["red-*", "blue-*"], ["blue-7"], False),  # must match none
    ("StringNotLike", ["red-*", "blue-*"], ["green-7"], True),
]


@pytest.mark.parametrize(("op", "policy", "request_values", "expected"),
                         EQUALS + IGNORE_CASE + LIKE)
def test_string_operator(op: str, policy: list[str], request_values: list[str],
                         expected: bool) -> None:
    assert parse_operator(op).holds(policy, request_values) is expected


@pytest.mark.parametrize("op", ["StringEquals", "StringEqualsIgnoreCase", "StringLike"])
def test_positive_string_operator_on_missing_key_is_false(op: str) -> None:
    """A positive operator on an absent key is false (condition operators page)."""
    assert parse_operator(op).holds(["x"], None) is False


@pytest.mark.parametrize("op", ["StringNotEquals", "StringNotEqualsIgnoreCase",
                                "StringNotLike"])
def test_negated_string_operator_on_missing_key_is_true(op: str) -> None:
    """A negated operator on an absent key is true (condition operators page)."""
    assert parse_operator(op).holds(["x"], None) is True


@pytest.mark.parametrize("op", ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                                "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"])
def test_string_operators_accept_variables(op: str) -> None:
    """Policy variables are allowed in String operators
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    parse_operator(op).validate(["home/${aws:username}", "${aws:PrincipalTag/team, 'x'}"])


def test_unresolved_variable_matches_nothing() -> None:
    """A variable that resolves to nothing makes StringEquals false and StringNotEquals true
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
    The evaluator passes such a value as None."""
    assert parse_operator("StringEquals").holds([None], ["alice"]) is False
    assert parse_operator("StringLike").holds([None], ["alice"]) is False
    assert parse_operator("StringNotEquals").holds([None], ["alice"]) is True
    assert parse_operator("StringNotLike").holds([None], ["alice"]) is True
    # the other values of the key still count
    assert parse_operator("StringEquals").holds([None, "alice"], ["alice"]) is True


def test_escaped_star_in_stringlike_is_literal() -> None:
    """`${*}` is a literal `*`, also in StringLike, where a bare `*` would be a wildcard
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html,
    "Special characters")."""
    pattern = substitute("report${*}", {}, wildcards=True)
    like = parse_operator("StringLike")
    assert like.holds([pattern], ["report*"]) is True
    assert like.holds([pattern], ["reports"]) is False
    assert like.holds([pattern], ["report"]) is False
    both = substitute("*-${?}", {}, wildcards=True)
    assert like.holds([both], ["x-?"]) is True
    assert like.holds([both], ["x-y"]) is False
    equals_pattern = substitute("report${*}", {}, wildcards=False)
    assert parse_operator("StringEquals").holds([equals_pattern], ["report*"]) is True


def test_variable_substituted_value() -> None:
    """`${aws:username}` is replaced by the request's value before comparing
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    context = {"aws:username": ("alice",)}
    value = substitute("home/${aws:username}/*", context, wildcards=True)
    assert parse_operator("StringLike").holds([value], ["home/alice/notes.txt"]) is True
    assert parse_operator("StringLike").holds([value], ["home/bob/notes.txt"]) is False


@given(st.text(alphabet="ab*?:/", max_size=8), st.text(alphabet="ab*?:/", max_size=10))
def test_string_like_is_a_glob_over_the_whole_value(pattern: str, value: str) -> None:
    """StringLike: `*` any run (colons and slashes included), `?` one character, over the
    whole value; a naive regex translation is the reference."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    expected = re.fullmatch(regex, value, flags=re.DOTALL) is not None
    assert parse_operator("StringLike").holds([pattern], [value]) is expected
    assert parse_operator("StringNotLike").holds([pattern], [value]) is (not expected)
    assert parse_operator("StringEquals").holds([pattern], [value]) is (pattern == value)
