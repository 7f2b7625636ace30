"""The web app's modules import each other without a circle, and the library without its
private names (every ``from wattprint... import name`` names a public function, class or constant)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def app_imports(path: Path) -> set[str]:
    """The app modules ``path`` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "app":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("app.")}
    return found


def test_no_import_circle_among_the_app_modules() -> None:
    graph = {path.stem: app_imports(path) for path in APP.glob("*.py") if path.stem != "__init__"}
    assert {"state", "cached", "widgets"} <= set(graph)
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for other in sorted(graph.get(node, ())):
            if state.get(other) == 1:
                cycle.extend([*trail, node, other])
                return True
            if other in graph and state.get(other) is None and visit(other, [*trail, node]):
                return True
        state[node] = 2
        return False

    for module in sorted(graph):
        if state.get(module) is None and visit(module, []):
            break
    assert not cycle, " -> ".join(cycle)
    assert not graph["state"] & {"cached", "widgets", "components", "jobpage"}


def test_the_app_imports_only_public_names_of_the_library() -> None:
    private = []
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wattprint"):
                assert not any(part.startswith("_") for part in node.module.split(".")), node.module
                importlib.import_module(node.module)
                private += [
                    f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")
                ]
    assert not private, private
