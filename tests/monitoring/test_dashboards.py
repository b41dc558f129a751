"""Units of the per-window metrics, dashboards and the interactive alert panel (``mlkit/monitoring/_dashboards.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit import monitoring as mon


def test_window_metrics_and_serving(toy_pool):
    pool = toy_pool
    ev = mon.StreamEvent("vad", "pipeline_fault", 4)
    req = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=8, event=ev, random_state=1)
    served = mon.serve_requests(req, pool, versions={0: "v1"})
    assert served.loc[served["silent"], "error"].all()
    t = mon.window_metrics(served, window_days=2)
    assert t["window"].tolist() == [0, 1, 2, 3]
    assert t["day_end"].tolist() == [1, 3, 5, 7]
    assert t.loc[t["window"] < 2, "vad_kept_fraction"].min() == pytest.approx(1.0)
    assert t.loc[t["window"] >= 2, "vad_kept_fraction"].max() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no predictions for version 'v9'"):
        mon.serve_requests(req, pool, versions={0: "v9"})


def test_dashboard_renderer_outputs(toy_pool):
    pool = toy_pool
    req = mon.simulate_requests(pool, mix={"clean": 0.5, "car_noise": 0.5}, n_days=8)
    served = mon.serve_requests(req, pool, versions={0: "v1"})
    ref = served.loc[~served["error"], list(mon.INPUT_FEATURES)]
    m = mon.DriftMonitor(n_bins=5).fit(ref)
    tables = {("control", w): mon.window_metrics(served, window_days=w, monitor=m) for w in (1, 2)}
    rules = {
        "input_psi": mon.AlertRule("input_psi", "psi_max_input", 0.25, consecutive=2),
        "vad": mon.AlertRule("vad", "vad_kept_fraction", 0.9, "below"),
        "rej": mon.AlertRule("rej", "reject_rate", 0.2),
        "acc": mon.AlertRule("acc", "accuracy", 0.5, "below", delay_days=2),
    }
    render = mon.dashboard_renderer(tables, rules, {"control": None})
    head, image, table = render("control", 2, 0.01, 1)
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "false alarms" in head
    assert set(table["rule"]) <= {"input_psi"}


def test_dashboard_controls():
    controls = mon.dashboard_controls(
        ["control", "data_drift @ 1"], window_options=[1, 7], psi_threshold=0.3, consecutive=3
    )
    assert list(controls) == ["stream", "window_days", "psi_threshold", "consecutive"]
    assert controls["stream"].value == "control"  # the first stream by default
    assert controls["window_days"].options == (1, 7)
    assert controls["psi_threshold"].value == pytest.approx(0.3)
    assert (controls["consecutive"].value, controls["consecutive"].max) == (3, 5)


def test_panels_name_window_metrics(toy_pool):
    req = mon.simulate_requests(toy_pool, mix={"clean": 1.0}, n_days=4, random_state=2)
    served = mon.serve_requests(req, toy_pool, versions={0: "v1"})
    m = mon.DriftMonitor(n_bins=3, categorical=["y_pred"]).fit(
        mon.answered_requests(served)[[*mon.INPUT_FEATURES, "y_pred"]]
    )
    t = mon.window_metrics(served, monitor=m, reference_labels=served["y_pred"])
    for panels in (mon.SOFTWARE_PANELS, mon.INPUT_PANELS, mon.OUTPUT_PANELS, mon.RETRAIN_PANELS):
        assert {metric for metric, _ in panels} <= set(t.columns)


def test_plot_dashboard_draws_one_panel_per_metric(toy_pool):
    import matplotlib.pyplot as plt

    req = mon.simulate_requests(toy_pool, mix={"clean": 1.0}, n_days=4, random_state=2)
    t = mon.window_metrics(mon.serve_requests(req, toy_pool, versions={0: "v1"}))
    rule = mon.AlertRule("err", "error_rate", 0.5)
    fig = mon.plot_dashboard({"control": t}, mon.SOFTWARE_PANELS, rules=[rule], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [title for _, title in mon.SOFTWARE_PANELS]
    plt.close(fig)


def test_plot_dashboard_marks_alerts_at_the_alert_day():
    import matplotlib.pyplot as plt
    import pandas as pd

    t = pd.DataFrame(
        {
            "day_start": np.arange(6),
            "day_end": np.arange(6),
            "accuracy": [0.9, 0.9, 0.9, 0.5, 0.5, 0.9],
        }
    )
    rule = mon.AlertRule("accuracy_low", "accuracy", 0.8, "below", consecutive=2, delay_days=2)
    fig = mon.plot_dashboard({"concept_drift": t}, [("accuracy", "accuracy")], rules=[rule])
    ax = fig.axes[0]
    stream = [ln for ln in ax.lines if ln.get_label() == "concept_drift"][0]
    assert stream.get_xdata().tolist() == list(range(6))  # a window's value on its last day
    markers = [ln for ln in ax.lines if ln.get_marker() == "v" and len(ln.get_xdata())]
    # the run of breaches completes on day 4; labels arrive 2 days later: alert day 6
    assert [m.get_xdata().tolist() for m in markers] == [[6.0]]
    assert (
        markers[0].get_markeredgecolor() == "k" and markers[0].get_marker() != stream.get_marker()
    )
    assert "alert raised (x = alert day)" in [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
