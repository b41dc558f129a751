"""Entry point and the kit's audiomentations transforms (notebook 04, "Robust entry points").

:func:`prepare_clip` converts any common array to mono float32 at the kit rate; the transforms
(production noise, stadium noise, a telephone line, faster time stretch and pitch shift, a Compose that
refuses foreign rates) are defined lazily, so importing the package does not import
audiomentations.
"""

from __future__ import annotations

import random
import threading
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from mlkit._dsp import bandpass_sos, butter_bandpass_sos_zi
from mlkit._validation import check_int
from mlkit.audio import SAMPLE_RATE_HZ, apply_condition, resample, to_mono_float32

__all__ = ["prepare_clip"]

_STADIUM_BAND_HZ = (1000.0, 3800.0)
_TELEPHONE_HIGH_HZ = 3400.0  # ITU-T G.712 upper edge, as the production low_bandwidth condition
_MU = 255  # G.711 mu-law constant


def _mu_law_quantise(x: np.ndarray, n_bits: int = 8) -> np.ndarray:
    """Quantise samples in [-1, 1] with mu-law (mu=255): a sign bit and n_bits-1 magnitude bits.

    As ITU-T G.711 codes a sample; zero stays zero, so silence stays silent.
    """
    steps = 2 ** (n_bits - 1) - 1
    mag = np.log1p(_MU * np.abs(x)) / np.log1p(_MU)
    mag = np.round(mag * steps) / steps
    return np.sign(x) * np.expm1(mag * np.log1p(_MU)) / _MU


# --------------------------------------------------------------------------------------------
# Entry point: any common array -> mono float32 at the kit rate
# --------------------------------------------------------------------------------------------


def prepare_clip(
    data, *, sample_rate_hz: int, resample_to_kit: bool = False, name: str = "clip"
) -> np.ndarray:
    """Convert a clip of any common dtype and layout to mono float32 at the kit rate.

    Parameters
    ----------
    data : array-like of shape (n_samples,), (n_samples, n_channels) or (n_channels, n_samples)
        Samples as int16, int32, uint8, float32 or float64 (floats in [-1, 1]); channels are
        averaged (see :func:`mlkit.audio.to_mono_float32`). One sample and silence are valid.
    sample_rate_hz : int
        Sample rate of `data`, in Hz (> 0).
    resample_to_kit : bool, default=False
        Resample to :data:`mlkit.audio.SAMPLE_RATE_HZ` when `sample_rate_hz` differs.
        ``False`` refuses other rates, so a mismatch never passes silently.
    name : str, default="clip"
        What to call `data` in error messages.

    Returns
    -------
    clip : ndarray of shape (n_samples_at_8000_hz,), dtype float32
        Mono samples in [-1, 1] at 8000 Hz (a new array).

    Raises
    ------
    TypeError
        If the dtype is not supported or `sample_rate_hz` is not an int.
    ValueError
        If `data` is empty, of ambiguous shape or out of range, or `sample_rate_hz` is not
        8000 and `resample_to_kit` is False.

    Examples
    --------
    >>> stereo = np.array([[0, 0], [16384, 16384], [-32768, 0]], dtype=np.int16)  # (N, 2)
    >>> prepare_clip(stereo, sample_rate_hz=8000)
    array([ 0. ,  0.5, -0.5], dtype=float32)
    >>> prepare_clip(np.zeros(16000), sample_rate_hz=16000, resample_to_kit=True).shape
    (8000,)
    """
    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="prepare_clip")
    clip = to_mono_float32(data, name=name)
    if sr != SAMPLE_RATE_HZ:
        if not resample_to_kit:
            raise ValueError(
                f"Augmentation pipelines run at {SAMPLE_RATE_HZ} Hz. Got {name} at {sr} Hz "
                "instead. Resample it first with mlkit.audio.resample(clip, "
                f"{sr}, {SAMPLE_RATE_HZ}) or pass resample_to_kit=True."
            )
        clip = np.clip(resample(clip, sr, SAMPLE_RATE_HZ), -1.0, 1.0).astype(np.float32)
    return clip


# --------------------------------------------------------------------------------------------
# Custom transforms (audiomentations BaseWaveformTransform subclasses)
# --------------------------------------------------------------------------------------------


def _kit_transforms():
    """Import audiomentations lazily and define the kit's transforms once."""
    return _define_transforms()


@lru_cache(maxsize=1)
def _define_transforms():
    from audiomentations import Compose
    from audiomentations.core.transforms_interface import BaseWaveformTransform

    class RandomSNRNoise(BaseWaveformTransform):
        """Base of the kit's noise transforms: an SNR and a noise seed drawn per clip.

        SNR is drawn uniformly from [min_snr_db, max_snr_db] and the noise seed from Python's
        `random`, so a seeded :func:`augment` is reproducible.
        """

        supports_multichannel = False

        def __init__(self, min_snr_db, max_snr_db, p=1.0):
            super().__init__(p)
            self.min_snr_db = min_snr_db
            self.max_snr_db = max_snr_db

        def randomize_parameters(self, samples, sample_rate):
            super().randomize_parameters(samples, sample_rate)
            if self.parameters["should_apply"]:
                self.parameters["snr_db"] = random.uniform(self.min_snr_db, self.max_snr_db)
                self.parameters["seed"] = random.getrandbits(32)

    class ConditionNoise(RandomSNRNoise):
        """Add the kit's car or people noise at a random SNR (the production noise model)."""

        def __init__(self, condition, min_snr_db=0.0, max_snr_db=15.0, babble_pool=None, p=1.0):
            super().__init__(min_snr_db, max_snr_db, p)
            self.condition = condition
            self.babble_pool = babble_pool

        def apply(self, samples, sample_rate):
            return apply_condition(
                np.clip(samples, -1.0, 1.0),
                self.condition,
                sample_rate_hz=sample_rate,
                snr_db=self.parameters["snr_db"],
                random_state=self.parameters["seed"],
                babble_pool=self.babble_pool,
            )

    class StadiumNoise(RandomSNRNoise):
        """Add a roaring, swelling stadium crowd far louder than any production noise.

        Broadband noise band-limited to 1000-3800 Hz (cheering and hiss, above the speech
        fundamental), with a slow random swell of the level, at a random SNR.
        """

        def __init__(self, min_snr_db=-5.0, max_snr_db=0.0, p=1.0):
            super().__init__(min_snr_db, max_snr_db, p)

        def apply(self, samples, sample_rate):
            from scipy.signal import sosfilt

            from mlkit.audio import add_noise_at_snr

            rng = np.random.default_rng(self.parameters["seed"])
            n = samples.shape[0]
            t = np.arange(n) / sample_rate
            lo, hi = _STADIUM_BAND_HZ
            roar = sosfilt(
                bandpass_sos(lo, min(hi, 0.48 * sample_rate), sample_rate), rng.normal(size=n)
            )
            swell = 1.0 + 0.8 * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * t + rng.uniform(0, 6.3))
            out = add_noise_at_snr(samples, roar * swell, self.parameters["snr_db"])
            return np.clip(out, -1.0, 1.0).astype(np.float32)

    from audiomentations import PitchShift as _PitchShift
    from audiomentations import TimeStretch as _TimeStretch

    class TelephoneLine(BaseWaveformTransform):
        """Send a clip through a telephone line whose band edges are drawn per clip.

        The production ``low_bandwidth`` chain of :func:`mlkit.audio.apply_condition`
        (Butterworth band-pass, resampling to a codec rate, 8-bit mu-law, resampling back), with
        the lower cut-off drawn from [min_low_cut_hz, max_low_cut_hz] and the codec rate from
        [min_codec_rate_hz, max_codec_rate_hz] in steps of 100 Hz. The codec rate sets the
        upper edge: its anti-aliasing filter is about -3 dB at 0.46 and -20 dB at 0.52 of it.
        """

        supports_multichannel = False

        def __init__(
            self,
            min_low_cut_hz=200.0,
            max_low_cut_hz=400.0,
            min_codec_rate_hz=3500,
            max_codec_rate_hz=4500,
            p=1.0,
        ):
            super().__init__(p)
            self.min_low_cut_hz = min_low_cut_hz
            self.max_low_cut_hz = max_low_cut_hz
            self.min_codec_rate_hz = min_codec_rate_hz
            self.max_codec_rate_hz = max_codec_rate_hz

        def randomize_parameters(self, samples, sample_rate):
            super().randomize_parameters(samples, sample_rate)
            if self.parameters["should_apply"]:
                self.parameters["low_cut_hz"] = random.uniform(
                    self.min_low_cut_hz, self.max_low_cut_hz
                )
                steps = range(self.min_codec_rate_hz, self.max_codec_rate_hz + 1, 100)
                self.parameters["codec_rate_hz"] = random.choice(steps)

        def apply(self, samples, sample_rate):
            from scipy.signal import sosfilt

            high_hz = min(_TELEPHONE_HIGH_HZ, 0.45 * sample_rate)
            sos, zi = butter_bandpass_sos_zi(4, self.parameters["low_cut_hz"], high_hz, sample_rate)
            x = samples.astype(np.float64)
            band, _ = sosfilt(sos, x, zi=zi * x[0])
            rate = int(self.parameters["codec_rate_hz"])
            coded = _mu_law_quantise(np.clip(resample(band, sample_rate, rate), -1.0, 1.0))
            back = resample(coded, rate, sample_rate)
            out = np.zeros_like(samples)
            out[: min(back.size, out.size)] = back[: out.size]
            return out.astype(np.float32)

    class TimeStretch(_TimeStretch):
        """audiomentations' TimeStretch reusing one Signalsmith stretcher per thread.

        Building and presetting a stretcher for every clip cost ~40 % of the call; a reset
        stretcher gives bit-identical output.
        """

        def apply(self, samples, sample_rate):
            if self.method != "signalsmith_stretch" or samples.ndim != 1:
                return super().apply(samples, sample_rate)
            stretch = _stretcher("time", sample_rate)
            stretch.setTimeFactor(self.parameters["rate"])
            out = stretch.process(samples[np.newaxis, :])[0]
            if self.leave_length_unchanged:
                padded = np.zeros(samples.shape, dtype=samples.dtype)
                window = out[: samples.shape[-1]]
                padded[: window.shape[-1]] = window
                out = padded
            return out

    class PitchShift(_PitchShift):
        """audiomentations' PitchShift reusing one Signalsmith stretcher per thread."""

        def apply(self, samples, sample_rate):
            if self.method != "signalsmith_stretch" or samples.ndim != 1:
                return super().apply(samples, sample_rate)
            stretch = _stretcher("pitch", sample_rate)
            stretch.setTransposeSemitones(self.parameters["num_semitones"])
            return stretch.process(samples[np.newaxis, :])[0]

    class KitCompose(Compose):
        """An audiomentations Compose that refuses any rate but the kit's and non-mono input."""

        def __call__(self, samples, sample_rate):
            if sample_rate != SAMPLE_RATE_HZ:
                raise ValueError(
                    f"This augmentation pipeline runs at {SAMPLE_RATE_HZ} Hz only. Got "
                    f"sample_rate={sample_rate} instead. Resample outside the pipeline, for "
                    "example with mlkit.augmentation.prepare_clip(..., resample_to_kit=True)."
                )
            if not isinstance(samples, np.ndarray) or samples.ndim != 1:
                shape = getattr(samples, "shape", None)
                raise ValueError(
                    "This augmentation pipeline takes a 1-D float32 clip. Got shape "
                    f"{shape} instead. Convert it with mlkit.augmentation.prepare_clip."
                )
            return super().__call__(
                samples=samples.astype(np.float32, copy=False), sample_rate=sample_rate
            )

    return SimpleNamespace(
        ConditionNoise=ConditionNoise,
        StadiumNoise=StadiumNoise,
        TelephoneLine=TelephoneLine,
        TimeStretch=TimeStretch,
        PitchShift=PitchShift,
        KitCompose=KitCompose,
    )


_STRETCHERS = threading.local()


def _stretcher(purpose: str, sample_rate_hz: int):
    """Return this thread's reset mono Signalsmith stretcher for `purpose` ("time" or "pitch")."""
    cache = _STRETCHERS.__dict__.setdefault("by_key", {})
    key = (purpose, sample_rate_hz)
    stretch = cache.get(key)
    if stretch is None:
        import python_stretch

        stretch = cache[key] = python_stretch.Signalsmith.Stretch()
        stretch.preset(1, sample_rate_hz)
    else:
        stretch.reset()
    return stretch
