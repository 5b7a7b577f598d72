"""Where, in reviewer's words, is a scenario file wrong? pydantic errors -> InputErrors.

pydantic reports every problem of a validated value at once, each with a `loc` (the key
path) and a terse message; this module turns each into an InputError naming the file and
the key path (`roles[1].trust`, `flows[0].hops[0].external_id`) with a sentence a reviewer
acts on: an unknown key lists the keys allowed there (and the closest one), a missing key
says it is required, a wrong type says what was found.

Union members chosen by a key (`start: {user: ...}` vs `start: {session: ...}`) are tagged
with a `~` name (`~user`); tags are dropped from key paths.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from .account_data_fields import at, kind_of
from .errors import InputError

TAG_PREFIX = "~"


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _tagged(member: Any, tag: str) -> bool:
    return get_origin(member) is Annotated and any(
        isinstance(meta, Tag) and meta.tag == tag for meta in get_args(member)[1:])


def _is_union(tp: Any) -> bool:
    return get_origin(tp) is Union or get_origin(tp) is types.UnionType


def _members(tp: Any) -> list[Any]:
    """The members of a union, nested unions (Optional[Annotated[Union]]) flattened; each
    member keeps its Annotated (and Tag)."""
    out = []
    for member in get_args(_strip(tp)):
        out.extend(_members(member) if _is_union(_strip(member)) else [member])
    return out


def _step(tp: Any, part: str | int) -> Any:
    """The type found at `part` inside a value of type `tp` (None when unknown)."""
    tp = _strip(tp)
    origin = get_origin(tp)
    if _is_union(tp):
        members = _members(tp)
        if isinstance(part, str) and part.startswith(TAG_PREFIX):
            return next((_strip(m) for m in members if _tagged(m, part)), None)
        found = (_step(m, part) for m in members if m is not type(None))
        return next((f for f in found if f is not None), None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field is not None else None
    if origin in (list, tuple) and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict and isinstance(part, str):
        return get_args(tp)[1]
    return None


def _model_at(root: Any, loc: Sequence[str | int]) -> type[BaseModel] | None:
    tp: Any = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _strip(tp)
    if _is_union(tp):
        models = [m for m in map(_strip, _members(tp))
                  if isinstance(m, type) and issubclass(m, BaseModel)]
        return models[0] if len(models) == 1 else None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def unknown_key_message(root: Any, loc: Sequence[str | int]) -> str:
    """The message for an unknown key at `loc` in a value of type `root`: the keys allowed
    there, and the closest one."""
    key = str(loc[-1])
    model = _model_at(root, loc[:-1])
    if model is None:
        return f"unknown key {key!r}"
    allowed = [name for name in model.model_fields]
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (allowed here: {', '.join(allowed)})"


def _message(error: Any, root: Any, loc: Sequence[str | int]) -> str:
    kind, msg = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        return unknown_key_message(root, loc)
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    msg = msg.replace("Input should be", "must be")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        value = error.get("input")
        shown = repr(value) if isinstance(value, (str, int, float, bool)) else kind_of(value)
        return f"{msg}, got {shown}"
    return msg


def validation_problems(exc: ValidationError, root: Any, source: str,
                        prefix: str = "") -> list[InputError]:
    """Every problem pydantic found in a value of type `root`, placed under `prefix`."""
    out = []
    for error in exc.errors(include_url=False):
        location = prefix
        for part in error["loc"]:
            if not (isinstance(part, str) and (part.startswith(TAG_PREFIX) or part == "[key]")):
                location = at(location, part)
        out.append(InputError(_message(error, root, error["loc"]), source=source,
                              location=location))
    return out
