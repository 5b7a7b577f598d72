"""Semantic diff: pairs of scenarios that differ by one subtle change (tests/fixtures/diff/),
the stage and who-can changes each produces, the CI gate, and reading a git revision."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.diff import WorldDiff, diff_worlds, stage_changes
from simulator.errors import InputError
from simulator.git_revisions import revision_spec, root_of, scenarios_at_revision
from simulator.replay import FlowResult
from simulator.scenarios import Scenario, load_scenario_text, load_scenarios
from simulator.stages import StageResult, StageStatus

DIFF = Path(__file__).parent / "fixtures" / "diff"
VENDOR = "arn:aws:iam::111122223333:role/vendor-ec2"
OTHER = "arn:aws:iam::999988887777:role/other-app"
LAKE_ROLE = "arn:aws:iam::444455556666:role/lake-access"


def _load(name: str) -> list[Scenario]:
    return load_scenarios([DIFF / name])


@pytest.fixture(scope="module")
def base() -> list[Scenario]:
    return _load("base")


def _diff(base: list[Scenario], head: str) -> WorldDiff:
    return diff_worlds(base, _load(head))


def _stages(changes: tuple[object, ...]) -> set[tuple[str, str, str]]:
    return {(c.flow, c.stage, f"{c.base}->{c.head}") for c in changes  # type: ignore[attr-defined]
            if c.kind == "stage"}  # type: ignore[attr-defined]


def _who(changes: tuple[object, ...]) -> set[tuple[str, str, str]]:
    return {(c.principal, c.action, c.resource) for c in changes  # type: ignore[attr-defined]
            if c.kind == "who_can"}  # type: ignore[attr-defined]


def test_external_id_condition_dropped(base: list[Scenario]) -> None:
    diff = _diff(base, "external-id-dropped")
    assert _stages(diff.widened) == {
        ("without-external-id", "hop1.trust", "implicit_deny->allow"),
        ("without-external-id", "hop1.credentials", "not_reached->allow"),
        ("without-external-id", "access1", "not_reached->allow")}
    assert diff.narrowed == ()
    trust = next(c for c in diff.widened if c.stage == "hop1.trust")
    assert trust.head_deciding[0].sid == "VendorWithExternalId"
    assert trust.head_deciding[0].policy == "lake-access/trust"
    access = next(c for c in diff.widened if c.stage == "access1")
    assert access.because == "hop1.trust"
    # no principal is new, but the vendor no longer needs the ExternalId
    assume = next(c for c in diff.widened if c.kind == "who_can" and c.principal == VENDOR
                  and c.action == "sts:AssumeRole")
    assert "no longer requires ExternalId = lake-ext-7f3a9c" in assume.message


def test_wildcard_resource(base: list[Scenario]) -> None:
    diff = _diff(base, "wildcard-resource")
    assert _stages(diff.widened) == {("other-bucket", "access1", "implicit_deny->allow")}
    assert {(LAKE_ROLE, "s3:GetObject", "arn:aws:s3:::audit-logs/*"),
            (LAKE_ROLE, "s3:PutObject", "arn:aws:s3:::audit-logs/*"),
            (VENDOR, "s3:GetObject", "arn:aws:s3:::audit-logs/*")} <= _who(diff.widened)
    assert all(c.resource == "arn:aws:s3:::audit-logs/*" for c in diff.widened
               if c.kind == "who_can")
    [change] = [c for c in diff.widened if c.kind == "stage"]
    assert change.head_deciding[0].sid == "ReadWriteLake" and change.base_deciding == ()


def test_deny_removed(base: list[Scenario]) -> None:
    diff = _diff(base, "deny-removed")
    [change] = diff.changes
    assert (change.flow, change.stage, change.base, change.head) == (
        "audit-write", "access1", "explicit_deny", "allow")
    assert change.base_deciding[0].sid == "NoAuditWrites"
    assert change.base_reason.startswith("explicit_deny") and change.head_reason == "allowed"


def test_principal_account_added(base: list[Scenario]) -> None:
    diff = _diff(base, "account-added")
    assert ("other-vendor", "hop1.trust", "implicit_deny->allow") in _stages(diff.widened)
    assert {(OTHER, "sts:AssumeRole", LAKE_ROLE),
            (OTHER, "s3:GetObject", "arn:aws:s3:::customer-lake/*"),
            (OTHER, "s3:PutObject", "arn:aws:s3:::customer-lake/*")} == _who(diff.widened)
    assert diff.narrowed == ()


def test_narrowing(base: list[Scenario]) -> None:
    diff = _diff(base, "put-removed")
    assert diff.widened == ()
    assert _stages(diff.narrowed) == {("write", "access1", "allow->implicit_deny")}
    assert (LAKE_ROLE, "s3:PutObject", "arn:aws:s3:::customer-lake/*") in _who(diff.narrowed)
    assert all(c.action == "s3:PutObject" for c in diff.narrowed if c.kind == "who_can")


@pytest.mark.parametrize(("head", "widen", "any_", "none"), [
    ("external-id-dropped", True, True, False),
    ("wildcard-resource", True, True, False),
    ("deny-removed", True, True, False),
    ("account-added", True, True, False),
    ("put-removed", False, True, False),
    ("unchanged", False, False, False),
])
def test_fail_modes(base: list[Scenario], head: str, widen: bool, any_: bool,
                    none: bool) -> None:
    diff = _diff(base, head)
    assert (diff.fail("widen"), diff.fail("any"), diff.fail("none")) == (widen, any_, none)
    assert diff.flows_compared == 6


def test_flows_and_scenarios_on_one_side(base: list[Scenario]) -> None:
    text = (DIFF / "base" / "lake.yaml").read_text().replace("- name: write", "- name: put")
    head = [load_scenario_text(text, "lake.yaml", lambda _: ""),
            load_scenario_text(text.replace("name: lake", "name: newer", 1), "n.yaml",
                               lambda _: "")]
    diff = diff_worlds(base, head)
    assert diff.only_in_base == ("lake/write",)
    assert diff.only_in_head == ("newer", "lake/put")
    assert diff.flows_compared == 5 and diff.changes == ()


def _stage(key: str, status: StageStatus) -> StageResult:
    return StageResult(key=key, title=key, status=status, reason=status.value, message="m")


def _flow(*stages: StageResult) -> FlowResult:
    failed = next((s.key for s in stages if not s.status.passed), None)
    return FlowResult(scenario="s", flow="f", outcome="deny" if failed else "allow",
                      failed_stage=failed, stages=stages)


def test_a_deny_that_changes_kind_is_not_an_access_change() -> None:
    implicit = _flow(_stage("access1", StageStatus.implicit_deny))
    explicit = _flow(_stage("access1", StageStatus.explicit_deny))
    assert stage_changes(implicit, explicit) == []
    allowed = _flow(_stage("access1", StageStatus.allow))
    [change] = stage_changes(explicit, allowed)
    assert change.direction == "widen" and change.because is None
    stopped = _flow(_stage("hop1.trust", StageStatus.invalid))
    [change] = stage_changes(allowed, stopped)
    assert (change.stage, change.head, change.direction, change.because) == (
        "access1", "not_reached", "narrow", "hop1.trust")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_scenarios_at_revision(tmp_path: Path, base: list[Scenario]) -> None:
    repo = tmp_path / "repo"
    (repo / "scenarios").mkdir(parents=True)
    lake = repo / "scenarios" / "lake.yaml"
    lake.write_text((DIFF / "base" / "lake.yaml").read_text())

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                        "-c", "commit.gpgsign=false", *args], check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    lake.write_text((DIFF / "deny-removed" / "lake.yaml").read_text())
    git("commit", "-q", "-am", "head")
    old = scenarios_at_revision(repo, "HEAD~1", Path("scenarios"))
    try:
        assert (old / "lake.yaml").read_text() == (DIFF / "base" / "lake.yaml").read_text()
        diff = diff_worlds(load_scenarios([old]), load_scenarios([repo / "scenarios"]))
        assert [c.flow for c in diff.widened] == ["audit-write"]
        again = scenarios_at_revision(repo, "HEAD", repo / "scenarios")  # absolute folder
        assert (again / "lake.yaml").read_text() == lake.read_text()
        shutil.rmtree(root_of(again, "scenarios"))
    finally:
        shutil.rmtree(root_of(old, "scenarios"))
    with pytest.raises(InputError, match="is not a commit"):
        scenarios_at_revision(repo, "no-such-branch", Path("scenarios"))
    with pytest.raises(InputError, match="does not exist at HEAD"):
        scenarios_at_revision(repo, "HEAD", Path("elsewhere"))
    # a file comes with its folder, so the files it names beside it resolve
    (repo / "scenarios" / "policy.json").write_text("{}")
    git("add", ".")
    git("commit", "-q", "-m", "a policy file beside the scenario")
    one = scenarios_at_revision(repo, "HEAD", Path("scenarios/lake.yaml"))
    try:
        assert one.name == "lake.yaml" and one.read_text() == lake.read_text()
        assert (one.parent / "policy.json").read_text() == "{}"
    finally:
        shutil.rmtree(root_of(one, "scenarios/lake.yaml"))
    with pytest.raises(InputError, match="not inside the repository"):
        scenarios_at_revision(repo, "HEAD", tmp_path)


@pytest.mark.parametrize(("spec", "expected"), [
    ("origin/main:scenarios", ("origin/main", "scenarios")),
    ("HEAD~1:", ("HEAD~1", ".")),
    ("scenarios/", None),
    ("C:\\work\\scenarios", None),
])
def test_revision_spec(spec: str, expected: tuple[str, str] | None) -> None:
    assert revision_spec(spec) == expected
