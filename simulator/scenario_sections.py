"""Which parts of a scenario file are well-formed? Each entry validated on its own.

A file is validated section by section and entry by entry (each role, each flow, each
account), so one broken entry does not hide the problems of the others: every problem is
reported, and the well-formed entries still go through the semantic checks. The names of
broken entries (their `arn` or `name`) are kept, so that a flow naming a role whose entry
failed is not reported a second time as naming a role that does not exist.
"""

from __future__ import annotations

from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .account_data_fields import Problems, at, kind_of
from .errors import InputError
from .scenario_errors import unknown_key_message, validation_problems
from .scenario_flow_format import RawFlow
from .scenario_format import (
    RawAccount,
    RawBucket,
    RawCloudFormationSource,
    RawInstanceProfile,
    RawKey,
    RawOidcProvider,
    RawOrganization,
    RawResource,
    RawRole,
    RawScenario,
    RawTerraformSource,
    RawUser,
)


class Sections(BaseModel):
    """The well-formed entries of a file, each with its index in its list."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    about: str = ""
    world_from: tuple[tuple[int, RawTerraformSource | RawCloudFormationSource], ...] = ()
    organization: RawOrganization | None = None
    accounts: dict[str, RawAccount] = Field(default_factory=dict)
    policies: dict[str, Any] = Field(default_factory=dict)
    users: tuple[tuple[int, RawUser], ...] = ()
    roles: tuple[tuple[int, RawRole], ...] = ()
    instance_profiles: tuple[tuple[int, RawInstanceProfile], ...] = ()
    oidc_providers: tuple[tuple[int, RawOidcProvider], ...] = ()
    buckets: tuple[tuple[int, RawBucket], ...] = ()
    keys: tuple[tuple[int, RawKey], ...] = ()
    resources: tuple[tuple[int, RawResource], ...] = ()
    flows: tuple[tuple[int, RawFlow], ...] = ()
    broken: frozenset[str] = frozenset()


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _identity(raw: Any) -> str | None:
    if isinstance(raw, dict):
        for key in ("arn", "name"):
            if isinstance(raw.get(key), str):
                return str(raw[key])
    return None


class _Reader:
    def __init__(self, source: str, problems: Problems) -> None:
        self.source = source
        self.problems = problems
        self.broken: set[str] = set()

    def value(self, tp: Any, raw: Any, where: str) -> tuple[bool, Any]:
        try:
            return True, _adapter(tp).validate_python(raw)
        except ValidationError as exc:
            self.problems.errors.extend(validation_problems(exc, tp, self.source, where))
            return False, None

    def entries(self, tp: Any, raw: Any, where: str) -> list[tuple[int, Any]]:
        item = get_args(tp)[0]
        if not isinstance(raw, list):
            self.problems.error(f"must be a list, got {kind_of(raw)}", self.source, where)
            return []
        out = []
        for i, entry in enumerate(raw):
            ok, value = self.value(item, entry, at(where, i))
            if ok:
                out.append((i, value))
            elif (ident := _identity(entry)) is not None:
                self.broken.add(ident)
        return out

    def mapping(self, tp: Any, raw: Any, where: str) -> dict[str, Any]:
        key_type, value_type = get_args(tp)
        if not isinstance(raw, dict):
            self.problems.error(f"must be a mapping, got {kind_of(raw)}", self.source, where)
            return {}
        out = {}
        for key, entry in raw.items():
            ok_key, _ = self.value(key_type, str(key), at(where, str(key)))
            ok, value = self.value(value_type, entry, at(where, str(key)))
            if ok and ok_key:
                out[str(key)] = value
            else:
                self.broken.add(str(key))
        return out


def read_sections(data: Any, source: str, problems: Problems) -> Sections:
    """The well-formed entries of a decoded scenario file; every problem goes to
    `problems`. An empty section (`roles:` with nothing under it) is an empty list."""
    if not isinstance(data, dict):
        problems.errors.append(InputError(
            f"a scenario file is a mapping of keys (name, accounts, roles, flows, ...), got "
            f"{kind_of(data)}", source=source))
        return Sections()
    reader = _Reader(source, problems)
    for key in data:
        if key not in RawScenario.model_fields:
            problems.error(unknown_key_message(RawScenario, [str(key)]), source, str(key))
    fields: dict[str, Any] = {}
    for name, field in RawScenario.model_fields.items():
        if data.get(name) is None:
            if field.is_required():
                problems.error("is required", source, name)
            continue
        tp = field.annotation
        if get_origin(tp) is list:
            fields[name] = tuple(reader.entries(tp, data[name], name))
        elif get_origin(tp) is dict:
            fields[name] = reader.mapping(tp, data[name], name)
        else:
            ok, value = reader.value(tp, data[name], name)
            if ok:
                fields[name] = value
    accounts = fields.pop("accounts", {})
    fields["accounts"] = {k: v if isinstance(v, RawAccount) else RawAccount(name=v or "")
                          for k, v in accounts.items()}
    return Sections(**fields, broken=frozenset(reader.broken))
