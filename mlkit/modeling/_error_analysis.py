"""Error analysis by tag: the course's table, a pooled sample of errors, tags and their shares.

Serves the "Error analysis by tag" section of 03_modeling (and "Look at the mistakes").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mlkit._validation import (
    check_float,
    check_int,
    check_random_state,
    check_same_length,
    check_tags,
)
from mlkit.modeling._checks import _check_label_pair


def _hlp_series(hlp, func):
    import pandas as pd

    if isinstance(hlp, pd.DataFrame):
        if "hlp_accuracy" not in hlp.columns:
            raise ValueError(
                f"The 'hlp' parameter of {func} must be a mapping tag -> HLP accuracy, a Series, "
                "or the table of mlkit.data.hlp_by_tag (with an 'hlp_accuracy' column). "
                f"Got a DataFrame with columns {list(hlp.columns)} instead."
            )
        hlp = hlp["hlp_accuracy"]
    if isinstance(hlp, Mapping):
        hlp = pd.Series(dict(hlp), dtype=float)
    if not isinstance(hlp, pd.Series):
        raise TypeError(
            f"The 'hlp' parameter of {func} must be a mapping or Series tag -> HLP accuracy. "
            f"Got {type(hlp).__name__} instead."
        )
    hlp = hlp.astype(float)
    hlp.index = hlp.index.astype(str)
    bad = hlp[(hlp < 0) | (hlp > 1) | hlp.isna()]
    if len(bad):
        raise ValueError(
            f"HLP accuracies passed to {func} must be in [0, 1]. Got {bad.to_dict()} instead."
        )
    return hlp.drop(index="overall", errors="ignore")


def error_analysis_by_tag(
    y_true,
    y_pred,
    tags,
    *,
    hlp=None,
    human_correct=None,
    confidence: float = 0.95,
    n_resamples: int = 999,
    random_state=0,
):
    """Compute the course's error-analysis table to decide which tag to work on first.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the dev set.
    y_pred : array-like of shape (n_samples,)
        The model's predictions.
    tags : array-like of str of shape (n_samples,)
        One tag per sample, for example ``metadata["condition"]``.
    hlp : mapping or pandas.Series of str to float, optional
        Human-level accuracy per tag, in [0, 1]. The table of ``mlkit.data.hlp_by_tag`` is
        accepted too (its ``hlp_accuracy`` column; an ``"overall"`` row is ignored).
        Tags in `hlp` that do not occur in `tags` are ignored. Give `hlp` or
        `human_correct`, not both.
    human_correct : array-like of float of shape (n_samples,), optional
        Per clip, the share of labelers who named the right label, in [0, 1]
        (:func:`mlkit.data.human_correct_per_clip`). HLP per tag is its mean, and the gap
        gets a paired bootstrap interval over the clips of the tag (the same clips resampled
        for people and model).
    confidence : float, default=0.95
        Coverage of the intervals, in (0, 1) (only with `human_correct`).
    n_resamples : int, default=999
        Bootstrap resamples per tag, at least 99 (only with `human_correct`).
    random_state : int or numpy.random.Generator, default=0
        Seeds the bootstrap (only with `human_correct`).

    Returns
    -------
    pandas.DataFrame
        Index: the tags (named ``tag``), sorted by ``rank``. Columns ``accuracy`` (model),
        ``hlp``, ``gap`` (``hlp - accuracy``, negative when the model beats humans),
        ``share`` (share of the samples with the tag), ``potential_gain``
        (``max(gap, 0) * share``, the overall accuracy that closing the gap would add),
        ``rank`` (1 = highest potential gain; ties, such as several tags where the model
        beats HLP and the gain is 0, go to the larger ``error_share``, then to the order of
        first appearance), ``n_samples`` and ``error_share`` (the tag's share of all errors).
        With `human_correct` also ``gap_ci_low``, ``gap_ci_high`` (paired percentile
        bootstrap interval of the gap), ``gain_ci_low``, ``gain_ci_high`` (the interval of
        ``max(gap, 0) * share``: the gap's bounds clipped at 0 times the share, which is
        fixed by the data) and ``overlaps`` (comma-separated tags whose gain interval
        overlaps this tag's: the table cannot tell them apart; empty when none does).

    Raises
    ------
    ValueError
        If the arrays are empty or of different lengths, a tag is missing, a tag has no
        HLP in `hlp` (an unknown tag name, often a typo), neither or both of `hlp` and
        `human_correct` are given, or `human_correct` is outside [0, 1].
    TypeError
        If `hlp` is not a mapping or Series.

    See Also
    --------
    describe_error_analysis, describe_what_next : the ranking in words, from this table.
    error_analysis_metrics : the numbers to record, from this table.

    Notes
    -----
    The table and "potential gain = gap to HLP x share of data" follow the course
    (Andrew Ng, "Machine Learning in Production", week 2: prioritizing what to work on).
    A negative gap (the model beats HLP) is clipped at 0: there HLP is no proxy for the
    Bayes error and says nothing about the room left, so the tie-break falls back to where
    the errors are (the error-share count of the same lecture); :func:`describe_error_analysis`
    says so whenever it happens. The intervals are percentile bootstraps
    (:func:`scipy.stats.bootstrap`, ``paired=True``; Efron & Tibshirani 1993): a tag of
    a few dozen clips moves its gap by several points per clip.

    Examples
    --------
    >>> table = error_analysis_by_tag(
    ...     [1, 1, 1, 1], [1, 0, 1, 1], ["clean", "car_noise", "clean", "clean"],
    ...     hlp={"clean": 1.0, "car_noise": 0.9})
    >>> table["potential_gain"].to_dict(), table["rank"].tolist()
    ({'car_noise': 0.225, 'clean': 0.0}, [1, 2])

    With each clip's share of labelers who were right, the gaps get intervals:

    >>> t = error_analysis_by_tag(
    ...     [1] * 8, [1, 1, 1, 1, 0, 0, 1, 0], ["clean"] * 4 + ["people_noise"] * 4,
    ...     human_correct=[1.0] * 8, n_resamples=199)
    >>> t[["gap", "gap_ci_low", "gap_ci_high"]].round(2).to_dict("index")["people_noise"]
    {'gap': 0.75, 'gap_ci_low': 0.25, 'gap_ci_high': 1.0}
    """
    import pandas as pd

    func = "error_analysis_by_tag"
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    tags = check_tags(tags, len(y_true), func)
    if (hlp is None) == (human_correct is None):
        raise ValueError(
            f"{func} needs HLP either per tag ('hlp') or per clip ('human_correct', from "
            "mlkit.data.human_correct_per_clip). Got "
            f"{'neither' if hlp is None else 'both'}: pass exactly one."
        )
    human = None
    if human_correct is not None:
        human = _check_share(human_correct, len(y_true), func)
        hlp = pd.Series(human).groupby(tags).mean()
    hlp = _hlp_series(hlp, func)
    order = list(dict.fromkeys(tags.tolist()))
    unknown = [t for t in order if t not in hlp.index]
    if unknown:
        raise ValueError(
            f"{func} has no HLP for the tag(s) {unknown}. Known tags: {sorted(hlp.index)}. "
            "Check the spelling, or measure HLP for those tags."
        )
    correct = y_true == y_pred
    rows = []
    for t in order:
        mask = tags == t
        rows.append(
            {"tag": t, "accuracy": float(correct[mask].mean()), "n_samples": int(mask.sum())}
        )
    table = pd.DataFrame(rows).set_index("tag")
    table["hlp"] = hlp.reindex(table.index).to_numpy()
    table["gap"] = table["hlp"] - table["accuracy"]
    table["share"] = table["n_samples"] / len(y_true)
    table["potential_gain"] = table["gap"].clip(lower=0.0) * table["share"]
    table["error_share"] = (
        (1.0 - table["accuracy"])
        * table["n_samples"]
        / max(float((1.0 - table["accuracy"]).mul(table["n_samples"]).sum()), 1.0)
    )
    # potential gain first; where it ties (for example 0 wherever the model beats HLP), the
    # tag holding more of the errors first; then the order of first appearance
    order_keys = table[["potential_gain", "error_share"]].copy()
    order_keys["first"] = np.arange(len(table))
    ranked = order_keys.sort_values(
        ["potential_gain", "error_share", "first"], ascending=[False, False, True]
    )
    table["rank"] = pd.Series(np.arange(1, len(table) + 1), index=ranked.index)
    table["rank"] = table["rank"].astype(np.int64)
    cols = ["accuracy", "hlp", "gap", "share", "potential_gain", "rank", "n_samples", "error_share"]
    if human is not None:
        conf = check_float(
            confidence, "confidence", low=0, high=1, inclusive=(False, False), func=func
        )
        n_resamples = check_int(n_resamples, "n_resamples", min_value=99, func=func)
        rng = check_random_state(random_state)
        bounds = [
            _paired_gap_interval(human[tags == t], correct[tags == t], conf, n_resamples, rng)
            for t in table.index
        ]
        table["gap_ci_low"] = [b[0] for b in bounds]
        table["gap_ci_high"] = [b[1] for b in bounds]
        table["gain_ci_low"] = table["gap_ci_low"].clip(lower=0.0) * table["share"]
        table["gain_ci_high"] = table["gap_ci_high"].clip(lower=0.0) * table["share"]
        table["overlaps"] = [
            ", ".join(
                str(o)
                for o in table.index
                if o != t
                and table.loc[o, "gain_ci_low"] <= table.loc[t, "gain_ci_high"]
                and table.loc[t, "gain_ci_low"] <= table.loc[o, "gain_ci_high"]
            )
            for t in table.index
        ]
        cols += ["gap_ci_low", "gap_ci_high", "gain_ci_low", "gain_ci_high", "overlaps"]
    return table.sort_values("rank")[cols]


def _check_share(values, n, func):
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size != n:
        raise ValueError(
            f"The 'human_correct' parameter of {func} needs one value per sample. Got "
            f"{arr.size} for {n} samples."
        )
    if not np.all((arr >= 0) & (arr <= 1)):
        raise ValueError(
            f"The 'human_correct' parameter of {func} must hold shares in [0, 1] (each clip's "
            "share of labelers who were right, mlkit.data.human_correct_per_clip). Got values "
            f"outside it or NaN, e.g. {arr[~((arr >= 0) & (arr <= 1))][:3].tolist()}."
        )
    return arr


def _paired_gap_interval(human, correct, confidence, n_resamples, rng):
    """Percentile bootstrap interval of ``mean(human) - mean(correct)``, clips resampled in pairs."""
    from scipy.stats import bootstrap

    if human.size < 2:
        return np.nan, np.nan
    res = bootstrap(
        (human, correct.astype(np.float64)),
        lambda h, c, axis: h.mean(axis=axis) - c.mean(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        random_state=rng,
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _needs_intervals(table, func):
    needed = ["accuracy", "hlp", "gap", "share", "potential_gain", "n_samples"]
    needed += ["gap_ci_low", "gap_ci_high", "gain_ci_low", "gain_ci_high", "overlaps"]
    missing = [c for c in needed if c not in table.columns]
    if len(table) == 0 or missing:
        raise ValueError(
            f"{func} needs the table of error_analysis_by_tag with intervals (pass "
            f"'human_correct'); the columns {missing} are missing from {list(table.columns)}."
        )


def _pts(x: float) -> str:
    return f"{100 * x:+.1f}"


def describe_error_analysis(table, *, confidence: float = 0.95) -> str:
    """Say in markdown how the tags rank by potential gain, with intervals and ties.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`error_analysis_by_tag` with `human_correct` (sorted by rank; interval
        columns and ``overlaps``).
    confidence : float, default=0.95
        The coverage the intervals were computed with; only named in the text.

    Returns
    -------
    str
        Markdown: the ranking with each tag's gain and gap intervals (percentage points of
        overall accuracy / of the tag's accuracy), which tags sit below HLP beyond doubt,
        whether the first tag can be told apart from the others, and which tags cannot be
        told apart from each other.

    Raises
    ------
    ValueError
        If `table` is empty or lacks the interval columns.

    Examples
    --------
    >>> t = error_analysis_by_tag(
    ...     [1] * 8, [1, 1, 1, 1, 0, 0, 1, 0], ["clean"] * 4 + ["people_noise"] * 4,
    ...     human_correct=[1.0] * 8, n_resamples=199)
    >>> "**people_noise** comes first" in describe_error_analysis(t)
    True
    """
    func = "describe_error_analysis"
    _needs_intervals(table, func)
    pct = f"{100 * confidence:g} %"
    lines = [
        f"**Ranking by potential gain** (points of overall accuracy; {pct} paired-bootstrap "
        "intervals over the clips of each tag):"
    ]
    for i, (tag, r) in enumerate(table.iterrows(), start=1):
        lines.append(
            f"{i}. **{tag}**: gain {_pts(r['potential_gain'])} "
            f"[{_pts(r['gain_ci_low'])}, {_pts(r['gain_ci_high'])}]; model "
            f"{r['accuracy']:.1%} vs HLP {r['hlp']:.1%}, gap {_pts(r['gap'])} "
            f"[{_pts(r['gap_ci_low'])}, {_pts(r['gap_ci_high'])}] on {int(r['n_samples'])} clips"
        )
    facts = _ranking_facts(table)
    below = facts["below_hlp"]
    text = "\n".join(lines) + "\n\n"
    if below:
        text += (
            f"The model is below HLP beyond doubt (interval of the gap above 0) on {_join(below)}; "
        )
    else:
        text += "On no tag is the model below HLP beyond doubt (every gap interval reaches 0); "
    unsure = [str(t) for t in table.index if str(t) not in below]
    text += (
        f"on {_join(unsure)} the gap's interval reaches 0: the model may already be at HLP there. "
        if unsure
        else "on every tag. "
    )
    top = facts["top_tag"]
    if facts["all_zero"]:
        text += (
            "No tag has a positive potential gain, so HLP cannot rank the tags: the order "
            "above only follows each tag's share of the errors."
        )
    elif facts["top_distinct"]:
        text += (
            f"**{top}** comes first and its gain interval lies above every other tag's, so "
            "the choice does not hang on a few clips."
        )
    else:
        text += (
            f"**{top}** comes first on the point estimate only: its gain cannot be told apart "
            f"from {_join(facts['top_overlaps'])} (overlapping intervals)."
        )
    groups = _overlap_groups(table)
    rest = [g for g in groups if len(g) > 1 and top not in g]
    if rest:
        text += " " + " ".join(
            f"{_join(g)} cannot be told apart from each other (overlapping intervals): their "
            "order in the table is not a finding."
            for g in rest
        )
    return text


def describe_what_next(table) -> str:
    """Say in markdown where the next iteration should go, from the same ranking.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`error_analysis_by_tag` with `human_correct`.

    Returns
    -------
    str
        One markdown bullet that names the tag to work on (or the tags that cannot be told
        apart), from the same facts as :func:`describe_error_analysis`, so the two cannot
        disagree.

    Raises
    ------
    ValueError
        If `table` is empty or lacks the interval columns.

    Examples
    --------
    >>> t = error_analysis_by_tag(
    ...     [1] * 8, [1, 1, 1, 1, 0, 0, 1, 0], ["clean"] * 4 + ["people_noise"] * 4,
    ...     human_correct=[1.0] * 8, n_resamples=199)
    >>> describe_what_next(t)[:40]
    '* The error analysis ranks **people_nois'
    """
    _needs_intervals(table, "describe_what_next")
    f = _ranking_facts(table)
    top = f["top_tag"]
    r = table.loc[top]
    gain = (
        f"potential gain {_pts(r['potential_gain'])} points "
        f"[{_pts(r['gain_ci_low'])}, {_pts(r['gain_ci_high'])}]"
    )
    if f["all_zero"]:
        return (
            "* The error analysis finds no tag below HLP: HLP cannot say where more data "
            "would help. Look at the errors themselves (section 4) before collecting more."
        )
    if f["top_distinct"]:
        head = f"* The error analysis ranks **{top}** first ({gain}), clear of every other tag"
    else:
        head = (
            f"* The error analysis ranks **{top}** first ({gain}) on the point estimate, but "
            f"it cannot be told apart from {_join(f['top_overlaps'])}: measure on more clips "
            "or weigh the cost of each before choosing"
        )
    others = [str(t) for t in table.index if str(t) != top]
    return (
        f"{head}. That is where more data (collect or augment, notebook `04_augmentation`) "
        f"should go next, rather than to {_join(others)}."
    )


def error_analysis_metrics(table) -> dict:
    """Return the numbers of the error-analysis table that a run records and CI checks.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`error_analysis_by_tag` with `human_correct`.

    Returns
    -------
    dict
        Per tag ``tag_accuracy_<tag>``, ``tag_hlp_<tag>``, ``potential_gain_<tag>``,
        ``gap_ci_low_<tag>`` (rounded to 4 decimals); then ``top_priority_tag``,
        ``top_priority_gain``, ``top_gain_ci_low`` and ``runner_up_gain_ci_high`` (the
        largest upper gain bound among the other tags, NaN with one tag) and
        ``n_tags_below_hlp`` (tags whose gap interval lies above 0). The same facts
        :func:`describe_error_analysis` words.

    Raises
    ------
    ValueError
        If `table` is empty or lacks the interval columns.

    Examples
    --------
    >>> t = error_analysis_by_tag(
    ...     [1] * 8, [1, 1, 1, 1, 0, 0, 1, 0], ["clean"] * 4 + ["people_noise"] * 4,
    ...     human_correct=[1.0] * 8, n_resamples=199)
    >>> error_analysis_metrics(t)["top_priority_tag"]
    'people_noise'
    """
    _needs_intervals(table, "error_analysis_metrics")
    out = {}
    for tag, r in table.iterrows():
        out[f"tag_accuracy_{tag}"] = round(float(r["accuracy"]), 4)
        out[f"tag_hlp_{tag}"] = round(float(r["hlp"]), 4)
        out[f"potential_gain_{tag}"] = round(float(r["potential_gain"]), 4)
        out[f"gap_ci_low_{tag}"] = round(float(r["gap_ci_low"]), 4)
    f = _ranking_facts(table)
    top = table.loc[f["top_tag"]]
    out["top_priority_tag"] = f["top_tag"]
    out["top_priority_gain"] = round(float(top["potential_gain"]), 4)
    out["top_gain_ci_low"] = round(float(top["gain_ci_low"]), 4)
    others = table.drop(index=f["top_tag"])["gain_ci_high"]
    out["runner_up_gain_ci_high"] = round(float(others.max()), 4) if len(others) else np.nan
    out["n_tags_below_hlp"] = len(f["below_hlp"])
    return out


def _ranking_facts(table) -> dict:
    top = str(table.index[0])
    overlaps = [o.strip() for o in str(table.loc[top, "overlaps"]).split(",") if o.strip()]
    return {
        "top_tag": top,
        "top_overlaps": overlaps,
        "top_distinct": not overlaps,
        "all_zero": bool((table["potential_gain"] <= 0).all()),
        "below_hlp": [str(t) for t in table.index if table.loc[t, "gap_ci_low"] > 0],
    }


def _overlap_groups(table) -> list[list[str]]:
    """Group the tags whose gain intervals overlap (connected groups, in rank order)."""
    groups: list[list[str]] = []
    for t in table.index.astype(str):
        linked = {o.strip() for o in str(table.loc[t, "overlaps"]).split(",") if o.strip()}
        for g in groups:
            if linked & set(g):
                g.append(t)
                break
        else:
            groups.append([t])
    return groups


def _join(items) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def out_of_fold_predict(model, X, y, *, groups, n_splits: int = 4):
    """Predict every sample with a copy of `model` that never saw its group (speaker).

    One dev set of a few speakers gives a few dozen clips per tag, too few to tell a gap to
    HLP from chance. Grouped cross-validation predicts *every* clip by a model trained
    without its speaker, as the dev split does for a quarter of them, so an error analysis
    can use all clips.

    Parameters
    ----------
    model : estimator
        A classifier; unfitted clones of it are trained (the model itself is not changed).
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,)
        Group of every sample (speaker); at least two groups.
    n_splits : int, default=4
        Folds (at most the number of groups): with 4, each fold holds out a quarter of the
        speakers, like the dev split.

    Returns
    -------
    ndarray of shape (n_samples,)
        Out-of-fold predictions.

    Raises
    ------
    ValueError
        If lengths differ, there are fewer than two groups or `n_splits` < 2.

    Notes
    -----
    The folds of :class:`sklearn.model_selection.GroupKFold` (deterministic, balanced by
    size); each fold's model trains on ``(n_splits - 1) / n_splits`` of the speakers, so the
    estimate is of a model slightly smaller than one trained on every speaker.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> out_of_fold_predict(DummyClassifier(), [[0]] * 4, [1, 1, 2, 2],
    ...                     groups=["a", "a", "b", "b"], n_splits=2).tolist()
    [2, 2, 1, 1]
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, cross_val_predict

    func = "out_of_fold_predict"
    X, y = np.asarray(X), np.asarray(y)
    check_same_length(func, X=X, y=y)
    g = check_tags(groups, len(y), func, name="groups")
    n_groups = np.unique(g).size
    if n_groups < 2:
        raise ValueError(
            f"{func} holds out whole groups and needs at least two in 'groups'. Got {n_groups}."
        )
    n_splits = check_int(n_splits, "n_splits", min_value=2, func=func)
    folds = GroupKFold(n_splits=min(n_splits, n_groups))
    return cross_val_predict(clone(model), X, y, groups=g, cv=folds)


def describe_grouped_folds(groups, *, n_splits: int = 4) -> str:
    """Say when :func:`out_of_fold_predict` uses fewer folds than asked (few speakers).

    Parameters
    ----------
    groups : array-like of shape (n_samples,)
        Group of every sample (speaker).
    n_splits : int, default=4
        Folds asked of :func:`out_of_fold_predict`.

    Returns
    -------
    str
        ``""`` when there are at least `n_splits` groups; otherwise one sentence naming the
        fallback: as many folds as groups, each model trained on fewer speakers.

    Raises
    ------
    ValueError
        If `n_splits` < 2.

    Examples
    --------
    >>> describe_grouped_folds(["a", "b", "a", "b"])
    'Only 2 speakers: 2 speaker-grouped folds instead of 4 (fallback), so each model trains on 1 of 2 speakers and the accuracies understate a model trained on all of them.'
    """
    n_splits = check_int(n_splits, "n_splits", min_value=2, func="describe_grouped_folds")
    n_groups = np.unique(np.asarray(groups, dtype=object).astype(str)).size
    if n_groups >= n_splits:
        return ""
    return (
        f"Only {n_groups} speakers: {n_groups} speaker-grouped folds instead of {n_splits} "
        f"(fallback), so each model trains on {n_groups - 1} of {n_groups} speakers and the "
        "accuracies understate a model trained on all of them."
    )


def plot_error_analysis(table, *, figsize: tuple[float, float] = (11, 3.6)):
    """Plot the error-analysis table: model vs HLP per tag, and where the gain is.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`error_analysis_by_tag` (columns ``accuracy``, ``hlp``,
        ``potential_gain``, ``error_share``; sorted by rank, so its first tag is the one
        to work on).
    figsize : tuple of float, default=(11, 3.6)
        Figure size in inches (width, height).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: accuracy and HLP per tag; potential gain (with its interval when the
        table has one) and share of errors per tag, titled with the rank-1 tag.

    Raises
    ------
    ValueError
        If `table` is empty or lacks one of the columns above.

    Examples
    --------
    >>> t = error_analysis_by_tag([1, 1, 1], [1, 0, 1], ["clean", "car_noise", "clean"],
    ...                           hlp={"clean": 1.0, "car_noise": 0.9})
    >>> fig = plot_error_analysis(t)
    >>> fig.axes[1].get_title()
    'work on: car_noise (rank 1)'
    """
    import matplotlib.pyplot as plt

    needed = ["accuracy", "hlp", "potential_gain", "error_share"]
    missing = [c for c in needed if c not in table.columns]
    if len(table) == 0 or missing:
        raise ValueError(
            f"plot_error_analysis needs the table of error_analysis_by_tag (a tag per row, "
            f"columns {needed}). Got {len(table)} rows and columns {list(table.columns)}."
        )
    top_tag = str(table.index[0])
    fig, axes = plt.subplots(1, 2, figsize=figsize)
    table[["accuracy", "hlp"]].plot.bar(ax=axes[0], rot=0, color=["tab:blue", "tab:gray"])
    axes[0].set(ylim=(0, 1.05), ylabel="accuracy", title="model vs human-level performance per tag")
    table[["potential_gain", "error_share"]].plot.bar(
        ax=axes[1], rot=0, color=["tab:red", "tab:orange"]
    )
    gain_label = "potential gain = max(gap, 0) × share"
    if {"gain_ci_low", "gain_ci_high"} <= set(table.columns):
        gain_label += " (95 % interval)"
        # pandas draws the first of two bar columns at x - 0.125 (width 0.25 each)
        gain = table["potential_gain"].to_numpy()
        yerr = [gain - table["gain_ci_low"].to_numpy(), table["gain_ci_high"].to_numpy() - gain]
        axes[1].errorbar(
            np.arange(len(table)) - 0.125, gain, yerr=yerr, fmt="none", ecolor="black", capsize=3
        )
    axes[1].legend(axes[1].containers[:2], [gain_label, "share of errors (tie-break)"])
    axes[1].set(ylabel="share of overall accuracy / errors", title=f"work on: {top_tag} (rank 1)")
    fig.tight_layout()
    return fig
