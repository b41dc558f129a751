"""Units of the alert rules: consecutive windows, evaluation, tuning, scoring against the ground truth (``mlkit/monitoring/_alerts.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon

# ----------------------------------------------------------------------------- alert rules


@pytest.mark.parametrize(
    ("values", "consecutive", "direction", "expected"),
    [
        ([0, 1, 1, 1, 0, 1, 1], 2, "above", [0, 0, 1, 0, 0, 0, 1]),
        ([0, 1, 1, 1, 0, 1, 1], 1, "above", [0, 1, 0, 0, 0, 1, 0]),
        ([0, 1, 1, 1, 0, 1, 1], 3, "above", [0, 0, 0, 1, 0, 0, 0]),
        ([1, 1, np.nan, 1, 1], 2, "above", [0, 1, 0, 0, 1]),
        ([1, 0, 0, 1], 2, "below", [0, 0, 1, 0]),
        ([0.5, 0.5], 1, "above", [0, 0]),  # equal to the threshold is not a breach
    ],
)
def test_consecutive_breaches(values, consecutive, direction, expected):
    got = mon.consecutive_breaches(values, 0.5, direction=direction, consecutive=consecutive)
    assert got.astype(int).tolist() == expected


def test_evaluate_alerts_delay_and_order():
    metrics = pd.DataFrame(
        {"day_end": np.arange(6), "psi": [0, 0.3, 0.3, 0.3, 0, 0], "acc": [1, 1, 0.5, 0.5, 1, 1]}
    )
    rules = [
        mon.AlertRule("acc_low", "acc", 0.8, "below", 2, "critical", delay_days=2),
        mon.AlertRule("psi_high", "psi", 0.25, "above", 2, "warning", node="input"),
    ]
    alerts = mon.evaluate_alerts(metrics, rules)
    assert alerts[["rule", "day_end", "alert_day"]].values.tolist() == [
        ["psi_high", 2.0, 2.0],
        ["acc_low", 3.0, 5.0],
    ]
    with pytest.raises(ValueError, match="watches 'nope'"):
        mon.evaluate_alerts(metrics, [mon.AlertRule("x", "nope", 1.0)])
    with pytest.raises(ValueError, match=r"Got columns \['psi', 'acc'\]\. Build the table"):
        mon.evaluate_alerts(metrics.drop(columns="day_end"), rules)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"direction": "up"}, "'direction' parameter of AlertRule must be one of"),
        ({"severity": "page"}, "'severity' parameter of AlertRule must be one of"),
        ({"consecutive": 0}, "'consecutive' parameter of AlertRule must be an int in"),
    ],
)
def test_alert_rule_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mon.AlertRule("r", "m", 1.0, **kwargs)


def test_calibrate_threshold():
    assert mon.calibrate_threshold([0.1, 0.2, 0.3]) == pytest.approx(0.35)
    assert mon.calibrate_threshold([0.9, 0.95, 1.0], direction="below") == pytest.approx(0.875)
    assert mon.calibrate_threshold([0.01, 0.02], floor=0.25) == 0.25
    assert mon.calibrate_threshold([0.99, 1.0], direction="below", floor=0.9) == 0.9
    with pytest.raises(ValueError, match="at least one finite value"):
        mon.calibrate_threshold([np.nan])


def test_alert_summary_counts_false_alarms_and_delay():
    ev = mon.StreamEvent("fault", "pipeline_fault", 10)
    a = pd.DataFrame(
        {
            "rule": ["r1", "r2", "r3"],
            "node": ["x", "vad", "rec"],
            "severity": ["warning", "critical", "warning"],
            "alert_day": [4.0, 12.0, 12.0],
        }
    )
    s = mon.alert_summary(
        {"s": a, "c": a}, {"s": ev, "c": None}, expected_rules={"fault": ["r2", "r3"]}
    )
    assert s.loc["s", "false_alarms"] == 1
    assert s.loc["s", "delay_days"] == 2
    assert s.loc["s", "first_rule"] == "r2"  # tie on the day: the critical one
    assert s.loc["c", "false_alarms"] == 3


@pytest.mark.parametrize(
    ("expected", "detected", "first_rule", "delay", "other"),
    [
        (["input_psi"], True, "input_psi", 5.0, 1),
        (["throughput_low", "input_psi"], True, "throughput_low", 1.0, 0),
        (["vad_kept_low"], False, "", np.nan, 2),
    ],
)
def test_alert_summary_counts_only_the_rules_meant_for_the_event(
    expected, detected, first_rule, delay, other
):
    ev = mon.StreamEvent("mic", "data_drift", 10, mix={"low_bandwidth": 1.0})
    a = pd.DataFrame(
        {
            "rule": ["throughput_low", "input_psi"],
            "node": ["software", "input"],
            "alert_day": [11.0, 15.0],
        }
    )
    s = mon.alert_summary({"d": a}, {"d": ev}, expected_rules={"mic": expected})
    row = s.loc["d"]
    assert row["detected"] == detected and row["first_rule"] == first_rule
    assert row["other_alerts"] == other
    assert (np.isnan(delay) and np.isnan(row["delay_days"])) or row["delay_days"] == delay
    with pytest.raises(ValueError, match=r"missing \['mic'\]"):
        mon.alert_summary({"d": a}, {"d": ev}, expected_rules={})


def _calibration():
    return pd.DataFrame(
        {
            "requests_per_day": [200.0, 140.0, 190.0],
            "error_rate": [0.0, 0.01, 0.0],
            "latency_p95_ms": [60.0, 62.0, 61.0],
            "silent_rate": [0.0, 0.01, 0.0],
            "psi_max_input": [0.05, 0.07, 0.06],
            "vad_kept_fraction": [0.98, 0.97, 0.99],
            "confidence": [0.9, 0.88, 0.89],
            "reject_rate": [0.05, 0.06, 0.05],
            "psi_y_pred": [0.03, 0.5, 0.04],
            "accuracy": [0.95, 0.93, 0.94],
        }
    )


def test_tune_rules_thresholds_floors_and_delays():
    cal = _calibration()
    rules = {r.name: r for r in mon.tune_rules(cal, consecutive=3, label_delay_days=2)}
    assert list(rules) == [
        "throughput_low",
        "error_rate_high",
        "latency_p95_high",
        "silent_rate_high",
        "input_psi",
        "vad_kept_low",
        "confidence_low",
        "reject_rate_high",
        "label_psi",
        "accuracy_low",
    ]
    assert {r.consecutive for r in rules.values()} == {3}
    assert rules["throughput_low"].threshold == mon.calibrate_threshold(
        cal["requests_per_day"], direction="below"
    )
    assert rules["input_psi"].threshold == 0.25  # the floor: healthy PSI is far lower
    assert rules["label_psi"].threshold > 0.25  # a noisy healthy stream lifts it above
    assert rules["vad_kept_low"].threshold == mon.VAD_KEPT_FLOOR
    assert rules["accuracy_low"].delay_days == 2 and rules["input_psi"].delay_days == 0
    assert (
        rules["accuracy_low"].severity == "critical" and rules["accuracy_low"].node == "recognizer"
    )


def test_tune_rules_rejects_bad_consecutive():
    with pytest.raises(ValueError, match="'consecutive' parameter of AlertRule"):
        mon.tune_rules(_calibration(), consecutive=0)


def test_stream_alerts_adds_concept_drift_rows_sorted():
    rng = np.random.default_rng(0)
    n = 2000
    errors = np.r_[rng.random(n // 2) < 0.05, rng.random(n // 2) < 0.6]
    served = pd.DataFrame(
        {
            "labelled": True,
            "correct": (~errors).astype(float),
            "label_day": np.repeat(np.arange(20), n // 20),
        }
    )
    table = pd.DataFrame({"day_end": np.arange(20.0), "m": np.r_[np.zeros(15), np.ones(5)]})
    rule = mon.AlertRule("m_high", "m", 0.5, consecutive=2)
    alerts = mon.stream_alerts({"s": table, "other": table}, {"s": served}, [rule], streams=["s"])
    assert list(alerts) == ["s"]
    a = alerts["s"]
    assert set(a["rule"]) == {"m_high", "adwin_errors"}
    assert a["alert_day"].is_monotonic_increasing
    assert a.loc[a["rule"] == "adwin_errors", "node"].eq("labels").all()
