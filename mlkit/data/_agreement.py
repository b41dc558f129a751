"""Agreement between labelers: accuracy, Cohen's and Fleiss' kappa, disagreement (section 2).

A team cannot see the truth; what it can measure is how often its labelers agree, corrected
for the agreement chance alone would give, and which clips they dispute most.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations

import numpy as np

from mlkit._validation import check_float, check_int, check_same_length, check_tags
from mlkit.data._checks import _check_label_matrix, _tag_order
from mlkit.data._labelers import UNINTELLIGIBLE, consensus_labels

__all__ = [
    "labeler_accuracy",
    "agreement_matrix",
    "cohen_kappa_matrix",
    "fleiss_kappa",
    "disagreement_by_clip",
    "relabel_candidates",
    "describe_disagreement",
    "disputed_share_by_tag",
    "describe_kappa_matrix",
    "plot_kappa_matrix",
]

DISPUTED_DISSENT = 0.4
"""Share of dissenting labelers above which a clip counts as disputed (notebook 02)."""


def labeler_accuracy(labels, y_true, *, tags=None, names=None):
    """Return each labeler's accuracy against the ground truth, overall and per tag.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix.
    y_true : array-like of shape (n_samples,)
        Ground truth (what a real team cannot see).
    tags : array-like of shape (n_samples,), optional
        Adds one column per tag.
    names : list of str, optional
        Row names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame
        One row per labeler; column ``overall`` then one column per tag (fractions).

    Raises
    ------
    ValueError
        If the lengths differ or `labels` is not a labels matrix.
    """
    import pandas as pd

    arr = _check_label_matrix(labels, "labeler_accuracy", min_labelers=1)
    y = np.asarray(y_true)
    check_same_length("labeler_accuracy", labels=arr[0], y_true=y)
    tags = check_tags(tags, y.size, "labeler_accuracy")
    correct = arr == y[None, :]
    out = {"overall": correct.mean(axis=1)}
    if tags is not None:
        for t in _tag_order(tags):
            out[t] = correct[:, tags == t].mean(axis=1)
    index = names or [f"labeler {i}" for i in range(arr.shape[0])]
    return pd.DataFrame(out, index=pd.Index(index, name="labeler"))


def agreement_matrix(labels, *, names=None):
    """Return the share of clips on which each pair of labelers gave the same label.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    names : list of str, optional
        Row and column names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame of shape (n_labelers, n_labelers)
        Raw agreement in [0, 1]; 1 on the diagonal.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Examples
    --------
    >>> agreement_matrix([[1, 2, 3, 4], [1, 2, 3, 5]]).loc["labeler 0", "labeler 1"]
    np.float64(0.75)
    """
    import pandas as pd

    arr = _check_label_matrix(labels, "agreement_matrix")
    agree = (arr[:, None, :] == arr[None, :, :]).mean(axis=2)
    index = names or [f"labeler {i}" for i in range(arr.shape[0])]
    return pd.DataFrame(agree, index=index, columns=index)


def _cohen_kappa(a, b) -> float:
    from sklearn.metrics import cohen_kappa_score

    if np.array_equal(a, b):
        return 1.0  # also when both are constant, where chance agreement is 1 and kappa 0/0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b))


def cohen_kappa_matrix(labels, *, names=None):
    """Return Cohen's kappa for every pair of labelers.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers. Any hashable labels.
    names : list of str, optional
        Row and column names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame of shape (n_labelers, n_labelers)
        Symmetric, values in [-1, 1], 1 on the diagonal.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Notes
    -----
    Cohen (1960), ``kappa = (p_o - p_e) / (1 - p_e)``, computed with
    :func:`sklearn.metrics.cohen_kappa_score`. Two identical label vectors get 1, including
    the degenerate case where both are constant (sklearn returns NaN there).

    Examples
    --------
    >>> cohen_kappa_matrix([[0, 1, 2, 1], [0, 1, 2, 1]]).iloc[0, 1]
    np.float64(1.0)
    """
    import pandas as pd

    arr = _check_label_matrix(labels, "cohen_kappa_matrix")
    n = arr.shape[0]
    out = np.eye(n)
    for i, j in combinations(range(n), 2):
        out[i, j] = out[j, i] = _cohen_kappa(arr[i], arr[j])
    index = names or [f"labeler {i}" for i in range(n)]
    return pd.DataFrame(out, index=index, columns=index)


def _fleiss_from_counts(counts) -> float:
    counts = np.asarray(counts, dtype=np.float64)
    n_raters = counts.sum(axis=1)
    if not np.allclose(n_raters, n_raters[0]):
        raise ValueError(
            "Fleiss' kappa needs the same number of ratings for every subject. Got between "
            f"{n_raters.min():g} and {n_raters.max():g} ratings per subject. Have every labeler "
            "label every clip (write UNINTELLIGIBLE instead of leaving a clip out), or drop the "
            "clips some labelers skipped."
        )
    m = n_raters[0]
    p_i = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(axis=0) / counts.sum()
    p_e = float((p_j**2).sum())
    if math.isclose(p_e, 1.0):
        return 1.0  # everyone used one category: perfect (if trivial) agreement
    return float((p_bar - p_e) / (1.0 - p_e))


def fleiss_kappa(labels) -> float:
    """Return Fleiss' kappa: chance-corrected agreement among any number of labelers.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers, every clip labelled by every labeler.
        Any hashable labels (digits, ``UNINTELLIGIBLE``, strings).

    Returns
    -------
    float
        ``(P_bar - P_e) / (1 - P_e)``: 1 for perfect agreement, 0 for chance level,
        negative below chance (never below ``-1 / (n_labelers - 1)``).

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Notes
    -----
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5), 378-382, equations (2), (5), (6) and (9):
    ``P_i = (sum_j n_ij^2 - m) / (m (m - 1))`` per clip with `m` labelers,
    ``p_j`` the share of all labels in category `j`, ``P_e = sum_j p_j^2``.
    When every label is the same category (``P_e = 1``) the formula is 0/0; this function
    returns 1.0, as the agreement is perfect.

    Examples
    --------
    >>> round(fleiss_kappa([[1, 2, 3, 1], [1, 2, 3, 2], [1, 2, 3, 1]]), 3)
    0.745
    """
    arr = _check_label_matrix(labels, "fleiss_kappa")
    _, codes = np.unique(arr, return_inverse=True)
    codes = codes.reshape(arr.shape)
    k = int(codes.max()) + 1
    n = arr.shape[1]
    flat = (np.arange(n)[None, :] * k + codes).ravel()
    counts = np.bincount(flat, minlength=n * k).reshape(n, k)
    return _fleiss_from_counts(counts)


def disagreement_by_clip(labels, *, y_true=None):
    """Describe, clip by clip, how much the labelers disagree.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    y_true : array-like of shape (n_samples,), optional
        Adds a ``consensus_correct`` column.

    Returns
    -------
    pandas.DataFrame of shape (n_samples, ...)
        ``labels`` (the labels as text), ``consensus`` (:func:`consensus_labels`),
        ``consensus_share`` (share of labelers who gave the most frequent label),
        ``n_distinct`` (distinct labels), ``disagreement`` (``1 - consensus_share``) and
        ``n_unintelligible``.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix or the lengths differ.
    """
    import pandas as pd

    arr = _check_label_matrix(labels, "disagreement_by_clip")
    m, n = arr.shape
    srt = np.sort(arr, axis=0)
    n_distinct = 1 + (np.diff(srt, axis=0) != 0).sum(axis=0)
    max_votes = np.max([(arr == arr[i][None, :]).sum(axis=0) for i in range(m)], axis=0)
    out = pd.DataFrame(
        {
            "labels": [" ".join(str(v) for v in col) for col in arr.T],
            "consensus": consensus_labels(arr),
            "consensus_share": max_votes / m,
            "n_distinct": n_distinct,
            "disagreement": 1.0 - max_votes / m,
            "n_unintelligible": (arr == UNINTELLIGIBLE).sum(axis=0),
        }
    )
    if y_true is not None:
        y = np.asarray(y_true)
        check_same_length("disagreement_by_clip", labels=arr[0], y_true=y)
        out["consensus_correct"] = out["consensus"].to_numpy() == y
    return out


def relabel_candidates(labels, *, metadata=None, n_candidates: int = 10):
    """List the clips that most need a second look, most disputed first.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    metadata : pandas.DataFrame of shape (n_samples, n_columns), optional
        Per-clip metadata (for example ``SpeechData.metadata``) joined on position.
    n_candidates : int, default=10
        At most this many clips, only clips with some disagreement.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`disagreement_by_clip` sorted by ``disagreement`` then ``n_distinct``
        (both descending, ties by position), with the metadata columns ``clip_id``,
        ``condition``, ``snr_db`` when present. The index is the clip position.

    Raises
    ------
    ValueError
        If the lengths differ or `n_candidates` < 1.
    """
    arr = _check_label_matrix(labels, "relabel_candidates")
    k = check_int(n_candidates, "n_candidates", min_value=1, func="relabel_candidates")
    table = disagreement_by_clip(arr)
    if metadata is not None:
        check_same_length("relabel_candidates", labels=arr[0], metadata=metadata)
        cols = [c for c in ("clip_id", "condition", "snr_db") if c in metadata.columns]
        table = metadata[cols].reset_index(drop=True).join(table)
    table = table[table["disagreement"] > 0]
    table = table.sort_values(["disagreement", "n_distinct"], ascending=False, kind="stable")
    return table.head(k)


def describe_disagreement(per_clip) -> str:
    """Summarise per-clip disagreement in one line: any dissent, and how often consensus is right.

    Parameters
    ----------
    per_clip : pandas.DataFrame of shape (n_samples, ...)
        As from :func:`disagreement_by_clip` called with `y_true` (it needs the
        ``disagreement`` and ``consensus_correct`` columns).

    Returns
    -------
    str
        ``"clips with any disagreement: 50.4%; consensus label correct: 96.9%"``.

    Raises
    ------
    ValueError
        If `per_clip` lacks the ``disagreement`` or ``consensus_correct`` column.

    Examples
    --------
    >>> per_clip = disagreement_by_clip([[1, 2, 3, 4], [1, 2, 3, 5]], y_true=[1, 2, 3, 4])
    >>> describe_disagreement(per_clip)
    'clips with any disagreement: 25.0%; consensus label correct: 75.0%'
    """
    missing = {"disagreement", "consensus_correct"} - set(per_clip.columns)
    if missing:
        raise ValueError(
            "describe_disagreement needs the table of disagreement_by_clip(labels, y_true=...). "
            f"Got one without the columns {sorted(missing)}. Pass y_true to disagreement_by_clip."
        )
    return (
        f"clips with any disagreement: {(per_clip.disagreement > 0).mean():.1%}; "
        f"consensus label correct: {per_clip.consensus_correct.mean():.1%}"
    )


def disputed_share_by_tag(per_clip, *, tags, threshold: float = DISPUTED_DISSENT):
    """Tabulate, per noise tag, the share of clips that are unanimous, lightly or hard disputed.

    Parameters
    ----------
    per_clip : pandas.DataFrame of shape (n_samples, ...)
        As from :func:`disagreement_by_clip` (it needs the ``disagreement`` column).
    tags : array-like of shape (n_samples,)
        Noise-condition tag per clip.
    threshold : float, default=0.4
        A clip is disputed when more than this share of labelers, in [0, 1], dissent from
        its most frequent label.

    Returns
    -------
    pandas.DataFrame
        Index ``tag`` (the tags, sorted); always the three columns ``"unanimous"``,
        ``"some dissent (<=40%)"`` and ``"disputed (>40% dissent)"`` (the threshold as a
        percentage), shares per row summing to 1; the last two together are the share of
        clips with any disagreement.

    Raises
    ------
    ValueError
        If the lengths differ or `threshold` is outside [0, 1].

    Examples
    --------
    >>> per_clip = disagreement_by_clip([[1, 2, 3, 4], [1, 2, 3, 5]])
    >>> disputed_share_by_tag(per_clip, tags=["clean"] * 2 + ["car_noise"] * 2).to_dict("list")
    {'unanimous': [0.5, 1.0], 'some dissent (<=40%)': [0.0, 0.0], 'disputed (>40% dissent)': [0.5, 0.0]}
    """
    import pandas as pd

    t = check_float(threshold, "threshold", low=0.0, high=1.0, func="disputed_share_by_tag")
    tags = np.asarray(tags)
    check_same_length("disputed_share_by_tag", per_clip=per_clip, tags=tags)
    dissent = per_clip["disagreement"].to_numpy(dtype=float)
    columns = ["unanimous", f"some dissent (<={t:.0%})", f"disputed (>{t:.0%} dissent)"]
    kind = np.where(dissent > t, columns[2], np.where(dissent > 0, columns[1], columns[0]))
    table = pd.crosstab(pd.Series(tags, name="tag"), pd.Series(kind), normalize="index")
    table = table.reindex(columns=columns, fill_value=0.0).astype(float)
    table.columns.name = None
    return table


def describe_kappa_matrix(kappa) -> str:
    """Say in markdown which labeler agrees least with the others, from the kappa matrix.

    Parameters
    ----------
    kappa : pandas.DataFrame of shape (n_labelers, n_labelers)
        As from :func:`cohen_kappa_matrix` (at least 3 labelers).

    Returns
    -------
    str
        One sentence naming the labeler with the lowest mean kappa with the others, and
        whether that kappa is the lowest of every pair it is in.

    Raises
    ------
    ValueError
        If there are fewer than 3 labelers.

    Examples
    --------
    >>> k = cohen_kappa_matrix([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 5]], names=["a", "b", "c"])
    >>> describe_kappa_matrix(k)[:40]
    '`c` has the lowest kappa with every othe'
    """
    values = kappa.to_numpy(dtype=float)
    n = values.shape[0]
    if n < 3:
        raise ValueError(f"describe_kappa_matrix needs at least 3 labelers. Got {n}.")
    off = ~np.eye(n, dtype=bool)
    means = np.array([values[i, off[i]].mean() for i in range(n)])
    worst = int(np.argmin(means))
    names = [str(x) for x in kappa.index]
    others = [j for j in range(n) if j != worst]
    # lowest with everyone: for each other labeler j, worst is j's least-agreeing partner
    lowest_everywhere = all(
        values[j, worst] <= min(values[j, k] for k in others if k != j) for j in others
    )
    rest = np.delete(means, worst)
    low, high = values[worst, others].min(), values[worst, others].max()
    pair = f"kappa {low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"kappa {low:.2f} to {high:.2f}"
    if lowest_everywhere:
        head = f"`{names[worst]}` has the lowest kappa with every other labeler ({pair})"
    else:
        head = (
            f"`{names[worst]}` has the lowest mean kappa with the others ({pair}), though "
            "not the lowest with every one of them"
        )
    return (
        f"{head}; the others average {rest.min():.2f} to {rest.max():.2f} with their "
        f"colleagues, against {means[worst]:.2f} for `{names[worst]}`. Low kappa with everyone "
        "is how a team spots a careless labeler without knowing the truth."
    )


def plot_kappa_matrix(kappa, *, ax=None, title: str | None = "Cohen's kappa between labelers"):
    """Draw a kappa (or agreement) matrix as an annotated heatmap.

    Parameters
    ----------
    kappa : pandas.DataFrame of shape (n_labelers, n_labelers)
        As from :func:`cohen_kappa_matrix`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    values = kappa.to_numpy(dtype=float)
    im = ax.imshow(values, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(len(kappa.columns)), kappa.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(kappa.index)), kappa.index)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(
                j,
                i,
                f"{values[i, j]:.2f}",
                ha="center",
                va="center",
                color="w" if values[i, j] < 0.6 else "k",
            )
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    return ax
