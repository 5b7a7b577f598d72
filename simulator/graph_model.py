"""What does the graph record about a principal, a resource, and an edge between them?

Nodes are principals (users, roles, service principals, OIDC providers, accounts and
principals named by policies but absent from the world, `*`) and resources (buckets,
"any object of a bucket" `arn:aws:s3:::b/*`, the prefixes policies single out, KMS keys,
other resources with a policy). Edges say what one node can do to another:

- `can_assume`: the caller obtains a session of the role (sts:AssumeRole, or
  sts:AssumeRoleWithWebIdentity from an OIDC provider). `requires` lists what the call
  must carry for the trust to admit it (ExternalId, `:sub`/`:aud`, MFA, session name,
  source identity, a principal ARN inside an external account); `chained` is set when the
  caller holds role-session credentials, so the new session is capped at one hour.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
- `can_pass`: iam:PassRole of the role to `service` (iam:PassedToService).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
- `instance_profile_of`: EC2 delivers the role's credentials to instances launched with
  `profile` (the role trusts ec2.amazonaws.com and the profile holds it).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html
- `can_act`: the actions allowed on the resource, one ActionGrant each.

Every edge keeps the RequestDecision that justified it (reason, message, deciding
statements) and the context values the graph supplied to obtain it, so a hop can be
explained, or decided again with tracing, exactly as it was decided.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from .results import RequestDecision


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class NodeKind(str, Enum):
    user = "user"
    role = "role"
    service = "service"
    web_identity = "web_identity"
    external_account = "external_account"
    external_principal = "external_principal"
    everyone = "everyone"
    bucket = "bucket"
    objects = "objects"
    key = "key"
    resource = "resource"


PRINCIPAL_KINDS = frozenset({NodeKind.user, NodeKind.role, NodeKind.service,
                             NodeKind.web_identity, NodeKind.external_account,
                             NodeKind.external_principal, NodeKind.everyone})
EXTERNAL_KINDS = frozenset({NodeKind.external_account, NodeKind.external_principal,
                            NodeKind.everyone})
EVERYONE = "*"


class GraphNode(_Frozen):
    """`id` is the ARN (users, roles, providers, resources), the service name, the
    `arn:aws:iam::ACCOUNT:root` of an external account, or `*`."""

    id: str
    kind: NodeKind
    account: str | None = None
    label: str = ""

    @property
    def external(self) -> bool:
        return self.kind in EXTERNAL_KINDS

    @property
    def is_principal(self) -> bool:
        return self.kind in PRINCIPAL_KINDS


class EdgeKind(str, Enum):
    can_assume = "can_assume"
    can_pass = "can_pass"
    instance_profile_of = "instance_profile_of"
    can_act = "can_act"


_FRIENDLY = {"sts:externalid": "ExternalId", "sts:rolesessionname": "session name",
             "sts:sourceidentity": "source identity", "aws:multifactorauthpresent": "MFA",
             "aws:multifactorauthage": "MFA age", "aws:principalarn": "caller ARN",
             "aws:sourceaccount": "source account", "aws:sourcearn": "source ARN"}


class Requirement(_Frozen):
    """One condition an edge needs the call to satisfy, as written in the policy
    (`operator`, `values`), and the value the graph supplied to satisfy it."""

    key: str
    operator: str
    values: tuple[str, ...]
    supplied: str = ""

    @property
    def label(self) -> str:
        low = self.key.lower()
        name = _FRIENDLY.get(low) or (low.rsplit(":", 1)[-1] if ":" in low else low)
        if low == "aws:multifactorauthpresent":
            return "MFA"
        shown = ", ".join(self.values)
        like = "Like" in self.operator or self.operator.startswith("Arn")
        return f"{name} {'like' if like else '='} {shown}"


class ActionGrant(_Frozen):
    """One allowed action on a resource: its access level (Service Authorization
    Reference), the decision, and for SSE-KMS objects the key-use decision it implies."""

    action: str
    level: str
    decision: RequestDecision
    supplied: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    requires: tuple[Requirement, ...] = ()
    kms: RequestDecision | None = None


class Edge(_Frozen):
    kind: EdgeKind
    source: str
    target: str
    action: str = ""
    requires: tuple[Requirement, ...] = ()
    chained: bool | None = False
    service: str | None = None
    profile: str | None = None
    decision: RequestDecision | None = None
    supplied: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    actions: tuple[ActionGrant, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The networkx multi-edge key: one edge per kind (and per service for can_pass)."""
        return f"{self.kind.value}:{self.service}" if self.kind is EdgeKind.can_pass \
            else self.kind.value

    def grant(self, action: str) -> ActionGrant | None:
        low = action.lower()
        return next((g for g in self.actions if g.action.lower() == low), None)


class Refusal(_Frozen):
    """A candidate the index proposed and the graph refused: `decide`'s decision, or a
    rule STS checks before any policy (`decision` is None then), so an answer can say why
    a principal that looked plausible is not there."""

    source: str
    target: str
    action: str
    reason: str
    message: str
    decision: RequestDecision | None = None
