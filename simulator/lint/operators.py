"""Is a condition operator used the way AWS defines it for that key?

TS013 `ForAllValues:` on a single-valued key in an Allow. ForAllValues is true when the key
is missing, so the statement also allows requests without the key; AWS: "Do not use
condition set operators ForAllValues or ForAnyValue with single-valued context keys ...
can lead to overly permissive policies":
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
Not reported when the statement also requires the key (`"Null": {"key": "false"}`).

TS014 StringLike / StringNotLike with a wildcard on an ARN-valued key (aws:PrincipalArn,
aws:SourceArn): a string `*` runs across the colons of the ARN, an ARN operator matches
segment by segment; AWS recommends ARN operators for these keys:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..policy import PolicyDocument, Statement
from .findings import Finding, LintContext, Rule, Severity
from .narrowing import operator_of

FORALL_SINGLE = Rule(
    code="TS013", name="forallvalues_single_valued_key", severity=Severity.warning,
    title="ForAllValues on a single-valued key in an Allow (true when the key is missing)",
    url=("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
         "reference_policies_condition-single-vs-multi-valued-context-keys.html"),
    fix="drop the ForAllValues: qualifier (use the plain operator), or add "
        '"Null": {"KEY": "false"} so that the key must be present')
STRING_ON_ARN = Rule(
    code="TS014", name="string_operator_on_arn_key", severity=Severity.info,
    title="StringLike with a wildcard on an ARN-valued key",
    url=("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
         "reference_policies_elements_condition_operators.html"),
    fix="use ArnLike / ArnNotLike (segment-wise matching) for aws:PrincipalArn and "
        "aws:SourceArn")

RULES = (FORALL_SINGLE, STRING_ON_ARN)

SINGLE_VALUED = frozenset({
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principaltype",
    "aws:userid", "aws:username", "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner",
    "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:securetransport",
    "aws:multifactorauthpresent", "aws:requestedregion", "aws:resourceaccount",
    "aws:resourceorgid", "aws:principalisawsservice", "aws:principalservicename",
    "aws:viaawsservice", "aws:calledviafirst", "aws:calledvialast", "sts:externalid",
    "sts:rolesessionname", "sts:sourceidentity", "iam:passedtoservice",
})
_TAG_PREFIXES = ("aws:principaltag/", "aws:resourcetag/", "aws:requesttag/")
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})


def single_valued(key: str) -> bool:
    """Keys AWS documents as single-valued (each tag key holds one value; an OIDC `:sub`
    is one subject)."""
    key = key.lower()
    return key in SINGLE_VALUED or key.startswith(_TAG_PREFIXES) or key.endswith(":sub")


def _requires_presence(stmt: Statement, key: str) -> bool:
    return any(c.key.lower() == key and operator_of(c).is_null and c.values == ("false",)
               for c in stmt.conditions)


def check_forall(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in doc.statements:
        if stmt.effect != "Allow":
            continue
        for cond in stmt.conditions:
            key = cond.key.lower()
            if operator_of(cond).qualifier != "ForAllValues" or not single_valued(key):
                continue
            if _requires_presence(stmt, key):
                continue
            yield FORALL_SINGLE.at(
                doc, stmt, ctx.subject,
                f"{cond.operator} on single-valued {cond.key}: true when the request has "
                f"no {cond.key}, so this Allow also applies without it")


def check_string_on_arn(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in doc.statements:
        for cond in stmt.conditions:
            op = operator_of(cond)
            if cond.key.lower() not in _ARN_KEYS or op.base.name not in ("StringLike",
                                                                         "StringNotLike"):
                continue
            wild = [v for v in cond.values if "*" in v or "?" in v]
            if wild:
                yield STRING_ON_ARN.at(
                    doc, stmt, ctx.subject,
                    f"{cond.operator} {cond.key} {', '.join(wild)}: a string wildcard runs "
                    f"across ARN segments; ArnLike matches segment by segment")


CHECKS = (check_forall, check_string_on_arn)
