"""Units of pipeline monitoring: which node alerted first (``mlkit/monitoring/_nodes.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon

RULES = [
    mon.AlertRule("vad_kept_low", "vad_kept_fraction", 0.9, "below", node="vad"),
    mon.AlertRule("confidence_low", "confidence", 0.6, "below"),
    mon.AlertRule("reject_rate_high", "reject_rate", 0.2),
    mon.AlertRule("accuracy_low", "accuracy", 0.8, "below", delay_days=2),
    mon.AlertRule("input_psi", "psi_max_input", 0.25, node="input"),
]


def _alerts(days):
    return pd.DataFrame({"rule": list(days), "alert_day": list(days.values())})


def test_pipeline_fault_delays_earliest_recognizer_rule():
    a = _alerts({"reject_rate_high": 17.0, "confidence_low": 16.0, "vad_kept_low": 15.0})
    d = mon.pipeline_fault_delays(
        pd.concat([a, _alerts({"vad_kept_low": 20.0})]), RULES, onset_day=14
    )
    assert d["vad_node"] == 1.0 and d["recognizer"] == 2.0
    assert d["recognizer_rule"] == "confidence_low"
    assert np.isnan(d["accuracy"])


def test_pipeline_fault_delays_nothing_fired():
    d = mon.pipeline_fault_delays(_alerts({"input_psi": 15.0}), RULES, onset_day=14)
    assert np.isnan(d["vad_node"]) and d["recognizer"] == np.inf
    assert d["recognizer_rule"] == "none"  # input_psi is not a recognizer rule


@pytest.mark.parametrize(
    ("vad", "rec", "order"),
    [(1.0, 2.0, "before"), (1.0, 1.0, "on the same day as"), (3.0, 1.0, "after")],
)
def test_describe_pipeline_fault_order(vad, rec, order):
    d = {"vad_node": vad, "accuracy": 3.0, "recognizer": rec, "recognizer_rule": "confidence_low"}
    text = mon.describe_pipeline_fault(d)
    assert text.startswith(f"VAD node alert after **{vad:g}** day(s), {order} the earliest")
    assert text.endswith("; accuracy alarm after 3 day(s).")


def test_describe_pipeline_fault_without_recognizer_or_accuracy_alarm():
    d = {"vad_node": 1.0, "accuracy": np.nan, "recognizer": np.inf, "recognizer_rule": "none"}
    text = mon.describe_pipeline_fault(d)
    assert "before the earliest recognizer alert (no recognizer rule fired)" in text
    assert text.endswith("; no accuracy alarm.")


def test_plot_pipeline_nodes_marks_the_alert():
    import matplotlib.pyplot as plt

    table = pd.DataFrame(
        {
            "day_start": np.arange(6),
            "day_end": np.arange(6),
            "vad_kept_fraction": [1.0, 1.0, 1.0, 0.5, 0.5, 0.5],
        }
    )
    fig = mon.plot_pipeline_nodes(table, RULES[:1], onset_day=3)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["onset", "alert raised (x = alert day); first +0 d"]
    # the alert marker sits at x = alert day (window end 3 + delay 0), as in every figure
    (marker,) = [ln for ln in fig.axes[0].lines if ln.get_marker() == "v"]
    assert marker.get_xdata().tolist() == [3.0]
    plt.close(fig)


def test_plot_pipeline_nodes_adds_the_label_delay():
    import matplotlib.pyplot as plt

    table = pd.DataFrame(
        {"day_start": np.arange(6), "day_end": np.arange(6), "accuracy": [1, 1, 1, 0.5, 0.5, 0.5]}
    )
    fig = mon.plot_pipeline_nodes(table, [RULES[3]], onset_day=3)
    (marker,) = [ln for ln in fig.axes[0].lines if ln.get_marker() == "v"]
    assert marker.get_xdata().tolist() == [5.0]  # breach on day 3, labels 2 days later
    plt.close(fig)
