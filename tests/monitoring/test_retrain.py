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
