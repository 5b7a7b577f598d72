"""Which bucket policies S3 Block Public Access counts as public ("The meaning of public",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
each rule that makes a statement public has a narrowed twin that must not be."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.policy import PolicyKind, parse_policy
from simulator.public_policy import public_policy

BUCKET = "arn:aws:s3:::lake/*"


def _doc(*statements: dict[str, Any]) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)},
                        name="bucket", kind=PolicyKind.resource)


def _allow(principal: Any, condition: dict[str, Any] | None = None,
           effect: str = "Allow") -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Principal": principal, "Action": "s3:GetObject",
                           "Resource": BUCKET}
    if condition:
        out["Condition"] = condition
    return out


@pytest.mark.parametrize(("statement", "public"), [
    # everyone, no condition: public
    (_allow("*"), True),
    (_allow({"AWS": "*"}), True),
    (_allow({"AWS": ["111122223333", "*"]}), True),
    # fixed principals: not public
    (_allow({"AWS": "arn:aws:iam::111122223333:role/reader"}), False),
    (_allow({"AWS": "111122223333"}), False),
    (_allow({"Service": "cloudtrail.amazonaws.com"}), False),
    # a Deny makes nothing public
    (_allow("*", effect="Deny"), False),
    # NotPrincipal with Allow grants everyone but those listed
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject",
      "Resource": BUCKET}, True),
    # a listed key with a fixed value narrows; with a wildcard or a variable it does not
    (_allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), False),
    (_allow("*", {"StringLike": {"aws:SourceVpc": "vpc-*"}}), True),  # AWS's own example
    (_allow("*", {"StringEquals": {"aws:SourceAccount": "111122223333"}}), False),
    (_allow("*", {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:"
                                                 "trail/t"}}), False),
    (_allow("*", {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}), True),
    # a negated operator or IfExists holds when the key is absent: no narrowing
    (_allow("*", {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), True),
    (_allow("*", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), True),
    (_allow("*", {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), True),
    # a key not on the list does not narrow
    (_allow("*", {"Bool": {"aws:SecureTransport": "true"}}), True),
    (_allow("*", {"StringEquals": {"s3:prefix": "home/"}}), True),
    # CIDR blocks narrow, all addresses do not
    (_allow("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False),
    (_allow("*", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}}), True),
    (_allow("*", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), True),
    # aws:userid: a fixed id narrows, a role with any session (AROLEID:*) does not
    (_allow("*", {"StringEquals": {"aws:userid": "AIDAEXAMPLEUSERID"}}), False),
    (_allow("*", {"StringLike": {"aws:userid": "AROAEXAMPLEROLEID:*"}}), True),
])
def test_the_meaning_of_public(statement: dict[str, Any], public: bool) -> None:
    verdict = public_policy(_doc(statement))
    assert verdict.public is public
    assert verdict.statements == ((0,) if public else ())


def test_one_public_statement_makes_the_policy_public_and_is_named() -> None:
    verdict = public_policy(_doc(_allow({"AWS": "111122223333"}), _allow("*")))
    assert verdict.public and verdict.statements == (1,)


def test_no_policy_is_not_public() -> None:
    assert public_policy(None).public is False


def test_principal_org_id_narrows_with_a_note() -> None:
    verdict = public_policy(_doc(_allow("*", {"StringEquals": {"aws:PrincipalOrgID":
                                                              "o-abc123def4"}})))
    assert verdict.public is False
    assert verdict.notes and "aws:PrincipalOrgID" in verdict.notes[0]
