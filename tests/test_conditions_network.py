"""IP address condition operators.

AWS (IP address condition operators):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
- IpAddress / NotIpAddress: the request address lies in (not in) a CIDR block given in
  RFC 4632 notation; IPv4 and IPv6 are supported;
- an address without a prefix length means /32 (IPv4);
- policy variables are not allowed.
"""

from __future__ import annotations

import pytest

from simulator.conditions import parse_operator

Row = tuple[str, list[str], list[str], bool]

TABLE: list[Row] = [
    ("IpAddress", ["203.0.113.0/24"], ["203.0.113.7"], True),
    ("IpAddress", ["203.0.113.0/24"], ["203.0.114.7"], False),
    ("IpAddress", ["203.0.113.0/24"], ["203.0.113.255"], True),
    ("IpAddress", ["203.0.113.5"], ["203.0.113.5"], True),  # bare address = /32
    ("IpAddress", ["203.0.113.5"], ["203.0.113.6"], False),
    ("IpAddress", ["203.0.113.5/32"], ["203.0.113.5"], True),
    ("IpAddress", ["0.0.0.0/0"], ["198.51.100.1"], True),
    ("IpAddress", ["10.0.0.0/8", "192.168.0.0/16"], ["192.168.4.4"], True),  # OR
    ("IpAddress", ["10.0.0.0/8", "192.168.0.0/16"], ["172.16.0.1"], False),
    # IPv6 (AWS's example block), case of hex digits does not matter
    ("IpAddress", ["2001:DB8:1234:5678::/64"], ["2001:db8:1234:5678::42"], True),
    ("IpAddress", ["2001:DB8:1234:5678::/64"], ["2001:DB8:1234:5678:FFFF::1"], True),
    ("IpAddress", ["2001:DB8:1234:5678::/64"], ["2001:db8:1234:5679::1"], False),
    ("IpAddress", ["2001:db8::1"], ["2001:db8::1"], True),  # bare IPv6 = one address
    ("IpAddress", ["2001:db8::1"], ["2001:db8::2"], False),
    # the families never mix
    ("IpAddress", ["0.0.0.0/0"], ["2001:db8::1"], False),
    ("IpAddress", ["::/0"], ["203.0.113.5"], False),
    ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], ["2001:db8:1234:5678::9"],
     True),
    # a request value that is not an address is in no block (engine convention)
    ("IpAddress", ["0.0.0.0/0"], ["vpce-1a2b3c4d"], False),
    ("NotIpAddress", ["203.0.113.0/24"], ["203.0.113.7"], False),
    ("NotIpAddress", ["203.0.113.0/24"], ["198.51.100.7"], True),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], ["192.168.4.4"], False),  # AND
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], ["172.16.0.1"], True),
]


@pytest.mark.parametrize(("op", "policy", "request_values", "expected"), TABLE)
def test_ip_operator(op: str, policy: list[str], request_values: list[str],
                     expected: bool) -> None:
    assert parse_operator(op).holds(policy, request_values) is expected


def test_missing_source_ip() -> None:
    """aws:SourceIp is absent for requests through a VPC endpoint
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip):
    IpAddress is then false and NotIpAddress true (negated operator on a missing key)."""
    assert parse_operator("IpAddress").holds(["203.0.113.0/24"], None) is False
    assert parse_operator("NotIpAddress").holds(["203.0.113.0/24"], None) is True
    assert parse_operator("IpAddressIfExists").holds(["203.0.113.0/24"], None) is True


@pytest.mark.parametrize("op", ["IpAddress", "NotIpAddress", "IpAddressIfExists",
                                "ForAnyValue:IpAddress"])
@pytest.mark.parametrize("bad", ["${aws:SourceIp}", "10.0.${aws:x}.0/24", "10.0.0.0/33",
                                 "256.1.1.1", "not-an-ip", "", "2001:db8::/129",
                                 "10.0.0.*"])
def test_ip_rejects_variables_and_bad_blocks(op: str, bad: str) -> None:
    with pytest.raises(ValueError):
        parse_operator(op).validate([bad])


@pytest.mark.parametrize("good", ["203.0.113.0/24", "203.0.113.5", "2001:DB8:1234:5678::/64",
                                  "::1"])
def test_ip_accepts_blocks_and_addresses(good: str) -> None:
    parse_operator("IpAddress").validate([good])
