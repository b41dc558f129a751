"""Learning curves: measure, fit a power law, band it, and invert it for a target accuracy.

Serves the notebook section "Feasibility 3: how much data reaches the target?".
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from mlkit._validation import check_float, check_int, check_random_state, check_same_length
from mlkit.scoping._checks import _as_1d_float

__all__ = [
    "PowerLawFit",
    "learning_curve_table",
    "fit_power_law",
    "power_law_band",
    "plot_learning_curve",
    "extrapolation_limit",
]

_B_MAX = 3.0  # power-law exponents beyond 3 are not seen on real learning curves


def learning_curve_table(
    estimator,
    X,
    y,
    *,
    groups=None,
    train_sizes=(0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0),
    cv: int = 5,
    random_state=0,
):
    """Measure dev accuracy against training-set size with stratified cross-validation.

    Parameters
    ----------
    estimator : sklearn estimator
        Unfitted classifier (cloned for every fit).
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.
    groups : array-like of shape (n_samples,), optional
        Speaker (or other group) per sample. When given, the folds are
        :class:`sklearn.model_selection.StratifiedGroupKFold`: no group is on both sides of
        a fold, so dev accuracy is accuracy on *unseen* speakers. ``None``: clip-level
        :class:`~sklearn.model_selection.StratifiedKFold` (a speaker's clips on both sides).
    train_sizes : sequence of float or int, default=(0.1, ..., 1.0)
        Training-set sizes: fractions in (0, 1] of the training folds, or absolute counts.
    cv : int, default=5
        Number of folds (shuffled with `random_state`); with `groups`, at most the number
        of distinct groups.
    random_state : int, default=0
        Seed of the fold split and of the subsample order.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_samples`` (training clips), ``train_accuracy``,
        ``dev_accuracy`` (mean over folds), ``dev_accuracy_std``, ``dev_error`` and
        ``fit_time_s`` (mean fit time per fold, in s, with one BLAS thread).

    Raises
    ------
    ValueError
        If `X`, `y` and `groups` differ in length, `cv` < 2, `groups` has fewer
        distinct values than `cv`, `y` holds a single class or a class with fewer than
        `cv` samples (the message names them), a training size holds fewer samples than
        classes or more than the smallest training fold, or a fit fails (no NaN points).

    See Also
    --------
    sklearn.model_selection.learning_curve : the measurement this wraps.
    fit_power_law : extrapolate the curve.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, learning_curve
    from threadpoolctl import threadpool_limits

    func = "learning_curve_table"
    check_same_length(func, X=X, y=y, groups=groups)
    cv = check_int(cv, "cv", min_value=2, func=func)
    seed = int(check_random_state(random_state).integers(2**31 - 1))
    _check_classes_for_folds(y, cv, func)
    if groups is None:
        folds = StratifiedKFold(cv, shuffle=True, random_state=seed)
    else:
        groups = np.asarray(groups)
        n_groups = np.unique(groups).size
        if n_groups < cv:
            raise ValueError(
                f"The 'cv' parameter of {func} must be at most the number of distinct groups "
                f"when 'groups' is given. Got cv={cv} for {n_groups} groups. Pass "
                f"cv={max(n_groups, 2)} or fewer, or collect more speakers."
            )
        folds = StratifiedGroupKFold(cv, shuffle=True, random_state=seed)
    n_train = min(len(train) for train, _ in folds.split(X, y, groups))
    _check_train_sizes(train_sizes, n_train, np.unique(np.asarray(y)).size, func)
    # Small fits: BLAS threads cost more than they save (and fight other processes).
    with threadpool_limits(limits=1):
        sizes, train, dev, fit_times, _ = learning_curve(
            estimator,
            X,
            y,
            groups=groups,
            train_sizes=np.asarray(train_sizes),
            cv=folds,
            shuffle=True,
            random_state=seed,
            return_times=True,
            n_jobs=1,
        )
    failed = sizes[~np.isfinite(dev).all(axis=1)]
    if failed.size:
        # sklearn only warns and returns NaN when fits fail (a subset with one class)
        raise ValueError(
            f"{func} could not fit the estimator at training sizes {failed.tolist()} in "
            "some folds (a subset held too few classes). Pass larger 'train_sizes' or fewer "
            "folds ('cv'), or collect more clips."
        )
    return pd.DataFrame(
        {
            "n_samples": sizes.astype(np.int64),
            "train_accuracy": train.mean(axis=1),
            "dev_accuracy": dev.mean(axis=1),
            "dev_accuracy_std": dev.std(axis=1),
            "dev_error": 1.0 - dev.mean(axis=1),
            "fit_time_s": fit_times.mean(axis=1),
        }
    )


def _check_classes_for_folds(y, cv, func):
    """Refuse a single class, or classes too small to appear in every one of `cv` folds."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    if labels.size < 2:
        raise ValueError(
            f"The 'y' parameter of {func} must hold at least 2 classes. Got "
            f"{labels.size} class ({', '.join(map(repr, labels.tolist()))}) instead. "
            "A learning curve needs a classifier that can be fitted: load more classes."
        )
    small = [(lab, int(c)) for lab, c in zip(labels.tolist(), counts, strict=True) if c < cv]
    if small:
        named = ", ".join(f"{lab!r} ({c})" for lab, c in small)
        fix = (
            f"Pass cv={int(counts.min())} or fewer, or collect more samples of those classes."
            if counts.min() >= 2
            else "Drop those classes or collect more samples of them."
        )
        raise ValueError(
            f"The 'y' parameter of {func} must hold at least cv={cv} samples of every class "
            f"(one per fold). Got {len(small)} smaller classes, {named}, instead. {fix}"
        )


def _check_train_sizes(train_sizes, n_train, n_classes, func):
    """Refuse training sizes too small to hold every class once (or beyond the folds)."""
    sizes = np.asarray(train_sizes, dtype=np.float64).ravel()
    if sizes.size == 0 or not np.all(np.isfinite(sizes)) or np.any(sizes <= 0):
        raise ValueError(
            f"The 'train_sizes' parameter of {func} must be a non-empty sequence of positive "
            f"sizes. Got {train_sizes!r} instead."
        )
    as_fraction = np.all(sizes <= 1.0) and not np.issubdtype(
        np.asarray(train_sizes).dtype, np.integer
    )
    absolute = np.floor(sizes * n_train) if as_fraction else sizes
    if absolute.min() < n_classes or absolute.max() > n_train:
        raise ValueError(
            f"The 'train_sizes' parameter of {func} must give between {n_classes} (one clip "
            f"per class) and {n_train} (the smallest training fold) training samples. Got "
            f"{absolute.astype(int).tolist()} samples for {train_sizes!r} instead. Pass larger "
            "fractions or fewer folds, or collect more clips."
        )


@dataclass(frozen=True)
class PowerLawFit:
    """A learning curve ``error(n) = a * n**(-b) + c`` fitted to measured points.

    Attributes
    ----------
    a, b, c : float
        Scale, exponent and asymptotic (irreducible) error of the fit.
    cov : ndarray of shape (3, 3)
        Covariance of (log a, b, c) from the fit (:func:`scipy.optimize.curve_fit`); the
        scale is fitted as log a so that it stays positive.
    n_samples : ndarray of shape (n_points,)
        Training-set sizes the fit used.
    error : ndarray of shape (n_points,)
        Measured errors at those sizes.
    sigma : ndarray of shape (n_points,) or None
        Standard errors the fit was weighted with (None: unweighted).
    """

    a: float
    b: float
    c: float
    cov: np.ndarray = field(repr=False)
    n_samples: np.ndarray = field(repr=False)
    error: np.ndarray = field(repr=False)
    sigma: np.ndarray | None = field(default=None, repr=False)

    @property
    def asymptote_accuracy(self) -> float:
        """Accuracy the curve tends to with unlimited data of the same kind, ``1 - c``."""
        return 1.0 - self.c

    def predict_error(self, n):
        """Return the fitted error at training-set size(s) `n` (same shape as `n`)."""
        return _power_law(np.asarray(n, dtype=np.float64), self.a, self.b, self.c)


def _power_law(n, a, b, c):
    return a * np.power(n, -b) + c


def _power_law_log_a(n, log_a, b, c):
    return np.exp(log_a) * np.power(n, -b) + c


def _curve_fit(n, err, sigma=None, p0=None):
    """Fit (log a, b, c); log a keeps a > 0 and makes its uncertainty close to normal."""
    import warnings

    from scipy.optimize import OptimizeWarning, curve_fit

    c0 = max(0.0, 0.5 * float(err.min()))
    b0 = 0.5
    a0 = max(float(err[0]) - c0, 1e-3) * float(n[0]) ** b0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        params, cov = curve_fit(
            _power_law_log_a,
            n,
            err,
            p0=(np.log(a0), b0, c0) if p0 is None else p0,
            sigma=sigma,
            bounds=([-np.inf, 0.0, 0.0], [np.inf, _B_MAX, 1.0]),
            max_nfev=20_000,
        )
    return params, cov


def fit_power_law(n_samples, error, *, sigma=None) -> PowerLawFit:
    """Fit the power law ``error = a * n**(-b) + c`` to a measured learning curve.

    Parameters
    ----------
    n_samples : array-like of shape (n_points,)
        Training-set sizes, positive and distinct; at least 4 points.
    error : array-like of shape (n_points,)
        Dev error (1 - accuracy) at each size, in [0, 1].
    sigma : array-like of shape (n_points,), optional
        Standard error of each point (for example the fold std); points with a smaller
        sigma weigh more. Values are floored at 1e-3 so a zero-variance point cannot dominate.

    Returns
    -------
    PowerLawFit
        The parameters, their covariance and the points fitted.

    Raises
    ------
    ValueError
        If fewer than 4 points are given, sizes are not positive and distinct, errors are
        outside [0, 1], lengths differ, or the fit does not converge.

    See Also
    --------
    data_needed_for_target : invert the fit for a target accuracy.
    power_law_band : uncertainty band of the fit.

    Notes
    -----
    Generalisation error falls as a power law of training-set size down to an irreducible
    error: Hestness et al. 2017, "Deep Learning Scaling is Predictable, Empirically"
    (arXiv:1712.00409); Cortes et al. 1994, "Learning Curves: Asymptotic Values and Rate of
    Convergence". Bounds: ``a >= 0``, ``0 <= b <= 3``, ``0 <= c <= 1``. Extrapolating far
    beyond the measured sizes (more than about 10x) is a guess, not a measurement.

    Examples
    --------
    >>> n = np.array([50, 100, 200, 400, 800, 1600])
    >>> fit = fit_power_law(n, 2.0 * n**-0.5 + 0.05)
    >>> round(fit.a, 3), round(fit.b, 3), round(fit.c, 3)
    (2.0, 0.5, 0.05)
    """
    n = _as_1d_float(n_samples, "n_samples", "fit_power_law", min_len=4)
    err = _as_1d_float(error, "error", "fit_power_law", min_len=4)
    check_same_length("fit_power_law", n_samples=n, error=err)
    if np.any(n <= 0) or np.unique(n).size != n.size:
        raise ValueError(
            "The 'n_samples' parameter of fit_power_law must hold positive, distinct sizes. "
            f"Got {n_samples!r} instead."
        )
    if np.any(err < 0) or np.any(err > 1):
        raise ValueError(
            "The 'error' parameter of fit_power_law must hold errors in [0, 1] "
            f"(1 - accuracy). Got {error!r} instead."
        )
    if sigma is not None:
        sigma = np.maximum(_as_1d_float(sigma, "sigma", "fit_power_law", min_len=4), 1e-3)
        check_same_length("fit_power_law", n_samples=n, sigma=sigma)
    order = np.argsort(n)
    n, err = n[order], err[order]
    sigma = None if sigma is None else sigma[order]
    try:
        params, cov = _curve_fit(n, err, sigma)
    except RuntimeError as exc:
        raise ValueError(
            f"fit_power_law did not converge on these {n.size} points ({exc}). Measure more "
            "sizes, or check that the error falls with more data."
        ) from exc
    log_a, b, c = (float(p) for p in params)
    return PowerLawFit(
        a=math.exp(log_a), b=b, c=c, cov=np.asarray(cov), n_samples=n, error=err, sigma=sigma
    )


def _draw_params(fit: PowerLawFit, method, n_draws, rng):
    """Return (n_draws, 3) plausible (a, b, c) within the fit's bounds."""
    centre = np.array([math.log(fit.a), fit.b, fit.c])
    if method == "covariance" and np.all(np.isfinite(fit.cov)):
        # Truncated normal by rejection: c < 0 or b outside (0, 3] cannot happen.
        kept, tries = [], 0
        while sum(len(k) for k in kept) < n_draws and tries < 20:
            d = rng.multivariate_normal(centre, fit.cov, size=n_draws, method="svd")
            kept.append(d[(d[:, 1] > 0) & (d[:, 1] <= _B_MAX) & (d[:, 2] >= 0) & (d[:, 2] <= 1)])
            tries += 1
        draws = np.concatenate(kept)[:n_draws]
        if len(draws):
            return np.column_stack([np.exp(draws[:, 0]), draws[:, 1], draws[:, 2]])
    # Residual bootstrap: keep the measured sizes, resample the standardised residuals, refit.
    fitted = fit.predict_error(fit.n_samples)
    sigma = np.ones_like(fitted) if fit.sigma is None else fit.sigma
    resid = (fit.error - fitted) / sigma
    draws = []
    for _ in range(n_draws):
        noise = sigma * rng.choice(resid, size=resid.size, replace=True)
        err = np.clip(fitted + noise, 0.0, 1.0)
        try:
            params, _ = _curve_fit(fit.n_samples, err, fit.sigma, p0=centre)
        except (RuntimeError, ValueError):
            continue
        draws.append(params)
    if not draws:
        return np.array([[fit.a, fit.b, fit.c]])
    draws = np.array(draws)
    return np.column_stack([np.exp(draws[:, 0]), draws[:, 1], draws[:, 2]])


_DRAWS_CACHE: dict = {}


def _cached_draws(fit: PowerLawFit, method, n_draws, random_state):
    """Return `_draw_params`, reusing the last draws for the same fit and int seed.

    The band plot and the data estimate use the same draws; bootstrap refits are the slow part.
    """
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        return _draw_params(fit, method, n_draws, check_random_state(random_state))
    sigma = None if fit.sigma is None else fit.sigma.tobytes()
    key = (
        fit.a,
        fit.b,
        fit.c,
        fit.n_samples.tobytes(),
        fit.error.tobytes(),
        sigma,
        method,
        n_draws,
        int(random_state),
    )
    if key not in _DRAWS_CACHE:
        _DRAWS_CACHE.clear()
        _DRAWS_CACHE[key] = _draw_params(fit, method, n_draws, check_random_state(random_state))
    return _DRAWS_CACHE[key].copy()


def _check_band_args(level, method, n_draws, func):
    level = check_float(level, "level", low=0.0, high=1.0, inclusive=(False, False), func=func)
    if method not in ("covariance", "bootstrap"):
        raise ValueError(
            f"The 'method' parameter of {func} must be one of ['bootstrap', 'covariance']. "
            f"Got {method!r} instead."
        )
    n_draws = check_int(n_draws, "n_draws", min_value=10, func=func)
    return level, n_draws


def power_law_band(
    fit: PowerLawFit, n, *, level=0.9, method="bootstrap", n_draws=200, random_state=0
):
    """Return the lower and upper error of a power-law fit's uncertainty band at sizes `n`.

    Parameters
    ----------
    fit : PowerLawFit
        From :func:`fit_power_law`.
    n : array-like of shape (n_points,)
        Training-set sizes at which to evaluate the band.
    level : float, default=0.9
        Central coverage of the band, in (0, 1).
    method : {"bootstrap", "covariance"}, default="bootstrap"
        ``"bootstrap"`` refits the curve on resampled (standardised) residuals, one fit per
        draw (about 3 ms each). ``"covariance"`` draws (log a, b, c) from a normal with the
        fit's covariance, rejecting draws outside the bounds; it is fast but biased when the
        fit sits on a bound (often ``c = 0``), and falls back to ``"bootstrap"`` when the
        covariance is not finite.
    n_draws : int, default=200
        Parameter draws (at least 10).
    random_state : int or numpy.random.Generator, default=0
        Seed of the draws.

    Returns
    -------
    low, high : ndarray of shape (n_points,)
        Error quantiles ``(1 - level) / 2`` and ``(1 + level) / 2`` at each size.

    Raises
    ------
    ValueError
        If `level`, `method` or `n_draws` is out of range.
    """
    level, n_draws = _check_band_args(level, method, n_draws, "power_law_band")
    n = np.asarray(n, dtype=np.float64)
    draws = _cached_draws(fit, method, n_draws, random_state)
    curves = _power_law(n[None, :], draws[:, :1], draws[:, 1:2], draws[:, 2:3])
    q = [(1 - level) / 2, (1 + level) / 2]
    low, high = np.quantile(curves, q, axis=0, method="inverted_cdf")
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def plot_learning_curve(
    table,
    fit: PowerLawFit,
    *,
    target_accuracy: float | None = None,
    hlp_accuracy: float | None = None,
    n_max: float | None = None,
    level: float = 0.9,
    random_state=0,
    ax=None,
    status: str | None = None,
):
    """Plot measured dev accuracy, the power-law extrapolation and its uncertainty band.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`learning_curve_table` (columns ``n_samples``, ``dev_accuracy``,
        ``dev_accuracy_std``, ``train_accuracy``).
    fit : PowerLawFit
        From :func:`fit_power_law`.
    target_accuracy, hlp_accuracy : float, optional
        Drawn as horizontal reference lines.
    n_max : float, optional
        Right end of the extrapolation; default 20x the largest measured size.
    level : float, default=0.9
        Coverage of the band.
    random_state : int, default=0
        Seed of the band's draws.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.
    status : str, optional
        The verdict (``DataEstimate.status``) for `n_max` as the horizon; shown as the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    n_meas = table["n_samples"].to_numpy(dtype=float)
    n_max = float(n_max or 20 * n_meas.max())
    if status is not None:
        ax.set_title(f"Target at the right edge ({n_max:,.0f} training samples): {status}")
    grid = np.geomspace(n_meas.min(), max(n_max, n_meas.max() * 1.01), 200)
    low, high = power_law_band(fit, grid, level=level, random_state=random_state)
    ax.fill_between(grid, 1 - high, 1 - low, alpha=0.25, label=f"{level:.0%} band of the fit")
    ax.plot(grid, 1 - fit.predict_error(grid), "-", label="power-law fit a·n^-b + c")
    ax.errorbar(
        n_meas,
        table["dev_accuracy"],
        yerr=table["dev_accuracy_std"],
        fmt="o",
        capsize=3,
        label="measured dev accuracy (CV)",
    )
    ax.plot(n_meas, table["train_accuracy"], "s--", ms=4, alpha=0.6, label="train accuracy")
    ax.axhline(fit.asymptote_accuracy, color="grey", ls=":", label="fitted asymptote 1 - c")
    if target_accuracy is not None:
        ax.axhline(target_accuracy, color="tab:red", ls="--", label="target")
    if hlp_accuracy is not None:
        ax.axhline(hlp_accuracy, color="tab:green", ls="-.", label="human-level estimate")
    ax.set_xscale("log")
    ax.set_xlabel("training samples (log scale)")
    ax.set_ylabel("accuracy")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return ax.figure


def extrapolation_limit(
    n_samples, n_needed: float, *, factor: float = 20, needed_factor: float = 2, cap: float = 1e5
) -> float:
    """Return how far right a learning-curve plot should extrapolate, in training samples.

    Parameters
    ----------
    n_samples : array-like of shape (n_points,)
        Measured training-set sizes (``learning_curve_table(...)["n_samples"]``).
    n_needed : float
        Samples the target needs (``data_needed_for_target(...).n_samples``; ``math.inf``
        when not reachable).
    factor : float, default=20
        Show at least `factor` times the largest measured size.
    needed_factor : float, default=2
        Show at least `needed_factor` times the samples needed, so the target's crossing
        is in view ...
    cap : float, default=1e5
        ... counting `n_needed` as at most `cap` (an unreachable target would stretch the
        axis forever).

    Returns
    -------
    float
        ``max(factor * max(n_samples), needed_factor * min(n_needed, cap))``: the `n_max`
        of :func:`plot_learning_curve`.

    Raises
    ------
    ValueError
        If `n_samples` is empty or not finite, or `n_needed` is negative.
    TypeError
        If `n_needed` is not a number (NaN included).

    Examples
    --------
    >>> extrapolation_limit([50, 100, 200], 1600.0)
    4000.0
    >>> extrapolation_limit([50, 100, 200], float("inf"))
    200000.0
    """
    func = "extrapolation_limit"
    n_meas = _as_1d_float(n_samples, "n_samples", func)
    n_needed = check_float(n_needed, "n_needed", low=0.0, func=func)
    return float(max(factor * n_meas.max(), needed_factor * min(n_needed, cap)))
