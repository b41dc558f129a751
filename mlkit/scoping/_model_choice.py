"""Value: which model? Important segments and the business goal, not average accuracy.

Serves the notebook section "Value: pick the model by the business goal, not by test accuracy".
Every candidate model of the kit predicts every clip out of fold on unseen speakers; the
candidate with the highest accuracy is then compared with the best *other* candidate on two
business metrics fixed by the scenario before any model is compared: a weighted accuracy in
which one segment (a request for help) counts more than its share, and the net value of the
notebook's cost matrix (a false "confirm" costs more than an ordinary error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mlkit._models import MODELS, make_model, quick_model
from mlkit._stats import wilson_interval
from mlkit._validation import check_float, check_int, check_random_state, check_same_length
from mlkit.scoping._checks import _check_cost

__all__ = [
    "NEVER",
    "ModelChoice",
    "candidate_predictions",
    "choose_model",
    "describe_segment_choice",
    "describe_business_choice",
    "plot_model_choice",
]

NEVER = "never"
"""Break-even weight when no weight makes the challenger win (it recalls the segment no better)."""

QUICK_MODEL_NAME = "quick model"


def candidate_predictions(X, y, *, groups, n_folds: int = 5, models=None, random_state=0):
    """Predict every sample out of fold with each candidate model, on unseen groups.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features (for example :func:`mlkit.features.mfcc_features`).
    y : array-like of shape (n_samples,)
        Class labels.
    groups : array-like of shape (n_samples,)
        Speaker per sample: a sample's speaker is never in the training folds.
    n_folds : int, default=5
        Folds of :class:`~sklearn.model_selection.StratifiedGroupKFold`, >= 2.
    models : dict of str to estimator, optional
        Candidates, unfitted. Default: every model of :data:`mlkit.modeling.MODELS`, with the
        notebook's :func:`quick_model` as ``"quick model"`` in place of ``"logreg"``, fixed
        before any of them is scored.
    random_state : int, default=0
        Seed of the folds (the same split as :func:`cross_validate_quick_model`, so the quick
        model's predictions equal that function's ``y_pred``) and of random models.

    Returns
    -------
    pandas.DataFrame of shape (n_samples, n_models)
        Out-of-fold predicted labels, one column per candidate.

    Raises
    ------
    ValueError
        If lengths differ or `n_folds` < 2.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    func = "candidate_predictions"
    check_same_length(func, X=X, y=y, groups=groups)
    n_folds = check_int(n_folds, "n_folds", min_value=2, func=func)
    seed = check_int(random_state, "random_state", min_value=0, func=func)
    if models is None:
        models = {
            (QUICK_MODEL_NAME if name == "logreg" else name): (
                quick_model(random_state=seed)
                if name == "logreg"
                else make_model(name, random_state=seed)
            )
            for name in MODELS
        }
    folds = list(StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed).split(X, y, groups))
    return pd.DataFrame(
        {name: cross_val_predict(model, X, y, cv=folds) for name, model in models.items()}
    )


@dataclass(frozen=True)
class ModelChoice:
    """The candidates' scores and the two comparisons of :func:`choose_model`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate (index: name), sorted by accuracy (best first, ties in the
        candidates' order): ``accuracy``, ``segment_recall`` with ``segment_recall_low`` /
        ``_high`` (Wilson 95 %), ``weighted_accuracy``, ``false_confirm_rate`` and
        ``business_value_per_1000`` (USD).
    accuracy_pick : str
        The candidate with the highest accuracy (the first in the candidates' order on a tie).
    segment : dict
        Accuracy pick vs ``challenger``, the best *other* candidate on weighted accuracy:
        ``challenger``, ``accuracy_lead`` (pick minus challenger, >= 0), ``recall_gap``
        (challenger minus pick on the segment), ``weighted_gain`` (challenger minus pick) with
        ``weighted_gain_ci_low`` / ``_high`` (paired bootstrap 95 %), ``break_even_weight``
        (the lowest weight at which any other candidate overtakes the pick, or :data:`NEVER`)
        and ``break_even_model`` (that candidate, or ""), ``pick_differs`` and ``resolved``
        (the interval excludes 0).
    business : dict
        Accuracy pick vs ``challenger``, the best other candidate on net value:
        ``challenger``, ``accuracy_lead``, ``false_confirm_excess`` (pick minus challenger,
        per request), ``tolerance_ratio`` (``(value + error) / (confirm - error)``),
        ``value_gain_per_1000`` (challenger minus pick, USD) with ``value_gain_ci_low`` /
        ``_high``, ``pick_differs`` and ``resolved``.
    scenario : dict
        The scenario's numbers: ``segment_label``, ``segment_weight``, ``value_usd``,
        ``error_usd``, ``confirm_usd``, ``confirm_label``, ``n_segment`` (samples in the
        segment), ``n_samples``.
    """

    table: object
    accuracy_pick: str
    segment: dict = field(default_factory=dict)
    business: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)

    def records(self) -> dict:
        """Return the metrics the notebook records, keyed by metric name.

        Returns
        -------
        dict of str to float, bool or str
            ``help_weight``, ``segment_*`` and ``business_*`` metrics (see ``nbs_ci.yml``).
        """
        s, b = self.segment, self.business
        return {
            "help_weight": float(self.scenario["segment_weight"]),
            "segment_accuracy_lead": s["accuracy_lead"],
            "segment_weighted_gain": s["weighted_gain"],
            "segment_weighted_gain_ci_low": s["weighted_gain_ci_low"],
            "segment_weighted_gain_ci_high": s["weighted_gain_ci_high"],
            "segment_break_even_weight": s["break_even_weight"],
            "segment_pick_differs": s["pick_differs"],
            "segment_gain_resolved": s["resolved"],
            "business_accuracy_lead": b["accuracy_lead"],
            "business_false_confirm_excess": b["false_confirm_excess"],
            "business_tolerance_ratio": b["tolerance_ratio"],
            "business_value_gain_per_1000": b["value_gain_per_1000"],
            "business_value_gain_ci_low": b["value_gain_ci_low"],
            "business_value_gain_ci_high": b["value_gain_ci_high"],
            "business_pick_differs": b["pick_differs"],
            "business_gain_resolved": b["resolved"],
            "best_candidate_accuracy": float(self.table["accuracy"].iloc[0]),
        }


def _bootstrap_ci(stat, n_samples, n_boot, rng):
    idx = rng.integers(0, n_samples, size=(n_boot, n_samples))
    values = stat(idx)
    lo, hi = np.quantile(values, [0.025, 0.975])
    return float(lo), float(hi)


def choose_model(
    y_true,
    predictions,
    *,
    segment_label,
    segment_weight: float,
    value_usd: float,
    error_usd: float,
    confirm_usd: float,
    confirm_label=1,
    n_boot: int = 2000,
    random_state=0,
) -> ModelChoice:
    """Compare candidates on accuracy, a segment-weighted accuracy and the net business value.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    predictions : pandas.DataFrame of shape (n_samples, n_models)
        Out-of-fold predictions, one column per candidate (:func:`candidate_predictions`);
        at least two columns.
    segment_label : label
        The class whose requests matter more than their share (the help command).
    segment_weight : float
        How many ordinary requests one request of the segment counts as, >= 1. Fixed by the
        scenario before any model is compared.
    value_usd, error_usd, confirm_usd : float
        The notebook's cost matrix: value of a correct request, cost of an error, cost of a
        wrong `confirm_label` (a false confirm), each >= 0, USD per request.
    confirm_label : label, default=1
        The class that confirms a transaction.
    n_boot : int, default=2000
        Paired bootstrap resamples of the samples, >= 100.
    random_state : int or numpy.random.Generator, default=0
        Seed of the bootstrap.

    Returns
    -------
    ModelChoice

    Raises
    ------
    ValueError
        If lengths differ, fewer than two candidates are given, the segment has no sample,
        `segment_weight` < 1 or a cost is negative.

    Notes
    -----
    Weighted accuracy: :func:`sklearn.metrics.accuracy_score` with sample weight
    `segment_weight` on the segment and 1 elsewhere. With ``a_s`` and ``a_o`` the pick's
    accuracy lead over another candidate on the segment and on the rest (``n_s``, ``n_o``
    samples), that candidate wins the weighted metric once the weight exceeds
    ``w* = n_o a_o / (n_s (-a_s))``, defined when ``a_s < 0`` (it recalls the segment
    better); otherwise no weight makes it win. The pick changes exactly when the weight
    exceeds the lowest ``w*`` over the other candidates (:data:`NEVER` when none has one).

    Net value per request with this cost matrix is
    ``value * acc - error * (1 - acc - fc) - confirm * fc`` (``fc``: share of requests falsely
    heard as `confirm_label`), so the pick's value lead over the challenger is
    ``(value + error) * lead_acc - (confirm - error) * excess_fc``: the more accurate model
    earns less exactly when its extra false confirms exceed
    ``(value + error) / (confirm - error)`` times its accuracy lead (cost-sensitive
    evaluation, Elkan 2001). Intervals: paired bootstrap over samples (the same resampled
    clips for both models; speakers are not resampled).

    Examples
    --------
    >>> import pandas as pd
    >>> y = np.array([0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    >>> a, b = [1, 1, 1, 1, 2, 2, 2, 2, 2, 2], [0, 0, 1, 1, 2, 2, 2, 0, 0, 0]
    >>> preds = pd.DataFrame({"a": a, "b": b})
    >>> c = choose_model(y, preds, segment_label=0, segment_weight=10.0,
    ...                  value_usd=0.5, error_usd=2.0, confirm_usd=20.0)
    >>> c.accuracy_pick, c.segment["challenger"], c.segment["pick_differs"]
    ('a', 'b', True)
    >>> round(c.segment["break_even_weight"], 2)
    1.5
    """
    import pandas as pd
    from sklearn.metrics import accuracy_score

    func = "choose_model"
    y = np.asarray(y_true)
    check_same_length(func, y_true=y, predictions=predictions)
    if predictions.shape[1] < 2:
        raise ValueError(
            f"The 'predictions' parameter of {func} must hold at least two candidates. "
            f"Got {predictions.shape[1]} column(s)."
        )
    weight = check_float(segment_weight, "segment_weight", low=1.0, func=func)
    value, error, confirm = (
        _check_cost(value_usd, "value_usd"),
        _check_cost(error_usd, "error_usd"),
        _check_cost(confirm_usd, "confirm_usd"),
    )
    n_boot = check_int(n_boot, "n_boot", min_value=100, func=func)
    rng = check_random_state(random_state)
    in_segment = y == segment_label
    n_seg = int(in_segment.sum())
    if n_seg == 0:
        raise ValueError(
            f"The segment {segment_label!r} of {func} has no sample in 'y_true'; its recall "
            "cannot be measured. Pick a label that occurs."
        )
    w = np.where(in_segment, weight, 1.0)
    correct = {name: predictions[name].to_numpy() == y for name in predictions.columns}
    false_confirm = {
        name: (predictions[name].to_numpy() == confirm_label) & (y != confirm_label)
        for name in predictions.columns
    }
    # per-request net value (USD): value if right, minus the cost of the error made
    gain = {
        name: np.where(c, value, -np.where(false_confirm[name], confirm, error))
        for name, c in correct.items()
    }
    rows = {}
    for name, c in correct.items():
        k = int(c[in_segment].sum())
        lo, hi = wilson_interval(k, n_seg)
        rows[name] = {
            "accuracy": float(c.mean()),
            "segment_recall": k / n_seg,
            "segment_recall_low": lo,
            "segment_recall_high": hi,
            "weighted_accuracy": float(accuracy_score(y, predictions[name], sample_weight=w)),
            "false_confirm_rate": float(false_confirm[name].mean()),
            "business_value_per_1000": 1000 * float(gain[name].mean()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    order = np.argsort(-table["accuracy"].to_numpy(), kind="stable")
    table = table.iloc[order]
    pick = str(table.index[0])
    others = table.drop(index=pick)
    n = len(y)

    seg_ch = str(others["weighted_accuracy"].idxmax())
    n_rest = n - n_seg
    break_even, break_even_model = NEVER, ""
    for name in others.index:
        d_seg = float(correct[pick][in_segment].mean() - correct[name][in_segment].mean())
        d_rest = float(correct[pick][~in_segment].mean() - correct[name][~in_segment].mean())
        if d_seg < 0:
            w_star = max(0.0, n_rest * d_rest / (n_seg * -d_seg))
            if break_even == NEVER or w_star < break_even:
                break_even, break_even_model = w_star, str(name)
    diff_w = (correct[seg_ch].astype(float) - correct[pick]) * w
    seg_gain = float(diff_w.sum() / w.sum())
    lo, hi = _bootstrap_ci(lambda i: diff_w[i].sum(axis=1) / w[i].sum(axis=1), n, n_boot, rng)
    segment = {
        "challenger": seg_ch,
        "accuracy_lead": float(table.loc[pick, "accuracy"] - table.loc[seg_ch, "accuracy"]),
        "recall_gap": float(
            table.loc[seg_ch, "segment_recall"] - table.loc[pick, "segment_recall"]
        ),
        "weighted_gain": seg_gain,
        "weighted_gain_ci_low": lo,
        "weighted_gain_ci_high": hi,
        "break_even_weight": break_even,
        "break_even_model": break_even_model,
        "pick_differs": seg_gain > 0,
        "resolved": lo > 0 or hi < 0,
    }

    bus_ch = str(others["business_value_per_1000"].idxmax())
    diff_v = gain[bus_ch] - gain[pick]
    lo, hi = _bootstrap_ci(lambda i: 1000 * diff_v[i].mean(axis=1), n, n_boot, rng)
    value_gain = 1000 * float(diff_v.mean())
    business = {
        "challenger": bus_ch,
        "accuracy_lead": float(table.loc[pick, "accuracy"] - table.loc[bus_ch, "accuracy"]),
        "false_confirm_excess": float(
            table.loc[pick, "false_confirm_rate"] - table.loc[bus_ch, "false_confirm_rate"]
        ),
        "tolerance_ratio": (value + error) / (confirm - error) if confirm > error else math.inf,
        "value_gain_per_1000": value_gain,
        "value_gain_ci_low": lo,
        "value_gain_ci_high": hi,
        "pick_differs": value_gain > 0,
        "resolved": lo > 0 or hi < 0,
    }
    scenario = {
        "segment_label": segment_label,
        "segment_weight": weight,
        "value_usd": value,
        "error_usd": error,
        "confirm_usd": confirm,
        "confirm_label": confirm_label,
        "n_segment": n_seg,
        "n_samples": n,
    }
    return ModelChoice(table, pick, segment, business, scenario)


def _noise_sentence(lo, hi, resolved, unit, what, a, b) -> str:
    interval = f"95 % paired-bootstrap interval of the difference, {lo:{unit}} to {hi:{unit}}"
    if resolved:
        return (
            f"The difference between {a} and {b} is larger than the noise of these clips "
            f"({interval}, excludes 0)."
        )
    return (
        f"But the {interval}, contains 0: on these clips {a} and {b} are not told apart, so "
        f"before committing, measure both on more {what}."
    )


def describe_segment_choice(choice: ModelChoice) -> str:
    """Say whether the accuracy winner also wins the segment-weighted metric, and how to pick.

    Parameters
    ----------
    choice : ModelChoice
        From :func:`choose_model`.

    Returns
    -------
    str
        Markdown: which candidate wins on accuracy, whether it loses the weighted metric to the
        challenger (and at which weight the pick changes, or that none does), the
        challenger's recall of the segment with its interval, and whether the difference is
        above the bootstrap noise.

    Examples
    --------
    >>> import pandas as pd
    >>> y = np.array([0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    >>> a, b = [1, 1, 1, 1, 2, 2, 2, 2, 2, 2], [0, 0, 1, 1, 2, 2, 2, 0, 0, 0]
    >>> preds = pd.DataFrame({"a": a, "b": b})
    >>> c = choose_model(y, preds, segment_label=0, segment_weight=10.0,
    ...                  value_usd=0.5, error_usd=2.0, confirm_usd=20.0)
    >>> describe_segment_choice(c)[:61]
    '**a wins on average accuracy (0.800 vs 0.700 for b) but loses'
    """
    s, sc, t = choice.segment, choice.scenario, choice.table
    a, b = choice.accuracy_pick, s["challenger"]
    label, w = sc["segment_label"], sc["segment_weight"]

    def recall(name):
        r = t.loc[name]
        return (
            f"{r['segment_recall']:.2f} ({r['segment_recall_low']:.2f} to "
            f"{r['segment_recall_high']:.2f})"
        )

    seg = f"help requests (digit {label}, {sc['n_segment']} clips)"
    if s["pick_differs"]:
        if s["accuracy_lead"] > 0:
            head = f"**{a} wins on average accuracy ({t.loc[a, 'accuracy']:.3f} vs "
            lead = f"outweighs {a}'s lead of {s['accuracy_lead']:.3f} in accuracy"
        else:
            head = f"**{a} ties for the best average accuracy ({t.loc[a, 'accuracy']:.3f}, as "
            lead = "breaks the tie"
        text = (
            f"{head}{t.loc[b, 'accuracy']:.3f} for {b}) but loses on the weighted metric** "
            f"({t.loc[a, 'weighted_accuracy']:.3f} vs {t.loc[b, 'weighted_accuracy']:.3f}): "
            f"with a help request counted {w:g} times, {b}'s better recall of {seg}, "
            f"{recall(b)} vs {recall(a)}, {lead}. {a} stops being the best pick once a help "
            f"request counts more than {s['break_even_weight']:.1f} ordinary ones "
            f"({s['break_even_model']} overtakes it there), below the scenario's {w:g}: "
            f"**by the scenario's metric, pick {b}.**"
        )
    else:
        be = s["break_even_weight"]
        if be == NEVER:
            why = (
                f"no weight would change that: no other candidate recalls {seg} better than "
                f"{a} ({recall(a)})"
            )
        else:
            c = s["break_even_model"]
            why = (
                f"the pick would change only if a help request counted more than {be:.1f} "
                f"ordinary ones ({c} recalls {seg} better, {recall(c)} vs {recall(a)})"
            )
        text = (
            f"**On this seed the accuracy winner {a} ({t.loc[a, 'accuracy']:.3f}) also wins "
            f"the weighted metric** ({t.loc[a, 'weighted_accuracy']:.3f} vs "
            f"{t.loc[b, 'weighted_accuracy']:.3f} for {b}) with a help request counted "
            f"{w:g} times; {why}. Average accuracy did not mislead here, but it could not have "
            "told you so."
        )
    return (
        text
        + " "
        + _noise_sentence(
            s["weighted_gain_ci_low"],
            s["weighted_gain_ci_high"],
            s["resolved"],
            "+.3f",
            f"help requests (digit {label})",
            a,
            b,
        )
    )


def describe_business_choice(choice: ModelChoice) -> str:
    """Say whether the model with the best test accuracy also earns the most, and why.

    Parameters
    ----------
    choice : ModelChoice
        From :func:`choose_model`.

    Returns
    -------
    str
        Markdown: the accuracy winner against the best other candidate on net value, the
        condition (extra false confirms against the tolerance ratio times the accuracy lead)
        with this seed's numbers, and whether the difference is above the bootstrap noise.

    Examples
    --------
    >>> import pandas as pd
    >>> y = np.array([0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    >>> a, b = [1, 1, 1, 1, 2, 2, 2, 2, 2, 2], [0, 0, 1, 1, 2, 2, 2, 0, 0, 0]
    >>> preds = pd.DataFrame({"a": a, "b": b})
    >>> c = choose_model(y, preds, segment_label=0, segment_weight=10.0,
    ...                  value_usd=0.5, error_usd=2.0, confirm_usd=20.0)
    >>> describe_business_choice(c)[:58]
    '**a has the higher test accuracy (0.800 vs 0.700) but earn'
    """
    bz, sc, t = choice.business, choice.scenario, choice.table
    a, b = choice.accuracy_pick, bz["challenger"]
    allowed = bz["tolerance_ratio"] * bz["accuracy_lead"]
    rule = (
        f"The more accurate model earns less exactly when its extra false confirms (per "
        f"request) exceed (value + error) / (confirm - error) = "
        f"({sc['value_usd']:g} + {sc['error_usd']:g}) / ({sc['confirm_usd']:g} - "
        f"{sc['error_usd']:g}) = {bz['tolerance_ratio']:.3f} times its accuracy lead"
    )
    numbers = (
        f"here {a} makes {bz['false_confirm_excess']:+.4f} false confirms per request against "
        f"an allowance of {allowed:.4f}"
    )
    if bz["accuracy_lead"] > 0:
        acc = f"({t.loc[a, 'accuracy']:.3f} vs {t.loc[b, 'accuracy']:.3f})"
    else:
        acc = f"({t.loc[a, 'accuracy']:.3f}, tied with {b})"
    higher = "the higher" if bz["accuracy_lead"] > 0 else "at least as high a"
    if bz["pick_differs"]:
        text = (
            f"**{a} has {higher} test accuracy {acc} but earns USD "
            f"{bz['value_gain_per_1000']:,.0f} less per 1,000 requests than {b}.** {rule}: "
            f"{numbers}. Pick by the business metric: {b}."
        )
    else:
        text = (
            f"**On this seed the model with the highest test accuracy, {a} {acc}, also earns "
            f"the most**, USD {-bz['value_gain_per_1000']:,.0f} per 1,000 requests more than "
            f"the best other candidate, {b}: the effect does not happen here. {rule}; "
            f"{numbers}, within it."
        )
    return (
        text
        + " "
        + _noise_sentence(
            bz["value_gain_ci_low"],
            bz["value_gain_ci_high"],
            bz["resolved"],
            "+,.0f",
            "production-like clips",
            a,
            b,
        )
    )


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def plot_model_choice(choice: ModelChoice):
    """Plot each candidate's accuracy against the weighted accuracy and the net value.

    Parameters
    ----------
    choice : ModelChoice
        From :func:`choose_model`.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the x-axis (out-of-fold accuracy): weighted accuracy (left) and
        net value in USD per 1,000 requests (right). Each candidate keeps one hollow marker
        shape in both panels and is named in the panel's legend (no text labels that could
        overlap); blue is the accuracy pick, orange the panel's challenger (the best *other*
        candidate on that panel's metric, so it can differ between panels), named in the
        panel's title and legend.
    """
    import matplotlib.pyplot as plt

    t = choice.table
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
    panels = (
        (
            "weighted_accuracy",
            "weighted accuracy",
            f"weighted accuracy, help requests count {choice.scenario['segment_weight']:g}x",
            choice.segment["challenger"],
        ),
        (
            "business_value_per_1000",
            "net value, USD per 1,000 requests",
            "net value, the scoping cost matrix (false confirm costly)",
            choice.business["challenger"],
        ),
    )
    markers = {name: _MARKERS[k % len(_MARKERS)] for k, name in enumerate(t.index)}
    for ax, (col, label, title, challenger) in zip(axes, panels, strict=True):
        for name, row in t.iterrows():
            if name == choice.accuracy_pick:
                color, role, z = "tab:blue", " (accuracy pick)", 4
            elif name == challenger:
                color, role, z = "tab:orange", " (challenger)", 4
            else:
                color, role, z = "grey", "", 3
            # hollow markers: two candidates on (almost) the same point stay visible
            ax.scatter(
                [row["accuracy"]],
                [row[col]],
                marker=markers[name],
                s=70,
                facecolors="none",
                edgecolors=color,
                linewidths=1.8,
                zorder=z,
                label=f"{name}{role}",
            )
        ax.set(xlabel="accuracy (unseen speakers)", ylabel=label)
        ax.set_title(
            f"{title}\nblue: accuracy pick = {choice.accuracy_pick}\n"
            f"orange: challenger = {challenger} (best other on this metric)",
            fontsize=9,
        )
        ax.grid(alpha=0.3)
        ax.legend(
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.18),
            ncol=3,
            frameon=False,
        )
    return fig
