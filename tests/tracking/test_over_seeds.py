"""The comparison repeated over seeds (mlkit/tracking/_over_seeds.py)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import tracking

TAGS4 = ["clean", "car_noise", "people_noise", "low_bandwidth"]


@pytest.fixture(scope="module")
def toy_speech():
    """Separable 'digits' from 8 speakers under the four conditions (no audio needed)."""
    rng = np.random.default_rng(0)
    n = 320
    y = np.tile(np.arange(10), n // 10)
    X = rng.normal(size=(n, 6)) + 2.0 * np.eye(10)[y][:, :6]
    tags = np.array(TAGS4 * (n // 4))
    snr = np.where(np.isin(tags, ["car_noise", "people_noise"]), rng.uniform(-10, 15, n), np.nan)
    speakers = np.repeat([f"s{i}" for i in range(8)], n // 8)
    return X, y, tags, snr, speakers


def test_compare_arms_over_seeds_repeats_the_whole_comparison(toy_speech):
    X, y, tags, snr, speakers = toy_speech
    kw = dict(tags=tags, snr_db=snr, speakers=speakers, n_seeds=2, budget_runs=4)
    per_seed = tracking.compare_arms_over_seeds(X, y, random_state=3, **kw)
    assert per_seed.index.tolist() == [3, 4]
    assert set(per_seed["top_tag"]) <= set(TAGS4)
    assert ((per_seed["wrong_label_share"] >= 0) & (per_seed["wrong_label_share"] < 0.5)).all()
    diff = per_seed["data_centric_gain"] - per_seed["model_centric_gain"]
    np.testing.assert_allclose(per_seed["gain_difference"], diff)
    # deterministic, and the seeds differ
    again = tracking.compare_arms_over_seeds(X, y, random_state=3, **kw)
    pd.testing.assert_frame_equal(per_seed, again)
    with pytest.raises(ValueError, match=r"'n_seeds'.*\[2, inf\]"):
        tracking.compare_arms_over_seeds(X, y, **{**kw, "n_seeds": 1})


def test_seed_intervals_cover_the_mean_and_count_signs():
    per_seed = pd.DataFrame({"g": [0.01, 0.03, 0.02, 0.0, -0.01], "flat": [0.02] * 5})
    t = tracking.seed_intervals(per_seed, columns=["g", "flat"])
    g = t.loc["g"]
    assert g["mean"] == pytest.approx(0.01)
    assert g["ci_low"] < 0 < g["ci_high"]  # 5 seeds this spread do not establish a gain
    assert (g["n_above_zero"], g["n_zero"], g["n_below_zero"]) == (3, 1, 1)
    assert t.loc["flat", "ci_low"] == t.loc["flat", "ci_high"] == pytest.approx(0.02)
    # a consistent gain is established: the check can fail the other way
    sure = tracking.seed_intervals(pd.DataFrame({"g": [0.05, 0.06, 0.04, 0.05]}), columns=["g"])
    assert sure.loc["g", "ci_low"] > 0
    with pytest.raises(ValueError, match="at least 2 seeds"):
        tracking.seed_intervals(per_seed.iloc[:1], columns=["g"])
    with pytest.raises(ValueError, match=r"missing \['nope'\]"):
        tracking.seed_intervals(per_seed, columns=["nope"])


def _per_seed(dc, mc, top):
    n = len(dc)
    return pd.DataFrame(
        {
            "top_tag": ["people_noise"] * n,
            "wrong_label_share": [0.05] * n,
            "n_seen": [54] * n,
            "data_centric_gain": dc,
            "model_centric_gain": mc,
            "gain_difference": np.subtract(dc, mc),
            "data_centric_top_tag_gain": top,
        },
        index=pd.Index(range(n), name="seed"),
    )


def test_describe_over_seeds_follows_the_numbers():
    kw = dict(budget_runs=6, relabel_per_run=20)
    unclear = _per_seed([0.02, 0.0, -0.02, 0.04, 0.0], [0.0] * 5, [0.1, 0.0, 0.0, 0.1, -0.1])
    text = tracking.describe_over_seeds(tracking.seed_intervals(unclear), unclear, **kw)
    assert "a data-centric gain is not established" in text
    assert "gained nothing or lost on 3 of 5 seeds" in text
    assert "did not reliably help it" in text
    assert "wrong for 5.0 %" in text and "could label 60 clips" in text
    assert "fewer than one in ten on average" in text
    clear = _per_seed([0.05, 0.06, 0.04, 0.05, 0.05], [0.0, 0.01, -0.01, 0.0, 0.0], [0.2] * 5)
    text = tracking.describe_over_seeds(tracking.seed_intervals(clear), clear, **kw)
    assert (
        "a data-centric gain holds" in text and "data-centric beating model-centric holds" in text
    )
    assert "reliably helped that tag" in text and "gained more on 5 of 5 seeds" in text
    m = tracking.summary_metrics_over_seeds(tracking.seed_intervals(clear))
    assert m["data_centric_wins"] == 5 and m["top_tag_no_gain"] == 0 and m["n_seeds"] == 5
    with pytest.raises(ValueError, match="missing"):
        tracking.describe_over_seeds(pd.DataFrame(index=["x"]), clear, **kw)


def test_plot_gains_over_seeds_draws_one_row_per_arm():
    import matplotlib.pyplot as plt

    per_seed = _per_seed([0.02, 0.0, 0.04], [0.0, 0.01, 0.0], [0.1, 0.0, 0.0])
    ax = tracking.plot_gains_over_seeds(per_seed, tracking.seed_intervals(per_seed))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["model-centric", "data-centric"]
    assert "3 seeds" in ax.get_title()
    plt.close(ax.figure)
