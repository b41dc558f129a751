"""Skewed data: binary metrics, threshold sweeps and choices, the threshold view.

Serves the "Skewed data: the rare-class track" section of 03_modeling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_same_length
from mlkit.modeling._checks import _check_binary, _check_label_pair, _check_scores


def binary_metrics(y_true, y_pred, *, y_score=None, zero_division: float = 0.0) -> dict:
    """Return accuracy, precision, recall, F1 (and PR-AUC) of a binary classifier.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels, 1 = the rare positive class. Both classes must occur.
    y_pred : array-like of shape (n_samples,)
        0/1 predictions.
    y_score : array-like of shape (n_samples,), optional
        Scores for the positive class; adds ``pr_auc`` (average precision).
    zero_division : {0.0, 1.0}, default=0.0
        Value of precision when nothing is predicted positive (scikit-learn's
        ``zero_division``). Set explicitly, so no UndefinedMetricWarning is raised: a model
        that never says "positive" gets precision 0, not a warning.

    Returns
    -------
    dict
        ``accuracy``, ``precision``, ``recall``, ``f1``, ``tp``, ``fp``, ``fn``, ``tn``, and
        ``pr_auc`` when `y_score` is given.

    Raises
    ------
    ValueError
        If `y_true` has a single class or non-binary values, lengths differ, or `y_score`
        holds NaN.

    Examples
    --------
    >>> m = binary_metrics([0, 0, 0, 1], [0, 0, 0, 0])
    >>> m["accuracy"], m["recall"], m["precision"]
    (0.75, 0.0, 0.0)
    """
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
    )

    func = "binary_metrics"
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    y_true = _check_binary(y_true, func)
    y_pred = _check_binary(y_pred, func, need_both=False)
    zd = check_one_of(float(zero_division), "zero_division", {0.0, 1.0}, func=func)
    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision_score(y_true, y_pred, zero_division=zd)),
        "recall": float(recall_score(y_true, y_pred, zero_division=zd)),
        "f1": float(f1_score(y_true, y_pred, zero_division=zd)),
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
    }
    if y_score is not None:
        s = _check_scores(y_score, len(y_true), func)
        out["pr_auc"] = float(average_precision_score(y_true, s))
    return out


def threshold_sweep(y_true, y_score, *, cost_fp: float = 1.0, cost_fn: float = 10.0):
    """Tabulate precision, recall, the confusion matrix and cost at every distinct threshold.

    Precomputed once, so a threshold slider only looks a row up.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels, both classes present.
    y_score : array-like of shape (n_samples,)
        Finite scores for the positive class (higher = more likely positive).
    cost_fp : float, default=1.0
        Cost of one false positive (for example an unnecessary follow-up), >= 0.
    cost_fn : float, default=10.0
        Cost of one false negative (a missed positive), >= 0.

    Returns
    -------
    pandas.DataFrame
        One row per candidate threshold (predict positive when ``score >= threshold``),
        ascending: ``threshold``, ``tp``, ``fp``, ``fn``, ``tn``, ``precision`` (1.0 by
        convention when nothing is predicted positive, the end point of a PR curve),
        ``recall``, ``f1``, ``cost``. The first row predicts everything positive, the last
        (threshold = inf) nothing.

    Raises
    ------
    ValueError
        If `y_true` is single-class, lengths differ, or scores are NaN.
    """
    import pandas as pd

    func = "threshold_sweep"
    y_true = _check_binary(y_true, func)
    s = _check_scores(y_score, len(y_true), func)
    cost_fp = check_float(cost_fp, "cost_fp", low=0, func=func)
    cost_fn = check_float(cost_fn, "cost_fn", low=0, func=func)
    thresholds = np.append(np.unique(s), np.inf)
    order = np.argsort(s, kind="stable")
    s_sorted, y_sorted = s[order], y_true[order]
    # positives with score >= t: total minus those strictly below t
    below = np.searchsorted(s_sorted, thresholds, side="left")
    cum_pos = np.concatenate([[0], np.cumsum(y_sorted)])
    n_pos = int(y_true.sum())
    n_neg = y_true.size - n_pos
    fn = cum_pos[below]
    tp = n_pos - fn
    tn = below - fn
    fp = n_neg - tn
    predicted = tp + fp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 1.0)
        recall = tp / n_pos
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "cost": cost_fp * fp + cost_fn * fn,
        }
    )


def threshold_for_recall(y_true, y_score, *, target_recall: float = 0.9) -> float:
    """Return the highest threshold whose recall reaches `target_recall`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels, both classes present.
    y_score : array-like of shape (n_samples,)
        Finite positive-class scores.
    target_recall : float, default=0.9
        Required recall, in (0, 1].

    Returns
    -------
    float
        Threshold; predict positive when ``score >= threshold``. The highest such
        threshold keeps precision as high as the recall target allows.

    Raises
    ------
    ValueError
        For single-class `y_true`, NaN scores or `target_recall` outside (0, 1].

    Examples
    --------
    >>> threshold_for_recall([0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8], target_recall=1.0)
    0.4
    """
    target = check_float(
        target_recall,
        "target_recall",
        low=0,
        high=1,
        inclusive=(False, True),
        func="threshold_for_recall",
    )
    sweep = threshold_sweep(y_true, y_score)
    ok = sweep[sweep["recall"] >= target - 1e-12]
    return float(ok["threshold"].max())


def threshold_for_cost(y_true, y_score, *, cost_fp: float = 1.0, cost_fn: float = 10.0) -> float:
    """Return the threshold with the lowest total cost ``cost_fp * FP + cost_fn * FN``.

    Parameters
    ----------
    y_true, y_score : array-like of shape (n_samples,)
        See :func:`threshold_sweep`.
    cost_fp, cost_fn : float
        Cost of one false positive / false negative, >= 0.

    Returns
    -------
    float
        The cheapest threshold (the highest one among ties, fewer alarms).

    Raises
    ------
    ValueError
        As :func:`threshold_sweep`.
    """
    sweep = threshold_sweep(y_true, y_score, cost_fp=cost_fp, cost_fn=cost_fn)
    best = sweep["cost"].min()
    return float(sweep.loc[sweep["cost"] == best, "threshold"].max())


@dataclass(repr=False)
class ThresholdChoice:
    """A threshold chosen on out-of-fold scores and scored once on a held-out test split.

    Attributes
    ----------
    threshold_recall, threshold_cost : float
        Highest threshold reaching the recall target; cheapest threshold.
    tune, test : ndarray of int
        Row positions of the tuning rows and of the held-out test rows.
    y_tune, score_tune : ndarray of shape (n_tune,)
        Labels and out-of-fold scores of the tuning rows (what the thresholds were chosen on).
    y_test, score_test : ndarray of shape (n_test,)
        Labels and scores of the test rows, by `model`.
    model : estimator
        The estimator fitted on all tuning rows.
    test_metrics, test_metrics_cost : dict
        :func:`binary_metrics` on the test rows at `threshold_recall` and `threshold_cost`.
    """

    threshold_recall: float
    threshold_cost: float
    tune: np.ndarray
    test: np.ndarray
    y_tune: np.ndarray
    score_tune: np.ndarray
    y_test: np.ndarray
    score_test: np.ndarray
    model: object
    test_metrics: dict
    test_metrics_cost: dict

    def __repr__(self) -> str:
        return (
            f"ThresholdChoice(recall-target threshold {self.threshold_recall:.3f}, cheapest "
            f"{self.threshold_cost:.3f}; tuned on {len(self.tune)} rows, tested on "
            f"{len(self.test)} rows with {int(self.y_test.sum())} positives)"
        )


def _rows_of(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else np.asarray(X)[idx]


def tune_threshold(
    estimator,
    X,
    y,
    *,
    target_recall: float = 0.9,
    cost_fp: float = 1.0,
    cost_fn: float = 10.0,
    test_size: float = 0.3,
    n_splits: int = 5,
    random_state=0,
) -> ThresholdChoice:
    """Choose a threshold on out-of-fold scores, then score it once on a held-out test split.

    A threshold tuned and scored on the same rows overstates recall and precision. Here a
    stratified, seeded test split is held out first; thresholds are chosen on out-of-fold
    (stratified `n_splits`-fold) scores of the remaining rows; the estimator is refitted on
    all of them and scored on the test rows only.

    Parameters
    ----------
    estimator : estimator
        Unfitted classifier with ``predict_proba``.
    X : array-like or pandas.DataFrame of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        0/1 labels, 1 = the rare positive class; both classes present.
    target_recall : float, default=0.9
        Recall the threshold must reach on the tuning rows, in (0, 1].
    cost_fp, cost_fn : float, default=1.0 and 10.0
        Cost of one false positive / false negative for the cheapest threshold, >= 0.
    test_size : float, default=0.3
        Share of rows held out for testing, in (0, 1).
    n_splits : int, default=5
        Cross-validation folds on the tuning rows, at least 2.
    random_state : int, default=0
        Seeds the test split and the folds.

    Returns
    -------
    ThresholdChoice

    Raises
    ------
    ValueError
        For single-class or non-binary `y`, mismatched lengths, a split without positives,
        or parameters out of range.

    See Also
    --------
    threshold_for_recall, threshold_for_cost : the choice rules, applied to the tuning rows.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

    func = "tune_threshold"
    y = _check_binary(y, func)
    check_same_length(func, X=X, y=y)
    test_size = check_float(
        test_size, "test_size", low=0, high=1, inclusive=(False, False), func=func
    )
    n_splits = check_int(n_splits, "n_splits", min_value=2, func=func)
    seed = check_int(random_state, "random_state", min_value=0, func=func)
    tune, test = train_test_split(
        np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
    )
    tune, test = np.sort(tune), np.sort(test)
    if y[test].sum() == 0 or y[tune].sum() < n_splits:
        raise ValueError(
            f"{func} needs positives in the test split and at least {n_splits} in the tuning "
            f"rows. Got {int(y[test].sum())} and {int(y[tune].sum())}: use more data or a "
            "different test_size."
        )
    X_tune, y_tune = _rows_of(X, tune), y[tune]
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    score_tune = cross_val_predict(clone(estimator), X_tune, y_tune, cv=cv, method="predict_proba")[
        :, 1
    ]
    t_recall = threshold_for_recall(y_tune, score_tune, target_recall=target_recall)
    t_cost = threshold_for_cost(y_tune, score_tune, cost_fp=cost_fp, cost_fn=cost_fn)
    model = clone(estimator).fit(X_tune, y_tune)
    score_test = model.predict_proba(_rows_of(X, test))[:, 1]
    y_test = y[test]

    def at(t):
        return binary_metrics(y_test, (score_test >= t).astype(int), y_score=score_test)

    return ThresholdChoice(
        t_recall,
        t_cost,
        tune,
        test,
        y_tune,
        score_tune,
        y_test,
        score_test,
        model,
        at(t_recall),
        at(t_cost),
    )


def plot_threshold_view(sweep, threshold: float, *, pr_auc: float | None = None):
    """Draw the PR curve with the current point, the confusion matrix and cost vs threshold.

    Parameters
    ----------
    sweep : pandas.DataFrame
        From :func:`threshold_sweep`.
    threshold : float
        Current threshold; the row with the largest threshold <= it is shown.
    pr_auc : float, optional
        Shown in the PR panel's title.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    threshold_view_renderer : the same view, redrawn in place for a slider.
    """
    return _ThresholdView(sweep, pr_auc=pr_auc).update(threshold)


class _ThresholdView:
    """One figure built once; a new threshold only moves its markers and texts."""

    def __init__(self, sweep, *, pr_auc=None):
        import matplotlib.pyplot as plt

        self.sweep = sweep
        self.t = sweep["threshold"].to_numpy()
        self.cols = {
            c: sweep[c].to_numpy() for c in ("tp", "fp", "fn", "tn", "precision", "recall", "cost")
        }
        fig = plt.figure(figsize=(12, 3.6))
        axes = fig.subplots(1, 3)
        ax = axes[0]
        ax.step(self.cols["recall"], self.cols["precision"], where="post", color="tab:blue")
        (self.point,) = ax.plot([0], [0], "o", color="tab:red", ms=9)
        ax.set(xlabel="recall", ylabel="precision", xlim=(-0.02, 1.02), ylim=(0, 1.05))
        ax.set_title("PR curve" + (f" (PR-AUC {pr_auc:.2f})" if pr_auc else ""))
        ax = axes[1]
        self.image = ax.imshow(np.zeros((2, 2)), cmap="Blues", vmin=0, vmax=1)
        self.cells = [
            [ax.text(c, r, "", ha="center", va="center", fontsize=14) for c in (0, 1)]
            for r in (0, 1)
        ]
        ax.set(
            xticks=[0, 1],
            yticks=[0, 1],
            xticklabels=["pred 0", "pred 1"],
            yticklabels=["true 0", "true 1"],
        )
        self.cm_ax = ax
        ax = axes[2]
        finite = np.isfinite(self.t)
        ax.plot(self.t[finite], self.cols["cost"][finite], color="tab:gray")
        self.vline = ax.axvline(0.5, color="tab:red")
        ax.set(xlabel="threshold", ylabel="cost")
        self.cost_ax = ax
        fig.tight_layout()
        self.fig = fig

    def update(self, threshold):
        i = max(int(np.searchsorted(self.t, threshold, side="right")) - 1, 0)
        c = {k: v[i] for k, v in self.cols.items()}
        self.point.set_data([c["recall"]], [c["precision"]])
        cm = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]], dtype=float)
        self.image.set_data(cm / max(cm.max(), 1) / 1.6)
        for (r, k), v in np.ndenumerate(cm):
            self.cells[r][k].set_text(str(int(v)))
        self.cm_ax.set_title(
            f"threshold {threshold:.2f}: P {c['precision']:.2f}, R {c['recall']:.2f}"
        )
        self.vline.set_xdata([threshold, threshold])
        self.cost_ax.set_title(f"cost {c['cost']:.0f}")
        return self.fig


def threshold_view_renderer(sweep, *, pr_auc: float | None = None, dpi: int = 72):
    """Return ``render(threshold)`` for :func:`mlkit.widgets.show_panel`, fast enough for a slider.

    The figure of :func:`plot_threshold_view` is built once; each call only moves the
    PR-curve point, the confusion-matrix counts and the cost marker, and encodes a PNG.

    Parameters
    ----------
    sweep : pandas.DataFrame
        From :func:`threshold_sweep` (precomputed once).
    pr_auc : float, optional
        Shown in the PR panel's title.
    dpi : int, default=72
        Resolution of the PNG; lower is faster.

    Returns
    -------
    callable
        ``render(threshold: float) -> IPython.display.Image``.

    Examples
    --------
    >>> sweep = threshold_sweep([0, 1, 0, 1], [0.1, 0.8, 0.4, 0.6])
    >>> render = threshold_view_renderer(sweep)
    >>> type(render(0.5)).__name__
    'Image'
    """
    from mlkit.widgets import BlitCanvas

    view = _ThresholdView(sweep, pr_auc=pr_auc)
    moving = [view.point, view.image, view.vline, view.cm_ax.title, view.cost_ax.title]
    moving += [t for row in view.cells for t in row]
    canvas = BlitCanvas(view.fig, animated=moving, dpi=dpi)

    def render(threshold: float):
        view.update(float(threshold))
        return canvas.frame(moving)

    return render


def recall_interval(y_true, y_pred, *, confidence: float = 0.95) -> dict:
    """Return recall with its exact (Clopper-Pearson) interval and the counts behind it.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        0/1 labels and predictions, 1 = the rare positive class.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    dict
        ``n_positive``, ``tp``, ``recall``, ``recall_ci_low``, ``recall_ci_high``; recall and
        its bounds are NaN when there is no positive (recall is undefined, not 0).

    Raises
    ------
    ValueError
        For non-binary or mismatched inputs, or `confidence` outside (0, 1).

    Notes
    -----
    Recall is a proportion of the positives, so its interval is the binomial one of
    :meth:`scipy.stats.binomtest` (``method="exact"``, Clopper & Pearson 1934). With 6
    positives each one moves recall by 1/6 and the interval spans most of [0, 1].

    Examples
    --------
    >>> r = recall_interval([1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0, 0])
    >>> r["tp"], r["n_positive"], round(r["recall_ci_low"], 3), round(r["recall_ci_high"], 3)
    (4, 6, 0.223, 0.957)
    """
    from scipy.stats import binomtest

    func = "recall_interval"
    y_true, y_pred = _check_label_pair(y_true, y_pred, func)
    y_true = _check_binary(y_true, func, need_both=False)
    y_pred = _check_binary(y_pred, func, need_both=False)
    conf = check_float(confidence, "confidence", low=0, high=1, inclusive=(False, False), func=func)
    n_pos = int(y_true.sum())
    tp = int(((y_true == 1) & (y_pred == 1)).sum())
    if n_pos == 0:
        return {
            "n_positive": 0,
            "tp": 0,
            "recall": np.nan,
            "recall_ci_low": np.nan,
            "recall_ci_high": np.nan,
        }
    ci = binomtest(tp, n_pos).proportion_ci(confidence_level=conf, method="exact")
    return {
        "n_positive": n_pos,
        "tp": tp,
        "recall": tp / n_pos,
        "recall_ci_low": float(ci.low),
        "recall_ci_high": float(ci.high),
    }


def threshold_table(choice, *, target_recall: float, cost_fn: float, confidence: float = 0.95):
    """Tabulate the two chosen thresholds on the test split, with recall's interval.

    Parameters
    ----------
    choice : ThresholdChoice
        From :func:`tune_threshold`.
    target_recall : float
        The recall target the threshold was chosen for (on the tuning rows), in (0, 1].
    cost_fn : float
        The cost of a miss, in false alarms, the cheapest threshold was chosen for.
    confidence : float, default=0.95
        Coverage of the recall interval, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Index: ``"recall >= <target> on tuning OOF @ <threshold>"`` and ``"cheapest (miss =
        <cost_fn> alarms) @ <threshold>"``. Columns: ``tuning_recall`` (recall on the tuning
        rows' out-of-fold scores, where the threshold was chosen), then the test split's
        :func:`binary_metrics` plus ``n_positive``, ``recall_ci_low`` and ``recall_ci_high``
        (:func:`recall_interval`).

    Examples
    --------
    >>> from mlkit.datasets import load_rare_class
    >>> from mlkit.modeling import make_model
    >>> tab = load_rare_class()
    >>> c = tune_threshold(make_model("logreg", C=0.1, class_weight="balanced"), tab.X, tab.y)
    >>> t = threshold_table(c, target_recall=0.9, cost_fn=10.0)
    >>> bool(t.iloc[0]["tuning_recall"] >= 0.9), int(t.iloc[0]["n_positive"])
    (True, 6)
    """
    import pandas as pd

    rows = {}
    named = [
        (
            f"recall >= {target_recall:g} on tuning OOF @ {choice.threshold_recall:.3f}",
            choice.threshold_recall,
        ),
        (
            f"cheapest (miss = {cost_fn:g} alarms) @ {choice.threshold_cost:.3f}",
            choice.threshold_cost,
        ),
    ]
    for name, t in named:
        tune_pred = (choice.score_tune >= t).astype(int)
        test_pred = (choice.score_test >= t).astype(int)
        row = {"tuning_recall": recall_interval(choice.y_tune, tune_pred)["recall"]}
        row.update(binary_metrics(choice.y_test, test_pred, y_score=choice.score_test))
        ri = recall_interval(choice.y_test, test_pred, confidence=confidence)
        row.update({k: ri[k] for k in ("n_positive", "recall_ci_low", "recall_ci_high")})
        rows[name] = row
    return pd.DataFrame(rows).T


def describe_threshold_choice(
    choice, *, target_recall: float, confidence: float = 0.95, default_threshold: float = 0.5
) -> str:
    """Say in markdown why the recall-target threshold can miss its target on the test split.

    Parameters
    ----------
    choice : ThresholdChoice
        From :func:`tune_threshold`.
    target_recall : float
        The recall target, in (0, 1].
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).
    default_threshold : float, default=0.5
        The untuned threshold the tuned one is compared with on the test split.

    Returns
    -------
    str
        One markdown paragraph: recall on the tuning rows' out-of-fold scores (where the
        threshold was chosen), recall on the test split with its count of positives and
        Clopper-Pearson interval, whether that interval is consistent with the target, and
        whether the default threshold caught more test positives than the tuned one.

    Examples
    --------
    >>> from mlkit.datasets import load_rare_class
    >>> from mlkit.modeling import make_model
    >>> tab = load_rare_class()
    >>> c = tune_threshold(make_model("logreg", C=0.1, class_weight="balanced"), tab.X, tab.y)
    >>> describe_threshold_choice(c, target_recall=0.9)[:33]
    'The recall-target threshold 0.599'
    """
    t = choice.threshold_recall
    tune = recall_interval(choice.y_tune, (choice.score_tune >= t).astype(int))
    test = recall_interval(
        choice.y_test, (choice.score_test >= t).astype(int), confidence=confidence
    )
    pct = f"{100 * confidence:g} %"
    text = (
        f"The recall-target threshold {t:.3f} was chosen on the out-of-fold scores of the "
        f"tuning rows, where it reaches recall **{tune['recall']:.3f}** ({tune['tp']} of "
        f"{tune['n_positive']} positives; target {target_recall:g}). On the test split it "
        f"catches **{test['tp']} of {test['n_positive']}** positives: recall "
        f"{test['recall']:.3f}, {pct} interval {test['recall_ci_low']:.2f}-"
        f"{test['recall_ci_high']:.2f} (Clopper-Pearson). "
    )
    if test["n_positive"] == 0:
        return text + "With no positive in the test split, recall there is undefined."
    step = 1 / test["n_positive"]
    if test["recall_ci_low"] <= target_recall <= test["recall_ci_high"]:
        verdict = (
            f"The interval contains the target: with {test['n_positive']} positives each one "
            f"moves recall by {step:.3f}, so the test split can neither confirm nor refute "
            "the target; only more positives can."
        )
    elif test["recall_ci_high"] < target_recall:
        verdict = (
            "The whole interval lies below the target: the threshold misses it on new rows, "
            "beyond what the few positives explain."
        )
    else:
        verdict = "The whole interval lies above the target: the threshold meets it on new rows."
    return text + verdict + " " + _versus_default(choice, t, test, default_threshold)


def _versus_default(choice, t, test, default):
    """One sentence: test recall of the tuned threshold `t` against the default one."""
    at_default = recall_interval(choice.y_test, (choice.score_test >= default).astype(int))
    n = test["n_positive"]
    if at_default["tp"] > test["tp"]:
        diff = at_default["tp"] - test["tp"]
        return (
            f"The default threshold {default:g} catches more test positives "
            f"(**{at_default['tp']} of {n}**, recall {at_default['recall']:.3f}) than the "
            f"tuned {t:.3f}: a higher threshold can only catch as many or fewer, and the tuned "
            "one is the highest that reached the target on the tuning rows. With only "
            f"{n} test positives the difference is {diff} positive{'s' if diff > 1 else ''}, "
            "too few to say that the tuned threshold recalls less on new rows."
        )
    return (
        f"The default threshold {default:g} catches {at_default['tp']} of {n} (recall "
        f"{at_default['recall']:.3f}): no more than the tuned one."
    )
