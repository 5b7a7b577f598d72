"""Date condition operators.

AWS (Date condition operators):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
- DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan,
  DateGreaterThanEquals compare instants;
- values are one of the W3C implementations of ISO 8601 or epoch (UNIX) time;
- wildcards are not permitted and policy variables are not allowed.
"""

from __future__ import annotations

import pytest

from simulator.conditions import parse_operator

Row = tuple[str, list[str], list[str], bool]

NEW_YEAR = "2026-01-01T00:00:00Z"
NEW_YEAR_EPOCH = "1767225600"

TABLE: list[Row] = [
    ("DateEquals", [NEW_YEAR], [NEW_YEAR], True),
    ("DateEquals", [NEW_YEAR], [NEW_YEAR_EPOCH], True),  # epoch == ISO instant
    ("DateEquals", [NEW_YEAR_EPOCH], [NEW_YEAR], True),
    ("DateEquals", [NEW_YEAR], ["2026-01-01T01:00:00+01:00"], True),  # same instant
    ("DateEquals", [NEW_YEAR], ["2026-01-01T00:00:01Z"], False),
    ("DateNotEquals", [NEW_YEAR], [NEW_YEAR_EPOCH], False),
    ("DateNotEquals", [NEW_YEAR], ["2025-12-31T23:59:59Z"], True),
    ("DateLessThan", [NEW_YEAR], ["2025-12-31T23:59:59Z"], True),
    ("DateLessThan", [NEW_YEAR], [NEW_YEAR], False),
    ("DateLessThan", [NEW_YEAR_EPOCH], ["2025-06-01T12:00:00Z"], True),
    ("DateLessThan", [NEW_YEAR_EPOCH], ["1800000000"], False),
    ("DateLessThanEquals", [NEW_YEAR], [NEW_YEAR], True),
    ("DateLessThanEquals", [NEW_YEAR], ["2026-01-01T00:00:01Z"], False),
    ("DateGreaterThan", [NEW_YEAR], ["2026-01-01T00:00:01Z"], True),
    ("DateGreaterThan", [NEW_YEAR], [NEW_YEAR_EPOCH], False),
    ("DateGreaterThan", ["2026-01-01T00:00:00-05:00"], ["2026-01-01T04:00:00Z"], False),
    ("DateGreaterThan", ["2026-01-01T00:00:00-05:00"], ["2026-01-01T06:00:00Z"], True),
    ("DateGreaterThanEquals", [NEW_YEAR], [NEW_YEAR], True),
    ("DateGreaterThanEquals", [NEW_YEAR], ["2025-12-31T23:59:59Z"], False),
    ("DateLessThan", ["2020-01-01T00:00:00Z", NEW_YEAR], ["2024-01-01T00:00:00Z"], True),
    # an unparseable request value satisfies no comparison (engine convention: AWS does
    # not document it; a positive operator must not grant on garbage)
    ("DateLessThan", [NEW_YEAR], ["yesterday"], False),
    ("DateGreaterThan", [NEW_YEAR], ["not-a-date"], False),
    ("DateEquals", [NEW_YEAR], ["9" * 40], False),  # epoch out of range
]


@pytest.mark.parametrize(("op", "policy", "request_values", "expected"), TABLE)
def test_date_operator(op: str, policy: list[str], request_values: list[str],
                       expected: bool) -> None:
    assert parse_operator(op).holds(policy, request_values) is expected


def test_missing_key() -> None:
    """Positive operator on a missing key: false; negated: true (condition operators page)."""
    assert parse_operator("DateLessThan").holds([NEW_YEAR], None) is False
    assert parse_operator("DateNotEquals").holds([NEW_YEAR], None) is True
    assert parse_operator("DateLessThanIfExists").holds([NEW_YEAR], None) is True


DATE_OPS = ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
            "DateGreaterThan", "DateGreaterThanEquals", "DateLessThanIfExists",
            "ForAnyValue:DateEquals"]


@pytest.mark.parametrize("op", DATE_OPS)
@pytest.mark.parametrize("bad", ["2026-*", "2026-01-0?T00:00:00Z", "*",
                                 "${aws:CurrentTime}", "${aws:TokenIssueTime}",
                                 "tomorrow", "", "2026-13-45T00:00:00Z",
                                 "9" * 30, "1" + "0" * 400])
def test_date_rejects_wildcards_variables_and_garbage(op: str, bad: str) -> None:
    """Date operators permit no wildcards and no policy variables; a value must be an ISO 8601
    date or (in range) epoch seconds."""
    with pytest.raises(ValueError):
        parse_operator(op).validate([bad])


@pytest.mark.parametrize("good", [NEW_YEAR, NEW_YEAR_EPOCH, "2026-01-01",
                                  "2026-01-01T00:00:00+02:00", "2026-01-01T00:00:00"])
def test_date_accepts_iso_and_epoch(good: str) -> None:
    parse_operator("DateLessThan").validate([good])
