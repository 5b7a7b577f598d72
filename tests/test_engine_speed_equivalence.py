"""The engine's speed techniques change no decision.

The plain (untraced) evaluation shares one check between statements with the same
Resource, Principal and conditions, memoizes verdicts per outcome of those checks, and
memoizes resource patterns with policy variables per values of the keys they read
(simulator/evaluator.py). These tests hold it to what a fresh process, tiny memos and the
traced evaluation say, over the benchmark workload (benchmarks/workload.py, seeded) and a
copy of it whose context values are all multi-valued. The full byte-for-byte comparison
with an older version of the code is benchmarks/dump_decisions.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import evaluator
from simulator.decision import PolicySet, decide
from simulator.matching import filled_resource_matcher, resource_matches
from simulator.policy import PolicyKind, parse_policy
from simulator.request import Request, make_request
from simulator.results import RequestDecision
from simulator.variables import QMARK, STAR

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from bench_decide import build  # noqa: E402
from dump_decisions import _multi  # noqa: E402

Work = list[tuple[Request, PolicySet]]
COUNT = 1500
SEED = 20240601


def _workloads() -> dict[str, Work]:
    base = build(SEED, COUNT)
    return {"base": base, "multi": _multi(base, lambda v: [v, "other"])}


def _digest(decisions: list[RequestDecision]) -> str:
    text = json.dumps([d.model_dump(mode="json") for d in decisions], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


_FRESH = f"""
import sys
sys.path.insert(0, {str(BENCHMARKS)!r})
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from test_engine_speed_equivalence import _digest, _workloads
from simulator.decision import decide
for name, work in _workloads().items():
    decisions = [decide(r, p) for r, p in reversed(work)][::-1]
    print(name, _digest(decisions))
"""


@pytest.fixture(scope="module")
def workloads() -> dict[str, Work]:
    return _workloads()


def test_warm_memos_decide_as_a_fresh_process(workloads: dict[str, Work]) -> None:
    """Decided here (memos warmed by every earlier test, in order) and in a fresh
    process (cold memos, in reverse order): the same decisions, every field."""
    here = {name: _digest([decide(r, p) for r, p in work])
            for name, work in workloads.items()}
    out = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True,
                         check=True).stdout
    fresh = dict(line.split() for line in out.splitlines())
    assert fresh == here


def test_tiny_memos_decide_the_same(workloads: dict[str, Work],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Memos that start over every other entry give the same decisions."""
    for name, work in workloads.items():
        expected = _digest([decide(r, p) for r, p in work])
        with monkeypatch.context() as m:
            m.setattr(evaluator, "_MEMO_LIMIT", 2)
            assert _digest([decide(r, p) for r, p in work]) == expected, name


def test_untraced_agrees_with_traced(workloads: dict[str, Work]) -> None:
    """The traced evaluation checks every element, the plain one stops at the first that
    fails: the same decision, reasons and steps; the plain one's missing keys and notes
    are among the traced one's."""
    for name, work in workloads.items():
        for request, policies in work[:600]:
            plain = decide(request, policies).model_dump(mode="json")
            traced = decide(request, policies, trace=True).model_dump(mode="json")
            assert plain.pop("policies") == []
            traced.pop("policies")
            for key in ("missing_context", "notes"):
                assert set(plain.pop(key)) <= set(traced.pop(key)), (name, key)
            plain.pop("uncertain")
            traced.pop("uncertain")
            assert plain == traced, name


_PATTERN = st.text(alphabet=["a", "b", ":", "/", "*", "?", STAR, QMARK], max_size=12)
_VALUE = st.text(alphabet=["a", "b", ":", "/", "*", "?"], max_size=12)


@given(st.one_of(_PATTERN, _PATTERN.map(lambda p: "arn:aws:s3:::" + p)),
       st.one_of(_VALUE, _VALUE.map(lambda v: "arn:aws:s3:::" + v)))
def test_filled_resource_matcher_is_resource_matches(pattern: str, value: str) -> None:
    assert filled_resource_matcher(pattern)(value) == resource_matches(pattern, value)


def _decide(policy: dict[str, object], user: str | None, resource: str,
            **context: object) -> RequestDecision:
    doc = parse_policy(policy, name="p", kind=PolicyKind.identity)
    arn = f"arn:aws:iam::111122223333:user/{user}" if user else \
        "arn:aws:sts::111122223333:assumed-role/r/s"
    return decide(make_request(arn, "s3:GetObject", resource, context=context),
                  PolicySet(identity=(doc,)))


def test_variable_resources_follow_the_caller() -> None:
    """A Resource with `${aws:username}`: each caller gets its own home, a caller without
    a user name none (and the key is reported missing), `${*}` is a literal `*`."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::b/home/${aws:username}/*",
                     "arn:aws:s3:::b/${*}/${aws:PrincipalTag/team}"]}]}
    for _ in range(2):  # cold, then warm memos
        assert _decide(policy, "alice", "arn:aws:s3:::b/home/alice/x").decision == "allow"
        assert _decide(policy, "bob", "arn:aws:s3:::b/home/alice/x").decision != "allow"
        assert _decide(policy, "bob", "arn:aws:s3:::b/home/bob/y").decision == "allow"
        session = _decide(policy, None, "arn:aws:s3:::b/home/s/x")
        assert session.decision != "allow"
        # (a variable's key is reported lower-cased, as variables.substitute names it)
        assert session.missing_context == ("aws:principaltag/team", "aws:username")
        tagged = {"aws:PrincipalTag/team": "web"}
        assert _decide(policy, None, "arn:aws:s3:::b/*/web", **tagged).decision == "allow"
        assert _decide(policy, None, "arn:aws:s3:::b/x/web", **tagged).decision != "allow"


def test_shared_checks_note_each_statement() -> None:
    """Statements with the same condition share one check, yet each notes a multi-valued
    key under a plain operator, in statement order."""
    guard = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": guard},
        {"Sid": "B", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceIp": "10.0.0.1"}}},
        {"Sid": "C", "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": guard}]}
    d = _decide(policy, "alice", "arn:aws:s3:::b/k", **{"aws:SourceVpc": ["vpc-1", "vpc-2"],
                                                        "aws:SourceIp": ["10.0.0.1", "::1"]})
    assert d.notes == tuple(
        f"identity policy 'p' statement #{i} ({sid}): plain operator StringEquals given the "
        f"multi-valued key {key}; AWS leaves this undefined"
        for i, sid, key in ((0, "A", "aws:SourceVpc"), (1, "B", "aws:SourceIp"),
                            (2, "C", "aws:SourceVpc")))
    assert d.uncertain and d.decision == "allow"
