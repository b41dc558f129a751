"""Modeling phase: baselines, error analysis by tag, skewed-data metrics, slices, experiments.

The helpers follow the course's modeling week: establish a baseline (human-level
performance, a quick-and-dirty model, an older system, published figures), analyse errors by
tag against human-level performance to decide what to work on, judge skewed data with
precision/recall rather than accuracy, check important slices, and compare a data-centric
with a model-centric iteration on equal budgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from mlkit._validation import (
    check_float,
    check_int,
    check_one_of,
    check_random_state,
    check_same_length,
)

__all__ = [
    "MODELS",
    "LITERATURE_BASELINES",
    "make_model",
    "fit_and_score",
    "speaker_split",
    "SpeechSplit",
    "load_speech_split",
    "human_level_performance",
    "baseline_table",
    "literature_baselines",
    "error_analysis_by_tag",
    "sample_errors",
    "error_tag_shares",
    "save_error_tags",
    "error_tagging_widget",
    "binary_metrics",
    "threshold_sweep",
    "threshold_for_recall",
    "threshold_for_cost",
    "plot_threshold_view",
    "threshold_view_renderer",
    "slice_metrics",
    "per_class_recall",
    "feature_vs_rows",
    "budget_comparison",
]

MODELS = (
    "svm",
    "logreg",
    "random_forest",
    "knn",
    "nearest_centroid",
    "quick_and_dirty",
)
"""Model names understood by :func:`make_model`."""

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

_MEAN_MFCC_COLUMNS = 13  # the first 13 columns of mlkit.features.mfcc_features: MFCC means


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


def _check_tags(tags, n, func, name="tags"):
    import pandas as pd

    tags = _to_1d(np.asarray(tags, dtype=object), name, func)
    if len(tags) != n:
        raise ValueError(
            f"{func} needs one tag per sample. Got {len(tags)} tags for {n} samples. "
            "Pass the tag column of the same rows (for example metadata['condition'])."
        )
    if pd.isna(pd.Series(tags)).any():
        raise ValueError(
            f"The {name!r} parameter of {func} holds missing values. Give every sample a tag."
        )
    return tags.astype(str)


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


def make_model(name: str = "svm", *, random_state: int = 0, **params):
    """Build an unfitted scikit-learn model for MFCC features (or any numeric table).

    Parameters
    ----------
    name : {"svm", "logreg", "random_forest", "knn", "nearest_centroid", "quick_and_dirty"}
        ``"svm"``: standardise + RBF support-vector classifier (`C`, `gamma`).
        ``"logreg"``: standardise + logistic regression (`C`).
        ``"random_forest"``: random forest (`n_estimators`, `max_depth`).
        ``"knn"``: standardise + k nearest neighbours (`n_neighbors`).
        ``"nearest_centroid"``: the "older system", template matching against one mean
        template per digit in standardised MFCC space.
        ``"quick_and_dirty"``: logistic regression on the 13 mean MFCCs only, what one writes
        in an afternoon.
    random_state : int, default=0
        Seed for models that are random.
    **params
        Hyper-parameters of the final estimator (for example ``C=10``); JSON-friendly, so a
        tracked run can be rebuilt from its record.

    Returns
    -------
    sklearn.pipeline.Pipeline or estimator
        Unfitted.

    Raises
    ------
    ValueError
        If `name` is unknown.
    TypeError
        If a hyper-parameter is not accepted by the estimator.

    Examples
    --------
    >>> make_model("logreg", C=0.5).steps[-1][1].C
    0.5
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, NearestCentroid
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    check_one_of(name, "name", set(MODELS), func="make_model")
    seed = check_int(random_state, "random_state", min_value=0, func="make_model")
    builders = {
        "svm": lambda: SVC(**{"C": 10.0, "gamma": "scale", **params}),
        "logreg": lambda: LogisticRegression(**{"C": 1.0, "max_iter": 2000, **params}),
        "random_forest": lambda: RandomForestClassifier(
            **{"n_estimators": 200, "random_state": seed, "n_jobs": 1, **params}
        ),
        "knn": lambda: KNeighborsClassifier(**{"n_neighbors": 5, **params}),
        "nearest_centroid": lambda: NearestCentroid(**params),
        "quick_and_dirty": lambda: LogisticRegression(**{"max_iter": 2000, **params}),
    }
    try:
        est = builders[name]()
    except TypeError as exc:
        raise TypeError(
            f"make_model({name!r}) got a hyper-parameter its estimator does not take: {exc}."
        ) from exc
    if name == "random_forest":
        return Pipeline([("clf", est)])
    steps = [("scale", StandardScaler()), ("clf", est)]
    if name == "quick_and_dirty":
        select = ColumnTransformer(
            [("mfcc_means", "passthrough", list(range(_MEAN_MFCC_COLUMNS)))], remainder="drop"
        )
        steps.insert(0, ("select", select))
    return Pipeline(steps)


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
        tags = _check_tags(tags_dev, len(y_dev), "fit_and_score", name="tags_dev")
        for t in dict.fromkeys(tags.tolist()):
            mask = tags == t
            metrics[f"tag_accuracy_{t}"] = float(np.mean(pred[mask] == y_dev[mask]))
    return model, metrics


def speaker_split(
    speakers, *, unseen_share: float = 0.25, seen_test_share: float = 0.25, random_state=0
) -> dict:
    """Split clips so that whole speakers are held out (unseen) and the rest split by clip.

    Parameters
    ----------
    speakers : array-like of shape (n_samples,)
        Speaker of each clip.
    unseen_share : float, default=0.25
        Share of speakers (at least one, and at least one kept) whose clips all go to
        ``"unseen"``: the dev set of speaker-grouped evaluation, like new users in production.
    seen_test_share : float, default=0.25
        Share of the remaining speakers' clips held out as ``"seen"``, stratified by speaker.
    random_state : int or numpy.random.Generator, default=0
        Seeds the choice of speakers and clips.

    Returns
    -------
    dict of str to ndarray of int
        Sorted positions for ``"train"``, ``"seen"`` (held-out clips of training speakers) and
        ``"unseen"`` (clips of held-out speakers); also ``"unseen_speakers"``, their names.

    Raises
    ------
    ValueError
        If fewer than two speakers are given or a share is outside (0, 1).

    Examples
    --------
    >>> parts = speaker_split(list("aaaabbbbccccdddd"), random_state=0)
    >>> [len(parts[k]) for k in ("train", "seen", "unseen")]
    [9, 3, 4]
    """
    unseen_share = check_float(
        unseen_share, "unseen_share", low=0, high=1, inclusive=(False, False), func="speaker_split"
    )
    seen_test_share = check_float(
        seen_test_share,
        "seen_test_share",
        low=0,
        high=1,
        inclusive=(False, False),
        func="speaker_split",
    )
    rng = check_random_state(random_state)
    spk = _to_1d(np.asarray(speakers, dtype=object), "speakers", "speaker_split").astype(str)
    names = np.unique(spk)
    if names.size < 2:
        raise ValueError(
            "speaker_split needs clips of at least two speakers (one to train on, one unseen). "
            f"Got {names.size} speaker(s)."
        )
    n_unseen = int(np.clip(round(unseen_share * names.size), 1, names.size - 1))
    unseen_names = np.sort(rng.choice(names, size=n_unseen, replace=False))
    unseen = np.flatnonzero(np.isin(spk, unseen_names))
    train, seen = [], []
    for name in names:
        if name in unseen_names:
            continue
        members = rng.permutation(np.flatnonzero(spk == name))
        k = int(round(seen_test_share * members.size))
        seen.append(members[:k])
        train.append(members[k:])
    return {
        "train": np.sort(np.concatenate(train)),
        "seen": np.sort(np.concatenate(seen)),
        "unseen": unseen,
        "unseen_speakers": unseen_names.tolist(),
    }


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
    """

    data: object
    X: np.ndarray
    train: np.ndarray
    seen: np.ndarray
    unseen: np.ndarray
    unseen_speakers: list

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
    return SpeechSplit(
        data, X, parts["train"], parts["seen"], parts["unseen"], parts["unseen_speakers"]
    )


# --------------------------------------------------------------------------- baselines


def human_level_performance(y_true, tags, *, n_labelers: int = 5, random_state=0):
    """Estimate HLP per tag with the data phase's method: simulated labelers, then the convention.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The spoken digits of the evaluation clips.
    tags : array-like of str of shape (n_samples,)
        Noise-condition tag of each clip.
    n_labelers : int, default=5
        Labelers simulated with :func:`mlkit.data.simulate_labelers`.
    random_state : int, default=0
        Seeds the labelers (and so which clips are ambiguous).

    Returns
    -------
    pandas.DataFrame
        The table of :func:`mlkit.data.hlp_by_tag` (index: tags, then ``"overall"``;
        columns ``hlp_agreement``, ``hlp_accuracy``, ``fleiss_kappa``, ``n_samples``),
        measured after :func:`mlkit.data.apply_convention` against the truth under the
        convention (``UNINTELLIGIBLE`` on ambiguous clips).

    Raises
    ------
    ValueError
        As :func:`mlkit.data.simulate_labelers`.

    Notes
    -----
    As in the data notebook: the labeling convention makes labelers consistent, so HLP is
    measured on consistent labels; ``1 - hlp_accuracy`` estimates the Bayes error per tag.
    """
    from mlkit import data

    labels = data.simulate_labelers(
        y_true, tags=tags, n_labelers=n_labelers, random_state=random_state
    )
    labels = data.apply_convention(labels)
    ambiguous = (labels == data.UNINTELLIGIBLE).any(axis=0)
    y_conv = data.apply_convention(np.asarray(y_true), ambiguous=ambiguous)
    return data.hlp_by_tag(labels, tags=tags, y_true=y_conv)


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
        ``rank`` (1 = highest potential gain; ties keep the order of first appearance) and
        ``n_samples``.

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
    tags = _check_tags(tags, len(y_true), func)
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
    table["rank"] = table["potential_gain"].rank(ascending=False, method="first").astype(np.int64)
    cols = ["accuracy", "hlp", "gap", "share", "potential_gain", "rank", "n_samples"]
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
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image as PILImage

    view = _ThresholdView(sweep, pr_auc=pr_auc)
    plt.close(view.fig)  # drawn only through render(): the inline backend must not show it too
    view.fig.set_dpi(dpi)
    moving = [view.point, view.image, view.vline, view.cm_ax.title, view.cost_ax.title]
    moving += [t for row in view.cells for t in row]
    for artist in moving:
        artist.set_animated(True)
    canvas = FigureCanvasAgg(view.fig)
    canvas.draw()
    background = canvas.copy_from_bbox(view.fig.bbox)

    def render(threshold: float):
        # blitting: restore the static background, draw only what the threshold moves
        view.update(float(threshold))
        canvas.restore_region(background)
        for artist in moving:
            view.fig.draw_artist(artist)
        buf = io.BytesIO()
        PILImage.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(
            buf, format="png", compress_level=1
        )
        return Image(data=buf.getvalue(), format="png")

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
    g = _check_tags(groups, len(y_true), func, name="groups")
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


def budget_comparison(runs, *, baseline_accuracy: float, tags=None):
    """Summarise two equal-budget arms: each arm's best run and its gain over the baseline.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per training run with columns ``arm`` (for example "model-centric",
        "data-centric"), ``run`` (a name), ``dev_accuracy`` and optionally
        ``tag_accuracy_<tag>`` columns.
    baseline_accuracy : float
        Dev accuracy of the common starting point, in [0, 1].
    tags : list of str, optional
        Tags whose ``tag_accuracy_<tag>`` columns to report; default: all such columns.

    Returns
    -------
    pandas.DataFrame
        Index: arm. Columns ``n_runs`` (the budget used), ``best_run``, ``dev_accuracy`` (of
        the best run, chosen on dev accuracy), ``gain`` (over `baseline_accuracy`) and
        ``gain_<tag>`` per tag (best run's tag accuracy minus the baseline run's, which is
        the row whose ``run`` is "baseline" when present, else 0).

    Raises
    ------
    ValueError
        If a required column is missing, an arm is empty, or the arms' budgets differ.
    """
    func = "budget_comparison"
    needed = {"arm", "run", "dev_accuracy"}
    missing = needed - set(runs.columns)
    if missing:
        raise ValueError(
            f"{func} needs the columns {sorted(needed)}; {sorted(missing)} missing. "
            f"Got {list(runs.columns)}."
        )
    base = check_float(baseline_accuracy, "baseline_accuracy", low=0, high=1, func=func)
    if tags is None:
        tags = [
            c.removeprefix("tag_accuracy_") for c in runs.columns if c.startswith("tag_accuracy_")
        ]
    base_row = runs[runs["run"] == "baseline"]
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
        best = part.loc[part["dev_accuracy"].idxmax()]
        row = {
            "n_runs": len(part),
            "best_run": best["run"],
            "dev_accuracy": float(best["dev_accuracy"]),
            "gain": float(best["dev_accuracy"]) - base,
        }
        for t in tags:
            ref = float(base_row[f"tag_accuracy_{t}"].iloc[0]) if len(base_row) else 0.0
            row[f"gain_{t}"] = float(best[f"tag_accuracy_{t}"]) - ref
        rows[arm] = row
    import pandas as pd

    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "arm"
    return out
