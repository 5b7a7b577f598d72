"""Who are the principals of one account, and which policies does each hold?

Reads the output of `aws iam get-account-authorization-details`:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
- `RoleDetailList` (RoleDetail: Arn, RoleName, RoleId, Path, AssumeRolePolicyDocument,
  RolePolicyList, AttachedManagedPolicies, PermissionsBoundary, InstanceProfileList, Tags):
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html
  (`MaxSessionDuration` is not part of RoleDetail; it is read when present, as
  `aws iam get-role` prints it.)
- `UserDetailList` (UserDetail: ..., UserPolicyList, GroupList of group names):
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_UserDetail.html
- `GroupDetailList` (GroupDetail: GroupName, GroupPolicyList, AttachedManagedPolicies):
  a user holds its groups' inline and attached policies as its own.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
- `Policies` (ManagedPolicyDetail with PolicyVersionList; the version marked
  IsDefaultVersion is the one in force):
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html
Service-linked roles live under the path /aws-service-role/:
https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html

A managed policy attached but absent from `Policies` (AWS managed policies are listed only
with `--filter AWSManagedPolicy`) is an error, or with `allow_missing` an Unknown: an
identity policy is left out (the principal may do less than in AWS), a permissions boundary
becomes one that allows nothing, so an unknown never turns into an allow.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from .account_data_fields import (
    Problems,
    Unknown,
    as_object,
    at,
    document,
    entries,
    objects,
    optional_text,
    owned_arn,
    tags,
    text,
)
from .errors import InputError
from .policy import VERSION_CURRENT, PolicyDocument, PolicyKind
from .world import DEFAULT_MAX_SESSION, InstanceProfile, Role, User

_TOP_KEYS = frozenset({"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies",
                       "IsTruncated", "Marker"})
_SERVICE_LINKED_PATH = "/aws-service-role/"
_MAX_SESSION_RANGE = (3600, 43200)  # https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html


class IamEntities(BaseModel):
    """The principals of one account, their policies resolved."""

    model_config = ConfigDict(frozen=True)

    users: tuple[User, ...] = ()
    roles: tuple[Role, ...] = ()
    instance_profiles: tuple[InstanceProfile, ...] = ()


class _Reader:
    """One account's export: its managed policies, and the attachments resolved to them."""

    def __init__(self, account: str, source: str, problems: Problems,
                 allow_missing: bool) -> None:
        self.account = account
        self.source = source
        self.problems = problems
        self.allow_missing = allow_missing
        self.raw: dict[str, tuple[Any, str]] = {}  # ARN -> (default document, its location)
        self.identity: dict[str, PolicyDocument | None] = {}
        self.boundaries: dict[str, PolicyDocument] = {}

    def arn(self, entry: dict[str, Any], where: str, prefix: str) -> str:
        """The entry's Arn, which must be an IAM `prefix` ARN of this folder's account."""
        return owned_arn(text(entry, "Arn", self.source, where), self.source,
                         at(where, "Arn"), service="iam", prefix=prefix, account=self.account)

    def managed_policies(self, top: dict[str, Any]) -> None:
        for loc, entry in self.problems.listed(top, "Policies", self.source):
            self.problems.attempt(self._managed, entry, loc)

    def _managed(self, entry: dict[str, Any], where: str) -> None:
        arn = text(entry, "Arn", self.source, where)
        if arn in self.identity:
            raise InputError(f"managed policy {arn} is listed twice", source=self.source,
                             location=at(where, "Arn"))
        self.identity[arn] = None  # known; a document only once it parses
        versions = [(loc, v) for loc, v in objects(entry, "PolicyVersionList", self.source,
                                                   where) if v.get("IsDefaultVersion") is True]
        if len(versions) != 1:
            raise InputError(f"needs exactly one version with IsDefaultVersion true, found "
                             f"{len(versions)}", source=self.source,
                             location=at(where, "PolicyVersionList"))
        loc, version = versions[0]
        default_id = entry.get("DefaultVersionId")
        if default_id is not None and version.get("VersionId") != default_id:
            raise InputError(f"the default version is {version.get('VersionId')!r} but "
                             f"DefaultVersionId says {default_id!r}", source=self.source,
                             location=at(loc, "VersionId"))
        self.raw[arn] = (version.get("Document"), at(loc, "Document"))
        self.identity[arn] = document(version.get("Document"), name=f"managed {arn}",
                                      kind=PolicyKind.identity, source=self.source,
                                      location=at(loc, "Document"))

    def _missing(self, arn: str, subject: str, affects: tuple[str, ...], what: str,
                 where: str) -> None:
        reason = (f"{what} {arn} is attached to {subject} but not in the export's Policies "
                  f"(AWS managed policies are listed only with --filter AWSManagedPolicy)")
        if not self.allow_missing:
            raise InputError(reason, source=self.source, location=where)
        self.problems.unknowns.append(Unknown(subject=subject, affects=affects, missing=arn,
                                              reason=reason, source=self.source,
                                              location=where))

    def attached(self, entry: dict[str, Any], where: str, subject: str,
                 affects: tuple[str, ...]) -> list[PolicyDocument]:
        out = []
        for loc, item in objects(entry, "AttachedManagedPolicies", self.source, where):
            arn = text(item, "PolicyArn", self.source, loc)
            if arn not in self.identity:
                self._missing(arn, subject, affects, "managed policy", at(loc, "PolicyArn"))
                continue
            doc = self.identity[arn]
            if doc is not None:  # None: its own error was reported where it is defined
                out.append(doc)
        return out

    def inline(self, entry: dict[str, Any], key: str, where: str,
               label: str) -> list[PolicyDocument]:
        out = []
        for loc, item in objects(entry, key, self.source, where):
            name = text(item, "PolicyName", self.source, loc)
            out.append(document(item.get("PolicyDocument"), name=f"{label} inline {name}",
                                kind=PolicyKind.identity, source=self.source,
                                location=at(loc, "PolicyDocument")))
        return out

    def boundary(self, entry: dict[str, Any], where: str, subject: str) -> PolicyDocument | None:
        if entry.get("PermissionsBoundary") is None:
            return None
        loc = at(where, "PermissionsBoundary")
        block = as_object(entry["PermissionsBoundary"], self.source, loc)
        kind = block.get("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
        if kind != "PermissionsBoundaryPolicy":
            raise InputError(f"unknown PermissionsBoundaryType {kind!r}", source=self.source,
                             location=at(loc, "PermissionsBoundaryType"))
        arn = text(block, "PermissionsBoundaryArn", self.source, loc)
        name = f"boundary {arn}"
        if arn not in self.identity:
            self._missing(arn, subject, (subject,), "permissions boundary",
                          at(loc, "PermissionsBoundaryArn"))
            return PolicyDocument(name=f"{name} (not in the export: allows nothing)",
                                  kind=PolicyKind.boundary, version=VERSION_CURRENT,
                                  statements=())
        if self.identity[arn] is None:  # its own error was reported where it is defined
            return None
        if arn not in self.boundaries:
            raw, doc_loc = self.raw[arn]
            self.boundaries[arn] = document(raw, name=name, kind=PolicyKind.boundary,
                                            source=self.source, location=doc_loc)
        return self.boundaries[arn]


def _unique(docs: list[PolicyDocument]) -> tuple[PolicyDocument, ...]:
    return tuple({d.name: d for d in docs}.values())


def _memberships(top: dict[str, Any]) -> dict[str, list[str]]:
    """Group name -> ARNs of its member users (a light pass; errors are found later)."""
    members: dict[str, list[str]] = {}
    users = top.get("UserDetailList")
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict) and isinstance(user.get("Arn"), str):
            groups = user.get("GroupList")
            for name in groups if isinstance(groups, list) else []:
                if isinstance(name, str):
                    members.setdefault(name, []).append(user["Arn"])
    return members


def _groups(reader: _Reader, top: dict[str, Any]) -> dict[str, list[PolicyDocument]]:
    """Group name -> the policies its members inherit."""
    members = _memberships(top)
    out: dict[str, list[PolicyDocument]] = {}
    def read(group: dict[str, Any], loc: str) -> None:
        name = text(group, "GroupName", reader.source, loc)
        arn = reader.arn(group, loc, "group/")
        affects = tuple(members.get(name, ()))
        out[name] = [*reader.inline(group, "GroupPolicyList", loc, f"group {name}"),
                     *reader.attached(group, loc, arn, affects)]

    for loc, group in reader.problems.listed(top, "GroupDetailList", reader.source):
        reader.problems.attempt(read, group, loc)
    return out


def _user(reader: _Reader, entry: dict[str, Any], where: str,
          groups: dict[str, list[PolicyDocument]]) -> User:
    arn = reader.arn(entry, where, "user/")
    name = text(entry, "UserName", reader.source, where)
    policies = [*reader.inline(entry, "UserPolicyList", where, f"user {name}"),
                *reader.attached(entry, where, arn, (arn,))]
    for loc, group in entries(entry, "GroupList", reader.source, where):
        if not isinstance(group, str) or group not in groups:
            raise InputError(f"group {group!r} is not in GroupDetailList (or its entry has "
                             f"errors)", source=reader.source, location=loc)
        policies.extend(groups[group])
    return User(arn=arn, id=optional_text(entry, "UserId", reader.source, where),
                policies=_unique(policies), boundary=reader.boundary(entry, where, arn),
                tags=tags(entry, reader.source, where))


def _max_session(entry: dict[str, Any], source: str, where: str) -> int:
    value = entry.get("MaxSessionDuration", DEFAULT_MAX_SESSION)
    low, high = _MAX_SESSION_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"must be a whole number of seconds from {low} to {high}, got "
                         f"{value!r}", source=source, location=at(where, "MaxSessionDuration"))
    return value


def _role(reader: _Reader, entry: dict[str, Any],
          where: str) -> tuple[Role, list[InstanceProfile]]:
    src = reader.source
    arn = reader.arn(entry, where, "role/")
    name = text(entry, "RoleName", src, where)
    problems = Problems()  # gather every problem of this role before giving up on it
    trust = problems.attempt(document, entry.get("AssumeRolePolicyDocument"),
                             name=f"role {name} trust", kind=PolicyKind.trust, source=src,
                             location=at(where, "AssumeRolePolicyDocument"))
    inline = problems.attempt(reader.inline, entry, "RolePolicyList", where, f"role {name}")
    attached = problems.attempt(reader.attached, entry, where, arn, (arn,))
    boundary = problems.attempt(reader.boundary, entry, where, arn)
    profiles = problems.attempt(lambda: [
        InstanceProfile(arn=reader.arn(p, loc, "instance-profile/"), role=arn)
        for loc, p in objects(entry, "InstanceProfileList", src, where)])
    role_tags = problems.attempt(tags, entry, src, where)
    max_session = problems.attempt(_max_session, entry, src, where)
    path = problems.attempt(optional_text, entry, "Path", src, where)
    role_id = problems.attempt(optional_text, entry, "RoleId", src, where)
    problems.raise_if_any()
    assert trust is not None and max_session is not None
    return Role(arn=arn, id=role_id, trust=trust,
                policies=_unique([*(inline or []), *(attached or [])]),
                boundary=boundary, max_session_duration=max_session, tags=role_tags or {},
                service_linked=(path or "/").startswith(_SERVICE_LINKED_PATH)), profiles or []


def read_account_iam(account: str, details: Any, source: str, problems: Problems, *,
                     allow_missing: bool = False) -> IamEntities:
    """The users, roles and instance profiles of one account's authorization details."""
    try:
        top = as_object(details, source, "")
    except InputError as exc:
        problems.errors.append(exc)
        return IamEntities()
    for key in sorted(set(top) - _TOP_KEYS):
        problems.error(f"unknown key {key!r} (expected {', '.join(sorted(_TOP_KEYS))})",
                       source, key)
    if top.get("IsTruncated") is True:
        problems.error("the export is truncated (IsTruncated): fetch every page, e.g. run "
                       "the AWS CLI without --max-items", source, "IsTruncated")
    reader = _Reader(account, source, problems, allow_missing)
    reader.managed_policies(top)
    groups = _groups(reader, top)
    users: list[User] = []
    for loc, entry in problems.listed(top, "UserDetailList", source):
        user = problems.attempt(_user, reader, entry, loc, groups)
        if user is not None and user.arn in {u.arn for u in users}:
            problems.error(f"user {user.arn} is listed twice", source, at(loc, "Arn"))
        elif user is not None:
            users.append(user)
    roles: list[Role] = []
    profiles: list[InstanceProfile] = []
    for loc, entry in problems.listed(top, "RoleDetailList", source):
        read = problems.attempt(_role, reader, entry, loc)
        if read is not None and read[0].arn in {r.arn for r in roles}:
            problems.error(f"role {read[0].arn} is listed twice", source, at(loc, "Arn"))
        elif read is not None:
            roles.append(read[0])
            profiles.extend(read[1])
    return IamEntities(users=tuple(users), roles=tuple(roles),
                       instance_profiles=tuple({p.arn: p for p in profiles}.values()))
