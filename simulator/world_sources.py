"""Which worlds do the paths on a command line name?

A path is, by its content (not its name):
- an **account-data folder**: account folders holding `authorization-details.json`
  (docs/account-data.md), read by simulator.account_data;
- a **Terraform plan** (`terraform show -json` output) or a **CloudFormation template**
  (simulator.iac.kind), read by simulator.iac with the command line's `--account-id`,
  `--region`, `--parameter KEY=VALUE` and `--stack-name` (`IacOptions`); its world is a
  scenario without flows, named after the file, carrying the file's unknowns;
- otherwise **scenario files and folders**, read by simulator.scenarios (a scenario takes
  its own IaC files from `world_from:`, with the options written there).

The readers do the reading; this module only chooses one per path and checks that the
options fit the paths (an option no path uses is an error, not silently ignored). Every
problem of every path is reported together.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .arn import is_account_id
from .errors import InputError, InputErrors, TrustsimError
from .iac.kind import IacKind
from .iac.load import iac_kind_of_file, load_iac
from .iac.proposed import Unknown
from .policy import PolicyKind, parse_policy
from .scenarios import Scenario, load_scenarios
from .world import World

PathKind = Literal["estate", "terraform", "cloudformation", "scenarios"]
_IAC_OPTIONS = "--account-id, --region, --parameter, --stack-name and --managed-policy"


class IacOptions(BaseModel):
    """What a plan or template named on the command line is read with: the account and
    region ARNs are built from, CloudFormation parameters and stack name."""

    model_config = ConfigDict(frozen=True)

    account_id: str | None = None
    region: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    stack_name: str | None = None
    managed_policies: dict[str, Path] = Field(default_factory=dict)  # ARN -> JSON file

    @property
    def given(self) -> bool:
        return bool(self.account_id or self.region or self.parameters or self.stack_name
                    or self.managed_policies)


class NamedWorld(BaseModel):
    """A world to ask questions of, the name to show it by, and what it leaves unknown."""

    model_config = ConfigDict(frozen=True)

    name: str
    world: World
    unknowns: tuple[Unknown, ...] = ()


def parse_parameters(items: Sequence[str]) -> dict[str, str]:
    """`--parameter KEY=VALUE` options -> {KEY: VALUE}; the value may contain `=`."""
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise InputError(f"--parameter {item!r}: write KEY=VALUE (a template parameter "
                             f"and its value)")
        if key in out:
            raise InputError(f"--parameter {key} is given twice")
        out[key.strip()] = value
    return out


def parse_managed_policies(items: Sequence[str]) -> dict[str, Path]:
    """`--managed-policy ARN=FILE` options -> {ARN: FILE}."""
    out: dict[str, Path] = {}
    for item in items:
        arn, eq, file = item.rpartition("=")
        if not eq or not arn.startswith("arn:") or not file:
            raise InputError(f"--managed-policy {item!r}: write ARN=FILE (the policy's ARN and "
                             f"a JSON file holding its document)")
        if arn in out:
            raise InputError(f"--managed-policy {arn} is given twice")
        out[arn] = Path(file)
    return out


def _managed_documents(options: IacOptions) -> dict[str, str]:
    """The documents of --managed-policy, read and checked here, so a problem names the
    policy's own file (an identity policy and a boundary have one grammar)."""
    out = {}
    for arn, path in options.managed_policies.items():
        try:
            out[arn] = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"--managed-policy {arn}: no such file {str(path)!r}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--managed-policy {arn}: cannot read {str(path)!r}: {exc}") \
                from None
        parse_policy(out[arn], name=arn, kind=PolicyKind.identity, source=str(path))
    return out


def is_estate(path: Path) -> bool:
    """An account-data folder (docs/account-data.md): account folders holding the output of
    `aws iam get-account-authorization-details`."""
    return path.is_dir() and any(path.glob("*/authorization-details.json"))


def path_kind(path: Path) -> PathKind:
    """What a path on the command line holds (see the module docstring)."""
    if path.is_dir():
        return "estate" if is_estate(path) else "scenarios"
    return iac_kind_of_file(path) or "scenarios"


def _check_options(kinds: Sequence[tuple[Path, PathKind]], options: IacOptions) -> None:
    iac = [k for _, k in kinds if k in ("terraform", "cloudformation")]
    if options.given and not iac:
        raise InputError(f"{_IAC_OPTIONS} apply to a Terraform plan or a CloudFormation "
                         f"template named on the command line; none is (a scenario gives "
                         f"them in world_from:)")
    if (options.parameters or options.stack_name) and "cloudformation" not in iac:
        raise InputError("--parameter and --stack-name apply to CloudFormation templates; "
                         "none is named on the command line")
    if options.account_id is not None and not is_account_id(options.account_id):
        raise InputError(f"--account-id {options.account_id!r} is not a 12-digit account id")


def _iac_scenario(path: Path, kind: IacKind, options: IacOptions) -> Scenario:
    if kind == "cloudformation" and (options.account_id is None or options.region is None):
        raise InputError("a CloudFormation template: pass --account-id and --region (its ARNs "
                         "and bucket names are built from them)", source=str(path))
    iac = load_iac(path, kind, account_id=options.account_id, region=options.region,
                   parameters=options.parameters or None, stack_name=options.stack_name,
                   managed_policies=_managed_documents(options) or None)
    return Scenario(name=path.name, source=str(path), world=iac.world, flows=(),
                    unknowns=iac.unknowns)


def _read(paths: Sequence[Path], options: IacOptions,
          estates: bool) -> list[Scenario | NamedWorld]:
    from .account_data import load_estate

    errors: list[InputError] = []
    for p in paths:
        if not p.exists():
            errors.append(InputError("no such file or folder", source=str(p)))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    kinds = [(p, path_kind(p)) for p in paths]
    _check_options(kinds, options)
    out: list[Scenario | NamedWorld] = []
    for p, kind in kinds:
        try:
            if kind == "estate" and estates:
                out.append(NamedWorld(name=p.name, world=load_estate(p)))
            elif kind in ("terraform", "cloudformation"):
                out.append(_iac_scenario(p, kind, options))
            else:
                out.extend(load_scenarios([p]))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
        except TrustsimError as exc:
            errors.append(InputError(str(exc), source=str(p)))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return out


def load_scenario_sources(paths: Sequence[Path], options: IacOptions | None = None
                          ) -> list[Scenario]:
    """Scenarios from scenario files/folders, and a flowless scenario for each Terraform
    plan or CloudFormation template (run, check, lint, diff)."""
    read = _read(paths, options or IacOptions(), estates=False)
    return [s for s in read if isinstance(s, Scenario)]


def load_world_sources(paths: Sequence[Path], options: IacOptions | None = None
                       ) -> list[NamedWorld]:
    """A world for each scenario, plan, template and account-data folder (who-can, reach,
    graph)."""
    out = []
    for item in _read(paths, options or IacOptions(), estates=True):
        if isinstance(item, NamedWorld):
            out.append(item)
        else:
            out.append(NamedWorld(name=item.name, world=item.world, unknowns=item.unknowns))
    return out


def diff_sides(base: Path, head: Path, options: IacOptions | None = None
               ) -> tuple[list[Scenario], list[Scenario]]:
    """The two sides of a diff. Scenarios are matched by name; when each side is one plan or
    one template, the two are compared whatever their file names."""
    options = options or IacOptions()
    before = load_scenario_sources([base], options)
    after = load_scenario_sources([head], options)
    single = path_kind(base) in ("terraform", "cloudformation") and \
        path_kind(head) in ("terraform", "cloudformation")
    if single and len(before) == len(after) == 1:
        after = [after[0].model_copy(update={"name": before[0].name})]
    return before, after
