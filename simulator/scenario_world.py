"""What world does a scenario file describe? Well-formed sections -> World, cross-checked.

Checks beyond the shape of each entry:
- every account an entity lives in is declared under `accounts:` (or is one a world_from
  file creates things in);
- no ARN (or bucket name, OU, unique id) is declared twice;
- an instance profile holds a declared role of its own account
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html);
- a bucket's `kms_key` is a declared key (its key policy decides SSE-KMS use);
- organization: an account's `ou` is a declared OU (or `root`); SCPs and RCPs belong to
  accounts in the organization; a level given `scps: []` is refused, since every root, OU
  and account has at least one SCP attached
  (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html);
  a level without `scps` has FullAWSAccess, as AWS attaches it by default.
"""

from __future__ import annotations

from typing import Any

from .account_data_fields import Problems, at
from .account_data_org import ROOT, _ou_path
from .arn import parse_arn
from .policy import PolicyDocument, PolicyKind
from .scenario_format import RawAccount, RawOrgLevel
from .scenario_policies import FULL_AWS_ACCESS, PolicyRefs
from .scenario_sections import Sections
from .world import (
    Account,
    Bucket,
    InstanceProfile,
    KmsKey,
    OidcProvider,
    Organization,
    OrgLevel,
    Resource,
    Role,
    User,
    World,
)


class _Builder:
    def __init__(self, sections: Sections, refs: PolicyRefs, problems: Problems,
                 source: str, outside: World) -> None:
        self.s = sections
        self.refs = refs
        self.problems = problems
        self.source = source
        self.outside = outside
        self.seen: dict[str, str] = {}
        self.broken = set(sections.broken)

    def error(self, message: str, location: str) -> None:
        self.problems.error(message, self.source, location)

    def unique(self, what: str, key: str, location: str) -> bool:
        """False (and a problem) when `key` was declared before."""
        first = self.seen.setdefault(f"{what} {key}", location)
        if first != location:
            self.error(f"{what} {key!r} is declared twice (first at {first})", location)
            return False
        return True

    def account_known(self, account: str, location: str) -> None:
        if account and account not in self.s.accounts and account not in self.s.broken \
                and account not in self.outside.accounts:
            self.error(f"account {account} is not declared under accounts:", location)

    def policy_list(self, refs: list[Any] | None, kind: PolicyKind, label: str,
                    location: str) -> tuple[PolicyDocument, ...]:
        docs = []
        for i, ref in enumerate(refs or []):
            doc = self.refs.document(ref, name=f"{kind.value} {label}[{i}]", kind=kind,
                                     location=at(location, i))
            if doc is not None:
                docs.append(doc)
        return tuple(docs)

    def scps(self, refs: list[Any] | None, label: str, location: str) -> tuple[PolicyDocument,
                                                                               ...]:
        if refs is not None and not refs:
            self.error("every root, OU and account has at least one SCP attached: leave "
                       "scps out to keep FullAWSAccess", location)
        return self.policy_list([FULL_AWS_ACCESS] if refs is None else refs, PolicyKind.scp,
                                label, location)

    def level(self, name: str, raw: RawOrgLevel, location: str) -> OrgLevel:
        return OrgLevel(name=name, scps=self.scps(raw.scps, name, f"{location}.scps"),
                        rcps=self.policy_list(raw.rcps, PolicyKind.rcp, name,
                                              f"{location}.rcps"))

    def organization(self) -> Organization | None:
        org = self.s.organization
        if org is None:
            return None
        levels = {ROOT: self.level(ROOT, org.root, "organization.root")}
        for key, raw in org.ous.items():
            where, path = f"organization.ous.{key}", _ou_path(key)
            if path == ROOT or any(not p for p in key.strip("/").split("/")):
                self.error("an OU path names OUs below the root: Workloads/Prod", where)
            elif self.unique("OU", path, where):
                levels[path] = self.level(path.removeprefix(f"{ROOT}/"), raw, where)
        for path in sorted(levels):
            parent = path.rpartition("/")[0]
            while parent and parent not in levels:  # an OU between declared ones
                levels[parent] = self.level(parent.removeprefix(f"{ROOT}/"), RawOrgLevel(),
                                            "organization.ous")
                parent = parent.rpartition("/")[0]
        return Organization(id=org.id, management_account=org.management_account,
                            levels=levels)

    def account(self, key: str, raw: RawAccount, org: Organization | None) -> Account:
        where = f"accounts.{key}"
        if raw.ou is None:
            for name in ("scps", "rcps"):
                if getattr(raw, name) is not None:
                    self.error(f"{name} apply to accounts in the organization: give ou",
                               f"{where}.{name}")
            return Account(id=key, name=raw.name)
        if org is None:
            self.error("ou places the account in the organization: declare organization:",
                       f"{where}.ou")
        elif _ou_path(raw.ou) not in org.levels:
            self.error(f"OU {raw.ou!r} is not declared under organization.ous (or write "
                       f"root)", f"{where}.ou")
        label = f"account {key}"
        return Account(id=key, name=raw.name, ou_path=_ou_path(raw.ou),
                       scps=self.scps(raw.scps, label, f"{where}.scps"),
                       rcps=self.policy_list(raw.rcps, PolicyKind.rcp, label, f"{where}.rcps"))

    def attached(self, label: str, inline: dict[str, Any], managed: list[str],
                 where: str) -> tuple[PolicyDocument, ...]:
        docs = [self.refs.document(ref, name=f"{label} inline {name}", kind=PolicyKind.identity,
                                   location=f"{where}.policies.{name}")
                for name, ref in inline.items()]
        docs += [self.refs.by_name(name, PolicyKind.identity, f"{where}.managed[{i}]")
                 for i, name in enumerate(managed)]
        return tuple(d for d in docs if d is not None)

    def boundary(self, ref: Any, label: str, where: str) -> PolicyDocument | None:
        if ref is None:
            return None
        return self.refs.document(ref, name=f"{label} boundary", kind=PolicyKind.boundary,
                                  location=f"{where}.boundary")

    def users(self) -> tuple[User, ...]:
        out = []
        for i, raw in self.s.users:
            where = f"users[{i}]"
            self.account_known(parse_arn(raw.arn).account, f"{where}.arn")
            if raw.id is not None:
                self.unique("unique id", raw.id, f"{where}.id")
            if not self.unique("user", raw.arn, f"{where}.arn"):
                continue
            label = f"user {raw.arn.rsplit('/', 1)[-1]}"
            out.append(User(arn=raw.arn, id=raw.id,
                            policies=self.attached(label, raw.policies, raw.managed, where),
                            boundary=self.boundary(raw.boundary, label, where),
                            access_keys=raw.access_keys, tags=raw.tags))
        return tuple(out)

    def roles(self) -> tuple[Role, ...]:
        out = []
        for i, raw in self.s.roles:
            where, name = f"roles[{i}]", raw.arn.rsplit("/", 1)[-1]
            self.account_known(parse_arn(raw.arn).account, f"{where}.arn")
            if raw.id is not None:
                self.unique("unique id", raw.id, f"{where}.id")
            if not self.unique("role", raw.arn, f"{where}.arn"):
                continue
            trust = self.refs.document(raw.trust, name=f"{name}/trust", kind=PolicyKind.trust,
                                       location=f"{where}.trust")
            label = f"role {name}"
            policies = self.attached(label, raw.policies, raw.managed, where)
            boundary = self.boundary(raw.boundary, label, where)
            if trust is None:
                self.broken.add(raw.arn)
                continue
            out.append(Role(arn=raw.arn, id=raw.id, trust=trust, policies=policies,
                            boundary=boundary, max_session_duration=raw.max_session_duration,
                            tags=raw.tags, service_linked=raw.service_linked))
        return tuple(out)

    def profiles(self, roles: dict[str, Role]) -> tuple[InstanceProfile, ...]:
        out = []
        for i, raw in self.s.instance_profiles:
            where, account = f"instance_profiles[{i}]", parse_arn(raw.arn).account
            self.account_known(account, f"{where}.arn")
            if raw.role not in roles and raw.role not in self.broken:
                self.error(f"role {raw.role} is not declared under roles:", f"{where}.role")
            elif parse_arn(raw.role).account != account:
                self.error("an instance profile holds a role of its own account",
                           f"{where}.role")
            if self.unique("instance profile", raw.arn, f"{where}.arn"):
                out.append(InstanceProfile(arn=raw.arn, role=raw.role))
        return tuple(out)

    def providers(self) -> tuple[OidcProvider, ...]:
        out = []
        for i, raw in self.s.oidc_providers:
            where = f"oidc_providers[{i}]"
            self.account_known(parse_arn(raw.arn).account, f"{where}.arn")
            if self.unique("OIDC provider", raw.arn, f"{where}.arn"):
                out.append(OidcProvider(arn=raw.arn, audiences=tuple(raw.audiences)))
        return tuple(out)

    def keys(self) -> tuple[KmsKey, ...]:
        out = []
        for i, raw in self.s.keys:
            where, key_id = f"keys[{i}]", raw.arn.rsplit("/", 1)[-1]
            self.account_known(parse_arn(raw.arn).account, f"{where}.arn")
            policy = self.refs.document(raw.policy, name=f"key {key_id}",
                                        kind=PolicyKind.resource, location=f"{where}.policy")
            if self.unique("key", raw.arn, f"{where}.arn") and policy is not None:
                out.append(KmsKey(arn=raw.arn, policy=policy, aws_managed=raw.aws_managed))
            else:
                self.broken.add(raw.arn)
        return tuple(out)

    def buckets(self, keys: set[str]) -> tuple[Bucket, ...]:
        out = []
        for i, raw in self.s.buckets:
            where = f"buckets[{i}]"
            self.account_known(raw.account, f"{where}.account")
            if raw.kms_key and raw.kms_key not in keys and raw.kms_key not in self.broken:
                self.error(f"key {raw.kms_key} is not declared under keys: (its key policy "
                           f"decides SSE-KMS use)", f"{where}.kms_key")
            policy = None if raw.policy is None else self.refs.document(
                raw.policy, name=f"bucket {raw.name}", kind=PolicyKind.resource,
                location=f"{where}.policy")
            if self.unique("bucket", raw.name, f"{where}.name"):
                out.append(Bucket(name=raw.name, account=raw.account, policy=policy,
                                  kms_key=raw.kms_key,
                                  restrict_public_buckets=raw.restrict_public_buckets))
        return tuple(out)

    def resources(self) -> tuple[Resource, ...]:
        out = []
        for i, raw in self.s.resources:
            where, arn = f"resources[{i}]", parse_arn(raw.arn)
            if arn.account.isdigit():
                self.account_known(arn.account, f"{where}.arn")
            if arn.service in ("s3", "kms") or (arn.service == "iam"
                                                and arn.resource.startswith("role/")):
                self.error("buckets, keys and roles are declared under buckets:, keys: and "
                           "roles:", f"{where}.arn")
                continue
            policy = None if raw.policy is None else self.refs.document(
                raw.policy, name=f"resource {raw.arn}", kind=PolicyKind.resource,
                location=f"{where}.policy")
            if self.unique("resource", raw.arn, f"{where}.arn"):
                out.append(Resource(arn=raw.arn, policy=policy))
        return tuple(out)


def build_world(sections: Sections, refs: PolicyRefs, problems: Problems, source: str,
                outside: World | None = None) -> tuple[World, frozenset[str]]:
    """The World the sections describe, and the names of entries that could not be built
    (references to them are not reported again). `outside` is what the scenario's
    world_from files build: its accounts count as declared, and an instance profile may
    hold one of its roles (the two worlds are joined by scenario_world_from.merge)."""
    outside = outside or World()
    b = _Builder(sections, refs, problems, source, outside)
    org = b.organization()
    accounts = {key: b.account(key, raw, org) for key, raw in sections.accounts.items()}
    roles = b.roles()
    keys = b.keys()
    world = World(name=sections.name, organization=org, accounts=accounts, users=b.users(),
                  roles=roles,
                  instance_profiles=b.profiles({r.arn: r for r in outside.roles + roles}),
                  oidc_providers=b.providers(), buckets=b.buckets({k.arn for k in keys}),
                  keys=keys, resources=b.resources())
    return world, frozenset(b.broken)
