"""Label noise over seeds: per-seed drops, their intervals and what holds (section 4)."""

from __future__ import annotations

import numpy as np

from mlkit._stats import mean_t_interval

__all__ = [
    "noise_drops_by_seed",
    "seed_interval",
    "noise_drop_intervals",
    "describe_label_noise_over_seeds",
    "noise_interval_metrics",
]

_METRIC_NAMES = {
    "gap_small_n": "noise_gap_small_n",
    "gap_large_n": "noise_gap_large_n",
    "gap_diff": "noise_gap_diff",
    "rel_drop_small_n": "noise_rel_drop_small_n",
    "rel_drop_large_n": "noise_rel_drop_large_n",
    "rel_drop_diff": "noise_rel_drop_diff",
}


def noise_drops_by_seed(raw, *, chance: float, rate: float = 0.3):
    """Return, per seed, what label noise costs at the smallest and the largest training size.

    Parameters
    ----------
    raw : pandas.DataFrame
        Per-repeat scores of :func:`label_noise_learning_curves` with ``per_repeat=True``
        (columns ``noise_rate``, ``n_train``, ``repeat``, ``score``), holding noise rates 0.0
        and `rate`. Each repeat is one seed: its own split, subsets and flipped labels.
    chance : float
        Chance-level score, in [0, 1], such as :func:`chance_accuracy`.
    rate : float, default=0.3
        The noise rate to compare with clean labels.

    Returns
    -------
    pandas.DataFrame
        Index ``repeat``; columns, as fractions: ``gap_small_n`` and ``gap_large_n`` (clean
        minus noisy score at the smallest and largest size), ``gap_diff`` (small minus
        large), ``rel_drop_small_n``, ``rel_drop_large_n`` (the gap divided by the clean
        score's margin above `chance`) and ``rel_drop_diff``.

    Raises
    ------
    ValueError
        If `raw` lacks the noise rate 0.0 or `rate`.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"noise_rate": [0.0, 0.0, 0.3, 0.3], "n_train": [10, 100] * 2,
    ...                     "repeat": [0] * 4, "score": [0.6, 0.9, 0.4, 0.85]})
    >>> noise_drops_by_seed(raw, chance=0.1).round(3).to_dict("records")[0]["gap_diff"]
    0.15
    """
    rates = set(np.round(raw["noise_rate"].unique(), 12))
    missing = [r for r in (0.0, rate) if round(r, 12) not in rates]
    if missing:
        raise ValueError(
            f"noise_drops_by_seed needs scores at noise rates 0.0 and {rate}; missing {missing}. "
            "Pass both in the 'noise_rates' of label_noise_learning_curves(..., per_repeat=True)."
        )
    wide = raw.pivot_table(index=["repeat", "n_train"], columns="noise_rate", values="score")
    sizes = np.sort(raw["n_train"].unique())
    out = {}
    for label, size in (("small_n", sizes[0]), ("large_n", sizes[-1])):
        at = wide.xs(size, level="n_train")
        gap = at[0.0] - at[rate]
        out[f"gap_{label}"] = gap
        out[f"rel_drop_{label}"] = gap / (at[0.0] - chance)
    import pandas as pd

    drops = pd.DataFrame(out)
    drops["gap_diff"] = drops["gap_small_n"] - drops["gap_large_n"]
    drops["rel_drop_diff"] = drops["rel_drop_small_n"] - drops["rel_drop_large_n"]
    cols = ["gap_small_n", "gap_large_n", "gap_diff"]
    return drops[cols + ["rel_drop_small_n", "rel_drop_large_n", "rel_drop_diff"]]


def seed_interval(values, *, confidence: float = 0.95) -> dict:
    """Return the mean of per-seed values and its Student-t confidence interval.

    Parameters
    ----------
    values : array-like of float of shape (n_seeds,)
        One value per seed, at least 2.
    confidence : float, default=0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    dict
        ``mean``, ``ci_low``, ``ci_high`` (the interval of the mean over seeds,
        ``mean -+ t * sd / sqrt(n)``), ``n_positive`` (how many seeds are above 0) and
        ``n_seeds``.

    Raises
    ------
    ValueError
        If fewer than 2 values are given or `confidence` is outside (0, 1).

    Notes
    -----
    The t-interval (:func:`scipy.stats.t.interval`) treats seeds as independent repeats of
    the experiment; with 5 seeds its half-width is 1.24 standard deviations.

    Examples
    --------
    >>> {k: round(v, 3) for k, v in seed_interval([0.1, 0.2, 0.3]).items()}
    {'mean': 0.2, 'ci_low': -0.048, 'ci_high': 0.448, 'n_positive': 3, 'n_seeds': 3}
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    mean, low, high = mean_t_interval(v, confidence=confidence, func="seed_interval")
    return {
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "n_positive": int((v > 0).sum()),
        "n_seeds": int(v.size),
    }


def noise_drop_intervals(drops, *, confidence: float = 0.95):
    """Tabulate mean and confidence interval over seeds of each column of `drops`.

    Parameters
    ----------
    drops : pandas.DataFrame
        One row per seed, as from :func:`noise_drops_by_seed`.
    confidence : float, default=0.95
        Confidence level, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Index: the columns of `drops`; columns ``mean``, ``ci_low``, ``ci_high``,
        ``n_positive`` and ``n_seeds``.

    Raises
    ------
    ValueError
        As :func:`seed_interval`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = noise_drop_intervals(pd.DataFrame({"gap_diff": [0.1, 0.2, 0.3]}))
    >>> round(float(t.loc["gap_diff", "mean"]), 3), int(t.loc["gap_diff", "n_seeds"])
    (0.2, 3)
    """
    import pandas as pd

    rows = {c: seed_interval(drops[c], confidence=confidence) for c in drops.columns}
    return pd.DataFrame.from_dict(rows, orient="index")


def _verdict(row, what: str, unit: str) -> tuple[str, str]:
    """Return (status, sentence) for a small-minus-large difference over seeds."""
    n, k = int(row["n_seeds"]), int(row["n_positive"])
    interval = f"{unit(row['mean'])} more at small n, 95 % interval {unit(row['ci_low'])} to " + (
        f"{unit(row['ci_high'])} over {n} seeds; larger at small n in {k} of {n} seeds"
    )
    if row["ci_low"] > 0:
        return "holds", f"In {what}, noise costs **more at small n** ({interval})."
    if row["ci_high"] < 0:
        return "reversed", f"In {what}, noise costs **more at large n** ({interval})."
    return "undecided", (
        f"In {what}, small and large n **cannot be told apart** ({interval}): this run does "
        "not show it."
    )


def describe_label_noise_over_seeds(
    intervals, *, rate: float = 0.3, n_small: int | None = None, n_large: int | None = None
) -> str:
    """Say in markdown what label noise costs at small vs large n, and what holds over seeds.

    Parameters
    ----------
    intervals : pandas.DataFrame
        As from :func:`noise_drop_intervals` of :func:`noise_drops_by_seed`.
    rate : float, default=0.3
        The noise rate the drops were measured at, in [0, 1].
    n_small, n_large : int, optional
        The smallest and largest training sizes, for the text.

    Returns
    -------
    str
        Markdown: the mean drop at each size with its 95 % interval, then one verdict for
        the absolute and one for the relative drop: *holds* when the interval of the
        difference (small minus large) is above 0, *reversed* when below, otherwise that the
        run cannot tell them apart; and whether the cost at large n is above 0.

    Raises
    ------
    KeyError
        If `intervals` lacks a row of :func:`noise_drops_by_seed`.

    Examples
    --------
    >>> import pandas as pd
    >>> drops = pd.DataFrame({"gap_small_n": [0.2, 0.22, 0.18], "gap_large_n": [0.1, 0.12, 0.11],
    ...                       "gap_diff": [0.1, 0.1, 0.07], "rel_drop_small_n": [0.4, 0.5, 0.45],
    ...                       "rel_drop_large_n": [0.1, 0.2, 0.3], "rel_drop_diff": [0.3, 0.3, 0.15]})
    >>> text = describe_label_noise_over_seeds(noise_drop_intervals(drops))
    >>> "In absolute points, noise costs **more at small n**" in text
    True
    """
    t = intervals

    def pts(v):
        return f"{100 * v:.1f} points"

    def share(v):
        return f"{v:.0%}"

    small = f" ({n_small} training clips)" if n_small else ""
    large = f" ({n_large})" if n_large else ""
    head = (
        f"Over {int(t.loc['gap_small_n', 'n_seeds'])} seeds (each its own split, subsets and "
        f"flipped labels), {rate:.0%} label noise costs **{pts(t.loc['gap_small_n', 'mean'])}** "
        f"at small n{small} (95 % interval {pts(t.loc['gap_small_n', 'ci_low'])} to "
        f"{pts(t.loc['gap_small_n', 'ci_high'])}) and **{pts(t.loc['gap_large_n', 'mean'])}** "
        f"at large n{large} ({pts(t.loc['gap_large_n', 'ci_low'])} to "
        f"{pts(t.loc['gap_large_n', 'ci_high'])}); relative to the margin above chance, "
        f"{share(t.loc['rel_drop_small_n', 'mean'])} vs {share(t.loc['rel_drop_large_n', 'mean'])}."
    )
    if t.loc["gap_large_n", "ci_low"] > 0:
        large_text = (
            "Even with all training clips the cost stays above 0: the regularised model does "
            f"not average {rate:.0%} noise away."
        )
    else:
        large_text = "With all training clips the cost cannot be told from 0."
    _, abs_text = _verdict(t.loc["gap_diff"], "absolute points", pts)
    _, rel_text = _verdict(
        t.loc["rel_drop_diff"],
        "share of the margin above chance",
        lambda v: f"{100 * v:.0f} percentage points",
    )
    return " ".join([head, large_text, abs_text, rel_text])


def noise_interval_metrics(intervals, *, decimals: int = 4) -> dict:
    """Name the numbers of :func:`noise_drop_intervals` as the notebook records them.

    Parameters
    ----------
    intervals : pandas.DataFrame
        As from :func:`noise_drop_intervals` of :func:`noise_drops_by_seed`.
    decimals : int, default=4
        Rounding of each value.

    Returns
    -------
    dict of str to float
        ``noise_gap_small_n_mean``, ``noise_gap_small_n_ci_low``, ``..._ci_high`` and the
        same for ``noise_gap_large_n``, ``noise_gap_diff`` (small minus large),
        ``noise_rel_drop_small_n``, ``noise_rel_drop_large_n`` and ``noise_rel_drop_diff``.

    Raises
    ------
    KeyError
        If a row of :func:`noise_drops_by_seed` is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean": [0.2], "ci_low": [0.1], "ci_high": [0.3]}, index=["gap_diff"])
    >>> noise_interval_metrics(t.reindex(list(_METRIC_NAMES), fill_value=0.0))["noise_gap_diff_mean"]
    0.2
    """
    return {
        f"{name}_{stat}": round(float(intervals.loc[row, stat]), decimals)
        for row, name in _METRIC_NAMES.items()
        for stat in ("mean", "ci_low", "ci_high")
    }
