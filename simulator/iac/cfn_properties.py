"""What does a resource's property say, once its intrinsics are evaluated?

Helpers of the CloudFormation reader: each reads one property of one resource, turns what
cannot be resolved (`intrinsics.Unresolvable`) into an unknown at its property path
(`Properties.Policies[0].PolicyDocument.Statement[1].Resource`) and what CloudFormation
would reject into an InputError at its key path (`Resources.<LogicalId>.Properties...`).
"""

from __future__ import annotations

from typing import Any

from .cfn_names import StackResolver
from .drafts import Link, PolicyText
from .intrinsics import NO_VALUE, Unresolvable, property_path
from .proposed import Ledger


class Properties:
    """Reads the properties of one template's resources through its resolver."""

    def __init__(self, resolver: StackResolver, ledger: Ledger) -> None:
        self.r = resolver
        self.ledger = ledger

    def props(self, lid: str) -> dict[str, Any]:
        props: dict[str, Any] = self.r.resources[lid].get("Properties") or {}
        return props

    def value(self, lid: str, key: str, raw: Any = None) -> Any:
        """A property resolved (Unresolvable propagates); None when absent or AWS::NoValue."""
        raw = self.props(lid).get(key) if raw is None else raw
        value = None if raw is None else self.r.resolve(raw, f"Resources.{lid}.Properties.{key}")
        return None if value is NO_VALUE else value

    @staticmethod
    def attr(lid: str, exc: Unresolvable) -> str:
        return property_path(exc.path).removeprefix(f"Resources.{lid}.")

    def state(self, lid: str) -> str | None:
        """"" when the resource is created, None when not, the reason when unknown."""
        try:
            return "" if self.r.created(lid, f"Resources.{lid}.Condition") else None
        except Unresolvable as exc:
            return exc.reason

    def text(self, lid: str, key: str, name: str, unknown: str = "") -> PolicyText:
        location = f"Resources.{lid}.Properties.{key}"
        if key not in self.props(lid):
            self.r.fail(f"{key} is required", f"Resources.{lid}.Properties")
        base = {"address": lid, "attribute": f"Properties.{key}", "name": name,
                "location": location}
        if unknown:
            return PolicyText(**base, unknown=unknown)
        try:
            return PolicyText(**base, raw=self.value(lid, key))
        except Unresolvable as exc:
            return PolicyText(**{**base, "attribute": self.attr(lid, exc)}, unknown=exc.reason)

    def elements(self, lid: str, key: str, resolve: bool = True) -> list[tuple[str, Any]]:
        """(key path, element) of a list property, each element resolved unless `resolve` is
        False (AWS::NoValue items dropped)."""
        raw = self.props(lid).get(key)
        where = f"Resources.{lid}.Properties.{key}"
        if raw is None:
            return []
        if isinstance(raw, dict):  # an intrinsic giving the list: Fn::If, Ref to a list
            raw = self.value(lid, key) or []
        if not isinstance(raw, list):
            self.r.fail(f"{key} must be a list", where)
        out = []
        for i, item in enumerate(raw):
            value = self.r.resolve(item, f"{where}[{i}]") if resolve else item
            if value is not NO_VALUE:
                out.append((f"{where}[{i}]", value))
        return out

    def links(self, lid: str, key: str) -> tuple[Link, ...]:
        try:
            items = self.elements(lid, key)
        except Unresolvable as exc:
            return (Link(address=lid, attribute=self.attr(lid, exc), unknown=exc.reason),)
        out = []
        for path, value in items:
            if not isinstance(value, str) or not value:
                self.r.fail("must be a name or an ARN", path)
            out.append(Link(address=lid, attribute=path.removeprefix(f"Resources.{lid}."),
                            value=value))
        return tuple(out)

    def link(self, lid: str, key: str) -> Link | None:
        if key not in self.props(lid):
            return None
        try:
            value = self.value(lid, key)
        except Unresolvable as exc:
            return Link(address=lid, attribute=self.attr(lid, exc), unknown=exc.reason)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.r.fail("must be a name or an ARN", f"Resources.{lid}.Properties.{key}")
        return Link(address=lid, attribute=f"Properties.{key}", value=value)

    def inline(self, lid: str) -> tuple[PolicyText, ...]:
        """The `Policies` of a role, user or group; an unresolvable one is unknown alone."""
        where = f"Resources.{lid}.Properties.Policies"
        try:
            items = self.elements(lid, "Policies", resolve=False)
        except Unresolvable as exc:
            return (PolicyText(address=lid, attribute=self.attr(lid, exc), name=f"{lid} inline",
                               unknown=exc.reason, location=where),)
        out = []
        for i, (path, raw) in enumerate(items):
            attribute = f"Properties.Policies[{i}].PolicyDocument"
            try:
                item = self.r.resolve(raw, path)
            except Unresolvable as exc:
                name = raw.get("PolicyName") if isinstance(raw, dict) else None
                out.append(PolicyText(address=lid, attribute=self.attr(lid, exc),
                                      name=name if isinstance(name, str) else f"Policies[{i}]",
                                      unknown=exc.reason, location=f"{path}.PolicyDocument"))
                continue
            if item is NO_VALUE:
                continue
            if not isinstance(item, dict) or "PolicyDocument" not in item:
                self.r.fail("an inline policy needs PolicyName and PolicyDocument", path)
            name = item.get("PolicyName")
            out.append(PolicyText(address=lid, attribute=attribute,
                                  name=name if isinstance(name, str) else f"Policies[{i}]",
                                  raw=item["PolicyDocument"], location=f"{path}.PolicyDocument"))
        return tuple(out)

    def number(self, lid: str, key: str, default: int, arn: str) -> int:
        try:
            value = self.value(lid, key)
        except Unresolvable as exc:
            self.ledger.unknown(lid, self.attr(lid, exc), exc.reason, (arn,), str(default))
            return default
        if value is None:
            return default
        if isinstance(value, bool) or not str(value).isdigit():
            self.r.fail("must be a whole number", f"Resources.{lid}.Properties.{key}")
        return int(value)

    def tags(self, lid: str, arn: str) -> dict[str, str]:
        try:
            items = self.elements(lid, "Tags")
        except Unresolvable as exc:
            self.ledger.unknown(lid, self.attr(lid, exc), exc.reason, (arn,), "no tags")
            return {}
        out = {}
        for path, tag in items:
            if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str):
                self.r.fail("a tag is {Key, Value}", path)
            out[tag["Key"]] = str(tag.get("Value", ""))
        return out
