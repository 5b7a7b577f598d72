"""S3 Block Public Access RestrictPublicBuckets in a world: a bucket whose policy is public
can be reached only by AWS service principals and the bucket owner's account, "including
non-public delegation to specific accounts"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
The replay and the graph apply it alike; a bucket holds the setting (default on, as for
every new bucket since April 2023)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.graph import build_graph
from simulator.questions import who_can
from simulator.replay import replay
from simulator.scenarios import load_scenarios

VENDOR_ROLE = "arn:aws:iam::222233334444:role/vendor-reader"
SCENARIO = f"""\
name: shared-lake
accounts:
  "111122223333": owner
  "222233334444": vendor
roles:
  - arn: {VENDOR_ROLE}
    trust: {{Statement: {{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}},
                          Action: sts:AssumeRole}}}}
    policies:
      read: {{Statement: {{Effect: Allow, Action: s3:GetObject,
                           Resource: "arn:aws:s3:::shared-lake/*"}}}}
buckets:
  - name: shared-lake
    account: "111122223333"
    {{setting}}
    policy:
      Statement:
        - {{Sid: Vendor, Effect: Allow, Principal: {{AWS: {VENDOR_ROLE}}},
            Action: s3:GetObject, Resource: "arn:aws:s3:::shared-lake/*"}}
        - {{Sid: {{sid}}, Effect: Allow, Principal: "*", Action: s3:GetObject,
            Resource: "arn:aws:s3:::shared-lake/public/*"{{narrowing}}}}
flows:
  - name: vendor-reads
    start: {{instance_profile: {VENDOR_ROLE}}}
    access: [{{action: s3:GetObject, resource: "arn:aws:s3:::shared-lake/data/x.parquet"}}]
"""
VPCE = ", Condition: {StringEquals: {aws:SourceVpce: vpce-1a2b3c4d}}"


def _scenario(tmp_path: Path, setting: str = "", narrowing: str = "") -> Path:
    path = tmp_path / "lake.yaml"
    path.write_text(SCENARIO.replace("{setting}", setting)
                    .replace("{sid}", "Public").replace("{narrowing}", narrowing))
    return path


@pytest.mark.parametrize(("setting", "narrowing", "outcome"), [
    ("", "", "deny"),                                    # default on, public statement
    ("restrict_public_buckets: true", "", "deny"),
    ("restrict_public_buckets: false", "", "allow"),
    ("", VPCE, "allow"),                                 # narrowed: not public
])
def test_the_vendor_role_and_a_public_statement(tmp_path: Path, setting: str, narrowing: str,
                                                outcome: str) -> None:
    [scenario] = load_scenarios([_scenario(tmp_path, setting, narrowing)])
    [flow] = scenario.flows
    result = replay(scenario.world, flow, scenario.name)
    assert result.outcome == outcome
    if outcome == "deny":
        stage = next(s for s in result.stages if s.key == result.failed_stage)
        assert stage.reason == "restrict_public_buckets"
        assert "statement #1" in stage.message
    # who-can agrees with the replay
    answer = who_can(build_graph(scenario.world), "s3:GetObject",
                     "arn:aws:s3:::shared-lake/data/x.parquet")
    found = {e.principal for group in answer.accounts for e in group.principals}
    assert (VENDOR_ROLE in found) is (outcome == "allow")
