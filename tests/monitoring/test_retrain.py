"""Units of retrain, redeploy, re-baseline (``mlkit/monitoring/_retrain.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon
from mlkit.errors import NotFittedError


def _served(toy_pool, n_days=8):
    req = mon.simulate_requests(toy_pool, mix={"clean": 1.0}, n_days=n_days, random_state=4)
    return mon.serve_requests(req, toy_pool, versions={0: "v1"})


def test_accuracy_by_phase():
    s = pd.DataFrame({"day": [0, 0, 1, 2, 3, 3], "correct": [1.0, 0.0, 0.0, np.nan, 1.0, 1.0]})
    acc = mon.accuracy_by_phase(s, onset_day=1, retrain_day=3, n_days=4)
    assert acc == {"before drift (v1)": 0.5, "during drift (v1)": 0.0, "after retrain (v2)": 1.0}
    empty = mon.accuracy_by_phase(s, onset_day=0, retrain_day=3, n_days=4)
    assert np.isnan(empty["before drift (v1)"])


def test_rebaseline_keeps_settings_and_uses_only_the_new_days(toy_pool):
    served = _served(toy_pool)
    features = [*mon.INPUT_FEATURES, "y_pred"]
    m = mon.DriftMonitor(n_bins=4, categorical=["y_pred"]).fit(served[features].dropna())
    before = served.copy()
    m2 = mon.rebaseline(m, served, start_day=2, stop_day=4)
    pd.testing.assert_frame_equal(served, before)
    assert m2 is not m and m2.features_ == m.features_
    assert (m2.n_bins, m2.categorical_) == (4, ["y_pred"])
    days = mon.answered_requests(served)["day"]
    assert m2.n_reference_ == int(((days >= 2) & (days < 4)).sum())
    with pytest.raises(NotFittedError):
        mon.rebaseline(mon.DriftMonitor(), served, start_day=2, stop_day=4)
    with pytest.raises(ValueError, match="is empty"):
        mon.rebaseline(m, served, start_day=50, stop_day=60)


def test_loop_tables(toy_pool):
    served = _served(toy_pool)
    m = mon.DriftMonitor(n_bins=4).fit(mon.answered_requests(served)[list(mon.INPUT_FEATURES)])
    before = mon.window_metrics(served, monitor=m)
    loop = mon.loop_tables(
        served, before=before, monitor=m, monitor_v2=m, retrain_day=3, rebaseline_day=5
    )
    assert list(loop) == ["data_drift (v1 kept)", "data_drift (v2 from day 3)", "re-baselined PSI"]
    assert loop["data_drift (v1 kept)"] is before
    assert list(loop["re-baselined PSI"].columns) == ["day_start", "day_end", "psi_max_input"]
    assert loop["re-baselined PSI"]["day_start"].min() == 5


def test_retrain_model_fits_old_and_new_rows():
    t = np.arange(2000) / 8000
    clips = [0.5 * np.sin(2 * np.pi * (300 + 300 * d) * t) for d in range(2) for _ in range(3)]
    y = [d for d in range(2) for _ in range(3)]
    X_old, y_old, _ = mon.speech_training_set(clips, y, sample_rate_hz=8000, mix={"clean": 1.0})
    a = mon.retrain_model(X_old, y_old, clips, y, sample_rate_hz=8000, random_state=1)
    b = mon.retrain_model(X_old, y_old, clips, y, sample_rate_hz=8000, random_state=1)
    assert a.classes_.tolist() == [0, 1]
    np.testing.assert_allclose(a.predict_proba(X_old), b.predict_proba(X_old))  # seeded
    with pytest.raises(ValueError, match="'mix' parameter of speech_training_set"):
        mon.retrain_model(X_old, y_old, clips, y, sample_rate_hz=8000, mix={"nope": 1.0})


def _phases(p_during, p_after, n_clips=40, per_day=40, seed=0):
    rng = np.random.default_rng(seed)
    pool = pd.DataFrame({"base": np.repeat(np.arange(n_clips), 2)})  # two renderings per clip
    day = np.repeat(np.arange(12), per_day)
    p = np.select([day < 4, day < 8], [0.95, p_during], p_after)
    s = pd.DataFrame({"day": day, "pool_row": rng.integers(0, 2 * n_clips, day.size)})
    s["correct"] = (rng.random(day.size) < p).astype(float)
    return s, pool


def test_retrain_gain_interval_over_clips():
    s, pool = _phases(0.6, 0.9)
    g = mon.retrain_gain(s, pool, onset_day=4, retrain_day=8, n_days=12)
    assert g["ci_low"] < g["gain"] < g["ci_high"] and g["ci_low"] > 0
    assert g["gain"] == pytest.approx(g["after"] - g["during"])
    assert g["recovered_share"] == pytest.approx(g["gain"] / (g["before"] - g["during"]))
    assert 30 <= g["n_clips"] <= 40  # clips requested in both phases


def test_retrain_gain_interval_can_include_zero():
    s, pool = _phases(0.8, 0.8, seed=1)
    g = mon.retrain_gain(s, pool, onset_day=4, retrain_day=8, n_days=12)
    assert g["ci_low"] < 0 < g["ci_high"]
    assert "it includes 0" in mon.describe_retrain(g)


def test_retrain_gain_rejects_an_empty_phase():
    s, pool = _phases(0.6, 0.9)
    with pytest.raises(ValueError, match="the 'after' phase \\(days 12 to 11\\) has no answered"):
        mon.retrain_gain(s, pool, onset_day=4, retrain_day=12, n_days=12)
    with pytest.raises(ValueError, match="'confidence_level' parameter of retrain_gain"):
        mon.retrain_gain(s, pool, onset_day=4, retrain_day=8, n_days=12, confidence_level=2.0)


def test_describe_retrain_reads_the_numbers():
    g = {
        "before": 0.9,
        "during": 0.9,
        "after": 0.95,
        "gain": 0.05,
        "ci_low": 0.01,
        "ci_high": 0.09,
        "recovered_share": float("nan"),
        "n_clips": 10,
        "confidence_level": 0.9,
    }
    text = mon.describe_retrain(g)
    assert "**+0.050** (90 % interval over the 10 stream clips: +0.010 to +0.090, above 0)" in text
    assert "the drift cost nothing to win back" in text
