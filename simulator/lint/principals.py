"""Whom does a trust or resource-based policy let in: everyone, everyone but a few?

TS002 `Principal: "*"` in an Allow that nothing narrows. `*` is every principal of every
account, and anonymous callers too where the service allows them; AWS says to narrow it with
conditions such as aws:PrincipalOrgID or aws:PrincipalArn:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
sts:ExternalId does not narrow it: AWS states the external id is not a secret
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html),
so `*` + ExternalId is any AWS account that learns a string.

TS003 NotPrincipal with Allow: "Using it with Allow is not supported" and it grants every
principal not listed, anonymous ones included. No condition silences it.
TS012 NotPrincipal with Deny that names a user or role but not its account: AWS checks the
account first, so the named principal is denied anyway (the whole account is):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..policy import PolicyDocument, PolicyKind
from .coverage import principal_account
from .findings import Finding, LintContext, Rule, Severity
from .narrowing import PRINCIPAL_KEYS, narrowed

_PRINCIPAL_PAGE = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                   "reference_policies_elements_principal.html")
_NOTPRINCIPAL_PAGE = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                      "reference_policies_elements_notprincipal.html")

PUBLIC = Rule(
    code="TS002", name="public_principal", severity=Severity.error,
    title='Principal "*" in an Allow that no condition narrows',
    url=_PRINCIPAL_PAGE,
    fix="name the principals, or add a condition that pins them: aws:PrincipalOrgID, "
        "aws:PrincipalArn (ArnLike), aws:PrincipalAccount, aws:SourceAccount, aws:SourceArn, "
        "aws:SourceVpce")
NOT_PRINCIPAL_ALLOW = Rule(
    code="TS003", name="not_principal_allow", severity=Severity.error,
    title="NotPrincipal with Allow (grants everyone not listed)",
    url=_NOTPRINCIPAL_PAGE,
    fix='use "Principal" with the principals to allow; to exclude principals use a Deny '
        "with ArnNotLike aws:PrincipalArn")
NOT_PRINCIPAL_ACCOUNT = Rule(
    code="TS012", name="not_principal_missing_account", severity=Severity.warning,
    title="Deny with NotPrincipal names a user or role but not its account",
    url=_NOTPRINCIPAL_PAGE,
    fix="list the account (arn:aws:iam::ACCOUNT:root) next to each user/role in NotPrincipal, "
        "or replace NotPrincipal with a Deny on ArnNotLike aws:PrincipalArn")

RULES = (PUBLIC, NOT_PRINCIPAL_ALLOW, NOT_PRINCIPAL_ACCOUNT)
_GRANTING_KINDS = (PolicyKind.trust, PolicyKind.resource)


def check_public(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    if doc.kind not in _GRANTING_KINDS:
        return
    for stmt in doc.statements:
        if stmt.effect != "Allow" or stmt.principal is None or not stmt.principal.everyone:
            continue
        if narrowed(doc, stmt, PRINCIPAL_KEYS, network=True):
            continue
        who = ("any AWS principal of any account can assume this role"
               if doc.kind is PolicyKind.trust
               else "any principal of any account (and anonymous callers, where the service "
                    "accepts them) is granted these actions")
        note = ""
        if any(c.key.lower() == "sts:externalid" for c in stmt.conditions):
            note = " (sts:ExternalId does not count: AWS says it is not a secret)"
        yield PUBLIC.at(doc, stmt, ctx.subject,
                        f'Principal "*": {who}; no condition pins the caller{note}')


def check_not_principal(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in doc.statements:
        block = stmt.not_principal
        if block is None:
            continue
        if stmt.effect == "Allow":
            yield NOT_PRINCIPAL_ALLOW.at(
                doc, stmt, ctx.subject,
                f"NotPrincipal with Allow grants every principal except "
                f"{', '.join(block.values())} (anonymous callers included); AWS does not "
                f"support this combination")
            continue
        listed = {principal_account(v) for v in block.aws
                  if v.isdigit() or v.endswith(":root")}
        missing = []
        for value in block.aws:
            account = principal_account(value)
            if value.isdigit() or value.endswith(":root") or account is None:
                continue
            if account not in listed:
                missing.append(f"{value} (account {account})")
        if missing:
            yield NOT_PRINCIPAL_ACCOUNT.at(
                doc, stmt, ctx.subject,
                f"NotPrincipal spares {', '.join(missing)} without its account, so AWS "
                f"denies the account and with it the principal")


CHECKS = (check_public, check_not_principal)
