"""Units of logging runs: code version, log_run, training-set hash, fit_log_run (``mlkit/tracking/_runs.py``)."""

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification

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


def test_fit_log_run_logs_rows_hash_and_recipe(tmp_path, dataset):
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
        dataset=dataset,
        code=code,
        run_tags={"arm": "data"},
        tracking_uri=uri,
    )
    assert row["arm"] == "data" and row["run"] == "r" and row["n_train"] == 60
    assert row["test_accuracy"] == pytest.approx(np.mean(model.predict(X[test]) == y[test]))
    assert {"dev_tag_accuracy_clean", "test_tag_accuracy_car_noise"} <= set(row)
    rec = t.load_run(row["run_id"], tracking_uri=uri)
    assert rec["lineage"] == dataset["lineage"] and rec["run_name"] == "r"
    assert rec["tags"]["train_sha256"] == t.training_set_sha256(train, y_train, params=recipe)
    assert json.loads(rec["params"]["recipe"]) == recipe


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
