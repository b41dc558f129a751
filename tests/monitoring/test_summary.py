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
            "event": ["none (control)", "new_microphone", "label_shift", "vad_fault"],
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
    accuracy = {"before drift (v1)": 0.95, "during drift (v1)": 0.754, "after retrain (v2)": 0.93}
    return summary, events, alerts, detections, tables, fault, accuracy


def test_summary_metrics(results):
    summary, events, alerts, detections, tables, fault, accuracy = results
    m = mon.summary_metrics(
        summary,
        events,
        detections=detections,
        alerts=alerts,
        tables=tables,
        pipeline_fault=fault,
        accuracy=accuracy,
        report=pd.DataFrame({"drift": [True, True, False]}),
    )
    expected_names = yaml.safe_load(open("nbs_ci.yml"))["notebooks"][
        "notebooks/06_monitoring.ipynb"
    ]
    assert set(expected_names["profiles"]["ci"]["expect"]) <= set(m)
    assert m["events_total"] == 3 and m["events_detected"] == 2
    assert m["false_alarms_control"] == 1 and m["false_alarms_before_onset"] == 2
    assert m["detection_delay_days_vad_fault"] == -1.0
    assert m["psi_max_drift_window"] == 1.2346
    assert m["concept_drift_detected"] is True
    assert m["concept_drift_delay_days_adwin"] == 4.0  # the detection on day 5 is before the onset
    assert m["concept_drift_input_alerts"] == 1
    assert m["pipeline_fault_first_recognizer_rule"] == "reject_rate_high"
    assert m["pipeline_fault_flagged_upstream_first"] is True
    assert m["accuracy_during_drift"] == 0.754 and m["drift_report_columns_drifted"] == 2


def test_describe_takeaways(results):
    summary, events, alerts, _, _, fault, accuracy = results
    text = mon.describe_takeaways(
        summary, events, alerts=alerts, pipeline_fault=fault, accuracy=accuracy
    )
    assert (
        "Software rules fired 4 alert(s) across the four streams\n(see the software panel)." in text
    )
    assert "new_microphone: `input_psi` after 1 day(s); label_shift: `accuracy_low` after 3" in text
    assert "vad_fault: not detected" in text
    assert "the label shift raised 2\nalert(s)" in text  # input_psi and label_psi after day 12
    assert "flagged before the first\nrecognizer alert (`reject_rate_high`)" in text
    assert "False alarms: 1 on the control\nstream, 2 before the onsets" in text
    assert "from 0.754 (during the\ndrift) to 0.930" in text
