"""Principal and NotPrincipal matching.

AWS:
- Principal element (account ids and `:root` ARNs name the account, i.e. delegation; user,
  role and assumed-role session ARNs; Service; Federated; `"*"` = everyone including
  anonymous; the user-name part of a user ARN is case sensitive; an assumed-role principal
  names one specific session):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- a role ARN in a resource-based policy grants to the sessions of that role (and the grant
  is then filtered by boundary and session policy, unlike a grant naming the session):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- assumed-role session ARNs carry no role path; aws:PrincipalArn of a session is the role ARN:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
- NotPrincipal with Deny spares a caller only when its account (and, for a session, its role)
  are listed too:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.arn import Principal, PrincipalKind, principal_from_arn
from simulator.errors import ArnError
from simulator.matching import not_principal_excludes, principal_grants, strongest
from simulator.policy import PrincipalBlock
from simulator.request import make_request, request_context
from simulator.results import Grant

A = "111111111111"
B = "222222222222"
ALICE = f"arn:aws:iam::{A}:user/alice"
ROOT = f"arn:aws:iam::{A}:root"
APP = f"arn:aws:iam::{A}:role/App"
APP_WITH_PATH = f"arn:aws:iam::{A}:role/eng/App"
SESSION = f"arn:aws:sts::{A}:assumed-role/App/s1"
OIDC = f"arn:aws:iam::{A}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"


def caller(arn: str, role_arn: str | None = None) -> Principal:
    return principal_from_arn(arn, role_arn=role_arn)


def aws(*values: str) -> PrincipalBlock:
    everyone = "*" in values
    return PrincipalBlock(everyone=everyone, aws=tuple(v for v in values if v != "*"))


GRANTS: list[Any] = [
    # account forms name the account: every principal of it, not only the root user
    pytest.param(aws(A), ALICE, None, [Grant.account], id="account-id-names-user-account"),
    pytest.param(aws(ROOT), ALICE, None, [Grant.account], id="root-arn-names-user-account"),
    pytest.param(aws(ROOT), SESSION, None, [Grant.account], id="root-arn-names-session-account"),
    pytest.param(aws(A), ROOT, None, [Grant.account], id="account-id-names-root-user"),
    pytest.param(aws(B), ALICE, None, [], id="other-account-id"),
    pytest.param(aws(f"arn:aws:iam::{B}:root"), ALICE, None, [], id="other-account-root"),
    # users: exact ARN, case-sensitive user name
    pytest.param(aws(ALICE), ALICE, None, [Grant.principal], id="user-arn"),
    pytest.param(aws(f"arn:aws:iam::{A}:user/Alice"), ALICE, None, [], id="user-name-case"),
    pytest.param(aws(f"arn:aws:iam::{A}:user/bob"), ALICE, None, [], id="other-user"),
    pytest.param(aws(ALICE, A), ALICE, None, [Grant.principal, Grant.account],
                 id="user-and-account"),
    # roles: the role ARN matches the sessions of the role
    pytest.param(aws(APP), SESSION, None, [Grant.role], id="role-arn-matches-session"),
    pytest.param(aws(f"arn:aws:iam::{A}:role/Other"), SESSION, None, [], id="other-role"),
    pytest.param(aws(f"arn:aws:iam::{B}:role/App"), SESSION, None, [],
                 id="same-name-role-other-account"),
    pytest.param(aws(f"arn:aws:iam::{A}:user/App"), SESSION, None, [],
                 id="user-named-like-role"),
    pytest.param(aws(APP), ALICE, None, [], id="role-arn-not-user"),
    # role path: the session ARN has none; a path-less session matches the role with path
    pytest.param(aws(APP_WITH_PATH), SESSION, None, [Grant.role],
                 id="role-with-path-matches-pathless-session"),
    pytest.param(aws(APP_WITH_PATH), SESSION, APP_WITH_PATH, [Grant.role],
                 id="role-with-path-matches-session-with-known-path"),
    pytest.param(aws(f"arn:aws:iam::{A}:role/ops/App"), SESSION, APP_WITH_PATH, [],
                 id="role-other-path-known"),
    # sessions: a session ARN names exactly that session
    pytest.param(aws(SESSION), SESSION, None, [Grant.principal], id="session-arn"),
    pytest.param(aws(f"arn:aws:sts::{A}:assumed-role/App/s2"), SESSION, None, [],
                 id="other-session-of-same-role"),
    pytest.param(aws(SESSION), ALICE, None, [], id="session-arn-not-user"),
    pytest.param(aws(f"arn:aws:sts::{A}:federated-user/carol"),
                 f"arn:aws:sts::{A}:federated-user/carol", None, [Grant.principal],
                 id="federated-user-arn"),
    # everyone
    pytest.param(aws("*"), ALICE, None, [Grant.principal], id="star-user"),
    pytest.param(aws("*"), SESSION, None, [Grant.principal], id="star-session"),
    pytest.param(aws("*"), "anonymous", None, [Grant.principal], id="star-anonymous"),
    pytest.param(aws(A), "anonymous", None, [], id="account-not-anonymous"),
    # services and identity providers
    pytest.param(PrincipalBlock(service=("ec2.amazonaws.com",)), "ec2.amazonaws.com", None,
                 [Grant.service], id="service"),
    pytest.param(PrincipalBlock(service=("lambda.amazonaws.com",)), "ec2.amazonaws.com",
                 None, [], id="other-service"),
    pytest.param(PrincipalBlock(service=("ec2.amazonaws.com",)), ALICE, None, [],
                 id="service-not-user"),
    pytest.param(aws(A), "ec2.amazonaws.com", None, [], id="account-not-service"),
    pytest.param(PrincipalBlock(federated=(OIDC,)), OIDC, None, [Grant.web_identity],
                 id="federated-oidc"),
    pytest.param(PrincipalBlock(federated=(OIDC + "X",)), OIDC, None, [],
                 id="other-oidc-provider"),
    pytest.param(aws(A), OIDC, None, [], id="account-not-oidc"),
]


@pytest.mark.parametrize(("block", "arn", "role_arn", "expected"), GRANTS)
def test_principal_grants(block: PrincipalBlock, arn: str, role_arn: str | None,
                          expected: list[Grant]) -> None:
    assert principal_grants(block, caller(arn, role_arn)) == expected


def test_unique_id_principal() -> None:
    """IAM stores a role/user principal as its unique id; a policy left with the id of a
    deleted entity matches only that id (Principal page, "role ... unique identifier")."""
    block = aws("AROAEXAMPLEID123")
    assert principal_grants(block, caller(SESSION), "AROAEXAMPLEID123") == [Grant.role]
    assert principal_grants(block, caller(SESSION), "AROAOTHERID99999") == []
    assert principal_grants(block, caller(SESSION)) == []
    user = aws("AIDAEXAMPLEID123")
    assert principal_grants(user, caller(ALICE), "AIDAEXAMPLEID123") == [Grant.principal]


def test_strongest_grant_order() -> None:
    """A grant naming the caller itself outranks one naming its role, which outranks the
    account (which only delegates)."""
    assert strongest([Grant.account, Grant.role, Grant.principal]) is Grant.principal
    assert strongest([Grant.account, Grant.role]) is Grant.role
    assert strongest([Grant.account]) is Grant.account
    assert strongest([]) is None


NOT_PRINCIPAL: list[Any] = [
    # AWS's user example: list the user and its account
    pytest.param(aws("arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"),
                 "arn:aws:iam::444455556666:user/Bob", True, id="user-and-account"),
    pytest.param(aws("arn:aws:iam::444455556666:user/Bob"),
                 "arn:aws:iam::444455556666:user/Bob", False, id="user-only"),
    pytest.param(aws("arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"),
                 "arn:aws:iam::444455556666:user/Carol", False, id="other-user-same-account"),
    # AWS's role example: session, role and account
    pytest.param(aws("arn:aws:sts::444455556666:assumed-role/ro-role/audit-app",
                     "arn:aws:iam::444455556666:role/ro-role", "arn:aws:iam::444455556666:root"),
                 "arn:aws:sts::444455556666:assumed-role/ro-role/audit-app", True,
                 id="session-role-account"),
    pytest.param(aws("arn:aws:iam::444455556666:role/ro-role", "arn:aws:iam::444455556666:root"),
                 "arn:aws:sts::444455556666:assumed-role/ro-role/any-session", True,
                 id="role-and-account"),
    pytest.param(aws("arn:aws:sts::444455556666:assumed-role/ro-role/audit-app"),
                 "arn:aws:sts::444455556666:assumed-role/ro-role/audit-app", False,
                 id="session-only"),
    pytest.param(aws("arn:aws:sts::444455556666:assumed-role/ro-role/audit-app",
                     "arn:aws:iam::444455556666:root"),
                 "arn:aws:sts::444455556666:assumed-role/ro-role/other", False,
                 id="other-session"),
    # the root user's ARN is the account ARN: listing the account lists the root user
    pytest.param(aws(ROOT), ROOT, True, id="root-user-by-account-arn"),
    pytest.param(aws(A), ROOT, True, id="root-user-by-account-id"),
    pytest.param(aws(f"arn:aws:iam::{B}:root"), ROOT, False, id="root-user-other-account"),
    pytest.param(aws("*"), ALICE, True, id="everyone"),
    pytest.param(PrincipalBlock(service=("ec2.amazonaws.com",)), "ec2.amazonaws.com", True,
                 id="service"),
    pytest.param(aws(ALICE, ROOT), "ec2.amazonaws.com", False, id="service-not-listed"),
]


@pytest.mark.parametrize(("block", "arn", "excluded"), NOT_PRINCIPAL)
def test_not_principal_excludes(block: PrincipalBlock, arn: str, excluded: bool) -> None:
    assert not_principal_excludes(block, caller(arn)) is excluded


def test_session_identity() -> None:
    """A session ARN names its role without the path; with the role ARN known, that ARN (with
    its path) is aws:PrincipalArn."""
    bare = caller(SESSION)
    assert bare.kind is PrincipalKind.role_session
    assert bare.account == A and bare.session_name == "s1" and bare.role_name == "App"
    assert bare.principal_arn == APP
    known = caller(SESSION, APP_WITH_PATH)
    assert known.principal_arn == APP_WITH_PATH
    with pytest.raises(ArnError):
        caller(SESSION, f"arn:aws:iam::{A}:role/Other")


@pytest.mark.parametrize(("arn", "role_arn", "principal_arn"), [
    (SESSION, None, APP),
    (SESSION, APP_WITH_PATH, APP_WITH_PATH),
    (ALICE, None, ALICE),
    (ROOT, None, ROOT),
])
def test_principal_arn_context_key(arn: str, role_arn: str | None, principal_arn: str) -> None:
    """aws:PrincipalArn is the role ARN for a session, never the session ARN."""
    request = make_request(arn, "s3:GetObject", "arn:aws:s3:::bucket-a/x", role_arn=role_arn)
    context, _ = request_context(request)
    assert context["aws:principalarn"] == (principal_arn,)


@pytest.mark.parametrize("text", ["arn:aws:sts::111111111111:assumed-role/App",
                                  "arn:aws:iam::111111111111:group/devs", "not an arn",
                                  "arn:aws:s3:::bucket"])
def test_bad_principal_strings(text: str) -> None:
    """Groups are not principals; an assumed-role ARN names ROLE/SESSION."""
    with pytest.raises(ArnError):
        principal_from_arn(text)
