"""What value does an attribute of a planned resource have: known, derived, or unknown?

- A name known only after apply (`name_prefix`, or no name: Terraform generates
  `terraform-<26 digits>` / `<prefix><26 digits>`) gets a stable placeholder built from the
  resource address, and is reported unknown.
- An ARN known only after apply is derived from partition, account, path and name as IAM
  builds it (`arn:aws:iam::<account>:role/<path><name>`):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
  The derivation is recorded as a placeholder; the account is `account_id` or the plan's
  `data.aws_caller_identity`.
- A link (`role`, `policy_arn`, `bucket`...) known only after apply is taken from the one
  resource its expression refers to (`Plan.linked`), recorded as a placeholder; otherwise
  it is unknown.
- A policy JSON known only after apply is unknown, never empty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from .drafts import Link, PolicyText
from .proposed import Ledger
from .terraform_plan import Plan, PlannedResource, part_unknown

AFTER_APPLY = "known only after apply"
_IAM_ARN_KIND = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_policy": "policy",
                 "aws_iam_group": "group", "aws_iam_instance_profile": "instance-profile"}
_NAME_ATTR = {"aws_s3_bucket": ("bucket", "bucket_prefix")}
PLACEHOLDER_ACCOUNT = "000000000000"

Target = Mapping[str, Callable[[PlannedResource], str]]


class Values:
    """Reads attributes of one plan's resources; notes unknowns and placeholders."""

    def __init__(self, plan: Plan, ledger: Ledger, account: str | None, partition: str) -> None:
        self.plan = plan
        self.ledger = ledger
        self.account = account
        self.partition = partition
        self._names: dict[str, str] = {}
        self._arns: dict[str, str] = {}

    def known(self, r: PlannedResource, attribute: str) -> Any:
        return None if r.unknown(attribute) else r.values.get(attribute)

    def name(self, r: PlannedResource) -> str:
        if r.address in self._names:
            return self._names[r.address]
        attr, prefix_attr = _NAME_ATTR.get(r.type, ("name", "name_prefix"))
        name = self.known(r, attr)
        if not isinstance(name, str) or not name:
            prefix = self.known(r, prefix_attr)
            digits = str(int(hashlib.sha256(r.address.encode()).hexdigest(), 16))[:26]
            name = (prefix if isinstance(prefix, str) and prefix else "terraform-") + digits
            self.ledger.unknown(r.address, attr, f"the name is generated at apply time "
                                f"({prefix_attr} or no {attr})", stand_in=f"placeholder {name}")
            self.ledger.placeholder(r.address, attr, name,
                                    f"generated name: {prefix_attr} (or terraform-) + digits "
                                    f"from the resource address")
        self._names[r.address] = name
        return name

    def arn(self, r: PlannedResource) -> str:
        if r.address in self._arns:
            return self._arns[r.address]
        arn = self.known(r, "arn")
        if not isinstance(arn, str) or not arn:
            arn = self._derive_arn(r)
        self._arns[r.address] = arn
        return arn

    def account_for(self, r: PlannedResource) -> str:
        if self.account is None:
            self.ledger.error("the ARN is known only after apply and the account is unknown: "
                              "pass account_id (or plan with data.aws_caller_identity)",
                              f"{r.address}.arn")
            return PLACEHOLDER_ACCOUNT
        return self.account

    def _derive_arn(self, r: PlannedResource) -> str:
        if r.type == "aws_s3_bucket":
            return f"arn:{self.partition}:s3:::{self.name(r)}"
        if r.type == "aws_iam_openid_connect_provider":
            url = self.known(r, "url")
            host = url.split("://", 1)[-1] if isinstance(url, str) else ""
            arn = f"arn:{self.partition}:iam::{self.account_for(r)}:oidc-provider/{host}"
            self.ledger.placeholder(r.address, "arn", arn, "derived from url and account")
            return arn
        kind = _IAM_ARN_KIND[r.type]
        path = self.known(r, "path")
        if not isinstance(path, str) or not path:
            path = "/"
        if not (path.startswith("/") and path.endswith("/")):
            self.ledger.error(f"path {path!r} must begin and end with /", f"{r.address}.path")
        arn = f"arn:{self.partition}:iam::{self.account_for(r)}:{kind}{path}{self.name(r)}"
        self.ledger.placeholder(r.address, "arn", arn,
                                "derived from path, name and account (ARN known after apply)")
        return arn

    def text(self, r: PlannedResource, attribute: str, name: str) -> PolicyText:
        """A policy JSON attribute: the text, or unknown."""
        if r.unknown(attribute):
            return PolicyText(address=r.address, attribute=attribute, name=name,
                              unknown=f"the policy JSON is {AFTER_APPLY} (it is computed from "
                                      f"values that do not exist yet)")
        raw = r.values.get(attribute)
        if not isinstance(raw, str) or not raw.strip():
            self.ledger.error("must be a JSON policy document", f"{r.address}.{attribute}")
        return PolicyText(address=r.address, attribute=attribute, name=name, raw=raw)

    def inline_blocks(self, r: PlannedResource, owner: str) -> tuple[PolicyText, ...]:
        """The `inline_policy` blocks of a role. Unset, the attribute is computed: after apply
        it lists what aws_iam_role_policy resources add, which are read on their own."""
        marker = r.after_unknown.get("inline_policy") if isinstance(r.after_unknown, dict) \
            else None
        if marker is True:
            if r.configured("inline_policy") is False:
                return ()
            return (PolicyText(address=r.address, attribute="inline_policy",
                               name=f"{owner} inline policies",
                               unknown=f"the inline policies are {AFTER_APPLY}"),)
        out = []
        for i, block in enumerate(r.values.get("inline_policy") or []):
            if not isinstance(block, dict):
                self.ledger.error("must be an object", f"{r.address}.inline_policy[{i}]")
                continue
            name = block.get("name") or f"inline_policy[{i}]"
            if part_unknown(r, "inline_policy", i, "policy"):
                out.append(PolicyText(address=r.address, attribute=f"inline_policy[{i}].policy",
                                      name=name, unknown=f"the policy JSON is {AFTER_APPLY}"))
            elif block.get("policy"):
                out.append(PolicyText(address=r.address, attribute=f"inline_policy[{i}].policy",
                                      name=name, raw=block["policy"]))
        return tuple(out)

    def link(self, r: PlannedResource, attribute: str, targets: Target) -> Link:
        """A single name or ARN naming another entity."""
        links = self.links(r, attribute, targets, single=True)
        return links[0] if links else Link(address=r.address, attribute=attribute,
                                           unknown=f"{attribute} is not set")

    def links(self, r: PlannedResource, attribute: str, targets: Target,
              single: bool = False) -> tuple[Link, ...]:
        """Names or ARNs (a string or a list of them), known or found through references."""
        value = r.values.get(attribute)
        known = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        out = [Link(address=r.address, attribute=attribute, value=v)
               for v in known if isinstance(v, str) and v]
        if not r.unknown(attribute):
            if value is not None and not isinstance(value, (str, list)):
                self.ledger.error("must be a string or a list of strings",
                                  f"{r.address}.{attribute}")
            return tuple(out)
        found = self.plan.linked(r, attribute, list(targets))
        if not found or (single and len(found) != 1):
            why = (f"{attribute} is {AFTER_APPLY} and its expression does not refer to exactly "
                   f"the {'/'.join(targets)} it names")
            return (*out, Link(address=r.address, attribute=attribute, unknown=why))
        for n, f in enumerate(found):
            v = targets[f.type](f)
            self.ledger.placeholder(r.address, attribute if single else f"{attribute}[{n}]", v,
                                    f"{AFTER_APPLY}; taken from {f.address}, the resource "
                                    f"its expression refers to")
            if v not in (link.value for link in out):
                out.append(Link(address=r.address, attribute=attribute, value=v))
        return tuple(out)

    def tags(self, r: PlannedResource, affects: tuple[str, ...]) -> dict[str, str]:
        for attr in ("tags_all", "tags"):
            if r.unknown(attr):
                self.ledger.unknown(r.address, attr, f"the tags are {AFTER_APPLY}", affects,
                                    stand_in="the tags known at plan time")
                continue
            value = r.values.get(attr)
            if isinstance(value, dict):
                return {k: v for k, v in value.items() if isinstance(v, str)}
        return {}

    def number(self, r: PlannedResource, attribute: str, default: int,
               affects: tuple[str, ...]) -> int:
        if r.unknown(attribute):
            self.ledger.unknown(r.address, attribute, f"{attribute} is {AFTER_APPLY}", affects,
                                stand_in=str(default))
            return default
        value = r.values.get(attribute)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.ledger.error("must be a whole number", f"{r.address}.{attribute}")
            return default
        return value
