"""The import graph of the package: layers import only downward, and there is no cycle.

Every ``import``/``from ... import`` statement of every module under ``seabed/`` counts, at any
depth (function-level and ``TYPE_CHECKING`` imports too): a lower layer never names a higher one.
The layers are documented in docs/architecture.md; this table is their definition.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "seabed"

#: (module prefix, layer): the longest matching prefix gives a module's layer. Within the domain
#: (3.x) the order is geostats/inputs/compositing < resource < supply.
LAYERS = {
    "seabed.errors": 0, "seabed.units": 0, "seabed.elements": 0, "seabed.defaults": 0, "seabed.core_table": 0,
    "seabed.textfile": 0,
    "seabed.config": 1,
    "seabed.working_grid": 2, "seabed.compute": 2, "seabed.progress": 2, "seabed.plotting": 2,
    "seabed.inputs": 3.0, "seabed.compositing": 3.0, "seabed.geostats": 3.0,
    "seabed.resource": 3.1,
    "seabed.supply": 3.2,
    "seabed.results": 4,
    "seabed.outputs": 5,
    "seabed.pipeline": 6,
    "seabed.cli": 7, "seabed.__main__": 7, "seabed.demo": 7, "seabed.project": 7,
    "seabed": 7,  # the package's __init__ (lazy re-exports of the public API)
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> float:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len, default=None)
    assert best is not None, f"{module} has no layer: add it to LAYERS and docs/architecture.md"
    return LAYERS[best]


def _imports(path: Path, module: str) -> set[str]:
    """Every seabed module named by an import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "seabed"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "seabed":
                continue
            # `from seabed.x import y` names seabed.x.y when y is a module, else seabed.x
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if _is_module(sub) else target)
    return out


def _is_module(name: str) -> bool:
    p = ROOT.joinpath(*name.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {m: {i for i in _imports(p, m) if i != m} for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down_the_layers(module):
    here = _layer(module)
    upward = sorted(i for i in GRAPH[module] if _layer(i) > here and not module.startswith(i + "."))
    assert not upward, f"{module} (layer {here}) imports higher layers: {upward}"


def test_no_import_cycle():
    """Depth-first search over module → imported module (a package's __init__ counts as its own module)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(GRAPH.get(m, ())):
            if n not in MODULES or m.startswith(n + ".") or n.startswith(m + "."):
                continue  # a package and its own submodules
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m)


#: Modules allowed past the size limit, with the reason. The kriging kernel's numba functions call
#: each other, and numba's on-disk cache (``cache=True``) only notices changes in the calling
#: function's own file (numba/numba#8396 and #9563, not merged): split across files, an edited helper
#: would silently keep its stale machine code in every developer's cache.
SIZE_EXCEPTIONS = {"seabed.geostats.compiled": 750}


def test_no_module_is_over_the_size_limit():
    """No module over ~500 lines (550 with its docstrings): a module does one thing."""
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > SIZE_EXCEPTIONS.get(m, 550)}
    assert not long, f"split these modules by what they do: {long}"
