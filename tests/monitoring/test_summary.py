"""Units of the notebook's results: recorded metrics and take-aways (``_summary.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from mlkit import monitoring as mon


@pytest.fixture
def results():
    events = mon.make_events()
    summary = pd.DataFrame(
        {
            "event": ["none (control)", "new_microphone", "meaning_change", "vad_fault"],
            "detected": [False, True, True, False],
            "first_rule": ["", "input_psi", "accuracy_low", ""],
            "delay_days": [np.nan, 1.0, 3.0, np.nan],
            "other_alerts": [0, 2, 0, 1],
            "false_alarms": [1, 0, 2, 0],
        },
        index=list(events),
    )
    alerts = {
        k: pd.DataFrame(
            {
                "rule": ["throughput_low", "input_psi", "label_psi"],
                "node": ["software", "input", "recognizer"],
                "alert_day": [3.0, 13.0, 14.0],
            }
        )
        for k in events
    }
    detections = {(k, "adwin"): ([5.0, 16.0] if k == "concept_drift" else []) for k in events}
    tables = {k: pd.DataFrame({"psi_max_input": [0.05, 1.23456]}) for k in events}
    fault = {
        "vad_node": 1.0,
        "accuracy": 3.0,
        "recognizer": 2.0,
        "recognizer_rule": "reject_rate_high",
    }
    retrain = {
        "before": 0.95,
        "during": 0.754,
        "after": 0.93,
        "gain": 0.176,
        "ci_low": -0.01,
        "ci_high": 0.3,
        "recovered_share": 0.898,
        "n_clips": 99,
        "confidence_level": 0.95,
    }
    return summary, events, alerts, detections, tables, fault, retrain


def _metrics(results, *, report_drift, **fault_changes):
    summary, events, alerts, detections, tables, fault, retrain = results
    return mon.summary_metrics(
        summary,
        events,
        detections=detections,
        alerts=alerts,
        tables=tables,
        pipeline_fault={**fault, **fault_changes},
        retrain=retrain,
        report=pd.DataFrame({"drift": report_drift}),
    )


def test_summary_metrics(results):
    m = _metrics(results, report_drift=[True, True, False])
    expected_names = yaml.safe_load(open("nbs_ci.yml"))["notebooks"][
        "notebooks/06_monitoring.ipynb"
    ]
    # the exercise progress metrics come from ExerciseSet.progress(), not from summary_metrics
    progress = {"exercises_total", "exercises_passed", "exercises_not_attempted"}
    progress |= {"concept_questions_total"}
    assert set(expected_names["profiles"]["ci"]["expect"]) - progress <= set(m)
    assert m["events_total"] == 3 and m["events_detected"] == 2
    assert m["false_alarms_control"] == 1 and m["false_alarms_before_onset"] == 2
    assert m["detection_delay_days_vad_fault"] == -1.0
    assert m["psi_max_drift_window"] == 1.2346
    assert m["concept_drift_detected"] is True
    assert m["concept_drift_delay_days_adwin"] == 4.0  # the detection on day 5 is before the onset
    assert m["concept_drift_input_alerts"] == 1
    assert m["pipeline_fault_first_recognizer_rule"] == "reject_rate_high"
    assert m["pipeline_fault_flagged_upstream_first"] is True
    assert m["pipeline_fault_vad_first"] is True
    assert m["accuracy_during_drift"] == 0.754 and m["drift_report_columns_drifted"] == 2
    assert (m["retrain_gain"], m["retrain_gain_ci_low"], m["retrain_gain_ci_high"]) == (
        0.176,
        -0.01,
        0.3,
    )
    assert m["retrain_recovered_share"] == 0.898
    assert not any("label_shift" in name for name in m)  # a meaning change is no label shift


@pytest.mark.parametrize(
    ("vad", "acc", "first"),
    [(1.0, 3.0, True), (3.0, 3.0, False), (1.0, np.nan, True), (np.nan, 3.0, False)],
)
def test_summary_metrics_vad_first(results, vad, acc, first):
    m = _metrics(results, report_drift=[True], vad_node=vad, accuracy=acc)
    assert m["pipeline_fault_vad_first"] is first


def test_describe_takeaways(results):
    summary, events, alerts, _, _, fault, retrain = results
    text = mon.describe_takeaways(
        summary, events, alerts=alerts, pipeline_fault=fault, retrain=retrain, alpha=0.1
    )
    assert (
        "Software rules fired 4 alert(s) across the four streams: see the software panel." in text
    )
    assert (
        "new_microphone: `input_psi` after 1 day(s); meaning_change: `accuracy_low` after 3" in text
    )
    assert "vad_fault: **not detected**" in text
    assert "the meaning change (concept drift) raised 2 alert(s)" in text  # input_psi, label_psi
    assert "alerted after 1 day(s), before the label-delayed accuracy alarm (3 day(s))" in text
    assert "it came before the earliest recognizer alert (`reject_rate_high`)" in text
    assert "False alarms: 1 on the held-out control stream, 2 before the onsets" in text
    assert "with a 10 % family-wise false-alarm budget" in text
    # the interval includes 0 here: the text must say so rather than claim a gain
    assert "0.754 during it (v1), 0.930 after retraining (v2)" in text
    assert "-0.010 to +0.300, it includes 0" in text


def test_describe_takeaways_vad_not_first(results):
    summary, events, alerts, _, _, fault, retrain = results
    fault = {**fault, "vad_node": 3.0, "accuracy": 3.0}
    text = mon.describe_takeaways(
        summary, events, alerts=alerts, pipeline_fault=fault, retrain=retrain
    )
    assert "not before the label-delayed accuracy alarm" in text
    no_acc = mon.describe_takeaways(
        summary,
        events,
        alerts=alerts,
        pipeline_fault={**fault, "accuracy": np.nan},
        retrain=retrain,
    )
    assert "the accuracy alarm never came" in no_acc
