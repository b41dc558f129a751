"""The 2 x 2 grid of data problems (mlkit.data._problem_grid)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mlkit import data


def _raw(scores, sizes=(10, 100)):
    """Per-seed scores from {rate: [(small, large) per seed]}."""
    rows = [
        {"noise_rate": rate, "n_train": n, "repeat": rep, "score": s}
        for rate, seeds in scores.items()
        for rep, pair in enumerate(seeds)
        for n, s in zip(sizes, pair, strict=True)
    ]
    return pd.DataFrame(rows)


# speech-like: noise costs a larger share at small n on every seed
SHRINKS = {
    0.0: [(0.6, 0.9), (0.55, 0.9), (0.62, 0.88)],
    0.1: [(0.55, 0.88), (0.5, 0.89), (0.56, 0.87)],
    0.3: [(0.4, 0.85), (0.38, 0.84), (0.45, 0.83)],
}
# rare-class-like: the cost stays at every size, noisy between seeds
STAYS = {
    0.0: [(0.9, 0.95), (0.8, 0.95), (0.95, 0.9)],
    0.1: [(0.8, 0.85), (0.75, 0.8), (0.85, 0.8)],
    0.3: [(0.6, 0.7), (0.7, 0.65), (0.55, 0.7)],
}


def _costs(speech=SHRINKS, rare=STAYS, rare_sizes=(10, 100)):
    return {
        "speech": data.noise_cost_by_size(_raw(speech), chance=0.1),
        "rare_class": data.noise_cost_by_size(_raw(rare, rare_sizes), chance=0.5),
    }


def test_noise_cost_by_size_matches_the_per_seed_drops():
    raw = _raw(SHRINKS)
    t = data.noise_cost_by_size(raw, chance=0.1)
    drops = data.noise_drops_by_seed(raw, chance=0.1, rate=0.3)
    assert t.loc[(0.3, "small"), "gap_mean"] == pytest.approx(drops["gap_small_n"].mean())
    assert t.loc[(0.3, "small - large"), "rel_mean"] == pytest.approx(drops["rel_drop_diff"].mean())
    assert t.loc[(0.1, "large"), "n_train"] == 100
    assert t.loc[(0.1, "large"), "clean"] == pytest.approx(np.mean([0.9, 0.9, 0.88]))
    assert t.loc[(0.3, "small"), "gap_ci_low"] < t.loc[(0.3, "small"), "gap_mean"]
    assert t.loc[(0.3, "small"), "n_seeds"] == 3


def test_noise_cost_by_size_refuses_a_missing_rate():
    with pytest.raises(ValueError, match="missing"):
        data.noise_cost_by_size(_raw(SHRINKS), chance=0.1, noise_rates=(0.2,))


@pytest.mark.parametrize(
    ("y", "rate", "expected"),
    [
        (np.repeat(np.arange(10), 48), 0.3, 0.3 / 0.7),  # balanced: rate / (1 - rate)
        ([0] * 95 + [1] * 5, 0.1, 0.1 * 95 / (0.9 * 5)),  # binary: all flips land on 1
        ([0, 1], 0.0, 0.0),
    ],
)
def test_wrong_per_right(y, rate, expected):
    assert data.wrong_per_right(y, noise_rate=rate) == pytest.approx(expected)


def test_wrong_per_right_does_not_depend_on_n():
    y = [0] * 95 + [1] * 5
    assert data.wrong_per_right(y * 10, noise_rate=0.3) == pytest.approx(
        data.wrong_per_right(y, noise_rate=0.3)
    )


@pytest.mark.parametrize(
    ("y", "rate", "match"),
    [([1, 1, 1], 0.1, "at least 2 classes"), ([0, 1], 1.0, "'noise_rate' parameter")],
)
def test_wrong_per_right_refuses(y, rate, match):
    with pytest.raises(ValueError, match=match):
        data.wrong_per_right(y, noise_rate=rate)


def test_grid_metrics_names_and_values():
    costs = _costs()
    m = data.grid_metrics(costs["rare_class"], prefix="rare_noise")
    assert m["rare_noise_n_train_small_n"] == 10
    assert m["rare_noise30_gap_large_n_mean"] == round(
        costs["rare_class"].loc[(0.3, "large"), "gap_mean"], 4
    )
    assert "rare_noise30_rel_drop_small_n_ci_low" in m
    assert "rare_noise10_rel_drop_small_n_mean" not in m  # only rel_rates are named
    speech = data.grid_metrics(costs["speech"], prefix="noise", gap_rates=(0.1,), rel_rates=())
    assert sorted(speech) == sorted(
        [f"noise_n_train_{s}_n" for s in ("small", "large")]
        + [
            f"noise10_gap_{s}_n_{k}"
            for s in ("small", "large")
            for k in ("mean", "ci_low", "ci_high")
        ]
    )


def test_plot_noise_cost_grid_two_by_two():
    axes = data.plot_noise_cost_grid(_costs())
    assert axes.shape == (2, 2)
    assert len(axes[1, 1].patches) == 2  # one bar per noise rate
    assert "282" not in axes[1, 1].get_title() and "100 rows" in axes[1, 1].get_title()
    plt.close("all")


def _text(costs, **kw):
    ratios = {"speech": 0.43, "rare_class": 8.1}
    return data.describe_data_problem_grid(costs, wrong_per_right=ratios, **kw)


def test_describe_grid_fills_every_cell_and_the_stated_entries():
    text = _text(_costs(), hlp=0.978)
    table = [line for line in text.splitlines() if line.startswith("| **")]
    assert len(table) == 2 and all(line.count("noise costs") == 4 for line in table)
    assert "simulated HLP here 97.8%" in text
    assert "people label: no" in text and "augmentation: yes" in text
    assert "stated, not measured" in text and "Arithmetic, not a measurement" in text


def test_describe_grid_size_verdicts_both_ways():
    text = _text(_costs())
    assert "Unstructured (speech clips): 30% noise takes a **larger share**" in text
    assert "Structured (rare-class table): small and large n **cannot be told apart**" in text
    # swap the sizes: noise now takes a larger share at large n in the speech track
    swapped = {
        0.0: [(0.9, 0.9)] * 3,
        0.1: [(0.89, 0.85)] * 2 + [(0.88, 0.84)],
        0.3: [(0.88, 0.6), (0.87, 0.62), (0.86, 0.6)],
    }
    text = _text(_costs(speech=swapped))
    assert "30% noise takes a **smaller share**" in text


def test_describe_grid_cross_track_comparison_both_ways():
    text = _text(_costs())
    assert "the structured track loses" in text and "clearly more than" in text
    tiny = {
        0.0: [(0.9, 0.95)] * 3,
        0.1: [(0.9, 0.95)] * 3,
        0.3: [(0.89, 0.949), (0.9, 0.948), (0.9, 0.95)],
    }
    assert "clearly less than" in _text(_costs(rare=tiny))
    wide = {
        0.0: [(0.9, 0.95)] * 3,
        0.1: [(0.9, 0.9)] * 3,
        0.3: [(0.8, 0.95), (0.8, 0.5), (0.8, 0.9)],
    }
    text = _text(_costs(rare=wide))
    assert "more than the unstructured track's" in text and "intervals overlap" in text


def test_describe_grid_more_noise_costs_more_both_ways():
    assert "In all 4 cells 30% noise costs more than 10%" in _text(_costs())
    flat = {0.0: [(0.9, 0.95)] * 3, 0.1: [(0.8, 0.8)] * 2 + [(0.81, 0.8)], 0.3: [(0.85, 0.9)] * 3}
    text = _text(_costs(rare=flat))
    assert "does **not** cost more than 10% everywhere" in text
    assert "rare-class table, small n; rare-class table, large n" in text


def test_describe_grid_small_vs_big_data_both_ways():
    assert "every cell here is small data: the largest has 100" in _text(_costs())
    big = _costs(rare_sizes=(5_000, 20_000))
    assert "The largest cell has 20,000 training examples, big" in _text(big)
