"""A deterministic, realistic workload for the benchmarks: policy documents and requests.

Everything is plain decoded JSON (the shapes of the case format, FORMAT.md), built from a
seeded `random.Random`, so both benchmarks measure the same kind of input and every run
measures the same input. One "policy set" is about 20 documents and 200 statements:

- identity policies of the caller (11 documents, ~10 statements each): S3 by team bucket
  (`s3:Get*`, `arn:aws:s3:::bucket-*/*`), home prefixes with `${aws:username}`, EC2 by
  resource tag, KMS through S3 (`kms:ViaService`), SQS from the office network (`IpAddress`),
  DynamoDB leading keys (`ForAllValues`), Lambda from EventBridge rules (`ArnLike`),
  `iam:PassRole` (`iam:PassedToService`), logs with `NotResource`, MFA and TLS guards
  (`BoolIfExists`), `iam:*AccessKey*` on one's own user only (`NotResource` + variable);
- a bucket policy (S3) or a key policy (KMS) naming accounts, roles, users, `*` with
  `aws:PrincipalOrgID`, a service principal, and the usual TLS Deny;
- SCPs on two levels (root: FullAWSAccess + region and access-key guardrails with
  `NotAction` / `StringNotEqualsIfExists` / `ArnNotLike`; OU: a service allow-list and a
  Deny of destructive actions unless tagged admin), a permissions boundary and a session
  policy.

Requests mix IAM users, role sessions, another account's users, the root user, service
principals and anonymous callers, over eight services, with contexts that make the
conditions go both ways.
"""

from __future__ import annotations

import random
from typing import Any

Json = dict[str, Any]

ACCOUNT = "111122223333"
OTHER = "444455556666"
ORG = "o-a1b2c3d4e5"
TEAMS = ("data", "web", "ml", "ops", "fin", "sec")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
USERS = tuple(f"{name}{i}" for i in range(8) for name in ("alice", "bob", "carol", "dan"))
ROLES = ("app-web", "app-batch", "admin-break-glass", "data-pipeline", "ml-train", "ops-ci")

ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("GetObject", "GetObject", "PutObject", "ListBucket", "DeleteObject",
           "GetObjectTagging", "PutBucketPolicy", "GetBucketLocation"),
    "ec2": ("DescribeInstances", "StartInstances", "StopInstances", "RunInstances",
            "TerminateInstances", "CreateTags"),
    "iam": ("CreateAccessKey", "ListAccessKeys", "DeleteAccessKey", "GetUser", "PassRole",
            "CreateRole", "AttachRolePolicy"),
    "kms": ("Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey", "ScheduleKeyDeletion"),
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
    "dynamodb": ("GetItem", "Query", "PutItem", "Scan", "DeleteTable"),
    "lambda": ("InvokeFunction", "GetFunction", "UpdateFunctionCode"),
    "logs": ("PutLogEvents", "CreateLogStream", "DeleteLogGroup"),
}
SERVICE_WEIGHTS = {"s3": 40, "ec2": 12, "iam": 10, "kms": 10, "sqs": 8, "dynamodb": 8,
                   "lambda": 6, "logs": 6}


def doc(*statements: Json) -> Json:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _stmt(effect: str, action: Any, resource: Any = "*", *, not_action: bool = False,
          not_resource: bool = False, condition: Json | None = None, sid: str | None = None,
          principal: Any = None) -> Json:
    s: Json = {"Effect": effect}
    if sid:
        s["Sid"] = sid
    if principal is not None:
        s["Principal"] = principal
    s["NotAction" if not_action else "Action"] = action
    if resource is not None:
        s["NotResource" if not_resource else "Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


def _identity_statements(rng: random.Random, n: int) -> list[Json]:
    """n statements drawn from the templates of the module docstring."""
    out: list[Json] = []
    for i in range(n):
        team = rng.choice(TEAMS)
        region = rng.choice(REGIONS)
        kind = rng.randrange(16)
        sid = f"S{i}{team.capitalize()}" if rng.random() < 0.6 else None
        if kind == 0:
            s = _stmt("Allow", ["s3:Get*", "s3:List*"],
                      [f"arn:aws:s3:::bucket-{team}-*", f"arn:aws:s3:::bucket-{team}-*/*"])
        elif kind == 1:
            s = _stmt("Allow", ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                      f"arn:aws:s3:::bucket-{team}-{rng.randrange(4)}/home/${{aws:username}}/*")
        elif kind == 2:
            s = _stmt("Allow", "s3:ListBucket", f"arn:aws:s3:::bucket-{team}-*",
                      condition={"StringLike": {"s3:prefix": ["", "home/",
                                                              "home/${aws:username}/*"]}})
        elif kind == 3:
            s = _stmt("Deny", "iam:*AccessKey*", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                      not_resource=True)
        elif kind == 4:
            s = _stmt("Allow", "ec2:Describe*")
        elif kind == 5:
            s = _stmt("Allow", ["ec2:StartInstances", "ec2:StopInstances"],
                      f"arn:aws:ec2:{region}:{ACCOUNT}:instance/*",
                      condition={"StringEquals": {"aws:ResourceTag/team":
                                                  "${aws:PrincipalTag/team}"}})
        elif kind == 6:
            s = _stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey*"],
                      f"arn:aws:kms:{region}:{ACCOUNT}:key/*",
                      condition={"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}})
        elif kind == 7:
            s = _stmt("Allow", "sqs:*", f"arn:aws:sqs:{region}:{ACCOUNT}:{team}-*",
                      condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8",
                                                                "192.168.0.0/16"]}})
        elif kind == 8:
            s = _stmt("Deny", ["s3:DeleteObject*", "ec2:TerminateInstances"], "*",
                      condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
        elif kind == 9:
            s = _stmt("Allow", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                      f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{team}-*",
                      condition={"ForAllValues:StringEquals": {
                          "dynamodb:LeadingKeys": ["${aws:username}", team]}})
        elif kind == 10:
            s = _stmt("Allow", "lambda:InvokeFunction",
                      f"arn:aws:lambda:{region}:{ACCOUNT}:function:{team}-*",
                      condition={"ArnLike": {"aws:SourceArn":
                                             f"arn:aws:events:*:{ACCOUNT}:rule/*"}})
        elif kind == 11:
            s = _stmt("Allow", "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-*",
                      condition={"StringEquals": {"iam:PassedToService":
                                                  ["ec2.amazonaws.com",
                                                   "lambda.amazonaws.com"]}})
        elif kind == 12:
            s = _stmt("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      "arn:aws:logs:*:*:log-group:audit-*", not_resource=True)
        elif kind == 13:
            s = _stmt("Allow", "*", "*",
                      condition={"StringEquals": {"aws:PrincipalTag/role": "admin"},
                                 "Bool": {"aws:MultiFactorAuthPresent": "true"}})
        elif kind == 14:
            s = _stmt("Allow", ["ec2:CreateTags", "ec2:RunInstances"], "*",
                      condition={"ForAnyValue:StringEquals": {"aws:TagKeys":
                                                              ["team", "cost-center"]},
                                 "StringEqualsIfExists": {"aws:RequestedRegion": region}})
        else:
            s = _stmt("Deny", "s3:*", "*",
                      condition={"Bool": {"aws:SecureTransport": "false"}})
        if sid:
            s = {"Sid": sid, **s}
        out.append(s)
    return out


def _bucket_policy(rng: random.Random, n: int) -> Json:
    team = rng.choice(TEAMS)
    bucket = f"arn:aws:s3:::bucket-{team}-{rng.randrange(4)}"
    statements = [
        _stmt("Deny", "s3:*", [bucket, f"{bucket}/*"], principal="*", sid="TlsOnly",
              condition={"Bool": {"aws:SecureTransport": "false"}}),
        _stmt("Allow", ["s3:GetObject", "s3:ListBucket"], [bucket, f"{bucket}/*"],
              principal="*", sid="OrgRead",
              condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}),
        _stmt("Allow", "s3:PutObject", "arn:aws:s3:::*/AWSLogs/*",
              principal={"Service": "cloudtrail.amazonaws.com"},
              condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}),
    ]
    while len(statements) < n:
        t = rng.choice(TEAMS)
        who = rng.randrange(5)
        if who == 0:
            principal: Any = {"AWS": f"arn:aws:iam::{OTHER}:root"}
        elif who == 1:
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(ROLES)}"}
        elif who == 2:
            principal = {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/{rng.choice(USERS)}",
                                 f"arn:aws:iam::{OTHER}:user/{rng.choice(USERS)}"]}
        elif who == 3:
            principal = {"AWS": ACCOUNT}
        else:
            principal = "*"
        effect = "Deny" if rng.random() < 0.2 else "Allow"
        cond = None
        if who == 4:
            cond = {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{t}-*"}}
        elif rng.random() < 0.3:
            cond = {"IpAddress": {"aws:SourceIp": f"10.{rng.randrange(256)}.0.0/16"}}
        actions = rng.choice((["s3:Get*"], ["s3:PutObject", "s3:PutObjectAcl"],
                              ["s3:ListBucket"], ["s3:*"], ["s3:DeleteObject"]))
        resource = rng.choice((f"arn:aws:s3:::bucket-{t}-*/*", f"{bucket}/shared/*",
                               f"arn:aws:s3:::bucket-{t}-?/home/*", bucket))
        statements.append(_stmt(effect, actions, resource, principal=principal,
                                condition=cond))
    return doc(*statements)


def _key_policy(rng: random.Random) -> Json:
    return doc(
        _stmt("Allow", "kms:*", "*", principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
              sid="EnableIamPolicies"),
        _stmt("Allow", ["kms:Decrypt", "kms:DescribeKey"], "*",
              principal={"AWS": f"arn:aws:iam::{OTHER}:root"}, sid="PartnerDecrypt",
              condition={"StringEquals": {"kms:CallerAccount": OTHER}}),
        _stmt("Deny", "kms:ScheduleKeyDeletion", "*", principal="*",
              condition={"ArnNotLike": {"aws:PrincipalArn":
                                        f"arn:aws:iam::{ACCOUNT}:role/admin-*"}}),
        _stmt("Allow", ["kms:Encrypt", "kms:GenerateDataKey*"], "*",
              principal={"Service": "logs.amazonaws.com"},
              condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                     f"arn:aws:logs:{rng.choice(REGIONS)}:{ACCOUNT}:*"}}),
    )


def _scp_levels(rng: random.Random) -> list[list[Json]]:
    allowed = sorted(rng.sample(sorted(set(ACTIONS) - {"s3"}), 6) + ["s3", "sts"])
    root = [
        doc(_stmt("Allow", "*", "*", sid="FullAWSAccess")),
        doc(
            _stmt("Deny", ["iam:*", "sts:*", "organizations:*", "support:*"], "*",
                  not_action=True, sid="RegionLock",
                  condition={"StringNotEqualsIfExists": {"aws:RequestedRegion":
                                                         list(REGIONS[:2])}}),
            _stmt("Deny", "iam:*AccessKey*", "*", sid="NoKeysOutsideAdmins",
                  condition={"ArnNotLike": {"aws:PrincipalArn": [
                      "arn:aws:iam::*:role/admin-*", "arn:aws:iam::*:user/*"]}}),
            _stmt("Deny", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "*"),
            _stmt("Deny", "*", "*", sid="NoRoot",
                  condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}),
        ),
    ]
    ou = [
        doc(_stmt("Allow", [f"{s}:*" for s in allowed], "*", sid="ServiceAllowList")),
        doc(
            _stmt("Deny", ["s3:PutBucketPolicy", "kms:ScheduleKeyDeletion",
                           "dynamodb:DeleteTable", "logs:DeleteLogGroup"], "*",
                  condition={"StringNotEquals": {"aws:PrincipalTag/role": "admin"}}),
            _stmt("Deny", "s3:*", "arn:aws:s3:::bucket-*", not_resource=True,
                  condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                             "Null": {"aws:PrincipalTag/team": "false"}}),
        ),
    ]
    return [root, ou]


def _boundary(rng: random.Random, n: int) -> Json:
    statements = [
        _stmt("Allow", [f"{s}:*" for s in ("s3", "ec2", "sqs", "dynamodb", "lambda", "logs")],
              "*"),
        _stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "*"),
        _stmt("Allow", ["iam:Get*", "iam:List*", "iam:*AccessKey*", "iam:PassRole"], "*"),
        _stmt("Deny", ["iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"], "*",
              condition={"StringNotLike": {"iam:PermissionsBoundary":
                                           f"arn:aws:iam::{ACCOUNT}:policy/boundary-*"}}),
    ]
    while len(statements) < n:
        t = rng.choice(TEAMS)
        statements.append(rng.choice((
            _stmt("Deny", "s3:*", f"arn:aws:s3:::bucket-{t}-*/secret/*",
                  condition={"StringNotEquals": {"aws:PrincipalTag/team": t}}),
            _stmt("Deny", "dynamodb:*", f"arn:aws:dynamodb:*:{ACCOUNT}:table/{t}-audit"),
            _stmt("Allow", "sts:AssumeRole", f"arn:aws:iam::*:role/{t}-*"),
            _stmt("Deny", "ec2:RunInstances", "*",
                  condition={"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["*.metal"]}}),
        )))
    return doc(*statements)


def _session(rng: random.Random, n: int) -> Json:
    statements = [_stmt("Allow", ["s3:*", "kms:*", "sqs:*", "logs:*", "dynamodb:*"], "*")]
    while len(statements) < n:
        t = rng.choice(TEAMS)
        statements.append(rng.choice((
            _stmt("Allow", ["ec2:Describe*", "ec2:Start*", "ec2:Stop*"], "*"),
            _stmt("Allow", "lambda:*", f"arn:aws:lambda:*:{ACCOUNT}:function:{t}-*"),
            _stmt("Deny", "s3:Delete*", "*",
                  condition={"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
            _stmt("Allow", "iam:PassRole", "*",
                  condition={"StringEquals": {"aws:RequestedRegion": rng.choice(REGIONS)}}),
        )))
    return doc(*statements)


def policy_set(seed: int) -> Json:
    """The `policies` object of a case: ~20 documents, ~200 statements."""
    rng = random.Random(seed)
    identity = [doc(*_identity_statements(rng, rng.randrange(13, 17))) for _ in range(11)]
    return {"identity": identity, "bucket_policy": _bucket_policy(rng, 20),
            "resource_policy": _key_policy(rng), "scp": _scp_levels(rng),
            "boundary": _boundary(rng, 16), "session_policy": _session(rng, 10)}


def statement_count(policies: Json) -> tuple[int, int]:
    """(documents, statements) of a `policies` object."""
    docs: list[Json] = [*policies.get("identity", []),
                        *(d for level in policies.get("scp", []) for d in level)]
    docs += [policies[k] for k in ("bucket_policy", "resource_policy", "boundary",
                                   "session_policy") if policies.get(k)]
    return len(docs), sum(len(d["Statement"]) for d in docs)


def _resource(rng: random.Random, service: str, action: str, team: str, user: str) -> str:
    region = rng.choice(REGIONS)
    account = ACCOUNT if rng.random() < 0.9 else OTHER
    if service == "s3":
        bucket = f"bucket-{team if rng.random() < 0.7 else rng.choice(TEAMS)}-{rng.randrange(4)}"
        if action in ("ListBucket", "PutBucketPolicy", "GetBucketLocation"):
            return f"arn:aws:s3:::{bucket}"
        key = rng.choice((f"home/{user}/notes.txt", f"home/{rng.choice(USERS)}/a.csv",
                          "shared/report.parquet", "secret/keys.txt",
                          f"AWSLogs/{ACCOUNT}/x.gz", "data/2024/01/part-0001.parquet"))
        return f"arn:aws:s3:::{bucket}/{key}"
    if service == "ec2":
        return f"arn:aws:ec2:{region}:{account}:instance/i-{rng.randrange(16**8):08x}"
    if service == "iam":
        if action in ("PassRole", "CreateRole", "AttachRolePolicy"):
            return f"arn:aws:iam::{account}:role/{rng.choice(ROLES)}"
        return f"arn:aws:iam::{account}:user/{user if rng.random() < 0.6 else rng.choice(USERS)}"
    if service == "kms":
        return f"arn:aws:kms:{region}:{account}:key/{rng.randrange(16**12):012x}"
    if service == "sqs":
        return f"arn:aws:sqs:{region}:{account}:{team}-{rng.choice(('jobs', 'events'))}"
    if service == "dynamodb":
        return f"arn:aws:dynamodb:{region}:{account}:table/{team}-{rng.choice(('users', 'audit'))}"
    if service == "lambda":
        return f"arn:aws:lambda:{region}:{account}:function:{team}-handler"
    return f"arn:aws:logs:{region}:{account}:log-group:{rng.choice(('audit', 'app'))}-{team}"


def request(rng: random.Random) -> Json:
    """One `request` object of the case format."""
    service = rng.choices(list(SERVICE_WEIGHTS), weights=list(SERVICE_WEIGHTS.values()))[0]
    action = rng.choice(ACTIONS[service])
    team = rng.choice(TEAMS)
    user = rng.choice(USERS)
    who = rng.random()
    context: Json = {}
    out: Json = {}
    if who < 0.55:
        out["principal_arn"] = f"arn:aws:iam::{ACCOUNT}:user/{user}"
        if rng.random() < 0.5:
            out["principal_id"] = f"AIDA{rng.randrange(16**12):012X}"
    elif who < 0.80:
        role = rng.choice(ROLES)
        out["principal_arn"] = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{user}"
        team = role.split("-")[-1] if role.split("-")[-1] in TEAMS else team
    elif who < 0.89:
        out["principal_arn"] = f"arn:aws:iam::{OTHER}:user/{user}"
        out["principal_account"] = OTHER
    elif who < 0.92:
        out["principal_arn"] = f"arn:aws:iam::{ACCOUNT}:root"
    elif who < 0.97:
        out["principal_arn"] = rng.choice(("cloudtrail.amazonaws.com", "logs.amazonaws.com"))
    else:
        out["principal_arn"] = "anonymous"
    out["action"] = f"{service}:{action}"
    out["resource"] = _resource(rng, service, action, team, user)
    if rng.random() < 0.9:
        context["aws:SecureTransport"] = rng.random() < 0.95
    if rng.random() < 0.7:
        context["aws:SourceIp"] = (f"10.{rng.randrange(256)}.{rng.randrange(256)}.7"
                                   if rng.random() < 0.7 else "203.0.113.9")
    if rng.random() < 0.6:
        context["aws:MultiFactorAuthPresent"] = rng.random() < 0.7
    context["aws:RequestedRegion"] = rng.choices(REGIONS, weights=(6, 3, 1))[0]
    if rng.random() < 0.7:
        context["aws:PrincipalTag/team"] = team
    if rng.random() < 0.1:
        context["aws:PrincipalTag/role"] = "admin"
    if rng.random() < 0.6:
        context["aws:PrincipalOrgID"] = ORG if rng.random() < 0.8 else "o-zzzz"
    if rng.random() < 0.4:
        context["aws:ResourceTag/team"] = team if rng.random() < 0.7 else rng.choice(TEAMS)
    if service == "ec2" and rng.random() < 0.6:
        context["aws:TagKeys"] = rng.sample(["team", "cost-center", "name", "env"], 2)
        context["ec2:InstanceType"] = rng.choice(("t3.micro", "m5.large", "c5.metal"))
    if service == "s3":
        context["s3:prefix"] = rng.choice(("", "home/", f"home/{user}/", "data/"))
        context["s3:x-amz-acl"] = "bucket-owner-full-control"
    if service == "kms":
        context["kms:ViaService"] = rng.choice(("s3.us-east-1.amazonaws.com",
                                                "ec2.us-east-1.amazonaws.com"))
        context["kms:CallerAccount"] = rng.choice((ACCOUNT, OTHER))
    if service == "dynamodb":
        context["dynamodb:LeadingKeys"] = rng.choice(([user], [team], [user, "other"]))
    if service == "lambda" and rng.random() < 0.7:
        context["aws:SourceArn"] = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"
    if service == "iam":
        context["iam:PassedToService"] = rng.choice(("ec2.amazonaws.com", "glue.amazonaws.com"))
        context["iam:PermissionsBoundary"] = f"arn:aws:iam::{ACCOUNT}:policy/boundary-{team}"
    if rng.random() < 0.3:
        context["aws:CurrentTime"] = "2025-06-01T12:00:00Z"
    out["context"] = context
    return out


def attached(policies: Json, req: Json) -> Json:
    """The documents of a policy set that bear on this call: the bucket policy for S3, the
    key policy for KMS, the session policy for role sessions only."""
    service = req["action"].partition(":")[0]
    out = {k: v for k, v in policies.items()
           if k not in ("bucket_policy", "resource_policy", "session_policy")}
    if service == "s3":
        out["bucket_policy"] = policies["bucket_policy"]
    elif service == "kms":
        out["resource_policy"] = policies["resource_policy"]
    if ":assumed-role/" in req["principal_arn"]:
        out["session_policy"] = policies["session_policy"]
    return out


def case(index: int, seed: int) -> Json:
    """One case of the case format, carrying its own ~200-statement policy set."""
    rng = random.Random(seed * 1_000_003 + index)
    req = request(rng)
    return {"id": f"bench-{index:04d}", "note": "generated by benchmarks/workload.py",
            "policies": attached(policy_set(seed * 7919 + index), req), "request": req}
