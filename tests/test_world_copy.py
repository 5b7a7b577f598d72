"""A World is frozen, and its lookup tables (roles_by_arn, ...) are cached on first use;
a copy with other fields must not inherit the original's tables."""

from __future__ import annotations

from simulator.policy import PolicyKind, parse_policy
from simulator.world import Role, World

TRUST = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]}, name="t", kind=PolicyKind.trust)
A = Role(arn="arn:aws:iam::111122223333:role/a", trust=TRUST)
B = Role(arn="arn:aws:iam::111122223333:role/b", trust=TRUST)


def test_copy_builds_its_own_lookup_tables() -> None:
    world = World(roles=(A,))
    assert list(world.roles_by_arn) == [A.arn]
    copy = world.model_copy(update={"roles": (B,)})
    assert list(copy.roles_by_arn) == [B.arn]
    assert list(world.roles_by_arn) == [A.arn]


def test_copies_compare_by_their_fields() -> None:
    world = World(roles=(A,))
    _ = world.roles_by_arn
    assert world.model_copy() == World(roles=(A,))
