"""The import rule of docs/architecture.md: only cli.py imports typer, only render.py
imports rich, only the scenario reader and the CloudFormation reader (cfn-flip's loader
made strict about duplicate keys) import yaml; the core imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"
ONLY = {"typer": {"cli.py"}, "rich": {"render.py"}, "yaml": {"scenarios.py", "cfn_template.py"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_presentation_libraries_stay_at_the_edge(path: Path) -> None:
    imported = _imports(path)
    for library, allowed in ONLY.items():
        if library in imported:
            assert path.name in allowed, f"{path.name} imports {library}"


def test_the_core_does_not_read_the_clock() -> None:
    offenders = [p.name for p in PACKAGE.rglob("*.py")
                 if "datetime.now(" in p.read_text() or "time.time(" in p.read_text()]
    assert not offenders
