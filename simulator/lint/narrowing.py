"""Does a condition already narrow this statement to someone specific?

The rules of this package fire only when nothing narrows the statement (peer scanners
that ignore conditions flag `"Principal": "*"` + `aws:PrincipalOrgID` and so on; see
docs/lint.md). A condition narrows when it is:

- a positive String or ARN operator (not negated; not `ForAllValues:`, which is true when the
  key is missing; not `...IfExists` on an Allow, which is true when the key is missing) on
  one of the keys the rule names, with every value pinned (no `${...}` variable, and no
  wildcard that leaves the value open; for ARN-valued keys a wildcard after a concrete
  account id still pins the account);
- an `IpAddress` on `aws:SourceIp` no wider than /8 (IPv4) or /32 (IPv6), where a rule accepts
  network pins (S3 Block Public Access draws the same line);
- or a Deny of the same policy that covers the whole statement and denies everyone outside
  the pin (`StringNotEquals aws:PrincipalOrgID o-...`, optionally exempting AWS services with
  `BoolIfExists aws:PrincipalIsAWSService false`).

AWS: operators and missing keys
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
set operators https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
what counts as a fixed value https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from ..arn import is_account_id
from ..conditions import Operator, parse_operator
from ..policy import Condition, PolicyDocument, Statement
from .coverage import deny_covers

Pin = Callable[[str, str, Operator], bool]
"""(lower-cased key, one policy value, operator) -> does the value pin the key?"""

PRINCIPAL_KEYS = frozenset({
    "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
    "aws:sourceaccount", "aws:sourcearn", "aws:sourcevpce", "aws:sourcevpc",
    "aws:sourceowner", "aws:userid", "s3:dataaccesspointaccount", "s3:dataaccesspointarn",
    "kms:calleraccount",
})
"""Keys that pin who (or through which network path) a `*` principal can be."""

ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn", "s3:dataaccesspointarn"})
WILDCARDS = ("*", "?")


def operator_of(cond: Condition) -> Operator:
    return parse_operator(cond.operator)  # validated when the policy was parsed


def _open_part(text: str) -> bool:
    return any(w in text for w in WILDCARDS)


def _prefix(value: str) -> str:
    cut = min((i for i in (value.find("*"), value.find("?")) if i >= 0), default=len(value))
    return value[:cut]


def _arn_pinned(value: str, per_segment: bool) -> bool:
    """An ARN pattern pins when its account segment is a concrete account id (or, for S3,
    which has no account segment, when the bucket name is concrete). ARN operators match
    segment by segment; under StringLike a `*` before the account may run across colons, so
    there every segment up to the account must be wildcard-free."""
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    fixed = per_segment or len(_prefix(value).split(":")) > 5
    if is_account_id(parts[4]):
        return fixed
    if parts[2] == "s3" and parts[4] == "":
        return fixed and not _open_part(parts[5].split("/", 1)[0])
    return False


def value_pinned(key: str, value: str, op: Operator) -> bool:
    """The default pin: a fixed value, or an ARN/org-path pattern whose wildcard comes only
    after the account (or org id). Under a non-wildcard operator `*` is a literal."""
    if "${" in value:
        return False
    if not op.base.wildcards or not _open_part(value):
        return True
    if key in ARN_KEYS:
        return _arn_pinned(value, op.base.family == "Arn")
    if key == "aws:principalorgpaths":
        return "/" in _prefix(value)  # the org id (before the first /) is complete
    return False


def positive(op: Operator, effect: str) -> bool:
    """Can this operator only hold when the key is present with a matching value?"""
    if op.negated or op.qualifier == "ForAllValues":
        return False
    return not (op.if_exists and effect == "Allow")


def pins(cond: Condition, effect: str, keys: frozenset[str], pin: Pin = value_pinned) -> bool:
    """Is `cond` a narrowing condition on one of `keys` (lower-cased)?"""
    key = cond.key.lower()
    if key not in keys:
        return False
    op = operator_of(cond)
    if op.base.family not in ("String", "Arn") or not positive(op, effect):
        return False
    return all(pin(key, v, op) for v in cond.values)


def _narrow_block(value: str) -> bool:
    try:
        block = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    return block.prefixlen >= (8 if block.version == 4 else 32)


def pins_network(cond: Condition, effect: str, *, negated: bool = False) -> bool:
    """`IpAddress aws:SourceIp` (or, in a guarding Deny, `NotIpAddress`) on narrow blocks."""
    if cond.key.lower() != "aws:sourceip":
        return False
    op = operator_of(cond)
    if op.base.family != "IpAddress" or op.negated != negated or op.qualifier:
        return False
    if not negated and op.if_exists and effect == "Allow":
        return False
    return all(_narrow_block(v) for v in cond.values)


def _guard_condition(cond: Condition, keys: frozenset[str], pin: Pin, network: bool) -> str:
    """How a condition of a Deny counts: `pin` (denies everyone outside a pin), `exempt`
    (the AWS-service exemption of the data-perimeter pattern), or `other`."""
    op = operator_of(cond)
    key = cond.key.lower()
    if (key in keys and op.negated and op.qualifier is None
            and op.base.family in ("String", "Arn")
            and all(pin(key, v, op) for v in cond.values)):
        return "pin"
    if network and pins_network(cond, "Deny", negated=True):
        return "pin"
    if (key == "aws:principalisawsservice" and op.base.family == "Bool"
            and cond.values == ("false",)):
        return "exempt"
    return "other"


def guarded(doc: PolicyDocument, stmt: Statement, keys: frozenset[str], pin: Pin,
            network: bool = False) -> bool:
    """Is there a Deny in the same policy that takes back `stmt` from everyone outside a pin?"""
    for deny in doc.statements:
        if deny.effect != "Deny" or deny.index == stmt.index or deny.not_principal:
            continue
        if stmt.principal is not None and not (deny.principal and deny.principal.everyone):
            continue
        if not deny.conditions or not deny_covers(deny, stmt):
            continue
        kinds = [_guard_condition(c, keys, pin, network) for c in deny.conditions]
        if "other" not in kinds and "pin" in kinds:
            return True
    return False


def narrowed(doc: PolicyDocument, stmt: Statement, keys: frozenset[str], *,
             pin: Pin = value_pinned, network: bool = False,
             extra: Callable[[Condition], bool] | None = None) -> bool:
    """Does a condition of `stmt` (or a guarding Deny of `doc`) narrow it on `keys`?
    `network` also accepts narrow `aws:SourceIp` blocks; `extra` any rule-specific check."""
    for cond in stmt.conditions:
        if pins(cond, stmt.effect, keys, pin):
            return True
        if network and pins_network(cond, stmt.effect):
            return True
        if extra is not None and extra(cond):
            return True
    return guarded(doc, stmt, keys, pin, network)
