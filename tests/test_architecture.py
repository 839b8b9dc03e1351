"""The shape of the package: stages that depend only on the stages below them (import-linter's contracts in
pyproject.toml), formats that do not import each other, no import inside a function to dodge a circle, and no
module that takes another's private name."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import PROJECT

PACKAGE = PROJECT / "publish"
STAGES = ("manuscript", "render", "theme", "cache", "layout", "formats", "proofing", "release")


def _modules() -> list[tuple[str, ast.Module]]:
    found = [(path.relative_to(PROJECT).with_suffix("").as_posix().replace("/", "."), ast.parse(path.read_text()))
             for path in sorted(PACKAGE.rglob("*.py"))]
    assert len(found) > 40
    return found


def _own_imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("publish"):
            yield node
        elif isinstance(node, ast.Import) and any(alias.name.startswith("publish") for alias in node.names):
            yield node


def test_the_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is missing: run 'make venv'"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_each_stage_is_a_package_that_says_what_it_owns():
    for stage in STAGES:
        tree = ast.parse((PACKAGE / stage / "__init__.py").read_text())
        docstring = ast.get_docstring(tree)
        assert docstring and len(docstring) > 30, stage


def test_no_module_imports_our_code_inside_a_function():
    late = []
    for name, tree in _modules():
        for function in (node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
            late.extend(f"{name}:{node.lineno}" for node in _own_imports(function))
    assert late == []


def test_no_module_takes_another_modules_private_name():
    taken = [f"{name}:{node.lineno} {alias.name}" for name, tree in _modules() for node in _own_imports(tree)
             if isinstance(node, ast.ImportFrom) for alias in node.names
             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert taken == []


def test_no_module_reaches_into_another_modules_private_names():
    """`module._name` on a module of ours that this one imported."""
    reached = []
    for name, tree in _modules():
        imported = {alias.asname or alias.name for node in _own_imports(tree) if isinstance(node, ast.ImportFrom)
                    for alias in node.names}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in imported):
                reached.append(f"{name}:{node.lineno} {node.value.id}.{node.attr}")
    assert reached == []
