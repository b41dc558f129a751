"""Results of the monitoring notebook: the recorded metrics and the computed take-aways.

Serves the notebook section "Results". Both functions read the same numbers, so the sentence
and the checks of ``nbs_ci.yml`` cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlkit.monitoring._nodes import _order
from mlkit.monitoring._retrain import describe_retrain

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["describe_takeaways", "summary_metrics"]

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _days(delay) -> float:
    return float(delay) if np.isfinite(delay) else -1.0  # -1: never


def _vad_first(pipeline_fault: dict) -> bool:
    """Return whether the VAD node alerted before the accuracy alarm (or that never came)."""
    vad, acc = pipeline_fault["vad_node"], pipeline_fault["accuracy"]
    return bool(np.isfinite(vad) and (not np.isfinite(acc) or vad < acc))


def summary_metrics(
    summary: pd.DataFrame,
    events: dict,
    *,
    detections: dict,
    alerts: dict,
    tables: dict,
    pipeline_fault: dict,
    retrain: dict,
    report: pd.DataFrame,
) -> dict:
    """Return the metrics the monitoring notebook records, in recording order.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`alert_summary` (indexed by stream, with a ``"control"`` row).
    events : dict of str to StreamEvent or None
        Stream -> event (:func:`make_events`: ``control``, ``data_drift``,
        ``concept_drift``, ``pipeline_fault``).
    detections : dict of (str, str) to list of float
        (stream, detector) -> days the concept-drift detector fired; needs ``"adwin"``.
    alerts : dict of str to pandas.DataFrame
        Stream -> alert table (:func:`stream_alerts`).
    tables : dict of str to pandas.DataFrame
        Stream -> per-window metrics with ``psi_max_input`` (:func:`window_metrics`).
    pipeline_fault : dict
        From :func:`pipeline_fault_delays` on the pipeline-fault stream.
    retrain : dict
        From :func:`retrain_gain`.
    report : pandas.DataFrame
        From :func:`drift_report` (a ``drift`` column).

    Returns
    -------
    dict of str to object
        Name -> value for :func:`mlkit.record`: event counts, false alarms, detection delays in
        days (-1: not detected), the largest input PSI of a window on the drift and control
        streams, the concept-drift and pipeline-fault outcomes (``pipeline_fault_vad_first``:
        the VAD node alerted before the label-delayed accuracy alarm, or that alarm never
        came), the accuracy before, during and after the drift, the gain of retraining with
        its bootstrap interval and the share of the drop it won back, and the number of
        drifted columns of the report.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.monitoring import make_events
    >>> events = make_events()
    >>> summary = pd.DataFrame({"event": ["none (control)", "new_microphone", "meaning_change",
    ...     "vad_fault"], "detected": [False, True, True, False],
    ...     "delay_days": [np.nan, 1.0, 3.0, np.nan], "other_alerts": [0, 2, 0, 1],
    ...     "false_alarms": [0, 0, 0, 0]}, index=list(events))
    >>> alerts = {k: pd.DataFrame({"node": ["input"], "alert_day": [11.0]}) for k in events}
    >>> detections = {(k, "adwin"): [15.0] if k == "concept_drift" else [] for k in events}
    >>> tables = {k: pd.DataFrame({"psi_max_input": [0.05, 1.2]}) for k in events}
    >>> fault = {"vad_node": 1.0, "accuracy": np.nan, "recognizer": np.inf,
    ...          "recognizer_rule": "none"}
    >>> retrain = {"before": 0.95, "during": 0.75, "after": 0.93, "gain": 0.18,
    ...            "ci_low": 0.12, "ci_high": 0.24, "recovered_share": 0.9}
    >>> m = summary_metrics(summary, events, detections=detections, alerts=alerts,
    ...     tables=tables, pipeline_fault=fault, retrain=retrain,
    ...     report=pd.DataFrame({"drift": [True, False]}))
    >>> m["events_detected"], m["detection_delay_days_vad_fault"], m["concept_drift_delay_days_adwin"]
    (2, -1.0, 3.0)
    >>> m["pipeline_fault_vad_first"], m["retrain_gain_ci_low"]
    (True, 0.12)
    """
    real = [k for k in events if events[k] is not None]
    detected = summary.loc[real]
    adwin_days = {
        k: [d for d in detections[(k, "adwin")] if events[k] is None or d >= events[k].onset_day]
        for k in events
    }
    concept = adwin_days["concept_drift"]
    out = {
        "events_total": len(detected),
        "events_detected": int(detected["detected"].sum()),
        "false_alarms_control": int(summary.loc["control", "false_alarms"]),
        "false_alarms_before_onset": int(detected["false_alarms"].sum()),
        "other_alerts_after_onset": int(detected["other_alerts"].sum()),
    }
    for event, delay in zip(detected["event"], detected["delay_days"], strict=True):
        out[f"detection_delay_days_{event}"] = _days(delay)
    for key, stream in (("drift", "data_drift"), ("control", "control")):
        out[f"psi_max_{key}_window"] = round(float(tables[stream]["psi_max_input"].max()), 4)
    out["concept_drift_detected"] = bool(concept) and not detections[("control", "adwin")]
    out["concept_drift_delay_days_adwin"] = (
        float(concept[0] - events["concept_drift"].onset_day) if concept else -1.0
    )
    out["concept_drift_input_alerts"] = int(alerts["concept_drift"]["node"].eq("input").sum())
    for name in ("vad_node", "accuracy", "recognizer"):
        out[f"pipeline_fault_delay_days_{name}"] = _days(pipeline_fault[name])
    out["pipeline_fault_first_recognizer_rule"] = str(pipeline_fault["recognizer_rule"])
    out["pipeline_fault_flagged_upstream_first"] = bool(
        pipeline_fault["vad_node"] < pipeline_fault["recognizer"]
    )
    out["pipeline_fault_vad_first"] = _vad_first(pipeline_fault)
    for key, name in (
        ("before_drift", "before"),
        ("during_drift", "during"),
        ("after_retrain", "after"),
    ):
        out[f"accuracy_{key}"] = round(retrain[name], 4)
    for key in ("gain", "ci_low", "ci_high"):
        out[f"retrain_{key}" if key == "gain" else f"retrain_gain_{key}"] = round(retrain[key], 4)
    out["retrain_recovered_share"] = round(float(retrain["recovered_share"]), 4)
    out["drift_report_columns_drifted"] = int(report["drift"].sum())
    return out


def describe_takeaways(
    summary: pd.DataFrame,
    events: dict,
    *,
    alerts: dict,
    pipeline_fault: dict,
    retrain: dict,
    alpha: float = 0.05,
) -> str:
    """Write the notebook's take-aways, as Markdown, from the numbers of this run.

    Every sentence reads a number that :func:`summary_metrics` records (and ``nbs_ci.yml``
    checks as a claim), so the text and the check cannot disagree.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`alert_summary`.
    events : dict of str to StreamEvent or None
        Stream -> event (:func:`make_events`), with ``concept_drift`` and ``control``.
    alerts : dict of str to pandas.DataFrame
        Stream -> alert table (:func:`stream_alerts`).
    pipeline_fault : dict
        From :func:`pipeline_fault_delays`.
    retrain : dict
        From :func:`retrain_gain`.
    alpha : float, default=0.05
        The family-wise false-alarm budget the rules were tuned with (:func:`tune_rules`).

    Returns
    -------
    str
        One bullet each: software alerts; detection per event; the meaning change's alerts
        from label-blind monitors; where the pipeline fault was flagged first (against the
        earliest recognizer alert and the accuracy alarm); false alarms; what retraining
        won, with its interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.monitoring import make_events
    >>> events = make_events()
    >>> summary = pd.DataFrame({"event": ["none (control)", "new_microphone", "meaning_change",
    ...     "vad_fault"], "detected": [False, True, True, True],
    ...     "first_rule": ["", "input_psi", "accuracy_low", "vad_kept_low"],
    ...     "delay_days": [np.nan, 1.0, 3.0, 1.0], "false_alarms": [0, 0, 0, 0]},
    ...     index=list(events))
    >>> alerts = {k: pd.DataFrame({"rule": ["input_psi"], "node": ["input"],
    ...     "alert_day": [11.0]}) for k in events}
    >>> fault = {"vad_node": 1.0, "accuracy": 3.0, "recognizer": 1.0,
    ...          "recognizer_rule": "confidence_low"}
    >>> retrain = {"before": 0.95, "during": 0.75, "after": 0.93, "gain": 0.18,
    ...            "ci_low": 0.12, "ci_high": 0.24, "recovered_share": 0.9, "n_clips": 99,
    ...            "confidence_level": 0.95}
    >>> text = describe_takeaways(summary, events, alerts=alerts, pipeline_fault=fault,
    ...                           retrain=retrain)
    >>> text.splitlines()[1]
    '- Software rules fired 0 alert(s) across the four streams: the software dashboards stayed green through all three incidents.'
    """
    sw = sum(int(a["node"].eq("software").sum()) for a in alerts.values())
    concept = alerts["concept_drift"]
    concept = concept[concept["alert_day"] >= events["concept_drift"].onset_day]
    label_blind = int(
        (concept["node"].isin(["input", "recognizer"]) & concept["rule"].ne("accuracy_low")).sum()
    )
    det = summary.loc[[k for k in events if events[k] is not None]]
    found = "; ".join(
        f"{r.event}: `{r.first_rule}` after {r.delay_days:g} day(s)"
        if r.detected
        else f"{r.event}: **not detected**"
        for r in det.itertuples()
    )
    n_streams = _NUMBER_WORDS.get(len(alerts), str(len(alerts)))
    n_events = _NUMBER_WORDS.get(len(det), str(len(det)))
    software = (
        f"the software dashboards stayed green through all {n_events} incidents"
        if sw == 0
        else "see the software panel"
    )
    vad, acc = pipeline_fault["vad_node"], pipeline_fault["accuracy"]
    order = _order(vad, pipeline_fault["recognizer"])
    if not np.isfinite(vad):
        vad_text = "the VAD node never alerted"
    elif not np.isfinite(acc):
        vad_text = f"the VAD node alerted after {vad:g} day(s) and the accuracy alarm never came"
    else:
        vad_text = (
            f"the VAD node alerted after {vad:g} day(s), "
            f"{'before' if _vad_first(pipeline_fault) else 'not before'} the label-delayed "
            f"accuracy alarm ({acc:g} day(s))"
        )
    control = int(summary.loc["control", "false_alarms"])
    before = int(det["false_alarms"].sum())
    lines = [
        "**Take-aways (computed from this run).**",
        f"- Software rules fired {sw} alert(s) across the {n_streams} streams: {software}.",
        f"- Detection by the rules meant for each event: {found}.",
        f"- After its onset the meaning change (concept drift) raised {label_blind} alert(s) "
        "from the input and output monitors (accuracy aside), which cannot see it: only labels "
        "can.",
        f"- In the pipeline fault {vad_text}; it came {order} the earliest recognizer alert "
        f"(`{pipeline_fault['recognizer_rule']}`).",
        f"- False alarms: {control} on the held-out control stream, {before} before the onsets "
        f"(thresholds tuned on one healthy replay with a {100 * alpha:g} % family-wise "
        "false-alarm budget, and checked on another).",
        f"- {describe_retrain(retrain)} The monitor was re-baselined on the new normal, and the "
        "loop starts again.",
    ]
    return "\n".join(lines)
