"""Unit tests for mlkit.scoping._sourcing_strategy: up front vs the loop, simulated."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlkit.scoping import (  # noqa: E402
    collection_rate,
    compare_sourcing_strategies,
    describe_sourcing_strategies,
    plot_sourcing_strategies,
    simulate_time_to_target,
    upfront_break_even_share,
)


def test_collection_rate_from_throughput():
    assert collection_rate(seconds_per_label=4.0, n_labelers=3) == pytest.approx(2700.0)
    assert collection_rate(
        seconds_per_label=10.0, n_labelers=1, record_s_per_clip=0.0, hours_per_day=1.0
    ) == pytest.approx(360.0)
    with pytest.raises(ValueError, match="positive time per clip"):
        collection_rate(seconds_per_label=0.0, n_labelers=1, record_s_per_clip=0.0)


@pytest.mark.parametrize(
    ("q_loop", "it", "cd", "expected"),
    [(0.9, 2.0, 1.0, 0.3), (1.0, 0.0, 1.0, 1.0), (0.8, 3.0, 1.0, 0.2)],
)
def test_break_even_share(q_loop, it, cd, expected):
    got = upfront_break_even_share(useful_share_loop=q_loop, iteration_days=it, collect_days=cd)
    assert got == pytest.approx(expected)


def test_simulation_is_paired_and_deterministic_given_the_seed():
    a = simulate_time_to_target(0.2, clips_per_day=1000.0, n_projects=50, random_state=3)
    b = simulate_time_to_target(0.8, clips_per_day=1000.0, n_projects=50, random_state=3)
    np.testing.assert_array_equal(a["need"], b["need"])  # the same projects
    np.testing.assert_array_equal(a["loop_days"], b["loop_days"])
    assert np.all(b["upfront_days"] <= a["upfront_days"])  # more useful data never slower
    c = simulate_time_to_target(0.2, clips_per_day=1000.0, n_projects=50, random_state=3)
    np.testing.assert_array_equal(a["upfront_days"], c["upfront_days"])


def test_without_uncertainty_the_days_follow_the_plan():
    # need 1000 useful clips, 100 clips/day; loop: 1 day collect (90 useful) + 2 days train
    out = simulate_time_to_target(
        1.0, clips_per_day=100.0, n_useful_needed=1000, need_spread=0.0, n_projects=10
    )
    assert np.all(out["upfront_days"] == 1000 / 100 + 2.0)
    loop = out["loop_days"]
    assert np.all((loop >= 2 + 3 * 11) & (loop <= 2 + 3 * 13))  # about 1000 / 90 iterations


@pytest.mark.parametrize("rate", [300.0, 1000.0, 2700.0])
def test_the_rule_predicts_where_the_simulation_crosses(rate):
    # the rule holds while the need spans several loop iterations (10,000 clips here)
    c = compare_sourcing_strategies(clips_per_day=rate, n_projects=200, random_state=0)
    assert c.crossover_share == pytest.approx(c.break_even_share, abs=0.08)
    assert (c.table["faster"] == c.table["condition_says"]).all()


def test_the_rule_moves_with_the_loop_and_the_winner_with_it():
    # a slow loop (5 days of training per day of collecting) lowers the bar for up front
    c = compare_sourcing_strategies(
        clips_per_day=2700.0, iteration_days=5.0, n_projects=200, random_state=1
    )
    assert c.break_even_share == pytest.approx(0.15)
    assert c.table["faster"].tolist() == ["up front", "up front"]
    text = describe_sourcing_strategies(c)
    assert text.count("**invest up front**, as the rule says") == 2


def test_describe_has_both_wordings_and_says_it_is_simulated():
    c = compare_sourcing_strategies(clips_per_day=2700.0, n_projects=100, random_state=0)
    text = describe_sourcing_strategies(c)
    assert text.startswith("**Simulated plan, not a measurement.**")
    assert "**invest up front**" in text and "**get into the loop fast**" in text
    assert "up front saves" in text and "up front costs" in text
    rec = c.records()
    assert rec["upfront_days_documented"] < rec["loop_days_documented"]
    assert rec["days_saved_upfront_new_domain_ci_high"] < 0
    fig = plot_sourcing_strategies(c)
    plt.close(fig)


def test_describe_numbers_are_in_the_table_and_intervals_follow_the_sentence():
    # review: the stake (up-front collection days) was shown nowhere, and a cost was given
    # with the interval of the saving (sign flipped)
    c = compare_sourcing_strategies(clips_per_day=2700.0, n_projects=100, random_state=0)
    text = describe_sourcing_strategies(c)
    t = c.table
    collect = 10_000 / 2700.0
    np.testing.assert_allclose(t["upfront_collect_days"], collect)
    assert (
        f"10,000 clips at 2,700 a day = **{collect:.1f} days** (`upfront_collect_days` in the "
        "table)" in text
    )
    s0 = c.sweep.iloc[0]
    assert (
        f"(the sweep at share 0: up front costs {-s0['days_saved_upfront']:.2f} extra days)" in text
    )
    doc = t.loc["well documented (spam filter)"]
    assert (
        f"up front saves {doc['days_saved_upfront']:.2f} days on average (95 % interval "
        f"{doc['days_saved_low']:+.2f} to {doc['days_saved_high']:+.2f} days saved)"
    ) in text
    new = t.loc["new domain (this recognizer)"]
    assert new["days_saved_high"] < 0  # a cost: the interval must be stated positive
    assert (
        f"up front costs {-new['days_saved_upfront']:.2f} extra days on average (95 % "
        f"interval +{-new['days_saved_high']:.2f} to +{-new['days_saved_low']:.2f} extra days; "
        "the table's `days_saved_*` holds them negated)"
    ) in text
    assert "interval -" not in text


def test_the_against_the_rule_wording_exists_near_the_break_even_share():
    scen = {"near": {"useful_share_upfront": 0.31}}
    c = compare_sourcing_strategies(
        clips_per_day=2700.0, scenarios=scen, n_projects=100, random_state=0
    )
    row = c.table.loc["near"]
    text = describe_sourcing_strategies(c)
    if row["faster"] != row["condition_says"]:
        assert "against the rule" in text
    else:
        assert "as the rule says" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"useful_share_upfront": 1.5}, "useful_share_upfront"),
        ({"useful_share_upfront": 0.5, "clips_per_day": 0.0}, "clips_per_day"),
        ({"useful_share_upfront": 0.5, "n_projects": 2}, "n_projects"),
    ],
)
def test_simulate_rejects_bad_input(kwargs, match):
    args = {"clips_per_day": 100.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate_time_to_target(**args)
