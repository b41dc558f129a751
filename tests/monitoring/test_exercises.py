"""The monitoring notebook's exercises (``mlkit/monitoring/_exercises.py``).

The namespace is built with the notebook's own mlkit calls (sections 2-5) on a synthetic
request pool, so every check reads tables, alerts and detections of the real shape.
"""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest

from mlkit import monitoring as mon
from mlkit.exercises import ConceptQuestion, Exercise, ExerciseSet
from mlkit.monitoring._exercises import ITEMS, _psi_interval
from tests.conftest import ROOT

EXERCISES = [i for i in ITEMS if isinstance(i, Exercise)]
QUESTIONS = [i for i in ITEMS if isinstance(i, ConceptQuestion)]
BY_ID = {i.id: i for i in ITEMS}
VARIANTS = {  # variant -> (spectral centroid shift in Hz, error rate of the recognizer)
    "clean": (0.0, 0.03),
    "car_noise": (-40.0, 0.08),
    "car_noise_heavy": (-80.0, 0.3),
    "low_bandwidth": (-400.0, 0.3),
}


def _pool(n_bases=60, seed=0):
    """Every base clip in every variant and VAD state, plus one silent row, with v1 outputs."""
    rng = np.random.default_rng(seed)
    rows = [
        {"base": b, "label": b % 10, "variant": v, "vad": vad}
        for b in range(n_bases)
        for v in VARIANTS
        for vad in ("ok", "fault")
    ]
    rows.append({"base": -1, "label": -1, "variant": "silent", "vad": "ok"})
    pool = pd.DataFrame(rows)
    n = len(pool)
    shift = pool["variant"].map(lambda v: VARIANTS.get(v, (0.0, 0.0))[0]).to_numpy()
    err = pool["variant"].map(lambda v: VARIANTS.get(v, (0.0, 0.0))[1]).to_numpy()
    fault = (pool["vad"] == "fault").to_numpy()
    silent = (pool["variant"] == "silent").to_numpy()
    pool["duration_s"] = rng.uniform(0.4, 0.9, n)
    pool["rms_db"] = rng.normal(-20, 3, n)
    pool["spectral_centroid_hz"] = rng.normal(900, 60, n) + shift
    pool["spectral_bandwidth_hz"] = rng.normal(800, 50, n) + 0.8 * shift
    pool["silent"] = silent
    pool["vad_kept_fraction"] = np.where(fault, 0.5, 0.97)
    pool["vad_duration_s"] = pool["duration_s"] * pool["vad_kept_fraction"]
    pool["vad_empty"] = silent
    wrong = rng.random(n) < np.where(fault, 0.5, err)
    pool["y_pred_v1"] = np.where(
        silent, -1, np.where(wrong, (pool["label"] + 3) % 10, pool["label"])
    )
    pool["confidence_v1"] = np.where(silent, np.nan, np.where(wrong, 0.6, 0.92))
    return pool


def build_namespace(random_state=0):
    """Sections 2-5 of the notebook on the synthetic pool; the names the checks read."""
    pool = _pool(seed=random_state)
    events = mon.make_events(1.0)
    stream_kw = dict(mix=mon.REFERENCE_MIX, n_days=28, requests_per_day=200, label_fraction=0.25)
    served = mon.replay_streams(
        pool, events, seeds=mon.STREAM_SEEDS, random_state=random_state, **stream_kw
    )
    cal = served["calibration"]
    monitored = [*mon.INPUT_FEATURES, "confidence", "y_pred"]
    reference = mon.answered_requests(cal)[monitored]
    monitor = mon.DriftMonitor(n_bins=5, categorical=["y_pred"]).fit(reference)
    onset = events["data_drift"].onset_day
    drift = served["data_drift"]
    after_onset = mon.answered_requests(drift[drift["day"] >= onset])
    one_day = after_onset[after_onset["day"] == onset + 1]
    tables = {
        name: mon.window_metrics(s, monitor=monitor, reference_labels=cal["y_pred"])
        for name, s in served.items()
    }
    rules = mon.tune_rules(tables["calibration"], consecutive=2, psi_threshold=0.25)
    alerts = mon.stream_alerts(tables, served, rules, streams=events)
    detections = {
        (name, det): mon.concept_drift_alerts(served[name], detector=det)["alert_day"].tolist()
        for name in events
        for det in ("adwin", "ddm")
    }
    return {
        "np": np,
        "pd": pd,
        "mon": mon,
        "psi_threshold": 0.25,
        "consecutive_windows": 2,
        "events": events,
        "served": served,
        "reference": reference,
        "monitor": monitor,
        "onset": onset,
        "one_day": one_day,
        "one_day_scores": monitor.score(one_day[monitored]),
        "tables": tables,
        "alerts": alerts,
        "detections": detections,
    }


@pytest.fixture(scope="module")
def ns():
    return build_namespace()


def reference_answer(ns, item):
    return ExerciseSet("06", ITEMS, ns, mode="solution")._reference(item)


def test_the_notebook_has_enough_items_with_hints_and_a_prediction():
    assert len(EXERCISES) >= 4 and len(QUESTIONS) >= 3
    assert [i.id for i in EXERCISES] == [f"06.{k}" for k in range(1, len(EXERCISES) + 1)]
    assert any(i.predict for i in EXERCISES)
    for item in ITEMS:
        assert 2 <= len(item.hints) <= 3, item.id
    for item in EXERCISES:
        assert 1 <= len(item.wrong) <= 3, item.id


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_concept_keys_resolve_and_are_not_readable(question):
    key = question.key()
    assert key in question.options and 3 <= len(question.options) <= 4
    assert len(question.key_digest) == 16 and question.key_digest not in question.options
    assert f"({key})" in question.explanation


def test_solution_mode_passes_every_item(ns, capsys):
    ex = mon.exercises(ns, mode="solution")
    for i in ex.ids:
        ex.predict(i, ...)
        ex.check(i, ...)
    metrics = ex.progress_metrics()
    assert metrics["exercises_passed"] == metrics["exercises_total"] == len(ITEMS)
    assert metrics["concept_questions_total"] == len(QUESTIONS)
    assert "Traceback" not in capsys.readouterr().out


def test_solutions_leave_the_namespace_alone(ns):
    before = {k: ns[k].copy() for k in ("reference", "one_day", "one_day_scores")}
    tables = {k: t.copy() for k, t in ns["tables"].items()}
    for item in EXERCISES:
        reference_answer(ns, item)
    for k, frame in before.items():
        pd.testing.assert_frame_equal(ns[k], frame)
    for k, t in tables.items():
        pd.testing.assert_frame_equal(ns["tables"][k], t)
    assert "answer" not in ns


@pytest.mark.parametrize("item", EXERCISES, ids=lambda e: e.id)
def test_reference_passes_and_planted_wrong_answers_fail(ns, item):
    ex = mon.exercises(ns)
    ref = reference_answer(ns, item)
    ok, message = ex._judge(item, ref)
    assert ok, message
    for wrong in item.wrong:
        bad = wrong(ref) if callable(wrong) else wrong
        ok, message = ex._judge(item, bad)
        assert not ok, f"{item.id}: planted wrong answer {bad!r} passes"


@pytest.mark.parametrize("item", ITEMS, ids=lambda e: e.id)
@pytest.mark.parametrize("bad", ["0.5", math.nan, [1.0] * 7, {"a": 1}, 3])
def test_bad_input_gets_a_calm_incorrect_verdict(ns, item, bad, capsys):
    ex = mon.exercises(ns)
    if item.kind == "exercise" and item.predict:
        ex.predict(item.id, "up")
    ex.check(item.id, bad)
    out = capsys.readouterr().out
    assert f"{item.id}: incorrect" in out and "Traceback" not in out
    assert ex.status()[item.id] == "incorrect"


def test_psi_threshold_accepts_exactly_the_valid_interval(ns):
    ex = mon.exercises(ns)
    item = ex._get("06.4")
    low, high = _psi_interval(ns)
    assert low < high
    assert ex._judge(item, low)[0] and ex._judge(item, (low + high) / 2)[0]
    ok, message = ex._judge(item, low * 0.99)
    assert not ok and "control stream alerts" in message
    ok, message = ex._judge(item, high)
    assert not ok and "never alerts on the new microphone" in message


def test_psi_threshold_uses_the_notebook_consecutive_windows(ns):
    one_window = dict(ns, consecutive_windows=1)
    low_1, _ = _psi_interval(one_window)
    low_2, _ = _psi_interval(ns)
    assert low_1 == pytest.approx(ns["tables"]["control"]["psi_max_input"].max())
    assert low_1 > low_2
    ok, _ = mon.exercises(one_window)._judge(BY_ID["06.4"], (low_1 + low_2) / 2)
    assert not ok


def test_drifted_features_follow_psi_threshold(ns):
    item = BY_ID["06.1"]
    psi = ns["one_day_scores"]["psi"]
    every = psi.index.tolist()
    lenient = dict(ns, psi_threshold=float(psi.min()) - 1e-9)
    assert mon.exercises(lenient)._judge(item, every)[0]
    assert not mon.exercises(lenient)._judge(item, every[1:])[0]


def test_ddm_precision_and_recall_on_known_detections(ns):
    detections = {(k, "adwin"): [] for k in ns["events"]}
    detections |= {
        ("control", "ddm"): [3.0],
        ("data_drift", "ddm"): [2.0, 12.0],
        ("concept_drift", "ddm"): [14.0],
        ("pipeline_fault", "ddm"): [],
    }
    ex = mon.exercises(dict(ns, detections=detections))
    item = ex._get("06.6")
    assert ex._judge(item, [0.5, 2 / 3])[0]
    assert not ex._judge(item, [0.5, 0.5])[0]
    assert not ex._judge(item, [2 / 3, 0.5])[0]


def test_delays_use_only_the_rules_meant_for_each_event(ns):
    alerts = {k: a.copy() for k, a in ns["alerts"].items()}
    onset = ns["events"]["data_drift"].onset_day
    early = {"rule": "label_psi", "node": "recognizer", "severity": "warning", "alert_day": onset}
    alerts["data_drift"] = pd.concat([pd.DataFrame([early]), alerts["data_drift"]])
    ex = mon.exercises(dict(ns, alerts=alerts))
    item = ex._get("06.5")
    ref = reference_answer(dict(ns, alerts=alerts), item)
    assert ref == reference_answer(ns, item) and ex._judge(item, ref)[0]
    assert ref[0] >= 1  # two windows in a row: input_psi cannot fire on the onset day
    assert not ex._judge(item, [0.0, *ref[1:]])[0]  # the unrelated label_psi alert


def test_more_bins_raise_the_healthy_psi(ns):
    ref = reference_answer(ns, BY_ID["06.3"])
    assert ref > ns["tables"]["control"]["psi_max_input"].max()


def test_the_notebook_asks_every_item_in_order():
    nb = nbformat.read(ROOT / "notebooks" / "06_monitoring.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert 'exercise_mode: str = "learner"' in code[0]
    assert "ex = mon.exercises(globals(), mode=exercise_mode)" in code[1]
    checked = [
        line.split('"')[1]
        for src in code
        for line in src.splitlines()
        if line.startswith("ex.check(")
    ]
    assert checked == [i.id for i in ITEMS]
    predicted = [src for src in code if "ex.predict(" in src]
    assert [i.id for i in EXERCISES if i.predict] == [
        p.split('ex.predict("')[1][:4] for p in predicted
    ]
    assert code[-1].strip() == "ex.progress()"
