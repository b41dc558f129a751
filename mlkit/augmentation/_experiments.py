"""Experiments: per-tag accuracy, targeted vs unrealistic, learning curves by model size.

Notebook 04, sections "Data, split by speaker", "Targeted vs unrealistic augmentation" and
"More data vs model size". Models come from :func:`mlkit._models.model_of_size`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mlkit._models import model_of_size
from mlkit._stats import accuracy_by_group
from mlkit._validation import check_int, check_one_of

__all__ = [
    "SIZES",
    "split_table",
    "accuracy_by_tag",
    "compare_augmentations",
    "augmentation_learning_curves",
    "curve_gains",
]


def _one_blas_thread():
    """Limit BLAS/OpenMP to one thread while fitting many small models.

    The small model's lbfgs spends most of its time in thread hand-offs on tiny matrices:
    one thread fits it about 5x faster (0.16 s instead of 0.9 s on 540 clips, 2 cores).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


SIZES = ("small", "large")
"""Model sizes: ``small`` is :func:`mlkit.modeling.make_model` ``("quick_and_dirty")``, logistic
regression on the 13 MFCC means (high bias); ``large`` is ``make_model("svm")``, an RBF SVM on
all 144 MFCC features (low bias)."""


def split_table(metadata, *, dev_speakers):
    """Count clips per split (dev or train) and condition, with totals.

    Parameters
    ----------
    metadata : pandas.DataFrame of shape (n_clips, n_columns)
        Clip metadata with columns ``speaker`` and ``condition`` (``SpeechData.metadata``).
    dev_speakers : array-like of str
        Speakers held out for dev; every other speaker's clips count as train.

    Returns
    -------
    pandas.DataFrame
        Rows ``dev``, ``train`` and ``All`` (index named ``speaker``), columns the conditions
        and ``All`` (named ``condition``); values are clip counts.

    Examples
    --------
    >>> import pandas as pd
    >>> meta = pd.DataFrame({"speaker": ["a", "a", "b"], "condition": ["clean", "car", "clean"]})
    >>> split_table(meta, dev_speakers=["b"]).loc["dev"].to_dict()
    {'car': 0, 'clean': 1, 'All': 1}
    """
    import pandas as pd

    split = metadata["speaker"].isin(dev_speakers).map({True: "dev", False: "train"})
    return pd.crosstab(split, metadata["condition"], margins=True)


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
    with _one_blas_thread():
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
            with _one_blas_thread():
                model = model_of_size(size, random_state=random_state).fit(X, y)
                y_pred = model.predict(X_dev)
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


def curve_gains(curves):
    """Return each model size's overall dev-accuracy change from the first to the last factor.

    Parameters
    ----------
    curves : pandas.DataFrame
        As returned by :func:`augmentation_learning_curves` (columns ``size``,
        ``augment_factor`` and ``accuracy``).

    Returns
    -------
    pandas.Series
        Index: the model sizes; values: accuracy at the largest augmentation factor minus
        accuracy at the smallest, in [-1, 1] (the number :func:`describe_curves` reports as
        "overall").

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"size": ["small", "small", "large", "large"],
    ...                   "augment_factor": [0, 2, 0, 2], "accuracy": [0.5, 0.75, 0.5, 0.5]})
    >>> curve_gains(c).to_dict()
    {'large': 0.0, 'small': 0.25}
    """
    wide = curves.pivot(index="augment_factor", columns="size", values="accuracy")
    return wide.iloc[-1] - wide.iloc[0]
