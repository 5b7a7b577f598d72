"""What does this CloudFormation intrinsic function evaluate to, offline?

Resolved: `Ref` (parameters, pseudo parameters, resources), `Fn::GetAtt`, `Fn::Sub` (both
forms; `${Param}`, `${AWS::Region}`, `${Res}`, `${Res.Attr}`, `${!Literal}`), `Fn::Join`,
`Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`, `Fn::If` and the condition
functions (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`) when their inputs
are known, and `AWS::NoValue` (the property or list item is removed).
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html

Not resolvable offline, raised as `Unresolvable` with the place: `Fn::ImportValue` (another
stack's export), dynamic references `{{resolve:...}}`, SSM parameter types, a parameter
with neither Default nor a passed value, `AWS::NotificationARNs`, `Fn::GetAZs`,
`Fn::Cidr`, language-extension functions, and a condition depending on any of these.
A template CloudFormation would reject (a Ref to nothing, a bad Fn::Select index) raises
InputError instead. What a resource's Ref and GetAtt return is `simulator.iac.cfn_names`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from ..errors import InputError

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_CONDITION_FNS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


_INTRINSIC_STEP = re.compile(r"\.(?:Ref|Fn::[A-Za-z0-9]+)(?=[.\[]|$)")


def property_path(path: str) -> str:
    """`...Principal.AWS.Fn::Sub` -> `...Principal.AWS`: the property an intrinsic sits in."""
    return _INTRINSIC_STEP.split(path, maxsplit=1)[0]


class Unresolvable(Exception):
    """A value that exists only at deploy time; `path` is where the template uses it."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


class Resolver:
    """Evaluates intrinsics of one template. Resource Ref/GetAtt are `resource_ref` and
    `resource_att`, which a subclass provides; the base knows no resources' values."""

    def __init__(self, template: Mapping[str, Any], source: str,
                 parameters: Mapping[str, str], pseudo: Mapping[str, str]) -> None:
        self.template = template
        self.source = source
        self.resources: Mapping[str, Any] = template["Resources"]
        self.param_defs: Mapping[str, Any] = template.get("Parameters") or {}
        self.conditions: Mapping[str, Any] = template.get("Conditions") or {}
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.passed = parameters
        self.pseudo = pseudo
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        for name in parameters:
            if name not in self.param_defs:
                self.fail(f"parameter {name!r} is not declared in the template",
                          f"parameters.{name}")

    def fail(self, message: str, path: str) -> NoReturn:
        raise InputError(message, source=self.source, location=path)

    # --- resources (see cfn_names) ------------------------------------------------------

    def resource_ref(self, logical_id: str, path: str) -> Any:
        raise Unresolvable(f"Ref {logical_id} is known only after deploy", path)

    def resource_att(self, logical_id: str, attribute: str, path: str) -> Any:
        raise Unresolvable(f"{logical_id}.{attribute} is known only after deploy", path)

    # --- values -----------------------------------------------------------------------------

    def resolve(self, value: Any, path: str) -> Any:
        """`value` with every intrinsic evaluated; NO_VALUE for a removed value."""
        if isinstance(value, dict):
            if len(value) == 1:
                key, arg = next(iter(value.items()))
                if key == "Ref":
                    return self.ref(arg, f"{path}.Ref")
                if key.startswith("Fn::"):
                    return self.function(key, arg, f"{path}.{key}")
            out = {}
            for k, v in value.items():
                r = self.resolve(v, f"{path}.{k}")
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(value, list):
            items = (self.resolve(v, f"{path}[{i}]") for i, v in enumerate(value))
            return [r for r in items if r is not NO_VALUE]
        if isinstance(value, str) and "{{resolve:" in value:
            raise Unresolvable(f"dynamic reference {value!r} is resolved at deploy time", path)
        return value

    def ref(self, name: Any, path: str) -> Any:
        if not isinstance(name, str):
            self.fail("Ref takes the name of a parameter or resource", path)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            if name in self.pseudo:
                return self.pseudo[name]
            if name == "AWS::NotificationARNs":
                raise Unresolvable("AWS::NotificationARNs is known only at deploy time", path)
            self.fail(f"unknown pseudo parameter {name!r}", path)
        if name in self.param_defs:
            return self.parameter(name, path)
        if name in self.resources:
            return self.resource_ref(name, path)
        self.fail(f"Ref {name!r}: no such parameter or resource", path)

    def parameter(self, name: str, path: str) -> Any:
        spec = self.param_defs[name]
        spec = spec if isinstance(spec, dict) else {}
        kind = str(spec.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            raise Unresolvable(f"parameter {name} is read from SSM Parameter Store at deploy "
                               f"time", path)
        value = self.passed.get(name, spec.get("Default"))
        if value is None:
            raise Unresolvable(f"parameter {name} has no Default and no value was passed",
                               path)
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and text not in [str(a) for a in allowed]:
            self.fail(f"value {text!r} of parameter {name} is not one of its AllowedValues",
                      f"Parameters.{name}")
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return [part.strip() for part in text.split(",")]
        return text

    def function(self, name: str, arg: Any, path: str) -> Any:
        handler = {"Fn::GetAtt": self.get_att, "Fn::Sub": self.sub, "Fn::Join": self.join,
                   "Fn::Select": self.select, "Fn::Split": self.split, "Fn::If": self.if_,
                   "Fn::FindInMap": self.find_in_map, "Fn::Base64": self.base64}.get(name)
        if handler is not None:
            return handler(arg, path)
        if name == "Fn::ImportValue":
            raise Unresolvable("Fn::ImportValue: the value is exported by another stack", path)
        if name in _CONDITION_FNS:
            return self.condition_value(arg, name, path)
        raise Unresolvable(f"{name} is not evaluated offline", path)

    def _args(self, arg: Any, count: int, name: str, path: str) -> list[Any]:
        if not isinstance(arg, list) or len(arg) != count:
            self.fail(f"{name} takes a list of {count} values", path)
        out: list[Any] = arg
        return out

    def _text(self, value: Any, what: str, path: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(f"{what} must be a string", path)
        return str(value)

    def get_att(self, arg: Any, path: str) -> Any:
        if isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        logical_id, attribute = self._args(arg, 2, "Fn::GetAtt", path)
        attribute = self._text(self.resolve(attribute, f"{path}[1]"), "the attribute", path)
        if not isinstance(logical_id, str) or logical_id not in self.resources:
            self.fail(f"Fn::GetAtt {logical_id!r}: no such resource", path)
        return self.resource_att(logical_id, attribute, path)

    def sub(self, arg: Any, path: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(arg, list):
            text, mapping = self._args(arg, 2, "Fn::Sub", path)
            if not isinstance(mapping, dict):
                self.fail("the Fn::Sub variable map must be a mapping", f"{path}[1]")
            variables = {k: self.resolve(v, f"{path}[1].{k}") for k, v in mapping.items()}
        else:
            text = arg
        if not isinstance(text, str):
            self.fail("Fn::Sub takes a string", path)

        def value(match: re.Match[str]) -> str:
            var = match.group(1).strip()
            if var.startswith("!"):
                return "${" + var[1:] + "}"
            if var in variables:
                got = variables[var]
            elif "." in var and not var.startswith("AWS::"):
                got = self.get_att(var.split(".", 1), path)
            else:
                got = self.ref(var, path)
            return self._text(got, f"${{{var}}}", path)

        return _SUB_VAR.sub(value, text)

    def join(self, arg: Any, path: str) -> str:
        delimiter, items = self._args(arg, 2, "Fn::Join", path)
        items = self.resolve(items, f"{path}[1]")
        if not isinstance(delimiter, str) or not isinstance(items, list):
            self.fail("Fn::Join takes a delimiter and a list", path)
        return str(delimiter).join(self._text(i, "a joined value", path) for i in items)

    def select(self, arg: Any, path: str) -> Any:
        index, items = self._args(arg, 2, "Fn::Select", path)
        index = self.resolve(index, f"{path}[0]")
        items = self.resolve(items, f"{path}[1]")
        if not str(index).isdigit() or not isinstance(items, list) \
                or int(index) >= len(items):
            self.fail(f"Fn::Select index {index!r} is not an index of the list", path)
        return items[int(index)]

    def split(self, arg: Any, path: str) -> list[str]:
        delimiter, text = self._args(arg, 2, "Fn::Split", path)
        text = self._text(self.resolve(text, f"{path}[1]"), "the split string", path)
        return text.split(self._text(delimiter, "the delimiter", path))

    def find_in_map(self, arg: Any, path: str) -> Any:
        keys = [self._text(self.resolve(k, f"{path}[{i}]"), "a map key", path)
                for i, k in enumerate(self._args(arg, 3, "Fn::FindInMap", path))]
        found: Any = self.mappings
        for key in keys:
            if not isinstance(found, dict) or key not in found:
                self.fail(f"Fn::FindInMap: no {'.'.join(keys)} in Mappings", path)
            found = found[key]
        return self.resolve(found, f"Mappings.{'.'.join(keys)}")

    def base64(self, arg: Any, path: str) -> str:
        text = self._text(self.resolve(arg, path), "Fn::Base64's value", path)
        return base64.b64encode(text.encode()).decode()

    def if_(self, arg: Any, path: str) -> Any:
        name, when_true, when_false = self._args(arg, 3, "Fn::If", path)
        try:
            chosen = self.condition(name, f"{path}[0]")
        except Unresolvable as exc:
            raise Unresolvable(f"condition {name} cannot be evaluated: {exc.reason}",
                               path) from None
        return self.resolve(when_true if chosen else when_false,
                            f"{path}[{1 if chosen else 2}]")

    # --- conditions -------------------------------------------------------------------------

    def condition(self, name: Any, path: str) -> bool:
        if not isinstance(name, str) or name not in self.conditions:
            self.fail(f"no condition named {name!r} in Conditions", path)
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating:
            self.fail(f"condition {name} refers to itself", f"Conditions.{name}")
        self._evaluating.add(name)
        try:
            raw = self.conditions[name]
            if not isinstance(raw, dict) or len(raw) != 1:
                self.fail("a condition is one condition function", f"Conditions.{name}")
            key, arg = next(iter(raw.items()))
            result = self.condition_value(arg, key, f"Conditions.{name}.{key}")
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def condition_value(self, arg: Any, name: str, path: str) -> bool:
        if name == "Condition":
            return self.condition(arg, path)
        if name == "Fn::Equals":
            a, b = self._args(arg, 2, name, path)
            left, right = self.resolve(a, f"{path}[0]"), self.resolve(b, f"{path}[1]")
            return bool(left == right) or str(left) == str(right)
        if name == "Fn::Not":
            return not self._operand(self._args(arg, 1, name, path)[0], f"{path}[0]")
        if name in ("Fn::And", "Fn::Or") and isinstance(arg, list) and 2 <= len(arg) <= 10:
            values = [self._operand(a, f"{path}[{i}]") for i, a in enumerate(arg)]
            return all(values) if name == "Fn::And" else any(values)
        self.fail(f"{name} is not a condition function or has bad arguments", path)

    def _operand(self, value: Any, path: str) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            key, arg = next(iter(value.items()))
            if key in _CONDITION_FNS:
                return self.condition_value(arg, key, f"{path}.{key}")
        self.fail("expected a condition function", path)
