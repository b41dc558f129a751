"""Slices: a metric per group with support and bootstrap intervals, recall per class.

Serves the "Important slices" section of 03_modeling (and the size-group slices of the
rare-class track).
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_random_state, check_tags
from mlkit.modeling._checks import _check_binary, _check_label_pair

_SLICE_METRICS = ("accuracy", "recall", "precision")
# the label of the whole-data row of slice_metrics; a real slice may not use it
_OVERALL = "overall"


def _metric_fn(metric):
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    return {
        "accuracy": accuracy_score,
        # a slice without positives (recall) or positive predictions (precision) has no
        # value: NaN, shown as undefined, never 0
        "recall": lambda a, b: recall_score(a, b, zero_division=np.nan),
        "precision": lambda a, b: precision_score(a, b, zero_division=np.nan),
    }[metric]


def _boot_metric(metric, yt, yp, idx):
    """Vectorised metric over bootstrap index rows `idx` of shape (n_boot, n)."""
    t, p = yt[idx], yp[idx]
    if metric == "accuracy":
        return (t == p).mean(axis=1)
    tp = ((t == 1) & (p == 1)).sum(axis=1)
    denom = (t == 1).sum(axis=1) if metric == "recall" else (p == 1).sum(axis=1)
    # a resample without positives (recall) or positive predictions (precision) has no value
    return np.where(denom > 0, tp / np.maximum(denom, 1), np.nan)


def _exact_interval(metric, yt, yp, conf):
    """Clopper-Pearson interval of recall (tp of positives) or precision (tp of alarms)."""
    from scipy.stats import binomtest

    tp = int(((yt == 1) & (yp == 1)).sum())
    n = int((yt == 1).sum() if metric == "recall" else (yp == 1).sum())
    if n == 0:  # no positives (recall) or no alarms (precision): undefined
        return np.nan, np.nan
    ci = binomtest(tp, n).proportion_ci(confidence_level=conf, method="exact")
    return float(ci.low), float(ci.high)


def slice_metrics(
    y_true,
    y_pred,
    groups,
    *,
    metric: str = "accuracy",
    n_boot: int = 200,
    confidence: float = 0.95,
    flag_gap: float = 0.05,
    min_support: int = 10,
    random_state=0,
):
    """Compute a metric per slice with fairlearn's MetricFrame, support and bootstrap CIs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Labels and predictions. For ``recall``/``precision`` they must be 0/1.
    groups : array-like or pandas.Series of shape (n_samples,)
        Slice of each sample (speaker, gender, condition, size_group, ...).
    metric : {"accuracy", "recall", "precision"}, default="accuracy"
        ``recall``/``precision`` of the positive class. A slice without positives (recall)
        or without positive predictions (precision) gets NaN: the metric is undefined
        there, not 0, and the slice is never flagged.
    n_boot : int, default=200
        Bootstrap resamples per slice (percentile intervals of ``accuracy``).
    confidence : float, default=0.95
        Coverage of the intervals, in (0, 1).
    flag_gap : float, default=0.05
        Flag slices whose metric is below the overall value by more than this.
    min_support : int, default=10
        Never flag a slice with fewer samples (for ``recall``: fewer positives); its
        interval is shown, but it is too small to act on alone.
    random_state : int or numpy.random.Generator, default=0
        Seeds the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Index: slice (plus a last row ``overall``). Columns `metric`, ``support``,
        ``n_positive`` (for ``recall``/``precision``: positives in the slice),
        ``ci_low``, ``ci_high``, ``gap`` (overall minus slice), ``flagged`` (gap >
        `flag_gap` and enough support) and ``ci_below_overall`` (the whole interval is below overall: the
        shortfall is unlikely to be chance alone).

    Raises
    ------
    ValueError
        For empty or mismatched inputs, missing groups, a group labelled ``overall``
        (reserved for the whole-data row) or an unknown metric.

    Notes
    -----
    Point estimates and supports come from :class:`fairlearn.metrics.MetricFrame`. Accuracy
    intervals are percentile bootstraps of each slice separately (Efron & Tibshirani 1993).
    Recall and precision are proportions of a few counts (true positives of the positives,
    or of the alarms): their intervals are exact Clopper-Pearson intervals
    (:meth:`scipy.stats.binomtest` ``proportion_ci``), which a bootstrap would collapse to
    a point for a slice with one positive. Intervals are wide for small slices: read
    ``support`` (and ``n_positive``) before acting on a flag.

    Examples
    --------
    >>> t = slice_metrics([1, 0, 0, 0], [1, 0, 1, 0], ["a", "a", "b", "b"], metric="recall",
    ...                   n_boot=10)
    >>> t["recall"].to_dict()  # slice b has no positives: recall is undefined
    {'a': 1.0, 'b': nan, 'overall': 1.0}
    """
    import pandas as pd
    from fairlearn.metrics import MetricFrame, count

    func = "slice_metrics"
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    name = getattr(groups, "name", None) or "slice"
    g = check_tags(groups, len(y_true), func, name="groups")
    n_reserved = int(np.sum(g == _OVERALL))
    if n_reserved:
        raise ValueError(
            f"The 'groups' parameter of {func} must not contain the label '{_OVERALL}': it "
            f"names the row of the whole data. Got {n_reserved} samples labelled "
            f"'{_OVERALL}' instead. Rename that slice first, for example "
            f"groups.replace('{_OVERALL}', '{_OVERALL}_slice')."
        )
    metric = check_one_of(metric, "metric", set(_SLICE_METRICS), func=func)
    n_boot = check_int(n_boot, "n_boot", min_value=10, func=func)
    conf = check_float(confidence, "confidence", low=0, high=1, inclusive=(False, False), func=func)
    flag_gap = check_float(flag_gap, "flag_gap", low=0, func=func)
    min_support = check_int(min_support, "min_support", min_value=0, func=func)
    rng = check_random_state(random_state)
    if metric != "accuracy":
        y_true = _check_binary(y_true, func, need_both=False)
        y_pred = _check_binary(y_pred, func, need_both=False)
    mf = MetricFrame(
        metrics={metric: _metric_fn(metric), "support": count},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=pd.Series(g, name=name),
    )
    table = mf.by_group.copy()
    table["support"] = table["support"].astype(np.int64)
    overall = float(mf.overall[metric])
    lo_q, hi_q = (1 - conf) / 2, 1 - (1 - conf) / 2
    lows, highs = [], []
    for slice_name in table.index:
        members = np.flatnonzero(g == str(slice_name))
        if metric != "accuracy":  # a proportion of few counts: exact, never collapsed
            lo, hi = _exact_interval(metric, y_true[members], y_pred[members], conf)
            lows.append(lo)
            highs.append(hi)
            continue
        idx = members[rng.integers(0, members.size, size=(n_boot, members.size))]
        boots = _boot_metric(metric, y_true, y_pred, idx)
        boots = boots[~np.isnan(boots)]
        lows.append(float(np.quantile(boots, lo_q)) if boots.size else np.nan)
        highs.append(float(np.quantile(boots, hi_q)) if boots.size else np.nan)
    counted = table["support"]
    if metric != "accuracy":
        pos = pd.Series(y_true).groupby(g).sum()
        table.insert(
            2, "n_positive", pos.reindex(table.index.astype(str)).to_numpy().astype(np.int64)
        )
        counted = table["n_positive"]
    table["ci_low"] = lows
    table["ci_high"] = highs
    table["gap"] = overall - table[metric]
    table["flagged"] = (table["gap"] > flag_gap) & (counted >= min_support)
    table["ci_below_overall"] = table["ci_high"] < overall
    table.loc["overall"] = {
        metric: overall,
        **({"n_positive": int(y_true.sum())} if metric != "accuracy" else {}),
        "support": len(y_true),
        "ci_low": np.nan,
        "ci_high": np.nan,
        "gap": 0.0,
        "flagged": False,
        "ci_below_overall": False,
    }
    for col in ("support", "n_positive"):
        if col in table:
            table[col] = table[col].astype(np.int64)
    table.index.name = name
    return table


def per_class_recall(y_true, y_pred, *, labels=None):
    """Return recall and support of every class (rare classes included, none skipped).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Labels and predictions.
    labels : array-like, optional
        Classes to report; default: the sorted classes of `y_true`.

    Returns
    -------
    pandas.DataFrame
        Index: class. Columns ``recall`` (NaN, undefined, for a listed class without
        samples) and ``support``, sorted by recall, lowest first (NaN last).

    Raises
    ------
    ValueError
        For empty or mismatched inputs.
    """
    import pandas as pd
    from sklearn.metrics import recall_score

    y_true, y_pred = _check_label_pair(y_true, y_pred, "per_class_recall")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    rec = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=np.nan)
    support = np.array([(y_true == c).sum() for c in labels])
    out = pd.DataFrame({"recall": rec, "support": support}, index=pd.Index(labels, name="class"))
    return out.sort_values("recall", kind="stable")


def describe_per_class_recall(
    table, *, n_worst: int = 2, confusable=((5, 9), (6, 7)), rare_share: float = 0.5
) -> str:
    """Say in markdown which classes are missed most, whether any is rare or confusable.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`per_class_recall` (index: class; columns ``recall``, ``support``).
    n_worst : int, default=2
        How many classes, lowest recall first, to name (ties with the last one included).
    confusable : sequence of pairs, default=((5, 9), (6, 7))
        Pairs of classes often confused with each other; matched by their text.
    rare_share : float, default=0.5
        A class is rare when its support is below this share of the largest support.

    Returns
    -------
    str
        One markdown paragraph: the worst classes with their recall and support, the
        rare classes (or that none is rare) and, per confusable pair, how many of its two
        classes are among the worst.

    Raises
    ------
    ValueError
        If a needed column is missing, the table has no class with a recall, or a
        parameter is out of range.

    Examples
    --------
    >>> t = per_class_recall([1, 1, 2, 2, 3, 3], [1, 1, 2, 3, 3, 3])
    >>> describe_per_class_recall(t, n_worst=1, confusable=())[:36]
    'Lowest recall: class **2** (0.500, 2'
    """
    func = "describe_per_class_recall"
    missing = {"recall", "support"} - set(table.columns)
    if missing:
        raise ValueError(
            f"{func} needs the table of per_class_recall; the columns {sorted(missing)} are "
            f"missing. Got {list(table.columns)}."
        )
    n_worst = check_int(n_worst, "n_worst", min_value=1, func=func)
    rare_share = check_float(rare_share, "rare_share", low=0, high=1, func=func)
    known = table.dropna(subset=["recall"]).sort_values("recall", kind="stable")
    if known.empty:
        raise ValueError(f"{func} needs at least one class with a recall. Got none.")
    cut = known["recall"].iloc[min(n_worst, len(known)) - 1]
    worst = known[known["recall"] <= cut]
    named = ", ".join(
        f"**{c}** ({r['recall']:.3f}, {int(r['support'])} samples)" for c, r in worst.iterrows()
    )
    noun = "class" if len(worst) == 1 else "classes"
    text = f"Lowest recall: {noun} {named}; highest: **{known.index[-1]}** "
    text += f"({known['recall'].iloc[-1]:.3f}). "
    support = table["support"]
    rare = support[support < rare_share * support.max()]
    if len(rare):
        text += "Rare classes (support below {:.0%} of the largest): {}. ".format(
            rare_share, ", ".join(f"{c} ({int(n)})" for c, n in rare.items())
        )
    elif support.min() == support.max():
        text += f"Every class has {int(support.max())} samples, so none is rare. "
    else:
        text += f"Support runs {int(support.min())}-{int(support.max())}: none is rare. "
    worst_names = {str(c) for c in worst.index}
    recall_of = {str(c): r for c, r in known["recall"].items()}
    parts = []
    for a, b in confusable:
        inside = [str(c) for c in (a, b) if str(c) in worst_names]
        pair = f"{a}/{b} ({recall_of.get(str(a), float('nan')):.3f}, "
        pair += f"{recall_of.get(str(b), float('nan')):.3f})"
        verdict = {0: "neither", 1: f"only {inside[0]}" if inside else "", 2: "both"}
        parts.append(f"{pair}: {verdict[len(inside)]} among the lowest")
    if parts:
        text += "Often-confused pairs: " + "; ".join(parts) + "."
    return text.strip()


def plot_slice_metrics(
    table,
    *,
    metric: str = "accuracy",
    confidence: float = 0.95,
    title: str | None = None,
    figsize: tuple[float, float] = (10, 3.4),
):
    """Plot a metric per slice with its interval, the overall value and the flagged slices.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`slice_metrics` (an ``overall`` last row; columns `metric`, ``support``,
        ``ci_low``, ``ci_high``, ``flagged``).
    metric : str, default="accuracy"
        The metric column of `table`.
    confidence : float, default=0.95
        Coverage of the intervals (the `confidence` passed to :func:`slice_metrics`), in
        (0, 1); only named in the axis label.
    title : str, optional
        Figure title; default ``"<metric> per <slice> (n = support)"``.
    figsize : tuple of float, default=(10, 3.4)
        Figure size in inches (width, height).

    Returns
    -------
    matplotlib.figure.Figure
        One point per slice with its interval, labelled with its support; flagged slices
        in red; the overall value as a dashed line.

    Raises
    ------
    ValueError
        If `table` has no ``overall`` row or lacks a needed column.

    Examples
    --------
    >>> t = slice_metrics([1, 1, 0, 0] * 5, [1, 1, 0, 1] * 5, ["a", "b"] * 10, n_boot=20)
    >>> fig = plot_slice_metrics(t)
    >>> fig.axes[0].get_ylabel()
    'accuracy (95 % CI)'
    """
    import matplotlib.pyplot as plt

    needed = [metric, "support", "ci_low", "ci_high", "flagged"]
    missing = [c for c in needed if c not in table.columns]
    if "overall" not in table.index or missing:
        raise ValueError(
            f"plot_slice_metrics needs the table of slice_metrics (an 'overall' row, columns "
            f"{needed}). Got index {list(table.index)[:5]}... and columns {list(table.columns)}."
        )
    if title is None:
        title = f"{metric} per {table.index.name or 'slice'} (n = support)"
    fig, ax = plt.subplots(figsize=figsize)
    sv = table.drop(index="overall")
    yerr = [sv[metric] - sv["ci_low"], sv["ci_high"] - sv[metric]]
    ax.errorbar(sv.index, sv[metric], yerr=yerr, fmt="o", capsize=3)
    ax.axhline(table.loc["overall", metric], color="gray", ls="--", label="overall")
    bad = sv["flagged"]
    ax.scatter(sv.index[bad], sv[metric][bad], color="tab:red", zorder=3, label="flagged")
    ax.set_xticks(
        range(len(sv)), [f"{s}\nn={n}" for s, n in zip(sv.index, sv["support"], strict=True)]
    )
    ax.set(ylabel=f"{metric} ({100 * confidence:g} % CI)", title=title)
    ax.legend()
    return fig
