"""Condition-aware lint: every rule fires on its pattern and stays quiet on the narrowed twin.

Each case is one policy (as JSON) and one rule code, with whether the rule must fire. The
twins differ from the firing case only by the narrowing condition (or the narrower element)
the rule's AWS page recommends; docs/lint.md lists the pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from simulator.conditions import parse_operator
from simulator.lint import RULES, Finding, Severity, lint_policy, lint_world, own_accounts
from simulator.lint.narrowing import value_pinned
from simulator.lint.passrole import any_role
from simulator.lint.trust import placeholder_reason
from simulator.lint.web_identity import subject_pinned
from simulator.policy import PolicyDocument, PolicyKind, parse_policy
from simulator.world import (
    Account,
    Bucket,
    KmsKey,
    Organization,
    OrgLevel,
    Resource,
    Role,
    User,
    World,
)

ME = "111122223333"
VENDOR = "999988887777"
ROLE = f"arn:aws:iam::{ME}:role/target"
GITHUB = f"arn:aws:iam::{ME}:oidc-provider/token.actions.githubusercontent.com"
EKS = f"arn:aws:iam::{ME}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
GOOD_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def policy(kind: str, *statements: dict[str, Any], name: str = "p") -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name=name,
                        kind=PolicyKind(kind))


def assume(principal: Any, condition: dict[str, Any] | None = None,
           action: str = "sts:AssumeRole") -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        stmt["Condition"] = condition
    return stmt


def web(condition: dict[str, Any] | None = None, provider: str = GITHUB) -> dict[str, Any]:
    return assume({"Federated": provider}, condition, "sts:AssumeRoleWithWebIdentity")


def get_object(principal: Any = "*", condition: dict[str, Any] | None = None,
               action: Any = "s3:GetObject") -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action,
                            "Resource": "arn:aws:s3:::lake/*"}
    if condition:
        stmt["Condition"] = condition
    return stmt


def passrole(resource: Any = f"arn:aws:iam::{ME}:role/app",
             condition: dict[str, Any] | None = None,
             action: Any = "iam:PassRole") -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return stmt


def allow_s3(condition: dict[str, Any] | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::lake/*"}
    if condition:
        stmt["Condition"] = condition
    return stmt


VENDOR_ROOT = {"AWS": f"arn:aws:iam::{VENDOR}:root"}
EXT = {"StringEquals": {"sts:ExternalId": GOOD_ID}}
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
PERIMETER_DENY = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                  "Resource": ["arn:aws:s3:::lake", "arn:aws:s3:::lake/*"],
                  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
                                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
SUB = {"token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"}

# (id, rule code, policy kind, statements, must fire, index of the statement it names)
CASES: list[tuple[str, str, str, list[dict[str, Any]], bool, int]] = [
    # TS001 third party without ExternalId
    ("ts001-vendor-root", "TS001", "trust", [assume(VENDOR_ROOT)], True, 0),
    ("ts001-vendor-role", "TS001", "trust",
     [assume({"AWS": f"arn:aws:iam::{VENDOR}:role/saas"})], True, 0),
    ("ts001-vendor-id-sts-star", "TS001", "trust",
     [assume({"AWS": VENDOR}, action="sts:*")], True, 0),
    ("ts001-narrowed-external-id", "TS001", "trust", [assume(VENDOR_ROOT, EXT)], False, 0),
    ("ts001-own-account", "TS001", "trust", [assume({"AWS": ME})], False, 0),
    ("ts001-external-id-like-star", "TS001", "trust",
     [assume(VENDOR_ROOT, {"StringLike": {"sts:ExternalId": "*"}})], True, 0),
    ("ts001-external-id-ifexists", "TS001", "trust",
     [assume(VENDOR_ROOT, {"StringEqualsIfExists": {"sts:ExternalId": GOOD_ID}})], True, 0),
    ("ts001-external-id-negated", "TS001", "trust",
     [assume(VENDOR_ROOT, {"StringNotEquals": {"sts:ExternalId": GOOD_ID}})], True, 0),
    ("ts001-narrowed-mfa", "TS001", "trust",
     [assume(VENDOR_ROOT, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})], False, 0),
    ("ts001-mfa-ifexists", "TS001", "trust",
     [assume(VENDOR_ROOT, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})], True, 0),
    ("ts001-narrowed-by-deny", "TS001", "trust",
     [assume(VENDOR_ROOT),
      {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
       "Condition": {"StringNotEquals": {"sts:ExternalId": GOOD_ID}}}], False, 0),
    ("ts001-second-statement", "TS001", "trust",
     [assume({"Service": "ec2.amazonaws.com"}), assume(VENDOR_ROOT)], True, 1),
    # TS002 Principal "*"
    ("ts002-bucket-star", "TS002", "resource", [get_object()], True, 0),
    ("ts002-trust-aws-star", "TS002", "trust", [assume({"AWS": "*"})], True, 0),
    ("ts002-narrowed-org", "TS002", "resource", [get_object("*", ORG)], False, 0),
    ("ts002-narrowed-principal-arn", "TS002", "trust",
     [assume("*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/*"}})], False, 0),
    ("ts002-principal-arn-any-account", "TS002", "trust",
     [assume("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}})], True, 0),
    ("ts002-external-id-is-not-a-pin", "TS002", "trust", [assume("*", EXT)], True, 0),
    ("ts002-forallvalues-org", "TS002", "resource",
     [get_object("*", {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})],
     True, 0),
    ("ts002-ifexists-org", "TS002", "resource",
     [get_object("*", {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}})], True, 0),
    ("ts002-narrowed-source-ip", "TS002", "resource",
     [get_object("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})], False, 0),
    ("ts002-source-ip-everywhere", "TS002", "resource",
     [get_object("*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})], True, 0),
    ("ts002-narrowed-by-perimeter-deny", "TS002", "resource",
     [get_object(), PERIMETER_DENY], False, 0),
    ("ts002-deny-covers-less", "TS002", "resource",
     [get_object(), {**PERIMETER_DENY, "Action": "s3:PutObject"}], True, 0),
    ("ts002-deny-question-mark-covers-less", "TS002", "resource",
     [get_object(action="s3:*"), {**PERIMETER_DENY, "Action": "s3:?etObject"}], True, 0),
    ("ts002-narrowed-deny-same-pattern", "TS002", "resource",
     [get_object(action="s3:?etObject"), {**PERIMETER_DENY, "Action": "s3:?etObject"}],
     False, 0),
    ("ts002-deny-with-other-condition", "TS002", "resource",
     [get_object(), {**PERIMETER_DENY, "Condition": {
         "StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"},
         "Bool": {"aws:SecureTransport": "false"}}}], True, 0),
    ("ts002-narrowed-kms-caller-account", "TS002", "resource",
     [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
       "Condition": {"StringEquals": {"kms:CallerAccount": ME,
                                      "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}],
     False, 0),
    ("ts002-narrowed-org-paths", "TS002", "resource",
     [get_object("*", {"ForAnyValue:StringLike": {
         "aws:PrincipalOrgPaths": "o-abc123/r-ab12/ou-ab12-11111111/*"}})], False, 0),
    ("ts002-org-paths-open", "TS002", "resource",
     [get_object("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*"}})], True, 0),
    ("ts002-deny-star", "TS002", "resource",
     [{**get_object(), "Effect": "Deny"}], False, 0),
    # TS003 NotPrincipal with Allow (fires even when a condition narrows: AWS does not
    # support the combination); the supported twin is the Deny.
    ("ts003-allow", "TS003", "resource",
     [{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ME}:root"},
       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*"}], True, 0),
    ("ts003-allow-even-narrowed", "TS003", "resource",
     [{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ME}:root"},
       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*", "Condition": ORG}], True, 0),
    ("ts003-deny-is-supported", "TS003", "resource",
     [{"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{ME}:root"},
       "Action": "s3:*", "Resource": "arn:aws:s3:::lake/*"}], False, 0),
    # TS004 whole account
    ("ts004-own-account-id", "TS004", "trust", [assume({"AWS": ME})], True, 0),
    ("ts004-root-arn", "TS004", "trust", [assume({"AWS": f"arn:aws:iam::{ME}:root"})], True, 0),
    ("ts004-narrowed-principal-arn", "TS004", "trust",
     [assume({"AWS": ME}, {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/ci"}})],
     False, 0),
    ("ts004-principal-arn-any-role", "TS004", "trust",
     [assume({"AWS": ME}, {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/*"}})],
     True, 0),
    ("ts004-role-named", "TS004", "trust",
     [assume({"AWS": f"arn:aws:iam::{ME}:role/ci"})], False, 0),
    # TS005 PassRole on every role
    ("ts005-star", "TS005", "identity", [passrole("*")], True, 0),
    ("ts005-role-star", "TS005", "identity", [passrole(f"arn:aws:iam::{ME}:role/*")], True, 0),
    ("ts005-any-account", "TS005", "identity", [passrole("arn:aws:iam::*:role/app")], True, 0),
    ("ts005-iam-star", "TS005", "identity", [passrole("*", action="iam:*")], True, 0),
    ("ts005-not-resource", "TS005", "identity",
     [{"Effect": "Allow", "Action": "iam:PassRole",
       "NotResource": f"arn:aws:iam::{ME}:role/admin"}], True, 0),
    ("ts005-narrowed-role", "TS005", "identity", [passrole()], False, 0),
    ("ts005-narrowed-path", "TS005", "identity",
     [passrole(f"arn:aws:iam::{ME}:role/service-role/*")], False, 0),
    ("ts005-admin-star-out-of-scope", "TS005", "identity", [passrole("*", action="*")],
     False, 0),
    # TS006 PassRole without iam:PassedToService
    ("ts006-no-condition", "TS006", "identity", [passrole()], True, 0),
    ("ts006-narrowed", "TS006", "identity",
     [passrole(condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})],
     False, 0),
    ("ts006-like-star", "TS006", "identity",
     [passrole(condition={"StringLike": {"iam:PassedToService": "*"}})], True, 0),
    ("ts006-ifexists", "TS006", "identity",
     [passrole(condition={"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}})],
     True, 0),
    # TS007 web identity without :sub / :aud
    ("ts007-no-condition", "TS007", "trust", [web()], True, 0),
    ("ts007-narrowed-sub", "TS007", "trust", [web({"StringEquals": SUB})], False, 0),
    ("ts007-sub-like-generic", "TS007", "trust",
     [web({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}})], True, 0),
    ("ts007-narrowed-sub-like-org", "TS007", "trust",
     [web({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}})],
     False, 0),
    ("ts007-aud-only-is-ts009", "TS007", "trust", [web({"StringEquals": AUD})], False, 0),
    ("ts007-cognito-not-oidc-provider", "TS007", "trust",
     [web(provider="cognito-identity.amazonaws.com")], False, 0),
    # TS008 :sub wildcard under StringEquals
    ("ts008-equals-star", "TS008", "trust",
     [web({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}})],
     True, 0),
    ("ts008-narrowed-like", "TS008", "trust",
     [web({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}})],
     False, 0),
    # TS009 :aud without :sub
    ("ts009-aud-only", "TS009", "trust", [web({"StringEquals": AUD})], True, 0),
    ("ts009-narrowed-sub", "TS009", "trust", [web({"StringEquals": {**AUD, **SUB}})], False, 0),
    ("ts009-eks-any-service-account", "TS009", "trust",
     [web({"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud":
                            "sts.amazonaws.com"},
           "StringLike": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub":
                          "system:serviceaccount:*:*"}}, EKS)], True, 0),
    ("ts009-narrowed-eks-namespace", "TS009", "trust",
     [web({"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud":
                            "sts.amazonaws.com"},
           "StringLike": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub":
                          "system:serviceaccount:lake:*"}}, EKS)], False, 0),
    # TS011 placeholder ExternalId
    ("ts011-external-id", "TS011", "trust",
     [assume(VENDOR_ROOT, {"StringEquals": {"sts:ExternalId": "external-id"}})], True, 0),
    ("ts011-template", "TS011", "trust",
     [assume(VENDOR_ROOT, {"StringEquals": {"sts:ExternalId": "<EXTERNAL_ID>"}})], True, 0),
    ("ts011-narrowed-uuid", "TS011", "trust", [assume(VENDOR_ROOT, EXT)], False, 0),
    # TS012 Deny + NotPrincipal without the account
    ("ts012-user-without-account", "TS012", "resource",
     [{"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{ME}:user/alice"},
       "Action": "s3:*", "Resource": "arn:aws:s3:::lake/*"}], True, 0),
    ("ts012-narrowed-with-account", "TS012", "resource",
     [{"Effect": "Deny",
       "NotPrincipal": {"AWS": [f"arn:aws:iam::{ME}:user/alice", f"arn:aws:iam::{ME}:root"]},
       "Action": "s3:*", "Resource": "arn:aws:s3:::lake/*"}], False, 0),
    ("ts012-narrowed-with-account-id", "TS012", "resource",
     [{"Effect": "Deny", "NotPrincipal": {"AWS": [f"arn:aws:iam::{ME}:role/ci", ME]},
       "Action": "s3:*", "Resource": "arn:aws:s3:::lake/*"}], False, 0),
    # TS013 ForAllValues on a single-valued key
    ("ts013-forall-region", "TS013", "identity",
     [allow_s3({"ForAllValues:StringEquals": {"aws:RequestedRegion": "eu-west-1"}})], True, 0),
    ("ts013-narrowed-plain", "TS013", "identity",
     [allow_s3({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})], False, 0),
    ("ts013-narrowed-null-check", "TS013", "identity",
     [allow_s3({"ForAllValues:StringEquals": {"aws:RequestedRegion": "eu-west-1"},
                "Null": {"aws:RequestedRegion": "false"}})], False, 0),
    ("ts013-multi-valued-key", "TS013", "identity",
     [allow_s3({"ForAllValues:StringEquals": {"aws:TagKeys": "team"}})], False, 0),
    ("ts013-tag-key", "TS013", "identity",
     [allow_s3({"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "data"}})], True, 0),
    # TS014 StringLike on an ARN key
    ("ts014-string-like", "TS014", "resource",
     [get_object("*", {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/etl-*"}})],
     True, 0),
    ("ts014-narrowed-arn-like", "TS014", "resource",
     [get_object("*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/etl-*"}})],
     False, 0),
    ("ts014-string-equals", "TS014", "resource",
     [get_object("*", {"StringEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ME}:role/etl"}})],
     False, 0),
]


@pytest.mark.parametrize(("code", "kind", "statements", "fires", "index"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_rule(code: str, kind: str, statements: list[dict[str, Any]], fires: bool,
              index: int) -> None:
    doc = policy(kind, *statements, name="the-policy")
    found = [f for f in lint_policy(doc, subject=ROLE, known_accounts=frozenset({ME}))
             if f.code == code]
    if not fires:
        assert found == []
        return
    assert found, f"{code} did not fire"
    finding = found[0]
    assert (finding.policy, finding.statement, finding.subject) == ("the-policy", index, ROLE)
    rule = RULES[code]
    assert (finding.rule, finding.severity, finding.fix, finding.url) == (
        rule.name, rule.severity, rule.fix, rule.url)
    assert finding.source is None


def test_every_rule_has_a_firing_case_and_a_quiet_twin() -> None:
    fired = {c[1] for c in CASES if c[4]} | {"TS010"}
    quiet = {c[1] for c in CASES if not c[4]} | {"TS010"}
    assert fired == set(RULES) == quiet


def test_third_party_rule_needs_known_accounts() -> None:
    doc = policy("trust", assume(VENDOR_ROOT))
    assert "TS001" not in [f.code for f in lint_policy(doc)]
    assert "TS001" in [f.code for f in lint_policy(doc, known_accounts=frozenset())]
    # the subject's own account is never a third party
    own = policy("trust", assume({"AWS": VENDOR}))
    subject = f"arn:aws:iam::{VENDOR}:role/x"
    assert "TS001" not in [f.code for f in lint_policy(own, subject=subject,
                                                       known_accounts=frozenset())]


@pytest.mark.parametrize(("org_id", "fires"), [("o-abc123", False), ("o-other99", True),
                                               (None, False)])
def test_third_party_narrowed_by_own_org(org_id: str | None, fires: bool) -> None:
    doc = policy("trust", assume(VENDOR_ROOT, ORG))
    codes = [f.code for f in lint_policy(doc, known_accounts=frozenset(), org_id=org_id)]
    assert ("TS001" in codes) is fires


def test_external_id_message_explains_why_it_does_not_narrow() -> None:
    (finding,) = [f for f in lint_policy(policy("trust", assume("*", EXT))) if f.code == "TS002"]
    assert "not a secret" in finding.message


@pytest.mark.parametrize(("value", "placeholder"), [
    ("external-id", True), ("EXTERNAL_ID", True), ("<your external id>", True),
    ("changeme", True), ("1234", True), ("12345678", True), ("xxxx", True),
    ("xxxxxxxxxxxx", True), ("your-external-id", True), ("example-0001", True),
    ("abc", True), ("0000", True), ("{{ external_id }}", True), ("Zx8Qp2L", True),
    (GOOD_ID, False), ("doris-prod-4f2a9c", False), ("Zx8Qp2Lm", False),
])
def test_placeholder_external_ids(value: str, placeholder: bool) -> None:
    assert (placeholder_reason(value) is not None) is placeholder


@pytest.mark.parametrize(("key", "value", "operator", "pinned"), [
    ("aws:principalorgid", "o-abc123", "StringEquals", True),
    ("aws:principalorgid", "o-*", "StringLike", False),
    ("aws:principalorgid", "o-*", "StringEquals", True),  # literal under StringEquals
    ("aws:principalarn", f"arn:aws:iam::{ME}:role/*", "ArnLike", True),
    ("aws:principalarn", "arn:aws:iam::*:role/x", "ArnLike", False),
    ("aws:sourcearn", f"arn:aws:sns:*:{ME}:topic", "ArnLike", True),
    ("aws:sourcearn", f"arn:aws:sns:*:{ME}:topic", "StringLike", False),
    ("aws:sourcearn", "arn:aws:s3:::lake/*", "ArnLike", True),
    ("aws:sourcearn", "arn:aws:s3:::lake-*", "ArnLike", False),
    ("aws:principalarn", "arn:aws:iam::${aws:PrincipalAccount}:role/x", "ArnLike", False),
    ("aws:sourceaccount", "1111*", "StringLike", False),
])
def test_value_pinned(key: str, value: str, operator: str, pinned: bool) -> None:
    assert value_pinned(key, value, parse_operator(operator)) is pinned


@pytest.mark.parametrize(("value", "pinned"), [
    ("repo:my-org/my-repo:*", True), ("repo:my-org/*", True), ("repo:my*", False),
    ("repo:*", False), ("*", False), ("system:serviceaccount:*:*", False),
    ("system:serviceaccount:lake:*", True), ("project_path:*", False),
])
def test_subject_pinned(value: str, pinned: bool) -> None:
    assert subject_pinned("x:sub", value, parse_operator("StringLike")) is pinned


@pytest.mark.parametrize(("resource", "wide"), [
    ("*", True), (f"arn:aws:iam::{ME}:role/*", True), (f"arn:aws:iam::{ME}:*", True),
    ("arn:aws:iam::*:role/app", True), (f"arn:aws:iam::{ME}:role/app", False),
    (f"arn:aws:iam::{ME}:role/service-role/*", False), (f"arn:aws:iam::{ME}:role/etl-*", False),
])
def test_passrole_any_role(resource: str, wide: bool) -> None:
    assert any_role(resource) is wide


def test_findings_are_frozen_and_sorted_by_statement_then_code() -> None:
    doc = policy("trust", assume({"AWS": ME}), assume({"AWS": "*"}),
                 assume(VENDOR_ROOT, {"StringEquals": {"sts:ExternalId": "1234"}}))
    found = lint_policy(doc, known_accounts=frozenset({ME}))
    assert [(f.statement, f.code) for f in found] == [(0, "TS004"), (1, "TS002"),
                                                      (2, "TS004"), (2, "TS011")]
    with pytest.raises(ValidationError):
        found[0].code = "TS999"  # type: ignore[misc]
    assert str(found[1]).startswith("TS002 error: 'p' statement #1")


def _world() -> World:
    org = Organization(id="o-abc123", management_account="222233334444")
    role = Role(arn=ROLE, trust=policy("trust", assume(VENDOR_ROOT), name="target-trust"),
                policies=(policy("identity", passrole("*"), name="deploy"),))
    member = Role(arn=f"arn:aws:iam::{ME}:role/member",
                  trust=policy("trust", assume({"AWS": "arn:aws:iam::555566667777:role/ci"}),
                               name="member-trust"))
    whoami = {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    glue = {"Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"}
    keys_user = User(arn=f"arn:aws:iam::{ME}:user/etl",
                     policies=(policy("identity", whoami, glue, name="etl-policy"),))
    keyless = User(arn=f"arn:aws:iam::{ME}:user/console", access_keys=False,
                   policies=(policy("identity", allow_s3(), name="console-policy"),))
    pinned = User(arn=f"arn:aws:iam::{ME}:user/pinned",
                  policies=(policy("identity", allow_s3({"StringEquals": {
                      "aws:SourceVpce": "vpce-0a1b2c3d"}}), name="pinned-policy"),))
    bucket = Bucket(name="lake", account=ME, policy=policy("resource", get_object(),
                                                            name="lake-policy"))
    key = KmsKey(arn=f"arn:aws:kms:eu-west-1:{ME}:key/k1",
                 policy=policy("resource", {"Effect": "Allow", "Principal": "*",
                                            "Action": "kms:*", "Resource": "*"}, name="key-policy"))
    queue = Resource(arn=f"arn:aws:sqs:eu-west-1:{ME}:q",
                     policy=policy("resource", {"Effect": "Allow", "Principal": "*",
                                                "Action": "sqs:SendMessage", "Resource": "*"},
                                   name="queue-policy"))
    return World(organization=org,
                 accounts={ME: Account(id=ME, ou_path="root"),
                           "555566667777": Account(id="555566667777", ou_path="root/Dev"),
                           VENDOR: Account(id=VENDOR, name="vendor")},
                 roles=(role, member), users=(keys_user, keyless, pinned), buckets=(bucket,),
                 keys=(key,), resources=(queue,))


def test_lint_world_walks_every_policy_with_its_subject() -> None:
    found = lint_world(_world())
    got = [(f.code, f.subject, f.policy, f.statement) for f in found]
    assert got == [
        ("TS001", ROLE, "target-trust", 0),
        ("TS004", ROLE, "target-trust", 0),
        ("TS005", ROLE, "deploy", 0),
        ("TS006", ROLE, "deploy", 0),
        ("TS010", f"arn:aws:iam::{ME}:user/etl", "etl-policy", 1),
        ("TS002", "arn:aws:s3:::lake", "lake-policy", 0),
        ("TS002", f"arn:aws:kms:eu-west-1:{ME}:key/k1", "key-policy", 0),
        ("TS002", f"arn:aws:sqs:eu-west-1:{ME}:q", "queue-policy", 0),
    ]


def test_lint_world_known_accounts() -> None:
    world = _world()
    assert own_accounts(world) == frozenset({ME, "555566667777", "222233334444"})
    assert VENDOR not in own_accounts(world)  # listed, but outside the organization
    codes = [f.code for f in lint_world(world, known_accounts=frozenset({VENDOR}))]
    assert "TS001" not in codes


def test_lint_world_user_with_keys_and_s3_fires_ts010() -> None:
    user = User(arn=f"arn:aws:iam::{ME}:user/spark",
                policies=(policy("identity", allow_s3(), name="spark-policy"),))
    (finding,) = lint_world(World(users=(user,)))
    assert (finding.code, finding.subject, finding.statement) == ("TS010", user.arn, 0)
    assert finding.severity is Severity.warning
    quiet = user.model_copy(update={"access_keys": False})
    assert lint_world(World(users=(quiet,))) == ()


def test_scps_and_organization_levels_are_linted() -> None:
    scp = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]},
        name="regions", kind=PolicyKind.scp)
    world = World(organization=Organization(id="o-abc123", levels={
        "root": OrgLevel(name="root", scps=(scp,))}),
        accounts={ME: Account(id=ME, ou_path="root", scps=(scp,))})
    assert [(f.code, f.subject) for f in lint_world(world)] == [("TS013", ME),
                                                                ("TS013", "root")]


def test_rules_are_documented() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        row = re.search(rf"^\| {code} \| `{rule.name}` \| (\w+) \|", doc, re.MULTILINE)
        assert row, f"{code} missing from the table in docs/lint.md"
        assert row.group(1) == rule.severity.value
        assert rule.url in doc
        assert rule.url.startswith("https://docs.aws.amazon.com/")


def test_rule_codes_are_stable() -> None:
    assert {c: (r.name, r.severity.value) for c, r in RULES.items()} == {
        "TS001": ("third_party_without_external_id", "warning"),
        "TS002": ("public_principal", "error"),
        "TS003": ("not_principal_allow", "error"),
        "TS004": ("trusts_whole_account", "info"),
        "TS005": ("passrole_any_role", "error"),
        "TS006": ("passrole_any_service", "warning"),
        "TS007": ("web_identity_without_sub", "error"),
        "TS008": ("sub_wildcard_under_string_equals", "warning"),
        "TS009": ("web_identity_aud_without_sub", "error"),
        "TS010": ("data_access_with_user_keys", "warning"),
        "TS011": ("placeholder_external_id", "warning"),
        "TS012": ("not_principal_missing_account", "warning"),
        "TS013": ("forallvalues_single_valued_key", "warning"),
        "TS014": ("string_operator_on_arn_key", "info"),
    }


def test_finding_rejects_unknown_severity() -> None:
    with pytest.raises(ValidationError):
        Finding(code="TS001", rule="x", severity="fatal", message="m", policy="p",
                statement=0)
