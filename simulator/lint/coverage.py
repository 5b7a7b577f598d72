"""What does a statement cover: which actions, which services, whose accounts?

Lint rules ask these questions of a statement as written, without a request: "does this
Allow reach sts:AssumeRole?", "does it grant anything in s3?", "which accounts do its AWS
principals belong to?", "does that Deny cover every action and resource of this Allow?".
Action names are case-insensitive, resources case-sensitive:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

from ..arn import is_account_id
from ..matching import action_matcher, resource_matches
from ..policy import Statement


def covers_action(stmt: Statement, action: str) -> bool:
    """Does the Action (or NotAction) element reach `action` (e.g. `sts:AssumeRole`)?"""
    lowered = action.lower()
    if stmt.action is not None:
        return any(action_matcher(p)(lowered) for p in stmt.action)
    return not any(action_matcher(p)(lowered) for p in stmt.not_action or ())


def grants_service(stmt: Statement, service: str) -> bool:
    """Does an Allow reach some action of `service` (`s3:*`, `s3:Get*`, `*`, a NotAction that
    does not exclude the whole service)?"""
    if stmt.effect != "Allow":
        return False
    prefix = service.lower() + ":"
    if stmt.action is not None:
        return any(p == "*" or p.lower().startswith(prefix) for p in stmt.action)
    return not any(p == "*" or p.lower() == prefix + "*" for p in stmt.not_action or ())


def principal_account(value: str) -> str | None:
    """The account of an AWS principal value (account id or ARN); None for `*` and for a
    bare unique id (AIDA.../AROA...), whose account cannot be read off."""
    if is_account_id(value):
        return value
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        return parts[4] if len(parts) == 6 and parts[4] else None
    return None


def is_whole_account(value: str) -> bool:
    """An account id or `arn:...:iam::ACCOUNT:root`: every principal of the account."""
    return is_account_id(value) or (value.startswith("arn:") and value.endswith(":root"))


def _same_pattern(outer: str, inner: str) -> bool:
    """A `?` in a Deny pattern can match a literal `*` of the Allow pattern without covering
    what that `*` stands for, so such a pattern covers only an identical one."""
    return outer == inner


def deny_covers(deny: Statement, allow: Statement) -> bool:
    """Does `deny` apply to every action and resource `allow` grants (ignoring conditions
    and principals)? Conservative: a NotAction/NotResource Allow is covered only by `*`."""
    if deny.not_action is not None or deny.not_resource is not None:
        return False
    deny_actions = deny.action or ()
    if allow.action is None:
        if "*" not in deny_actions:
            return False
    else:
        for pattern in allow.action:
            if not any(_action_covers(d, pattern) for d in deny_actions):
                return False
    if allow.resource is None and allow.not_resource is None:
        return True  # a trust policy: the role is the resource
    deny_resources = deny.resource or ()
    if allow.resource is None:
        return "*" in deny_resources
    return all(any(_resource_covers(d, r) for d in deny_resources) for r in allow.resource)


def _action_covers(deny_pattern: str, allow_pattern: str) -> bool:
    if "?" in deny_pattern:
        return _same_pattern(deny_pattern.lower(), allow_pattern.lower())
    return action_matcher(deny_pattern)(allow_pattern.lower())


def _resource_covers(deny_pattern: str, allow_pattern: str) -> bool:
    if "?" in deny_pattern:
        return _same_pattern(deny_pattern, allow_pattern)
    return resource_matches(deny_pattern, allow_pattern)
