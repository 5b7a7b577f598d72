"""Frozen models built without validation, for the hot paths.

Validating a pydantic model costs about 2 us on a slow machine; the parser and the
evaluator build many small models (statements, element checks, statement results, steps)
from values they have just checked or computed themselves. `constructor(Model, fields...)`
returns a function taking exactly those fields (by keyword), `dict_constructor(Model)` one
taking a dict of the given fields; both build the instance validation would have built
(same values in field order, the other fields at their defaults, the same set of given
fields, private attributes at their defaults) in about half the time. Only for values
already of exactly the field types: nothing is coerced or checked, so only for values the
caller has just checked or computed itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_RESERVED = frozenset({"cls", "new", "setattr_", "private", "model"})  # names in _TEMPLATE

_TEMPLATE = """\
def build({params}):
    model = new(cls)
    setattr_(model, "__dict__", {{{values}}})
    setattr_(model, "__pydantic_fields_set__", {{{given}}})
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", {private})
    return model
"""


def constructor(cls: type[M], *given: str) -> Callable[..., M]:
    """A validation-free `cls(**values)` for calls that pass exactly the fields `given`."""
    fields = cls.model_fields
    unknown = [n for n in given if n not in fields]
    missing = [n for n, f in fields.items() if f.is_required() and n not in given]
    if unknown or missing or not given or _RESERVED.intersection(given):
        raise TypeError(f"{cls.__name__}: unknown fields {unknown}, missing {missing}")
    namespace: dict[str, Any] = {"cls": cls, "new": object.__new__,
                                 "setattr_": object.__setattr__,
                                 "private": tuple(cls.__private_attributes__.items())}
    values = []
    for name, field in fields.items():
        if name in given:
            values.append(f"{name!r}: {name}")
        elif field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name} has a default factory")
        else:
            namespace[f"default_{name}"] = field.default
            values.append(f"{name!r}: default_{name}")
    private = ("{k: attr.get_default() for k, attr in private}"
               if cls.__private_attributes__ else "None")
    source = _TEMPLATE.format(params="*, " + ", ".join(given), values=", ".join(values),
                              given=", ".join(repr(n) for n in given), private=private)
    exec(source, namespace)  # the source holds nothing but the model's own field names
    build: Callable[..., M] = namespace["build"]
    return build



def dict_constructor(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """A validation-free `cls(**fields)` for a dict of fields that varies from call to
    call (the fields it names are the given ones). The dict must name fields only."""
    template: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name} has a default factory")
        template[name] = None if field.is_required() else field.default
    if cls.__private_attributes__:
        raise TypeError(f"{cls.__name__} has private attributes")
    new = object.__new__
    setattr_ = object.__setattr__

    def build(fields: dict[str, Any]) -> M:
        values = template.copy()
        values.update(fields)
        model: M = new(cls)
        setattr_(model, "__dict__", values)
        setattr_(model, "__pydantic_fields_set__", set(fields))
        setattr_(model, "__pydantic_extra__", None)
        setattr_(model, "__pydantic_private__", None)
        return model

    return build
