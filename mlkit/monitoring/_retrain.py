"""Back to the start of the loop: retrain on new labelled data, redeploy, re-baseline the monitor.

Serves the notebook section "Back to the start of the loop: retrain, redeploy, re-baseline".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlkit._validation import check_float, check_random_state
from mlkit.monitoring._dashboards import window_metrics
from mlkit.monitoring._drift import DriftMonitor
from mlkit.monitoring._pipeline import speech_training_set
from mlkit.monitoring._stream import NEW_MICROPHONE_MIX, answered_requests

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RETRAIN_PANELS",
    "RETRAIN_RULES",
    "accuracy_by_phase",
    "describe_retrain",
    "loop_tables",
    "rebaseline",
    "retrain_gain",
    "retrain_model",
]

RETRAIN_PANELS = (
    ("accuracy", "accuracy on labelled requests"),
    ("confidence", "mean confidence"),
    ("reject_rate", '"unknown" (reject) rate'),
    ("psi_max_input", "largest input PSI"),
)
"""Panels of the retraining dashboard: (metric of :func:`window_metrics`, title with unit)."""

RETRAIN_RULES = ("accuracy_low", "confidence_low", "reject_rate_high", "input_psi")
"""The rules drawn on the retraining dashboard, one per panel of :data:`RETRAIN_PANELS`."""


def retrain_model(
    X_old,
    y_old,
    clips,
    y,
    *,
    sample_rate_hz: int,
    mix: dict = NEW_MICROPHONE_MIX,
    model: str = "logreg",
    random_state=0,
):
    """Render new labelled clips in the new conditions and fit a model on old + new rows.

    Parameters
    ----------
    X_old : ndarray of shape (n_old, n_features)
        Features the current model was trained on (:func:`speech_training_set`).
    y_old : array-like of shape (n_old,)
        Their labels.
    clips : sequence of ndarray of shape (n_samples_i,)
        Clean mono clips to record again in the new conditions (the training speakers).
    y : array-like of shape (n_clips,)
        Their labels.
    sample_rate_hz : int
        Sample rate of `clips`, in Hz.
    mix : dict of str to float, default=NEW_MICROPHONE_MIX
        Variant shares of the new recordings (keys of :data:`SPEECH_VARIANTS`).
    model : str, default="logreg"
        Model name for :func:`mlkit.modeling.make_model`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the variant assignment and the noise of the new recordings.

    Returns
    -------
    estimator
        The new version, fitted on `X_old` stacked on the new clips' features.

    Raises
    ------
    ValueError
        If `mix` is invalid or `model` unknown.

    Examples
    --------
    >>> t = np.arange(4000) / 8000
    >>> clips = [0.5 * np.sin(2 * np.pi * (300 + 200 * d) * t) for d in range(3) for _ in range(4)]
    >>> y = [d for d in range(3) for _ in range(4)]
    >>> X_old, y_old, _ = speech_training_set(clips, y, sample_rate_hz=8000, mix={"clean": 1.0})
    >>> v2 = retrain_model(X_old, y_old, clips, y, sample_rate_hz=8000)
    >>> v2.classes_.tolist()
    [0, 1, 2]
    """
    from mlkit._models import make_model

    X_new, y_new, _ = speech_training_set(
        clips, y, sample_rate_hz=sample_rate_hz, mix=mix, random_state=random_state
    )
    return make_model(model).fit(np.vstack([X_old, X_new]), np.r_[y_old, y_new])


def rebaseline(
    monitor: DriftMonitor, served: pd.DataFrame, *, start_day: int, stop_day: int
) -> DriftMonitor:
    """Re-fit a drift monitor, same settings and features, on the new normal of some days.

    Parameters
    ----------
    monitor : DriftMonitor
        The fitted monitor whose settings (`n_bins`, `eps`, `categorical`) and features to
        keep; it is not changed.
    served : pandas.DataFrame
        Served requests (:func:`serve_requests`) with the monitor's features.
    start_day, stop_day : int
        The new reference days are ``start_day <= day < stop_day``.

    Returns
    -------
    DriftMonitor
        A new monitor fitted on the answered, non-silent requests of those days
        (:func:`answered_requests`).

    Raises
    ------
    mlkit.errors.NotFittedError
        If `monitor` is not fitted.
    ValueError
        If no request falls in the days.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"day": [0, 1, 2, 3], "error": [False] * 4, "silent": [False] * 4,
    ...                   "rms_db": [-20.0, -21.0, -19.0, -30.0]})
    >>> m = DriftMonitor(n_bins=2).fit(s[["rms_db"]])
    >>> rebaseline(m, s, start_day=1, stop_day=3).n_reference_
    2
    """
    monitor._check_fitted("rebaseline")
    answered = answered_requests(served)
    days = answered["day"]
    current = answered.loc[(days >= start_day) & (days < stop_day), monitor.features_]
    return DriftMonitor(
        n_bins=monitor.n_bins, eps=monitor.eps, categorical=monitor.categorical
    ).fit(current)


def loop_tables(
    retrained: pd.DataFrame,
    *,
    before: pd.DataFrame,
    monitor: DriftMonitor,
    monitor_v2: DriftMonitor,
    retrain_day: int,
    rebaseline_day: int,
    reference_labels=None,
    stream: str = "data_drift",
) -> dict:
    """Return the retraining dashboard's tables: v1 kept, v2 deployed, re-baselined PSI.

    Parameters
    ----------
    retrained : pandas.DataFrame
        The stream served with v2 live from `retrain_day` (:func:`serve_requests`).
    before : pandas.DataFrame
        Per-window metrics of the same stream with v1 kept (:func:`window_metrics`).
    monitor : DriftMonitor
        The original monitor (fitted on the launch traffic).
    monitor_v2 : DriftMonitor
        The monitor re-fitted on the new normal (:func:`rebaseline`).
    retrain_day : int
        First day v2 is live.
    rebaseline_day : int
        First day after the new reference period; the re-baselined PSI starts there.
    reference_labels : array-like or None, default=None
        Predicted labels of the reference period, for ``label_js`` (:func:`window_metrics`).
    stream : str, default="data_drift"
        Stream name used in the keys.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"<stream> (v1 kept)"`` -> `before`; ``"<stream> (v2 from day <retrain_day>)"`` ->
        the window metrics of `retrained` against `monitor`; ``"re-baselined PSI"`` ->
        ``day_start``, ``day_end`` and ``psi_max_input`` against `monitor_v2` from
        `rebaseline_day` on.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.monitoring import INPUT_FEATURES
    >>> rng = np.random.default_rng(0)
    >>> served = pd.DataFrame({"day": np.repeat(np.arange(4), 10), "error": False,
    ...     "silent": False, "labelled": True, "correct": 1.0, "latency_ms": 50.0,
    ...     "vad_empty": False, "confidence": 0.9, "reject": False, "y_pred": 1,
    ...     "vad_duration_s": 0.5, "vad_kept_fraction": 1.0,
    ...     **{c: rng.normal(size=40) for c in INPUT_FEATURES}})
    >>> m = DriftMonitor(n_bins=4).fit(served[list(INPUT_FEATURES)])
    >>> before = window_metrics(served, monitor=m)
    >>> tables = loop_tables(served, before=before, monitor=m, monitor_v2=m, retrain_day=2,
    ...                      rebaseline_day=3)
    >>> list(tables), tables["re-baselined PSI"]["day_start"].tolist()
    (['data_drift (v1 kept)', 'data_drift (v2 from day 2)', 're-baselined PSI'], [3])
    """
    after = retrained[retrained["day"] >= rebaseline_day]
    return {
        f"{stream} (v1 kept)": before,
        f"{stream} (v2 from day {retrain_day})": window_metrics(
            retrained, monitor=monitor, reference_labels=reference_labels
        ),
        "re-baselined PSI": window_metrics(after, monitor=monitor_v2)[
            ["day_start", "day_end", "psi_max_input"]
        ],
    }


def accuracy_by_phase(
    served: pd.DataFrame, *, onset_day: int, retrain_day: int, n_days: int
) -> dict:
    """Return the accuracy over all requests before the drift, during it, and after retraining.

    Parameters
    ----------
    served : pandas.DataFrame
        Served requests with ``day`` and ``correct`` (NaN for no answer or silence: skipped).
    onset_day : int
        First day of the drift.
    retrain_day : int
        First day the retrained version is live.
    n_days : int
        Days in the stream (the end of the last phase).

    Returns
    -------
    dict of str to float
        ``"before drift (v1)"`` (days before `onset_day`), ``"during drift (v1)"`` (from the
        onset to `retrain_day`) and ``"after retrain (v2)"`` (from `retrain_day` to
        `n_days`): the ground-truth accuracy, NaN for an empty phase.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"day": [0, 1, 2, 3], "correct": [1.0, 0.0, np.nan, 1.0]})
    >>> accuracy_by_phase(s, onset_day=1, retrain_day=2, n_days=4)
    {'before drift (v1)': 1.0, 'during drift (v1)': 0.0, 'after retrain (v2)': 1.0}
    """

    def accuracy(lo, hi):
        return float(served.loc[(served["day"] >= lo) & (served["day"] < hi), "correct"].mean())

    return {
        "before drift (v1)": accuracy(0, onset_day),
        "during drift (v1)": accuracy(onset_day, retrain_day),
        "after retrain (v2)": accuracy(retrain_day, n_days),
    }


def retrain_gain(
    served: pd.DataFrame,
    pool: pd.DataFrame,
    *,
    onset_day: int,
    retrain_day: int,
    n_days: int,
    confidence_level: float = 0.95,
    n_resamples: int = 2000,
    random_state=0,
) -> dict:
    """Return what retraining bought: accuracy gain over the drift, its interval, the share won back.

    Both phases come after the onset, so they see the same (drifted) conditions: the gain is
    ``accuracy(retrain_day <= day < n_days) - accuracy(onset_day <= day < retrain_day)``.
    Requests re-use a small pool of recorded clips, so the interval resamples **clips**, not
    requests (a cluster bootstrap: all requests of a resampled clip, in every rendering, go
    together); requests of one clip are not independent evidence.

    Parameters
    ----------
    served : pandas.DataFrame
        Served requests (:func:`serve_requests`) with ``day``, ``pool_row`` and ``correct``
        (NaN for no answer or silence: skipped).
    pool : pandas.DataFrame
        The request pool (:func:`speech_request_pool`), for the clip (``base``) of each row.
    onset_day, retrain_day, n_days : int
        First drifted day, first day of the retrained version, end of the stream.
    confidence_level : float, default=0.95
        Of the bootstrap interval, in (0, 1).
    n_resamples : int, default=2000
        Bootstrap resamples (:func:`scipy.stats.bootstrap`, BCa).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the bootstrap.

    Returns
    -------
    dict of str to float
        ``"before"``, ``"during"``, ``"after"`` (accuracy of each phase), ``"gain"``
        (after - during), ``"ci_low"``, ``"ci_high"`` (its interval over clips),
        ``"recovered_share"`` (``gain / (before - during)``: 1 = back to the pre-drift level;
        NaN when the drift cost nothing), ``"n_clips"`` (clips in both phases) and
        ``"confidence_level"``.

    Raises
    ------
    ValueError
        If a phase has no answered request or `confidence_level` is outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> pool = pd.DataFrame({"base": np.arange(20)})
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame({"day": np.repeat(np.arange(6), 20), "pool_row": np.tile(np.arange(20), 6)})
    >>> s["correct"] = np.where(s["day"].isin([2, 3]), rng.random(120) < 0.5, 1.0).astype(float)
    >>> g = retrain_gain(s, pool, onset_day=2, retrain_day=4, n_days=6)
    >>> round(g["gain"], 3), g["ci_low"] > 0, round(g["recovered_share"], 1)
    (0.425, True, 1.0)
    """
    from scipy.stats import bootstrap

    confidence_level = check_float(
        confidence_level, "confidence_level", low=0.0, high=1.0, func="retrain_gain"
    )
    ok = served["correct"].notna().to_numpy()
    day = served["day"].to_numpy()[ok]
    correct = served["correct"].to_numpy(dtype=float)[ok]
    clip = pool["base"].to_numpy()[served["pool_row"].to_numpy()[ok]]
    phases = {
        "before": (0, onset_day),
        "during": (onset_day, retrain_day),
        "after": (retrain_day, n_days),
    }
    acc, counts = {}, {}
    clips = np.unique(clip)
    for name, (lo, hi) in phases.items():
        m = (day >= lo) & (day < hi)
        if not m.any():
            raise ValueError(
                f"retrain_gain: the {name!r} phase (days {lo} to {hi - 1}) has no answered "
                "request. Check onset_day < retrain_day < n_days."
            )
        acc[name] = float(correct[m].mean())
        pos = np.searchsorted(clips, clip[m])
        counts[name] = (
            np.bincount(pos, weights=correct[m], minlength=clips.size),
            np.bincount(pos, minlength=clips.size).astype(float),
        )
    both = (counts["during"][1] > 0) & (counts["after"][1] > 0)
    data = tuple(a[both] for a in (*counts["during"], *counts["after"]))

    def gain(cd, nd, ca, na, axis=-1):
        return ca.sum(axis) / na.sum(axis) - cd.sum(axis) / nd.sum(axis)

    res = bootstrap(
        data,
        gain,
        paired=True,
        vectorized=True,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        random_state=check_random_state(random_state),
    )
    drop = acc["before"] - acc["during"]
    return {
        **acc,
        "gain": acc["after"] - acc["during"],
        "ci_low": float(res.confidence_interval.low),
        "ci_high": float(res.confidence_interval.high),
        "recovered_share": (acc["after"] - acc["during"]) / drop if drop > 0 else float("nan"),
        "n_clips": int(both.sum()),
        "confidence_level": confidence_level,
    }


def describe_retrain(gain: dict) -> str:
    """Say, as Markdown, what retraining bought, with its interval, from :func:`retrain_gain`.

    Parameters
    ----------
    gain : dict
        From :func:`retrain_gain`.

    Returns
    -------
    str
        The accuracy before, during and after, the gain with its interval (and whether the
        interval excludes 0), and how much of the drop it won back.

    Examples
    --------
    >>> g = {"before": 0.95, "during": 0.75, "after": 0.93, "gain": 0.18, "ci_low": 0.12,
    ...      "ci_high": 0.24, "recovered_share": 0.9, "n_clips": 99, "confidence_level": 0.95}
    >>> print(describe_retrain(g))  # doctest: +NORMALIZE_WHITESPACE
    Accuracy over all requests (ground truth): 0.950 before the drift (v1), 0.750 during it
    (v1), 0.930 after retraining (v2). Retraining won **+0.180** (95 % interval over the 99
    stream clips: +0.120 to +0.240, above 0), **90 %** of what the drift cost.
    """
    low, high = gain["ci_low"], gain["ci_high"]
    verdict = "above 0" if low > 0 else ("below 0" if high < 0 else "it includes 0")
    share = gain["recovered_share"]
    won = (
        "the drift cost nothing to win back"
        if not np.isfinite(share)
        else f"**{100 * share:.0f} %** of what the drift cost"
    )
    return (
        f"Accuracy over all requests (ground truth): {gain['before']:.3f} before the drift (v1), "
        f"{gain['during']:.3f} during it (v1), {gain['after']:.3f} after retraining (v2). "
        f"Retraining won **{gain['gain']:+.3f}** ({100 * gain['confidence_level']:.0f} % "
        f"interval over the {gain['n_clips']} stream clips: {low:+.3f} to {high:+.3f}, "
        f"{verdict}), {won}."
    )
