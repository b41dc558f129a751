"""Audio data augmentation: seeded audiomentations pipelines and targeted-augmentation experiments.

The course's rule for augmentation: make synthetic examples that are *realistic* (noise that
production has), that the current model gets wrong but a person still recognises, and add them
where the error analysis says the biggest gain is. This module builds the pipelines, applies
them reproducibly, and measures what they do to per-tag dev accuracy.

Every clip here is a 1-D ``float32`` array in [-1, 1] at :data:`mlkit.audio.SAMPLE_RATE_HZ`.
Resampling happens at the door (:func:`prepare_clip`), never inside a pipeline: a pipeline
refuses any other rate.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from mlkit._dsp import bandpass_sos, butter_bandpass_sos_zi
from mlkit._models import model_of_size
from mlkit._stats import accuracy_by_group
from mlkit._validation import check_float, check_int, check_one_of, check_random_state
from mlkit.audio import SAMPLE_RATE_HZ, apply_condition, resample, to_mono_float32

__all__ = [
    "AUGMENTATIONS",
    "UNREALISTIC",
    "SIZES",
    "prepare_clip",
    "make_pipeline",
    "augment",
    "augment_clips",
    "augment_dataset",
    "accuracy_by_tag",
    "compare_augmentations",
    "augmentation_learning_curves",
    "augment_examples",
    "pipeline_for_tag",
    "play_examples",
    "plot_augmentations",
    "plot_tag_comparison",
    "plot_learning_curves",
    "describe_curves",
]

AUGMENTATIONS = (
    "car_noise",
    "people_noise",
    "gaussian_snr",
    "low_bandwidth",
    "gain",
    "time_stretch",
    "pitch_shift",
)
"""Realistic augmentations: each mimics something production audio really has."""

UNREALISTIC = ("stadium_noise",)
"""Augmentations production never sees (the course's "stadium noise in a hospital system")."""

SIZES = ("small", "large")
"""Model sizes: ``small`` is :func:`mlkit.modeling.make_model` ``("quick_and_dirty")``, logistic
regression on the 13 MFCC means (high bias); ``large`` is ``make_model("svm")``, an RBF SVM on
all 144 MFCC features (low bias)."""

_STADIUM_BAND_HZ = (1000.0, 3800.0)


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


def _transforms():
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

    from audiomentations import BandPassFilter as _BandPassFilter
    from audiomentations import PitchShift as _PitchShift
    from audiomentations import TimeStretch as _TimeStretch

    class BandPassFilter(_BandPassFilter):
        """audiomentations' BandPassFilter with a faster Butterworth design, same output.

        Same parameters and random draws; for mono non-zero-phase input the sos and its initial
        state come from :func:`butter_bandpass_sos_zi` instead of ``scipy.signal.butter`` and
        ``sosfilt_zi``, which spent ~2 ms per clip in scipy's generic pole pairing.
        """

        def apply(self, samples, sample_rate):
            if self.zero_phase or samples.ndim != 1 or samples.dtype != np.float32:
                return super().apply(samples, sample_rate)
            from scipy.signal import sosfilt

            half_bw = self.parameters["bandwidth"] / 2
            low_hz = self.parameters["center_freq"] - half_bw
            high_hz = self.parameters["center_freq"] + half_bw
            nyquist_hz = sample_rate // 2
            if high_hz > nyquist_hz:
                high_hz = nyquist_hz * 0.9999  # as audiomentations: keep scipy from raising
            order = self.parameters["rolloff"] // 6
            sos, zi = butter_bandpass_sos_zi(order, low_hz, high_hz, sample_rate)
            out, _ = sosfilt(sos, samples, zi=zi * samples[0])
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
        BandPassFilter=BandPassFilter,
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


def make_pipeline(
    kind: str,
    *,
    snr_db_range: tuple[float, float] = (0.0, 15.0),
    babble_pool: Sequence | None = None,
):
    """Build a seeded-ready audiomentations pipeline for one kind of augmentation.

    Parameters
    ----------
    kind : str
        One of :data:`AUGMENTATIONS` or :data:`UNREALISTIC`; see Notes.
    snr_db_range : tuple of float, default=(0.0, 15.0)
        ``(low, high)`` SNR in dB for ``car_noise``, ``people_noise`` and ``gaussian_snr``,
        drawn uniformly per clip. Production noise in the kit lies in 0-15 dB.
    babble_pool : sequence of array-like of shape (n_samples_i,), optional
        At least 3 clips of *other* speakers at 8000 Hz; required for ``people_noise``.

    Returns
    -------
    audiomentations.Compose
        A pipeline (every transform at ``p=1``) that refuses rates other than 8000 Hz.
        Call it through :func:`augment` for reproducible output.

    Raises
    ------
    ValueError
        If `kind` is unknown, `snr_db_range` is not an increasing pair, or
        ``people_noise`` has fewer than 3 babble clips.

    Notes
    -----
    - ``car_noise`` / ``people_noise``: the production noise model of
      :func:`mlkit.audio.apply_condition` at a random SNR (the course's advice: augment with
      the noise production really has). audiomentations' ``AddBackgroundNoise`` reads noise
      from files only, so the kit's noise runs in a ``BaseWaveformTransform`` subclass.
    - ``gaussian_snr``: ``AddGaussianSNR`` (white noise at a random SNR).
    - ``low_bandwidth``: ``BandPassFilter`` centred at 1000-1300 Hz with a bandwidth of
      1.3-1.6 times the centre, 24-36 dB/octave: about 300-2000 Hz, the band left by the
      kit's telephone line (300-3400 Hz filter, then 4 kHz sampling).
    - ``gain``: ``Gain`` of -12 to +6 dB (quiet and loud talkers).
    - ``time_stretch``: ``TimeStretch`` at rate 0.85-1.15 (slow and fast talkers), length kept.
    - ``pitch_shift``: ``PitchShift`` by -3 to +3 semitones (other voices).
    - ``BandPassFilter``, ``TimeStretch`` and ``PitchShift`` here are the kit's subclasses of
      audiomentations' own: same parameters, random draws and output, but the band-pass design
      skips scipy's generic layers and the Signalsmith stretcher is reused, not rebuilt per clip.
    - ``stadium_noise`` (unrealistic): a roaring crowd, 1000-3800 Hz noise with a swelling
      level, at -5 to 0 dB SNR: louder than the speech and unlike any production condition.

    Examples
    --------
    >>> pipe = make_pipeline("gaussian_snr", snr_db_range=(10.0, 20.0))
    >>> type(pipe).__name__
    'KitCompose'
    """
    from audiomentations import AddGaussianSNR, Gain

    check_one_of(kind, "kind", AUGMENTATIONS + UNREALISTIC, func="make_pipeline")
    lo, hi = _check_snr_range(snr_db_range, "make_pipeline")
    kit = _transforms()
    if kind in ("car_noise", "people_noise"):
        pool = None
        if kind == "people_noise":
            if babble_pool is None or len(babble_pool) < 3:
                got = 0 if babble_pool is None else len(babble_pool)
                raise ValueError(
                    "make_pipeline('people_noise') needs a babble_pool of at least 3 clips of "
                    f"other speakers. Got {got} instead. Pass babble_pool=[clip, ...]."
                )
            pool = [to_mono_float32(c, name="babble_pool clip") for c in babble_pool]
        transform = kit.ConditionNoise(kind, min_snr_db=lo, max_snr_db=hi, babble_pool=pool, p=1.0)
    elif kind == "gaussian_snr":
        transform = AddGaussianSNR(min_snr_db=lo, max_snr_db=hi, p=1.0)
    elif kind == "low_bandwidth":
        transform = kit.BandPassFilter(
            min_center_freq=1000.0,
            max_center_freq=1300.0,
            min_bandwidth_fraction=1.3,
            max_bandwidth_fraction=1.6,
            min_rolloff=24,
            max_rolloff=36,
            p=1.0,
        )
    elif kind == "gain":
        transform = Gain(min_gain_db=-12.0, max_gain_db=6.0, p=1.0)
    elif kind == "time_stretch":
        transform = kit.TimeStretch(
            min_rate=0.85, max_rate=1.15, leave_length_unchanged=True, p=1.0
        )
    elif kind == "pitch_shift":
        transform = kit.PitchShift(min_semitones=-3.0, max_semitones=3.0, p=1.0)
    else:
        transform = kit.StadiumNoise(min_snr_db=-5.0, max_snr_db=0.0, p=1.0)
    return kit.KitCompose([transform], p=1.0)


def pipeline_for_tag(
    tag: str,
    *,
    snr_db_range: tuple[float, float] = (0.0, 15.0),
    babble_pool: Sequence | None = None,
):
    """Build the realistic pipeline that makes more data of one condition tag.

    Parameters
    ----------
    tag : {"clean", "car_noise", "people_noise", "low_bandwidth"}
        The condition to make more of (typically the top row of the error analysis).
    snr_db_range : tuple of float, default=(0.0, 15.0)
        SNR range in dB for the noise tags.
    babble_pool : sequence of array-like, optional
        At least 3 clips of other speakers; required for ``people_noise``.

    Returns
    -------
    audiomentations.Compose
        ``make_pipeline(tag)`` for the three production conditions; for ``clean``, gain
        (-12 to +6 dB) then time stretch (0.85-1.15): new talkers, not new noise.

    Raises
    ------
    ValueError
        If `tag` is not a condition of :data:`mlkit.audio.CONDITIONS`.

    Examples
    --------
    >>> [type(t).__name__ for t in pipeline_for_tag("clean").transforms]
    ['Gain', 'TimeStretch']
    """
    from mlkit.audio import CONDITIONS

    check_one_of(tag, "tag", CONDITIONS, func="pipeline_for_tag")
    if tag != "clean":
        return make_pipeline(tag, snr_db_range=snr_db_range, babble_pool=babble_pool)
    parts = [make_pipeline(k).transforms[0] for k in ("gain", "time_stretch")]
    return _transforms().KitCompose(parts, p=1.0)


def _check_snr_range(snr_db_range, func):
    if not isinstance(snr_db_range, tuple | list) or len(snr_db_range) != 2:
        raise ValueError(
            f"The 'snr_db_range' parameter of {func} must be a (low, high) pair in dB. "
            f"Got {snr_db_range!r} instead."
        )
    lo = check_float(snr_db_range[0], "snr_db_range[0]", func=func)
    hi = check_float(snr_db_range[1], "snr_db_range[1]", low=lo, func=func)
    return lo, hi


# --------------------------------------------------------------------------------------------
# Reproducible application
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _restored_globals():
    """Restore Python's `random` and numpy's global RNG state on exit."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def _seed_globals(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)


def _check_pipeline(pipeline, func):
    if not callable(pipeline):
        raise TypeError(
            f"The 'pipeline' parameter of {func} must be an audiomentations pipeline such as "
            f"make_pipeline('car_noise'). Got {type(pipeline).__name__} instead."
        )


def augment(clip, pipeline, *, sample_rate_hz: int, random_state=0) -> np.ndarray:
    """Apply an augmentation pipeline to one clip, reproducibly.

    Parameters
    ----------
    clip : array-like of shape (n_samples,), (n_samples, n_channels) or (n_channels, n_samples)
        Samples in any dtype :func:`prepare_clip` accepts.
    pipeline : callable
        An audiomentations pipeline, for example from :func:`make_pipeline`.
    sample_rate_hz : int
        Sample rate of `clip`, in Hz; must be 8000 (resample first with :func:`prepare_clip`).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the pipeline's random choices. The same int always gives the same output.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32
        The augmented clip, clipped to [-1, 1]; `clip` is not modified.

    Raises
    ------
    TypeError
        If `pipeline` is not callable or `clip` has an unsupported dtype.
    ValueError
        If `clip` is invalid or `sample_rate_hz` is not 8000.

    Notes
    -----
    audiomentations draws its random parameters from Python's :mod:`random` and numpy's
    global RNG. This helper seeds both from `random_state` (one 32-bit seed drawn from
    ``numpy.random.default_rng(random_state)``), runs the pipeline, then restores both global
    states, so the caller's own random streams are untouched. Not thread-safe (the global
    RNGs are shared by all threads of the process).

    Examples
    --------
    >>> clip = np.sin(np.linspace(0, 100, 8000)).astype(np.float32) / 2
    >>> pipe = make_pipeline("gaussian_snr")
    >>> a = augment(clip, pipe, sample_rate_hz=8000, random_state=1)
    >>> b = augment(clip, pipe, sample_rate_hz=8000, random_state=1)
    >>> bool(np.array_equal(a, b))
    True
    """
    _check_pipeline(pipeline, "augment")
    x = prepare_clip(clip, sample_rate_hz=sample_rate_hz)
    seed = int(check_random_state(random_state).integers(0, 2**32))
    with _restored_globals():
        return _apply(x, pipeline, seed)


def _apply(x: np.ndarray, pipeline, seed: int) -> np.ndarray:
    """Run `pipeline` on `x` after seeding the global RNGs (callers restore them)."""
    _seed_globals(seed)
    y = np.asarray(pipeline(samples=x.copy(), sample_rate=SAMPLE_RATE_HZ), dtype=np.float32)
    if not np.isfinite(y).all():  # the check is ~6x cheaper than an unconditional nan_to_num
        y = np.nan_to_num(y, nan=0.0, posinf=1.0, neginf=-1.0)
    if y.shape != x.shape:  # resampling-based transforms can be off by a sample
        y = np.resize(y, x.shape) if y.size else np.zeros_like(x)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def augment_clips(clips, pipeline, *, sample_rate_hz: int, random_state=0) -> list:
    """Apply a pipeline to many clips, each with its own derived seed.

    Parameters
    ----------
    clips : sequence of array-like of shape (n_samples_i,)
        Clips in any dtype :func:`prepare_clip` accepts.
    pipeline : callable
        An audiomentations pipeline, for example from :func:`make_pipeline`.
    sample_rate_hz : int
        Sample rate of every clip, in Hz; must be 8000.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the per-clip seeds (``default_rng(random_state).integers(0, 2**32, n)``), so the
        result is reproducible and independent of how clips are batched.

    Returns
    -------
    list of ndarray of shape (n_samples_i,), dtype float32
        One augmented clip per input clip.

    Raises
    ------
    TypeError, ValueError
        As :func:`augment`, naming the offending clip.

    Examples
    --------
    >>> out = augment_clips([np.zeros(800), np.ones(10) / 2], make_pipeline("gain"),
    ...                     sample_rate_hz=8000)
    >>> [c.shape for c in out]
    [(800,), (10,)]
    """
    _check_pipeline(pipeline, "augment_clips")
    if isinstance(clips, np.ndarray) and clips.ndim == 1 and clips.dtype != object:
        raise ValueError(
            "augment_clips expects a sequence of clips. Got a single 1-D array instead. "
            "Wrap it in a list, or call augment(clip, ...)."
        )
    xs = [
        prepare_clip(c, sample_rate_hz=sample_rate_hz, name=f"clip {i}")
        for i, c in enumerate(clips)
    ]
    seeds = check_random_state(random_state).integers(0, 2**32, size=len(xs))
    with _restored_globals():
        return [_apply(x, pipeline, int(s)) for x, s in zip(xs, seeds, strict=True)]


def augment_dataset(data, pipeline, *, tag: str, augment_factor: int = 1, random_state=0):
    """Make `augment_factor` augmented copies of every clip of a SpeechData.

    Parameters
    ----------
    data : mlkit.datasets.SpeechData
        The source clips (typically the clean training clips).
    pipeline : callable
        An audiomentations pipeline, for example from :func:`make_pipeline`.
    tag : str
        Condition tag the copies get in ``metadata["condition"]`` (for example the targeted
        tag, or ``"stadium_noise"``).
    augment_factor : int, default=1
        Copies per source clip (>= 1).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the augmentation.

    Returns
    -------
    mlkit.datasets.SpeechData
        ``augment_factor * len(data)`` new clips, copy-major (all first copies, then all
        second copies, ...). Metadata is the source's with ``clip_id`` suffixed ``_aug{k}``,
        ``condition`` = `tag`, ``snr_db`` NaN, and new columns ``augmented_from`` (source
        clip_id) and ``copy`` (k, from 0), so the first k copies are ``copy < k``.

    Raises
    ------
    ValueError
        If `augment_factor` < 1 or `data` is not at 8000 Hz.
    """
    import pandas as pd

    from mlkit.datasets import SpeechData

    k = check_int(augment_factor, "augment_factor", min_value=1, func="augment_dataset")
    if not isinstance(tag, str) or not tag:
        raise ValueError(
            f"The 'tag' parameter of augment_dataset must be a non-empty str. Got {tag!r}."
        )
    clips = list(data.clips) * k
    out = augment_clips(
        clips, pipeline, sample_rate_hz=data.sample_rate_hz, random_state=random_state
    )
    metas = []
    for j in range(k):
        m = data.metadata.copy()
        m["augmented_from"] = m["clip_id"]
        m["clip_id"] = m["clip_id"].astype(str) + f"_aug{j}"
        m["condition"] = tag
        m["snr_db"] = np.nan
        m["copy"] = j
        metas.append(m)
    meta = pd.concat(metas, ignore_index=True) if metas else data.metadata.copy()
    return SpeechData(
        clips=out,
        sample_rate_hz=data.sample_rate_hz,
        metadata=meta,
        name=f"{data.name}+{tag}",
        sha256=data.sha256,
    )


# --------------------------------------------------------------------------------------------
# Experiments: split, models, per-tag accuracy
# --------------------------------------------------------------------------------------------


def accuracy_by_tag(y_true, y_pred, tags):
    """Return accuracy per tag and overall.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    tags : array-like of shape (n_samples,)
        Tag (condition) of each sample.

    Returns
    -------
    pandas.Series
        Accuracy in [0, 1] per tag (sorted), then ``"overall"``.

    Raises
    ------
    ValueError
        If the inputs differ in length or are empty.

    Examples
    --------
    >>> accuracy_by_tag([1, 2, 3, 4], [1, 0, 3, 4], ["a", "a", "b", "b"]).to_dict()
    {'a': 0.5, 'b': 1.0, 'overall': 0.75}
    """
    table = accuracy_by_group(y_true, y_pred, np.asarray(tags).astype(str))
    acc = table["accuracy"].drop("overall").sort_index()
    acc["overall"] = table.loc["overall", "accuracy"]
    acc.name = "accuracy"
    return acc.astype(float)


def compare_augmentations(
    X_train,
    y_train,
    X_dev,
    y_dev,
    dev_tags,
    *,
    augmented: Mapping[str, tuple],
    size: str = "large",
    random_state=0,
):
    """Train one model per training set (baseline, baseline + each augmentation) and compare.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Features of the real training clips.
    y_train : array-like of shape (n_train,)
        Their labels.
    X_dev : array-like of shape (n_dev, n_features)
        Features of the dev clips (speakers disjoint from training).
    y_dev : array-like of shape (n_dev,)
        Dev labels.
    dev_tags : array-like of shape (n_dev,)
        Dev condition tags.
    augmented : mapping of str to (X_aug, y_aug)
        Extra training data per augmentation, for example
        ``{"targeted": (X_t, y_t), "unrealistic": (X_u, y_u)}``.
    size : {"small", "large"}, default="large"
        Model size (see :data:`SIZES`).
    random_state : int, default=0
        Seeds the models.

    Returns
    -------
    pandas.DataFrame
        Index: the dev tags then ``"overall"``; columns ``"baseline"`` then one per key of
        `augmented`; values are dev accuracies in [0, 1].

    Raises
    ------
    ValueError
        If array lengths disagree.
    """
    import pandas as pd

    cols = {}
    sets = {
        "baseline": (
            np.empty((0, np.shape(X_train)[1])),
            np.empty(0, dtype=np.asarray(y_train).dtype),
        )
    }
    sets.update(augmented)
    for name, (X_aug, y_aug) in sets.items():
        X = np.vstack([X_train, X_aug])
        y = np.concatenate([np.asarray(y_train), np.asarray(y_aug)])
        model = model_of_size(size, random_state=random_state).fit(X, y)
        cols[name] = accuracy_by_tag(y_dev, model.predict(X_dev), dev_tags)
    return pd.DataFrame(cols)


def augmentation_learning_curves(
    X_train,
    y_train,
    X_dev,
    y_dev,
    dev_tags,
    *,
    X_aug,
    y_aug,
    aug_copy,
    target_tag: str,
    factors: Sequence[int] = (0, 1, 2, 4),
    sizes: Sequence[str] = SIZES,
    random_state=0,
):
    """Measure dev accuracy as augmented copies are added, for each model size.

    Parameters
    ----------
    X_train, y_train : arrays of shape (n_train, n_features) and (n_train,)
        Real training data.
    X_dev, y_dev, dev_tags : arrays of shape (n_dev, n_features), (n_dev,), (n_dev,)
        Dev data and condition tags.
    X_aug, y_aug : arrays of shape (n_aug, n_features) and (n_aug,)
        Augmented clips' features and labels.
    aug_copy : array-like of int of shape (n_aug,)
        Copy number of each augmented clip (``metadata["copy"]`` of :func:`augment_dataset`);
        factor k adds the clips with ``copy < k``.
    target_tag : str
        The targeted tag, reported in its own column.
    factors : sequence of int, default=(0, 1, 2, 4)
        Augmented copies per source clip to add (0 = real data only).
    sizes : sequence of {"small", "large"}, default=("small", "large")
        Model sizes (see :data:`SIZES`).
    random_state : int, default=0
        Seeds the models.

    Returns
    -------
    pandas.DataFrame
        One row per (size, factor): ``size``, ``augment_factor``, ``n_train`` (real +
        augmented), ``accuracy`` (overall dev), ``accuracy_target`` (dev accuracy on
        `target_tag`) and ``accuracy_other`` (dev accuracy on the other tags).

    Raises
    ------
    ValueError
        If a factor is negative or `target_tag` is not among `dev_tags`.
    """
    import pandas as pd

    tags = np.asarray(dev_tags).astype(str)
    if target_tag not in set(tags):
        raise ValueError(
            f"The 'target_tag' parameter of augmentation_learning_curves must be one of the dev "
            f"tags {sorted(set(tags))}. Got {target_tag!r} instead."
        )
    copy = np.asarray(aug_copy)
    rows = []
    for size in sizes:
        check_one_of(size, "size", SIZES, func="augmentation_learning_curves")
        for k in factors:
            k = check_int(k, "factors", min_value=0, func="augmentation_learning_curves")
            keep = copy < k
            X = np.vstack([X_train, np.asarray(X_aug)[keep]])
            y = np.concatenate([np.asarray(y_train), np.asarray(y_aug)[keep]])
            y_pred = model_of_size(size, random_state=random_state).fit(X, y).predict(X_dev)
            ok = y_pred == np.asarray(y_dev)
            rows.append(
                {
                    "size": size,
                    "augment_factor": k,
                    "n_train": int(y.size),
                    "accuracy": float(ok.mean()),
                    "accuracy_target": float(ok[tags == target_tag].mean()),
                    "accuracy_other": float(ok[tags != target_tag].mean()),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def augment_examples(
    clip, pipelines: Mapping[str, object], *, sample_rate_hz: int, random_state=0
) -> dict:
    """Return a clip and its augmented versions, keyed by name, the original first.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        The clean clip (any dtype :func:`prepare_clip` accepts), at 8000 Hz.
    pipelines : mapping of str to callable
        Name -> pipeline; each is applied with :func:`augment` and `random_state`.
    sample_rate_hz : int
        Sample rate of `clip`, in Hz (8000).
    random_state : int, default=0
        Seeds every pipeline (the same seed for each).

    Returns
    -------
    dict of str to ndarray of shape (n_samples,), dtype float32
        ``{"original": clip, name: augmented, ...}``.

    Raises
    ------
    ValueError
        If `clip` is invalid or not at 8000 Hz, or a name is ``"original"``.
    """
    if "original" in pipelines:
        raise ValueError("augment_examples reserves the name 'original'. Rename that pipeline.")
    x = prepare_clip(clip, sample_rate_hz=sample_rate_hz)
    out = {"original": x}
    for name, pipe in pipelines.items():
        out[name] = augment(x, pipe, sample_rate_hz=sample_rate_hz, random_state=random_state)
    return out


def plot_augmentations(examples: Mapping[str, np.ndarray], *, sample_rate_hz: int):
    """Show clips (for example from :func:`augment_examples`) as a grid of spectrograms.

    Parameters
    ----------
    examples : mapping of str to array-like of shape (n_samples_i,)
        Title -> clip.
    sample_rate_hz : int
        Sample rate of every clip, in Hz.

    Returns
    -------
    matplotlib.figure.Figure
        Up to 4 spectrograms (dB, 80 dB range, frequency in Hz against time in s) per row.

    Raises
    ------
    ValueError
        If `examples` is empty or a clip is invalid.
    """
    import matplotlib.pyplot as plt

    from mlkit.viz import plot_spectrogram

    if not examples:
        raise ValueError("plot_augmentations needs at least one clip. Got an empty mapping.")
    n_cols = min(4, len(examples))
    n_rows = int(np.ceil(len(examples) / n_cols))
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(3.4 * n_cols, 2.3 * n_rows),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, (name, y) in zip(axes.flat, examples.items(), strict=False):
        plot_spectrogram(y, sample_rate_hz=sample_rate_hz, ax=ax, title=name)
    for ax in axes.flat[len(examples) :]:
        ax.set_visible(False)
    for ax in axes.flat:
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
        if not ax.get_subplotspec().is_last_row():
            ax.set_xlabel("")
    return fig


def play_examples(examples: Mapping[str, np.ndarray], *, sample_rate_hz: int) -> int:
    """Display a labelled audio player per clip in Jupyter; display nothing when headless.

    Parameters
    ----------
    examples : mapping of str to array-like of shape (n_samples_i,)
        Label -> clip.
    sample_rate_hz : int
        Sample rate of every clip, in Hz.

    Returns
    -------
    int
        Number of players displayed (0 in headless runs, see :func:`mlkit.is_headless`).

    Notes
    -----
    Players go through :func:`mlkit.viz.play`, once, outside any widget callback: an audio
    player inside an ``interact`` callback can deadlock a headless kernel.
    """
    from mlkit.recording import is_headless

    if is_headless():
        return 0
    from IPython.display import Markdown, display

    from mlkit.viz import play

    for name, clip in examples.items():
        display(Markdown(f"**{name}**"))
        play(clip, sample_rate_hz=sample_rate_hz)
    return len(examples)


def plot_tag_comparison(table, *, target_tag: str | None = None):
    """Plot per-tag dev accuracy for each training set as grouped bars.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`compare_augmentations` (rows tags, columns training sets).
    target_tag : str, optional
        Tag to highlight (bold tick label with an arrow).

    Returns
    -------
    matplotlib.figure.Figure
        Accuracy in [0, 1] on y, one group of bars per tag.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    n = len(table.columns)
    width = 0.8 / n
    pos = np.arange(len(table.index))
    for j, col in enumerate(table.columns):
        bars = ax.bar(pos + (j - (n - 1) / 2) * width, table[col].to_numpy(), width, label=col)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    labels = [f"▶ {t}" if t == target_tag else str(t) for t in table.index]
    ax.set_xticks(pos, labels)
    for tick, t in zip(ax.get_xticklabels(), table.index, strict=True):
        if t == target_tag:
            tick.set_fontweight("bold")
    ax.set(ylabel="dev accuracy", ylim=(0, 1.08))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="training set")
    return fig


def plot_learning_curves(curves):
    """Plot dev accuracy against training-set size for each model size.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`augmentation_learning_curves`.

    Returns
    -------
    matplotlib.figure.Figure
        Left: overall dev accuracy; right: dev accuracy on the targeted tag. One line per
        model size, points labelled with the augmentation factor.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True, layout="constrained")
    for ax, col, title in zip(
        axes, ("accuracy", "accuracy_target"), ("all dev clips", "targeted tag"), strict=True
    ):
        for size, part in curves.groupby("size", sort=False):
            (line,) = ax.plot(part["n_train"], part[col], marker="o", label=f"{size} model")
            for _, r in part.iterrows():
                ax.annotate(
                    f"×{r['augment_factor']}",
                    (r["n_train"], r[col]),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    fontsize=7,
                    color=line.get_color(),
                )
        ax.set(xlabel="training clips (real + augmented)", title=title)
        ax.margins(x=0.08, y=0.15)
    axes[0].set_ylabel("dev accuracy")
    axes[0].legend(fontsize=8)
    return fig


def describe_curves(curves) -> str:
    """Summarise learning curves in one markdown sentence per model size, from the numbers.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`augmentation_learning_curves`.

    Returns
    -------
    str
        Markdown bullets: overall and targeted-tag accuracy change from the smallest to the
        largest augmentation factor, and whether the other tags lost accuracy.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"size": ["small", "small"], "augment_factor": [0, 2],
    ...                   "n_train": [10, 20], "accuracy": [0.5, 0.4],
    ...                   "accuracy_target": [0.3, 0.5], "accuracy_other": [0.6, 0.4]})
    >>> print(describe_curves(c))
    - **small** model, ×0 → ×2 augmented copies: overall -0.100, targeted tag +0.200, other tags -0.200 (more data hurt the other tags).
    """
    lines = []
    for size, part in curves.groupby("size", sort=False):
        part = part.sort_values("augment_factor")
        first, prev, last = part.iloc[0], part.iloc[max(len(part) - 2, 0)], part.iloc[-1]
        d_all, d_tgt, d_oth = (
            last[c] - first[c] for c in ("accuracy", "accuracy_target", "accuracy_other")
        )
        verdict = (
            "more data hurt the other tags"
            if d_oth < -0.01
            else "the other tags held"
            if d_oth <= 0.01
            else "the other tags gained too"
        )
        lines.append(
            f"- **{size}** model, ×{first['augment_factor']} → ×{last['augment_factor']} augmented "
            f"copies: overall {d_all:+.3f}, targeted tag {d_tgt:+.3f}, other tags {d_oth:+.3f} ({verdict})"
            + (
                f"; last step ×{prev['augment_factor']} → ×{last['augment_factor']}: overall "
                f"{last['accuracy'] - prev['accuracy']:+.3f}."
                if len(part) > 2
                else "."
            )
        )
    return "\n".join(lines)
