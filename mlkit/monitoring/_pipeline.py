"""The speech pipeline we monitor: voice-activity detection (VAD) -> recognizer.

Serves the notebook section "The system we monitor": rendering requests in each variant, the
VAD stage, the input metrics, and the recognizer's predictions on a pre-rendered request pool.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from mlkit._validation import check_float, check_int, check_random_state

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "INPUT_FEATURES",
    "REFERENCE_MIX",
    "SPEECH_VARIANTS",
    "input_metrics",
    "predict_pool",
    "speech_request_pool",
    "speech_training_set",
    "vad_trim",
    "variant_summary",
]

SPEECH_VARIANTS = {
    "clean": ("clean", None),
    "car_noise": ("car_noise", (10.0, 20.0)),
    "car_noise_heavy": ("car_noise", (0.0, 8.0)),
    "low_bandwidth": ("low_bandwidth", None),
}
"""Request variants of the speech stream: name -> (condition of
:func:`mlkit.audio.apply_condition`, SNR range in dB or None)."""

REFERENCE_MIX = {"clean": 0.7, "car_noise": 0.3}
"""Variant shares of the traffic at launch (the reference conditions): the recognizer's training
mix and the normal traffic of every replayed stream."""

INPUT_FEATURES = ("duration_s", "rms_db", "spectral_centroid_hz", "spectral_bandwidth_hz")
"""Input metrics computed on every raw request (before the voice-activity stage)."""


_SILENT_DB = -60.0
_FLOOR_DB = -100.0


def vad_trim(clip, *, sample_rate_hz: int, threshold_db: float = -35.0, frame_ms: float = 20.0):
    """Trim leading and trailing non-speech: the voice-activity stage of the pipeline.

    Parameters
    ----------
    clip : array-like of shape (n_samples,)
        Mono audio in [-1, 1].
    sample_rate_hz : int
        Sample rate of `clip`, in Hz.
    threshold_db : float, default=-35.0
        A frame counts as speech when its energy is at most this many dB below the loudest
        frame (<= 0). A too-high threshold (for example -6) cuts word onsets and endings.
    frame_ms : float, default=20.0
        Frame length in ms.

    Returns
    -------
    ndarray of shape (n_kept,), dtype float32
        From the first to the last speech frame, one frame of margin each side. Empty when
        the clip is silent (all frames at zero energy).

    Examples
    --------
    >>> x = np.r_[np.zeros(800), 0.5 * np.ones(1600), np.zeros(800)]
    >>> vad_trim(x, sample_rate_hz=8000).size
    1920
    """
    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="vad_trim")
    threshold_db = check_float(threshold_db, "threshold_db", high=0.0, func="vad_trim")
    x = np.asarray(clip, dtype=np.float32).ravel()
    n = max(1, int(round(sr * frame_ms / 1000.0)))
    n_frames = int(math.ceil(x.size / n))
    if n_frames == 0:
        return x[:0]
    padded = np.zeros(n_frames * n, dtype=np.float64)
    padded[: x.size] = x
    energy = np.mean(padded.reshape(n_frames, n) ** 2, axis=1)
    peak = energy.max()
    if peak <= 1e-12:
        return x[:0]
    speech = np.flatnonzero(10.0 * np.log10(energy / peak + 1e-20) >= threshold_db)
    start = max(0, (speech[0] - 1) * n)
    stop = min(x.size, (speech[-1] + 2) * n)
    return x[start:stop].copy()


def input_metrics(clips, *, sample_rate_hz: int) -> pd.DataFrame:
    """Return the input metrics a monitor watches, one row per clip.

    Parameters
    ----------
    clips : sequence of array-like of shape (n_samples_i,)
        Mono clips in [-1, 1].
    sample_rate_hz : int
        Sample rate, in Hz.

    Returns
    -------
    pandas.DataFrame
        Columns ``duration_s``; ``rms_db`` (loudness, 10 log10 of the mean power, dB full
        scale, floored at -100 dB); ``spectral_centroid_hz`` and ``spectral_bandwidth_hz``
        (power-weighted mean frequency and spread around it, of the whole clip's spectrum;
        NaN for silent clips); ``silent`` (True when ``rms_db < -60``).

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> m = input_metrics([np.sin(2 * np.pi * 500 * t)], sample_rate_hz=8000)
    >>> round(float(m.loc[0, "spectral_centroid_hz"]))
    500
    """
    import pandas as pd

    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="input_metrics")
    rows = []
    for clip in clips:
        x = np.asarray(clip, dtype=np.float64).ravel()
        power = float(np.mean(x**2)) if x.size else 0.0
        rms_db = max(_FLOOR_DB, 10.0 * math.log10(power + 1e-10))
        centroid = bandwidth = np.nan
        if x.size and power > 0:
            spec = np.abs(np.fft.rfft(x)) ** 2
            freqs = np.fft.rfftfreq(x.size, d=1.0 / sr)
            total = spec.sum()
            centroid = float((freqs * spec).sum() / total)
            bandwidth = float(np.sqrt(((freqs - centroid) ** 2 * spec).sum() / total))
        rows.append(
            {
                "duration_s": x.size / sr,
                "rms_db": rms_db,
                "spectral_centroid_hz": centroid,
                "spectral_bandwidth_hz": bandwidth,
                "silent": rms_db < _SILENT_DB,
            }
        )
    return pd.DataFrame(rows, columns=[*INPUT_FEATURES, "silent"])


def _render_variant(clip, variant, *, sample_rate_hz, rng, babble_pool=None):
    from mlkit.audio import apply_condition

    if variant not in SPEECH_VARIANTS:
        raise ValueError(
            f"Unknown request variant {variant!r}. Use one of {sorted(SPEECH_VARIANTS)}."
        )
    condition, snr_range = SPEECH_VARIANTS[variant]
    snr = float(rng.uniform(*snr_range)) if snr_range else 10.0
    return apply_condition(
        clip,
        condition,
        sample_rate_hz=sample_rate_hz,
        snr_db=snr,
        random_state=int(rng.integers(0, 2**63 - 1)),
        babble_pool=babble_pool,
    )


def _check_mix(mix, func):
    if not isinstance(mix, dict) or not mix:
        raise ValueError(
            f"The 'mix' parameter of {func} must be a non-empty dict variant -> share."
        )
    unknown = sorted(set(mix) - set(SPEECH_VARIANTS))
    if unknown:
        raise ValueError(
            f"The 'mix' parameter of {func} names unknown variants {unknown}. "
            f"Use {sorted(SPEECH_VARIANTS)}."
        )
    shares = np.array([float(v) for v in mix.values()])
    if (shares < 0).any() or not math.isclose(shares.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(
            f"The shares of 'mix' in {func} must be >= 0 and sum to 1. Got {mix} instead."
        )
    return dict(mix)


def speech_training_set(
    clips, y, *, sample_rate_hz: int, mix: dict, vad_threshold_db: float = -35.0, random_state=0
):
    """Render clips in a mix of request variants, pass them through the VAD, featurise.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Clean mono clips (``SpeechData.clips`` loaded with ``conditions=False``).
    y : array-like of shape (n_clips,)
        Their labels.
    sample_rate_hz : int
        Sample rate, in Hz.
    mix : dict of str to float
        Variant (keys of :data:`SPEECH_VARIANTS`) -> share of clips; shares sum to 1.
    vad_threshold_db : float, default=-35.0
        Threshold of the (healthy) voice-activity stage, see :func:`vad_trim`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the variant assignment and the noise.

    Returns
    -------
    X : ndarray of shape (n_clips, n_features)
        MFCC features (:func:`mlkit.features.mfcc_features`) of the VAD output.
    y : ndarray of shape (n_clips,)
        The labels.
    variants : ndarray of shape (n_clips,), dtype object
        The variant each clip was rendered in.
    """
    from mlkit.features import mfcc_features

    mix = _check_mix(mix, "speech_training_set")
    rng = check_random_state(random_state)
    y = np.asarray(y)
    names = list(mix)
    variants = rng.choice(np.array(names, dtype=object), size=len(clips), p=[mix[k] for k in names])
    rendered = [
        vad_trim(
            _render_variant(c, v, sample_rate_hz=sample_rate_hz, rng=rng),
            sample_rate_hz=sample_rate_hz,
            threshold_db=vad_threshold_db,
        )
        for c, v in zip(clips, variants, strict=True)
    ]
    return mfcc_features(rendered, sample_rate_hz=sample_rate_hz), y, variants


def speech_request_pool(
    clips,
    y,
    *,
    sample_rate_hz: int,
    variants=tuple(SPEECH_VARIANTS),
    fault_variants=("clean", "car_noise"),
    vad_threshold_db: float = -35.0,
    fault_threshold_db: float = -6.0,
    silent_duration_s: float = 0.5,
    random_state=0,
):
    """Pre-render every request the replayed stream can send, through both pipeline stages.

    Each clip is rendered once in every variant and passed through the healthy VAD; the
    `fault_variants` also through the faulty VAD. A stream then only samples rows of this pool,
    so a month of traffic costs no more audio processing than the pool itself.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Clean held-out clips (not used for training).
    y : array-like of shape (n_clips,)
        Their labels.
    sample_rate_hz : int
        Sample rate, in Hz.
    variants : sequence of str, default=all of SPEECH_VARIANTS
        Variants to render.
    fault_variants : sequence of str, default=("clean", "car_noise")
        Variants also rendered through the faulty VAD stage.
    vad_threshold_db, fault_threshold_db : float, default=-35.0, -6.0
        Thresholds of the healthy and the faulty voice-activity stage (:func:`vad_trim`).
    silent_duration_s : float, default=0.5
        Length of the one all-zero request (a dead microphone) added to the pool.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the noise.

    Returns
    -------
    pool : pandas.DataFrame
        One row per request: ``base`` (clip position, -1 for the silent request), ``label``
        (-1 for silence), ``variant``, ``vad`` ("ok"/"fault"), the raw input metrics of
        :func:`input_metrics`, and the VAD node's metrics ``vad_duration_s``,
        ``vad_kept_fraction`` (output/input duration) and ``vad_empty``.
    X : ndarray of shape (n_rows, n_features)
        MFCC features of each row's VAD output; NaN rows where the VAD output is empty.
    """
    import pandas as pd

    from mlkit.features import mfcc_features

    for v in (*variants, *fault_variants):
        if v not in SPEECH_VARIANTS:
            raise ValueError(
                f"Unknown request variant {v!r} in speech_request_pool. "
                f"Use one of {sorted(SPEECH_VARIANTS)}."
            )
    rng = check_random_state(random_state)
    y = np.asarray(y)
    rows, raw, vad_out = [], [], []
    for i, clip in enumerate(clips):
        for v in variants:
            audio = _render_variant(clip, v, sample_rate_hz=sample_rate_hz, rng=rng)
            for vad, thr in (("ok", vad_threshold_db), ("fault", fault_threshold_db)):
                if vad == "fault" and v not in fault_variants:
                    continue
                rows.append({"base": i, "label": int(y[i]), "variant": v, "vad": vad})
                raw.append(audio)
                vad_out.append(vad_trim(audio, sample_rate_hz=sample_rate_hz, threshold_db=thr))
    silence = np.zeros(int(round(silent_duration_s * sample_rate_hz)), dtype=np.float32)
    rows.append({"base": -1, "label": -1, "variant": "silent", "vad": "ok"})
    raw.append(silence)
    vad_out.append(vad_trim(silence, sample_rate_hz=sample_rate_hz))
    pool = pd.concat(
        [pd.DataFrame(rows), input_metrics(raw, sample_rate_hz=sample_rate_hz)], axis=1
    )
    pool["vad_duration_s"] = [a.size / sample_rate_hz for a in vad_out]
    pool["vad_kept_fraction"] = pool["vad_duration_s"] / pool["duration_s"].where(
        pool["duration_s"] > 0
    )
    pool["vad_empty"] = pool["vad_duration_s"] == 0
    keep = [i for i, a in enumerate(vad_out) if a.size]
    X_ok = mfcc_features([vad_out[i] for i in keep], sample_rate_hz=sample_rate_hz)
    X = np.full((len(pool), X_ok.shape[1]), np.nan)
    X[keep] = X_ok
    return pool, X


def predict_pool(pool: pd.DataFrame, X, model, *, version: str) -> pd.DataFrame:
    """Return `pool` with one model version's predictions added.

    Parameters
    ----------
    pool : pandas.DataFrame
        From :func:`speech_request_pool`.
    X : ndarray of shape (n_rows, n_features)
        Its features (NaN rows get no prediction).
    model : fitted classifier with ``predict_proba``
        The recognizer.
    version : str
        Suffix of the new columns ``y_pred_<version>`` (-1 where no prediction) and
        ``confidence_<version>`` (highest class probability, NaN where no prediction).

    Returns
    -------
    pandas.DataFrame
        A copy of `pool` with the two columns.
    """
    out = pool.copy()
    ok = ~np.isnan(X).any(axis=1)
    y_pred = np.full(len(out), -1, dtype=np.int64)
    conf = np.full(len(out), np.nan)
    if ok.any():
        proba = model.predict_proba(X[ok])
        y_pred[ok] = np.asarray(model.classes_)[proba.argmax(axis=1)]
        conf[ok] = proba.max(axis=1)
    out[f"y_pred_{version}"] = y_pred
    out[f"confidence_{version}"] = conf
    return out


def variant_summary(pool: pd.DataFrame, *, version: str = "v1") -> pd.DataFrame:
    """Tabulate what each request variant does to the VAD output and to one model version.

    Parameters
    ----------
    pool : pandas.DataFrame
        From :func:`speech_request_pool` with :func:`predict_pool` columns for `version`.
    version : str, default="v1"
        Model version whose ``y_pred_<version>`` and ``confidence_<version>`` are summarised.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``variant``, ``vad``), means over the non-silent requests of
        ``accuracy``, ``confidence_<version>``, ``vad_kept_fraction``,
        ``spectral_centroid_hz`` and ``rms_db``.

    Examples
    --------
    >>> import pandas as pd
    >>> pool = pd.DataFrame({"label": [1, 2, -1], "variant": ["clean", "clean", "silent"],
    ...     "vad": ["ok", "ok", "ok"], "y_pred_v1": [1, 3, -1], "confidence_v1": [0.9, 0.5, None],
    ...     "vad_kept_fraction": [1.0, 0.8, None], "spectral_centroid_hz": [900.0, 1100.0, None],
    ...     "rms_db": [-20.0, -22.0, -100.0]})
    >>> variant_summary(pool).round(2).values.tolist()
    [[0.5, 0.7, 0.9, 1000.0, -21.0]]
    """
    heard = pool[pool["label"] >= 0]
    columns = [
        "accuracy",
        f"confidence_{version}",
        "vad_kept_fraction",
        "spectral_centroid_hz",
        "rms_db",
    ]
    return (
        heard.assign(accuracy=heard[f"y_pred_{version}"] == heard["label"])
        .groupby(["variant", "vad"])[columns]
        .mean()
    )
