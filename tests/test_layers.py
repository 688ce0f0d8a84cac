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


# ---- render only reads results ---------------------------------------------------------------------------------

#: What a render module may not import outside ``if TYPE_CHECKING:`` (where it may name any result type): the
#: pipeline that solves (``paceline.chain``), the fits and calibrations (``paceline.fit``), the models' solvers
#: (every ``paceline.models`` module but the result type ``paceline.models.race`` and the package's list of names)
#: and the samplers (``paceline.studies.uncertainty``: Monte Carlo, draws, sweeps; ``paceline.studies.inference``).
RENDER_FORBIDDEN = ("paceline.chain", "paceline.fit", "paceline.models", "paceline.studies.uncertainty",
                    "paceline.studies.inference")  # fmt: skip
RENDER_ALLOWED = ("paceline.models", "paceline.models.race")
#: Render modules still allowed to solve, and why (each one a debt with its owner).
RENDER_SOLVES: dict[str, str] = {}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of every node inside an ``if TYPE_CHECKING:`` block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and (
            (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        ):
            inside.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return inside


def runtime_imports(module: str, code: str | None = None) -> set[str]:
    """The paceline modules ``module`` imports when it runs (lazy imports included, ``TYPE_CHECKING`` ones not)."""
    tree = ast.parse(code if code is not None else MODULES[module].read_text(encoding="utf-8"))
    typing_only = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("paceline"))
        elif isinstance(node, ast.ImportFrom):
            found.update(resolve(module, node))
    return found


def render_violations(module: str, code: str | None = None) -> list[str]:
    """What ``module`` imports at run time that solves or samples (see :data:`RENDER_FORBIDDEN`)."""
    out = []
    for dep in sorted(runtime_imports(module, code)):
        forbidden = any(dep == p or dep.startswith(p + ".") for p in RENDER_FORBIDDEN)
        if forbidden and dep not in RENDER_ALLOWED:
            out.append(f"{module} imports {dep}")
    return out


def test_render_only_reads_results() -> None:
    render = [m for m in MODULES if m == "paceline.render" or m.startswith("paceline.render.")]
    assert "paceline.render.report" in render
    found = [v for m in render if m not in RENDER_SOLVES for v in render_violations(m)]
    assert not found, "render must not solve or sample:\n" + "\n".join(found)
    for m in RENDER_SOLVES:  # an exemption that is no longer needed goes
        assert m in MODULES and render_violations(m), f"{m} no longer solves; drop it from RENDER_SOLVES"


def test_the_render_checker_sees_a_lazy_solve_and_ignores_a_type() -> None:
    lazy = "def f(sc):\n    from paceline.chain import solve\n    return solve(sc)\n"
    assert render_violations("paceline.render.report", lazy) == ["paceline.render.report imports paceline.chain"]
    sampler = "def f(sc):\n    from paceline.studies.uncertainty.montecarlo import monte_carlo\n"
    assert render_violations("paceline.render.report", sampler)
    typed = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from paceline.studies.uncertainty.montecarlo import MonteCarloResult\n"
        "    from paceline.models.race import Race\n"
    )
    assert render_violations("paceline.render.report", typed) == []
    assert render_violations("paceline.render.report", "from paceline.models.equal_power import EqualPowerModel\n")
