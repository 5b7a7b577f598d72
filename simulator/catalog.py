"""What does AWS know about this action: its access level and its service-specific keys?

The data is `simulator/data/actions.json`, generated from policyuniverse's service catalogue
by `tools/build_catalog.py` (15,319 actions of 366 services, as of its Nov 2023 data). It is
read lazily, once per process, and only when a question needs it.

Service Authorization Reference (the source of both facts):
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from importlib import resources


class AccessLevel(str, Enum):
    """AWS's access levels, as the Service Authorization Reference names them."""

    list = "List"
    read = "Read"
    write = "Write"
    permissions = "Permissions management"
    tagging = "Tagging"


_LEVELS = {"L": AccessLevel.list, "R": AccessLevel.read, "W": AccessLevel.write,
           "P": AccessLevel.permissions, "T": AccessLevel.tagging}


@cache
def _catalog() -> dict[str, dict[str, list[object]]]:
    text = resources.files("simulator").joinpath("data/actions.json").read_text()
    data: dict[str, dict[str, list[object]]] = json.loads(text)
    return data


def _entry(action: str) -> list[object] | None:
    service, _, name = action.lower().partition(":")
    return _catalog().get(service, {}).get(name)


def is_known_action(action: str) -> bool:
    return _entry(action) is not None


def known_services() -> frozenset[str]:
    return frozenset(_catalog())


def access_level(action: str) -> AccessLevel | None:
    """The action's access level, or None when the catalogue does not know the action."""
    entry = _entry(action)
    return _LEVELS[str(entry[0])] if entry else None


def actions_of(service: str) -> list[str]:
    """Every action the catalogue knows for a service prefix, as `service:name` (lower)."""
    return [f"{service}:{name}" for name in _catalog().get(service.lower(), {})]


def applies_to_action(key: str, action: str) -> bool:
    """May a service-specific context key be present on a request for `action`?

    AWS only fills in the keys an action supports; a key the request context carries that
    the action does not support is absent for evaluation (e.g. `s3:prefix` on GetObject:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).
    Global keys, keys of other services, and actions the catalogue does not know are kept:
    unknown is never narrowed to "absent" on a guess.
    """
    key = key.lower()
    service = action.lower().partition(":")[0]
    if not key.startswith(service + ":"):
        return True
    entry = _entry(action)
    if entry is None or len(entry) < 2:
        return entry is None
    supported = entry[1]
    assert isinstance(supported, list)
    if key in supported:
        return True
    head = key.split("/", 1)[0]
    if any(str(k).startswith(head + "/") for k in supported):
        return True
    # a key named by a template after a colon, e.g. kms:EncryptionContext:${EncryptionContextKey}
    # stands for every context key (kms:EncryptionContext:aws:s3:arn ...):
    # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    return any(len(key) > len(prefix) and key.startswith(prefix)
               for prefix in (str(k).partition("${")[0] for k in supported if "${" in str(k))
               if prefix.endswith(":"))
