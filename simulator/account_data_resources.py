"""Which resources of one account have policies: buckets, KMS keys, OIDC providers?

- `buckets/<name>.json`: the output of `aws s3api get-bucket-policy` (`{"Policy": "<JSON
  text>"}`) or the policy document itself; optionally merged (`jq -s add`) with the output
  of `aws s3api get-public-access-block` (`PublicAccessBlockConfiguration`) and of
  `aws s3api get-bucket-encryption` (`ServerSideEncryptionConfiguration`).
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
  Bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
- `kms-keys/<key-id>.json`: `{"KeyId", "Arn", "KeyManager", "Policy"}`, or the merged output of
  `aws kms describe-key` (`KeyMetadata`) and `aws kms get-key-policy` (`Policy`).
  KeyManager is AWS or CUSTOMER:
  https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html
  https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html
- `oidc-providers.json`: a list of `{"Arn", "ClientIDList"}` (the output of
  `aws iam get-open-id-connect-provider` plus the provider's ARN); the client IDs are the
  audiences the provider accepts.
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetOpenIDConnectProvider.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .account_data_fields import (
    Problems,
    as_object,
    at,
    document,
    entries,
    kind_of,
    optional_text,
    owned_arn,
    text,
)
from .errors import InputError
from .policy import PolicyKind
from .world import Bucket, KmsKey, OidcProvider

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BUCKET_KEYS = frozenset({"Policy", "PublicAccessBlockConfiguration",
                          "ServerSideEncryptionConfiguration"})
_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_KEY_MANAGERS = {"AWS": True, "CUSTOMER": False}


def read_key(account: str, key_id: str, raw: Any, source: str) -> KmsKey:
    """One `kms-keys/<key-id>.json` file."""
    body = as_object(raw, source, "")
    meta_where = "KeyMetadata" if "KeyMetadata" in body else ""
    meta = as_object(body["KeyMetadata"], source, meta_where) if meta_where else body
    given = text(meta, "KeyId", source, meta_where)
    arn_text = optional_text(meta, "Arn", source, meta_where)
    if arn_text is None and given.startswith("arn:"):
        arn_text, arn_where = given, at(meta_where, "KeyId")
    else:
        arn_where = at(meta_where, "Arn")
    if arn_text is None:
        raise InputError("a bare KeyId does not say the key's region: add the key ARN as "
                         "Arn (describe-key prints it)", source=source,
                         location=at(meta_where, "KeyId"))
    arn = owned_arn(arn_text, source, arn_where, service="kms", prefix="key/", account=account)
    if arn.rsplit("/", 1)[-1] != key_id or given not in (key_id, arn):
        raise InputError(f"the file is named for key {key_id} but describes {given}",
                         source=source, location=at(meta_where, "KeyId"))
    manager = meta.get("KeyManager")
    if not isinstance(manager, str) or manager not in _KEY_MANAGERS:
        raise InputError(f"must be AWS or CUSTOMER, got {manager!r}", source=source,
                         location=at(meta_where, "KeyManager"))
    if "Policy" not in body:
        raise InputError("the key policy is missing (aws kms get-key-policy prints it)",
                         source=source, location="Policy")
    policy = document(body["Policy"], name=f"key {key_id}", kind=PolicyKind.resource,
                      source=source, location="Policy")
    return KmsKey(arn=arn, policy=policy, aws_managed=_KEY_MANAGERS[manager])


def _sse_key(body: dict[str, Any], source: str, account: str,
             keys: Mapping[str, KmsKey]) -> str | None:
    """The bucket's default SSE-KMS key ARN, or None for SSE-S3 / no default encryption."""
    where = "ServerSideEncryptionConfiguration"
    config = as_object(body[where], source, where)
    for loc, rule in entries(config, "Rules", source, where):
        rule = as_object(rule, source, loc)
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default is None:
            continue
        loc = at(loc, "ApplyServerSideEncryptionByDefault")
        default = as_object(default, source, loc)
        if text(default, "SSEAlgorithm", source, loc) not in _KMS_ALGORITHMS:
            return None
        key = default.get("KMSMasterKeyID")
        if key is None:
            raise InputError("SSE-KMS with the AWS managed key aws/s3: add KMSMasterKeyID "
                             "with that key's ARN (aws kms describe-key --key-id "
                             "alias/aws/s3) and its kms-keys file", source=source, location=loc)
        loc = at(loc, "KMSMasterKeyID")
        if not isinstance(key, str) or not key:
            raise InputError(f"must be a key ARN or key id, got {kind_of(key)}",
                             source=source, location=loc)
        if key.startswith("arn:"):
            return key
        by_id = {k.arn.rsplit("/", 1)[-1]: k.arn for k in keys.values()}
        if key not in by_id:
            raise InputError(f"key {key!r} is not a key ARN nor a key in this account's "
                             f"kms-keys folder", source=source, location=loc)
        return by_id[key]
    return None


def read_bucket(account: str, name: str, raw: Any, source: str,
                keys: Mapping[str, KmsKey]) -> Bucket:
    """One `buckets/<name>.json` file."""
    if not _BUCKET_NAME.match(name) or ".." in name:
        raise InputError(f"{name!r} is not a valid S3 bucket name (the file is named after "
                         f"its bucket)", source=source)
    body = as_object(raw, source, "")
    if "Statement" in body:
        return Bucket(name=name, account=account,
                      policy=document(body, name=f"bucket {name}", kind=PolicyKind.resource,
                                      source=source, location=""))
    unknown = sorted(set(body) - _BUCKET_KEYS)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (expected a policy document or "
                         f"{', '.join(sorted(_BUCKET_KEYS))})", source=source,
                         location=unknown[0])
    policy = None
    if body.get("Policy") is not None:
        policy = document(body["Policy"], name=f"bucket {name}", kind=PolicyKind.resource,
                          source=source, location="Policy")
    restrict = True
    if "PublicAccessBlockConfiguration" in body:
        where = "PublicAccessBlockConfiguration"
        block = as_object(body[where], source, where)
        restrict = block.get("RestrictPublicBuckets", False)
        if not isinstance(restrict, bool):
            raise InputError(f"must be true or false, got {kind_of(restrict)}", source=source,
                             location=at(where, "RestrictPublicBuckets"))
    kms_key = _sse_key(body, source, account, keys) if (
        "ServerSideEncryptionConfiguration" in body) else None
    return Bucket(name=name, account=account, policy=policy, kms_key=kms_key,
                  restrict_public_buckets=restrict)


def _provider(account: str, item: Any, source: str, where: str) -> OidcProvider:
    entry = as_object(item, source, where)
    arn = owned_arn(text(entry, "Arn", source, where), source, at(where, "Arn"),
                    service="iam", prefix="oidc-provider/", account=account)
    url = optional_text(entry, "Url", source, where)
    issuer = arn.split(":oidc-provider/", 1)[1]
    if url is not None and url.removeprefix("https://") != issuer:
        raise InputError(f"Url {url!r} is not the issuer of {arn}", source=source,
                         location=at(where, "Url"))
    if not isinstance(entry.get("ClientIDList"), list):
        raise InputError("needs ClientIDList, the audiences the provider accepts "
                         "(get-open-id-connect-provider prints it)", source=source,
                         location=at(where, "ClientIDList"))
    audiences = []
    for loc, aud in entries(entry, "ClientIDList", source, where):
        if not isinstance(aud, str) or not aud:
            raise InputError(f"must be a non-empty string, got {kind_of(aud)}",
                             source=source, location=loc)
        audiences.append(aud)
    return OidcProvider(arn=arn, audiences=tuple(audiences))


def read_oidc_providers(account: str, raw: Any, source: str,
                        problems: Problems) -> list[OidcProvider]:
    """`oidc-providers.json`: a list of {"Arn", "ClientIDList", ...}."""
    if not isinstance(raw, list):
        problems.error(f"must be a list of providers, got {kind_of(raw)}", source)
        return []
    out = []
    for i, item in enumerate(raw):
        provider = problems.attempt(_provider, account, item, source, f"[{i}]")
        if provider is not None:
            out.append(provider)
    return out
