"""Which files hold the infrastructure code? The only module of `simulator.iac` that reads
files: each entry point reads one file and hands its text to the matching reader.
`load_iac` reads a file whose kind is found from its content (`simulator.iac.kind`), or
checked against the kind the caller expects. The readers are imported when a file is
read, so that telling the kind of a file costs no more than reading it.

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
from .kind import KIND_NAMES, ZIP_MAGIC, IacKind, iac_kind_of_bytes
from .proposed import IacWorld

_FORMS: dict[IacKind, str] = {
    "terraform": " (`terraform show -json` output: format_version and planned_values or "
                 "values)",
    "cloudformation": " (a Resources mapping whose entries have a Type AWS::...)"}


def _bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(p)) from None
    except IsADirectoryError:
        raise InputError("a folder, not a file", source=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(p)) from None


def _text(p: Path, data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        raise InputError("a binary plan file: convert it with `terraform show -json "
                         f"{p.name} > {p.stem}.json`", source=str(p))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(p)) from None


def _plan(p: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source=str(p),
                         location=f"line {exc.lineno} column {exc.colno}") from None


def load_terraform_plan(path: str | Path, *, account_id: str | None = None,
                        region: str | None = None, partition: str | None = None,
                        managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """Read `terraform show -json` output from `path`; see `world_from_terraform_plan`."""
    from .terraform import world_from_terraform_plan

    p = Path(path)
    plan = _plan(p, _text(p, _bytes(p)))
    return world_from_terraform_plan(plan, str(path), account_id=account_id, region=region,
                                     partition=partition, managed_policies=managed_policies)


def load_cloudformation(path: str | Path, account_id: str, region: str,
                        parameters: Mapping[str, str] | None = None, *,
                        partition: str = "aws", stack_name: str | None = None,
                        managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """Read a CloudFormation template (JSON or YAML) from `path`; see
    `world_from_cloudformation`."""
    from .cloudformation import world_from_cloudformation

    p = Path(path)
    return world_from_cloudformation(_text(p, _bytes(p)), str(path), account_id=account_id,
                                     region=region, partition=partition,
                                     parameters=parameters, stack_name=stack_name,
                                     managed_policies=managed_policies)


def iac_kind_of_file(path: str | Path) -> IacKind | None:
    """Whether the file at `path` is a Terraform plan, a CloudFormation template or neither
    (see `simulator.iac.kind`); a file that cannot be read is neither."""
    try:
        return iac_kind_of_bytes(Path(path).read_bytes())
    except OSError:
        return None


def load_iac(path: str | Path, kind: IacKind | None = None, *, account_id: str | None = None,
             region: str | None = None, partition: str | None = None,
             parameters: Mapping[str, str] | None = None, stack_name: str | None = None,
             managed_policies: Mapping[str, Any] | None = None) -> IacWorld:
    """Read a Terraform plan or a CloudFormation template, its kind found from the content.

    With `kind`, a file of the other kind (or of neither) is an InputError naming the file
    and what it is. A CloudFormation template needs `account_id` and `region` (its ARNs are
    built from them); `parameters` and `stack_name` apply to templates only."""
    p = Path(path)
    data = _bytes(p)
    found = iac_kind_of_bytes(data)
    if found is None or (kind is not None and found != kind):
        wanted = (KIND_NAMES[kind] + _FORMS[kind] if kind
                  else "a Terraform plan or a CloudFormation template")
        what = f"it is {KIND_NAMES[found]}" if found else "it is neither"
        raise InputError(f"not {wanted}: {what}", source=str(p))
    text = _text(p, data)
    from .cloudformation import world_from_cloudformation
    from .terraform import world_from_terraform_plan

    if found == "terraform":
        return world_from_terraform_plan(_plan(p, text), str(p), account_id=account_id,
                                         region=region, partition=partition,
                                         managed_policies=managed_policies)
    if account_id is None or region is None:
        raise InputError("a CloudFormation template needs an account id and a region: its "
                         "ARNs and bucket names are built from them", source=str(p))
    return world_from_cloudformation(text, str(p), account_id=account_id, region=region,
                                     partition=partition or "aws", parameters=parameters,
                                     stack_name=stack_name, managed_policies=managed_policies)
