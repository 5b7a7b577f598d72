"""Does an Action, Resource or Principal element match the request?

- Actions: `service:name`, case-insensitive, `*` and `?` wildcards; `"*"` is every action.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resources: case-sensitive; `*` and `?` within any segment; `*` crosses `/` (S3 keys are
  flat), and a `*` that ends a segment may expand across `:`; no wildcard in the service.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Principals: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  `*` is everyone (anonymous included); an account id or `:root` ARN names the account
  (delegation, not the root user); a role ARN matches the sessions of that role; a session
  ARN matches only that session; Service and Federated name a service or an identity
  provider. Role ARNs carry the role path; a session ARN does not, so a session whose role
  path is unknown is compared by account and role name.
"""

from __future__ import annotations

from functools import lru_cache

from .arn import Principal, PrincipalKind, role_arn_path_free
from .policy import PrincipalBlock
from .results import Grant
from .variables import QMARK, STAR, sentinel_value
from .wildcard import Matcher, compile_glob, glob_match, has_wildcard, literal_prefix

_GRANT_ORDER = (Grant.principal, Grant.role, Grant.service, Grant.web_identity, Grant.account)


def action_matcher(pattern: str) -> Matcher:
    """Matcher for one Action value; call it with the lower-cased request action."""
    return compile_glob(pattern.lower())


def resource_matches(pattern: str, value: str) -> bool:
    """ARN-aware glob: segments compared one by one until a segment-final `*`, which may
    run across the remaining colons; the resource part is a plain glob.

    A pattern holding the escapes `${*}` / `${?}` (substituted to private sentinels by
    `variables.substitute`) matches a literal `*` / `?` in the value and nothing else:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if pattern == "*":
        return True
    if STAR in pattern or QMARK in pattern:
        value = sentinel_value(value)
    if not has_wildcard(pattern):
        return pattern == value
    p = pattern.split(":", 5)
    v = value.split(":", 5)
    if len(p) < 6 or len(v) < 6:
        return glob_match(pattern, value)
    for i in range(5):
        if p[i].endswith("*"):
            return glob_match(":".join(p[i:]), ":".join(v[i:]))
        if not glob_match(p[i], v[i]):
            return False
    return glob_match(p[5], v[5])


def resource_matcher(pattern: str) -> Matcher:
    if pattern == "*":
        return compile_glob("*")
    if not has_wildcard(pattern):
        return pattern.__eq__
    return lambda value: resource_matches(pattern, value)


@lru_cache(maxsize=16384)
def filled_resource_matcher(pattern: str) -> Matcher:
    """`resource_matches(pattern, ...)` as a matcher, built once per pattern: for a pattern
    whose variables were just filled in (it may hold the escape sentinels). A value that
    does not start with the literal head of a pattern without sentinels cannot match it
    (see `wildcard.literal_prefix`), so that test comes first."""
    if STAR in pattern or QMARK in pattern:
        return lambda value: resource_matches(pattern, value)
    if pattern == "*" or not has_wildcard(pattern):
        return resource_matcher(pattern)
    head = literal_prefix(pattern)
    return lambda value: value.startswith(head) and resource_matches(pattern, value)


def _aws_grant(value: str, caller: Principal, principal_id: str | None) -> Grant | None:
    """How one `AWS` principal value names the caller, if it does."""
    kind = caller.kind
    if kind in (PrincipalKind.service, PrincipalKind.anonymous, PrincipalKind.web_identity):
        return None
    if value.isdigit():
        return Grant.account if value == caller.account else None
    if value.endswith(":root") and value.startswith("arn:"):
        return Grant.account if value.split(":")[4] == caller.account else None
    if value[:4] in ("AIDA", "AROA"):
        if principal_id != value:
            return None
        return Grant.role if kind is PrincipalKind.role_session else Grant.principal
    if ":role/" in value:
        if kind not in (PrincipalKind.role_session, PrincipalKind.role) or not caller.role_arn:
            return None
        if caller.role_arn == value:
            return Grant.role if kind is PrincipalKind.role_session else Grant.principal
        if ":role/" in caller.role_arn and "/" not in caller.role_arn.split(":role/", 1)[1]:
            # the caller's role path is unknown (rebuilt from its session ARN)
            if role_arn_path_free(value) == caller.role_arn:
                return Grant.role if kind is PrincipalKind.role_session else Grant.principal
        return None
    return Grant.principal if value == caller.arn else None


def principal_grants(block: PrincipalBlock, caller: Principal,
                     principal_id: str | None = None) -> list[Grant]:
    """Every way the block names the caller (empty when it does not)."""
    grants: list[Grant] = []
    if block.everyone:
        grants.append(Grant.principal)
    for value in block.aws:
        grant = _aws_grant(value, caller, principal_id)
        if grant:
            grants.append(grant)
    if caller.kind is PrincipalKind.service and caller.arn in (s.lower() for s in block.service):
        grants.append(Grant.service)
    if block.federated and caller.arn in block.federated:
        grants.append(Grant.web_identity)
    return grants


def strongest(grants: list[Grant]) -> Grant | None:
    for grant in _GRANT_ORDER:
        if grant in grants:
            return grant
    return None


def not_principal_excludes(block: PrincipalBlock, caller: Principal,
                           principal_id: str | None = None) -> bool:
    """Is the caller outside a NotPrincipal's reach (so the statement does not apply)?

    AWS checks the account, the role and the session of a caller separately, so a Deny
    with NotPrincipal spares a caller only when every one of them is listed: a user needs
    its ARN and its account; a role session its session ARN (or role ARN) and its account.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    grants = principal_grants(block, caller, principal_id)
    if not grants:
        return False
    if Grant.service in grants or Grant.web_identity in grants:
        return True
    if block.everyone:
        return True
    # the root user's own ARN is the account ARN: listing the account lists the root user
    named_self = (Grant.principal in grants or Grant.role in grants
                  or caller.kind is PrincipalKind.root)
    return named_self and Grant.account in grants
