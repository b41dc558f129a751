"""Units of the equal-budget gains figure (``mlkit/tracking/_gains.py``)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mlkit import tracking as t


def _comparison():
    return pd.DataFrame(
        {
            "n_runs": [3, 3],
            "best_run": ["svm C=1", "relabel"],
            "dev_gain": [0.02, 0.1],
            "gain": [0.0, 0.11],
            "gain_clean": [0.0, 0.05],
            "gain_car_noise": [-0.02, 0.1],
        },
        index=pd.Index(["model-centric", "data-centric"], name="arm"),
    )


def test_plot_arm_gains_draws_one_labelled_bar_per_arm_and_tag():
    comparison = _comparison()
    before = comparison.copy()
    ax = t.plot_arm_gains(comparison)
    try:
        assert [x.get_text() for x in ax.get_xticklabels()] == ["clean", "car_noise"]
        assert len(ax.containers) == 2  # one bar container per arm
        heights = [[b.get_height() for b in c] for c in ax.containers]
        assert np.allclose(heights, [[0.0, -0.02], [0.05, 0.1]])
        labels = [text.get_text() for text in ax.texts]
        assert {"+0.00", "-0.02", "+0.05", "+0.10"} <= set(labels)
        assert ax.get_ylabel() == "seen-split accuracy gain over baseline"
        assert "equal budget of 3 training runs" in ax.get_title()
        assert tuple(ax.figure.get_size_inches()) == pytest.approx((9, 3.4))
        colors = [c.patches[0].get_facecolor() for c in ax.containers]
        assert colors[0] != colors[1]
    finally:
        plt.close(ax.figure)
    pd.testing.assert_frame_equal(comparison, before)  # the input is not changed


def test_plot_arm_gains_report_on_and_colors():
    ax = t.plot_arm_gains(
        _comparison(), report_on="test", colors={"model-centric": "red", "data-centric": "red"}
    )
    try:
        assert ax.get_ylabel() == "test-split accuracy gain over baseline"
        colors = {c.patches[0].get_facecolor() for c in ax.containers}
        assert colors == {(1.0, 0.0, 0.0, 1.0)}
    finally:
        plt.close(ax.figure)


@pytest.mark.parametrize("drop", [["n_runs"], ["gain_clean", "gain_car_noise"]])
def test_plot_arm_gains_needs_a_budget_comparison(drop):
    with pytest.raises(ValueError, match="plot_arm_gains needs the table"):
        t.plot_arm_gains(_comparison().drop(columns=drop))
