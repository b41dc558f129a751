"""The kit's layering rule, checked on every import in ``mlkit/**`` (function-local ones included).

- Imports point backwards in the lifecycle only: shared < scoping < data < modeling <
  {augmentation, tracking} < deployment < serving < monitoring < readiness. The shared layer
  imports no phase.
- The notebook runner (``mlkit.runner``) imports no phase.
- No module imports another module's private name (``_x``) or a private file of another package.
- No import cycles between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "mlkit"

SHARED = {
    "_validation",
    "_models",
    "_stats",
    "_dsp",
    "_speakers",
    "errors",
    "paths",
    "audio",
    "datasets",
    "features",
    "viz",
    "widgets",
    "lineage",
    "recording",
    "exercises",
}
RANK = {
    "scoping": 1,
    "data": 2,
    "modeling": 3,
    "augmentation": 4,
    "tracking": 4,
    "deployment": 5,
    "serving": 6,
    "monitoring": 7,
    "readiness": 8,
}
FRONT = {"__init__", "__main__"}  # the package front and ``python -m mlkit``


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = _modules()


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _runtime_nodes(tree):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def _imports(name: str, path: Path):
    """Yield (target module, imported name or None, line) for every mlkit import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mlkit" or alias.name.startswith("mlkit."):
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node)
            if target != "mlkit" and not target.startswith("mlkit."):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # ``from mlkit import data`` imports a module
                    yield sub, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def _unit(module: str) -> str:
    """The layer unit of a module: its top-level name under ``mlkit``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(unit: str):
    if unit in SHARED or unit == "__init__":  # the front: only ``__version__`` is imported
        return 0
    return RANK.get(unit)


def _owner(module: str) -> str:
    """The package a private file or name belongs to (a module's own package)."""
    parts = module.split(".")
    private_at = next((i for i, p in enumerate(parts) if p.startswith("_") and i > 1), None)
    return ".".join(parts[:private_at]) if private_at is not None else module


def _violations(modules=None):
    found = []
    for name, path in (modules or MODULES).items():
        unit = _unit(name)
        rel = path.relative_to(PKG.parent) if path.is_relative_to(PKG.parent) else path.name
        for target, imported, line in _imports(name, path):
            where = f"{rel}:{line} imports {target}" + (f".{imported}" if imported else "")
            t_unit = _unit(target)
            if unit == "runner" and t_unit in RANK:
                found.append(f"{where}: the runner must not import a phase")
            if unit not in FRONT | {"runner"}:
                mine, theirs = _layer(unit), _layer(t_unit)
                if t_unit == "runner":
                    found.append(f"{where}: only the front may import the runner")
                elif mine is None or theirs is None:
                    found.append(f"{where}: unknown unit {unit!r} or {t_unit!r}; add it to a layer")
                elif unit != t_unit and (theirs > mine or (theirs == mine and mine > 0)):
                    found.append(f"{where}: against the lifecycle ({unit} may not import {t_unit})")
            # private files of another package
            owner = _owner(target)
            if owner != target and not (name == owner or name.startswith(owner + ".")):
                found.append(f"{where}: private file of another package")
            # private names of another module
            if imported and imported.startswith("_") and not imported.startswith("__"):
                home = _owner(target)
                if not (name == home or name.startswith(home + ".")) or home == target == name:
                    found.append(f"{where}: private name of another module")
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {n: set() for n in MODULES}
    for name, path in MODULES.items():
        for target, _, _ in _imports(name, path):
            if target in MODULES and target != name:
                graph[name].add(target)
    return graph


def test_layering_rule_holds():
    violations = _violations()
    assert not violations, "\n".join(violations)


def test_no_import_cycles():
    graph = _graph()
    # Package __init__ files re-export their private files; a private file importing its own
    # package's __init__ back would be a cycle, and is reported like any other.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def strongconnect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
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

    for v in graph:
        if v not in index:
            strongconnect(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize(
    "src, target, expected",
    [
        ("from mlkit.monitoring import psi", "mlkit.deployment._canary", "against the lifecycle"),
        ("from mlkit.scoping import quick_model", "mlkit.runner.plan", "must not import a phase"),
        ("from mlkit.audio import _power", "mlkit.augmentation._x", "private name"),
        ("from mlkit.data._hlp import estimate_hlp", "mlkit.modeling._x", "private file"),
        ("import mlkit.modeling", "mlkit.datasets", "against the lifecycle"),
        ("from mlkit.tracking import load_model", "mlkit.augmentation._x", "against the lifecycle"),
    ],
)
def test_the_rule_catches_bad_imports(tmp_path, src, target, expected):
    """Plant one bad import and see it reported (the check can fail)."""
    path = tmp_path / "planted.py"
    path.write_text(f"def f():\n    {src}\n")
    found = _violations({target: path})
    assert any(expected in v for v in found), found


def test_the_rule_accepts_good_imports(tmp_path):
    path = tmp_path / "planted.py"
    path.write_text(
        "from mlkit._stats import psi\nfrom mlkit.data import estimate_hlp\n"
        "from mlkit.modeling._skewed import binary_metrics\n"
    )
    assert _violations({"mlkit.modeling._x": path}) == []
