import numpy as np
import pytest

from mlkit import augmentation as aug
from mlkit._dsp import butter_bandpass_sos_zi
from mlkit.augmentation._transforms import _kit_transforms
from tests.augmentation._clips import SR, speechlike, tone

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
    x = tone(440.0, n=16000)
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


def test_pipeline_refuses_wrong_sample_rate_directly():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="runs at 8000 Hz only. Got sample_rate=16000"):
        pipe(samples=tone(), sample_rate=16000)


def test_pipeline_refuses_multichannel_directly():
    pipe = aug.make_pipeline("gain")
    with pytest.raises(ValueError, match="takes a 1-D float32 clip.*prepare_clip"):
        pipe(samples=np.zeros((2, 100), np.float32), sample_rate=SR)


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

    sos, zi = butter_bandpass_sos_zi(order, low_hz, high_hz, sr)
    ref = butter(order, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos")
    np.testing.assert_allclose(sos, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(zi, sosfilt_zi(ref), rtol=1e-10, atol=1e-13)


def _stock(kind):
    """The plain audiomentations transform that make_pipeline(kind) speeds up."""
    import audiomentations as am

    stock = {
        "time_stretch": lambda: am.TimeStretch(
            min_rate=0.85, max_rate=1.15, leave_length_unchanged=True, p=1.0
        ),
        "pitch_shift": lambda: am.PitchShift(min_semitones=-3.0, max_semitones=3.0, p=1.0),
    }[kind]()
    return _kit_transforms().KitCompose([stock], p=1.0)


@pytest.mark.parametrize("kind", ["time_stretch", "pitch_shift"])
def test_fast_transforms_match_stock_audiomentations(kind):
    import audiomentations as am

    pipe = aug.make_pipeline(kind)
    assert isinstance(pipe.transforms[0], getattr(am, type(pipe.transforms[0]).__name__))
    # Several clips in a row: the reused stretcher must not carry state from clip to clip.
    clips = [speechlike(4000, seed=0), tone(700.0, 2500), speechlike(3000) * 0.1, tone(n=1)]
    fast = aug.augment_clips(clips, pipe, sample_rate_hz=SR, random_state=5)
    stock = aug.augment_clips(clips, _stock(kind), sample_rate_hz=SR, random_state=5)
    for a, b in zip(fast, stock, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
