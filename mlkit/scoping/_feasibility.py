"""Feasibility: are the inputs predictive, and how far is a quick model from chance and HLP.

Serves the notebook sections "Feasibility 2: are the inputs predictive?" (mutual information
against a shuffled-label baseline) and the quick-and-dirty model measured on unseen speakers.
"""

from __future__ import annotations

import numpy as np

from mlkit._models import quick_model
from mlkit._validation import check_float, check_int, check_random_state, check_same_length

__all__ = [
    "mutual_information",
    "plot_mutual_information",
    "cross_validate_quick_model",
    "compare_with_hlp",
    "describe_speaker_leakage",
]


def mutual_information(
    X,
    y,
    *,
    feature_names=None,
    n_shuffles: int = 1,
    n_null_features: int | None = 20,
    random_state=0,
):
    """Estimate the mutual information between each feature and the label, with a null baseline.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Continuous features.
    y : array-like of shape (n_samples,)
        Class labels.
    feature_names : sequence of str, optional
        Column names; default ``x0``, ``x1``, ...
    n_shuffles : int, default=1
        Times the labels are shuffled to estimate the MI of a feature that carries no
        information (the estimator's bias). 0 skips it.
    n_null_features : int or None, default=20
        Compute the shuffled baseline only for this many features with the highest MI (the
        ones worth comparing; it halves the run time); None computes it for all.
    random_state : int or numpy.random.Generator, default=0
        Seed of the kNN estimator's jitter and of the shuffles.

    Returns
    -------
    pandas.DataFrame
        Index: feature names, sorted by decreasing ``mi_nats``; columns ``mi_nats`` (MI in
        nats) and ``mi_shuffled_nats`` (MI against shuffled labels; NaN when `n_shuffles` is 0
        and outside the `n_null_features` top features).

    Raises
    ------
    ValueError
        If `X` and `y` differ in length or the names do not match the columns.

    Notes
    -----
    Kraskov-style kNN estimator of :func:`sklearn.feature_selection.mutual_info_classif`
    (Ross 2014, "Mutual Information between Discrete and Continuous Data Sets"). A feature is
    predictive when its MI clearly exceeds the shuffled-label baseline.
    """
    import pandas as pd
    from sklearn.feature_selection import mutual_info_classif

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    check_same_length("mutual_information", X=X, y=y)
    if X.ndim != 2:
        raise ValueError(
            f"The 'X' parameter of mutual_information must be 2-D (n_samples, n_features). "
            f"Got shape {X.shape} instead."
        )
    n_shuffles = check_int(n_shuffles, "n_shuffles", min_value=0, func="mutual_information")
    names = [f"x{j}" for j in range(X.shape[1])] if feature_names is None else list(feature_names)
    if len(names) != X.shape[1]:
        raise ValueError(
            f"mutual_information got {len(names)} feature names for {X.shape[1]} columns. "
            "Pass one name per column."
        )
    if n_null_features is not None:
        n_null_features = check_int(
            n_null_features, "n_null_features", min_value=1, func="mutual_information"
        )
    rng = check_random_state(random_state)
    mi = mutual_info_classif(X, y, random_state=int(rng.integers(2**31 - 1)))
    null = np.full(X.shape[1], np.nan)
    cols = np.argsort(-mi, kind="stable")[:n_null_features]
    if n_shuffles:
        runs = [
            mutual_info_classif(
                X[:, cols], rng.permutation(y), random_state=int(rng.integers(2**31 - 1))
            )
            for _ in range(n_shuffles)
        ]
        null[cols] = np.mean(runs, axis=0)
    out = pd.DataFrame({"mi_nats": mi, "mi_shuffled_nats": null}, index=pd.Index(names))
    return out.sort_values("mi_nats", ascending=False)


def plot_mutual_information(mi, *, top: int = 12, ax=None):
    """Plot the `top` features by mutual information next to their shuffled-label baseline.

    Parameters
    ----------
    mi : pandas.DataFrame
        From :func:`mutual_information`.
    top : int, default=12
        Number of features shown.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    top = check_int(top, "top", min_value=1, func="plot_mutual_information")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.3 * min(top, len(mi)) + 1.0), layout="constrained")
    shown = mi.head(top).iloc[::-1]
    ax.barh(shown.index, shown["mi_nats"], label="MI with the label")
    ax.barh(shown.index, shown["mi_shuffled_nats"], color="grey", label="MI with shuffled labels")
    ax.set_xlabel("mutual information (nats)")
    ax.set_title(f"Top {len(shown)} of {len(mi)} features")
    ax.legend(loc="lower right", fontsize=8)
    return ax.figure


def cross_validate_quick_model(X, y, *, groups, n_folds: int = 5, random_state=0) -> dict:
    """Predict every sample out of fold with the quick model: unseen groups, seen groups, chance.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.
    groups : array-like of shape (n_samples,)
        Speaker (or other group) per sample: the main measurement never has a sample's group
        in training.
    n_folds : int, default=5
        Folds of both splits, >= 2; at most the number of distinct groups.
    random_state : int, default=0
        Seed of both fold splits and of :func:`quick_model`.

    Returns
    -------
    dict
        ``y_pred`` (ndarray of shape (n_samples,): speaker-grouped
        :class:`~sklearn.model_selection.StratifiedGroupKFold` predictions), ``y_pred_seen``
        (clip-level :class:`~sklearn.model_selection.StratifiedKFold`: the group's other
        samples are in training), ``y_pred_chance`` (always the most frequent class of the
        grouped training folds), and their accuracies ``accuracy``, ``seen_accuracy`` and
        ``chance_accuracy`` (floats in [0, 1]).

    Raises
    ------
    ValueError
        If `X`, `y` and `groups` differ in length, `n_folds` < 2, or a split cannot be made
        (fewer groups or class members than `n_folds`).

    See Also
    --------
    learning_curve_table : the same grouped folds at several training-set sizes.

    Notes
    -----
    The gap ``seen_accuracy - accuracy`` is what a random (clip-level) split would wrongly
    promise for new speakers: their other clips leak into training.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1], 30)
    >>> X = rng.normal(size=(60, 3)) + 3 * y[:, None]
    >>> out = cross_validate_quick_model(X, y, groups=np.repeat(np.arange(6), 10), n_folds=3)
    >>> out["accuracy"], out["chance_accuracy"]
    (1.0, 0.5)
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict

    func = "cross_validate_quick_model"
    check_same_length(func, X=X, y=y, groups=groups)
    n_folds = check_int(n_folds, "n_folds", min_value=2, func=func)
    grouped = StratifiedGroupKFold(n_folds, shuffle=True, random_state=random_state)
    folds = list(grouped.split(X, y, groups))
    clip_folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    y_pred = cross_val_predict(quick_model(random_state=random_state), X, y, cv=folds)
    y_pred_seen = cross_val_predict(quick_model(random_state=random_state), X, y, cv=clip_folds)
    y_chance = cross_val_predict(DummyClassifier(strategy="most_frequent"), X, y, cv=folds)
    y = np.asarray(y)
    return {
        "y_pred": y_pred,
        "y_pred_seen": y_pred_seen,
        "y_pred_chance": y_chance,
        "accuracy": float(np.mean(y_pred == y)),
        "seen_accuracy": float(np.mean(y_pred_seen == y)),
        "chance_accuracy": float(np.mean(y_chance == y)),
    }


def compare_with_hlp(by_group, hlp):
    """Put model accuracy per tag next to human-level accuracy, with the gap.

    Parameters
    ----------
    by_group : pandas.DataFrame
        Model accuracy per tag, from :func:`accuracy_by_group` (column ``accuracy``).
    hlp : pandas.DataFrame
        Human-level performance per tag, for example from :func:`mlkit.data.estimate_hlp`
        (column ``hlp_accuracy``; index: the same tags and ``"overall"``).

    Returns
    -------
    pandas.DataFrame
        `by_group` with ``hlp_accuracy`` and ``gap_to_hlp`` (model minus human accuracy;
        negative: room to improve) added, aligned on the index (NaN for a tag without HLP).

    Raises
    ------
    ValueError
        If a table lacks its accuracy column.

    Examples
    --------
    >>> import pandas as pd
    >>> model = pd.DataFrame({"accuracy": [0.6, 0.9]}, index=["noisy", "overall"])
    >>> people = pd.DataFrame({"hlp_accuracy": [0.7, 0.8]}, index=["noisy", "overall"])
    >>> compare_with_hlp(model, people)["gap_to_hlp"].round(2).tolist()
    [-0.1, 0.1]
    """
    for table, name, col in ((by_group, "by_group", "accuracy"), (hlp, "hlp", "hlp_accuracy")):
        if col not in getattr(table, "columns", ()):
            raise ValueError(
                f"The {name!r} parameter of compare_with_hlp must be a DataFrame with a "
                f"{col!r} column. Got {type(table).__name__} instead."
            )
    return by_group.assign(
        hlp_accuracy=hlp["hlp_accuracy"], gap_to_hlp=by_group["accuracy"] - hlp["hlp_accuracy"]
    )


def describe_speaker_leakage(accuracy: float, seen_accuracy: float, *, min_leak: float = 0.01):
    """Write, in markdown, what speaker leakage would add to the quick model's accuracy.

    Parameters
    ----------
    accuracy : float
        Accuracy on unseen speakers (``cross_validate_quick_model(...)["accuracy"]``), in [0, 1].
    seen_accuracy : float
        Accuracy with the speakers' other clips in training, in [0, 1].
    min_leak : float, default=0.01
        Difference (in accuracy, 0.01 = 1 point) above which a clip-level split is said to
        flatter the model.

    Returns
    -------
    str
        A markdown paragraph.

    Raises
    ------
    ValueError
        If an accuracy is outside [0, 1].

    Examples
    --------
    >>> describe_speaker_leakage(0.8, 0.9)[:60]
    'On speakers it has never heard, the quick model gets **80.0%'
    """
    func = "describe_speaker_leakage"
    accuracy = check_float(accuracy, "accuracy", low=0.0, high=1.0, func=func)
    seen_accuracy = check_float(seen_accuracy, "seen_accuracy", low=0.0, high=1.0, func=func)
    leak = seen_accuracy - accuracy
    return (
        f"On speakers it has never heard, the quick model gets **{accuracy:.1%}**; with the "
        f"same speakers' other clips in training it would seem to get {seen_accuracy:.1%} "
        f"({leak:+.1%}). "
        + (
            "A clip-level split would flatter it. "
            if leak > min_leak
            else "Speaker leakage barely matters here. "
        )
        + "Every number below (learning curve, data needed, business value, fairness) uses the "
        "unseen-speaker measurement."
    )
