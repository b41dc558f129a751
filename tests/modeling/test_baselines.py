"""HLP, baselines, error decomposition and Bayes-error notes (mlkit/modeling/_baselines.py)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import modeling as m

TAGS4 = ["clean", "car_noise", "people_noise", "low_bandwidth"]
HLP4 = {"clean": 0.98, "car_noise": 0.9, "people_noise": 0.85, "low_bandwidth": 0.95}


def test_baseline_table_rows_and_literature():
    lit = m.literature_baselines()
    assert {"system", "data", "metric", "value", "source"} <= set(lit.columns)
    assert lit["source"].str.len().min() > 10
    t = m.baseline_table(
        [0, 1, 1, 1], {"a": [0, 1, 1, 0], "b": [1, 1, 1, 1]}, hlp=0.9, literature=lit
    )
    assert t["kind"].tolist()[:3] == ["human", "model", "model"]
    assert t.loc[1, "value"] == 0.75 and t.loc[1, "error"] == 0.25
    assert (t["kind"] == "reported").sum() == len(lit)
    assert "accuracy" not in t.columns


def test_baseline_table_keeps_published_f1_out_of_accuracy():
    lit = m.literature_baselines()
    t = m.baseline_table([0, 1], {"a": [0, 1]}, literature=lit)
    reported = t[t["kind"] == "reported"]
    # published F1 figures are labelled F1, and 1 - F1 is not shown as an error rate
    assert (reported["metric"] == "F1").all()
    assert reported["error"].isna().all()
    assert (t.loc[t["kind"] != "reported", "metric"] == "accuracy").all()
    with pytest.raises(ValueError, match="at least one model"):
        m.baseline_table([0, 1], {})
    with pytest.raises(ValueError, match="same length"):
        m.baseline_table([0, 1], {"a": [0]})


def test_human_level_performance_by_tag():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 400)
    tags = np.array(TAGS4 * 100)
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), rng.uniform(-10, 15, 400), np.nan)
    hlp = m.human_level_performance(y, tags, snr_db=snr, random_state=0)
    assert set(TAGS4) | {"overall"} == set(hlp.index)
    assert hlp.loc["clean", "hlp_accuracy"] > hlp.loc["people_noise", "hlp_accuracy"]
    assert ((hlp["hlp_accuracy"] > 0.5) & (hlp["hlp_accuracy"] <= 1)).all()
    again = m.human_level_performance(y, tags, snr_db=snr, random_state=0)
    pd.testing.assert_frame_equal(hlp, again)


def test_hlp_and_model_are_scored_on_the_same_truth():
    """A "model" that answers like the simulated labelers scores exactly HLP on every tag."""
    from mlkit import data

    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 800)
    tags = np.array(TAGS4 * 200)
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), rng.uniform(-10, 15, 800), np.nan)
    hlp = m.human_level_performance(y, tags, snr_db=snr, random_state=3)
    labels = data.simulate_labelers(
        y, tags=tags, snr_db=snr, careless=False, forced_choice=True, random_state=3
    )
    assert (labels != y).any()  # some clips are hard for people too
    # each labeler as a model, scored by error_analysis_by_tag against the spoken digit
    gaps = np.mean(
        [m.error_analysis_by_tag(y, lab, tags, hlp=hlp)["gap"].sort_index() for lab in labels],
        axis=0,
    )
    np.testing.assert_allclose(gaps, 0.0, atol=1e-12)
    # a perfect model beats HLP on every tag: people slip and mishear, it does not
    perfect = m.error_analysis_by_tag(y, y, tags, hlp=hlp)
    assert (perfect["gap"] < 0).all() and (perfect["potential_gain"] == 0).all()


def test_error_decomposition_and_bayes_notes():
    d = m.error_decomposition(
        hlp_accuracy=0.9, train_accuracy=0.95, seen_accuracy=0.9, dev_accuracy=0.8
    )
    assert d.to_dict() == pytest.approx(
        {
            "hlp_error": 0.1,
            "training_error": 0.05,
            "seen_error": 0.1,
            "dev_error": 0.2,
            "avoidable_bias": 0.0,
            "variance": 0.15,
        }
    )
    assert m.error_decomposition(hlp_accuracy=0.9, train_accuracy=0.8, dev_accuracy=0.7)[
        "avoidable_bias"
    ] == pytest.approx(0.1)
    y = np.zeros(20, dtype=int)
    pred = y.copy()
    pred[10:13] = 1  # car_noise 40 % right (below HLP 0.9), clean 100 % (above 0.98)
    tags = ["clean"] * 10 + ["car_noise"] * 5 + ["people_noise"] * 5
    table = m.error_analysis_by_tag(y, pred, tags, hlp=HLP4)
    notes = dict(zip(table.index, m.bayes_error_notes(table, decomposition=d), strict=False))
    assert notes["clean"].startswith("clean: the model beats HLP (100.0% vs 98.0%)")
    assert "no Bayes-error proxy" in notes["clean"] and "potential gain 0" in notes["clean"]
    assert notes["car_noise"].startswith("car_noise: 50.0 points below HLP on 25% of the clips")
    assert "potential gain 12.50 points of overall accuracy" in notes["car_noise"]
    last = m.bayes_error_notes(table, decomposition=d)[-1]
    assert last.startswith("overall: training error 5.0% is below HLP error 10.0%")
    with pytest.raises(ValueError, match="potential_gain"):
        m.bayes_error_notes(table.drop(columns="potential_gain"))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        m.error_decomposition(hlp_accuracy=1.2, train_accuracy=0.9, dev_accuracy=0.9)


@pytest.mark.parametrize(
    ("model", "names"),
    [
        ("svm", ["quick_and_dirty", "nearest_centroid", "svm"]),
        ("nearest_centroid", ["quick_and_dirty", "nearest_centroid"]),
    ],
)
def test_baseline_systems_reference_models_then_the_current_one(model, names):
    systems = m.baseline_systems(model)
    assert list(systems) == names
    assert systems[model] == f"current model ({model})"
    assert set(systems) <= set(m.MODELS)
