"""Every notebook of nbs_ci.yml, executed headless with papermill, meets its expectations.

Profile ``ci`` always runs (learner copies: every exercise not attempted); ``solutions`` runs
each exercise's reference solution and planted wrong answers; ``fsdd`` runs on the real recordings
in ``../shared/data/fsdd`` and is skipped when they are absent.
"""

from __future__ import annotations

import pytest

from mlkit import runner
from mlkit.runner.config import load_config
from mlkit.runner.report import describe_error, format_table
from tests.conftest import FSDD_DIR, ROOT

CONFIG = load_config(ROOT / "nbs_ci.yml")
CASES = [
    pytest.param(name, profile, id=f"{name.removeprefix('notebooks/')}-{profile}")
    for name, spec in CONFIG.notebooks.items()
    for profile in ("ci", "solutions", "fsdd")
    if profile in spec.profiles
]


@pytest.mark.notebook
@pytest.mark.parametrize(("notebook", "profile"), CASES)
def test_notebook_meets_expectations(notebook, profile, tmp_path):
    if profile == "fsdd" and not (FSDD_DIR / "recordings").is_dir():
        pytest.skip(f"real recordings not present at {FSDD_DIR}")
    jobs = runner.plan_run(CONFIG, notebooks=[CONFIG.notebooks[notebook].path], profile=profile)
    run_dir = runner.new_run_dir(tmp_path)
    results = runner.execute_run(
        jobs,
        run_dir=run_dir,
        config=CONFIG,
        profile=profile,
        n_jobs=1,
        threads_per_kernel=1,
        echo=lambda *_: None,
    )
    res = results[notebook]
    assert res.status == "ok", describe_error(res, run_dir)
    assert res.figures, f"{notebook} drew no image/png figure in a headless run"
    rows = [r for r in runner.check_run(run_dir, CONFIG) if r["notebook"] == notebook]
    assert rows, f"{notebook} has no expectations under profile {profile!r} in nbs_ci.yml"
    missed = [r for r in rows if not r["ok"]]
    assert not missed, "\n" + format_table(missed, ["notebook", "metric", "expected", "got", "ok"])
