"""What does a single-call case ask? The case format of docs/cases.md -> Request + PolicySet.

A case is one API call with the policies that bear on it and, optionally, the decision AWS
documents for it (`expected`). The resource-based policy of the call is chosen by its
action: the role's `trust` policy for sts:AssumeRole*, sts:TagSession and
sts:SetSourceIdentity; the `bucket_policy` for s3 actions; otherwise `resource_policy`.
When `identity` is empty and the caller is a session of a role, `role_permissions` serve as
the caller's identity policies. The loader does no I/O: it takes decoded JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from .decision import PolicySet, decide
from .errors import InputError
from .hints import with_hints
from .policy import PolicyDocument, PolicyKind, parse_policy
from .request import Request, make_request
from .results import Decision, RequestDecision

_CASE_KEYS = {"id", "note", "source", "policies", "request", "expected", "block_public_access"}
_POLICY_KEYS = {"identity", "trust", "role_permissions", "bucket_policy", "resource_policy",
                "scp", "rcp", "boundary", "session_policy"}
_REQUEST_KEYS = {"principal_arn", "principal_account", "action", "resource",
                 "resource_account", "context", "role_arn", "principal_id"}
_TRUST_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity")


class Case(BaseModel):
    """One parsed case, ready to decide."""

    model_config = ConfigDict(frozen=True)

    id: str
    note: str = ""
    request: Request
    policies: PolicySet
    expected: Decision | None = None


def _doc(raw: Any, name: str, kind: PolicyKind, case_id: str,
         action: str | None = None) -> PolicyDocument | None:
    if raw is None:
        return None
    return parse_policy(raw, name=name, kind=kind, source=case_id, location=f"policies.{name}",
                        action=action)


def _docs(raw: Any, name: str, kind: PolicyKind, case_id: str,
          action: str | None = None) -> tuple[PolicyDocument, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("must be a list of policy documents", source=case_id,
                         location=f"policies.{name}")
    out = []
    for i, d in enumerate(raw):
        doc = _doc(d, f"{name}[{i}]", kind, case_id, action)
        if doc is not None:
            out.append(doc)
    return tuple(out)


def _levels(raw: Any, name: str, kind: PolicyKind, case_id: str,
            action: str | None = None) -> tuple[tuple[PolicyDocument, ...], ...]:
    """A flat list is one level; a list of lists is one list per level, root first."""
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list):
        raise InputError("must be a list of documents or a list of levels", source=case_id,
                         location=f"policies.{name}")
    if all(isinstance(level, list) for level in raw):
        return tuple(_docs(level, f"{name}[{i}]", kind, case_id, action)
                     for i, level in enumerate(raw))
    return (_docs(raw, name, kind, case_id, action),)


def _object(raw: Any, case_id: str, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError("must be an object", source=case_id, location=where)
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (expected one of "
                         f"{', '.join(sorted(allowed))})", source=case_id,
                         location=f"{where}.{unknown[0]}" if where else unknown[0])
    return raw


def _restrict_public(raw: Any, case_id: str) -> bool:
    """`block_public_access: {"RestrictPublicBuckets": true}`, the bucket's S3 Block Public
    Access setting as GetPublicAccessBlock returns it (absent: off)."""
    if raw is None:
        return False
    block = _object(raw, case_id, "block_public_access", {"RestrictPublicBuckets"})
    value = block.get("RestrictPublicBuckets", False)
    if not isinstance(value, bool):
        raise InputError("must be true or false", source=case_id,
                         location="block_public_access.RestrictPublicBuckets")
    return value


def parse_case(raw: Any, position: int, *, reachable_only: bool = False) -> Case:
    """Parse one case; raise InputError naming the case id and the place.

    With `reachable_only`, every statement is still checked, but only the statements the
    request's action reaches are built (the case will only be asked about that action; the
    others cannot apply to it): a large case is decided without building what it cannot
    use. Its decision, and its trace of the statements the action reaches, are the same."""
    case_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(case_id, str) or not case_id:
        case_id = f"case[{position}]"
    body = _object(raw, case_id, "", _CASE_KEYS)
    req = _object(body.get("request"), case_id, "request", _REQUEST_KEYS)
    pol = _object(body.get("policies", {}), case_id, "policies", _POLICY_KEYS)
    for field in ("principal_arn", "action", "resource"):
        if not isinstance(req.get(field), str):
            raise InputError("is required and must be a string", source=case_id,
                             location=f"request.{field}")
    context = req.get("context") or {}
    if not isinstance(context, dict):
        raise InputError("must be an object of key: value", source=case_id,
                         location="request.context")
    try:
        request = make_request(req["principal_arn"], req["action"], req["resource"],
                               principal_account=req.get("principal_account"),
                               resource_account=req.get("resource_account"),
                               context=context, role_arn=req.get("role_arn"),
                               principal_id=req.get("principal_id"))
    except InputError as exc:
        raise exc.within(case_id, "request") from None
    action = request.action.lower()
    only = action if reachable_only else None
    if action.startswith(_TRUST_ACTIONS):
        resource = _doc(pol.get("trust"), "trust", PolicyKind.trust, case_id, only)
    elif request.service == "s3":
        resource = (_doc(pol.get("bucket_policy"), "bucket_policy", PolicyKind.resource, case_id,
                         only)
                    or _doc(pol.get("resource_policy"), "resource_policy", PolicyKind.resource,
                            case_id, only))
    else:
        resource = _doc(pol.get("resource_policy"), "resource_policy", PolicyKind.resource,
                        case_id, only)
    identity = _docs(pol.get("identity"), "identity", PolicyKind.identity, case_id, only)
    role_permissions = _docs(pol.get("role_permissions"), "role_permissions",
                             PolicyKind.identity, case_id, only)
    if not identity and request.principal.kind.value == "role_session":
        identity = role_permissions
    policies = PolicySet(
        identity=identity, resource=resource,
        scp=_levels(pol.get("scp"), "scp", PolicyKind.scp, case_id, only),
        rcp=_levels(pol.get("rcp"), "rcp", PolicyKind.rcp, case_id, only),
        boundary=_doc(pol.get("boundary"), "boundary", PolicyKind.boundary, case_id, only),
        session=_doc(pol.get("session_policy"), "session_policy", PolicyKind.session, case_id,
                     only),
        restrict_public_buckets=_restrict_public(body.get("block_public_access"), case_id))
    expected = body.get("expected")
    if expected is not None and expected not in {d.value for d in Decision}:
        raise InputError(f"expected must be allow, explicit_deny or implicit_deny, got "
                         f"{expected!r}", source=case_id, location="expected")
    note = body.get("note") or ""
    return Case(id=case_id, note=str(note), request=request, policies=policies,
                expected=Decision(expected) if expected else None)


def case_list(raw: Any, source: str) -> list[Any]:
    """The cases of a decoded file: a JSON array, or an object with a `cases` array."""
    if isinstance(raw, dict) and isinstance(raw.get("cases"), list):
        raw = raw["cases"]
    if not isinstance(raw, list):
        raise InputError('a cases file is a JSON array of cases, or an object with a "cases" '
                         'array', source=source)
    return raw


class CaseOutcome(BaseModel):
    """One case's answer: its decision, or the error that kept it from being decided."""

    model_config = ConfigDict(frozen=True)

    id: str
    note: str = ""
    expected: Decision | None = None
    result: RequestDecision | None = None
    error: str | None = None

    @property
    def decision(self) -> str:
        return self.result.decision.value if self.result else "error"

    @property
    def matches(self) -> bool | None:
        """True/False when an expectation was given and the case was decided."""
        if self.expected is None or self.result is None:
            return None
        return self.result.decision is self.expected


def run_cases(raw_cases: list[Any], *, trace: bool = False, trace_all: bool = False,
              only: str | None = None) -> list[CaseOutcome]:
    """Decide every case (or only the one with id `only`); a case with invalid input gets
    an error outcome and the others still run. `trace` explains the statements each action
    reaches and adds hints; `trace_all` explains every statement."""
    out = []
    for i, raw in enumerate(raw_cases):
        if only is not None and not (isinstance(raw, dict) and raw.get("id") == only):
            continue
        try:
            case = parse_case(raw, i, reachable_only=not trace_all)
        except InputError as exc:
            case_id = raw.get("id") if isinstance(raw, dict) else None
            out.append(CaseOutcome(id=str(case_id or f"case[{i}]"), error=exc.render()))
            continue
        result = decide(case.request, case.policies, trace=trace, trace_all=trace_all)
        if trace or trace_all:
            result = with_hints(result)
        out.append(CaseOutcome(id=case.id, note=case.note, expected=case.expected,
                               result=result))
    return out
