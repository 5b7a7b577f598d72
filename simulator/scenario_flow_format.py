"""What may a scenario flow say? Starts, hops, accesses and the expect block, as models.

A start and a hop are each one of several forms, told apart by the one key they carry
(`start: {user: ...}`, `hops: [{assume_role: ...}]`); product settings are a start form
whose model belongs to the product's reader (simulator/vendors/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from .errors import InputError
from .request import ContextValues, context_values
from .scenario_types import (
    Action,
    AnyArn,
    InstanceId,
    PolicyName,
    PolicyRef,
    PrincipalArn,
    ProfileArn,
    ProfileOrRoleArn,
    ProviderArn,
    RawModel,
    RoleArn,
    Tags,
    UserArn,
    mapping_or_word,
)
from .sts import external_id_problem
from .vendors.doris import DorisSettings
from .vendors.qubole import QuboleSettings
from .vendors.singlestore import SingleStoreSettings
from .vendors.starrocks import StarRocksSettings


def _context_value(value: Any) -> ContextValues:
    try:
        return context_values(value, "")
    except InputError as exc:
        raise ValueError(exc.message) from None


def _external_id(value: str) -> str:
    problem = external_id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


_SCALAR = {"type": ["string", "number", "boolean"]}
ContextValue = Annotated[ContextValues, PlainValidator(_context_value), WithJsonSchema({
    "description": "a value, or a list of values", "anyOf": [_SCALAR, {"type": "array",
                                                                       "items": _SCALAR}]})]
ExternalId = Annotated[str, AfterValidator(_external_id), WithJsonSchema({
    "type": "string", "pattern": r"^[\w+=,.@:/-]{2,1224}$",
    "description": "sts:ExternalId: 2-1224 letters, digits and +=,.@:/_-"})]


def _by_key(keys: Iterable[str]) -> Callable[[Any], str | None]:
    """Union tag = the one key (of `keys`) present; None (an error) for none or several."""
    names = tuple(keys)

    def tag(value: Any) -> str | None:
        if isinstance(value, BaseModel):
            value = dict(value)
        if not isinstance(value, dict):
            return None
        present = [k for k in names if k in value]
        return f"~{present[0]}" if len(present) == 1 else None
    return tag


def one_of(keys: Iterable[str], what: str) -> Discriminator:
    """The union member chosen by which one of `keys` a mapping has (an error for none or
    several), e.g. a start's `user:` or `session:`."""
    keys = tuple(keys)
    return Discriminator(_by_key(keys), custom_error_type="one_key",
                         custom_error_message=f"{what} has exactly one of: {', '.join(keys)}")


class RawInstanceProfileStart(RawModel):
    instance_profile: ProfileOrRoleArn
    instance_id: InstanceId | None = None
    launched_by: PrincipalArn | None = None


class RawWebIdentity(RawModel):
    provider: ProviderArn
    role: RoleArn
    sub: str
    aud: str | None = None
    session_name: str | None = None
    duration: int | None = None
    claims: Tags = {}


class RawWebIdentityStart(RawModel):
    web_identity: RawWebIdentity


class RawUserStart(RawModel):
    user: UserArn


class RawSession(RawModel):
    role: RoleArn
    session_name: str | None = None
    tags: Tags = {}
    source_identity: str | None = None


class RawSessionStart(RawModel):
    session: RawSession


class RawDorisStart(RawModel):
    doris: DorisSettings


class RawStarRocksStart(RawModel):
    starrocks: StarRocksSettings


class RawSingleStoreStart(RawModel):
    singlestore: SingleStoreSettings


class RawQuboleStart(RawModel):
    qubole: QuboleSettings


START_KEYS = ("instance_profile", "web_identity", "user", "session", "doris", "starrocks",
              "singlestore", "qubole")
PRODUCTS = START_KEYS[4:]
RawStart = Annotated[Annotated[RawInstanceProfileStart, Tag("~instance_profile")]
                     | Annotated[RawWebIdentityStart, Tag("~web_identity")]
                     | Annotated[RawUserStart, Tag("~user")]
                     | Annotated[RawSessionStart, Tag("~session")]
                     | Annotated[RawDorisStart, Tag("~doris")]
                     | Annotated[RawStarRocksStart, Tag("~starrocks")]
                     | Annotated[RawSingleStoreStart, Tag("~singlestore")]
                     | Annotated[RawQuboleStart, Tag("~qubole")],
                     one_of(START_KEYS, "a start")]


class RawAssumeRoleHop(RawModel):
    assume_role: RoleArn
    external_id: ExternalId | None = None
    session_name: str | None = None
    duration: int | None = None
    session_policy: PolicyRef | None = None
    policy_arns: list[PolicyName] = []
    tags: Tags = {}
    transitive_tags: list[str] = []
    source_identity: str | None = None
    mfa: bool = False
    context: dict[str, ContextValue] = {}


class RawPassRoleHop(RawModel):
    pass_role: RoleArn
    service: str = "ec2.amazonaws.com"
    instance_profile: ProfileArn | None = None
    instance_id: InstanceId | None = None


RawHop = Annotated[Annotated[RawAssumeRoleHop, Tag("~assume_role")]
                   | Annotated[RawPassRoleHop, Tag("~pass_role")],
                   one_of(("assume_role", "pass_role"), "a hop")]
DecisionName = Literal["allow", "explicit_deny", "implicit_deny"]


class RawAccess(RawModel):
    """One action on `resource`, or on each of `resources` (Glue needs several)."""

    action: Action
    resource: AnyArn | Literal["*"] | None = None
    resources: list[AnyArn | Literal["*"]] | None = Field(None, min_length=1)
    context: dict[str, ContextValue] = {}
    expect: DecisionName | None = None

    @model_validator(mode="after")
    def _one_resource_key(self) -> RawAccess:
        if (self.resource is None) == (self.resources is None):
            raise ValueError("an access has resource or resources (one of them)")
        return self


class RawExpect(RawModel):
    outcome: Literal["allow", "deny"]
    stage: str | None = None
    decision: DecisionName | Literal["invalid"] | None = None
    reason: str | None = None


RawFlowExpect = Annotated[Annotated[RawExpect, Tag("~block")]
                          | Annotated[Literal["allow", "deny"], Tag("~word")],
                          Discriminator(mapping_or_word)]


class RawFlow(RawModel):
    """A flow. `hops` / `access`, when given, replace what product settings imply."""

    name: str = Field(min_length=1)
    about: str = ""
    start: RawStart
    hops: list[RawHop] | None = None
    access: list[RawAccess] | None = None
    expect: RawFlowExpect | None = None
