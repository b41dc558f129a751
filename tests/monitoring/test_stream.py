"""Units of the replayed stream: events, simulated requests, serving (``mlkit/monitoring/_stream.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from mlkit import monitoring as mon


def test_make_events_and_event_rules():
    events = mon.make_events(0.5)
    assert events["control"] is None
    real = {k: e for k, e in events.items() if e is not None}
    assert {e.kind for e in real.values()} == {"data_drift", "concept_drift", "pipeline_fault"}
    assert events["data_drift"].share == 0.5 and events["concept_drift"].share == 0.25
    assert {e.name for e in real.values()} == set(mon.EVENT_RULES)
    assert [e.onset_day for e in real.values()] == [10, 12, 14]
    with pytest.raises(ValueError, match="'strength' parameter of make_events"):
        mon.make_events(1.5)


def test_simulated_stream_is_seeded_and_injects_events(toy_pool):
    pool = toy_pool
    ev = mon.StreamEvent("mic", "data_drift", 5, mix={"low_bandwidth": 1.0})
    a = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=10, event=ev, random_state=3)
    b = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=10, event=ev, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    heard = a[a["variant"] != "silent"]
    assert (heard.loc[heard["day"] < 5, "variant"] == "clean").all()
    assert (heard.loc[heard["day"] >= 5, "variant"] == "low_bandwidth").all()
    assert (a.loc[a["labelled"], "label_day"] == a.loc[a["labelled"], "day"] + 2).all()


def test_concept_drift_changes_labels_not_inputs(toy_pool):
    pool = toy_pool
    swap = {1: 7, 7: 1}
    ev = mon.StreamEvent("keys", "concept_drift", 3, share=1.0, label_map=swap)
    req = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=6, event=ev, random_state=0)
    served = mon.serve_requests(req, pool, versions={0: "v1"})
    after = served[(served["day"] >= 3) & served["y_true"].isin([1, 7])]
    before = served[(served["day"] < 3) & served["y_true"].isin([1, 7])]
    assert before["correct"].mean() == 1.0 and after["correct"].mean() == 0.0
    assert set(served["variant"]) <= {"clean", "silent"}


def test_answered_requests_and_stream_counts():
    s = pd.DataFrame(
        {
            "error": [False, True, False, False],
            "silent": [False, False, True, False],
            "labelled": [True, False, False, True],
            "affected": [False, False, True, True],
        }
    )
    assert mon.answered_requests(s).index.tolist() == [0, 3]
    counts = mon.stream_counts({"a": s, "b": s.iloc[:1]})
    assert counts.to_dict("index") == {
        "a": {"requests": 4, "labelled": 2, "affected": 2},
        "b": {"requests": 1, "labelled": 1, "affected": 0},
    }


def test_stream_seeds_cover_the_events_and_calibration():
    assert set(mon.make_events()) | {"calibration"} == set(mon.STREAM_SEEDS)
    assert len(set(mon.STREAM_SEEDS.values())) == len(mon.STREAM_SEEDS)
