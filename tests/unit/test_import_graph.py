"""The package's import graph: no module imports itself back through others, and the core imports no adapter.

A cycle makes the import order decide what works (a name used before its module finished loading) and
hides which module is the lower layer; the core's rule is that it runs without Kafka, a clock or settings.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "services" / "newsdedup"
# What the pure core may import from the rest of newsdedup: its exceptions and the exact JSON reader.
CORE_MAY_IMPORT = {"newsdedup.errors", "newsdedup.exactjson"}
# The layers (docs/ARCHITECTURE.md): each package or top-level module, and the others it may import.
# The package's own __init__ (its version) may be imported by any.
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "exactjson": set(),
    "gcpolicy": set(),
    "lifelines": set(),
    "jsonlines": {"errors"},
    "durations": set(),
    "core": {"errors", "exactjson"},
    "settings": {"core", "durations", "errors"},
    "schemas": set(),
    "scan": {"core", "durations", "errors", "gcpolicy", "jsonlines", "prepare_pool"},
    "prepare_pool": {"core", "errors", "gcpolicy", "jsonlines"},
    "evaluation": {"core", "errors"},  # the scoring; its command is commands/eval.py
    "localkafka": {"errors", "lifelines"},
    "app": {"core", "errors", "exactjson", "gcpolicy", "lifelines", "settings"},
    "dashboard": {"errors"},  # the page and its state, over records; commands/dashboard.py wires Kafka
    "commands": {"app", "core", "dashboard", "errors", "evaluation", "jsonlines", "localkafka", "scan", "settings"},
    "cli": {"errors"},  # it imports each command's module by name, when that command runs
    "__main__": {"cli"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the newsdedup modules it imports (`from package import module` counts as the module)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("newsdedup"):
                base = node.module or ""
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names if alias.name.startswith("newsdedup")]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_core_imports_only_the_core_its_errors_and_the_json_reader() -> None:
    graph = import_graph()
    for module, imported in graph.items():
        if module.startswith("newsdedup.core"):
            outside = {m for m in imported if not m.startswith("newsdedup.core")} - CORE_MAY_IMPORT
            assert not outside, f"{module} imports {sorted(outside)}"


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_each_layer_imports_only_the_layers_below_it() -> None:
    graph = import_graph()
    layers = {_layer(module) for module in graph} - {""}
    assert layers <= set(MAY_IMPORT), f"new package(s) {sorted(layers - set(MAY_IMPORT))}: give their layer here"
    for module, imported in graph.items():
        layer = _layer(module)
        reached = {_layer(m) for m in imported} - {layer, ""}
        assert reached <= MAY_IMPORT.get(layer, set()), f"{module} imports from {sorted(reached - MAY_IMPORT[layer])}"
