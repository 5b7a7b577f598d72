"""The scenario reader: files -> World and flows, and every problem reported with its place.

AWS rules the reader enforces are cited in simulator/scenario_*.py; the ones tested here:
ExternalId is 2-1224 characters of [\\w+=,.@:/-]
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); every root, OU
and account has at least one SCP, FullAWSAccess by default
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.errors import InputError, InputErrors, TrustsimError
from simulator.flows import AssumeRoleHop, InstanceProfileStart, PassRoleHop, WebIdentityStart
from simulator.policy import PolicyKind
from simulator.scenario_format import RawScenario
from simulator.scenarios import Scenario, load_scenario_text, load_scenarios, scenario_json_schema

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
DOCS = Path(__file__).parent.parent / "docs"

BASE = """\
name: t
accounts:
  "111122223333": vendor
  "444455556666": customer
roles:
  - arn: arn:aws:iam::111122223333:role/app
    trust:
      Version: 2012-10-17
      Statement:
        - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
  - arn: arn:aws:iam::444455556666:role/data/reader
    trust:
      Statement:
        - {Effect: Allow, Principal: {AWS: arn:aws:iam::111122223333:role/app},
           Action: sts:AssumeRole}
buckets:
  - {name: lake, account: "444455556666"}
"""
APP = "arn:aws:iam::111122223333:role/app"
READER = "arn:aws:iam::444455556666:role/data/reader"


def _files(files: dict[str, str]) -> Callable[[str], str]:
    def read(name: str) -> str:
        if name not in files:
            raise InputError(f"policy file {name!r} not found")
        return files[name]
    return read


def load(text: str, files: dict[str, str] | None = None, source: str = "t.yaml") -> Scenario:
    return load_scenario_text(textwrap.dedent(text), source, _files(files or {}))


def problems(text: str, files: dict[str, str] | None = None,
             source: str = "t.yaml") -> list[str]:
    """Every problem reported for `text`, rendered as the CLI prints them."""
    with pytest.raises(TrustsimError) as info:
        load(text, files, source)
    exc = info.value
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    assert all(isinstance(e, InputError) and e.source == source for e in errors)
    return [e.render() for e in errors]


def one(text: str, files: dict[str, str] | None = None, source: str = "t.yaml") -> str:
    found = problems(text, files, source)
    assert len(found) == 1, found
    return found[0]


def with_flow(flow: str) -> str:
    return BASE + "flows:\n" + textwrap.indent(textwrap.dedent(flow), "  ")


# --- reading a good file ---------------------------------------------------------------

def test_doris_fixture_builds_the_world() -> None:
    [s] = load_scenarios([FIXTURES / "doris"])  # the policy JSON beside it is skipped
    w = s.world
    assert s.name == "doris-repository" and s.source.endswith("doris-repository.yaml")
    assert w.accounts["111122223333"].ou_path is None
    assert w.accounts["444455556666"].ou_path == "root/Workloads/Prod"
    assert w.organization is not None and w.organization.id == "o-abc123defg"
    assert set(w.organization.levels) == {"root", "root/Workloads", "root/Workloads/Prod"}
    assert [d.name for d in w.organization.levels["root"].scps] == ["scp FullAWSAccess"]
    assert [d.name for d in w.accounts["444455556666"].scps] == ["scp FullAWSAccess"]
    reader = w.roles_by_arn["arn:aws:iam::444455556666:role/data/doris-s3"]
    assert reader.trust.name == "doris-s3/trust" and reader.trust.kind is PolicyKind.trust
    assert [p.name for p in reader.policies] == ["managed DorisS3Access"]
    assert reader.policies[0].statements[1].sid == "ListBackup"
    ec2 = w.roles_by_arn["arn:aws:iam::111122223333:role/doris-ec2"]
    assert [p.name for p in ec2.policies] == ["role doris-ec2 inline assume-customer"]
    assert ec2.trust.version == "2012-10-17"  # an unquoted YAML date stays text


def test_doris_fixture_flows() -> None:
    [s] = load_scenarios([FIXTURES / "doris" / "doris-repository.yaml"])
    by_name = {f.name: f for f in s.flows}
    hand = by_name["backup-to-repository"]
    assert hand.start == InstanceProfileStart(
        role="arn:aws:iam::111122223333:role/doris-ec2",
        profile="arn:aws:iam::111122223333:instance-profile/doris-fe")
    assert hand.hops == (AssumeRoleHop(role="arn:aws:iam::444455556666:role/data/doris-s3",
                                       external_id="doris-external-id"),)
    assert hand.access[1].context == {"s3:prefix": ("backup/",)}
    assert hand.expect is not None and hand.expect.outcome == "allow"
    denied = by_name["without-external-id"]
    assert isinstance(denied.start, InstanceProfileStart)
    assert denied.start.profile == "arn:aws:iam::111122223333:instance-profile/doris-fe"
    assert denied.expect is not None and denied.expect.stage == "hop1.trust"
    assert denied.expect.decision == "implicit_deny"
    product = by_name["from-the-statement"]
    assert product.hops == hand.hops
    assert [a.action for a in product.access] == ["s3:PutObject", "s3:GetObject",
                                                  "s3:DeleteObject", "s3:ListBucket"]


def test_json_scenario_with_product_settings() -> None:
    [s] = load_scenarios([FIXTURES / "singlestore" / "singlestore-pipeline.json"])
    [flow] = s.flows
    assert isinstance(flow.start, WebIdentityStart)
    assert flow.start.sub == "system:serviceaccount:workspace:pipelines"
    assert flow.hops == (AssumeRoleHop(role="arn:aws:iam::444455556666:role/singlestore-reader"),)
    assert {c.name: c.ok for c in flow.setup} == {
        "delegated_entities_limit": True, "role_delegated": True, "creds_mode": True,
        "no_static_keys": True}


def test_folder_loads_every_scenario() -> None:
    names = sorted(s.name for s in load_scenarios([FIXTURES]))
    assert names == ["doris-repository", "singlestore-pipeline"]


def test_explicit_hops_and_access_replace_the_product_settings() -> None:
    s = load(with_flow(f"""\
        - name: f
          start:
            doris:
              instance_role: {APP}
              statement: >-
                SELECT * FROM S3("uri" = "s3://lake/in/a.csv", "s3.role_arn" = "{READER}")
          access:
            - {{action: s3:GetObject, resource: "arn:aws:s3:::lake/other"}}
        """))
    [flow] = s.flows
    assert flow.hops == (AssumeRoleHop(role=READER),)  # from the statement
    assert [a.resources for a in flow.access] == [("arn:aws:s3:::lake/other",)]


def test_hop_details_and_managed_session_policies() -> None:
    s = load(BASE.replace("buckets:", """\
policies:
  ReadOnly: {Statement: {Effect: Allow, Action: "s3:Get*", Resource: "*"}}
buckets:""") + f"""\
flows:
  - name: f
    start: {{session: {{role: {APP}, session_name: app-1}}}}
    hops:
      - assume_role: {READER}
        session_name: reader
        duration: 900
        tags: {{team: data, cost: 100}}
        transitive_tags: [team]
        session_policy: {{Statement: {{Effect: Allow, Action: "s3:*", Resource: "*"}}}}
        policy_arns: [ReadOnly]
        context: {{aws:SourceIp: 203.0.113.7, aws:SecureTransport: true}}
      - {{pass_role: {READER}}}
    access:
      - {{action: glue:GetTable, resources: [arn:aws:glue:us-east-1:444455556666:catalog,
          "arn:aws:glue:us-east-1:444455556666:table/db/t"], expect: implicit_deny}}
    expect: {{outcome: deny, stage: access1}}
""")
    [flow] = s.flows
    hop = flow.hops[0]
    assert isinstance(hop, AssumeRoleHop)
    assert hop.duration == 900 and hop.tags == {"team": "data", "cost": "100"}
    assert hop.session_policy is not None and hop.session_policy.kind is PolicyKind.session
    assert hop.session_policy_text == ('{"Statement":{"Effect":"Allow","Action":"s3:*",'
                                       '"Resource":"*"}}')
    assert [p.name for p in hop.policy_arns] == ["managed ReadOnly"]
    assert hop.policy_arns[0].kind is PolicyKind.session
    assert hop.context == {"aws:SourceIp": ("203.0.113.7",), "aws:SecureTransport": ("true",)}
    assert flow.hops[1] == PassRoleHop(role=READER)
    assert flow.access[0].expect is not None and flow.access[0].expect.value == "implicit_deny"


def test_policy_files_and_named_policies() -> None:
    doc = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                     "Resource": "*"}]})
    text = BASE.replace("buckets:", """\
policies:
  Shared: shared.json
users:
  - arn: arn:aws:iam::111122223333:user/ops
    policies: {own: own.json}
    managed: [Shared]
    boundary: Shared
    access_keys: false
buckets:""")
    s = load(text, {"shared.json": doc, "own.json": doc})
    [user] = s.world.users
    assert [p.name for p in user.policies] == ["user ops inline own", "managed Shared"]
    assert user.boundary is not None and user.boundary.kind is PolicyKind.boundary
    assert user.access_keys is False


def test_organization_scps_rcps_and_builtins() -> None:
    s = load(BASE.replace('"444455556666": customer', """\
"444455556666": {name: customer, ou: Workloads, rcps: [RCPFullAWSAccess]}
organization:
  id: o-abc123defg
  root:
    scps:
      - FullAWSAccess
      - Statement: {Effect: Deny, Action: "*", Resource: "*",
                    Condition: {StringNotEquals: {aws:RequestedRegion: us-east-1}}}
  ous: {Workloads: {scps: [FullAWSAccess]}}"""))
    org = s.world.organization
    assert org is not None
    assert [d.name for d in org.levels["root"].scps] == ["scp FullAWSAccess", "scp root[1]"]
    acct = s.world.accounts["444455556666"]
    assert [d.name for d in acct.rcps] == ["rcp RCPFullAWSAccess"]
    assert acct.rcps[0].kind is PolicyKind.rcp


# --- problems, each with its file and key path -------------------------------------------

def test_unknown_key_names_the_allowed_keys() -> None:
    msg = one(BASE.replace("    trust:\n      Version", "    trsut: x\n    trust:\n      Version"))
    assert msg.startswith("t.yaml: roles[0].trsut: unknown key 'trsut'; did you mean 'trust'?")
    assert "(line 7)" in msg
    assert "t.yaml: colour: unknown key" in one(BASE + "colour: blue\n")


def test_unknown_key_in_a_union_member() -> None:
    msg = one(with_flow("""\
        - name: f
          start: {user: arn:aws:iam::111122223333:user/u}
          expect: {outcome: deny, stag: hop1}
        """).replace("buckets:", "users: [{arn: arn:aws:iam::111122223333:user/u}]\n"
                                  "buckets:"))
    assert "flows[0].expect.stag: unknown key 'stag'; did you mean 'stage'?" in msg
    assert msg.endswith("(allowed here: outcome, stage, decision, reason) (line 22)")


def test_wrong_types() -> None:
    found = problems(BASE.replace('  - {name: lake, account: "444455556666"}',
                                  '  - {name: lake, account: "444455556666", '
                                  'restrict_public_buckets: maybe}') + "flows: {}\n")
    assert any("buckets[0].restrict_public_buckets: must be a valid boolean" in m
               for m in found)
    assert any("t.yaml: flows: must be a list, got an object" in m for m in found)


def test_start_needs_exactly_one_kind() -> None:
    msg = one(with_flow(f"""\
        - name: f
          start: {{user: arn:aws:iam::111122223333:user/u, session: {{role: {APP}}}}}
        """))
    assert "flows[0].start: a start has exactly one of: instance_profile" in msg


def test_duplicates() -> None:
    dup_role = BASE.replace("buckets:", f"  - arn: {APP}\n    trust: {{Statement: []}}\nbuckets:")
    assert "roles[2].arn: role 'arn:aws:iam::111122223333:role/app' is declared twice " \
           "(first at roles[0].arn)" in one(dup_role)
    flows = with_flow(f"""\
        - {{name: f, start: {{instance_profile: {APP}}}}}
        - {{name: f, start: {{instance_profile: {APP}}}}}
        """)
    assert "flows[1].name: flow 'f' is declared twice" in one(flows)
    key = one(BASE + "name: again\n")
    assert "t.yaml: name: key 'name' is given twice in this mapping (line 1 and line 18)" in key


def test_malformed_arns() -> None:
    found = problems(BASE.replace("role/app\n    trust", "role/app\n    id: AIDAEXAMPLE1\n"
                                                        "    trust")
                     .replace("arn:aws:iam::444455556666:role/data/reader",
                              "arn:aws:iam::4444:role/data/reader"))
    assert any("roles[1].arn: account segment '4444' is not a 12-digit account id" in m
               for m in found)
    assert any("roles[0].id: 'AIDAEXAMPLE1' is not a unique id (AROA" in m for m in found)


def test_flow_naming_what_does_not_exist() -> None:
    found = problems(with_flow("""\
        - name: f
          start: {user: arn:aws:iam::111122223333:user/ghost}
          hops:
            - {assume_role: arn:aws:iam::444455556666:role/nobody}
            - pass_role: arn:aws:iam::111122223333:role/app
              instance_profile: arn:aws:iam::111122223333:instance-profile/none
          access:
            - {action: s3:GetObject, resource: "arn:aws:s3:::elsewhere/x"}
        - name: g
          start:
            web_identity: {provider: "arn:aws:iam::111122223333:oidc-provider/example.com",
                           role: arn:aws:iam::111122223333:role/app, sub: x}
        - name: h
          start: {instance_profile: arn:aws:iam::111122223333:instance-profile/missing}
        """))
    expected = [
        "flows[0].start.user: user arn:aws:iam::111122223333:user/ghost is not declared",
        "flows[0].hops[0].assume_role: role arn:aws:iam::444455556666:role/nobody is not",
        "flows[0].hops[1].instance_profile: instance profile "
        "arn:aws:iam::111122223333:instance-profile/none is not declared",
        "flows[0].access[0].resource: bucket elsewhere is not declared under buckets:",
        "flows[1].start.web_identity.provider: OIDC provider",
        "flows[2].start.instance_profile: instance profile",
    ]
    for text in expected:
        assert any(text in m for m in found), (text, found)
    assert len(found) == len(expected)


def test_account_not_declared() -> None:
    msg = one(BASE.replace('account: "444455556666"', 'account: "999999999999"'))
    assert msg == ("t.yaml: buckets[0].account: account 999999999999 is not declared under "
                   "accounts: (line 17)")


def test_external_id_characters() -> None:
    msg = one(with_flow(f"""\
        - name: f
          start: {{instance_profile: {APP}}}
          hops: [{{assume_role: {READER}, external_id: "has space"}}]
        """))
    assert "flows[0].hops[0].external_id: ExternalId 'has space' must be 2-1224" in msg
    short = one(with_flow(f"""\
        - name: f
          start: {{instance_profile: {APP}}}
          hops: [{{assume_role: {READER}, external_id: x}}]
        """))
    assert "flows[0].hops[0].external_id: ExternalId 'x'" in short


def test_missing_policy_file() -> None:
    msg = one(BASE.replace("    trust:\n      Statement:\n        - {Effect: Allow, Principal: "
                           "{AWS:", "    policies: {p: nowhere.json}\n    trust:\n      "
                                    "Statement:\n        - {Effect: Allow, Principal: {AWS:"))
    assert msg.startswith("t.yaml: roles[1].policies.p: policy file 'nowhere.json' not found")


def test_policy_errors_are_placed_in_the_document() -> None:
    msg = one(BASE.replace("Action: sts:AssumeRole}\n  - arn",
                           "Action: sts:AssumeRole, Resource: '*'}\n  - arn"))
    assert msg.startswith("t.yaml: roles[0].trust.Statement[0]: a role trust policy has no "
                          "Resource")
    in_file = one(BASE.replace("buckets:", "policies: {P: p.json}\nbuckets:"),
                  {"p.json": '{"Statement": {"Effect": "allow", "Action": "*", '
                             '"Resource": "*"}}'})
    assert "policies.P.Statement[0].Effect: Effect must be exactly" in in_file
    assert "(in p.json)" in in_file


def test_malformed_yaml_names_line_and_column() -> None:
    msg = one("name: t\nroles: [\n  {arn: x\n")
    assert msg.startswith("t.yaml: not valid YAML: ")
    assert "(line 4, column 1)" in msg


def test_malformed_json_and_duplicate_json_keys() -> None:
    assert one('{"name": "t",', source="t.json").startswith("t.json: not valid JSON: ")
    dup = one('{"name": "t", "accounts": {"111122223333": "a", "111122223333": "b"}}',
              source="t.json")
    assert "t.json: accounts.111122223333: key '111122223333' is given twice" in dup


def test_stage_names_are_checked() -> None:
    found = problems(with_flow(f"""\
        - name: f
          start: {{instance_profile: {APP}}}
          hops: [{{assume_role: {READER}}}]
          expect: {{outcome: deny, stage: hop2.trust}}
        - name: g
          start: {{instance_profile: {APP}}}
          expect: {{outcome: deny, stage: setup.limit}}
        - name: h
          start: {{instance_profile: {APP}}}
          expect: {{outcome: deny, stage: "hop 1"}}
        """))
    assert any("flows[0].expect.stage: 'hop2.trust': the flow has 1 hop(s)" in m for m in found)
    assert any("flows[1].expect.stage: 'setup.limit': the flow's setup checks are none" in m
               for m in found)
    assert any("flows[2].expect.stage: 'hop 1' is not a stage name" in m for m in found)


def test_organization_problems() -> None:
    found = problems(BASE.replace('"444455556666": customer', """\
"444455556666": {name: customer, ou: Workload, scps: []}
  "555555555555": {name: outside, scps: [FullAWSAccess]}
organization: {id: o-abc123defg, ous: {Workloads: {}}}"""))
    assert any("accounts.444455556666.ou: OU 'Workload' is not declared" in m for m in found)
    assert any("accounts.444455556666.scps: every root, OU and account has at least one SCP"
               in m for m in found)
    assert any("accounts.555555555555.scps: scps apply to accounts in the organization" in m
               for m in found)


def test_several_problems_reported_together() -> None:
    """One run reports problems of every kind, each with its own place, in file order."""
    found = problems(BASE.replace('"444455556666": customer', '"4444": customer')
                     .replace("role/app\n    trust", "role/app\n    colour: red\n    trust")
                     + f"""\
flows:
  - name: f
    start: {{instance_profile: {APP}}}
    hops: [{{assume_role: arn:aws:iam::111122223333:role/nobody}}]
    access: [{{action: s3:GetObject, resource: "arn:aws:s3:::lake/x"}}]
""")
    places = [m.split(": ")[1] for m in found]
    assert places == ["accounts.4444", "roles[0].colour", "roles[1].arn", "buckets[0].account",
                      "flows[0].hops[0].assume_role"], found


def test_broken_entries_are_not_reported_twice() -> None:
    """A flow naming a role whose entry is malformed reports the entry, not the flow."""
    found = problems(with_flow(f"""\
        - name: f
          start: {{instance_profile: {APP}}}
        """).replace("  - arn: arn:aws:iam::111122223333:role/app\n",
                     "  - arn: arn:aws:iam::111122223333:role/app\n    max_session_duration: 60\n"))
    assert len(found) == 1 and "roles[0].max_session_duration" in found[0]


def test_product_settings_problems_are_placed() -> None:
    msg = one(with_flow(f"""\
        - name: f
          start: {{doris: {{instance_role: {APP}, statement: "CREATE REPOSITORY r WITH S3"}}}}
        """))
    assert msg.startswith("t.yaml: flows[0].start.doris.statement: cannot read the Doris "
                          "statement: expected ON LOCATION")


def test_load_scenarios_reports_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\ncolour: red\n", encoding="utf-8")
    (tmp_path / "odd.json").write_text('{"hello": 1}', encoding="utf-8")
    (tmp_path / "policy.json").write_text('{"Statement": []}', encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text(": bad", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_scenarios([tmp_path, tmp_path / "missing.yaml"])
    rendered = [e.render() for e in info.value.errors]
    assert rendered == [
        f"{tmp_path / 'a.yaml'}: colour: unknown key 'colour' (allowed here: name, about, "
        "world_from, organization, accounts, policies, users, roles, instance_profiles, "
        "oidc_providers, buckets, keys, resources, flows, assertions) (line 2)",
        f"{tmp_path / 'odd.json'}: neither a scenario (a top-level flows or roles key), a "
        "policy document (Statement), a Terraform plan nor a CloudFormation template",
        f"{tmp_path / 'missing.yaml'}: no such file or folder",
    ]


def test_policy_files_resolve_beside_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "trust.json").write_text(
        '{"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}}', encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        'name: s\naccounts: {"111122223333": a}\nroles:\n'
        f'  - {{arn: {APP}, trust: policies/trust.json}}\n', encoding="utf-8")
    [s] = load_scenarios([tmp_path])
    assert s.world.roles[0].trust.name == "app/trust"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=3), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([*RawScenario.model_fields, "extra"]), JSON, max_size=6))
def test_any_data_gives_a_scenario_or_a_clean_error(data: dict[str, object]) -> None:
    try:
        load_scenario_text(json.dumps(data), "h.json", _files({}))
    except TrustsimError as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        assert errors and all(isinstance(e, InputError) and e.source == "h.json"
                              for e in errors)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=" :-{}[]\"'#&*!|>\nabx0", max_size=60))
def test_any_text_gives_a_scenario_or_a_clean_error(text: str) -> None:
    try:
        load_scenario_text(text, "h.yaml", _files({}))
    except TrustsimError:
        pass


def test_the_documented_example_loads() -> None:
    """The annotated example of docs/scenarios.md is a working scenario."""
    doc = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 2)[2].split("```", 1)[0]
    s = load_scenario_text(example, "example.yaml", _files({
        "doris-s3-access.json": (FIXTURES / "doris" / "doris-s3-access.json").read_text(
            encoding="utf-8")}))
    assert [f.name for f in s.flows] == ["backup-to-repository", "without-external-id",
                                         "from-the-statement"]


# --- the JSON Schema ---------------------------------------------------------------------

def test_json_schema_shape() -> None:
    schema = scenario_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(RawScenario.model_fields)
    assert schema["required"] == ["name"] and schema["additionalProperties"] is False
    assert schema["$defs"]["RawRole"]["additionalProperties"] is False
    start = schema["$defs"]["RawFlow"]["properties"]["start"]["oneOf"]
    assert len(start) == 8


def test_checked_in_schema_is_current() -> None:
    """Regenerate with: python -c 'import json; from simulator.scenarios import
    scenario_json_schema as s; print(json.dumps(s(), indent=2))' > docs/scenario.schema.json"""
    checked_in = json.loads((DOCS / "scenario.schema.json").read_text(encoding="utf-8"))
    assert checked_in == scenario_json_schema()
