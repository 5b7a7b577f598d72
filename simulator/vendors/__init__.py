"""Which flow does a data product's configuration imply? One reader per product.

A scenario flow may start from a product's own settings instead of a hand-written chain:
`start: {doris: ...}`, `{starrocks: ...}`, `{singlestore: ...}` or `{qubole: ...}`. The
product's reader (`doris.py`, `starrocks.py`, `singlestore.py`, `qubole.py`) turns the
settings into a VendorFlow: the start, the hops, the accesses the product performs, and
product-level setup checks (SetupCheck, e.g. SingleStore's 20 delegated entities). Keys
`hops:` / `access:` written in the flow replace what the settings imply.

Bad settings (an unreadable statement, a missing role ARN, a malformed ARN) raise
InputError / InputErrors located under the `location` given (e.g.
`flows[0].start.doris.statement`); the caller adds the file name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InputError
from ..flows import SetupCheck
from . import doris, qubole, singlestore, starrocks
from .parts import VendorFlow

Reader = Callable[[Any, str], VendorFlow]

READERS: dict[str, Reader] = {
    "doris": doris.read,
    "starrocks": starrocks.read,
    "singlestore": singlestore.read,
    "qubole": qubole.read,
}

__all__ = ["READERS", "SetupCheck", "VendorFlow", "expand"]


def expand(product: str, block: Any, location: str) -> VendorFlow:
    """The flow parts `block` (the product's settings, raw or validated) implies."""
    reader = READERS.get(product)
    if reader is None:
        raise InputError(f"unknown product {product!r} (known: {', '.join(READERS)})",
                         location=location)
    return reader(block, location)
