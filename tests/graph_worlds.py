"""Small worlds for the graph tests, built from simulator.world models and parse_policy."""

from __future__ import annotations

from typing import Any

from simulator.policy import PolicyDocument, PolicyKind, parse_policy
from simulator.world import (
    Account,
    Bucket,
    InstanceProfile,
    KmsKey,
    OidcProvider,
    Organization,
    OrgLevel,
    Role,
    User,
    World,
)

VENDOR = "111122223333"
CUSTOMER = "444455556666"
OUTSIDE = "999988887777"
ORG = "o-abc123defg"
DORIS_EC2 = f"arn:aws:iam::{VENDOR}:role/doris-ec2"
DORIS_S3 = f"arn:aws:iam::{CUSTOMER}:role/data/doris-s3"
LAKE = "arn:aws:s3:::customer-lake"
EC2 = "ec2.amazonaws.com"
Json = dict[str, Any]


def doc(statements: list[Json], name: str = "policy",
        kind: PolicyKind = PolicyKind.identity) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, name=name,
                        kind=kind)


def trust(*statements: Json) -> PolicyDocument:
    return doc(list(statements), "trust", PolicyKind.trust)


def allow(action: str | list[str], resource: str | list[str], **condition: Json) -> Json:
    stmt: Json = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return stmt


def admits(principal: Json | str, action: str = "sts:AssumeRole", **condition: Json) -> Json:
    stmt: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        stmt["Condition"] = condition
    return stmt


def role(arn: str, trust_doc: PolicyDocument, *statements: Json, name: str = "",
         **kw: Any) -> Role:
    policies = (doc(list(statements), name or arn.rsplit("/", 1)[-1] + "-policy"),) \
        if statements else ()
    return Role(arn=arn, trust=trust_doc, policies=policies, **kw)


def user(arn: str, *statements: Json, **kw: Any) -> User:
    policies = (doc(list(statements), arn.rsplit("/", 1)[-1] + "-policy"),) \
        if statements else ()
    return User(arn=arn, policies=policies, **kw)


def s3_rw(bucket: str = "customer-lake") -> list[Json]:
    return [allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/*"),
            allow("s3:ListBucket", f"arn:aws:s3:::{bucket}")]


def doris_world(*, external_id: str = "doris-external-id", **changes: Any) -> World:
    """Doris FE/BE on EC2 (vendor account) assume the customer's role with an ExternalId
    and work on s3://customer-lake/backup/ (aws-semantics.md §18)."""
    ec2 = role(DORIS_EC2, trust(admits({"Service": EC2})),
               allow("sts:AssumeRole", DORIS_S3), name="assume-customer")
    s3 = role(DORIS_S3, trust(admits({"AWS": DORIS_EC2},
                                     StringEquals={"sts:ExternalId": external_id})),
              allow(["s3:GetObject", "s3:PutObject"], f"{LAKE}/backup/*"),
              allow("s3:ListBucket", LAKE), name="DorisS3Access")
    fields: dict[str, Any] = {
        "name": "doris",
        "accounts": {VENDOR: Account(id=VENDOR, name="doris-vendor"),
                     CUSTOMER: Account(id=CUSTOMER, name="customer")},
        "roles": (ec2, s3),
        "instance_profiles": (InstanceProfile(
            arn=f"arn:aws:iam::{VENDOR}:instance-profile/doris-fe", role=DORIS_EC2),),
        "buckets": (Bucket(name="customer-lake", account=CUSTOMER),)}
    fields.update(changes)
    return World(**fields)


def replaced(world: World, **changes: Any) -> World:
    """A new World with some fields changed. (`model_copy` would carry the cached
    `roles_by_arn` & co. of the old one over.)"""
    return World(**{**{name: value for name, value in world}, **changes})


def full_access() -> PolicyDocument:
    return doc([allow("*", "*")], "FullAWSAccess", PolicyKind.scp)


def org_world(roles: tuple[Role, ...], *, buckets: tuple[Bucket, ...] = (),
              sandbox_scp: list[Json] | None = None, rcp: list[Json] | None = None,
              users: tuple[User, ...] = (), keys: tuple[KmsKey, ...] = (),
              providers: tuple[OidcProvider, ...] = (),
              profiles: tuple[InstanceProfile, ...] = ()) -> World:
    """CUSTOMER in root/Prod (RCP `rcp`), VENDOR in root/Sandbox (SCP `sandbox_scp` beside
    FullAWSAccess); OUTSIDE is not described."""
    full = (full_access(),)
    sandbox = full + ((doc(sandbox_scp, "sandbox-guardrails", PolicyKind.scp),)
                      if sandbox_scp else ())
    levels = {"root": OrgLevel(name="root", scps=full),
              "root/Prod": OrgLevel(name="Prod", scps=full,
                                    rcps=(doc(rcp, "perimeter", PolicyKind.rcp),) if rcp
                                    else ()),
              "root/Sandbox": OrgLevel(name="Sandbox", scps=sandbox)}
    return World(name="org", organization=Organization(id=ORG, levels=levels),
                 accounts={CUSTOMER: Account(id=CUSTOMER, name="customer",
                                             ou_path="root/Prod", scps=full),
                           VENDOR: Account(id=VENDOR, name="sandbox", ou_path="root/Sandbox",
                                           scps=full)},
                 roles=roles, buckets=buckets, users=users, keys=keys,
                 oidc_providers=providers, instance_profiles=profiles)


def doris_irsa_world() -> World:
    """doris_world plus Doris BE pods on EKS (IRSA) assuming the same customer role: the
    world pictured in docs/graph.md."""
    url = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
    provider = f"arn:aws:iam::{VENDOR}:oidc-provider/{url}"
    irsa = role(f"arn:aws:iam::{VENDOR}:role/doris-be-irsa", trust(admits(
        {"Federated": provider}, "sts:AssumeRoleWithWebIdentity",
        StringEquals={f"{url}:sub": "system:serviceaccount:doris:be"})),
        allow("sts:AssumeRole", DORIS_S3))
    customer = role(DORIS_S3, trust(admits({"AWS": [DORIS_EC2, irsa.arn]}, StringEquals={
        "sts:ExternalId": "doris-external-id"})),
        allow(["s3:GetObject", "s3:PutObject"], f"{LAKE}/backup/*"),
        allow("s3:ListBucket", LAKE), name="DorisS3Access")
    world = doris_world()
    return replaced(world, roles=(world.roles[0], customer, irsa),
                    oidc_providers=(OidcProvider(arn=provider),))
