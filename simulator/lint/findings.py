"""What is a lint finding, and what does each rule promise?

A `Rule` is the fixed part of a check (stable code, snake_case name, severity, the AWS page
that justifies it, the fix); a `Finding` is one place where a rule fired: the policy by name,
the statement by index (and Sid), and the subject the policy belongs to (a role, user,
bucket, key or resource ARN). `source` (the file) is left for callers to fill in.
Severities: `error` (access wider than intended or an unsupported construct), `warning`
(probably a mistake or a known-risky pattern), `info` (works, but a narrower form exists).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from ..policy import PolicyDocument, Statement


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Finding(_Frozen):
    """One rule firing on one statement of one policy."""

    code: str
    rule: str
    severity: Severity
    message: str
    policy: str
    statement: int
    sid: str | None = None
    subject: str = ""
    source: str | None = None
    fix: str = ""
    url: str = ""

    def __str__(self) -> str:
        where = f"{self.policy!r} statement #{self.statement}"
        if self.sid:
            where += f" ({self.sid})"
        on = f" on {self.subject}" if self.subject else ""
        return f"{self.code} {self.severity.value}: {where}{on}: {self.message}"


class Rule(_Frozen):
    """The stable description of one check; `url` is the AWS page the rule comes from."""

    code: str
    name: str
    severity: Severity
    title: str
    url: str
    fix: str

    def at(self, doc: PolicyDocument, stmt: Statement, subject: str, message: str) -> Finding:
        """A finding of this rule on `stmt` of `doc`."""
        return Finding(code=self.code, rule=self.name, severity=self.severity,
                       message=message, policy=doc.name, statement=stmt.index, sid=stmt.sid,
                       subject=subject, fix=self.fix, url=self.url)


class LintContext(_Frozen):
    """What a policy check may know beyond the document: whose policy it is, and which
    accounts are not third parties (None: unknown, so rules that need it stay silent)."""

    subject: str = ""
    subject_account: str | None = None
    known_accounts: frozenset[str] | None = None
    org_id: str | None = None
