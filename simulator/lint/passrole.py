"""Which roles may this identity policy pass, and to which services?

iam:PassRole is the permission checked when a caller hands a role to a service (EC2 instance
profile, Lambda, Glue...); the resource is the role passed, and iam:PassedToService names
the service that receives it:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html

TS005 PassRole on `*`, on every role of an account (`role/*`, account `*`), or with
NotResource: the caller can hand any role, an administrator role included, to a service it
controls (privilege escalation). No condition key narrows which role is passed (role tags
cannot be used with PassRole), so only the Resource element can: a role ARN, or a path or
name prefix (`role/service-role/*`, `role/etl-*`).
TS006 PassRole without a pinned iam:PassedToService: the role can be passed to any service.

Only statements that name IAM actions are checked (`iam:PassRole`, `iam:Pass*`, `iam:*`);
`"Action": "*"` is an administrator grant, and NotAction is out of scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..matching import action_matcher
from ..policy import PolicyDocument, PolicyKind, Statement
from .findings import Finding, LintContext, Rule, Severity
from .narrowing import narrowed

_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"

PASSROLE_ANY = Rule(
    code="TS005", name="passrole_any_role", severity=Severity.error,
    title="iam:PassRole on every role (Resource * or role/*)",
    url=_PAGE,
    fix="list the role ARNs the caller needs to pass (or a path such as "
        "arn:aws:iam::ACCOUNT:role/service-role/*)")
PASSROLE_ANY_SERVICE = Rule(
    code="TS006", name="passrole_any_service", severity=Severity.warning,
    title="iam:PassRole without an iam:PassedToService condition",
    url=_PAGE,
    fix='add "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}} '
        "(the service that needs the role)")

RULES = (PASSROLE_ANY, PASSROLE_ANY_SERVICE)
_PASSED_TO = frozenset({"iam:passedtoservice"})


def _passes_roles(stmt: Statement) -> bool:
    return stmt.effect == "Allow" and any(
        p.lower().startswith("iam:") and action_matcher(p)("iam:passrole")
        for p in stmt.action or ())


def _open(text: str) -> bool:
    return "*" in text or "?" in text


def any_role(resource: str) -> bool:
    """Does a Resource pattern cover every role of some account (or of every account)?"""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6:
        return _open(resource)
    if _open(parts[4]):
        return True
    res = parts[5]
    if not res.startswith("role/"):
        return _open(res)
    name = res[len("role/"):]
    return not name.replace("*", "").replace("?", "").strip("/")


def _passrole_statements(doc: PolicyDocument) -> Iterator[Statement]:
    if doc.kind is not PolicyKind.identity:
        return
    yield from (s for s in doc.statements if _passes_roles(s))


def check_any_role(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in _passrole_statements(doc):
        if stmt.not_resource is not None:
            wide = [f"NotResource {', '.join(stmt.not_resource)}"]
        else:
            wide = [r for r in stmt.resource or () if any_role(r)]
        if wide:
            yield PASSROLE_ANY.at(
                doc, stmt, ctx.subject,
                f"iam:PassRole on {', '.join(wide)}: the caller can pass any role, an "
                f"administrator role included, to a service it controls")


def check_any_service(doc: PolicyDocument, ctx: LintContext) -> Iterator[Finding]:
    for stmt in _passrole_statements(doc):
        if narrowed(doc, stmt, _PASSED_TO):
            continue
        yield PASSROLE_ANY_SERVICE.at(
            doc, stmt, ctx.subject,
            "iam:PassRole without a pinned iam:PassedToService: the role can be passed to "
            "any service")


CHECKS = (check_any_role, check_any_service)
