"""Pipelines and their reproducible application (notebook 04, "The pipelines, seen and heard").

:func:`make_pipeline` builds one seeded-ready audiomentations pipeline per kind of augmentation;
:func:`augment`, :func:`augment_clips` and :func:`augment_dataset` apply them with their own seeds
and leave the global random states as they found them.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping, Sequence

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_random_state
from mlkit.audio import SAMPLE_RATE_HZ, to_mono_float32
from mlkit.augmentation._transforms import _kit_transforms, prepare_clip

__all__ = [
    "AUGMENTATIONS",
    "UNREALISTIC",
    "make_pipeline",
    "make_pipelines",
    "make_babble_pool",
    "pipeline_for_tag",
    "augment",
    "augment_clips",
    "augment_dataset",
    "entry_point_table",
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


def make_pipeline(
    kind: str,
    *,
    snr_db_range: tuple[float, float] = (-10.0, 15.0),
    babble_pool: Sequence | None = None,
):
    """Build a seeded-ready audiomentations pipeline for one kind of augmentation.

    Parameters
    ----------
    kind : str
        One of :data:`AUGMENTATIONS` or :data:`UNREALISTIC`; see Notes.
    snr_db_range : tuple of float, default=(-10.0, 15.0)
        ``(low, high)`` SNR in dB for ``car_noise``, ``people_noise`` and ``gaussian_snr``,
        drawn uniformly per clip. Production noise in the kit lies in -10 to 15 dB
        (:func:`mlkit.datasets.load_speech`).
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
    - ``low_bandwidth``: a telephone line, the production chain of
      :func:`mlkit.audio.apply_condition` (300-3400 Hz band-pass, 4000 Hz codec, 8-bit mu-law)
      with its band edges drawn per clip: lower cut-off 200-400 Hz, codec rate 3500-4500 Hz
      (steps of 100 Hz), so the upper -3 dB edge falls between about 1.6 and 2.1 kHz and the
      -20 dB point between about 1.8 and 2.35 kHz, around production's 1.85 and 2.1 kHz
      (:func:`low_bandwidth_edges` measures both on white noise). A band-pass filter alone
      cannot do this: a Butterworth of 24-36 dB/octave is far less steep than the codec's
      anti-aliasing filter, so no draw matches both of production's edges.
    - ``gain``: ``Gain`` of -12 to +6 dB (quiet and loud talkers).
    - ``time_stretch``: ``TimeStretch`` at rate 0.85-1.15 (slow and fast talkers), length kept.
    - ``pitch_shift``: ``PitchShift`` by -3 to +3 semitones (other voices).
    - ``TimeStretch`` and ``PitchShift`` here are the kit's subclasses of audiomentations' own:
      same parameters, random draws and output, but the Signalsmith stretcher is reused, not
      rebuilt per clip.
    - ``stadium_noise`` (unrealistic): a roaring crowd, 1000-3800 Hz noise with a swelling
      level, at -5 to 0 dB SNR. Its level is within production's (-10 to 15 dB); its kind is
      not: no production condition has a crowd roar above 1 kHz that swells and fades.

    Examples
    --------
    >>> pipe = make_pipeline("gaussian_snr", snr_db_range=(10.0, 20.0))
    >>> type(pipe).__name__
    'KitCompose'
    """
    from audiomentations import AddGaussianSNR, Gain

    check_one_of(kind, "kind", AUGMENTATIONS + UNREALISTIC, func="make_pipeline")
    lo, hi = _check_snr_range(snr_db_range, "make_pipeline")
    kit = _kit_transforms()
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
        transform = kit.TelephoneLine(
            min_low_cut_hz=200.0,
            max_low_cut_hz=400.0,
            min_codec_rate_hz=3500,
            max_codec_rate_hz=4500,
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
    snr_db_range: tuple[float, float] = (-10.0, 15.0),
    babble_pool: Sequence | None = None,
):
    """Build the realistic pipeline that makes more data of one condition tag.

    Parameters
    ----------
    tag : {"clean", "car_noise", "people_noise", "low_bandwidth"}
        The condition to make more of (typically the top row of the error analysis).
    snr_db_range : tuple of float, default=(-10.0, 15.0)
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
    return _kit_transforms().KitCompose(parts, p=1.0)


def make_pipelines(
    kinds: Sequence[str] = AUGMENTATIONS + UNREALISTIC,
    *,
    snr_db_range: tuple[float, float] = (-10.0, 15.0),
    babble_pool: Sequence | None = None,
) -> dict:
    """Build one pipeline per kind of augmentation, keyed by kind.

    Parameters
    ----------
    kinds : sequence of str, default=AUGMENTATIONS + UNREALISTIC
        Kinds from :data:`AUGMENTATIONS` or :data:`UNREALISTIC`, in the order wanted.
    snr_db_range : tuple of float, default=(-10.0, 15.0)
        ``(low, high)`` SNR in dB for the noise kinds (see :func:`make_pipeline`).
    babble_pool : sequence of array-like of shape (n_samples_i,), optional
        At least 3 clips of other speakers at 8000 Hz; required when `kinds` holds
        ``people_noise``.

    Returns
    -------
    dict of str to audiomentations.Compose
        ``{kind: make_pipeline(kind, ...)}`` in the order of `kinds`.

    Raises
    ------
    ValueError
        As :func:`make_pipeline`, for the first kind it refuses.

    Examples
    --------
    >>> list(make_pipelines(["gain", "gaussian_snr"]))
    ['gain', 'gaussian_snr']
    """
    return {
        kind: make_pipeline(kind, snr_db_range=snr_db_range, babble_pool=babble_pool)
        for kind in kinds
    }


def make_babble_pool(
    data, *, n_clips: int = 12, condition: str = "clean", random_state=None
) -> list:
    """Return clips of one condition from as many speakers as possible, to mix as babble.

    Parameters
    ----------
    data : mlkit.datasets.SpeechData
        Clips to draw from (typically the training clips, never the dev clips).
    n_clips : int, default=12
        How many clips to take (>= 1); ``people_noise`` needs at least 3.
    condition : str, default="clean"
        Recording condition (``metadata["condition"]``) of the clips to take.
    random_state : int, numpy.random.Generator or None, default=None
        ``None`` takes clips in dataset order, one per speaker in turn (the first clip of each
        speaker, then the second, ...); a seed takes random clips, one per speaker in turn, from
        speakers in random order.

    Returns
    -------
    list of ndarray of shape (n_samples_i,)
        Up to `n_clips` clips of `data` (fewer when `data` has fewer).

    Raises
    ------
    ValueError
        If `n_clips` < 1.

    Notes
    -----
    Production babble (:func:`mlkit.datasets.load_speech`) mixes 3-6 of 6 clips of other
    speakers drawn per clip; a pool spread over many speakers comes closest to it (a pool of one
    speaker's clips is a single talker, not a crowd).

    Examples
    --------
    >>> from mlkit.datasets import load_speech
    >>> data = load_speech(n_clips=40, random_state=0)
    >>> pool = make_babble_pool(data, n_clips=3)
    >>> len(pool)
    3
    """
    k = check_int(n_clips, "n_clips", min_value=1, func="make_babble_pool")
    meta = data.metadata.reset_index(drop=True)
    rows = np.flatnonzero(meta["condition"].to_numpy() == condition)
    if random_state is not None:
        rows = check_random_state(random_state).permutation(rows)
    speakers = meta["speaker"].to_numpy()[rows]
    # rank of each clip within its speaker, so that sorting by rank takes speakers in turn
    order = {s: i for i, s in enumerate(dict.fromkeys(speakers))}
    rank = np.zeros(rows.size, dtype=int)
    seen: dict = {}
    for i, s in enumerate(speakers):
        rank[i] = seen.get(s, 0)
        seen[s] = rank[i] + 1
    pick = sorted(range(rows.size), key=lambda i: (rank[i], order[speakers[i]]))[:k]
    return [data.clips[rows[i]] for i in pick]


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


def entry_point_table(
    cases: Mapping[str, tuple], pipeline, *, pipeline_name: str = "pipeline", random_state=0
):
    """Feed each case to :func:`augment` and report what came out or why it was refused.

    Parameters
    ----------
    cases : mapping of str to (array-like, int)
        Name -> ``(clip, sample_rate_hz)``: clips of any dtype and layout, rates in Hz.
    pipeline : callable
        An audiomentations pipeline, for example from :func:`make_pipeline`.
    pipeline_name : str, default="pipeline"
        Name of `pipeline` in the column title.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds every call of :func:`augment` (the same seed for each case).

    Returns
    -------
    pandas.DataFrame
        One row per case (index: the names) and one column ``"augment(..., <pipeline_name>)"``:
        ``"ok: <dtype>, shape <shape>, peak <max |x|>"`` or ``"refused: <error>: <message>"``.

    Raises
    ------
    TypeError
        If `pipeline` is not callable (a refused case is reported, not raised).

    Examples
    --------
    >>> table = entry_point_table({"int16": (np.array([0, 16384], np.int16), 8000),
    ...                            "16 kHz": (np.zeros(4), 16000)}, make_pipeline("gain"))
    >>> table.iloc[:, 0].str.split(":").str[0].tolist()
    ['ok', 'refused']
    """
    import pandas as pd

    _check_pipeline(pipeline, "entry_point_table")
    rows = {}
    for name, (clip, rate) in cases.items():
        try:
            out = augment(clip, pipeline, sample_rate_hz=rate, random_state=random_state)
            rows[name] = f"ok: {out.dtype}, shape {out.shape}, peak {np.abs(out).max():.2f}"
        except (TypeError, ValueError) as exc:
            rows[name] = f"refused: {type(exc).__name__}: {exc}"
    return pd.Series(rows, name=f"augment(..., {pipeline_name})").to_frame()
