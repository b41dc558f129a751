"""Repeat the augmentation experiments over speaker splits: means, intervals, verdicts.

Notebook 04, the "over seeds" halves of sections "Targeted vs unrealistic augmentation" and
"More data vs model size". A per-tag dev set holds a few dozen clips, so one split can flatter
or sink an augmentation by chance; each experiment is therefore repeated on ``n_seeds`` speaker
splits, with features computed once (cheap repeats), and reported as a mean with a 95 %
interval. The text is computed from those intervals by :func:`describe_gains_over_seeds` and
:func:`describe_size_vs_data`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mlkit._stats import mean_t_interval
from mlkit._validation import check_float, check_int, check_same_length
from mlkit.augmentation._experiments import (
    SIZES,
    augmentation_learning_curves,
    compare_augmentations,
    curve_gains,
)

__all__ = [
    "source_positions",
    "pick_augmented",
    "compare_on_split",
    "gains_over_seeds",
    "curves_over_seeds",
    "curve_gains_over_seeds",
    "summarise_over_seeds",
    "seed_metrics",
    "describe_split_diversity",
]


def source_positions(metadata, aug_metadata) -> np.ndarray:
    """Return, for each augmented clip, the position of its source clip in `metadata`.

    Parameters
    ----------
    metadata : pandas.DataFrame of shape (n_clips, n_columns)
        Metadata of the real clips, with a unique ``clip_id`` column.
    aug_metadata : pandas.DataFrame of shape (n_aug, n_columns)
        Metadata of :func:`augment_dataset`, with ``augmented_from`` (source clip_id).

    Returns
    -------
    ndarray of int of shape (n_aug,)
        Row positions in `metadata`.

    Raises
    ------
    ValueError
        If an augmented clip's source is not in `metadata`.

    Examples
    --------
    >>> import pandas as pd
    >>> meta = pd.DataFrame({"clip_id": ["a", "b", "c"]})
    >>> source_positions(meta, pd.DataFrame({"augmented_from": ["c", "a", "c"]})).tolist()
    [2, 0, 2]
    """
    import pandas as pd

    where = pd.Series(np.arange(len(metadata)), index=metadata["clip_id"].astype(str))
    src = aug_metadata["augmented_from"].astype(str)
    missing = sorted(set(src) - set(where.index))
    if missing:
        raise ValueError(
            f"source_positions: {len(missing)} augmented clip(s) come from clips not in "
            f"'metadata', for example {missing[0]!r}. Pass the metadata the copies were made from."
        )
    return where.loc[src].to_numpy()


def pick_augmented(source, copy, *, train, k: int, rotation: int = 0) -> np.ndarray:
    """Return the augmented clips a training set may use: `k` copies of each training clip.

    Parameters
    ----------
    source : array-like of int of shape (n_aug,)
        Position of each augmented clip's source clip (:func:`source_positions`).
    copy : array-like of int of shape (n_aug,)
        Copy number of each augmented clip (``metadata["copy"]``, from 0).
    train : array-like of int
        Positions of the training clips; copies of any other clip (dev speakers) are left out.
    k : int
        Copies per source clip (0 to the number of copies made).
    rotation : int, default=0
        Which copies: copy ``c`` is used when ``(c + rotation) % n_copies < k``; 0 takes the
        first `k`. Repeats rotate it so that each uses other random draws where it can.

    Returns
    -------
    ndarray of int
        Sorted positions into the augmented arrays.

    Raises
    ------
    ValueError
        If `k` is negative or larger than the number of copies.

    Examples
    --------
    >>> pick_augmented([0, 1, 0, 1], [0, 0, 1, 1], train=[1], k=1).tolist()
    [1]
    >>> pick_augmented([0, 1, 0, 1], [0, 0, 1, 1], train=[1], k=1, rotation=1).tolist()
    [3]
    """
    source = np.asarray(source)
    copy = np.asarray(copy, dtype=int)
    check_same_length("pick_augmented", source=source, copy=copy)
    n_copies = int(copy.max()) + 1 if copy.size else 0
    k = check_int(k, "k", min_value=0, max_value=max(n_copies, 0), func="pick_augmented")
    keep = np.isin(source, np.asarray(train)) & ((copy + int(rotation)) % max(n_copies, 1) < k)
    return np.flatnonzero(keep)


def _split(speakers, seed):
    from mlkit.datasets import speaker_split

    parts = speaker_split(speakers, random_state=seed)
    return np.sort(np.concatenate([parts["train"], parts["seen"]])), parts["unseen"]


def describe_split_diversity(speakers, *, n_seeds: int = 5, random_state: int = 0) -> str:
    """Say when the speaker splits of :func:`gains_over_seeds` repeat (few speakers).

    Parameters
    ----------
    speakers : array-like of shape (n_samples,)
        Speaker of every clip.
    n_seeds : int, default=5
        Splits asked of :func:`gains_over_seeds` / :func:`curves_over_seeds`.
    random_state : int, default=0
        Their first seed (split ``r`` uses ``random_state + r``).

    Returns
    -------
    str
        ``""`` when every split holds out another set of speakers; otherwise one sentence
        naming the fallback: the repeats share held-out speakers and differ by clips only.

    Raises
    ------
    ValueError
        If `n_seeds` < 2 or there are fewer than two speakers.

    Examples
    --------
    >>> describe_split_diversity(["a", "b"] * 8, n_seeds=5)[:60]
    'Only 2 speakers: the 5 splits hold out 2 distinct speaker se'
    """
    from mlkit.datasets import speaker_split

    func = "describe_split_diversity"
    n = check_int(n_seeds, "n_seeds", min_value=2, func=func)
    seed0 = check_int(random_state, "random_state", func=func)
    held_out = {
        tuple(sorted(speaker_split(speakers, random_state=seed0 + r)["unseen_speakers"]))
        for r in range(n)
    }
    if len(held_out) == n:
        return ""
    n_speakers = np.unique(np.asarray(speakers, dtype=object).astype(str)).size
    return (
        f"Only {n_speakers} speakers: the {n} splits hold out {len(held_out)} distinct speaker "
        "sets (fallback: repeats share held-out speakers and differ by clips), so the "
        "intervals below show clip-to-clip more than speaker-to-speaker variation."
    )


def compare_on_split(
    X,
    y,
    tags,
    *,
    train,
    dev,
    augmented: Mapping[str, tuple],
    augment_factor: int = 2,
    rotation: int = 0,
    random_state=0,
):
    """Compare per-tag dev accuracy of the baseline and each augmentation on one split.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_features)
        Features of every real clip.
    y, tags : array-like of shape (n_clips,)
        Labels and condition tags of every real clip.
    train, dev : array-like of int
        Positions of the training and dev clips (speakers disjoint).
    augmented : mapping of str to (X_aug, y_aug, source, copy)
        Per augmentation: features of shape (n_aug, n_features), labels, source positions
        (:func:`source_positions`) and copy numbers of the augmented clips.
    augment_factor : int, default=2
        Copies per training clip added (see :func:`pick_augmented`).
    rotation : int, default=0
        Which copies (see :func:`pick_augmented`).
    random_state : int, default=0
        Seeds the models.

    Returns
    -------
    pandas.DataFrame
        As :func:`compare_augmentations`: rows dev tags then ``"overall"``, columns
        ``"baseline"`` then the keys of `augmented`.
    """
    X, y, tags = np.asarray(X), np.asarray(y), np.asarray(tags).astype(str)
    extra = {}
    for name, (X_aug, y_aug, source, copy) in augmented.items():
        keep = pick_augmented(source, copy, train=train, k=augment_factor, rotation=rotation)
        extra[name] = (np.asarray(X_aug)[keep], np.asarray(y_aug)[keep])
    return compare_augmentations(
        X[train], y[train], X[dev], y[dev], tags[dev], augmented=extra, random_state=random_state
    )


def gains_over_seeds(
    X,
    y,
    tags,
    speakers,
    *,
    augmented: Mapping[str, tuple],
    target_tag: str,
    augment_factor: int = 2,
    n_seeds: int = 5,
    random_state=0,
):
    """Repeat the targeted-vs-unrealistic comparison on `n_seeds` speaker splits.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_features)
        Features of every real clip (computed once).
    y, tags, speakers : array-like of shape (n_clips,)
        Labels, condition tags and speakers of every real clip.
    augmented : mapping of str to (X_aug, y_aug, source, copy)
        As :func:`compare_on_split`; copies of every clip, so each split picks its training
        clips' copies.
    target_tag : str
        The tag the augmentation targets; gains are dev accuracy on it.
    augment_factor : int, default=2
        Copies per training clip added.
    n_seeds : int, default=5
        Repeats (>= 2). Repeat ``r`` splits speakers with ``random_state + r`` (repeat 0 is the
        notebook's own split), seeds the models with it, and rotates the copies by ``r``.
    random_state : int, default=0
        First seed.

    Returns
    -------
    pandas.DataFrame
        One row per repeat: ``seed``, ``n_dev_target`` (dev clips of `target_tag`),
        ``baseline`` (its accuracy without augmentation), and per key ``name`` of `augmented`:
        ``{name}_gain`` (accuracy change on `target_tag`) and ``{name}_gain_overall``; with
        two or more keys also ``{first}_minus_{second}`` (the paired difference of their gains).
        A gain is NaN in a repeat whose dev set has no clip of `target_tag`.

    Raises
    ------
    ValueError
        If `n_seeds` < 2 or the inputs differ in length.
    """
    import pandas as pd

    n = check_int(n_seeds, "n_seeds", min_value=2, func="gains_over_seeds")
    check_same_length("gains_over_seeds", X=X, y=y, tags=tags, speakers=speakers)
    seed0 = check_int(random_state, "random_state", func="gains_over_seeds")
    names = list(augmented)
    rows = []
    for r in range(n):
        train, dev = _split(speakers, seed0 + r)
        table = compare_on_split(
            X, y, tags, train=train, dev=dev, augmented=augmented,
            augment_factor=augment_factor, rotation=r, random_state=seed0 + r,
        )  # fmt: skip
        has = target_tag in table.index
        row = {
            "seed": seed0 + r,
            "n_dev_target": int(np.sum(np.asarray(tags)[dev] == target_tag)),
            "baseline": float(table.loc[target_tag, "baseline"]) if has else np.nan,
        }
        for name in names:
            gain = table.loc[target_tag, name] - table.loc[target_tag, "baseline"]
            row[f"{name}_gain"] = float(gain) if has else np.nan
            row[f"{name}_gain_overall"] = float(
                table.loc["overall", name] - table.loc["overall", "baseline"]
            )
        if len(names) >= 2:
            row[f"{names[0]}_minus_{names[1]}"] = row[f"{names[0]}_gain"] - row[f"{names[1]}_gain"]
        rows.append(row)
    return pd.DataFrame(rows)


def curves_over_seeds(
    X,
    y,
    tags,
    speakers,
    *,
    augmented: tuple,
    target_tag: str,
    factors: Sequence[int] = (0, 1, 2, 4),
    sizes: Sequence[str] = SIZES,
    n_seeds: int = 5,
    random_state=0,
):
    """Repeat the learning curves by model size on `n_seeds` speaker splits.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_features)
        Features of every real clip.
    y, tags, speakers : array-like of shape (n_clips,)
        Labels, condition tags and speakers of every real clip.
    augmented : tuple of (X_aug, y_aug, source, copy)
        The augmented clips, as one value of the `augmented` mapping of
        :func:`gains_over_seeds`: features of shape (n_aug, n_features), labels, source
        positions and copy numbers.
    target_tag : str
        The targeted tag.
    factors : sequence of int, default=(0, 1, 2, 4)
        Copies per training clip along each curve.
    sizes : sequence of {"small", "large"}, default=("small", "large")
        Model sizes.
    n_seeds : int, default=5
        Repeats (>= 2); repeat ``r`` as in :func:`gains_over_seeds`.
    random_state : int, default=0
        First seed.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`augmentation_learning_curves` for every repeat, with a first column
        ``seed``.

    Raises
    ------
    ValueError
        If `n_seeds` < 2, the inputs differ in length or a factor exceeds the copies made.
    """
    import pandas as pd

    n = check_int(n_seeds, "n_seeds", min_value=2, func="curves_over_seeds")
    check_same_length("curves_over_seeds", X=X, y=y, tags=tags, speakers=speakers)
    seed0 = check_int(random_state, "random_state", func="curves_over_seeds")
    X, y, tags = np.asarray(X), np.asarray(y), np.asarray(tags).astype(str)
    X_aug, y_aug, source, copy = augmented
    copy = np.asarray(copy, dtype=int)
    n_copies = int(copy.max()) + 1
    if max(factors) > n_copies:
        raise ValueError(
            f"The 'factors' parameter of curves_over_seeds asks for {max(factors)} copies per "
            f"clip, but only {n_copies} were made. Augment more copies or lower the factors."
        )
    parts = []
    for r in range(n):
        train, dev = _split(speakers, seed0 + r)
        keep = pick_augmented(source, copy, train=train, k=n_copies)
        curves = augmentation_learning_curves(
            X[train], y[train], X[dev], y[dev], tags[dev],
            X_aug=np.asarray(X_aug)[keep], y_aug=np.asarray(y_aug)[keep],
            aug_copy=(copy[keep] + r) % n_copies, target_tag=target_tag,
            factors=factors, sizes=sizes, random_state=seed0 + r,
        )  # fmt: skip
        parts.append(curves.assign(seed=seed0 + r))
    out = pd.concat(parts, ignore_index=True)
    return out[["seed", *[c for c in out.columns if c != "seed"]]]


def curve_gains_over_seeds(curves):
    """Return each repeat's overall accuracy change per model size, and their difference.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`curves_over_seeds`.

    Returns
    -------
    pandas.DataFrame
        One row per seed (index ``seed``): ``curve_gain_<size>`` (:func:`curve_gains`: accuracy
        at the largest factor minus at the smallest) per size and, with both sizes,
        ``curve_gain_large_minus_small``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"seed": [0] * 4, "size": ["small", "small", "large", "large"],
    ...                   "augment_factor": [0, 2, 0, 2], "accuracy": [0.5, 0.6, 0.7, 0.9]})
    >>> curve_gains_over_seeds(c).round(2).to_dict("records")
    [{'curve_gain_large': 0.2, 'curve_gain_small': 0.1, 'curve_gain_large_minus_small': 0.1}]
    """
    import pandas as pd

    table = pd.DataFrame(
        {seed: curve_gains(part) for seed, part in curves.groupby("seed", sort=True)}
    ).T
    table.index.name = "seed"
    table.columns = [f"curve_gain_{c}" for c in table.columns]
    if {"curve_gain_large", "curve_gain_small"} <= set(table.columns):
        table["curve_gain_large_minus_small"] = (
            table["curve_gain_large"] - table["curve_gain_small"]
        )
    return table


def summarise_over_seeds(per_seed, *, columns: Sequence[str] | None = None, confidence=0.95):
    """Summarise per-repeat results as a mean with a t-interval, and how often each is > 0.

    Parameters
    ----------
    per_seed : pandas.DataFrame
        One row per repeat (:func:`gains_over_seeds`, :func:`curve_gains_over_seeds`).
    columns : sequence of str, optional
        Columns to summarise; default every numeric column but ``seed`` and ``n_*`` counts.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per column: ``n_seeds`` (non-NaN repeats), ``mean``, ``ci_low``, ``ci_high``,
        ``n_positive`` and ``n_negative`` (repeats with a value above / below 0).

    Raises
    ------
    ValueError
        If a column has fewer than 2 non-NaN values or `confidence` is outside (0, 1).

    Notes
    -----
    ``mean ± t(confidence, n-1) · sd / sqrt(n)`` (:func:`scipy.stats.t`), the interval for the
    mean of ``n`` repeats. The repeats share clips (a speaker is dev in some splits and
    training in others), so they are not fully independent and the interval is approximate:
    read it as "how much the result moves with the split", not as an exact coverage.

    Examples
    --------
    >>> import pandas as pd
    >>> s = summarise_over_seeds(pd.DataFrame({"seed": [0, 1, 2], "gain": [0.1, 0.2, 0.3]}))
    >>> s.round(3).loc["gain"].to_dict()
    {'n_seeds': 3.0, 'mean': 0.2, 'ci_low': -0.048, 'ci_high': 0.448, 'n_positive': 3.0, 'n_negative': 0.0}
    """
    import pandas as pd

    conf = check_float(
        confidence, "confidence", low=0, high=1, inclusive=(False, False),
        func="summarise_over_seeds",
    )  # fmt: skip
    if columns is None:
        columns = [
            c for c in per_seed.select_dtypes("number").columns
            if c != "seed" and not str(c).startswith("n_")
        ]  # fmt: skip
    rows = {}
    for col in columns:
        v = per_seed[col].dropna().to_numpy(dtype=float)
        if v.size < 2:
            raise ValueError(
                f"summarise_over_seeds needs at least 2 repeats of {col!r}. Got {v.size}. "
                "Run more seeds (n_seeds)."
            )
        mean, low, high = mean_t_interval(v, confidence=conf, func="summarise_over_seeds")
        rows[col] = {
            "n_seeds": v.size,
            "mean": mean,
            "ci_low": low,
            "ci_high": high,
            "n_positive": int(np.sum(v > 0)),
            "n_negative": int(np.sum(v < 0)),
        }
    return pd.DataFrame(rows).T.astype(float)


def seed_metrics(summary, *, decimals: int = 4) -> dict:
    """Return the metrics to record from a summary: ``<name>_mean``, ``_ci_low``, ``_ci_high``.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarise_over_seeds`.
    decimals : int, default=4
        Rounding of the recorded values.

    Returns
    -------
    dict of str to float
        Three entries per row of `summary`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"mean": [0.1], "ci_low": [0.0], "ci_high": [0.2]}, index=["gain"])
    >>> seed_metrics(s)
    {'gain_mean': 0.1, 'gain_ci_low': 0.0, 'gain_ci_high': 0.2}
    """
    return {
        f"{name}_{col}": round(float(row[col]), decimals)
        for name, row in summary.iterrows()
        for col in ("mean", "ci_low", "ci_high")
    }
