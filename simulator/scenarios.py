"""What does a scenario file say? YAML or JSON text -> Scenario (a World and its flows).

The only YAML reader. The format is documented in docs/scenarios.md; its JSON Schema
(`scenario_json_schema()`, checked in as docs/scenario.schema.json) comes from the models
of scenario_format.py. Reading goes: text -> data (with the line of every key) -> well-formed
sections (scenario_sections.py) -> World (scenario_world.py) -> flows (scenario_flows.py).
Every problem of a file is reported at once (InputErrors), each naming the file, the key
path and, for YAML, the line.

YAML is read with only `true`/`false` and `null` resolved implicitly: every other plain
scalar stays text. So `Version: 2012-10-17` stays a string (YAML 1.1 reads a date),
`444455556666` stays an account id, `no` stays the word "no"; numbers where the format
wants numbers (`max_session_duration: 3600`) are converted by the models. A key given twice
in one mapping is an error (YAML would silently keep the last).

`load_scenario_text` is pure: the caller passes `read_file`, which resolves a policy file
name relative to the scenario and raises InputError when it is missing, and `read_world`,
which reads a `world_from:` entry (a Terraform plan or CloudFormation template beside the
scenario, simulator.iac) into an IacWorld; scenario_world_from.py joins those worlds with
the file's own.
`load_scenarios` is the one I/O entry point: files, or folders searched recursively for
`*.yaml`, `*.yml` and `*.json` (hidden files and folders skipped). In a folder, a JSON file
is a scenario when its top level has a `flows` or `roles` key; a policy document
(`Statement`), a Terraform plan or a CloudFormation template is skipped (the scenarios that
name it read it); any other JSON file is reported. A file named on the command line is read
as a scenario, unless its content is a plan or a template, which is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from .account_data_fields import Problems, at, kind_of
from .assertion_specs import NoExternalAssume, OnlyPrincipals, parse_assertions
from .errors import InputError, InputErrors
from .flows import Flow
from .iac.kind import KIND_NAMES, iac_kind_of_data, iac_kind_of_text
from .iac.proposed import IacWorld, Unknown
from .scenario_flows import build_flows
from .scenario_format import RawScenario, RawTerraformSource
from .scenario_policies import PolicyRefs
from .scenario_sections import read_sections
from .scenario_world import build_world
from .scenario_world_from import (
    ReadWorld,
    WorldSourceEntry,
    combine,
    entry_file,
    merge,
    read_sources,
)
from .world import World

SUFFIXES = (".yaml", ".yml", ".json")
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_TAG = "tag:yaml.org,2002:"


class Scenario(BaseModel):
    """One scenario file, read and checked: the world it describes (with what its
    world_from files build) and its flows. `unknowns` are the values those files leave
    unknown until deploy (simulator.iac)."""

    model_config = ConfigDict(frozen=True)

    name: str
    about: str = ""
    source: str
    world: World
    flows: tuple[Flow, ...]
    assertions: tuple[OnlyPrincipals | NoExternalAssume, ...] = ()
    unknowns: tuple[Unknown, ...] = ()


# libyaml's parser when PyYAML was built with it (5-10x faster); the pure-Python one else
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc]
    """SafeLoader resolving only booleans and null implicitly (see the module docstring)."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(f"{_TAG}bool", re.compile(
    r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(f"{_TAG}null", re.compile(
    r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Loader.add_implicit_resolver(f"{_TAG}merge", re.compile(r"^(?:<<)$"), ["<"])


class _Decoder:
    """Builds plain data from YAML nodes, noting the line of every key path."""

    def __init__(self, source: str, problems: Problems) -> None:
        self.source = source
        self.problems = problems
        self.lines: dict[str, int] = {}
        self.active: set[int] = set()

    def value(self, node: yaml.Node, where: str) -> Any:
        if id(node) in self.active:
            self.problems.error("an alias refers to a node that contains it", self.source,
                                where)
            return None
        self.active.add(id(node))
        try:
            return self._value(node, where)
        finally:
            self.active.discard(id(node))

    def _value(self, node: yaml.Node, where: str) -> Any:
        self.lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, at(where, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, where)
        tag = node.tag.removeprefix(_TAG)
        if tag == "bool":
            return node.value.lower() in ("true", "yes", "on")
        if tag == "null":
            return None
        if tag not in ("str", "int", "float"):
            self.problems.error(f"unsupported YAML tag {node.tag} (line "
                                f"{node.start_mark.line + 1})", self.source, where)
        return node.value

    def mapping(self, node: yaml.MappingNode, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: list[Any] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == f"{_TAG}merge":
                merged.append(self.value(value_node, where))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.error(f"a key must be plain text (line {line})", self.source,
                                    where)
                continue
            key = str(key_node.value)
            path = at(where, key)
            if key in out:
                self.problems.error(f"key {key!r} is given twice in this mapping (line "
                                    f"{self.lines.get(path)} and line {line})", self.source,
                                    path)
                continue
            self.lines[path] = line
            out[key] = self.value(value_node, path)
        for extra in merged:
            for part in extra if isinstance(extra, list) else [extra]:
                if isinstance(part, dict):
                    for key, value in part.items():
                        out.setdefault(key, value)
                else:
                    self.problems.error(f"<< merges a mapping, got {kind_of(part)}",
                                        self.source, where)
        return out


def _yaml(text: str, source: str, problems: Problems) -> tuple[Any, dict[str, int]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(f"not valid YAML: {exc.problem or exc.context}{place}",
                         source=source) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", source=source) from None
    if node is None:
        raise InputError("the file is empty", source=source)
    decoder = _Decoder(source, problems)
    return decoder.value(node, ""), decoder.lines


class _Pairs(dict[str, Any]):
    """A decoded JSON object that remembers the keys it was given twice."""

    twice: list[str]


def _pairs(items: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs()
    out.twice = []
    for key, value in items:
        if key in out:
            out.twice.append(key)
        out[key] = value
    return out


def _twice(data: Any, where: str, source: str, problems: Problems) -> None:
    if isinstance(data, _Pairs):
        for key in data.twice:
            problems.error(f"key {key!r} is given twice in this object", source, at(where, key))
    if isinstance(data, dict):
        for key, value in data.items():
            _twice(value, at(where, key), source, problems)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _twice(value, at(where, i), source, problems)


def _json(text: str, source: str, problems: Problems) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                         source=source) from None
    _twice(data, "", source, problems)
    return data


def _line(location: str, lines: dict[str, int]) -> int | None:
    """The line of `location` or of the nearest enclosing key path that has one."""
    while location:
        if location in lines:
            return lines[location]
        cut = max(location.rfind("."), location.rfind("["))
        location = location[:cut] if cut > 0 else ""
    return None


def _report(errors: list[InputError], lines: dict[str, int],
            source: str) -> InputError | InputErrors:
    """The problems in order of line; only problems of `source` itself get a line (the
    others are inside a world_from file and carry their own place)."""
    out: list[tuple[int, InputError]] = []
    seen: set[tuple[str, str, str]] = set()
    for e in errors:
        if (e.source, e.location, e.message) in seen:
            continue
        seen.add((e.source, e.location, e.message))
        line = _line(e.location, lines) if e.source == source else None
        placed = e if line is None or "(line " in e.message else type(e)(
            f"{e.message} (line {line})", source=e.source, location=e.location)
        out.append((line or 0, placed))
    ordered = [e for _, e in sorted(out, key=lambda pair: pair[0])]
    return ordered[0] if len(ordered) == 1 else InputErrors(ordered)


def _no_world_files(entry: WorldSourceEntry, managed: Mapping[str, Any]) -> IacWorld:
    raise InputError("world_from files are read by load_scenarios (this reader was given no "
                     "read_world)")


def load_scenario_text(text: str, source: str, read_file: Callable[[str], str],
                       read_world: ReadWorld = _no_world_files) -> Scenario:
    """Read one scenario file's text (YAML, or JSON when `source` ends in .json), or raise
    InputError / InputErrors naming `source`, the key path and the line of each problem."""
    problems = Problems()
    lines: dict[str, int] = {}
    if source.lower().endswith(".json"):
        data = _json(text, source, problems)
    else:
        data, lines = _yaml(text, source, problems)
    sections = read_sections(data, source, problems)
    refs = PolicyRefs(sections.policies, source, read_file, problems)
    outside = combine(read_sources(sections, read_world, problems, source, refs), problems,
                      source)
    own, broken = build_world(sections, refs, problems, source, outside.world)
    world = merge(own, sections, outside, problems, source) if sections.world_from else own
    flows = build_flows(sections, world, refs, problems, source, broken)
    refs.check_unused()
    raw_assertions = data.get("assertions") if isinstance(data, dict) else None
    checks = problems.attempt(parse_assertions, raw_assertions, "assertions", source) or ()
    for i, check in enumerate(checks):
        role = getattr(check, "role", None)
        if role is not None and role not in world.roles_by_arn:
            problems.error(f"no role {role} in this scenario", source,
                           f"assertions[{i}].no_external_assume.role")
    if problems.errors:
        raise _report(problems.errors, lines, source)
    return Scenario(name=sections.name, about=sections.about, source=source, world=world,
                    flows=flows, assertions=checks, unknowns=outside.unknowns)


def _file_reader(base: Path) -> Callable[[str], str]:
    def read(name: str) -> str:
        path = base / name
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"policy file {name!r} not found (looked for {path})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read policy file {name!r}: {exc}") from None
    return read


def _world_reader(base: Path) -> ReadWorld:
    """Reads a world_from entry's file, relative to the scenario's folder; a problem with
    the entry itself (no such file, the other kind) is raised without a source, for the
    scenario reader to place at the entry."""
    def read(entry: WorldSourceEntry, managed: Mapping[str, Any]) -> IacWorld:
        from .iac.load import load_iac  # the readers, only for scenarios that use them

        key, name = entry_file(entry)
        path = base / name
        if not path.is_file():
            raise InputError(f"file {name!r} not found (looked for {path})")
        try:
            if isinstance(entry, RawTerraformSource):
                return load_iac(path, "terraform", account_id=entry.account_id,
                                region=entry.region, partition=entry.partition,
                                managed_policies=managed)
            return load_iac(path, "cloudformation", account_id=entry.account_id,
                            region=entry.region, partition=entry.partition,
                            parameters=entry.parameters, stack_name=entry.stack_name,
                            managed_policies=managed)
        except InputErrors:
            raise
        except InputError as exc:
            if exc.source == str(path) and not exc.location:
                raise InputError(f"{name}: {exc.message}") from None
            raise
    return read


def _skipped_in_folder(text: str, path: Path) -> bool:
    """In a folder: is this file read through the scenarios that name it (a policy
    document, a Terraform plan, a CloudFormation template) rather than a scenario?"""
    if path.suffix.lower() != ".json":
        return iac_kind_of_text(text) is not None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False  # reported when read as a scenario
    if isinstance(data, dict) and ("flows" in data or "roles" in data):
        return False
    if isinstance(data, dict) and "Statement" in data or iac_kind_of_data(data):
        return True
    raise InputError("neither a scenario (a top-level flows or roles key), a policy "
                     "document (Statement), a Terraform plan nor a CloudFormation template",
                     source=str(path))


def _not_a_scenario(text: str, path: Path) -> None:
    """A file named on its own that holds infrastructure code is reported, not misread."""
    kind = iac_kind_of_text(text)
    if kind is not None:
        raise InputError(f"{KIND_NAMES[kind]}, not a scenario file: name it in a scenario's "
                         f"world_from:, or pass it to who-can, reach, graph, lint, check, "
                         f"diff or run", source=str(path))


def _files(path: Path) -> list[Path]:
    found = (p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return sorted(p for p in found
                  if not any(part.startswith(".") for part in p.relative_to(path).parts))


def load_scenarios(paths: Sequence[Path]) -> list[Scenario]:
    """Read scenario files and folders (see the module docstring); every problem of every
    file is reported together."""
    scenarios: list[Scenario] = []
    errors: list[InputError] = []
    for path in paths:
        if not path.exists():
            errors.append(InputError("no such file or folder", source=str(path)))
            continue
        in_folder = path.is_dir()
        for file in _files(path) if in_folder else [path]:
            try:
                text = file.read_text(encoding="utf-8")
                if in_folder and _skipped_in_folder(text, file):
                    continue
                if not in_folder:
                    _not_a_scenario(text, file)
                scenarios.append(load_scenario_text(text, str(file), _file_reader(file.parent),
                                                    _world_reader(file.parent)))
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(InputError(f"cannot read: {exc}", source=str(file)))
            except InputErrors as exc:
                errors.extend(exc.errors)
            except InputError as exc:
                errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return scenarios


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (docs/scenario.schema.json)."""
    schema = RawScenario.model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "title": "trustsim scenario", **{
        k: v for k, v in schema.items() if k != "title"}}
