"""The ``sweeps:`` section of ``nbs_ci.yml``: each claim holds on its required share of points.

This is the robustness check of CI (a few seeds of one cheap notebook); the full robustness
sweep is the command in the README ("Sweeps and clusters"), with its last measured result.
"""

from __future__ import annotations

import pytest

from mlkit.runner.config import load_config
from mlkit.runner.sweep import run_config_sweeps
from tests.conftest import ROOT

CONFIG = load_config(ROOT / "nbs_ci.yml")


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
@pytest.mark.skipif(not CONFIG.sweeps, reason="nbs_ci.yml has no sweeps: section")
def test_claims_hold_on_their_required_share_of_seeds(tmp_path):
    rows = run_config_sweeps(CONFIG, workers=2, sweeps_dir=tmp_path, echo=lambda *_: None)
    assert rows, "the sweeps: section names no claim"
    bad = [
        f"{r['notebook']} {r['claim']}: holds on {r['holds']} of {r['n_points']} points, "
        f"needs {r['required']:.0%} ({r['sweep_dir']})"
        for r in rows
        if r["ok"] is not True
    ]
    assert not bad, "\n".join(bad)
