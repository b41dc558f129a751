"""Scope an ML project before building it: feasibility, value, milestones and data sourcing.

The scoping phase answers four questions with measurements instead of guesses:

* Feasibility: is the problem learnable (human-level performance, predictive inputs, a quick
  model), and how much data reaches a target accuracy (a power-law learning-curve fit)?
* Value: what does the ML metric mean for the business (cost and successful commands per
  1,000 requests from a cost matrix and the measured confusion matrix), and is it fair?
* Milestones and resourcing: training time, inference latency, compute for more data.
* Data sourcing: what each source of more data costs in money and time.
"""

from __future__ import annotations

import math
import numbers
import re
import time
from dataclasses import dataclass, field

import numpy as np

from mlkit._models import quick_model
from mlkit._stats import accuracy_by_group
from mlkit._validation import check_float, check_int, check_random_state, check_same_length

__all__ = [
    "NOT_REACHABLE",
    "DEFAULT_SOURCES",
    "PowerLawFit",
    "DataEstimate",
    "ComputeScaling",
    "quick_model",
    "learning_curve_table",
    "mutual_information",
    "plot_mutual_information",
    "fit_power_law",
    "power_law_band",
    "data_needed_for_target",
    "plot_learning_curve",
    "cost_matrix",
    "business_metrics",
    "plot_business_value",
    "accuracy_by_group",
    "plot_group_accuracy",
    "ethics_checklist",
    "time_requests",
    "latency_percentiles",
    "fit_compute_scaling",
    "plot_resources",
    "labeling_effort",
    "milestone_table",
    "sourcing_table",
    "sourcing_recommendation",
]

NOT_REACHABLE = "not reachable"
"""What :meth:`DataEstimate.as_record` returns when the target accuracy cannot be reached."""

_B_MAX = 3.0  # power-law exponents beyond 3 are not seen on real learning curves

DEFAULT_SOURCES = {
    "bundled corpus": {
        "cost_per_clip_usd": 0.0,
        "setup_days": 0.0,
        "max_clips": None,  # the clips already loaded
        "labels_per_clip": 0,
        "record_s_per_clip": 0.0,
        "note": "already labeled and loaded: train today",
    },
    "crowdsourced labels": {
        "cost_per_clip_usd": 0.15,  # 3 labels x USD 0.05, for agreement (see HLP)
        "setup_days": 3.0,
        "max_clips": 50_000,
        "labels_per_clip": 3,
        "record_s_per_clip": 0.0,
        "workers": 20,
        "note": "labels for logged, consented production audio; needs a labeling guide",
    },
    "in-house recordings": {
        "cost_per_clip_usd": 0.25,  # staff time at about USD 30/h for recording + labeling
        "setup_days": 5.0,
        "max_clips": 20_000,
        "labels_per_clip": 1,
        "record_s_per_clip": 20.0,
        "note": "speakers, accents and noise you choose; consent forms and privacy review",
    },
    "purchased data": {
        "cost_per_clip_usd": 0.50,
        "setup_days": 20.0,  # contract, delivery, quality check
        "max_clips": 100_000,
        "labels_per_clip": 0,
        "record_s_per_clip": 0.0,
        "note": "fast volume, but check licence, speakers and conditions match production",
    },
}
"""Candidate data sources with illustrative unit costs (USD) and lead times (days).

Each value holds ``cost_per_clip_usd``, ``setup_days`` (contracts, guides, privacy review),
``max_clips`` (None: the clips already available), ``labels_per_clip`` (labels drawn from the
labelers' throughput), ``record_s_per_clip`` (recording time per clip) and optionally
``workers`` (people labeling in parallel; default: the `n_labelers` argument) and ``note``.
Replace the numbers with quotes from your own vendors.
"""


# --------------------------------------------------------------------------- validation


def _as_1d_float(values, name, func, *, min_len=1):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"The {name!r} parameter of {func} must be an array of numbers. Got {values!r} instead."
        ) from None
    if arr.ndim != 1 or arr.size < min_len:
        raise ValueError(
            f"The {name!r} parameter of {func} must be a 1-D array with at least {min_len} "
            f"values. Got shape {arr.shape} instead."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"The {name!r} parameter of {func} must hold finite numbers. Got {values!r} instead."
        )
    return arr


def _check_nonneg(value, name, func):
    return check_float(value, name, low=0.0, func=func)


# --------------------------------------------------------------------------- feasibility


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
        If `X`, `y` and `groups` differ in length, `cv` < 2, or `groups` has fewer
        distinct values than `cv`.

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


def mutual_information(
    X,
    y,
    *,
    feature_names=None,
    n_shuffles: int = 1,
    n_null_features: int | None = 20,
    random_state=0,
):
    """Estimate the mutual information between each feature and the label, with a null baseline.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Continuous features.
    y : array-like of shape (n_samples,)
        Class labels.
    feature_names : sequence of str, optional
        Column names; default ``x0``, ``x1``, ...
    n_shuffles : int, default=1
        Times the labels are shuffled to estimate the MI of a feature that carries no
        information (the estimator's bias). 0 skips it.
    n_null_features : int or None, default=20
        Compute the shuffled baseline only for this many features with the highest MI (the
        ones worth comparing; it halves the run time); None computes it for all.
    random_state : int or numpy.random.Generator, default=0
        Seed of the kNN estimator's jitter and of the shuffles.

    Returns
    -------
    pandas.DataFrame
        Index: feature names, sorted by decreasing ``mi_nats``; columns ``mi_nats`` (MI in
        nats) and ``mi_shuffled_nats`` (MI against shuffled labels; NaN when `n_shuffles` is 0
        and outside the `n_null_features` top features).

    Raises
    ------
    ValueError
        If `X` and `y` differ in length or the names do not match the columns.

    Notes
    -----
    Kraskov-style kNN estimator of :func:`sklearn.feature_selection.mutual_info_classif`
    (Ross 2014, "Mutual Information between Discrete and Continuous Data Sets"). A feature is
    predictive when its MI clearly exceeds the shuffled-label baseline.
    """
    import pandas as pd
    from sklearn.feature_selection import mutual_info_classif

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    check_same_length("mutual_information", X=X, y=y)
    if X.ndim != 2:
        raise ValueError(
            f"The 'X' parameter of mutual_information must be 2-D (n_samples, n_features). "
            f"Got shape {X.shape} instead."
        )
    n_shuffles = check_int(n_shuffles, "n_shuffles", min_value=0, func="mutual_information")
    names = [f"x{j}" for j in range(X.shape[1])] if feature_names is None else list(feature_names)
    if len(names) != X.shape[1]:
        raise ValueError(
            f"mutual_information got {len(names)} feature names for {X.shape[1]} columns. "
            "Pass one name per column."
        )
    if n_null_features is not None:
        n_null_features = check_int(
            n_null_features, "n_null_features", min_value=1, func="mutual_information"
        )
    rng = check_random_state(random_state)
    mi = mutual_info_classif(X, y, random_state=int(rng.integers(2**31 - 1)))
    null = np.full(X.shape[1], np.nan)
    cols = np.argsort(-mi, kind="stable")[:n_null_features]
    if n_shuffles:
        runs = [
            mutual_info_classif(
                X[:, cols], rng.permutation(y), random_state=int(rng.integers(2**31 - 1))
            )
            for _ in range(n_shuffles)
        ]
        null[cols] = np.mean(runs, axis=0)
    out = pd.DataFrame({"mi_nats": mi, "mi_shuffled_nats": null}, index=pd.Index(names))
    return out.sort_values("mi_nats", ascending=False)


def plot_mutual_information(mi, *, top: int = 12, ax=None):
    """Plot the `top` features by mutual information next to their shuffled-label baseline.

    Parameters
    ----------
    mi : pandas.DataFrame
        From :func:`mutual_information`.
    top : int, default=12
        Number of features shown.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    top = check_int(top, "top", min_value=1, func="plot_mutual_information")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.3 * min(top, len(mi)) + 1.0), layout="constrained")
    shown = mi.head(top).iloc[::-1]
    ax.barh(shown.index, shown["mi_nats"], label="MI with the label")
    ax.barh(shown.index, shown["mi_shuffled_nats"], color="grey", label="MI with shuffled labels")
    ax.set_xlabel("mutual information (nats)")
    ax.set_title(f"Top {len(shown)} of {len(mi)} features")
    ax.legend(loc="lower right", fontsize=8)
    return ax.figure


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


@dataclass(frozen=True)
class DataEstimate:
    """How many training samples a power-law learning curve needs for a target accuracy.

    Attributes
    ----------
    target_accuracy : float
        The accuracy asked for.
    n_samples : float
        Training samples needed (``math.inf`` when not reachable).
    n_low, n_high : float
        Band of `n_samples` from the fit's uncertainty (``math.inf`` when the upper end of the
        band cannot reach the target).
    reachable : bool
        Whether the fitted curve reaches the target within `max_n` samples.
    reason : str
        One sentence for people: why it is (not) reachable and what to do.
    """

    target_accuracy: float
    n_samples: float
    n_low: float
    n_high: float
    reachable: bool
    reason: str

    def as_record(self) -> int | str:
        """Return the value to record: samples needed (rounded up), or :data:`NOT_REACHABLE`."""
        return math.ceil(self.n_samples) if self.reachable else NOT_REACHABLE


def _n_for_error(a, b, c, target_error):
    """Invert the power law; inf where the asymptote is at or above the target error."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    gap = target_error - c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n = np.where((gap > 0) & (b > 0), np.power(a / np.where(gap > 0, gap, 1.0), 1 / b), np.inf)
    return n


def data_needed_for_target(
    fit: PowerLawFit,
    target_accuracy: float,
    *,
    level: float = 0.9,
    max_n: float = 1e9,
    hlp_accuracy: float | None = None,
    method: str = "bootstrap",
    n_draws: int = 200,
    random_state=0,
) -> DataEstimate:
    """Estimate the training samples needed to reach `target_accuracy` from a learning curve.

    Parameters
    ----------
    fit : PowerLawFit
        From :func:`fit_power_law`.
    target_accuracy : float
        Accuracy to reach, in (0, 1).
    level : float, default=0.9
        Coverage of the band ``(n_low, n_high)``, in (0, 1).
    max_n : float, default=1e9
        Sizes above this count as not reachable in practice.
    hlp_accuracy : float, optional
        Human-level accuracy; a target above it is flagged in `reason` (the course: HLP is a
        proxy for the irreducible error).
    method : {"bootstrap", "covariance"}, default="bootstrap"
        How the band's parameter draws are made (see :func:`power_law_band`).
    n_draws : int, default=200
        Parameter draws for the band (see :func:`power_law_band`); the same `random_state`
        gives the same draws as the band.
    random_state : int or numpy.random.Generator, default=0
        Seed of the draws.

    Returns
    -------
    DataEstimate
        ``n_samples = (a / (1 - target - c)) ** (1 / b)`` when ``1 - target > c``; otherwise
        ``inf`` with ``reachable=False`` and the reason. ``as_record()`` gives an int or
        :data:`NOT_REACHABLE`.

    Raises
    ------
    ValueError
        If `target_accuracy` or `level` is outside (0, 1) or `max_n` is not positive.

    Notes
    -----
    Power-law learning curves after Hestness et al. 2017 (arXiv:1712.00409). When the fitted
    asymptote ``c`` is at or above the target error, more data *of the same kind* will not
    reach the target: improve the model, the features or the label quality instead.

    Examples
    --------
    >>> n = np.array([50, 100, 200, 400, 800])
    >>> fit = fit_power_law(n, 2.0 * n**-0.5 + 0.05)
    >>> round(data_needed_for_target(fit, 0.9).n_samples)
    1600
    >>> data_needed_for_target(fit, 0.97).as_record()
    'not reachable'
    """
    func = "data_needed_for_target"
    target = check_float(
        target_accuracy, "target_accuracy", low=0, high=1, inclusive=(False, False), func=func
    )
    level, n_draws = _check_band_args(level, method, n_draws, func)
    max_n = check_float(max_n, "max_n", low=0, inclusive=(False, True), func=func)
    target_error = 1.0 - target
    n = float(_n_for_error(fit.a, fit.b, fit.c, target_error))
    draws = _cached_draws(fit, method, n_draws, random_state)
    n_draws_needed = _n_for_error(draws[:, 0], draws[:, 1], draws[:, 2], target_error)
    n_low, n_high = (
        float(v)
        for v in np.quantile(
            n_draws_needed, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf"
        )
    )
    n_max_measured = float(fit.n_samples.max())
    if not np.isfinite(n):
        reachable = False
        reason = (
            f"Not reachable: the fitted asymptote (accuracy {fit.asymptote_accuracy:.3f} = 1 - c) "
            f"is at or below the target {target:.3f}; more data of the same kind will not get "
            "there. Improve the model, features or label quality, then measure the curve again."
        )
    elif n > max_n:
        reachable = False
        reason = (
            f"Not reachable in practice: the fit needs about {n:.3g} samples, above "
            f"max_n={max_n:.3g}. Change the approach rather than collect data."
        )
    else:
        reachable = True
        factor = n / n_max_measured
        high = f"{n_high:,.0f}" if np.isfinite(n_high) else "not reachable"
        reason = (
            f"Reachable with about {math.ceil(n):,} training samples "
            f"({level:.0%} band {n_low:,.0f} to {high}), "
            f"{factor:.1f}x the largest size measured."
        )
        if factor > 10:
            reason += " That is far beyond the measured range: treat it as a rough guess."
    if hlp_accuracy is not None and target > hlp_accuracy:
        reason += (
            f" The target is above the human-level estimate ({hlp_accuracy:.3f}); check that "
            "it is realistic."
        )
    return DataEstimate(
        target_accuracy=target,
        n_samples=n,
        n_low=n_low,
        n_high=n_high,
        reachable=reachable,
        reason=reason,
    )


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

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    n_meas = table["n_samples"].to_numpy(dtype=float)
    n_max = float(n_max or 20 * n_meas.max())
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


# --------------------------------------------------------------------------- value


def cost_matrix(
    labels,
    *,
    error_cost: float,
    correct_cost: float = 0.0,
    predicted_costs=None,
    pair_costs=None,
):
    """Build a cost matrix: the cost of each (true class, predicted class) outcome.

    Parameters
    ----------
    labels : sequence
        Class labels, in the order of the confusion matrix.
    error_cost : float
        Cost of any misrecognition (off-diagonal), >= 0, in currency units per request.
    correct_cost : float, default=0.0
        Cost of a correct prediction (diagonal), >= 0 (for example serving cost).
    predicted_costs : dict of label to float, optional
        Cost of wrongly predicting a given label, whatever was said, >= 0 (for example
        ``{1: 20.0}`` when "1" confirms a transaction). Overrides `error_cost` in that column.
    pair_costs : dict of (true, predicted) to float, optional
        Overrides for specific outcomes, each >= 0, as ``{(true, predicted): cost}``; applied
        after `predicted_costs`.

    Returns
    -------
    pandas.DataFrame of shape (n_classes, n_classes)
        Index: true label, columns: predicted label.

    Raises
    ------
    ValueError
        If a cost is negative (model benefits with `value_per_success` of
        :func:`business_metrics`), labels repeat, or a pair names an unknown label.

    Examples
    --------
    >>> cost_matrix([0, 1], error_cost=2.0, pair_costs={(0, 1): 10.0}).to_numpy().tolist()
    [[0.0, 10.0], [2.0, 0.0]]
    >>> cost_matrix([0, 1, 2], error_cost=1.0, predicted_costs={1: 5.0}).to_numpy().tolist()
    [[0.0, 5.0, 1.0], [1.0, 0.0, 1.0], [1.0, 5.0, 0.0]]
    """
    import pandas as pd

    labels = list(labels)
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError(
            f"The 'labels' parameter of cost_matrix must hold distinct labels. Got {labels!r}."
        )
    for name, v in (("error_cost", error_cost), ("correct_cost", correct_cost)):
        _check_cost(v, name)
    m = np.full((len(labels), len(labels)), float(error_cost))
    np.fill_diagonal(m, float(correct_cost))
    pos = {lab: i for i, lab in enumerate(labels)}
    for p, v in (predicted_costs or {}).items():
        if p not in pos:
            raise ValueError(
                f"predicted_costs names {p!r}, but the labels are {labels!r}. "
                "Use predicted labels from `labels`."
            )
        col = pos[p]
        m[np.arange(len(labels)) != col, col] = _check_cost(v, f"predicted_costs[{p!r}]")
    for (t, p), v in (pair_costs or {}).items():
        if t not in pos or p not in pos:
            raise ValueError(
                f"pair_costs names ({t!r}, {p!r}), but the labels are {labels!r}. "
                "Use (true label, predicted label) pairs from `labels`."
            )
        m[pos[t], pos[p]] = _check_cost(v, f"pair_costs[{(t, p)!r}]")
    return pd.DataFrame(
        m, index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted")
    )


def _check_cost(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"The cost {name!r} must be a finite number. Got {value!r} instead.")
    if value < 0:
        raise ValueError(
            f"The cost {name!r} must be >= 0. Got {value!r} instead. Costs are losses; model "
            "a benefit with the 'value_per_success' parameter of business_metrics."
        )
    return float(value)


def business_metrics(
    confusion, costs, *, value_per_success: float = 0.0, class_prior=None, per: int = 1000
) -> dict:
    """Translate a confusion matrix into business metrics per `per` requests.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Measured counts, rows = true class, columns = predicted class (as from
        :func:`sklearn.metrics.confusion_matrix`).
    costs : array-like or DataFrame of shape (n_classes, n_classes)
        Cost of each (true, predicted) outcome, >= 0 (see :func:`cost_matrix`).
    value_per_success : float, default=0.0
        Value of one correctly recognised request (same currency), >= 0.
    class_prior : array-like of shape (n_classes,), optional
        Share of each true class in production traffic (normalised to sum 1). Default: the
        class shares of `confusion`. Each row's error rates are reweighted to this prior.
    per : int, default=1000
        Number of requests the metrics are expressed per.

    Returns
    -------
    dict
        ``successful_per_1000`` (requests recognised correctly), ``expected_cost_per_1000``,
        ``business_value_per_1000`` (``value_per_success * successes - cost``),
        ``mean_cost_per_error`` (cost of an average misrecognition) and ``accuracy``
        (prior-weighted). Keys say 1000 whatever `per` is.

    Raises
    ------
    ValueError
        If shapes differ, counts or costs are negative, the prior is negative, sums to 0,
        or gives weight to a class with no measured samples.

    Notes
    -----
    Expected cost = ``per * sum_ij P(true=i) P(pred=j | true=i) C_ij`` with
    ``P(pred | true)`` from the rows of the measured confusion matrix: the standard
    cost-sensitive evaluation (Elkan 2001, "The Foundations of Cost-Sensitive Learning").

    Examples
    --------
    >>> cm = [[90, 10], [5, 95]]
    >>> out = business_metrics(cm, [[0, 2], [1, 0]], value_per_success=0.5)
    >>> out["successful_per_1000"], out["expected_cost_per_1000"]
    (925.0, 125.0)
    """
    func = "business_metrics"
    cm = np.asarray(confusion, dtype=np.float64)
    c = np.asarray(costs, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(
            f"The 'confusion' parameter of {func} must be a square (n_classes, n_classes) "
            f"matrix. Got shape {cm.shape} instead."
        )
    if c.shape != cm.shape:
        raise ValueError(
            f"The 'costs' parameter of {func} must have the confusion matrix's shape "
            f"{cm.shape}. Got {c.shape} instead."
        )
    if not np.all(np.isfinite(cm)) or np.any(cm < 0) or cm.sum() == 0:
        raise ValueError(
            f"The 'confusion' parameter of {func} must hold non-negative counts, not all zero."
        )
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(
            f"The 'costs' parameter of {func} must hold costs >= 0. Got a minimum of "
            f"{np.nanmin(c)!r}. Model benefits with 'value_per_success'."
        )
    value = _check_cost(value_per_success, "value_per_success")
    per = check_int(per, "per", min_value=1, func=func)
    row = cm.sum(axis=1)
    if class_prior is None:
        prior = row / row.sum()
    else:
        prior = _as_1d_float(class_prior, "class_prior", func)
        if prior.size != cm.shape[0] or np.any(prior < 0) or prior.sum() <= 0:
            raise ValueError(
                f"The 'class_prior' parameter of {func} must hold {cm.shape[0]} non-negative "
                f"shares with a positive sum. Got {class_prior!r} instead."
            )
        prior = prior / prior.sum()
        if np.any((prior > 0) & (row == 0)):
            raise ValueError(
                f"The 'class_prior' parameter of {func} gives weight to a class with no "
                "measured samples; its error rate is unknown. Measure it or give it weight 0."
            )
    rates = np.divide(cm, row[:, None], out=np.zeros_like(cm), where=row[:, None] > 0)
    joint = prior[:, None] * rates
    accuracy = float(np.trace(joint))
    cost = float((joint * c).sum())
    off = joint.copy()
    np.fill_diagonal(off, 0.0)
    error_rate = float(off.sum())
    return {
        "accuracy": accuracy,
        "successful_per_1000": per * accuracy,
        "expected_cost_per_1000": per * cost,
        "business_value_per_1000": per * (value * accuracy - cost),
        "mean_cost_per_error": float((off * c).sum() / error_rate) if error_rate > 0 else 0.0,
    }


def plot_business_value(
    confusion, costs, *, value_per_success: float, target_accuracy: float | None = None, ax=None
):
    """Plot net value per 1,000 requests against accuracy, with today's accuracy marked.

    Other accuracies assume today's mix of errors: each error costs the measured
    ``mean_cost_per_error`` of :func:`business_metrics`.

    Parameters
    ----------
    confusion, costs, value_per_success
        As for :func:`business_metrics`.
    target_accuracy : float, optional
        Drawn as a vertical reference line.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    m = business_metrics(confusion, costs, value_per_success=value_per_success)
    acc = np.linspace(0.5, 1.0, 101)
    net = 1000 * (value_per_success * acc - m["mean_cost_per_error"] * (1 - acc))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    ax.plot(acc, net, label="net value per 1,000 requests")
    ax.axhline(0, color="grey", lw=0.8)
    ax.plot(
        [m["accuracy"]],
        [m["business_value_per_1000"]],
        "o",
        color="tab:blue",
        label=f"today: accuracy {m['accuracy']:.3f}, {m['business_value_per_1000']:,.0f} USD",
    )
    if target_accuracy is not None:
        ax.axvline(target_accuracy, color="tab:red", ls="--", label=f"target {target_accuracy:.3f}")
    ax.set_xlabel("accuracy")
    ax.set_ylabel("USD per 1,000 requests")
    ax.set_title("Net value vs accuracy (break-even where the line crosses 0)")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return ax.figure


def plot_group_accuracy(table, *, title: str = "Accuracy per group (worst first)", ax=None):
    """Plot accuracy per group as bars with the overall accuracy as a line.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`accuracy_by_group` (with its ``"overall"`` row).
    title : str
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    groups = table.drop(index="overall")
    if ax is None:
        width = max(5.0, 0.5 * len(groups) + 2.5)
        _, ax = plt.subplots(figsize=(width, 2.8), layout="constrained")
    ax.bar([str(g) for g in groups.index], groups["accuracy"], color="tab:purple")
    overall = float(table.loc["overall", "accuracy"])
    ax.axhline(overall, color="grey", ls="--", label=f"overall {overall:.3f}")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    long_names = max(len(str(g)) for g in groups.index) > 4
    ax.tick_params(axis="x", rotation=30 if long_names or len(groups) > 8 else 0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax.figure


_CODE_LIKE = re.compile(r"\d")


def ethics_checklist(
    y_true,
    y_pred,
    *,
    metadata,
    group_columns=("speaker", "accent", "gender"),
    max_gap: float = 0.05,
    min_group_size: int = 20,
):
    """Return an ethics checklist: measured fairness across groups plus privacy questions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (out-of-fold predictions, not training-set ones).
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        One row per sample with the `group_columns` (for example ``SpeechData.metadata``).
    group_columns : sequence of str, default=("speaker", "accent", "gender")
        Columns to check for accuracy gaps; absent columns are reported as not checked.
    max_gap : float, default=0.05
        Largest acceptable shortfall of a group's accuracy below the overall one.
    min_group_size : int, default=20
        Groups with fewer samples are flagged as too small to judge.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (fairness / privacy / use), ``item``, ``evidence`` and ``status``:
        ``"ok"``, ``"review"`` (a measured problem) or ``"open"`` (a question for people to
        answer before collecting more data).

    Raises
    ------
    ValueError
        If lengths differ or `max_gap` is outside [0, 1].

    Notes
    -----
    Fairness as a worst-group accuracy gap (a disaggregated evaluation, Mitchell et al. 2019,
    "Model Cards for Model Reporting"); privacy items after the GDPR principles of consent,
    purpose limitation, storage limitation and data minimisation (Art. 5-7).
    """
    import pandas as pd

    check_same_length("ethics_checklist", y_true=y_true, y_pred=y_pred, metadata=metadata)
    max_gap = check_float(max_gap, "max_gap", low=0.0, high=1.0, func="ethics_checklist")
    min_group_size = check_int(
        min_group_size, "min_group_size", min_value=1, func="ethics_checklist"
    )
    rows = []
    for col in group_columns:
        if col not in metadata.columns:
            rows.append(
                ("fairness", f"accuracy across {col}", "column absent: not checked", "open")
            )
            continue
        table = accuracy_by_group(y_true, y_pred, metadata[col].astype(str).to_numpy())
        groups = table.drop(index="overall")
        worst = groups.index[0]
        small = groups.index[groups["n_samples"] < min_group_size].tolist()
        evidence = (
            f"{len(groups)} groups; worst {worst!r} {groups['accuracy'].iloc[0]:.3f} vs overall "
            f"{table.loc['overall', 'accuracy']:.3f} (gap {groups['gap'].iloc[0]:+.3f})"
        )
        if len(groups) < 2:
            status, evidence = "open", f"only one {col} group ({worst!r}): cannot compare"
        elif groups["gap"].iloc[0] < -max_gap:
            status = "review"
        else:
            status = "ok"
        if small:
            evidence += f"; {len(small)} group(s) under {min_group_size} samples"
            status = "review" if status == "ok" else status
        rows.append(("fairness", f"accuracy across {col}", evidence, status))
    if "speaker" in metadata.columns:
        ids = metadata["speaker"].astype(str).unique()
        name_like = [s for s in ids if not _CODE_LIKE.search(s)]
        if name_like:
            rows.append(
                (
                    "privacy",
                    "speaker IDs are pseudonymous",
                    f"{len(name_like)} IDs look like personal names (e.g. {name_like[0]!r}); "
                    "replace them with codes before sharing",
                    "review",
                )
            )
        else:
            rows.append(("privacy", "speaker IDs are pseudonymous", "all IDs are codes", "ok"))
    rows += [
        (
            "privacy",
            "consent covers recording AND model training",
            "who agreed to what, and can they withdraw?",
            "open",
        ),
        (
            "privacy",
            "retention and deletion of recordings",
            "how long are raw clips kept; is deletion propagated to training sets?",
            "open",
        ),
        (
            "privacy",
            "access control and storage",
            "voice can identify a person: encrypted storage, least-privilege access, audit log",
            "open",
        ),
        (
            "use",
            "no secondary use of voices",
            "the model recognises digits; recordings must not be reused for speaker identification",
            "open",
        ),
        (
            "fairness",
            "production speakers represented",
            "do production accents, ages and devices appear in the data? compare with traffic",
            "open",
        ),
    ]
    return pd.DataFrame(rows, columns=["area", "item", "evidence", "status"])


# --------------------------------------------------------------------------- resourcing


def time_requests(func, requests, *, n_warmup: int = 5):
    """Time `func` on each request, one call per request, with ``time.perf_counter``.

    Parameters
    ----------
    func : callable
        Handles a single request, for example ``lambda clip: model.predict(features([clip]))``.
    requests : sequence
        The requests, each passed as ``func(request)``.
    n_warmup : int, default=5
        Untimed calls on the first requests first (caches, lazy imports, JIT).

    Returns
    -------
    ndarray of shape (n_requests,)
        Wall time of each call in ms.

    Raises
    ------
    TypeError
        If `func` is not callable.
    ValueError
        If `requests` is empty.
    """
    if not callable(func):
        raise TypeError(f"The 'func' parameter of time_requests must be callable. Got {func!r}.")
    requests = list(requests)
    if not requests:
        raise ValueError("The 'requests' parameter of time_requests must not be empty.")
    n_warmup = check_int(n_warmup, "n_warmup", min_value=0, func="time_requests")
    for r in requests[:n_warmup]:
        func(r)
    out = np.empty(len(requests))
    for i, r in enumerate(requests):
        start = time.perf_counter()
        func(r)
        out[i] = (time.perf_counter() - start) * 1000.0
    return out


def latency_percentiles(latency_ms, *, percentiles=(50, 95, 99)) -> dict:
    """Summarise per-request latencies by percentiles.

    Parameters
    ----------
    latency_ms : array-like of shape (n_requests,)
        Latency of each request in ms, >= 0.
    percentiles : sequence of float, default=(50, 95, 99)
        Percentiles in [0, 100].

    Returns
    -------
    dict
        ``{"p50_ms": ..., "p95_ms": ..., ...}`` (linear interpolation, numpy's default), plus
        ``mean_ms`` and ``n_requests``.

    Raises
    ------
    ValueError
        If `latency_ms` is empty, negative or not finite, or a percentile is out of range.

    Examples
    --------
    >>> latency_percentiles(np.arange(1, 101), percentiles=(50, 95))["p95_ms"]
    95.05
    """
    lat = _as_1d_float(latency_ms, "latency_ms", "latency_percentiles")
    if np.any(lat < 0):
        raise ValueError(
            "The 'latency_ms' parameter of latency_percentiles must hold times >= 0 ms. "
            f"Got a minimum of {lat.min()!r}."
        )
    pct = _as_1d_float(percentiles, "percentiles", "latency_percentiles")
    if np.any((pct < 0) | (pct > 100)):
        raise ValueError(
            "The 'percentiles' parameter of latency_percentiles must hold values in [0, 100]. "
            f"Got {list(percentiles)!r} instead."
        )
    out = {f"p{p:g}_ms": float(np.percentile(lat, p)) for p in pct}
    out["mean_ms"] = float(lat.mean())
    out["n_requests"] = int(lat.size)
    return out


@dataclass(frozen=True)
class ComputeScaling:
    """Compute time ``seconds(n) = per_sample_s * n + k * n**p`` for n training samples.

    Attributes
    ----------
    k, p : float
        Scale and exponent of the model-fit time (a log-log least-squares fit).
    per_sample_s : float
        Time per sample that grows linearly (feature extraction), in s.
    """

    k: float
    p: float
    per_sample_s: float = 0.0

    def predict_s(self, n):
        """Return the predicted compute time in s at size(s) `n`."""
        n = np.asarray(n, dtype=np.float64)
        return self.per_sample_s * n + self.k * np.power(n, self.p)


def fit_compute_scaling(
    n_samples, fit_time_s, *, per_sample_s: float = 0.0, min_exponent: float = 1.0
) -> ComputeScaling:
    """Fit ``fit_time_s = k * n**p`` on a log-log scale to extrapolate training time.

    Parameters
    ----------
    n_samples : array-like of shape (n_points,)
        Training-set sizes (positive, at least 2 distinct).
    fit_time_s : array-like of shape (n_points,)
        Measured fit times in s (positive).
    per_sample_s : float, default=0.0
        Extra time per sample added linearly (for example feature extraction), in s, >= 0.
    min_exponent : float, default=1.0
        Floor of the fitted exponent ``p`` (the scale ``k`` is refitted with it). A training
        pass reads every sample, so compute grows at least linearly; flatter measured curves
        on small data are fixed overhead and solver noise, which extrapolate badly.

    Returns
    -------
    ComputeScaling

    Raises
    ------
    ValueError
        If sizes or times are not positive, lengths differ, or fewer than 2 distinct sizes.

    Examples
    --------
    >>> s = fit_compute_scaling([100, 1000, 10000], [0.01, 0.1, 1.0])
    >>> round(s.p, 3), round(float(s.predict_s(100000)), 3)
    (1.0, 10.0)
    """
    func = "fit_compute_scaling"
    n = _as_1d_float(n_samples, "n_samples", func, min_len=2)
    t = _as_1d_float(fit_time_s, "fit_time_s", func, min_len=2)
    check_same_length(func, n_samples=n, fit_time_s=t)
    if np.any(n <= 0) or np.any(t <= 0) or np.unique(n).size < 2:
        raise ValueError(
            f"{func} needs positive sizes (at least 2 distinct) and positive times. "
            f"Got n_samples={n_samples!r}, fit_time_s={fit_time_s!r}."
        )
    per = check_float(per_sample_s, "per_sample_s", low=0.0, func=func)
    floor = check_float(min_exponent, "min_exponent", low=0.0, func=func)
    p, logk = np.polyfit(np.log(n), np.log(t), 1)
    if p < floor:
        p = floor
        logk = float(np.mean(np.log(t) - p * np.log(n)))
    return ComputeScaling(k=float(np.exp(logk)), p=float(p), per_sample_s=per)


def plot_resources(latency_ms, compute: ComputeScaling, curve, *, n_max: float = 1e6):
    """Plot the latency distribution with p50/p95 and the extrapolated training compute.

    Parameters
    ----------
    latency_ms : array-like of shape (n_requests,)
        Per-request latencies in ms (from :func:`time_requests`).
    compute : ComputeScaling
        From :func:`fit_compute_scaling`.
    curve : pandas.DataFrame
        From :func:`learning_curve_table` (``n_samples``, ``fit_time_s``): measured points.
    n_max : float, default=1e6
        Largest training size on the compute axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    lat = latency_percentiles(latency_ms)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    ax1.hist(np.asarray(latency_ms), bins=40, color="tab:green")
    for key, ls in (("p50_ms", ":"), ("p95_ms", "--")):
        ax1.axvline(lat[key], color="k", ls=ls, label=f"{key[:-3]} {lat[key]:.2f} ms")
    ax1.set_xlabel("latency per request (ms)")
    ax1.set_ylabel("requests")
    ax1.set_title(f"{lat['n_requests']} single requests")
    ax1.legend(fontsize=8)
    n_meas = curve["n_samples"].to_numpy(dtype=float)
    sizes = np.geomspace(n_meas.min(), max(n_max, n_meas.max() * 10), 50)
    ax2.loglog(sizes, compute.predict_s(sizes), label="extrapolated: features + fit")
    fit_only = ComputeScaling(k=compute.k, p=compute.p)
    ax2.loglog(sizes, fit_only.predict_s(sizes), "--", label="extrapolated: fit only")
    ax2.loglog(n_meas, curve["fit_time_s"], "o", label="measured fit time")
    ax2.set_xlabel("training samples")
    ax2.set_ylabel("compute (s)")
    ax2.set_title(f"Training compute vs data (p = {compute.p:.2f})")
    ax2.legend(fontsize=8)
    return fig


def labeling_effort(
    n_clips,
    *,
    seconds_per_label: float,
    n_labelers: int,
    labels_per_clip: int = 1,
    hours_per_day: float = 6.0,
) -> dict:
    """Return the person-hours and calendar days to label `n_clips`.

    Parameters
    ----------
    n_clips : float
        Clips to label, >= 0.
    seconds_per_label : float
        Measured time for one person to label one clip (listen + decide), > 0, in s.
    n_labelers : int
        People labeling in parallel, >= 1.
    labels_per_clip : int, default=1
        Independent labels per clip (3 for majority votes and agreement).
    hours_per_day : float, default=6.0
        Productive labeling hours per person per day, in (0, 24].

    Returns
    -------
    dict
        ``label_hours`` (person-hours) and ``calendar_days``.

    Raises
    ------
    ValueError
        If a number is out of range.

    Examples
    --------
    >>> labeling_effort(3600, seconds_per_label=6, n_labelers=2, labels_per_clip=1)
    {'label_hours': 6.0, 'calendar_days': 0.5}
    """
    func = "labeling_effort"
    n = check_float(n_clips, "n_clips", low=0.0, func=func)
    s = check_float(
        seconds_per_label, "seconds_per_label", low=0.0, inclusive=(False, True), func=func
    )
    k = check_int(n_labelers, "n_labelers", min_value=1, func=func)
    m = check_int(labels_per_clip, "labels_per_clip", min_value=0, func=func)
    h = check_float(
        hours_per_day, "hours_per_day", low=0.0, high=24.0, inclusive=(False, True), func=func
    )
    hours = n * m * s / 3600.0
    return {"label_hours": hours, "calendar_days": hours / (k * h)}


def milestone_table(
    fit: PowerLawFit,
    milestones: dict,
    *,
    n_available: int,
    p95_latency_ms: float,
    latency_budget_ms: float,
    compute: ComputeScaling,
    value_per_success: float,
    mean_cost_per_error: float,
    seconds_per_label: float,
    n_labelers: int,
    labels_per_clip: int = 1,
    days_per_iteration: float = 2.0,
):
    """Build a milestone table from measurements: ML, software and business metric, resources, time.

    Parameters
    ----------
    fit : PowerLawFit
        Learning curve of the quick model (:func:`fit_power_law`).
    milestones : dict of str to float
        Milestone name to its target accuracy in (0, 1), in order.
    n_available : int
        Labeled training clips already available.
    p95_latency_ms, latency_budget_ms : float
        Measured p95 latency per request and the product's budget, in ms.
    compute : ComputeScaling
        From :func:`fit_compute_scaling`.
    value_per_success, mean_cost_per_error : float
        Business value of a correct request and the cost of an average error (from
        :func:`business_metrics`), >= 0.
    seconds_per_label : float
        Measured labeling time per clip, in s.
    n_labelers : int
        People labeling in parallel.
    labels_per_clip : int, default=1
        Labels per clip.
    days_per_iteration : float, default=2.0
        Calendar days of one train-analyse-improve iteration, added per milestone.

    Returns
    -------
    pandas.DataFrame
        One row per milestone: ``milestone``, ``ml_metric`` (target accuracy),
        ``software_metric`` (p95 latency vs budget), ``business_value_per_1000`` (at the
        target accuracy, assuming today's mix of errors), ``training_clips`` (needed, or
        "not reachable"), ``extra_clips``, ``label_hours``, ``train_compute_s`` and
        ``timeline_days`` (cumulative).

    Raises
    ------
    ValueError
        If `milestones` is empty or a number is out of range.
    """
    import pandas as pd

    if not isinstance(milestones, dict) or not milestones:
        raise ValueError(
            "The 'milestones' parameter of milestone_table must be a non-empty dict of "
            f"name -> target accuracy. Got {milestones!r} instead."
        )
    n_available = check_int(n_available, "n_available", min_value=0, func="milestone_table")
    budget = check_float(latency_budget_ms, "latency_budget_ms", low=0.0, func="milestone_table")
    p95 = check_float(p95_latency_ms, "p95_latency_ms", low=0.0, func="milestone_table")
    value = _check_cost(value_per_success, "value_per_success")
    err_cost = _check_cost(mean_cost_per_error, "mean_cost_per_error")
    rows, elapsed = [], 0.0
    for name, target in milestones.items():
        target = check_float(
            target,
            f"milestones[{name!r}]",
            low=0,
            high=1,
            inclusive=(False, False),
            func="milestone_table",
        )
        n_point = float(_n_for_error(fit.a, fit.b, fit.c, 1.0 - target))
        ok = n_point <= 1e9
        n_need = max(math.ceil(n_point), 1) if ok else None
        extra = max(0, n_need - n_available) if ok else None
        effort = labeling_effort(
            extra or 0,
            seconds_per_label=seconds_per_label,
            n_labelers=n_labelers,
            labels_per_clip=labels_per_clip,
        )
        elapsed += days_per_iteration + effort["calendar_days"]
        rows.append(
            {
                "milestone": name,
                "ml_metric": f"accuracy >= {target:.3f}",
                "software_metric": f"p95 {p95:.1f} ms (budget {budget:.0f} ms: "
                f"{'ok' if p95 <= budget else 'over'})",
                "business_value_per_1000": round(
                    1000 * (value * target - err_cost * (1 - target)), 1
                ),
                "training_clips": n_need if ok else NOT_REACHABLE,
                "extra_clips": extra if ok else NOT_REACHABLE,
                "label_hours": round(effort["label_hours"], 1) if ok else math.nan,
                "train_compute_s": round(float(compute.predict_s(n_need)), 2) if ok else math.nan,
                "timeline_days": round(elapsed, 1) if ok else math.nan,
            }
        )
        if not ok:
            elapsed = math.nan
    return pd.DataFrame(rows)


def sourcing_table(
    n_needed: float,
    *,
    n_available: int,
    seconds_per_label: float,
    n_labelers: int,
    sources: dict | None = None,
    hours_per_day: float = 6.0,
):
    """Compare data sources: cost, time and volume to double the data and to reach the target.

    Parameters
    ----------
    n_needed : float
        Training clips the learning curve needs for the target (``math.inf`` when not
        reachable: only the doubling columns are filled).
    n_available : int
        Labeled clips already available (the bundled corpus), >= 1.
    seconds_per_label : float
        Measured labeling time per clip per person, in s.
    n_labelers : int
        People labeling in parallel (used for sources without their own ``workers``).
    sources : dict, optional
        Source name to its spec (see :data:`DEFAULT_SOURCES`); default that dict.
    hours_per_day : float, default=6.0
        Productive hours per person per day.

    Returns
    -------
    pandas.DataFrame
        One row per source: ``source``, ``max_clips``, ``days_to_double`` and
        ``cost_to_double_usd`` (for ``n_available`` more clips: the next learning-curve
        point), ``extra_clips_for_target``, ``days_to_target``, ``cost_to_target_usd``
        (NaN when the source cannot supply them), ``note``.

    Raises
    ------
    ValueError
        If a number is out of range or a source spec lacks a key.

    Notes
    -----
    Days = setup days + recording time + labeling time (from the throughput), one person
    per worker, `hours_per_day` per day.
    """
    import pandas as pd

    n_available = check_int(n_available, "n_available", min_value=1, func="sourcing_table")
    n_needed = check_float(n_needed, "n_needed", low=0.0, func="sourcing_table")
    sources = DEFAULT_SOURCES if sources is None else sources
    required = {
        "cost_per_clip_usd",
        "setup_days",
        "max_clips",
        "labels_per_clip",
        "record_s_per_clip",
    }
    gap = max(0.0, n_needed - n_available)
    rows = []
    for name, spec in sources.items():
        missing = required - set(spec)
        if missing:
            raise ValueError(
                f"Source {name!r} of sourcing_table lacks {sorted(missing)}; see DEFAULT_SOURCES."
            )
        workers = int(spec.get("workers", n_labelers))
        cap = n_available if spec["max_clips"] is None else int(spec["max_clips"])
        existing = spec["max_clips"] is None

        def days_cost(n, spec=spec, workers=workers):
            effort = labeling_effort(
                n,
                seconds_per_label=seconds_per_label,
                n_labelers=workers,
                labels_per_clip=int(spec["labels_per_clip"]),
                hours_per_day=hours_per_day,
            )
            record_days = n * spec["record_s_per_clip"] / 3600.0 / (workers * hours_per_day)
            days = spec["setup_days"] + effort["calendar_days"] + record_days
            return days, n * spec["cost_per_clip_usd"]

        if existing:
            d2 = c2 = math.nan
            extra = 0.0 if gap == 0 else math.nan
            dt, ct = (0.0, 0.0) if gap == 0 else (math.nan, math.nan)
        else:
            d2, c2 = days_cost(n_available) if cap >= n_available else (math.nan, math.nan)
            extra = math.ceil(gap) if np.isfinite(gap) else math.nan
            dt, ct = days_cost(gap) if np.isfinite(gap) and gap <= cap else (math.nan, math.nan)
        rows.append(
            {
                "source": name,
                "max_clips": cap,
                "days_to_double": d2,
                "cost_to_double_usd": c2,
                "extra_clips_for_target": extra,
                "days_to_target": dt,
                "cost_to_target_usd": ct,
                "note": spec.get("note", ""),
            }
        )
    return pd.DataFrame(rows)


def sourcing_recommendation(
    table, *, data_estimate: DataEstimate, days_to_first_model: float
) -> str:
    """Write the course's sourcing plan as markdown: get into the iteration loop fast.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sourcing_table`.
    data_estimate : DataEstimate
        From :func:`data_needed_for_target`.
    days_to_first_model : float
        Measured or planned days until the first model trains on the available data.

    Returns
    -------
    str
        A markdown paragraph.

    Notes
    -----
    Ng, "Machine Learning in Production" (DeepLearning.AI), week 3: "get into this
    iteration loop as quickly as possible"; ask "how long would it take to obtain m
    examples?" rather than spending 30 days collecting data up front.
    """
    days_to_first_model = check_float(
        days_to_first_model, "days_to_first_model", low=0.0, func="sourcing_recommendation"
    )
    grow = table.dropna(subset=["days_to_double"])
    fastest = grow.loc[grow["days_to_double"].idxmin()] if len(grow) else None
    lines = [
        f"**Plan.** Train on the data you have now: first model in about "
        f"{days_to_first_model:.1f} day(s), then iterate train -> error analysis -> improve.",
    ]
    if fastest is not None:
        lines.append(
            f"When error analysis says more data helps, the quickest next chunk is "
            f"**{fastest['source']}** (double the data in ~{fastest['days_to_double']:.1f} days, "
            f"USD {fastest['cost_to_double_usd']:,.0f}); measure the learning curve again before "
            "buying more."
        )
    if data_estimate.reachable:
        reach = table.dropna(subset=["days_to_target"])
        if len(reach):
            best = reach.loc[reach["days_to_target"].idxmin()]
            lines.append(
                f"Collecting everything the target needs up front would take "
                f"{best['days_to_target']:.0f}+ days ({best['source']}), and the estimate "
                "itself is an extrapolation: do it in steps instead."
            )
    else:
        lines.append(
            "The target is not reachable by more data of the same kind (see the learning curve): "
            "spend the first iterations on the model, the features and label quality."
        )
    return " ".join(lines)
