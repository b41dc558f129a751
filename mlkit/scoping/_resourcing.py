"""Milestones and resourcing: training time, inference latency, compute scaling, label effort.

Serves the notebook section "Milestones and resourcing: measure time, do not guess it".
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from mlkit._validation import check_float, check_int, check_same_length
from mlkit.scoping._checks import _as_1d_float, _check_cost
from mlkit.scoping._curve import PowerLawFit
from mlkit.scoping._data_needed import NOT_REACHABLE, _n_for_error

__all__ = [
    "ComputeScaling",
    "time_requests",
    "latency_percentiles",
    "fit_compute_scaling",
    "plot_resources",
    "labeling_effort",
    "milestone_table",
    "time_inference",
    "milestone_targets",
    "describe_compute",
]


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
    """Compute time ``seconds(n) = per_sample_s * n + overhead_s + k * n**p`` for n samples.

    Attributes
    ----------
    k, p : float
        Scale and exponent of the model-fit time (a log-log least-squares fit); NaN when the
        measured fit times do not rise above their noise (`rises` is False).
    per_sample_s : float
        Time per sample that grows linearly (feature extraction), in s.
    overhead_s : float, default=0.0
        Fixed time per fit that does not grow with n (setup, solver start), in s.
    slope, slope_ci_low, slope_ci_high : float, default=nan
        Measured slope of log fit time against log size and its 95 % interval (Student t on
        the regression's standard error); NaN when not measured.
    rises : bool, default=True
        Whether the fit times rise above their noise (``slope_ci_low > 0``); only then is
        training compute extrapolated.
    """

    k: float
    p: float
    per_sample_s: float = 0.0
    overhead_s: float = 0.0
    slope: float = math.nan
    slope_ci_low: float = math.nan
    slope_ci_high: float = math.nan
    rises: bool = True

    def predict_s(self, n):
        """Return the predicted compute time in s at size(s) `n` (NaN when not `rises`)."""
        n = np.asarray(n, dtype=np.float64)
        if not self.rises:
            return np.full_like(n, np.nan)
        return self.per_sample_s * n + self.overhead_s + self.k * np.power(n, self.p)

    def predict_features_s(self, n):
        """Return the feature-extraction time alone in s at size(s) `n` (measured per sample)."""
        return self.per_sample_s * np.asarray(n, dtype=np.float64)


def fit_compute_scaling(
    n_samples, fit_time_s, *, per_sample_s: float = 0.0, min_exponent: float = 1.0
) -> ComputeScaling:
    """Fit ``fit_time_s = overhead_s + k * n**p``, if the times rise above their noise.

    Parameters
    ----------
    n_samples : array-like of shape (n_points,)
        Training-set sizes (positive, at least 2 distinct).
    fit_time_s : array-like of shape (n_points,)
        Measured fit times in s (positive).
    per_sample_s : float, default=0.0
        Extra time per sample added linearly (for example feature extraction), in s, >= 0.
    min_exponent : float, default=1.0
        Floor of the exponent ``p``. A training pass reads every sample, so compute grows at
        least linearly; flatter measured curves on small data are fixed overhead and solver
        noise. With ``p`` fixed, ``fit_time_s = overhead_s + k * n**p`` is fitted by
        non-negative least squares (:func:`scipy.optimize.nnls`), so the fixed overhead is
        not scaled up with the data.

    Returns
    -------
    ComputeScaling
        With the slope of log time against log size, its 95 % interval and `rises`: only
        when the interval lies above 0 (the times grow with the data more than their scatter
        explains) are ``k`` and ``p`` fitted; otherwise they are NaN and ``predict_s`` gives
        NaN: timings that do not rise above their noise say nothing about larger data.

    Raises
    ------
    ValueError
        If sizes or times are not positive, lengths differ, or fewer than 2 distinct sizes.

    Notes
    -----
    The trend test is the t test of a least-squares slope (:func:`scipy.stats.linregress`,
    ``n_points - 2`` degrees of freedom); with 2 points it cannot be tested and counts as
    not rising.

    Examples
    --------
    >>> s = fit_compute_scaling([100, 1000, 10000], [0.01, 0.1, 1.0])
    >>> round(s.p, 3), round(float(s.predict_s(100000)), 3), s.rises
    (1.0, 10.0, True)
    >>> flat = fit_compute_scaling([20, 40, 80, 160], [0.08, 0.07, 0.09, 0.08])
    >>> flat.rises, float(flat.predict_s(1000))
    (False, nan)
    """
    from scipy import stats

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
    log_n, log_t = np.log(n), np.log(t)
    if n.size < 3:
        slope = float(np.polyfit(log_n, log_t, 1)[0])
        ci = (math.nan, math.nan)
    else:
        reg = stats.linregress(log_n, log_t)
        slope = float(reg.slope)
        half = float(stats.t.ppf(0.975, n.size - 2) * reg.stderr)
        ci = (slope - half, slope + half)
    rises = bool(ci[0] > 0)
    if not rises:
        return ComputeScaling(
            k=math.nan,
            p=math.nan,
            per_sample_s=per,
            slope=slope,
            slope_ci_low=ci[0],
            slope_ci_high=ci[1],
            rises=False,
        )
    from scipy.optimize import nnls

    # Fixed overhead + growing part, both >= 0: the overhead must not be scaled up with n.
    p = max(slope, floor)
    (overhead, k), _ = nnls(np.column_stack([np.ones_like(n), n**p]), t)
    return ComputeScaling(
        k=float(k),
        p=float(p),
        per_sample_s=per,
        overhead_s=float(overhead),
        slope=slope,
        slope_ci_low=ci[0],
        slope_ci_high=ci[1],
        rises=True,
    )


def describe_compute(compute: ComputeScaling, curve, *, n_clips: float = 100_000) -> str:
    """Say whether training compute can be extrapolated from the measured fit times, and to what.

    Parameters
    ----------
    compute : ComputeScaling
        From :func:`fit_compute_scaling`.
    curve : pandas.DataFrame
        From :func:`learning_curve_table` (``n_samples``, ``fit_time_s``): the measured points.
    n_clips : float, default=100_000
        Training-set size to extrapolate to, > 0.

    Returns
    -------
    str
        One markdown paragraph: the measured range, the slope of log time against log size
        with its 95 % interval, and either the extrapolated compute at `n_clips` or why there
        is none (the times do not rise above their noise), with the feature time alone.

    Raises
    ------
    TypeError
        If `compute` is not a :class:`ComputeScaling`.
    ValueError
        If `n_clips` is not positive.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"n_samples": [20, 40, 80, 160], "fit_time_s": [0.08, 0.07, 0.09, 0.08]})
    >>> text = describe_compute(fit_compute_scaling(curve["n_samples"], curve["fit_time_s"]), curve)
    >>> "not extrapolated" in text
    True
    """
    if not isinstance(compute, ComputeScaling):
        raise TypeError(
            "The 'compute' parameter of describe_compute must be a ComputeScaling (from "
            f"fit_compute_scaling). Got {type(compute).__name__} instead."
        )
    n_clips = check_float(
        n_clips, "n_clips", low=0.0, inclusive=(False, True), func="describe_compute"
    )
    n_meas = curve["n_samples"].to_numpy(dtype=float)
    t_meas = curve["fit_time_s"].to_numpy(dtype=float)
    measured = (
        f"Fit times measured from {n_meas.min():,.0f} to {n_meas.max():,.0f} training clips: "
        f"{t_meas.min():.3f} to {t_meas.max():.3f} s"
    )
    if math.isnan(compute.slope_ci_low):
        trend = f"slope of log time vs log size {compute.slope:.2f} (too few points to test)"
    else:
        trend = (
            f"slope of log time vs log size {compute.slope:.2f} (95% interval "
            f"{compute.slope_ci_low:.2f} to {compute.slope_ci_high:.2f})"
        )
    features_min = float(compute.predict_features_s(n_clips)) / 60
    if compute.rises:
        total_min = float(compute.predict_s(n_clips)) / 60
        return (
            f"{measured}; {trend}: the times rise above their noise, so training compute is "
            f"extrapolated as `{compute.overhead_s:.3f} s + {compute.k:.3g} s · n^{compute.p:.2f}` "
            f"plus features: about **{total_min:.1f} min** for "
            f"{n_clips:,.0f} clips (features {features_min:.1f} min of it). An extrapolation "
            f"{n_clips / n_meas.max():.0f}x beyond the data: re-measure as the data grows."
        )
    return (
        f"{measured}; {trend}: the times do **not** rise above their noise (fixed overhead and "
        "timing jitter dominate at these sizes), so training compute is **not extrapolated**. "
        f"Feature extraction alone, measured per clip, would take about {features_min:.1f} min "
        f"for {n_clips:,.0f} clips; time a fit on a few thousand clips before budgeting compute."
    )


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
    if compute.rises:
        ax2.loglog(sizes, compute.predict_s(sizes), label="extrapolated: features + fit")
        fit_only = ComputeScaling(k=compute.k, p=compute.p, overhead_s=compute.overhead_s)
        ax2.loglog(sizes, fit_only.predict_s(sizes), "--", label="extrapolated: fit only")
        ax2.set_title(f"Training compute vs data (p = {compute.p:.2f})")
    else:
        ax2.loglog(sizes, compute.predict_features_s(sizes), ":", label="features alone (per clip)")
        ax2.set_title("Fit times flat within noise: not extrapolated")
    ax2.loglog(n_meas, curve["fit_time_s"], "o", label="measured fit time")
    ax2.set_xlabel("training samples")
    ax2.set_ylabel("compute (s)")
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
        "not reachable"), ``extra_clips``, ``label_hours``, ``train_compute_s`` (NaN
        when `compute` does not rise above its noise) and ``timeline_days`` (cumulative).

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
                "train_compute_s": round(float(compute.predict_s(n_need)), 2)
                if ok and compute.rises
                else math.nan,
                "timeline_days": round(elapsed, 1) if ok else math.nan,
            }
        )
        if not ok:
            elapsed = math.nan
    return pd.DataFrame(rows)


def time_inference(
    model, clips, *, sample_rate_hz: int, n_requests: int = 200, n_feature_requests: int = 50
):
    """Time single requests as production sees them: one clip in, MFCC features, prediction.

    Parameters
    ----------
    model : fitted sklearn estimator
        Predicts from :func:`mlkit.features.mfcc_features` rows.
    clips : sequence of ndarray of shape (n_samples_audio,)
        Audio clips; requests cycle through them in order.
    sample_rate_hz : int
        Sample rate of the clips, in Hz.
    n_requests : int, default=200
        Requests timed end to end (features + prediction), >= 1.
    n_feature_requests : int, default=50
        The first requests timed again for feature extraction alone, >= 1.

    Returns
    -------
    latency_ms : ndarray of shape (n_requests,)
        Wall time of each request (features + prediction), in ms.
    feature_ms : ndarray of shape (min(n_feature_requests, n_requests),)
        Wall time of feature extraction alone, in ms.

    Raises
    ------
    ValueError
        If `clips` is empty or a count is below 1.

    See Also
    --------
    time_requests : the timer (5 untimed warm-up calls first).

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from mlkit.features import mfcc_features
    >>> clips = [np.sin(np.arange(4000) * f) for f in (0.1, 0.2)]
    >>> model = DummyClassifier().fit(mfcc_features(clips, sample_rate_hz=8000), [0, 1])
    >>> latency_ms, feature_ms = time_inference(model, clips, sample_rate_hz=8000, n_requests=10)
    >>> latency_ms.shape, feature_ms.shape
    ((10,), (10,))
    """
    from mlkit.features import mfcc_features

    func = "time_inference"
    clips = list(clips)
    if not clips:
        raise ValueError(f"The 'clips' parameter of {func} must not be empty.")
    n_requests = check_int(n_requests, "n_requests", min_value=1, func=func)
    n_feature_requests = check_int(n_feature_requests, "n_feature_requests", min_value=1, func=func)
    requests = [clips[i % len(clips)] for i in range(n_requests)]

    def featurize(clip):
        return mfcc_features([clip], sample_rate_hz=sample_rate_hz)

    latency_ms = time_requests(lambda clip: model.predict(featurize(clip)), requests)
    feature_ms = time_requests(featurize, requests[:n_feature_requests])
    return latency_ms, feature_ms


def milestone_targets(accuracy: float, target_accuracy: float, *, decimals: int = 3) -> dict:
    """Return the course's three milestones: today's accuracy, halfway, and the target.

    Parameters
    ----------
    accuracy : float
        Accuracy measured today (the quick model on unseen speakers), in [0, 1].
    target_accuracy : float
        Accuracy the product needs, in (0, 1).
    decimals : int, default=3
        Rounding of the first two milestones (the target is kept as given).

    Returns
    -------
    dict of str to float
        ``"M1 proof of concept (today)"``, ``"M2 pilot"`` (the mean of the two) and
        ``"M3 production"``, in order: the `milestones` of :func:`milestone_table`. When the
        target is at or below today's accuracy (already met), no milestone may be easier
        than today: ``"M2 pilot (confirm today's accuracy)"`` and ``"M3 production (hold
        today's accuracy)"`` both ask for today's accuracy.

    Raises
    ------
    ValueError
        If an accuracy is out of range.

    Examples
    --------
    >>> milestone_targets(0.8634, 0.95)
    {'M1 proof of concept (today)': 0.863, 'M2 pilot': 0.907, 'M3 production': 0.95}
    >>> list(milestone_targets(0.8634, 0.85).values())
    [0.863, 0.863, 0.863]
    """
    func = "milestone_targets"
    accuracy = check_float(accuracy, "accuracy", low=0.0, high=1.0, func=func)
    target = check_float(
        target_accuracy, "target_accuracy", low=0, high=1, inclusive=(False, False), func=func
    )
    decimals = check_int(decimals, "decimals", min_value=0, func=func)
    today = round(accuracy, decimals)
    if target <= accuracy:
        return {
            "M1 proof of concept (today)": today,
            "M2 pilot (confirm today's accuracy)": today,
            "M3 production (hold today's accuracy)": today,
        }
    return {
        "M1 proof of concept (today)": today,
        "M2 pilot": round((accuracy + target) / 2, decimals),
        "M3 production": target_accuracy,
    }
