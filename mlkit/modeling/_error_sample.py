"""The error sample: about 100 misclassified clips, automatic and hand-made tags (section 4, the second half)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import (
    check_int,
    check_random_state,
    check_same_length,
    check_tags,
)
from mlkit.modeling._checks import _check_label_pair

__all__ = [
    "MANUAL_TAGS",
    "sample_errors",
    "pool_errors",
    "describe_error_pool",
    "error_sample_metrics",
    "describe_error_sample",
    "error_tag_shares",
    "save_error_tags",
    "error_tagging_widget",
]

#: Manual tags the tagging widget offers, and a tag file may use, by default.
MANUAL_TAGS = ("mislabelled", "cut_off", "unclear_speech")


def sample_errors(y_true, y_pred, metadata, *, n_errors: int = 100, random_state=0):
    """Sample misclassified examples and tag them automatically from their metadata.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Labels and predictions of the dev set.
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        The dev set's metadata rows, in the same order (``SpeechData.metadata``). Used
        columns, when present: ``clip_id``, ``speaker``, ``condition``, ``snr_db``,
        ``duration_s``.
    n_errors : int, default=100
        How many errors to sample (all of them when there are fewer).
    random_state : int or numpy.random.Generator, default=0
        Seeds the sample.

    Returns
    -------
    pandas.DataFrame
        One row per sampled error: ``clip_id``, ``speaker``, ``y_true``, ``y_pred``, one
        boolean column per condition tag (``clean``, ``car_noise``, ...), ``low_snr``
        (SNR below 5 dB), ``short_clip`` (shorter than 0.3 s) and the manual columns
        ``manual_tags`` (text, empty) and ``note``. Row positions in the dev set are in
        ``dev_index``.

    Raises
    ------
    ValueError
        If lengths differ or `n_errors` < 1.
    """
    import pandas as pd

    func = "sample_errors"
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    check_same_length(func, y_true=y_true, metadata=metadata)
    n_errors = check_int(n_errors, "n_errors", min_value=1, func=func)
    rng = check_random_state(random_state)
    wrong = np.flatnonzero(y_true != y_pred)
    if wrong.size > n_errors:
        wrong = np.sort(rng.choice(wrong, size=n_errors, replace=False))
    meta = metadata.reset_index(drop=True).iloc[wrong]
    out = pd.DataFrame(
        {
            "dev_index": wrong,
            "clip_id": meta["clip_id"].to_numpy() if "clip_id" in meta else wrong.astype(str),
            "speaker": meta["speaker"].to_numpy() if "speaker" in meta else "",
            "y_true": y_true[wrong],
            "y_pred": y_pred[wrong],
        }
    )
    if "condition" in meta:
        from mlkit.audio import CONDITIONS

        for c in CONDITIONS:
            out[c] = (meta["condition"] == c).to_numpy()
    if "snr_db" in meta:
        out["low_snr"] = (meta["snr_db"] < 5.0).to_numpy()
    if "duration_s" in meta:
        out["short_clip"] = (meta["duration_s"] < 0.3).to_numpy()
    out["manual_tags"] = ""
    out["note"] = ""
    return out


def pool_errors(
    model,
    X,
    y,
    metadata,
    *,
    sets: Mapping,
    cv_set=None,
    groups=None,
    n_splits: int = 4,
    n_errors: int = 100,
    cv_name: str = "train (grouped CV)",
    cv_pred=None,
    random_state=0,
):
    """Pool the misclassified clips of several evaluation sets, then sample up to `n_errors`.

    One dev set is often too small to give the ~100 errors error analysis asks for. Every
    pooled error comes from a model that did not train on the clip: the fitted `model` on
    each set of `sets`, and, for `cv_set`, out-of-fold copies of it with folds grouped by
    `groups` (speakers), so each such clip is predicted by a model that never heard its
    speaker.

    Parameters
    ----------
    model : estimator
        The fitted model; unfitted clones of it are cross-validated on `cv_set`.
    X : array-like of shape (n_samples, n_features)
        Features of the whole dataset.
    y : array-like of shape (n_samples,)
        True labels of the whole dataset.
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        Metadata rows in the order of `X` (see :func:`sample_errors`).
    sets : mapping of str to array-like of int
        Held-out set name (``"unseen"``, ``"seen"``) to row positions, predicted by `model`.
    cv_set : array-like of int, optional
        Row positions (usually the training clips) to predict out of fold; named
        ``"train (grouped CV)"``.
    groups : array-like of shape (n_samples,), optional
        Group of every row (speaker); required with `cv_set`, needs two groups in it.
    n_splits : int, default=4
        Folds for `cv_set` (at most the number of groups in it).
    n_errors : int, default=100
        Errors to sample from the pool (all of them when fewer are available).
    cv_name : str, default="train (grouped CV)"
        Name of `cv_set` in the ``split`` column and the `available` table.
    cv_pred : array-like of shape (len(cv_set),), optional
        Out-of-fold predictions of `cv_set` already computed (:func:`out_of_fold_predict`,
        for example those of the error-analysis table): used instead of cross-validating
        again, so the errors sampled are those the table counted.
    random_state : int or numpy.random.Generator, default=0
        Seeds the sample.

    Returns
    -------
    errors : pandas.DataFrame
        The columns of :func:`sample_errors` with ``index`` (row position in the dataset,
        replacing ``dev_index``) and ``split`` (where the error was found).
    available : pandas.DataFrame
        Index: split, then ``"total"``. Columns ``n_clips``, ``n_errors`` (available) and
        ``n_sampled``.

    Raises
    ------
    ValueError
        If `sets` and `cv_set` are both empty, `cv_set` comes without `groups` or with fewer
        than two groups, or lengths differ.
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, cross_val_predict

    func = "pool_errors"
    y = np.asarray(y)
    X = np.asarray(X)
    check_same_length(func, X=X, y=y, metadata=metadata)
    if not sets and cv_set is None:
        raise ValueError(f"{func} needs at least one set in 'sets' or a 'cv_set'. Got neither.")
    parts = [(name, np.asarray(idx, dtype=np.int64)) for name, idx in sets.items()]
    preds = [model.predict(X[idx]) for _, idx in parts]
    if cv_set is not None:
        if groups is None:
            raise ValueError(f"{func} needs 'groups' (for example speakers) with 'cv_set'.")
        idx = np.asarray(cv_set, dtype=np.int64)
        g = check_tags(groups, len(y), func, name="groups")[idx]
        n_groups = np.unique(g).size
        if n_groups < 2:
            raise ValueError(
                f"{func} cross-validates 'cv_set' grouped by 'groups' and needs two groups in it. "
                f"Got {n_groups}."
            )
        parts.append((str(cv_name), idx))
        if cv_pred is not None:
            cv_pred = np.asarray(cv_pred)
            check_same_length(func, cv_set=idx, cv_pred=cv_pred)
            preds.append(cv_pred)
        else:
            n_splits = check_int(n_splits, "n_splits", min_value=2, func=func)
            folds = GroupKFold(n_splits=min(n_splits, n_groups))
            preds.append(cross_val_predict(clone(model), X[idx], y[idx], groups=g, cv=folds))
    rows = np.concatenate([idx for _, idx in parts])
    y_pred = np.concatenate(preds)
    split = np.concatenate([[name] * len(idx) for name, idx in parts]).astype(str)
    wrong = y[rows] != y_pred
    available = pd.DataFrame(
        {
            "n_clips": [len(idx) for _, idx in parts],
            "n_errors": [int(wrong[split == name].sum()) for name, _ in parts],
        },
        index=pd.Index([name for name, _ in parts], name="split"),
    )
    errors = sample_errors(
        y[rows], y_pred, metadata.iloc[rows], n_errors=n_errors, random_state=random_state
    )
    pos = errors.pop("dev_index").to_numpy()
    errors.insert(0, "split", split[pos])
    errors.insert(0, "index", rows[pos])
    available["n_sampled"] = [int((errors["split"] == name).sum()) for name in available.index]
    available.loc["total"] = available.sum()
    return errors, available


def describe_error_pool(available, *, n_errors: int) -> str:
    """Say how many errors the pool held and how many were sampled, from :func:`pool_errors`.

    Parameters
    ----------
    available : pandas.DataFrame
        The second result of :func:`pool_errors` (index: split, then ``"total"``; columns
        ``n_errors`` and ``n_sampled``).
    n_errors : int
        The number of errors asked for (the `n_errors` passed to :func:`pool_errors`).

    Returns
    -------
    str
        One sentence: errors available, errors sampled, errors asked for.

    Raises
    ------
    ValueError
        If `available` has no ``"total"`` row or lacks a needed column.

    Examples
    --------
    >>> import pandas as pd
    >>> available = pd.DataFrame({"n_errors": [30, 30], "n_sampled": [10, 10]},
    ...                          index=["seen", "total"])
    >>> describe_error_pool(available, n_errors=10)
    '30 errors available, 10 sampled (asked for 10)'
    """
    if "total" not in available.index or not {"n_errors", "n_sampled"} <= set(available.columns):
        raise ValueError(
            "describe_error_pool needs the 'available' table of pool_errors (a 'total' row, "
            f"columns 'n_errors' and 'n_sampled'). Got index {list(available.index)} and "
            f"columns {list(available.columns)}."
        )
    n_available = int(available.loc["total", "n_errors"])
    n_sampled = int(available.loc["total", "n_sampled"])
    return f"{n_available} errors available, {n_sampled} sampled (asked for {n_errors})"


def error_sample_metrics(errors, available, *, n_dev_errors: int, n_errors: int, tags) -> dict:
    """Return the numbers of the error sample that a run records and CI checks.

    Parameters
    ----------
    errors : pandas.DataFrame
        The sampled errors, first result of :func:`pool_errors`, with one boolean column per
        tag of `tags`.
    available : pandas.DataFrame
        The second result of :func:`pool_errors` (a ``"total"`` row, column ``n_errors``).
    n_dev_errors : int
        Errors of the current model on the dev set alone (the clips of unseen speakers), >= 0:
        what a sample drawn from the dev set could hold.
    n_errors : int
        The size of sample asked for (the `n_errors` passed to :func:`pool_errors`), >= 1.
    tags : sequence of str
        The tags to rank by their share of the sampled errors (in the notebook, the tags of
        the error-analysis table); ties go to the tag listed first.

    Returns
    -------
    dict
        ``error_pool_dev_errors`` (`n_dev_errors`), ``error_pool_available`` (errors in the
        pool), ``error_sample_size`` (errors sampled), ``error_sample_target``
        (`n_errors`), ``error_sample_top_tag`` (the tag most of the sampled errors carry),
        ``error_sample_top_share`` and its Wilson 95 % interval
        ``error_sample_top_share_ci_low``, ``error_sample_top_share_ci_high`` (shares
        rounded to 4 decimals). The same facts :func:`describe_error_sample` words.

    Raises
    ------
    ValueError
        If `errors` is empty, a tag of `tags` is not a column of `errors`, or `available`
        lacks its ``"total"`` row.

    Examples
    --------
    >>> import pandas as pd
    >>> errors = pd.DataFrame({"clean": [True, False, False], "people_noise": [False, True, True]})
    >>> available = pd.DataFrame({"n_errors": [3], "n_sampled": [3]}, index=["total"])
    >>> m = error_sample_metrics(errors, available, n_dev_errors=1, n_errors=3,
    ...                          tags=["clean", "people_noise"])
    >>> m["error_sample_top_tag"], m["error_sample_top_share"]
    ('people_noise', 0.6667)
    """
    func = "error_sample_metrics"
    describe_error_pool(available, n_errors=1)  # checks the table's shape
    n_dev_errors = check_int(n_dev_errors, "n_dev_errors", min_value=0, func=func)
    n_errors = check_int(n_errors, "n_errors", min_value=1, func=func)
    tags = [str(t) for t in tags]
    shares = error_tag_shares(errors, tag_columns=tags)
    counts = shares["n_errors"].reindex(tags)
    top = str(counts.idxmax())  # first of the tied maxima, in the order of `tags`
    row = shares.loc[top]
    return {
        "error_pool_dev_errors": n_dev_errors,
        "error_pool_available": int(available.loc["total", "n_errors"]),
        "error_sample_size": len(errors),
        "error_sample_target": n_errors,
        "error_sample_top_tag": top,
        "error_sample_top_share": round(float(row["share_of_errors"]), 4),
        "error_sample_top_share_ci_low": round(float(row["ci_low"]), 4),
        "error_sample_top_share_ci_high": round(float(row["ci_high"]), 4),
    }


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def describe_error_sample(sample, *, top_priority_tag: str) -> str:
    """Say where the ~100 errors come from and which tag most of them carry.

    Parameters
    ----------
    sample : dict
        From :func:`error_sample_metrics`.
    top_priority_tag : str
        The tag the error-analysis table ranks first (``error_analysis_metrics(table)
        ["top_priority_tag"]``).

    Returns
    -------
    str
        Markdown, two sentences: whether the dev set alone would have held the sample and
        whether the pool did; whether the tag most sampled errors carry is the table's top
        tag, with the share's interval.

    Raises
    ------
    KeyError
        If `sample` lacks a key of :func:`error_sample_metrics`.

    Examples
    --------
    >>> sample = dict(error_pool_dev_errors=30, error_pool_available=138, error_sample_size=100,
    ...               error_sample_target=100, error_sample_top_tag="people_noise",
    ...               error_sample_top_share=0.61, error_sample_top_share_ci_low=0.512,
    ...               error_sample_top_share_ci_high=0.7)
    >>> print(describe_error_sample(sample, top_priority_tag="people_noise")[:62])
    The dev set alone holds **30** errors of the current model, fe
    """
    dev, pool = sample["error_pool_dev_errors"], sample["error_pool_available"]
    size, target = sample["error_sample_size"], sample["error_sample_target"]
    if pool < target:
        where = (
            f"Even the out-of-fold predictions of every clip hold only **{pool}** errors, fewer "
            f"than the {target} asked for, so all {size} are in the sample: tag every one and "
            "read the shares with their intervals."
        )
    elif dev < target:
        where = (
            f"The dev set alone holds **{dev}** errors of the current model, fewer than the "
            f"{target} asked for; the out-of-fold predictions of every clip hold **{pool}**, each "
            f"made by a model that never heard the speaker, so the sample reaches **{size}**."
        )
    else:
        where = (
            f"The dev set alone holds **{dev}** errors, enough for the {target} asked for; the "
            f"sample is still drawn from the **{pool}** out-of-fold errors of every clip, so it "
            f"covers every speaker: **{size}** sampled."
        )
    top = sample["error_sample_top_tag"]
    share = (
        f"{_pct(sample['error_sample_top_share'])} of them, 95 % interval "
        f"{_pct(sample['error_sample_top_share_ci_low'])} to "
        f"{_pct(sample['error_sample_top_share_ci_high'])}"
    )
    if top == top_priority_tag:
        which = (
            f"The tag the sampled errors carry most often is **{top}** ({share}): the tag the "
            "table above ranks first, so listening starts where the table points."
        )
    else:
        which = (
            f"The tag the sampled errors carry most often is **{top}** ({share}), but the table "
            f"above ranks **{top_priority_tag}** first: a tag's share of the errors ignores how "
            "many of them people would get wrong too (HLP), its potential gain does not. Rank "
            "by the gain; listen for what the tags miss."
        )
    return f"{where} {which}"


def error_tag_shares(errors, *, tag_columns=None):
    """Return each tag's share of the errors (a sample may carry several tags).

    Parameters
    ----------
    errors : pandas.DataFrame
        As from :func:`sample_errors`, possibly with manual tags added in ``manual_tags``
        (comma-separated words).
    tag_columns : list of str, optional
        Boolean columns to count. Default: every boolean column.

    Returns
    -------
    pandas.DataFrame
        Index: tag. Columns ``n_errors``, ``share_of_errors`` (fraction of the sampled
        errors that carry the tag) and its Wilson 95 % interval ``ci_low``, ``ci_high``
        (the sample is ~100 errors, so a share is known to about +-10 points), sorted by
        share, largest first.

    Raises
    ------
    ValueError
        If `errors` is empty or a named column is missing.

    Notes
    -----
    The interval treats the sampled errors as a random sample of the model's errors
    (:func:`mlkit._stats.wilson_interval`); when the sample holds every error there is, it
    is conservative.
    """
    import pandas as pd

    if len(errors) == 0:
        raise ValueError(
            "error_tag_shares needs at least one error. Got an empty table (a perfect model?)."
        )
    if tag_columns is None:
        tag_columns = [c for c in errors.columns if errors[c].dtype == bool]
    missing = [c for c in tag_columns if c not in errors.columns]
    if missing:
        raise ValueError(
            f"error_tag_shares: the columns {missing} are not in the table. "
            f"Columns: {list(errors.columns)}."
        )
    counts = {c: int(errors[c].sum()) for c in tag_columns}
    if "manual_tags" in errors:
        for cell in errors["manual_tags"].fillna("").astype(str):
            for word in filter(None, (w.strip() for w in cell.split(","))):
                counts[word] = counts.get(word, 0) + 1
    out = pd.DataFrame({"n_errors": pd.Series(counts, dtype=np.int64)})
    out.index.name = "tag"
    out["share_of_errors"] = out["n_errors"] / len(errors)
    out["ci_low"], out["ci_high"] = wilson_interval(out["n_errors"].to_numpy(), len(errors))
    return out.sort_values("share_of_errors", ascending=False, kind="stable")


def save_error_tags(errors, path):
    """Write the tagged error sample as CSV (the headless stand-in for the tagging widget).

    Parameters
    ----------
    errors : pandas.DataFrame
        As from :func:`sample_errors`.
    path : path-like
        Target ``.csv``; parent folders are created. An existing file is replaced, so a
        re-run of the notebook keeps one current tag file.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    errors.to_csv(path, index=False)
    return path


def error_tagging_widget(errors, *, manual_tags=MANUAL_TAGS, path=None):
    """Build a small widget to add manual tags to the error sample, row by row.

    Parameters
    ----------
    errors : pandas.DataFrame
        As from :func:`sample_errors`. Its ``manual_tags`` column is edited in place when
        the user clicks; that is the point of the widget.
    manual_tags : sequence of str, default=MANUAL_TAGS
        Tags offered as toggle buttons (pass the same to :func:`load_error_tags` as
        `known_tags`).
    path : path-like, optional
        When given, a "save" button writes the table there with :func:`save_error_tags`;
        :func:`load_error_tags` reads it back (the round trip of ``error_tags.csv``).

    Returns
    -------
    ipywidgets.VBox
        Display it in the notebook.
    """
    import ipywidgets as w

    pos = w.BoundedIntText(value=0, min=0, max=max(len(errors) - 1, 0), description="row")
    info = w.HTML()
    buttons = [w.ToggleButton(description=t, value=False) for t in manual_tags]
    status = w.HTML()

    def show(_=None):
        r = errors.iloc[pos.value]
        info.value = (
            f"<b>{r['clip_id']}</b> ({r['speaker']}): true {r['y_true']}, predicted {r['y_pred']}"
        )
        current = {x.strip() for x in str(r["manual_tags"]).split(",") if x.strip()}
        for b in buttons:
            b.unobserve(toggle, names="value")
            b.value = b.description in current
            b.observe(toggle, names="value")

    def toggle(_=None):
        chosen = [b.description for b in buttons if b.value]
        errors.iloc[pos.value, errors.columns.get_loc("manual_tags")] = ",".join(chosen)

    for b in buttons:
        b.observe(toggle, names="value")
    pos.observe(show, names="value")
    items = [pos, info, w.HBox(buttons)]
    if path is not None:
        save = w.Button(description="save tags")

        def on_save(_):
            status.value = f"saved {save_error_tags(errors, path)}"

        save.on_click(on_save)
        items += [save, status]
    show()
    return w.VBox(items)
