"""The package's imports run one way: no cycles (TYPE_CHECKING and function-level imports
included), config.py imports nothing from the app, models and db know no web or admin code."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "admin_app"
Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> Graph:
    """Module -> the package's modules it imports anywhere in its file (every `import` node)."""
    modules = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            graph[name] |= set(_targets(node, root.name, modules))
    return graph


def _targets(node: ast.AST, package: str, modules: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in modules)
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if not node.module.startswith(package):
            return
        for alias in node.names:
            submodule = f"{node.module}.{alias.name}"
            yield submodule if submodule in modules else node.module


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None."""
    done: set[str] = set()
    for start in sorted(graph):
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        on_path = [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                done.add(node)
            elif child in on_path:
                return [*on_path[on_path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph.get(child, ())))))
                on_path.append(child)
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE_DIR)
    assert len(graph) > 40  # the walk really sees the package
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_config_imports_nothing_from_the_app() -> None:
    assert import_graph(PACKAGE_DIR)["admin_app.config"] == set()


@pytest.mark.parametrize("module", ["admin_app.models", "admin_app.db", "admin_app.audit"])
def test_the_data_layer_knows_no_web_admin_or_cli(module: str) -> None:
    imported = import_graph(PACKAGE_DIR)[module]
    outward = (
        "admin_app.web",
        "admin_app.admin",
        "admin_app.staff",
        "admin_app.cli",
        "admin_app.main",
    )
    assert not [name for name in imported if name.startswith(outward)], imported


def test_the_staff_wing_knows_no_http() -> None:
    graph = import_graph(PACKAGE_DIR)
    for name, imported in graph.items():
        if name.startswith("admin_app.staff"):
            assert not [m for m in imported if m.startswith(("admin_app.web", "admin_app.admin"))]


def test_a_planted_cycle_is_found(tmp_path: Path) -> None:
    # A copy of the check's input with one cycle hidden behind TYPE_CHECKING and one inside a
    # function, as a new engineer might add them.
    package = tmp_path / "admin_app"
    (package / "admin").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "admin" / "__init__.py").write_text("")
    (package / "admin" / "base.py").write_text("from admin_app.admin import bulk\n")
    (package / "admin" / "bulk.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from admin_app.admin.base import PanelModelView\n"
    )
    (package / "config.py").write_text("def f():\n    import admin_app.admin.base\n")
    graph = import_graph(package)
    assert find_cycle(graph) == [
        "admin_app.admin.base",
        "admin_app.admin.bulk",
        "admin_app.admin.base",
    ]
    assert graph["admin_app.config"] == {"admin_app.admin.base"}
