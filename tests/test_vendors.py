"""Product settings -> flow parts: Doris, StarRocks, SingleStore, Qubole.

What each product does with its settings comes from its documentation (see the module
docstrings in simulator/vendors/); the S3 action/resource pairs from
https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-actions.html and the
Glue resources per action from
https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.errors import InputError, InputErrors, TrustsimError
from simulator.flows import (
    Access,
    AssumeRoleHop,
    InstanceProfileStart,
    PassRoleHop,
    SessionStart,
    UserStart,
    WebIdentityStart,
)
from simulator.vendors import VendorFlow, expand
from simulator.vendors.sql import SqlError, properties, tokenize

EC2 = "arn:aws:iam::111122223333:role/doris-ec2"
CUSTOMER = "arn:aws:iam::444455556666:role/doris-s3"
PROVIDER = ("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/"
            "EXAMPLED539D4633E53DE1B71EXAMPLE")


def get(bucket_key: str) -> Access:
    return Access(action="s3:GetObject", resources=(f"arn:aws:s3:::{bucket_key}",))


def listing(bucket: str, prefix: str) -> Access:
    return Access(action="s3:ListBucket", resources=(f"arn:aws:s3:::{bucket}",),
                  context={"s3:prefix": (prefix,)} if prefix else {})


def kept(bucket: str, prefix: str) -> tuple[Access, ...]:
    obj = (f"arn:aws:s3:::{bucket}/{prefix}trustsim-probe",)
    return (Access(action="s3:PutObject", resources=obj), Access(action="s3:GetObject",
                                                                 resources=obj),
            Access(action="s3:DeleteObject", resources=obj), listing(bucket, prefix))


def rejected(product: str, block: Any, location: str = "flows[0].start.x") -> list[str]:
    with pytest.raises(TrustsimError) as info:
        expand(product, block, location)
    exc = info.value
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    assert all(isinstance(e, InputError) for e in errors)
    return [e.render() for e in errors]


# --- Doris ---------------------------------------------------------------------------------

def doris(statement: str) -> VendorFlow:
    return expand("doris", {"instance_role": EC2, "statement": statement}, "d")


def test_doris_repository() -> None:
    flow = doris("""CREATE REPOSITORY `s3_repo`
        WITH S3 ON LOCATION "s3://bucket/path/"
        PROPERTIES (
          "s3.role_arn" = "arn:aws:iam::444455556666:role/doris-s3",
          "s3.external_id" = "doris-external-id",  -- from the trust policy
          "timeout" = "3600"
        );""")
    assert flow.start == InstanceProfileStart(role=EC2)
    assert flow.hops == (AssumeRoleHop(role=CUSTOMER, external_id="doris-external-id"),)
    assert flow.access == kept("bucket", "path/__palo_repository_s3_repo/")
    assert flow.setup_checks == ()


def test_doris_storage_vault_and_resource() -> None:
    props = ('"type" = "S3", "s3.endpoint" = "s3.us-east-1.amazonaws.com", '
             '"s3.region" = "us-east-1", "s3.bucket" = "vault-bucket", '
             '"s3.root.path" = "/doris/vault", "provider" = "S3", '
             f'"s3.role_arn" = "{CUSTOMER}"')
    vault = doris(f"CREATE STORAGE VAULT IF NOT EXISTS v PROPERTIES ({props})")
    assert vault.access == kept("vault-bucket", "doris/vault/")
    assert vault.hops == (AssumeRoleHop(role=CUSTOMER),)
    resource = doris(f'CREATE RESOURCE "cold" PROPERTIES ({props})')
    assert resource.access == vault.access


def test_doris_s3_load_reads_every_file() -> None:
    flow = doris(f"""LOAD LABEL db.l1
        (DATA INFILE("s3://lake/in/2024/*.csv", "s3://lake/one.csv") INTO TABLE t,
         DATA INFILE("s3://lake/in/2024/*.csv") INTO TABLE u)
        WITH S3 ("s3.region" = "us-east-1", "s3.role_arn" = "{CUSTOMER}",
                 "s3.external_id" = "x-1")
        PROPERTIES ("timeout" = "3600")""")
    assert flow.hops == (AssumeRoleHop(role=CUSTOMER, external_id="x-1"),)
    assert flow.access == (get("lake/in/2024/trustsim-probe"), listing("lake", "in/2024/"),
                           get("lake/one.csv"), listing("lake", "one.csv"))


def test_doris_table_function() -> None:
    flow = doris(f"""select * from s3('uri' = 's3://lake/t/data.parquet', 'format' = 'parquet',
                 's3.role_arn' = '{CUSTOMER}')""")
    assert flow.access == (get("lake/t/data.parquet"), listing("lake", "t/data.parquet"))


@pytest.mark.parametrize(("statement", "message"), [
    ("DROP TABLE t", "not a statement trustsim reads"),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES ("s3.role_arn" = "x',
     "the string opened at character 81 is never closed"),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES ("timeout" = "1")',
     "the statement has no s3.role_arn: trustsim replays"),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES ("s3.access_key" = "A")',
     "no s3.role_arn (it uses static keys, s3.access_key)"),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES ("s3.role_arn" = '
     '"arn:aws:iam::4444:role/x")', "s3.role_arn: account segment '4444'"),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "hdfs://b/p/" PROPERTIES ("s3.role_arn" = '
     f'"{CUSTOMER}")', "is not an S3 location"),
    (f'CREATE STORAGE VAULT v PROPERTIES ("type" = "hdfs", "s3.role_arn" = "{CUSTOMER}")',
     'only S3 storage vaults use AWS credentials'),
    ('SELECT * FROM S3("format" = "csv")', 'the S3(...) table function has no "uri"'),
    ('CREATE REPOSITORY r WITH S3 ON LOCATION "s3://b/p/" PROPERTIES ("a" "b")',
     "expected = after property 'a'"),
])
def test_doris_bad_statements(statement: str, message: str) -> None:
    [msg] = rejected("doris", {"instance_role": EC2, "statement": statement}, "f.start.doris")
    assert msg.startswith("f.start.doris.statement: ")
    assert message in msg


def test_doris_settings_are_validated_together() -> None:
    found = rejected("doris", {"instance_role": "arn:aws:iam::1111:role/x", "statment": "x"},
                     "flows[2].start.doris")
    assert found == [
        "flows[2].start.doris.instance_role: account segment '1111' is not a 12-digit account "
        "id in 'arn:aws:iam::1111:role/x'",
        "flows[2].start.doris.statement: is required",
        "flows[2].start.doris.statment: unknown key 'statment'; did you mean 'statement'? "
        "(allowed here: instance_role, statement, instance_id)",
    ]


# --- StarRocks -----------------------------------------------------------------------------

def starrocks(**settings: Any) -> VendorFlow:
    return expand("starrocks", settings, "s")


def test_starrocks_instance_profile_mode() -> None:
    flow = starrocks(instance_role=EC2, location="s3://starrocks-test/",
                     properties={"aws.s3.use_instance_profile": "true",
                                 "aws.s3.region": "us-west-2", "type": "hive"})
    assert flow.start == InstanceProfileStart(role=EC2) and flow.hops == ()
    assert flow.access == (get("starrocks-test/trustsim-probe"), listing("starrocks-test", ""))


def test_starrocks_assumed_role_mode() -> None:
    flow = starrocks(instance_role=EC2, location="s3a://lake/ingest/*", write=True,
                     properties={"aws.s3.use_instance_profile": True,
                                 "aws.s3.iam_role_arn": CUSTOMER,
                                 "aws.s3.external_id": "sr-1"})
    assert flow.start == InstanceProfileStart(role=EC2)
    assert flow.hops == (AssumeRoleHop(role=CUSTOMER, external_id="sr-1"),)
    assert flow.access == kept("lake", "ingest/")  # a pattern's folder


def test_starrocks_iam_user_mode() -> None:
    user = "arn:aws:iam::444455556666:user/starrocks"
    flow = starrocks(user=user, location="s3://lake/t/",
                     properties={"aws.s3.use_instance_profile": "false",
                                 "aws.s3.access_key": "AKIA...", "aws.s3.secret_key": "..."})
    assert flow.start == UserStart(user=user) and flow.hops == ()


def test_starrocks_glue_uses_its_own_role() -> None:
    glue_role = "arn:aws:iam::444455556666:role/glue-reader"
    flow = starrocks(part="glue", instance_role=EC2,
                     glue={"catalog": "arn:aws:glue:us-west-2:444455556666:catalog",
                           "database": "sales", "table": "orders"},
                     properties={"aws.s3.use_instance_profile": "true",
                                 "aws.s3.iam_role_arn": CUSTOMER,
                                 "aws.glue.use_instance_profile": "true",
                                 "aws.glue.iam_role_arn": glue_role})
    assert flow.hops == (AssumeRoleHop(role=glue_role),)
    head = "arn:aws:glue:us-west-2:444455556666"
    every = (f"{head}:catalog", f"{head}:database/sales", f"{head}:table/sales/orders")
    assert flow.access == (Access(action="glue:GetDatabase", resources=every[:2]),
                           Access(action="glue:GetTable", resources=every),
                           Access(action="glue:GetPartitions", resources=every))
    no_table = starrocks(part="glue", instance_role=EC2,
                         glue={"catalog": f"{head}:catalog", "database": "sales"},
                         properties={"aws.glue.use_instance_profile": "true"})
    assert [a.action for a in no_table.access] == ["glue:GetDatabase", "glue:GetTables"]
    assert no_table.access[1].resources[2] == f"{head}:table/sales/*"


@pytest.mark.parametrize(("settings", "message"), [
    ({"properties": {"aws.s3.use_instance_profile": "yes"}, "location": "s3://bkt/p"},
     's.properties: "aws.s3.use_instance_profile" must be "true" or "false"'),
    ({"properties": {}, "location": "s3://bkt/p"},
     "s.properties: aws.s3.use_instance_profile is false and there is no aws.s3.access_key"),
    ({"properties": {"aws.s3.access_key": "A"}, "location": "s3://bkt/p"},
     "s: aws.s3.access_key is an IAM user's key: give user"),
    ({"properties": {"aws.s3.use_instance_profile": "true"}, "location": "s3://bkt/p"},
     "s: aws.s3.use_instance_profile is true: give instance_role"),
    ({"properties": {"aws.s3.iam_role": CUSTOMER}, "location": "s3://bkt/p"},
     "s.properties: unknown StarRocks property 'aws.s3.iam_role'"),
    ({"properties": {"aws.s3.use_instance_profile": "true", "aws.s3.iam_role_arn": "role"},
      "instance_role": EC2, "location": "s3://bkt/p"}, "s.properties: aws.s3.iam_role_arn: not"),
    ({"properties": {"aws.s3.use_aws_sdk_default_behavior": "true"}, "location": "s3://bkt/p"},
     "is not replayed"),
    ({"properties": {"aws.s3.use_instance_profile": "true"}, "instance_role": EC2},
     "s: part s3 needs location"),
    ({"part": "glue", "properties": {"aws.glue.use_instance_profile": "true"},
      "instance_role": EC2, "glue": {"catalog": "arn:aws:s3:::x", "database": "d"}},
     "s.glue: 'arn:aws:s3:::x' is not a Glue catalog ARN"),
    ({"properties": {}, "location": "gs://b/p"}, "s.location: 'gs://b/p' is not an S3 location"),
])
def test_starrocks_bad_settings(settings: dict[str, Any], message: str) -> None:
    found = rejected("starrocks", settings, "s")
    assert any(message in m for m in found), found


# --- SingleStore ---------------------------------------------------------------------------

READER = "arn:aws:iam::444455556666:role/singlestore-reader"


def pipeline(creds: dict[str, str], where: str = "customer-lake/events/") -> str:
    return (f"CREATE PIPELINE p AS LOAD DATA S3 '{where}' CONFIG '{{\"region\": \"us-east-1\"}}' "
            f"CREDENTIALS '{json.dumps(creds)}' INTO TABLE events")


def singlestore(creds: dict[str, str], entities: list[str], **extra: Any) -> VendorFlow:
    return expand("singlestore", {"pipeline": pipeline(creds, **extra),
                                  "workspace_role": "arn:aws:iam::111122223333:role/workspace",
                                  "provider": PROVIDER, "sub": "system:serviceaccount:ws:p",
                                  "delegated_entities": entities}, "g")


def test_singlestore_pipeline() -> None:
    flow = singlestore({"role_arn": READER, "creds_mode": "eks_irsa"}, [READER])
    assert flow.start == WebIdentityStart(provider=PROVIDER,
                                          role="arn:aws:iam::111122223333:role/workspace",
                                          sub="system:serviceaccount:ws:p")
    assert flow.hops == (AssumeRoleHop(role=READER),)  # SingleStore sends no ExternalId
    assert flow.access == (get("customer-lake/events/trustsim-probe"),
                           listing("customer-lake", "events/"))
    assert all(c.ok for c in flow.setup_checks)
    prefix = singlestore({"role_arn": READER, "creds_mode": "eks_irsa"}, [READER],
                         where="customer-lake/events")
    assert prefix.access[0] == get("customer-lake/events/trustsim-probe")


def test_singlestore_setup_checks() -> None:
    many = [f"arn:aws:iam::444455556666:role/r{i}" for i in range(21)]
    flow = singlestore({"role_arn": READER, "creds_mode": "default",
                        "aws_access_key_id": "AKIA", "aws_secret_access_key": "s"}, many)
    checks = {c.name: c for c in flow.setup_checks}
    assert {n: c.ok for n, c in checks.items()} == {
        "delegated_entities_limit": False, "role_delegated": False, "creds_mode": False,
        "no_static_keys": False}
    assert checks["delegated_entities_limit"].message.startswith("21 delegated entities")
    assert "aws_access_key_id, aws_secret_access_key" in checks["no_static_keys"].message
    pattern = singlestore({"role_arn": READER, "creds_mode": "eks_irsa"},
                          ["arn:aws:iam::444455556666:role/singlestore-*"])
    assert {c.name: c.ok for c in pattern.setup_checks}["role_delegated"] is True
    twenty = singlestore({"role_arn": READER, "creds_mode": "eks_irsa"}, [READER] + many[:19])
    assert all(c.ok for c in twenty.setup_checks)


@pytest.mark.parametrize(("creds", "entities", "message"), [
    ({"creds_mode": "eks_irsa"}, [], 'g.pipeline: CREDENTIALS has no "role_arn"'),
    ({"role_arn": "arn:aws:iam::4444:role/x"}, [], "g.pipeline: role_arn: account segment"),
    ({"role_arn": READER}, ["*"], "g.delegated_entities[0]: '*' is not a role ARN"),
])
def test_singlestore_bad_settings(creds: dict[str, str], entities: list[str],
                                  message: str) -> None:
    block = {"pipeline": pipeline(creds), "workspace_role": READER, "provider": PROVIDER,
             "sub": "s", "delegated_entities": entities}
    [msg] = rejected("singlestore", block, "g")
    assert msg.startswith(message)


@pytest.mark.parametrize(("statement", "message"), [
    ("CREATE TABLE t (a int)", "expected CREATE PIPELINE"),
    ("CREATE PIPELINE p AS LOAD DATA KAFKA 'x' INTO TABLE t", "expected LOAD DATA S3"),
    ("CREATE PIPELINE p AS LOAD DATA S3 'b/p' CREDENTIALS '{\"role_arn\": }' INTO TABLE t",
     "CREDENTIALS is not valid JSON"),
    ("CREATE PIPELINE p AS LOAD DATA S3 'b/p' CONFIG '[1]' INTO TABLE t",
     "CONFIG must be a JSON object"),
])
def test_singlestore_bad_pipelines(statement: str, message: str) -> None:
    block = {"pipeline": statement, "workspace_role": READER, "provider": PROVIDER, "sub": "s"}
    [msg] = rejected("singlestore", block, "g")
    assert msg.startswith("g.pipeline: cannot read the SingleStore pipeline: ")
    assert message in msg


# --- Qubole --------------------------------------------------------------------------------

SERVICE = "arn:aws:iam::444455556666:role/qubole-service"
SECONDARY = "arn:aws:iam::444455556666:role/qubole-secondary"
PROFILE = "arn:aws:iam::444455556666:instance-profile/qubole-secondary"


def qubole(**settings: Any) -> VendorFlow:
    base = {"qubole_principal": "arn:aws:iam::805246085872:role/qubole-control",
            "account_role": SERVICE, "external_id": "qubole-ext-1",
            "default_location": "s3://qubole-defloc/logs"}
    return expand("qubole", {**base, **settings}, "q")


def test_qubole_service_part() -> None:
    flow = qubole()
    assert flow.start == SessionStart(role="arn:aws:iam::805246085872:role/qubole-control",
                                      session_name="qubole")
    assert flow.hops == (AssumeRoleHop(role=SERVICE, external_id="qubole-ext-1"),)
    assert flow.access == kept("qubole-defloc", "logs/")
    user = qubole(qubole_principal="arn:aws:iam::805246085872:user/qubole")
    assert user.start == UserStart(user="arn:aws:iam::805246085872:user/qubole")


def test_qubole_cluster_part() -> None:
    flow = qubole(part="cluster", secondary_role=SECONDARY, instance_profile=PROFILE,
                  data_locations=["s3://sensitive/data/"])
    assert flow.hops == (AssumeRoleHop(role=SERVICE, external_id="qubole-ext-1"),
                         PassRoleHop(role=SECONDARY, service="ec2.amazonaws.com",
                                     instance_profile=PROFILE))
    assert flow.access == kept("qubole-defloc", "logs/") + (
        get("sensitive/data/trustsim-probe"), listing("sensitive", "data/"))


@pytest.mark.parametrize(("settings", "message"), [
    ({"part": "cluster"}, "q: part cluster needs secondary_role"),
    ({"data_locations": ["s3://sensitive/"]}, "q.data_locations: data_locations are read by "
                                              "the cluster"),
    ({"qubole_principal": "arn:aws:iam::805246085872:group/x"},
     "q.qubole_principal: 'arn:aws:iam::805246085872:group/x' is not an IAM user or role ARN"),
    ({"part": "both"}, "q.part: must be 'service' or 'cluster'"),
])
def test_qubole_bad_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(TrustsimError):
        qubole(**settings)
    block = {"qubole_principal": "arn:aws:iam::805246085872:role/qubole-control",
             "account_role": SERVICE, "default_location": "s3://qubole-defloc/logs", **settings}
    found = rejected("qubole", block, "q")
    assert any(m.startswith(message) for m in found), found


# --- the registry and the SQL reader -------------------------------------------------------

def test_unknown_product() -> None:
    assert rejected("snowflake", {}, "f") == [
        "f: unknown product 'snowflake' (known: doris, starrocks, singlestore, qubole)"]


def test_sql_tokens_and_properties() -> None:
    tokens = tokenize("""PROPERTIES ( /* c */ "a" = 'it''s', -- note
                         'b' = "say \\"hi\\"" ) tail""")
    props, end = properties(tokens, 1)
    assert props == {"a": "it's", "b": 'say "hi"'}
    assert tokens[end].text == "tail"
    with pytest.raises(SqlError, match="comment opened at character 1 is never closed"):
        tokenize("/* open")
    with pytest.raises(SqlError, match="property 'A' is given twice"):
        properties(tokenize("('a'='1', 'A'='2')"), 0)
    with pytest.raises(SqlError, match="expected , or \\) at character 10"):
        properties(tokenize("('a'='1' 'b'='2')"), 0)
