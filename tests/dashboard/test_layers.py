"""The dashboard's layers, read from its source (no import, no browser): the import graph of
dashboard/**/*.py has no loop and never points up a layer; the environment is read in
dashboard/config.py only; and the language reaches the figure builders as an argument, never
from a ContextVar.

Layers, bottom up (a module may import its own layer and those below, never above):
    base      dashboard.config, dashboard.i18n, dashboard.i18n_extract, dashboard.extent
    data      dashboard.data.*        (warehouse access, state, selection, catalog, queries)
    figures   dashboard.figures.*     (pure builders: neither data access nor panels)
    request   dashboard.request       (what one callback or export asks for)
    panels    dashboard.panels.*      (query, figure, rows of each thing the page shows)
    export    dashboard.export.*      (files, report, writers, renderer)
    page      dashboard.page.*        (the Dash app, layout, callbacks; it calls the exports)
    main      dashboard.__main__, dashboard.worker   (python -m dashboard, python -m dashboard.worker)
data and figures are side by side: neither imports the other.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dashboard"
ALLOWED = {
    "base": {"base"},
    "data": {"base", "data"},
    "figures": {"base", "figures"},
    "request": {"base", "data", "request"},
    "panels": {"base", "data", "figures", "request", "panels"},
    "export": {"base", "data", "figures", "request", "panels", "export"},
    "page": {"base", "data", "figures", "request", "panels", "export", "page"},
    "main": {"base", "data", "figures", "request", "panels", "export", "page", "main"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    if module in ("dashboard.__main__", "dashboard.worker"):  # the entry points
        return "main"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ("data", "figures", "panels", "export", "page", "request"):
        return parts[1]
    return "base"


def sources() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def imports(module: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """The dashboard modules `module` imports, at any level of its code (a function's import too);
    `from package import name` counts as importing the module package.name when there is one."""
    package = module if (PACKAGE / Path(*module.split(".")[1:]) / "__init__.py").exists() else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in out if m in modules and m != module}


def graph() -> dict[str, set[str]]:
    trees = sources()
    modules = set(trees)
    return {module: imports(module, tree, modules) for module, tree in trees.items()}


def test_the_import_graph_sees_the_packages():
    edges = graph()
    assert {"dashboard.request", "dashboard.panels.map", "dashboard.page.callbacks", "dashboard.data.warehouse",
            "dashboard.export.files", "dashboard.figures.series"} <= set(edges)
    assert "dashboard.panels.base" in edges["dashboard.panels.displacement"]
    assert "dashboard.page.parts" in edges["dashboard.page.warm"]
    assert "dashboard.panels.map" in edges["dashboard.page.callbacks"]  # `from dashboard.panels import map`


def test_no_module_imports_up_a_layer():
    wrong = sorted((m, d, layer(m), layer(d)) for m, deps in graph().items() for d in deps
                   if layer(d) not in ALLOWED[layer(m)])
    assert wrong == [], wrong


def test_there_is_no_import_loop():
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import loop: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        for dep in sorted(edges[module]):
            visit(dep, path + [module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def _reads_environment(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv", "environb"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and \
                {a.name for a in node.names} & {"environ", "getenv", "putenv", "environb"}:
            lines.append(node.lineno)
    return lines


def test_only_config_reads_the_environment():
    readers = {module: lines for module, tree in sources().items() if (lines := _reads_environment(tree))}
    assert set(readers) == {"dashboard.config"}, readers


def test_no_figure_builder_or_panel_reads_a_contextvar():
    """The language is an argument (a translator knows its language: t.lang); nothing in the
    dashboard keeps one in a ContextVar (dashboard.i18n.current is gone)."""
    from dashboard import i18n

    assert not hasattr(i18n, "current")
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "contextvars" not in text and "ContextVar" not in text, path
        if path.parent.name in ("figures", "panels"):
            assert "i18n.current" not in text and ".current.get(" not in text, path
