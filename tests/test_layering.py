"""The layers import only what they may (README "Layout"): checked on every module's import statements.

* `simulators/` (the outside world) imports nothing of the hub: not `subgraphs`, `gateway`, `adapters`,
  `hub` or `trust`;
* `subgraphs/` never import `gateway` (gateway -> subgraph trust is the neutral `trust` package);
* `adapters/` never import `subgraphs`;
* `trust/` and `domain/` import neither side; `telemetry/` (trace context, request ids, log format) only `domain`;
* `web/` (the console) imports nothing of the hub: it reaches data through the gateway over HTTP.

Every module of a layer is read as a syntax tree: ``import x``, ``from x import y`` (relative ones resolved
against the module's package), imports inside functions or ``if TYPE_CHECKING:``, and the dynamic forms
``importlib.import_module("x")`` and ``__import__("x")`` with a literal name.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "simulators": ("subgraphs", "gateway", "adapters", "hub", "trust"),
    "subgraphs": ("gateway",),
    "adapters": ("subgraphs", "gateway", "hub"),
    "trust": ("gateway", "subgraphs", "adapters", "simulators", "hub"),
    "telemetry": ("gateway", "subgraphs", "adapters", "simulators", "hub", "trust"),
    "domain": ("gateway", "subgraphs", "adapters", "simulators", "hub", "trust"),
    # the console is a client of the graph over HTTP: it imports nothing that reaches the store or a subgraph
    "web": ("gateway", "subgraphs", "adapters", "simulators", "hub", "trust", "domain"),
}


@functools.cache
def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module:
                    found.append((node.lineno, node.module))
            else:
                found.append((node.lineno, _absolute(path, root, node.level, node.module)))
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append((node.lineno, node.args[0].value))
    return found


def _absolute(path: Path, root: Path, level: int, module: str | None) -> str:
    """The absolute name of ``from <level dots><module> import ...`` in the module at `path`."""
    try:
        package = list(path.relative_to(root).parent.parts)
    except ValueError:
        package = []
    base = package[:len(package) - (level - 1)] if level - 1 <= len(package) else []
    return ".".join([*base, *([module] if module else [])]) or "."


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_it_may(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, package
    broken = [f"{path.relative_to(ROOT)}:{line}: {name}" for path in modules for line, name in _imports(path)
              if name.split(".")[0] in FORBIDDEN[package]]
    assert broken == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom gateway.security import errors\n", encoding="utf-8")
    assert [name for _, name in _imports(module) if name.split(".")[0] == "gateway"] == ["gateway.security"]


def test_the_check_sees_imports_in_functions_relative_and_dynamic(tmp_path: Path) -> None:
    package = tmp_path / "subgraphs" / "cases"
    package.mkdir(parents=True)
    module = package / "m.py"
    module.write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import gateway.app\n"
        "def f():\n    from gateway import pipeline\n    return importlib.import_module('gateway.runtime')\n"
        "def g():\n    return __import__('gateway')\n"
        "from . import store\nfrom ..common import db\n", encoding="utf-8")
    names = [name for _, name in _imports(module, tmp_path)]
    assert [n for n in names if n.split(".")[0] == "gateway"] == ["gateway.app", "gateway", "gateway.runtime",
                                                                  "gateway"]
    assert "subgraphs.cases" in names
    assert "subgraphs.common" in names


def test_no_subgraph_module_imports_the_gateway() -> None:
    """Issue 18: a department's subgraph depends on the neutral `trust` package, never on `gateway`."""
    modules = sorted((ROOT / "subgraphs").rglob("*.py"))
    assert len(modules) > 50
    broken = [f"{path.relative_to(ROOT)}:{line}: {name}" for path in modules for line, name in _imports(path)
              if name == "gateway" or name.startswith("gateway.")]
    assert broken == []
