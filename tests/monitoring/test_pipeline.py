"""Units of the speech pipeline: VAD stage, input metrics, the request pool (``mlkit/monitoring/_pipeline.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon

# ----------------------------------------------------------------------------- stream machinery


def test_vad_trim_and_input_metrics():
    sr = 8000
    t = np.arange(sr) / sr
    tone = 0.5 * np.sin(2 * np.pi * 500 * t)
    x = np.r_[np.zeros(1600), tone, np.zeros(1600)]
    kept = mon.vad_trim(x, sample_rate_hz=sr)
    assert sr <= kept.size <= sr + 2 * 160
    assert mon.vad_trim(np.zeros(800), sample_rate_hz=sr).size == 0
    m = mon.input_metrics([tone, np.zeros(800)], sample_rate_hz=sr)
    assert m.loc[0, "spectral_centroid_hz"] == pytest.approx(500, abs=5)
    assert m.loc[0, "rms_db"] == pytest.approx(10 * np.log10(0.125), abs=0.01)
    assert bool(m.loc[1, "silent"]) and np.isnan(m.loc[1, "spectral_centroid_hz"])


def test_variant_summary():
    pool = pd.DataFrame(
        {
            "label": [1, 2, 3, -1],
            "variant": ["clean", "clean", "low_bandwidth", "silent"],
            "vad": ["ok", "ok", "ok", "ok"],
            "y_pred_v2": [1, 3, 3, -1],
            "confidence_v2": [0.9, 0.5, 0.8, np.nan],
            "vad_kept_fraction": [1.0, 0.8, 0.9, np.nan],
            "spectral_centroid_hz": [900.0, 1100.0, 500.0, np.nan],
            "rms_db": [-20.0, -22.0, -25.0, -100.0],
        }
    )
    table = mon.variant_summary(pool, version="v2")
    assert table.index.tolist() == [("clean", "ok"), ("low_bandwidth", "ok")]  # silence dropped
    assert table.loc[("clean", "ok"), "accuracy"] == pytest.approx(0.5)
    assert table.loc[("low_bandwidth", "ok"), "confidence_v2"] == pytest.approx(0.8)
