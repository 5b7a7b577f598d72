"""The graph: which edges exist, what they require, and how they are found.

AWS rules exercised (each edge is decided by `decide`, so these check the graph's use of it):
- ExternalId is a condition the caller satisfies, not a missing edge:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
- a trust naming an account delegates to the caller's identity policy; naming the caller
  exactly needs none in the same account; cross-account both sides must allow:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- web identity: the provider in the role's account, `:sub`/`:aud` conditions:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html
- role chaining (one-hour cap), no implicit self-trust:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
- iam:PassRole with iam:PassedToService; EC2 instance profiles:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx
import pytest
from graph_worlds import (
    CUSTOMER,
    DORIS_EC2,
    DORIS_S3,
    EC2,
    LAKE,
    OUTSIDE,
    VENDOR,
    admits,
    allow,
    doris_world,
    org_world,
    replaced,
    role,
    trust,
    user,
)

import simulator.graph_edges as graph_edges
from simulator.flows import Access, AssumeRoleHop, Flow, InstanceProfileStart
from simulator.graph import build_graph
from simulator.graph_export import dot_quote, mermaid_text, to_dot, to_json, to_mermaid
from simulator.graph_index import CandidateIndex
from simulator.graph_model import EdgeKind, NodeKind
from simulator.policy import PolicyKind
from simulator.replay import replay
from simulator.results import Decision
from simulator.world import Account, Bucket, InstanceProfile, OidcProvider, World

OIDC_URL = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
OIDC = f"arn:aws:iam::{CUSTOMER}:oidc-provider/{OIDC_URL}"


def test_external_id_protected_trust_is_an_edge_that_requires_the_id() -> None:
    graph = build_graph(doris_world(), eager=True)
    edge = graph.edge(DORIS_EC2, DORIS_S3, EdgeKind.can_assume)
    assert edge is not None
    assert [(r.key, r.operator, r.values) for r in edge.requires] == [
        ("sts:ExternalId", "StringEquals", ("doris-external-id",))]
    assert edge.requires[0].label == "ExternalId = doris-external-id"
    assert edge.supplied["sts:ExternalId"] == ("doris-external-id",)
    assert edge.decision is not None and edge.decision.decision is Decision.allow
    assert {(r.kind, r.policy) for r in edge.decision.deciding} == {
        (PolicyKind.trust, "trust"), (PolicyKind.identity, "assume-customer")}
    assert edge.chained is True  # the caller is the instance-profile session of a role


def test_the_required_values_replay_to_an_allow() -> None:
    world = doris_world()
    graph = build_graph(world)
    edge = graph.incoming(DORIS_S3)[0]
    external_id = edge.supplied["sts:ExternalId"][0]
    flow = Flow(name="from-the-graph", start=InstanceProfileStart(role=DORIS_EC2),
                hops=(AssumeRoleHop(role=DORIS_S3, external_id=external_id),),
                access=(Access(action="s3:PutObject", resources=(f"{LAKE}/backup/x",)),))
    assert replay(world, flow).outcome == "allow"
    without = flow.model_copy(update={"hops": (AssumeRoleHop(role=DORIS_S3),)})
    assert replay(world, without).failed_stage == "hop1.trust"


def test_instance_profile_edge_from_ec2() -> None:
    graph = build_graph(doris_world(), eager=True)
    edge = graph.edge(EC2, DORIS_EC2, EdgeKind.instance_profile_of)
    assert edge is not None and edge.profile and edge.profile.endswith("doris-fe")
    assert graph.node(EC2).kind is NodeKind.service
    bare = doris_world(instance_profiles=())
    graph = build_graph(bare, eager=True)
    assert graph.edge(EC2, DORIS_EC2, EdgeKind.instance_profile_of) is None
    plain = graph.edge(EC2, DORIS_EC2, EdgeKind.can_assume)
    assert plain is not None and "no instance profile" in plain.notes[0]
    assert graph.traversable(plain)  # as the replay's instance-profile start, given a role


ADMIN = f"arn:aws:iam::{CUSTOMER}:role/admin"
ALICE = f"arn:aws:iam::{CUSTOMER}:user/alice"
BOB = f"arn:aws:iam::{CUSTOMER}:user/bob"
CAROL = f"arn:aws:iam::{CUSTOMER}:user/carol"


def test_account_principal_trust_needs_the_callers_identity_allow() -> None:
    admin = role(ADMIN, trust(admits({"AWS": f"arn:aws:iam::{CUSTOMER}:root"}),
                              admits({"AWS": CAROL})))
    world = World(roles=(admin,), users=(
        user(ALICE, allow("sts:AssumeRole", ADMIN)),
        user(BOB, allow("s3:*", "*")),
        user(CAROL)))
    graph = build_graph(world, eager=True)
    assert graph.edge(ALICE, ADMIN, EdgeKind.can_assume) is not None
    assert graph.edge(BOB, ADMIN, EdgeKind.can_assume) is None
    # named exactly in the same account: no identity allow needed
    assert graph.edge(CAROL, ADMIN, EdgeKind.can_assume) is not None
    assert BOB not in graph.index.callers_of[ADMIN]  # not even a candidate


def test_cross_account_needs_both_sides() -> None:
    target = role(DORIS_S3, trust(admits({"AWS": DORIS_EC2})))
    silent = role(DORIS_EC2, trust(admits({"Service": EC2})))
    graph = build_graph(World(roles=(silent, target)), eager=True)
    assert graph.edge(DORIS_EC2, DORIS_S3, EdgeKind.can_assume) is None
    refusal = graph.refusals[(DORIS_EC2, DORIS_S3, "sts:AssumeRole")]
    assert refusal.reason == "no_allow_in_identity"
    speaking = role(DORIS_EC2, trust(admits({"Service": EC2})), allow("sts:AssumeRole", "*"))
    graph = build_graph(World(roles=(speaking, target)), eager=True)
    assert graph.edge(DORIS_EC2, DORIS_S3, EdgeKind.can_assume) is not None


def test_web_identity_edge_carries_the_sub_requirement() -> None:
    irsa = role(f"arn:aws:iam::{CUSTOMER}:role/irsa", trust(admits(
        {"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity",
        StringLike={f"{OIDC_URL}:sub": "system:serviceaccount:etl:*"},
        StringEquals={f"{OIDC_URL}:aud": "sts.amazonaws.com"})))
    graph = build_graph(World(roles=(irsa,), oidc_providers=(OidcProvider(arn=OIDC),)),
                        eager=True)
    edge = graph.edge(OIDC, irsa.arn, EdgeKind.can_assume)
    assert edge is not None and edge.action == "sts:AssumeRoleWithWebIdentity"
    labels = [r.label for r in edge.requires]
    assert labels == ["sub like system:serviceaccount:etl:*", "aud = sts.amazonaws.com"]
    assert edge.chained is False and graph.node(OIDC).kind is NodeKind.web_identity


def test_web_identity_without_sub_is_flagged_and_wrong_account_refused() -> None:
    elsewhere = f"arn:aws:iam::{VENDOR}:oidc-provider/{OIDC_URL}"
    open_role = role(f"arn:aws:iam::{CUSTOMER}:role/open", trust(
        admits({"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity"),
        admits({"Federated": elsewhere}, "sts:AssumeRoleWithWebIdentity")))
    world = World(roles=(open_role,), oidc_providers=(OidcProvider(arn=OIDC),
                                                      OidcProvider(arn=elsewhere)))
    graph = build_graph(world, eager=True)
    edge = graph.edge(OIDC, open_role.arn, EdgeKind.can_assume)
    assert edge is not None and "no :sub condition" in edge.notes[0]
    refusal = graph.refusals[(elsewhere, open_role.arn, "sts:AssumeRoleWithWebIdentity")]
    assert refusal.reason == "provider_not_in_role_account"


def test_mfa_condition_is_a_requirement() -> None:
    admin = role(ADMIN, trust(admits({"AWS": CUSTOMER},
                                     Bool={"aws:MultiFactorAuthPresent": "true"})))
    graph = build_graph(World(roles=(admin,), users=(
        user(ALICE, allow("sts:AssumeRole", ADMIN)),)), eager=True)
    edge = graph.edge(ALICE, ADMIN, EdgeKind.can_assume)
    assert edge is not None and [r.label for r in edge.requires] == ["MFA"]
    assert edge.chained is False  # long-term keys of a user


def test_scp_deny_removes_the_edge() -> None:
    source = role(DORIS_EC2, trust(admits({"Service": EC2})), allow("sts:AssumeRole", "*"))
    target = role(DORIS_S3, trust(admits({"AWS": DORIS_EC2})))
    world = org_world((source, target), sandbox_scp=[
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}])
    graph = build_graph(world, eager=True)
    assert graph.edge(DORIS_EC2, DORIS_S3, EdgeKind.can_assume) is None
    assert graph.refusals[(DORIS_EC2, DORIS_S3, "sts:AssumeRole")].reason == \
        "explicit_deny_in_scp"


def test_external_account_named_in_a_trust_is_a_node_with_requirements() -> None:
    vendor = role(DORIS_S3, trust(admits(
        {"AWS": f"arn:aws:iam::{OUTSIDE}:root"},
        StringEquals={"sts:ExternalId": "v-42"},
        ArnLike={"aws:PrincipalArn": f"arn:aws:iam::{OUTSIDE}:role/connector-*"})))
    graph = build_graph(World(roles=(vendor,)), eager=True)
    root = f"arn:aws:iam::{OUTSIDE}:root"
    assert graph.node(root).kind is NodeKind.external_account
    edge = graph.edge(root, DORIS_S3, EdgeKind.can_assume)
    assert edge is not None and edge.chained is None
    assert sorted(r.key for r in edge.requires) == ["aws:PrincipalArn", "sts:ExternalId"]


PASSER = f"arn:aws:iam::{CUSTOMER}:user/launcher"
WORKER = f"arn:aws:iam::{CUSTOMER}:role/worker"


def test_pass_role_edge_with_passed_to_service() -> None:
    worker = role(WORKER, trust(admits({"Service": EC2}), admits({"Service":
                                                                  "lambda.amazonaws.com"})))
    launcher = user(PASSER, allow("iam:PassRole", WORKER, StringEquals={
        "iam:PassedToService": EC2}))
    world = World(roles=(worker,), users=(launcher,), instance_profiles=(
        InstanceProfile(arn=f"arn:aws:iam::{CUSTOMER}:instance-profile/worker", role=WORKER),))
    graph = build_graph(world, eager=True)
    edge = graph.edge(PASSER, WORKER, EdgeKind.can_pass, EC2)
    assert edge is not None and edge.supplied == {"iam:PassedToService": (EC2,)}
    assert graph.traversable(edge)
    assert graph.edge(PASSER, WORKER, EdgeKind.can_pass, "lambda.amazonaws.com") is None
    assert graph.refusals[(PASSER, WORKER, "iam:PassRole")].reason == "no_allow_in_identity"


def _chain_world() -> World:
    """alice -> hop1 (customer) -> hop2 (vendor) -> hop3 (customer) -> bucket."""
    hop1 = role(f"arn:aws:iam::{CUSTOMER}:role/hop1", trust(admits({"AWS": ALICE})),
                allow("sts:AssumeRole", f"arn:aws:iam::{VENDOR}:role/hop2"))
    hop2 = role(f"arn:aws:iam::{VENDOR}:role/hop2", trust(admits({"AWS": hop1.arn})),
                allow("sts:AssumeRole", f"arn:aws:iam::{CUSTOMER}:role/hop3"))
    hop3 = role(f"arn:aws:iam::{CUSTOMER}:role/hop3", trust(admits(
        {"AWS": hop2.arn}, StringEquals={"sts:ExternalId": "third"})),
        allow("s3:GetObject", f"{LAKE}/*"))
    return World(roles=(hop1, hop2, hop3), users=(user(ALICE),),
                 buckets=(Bucket(name="customer-lake", account=CUSTOMER),))


def test_chaining_across_three_hops_flags_the_one_hour_cap() -> None:
    graph = build_graph(_chain_world(), eager=True)
    hop1, hop2, hop3 = (f"arn:aws:iam::{a}:role/hop{i}"
                        for i, a in ((1, CUSTOMER), (2, VENDOR), (3, CUSTOMER)))
    first = graph.edge(ALICE, hop1, EdgeKind.can_assume)
    second = graph.edge(hop1, hop2, EdgeKind.can_assume)
    third = graph.edge(hop2, hop3, EdgeKind.can_assume)
    assert first is not None and second is not None and third is not None
    assert (first.chained, second.chained, third.chained) == (False, True, True)
    assert [r.label for r in third.requires] == ["ExternalId = third"]


A = f"arn:aws:iam::{CUSTOMER}:role/A"
B = f"arn:aws:iam::{CUSTOMER}:role/B"


def test_a_cycle_terminates_and_there_is_no_implicit_self_trust() -> None:
    a = role(A, trust(admits({"AWS": B})), allow("sts:AssumeRole", "*"),
             allow("s3:GetObject", f"{LAKE}/*"))
    b = role(B, trust(admits({"AWS": A})), allow("sts:AssumeRole", "*"))
    world = World(roles=(a, b), buckets=(Bucket(name="customer-lake", account=CUSTOMER),))
    graph = build_graph(world, eager=True)
    assert graph.edge(A, B, EdgeKind.can_assume) and graph.edge(B, A, EdgeKind.can_assume)
    assert graph.edge(A, A, EdgeKind.can_assume) is None  # no implicit self-trust
    assert A not in graph.index.callers_of[A]
    selfish = role(A, trust(admits({"AWS": A})), allow("sts:AssumeRole", A))
    graph = build_graph(World(roles=(selfish,)), eager=True)
    assert graph.edge(A, A, EdgeKind.can_assume) is not None


def _service_roles(n: int, *, extra: bool = False) -> World:
    roles = []
    for i in range(n):
        statements = [allow("s3:GetObject", f"arn:aws:s3:::bucket-{i}/*")]
        if extra:
            statements.append(allow("sts:AssumeRole", f"arn:aws:iam::{CUSTOMER}:role/r{i}x"))
        roles.append(role(f"arn:aws:iam::{CUSTOMER}:role/r{i}",
                          trust(admits({"Service": EC2}), admits({"AWS": CUSTOMER})),
                          *statements))
    return World(roles=tuple(roles), accounts={CUSTOMER: Account(id=CUSTOMER)})


@pytest.mark.parametrize("extra", [False, True])
def test_the_candidate_index_grows_linearly(monkeypatch: pytest.MonkeyPatch,
                                            extra: bool) -> None:
    """N roles trusting EC2 and their own account, none allowed to assume another: one
    decision per role (its EC2 edge), never N^2 pairs."""
    calls = {"n": 0}
    real = graph_edges.decide

    def counting(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kw)

    monkeypatch.setattr(graph_edges, "decide", counting)
    counts = []
    for n in (10, 20, 40):
        calls["n"] = 0
        build_graph(_service_roles(n, extra=extra), eager=True)
        counts.append(calls["n"])
    assert counts == [10, 20, 40]
    assert CandidateIndex(_service_roles(40)).candidate_pairs() == 40


def test_eager_and_lazy_graphs_answer_alike() -> None:
    from simulator.questions import reach, who_can

    world = _chain_world()
    eager, lazy = build_graph(world, eager=True), build_graph(world, eager=False)
    assert lazy.decisions == 0
    question = ("s3:GetObject", f"{LAKE}/x")
    assert who_can(eager, *question).accounts == who_can(lazy, *question).accounts
    assert reach(eager, ALICE).resources == reach(build_graph(world), ALICE).resources
    assert lazy.decisions < eager.decisions + 2


def test_bucket_policy_naming_the_role_is_enough_in_the_same_account() -> None:
    reader = role(f"arn:aws:iam::{CUSTOMER}:role/reader", trust(admits({"Service": EC2})))
    bucket = Bucket(name="customer-lake", account=CUSTOMER, policy=_bucket_policy(
        {"Effect": "Allow", "Principal": {"AWS": reader.arn}, "Action": "s3:GetObject",
         "Resource": f"{LAKE}/*"}))
    graph = build_graph(World(roles=(reader,), buckets=(bucket,)))
    actors = graph.actors("s3:GetObject", f"{LAKE}/*")
    assert list(actors) == [reader.arn]
    assert actors[reader.arn].decision.deciding[0].kind is PolicyKind.resource


def _bucket_policy(*statements: dict[str, Any]) -> Any:
    from graph_worlds import doc

    return doc(list(statements), "bucket-policy", PolicyKind.resource)


def test_prefix_nodes_where_policies_single_them_out() -> None:
    graph = build_graph(doris_world())
    kinds = {n.id: n.kind for n in graph.nodes()}
    assert kinds[LAKE] is NodeKind.bucket
    assert kinds[f"{LAKE}/*"] is NodeKind.objects
    assert kinds[f"{LAKE}/backup/*"] is NodeKind.objects
    assert graph.actors("s3:PutObject", f"{LAKE}/*") == {}
    assert list(graph.actors("s3:PutObject", f"{LAKE}/backup/*")) == [DORIS_S3]


# -- exports --------------------------------------------------------------------------------
def test_dot_export_is_well_formed() -> None:
    text = to_dot(build_graph(doris_world()))
    assert text.startswith("digraph trustsim {") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    edges = [line for line in text.splitlines() if " -> " in line]
    assert len(edges) == 4
    assert any("ExternalId = doris-external-id" in line for line in edges)
    for line in text.splitlines()[4:-1]:
        assert re.fullmatch(r'  "[^"]+"( -> "[^"]+")? \[.*\];', line), line
    assert dot_quote('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_mermaid_export_is_well_formed_and_escapes_labels() -> None:
    text = to_mermaid(build_graph(doris_world()))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [x for x in lines[1:] if "-->" not in x and "==>" not in x and "-.->" not in x]
    edge_lines = [x for x in lines[1:] if x not in node_lines]
    assert all(re.fullmatch(r"  n\d+\S*\"[^\"]*\"\S*", x) for x in node_lines), node_lines
    assert all(re.fullmatch(r'  n\d+ (-->|==>|-\.->)\|"[^"|]*"\| n\d+', x)
               for x in edge_lines), edge_lines
    assert mermaid_text('say "hi" | <b> #1') == "say #quot;hi#quot; #124; #lt;b#gt; #35;1"


def test_json_export_round_trips_through_networkx() -> None:
    graph = build_graph(doris_world())
    data = to_json(graph)
    back = nx.node_link_graph(json.loads(json.dumps(data)), edges="edges")
    assert back.is_directed() and back.is_multigraph()
    assert back.number_of_nodes() == graph.nx.number_of_nodes()
    assert back.number_of_edges() == graph.nx.number_of_edges() == 4
    attrs = back.get_edge_data(DORIS_EC2, DORIS_S3)["can_assume"]
    assert attrs["requires"][0]["values"] == ["doris-external-id"]
    assert attrs["decision"]["decision"] == "allow"


def test_a_resource_filter_keeps_only_the_ways_to_it() -> None:
    other = role(f"arn:aws:iam::{CUSTOMER}:role/unrelated", trust(admits({"Service": EC2})),
                 allow("s3:GetObject", "arn:aws:s3:::elsewhere/*"))
    world = doris_world()
    world = replaced(world, roles=(*world.roles, other),
                     buckets=(*world.buckets, Bucket(name="elsewhere", account=CUSTOMER)))
    data = to_json(build_graph(world), resource_filter=LAKE)
    ids = {n["id"] for n in data["nodes"]}
    assert ids == {DORIS_EC2, DORIS_S3, EC2, LAKE, f"{LAKE}/*", f"{LAKE}/backup/*"}
    text = to_mermaid(build_graph(world), resource_filter="arn:aws:s3:::elsewhere/*")
    assert "unrelated" in text and "doris" not in text


@pytest.mark.parametrize(("operator", "values", "effect", "supplied"), [
    ("StringEquals", ("v-1", "v-2"), "Allow", "v-1"),
    ("StringLike", ("system:serviceaccount:ns:*",), "Allow", "system:serviceaccount:ns:x"),
    ("StringNotEquals", ("v-1",), "Allow", None),  # absence already holds
    ("StringNotEquals", ("v-1",), "Deny", "v-1"),  # the Deny must not apply
    ("Null", ("true",), "Deny", "x"),
    ("Null", ("false",), "Deny", None),
    ("BoolIfExists", ("false",), "Deny", "true"),
    ("NumericLessThan", ("3600",), "Allow", "0"),
    ("NumericGreaterThan", ("7",), "Allow", "8"),
    ("DateLessThan", ("2030-01-01T00:00:00Z",), "Allow", None),
])
def test_supply_satisfies_allows_and_defuses_denies(operator: str, values: tuple[str, ...],
                                                    effect: str, supplied: str | None) -> None:
    from simulator.graph_requirements import supply
    from simulator.policy import Condition, Statement

    stmt = Statement(index=0, effect=effect, action=("sts:AssumeRole",),
                     conditions=(Condition(operator=operator, key="sts:ExternalId",
                                           values=values),))
    allow_stmt = stmt if effect == "Allow" else None
    context, requires = supply(allow_stmt, [stmt], lambda key: key == "sts:externalid")
    assert context.get("sts:ExternalId") == ((supplied,) if supplied else None)
    assert [r.supplied for r in requires] == ([supplied] if supplied else [])
    assert supply(allow_stmt, [stmt], lambda key: False) == ({}, ())


def test_star_trust_is_the_everyone_node_unless_a_condition_narrows_it() -> None:
    everyone = role(A, trust(admits("*")))
    graph = build_graph(World(roles=(everyone,), users=(user(ALICE),)), eager=True)
    assert graph.edge("*", A, EdgeKind.can_assume) is not None
    assert graph.edge(ALICE, A, EdgeKind.can_assume) is not None  # same account, no allow
    in_org = role(A, trust(admits("*", StringEquals={"aws:PrincipalOrgID": "o-abc123defg"})))
    world = org_world((in_org,), users=(user(ALICE),))
    graph = build_graph(world, eager=True)
    assert graph.edge("*", A, EdgeKind.can_assume) is None
    assert graph.refusals[("*", A, "sts:AssumeRole")].reason == "no_allow_in_trust"
    assert graph.edge(ALICE, A, EdgeKind.can_assume) is not None
    narrowed = role(A, trust(admits("*", StringEquals={"aws:PrincipalAccount": OUTSIDE})))
    graph = build_graph(World(roles=(narrowed,), users=(user(ALICE),)), eager=True)
    assert graph.index.callers_of[A] == (f"arn:aws:iam::{OUTSIDE}:root",)
    assert graph.edge(f"arn:aws:iam::{OUTSIDE}:root", A, EdgeKind.can_assume) is not None


def test_the_mermaid_picture_in_the_docs_is_what_to_mermaid_prints() -> None:
    from pathlib import Path

    from graph_worlds import doris_irsa_world

    doc = (Path(__file__).resolve().parent.parent / "docs" / "graph.md").read_text()
    block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == to_mermaid(build_graph(doris_irsa_world()), resource_filter=LAKE)
