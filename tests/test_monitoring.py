"""Units of mlkit.monitoring: drift statistics, alert rules, concept drift, the user's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp

from mlkit import monitoring as mon

FIX = "tests/fixtures/monitoring"


# ----------------------------------------------------------------------------- PSI


def test_psi_identical_sample_is_zero():
    x = np.random.default_rng(0).normal(size=2000)
    assert mon.psi(x, x) == pytest.approx(0.0, abs=1e-12)


def test_psi_same_distribution_is_small_and_matches_null_level():
    rng = np.random.default_rng(1)
    values = [mon.psi(rng.normal(size=5000), rng.normal(size=500)) for _ in range(40)]
    expected = mon.expected_null_psi(5000, 500, n_bins=10)
    assert max(values) < 0.1
    # The chi-square approximation predicts the mean PSI under no drift within 30 %.
    assert np.mean(values) == pytest.approx(expected, rel=0.3)


@pytest.mark.parametrize(("shift", "low", "high"), [(0.5, 0.1, 0.5), (1.0, 0.25, 2.0)])
def test_psi_of_shifted_normal(shift, low, high):
    rng = np.random.default_rng(2)
    value = mon.psi(rng.normal(size=20000), rng.normal(loc=shift, size=20000))
    assert low < value < high


def test_psi_known_value_by_hand():
    # Reference deciles of 0..999 put 100 values per bin; the current sample fills only the
    # lowest half of the bins: p = 0.2 in bins 0-4, eps in bins 5-9.
    ref = np.arange(1000.0)
    cur = np.repeat(np.arange(0.0, 500.0, 1.0), 1)
    p_ref, p_cur = np.full(10, 0.1), np.r_[np.full(5, 0.2), np.full(5, 1e-4)]
    expected = float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))
    assert mon.psi(ref, cur) == pytest.approx(expected, rel=1e-9)


def test_psi_roughly_symmetric():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=20000), rng.normal(0.7, 1.2, size=20000)
    ab, ba = mon.psi(a, b), mon.psi(b, a)
    # Bins come from the reference, so PSI is not exactly symmetric, but close.
    assert ab > 0.25 and ba > 0.25
    assert ab == pytest.approx(ba, rel=0.3)


def test_psi_categorical():
    ref = ["a"] * 50 + ["b"] * 50
    assert mon.psi(ref, ref, categorical=True) == pytest.approx(0.0)
    expected = (0.9 - 0.5) * np.log(0.9 / 0.5) + (0.1 - 0.5) * np.log(0.1 / 0.5)
    got = mon.psi(ref, ["a"] * 90 + ["b"] * 10, categorical=True)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_bins": 1}, ValueError, "'n_bins' parameter of psi must be an int in"),
        ({"eps": 0.0}, ValueError, "'eps' parameter of psi must be a float in"),
        ({"eps": 0.5}, ValueError, "'eps' parameter of psi"),
    ],
)
def test_psi_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        mon.psi([1.0, 2.0], [1.0, 2.0], **kwargs)


def test_psi_empty_and_non_numeric():
    with pytest.raises(ValueError, match="'current' parameter of psi must hold at least one"):
        mon.psi([1.0, 2.0], [np.nan])
    with pytest.raises(TypeError, match="must be numeric"):
        mon.psi(["x", "y"], [1.0, 2.0])


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    ref=st.lists(finite, min_size=1, max_size=200),
    cur=st.lists(finite, min_size=1, max_size=200),
    n_bins=st.integers(min_value=2, max_value=20),
)
def test_psi_is_non_negative(ref, cur, n_bins):
    assert mon.psi(ref, cur, n_bins=n_bins) >= -1e-12


@settings(max_examples=60, deadline=None)
@given(sample=st.lists(finite, min_size=1, max_size=200), n_bins=st.integers(2, 20))
def test_psi_zero_for_identical_samples(sample, n_bins):
    assert mon.psi(sample, sample, n_bins=n_bins) == pytest.approx(0.0, abs=1e-12)
    shuffled = list(reversed(sample))
    assert mon.psi(sample, shuffled, n_bins=n_bins) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    ref=st.lists(st.sampled_from("abcd"), min_size=1, max_size=80),
    cur=st.lists(st.sampled_from("abcde"), min_size=1, max_size=80),
)
def test_categorical_psi_non_negative_and_js_bounded(ref, cur):
    assert mon.psi(ref, cur, categorical=True) >= -1e-12
    assert 0.0 <= mon.js_distance(ref, cur, categorical=True) <= 1.0 + 1e-12


def test_expected_null_psi_formula():
    assert mon.expected_null_psi(1000, 100, n_bins=10) == pytest.approx(9 * (1e-3 + 1e-2))
    with pytest.raises(ValueError, match="'n_current' parameter of expected_null_psi"):
        mon.expected_null_psi(10, 0)


# ----------------------------------------------------------------------------- KS, chi2, JS


def test_ks_matches_scipy():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=300), rng.normal(0.3, 1, size=200)
    ref = ks_2samp(a, b)
    assert mon.ks_test(a, b) == pytest.approx((ref.statistic, ref.pvalue))
    asymp = ks_2samp(a, b, method="asymp")
    assert mon.ks_test(a, b, method="asymp") == pytest.approx((asymp.statistic, asymp.pvalue))


def test_ks_drops_nan_and_rejects_bad_method():
    assert mon.ks_test([1.0, 2.0, np.nan, 3.0], [1.0, 2.0, 3.0]) == pytest.approx((0.0, 1.0))
    with pytest.raises(ValueError, match="'method' parameter of ks_test must be one of"):
        mon.ks_test([1.0], [2.0], method="fast")


def test_chi2_matches_scipy_contingency():
    ref = ["a"] * 30 + ["b"] * 50 + ["c"] * 20
    cur = ["a"] * 10 + ["b"] * 20 + ["c"] * 30 + ["d"] * 5
    table = np.array([[30, 50, 20, 0], [10, 20, 30, 5]])
    expected = chi2_contingency(table)
    assert mon.chi2_test(ref, cur) == pytest.approx((expected.statistic, expected.pvalue))


def test_chi2_single_category_is_no_evidence():
    assert mon.chi2_test(["a"] * 5, ["a"] * 9) == (0.0, 1.0)


def test_js_distance_base2_bounds_and_scipy():
    assert mon.js_distance(["a"] * 10, ["b"] * 10, categorical=True) == pytest.approx(1.0)
    assert mon.js_distance(["a", "b"], ["b", "a"], categorical=True) == pytest.approx(0.0)
    got = mon.js_distance(["a"] * 3 + ["b"], ["a", "b", "b", "b"], categorical=True)
    assert got == pytest.approx(jensenshannon([0.75, 0.25], [0.25, 0.75], base=2))
    rng = np.random.default_rng(5)
    value = mon.js_distance(rng.normal(size=1000), rng.normal(2, 1, size=1000))
    assert 0.5 < value <= 1.0


# ----------------------------------------------------------------------------- DriftMonitor


@pytest.fixture
def frames():
    rng = np.random.default_rng(6)
    ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b", "c"], 2000)})
    cur = pd.DataFrame(
        {
            "x": np.r_[rng.normal(size=300), rng.normal(1.5, 1, size=300)],
            "c": rng.choice(["a", "b", "c"], 600),
            "window": np.repeat([0, 1], 300),
        }
    )
    return ref, cur


def test_monitor_learns_attributes(frames):
    ref, _ = frames
    m = mon.DriftMonitor(n_bins=5).fit(ref)
    assert m.features_ == ["x", "c"]
    assert m.categorical_ == ["c"]
    assert m.bin_edges_["x"].shape == (4,)
    assert m.reference_proportions_["x"].sum() == pytest.approx(1.0)
    assert m.categories_["c"] == ["a", "b", "c"]
    assert m.n_reference_ == 2000


def test_monitor_scores_agree_with_functions(frames):
    ref, cur = frames
    m = mon.DriftMonitor(n_bins=10).fit(ref)
    s = m.score(cur)
    assert s.loc["x", "psi"] == pytest.approx(mon.psi(ref["x"], cur["x"]))
    assert s.loc["c", "psi"] == pytest.approx(mon.psi(ref["c"], cur["c"], categorical=True))
    assert s.loc["x", "js_distance"] == pytest.approx(mon.js_distance(ref["x"], cur["x"]))
    assert s.loc["x", "statistic"] == pytest.approx(ks_2samp(ref["x"], cur["x"]).statistic)
    assert s.loc["c", "p_value"] == pytest.approx(mon.chi2_test(ref["c"], cur["c"])[1])


def test_score_windows_and_psi_by_window_agree(frames):
    ref, cur = frames
    m = mon.DriftMonitor(n_bins=5).fit(ref)
    long = m.score_windows(cur)
    wide = m.psi_by_window(cur, cur["window"])
    for w in (0, 1):
        for f in ("x", "c"):
            got = long[(long["window"] == w) & (long["feature"] == f)]["psi"].item()
            assert wide.loc[w, f] == pytest.approx(got)
    x = long[long["feature"] == "x"].set_index("window")
    assert x.loc[0, "psi"] < 0.1 < 0.25 < x.loc[1, "psi"]
    assert (long["p_adjusted"] >= long["p_value"] - 1e-12).all()


def test_monitor_errors(frames):
    ref, cur = frames
    with pytest.raises(RuntimeError, match="not fitted yet"):
        mon.DriftMonitor().score(cur)
    with pytest.raises(ValueError, match="Missing \\['c'\\]"):
        mon.DriftMonitor().fit(ref).score(cur[["x"]])
    with pytest.raises(ValueError, match="names columns \\['z'\\]"):
        mon.DriftMonitor(categorical=["z"]).fit(ref)
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        mon.DriftMonitor().fit(ref.to_numpy())


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


# ----------------------------------------------------------------------------- concept drift


def test_adwin_detects_abrupt_change_not_stationary():
    rng = np.random.default_rng(7)
    stationary = (rng.random(3000) < 0.1).astype(int)
    assert mon.detect_concept_drift(stationary).size == 0
    changed = np.r_[(rng.random(1000) < 0.1), (rng.random(1000) < 0.5)].astype(int)
    hits = mon.detect_concept_drift(changed)
    assert hits.size >= 1 and 1000 <= hits[0] < 1200


def test_ddm_detects_abrupt_change():
    rng = np.random.default_rng(8)
    changed = np.r_[(rng.random(1000) < 0.1), (rng.random(1000) < 0.5)].astype(int)
    hits = mon.detect_concept_drift(changed, detector="ddm")
    assert any(1000 <= h < 1200 for h in hits)


def test_detect_concept_drift_input_errors():
    with pytest.raises(ValueError, match="must hold 0/1 values"):
        mon.detect_concept_drift([0, 2, 1])
    with pytest.raises(ValueError, match="'detector' parameter of detect_concept_drift"):
        mon.detect_concept_drift([0, 1], detector="page_hinkley")


# ----------------------------------------------------------------------------- the user's tables


def test_drift_report_on_fixtures():
    ref, cur = mon.load_drift_csvs(f"{FIX}/reference.csv", f"{FIX}/current.csv")
    report = mon.drift_report(ref, cur)
    assert list(report.index) == ["duration_s", "rms_db", "spectral_centroid_hz", "condition"]
    assert report.loc["condition", "test"] == "chi2"
    assert report.loc["duration_s", "test"] == "ks"
    assert report["drift"].to_dict() == {
        "duration_s": False,
        "rms_db": True,
        "spectral_centroid_hz": True,
        "condition": True,
    }
    assert report.loc["spectral_centroid_hz", "psi_level"] == "significant"


def test_drift_report_columns_in_any_order():
    ref, cur = mon.load_drift_csvs(f"{FIX}/reference.csv", f"{FIX}/current.csv")
    a = mon.drift_report(ref, cur)
    b = mon.drift_report(ref, cur[cur.columns[::-1]])
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("ref", "cur", "error", "match"),
    [
        ("missing.csv", "current.csv", FileNotFoundError, "'reference_csv' parameter points to"),
        ("reference.csv", "nope/current.csv", FileNotFoundError, "'current_csv' parameter"),
        ("reference.csv", "", ValueError, "'current_csv' parameter is empty. Set both"),
        ("reference.csv", "header_only.csv", ValueError, "has a header but no data rows"),
        (
            "reference.csv",
            "current_renamed_column.csv",
            ValueError,
            r"Only in reference_csv: \['rms_db'\]; only in current_csv: \['loudness_db'\]",
        ),
        (
            "reference.csv",
            "current_text_in_numeric.csv",
            TypeError,
            "'duration_s' is numeric in reference_csv but categorical in current_csv",
        ),
    ],
)
def test_load_drift_csvs_bad_input(ref, cur, error, match):
    ref_path = f"{FIX}/{ref}" if ref else ""
    cur_path = f"{FIX}/{cur}" if cur else ""
    with pytest.raises(error, match=match):
        mon.load_drift_csvs(ref_path, cur_path)


def test_load_drift_csvs_blank_file(tmp_path):
    blank = tmp_path / "blank.csv"
    blank.write_text("")
    with pytest.raises(ValueError, match="is empty. Give a CSV with a header row"):
        mon.load_drift_csvs(blank, f"{FIX}/current.csv")


@pytest.mark.parametrize(
    ("ref", "cur", "error", "match"),
    [
        (pd.DataFrame(), pd.DataFrame({"x": [1.0]}), ValueError, "'reference' table of drift"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": []}), ValueError, "'current' table"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"y": [1.0]}), ValueError, "same columns"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": ["a"]}), TypeError, "same type"),
        ([1.0], pd.DataFrame({"x": [1.0]}), TypeError, "must be a pandas DataFrame"),
        (
            pd.DataFrame({"x": [1.0]}),
            pd.DataFrame({"x": [np.nan]}),
            ValueError,
            "must hold at least one non-missing value",
        ),
    ],
)
def test_drift_report_bad_tables(ref, cur, error, match):
    with pytest.raises(error, match=match):
        mon.drift_report(ref, cur)


# ----------------------------------------------------------------------------- stream machinery


def test_vad_trim_and_input_metrics():
    sr = 8000
    t = np.arange(sr) / sr
    tone = 0.5 * np.sin(2 * np.pi * 500 * t)
    x = np.r_[np.zeros(1600), tone, np.zeros(1600)]
    kept = mon.vad_trim(x, sample_rate_hz=sr)
    assert sr <= kept.size <= sr + 2 * 160
    assert mon.vad_trim(np.zeros(800), sample_rate_hz=sr).size == 0
    m = mon.input_metrics([tone, np.zeros(800)], sample_rate_hz=sr)
    assert m.loc[0, "spectral_centroid_hz"] == pytest.approx(500, abs=5)
    assert m.loc[0, "rms_db"] == pytest.approx(10 * np.log10(0.125), abs=0.01)
    assert bool(m.loc[1, "silent"]) and np.isnan(m.loc[1, "spectral_centroid_hz"])


def _toy_pool(n_bases=20):
    rows = []
    for b in range(n_bases):
        for v in ("clean", "car_noise", "low_bandwidth"):
            for vad in ("ok", "fault") if v != "low_bandwidth" else ("ok",):
                rows.append({"base": b, "label": b % 10, "variant": v, "vad": vad})
    rows.append({"base": -1, "label": -1, "variant": "silent", "vad": "ok"})
    pool = pd.DataFrame(rows)
    rng = np.random.default_rng(0)
    n = len(pool)
    pool["duration_s"] = 0.5
    pool["rms_db"] = rng.normal(-18, 1, n)
    pool["spectral_centroid_hz"] = np.where(pool["variant"] == "low_bandwidth", 600.0, 800.0)
    pool["spectral_bandwidth_hz"] = 700.0
    pool["silent"] = pool["variant"] == "silent"
    pool["vad_duration_s"] = np.where(pool["vad"] == "fault", 0.25, 0.5)
    pool["vad_kept_fraction"] = pool["vad_duration_s"] / 0.5
    pool["vad_empty"] = pool["silent"]
    pool["y_pred_v1"] = np.where(pool["silent"], -1, pool["label"])
    pool["confidence_v1"] = np.where(pool["silent"], np.nan, 0.9)
    return pool


def test_simulated_stream_is_seeded_and_injects_events():
    pool = _toy_pool()
    ev = mon.StreamEvent("mic", "data_drift", 5, mix={"low_bandwidth": 1.0})
    a = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=10, event=ev, random_state=3)
    b = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=10, event=ev, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    heard = a[a["variant"] != "silent"]
    assert (heard.loc[heard["day"] < 5, "variant"] == "clean").all()
    assert (heard.loc[heard["day"] >= 5, "variant"] == "low_bandwidth").all()
    assert (a.loc[a["labelled"], "label_day"] == a.loc[a["labelled"], "day"] + 2).all()


def test_concept_drift_changes_labels_not_inputs():
    pool = _toy_pool()
    swap = {1: 7, 7: 1}
    ev = mon.StreamEvent("keys", "concept_drift", 3, share=1.0, label_map=swap)
    req = mon.simulate_requests(pool, mix={"clean": 1.0}, n_days=6, event=ev, random_state=0)
    served = mon.serve_requests(req, pool, versions={0: "v1"})
    after = served[(served["day"] >= 3) & served["y_true"].isin([1, 7])]
    before = served[(served["day"] < 3) & served["y_true"].isin([1, 7])]
    assert before["correct"].mean() == 1.0 and after["correct"].mean() == 0.0
    assert set(served["variant"]) <= {"clean", "silent"}


def test_window_metrics_and_serving():
    pool = _toy_pool()
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


def test_dashboard_renderer_outputs():
    pool = _toy_pool()
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
