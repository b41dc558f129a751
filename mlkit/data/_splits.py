"""Train/dev/test splits that keep one distribution, and speaker leakage (section 5)."""

from __future__ import annotations

import math

import numpy as np

from mlkit._models import labeling_model
from mlkit._validation import (
    check_float,
    check_int,
    check_one_of,
    check_random_state,
    check_same_length,
    check_tags,
)

__all__ = [
    "split_train_dev_test",
    "split_by_groups_or_clips",
    "class_share_table",
    "max_split_share_deviation",
    "leakage_gap",
    "split_view",
    "describe_leakage",
]

_SPLITS = ("train", "dev", "test")


def _strata(y, tags, rare_strata):
    """Return the stratification key per sample, merging or refusing rare strata."""
    import pandas as pd

    y_key = pd.Series(y).astype(str).to_numpy()
    if tags is None:
        return y_key
    key = np.char.add(np.char.add(y_key.astype(str), "|"), np.asarray(tags).astype(str))
    if rare_strata != "merge":
        return key
    counts = pd.Series(key).value_counts()
    rare = np.isin(key, counts[counts < len(_SPLITS)].index.to_numpy())
    key = np.where(rare, y_key, key)  # rare (label, tag) samples: stratify by label alone
    for label in np.unique(y_key[rare]):
        pooled = rare & (y_key == label)
        if pooled.sum() < len(_SPLITS):
            # Still too few: join the label's largest (label, tag) stratum instead.
            own = pd.Series(key[(y_key == label) & ~rare]).value_counts()
            if len(own):
                key = np.where(pooled, own.index[0], key)
    return key


def split_train_dev_test(
    y,
    *,
    dev_size: float = 0.2,
    test_size: float = 0.2,
    tags=None,
    groups=None,
    stratify: bool = True,
    rare_strata: str = "error",
    random_state=0,
) -> dict:
    """Split sample positions into train, dev and test sets that keep one distribution.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    dev_size, test_size : float, default=0.2
        Shares of the samples (of the groups, with `groups`) for dev and test, each in
        (0, 1), together below 1. Train gets the rest.
    tags : array-like of shape (n_samples,), optional
        Noise tag per sample: stratify by (label, tag) instead of label alone.
    groups : array-like of shape (n_samples,), optional
        Speaker (or other group) per sample: no group lands in two splits.
        Grouped splits are not stratified; check them with :func:`class_share_table`.
    stratify : bool, default=True
        Keep each label's (and tag's) share the same in every split. ``False``: a plain
        random split.
    rare_strata : {"error", "merge"}, default="error"
        What to do when a (label, tag) stratum has fewer than 3 members (one per split):
        raise, or fall back to stratifying those samples by label alone (documented
        fallback). A *label* with fewer than 3 members always raises.
    random_state : int or None, default=0
        Seeds the split.

    Returns
    -------
    dict of str to ndarray of int
        ``{"train": positions, "dev": positions, "test": positions}``, sorted, disjoint,
        together every position once.

    Raises
    ------
    ValueError
        If a share is out of range, the lengths differ, a label has fewer members than
        splits (the message names it and its count), a split would be too small to hold
        every class, or `groups` has fewer than 3 distinct values.

    Notes
    -----
    Two calls to :func:`sklearn.model_selection.train_test_split` (stratified), or to
    :class:`sklearn.model_selection.GroupShuffleSplit` with `groups`: test first, then dev
    out of the rest.

    Examples
    --------
    >>> s = split_train_dev_test(np.repeat(np.arange(3), 10), random_state=0)
    >>> {k: len(v) for k, v in s.items()}
    {'train': 18, 'dev': 6, 'test': 6}
    """
    import pandas as pd
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    func = "split_train_dev_test"
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"The 'y' parameter of {func} must be a non-empty 1-D array. Got shape {y.shape}."
        )
    n = y.size
    dev = check_float(dev_size, "dev_size", low=0.0, high=1.0, inclusive=(False, False), func=func)
    test = check_float(
        test_size, "test_size", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    if dev + test >= 1.0:
        raise ValueError(
            f"The 'dev_size' and 'test_size' parameters of {func} must sum to less than 1 so "
            f"that train keeps some samples. Got {dev} + {test} = {dev + test:g} instead."
        )
    check_one_of(rare_strata, "rare_strata", {"error", "merge"}, func=func)
    tags = check_tags(tags, n, func)
    seed = (
        random_state
        if random_state is None
        else int(check_random_state(random_state).integers(2**31 - 1))
    )
    rest_dev = dev / (1.0 - test)
    positions = np.arange(n)

    if groups is not None:
        groups = np.asarray(groups)
        check_same_length(func, y=y, groups=groups)
        n_groups = np.unique(groups).size
        if n_groups < len(_SPLITS):
            raise ValueError(
                f"A grouped split by {func} needs at least {len(_SPLITS)} distinct groups "
                f"(one per split). Got {n_groups}. Collect more speakers, or split without groups."
            )
        gss = GroupShuffleSplit(n_splits=1, test_size=test, random_state=seed)
        rest, te = next(gss.split(positions, groups=groups))
        if np.unique(groups[rest]).size < 2:
            rest, te = _move_group(rest, te, groups)
        gss = GroupShuffleSplit(n_splits=1, test_size=rest_dev, random_state=seed)
        tr, dv = next(gss.split(rest, groups=groups[rest]))
        out = {"train": rest[tr], "dev": rest[dv], "test": te}
        return {k: np.sort(v) for k, v in out.items()}

    key = None
    if stratify:
        counts = pd.Series(y).value_counts().sort_index()
        small = counts[counts < len(_SPLITS)]
        if len(small):
            label, count = _py(small.index[0]), int(small.iloc[0])
            raise ValueError(
                f"Class {label!r} has {count} member{'s' if count != 1 else ''}, fewer than the "
                f"{len(_SPLITS)} splits (train, dev, test) of a stratified split. Collect more "
                "examples of it, merge or drop the class, or pass stratify=False."
            )
        key = _strata(y, tags, rare_strata)
        key_counts = pd.Series(key).value_counts()
        small = key_counts[key_counts < len(_SPLITS)]
        if len(small):
            stratum, count = str(small.index[0]), int(small.iloc[0])
            raise ValueError(
                f"Stratum (label|tag) {stratum!r} has {count} member{'s' if count != 1 else ''}, "
                f"fewer than the {len(_SPLITS)} splits. Pass rare_strata='merge' to stratify "
                "such samples by label alone, or leave out tags."
            )
        n_strata = key_counts.size
        n_test = math.ceil(test * n)
        n_dev = math.ceil(rest_dev * (n - n_test))
        for name, size, pool in (("test", n_test, n), ("dev", n_dev, n - n_test)):
            if size < n_strata or pool - size < n_strata:
                raise ValueError(
                    f"A stratified {name} split of {size} out of {pool} samples cannot hold all "
                    f"{n_strata} strata on both sides. Use more data, larger shares, fewer strata "
                    "(leave out tags), or pass stratify=False."
                )
    rest, te = train_test_split(positions, test_size=test, stratify=key, random_state=seed)
    tr, dv = train_test_split(
        rest, test_size=rest_dev, stratify=None if key is None else key[rest], random_state=seed
    )
    return {"train": np.sort(tr), "dev": np.sort(dv), "test": np.sort(te)}


def _py(value):
    """Return a numpy scalar as the Python scalar it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _move_group(rest, te, groups):
    """Move one test group back so the rest keeps at least two groups (tiny group counts)."""
    g = groups[te][0]
    moved = te[groups[te] == g]
    return np.concatenate([rest, moved]), te[groups[te] != g]


def class_share_table(y, splits: dict):
    """Tabulate each class's share of every split next to its share of all data.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (or any categorical column, such as noise tags).
    splits : dict of str to array-like of int
        Positions per split, as from :func:`split_train_dev_test`.

    Returns
    -------
    pandas.DataFrame
        Index: the classes; columns ``all`` and one per split (shares in [0, 1], each column
        sums to 1), then ``max_abs_deviation`` (the largest ``|split share - all share|``).

    Raises
    ------
    ValueError
        If a position is out of range.

    Examples
    --------
    >>> class_share_table([0, 0, 1, 1], {"train": [0, 2], "test": [1, 3]})["train"].tolist()
    [0.5, 0.5]
    """
    import pandas as pd

    y = pd.Series(np.asarray(y))
    cols = {"all": y.value_counts(normalize=True)}
    for name, idx in splits.items():
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(y)):
            raise ValueError(
                f"Split {name!r} of class_share_table must hold positions in [0, {len(y)}). "
                f"Got positions {idx.min()}..{idx.max()}, outside that range. Pass splits "
                "made for this same y, as from split_train_dev_test(y)."
            )
        cols[name] = y.iloc[idx].value_counts(normalize=True)
    table = pd.DataFrame(cols).fillna(0.0).sort_index()
    table.index.name = "class"
    split_cols = [c for c in table.columns if c != "all"]
    table["max_abs_deviation"] = table[split_cols].sub(table["all"], axis=0).abs().max(axis=1)
    return table


def max_split_share_deviation(y, splits: dict) -> float:
    """Return the largest gap between a class's share in a split and in all data (a fraction).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (or any categorical column, such as noise tags).
    splits : dict of str to array-like of int
        Positions per split, as from :func:`split_train_dev_test`.

    Returns
    -------
    float
        ``max over classes and splits of |share in split - share in all data|``, in [0, 1];
        0 when every split has exactly the class shares of the whole data.

    Raises
    ------
    ValueError
        If a split holds a position outside ``[0, n_samples)``.

    See Also
    --------
    class_share_table : the per-class table this maximum is taken from.

    Examples
    --------
    >>> y = np.repeat([0, 1], 10)
    >>> max_split_share_deviation(y, {"a": np.arange(0, 20, 2), "b": np.arange(1, 20, 2)})
    0.0
    """
    return float(class_share_table(y, splits)["max_abs_deviation"].max())


def split_by_groups_or_clips(y, *, groups, random_state=0, **kwargs) -> tuple[dict, str]:
    """Split by group (speaker) when there are enough groups, else by clip, and say which.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,)
        Speaker (or other group) per sample.
    random_state : int or numpy.random.Generator, default=0
        Seed of the split.
    **kwargs
        Passed on to :func:`split_train_dev_test` (``dev_size``, ``test_size``, ``tags``, ...).

    Returns
    -------
    split : dict of str to ndarray
        As :func:`split_train_dev_test`: positions of ``train``, ``dev`` and ``test``.
    note : str
        ``""`` for a speaker-grouped split; otherwise one sentence saying the split is
        clip-level (the fallback) and why, for the notebook to print.

    Raises
    ------
    ValueError
        As :func:`split_train_dev_test`.

    Notes
    -----
    A grouped split needs one group per split (3). With fewer speakers the fallback is a
    clip-level split: a speaker's clips on both sides, so dev and test accuracy flatter the
    model on new speakers.

    Examples
    --------
    >>> split, note = split_by_groups_or_clips([0, 1] * 10, groups=["a", "b"] * 10)
    >>> note.split(":")[0]
    'Only 2 speakers, fewer than the 3 a speaker-grouped split needs'
    """
    g = np.asarray(groups)
    check_same_length("split_by_groups_or_clips", y=y, groups=g)
    n_groups = np.unique(g).size
    if n_groups >= len(_SPLITS):
        split = split_train_dev_test(y, groups=g, random_state=random_state, **kwargs)
        return split, ""
    split = split_train_dev_test(y, random_state=random_state, **kwargs)
    note = (
        f"Only {n_groups} speakers, fewer than the {len(_SPLITS)} a speaker-grouped split "
        "needs: this split is clip-level (fallback), so a speaker's clips are on both sides "
        "and dev and test accuracy flatter the model on new speakers."
    )
    return split, note


def leakage_gap(X, y, *, groups, estimator=None, n_splits: int = 4, random_state=0) -> dict:
    """Measure how much a random split flatters a model compared with a speaker-grouped one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,)
        Speaker per sample.
    estimator : scikit-learn estimator, optional
        Default ``StandardScaler`` + ``LogisticRegression``.
    n_splits : int, default=4
        Folds of both cross-validations (at most the number of speakers for the grouped one).
    random_state : int or None, default=0
        Seeds the random folds.

    Returns
    -------
    dict
        ``random_split_accuracy`` (stratified k-fold, a speaker's clips in train and test),
        ``grouped_split_accuracy`` (group k-fold: test speakers never seen in training),
        ``leakage_gap`` (their difference), ``n_splits``, and the out-of-fold predictions
        ``y_pred_random`` and ``y_pred_grouped`` (ndarray of shape (n_samples,)).

    Raises
    ------
    ValueError
        If the lengths differ or there are fewer than 2 speakers.
    """
    from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

    func = "leakage_gap"
    X = np.asarray(X)
    y = np.asarray(y)
    groups = np.asarray(groups)
    check_same_length(func, X=X, y=y, groups=groups)
    n_groups = np.unique(groups).size
    if n_groups < 2:
        raise ValueError(f"{func} needs at least 2 speakers in 'groups'. Got {n_groups}.")
    k = min(check_int(n_splits, "n_splits", min_value=2, func=func), n_groups)
    est = estimator if estimator is not None else labeling_model()
    seed = (
        random_state
        if random_state is None
        else int(check_random_state(random_state).integers(2**31 - 1))
    )
    rand_cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    y_rand = cross_val_predict(est, X, y, cv=rand_cv)
    y_group = cross_val_predict(est, X, y, cv=GroupKFold(n_splits=k), groups=groups)
    acc_r = float((y_rand == y).mean())
    acc_g = float((y_group == y).mean())
    return {
        "random_split_accuracy": acc_r,
        "grouped_split_accuracy": acc_g,
        "leakage_gap": acc_r - acc_g,
        "n_splits": k,
        "y_pred_random": y_rand,
        "y_pred_grouped": y_group,
    }


def split_view(
    y,
    *,
    tags=None,
    dev_size: float = 0.2,
    test_size: float = 0.2,
    stratify: bool = True,
    random_state=0,
):
    """Split, then summarise split sizes and per-class shares (the notebook's split panel).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    tags : array-like of shape (n_samples,), optional
        Noise tag per sample, used for stratification only when `stratify` is True (rare
        (label, tag) strata are merged by label).
    dev_size, test_size : float, default=0.2
        Shares of the samples for dev and test, as in :func:`split_train_dev_test`.
    stratify : bool, default=True
        Stratify by label (and tag); ``False``: a plain random split.
    random_state : int or None, default=0
        Seeds the split.

    Returns
    -------
    text : str
        Markdown: the split sizes and the largest class-share deviation (%).
    table : pandas.io.formats.style.Styler
        :func:`class_share_table` with the deviation column shaded.

    Raises
    ------
    ValueError
        As :func:`split_train_dev_test`.

    Examples
    --------
    >>> text, _ = split_view(np.repeat(np.arange(3), 10))
    >>> text
    'train 18, dev 6, test 6 · max share deviation **0.00%**'
    """
    s = split_train_dev_test(
        y,
        dev_size=dev_size,
        test_size=test_size,
        stratify=stratify,
        tags=tags if stratify else None,
        rare_strata="merge",
        random_state=random_state,
    )
    table = class_share_table(y, s)
    sizes = ", ".join(f"{k} {len(v)}" for k, v in s.items())
    return (
        f"{sizes} · max share deviation **{table.max_abs_deviation.max():.2%}**",
        table.style.format("{:.1%}").background_gradient(
            subset=["max_abs_deviation"], cmap="Reds", vmin=0, vmax=0.05
        ),
    )


def describe_leakage(leak: dict) -> str:
    """Summarise :func:`leakage_gap` in one line: random vs speaker-grouped accuracy and the gap.

    Parameters
    ----------
    leak : dict
        As from :func:`leakage_gap`.

    Returns
    -------
    str
        ``"4-fold cross-validation accuracy: random folds 91.9%, speaker-grouped folds 83.1%,
        leakage gap +8.7%"``.

    Raises
    ------
    KeyError
        If a key of :func:`leakage_gap` is missing.

    Examples
    --------
    >>> describe_leakage({"n_splits": 2, "random_split_accuracy": 0.9,
    ...                   "grouped_split_accuracy": 0.8, "leakage_gap": 0.1})
    '2-fold cross-validation accuracy: random folds 90.0%, speaker-grouped folds 80.0%, leakage gap +10.0%'
    """
    return (
        f"{leak['n_splits']}-fold cross-validation accuracy: random folds "
        f"{leak['random_split_accuracy']:.1%}, speaker-grouped folds "
        f"{leak['grouped_split_accuracy']:.1%}, leakage gap {leak['leakage_gap']:+.1%}"
    )
