"""Units of concept drift: ADWIN and DDM on the labelled error stream (``mlkit/monitoring/_concept.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon

# ----------------------------------------------------------------------------- concept drift


def test_adwin_detects_abrupt_change_not_stationary():
    rng = np.random.default_rng(7)
    stationary = (rng.random(3000) < 0.1).astype(int)
    assert mon.detect_concept_drift(stationary).size == 0
    changed = np.r_[(rng.random(1000) < 0.1), (rng.random(1000) < 0.5)].astype(int)
    hits = mon.detect_concept_drift(changed)
    assert hits.size >= 1 and 1000 <= hits[0] < 1200


def test_ddm_detects_abrupt_change():
    rng = np.random.default_rng(8)
    changed = np.r_[(rng.random(1000) < 0.1), (rng.random(1000) < 0.5)].astype(int)
    hits = mon.detect_concept_drift(changed, detector="ddm")
    assert any(1000 <= h < 1200 for h in hits)


def test_detect_concept_drift_input_errors():
    with pytest.raises(ValueError, match="must hold 0/1 values"):
        mon.detect_concept_drift([0, 2, 1])
    with pytest.raises(ValueError, match="'detector' parameter of detect_concept_drift"):
        mon.detect_concept_drift([0, 1], detector="page_hinkley")


def _served(errors, per_day=100):
    n = len(errors)
    return pd.DataFrame(
        {
            "labelled": True,
            "correct": 1.0 - np.asarray(errors, dtype=float),
            "label_day": np.arange(n) // per_day,
        }
    )


def test_concept_drift_alerts_rows():
    rng = np.random.default_rng(9)
    errors = np.r_[rng.random(1000) < 0.05, rng.random(1000) < 0.6]
    a = mon.concept_drift_alerts(_served(errors))
    assert len(a) >= 1 and (a["rule"] == "adwin_errors").all()
    assert 10 <= a["alert_day"].iloc[0] <= 12
    assert a["value"].iloc[0] > 0.1  # error rate of the last 100 labels: above the old 5 %
    quiet = mon.concept_drift_alerts(_served(np.zeros(500)), rule="mine")
    assert quiet.empty and list(quiet.columns) == list(a.columns)


def test_plot_concept_drift():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(10)
    s = _served(np.r_[rng.random(500) < 0.05, rng.random(500) < 0.5])
    fig = mon.plot_concept_drift(
        {"concept_drift": s}, {"concept_drift": [6.0]}, {"concept_drift": None}
    )
    assert fig.axes[0].get_ylabel() == "error rate (last 100 labels)"
    plt.close(fig)


def test_a_falling_error_rate_is_no_incident():
    detect_concept_drift = mon.detect_concept_drift
    """Issue 12.12: 0.5 -> 0.1 (the model improving) raises nothing; 0.1 -> 0.5 does."""
    rng = np.random.default_rng(0)
    better = np.r_[rng.random(1000) < 0.5, rng.random(1000) < 0.1].astype(int)
    worse = better[::-1]
    assert detect_concept_drift(better).size == 0
    assert detect_concept_drift(better, rising_only=False).size >= 1
    assert detect_concept_drift(worse).size >= 1


@pytest.mark.parametrize("delta", [0, 0.0, 1.0, -0.1])
def test_adwin_delta_outside_open_unit_interval_is_refused(delta):
    detect_concept_drift = mon.detect_concept_drift
    with pytest.raises(
        ValueError,
        match=r"'delta' parameter of detect_concept_drift must be a float in \(0.0, 1.0\)",
    ):
        detect_concept_drift([0, 1, 0], delta=delta)
