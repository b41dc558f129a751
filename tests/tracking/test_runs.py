"""Units of logging runs: code version, log_run, training-set hash, fit_log_run (``mlkit/tracking/_runs.py``)."""

import json

import numpy as np
import pytest

from mlkit import tracking as t


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


def test_training_set_sha256_covers_rows_labels_and_recipe():
    h = t.training_set_sha256(np.array([0, 2, 5]), np.array([1, 0, 1]), params={"r": "a"})
    assert h == t.training_set_sha256([0, 2, 5], [1, 0, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 6], [1, 0, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 5], [1, 1, 1], params={"r": "a"})
    assert h != t.training_set_sha256([0, 2, 5], [1, 0, 1], params={"r": "b"})
    with pytest.raises(ValueError, match="one label per training row"):
        t.training_set_sha256([0, 1], [1])


def test_fit_log_run_logs_rows_hash_and_recipe(logged_fit, dataset):
    f = logged_fit
    assert f.row["arm"] == "data" and f.row["run"] == "r" and f.row["n_train"] == 60
    assert f.row["test_accuracy"] == pytest.approx(
        np.mean(f.model.predict(f.X[f.test]) == f.y[f.test])
    )
    assert {"dev_tag_accuracy_clean", "test_tag_accuracy_car_noise"} <= set(f.row)
    rec = t.load_run(f.row["run_id"], tracking_uri=f.uri)
    assert rec["lineage"] == dataset["lineage"] and rec["run_name"] == "r"
    assert rec["tags"]["train_sha256"] == t.training_set_sha256(f.train, f.y_train, params=f.recipe)
    assert json.loads(rec["params"]["recipe"]) == f.recipe


def test_log_run_bad_input(tmp_path, toy_model, dataset):
    model, _ = toy_model
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    kw = dict(experiment="e", run_name="r", params={}, tracking_uri=uri)
    with pytest.raises(t.TrackingError, match="'name' and 'sha256'"):
        t.log_run(model, metrics={}, dataset={"name": "x"}, **kw)
    with pytest.raises(t.TrackingError, match="finite numbers"):
        t.log_run(model, metrics={"acc": float("nan")}, dataset=dataset, **kw)
    with pytest.raises(t.TrackingError, match="deprecated file store"):
        t.log_run(model, metrics={}, dataset=dataset, **{**kw, "tracking_uri": "mlruns"})
