"""The package's layers import downward only, and no modules import each other in a circle.

Imports are read with ``ast`` from every module, including those inside functions and under ``TYPE_CHECKING``:
a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import paceline

SRC = Path(paceline.__file__).parent

#: The layers, lowest first. A module may import its own layer and those below it.
LAYERS: list[tuple[str, ...]] = [
    ("paceline.errors", "paceline.timefmt", "paceline.jsonable", "paceline.version"),
    ("paceline.physics",),
    ("paceline.io",),
    ("paceline.models",),
    ("paceline.fit",),
    ("paceline.chain",),
    # studies/: one sub-package per job, each may use those listed before it
    ("paceline.studies",),  # the package docstring only
    ("paceline.studies.uncertainty",),
    ("paceline.studies.planning",),
    ("paceline.studies.analysis",),
    ("paceline.studies.inference",),
    ("paceline.render",),
    ("paceline.cli", "paceline.web", "paceline.__main__"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def layer_of(module: str) -> int:
    # the longest prefix decides (paceline.studies.planning.plan is in planning's layer, not studies')
    found = [
        (len(p), i) for i, prefixes in enumerate(LAYERS) for p in prefixes if module == p or module.startswith(p + ".")
    ]
    if found:
        return max(found)[1]
    raise AssertionError(f"{module} is in no layer; add it to LAYERS")


def resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """The paceline modules an ``ImportFrom`` brings in (a name that is a submodule counts as that module)."""
    if node.level:
        base = module.split(".")
        is_pkg = MODULES[module].name == "__init__.py"
        base = base if is_pkg else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    if not target.startswith("paceline"):
        return []
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append(sub if sub in MODULES else target)
    return out


def imports_of(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("paceline"))
        elif isinstance(node, ast.ImportFrom):
            found.update(resolve(module, node))
    # an import of a package's own submodule from its __init__ is the package itself
    return {m for m in found if m != module}


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_has_a_layer() -> None:
    for m in MODULES:
        if m != "paceline":
            layer_of(m)


def test_layers_import_downward_only() -> None:
    upward = []
    for m, deps in GRAPH.items():
        if m == "paceline":  # the public facade re-exports from every layer
            continue
        for d in deps:
            if d == "paceline":
                upward.append(f"{m} imports the facade 'paceline' (import from the module that defines it)")
            elif layer_of(d) > layer_of(m):
                upward.append(f"{m} (layer {layer_of(m)}) imports {d} (layer {layer_of(d)})")
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    # Tarjan's strongly connected components over the module graph (package __init__ files included)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in GRAPH:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v != "paceline" and v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_checker_sees_a_lazy_upward_import(tmp_path: Path) -> None:
    # the reader finds an import inside a function body, as the layer rule needs
    code = "def f():\n    from paceline.cli.app import app\n    return app\n"
    tree = ast.parse(code)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert resolve("paceline.physics.track", found[0]) == ["paceline.cli.app"]
    assert layer_of("paceline.cli.app") > layer_of("paceline.physics.track")
