import numpy as np
import pytest

from mlkit import augmentation as aug
from mlkit.audio import apply_condition
from tests.augmentation._clips import SR


@pytest.fixture(scope="module")
def edges():
    return aug.low_bandwidth_edges(n_draws=20, random_state=0)


def test_band_edges_of_a_known_lowpass():
    from scipy.signal import butter, sosfilt

    x = np.random.default_rng(0).normal(scale=0.1, size=32000)
    y = sosfilt(butter(8, 1500, fs=SR, output="sos"), x)
    f3, f20 = aug.band_edges_hz(x, y, sample_rate_hz=SR)
    assert f3 == pytest.approx(1500, abs=20)  # a Butterworth's cut-off is its -3 dB point
    assert 1500 < f20 < 2200
    # identity never falls 20 dB: no edge
    assert np.isnan(aug.band_edges_hz(x, x, sample_rate_hz=SR)).all()


def test_production_low_bandwidth_edges_on_white_noise(edges):
    # the 4000 Hz codec's anti-aliasing filter: -3 dB near 1.85 kHz, -20 dB near 2.05 kHz (H1
    # estimate; the PSD-ratio reading gave 2.16 kHz, quantisation noise included)
    assert edges.loc["production", "upper_3db_hz"] == pytest.approx(1850, abs=40)
    assert edges.loc["production", "upper_20db_hz"] == pytest.approx(2060, abs=60)


@pytest.mark.parametrize("col", ["upper_3db_hz", "upper_20db_hz"])
def test_augmentation_band_edges_include_production(edges, col):
    prod = edges.loc["production", col]
    draws = edges.drop(index="production")[col]
    # production inside the range of draws, with room on both sides (not at an extreme)
    assert draws.min() < prod - 100 and draws.max() > prod + 100


def test_the_old_bandpass_augmentation_misses_production():
    """The check can fail: audiomentations' band-pass of before never reached production."""
    import audiomentations as am

    old = am.Compose(
        [am.BandPassFilter(min_center_freq=1000.0, max_center_freq=1300.0,
                           min_bandwidth_fraction=1.3, max_bandwidth_fraction=1.6,
                           min_rolloff=24, max_rolloff=36, p=1.0)]
    )  # fmt: skip
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.1, size=16000).astype(np.float32)
    prod = aug.band_edges_hz(x, apply_condition(x, "low_bandwidth", sample_rate_hz=SR))
    draws = np.array(
        [aug.band_edges_hz(x, aug.augment(x, old, sample_rate_hz=SR, random_state=s))
         for s in range(20)]
    )  # fmt: skip
    assert draws[:, 1].min() > prod[1]  # every -20 dB point above production's: too wide
    assert "misses" in aug.describe_band_edges(
        aug.low_bandwidth_edges(n_draws=3).assign(upper_20db_hz=[2000.0, 2500.0, 2600.0, 2700.0])
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": np.zeros(10)}, "same length"),
        ({"levels_db": [3.0]}, "'levels_db' parameter of band_edges_hz must hold levels below"),
    ],
)
def test_band_edges_refuses_bad_input(kwargs, match):
    args = {"x": np.zeros(2048), "y": np.zeros(2048)} | kwargs
    with pytest.raises(ValueError, match=match):
        aug.band_edges_hz(args.pop("x"), args.pop("y"), **args)


def test_low_bandwidth_edges_refuses_no_draws():
    with pytest.raises(ValueError, match="'n_draws' parameter of low_bandwidth_edges"):
        aug.low_bandwidth_edges(n_draws=0)


def test_telephone_line_is_reproducible_and_keeps_length():
    pipe = aug.make_pipeline("low_bandwidth")
    x = np.random.default_rng(1).normal(scale=0.1, size=3001).astype(np.float32)
    a = aug.augment(x, pipe, sample_rate_hz=SR, random_state=3)
    b = aug.augment(x, pipe, sample_rate_hz=SR, random_state=3)
    c = aug.augment(x, pipe, sample_rate_hz=SR, random_state=4)
    assert a.shape == x.shape and np.array_equal(a, b) and not np.array_equal(a, c)
