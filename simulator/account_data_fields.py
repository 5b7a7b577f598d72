"""How is one field of an AWS CLI export read, and what is wrong with it, where?

The estate readers (`account_data*.py`) share these helpers: each raises an InputError
naming the file (`source`) and the key path (`location`, e.g.
`RoleDetailList[3].AttachedManagedPolicies[0].PolicyArn`), and `Problems` gathers every
error (and every item left unknown) so one run reports all of them.

Policy documents come in three spellings and all are accepted:
- a JSON object (what the AWS CLI prints: it decodes documents for you);
- a JSON string (`aws s3api get-bucket-policy`, `aws organizations describe-policy`,
  `aws kms get-key-policy` return the policy as text);
- a URL-encoded JSON string, as the IAM API returns `GetAccountAuthorizationDetails`
  documents ("Policies returned by this operation are URL-encoded compliant with RFC 3986"):
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from .arn import parse_arn
from .errors import ArnError, InputError, InputErrors
from .policy import PolicyDocument, PolicyKind, parse_policy

T = TypeVar("T")
P = ParamSpec("P")


class Unknown(BaseModel):
    """Something the estate refers to but does not contain (a managed policy attached to a
    principal but missing from the export). `subject` is the ARN it was attached to,
    `affects` every principal whose permissions are therefore incomplete (a group's
    members), so the graph can mark what it says about them as uncertain."""

    model_config = ConfigDict(frozen=True)

    subject: str
    affects: tuple[str, ...]
    missing: str
    reason: str
    source: str
    location: str

    def render(self) -> str:
        place = ": ".join(p for p in (self.source, self.location) if p)
        return f"{place}: {self.reason}" if place else self.reason


class Problems:
    """Every error and every unknown found while reading an estate; readers go on after
    each problem so that one run reports all of them."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.unknowns: list[Unknown] = []

    def error(self, message: str, source: str, location: str = "") -> None:
        self.errors.append(InputError(message, source=source, location=location))

    def attempt(self, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`read(*args, **kwargs)`, or None after recording the InputError(s) it raised."""
        try:
            return read(*args, **kwargs)
        except InputErrors as exc:
            self.errors.extend(exc.errors)
        except InputError as exc:
            self.errors.append(exc)
        return None

    def listed(self, parent: dict[str, Any], key: str,
               source: str) -> list[tuple[str, dict[str, Any]]]:
        """The objects of a top-level list field; [] (and an error) when it is not one."""
        return self.attempt(lambda: list(objects(parent, key, source, ""))) or []

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(sorted(self.errors, key=lambda e: e.source))


def at(where: str, key: str | int) -> str:
    """Join a key path: at("RoleDetailList[3]", "Path") -> "RoleDetailList[3].Path"."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def kind_of(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), "a value")


def as_object(value: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"must be an object, got {kind_of(value)}", source=source,
                         location=where)
    return value


def text(parent: dict[str, Any], key: str, source: str, where: str) -> str:
    """A required non-empty string field."""
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        got = "nothing" if key not in parent else kind_of(value)
        raise InputError(f"must be a non-empty string, got {got}", source=source,
                         location=at(where, key))
    return value


def optional_text(parent: dict[str, Any], key: str, source: str, where: str) -> str | None:
    return text(parent, key, source, where) if key in parent else None


def entries(parent: dict[str, Any], key: str, source: str,
            where: str) -> Iterator[tuple[str, Any]]:
    """(location, item) for each item of an optional list field."""
    value = parent.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"must be a list, got {kind_of(value)}", source=source,
                         location=at(where, key))
    for i, item in enumerate(value):
        yield at(at(where, key), i), item


def objects(parent: dict[str, Any], key: str, source: str,
            where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Like `entries`, for a list whose items must be objects."""
    for loc, item in entries(parent, key, source, where):
        yield loc, as_object(item, source, loc)


def owned_arn(value: str, source: str, where: str, *, service: str, prefix: str,
              account: str) -> str:
    """`value` if it is a `service` ARN whose resource starts with `prefix` (`role/`,
    `key/`, ...) and which belongs to `account`, the folder's account."""
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        raise InputError(exc.message, source=source, location=where) from None
    if arn.service != service or not arn.resource.startswith(prefix):
        raise InputError(f"{value!r} is not an ARN of the form {service}:...:{prefix}...",
                         source=source, location=where)
    if arn.account != account:
        raise InputError(f"{value!r} belongs to account {arn.account}, not to this folder's "
                         f"account {account}", source=source, location=where)
    return value


def tags(parent: dict[str, Any], source: str, where: str) -> dict[str, str]:
    """IAM `Tags`: a list of {"Key", "Value"}; a key may appear once."""
    out: dict[str, str] = {}
    for loc, tag in objects(parent, "Tags", source, where):
        key = text(tag, "Key", source, loc)
        value = tag.get("Value", "")
        if not isinstance(value, str):
            raise InputError(f"must be a string, got {kind_of(value)}", source=source,
                             location=at(loc, "Value"))
        if key in out:
            raise InputError(f"tag {key!r} appears twice", source=source, location=loc)
        out[key] = value
    return out


def document(raw: Any, *, name: str, kind: PolicyKind, source: str,
             location: str) -> PolicyDocument:
    """A policy document in any of the three spellings (module docstring) -> parsed."""
    if isinstance(raw, str) and not raw.lstrip().startswith("{"):
        raw = unquote(raw)
    return parse_policy(raw, name=name, kind=kind, source=source, location=location)
