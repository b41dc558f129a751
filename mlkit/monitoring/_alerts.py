"""Alert rules (threshold + consecutive windows + severity): tune them, score them.

Rules are tuned on healthy traffic and scored against the ground truth. Serves the notebook sections "Dashboards and alert rules" (the rules) and "Alerts against the
ground truth".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of
from mlkit.monitoring._concept import concept_drift_alerts

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "VAD_KEPT_FLOOR",
    "AlertRule",
    "alert_summary",
    "calibrate_threshold",
    "consecutive_breaches",
    "describe_alerts",
    "evaluate_alerts",
    "stream_alerts",
    "tune_rules",
]

_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class AlertRule:
    """An alert rule: a metric beyond a threshold for a number of consecutive windows.

    Parameters
    ----------
    name : str
        Short id shown in alert tables.
    metric : str
        Column of the window-metrics table it watches.
    threshold : float
        The alert level.
    direction : {"above", "below"}, default="above"
        Breach when the value is above (or below) the threshold.
    consecutive : int, default=1
        Windows in a row that must breach before the alert fires (>= 1). More windows give
        fewer false alarms and a longer detection delay.
    severity : {"info", "warning", "critical"}, default="warning"
        How loud the alert is (who gets paged).
    node : str, default="recognizer"
        Pipeline node or layer the metric belongs to (for per-node tables).
    delay_days : float, default=0
        Days after a window closes before its value is known (for example the label delay
        for accuracy), added to the alert day.
    """

    name: str
    metric: str
    threshold: float
    direction: str = "above"
    consecutive: int = 1
    severity: str = "warning"
    node: str = "recognizer"
    delay_days: float = 0.0

    def __post_init__(self):
        check_one_of(self.direction, "direction", {"above", "below"}, func="AlertRule")
        check_one_of(self.severity, "severity", {"info", "warning", "critical"}, func="AlertRule")
        check_int(self.consecutive, "consecutive", min_value=1, func="AlertRule")
        check_float(self.threshold, "threshold", func="AlertRule")
        check_float(self.delay_days, "delay_days", low=0.0, func="AlertRule")


def consecutive_breaches(
    values, threshold: float, *, direction: str = "above", consecutive: int = 1
):
    """Return where an alert fires: the window completing each run of breaches.

    Parameters
    ----------
    values : array-like of shape (n_windows,)
        Metric per window, in time order. NaN (no data) is not a breach and breaks a run.
    threshold : float
        The alert level.
    direction : {"above", "below"}, default="above"
        Breach when ``value > threshold`` (or ``value < threshold``).
    consecutive : int, default=1
        Breaching windows in a row needed to fire (>= 1).

    Returns
    -------
    ndarray of shape (n_windows,), dtype bool
        True at the window where a run of breaches reaches `consecutive`; one alert per run
        (the rule re-arms after a window without breach).

    Raises
    ------
    ValueError
        If `direction` or `consecutive` is invalid.

    Examples
    --------
    >>> consecutive_breaches([0, 1, 1, 1, 0, 1, 1], 0.5, consecutive=2).astype(int).tolist()
    [0, 0, 1, 0, 0, 0, 1]
    """
    check_one_of(direction, "direction", {"above", "below"}, func="consecutive_breaches")
    consecutive = check_int(consecutive, "consecutive", min_value=1, func="consecutive_breaches")
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        breach = v > threshold if direction == "above" else v < threshold
    breach &= ~np.isnan(v)
    fired = np.zeros(v.shape, dtype=bool)
    run = 0
    for i, b in enumerate(breach):
        run = run + 1 if b else 0
        if run == consecutive:
            fired[i] = True
    return fired


def evaluate_alerts(metrics: pd.DataFrame, rules, *, window_days: int = 1) -> pd.DataFrame:
    """Apply alert rules to a table of per-window metrics.

    Parameters
    ----------
    metrics : pandas.DataFrame
        One row per window in time order, with a ``day_end`` column (last day of the window,
        0-based) and one column per rule metric (see :func:`window_metrics`).
    rules : sequence of AlertRule
        The rules.
    window_days : int, default=1
        Window length in days (kept in the output for the reader).

    Returns
    -------
    pandas.DataFrame
        One row per fired alert, sorted by ``alert_day``: ``rule``, ``node``, ``metric``,
        ``severity``, ``window_days``, ``day_end`` (window that completed the run),
        ``alert_day`` (``day_end + delay_days``: when the alert is raised) and ``value``.

    Raises
    ------
    ValueError
        If a rule's metric or ``day_end`` is missing from `metrics`.
    """
    import pandas as pd

    if "day_end" not in metrics.columns:
        raise ValueError(
            "evaluate_alerts needs a 'day_end' column (last day of each window) in the metrics "
            f"table. Got columns {list(metrics.columns)}. Build the table with "
            "window_metrics(...), or add the column."
        )
    rows = []
    for rule in rules:
        if rule.metric not in metrics.columns:
            raise ValueError(
                f"Alert rule {rule.name!r} watches {rule.metric!r}, which is not a column of "
                f"the metrics table (columns: {list(metrics.columns)})."
            )
        fired = consecutive_breaches(
            metrics[rule.metric].to_numpy(),
            rule.threshold,
            direction=rule.direction,
            consecutive=rule.consecutive,
        )
        for i in np.flatnonzero(fired):
            day_end = float(metrics["day_end"].iloc[i])
            rows.append(
                {
                    "rule": rule.name,
                    "node": rule.node,
                    "metric": rule.metric,
                    "severity": rule.severity,
                    "window_days": window_days,
                    "day_end": day_end,
                    "alert_day": day_end + rule.delay_days,
                    "value": float(metrics[rule.metric].iloc[i]),
                }
            )
    cols = ["rule", "node", "metric", "severity", "window_days", "day_end", "alert_day", "value"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["alert_day", "rule"], kind="stable").reset_index(drop=True)


def calibrate_threshold(
    values,
    *,
    direction: str = "above",
    alpha: float = 0.05,
    n_tests: int = 1,
    floor=None,
    n_per_window: int | None = None,
    counts: bool = False,
    consecutive: int = 1,
) -> float:
    """Set an alert threshold from a no-drift calibration stream, within a false-alarm budget.

    The healthy windows give the metric's median and spread; the threshold sits
    ``z = Phi^-1(1 - q)`` standard deviations beyond the median, never inside the range the
    healthy windows reached. ``q = (alpha / n_tests) ** (1 / consecutive)`` is the breach
    probability one window may have: `n_tests` checks share the family-wise false-alarm rate
    `alpha` (Bonferroni), and a rule that needs `consecutive` breaches in a row fires on
    healthy traffic with probability about ``q ** consecutive`` per window (independent
    windows).

    Parameters
    ----------
    values : array-like of shape (n_windows,)
        The metric per window on traffic known to be healthy. NaN values are ignored.
    direction : {"above", "below"}, default="above"
        Whether high (or low) values are bad.
    alpha : float, default=0.05
        Family-wise false-alarm rate: the chance, on healthy traffic, that any of the
        `n_tests` checks breaches, in (0, 1).
    n_tests : int, default=1
        Checks sharing `alpha` (for example rules x windows of a replay), >= 1.
    floor : float or None, default=None
        A threshold never below this (for "above"; never above for "below"), such as a
        textbook level.
    n_per_window : int or None, default=None
        For rates (a share of requests): the number of requests in a small window. Rare
        events make a rate's counts skewed, so the normal quantile alone pages too often;
        the threshold is then at least as far out as the binomial quantile
        ``binom.isf(alpha / n_tests, n_per_window, mean rate) / n_per_window``
        (``binom.ppf`` for "below"), with ``alpha / n_tests`` replaced by `q`.
    counts : bool, default=False
        The values are event counts per window (for example requests per day). Traffic with a
        weekly cycle has a bimodal healthy distribution that a normal spread describes
        badly, so the threshold is then at least as far out as the Poisson quantile around
        the healthy window nearest the bad side (``poisson.ppf(q, min)`` for "below",
        ``poisson.isf(q, max)`` for "above").
    consecutive : int, default=1
        Breaching windows in a row the rule needs before it fires (>= 1).

    Returns
    -------
    float
        ``max(worst, median + z * sd)`` for "above" (``min(worst, median - z * sd)`` for
        "below"), with ``sd`` the sample standard deviation of the healthy windows; then the
        binomial quantile for rates or the Poisson quantile for counts, then the `floor`;
        rounded to 6 decimals.

    Raises
    ------
    ValueError
        If `values` has fewer than two finite entries, or `alpha`, `n_tests` or `consecutive`
        are out of range.

    Notes
    -----
    The normal quantile assumes roughly normal window metrics (means and rates over
    ~100 requests are); the Bonferroni split is conservative. The previous rule, "worst healthy window plus half its
    distance from the median", had no false-alarm budget: with 10 rules x 28 days a held-out
    healthy stream breached it on some seeds (a silent-input rate of 1.3 %, two days in a
    row). Tuning on the stream you then report false alarms on would hide them: calibrate on
    one healthy replay and count false alarms on another (held-out) one.

    Examples
    --------
    >>> calibrate_threshold([0.1, 0.2, 0.3])
    0.364485
    >>> calibrate_threshold([0.1, 0.2, 0.3], n_tests=280)
    0.556988
    >>> calibrate_threshold([0.0, 0.005, 0.005, 0.01], n_tests=280, n_per_window=200)
    0.03
    >>> calibrate_threshold([0.1, 0.2, 0.3], n_tests=280, consecutive=2)
    0.421549
    >>> calibrate_threshold([200, 140, 210, 190, 135], direction="below", counts=True)
    116.0
    """
    check_one_of(direction, "direction", {"above", "below"}, func="calibrate_threshold")
    alpha = check_float(alpha, "alpha", low=0.0, high=1.0, func="calibrate_threshold")
    if not 0.0 < alpha < 1.0:
        raise ValueError(
            f"The 'alpha' parameter of calibrate_threshold must be in (0, 1). Got {alpha!r} "
            "instead."
        )
    n_tests = check_int(n_tests, "n_tests", min_value=1, func="calibrate_threshold")
    consecutive = check_int(consecutive, "consecutive", min_value=1, func="calibrate_threshold")
    q = (alpha / n_tests) ** (1.0 / consecutive)
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size < 2:
        raise ValueError(
            "calibrate_threshold needs at least two finite values (healthy windows) to "
            f"estimate a spread. Got {v.size}. Calibrate on a longer healthy replay."
        )
    from scipy.stats import norm

    z = float(norm.isf(q))
    med, sd = float(np.median(v)), float(np.std(v, ddof=1))
    if direction == "above":
        thr = max(float(v.max()), med + z * sd)
    else:
        thr = min(float(v.min()), med - z * sd)
    if n_per_window is not None:
        from scipy.stats import binom

        n = check_int(n_per_window, "n_per_window", min_value=1, func="calibrate_threshold")
        rate = float(np.clip(v.mean(), 0.0, 1.0))
        if direction == "above":
            thr = max(thr, float(binom.isf(q, n, rate)) / n)
        else:
            thr = min(thr, float(binom.ppf(q, n, rate)) / n)
    if counts:
        from scipy.stats import poisson

        if direction == "above":
            thr = max(thr, float(poisson.isf(q, v.max())))
        else:
            thr = min(thr, float(poisson.ppf(q, v.min())))
    if floor is not None:
        thr = max(thr, float(floor)) if direction == "above" else min(thr, float(floor))
    return round(thr, 6)


VAD_KEPT_FLOOR = 0.9
"""Share of a request the VAD must keep at least (clips arrive already end-pointed): the floor
of the ``vad_kept_low`` rule's threshold in :func:`tune_rules`."""


def tune_rules(
    calibration: pd.DataFrame,
    *,
    consecutive: int = 2,
    psi_threshold: float = 0.25,
    label_delay_days: float = 2,
    vad_kept_floor: float = VAD_KEPT_FLOOR,
    alpha: float = 0.05,
) -> list[AlertRule]:
    """Return the monitoring notebook's alert rules, thresholds tuned on a healthy replay.

    Each threshold is :func:`calibrate_threshold` of the rule's metric on `calibration`, with
    the family-wise false-alarm rate `alpha` shared by all rules and windows (Bonferroni over
    ``n_rules * n_windows`` checks); rates (errors, silent input, rejects, accuracy) are also
    held to their binomial quantile at the smallest healthy window (requests, or
    ``n_labelled`` for accuracy), throughput to its Poisson quantile at the quietest healthy
    day (weekends); the PSI rules never alert below `psi_threshold`, the VAD
    rule never below `vad_kept_floor`.

    Parameters
    ----------
    calibration : pandas.DataFrame
        Per-window metrics of healthy traffic (:func:`window_metrics` with a monitor and
        reference labels, so it has ``psi_max_input`` and ``psi_y_pred``).
    consecutive : int, default=2
        Windows in a row beyond the threshold before any rule fires (>= 1).
    psi_threshold : float, default=0.25
        Floor of the input-PSI and label-PSI thresholds (the rule of thumb's "significant").
    label_delay_days : float, default=2
        Days until labels arrive: the delay of the accuracy rule's alerts (>= 0).
    vad_kept_floor : float, default=0.9
        Floor of the share of a request the VAD must keep, in [0, 1].
    alpha : float, default=0.05
        Family-wise false-alarm rate of one healthy replay as long as `calibration`, in
        (0, 1); see :func:`calibrate_threshold`.

    Returns
    -------
    list of AlertRule
        Software (``throughput_low``, ``error_rate_high``, ``latency_p95_high``), input
        (``silent_rate_high``, ``input_psi``), VAD (``vad_kept_low``) and recognizer
        (``confidence_low``, ``reject_rate_high``, ``label_psi``, ``accuracy_low``) rules.

    Raises
    ------
    ValueError
        If a metric column has no finite value or `consecutive` is below 1.

    Notes
    -----
    Tune on one healthy replay and count false alarms on another (see
    :func:`calibrate_threshold`).

    Examples
    --------
    >>> import pandas as pd
    >>> cal = pd.DataFrame({"requests_per_day": [200.0, 140.0], "error_rate": [0.0, 0.01],
    ...     "latency_p95_ms": [60.0, 62.0], "silent_rate": [0.0, 0.01],
    ...     "psi_max_input": [0.05, 0.07], "vad_kept_fraction": [0.98, 0.97],
    ...     "confidence": [0.9, 0.88], "reject_rate": [0.05, 0.06], "psi_y_pred": [0.03, 0.05],
    ...     "accuracy": [0.95, 0.93]})
    >>> rules = tune_rules(cal)
    >>> [(r.name, r.threshold) for r in rules if r.node == "input"]
    [('silent_rate_high', 0.016631), ('input_psi', 0.25)]
    """
    n_tests = 10 * max(1, len(calibration))  # the ten rules below, every window
    days = (
        calibration["day_end"] - calibration["day_start"] + 1 if "day_start" in calibration else 1
    )
    # the smallest healthy window, for the binomial quantile of the rates
    n_requests = max(1, int(np.nanmin(calibration["requests_per_day"] * days)))
    n_labelled = (
        max(1, int(np.nanmin(calibration["n_labelled"]))) if "n_labelled" in calibration else None
    )

    def tuned(
        name,
        metric,
        direction,
        node,
        severity="warning",
        floor=None,
        delay_days=0.0,
        n=None,
        counts=False,
    ):
        threshold = calibrate_threshold(
            calibration[metric],
            direction=direction,
            floor=floor,
            alpha=alpha,
            n_tests=n_tests,
            n_per_window=n,
            counts=counts,
            consecutive=consecutive,
        )
        return AlertRule(
            name, metric, threshold, direction, consecutive, severity, node, delay_days
        )

    return [
        tuned("throughput_low", "requests_per_day", "below", "software", counts=True),
        tuned("error_rate_high", "error_rate", "above", "software", n=n_requests),
        tuned("latency_p95_high", "latency_p95_ms", "above", "software"),
        tuned("silent_rate_high", "silent_rate", "above", "input", n=n_requests),
        tuned("input_psi", "psi_max_input", "above", "input", "critical", floor=psi_threshold),
        tuned("vad_kept_low", "vad_kept_fraction", "below", "vad", "critical", vad_kept_floor),
        tuned("confidence_low", "confidence", "below", "recognizer"),
        tuned("reject_rate_high", "reject_rate", "above", "recognizer", n=n_requests),
        tuned("label_psi", "psi_y_pred", "above", "recognizer", floor=psi_threshold),
        tuned(
            "accuracy_low",
            "accuracy",
            "below",
            "recognizer",
            "critical",
            None,
            label_delay_days,
            n_labelled,
        ),
    ]


def stream_alerts(tables: dict, served: dict, rules, *, streams=None) -> dict:
    """Return every stream's alerts: its rules' alerts plus ADWIN on its labelled errors.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Stream name -> per-window metrics (:func:`window_metrics`).
    served : dict of str to pandas.DataFrame
        Stream name -> served requests (:func:`serve_requests`), for the concept-drift detector.
    rules : sequence of AlertRule
        The rules (:func:`tune_rules`).
    streams : iterable of str or None, default=None
        Streams to evaluate (for example the keys of :func:`make_events`); None means every
        stream of `tables`.

    Returns
    -------
    dict of str to pandas.DataFrame
        Stream name -> alert table (:func:`evaluate_alerts` rows, then
        :func:`concept_drift_alerts` rows), sorted by ``alert_day`` (stable).

    Raises
    ------
    ValueError
        If a rule's metric is missing from a table.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"day_end": [0, 1, 2], "error_rate": [0.0, 0.2, 0.3]})
    >>> served = pd.DataFrame({"labelled": [True] * 4, "correct": [1.0, 1.0, 0.0, 1.0],
    ...                        "label_day": [2, 2, 3, 4]})
    >>> rule = AlertRule("error_rate_high", "error_rate", 0.1, consecutive=2)
    >>> a = stream_alerts({"s": table}, {"s": served}, [rule])
    >>> a["s"][["rule", "alert_day"]].values.tolist()
    [['error_rate_high', 2.0]]
    """
    import pandas as pd

    return {
        name: pd.concat(
            [evaluate_alerts(tables[name], rules), concept_drift_alerts(served[name])],
            ignore_index=True,
        ).sort_values("alert_day", kind="stable")
        for name in (tables if streams is None else streams)
    }


def alert_summary(alerts: dict, events: dict, *, expected_rules: dict) -> pd.DataFrame:
    """Tabulate, per stream, whether its event was detected by its rules, how fast, false alarms.

    Parameters
    ----------
    alerts : dict of str to pandas.DataFrame
        Stream name -> alert table (from :func:`evaluate_alerts`, possibly with extra rows
        such as concept-drift detections); needs ``rule``, ``node`` and ``alert_day``.
    events : dict of str to StreamEvent or None
        Stream name -> its injected event; None for a no-drift control stream.
    expected_rules : dict of str to sequence of str
        Event name -> the rules meant to detect it (for example :data:`EVENT_RULES`). Only
        these count as a detection: an unrelated alert that happens to fire after the onset
        (a weekend throughput dip) says nothing about the event.

    Returns
    -------
    pandas.DataFrame
        One row per stream: ``event``, ``kind``, ``onset_day``, ``detected``,
        ``first_rule``, ``first_node`` (the first expected alert at or after the onset; on a
        tie the most severe), ``detection_day``, ``delay_days``
        (``detection_day - onset_day``; 0 = raised at the end of the onset day),
        ``other_alerts`` (alerts of other rules at or after the onset) and ``false_alarms``
        (alerts before the onset, or any alert on a control stream).

    Raises
    ------
    ValueError
        If an event has no entry in `expected_rules`.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"rule": ["throughput_low", "input_psi"], "node": ["software", "input"],
    ...                   "alert_day": [10.0, 12.0]})
    >>> from mlkit.monitoring import StreamEvent
    >>> ev = StreamEvent("new_microphone", "data_drift", 10, mix={"low_bandwidth": 1.0})
    >>> s = alert_summary({"drift": a}, {"drift": ev},
    ...                   expected_rules={"new_microphone": ["input_psi"]})
    >>> row = s.loc["drift"]
    >>> row["first_rule"], float(row["delay_days"]), int(row["other_alerts"])
    ('input_psi', 2.0, 1)
    """
    import pandas as pd

    missing = [
        ev.name for ev in events.values() if ev is not None and ev.name not in expected_rules
    ]
    if missing:
        raise ValueError(
            f"alert_summary needs the rules meant to detect every event. Got expected_rules for "
            f"{sorted(expected_rules)}; missing {missing}. Pass expected_rules={{event: [rule, ...]}}."
        )
    rows = []
    for stream, ev in events.items():
        a = alerts.get(stream)
        a = a if a is not None else pd.DataFrame(columns=["rule", "node", "alert_day"])
        if ev is None:
            rows.append(
                {
                    "stream": stream,
                    "event": "none (control)",
                    "kind": "-",
                    "onset_day": np.nan,
                    "detected": False,
                    "first_rule": "",
                    "first_node": "",
                    "detection_day": np.nan,
                    "delay_days": np.nan,
                    "other_alerts": 0,
                    "false_alarms": len(a),
                }
            )
            continue
        after = a[a["alert_day"] >= ev.onset_day]
        meant = after["rule"].isin(list(expected_rules[ev.name]))
        other = int((~meant).sum())
        after = after[meant]
        rank = after["severity"].map(_SEVERITY_RANK) if "severity" in after else 0
        after = after.assign(_rank=rank).sort_values(["alert_day", "_rank"], kind="stable")
        first = after.iloc[0] if len(after) else None
        rows.append(
            {
                "stream": stream,
                "event": ev.name,
                "kind": ev.kind,
                "onset_day": ev.onset_day,
                "detected": first is not None,
                "first_rule": "" if first is None else first["rule"],
                "first_node": "" if first is None else first["node"],
                "detection_day": np.nan if first is None else float(first["alert_day"]),
                "delay_days": np.nan if first is None else float(first["alert_day"]) - ev.onset_day,
                "other_alerts": other,
                "false_alarms": int((a["alert_day"] < ev.onset_day).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("stream")


def describe_alerts(alerts: dict, events: dict, *, nodes) -> str:
    """Summarise, as Markdown, which rules of some nodes fired on each stream and when.

    Parameters
    ----------
    alerts : dict of str to pandas.DataFrame
        Stream name -> alert table (``rule``, ``node``, ``alert_day``).
    events : dict of str to StreamEvent or None
        Stream name -> its event (None: control); gives the onset for the delays.
    nodes : sequence of str
        The nodes (layers) to report, for example ``["software"]``.

    Returns
    -------
    str
        One bullet per stream: each rule's first alert day and its delay after the onset
        (negative: before it, a false alarm), or "no alert".

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"rule": ["input_psi"], "node": ["input"], "alert_day": [11.0]})
    >>> from mlkit.monitoring import StreamEvent
    >>> ev = StreamEvent("new_microphone", "data_drift", 10, mix={"low_bandwidth": 1.0})
    >>> print(describe_alerts({"drift": a, "control": a.iloc[:0]},
    ...                       {"drift": ev, "control": None}, nodes=["input"]))
    Rules of input:
    - **drift** (new_microphone, onset day 10): `input_psi` on day 11 (+1 d)
    - **control** (no event): no alert
    """
    nodes = list(nodes)
    lines = [f"Rules of {', '.join(nodes)}:"]
    for stream, ev in events.items():
        a = alerts.get(stream)
        head = f"- **{stream}** ({'no event' if ev is None else f'{ev.name}, onset day {ev.onset_day}'}): "
        if a is None or not len(a) or not a["node"].isin(nodes).any():
            lines.append(head + "no alert")
            continue
        first = (
            a[a["node"].isin(nodes)].groupby("rule", sort=False)["alert_day"].min().sort_values()
        )
        parts = []
        for rule, day in first.items():
            delay = "" if ev is None else f" ({day - ev.onset_day:+g} d)"
            parts.append(f"`{rule}` on day {day:g}{delay}")
        lines.append(head + ", ".join(parts))
    return "\n".join(lines)
