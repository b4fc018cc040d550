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


ROOMS = ("site", "views", "changelist", "actions", "forms", "core")


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "admin" and parts[2] in ROOMS else None


def _imports_between_rooms(importer: str) -> dict[str, set[str]]:
    """Each module of one room of admin/ -> the other rooms it imports from."""
    found: dict[str, set[str]] = {}
    for name, imported in import_graph(PACKAGE_DIR).items():
        if _room(name) == importer:
            rooms = {_room(target) for target in imported} - {importer, None}
            found[name] = {room for room in rooms if room}
    return found


def test_core_imports_no_other_room_of_admin() -> None:
    # core/ is what every room stands on: ids, errors, text search, formatters, wording.
    leaks = {name: rooms for name, rooms in _imports_between_rooms("core").items() if rooms}
    assert len(_imports_between_rooms("core")) >= 5  # the walk really sees the room
    assert leaks == {}


def test_the_changelist_imports_no_view() -> None:
    # Views are built from the list, never the other way round.
    leaks = {
        name: rooms
        for name, rooms in _imports_between_rooms("changelist").items()
        if "views" in rooms
    }
    assert len(_imports_between_rooms("changelist")) >= 5
    assert leaks == {}


@pytest.mark.parametrize("room", [*ROOMS, "actions/imports"])
def test_no_room_of_admin_holds_more_than_twelve_modules(room: str) -> None:
    modules = [p for p in (PACKAGE_DIR / "admin" / room).glob("*.py") if p.name != "__init__.py"]
    assert 0 < len(modules) <= 12, sorted(p.name for p in modules)


def test_admin_keeps_only_its_rooms_at_its_top() -> None:
    top = sorted(p.name for p in (PACKAGE_DIR / "admin").glob("*.py"))
    assert top == ["__init__.py"]
