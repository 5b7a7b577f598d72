"""Every single-call case in tests/data must get the decision AWS documents for it.

The cases are facts about AWS, each written from an AWS documentation page: in
cases_trustsim.json every case carries its page in a `source` key; the shipped
conformance_cases.json cases come from these pages (one or more per case):
- evaluation order, explicit/implicit deny, same-account resource-policy grants:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- cross-account (both sides must allow):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Action / NotAction / Resource / NotResource / Principal / NotPrincipal elements:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- conditions, multi-valued keys, variables, global keys:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- permissions boundaries and session policies:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
- AssumeRole, external ids, KMS key policies:
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html,
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
- SCPs and RCPs:
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- sts:GetCallerIdentity needs no permission:
  https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
The decision vocabulary (allow / explicit deny / implicit deny) is the IAM policy
simulator's: https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.cases import case_list, parse_case
from simulator.decision import decide
from simulator.results import Decision

DATA = Path(__file__).parent / "data"
CASE_FILES = sorted({*DATA.glob("cases*.json"), DATA / "conformance_cases.json"})


def _load() -> list[Any]:
    """Every raw case of every case file, as a pytest param with the case id as test id."""
    params: list[Any] = []
    seen: dict[str, str] = {}
    for path in CASE_FILES:
        raw = case_list(json.loads(path.read_text(encoding="utf-8")), path.name)
        for position, case in enumerate(raw):
            case_id = case["id"]
            if case_id in seen:
                raise ValueError(f"case id {case_id!r} appears in {seen[case_id]} and "
                                 f"{path.name}")
            seen[case_id] = path.name
            params.append(pytest.param(case, position, id=case_id))
    return params


CASES = _load()


def test_case_files_found() -> None:
    """The loader must see the shipped conformance set and the trustsim set."""
    names = {p.name for p in CASE_FILES}
    assert {"conformance_cases.json", "cases_trustsim.json"} <= names
    assert len(CASES) >= 75 + 50


@pytest.mark.parametrize(("raw", "position"), CASES)
def test_case(raw: dict[str, Any], position: int) -> None:
    case = parse_case(raw, position)
    assert case.expected is not None, "a conformance case must say what AWS decides"
    result = decide(case.request, case.policies)
    assert result.decision is case.expected, (
        f"{case.id}: expected {case.expected.value}, got {result.decision.value} "
        f"({result.reason}: {result.message}); note: {case.note}")


@pytest.mark.parametrize(("raw", "position"), CASES)
def test_case_traced_agrees(raw: dict[str, Any], position: int) -> None:
    """A traced evaluation explains every statement but must decide the same way."""
    case = parse_case(raw, position)
    plain = decide(case.request, case.policies)
    traced = decide(case.request, case.policies, trace=True)
    assert traced.decision is plain.decision
    assert traced.reason == plain.reason
    if traced.decision is Decision.explicit_deny:
        assert traced.deciding and all(ref.effect == "Deny" for ref in traced.deciding)
