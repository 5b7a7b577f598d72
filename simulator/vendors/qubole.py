"""What does a Qubole dual-IAM-role account make Qubole do in AWS?

"Creating Dual IAM Roles for your Account" (Qubole Data Service): Qubole's own AWS account
assumes the customer's Service role (cross-account, with the ExternalId Qubole shows); the
Service role reaches only the default location. To start clusters it passes the Secondary
role (through its instance profile) to EC2 (iam:PassRole, iam:GetInstanceProfile); cluster
nodes then act as the Secondary role, which alone reads the data buckets. The chain is
aws-semantics §12 and §18; PassRole: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html

Parts (`part:`):
- `service`: Qubole's principal -> AssumeRole(account_role, external_id) -> Put, Get, Delete
  and List on the default location;
- `cluster`: the same AssumeRole, then PassRole of the secondary role to ec2.amazonaws.com
  with its instance profile; the instance session then keeps files in the default
  location and reads each of `data_locations`.
"""

from __future__ import annotations

from typing import Any, Literal

from ..errors import InputError
from ..flows import Access, AssumeRoleHop, Hop, PassRoleHop, SessionStart, Start, UserStart
from ..scenario_types import (
    PrincipalArn,
    ProfileArn,
    RawModel,
    RoleArn,
    S3Location,
    iam_arn_problem,
)
from .parts import VendorFlow, read_access, settings, split_location, write_access

QUBOLE_SESSION = "qubole"


class QuboleSettings(RawModel):
    """`start: {qubole: ...}`: Qubole's principal (a role or user of Qubole's account),
    the customer's Service role (`account_role`) and ExternalId, the default location,
    and for `part: cluster` the Secondary role, its instance profile and data locations."""

    part: Literal["service", "cluster"] = "service"
    qubole_principal: PrincipalArn
    account_role: RoleArn
    external_id: str | None = None
    default_location: S3Location
    secondary_role: RoleArn | None = None
    instance_profile: ProfileArn | None = None
    data_locations: list[S3Location] = []


def read(block: Any, location: str) -> VendorFlow:
    """The Qubole flow of one part (service or cluster)."""
    s = settings(QuboleSettings, block, location)
    start: Start
    if iam_arn_problem(s.qubole_principal, "user") is None:
        start = UserStart(user=s.qubole_principal)
    else:
        start = SessionStart(role=s.qubole_principal, session_name=QUBOLE_SESSION)
    hops: list[Hop] = [AssumeRoleHop(role=s.account_role, external_id=s.external_id)]
    bucket, key = split_location(s.default_location, f"{location}.default_location",
                                 "default_location")
    access: list[Access] = list(write_access(bucket, key))
    if s.part == "cluster":
        if s.secondary_role is None:
            raise InputError("part cluster needs secondary_role: the role cluster nodes "
                             "run as", location=location)
        hops.append(PassRoleHop(role=s.secondary_role, service="ec2.amazonaws.com",
                                instance_profile=s.instance_profile))
        for i, uri in enumerate(s.data_locations):
            data_bucket, data_key = split_location(uri, f"{location}.data_locations[{i}]",
                                                   "data location")
            access.extend(read_access(data_bucket, data_key, prefix_only=True))
    elif s.data_locations:
        raise InputError("data_locations are read by the cluster (part: cluster); the "
                         "Service role reaches only the default location",
                         location=f"{location}.data_locations")
    return VendorFlow(start=start, hops=tuple(hops), access=tuple(access))
