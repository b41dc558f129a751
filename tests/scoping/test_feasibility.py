"""Unit tests for mlkit.scoping._feasibility: mutual information and the quick model."""

import numpy as np
import pandas as pd
import pytest

from mlkit.scoping import (
    compare_with_hlp,
    cross_validate_quick_model,
    describe_speaker_leakage,
    mutual_information,
    plot_mutual_information,
    quick_model,
)
from tests.scoping._data import speaker_specific_data


def test_quick_model_is_the_modeling_logreg_with_a_loose_tolerance():
    clf = quick_model().named_steps["clf"]
    assert (clf.tol, clf.max_iter, clf.solver) == (1e-3, 2000, "lbfgs")


def test_mutual_information_ranks_the_informative_feature_first():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = np.column_stack([rng.normal(size=300), y + 0.1 * rng.normal(size=300)])
    mi = mutual_information(X, y, feature_names=["noise", "signal"], random_state=0)
    assert mi.index[0] == "signal"
    assert mi.loc["signal", "mi_nats"] > 0.5
    assert mi.loc["signal", "mi_shuffled_nats"] < 0.1
    pd.testing.assert_frame_equal(
        mi, mutual_information(X, y, feature_names=["noise", "signal"], random_state=0)
    )


@pytest.mark.parametrize(
    ("X", "names", "match"),
    [
        (np.zeros(10), None, "must be 2-D"),
        (np.zeros((10, 2)), ["a"], "1 feature names for 2 columns"),
    ],
)
def test_mutual_information_refuses_bad_input(X, names, match):
    with pytest.raises(ValueError, match=match):
        mutual_information(X, np.zeros(10), feature_names=names)


def test_plot_mutual_information_shows_top_features():
    from matplotlib.figure import Figure

    mi = pd.DataFrame(
        {"mi_nats": [0.5, 0.1, 0.05], "mi_shuffled_nats": [0.01, 0.01, np.nan]},
        index=["a", "b", "c"],
    )
    fig = plot_mutual_information(mi, top=2)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_title() == "Top 2 of 3 features"
    with pytest.raises(ValueError, match="'top' parameter"):
        plot_mutual_information(mi, top=0)


def test_cross_validate_quick_model_separates_seen_and_unseen_speakers():
    X, y, speaker = speaker_specific_data()
    out = cross_validate_quick_model(X, y, groups=speaker, n_folds=3, random_state=0)
    assert out["seen_accuracy"] > 0.9  # the speakers' clips leak into training
    assert out["accuracy"] < 0.6  # near chance (1/3) on unseen speakers
    assert out["chance_accuracy"] == pytest.approx(np.mean(out["y_pred_chance"] == y))
    assert out["accuracy"] == pytest.approx(np.mean(out["y_pred"] == y))
    assert out["y_pred"].shape == out["y_pred_seen"].shape == y.shape
    again = cross_validate_quick_model(X, y, groups=speaker, n_folds=3, random_state=0)
    np.testing.assert_array_equal(out["y_pred"], again["y_pred"])


def test_cross_validate_quick_model_refuses_bad_input():
    X, y, speaker = speaker_specific_data(n_speakers=3)
    with pytest.raises(ValueError, match="same length"):
        cross_validate_quick_model(X, y[:-1], groups=speaker)
    with pytest.raises(ValueError, match="'n_folds' parameter"):
        cross_validate_quick_model(X, y, groups=speaker, n_folds=1)


def test_compare_with_hlp_aligns_on_tags():
    model = pd.DataFrame({"accuracy": [0.5, 0.9, 0.8]}, index=["noisy", "clean", "overall"])
    hlp = pd.DataFrame({"hlp_accuracy": [0.95, 0.7, 0.85]}, index=["clean", "noisy", "overall"])
    out = compare_with_hlp(model, hlp)
    assert list(out.index) == ["noisy", "clean", "overall"]
    assert out["gap_to_hlp"].round(3).tolist() == [-0.2, -0.05, -0.05]
    assert "gap_to_hlp" not in model.columns  # input unchanged
    with pytest.raises(ValueError, match="'hlp' parameter of compare_with_hlp"):
        compare_with_hlp(model, model)


@pytest.mark.parametrize(
    ("accuracy", "seen", "phrase"),
    [
        (0.863, 0.9, "A clip-level split would flatter it."),
        (0.90, 0.905, "Speaker leakage barely matters here."),
    ],
)
def test_describe_speaker_leakage(accuracy, seen, phrase):
    text = describe_speaker_leakage(accuracy, seen)
    assert phrase in text
    assert f"**{accuracy:.1%}**" in text and f"({seen - accuracy:+.1%})" in text


def test_describe_speaker_leakage_refuses_bad_accuracy():
    with pytest.raises(ValueError, match="'seen_accuracy' parameter"):
        describe_speaker_leakage(0.8, 1.2)
