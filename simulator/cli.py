"""The only typer importer. Each command: parse args -> load -> one core call -> render -> exit.

Exit codes: 0 every answer as expected (or allowed, for single-shot questions); 1 bad input;
2 a request or flow was denied (single-shot commands without expectations); 3 an
expectation did not hold.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

from .errors import InputError, InputErrors, TrustsimError

if TYPE_CHECKING:  # imported where used, to keep start-up short
    from .scenarios import Scenario
    from .world_sources import IacOptions, NamedWorld

app = typer.Typer(
    name="trustsim", no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False,
    help="Offline simulator of AWS IAM trust and permission policies: replays AssumeRole "
         "chains and says which statement decided each check.")

EXIT_OK, EXIT_BAD_INPUT, EXIT_DENIED, EXIT_MISMATCH = 0, 1, 2, 3


@app.callback()
def _root() -> None:
    """Offline simulator of AWS IAM trust and permission policies.

    Exit codes: 0 as expected, 1 bad input, 2 denied, 3 an expectation did not hold.
    """


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def fail(message: str) -> NoReturn:
    """One clear message on stderr, exit 1, never a traceback."""
    sys.stderr.write(f"trustsim: error: {message}\n")
    raise typer.Exit(EXIT_BAD_INPUT)


def batch_mode() -> None:
    """A run over a large input makes millions of small, acyclic objects (the decoded JSON,
    the parsed policies, the results); the cyclic collector would rescan them again and
    again. Freeze what exists and collect less often: about a third off `evaluate` on 400
    cases of 200 statements (benchmarks/bench_evaluate.py)."""
    gc.freeze()
    gc.set_threshold(200_000, 20, 100)


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read: {exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}")


def report_errors(exc: TrustsimError) -> NoReturn:
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    for e in errors:
        sys.stderr.write(f"trustsim: error: {e.render() if isinstance(e, InputError) else e}\n")
    raise typer.Exit(EXIT_BAD_INPUT)


def emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# Options for a Terraform plan or CloudFormation template named among the paths
# (simulator/world_sources.py; a scenario gives them in world_from:).
AccountIdOption = Annotated[str | None, typer.Option(
    "--account-id", help="Plans/templates: the account their ARNs are built in (a Terraform "
                         "plan carries it in data.aws_caller_identity).")]
RegionOption = Annotated[str | None, typer.Option(
    "--region", help="Plans/templates: the region (required for a CloudFormation "
                     "template).")]
ParameterOption = Annotated[list[str] | None, typer.Option(
    "--parameter", help="CloudFormation: a template parameter, KEY=VALUE (repeatable).")]
StackNameOption = Annotated[str | None, typer.Option(
    "--stack-name", help="CloudFormation: the stack name (default: stack).")]
ManagedPolicyOption = Annotated[list[str] | None, typer.Option(
    "--managed-policy", help="Plans/templates: the document of a managed policy they attach "
                             "but do not define, ARN=FILE.json (repeatable; else it is "
                             "unknown and denies).")]


def _iac(account_id: str | None, region: str | None, parameters: list[str] | None,
         stack_name: str | None, managed_policies: list[str] | None = None) -> IacOptions:
    from .world_sources import IacOptions, parse_managed_policies, parse_parameters

    try:
        return IacOptions(account_id=account_id, region=region,
                          parameters=parse_parameters(parameters or []), stack_name=stack_name,
                          managed_policies=parse_managed_policies(managed_policies or []))
    except TrustsimError as exc:
        report_errors(exc)


@app.command()
def evaluate(
    cases: Annotated[Path, typer.Option("--cases", help="JSON file of single-call cases "
                                                        "(docs/cases.md).")],
    fmt: Annotated[Format, typer.Option("--format", help="table, json or jsonl.")]
    = Format.table,
    explain: Annotated[bool, typer.Option("--explain", help="Print the reasoning of each "
                                                            "case as a tree.")] = False,
    case_id: Annotated[str | None, typer.Option("--id", help="Only the case with this "
                                                             "id.")] = None,
    full: Annotated[bool, typer.Option("--full", help="With --explain: every statement, "
                                                      "not only the deciding ones and near "
                                                      "misses.")] = False,
) -> None:
    """Decide single API calls from a cases file and compare with their `expected`."""
    from .cases import case_list, run_cases
    from .reports import decision_dict

    raw = read_json(cases)
    batch_mode()
    try:
        items = case_list(raw, str(cases))
    except TrustsimError as exc:
        report_errors(exc)
    trace = explain or fmt is not Format.table
    outcomes = run_cases(items, trace=trace, trace_all=explain and full, only=case_id)
    if case_id is not None and not outcomes:
        fail(f"{cases}: no case with id {case_id!r}")
    records = []
    for o in outcomes:
        rec: dict[str, Any] = {"id": o.id, "decision": o.decision}
        if o.expected is not None:
            rec["expected"] = o.expected.value
            rec["matches"] = o.matches
        if o.error:
            rec["error"] = o.error
        if o.result is not None:
            rec.update({k: v for k, v in decision_dict(o.result).items() if k != "decision"})
        records.append(rec)
    errors = sum(1 for o in outcomes if o.error)
    mismatches = sum(1 for o in outcomes if o.matches is False)
    summary = {"cases": len(outcomes), "errors": errors, "mismatches": mismatches,
               "allow": sum(1 for o in outcomes if o.decision == "allow"),
               "explicit_deny": sum(1 for o in outcomes if o.decision == "explicit_deny"),
               "implicit_deny": sum(1 for o in outcomes if o.decision == "implicit_deny")}
    if fmt is Format.jsonl:
        emit("\n".join(json.dumps(r) for r in records) + "\n" + json.dumps({"summary": summary}))
    elif fmt is Format.json:
        emit(json.dumps({"cases": records, "summary": summary}, indent=2))
    else:
        _evaluate_table(outcomes, explain, full, summary)
    if errors:
        raise typer.Exit(EXIT_BAD_INPUT)
    raise typer.Exit(EXIT_MISMATCH if mismatches else EXIT_OK)


def _evaluate_table(outcomes: list[Any], explain: bool, full: bool,
                    summary: dict[str, int]) -> None:
    from .explain import explain_decision
    from .render import console, decision_style, table, tree

    out = console()
    rows, styles = [], []
    for o in outcomes:
        expected = o.expected.value if o.expected else "-"
        verdict = {True: "ok", False: "MISMATCH", None: "-"}[o.matches]
        why = o.error or (o.result.message if o.result else "")
        rows.append([o.id, o.decision, expected, verdict, why])
        styles.append(decision_style(o.decision) if o.matches is not False else "bold magenta")
    out.print(table("trustsim evaluate", ["case", "decision", "expected", "", "why"], rows,
                    styles))
    if explain:
        for o in outcomes:
            if o.result is not None:
                out.print(f"\n[bold]{o.id}[/]")
                out.print(tree(explain_decision(o.result, "full" if full else "fails")))
    out.print(f"{summary['cases']} cases: {summary['allow']} allow, "
              f"{summary['explicit_deny']} explicit deny, {summary['implicit_deny']} implicit "
              f"deny, {summary['errors']} errors, {summary['mismatches']} mismatches")


class CiFormat(str, Enum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


class FailOn(str, Enum):
    widen = "widen"
    any = "any"
    none = "none"


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _emit_checked(checked: Any, fmt: CiFormat) -> None:
    from .formats.json_reports import check_report
    from .formats.junit import check_junit
    from .formats.markdown import check_markdown
    from .formats.sarif import check_sarif

    if fmt is CiFormat.json:
        emit(json.dumps(check_report(checked), indent=2))
    elif fmt is CiFormat.sarif:
        emit(check_sarif(checked, _read))
    elif fmt is CiFormat.junit:
        emit(check_junit(checked))
    elif fmt is CiFormat.markdown:
        emit(check_markdown(checked))
    else:
        if checked.command != "lint":  # lint replays no flow
            _run_table(list(checked.flows))
        elif not checked.findings:
            emit("no lint findings")
        for a in checked.assertions:
            emit(f"{'ok' if a.holds else 'FAILS'}: {a.name}: {a.message}")
        for f in checked.findings:
            emit(f"{f.source}: {f}" if f.source else str(f))
        for u in checked.unknowns:
            emit(f"note: {u}")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders, Terraform "
                                                     "plans, CloudFormation templates.")],
    fmt: Annotated[CiFormat, typer.Option("--format", help="table, json, sarif, junit or "
                                                          "markdown.")] = CiFormat.table,
    lint: Annotated[bool, typer.Option("--lint", help="Also lint every policy.")] = False,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Gate a change: replay every flow and check every assertion; exit 3 when one fails."""
    from .check import check_scenarios, exit_code

    options = _iac(account_id, region, parameter, stack_name, managed_policy)
    try:
        checked = check_scenarios(_load(paths, options), lint=lint)
    except TrustsimError as exc:
        report_errors(exc)
    _emit_checked(checked, fmt)
    raise typer.Exit(exit_code(checked))


@app.command("lint")
def lint_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders, Terraform "
                                                     "plans, CloudFormation templates.")],
    fmt: Annotated[CiFormat, typer.Option("--format", help="table, json, sarif, junit or "
                                                          "markdown.")] = CiFormat.table,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3 on any finding, not only "
                                                          "errors.")] = False,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Condition-aware lint of every policy (confused deputy, public principals, PassRole,
    web identity, long-term keys); exit 3 on an error finding."""
    from .check import lint_exit_code, lint_scenarios
    from .formats.json_reports import lint_report

    options = _iac(account_id, region, parameter, stack_name, managed_policy)
    checked = lint_scenarios(_load(paths, options))
    if fmt is CiFormat.json:
        emit(json.dumps(lint_report(checked.findings, checked.unknowns), indent=2))
    else:
        _emit_checked(checked, fmt)
    raise typer.Exit(lint_exit_code(checked, strict=strict))


def _side(spec: str, temps: list[Path]) -> Path:
    from .git_revisions import revision_spec, root_of, scenarios_at_revision

    path = Path(spec)
    parsed = None if path.exists() else revision_spec(spec)
    if parsed is None:
        return path
    rev, folder = parsed
    try:
        out = scenarios_at_revision(Path.cwd(), rev, Path(folder))
    except TrustsimError as exc:
        report_errors(exc)
    temps.append(root_of(out, folder))
    return out


@app.command()
def diff(
    base: Annotated[str, typer.Argument(help="The world before: a folder/file (scenarios, a "
                                             "Terraform plan, a CloudFormation template), or "
                                             "REV:PATH (a git revision of a folder).")],
    head: Annotated[str, typer.Argument(help="The world after, in the same forms.")],
    fmt: Annotated[CiFormat, typer.Option("--format", help="table (markdown), json, sarif, "
                                                          "junit or markdown.")]
    = CiFormat.table,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="widen (default): exit 3 when "
                                                              "access widens; any; none.")]
    = FailOn.widen,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Every access newly allowed or newly denied between two versions of a world."""
    from .diff import diff_worlds
    from .formats.json_reports import diff_report
    from .formats.junit import diff_junit
    from .formats.markdown import diff_markdown
    from .formats.sarif import diff_sarif
    from .world_sources import diff_sides

    options = _iac(account_id, region, parameter, stack_name, managed_policy)
    temps: list[Path] = []
    try:
        before, after = diff_sides(_side(base, temps), _side(head, temps), options)
        result = diff_worlds(before, after)
    except TrustsimError as exc:
        report_errors(exc)
    finally:
        for t in temps:
            shutil.rmtree(t, ignore_errors=True)
    on: Literal["widen", "any", "none"] = fail_on.value
    if fmt is CiFormat.json:
        emit(json.dumps(diff_report(result, on), indent=2))
    elif fmt is CiFormat.sarif:
        emit(diff_sarif(result, on, _read))
    elif fmt is CiFormat.junit:
        emit(diff_junit(result, on))
    else:
        emit(diff_markdown(result, on))
    raise typer.Exit(EXIT_MISMATCH if result.fail(on) else EXIT_OK)


def _load(paths: list[Path], options: IacOptions | None = None) -> list[Scenario]:
    """Scenarios, and a flowless scenario per Terraform plan or CloudFormation template."""
    from .world_sources import load_scenario_sources

    try:
        return load_scenario_sources(paths, options)
    except TrustsimError as exc:
        report_errors(exc)


def _replay_all(scenarios: list[Any], flow: str | None = None) -> list[Any]:
    from .flow_unknowns import replay_scenario

    results = [r for s in scenarios for r in replay_scenario(s, flow)]
    if flow is not None and not results:
        names = ", ".join(f.name for s in scenarios for f in s.flows)
        fail(f"no flow named {flow!r} (flows: {names})")
    return results


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    fmt: Annotated[Format, typer.Option("--format", help="table, json or jsonl.")]
    = Format.table,
    flow: Annotated[str | None, typer.Option("--flow", help="Only the flow with this "
                                                            "name.")] = None,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Replay every flow of the scenarios and check each flow's expectations.

    Exit 0 when every expectation holds, 3 when one does not, 2 when a flow without
    expectations is denied, 1 on bad input."""
    from .flow_unknowns import scenario_unknowns
    from .reports import flow_dict, run_report

    scenarios = _load(paths, _iac(account_id, region, parameter, stack_name, managed_policy))
    results = _replay_all(scenarios, flow)
    unknowns = scenario_unknowns(scenarios)  # as check lists them
    if fmt is Format.json:
        emit(json.dumps(run_report(results, unknowns), indent=2))
    elif fmt is Format.jsonl:
        emit("\n".join(json.dumps(flow_dict(r)) for r in results))
    else:
        _run_table(results)
        for u in unknowns:
            emit(f"note: {u}")
    if any(r.expectation_met is False for r in results):
        raise typer.Exit(EXIT_MISMATCH)
    if any(r.expectation_met is None and r.outcome == "deny" for r in results):
        raise typer.Exit(EXIT_DENIED)
    raise typer.Exit(EXIT_OK)


def _run_table(results: list[Any]) -> None:
    from .render import console, table

    rows, styles = [], []
    for r in results:
        failed = next((s for s in r.stages if s.key == r.failed_stage), None)
        expected = r.expect.outcome + (f" at {r.expect.stage}" if r.expect and r.expect.stage
                                       else "") if r.expect else "-"
        met = {True: "ok", False: "MISMATCH", None: "-"}[r.expectation_met]
        rows.append([r.scenario, r.flow, r.outcome, r.failed_stage or "",
                     failed.message if failed else "", expected, met])
        styles.append("bold magenta" if r.expectation_met is False else
                      "green" if r.outcome == "allow" else "yellow")
    out = console()
    out.print(table("trustsim run", ["scenario", "flow", "outcome", "failed stage", "why",
                                     "expected", ""], rows, styles))
    bad = [r for r in results if r.expectation_met is False]
    for r in bad:
        out.print(f"[bold magenta]{r.scenario}/{r.flow}[/]: " + "; ".join(r.mismatches))
    for r in results:
        for note in r.notes:
            out.print(f"{r.scenario}/{r.flow}: note: {note}", markup=False)
    out.print(f"{len(results)} flows: {sum(r.outcome == 'allow' for r in results)} allow, "
              f"{sum(r.outcome == 'deny' for r in results)} deny, {len(bad)} expectation(s) "
              f"not met")


@app.command("explain")
def explain_cmd(
    path: Annotated[Path, typer.Argument(help="A scenario file.")],
    flow: Annotated[str | None, typer.Option("--flow", help="Only this flow.")] = None,
    walkthrough: Annotated[bool, typer.Option("--walkthrough", help="Tell the chain step "
                                                                    "by step in plain "
                                                                    "words.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Every statement of every policy, "
                                                      "not only deciding ones and near "
                                                      "misses.")] = False,
) -> None:
    """Explain a flow as a tree, stage by stage, with the deciding statements."""
    from .explain import explain_flow
    from .explain import walkthrough as tell
    from .render import console, tree
    from .scenarios import load_scenarios  # a scenario file only: a plan has no flows

    try:
        scenarios = load_scenarios([path])
    except TrustsimError as exc:
        report_errors(exc)
    results = _replay_all(scenarios, flow)
    out = console()
    for r in results:
        if walkthrough:
            for line in tell(r):
                out.print(line, markup=False)
            out.print()
        else:
            out.print(tree(explain_flow(r, "full" if full else "fails")))
    if any(r.expectation_met is False for r in results):
        raise typer.Exit(EXIT_MISMATCH)


class AnswerFormat(str, Enum):
    """who-can and reach answer in one document: no jsonl."""

    table = "table"
    json = "json"


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"


def _worlds(paths: list[Path], options: IacOptions) -> list[NamedWorld]:
    """A NamedWorld (name, world, unknowns) for each scenario, plan, template or
    account-data folder given (simulator/world_sources.py)."""
    from .world_sources import load_world_sources

    try:
        return load_world_sources(paths, options)
    except TrustsimError as exc:
        report_errors(exc)


def _unknown_notes(worlds: list[NamedWorld], out: Any = None) -> None:
    """What each world leaves unknown until deploy, one line each (on stderr when stdout
    is a machine format)."""
    for w in worlds:
        for u in w.unknowns:
            line = f"note: {w.name}: {u.describe()}"
            if out is None:
                sys.stderr.write(f"trustsim: {line}\n")
            else:
                out.print(line, markup=False)


def _unknowns_dict(world: NamedWorld) -> dict[str, Any]:
    return {"unknowns": [u.model_dump(mode="json") for u in world.unknowns]}


@app.command("who-can")
def who_can_cmd(
    action: Annotated[str, typer.Argument(help="The action, e.g. s3:GetObject.")],
    resource: Annotated[str, typer.Argument(help="The resource ARN, e.g. "
                                                 "arn:aws:s3:::customer-lake/*.")],
    worlds: Annotated[list[Path], typer.Argument(help="Scenario files/folders, account-data "
                                                      "estates, Terraform plans, "
                                                      "CloudFormation templates.")],
    fmt: Annotated[AnswerFormat, typer.Option("--format", help="table or json.")] \
        = AnswerFormat.table,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Every principal that can perform ACTION on RESOURCE, directly or through a chain of
    roles, with its shortest chain and what the chain requires (ExternalId, :sub, MFA)."""
    from .graph import build_graph
    from .graph_report import WHO_CAN_COLUMNS, who_can_dict, who_can_rows
    from .questions import check_question, who_can

    try:
        check_question(action, resource)
    except TrustsimError as exc:
        report_errors(exc)
    named = _worlds(worlds, _iac(account_id, region, parameter, stack_name, managed_policy))
    answers = [(w, who_can(build_graph(w.world), action, resource)) for w in named]
    if fmt is not AnswerFormat.table:
        emit(json.dumps({"schema_version": "1.0", "question": "who-can", "action": action,
                         "resource": resource,
                         "worlds": [{"world": w.name, **who_can_dict(a), **_unknowns_dict(w)}
                                    for w, a in answers]},
                        indent=2))
        return
    from .render import console, table

    out = console()
    for w, answer in answers:
        rows = who_can_rows(answer)
        out.print(table(f"who can {action} on {resource} ({w.name})", list(WHO_CAN_COLUMNS),
                        rows))
    _unknown_notes(named, out)


@app.command()
def reach(
    principal: Annotated[str, typer.Argument(help="A user or role ARN, a service principal, "
                                                  "or an account id.")],
    worlds: Annotated[list[Path], typer.Argument(help="Scenario files/folders, account-data "
                                                      "estates, Terraform plans, "
                                                      "CloudFormation templates.")],
    fmt: Annotated[AnswerFormat, typer.Option("--format", help="table or json.")] \
        = AnswerFormat.table,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """Everything PRINCIPAL can reach, by resource and access level, with the chain."""
    from .graph import build_graph
    from .graph_report import REACH_COLUMNS, reach_dict, reach_rows
    from .questions import reach as reach_of

    answers = []
    for w in _worlds(worlds, _iac(account_id, region, parameter, stack_name, managed_policy)):
        try:
            answers.append((w, reach_of(build_graph(w.world), principal)))
        except KeyError:
            continue
    if not answers:
        fail(f"{principal}: not a principal of the worlds given")
    if fmt is not AnswerFormat.table:
        emit(json.dumps({"schema_version": "1.0", "question": "reach", "principal": principal,
                         "worlds": [{"world": w.name, **reach_dict(a), **_unknowns_dict(w)}
                                    for w, a in answers]},
                        indent=2))
        return
    from .render import console, table

    out = console()
    for w, answer in answers:
        out.print(table(f"what {principal} can reach ({w.name})", list(REACH_COLUMNS),
                        reach_rows(answer)))
    _unknown_notes([w for w, _ in answers], out)


@app.command()
def graph(
    worlds: Annotated[list[Path], typer.Argument(help="Scenario files/folders, account-data "
                                                      "estates, Terraform plans, "
                                                      "CloudFormation templates.")],
    fmt: Annotated[GraphFormat, typer.Option("--format", help="dot (Graphviz), mermaid "
                                                              "(Markdown) or json "
                                                              "(node-link).")]
    = GraphFormat.mermaid,
    resource: Annotated[str | None, typer.Option("--resource", help="Only the paths that "
                                                                    "reach this "
                                                                    "resource.")] = None,
    account_id: AccountIdOption = None, region: RegionOption = None,
    parameter: ParameterOption = None, stack_name: StackNameOption = None,
    managed_policy: ManagedPolicyOption = None,
) -> None:
    """The world graph: principals, roles, resources, and the edges between them."""
    from .graph import build_graph
    from .graph_export import to_dot, to_json, to_mermaid
    from .questions import check_resource

    if resource is not None:
        try:
            check_resource(resource, "--resource")
        except TrustsimError as exc:
            report_errors(exc)
    named = _worlds(worlds, _iac(account_id, region, parameter, stack_name, managed_policy))
    for w in named:
        g = build_graph(w.world)
        if fmt is GraphFormat.json:
            emit(json.dumps({"world": w.name, **to_json(g, resource_filter=resource),
                             **_unknowns_dict(w)}, indent=2))
        elif fmt is GraphFormat.dot:
            emit(to_dot(g, resource_filter=resource))
        else:
            emit(to_mermaid(g, resource_filter=resource))
    if fmt is not GraphFormat.json:
        _unknown_notes(named)


def main() -> None:
    """The `trustsim` command. A usage error (an unknown option, a --format value a command
    does not print, a missing argument) is bad input: exit 1, not click's 2, which trustsim
    gives to a flow without expectations that was denied."""
    try:
        code = app(standalone_mode=False)
    except TrustsimError as exc:  # a bad input that slipped past a command's own handling
        sys.stderr.write(f"trustsim: error: {exc}\n")
        sys.exit(EXIT_BAD_INPUT)
    except typer.Abort:
        sys.stderr.write("trustsim: aborted\n")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:
        show = getattr(exc, "show", None)
        if show is None or not hasattr(exc, "exit_code"):  # not click's usage/parameter error
            raise
        show()
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(code if isinstance(code, int) else 0)
