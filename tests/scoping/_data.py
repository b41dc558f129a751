"""Synthetic learning curves and speaker data shared by the scoping tests."""

import numpy as np

N = np.array([25, 50, 100, 200, 400, 800, 1600])


def power_law_curve(a, b, c, noise=0.0, seed=0, n=N):
    """Return ``a * n**-b + c`` plus seeded Gaussian noise, clipped to [0, 1]."""
    rng = np.random.default_rng(seed)
    return np.clip(a * n ** (-b) + c + rng.normal(0, noise, n.size), 0, 1)


def speaker_specific_data(n_speakers=6, n_classes=3, per_cell=8, dim=20, seed=0):
    """Each (speaker, class) has its own random centre: learnable only for known speakers."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_speakers, n_classes, dim)) * 3
    speaker = np.repeat(np.arange(n_speakers), n_classes * per_cell)
    y = np.tile(np.repeat(np.arange(n_classes), per_cell), n_speakers)
    X = centres[speaker, y] + 0.3 * rng.normal(size=(speaker.size, dim))
    return X, y, speaker
