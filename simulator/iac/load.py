"""Which files hold the infrastructure code? The only module of `simulator.iac` that reads
files: each entry point reads one file and hands its text to the matching reader.

A binary Terraform plan (`terraform plan -out=tfplan`) is a zip archive; the reader needs
its JSON form: `terraform show -json tfplan > plan.json`
(https://developer.hashicorp.com/terraform/cli/commands/show).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .cloudformation import world_from_cloudformation
from .proposed import IacWorld
from .terraform import world_from_terraform_plan

_ZIP_MAGIC = b"PK\x03\x04"


def _read(path: str | Path) -> str:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(p)) from None
    if data.startswith(_ZIP_MAGIC):
        raise InputError("a binary plan file: convert it with `terraform show -json "
                         f"{p.name} > {p.stem}.json`", source=str(p))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(p)) from None


def load_terraform_plan(path: str | Path, *, account_id: str | None = None,
                        region: str | None = None, partition: str | None = None,
                        managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """Read `terraform show -json` output from `path`; see `world_from_terraform_plan`."""
    text = _read(path)
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source=str(path),
                         location=f"line {exc.lineno} column {exc.colno}") from None
    return world_from_terraform_plan(plan, str(path), account_id=account_id, region=region,
                                     partition=partition, managed_policies=managed_policies)


def load_cloudformation(path: str | Path, account_id: str, region: str,
                        parameters: Mapping[str, str] | None = None, *,
                        partition: str = "aws", stack_name: str | None = None,
                        managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """Read a CloudFormation template (JSON or YAML) from `path`; see
    `world_from_cloudformation`."""
    return world_from_cloudformation(_read(path), str(path), account_id=account_id,
                                     region=region, partition=partition,
                                     parameters=parameters, stack_name=stack_name,
                                     managed_policies=managed_policies)
