"""Units of the drift statistics: PSI, KS, chi-square, JS distance, the DriftMonitor (``mlkit/monitoring/_drift.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp

from mlkit import monitoring as mon
from mlkit.errors import NotFittedError

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
    with pytest.raises(NotFittedError, match="not fitted yet"):
        mon.DriftMonitor().score(cur)
    with pytest.raises(ValueError, match="Missing \\['c'\\]"):
        mon.DriftMonitor().fit(ref).score(cur[["x"]])
    with pytest.raises(ValueError, match="names columns \\['z'\\]"):
        mon.DriftMonitor(categorical=["z"]).fit(ref)
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        mon.DriftMonitor().fit(ref.to_numpy())


def test_unfitted_monitor_error_is_sklearns():
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    with pytest.raises(SklearnNotFittedError):
        mon.DriftMonitor().psi_by_window(pd.DataFrame({"x": [1.0]}), [0])


# ----------------------------------------------------------------------------- notebook helpers


def _scores(psi_values):
    return pd.DataFrame({"psi": psi_values}, index=["a", "b", "c"][: len(psi_values)])


@pytest.mark.parametrize(
    ("psi_values", "beyond", "below"),
    [([0.9, 0.3, 0.01], "**a, b**", "below it: c."), ([0.01, 0.02], "**none**", "below it: a, b.")],
)
def test_describe_window_drift(psi_values, beyond, below):
    text = mon.describe_window_drift(
        _scores(psi_values), n_reference=1000, n_current=100, n_bins=5, psi_threshold=0.25
    )
    expected = mon.expected_null_psi(1000, 100, n_bins=5)
    assert text.startswith(f"Expected PSI under no drift for one day (n=100): {expected:.3f}.")
    assert f"Beyond PSI 0.25 the day after the onset: {beyond}" in text
    assert text.endswith(below)


def test_describe_window_drift_rejects_bad_sizes():
    with pytest.raises(ValueError, match="'n_current' parameter of expected_null_psi"):
        mon.describe_window_drift(_scores([0.1]), n_reference=10, n_current=0)


def test_count_rejections():
    s = pd.DataFrame(
        {"p_value": [0.001, 0.03, 0.2], "p_adjusted": [0.003, 0.045, 0.2], "psi": [0.5, 0.2, 0]}
    )
    table = mon.count_rejections({"control": s, "drift": s.iloc[:1]}, alpha=0.04)
    assert list(table.columns) == [
        "tests",
        "p < 0.04 (raw)",
        "p < 0.04 (BH-adjusted)",
        "PSI > 0.25",
    ]
    assert table.loc["control"].tolist() == [3, 2, 1, 1]
    assert table.loc["drift"].tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="'alpha' parameter of count_rejections"):
        mon.count_rejections({"control": s}, alpha=1.0)


def test_plot_drift_heatmap(frames):
    import matplotlib.pyplot as plt

    ref, cur = frames
    scores = mon.DriftMonitor(n_bins=5).fit(ref).score_windows(cur)
    fig = mon.plot_drift_heatmap(scores, onset_day=1, title="t")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 2)  # features x windows
    assert ax.get_title() == "t"
    plt.close(fig)
