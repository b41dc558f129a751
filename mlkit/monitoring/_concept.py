"""Concept drift from the labelled error stream: river's ADWIN and DDM.

Serves the notebook section "Concept drift from the labelled error stream".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlkit._validation import check_float, check_one_of
from mlkit.monitoring._markers import _alert_legend_handle, _mark_alerts
from mlkit.monitoring._stream import _colour

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "concept_drift_alerts",
    "detect_concept_drift",
    "plot_concept_drift",
]


def detect_concept_drift(
    errors, *, detector: str = "adwin", rising_only: bool = True, **params
) -> np.ndarray:
    """Return the positions where a river drift detector flags a change in an error stream.

    Parameters
    ----------
    errors : array-like of shape (n_labelled,)
        0/1 per labelled prediction (1 = wrong), in the order labels arrived.
    detector : {"adwin", "ddm"}, default="adwin"
        :class:`river.drift.ADWIN` (adaptive windowing, Bifet & Gavalda 2007; any numeric
        stream) or :class:`river.drift.binary.DDM` (drift detection method, Gama et al. 2004;
        a 0/1 error stream).
    rising_only : bool, default=True
        Report only changes that raise the error rate: a model that improves is not an
        incident. ADWIN reports changes both ways; a detection counts as rising when the
        detector's error-rate estimate after it is above the estimate before it. DDM only
        ever reports rises.
    **params
        Passed to the detector, for example ``delta=0.002`` (ADWIN, in (0, 1)) or
        ``drift_threshold=3.0`` (DDM).

    Returns
    -------
    ndarray of int
        Positions in `errors` at which the detector reported a drift (after each report the
        detector adapts and keeps watching).

    Raises
    ------
    ValueError
        If `detector` is unknown, `errors` is not 0/1, or ADWIN's `delta` is outside (0, 1)
        (``delta=0`` would never fire).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> stream = np.r_[rng.random(1000) < 0.1, rng.random(1000) < 0.5].astype(int)
    >>> hits = detect_concept_drift(stream)
    >>> bool(1000 <= hits[0] < 1200)
    True
    >>> detect_concept_drift(stream[::-1]).size  # the error rate falls: no alert
    0
    """
    from river import drift

    check_one_of(detector, "detector", {"adwin", "ddm"}, func="detect_concept_drift")
    e = np.asarray(errors, dtype=np.float64).ravel()
    if e.size and not np.isin(e, (0.0, 1.0)).all():
        raise ValueError(
            "The 'errors' parameter of detect_concept_drift must hold 0/1 values "
            "(1 = wrong prediction). Got other values."
        )
    if detector == "adwin" and "delta" in params:
        params["delta"] = check_float(
            params["delta"], "delta", low=0.0, high=1.0, inclusive=(False, False),
            func="detect_concept_drift",
        )  # fmt: skip
    det = drift.ADWIN(**params) if detector == "adwin" else drift.binary.DDM(**params)
    hits = []
    for i, x in enumerate(e):
        before = det.estimation if detector == "adwin" else None
        det.update(int(x) if detector == "ddm" else float(x))
        if det.drift_detected:
            if rising_only and detector == "adwin" and det.estimation <= before:
                continue  # the error rate fell: the model got better, not worse
            hits.append(i)
    return np.asarray(hits, dtype=np.int64)


def concept_drift_alerts(
    served: pd.DataFrame, *, detector: str = "adwin", rule: str | None = None, **params
) -> pd.DataFrame:
    """Run a drift detector on a stream's labelled errors; return its alerts as table rows.

    Parameters
    ----------
    served : pandas.DataFrame
        From :func:`serve_requests`; uses the labelled, answered requests in the order their
        labels arrive (``label_day``, then arrival).
    detector : {"adwin", "ddm"}, default="adwin"
        See :func:`detect_concept_drift`.
    rule : str or None, default=None
        Name for the alert rows; ``"<detector>_errors"`` when None.
    **params
        Passed to the river detector.

    Returns
    -------
    pandas.DataFrame
        Rows like :func:`evaluate_alerts` (node ``"labels"``, severity ``"critical"``,
        ``alert_day`` = the day the label that tipped the detector arrived, ``value`` = the
        error rate of the 100 labels before it).
    """
    import pandas as pd

    lab = served[served["labelled"] & served["correct"].notna()]
    lab = lab.sort_values("label_day", kind="stable")
    errors = 1.0 - lab["correct"].to_numpy(dtype=float)
    hits = detect_concept_drift(errors, detector=detector, **params)
    days = lab["label_day"].to_numpy()[hits].astype(float)
    recent = [float(errors[max(0, i - 99) : i + 1].mean()) for i in hits]
    return pd.DataFrame(
        {
            "rule": rule or f"{detector}_errors",
            "node": "labels",
            "metric": "error",
            "severity": "critical",
            "window_days": 0,
            "day_end": days,
            "alert_day": days,
            "value": recent,
        }
    )


def plot_concept_drift(served: dict, detections: dict, events: dict, *, window: int = 100):
    """Plot the labelled error rate (rolling mean, in label-arrival order) with detections.

    Parameters
    ----------
    served : dict of str to pandas.DataFrame
        Stream -> served requests.
    detections : dict of str to array-like of float
        Stream -> days on which the detector fired.
    events : dict of str to StreamEvent or None
        Stream -> event (onsets drawn dotted).
    window : int, default=100
        Rolling window over labelled requests for the plotted error rate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 3.8))
    top = 0.0
    for i, (stream, s) in enumerate(served.items()):
        lab = s[s["labelled"] & s["correct"].notna()].sort_values("label_day", kind="stable")
        err = 1.0 - lab["correct"].to_numpy(dtype=float)
        day = lab["label_day"].to_numpy()
        # Spread the labels that arrive on day d evenly over (d - 1, d]: the day's last label
        # sits on x = d, as a window's value sits on its last day in every monitoring figure.
        _, first, count = np.unique(day, return_index=True, return_counts=True)
        within = np.arange(day.size) - np.repeat(first, count)
        x = day - 1 + (within + 1) / np.repeat(count, count)
        roll = np.convolve(err, np.ones(window) / window, mode="valid")
        ax.plot(x[window - 1 :], roll, color=_colour(stream, i), lw=1.4, label=stream)
        top = max(top, float(roll.max()) if roll.size else 0.0)
        hits = list(detections.get(stream, []))
        ev = events.get(stream)
        if ev is not None:
            ax.axvline(ev.onset_day, color=_colour(stream, i), ls=":", lw=1.5)
        if hits:
            _mark_alerts(ax, hits, colour=_colour(stream, i), level=i)
    _alert_legend_handle(ax)
    ax.set_ylim(0, max(0.5, 1.25 * top) * 1.4)  # room for the alert strip at the top
    ax.set_xlabel("day the label arrived")
    ax.set_ylabel(f"error rate (last {window} labels)")
    ax.grid(alpha=0.3)
    ax.legend(ncol=5, fontsize=9, loc="upper left")
    ax.set_title(
        "Labelled error stream; dotted: true onset; black-edged triangle at the top: the "
        "detector fired (x = the day the tipping label arrived)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
