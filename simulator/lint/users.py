"""Which IAM users hold long-term access keys and use them for data-platform access?

A data platform (Spark, Trino, Doris, StarRocks, Glue jobs) reading S3 or the Glue catalog
with an IAM user's access keys carries credentials that never expire; AWS recommends roles
(temporary credentials) for workloads:
https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds-programmatic-access.html

TS010 a user with `access_keys` whose identity policies Allow s3 or glue actions. A
statement counts as narrowed when it only works from a pinned network path (IpAddress
aws:SourceIp no wider than /8, or aws:SourceVpc / aws:SourceVpce pinned), so leaked keys are
useless elsewhere; one finding per user, at its first un-narrowed granting statement.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..world import User, World
from .coverage import grants_service
from .findings import Finding, Rule, Severity
from .narrowing import narrowed

LONG_TERM_KEYS = Rule(
    code="TS010", name="data_access_with_user_keys", severity=Severity.warning,
    title="IAM user with long-term access keys used for S3/Glue data access",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    fix="give the platform a role (instance profile, IRSA, or AssumeRole with an external "
        "id) and delete the user's access keys; meanwhile pin aws:SourceVpce or aws:SourceIp")

RULES = (LONG_TERM_KEYS,)
_SERVICES = ("s3", "glue")
_NETWORK = frozenset({"aws:sourcevpc", "aws:sourcevpce"})


def _user_finding(user: User) -> Finding | None:
    for doc in user.policies:
        for stmt in doc.statements:
            services = [s for s in _SERVICES if grants_service(stmt, s)]
            if not services or narrowed(doc, stmt, _NETWORK, network=True):
                continue
            return LONG_TERM_KEYS.at(
                doc, stmt, user.arn,
                f"user {user.arn} has long-term access keys and this statement grants "
                f"{' and '.join(services)} actions from anywhere: a data platform should "
                f"use a role's temporary credentials")
    return None


def check_users(world: World) -> Iterator[Finding]:
    for user in world.users:
        if not user.access_keys:
            continue
        finding = _user_finding(user)
        if finding is not None:
            yield finding
