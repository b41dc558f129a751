"""Human-level performance: per tag, the shared estimate, and "beating HLP" (section 3).

HLP as a team measures it is one labeler's agreement with another; HLP against the truth is
what it cannot measure. :func:`estimate_hlp` is the one definition the later phases share.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from mlkit._validation import check_float, check_random_state, check_same_length, check_tags
from mlkit.data._agreement import fleiss_kappa
from mlkit.data._checks import _check_digits, _check_label_matrix, _tag_order
from mlkit.data._labelers import (
    _wrong_labels,
    consensus_labels,
    simulate_labelers,
)

__all__ = [
    "hlp_by_tag",
    "estimate_hlp",
    "simulate_consistent_model",
    "compare_to_hlp",
    "clear_clip_error",
    "consistent_model_vs_hlp",
    "hlp_lead",
    "hlp_views_table",
    "describe_hlp_artefact",
    "describe_shared_hlp",
]


def _mean_pairwise_agreement(arr) -> float:
    m = arr.shape[0]
    pairs = [(arr[i] == arr[j]).mean() for i, j in combinations(range(m), 2)]
    return float(np.mean(pairs))


def hlp_by_tag(labels, *, tags=None, y_true=None):
    """Estimate human-level performance (HLP) overall and per noise tag.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    tags : array-like of shape (n_samples,), optional
        Noise-condition tag per clip. ``None`` gives only the ``overall`` row.
    y_true : array-like of shape (n_samples,), optional
        Ground truth, when known (simulations); otherwise ``hlp_accuracy`` is NaN.

    Returns
    -------
    pandas.DataFrame
        Index: each tag present (in :data:`mlkit.audio.CONDITIONS` order, other tags sorted
        after them), then ``"overall"``. Columns ``hlp_agreement`` (mean over labeler pairs
        of the share of clips where both gave the same label: what a team can measure),
        ``hlp_accuracy`` (mean labeler accuracy against `y_true`: what it cannot),
        ``fleiss_kappa`` and ``n_samples``.

    Raises
    ------
    ValueError
        If the lengths differ or `labels` is not a labels matrix of at least 2 labelers.

    Notes
    -----
    HLP as one labeler's agreement with another, as taught in "Machine Learning in
    Production" (DeepLearning.AI): the "ground truth" a team has is another person's label.

    Examples
    --------
    >>> t = hlp_by_tag([[1, 2, 3, 4], [1, 2, 3, 5]], tags=["clean"] * 2 + ["car_noise"] * 2)
    >>> t["hlp_agreement"].to_dict()
    {'clean': 1.0, 'car_noise': 0.5, 'overall': 0.75}
    """
    import pandas as pd

    arr = _check_label_matrix(labels, "hlp_by_tag")
    n = arr.shape[1]
    tags = check_tags(tags, n, "hlp_by_tag")
    y = None
    if y_true is not None:
        y = np.asarray(y_true)
        check_same_length("hlp_by_tag", labels=arr[0], y_true=y)
    slices = [] if tags is None else [(t, tags == t) for t in _tag_order(tags)]
    slices.append(("overall", np.ones(n, dtype=bool)))
    rows = {}
    for name, mask in slices:
        sub = arr[:, mask]
        rows[name] = {
            "hlp_agreement": _mean_pairwise_agreement(sub),
            "hlp_accuracy": float((sub == y[mask][None, :]).mean()) if y is not None else np.nan,
            "fleiss_kappa": fleiss_kappa(sub),
            "n_samples": int(mask.sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "tag"
    return out


def _typical_labelers(y_true, tags, snr_db, n_labelers, error_rate, random_state):
    """Labels of typical labelers (no careless one) who name a best guess when unsure."""
    return simulate_labelers(
        y_true,
        tags=tags,
        snr_db=snr_db,
        n_labelers=n_labelers,
        error_rate=error_rate,
        careless=False,
        forced_choice=True,
        random_state=random_state,
    )


def human_correct_per_clip(
    y_true, *, tags, snr_db, n_labelers: int = 5, error_rate: float = 0.02, random_state=0
) -> np.ndarray:
    """Return each clip's share of typical labelers who name the spoken digit.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The digit spoken in each clip, 0-9.
    tags : array-like of str of shape (n_samples,)
        Condition of each clip (:data:`mlkit.audio.CONDITIONS`).
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of each clip in dB (metadata column ``snr_db``; NaN without noise).
    n_labelers : int, default=5
        Labelers to simulate, at least 2.
    error_rate : float, default=0.02
        A typical labeler's lapse rate, in [0, 1] (see :func:`simulate_labelers`).
    random_state : int, default=0
        Seeds the labelers.

    Returns
    -------
    ndarray of shape (n_samples,)
        Share in [0, 1] of labelers whose label is the spoken digit: the human side of a
        paired per-clip comparison with a model (for example a bootstrap of the gap).

    Raises
    ------
    ValueError
        As :func:`simulate_labelers`.

    Examples
    --------
    >>> human_correct_per_clip([1, 2], tags=["clean", "people_noise"],
    ...                        snr_db=[float("nan"), -20.0], random_state=0).tolist()
    [1.0, 0.4]
    """
    labels = _typical_labelers(y_true, tags, snr_db, n_labelers, error_rate, random_state)
    return (labels == np.asarray(y_true)[None, :]).mean(axis=0)


def estimate_hlp(
    y_true, *, tags, snr_db, n_labelers: int = 5, error_rate: float = 0.02, random_state=0
):
    """Estimate HLP per tag for error analysis: labelers scored on the model's own truth.

    The one HLP definition the later phases share (scoping, error analysis, augmentation):
    typical labelers (no careless one) hear each clip as listeners in digits-in-noise studies
    do at that clip's SNR (:func:`simulate_labelers`), name their best guess when unsure
    (forced choice, as the model must), and each is scored against the digit actually
    spoken, on the same clips the model is scored on, so ``model accuracy - hlp_accuracy``
    compares like with like.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The digit spoken in each evaluation clip, 0-9.
    tags : array-like of str of shape (n_samples,)
        Condition of each clip (:data:`mlkit.audio.CONDITIONS`).
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
        The table of :func:`hlp_by_tag`: index tags then ``"overall"``; columns
        ``hlp_agreement``, ``hlp_accuracy`` (mean labeler accuracy against `y_true`),
        ``fleiss_kappa``, ``n_samples``. ``1 - hlp_accuracy`` is the usual proxy for the
        Bayes (irreducible) error of each tag.

    Raises
    ------
    ValueError
        As :func:`simulate_labelers` (mismatched lengths, unknown tags, a noisy clip without
        SNR, bad rates).

    Notes
    -----
    HLP as a proxy for Bayes error and the "gap to HLP" per tag follow the course's error
    analysis (Ng, *Introduction to Machine Learning in Production*, week 2). How hard a tag
    is for people follows from its clips' SNRs through a published psychometric function
    (:func:`human_recognition_probability`): a simulation anchored on listening studies,
    not a measurement of people on these recordings (measure your own in ``02_data``).

    Examples
    --------
    >>> t = estimate_hlp([1, 2, 3, 4], tags=["clean", "clean", "people_noise", "people_noise"],
    ...                  snr_db=[float("nan")] * 2 + [10.0, 10.0])
    >>> int(t.loc["clean", "n_samples"]), bool(t.loc["overall", "hlp_accuracy"] > 0.9)
    (2, True)
    """
    labels = _typical_labelers(y_true, tags, snr_db, n_labelers, error_rate, random_state)
    return hlp_by_tag(labels, tags=tags, y_true=np.asarray(y_true))


def simulate_consistent_model(
    y_true, labels, *, ambiguous, error_rate: float = 0.1, random_state=0
):
    """Simulate a model that copies the team's majority on ambiguous clips and errs on clear ones.

    A model trained on inconsistent labels learns the most frequent label for each kind of
    ambiguous clip and then repeats it consistently; this simulates that model.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The digit spoken.
    labels : array-like of shape (n_labelers, n_samples)
        The team's labels.
    ambiguous : array-like of bool of shape (n_samples,)
        Ambiguous clips (see :func:`ambiguous_mask`).
    error_rate : float, default=0.1
        The model's error rate on clear clips, in [0, 1] (confusable partners preferred).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the errors.

    Returns
    -------
    y_pred : ndarray of shape (n_samples,)
        The consensus label (:func:`consensus_labels`, ties broken towards the lowest label)
        on ambiguous clips; elsewhere the spoken digit, wrong with probability `error_rate`.

    Raises
    ------
    ValueError
        If the lengths differ or `error_rate` is outside [0, 1].
    """
    func = "simulate_consistent_model"
    y = _check_digits(y_true, "y_true", func)
    arr = _check_label_matrix(labels, func)
    amb = np.asarray(ambiguous, dtype=bool)
    check_same_length(func, y_true=y, labels=arr[0], ambiguous=amb)
    rate = check_float(error_rate, "error_rate", low=0.0, high=1.0, func=func)
    rng = check_random_state(random_state)
    y_pred = np.where(rng.random(y.size) < rate, _wrong_labels(y, rng), y)
    return np.where(amb, consensus_labels(arr, tie="lowest"), y_pred)


def compare_to_hlp(y_pred, labels, *, tags=None, y_true=None):
    """Set a model's agreement with the labelers next to the labelers' agreement with each other.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples,)
        Model predictions.
    labels : array-like of shape (n_labelers, n_samples)
        The team's labels.
    tags : array-like of shape (n_samples,), optional
        Any grouping (noise tag, "clear"/"ambiguous"); adds one row per group.
    y_true : array-like of shape (n_samples,), optional
        Ground truth, adds ``hlp_accuracy`` and ``model_accuracy``.

    Returns
    -------
    pandas.DataFrame
        Rows as in :func:`hlp_by_tag`; columns ``hlp_agreement``, ``model_agreement`` (mean
        over labelers of the share of clips where the model matches them),
        ``model_beats_hlp``, then ``hlp_accuracy`` and ``model_accuracy`` when `y_true` is
        given, and ``n_samples``.

    Raises
    ------
    ValueError
        If the lengths differ.
    """
    arr = _check_label_matrix(labels, "compare_to_hlp")
    pred = np.asarray(y_pred)
    check_same_length("compare_to_hlp", y_pred=pred, labels=arr[0])
    table = hlp_by_tag(arr, tags=tags, y_true=y_true)
    tags = check_tags(tags, pred.size, "compare_to_hlp")
    model_agree, model_acc = [], []
    for name in table.index:
        mask = np.ones(pred.size, dtype=bool) if name == "overall" else tags == name
        model_agree.append(float((arr[:, mask] == pred[mask][None, :]).mean()))
        if y_true is not None:
            model_acc.append(float((pred[mask] == np.asarray(y_true)[mask]).mean()))
    out = table[["hlp_agreement"]].copy()
    out["model_agreement"] = model_agree
    out["model_beats_hlp"] = out["model_agreement"] > out["hlp_agreement"]
    if y_true is not None:
        out["hlp_accuracy"] = table["hlp_accuracy"]
        out["model_accuracy"] = model_acc
    out["n_samples"] = table["n_samples"]
    return out


def _clarity(ambiguous) -> np.ndarray:
    """Return ``"ambiguous"`` or ``"clear"`` per clip, the grouping of the HLP-artefact tables."""
    return np.where(np.asarray(ambiguous, dtype=bool), "ambiguous", "clear")


def clear_clip_error(labels, *, ambiguous, y_true) -> float:
    """Return the labelers' mean error rate on clear (not ambiguous) clips.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        The team's labels.
    ambiguous : array-like of bool of shape (n_samples,)
        Ambiguous clips (see :func:`ambiguous_mask`); at least one clip must be clear.
    y_true : array-like of shape (n_samples,)
        Ground truth, for example the truth under the convention.

    Returns
    -------
    float
        ``1 - hlp_accuracy`` on the clear clips, in [0, 1].

    Raises
    ------
    ValueError
        If the lengths differ.
    KeyError
        If no clip is clear.

    Examples
    --------
    >>> clear_clip_error([[1, 2, 3], [1, 5, 3]], ambiguous=[False, False, True], y_true=[1, 2, 3])
    0.25
    """
    table = hlp_by_tag(labels, tags=_clarity(ambiguous), y_true=y_true)
    return float(1 - table.loc["clear", "hlp_accuracy"])


def consistent_model_vs_hlp(
    y_true, labels, *, ambiguous, y_convention, error_rate: float, random_state=0
):
    """Compare a model that repeats the team's majority on ambiguous clips with HLP.

    Simulates the model with :func:`simulate_consistent_model`, then tabulates
    :func:`compare_to_hlp` for clear and ambiguous clips.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The digit spoken, 0-9.
    labels : array-like of shape (n_labelers, n_samples)
        The team's labels (before or after the convention).
    ambiguous : array-like of bool of shape (n_samples,)
        Ambiguous clips (see :func:`ambiguous_mask`).
    y_convention : array-like of shape (n_samples,)
        The truth the accuracies are scored against, such as
        ``apply_convention(y_true, ambiguous=ambiguous)``.
    error_rate : float
        The model's error rate on clear clips, in [0, 1], for example
        :func:`clear_clip_error` to match the labelers.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the model's errors.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`compare_to_hlp`; index ``ambiguous``, ``clear`` (those present),
        ``overall``.

    Raises
    ------
    ValueError
        As :func:`simulate_consistent_model` and :func:`compare_to_hlp`.

    Examples
    --------
    >>> t = consistent_model_vs_hlp(
    ...     [1, 2, 3], [[1, 2, 3], [1, 2, -1]], ambiguous=[False, False, True],
    ...     y_convention=[1, 2, -1], error_rate=0.0)
    >>> t["model_agreement"].tolist()
    [0.5, 1.0, 0.8333333333333334]
    """
    y_model = simulate_consistent_model(
        y_true, labels, ambiguous=ambiguous, error_rate=error_rate, random_state=random_state
    )
    return compare_to_hlp(y_model, labels, tags=_clarity(ambiguous), y_true=y_convention)


def hlp_lead(table, *, row: str = "overall") -> float:
    """Return how far a model's agreement with the labelers exceeds their agreement (HLP).

    Parameters
    ----------
    table : pandas.DataFrame
        As from :func:`compare_to_hlp` (columns ``model_agreement`` and ``hlp_agreement``).
    row : str, default="overall"
        The row (tag or group) to read.

    Returns
    -------
    float
        ``model_agreement - hlp_agreement`` as a fraction in [-1, 1]; positive means the
        model "beats HLP".

    Raises
    ------
    KeyError
        If `row` is not in the table.

    Examples
    --------
    >>> t = compare_to_hlp([1, 2, 3, 4], [[1, 2, 3, 4], [1, 2, 3, 5]])
    >>> hlp_lead(t)  # the model matches L0 everywhere, L1 on 3 of 4 clips
    0.125
    """
    return float(table.loc[row, "model_agreement"] - table.loc[row, "hlp_agreement"])


def hlp_views_table(hlp_team, hlp_convention, hlp_shared):
    """Set three HLP accuracies per tag side by side: the two label-quality views and the shared one.

    Parameters
    ----------
    hlp_team : pandas.DataFrame
        :func:`hlp_by_tag` of the team's labels (careless labeler included) against the
        truth under the convention.
    hlp_convention : pandas.DataFrame
        The same after the convention.
    hlp_shared : pandas.DataFrame
        :func:`estimate_hlp`: typical labelers against the spoken digit.

    Returns
    -------
    pandas.DataFrame
        Index: the tags, then ``overall``; one ``hlp_accuracy`` column per view, fractions.

    Examples
    --------
    >>> t = hlp_by_tag([[1, 2], [1, 3]], y_true=[1, 2])
    >>> hlp_views_table(t, t, t).shape
    (1, 3)
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "team incl. careless, vs truth under convention": hlp_team["hlp_accuracy"],
            "after convention, vs truth under convention": hlp_convention["hlp_accuracy"],
            "data.estimate_hlp: typical labelers vs spoken digit": hlp_shared["hlp_accuracy"],
        }
    )


def describe_hlp_artefact(vs_hlp, vs_hlp_conv) -> str:
    """Explain in markdown why a model that repeats the majority "beats HLP" on inconsistent labels.

    Parameters
    ----------
    vs_hlp : pandas.DataFrame
        :func:`consistent_model_vs_hlp` on the team's labels, with rows ``ambiguous``,
        ``clear`` and ``overall`` and the accuracy columns.
    vs_hlp_conv : pandas.DataFrame
        The same after the convention.

    Returns
    -------
    str
        One markdown paragraph; leads in percentage points, agreements and accuracies in %.

    Raises
    ------
    KeyError
        If a row or column is missing.

    Examples
    --------
    >>> t = consistent_model_vs_hlp(
    ...     [1, 2, 3], [[1, 2, 3], [1, 2, -1]], ambiguous=[False, False, True],
    ...     y_convention=[1, 2, -1], error_rate=0.0)
    >>> describe_hlp_artefact(t, t)[:68]
    "On inconsistent labels the model's agreement with the labelers is **"
    """
    lead, lead_conv = hlp_lead(vs_hlp), hlp_lead(vs_hlp_conv)
    amb_lead = hlp_lead(vs_hlp, row="ambiguous")
    amb_lead_conv = hlp_lead(vs_hlp_conv, row="ambiguous")
    amb_row, clear_row = vs_hlp.loc["ambiguous"], vs_hlp.loc["clear"]
    beats = "it beats HLP" if lead > 0 else "it does not beat HLP"
    hlp_amb_conv = vs_hlp_conv.loc["ambiguous", "hlp_agreement"]
    if f"{amb_lead_conv:+.1%}" == f"{amb_lead:+.1%}":
        there = f"the model's lead there is unchanged at **{amb_lead_conv:+.1%}**"
    elif amb_lead_conv <= 0:
        there = f"the model's lead there is gone ({amb_lead_conv:+.1%})"
    else:
        change = "shrank" if amb_lead_conv < amb_lead else "grew"
        there = f"the model's lead there {change} to **{amb_lead_conv:+.1%}**"
    if f"{lead_conv:+.1%}" == f"{lead:+.1%}":
        overall = f"overall it did not move (**{lead_conv:+.1%}**)"
    else:
        overall = f"overall it is **{lead_conv:+.1%}**"
    if amb_lead_conv > 0:
        verdict = (
            "Here the convention, followed imperfectly (see the audit above), did not make the "
            "ambiguous clips' labels consistent, so the artefact remains. "
        )
    elif amb_lead > 0:
        verdict = "Here the convention removed the artefact. "
    else:
        verdict = "Here the model had no lead on the ambiguous clips to begin with. "
    return (
        f"On inconsistent labels the model's agreement with the labelers is **{lead:+.1%}** "
        f"against HLP ({beats}). On the {int(amb_row.n_samples)} ambiguous clips alone its "
        f"lead is **{amb_lead:+.1%}**: labelers agree with each other only "
        f"{amb_row.hlp_agreement:.1%} of the time there, while the model, repeating the "
        f"majority label, agrees with them {amb_row.model_agreement:.1%} of the time. That is "
        "not skill; on clear clips, the ones users care about, its accuracy is "
        f"{clear_row.model_accuracy:.1%} vs the labelers' {clear_row.hlp_accuracy:.1%} (it was "
        "built to match them). After the convention HLP on the ambiguous clips is "
        f"{hlp_amb_conv:.1%}, {there} and {overall}. {verdict}Beating HLP measured on "
        "inconsistent labels says more about the labels than about the model: make labels "
        "consistent before using HLP as a target."
    )


def describe_shared_hlp(hlp_shared, hlp_convention) -> str:
    """Say in markdown how the model-comparable HLP differs from the label-quality HLP.

    Parameters
    ----------
    hlp_shared : pandas.DataFrame
        :func:`estimate_hlp` (typical labelers against the spoken digit).
    hlp_convention : pandas.DataFrame
        :func:`hlp_by_tag` after the convention, against the truth under the convention.

    Returns
    -------
    str
        One markdown sentence with the shared HLP accuracy (%) and the shift in points.

    Examples
    --------
    >>> a = hlp_by_tag([[1, 2], [1, 3]], y_true=[1, 2])
    >>> describe_shared_hlp(a, a)
    'The model-comparable HLP is **75.0%** overall, +0.0 points against the labels-quality number after the convention.'
    """
    shared = hlp_shared.loc["overall", "hlp_accuracy"]
    shift = shared - hlp_convention.loc["overall", "hlp_accuracy"]
    why = (
        ": ambiguous clips, right under the convention, count as errors against the spoken digit."
        if shift < 0
        else "."
    )
    return (
        f"The model-comparable HLP is **{shared:.1%}** overall, {100 * shift:+.1f} "
        "points against the labels-quality number after the convention" + why
    )
