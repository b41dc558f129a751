"""Baselines: human-level performance, published figures, the baseline table, bias and variance.

Serves the "Baselines" section of 03_modeling (with its Bayes-error subsection).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mlkit._validation import check_float
from mlkit.modeling._checks import _check_label_pair, _to_1d

LITERATURE_BASELINES = (
    {
        "system": "MFCC + feed-forward neural network (Adoptante et al. 2023)",
        "data": "AudioMNIST test split",
        "metric": "F1",
        "value": 0.9956,
        "source": "Adoptante et al., 'Spoken-Digit Classification using Artificial Neural "
        "Network', ASEAN Engineering Journal 13(1):93-99, 2023, doi:10.11113/aej.V13.18388",
    },
    {
        "system": "same model, other corpus (Adoptante et al. 2023)",
        "data": "Free Spoken Digit Dataset used as validation",
        "metric": "F1",
        "value": 0.8192,
        "source": "Adoptante et al. 2023 (as above): the same network scored on FSDD recordings",
    },
)
"""Published spoken-digit results, as reported by their authors (not reproduced here)."""


def human_level_performance(
    y_true, tags, *, snr_db, n_labelers: int = 5, error_rate: float = 0.02, random_state=0
):
    """Estimate HLP per tag on the model's own truth, with :func:`mlkit.data.estimate_hlp`.

    Typical labelers (no careless one) are simulated and each is scored against the digit
    actually spoken in the same clips the model is scored on, so ``hlp - accuracy`` in
    :func:`error_analysis_by_tag` compares like with like. A labeler who writes
    ``UNINTELLIGIBLE`` counts as wrong, as a model that guesses wrong does.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The spoken digits of the evaluation clips (the truth the model is scored on).
    tags : array-like of str of shape (n_samples,)
        Noise-condition tag of each clip.
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of each clip in dB (metadata column ``snr_db``; NaN without noise).
    n_labelers : int, default=5
        Labelers to simulate, at least 2.
    error_rate : float, default=0.02
        A typical labeler's lapse rate on clips they hear clearly, in [0, 1].
    random_state : int, default=0
        Seeds the labelers.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`mlkit.data.hlp_by_tag` (index: tags, then ``"overall"``;
        columns ``hlp_agreement``, ``hlp_accuracy``, ``fleiss_kappa``, ``n_samples``).

    Raises
    ------
    ValueError
        As :func:`mlkit.data.estimate_hlp` (mismatched lengths, unknown tags, bad rates).

    See Also
    --------
    mlkit.data.estimate_hlp : the shared definition this delegates to.

    Notes
    -----
    ``1 - hlp_accuracy`` is the course's proxy for the Bayes error of a tag (Ng, *Machine
    Learning in Production*, week 2) only while the model is worse than people there; where
    the model beats HLP, HLP error is an upper bound on the Bayes error, not an estimate.
    The labeling convention of the data phase is *not* applied here: it makes labels
    consistent for training, but scoring people against ``UNINTELLIGIBLE`` (a label the
    model can never output) would measure them on a different task than the model.
    """
    from mlkit import data

    return data.estimate_hlp(
        y_true,
        tags=tags,
        snr_db=snr_db,
        n_labelers=n_labelers,
        error_rate=error_rate,
        random_state=random_state,
    )


def literature_baselines():
    """Return the published spoken-digit figures of :data:`LITERATURE_BASELINES` as a table.

    Returns
    -------
    pandas.DataFrame
        Columns ``system``, ``data``, ``metric``, ``value``, ``source``.

    Notes
    -----
    These are figures *reported* by their authors on their own data and splits; they set
    expectations, they are not comparable one-to-one with the kit's speaker-grouped dev set.
    """
    import pandas as pd

    return pd.DataFrame(list(LITERATURE_BASELINES))


def baseline_systems(model: str) -> dict[str, str]:
    """Name the systems of the baseline comparison: two reference models and the current one.

    Parameters
    ----------
    model : str
        Name of the current model, one of :data:`MODELS` (for example ``"svm"``).

    Returns
    -------
    dict of str to str
        Model name (for :func:`make_model`) to the label shown in the baseline table, in
        order: the quick-and-dirty model, the older system, then `model`. When `model` is
        one of the reference models, its entry keeps its place and takes the
        "current model" label.

    Examples
    --------
    >>> baseline_systems("svm")["svm"]
    'current model (svm)'
    >>> list(baseline_systems("knn"))
    ['quick_and_dirty', 'nearest_centroid', 'knn']
    """
    return {
        "quick_and_dirty": "quick-and-dirty (LR on mean MFCCs)",
        "nearest_centroid": "older system (template matching)",
        model: f"current model ({model})",
    }


def baseline_table(y_true, predictions: Mapping, *, hlp: float | None = None, literature=None):
    """Put human-level performance, models and published figures in one table.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the evaluation set.
    predictions : mapping of str to array-like of shape (n_samples,)
        Predictions of each system on that set, in the order to show them.
    hlp : float, optional
        Human-level accuracy on the same set (from the data phase's labeler simulation).
    literature : pandas.DataFrame, optional
        Rows as from :func:`literature_baselines`, shown with their source.

    Returns
    -------
    pandas.DataFrame
        Columns ``baseline``, ``kind`` ("human", "model", "reported"), ``metric`` (what
        ``value`` is: ``accuracy`` for HLP and the models, the published metric such as
        ``F1`` for reported rows), ``value``, ``error`` (``1 - value`` for accuracies, NaN
        for other metrics: ``1 - F1`` is no error rate) and ``source``; one row per entry.

    Raises
    ------
    ValueError
        If `predictions` is empty or a prediction's length differs from `y_true`.

    Examples
    --------
    >>> baseline_table([0, 1, 1], {"always 1": [1, 1, 1]}, hlp=1.0)[["baseline", "metric", "value"]]
       baseline    metric     value
    0       HLP  accuracy  1.000000
    1  always 1  accuracy  0.666667
    """
    import pandas as pd

    y_true = _to_1d(y_true, "y_true", "baseline_table")
    if not predictions:
        raise ValueError("baseline_table needs at least one model in 'predictions'. Got none.")
    rows = []
    if hlp is not None:
        hlp = check_float(hlp, "hlp", low=0, high=1, func="baseline_table")
        rows.append(
            {
                "baseline": "HLP",
                "kind": "human",
                "metric": "accuracy",
                "value": hlp,
                "source": "labeler simulation",
            }
        )
    for name, y_pred in predictions.items():
        _, y_pred = _check_label_pair(y_true, y_pred, "baseline_table")
        acc = float(np.mean(y_true == y_pred))
        rows.append(
            {
                "baseline": name,
                "kind": "model",
                "metric": "accuracy",
                "value": acc,
                "source": "this kit",
            }
        )
    if literature is not None:
        for _, r in literature.iterrows():
            rows.append(
                {
                    "baseline": f"{r['system']} [{r['data']}]",
                    "kind": "reported",
                    "metric": str(r["metric"]),
                    "value": float(r["value"]),
                    "source": r["source"],
                }
            )
    out = pd.DataFrame(rows)
    out["error"] = np.where(out["metric"] == "accuracy", 1.0 - out["value"], np.nan)
    return out[["baseline", "kind", "metric", "value", "error", "source"]]


def error_decomposition(
    *, hlp_accuracy: float, train_accuracy: float, dev_accuracy: float, seen_accuracy=None
):
    """Split the dev error into the HLP error, avoidable bias and variance.

    Parameters
    ----------
    hlp_accuracy : float
        Human-level accuracy on the dev clips, in [0, 1] (:func:`human_level_performance`).
    train_accuracy : float
        The model's accuracy on its training rows, in [0, 1].
    dev_accuracy : float
        The model's accuracy on the dev rows (unseen speakers), in [0, 1].
    seen_accuracy : float, optional
        Accuracy on held-out clips of the training speakers, in [0, 1]; shown when given.

    Returns
    -------
    pandas.Series
        Named ``error``: ``hlp_error``, ``training_error``, (``seen_error``), ``dev_error``,
        ``avoidable_bias`` (``max(training_error - hlp_error, 0)``) and ``variance``
        (``dev_error - training_error``).

    Raises
    ------
    ValueError
        If an accuracy is outside [0, 1].

    Notes
    -----
    The decomposition follows Ng, *Machine Learning Yearning*, ch. 20-22 (avoidable bias
    against the optimal error rate, with HLP as its proxy). When the training error is
    below the HLP error the avoidable bias is clipped at 0: HLP then only bounds the Bayes
    error from above, see :func:`bayes_error_notes`.

    Examples
    --------
    >>> float(error_decomposition(hlp_accuracy=0.9, train_accuracy=0.95, dev_accuracy=0.8)["variance"])
    0.15
    """
    import pandas as pd

    func = "error_decomposition"
    acc = {
        "hlp": hlp_accuracy,
        "training": train_accuracy,
        "seen": seen_accuracy,
        "dev": dev_accuracy,
    }
    err = {}
    for k, v in acc.items():
        if v is not None:
            err[f"{k}_error"] = round(
                1.0 - check_float(v, f"{k}_accuracy", low=0, high=1, func=func), 12
            )
    err["avoidable_bias"] = max(err["training_error"] - err["hlp_error"], 0.0)
    err["variance"] = round(err["dev_error"] - err["training_error"], 12)
    return pd.Series(err, name="error")


def bayes_error_notes(table, *, decomposition=None) -> list[str]:
    """Say, from the numbers, where HLP can stand in for the Bayes error and where it cannot.

    Parameters
    ----------
    table : pandas.DataFrame or None
        From :func:`error_analysis_by_tag` (columns ``accuracy``, ``hlp``, ``gap``,
        ``share``, ``potential_gain``); ``None`` gives only the overall sentence.
    decomposition : pandas.Series, optional
        From :func:`error_decomposition`; adds a sentence on the overall avoidable bias.

    Returns
    -------
    list of str
        One sentence per tag, in the table's order, then the overall sentence.

    Raises
    ------
    ValueError
        If a needed column is missing.

    Notes
    -----
    HLP error approximates the Bayes (irreducible) error only where people are at least as
    good as the model (Ng, *Machine Learning in Production*, week 2). Where the model beats
    HLP, the Bayes error is at most the model's error, the avoidable bias is clipped at 0
    and the potential gain ``max(gap, 0) * share`` is 0: the table cannot rank such a tag.

    Examples
    --------
    >>> from mlkit.modeling import error_analysis_by_tag
    >>> t = error_analysis_by_tag([1, 1], [1, 1], ["clean", "clean"], hlp={"clean": 0.9})
    >>> bayes_error_notes(t)[0][:40]
    'clean: the model beats HLP (100.0% vs 90'
    """
    import pandas as pd

    needed = {"accuracy", "hlp", "gap", "share", "potential_gain"}
    if table is None:
        table = pd.DataFrame(columns=sorted(needed))
    missing = needed - set(table.columns)
    if missing:
        raise ValueError(
            f"bayes_error_notes needs the table of error_analysis_by_tag; the columns "
            f"{sorted(missing)} are missing. Got {list(table.columns)}."
        )
    notes = []
    for tag, r in table.iterrows():
        if r["gap"] < 0:
            notes.append(
                f"{tag}: the model beats HLP ({r['accuracy']:.1%} vs {r['hlp']:.1%}), so HLP "
                f"error ({1 - r['hlp']:.1%}) is no Bayes-error proxy here; the Bayes error is at "
                f"most the model's {1 - r['accuracy']:.1%}. Gap clipped at 0, potential gain 0."
            )
        else:
            notes.append(
                f"{tag}: {100 * r['gap']:.1f} points below HLP on {r['share']:.0%} of the "
                f"clips: potential gain {100 * r['potential_gain']:.2f} points of overall "
                f"accuracy; HLP error "
                f"{1 - r['hlp']:.1%} is the Bayes-error proxy."
            )
    if len(table) and (table["potential_gain"] <= 0).all():
        notes.append(
            "no tag has a positive potential gain, so HLP cannot rank them: the ranking falls "
            "back to each tag's share of the errors."
        )
    if decomposition is not None:
        d = decomposition
        if d["training_error"] < d["hlp_error"]:
            notes.append(
                f"overall: training error {d['training_error']:.1%} is below HLP error "
                f"{d['hlp_error']:.1%}, so the avoidable bias is clipped at 0 and HLP is only "
                f"an upper bound on the Bayes error; the dev error {d['dev_error']:.1%} is "
                f"mostly variance ({d['variance']:.1%})."
            )
        else:
            notes.append(
                f"overall: avoidable bias {d['avoidable_bias']:.1%} (training error "
                f"{d['training_error']:.1%} vs HLP error {d['hlp_error']:.1%}), variance "
                f"{d['variance']:.1%}: work on "
                f"{'bias' if d['avoidable_bias'] > d['variance'] else 'variance'} first."
            )
    return notes
