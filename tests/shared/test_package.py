"""The package front: lazy access to every public module, in lifecycle order."""

import pkgutil

import mlkit


def test_every_public_module_is_reachable_lazily():
    public = {m.name for m in pkgutil.iter_modules(mlkit.__path__) if not m.name.startswith("_")}
    public -= {"recording"}  # reached as mlkit.record / mlkit.is_headless
    assert public <= set(mlkit.__all__), public - set(mlkit.__all__)
    assert mlkit.serving.__name__ == "mlkit.serving"


def test_phases_are_packages():
    for phase in (
        "scoping",
        "data",
        "modeling",
        "augmentation",
        "deployment",
        "monitoring",
        "runner",
    ):
        assert hasattr(getattr(mlkit, phase), "__path__"), f"mlkit.{phase} is not a package"


def test_import_mlkit_imports_no_phase():
    import subprocess
    import sys

    code = "import sys, mlkit; print(sorted(m for m in sys.modules if m.startswith('mlkit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['mlkit']", out.stdout


def test_no_module_over_700_lines():
    """One notebook section per private file keeps every file short enough to read (issue 10)."""
    from pathlib import Path

    root = Path(mlkit.__file__).parent
    long = {
        str(p.relative_to(root)): n
        for p in root.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700
    }
    assert not long, f"split these files along their notebook sections: {long}"
