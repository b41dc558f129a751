"""The human psychometric function behind the simulated labelers (mlkit.data._psychometric)."""

import numpy as np
import pytest

from mlkit import data


def test_matches_the_published_reference_points():
    """Han et al. 2020: 50 % at the SRT (-11.55 dB), slope 10.21 %/dB there."""
    p = data.human_recognition_probability
    assert p(data.DIGIT_SRT_DB) == pytest.approx(0.5)
    h = 1e-4
    slope = (p(data.DIGIT_SRT_DB + h) - p(data.DIGIT_SRT_DB - h)) / (2 * h)
    assert slope == pytest.approx(data.DIGIT_SLOPE_PER_DB, rel=1e-4)
    assert p(np.inf) == 1.0 and p(-np.inf) == 0.0


def test_monotone_in_snr():
    snr = np.linspace(-30, 20, 501)
    assert np.all(np.diff(data.human_recognition_probability(snr)) > 0)
    assert np.all(np.diff(data.sure_probability(data.human_recognition_probability(snr))) >= 0)


def test_sure_probability_corrects_for_guessing():
    assert data.sure_probability(0.1) == 0.0 and data.sure_probability(1.0) == 1.0
    assert data.sure_probability(0.05) == 0.0  # below chance: clipped
    with pytest.raises(ValueError, match=r"'guess_rate' parameter of sure_probability"):
        data.sure_probability(0.5, guess_rate=1.0)


def test_effective_snr_per_condition():
    out = data.effective_snr_db(
        [0.0, 0.0, np.nan, np.nan], ["car_noise", "people_noise", "clean", "low_bandwidth"]
    )
    assert out[0] == pytest.approx(12.1) and out[1] == pytest.approx(-0.1)
    assert np.isinf(out[2:]).all()
    with pytest.raises(ValueError, match=r"unknown condition\(s\) \['studio'\]"):
        data.effective_snr_db([0.0], ["studio"])
    with pytest.raises(ValueError, match=r"noisy but have no finite 'snr_db'"):
        data.effective_snr_db([np.nan], ["car_noise"])
    with pytest.raises(ValueError, match=r"one SNR per condition"):
        data.effective_snr_db([0.0, 1.0], ["car_noise"])
    with pytest.raises(ValueError, match=r"'slope_per_db' parameter"):
        data.human_recognition_probability(0.0, slope_per_db=0.0)


def test_speech_band_offsets_are_measured_on_the_kits_own_signals():
    """Re-measure SPEECH_BAND_SNR_OFFSET_DB: in-band (300-3400 Hz) speech vs noise power share."""
    from scipy.signal import welch

    from mlkit.audio import _babble, _car_noise
    from mlkit.datasets import load_speech

    def in_band(x):
        f, p = welch(x, fs=8000, nperseg=256)
        return p[(f >= 300) & (f <= 3400)].sum() / p.sum()

    speech = load_speech(n_clips=120, random_state=0)
    clean = [
        c for c, k in zip(speech.clips, speech.metadata["condition"], strict=True) if k == "clean"
    ]
    s = np.mean([in_band(c) for c in clean])
    rng = np.random.default_rng(0)
    car = np.mean([in_band(_car_noise(8000, 8000, rng)) for _ in range(40)])
    babble = np.mean([in_band(_babble(8000, clean[:12], rng)) for _ in range(40)])
    assert 10 * np.log10(s / car) == pytest.approx(
        data.SPEECH_BAND_SNR_OFFSET_DB["car_noise"], abs=1.5
    )
    assert 10 * np.log10(s / babble) == pytest.approx(
        data.SPEECH_BAND_SNR_OFFSET_DB["people_noise"], abs=1.0
    )
