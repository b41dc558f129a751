"""``mlkit sweep``: points on a LocalCluster and on a real scheduler, faults, resume, validation.

The fixture notebook ``tests/fixtures/sweep/sweepnb.ipynb`` records a seeded ``score``, fails on
``fail_seed`` and kills the dask worker that runs it ``kill_times`` times (counted in ``kill_dir``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlkit.errors import ConfigError, RunError
from mlkit.runner.config import load_config
from mlkit.runner.sweep import plan_sweep, sweep
from tests.conftest import FIXTURES, ROOT

SWEEP = FIXTURES / "sweep"
NB = SWEEP / "sweepnb.ipynb"
CONFIG = SWEEP / "nbs_ci.yml"

slow = [pytest.mark.notebook, pytest.mark.xdist_group("sweep")]


def _run(tmp, **kw):
    lines = []
    kw.setdefault("workers", 2)
    df = sweep([NB], config=CONFIG, sweeps_dir=tmp, echo=lines.append, **kw)
    return df, "\n".join(lines)


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """Two seeds on a LocalCluster; seed 1 fails on purpose in cell 5."""
    tmp = tmp_path_factory.mktemp("sweeps")
    df, log = _run(tmp, seeds=2, parameters={"fail_seed": 1})
    return df, Path(df.attrs["sweep_dir"]), log


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_local_sweep_writes_a_coherent_folder(local):
    df, folder, log = local
    assert list(df["point_id"]) == ["sweepnb-000", "sweepnb-001"]
    assert list(df["status"]) == ["ok", "failed"]
    assert df.loc[0, "score"] == pytest.approx(0.815263)
    for name in ("sweep.csv", "claims.csv", "index.html", "sweep.json"):
        assert (folder / name).is_file(), name
    assert (folder / "points/sweepnb-000/sweepnb.ipynb").is_file()
    assert list((folder / "points/sweepnb-000/figures").rglob("*.png"))
    rows = list(csv.DictReader((folder / "sweep.csv").open()))
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert json.loads((folder / "sweep.json").read_text())["status"] == "complete"
    assert "done" in log and "running" in log and "failed" in log  # the progress line
    html = (folder / "index.html").read_text()
    assert "Failed points" in html and "fails on purpose" in html
    assert (folder / "figures/score.png").is_file()


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_failing_point_is_recorded_with_cell_and_error(local):
    df, folder, _ = local
    rec = json.loads((folder / "points/sweepnb-001/result.json").read_text())
    assert rec["status"] == "failed"
    assert rec["error"]["cell_index"] == 5
    assert rec["error"]["ename"] == "ValueError"
    assert "fails on purpose" in df.loc[1, "error"]


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_claims_csv_counts_points_with_wilson_interval(local):
    _, folder, _ = local
    rows = {r["claim"]: r for r in csv.DictReader((folder / "claims.csv").open())}
    above = rows["score_above_baseline"]
    # only the finished point counts: 1 of 1, Wilson 95 % interval [0.2065, 1]
    assert (above["holds"], above["n_points"]) == ("1", "1")
    assert float(above["ci_low"]) == pytest.approx(0.2065, abs=1e-4)
    assert above["required"] == "1.0" and above["ok"] == "True"


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_resume_runs_only_points_without_result(local, tmp_path):
    _, folder, _ = local
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    before = (copy / "points/sweepnb-000/result.json").read_text()
    shutil.rmtree(copy / "points/sweepnb-001")
    lines = []
    df = sweep(resume=copy, config=CONFIG, workers=1, echo=lines.append)
    assert "1 point(s) already have a result; running 1" in "\n".join(lines)
    assert (copy / "points/sweepnb-000/result.json").read_text() == before
    assert list(df["status"]) == ["ok", "failed"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout_s: float = 60) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_real_scheduler_and_worker_give_the_same_metrics(local, tmp_path):
    df_local, _, _ = local
    port = _free_port()
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                stdout=(logs / "scheduler.log").open("w"),
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        )
        _wait_port(port)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    f"tcp://127.0.0.1:{port}",
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                stdout=(logs / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        )
        df, _ = _run(
            tmp_path / "sweeps",
            seeds=2,
            parameters={"fail_seed": 1},
            scheduler=f"tcp://127.0.0.1:{port}",
        )
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    meta = json.loads((Path(df.attrs["sweep_dir"]) / "sweep.json").read_text())
    assert meta["scheduler"] == f"tcp://127.0.0.1:{port}"
    cols = ["point_id", "status", "score", "baseline", "spread"]
    assert df[cols].to_dict("records") == df_local[cols].to_dict("records")


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
@pytest.mark.parametrize(("kill_times", "status"), [(1, "ok"), (2, "worker_died")])
def test_killed_worker_is_retried_once_then_recorded(tmp_path, kill_times, status):
    kills = tmp_path / "kills"
    kills.mkdir()
    df, _ = _run(
        tmp_path / "sweeps",
        grid={"random_state": [0]},
        parameters={"kill_seed": 0, "kill_times": kill_times, "kill_dir": str(kills)},
        workers=1,
    )
    assert len(list(kills.iterdir())) == kill_times
    assert list(df["status"]) == [status]
    if status == "worker_died":
        rec = json.loads(
            (Path(df.attrs["sweep_dir"]) / "points/sweepnb-000/result.json").read_text()
        )
        assert rec["error"]["ename"] == "KilledWorker"
        assert "died" in (Path(df.attrs["sweep_dir"]) / "index.html").read_text()


@pytest.mark.notebook
@pytest.mark.xdist_group("sweep")
def test_ctrl_c_leaves_a_coherent_folder(tmp_path):
    out = tmp_path / "sw"
    cmd = [
        sys.executable,
        "-m",
        "mlkit",
        "sweep",
        str(NB),
        "--config",
        str(CONFIG),
        "--seeds",
        "2",
        "-p",
        "sleep_s",
        "600",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    end = time.monotonic() + 120
    while time.monotonic() < end and not (out / "sweep.json").is_file():
        time.sleep(0.5)
    meta_path = out / "sweep.json"
    while time.monotonic() < end and "scheduler" not in meta_path.read_text():
        time.sleep(0.5)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    meta = json.loads(meta_path.read_text())
    assert meta["status"] == "interrupted"
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert [r["status"] for r in rows] == ["interrupted", "interrupted"]
    assert (out / "index.html").is_file() and (out / "claims.csv").is_file()


# --------------------------------------------------------------------- before anything starts


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"seeds": 0}, r"--seeds must be an integer >= 1\. Got 0"),
        ({}, r"Nothing to sweep"),
        ({"grid": {"noise": []}}, r"'noise' of the --grid must have a non-empty list"),
        ({"grid": {"noise": 0.1}}, r"'noise' of the --grid must have a non-empty list"),
        ({"grid": {"nosuch": [1]}}, r"Sweep point nosuch=1: .*no parameter 'nosuch'.*Known"),
        (
            {"grid": {"noise": ["high"]}},
            r"Sweep point noise='high': .*'noise'.*must be of type float",
        ),
        ({"grid": {"noise": [-1.0]}}, r"Sweep point noise=-1.0: .*must have value >= 0"),
        (
            {"grid": {"kill_dir": ["/no/such/folder"]}},
            r"'kill_dir' parameter points to '/no/such/folder', which does not exist",
        ),
        (
            {"seeds": 2, "grid": {"random_state": [1]}},
            r"'random_state' is both in --grid and set by --seeds",
        ),
        ({"seeds": 2, "file_params": {"random_state": 3}}, r"swept \(--grid/--seeds\) and fixed"),
    ],
)
def test_bad_points_are_refused_before_anything_starts(kw, match):
    config = load_config(CONFIG)
    with pytest.raises(RunError, match=match):
        plan_sweep(config, notebooks=[NB], **kw)


def test_refused_sweep_creates_no_folder(tmp_path):
    with pytest.raises(RunError, match="no parameter 'nosuch'"):
        sweep([NB], config=CONFIG, sweeps_dir=tmp_path / "sweeps", grid={"nosuch": [1]})
    assert not (tmp_path / "sweeps").exists()


def test_grid_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "grid.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(RunError, match=r"Grid file .*grid.yaml must be a YAML mapping"):
        sweep([NB], config=CONFIG, grid=bad)
    with pytest.raises(FileNotFoundError, match="Grid file .*missing.yaml does not exist"):
        sweep([NB], config=CONFIG, grid=tmp_path / "missing.yaml")


def test_cli_refuses_bad_seeds_before_anything_starts(capsys):
    from mlkit.runner.cli import main

    assert main(["sweep", str(NB), "--config", str(CONFIG), "--seeds", "0"]) == 2
    assert "--seeds must be >= 1" in capsys.readouterr().err


def test_points_are_the_cartesian_product_in_order():
    config = load_config(CONFIG)
    points = plan_sweep(config, notebooks=[NB], grid={"noise": [0.1, 0.2]}, seeds=2)
    assert [p.values for p in points] == [
        {"noise": 0.1, "random_state": 0},
        {"noise": 0.1, "random_state": 1},
        {"noise": 0.2, "random_state": 0},
        {"noise": 0.2, "random_state": 1},
    ]
    assert [p.point_id for p in points] == [f"sweepnb-00{i}" for i in range(4)]
    assert points[0].job.parameters["noise"] == 0.1


# --------------------------------------------------------------------- nbs_ci.yml sweeps:


def _config_with(tmp_path, sweeps: str) -> Path:
    shutil.copy(NB, tmp_path / "sweepnb.ipynb")
    text = CONFIG.read_text().split("sweeps:")[0] + sweeps
    path = tmp_path / "nbs_ci.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("sweeps", "match"),
    [
        ("sweeps: [a]\n", r"'sweeps' must be a mapping of notebook -> sweep"),
        (
            "sweeps:\n  other.ipynb: {seeds: 2}\n",
            r"notebook other.ipynb: the notebook is not listed under 'notebooks'",
        ),
        ("sweeps:\n  sweepnb.ipynb: {seeds: 0}\n", r"'seeds' must be an integer >= 1\. Got 0"),
        ("sweeps:\n  sweepnb.ipynb: {}\n", r"give 'seeds' \(a number\), a 'grid', or both"),
        ("sweeps:\n  sweepnb.ipynb: {seeds: 2, runs: 3}\n", r"unknown key\(s\) \['runs'\]"),
        (
            "sweeps:\n  sweepnb.ipynb: {grid: {noise: 0.1}}\n",
            r"grid parameter 'noise' must have a non-empty list",
        ),
        ("sweeps:\n  sweepnb.ipynb: {grid: {nosuch: [1]}}\n", r"has no parameter 'nosuch'"),
        (
            "sweeps:\n  sweepnb.ipynb: {seeds: 2, profile: fsdd}\n",
            r"profile 'fsdd' is not a profile of this notebook",
        ),
        (
            "sweeps:\n  sweepnb.ipynb: {seeds: 2, claims: {nosuch: 0.8}}\n",
            r"claim 'nosuch' is not a claim of profile 'ci'",
        ),
        (
            "sweeps:\n  sweepnb.ipynb: {seeds: 2, claims: {score_above_08: 80}}\n",
            r"share for claim 'score_above_08' must be a number in \[0, 1\]",
        ),
    ],
)
def test_config_sweeps_errors(tmp_path, sweeps, match):
    with pytest.raises(ConfigError, match=match):
        load_config(_config_with(tmp_path, sweeps))


def test_config_sweeps_parse():
    spec = load_config(CONFIG).sweeps["sweepnb.ipynb"]
    assert (spec.profile, spec.seeds, spec.grid, spec.claims) == (
        "ci",
        2,
        {},
        {"score_above_baseline": 1.0},
    )


# --------------------------------------------------------------------- reports, MLflow


def _fake(tmp_path):
    config = load_config(CONFIG)
    points = plan_sweep(config, notebooks=[NB], seeds=2)
    evil = "<script>alert(1)</script>"
    results = {
        points[0].point_id: {
            "status": "ok",
            "metrics": {"score": 0.9, "baseline": 0.5, "spread": 0.1},
            "duration_s": 1.0,
            "error": None,
            "output": "",
        },
        points[1].point_id: {
            "status": "failed",
            "metrics": {"score": 0.7},
            "duration_s": 1.0,
            "error": {"cell_index": 5, "ename": "ValueError", "evalue": evil},
            "output": "",
        },
    }
    return config, points, results, evil


def test_sweep_outputs_escape_errors_and_count_claims(tmp_path):
    from mlkit.runner.sweep_report import write_sweep_outputs

    config, points, results, evil = _fake(tmp_path)
    df, claims = write_sweep_outputs(
        tmp_path, points, results, config, "ci", {"sweep_id": "x", "status": "complete"}
    )
    html = (tmp_path / "index.html").read_text()
    assert evil not in html and "&lt;script&gt;" in html
    assert "http" not in html.replace("https://", "").split("<body>")[1].split("<a")[0]
    above = next(c for c in claims if c["claim"] == "score_above_baseline")
    assert (above["holds"], above["n_points"], above["ok"]) == (1, 1, True)
    assert list(df["status"]) == ["ok", "failed"]
    assert (tmp_path / "figures" / "score.png").stat().st_size > 0


def test_mlflow_gets_one_run_per_point_tagged_with_the_sweep(tmp_path):
    import mlflow

    from mlkit.runner.sweep_report import log_sweep_mlflow

    _, points, results, _ = _fake(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_sweep_mlflow(uri, "sweep-1", points, results)
    runs = mlflow.MlflowClient(tracking_uri=uri).search_runs(
        [mlflow.MlflowClient(tracking_uri=uri).get_experiment_by_name("mlkit-sweeps").experiment_id]
    )
    assert sorted(r.data.tags["mlkit.point_id"] for r in runs) == [p.point_id for p in points]
    assert {r.data.tags["mlkit.sweep_id"] for r in runs} == {"sweep-1"}
    assert {r.info.status for r in runs} == {"FINISHED", "FAILED"}
