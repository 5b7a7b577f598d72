"""What does a policy string say once its `${...}` policy variables are filled in?

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- `${key}` is replaced by the request's value of a single-valued context key (key names are
  case-insensitive); `${key, 'default'}` gives a default when the key is absent.
- `${*}`, `${?}`, `${$}` are the literal characters `*`, `?`, `$`.
- Variables work only under `"Version": "2012-10-17"`; under 2008-10-17 or with no Version
  the text is literal (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
- A variable whose key is absent (and has no default) resolves to nothing: in Resource the
  pattern then matches nothing, in StringEquals it is false, in StringNotEquals true.

Escapes become private sentinels that the wildcard matcher does not treat as wildcards;
a pattern holding them is compared with `sentinel_value()` of the request value, in which a
literal `*` or `?` becomes the same sentinel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")

# Placeholders for escaped wildcards: private-use code points that never occur in ARNs.
STAR, QMARK = "\ue000", "\ue001"


def has_variables(text: str) -> bool:
    return "${" in text


def referenced_keys(text: str) -> list[str]:
    """The context keys a string's variables read (lower-cased), escapes excluded."""
    keys = []
    for body in _VAR.findall(text):
        if body in ("*", "?", "$"):
            continue
        m = _DEFAULT.match(body)
        keys.append((m.group(1) if m else body).strip().lower())
    return keys


class Unresolved(Exception):
    """A variable named a key the request lacks, and no default was given."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def substitute(text: str, context: Mapping[str, Sequence[str]], *, wildcards: bool) -> str:
    """Fill in `text`'s variables from `context` (keys lower-cased).

    With `wildcards` (Resource, StringLike, ArnLike) the escapes `${*}`/`${?}` become
    sentinels that match only themselves; elsewhere they become the plain characters.
    Raises Unresolved for a missing key without default; a multi-valued key cannot be a
    variable (AWS), so it is unresolved too.
    """

    def repl(m: re.Match[str]) -> str:
        body = m.group(1)
        if body == "*":
            return STAR if wildcards else "*"
        if body == "?":
            return QMARK if wildcards else "?"
        if body == "$":
            return "$"
        dm = _DEFAULT.match(body)
        key = (dm.group(1) if dm else body).strip().lower()
        values = context.get(key)
        if values is not None and len(values) == 1:
            return values[0]
        if dm:
            return dm.group(2)
        raise Unresolved(key)

    return _VAR.sub(repl, text)


def sentinel_value(value: str) -> str:
    """The request value as seen by a pattern with escaped wildcards."""
    return value.replace("*", STAR).replace("?", QMARK)


def literal_of(text: str) -> str:
    """Undo the wildcard sentinels for display."""
    return text.replace(STAR, "*").replace(QMARK, "?")
