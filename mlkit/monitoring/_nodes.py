"""Pipeline monitoring: which node of VAD -> recognizer raised the first alert after a fault.

Serves the notebook section "Pipeline monitoring: where did it break?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlkit.monitoring._alerts import evaluate_alerts
from mlkit.monitoring._markers import ALERT_LABEL, _mark_alerts
from mlkit.monitoring._stream import _colour

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["describe_pipeline_fault", "pipeline_fault_delays", "plot_pipeline_nodes"]


def _order(upstream_delay, downstream_delay) -> str:
    if upstream_delay < downstream_delay:
        return "before"
    return "on the same day as" if upstream_delay == downstream_delay else "after"


def plot_pipeline_nodes(table: pd.DataFrame, rules, *, onset_day: int, title: str | None = None):
    """Plot per-node metrics of the two-stage pipeline with their rules and alert days.

    Parameters
    ----------
    table : pandas.DataFrame
        Per-window metrics of one stream (:func:`window_metrics`).
    rules : sequence of AlertRule
        One or more rules per node; each gets a panel (threshold dashed; alerts marked at their
        alert day, window end + the rule's delay, as in every monitoring figure, see
        :data:`ALERT_CONVENTION`).
    onset_day : int
        True onset of the fault.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(rules), figsize=(4.2 * len(rules), 3.2), sharex=True, squeeze=False
    )
    alerts = evaluate_alerts(table, rules)
    x = table["day_end"].to_numpy(dtype=float)
    for ax, rule in zip(axes[0], rules, strict=True):
        ax.plot(x, table[rule.metric], marker="o", ms=2.5, color=_colour("pipeline_fault", 0))
        ax.axhline(rule.threshold, color="red", ls="--", lw=1)
        ax.axvline(onset_day, color="k", ls=":", lw=1.5, label="onset")
        days = alerts.loc[alerts["rule"] == rule.name, "alert_day"].to_numpy(dtype=float)
        if days.size:
            label = f"{ALERT_LABEL}; first +{days[0] - onset_day:g} d"
            _mark_alerts(ax, days, colour=_colour("pipeline_fault", 0), label=label)
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi + 0.35 * (hi - lo))  # room for the alert strip at the top
        ax.set_title(f"{rule.node}: {rule.metric}", fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    return fig


def pipeline_fault_delays(
    alerts: pd.DataFrame,
    rules,
    *,
    onset_day: int,
    vad_rule: str = "vad_kept_low",
    accuracy_rule: str = "accuracy_low",
    recognizer_node: str = "recognizer",
) -> dict:
    """Return how many days after a fault's onset each pipeline node first alerted.

    Parameters
    ----------
    alerts : pandas.DataFrame
        The fault stream's alerts (``rule``, ``alert_day``), for example from
        :func:`stream_alerts`.
    rules : sequence of AlertRule
        All rules; those whose ``node`` is `recognizer_node` count as recognizer alerts.
    onset_day : int
        True onset of the fault (0-based day).
    vad_rule : str, default="vad_kept_low"
        The VAD node's rule.
    accuracy_rule : str, default="accuracy_low"
        The label-delayed accuracy rule.
    recognizer_node : str, default="recognizer"
        Node of the recognizer's rules.

    Returns
    -------
    dict
        ``"vad_node"`` and ``"accuracy"``: delay in days of the first alert of `vad_rule` and
        `accuracy_rule` (NaN: never); ``"recognizer"``: delay of the earliest recognizer
        alert (inf: never) and ``"recognizer_rule"``: its rule (``"none"``: never).

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.monitoring import AlertRule
    >>> rules = [AlertRule("vad_kept_low", "vad_kept_fraction", 0.9, "below", node="vad"),
    ...          AlertRule("confidence_low", "confidence", 0.6, "below")]
    >>> a = pd.DataFrame({"rule": ["confidence_low", "vad_kept_low"], "alert_day": [16.0, 15.0]})
    >>> d = pipeline_fault_delays(a, rules, onset_day=14)
    >>> float(d["vad_node"]), float(d["recognizer"]), d["recognizer_rule"]
    (1.0, 2.0, 'confidence_low')
    """
    first = alerts.groupby("rule")["alert_day"].min() - onset_day
    recognizer = [r.name for r in rules if r.node == recognizer_node]
    rec = first[first.index.isin(recognizer)].sort_values()
    return {
        "vad_node": first.get(vad_rule, np.nan),
        "accuracy": first.get(accuracy_rule, np.nan),
        "recognizer": rec.iloc[0] if len(rec) else np.inf,
        "recognizer_rule": rec.index[0] if len(rec) else "none",
    }


def describe_pipeline_fault(delays: dict) -> str:
    """Say, as Markdown, whether the VAD node alerted before the recognizer's first alert.

    Parameters
    ----------
    delays : dict
        From :func:`pipeline_fault_delays`.

    Returns
    -------
    str
        The VAD node's delay, whether it came before, on the same day as or after the
        earliest recognizer alert (and which rule that was), and the accuracy alarm's delay.

    Examples
    --------
    >>> d = {"vad_node": 1.0, "accuracy": 3.0, "recognizer": 2.0,
    ...      "recognizer_rule": "confidence_low"}
    >>> print(describe_pipeline_fault(d))
    VAD node alert after **1** day(s), before the earliest recognizer alert \
(`confidence_low`, after **2** day(s)); accuracy alarm after 3 day(s).
    """
    vad, rec, acc = delays["vad_node"], delays["recognizer"], delays["accuracy"]
    text = f"VAD node alert after **{vad:g}** day(s), {_order(vad, rec)} the earliest recognizer alert "
    if np.isfinite(rec):
        text += f"(`{delays['recognizer_rule']}`, after **{rec:g}** day(s))"
    else:
        text += "(no recognizer rule fired)"
    if np.isfinite(acc):
        return text + f"; accuracy alarm after {acc:g} day(s)."
    return text + "; no accuracy alarm."
