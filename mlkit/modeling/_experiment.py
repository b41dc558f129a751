"""Models, splits and scoring: the experiment behind section 1 and 2 of 03_modeling.

Serves the notebook's "Data, split by speaker" section (:func:`load_speech_split`) and the
scoring used wherever a model is trained and logged (:func:`fit_and_score`, :func:`score_sets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mlkit._models import make_model
from mlkit._validation import (
    check_float,
    check_int,
    check_random_state,
    check_same_length,
    check_tags,
)
from mlkit.datasets import speaker_split


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

    @property
    def snr_db(self) -> np.ndarray:
        """Broadband SNR of every clip in dB, ndarray of float of shape (n_clips,) (NaN: no noise)."""
        return self.data.metadata["snr_db"].to_numpy(dtype=float)

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


def describe_seen_vs_unseen(
    seen_correct,
    unseen_correct,
    *,
    confidence: float = 0.95,
    n_resamples: int = 999,
    random_state=0,
) -> str:
    """Say in markdown whether seen speakers scored higher than unseen ones, with an interval.

    Parameters
    ----------
    seen_correct : array-like of bool of shape (n_seen,)
        Per held-out clip of a training speaker: the model was right.
    unseen_correct : array-like of bool of shape (n_unseen,)
        Per clip of an unseen (dev) speaker: the model was right.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).
    n_resamples : int, default=999
        Bootstrap resamples, at least 99.
    random_state : int or numpy.random.Generator, default=0
        Seeds the bootstrap.

    Returns
    -------
    str
        One markdown paragraph: both accuracies with their clip counts, the difference in
        points with its percentile bootstrap interval (the two sets resampled independently,
        :func:`scipy.stats.bootstrap`), and what this run shows: seen speakers scored higher
        beyond chance, lower, or the two cannot be told apart.

    Raises
    ------
    ValueError
        If a set has fewer than two clips or a parameter is out of range.

    Notes
    -----
    The interval treats clips as independent; clips of one speaker are not, so it is if
    anything too narrow. Speakers, not clips, are the unit a new user is.

    Examples
    --------
    >>> describe_seen_vs_unseen([True] * 9 + [False], [True] * 5 + [False] * 5)[:44]
    'Seen speakers **90.0%** (10 clips) vs unseen'
    """
    from scipy.stats import bootstrap

    func = "describe_seen_vs_unseen"
    seen = np.asarray(seen_correct, dtype=np.float64).ravel()
    unseen = np.asarray(unseen_correct, dtype=np.float64).ravel()
    if seen.size < 2 or unseen.size < 2:
        raise ValueError(
            f"{func} needs at least two clips in each set. Got {seen.size} seen and "
            f"{unseen.size} unseen."
        )
    conf = check_float(confidence, "confidence", low=0, high=1, inclusive=(False, False), func=func)
    n_resamples = check_int(n_resamples, "n_resamples", min_value=99, func=func)
    res = bootstrap(
        (seen, unseen),
        lambda a, b, axis: a.mean(axis=axis) - b.mean(axis=axis),
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=conf,
        method="percentile",
        random_state=check_random_state(random_state),
    )
    lo, hi = res.confidence_interval.low, res.confidence_interval.high
    diff = seen.mean() - unseen.mean()
    text = (
        f"Seen speakers **{seen.mean():.1%}** ({seen.size} clips) vs unseen **{unseen.mean():.1%}** "
        f"({unseen.size} clips): {100 * diff:+.1f} points, {100 * conf:g} % interval "
        f"[{100 * lo:+.1f}, {100 * hi:+.1f}]. "
    )
    if lo > 0:
        return text + (
            "Here the seen speakers' number overstates what new users get, beyond chance."
        )
    if hi < 0:
        return text + (
            "Here unseen speakers scored higher, beyond chance: the held-out voices happen to be "
            "easy ones. Either way, only the unseen speakers' number stands for new users."
        )
    return text + (
        "The interval includes 0: on this run the two cannot be told apart, so the seen "
        "speakers' number does not overstate the unseen one beyond chance here. The number to "
        "report is still the unseen speakers': they are the ones that stand for new users."
    )
