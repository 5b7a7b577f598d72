"""What is this ARN, and who is this principal?

ARN shape: `arn:partition:service:region:account-id:resource`, resource forms `id`,
`type/id`, `type:id`. IAM, STS and S3 ARNs leave the region (S3 also the account) empty.
AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html

Principal kinds and the ARN each presents (same pages): the account root
`arn:aws:iam::A:root`, an IAM user `arn:aws:iam::A:user/PATH/NAME`, a role session
`arn:aws:sts::A:assumed-role/ROLE/SESSION` (the role path is NOT in it), a federated user
`arn:aws:sts::A:federated-user/NAME`, a service principal `ec2.amazonaws.com`, an OIDC
provider (the principal of an AssumeRoleWithWebIdentity call), and anonymous.

ARN parsing is ours rather than policyuniverse's `ARN`: that class accepts malformed
strings by setting `error = True` and logging at debug level, and importing it loads an
8 MB catalogue; see docs/architecture.md.
"""

from __future__ import annotations

import re
from enum import Enum

from pydantic import BaseModel, ConfigDict

from .errors import ArnError

_ACCOUNT = re.compile(r"^\d{12}$")
_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
                         "aws-iso-f", "aws-eusc"})


class Arn(BaseModel):
    """A parsed ARN. `resource` is everything after the fifth colon."""

    model_config = ConfigDict(frozen=True)

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def is_account_id(text: str) -> bool:
    return bool(_ACCOUNT.match(text))


def parse_arn(text: str, *, allow_wildcards: bool = False) -> Arn:
    """Parse `text` as an ARN or raise ArnError saying what is wrong with it.

    With `allow_wildcards` (policy patterns) `*`/`?` may appear in region, account and
    resource, never in the service segment (AWS rejects `arn:aws:s*:::x`).
    """
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ArnError(f"not an ARN (expected arn:partition:service:region:account:resource): "
                       f"{text!r}")
    _, partition, service, region, account, resource = parts
    if partition not in _PARTITIONS and not (allow_wildcards and partition == "*"):
        raise ArnError(f"unknown partition {partition!r} in {text!r}")
    if not service or not re.fullmatch(r"[a-z0-9-]+", service):
        raise ArnError(f"bad service segment {service!r} in {text!r}")
    if not resource:
        raise ArnError(f"empty resource part in {text!r}")
    if account and not allow_wildcards and not (is_account_id(account) or account == "aws"):
        raise ArnError(f"account segment {account!r} is not a 12-digit account id in {text!r}")
    return Arn(partition=partition, service=service, region=region, account=account,
               resource=resource)


class PrincipalKind(str, Enum):
    """The kinds of caller AWS distinguishes (aws:PrincipalType values where AWS has one)."""

    root = "root"
    user = "user"
    role = "role"
    role_session = "role_session"
    federated_user = "federated_user"
    service = "service"
    web_identity = "web_identity"
    anonymous = "anonymous"


class Principal(BaseModel):
    """Who makes a request, as the engine needs to know it.

    `arn` is what the request presents (the session ARN for a role session). For a role
    session `role_arn` is the role's own ARN with its path (the value of aws:PrincipalArn);
    when only the session ARN is known it is rebuilt without a path. `account` is None for
    service principals and anonymous callers.
    """

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    arn: str
    account: str | None
    name: str = ""
    role_arn: str | None = None
    session_name: str | None = None

    @property
    def principal_arn(self) -> str:
        """The value AWS puts in aws:PrincipalArn (the role ARN for a role session)."""
        return self.role_arn if self.role_arn else self.arn

    @property
    def role_name(self) -> str | None:
        if self.role_arn is None:
            return None
        return self.role_arn.rsplit("/", 1)[-1]


def principal_from_arn(text: str, *, account: str | None = None,
                       role_arn: str | None = None) -> Principal:
    """Classify a request's principal string (see the module docstring for the forms)."""
    if text == "anonymous" or text == "*":
        return Principal(kind=PrincipalKind.anonymous, arn="anonymous", account=None)
    if not text.startswith("arn:"):
        if "." in text and " " not in text:
            return Principal(kind=PrincipalKind.service, arn=text.lower(), account=None,
                             name=text.lower())
        raise ArnError(f"not a principal ARN, service name or 'anonymous': {text!r}")
    arn = parse_arn(text)
    acct = arn.account or account
    res = arn.resource
    if arn.service == "iam":
        if res == "root":
            return Principal(kind=PrincipalKind.root, arn=text, account=acct, name="root")
        if res.startswith("user/"):
            return Principal(kind=PrincipalKind.user, arn=text, account=acct,
                             name=res.rsplit("/", 1)[-1])
        if res.startswith("role/"):
            return Principal(kind=PrincipalKind.role, arn=text, account=acct,
                             name=res.rsplit("/", 1)[-1], role_arn=text)
        if res.startswith("oidc-provider/") or res.startswith("saml-provider/"):
            return Principal(kind=PrincipalKind.web_identity, arn=text, account=acct,
                             name=res.split("/", 1)[1])
    if arn.service == "sts":
        if res.startswith("assumed-role/"):
            pieces = res.split("/")
            if len(pieces) != 3 or not pieces[1] or not pieces[2]:
                raise ArnError(f"an assumed-role ARN is assumed-role/ROLE/SESSION: {text!r}")
            rebuilt = f"arn:{arn.partition}:iam::{acct}:role/{pieces[1]}"
            if role_arn and role_arn.rsplit("/", 1)[-1] != pieces[1]:
                raise ArnError(f"session {text!r} is not a session of role {role_arn!r}")
            return Principal(kind=PrincipalKind.role_session, arn=text, account=acct,
                             name=pieces[1], role_arn=role_arn or rebuilt,
                             session_name=pieces[2])
        if res.startswith("federated-user/"):
            return Principal(kind=PrincipalKind.federated_user, arn=text, account=acct,
                             name=res.split("/", 1)[1])
    raise ArnError(f"not a principal ARN (root, user, role, assumed-role, federated-user, "
                   f"oidc-provider): {text!r}")


def role_arn_path_free(role_arn: str) -> str:
    """`arn:aws:iam::A:role/path/Name` -> `arn:aws:iam::A:role/Name` (how sessions name it)."""
    head, _, rest = role_arn.partition(":role/")
    return f"{head}:role/{rest.rsplit('/', 1)[-1]}" if rest else role_arn
