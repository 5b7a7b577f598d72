"""What do StarRocks `aws.s3.*` / `aws.glue.*` properties make StarRocks do in AWS?

Three ways to authenticate ("Authenticate to AWS resources",
https://docs.starrocks.io/docs/integrations/authenticate_to_aws_resources/), set per
service (`aws.s3.` for S3, `aws.glue.` for the Glue Data Catalog; each may use its own role):
- instance profile: `use_instance_profile` = true, no `iam_role_arn`: the EC2 instance
  role acts itself (no hop);
- assumed role: `use_instance_profile` = true and `iam_role_arn` (+ optional
  `external_id`): the instance role assumes that role;
- IAM user: `use_instance_profile` = false with `access_key`/`secret_key`: the user's
  long-term keys (and, with `iam_role_arn`, that user assumes the role).
`use_instance_profile` defaults to false. Properties outside `aws.s3.`/`aws.glue.` (type,
hive.metastore.*, path, format...) are the product's own and are not read.

Accesses: S3 reads of `location` (GetObject, ListBucket; with `write: true` also Put and
Delete); Glue reads of the table: glue:GetDatabase on the catalog and database,
glue:GetTable and glue:GetPartitions on the catalog, database and table (each resource is
checked): https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
"""

from __future__ import annotations

from typing import Any, Literal

from ..errors import InputError
from ..flows import Access, AssumeRoleHop, Hop, InstanceProfileStart, Start, UserStart
from ..scenario_types import AnyArn, RawModel, RoleArn, S3Location, UserArn, iam_arn_problem
from .parts import VendorFlow, read_access, settings, split_location, write_access

_KNOWN = ("use_instance_profile", "iam_role_arn", "external_id", "region", "endpoint",
          "access_key", "secret_key", "session_token", "enable_ssl",
          "enable_path_style_access", "catalog_id", "use_aws_sdk_default_behavior")


class GlueTable(RawModel):
    """The Glue table StarRocks reads through the catalog."""

    catalog: AnyArn
    database: str
    table: str | None = None


class StarRocksSettings(RawModel):
    """`start: {starrocks: ...}`. `part` picks the service the flow replays: `s3` (with
    `location`) or `glue` (with `glue`)."""

    part: Literal["s3", "glue"] = "s3"
    properties: dict[str, str | bool]
    instance_role: RoleArn | None = None
    user: UserArn | None = None
    location: S3Location | None = None
    write: bool = False
    glue: GlueTable | None = None


def _flag(props: dict[str, str | bool], key: str, where: str) -> bool:
    value = props.get(key, False)
    text = str(value).lower()
    if text not in ("true", "false"):
        raise InputError(f'"{key}" must be "true" or "false", got {value!r}', location=where)
    return text == "true"


def _credentials(s: StarRocksSettings, location: str) -> tuple[Start, tuple[Hop, ...]]:
    ns, where = f"aws.{s.part}.", f"{location}.properties"
    props = {k.lower(): v for k, v in s.properties.items()}
    for key in props:
        if key.startswith(ns) and key[len(ns):] not in _KNOWN:
            raise InputError(f"unknown StarRocks property {key!r} (known: "
                             f"{', '.join(ns + k for k in _KNOWN)})", location=where)
    if _flag(props, ns + "use_aws_sdk_default_behavior", where):
        raise InputError(f"{ns}use_aws_sdk_default_behavior (the SDK's default credential "
                         f"chain) is not replayed: use {ns}use_instance_profile",
                         location=where)
    role = props.get(ns + "iam_role_arn")
    hops: tuple[Hop, ...] = ()
    if role is not None:
        problem = iam_arn_problem(str(role), "role")
        if problem:
            raise InputError(f"{ns}iam_role_arn: {problem}", location=where)
        external = props.get(ns + "external_id")
        hops = (AssumeRoleHop(role=str(role),
                              external_id=str(external) if external is not None else None),)
    if _flag(props, ns + "use_instance_profile", where):
        if s.instance_role is None:
            raise InputError(f"{ns}use_instance_profile is true: give instance_role, the "
                             f"role of the EC2 instances StarRocks runs on", location=location)
        return InstanceProfileStart(role=s.instance_role), hops
    if ns + "access_key" not in props:
        raise InputError(f"{ns}use_instance_profile is false and there is no "
                         f"{ns}access_key: StarRocks has no credentials", location=where)
    if s.user is None:
        raise InputError(f"{ns}access_key is an IAM user's key: give user, the ARN of that "
                         f"user", location=location)
    return UserStart(user=s.user), hops


def _glue(glue: GlueTable, location: str) -> tuple[Access, ...]:
    catalog = glue.catalog
    head, _, resource = catalog.rpartition(":")
    if not catalog.startswith("arn:") or resource != "catalog" or ":glue:" not in head:
        raise InputError(f"{catalog!r} is not a Glue catalog ARN "
                         f"(arn:aws:glue:REGION:ACCOUNT:catalog)", location=location)
    database = f"{head}:database/{glue.database}"
    if glue.table is None:
        return (Access(action="glue:GetDatabase", resources=(catalog, database)),
                Access(action="glue:GetTables",
                       resources=(catalog, database, f"{head}:table/{glue.database}/*")))
    table = f"{head}:table/{glue.database}/{glue.table}"
    return (Access(action="glue:GetDatabase", resources=(catalog, database)),
            Access(action="glue:GetTable", resources=(catalog, database, table)),
            Access(action="glue:GetPartitions", resources=(catalog, database, table)))


def read(block: Any, location: str) -> VendorFlow:
    """The StarRocks flow of one part (s3 or glue): its start, the optional hop into
    `aws.<part>.iam_role_arn`, and the reads."""
    s = settings(StarRocksSettings, block, location)
    start, hops = _credentials(s, location)
    if s.part == "glue":
        if s.glue is None:
            raise InputError("part glue needs glue: {catalog, database, table}",
                             location=location)
        return VendorFlow(start=start, hops=hops, access=_glue(s.glue, f"{location}.glue"))
    if s.location is None:
        raise InputError("part s3 needs location: s3://bucket/path", location=location)
    bucket, key = split_location(s.location, f"{location}.location", "location")
    access = write_access(bucket, key) if s.write else read_access(bucket, key)
    return VendorFlow(start=start, hops=hops, access=access)
