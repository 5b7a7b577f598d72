"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps), built with the
sarif-pydantic object model.

One result per problem (checked.py): a flow whose expectation did not hold, a flow denied
without expectation, an assertion that does not hold, a lint finding, a widened or
narrowed access of `diff`. `ruleId` is the stage's reason code (`no_allow_in_trust`,
`explicit_deny_in_identity`, ...), `unexpected_allow`, `only_principals`,
`no_external_assume`, `widened_access` / `narrowed_access`, or the lint code (`TS001`);
`tool.driver.rules` describes every rule used. The location is the statement to blame,
with its line (locate.py), in the scenario file or in the policy file it references.
Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from sarif_pydantic import (  # type: ignore[import-untyped]
    ArtifactLocation,
    Invocation,
    Level,
    Location,
    LogicalLocation,
    Message,
    PhysicalLocation,
    Region,
    ReportingConfiguration,
    ReportingDescriptor,
    Result,
    Run,
    Sarif,
    Tool,
    ToolDriver,
)

from ..check import Checked
from ..diff import FailOn, WorldDiff
from ..lint import RULES
from .changes import diff_problems
from .checked import Problem, Reader, place, problems
from .locate import locate

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
TOOL = "trustsim"
_EVAL = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
         "reference_policies_evaluation-logic.html")
_FIXED = {
    "unexpected_allow": "a flow (or access) expected to be denied is allowed",
    "only_principals": "a principal outside the allowed list can perform the action",
    "no_external_assume": "a principal outside the organization can assume the role",
    "widened_access": "the change allows an access the base did not",
    "narrowed_access": "the change denies an access the base allowed",
}

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "check_sarif", "diff_sarif", "locate",
           "sarif_json", "sarif_log"]


def _no_files(_: str) -> str | None:
    return None


def tool_version() -> str:
    try:
        return version("trustsim")
    except PackageNotFoundError:
        return "0.0.0"


def describe(rule: str) -> tuple[str, str | None]:
    """A sentence and a help page (the AWS page, for stage and lint rules) for a rule id;
    docs/output.md lists trustsim's own."""
    if rule in RULES:
        return RULES[rule].title, RULES[rule].url
    if rule in _FIXED:
        return _FIXED[rule], None
    for prefix, text in (("explicit_deny_in_", "an explicit Deny in the {} policy decides "
                                               "the check"),
                         ("no_allow_in_", "no statement of the {} policy allows the call "
                                          "(implicit deny)")):
        if rule.startswith(prefix):
            return text.format(rule.removeprefix(prefix).replace("_", " ")), _EVAL
    if rule.startswith(("scp_no_allow", "rcp_no_allow")):
        return "an organization level (SCP or RCP) allows nothing for the call", _EVAL
    return f"the request is refused before any policy: {rule.replace('_', ' ')}", None


def _descriptor(rule: str, level: str) -> ReportingDescriptor:
    text, help_uri = describe(rule)
    fix = RULES[rule].fix if rule in RULES else None
    return ReportingDescriptor(
        id=rule, name=RULES[rule].name if rule in RULES else rule,
        short_description=Message(text=text), help_uri=help_uri,
        help=Message(text=fix) if fix else None,
        default_configuration=ReportingConfiguration(level=level))


def _location(problem: Problem, read: Reader) -> list[Location] | None:
    where = place(problem, read)
    if where is None:
        return None
    path, line = where
    logical = None
    if problem.policy is not None:
        name = problem.policy + (f" statement #{problem.statement}"
                                 if problem.statement is not None else "")
        logical = [LogicalLocation(name=name, kind="member")]
    return [Location(physical_location=PhysicalLocation(
        artifact_location=ArtifactLocation(uri=path),
        region=Region(start_line=line) if line else None), logical_locations=logical)]


def _result(problem: Problem, index: int, read: Reader) -> Result:
    text = problem.message
    if problem.hints:
        text += " Hint: " + "; ".join(problem.hints)
    props = {k: v for k, v in (("kind", problem.kind), ("scenario", problem.scenario),
                                ("flow", problem.flow), ("subject", problem.subject)) if v}
    return Result(rule_id=problem.rule, rule_index=index, level=Level(problem.level),
                  message=Message(text=text), locations=_location(problem, read),
                  properties=props)


def sarif_log(found: Sequence[Problem], read: Reader = _no_files) -> Sarif:
    """The SARIF log of `found`; `read(path)` returns a scenario or policy file's text (or
    None) so that results point at the statement's line."""
    rules: dict[str, ReportingDescriptor] = {}
    for p in found:
        rules.setdefault(p.rule, _descriptor(p.rule, p.level))
    order = {rule: i for i, rule in enumerate(rules)}
    driver = ToolDriver(name=TOOL, version=tool_version(), semantic_version=tool_version(),
                        rules=list(rules.values()))
    results = [_result(p, order[p.rule], read) for p in found]
    return Sarif(version=SARIF_VERSION, schema_uri=SARIF_SCHEMA, runs=[Run(
        tool=Tool(driver=driver), results=results,
        invocations=[Invocation(execution_successful=True)])])


def sarif_json(log: Sarif) -> str:
    """The log as SARIF JSON text (camelCase keys, `$schema`, no null fields)."""
    return str(log.model_dump_json(by_alias=True, exclude_none=True, indent=2))


def check_sarif(checked: Checked, read: Reader = _no_files) -> str:
    """SARIF JSON text for `run`, `check` or `lint` results."""
    return sarif_json(sarif_log(problems(checked), read))


def diff_sarif(diff: WorldDiff, fail_on: FailOn = "widen", read: Reader = _no_files) -> str:
    """SARIF JSON text for `diff`: one result per widened or narrowed access."""
    return sarif_json(sarif_log(diff_problems(diff, fail_on), read))
