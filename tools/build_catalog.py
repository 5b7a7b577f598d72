"""Regenerate simulator/data/actions.json from policyuniverse's bundled service data.

The catalogue keeps, per service prefix and lower-cased action name, the access level
(List, Read, Write, Permissions, Tagging) and the service-specific condition keys the action
supports. It is how the engine knows that `s3:prefix` is not a key of `s3:GetObject`, and
how `reach` groups actions by access level. Run: python tools/build_catalog.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import policyuniverse

LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions": "P", "Tagging": "T"}


def build() -> dict[str, dict[str, list[object]]]:
    source = Path(os.path.dirname(policyuniverse.__file__)) / "data.json"
    data = json.loads(source.read_text())
    out: dict[str, dict[str, list[object]]] = {}
    for service in data.values():
        prefix = service["prefix"].lower()
        actions = out.setdefault(prefix, {})
        for name, info in service["actions"].items():
            keys = sorted({k.lower() for k in info.get("condition_keys", [])
                           if k.lower().startswith(prefix + ":")})
            level = LEVELS.get(info.get("calculated_action_group", ""), "W")
            actions[name.lower()] = [level, keys] if keys else [level]
    return out


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "simulator" / "data" / "actions.json"
    catalog = build()
    target.write_text(json.dumps(catalog, separators=(",", ":"), sort_keys=True))
    print(f"{target}: {sum(len(a) for a in catalog.values())} actions, "
          f"{len(catalog)} services, {target.stat().st_size} bytes")
