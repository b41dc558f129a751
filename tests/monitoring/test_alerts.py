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
    v = [0.1, 0.2, 0.3]
    # median + z * sd, z = Phi^-1(1 - alpha / n_tests); never inside the healthy range
    assert mon.calibrate_threshold(v) == pytest.approx(0.2 + 1.644854 * 0.1, abs=1e-6)
    assert mon.calibrate_threshold(v, direction="below") == pytest.approx(0.2 - 0.1644854, abs=1e-6)
    assert mon.calibrate_threshold(v, n_tests=280) > mon.calibrate_threshold(v)
    assert mon.calibrate_threshold(v, alpha=0.5) == 0.3  # z = 0: the worst healthy window
    assert mon.calibrate_threshold([0.01, 0.02], floor=0.25) == 0.25
    assert mon.calibrate_threshold([0.99, 1.0], direction="below", floor=0.9) == 0.9


@pytest.mark.parametrize(
    ("values", "kwargs", "match"),
    [
        ([np.nan, 0.1], {}, "at least two finite values"),
        ([0.1, 0.2], {"alpha": 0.0}, "'alpha' parameter of calibrate_threshold must be in"),
        ([0.1, 0.2], {"alpha": 1.5}, "'alpha' parameter of calibrate_threshold"),
        ([0.1, 0.2], {"n_tests": 0}, "'n_tests' parameter of calibrate_threshold"),
        ([0.1, 0.2], {"consecutive": 0}, "'consecutive' parameter of calibrate_threshold"),
    ],
)
def test_calibrate_threshold_rejects(values, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mon.calibrate_threshold(values, **kwargs)


@pytest.mark.parametrize("consecutive", [1, 2])
def test_calibrated_thresholds_keep_the_false_alarm_budget(consecutive):
    # Healthy daily silent-input rates (binomial, 0.5 % of ~200 requests): with 10 rules x 28
    # windows sharing alpha = 0.05, a rule tuned on one healthy month fires on a held-out
    # healthy month far less often than with the old "worst + half its distance from the
    # median" (which has no budget: with one window it fires on a third of held-out months).
    rng = np.random.default_rng(0)

    def month():
        return rng.binomial(200, 0.005, size=28) / 200

    def fires(values, threshold):
        return mon.consecutive_breaches(values, threshold, consecutive=consecutive).any()

    old = new = 0
    for _ in range(400):
        cal, held_out = month(), month()
        worst, med = cal.max(), np.median(cal)
        old += fires(held_out, worst + 0.5 * (worst - med))
        thr = mon.calibrate_threshold(cal, n_tests=280, n_per_window=200, consecutive=consecutive)
        new += fires(held_out, thr)
    assert new / 400 < 0.05 / 10 + 0.01  # this rule's share of the budget, plus noise
    if consecutive == 1:
        assert old / 400 > 0.05


def test_count_thresholds_allow_for_the_weekly_cycle():
    # Requests per day: Poisson around 200 on weekdays, 140 on weekends. The normal spread of
    # this bimodal mixture puts the threshold at the quietest healthy day, so a held-out
    # weekend below it two days in a row pages; the Poisson quantile leaves room.
    rng = np.random.default_rng(1)
    means = np.where(np.arange(28) % 7 >= 5, 140.0, 200.0)
    normal = counted = 0
    for _ in range(300):
        cal, held_out = rng.poisson(means), rng.poisson(means)
        kw = dict(direction="below", n_tests=280, consecutive=2)
        for flag in (False, True):
            thr = mon.calibrate_threshold(cal, counts=flag, **kw)
            fired = mon.consecutive_breaches(held_out, thr, direction="below", consecutive=2)
            if flag:
                counted += fired.any()
            else:
                normal += fired.any()
    assert counted / 300 < 0.005 < 0.02 < normal / 300  # normal: most of the whole budget


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
        cal["requests_per_day"],
        direction="below",
        n_tests=30,  # 10 rules x 3 windows
        counts=True,
        consecutive=3,
    )
    # rates are held to their binomial quantile at the smallest window (140 requests)
    assert rules["silent_rate_high"].threshold == mon.calibrate_threshold(
        cal["silent_rate"], n_tests=30, n_per_window=140, consecutive=3
    )
    assert rules["input_psi"].threshold == 0.25  # the floor: healthy PSI is far lower
    assert rules["label_psi"].threshold > 0.25  # a noisy healthy stream lifts it above
    assert rules["vad_kept_low"].threshold == mon.VAD_KEPT_FLOOR
    assert rules["accuracy_low"].delay_days == 2 and rules["input_psi"].delay_days == 0
    assert (
        rules["accuracy_low"].severity == "critical" and rules["accuracy_low"].node == "recognizer"
    )


def test_tune_rules_rejects_bad_consecutive():
    with pytest.raises(ValueError, match="'consecutive' parameter of"):
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
