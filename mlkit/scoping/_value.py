"""Value: from a confusion matrix to money and successful commands, and an ethics checklist.

Serves the notebook sections "Value: from accuracy to money and successful commands" and
"Value: an ethics checklist, measured where it can be".
"""

from __future__ import annotations

import re

import numpy as np

from mlkit._stats import accuracy_by_group, wilson_interval
from mlkit._validation import check_float, check_int, check_same_length
from mlkit.scoping._checks import _as_1d_float, _check_cost

__all__ = [
    "cost_matrix",
    "business_metrics",
    "describe_value",
    "plot_business_value",
    "plot_group_accuracy",
    "ethics_checklist",
    "plot_cost_scenario",
    "cost_controls",
]


def cost_matrix(
    labels,
    *,
    error_cost: float,
    correct_cost: float = 0.0,
    predicted_costs=None,
    pair_costs=None,
):
    """Build a cost matrix: the cost of each (true class, predicted class) outcome.

    Parameters
    ----------
    labels : sequence
        Class labels, in the order of the confusion matrix.
    error_cost : float
        Cost of any misrecognition (off-diagonal), >= 0, in currency units per request.
    correct_cost : float, default=0.0
        Cost of a correct prediction (diagonal), >= 0 (for example serving cost).
    predicted_costs : dict of label to float, optional
        Cost of wrongly predicting a given label, whatever was said, >= 0 (for example
        ``{1: 20.0}`` when "1" confirms a transaction). Overrides `error_cost` in that column.
    pair_costs : dict of (true, predicted) to float, optional
        Overrides for specific outcomes, each >= 0, as ``{(true, predicted): cost}``; applied
        after `predicted_costs`.

    Returns
    -------
    pandas.DataFrame of shape (n_classes, n_classes)
        Index: true label, columns: predicted label.

    Raises
    ------
    ValueError
        If a cost is negative (model benefits with `value_per_success` of
        :func:`business_metrics`), labels repeat, or a pair names an unknown label.

    Examples
    --------
    >>> cost_matrix([0, 1], error_cost=2.0, pair_costs={(0, 1): 10.0}).to_numpy().tolist()
    [[0.0, 10.0], [2.0, 0.0]]
    >>> cost_matrix([0, 1, 2], error_cost=1.0, predicted_costs={1: 5.0}).to_numpy().tolist()
    [[0.0, 5.0, 1.0], [1.0, 0.0, 1.0], [1.0, 5.0, 0.0]]
    """
    import pandas as pd

    labels = list(labels)
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError(
            f"The 'labels' parameter of cost_matrix must hold distinct labels. Got {labels!r}."
        )
    for name, v in (("error_cost", error_cost), ("correct_cost", correct_cost)):
        _check_cost(v, name)
    m = np.full((len(labels), len(labels)), float(error_cost))
    np.fill_diagonal(m, float(correct_cost))
    pos = {lab: i for i, lab in enumerate(labels)}
    for p, v in (predicted_costs or {}).items():
        if p not in pos:
            raise ValueError(
                f"predicted_costs names {p!r}, but the labels are {labels!r}. "
                "Use predicted labels from `labels`."
            )
        col = pos[p]
        m[np.arange(len(labels)) != col, col] = _check_cost(v, f"predicted_costs[{p!r}]")
    for (t, p), v in (pair_costs or {}).items():
        if t not in pos or p not in pos:
            raise ValueError(
                f"pair_costs names ({t!r}, {p!r}), but the labels are {labels!r}. "
                "Use (true label, predicted label) pairs from `labels`."
            )
        m[pos[t], pos[p]] = _check_cost(v, f"pair_costs[{(t, p)!r}]")
    return pd.DataFrame(
        m, index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted")
    )


def business_metrics(
    confusion, costs, *, value_per_success: float = 0.0, class_prior=None, per: int = 1000
) -> dict:
    """Translate a confusion matrix into business metrics per `per` requests.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Measured counts, rows = true class, columns = predicted class (as from
        :func:`sklearn.metrics.confusion_matrix`).
    costs : array-like or DataFrame of shape (n_classes, n_classes)
        Cost of each (true, predicted) outcome, >= 0 (see :func:`cost_matrix`).
    value_per_success : float, default=0.0
        Value of one correctly recognised request (same currency), >= 0.
    class_prior : array-like of shape (n_classes,), optional
        Share of each true class in production traffic (normalised to sum 1). Default: the
        class shares of `confusion`. Each row's error rates are reweighted to this prior.
    per : int, default=1000
        Number of requests the metrics are expressed per.

    Returns
    -------
    dict
        ``successful_per_1000`` (requests recognised correctly), ``expected_cost_per_1000``,
        ``business_value_per_1000`` (``value_per_success * successes - cost``),
        ``mean_cost_per_error`` (cost of an average misrecognition), ``accuracy``
        (prior-weighted) and ``break_even_accuracy`` (the accuracy at which the net value is 0
        with today's mix of errors; NaN when none is). Keys say 1000 whatever `per` is.

    Raises
    ------
    ValueError
        If shapes differ, counts or costs are negative, the prior is negative, sums to 0,
        or gives weight to a class with no measured samples.

    Notes
    -----
    Expected cost = ``per * sum_ij P(true=i) P(pred=j | true=i) C_ij`` with
    ``P(pred | true)`` from the rows of the measured confusion matrix: the standard
    cost-sensitive evaluation (Elkan 2001, "The Foundations of Cost-Sensitive Learning").

    Examples
    --------
    >>> cm = [[90, 10], [5, 95]]
    >>> out = business_metrics(cm, [[0, 2], [1, 0]], value_per_success=0.5)
    >>> out["successful_per_1000"], out["expected_cost_per_1000"]
    (925.0, 125.0)
    """
    func = "business_metrics"
    cm = np.asarray(confusion, dtype=np.float64)
    c = np.asarray(costs, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(
            f"The 'confusion' parameter of {func} must be a square (n_classes, n_classes) "
            f"matrix. Got shape {cm.shape} instead."
        )
    if c.shape != cm.shape:
        raise ValueError(
            f"The 'costs' parameter of {func} must have the confusion matrix's shape "
            f"{cm.shape}. Got {c.shape} instead."
        )
    if not np.all(np.isfinite(cm)) or np.any(cm < 0) or cm.sum() == 0:
        raise ValueError(
            f"The 'confusion' parameter of {func} must hold non-negative counts, not all zero."
        )
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(
            f"The 'costs' parameter of {func} must hold costs >= 0. Got a minimum of "
            f"{np.nanmin(c)!r}. Model benefits with 'value_per_success'."
        )
    value = _check_cost(value_per_success, "value_per_success")
    per = check_int(per, "per", min_value=1, func=func)
    row = cm.sum(axis=1)
    if class_prior is None:
        prior = row / row.sum()
    else:
        prior = _as_1d_float(class_prior, "class_prior", func)
        if prior.size != cm.shape[0] or np.any(prior < 0) or prior.sum() <= 0:
            raise ValueError(
                f"The 'class_prior' parameter of {func} must hold {cm.shape[0]} non-negative "
                f"shares with a positive sum. Got {class_prior!r} instead."
            )
        prior = prior / prior.sum()
        if np.any((prior > 0) & (row == 0)):
            raise ValueError(
                f"The 'class_prior' parameter of {func} gives weight to a class with no "
                "measured samples; its error rate is unknown. Measure it or give it weight 0."
            )
    rates = np.divide(cm, row[:, None], out=np.zeros_like(cm), where=row[:, None] > 0)
    joint = prior[:, None] * rates
    accuracy = float(np.trace(joint))
    cost = float((joint * c).sum())
    off = joint.copy()
    np.fill_diagonal(off, 0.0)
    error_rate = float(off.sum())
    mean_error_cost = float((off * c).sum() / error_rate) if error_rate > 0 else 0.0
    correct_cost = float((np.diag(joint) * np.diag(c)).sum() / accuracy) if accuracy > 0 else 0.0
    # value(acc) = value * acc - correct_cost * acc - mean_error_cost * (1 - acc) = 0
    denom = value - correct_cost + mean_error_cost
    break_even = mean_error_cost / denom if denom > 0 else float("nan")
    break_even = float(break_even) if 0.0 <= break_even <= 1.0 else float("nan")
    return {
        "accuracy": accuracy,
        "successful_per_1000": per * accuracy,
        "expected_cost_per_1000": per * cost,
        "business_value_per_1000": per * (value * accuracy - cost),
        "mean_cost_per_error": mean_error_cost,
        "break_even_accuracy": break_even,
    }


def describe_value(value: dict) -> str:
    """Say what today's accuracy is worth and which accuracy breaks even, as markdown.

    Parameters
    ----------
    value : dict
        From :func:`business_metrics` (``accuracy``, ``business_value_per_1000``,
        ``mean_cost_per_error``, ``break_even_accuracy``).

    Returns
    -------
    str
        One paragraph: net value per 1,000 requests at today's accuracy, whether it earns or
        loses money, and the break-even accuracy with today's mix of errors.

    Raises
    ------
    KeyError
        If `value` lacks a key of :func:`business_metrics`.

    Examples
    --------
    >>> v = business_metrics([[60, 40], [30, 70]], [[0, 2], [1, 0]], value_per_success=0.5)
    >>> print(describe_value(v)[:66])
    **At today's accuracy (65.0%) the product loses USD 225 per 1,000
    """
    missing = {
        "accuracy",
        "business_value_per_1000",
        "mean_cost_per_error",
        "break_even_accuracy",
    } - set(value)
    if missing:
        raise KeyError(
            f"The 'value' parameter of describe_value must come from business_metrics; it lacks "
            f"{sorted(missing)}."
        )
    net = value["business_value_per_1000"]
    verb = "earns" if net >= 0 else "loses"
    text = (
        f"**At today's accuracy ({value['accuracy']:.1%}) the product {verb} USD "
        f"{abs(net):,.0f} per 1,000 requests.** An average error costs USD "
        f"{value['mean_cost_per_error']:.2f} with today's mix of errors"
    )
    be = value["break_even_accuracy"]
    if be == be:  # not NaN
        side = "above" if value["accuracy"] >= be else "below"
        text += (
            f", so the product breaks even at {be:.1%} accuracy; today is {side} it. "
            "Accuracy alone does not say whether the product pays: the costs of its errors do."
        )
    else:
        text += "; no accuracy breaks even under these costs."
    return text


def plot_business_value(
    confusion, costs, *, value_per_success: float, target_accuracy: float | None = None, ax=None
):
    """Plot net value per 1,000 requests against accuracy, with today's accuracy marked.

    Other accuracies assume today's mix of errors: each error costs the measured
    ``mean_cost_per_error`` of :func:`business_metrics`.

    Parameters
    ----------
    confusion, costs, value_per_success
        As for :func:`business_metrics`.
    target_accuracy : float, optional
        Drawn as a vertical reference line.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    m = business_metrics(confusion, costs, value_per_success=value_per_success)
    acc = np.linspace(0.5, 1.0, 101)
    net = 1000 * (value_per_success * acc - m["mean_cost_per_error"] * (1 - acc))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    ax.plot(acc, net, label="net value per 1,000 requests")
    ax.axhline(0, color="grey", lw=0.8)
    ax.plot(
        [m["accuracy"]],
        [m["business_value_per_1000"]],
        "o",
        color="tab:blue",
        label=f"today: accuracy {m['accuracy']:.3f}, {m['business_value_per_1000']:,.0f} USD",
    )
    if target_accuracy is not None:
        ax.axvline(target_accuracy, color="tab:red", ls="--", label=f"target {target_accuracy:.3f}")
    ax.set_xlabel("accuracy")
    ax.set_ylabel("USD per 1,000 requests")
    ax.set_title("Net value vs accuracy (break-even where the line crosses 0)")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return ax.figure


def plot_group_accuracy(table, *, title: str = "Accuracy per group (worst first)", ax=None):
    """Plot accuracy per group as bars with the overall accuracy as a line.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`accuracy_by_group` (with its ``"overall"`` row).
    title : str
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    groups = table.drop(index="overall")
    if ax is None:
        width = max(5.0, 0.5 * len(groups) + 2.5)
        _, ax = plt.subplots(figsize=(width, 2.8), layout="constrained")
    ax.bar([str(g) for g in groups.index], groups["accuracy"], color="tab:purple")
    overall = float(table.loc["overall", "accuracy"])
    ax.axhline(overall, color="grey", ls="--", label=f"overall {overall:.3f}")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    long_names = max(len(str(g)) for g in groups.index) > 4
    ax.tick_params(axis="x", rotation=30 if long_names or len(groups) > 8 else 0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax.figure


_CODE_LIKE = re.compile(r"\d")


def ethics_checklist(
    y_true,
    y_pred,
    *,
    metadata,
    group_columns=("speaker", "accent", "gender"),
    max_gap: float = 0.05,
    min_group_size: int = 20,
):
    """Return an ethics checklist: measured fairness across groups plus privacy questions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (out-of-fold predictions, not training-set ones).
    metadata : pandas.DataFrame of shape (n_samples, n_columns)
        One row per sample with the `group_columns` (for example ``SpeechData.metadata``).
    group_columns : sequence of str, default=("speaker", "accent", "gender")
        Columns to check for accuracy gaps; absent columns are reported as not checked.
    max_gap : float, default=0.05
        Largest acceptable shortfall of a group's accuracy below the overall one.
    min_group_size : int, default=20
        Groups with fewer samples are flagged as too small to judge.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (fairness / privacy / use), ``item``, ``evidence`` and ``status``:
        ``"ok"``, ``"review"`` (a measured problem) or ``"open"`` (a question for people to
        answer before collecting more data). Fairness evidence gives the worst group's
        accuracy with its Wilson 95 % interval and, for groups other than speakers, how many
        speakers the worst group holds (one speaker: the gap is that voice's, not a group's).

    Raises
    ------
    ValueError
        If lengths differ or `max_gap` is outside [0, 1].

    Notes
    -----
    Fairness as a worst-group accuracy gap (a disaggregated evaluation, Mitchell et al. 2019,
    "Model Cards for Model Reporting"); privacy items after the GDPR principles of consent,
    purpose limitation, storage limitation and data minimisation (Art. 5-7).
    """
    import pandas as pd

    check_same_length("ethics_checklist", y_true=y_true, y_pred=y_pred, metadata=metadata)
    max_gap = check_float(max_gap, "max_gap", low=0.0, high=1.0, func="ethics_checklist")
    min_group_size = check_int(
        min_group_size, "min_group_size", min_value=1, func="ethics_checklist"
    )
    rows = []
    for col in group_columns:
        if col not in metadata.columns:
            rows.append(
                ("fairness", f"accuracy across {col}", "column absent: not checked", "open")
            )
            continue
        table = accuracy_by_group(y_true, y_pred, metadata[col].astype(str).to_numpy())
        groups = table.drop(index="overall")
        worst = groups.index[0]
        small = groups.index[groups["n_samples"] < min_group_size].tolist()
        n_worst = int(groups["n_samples"].iloc[0])
        lo, hi = wilson_interval(round(groups["accuracy"].iloc[0] * n_worst), n_worst)
        evidence = (
            f"{len(groups)} groups; worst {worst!r} {groups['accuracy'].iloc[0]:.3f} "
            f"(95% interval {lo:.3f} to {hi:.3f}, {n_worst} clips) vs overall "
            f"{table.loc['overall', 'accuracy']:.3f} (gap {groups['gap'].iloc[0]:+.3f})"
        )
        if col != "speaker" and "speaker" in metadata.columns:
            speakers = metadata.groupby(metadata[col].astype(str))["speaker"].nunique()
            k = int(speakers.get(worst, 0))
            evidence += f"; the worst group holds {k} speaker{'s' if k != 1 else ''}"
            if k == 1:
                evidence += ": its gap cannot be told from one voice's"
        if len(groups) < 2:
            status, evidence = "open", f"only one {col} group ({worst!r}): cannot compare"
        elif groups["gap"].iloc[0] < -max_gap:
            status = "review"
        else:
            status = "ok"
        if small:
            evidence += f"; {len(small)} group(s) under {min_group_size} samples"
            status = "review" if status == "ok" else status
        rows.append(("fairness", f"accuracy across {col}", evidence, status))
    if "speaker" in metadata.columns:
        ids = metadata["speaker"].astype(str).unique()
        name_like = [s for s in ids if not _CODE_LIKE.search(s)]
        if name_like:
            rows.append(
                (
                    "privacy",
                    "speaker IDs are pseudonymous",
                    f"{len(name_like)} IDs look like personal names (e.g. {name_like[0]!r}); "
                    "replace them with codes before sharing",
                    "review",
                )
            )
        else:
            rows.append(("privacy", "speaker IDs are pseudonymous", "all IDs are codes", "ok"))
    rows += [
        (
            "privacy",
            "consent covers recording AND model training",
            "who agreed to what, and can they withdraw?",
            "open",
        ),
        (
            "privacy",
            "retention and deletion of recordings",
            "how long are raw clips kept; is deletion propagated to training sets?",
            "open",
        ),
        (
            "privacy",
            "access control and storage",
            "voice can identify a person: encrypted storage, least-privilege access, audit log",
            "open",
        ),
        (
            "use",
            "no secondary use of voices",
            "the model recognises digits; recordings must not be reused for speaker identification",
            "open",
        ),
        (
            "fairness",
            "production speakers represented",
            "do production accents, ages and devices appear in the data? compare with traffic",
            "open",
        ),
    ]
    return pd.DataFrame(rows, columns=["area", "item", "evidence", "status"])


def plot_cost_scenario(
    confusion,
    *,
    value_usd: float,
    error_usd: float,
    confirm_usd: float,
    target_accuracy: float | None = None,
    confirm_label=1,
):
    """Plot net value vs accuracy and tabulate the business metrics under one cost scenario.

    The render function of the notebook's cost panel: every error costs `error_usd`, except
    a wrong `confirm_label` (a false "confirm"), which costs `confirm_usd`.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Measured counts, rows = true class, columns = predicted class; classes are
        ``0 .. n_classes - 1``.
    value_usd : float
        Value of one correctly recognised request, >= 0, in USD.
    error_usd : float
        Cost of a misrecognised request, >= 0, in USD.
    confirm_usd : float
        Cost of predicting `confirm_label` when another class was said, >= 0, in USD.
    target_accuracy : float, optional
        Drawn as a vertical reference line.
    confirm_label : int, default=1
        The class that confirms a transaction.

    Returns
    -------
    fig : matplotlib.figure.Figure
        From :func:`plot_business_value`.
    table : pandas.DataFrame of shape (1, 5)
        :func:`business_metrics` in one row ``"measured"``, rounded to 3 decimals.

    Raises
    ------
    ValueError
        If a cost is negative or `confirm_label` is not a class (see :func:`cost_matrix`).

    See Also
    --------
    cost_controls : the sliders that drive it in :func:`mlkit.widgets.show_panel`.

    Examples
    --------
    >>> fig, table = plot_cost_scenario(
    ...     [[90, 10], [5, 95]], value_usd=0.5, error_usd=2.0, confirm_usd=20.0
    ... )
    >>> table["expected_cost_per_1000"].item()
    1050.0
    """
    import pandas as pd

    labels = range(np.shape(confusion)[0])
    c = cost_matrix(labels, error_cost=error_usd, predicted_costs={confirm_label: confirm_usd})
    m = business_metrics(confusion, c, value_per_success=value_usd)
    fig = plot_business_value(
        confusion, c, value_per_success=value_usd, target_accuracy=target_accuracy
    )
    return fig, pd.DataFrame([m], index=["measured"]).round(3)


def cost_controls(
    *,
    value_usd: float,
    error_usd: float,
    confirm_usd: float,
    value_range=(0.0, 5.0, 0.1),
    error_range=(0.0, 20.0, 0.5),
    confirm_range=(0.0, 200.0, 5.0),
) -> dict:
    """Return the sliders of the cost panel, keyed like the arguments of :func:`plot_cost_scenario`.

    Parameters
    ----------
    value_usd, error_usd, confirm_usd : float
        Start values in USD: value of a success, cost of an error, cost of a false confirm.
    value_range, error_range, confirm_range : tuple of (float, float, float)
        ``(min, max, step)`` of each slider, in USD.

    Returns
    -------
    dict of str to ipywidgets.FloatSlider
        ``value_usd``, ``error_usd`` and ``confirm_usd``; they update on release
        (``continuous_update=False``).

    Examples
    --------
    >>> controls = cost_controls(value_usd=0.5, error_usd=2.0, confirm_usd=20.0)
    >>> {name: w.value for name, w in controls.items()}
    {'value_usd': 0.5, 'error_usd': 2.0, 'confirm_usd': 20.0}
    """
    import ipywidgets as widgets

    slider = dict(continuous_update=False, style={"description_width": "initial"})
    specs = {
        "value_usd": (value_usd, value_range, "value per success"),
        "error_usd": (error_usd, error_range, "cost per error"),
        "confirm_usd": (confirm_usd, confirm_range, "cost of a false confirm"),
    }
    return {
        name: widgets.FloatSlider(
            value, min=lo, max=hi, step=step, description=description, **slider
        )
        for name, (value, (lo, hi, step), description) in specs.items()
    }
