"""Unit tests for mlkit.scoping: learning-curve fits, business metrics, fairness, timing, plans."""

import math

import numpy as np
import pandas as pd
import pytest

from mlkit import scoping
from mlkit.scoping import (
    NOT_REACHABLE,
    ComputeScaling,
    accuracy_by_group,
    business_metrics,
    cost_matrix,
    data_needed_for_target,
    ethics_checklist,
    fit_compute_scaling,
    fit_power_law,
    labeling_effort,
    latency_percentiles,
    learning_curve_table,
    milestone_table,
    mutual_information,
    power_law_band,
    sourcing_recommendation,
    sourcing_table,
    time_requests,
)

N = np.array([25, 50, 100, 200, 400, 800, 1600])


def _curve(a, b, c, noise=0.0, seed=0, n=N):
    rng = np.random.default_rng(seed)
    return np.clip(a * n ** (-b) + c + rng.normal(0, noise, n.size), 0, 1)


# --------------------------------------------------------------------------- power law


@pytest.mark.parametrize(
    ("a", "b", "c"),
    [(2.0, 0.5, 0.05), (5.0, 0.8, 0.0), (1.0, 0.3, 0.12), (0.8, 1.2, 0.02)],
)
def test_fit_power_law_recovers_known_parameters(a, b, c):
    fit = fit_power_law(N, _curve(a, b, c))
    assert fit.a == pytest.approx(a, rel=1e-3)
    assert fit.b == pytest.approx(b, rel=1e-3)
    assert fit.c == pytest.approx(c, abs=1e-4)
    assert fit.asymptote_accuracy == pytest.approx(1 - c, abs=1e-4)
    assert fit.cov.shape == (3, 3)


def test_fit_power_law_with_noise_stays_close_and_sorts_input():
    err = _curve(2.0, 0.5, 0.05, noise=0.003, seed=1)
    order = np.random.default_rng(0).permutation(N.size)
    fit = fit_power_law(N[order], err[order], sigma=np.full(N.size, 0.003))
    assert np.all(np.diff(fit.n_samples) > 0)
    assert fit.c == pytest.approx(0.05, abs=0.02)
    assert fit.predict_error(3200) == pytest.approx(2.0 * 3200**-0.5 + 0.05, abs=0.01)


def test_fit_power_law_does_not_change_inputs():
    n, err = N.copy(), _curve(2.0, 0.5, 0.05)
    before = err.copy()
    fit_power_law(n, err)
    np.testing.assert_array_equal(err, before)
    np.testing.assert_array_equal(n, N)


@pytest.mark.parametrize(
    ("n", "err", "exc", "match"),
    [
        ([10, 20, 40], [0.5, 0.4, 0.3], ValueError, "at least 4 values"),
        ([10, 20, 20, 40], [0.5, 0.4, 0.4, 0.3], ValueError, "positive, distinct"),
        ([0, 20, 30, 40], [0.5, 0.4, 0.4, 0.3], ValueError, "positive, distinct"),
        ([10, 20, 30, 40], [0.5, 0.4, 1.3, 0.3], ValueError, r"errors in \[0, 1\]"),
        ([10, 20, 30, 40], [0.5, 0.4, np.nan, 0.3], ValueError, "finite numbers"),
        ([10, 20, 30, 40, 50], [0.5, 0.4, 0.3, 0.2], ValueError, "same length"),
        ([10, 20, 30, 40], ["a", "b", "c", "d"], TypeError, "array of numbers"),
        ([[10, 20], [30, 40]], [0.5, 0.4, 0.3, 0.2], ValueError, "1-D array"),
    ],
)
def test_fit_power_law_refuses_bad_input(n, err, exc, match):
    with pytest.raises(exc, match=match):
        fit_power_law(n, err)


def test_data_needed_inverts_the_fit():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05))
    est = data_needed_for_target(fit, 0.9, random_state=0)
    # (2 / (0.10 - 0.05)) ** 2 = 1600
    assert est.reachable
    assert est.n_samples == pytest.approx(1600, rel=1e-3)
    assert est.as_record() in (1600, 1601)
    assert est.n_low <= est.n_samples * 1.01 and est.n_high >= est.n_samples * 0.99
    assert "Reachable" in est.reason


def test_data_needed_unreachable_when_asymptote_above_target_error():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.08))
    est = data_needed_for_target(fit, 0.95)
    assert not est.reachable
    assert math.isinf(est.n_samples)
    assert est.as_record() == NOT_REACHABLE == "not reachable"
    assert "asymptote" in est.reason and "0.920" in est.reason


def test_data_needed_unreachable_in_practice_above_max_n():
    fit = fit_power_law(N, _curve(1.0, 0.1, 0.0))
    est = data_needed_for_target(fit, 0.9, max_n=1e6)
    assert not est.reachable and est.as_record() == NOT_REACHABLE
    assert "max_n" in est.reason


def test_data_needed_flags_far_extrapolation_and_hlp():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.0))
    est = data_needed_for_target(fit, 0.99, hlp_accuracy=0.97)
    assert est.reachable and est.n_samples > 10 * N.max()
    assert "rough guess" in est.reason
    assert "human-level" in est.reason


def test_data_needed_is_seeded():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05, noise=0.005))
    one = data_needed_for_target(fit, 0.9, random_state=3)
    two = data_needed_for_target(fit, 0.9, random_state=3)
    assert (one.n_low, one.n_high) == (two.n_low, two.n_high)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"target_accuracy": 1.0}, ValueError, r"target_accuracy.*\(0, 1\)"),
        ({"target_accuracy": 0.0}, ValueError, "target_accuracy"),
        ({"target_accuracy": "0.9"}, TypeError, "must be a float"),
        ({"target_accuracy": 0.9, "level": 1.5}, ValueError, "level"),
        ({"target_accuracy": 0.9, "max_n": -1.0}, ValueError, "max_n"),
        ({"target_accuracy": 0.9, "method": "magic"}, ValueError, "bootstrap"),
        ({"target_accuracy": 0.9, "n_draws": 3}, ValueError, "n_draws"),
    ],
)
def test_data_needed_refuses_bad_input(kwargs, exc, match):
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05))
    with pytest.raises(exc, match=match):
        data_needed_for_target(fit, **kwargs)


@pytest.mark.parametrize("method", ["bootstrap", "covariance"])
def test_power_law_band_brackets_the_fit(method):
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05, noise=0.004, seed=2))
    grid = np.array([50.0, 400.0, 5000.0])
    low, high = power_law_band(fit, grid, method=method, random_state=0)
    mid = fit.predict_error(grid)
    assert np.all(low <= mid + 1e-3) and np.all(high >= mid - 1e-3)
    assert np.all(high - low >= 0)
    # The band widens beyond the measured range.
    assert (high - low)[2] >= (high - low)[1] - 1e-9


def test_power_law_band_refuses_bad_method():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05))
    with pytest.raises(ValueError, match="'method' parameter of power_law_band"):
        power_law_band(fit, [100], method="delta")


def test_learning_curve_table_on_separable_data():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    X = rng.normal(size=(120, 4)) + 3 * y[:, None]
    table = learning_curve_table(
        scoping.quick_model(), X, y, train_sizes=(0.2, 0.5, 1.0), cv=3, random_state=0
    )
    assert list(table.columns) == [
        "n_samples",
        "train_accuracy",
        "dev_accuracy",
        "dev_accuracy_std",
        "dev_error",
        "fit_time_s",
    ]
    assert table["n_samples"].is_monotonic_increasing
    assert table["dev_accuracy"].iloc[-1] > 0.9
    np.testing.assert_allclose(table["dev_error"], 1 - table["dev_accuracy"])


def test_learning_curve_table_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        learning_curve_table(scoping.quick_model(), np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match=r"same length.*groups=9"):
        learning_curve_table(
            scoping.quick_model(), np.zeros((10, 2)), np.zeros(10), groups=np.zeros(9)
        )


def _speaker_specific_data(n_speakers=6, n_classes=3, per_cell=8, dim=20, seed=0):
    """Each (speaker, class) has its own random centre: learnable only for known speakers."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_speakers, n_classes, dim)) * 3
    speaker = np.repeat(np.arange(n_speakers), n_classes * per_cell)
    y = np.tile(np.repeat(np.arange(n_classes), per_cell), n_speakers)
    X = centres[speaker, y] + 0.3 * rng.normal(size=(speaker.size, dim))
    return X, y, speaker


def test_learning_curve_table_with_groups_measures_unseen_speakers():
    X, y, speaker = _speaker_specific_data()
    kwargs = {"train_sizes": (0.5, 1.0), "cv": 3, "random_state": 0}
    clip_level = learning_curve_table(scoping.quick_model(), X, y, **kwargs)
    grouped = learning_curve_table(scoping.quick_model(), X, y, groups=speaker, **kwargs)
    assert clip_level["dev_accuracy"].iloc[-1] > 0.9  # the speakers' clips leak into training
    assert grouped["dev_accuracy"].iloc[-1] < 0.6  # near chance (1/3) on unseen speakers
    again = learning_curve_table(scoping.quick_model(), X, y, groups=speaker, **kwargs)
    pd.testing.assert_frame_equal(
        grouped.drop(columns="fit_time_s"), again.drop(columns="fit_time_s")
    )


def test_learning_curve_table_refuses_more_folds_than_groups():
    X, y, speaker = _speaker_specific_data(n_speakers=3)
    with pytest.raises(ValueError, match=r"'cv' parameter.*Got cv=5 for 3 groups\. Pass cv=3"):
        learning_curve_table(scoping.quick_model(), X, y, groups=speaker, cv=5)


def test_quick_model_is_the_modeling_logreg_with_a_loose_tolerance():
    clf = scoping.quick_model().named_steps["clf"]
    assert (clf.tol, clf.max_iter, clf.solver) == (1e-3, 2000, "lbfgs")


def test_mutual_information_ranks_the_informative_feature_first():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = np.column_stack([rng.normal(size=300), y + 0.1 * rng.normal(size=300)])
    mi = mutual_information(X, y, feature_names=["noise", "signal"], random_state=0)
    assert mi.index[0] == "signal"
    assert mi.loc["signal", "mi_nats"] > 0.5
    assert mi.loc["signal", "mi_shuffled_nats"] < 0.1
    pd.testing.assert_frame_equal(
        mi, mutual_information(X, y, feature_names=["noise", "signal"], random_state=0)
    )


@pytest.mark.parametrize(
    ("X", "names", "match"),
    [
        (np.zeros(10), None, "must be 2-D"),
        (np.zeros((10, 2)), ["a"], "1 feature names for 2 columns"),
    ],
)
def test_mutual_information_refuses_bad_input(X, names, match):
    with pytest.raises(ValueError, match=match):
        mutual_information(X, np.zeros(10), feature_names=names)


# --------------------------------------------------------------------------- value


def test_cost_matrix_layers_error_predicted_and_pair_costs():
    c = cost_matrix(
        [0, 1, 2],
        error_cost=1.0,
        correct_cost=0.1,
        predicted_costs={1: 5.0},
        pair_costs={(2, 1): 9.0},
    )
    assert c.to_numpy().tolist() == [[0.1, 5.0, 1.0], [1.0, 0.1, 1.0], [1.0, 9.0, 0.1]]
    assert c.index.name == "true" and c.columns.name == "predicted"


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"error_cost": -1.0}, ValueError, "'error_cost' must be >= 0.*value_per_success"),
        ({"error_cost": 1.0, "correct_cost": -0.5}, ValueError, "'correct_cost' must be >= 0"),
        ({"error_cost": 1.0, "predicted_costs": {1: -3.0}}, ValueError, r"predicted_costs\[1\]"),
        ({"error_cost": 1.0, "pair_costs": {(0, 1): -3.0}}, ValueError, "must be >= 0"),
        ({"error_cost": 1.0, "pair_costs": {(0, 7): 3.0}}, ValueError, "names \\(0, 7\\)"),
        ({"error_cost": 1.0, "predicted_costs": {7: 3.0}}, ValueError, "names 7"),
        ({"error_cost": float("nan")}, TypeError, "finite number"),
        ({"error_cost": True}, TypeError, "finite number"),
    ],
)
def test_cost_matrix_refuses_bad_costs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cost_matrix([0, 1, 2], **kwargs)


def test_cost_matrix_refuses_duplicate_labels():
    with pytest.raises(ValueError, match="distinct labels"):
        cost_matrix([0, 0, 1], error_cost=1.0)


def test_business_metrics_on_hand_computed_confusion():
    # 3 classes, 300 requests:
    #   true 0: 80 ok, 15 -> 1, 5 -> 2
    #   true 1: 10 -> 0, 90 ok
    #   true 2: 20 -> 1, 80 ok
    cm = np.array([[80, 15, 5], [10, 90, 0], [0, 20, 80]])
    costs = cost_matrix([0, 1, 2], error_cost=2.0, predicted_costs={1: 10.0})
    out = business_metrics(cm, costs, value_per_success=0.5)
    # successes 250/300; cost = 15*10 + 5*2 + 10*2 + 20*10 = 380 per 300 requests.
    assert out["accuracy"] == pytest.approx(250 / 300)
    assert out["successful_per_1000"] == pytest.approx(1000 * 250 / 300)
    assert out["expected_cost_per_1000"] == pytest.approx(1000 * 380 / 300)
    assert out["business_value_per_1000"] == pytest.approx(1000 * (0.5 * 250 - 380) / 300)
    assert out["mean_cost_per_error"] == pytest.approx(380 / 50)


def test_business_metrics_reweights_to_the_production_prior():
    cm = np.array([[90, 10], [0, 50]])  # class 0: 10 % errors; class 1: none
    out = business_metrics(cm, [[0, 1], [1, 0]], class_prior=[1, 1])
    # 50/50 traffic: error rate 0.5 * 0.1 = 5 %.
    assert out["successful_per_1000"] == pytest.approx(950)
    assert out["expected_cost_per_1000"] == pytest.approx(50)
    assert business_metrics(cm, [[0, 1], [1, 0]], per=100)["expected_cost_per_1000"] == (
        pytest.approx(100 * 10 / 150)
    )


@pytest.mark.parametrize(
    ("cm", "costs", "kwargs", "exc", "match"),
    [
        ([[1, 2, 3]], [[0, 1, 1]], {}, ValueError, "square"),
        ([[5, 1], [1, 5]], [[0, 1, 1]], {}, ValueError, "confusion matrix's shape"),
        ([[5, -1], [1, 5]], [[0, 1], [1, 0]], {}, ValueError, "non-negative counts"),
        ([[0, 0], [0, 0]], [[0, 1], [1, 0]], {}, ValueError, "not all zero"),
        ([[5, 1], [1, 5]], [[0, -1], [1, 0]], {}, ValueError, "costs >= 0"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"value_per_success": -1.0}, ValueError, ">= 0"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"class_prior": [1, -1]}, ValueError, "class_prior"),
        ([[5, 1], [0, 0]], [[0, 1], [1, 0]], {"class_prior": [1, 1]}, ValueError, "no measured"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"per": 0}, ValueError, "'per' parameter"),
    ],
)
def test_business_metrics_refuses_bad_input(cm, costs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        business_metrics(cm, costs, **kwargs)


def test_accuracy_by_group_worst_first_with_overall():
    t = accuracy_by_group([1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 1, 1], ["a", "a", "a", "b", "b", "b"])
    assert list(t.index) == ["b", "a", "overall"]
    assert t.loc["b", "accuracy"] == pytest.approx(1 / 3)
    assert t.loc["overall", "gap"] == 0
    assert t.loc["b", "gap"] == pytest.approx(1 / 3 - 4 / 6)
    assert t["n_samples"].tolist() == [3, 3, 6]


def test_accuracy_by_group_refuses_bad_input():
    with pytest.raises(ValueError, match="same length"):
        accuracy_by_group([1, 2], [1], ["a", "b"])
    with pytest.raises(ValueError, match="at least one sample"):
        accuracy_by_group([], [], [])


def _meta(speakers, accents):
    return pd.DataFrame({"speaker": speakers, "accent": accents})


def test_ethics_checklist_flags_a_worse_speaker_and_name_like_ids():
    y = np.zeros(60, dtype=int)
    y_pred = y.copy()
    y_pred[:10] = 1  # jackson: 10 of 20 wrong
    meta = _meta(["jackson"] * 20 + ["s02"] * 20 + ["s03"] * 20, ["US"] * 30 + ["GB"] * 30)
    table = ethics_checklist(y, y_pred, metadata=meta, max_gap=0.05)
    assert set(table.columns) == {"area", "item", "evidence", "status"}
    rows = table.set_index("item")
    assert rows.loc["accuracy across speaker", "status"] == "review"
    assert "'jackson'" in rows.loc["accuracy across speaker", "evidence"]
    assert rows.loc["accuracy across gender", "status"] == "open"  # column absent
    assert rows.loc["speaker IDs are pseudonymous", "status"] == "review"
    assert (table["area"] == "privacy").sum() >= 4


def test_ethics_checklist_ok_when_groups_are_equal():
    y = np.arange(80) % 10
    meta = _meta([f"s{i % 4:02d}" for i in range(80)], ["US", "GB"] * 40)
    table = ethics_checklist(y, y, metadata=meta, group_columns=("speaker", "accent"))
    rows = table.set_index("item")
    assert rows.loc["accuracy across speaker", "status"] == "ok"
    assert rows.loc["speaker IDs are pseudonymous", "status"] == "ok"


def test_ethics_checklist_flags_small_groups_and_bad_gap():
    y = np.zeros(30, dtype=int)
    meta = _meta(["s01"] * 25 + ["s02"] * 5, ["US"] * 30)
    table = ethics_checklist(y, y, metadata=meta, min_group_size=20).set_index("item")
    assert table.loc["accuracy across speaker", "status"] == "review"
    assert "under 20 samples" in table.loc["accuracy across speaker", "evidence"]
    assert table.loc["accuracy across accent", "status"] == "open"  # one group only
    with pytest.raises(ValueError, match="'max_gap' parameter of ethics_checklist"):
        ethics_checklist(y, y, metadata=meta, max_gap=2.0)


# --------------------------------------------------------------------------- resourcing


def test_latency_percentiles_match_numpy():
    lat = np.arange(1, 101, dtype=float)
    out = latency_percentiles(lat)
    assert out["p50_ms"] == pytest.approx(50.5)
    assert out["p95_ms"] == pytest.approx(95.05)
    assert out["p99_ms"] == pytest.approx(99.01)
    assert out["mean_ms"] == pytest.approx(50.5)
    assert out["n_requests"] == 100
    assert latency_percentiles([3.0])["p95_ms"] == 3.0


@pytest.mark.parametrize(
    ("lat", "pct", "match"),
    [
        ([], (50,), "at least 1 values"),
        ([1.0, -2.0], (50,), r"times >= 0 ms"),
        ([1.0, np.inf], (50,), "finite"),
        ([1.0, 2.0], (50, 101), r"values in \[0, 100\]"),
    ],
)
def test_latency_percentiles_refuses_bad_input(lat, pct, match):
    with pytest.raises(ValueError, match=match):
        latency_percentiles(lat, percentiles=pct)


def test_time_requests_times_each_call_after_warmup():
    calls = []
    out = time_requests(calls.append, [1, 2, 3], n_warmup=2)
    assert calls == [1, 2, 1, 2, 3]
    assert out.shape == (3,) and np.all(out >= 0)
    with pytest.raises(TypeError, match="must be callable"):
        time_requests(42, [1])
    with pytest.raises(ValueError, match="must not be empty"):
        time_requests(print, [])


def test_fit_compute_scaling_recovers_exponent_and_floors_it():
    n = np.array([100, 1000, 10_000])
    quad = fit_compute_scaling(n, 1e-6 * n**2.0, per_sample_s=0.001)
    assert quad.p == pytest.approx(2.0)
    assert float(quad.predict_s(100_000)) == pytest.approx(1e-6 * 1e10 + 100)
    flat = fit_compute_scaling(n, [0.1, 0.1, 0.1])  # overhead only: floored to linear
    assert flat.p == 1.0
    assert float(flat.predict_s(1000)) == pytest.approx(0.1, rel=0.8)


@pytest.mark.parametrize(
    ("n", "t", "match"),
    [
        ([100, 100], [0.1, 0.2], "at least 2 distinct"),
        ([100, 200], [0.0, 0.2], "positive times"),
        ([100], [0.1], "at least 2 values"),
    ],
)
def test_fit_compute_scaling_refuses_bad_input(n, t, match):
    with pytest.raises(ValueError, match=match):
        fit_compute_scaling(n, t)


def test_labeling_effort_hand_computed():
    out = labeling_effort(1000, seconds_per_label=4.0, n_labelers=2, labels_per_clip=3)
    # 1000 * 3 * 4 s = 12,000 s = 3.33 h; 2 people x 6 h/day.
    assert out["label_hours"] == pytest.approx(12_000 / 3600)
    assert out["calendar_days"] == pytest.approx(12_000 / 3600 / 12)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"seconds_per_label": 0.0, "n_labelers": 1}, ValueError, "seconds_per_label"),
        ({"seconds_per_label": 4.0, "n_labelers": 0}, ValueError, "n_labelers"),
        ({"seconds_per_label": 4.0, "n_labelers": 1.5}, TypeError, "must be an int"),
        ({"seconds_per_label": 4.0, "n_labelers": 1, "hours_per_day": 25}, ValueError, "hours"),
    ],
)
def test_labeling_effort_refuses_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        labeling_effort(10, **kwargs)


def _plan_inputs():
    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05))
    compute = ComputeScaling(k=0.001, p=1.0, per_sample_s=0.0)
    return fit, compute


def test_milestone_table_from_measurements():
    fit, compute = _plan_inputs()
    plan = milestone_table(
        fit,
        {"M1": 0.85, "M2": 0.9, "M3": 0.97},
        n_available=400,
        p95_latency_ms=12.0,
        latency_budget_ms=100.0,
        compute=compute,
        value_per_success=0.5,
        mean_cost_per_error=4.0,
        seconds_per_label=3.6,
        n_labelers=1,
        days_per_iteration=2.0,
    )
    assert list(plan["milestone"]) == ["M1", "M2", "M3"]
    # M1: (2 / 0.10) ** 2 = 400 clips: nothing extra, one iteration.
    assert plan.loc[0, "training_clips"] in (400, 401)
    assert plan.loc[0, "timeline_days"] == pytest.approx(2.0, abs=0.01)
    # M2: 1600 clips -> 1200 extra x 3.6 s = 1.2 h -> 0.2 days at 6 h/day.
    assert plan.loc[1, "extra_clips"] in (1200, 1201)
    assert plan.loc[1, "label_hours"] == pytest.approx(1.2, abs=0.01)
    assert plan.loc[1, "timeline_days"] == pytest.approx(4.2, abs=0.01)
    assert plan.loc[1, "business_value_per_1000"] == pytest.approx(1000 * (0.45 - 0.4))
    assert plan.loc[1, "train_compute_s"] == pytest.approx(1.6, abs=0.01)
    assert "ok" in plan.loc[1, "software_metric"]
    # M3: asymptote 0.95 < 0.97.
    assert plan.loc[2, "training_clips"] == NOT_REACHABLE
    assert math.isnan(plan.loc[2, "timeline_days"])


def test_milestone_table_refuses_bad_input():
    fit, compute = _plan_inputs()
    common = dict(
        n_available=10,
        p95_latency_ms=1.0,
        latency_budget_ms=10.0,
        compute=compute,
        value_per_success=1.0,
        mean_cost_per_error=1.0,
        seconds_per_label=1.0,
        n_labelers=1,
    )
    with pytest.raises(ValueError, match="non-empty dict"):
        milestone_table(fit, {}, **common)
    with pytest.raises(ValueError, match=r"milestones\['M1'\]"):
        milestone_table(fit, {"M1": 1.2}, **common)
    with pytest.raises(ValueError, match="'mean_cost_per_error' must be >= 0"):
        milestone_table(fit, {"M1": 0.8}, **{**common, "mean_cost_per_error": -1.0})


def test_sourcing_table_costs_and_days():
    table = sourcing_table(3000, n_available=1000, seconds_per_label=3.6, n_labelers=2)
    rows = table.set_index("source")
    assert list(rows.index) == list(scoping.DEFAULT_SOURCES)
    assert math.isnan(rows.loc["bundled corpus", "days_to_double"])
    crowd = rows.loc["crowdsourced labels"]
    # 2000 clips x 3 labels x 3.6 s = 6 h over 20 workers x 6 h/day = 0.05 days + 3 setup.
    assert crowd["days_to_target"] == pytest.approx(3.05)
    assert crowd["cost_to_target_usd"] == pytest.approx(2000 * 0.15)
    inhouse = rows.loc["in-house recordings"]
    # 1000 clips: labeling 1 h + recording 20000 s = 5.56 h, 2 people x 6 h -> 0.546 days + 5.
    assert inhouse["days_to_double"] == pytest.approx(5 + (3600 + 20_000) / 3600 / 12)
    assert rows.loc["purchased data", "extra_clips_for_target"] == 2000


def test_sourcing_table_when_target_is_not_reachable():
    table = sourcing_table(math.inf, n_available=500, seconds_per_label=4.0, n_labelers=1)
    assert table["days_to_target"].isna().all()
    assert table["days_to_double"].notna().sum() == 3
    est = scoping.DataEstimate(0.99, math.inf, math.inf, math.inf, False, "asymptote")
    text = sourcing_recommendation(table, data_estimate=est, days_to_first_model=1.0)
    assert "first model in about 1.0 day" in text
    assert "not reachable" in text


def test_sourcing_table_refuses_incomplete_sources():
    with pytest.raises(ValueError, match="lacks"):
        sourcing_table(
            10,
            n_available=5,
            seconds_per_label=1.0,
            n_labelers=1,
            sources={"x": {"cost_per_clip_usd": 1.0}},
        )
    with pytest.raises(ValueError, match="'n_needed' parameter of sourcing_table"):
        sourcing_table(-1, n_available=5, seconds_per_label=1.0, n_labelers=1)


def test_plots_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fit = fit_power_law(N, _curve(2.0, 0.5, 0.05))
    table = pd.DataFrame(
        {
            "n_samples": N,
            "train_accuracy": 1.0,
            "dev_accuracy": 1 - fit.predict_error(N),
            "dev_accuracy_std": 0.01,
            "fit_time_s": N * 1e-4,
        }
    )
    figs = [
        scoping.plot_learning_curve(table, fit, target_accuracy=0.9, hlp_accuracy=0.93),
        scoping.plot_business_value([[5, 1], [1, 5]], [[0, 1], [1, 0]], value_per_success=0.5),
        scoping.plot_group_accuracy(accuracy_by_group([1, 0], [1, 1], ["a", "b"])),
        scoping.plot_resources(np.arange(1.0, 50.0), ComputeScaling(1e-4, 1.0), table),
        scoping.plot_mutual_information(
            pd.DataFrame(
                {"mi_nats": [0.5, 0.1], "mi_shuffled_nats": [0.01, 0.01]}, index=["a", "b"]
            )
        ),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    plt.close("all")
