"""Numeric condition operators.

AWS (Numeric condition operators):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
- NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals,
  NumericGreaterThan, NumericGreaterThanEquals compare integers and decimals;
- policy variables are not allowed; wildcards have no meaning.
A positive operator on a missing key is false, a negated one true (same page).
"""

from __future__ import annotations

import pytest

from simulator.conditions import parse_operator

Row = tuple[str, list[str], list[str], bool]

TABLE: list[Row] = [
    ("NumericEquals", ["10"], ["10"], True),
    ("NumericEquals", ["10"], ["11"], False),
    ("NumericEquals", ["10"], ["10.0"], True),  # numbers, not strings
    ("NumericEquals", ["1.5"], ["1.50"], True),
    ("NumericEquals", ["-3"], ["-3"], True),
    ("NumericEquals", ["10", "20"], ["20"], True),  # values OR'ed
    ("NumericNotEquals", ["10"], ["10"], False),
    ("NumericNotEquals", ["10"], ["11"], True),
    ("NumericNotEquals", ["10", "20"], ["20"], False),  # must equal none
    ("NumericNotEquals", ["10", "20"], ["30"], True),
    ("NumericLessThan", ["3600"], ["3599"], True),
    ("NumericLessThan", ["3600"], ["3600"], False),
    ("NumericLessThan", ["3600"], ["3601"], False),
    ("NumericLessThan", ["0.5"], ["0.25"], True),
    ("NumericLessThanEquals", ["10"], ["10"], True),
    ("NumericLessThanEquals", ["10"], ["11"], False),
    ("NumericLessThanEquals", ["10"], ["9"], True),
    ("NumericGreaterThan", ["10"], ["11"], True),
    ("NumericGreaterThan", ["10"], ["10"], False),
    ("NumericGreaterThan", ["10"], ["-11"], False),
    ("NumericGreaterThanEquals", ["10"], ["10"], True),
    ("NumericGreaterThanEquals", ["10"], ["9.99"], False),
    # a request value that is not a number satisfies no comparison (engine convention:
    # AWS does not document it; a positive operator must not grant on garbage)
    ("NumericEquals", ["10"], ["ten"], False),
    ("NumericLessThan", ["10"], ["ten"], False),
    ("NumericGreaterThan", ["10"], [""], False),
]


@pytest.mark.parametrize(("op", "policy", "request_values", "expected"), TABLE)
def test_numeric_operator(op: str, policy: list[str], request_values: list[str],
                          expected: bool) -> None:
    assert parse_operator(op).holds(policy, request_values) is expected


@pytest.mark.parametrize("op", ["NumericEquals", "NumericLessThan", "NumericLessThanEquals",
                                "NumericGreaterThan", "NumericGreaterThanEquals"])
def test_positive_numeric_on_missing_key_is_false(op: str) -> None:
    assert parse_operator(op).holds(["10"], None) is False


def test_numeric_not_equals_on_missing_key_is_true() -> None:
    assert parse_operator("NumericNotEquals").holds(["10"], None) is True


@pytest.mark.parametrize("op", ["NumericEquals", "NumericNotEquals", "NumericLessThan",
                                "NumericLessThanEquals", "NumericGreaterThan",
                                "NumericGreaterThanEquals", "NumericLessThanIfExists",
                                "ForAnyValue:NumericEquals"])
@pytest.mark.parametrize("bad", ["${aws:MultiFactorAuthAge}", "1${aws:x}", "ten", "",
                                 "1-2", "NaN", "Infinity"])
def test_numeric_rejects_variables_and_non_numbers(op: str, bad: str) -> None:
    """Numeric operators take numbers only; policy variables are not allowed."""
    with pytest.raises(ValueError):
        parse_operator(op).validate([bad])


@pytest.mark.parametrize("good", ["0", "10", "-5", "3.25", " 42 "])
def test_numeric_accepts_numbers(good: str) -> None:
    parse_operator("NumericLessThan").validate([good])
