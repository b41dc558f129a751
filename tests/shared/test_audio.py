"""Unit tests for mlkit.audio: conversion, I/O, resampling and the noise conditions."""

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import welch

from mlkit.audio import (
    CONDITIONS,
    SAMPLE_RATE_HZ,
    add_noise_at_snr,
    apply_condition,
    read_audio,
    resample,
    to_mono_float32,
)

SR = SAMPLE_RATE_HZ


def _speechlike(n=4000, seed=0, f0=140.0):
    """Harmonic-rich 'voiced' test clip with energy up to 4 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    x = sum(np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 6)) / k for k in range(1, 28))
    x = x * np.hanning(n) + 0.01 * rng.normal(size=n)
    return (0.7 * x / np.max(np.abs(x))).astype(np.float32)


def _pool(n=5):
    return [_speechlike(3000 + 300 * i, seed=10 + i, f0=110 + 20 * i) for i in range(n)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array([0, 16384, -32768], dtype=np.int16), [0.0, 0.5, -1.0]),
        (np.array([0, 2**30, -(2**31)], dtype=np.int32), [0.0, 0.5, -1.0]),
        (np.array([128, 192, 0], dtype=np.uint8), [0.0, 0.5, -1.0]),
        (np.array([0.0, 0.5, -1.0], dtype=np.float64), [0.0, 0.5, -1.0]),
        (np.array([0.0, 0.5, -1.0], dtype=np.float32), [0.0, 0.5, -1.0]),
        (np.array([1.0005, -0.25]), [1.0, -0.25]),  # tiny overshoot is clipped
        (np.array([[0.5, -0.5], [1.0, 0.0], [0.2, 0.4]]), [0.0, 0.5, 0.3]),  # (N, 2)
        (np.array([[0.5, 1.0, 0.2], [-0.5, 0.0, 0.4]]), [0.0, 0.5, 0.3]),  # (2, N)
        (np.array([[0.3, 0.3, 0.3, 0.3]] * 3).T, [0.3] * 4),  # (N, 3)
        (np.array([[3000, -3000]] * 4, dtype=np.int16), [0.0] * 4),
    ],
    ids=["int16", "int32", "uint8", "float64", "float32", "overshoot", "N2", "2N", "N3", "int16N2"],
)
def test_to_mono_float32_converts(data, expected):
    out = to_mono_float32(data)
    assert out.dtype == np.float32
    assert out.ndim == 1
    np.testing.assert_allclose(out, expected, atol=1e-6)


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        (np.zeros((2, 2)), ValueError, "ambiguous 2-D shape"),
        (np.zeros((40, 50)), ValueError, "ambiguous 2-D shape"),
        (np.zeros((2, 3, 4)), ValueError, "must be 1-D"),
        (np.array([0.1, np.nan]), ValueError, "finite samples"),
        (np.array([0.1, np.inf]), ValueError, "finite samples"),
        (np.array([], dtype=np.float32), ValueError, "at least one sample"),
        (np.array([0.5, 1.5]), ValueError, r"\[-1, 1\].*peak of 1\.5.*Normalise"),
        (np.array([1, 2], dtype=np.int64), TypeError, "dtype int16, int32"),
        (np.array(["a", "b"]), TypeError, "dtype int16, int32"),
    ],
)
def test_to_mono_float32_rejects(data, error, match):
    with pytest.raises(error, match=match):
        to_mono_float32(data)


def test_to_mono_float32_does_not_modify_input():
    data = np.array([[0.5, -0.5], [1.0, 0.0], [0.2, 0.4]])
    before = data.copy()
    to_mono_float32(data)
    np.testing.assert_array_equal(data, before)


def test_read_audio_resamples_a_16k_stereo_int16_file(tmp_path):
    t = np.arange(16000) / 16000
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = (np.stack([tone, tone], axis=1) * 32767).astype(np.int16)
    path = tmp_path / "tone.wav"
    sf.write(path, stereo, 16000, subtype="PCM_16")
    clip, sr = read_audio(path)
    assert sr == SR
    assert clip.dtype == np.float32 and clip.shape == (8000,)
    f, p = welch(clip, fs=SR, nperseg=1024)
    assert abs(f[np.argmax(p)] - 440) < 10
    native, native_sr = read_audio(path, target_sample_rate_hz=None)
    assert native_sr == 16000 and native.shape == (16000,)


def test_read_audio_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.wav.*does not exist.*Check the path"):
        read_audio(tmp_path / "nope.wav")


def test_read_audio_corrupt_file(tmp_path):
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEthis is not audio")
    with pytest.raises(ValueError, match=r"broken\.wav.*could not be decoded"):
        read_audio(path)


@pytest.mark.parametrize(("orig", "target"), [(16000, 8000), (22050, 8000), (8000, 16000)])
def test_resample_length_and_dtype(orig, target):
    out = resample(np.zeros(orig), orig, target)
    assert out.dtype == np.float32
    assert out.shape == (target,)


def test_resample_rejects_bad_rate():
    with pytest.raises(ValueError, match="orig_sample_rate_hz"):
        resample(np.zeros(10), 0, 8000)


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 7.5, 20.0])
def test_add_noise_at_snr_hits_target(snr_db):
    rng = np.random.default_rng(1)
    s = 0.3 * rng.normal(size=5000)
    n = rng.normal(size=1234)  # shorter: gets looped
    mix = add_noise_at_snr(s, n, snr_db)
    measured = 10 * np.log10(np.mean(s**2) / np.mean((mix.astype(np.float64) - s) ** 2))
    assert mix.shape == s.shape
    assert abs(measured - snr_db) < 0.01


def test_add_noise_at_snr_rejects_silent_noise():
    with pytest.raises(ValueError, match="non-zero power"):
        add_noise_at_snr(np.ones(10), np.zeros(10), 5.0)


@pytest.mark.parametrize("condition", ["car_noise", "people_noise"])
@pytest.mark.parametrize("snr_db", [0.0, 5.0, 15.0])
def test_noisy_conditions_hit_snr(condition, snr_db):
    clip = 0.5 * _speechlike()  # head-room so clipping does not change the SNR
    out = apply_condition(
        clip, condition, sample_rate_hz=SR, snr_db=snr_db, random_state=3, babble_pool=_pool()
    )
    c = clip.astype(np.float64)
    measured = 10 * np.log10(np.mean(c**2) / np.mean((out.astype(np.float64) - c) ** 2))
    assert abs(measured - snr_db) < 0.1


@pytest.mark.parametrize("condition", CONDITIONS)
def test_conditions_keep_length_dtype_and_range(condition):
    clip = _speechlike(3333)
    out = apply_condition(
        clip, condition, sample_rate_hz=SR, snr_db=-5.0, random_state=0, babble_pool=_pool()
    )
    assert out.shape == clip.shape
    assert out.dtype == np.float32
    assert np.all(np.abs(out) <= 1.0)


@pytest.mark.parametrize("condition", ["car_noise", "people_noise"])
def test_conditions_are_deterministic_per_random_state(condition):
    clip, pool = _speechlike(), _pool()
    kw = {"sample_rate_hz": SR, "snr_db": 5.0, "babble_pool": pool}
    a = apply_condition(clip, condition, random_state=7, **kw)
    b = apply_condition(clip, condition, random_state=7, **kw)
    c = apply_condition(clip, condition, random_state=8, **kw)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_clean_is_unchanged_copy():
    clip = _speechlike()
    out = apply_condition(clip, "clean", sample_rate_hz=SR)
    np.testing.assert_array_equal(out, clip)
    assert out is not clip


def _band_fraction(x, lo, hi):
    f, p = welch(x, fs=SR, nperseg=512)
    return p[(f >= lo) & (f <= hi)].sum() / p.sum()


def test_low_bandwidth_removes_energy_above_2_2_khz():
    clip = _speechlike()
    assert _band_fraction(clip, 2200, 4000) > 0.01  # the test clip has high-band content
    out = apply_condition(clip, "low_bandwidth", sample_rate_hz=SR)
    assert _band_fraction(out, 2200, 4000) < 1e-4
    assert _band_fraction(out, 0, 250) < 0.05  # the telephone band-pass removes the bottom too


def test_car_noise_is_low_frequency():
    clip = np.zeros(8000, dtype=np.float32)
    clip[::100] = 0.5  # click train: a signal with non-zero power
    out = apply_condition(clip, "car_noise", sample_rate_hz=SR, snr_db=-20.0, random_state=0)
    noise = out - clip
    assert _band_fraction(noise, 0, 700) > 0.95


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"condition": "rain"}, "'condition' parameter of apply_condition must be one of"),
        ({"condition": "people_noise"}, "babble_pool of at least 3 clips.*Got 0"),
        ({"condition": "people_noise", "babble_pool": [np.ones(10)] * 2}, "Got 2"),
        ({"condition": "low_bandwidth", "sample_rate_hz": 4000}, "must be >= 8000"),
    ],
)
def test_apply_condition_errors(kwargs, match):
    kw = {"sample_rate_hz": SR, **kwargs}
    with pytest.raises(ValueError, match=match):
        apply_condition(_speechlike(), **kw)
