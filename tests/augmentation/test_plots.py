import numpy as np
import pandas as pd
import pytest

from mlkit import augmentation as aug
from tests.augmentation._clips import SR, speechlike, tone


def test_plots_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    examples = aug.augment_examples(
        speechlike(), {"gain": aug.make_pipeline("gain")}, sample_rate_hz=SR
    )
    assert list(examples) == ["original", "gain"]
    fig = aug.plot_augmentations(examples, sample_rate_hz=SR)
    assert len([a for a in fig.axes if a.get_visible()]) >= 2
    plt.close(fig)
    table = pd.DataFrame({"baseline": [0.5, 0.6], "targeted": [0.7, 0.6]}, index=["a", "b"])
    plt.close(aug.plot_tag_comparison(table, target_tag="a"))


def test_augment_examples_refuses_reserved_name():
    with pytest.raises(ValueError, match="reserves the name 'original'"):
        aug.augment_examples(tone(), {"original": aug.make_pipeline("gain")}, sample_rate_hz=SR)


def test_play_examples_displays_nothing_headless(monkeypatch):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")
    assert aug.play_examples({"a": tone()}, sample_rate_hz=SR) == 0


def test_augment_at_snrs_matches_one_pipeline_per_snr(pool):
    x = speechlike()
    noisy = aug.augment_at_snrs(
        x, sample_rate_hz=SR, snr_grid_db=[0.0, 10.0], babble_pool=pool, random_state=3
    )
    assert list(noisy) == [(k, s) for k in aug.NOISE_KINDS for s in (0.0, 10.0)]
    expected = aug.augment(
        x,
        aug.make_pipeline("car_noise", snr_db_range=(10.0, 10.0)),
        sample_rate_hz=SR,
        random_state=3,
    )
    np.testing.assert_array_equal(noisy[("car_noise", 10.0)], expected)
    assert len(aug.SNR_GRID_DB) == 13 and aug.SNR_GRID_DB[0] == -10.0  # production's lowest SNR


def test_plot_noisy_example_shows_the_nearest_snr():
    noisy = {("gain", 0.0): tone(), ("gain", 10.0): np.zeros(4000, np.float32)}
    fig = aug.plot_noisy_example(noisy, kind="gain", snr_db=8.0, sample_rate_hz=SR)
    assert fig.axes[0].get_title() == "gain at 8 dB SNR"
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), 0.0)  # the 10 dB clip
    with pytest.raises(KeyError, match="no version of 'car_noise'"):
        aug.plot_noisy_example(noisy, kind="car_noise", snr_db=0.0, sample_rate_hz=SR)


def test_describe_curves_reads_the_numbers():
    curves = pd.DataFrame(
        {
            "size": ["large"] * 3,
            "augment_factor": [0, 1, 2],
            "n_train": [10, 20, 30],
            "accuracy": [0.5, 0.6, 0.55],
            "accuracy_target": [0.3, 0.4, 0.5],
            "accuracy_other": [0.6, 0.6, 0.6],
        }
    )
    text = aug.describe_curves(curves)
    assert text.startswith("- **large** model, ×0 → ×2 augmented copies: overall +0.050")
    assert "(the other tags held)" in text and "last step ×1 → ×2: overall -0.050." in text


@pytest.mark.parametrize("n_seeds", [1, 3])
def test_plot_learning_curves_draws_mean_and_band_over_seeds(n_seeds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [
        {"seed": s, "size": size, "augment_factor": k, "n_train": 100 + 50 * k,
         "accuracy": 0.7 + 0.01 * k + 0.01 * s, "accuracy_target": 0.5 + 0.02 * k}
        for s in range(n_seeds) for size in ("small", "large") for k in (0, 2)
    ]  # fmt: skip
    fig = aug.plot_learning_curves(pd.DataFrame(rows))
    left = fig.axes[0]
    assert len(left.lines) == 2  # one mean line per size
    np.testing.assert_allclose(
        left.lines[0].get_ydata(), [0.7 + 0.01 * (n_seeds - 1) / 2, 0.72 + 0.01 * (n_seeds - 1) / 2]
    )
    assert len(left.collections) == (2 if n_seeds > 1 else 0)  # interval bands only over seeds
    assert ("splits" in left.get_ylabel()) == (n_seeds > 1)
    plt.close(fig)


def test_describe_augmentation_snr_reads_the_psychometric_function():
    from mlkit.data import effective_snr_db, human_recognition_probability

    text = aug.describe_augmentation_snr(production_snr_db=-10.0, augment_snr_db=0.0)
    p = human_recognition_probability(
        effective_snr_db(np.array([-10.0]), np.array(["people_noise"]))
    )
    assert f"name {p[0]:.0%}".replace("%", " %") in text
    assert "they pass the course's checklist" in text
    # copies as noisy as production's worst fail the checklist: the text says so
    worst = aug.describe_augmentation_snr(production_snr_db=-10.0, augment_snr_db=-10.0)
    assert "fail the course's checklist" in worst
