"""What does a real estate of AWS accounts contain? Account-data folders -> World.

An estate is a folder of AWS CLI outputs, laid out as docs/account-data.md describes: one
folder per account (named by its id, or holding an `account.json` with its id) with
`authorization-details.json` (`aws iam get-account-authorization-details`), optional
`buckets/<name>.json`, `kms-keys/<key-id>.json` and `oidc-providers.json`; and an optional
`organization/` folder (organization.json, policies/<policy-id>.json, targets.json).

`load_estate` and `load_estate_with_unknowns` are the only functions here that touch the file
system (through the `_read_*` helpers they call); they decode every file, then hand the
documents to the pure `world_from_account_data` / `world_and_unknowns_from_account_data`.
Every problem in every file is collected and raised at once as InputErrors, each naming the
file and the key path, e.g. `111122223333/authorization-details.json:
RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Principal`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .account_data_fields import Problems, Unknown, kind_of
from .account_data_iam import read_account_iam
from .account_data_org import OrganizationData, Placement, read_organization
from .account_data_resources import read_bucket, read_key, read_oidc_providers
from .arn import is_account_id
from .errors import InputErrors
from .world import Bucket, InstanceProfile, KmsKey, OidcProvider, Role, User, World

__all__ = ["AccountData", "OrganizationData", "Unknown", "load_estate",
           "load_estate_with_unknowns", "world_and_unknowns_from_account_data",
           "world_from_account_data"]

AUTHORIZATION_DETAILS = "authorization-details.json"
ACCOUNT_JSON = "account.json"
OIDC_PROVIDERS = "oidc-providers.json"
BUCKETS = "buckets"
KMS_KEYS = "kms-keys"
ORGANIZATION = "organization"
_ACCOUNT_ENTRIES = (ACCOUNT_JSON, AUTHORIZATION_DETAILS, OIDC_PROVIDERS, f"{BUCKETS}/",
                    f"{KMS_KEYS}/")
_ACCOUNT_JSON_KEYS = frozenset({"id", "name", "ou"})


class AccountData(BaseModel):
    """The decoded files of one account folder. `folder` is how the folder is named in
    error messages (the account id when empty); `buckets` and `kms_keys` map a bucket name
    or key id (the file name) to its decoded file; `authorization_details` None means the
    file is missing, which is an error."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    ou: str | None = None
    folder: str = ""
    authorization_details: Any = None
    buckets: dict[str, Any] = Field(default_factory=dict)
    kms_keys: dict[str, Any] = Field(default_factory=dict)
    oidc_providers: Any = None


def world_and_unknowns_from_account_data(
        accounts: Mapping[str, AccountData], organization: OrganizationData | None = None, *,
        allow_missing_managed: bool = False, name: str = "") -> tuple[World, tuple[Unknown, ...]]:
    """The World of decoded account data (keyed by account id), and what it left unknown.

    Without `allow_missing_managed` a managed policy attached but absent from the export is
    an error and the unknowns are empty; with it, each is an Unknown (see account_data_iam).
    Raises InputErrors listing every problem found.
    """
    problems = Problems()
    users: list[User] = []
    roles: list[Role] = []
    profiles: list[InstanceProfile] = []
    providers: list[OidcProvider] = []
    buckets: dict[str, Bucket] = {}
    keys: list[KmsKey] = []
    placements: dict[str, Placement] = {}
    for account_id in sorted(accounts):
        data = accounts[account_id]
        folder = data.folder or account_id
        if not is_account_id(account_id):
            problems.error(f"{account_id!r} is not a 12-digit account id", folder)
            continue
        placements[account_id] = Placement(name=data.name, ou=data.ou,
                                           source=f"{folder}/{ACCOUNT_JSON}")
        source = f"{folder}/{AUTHORIZATION_DETAILS}"
        if data.authorization_details is None:
            problems.error("missing: every account folder needs the output of aws iam "
                           "get-account-authorization-details", source)
        else:
            iam = read_account_iam(account_id, data.authorization_details, source, problems,
                                   allow_missing=allow_missing_managed)
            users.extend(iam.users)
            roles.extend(iam.roles)
            profiles.extend(iam.instance_profiles)
        account_keys: dict[str, KmsKey] = {}
        for key_id, raw in sorted(data.kms_keys.items()):
            src = f"{folder}/{KMS_KEYS}/{key_id}.json"
            key = problems.attempt(read_key, account_id, key_id, raw, src)
            if key is not None:
                account_keys[key.arn] = key
        keys.extend(account_keys.values())
        for bucket_name, raw in sorted(data.buckets.items()):
            src = f"{folder}/{BUCKETS}/{bucket_name}.json"
            bucket = problems.attempt(read_bucket, account_id, bucket_name, raw, src,
                                      account_keys)
            if bucket is not None and bucket.name in buckets:
                problems.error(f"bucket {bucket.name} is also in account "
                               f"{buckets[bucket.name].account} (bucket names are global)", src)
            elif bucket is not None:
                buckets[bucket.name] = bucket
        if data.oidc_providers is not None:
            providers.extend(read_oidc_providers(account_id, data.oidc_providers,
                                                 f"{folder}/{OIDC_PROVIDERS}", problems))
    org, account_models = read_organization(organization, placements, problems)
    problems.raise_if_any()
    world = World(name=name, organization=org, accounts=account_models, users=tuple(users),
                  roles=tuple(roles), instance_profiles=tuple(profiles),
                  oidc_providers=tuple(providers), buckets=tuple(buckets.values()),
                  keys=tuple(keys))
    return world, tuple(problems.unknowns)


def world_from_account_data(accounts: Mapping[str, AccountData],
                            organization: OrganizationData | None = None, *,
                            name: str = "") -> World:
    """The World of decoded account data; every attached managed policy must be present."""
    return world_and_unknowns_from_account_data(accounts, organization, name=name)[0]


# --- the file system: only load_estate* and the _read_* helpers they call -----------------

class _Unreadable:
    """Stands in for a file that could not be decoded (its error is already recorded)."""


def _read_json(path: Path, source: str, problems: Problems, failed: set[str]) -> Any:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        value = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=pairs)
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(f"cannot read: {exc}", source)
    except json.JSONDecodeError as exc:
        problems.error(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                       source)
    else:
        if not duplicates:
            return value
        problems.error(f"key {duplicates[0]!r} appears twice in one object (JSON readers "
                       f"would silently keep the last)", source)
    failed.add(source)
    return _Unreadable()


def _read_folder(folder: Path, source: str, problems: Problems,
                 failed: set[str]) -> dict[str, Any]:
    """`<stem>.json` -> decoded content, for each file of a buckets/kms-keys/policies folder."""
    out: dict[str, Any] = {}
    for entry in sorted(folder.iterdir()):
        src = f"{source}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if not entry.is_file() or entry.suffix != ".json":
            problems.error("unknown entry: this folder holds only <name>.json files", src)
            continue
        value = _read_json(entry, src, problems, failed)
        if not isinstance(value, _Unreadable):
            out[entry.stem] = value
    return out


def _account_json(raw: Any, folder: str, problems: Problems) -> dict[str, str]:
    source = f"{folder}/{ACCOUNT_JSON}"
    if not isinstance(raw, dict):
        problems.error(f"must be an object with id, name and ou, got {kind_of(raw)}", source)
        return {}
    out = {}
    for key, value in raw.items():
        if key not in _ACCOUNT_JSON_KEYS:
            problems.error(f"unknown key {key!r} (expected id, name, ou)", source, key)
        elif not isinstance(value, str):
            problems.error(f"must be a string, got {kind_of(value)}", source, key)
        else:
            out[key] = value
    if "id" in out and not is_account_id(out["id"]):
        problems.error(f"{out['id']!r} is not a 12-digit account id", source, "id")
    if is_account_id(folder) and out.get("id", folder) != folder:
        problems.error(f"the folder is named for account {folder}", source, "id")
    return out


def _read_account(folder: Path, problems: Problems,
                  failed: set[str]) -> tuple[str, AccountData] | None:
    name = folder.name
    fields: dict[str, Any] = {"folder": name}
    info: dict[str, str] = {}
    unreadable_id = False  # account.json could not be decoded: its error says it all
    for entry in sorted(folder.iterdir()):
        source = f"{name}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name in (BUCKETS, KMS_KEYS):
            key = "buckets" if entry.name == BUCKETS else "kms_keys"
            fields[key] = _read_folder(entry, source, problems, failed)
            continue
        if not entry.is_file() or entry.name not in _ACCOUNT_ENTRIES:
            problems.error(f"unknown entry in an account folder (expected "
                           f"{', '.join(_ACCOUNT_ENTRIES)})", source)
            continue
        value = _read_json(entry, source, problems, failed)
        if entry.name == ACCOUNT_JSON:
            unreadable_id = isinstance(value, _Unreadable)
            info = {} if unreadable_id else _account_json(value, name, problems)
        elif entry.name == AUTHORIZATION_DETAILS:
            fields["authorization_details"] = {} if isinstance(value, _Unreadable) else value
        elif not isinstance(value, _Unreadable):
            fields["oidc_providers"] = value
    account_id = info.get("id") or (name if is_account_id(name) else None)
    if account_id is None and not unreadable_id:
        problems.error(f"not an account id, and no {ACCOUNT_JSON} gives one", name)
    if account_id is None:
        return None
    return account_id, AccountData(name=info.get("name", ""), ou=info.get("ou"), **fields)


def _read_organization(folder: Path, problems: Problems, failed: set[str]) -> OrganizationData:
    fields: dict[str, Any] = {"folder": ORGANIZATION, "organization": None}
    for entry in sorted(folder.iterdir()):
        source = f"{ORGANIZATION}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name == "policies":
            fields["policies"] = _read_folder(entry, source, problems, failed)
        elif entry.is_file() and entry.name in ("organization.json", "targets.json"):
            value = _read_json(entry, source, problems, failed)
            fields[entry.stem] = {} if isinstance(value, _Unreadable) else value
        else:
            problems.error("unknown entry (expected organization.json, targets.json, "
                           "policies/)", source)
    for required in ("organization", "targets"):
        if fields.get(required) is None:
            problems.error(f"missing: the organization folder needs {required}.json",
                           f"{ORGANIZATION}/{required}.json")
            failed.add(f"{ORGANIZATION}/{required}.json")
            fields[required] = {}
    return OrganizationData(**fields)


def load_estate_with_unknowns(path: Path, *, allow_missing_managed: bool = False
                              ) -> tuple[World, tuple[Unknown, ...]]:
    """Read an estate folder into a World, with the items it left unknown (see
    `world_and_unknowns_from_account_data`). Raises InputErrors listing every problem of
    every file; errors that only follow from a file that could not be decoded are left out."""
    problems = Problems()
    if not path.is_dir():
        problems.error("not a folder (an estate is a folder of account folders)", str(path))
        problems.raise_if_any()
    failed: set[str] = set()
    accounts: dict[str, AccountData] = {}
    organization = None
    for entry in sorted(path.iterdir()):
        if entry.name.startswith(".") or (entry.is_file() and entry.suffix == ".md"):
            continue
        if entry.is_dir() and entry.name == ORGANIZATION:
            organization = _read_organization(entry, problems, failed)
        elif entry.is_dir():
            read = _read_account(entry, problems, failed)
            if read is not None and read[0] in accounts:
                problems.error(f"account {read[0]} is also the folder "
                               f"{accounts[read[0]].folder!r}", entry.name)
            elif read is not None:
                accounts[read[0]] = read[1]
        else:
            problems.error("unknown file at the top of the estate (expected account folders "
                           "and organization/)", entry.name)
    try:
        result = world_and_unknowns_from_account_data(
            accounts, organization, allow_missing_managed=allow_missing_managed,
            name=path.name)
    except InputErrors as exc:
        problems.errors.extend(e for e in exc.errors if e.source not in failed)
        problems.raise_if_any()
        raise
    problems.raise_if_any()
    return result


def load_estate(path: Path) -> World:
    """Read an estate folder into a World; every attached managed policy must be present."""
    return load_estate_with_unknowns(path)[0]
