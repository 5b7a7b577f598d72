"""who-can and reach on the graph, and their renderers.

AWS rules exercised:
- an explicit Deny in an SCP, an RCP or a bucket policy blocks the access whatever allows it:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- SSE-KMS object reads need kms:Decrypt on the bucket's key, allowed by its key policy:
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
- access levels as the Service Authorization Reference classifies actions:
  https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from graph_worlds import (
    CUSTOMER,
    DORIS_EC2,
    DORIS_S3,
    EC2,
    LAKE,
    ORG,
    OUTSIDE,
    VENDOR,
    admits,
    allow,
    doc,
    doris_world,
    org_world,
    replaced,
    role,
    trust,
    user,
)

from simulator.graph import build_graph
from simulator.graph_model import EdgeKind, NodeKind
from simulator.graph_report import (
    REACH_COLUMNS,
    WHO_CAN_COLUMNS,
    chain_text,
    reach_dict,
    reach_rows,
    who_can_dict,
    who_can_rows,
)
from simulator.policy import PolicyKind
from simulator.questions import explain_hop, reach, who_can
from simulator.world import Bucket, InstanceProfile, KmsKey, OidcProvider, World

VENDOR_ROOT = f"arn:aws:iam::{OUTSIDE}:root"
CONNECTOR = f"arn:aws:iam::{CUSTOMER}:role/vendor-connector"
SANDBOX_READER = f"arn:aws:iam::{VENDOR}:role/sandbox-reader"
OBJECT = f"{LAKE}/data/part-0.parquet"


def _vendor_world(**kw: Any) -> World:
    """An outside vendor assumes CONNECTOR with an ExternalId; a sandbox role reads the
    lake cross-account (the bucket policy names it)."""
    connector = role(CONNECTOR, trust(admits({"AWS": VENDOR_ROOT},
                                             StringEquals={"sts:ExternalId": "acme-7"})),
                     allow("s3:GetObject", f"{LAKE}/*"))
    reader = role(SANDBOX_READER, trust(admits({"Service": EC2})),
                  allow("s3:GetObject", f"{LAKE}/*"))
    bucket_statements = kw.pop("bucket_statements", [])
    policy = doc([{"Effect": "Allow", "Principal": {"AWS": SANDBOX_READER},
                   "Action": "s3:GetObject", "Resource": f"{LAKE}/*"}, *bucket_statements],
                 "lake-policy", PolicyKind.resource)
    bucket = Bucket(name="customer-lake", account=CUSTOMER, policy=policy)
    return org_world((connector, reader), buckets=(bucket,), **kw)


def test_who_can_finds_an_external_vendor_through_an_external_id_chain() -> None:
    answer = who_can(build_graph(_vendor_world()), "s3:GetObject", OBJECT)
    assert answer.accounts[0].account == OUTSIDE and answer.accounts[0].external
    vendor = answer.find(VENDOR_ROOT)
    assert vendor is not None and vendor.kind is NodeKind.external_account
    assert [h.kind for h in vendor.chain] == [EdgeKind.can_assume, EdgeKind.can_act]
    assert vendor.chain[0].target == CONNECTOR
    assert [r.label for r in vendor.requires] == ["ExternalId = acme-7"]
    assert vendor.chain[0].decision is not None and vendor.chain[0].decision.allowed
    assert answer.find(CONNECTOR) is not None and answer.find(CONNECTOR).direct  # type: ignore
    assert answer.find(SANDBOX_READER) is not None
    assert answer.level == "Read"


def test_who_can_skips_a_principal_blocked_by_an_scp() -> None:
    world = _vendor_world(sandbox_scp=[{"Effect": "Deny", "Action": "s3:GetObject",
                                        "Resource": "*"}])
    answer = who_can(build_graph(world), "s3:GetObject", OBJECT)
    assert answer.find(SANDBOX_READER) is None
    assert answer.find(VENDOR_ROOT) is not None
    refused = {r.source: r.reason for r in answer.refused}
    assert refused[SANDBOX_READER] == "explicit_deny_in_scp"


def test_who_can_skips_principals_denied_by_the_bucket_policy() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{LAKE}/*",
            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": CUSTOMER}}}
    answer = who_can(build_graph(_vendor_world(bucket_statements=[deny])), "s3:GetObject",
                     OBJECT)
    assert answer.find(SANDBOX_READER) is None
    assert {r.source: r.reason for r in answer.refused}[SANDBOX_READER] == \
        "explicit_deny_in_resource"
    assert answer.find(VENDOR_ROOT) is not None  # through a role of the bucket's account


def test_an_rcp_perimeter_blocks_direct_access_from_outside_the_organization() -> None:
    perimeter = [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}}]
    grant = {"Effect": "Allow", "Principal": {"AWS": VENDOR_ROOT}, "Action": "s3:GetObject",
             "Resource": f"{LAKE}/*"}
    open_world = _vendor_world(bucket_statements=[grant])
    direct = who_can(build_graph(open_world), "s3:GetObject", OBJECT).find(VENDOR_ROOT)
    assert direct is not None and direct.direct
    closed = _vendor_world(bucket_statements=[grant], rcp=perimeter)
    answer = who_can(build_graph(closed), "s3:GetObject", OBJECT)
    vendor = answer.find(VENDOR_ROOT)
    assert vendor is not None and not vendor.direct  # only through the connector role
    assert vendor.chain[0].target == CONNECTOR


def test_who_can_through_a_pass_role_needs_the_service_to_take_the_role() -> None:
    worker = role(f"arn:aws:iam::{CUSTOMER}:role/worker", trust(admits({"Service": EC2})),
                  allow("s3:GetObject", f"{LAKE}/*"))
    launcher = user(f"arn:aws:iam::{CUSTOMER}:user/launcher",
                    allow("iam:PassRole", worker.arn,
                          StringEquals={"iam:PassedToService": EC2}))
    bucket = Bucket(name="customer-lake", account=CUSTOMER)
    profile = InstanceProfile(arn=f"arn:aws:iam::{CUSTOMER}:instance-profile/w",
                              role=worker.arn)
    world = World(roles=(worker,), users=(launcher,), buckets=(bucket,),
                  instance_profiles=(profile,))
    found = who_can(build_graph(world), "s3:GetObject", OBJECT).find(launcher.arn)
    assert found is not None
    assert [h.kind for h in found.chain] == [EdgeKind.can_pass, EdgeKind.can_act]
    assert "pass to ec2.amazonaws.com" in chain_text(found.chain)
    no_trust = replaced(world, roles=(role(worker.arn, trust(admits({"Service": "lambda."
                                                                    "amazonaws.com"})),
                                           allow("s3:GetObject", f"{LAKE}/*")),))
    assert who_can(build_graph(no_trust), "s3:GetObject", OBJECT).find(launcher.arn) is None


def test_who_can_lists_services_and_web_identities_with_their_requirements() -> None:
    url = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
    provider = f"arn:aws:iam::{VENDOR}:oidc-provider/{url}"
    irsa = role(f"arn:aws:iam::{VENDOR}:role/irsa", trust(admits(
        {"Federated": provider}, "sts:AssumeRoleWithWebIdentity",
        StringEquals={f"{url}:sub": "system:serviceaccount:doris:fe"})),
        allow("sts:AssumeRole", DORIS_S3))
    customer = role(DORIS_S3, trust(admits({"AWS": [DORIS_EC2, irsa.arn]}, StringEquals={
        "sts:ExternalId": "doris-external-id"})), allow("s3:PutObject", f"{LAKE}/backup/*"))
    world = doris_world()
    world = replaced(world, roles=(world.roles[0], customer, irsa),
                     oidc_providers=(OidcProvider(arn=provider),))
    answer = who_can(build_graph(world), "s3:PutObject", f"{LAKE}/backup/x")
    web = answer.find(provider)
    assert web is not None and web.kind is NodeKind.web_identity
    assert [r.label for r in web.requires] == ["sub = system:serviceaccount:doris:fe",
                                               "ExternalId = doris-external-id"]
    assert web.one_hour_cap  # the IRSA session's AssumeRole is role chaining
    ec2 = answer.find(EC2)
    assert ec2 is not None and ec2.chain[0].kind is EdgeKind.instance_profile_of
    assert [g.account for g in answer.accounts] == [VENDOR, CUSTOMER, "services"]


def test_sse_kms_needs_the_key_policy_too() -> None:
    key_arn = f"arn:aws:kms:us-east-1:{CUSTOMER}:key/lake"
    reader = role(f"arn:aws:iam::{CUSTOMER}:role/reader", trust(admits({"Service": EC2})),
                  allow("s3:GetObject", f"{LAKE}/*"), allow("kms:Decrypt", key_arn))
    closed = KmsKey(arn=key_arn, policy=doc([{"Effect": "Allow", "Principal": {
        "AWS": f"arn:aws:iam::{CUSTOMER}:role/other"}, "Action": "kms:*", "Resource": "*"}],
        "key-policy", PolicyKind.resource))
    bucket = Bucket(name="customer-lake", account=CUSTOMER, kms_key=key_arn)
    world = World(roles=(reader,), buckets=(bucket,), keys=(closed,))
    answer = who_can(build_graph(world), "s3:GetObject", OBJECT)
    assert answer.find(reader.arn) is None
    assert {r.source: r.reason for r in answer.refused}[reader.arn] == \
        "kms_no_allow_in_resource"
    opened = closed.model_copy(update={"policy": doc([{"Effect": "Allow", "Principal": {
        "AWS": CUSTOMER}, "Action": "kms:*", "Resource": "*"}], "key-policy",
        PolicyKind.resource)})
    found = who_can(build_graph(replaced(world, keys=(opened,))), "s3:GetObject",
                    OBJECT).find(reader.arn)
    assert found is not None and found.chain[-1].kms is not None


def test_reach_groups_by_access_level_with_the_chain() -> None:
    owner = role(f"arn:aws:iam::{CUSTOMER}:role/owner",
                 trust(admits({"AWS": f"arn:aws:iam::{CUSTOMER}:user/alice"})),
                 allow(["s3:GetObject", "s3:PutObject"], f"{LAKE}/*"),
                 allow(["s3:ListBucket", "s3:PutBucketPolicy"], LAKE))
    alice = user(f"arn:aws:iam::{CUSTOMER}:user/alice")
    world = World(roles=(owner,), users=(alice,),
                  buckets=(Bucket(name="customer-lake", account=CUSTOMER),))
    answer = reach(build_graph(world), alice.arn)
    assert [p.principal for p in answer.principals] == [owner.arn]
    by_resource = {r.resource: r for r in answer.resources}
    assert {k: [a.action for a in v] for k, v in by_resource[LAKE].levels.items()} == {
        "List": ["s3:ListBucket"], "Permissions management": ["s3:PutBucketPolicy"]}
    objects = by_resource[f"{LAKE}/*"].levels
    assert list(objects) == ["Read", "Write"]
    get = objects["Read"][0]
    assert get.via == owner.arn and [h.kind for h in get.chain] == [EdgeKind.can_assume,
                                                                    EdgeKind.can_act]
    assert answer.by_level()["Write"] == [(f"{LAKE}/*", "s3:PutObject")]


def test_reach_walks_a_cycle_once_and_accepts_an_account_id() -> None:
    a = f"arn:aws:iam::{CUSTOMER}:role/A"
    b = f"arn:aws:iam::{CUSTOMER}:role/B"
    ra = role(a, trust(admits({"AWS": b}), admits({"AWS": VENDOR_ROOT})),
              allow("sts:AssumeRole", "*"))
    rb = role(b, trust(admits({"AWS": a})), allow("sts:AssumeRole", "*"),
              allow("s3:GetObject", f"{LAKE}/*"))
    world = World(roles=(ra, rb), buckets=(Bucket(name="customer-lake", account=CUSTOMER),))
    answer = reach(build_graph(world), a)
    assert [p.principal for p in answer.principals] == [b]
    assert answer.actions(f"{LAKE}/*") == ["s3:GetObject"]
    outside = reach(build_graph(world), OUTSIDE)
    assert [p.principal for p in outside.principals] == [a, b]
    assert outside.resources[0].levels["Read"][0].via == b
    with pytest.raises(KeyError):
        reach(build_graph(world), "arn:aws:iam::123456789012:user/nobody")


def test_dicts_are_json_and_rows_are_strings() -> None:
    graph = build_graph(_vendor_world())
    answer = who_can(graph, "s3:GetObject", OBJECT)
    data = json.loads(json.dumps(who_can_dict(answer)))
    assert data["question"] == "who-can" and data["accounts"][0]["external"] is True
    hop = data["accounts"][0]["principals"][0]["chain"][0]
    assert hop["requires"][0]["key"] == "sts:ExternalId"
    assert hop["decision"]["deciding"][0]["kind"] == "trust"
    rows = who_can_rows(answer)
    assert all(len(r) == len(WHO_CAN_COLUMNS) and all(isinstance(c, str) for c in r)
               for r in rows)
    assert rows[0][0] == f"{OUTSIDE} [external]"
    assert rows[0][3] == (f"account {OUTSIDE} -assume-> role/vendor-connector -s3:GetObject-> "
                          "customer-lake/data/part-0.parquet")
    assert rows[0][4] == "ExternalId = acme-7"
    got = reach(graph, VENDOR_ROOT)
    assert json.loads(json.dumps(reach_dict(got)))["principals"][0]["principal"] == CONNECTOR
    assert all(len(r) == len(REACH_COLUMNS) for r in reach_rows(got))
    assert reach_rows(got)[0][:3] == [f"{LAKE}/*", "Read", "s3:GetObject"]


def test_an_action_outside_the_representative_set() -> None:
    world = doris_world()
    answer = who_can(build_graph(world), "s3:GetObjectVersion", f"{LAKE}/backup/x")
    assert answer.principals() == []
    answer = who_can(build_graph(world), "s3:ListBucket", LAKE)
    assert {p.principal for p in answer.principals()} == {DORIS_EC2, DORIS_S3, EC2}


def test_every_hop_can_be_explained_again_with_tracing() -> None:
    graph = build_graph(_vendor_world())
    vendor = who_can(graph, "s3:GetObject", OBJECT).find(VENDOR_ROOT)
    assert vendor is not None
    traced = [explain_hop(graph, hop) for hop in vendor.chain]
    assert all(d is not None and d.allowed and d.policies for d in traced)
    assert [d.deciding for d in traced if d] == [h.decision.deciding for h in vendor.chain
                                                 if h.decision]
    trust = next(p for p in traced[0].policies if p.kind is PolicyKind.trust)  # type: ignore
    condition = trust.statements[0].checks[-1].conditions[0]
    assert (condition.key, condition.request_values) == ("sts:ExternalId", ("acme-7",))


def test_identity_allows_alone_never_make_cross_account_candidates() -> None:
    """An admin of another account (Allow * on *) cannot read a bucket whose policy does
    not name it: the index does not even propose it (no decision, no refusal)."""
    admin = role(f"arn:aws:iam::{VENDOR}:role/admin", trust(admits({"Service": EC2})),
                 allow("*", "*"))
    local = role(f"arn:aws:iam::{CUSTOMER}:role/local", trust(admits({"Service": EC2})),
                 allow("s3:GetObject", f"{LAKE}/*"))
    world = World(roles=(admin, local),
                  buckets=(Bucket(name="customer-lake", account=CUSTOMER),))
    graph = build_graph(world)
    answer = who_can(graph, "s3:GetObject", OBJECT)
    assert [p.principal for p in answer.principals()] == [local.arn, EC2]
    assert answer.refused == () and answer.decisions == 2  # local's read, EC2's trust
    assert reach(graph, admin.arn).resources == ()
