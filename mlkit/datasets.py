"""Load the kit's datasets: spoken digits (bundled or FSDD layout) and the rare-class table.

Every loader verifies the files against a sha256 manifest and returns the sha256 that
identifies the exact data, for lineage records (see :mod:`mlkit.lineage`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mlkit._speakers import describe_voices, speaker_split
from mlkit._validation import check_float, check_int, check_random_state
from mlkit.audio import CONDITIONS, SAMPLE_RATE_HZ, apply_condition, read_audio
from mlkit.errors import ChecksumError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ChecksumError",
    "SpeechData",
    "TabularData",
    "DEFAULT_CONDITION_SHARES",
    "load_speech",
    "load_rare_class",
    "verify_manifest",
    "speaker_split",
    "describe_voices",
]

DEFAULT_CONDITION_SHARES = {
    "clean": 0.4,
    "car_noise": 0.2,
    "people_noise": 0.2,
    "low_bandwidth": 0.2,
}
"""Share of clips per condition used by :func:`load_speech` when none is given."""

_FSDD_PATTERN = re.compile(r"^(\d)_([A-Za-z0-9-]+)_(\d+)\.(wav|flac|ogg)$", re.IGNORECASE)
_FSDD_LAYOUT = (
    "files named {label}_{speaker}_{index}.wav (label 0-9), directly inside the folder or in "
    "a 'recordings/' subfolder, with an optional speakers.json mapping speaker -> "
    "{gender, accent}"
)
_REBUILD_HINT = {
    "speech": "Re-create it with `python datasets/speech/build.py` or restore it from git.",
    "tabular": "Re-create it with `python datasets/tabular/build.py` or restore it from git.",
}


def _speech_dir() -> Path:
    from mlkit.paths import datasets_dir

    return datasets_dir() / "speech"


def _tabular_dir() -> Path:
    from mlkit.paths import datasets_dir

    return datasets_dir() / "tabular"


def _display(path: Path) -> str:
    """Show `path` relative to the project root when it is inside it."""
    from mlkit.paths import datasets_dir

    try:
        return str(path.relative_to(datasets_dir().parent))
    except ValueError:
        return str(path)


def verify_manifest(manifest, *, fix_hint: str | None = None) -> str:
    """Check every file listed in a sha256 manifest; return the manifest's own sha256.

    Parameters
    ----------
    manifest : str or path-like
        A file in ``sha256sum`` format: one ``<hex sha256>  <relative path>`` line per file,
        paths relative to the manifest's folder.
    fix_hint : str, optional
        Sentence appended to error messages, telling how to restore the data.

    Returns
    -------
    str
        Hex sha256 of the manifest file: it identifies the exact data.

    Raises
    ------
    FileNotFoundError
        If `manifest` does not exist.
    ChecksumError
        If a listed file is missing or its sha256 differs, or a manifest line is malformed.

    Notes
    -----
    Equivalent to ``sha256sum --check --quiet MANIFEST`` run in the manifest's folder.
    """
    manifest = Path(manifest)
    hint = f" {fix_hint}" if fix_hint else ""
    raw = manifest.read_bytes()
    root = manifest.parent
    for n, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("  ", 1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise ChecksumError(
                f"Line {n} of {_display(manifest)} must read '<sha256>  <relative path>'. "
                f"Got {line!r} instead.{hint}"
            )
        expected, rel = parts
        path = root / rel
        if not path.is_file():
            raise ChecksumError(
                f"Dataset file {_display(path)} listed in {_display(manifest)} is missing.{hint}"
            )
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise ChecksumError(
                f"Dataset file {_display(path)} does not match its sha256 in "
                f"{_display(manifest)}.{hint}"
            )
    return hashlib.sha256(raw).hexdigest()


@dataclass(repr=False)
class SpeechData:
    """Spoken-digit clips with one metadata row per clip.

    Attributes
    ----------
    clips : list of ndarray of shape (n_samples_i,), dtype float32
        Mono clips in [-1, 1] at `sample_rate_hz`, after their condition was applied.
    sample_rate_hz : int
        Sample rate of every clip, in Hz.
    metadata : pandas.DataFrame
        One row per clip, in the order of `clips`, with columns ``clip_id``, ``label``
        (int 0-9), ``speaker``, ``voice``, ``accent``, ``gender``, ``rendition``,
        ``duration_s``, ``condition`` (one of :data:`mlkit.audio.CONDITIONS`), ``snr_db``
        (NaN for clean and low_bandwidth), ``source`` ("bundled" or "fsdd-layout") and
        ``path`` (relative to the project root for the bundled corpus, absolute otherwise).
    name : str
        Dataset name: "speech-bundled" or "speech-<folder name>".
    sha256 : str
        Hex sha256 that identifies the source files (see :func:`load_speech`). The
        conditions are a function of the loader's parameters, recorded separately.
    """

    clips: list
    sample_rate_hz: int
    metadata: pd.DataFrame
    name: str
    sha256: str

    @property
    def y(self) -> np.ndarray:
        """Labels, ndarray of shape (n_clips,), dtype int64, digits 0-9."""
        return self.metadata["label"].to_numpy(dtype=np.int64)

    def __len__(self) -> int:
        return len(self.clips)

    def __repr__(self) -> str:
        return (
            f"SpeechData(name={self.name!r}, n_clips={len(self)}, "
            f"sample_rate_hz={self.sample_rate_hz}, sha256={self.sha256[:12]!r}...)"
        )

    def subset(self, index) -> SpeechData:
        """Return the clips at `index` as a new SpeechData (metadata index reset).

        Parameters
        ----------
        index : array-like of int or bool
            Positions (as from a train/test split) or a boolean mask of length ``len(self)``.

        Returns
        -------
        SpeechData
            Same `sample_rate_hz`, `name` and `sha256`; clips are shared, not copied.

        Raises
        ------
        IndexError
            If a position is out of range or a mask has the wrong length.
        """
        idx = np.asarray(index)
        if idx.dtype == bool:
            if idx.shape != (len(self),):
                raise IndexError(
                    f"A boolean mask for subset must have shape ({len(self)},). "
                    f"Got {idx.shape} instead."
                )
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64).ravel()
        return SpeechData(
            clips=[self.clips[i] for i in idx],
            sample_rate_hz=self.sample_rate_hz,
            metadata=self.metadata.iloc[idx].reset_index(drop=True),
            name=self.name,
            sha256=self.sha256,
        )


@dataclass(repr=False)
class TabularData:
    """A tabular binary-classification dataset with a grouping column for slice analysis.

    Attributes
    ----------
    X : pandas.DataFrame of shape (n_samples, n_features)
        Numeric features.
    y : ndarray of shape (n_samples,), dtype int64
        Binary target, 1 = the rare positive class.
    groups : pandas.Series of shape (n_samples,)
        Ordered categorical used for slice analysis.
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        Row id, provenance and label-name columns, aligned with `X`.
    name : str
        Dataset name.
    sha256 : str
        Hex sha256 of the dataset's MANIFEST.
    """

    X: pd.DataFrame
    y: np.ndarray
    groups: pd.Series
    metadata: pd.DataFrame
    name: str
    sha256: str

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        return (
            f"TabularData(name={self.name!r}, n_samples={len(self)}, "
            f"n_features={self.X.shape[1]}, positive_rate={self.y.mean():.3f}, "
            f"sha256={self.sha256[:12]!r}...)"
        )


def _largest_remainder(weights, total: int) -> np.ndarray:
    """Split `total` into integer counts proportional to `weights` (Hamilton's method)."""
    w = np.asarray(weights, dtype=np.float64)
    quota = w / w.sum() * total
    counts = np.floor(quota).astype(np.int64)
    rest = total - counts.sum()
    # Ties broken by position, so the split is deterministic.
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _check_shares(condition_shares) -> dict:
    shares = DEFAULT_CONDITION_SHARES if condition_shares is None else condition_shares
    if not isinstance(shares, dict) or not set(shares) <= set(CONDITIONS):
        raise ValueError(
            "The 'condition_shares' parameter of load_speech must be a dict with keys among "
            f"{list(CONDITIONS)}. Got {condition_shares!r} instead."
        )
    values = [shares.get(c, 0.0) for c in CONDITIONS]
    if any(not np.isfinite(v) or v < 0 for v in values) or abs(sum(values) - 1.0) > 1e-6:
        raise ValueError(
            "The 'condition_shares' parameter of load_speech must hold non-negative shares "
            f"summing to 1. Got {shares!r} (sum {sum(values):.4g}) instead."
        )
    return dict(zip(CONDITIONS, values, strict=True))


def _stratified_subsample(strata, n: int, rng: np.random.Generator) -> np.ndarray:
    """Pick `n` positions with every stratum represented in proportion (sorted positions)."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(strata), sort=True)
    sizes = np.bincount(codes, minlength=len(uniques))
    quota = _largest_remainder(sizes, n)
    picked = []
    for k, q in enumerate(quota):
        members = np.flatnonzero(codes == k)
        picked.append(rng.choice(members, size=int(q), replace=False))
    return np.sort(np.concatenate(picked))


def _bundled_listing(verify: bool):
    import pandas as pd

    root = _speech_dir()
    manifest = root / "MANIFEST"
    if not manifest.is_file():
        raise FileNotFoundError(
            f"The bundled speech corpus is missing its manifest {_display(manifest)}. "
            + _REBUILD_HINT["speech"]
        )
    if verify:
        digest = verify_manifest(manifest, fix_hint=_REBUILD_HINT["speech"])
    else:
        digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    meta = pd.read_csv(root / "metadata.csv")
    meta["path"] = [_display(root / f) for f in meta["file"]]
    meta["_abspath"] = [str(root / f) for f in meta["file"]]
    meta["source"] = "bundled"
    return meta.drop(columns=["file"]), digest, "speech-bundled"


def _folder_listing(audio_dir):
    import pandas as pd

    from mlkit.lineage import sha256_file
    from mlkit.paths import resolve_path

    folder = resolve_path(audio_dir, must_exist=True, name="audio_dir")
    if not folder.is_dir():
        raise NotADirectoryError(
            f"The 'audio_dir' parameter of load_speech must be a folder holding {_FSDD_LAYOUT}. "
            f"Got the file {folder} instead."
        )
    candidates = [p for d in (folder, folder / "recordings") if d.is_dir() for p in d.iterdir()]
    matched = sorted(
        (p for p in candidates if p.is_file() and _FSDD_PATTERN.match(p.name)),
        key=lambda p: str(p.relative_to(folder)),
    )
    if not matched:
        others = sorted(p.name for p in candidates if p.is_file())
        listed = f"; it holds {others[:5]}{' ...' if len(others) > 5 else ''}" if others else ""
        subdirs = sorted(p.name for p in candidates if p.is_dir() and p.name != "recordings")
        hint = ""
        if subdirs:
            hint = f" It has sub-folder(s) {subdirs[:5]}: point 'audio_dir' at the one holding the clips."
        elif not others:
            listed = " (it is empty)"
        raise ValueError(
            f"The 'audio_dir' folder {folder} must hold {_FSDD_LAYOUT}. "
            f"Found no matching file{listed}.{hint}"
        )
    speakers = {}
    speakers_json = next(
        (
            p
            for p in (folder / "speakers.json", folder / "recordings" / "speakers.json")
            if p.is_file()
        ),
        None,
    )
    if speakers_json is not None:
        try:
            speakers = json.loads(speakers_json.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{speakers_json} must be JSON mapping speaker -> {{gender, accent}}. "
                f"It could not be parsed: {exc}."
            ) from exc
    rows, pairs = [], []
    for p in matched:
        m = _FSDD_PATTERN.match(p.name)
        speaker = m.group(2)
        info = speakers.get(speaker, {}) if isinstance(speakers, dict) else {}
        rows.append(
            {
                "clip_id": p.stem,
                "label": int(m.group(1)),
                "speaker": speaker,
                "voice": "human",
                "accent": info.get("accent", "unknown"),
                "gender": info.get("gender", "unknown"),
                "rendition": int(m.group(3)),
                "source": "fsdd-layout",
                "path": str(p),
                "_abspath": str(p),
            }
        )
        pairs.append(f"{p.relative_to(folder).as_posix()}\t{sha256_file(p)}\n")
    if speakers_json is not None:
        pairs.append(
            f"{speakers_json.relative_to(folder).as_posix()}\t{sha256_file(speakers_json)}\n"
        )
    digest = hashlib.sha256("".join(sorted(pairs)).encode("utf-8")).hexdigest()
    return pd.DataFrame(rows), digest, f"speech-{folder.name}"


MIN_SPEAKERS = 2
"""Fewest speakers a folder must hold: one to train on and one unseen, for any honest split."""


def _check_minimum(meta, audio_dir, what: str) -> None:
    """Refuse a folder with fewer than two speakers or without all ten digits."""
    speakers = sorted(meta["speaker"].astype(str).unique())
    missing = sorted(set(range(10)) - set(meta["label"].astype(int)))
    if len(speakers) < MIN_SPEAKERS or missing:
        got = f"{len(speakers)} speaker(s) {speakers[:5]}"
        if missing:
            got += f" and no clip of digit(s) {missing}"
        raise ValueError(
            f"The 'audio_dir' folder {audio_dir} must hold {what} of at least {MIN_SPEAKERS} "
            f"speakers and of all ten digits (the notebooks hold speakers out and recognise 0-9). "
            f"Got {got}. Add recordings, or use the bundled corpus (audio_dir='')."
        )


def _drop_unusable(clips, meta, audio_dir):
    """Drop clips no model should see (too short or long, silent, non-finite), with a warning."""
    import warnings

    import pandas as pd

    from mlkit.audio import clip_problem

    problems = [clip_problem(c, sample_rate_hz=SAMPLE_RATE_HZ) for c in clips]
    bad = [i for i, (check, _) in enumerate(problems) if check]
    if not bad:
        return clips, meta
    first = bad[0]
    counts = pd.Series([problems[i][0] for i in bad]).value_counts().to_dict()
    warnings.warn(
        f"load_speech skipped {len(bad)} of {len(clips)} clip(s) in {audio_dir} that no model "
        f"should see ({counts}); for example {meta['clip_id'].iloc[first]}: "
        f"{problems[first][1]}. Fix or remove them (mlkit.audio.clip_problem gives the reason).",
        stacklevel=3,
    )
    keep = np.setdiff1d(np.arange(len(clips)), bad)
    return [clips[i] for i in keep], meta.iloc[keep].reset_index(drop=True)


def _babble_candidates(i, speakers, rng, n_max=6):
    """Up to `n_max` positions of other speakers' clips (other clips if too few speakers)."""
    others = np.flatnonzero(speakers != speakers[i])
    if others.size < 3:
        others = np.delete(np.arange(speakers.size), i)
    if others.size > n_max:
        others = rng.choice(others, size=n_max, replace=False)
    return others


def load_speech(
    audio_dir: str = "",
    *,
    n_clips: int | None = None,
    conditions: bool = True,
    condition_shares: dict | None = None,
    snr_db_range: tuple[float, float] = (-10.0, 15.0),
    random_state=0,
    verify: bool = True,
) -> SpeechData:
    """Load spoken-digit clips and apply the four recording conditions.

    Parameters
    ----------
    audio_dir : str, default=""
        ``""`` loads the bundled synthetic corpus (``datasets/speech``, 720 clips, 12 speakers).
        Otherwise a folder in Free Spoken Digit Dataset layout: files
        ``{label}_{speaker}_{index}.wav`` (also .flac/.ogg) directly inside or in a
        ``recordings/`` subfolder, and an optional ``speakers.json`` mapping speaker to
        ``{"gender": ..., "accent": ...}``. Other files are ignored. Relative paths are tried
        against the cwd, then the project root (``"../shared/data/fsdd"``).
    n_clips : int or None, default=None
        Load only this many clips, sampled without replacement and stratified by
        (label, speaker) so every combination keeps its share. ``None`` loads all.
    conditions : bool, default=True
        Apply the recording conditions. ``False`` returns every clip clean.
    condition_shares : dict or None, default=None
        Share of clips per condition, keys among :data:`mlkit.audio.CONDITIONS`, summing to 1.
        ``None`` means :data:`DEFAULT_CONDITION_SHARES` (40 % clean, 20 % each other).
        Counts are exact (largest-remainder rounding), then randomly assigned to clips.
    snr_db_range : tuple of float, default=(-10.0, 15.0)
        ``(low, high)`` in dB; each noisy clip's SNR is drawn uniformly from it. The default
        reaches down to -10 dB so that some noisy clips are hard for people too (at -10 dB
        babble, listeners name about 65 % of digits: :func:`mlkit.data.human_recognition_probability`).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the subsample, the condition assignment, the SNRs and the noise.
    verify : bool, default=True
        For the bundled corpus, check every file against ``datasets/speech/MANIFEST``
        (about 20 ms). Folders have no manifest; their sha256 is always computed.

    Returns
    -------
    SpeechData
        Clips (float32, mono, 8000 Hz, in [-1, 1]) and their metadata. ``sha256`` is the
        sha256 of the MANIFEST for the bundled corpus; for a folder, the sha256 of the sorted
        "<relative path> TAB <file sha256> NEWLINE" lines of the matched audio files and
        ``speakers.json``.

    Raises
    ------
    FileNotFoundError
        If `audio_dir` does not exist, or the bundled MANIFEST is missing.
    NotADirectoryError
        If `audio_dir` is a file.
    ChecksumError
        If a bundled file is missing or differs from the manifest.
    ValueError
        If no file in `audio_dir` matches the layout, the folder holds fewer than two speakers
        or not all ten digits (before or after unusable clips are skipped), an argument is out
        of range, or a clip cannot be decoded.

    Warns
    -----
    UserWarning
        When clips of a folder are skipped as unusable (:func:`mlkit.audio.clip_problem`:
        shorter than 0.1 s, longer than 3 s, silent below -60 dBFS, non-finite).

    See Also
    --------
    mlkit.audio.apply_condition : how each condition is made.

    Notes
    -----
    Babble for ``people_noise`` comes from up to 6 clean clips of *other* speakers (any other
    clip when the folder holds fewer than 3 such clips), so a clip never babbles over itself.

    Examples
    --------
    >>> data = load_speech(n_clips=40, random_state=0)
    >>> len(data), data.sample_rate_hz
    (40, 8000)
    >>> sorted(data.metadata["condition"].value_counts().to_dict().items())
    [('car_noise', 8), ('clean', 16), ('low_bandwidth', 8), ('people_noise', 8)]
    """
    if n_clips is not None:
        n_clips = check_int(n_clips, "n_clips", min_value=1, func="load_speech")
    shares = _check_shares(condition_shares)
    if not isinstance(snr_db_range, tuple | list) or len(snr_db_range) != 2:
        raise ValueError(
            "The 'snr_db_range' parameter of load_speech must be a (low, high) pair in dB. "
            f"Got {snr_db_range!r} instead."
        )
    snr_lo = check_float(snr_db_range[0], "snr_db_range[0]", func="load_speech")
    snr_hi = check_float(snr_db_range[1], "snr_db_range[1]", low=snr_lo, func="load_speech")
    rng = check_random_state(random_state)

    if audio_dir in ("", None):
        meta, digest, name = _bundled_listing(verify)
    else:
        meta, digest, name = _folder_listing(audio_dir)
        _check_minimum(meta, audio_dir, "files")

    if n_clips is not None:
        if n_clips > len(meta):
            raise ValueError(
                f"The 'n_clips' parameter of load_speech must be at most {len(meta)}, the "
                f"number of clips in {name}. Got {n_clips} instead. Pass n_clips=None for all."
            )
        strata = meta["label"].astype(str) + "|" + meta["speaker"].astype(str)
        meta = meta.iloc[_stratified_subsample(strata, n_clips, rng)].reset_index(drop=True)

    clips = [read_audio(p, target_sample_rate_hz=SAMPLE_RATE_HZ)[0] for p in meta["_abspath"]]
    meta = meta.drop(columns=["_abspath"])
    if audio_dir not in ("", None):
        clips, meta = _drop_unusable(clips, meta, audio_dir)
        _check_minimum(meta, audio_dir, "usable clips")
    meta["duration_s"] = np.array([c.shape[0] for c in clips]) / SAMPLE_RATE_HZ

    n = len(clips)
    condition = np.full(n, "clean", dtype=object)
    snr_db = np.full(n, np.nan)
    if conditions:
        counts = _largest_remainder([shares[c] for c in CONDITIONS], n)
        if counts[CONDITIONS.index("people_noise")] and n < 4:
            raise ValueError(
                "Babble for 'people_noise' mixes 3 other clips, so load_speech needs at least "
                f"4 clips. Got {n} instead. Load more clips or give people_noise a zero share."
            )
        condition = rng.permutation(np.repeat(np.array(CONDITIONS, dtype=object), counts))
        noisy = np.isin(condition, ["car_noise", "people_noise"])
        snr_db[noisy] = rng.uniform(snr_lo, snr_hi, size=int(noisy.sum()))
        seeds = rng.integers(0, 2**63 - 1, size=n)
        speakers = meta["speaker"].to_numpy()
        clean = clips
        clips = list(clips)
        for i in range(n):
            if condition[i] == "clean":
                continue
            pool = None
            if condition[i] == "people_noise":
                pool = [clean[j] for j in _babble_candidates(i, speakers, rng)]
            clips[i] = apply_condition(
                clean[i],
                condition[i],
                sample_rate_hz=SAMPLE_RATE_HZ,
                snr_db=snr_db[i] if noisy[i] else 10.0,
                random_state=int(seeds[i]),
                babble_pool=pool,
            )
    meta["condition"] = condition.astype(str)
    meta["snr_db"] = snr_db
    first = ["clip_id", "label", "speaker", "voice", "accent", "gender", "rendition"]
    first += ["duration_s", "condition", "snr_db", "source", "path"]
    meta = meta[first + [c for c in meta.columns if c not in first]]
    return SpeechData(
        clips=clips, sample_rate_hz=SAMPLE_RATE_HZ, metadata=meta, name=name, sha256=digest
    )


def load_rare_class(*, verify: bool = True) -> TabularData:
    """Load the rare-class tabular dataset (breast cancer, about 5 % malignant).

    Parameters
    ----------
    verify : bool, default=True
        Check ``datasets/tabular/rare_class.csv`` against ``datasets/tabular/MANIFEST``.

    Returns
    -------
    TabularData
        ``X``: the 30 numeric features of scikit-learn's breast-cancer data (376 rows);
        ``y``: 1 = malignant (19 rows, 5.1 %), 0 = benign; ``groups``: ``size_group``, the
        tertile of ``mean area`` (ordered categorical small < medium < large);
        ``metadata``: ``row_id``, ``source_index`` (row in
        :func:`sklearn.datasets.load_breast_cancer`), ``diagnosis``, ``size_group``.

    Raises
    ------
    ChecksumError
        If the CSV does not match its manifest.
    FileNotFoundError
        If the manifest or CSV is missing.

    Examples
    --------
    >>> data = load_rare_class()
    >>> data.X.shape, int(data.y.sum())
    ((376, 30), 19)
    """
    import pandas as pd

    root = _tabular_dir()
    manifest = root / "MANIFEST"
    if not manifest.is_file():
        raise FileNotFoundError(
            f"The rare-class dataset is missing its manifest {_display(manifest)}. "
            + _REBUILD_HINT["tabular"]
        )
    if verify:
        digest = verify_manifest(manifest, fix_hint=_REBUILD_HINT["tabular"])
    else:
        digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    df = pd.read_csv(root / "rare_class.csv")
    df["size_group"] = pd.Categorical(
        df["size_group"], categories=["small", "medium", "large"], ordered=True
    )
    meta_cols = ["row_id", "source_index", "diagnosis", "size_group"]
    X = df.drop(columns=[*meta_cols, "target"])
    return TabularData(
        X=X,
        y=df["target"].to_numpy(dtype=np.int64),
        groups=df["size_group"].rename("size_group"),
        metadata=df[meta_cols].copy(),
        name="rare_class",
        sha256=digest,
    )
