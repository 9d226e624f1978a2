"""The import rules of docs/architecture.md that the import-linter contracts cannot express."""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp")


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_circles_are_found_between_a_package_and_its_own_modules() -> None:
    edges = {"p": {"p.a"}, "p.a": {"p.b"}, "p.b": {"p"}, "q": set()}
    assert _circles(edges) == [["p", "p.a", "p.b"]]


def test_no_two_files_of_gladier_import_each_other() -> None:
    # The acyclic_siblings contract sees circles between siblings only; a package's
    # __init__.py importing a module that imports the package back is a circle too.
    graph = grimp.build_graph("gladier", exclude_type_checking_imports=True, cache_dir=None)
    edges = {
        module: set(graph.find_modules_directly_imported_by(module)) & graph.modules
        for module in graph.modules
    }
    # `python -m gladier.demo` runs the CLI (the one import the contracts allow).
    edges["gladier.demo.__main__"].discard("gladier.cli")
    circles = _circles(edges)
    assert not circles, "modules that import each other: " + "; ".join(map(", ".join, circles))
