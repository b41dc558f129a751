"""Audio I/O, conversion to mono float32, resampling and the course's noise conditions.

The running example is a spoken-digit recognizer that must work in four conditions:
``clean``, ``car_noise``, ``people_noise`` (babble) and ``low_bandwidth`` (telephone line).
Every clip in the kit is a 1-D ``float32`` array in [-1, 1] at :data:`SAMPLE_RATE_HZ`.
"""

from __future__ import annotations

import os
from math import gcd

import numpy as np

from mlkit._dsp import bandpass_sos
from mlkit._validation import check_float, check_int, check_one_of, check_random_state

__all__ = [
    "SAMPLE_RATE_HZ",
    "CONDITIONS",
    "to_mono_float32",
    "read_audio",
    "resample",
    "add_noise_at_snr",
    "apply_condition",
    "clip_problem",
]

SAMPLE_RATE_HZ = 8000
"""Sample rate of every clip in the kit, in Hz (the rate of FSDD and of telephone speech)."""

CONDITIONS = ("clean", "car_noise", "people_noise", "low_bandwidth")
"""The four recording conditions of the running example, in course order."""

_RANGE_TOLERANCE = 1e-3  # float input may overshoot [-1, 1] by this much (resampling ringing)
_MAX_CHANNELS = 32  # a 2-D array's channel axis is the one no longer than this
_TELEPHONE_BAND_HZ = (300.0, 3400.0)
_LOW_BANDWIDTH_RATE_HZ = 4000
_MU = 255  # G.711 mu-law constant


def to_mono_float32(data, *, name: str = "audio") -> np.ndarray:
    """Convert audio samples of any common dtype and layout to mono float32 in [-1, 1].

    Parameters
    ----------
    data : array-like of shape (n_samples,), (n_samples, n_channels) or (n_channels, n_samples)
        Samples as read from a file or a microphone. Integer PCM is scaled to [-1, 1]:
        ``int16`` by 1/32768, ``int32`` by 1/2**31, ``uint8`` (offset binary) as
        ``(x - 128) / 128``. Floating-point input must already be in [-1, 1].
        Multi-channel audio is averaged over channels; the channel axis is the shorter one
        and must have at most 32 entries.
    name : str, default="audio"
        What to call `data` in error messages.

    Returns
    -------
    clip : ndarray of shape (n_samples,), dtype float32
        Mono samples in [-1, 1] (a new array; `data` is not modified).

    Raises
    ------
    TypeError
        If the dtype is not one of int16, int32, uint8, float32, float64.
    ValueError
        If `data` is empty, has more than 2 dimensions or an ambiguous 2-D shape (square, or
        no axis short enough to be channels), contains NaN or infinity, or holds floats
        outside [-1, 1] by more than 1e-3.

    Examples
    --------
    >>> import numpy as np
    >>> to_mono_float32(np.array([0, 16384, -32768], dtype=np.int16))
    array([ 0. ,  0.5, -1. ], dtype=float32)
    >>> to_mono_float32(np.array([[0.5, -0.5], [1.0, 0.0], [0.2, 0.2]])).shape
    (3,)
    """
    arr = np.asarray(data)
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one sample. Got an empty array instead.")
    if arr.ndim > 2:
        raise ValueError(
            f"{name} must be 1-D (mono) or 2-D (channels x samples). "
            f"Got an array of shape {arr.shape} instead."
        )
    if arr.dtype == np.int16:
        x = arr.astype(np.float64) / 32768.0
    elif arr.dtype == np.int32:
        x = arr.astype(np.float64) / 2.0**31
    elif arr.dtype == np.uint8:
        x = (arr.astype(np.float64) - 128.0) / 128.0
    elif arr.dtype in (np.float32, np.float64):
        x = arr.astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise ValueError(
                f"{name} must hold finite samples. Got {int(np.sum(~np.isfinite(x)))} NaN or "
                "infinite values instead. Remove or interpolate them before use."
            )
        peak = float(np.max(np.abs(x)))
        if peak > 1.0 + _RANGE_TOLERANCE:
            raise ValueError(
                f"{name} must hold floating-point samples in [-1, 1]. Got a peak of {peak:.4g} "
                "instead. Normalise it first, for example `clip / np.max(np.abs(clip))`."
            )
        x = np.clip(x, -1.0, 1.0)
    else:
        raise TypeError(
            f"{name} must have dtype int16, int32, uint8, float32 or float64. "
            f"Got {arr.dtype} instead. Convert it, for example with `.astype(np.float32)` "
            "after scaling to [-1, 1]."
        )
    if x.ndim == 2:
        n0, n1 = x.shape
        if n0 == n1 or min(n0, n1) > _MAX_CHANNELS:
            raise ValueError(
                f"{name} has an ambiguous 2-D shape {arr.shape}: cannot tell channels from "
                f"samples. Pass shape (n_samples, n_channels) with n_channels <= {_MAX_CHANNELS} "
                "and n_samples > n_channels, or a 1-D array."
            )
        x = x.mean(axis=1 if n1 < n0 else 0)
    return x.astype(np.float32)


def resample(clip, orig_sample_rate_hz: int, target_sample_rate_hz: int) -> np.ndarray:
    """Resample a mono clip with a polyphase anti-aliasing filter.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono samples.
    orig_sample_rate_hz : int
        Sample rate of `clip`, in Hz (> 0).
    target_sample_rate_hz : int
        Wanted sample rate, in Hz (> 0).

    Returns
    -------
    ndarray of shape (ceil(n_samples * target / orig),), dtype float32
        The resampled clip; a float32 copy when the rates are equal.

    Raises
    ------
    TypeError, ValueError
        If a rate is not a positive int.

    Notes
    -----
    Uses :func:`scipy.signal.resample_poly` with up/down factors reduced by their gcd
    (Kaiser-windowed FIR, beta=5).

    Examples
    --------
    >>> resample(np.zeros(16000), 16000, 8000).shape
    (8000,)
    """
    orig = check_int(orig_sample_rate_hz, "orig_sample_rate_hz", min_value=1, func="resample")
    target = check_int(target_sample_rate_hz, "target_sample_rate_hz", min_value=1, func="resample")
    x = np.asarray(clip, dtype=np.float64)
    if orig == target:
        return x.astype(np.float32)
    from scipy.signal import resample_poly

    g = gcd(orig, target)
    return resample_poly(x, target // g, orig // g).astype(np.float32)


def read_audio(
    path: str | os.PathLike, *, target_sample_rate_hz: int | None = SAMPLE_RATE_HZ
) -> tuple[np.ndarray, int]:
    """Read an audio file (WAV, FLAC, OGG...) as mono float32, resampled to a target rate.

    Parameters
    ----------
    path : str or path-like
        The file; relative paths are tried against the cwd, then the project root.
    target_sample_rate_hz : int or None, default=8000
        Resample to this rate, in Hz, when the file's rate differs. ``None`` keeps the
        file's own rate.

    Returns
    -------
    clip : ndarray of shape (n_samples,), dtype float32
        Mono samples in [-1, 1] (channels averaged).
    sample_rate_hz : int
        The sample rate of `clip`, in Hz.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file cannot be decoded (corrupt or not audio), or its samples are invalid.

    See Also
    --------
    to_mono_float32 : the conversion applied to the decoded samples.
    """
    import soundfile as sf

    from mlkit.paths import resolve_path

    p = resolve_path(path)
    if not p.is_file():
        raise FileNotFoundError(
            f"Audio file {str(path)!r} does not exist (looked for {p}). "
            "Check the path, or give an absolute one."
        )
    try:
        data, sr = sf.read(p, dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise ValueError(
            f"Audio file {str(p)!r} could not be decoded ({exc}). It may be corrupt or not an "
            "audio file; re-export it as WAV or FLAC."
        ) from exc
    clip = to_mono_float32(data, name=f"Audio file {p.name!r}")
    if target_sample_rate_hz is not None and sr != target_sample_rate_hz:
        clip = np.clip(resample(clip, sr, target_sample_rate_hz), -1.0, 1.0)
        sr = target_sample_rate_hz
    return clip, int(sr)


def clip_problem(
    clip,
    *,
    sample_rate_hz: int = SAMPLE_RATE_HZ,
    rate=None,
    min_duration_s: float = 0.1,
    max_duration_s: float = 3.0,
    silence_rms_dbfs: float = -60.0,
) -> tuple[str, str]:
    """Return the first reason a clip is unusable as model input, or ``("", "")``.

    Parameters
    ----------
    clip : ndarray of shape (n_samples,)
        The clip, float32 in [-1, 1].
    sample_rate_hz : int, default=8000
        The rate the model expects, in Hz.
    rate : int or None, default=None
        The rate the clip claims, checked against `sample_rate_hz` when given.
    min_duration_s, max_duration_s : float, default=0.1, 3.0
        Accepted duration range, in s (spoken digits last 0.15-2.3 s in FSDD).
    silence_rms_dbfs : float, default=-60.0
        Clips whose RMS level is below this, in dB relative to full scale, count as silent
        (FSDD's quietest real recordings sit near -53 dBFS).

    Returns
    -------
    check : str
        The first failed check: ``shape``, ``dtype``, ``sample_rate``, ``finite``, ``duration``
        or ``silence``; ``""`` when the clip is usable.
    reason : str
        One sentence saying what is wrong (``""`` when usable).

    Examples
    --------
    >>> clip_problem(np.full(4000, 0.1, dtype=np.float32))
    ('', '')
    >>> clip_problem(np.zeros(80, dtype=np.float32))[0]
    'duration'
    """
    if not isinstance(clip, np.ndarray) or clip.ndim != 1:
        shape = getattr(clip, "shape", type(clip).__name__)
        return "shape", f"shape {shape}, expected one channel (n_samples,)"
    if clip.dtype != np.float32:
        return "dtype", f"dtype {clip.dtype}, expected float32 (use mlkit.audio.to_mono_float32)"
    if rate is not None and int(rate) != sample_rate_hz:
        return "sample_rate", f"sample rate {int(rate)} Hz, expected {sample_rate_hz} Hz"
    if not np.isfinite(clip).all():
        return "finite", f"{int((~np.isfinite(clip)).sum())} NaN or infinite samples"
    duration = clip.size / sample_rate_hz
    if not min_duration_s <= duration <= max_duration_s:
        return (
            "duration",
            f"duration {duration:.3f} s outside [{min_duration_s}, {max_duration_s}] s",
        )
    rms = float(np.sqrt(np.mean(clip.astype(np.float64) ** 2)))
    rms_dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    if rms_dbfs < silence_rms_dbfs:
        return "silence", f"silent: RMS {rms_dbfs:.1f} dBFS below {silence_rms_dbfs} dBFS"
    return "", ""


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.square(x, dtype=np.float64)))


def _fit_length(x: np.ndarray, n: int, offset: int = 0) -> np.ndarray:
    """Loop `x` (circularly shifted by `offset`) or crop it to exactly `n` samples."""
    x = np.roll(x, -offset) if offset else x
    return np.resize(x, n)


def add_noise_at_snr(clip, noise, snr_db: float) -> np.ndarray:
    """Mix `noise` into `clip` at a signal-to-noise ratio, without clipping.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        The signal.
    noise : array-like of shape (n_noise_samples,)
        The noise; looped or cropped to ``n_samples``.
    snr_db : float
        Wanted SNR, in dB; any real number (negative means noise louder than signal).

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32
        ``clip + g * noise`` with ``g`` chosen so that the SNR equals `snr_db`. Not clipped,
        so the SNR is exact; :func:`apply_condition` clips afterwards.

    Raises
    ------
    ValueError
        If `noise` is silent (zero power) or empty.

    Notes
    -----
    SNR is defined on mean power (RMS squared) over the whole clip:
    ``snr_db = 10 * log10(P_signal / P_noise)`` with ``P = mean(x**2)``, so
    ``g = sqrt(P_signal / (P_noise * 10**(snr_db / 10)))``. This is the global SNR used
    by the audiomentations ``AddBackgroundNoise`` and ``AddGaussianSNR`` transforms.
    A silent clip gets no noise (``g = 0``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s, n = rng.normal(size=8000), rng.normal(size=8000)
    >>> mix = add_noise_at_snr(s, n, 10.0)
    >>> round(float(10 * np.log10(np.mean(s**2) / np.mean((mix - s) ** 2))), 3)
    10.0
    """
    snr_db = check_float(snr_db, "snr_db", func="add_noise_at_snr")
    x = np.asarray(clip, dtype=np.float64)
    n = np.asarray(noise, dtype=np.float64)
    if n.size == 0:
        raise ValueError("add_noise_at_snr needs a non-empty noise array. Got an empty one.")
    n = _fit_length(n, x.shape[0])
    p_noise = _power(n)
    if p_noise == 0.0:
        raise ValueError(
            "add_noise_at_snr needs noise with non-zero power. Got a silent noise array instead."
        )
    gain = np.sqrt(_power(x) / (p_noise * 10.0 ** (snr_db / 10.0)))
    # Compute in float64 and compare from it: the float32 cast changes the SNR by < 1e-5 dB.
    return (x + gain * n).astype(np.float32)


def _car_noise(n: int, sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    """Engine + road noise: low-passed brown noise plus a slowly drifting harmonic series."""
    from scipy.signal import sosfilt

    t = np.arange(n) / sample_rate_hz
    # Road/wind rumble: brown noise (integrated white noise), DC removed, low-passed.
    brown = np.cumsum(rng.normal(size=n))
    brown -= np.linspace(brown[0], brown[-1], n)  # remove the random-walk drift
    cutoff_hz = float(rng.choice([300.0, 350.0, 400.0, 450.0, 500.0]))
    rumble = sosfilt(bandpass_sos(20.0, cutoff_hz, sample_rate_hz), brown)
    # Engine: harmonics 1..6 of f0 in [30, 120] Hz with 1/k amplitudes; f0 wobbles by +-5 %
    # at 0.2-0.8 Hz and the whole engine is amplitude-modulated a little.
    f0 = rng.uniform(30.0, 120.0)
    wobble = 1.0 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.2, 0.8) * t + rng.uniform(0, 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(f0 * wobble) / sample_rate_hz
    engine = sum(
        np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k
        for k in range(1, 7)
        if k * f0 * 1.05 < sample_rate_hz / 2
    )
    engine *= 1.0 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * t)
    rumble /= np.sqrt(_power(rumble)) + 1e-12
    engine /= np.sqrt(_power(engine)) + 1e-12
    mix_share = rng.uniform(0.3, 0.7)  # engine share of the noise power
    return np.sqrt(1 - mix_share) * rumble + np.sqrt(mix_share) * engine


def _babble(n: int, babble_pool, rng: np.random.Generator) -> np.ndarray:
    """Sum of 3-6 pool clips, each at unit power, looped from a random offset."""
    n_talkers = int(rng.integers(3, 7))
    n_talkers = min(n_talkers, len(babble_pool))
    picks = rng.choice(len(babble_pool), size=n_talkers, replace=False)
    out = np.zeros(n)
    for i in picks:
        talker = np.asarray(babble_pool[int(i)], dtype=np.float64)
        if talker.ndim != 1 or talker.size == 0:
            raise ValueError(
                "Every babble_pool entry must be a non-empty 1-D clip. "
                f"Got shape {talker.shape} at index {int(i)} instead."
            )
        p = _power(talker)
        if p == 0.0:
            continue
        offset = int(rng.integers(0, talker.size))
        out += _fit_length(talker, n, offset) / np.sqrt(p)
    return out


def _mu_law_quantise(x: np.ndarray, n_bits: int = 8) -> np.ndarray:
    levels = 2**n_bits - 1
    y = np.sign(x) * np.log1p(_MU * np.abs(x)) / np.log1p(_MU)
    y = np.round((y + 1) / 2 * levels) / levels * 2 - 1
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(_MU)) / _MU


def _low_bandwidth(x: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    from scipy.signal import sosfilt

    lo, hi = _TELEPHONE_BAND_HZ
    y = sosfilt(bandpass_sos(lo, min(hi, 0.45 * sample_rate_hz), sample_rate_hz), x)
    low = resample(y, sample_rate_hz, _LOW_BANDWIDTH_RATE_HZ).astype(np.float64)
    low = _mu_law_quantise(np.clip(low, -1.0, 1.0))
    back = resample(low, _LOW_BANDWIDTH_RATE_HZ, sample_rate_hz).astype(np.float64)
    return _fit_length(back, x.shape[0]) if back.shape[0] < x.shape[0] else back[: x.shape[0]]


def apply_condition(
    clip,
    condition: str,
    *,
    sample_rate_hz: int,
    snr_db: float = 10.0,
    random_state=0,
    babble_pool=None,
) -> np.ndarray:
    """Return `clip` as heard in one of the four recording conditions.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono float clip in [-1, 1] (see :func:`to_mono_float32`).
    condition : {"clean", "car_noise", "people_noise", "low_bandwidth"}
        The condition; see Notes.
    sample_rate_hz : int
        Sample rate of `clip`, in Hz (>= 8000 for ``low_bandwidth``).
    snr_db : float, default=10.0
        Signal-to-noise ratio, in dB, for ``car_noise`` and ``people_noise``; ignored otherwise.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the noise. The same int always gives the same output.
    babble_pool : sequence of array-like of shape (n_samples_i,), optional
        Clips of other speakers at `sample_rate_hz`, at least 3, for ``people_noise``.
        The caller must leave `clip` itself (and ideally its speaker) out of the pool.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32
        The transformed clip, clipped to [-1, 1]; a copy for ``clean``.

    Raises
    ------
    ValueError
        If `condition` is unknown, `clip` is invalid, `babble_pool` has fewer than 3 clips
        for ``people_noise``, or `sample_rate_hz` < 8000 for ``low_bandwidth``.

    Notes
    -----
    - ``clean``: unchanged.
    - ``car_noise``: road rumble (brown noise band-passed from 20 Hz to one of 300, 350, ..., 500 Hz, 4th-order
      Butterworth) plus an engine (harmonics 1-6 of a 30-120 Hz fundamental, amplitudes 1/k,
      fundamental drifting by +-5 % at 0.2-0.8 Hz, 20 % amplitude modulation), the two mixed
      at a random 30-70 % power share, then added at `snr_db`.
    - ``people_noise``: babble, the sum of 3-6 randomly chosen pool clips, each scaled to unit
      power and looped from a random offset, added at `snr_db`.
    - ``low_bandwidth``: a telephone line. 4th-order Butterworth band-pass 300-3400 Hz
      (ITU-T G.712 telephone band), resampled to 4000 Hz, quantised with 8-bit mu-law
      (mu=255, ITU-T G.711), resampled back to `sample_rate_hz`. The anti-aliasing filters
      remove everything above 2 kHz, including the quantisation noise.

    SNR is defined by :func:`add_noise_at_snr` (mean power over the clip) and holds before the
    final clipping to [-1, 1].

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> clip = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    >>> noisy = apply_condition(clip, "car_noise", sample_rate_hz=8000, snr_db=5.0,
    ...                         random_state=0)
    >>> noisy.shape, noisy.dtype
    ((8000,), dtype('float32'))
    """
    check_one_of(condition, "condition", CONDITIONS, func="apply_condition")
    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="apply_condition")
    x = to_mono_float32(clip, name="clip").astype(np.float64)
    if condition == "clean":
        return x.astype(np.float32)
    rng = check_random_state(random_state)
    if condition == "low_bandwidth":
        if sr < 8000:
            raise ValueError(
                "The 'sample_rate_hz' parameter of apply_condition must be >= 8000 for "
                f"'low_bandwidth'. Got {sr} instead. Resample the clip first."
            )
        out = _low_bandwidth(x, sr)
    elif condition == "car_noise":
        out = add_noise_at_snr(x, _car_noise(x.shape[0], sr, rng), snr_db)
    else:
        if babble_pool is None or len(babble_pool) < 3:
            got = 0 if babble_pool is None else len(babble_pool)
            raise ValueError(
                "apply_condition needs a babble_pool of at least 3 clips of other speakers for "
                f"'people_noise'. Got {got} instead. Pass babble_pool=[clip, ...]."
            )
        babble = _babble(x.shape[0], babble_pool, rng)
        if _power(babble) == 0.0:
            raise ValueError("Every clip picked from babble_pool is silent. Pass audible clips.")
        out = add_noise_at_snr(x, babble, snr_db)
    return np.clip(out, -1.0, 1.0).astype(np.float32)
