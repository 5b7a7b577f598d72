"""Where in a scenario file is this policy statement, flow or assertion? Best effort, pure.

A World keeps no line numbers, so the line is found again in the file's text, from the name
the loader gave the policy (simulator/scenario_world.py):

    NAME/trust                    `trust:` of the role whose `arn:` ends in /NAME
    role NAME inline P            key P under that role's `policies:` (same for `user`)
    role NAME boundary            that role's (user's) `boundary:`
    managed P, scp P, rcp P       key P of the top-level `policies:`
    scp LABEL[i], rcp LABEL[i]    item i of `scps:` / `rcps:` under the account id (LABEL
                                  `account ID`), `root`, or the OU key LABEL
    bucket B                      the `policy:` after `name: B`
    key ID, resource ARN          the `policy:` after `arn: ...:key/ID`, `arn: ARN`

and then item `statement_index` of that document's `Statement` (a block list of `- ...`, a
flow list `[{...}, {...}]`, or a single mapping for statement 0). YAML and JSON are scanned
alike. The scan assumes, as docs/scenarios.md writes entries, that an entry's `arn:` (or a
bucket's `name:`) comes before its policies. When the statement is not found the policy's
line is returned; when the policy is not found, None. A policy kept in its own file
(`trust: trust.json`) is found at its reference; `referenced_file` names the file and
`statement_line` finds the statement in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import takewhile

_BEFORE = r"(?<![\w./:@$-])"
_COLON = r"[ \t]*:(?=[ \t\r\n]|$|[\[{\"'])"
_VALUE_END = r"(?=[\s,}\]]|$)"
_ARN_PATH = r"(?:[^\s\"',}\]/]+/)*"
_CLOSE = {"[": "]", "{": "}"}


def line_of(text: str, pos: int) -> int:
    """The 1-based line of character `pos`."""
    return text.count("\n", 0, pos) + 1


def _col(text: str, pos: int) -> int:
    return pos - (text.rfind("\n", 0, pos) + 1)


def _key(text: str, key: str, start: int, end: int, *,
         outermost: bool = False) -> re.Match[str] | None:
    """The first `key:` (YAML, or "key": in JSON) in text[start:end]; with `outermost`, the
    one least indented (the top level of the file)."""
    pattern = re.compile(_BEFORE + r"([\"']?)" + re.escape(key) + r"\1" + _COLON, re.M)
    if not outermost:
        return pattern.search(text, start, end)
    found = list(pattern.finditer(text, start, end))
    return min(found, key=lambda m: _col(text, m.start()), default=None)


def _entry(text: str, key: str, value: str, start: int, end: int) -> re.Match[str] | None:
    """The first `key: value` where `value` is a regular expression."""
    pattern = (_BEFORE + r"([\"']?)" + re.escape(key) + r"\1[ \t]*:[ \t]*([\"']?)" + value
               + r"\2" + _VALUE_END)
    return re.compile(pattern, re.M).search(text, start, end)


def _flow(text: str, pos: int) -> tuple[int, list[int]]:
    """From the bracket at `pos`: the position after its closing bracket, and where each
    item directly inside it starts."""
    stack: list[str] = []
    items: list[int] = []
    quote = ""
    expect_item = False
    i = pos
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
            if expect_item and len(stack) == 1:
                items.append(i)
                expect_item = False
        elif c in _CLOSE:
            if expect_item and len(stack) == 1:
                items.append(i)
                expect_item = False
            stack.append(_CLOSE[c])
            expect_item = len(stack) == 1
        elif stack and c == stack[-1]:
            stack.pop()
            if not stack:
                return i + 1, items
        elif c == "," and len(stack) == 1:
            expect_item = True
        elif not c.isspace() and expect_item and len(stack) == 1:
            items.append(i)
            expect_item = False
        i += 1
    return len(text), items


def _lines_after(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """(start of content, indent) of each non-blank, non-comment line after the line of
    `pos`."""
    nl = text.find("\n", pos)
    while nl != -1:
        start = nl + 1
        nl = text.find("\n", start)
        line = text[start:nl if nl != -1 else len(text)]
        stripped = line.lstrip(" \t")
        if stripped.strip() and not stripped.startswith("#"):
            indent = len(line) - len(stripped)
            yield start + indent, indent


def _block_end(text: str, pos: int, col: int, *, dashes: bool = True) -> int:
    """The end of the block under the line of `pos`: the lines indented more than `col`
    (with `dashes`, also the `- ` items of a list written at its key's indent)."""
    end = text.find("\n", pos)
    end = len(text) if end == -1 else end
    for start, indent in _lines_after(text, pos):
        if indent > col or (dashes and indent == col and text.startswith("-", start)):
            line_end = text.find("\n", start)
            end = len(text) if line_end == -1 else line_end
        else:
            break
    return end


def _value(text: str, after: int, col: int) -> tuple[int, int, str]:
    """The value of a key whose colon ends at `after`: (start, end, kind), kind one of
    `flow` ({...} or [...]), `block` (on the lines below) or `scalar`."""
    i = after
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] in _CLOSE:
        return i, _flow(text, i)[0], "flow"
    if i >= len(text) or text[i] in "\r\n#":
        return i, _block_end(text, i, col), "block"
    line_end = text.find("\n", i)
    return i, len(text) if line_end == -1 else line_end, "scalar"


def _items(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """(start, end) of each item of a list value; a mapping is one item."""
    if kind == "scalar":
        return []
    if kind == "flow":
        if text[start] == "{":
            return [(start, end)]
        starts = _flow(text, start)[1]
        return [(s, _flow(text, s)[0] if text[s] in _CLOSE else s) for s in starts]
    lines = list(takewhile(lambda line: line[0] < end, _lines_after(text, start)))
    if not lines:
        return []
    first, indent = lines[0]
    if not text.startswith("-", first):
        return [(first, end)]
    heads = [s for s, i in lines if i == indent and text.startswith("-", s)]
    out = []
    for s in heads:
        content = s + 1
        while content < end and text[content] in " \t":
            content += 1
        out.append((content, min(end, _block_end(text, s, indent, dashes=False))))
    return out


def _item(text: str, start: int, end: int, kind: str, index: int) -> tuple[int, int, str] | None:
    items = _items(text, start, end, kind)
    if not 0 <= index < len(items):
        return None
    s, e = items[index]
    if text[s] in _CLOSE:
        return s, e, "flow"
    if text[s] in "\"'" or ":" not in text[s:e].split("\n", 1)[0]:
        return s, e, "scalar"
    return s, e, "item"


def _under(text: str, key: str, start: int, end: int,
           outermost: bool = False) -> tuple[int, int, str] | None:
    """The value of `key` found in text[start:end]: (start, end, kind)."""
    m = _key(text, key, start, end, outermost=outermost)
    if m is None:
        return None
    return _value(text, m.end(), _col(text, m.start(1)))


def _entity(text: str, kind: str, name: str) -> int | None:
    arn = r"arn:aws[\w-]*:iam::\d{12}:" + kind + "/" + _ARN_PATH + re.escape(name)
    m = _entry(text, "arn", arn, 0, len(text))
    return None if m is None else m.start()


def _named(text: str, name: str) -> tuple[int, int, str] | None:
    policies = _under(text, "policies", 0, len(text), outermost=True)
    return None if policies is None else _under(text, name, policies[0], policies[1])


def _level(text: str, label: str, kind: str, index: int) -> tuple[int, int, str] | None:
    keys = [label.removeprefix("account ")] if label.startswith("account ") else [
        label, f"root/{label}"]
    for key in keys:
        level = _under(text, key, 0, len(text))
        if level is not None:
            attached = _under(text, f"{kind}s", level[0], level[1])
            return None if attached is None else _item(text, *attached, index)
    return None


def _after(text: str, start: int | None, key: str) -> tuple[int, int, str] | None:
    return None if start is None else _under(text, key, start, len(text))


def _policy(text: str, policy_name: str) -> tuple[int, int, str] | None:
    """Where the policy's value is: (start, end, kind)."""
    m = re.fullmatch(r"(.+)/trust", policy_name)
    if m and " " not in m.group(1):
        return _after(text, _entity(text, "role", m.group(1)), "trust")
    m = re.fullmatch(r"(role|user) (\S+) (?:inline (.+)|(boundary))", policy_name)
    if m:
        start = _entity(text, m.group(1), m.group(2))
        if m.group(4):
            return _after(text, start, "boundary")
        policies = _after(text, start, "policies")
        return None if policies is None else _under(text, m.group(3), policies[0],
                                                    policies[1])
    m = re.fullmatch(r"(scp|rcp) (.+)\[(\d+)\]", policy_name)
    if m:
        return _level(text, m.group(2), m.group(1), int(m.group(3)))
    m = re.fullmatch(r"(?:managed|scp|rcp) (.+)", policy_name)
    if m:
        return _named(text, m.group(1))
    m = re.fullmatch(r"(bucket|key|resource) (\S+)", policy_name)
    if m:
        kind, name = m.groups()
        entry = (_entry(text, "name", re.escape(name), 0, len(text)) if kind == "bucket" else
                 _entry(text, "arn", r"arn:aws[\w-]*:kms:[^\s\"':]*:\d{12}:key/"
                        + re.escape(name), 0, len(text)) if kind == "key" else
                 _entry(text, "arn", re.escape(name), 0, len(text)))
        return _after(text, None if entry is None else entry.start(), "policy")
    return None


def _statement(text: str, span: tuple[int, int, str], index: int) -> int | None:
    start, end, _ = span
    statements = _under(text, "Statement", start, end)
    if statements is None:
        return None
    s, e, kind = statements
    if kind == "scalar":
        return None
    item = _item(text, s, e, kind, index)
    return None if item is None else line_of(text, item[0])


def locate(text: str, policy_name: str, statement_index: int | None = None) -> int | None:
    """The 1-based line of statement `statement_index` of the policy named `policy_name`
    (the policy's own line when the index is None or the statement is not found), or None
    when the policy is not found in `text`."""
    span = _policy(text, policy_name)
    if span is None:
        return None
    line = line_of(text, span[0])
    if statement_index is None or span[2] == "scalar":
        return line
    return _statement(text, span, statement_index) or line


def referenced_file(text: str, policy_name: str) -> str | None:
    """The file name when the policy is kept in its own JSON file (`trust: trust.json`)."""
    span = _policy(text, policy_name)
    if span is None or span[2] != "scalar":
        return None
    value = text[span[0]:span[1]].split(" #", 1)[0].strip().rstrip(",").strip("\"'")
    return value if value.lower().endswith(".json") else None


def statement_line(text: str, statement_index: int) -> int | None:
    """The line of statement `statement_index` in a policy document's own file."""
    return _statement(text, (0, len(text), "flow"), statement_index)


def locate_flow(text: str, flow_name: str) -> int | None:
    """The line of the flow named `flow_name` (its `name:`), or None."""
    flows = _under(text, "flows", 0, len(text), outermost=True)
    if flows is None:
        return None
    m = _entry(text, "name", re.escape(flow_name), flows[0], flows[1])
    return None if m is None else line_of(text, m.start())


def locate_path(text: str, path: str) -> int | None:
    """The line of a key path such as `assertions[2]` or `flows[0].expect`, from the top
    level of the file; None when a part is not found."""
    span: tuple[int, int, str] | None = (0, len(text), "flow")
    for i, part in enumerate(re.findall(r"[^.\[\]]+|\[\d+\]", path)):
        if span is None:
            return None
        if part.startswith("["):
            span = _item(text, span[0], span[1], span[2], int(part[1:-1]))
        else:
            span = _under(text, part, span[0], span[1], outermost=i == 0)
    return None if span is None else line_of(text, span[0])
