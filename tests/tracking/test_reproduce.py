"""Units of pulling runs back and reproducing one: runs_table, load_run, reproduce_run (``mlkit/tracking/_reproduce.py``)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import tracking as t


def test_log_run_roundtrip(tmp_path, toy_model, monkeypatch, dataset):
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
            dataset=dataset,
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
    assert (table["tags.dataset.sha256"] == dataset["sha256"]).all()
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


def test_fit_log_run_then_reproduce_run(logged_fit):
    f = logged_fit
    rec = t.load_run(f.row["run_id"], tracking_uri=f.uri)
    kw = dict(eval_sets={"dev": f.dev, "test": f.test}, tags=f.tags)
    out = t.reproduce_run(rec, f.X, f.y, train=f.train, y_train=f.y_train, **kw)
    assert out["reproduced"] and out["same_predictions"]
    assert set(out["comparison"].index) >= {"dev_accuracy", "test_accuracy", "n_train"}
    with pytest.raises(t.TrackingError, match="does not match the run's record"):
        t.reproduce_run(
            rec, f.X, f.y, train=f.train, y_train=f.y[f.train], **kw
        )  # labels not relabelled
    with pytest.raises(t.TrackingError, match="train_sha256 tag"):
        t.reproduce_run({**rec, "tags": {}}, f.X, f.y, train=f.train, y_train=f.y_train, **kw)


def test_runs_table_and_compare_to_record_bad_input(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    with pytest.raises(t.TrackingError, match="No MLflow experiment"):
        t.runs_table("missing", tracking_uri=uri)
    with pytest.raises(t.TrackingError, match="no metric name in both"):
        t.compare_to_record({"a": 1.0}, {"b": 1.0})


def test_compare_to_record_tolerance():
    cmp = t.compare_to_record({"a": 1.0, "b": 2.0}, {"a": 1.0 + 1e-6, "b": 2.0})
    assert cmp["match"].tolist() == [False, True]
    assert t.compare_to_record({"a": 1.0}, {"a": 1.0 + 1e-6}, abs_tol=1e-3)["match"].all()


def _table():
    return pd.DataFrame(
        {
            "run_id": ["old", "a", "b", "c"],
            "run_name": ["old", "base", "x", "y"],
            "metrics.dev_accuracy": [0.99, 0.5, 0.7, 0.7],
            "tags.model_sha256": ["f" * 64, "0" * 64, "1" * 64, "2" * 64],
        }
    )


def test_select_runs_keeps_ids_best_first_stable():
    table = _table()
    out = t.select_runs(table, ["a", "b", "c"])
    assert out["run_id"].tolist() == ["b", "c", "a"]  # the tie keeps the store's order
    assert out.index.tolist() == [2, 3, 1] and len(table) == 4  # input unchanged
    out = t.select_runs(table, ["a", "b"], sort_by="run_name")
    assert out["run_id"].tolist() == ["b", "a"]
    with pytest.raises(ValueError, match=r"columns \['metrics.seen_accuracy'\]"):
        t.select_runs(table, ["a"], sort_by="metrics.seen_accuracy")


def test_runs_overview_shortens_digests_without_changing_the_table():
    table = _table()
    view = t.runs_overview(table, columns=("run_name",), hashes=("tags.model_sha256",))
    assert view.columns.tolist() == ["run_name", "tags.model_sha256"]
    assert view["tags.model_sha256"].tolist() == ["f" * 10, "0" * 10, "1" * 10, "2" * 10]
    assert table["tags.model_sha256"].str.len().eq(64).all()
    with pytest.raises(ValueError, match=r"columns \['tags.arm'"):
        t.runs_overview(table)


def test_runs_overview_default_columns_match_a_runs_table():
    row = {c: "x" for c in t.OVERVIEW_COLUMNS} | {c: "9" * 64 for c in t.HASH_COLUMNS}
    view = t.runs_overview(pd.DataFrame([row]))
    assert view.columns.tolist() == [*t.OVERVIEW_COLUMNS, *t.HASH_COLUMNS]
    assert view.iloc[0][list(t.HASH_COLUMNS)].tolist() == ["9" * 10] * 3


@pytest.mark.parametrize(
    ("reproduced", "same", "line"),
    [
        (True, True, "metrics reproduced: True; stored model predicts the same: True"),
        (False, True, "metrics reproduced: False; stored model predicts the same: True"),
        (True, False, "metrics reproduced: True; stored model predicts the same: False"),
    ],
)
def test_describe_reproduction(reproduced, same, line):
    result = {"train_sha256": "0123456789abcdef" * 4, "reproduced": reproduced}
    text = t.describe_reproduction({**result, "same_predictions": same})
    assert text.splitlines() == [
        "training set sha256 0123456789ab... equals the record's train_sha256",
        line,
    ]
    assert t.describe_reproduction({**result, "same_predictions": same}, hash_chars=4).startswith(
        "training set sha256 0123... "
    )
    with pytest.raises(KeyError):
        t.describe_reproduction(result)
