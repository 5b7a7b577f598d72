"""Is this file a Terraform plan, a CloudFormation template, or neither? Decided by content.

- A Terraform plan or state, as `terraform show -json` prints it, is a JSON object with
  `format_version` and `planned_values` (a plan) or `values` (a state)
  (https://developer.hashicorp.com/terraform/internals/json-format). A binary plan file
  (a zip archive) counts as a plan too, so that its reader can say how to convert it.
- A CloudFormation template (JSON or YAML) has a `Resources` mapping whose entries have a
  `Type` starting with `AWS::`
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html).

Anything else (a scenario file, a policy document) is neither. Pure: the caller reads.
JSON is decoded; YAML is not parsed (templates use tags such as `!Ref` that only the
template reader knows): a YAML file is a template when a line starts with `Resources:` and
a resource has `Type: AWS::...`, so a folder of scenarios costs two regular
expressions per file, and a malformed template is reported by the template reader with
its line, not misread as a scenario.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

IacKind = Literal["terraform", "cloudformation"]
KIND_NAMES: dict[IacKind, str] = {"terraform": "a Terraform plan",
                                  "cloudformation": "a CloudFormation template"}
ZIP_MAGIC = b"PK\x03\x04"
_RESOURCES_LINE = re.compile(r"^Resources\s*:", re.MULTILINE)
_AWS_TYPE_LINE = re.compile(r"(?:^\s+|[{,]\s*)[\"']?Type[\"']?\s*:\s*[\"']?AWS::",
                            re.MULTILINE)


def iac_kind_of_data(data: Any) -> IacKind | None:
    """The kind of a decoded JSON or YAML document, or None."""
    if not isinstance(data, dict):
        return None
    if "format_version" in data and ("planned_values" in data or "values" in data):
        return "terraform"
    resources = data.get("Resources")
    if isinstance(resources, dict) and any(
            isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::")
            for r in resources.values()):
        return "cloudformation"
    return None


def iac_kind_of_text(text: str) -> IacKind | None:
    """The kind of a file's text (JSON when it starts with `{`, else YAML), or None; JSON
    that does not decode is neither (its own reader reports it)."""
    if text.lstrip().startswith("{"):
        try:
            return iac_kind_of_data(json.loads(text))
        except json.JSONDecodeError:
            return None
    if _RESOURCES_LINE.search(text) and _AWS_TYPE_LINE.search(text):
        return "cloudformation"
    return None


def iac_kind_of_bytes(data: bytes) -> IacKind | None:
    """The kind of a file's content; a zip archive is a binary Terraform plan."""
    if data.startswith(ZIP_MAGIC):
        return "terraform"
    try:
        return iac_kind_of_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None
