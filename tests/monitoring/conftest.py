"""Fixtures of the monitoring tests: a tiny request pool, no audio."""

import numpy as np
import pandas as pd
import pytest


def make_toy_pool(n_bases=20):
    rows = []
    for b in range(n_bases):
        for v in ("clean", "car_noise", "low_bandwidth"):
            for vad in ("ok", "fault") if v != "low_bandwidth" else ("ok",):
                rows.append({"base": b, "label": b % 10, "variant": v, "vad": vad})
    rows.append({"base": -1, "label": -1, "variant": "silent", "vad": "ok"})
    pool = pd.DataFrame(rows)
    rng = np.random.default_rng(0)
    n = len(pool)
    pool["duration_s"] = 0.5
    pool["rms_db"] = rng.normal(-18, 1, n)
    pool["spectral_centroid_hz"] = np.where(pool["variant"] == "low_bandwidth", 600.0, 800.0)
    pool["spectral_bandwidth_hz"] = 700.0
    pool["silent"] = pool["variant"] == "silent"
    pool["vad_duration_s"] = np.where(pool["vad"] == "fault", 0.25, 0.5)
    pool["vad_kept_fraction"] = pool["vad_duration_s"] / 0.5
    pool["vad_empty"] = pool["silent"]
    pool["y_pred_v1"] = np.where(pool["silent"], -1, pool["label"])
    pool["confidence_v1"] = np.where(pool["silent"], np.nan, 0.9)
    return pool


@pytest.fixture
def toy_pool():
    """A request pool of 20 clips in three variants, with ``v1`` predictions."""
    return make_toy_pool()
