"""What does this policy document say? JSON -> frozen model, or a PolicyError naming the place.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- Statement is an object or a list; Action/Resource/values are a string or a list.
- Effect is exactly `Allow` or `Deny` (case-sensitive):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
- A statement has Action xor NotAction, Resource xor NotResource (trust policies have no
  Resource: the role is the resource), Principal xor NotPrincipal only in resource-based
  policies; identity policies, boundaries, session policies and SCPs must not name one:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- NotPrincipal is not allowed in role trust policies, nor in SCPs and RCPs:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- Every RCP must have `"Version": "2012-10-17"`:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
- Principal values: `*`, account ids, account-root/user/role/assumed-role/federated-user
  ARNs, Service, Federated, CanonicalUser; no partial wildcards.
- Action is `service:name` or `*`; no wildcard in the service prefix:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
"""

from __future__ import annotations

import json
from enum import Enum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .arn import is_account_id, parse_arn
from .conditions import parse_operator
from .errors import ArnError, InputError, PolicyError
from .fastmodel import constructor, dict_constructor
from .wildcard import compile_glob

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
        return self in _NAMING_PRINCIPALS


_NAMING_PRINCIPALS = frozenset({PolicyKind.resource, PolicyKind.trust, PolicyKind.rcp})
_TRUST = PolicyKind.trust  # (a module constant: an enum member is slow to look up)
_RCP = PolicyKind.rcp


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
    # statements checked but not built: their Action/NotAction cannot match the one action
    # the document was parsed for (parse_policy's `action`); they cannot apply to it
    omitted: int = 0
    _compiled: Any = PrivateAttr(default=None)  # the evaluator's index, built on first use

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under 2012-10-17 (else literal text)."""
        return self.version == VERSION_CURRENT


_new_block = dict_constructor(PrincipalBlock)
_new_condition = constructor(Condition, "operator", "key", "values")
_new_statement = dict_constructor(Statement)
_new_document = constructor(PolicyDocument, "name", "kind", "version", "id", "statements",
                            "omitted")
_EXCLUSIVE = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))
_ABSENT: Any = object()

# Speed: a statement is checked with plain dict and str operations, locations are spelled
# out only when there is an error, the checks of single values (an ARN, a principal, a
# condition value under its operator) are cached, and conditions and documents are built
# from the checked values without a second validation (fastmodel). The checks and their
# order are those of the grammar above: the first problem found is the one reported.


def _strings(value: Any, where: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        for v in value:
            if not isinstance(v, str):
                break
        else:
            if not value:
                raise PolicyError("must not be an empty list", location=f"{where}.{name}")
            return tuple(value)
    raise PolicyError(f"must be a string or a list of strings, got {_kind(value)}",
                      location=f"{where}.{name}")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), "a value")


def _check_action(action: str, where: str, element: str, i: int) -> None:
    if action == "*":
        return
    service, sep, name = action.partition(":")
    if not sep or not service or not name:
        raise PolicyError(f"action {action!r} is not service:Action or *",
                          location=f"{where}.{element}[{i}]")
    if "*" in service or "?" in service:
        raise PolicyError(f"action {action!r} has a wildcard in its service prefix",
                          location=f"{where}.{element}[{i}]")


_TYPED_SERVICES = frozenset({"iam", "sts"})  # whose every resource starts with a type word


@lru_cache(maxsize=65536)
def _resource_problem(resource: str) -> str | None:
    """Why a Resource/NotResource value is not a valid pattern, if it is not. Besides the
    ARN's shape: no wildcard in the resource-type word of an IAM/STS ARN (`user`, `role`:
    "arn:aws:iam::123456789012:u*" is not allowed), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html;
    policy variables only in the resource part, after the fifth colon, never in the
    service, region or account, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"""
    if resource == "*":
        return None
    try:
        arn = parse_arn(resource, allow_wildcards=True)
    except ArnError as exc:
        return exc.message
    if "${" in resource[:len(resource) - len(arn.resource)]:
        return (f"{resource!r}: a policy variable may stand only in the resource part of "
                f"an ARN (after the fifth colon), not in its service, region or account")
    if arn.service in _TYPED_SERVICES and arn.resource != "*":
        word = arn.resource.split("/", 1)[0]
        if "*" in word or "?" in word:
            return (f"{resource!r}: no wildcard in the resource-type word of an "
                    f"{arn.service.upper()} ARN ({word!r}; user/..., role/..., ...)")
    return None


@lru_cache(maxsize=16384)
def _aws_principal_problem(value: str) -> str | None:
    """Account id, `*`, or an ARN of root/user/role/assumed-role/federated-user, no wildcard.

    A bare unique id (AROA.../AIDA...) is what IAM shows after the named entity was deleted;
    it is accepted and matches no one.
    """
    if value == "*" or is_account_id(value):
        return None
    if value[:4] in ("AROA", "AIDA") and value.isalnum():
        return None
    if "*" in value or "?" in value:
        return (f"principal {value!r}: Principal allows no partial wildcards "
                f"(only \"*\" on its own)")
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        return exc.message
    res = arn.resource
    ok = (arn.service == "iam" and (res == "root" or res.startswith(("user/", "role/"))))
    ok = ok or (arn.service == "sts" and res.startswith(("assumed-role/", "federated-user/")))
    if not ok:
        return (f"principal {value!r} is not an account, user, role, assumed-role "
                f"or federated-user ARN")
    return None


def _principal(value: Any, statement: str, element: str) -> PrincipalBlock:
    where = f"{statement}.{element}"
    if value == "*":
        return _new_block({"everyone": True})
    if not isinstance(value, dict) or not value:
        raise PolicyError('must be "*" or an object such as {"AWS": ...}', location=where)
    fields: dict[str, Any] = {}
    for ptype, raw in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise PolicyError(f"unknown principal type {ptype!r} (AWS, Service, Federated, "
                              f"CanonicalUser)", location=f"{where}.{ptype}")
        values = _strings(raw, where, ptype)
        if ptype == "AWS":
            for i, v in enumerate(values):
                problem = _aws_principal_problem(v)
                if problem is not None:
                    raise PolicyError(problem, location=f"{where}.AWS[{i}]")
            if "*" in values:
                fields["everyone"] = True
                values = tuple(v for v in values if v != "*")
        elif any("*" in v or "?" in v for v in values):
            raise PolicyError("no wildcards allowed here", location=f"{where}.{ptype}")
        fields[_PRINCIPAL_TYPES[ptype]] = values
    return _new_block(fields)


def _condition_values(raw: Any, where: str, operator: str, key: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError("a condition needs at least one value",
                          location=f"{where}.{operator}.{key}")
    out = []
    for v in items:
        if type(v) is str:
            out.append(v)
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (str, int, float)):
            out.append(str(v))
        else:
            raise PolicyError(f"condition values are strings, numbers or booleans, "
                              f"got {_kind(v)}", location=f"{where}.{operator}.{key}")
    return tuple(out)


@lru_cache(maxsize=65536)
def _value_problem(operator: str, value: str) -> str | None:
    """Why the (valid) operator cannot take this policy value, if it cannot."""
    try:
        parse_operator(operator).validate((value,))
    except ValueError as exc:
        return str(exc)
    return None


# valid conditions, shared by every statement that has the same one (they are immutable)
_CONDITIONS: dict[tuple[str, str, tuple[str, ...]], Condition] = {}


def _conditions(block: Any, statement: str) -> tuple[Condition, ...]:
    where = f"{statement}.Condition"
    if not isinstance(block, dict):
        raise PolicyError(f"must be an object, got {_kind(block)}", location=where)
    out = []
    for operator, keys in block.items():
        try:
            parse_operator(operator)
        except ValueError as exc:
            raise PolicyError(str(exc), location=f"{where}.{operator}") from None
        if not isinstance(keys, dict) or not keys:
            raise PolicyError("must be an object of condition keys to values",
                              location=f"{where}.{operator}")
        for key, raw in keys.items():
            values = _condition_values(raw, where, operator, key)
            condition = _CONDITIONS.get((operator, key, values))
            if condition is None:
                for value in values:
                    problem = _value_problem(operator, value)
                    if problem is not None:
                        raise PolicyError(problem, location=f"{where}.{operator}.{key}")
                if not isinstance(key, str):  # not from JSON: let validation say what is wrong
                    condition = Condition(operator=operator, key=key, values=values)
                else:
                    if len(_CONDITIONS) >= 65536:
                        _CONDITIONS.clear()
                    condition = _CONDITIONS[operator, key, values] = _new_condition(
                        operator=operator, key=key, values=values)
            out.append(condition)
    return tuple(out)


def _statement(raw: Any, index: int, kind: PolicyKind) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"a statement must be an object, got {_kind(raw)}", location=where)
    if not _STATEMENT_KEYS.issuperset(raw):
        unknown = set(raw) - _STATEMENT_KEYS
        raise PolicyError(f"unknown element {sorted(unknown)[0]!r} (the grammar allows "
                          f"{', '.join(sorted(_STATEMENT_KEYS))})", location=where)
    effect = raw.get("Effect")
    if effect != "Allow" and effect != "Deny":
        raise PolicyError(f'Effect must be exactly "Allow" or "Deny", got {effect!r}',
                          location=f"{where}.Effect")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Sid must be a string", location=f"{where}.Sid")
    fields: dict[str, Any] = {"index": index, "sid": sid, "effect": effect}
    for a, b in _EXCLUSIVE:
        if a in raw and b in raw:
            raise PolicyError(f"a statement has {a} or {b}, not both", location=where)
    name = "Action" if "Action" in raw else "NotAction" if "NotAction" in raw else None
    if name is None:
        raise PolicyError("a statement needs Action or NotAction", location=where)
    value = raw[name]
    actions = (value,) if type(value) is str else _strings(value, where, name)
    for i, a in enumerate(actions):
        if not _action_ok(a):
            _check_action(a, where, name, i)  # raises
    fields["action" if name == "Action" else "not_action"] = actions
    name = "Resource" if "Resource" in raw else "NotResource" if "NotResource" in raw else None
    trust = kind is _TRUST
    if trust and name is not None:
        raise PolicyError("a role trust policy has no Resource: the role is the resource",
                          location=where)
    if not trust and name is None:
        raise PolicyError("a statement needs Resource or NotResource", location=where)
    if name is not None:
        value = raw[name]
        resources = (value,) if type(value) is str else _strings(value, where, name)
        for i, r in enumerate(resources):
            problem = _resource_problem(r)
            if problem is not None:
                raise PolicyError(problem, location=f"{where}.{name}[{i}]")
        fields["resource" if name == "Resource" else "not_resource"] = resources
    principal = raw.get("Principal", _ABSENT)
    not_principal = raw.get("NotPrincipal", _ABSENT)
    has_principal = principal is not _ABSENT or not_principal is not _ABSENT
    names_principals = kind in _NAMING_PRINCIPALS
    if has_principal and not names_principals:
        raise PolicyError(f"a {kind.value} policy must not name a Principal: the principal is "
                          f"whoever the policy is attached to", location=where)
    if names_principals and not has_principal:
        raise PolicyError(f"a {kind.value} policy statement needs a Principal",
                          location=where)
    if not_principal is not _ABSENT and (trust or kind is _RCP):
        # AWS: NotPrincipal is not supported in role trust policies, SCPs or RCPs
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        what = "a role trust policy" if trust else "a resource control policy"
        raise PolicyError(f"NotPrincipal is not allowed in {what}",
                          location=f"{where}.NotPrincipal")
    if principal is not _ABSENT:
        fields["principal"] = _principal(principal, where, "Principal")
    if not_principal is not _ABSENT:
        fields["not_principal"] = _principal(not_principal, where, "NotPrincipal")
    if "Condition" in raw:
        fields["conditions"] = _conditions(raw["Condition"], where)
    return _new_statement(fields)


@lru_cache(maxsize=65536)
def _action_ok(action: str) -> bool:
    service, sep, rest = action.partition(":")
    return action == "*" or bool(sep and service and rest and "*" not in service
                                 and "?" not in service)


@lru_cache(maxsize=16384)
def _operator_ok(operator: str) -> bool:
    try:
        parse_operator(operator)
    except ValueError:
        return False
    return True


def _strings_ok(value: Any) -> bool:
    """What `_strings` accepts: a string, or a non-empty list of strings."""
    if type(value) is str:
        return True
    if type(value) is not list or not value:
        return False
    for v in value:
        if type(v) is not str:
            return False
    return True


def _principal_ok(value: Any) -> bool:
    if value == "*":
        return True
    if type(value) is not dict or not value:
        return False
    for ptype, raw in value.items():
        if ptype not in _PRINCIPAL_TYPES or not _strings_ok(raw):
            return False
        values = (raw,) if type(raw) is str else raw
        if ptype == "AWS":
            for v in values:
                if _aws_principal_problem(v) is not None:
                    return False
        else:
            for v in values:
                if "*" in v or "?" in v:
                    return False
    return True


def _conditions_ok(block: Any) -> bool:
    if type(block) is not dict:
        return False
    for operator, keys in block.items():
        if type(operator) is not str or not _operator_ok(operator):
            return False
        if type(keys) is not dict or not keys:
            return False
        for key, raw in keys.items():
            if type(key) is not str:
                return False
            for v in (raw if type(raw) is list else (raw,)):
                if type(v) is str:
                    value = v
                elif type(v) is bool:
                    value = "true" if v else "false"
                elif type(v) is int or type(v) is float:
                    value = str(v)
                else:
                    return False
                if _value_problem(operator, value) is not None:
                    return False
            if type(raw) is list and not raw:
                return False
    return True


def _one_of(raw: dict[str, Any], a: str, b: str) -> Any:
    """The value of element `a` or `b`; _ABSENT when the statement has neither or both."""
    if a in raw:
        return _ABSENT if b in raw else raw[a]
    return raw.get(b, _ABSENT)


def _statement_ok(raw: Any, kind: PolicyKind) -> bool:
    """True when `_statement(raw, ..., kind)` would accept the statement: the same checks,
    made without building anything. False when it might not: `_statement` then finds (and
    names) the problem. Only True is a promise (tests/test_policy_lazy.py holds it to that)."""
    if type(raw) is not dict or not _STATEMENT_KEYS.issuperset(raw):
        return False
    effect = raw.get("Effect")
    if effect != "Allow" and effect != "Deny":
        return False
    sid = raw.get("Sid")
    if sid is not None and type(sid) is not str:
        return False
    actions = _one_of(raw, "Action", "NotAction")
    if not _strings_ok(actions):  # (also neither or both: _ABSENT is no string or list)
        return False
    for a in ((actions,) if type(actions) is str else actions):
        if not _action_ok(a):
            return False
    resources = _one_of(raw, "Resource", "NotResource")
    if kind is _TRUST:
        if "Resource" in raw or "NotResource" in raw:
            return False
    else:
        if not _strings_ok(resources):
            return False
        for r in ((resources,) if type(resources) is str else resources):
            if _resource_problem(r) is not None:
                return False
    has_principal = "Principal" in raw
    has_not_principal = "NotPrincipal" in raw
    if kind in _NAMING_PRINCIPALS:
        if has_principal == has_not_principal:  # neither, or both
            return False
        if has_not_principal and (kind is _TRUST or kind is _RCP):
            return False
        if not _principal_ok(raw["Principal"] if has_principal else raw["NotPrincipal"]):
            return False
    elif has_principal or has_not_principal:
        return False
    return "Condition" not in raw or _conditions_ok(raw["Condition"])


_MATCHES: dict[tuple[str, str], bool] = {}  # (Action pattern, lower-cased action) -> match


def _reaches(raw: dict[str, Any], action: str) -> bool:
    """Does the (checked) statement's Action match `action` (lower-cased), or its NotAction
    not? The test of evaluator.CompiledStatement.action_matches, on the raw element."""
    negate = "Action" not in raw
    patterns = raw["NotAction"] if negate else raw["Action"]
    for p in ((patterns,) if type(patterns) is str else patterns):
        matched = _MATCHES.get((p, action))
        if matched is None:
            if len(_MATCHES) >= 65536:
                _MATCHES.clear()
            matched = _MATCHES[p, action] = compile_glob(p.lower())(action)
        if matched:
            return not negate
    return negate


def parse_policy(raw: Any, *, name: str, kind: PolicyKind, source: str = "",
                 location: str = "", action: str | None = None) -> PolicyDocument:
    """Turn a decoded JSON policy into a PolicyDocument, or raise PolicyError.

    `raw` may also be JSON text (as IAM APIs return it). The error carries `source` (file or
    case id) and a location such as `policies.identity[0].Statement[2].Action`.

    With `action` (lower-cased), for a document that will only be asked about that action,
    every statement is still checked, but only those the action reaches are built; the
    others are counted in `omitted` (they cannot apply: their Action does not match).
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
        if kind is _RCP and version != VERSION_CURRENT:
            # "Every RCP must include a Version element with the value 2012-10-17"
            # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
            raise PolicyError(f"a resource control policy needs Version 2012-10-17, got "
                              f"{version!r}", location="Version")
        if "Statement" not in raw:
            raise PolicyError("a policy document needs a Statement")
        body = raw["Statement"]
        items = body if isinstance(body, list) else [body]
        omitted = 0
        if action is None:
            statements = tuple(_statement(s, i, kind) for i, s in enumerate(items))
        else:
            built = []
            for i, s in enumerate(items):
                if _statement_ok(s, kind):
                    if _reaches(s, action):
                        built.append(_statement(s, i, kind))
                    else:
                        omitted += 1
                    continue
                # _statement names the problem, or builds what the quick check doubted
                statement = _statement(s, i, kind)
                if _reaches(s, action):
                    built.append(statement)
                else:
                    omitted += 1
            statements = tuple(built)
        policy_id = raw.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise PolicyError("Id must be a string", location="Id")
    except InputError as exc:
        raise PolicyError(exc.message, source=source,
                          location=f"{prefix}{exc.location}".rstrip(".")) from None
    if not isinstance(name, str) or not isinstance(kind, PolicyKind):
        # not the declared types: let validation coerce or refuse them, as it always has
        return PolicyDocument(name=name, kind=kind, version=version, id=policy_id,
                              statements=statements, omitted=omitted)
    return _new_document(name=name, kind=kind, version=version, id=policy_id,
                         statements=statements, omitted=omitted)
