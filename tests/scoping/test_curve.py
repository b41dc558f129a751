"""Unit tests for mlkit.scoping._curve: learning-curve table, power-law fit, band, plot."""

import numpy as np
import pandas as pd
import pytest

from mlkit.scoping import (
    extrapolation_limit,
    fit_power_law,
    learning_curve_table,
    plot_learning_curve,
    power_law_band,
    quick_model,
)
from tests.scoping._data import N, power_law_curve, speaker_specific_data


@pytest.mark.parametrize(
    ("a", "b", "c"),
    [(2.0, 0.5, 0.05), (5.0, 0.8, 0.0), (1.0, 0.3, 0.12), (0.8, 1.2, 0.02)],
)
def test_fit_power_law_recovers_known_parameters(a, b, c):
    fit = fit_power_law(N, power_law_curve(a, b, c))
    assert fit.a == pytest.approx(a, rel=1e-3)
    assert fit.b == pytest.approx(b, rel=1e-3)
    assert fit.c == pytest.approx(c, abs=1e-4)
    assert fit.asymptote_accuracy == pytest.approx(1 - c, abs=1e-4)
    assert fit.cov.shape == (3, 3)


def test_fit_power_law_with_noise_stays_close_and_sorts_input():
    err = power_law_curve(2.0, 0.5, 0.05, noise=0.003, seed=1)
    order = np.random.default_rng(0).permutation(N.size)
    fit = fit_power_law(N[order], err[order], sigma=np.full(N.size, 0.003))
    assert np.all(np.diff(fit.n_samples) > 0)
    assert fit.c == pytest.approx(0.05, abs=0.02)
    assert fit.predict_error(3200) == pytest.approx(2.0 * 3200**-0.5 + 0.05, abs=0.01)


def test_fit_power_law_does_not_change_inputs():
    n, err = N.copy(), power_law_curve(2.0, 0.5, 0.05)
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


@pytest.mark.parametrize("method", ["bootstrap", "covariance"])
def test_power_law_band_brackets_the_fit(method):
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05, noise=0.004, seed=2))
    grid = np.array([50.0, 400.0, 5000.0])
    low, high = power_law_band(fit, grid, method=method, random_state=0)
    mid = fit.predict_error(grid)
    assert np.all(low <= mid + 1e-3) and np.all(high >= mid - 1e-3)
    assert np.all(high - low >= 0)
    # The band widens beyond the measured range.
    assert (high - low)[2] >= (high - low)[1] - 1e-9


def test_power_law_band_refuses_bad_method():
    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
    with pytest.raises(ValueError, match="'method' parameter of power_law_band"):
        power_law_band(fit, [100], method="delta")


def test_learning_curve_table_on_separable_data():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    X = rng.normal(size=(120, 4)) + 3 * y[:, None]
    table = learning_curve_table(
        quick_model(), X, y, train_sizes=(0.2, 0.5, 1.0), cv=3, random_state=0
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
        learning_curve_table(quick_model(), np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match=r"same length.*groups=9"):
        learning_curve_table(quick_model(), np.zeros((10, 2)), np.zeros(10), groups=np.zeros(9))


def test_learning_curve_table_with_groups_measures_unseen_speakers():
    X, y, speaker = speaker_specific_data()
    kwargs = {"train_sizes": (0.5, 1.0), "cv": 3, "random_state": 0}
    clip_level = learning_curve_table(quick_model(), X, y, **kwargs)
    grouped = learning_curve_table(quick_model(), X, y, groups=speaker, **kwargs)
    assert clip_level["dev_accuracy"].iloc[-1] > 0.9  # the speakers' clips leak into training
    assert grouped["dev_accuracy"].iloc[-1] < 0.6  # near chance (1/3) on unseen speakers
    again = learning_curve_table(quick_model(), X, y, groups=speaker, **kwargs)
    pd.testing.assert_frame_equal(
        grouped.drop(columns="fit_time_s"), again.drop(columns="fit_time_s")
    )


def test_learning_curve_table_refuses_more_folds_than_groups():
    X, y, speaker = speaker_specific_data(n_speakers=3)
    with pytest.raises(ValueError, match=r"'cv' parameter.*Got cv=5 for 3 groups\. Pass cv=3"):
        learning_curve_table(quick_model(), X, y, groups=speaker, cv=5)


def test_plot_learning_curve_draws_fit_band_and_references():
    from matplotlib.figure import Figure

    fit = fit_power_law(N, power_law_curve(2.0, 0.5, 0.05))
    table = pd.DataFrame(
        {
            "n_samples": N,
            "train_accuracy": 1.0,
            "dev_accuracy": 1 - fit.predict_error(N),
            "dev_accuracy_std": 0.01,
        }
    )
    fig = plot_learning_curve(table, fit, target_accuracy=0.9, hlp_accuracy=0.93)
    assert isinstance(fig, Figure)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert {"target", "human-level estimate", "fitted asymptote 1 - c"} <= set(labels)
    titled = plot_learning_curve(table, fit, target_accuracy=0.9, n_max=1e5, status="uncertain")
    assert titled.axes[0].get_title().endswith("(100,000 training samples): uncertain")


@pytest.mark.parametrize(
    ("n_needed", "expected"),
    [
        (1600.0, 4000.0),  # 20x the largest measured size wins
        (5000.0, 10_000.0),  # twice the samples needed
        (float("inf"), 200_000.0),  # not reachable: capped at 2 x 1e5
        (0.0, 4000.0),
    ],
)
def test_extrapolation_limit_covers_measured_range_and_need(n_needed, expected):
    assert extrapolation_limit([50, 100, 200], n_needed) == expected


def test_extrapolation_limit_options_and_errors():
    assert extrapolation_limit(np.array([10]), 1e9, factor=1, needed_factor=1, cap=50) == 50.0
    with pytest.raises(ValueError, match="'n_needed' parameter of extrapolation_limit"):
        extrapolation_limit([10, 20], -1.0)
    with pytest.raises(ValueError, match="at least 1 values"):
        extrapolation_limit([], 10.0)


def _blobs(counts, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(y.size, 4)) + 3 * y[:, None], y


def test_learning_curve_table_names_classes_smaller_than_the_folds():
    # issue 12.10: classes of 19/19/2 with cv=5 only warned, then measured on folds without class 2
    X, y = _blobs([19, 19, 2])
    with pytest.raises(ValueError, match=r"at least cv=5 samples of every class.*2 \(2\).*cv=2"):
        learning_curve_table(quick_model(), X, y, cv=5)


def test_learning_curve_table_refuses_a_single_class():
    # issue 12.10: was sklearn's "All the 10 fits failed"
    X, y = _blobs([40])
    with pytest.raises(ValueError, match=r"at least 2 classes\. Got 1 class \(0\)"):
        learning_curve_table(quick_model(), X, y, cv=2)


def test_learning_curve_table_refuses_sizes_below_one_clip_per_class():
    # a 4-clip subset of 10 classes is what made 01_scoping -p n_clips 20 end in NaN points
    X, y = _blobs([6] * 10)
    with pytest.raises(ValueError, match=r"'train_sizes'.*between 10 \(one clip per class\)"):
        learning_curve_table(quick_model(), X, y, cv=3, train_sizes=(0.1, 1.0))
    table = learning_curve_table(quick_model(), X, y, cv=3, train_sizes=(0.5, 1.0))
    assert np.isfinite(table.drop(columns="fit_time_s").to_numpy()).all()
