"""Parsing only what a request can reach (`parse_policy(..., action=...)`, used by
`trustsim evaluate`): every statement is still checked, only the statements the action
reaches are built, and the decision, the trace and the error are those of a full parse.

A statement whose Action does not match the request's action cannot apply to it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
so leaving it unbuilt changes no decision; an invalid statement is refused wherever it is,
as IAM refuses the whole document
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_policy import SERVICE, SESSION, USER, kinds_and_documents, policy_set

from simulator.cases import case_list, parse_case, run_cases
from simulator.decision import decide
from simulator.errors import PolicyError
from simulator.policy import PolicyDocument, PolicyKind, _statement, _statement_ok, parse_policy

DATA = Path(__file__).parent / "data"


def _full_parse_accepts(raw: Any, kind: PolicyKind) -> bool:
    try:
        _statement(raw, 0, kind)
    except PolicyError:
        return False
    return True


def _parse(raw: Any, kind: PolicyKind, action: str | None) -> PolicyDocument | str:
    try:
        return parse_policy(raw, name="p", kind=kind, action=action)
    except PolicyError as exc:
        return exc.render()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds_and_documents)
def test_quick_check_agrees_with_the_parser(kind_and_raw: tuple[PolicyKind, Any]) -> None:
    """The quick check says valid exactly when the full parser accepts the statement (only
    its "valid" is relied on; agreeing both ways also keeps the fast path taken)."""
    kind, raw = kind_and_raw
    body = raw.get("Statement") if isinstance(raw, dict) else None
    for s in body if isinstance(body, list) else [body]:
        assert _statement_ok(s, kind) is _full_parse_accepts(s, kind), s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds_and_documents)
def test_reach_limited_parse_decides_and_fails_as_the_full_one(
        kind_and_raw: tuple[PolicyKind, Any]) -> None:
    kind, raw = kind_and_raw
    full = _parse(raw, kind, None)
    for request in (USER, SESSION, SERVICE):
        limited = _parse(raw, kind, request.action.lower())
        if isinstance(full, str):
            assert limited == full  # the same message, file and place
            continue
        assert isinstance(limited, PolicyDocument)
        assert len(limited.statements) + limited.omitted == len(full.statements)
        for trace in (False, True):
            a = decide(request, policy_set(kind, full), trace=trace)
            b = decide(request, policy_set(kind, limited), trace=trace)
            assert a.model_dump(mode="json") == b.model_dump(mode="json")


def _all_cases() -> list[tuple[str, int, Any]]:
    out = []
    for path in sorted(DATA.glob("*.json")):
        for i, raw in enumerate(case_list(json.loads(path.read_text()), path.name)):
            out.append((path.name, i, raw))
    return out


@pytest.mark.parametrize(("name", "position", "raw"),
                         [pytest.param(*c, id=f"{c[0]}[{c[1]}]") for c in _all_cases()])
def test_every_data_case_decides_the_same(name: str, position: int, raw: Any) -> None:
    full = parse_case(raw, position)
    limited = parse_case(raw, position, reachable_only=True)
    for trace in (False, True):
        a = decide(full.request, full.policies, trace=trace)
        b = decide(limited.request, limited.policies, trace=trace)
        assert a.model_dump(mode="json") == b.model_dump(mode="json")


def _case(statements: list[dict[str, Any]], action: str = "s3:GetObject") -> dict[str, Any]:
    return {"id": "c1",
            "policies": {"identity": [{"Version": "2012-10-17", "Statement": statements}]},
            "request": {"principal_arn": "arn:aws:iam::111111111111:user/alice",
                        "action": action, "resource": "arn:aws:s3:::bucket-a/k"}}


GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-a/*"}


@pytest.mark.parametrize(("bad", "element"), [
    ({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
      "Condition": {"StringEqualz": {"aws:username": "x"}}}, "Condition.StringEqualz"),
    ({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "bucket-a/*"}, "Resource[0]"),
    ({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
      "Principal": {"AWS": "111111111111"}}, "Statement[1]"),
    ({"Effect": "Permit", "Action": "s3:PutObject", "Resource": "*"}, "Effect"),
])
def test_an_invalid_statement_the_action_cannot_reach_is_still_an_error(
        bad: dict[str, Any], element: str) -> None:
    [outcome] = run_cases([_case([GET, bad])])
    assert outcome.decision == "error"
    assert outcome.error is not None
    assert "policies.identity[0].Statement[1]" in outcome.error
    assert element in outcome.error


def test_omitted_statements_are_counted_as_not_traced() -> None:
    put = {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}
    [outcome] = run_cases([_case([put, GET, put])], trace=True)
    assert outcome.result is not None and outcome.result.decision.value == "allow"
    [identity] = [p for p in outcome.result.policies if p.name == "identity[0]"]
    assert [s.ref.index for s in identity.statements] == [1]
    assert identity.not_traced == 2
    # --explain --full traces every statement, so nothing is left unbuilt
    [outcome] = run_cases([_case([put, GET, put])], trace_all=True)
    assert outcome.result is not None
    [identity] = [p for p in outcome.result.policies if p.name == "identity[0]"]
    assert [s.ref.index for s in identity.statements] == [0, 1, 2]
    assert identity.not_traced == 0
