"""Unit tests for mlkit.scoping._data_needed: samples needed for a target accuracy."""

import math

import pytest

from mlkit.scoping import (
    ALREADY_MET,
    NOT_REACHABLE,
    REACHABLE,
    TARGET_STATUSES,
    UNCERTAIN,
    DataEstimate,
    data_needed_for_target,
    describe_learning_curve,
    fit_power_law,
    power_law_band,
)
from tests.scoping._data import N, power_law_curve


def test_data_needed_inverts_the_fit():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
    est = data_needed_for_target(fit, 0.9, random_state=0)
    # (2 / (0.10 - 0.05)) ** 2 = 1600
    assert est.reachable
    assert est.n_samples == pytest.approx(1600, rel=1e-3)
    assert est.as_record() in (1600, 1601)
    assert est.n_low <= est.n_samples * 1.01 and est.n_high >= est.n_samples * 0.99
    assert "Reachable" in est.reason


def test_data_needed_unreachable_when_asymptote_above_target_error():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.08))
    est = data_needed_for_target(fit, 0.95)
    assert not est.reachable
    assert math.isinf(est.n_samples)
    assert est.as_record() == NOT_REACHABLE == "not reachable"
    assert "asymptote" in est.reason and "0.920" in est.reason


def test_data_needed_unreachable_in_practice_above_max_n():
    fit = fit_power_law(N, power_law_curve(1.0, 0.1, 0.0))
    est = data_needed_for_target(fit, 0.9, max_n=1e6)
    assert not est.reachable and est.as_record() == NOT_REACHABLE
    assert "max_n" in est.reason


def test_data_needed_flags_far_extrapolation_and_hlp():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.0))
    est = data_needed_for_target(fit, 0.99, hlp_accuracy=0.97)
    assert est.reachable and est.n_samples > 10 * N.max()
    assert "rough guess" in est.reason
    assert "human-level" in est.reason


def test_data_needed_is_seeded():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05, noise=0.005))
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
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
    with pytest.raises(exc, match=match):
        data_needed_for_target(fit, **kwargs)


def test_describe_learning_curve_quotes_parameters_and_reason():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.08))
    est = data_needed_for_target(fit, 0.95)
    text = describe_learning_curve(fit, est)
    assert text == f"`a={fit.a:.3g}, b={fit.b:.3f}, c={fit.c:.3f}`. **{est.reason}**"
    assert "Not reachable" in text


def test_describe_learning_curve_refuses_other_estimates():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
    with pytest.raises(TypeError, match="must be a DataEstimate"):
        describe_learning_curve(fit, 1600)


# --- issue 11: verdicts that respect uncertainty --------------------------------------------


def _noisy_fit(noise=0.02, seed=1):
    return fit_power_law(N, power_law_curve(2.0, 0.5, 0.05, noise=noise, seed=seed))


def test_verdict_reachable_when_the_whole_band_reaches_the_target():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05, noise=0.001))
    est = data_needed_for_target(fit, 0.9, current_accuracy=0.7, max_n=1e5)
    assert est.status == REACHABLE and est.reachable
    assert est.band_accuracy_low >= 0.9
    assert est.reason.startswith("Reachable")


def test_verdict_not_reachable_when_no_part_of_the_band_reaches_the_target():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.08, noise=0.001))
    est = data_needed_for_target(fit, 0.95, current_accuracy=0.7, max_n=1e5)
    assert est.status == NOT_REACHABLE and not est.reachable
    assert est.band_accuracy_high < 0.95
    assert est.as_record() == NOT_REACHABLE


def test_verdict_uncertain_when_the_band_contains_the_target():
    fit = _noisy_fit()
    probe = data_needed_for_target(fit, 0.9, max_n=1e5)
    assert probe.band_accuracy_low < probe.band_accuracy_high  # a band with a width
    target = (probe.band_accuracy_low + probe.band_accuracy_high) / 2
    est = data_needed_for_target(fit, target, current_accuracy=0.5, max_n=1e5)
    # The band at the horizon is the same (same draws), so it contains the target: the old
    # code said "reachable" or "not reachable" here from the point estimate alone.
    assert est.band_accuracy_low < target <= est.band_accuracy_high
    assert est.status == UNCERTAIN
    assert est.reason.startswith("Uncertain") and "contains the target" in est.reason


def test_verdict_already_met_at_or_below_todays_accuracy():
    fit = _noisy_fit()
    est = data_needed_for_target(fit, 0.85, current_accuracy=0.86, n_evaluated=300, max_n=1e5)
    assert est.status == ALREADY_MET and est.as_record() == ALREADY_MET
    assert "95% interval" in est.reason and "300 clips" in est.reason
    # The Wilson interval of 0.86 on 300 clips reaches below 0.85: the text says so.
    assert "confirm on more clips" in est.reason
    at = data_needed_for_target(fit, 0.86, current_accuracy=0.86, max_n=1e5)
    assert at.status == ALREADY_MET
    above = data_needed_for_target(fit, 0.87, current_accuracy=0.86, max_n=1e5)
    assert above.status != ALREADY_MET


@pytest.mark.parametrize("target", [0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.99])
def test_verdict_agrees_with_the_band_at_the_horizon(target):
    fit = _noisy_fit(noise=0.015, seed=4)
    est = data_needed_for_target(fit, target, max_n=2e4, random_state=2)
    low, high = power_law_band(fit, [2e4], random_state=2)
    assert est.band_accuracy_low == pytest.approx(1 - high[0])
    assert est.band_accuracy_high == pytest.approx(1 - low[0])
    assert est.status in TARGET_STATUSES
    if est.status == REACHABLE:
        assert est.band_accuracy_low >= target
    elif est.status == NOT_REACHABLE:
        assert est.band_accuracy_high < target
    else:  # uncertain: neither the whole band reaches the target nor all of it misses
        assert est.status == UNCERTAIN
        assert not (est.reachable and est.band_accuracy_low >= target)
        assert not (not est.reachable and est.band_accuracy_high < target)


def test_data_estimate_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="'status' of DataEstimate must be one of"):
        DataEstimate(0.9, 1.0, 1.0, 1.0, True, "x", status="maybe")


def test_data_needed_refuses_bad_current_accuracy():
    fit = _noisy_fit()
    with pytest.raises(ValueError, match="'current_accuracy' parameter of data_needed"):
        data_needed_for_target(fit, 0.9, current_accuracy=1.5)
    with pytest.raises(ValueError, match="'n_evaluated' parameter of data_needed"):
        data_needed_for_target(fit, 0.9, current_accuracy=0.5, n_evaluated=0)
