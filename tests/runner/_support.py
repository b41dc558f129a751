"""Shared set-up for the runner tests: one headless run of some fixture notebooks."""

from mlkit import runner
from mlkit.runner.config import load_config
from tests.conftest import FIXTURES


def run_fixtures(tmp_path_factory, names, *, cli_params=None, **execute_kw):
    """Plan and execute the fixture notebooks ``names`` under profile ``ci`` in a new run folder.

    Returns ``(config, run_dir, results, log)``; ``log`` is the runner's echoed lines.
    """
    config = load_config(FIXTURES / "nbs_ci.yml")
    notebooks = [FIXTURES / n for n in names]
    jobs = runner.plan_run(config, notebooks=notebooks, profile="ci", cli_params=cli_params)
    run_dir = runner.new_run_dir(tmp_path_factory.mktemp("runs"))
    lines = []
    results = runner.execute_run(
        jobs,
        run_dir=run_dir,
        config=config,
        profile="ci",
        n_jobs=2,
        echo=lines.append,
        **execute_kw,
    )
    return config, run_dir, results, "\n".join(lines)
