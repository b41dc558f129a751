"""Modeling phase: baselines, error analysis by tag, skewed-data metrics, slices, experiments.

The helpers follow the course's modeling week: establish a baseline (human-level
performance, a quick-and-dirty model, an older system, published figures), analyse errors by
tag against human-level performance to decide what to work on, judge skewed data with
precision/recall rather than accuracy, check important slices, and compare a data-centric
with a model-centric iteration on equal budgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mlkit._models import MODELS, make_model
from mlkit._validation import (
    check_float,
    check_int,
    check_one_of,
    check_random_state,
    check_same_length,
    check_tags,
)
from mlkit.datasets import speaker_split

__all__ = [
    "MODELS",
    "LITERATURE_BASELINES",
    "make_model",
    "fit_and_score",
    "score_sets",
    "speaker_split",
    "SpeechSplit",
    "load_speech_split",
    "human_level_performance",
    "baseline_table",
    "literature_baselines",
    "error_decomposition",
    "bayes_error_notes",
    "error_analysis_by_tag",
    "sample_errors",
    "pool_errors",
    "error_tag_shares",
    "save_error_tags",
    "error_tagging_widget",
    "binary_metrics",
    "threshold_sweep",
    "threshold_for_recall",
    "threshold_for_cost",
    "ThresholdChoice",
    "tune_threshold",
    "plot_threshold_view",
    "threshold_view_renderer",
    "slice_metrics",
    "per_class_recall",
    "feature_vs_rows",
    "RECIPES",
    "make_recipes",
    "build_recipe",
    "budget_comparison",
    "budget_takeaways",
]


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


def _to_1d(a, name, func):
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(
            f"The {name!r} parameter of {func} must be 1-D (one entry per sample). "
            f"Got an array of shape {arr.shape} instead."
        )
    return arr


def _check_labels(y_true, y_pred, func):
    y_true = _to_1d(y_true, "y_true", func)
    y_pred = _to_1d(y_pred, "y_pred", func)
    check_same_length(func, y_true=y_true, y_pred=y_pred)
    if y_true.size == 0:
        raise ValueError(f"{func} needs at least one sample. Got empty arrays.")
    return y_true, y_pred


def _check_binary(y_true, func, *, need_both=True):
    y = _to_1d(y_true, "y_true", func)
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise ValueError(
            f"{func} needs a binary y_true of 0 (negative) and 1 (the rare positive class). "
            f"Got the values {sorted(values)[:10]} instead."
        )
    if need_both and len(values) < 2:
        raise ValueError(
            f"{func} needs both classes in y_true; got only class {sorted(values)}. "
            "Precision, recall and PR-AUC are undefined on a single-class set: use a larger "
            "or stratified split."
        )
    return y.astype(np.int64)


def _check_scores(y_score, n, func):
    s = _to_1d(y_score, "y_score", func).astype(np.float64)
    if len(s) != n:
        raise ValueError(f"{func} needs one score per sample. Got {len(s)} scores for {n} samples.")
    if not np.all(np.isfinite(s)):
        raise ValueError(
            f"The 'y_score' parameter of {func} holds {int((~np.isfinite(s)).sum())} NaN or "
            "infinite values. Scores must be finite; check the model's predict_proba output."
        )
    return s


# --------------------------------------------------------------------------- models, splits


def fit_and_score(
    name: str, X_train, y_train, X_dev, y_dev, *, tags_dev=None, hyper=None, random_state=0
):
    """Fit :func:`make_model` on the training rows and score it on the dev rows.

    Parameters
    ----------
    name : str
        Model name, see :data:`MODELS`.
    X_train : array-like of shape (n_train, n_features)
        Training features.
    y_train : array-like of shape (n_train,)
        Training labels.
    X_dev : array-like of shape (n_dev, n_features)
        Dev features.
    y_dev : array-like of shape (n_dev,)
        Dev labels.
    tags_dev : array-like of str of shape (n_dev,), optional
        Tags of the dev rows; adds ``tag_accuracy_<tag>`` metrics.
    hyper : dict, optional
        Hyper-parameters for :func:`make_model`.
    random_state : int, default=0
        Seed for random models.

    Returns
    -------
    model : estimator
        The fitted model.
    metrics : dict
        ``dev_accuracy``, ``n_train`` and ``tag_accuracy_<tag>`` per tag.

    Raises
    ------
    ValueError
        If lengths differ or `name` is unknown.
    """
    check_same_length("fit_and_score", X_train=X_train, y_train=y_train)
    check_same_length("fit_and_score", X_dev=X_dev, y_dev=y_dev)
    model = make_model(name, random_state=random_state, **(hyper or {}))
    model.fit(X_train, y_train)
    pred = model.predict(X_dev)
    y_dev = np.asarray(y_dev)
    metrics = {"dev_accuracy": float(np.mean(pred == y_dev)), "n_train": int(len(y_train))}
    if tags_dev is not None:
        tags = check_tags(tags_dev, len(y_dev), "fit_and_score", name="tags_dev")
        for t in dict.fromkeys(tags.tolist()):
            mask = tags == t
            metrics[f"tag_accuracy_{t}"] = float(np.mean(pred[mask] == y_dev[mask]))
    return model, metrics


def score_sets(model, X, y, sets: Mapping, *, tags=None) -> dict:
    """Score a fitted model on several evaluation sets of one dataset, overall and per tag.

    Parameters
    ----------
    model : estimator
        A fitted classifier.
    X : array-like of shape (n_samples, n_features)
        Features of the whole dataset.
    y : array-like of shape (n_samples,)
        True labels of the whole dataset.
    sets : mapping of str to array-like of int
        Set name (for example ``"dev"``, ``"seen"``) to row positions in `X`.
    tags : array-like of str of shape (n_samples,), optional
        Tag of every row; adds ``<set>_tag_accuracy_<tag>`` metrics.

    Returns
    -------
    dict of str to float
        ``<set>_accuracy`` per set and, with `tags`, ``<set>_tag_accuracy_<tag>``.

    Raises
    ------
    ValueError
        If `sets` is empty, a set is empty, or lengths differ.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = np.zeros((4, 1)), np.array([0, 0, 0, 1])
    >>> score_sets(DummyClassifier().fit(X, y), X, y, {"dev": [2, 3]})
    {'dev_accuracy': 0.5}
    """
    func = "score_sets"
    y = np.asarray(y)
    check_same_length(func, X=X, y=y)
    if not sets:
        raise ValueError(f"{func} needs at least one evaluation set in 'sets'. Got none.")
    if tags is not None:
        tags = check_tags(tags, len(y), func)
    X = np.asarray(X)
    out = {}
    for name, idx in sets.items():
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            raise ValueError(f"{func}: the evaluation set {name!r} is empty. Give it rows.")
        correct = model.predict(X[idx]) == y[idx]
        out[f"{name}_accuracy"] = float(correct.mean())
        if tags is not None:
            for t in dict.fromkeys(tags[idx].tolist()):
                out[f"{name}_tag_accuracy_{t}"] = float(correct[tags[idx] == t].mean())
    return out


@dataclass(repr=False)
class SpeechSplit:
    """Spoken-digit clips, their MFCC features and a speaker-grouped split.

    Attributes
    ----------
    data : mlkit.datasets.SpeechData
        The loaded clips and metadata.
    X : ndarray of shape (n_clips, n_features)
        MFCC features (:func:`mlkit.features.mfcc_features`).
    train, seen, unseen : ndarray of int
        Positions of the training clips, the held-out clips of training speakers, and the
        clips of held-out speakers (the dev set of speaker-grouped evaluation).
    unseen_speakers : list of str
        The held-out speakers.
    params : dict
        The arguments of :func:`load_speech_split` that rebuild this split.
    """

    data: object
    X: np.ndarray
    train: np.ndarray
    seen: np.ndarray
    unseen: np.ndarray
    unseen_speakers: list
    params: dict = field(default_factory=dict)

    @property
    def dataset(self) -> dict:
        """Record of the data for :func:`mlkit.tracking.log_run`: name, sha256 and lineage.

        The lineage's first step holds the :func:`load_speech_split` arguments, so
        ``load_speech_split(**dataset["lineage"]["steps"][0]["params"])`` rebuilds the split.
        """
        steps = [
            {"name": "load_speech_split", "params": dict(self.params)},
            {"name": "mfcc_features", "params": {}},
        ]
        return {"name": self.data.name, "sha256": self.data.sha256, "lineage": {"steps": steps}}

    @property
    def y(self) -> np.ndarray:
        """Labels of all clips, ndarray of shape (n_clips,)."""
        return self.data.y

    @property
    def tags(self) -> np.ndarray:
        """Noise-condition tag of every clip, ndarray of str of shape (n_clips,)."""
        return self.data.metadata["condition"].to_numpy(dtype=str)

    def __repr__(self) -> str:
        return (
            f"SpeechSplit({self.data.name!r}: train={len(self.train)}, seen={len(self.seen)}, "
            f"unseen={len(self.unseen)} clips of {self.unseen_speakers})"
        )


def load_speech_split(
    audio_dir: str = "", *, n_clips: int | None = None, unseen_share: float = 0.25, random_state=0
) -> SpeechSplit:
    """Load clips, compute MFCC features and split them by speaker, as both notebooks need.

    Parameters
    ----------
    audio_dir : str, default=""
        See :func:`mlkit.datasets.load_speech` (``""`` is the bundled corpus).
    n_clips : int or None, default=None
        Clips to load (stratified by label and speaker); ``None`` loads all.
    unseen_share : float, default=0.25
        Share of speakers held out entirely (see :func:`speaker_split`).
    random_state : int, default=0
        Seeds the loading (subsample, conditions) and the split.

    Returns
    -------
    SpeechSplit

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`mlkit.datasets.load_speech` and :func:`speaker_split`.
    """
    from mlkit.datasets import load_speech
    from mlkit.features import mfcc_features

    data = load_speech(audio_dir, n_clips=n_clips, random_state=random_state)
    X = mfcc_features(data.clips, sample_rate_hz=data.sample_rate_hz)
    parts = speaker_split(
        data.metadata["speaker"], unseen_share=unseen_share, random_state=random_state
    )
    params = {
        "audio_dir": audio_dir,
        "n_clips": n_clips,
        "unseen_share": unseen_share,
        "random_state": random_state,
    }
    return SpeechSplit(
        data, X, parts["train"], parts["seen"], parts["unseen"], parts["unseen_speakers"], params
    )


# --------------------------------------------------------------------------- baselines


def human_level_performance(
    y_true, tags, *, n_labelers: int = 5, error_rate: float = 0.05, random_state=0
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
    n_labelers : int, default=5
        Labelers to simulate, at least 2.
    error_rate : float, default=0.05
        A typical labeler's error rate on clear clean clips, in [0, 1].
    random_state : int, default=0
        Seeds the labelers (and so which clips are ambiguous).

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
        y_true, tags=tags, n_labelers=n_labelers, error_rate=error_rate, random_state=random_state
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
        Columns ``baseline``, ``kind`` ("human", "model", "reported"), ``accuracy``,
        ``error`` and ``source``; one row per entry.

    Raises
    ------
    ValueError
        If `predictions` is empty or a prediction's length differs from `y_true`.

    Examples
    --------
    >>> baseline_table([0, 1, 1], {"always 1": [1, 1, 1]}, hlp=1.0)[["baseline", "accuracy"]]
       baseline  accuracy
    0       HLP  1.000000
    1  always 1  0.666667
    """
    import pandas as pd

    y_true = _to_1d(y_true, "y_true", "baseline_table")
    if not predictions:
        raise ValueError("baseline_table needs at least one model in 'predictions'. Got none.")
    rows = []
    if hlp is not None:
        hlp = check_float(hlp, "hlp", low=0, high=1, func="baseline_table")
        rows.append(
            {"baseline": "HLP", "kind": "human", "accuracy": hlp, "source": "labeler simulation"}
        )
    for name, y_pred in predictions.items():
        _, y_pred = _check_labels(y_true, y_pred, "baseline_table")
        acc = float(np.mean(y_true == y_pred))
        rows.append({"baseline": name, "kind": "model", "accuracy": acc, "source": "this kit"})
    if literature is not None:
        for _, r in literature.iterrows():
            rows.append(
                {
                    "baseline": f"{r['system']} [{r['data']}, {r['metric']}]",
                    "kind": "reported",
                    "accuracy": float(r["value"]),
                    "source": r["source"],
                }
            )
    out = pd.DataFrame(rows)
    out["error"] = 1.0 - out["accuracy"]
    return out[["baseline", "kind", "accuracy", "error", "source"]]


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
                f"{tag}: {r['gap']:.1%} below HLP on {r['share']:.0%} of the clips: potential "
                f"gain {r['potential_gain']:.2%} of overall accuracy; HLP error "
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


# --------------------------------------------------------------------------- error analysis


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


def error_analysis_by_tag(y_true, y_pred, tags, *, hlp):
    """Compute the course's error-analysis table to decide which tag to work on first.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the dev set.
    y_pred : array-like of shape (n_samples,)
        The model's predictions.
    tags : array-like of str of shape (n_samples,)
        One tag per sample, for example ``metadata["condition"]``.
    hlp : mapping or pandas.Series of str to float
        Human-level accuracy per tag, in [0, 1]. The table of ``mlkit.data.hlp_by_tag`` is
        accepted too (its ``hlp_accuracy`` column; an ``"overall"`` row is ignored).
        Tags in `hlp` that do not occur in `tags` are ignored.

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

    Raises
    ------
    ValueError
        If the arrays are empty or of different lengths, a tag is missing, or a tag has no
        HLP in `hlp` (an unknown tag name, often a typo).
    TypeError
        If `hlp` is not a mapping or Series.

    Notes
    -----
    The table and "potential gain = gap to HLP x share of data" follow the course
    (Andrew Ng, "Machine Learning in Production", week 2: prioritizing what to work on).
    A negative gap (the model beats HLP) is clipped at 0: there HLP is no proxy for the
    Bayes error and says nothing about the room left, so the tie-break falls back to where
    the errors are (the error-share count of the same lecture).

    Examples
    --------
    >>> table = error_analysis_by_tag(
    ...     [1, 1, 1, 1], [1, 0, 1, 1], ["clean", "car_noise", "clean", "clean"],
    ...     hlp={"clean": 1.0, "car_noise": 0.9})
    >>> table["potential_gain"].to_dict(), table["rank"].tolist()
    ({'car_noise': 0.225, 'clean': 0.0}, [1, 2])
    """
    import pandas as pd

    func = "error_analysis_by_tag"
    y_true, y_pred = _check_labels(y_true, y_pred, func)
    tags = check_tags(tags, len(y_true), func)
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
    return table.sort_values("rank")[cols]


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
    y_true, y_pred = _check_labels(y_true, y_pred, func)
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
        folds = GroupKFold(n_splits=min(check_int(n_splits, "n_splits", min_value=2), n_groups))
        parts.append(("train (grouped CV)", idx))
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
        Index: tag. Columns ``n_errors`` and ``share_of_errors`` (fraction of the sampled
        errors that carry the tag), sorted by share, largest first.

    Raises
    ------
    ValueError
        If `errors` is empty or a named column is missing.
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


def error_tagging_widget(
    errors, *, manual_tags=("mislabelled", "cut_off", "unclear_speech"), path=None
):
    """Build a small widget to add manual tags to the error sample, row by row.

    Parameters
    ----------
    errors : pandas.DataFrame
        As from :func:`sample_errors`. Its ``manual_tags`` column is edited in place when
        the user clicks; that is the point of the widget.
    manual_tags : sequence of str
        Tags offered as toggle buttons.
    path : path-like, optional
        When given, a "save" button writes the table there with :func:`save_error_tags`.

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


# --------------------------------------------------------------------------- skewed data


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
    y_true, y_pred = _check_labels(y_true, y_pred, func)
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


# --------------------------------------------------------------------------- slices

_SLICE_METRICS = ("accuracy", "recall", "precision")


def _metric_fn(metric):
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    return {
        "accuracy": accuracy_score,
        "recall": lambda a, b: recall_score(a, b, zero_division=0.0),
        "precision": lambda a, b: precision_score(a, b, zero_division=0.0),
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
        ``recall``/``precision`` of the positive class use ``zero_division=0``.
    n_boot : int, default=200
        Bootstrap resamples per slice (percentile intervals).
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
        For empty or mismatched inputs, missing groups or an unknown metric.

    Notes
    -----
    Point estimates and supports come from :class:`fairlearn.metrics.MetricFrame`; the
    intervals are percentile bootstraps of each slice separately (Efron & Tibshirani 1993),
    wide for small slices: read ``support`` before acting on a flag.
    """
    import pandas as pd
    from fairlearn.metrics import MetricFrame, count

    func = "slice_metrics"
    y_true, y_pred = _check_labels(y_true, y_pred, func)
    name = getattr(groups, "name", None) or "slice"
    g = check_tags(groups, len(y_true), func, name="groups")
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
        Index: class. Columns ``recall`` (0.0 for a listed class without samples, set
        explicitly with ``zero_division=0``) and ``support``, sorted by recall, lowest first.

    Raises
    ------
    ValueError
        For empty or mismatched inputs.
    """
    import pandas as pd
    from sklearn.metrics import recall_score

    y_true, y_pred = _check_labels(y_true, y_pred, "per_class_recall")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    rec = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0.0)
    support = np.array([(y_true == c).sum() for c in labels])
    out = pd.DataFrame({"recall": rec, "support": support}, index=pd.Index(labels, name="class"))
    return out.sort_values("recall", kind="stable")


# --------------------------------------------------------------------------- features vs rows


def feature_vs_rows(
    X,
    y,
    engineered,
    *,
    estimator=None,
    base_fraction: float = 0.5,
    test_size: float = 0.3,
    n_repeats: int = 20,
    random_state=0,
):
    """Measure whether an engineered feature or more rows helps more (PR-AUC on held-out data).

    Each repeat draws a stratified train/test split, then a stratified `base_fraction` of the
    training rows. Three models are scored on the same test rows:

    * ``baseline``: the base rows, the original features;
    * ``+ engineered feature``: the base rows, the features plus `engineered`;
    * ``+ more rows``: all training rows (1 / `base_fraction` times as many), original features.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Original features.
    y : array-like of shape (n_samples,)
        0/1 labels, both classes present.
    engineered : array-like of shape (n_samples,) or (n_samples, k)
        The engineered feature column(s).
    estimator : estimator, optional
        Model with ``predict_proba``; default standardised logistic regression.
    base_fraction : float, default=0.5
        Share of the training rows available without collecting more, in (0, 1).
    test_size : float, default=0.3
        Held-out share per repeat, in (0, 1).
    n_repeats : int, default=20
        Repeats; the mean and standard deviation over them are reported.
    random_state : int or numpy.random.Generator, default=0
        Seeds the splits.

    Returns
    -------
    pandas.DataFrame
        Index: arm. Columns ``pr_auc_mean``, ``pr_auc_std``, ``gain`` (mean over
        baseline), ``n_train_rows``, ``n_features``.

    Raises
    ------
    ValueError
        For single-class `y`, mismatched lengths or shares outside (0, 1).
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    func = "feature_vs_rows"
    X = np.asarray(X, dtype=np.float64)
    eng = np.asarray(engineered, dtype=np.float64)
    eng = eng.reshape(len(eng), -1)
    y = _check_binary(y, func)
    check_same_length(func, X=X, y=y, engineered=eng)
    base_fraction = check_float(
        base_fraction, "base_fraction", low=0, high=1, inclusive=(False, False), func=func
    )
    test_size = check_float(
        test_size, "test_size", low=0, high=1, inclusive=(False, False), func=func
    )
    n_repeats = check_int(n_repeats, "n_repeats", min_value=1, func=func)
    rng = check_random_state(random_state)
    if estimator is None:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    X_eng = np.hstack([X, eng])
    scores = {"baseline": [], "+ engineered feature": [], "+ more rows": []}
    sizes = {}
    for _ in range(n_repeats):
        seed = int(rng.integers(0, 2**31 - 1))
        train, test = train_test_split(
            np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
        )
        base, _ = train_test_split(
            train, train_size=base_fraction, stratify=y[train], random_state=seed
        )
        arms = {
            "baseline": (X, base),
            "+ engineered feature": (X_eng, base),
            "+ more rows": (X, train),
        }
        for arm, (features, rows) in arms.items():
            model = clone(estimator).fit(features[rows], y[rows])
            s = model.predict_proba(features[test])[:, 1]
            scores[arm].append(average_precision_score(y[test], s))
            sizes[arm] = (len(rows), features.shape[1])
    out = pd.DataFrame(
        {
            "pr_auc_mean": {k: float(np.mean(v)) for k, v in scores.items()},
            "pr_auc_std": {k: float(np.std(v)) for k, v in scores.items()},
        }
    )
    out["gain"] = out["pr_auc_mean"] - out.loc["baseline", "pr_auc_mean"]
    out["n_train_rows"] = [sizes[k][0] for k in out.index]
    out["n_features"] = [sizes[k][1] for k in out.index]
    out.index.name = "arm"
    return out


# --------------------------------------------------------------------------- data vs model

RECIPES = ("as_collected", "relabelled", "top_tag_data", "relabelled+top_tag_data")
"""Training-set recipes of :func:`make_recipes`, in the order of the data-centric arm."""


def make_recipes(
    y,
    tags,
    train,
    *,
    top_tag: str | None = None,
    pool_share: float = 0.3,
    n_labelers: int = 3,
    random_state=0,
) -> dict:
    """Build the named training sets of the data-centric arm from simulated labeling.

    The training clips are split into a labelled part and an unlabelled pool (seeded).
    :func:`mlkit.data.simulate_labelers` labels every training clip by `n_labelers` people;
    as collected, each labelled clip carries the label of one of them in turn. The recipes:

    * ``as_collected``: the labelled clips with their collected labels;
    * ``relabelled``: the same clips relabelled by the convention (consensus after
      :func:`mlkit.data.apply_convention`);
    * ``top_tag_data``: as collected, plus the pool clips of `top_tag`, labelled by consensus;
    * ``relabelled+top_tag_data``: both changes.

    ``UNINTELLIGIBLE`` labels are dropped from every recipe (a model cannot learn them).
    Everything is a function of the arguments, so a tracked run that records them (with
    the dataset) can rebuild its exact training set.

    Parameters
    ----------
    y : array-like of int of shape (n_samples,)
        The spoken digits of the whole dataset (simulated labelers start from them).
    tags : array-like of str of shape (n_samples,)
        Noise-condition tag of every clip.
    train : array-like of int
        Positions of the training clips (labelled part and pool).
    top_tag : str or None, default=None
        Tag whose pool clips are added. ``None`` builds only the recipes without extra data.
    pool_share : float, default=0.3
        Share of the training clips kept in the unlabelled pool, in [0, 1).
    n_labelers : int, default=3
        Labelers simulated, at least 2.
    random_state : int, default=0
        Seeds the pool split and the labelers.

    Returns
    -------
    dict of str to (ndarray of int, ndarray of int)
        Recipe name to (row positions, training labels), in the order of :data:`RECIPES`.

    Raises
    ------
    ValueError
        If `top_tag` is not a tag of the training clips, a share is out of range, or
        lengths differ.
    """
    from mlkit import data

    func = "make_recipes"
    y = np.asarray(y)
    tags = check_tags(tags, len(y), func)
    train = np.asarray(train, dtype=np.int64)
    pool_share = check_float(
        pool_share, "pool_share", low=0, high=1, inclusive=(True, False), func=func
    )
    seed = check_int(random_state, "random_state", min_value=0, func=func)
    if top_tag is not None and top_tag not in set(tags[train].tolist()):
        raise ValueError(
            f"The 'top_tag' parameter of {func} must be a tag of the training clips "
            f"{sorted(set(tags[train].tolist()))}. Got {top_tag!r} instead."
        )
    shuffled = np.random.default_rng(seed).permutation(train)
    n_pool = int(round(pool_share * len(shuffled)))
    pool, labelled = np.sort(shuffled[:n_pool]), np.sort(shuffled[n_pool:])
    team = data.simulate_labelers(
        y[train], tags=tags[train], n_labelers=n_labelers, random_state=seed
    )
    order = np.arange(len(train))
    lookup = np.full(len(y), -1, dtype=np.int64)
    lookup[train] = order
    collected = team[order % n_labelers, order]
    consensus = data.consensus_labels(data.apply_convention(team))

    def keep(idx, labels):
        ok = labels != data.UNINTELLIGIBLE
        return idx[ok], np.asarray(labels)[ok]

    recipes = {
        "as_collected": keep(labelled, collected[lookup[labelled]]),
        "relabelled": keep(labelled, consensus[lookup[labelled]]),
    }
    if top_tag is not None:
        extra = pool[tags[pool] == top_tag]
        both = np.concatenate([labelled, extra])
        recipes["top_tag_data"] = keep(
            both, np.concatenate([collected[lookup[labelled]], consensus[lookup[extra]]])
        )
        recipes["relabelled+top_tag_data"] = keep(both, consensus[lookup[both]])
    return recipes


def build_recipe(y, tags, train, *, name: str, **params):
    """Build one training set of :func:`make_recipes` by name, as a run's record describes it.

    Parameters
    ----------
    y, tags, train
        As :func:`make_recipes`.
    name : str
        One of :data:`RECIPES`.
    **params
        The other keyword arguments of :func:`make_recipes` (``top_tag``, ``pool_share``,
        ``n_labelers``, ``random_state``); ``top_tag`` is required by the recipes that add
        data.

    Returns
    -------
    train_rows : ndarray of int
        Row positions of the training set.
    y_train : ndarray of int
        Their training labels.

    Raises
    ------
    ValueError
        If `name` is unknown or needs a ``top_tag`` that is not given, or as
        :func:`make_recipes`.

    Examples
    --------
    >>> rows, labels = build_recipe(np.arange(40) % 10, ["clean"] * 40, np.arange(30),
    ...                             name="relabelled", pool_share=0.5, random_state=0)
    >>> len(rows) == len(labels) <= 15
    True
    """
    name = check_one_of(name, "name", set(RECIPES), func="build_recipe")
    recipes = make_recipes(y, tags, train, **params)
    if name not in recipes:
        raise ValueError(
            f"The recipe {name!r} adds the data of one tag: pass top_tag=... to build_recipe."
        )
    return recipes[name]


def budget_comparison(runs, *, select_on: str = "dev", report_on: str = "seen", tags=None):
    """Summarise equal-budget arms: pick each arm's best run on one split, report on another.

    Picking the best of several runs on a split and reporting its gain on that same split
    overstates the gain (the winner's curse: the pick favours runs that were lucky on those
    rows). So the best run is chosen on `select_on` and its gain is measured on `report_on`,
    rows that played no part in the choice.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per training run with columns ``arm`` (for example "model-centric",
        "data-centric"), ``run`` (a name; the common starting point is the row named
        ``"baseline"``), ``<select_on>_accuracy``, ``<report_on>_accuracy`` and optionally
        ``<report_on>_tag_accuracy_<tag>`` columns (as from :func:`score_sets`).
    select_on : str, default="dev"
        Split whose accuracy picks each arm's best run.
    report_on : str, default="seen"
        Held-out split on which the gains are reported; must differ from `select_on`.
    tags : list of str, optional
        Tags to report; default: every ``<report_on>_tag_accuracy_<tag>`` column.

    Returns
    -------
    pandas.DataFrame
        Index: arm. Columns ``n_runs`` (the budget used), ``best_run``,
        ``<select_on>_accuracy`` and ``<select_on>_gain`` (the pick, and its gain on the
        rows it was picked on: biased upwards), ``<report_on>_accuracy``, ``gain`` (over the
        baseline row, on `report_on`) and ``gain_<tag>`` per tag (on `report_on`).

    Raises
    ------
    ValueError
        If a required column or the ``"baseline"`` row is missing, `select_on` equals
        `report_on`, an arm is empty, or the arms' budgets differ.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"arm": ["start", "a", "a"], "run": ["baseline", "a1", "a2"],
    ...                      "dev_accuracy": [0.8, 0.9, 0.85], "seen_accuracy": [0.8, 0.82, 0.9]})
    >>> budget_comparison(runs)[["best_run", "dev_gain", "gain"]].round(2)  # doctest: +ELLIPSIS
        best_run  dev_gain  gain
    arm...
    a         a1       0.1  0.02
    """
    import pandas as pd

    func = "budget_comparison"
    if select_on == report_on:
        raise ValueError(
            f"{func} must report gains on other rows than those that pick the best run "
            f"(winner's curse). Got select_on = report_on = {select_on!r}; report on a held-out "
            "split, for example report_on='seen'."
        )
    sel, rep = f"{select_on}_accuracy", f"{report_on}_accuracy"
    needed = {"arm", "run", sel, rep}
    missing = needed - set(runs.columns)
    if missing:
        raise ValueError(
            f"{func} needs the columns {sorted(needed)}; {sorted(missing)} missing. "
            f"Got {list(runs.columns)}."
        )
    prefix = f"{report_on}_tag_accuracy_"
    if tags is None:
        tags = [c.removeprefix(prefix) for c in runs.columns if c.startswith(prefix)]
    base_row = runs[runs["run"] == "baseline"]
    if len(base_row) != 1:
        raise ValueError(
            f"{func} needs exactly one run named 'baseline' (the common starting point); got "
            f"{len(base_row)}. Runs present: {runs['run'].tolist()}."
        )
    base = base_row.iloc[0]
    arms = runs[runs["run"] != "baseline"]
    if arms.empty:
        raise ValueError(f"{func} needs at least one run besides the baseline. Got none.")
    budgets = arms.groupby("arm").size()
    if budgets.nunique() != 1:
        raise ValueError(
            f"{func} compares arms on equal budgets; got run counts {budgets.to_dict()}. "
            "Give every arm the same number of training runs."
        )
    rows = {}
    for arm, part in arms.groupby("arm", sort=False):
        best = part.loc[part[sel].idxmax()]
        row = {
            "n_runs": len(part),
            "best_run": best["run"],
            sel: float(best[sel]),
            f"{select_on}_gain": float(best[sel]) - float(base[sel]),
            rep: float(best[rep]),
            "gain": float(best[rep]) - float(base[rep]),
        }
        for t in tags:
            row[f"gain_{t}"] = float(best[prefix + t]) - float(base[prefix + t])
        rows[arm] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "arm"
    return out


def budget_takeaways(comparison, *, select_on: str = "dev", report_on: str = "seen") -> str:
    """Write the takeaways of :func:`budget_comparison` from its numbers (Markdown bullets).

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`budget_comparison` with at least one arm.
    select_on, report_on : str, default="dev" and "seen"
        The splits passed to :func:`budget_comparison`, named in the text.

    Returns
    -------
    str
        Markdown: which arm gained more on `report_on` and by how much (in accuracy
        percentage points, "pts") (or that they tie, or
        that neither helped), each arm's most and least improved tag, and how much the gain
        measured on the selection split differs from the held-out gain.

    Raises
    ------
    ValueError
        If `comparison` is empty or lacks the ``gain`` column.
    """
    if len(comparison) == 0 or "gain" not in comparison.columns:
        raise ValueError(
            "budget_takeaways needs the table of budget_comparison (an arm per row, a 'gain' "
            f"column). Got columns {list(comparison.columns)} and {len(comparison)} rows."
        )
    gains = comparison["gain"].sort_values(ascending=False)
    n_runs = int(comparison["n_runs"].iloc[0]) if "n_runs" in comparison else None
    budget = f" with the same budget of {n_runs} runs" if n_runs else ""
    listed = ", ".join(f"{arm} {100 * g:+.1f} pts" for arm, g in gains.items())
    lines = []
    if gains.iloc[0] <= 0:
        lines.append(
            f"Neither arm beat the baseline on the held-out `{report_on}` split{budget} "
            f"({listed}): keep the baseline, and look for what limits it."
        )
    elif len(gains) > 1 and abs(gains.iloc[0] - gains.iloc[1]) < 1e-9:
        lines.append(f"The arms tie on the held-out `{report_on}` split{budget} ({listed}).")
    else:
        lead = f" by {100 * (gains.iloc[0] - gains.iloc[1]):.1f} points" if len(gains) > 1 else ""
        lines.append(
            f"On the held-out `{report_on}` split{budget}, **{gains.index[0]}** gained most{lead} "
            f"({listed})."
        )
    tag_cols = [c for c in comparison.columns if c.startswith("gain_")]
    for arm, r in comparison.iterrows():
        if tag_cols:
            tg = r[tag_cols].astype(float)
            hi, lo = tg.idxmax().removeprefix("gain_"), tg.idxmin().removeprefix("gain_")
            if np.isclose(tg.max(), tg.min()):
                spread = f"the same gain on every tag, {100 * tg.max():+.1f} pts"
            else:
                spread = (
                    f"largest tag gain {hi} {100 * tg.max():+.1f} pts, "
                    f"smallest {lo} {100 * tg.min():+.1f} pts"
                )
            lines.append(f"{arm} (best run: {r['best_run']}): {spread}.")
    sel_gain = f"{select_on}_gain"
    if sel_gain in comparison:
        diff = comparison[sel_gain] - comparison["gain"]
        lines.append(
            f"Measured on the `{select_on}` split that picked each best run, the gains were "
            + ", ".join(f"{a} {100 * g:+.1f} pts" for a, g in comparison[sel_gain].items())
            + "; selection-split gain minus held-out gain: "
            + ", ".join(f"{a} {100 * d:+.1f} pts" for a, d in diff.items())
            + ". Part of such a difference is the winner's curse (the pick favours runs that "
            "were lucky on its rows), part is that the splits hold different speakers: quote "
            "the held-out gains."
        )
    return "\n".join(f"* {line}" for line in lines)
