"""The only rich importer: explanation trees and tables for a terminal.

Machine formats (JSON, JSONL) are plain model dumps done in `simulator/reports.py`; this
module draws for people.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from .explain import ExplainNode

STYLE = {"allow": "green", "explicit_deny": "bold red", "implicit_deny": "yellow",
         "pass": "green", "fail": "red", "skip": "dim", "info": "cyan"}
MARK = {"allow": "✓", "explicit_deny": "✗", "implicit_deny": "∅", "pass": "✓", "fail": "✗",
        "skip": "·", "info": "→"}


def _label(node: ExplainNode) -> str:
    style = STYLE.get(node.status, "")
    mark = MARK.get(node.status, "")
    return f"[{style}]{mark} {escape(node.label)}[/]" if style else escape(node.label)


def tree(node: ExplainNode) -> Tree:
    root = Tree(_label(node))
    stack = [(root, node)]
    while stack:
        parent, current = stack.pop()
        for child in current.children:
            branch = parent.add(_label(child))
            stack.append((branch, child))
    return root


def decision_style(decision: str) -> str:
    return STYLE.get(decision, "magenta")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
          styles: Sequence[str | None] | None = None) -> Table:
    """A table whose rows may carry a style each (e.g. the decision's colour)."""
    t = Table(title=title, show_lines=False, expand=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for i, row in enumerate(rows):
        t.add_row(*(escape(v) for v in row), style=styles[i] if styles else None)
    return t


def console(*, stderr: bool = False, plain: bool = False) -> Console:
    """A console; `plain` (tests, golden files) has no colour and a fixed width."""
    if plain:
        return Console(color_system=None, width=100, stderr=stderr, highlight=False)
    probe = Console(stderr=stderr)
    # not a terminal (CI logs, pipes): wide enough that ARNs are not folded mid-word
    return Console(stderr=stderr, highlight=False,
                   width=None if probe.is_terminal else 160)
