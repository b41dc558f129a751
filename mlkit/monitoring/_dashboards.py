"""Per-window dashboard metrics, the dashboards, and the interactive alert panel.

Serves the notebook sections "Dashboards and alert rules" (:func:`window_metrics`,
:func:`plot_dashboard`) and "Try it: window size, thresholds, event strength".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from mlkit._stats import (
    js_from_proportions,
)
from mlkit._validation import check_int
from mlkit.monitoring._alerts import _SEVERITY_RANK, consecutive_breaches
from mlkit.monitoring._drift import DriftMonitor
from mlkit.monitoring._markers import _alert_legend_handle, _mark_alerts
from mlkit.monitoring._pipeline import INPUT_FEATURES
from mlkit.monitoring._stream import _colour, make_events, replay_streams

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "INPUT_PANELS",
    "OUTPUT_PANELS",
    "PANEL_RULES",
    "SOFTWARE_PANELS",
    "dashboard_controls",
    "dashboard_renderer",
    "panel_tables",
    "plot_dashboard",
    "window_metrics",
]


SOFTWARE_PANELS = (
    ("requests_per_day", "throughput (requests/day)"),
    ("error_rate", "error rate (no answer)"),
    ("latency_p95_ms", "p95 latency (ms)"),
)
"""Panels of the software dashboard: (metric of :func:`window_metrics`, title with unit)."""

INPUT_PANELS = (
    ("spectral_centroid_hz", "spectral centroid (Hz, mean)"),
    ("spectral_bandwidth_hz", "spectral bandwidth (Hz, mean)"),
    ("psi_max_input", "largest input PSI"),
    ("duration_s", "duration (s, mean)"),
    ("rms_db", "loudness (RMS dBFS, mean)"),
    ("silent_rate", "silent input rate"),
)
"""Panels of the input dashboard (raw requests, before the VAD)."""

OUTPUT_PANELS = (
    ("confidence", "mean confidence"),
    ("reject_rate", '"unknown" (reject) rate'),
    ("psi_y_pred", "PSI of predicted digits"),
    ("accuracy", "accuracy on labelled requests"),
)
"""Panels of the output (recognizer) dashboard."""

PANEL_RULES = ("input_psi", "vad_kept_low", "reject_rate_high", "accuracy_low")
"""The four rules the interactive panel of :func:`dashboard_renderer` shows, one per node."""


def window_metrics(
    served: pd.DataFrame,
    *,
    window_days: int = 1,
    monitor: DriftMonitor | None = None,
    reference_labels=None,
) -> pd.DataFrame:
    """Aggregate served requests into per-window dashboard metrics.

    Parameters
    ----------
    served : pandas.DataFrame
        From :func:`serve_requests`.
    window_days : int, default=1
        Window length in days (>= 1); windows are ``[0, w), [w, 2w), ...``.
    monitor : DriftMonitor or None, default=None
        When given, adds ``psi_<feature>`` per monitored feature and ``psi_max_input`` (the
        largest PSI over :data:`INPUT_FEATURES`), computed on answered, non-silent requests.
    reference_labels : array-like or None, default=None
        Predicted labels of the reference period; when given, adds ``label_js`` (JS distance
        of the window's predicted-label distribution against it).

    Returns
    -------
    pandas.DataFrame
        One row per window: ``window``, ``day_start``, ``day_end``; software metrics
        ``requests_per_day`` (throughput), ``error_rate``, ``latency_p95_ms``; input metrics
        ``duration_s``, ``rms_db``, ``spectral_centroid_hz``, ``spectral_bandwidth_hz``
        (window means) and ``silent_rate``; VAD node ``vad_duration_s``,
        ``vad_kept_fraction``, ``vad_empty_rate``; recognizer outputs ``confidence``,
        ``reject_rate``; and ``accuracy`` / ``n_labelled`` over the window's labelled
        requests (known only ``label_delay_days`` later).
    """
    import pandas as pd

    window_days = check_int(window_days, "window_days", min_value=1, func="window_metrics")
    day = served["day"].to_numpy()
    win = day // window_days
    order = np.argsort(win, kind="stable")
    win = win[order]
    col = {c: served[c].to_numpy()[order] for c in served.columns}
    error = col["error"].astype(bool)
    heard = ~col["silent"].astype(bool)
    labelled = col["labelled"].astype(bool) & ~error & ~np.isnan(col["correct"].astype(float))
    ref_p = None
    if reference_labels is not None:
        ref = np.asarray(reference_labels)
        ref_p = np.bincount(ref[ref >= 0], minlength=10)[:10].astype(float)
        ref_p /= ref_p.sum()
    windows, starts = np.unique(win, return_index=True)
    stops = np.r_[starts[1:], win.size]

    def mean(values, mask):
        return float(np.mean(values[mask])) if mask.any() else np.nan

    rows = []
    for w, a, b in zip(windows, starts, stops, strict=True):
        s = slice(a, b)
        ok = ~error[s]
        row = {
            "window": int(w),
            "day_start": int(w * window_days),
            "day_end": int(day[order][s].max()),
            "requests_per_day": (b - a) / len(np.unique(day[order][s])),
            "error_rate": float(error[s].mean()),
            "latency_p95_ms": float(np.percentile(col["latency_ms"][s], 95)),
            "silent_rate": float(1.0 - heard[s].mean()),
            "vad_empty_rate": float(col["vad_empty"][s].astype(bool).mean()),
            "confidence": mean(col["confidence"][s].astype(float), ok),
            "reject_rate": mean(col["reject"][s].astype(float), ok),
            "accuracy": mean(col["correct"][s].astype(float), labelled[s]),
            "n_labelled": int(labelled[s].sum()),
        }
        for c in (*INPUT_FEATURES, "vad_duration_s", "vad_kept_fraction"):
            row[c] = mean(col[c][s].astype(float), heard[s])
        if ref_p is not None:
            pred = col["y_pred"][s][ok]
            cur = np.bincount(pred[pred >= 0], minlength=10)[:10].astype(float)
            row["label_js"] = js_from_proportions(ref_p, cur / max(cur.sum(), 1.0))
        rows.append(row)
    out = pd.DataFrame(rows)
    if monitor is not None:
        keep = ~error & heard
        current = served.iloc[order[keep]]
        wide = monitor.psi_by_window(current, win[keep]).add_prefix("psi_")
        inputs = [f"psi_{c}" for c in INPUT_FEATURES if c in monitor.features_]
        wide["psi_max_input"] = wide[inputs].max(axis=1)
        out = out.merge(wide, left_on="window", right_index=True, how="left")
    return out


def plot_dashboard(
    tables: dict,
    panels: list,
    *,
    events: dict | None = None,
    rules=(),
    marks: dict | None = None,
    title: str | None = None,
    ncols: int = 3,
):
    """Plot a monitoring dashboard: one panel per metric, one line per stream.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Stream name -> per-window metrics (:func:`window_metrics`).
    panels : list of (str, str)
        ``(metric column, panel title with unit)`` per panel.
    events : dict of str to StreamEvent or None, optional
        Stream -> event; onsets are drawn as dotted vertical lines in the stream's colour.
    rules : sequence of AlertRule, default=()
        Thresholds of rules on a panel's metric are drawn as red dashed lines; where a rule
        fired, a black-edged triangle in the stream's colour marks the alert day (window end
        + the rule's delay) in a strip at the top of the panel (see
        :data:`ALERT_CONVENTION`). A window's value is drawn on its last day.
    marks : dict of str to float, optional
        Labelled vertical lines (label -> day), for example ``{"v2 deployed": 17}``.
    title : str, optional
        Figure title.
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = len(panels)
    nrows = int(math.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 2.9 * nrows), squeeze=False, sharex=True
    )
    colours = {stream: _colour(stream, i) for i, stream in enumerate(tables)}
    alerted = False
    for ax, (metric, label) in zip(axes.flat, panels, strict=False):
        for stream, t in tables.items():
            if metric not in t.columns:
                continue
            x = t["day_end"].to_numpy(dtype=float)
            ax.plot(x, t[metric], marker="o", ms=2.5, lw=1.3, color=colours[stream], label=stream)
            for rule in rules:
                if rule.metric != metric:
                    continue
                fired = consecutive_breaches(
                    t[metric].to_numpy(),
                    rule.threshold,
                    direction=rule.direction,
                    consecutive=rule.consecutive,
                )
                if fired.any():
                    days = x[fired] + rule.delay_days
                    _mark_alerts(ax, days, colour=colours[stream], level=list(tables).index(stream))
                    alerted = True
        for rule in rules:
            if rule.metric == metric:
                ax.axhline(rule.threshold, color="red", ls="--", lw=1)
                ax.annotate(
                    f"{rule.severity}: {rule.direction} {rule.threshold:.3g}, {rule.consecutive}x",
                    xy=(0.01, rule.threshold),
                    xycoords=("axes fraction", "data"),
                    fontsize=7,
                    color="red",
                    va="bottom",
                )
        for stream, ev in (events or {}).items():
            if ev is not None and stream in tables:
                ax.axvline(ev.onset_day, color=colours[stream], ls=":", lw=1.5)
        for j, (text, day) in enumerate((marks or {}).items()):
            ax.axvline(day, color="0.2", ls=["-.", ":", "--"][j % 3], lw=1.2, label=text)
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi + 0.35 * (hi - lo))  # room for the alert strip at the top
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    if alerted:
        _alert_legend_handle(axes.flat[0])
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_visible(False)
        elif k + ncols >= n:  # nothing visible below: this panel carries the day axis
            ax.set_xlabel("day")
            ax.xaxis.set_tick_params(labelbottom=True)
    seen = {}
    for ax in axes.flat[:n]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    per_row = max(1, int(1.6 * ncols))
    legend_rows = int(math.ceil(len(seen) / per_row))
    height = fig.get_figheight()
    if title:
        # fig.text, not suptitle: tight_layout would reserve room for a suptitle twice.
        fig.text(0.01, 1 - 0.05 / height, title, ha="left", va="top", fontsize=12)
    head = (0.35 if title else 0.0) + 0.28 * legend_rows
    fig.tight_layout(rect=(0, 0, 1, 1 - (head + 0.05) / height))
    fig.legend(
        list(seen.values()),
        list(seen),
        loc="upper left",
        bbox_to_anchor=(0.01, 1 - (0.35 if title else 0.05) / height),
        ncol=per_row,
        fontsize=9,
        frameon=False,
    )
    return fig


def panel_tables(
    pool: pd.DataFrame,
    served: dict,
    *,
    monitor,
    seeds: dict,
    event_strength: float = 1.0,
    strengths=(0.25, 0.5, 1.0),
    window_options=(1, 2, 3, 7),
    random_state: int = 0,
    **stream_params,
):
    """Precompute the window-metrics tables an interactive dashboard switches between.

    Parameters
    ----------
    pool : pandas.DataFrame
        The request pool with ``v1`` predictions.
    served : dict of str to pandas.DataFrame
        Streams already replayed at `event_strength` (from :func:`replay_streams`); reused.
    monitor : DriftMonitor
        Fitted on the reference traffic.
    seeds : dict of str to int
        As for :func:`replay_streams`.
    event_strength : float, default=1.0
        The strength `served` was replayed at.
    strengths : sequence of float, default=(0.25, 0.5, 1.0)
        Event strengths offered (`event_strength` is added); streams at other strengths are
        replayed with the same seeds.
    window_options : sequence of int, default=(1, 2, 3, 7)
        Window lengths in days.
    random_state : int, default=0
    **stream_params
        Passed to :func:`simulate_requests`.

    Returns
    -------
    tables : dict of (str, int) to pandas.DataFrame
        ``(stream key, window_days)`` -> :func:`window_metrics`; keys are ``"control"`` and
        ``"<stream> @ <strength>"``.
    events : dict of str to StreamEvent or None
        Stream key -> its event.
    """
    tables, keyed = {}, {"control": None}
    for s in sorted({*strengths, event_strength}):
        events = {k: e for k, e in make_events(s).items() if e is not None}
        keyed |= {f"{name} @ {s:g}": ev for name, ev in events.items()}
        streams = (
            {k: served[k] for k in events}
            if s == event_strength
            else replay_streams(
                pool,
                events,
                seeds={k: seeds[k] for k in events},
                random_state=random_state,
                **stream_params,
            )
        )
        for name, req in streams.items():
            for w in window_options:
                tables[(f"{name} @ {s:g}", w)] = window_metrics(req, window_days=w, monitor=monitor)
    for w in window_options:
        tables[("control", w)] = window_metrics(served["control"], window_days=w, monitor=monitor)
    return tables, keyed


def dashboard_renderer(
    tables: dict,
    rules: dict,
    events: dict,
    *,
    expected_rules: dict | None = None,
    psi_rule: str = "input_psi",
    dpi: int = 72,
):
    """Build a fast ``render`` function for an interactive monitoring panel.

    The figure, axes, ticks and labels are drawn once; each call only moves the lines,
    thresholds and alert markers (matplotlib blitting) and encodes the PNG, so a slider
    re-renders in tens of milliseconds.

    Parameters
    ----------
    tables : dict of (str, int) to pandas.DataFrame
        ``(stream, window_days)`` -> per-window metrics, precomputed for every option.
    rules : dict of str to AlertRule
        Four rules keyed by name; their metrics are the four panels. The rule named
        `psi_rule` takes its threshold from the ``psi_threshold`` control; all take
        ``consecutive`` from the control.
    events : dict of str to StreamEvent or None
        Stream -> event, for the onset line and the detection delay.
    expected_rules : dict of str to sequence of str, optional
        Event name -> the rules meant to detect it (see :func:`alert_summary`); only those
        count as a detection in the headline. None: any alert after the onset counts.
    psi_rule : str, default="input_psi"
        Name of the rule whose threshold the slider sets.
    dpi : int, default=72
        Resolution of the PNG.

    Returns
    -------
    callable
        ``render(stream, window_days, psi_threshold, consecutive)`` returning a markdown
        headline (detection delay, false alarms), an ``IPython.display.Image`` and the alert
        table (pandas.DataFrame).
    """
    import pandas as pd
    from matplotlib.figure import Figure

    from mlkit.widgets import BlitCanvas

    rule_list = list(rules.values())
    n_days = 1 + int(max(t["day_end"].max() for t in tables.values()))
    # Controls only select among precomputed tables: keep their columns as numpy arrays.
    cache = {
        key: {
            "x": t["day_end"].to_numpy(dtype=float),
            "day_end": t["day_end"].to_numpy(dtype=float),
            **{r.metric: t[r.metric].to_numpy(dtype=float) for r in rule_list},
        }
        for key, t in tables.items()
    }
    fig = Figure(figsize=(11, 5.0), dpi=dpi)
    axes = fig.subplots(2, 2, sharex=True)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.93, bottom=0.1, hspace=0.3, wspace=0.18)
    artists = []
    for ax, rule in zip(axes.flat, rule_list, strict=True):
        vals = np.concatenate([c[rule.metric] for c in cache.values()])
        lo, hi = np.nanmin(vals), np.nanmax(vals)
        if rule.name == psi_rule:
            lo, hi = 0.0, max(hi, 1.0)
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + 4 * pad)  # the top strip holds the alert markers
        ax.set_xlim(-0.5, n_days + 0.5)
        ax.set_title(
            f"{rule.node}: {rule.metric}  ({rule.severity}, {rule.direction} threshold)",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
        line = ax.plot([], [], marker="o", ms=3, lw=1.4, color="tab:blue", animated=True)[0]
        thr = ax.axhline(rule.threshold, color="red", ls="--", lw=1, animated=True)
        fired = _mark_alerts(ax, [], colour="tab:blue")
        fired.set_animated(True)
        onset = ax.axvline(0, color="k", ls=":", lw=1.5, animated=True)
        artists.append((rule, line, thr, fired, onset))
    for ax in axes[-1]:
        ax.set_xlabel("day (dotted: true onset; black-edged triangle at the top: alert day)")
    # A bare Figure on an Agg canvas: not managed by pyplot, so never drawn twice inline.
    canvas = BlitCanvas(fig)
    columns = ["rule", "node", "severity", "day_end", "alert_day", "value"]

    def render(stream: str, window_days: int, psi_threshold: float, consecutive: int):
        data = cache[(stream, window_days)]
        ev = events.get(stream)
        x = data["x"]
        canvas.restore()
        rows = []
        for rule, line, thr, fired, onset in artists:
            threshold = float(psi_threshold) if rule.name == psi_rule else rule.threshold
            y = data[rule.metric]
            hit = consecutive_breaches(
                y, threshold, direction=rule.direction, consecutive=int(consecutive)
            )
            line.set_data(x, y)
            thr.set_ydata([threshold, threshold])
            fired.set_data(x[hit] + rule.delay_days, np.full(int(hit.sum()), 0.95))
            onset.set_xdata([ev.onset_day] * 2 if ev is not None else [-10, -10])
            for artist in (line, thr, fired, onset):
                artist.axes.draw_artist(artist)
            for i in np.flatnonzero(hit):
                end = data["day_end"][i]
                rows.append((rule.name, rule.node, rule.severity, end, end + rule.delay_days, y[i]))
        rows.sort(key=lambda r: (r[4], _SEVERITY_RANK[r[2]]))
        image = canvas.png(mode="RGB")
        if ev is None:
            head = f"**{stream}**: no injected event (control) — false alarms: **{len(rows)}**"
        else:
            before = sum(r[4] < ev.onset_day for r in rows)
            meant = None if expected_rules is None else set(expected_rules.get(ev.name, ()))
            after = [r for r in rows if r[4] >= ev.onset_day and (meant is None or r[0] in meant)]
            found = (
                "**not detected**"
                if not after
                else f"detected by `{after[0][0]}` after **{after[0][4] - ev.onset_day:g} day(s)**"
            )
            head = (
                f"**{stream}**: `{ev.name}` from day {ev.onset_day} — {found}; "
                f"false alarms before the onset: **{before}**"
            )
        head += (
            f"  \n{window_days}-day windows, PSI threshold {psi_threshold:.2f}, "
            f"{consecutive} consecutive window(s). Alert day = window end + label delay."
        )
        table = pd.DataFrame(rows, columns=columns).round(3)
        return head, image, table

    return render


def dashboard_controls(
    streams,
    *,
    stream: str | None = None,
    window_options=(1, 2, 3, 7),
    window_days: int = 1,
    psi_threshold: float = 0.25,
    consecutive: int = 2,
    psi_range: tuple = (0.05, 1.0, 0.05),
    max_consecutive: int = 5,
) -> dict:
    """Build the controls of the interactive panel of :func:`dashboard_renderer`.

    Parameters
    ----------
    streams : sequence of str
        Stream keys offered (the keys of :func:`panel_tables`' events).
    stream : str or None, default=None
        Stream shown first; None: the first of `streams`.
    window_options : sequence of int, default=(1, 2, 3, 7)
        Window lengths offered, in days.
    window_days : int, default=1
        Window length shown first, one of `window_options`.
    psi_threshold : float, default=0.25
        PSI threshold shown first.
    consecutive : int, default=2
        Windows in a row shown first.
    psi_range : (float, float, float), default=(0.05, 1.0, 0.05)
        Minimum, maximum and step of the PSI-threshold slider.
    max_consecutive : int, default=5
        Largest number of consecutive windows offered.

    Returns
    -------
    dict of str to ipywidgets.Widget
        ``stream`` (dropdown), ``window_days`` (selection slider), ``psi_threshold`` (float
        slider) and ``consecutive`` (int slider): the arguments of the ``render`` function, for
        :func:`mlkit.widgets.show_panel`.

    Examples
    --------
    >>> controls = dashboard_controls(["control", "data_drift @ 1"], stream="data_drift @ 1")
    >>> list(controls), controls["stream"].value
    (['stream', 'window_days', 'psi_threshold', 'consecutive'], 'data_drift @ 1')
    """
    import ipywidgets as widgets

    streams = list(streams)
    low, high, step = psi_range
    return {
        "stream": widgets.Dropdown(
            options=streams, value=streams[0] if stream is None else stream, description="stream"
        ),
        "window_days": widgets.SelectionSlider(
            options=window_options, value=window_days, description="window (d)"
        ),
        "psi_threshold": widgets.FloatSlider(
            value=psi_threshold, min=low, max=high, step=step, description="PSI thr."
        ),
        "consecutive": widgets.IntSlider(
            value=consecutive, min=1, max=max_consecutive, description="consecutive"
        ),
    }
