"""Read infrastructure-as-code (Terraform plans, CloudFormation templates) into a World.

Both readers return an `IacWorld`: the World the code would build, the values that are
unknown until deploy (`unknowns`, each with the place and what it affects), and the
placeholders made up where a value is derived or generated. See docs/iac.md.

Core readers take decoded data or text (no I/O); `load_terraform_plan` and
`load_cloudformation` (module `load`) read the file.
"""

from .cloudformation import world_from_cloudformation
from .load import load_cloudformation, load_terraform_plan
from .proposed import IacWorld, Placeholder, Unknown
from .terraform import world_from_terraform_plan

__all__ = ["IacWorld", "Placeholder", "Unknown", "load_cloudformation", "load_terraform_plan",
           "world_from_cloudformation", "world_from_terraform_plan"]
