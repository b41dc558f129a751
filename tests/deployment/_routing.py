"""Tiny models and request streams shared by the deployment tests."""

from __future__ import annotations

import time

import numpy as np


class Const:
    """A model that answers `value` for every row (optionally slow)."""

    def __init__(self, value, sleep_s=0.0):
        self.value = value
        self.sleep_s = sleep_s

    def predict(self, X):
        if self.sleep_s:
            time.sleep(self.sleep_s)
        return np.full(len(X), self.value)


class Echo:
    """Predict the first feature as the label (offset by `shift` where x[:, 1] == 1)."""

    def __init__(self, shift=0):
        self.shift = shift

    def predict(self, X):
        X = np.asarray(X)
        return (X[:, 0].astype(int) + self.shift * (X[:, 1] == 1)) % 10


class RaisesOnNegative:
    def predict(self, X):
        X = np.asarray(X)
        if (X[:, 0] < 0).any():
            raise ValueError("negative input")
        return X[:, 0].astype(int) % 10


def stream(n, *, flag=None, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 10, n), np.zeros(n)]).astype(float)
    if flag is not None:
        X[flag, 1] = 1
    ids = np.array([f"client-{i}" for i in rng.integers(0, 500, n)])
    return X, ids


SMALL_CANARY = {"schedule": (0.5, 1.0), "interval_requests": 200, "min_gate_requests": 10}


def small_canary(candidate, *, stable=None, **kwargs):
    """Return a fitted two-step canary (weights 0.5 then 1.0, 200-request intervals)."""
    from mlkit.deployment import CanaryRouter

    return CanaryRouter(
        Echo() if stable is None else stable, candidate, **SMALL_CANARY | kwargs
    ).fit()
