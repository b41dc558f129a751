"""Units of the tracking store: URI resolution, lock retries, 8 concurrent writers (``mlkit/tracking/_store.py``)."""

import json
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from mlkit import tracking as t
from mlkit.tracking._store import _retry, _template_store


def test_resolve_tracking_uri_defaults_to_run_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLKIT_RUN_DIR", str(tmp_path))
    assert t.resolve_tracking_uri() == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert t.resolve_tracking_uri(run_dir=tmp_path / "x").endswith("/x/mlflow.db")
    assert t.resolve_tracking_uri("sqlite:///a.db") == "sqlite:///a.db"
    assert t.resolve_tracking_uri("http://localhost:5000") == "http://localhost:5000"


@pytest.mark.parametrize("uri", ["mlruns", "./runs/mlruns", "file:///tmp/mlruns"])
def test_resolve_tracking_uri_refuses_file_store(uri):
    with pytest.raises(t.TrackingError, match="deprecated file store"):
        t.resolve_tracking_uri(uri)


def test_resolve_tracking_uri_interactive_default_is_run_dir(tmp_path, monkeypatch):
    """Without MLKIT_RUN_DIR the store is runs/interactive/mlflow.db (mlkit.paths.run_dir)."""
    monkeypatch.delenv("MLKIT_RUN_DIR", raising=False)
    monkeypatch.setenv("MLKIT_PROJECT_ROOT", str(tmp_path))
    expected = tmp_path.resolve() / "runs" / "interactive" / "mlflow.db"
    assert t.resolve_tracking_uri() == f"sqlite:///{expected}"
    assert not (tmp_path / "runs").exists()  # resolving creates no folder


def test_retry_backs_off_on_lock_and_reraises_others():
    t.retry_stats(reset=True)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("(sqlite3.OperationalError) database is locked")
        return "ok"

    assert _retry(flaky, base_s=0.001) == "ok"
    assert t.retry_stats()["retries"] == 2
    with pytest.raises(KeyError):
        _retry(lambda: {}["x"])


# ----------------------------------------------------------------- 8 concurrent writers

_WRITER = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from mlkit import tracking
    from mlkit.tracking._store import _quiet_mlflow
    _quiet_mlflow()  # import MLflow before the clock starts: time the writes only
    uri, worker, n_runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(worker)
    X = rng.normal(size=(40, 3)); y = (X[:, 0] > 0).astype(int)
    code = {"git_commit": None, "git_dirty": None, "mlkit_version": "test"}
    start = time.perf_counter()
    for j in range(n_runs):
        model = LogisticRegression(C=1.0 + j).fit(X, y)
        tracking.log_run(model, experiment="stress", run_name=f"w{worker}-r{j}",
                         params={"worker": worker, "j": j},
                         metrics={"value": worker * 100 + j, "score": model.score(X, y)},
                         dataset={"name": "stress", "sha256": "cd" * 32}, code=code,
                         tracking_uri=uri)
    print(json.dumps({"worker": worker, "s": time.perf_counter() - start,
                      **tracking.retry_stats()}))
    """
)


def test_eight_concurrent_writers_lose_nothing(tmp_path):
    """8 processes log 5 runs each into one new SQLite store at the same time."""
    n_workers, n_runs = 8, 5
    db = tmp_path / "shared" / "mlflow.db"
    uri = f"sqlite:///{db}"
    _template_store()  # build the cached empty store once, outside the timed part
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, uri, str(w), str(n_runs)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for w in range(n_workers)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall_s = time.perf_counter() - start
    table = t.runs_table("stress", tracking_uri=uri, status="")
    assert len(table) == n_workers * n_runs
    assert (table["status"] == "FINISHED").all()
    assert table["run_id"].is_unique
    got = sorted(table["metrics.value"].astype(int))
    assert got == sorted(w * 100 + j for w in range(n_workers) for j in range(n_runs))
    for _, row in table.iterrows():
        w, j = int(row["params.worker"]), int(row["params.j"])
        assert row["run_name"] == f"w{w}-r{j}" and row["metrics.value"] == w * 100 + j
        assert len(row["tags.model_sha256"]) == 64
    # every model artefact is intact (sha256 checked on load)
    for run_id in table["run_id"].iloc[:: n_runs + 1]:
        assert t.load_run(run_id, tracking_uri=uri)["model"] is not None
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert not (tmp_path / "mlruns").exists()
    retries = sum(r["retries"] for r in results)
    print(
        f"\n8 writers x {n_runs} runs: wall {wall_s:.1f} s (incl. 8 MLflow imports), "
        f"logging time per writer {np.mean([r['s'] for r in results]):.2f} s "
        f"({np.mean([r['s'] for r in results]) / n_runs * 1000:.0f} ms per run), "
        f"lock retries {retries}, backoff {sum(r['wait_s'] for r in results):.2f} s"
    )
