"""Which flow parts do a product's settings imply? The shared vocabulary of the readers.

A reader turns one product's settings into a VendorFlow: how the chain starts, the hops,
the accesses the product performs, and product-level setup checks.

S3 accesses follow what each action needs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-actions.html):
object actions (GetObject, PutObject, DeleteObject) on an object ARN, s3:ListBucket on the
bucket ARN with the listed prefix as `s3:prefix`
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html). A
location naming a folder or a pattern is checked on one object under it, `PROBE_OBJECT`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InputError, InputErrors
from ..flows import Access, Hop, SetupCheck, Start
from ..scenario_errors import validation_problems
from ..scenario_types import s3_location_problem

PROBE_OBJECT = "trustsim-probe"
_GLOB = "*?[{"
M = TypeVar("M", bound=BaseModel)


class VendorFlow(BaseModel):
    """The flow parts a product's settings imply."""

    model_config = ConfigDict(frozen=True)

    start: Start
    hops: tuple[Hop, ...] = ()
    access: tuple[Access, ...] = ()
    setup_checks: tuple[SetupCheck, ...] = ()


def settings(model: type[M], block: Any, location: str) -> M:
    """`block` validated as `model` (or already one), every problem reported at once."""
    if isinstance(block, model):
        return block
    try:
        return model.model_validate(block)
    except ValidationError as exc:
        raise InputErrors(validation_problems(exc, model, "", location)) from None


def split_location(uri: str, location: str, what: str) -> tuple[str, str]:
    """`s3://bucket/key/prefix` (also s3a://, s3n://) -> ("bucket", "key/prefix")."""
    problem = s3_location_problem(uri)
    if problem:
        raise InputError(f"{what}: {problem}", location=location)
    bucket, _, key = uri.split("://", 1)[1].partition("/")
    return bucket, key


def _listed_prefix(key: str) -> str:
    """The part of a key before its first pattern character (what a listing asks for)."""
    cut = min((key.find(c) for c in _GLOB if c in key), default=len(key))
    return key[:cut]


def _list(bucket: str, prefix: str) -> Access:
    context = {"s3:prefix": (prefix,)} if prefix else {}
    return Access(action="s3:ListBucket", resources=(f"arn:aws:s3:::{bucket}",),
                  context=context)


def read_access(bucket: str, key: str, *, prefix_only: bool = False) -> tuple[Access, ...]:
    """Reading `key`: one object, a folder (ending in /), a pattern, or with `prefix_only`
    every object under a prefix. GetObject on the object (or on one object under the
    folder or prefix) and ListBucket of its prefix."""
    prefix = _listed_prefix(key)
    if prefix != key or not key or key.endswith("/"):
        obj = prefix + PROBE_OBJECT
    else:
        obj = f"{key}/{PROBE_OBJECT}" if prefix_only else key
    return (Access(action="s3:GetObject", resources=(f"arn:aws:s3:::{bucket}/{obj}",)),
            _list(bucket, prefix))


def folder(prefix: str) -> str:
    """A key prefix as a folder: no leading slash, one trailing slash ("" stays "")."""
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def write_access(bucket: str, prefix: str) -> tuple[Access, ...]:
    """Keeping files under a folder (backups, storage vaults; for a pattern, the folder
    before it): Put, Get and Delete of an object under it and ListBucket of the folder."""
    where = folder(_listed_prefix(prefix))
    obj = f"arn:aws:s3:::{bucket}/{where}{PROBE_OBJECT}"
    return (Access(action="s3:PutObject", resources=(obj,)),
            Access(action="s3:GetObject", resources=(obj,)),
            Access(action="s3:DeleteObject", resources=(obj,)),
            _list(bucket, where))
