"""Which tokens of an OIDC identity provider may assume this role?

A trust Allow for sts:AssumeRoleWithWebIdentity naming `Federated: arn:...:oidc-provider/ISSUER`
admits every token that issuer signs for an accepted audience, unless a condition on
`ISSUER:sub` names the workload. For shared issuers the audience says little: every GitHub
repository and every pod of an EKS cluster presents `aud = sts.amazonaws.com`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html

TS007 no condition on `:sub` nor `:aud`; TS009 `:aud` pinned but `:sub` not (exactly one of
them fires per statement). A `:sub` pattern narrows when it fixes at least one complete,
non-generic segment (`repo:org/*`, `system:serviceaccount:ns:*` narrow; `repo:*`,
`system:serviceaccount:*` do not).
TS008 a `:sub` value with `*` or `?` under StringEquals: there they are literal characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String),
so the condition matches no real subject; StringLike was probably meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..conditions import Operator
from ..policy import PolicyDocument
from .coverage import covers_action
from .findings import Finding, LintContext, Rule, Severity
from .narrowing import narrowed, operator_of

_OIDC_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"

NO_SUB = Rule(
    code="TS007", name="web_identity_without_sub", severity=Severity.error,
    title="web identity trust without a :sub (or :aud) condition",
    url=_OIDC_PAGE,
    fix='add "StringEquals": {"ISSUER:aud": "sts.amazonaws.com", "ISSUER:sub": '
        '"<subject of the workload>"} (StringLike for a pattern such as repo:org/repo:*)')
SUB_LITERAL_WILDCARD = Rule(
    code="TS008", name="sub_wildcard_under_string_equals", severity=Severity.warning,
    title=":sub value with * or ? under StringEquals (literal there)",
    url=("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
         "reference_policies_elements_condition_operators.html"),
    fix="use StringLike for a :sub pattern (or drop the wildcard for an exact subject)")
AUD_WITHOUT_SUB = Rule(
    code="TS009", name="web_identity_aud_without_sub", severity=Severity.error,
    title="web identity trust checks :aud but not :sub",
    url=_OIDC_PAGE,
    fix='add a :sub condition naming the workload, e.g. "StringLike": {"ISSUER:sub": '
        '"repo:my-org/my-repo:*"}')

RULES = (NO_SUB, SUB_LITERAL_WILDCARD, AUD_WITHOUT_SUB)
_GENERIC = frozenset({"repo", "system", "serviceaccount", "project_path", "organization",
                      "project"})
_EQUALS = frozenset({"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                     "StringNotEqualsIgnoreCase"})


def subject_pinned(key: str, value: str, op: Operator) -> bool:
    """Does a `:sub` value name a workload (a complete, non-generic segment)?"""
    del key
    if "${" in value:
        return False
    if not op.base.wildcards or ("*" not in value and "?" not in value):
        return True
    cut = min(i for i in (value.find("*"), value.find("?")) if i >= 0)
    complete = re.split(r"[:/]", value[:cut])[:-1]
    return any(s and s.lower() not in _GENERIC for s in complete)


def _issuers(federated: tuple[str, ...]) -> list[str]:
    return [v.split(":oidc-provider/", 1)[1] for v in federated if ":oidc-provider/" in v]


def check_web_identity(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in doc.statements:
        if (stmt.effect != "Allow" or stmt.principal is None
                or not covers_action(stmt, "sts:AssumeRoleWithWebIdentity")):
            continue
        no_claims: list[str] = []
        aud_only: list[str] = []
        for issuer in _issuers(stmt.principal.federated):
            sub_key = frozenset({f"{issuer}:sub".lower()})
            if narrowed(doc, stmt, sub_key, pin=subject_pinned):
                continue
            aud_key = frozenset({f"{issuer}:aud".lower()})
            (aud_only if narrowed(doc, stmt, aud_key) else no_claims).append(issuer)
        if no_claims:
            yield NO_SUB.at(
                doc, stmt, ctx.subject,
                f"any token issued by {', '.join(no_claims)} can assume this role: no "
                f"condition pins :sub (nor :aud)")
        if aud_only:
            yield AUD_WITHOUT_SUB.at(
                doc, stmt, ctx.subject,
                f"{', '.join(aud_only)}: :aud is checked but :sub is not, so every workload "
                f"the issuer serves with that audience can assume this role")


def check_sub_literal(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in doc.statements:
        for cond in stmt.conditions:
            if not cond.key.lower().endswith(":sub"):
                continue
            if operator_of(cond).base.name not in _EQUALS:
                continue
            wild = [v for v in cond.values if "*" in v or "?" in v]
            if wild:
                yield SUB_LITERAL_WILDCARD.at(
                    doc, stmt, ctx.subject,
                    f"{cond.operator} {cond.key} {', '.join(wild)}: under {cond.operator} "
                    f"* and ? are literal characters, so no real subject matches; use "
                    f"StringLike")


CHECKS = (check_web_identity, check_sub_literal)
