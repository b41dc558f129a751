"""Statistics shared by the phases: PSI and JS on binned samples, Wilson intervals, accuracy by group.

Shared layer: imports no phase module. Public homes of these names stay where learners meet them:
:func:`mlkit.monitoring.psi`, :func:`mlkit.deployment.wilson_interval`,
:func:`mlkit.scoping.accuracy_by_group` re-export them.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_int, check_same_length

__all__ = [
    "PSI_EPS",
    "accuracy_by_group",
    "binned",
    "clean_sample",
    "js_from_proportions",
    "mean_t_interval",
    "proportions_categorical",
    "proportions_numeric",
    "psi",
    "psi_from_proportions",
    "quantile_edges",
    "wilson_interval",
]

PSI_EPS = 1e-4
"""Proportion given to an empty bin so that PSI's logarithm stays finite."""


def clean_sample(values, name, func, *, categorical=False):
    """Return a 1-D array without missing values; raise when nothing is left."""
    if categorical:
        import pandas as pd

        arr = pd.Series(values).dropna().astype(str).to_numpy()
    else:
        try:
            arr = np.asarray(values, dtype=np.float64).ravel()
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"The {name!r} parameter of {func} must be numeric. Got values that are not "
                f"numbers ({exc}). Pass categorical=True for categories."
            ) from exc
        arr = arr[~np.isnan(arr)]
        if np.isinf(arr).any():
            raise ValueError(
                f"The {name!r} parameter of {func} holds {int(np.isinf(arr).sum())} infinite "
                "value(s); drift statistics need finite numbers. Drop or clip them first (for "
                "example replace inf with NaN, which is dropped)."
            )
    if arr.size == 0:
        raise ValueError(
            f"The {name!r} parameter of {func} must hold at least one non-missing value. "
            "Got none. Pass a non-empty sample."
        )
    return arr


def quantile_edges(reference, n_bins):
    """Interior bin edges at the reference quantiles; a tied quantile gets a bin of its own.

    Bins are ``[e_i, e_{i+1})``. Where several quantiles tie (a point mass: many zeros, a
    constant column), the tied value ``v`` gets the bin ``[v, nextafter(v))`` and everything
    above it the next bin, so a shift away from a point mass is never binned with it (else
    ``psi([1.0] * 30, [2.0] * 30)`` would be 0).

    Examples
    --------
    >>> quantile_edges(np.arange(10.0), 5).tolist()
    [1.8, 3.6, 5.4, 7.2]
    >>> e = quantile_edges(np.ones(30), 10)
    >>> bool(e[0] == 1.0 and e[1] == np.nextafter(1.0, np.inf))
    True
    """
    qs = np.quantile(reference, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    values, counts = np.unique(qs, return_counts=True)
    tied = values[counts > 1]
    if tied.size == 0:
        return values
    return np.unique(np.concatenate([values, np.nextafter(tied, np.inf)]))


def proportions_numeric(sample, edges):
    counts = np.bincount(np.searchsorted(edges, sample, side="right"), minlength=edges.size + 1)
    return counts / max(sample.size, 1)


def proportions_categorical(sample, categories):
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros(len(categories) + 1)
    for value, n in zip(*np.unique(sample, return_counts=True), strict=True):
        counts[index.get(value, len(categories))] += n
    return counts / max(sample.size, 1)


def psi_from_proportions(p_ref, p_cur, eps):
    p_ref = np.where(p_ref > 0, p_ref, eps)
    p_cur = np.where(p_cur > 0, p_cur, eps)
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))


def js_from_proportions(p_ref, p_cur):
    from scipy.spatial.distance import jensenshannon

    if p_ref.sum() == 0 or p_cur.sum() == 0:
        return float("nan")
    return float(jensenshannon(p_ref, p_cur, base=2))


def binned(reference, current, n_bins, categorical, func):
    ref = clean_sample(reference, "reference", func, categorical=categorical)
    cur = clean_sample(current, "current", func, categorical=categorical)
    if categorical:
        categories = sorted(set(ref) | set(cur))
        return proportions_categorical(ref, categories), proportions_categorical(cur, categories)
    edges = quantile_edges(ref, n_bins)
    return proportions_numeric(ref, edges), proportions_numeric(cur, edges)


def psi(reference, current, *, n_bins: int = 10, eps: float = PSI_EPS, categorical: bool = False):
    """Return the population stability index of `current` against `reference`.

    Parameters
    ----------
    reference : array-like of shape (n_reference,)
        The reference sample (training data or a known-good period). NaN values are dropped.
    current : array-like of shape (n_current,)
        The sample to compare (a window of production traffic). NaN values are dropped.
    n_bins : int, default=10
        Number of bins, cut at the reference deciles (quantiles ``1/n_bins, 2/n_bins, ...``)
        so every bin holds about the same share of the reference; ties can merge bins.
        Ignored when `categorical`.
    eps : float, default=1e-4
        Proportion given to an empty bin so that the logarithm stays finite; in (0, 0.1].
    categorical : bool, default=False
        Treat values as categories (one bin per category seen in either sample).

    Returns
    -------
    float
        ``sum((p_cur - p_ref) * ln(p_cur / p_ref))`` over bins, >= 0; 0 for identical
        proportions.

    Raises
    ------
    ValueError
        If a sample is empty or `n_bins` / `eps` is out of range.
    TypeError
        If a numeric sample holds non-numbers.

    See Also
    --------
    DriftMonitor : learns the reference bins once and scores many windows.
    expected_null_psi : the PSI that sampling noise alone produces.

    Notes
    -----
    PSI is the symmetrised Kullback-Leibler divergence (Jeffreys divergence) of the binned
    proportions, from credit scoring (Siddiqi, *Credit Risk Scorecards*, 2006). The rule of
    thumb reads < 0.1 as stable, 0.1-0.25 as a moderate shift and > 0.25 as a significant one
    (:data:`PSI_RULE_OF_THUMB`). Yurdakul (2018, *Statistical properties of the population
    stability index*) shows that under no drift ``PSI * n m / (n + m)`` is approximately
    chi-square with ``n_bins - 1`` degrees of freedom, so small windows give a PSI well above
    0 by chance: see :func:`expected_null_psi`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(size=5000)
    >>> round(psi(ref, ref), 6)
    0.0
    >>> psi(ref, rng.normal(loc=1.0, size=5000)) > 0.25
    True
    """
    n_bins = check_int(n_bins, "n_bins", min_value=2, max_value=1000, func="psi")
    eps = check_float(eps, "eps", low=0.0, high=0.1, inclusive=(False, True), func="psi")
    p_ref, p_cur = binned(reference, current, n_bins, categorical, "psi")
    return psi_from_proportions(p_ref, p_cur, eps)


def wilson_interval(n_successes, n_trials, *, confidence: float = 0.95):
    """Return the Wilson score interval for a binomial proportion.

    Parameters
    ----------
    n_successes : int or array-like of int
        Successes (for example requests where the candidate agreed), 0 <= k <= n.
    n_trials : int or array-like of int
        Trials, >= 1, broadcastable against `n_successes`.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    low, high : float or ndarray
        The interval bounds, within [0, 1].

    Raises
    ------
    ValueError
        If a count is negative, `n_trials` is 0 or smaller than `n_successes`, or
        `confidence` is outside (0, 1).

    Notes
    -----
    Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    JASA 22: with ``z`` the normal quantile, ``p = k / n``,
    centre ``(p + z^2 / 2n) / (1 + z^2 / n)`` and half-width
    ``z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)``. Brown, Cai & DasGupta (2001)
    recommend it over the Wald interval, which undercovers near 0 and 1. Same values as
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.

    Examples
    --------
    >>> low, high = wilson_interval(80, 100)
    >>> round(low, 4), round(high, 4)
    (0.7112, 0.8666)
    """
    from scipy.stats import norm

    conf = check_float(
        confidence,
        "confidence",
        low=0.0,
        high=1.0,
        inclusive=(False, False),
        func="wilson_interval",
    )
    k = np.asarray(n_successes, dtype=float)
    n = np.asarray(n_trials, dtype=float)
    if np.any(n < 1) or np.any(k < 0) or np.any(k > n):
        raise ValueError(
            "wilson_interval needs 0 <= n_successes <= n_trials and n_trials >= 1. "
            f"Got n_successes={n_successes!r}, n_trials={n_trials!r} instead."
        )
    z = norm.ppf(1 - (1 - conf) / 2)
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def accuracy_by_group(y_true, y_pred, groups):
    """Return accuracy per group and its gap to the overall accuracy.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    groups : array-like of shape (n_samples,)
        Group of each sample (speaker, accent, gender, ...).

    Returns
    -------
    pandas.DataFrame
        Index: the groups, sorted by accuracy (worst first), then ``"overall"``; columns
        ``n_samples``, ``accuracy`` and ``gap`` (accuracy minus overall accuracy).

    Raises
    ------
    ValueError
        If the inputs differ in length or are empty.

    Examples
    --------
    >>> accuracy_by_group([1, 1, 0, 0], [1, 0, 0, 0], ["a", "a", "b", "b"])["accuracy"].tolist()
    [0.5, 1.0, 0.75]
    """
    import pandas as pd

    check_same_length("accuracy_by_group", y_true=y_true, y_pred=y_pred, groups=groups)
    if len(y_true) == 0:
        raise ValueError("accuracy_by_group needs at least one sample. Got 0.")
    df = pd.DataFrame({"g": np.asarray(groups), "ok": np.asarray(y_true) == np.asarray(y_pred)})
    overall = float(df["ok"].mean())
    out = df.groupby("g", sort=True)["ok"].agg(n_samples="size", accuracy="mean")
    out = out.sort_values("accuracy", kind="stable")
    out.loc["overall"] = [len(df), overall]
    out["n_samples"] = out["n_samples"].astype(np.int64)
    out["gap"] = out["accuracy"] - overall
    out.index.name = None
    return out


def mean_t_interval(values, *, confidence: float = 0.95, func: str = "mean_t_interval"):
    """Return the mean of repeated results and the Student-t confidence interval of that mean.

    The one implementation behind every "mean and 95 % interval over seeds" of the notebooks
    (:func:`mlkit.data.seed_interval`, :func:`mlkit.augmentation.summarise_over_seeds`,
    :func:`mlkit.tracking.seed_intervals`).

    Parameters
    ----------
    values : array-like of float of shape (n_repeats,)
        One result per repeat (seed), at least 2; NaN values are not allowed.
    confidence : float, default=0.95
        Confidence level, in (0, 1).
    func : str, default="mean_t_interval"
        The public function to name in error messages.

    Returns
    -------
    mean, low, high : float
        ``mean -+ t_{(1+c)/2, n-1} * s / sqrt(n)`` (:func:`scipy.stats.t.interval`); both bounds
        equal the mean when every repeat gives the same value.

    Raises
    ------
    ValueError
        If fewer than 2 values are given or `confidence` is outside (0, 1).

    Notes
    -----
    The interval treats the repeats as independent draws of the whole experiment; repeats that
    share data (the same clips in other splits) make it approximate. With 5 repeats its
    half-width is 1.24 standard deviations.

    Examples
    --------
    >>> [round(x, 3) for x in mean_t_interval([0.1, 0.2, 0.3])]
    [0.2, -0.048, 0.448]
    """
    from scipy import stats

    conf = check_float(
        confidence, "confidence", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size < 2:
        raise ValueError(
            f"{func} needs results from at least 2 seeds (repeats). Got {v.size}. "
            "Repeat the experiment with more seeds (n_seeds >= 2)."
        )
    mean = float(v.mean())
    sem = float(v.std(ddof=1) / np.sqrt(v.size))
    if sem == 0.0:
        return mean, mean, mean
    low, high = stats.t.interval(conf, v.size - 1, loc=mean, scale=sem)
    return mean, float(low), float(high)
