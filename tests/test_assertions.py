"""Graph assertions: their YAML form, OnlyPrincipals (the listed principals gate every way
to the data) and NoExternalAssume (no principal outside the organization becomes the role),
on the diff fixtures' worlds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.assertions import (
    NoExternalAssume,
    OnlyPrincipals,
    check_assertion,
    parse_assertions,
)
from simulator.errors import InputError, InputErrors
from simulator.scenarios import Scenario, load_scenario_text, load_scenarios
from simulator.world import World

DIFF = Path(__file__).parent / "fixtures" / "diff"
VENDOR = "arn:aws:iam::111122223333:role/vendor-ec2"
OTHER = "arn:aws:iam::999988887777:role/other-app"
LAKE_ROLE = "arn:aws:iam::444455556666:role/lake-access"
OBJECTS = "arn:aws:s3:::customer-lake/*"


def _world(name: str) -> World:
    [scenario] = load_scenarios([DIFF / name])
    return scenario.world


def _only(resource: str, *principals: str, action: str = "s3:GetObject") -> OnlyPrincipals:
    return OnlyPrincipals(action=action, resource=resource, principals=principals)


def test_yaml_form() -> None:
    raw = [{"only": {"action": "s3:GetObject", "resource": OBJECTS,
                     "principals": [LAKE_ROLE, "arn:aws:iam::444455556666:role/etl-*",
                                    "444455556666"]}},
           {"no_external_assume": {"role": LAKE_ROLE, "accounts": ["111122223333"],
                                   "org_id": "o-a1b2c3d4e5"}}]
    only, external = parse_assertions(raw, "assertions", "lake.yaml")
    assert only == OnlyPrincipals(action="s3:GetObject", resource=OBJECTS, principals=(
        LAKE_ROLE, "arn:aws:iam::444455556666:role/etl-*", "444455556666"),
        location="assertions[0]")
    assert external == NoExternalAssume(role=LAKE_ROLE, accounts=("111122223333",),
                                        org_id="o-a1b2c3d4e5", location="assertions[1]")
    assert parse_assertions(None, "assertions") == ()


@pytest.mark.parametrize(("raw", "messages"), [
    ("only", ["assertions: must be a list of assertions"]),
    ([{}], ["assertions[0]: an assertion is one of only: or no_external_assume:"]),
    ([{"only": {"action": "s3:GetObject", "resource": OBJECTS, "principals": [LAKE_ROLE]},
       "no_external_assume": {"role": LAKE_ROLE}}],
     ["assertions[0]: an assertion is one of only: or no_external_assume:"]),
    ([{"only": {"action": "s3:*", "resource": "customer-lake", "principals": ["bob"]}}],
     ["assertions[0].only.action: 's3:*' is not one action",
      "assertions[0].only.resource: not an ARN",
      "assertions[0].only.principals[0]: 'bob' is not a principal ARN"]),
    ([{"no_external_assume": {"role": "arn:aws:iam::444455556666:user/x", "acounts": []}},
      {"only": {"action": "s3:GetObject", "resource": OBJECTS}}],
     ["assertions[0].no_external_assume.role: 'arn:aws:iam::444455556666:user/x' is not an "
      "IAM role ARN",
      "assertions[0].no_external_assume.acounts: unknown key 'acounts'; did you mean "
      "'accounts'?",
      "assertions[1].only.principals: is required"]),
])
def test_bad_assertions_name_their_place(raw: Any, messages: list[str]) -> None:
    with pytest.raises((InputError, InputErrors)) as caught:
        parse_assertions(raw, "assertions", "lake.yaml")
    exc = caught.value
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    assert len(errors) == len(messages)
    for error, message in zip(errors, messages, strict=True):
        assert error.source == "lake.yaml"
        assert f"{error.location}: {error.message}".startswith(message)


def test_only_holds_when_every_direct_actor_is_listed() -> None:
    result = check_assertion(_world("base"), _only(OBJECTS, LAKE_ROLE), scenario="lake")
    assert result.holds and result.offenders == () and result.scenario == "lake"
    by_account = check_assertion(_world("base"), _only(OBJECTS, "444455556666"))
    assert by_account.holds


def test_only_names_direct_and_chained_offenders() -> None:
    result = check_assertion(_world("base"), _only(OBJECTS, "arn:aws:iam::111122223333:*"))
    assert not result.holds
    # vendor-ec2 is listed and gates ec2.amazonaws.com; lake-access itself reads directly
    [offender] = result.offenders
    assert offender.principal == LAKE_ROLE and offender.chain == (LAKE_ROLE, OBJECTS)
    [step] = offender.steps
    assert step.action == "s3:GetObject" and step.deciding[0].sid == "ReadWriteLake"


def test_only_catches_a_wildcard_that_reaches_another_bucket() -> None:
    audit = "arn:aws:s3:::audit-logs/*"
    rule = _only(audit, "arn:aws:iam::444455556666:role/audit-*")
    assert check_assertion(_world("base"), rule).holds
    result = check_assertion(_world("wildcard-resource"), rule)
    assert not result.holds
    offenders = {o.principal: o for o in result.offenders}
    assert set(offenders) == {LAKE_ROLE, VENDOR, "ec2.amazonaws.com"}
    vendor = offenders[VENDOR]
    assert vendor.chain == (VENDOR, LAKE_ROLE, audit)
    assert vendor.steps[0].requires == ("ExternalId = lake-ext-7f3a9c",)
    assert vendor.steps[-1].deciding[0].sid == "ReadWriteLake"


def test_no_external_assume() -> None:
    rule = NoExternalAssume(role=LAKE_ROLE)
    base = check_assertion(_world("base"), rule)
    assert not base.holds
    [vendor] = base.offenders
    assert vendor.principal == VENDOR and vendor.chain == (VENDOR, LAKE_ROLE)
    assert vendor.steps[0].deciding[0].sid == "VendorWithExternalId"
    # ec2.amazonaws.com reaches the role through vendor-ec2, but a service is no outsider
    vendors_ok = NoExternalAssume(role=LAKE_ROLE, accounts=("111122223333",))
    assert check_assertion(_world("base"), vendors_ok).holds
    added = check_assertion(_world("account-added"), vendors_ok)
    assert [o.principal for o in added.offenders] == [OTHER]
    assert "holds" not in added.message and OTHER in added.message


def test_no_external_assume_with_another_organization() -> None:
    world = _world("base")
    # the world's organization is o-a1b2c3d4e5: under another id, no account is inside
    # but the role's own
    rule = NoExternalAssume(role=VENDOR, org_id="o-zzzzzzzzzz")
    assert check_assertion(world, rule).holds  # only EC2 (a service) becomes vendor-ec2
    with pytest.raises(InputError, match="not declared"):
        check_assertion(world, NoExternalAssume(role="arn:aws:iam::444455556666:role/nope"))


ANYONE = """\
name: open
accounts: {"444455556666": {name: data, ou: root}}
organization: {id: o-a1b2c3d4e5}
roles:
  - arn: arn:aws:iam::444455556666:role/open
    trust:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Principal: {AWS: "*"}, Action: sts:AssumeRole}
  - arn: arn:aws:iam::444455556666:role/org-only
    trust:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: sts:AssumeRole
          Condition: {StringEquals: {aws:PrincipalOrgID: o-a1b2c3d4e5}}
"""


def test_a_trust_open_to_everyone() -> None:
    scenario: Scenario = load_scenario_text(ANYONE, "open.yaml", lambda _: "")
    open_role = check_assertion(scenario.world, NoExternalAssume(
        role="arn:aws:iam::444455556666:role/open"))
    assert not open_role.holds
    assert any(o.principal == "*" and o.external for o in open_role.offenders)
    org_only = NoExternalAssume(role="arn:aws:iam::444455556666:role/org-only")
    # the org condition holds for the open role (a principal of the organization), and
    # anyone can become the open role: a chain from outside
    [chain] = check_assertion(scenario.world, org_only).offenders
    assert chain.chain == ("*", "arn:aws:iam::444455556666:role/open",
                           "arn:aws:iam::444455556666:role/org-only")
    start = ANYONE.index("  - arn: arn:aws:iam::444455556666:role/open")
    end = ANYONE.index("  - arn: arn:aws:iam::444455556666:role/org-only")
    closed = load_scenario_text(ANYONE[:start] + ANYONE[end:], "closed.yaml", lambda _: "")
    assert check_assertion(closed.world, org_only).holds


def test_check_scenarios_evaluates_each_scenarios_assertions() -> None:
    from simulator.check import check_scenarios, exit_code

    [plain] = load_scenarios([DIFF / "base"])
    rules = parse_assertions([{"no_external_assume": {"role": LAKE_ROLE}}])
    scenario = plain.model_copy(update={"assertions": rules})
    checked = check_scenarios([scenario])
    [result] = checked.assertions
    assert not result.holds and result.scenario == "lake"
    assert result.location == "assertions[0]"
    assert exit_code(checked) == 3
    assert check_scenarios([plain]).assertions == () and exit_code(
        check_scenarios([plain])) == 0
