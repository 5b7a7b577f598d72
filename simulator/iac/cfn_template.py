"""What does a CloudFormation template's text say? JSON or YAML -> plain data.

YAML is read with the loader of cfn-flip (`cfn_tools.CfnYamlLoader`, shipped in the
cfn-flip distribution and used by `cfn_flip.load`), which turns the short intrinsic tags
into their long form: `!Ref X` -> `{"Ref": "X"}`, `!GetAtt R.Arn` -> `{"Fn::GetAtt": ["R",
"Arn"]}`, `!Sub`, `!Join`, `!If`, `!Condition` ... (Template anatomy and short forms:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html).
`cfn_flip.load` itself tries JSON, then YAML, and re-raises the JSON error when both fail,
which loses the YAML error's line; so the format is chosen here (JSON when the text starts
with `{`) and the matching loader is called, to report malformed input with its line.

Two YAML surprises are undone: duplicate keys are rejected (PyYAML keeps the last one
silently; CloudFormation rejects the template), and YAML 1.1 dates (`Version: 2012-10-17`
unquoted) become text again, as CloudFormation reads them.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import yaml
from cfn_tools.yaml_loader import CfnYamlLoader, construct_mapping  # type: ignore[import-untyped]

from ..errors import InputError

_MAP_TAG = "tag:yaml.org,2002:map"


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int | None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class _TemplateLoader(CfnYamlLoader):  # type: ignore[misc]
    """cfn-flip's loader, refusing duplicate keys."""


def _strict_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
        if isinstance(key, (str, int, float, bool)):
            seen.add(key)
    return construct_mapping(loader, node, deep)


_TemplateLoader.add_constructor(_MAP_TAG, _strict_mapping)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key, None)
        out[key] = value
    return out


def _plain(value: Any) -> Any:
    """Plain dicts and lists; dates back to the text they were written as."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _load(text: str, source: str) -> Any:
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", source=source,
                             location=f"line {exc.lineno} column {exc.colno}") from None
    try:
        return yaml.load(text, Loader=_TemplateLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"not valid YAML: {exc.problem or exc.context}", source=source,
                         location=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", source=source) from None
    except (AttributeError, TypeError, ValueError) as exc:  # cfn-flip on a malformed tag
        raise InputError(f"not a valid intrinsic function tag: {exc}", source=source) from None


def parse_template(text: str, source: str) -> dict[str, Any]:
    """The template as plain data with long-form intrinsics, or InputError with its line."""
    try:
        data = _plain(_load(text, source))
    except _DuplicateKey as dup:
        where = f"line {dup.line}" if dup.line else ""
        raise InputError(f"duplicate key {dup.key!r} (CloudFormation rejects duplicate keys)",
                         source=source, location=where) from None
    if not isinstance(data, dict):
        raise InputError("a CloudFormation template must be a mapping with Resources",
                         source=source)
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise InputError("a template needs a non-empty Resources mapping", source=source,
                         location="Resources")
    for lid, res in resources.items():
        where = f"Resources.{lid}"
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            raise InputError("a resource needs a Type", source=source, location=where)
        if not isinstance(res.get("Properties", {}), dict):
            raise InputError("Properties must be a mapping", source=source,
                             location=f"{where}.Properties")
    for section in ("Parameters", "Conditions", "Mappings"):
        if not isinstance(data.get(section, {}), dict):
            raise InputError(f"{section} must be a mapping", source=source, location=section)
    return data
