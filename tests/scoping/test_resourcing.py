"""Unit tests for mlkit.scoping._resourcing: timing, latency, compute, labeling, milestones."""

import math

import numpy as np
import pandas as pd
import pytest

from mlkit.scoping import (
    NOT_REACHABLE,
    ComputeScaling,
    describe_compute,
    fit_compute_scaling,
    fit_power_law,
    labeling_effort,
    latency_percentiles,
    milestone_table,
    milestone_targets,
    plot_resources,
    time_inference,
    time_requests,
)
from tests.scoping._data import N, power_law_curve


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
    slow = fit_compute_scaling(n, 1e-2 * n**0.5)  # rises, but slower than linear: floored
    assert slow.rises and slow.slope == pytest.approx(0.5)
    assert slow.p == 1.0
    flat = fit_compute_scaling(n, [0.1, 0.1, 0.1])  # overhead only: nothing to extrapolate
    assert not flat.rises and math.isnan(flat.p)


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
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
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


def test_plot_resources_returns_a_figure():
    from matplotlib.figure import Figure

    table = pd.DataFrame({"n_samples": N, "fit_time_s": N * 1e-4})
    fig = plot_resources(np.arange(1.0, 50.0), ComputeScaling(1e-4, 1.0), table)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2


class _CountingModel:
    def __init__(self):
        self.n_calls = 0

    def predict(self, X):
        self.n_calls += 1
        return np.zeros(len(X))


def test_time_inference_cycles_through_clips():
    clips = [np.sin(np.arange(4000) * f) for f in (0.1, 0.2, 0.3)]
    model = _CountingModel()
    latency_ms, feature_ms = time_inference(
        model, clips, sample_rate_hz=8000, n_requests=7, n_feature_requests=4
    )
    assert latency_ms.shape == (7,) and feature_ms.shape == (4,)
    assert np.all(latency_ms >= 0) and np.all(feature_ms >= 0)
    assert model.n_calls == 7 + 5  # 5 warm-up calls first
    with pytest.raises(ValueError, match="must not be empty"):
        time_inference(model, [], sample_rate_hz=8000)
    with pytest.raises(ValueError, match="'n_requests' parameter of time_inference"):
        time_inference(model, clips, sample_rate_hz=8000, n_requests=0)


def test_milestone_targets_today_halfway_target():
    out = milestone_targets(0.86333, 0.95)
    assert out == {
        "M1 proof of concept (today)": 0.863,
        "M2 pilot": 0.907,
        "M3 production": 0.95,
    }
    assert list(milestone_targets(0.5, 0.9, decimals=1).values()) == [0.5, 0.7, 0.9]
    with pytest.raises(ValueError, match="'target_accuracy' parameter of milestone_targets"):
        milestone_targets(0.8, 1.0)


# --- issue 11: extrapolate compute only above the noise; milestones never easier than today ---


def test_fit_compute_scaling_refuses_to_extrapolate_flat_noise():
    rng = np.random.default_rng(0)
    n = np.array([22, 33, 45, 67, 101, 135, 180, 225])
    flat = fit_compute_scaling(n, 0.08 + rng.normal(0, 0.005, n.size), per_sample_s=0.001)
    assert not flat.rises
    assert flat.slope_ci_low <= 0 <= flat.slope_ci_high
    assert math.isnan(float(flat.predict_s(100_000)))
    assert float(flat.predict_features_s(100_000)) == pytest.approx(100.0)
    rising = fit_compute_scaling(n, 1e-3 * n * np.exp(rng.normal(0, 0.05, n.size)))
    assert rising.rises and rising.slope_ci_low > 0
    assert rising.p == pytest.approx(1.0, abs=0.15)


def test_fit_compute_scaling_cannot_test_two_points():
    two = fit_compute_scaling([100, 1000], [0.01, 0.1])
    assert not two.rises and math.isnan(two.slope_ci_low)


def test_describe_compute_says_whether_it_extrapolates():
    n = [22, 45, 101, 225]
    flat_curve = pd.DataFrame({"n_samples": n, "fit_time_s": [0.08, 0.07, 0.09, 0.08]})
    flat = fit_compute_scaling(flat_curve["n_samples"], flat_curve["fit_time_s"])
    text = describe_compute(flat, flat_curve)
    assert "do **not** rise above their noise" in text and "not extrapolated" in text
    rise_curve = pd.DataFrame({"n_samples": n, "fit_time_s": [0.022, 0.046, 0.1, 0.23]})
    rising = fit_compute_scaling(rise_curve["n_samples"], rise_curve["fit_time_s"], per_sample_s=0)
    text = describe_compute(rising, rise_curve, n_clips=1e5)
    assert "rise above their noise" in text and "min** for 100,000 clips" in text
    with pytest.raises(TypeError, match="'compute' parameter of describe_compute"):
        describe_compute({"k": 1}, flat_curve)


def test_milestone_table_leaves_compute_empty_when_not_extrapolated():
    fit, _ = _plan_inputs()
    flat = fit_compute_scaling([22, 45, 101, 225], [0.08, 0.07, 0.09, 0.08])
    plan = milestone_table(
        fit,
        {"M1": 0.8, "M2": 0.85},
        n_available=100,
        p95_latency_ms=5.0,
        latency_budget_ms=100.0,
        compute=flat,
        value_per_success=0.5,
        mean_cost_per_error=2.0,
        seconds_per_label=4.0,
        n_labelers=1,
    )
    assert plan["train_compute_s"].isna().all()


@pytest.mark.parametrize("target", [0.5, 0.8, 0.8633, 0.86334])
def test_milestone_targets_already_met_are_never_easier_than_today(target):
    out = milestone_targets(0.86334, target)
    assert list(out.values()) == [0.863, 0.863, 0.863]
    assert "hold today's accuracy" in list(out)[-1]


def test_plot_resources_without_extrapolation():
    import matplotlib

    matplotlib.use("Agg")
    curve = pd.DataFrame({"n_samples": [22, 45, 101, 225], "fit_time_s": [0.08, 0.07, 0.09, 0.08]})
    flat = fit_compute_scaling(curve["n_samples"], curve["fit_time_s"], per_sample_s=0.001)
    fig = plot_resources(np.arange(1.0, 50.0), flat, curve)
    assert "not extrapolated" in fig.axes[1].get_title()


def test_fit_compute_scaling_does_not_scale_the_overhead_up():
    # 60 ms of fixed overhead plus 0.1 ms per clip: a real but shallow rise on small data.
    n = np.array([22, 33, 45, 67, 101, 135, 180, 225])
    rising = fit_compute_scaling(n, 0.06 + 1e-4 * n)
    assert rising.rises and rising.slope < 0.5
    assert rising.overhead_s == pytest.approx(0.06) and rising.k == pytest.approx(1e-4)
    # 100,000 clips: 0.06 + 10 s, not the ~50 s that scaling 60 ms of overhead linearly gives.
    assert float(rising.predict_s(100_000)) == pytest.approx(10.06)
