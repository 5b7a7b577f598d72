"""What does a SingleStore S3 pipeline with `creds_mode: eks_irsa` make SingleStore do?

"Load Data from S3 Without Static Credentials" (SingleStore, 2025): the workspace group's
Cloud Workload Identity is an IAM role its pods reach through EKS IRSA
(AssumeRoleWithWebIdentity); that role assumes the customer's role given as `role_arn` in
the pipeline's CREDENTIALS (no ExternalId: SingleStore does not send one), which reads the
bucket. The customer lists the roles the workspace group may assume as "delegated
entities": exact role ARNs or ARN patterns, at most 20 per workspace group. The chain is
aws-semantics §18 (IRSA: https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).

Setup checks (the product refuses the pipeline, whatever IAM says):
- `delegated_entities_limit`: at most 20 delegated entities;
- `role_delegated`: `role_arn` is one of them (exact, or matching a `*`/`?` pattern);
- `creds_mode`: CREDENTIALS says `"creds_mode": "eks_irsa"`;
- `no_static_keys`: CREDENTIALS holds no aws_access_key_id / aws_secret_access_key /
  aws_session_token.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InputError
from ..flows import AssumeRoleHop, SetupCheck, WebIdentityStart
from ..scenario_types import ProviderArn, RawModel, RoleArn, iam_arn_problem
from ..wildcard import glob_match
from .parts import VendorFlow, read_access, settings, split_location
from .sql import SqlError, Token, find_words, string_at, tokenize

MAX_DELEGATED = 20
_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


class SingleStoreSettings(RawModel):
    """`start: {singlestore: ...}`: the pipeline statement, the workspace group's identity
    role and the pod's token (OIDC provider, `sub`), and the delegated entities."""

    pipeline: str
    workspace_role: RoleArn
    provider: ProviderArn
    sub: str
    aud: str = "sts.amazonaws.com"
    delegated_entities: list[str] = []


def _json_after(tokens: list[Token], word: str) -> dict[str, Any]:
    i = find_words(tokens, word)
    if i < 0:
        return {}
    text = string_at(tokens, i + 1, f"the {word} JSON")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SqlError(f"{word} is not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(value, dict):
        raise SqlError(f"{word} must be a JSON object")
    return value


def _pipeline(sql: str) -> tuple[str, dict[str, Any]]:
    """(the S3 location 'bucket/prefix', the CREDENTIALS object)."""
    tokens = tokenize(sql)
    if find_words(tokens, "CREATE") != 0 or find_words(tokens, "PIPELINE") < 0:
        raise SqlError("expected CREATE PIPELINE ... AS LOAD DATA S3 'bucket/prefix' ...")
    i = find_words(tokens, "LOAD", "DATA", "S3")
    if i < 0:
        raise SqlError("expected LOAD DATA S3 'bucket/prefix'")
    where = string_at(tokens, i + 3, "the bucket and prefix")
    _json_after(tokens, "CONFIG")  # read, so that malformed JSON is reported
    return where, _json_after(tokens, "CREDENTIALS")


def _checks(s: SingleStoreSettings, role: str, creds: dict[str, Any]) -> tuple[SetupCheck, ...]:
    count = len(s.delegated_entities)
    matched = next((e for e in s.delegated_entities if glob_match(e, role)), None)
    static = [k for k in _STATIC_KEYS if k in creds]
    mode = creds.get("creds_mode")
    return (
        SetupCheck(name="delegated_entities_limit", ok=count <= MAX_DELEGATED,
                   message=f"{count} delegated entities (a workspace group allows at most "
                           f"{MAX_DELEGATED})"),
        SetupCheck(name="role_delegated", ok=matched is not None,
                   message=f"{role} is delegated as {matched!r}" if matched else
                   f"{role} matches no delegated entity of the workspace group"),
        SetupCheck(name="creds_mode", ok=mode == "eks_irsa",
                   message=(f"creds_mode is {mode!r}" if mode is not None
                            else "CREDENTIALS sets no creds_mode") + ("" if mode == "eks_irsa" else
                                                        ": eks_irsa is required")),
        SetupCheck(name="no_static_keys", ok=not static,
                   message=f"CREDENTIALS holds static keys: {', '.join(static)}" if static
                   else "no static keys in CREDENTIALS"),
    )


def read(block: Any, location: str) -> VendorFlow:
    """The SingleStore flow: web identity into the workspace role -> AssumeRole(role_arn)
    -> S3 reads of the pipeline's bucket and prefix."""
    s = settings(SingleStoreSettings, block, location)
    where = f"{location}.pipeline"
    try:
        path, creds = _pipeline(s.pipeline)
    except SqlError as exc:
        raise InputError(f"cannot read the SingleStore pipeline: {exc}", location=where) from None
    role = creds.get("role_arn")
    if not isinstance(role, str) or not role:
        raise InputError('CREDENTIALS has no "role_arn": the role the workspace group '
                         'assumes', location=where)
    problem = iam_arn_problem(role, "role")
    if problem:
        raise InputError(f"role_arn: {problem}", location=where)
    for i, entity in enumerate(s.delegated_entities):
        if not entity.startswith("arn:") or ":role/" not in entity:
            raise InputError(f"{entity!r} is not a role ARN or role ARN pattern",
                             location=f"{location}.delegated_entities[{i}]")
    uri = path if path.startswith("s3://") else f"s3://{path}"
    bucket, key = split_location(uri, where, "the pipeline's LOAD DATA S3 location")
    start = WebIdentityStart(provider=s.provider, role=s.workspace_role, sub=s.sub, aud=s.aud)
    return VendorFlow(start=start, hops=(AssumeRoleHop(role=role),),
                      access=read_access(bucket, key, prefix_only=True),
                      setup_checks=_checks(s, role, creds))
