"""The layers import only what they may (README "Layout"): checked on every module's import statements.

* `simulators/` (the outside world) imports nothing of the hub: not `subgraphs`, `gateway`, `adapters`,
  `hub` or `trust`;
* `subgraphs/` never import `gateway` (gateway -> subgraph trust is the neutral `trust` package);
* `adapters/` never import `subgraphs`;
* `trust/` and `domain/` import neither side; `telemetry/` (trace context, request ids, log format) only `domain`;
* `web/` (the console) imports nothing of the hub: it reaches data through the gateway over HTTP.
"""

from __future__ import annotations

import ast
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


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


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
