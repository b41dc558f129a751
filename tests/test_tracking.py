import json
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from mlkit import tracking as t

DATASET = {"name": "toy", "sha256": "ab" * 32, "lineage": {"steps": [{"name": "make"}]}}


@pytest.fixture(scope="module")
def toy_model():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    return LogisticRegression().fit(X, y), X


# ----------------------------------------------------------------- save/load (unchanged API)


def test_save_and_load_model_checks_sha(tmp_path, toy_model):
    model, X = toy_model
    digest = t.save_model(model, tmp_path / "m.skops")
    back = t.load_model(tmp_path / "m.skops")
    assert np.array_equal(back.predict(X), model.predict(X))
    assert (tmp_path / "m.skops.sha256").read_text().split()[0] == digest
    explicit = t.load_model(tmp_path / "m.skops", sha256=digest)
    assert np.array_equal(explicit.predict_proba(X), model.predict_proba(X))
    with pytest.raises(FileExistsError, match="never overwritten"):
        t.save_model(model, tmp_path / "m.skops")
    with pytest.raises(t.ModelIntegrityError, match="does not match its sha256"):
        t.load_model(tmp_path / "m.skops", sha256="0" * 64)


def _double(X):
    return 2 * X


def test_load_model_refuses_untrusted_types(tmp_path):
    from sklearn.preprocessing import FunctionTransformer

    model = FunctionTransformer(_double).fit(np.ones((3, 2)))
    t.save_model(model, tmp_path / "f.skops")
    name = f"{_double.__module__}._double"  # the module name depends on pytest's import mode
    with pytest.raises(t.ModelIntegrityError, match=rf"not trusted: \['{name}'\]"):
        t.load_model(tmp_path / "f.skops")
    back = t.load_model(tmp_path / "f.skops", trusted=[name])
    assert back.transform(np.ones((1, 2))).tolist() == [[2.0, 2.0]]


def test_load_model_uses_the_bytes_it_checked(tmp_path, toy_model, monkeypatch):
    """A file swapped after the checksum passed must not be what gets loaded."""
    import skops.io as sio

    model, X = toy_model
    path = tmp_path / "m.skops"
    t.save_model(model, path)
    other = LogisticRegression(C=1e-4).fit(X, 1 - model.predict(X))
    real = sio.get_untrusted_types

    def swap_then_check(**kw):
        path.write_bytes(sio.dumps(other))  # the attacker's swap, after the hash was taken
        return real(**kw)

    monkeypatch.setattr(sio, "get_untrusted_types", swap_then_check)
    back = t.load_model(path)
    assert np.array_equal(back.predict(X), model.predict(X))
    assert not np.array_equal(back.predict(X), other.predict(X))


# ----------------------------------------------------------------- store URIs


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


def test_notebook_sha256_ignores_outputs(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "source": ["x = 1\n", "x"], "outputs": [], "metadata": {}},
            {"cell_type": "markdown", "source": "# hi", "metadata": {}},
        ],
        "metadata": {},
    }
    a = tmp_path / "a.ipynb"
    a.write_text(json.dumps(nb))
    h = t.notebook_sha256(a)
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "text": "1"}]
    nb["cells"][0]["execution_count"] = 3
    a.write_text(json.dumps(nb))
    assert t.notebook_sha256(a) == h
    nb["cells"][1]["source"] = "# changed"
    a.write_text(json.dumps(nb))
    assert t.notebook_sha256(a) != h
    info = t.code_info(a)
    assert info["notebook"] == "a.ipynb" and len(info["notebook_sha256"]) == 64
    assert "git_commit" in info and "git_dirty" in info


# ----------------------------------------------------------------- log, pull back, reproduce


def test_log_run_roundtrip(tmp_path, toy_model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, X = toy_model
    uri = f"sqlite:///{tmp_path}/store/mlflow.db"
    code = {"git_commit": "c0ffee", "git_dirty": True, "mlkit_version": "0.1.0"}
    ids = [
        t.log_run(
            model,
            experiment="exp",
            run_name=f"r{i}",
            params={"model": "logreg", "C": 1.0, "grid": [1, 2]},
            metrics={"dev_accuracy": 0.5 + i / 10},
            dataset=DATASET,
            code=code,
            tags={"arm": "model-centric"},
            tracking_uri=uri,
        )
        for i in range(2)
    ]
    table = t.runs_table("exp", tracking_uri=uri)
    assert table["run_id"].tolist() == ids
    assert table["metrics.dev_accuracy"].tolist() == [0.5, 0.6]
    assert table["params.grid"].iloc[0] == "[1, 2]"
    assert (table["tags.dataset.sha256"] == DATASET["sha256"]).all()
    assert (table["tags.git_commit"] == "c0ffee").all() and (
        table["tags.git_dirty"] == "True"
    ).all()
    assert (table["tags.arm"] == "model-centric").all()
    rec = t.load_run(ids[1], tracking_uri=uri)
    assert rec["params"]["C"] == "1.0"
    assert np.array_equal(rec["model"].predict(X), model.predict(X))
    assert (tmp_path / "store" / "mlartifacts").is_dir()
    assert not (tmp_path / "mlruns").exists()
    cmp = t.compare_to_record(rec["metrics"], {"dev_accuracy": 0.6, "other": 1.0})
    assert cmp["match"].all() and cmp.index.tolist() == ["dev_accuracy"]


def test_training_set_sha256_covers_rows_labels_and_recipe():
    h = t.training_set_sha256(np.array([0, 2, 5]), np.array([1, 0, 1]), params={"r": "a"})
    assert h == t.training_set_sha256([0, 2, 5], [1, 0, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 6], [1, 0, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 5], [1, 1, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 5], [1, 0, 1], params={"r": "b"})
    with pytest.raises(ValueError, match="one label per training row"):
        t.training_set_sha256([0, 1], [1])


def test_fit_log_run_then_reproduce_run(tmp_path):
    X, y = make_classification(
        n_samples=120, n_features=6, n_classes=3, n_informative=4, random_state=0
    )
    tags = np.array(["clean", "car_noise"] * 60)
    train, dev, test = np.arange(60), np.arange(60, 90), np.arange(90, 120)
    y_train = y[train].copy()
    y_train[:5] = (y_train[:5] + 1) % 3  # "relabelled" rows: training labels differ from y
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    code = {"git_commit": None, "git_dirty": None, "mlkit_version": "test"}
    recipe = {"name": "toy", "flip": 5}
    model, row = t.fit_log_run(
        "logreg",
        X,
        y,
        train=train,
        y_train=y_train,
        eval_sets={"dev": dev, "test": test},
        tags=tags,
        hyper={"C": 0.5},
        recipe=recipe,
        experiment="e",
        run_name="r",
        dataset=DATASET,
        code=code,
        run_tags={"arm": "data"},
        tracking_uri=uri,
    )
    assert row["arm"] == "data" and row["run"] == "r" and row["n_train"] == 60
    assert row["test_accuracy"] == pytest.approx(np.mean(model.predict(X[test]) == y[test]))
    assert {"dev_tag_accuracy_clean", "test_tag_accuracy_car_noise"} <= set(row)
    rec = t.load_run(row["run_id"], tracking_uri=uri)
    assert rec["lineage"] == DATASET["lineage"] and rec["run_name"] == "r"
    assert rec["tags"]["train_sha256"] == t.training_set_sha256(train, y_train, params=recipe)
    assert json.loads(rec["params"]["recipe"]) == recipe
    kw = dict(eval_sets={"dev": dev, "test": test}, tags=tags)
    out = t.reproduce_run(rec, X, y, train=train, y_train=y_train, **kw)
    assert out["reproduced"] and out["same_predictions"]
    assert set(out["comparison"].index) >= {"dev_accuracy", "test_accuracy", "n_train"}
    with pytest.raises(t.TrackingError, match="does not match the run's record"):
        t.reproduce_run(rec, X, y, train=train, y_train=y[train], **kw)  # labels not relabelled
    with pytest.raises(t.TrackingError, match="train_sha256 tag"):
        t.reproduce_run({**rec, "tags": {}}, X, y, train=train, y_train=y_train, **kw)


def test_log_run_bad_input(tmp_path, toy_model):
    model, _ = toy_model
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    kw = dict(experiment="e", run_name="r", params={}, tracking_uri=uri)
    with pytest.raises(t.TrackingError, match="'name' and 'sha256'"):
        t.log_run(model, metrics={}, dataset={"name": "x"}, **kw)
    with pytest.raises(t.TrackingError, match="finite numbers"):
        t.log_run(model, metrics={"acc": float("nan")}, dataset=DATASET, **kw)
    with pytest.raises(t.TrackingError, match="No MLflow experiment"):
        t.runs_table("missing", tracking_uri=uri)
    with pytest.raises(t.TrackingError, match="no metric name in both"):
        t.compare_to_record({"a": 1.0}, {"b": 1.0})


def test_retry_backs_off_on_lock_and_reraises_others():
    t.retry_stats(reset=True)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("(sqlite3.OperationalError) database is locked")
        return "ok"

    assert t._retry(flaky, base_s=0.001) == "ok"
    assert t.retry_stats()["retries"] == 2
    with pytest.raises(KeyError):
        t._retry(lambda: {}["x"])


# ----------------------------------------------------------------- 8 concurrent writers

_WRITER = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from mlkit import tracking
    tracking._quiet_mlflow()  # import MLflow before the clock starts: time the writes only
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
    t._template_store()  # build the cached empty store once, outside the timed part
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
