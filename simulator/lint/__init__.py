"""Condition-aware lint of a World or of one policy document: what in these policies is
risky, and does a condition already take care of it?

Each rule fires only when nothing narrows the statement (see `narrowing.py`), which is
what separates it from scanners that flag `"Principal": "*"` next to an
aws:PrincipalOrgID condition. Codes are stable; docs/lint.md lists every rule, its
severity, the AWS page behind it and the fix.

    lint_policy(doc)                  rules that need only the document
    lint_world(world, known_accounts=..., org_id=...)
                                      every policy of every role, user, bucket, key, other
                                      resource and organization level, plus rules that
                                      need the world (third-party accounts, user keys)

Findings come in walk order (roles, users, buckets, keys, resources, accounts, organization
levels), within a policy by statement index, then code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..policy import PolicyDocument
from ..world import World
from . import operators, passrole, principals, trust, users, web_identity
from .findings import Finding, LintContext, Rule, Severity

PolicyCheck = Callable[[PolicyDocument, LintContext], Iterable[Finding]]

POLICY_CHECKS: tuple[PolicyCheck, ...] = (
    *trust.CHECKS, *principals.CHECKS, *passrole.CHECKS, *web_identity.CHECKS,
    *operators.CHECKS,
)
RULES: dict[str, Rule] = {
    r.code: r
    for r in sorted((*trust.RULES, *principals.RULES, *passrole.RULES, *web_identity.RULES,
                     *users.RULES, *operators.RULES), key=lambda r: r.code)
}


def _lint(doc: PolicyDocument, ctx: LintContext) -> list[Finding]:
    found = [f for check in POLICY_CHECKS for f in check(doc, ctx)]
    return sorted(found, key=lambda f: (f.statement, f.code))


def lint_policy(doc: PolicyDocument, *, subject: str = "",
                known_accounts: frozenset[str] | None = None,
                org_id: str | None = None) -> tuple[Finding, ...]:
    """Lint one document. TS001 (third-party trust) needs `known_accounts` (your accounts;
    the subject's own account is read off `subject` when it is an ARN) and is skipped
    without it; TS010 needs a World and never fires here."""
    account = None
    if subject.startswith("arn:") and subject.count(":") >= 5:
        account = subject.split(":", 5)[4] or None
    ctx = LintContext(subject=subject, subject_account=account,
                      known_accounts=known_accounts, org_id=org_id)
    return tuple(_lint(doc, ctx))


def own_accounts(world: World, known_accounts: frozenset[str] | None = None) -> frozenset[str]:
    """The accounts that are not third parties: `known_accounts`, the organization's member
    accounts (an Account with an ou_path) and its management account. Accounts the world
    lists without an ou_path (vendors, customers) stay third parties."""
    known = set(known_accounts or ())
    known.update(a.id for a in world.accounts.values() if a.ou_path is not None)
    if world.organization and world.organization.management_account:
        known.add(world.organization.management_account)
    return frozenset(known)


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return (parts[4] or None) if len(parts) == 6 else None


def lint_world(world: World, *, known_accounts: frozenset[str] | None = None,
               org_id: str | None = None) -> tuple[Finding, ...]:
    """Lint every policy of the world, and the world-level rules (TS010)."""
    org = world.organization
    org_id = org_id or (org.id if org else None)
    known = own_accounts(world, known_accounts)
    out: list[Finding] = []

    def run(docs: Iterable[PolicyDocument | None], subject: str, account: str | None) -> None:
        ctx = LintContext(subject=subject, subject_account=account, known_accounts=known,
                          org_id=org_id)
        for doc in docs:
            if doc is not None:
                out.extend(_lint(doc, ctx))

    for role in world.roles:
        run((role.trust, *role.policies, role.boundary), role.arn, role.account)
    for user in world.users:
        run((*user.policies, user.boundary), user.arn, user.account)
    out.extend(users.check_users(world))
    for bucket in world.buckets:
        run((bucket.policy,), bucket.arn, bucket.account)
    for key in world.keys:
        run((key.policy,), key.arn, key.account)
    for resource in world.resources:
        run((resource.policy,), resource.arn, _account_of(resource.arn))
    for account in world.accounts.values():
        run((*account.scps, *account.rcps), account.id, account.id)
    for path, level in (org.levels.items() if org else ()):
        run((*level.scps, *level.rcps), path, None)
    return tuple(out)


__all__ = ["Finding", "LintContext", "RULES", "Rule", "Severity", "lint_policy",
           "lint_world", "own_accounts"]
