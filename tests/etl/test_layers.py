"""The ETL's layers, read from the folder names, checked over the source (ast over etl/**/*.py):

    etl/core/       shared readers and machinery         imports nothing else of etl
    etl/config.py   paths and the environment, read once  imports core
    etl/contracts.py  every table's columns and rules     imports core
    etl/adapters/   one module per source format          imports core and contracts, never another adapter
    etl/derived/    the derived tables                    imports core, contracts and derived
    etl/transforms.py, sources.py, pipeline.py, __main__.py, prepare/   a run and its tools: anything below

No module imports one above its layer, the imports between modules have no cycle, and only
etl/config.py reads the environment.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from etl.config import ROOT

ETL = ROOT / "etl"
RUN = {"etl.core", "etl.config", "etl.contracts", "etl.adapters", "etl.derived", "etl.transforms", "etl.sources",
       "etl.pipeline"}
# layer -> the layers its modules may import (besides the standard library and third parties)
ALLOWED = {
    "etl.core": {"etl.core"},
    "etl.config": {"etl.core"},
    "etl.contracts": {"etl.core"},
    "etl.adapters": {"etl.core", "etl.contracts"},
    "etl.derived": {"etl.core", "etl.contracts", "etl.derived"},
    "etl.transforms": {"etl.core", "etl.contracts", "etl.adapters"},
    "etl.sources": {"etl.core", "etl.config"},
    "etl.pipeline": RUN,
    "etl.__main__": RUN,
    "etl.prepare": {"etl.core", "etl.config"},
    "etl": set(),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ETL.rglob("*.py"))}


def layer(module: str) -> str:
    return max((name for name in ALLOWED if module == name or module.startswith(name + ".")), key=len)


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The etl modules `path` imports, at the top or inside functions (`from etl.x import y`
    counts as importing etl.x.y when that is a module, else etl.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module_name(path).split(".")
                package = package if path.name == "__init__.py" else package[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m == "etl" or m.startswith("etl.") or m.split(".")[0] in ("dashboard", "bench", "tests")}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) for name, path in known.items()}


def test_no_module_imports_above_its_layer():
    wrong = []
    for module, imported in graph().items():
        allowed = ALLOWED[layer(module)]
        for target in sorted(imported):
            if target.split(".")[0] != "etl":
                wrong.append(f"{module} imports {target}: the ETL never imports the dashboard, bench or tests")
            elif target != "etl" and layer(target) not in allowed | {layer(module)} - {"etl.adapters"}:
                wrong.append(f"{module} ({layer(module)}) imports {target} ({layer(target)}); "
                             f"{layer(module)} may import only {', '.join(sorted(allowed)) or 'the standard library'}")
    assert not wrong, "imports across the ETL's layers (ARCHITECTURE.md, 'The folder map'):\n" + "\n".join(wrong)


def test_adapters_never_import_each_other():
    shared = [f"{m} imports {t}" for m, ts in graph().items() if layer(m) == "etl.adapters"
              for t in ts if layer(t) == "etl.adapters"]
    assert not shared, "an adapter imports another; move what they share to etl/core/:\n" + "\n".join(shared)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of modules (first == last), or None."""
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            if state[nxt] == 0 and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if state[node] == 0 and (found := visit(node)):
            return found
    return None


def test_the_imports_between_etl_modules_have_no_cycle():
    edges = {m: {t for t in ts if t in modules()} for m, ts in graph().items()}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_only_config_reads_the_environment():
    readers = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            environ = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")
            if environ and isinstance(node.value, ast.Name) and node.value.id == "os" and module != "etl.config":
                readers.append(f"{module}:{node.lineno}")
    assert not readers, "the environment is read in etl/config.py only; found it read at " + ", ".join(readers)


def test_every_module_has_a_layer():
    assert all(layer(m) in ALLOWED for m in modules())
    assert layer("etl.core.headers") == "etl.core" and layer("etl.adapters.acled") == "etl.adapters"
