"""Glob matching for Action, Resource and StringLike/ArnLike.

AWS:
- Resource: `*` is any combination of characters, `?` any single character, several per
  segment; a `*` that ends a segment may expand across colons; case-sensitive; examples with
  `bucket/*/test/*` (section "Using wildcards in resource ARNs"):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Action: prefix and name are case-insensitive, `*` wildcards anywhere in the name:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- StringLike: `*` and `?` anywhere in the string:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.matching import action_matcher, resource_matches
from simulator.wildcard import compile_glob, glob_match, has_wildcard

PATTERN_CHARS = "ab*?/:"
VALUE_CHARS = "ab/:*?A"
patterns = st.text(alphabet=PATTERN_CHARS, max_size=12)
values = st.text(alphabet=VALUE_CHARS, max_size=16)
plain = st.text(alphabet="abAB/:-.", max_size=12)


def reference_match(pattern: str, value: str) -> bool:
    """A deliberately naive matcher: translate the pattern character by character into a
    regular expression (`*` -> `.*`, `?` -> `.`, everything else literal) and fullmatch."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def recursive_match(pattern: str, value: str) -> bool:
    """A second naive reference: the textbook recursive definition."""
    if not pattern:
        return not value
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return any(recursive_match(rest, value[i:]) for i in range(len(value) + 1))
    if not value:
        return False
    return (head == "?" or head == value[0]) and recursive_match(rest, value[1:])


@given(patterns, values)
def test_glob_match_agrees_with_regex_reference(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) is reference_match(pattern, value)


@given(patterns, values)
def test_glob_match_agrees_with_recursive_reference(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) is recursive_match(pattern, value)


@given(patterns, st.data())
def test_glob_match_on_values_built_from_the_pattern(pattern: str, data: st.DataObject) -> None:
    """Values derived from the pattern (each `*` replaced by a run, each `?` by one
    character) must match; random values rarely exercise the matching branch."""
    out = []
    for c in pattern:
        if c == "*":
            out.append(data.draw(st.text(alphabet=VALUE_CHARS, max_size=4)))
        elif c == "?":
            out.append(data.draw(st.sampled_from(VALUE_CHARS)))
        else:
            out.append(c)
    value = "".join(out)
    assert glob_match(pattern, value) is True
    assert reference_match(pattern, value) is True


@given(patterns, values)
def test_compiled_matcher_agrees(pattern: str, value: str) -> None:
    assert compile_glob(pattern)(value) is glob_match(pattern, value)


@given(values)
def test_star_matches_everything(value: str) -> None:
    assert glob_match("*", value)
    assert compile_glob("*")(value)
    assert glob_match("**", value)


@given(plain, plain)
def test_pattern_without_wildcards_matches_only_itself(pattern: str, value: str) -> None:
    assert not has_wildcard(pattern)
    assert glob_match(pattern, value) is (pattern == value)
    assert glob_match(pattern, pattern)


@given(patterns)
def test_pattern_matches_itself(pattern: str) -> None:
    """`*` matches a literal `*` and `?` a literal `?`, so every pattern matches its text."""
    assert glob_match(pattern, pattern)


@given(st.integers(min_value=0, max_value=8), values)
def test_question_mark_is_exactly_one_character(n: int, value: str) -> None:
    assert glob_match("?" * n, value) is (len(value) == n)


@given(patterns, values)
def test_ignore_case_folds_both_sides(pattern: str, value: str) -> None:
    folded = compile_glob(pattern, ignore_case=True)
    assert folded(value) is glob_match(pattern.lower(), value.lower())
    assert folded(value.upper()) is folded(value.lower())


ACTIONS = [
    ("s3:GetObject", "s3:getobject", True),
    ("S3:GETOBJECT", "s3:GetObject", True),
    ("s3:Get*", "S3:GetObjectTagging", True),
    ("s3:get*", "s3:PutObject", False),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:*AccessKey*", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:CreateUser", False),
    ("*", "kms:Decrypt", True),
    ("s3:*", "s3express:CreateSession", False),
    ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", False),
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTIONS)
def test_action_matching_is_case_insensitive(pattern: str, action: str, expected: bool) -> None:
    assert compile_glob(pattern, ignore_case=True)(action) is expected
    assert action_matcher(pattern)(action.lower()) is expected


BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
RESOURCES = [
    # AWS's examples for `bucket/*/test/*`
    (f"{BUCKET}/*/test/*", f"{BUCKET}/1/2/test/object.jpg", True),
    (f"{BUCKET}/*/test/*", f"{BUCKET}//test/object.jpg", True),
    (f"{BUCKET}/*/test/*", f"{BUCKET}/1/test/", True),
    (f"{BUCKET}/*/test/*", f"{BUCKET}/test/object.jpg", False),
    (f"{BUCKET}/*/test/*", f"{BUCKET}/1-test/object.jpg", False),
    (f"{BUCKET}/*/test/*", f"{BUCKET}/1/2/test.jpg", False),
    # bucket vs objects
    (f"{BUCKET}/*", BUCKET, False),
    (BUCKET, f"{BUCKET}/x", False),
    (f"{BUCKET}*", f"{BUCKET}-archive", True),
    (f"{BUCKET}/*", f"{BUCKET}-archive/x", False),
    # case-sensitive
    (f"{BUCKET}/Reports/*", f"{BUCKET}/reports/q1.csv", False),
    ("arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", False),
    # ? is one character
    (f"{BUCKET}/file-?.txt", f"{BUCKET}/file-1.txt", True),
    (f"{BUCKET}/file-?.txt", f"{BUCKET}/file-10.txt", False),
    # wildcards within a segment
    ("arn:aws:iam::111122223333:user/accounting/*",
     "arn:aws:iam::111122223333:user/accounting/eng/carol", True),
    ("arn:aws:ec2:us-*-1:111122223333:instance/*",
     "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", True),
    ("arn:aws:ec2:us-*-1:111122223333:instance/*",
     "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc", False),
    ("arn:aws:iam::*:role/App", "arn:aws:iam::111122223333:role/App", True),
    # a * that ends a segment may expand across the colons that follow
    ("arn:aws:logs:us-east-1:*", "arn:aws:logs:us-east-1:111122223333:log-group:app", True),
    ("arn:aws:logs:us-east-1:111122223333:log-group:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:web", True),
    ("*", "arn:aws:kms:us-east-1:111122223333:key/abc", True),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), RESOURCES)
def test_resource_examples(pattern: str, value: str, expected: bool) -> None:
    assert resource_matches(pattern, value) is expected


@pytest.mark.parametrize(("pattern", "value"), [
    ("*a*a*a*a*a*a*b", "a" * 5000),
    ("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 20000),
    ("*?a?a?a?a?a*b", "a" * 5000),
    ("a*" * 200 + "b", "a" * 5000),
    ("arn:aws:s3:::" + "*a" * 50 + "*b", "arn:aws:s3:::" + "a" * 5000),
])
def test_pathological_patterns_are_fast(pattern: str, value: str) -> None:
    """A backtracking matcher takes exponential time here; ours must not."""
    start = time.perf_counter()
    assert glob_match(pattern, value) is False
    assert resource_matches(pattern, value) is False
    assert glob_match(pattern, value + "b") is True
    assert time.perf_counter() - start < 1.0
