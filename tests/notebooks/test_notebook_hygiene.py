"""Committed notebooks are clean, parameterised, listed in nbs_ci.yml and lint-free."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys

import pytest

from mlkit.runner.config import load_config
from mlkit.runner.params import read_parameters
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs_and_with_python3_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}, nb["metadata"].keys()
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} of {path.name} has outputs"
            assert cell["execution_count"] is None, (
                f"cell {i} of {path.name} has an execution count"
            )
        assert set(cell.get("metadata", {})) <= {"tags"}, (
            f"cell {i} of {path.name}: {cell['metadata']}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_parameters_cell_with_help_for_every_parameter(path):
    params = read_parameters(path)
    assert params, f"{path.name} declares no parameters"
    missing = [p.name for p in params if not p.help]
    assert not missing, f"{path.name}: parameters without a help comment: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_structure_title_first_and_no_sys_path_edits(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert not re.search(r"sys\.path", code), f"{path.name} edits sys.path"
    assert "MPLBACKEND" not in code


def test_every_notebook_is_listed_in_nbs_ci():
    config = load_config(ROOT / "nbs_ci.yml")
    listed = {spec.path.resolve() for spec in config.notebooks.values()}
    assert {p.resolve() for p in NOTEBOOKS} == listed
    for name, spec in config.notebooks.items():
        assert spec.expectations("ci"), f"{name} has no 'ci' expectations"


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff not installed")
def test_ruff_lints_package_notebooks_and_tests():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "mlkit",
            "notebooks",
            "tests",
            "benchmarks",
            "datasets",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


MAX_CELL_LINES = 20  # STYLE.md: a code cell is about ten lines that call mlkit, never more than 20


def long_cells(nb: dict, limit: int = MAX_CELL_LINES) -> list[tuple[int, int, str]]:
    """Return (cell index, line count, first line) of code cells over `limit` lines.

    The parameters cell is the notebook's signature and may be longer.
    """
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        lines = "".join(cell["source"]).strip("\n").splitlines()
        if len(lines) > limit:
            out.append((i, len(lines), lines[0]))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_cells_stay_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    too_long = long_cells(nb)
    assert not too_long, (
        f"{path.name}: code cells over {MAX_CELL_LINES} lines (move logic, plotting and computed "
        f"prose into the phase package): {too_long}"
    )


def test_the_cell_length_check_can_fail():
    cell = {"cell_type": "code", "metadata": {}, "source": ["x = 1\n"] * 21}
    params = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ["a = 1\n"] * 30}
    assert long_cells({"cells": [params, cell]}) == [(1, 21, "x = 1")]
