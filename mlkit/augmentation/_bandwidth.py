"""Band edges on white noise: how narrow the low_bandwidth augmentation is, next to production.

Notebook 04, section "The pipelines, seen and heard". A realistic augmentation must reach the
condition it imitates; for a channel that is a question of band edges, measured here as the
course would: white noise in, the transfer function out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlkit._validation import check_int, check_random_state
from mlkit.audio import SAMPLE_RATE_HZ, apply_condition, to_mono_float32
from mlkit.augmentation._pipelines import augment_clips, make_pipeline

__all__ = ["band_edges_hz", "low_bandwidth_edges", "band_edge_metrics", "describe_band_edges"]

_NPERSEG = 1024  # 7.8 Hz bins at 8 kHz


def band_edges_hz(
    x, y, *, sample_rate_hz: int = SAMPLE_RATE_HZ, levels_db: Sequence[float] = (-3.0, -20.0)
) -> np.ndarray:
    """Measure where a channel's gain falls below given levels, above its passband peak.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Channel input, typically white noise (broadband, so every frequency is measured).
    y : array-like of shape (n_samples,)
        Channel output for `x`, aligned sample by sample.
    sample_rate_hz : int, default=8000
        Sample rate of both, in Hz.
    levels_db : sequence of float, default=(-3.0, -20.0)
        Levels in dB relative to the peak gain (negative).

    Returns
    -------
    ndarray of shape (n_levels,)
        For each level, the lowest frequency in Hz above the peak where the gain is below it
        (linear interpolation between 7.8 Hz bins); NaN when the gain never falls that low.

    Raises
    ------
    ValueError
        If `x` and `y` differ in length, are shorter than 1024 samples, or a level is >= 0.

    Notes
    -----
    The gain is the H1 estimate ``|P_xy|^2 / P_xx^2`` (Welch, 1024-sample Hann segments, from
    :func:`scipy.signal.csd` and :func:`scipy.signal.welch`): noise the channel adds that is
    uncorrelated with `x` (quantisation, for instance) does not inflate it.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(scale=0.1, size=32000)
    >>> from scipy.signal import butter, sosfilt
    >>> y = sosfilt(butter(8, 2000, fs=8000, output="sos"), x)
    >>> [round(float(f), -1) for f in band_edges_hz(x, y, sample_rate_hz=8000)]
    [2000.0, 2360.0]
    """
    from scipy.signal import csd, welch

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < _NPERSEG:
        raise ValueError(
            "band_edges_hz needs 1-D input and output of the same length, at least "
            f"{_NPERSEG} samples. Got shapes {x.shape} and {y.shape} instead."
        )
    levels = np.asarray(levels_db, dtype=float)
    if levels.size == 0 or np.any(levels >= 0):
        raise ValueError(
            "The 'levels_db' parameter of band_edges_hz must hold levels below the peak, in dB "
            f"(negative). Got {list(levels_db)} instead."
        )
    f, pxx = welch(x, fs=sample_rate_hz, nperseg=_NPERSEG)
    _, pxy = csd(x, y, fs=sample_rate_hz, nperseg=_NPERSEG)
    gain_db = 10 * np.log10(np.abs(pxy) ** 2 / np.maximum(pxx, 1e-300) ** 2 + 1e-30)
    peak = int(np.argmax(gain_db))
    rel = gain_db[peak:] - gain_db[peak]
    out = np.full(levels.size, np.nan)
    for i, level in enumerate(levels):
        below = np.flatnonzero(rel < level)
        if below.size and below[0] > 0:
            j = below[0]
            frac = (rel[j - 1] - level) / (rel[j - 1] - rel[j])
            out[i] = f[peak + j - 1] + frac * (f[peak + j] - f[peak + j - 1])
    return out


def low_bandwidth_edges(*, n_draws: int = 20, duration_s: float = 2.0, random_state=0):
    """Measure the upper band edges of production's low_bandwidth and of its augmentation.

    Parameters
    ----------
    n_draws : int, default=20
        Clips of white noise sent through ``make_pipeline("low_bandwidth")``, each with its
        own random band edges (>= 1).
    duration_s : float, default=2.0
        Length of each white-noise clip, in seconds.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the noise and the augmentation draws.

    Returns
    -------
    pandas.DataFrame
        Index ``source``: ``"production"`` (:func:`mlkit.audio.apply_condition`
        ``low_bandwidth``), then ``"augmentation 0"``, ``"augmentation 1"``, ...; columns
        ``upper_3db_hz`` and ``upper_20db_hz`` (from :func:`band_edges_hz`), in Hz.

    Raises
    ------
    ValueError
        If `n_draws` < 1.

    Examples
    --------
    >>> table = low_bandwidth_edges(n_draws=2, duration_s=1.0)
    >>> table.index.tolist()
    ['production', 'augmentation 0', 'augmentation 1']
    >>> bool(1800 < table.loc["production", "upper_3db_hz"] < 1900)
    True
    """
    import pandas as pd

    n = check_int(n_draws, "n_draws", min_value=1, func="low_bandwidth_edges")
    rng = check_random_state(random_state)
    n_samples = max(int(duration_s * SAMPLE_RATE_HZ), 2 * _NPERSEG)
    noise = [
        to_mono_float32(np.clip(rng.normal(scale=0.1, size=n_samples), -1, 1)) for _ in range(n + 1)
    ]
    prod = apply_condition(noise[0], "low_bandwidth", sample_rate_hz=SAMPLE_RATE_HZ)
    augmented = augment_clips(
        noise[1:], make_pipeline("low_bandwidth"), sample_rate_hz=SAMPLE_RATE_HZ, random_state=rng
    )
    rows = {"production": band_edges_hz(noise[0], prod)}
    for k, (x, y) in enumerate(zip(noise[1:], augmented, strict=True)):
        rows[f"augmentation {k}"] = band_edges_hz(x, y)
    table = pd.DataFrame(rows, index=["upper_3db_hz", "upper_20db_hz"]).T
    table.index.name = "source"
    return table


def _edge_ranges(edges) -> dict:
    """Return, per edge column, production's edge (Hz), the draws' min and max (Hz) and their count."""
    aug = edges.drop(index="production")
    return {
        col: (
            float(edges.loc["production", col]),
            float(aug[col].min()),
            float(aug[col].max()),
            len(aug),
        )
        for col in ("upper_3db_hz", "upper_20db_hz")
    }


def band_edge_metrics(edges) -> dict:
    """Return the band edges to record: production's, and the augmentation draws' min and max.

    Parameters
    ----------
    edges : pandas.DataFrame
        As returned by :func:`low_bandwidth_edges`.

    Returns
    -------
    dict of str to float
        ``lowband_production_<col>``, ``lowband_augmented_<col>_min`` and ``..._max`` for
        ``<col>`` in ``upper_3db_hz`` and ``upper_20db_hz``, in Hz rounded to 1 Hz.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"upper_3db_hz": [1850.0, 1700.0, 2000.0],
    ...                   "upper_20db_hz": [2100.0, 2200.0, 2300.0]},
    ...                  index=["production", "augmentation 0", "augmentation 1"])
    >>> band_edge_metrics(e)["lowband_augmented_upper_3db_hz_min"]
    1700.0
    """
    out = {}
    for col, (prod, lo, hi, _) in _edge_ranges(edges).items():
        out[f"lowband_production_{col}"] = float(round(prod))
        out[f"lowband_augmented_{col}_min"] = float(round(lo))
        out[f"lowband_augmented_{col}_max"] = float(round(hi))
    return out


def describe_band_edges(edges) -> str:
    """Say in markdown whether the augmentation's band edges include production's.

    Parameters
    ----------
    edges : pandas.DataFrame
        As returned by :func:`low_bandwidth_edges`.

    Returns
    -------
    str
        One sentence per edge: production's value, the range of the augmentation's draws, and
        whether the range includes production's.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"upper_3db_hz": [1850.0, 1700.0, 2000.0],
    ...                   "upper_20db_hz": [2100.0, 2200.0, 2300.0]},
    ...                  index=["production", "augmentation 0", "augmentation 1"])
    >>> print(describe_band_edges(e))
    - upper -3 dB edge: production 1.85 kHz; 2 augmentation draws 1.70-2.00 kHz, which **includes** production's.
    - upper -20 dB point: production 2.10 kHz; 2 augmentation draws 2.20-2.30 kHz, which **misses** production's.
    """
    names = {"upper_3db_hz": "upper -3 dB edge", "upper_20db_hz": "upper -20 dB point"}
    lines = []
    for col, (prod, lo, hi, n_draws) in _edge_ranges(edges).items():
        name = names[col]
        verdict = "**includes**" if lo <= prod <= hi else "**misses**"
        lines.append(
            f"- {name}: production {prod / 1000:.2f} kHz; {n_draws} augmentation draws "
            f"{lo / 1000:.2f}-{hi / 1000:.2f} kHz, which {verdict} production's."
        )
    return "\n".join(lines)
