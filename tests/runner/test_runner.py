"""The runner end to end on tiny fixture notebooks: results, reports, partial outputs."""

import json
import shutil

import pytest

from mlkit import runner
from mlkit.runner.cli import main
from mlkit.runner.config import load_config
from mlkit.runner.report import describe_error, write_summary
from tests.runner._support import run_fixtures

pytestmark = pytest.mark.xdist_group("runner")


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """One run of every fixture notebook, shared by the assertions below (kernels are slow)."""
    config, run_dir, results, log = run_fixtures(
        tmp_path_factory,
        ("ok.ipynb", "fail.ipynb", "hang.ipynb", "dies.ipynb", "dup.ipynb", "exercises.ipynb"),
        cell_timeout_s=8,  # long enough for matplotlib's import on a busy machine
    )
    checks = runner.check_run(run_dir, config)
    write_summary(run_dir, results, checks)
    return run_dir, results, checks, log


def test_ok_notebook_records_metrics_and_figures(fixture_run):
    run_dir, results, _, _ = fixture_run
    ok = results["ok.ipynb"]
    assert ok.status == "ok"
    assert ok.metrics == {
        "n_squared": 16,
        "rate": 0.5,
        "label": "x",
        "n_names": 2,
        "flag": False,
        "info": {"limit_set": False},
    }
    assert ok.parameters == {"n": 4}
    assert len(ok.figures) == 1 and (run_dir / ok.figures[0]).read_bytes()[:4] == b"\x89PNG"


def test_failure_keeps_partial_output_and_names_the_cell(fixture_run):
    run_dir, results, _, log = fixture_run
    res = results["fail.ipynb"]
    assert res.status == "failed"
    assert res.error["cell_index"] == 3 and res.error["ename"] == "ZeroDivisionError"
    assert res.error["first_line"] == "x = 1 / divisor  # boom"
    assert res.metrics == {"before": 1}  # recorded before the failure, kept
    executed = json.loads((run_dir / "fail.ipynb").read_text())
    failing = [c for c in executed["cells"] if "".join(c["source"]).startswith("x = 1 / divisor")]
    assert any(o.get("ename") == "ZeroDivisionError" for o in failing[0]["outputs"])
    report = describe_error(res, run_dir)
    assert "FAILED in cell 3 [In 3] ('x = 1 / divisor  # boom')" in report
    assert str(run_dir / "fail.ipynb") in report
    assert "ZeroDivisionError: division by zero" in log


def test_hung_cell_times_out_with_the_same_report(fixture_run):
    run_dir, results, _, _ = fixture_run
    res = results["hang.ipynb"]
    assert res.status == "timeout"
    assert res.error["cell_index"] == 3 and res.error["first_line"] == "time.sleep(seconds)"
    assert "within 8 s" in res.error["evalue"]
    assert (run_dir / "hang.ipynb").is_file()


def test_dead_kernel_is_reported_as_such(fixture_run):
    _, results, _, _ = fixture_run
    res = results["dies.ipynb"]
    assert res.status == "dead_kernel"
    assert "kernel died" in res.error["evalue"] and res.error["cell_index"] == 2


def test_duplicate_metric_fails_the_notebook(fixture_run):
    _, results, _, _ = fixture_run
    res = results["dup.ipynb"]
    assert res.status == "failed" and "already recorded" in res.error["evalue"]


def test_a_learners_answers_are_recorded_and_never_fail_the_run(fixture_run):
    run_dir, results, _, _ = fixture_run
    res = results["exercises.ipynb"]
    assert res.status == "ok"  # one wrong answer, one blank: still a good run
    assert res.metrics["exercises_total"] == 3
    assert res.metrics["exercises_passed"] == 1
    assert res.metrics["exercises_not_attempted"] == 1
    assert res.metrics["exercise_status"] == {
        "99.1": "passed",
        "99.2": "incorrect",
        "99.3": "not_attempted",
    }
    summary = (run_dir / "summary.md").read_text()
    assert "## Exercise progress" in summary
    assert "| exercises.ipynb | 1 / 3 | 1 | 1 | 99.2 |" in summary


def test_metrics_json_and_summary(fixture_run):
    run_dir, results, checks, _ = fixture_run
    doc = json.loads((run_dir / "metrics.json").read_text())
    assert doc["profile"] == "ci" and set(doc["notebooks"]) == set(results)
    for entry in doc["notebooks"].values():
        assert {"status", "parameters", "duration_s", "metrics", "error"} <= set(entry)
    summary = (run_dir / "summary.md").read_text()
    assert "[ok.ipynb](ok.ipynb)" in summary and "## Failures" in summary
    failed = {(c["notebook"], c["metric"]) for c in checks if not c["ok"]}
    assert ("fail.ipynb", "(status)") in failed
    assert not any(n == "ok.ipynb" for n, _ in failed)


def test_run_folders_are_never_reused(tmp_path):
    a = runner.new_run_dir(tmp_path)
    b = runner.new_run_dir(tmp_path)
    assert a != b and a.is_dir() and b.is_dir()
    with pytest.raises(runner.RunError, match="already exists; runs are never overwritten"):
        runner.new_run_dir(out=a)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--profile", "nope"], "Profile 'nope' is not defined"),
        (
            ["ok.ipynb", "-p", "nn", "1"],
            "ok.ipynb has no parameter 'nn' (-p). Known parameters: flag, label, limit, n, names, rate",
        ),
        (
            ["ok.ipynb", "-p", "n", "three"],
            "Parameter 'n' of ok.ipynb (-p) must be of type int. Got 'three'",
        ),
        (["ok.ipynb", "-p", "names", "[a]"], "-f params.yaml"),
    ],
)
def test_unknown_profile_and_parameters_are_refused_before_any_kernel(
    fixtures_dir, tmp_path, capsys, extra, message
):
    cfg = fixtures_dir / "nbs_ci.yml"
    out = tmp_path / "run"
    extra = [str(fixtures_dir / a) if a.endswith(".ipynb") else a for a in extra]
    assert main(["run", "--config", str(cfg), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()  # nothing was started


def test_cli_run_with_profile_file_and_check(fixtures_dir, tmp_path, capsys):
    shutil.copy(fixtures_dir / "ok.ipynb", tmp_path / "ok.ipynb")
    cfg = tmp_path / "nbs_ci.yml"
    cfg.write_text(
        "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        parameters: {n: 5, names: [a, b, c]}\n"
        "        expect:\n          n_squared: {value: 25}\n          n_names: {value: 3}\n"
    )
    (tmp_path / "p.yaml").write_text("label: y\n")
    out = tmp_path / "run"
    code = main(["run", "--config", str(cfg), "--out", str(out), "--check", "--jobs", "1"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "2 expectation(s) met, 0 missed" in text
    assert main(["check", str(out), "--config", str(cfg)]) == 0
    # the same run checked against a changed golden value fails
    cfg.write_text(
        "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        parameters: {n: 5, names: [a, b, c]}\n"
        "        expect:\n          n_squared: {value: 26}\n"
    )
    assert main(["check", str(out), "--config", str(cfg)]) == 1
    assert "NO" in capsys.readouterr().out
    # a -f file reaches the notebook
    out2 = tmp_path / "run2"
    assert (
        main(["run", "--config", str(cfg), "--out", str(out2), "-f", str(tmp_path / "p.yaml")]) == 0
    )
    doc = json.loads((out2 / "metrics.json").read_text())
    assert doc["notebooks"]["ok.ipynb"]["metrics"]["label"] == "y"


def test_check_without_runs_says_what_to_do(tmp_path, fixtures_dir, capsys):
    with pytest.raises(FileNotFoundError, match="Run `mlkit run` first"):
        runner.latest_run(tmp_path / "runs")
    assert main(["check", str(tmp_path), "--config", str(fixtures_dir / "nbs_ci.yml")]) == 2
    assert "has no metrics.json" in capsys.readouterr().err


def test_kernel_env_points_python3_at_this_interpreter(tmp_path, monkeypatch):
    import sys

    monkeypatch.setenv("MPLBACKEND", "Agg")
    env = runner.kernel_env(tmp_path, kernel_dir=tmp_path / "k", threads=1, project_root=tmp_path)
    spec = json.loads((tmp_path / "k" / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert env["JUPYTER_PATH"].split(":")[0] == str(tmp_path / "k")
    assert "MPLBACKEND" not in env and env["MLKIT_HEADLESS"] == "1"


def test_params_command(fixtures_dir, capsys):
    assert main(["params", str(fixtures_dir / "ok.ipynb")]) == 0
    out = capsys.readouterr().out
    assert "names" in out and "list[str]" in out and "some names" in out
    assert main(["params", str(fixtures_dir / "noparams.ipynb")]) == 2


def test_overrides_apply_to_the_notebooks_that_declare_them(fixtures_dir):
    config = load_config(fixtures_dir / "nbs_ci.yml")
    nbs = [fixtures_dir / "ok.ipynb", fixtures_dir / "fail.ipynb"]
    jobs = runner.plan_run(
        config, notebooks=nbs, profile="ci", cli_params=[("n", "5")], file_params={"divisor": 2}
    )
    by_name = {j.notebook: j for j in jobs}
    assert by_name["ok.ipynb"].parameters == {"n": 5} and by_name["ok.ipynb"].overridden == ["n"]
    assert by_name["fail.ipynb"].parameters == {"divisor": 2}
    with pytest.raises(
        runner.RunError, match=r"No chosen notebook has a parameter 'zz' \(-p\).*ok.ipynb: flag"
    ):
        runner.plan_run(config, notebooks=nbs, profile="ci", cli_params=[("zz", "1")])


def test_missing_path_parameters_are_refused_before_any_kernel(tmp_path, fixtures_dir):
    nb = json.loads((fixtures_dir / "ok.ipynb").read_text())
    nb["cells"][1]["source"] = 'audio_dir: str = ""  # a folder\nref_csv: str = ""  # a table\n'
    (tmp_path / "paths.ipynb").write_text(json.dumps(nb))
    (tmp_path / "nbs_ci.yml").write_text(
        "notebooks:\n  paths.ipynb:\n    profiles:\n      ci: {}\n"
    )
    (tmp_path / "table.csv").write_text("a\n1\n")
    config = load_config(tmp_path / "nbs_ci.yml")
    with pytest.raises(
        runner.RunError,
        match=r"paths.ipynb: The 'audio_dir' parameter points to '/no/such/dir', which does not exist",
    ):
        runner.plan_run(config, profile="ci", cli_params=[("audio_dir", "/no/such/dir")])
    with pytest.raises(runner.RunError, match="'audio_dir' parameter must be a folder"):
        runner.plan_run(
            config, profile="ci", cli_params=[("audio_dir", str(tmp_path / "table.csv"))]
        )
    jobs = runner.plan_run(
        config, profile="ci", cli_params=[("ref_csv", str(tmp_path / "table.csv"))]
    )
    assert jobs[0].parameters["ref_csv"].endswith("table.csv")


def test_check_marks_overridden_runs_not_comparable(tmp_path, fixtures_dir, capsys):
    shutil.copy(fixtures_dir / "ok.ipynb", tmp_path / "ok.ipynb")
    (tmp_path / "nbs_ci.yml").write_text(
        "notebooks:\n  ok.ipynb:\n    profiles:\n      ci:\n        expect:\n          n_squared: {value: 9}\n"
    )
    out = tmp_path / "run"
    cfg = str(tmp_path / "nbs_ci.yml")
    assert main(["run", "--config", cfg, "--out", str(out), "-p", "n", "5", "--check"]) == 0
    text = capsys.readouterr().out
    assert "not comparable" in text and "overridden: n" in text
    assert "(figures/ok/cell04_0.png)" in (out / "summary.md").read_text()  # named by source cell


def test_bad_parameters_file_gets_one_clear_line(tmp_path, fixtures_dir, capsys):
    bad = tmp_path / "p.yaml"
    bad.write_text("names: [a, b\nn: 3\n")
    code = main(
        [
            "run",
            "--config",
            str(fixtures_dir / "nbs_ci.yml"),
            "--out",
            str(tmp_path / "r"),
            "-f",
            str(bad),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and f"parameters file {bad} is not valid YAML (line" in err
    assert "Traceback" not in err


def test_lab_passes_jupyter_options_through(monkeypatch):
    import subprocess

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert main(["lab", "--no-browser", "--port", "8899"]) == 0
    cmd, env = calls[0]
    assert cmd[-3:] == ["--no-browser", "--port", "8899"] and "lab" in cmd
    assert "MLKIT_HEADLESS" not in env and env["JUPYTER_PATH"]
    with pytest.raises(SystemExit):
        main(["params", "x.ipynb", "--bogus"])
