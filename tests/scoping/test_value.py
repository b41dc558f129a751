"""Unit tests for mlkit.scoping._value: cost matrix, business metrics, fairness, ethics."""

import numpy as np
import pandas as pd
import pytest

from mlkit.scoping import (
    accuracy_by_group,
    business_metrics,
    cost_controls,
    cost_matrix,
    describe_value,
    ethics_checklist,
    plot_business_value,
    plot_cost_scenario,
    plot_group_accuracy,
)


def test_cost_matrix_layers_error_predicted_and_pair_costs():
    c = cost_matrix(
        [0, 1, 2],
        error_cost=1.0,
        correct_cost=0.1,
        predicted_costs={1: 5.0},
        pair_costs={(2, 1): 9.0},
    )
    assert c.to_numpy().tolist() == [[0.1, 5.0, 1.0], [1.0, 0.1, 1.0], [1.0, 9.0, 0.1]]
    assert c.index.name == "true" and c.columns.name == "predicted"


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"error_cost": -1.0}, ValueError, "'error_cost' must be >= 0.*value_per_success"),
        ({"error_cost": 1.0, "correct_cost": -0.5}, ValueError, "'correct_cost' must be >= 0"),
        ({"error_cost": 1.0, "predicted_costs": {1: -3.0}}, ValueError, r"predicted_costs\[1\]"),
        ({"error_cost": 1.0, "pair_costs": {(0, 1): -3.0}}, ValueError, "must be >= 0"),
        ({"error_cost": 1.0, "pair_costs": {(0, 7): 3.0}}, ValueError, "names \\(0, 7\\)"),
        ({"error_cost": 1.0, "predicted_costs": {7: 3.0}}, ValueError, "names 7"),
        ({"error_cost": float("nan")}, TypeError, "finite number"),
        ({"error_cost": True}, TypeError, "finite number"),
    ],
)
def test_cost_matrix_refuses_bad_costs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cost_matrix([0, 1, 2], **kwargs)


def test_cost_matrix_refuses_duplicate_labels():
    with pytest.raises(ValueError, match="distinct labels"):
        cost_matrix([0, 0, 1], error_cost=1.0)


def test_business_metrics_on_hand_computed_confusion():
    # 3 classes, 300 requests:
    #   true 0: 80 ok, 15 -> 1, 5 -> 2
    #   true 1: 10 -> 0, 90 ok
    #   true 2: 20 -> 1, 80 ok
    cm = np.array([[80, 15, 5], [10, 90, 0], [0, 20, 80]])
    costs = cost_matrix([0, 1, 2], error_cost=2.0, predicted_costs={1: 10.0})
    out = business_metrics(cm, costs, value_per_success=0.5)
    # successes 250/300; cost = 15*10 + 5*2 + 10*2 + 20*10 = 380 per 300 requests.
    assert out["accuracy"] == pytest.approx(250 / 300)
    assert out["successful_per_1000"] == pytest.approx(1000 * 250 / 300)
    assert out["expected_cost_per_1000"] == pytest.approx(1000 * 380 / 300)
    assert out["business_value_per_1000"] == pytest.approx(1000 * (0.5 * 250 - 380) / 300)
    assert out["mean_cost_per_error"] == pytest.approx(380 / 50)


def test_business_metrics_reweights_to_the_production_prior():
    cm = np.array([[90, 10], [0, 50]])  # class 0: 10 % errors; class 1: none
    out = business_metrics(cm, [[0, 1], [1, 0]], class_prior=[1, 1])
    # 50/50 traffic: error rate 0.5 * 0.1 = 5 %.
    assert out["successful_per_1000"] == pytest.approx(950)
    assert out["expected_cost_per_1000"] == pytest.approx(50)
    assert business_metrics(cm, [[0, 1], [1, 0]], per=100)["expected_cost_per_1000"] == (
        pytest.approx(100 * 10 / 150)
    )


@pytest.mark.parametrize(
    ("cm", "costs", "kwargs", "exc", "match"),
    [
        ([[1, 2, 3]], [[0, 1, 1]], {}, ValueError, "square"),
        ([[5, 1], [1, 5]], [[0, 1, 1]], {}, ValueError, "confusion matrix's shape"),
        ([[5, -1], [1, 5]], [[0, 1], [1, 0]], {}, ValueError, "non-negative counts"),
        ([[0, 0], [0, 0]], [[0, 1], [1, 0]], {}, ValueError, "not all zero"),
        ([[5, 1], [1, 5]], [[0, -1], [1, 0]], {}, ValueError, "costs >= 0"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"value_per_success": -1.0}, ValueError, ">= 0"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"class_prior": [1, -1]}, ValueError, "class_prior"),
        ([[5, 1], [0, 0]], [[0, 1], [1, 0]], {"class_prior": [1, 1]}, ValueError, "no measured"),
        ([[5, 1], [1, 5]], [[0, 1], [1, 0]], {"per": 0}, ValueError, "'per' parameter"),
    ],
)
def test_business_metrics_refuses_bad_input(cm, costs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        business_metrics(cm, costs, **kwargs)


def test_accuracy_by_group_worst_first_with_overall():
    t = accuracy_by_group([1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 1, 1], ["a", "a", "a", "b", "b", "b"])
    assert list(t.index) == ["b", "a", "overall"]
    assert t.loc["b", "accuracy"] == pytest.approx(1 / 3)
    assert t.loc["overall", "gap"] == 0
    assert t.loc["b", "gap"] == pytest.approx(1 / 3 - 4 / 6)
    assert t["n_samples"].tolist() == [3, 3, 6]


def test_accuracy_by_group_refuses_bad_input():
    with pytest.raises(ValueError, match="same length"):
        accuracy_by_group([1, 2], [1], ["a", "b"])
    with pytest.raises(ValueError, match="at least one sample"):
        accuracy_by_group([], [], [])


def _meta(speakers, accents):
    return pd.DataFrame({"speaker": speakers, "accent": accents})


def test_ethics_checklist_flags_a_worse_speaker_and_name_like_ids():
    y = np.zeros(60, dtype=int)
    y_pred = y.copy()
    y_pred[:10] = 1  # jackson: 10 of 20 wrong
    meta = _meta(["jackson"] * 20 + ["s02"] * 20 + ["s03"] * 20, ["US"] * 30 + ["GB"] * 30)
    table = ethics_checklist(y, y_pred, metadata=meta, max_gap=0.05)
    assert set(table.columns) == {"area", "item", "evidence", "status"}
    rows = table.set_index("item")
    assert rows.loc["accuracy across speaker", "status"] == "review"
    assert "'jackson'" in rows.loc["accuracy across speaker", "evidence"]
    assert rows.loc["accuracy across gender", "status"] == "open"  # column absent
    assert rows.loc["speaker IDs are pseudonymous", "status"] == "review"
    assert (table["area"] == "privacy").sum() >= 4


def test_ethics_checklist_ok_when_groups_are_equal():
    y = np.arange(80) % 10
    meta = _meta([f"s{i % 4:02d}" for i in range(80)], ["US", "GB"] * 40)
    table = ethics_checklist(y, y, metadata=meta, group_columns=("speaker", "accent"))
    rows = table.set_index("item")
    assert rows.loc["accuracy across speaker", "status"] == "ok"
    assert rows.loc["speaker IDs are pseudonymous", "status"] == "ok"


def test_ethics_checklist_flags_small_groups_and_bad_gap():
    y = np.zeros(30, dtype=int)
    meta = _meta(["s01"] * 25 + ["s02"] * 5, ["US"] * 30)
    table = ethics_checklist(y, y, metadata=meta, min_group_size=20).set_index("item")
    assert table.loc["accuracy across speaker", "status"] == "review"
    assert "under 20 samples" in table.loc["accuracy across speaker", "evidence"]
    assert table.loc["accuracy across accent", "status"] == "open"  # one group only
    with pytest.raises(ValueError, match="'max_gap' parameter of ethics_checklist"):
        ethics_checklist(y, y, metadata=meta, max_gap=2.0)


def test_value_plots_return_figures():
    from matplotlib.figure import Figure

    fig = plot_business_value([[5, 1], [1, 5]], [[0, 1], [1, 0]], value_per_success=0.5)
    assert isinstance(fig, Figure)
    fig = plot_group_accuracy(accuracy_by_group([1, 0], [1, 1], ["a", "b"]))
    assert isinstance(fig, Figure)


def test_plot_cost_scenario_matches_business_metrics():
    from matplotlib.figure import Figure

    cm = np.array([[80, 15, 5], [10, 90, 0], [0, 20, 80]])
    fig, table = plot_cost_scenario(
        cm, value_usd=0.5, error_usd=2.0, confirm_usd=10.0, target_accuracy=0.9
    )
    assert isinstance(fig, Figure)
    expected = business_metrics(
        cm, cost_matrix([0, 1, 2], error_cost=2.0, predicted_costs={1: 10.0}), value_per_success=0.5
    )
    assert list(table.index) == ["measured"]
    assert table.loc["measured", "expected_cost_per_1000"] == round(
        expected["expected_cost_per_1000"], 3
    )
    with pytest.raises(ValueError, match="predicted_costs names 7"):
        plot_cost_scenario(cm, value_usd=0.5, error_usd=2.0, confirm_usd=1.0, confirm_label=7)


def test_cost_controls_keys_values_and_ranges():
    controls = cost_controls(value_usd=0.5, error_usd=2.0, confirm_usd=20.0)
    assert list(controls) == ["value_usd", "error_usd", "confirm_usd"]
    assert [w.value for w in controls.values()] == [0.5, 2.0, 20.0]
    assert (controls["confirm_usd"].min, controls["confirm_usd"].max) == (0.0, 200.0)
    assert not controls["value_usd"].continuous_update
    wide = cost_controls(value_usd=1.0, error_usd=1.0, confirm_usd=1.0, value_range=(0, 50, 1))
    assert wide["value_usd"].max == 50.0


# --- issue 11: break-even accuracy, what a slice can show --------------------------------------


def test_business_metrics_break_even_accuracy_zeroes_the_net_value():
    cm = np.array([[80, 15, 5], [10, 90, 0], [0, 20, 80]])
    costs = cost_matrix([0, 1, 2], error_cost=2.0, predicted_costs={1: 10.0})
    out = business_metrics(cm, costs, value_per_success=0.5)
    be = out["break_even_accuracy"]
    # value * acc - mean_cost_per_error * (1 - acc) = 0 at the break-even accuracy.
    assert 0.5 * be - out["mean_cost_per_error"] * (1 - be) == pytest.approx(0.0, abs=1e-12)
    assert (out["business_value_per_1000"] < 0) == (out["accuracy"] < be)
    free = business_metrics(cm, np.zeros((3, 3)), value_per_success=0.0)
    assert np.isnan(free["break_even_accuracy"])  # nothing to earn, nothing to lose


def test_describe_value_says_earn_or_lose_and_the_break_even_point():
    lose = business_metrics([[60, 40], [30, 70]], [[0, 2], [1, 0]], value_per_success=0.5)
    text = describe_value(lose)
    # acc 0.65; cost 0.5 * 0.4 * 2 + 0.5 * 0.3 * 1 = 0.55; value 0.325 - 0.55 = -0.225
    assert "loses USD 225 per 1,000" in text and "breaks even at 75.9%" in text
    assert "below it" in text
    earn = business_metrics([[90, 10], [5, 95]], [[0, 2], [1, 0]], value_per_success=0.5)
    assert "earns USD" in describe_value(earn) and "above it" in describe_value(earn)
    with pytest.raises(KeyError, match="must come from business_metrics"):
        describe_value({"accuracy": 0.9})


def test_ethics_checklist_gives_the_interval_and_speakers_of_the_worst_group():
    y = np.zeros(60, dtype=int)
    y_pred = y.copy()
    y_pred[:10] = 1  # s01: 10 of 20 wrong; s01 is the only GB speaker
    meta = _meta(["s01"] * 20 + ["s02"] * 20 + ["s03"] * 20, ["GB"] * 20 + ["US"] * 40)
    rows = ethics_checklist(y, y_pred, metadata=meta).set_index("item")
    accent = rows.loc["accuracy across accent", "evidence"]
    assert "95% interval 0.299 to 0.701, 20 clips" in accent
    assert "holds 1 speaker: its gap cannot be told from one voice's" in accent
    assert "speaker" not in rows.loc["accuracy across speaker", "evidence"].split(";")[-1]
