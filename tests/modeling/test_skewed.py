"""Binary metrics, thresholds and the threshold view (mlkit/modeling/_skewed.py)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from mlkit import modeling as m


@pytest.fixture
def skewed():
    X, y = make_classification(
        n_samples=400, n_features=6, weights=[0.94], flip_y=0, class_sep=1.2, random_state=0
    )
    score = 1 / (1 + np.exp(-(X[:, 0] * 1.5 + np.random.default_rng(0).normal(size=400))))
    return X, y, score


def test_always_negative_is_accurate_but_useless(skewed):
    _, y, _ = skewed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        met = m.binary_metrics(y, np.zeros_like(y), y_score=np.zeros(len(y)))
    assert met["accuracy"] > 0.9
    assert met["recall"] == 0.0 and met["precision"] == 0.0 and met["f1"] == 0.0
    assert met["pr_auc"] == pytest.approx(y.mean())


def test_binary_metrics_values(skewed):
    _, y, s = skewed
    pred = (s >= 0.5).astype(int)
    met = m.binary_metrics(y, pred, y_score=s)
    assert met["tp"] + met["fn"] == y.sum()
    assert met["recall"] == pytest.approx(met["tp"] / y.sum())
    assert 0 < met["pr_auc"] <= 1


@pytest.mark.parametrize(
    ("y", "p", "score", "match"),
    [
        ([0, 0, 0], [0, 0, 0], None, "both classes"),
        ([0, 1, 2], [0, 1, 1], None, "binary"),
        ([0, 1], [0], None, "same length"),
        ([0, 1, 1], [0, 1, 1], [0.1, np.nan, 0.5], "NaN"),
    ],
)
def test_binary_metrics_bad_input(y, p, score, match):
    with pytest.raises(ValueError, match=match):
        m.binary_metrics(y, p, y_score=score)


def test_threshold_sweep_matches_direct_counts(skewed):
    _, y, s = skewed
    sweep = m.threshold_sweep(y, s, cost_fp=1, cost_fn=10)
    assert sweep["threshold"].is_monotonic_increasing
    assert np.isinf(sweep["threshold"].iloc[-1])
    for t in [sweep["threshold"].iloc[0], 0.3, 0.5, 0.81]:
        row = sweep.iloc[max(np.searchsorted(sweep["threshold"], t, side="right") - 1, 0)]
        pred = s >= row["threshold"]
        assert row["tp"] == int((pred & (y == 1)).sum())
        assert row["fp"] == int((pred & (y == 0)).sum())
        assert row["cost"] == row["fp"] + 10 * row["fn"]
    assert sweep["recall"].iloc[0] == 1.0 and sweep["recall"].iloc[-1] == 0.0


def test_threshold_for_recall_and_cost(skewed):
    _, y, s = skewed
    t = m.threshold_for_recall(y, s, target_recall=0.9)
    assert ((s >= t) & (y == 1)).sum() / y.sum() >= 0.9
    higher = np.unique(s[s > t])
    if higher.size:  # the next threshold up misses the target
        assert ((s >= higher[0]) & (y == 1)).sum() / y.sum() < 0.9
    tc = m.threshold_for_cost(y, s, cost_fp=1, cost_fn=10)
    sweep = m.threshold_sweep(y, s, cost_fp=1, cost_fn=10)
    assert sweep.loc[sweep["threshold"] == tc, "cost"].iloc[0] == sweep["cost"].min()
    # expensive misses push the threshold down
    assert m.threshold_for_cost(y, s, cost_fp=1, cost_fn=100) <= m.threshold_for_cost(
        y, s, cost_fp=1, cost_fn=1
    )


@pytest.mark.parametrize(
    ("y", "s", "kw", "match"),
    [
        ([1, 1], [0.2, 0.4], {}, "both classes"),
        ([0, 1], [0.2, np.nan], {}, "NaN"),
        ([0, 1], [0.2, 0.4], {"target_recall": 0.0}, r"target_recall.*\(0.*1\]"),
    ],
)
def test_threshold_bad_input(y, s, kw, match):
    with pytest.raises(ValueError, match=match):
        m.threshold_for_recall(y, s, **kw)


def test_plot_threshold_view_is_fast_and_closed(skewed):
    import time

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, y, s = skewed
    sweep = m.threshold_sweep(y, s)
    fig = m.plot_threshold_view(sweep, 0.5, pr_auc=0.7)
    assert len(fig.axes) == 3
    start = time.perf_counter()
    fig.canvas.draw()
    assert time.perf_counter() - start < 5  # a generous sanity bound, not a benchmark
    plt.close(fig)


def test_tune_threshold_never_looks_at_the_test_rows(skewed):
    from sklearn.linear_model import LogisticRegression

    X, y, _ = skewed
    est = LogisticRegression(max_iter=1000)
    a = m.tune_threshold(est, X, y, target_recall=0.9, test_size=0.3, random_state=0)
    assert not set(a.tune) & set(a.test) and len(a.tune) + len(a.test) == len(y)
    assert a.y_test.sum() == pytest.approx(y.sum() * 0.3, abs=1)  # stratified
    assert a.threshold_recall == m.threshold_for_recall(a.y_tune, a.score_tune, target_recall=0.9)
    want = (a.score_test >= a.threshold_recall).astype(int)
    assert a.test_metrics == m.binary_metrics(a.y_test, want, y_score=a.score_test)
    # features of the test rows changed: thresholds stay, only the test metrics move
    X2 = X.copy()
    X2[a.test] = np.random.default_rng(1).normal(size=X2[a.test].shape)
    b = m.tune_threshold(est, X2, y, target_recall=0.9, test_size=0.3, random_state=0)
    assert (b.threshold_recall, b.threshold_cost) == (a.threshold_recall, a.threshold_cost)
    assert "ThresholdChoice" in repr(a)
    with pytest.raises(ValueError, match="both classes"):
        m.tune_threshold(est, X, np.zeros_like(y))
    with pytest.raises(ValueError, match="positives in the test split"):
        m.tune_threshold(est, X[:60], np.r_[np.ones(3, int), np.zeros(57, int)], test_size=0.3)


def test_threshold_view_renderer_redraws_in_place(skewed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, y, s = skewed
    render = m.threshold_view_renderer(m.threshold_sweep(y, s))
    a, b = render(0.2), render(0.8)
    assert a.data[:8] == b"\x89PNG\r\n\x1a\n" and a.data != b.data
    assert render(0.2).data == a.data  # same threshold, same picture
    assert plt.get_fignums() == []  # nothing left for the inline backend to show twice


# --- recall with its interval, the threshold table and its sentence (issue 11.10) --------


def test_recall_interval_counts_and_exact_bounds():
    r = m.recall_interval([1] * 6 + [0] * 4, [1] * 4 + [0] * 6)
    assert (r["tp"], r["n_positive"]) == (4, 6)
    assert r["recall"] == pytest.approx(4 / 6)
    assert r["recall_ci_low"] == pytest.approx(0.2228, abs=1e-4)
    assert r["recall_ci_high"] == pytest.approx(0.9567, abs=1e-4)
    # no positive: undefined, not 0
    r0 = m.recall_interval([0, 0, 0], [0, 1, 0])
    assert r0["n_positive"] == 0 and np.isnan(r0["recall"])
    with pytest.raises(ValueError, match="confidence"):
        m.recall_interval([1, 0], [1, 0], confidence=1.5)


@pytest.fixture(scope="module")
def choice():
    from mlkit.datasets import load_rare_class

    tab = load_rare_class()
    clf = m.make_model("logreg", C=0.1, class_weight="balanced")
    return m.tune_threshold(clf, tab.X, tab.y, random_state=0)


def test_threshold_table_says_where_each_number_comes_from(choice):
    t = m.threshold_table(choice, target_recall=0.9, cost_fn=10.0)
    assert t.index[0].startswith("recall >= 0.9 on tuning OOF @")
    assert t.iloc[0]["tuning_recall"] >= 0.9  # chosen to reach the target on the tuning rows
    assert t.iloc[0]["n_positive"] == choice.y_test.sum()
    assert t.iloc[0]["recall"] == pytest.approx(choice.test_metrics["recall"])
    assert t.iloc[0]["recall_ci_low"] <= t.iloc[0]["recall"] <= t.iloc[0]["recall_ci_high"]


def test_describe_threshold_choice_reads_the_interval(choice):
    text = m.describe_threshold_choice(choice, target_recall=0.9)
    n = int(choice.y_test.sum())
    assert f"of {n}** positives" in text
    assert "neither confirm nor refute" in text
    # a target outside the interval is said to be missed, not excused by the few positives
    low = m.describe_threshold_choice(choice, target_recall=0.1)
    assert "neither confirm nor refute" not in low and "above the target" in low


def test_describe_threshold_choice_compares_with_the_default_threshold(choice):
    t = choice.threshold_recall
    tp_tuned = int(((choice.score_test >= t) & (choice.y_test == 1)).sum())
    tp_half = int(((choice.score_test >= 0.5) & (choice.y_test == 1)).sum())
    text = m.describe_threshold_choice(choice, target_recall=0.9)
    if tp_half > tp_tuned:  # the seeded split: 5 of 6 at 0.5, 4 of 6 at 0.599
        assert "The default threshold 0.5 catches more test positives" in text
        assert "too few to say" in text
    # a default above the tuned threshold can never catch more
    high = m.describe_threshold_choice(choice, target_recall=0.9, default_threshold=0.99)
    assert "The default threshold 0.99 catches" in high and "no more than the tuned one" in high
    assert "catches more test positives" not in high
    low = m.describe_threshold_choice(choice, target_recall=0.9, default_threshold=0.0)
    assert "catches more test positives" in low or tp_tuned == int(choice.y_test.sum())
