"""The package's import graph flows one way: shared layer -> stages -> quickstart/CLI.

Every module of ``mathlm`` is parsed (``ast``, so function-level and ``TYPE_CHECKING`` imports count
too: a lazy import is still a dependency a reader must follow) and each ``mathlm`` import becomes an edge
between two modules. The test fails on

* an import cycle between modules (lazy imports included), and
* an edge against the layers of ``docs/architecture.md``: the shared layer imports no stage and nothing
  on top; a stage imports the shared layer and itself, never another stage; only the top (quickstart,
  the CLI and each stage's ``commands.py``) may import several stages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import mathlm

PACKAGE_DIR = Path(mathlm.__file__).resolve().parent
STAGES = ("proof_pile_2", "pretrain", "eval", "theorem_proving")
TOP_PACKAGES = ("cli", "quickstart")
# Shipped data that happens to be Python source (the sample's code repositories), not code of the package.
DATA_DIRS = (PACKAGE_DIR / "assets" / "sample",)


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (the sample's fixture files excluded)."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in DATA_DIRS):
            continue
        relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        modules[".".join(parts)] = path
    return modules


def imported_modules(path: Path, module: str, known: set[str]) -> Iterator[str]:
    """The ``mathlm`` modules ``module`` imports anywhere in its file, resolved to known module names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from pkg import name`: an edge to pkg.name when it is a module, else to pkg itself
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import mathlm.a.b` of a name inside a module
                target = target.rpartition(".")[0]
            if target.startswith("mathlm") and target != module:
                yield target


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {module: set(imported_modules(path, module, known)) for module, path in files.items()}


def layer(module: str) -> tuple[str, str | None]:
    """("top" | "stage" | "shared", the stage's name for a stage module)."""
    parts = module.split(".")
    if len(parts) > 1 and (parts[1] in TOP_PACKAGES or parts[-1] == "commands"):
        return "top", None
    if len(parts) > 1 and parts[1] in STAGES:
        return "stage", parts[1]
    return "shared", None


def layer_violation(source: str, target: str) -> str | None:
    """Why the edge source -> target goes against the layers, or None when it is allowed."""
    source_layer, source_stage = layer(source)
    target_layer, target_stage = layer(target)
    if source_layer == "top":
        return None
    if target_layer == "top":
        return f"{source_layer} module imports the top layer (quickstart/CLI)"
    if source_layer == "shared" and target_layer == "stage":
        return f"shared module imports stage {target_stage}"
    if source_layer == "stage" and target_layer == "stage" and source_stage != target_stage:
        return f"stage {source_stage} imports stage {target_stage}"
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
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


def test_graph_sees_the_package() -> None:
    """Guards the two tests below against an empty or unresolved graph passing vacuously."""
    graph = import_graph()
    assert {"mathlm.cli.root", "mathlm.config", "mathlm.eval.runner", "mathlm.shards.mixture"} <= set(graph)
    assert "mathlm.shards.mixture" in graph["mathlm.pretrain.data"]  # module-level `from x import y`
    assert "mathlm.quickstart.run" in graph["mathlm.cli.root"]  # function-level import
    assert "mathlm.assets" in graph["mathlm.theorem_proving.prompt"]  # `from mathlm import assets`


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles (lazy imports count):\n" + "\n".join(" <-> ".join(c) for c in found)


def test_imports_follow_the_layers() -> None:
    graph = import_graph()
    bad = [
        f"{source} -> {target}: {why}"
        for source, targets in sorted(graph.items())
        for target in sorted(targets)
        if (why := layer_violation(source, target))
    ]
    assert not bad, "imports against the layers of docs/architecture.md:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("mathlm.cli.root", "mathlm.eval.commands", True),
        ("mathlm.quickstart.run", "mathlm.pretrain.trainer", True),
        ("mathlm.eval.commands", "mathlm.slurm.commands", True),
        ("mathlm.eval.runner", "mathlm.benchmarks.specs", True),
        ("mathlm.eval.runner", "mathlm.eval.tasks", True),
        ("mathlm.slurm.jobs", "mathlm.pretrain.config", False),
        ("mathlm.theorem_proving.proposer", "mathlm.eval.backends", False),
        ("mathlm.pretrain.data", "mathlm.quickstart.train", False),
        ("mathlm.shards.mixture", "mathlm.cli.options", False),
    ],
)
def test_layer_rule(source: str, target: str, allowed: bool) -> None:
    assert (layer_violation(source, target) is None) is allowed


def test_cycle_detection_finds_a_lazy_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
