"""Date operators: compare instants given as W3C ISO 8601 text or epoch seconds.

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
Wildcards and policy variables are not permitted. A value without a zone is UTC. The
request's time comes from the request (aws:CurrentTime / aws:EpochTime), never the clock.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timezone

from .base import BaseOperator, Predicate

_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


def to_instant(text: str) -> datetime:
    raw = text.strip()
    if _EPOCH.match(raw):
        try:
            return datetime.fromtimestamp(float(raw), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{text!r}: epoch seconds out of range") from None
    if "*" in raw or "?" in raw or "${" in raw:
        raise ValueError(f"{text!r}: Date operators accept no wildcards or variables")
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        instant = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date or epoch seconds") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)


def _comparing(compare: Callable[[datetime, datetime], bool]) -> Callable[[str], Predicate]:
    def compile_(policy: str) -> Predicate:
        bound = to_instant(policy)

        def predicate(value: str) -> bool:
            try:
                return compare(to_instant(value), bound)
            except ValueError:
                return False

        return predicate

    return compile_


OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("DateEquals", "Date", _comparing(operator.eq)),
        BaseOperator("DateNotEquals", "Date", _comparing(operator.eq), negated=True),
        BaseOperator("DateLessThan", "Date", _comparing(operator.lt)),
        BaseOperator("DateLessThanEquals", "Date", _comparing(operator.le)),
        BaseOperator("DateGreaterThan", "Date", _comparing(operator.gt)),
        BaseOperator("DateGreaterThanEquals", "Date", _comparing(operator.ge)),
    )
}
