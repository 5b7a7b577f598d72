"""Qualifiers every operator family shares: IfExists, ForAllValues, ForAnyValue, missing keys
and multi-valued keys.

AWS:
- condition operators, "...IfExists condition operators" and missing keys:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  (a positive operator on an absent key is false, a negated one is true; IfExists makes an
  absent key true and evaluates a present key normally; not allowed with Null)
- set operators and multi-valued keys:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  (ForAllValues: every request value matches some policy value, true when the key is absent
  or empty; ForAnyValue: at least one request value matches, false when absent or empty;
  negated operators with several values: the value must match none of them)
- worked examples with ForAllValues:StringNotLike:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.conditions import parse_operator

# one sample (policy value, matching request value, non-matching request value) per operator
SAMPLES: dict[str, tuple[str, str, str]] = {
    "StringEquals": ("a", "a", "b"),
    "StringEqualsIgnoreCase": ("a", "A", "b"),
    "StringLike": ("a*", "ab", "ba"),
    "NumericEquals": ("5", "5", "6"),
    "NumericLessThan": ("5", "4", "6"),
    "NumericLessThanEquals": ("5", "5", "6"),
    "NumericGreaterThan": ("5", "6", "4"),
    "NumericGreaterThanEquals": ("5", "5", "4"),
    "DateEquals": ("2026-01-01T00:00:00Z", "1767225600", "2026-01-02T00:00:00Z"),
    "DateLessThan": ("2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    "DateLessThanEquals": ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                           "2027-01-01T00:00:00Z"),
    "DateGreaterThan": ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
                        "2025-01-01T00:00:00Z"),
    "DateGreaterThanEquals": ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                              "2025-01-01T00:00:00Z"),
    "IpAddress": ("10.0.0.0/8", "10.1.2.3", "11.1.2.3"),
    "ArnEquals": ("arn:aws:iam::*:role/A", "arn:aws:iam::111122223333:role/A",
                  "arn:aws:iam::111122223333:role/B"),
    "ArnLike": ("arn:aws:iam::*:role/A", "arn:aws:iam::111122223333:role/A",
                "arn:aws:iam::111122223333:role/B"),
    "Bool": ("true", "true", "false"),
    "BinaryEquals": ("AAEC", "AAEC", "AAED"),
}
NEGATED: dict[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
ALL_OPS = sorted([*SAMPLES, *NEGATED])


def sample(op: str) -> tuple[str, str, str]:
    return SAMPLES[NEGATED.get(op, op)]


@pytest.mark.parametrize("op", sorted(SAMPLES))
def test_positive_operator_missing_key_false(op: str) -> None:
    policy, hit, _ = sample(op)
    assert parse_operator(op).holds([policy], [hit]) is True  # sanity: the sample matches
    assert parse_operator(op).holds([policy], None) is False
    assert parse_operator(op).holds([policy], []) is False


@pytest.mark.parametrize("op", sorted(NEGATED))
def test_negated_operator_missing_key_true(op: str) -> None:
    policy, hit, miss = sample(op)
    assert parse_operator(op).holds([policy], None) is True
    assert parse_operator(op).holds([policy], [hit]) is False
    assert parse_operator(op).holds([policy], [miss]) is True


@pytest.mark.parametrize("op", ALL_OPS)
def test_if_exists_absent_key_true(op: str) -> None:
    policy, _, _ = sample(op)
    assert parse_operator(op + "IfExists").holds([policy], None) is True


@pytest.mark.parametrize("op", ALL_OPS)
def test_if_exists_present_key_evaluated_normally(op: str) -> None:
    policy, hit, miss = sample(op)
    plain = parse_operator(op)
    if_exists = parse_operator(op + "IfExists")
    assert if_exists.if_exists and not plain.if_exists
    for value in (hit, miss):
        assert if_exists.holds([policy], [value]) is plain.holds([policy], [value])
    assert if_exists.holds([policy], [hit]) is not if_exists.holds([policy], [miss])


def test_deny_with_negated_if_exists_on_absent_key() -> None:
    """StringNotEqualsIfExists on an absent key is true, so a Deny using it still applies."""
    op = parse_operator("StringNotEqualsIfExists")
    assert op.holds(["o-abc123"], None) is True
    assert op.holds(["o-abc123"], ["o-abc123"]) is False
    assert op.holds(["o-abc123"], ["o-other"]) is True


FOR_ALL: list[tuple[list[str], list[str] | None, bool]] = [
    (["env", "team"], None, True),  # absent: true
    (["env", "team"], [], True),  # empty: true
    (["env", "team"], ["env"], True),  # subset
    (["env", "team"], ["team", "env"], True),
    (["env", "team"], ["env", "owner"], False),  # owner not allowed
    (["env", "team"], ["Env"], False),  # StringEquals stays case-sensitive
]


@pytest.mark.parametrize(("policy", "request_values", "expected"), FOR_ALL)
def test_for_all_values(policy: list[str], request_values: list[str] | None,
                        expected: bool) -> None:
    assert parse_operator("ForAllValues:StringEquals").holds(policy, request_values) is expected


FOR_ANY: list[tuple[list[str], list[str] | None, bool]] = [
    (["env", "team"], None, False),  # absent: false
    (["env", "team"], [], False),  # empty: false
    (["env", "team"], ["owner", "team"], True),  # one overlaps
    (["env", "team"], ["owner"], False),
    (["env", "team"], ["env", "team"], True),
]


@pytest.mark.parametrize(("policy", "request_values", "expected"), FOR_ANY)
def test_for_any_value(policy: list[str], request_values: list[str] | None,
                       expected: bool) -> None:
    assert parse_operator("ForAnyValue:StringEquals").holds(policy, request_values) is expected


# AWS's worked example: Deny with ForAllValues:StringNotLike {"aws:TagKeys": "key1*"}
FOR_ALL_NOT_LIKE: list[tuple[list[str] | None, bool]] = [
    (["key1:legal"], False),  # every value matches key1*: condition false, not denied
    (["key2:legal"], True),  # none matches: condition true, denied
    (["key1:legal", "key2:x"], False),  # one value matches key1*: not every value is unlike
    (None, True),  # no tag keys in the request: ForAllValues is true
]


@pytest.mark.parametrize(("request_values", "expected"), FOR_ALL_NOT_LIKE)
def test_for_all_values_string_not_like_aws_example(request_values: list[str] | None,
                                                    expected: bool) -> None:
    op = parse_operator("ForAllValues:StringNotLike")
    assert op.holds(["key1*"], request_values) is expected


FOR_ANY_NOT_EQUALS: list[tuple[list[str] | None, bool]] = [
    (None, False),
    (["DataClass", "Owner"], False),  # every value is listed
    (["DataClass", "Project"], True),  # Project is not listed
]


@pytest.mark.parametrize(("request_values", "expected"), FOR_ANY_NOT_EQUALS)
def test_for_any_value_string_not_equals(request_values: list[str] | None,
                                         expected: bool) -> None:
    """ForAnyValue with a negated operator: true when at least one request value matches
    none of the policy values; false when the key is absent."""
    op = parse_operator("ForAnyValue:StringNotEquals")
    assert op.holds(["DataClass", "Owner"], request_values) is expected


@pytest.mark.parametrize(("text", "absent"), [
    ("ForAnyValue:StringLikeIfExists", True),
    ("ForAllValues:StringLikeIfExists", True),
    ("ForAnyValue:StringLike", False),
    ("ForAllValues:StringLike", True),
])
def test_set_operators_with_if_exists(text: str, absent: bool) -> None:
    op = parse_operator(text)
    assert op.holds(["a*"], None) is absent
    assert op.holds(["a*"], ["ab"]) is True
    assert op.holds(["a*"], ["ba"]) is False


@pytest.mark.parametrize("text", ["ForAllValues:NumericLessThan", "ForAnyValue:IpAddress",
                                  "ForAnyValue:ArnLike", "ForAllValues:DateGreaterThan"])
def test_set_operators_apply_to_every_family(text: str) -> None:
    base = text.partition(":")[2]
    policy, hit, miss = sample(base)
    op = parse_operator(text)
    assert op.holds([policy], [hit, hit]) is True
    if text.startswith("ForAll"):
        assert op.holds([policy], [hit, miss]) is False
    else:
        assert op.holds([policy], [miss, hit]) is True
        assert op.holds([policy], [miss, miss]) is False


def test_several_policy_values_or_and_negated_and() -> None:
    assert parse_operator("StringEquals").holds(["a", "b"], ["b"]) is True
    assert parse_operator("StringNotEquals").holds(["a", "b"], ["b"]) is False
    assert parse_operator("StringNotEquals").holds(["a", "b"], ["c"]) is True
    assert parse_operator("NotIpAddress").holds(["10.0.0.0/8", "11.0.0.0/8"],
                                                ["11.0.0.1"]) is False


@pytest.mark.parametrize("text", ["StringEqual", "StringEqualsIfExist", "String Equals",
                                  "ForSomeValues:StringEquals", "ForAnyValue:",
                                  "ForAllValues:Foo", "IfExists", "NumericEqualsIgnoreCase",
                                  "ForAnyValue:ForAllValues:StringEquals", ""])
def test_unknown_operator(text: str) -> None:
    with pytest.raises(ValueError):
        parse_operator(text)


@pytest.mark.parametrize("text", ["StringEquals", "ForAllValues:StringLikeIfExists",
                                  "ForAnyValue:NumericGreaterThanEquals", "Null",
                                  "BinaryEqualsIfExists", "ArnNotLikeIfExists"])
def test_parse_operator_round_trip(text: str) -> None:
    op = parse_operator(text)
    assert op.text == text
    assert op.if_exists is text.endswith("IfExists")
    assert op.qualifier == (text.partition(":")[0] if ":" in text else None)


values = st.text(alphabet="abAB*?", max_size=4)
STRING_NEGATED = ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"]


@given(st.sampled_from(STRING_NEGATED), st.lists(values, min_size=1, max_size=3), values)
def test_negated_is_complement_for_one_present_value(op: str, policy: list[str],
                                                     value: str) -> None:
    """For a present single value a negated operator is the complement of its positive
    form, and with several policy values it is an AND: the value matches none of them."""
    positive = parse_operator(NEGATED[op])
    negated = parse_operator(op)
    assert negated.holds(policy, [value]) is (not positive.holds(policy, [value]))
    assert negated.holds(policy, [value]) is all(
        not positive.holds([p], [value]) for p in policy)
