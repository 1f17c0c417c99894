"""The house rule of docs/architecture.md, checked on the source: no import cycle, and every import
between rooms goes down the declared order of floors.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``, absolute and relative.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "il2kg"

# Floor of each room (a top-level module or a folder), from the ground up. A room may import rooms
# on strictly lower floors only; inside a room, modules may import each other without cycles.
FLOORS: dict[str, int] = {
    "errors": 0,
    "_version": 0,
    "namespaces": 1,
    "resources": 2,
    "files": 2,
    "dataset": 3,
    "cache": 3,
    "paths": 4,
    "curate": 4,
    "rdf": 5,
    "query": 6,
    "kg": 7,
    "explorer": 8,
    "__init__": 8,
    "server": 9,
    "cli": 10,
    "__main__": 11,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph(package: Path = PACKAGE) -> nx.DiGraph:
    """Module → module edges for every ``import`` of the package's own modules."""
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    targets.append(sub if sub in modules else module)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target.startswith("il2kg") and target != name:
                    graph.add_edge(name, target)
    return graph


def room(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def test_every_room_has_a_floor() -> None:
    rooms = {room(m) for m in _modules()}
    assert rooms <= set(FLOORS), (
        f"add these to FLOORS and docs/architecture.md: {rooms - set(FLOORS)}"
    )


def test_no_import_cycle() -> None:
    cycles = sorted(nx.simple_cycles(import_graph()))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_imports_go_down_the_floors() -> None:
    upward = [
        f"{a} (floor {FLOORS[room(a)]}) imports {b} (floor {FLOORS[room(b)]})"
        for a, b in import_graph().edges
        if room(a) != room(b) and FLOORS[room(a)] <= FLOORS[room(b)]
    ]
    assert upward == [], "imports that do not go down:\n" + "\n".join(sorted(upward))


def test_nothing_below_the_facade_imports_it() -> None:
    graph = import_graph()
    below = [m for m in graph.predecessors("il2kg.kg") if FLOORS[room(m)] <= FLOORS["kg"]]
    assert below == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from il2kg.kg import KnowledgeGraph\n", ("il2kg.x", "il2kg.kg")),
        ("def f():\n    from ..kg import KnowledgeGraph\n", ("il2kg.query.x", "il2kg.kg")),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from il2kg import kg\n",
            ("il2kg.x", "il2kg.kg"),
        ),
    ],
)
def test_the_checker_sees_every_kind_of_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: tuple[str, str]
) -> None:
    """The checker itself: a late, relative or TYPE_CHECKING import of the facade is an edge."""
    pkg = tmp_path / "il2kg"
    (pkg / "query").mkdir(parents=True)
    for f in ("__init__.py", "kg.py", "query/__init__.py"):
        (pkg / f).write_text("")
    target = pkg / ("query/x.py" if expected[0] == "il2kg.query.x" else "x.py")
    target.write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", pkg)
    assert expected in import_graph().edges
