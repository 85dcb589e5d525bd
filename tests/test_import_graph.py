"""The package's import graph has no cycle, and the legal model imports no I/O.

Every ``import`` statement of every ``woda_sharing`` module counts, at module
level or inside a function (a deferred import hides a cycle, it does not remove
it); imports under ``if TYPE_CHECKING:`` do not, since they never run. A module
importing from one of its own ancestor packages is not an edge: Python has the
package partly initialised by then, and that is how a package and its
submodules are built.
"""

from __future__ import annotations

import ast
import pkgutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import woda_sharing

PACKAGE = "woda_sharing"


def _sources() -> dict[str, str]:
    root = Path(woda_sharing.__file__).parent
    sources = {PACKAGE: (root / "__init__.py").read_text(encoding="utf-8")}
    for info in pkgutil.walk_packages(woda_sharing.__path__, prefix=f"{PACKAGE}."):
        relative = Path(*info.name.split(".")[1:])
        path = root / relative / "__init__.py" if info.ispkg else root / f"{relative}.py"
        sources[info.name] = path.read_text(encoding="utf-8")
    return sources


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (i for n in node.orelse for i in _imports_in(n))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def _targets(
    module: str, node: ast.Import | ast.ImportFrom, modules: set[str], *, is_package: bool
) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base]) if base else ".".join(anchor)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in modules else base


def import_graph(sources: Mapping[str, str], packages: set[str]) -> dict[str, set[str]]:
    """Map each module to the package modules it imports (see the module docstring)."""
    modules = set(sources)
    graph: dict[str, set[str]] = {}
    for module, source in sources.items():
        edges: set[str] = set()
        for node in _imports(ast.parse(source)):
            for target in _targets(module, node, modules, is_package=module in packages):
                ancestor = module.startswith(f"{target}.")
                if target in modules and target != module and not ancestor:
                    edges.add(target)
        graph[module] = edges
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """Return one cycle of *graph* as a list of modules (first repeated last), or ``None``."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return [*path[path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
                on_path.add(child)
    return None


def _package_graph() -> dict[str, set[str]]:
    sources = _sources()
    root = Path(woda_sharing.__file__).parent
    packages = {PACKAGE} | {
        info.name
        for info in pkgutil.walk_packages(woda_sharing.__path__, prefix=f"{PACKAGE}.")
        if info.ispkg and (root / Path(*info.name.split(".")[1:])).is_dir()
    }
    return import_graph(sources, packages)


def test_the_package_import_graph_has_no_cycle() -> None:
    graph = _package_graph()
    assert "woda_sharing._legal" in graph["woda_sharing._codec"]  # the walker sees real edges
    assert "woda_sharing.rules._charter" in graph
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_legal_model_is_types_only() -> None:
    """`woda_sharing._legal` reads no file and knows no wire format: it imports only exceptions."""
    graph = _package_graph()
    assert graph["woda_sharing._legal"] == {"woda_sharing.exceptions"}
    source = _sources()["woda_sharing._legal"]
    imported = {
        alias.name.split(".")[0]
        for node in _imports(ast.parse(source))
        for alias in node.names
        if isinstance(node, ast.Import)
    } | {node.module for node in _imports(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"json", "importlib", "importlib.resources", "pathlib", "io", "os"}


@pytest.mark.parametrize(
    ("sources", "cycle"),
    [
        (
            {  # the cycle this test was written against: a deferred import still counts
                "p.codec": "from p.legal import Catalogue\n",
                "p.legal": "def builtin():\n    from p.codec import structure\n",
            },
            ["p.codec", "p.legal", "p.codec"],
        ),
        (
            {
                "p.a": "import p.b\n",
                "p.b": "from . import c\n",
                "p.c": "from .a import x\n",
            },
            ["p.a", "p.b", "p.c", "p.a"],
        ),
        ({"p.a": "from p.b import x\n", "p.b": "import json\n"}, None),
        (
            {  # a child importing from its package, and type-only imports, are not edges
                "p": "from p import child\n",
                "p.child": "from p import name\n",
                "p.a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import p.b\n",
                "p.b": "import p.a\n",
            },
            None,
        ),
    ],
    ids=["deferred", "relative", "acyclic", "package-and-type-only"],
)
def test_the_cycle_finder(sources: dict[str, str], cycle: list[str] | None) -> None:
    assert find_cycle(import_graph(sources, {"p"})) == cycle
