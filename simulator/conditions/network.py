"""IP address operators: is the request's address inside a CIDR block (IPv4 or IPv6)?

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
A bare address means /32 (IPv4) or /128 (IPv6). No variables. An IPv4 address never lies in
an IPv6 block or the other way round.
"""

from __future__ import annotations

import ipaddress

from .base import BaseOperator, Predicate


def _in_block(policy: str) -> Predicate:
    if "${" in policy:
        raise ValueError("IP address operators do not accept policy variables")
    try:
        block = ipaddress.ip_network(policy.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{policy!r} is not an IP address or CIDR block") from None

    def predicate(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            return False
        return address.version == block.version and address in block

    return predicate


OPERATORS = {
    op.name: op
    for op in (
        BaseOperator("IpAddress", "IpAddress", _in_block),
        BaseOperator("NotIpAddress", "IpAddress", _in_block, negated=True),
    )
}
