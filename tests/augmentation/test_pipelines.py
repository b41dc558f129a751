import random

import numpy as np
import pytest

from mlkit import augmentation as aug
from tests.augmentation._clips import SR, speechlike, tone


def _pipe(kind, pool):
    return aug.make_pipeline(kind, babble_pool=pool if kind == "people_noise" else None)


# ---------------------------------------------------------------- pipelines


@pytest.mark.parametrize("kind", aug.AUGMENTATIONS + aug.UNREALISTIC)
def test_every_pipeline_keeps_shape_dtype_and_range(kind, pool):
    x = speechlike()
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


def test_augment_refuses_wrong_sample_rate():
    with pytest.raises(ValueError, match="Resample it first"):
        aug.augment(tone(), aug.make_pipeline("gain"), sample_rate_hz=44100)


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
        aug.augment(tone(), "car_noise", sample_rate_hz=SR)


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("kind", aug.AUGMENTATIONS + aug.UNREALISTIC)
def test_same_random_state_gives_identical_output(kind, pool):
    x = speechlike()
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
    aug.augment(tone(), aug.make_pipeline("gaussian_snr"), sample_rate_hz=SR, random_state=0)
    assert (random.random(), np.random.random()) == expected


def test_augment_clips_is_reproducible_and_independent_per_clip():
    clips = [tone(300.0), tone(300.0)]
    pipe = aug.make_pipeline("gaussian_snr")
    a = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=0)
    b = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=0)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], a[1])  # same input, different derived seeds


def test_augment_clips_refuses_single_array_and_names_bad_clip():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="single 1-D array"):
        aug.augment_clips(tone(), pipe, sample_rate_hz=SR)
    with pytest.raises(ValueError, match="clip 1 must hold at least one sample"):
        aug.augment_clips([tone(), np.array([])], pipe, sample_rate_hz=SR)


# ---------------------------------------------------------------- signal properties


def _snr_db(clean, noisy):
    clean = clean.astype(np.float64)
    return 10 * np.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))


@pytest.mark.parametrize("kind", ["car_noise", "people_noise", "gaussian_snr", "stadium_noise"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_added_noise_snr_is_within_range(kind, seed, pool):
    lo, hi = (-5.0, 0.0) if kind == "stadium_noise" else (5.0, 10.0)
    pipe = aug.make_pipeline(kind, snr_db_range=(lo, hi), babble_pool=pool)
    x = speechlike() * 0.5
    y = aug.augment(x, pipe, sample_rate_hz=SR, random_state=seed)
    assert lo - 0.05 <= _snr_db(x, y) <= hi + 0.05


def test_low_bandwidth_removes_high_frequency_energy():
    x = speechlike(n=8000)
    y = aug.augment(x, aug.make_pipeline("low_bandwidth"), sample_rate_hz=SR, random_state=0)

    def band_db(z, lo, hi):
        spec = np.abs(np.fft.rfft(z)) ** 2
        f = np.fft.rfftfreq(z.size, 1 / SR)
        return 10 * np.log10(spec[(f >= lo) & (f < hi)].sum())

    assert band_db(x, 3000, 4000) - band_db(y, 3000, 4000) > 20.0  # high band removed
    assert band_db(x, 800, 1500) - band_db(y, 800, 1500) < 3.0  # speech band kept


def test_gain_changes_level_only():
    x = tone()
    y = aug.augment(x, aug.make_pipeline("gain"), sample_rate_hz=SR, random_state=0)
    ratio = np.max(np.abs(y)) / np.max(np.abs(x))
    np.testing.assert_allclose(y, np.clip(x * ratio, -1, 1), atol=1e-5)


# ---------------------------------------------------------------- datasets and experiments


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


@pytest.mark.parametrize("tag", ["clean", "car_noise", "people_noise", "low_bandwidth"])
def test_pipeline_for_tag_covers_every_condition(tag, pool):
    pipe = aug.pipeline_for_tag(tag, babble_pool=pool)
    y = aug.augment(speechlike(), pipe, sample_rate_hz=SR, random_state=0)
    assert y.shape == (4000,)
    with pytest.raises(ValueError, match="'tag' parameter of pipeline_for_tag"):
        aug.pipeline_for_tag("stadium_noise")


# ---------------------------------------------------------------- notebook helpers


def test_make_pipelines_builds_every_kind_in_order(pool):
    pipes = aug.make_pipelines(snr_db_range=(5.0, 5.0), babble_pool=pool)
    assert list(pipes) == list(aug.AUGMENTATIONS + aug.UNREALISTIC)
    x = speechlike()
    a = aug.augment(x, pipes["car_noise"], sample_rate_hz=SR, random_state=0)
    b = aug.augment(
        x,
        aug.make_pipeline("car_noise", snr_db_range=(5.0, 5.0)),
        sample_rate_hz=SR,
        random_state=0,
    )
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="babble_pool of at least 3 clips"):
        aug.make_pipelines(["people_noise"])


def test_make_babble_pool_takes_speakers_in_turn(small_speech):
    meta = small_speech.metadata
    clean = [i for i, c in enumerate(meta["condition"]) if c == "clean"]
    n_speakers = meta["speaker"].iloc[clean].nunique()
    pool = aug.make_babble_pool(small_speech, n_clips=n_speakers)
    rows = [next(i for i in clean if small_speech.clips[i] is clip) for clip in pool]
    assert meta["speaker"].iloc[rows].nunique() == n_speakers  # one clip per speaker first
    assert rows[0] == clean[0]  # no seed: dataset order
    seeded = aug.make_babble_pool(small_speech, n_clips=n_speakers, random_state=1)
    again = aug.make_babble_pool(small_speech, n_clips=n_speakers, random_state=1)
    assert all(a is b for a, b in zip(seeded, again, strict=True))
    assert aug.make_babble_pool(small_speech, condition="no_such_condition") == []
    with pytest.raises(ValueError, match="'n_clips' parameter of make_babble_pool"):
        aug.make_babble_pool(small_speech, n_clips=0)


def test_entry_point_table_reports_ok_and_refused():
    cases = {
        "int16": (np.array([0, 16384, -32768], np.int16), 8000),
        "16 kHz": (np.zeros(160), 16000),
        "int64": (np.zeros(4, np.int64), 8000),
    }
    table = aug.entry_point_table(cases, aug.make_pipeline("gain"), pipeline_name="gain")
    assert list(table.columns) == ["augment(..., gain)"]
    col = table["augment(..., gain)"]
    assert col["int16"].startswith("ok: float32, shape (3,), peak ")
    assert col["16 kHz"].startswith("refused: ValueError: Augmentation pipelines run at 8000 Hz")
    assert col["int64"].startswith("refused: TypeError")
    with pytest.raises(TypeError, match="'pipeline' parameter of entry_point_table"):
        aug.entry_point_table(cases, "gain")
