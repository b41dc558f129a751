"""Label noise and its learning curves (mlkit.data._label_noise)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlkit import data
from tests.data._util import FAST


@FAST
@given(
    arrays(np.int64, st.integers(2, 60), elements=st.integers(0, 4)),
    st.floats(0, 1),
    st.integers(0, 1000),
)
def test_add_label_noise_flips_exactly(y, rate, seed):
    if np.unique(y).size < 2 and round(rate * y.size) > 0:
        with pytest.raises(ValueError, match="at least 2 classes"):
            data.add_label_noise(y, noise_rate=rate, random_state=seed)
        return
    noisy = data.add_label_noise(y, noise_rate=rate, random_state=seed)
    assert (noisy != y).sum() == round(rate * y.size)
    assert set(noisy) <= set(y)


def test_label_noise_learning_curves_small_vs_large():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(5), 300)
    X = rng.normal(0, 1, size=(5, 30))[y] + rng.normal(0, 3.0, size=(y.size, 30))
    curves = data.label_noise_learning_curves(
        X, y, noise_rates=(0.0, 0.3), train_sizes=(50, 1.0), n_repeats=2, random_state=0
    )
    assert list(curves.columns) == ["noise_rate", "n_train", "score_mean", "score_std"]
    gap = curves.pivot(index="n_train", columns="noise_rate", values="score_mean")
    drop = gap[0.0] - gap[0.3]
    assert drop.iloc[0] > drop.iloc[-1]
    with pytest.raises(ValueError, match="'train_sizes' parameter"):
        data.label_noise_learning_curves(X, y, train_sizes=(5000,))


def _curves(scores):
    """Curves for sizes 10 and 100 and rates 0, 0.1, 0.3 from {rate: (small, large)}."""
    rows = [
        {"noise_rate": r, "n_train": n, "score_mean": s, "score_std": 0.0}
        for r, pair in scores.items()
        for n, s in zip((10, 100), pair, strict=True)
    ]
    return pd.DataFrame(rows)


def test_plot_learning_curves_one_line_per_rate():
    curves = pd.DataFrame(
        {
            "noise_rate": [0, 0, 0.3, 0.3],
            "n_train": [10, 20, 10, 20],
            "score_mean": [0.5, 0.8, 0.4, 0.7],
            "score_std": [0.1] * 4,
        }
    )
    ax = data.plot_learning_curves(curves)
    assert len(ax.lines) == 2
    assert ax.get_xlabel() == "training clips (log scale)"


def test_chance_accuracy():
    assert data.chance_accuracy([0, 1, 1, 2]) == 0.5
    assert data.chance_accuracy(["a"]) == 1.0
    with pytest.raises(ValueError, match="at least one label"):
        data.chance_accuracy([])


def test_noise_gap_table_drops():
    gap = data.noise_gap_table(
        _curves({0.0: (0.6, 0.9), 0.1: (0.5, 0.88), 0.3: (0.4, 0.85)}), chance=0.1
    )
    assert gap.loc[10, "drop at 30%"] == pytest.approx(0.2)
    assert gap.loc[10, "relative drop at 30%"] == pytest.approx(0.2 / 0.5)
    assert gap.loc[100, "drop at 10%"] == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("scores", "says"),
    [
        ({0.0: (0.6, 0.9), 0.3: (0.4, 0.85)}, "in absolute *and* relative terms"),
        ({0.0: (0.3, 0.9), 0.3: (0.2, 0.75)}, "it has less to lose"),
        ({0.0: (0.6, 0.9), 0.3: (0.58, 0.7)}, "does **not** show"),
    ],
)
def test_describe_label_noise_verdicts(scores, says):
    gap = data.noise_gap_table(_curves(scores), chance=0.1, noise_rates=(0.3,))
    text = data.describe_label_noise(gap, chance=0.1)
    assert says in text
    assert text.startswith("30% label noise costs **")
    assert ("barely above chance" in text) == (scores[0.0][0] - 0.1 < 0.1)


def test_class_balance_table():
    table = data.class_balance_table(
        {"a": (np.repeat([0, 1], [8, 2]), "binary"), "b": ([3, 3, 4], "digits")}
    )
    assert table["a"].tolist() == [10, 2, "binary"]
    assert table.loc["rows of the rarest class", "b"] == 1
    with pytest.raises(ValueError, match="labels for 'c'"):
        data.class_balance_table({"c": ([], "none")})


def test_clean_half_advantage_and_rare_noise_text():
    gap = pd.DataFrame(
        {0.0: [0.8, 0.9], 0.1: [0.7, 0.75], 0.3: [0.6, 0.85]}, index=pd.Index([50, 100])
    )
    adv = data.clean_half_advantage(gap)
    assert adv == pytest.approx({0.1: 0.05, 0.3: -0.05})
    text = data.describe_rare_noise(gap, positive_share=0.05)
    assert "turn about 10 negatives into fake positives next to about 5 real ones" in text
    assert text.endswith("cleaning the labels beats doubling the rows at 10% noise.")
    gap[0.1] = [0.7, 0.95]
    text = data.describe_rare_noise(gap, positive_share=0.05)
    assert text.endswith("here doubling the rows beats cleaning them, at both noise levels.")


def _raw(small_gaps, large_gaps):
    rows = []
    for rep, (gs, gl) in enumerate(zip(small_gaps, large_gaps, strict=True)):
        for n, clean, gap in ((20, 0.6, gs), (200, 0.9, gl)):
            rows += [
                {"noise_rate": 0.0, "n_train": n, "repeat": rep, "score": clean},
                {"noise_rate": 0.3, "n_train": n, "repeat": rep, "score": clean - gap},
            ]
    return pd.DataFrame(rows)


def test_noise_drops_by_seed_per_repeat():
    drops = data.noise_drops_by_seed(_raw([0.2, 0.1], [0.05, 0.05]), chance=0.1)
    assert drops["gap_diff"].round(3).tolist() == [0.15, 0.05]
    assert drops["rel_drop_small_n"].round(3).tolist() == [0.4, 0.2]
    with pytest.raises(ValueError, match="noise rates 0.0 and 0.1"):
        data.noise_drops_by_seed(_raw([0.2], [0.1]), chance=0.1, rate=0.1)


def test_seed_interval_matches_scipy_and_needs_two_seeds():
    from scipy import stats

    v = [0.1, 0.3, 0.2, 0.25, 0.05]
    got = data.seed_interval(v)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(v), scale=stats.sem(v))
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high))
    assert got["n_positive"] == 5
    with pytest.raises(ValueError, match="at least 2 seeds"):
        data.seed_interval([0.1])


@pytest.mark.parametrize(
    ("small", "large", "verdict"),
    [
        (
            [0.20, 0.22, 0.21, 0.19, 0.2],
            [0.05, 0.06, 0.05, 0.04, 0.05],
            "costs **more at small n**",
        ),
        (
            [0.05, 0.06, 0.05, 0.04, 0.05],
            [0.20, 0.22, 0.21, 0.19, 0.2],
            "costs **more at large n**",
        ),
        ([0.3, 0.0, 0.1, 0.02, 0.2], [0.1, 0.1, 0.1, 0.1, 0.1], "cannot be told apart"),
    ],
)
def test_describe_label_noise_over_seeds_says_what_holds(small, large, verdict):
    intervals = data.noise_drop_intervals(data.noise_drops_by_seed(_raw(small, large), chance=0.1))
    text = data.describe_label_noise_over_seeds(intervals, n_small=20, n_large=200)
    assert (
        f"In absolute points, noise {verdict}" in text or f"small and large n **{verdict}" in text
    )
    metrics = data.noise_interval_metrics(intervals)
    assert len(metrics) == 18
    assert metrics["noise_gap_diff_ci_low"] <= metrics["noise_gap_diff_mean"]


def test_per_repeat_curves_average_to_the_default():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    X = rng.normal(0, 1, size=(3, 5))[y] + rng.normal(0, 1.0, size=(y.size, 5))
    kw = dict(noise_rates=(0.0, 0.3), train_sizes=(30, 1.0), n_repeats=2, random_state=0)
    raw = data.label_noise_learning_curves(X, y, per_repeat=True, **kw)
    assert set(raw["repeat"]) == {0, 1}
    pd.testing.assert_frame_equal(
        data.mean_curves(raw), data.label_noise_learning_curves(X, y, **kw)
    )
