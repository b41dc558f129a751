"""Shared helpers for the data-phase tests: random digits and tags, clips, hypothesis settings."""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlkit.audio import CONDITIONS

SR = 8000
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tags_of(n, seed=0):
    return np.random.default_rng(seed).choice(CONDITIONS, size=n)


def snrs_of(tags, seed=0):
    """Broadband SNRs as load_speech draws them (-10..15 dB), NaN for clips without noise."""
    rng = np.random.default_rng(seed)
    noisy = np.isin(tags, ["car_noise", "people_noise"])
    return np.where(noisy, rng.uniform(-10.0, 15.0, size=len(tags)), np.nan)


def digits(n, seed=0):
    return np.random.default_rng(seed).integers(0, 10, size=n)


def clip(duration_s=0.5, amp=0.1, seed=0):
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal(int(duration_s * SR))).clip(-1, 1).astype(np.float32)


# Labels matrices for property tests: 2-5 labelers, 1-30 clips, labels -1..4.
label_matrices = st.integers(2, 5).flatmap(
    lambda m: st.integers(1, 30).flatmap(
        lambda n: arrays(np.int64, (m, n), elements=st.integers(-1, 4))
    )
)
