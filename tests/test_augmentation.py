import random

import numpy as np
import pandas as pd
import pytest

from mlkit import augmentation as aug
from mlkit.audio import SAMPLE_RATE_HZ

SR = SAMPLE_RATE_HZ


def _tone(freq_hz=300.0, n=4000, amp=0.4):
    t = np.arange(n) / SR
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def _speechlike(n=4000, seed=0):
    """Harmonics of 150 Hz up to 3.9 kHz: energy across the whole band."""
    t = np.arange(n) / SR
    x = sum(np.sin(2 * np.pi * 150 * k * t + k) / k**0.5 for k in range(1, 26))
    return (0.3 * x / np.max(np.abs(x))).astype(np.float32)


@pytest.fixture(scope="module")
def pool():
    rng = np.random.default_rng(1)
    return [(0.2 * rng.normal(size=3000)).astype(np.float32) for _ in range(4)]


def _pipe(kind, pool):
    return aug.make_pipeline(kind, babble_pool=pool if kind == "people_noise" else None)


# ---------------------------------------------------------------- entry points


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array([0, 16384, -32768], dtype=np.int16), [0.0, 0.5, -1.0]),
        (np.array([0.25, -0.5], dtype=np.float64), [0.25, -0.5]),
        (np.array([[0.5, 0.1], [0.1, 0.5], [0.0, 0.0]]), [0.3, 0.3, 0.0]),  # stereo (N, 2)
        (np.array([[0.5, 0.1, 0.0], [0.1, 0.5, 0.0]]), [0.3, 0.3, 0.0]),  # stereo (2, N)
        (np.array([0.7], dtype=np.float32), [0.7]),  # one sample
        (np.zeros(10, dtype=np.int16), [0.0] * 10),  # silent
    ],
)
def test_prepare_clip_converts_common_inputs(data, expected):
    out = aug.prepare_clip(data, sample_rate_hz=SR)
    assert out.dtype == np.float32 and out.ndim == 1
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_prepare_clip_refuses_other_rate_with_fix():
    with pytest.raises(ValueError, match=r"run at 8000 Hz\. Got clip at 16000 Hz.*resample_to_kit"):
        aug.prepare_clip(np.zeros(100), sample_rate_hz=16000)


def test_prepare_clip_resamples_when_asked():
    x = _tone(440.0, n=16000)
    out = aug.prepare_clip(x, sample_rate_hz=16000, resample_to_kit=True)
    assert out.shape == (8000,)


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (np.array([], dtype=np.float32), ValueError, "at least one sample"),
        (np.array([1.5, 0.0]), ValueError, "in \\[-1, 1\\]"),
        (np.array([np.nan, 0.0]), ValueError, "finite"),
        (np.zeros((4, 4)), ValueError, "ambiguous"),
        (np.zeros(3, dtype=np.complex64), TypeError, "dtype"),
    ],
)
def test_prepare_clip_refuses_bad_input(data, error, match):
    with pytest.raises(error, match=match):
        aug.prepare_clip(data, sample_rate_hz=SR)


def test_prepare_clip_refuses_bad_rate_type():
    with pytest.raises(
        TypeError, match="'sample_rate_hz' parameter of prepare_clip must be an int"
    ):
        aug.prepare_clip(np.zeros(3), sample_rate_hz=8000.0)


# ---------------------------------------------------------------- pipelines


@pytest.mark.parametrize("kind", aug.AUGMENTATIONS + aug.UNREALISTIC)
def test_every_pipeline_keeps_shape_dtype_and_range(kind, pool):
    x = _speechlike()
    y = aug.augment(x, _pipe(kind, pool), sample_rate_hz=SR, random_state=0)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.all(np.abs(y) <= 1.0)
    assert not np.array_equal(y, x)


@pytest.mark.parametrize("kind", aug.AUGMENTATIONS + aug.UNREALISTIC)
@pytest.mark.parametrize("clip", [np.array([0.3], np.float32), np.zeros(800, np.float32)])
def test_every_pipeline_handles_one_sample_and_silence(kind, clip, pool):
    y = aug.augment(clip, _pipe(kind, pool), sample_rate_hz=SR, random_state=0)
    assert y.shape == clip.shape and np.all(np.isfinite(y))
    if not clip.any():  # relative-SNR noise on silence is silence
        assert not y.any()


@pytest.mark.parametrize(
    "data",
    [
        (np.array([1000, -2000, 3000] * 100, dtype=np.int16)),
        (np.tile([[0.2, 0.1]], (300, 1))),  # (N, 2) float64
        (np.tile([[0.2], [0.1]], (1, 300))),  # (2, N) float64
    ],
)
def test_augment_accepts_any_entry_dtype_and_layout(data):
    y = aug.augment(data, aug.make_pipeline("gain"), sample_rate_hz=SR, random_state=3)
    assert y.shape == (300,) and y.dtype == np.float32


def test_pipeline_refuses_wrong_sample_rate_directly():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="runs at 8000 Hz only. Got sample_rate=16000"):
        pipe(samples=_tone(), sample_rate=16000)


def test_pipeline_refuses_multichannel_directly():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="takes a 1-D float32 clip.*prepare_clip"):
        pipe(samples=np.zeros((2, 100), np.float32), sample_rate=SR)


def test_augment_refuses_wrong_sample_rate():
    with pytest.raises(ValueError, match="Resample it first"):
        aug.augment(_tone(), aug.make_pipeline("gain"), sample_rate_hz=44100)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "reverb"}, ValueError, "'kind' parameter of make_pipeline must be one of"),
        ({"kind": "people_noise"}, ValueError, "babble_pool of at least 3 clips.*Got 0"),
        ({"kind": "car_noise", "snr_db_range": (10.0, 0.0)}, ValueError, "snr_db_range\\[1\\]"),
        ({"kind": "car_noise", "snr_db_range": 5.0}, ValueError, "\\(low, high\\) pair"),
    ],
)
def test_make_pipeline_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        aug.make_pipeline(**kwargs)


def test_augment_refuses_non_callable_pipeline():
    with pytest.raises(TypeError, match="must be an audiomentations pipeline"):
        aug.augment(_tone(), "car_noise", sample_rate_hz=SR)


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("kind", aug.AUGMENTATIONS + aug.UNREALISTIC)
def test_same_random_state_gives_identical_output(kind, pool):
    x = _speechlike()
    pipe = _pipe(kind, pool)
    a = aug.augment(x, pipe, sample_rate_hz=SR, random_state=7)
    random.random()
    np.random.random()
    b = aug.augment(x, pipe, sample_rate_hz=SR, random_state=7)
    c = aug.augment(x, pipe, sample_rate_hz=SR, random_state=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_augment_restores_global_random_states():
    random.seed(123)
    np.random.seed(123)
    expected = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    aug.augment(_tone(), aug.make_pipeline("gaussian_snr"), sample_rate_hz=SR, random_state=0)
    assert (random.random(), np.random.random()) == expected


def test_augment_clips_is_reproducible_and_independent_per_clip():
    clips = [_tone(300.0), _tone(300.0)]
    pipe = aug.make_pipeline("gaussian_snr")
    a = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=0)
    b = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=0)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], a[1])  # same input, different derived seeds


def test_augment_clips_refuses_single_array_and_names_bad_clip():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="single 1-D array"):
        aug.augment_clips(_tone(), pipe, sample_rate_hz=SR)
    with pytest.raises(ValueError, match="clip 1 must hold at least one sample"):
        aug.augment_clips([_tone(), np.array([])], pipe, sample_rate_hz=SR)


# ---------------------------------------------------------------- signal properties


def _snr_db(clean, noisy):
    clean = clean.astype(np.float64)
    return 10 * np.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))


@pytest.mark.parametrize("kind", ["car_noise", "people_noise", "gaussian_snr", "stadium_noise"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_added_noise_snr_is_within_range(kind, seed, pool):
    lo, hi = (-5.0, 0.0) if kind == "stadium_noise" else (5.0, 10.0)
    pipe = aug.make_pipeline(kind, snr_db_range=(lo, hi), babble_pool=pool)
    x = _speechlike() * 0.5
    y = aug.augment(x, pipe, sample_rate_hz=SR, random_state=seed)
    assert lo - 0.05 <= _snr_db(x, y) <= hi + 0.05


def test_low_bandwidth_removes_high_frequency_energy():
    x = _speechlike(n=8000)
    y = aug.augment(x, aug.make_pipeline("low_bandwidth"), sample_rate_hz=SR, random_state=0)

    def band_db(z, lo, hi):
        spec = np.abs(np.fft.rfft(z)) ** 2
        f = np.fft.rfftfreq(z.size, 1 / SR)
        return 10 * np.log10(spec[(f >= lo) & (f < hi)].sum())

    assert band_db(x, 3000, 4000) - band_db(y, 3000, 4000) > 20.0  # high band removed
    assert band_db(x, 800, 1500) - band_db(y, 800, 1500) < 3.0  # speech band kept


def test_gain_changes_level_only():
    x = _tone()
    y = aug.augment(x, aug.make_pipeline("gain"), sample_rate_hz=SR, random_state=0)
    ratio = np.max(np.abs(y)) / np.max(np.abs(x))
    np.testing.assert_allclose(y, np.clip(x * ratio, -1, 1), atol=1e-5)


# ---------------------------------------------------------------- datasets and experiments


@pytest.fixture(scope="module")
def small_speech():
    from mlkit.datasets import load_speech

    return load_speech(n_clips=24, random_state=0)


def test_augment_dataset_makes_copy_major_tagged_copies(small_speech):
    part = small_speech.subset(np.arange(5))
    out = aug.augment_dataset(part, aug.make_pipeline("gain"), tag="car_noise", augment_factor=2)
    assert len(out) == 10
    assert out.metadata["copy"].tolist() == [0] * 5 + [1] * 5
    assert set(out.metadata["condition"]) == {"car_noise"}
    assert out.metadata["augmented_from"].tolist() == part.metadata["clip_id"].tolist() * 2
    np.testing.assert_array_equal(out.y, np.tile(part.y, 2))
    assert "copy" not in part.metadata.columns  # input untouched
    with pytest.raises(ValueError, match="'augment_factor' parameter of augment_dataset"):
        aug.augment_dataset(part, aug.make_pipeline("gain"), tag="x", augment_factor=0)


def test_accuracy_by_tag_and_errors():
    acc = aug.accuracy_by_tag([0, 1, 1, 0], [0, 1, 0, 0], ["x", "y", "y", "x"])
    assert acc.to_dict() == {"x": 1.0, "y": 0.5, "overall": 0.75}
    with pytest.raises(ValueError, match="same length"):
        aug.accuracy_by_tag([0, 1], [0], ["x", "y"])


def test_model_sizes_differ_in_capacity():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 144))
    y = (X[:, 50] > 0).astype(int)  # only visible to the large model
    small = aug.model_of_size("small").fit(X, y)
    large = aug.model_of_size("large").fit(X, y)
    assert large.score(X, y) > small.score(X, y) + 0.2
    with pytest.raises(ValueError, match="'size' parameter of model_of_size must be one of"):
        aug.model_of_size("huge")


def test_compare_and_learning_curves_shapes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 144))
    y = rng.integers(0, 3, size=60)
    tags = np.array(["clean", "car_noise"] * 10)
    table = aug.compare_augmentations(
        X[:40], y[:40], X[40:], y[40:], tags, augmented={"targeted": (X[:10], y[:10])}
    )
    assert list(table.columns) == ["baseline", "targeted"]
    assert list(table.index) == ["car_noise", "clean", "overall"]
    curves = aug.augmentation_learning_curves(
        X[:40], y[:40], X[40:], y[40:], tags,
        X_aug=X[:20], y_aug=y[:20], aug_copy=np.repeat([0, 1], 10),
        target_tag="car_noise", factors=(0, 2),
    )  # fmt: skip
    assert isinstance(curves, pd.DataFrame)
    assert curves["n_train"].tolist() == [40, 60, 40, 60]
    with pytest.raises(ValueError, match="'target_tag' parameter.*Got 'stadium'"):
        aug.augmentation_learning_curves(
            X[:40], y[:40], X[40:], y[40:], tags,
            X_aug=X[:20], y_aug=y[:20], aug_copy=np.zeros(20), target_tag="stadium",
        )  # fmt: skip


def test_plots_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    examples = aug.augment_examples(
        _speechlike(), {"gain": aug.make_pipeline("gain")}, sample_rate_hz=SR
    )
    assert list(examples) == ["original", "gain"]
    fig = aug.plot_augmentations(examples, sample_rate_hz=SR)
    assert len([a for a in fig.axes if a.get_visible()]) >= 2
    plt.close(fig)
    table = pd.DataFrame({"baseline": [0.5, 0.6], "targeted": [0.7, 0.6]}, index=["a", "b"])
    plt.close(aug.plot_tag_comparison(table, target_tag="a"))


@pytest.mark.parametrize("tag", ["clean", "car_noise", "people_noise", "low_bandwidth"])
def test_pipeline_for_tag_covers_every_condition(tag, pool):
    pipe = aug.pipeline_for_tag(tag, babble_pool=pool)
    y = aug.augment(_speechlike(), pipe, sample_rate_hz=SR, random_state=0)
    assert y.shape == (4000,)
    with pytest.raises(ValueError, match="'tag' parameter of pipeline_for_tag"):
        aug.pipeline_for_tag("stadium_noise")


def test_augment_examples_refuses_reserved_name():
    with pytest.raises(ValueError, match="reserves the name 'original'"):
        aug.augment_examples(_tone(), {"original": aug.make_pipeline("gain")}, sample_rate_hz=SR)


def test_play_examples_displays_nothing_headless(monkeypatch):
    monkeypatch.setenv("MLKIT_HEADLESS", "1")
    assert aug.play_examples({"a": _tone()}, sample_rate_hz=SR) == 0


# ---------------------------------------------------------------- fast paths keep the output


@pytest.mark.parametrize(
    ("order", "low_hz", "high_hz", "sr"),
    [
        (4, 250.0, 2100.0, 8000),
        (5, 150.0, 2300.0, 8000),  # wide band: two of the poles are real
        (6, 1000.0, 1100.0, 8000),  # narrow band
        (1, 20.0, 3999.6, 8000),  # upper edge at audiomentations' Nyquist clamp
        (3, 300.0, 3400.0, 44100),
    ],
)
def test_butter_bandpass_sos_equals_scipy(order, low_hz, high_hz, sr):
    from scipy.signal import butter, sosfilt_zi

    sos, zi = aug.butter_bandpass_sos_zi(order, low_hz, high_hz, sr)
    ref = butter(order, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos")
    np.testing.assert_allclose(sos, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(zi, sosfilt_zi(ref), rtol=1e-10, atol=1e-13)


def _stock(kind):
    """The plain audiomentations transform that make_pipeline(kind) speeds up."""
    import audiomentations as am

    stock = {
        "low_bandwidth": lambda: am.BandPassFilter(
            min_center_freq=1000.0,
            max_center_freq=1300.0,
            min_bandwidth_fraction=1.3,
            max_bandwidth_fraction=1.6,
            min_rolloff=24,
            max_rolloff=36,
            p=1.0,
        ),
        "time_stretch": lambda: am.TimeStretch(
            min_rate=0.85, max_rate=1.15, leave_length_unchanged=True, p=1.0
        ),
        "pitch_shift": lambda: am.PitchShift(min_semitones=-3.0, max_semitones=3.0, p=1.0),
    }[kind]()
    return aug._transforms().KitCompose([stock], p=1.0)


@pytest.mark.parametrize("kind", ["low_bandwidth", "time_stretch", "pitch_shift"])
def test_fast_transforms_match_stock_audiomentations(kind):
    import audiomentations as am

    pipe = aug.make_pipeline(kind)
    assert isinstance(pipe.transforms[0], getattr(am, type(pipe.transforms[0]).__name__))
    # Several clips in a row: the reused stretcher must not carry state from clip to clip.
    clips = [_speechlike(4000, seed=0), _tone(700.0, 2500), _speechlike(3000) * 0.1, _tone(n=1)]
    fast = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=5)
    stock = aug.augment_clips(clips, _stock(kind), sample_rate_hz=SR, random_state=5)
    for a, b in zip(fast, stock, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
