"""Fixed-length MFCC features for short clips: the spoken-digit baseline's front end."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from mlkit._validation import check_int

__all__ = ["mfcc_features", "mfcc_feature_names", "MFCCFeatures"]

_STATS = ("mean", "std", "min", "max")


def _hz_to_mel(f):
    """Slaney mel scale (librosa's default, ``htk=False``): linear below 1 kHz, log above."""
    f = np.asarray(f, dtype=np.float64)
    mel = f / (200.0 / 3)
    log_part = f >= 1000.0
    return np.where(log_part, 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) / (np.log(6.4) / 27), mel)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27) * (m - 15.0)), m * 200.0 / 3)


@lru_cache(maxsize=16)
def _mel_basis(sample_rate_hz: int, n_fft: int, n_mels: int, fmin_hz: float = 20.0) -> np.ndarray:
    """Slaney-normalised triangular mel filterbank, shape (n_mels, n_fft // 2 + 1).

    Same as ``librosa.filters.mel(sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin_hz)``, computed
    here because librosa's first call costs about a second of JIT compilation.
    """
    fft_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate_hz)
    mel_hz = _mel_to_hz(
        np.linspace(_hz_to_mel(fmin_hz), _hz_to_mel(sample_rate_hz / 2), n_mels + 2)
    )
    fdiff = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]


@lru_cache(maxsize=16)
def _hann(n_fft: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann


def _power_spectrogram(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """|STFT|^2 as ``librosa.stft(center=True, pad_mode="constant")``: (n_fft // 2 + 1, n_frames)."""
    padded = np.pad(y, n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return (np.abs(np.fft.rfft(frames * _hann(n_fft), axis=1)) ** 2).T


def _check_params(sample_rate_hz, n_mfcc, n_fft, hop_length, n_mels, n_segments, func):
    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1000, func=func)
    n_mels = check_int(n_mels, "n_mels", min_value=2, func=func)
    n_mfcc = check_int(n_mfcc, "n_mfcc", min_value=1, max_value=n_mels, func=func)
    n_fft = check_int(n_fft, "n_fft", min_value=16, func=func)
    hop = check_int(hop_length, "hop_length", min_value=1, func=func)
    n_segments = check_int(n_segments, "n_segments", min_value=0, func=func)
    return sr, n_mfcc, n_fft, hop, n_mels, n_segments


def mfcc_feature_names(*, n_mfcc: int = 13, n_segments: int = 3) -> list[str]:
    """Return the column names of :func:`mfcc_features`, in order.

    Parameters
    ----------
    n_mfcc : int, default=13
        Number of MFCCs.
    n_segments : int, default=3
        Number of time segments whose MFCC means are appended.

    Returns
    -------
    list of str
        ``mfcc{k}_{stat}``, ``delta{k}_{stat}`` for stat in mean, std, min, max, then
        ``mfcc{k}_seg{j}``, then ``log_duration_s``.

    Examples
    --------
    >>> names = mfcc_feature_names(n_mfcc=2, n_segments=1)
    >>> len(names), names[0], names[-1]
    (19, 'mfcc0_mean', 'log_duration_s')
    """
    names = [f"{kind}{k}_{s}" for kind in ("mfcc", "delta") for s in _STATS for k in range(n_mfcc)]
    names += [f"mfcc{k}_seg{j}" for j in range(n_segments) for k in range(n_mfcc)]
    return [*names, "log_duration_s"]


_DELTA_WIDTH = 9
_MAX_FRAMES_PER_BATCH = 4096  # ~8 MB of float64 frames: stays in cache, bounds memory


@lru_cache(maxsize=16)
def _dct_matrix(n_mels: int, n_mfcc: int) -> np.ndarray:
    """First `n_mfcc` rows of the orthonormal DCT-II matrix, transposed: (n_mels, n_mfcc)."""
    from scipy.fft import dct

    return np.ascontiguousarray(dct(np.eye(n_mels), type=2, axis=0, norm="ortho")[:n_mfcc].T)


@lru_cache(maxsize=4)
def _delta_coeffs(width: int) -> np.ndarray:
    """Savitzky-Golay first-derivative kernel, as ``savgol_filter(..., polyorder=1, deriv=1)``."""
    from scipy.signal import savgol_coeffs

    return savgol_coeffs(width, polyorder=1, deriv=1)


def _as_clip(clip) -> np.ndarray:
    y = np.asarray(clip, dtype=np.float64)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"Each clip must be a non-empty 1-D array of samples. Got shape {y.shape} instead. "
            "Convert it with mlkit.audio.to_mono_float32."
        )
    return y


def _batch_features(ys, sr, n_mfcc, n_fft, hop, n_mels, n_segments) -> np.ndarray:
    """Features of several clips at once: one STFT, mel product and DCT for all their frames.

    Frames of all clips are stacked row-wise; per-clip steps (the top_db floor, deltas with
    edge padding, statistics) use segment offsets instead of a Python loop per clip.
    """
    from scipy.fft import rfft
    from scipy.ndimage import convolve1d

    half = n_fft // 2
    sizes = np.array([y.size for y in ys])
    padded = sizes + 2 * half
    n_frames = (padded - n_fft) // hop + 1
    buf_start = np.concatenate([[0], np.cumsum(padded)[:-1]])
    buf = np.zeros(int(padded.sum()), dtype=np.float64)
    for y, start in zip(ys, buf_start, strict=True):
        buf[start + half : start + half + y.size] = y
    clip_of_frame = np.repeat(np.arange(len(ys)), n_frames)
    first = np.concatenate([[0], np.cumsum(n_frames)[:-1]])  # first frame row of each clip
    frame_in_clip = np.arange(clip_of_frame.size) - first[clip_of_frame]
    starts = buf_start[clip_of_frame] + hop * frame_in_clip
    frames = np.lib.stride_tricks.sliding_window_view(buf, n_fft)[starts]
    frames *= _hann(n_fft)
    spec = rfft(frames, axis=1, workers=1)
    power = np.abs(spec) ** 2
    mel = power @ _mel_basis(sr, n_fft, n_mels).T  # (n_total_frames, n_mels)
    log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
    floor = np.maximum.reduceat(log_mel.max(axis=1), first) - 80.0  # power_to_db(top_db=80)
    log_mel = np.maximum(log_mel, floor[clip_of_frame][:, None])
    mfcc = log_mel @ _dct_matrix(n_mels, n_mfcc)  # (n_total_frames, n_mfcc)

    # librosa.feature.delta(width=9, mode="nearest"): repeat each clip's edge frames, then
    # convolve; the padding keeps clips from leaking into each other.
    w = _DELTA_WIDTH // 2
    n_ext = n_frames + 2 * w
    ext_first = np.concatenate([[0], np.cumsum(n_ext)[:-1]])
    ext_clip = np.repeat(np.arange(len(ys)), n_ext)
    pos = np.arange(ext_clip.size) - ext_first[ext_clip] - w
    ext_rows = first[ext_clip] + np.clip(pos, 0, n_frames[ext_clip] - 1)
    delta_ext = convolve1d(mfcc[ext_rows], _delta_coeffs(_DELTA_WIDTH), axis=0, mode="nearest")
    delta = delta_ext[ext_first[clip_of_frame] + w + frame_in_clip]

    counts = n_frames[:, None]
    parts = []
    for track in (mfcc, delta):
        mean = np.add.reduceat(track, first, axis=0) / counts
        dev = track - mean[clip_of_frame]
        std = np.sqrt(np.add.reduceat(dev * dev, first, axis=0) / counts)
        parts += [
            mean,
            std,
            np.minimum.reduceat(track, first, axis=0),
            np.maximum.reduceat(track, first, axis=0),
        ]
    if n_segments:
        edges = np.linspace(0, n_frames, n_segments + 1, axis=1)
        lo = np.floor(edges[:, :-1]).astype(int)
        hi = np.maximum(np.ceil(edges[:, 1:]).astype(int), lo + 1)
        # reduceat over (lo, hi) pairs sums mfcc[lo:hi]; a zero row makes hi == end valid.
        padded_mfcc = np.vstack([mfcc, np.zeros((1, n_mfcc))])
        pairs = np.stack([first[:, None] + lo, first[:, None] + hi], axis=2).ravel()
        sums = np.add.reduceat(padded_mfcc, pairs, axis=0)[::2]
        seg = sums / (hi - lo).ravel()[:, None]
        parts += list(seg.reshape(len(ys), n_segments, n_mfcc).transpose(1, 0, 2))
    parts.append(np.log(sizes / sr)[:, None])
    return np.hstack(parts)


def mfcc_features(
    clips,
    *,
    sample_rate_hz: int,
    n_mfcc: int = 13,
    n_fft: int = 256,
    hop_length: int = 80,
    n_mels: int = 40,
    n_segments: int = 3,
) -> np.ndarray:
    """Summarise each clip as a fixed-length vector of MFCC statistics.

    Parameters
    ----------
    clips : sequence of array-like of shape (n_samples_i,)
        Mono clips in [-1, 1], any lengths (for example ``SpeechData.clips``).
    sample_rate_hz : int
        Sample rate of every clip, in Hz.
    n_mfcc : int, default=13
        Mel-frequency cepstral coefficients per frame (c0, the log energy, included).
    n_fft : int, default=256
        STFT window length in samples (32 ms at 8 kHz).
    hop_length : int, default=80
        STFT hop in samples (10 ms at 8 kHz).
    n_mels : int, default=40
        Mel bands between 20 Hz and the Nyquist frequency.
    n_segments : int, default=3
        Split the frames into this many equal time segments and append each segment's mean
        MFCC vector: the mean and std alone forget word order ("six" vs "seven").
        0 disables it.

    Returns
    -------
    X : ndarray of shape (n_clips, 8 * n_mfcc + n_segments * n_mfcc + 1), dtype float64
        Per clip: mean, std, min and max over frames of the MFCCs and of their deltas
        (9-frame regression), the segment means, and the natural log of the duration in s.
        144 columns with the defaults; names from :func:`mfcc_feature_names`.

    Raises
    ------
    ValueError
        If a clip is empty or not 1-D, or a parameter is out of range.

    Notes
    -----
    MFCCs equal to :func:`librosa.feature.mfcc` with the same ``n_fft``, ``hop_length``,
    ``n_mels`` and ``fmin=20`` (Hann-windowed centred STFT, Slaney mel filterbank,
    ``power_to_db`` with ``top_db=80``, orthonormal DCT-II) and deltas equal to
    :func:`librosa.feature.delta`, reimplemented in numpy/scipy with a cached filterbank
    because librosa's first call spends about 2 s compiling. Clips are processed in batches
    (one STFT, mel product and DCT over the frames of many clips), about 2.5x faster than
    one clip at a time; each row is the same, to floating-point rounding, whatever the batch.
    25-32 ms windows with a 10 ms hop and 13 MFCCs plus deltas are the classic speech front end
    (Davis & Mermelstein 1980; HTK book).

    Examples
    --------
    >>> t = np.arange(4000) / 8000
    >>> clip = 0.5 * np.sin(2 * np.pi * 300 * t)
    >>> mfcc_features([clip, clip[:2000]], sample_rate_hz=8000).shape
    (2, 144)
    """
    params = _check_params(
        sample_rate_hz, n_mfcc, n_fft, hop_length, n_mels, n_segments, "mfcc_features"
    )
    if isinstance(clips, np.ndarray) and clips.ndim == 1 and clips.dtype != object:
        raise ValueError(
            "mfcc_features expects a sequence of clips. Got a single 1-D array instead. "
            "Wrap it in a list: mfcc_features([clip], ...)."
        )
    ys = [_as_clip(c) for c in clips]
    if not ys:
        return np.empty((0, len(mfcc_feature_names(n_mfcc=n_mfcc, n_segments=n_segments))))
    # Batches of whole clips with a bounded number of frames: per-clip Python overhead
    # dominated the one-clip-at-a-time version (a clip is only ~50 frames of 256 samples).
    n_frames = [(y.size + 2 * (params[2] // 2) - params[2]) // params[3] + 1 for y in ys]
    batches, current, total = [], [], 0
    for i, n in enumerate(n_frames):
        if current and total + n > _MAX_FRAMES_PER_BATCH:
            batches.append(current)
            current, total = [], 0
        current.append(i)
        total += n
    batches.append(current)
    return np.vstack([_batch_features([ys[i] for i in b], *params) for b in batches])


class MFCCFeatures(TransformerMixin, BaseEstimator):
    """Scikit-learn transformer wrapping :func:`mfcc_features` (stateless).

    Parameters
    ----------
    sample_rate_hz : int, default=8000
        Sample rate of the clips, in Hz.
    n_mfcc, n_fft, hop_length, n_mels, n_segments : int
        See :func:`mfcc_features`.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = make_pipeline(MFCCFeatures(), StandardScaler(), LogisticRegression())
    """

    def __init__(
        self,
        sample_rate_hz: int = 8000,
        n_mfcc: int = 13,
        n_fft: int = 256,
        hop_length: int = 80,
        n_mels: int = 40,
        n_segments: int = 3,
    ):
        self.sample_rate_hz = sample_rate_hz
        self.n_mfcc = n_mfcc
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.n_segments = n_segments

    def fit(self, X, y=None):
        """Check the parameters and return self (nothing is learned).

        Parameters
        ----------
        X : sequence of array-like of shape (n_samples_i,)
            Clips (ignored).
        y : ignored

        Returns
        -------
        self : MFCCFeatures
        """
        _check_params(
            self.sample_rate_hz,
            self.n_mfcc,
            self.n_fft,
            self.hop_length,
            self.n_mels,
            self.n_segments,
            "MFCCFeatures",
        )
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def transform(self, X):
        """Return the MFCC feature matrix of the clips in `X`.

        Parameters
        ----------
        X : sequence of array-like of shape (n_samples_i,)
            Mono clips at `sample_rate_hz`.

        Returns
        -------
        ndarray of shape (n_clips, n_features_out)
            See :func:`mfcc_features`.
        """
        return mfcc_features(
            X,
            sample_rate_hz=self.sample_rate_hz,
            n_mfcc=self.n_mfcc,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            n_segments=self.n_segments,
        )

    def get_feature_names_out(self, input_features=None):
        """Return the output column names (see :func:`mfcc_feature_names`).

        Returns
        -------
        ndarray of str
        """
        return np.asarray(
            mfcc_feature_names(n_mfcc=self.n_mfcc, n_segments=self.n_segments), dtype=object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags
