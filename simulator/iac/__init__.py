"""Read infrastructure-as-code (Terraform plans, CloudFormation templates) into a World.

Both readers return an `IacWorld`: the World the code would build, the values that are
unknown until deploy (`unknowns`, each with the place and what it affects), and the
placeholders made up where a value is derived or generated. See docs/iac.md.

Core readers take decoded data or text (no I/O); `load_terraform_plan`,
`load_cloudformation` and `load_iac` (module `load`) read the file; `iac_kind_of_text`
(module `kind`) tells a plan from a template by content.

The names are imported when first used, so that reading a scenario (which imports
`simulator.iac.proposed` for its types) does not pay for the two readers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloudformation import world_from_cloudformation
    from .kind import IacKind, iac_kind_of_data, iac_kind_of_text
    from .load import iac_kind_of_file, load_cloudformation, load_iac, load_terraform_plan
    from .proposed import IacWorld, Placeholder, Unknown
    from .terraform import world_from_terraform_plan

_WHERE = {"world_from_cloudformation": "cloudformation", "IacKind": "kind",
          "iac_kind_of_data": "kind", "iac_kind_of_text": "kind", "iac_kind_of_file": "load",
          "load_cloudformation": "load", "load_iac": "load", "load_terraform_plan": "load",
          "IacWorld": "proposed", "Placeholder": "proposed", "Unknown": "proposed",
          "world_from_terraform_plan": "terraform"}

__all__ = ["IacKind", "IacWorld", "Placeholder", "Unknown", "iac_kind_of_data",
           "iac_kind_of_file", "iac_kind_of_text", "load_cloudformation", "load_iac",
           "load_terraform_plan", "world_from_cloudformation", "world_from_terraform_plan"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
