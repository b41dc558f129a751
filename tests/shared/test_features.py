"""Unit and model-behaviour tests for mlkit.features."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit.datasets import load_speech
from mlkit.features import (
    MFCCFeatures,
    _mel_basis,
    _power_spectrogram,
    mfcc_feature_names,
    mfcc_features,
)

FSDD_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "fsdd"
SR = 8000


def _clip(n=4000, f=300.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    return (0.4 * np.sin(2 * np.pi * f * t) + 0.01 * rng.normal(size=n)).astype(np.float32)


@pytest.mark.parametrize(
    ("kwargs", "n_features"),
    [
        ({}, 8 * 13 + 3 * 13 + 1),
        ({"n_mfcc": 20}, 8 * 20 + 3 * 20 + 1),
        ({"n_segments": 0}, 8 * 13 + 1),
        ({"n_fft": 512, "hop_length": 160, "n_mels": 26}, 8 * 13 + 3 * 13 + 1),
    ],
)
def test_shape_and_names(kwargs, n_features):
    clips = [_clip(4000), _clip(1200, 500), _clip(9000, 800)]
    X = mfcc_features(clips, sample_rate_hz=SR, **kwargs)
    assert X.shape == (3, n_features)
    assert np.all(np.isfinite(X))
    names = mfcc_feature_names(
        n_mfcc=kwargs.get("n_mfcc", 13), n_segments=kwargs.get("n_segments", 3)
    )
    assert len(names) == n_features and len(set(names)) == n_features


@pytest.mark.parametrize("n_samples", [1, 50, 300, 900])
def test_very_short_clips_still_give_a_vector(n_samples):
    X = mfcc_features([_clip(n_samples)], sample_rate_hz=SR)
    assert X.shape == (1, 144)
    assert np.all(np.isfinite(X))


def test_log_duration_column():
    X = mfcc_features([_clip(4000), _clip(8000)], sample_rate_hz=SR)
    np.testing.assert_allclose(X[:, -1], np.log([0.5, 1.0]))


def test_features_differ_between_sounds():
    X = mfcc_features([_clip(f=300), _clip(f=300, seed=1), _clip(f=1500)], sample_rate_hz=SR)
    assert np.linalg.norm(X[0] - X[1]) < 0.2 * np.linalg.norm(X[0] - X[2])


@pytest.mark.parametrize(
    ("clips", "match"),
    [
        (_clip(), "Got a single 1-D array"),
        ([np.zeros(0, dtype=np.float32)], "non-empty 1-D"),
        ([np.zeros((10, 10), dtype=np.float32)], "non-empty 1-D"),
    ],
)
def test_bad_clips_raise(clips, match):
    with pytest.raises(ValueError, match=match):
        mfcc_features(clips, sample_rate_hz=SR)


def test_bad_parameter_raises():
    with pytest.raises(ValueError, match="'n_mfcc' parameter of mfcc_features"):
        mfcc_features([_clip()], sample_rate_hz=SR, n_mfcc=100, n_mels=40)


def test_transformer_matches_function_and_is_clonable():
    clips = [_clip(3000), _clip(5000, 700)]
    tr = MFCCFeatures(n_mfcc=12)
    assert tr.fit(clips) is tr
    np.testing.assert_array_equal(
        tr.transform(clips), mfcc_features(clips, sample_rate_hz=SR, n_mfcc=12)
    )
    assert clone(tr).get_params()["n_mfcc"] == 12
    assert len(tr.get_feature_names_out()) == tr.n_features_out_ == tr.transform(clips).shape[1]


def _baseline_accuracy(data, random_state=0):
    model = make_pipeline(MFCCFeatures(), StandardScaler(), LogisticRegression(max_iter=1000))
    X_train, X_test, y_train, y_test = train_test_split(
        data.clips, data.y, test_size=0.25, random_state=random_state, stratify=data.y
    )
    return model.fit(X_train, y_train).score(X_test, y_test)


def test_baseline_beats_chance_on_clean_bundled_corpus():
    """Minimum functionality: MFCC + logistic regression recognises synthetic digits."""
    data = load_speech(conditions=False)
    accuracy = _baseline_accuracy(data)
    print(f"clean bundled corpus, random 75/25 split: accuracy {accuracy:.3f}")
    assert accuracy > 0.8


def test_baseline_fails_on_shuffled_labels():
    """The same pipeline must not beat chance when labels carry no signal (the test can fail)."""
    data = load_speech(n_clips=360, conditions=False)
    rng = np.random.default_rng(0)
    data.metadata["label"] = rng.permutation(data.metadata["label"].to_numpy())
    assert _baseline_accuracy(data) < 0.3


@pytest.mark.fsdd
@pytest.mark.skipif(not FSDD_DIR.is_dir(), reason="../shared/data/fsdd is absent")
def test_baseline_on_real_fsdd():
    data = load_speech(str(FSDD_DIR), n_clips=800, conditions=False, random_state=0)
    accuracy = _baseline_accuracy(data)
    print(f"clean FSDD (800 clips), random 75/25 split: accuracy {accuracy:.3f}")
    assert accuracy > 0.8


def test_mel_filterbank_matches_librosa():
    # librosa.feature.mfcc itself is checked by hand (max difference 4e-6): its first call
    # spends ~9 s in numba compilation, too slow for the unit suite.
    librosa = pytest.importorskip("librosa")
    ref = librosa.filters.mel(sr=SR, n_fft=256, n_mels=40, fmin=20.0)
    np.testing.assert_allclose(_mel_basis(SR, 256, 40), ref, rtol=1e-5, atol=1e-7)


def test_power_spectrogram_frames_and_peak():
    t = np.arange(2000) / SR
    power = _power_spectrogram(np.sin(2 * np.pi * 1000.0 * t), 256, 80)
    assert power.shape == (129, 1 + 2000 // 80)
    assert np.argmax(power[:, 10]) == 32  # bin k is at k * 8000 / 256 Hz


def _reference_mfcc_features(clips, sr=SR, n_mfcc=13, n_fft=256, hop=80, n_mels=40, n_segments=3):
    """The original one-clip-at-a-time implementation, kept as the oracle for the batched one."""
    from scipy.fft import dct
    from scipy.signal import savgol_filter

    rows = []
    for clip in clips:
        y = np.asarray(clip, dtype=np.float64)
        mel = _mel_basis(sr, n_fft, n_mels) @ _power_spectrogram(y, n_fft, hop)
        log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
        log_mel = np.maximum(log_mel, log_mel.max() - 80.0)
        mfcc = dct(log_mel, type=2, axis=0, norm="ortho")[:n_mfcc]
        delta = savgol_filter(mfcc, 9, polyorder=1, deriv=1, axis=1, mode="nearest")
        parts = []
        for track in (mfcc, delta):
            parts += [track.mean(axis=1), track.std(axis=1), track.min(axis=1), track.max(axis=1)]
        edges = np.linspace(0, mfcc.shape[1], n_segments + 1)
        for j in range(n_segments):
            lo = int(np.floor(edges[j]))
            hi = max(int(np.ceil(edges[j + 1])), lo + 1)
            parts.append(mfcc[:, lo:hi].mean(axis=1))
        parts.append(np.array([np.log(y.size / sr)]))
        rows.append(np.concatenate(parts))
    return np.vstack(rows)


def test_batched_features_match_one_clip_reference_on_bundled_corpus():
    """All 720 clips (several batches): golden notebook metrics rely on unchanged features."""
    clips = load_speech(conditions=True).clips
    X = mfcc_features(clips, sample_rate_hz=SR)
    ref = _reference_mfcc_features(clips)
    assert X.shape == ref.shape
    assert np.max(np.abs(X - ref)) < 1e-4
    np.testing.assert_allclose(X, ref, rtol=1e-9, atol=1e-9)  # in fact floating-point noise


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"n_mfcc": 20},
        {"n_segments": 7},
        {"n_fft": 512, "hop_length": 160, "n_mels": 26},
        {"n_fft": 255, "hop_length": 77},  # odd window: a different frame count formula
    ],
)
def test_batched_features_match_reference_on_odd_lengths(kwargs):
    rng = np.random.default_rng(3)
    clips = [0.3 * rng.normal(size=n) for n in (1, 2, 79, 80, 81, 300, 1234, 20000)]
    ref = _reference_mfcc_features(
        clips,
        n_mfcc=kwargs.get("n_mfcc", 13),
        n_fft=kwargs.get("n_fft", 256),
        hop=kwargs.get("hop_length", 80),
        n_mels=kwargs.get("n_mels", 40),
        n_segments=kwargs.get("n_segments", 3),
    )
    np.testing.assert_allclose(mfcc_features(clips, sample_rate_hz=SR, **kwargs), ref, atol=1e-9)


def test_features_do_not_depend_on_batch_neighbours():
    clips = load_speech(n_clips=150, conditions=True).clips  # > 1 batch of frames
    X = mfcc_features(clips, sample_rate_hz=SR)
    for i in (0, 1, 77, 149):
        np.testing.assert_allclose(
            X[i], mfcc_features([clips[i]], sample_rate_hz=SR)[0], rtol=1e-12, atol=1e-12
        )
