"""Imports run one way (docs/rules.md "Structure"): no module imports one that
imports it back, even from inside a function, and each app imports only the
apps below it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lowest first: an app may import itself and the apps before it, never one after it.
LAYERS = ["config", "accounts", "ops", "escalation", "complaints", "approvals", "dashboards", "demo"]
# The project's root: it names every app (settings, URLs, the Celery app, the servers).
PROJECT_ROOT = {"config.settings", "config.urls", "config.celery", "config.wsgi", "config.asgi",
                "config.gunicorn.conf"}


def _modules() -> dict[str, Path]:
    found = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every first-party module ``path`` imports, at its top or inside a function."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                     for alias in node.names]
        else:
            continue
        targets.update(name for name in names if name in modules)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert _circles(_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_app_imports_only_the_apps_below_it():
    upward = []
    for module, targets in _graph().items():
        if module in PROJECT_ROOT:
            continue
        layer = LAYERS.index(module.split(".")[0])
        upward += [f"{module} -> {target}" for target in sorted(targets)
                   if LAYERS.index(target.split(".")[0]) > layer]
    assert upward == []


def test_web_pages_do_not_import_the_api():
    pages = [name for name in _modules() if name.endswith((".views", ".forms")) and ".api." not in name]
    graph = _graph()
    assert [f"{page} -> {target}" for page in pages for target in sorted(graph[page]) if ".api" in target] == []
