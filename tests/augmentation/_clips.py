"""Synthetic test clips at the kit rate, shared by the augmentation tests."""

import numpy as np

from mlkit.audio import SAMPLE_RATE_HZ

SR = SAMPLE_RATE_HZ


def tone(freq_hz=300.0, n=4000, amp=0.4):
    t = np.arange(n) / SR
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def speechlike(n=4000, seed=0):
    """Harmonics of 150 Hz up to 3.9 kHz: energy across the whole band."""
    t = np.arange(n) / SR
    x = sum(np.sin(2 * np.pi * 150 * k * t + k) / k**0.5 for k in range(1, 26))
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)
