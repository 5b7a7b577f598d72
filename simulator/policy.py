"""What does this policy document say? JSON -> frozen model, or a PolicyError naming the place.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- Statement is an object or a list; Action/Resource/values are a string or a list.
- Effect is exactly `Allow` or `Deny` (case-sensitive):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
- A statement has Action xor NotAction, Resource xor NotResource (trust policies have no
  Resource: the role is the resource), Principal xor NotPrincipal only in resource-based
  policies; identity policies, boundaries, session policies and SCPs must not name one:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- NotPrincipal is not allowed in role trust policies:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- Principal values: `*`, account ids, account-root/user/role/assumed-role/federated-user
  ARNs, Service, Federated, CanonicalUser; no partial wildcards.
- Action is `service:name` or `*`; no wildcard in the service prefix:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .arn import is_account_id, parse_arn
from .conditions import parse_operator
from .errors import ArnError, InputError, PolicyError

VERSION_CURRENT = "2012-10-17"
VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action",
                             "NotAction", "Resource", "NotResource", "Condition"})
_PRINCIPAL_TYPES = {"AWS": "aws", "Service": "service", "Federated": "federated",
                    "CanonicalUser": "canonical_user"}


class PolicyKind(str, Enum):
    """Where a policy is attached, which decides what its statements may contain."""

    identity = "identity"
    resource = "resource"
    trust = "trust"
    boundary = "boundary"
    session = "session"
    scp = "scp"
    rcp = "rcp"

    @property
    def names_principals(self) -> bool:
        return self in (PolicyKind.resource, PolicyKind.trust, PolicyKind.rcp)


class PrincipalBlock(BaseModel):
    """A Principal or NotPrincipal element. `everyone` is `"*"` or `{"AWS": "*"}` (equal)."""

    model_config = ConfigDict(frozen=True)

    everyone: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def values(self) -> list[str]:
        out = ["*"] if self.everyone else []
        return out + [*self.aws, *self.service, *self.federated, *self.canonical_user]


class Condition(BaseModel):
    """One (operator, key, values) triple of a Condition block, as written."""

    model_config = ConfigDict(frozen=True)

    operator: str
    key: str
    values: tuple[str, ...]


class Statement(BaseModel):
    """One statement. Exactly one of action/not_action is set, and so on for the others."""

    model_config = ConfigDict(frozen=True)

    index: int
    sid: str | None = None
    effect: str
    principal: PrincipalBlock | None = None
    not_principal: PrincipalBlock | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        return f"#{self.index}" + (f" ({self.sid})" if self.sid else "")


class PolicyDocument(BaseModel):
    """A parsed policy: its name (for reports), where it is attached, and its statements."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: PolicyKind
    version: str | None
    id: str | None = None
    statements: tuple[Statement, ...]
    _compiled: Any = PrivateAttr(default=None)  # the evaluator's index, built on first use

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under 2012-10-17 (else literal text)."""
        return self.version == VERSION_CURRENT


def _strings(value: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value and not allow_empty:
            raise PolicyError("must not be an empty list", location=where)
        return tuple(value)
    raise PolicyError(f"must be a string or a list of strings, got {_kind(value)}",
                      location=where)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), "a value")


def _check_action(action: str, where: str) -> None:
    if action == "*":
        return
    service, sep, name = action.partition(":")
    if not sep or not service or not name:
        raise PolicyError(f"action {action!r} is not service:Action or *", location=where)
    if "*" in service or "?" in service:
        raise PolicyError(f"action {action!r} has a wildcard in its service prefix",
                          location=where)


def _check_resource(resource: str, where: str) -> None:
    if resource == "*":
        return
    try:
        parse_arn(resource, allow_wildcards=True)
    except ArnError as exc:
        raise PolicyError(exc.message, location=where) from None


def _check_aws_principal(value: str, where: str) -> None:
    """Account id, `*`, or an ARN of root/user/role/assumed-role/federated-user, no wildcard.

    A bare unique id (AROA.../AIDA...) is what IAM shows after the named entity was deleted;
    it is accepted and matches no one.
    """
    if value == "*" or is_account_id(value):
        return
    if value[:4] in ("AROA", "AIDA") and value.isalnum():
        return
    if "*" in value or "?" in value:
        raise PolicyError(f"principal {value!r}: Principal allows no partial wildcards "
                          f"(only \"*\" on its own)", location=where)
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        raise PolicyError(exc.message, location=where) from None
    res = arn.resource
    ok = (arn.service == "iam" and (res == "root" or res.startswith(("user/", "role/"))))
    ok = ok or (arn.service == "sts" and res.startswith(("assumed-role/", "federated-user/")))
    if not ok:
        raise PolicyError(f"principal {value!r} is not an account, user, role, assumed-role "
                          f"or federated-user ARN", location=where)


def _principal(value: Any, where: str) -> PrincipalBlock:
    if value == "*":
        return PrincipalBlock(everyone=True)
    if not isinstance(value, dict) or not value:
        raise PolicyError('must be "*" or an object such as {"AWS": ...}', location=where)
    fields: dict[str, Any] = {}
    for ptype, raw in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise PolicyError(f"unknown principal type {ptype!r} (AWS, Service, Federated, "
                              f"CanonicalUser)", location=f"{where}.{ptype}")
        values = _strings(raw, f"{where}.{ptype}")
        if ptype == "AWS":
            for i, v in enumerate(values):
                _check_aws_principal(v, f"{where}.AWS[{i}]")
            if "*" in values:
                fields["everyone"] = True
                values = tuple(v for v in values if v != "*")
        elif any("*" in v or "?" in v for v in values):
            raise PolicyError("no wildcards allowed here", location=f"{where}.{ptype}")
        fields[_PRINCIPAL_TYPES[ptype]] = values
    return PrincipalBlock(**fields)


def _condition_values(raw: Any, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError("a condition needs at least one value", location=where)
    out = []
    for v in items:
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (str, int, float)):
            out.append(str(v))
        else:
            raise PolicyError(f"condition values are strings, numbers or booleans, "
                              f"got {_kind(v)}", location=where)
    return tuple(out)


def _conditions(block: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(block, dict):
        raise PolicyError(f"must be an object, got {_kind(block)}", location=where)
    out = []
    for operator, keys in block.items():
        at = f"{where}.{operator}"
        try:
            parsed = parse_operator(operator)
        except ValueError as exc:
            raise PolicyError(str(exc), location=at) from None
        if not isinstance(keys, dict) or not keys:
            raise PolicyError("must be an object of condition keys to values", location=at)
        for key, raw in keys.items():
            values = _condition_values(raw, f"{at}.{key}")
            try:
                parsed.validate(values)
            except ValueError as exc:
                raise PolicyError(str(exc), location=f"{at}.{key}") from None
            out.append(Condition(operator=operator, key=key, values=values))
    return tuple(out)


def _statement(raw: Any, index: int, kind: PolicyKind, where: str) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError(f"a statement must be an object, got {_kind(raw)}", location=where)
    unknown = set(raw) - _STATEMENT_KEYS
    if unknown:
        raise PolicyError(f"unknown element {sorted(unknown)[0]!r} (the grammar allows "
                          f"{', '.join(sorted(_STATEMENT_KEYS))})", location=where)
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'Effect must be exactly "Allow" or "Deny", got {effect!r}',
                          location=f"{where}.Effect")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Sid must be a string", location=f"{where}.Sid")
    fields: dict[str, Any] = {"index": index, "sid": sid, "effect": effect}
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"),
                 ("Principal", "NotPrincipal")):
        if a in raw and b in raw:
            raise PolicyError(f"a statement has {a} or {b}, not both", location=where)
    if "Action" not in raw and "NotAction" not in raw:
        raise PolicyError("a statement needs Action or NotAction", location=where)
    for name in ("Action", "NotAction"):
        if name in raw:
            actions = _strings(raw[name], f"{where}.{name}")
            for i, a in enumerate(actions):
                _check_action(a, f"{where}.{name}[{i}]")
            fields["action" if name == "Action" else "not_action"] = actions
    has_resource = "Resource" in raw or "NotResource" in raw
    if kind is PolicyKind.trust and has_resource:
        raise PolicyError("a role trust policy has no Resource: the role is the resource",
                          location=where)
    if kind is not PolicyKind.trust and not has_resource:
        raise PolicyError("a statement needs Resource or NotResource", location=where)
    for name in ("Resource", "NotResource"):
        if name in raw:
            resources = _strings(raw[name], f"{where}.{name}")
            for i, r in enumerate(resources):
                _check_resource(r, f"{where}.{name}[{i}]")
            fields["resource" if name == "Resource" else "not_resource"] = resources
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if has_principal and not kind.names_principals:
        raise PolicyError(f"a {kind.value} policy must not name a Principal: the principal is "
                          f"whoever the policy is attached to", location=where)
    if kind.names_principals and not has_principal:
        raise PolicyError(f"a {kind.value} policy statement needs a Principal",
                          location=where)
    if "NotPrincipal" in raw and kind is PolicyKind.trust:
        raise PolicyError("NotPrincipal is not allowed in a role trust policy",
                          location=f"{where}.NotPrincipal")
    if "Principal" in raw:
        fields["principal"] = _principal(raw["Principal"], f"{where}.Principal")
    if "NotPrincipal" in raw:
        fields["not_principal"] = _principal(raw["NotPrincipal"], f"{where}.NotPrincipal")
    if "Condition" in raw:
        fields["conditions"] = _conditions(raw["Condition"], f"{where}.Condition")
    return Statement(**fields)


def parse_policy(raw: Any, *, name: str, kind: PolicyKind, source: str = "",
                 location: str = "") -> PolicyDocument:
    """Turn a decoded JSON policy into a PolicyDocument, or raise PolicyError.

    `raw` may also be JSON text (as IAM APIs return it). The error carries `source` (file or
    case id) and a location such as `policies.identity[0].Statement[2].Action`.
    """
    prefix = f"{location}." if location else ""
    try:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise PolicyError(f"not valid JSON: {exc.msg} at line {exc.lineno} column "
                                  f"{exc.colno}") from None
        if not isinstance(raw, dict):
            raise PolicyError(f"a policy document must be an object, got {_kind(raw)}")
        unknown = set(raw) - {"Version", "Id", "Statement"}
        if unknown:
            raise PolicyError(f"unknown top-level element {sorted(unknown)[0]!r} (Version, Id, "
                              f"Statement)")
        version = raw.get("Version")
        if version is not None and (not isinstance(version, str) or version not in VERSIONS):
            raise PolicyError(f"Version must be 2012-10-17 or 2008-10-17, got {version!r}",
                              location="Version")
        if "Statement" not in raw:
            raise PolicyError("a policy document needs a Statement")
        body = raw["Statement"]
        items = body if isinstance(body, list) else [body]
        statements = tuple(_statement(s, i, kind, f"Statement[{i}]")
                           for i, s in enumerate(items))
        policy_id = raw.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise PolicyError("Id must be a string", location="Id")
    except InputError as exc:
        raise PolicyError(exc.message, source=source,
                          location=f"{prefix}{exc.location}".rstrip(".")) from None
    return PolicyDocument(name=name, kind=kind, version=version, id=policy_id,
                          statements=statements)
