"""The definition package stays pure: standard library, jsonschema and PyYAML only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import openxm.surveys.definition as package

ALLOWED = set(sys.stdlib_module_names) | {"jsonschema", "yaml"}
MODULES = sorted(Path(package.__file__).parent.glob("*.py"))


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((0, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_module_imports_only_the_stdlib_jsonschema_yaml_and_its_siblings(path: Path) -> None:
    for level, module in _imports(path):
        if level:
            assert level == 1, f"{path.name} reaches outside the package: {'.' * level}{module}"
        else:
            assert module.split(".")[0] in ALLOWED, f"{path.name} imports {module}"


def test_package_ships_its_schema_next_to_the_code() -> None:
    assert (Path(package.__file__).parent / "schema.json").is_file()
    assert len(MODULES) >= 10
