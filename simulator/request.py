"""What is being asked, and what request context does AWS attach to it?

A Request is one API call: principal, action, resource, the resource's account, and the
context keys the caller supplies. `request_context()` adds the keys AWS fills in itself and
drops service keys the action does not support. No clock is read: aws:CurrentTime and
aws:EpochTime come from the request (each derived from the other when only one is given).

Keys AWS fills in (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
- aws:PrincipalArn: the caller's ARN; for a role session the ROLE's ARN, never the session's.
- aws:PrincipalAccount, aws:PrincipalType (Account, User, FederatedUser, AssumedRole,
  Anonymous; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable),
  aws:userid (account id for root, ACCOUNT:NAME for a federated user, ROLEID:SESSION for a
  session when the role id is known), aws:username (IAM users only),
  aws:PrincipalIsAWSService (true only for a service principal acting itself),
  aws:ResourceAccount (the account owning the resource).
- Not filled in: aws:PrincipalOrgID (only when the account is in an organization: supply it),
  aws:MultiFactorAuthPresent (only with temporary credentials), aws:SourceIp, ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from .arn import Principal, PrincipalKind, parse_arn, principal_from_arn
from .catalog import applies_to_action
from .conditions.dates import to_instant
from .errors import ArnError, InputError

ContextValues = tuple[str, ...]

_PRINCIPAL_TYPE = {
    PrincipalKind.root: "Account",
    PrincipalKind.user: "User",
    PrincipalKind.federated_user: "FederatedUser",
    PrincipalKind.role_session: "AssumedRole",
    PrincipalKind.anonymous: "Anonymous",
}


class Request(BaseModel):
    """One API call to decide. `context` keys are as the caller wrote them; values are lists
    (a single-valued key is a one-element list). `principal_id` is the caller's unique id
    (AIDA... for users, AROA... for roles) when known; it feeds aws:userid."""

    model_config = ConfigDict(frozen=True)

    principal: Principal
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, ContextValues] = Field(default_factory=dict)
    principal_id: str | None = None

    @property
    def service(self) -> str:
        return self.action.partition(":")[0].lower()

    @property
    def cross_account(self) -> bool:
        """Caller and resource in different accounts (anonymous/service callers: never)."""
        return (self.principal.account is not None and self.resource_account is not None
                and self.principal.account != self.resource_account)


def context_values(value: object, where: str) -> ContextValues:
    """A context value as given in a case or scenario: string, number, bool, or a list."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise InputError("context values are strings, numbers, booleans or lists of them",
                             location=where)
    return tuple(out)


def resource_account_of(resource: str, explicit: str | None,
                        context: Mapping[str, ContextValues], caller: str | None) -> str | None:
    """The resource's account: given, else aws:ResourceAccount, else the ARN's account
    segment, else the caller's (S3 ARNs carry no account)."""
    if explicit:
        return explicit
    for key, values in context.items():
        if key.lower() == "aws:resourceaccount" and values:
            return values[0]
    if resource.startswith("arn:"):
        try:
            account = parse_arn(resource, allow_wildcards=True).account
        except ArnError:
            account = ""
        if account and account.isdigit():
            return account
    return caller


def make_request(principal_arn: str, action: str, resource: str, *,
                 principal_account: str | None = None, resource_account: str | None = None,
                 context: Mapping[str, object] | None = None, role_arn: str | None = None,
                 principal_id: str | None = None) -> Request:
    """Build a Request from plain values (the case format's fields), validating each."""
    if ":" not in action and action != "*":
        raise InputError(f"action {action!r} is not service:Action", location="action")
    principal = principal_from_arn(principal_arn, account=principal_account, role_arn=role_arn)
    given = {k: context_values(v, f"context.{k}") for k, v in (context or {}).items()}
    account = resource_account_of(resource, resource_account, given, principal.account)
    return Request(principal=principal, action=action, resource=resource,
                   resource_account=account, context=given, principal_id=principal_id)


def implicit_keys(request: Request) -> dict[str, ContextValues]:
    """The keys AWS fills in for this request (lower-cased names)."""
    p = request.principal
    keys: dict[str, ContextValues] = {}
    if p.kind is PrincipalKind.service:
        keys["aws:principalisawsservice"] = ("true",)
        keys["aws:principalservicename"] = (p.arn,)
    elif p.kind is not PrincipalKind.anonymous:
        keys["aws:principalarn"] = (p.principal_arn,)
        keys["aws:principalisawsservice"] = ("false",)
        if p.account:
            keys["aws:principalaccount"] = (p.account,)
    else:
        keys["aws:principalaccount"] = ("anonymous",)
    if p.kind in _PRINCIPAL_TYPE:
        keys["aws:principaltype"] = (_PRINCIPAL_TYPE[p.kind],)
    if p.kind is PrincipalKind.user:
        keys["aws:username"] = (p.name,)
        if request.principal_id:
            keys["aws:userid"] = (request.principal_id,)
    elif p.kind is PrincipalKind.root and p.account:
        keys["aws:userid"] = (p.account,)
    elif p.kind is PrincipalKind.federated_user and p.account:
        keys["aws:userid"] = (f"{p.account}:{p.name}",)
    elif p.kind is PrincipalKind.role_session and request.principal_id:
        keys["aws:userid"] = (f"{request.principal_id}:{p.session_name}",)
    elif p.kind is PrincipalKind.anonymous:
        keys["aws:userid"] = ("anonymous",)
    if request.resource_account:
        keys["aws:resourceaccount"] = (request.resource_account,)
    return keys


@lru_cache(maxsize=1024)
def _epoch_of(current: str) -> str | None:
    try:
        return str(int(to_instant(current).timestamp()))
    except (ValueError, OverflowError):
        return None  # an unparseable time stays as given; Date operators will not match it


@lru_cache(maxsize=1024)
def _current_of(epoch: str) -> str | None:
    try:
        instant = datetime.fromtimestamp(float(epoch), tz=timezone.utc)
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return None


def _clock_keys(context: dict[str, ContextValues]) -> None:
    """aws:CurrentTime <-> aws:EpochTime, each from the other when only one is given."""
    current, epoch = context.get("aws:currenttime"), context.get("aws:epochtime")
    if current and not epoch:
        derived = _epoch_of(current[0])
        if derived is not None:
            context["aws:epochtime"] = (derived,)
    elif epoch and not current:
        derived = _current_of(epoch[0])
        if derived is not None:
            context["aws:currenttime"] = (derived,)


# Asked again for every request, so remembered: implicit_keys() per caller, principal id and
# resource account (all it reads), and per action and given key names, each name lower-cased
# (None when the action does not support it) with the names dropped.
_IMPLICIT: dict[tuple[object, ...], tuple[dict[str, ContextValues], tuple[object, ...]]] = {}
_SUPPORTED: dict[tuple[str, ...], tuple[tuple[str | None, ...], tuple[str, ...]]] = {}


def request_context(request: Request) -> tuple[dict[str, ContextValues], tuple[str, ...]]:
    """The context the policies see (lower-cased key names) and the given keys dropped
    because the action does not support them."""
    context, ignored, _ = context_and_caller(request)
    return context, ignored


def context_and_caller(request: Request) -> tuple[dict[str, ContextValues], tuple[str, ...],
                                                  tuple[object, ...]]:
    """request_context(), and the caller as a key for memos: the principal's fields and the
    principal id (the same tuple for every request of that caller, so memo lookups find it
    by identity)."""
    caller = (*request.principal.__dict__.values(), request.principal_id,
              request.resource_account)
    hit = _IMPLICIT.get(caller)
    if hit is None:
        if len(_IMPLICIT) >= 4096:
            _IMPLICIT.clear()
        hit = _IMPLICIT[caller] = (implicit_keys(request), caller[:-1])
    implicit, principal_key = hit
    context = implicit.copy()
    given = request.context
    key = (request.action, *given)
    names = _SUPPORTED.get(key)
    if names is None:
        if len(_SUPPORTED) >= 4096:
            _SUPPORTED.clear()
        lows = tuple(k.lower() if applies_to_action(k.lower(), request.action) else None
                     for k in key[1:])
        names = _SUPPORTED[key] = (lows, tuple(k for k, low in zip(key[1:], lows, strict=True)
                                               if low is None))
    lows, ignored = names
    # (lows comes from given's own keys, so the lengths agree; zip's strict= costs a keyword)
    for low, values in zip(lows, given.values()):  # noqa: B905
        if low is not None:
            context[low] = values
    if "aws:currenttime" in context or "aws:epochtime" in context:
        _clock_keys(context)
    return context, ignored, principal_key


def context_as_lists(context: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in context.items()}
