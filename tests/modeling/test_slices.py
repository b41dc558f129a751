"""Metrics per slice and recall per class (mlkit/modeling/_slices.py)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from mlkit import modeling as m


def test_slice_metrics_flags_worse_slice():
    rng = np.random.default_rng(0)
    g = np.repeat(["a", "b", "c"], 100)
    y = rng.integers(0, 10, 300)
    p = y.copy()
    p[200:260] = (p[200:260] + 1) % 10  # slice c: 40 % accuracy
    t = m.slice_metrics(y, p, pd.Series(g, name="speaker"), random_state=0)
    assert t.index.name == "speaker"
    assert t.loc["c", "accuracy"] == pytest.approx(0.4)
    assert t.loc["overall", "accuracy"] == pytest.approx(0.8)
    assert t["flagged"].tolist() == [False, False, True, False]
    assert t.loc["c", "ci_below_overall"]
    assert t.loc["a", "ci_low"] == 1.0
    assert t.loc["c", "ci_low"] < 0.4 < t.loc["c", "ci_high"]
    assert t["support"].tolist() == [100, 100, 100, 300]


def test_slice_metrics_recall_without_warnings():
    y = np.array([0, 0, 0, 0, 1, 1, 0, 0])
    p = np.array([0, 0, 0, 0, 1, 0, 0, 0])
    g = ["small"] * 4 + ["large"] * 4  # no positives in 'small'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = m.slice_metrics(y, p, g, metric="recall", n_boot=50)
    # no positives in 'small': recall is undefined there (NaN), never 0, and not flagged
    assert np.isnan(t.loc["small", "recall"]) and t.loc["large", "recall"] == 0.5
    assert t.loc["small", "n_positive"] == 0 and not t.loc["small", "flagged"]


def test_slice_metrics_recall_zero_is_kept_when_positives_are_missed():
    # the NaN above is for "no positives", not for "all positives missed"
    t = m.slice_metrics(
        [1, 1, 0, 1], [0, 0, 0, 1], ["a", "a", "b", "b"], metric="recall", n_boot=20
    )
    assert t.loc["a", "recall"] == 0.0 and t.loc["b", "recall"] == 1.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"metric": "auc"}, "must be one of"),
        ({"groups": ["a"]}, "one tag per sample"),
        ({"n_boot": 2}, "n_boot"),
    ],
)
def test_slice_metrics_bad_input(kw, match):
    args = {"groups": ["a", "b"], **kw}
    with pytest.raises(ValueError, match=match):
        m.slice_metrics([0, 1], [0, 1], **args)


def test_slice_metrics_refuses_a_slice_named_overall():
    # issue 12.13: a real slice "overall" was silently replaced by the whole-data row
    y, p = [0, 1, 0, 1, 0, 1, 0, 1], [0, 1, 0, 1, 1, 0, 1, 0]
    with pytest.raises(ValueError, match=r"must not contain the label 'overall'.*Got 4 samples"):
        m.slice_metrics(y, p, ["overall"] * 4 + ["b"] * 4, n_boot=10)
    t = m.slice_metrics(y, p, ["overall_slice"] * 4 + ["b"] * 4, n_boot=10)
    assert t.loc["overall_slice", "accuracy"] == 1.0 and t.loc["overall", "accuracy"] == 0.5


def test_slice_metrics_does_not_flag_tiny_slices():
    y = np.zeros(60, dtype=int)
    p = y.copy()
    p[:3] = 1  # slice "tiny" (3 clips) all wrong, far below overall
    g = ["tiny"] * 3 + ["big"] * 57
    t = m.slice_metrics(y, p, g, n_boot=50)
    assert t.loc["tiny", "accuracy"] == 0.0 and not t.loc["tiny", "flagged"]
    assert m.slice_metrics(y, p, g, n_boot=50, min_support=3).loc["tiny", "flagged"]


def test_slice_metrics_recall_counts_positives_and_skips_empty_resamples():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0])
    p = np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    t = m.slice_metrics(y, p, ["a"] * 6 + ["b"] * 6, metric="recall", n_boot=100)
    assert t["n_positive"].tolist() == [1, 2, 3]
    # one positive caught: an exact interval, not a bootstrap collapsed to [1, 1]
    lo, hi = t.loc["a", ["ci_low", "ci_high"]]
    assert lo == pytest.approx(0.025) and hi == 1.0
    assert t.loc["b", "ci_low"] < 0.5 < t.loc["b", "ci_high"]  # 1 of 2


def test_describe_per_class_recall_names_worst_rare_and_confusable():
    y = np.repeat(np.arange(10), 20)
    p = y.copy()
    p[:8] = 9  # class 0 recall 0.6
    p[40:46] = 3  # class 2 recall 0.7
    text = m.describe_per_class_recall(m.per_class_recall(y, p))
    assert text.startswith("Lowest recall: classes **0** (0.600, 20 samples), **2** (0.700")
    assert "Every class has 20 samples, so none is rare." in text
    assert "5/9 (1.000, 1.000): neither among the lowest" in text
    # a rare class and a confusable pair inside the worst
    y2 = np.concatenate([np.repeat([5, 9, 6, 7], 20), [1] * 4])
    p2 = y2.copy()
    p2[:10] = 9  # 5 -> 0.5
    p2[20:30] = 5  # 9 -> 0.5
    p2[40:42] = 7  # 6 -> 0.9
    text2 = m.describe_per_class_recall(m.per_class_recall(y2, p2))
    assert "Rare classes (support below 50% of the largest): 1 (4)" in text2
    assert "5/9 (0.500, 0.500): both among the lowest" in text2
    assert "6/7 (0.900, 1.000): neither" in text2
    text3 = m.describe_per_class_recall(m.per_class_recall(y2, p2), n_worst=1, confusable=[(6, 5)])
    assert "6/5 (0.900, 0.500): only 5 among the lowest" in text3
    with pytest.raises(ValueError, match="recall"):
        m.describe_per_class_recall(pd.DataFrame({"support": [1]}))


def test_per_class_recall_keeps_rare_and_absent_classes():
    y = [0, 0, 0, 0, 1, 2]
    p = [0, 0, 0, 0, 0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = m.per_class_recall(y, p, labels=[0, 1, 2, 3])
    assert t.loc[1, "recall"] == 0.0 and t.loc[3, "support"] == 0
    assert np.isnan(t.loc[3, "recall"])  # absent class: undefined, not 0
    assert t.index[0] == 1 and t.index[-1] == 3


def test_plot_slice_metrics_marks_flagged_slices():
    y = np.zeros(60, dtype=int)
    p = y.copy()
    p[:15] = 1  # slice "bad" all wrong
    t = m.slice_metrics(y, p, pd.Series(["bad"] * 15 + ["good"] * 45, name="speaker"), n_boot=50)
    fig = m.plot_slice_metrics(t)
    ax = fig.axes[0]
    assert ax.get_title() == "accuracy per speaker (n = support)"
    assert ax.get_ylabel() == "accuracy (95 % CI)"
    assert [x.get_text() for x in ax.get_xticklabels()] == ["bad\nn=15", "good\nn=45"]
    red = [c for c in ax.collections if c.get_label() == "flagged"][0]
    assert red.get_offsets().shape[0] == 1  # only "bad" is flagged
    with pytest.raises(ValueError, match="'overall' row"):
        m.plot_slice_metrics(t.drop(index="overall"))
