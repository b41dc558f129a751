"""Unit tests for mlkit.scoping._model_choice: weighted segments and the business metric."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mlkit.scoping import (  # noqa: E402
    NEVER,
    ModelChoice,
    business_metrics,
    candidate_predictions,
    choose_model,
    cost_matrix,
    describe_business_choice,
    describe_segment_choice,
    plot_model_choice,
)
from tests.scoping._data import speaker_specific_data  # noqa: E402

COSTS = {"value_usd": 0.5, "error_usd": 2.0, "confirm_usd": 20.0}


def _y(n_per_class=20):
    return np.repeat(np.arange(4), n_per_class)


def _predict(y, wrong, *, as_label=None, rng_seed=0):
    """Return y with the given indices wrong (as `as_label`, or the next class)."""
    p = y.copy()
    for i in wrong:
        p[i] = as_label if as_label is not None and y[i] != as_label else (y[i] + 1) % 4
        if p[i] == y[i]:
            p[i] = (y[i] + 2) % 4
    return p


def _choose(y, preds, weight=10.0, **kw):
    return choose_model(
        y, pd.DataFrame(preds), segment_label=0, segment_weight=weight, **{**COSTS, **kw}
    )


def test_accuracy_winner_that_misses_the_segment_loses_the_weighted_metric():
    y = _y()
    # "avg": 4 errors, all on the help digit (0..19); "seg": 6 errors, none on it
    avg = _predict(y, range(4))
    seg = _predict(y, range(20, 26))
    c = _choose(y, {"avg": avg, "seg": seg})
    assert c.accuracy_pick == "avg" and c.segment["challenger"] == "seg"
    # weighted: avg (4 of 20 help requests missed) loses once weight > n_o*a_o/(n_s*-a_s)
    expected = 60 * (6 / 60) / (20 * (4 / 20))
    assert c.segment["break_even_weight"] == pytest.approx(expected)
    assert c.segment["pick_differs"] is True
    text = describe_segment_choice(c)
    assert "avg wins on average accuracy" in text and "pick seg" in text
    assert "overtakes it there" in text
    # the same models under a weight below break-even: the accuracy pick keeps winning
    low = _choose(y, {"avg": avg, "seg": seg}, weight=1.2)
    assert low.segment["pick_differs"] is False
    low_text = describe_segment_choice(low)
    assert "also wins the weighted metric" in low_text
    assert f"more than {expected:.1f} ordinary ones" in low_text


def test_no_weight_flips_when_no_candidate_recalls_the_segment_better():
    y = _y()
    a = _predict(y, range(20, 24))  # 4 errors, none on the segment
    b = _predict(y, [0, *range(40, 46)])  # 7 errors, one on the segment
    c = _choose(y, {"a": a, "b": b}, weight=1000.0)
    assert c.segment["break_even_weight"] == NEVER
    assert c.segment["pick_differs"] is False
    assert "no weight would change that" in describe_segment_choice(c)


@pytest.mark.parametrize("weight", [1.0, 2.0, 5.0, 10.0, 50.0])
def test_pick_changes_exactly_above_the_break_even_weight(weight):
    rng = np.random.default_rng(int(weight))
    y = _y(30)
    preds = {
        name: np.where(rng.random(y.size) < err, (y + 1) % 4, y)
        for name, err in (("m1", 0.1), ("m2", 0.15), ("m3", 0.2))
    }
    c = _choose(y, preds, weight=weight)
    be = c.segment["break_even_weight"]
    assert c.segment["pick_differs"] == (be != NEVER and weight > be)


def test_higher_accuracy_loses_money_exactly_when_false_confirms_exceed_the_allowance():
    y = _y()
    # "acc": 3 errors, all heard as "1" (false confirm); "safe": 5 errors, none as "1"
    acc = _predict(y, [0, 2, 40], as_label=1)
    safe = _predict(y, [41, 42, 43, 44, 45])
    assert not np.any((safe == 1) & (y != 1))
    c = _choose(y, {"acc": acc, "safe": safe})
    b = c.business
    assert c.accuracy_pick == "acc" and b["challenger"] == "safe"
    assert b["tolerance_ratio"] == pytest.approx(2.5 / 18)
    lead, excess = b["accuracy_lead"], b["false_confirm_excess"]
    assert lead == pytest.approx(2 / 80) and excess == pytest.approx(3 / 80)
    identity = 1000 * (2.5 * lead - 18 * excess)
    assert -b["value_gain_per_1000"] == pytest.approx(identity)
    assert b["pick_differs"] == (excess > b["tolerance_ratio"] * lead) is True
    assert "but earns USD" in describe_business_choice(c)
    # the same gap in accuracy with ordinary errors: the accurate model earns more
    acc2 = _predict(y, [40, 41, 42])  # class 2 heard as 3
    c2 = _choose(y, {"acc": acc2, "safe": safe})
    assert c2.business["pick_differs"] is False
    assert "the effect does not happen here" in describe_business_choice(c2)


def test_table_values_agree_with_business_metrics():
    y = _y()
    p = _predict(y, [0, 5, 30, 50], as_label=1)
    c = _choose(y, {"p": p, "q": y.copy()})
    from sklearn.metrics import confusion_matrix

    costs = cost_matrix(range(4), error_cost=2.0, predicted_costs={1: 20.0})
    ref = business_metrics(confusion_matrix(y, p, labels=range(4)), costs, value_per_success=0.5)
    row = c.table.loc["p"]
    assert row["business_value_per_1000"] == pytest.approx(ref["business_value_per_1000"])
    assert row["accuracy"] == pytest.approx(ref["accuracy"])
    assert row["segment_recall_low"] <= row["segment_recall"] <= row["segment_recall_high"]


def test_intervals_resolve_a_large_difference_and_not_a_tiny_one():
    y = _y(50)
    good, bad = y.copy(), _predict(y, range(0, 200, 2), as_label=1)
    big = _choose(y, {"good": good, "bad": bad})
    assert big.business["resolved"] and big.segment["resolved"]
    assert "larger than the noise" in describe_business_choice(big)
    tiny = _choose(y, {"a": _predict(y, [60]), "b": _predict(y, [61, 62])})
    assert not tiny.business["resolved"]
    assert "contains 0" in describe_business_choice(tiny)


def test_ties_in_accuracy_are_worded_as_ties():
    y = _y()
    a = _predict(y, [0, 1])  # 2 errors on the help digit
    b = _predict(y, [30, 31])  # 2 errors elsewhere
    c = _choose(y, {"a": a, "b": b})
    assert c.segment["accuracy_lead"] == 0 and c.segment["pick_differs"]
    assert "ties for the best average accuracy" in describe_segment_choice(c)


def test_records_are_json_ready_and_named():
    y = _y()
    c = _choose(y, {"a": _predict(y, [3]), "b": _predict(y, [40, 41])})
    rec = c.records()
    assert rec["help_weight"] == 10.0
    assert isinstance(rec["segment_pick_differs"], bool)
    assert all(isinstance(v, (bool, float, str)) for v in rec.values())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"segment_weight": 0.5}, "segment_weight"),
        ({"error_usd": -1.0}, "error_usd"),
        ({"segment_label": 9}, "segment 9 of choose_model has no sample"),
        ({"n_boot": 10}, "n_boot"),
    ],
)
def test_choose_model_rejects_bad_input(kwargs, match):
    y = _y()
    args = {"segment_label": 0, "segment_weight": 2.0, **COSTS, **kwargs}
    with pytest.raises(ValueError, match=match):
        choose_model(y, pd.DataFrame({"a": y, "b": y}), **args)


def test_choose_model_needs_two_candidates():
    y = _y()
    with pytest.raises(ValueError, match="at least two candidates"):
        choose_model(y, pd.DataFrame({"a": y}), segment_label=0, segment_weight=2.0, **COSTS)


def test_candidate_predictions_are_out_of_fold_on_unseen_speakers_and_plot():
    X, y, speaker = speaker_specific_data(n_speakers=6, n_classes=3)
    preds = candidate_predictions(X, y, groups=speaker, n_folds=3)
    assert preds.shape == (len(y), 6) and "quick model" in preds.columns
    # the classes are speaker-specific: unseen speakers are near chance, not memorised
    assert (preds["quick model"].to_numpy() == y).mean() < 0.7
    c = choose_model(y, preds, segment_label=0, segment_weight=5.0, **COSTS)
    fig = plot_model_choice(c)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_plot_names_each_panels_challenger_and_labels_do_not_overlap():
    # review: text labels of two close candidates overlapped, and the orange "challenger"
    # was a different model in each panel without saying so
    t = pd.DataFrame(
        {
            "accuracy": [0.827, 0.823, 0.780],
            "weighted_accuracy": [0.859, 0.857, 0.793],
            "business_value_per_1000": [-413.3, -301.7, -290.0],
        },
        index=["svm", "quick model", "random_forest"],
    )
    c = ModelChoice(
        t,
        "svm",
        {"challenger": "quick model"},
        {"challenger": "random_forest"},
        {"segment_weight": 10.0},
    )
    fig = plot_model_choice(c)
    left, right = fig.axes
    assert "challenger = quick model" in left.get_title()
    assert "challenger = random_forest" in right.get_title()
    assert "accuracy pick = svm" in left.get_title() and "accuracy pick = svm" in right.get_title()
    legends = [[x.get_text() for x in ax.get_legend().get_texts()] for ax in (left, right)]
    assert legends[0] == ["svm (accuracy pick)", "quick model (challenger)", "random_forest"]
    assert legends[1] == ["svm (accuracy pick)", "quick model", "random_forest (challenger)"]
    assert not left.texts and not right.texts  # names live in the legend, not on the points
    # each candidate keeps its marker shape in both panels
    shapes = [
        [tuple(map(tuple, c.get_paths()[0].vertices)) for c in ax.collections]
        for ax in (left, right)
    ]
    assert shapes[0] == shapes[1] and len(set(shapes[0])) == 3
    plt.close(fig)
