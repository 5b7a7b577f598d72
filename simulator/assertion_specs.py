"""What does a scenario assert about its world? The assertion models and their reader.

The meaning of each assertion, and how it is answered, is in simulator/assertions.py; this
module only reads them (it stays free of the graph so that loading a scenario is cheap).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .arn import is_account_id
from .errors import InputError, InputErrors
from .scenario_errors import validation_problems
from .scenario_types import AccountId, Action, AnyArn, OrgId, RawModel, RoleArn


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OnlyPrincipals(_Frozen):
    """Only `principals` (ARNs, globs, account ids) may do `action` on `resource`."""

    kind: Literal["only"] = "only"
    action: str
    resource: str
    principals: tuple[str, ...]
    location: str = ""

    @property
    def name(self) -> str:
        return f"only {', '.join(self.principals) or 'nobody'} may {self.action} on " \
               f"{self.resource}"


class NoExternalAssume(_Frozen):
    """No principal outside the organization (or `accounts`) may assume `role`."""

    kind: Literal["no_external_assume"] = "no_external_assume"
    role: str
    org_id: str | None = None
    accounts: tuple[str, ...] = ()
    location: str = ""

    @property
    def name(self) -> str:
        inside = f"organization {self.org_id}" if self.org_id else "the organization"
        if self.accounts:
            inside += f" and accounts {', '.join(self.accounts)}"
        return f"no principal outside {inside} may assume {self.role}"


Assertion = Annotated[OnlyPrincipals | NoExternalAssume, Field(discriminator="kind")]


def _pattern(value: str) -> str:
    if value == "*" or value.startswith("arn:") or is_account_id(value):
        return value
    raise ValueError(f"{value!r} is not a principal ARN, an ARN pattern (arn:...:role/etl-*) "
                     f"or a 12-digit account id")


class _RawOnly(RawModel):
    action: Action
    resource: AnyArn
    principals: list[Annotated[str, AfterValidator(_pattern)]] = Field(min_length=1)


class _RawNoExternal(RawModel):
    role: RoleArn
    org_id: OrgId | None = None
    accounts: list[AccountId] = []


class _RawAssertion(RawModel):
    only: _RawOnly | None = None
    no_external_assume: _RawNoExternal | None = None


def _one(raw: Any, where: str, source: str) -> OnlyPrincipals | NoExternalAssume:
    try:
        item = _RawAssertion.model_validate(raw)
    except ValidationError as exc:
        raise InputErrors(validation_problems(exc, _RawAssertion, source, where)) from None
    given = [k for k in ("only", "no_external_assume") if getattr(item, k) is not None]
    if len(given) != 1:
        raise InputError("an assertion is one of only: or no_external_assume:",
                         source=source, location=where)
    if item.only is not None:
        return OnlyPrincipals(action=item.only.action, resource=item.only.resource,
                              principals=tuple(item.only.principals), location=where)
    assert item.no_external_assume is not None
    x = item.no_external_assume
    return NoExternalAssume(role=x.role, org_id=x.org_id, accounts=tuple(x.accounts),
                            location=where)


def parse_assertions(raw: Any, location: str = "assertions",
                     source: str = "") -> tuple[OnlyPrincipals | NoExternalAssume, ...]:
    """The assertions of a scenario's `assertions:` list (None: none), or InputError /
    InputErrors naming `source` and the key path (`assertions[1].only.action`)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("must be a list of assertions (only:, no_external_assume:)",
                         source=source, location=location)
    out: list[OnlyPrincipals | NoExternalAssume] = []
    errors: list[InputError] = []
    for i, item in enumerate(raw):
        try:
            out.append(_one(item, f"{location}[{i}]", source))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return tuple(out)


