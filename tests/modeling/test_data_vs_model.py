"""Training-set recipes and the equal-budget comparison (mlkit/modeling/_data_vs_model.py)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import modeling as m

TAGS4 = ["clean", "car_noise", "people_noise", "low_bandwidth"]


def test_make_recipes_are_reproducible_and_consistent():
    from mlkit import data

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 300)
    tags = np.array(TAGS4 * 75)
    train = np.arange(0, 240)
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), rng.uniform(-10, 15, 300), np.nan)
    kw = dict(snr_db=snr, pool_share=0.3, n_labelers=3, random_state=4)
    r = m.make_recipes(y, tags, train, top_tag="people_noise", **kw)
    assert list(r) == list(m.RECIPES)
    again = m.make_recipes(y, tags, train, top_tag="people_noise", **kw)
    for k in r:
        np.testing.assert_array_equal(r[k][0], again[k][0])
        np.testing.assert_array_equal(r[k][1], again[k][1])
    base = m.make_recipes(y, tags, train, **kw)
    assert list(base) == ["as_collected", "relabelled"]
    np.testing.assert_array_equal(base["relabelled"][1], r["relabelled"][1])
    for idx, lab in r.values():
        assert set(idx) <= set(train) and len(idx) == len(lab)
        assert not (lab == data.UNINTELLIGIBLE).any()
    extra = set(r["top_tag_data"][0]) - set(r["as_collected"][0])
    assert extra and set(tags[list(extra)]) == {"people_noise"}
    # relabelling by the convention removes label errors
    wrong = {k: np.mean(lab != y[idx]) for k, (idx, lab) in r.items()}
    assert wrong["relabelled"] < wrong["as_collected"]
    with pytest.raises(ValueError, match="'top_tag'"):
        m.make_recipes(y, tags, train, top_tag="car-noise")


def _runs():
    return pd.DataFrame(
        {
            "arm": ["start", "model", "model", "data", "data"],
            "run": ["baseline", "m1", "m2", "d1", "d2"],
            "dev_accuracy": [0.8, 0.82, 0.81, 0.85, 0.79],
            "seen_accuracy": [0.7, 0.70, 0.75, 0.78, 0.90],
            "seen_tag_accuracy_clean": [0.9, 0.9, 0.92, 0.95, 0.9],
        }
    )


def test_budget_comparison_picks_on_dev_and_reports_held_out():
    t = m.budget_comparison(_runs())
    assert t["best_run"].to_dict() == {"model": "m1", "data": "d1"}  # picked on dev
    # m2 and d2 are better on the held-out split, but the pick must not see it
    assert t.loc["model", "gain"] == pytest.approx(0.0)
    assert t.loc["data", "gain"] == pytest.approx(0.08)
    assert t.loc["data", "dev_gain"] == pytest.approx(0.05)
    assert t.loc["data", "gain_clean"] == pytest.approx(0.05)
    assert t["n_runs"].tolist() == [2, 2]


@pytest.mark.parametrize(
    ("runs", "kw", "match"),
    [
        (_runs().iloc[:4], {}, "equal budgets"),
        (_runs().drop(columns="arm"), {}, "missing"),
        (_runs().iloc[1:], {}, r"run named 'baseline'.*\['m1', 'm2', 'd1', 'd2'\]"),
        (_runs(), {"report_on": "dev"}, "winner's curse"),
        (_runs().iloc[:1], {}, "besides the baseline"),
    ],
)
def test_budget_comparison_bad_input(runs, kw, match):
    with pytest.raises(ValueError, match=match):
        m.budget_comparison(runs, **kw)


def test_budget_takeaways_follow_the_numbers():
    text = m.budget_takeaways(m.budget_comparison(_runs()))
    assert "**data** gained most by 8.0 points" in text and "model +0.0 pts" in text
    assert "data (best run: d1): the same gain on every tag, +5.0 pts" in text
    two = _runs().assign(seen_tag_accuracy_noise=[0.5, 0.5, 0.5, 0.4, 0.5])
    assert "largest tag gain clean +5.0 pts, smallest noise -10.0 pts" in m.budget_takeaways(
        m.budget_comparison(two)
    )
    worse = _runs().assign(seen_accuracy=[0.9, 0.8, 0.8, 0.85, 0.85])
    text = m.budget_takeaways(m.budget_comparison(worse))
    assert text.startswith("* Neither arm beat the baseline") and "gained most" not in text
    tie = _runs().assign(seen_accuracy=[0.7, 0.8, 0.8, 0.8, 0.8])
    assert "tie" in m.budget_takeaways(m.budget_comparison(tie))
    with pytest.raises(ValueError, match="'gain'"):
        m.budget_takeaways(pd.DataFrame({"x": [1]}))


def test_make_recipes_label_budget_limits_what_the_team_labels():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 400)
    tags = np.array(TAGS4 * 100)
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), rng.uniform(-10, 0, 400), np.nan)
    kw = dict(snr_db=snr, top_tag="people_noise", pool_share=0.3, n_labelers=3, random_state=2)
    full = m.make_recipes(y, tags, np.arange(400), **kw)
    cheap = m.make_recipes(y, tags, np.arange(400), label_budget=10, **kw)
    none = m.make_recipes(y, tags, np.arange(400), label_budget=0, **kw)
    # at most half the budget (5) buys new clips, and none without a budget
    n_base = len(cheap["as_collected"][0])
    assert len(cheap["top_tag_data"][0]) - n_base <= 5
    assert len(none["top_tag_data"][0]) == n_base
    np.testing.assert_array_equal(none["relabelled"][1], none["as_collected"][1])
    # relabelling only some clips fixes fewer labels than relabelling all of them

    def wrong(r):
        idx, lab = r["relabelled"]
        return int((lab != y[idx]).sum())

    assert wrong(full) < wrong(cheap) <= wrong(none)
    with pytest.raises(ValueError, match="'label_budget'.*\\[0, inf\\]"):
        m.make_recipes(y, tags, np.arange(400), label_budget=-1, **kw)


def test_budget_comparison_counts_costs_not_runs():
    runs = _runs().iloc[:4].assign(cost=[0.0, 1.0, 1.0, 2.0])  # one data run that labels too
    t = m.budget_comparison(runs)
    assert t["n_runs"].to_dict() == {"model": 2, "data": 1}
    assert t["budget"].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="equal budgets.*'cost'"):
        m.budget_comparison(runs.assign(cost=[0.0, 1.0, 1.0, 1.5]))
    assert "same budget of 2 training runs" in m.budget_takeaways(t)
