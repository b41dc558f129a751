"""Unit tests for mlkit.scoping._data_needed: samples needed for a target accuracy."""

import math

import pytest

from mlkit.scoping import (
    NOT_REACHABLE,
    data_needed_for_target,
    describe_learning_curve,
    fit_power_law,
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
