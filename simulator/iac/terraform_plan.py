"""What does a `terraform show -json` plan say about each resource?

Format: https://developer.hashicorp.com/terraform/internals/json-format
- `planned_values.root_module` holds `resources[]` (`address`, `mode`, `type`, `name`,
  `index`, `values`) and `child_modules[]` (each with its `address` and the same two
  lists, recursively). Values known only after apply are left out of `values`.
- `resource_changes[].change.after_unknown` mirrors `after` with `true` where a value is
  known only after apply.
- `configuration.root_module` holds each resource's unevaluated `expressions`, keyed by
  module-relative address, with `references` such as `["aws_iam_role.x.name",
  "aws_iam_role.x"]`, and `module_calls.<name>` with the call's `expressions` and its
  `module`. Dynamic blocks do not appear there.
- `format_version`: reject an unsupported major version.
A state (`terraform show -json` of a state file) has `values.root_module` instead; it has
no unknowns and is read the same way.

An attribute known only after apply is sometimes still identifiable: `role =
aws_iam_role.x.id` is unknown in the plan, but its expression refers to exactly one
resource, whose name is known. `linked()` follows such references when the expression
refers to nothing else than resources of the expected types (and `count.index`,
`each.*`), through `var.*` into the module call's expression, never through `local.*`,
`data.*` or module outputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import InputError

_REF = re.compile(r"^(?P<type>[a-z0-9][a-z0-9_]*)\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"
                  r"(?:\[(?P<key>[^\]]+)\])?(?:\..*)?$")
_IGNORED_REFS = ("count.", "each.", "path.", "terraform.")
_MODULE_KEY = re.compile(r"\[[^\]]*\]")


class PlannedResource(BaseModel):
    """One resource instance as planned: its values, what is unknown, its configuration."""

    model_config = ConfigDict(frozen=True)

    address: str
    module: str
    mode: str
    type: str
    name: str
    index: int | str | None = None
    values: dict[str, Any]
    after_unknown: Any = None
    expressions: dict[str, Any] | None = None

    def unknown(self, attribute: str) -> bool:
        """Is the whole attribute (or any part of it) known only after apply?"""
        marker = self.after_unknown.get(attribute) if isinstance(self.after_unknown, dict) \
            else None
        return _any_true(marker)

    def configured(self, attribute: str) -> bool | None:
        """Does the configuration set the attribute? None when the plan has no configuration."""
        if self.expressions is None:
            return None
        return attribute in self.expressions

    def references(self, attribute: str) -> list[str] | None:
        expr = (self.expressions or {}).get(attribute)
        refs = expr.get("references") if isinstance(expr, dict) else None
        return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else None


def _any_true(marker: Any) -> bool:
    if marker is True:
        return True
    if isinstance(marker, dict):
        return any(_any_true(v) for v in marker.values())
    if isinstance(marker, list):
        return any(_any_true(v) for v in marker)
    return False


def part_unknown(resource: PlannedResource, attribute: str, index: int, key: str) -> bool:
    """Is `attribute[index].key` (a nested block's field) known only after apply?"""
    marker = resource.after_unknown.get(attribute) if isinstance(resource.after_unknown, dict) \
        else None
    if marker is True:
        return True
    if isinstance(marker, list) and index < len(marker) and isinstance(marker[index], dict):
        return _any_true(marker[index].get(key))
    return False


class Plan(BaseModel):
    """The plan's resource instances and its module calls (config path -> expressions)."""

    model_config = ConfigDict(frozen=True)

    resources: tuple[PlannedResource, ...]
    module_calls: dict[str, dict[str, Any]]

    def of_type(self, *types: str, mode: str = "managed") -> list[PlannedResource]:
        return [r for r in self.resources if r.type in types and r.mode == mode]

    def linked(self, resource: PlannedResource, attribute: str,
               types: Sequence[str]) -> list[PlannedResource] | None:
        """The resources an unknown attribute's expression refers to (see module docstring),
        or None when its expression refers to anything else."""
        refs = resource.references(attribute)
        if not refs:
            return None
        return self._follow(resource.module, refs, tuple(types), resource.index, depth=0)

    def _follow(self, module: str, refs: list[str], types: tuple[str, ...],
                index: int | str | None, depth: int) -> list[PlannedResource] | None:
        variables = sorted({r.split(".")[1] for r in refs if r.startswith("var.")
                            and len(r.split(".")) > 1})
        subjects: dict[tuple[str, str], str | None] = {}
        for ref in refs:
            if ref.startswith(_IGNORED_REFS) or ref.startswith("var."):
                continue
            m = _REF.match(ref)
            if m is None or m["type"] not in types:
                return None
            prev = subjects.get((m["type"], m["name"]))
            subjects[(m["type"], m["name"])] = prev if prev is not None else m["key"]
        if variables and subjects or len(variables) > 1:
            return None
        if variables:
            return self._through_variable(module, variables[0], types, depth)
        found = [self._instance(module, t, n, key, index) for (t, n), key in subjects.items()]
        if not found or any(f is None for f in found):
            return None
        return [f for f in found if f is not None]

    def _through_variable(self, module: str, variable: str, types: tuple[str, ...],
                          depth: int) -> list[PlannedResource] | None:
        if not module or depth > 8:
            return None
        parent = module.rpartition(".module.")[0] if ".module." in module else ""
        expr = self.module_calls.get(config_path(module), {}).get(variable)
        refs = expr.get("references") if isinstance(expr, dict) else None
        if not isinstance(refs, list) or not refs:
            return None
        return self._follow(parent, [r for r in refs if isinstance(r, str)], types, None,
                            depth + 1)

    def _instance(self, module: str, type_: str, name: str, key: str | None,
                  index: int | str | None) -> PlannedResource | None:
        candidates = [r for r in self.resources if r.module == module and r.type == type_
                      and r.name == name and r.mode == "managed"]
        if key is not None:
            try:
                wanted = json.loads(key)
            except json.JSONDecodeError:
                return None
            candidates = [r for r in candidates if r.index == wanted]
        elif len(candidates) > 1:
            candidates = [r for r in candidates if index is not None and r.index == index]
        return candidates[0] if len(candidates) == 1 else None


def config_path(module: str) -> str:
    """`module.a["x"].module.b[0]` -> `a.b` (how the configuration section nests calls)."""
    if not module:
        return ""
    bare = _MODULE_KEY.sub("", module)
    return ".".join(p for p in bare.split(".") if p != "module")


def _expect(value: Any, kind: type, what: str, source: str, location: str) -> Any:
    if not isinstance(value, kind):
        raise InputError(f"{what} must be {'an object' if kind is dict else 'a list'}",
                         source=source, location=location)
    return value


def _configuration(plan: Mapping[str, Any]
                   ) -> tuple[dict[tuple[str, str, str], dict[str, Any]], dict[str, Any]]:
    exprs: dict[tuple[str, str, str], dict[str, Any]] = {}
    calls: dict[str, Any] = {}
    config = plan.get("configuration")
    if not isinstance(config, dict):
        return exprs, calls
    stack: list[tuple[str, Any]] = [("", config.get("root_module"))]
    while stack:
        path, module = stack.pop()
        if not isinstance(module, dict):
            continue
        for r in module.get("resources") or []:
            if isinstance(r, dict) and isinstance(r.get("address"), str):
                e = r.get("expressions")
                exprs[(path, r.get("mode", "managed"), r["address"])] = e if isinstance(e, dict) \
                    else {}
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                child = f"{path}.{name}" if path else name
                calls[child] = call.get("expressions") if isinstance(call.get("expressions"),
                                                                     dict) else {}
                stack.append((child, call.get("module")))
    return exprs, calls


def read_plan(plan: Mapping[str, Any], source: str) -> Plan:
    """Every resource instance of the plan (or state), with unknowns and configuration."""
    if not isinstance(plan, Mapping):
        raise InputError("a Terraform plan must be a JSON object (terraform show -json)",
                         source=source)
    version = plan.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise InputError(f"unsupported format_version {version!r} (this reader knows 1.x)",
                         source=source, location="format_version")
    top = "planned_values" if "planned_values" in plan else "values"
    if top not in plan:
        raise InputError("no planned_values: not the output of terraform show -json of a plan",
                         source=source)
    body = _expect(plan[top], dict, top, source, top)
    unknowns: dict[str, Any] = {}
    for i, rc in enumerate(plan.get("resource_changes") or []):
        where = f"resource_changes[{i}]"
        rc = _expect(rc, dict, "a resource change", source, where)
        change = _expect(rc.get("change"), dict, "change", source, f"{where}.change")
        unknowns[str(rc.get("address"))] = change.get("after_unknown")
    exprs, calls = _configuration(plan)
    out: list[PlannedResource] = []
    stack: list[tuple[Any, str, str]] = [(body.get("root_module", {}), "", f"{top}.root_module")]
    while stack:
        module, address, where = stack.pop(0)
        module = _expect(module, dict, "a module", source, where)
        for i, r in enumerate(_expect(module.get("resources", []), list, "resources", source,
                                      f"{where}.resources")):
            out.append(_resource(r, address, source, f"{where}.resources[{i}]", unknowns, exprs))
        children = _expect(module.get("child_modules", []), list, "child_modules", source,
                           f"{where}.child_modules")
        for i, child in enumerate(children):
            at = f"{where}.child_modules[{i}]"
            child = _expect(child, dict, "a module", source, at)
            if not isinstance(child.get("address"), str):
                raise InputError("a child module needs its address", source=source, location=at)
            stack.append((child, child["address"], at))
    return Plan(resources=tuple(out), module_calls=calls)


def _resource(raw: Any, module: str, source: str, where: str, unknowns: Mapping[str, Any],
              exprs: Mapping[tuple[str, str, str], dict[str, Any]]) -> PlannedResource:
    raw = _expect(raw, dict, "a resource", source, where)
    for key in ("address", "type", "name"):
        if not isinstance(raw.get(key), str):
            raise InputError(f"a resource needs a string {key!r}", source=source, location=where)
    values = raw.get("values", {})
    values = _expect({} if values is None else values, dict, "values", source, f"{where}.values")
    mode = raw.get("mode", "managed")
    relative = ("data." if mode == "data" else "") + f"{raw['type']}.{raw['name']}"
    return PlannedResource(address=raw["address"], module=module, mode=mode, type=raw["type"],
                           name=raw["name"], index=raw.get("index"), values=values,
                           after_unknown=unknowns.get(raw["address"]),
                           expressions=exprs.get((config_path(module), mode, relative))
                           if exprs else None)
