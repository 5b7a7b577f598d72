"""Is this bucket policy public, as S3 Block Public Access judges it?

S3 starts from "public" and looks for a reason each Allow statement is not: it must grant
access only to fixed values (no wildcard, no policy variable) of an AWS principal, user,
role or service principal, or of one of a set of condition keys, or limit access to a set
of CIDR blocks with aws:SourceIp ("The meaning of public",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html;
the same list in the API reference,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html).
A Deny makes nothing public. With RestrictPublicBuckets on, a bucket whose policy is
public can be reached only by AWS service principals and the bucket owner's account: "public
and cross-account access within any public bucket policy, including non-public delegation
to specific accounts, is blocked" (ibid.; applied by `decision.decide`).

Reading the list conservatively: a key narrows a statement only under an operator that
requires it to equal one of the listed values (StringEquals, StringLike without a wildcard,
ArnEquals/ArnLike without one, IpAddress), never a negated operator or `...IfExists`,
which hold when the key is absent. `aws:PrincipalOrgID` is not on AWS's list but S3 treats
it as narrowing (reported against the list in
https://github.com/awsdocs/amazon-s3-developer-guide/issues/42); a policy that is
non-public only because of it is reported as such in `PublicPolicy.notes`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .policy import Condition, PolicyDocument, Statement

# condition keys (lower-cased) whose fixed values make a statement non-public
_LISTED = frozenset({"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
                     "aws:sourceaccount", "aws:userid", "s3:dataaccesspointarn",
                     "s3:dataaccesspointaccount",
                     "s3:x-amz-server-side-encryption-aws-kms-key-id"})
_ORG = "aws:principalorgid"
_EQUALITY = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals",
                       "ArnLike"})


class PublicPolicy(BaseModel):
    """The verdict on one bucket policy: public or not, the statements that make it public
    (their indexes), and notes on readings AWS does not document."""

    model_config = ConfigDict(frozen=True)

    public: bool
    statements: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


def _fixed(value: str) -> bool:
    return not any(c in value for c in "*?") and "${" not in value


def _narrows(condition: Condition) -> str | None:
    """The key this condition pins to fixed values (lower-cased), if it does."""
    key = condition.key.lower()
    qualifier, _, operator = condition.operator.rpartition(":")
    if qualifier == "ForAllValues":
        return None  # holds when the key is absent
    if key == "aws:sourceip":
        if operator != "IpAddress":
            return None
        return key if not any(v.endswith("/0") for v in condition.values) else None
    if operator not in _EQUALITY or not all(_fixed(v) for v in condition.values):
        return None
    if key == "aws:userid" and any(v.endswith(":*") for v in condition.values):
        return None
    return key if key in _LISTED or key == _ORG else None


def _names_everyone(statement: Statement) -> bool:
    if statement.not_principal is not None:
        return True  # everyone but those listed
    block = statement.principal
    if block is None:
        return False
    return block.everyone or any(not _fixed(v) for v in block.aws)


def public_policy(policy: PolicyDocument | None) -> PublicPolicy:
    """Is the bucket policy public (see the module docstring)? No policy is not public."""
    if policy is None:
        return PublicPolicy(public=False)
    public: list[int] = []
    by_org: list[int] = []
    for s in policy.statements:
        if s.effect != "Allow" or not _names_everyone(s):
            continue
        keys = {k for k in map(_narrows, s.conditions) if k is not None}
        if not keys:
            public.append(s.index)
        elif keys == {_ORG}:
            by_org.append(s.index)
    notes = tuple(f"statement #{i} counts as non-public only through aws:PrincipalOrgID, "
                  f"which S3 treats as narrowing but does not list" for i in by_org)
    return PublicPolicy(public=bool(public), statements=tuple(public),
                        notes=() if public else notes)
