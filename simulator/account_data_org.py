"""Where does each account sit in the organization, and which SCPs and RCPs apply there?

The estate's `organization/` folder holds:
- `organization.json`: the output of `aws organizations describe-organization`
  (`{"Organization": {"Id", "MasterAccountId", ...}}`, or the inner object):
  https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
- `policies/<policy-id>.json`: the output of `aws organizations describe-policy`
  (`{"Policy": {"PolicySummary": {"Id", "Name", "Type"}, "Content": "<JSON text>"}}`):
  https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html
- `targets.json`: which policies are attached where, keyed "root", an OU path such as
  "Workloads/Prod", or an account id; each value lists policy ids, or is the output of
  `aws organizations list-policies-for-target` (`{"Policies": [{"Id", ...}]}`):
  https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html

An account is in the organization when targets.json lists it; its `account.json` says in
which OU (`"ou": "Workloads/Prod"`, or "root"). Every root, OU and account must have at least
one SCP attached (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html),
so a level without one means the data is incomplete, and is reported rather than read as
"no SCP allows anything" or skipped. RCPFullAWSAccess is implied at every level.
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .account_data_fields import Problems, as_object, at, document, kind_of, text
from .arn import is_account_id
from .errors import InputError
from .policy import PolicyDocument, PolicyKind
from .world import Account, Organization, OrgLevel

ROOT = "root"
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_KINDS = {"SERVICE_CONTROL_POLICY": PolicyKind.scp, "RESOURCE_CONTROL_POLICY": PolicyKind.rcp}


class OrganizationData(BaseModel):
    """The decoded files of an estate's `organization/` folder (see the module docstring);
    `policies` maps a policy id (the file name) to its describe-policy output."""

    model_config = ConfigDict(frozen=True)

    organization: Any
    policies: dict[str, Any] = Field(default_factory=dict)
    targets: Any = None
    folder: str = "organization"


class Placement(BaseModel):
    """What the organization reader needs to know of one account folder."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    ou: str | None = None
    source: str  # "<folder>/account.json", where `ou` is (or would be) given


def _ou_path(ou: str) -> str:
    """"Workloads/Prod", "root/Workloads/Prod" -> "root/Workloads/Prod"; "", "root" -> "root"."""
    parts = [p for p in ou.strip("/").split("/") if p]
    if parts and parts[0] == ROOT:
        parts = parts[1:]
    return "/".join([ROOT, *parts])


def _policy(pid: str, raw: Any, source: str) -> PolicyDocument:
    body = as_object(raw, source, "")
    where = "Policy" if "Policy" in body else ""
    policy = as_object(body["Policy"], source, where) if where else body
    summary = as_object(policy.get("PolicySummary"), source, at(where, "PolicySummary"))
    s_where = at(where, "PolicySummary")
    if text(summary, "Id", source, s_where) != pid:
        raise InputError(f"the file is named for policy {pid} but describes "
                         f"{summary['Id']}", source=source, location=at(s_where, "Id"))
    name = text(summary, "Name", source, s_where)
    kind = _KINDS.get(str(summary.get("Type")))
    if kind is None:
        raise InputError(f"policy type {summary.get('Type')!r} does not take part in "
                         f"authorization; only {' and '.join(_KINDS)} files belong here",
                         source=source, location=at(s_where, "Type"))
    return document(policy.get("Content"), name=f"{kind.value} {name}", kind=kind,
                    source=source, location=at(where, "Content"))


def _attached(value: Any, source: str, where: str) -> list[tuple[str, str]]:
    """(location, policy id) of one targets.json value: ids, summaries, or {"Policies"}."""
    if isinstance(value, dict):
        where = at(where, "Policies")
        value = value.get("Policies")
    if not isinstance(value, list):
        raise InputError(f"must be a list of policy ids or list-policies-for-target output, "
                         f"got {kind_of(value)}", source=source, location=where)
    out = []
    for i, item in enumerate(value):
        loc = at(where, i)
        if isinstance(item, dict):
            out.append((at(loc, "Id"), text(item, "Id", source, loc)))
        elif isinstance(item, str) and item:
            out.append((loc, item))
        else:
            raise InputError(f"must be a policy id, got {kind_of(item)}", source=source,
                             location=loc)
    return out


class _Targets:
    """targets.json resolved: policies per level path and per account."""

    def __init__(self, data: OrganizationData, problems: Problems,
                 accounts: Mapping[str, Placement]) -> None:
        self.source = f"{data.folder}/targets.json"
        self.problems = problems
        self.docs: dict[str, PolicyDocument | None] = {}
        names: dict[str, str] = {}
        for pid in sorted(data.policies):
            src = f"{data.folder}/policies/{pid}.json"
            doc = problems.attempt(_policy, pid, data.policies[pid], src)
            self.docs[pid] = doc
            if doc is not None and names.setdefault(doc.name, pid) != pid:
                problems.error(f"{doc.name} is also the name of {names[doc.name]}", src,
                               "Policy.PolicySummary.Name")
        self.levels: dict[str, list[PolicyDocument]] = {}
        self.accounts: dict[str, list[PolicyDocument]] = {}
        self.where: dict[str, str] = {}
        body = problems.attempt(as_object, data.targets, self.source, "") or {}
        for key, value in body.items():
            problems.attempt(self._target, key, value, accounts)

    def _target(self, key: str, value: Any, accounts: Mapping[str, Placement]) -> None:
        docs: list[PolicyDocument] = []
        for loc, pid in _attached(value, self.source, key):
            if pid not in self.docs:
                self.problems.error(f"policy {pid} has no file policies/{pid}.json",
                                    self.source, loc)
            elif (doc := self.docs[pid]) is not None:
                docs.append(doc)
        if is_account_id(key):
            if key not in accounts:
                raise InputError(f"account {key} has no folder in the estate, or its folder "
                                 f"could not be identified (a member account needs one, with "
                                 f"account.json giving its ou)",
                                 source=self.source, location=key)
            self.accounts[key] = docs
            return
        path = _ou_path(key)
        if path in self.where:
            raise InputError(f"the same level as {self.where[path]!r}", source=self.source,
                             location=key)
        self.where[path] = key
        self.levels[path] = docs

    def check_levels(self) -> None:
        if ROOT not in self.levels:
            self.problems.error('needs "root": the policies attached to the root',
                                self.source)
        for path, docs in sorted(self.levels.items()):
            key = self.where[path]
            parent = path.rsplit("/", 1)[0]
            if path != ROOT and parent not in self.levels:
                self.problems.error(f"OU {key!r} is under {parent!r}, which is not listed",
                                    self.source, key)
            if not any(d.kind is PolicyKind.scp for d in docs):
                self.problems.error("no SCP attached: every root, OU and account has at "
                                    "least one (FullAWSAccess by default)", self.source, key)
        for account, docs in sorted(self.accounts.items()):
            if not any(d.kind is PolicyKind.scp for d in docs):
                self.problems.error("no SCP attached: every root, OU and account has at "
                                    "least one (FullAWSAccess by default)", self.source,
                                    account)


def _of(kind: PolicyKind, docs: list[PolicyDocument]) -> tuple[PolicyDocument, ...]:
    return tuple(d for d in docs if d.kind is kind)


def _header(raw: Any, source: str) -> tuple[str, str | None]:
    body = as_object(raw, source, "")
    where = "Organization" if "Organization" in body else ""
    org = as_object(body["Organization"], source, where) if where else body
    org_id = text(org, "Id", source, where)
    if not _ORG_ID.match(org_id):
        raise InputError(f"{org_id!r} is not an organization id (o- and 10 to 32 letters or "
                         f"digits)", source=source, location=at(where, "Id"))
    master = org.get("MasterAccountId")
    if master is not None and not (isinstance(master, str) and is_account_id(master)):
        raise InputError(f"must be a 12-digit account id, got {master!r}", source=source,
                         location=at(where, "MasterAccountId"))
    return org_id, master


def read_organization(data: OrganizationData | None, accounts: Mapping[str, Placement],
                      problems: Problems) -> tuple[Organization | None, dict[str, Account]]:
    """The Organization (levels keyed "root", "root/Workloads", ...) and every account with
    its OU path and account-level SCPs/RCPs; accounts not in targets.json are outside."""
    if data is None:
        for place in accounts.values():
            if place.ou is not None:
                problems.error("names an OU but the estate has no organization folder",
                               place.source, "ou")
        return None, {a: Account(id=a, name=p.name) for a, p in accounts.items()}
    src = f"{data.folder}/organization.json"
    org_id, master = problems.attempt(_header, data.organization, src) or ("", None)
    targets = _Targets(data, problems, accounts)
    targets.check_levels()
    out: dict[str, Account] = {}
    for account_id, place in sorted(accounts.items()):
        member = account_id in targets.accounts or account_id == master
        ou_path = None
        if place.ou is not None and not member:
            problems.error(f"names an OU but {targets.source} does not list account "
                           f"{account_id} (accounts not there are outside the organization)",
                           place.source, "ou")
        elif member and place.ou is None and account_id != master:
            problems.error(f"account {account_id} is in the organization: its account.json "
                           f'must give its "ou" ("root" when directly under the root)',
                           place.source)
        elif member:
            ou_path = _ou_path(place.ou or ROOT)
            if ou_path not in targets.levels:
                problems.error(f"OU {place.ou!r} is not in {targets.source}", place.source,
                               "ou")
        docs = targets.accounts.get(account_id, [])
        out[account_id] = Account(id=account_id, name=place.name, ou_path=ou_path,
                                  scps=_of(PolicyKind.scp, docs),
                                  rcps=_of(PolicyKind.rcp, docs))
    levels = {path: OrgLevel(name=path.rsplit("/", 1)[-1], scps=_of(PolicyKind.scp, docs),
                             rcps=_of(PolicyKind.rcp, docs))
              for path, docs in targets.levels.items()}
    return Organization(id=org_id, management_account=master, levels=levels), out
