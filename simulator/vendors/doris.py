"""What does an Apache Doris statement with `s3.role_arn` make Doris do in AWS?

Doris FE/BE run on EC2; the instance profile's role assumes the customer's role named by
`s3.role_arn`, sending `s3.external_id` as the ExternalId, and the session then works on the
S3 location (Doris 3.0.6+, "AWS authentication and authorization"; statement syntax:
https://doris.apache.org/docs/dev/sql-manual/sql-statements/cluster-management/storage-management/CREATE-STORAGE-VAULT/,
https://doris.apache.org/docs/3.x/data-operate/import/data-source/amazon-s3/). The chain is
aws-semantics §18: instance-profile session -> sts:AssumeRole -> S3.

Statements read, and the accesses each implies:
- `CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES (...)`: backups are kept
  under `p/__palo_repository_r/` (Doris's `Repository.PREFIX_REPO`): Put/Get/Delete of an
  object there and ListBucket of that folder.
- `CREATE STORAGE VAULT v PROPERTIES ("type"="S3", "s3.bucket"=..., "s3.root.path"=...)` and
  `CREATE RESOURCE r PROPERTIES ("type"="s3", ...)`: the same under the root path.
- `LOAD LABEL l (DATA INFILE("s3://...") ...) WITH S3 (...)` (S3 Load) and
  `SELECT ... FROM S3("uri"="s3://...", ...)` (TVF): GetObject and ListBucket.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..flows import Access, AssumeRoleHop, InstanceProfileStart
from ..scenario_types import InstanceId, RawModel, RoleArn, iam_arn_problem
from .parts import VendorFlow, folder, read_access, settings, split_location, write_access
from .sql import SqlError, Token, find_words, name_at, properties, string_at, tokenize

REPOSITORY_PREFIX = "__palo_repository_"
_STATEMENTS = ("CREATE REPOSITORY, CREATE STORAGE VAULT, CREATE RESOURCE, LOAD LABEL ... "
               "WITH S3 (...), or SELECT ... FROM S3(...)")


class DorisSettings(RawModel):
    """`start: {doris: ...}`: the EC2 instance role of the FE/BE nodes and the statement."""

    instance_role: RoleArn
    statement: str
    instance_id: InstanceId | None = None


Target = tuple[str, bool]  # (s3 location, written to)


def _after(tokens: list[Token], words: tuple[str, ...], start: int, what: str) -> int:
    i = find_words(tokens, *words, start=start)
    if i < 0:
        raise SqlError(f"expected {' '.join(words)} {what}")
    return i + len(words)


def _repository(tokens: list[Token]) -> tuple[dict[str, str], list[Target]]:
    name = name_at(tokens, 2, "the repository name")
    i = _after(tokens, ("ON", "LOCATION"), 3, '"s3://bucket/path/"')
    uri = string_at(tokens, i, "the repository location")
    props, _ = properties(tokens, _after(tokens, ("PROPERTIES",), i + 1, "(...)"))
    return props, [(f"{uri.rstrip('/')}/{REPOSITORY_PREFIX}{name}/", True)]


def _stored(tokens: list[Token], what: str) -> tuple[dict[str, str], list[Target]]:
    props, _ = properties(tokens, _after(tokens, ("PROPERTIES",), 2, "(...)"))
    if props.get("type", "").lower() != "s3":
        raise SqlError(f'only S3 {what}s use AWS credentials ("type" = "S3")')
    bucket = props.get("s3.bucket")
    if not bucket:
        raise SqlError(f'the {what} has no "s3.bucket"')
    return props, [(f"s3://{bucket}/{folder(props.get('s3.root.path', ''))}", True)]


def _load(tokens: list[Token]) -> tuple[dict[str, str], list[Target]]:
    targets: list[Target] = []
    i = find_words(tokens, "DATA", "INFILE")
    while i >= 0:
        j = i + 2
        if j >= len(tokens) or tokens[j].text != "(":
            raise SqlError("expected ( after DATA INFILE")
        j += 1
        while j < len(tokens) and tokens[j].text != ")":
            if tokens[j].text != ",":
                targets.append((string_at(tokens, j, "a file location"), False))
            j += 1
        i = find_words(tokens, "DATA", "INFILE", start=j)
    if not targets:
        raise SqlError('expected DATA INFILE("s3://bucket/path")')
    props, _ = properties(tokens, _after(tokens, ("WITH", "S3"), 0, "(...)"))
    return props, targets


def _tvf(tokens: list[Token]) -> tuple[dict[str, str], list[Target]]:
    for i, token in enumerate(tokens[:-1]):
        if token.is_word("S3") and tokens[i + 1].text == "(":
            props, _ = properties(tokens, i + 1)
            if "uri" not in props:
                raise SqlError('the S3(...) table function has no "uri"')
            return props, [(props["uri"], False)]
    raise SqlError("expected FROM S3(...)")


def _statement(sql: str) -> tuple[dict[str, str], list[Target]]:
    tokens = tokenize(sql)
    if find_words(tokens, "CREATE", "REPOSITORY") == 0:
        return _repository(tokens)
    if find_words(tokens, "CREATE", "STORAGE", "VAULT") == 0:
        return _stored(tokens[1:], "storage vault")
    if find_words(tokens, "CREATE", "RESOURCE") == 0:
        return _stored(tokens, "resource")
    if find_words(tokens, "CREATE", "EXTERNAL", "RESOURCE") == 0:
        return _stored(tokens[1:], "resource")
    if find_words(tokens, "LOAD", "LABEL") == 0:
        return _load(tokens)
    if tokens and (tokens[0].is_word("SELECT", "INSERT", "WITH")):
        return _tvf(tokens)
    raise SqlError(f"not a statement trustsim reads: {_STATEMENTS}")


def read(block: Any, location: str) -> VendorFlow:
    """The Doris flow: instance profile -> AssumeRole(s3.role_arn, s3.external_id) -> S3."""
    s = settings(DorisSettings, block, location)
    where = f"{location}.statement"
    try:
        props, targets = _statement(s.statement)
    except SqlError as exc:
        raise InputError(f"cannot read the Doris statement: {exc}", location=where) from None
    role = props.get("s3.role_arn")
    if not role:
        keys = " (it uses static keys, s3.access_key)" if "s3.access_key" in props else ""
        raise InputError(f"the statement has no s3.role_arn{keys}: trustsim replays the "
                         f"AssumeRole setup, give s3.role_arn and s3.external_id", location=where)
    problem = iam_arn_problem(role, "role")
    if problem:
        raise InputError(f"s3.role_arn: {problem}", location=where)
    access: list[Access] = []
    for uri, written in targets:
        bucket, key = split_location(uri, where, "the statement's location")
        for a in write_access(bucket, key) if written else read_access(bucket, key):
            if a not in access:
                access.append(a)
    start = InstanceProfileStart(role=s.instance_role,
                                 **({"instance_id": s.instance_id} if s.instance_id else {}))
    hop = AssumeRoleHop(role=role, external_id=props.get("s3.external_id"))
    return VendorFlow(start=start, hops=(hop,), access=tuple(access))
