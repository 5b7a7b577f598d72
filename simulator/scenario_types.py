"""Is this string the kind of identifier the scenario field asks for?

Each type below is a `str` with a check (a message saying what is wrong) and a JSON Schema
(a pattern editors can check as you type). ARN forms:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
- role `arn:aws:iam::ACCOUNT:role/PATH/NAME`, user `...:user/PATH/NAME`, instance profile
  `...:instance-profile/NAME`, OIDC provider `...:oidc-provider/ISSUER-HOST/PATH`;
- unique ids start with AROA (role) or AIDA (user): reference_identifiers.html#identifiers-prefixes;
- KMS key `arn:aws:kms:REGION:ACCOUNT:key/ID`:
  https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
- bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a
  letter or digit: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
- organization ids `o-` and 10-32 lowercase letters or digits:
  https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
- managed and inline policy names: 1-128 of `[\\w+=,.@-]`:
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
- EC2 instance ids `i-` and 8 or 17 hex digits:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainValidator, WithJsonSchema

from .arn import is_account_id, parse_arn
from .errors import ArnError

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_INSTANCE_ID = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9]+$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_S3_SCHEMES = ("s3://", "s3a://", "s3n://")


class RawModel(BaseModel):
    """Base of every model of the file format: frozen, an unknown key is an error, and a
    number given where text is expected (JSON files) is read as text."""

    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True,
                              model_title_generator=lambda cls: cls.__name__.removeprefix("Raw"))


def iam_arn_problem(value: str, kind: str) -> str | None:
    """Why `value` is not an IAM ARN of `kind` (role, user, instance-profile,
    oidc-provider), or None. No wildcards: these name one entity."""
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        return exc.message
    name = arn.resource.partition("/")[2]
    if arn.service != "iam" or not arn.resource.startswith(f"{kind}/") or not name:
        return f"{value!r} is not an IAM {kind} ARN (arn:aws:iam::ACCOUNT:{kind}/NAME)"
    if not is_account_id(arn.account):
        return f"{value!r} has no 12-digit account id"
    if "*" in value or "?" in value:
        return f"{value!r} names one {kind}: no wildcards"
    return None


def s3_location_problem(value: str) -> str | None:
    """Why `value` is not an `s3://bucket/prefix` URI (s3a:// and s3n:// too), or None."""
    if not value.startswith(_S3_SCHEMES):
        return f"{value!r} is not an S3 location (s3://bucket/prefix)"
    bucket = value.split("://", 1)[1].split("/", 1)[0]
    return bucket_problem(bucket)


def bucket_problem(value: str) -> str | None:
    if _BUCKET.match(value) and ".." not in value:
        return None
    return (f"{value!r} is not a bucket name (3-63 lowercase letters, digits, dots and "
            f"hyphens, starting and ending with a letter or digit)")


def _checked(check: Callable[[str], str | None]) -> Callable[[str], str]:
    def validate(value: str) -> str:
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value
    return validate


def _v(check: Callable[[str], str | None]) -> AfterValidator:
    return AfterValidator(_checked(check))


def _s(description: str, pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "description": description, "pattern": pattern})


def _account_problem(value: str) -> str | None:
    return None if is_account_id(value) else f"{value!r} is not a 12-digit account id"


def _any_arn_problem(value: str) -> str | None:
    try:
        parse_arn(value)
    except ArnError as exc:
        return exc.message
    return None


def _principal_problem(value: str) -> str | None:
    if iam_arn_problem(value, "user") is None or iam_arn_problem(value, "role") is None:
        return None
    return f"{value!r} is not an IAM user or role ARN"


def _profile_or_role_problem(value: str) -> str | None:
    if iam_arn_problem(value, "instance-profile") is None or iam_arn_problem(value, "role") is None:
        return None
    return f"{value!r} is not an instance profile or role ARN"


def _key_problem(value: str) -> str | None:
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        return exc.message
    if arn.service != "kms" or not arn.resource.startswith("key/") or not arn.region:
        return f"{value!r} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"
    return None


def _unique_id(prefix: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value.startswith(prefix) and value.isalnum() and value.isupper() and len(value) > 8:
            return None
        return f"{value!r} is not a unique id ({prefix} followed by letters and digits)"
    return check


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if regex.match(value) else f"{value!r} is not {what}"
    return check


def _arn_pattern(kind: str) -> str:
    return rf"^arn:aws[a-z-]*:iam::\d{{12}}:{kind}/.+$"


AccountId = Annotated[str, _v(_account_problem), _s("a 12-digit AWS account id", r"^\d{12}$")]
AnyArn = Annotated[str, _v(_any_arn_problem), _s("an ARN", r"^arn:")]
RoleArn = Annotated[str, _v(lambda v: iam_arn_problem(v, "role")),
                    _s("an IAM role ARN: arn:aws:iam::ACCOUNT:role/PATH/NAME",
                       _arn_pattern("role"))]
UserArn = Annotated[str, _v(lambda v: iam_arn_problem(v, "user")),
                    _s("an IAM user ARN: arn:aws:iam::ACCOUNT:user/PATH/NAME",
                       _arn_pattern("user"))]
PrincipalArn = Annotated[str, _v(_principal_problem),
                         _s("an IAM user or role ARN", _arn_pattern("(user|role)"))]
ProfileArn = Annotated[str, _v(lambda v: iam_arn_problem(v, "instance-profile")),
                       _s("an instance profile ARN: arn:aws:iam::ACCOUNT:instance-profile/NAME",
                          _arn_pattern("instance-profile"))]
ProfileOrRoleArn = Annotated[str, _v(_profile_or_role_problem),
                             _s("an instance profile ARN, or the ARN of the role it holds",
                                _arn_pattern("(instance-profile|role)"))]
ProviderArn = Annotated[str, _v(lambda v: iam_arn_problem(v, "oidc-provider")),
                        _s("an IAM OIDC provider ARN: arn:aws:iam::ACCOUNT:oidc-provider/ISSUER",
                           _arn_pattern("oidc-provider"))]
KeyArn = Annotated[str, _v(_key_problem),
                   _s("a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID",
                      r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/.+$")]
BucketName = Annotated[str, _v(bucket_problem), _s("an S3 bucket name", _BUCKET.pattern)]
S3Location = Annotated[str, _v(s3_location_problem),
                       _s("an S3 location: s3://bucket/prefix",
                          r"^s3[an]?://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")]
OrgId = Annotated[str, _v(_pattern(_ORG_ID, "an organization id (o- and 10 to 32 lowercase "
                                            "letters or digits)")),
                  _s("an organization id", _ORG_ID.pattern)]
PolicyName = Annotated[str, _v(_pattern(_POLICY_NAME, "a policy name (1-128 letters, digits "
                                                      "and +=,.@_-)")),
                       _s("a policy name", _POLICY_NAME.pattern)]
InstanceId = Annotated[str, _v(_pattern(_INSTANCE_ID, "an EC2 instance id (i- and 8 or 17 hex "
                                                      "digits)")),
                       _s("an EC2 instance id", _INSTANCE_ID.pattern)]
Action = Annotated[str, _v(_pattern(_ACTION, "one action as service:Action (no wildcards)")),
                   _s("one action, service:Action", _ACTION.pattern)]
Region = Annotated[str, _v(_pattern(_REGION, "a region name such as us-east-1")),
                  _s("an AWS region, e.g. us-east-1", _REGION.pattern)]
RoleId = Annotated[str, _v(_unique_id("AROA")),
                   _s("the role's unique id (AROA...)", r"^AROA[A-Z0-9]+$")]
UserId = Annotated[str, _v(_unique_id("AIDA")),
                   _s("the user's unique id (AIDA...)", r"^AIDA[A-Z0-9]+$")]


def _policy_ref(value: Any) -> Any:
    if isinstance(value, dict) or (isinstance(value, str) and value):
        return value
    raise ValueError("a policy is a mapping (the JSON document written as YAML), a file name "
                     "ending in .json, or the name of an entry of policies:")


_POLICY_DOC = {"type": "object", "required": ["Statement"],
               "properties": {"Version": {"enum": ["2012-10-17", "2008-10-17"]},
                              "Id": {"type": "string"},
                              "Statement": {"type": ["object", "array"]}}}
PolicyRef = Annotated[Any, PlainValidator(_policy_ref), WithJsonSchema({
    "description": "a policy: the JSON document written as YAML, a file name ending in .json "
                   "(beside the scenario), or the name of an entry of policies:",
    "anyOf": [_POLICY_DOC, {"type": "string", "minLength": 1}]})]
Tags = dict[str, str]


def mapping_or_word(value: Any) -> str:
    """Union tag of a key taking a mapping or a plain word (`expect: allow` vs `expect:
    {outcome: ...}`; `accounts: {"1...": name}` vs `{"1...": {name: ...}}`)."""
    return "~block" if isinstance(value, (dict, BaseModel)) else "~word"
