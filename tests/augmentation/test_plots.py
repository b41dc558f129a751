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
    assert len(aug.SNR_GRID_DB) == 11 and aug.SNR_GRID_DB[0] == -5.0


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
