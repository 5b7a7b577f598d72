"""Does a string match an IAM glob pattern (`*` any run of characters, `?` exactly one)?

Used for Action and Resource elements and for StringLike / ArnLike conditions.
AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
("You can use wildcard characters (* and ?) within any ARN segment").

The matcher never backtracks: the pattern is split on `*` into chunks; the first chunk must
be a prefix, the last a suffix, and the middle chunks are found left to right, each at its
leftmost position (greedy leftmost placement is optimal for `*`-separated chunks). Chunks
without `?` use `str.find`; chunks with `?` scan with a fixed-length comparison, so the
cost is O(len(pattern) * len(value)) at worst and linear in the usual case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[str], bool]


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def literal_prefix(pattern: str) -> str:
    """The text before the first wildcard. A pattern matches only values that start with
    it: the first chunk must match at position 0 and holds no wildcard up to there (this
    holds for ARN patterns too, whose segments before a wildcard compare literally)."""
    end = len(pattern)
    for wildcard in "*?":
        found = pattern.find(wildcard, 0, end)
        if found >= 0:
            end = found
    return pattern[:end]


def _chunk_at(chunk: str, value: str, pos: int) -> bool:
    """Does `chunk` (which may hold `?`) match `value` exactly at `pos`?"""
    if pos + len(chunk) > len(value):
        return False
    for i, c in enumerate(chunk):
        if c != "?" and c != value[pos + i]:
            return False
    return True


def _find(chunk: str, value: str, start: int, end: int) -> int:
    """Leftmost position >= start where `chunk` matches and ends by `end`, or -1."""
    if "?" not in chunk:
        return value.find(chunk, start, end)
    last = end - len(chunk)
    pos = start
    while pos <= last:
        if _chunk_at(chunk, value, pos):
            return pos
        pos += 1
    return -1


def glob_match(pattern: str, value: str) -> bool:
    """True when `value` matches `pattern` over its whole length (case-sensitive)."""
    if "*" not in pattern:
        if "?" not in pattern:
            return pattern == value
        return len(pattern) == len(value) and _chunk_at(pattern, value, 0)
    chunks = pattern.split("*")
    head, tail, middle = chunks[0], chunks[-1], chunks[1:-1]
    if len(head) + len(tail) > len(value):
        return False
    if not _chunk_at(head, value, 0):
        return False
    end = len(value) - len(tail)
    if not _chunk_at(tail, value, end):
        return False
    pos = len(head)
    for chunk in middle:
        if not chunk:
            continue
        found = _find(chunk, value, pos, end)
        if found < 0:
            return False
        pos = found + len(chunk)
    return True


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> Matcher:
    """A matcher for one pattern, built once. With `ignore_case` both sides are lowered."""
    if ignore_case:
        lowered = pattern.lower()
        if lowered == "*":
            return _always
        if not has_wildcard(lowered):
            return lambda v: v.lower() == lowered
        return lambda v: glob_match(lowered, v.lower())
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        return pattern.__eq__
    return lambda v: glob_match(pattern, v)


def _always(_: str) -> bool:
    return True
