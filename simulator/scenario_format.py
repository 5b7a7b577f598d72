"""What may a scenario file say about the world? The file format as models.

Every model forbids unknown keys. `docs/scenarios.md` explains each key; the JSON Schema
editors use (`docs/scenario.schema.json`) is generated from RawScenario, so the validator and
the schema never disagree. The flow parts are in scenario_flow_format.py. Semantic checks
(references, duplicates, policy grammar) come later, in scenario_world.py and
scenario_flows.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from .scenario_flow_format import RawFlow, one_of
from .scenario_types import (
    AccountId,
    AnyArn,
    BucketName,
    KeyArn,
    OrgId,
    PolicyName,
    PolicyRef,
    ProfileArn,
    ProviderArn,
    RawModel,
    Region,
    RoleArn,
    RoleId,
    Tags,
    UserArn,
    UserId,
    mapping_or_word,
)


class RawOrgLevel(RawModel):
    """The root or an OU: its SCPs (FullAWSAccess when the key is absent) and RCPs."""

    scps: list[PolicyRef] | None = None
    rcps: list[PolicyRef] = []


class RawOrganization(RawModel):
    id: OrgId
    management_account: AccountId | None = None
    root: RawOrgLevel = RawOrgLevel()
    ous: dict[str, RawOrgLevel] = {}


class RawAccount(RawModel):
    """An account; `ou` places it in the organization ("Workloads/Prod", or "root")."""

    name: str = ""
    ou: str | None = None
    scps: list[PolicyRef] | None = None
    rcps: list[PolicyRef] | None = None


AccountEntry = Annotated[Annotated[RawAccount, Tag("~block")] | Annotated[str | None, Tag("~word")],
                         Discriminator(mapping_or_word)]


class RawUser(RawModel):
    arn: UserArn
    id: UserId | None = None
    policies: dict[PolicyName, PolicyRef] = {}
    managed: list[PolicyName] = []
    boundary: PolicyRef | None = None
    access_keys: bool = True
    tags: Tags = {}


class RawRole(RawModel):
    """A role. MaxSessionDuration is 3600-43200 seconds:
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"""

    arn: RoleArn
    id: RoleId | None = None
    trust: PolicyRef
    policies: dict[PolicyName, PolicyRef] = {}
    managed: list[PolicyName] = []
    boundary: PolicyRef | None = None
    max_session_duration: int = Field(3600, ge=3600, le=43200)
    tags: Tags = {}
    service_linked: bool = False


class RawInstanceProfile(RawModel):
    arn: ProfileArn
    role: RoleArn


class RawOidcProvider(RawModel):
    arn: ProviderArn
    audiences: list[str] = Field(["sts.amazonaws.com"], min_length=1)


class RawBucket(RawModel):
    name: BucketName
    account: AccountId
    policy: PolicyRef | None = None
    kms_key: KeyArn | None = None
    restrict_public_buckets: bool = True


class RawKey(RawModel):
    """A KMS key; every key has a key policy, and it decides every use of the key."""

    arn: KeyArn
    policy: PolicyRef
    aws_managed: bool = False


class RawResource(RawModel):
    arn: AnyArn
    policy: PolicyRef | None = None


Partition = Literal["aws", "aws-cn", "aws-us-gov"]


_MANAGED = ("documents of the managed policies the file attaches but does not define (AWS "
            "managed policies such as arn:aws:iam::aws:policy/ReadOnlyAccess, or existing "
            "customer managed ones), by ARN: without one such a policy is unknown and "
            "denies everything")


class RawTerraformSource(RawModel):
    """A Terraform plan or state as JSON (`terraform show -json tfplan > plan.json`).
    `account_id` fills in ARNs the plan cannot know (default: the plan's
    data.aws_caller_identity); `partition` defaults to the plan's data.aws_partition."""

    terraform: str = Field(min_length=1, description=(
        "the plan's JSON, relative to this scenario file (plans/customer.plan.json)"))
    account_id: AccountId | None = None
    region: Region | None = None
    partition: Partition | None = None
    managed_policies: dict[AnyArn, PolicyRef] = Field({}, description=_MANAGED)


class RawCloudFormationSource(RawModel):
    """A CloudFormation template (JSON or YAML), as deployed in `account_id`/`region` with
    `parameters` (else their Default) as stack `stack_name` (default `stack`)."""

    cloudformation: str = Field(min_length=1, description=(
        "the template, relative to this scenario file (cloudformation/stack.yaml)"))
    account_id: AccountId
    region: Region
    partition: Partition = "aws"
    parameters: dict[str, str] = {}
    stack_name: str | None = Field(None, min_length=1)
    managed_policies: dict[AnyArn, PolicyRef] = Field({}, description=_MANAGED)


WORLD_SOURCE_KEYS = ("terraform", "cloudformation")
RawWorldSource = Annotated[Annotated[RawTerraformSource, Tag("~terraform")]
                           | Annotated[RawCloudFormationSource, Tag("~cloudformation")],
                           one_of(WORLD_SOURCE_KEYS, "a world_from entry")]


class RawScenario(RawModel):
    """A trustsim scenario: the accounts, organization, principals and resources of a
    setup (the world) and the flows to replay in it. See docs/scenarios.md."""

    name: str = Field(min_length=1)
    about: str = ""
    world_from: list[RawWorldSource] = Field(default=[], description=(
        "Infrastructure code whose World joins the one this file declares: "
        "{terraform: FILE, account_id, region, partition} or {cloudformation: FILE, "
        "account_id, region, partition, parameters, stack_name}. An entity defined both "
        "here and there is an error. See docs/iac.md."))
    organization: RawOrganization | None = None
    accounts: dict[AccountId, AccountEntry] = {}
    policies: dict[PolicyName, PolicyRef] = {}
    users: list[RawUser] = []
    roles: list[RawRole] = []
    instance_profiles: list[RawInstanceProfile] = []
    oidc_providers: list[RawOidcProvider] = []
    buckets: list[RawBucket] = []
    keys: list[RawKey] = []
    resources: list[RawResource] = []
    flows: list[RawFlow] = []
    assertions: list[Any] = Field(default=[], description=(
        "Graph assertions checked by `trustsim check`: {only: {action, resource, "
        "principals}} or {no_external_assume: {role, accounts, org_id}}."))
