"""What world does a scenario take from infrastructure code? Its `world_from:` worlds joined
with the one the file declares.

A scenario may name Terraform plans and CloudFormation templates (`world_from:`); each is
read into an IacWorld (simulator.iac) by the caller, and this module joins them with the
file's own declarations, so flows run the vendor side from the scenario and the customer
side from the proposed code. Pure: no file is read here.

The merge rule: **every entity is defined in one place.** A role, user, instance profile,
OIDC provider, bucket, key or resource defined both in the scenario and in a world_from
file, or in two world_from files, is an input error naming both places. An override in
either direction would be unsafe: if the scenario won, flows would test a hand-written copy
and pass while the code that will be deployed differs; if the code won silently, a
scenario author could believe a policy they wrote inline is the one being checked. One
definition keeps the answer traceable to the text that decided it.

Accounts and the organization are shared, so they merge, with the same rule for what
decides access:
- an account may be declared on both sides (the scenario names it, the code creates
  things in it); its place in the organization (OU, SCPs, RCPs) comes from one side only;
- the organization is defined by the scenario or by one world_from file, not by several.
Accounts a world_from file creates things in count as declared for the scenario's own
entities, and the scenario's instance profiles may hold a role the code defines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .account_data_fields import Problems
from .errors import InputError, InputErrors
from .iac.proposed import IacWorld, Unknown
from .policy import PolicyKind, parse_policy
from .scenario_format import RawCloudFormationSource, RawTerraformSource
from .scenario_policies import PolicyRefs
from .scenario_sections import Sections
from .world import Account, World


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class IacSource(_Frozen):
    """One world_from entry, read: its place in the scenario (`world_from[0]`), the file
    as written there, and what the file would build."""

    location: str
    file: str
    iac: IacWorld


class Outside(_Frozen):
    """The world_from files joined: their World, where each entity came from (a key such
    as `role <arn>` -> (location, file)) and every unknown."""

    world: World = Field(default_factory=World)
    origin: dict[str, tuple[str, str]] = Field(default_factory=dict)
    unknowns: tuple[Unknown, ...] = ()


def _entities(world: World) -> Iterable[tuple[str, str]]:
    """(kind, key) of every entity of a world that must be defined in one place."""
    for kind, keys in (("role", (r.arn for r in world.roles)),
                       ("user", (u.arn for u in world.users)),
                       ("instance profile", (p.arn for p in world.instance_profiles)),
                       ("OIDC provider", (p.arn for p in world.oidc_providers)),
                       ("bucket", (b.name for b in world.buckets)),
                       ("key", (k.arn for k in world.keys)),
                       ("resource", (r.arn for r in world.resources))):
        for key in keys:
            yield kind, key


def _own_places(sections: Sections) -> dict[str, str]:
    """Where the scenario file declares each entity (`role <arn>` -> `roles[1].arn`)."""
    places: dict[str, str] = {}
    for kind, field, entries in (("role", "arn", sections.roles),
                                 ("user", "arn", sections.users),
                                 ("instance profile", "arn", sections.instance_profiles),
                                 ("OIDC provider", "arn", sections.oidc_providers),
                                 ("key", "arn", sections.keys),
                                 ("resource", "arn", sections.resources)):
        for i, raw in entries:
            places.setdefault(f"{kind} {getattr(raw, field)}", f"{_section(kind)}[{i}].{field}")
    for i, bucket in sections.buckets:
        places.setdefault(f"bucket {bucket.name}", f"buckets[{i}].name")
    return places


def _section(kind: str) -> str:
    return {"role": "roles", "user": "users", "instance profile": "instance_profiles",
            "OIDC provider": "oidc_providers", "key": "keys",
            "resource": "resources"}[kind]


def _placed(account: Account) -> bool:
    return account.ou_path is not None or bool(account.scps) or bool(account.rcps)


def _join_account(kept: Account, other: Account) -> Account:
    """One account declared on two sides; at most one of them places it."""
    placed = kept if _placed(kept) else other
    return placed.model_copy(update={"name": kept.name or other.name})


def combine(sources: Sequence[IacSource], problems: Problems, source: str) -> Outside:
    """The world_from files joined; an entity, an account's placement or the organization
    defined by two of them is a problem at the later entry."""
    origin: dict[str, tuple[str, str]] = {}
    accounts: dict[str, Account] = {}
    account_origin: dict[str, tuple[str, str]] = {}
    org, org_origin = None, ("", "")
    for s in sources:
        here = (s.location, s.file)
        w = s.iac.world
        for kind, key in _entities(w):
            first = origin.setdefault(f"{kind} {key}", here)
            if first != here:
                problems.error(f"{kind} {key} is defined by both {first[1]} ({first[0]}) and "
                               f"{s.file}: define it in one place", source, s.location)
        if w.organization is not None:
            if org is not None:
                problems.error(f"the organization is defined by both {org_origin[1]} "
                               f"({org_origin[0]}) and {s.file}: define it in one place",
                               source, s.location)
            else:
                org, org_origin = w.organization, here
        for account_id, account in w.accounts.items():
            if account_id not in accounts:
                accounts[account_id], account_origin[account_id] = account, here
            elif _placed(account) and _placed(accounts[account_id]):
                first = account_origin[account_id]
                problems.error(f"account {account_id} is placed in the organization by both "
                               f"{first[1]} ({first[0]}) and {s.file}: place it in one",
                               source, s.location)
            else:
                accounts[account_id] = _join_account(accounts[account_id], account)
                if _placed(account):
                    account_origin[account_id] = here
    keep = [s.iac.world for s in sources]
    world = World(organization=org, accounts=accounts,
                  users=tuple(u for w in keep for u in w.users),
                  roles=tuple(r for w in keep for r in w.roles),
                  instance_profiles=tuple(p for w in keep for p in w.instance_profiles),
                  oidc_providers=tuple(p for w in keep for p in w.oidc_providers),
                  buckets=tuple(b for w in keep for b in w.buckets),
                  keys=tuple(k for w in keep for k in w.keys),
                  resources=tuple(r for w in keep for r in w.resources))
    origin["organization"] = org_origin
    origin.update({f"account {a}": o for a, o in account_origin.items()})
    return Outside(world=world, origin=origin,
                   unknowns=tuple(u for s in sources for u in s.iac.unknowns))


def merge(own: World, sections: Sections, outside: Outside, problems: Problems,
          source: str) -> World:
    """The scenario's World joined with its world_from files' (see the module docstring);
    each conflict is a problem at the scenario's own declaration."""
    places = _own_places(sections)
    ours = {f"{kind} {key}" for kind, key in _entities(own)}
    for kind, key in dict.fromkeys(_entities(outside.world)):
        name = f"{kind} {key}"
        if name in ours:
            where, file = outside.origin[name]
            problems.error(f"{kind} {key} is also defined by {file} ({where}): define it in "
                           f"one place", source, places.get(name, where))
    theirs = outside.world
    org = own.organization
    if theirs.organization is not None:
        if org is not None:
            where, file = outside.origin["organization"]
            problems.error(f"the organization is also defined by {file} ({where}): define it "
                           f"in one place", source, "organization")
        org = theirs.organization
    accounts = dict(own.accounts)
    for account_id, account in theirs.accounts.items():
        mine = accounts.get(account_id)
        if mine is None:
            accounts[account_id] = account
        elif _placed(mine) and _placed(account):
            where, file = outside.origin[f"account {account_id}"]
            problems.error(f"account {account_id} is also placed in the organization by "
                           f"{file} ({where}): place it in one", source,
                           f"accounts.{account_id}.ou")
        else:
            accounts[account_id] = _join_account(mine, account)
    return World(name=own.name, organization=org, accounts=accounts,
                 users=own.users + theirs.users, roles=own.roles + theirs.roles,
                 instance_profiles=own.instance_profiles + theirs.instance_profiles,
                 oidc_providers=own.oidc_providers + theirs.oidc_providers,
                 buckets=own.buckets + theirs.buckets, keys=own.keys + theirs.keys,
                 resources=own.resources + theirs.resources)


WorldSourceEntry = RawTerraformSource | RawCloudFormationSource
# (entry, documents of the managed policies it supplies by ARN) -> the file's world
ReadWorld = Callable[[WorldSourceEntry, Mapping[str, Any]], IacWorld]


def entry_file(entry: WorldSourceEntry) -> tuple[str, str]:
    """(key, file) of a world_from entry: ("terraform", "plans/x.json")."""
    if isinstance(entry, RawTerraformSource):
        return "terraform", entry.terraform
    return "cloudformation", entry.cloudformation


def read_sources(sections: Sections, read_world: ReadWorld, problems: Problems,
                 source: str, refs: PolicyRefs) -> list[IacSource]:
    """Each world_from entry read through `read_world` (which resolves the file beside the
    scenario), with the documents of its `managed_policies` (policy references of the
    scenario: in place, a .json file, a name under policies:). A problem with the entry
    itself (no such file, a file of the other kind) comes without a source and is placed at
    the entry (`world_from[0].terraform`); a problem inside the file keeps that file and its
    place in it."""
    out = []
    for i, entry in sections.world_from:
        where = f"world_from[{i}]"
        key, file = entry_file(entry)
        supplied = {}
        for arn, ref in entry.managed_policies.items():
            place = f"{where}.managed_policies.{arn}"
            doc = refs.raw(ref, place)
            if doc is None:
                continue  # reported; the file is still read (the policy stays unknown)
            try:  # an identity policy or a boundary: one grammar, checked here, placed here
                parse_policy(doc, name=arn, kind=PolicyKind.identity, source=source,
                             location=place)
            except InputError as exc:
                problems.errors.append(exc)
                continue
            supplied[arn] = doc
        try:
            iac = read_world(entry, supplied)
        except InputErrors as exc:
            problems.errors.extend(e if e.source else e.within(source, f"{where}.{key}")
                                   for e in exc.errors)
            continue
        except InputError as exc:
            problems.errors.append(exc if exc.source else exc.within(source, f"{where}.{key}"))
            continue
        out.append(IacSource(location=where, file=file, iac=iac))
    return out
