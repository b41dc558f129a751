"""The data phase: labeling conventions, label consistency, HLP, splits, provenance, schema checks.

Labels are integer digits 0-9, or :data:`UNINTELLIGIBLE` for a clip a careful listener cannot
tell. A *labels matrix* holds one row per labeler: shape ``(n_labelers, n_samples)``.

The labelers are simulated against known ground truth (:func:`simulate_labelers`), so every
agreement number can be set next to the accuracy that a real team could not measure.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import warnings
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from mlkit._models import labeling_model
from mlkit._validation import (
    check_float,
    check_int,
    check_one_of,
    check_random_state,
    check_same_length,
    check_tags,
)

__all__ = [
    "UNINTELLIGIBLE",
    "DIGITS",
    "CONFUSABLE_PAIRS",
    "TAG_DIFFICULTY",
    "LABELING_CONVENTION",
    "labeler_names",
    "ambiguous_mask",
    "simulate_labelers",
    "apply_convention",
    "consensus_labels",
    "labeler_accuracy",
    "agreement_matrix",
    "cohen_kappa_matrix",
    "fleiss_kappa",
    "disagreement_by_clip",
    "relabel_candidates",
    "hlp_by_tag",
    "estimate_hlp",
    "simulate_consistent_model",
    "compare_to_hlp",
    "add_label_noise",
    "label_noise_learning_curves",
    "split_train_dev_test",
    "class_share_table",
    "max_split_share_deviation",
    "leakage_gap",
    "default_run_dir",
    "save_artefact",
    "validate_clips",
    "ClipValidator",
    "make_validated_pipeline",
    "inject_schema_errors",
    "plot_kappa_matrix",
    "plot_hlp_by_tag",
    "plot_learning_curves",
]

UNINTELLIGIBLE: int = -1
"""Label of a clip that a careful listener cannot tell (too noisy, cut off, mumbled)."""

DIGITS = tuple(range(10))
"""The ten digit labels."""

CONFUSABLE_PAIRS = ((5, 9), (1, 9), (6, 7), (2, 3), (4, 5))
"""Digit pairs listeners mix up: five/nine and one/nine share the vowel or the final /n/,
six/seven the /s/ onset, two/three the /t/ onset, four/five the /f/ onset."""

TAG_DIFFICULTY = {
    "clean": {"error_multiplier": 1.0, "ambiguous_share": 0.02},
    "car_noise": {"error_multiplier": 2.5, "ambiguous_share": 0.15},
    "people_noise": {"error_multiplier": 3.0, "ambiguous_share": 0.20},
    "low_bandwidth": {"error_multiplier": 1.5, "ambiguous_share": 0.08},
}
"""Per noise tag: how much more often a labeler errs, and the share of clips that are ambiguous.

Untagged data (``tags=None``) uses the clean multiplier and an ambiguous share of 0.10."""

_UNTAGGED = {"error_multiplier": 1.0, "ambiguous_share": 0.10}
_CONFUSABLE_SHARE = 0.7  # share of a labeler's errors that go to a confusable partner
_GUESS_CORRECT = 0.5  # chance that a guess on an ambiguous clip is the spoken digit
_UNTAGGED_FIX = "Pass tags=None for untagged data."

LABELING_CONVENTION = f"""\
| situation | label |
|---|---|
| one digit is clearly spoken | the digit, 0-9 |
| you can tell the digit despite noise | the digit (noise is not a reason to skip) |
| you cannot tell which digit it is (masked by noise, cut off, mumbled) | `UNINTELLIGIBLE` ({UNINTELLIGIBLE}) |
| you hesitate between two digits (five or nine?) | `UNINTELLIGIBLE` ({UNINTELLIGIBLE}), never your best guess |
"""
"""The kit's labeling convention as a markdown table (shown in the data notebook)."""


# --------------------------------------------------------------------------------------------
# validation at the door
# --------------------------------------------------------------------------------------------


def _check_labels(labels, func, *, min_labelers=2):
    """Return `labels` as a 2-D array (n_labelers, n_samples), checking the shape."""
    arr = np.asarray(labels)
    if arr.ndim != 2:
        raise ValueError(
            f"{func} needs a labels matrix of shape (n_labelers, n_samples), one row per "
            f"labeler. Got an array of shape {arr.shape} instead."
        )
    if arr.shape[0] < min_labelers:
        raise ValueError(
            f"{func} needs labels from at least {min_labelers} labelers (shape (n_labelers, "
            f"n_samples)). Got {arr.shape[0]} labeler{'s' if arr.shape[0] != 1 else ''}: "
            "agreement is only defined between labelers."
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{func} needs at least one labelled sample. Got shape {arr.shape}.")
    return arr


def _check_digits(y, name, func):
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"The {name!r} parameter of {func} must be a non-empty 1-D array of digit labels. "
            f"Got shape {y.shape} instead."
        )
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9:
        raise ValueError(
            f"The {name!r} parameter of {func} must hold integer digits 0-9. "
            f"Got values {np.unique(y)[:12].tolist()} (dtype {y.dtype}) instead."
        )
    return y.astype(np.int64)


def _tag_order(tags) -> list[str]:
    """Return the distinct tags: CONDITIONS order first, then the others sorted."""
    from mlkit.audio import CONDITIONS

    present = set(tags)
    return [c for c in CONDITIONS if c in present] + sorted(present - set(CONDITIONS))


# --------------------------------------------------------------------------------------------
# simulated labelers
# --------------------------------------------------------------------------------------------


def labeler_names(n_labelers: int, *, careless: bool = True) -> list[str]:
    """Return readable names for the labelers of :func:`simulate_labelers`, by role.

    Parameters
    ----------
    n_labelers : int
        Number of labelers (>= 2).
    careless : bool, default=True
        Whether the last labeler is the careless one (only when `n_labelers` >= 3).

    Returns
    -------
    list of str
        ``"L0 guesser"``, ``"L1 marks-unintelligible"``, ``"L2"``..., ``"L4 careless"``.

    Examples
    --------
    >>> labeler_names(4)
    ['L0 guesser', 'L1 marks-unintelligible', 'L2', 'L3 careless']
    """
    n = check_int(n_labelers, "n_labelers", min_value=2, func="labeler_names")
    names = [f"L{i}" for i in range(n)]
    names[0] += " guesser"
    names[1] += " marks-unintelligible"
    if careless and n >= 3:
        names[-1] += " careless"
    return names


def ambiguous_mask(n_samples: int, *, tags=None, random_state=0) -> np.ndarray:
    """Choose which clips are genuinely ambiguous (a careful listener cannot tell the digit).

    Parameters
    ----------
    n_samples : int
        Number of clips.
    tags : array-like of shape (n_samples,), optional
        Noise-condition tag per clip, among :data:`TAG_DIFFICULTY`'s keys.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the choice. :func:`simulate_labelers` with the same int uses the same clips.

    Returns
    -------
    ndarray of shape (n_samples,), dtype bool
        True for ambiguous clips: per tag, exactly ``round(ambiguous_share * n_tag)`` clips
        chosen at random (so noisy tags hold more of them).

    Raises
    ------
    ValueError
        If `tags` has the wrong length or an unknown tag.

    Examples
    --------
    >>> int(ambiguous_mask(100, tags=["people_noise"] * 100).sum())
    20
    """
    n = check_int(n_samples, "n_samples", min_value=0, func="ambiguous_mask")
    tags = check_tags(tags, n, "ambiguous_mask", known=TAG_DIFFICULTY, fix=_UNTAGGED_FIX)
    rng = check_random_state(random_state)
    mask = np.zeros(n, dtype=bool)
    groups = (
        {None: np.arange(n)}
        if tags is None
        else {t: np.flatnonzero(tags == t) for t in TAG_DIFFICULTY}
    )
    for tag, members in groups.items():
        share = (_UNTAGGED if tag is None else TAG_DIFFICULTY[tag])["ambiguous_share"]
        k = int(round(share * members.size))
        if k:
            mask[rng.choice(members, size=k, replace=False)] = True
    return mask


def _wrong_labels(y, rng):
    """Return a wrong digit per entry of `y` (any shape): a confusable partner or another digit."""
    partners = {d: [] for d in DIGITS}
    for a, b in CONFUSABLE_PAIRS:
        partners[a].append(b)
        partners[b].append(a)
    width = max(len(p) for p in partners.values())
    table = np.full((10, width), -1)
    n_partners = np.zeros(10, dtype=np.int64)
    for d, p in partners.items():
        table[d, : len(p)] = p
        n_partners[d] = len(p)
    other = (y + rng.integers(1, 10, size=y.shape)) % 10
    pick = np.floor(rng.random(y.shape) * np.maximum(n_partners[y], 1)).astype(np.int64)
    partner = table[y, pick]
    use_partner = (rng.random(y.shape) < _CONFUSABLE_SHARE) & (n_partners[y] > 0)
    return np.where(use_partner, partner, other)


def simulate_labelers(
    y_true,
    *,
    tags=None,
    n_labelers: int = 5,
    error_rate: float = 0.05,
    careless: bool = True,
    careless_error_rate: float | None = None,
    ambiguous=None,
    random_state=0,
) -> np.ndarray:
    """Simulate a team of labelers with realistic, known mistakes.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The digit actually spoken in each clip, 0-9.
    tags : array-like of shape (n_samples,), optional
        Noise-condition tag per clip; noisy tags raise the error rate and hold more
        ambiguous clips (see :data:`TAG_DIFFICULTY`). ``None`` treats every clip as clean.
    n_labelers : int, default=5
        Number of labelers, at least 2.
    error_rate : float, default=0.05
        A typical labeler's chance, in [0, 1], of mishearing a clear, clean clip. Each
        labeler gets 0.7-1.3 times this rate; noisy tags multiply it.
    careless : bool, default=True
        Make the last labeler careless (only when `n_labelers` >= 3).
    careless_error_rate : float or None, default=None
        The careless labeler's error rate, the same in every condition (they do not listen
        closely). ``None`` means ``min(0.9, 0.1 + 2 * error_rate)``.
    ambiguous : array-like of bool of shape (n_samples,), optional
        Which clips are ambiguous; ``None`` draws them with :func:`ambiguous_mask` (the same
        clips as ``ambiguous_mask(n_samples, tags=tags, random_state=random_state)`` for an
        int `random_state`).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds everything. The same int gives the same labels.

    Returns
    -------
    labels : ndarray of shape (n_labelers, n_samples), dtype int64
        Digits 0-9 or :data:`UNINTELLIGIBLE`.

    Raises
    ------
    ValueError
        If `y_true` is not digits, the lengths differ, a tag is unknown, `n_labelers` < 2 or
        a rate is outside [0, 1].

    Notes
    -----
    On a clear clip a labeler errs with probability ``min(0.95, rate * error_multiplier[tag])``;
    70 % of errors name a confusable partner (:data:`CONFUSABLE_PAIRS`) when the digit has
    one, the rest another digit at random. Errors never produce ``UNINTELLIGIBLE``.
    On an ambiguous clip the labelers follow different conventions (the course's "um" vs
    "erm" case): L0 always writes a best guess (right half the time), L1 always writes
    ``UNINTELLIGIBLE``, everyone else does one or the other at random, clip by clip.

    Examples
    --------
    >>> labels = simulate_labelers([3, 5, 9, 0], n_labelers=3, random_state=0)
    >>> labels.shape
    (3, 4)
    """
    func = "simulate_labelers"
    y = _check_digits(y_true, "y_true", func)
    n = y.size
    tags = check_tags(tags, n, func, known=TAG_DIFFICULTY, fix=_UNTAGGED_FIX)
    n_lab = check_int(n_labelers, "n_labelers", min_value=2, func=func)
    rate = check_float(error_rate, "error_rate", low=0.0, high=1.0, func=func)
    if careless_error_rate is None:
        careless_rate = min(0.9, 0.1 + 2.0 * rate)
    else:
        careless_rate = check_float(
            careless_error_rate, "careless_error_rate", low=0.0, high=1.0, func=func
        )
    rng = check_random_state(random_state)
    if ambiguous is None:
        amb = ambiguous_mask(n, tags=tags, random_state=rng)
    else:
        amb = np.asarray(ambiguous, dtype=bool)
        check_same_length(func, y_true=y, ambiguous=amb)

    if tags is None:
        mult = np.full(n, _UNTAGGED["error_multiplier"])
    else:
        lookup = {t: v["error_multiplier"] for t, v in TAG_DIFFICULTY.items()}
        uniq, inverse = np.unique(tags, return_inverse=True)
        mult = np.array([lookup[t] for t in uniq])[inverse]
    rates = rate * rng.uniform(0.7, 1.3, size=n_lab)
    p_err = np.minimum(0.95, rates[:, None] * mult[None, :])
    has_careless = careless and n_lab >= 3
    if has_careless:
        p_err[-1] = careless_rate
    y_rep = np.broadcast_to(y, (n_lab, n))
    wrong = _wrong_labels(y_rep, rng)
    labels = np.where(rng.random((n_lab, n)) < p_err, wrong, y_rep)

    # Ambiguous clips: conventions differ between labelers.
    guess = np.where(rng.random((n_lab, n)) < _GUESS_CORRECT, y_rep, _wrong_labels(y_rep, rng))
    says_unintelligible = rng.random((n_lab, n)) < 0.5
    says_unintelligible[0] = False
    says_unintelligible[1] = True
    ambiguous_label = np.where(says_unintelligible, UNINTELLIGIBLE, guess)
    labels = np.where(amb[None, :], ambiguous_label, labels)
    return labels.astype(np.int64)


def apply_convention(labels, *, ambiguous=None, label: int = UNINTELLIGIBLE) -> np.ndarray:
    """Apply the documented convention: every labeler writes `label` on ambiguous clips.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples) or (n_samples,)
        A labels matrix, or one label vector (for example the ground truth).
    ambiguous : array-like of bool of shape (n_samples,), optional
        The clips the convention covers. ``None`` (labels matrix only) uses the clips that
        at least one labeler marked `label`: the team reviews every flagged clip.
    label : int, default=UNINTELLIGIBLE
        The label the convention prescribes for ambiguous clips.

    Returns
    -------
    ndarray of the same shape as `labels`
        A copy with the ambiguous clips relabelled.

    Raises
    ------
    ValueError
        If `ambiguous` has the wrong length, or is None for a label vector.

    Examples
    --------
    >>> apply_convention([[5, 9, 3], [-1, 9, 3]]).tolist()
    [[-1, 9, 3], [-1, 9, 3]]
    >>> apply_convention([5, 9, 3], ambiguous=[False, True, False]).tolist()
    [5, -1, 3]
    """
    arr = np.array(labels)
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(
            "apply_convention needs a labels matrix (n_labelers, n_samples) or a label vector "
            f"(n_samples,). Got shape {arr.shape} instead."
        )
    if ambiguous is None:
        if arr.ndim == 1:
            raise ValueError(
                "apply_convention needs the 'ambiguous' mask for a single label vector; "
                "only a labels matrix can flag its own ambiguous clips."
            )
        amb = (arr == label).any(axis=0)
    else:
        amb = np.asarray(ambiguous, dtype=bool)
        if amb.shape != (arr.shape[-1],):
            raise ValueError(
                "apply_convention needs inputs of the same length. Got "
                f"ambiguous={amb.size}, n_samples={arr.shape[-1]}. Pass one flag per sample."
            )
    arr[..., amb] = label
    return arr


def consensus_labels(labels, *, tie: str = "unintelligible") -> np.ndarray:
    """Return the majority-vote label of each clip.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    tie : {"unintelligible", "lowest"}, default="unintelligible"
        What a clip gets when two or more labels share the most votes: ``UNINTELLIGIBLE``
        (no majority means the team cannot tell) or the lowest of the tied labels.

    Returns
    -------
    ndarray of shape (n_samples,)
        The most frequent label per clip, ties resolved by `tie`.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix or `tie` is unknown.

    Examples
    --------
    >>> consensus_labels([[5, 9, 3], [5, 5, 3], [9, 1, 3]]).tolist()
    [5, -1, 3]
    """
    arr = _check_labels(labels, "consensus_labels")
    check_one_of(tie, "tie", {"unintelligible", "lowest"}, func="consensus_labels")
    cats, codes = np.unique(arr, return_inverse=True)
    codes = codes.reshape(arr.shape)
    counts = np.stack([(codes == k).sum(axis=0) for k in range(cats.size)])
    best = counts.argmax(axis=0)  # lowest category among the tied maxima
    out = cats[best]
    if tie == "unintelligible":
        n_max = (counts == counts.max(axis=0)).sum(axis=0)
        out = np.where(n_max > 1, UNINTELLIGIBLE, out)
    return out


# --------------------------------------------------------------------------------------------
# agreement
# --------------------------------------------------------------------------------------------


def labeler_accuracy(labels, y_true, *, tags=None, names=None):
    """Return each labeler's accuracy against the ground truth, overall and per tag.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix.
    y_true : array-like of shape (n_samples,)
        Ground truth (what a real team cannot see).
    tags : array-like of shape (n_samples,), optional
        Adds one column per tag.
    names : list of str, optional
        Row names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame
        One row per labeler; column ``overall`` then one column per tag (fractions).

    Raises
    ------
    ValueError
        If the lengths differ or `labels` is not a labels matrix.
    """
    import pandas as pd

    arr = _check_labels(labels, "labeler_accuracy", min_labelers=1)
    y = np.asarray(y_true)
    check_same_length("labeler_accuracy", labels=arr[0], y_true=y)
    tags = check_tags(tags, y.size, "labeler_accuracy")
    correct = arr == y[None, :]
    out = {"overall": correct.mean(axis=1)}
    if tags is not None:
        for t in _tag_order(tags):
            out[t] = correct[:, tags == t].mean(axis=1)
    index = names or [f"labeler {i}" for i in range(arr.shape[0])]
    return pd.DataFrame(out, index=pd.Index(index, name="labeler"))


def agreement_matrix(labels, *, names=None):
    """Return the share of clips on which each pair of labelers gave the same label.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    names : list of str, optional
        Row and column names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame of shape (n_labelers, n_labelers)
        Raw agreement in [0, 1]; 1 on the diagonal.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.
    """
    import pandas as pd

    arr = _check_labels(labels, "agreement_matrix")
    agree = (arr[:, None, :] == arr[None, :, :]).mean(axis=2)
    index = names or [f"labeler {i}" for i in range(arr.shape[0])]
    return pd.DataFrame(agree, index=index, columns=index)


def _cohen_kappa(a, b) -> float:
    from sklearn.metrics import cohen_kappa_score

    if np.array_equal(a, b):
        return 1.0  # also when both are constant, where chance agreement is 1 and kappa 0/0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b))


def cohen_kappa_matrix(labels, *, names=None):
    """Return Cohen's kappa for every pair of labelers.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers. Any hashable labels.
    names : list of str, optional
        Row and column names; default ``"labeler 0"``, ...

    Returns
    -------
    pandas.DataFrame of shape (n_labelers, n_labelers)
        Symmetric, values in [-1, 1], 1 on the diagonal.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Notes
    -----
    Cohen (1960), ``kappa = (p_o - p_e) / (1 - p_e)``, computed with
    :func:`sklearn.metrics.cohen_kappa_score`. Two identical label vectors get 1, including
    the degenerate case where both are constant (sklearn returns NaN there).

    Examples
    --------
    >>> cohen_kappa_matrix([[0, 1, 2, 1], [0, 1, 2, 1]]).iloc[0, 1]
    np.float64(1.0)
    """
    import pandas as pd

    arr = _check_labels(labels, "cohen_kappa_matrix")
    n = arr.shape[0]
    out = np.eye(n)
    for i, j in combinations(range(n), 2):
        out[i, j] = out[j, i] = _cohen_kappa(arr[i], arr[j])
    index = names or [f"labeler {i}" for i in range(n)]
    return pd.DataFrame(out, index=index, columns=index)


def _fleiss_from_counts(counts) -> float:
    counts = np.asarray(counts, dtype=np.float64)
    n_raters = counts.sum(axis=1)
    if not np.allclose(n_raters, n_raters[0]):
        raise ValueError(
            "Fleiss' kappa needs the same number of ratings for every subject. Got between "
            f"{n_raters.min():g} and {n_raters.max():g} ratings per subject. Have every labeler "
            "label every clip (write UNINTELLIGIBLE instead of leaving a clip out), or drop the "
            "clips some labelers skipped."
        )
    m = n_raters[0]
    p_i = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(axis=0) / counts.sum()
    p_e = float((p_j**2).sum())
    if math.isclose(p_e, 1.0):
        return 1.0  # everyone used one category: perfect (if trivial) agreement
    return float((p_bar - p_e) / (1.0 - p_e))


def fleiss_kappa(labels) -> float:
    """Return Fleiss' kappa: chance-corrected agreement among any number of labelers.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers, every clip labelled by every labeler.
        Any hashable labels (digits, ``UNINTELLIGIBLE``, strings).

    Returns
    -------
    float
        ``(P_bar - P_e) / (1 - P_e)``: 1 for perfect agreement, 0 for chance level,
        negative below chance (never below ``-1 / (n_labelers - 1)``).

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Notes
    -----
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5), 378-382, equations (2), (5), (6) and (9):
    ``P_i = (sum_j n_ij^2 - m) / (m (m - 1))`` per clip with `m` labelers,
    ``p_j`` the share of all labels in category `j`, ``P_e = sum_j p_j^2``.
    When every label is the same category (``P_e = 1``) the formula is 0/0; this function
    returns 1.0, as the agreement is perfect.

    Examples
    --------
    >>> round(fleiss_kappa([[1, 2, 3, 1], [1, 2, 3, 2], [1, 2, 3, 1]]), 3)
    0.745
    """
    arr = _check_labels(labels, "fleiss_kappa")
    _, codes = np.unique(arr, return_inverse=True)
    codes = codes.reshape(arr.shape)
    k = int(codes.max()) + 1
    n = arr.shape[1]
    flat = (np.arange(n)[None, :] * k + codes).ravel()
    counts = np.bincount(flat, minlength=n * k).reshape(n, k)
    return _fleiss_from_counts(counts)


def disagreement_by_clip(labels, *, y_true=None):
    """Describe, clip by clip, how much the labelers disagree.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    y_true : array-like of shape (n_samples,), optional
        Adds a ``consensus_correct`` column.

    Returns
    -------
    pandas.DataFrame of shape (n_samples, ...)
        ``labels`` (the labels as text), ``consensus`` (:func:`consensus_labels`),
        ``consensus_share`` (share of labelers who gave the most frequent label),
        ``n_distinct`` (distinct labels), ``disagreement`` (``1 - consensus_share``) and
        ``n_unintelligible``.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix or the lengths differ.
    """
    import pandas as pd

    arr = _check_labels(labels, "disagreement_by_clip")
    m, n = arr.shape
    srt = np.sort(arr, axis=0)
    n_distinct = 1 + (np.diff(srt, axis=0) != 0).sum(axis=0)
    max_votes = np.max([(arr == arr[i][None, :]).sum(axis=0) for i in range(m)], axis=0)
    out = pd.DataFrame(
        {
            "labels": [" ".join(str(v) for v in col) for col in arr.T],
            "consensus": consensus_labels(arr),
            "consensus_share": max_votes / m,
            "n_distinct": n_distinct,
            "disagreement": 1.0 - max_votes / m,
            "n_unintelligible": (arr == UNINTELLIGIBLE).sum(axis=0),
        }
    )
    if y_true is not None:
        y = np.asarray(y_true)
        check_same_length("disagreement_by_clip", labels=arr[0], y_true=y)
        out["consensus_correct"] = out["consensus"].to_numpy() == y
    return out


def relabel_candidates(labels, *, metadata=None, n_candidates: int = 10):
    """List the clips that most need a second look, most disputed first.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.
    metadata : pandas.DataFrame of shape (n_samples, n_columns), optional
        Per-clip metadata (for example ``SpeechData.metadata``) joined on position.
    n_candidates : int, default=10
        At most this many clips, only clips with some disagreement.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`disagreement_by_clip` sorted by ``disagreement`` then ``n_distinct``
        (both descending, ties by position), with the metadata columns ``clip_id``,
        ``condition``, ``snr_db`` when present. The index is the clip position.

    Raises
    ------
    ValueError
        If the lengths differ or `n_candidates` < 1.
    """
    arr = _check_labels(labels, "relabel_candidates")
    k = check_int(n_candidates, "n_candidates", min_value=1, func="relabel_candidates")
    table = disagreement_by_clip(arr)
    if metadata is not None:
        check_same_length("relabel_candidates", labels=arr[0], metadata=metadata)
        cols = [c for c in ("clip_id", "condition", "snr_db") if c in metadata.columns]
        table = metadata[cols].reset_index(drop=True).join(table)
    table = table[table["disagreement"] > 0]
    table = table.sort_values(["disagreement", "n_distinct"], ascending=False, kind="stable")
    return table.head(k)


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

    arr = _check_labels(labels, "hlp_by_tag")
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


def estimate_hlp(y_true, *, tags, n_labelers: int = 5, error_rate: float = 0.05, random_state=0):
    """Estimate HLP per tag for error analysis: labelers scored on the model's own truth.

    The one HLP definition the later phases share (scoping, error analysis, augmentation):
    typical labelers (no careless one) are simulated with :func:`simulate_labelers` and each
    is scored against the digit actually spoken, the same truth and the same clips the model
    is scored on. A labeler who writes ``UNINTELLIGIBLE`` on an ambiguous clip counts as
    wrong, exactly as a model that guesses wrong does, so ``model accuracy - hlp_accuracy``
    compares like with like.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The digit spoken in each evaluation clip, 0-9.
    tags : array-like of str of shape (n_samples,)
        Noise-condition tag per clip (see :data:`TAG_DIFFICULTY`).
    n_labelers : int, default=5
        Labelers to simulate, at least 2.
    error_rate : float, default=0.05
        A typical labeler's error rate on clear clean clips, in [0, 1].
    random_state : int, default=0
        Seeds the labelers and which clips are ambiguous.

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
        As :func:`simulate_labelers` (mismatched lengths, unknown tags, bad rates).

    Notes
    -----
    HLP as a proxy for Bayes error and the "gap to HLP" per tag follow the course's error
    analysis (Ng, *Introduction to Machine Learning in Production*, week 2). The
    simulated labelers' per-tag difficulty is set by :data:`TAG_DIFFICULTY`, not measured
    from the audio: the numbers teach the method, not the true HLP of these recordings.
    """
    labels = simulate_labelers(
        y_true,
        tags=tags,
        n_labelers=n_labelers,
        error_rate=error_rate,
        careless=False,
        random_state=random_state,
    )
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
    arr = _check_labels(labels, func)
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
    arr = _check_labels(labels, "compare_to_hlp")
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


# --------------------------------------------------------------------------------------------
# label noise and learning curves
# --------------------------------------------------------------------------------------------


def add_label_noise(y, *, noise_rate: float, random_state=0) -> np.ndarray:
    """Flip a fixed share of labels to another class, chosen uniformly.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (at least two distinct classes when `noise_rate` > 0).
    noise_rate : float
        Share of labels to flip, in [0, 1]; exactly ``round(noise_rate * n_samples)`` flip.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds which labels flip and to what.

    Returns
    -------
    ndarray of shape (n_samples,)
        A noisy copy of `y`; every flipped label differs from the original.

    Raises
    ------
    ValueError
        If `noise_rate` is outside [0, 1] or `y` has one class and noise is asked for.

    Examples
    --------
    >>> y = np.arange(10)
    >>> int((add_label_noise(y, noise_rate=0.3) != y).sum())
    3
    """
    y = np.asarray(y)
    rate = check_float(noise_rate, "noise_rate", low=0.0, high=1.0, func="add_label_noise")
    rng = check_random_state(random_state)
    classes = np.unique(y)
    k = int(round(rate * y.size))
    out = y.copy()
    if k == 0:
        return out
    if classes.size < 2:
        raise ValueError(
            "add_label_noise needs at least 2 classes to flip labels between. "
            f"Got only {classes.tolist()}."
        )
    idx = rng.choice(y.size, size=k, replace=False)
    pos = np.searchsorted(classes, y[idx])
    out[idx] = classes[(pos + rng.integers(1, classes.size, size=k)) % classes.size]
    return out


def label_noise_learning_curves(
    X,
    y,
    *,
    noise_rates=(0.0, 0.1, 0.3),
    train_sizes=(0.1, 0.25, 0.5, 1.0),
    test_size: float = 0.25,
    n_repeats: int = 3,
    estimator=None,
    scoring: str = "accuracy",
    random_state=0,
):
    """Measure how label noise in the training set hurts a model at small and large n.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Clean labels.
    noise_rates : sequence of float, default=(0.0, 0.1, 0.3)
        Shares of training labels flipped (:func:`add_label_noise`), each in [0, 1].
    train_sizes : sequence of float or int, default=(0.1, 0.25, 0.5, 1.0)
        Training-set sizes: floats in (0, 1] are shares of the training pool, ints counts.
    test_size : float, default=0.25
        Share of the data held out, with clean labels, for scoring.
    n_repeats : int, default=3
        Repeats with different stratified splits; the curves are their mean.
    estimator : scikit-learn estimator, optional
        Cloned for every fit; default ``StandardScaler`` + ``LogisticRegression(C=0.02)``,
        regularised strongly enough to average random label noise out when data is plentiful.
    scoring : str, default="accuracy"
        A scikit-learn scorer name, for example ``"balanced_accuracy"`` for a rare class.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the splits, the subsets and the noise.

    Returns
    -------
    pandas.DataFrame
        One row per (noise_rate, n_train): ``score_mean``, ``score_std`` over repeats.

    Raises
    ------
    ValueError
        If the lengths differ or a size or rate is out of range.

    Notes
    -----
    Training subsets are nested and the noise is drawn once per repeat and rate, so the
    curves differ only by the noise, not by which clips were drawn.
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import train_test_split

    func = "label_noise_learning_curves"
    X = np.asarray(X)
    y = np.asarray(y)
    check_same_length(func, X=X, y=y)
    test_size = check_float(
        test_size, "test_size", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    reps = check_int(n_repeats, "n_repeats", min_value=1, func=func)
    rates = [check_float(r, "noise_rates", low=0.0, high=1.0, func=func) for r in noise_rates]
    rng = check_random_state(random_state)
    scorer = get_scorer(scoring)
    est = estimator if estimator is not None else labeling_model(C=0.02)
    rows = []
    for rep in range(reps):
        seed = int(rng.integers(2**31 - 1))
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed
        )
        order = np.random.default_rng(seed).permutation(y_tr.size)
        sizes = []
        for s in train_sizes:
            if isinstance(s, numbers.Integral) and not isinstance(s, bool):
                k = int(s)
            else:
                k = int(
                    round(
                        check_float(
                            s, "train_sizes", low=0.0, high=1.0, inclusive=(False, True), func=func
                        )
                        * y_tr.size
                    )
                )
            if not 2 <= k <= y_tr.size:
                raise ValueError(
                    f"The 'train_sizes' parameter of {func} must give between 2 and {y_tr.size} "
                    f"training samples. Got {s!r} ({k} samples) instead."
                )
            sizes.append(k)
        for rate in rates:
            y_noisy = add_label_noise(y_tr, noise_rate=rate, random_state=seed + 1)
            for k in sizes:
                idx = order[:k]
                if np.unique(y_noisy[idx]).size < 2:
                    continue
                model = clone(est).fit(X_tr[idx], y_noisy[idx])
                rows.append(
                    {
                        "noise_rate": rate,
                        "n_train": k,
                        "repeat": rep,
                        "score": scorer(model, X_te, y_te),
                    }
                )
    raw = pd.DataFrame(rows)
    out = raw.groupby(["noise_rate", "n_train"])["score"].agg(score_mean="mean", score_std="std")
    return out.reset_index()


# --------------------------------------------------------------------------------------------
# splits
# --------------------------------------------------------------------------------------------

_SPLITS = ("train", "dev", "test")


def _strata(y, tags, rare_strata):
    """Return the stratification key per sample, merging or refusing rare strata."""
    import pandas as pd

    y_key = pd.Series(y).astype(str).to_numpy()
    if tags is None:
        return y_key
    key = np.char.add(np.char.add(y_key.astype(str), "|"), np.asarray(tags).astype(str))
    if rare_strata != "merge":
        return key
    counts = pd.Series(key).value_counts()
    rare = np.isin(key, counts[counts < len(_SPLITS)].index.to_numpy())
    key = np.where(rare, y_key, key)  # rare (label, tag) samples: stratify by label alone
    for label in np.unique(y_key[rare]):
        pooled = rare & (y_key == label)
        if pooled.sum() < len(_SPLITS):
            # Still too few: join the label's largest (label, tag) stratum instead.
            own = pd.Series(key[(y_key == label) & ~rare]).value_counts()
            if len(own):
                key = np.where(pooled, own.index[0], key)
    return key


def split_train_dev_test(
    y,
    *,
    dev_size: float = 0.2,
    test_size: float = 0.2,
    tags=None,
    groups=None,
    stratify: bool = True,
    rare_strata: str = "error",
    random_state=0,
) -> dict:
    """Split sample positions into train, dev and test sets that keep one distribution.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    dev_size, test_size : float, default=0.2
        Shares of the samples (of the groups, with `groups`) for dev and test, each in
        (0, 1), together below 1. Train gets the rest.
    tags : array-like of shape (n_samples,), optional
        Noise tag per sample: stratify by (label, tag) instead of label alone.
    groups : array-like of shape (n_samples,), optional
        Speaker (or other group) per sample: no group lands in two splits.
        Grouped splits are not stratified; check them with :func:`class_share_table`.
    stratify : bool, default=True
        Keep each label's (and tag's) share the same in every split. ``False``: a plain
        random split.
    rare_strata : {"error", "merge"}, default="error"
        What to do when a (label, tag) stratum has fewer than 3 members (one per split):
        raise, or fall back to stratifying those samples by label alone (documented
        fallback). A *label* with fewer than 3 members always raises.
    random_state : int or None, default=0
        Seeds the split.

    Returns
    -------
    dict of str to ndarray of int
        ``{"train": positions, "dev": positions, "test": positions}``, sorted, disjoint,
        together every position once.

    Raises
    ------
    ValueError
        If a share is out of range, the lengths differ, a label has fewer members than
        splits (the message names it and its count), a split would be too small to hold
        every class, or `groups` has fewer than 3 distinct values.

    Notes
    -----
    Two calls to :func:`sklearn.model_selection.train_test_split` (stratified), or to
    :class:`sklearn.model_selection.GroupShuffleSplit` with `groups`: test first, then dev
    out of the rest.

    Examples
    --------
    >>> s = split_train_dev_test(np.repeat(np.arange(3), 10), random_state=0)
    >>> {k: len(v) for k, v in s.items()}
    {'train': 18, 'dev': 6, 'test': 6}
    """
    import pandas as pd
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    func = "split_train_dev_test"
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"The 'y' parameter of {func} must be a non-empty 1-D array. Got shape {y.shape}."
        )
    n = y.size
    dev = check_float(dev_size, "dev_size", low=0.0, high=1.0, inclusive=(False, False), func=func)
    test = check_float(
        test_size, "test_size", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    if dev + test >= 1.0:
        raise ValueError(
            f"The 'dev_size' and 'test_size' parameters of {func} must sum to less than 1 so "
            f"that train keeps some samples. Got {dev} + {test} = {dev + test:g} instead."
        )
    check_one_of(rare_strata, "rare_strata", {"error", "merge"}, func=func)
    tags = check_tags(tags, n, func)
    seed = (
        random_state
        if random_state is None
        else int(check_random_state(random_state).integers(2**31 - 1))
    )
    rest_dev = dev / (1.0 - test)
    positions = np.arange(n)

    if groups is not None:
        groups = np.asarray(groups)
        check_same_length(func, y=y, groups=groups)
        n_groups = np.unique(groups).size
        if n_groups < len(_SPLITS):
            raise ValueError(
                f"A grouped split by {func} needs at least {len(_SPLITS)} distinct groups "
                f"(one per split). Got {n_groups}. Collect more speakers, or split without groups."
            )
        gss = GroupShuffleSplit(n_splits=1, test_size=test, random_state=seed)
        rest, te = next(gss.split(positions, groups=groups))
        if np.unique(groups[rest]).size < 2:
            rest, te = _move_group(rest, te, groups)
        gss = GroupShuffleSplit(n_splits=1, test_size=rest_dev, random_state=seed)
        tr, dv = next(gss.split(rest, groups=groups[rest]))
        out = {"train": rest[tr], "dev": rest[dv], "test": te}
        return {k: np.sort(v) for k, v in out.items()}

    key = None
    if stratify:
        counts = pd.Series(y).value_counts().sort_index()
        small = counts[counts < len(_SPLITS)]
        if len(small):
            label, count = _py(small.index[0]), int(small.iloc[0])
            raise ValueError(
                f"Class {label!r} has {count} member{'s' if count != 1 else ''}, fewer than the "
                f"{len(_SPLITS)} splits (train, dev, test) of a stratified split. Collect more "
                "examples of it, merge or drop the class, or pass stratify=False."
            )
        key = _strata(y, tags, rare_strata)
        key_counts = pd.Series(key).value_counts()
        small = key_counts[key_counts < len(_SPLITS)]
        if len(small):
            stratum, count = str(small.index[0]), int(small.iloc[0])
            raise ValueError(
                f"Stratum (label|tag) {stratum!r} has {count} member{'s' if count != 1 else ''}, "
                f"fewer than the {len(_SPLITS)} splits. Pass rare_strata='merge' to stratify "
                "such samples by label alone, or leave out tags."
            )
        n_strata = key_counts.size
        n_test = math.ceil(test * n)
        n_dev = math.ceil(rest_dev * (n - n_test))
        for name, size, pool in (("test", n_test, n), ("dev", n_dev, n - n_test)):
            if size < n_strata or pool - size < n_strata:
                raise ValueError(
                    f"A stratified {name} split of {size} out of {pool} samples cannot hold all "
                    f"{n_strata} strata on both sides. Use more data, larger shares, fewer strata "
                    "(leave out tags), or pass stratify=False."
                )
    rest, te = train_test_split(positions, test_size=test, stratify=key, random_state=seed)
    tr, dv = train_test_split(
        rest, test_size=rest_dev, stratify=None if key is None else key[rest], random_state=seed
    )
    return {"train": np.sort(tr), "dev": np.sort(dv), "test": np.sort(te)}


def _py(value):
    """Return a numpy scalar as the Python scalar it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _move_group(rest, te, groups):
    """Move one test group back so the rest keeps at least two groups (tiny group counts)."""
    g = groups[te][0]
    moved = te[groups[te] == g]
    return np.concatenate([rest, moved]), te[groups[te] != g]


def class_share_table(y, splits: dict):
    """Tabulate each class's share of every split next to its share of all data.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (or any categorical column, such as noise tags).
    splits : dict of str to array-like of int
        Positions per split, as from :func:`split_train_dev_test`.

    Returns
    -------
    pandas.DataFrame
        Index: the classes; columns ``all`` and one per split (shares in [0, 1], each column
        sums to 1), then ``max_abs_deviation`` (the largest ``|split share - all share|``).

    Raises
    ------
    ValueError
        If a position is out of range.
    """
    import pandas as pd

    y = pd.Series(np.asarray(y))
    cols = {"all": y.value_counts(normalize=True)}
    for name, idx in splits.items():
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(y)):
            raise ValueError(
                f"Split {name!r} of class_share_table must hold positions in [0, {len(y)}). "
                f"Got positions {idx.min()}..{idx.max()}, outside that range. Pass splits "
                "made for this same y, as from split_train_dev_test(y)."
            )
        cols[name] = y.iloc[idx].value_counts(normalize=True)
    table = pd.DataFrame(cols).fillna(0.0).sort_index()
    table.index.name = "class"
    split_cols = [c for c in table.columns if c != "all"]
    table["max_abs_deviation"] = table[split_cols].sub(table["all"], axis=0).abs().max(axis=1)
    return table


def max_split_share_deviation(y, splits: dict) -> float:
    """Return the largest gap between a class's share in a split and in all data (a fraction).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (or any categorical column, such as noise tags).
    splits : dict of str to array-like of int
        Positions per split, as from :func:`split_train_dev_test`.

    Returns
    -------
    float
        ``max over classes and splits of |share in split - share in all data|``, in [0, 1];
        0 when every split has exactly the class shares of the whole data.

    Raises
    ------
    ValueError
        If a split holds a position outside ``[0, n_samples)``.

    See Also
    --------
    class_share_table : the per-class table this maximum is taken from.

    Examples
    --------
    >>> y = np.repeat([0, 1], 10)
    >>> max_split_share_deviation(y, {"a": np.arange(0, 20, 2), "b": np.arange(1, 20, 2)})
    0.0
    """
    return float(class_share_table(y, splits)["max_abs_deviation"].max())


def leakage_gap(X, y, *, groups, estimator=None, n_splits: int = 4, random_state=0) -> dict:
    """Measure how much a random split flatters a model compared with a speaker-grouped one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,)
        Speaker per sample.
    estimator : scikit-learn estimator, optional
        Default ``StandardScaler`` + ``LogisticRegression``.
    n_splits : int, default=4
        Folds of both cross-validations (at most the number of speakers for the grouped one).
    random_state : int or None, default=0
        Seeds the random folds.

    Returns
    -------
    dict
        ``random_split_accuracy`` (stratified k-fold, a speaker's clips in train and test),
        ``grouped_split_accuracy`` (group k-fold: test speakers never seen in training),
        ``leakage_gap`` (their difference), ``n_splits``, and the out-of-fold predictions
        ``y_pred_random`` and ``y_pred_grouped`` (ndarray of shape (n_samples,)).

    Raises
    ------
    ValueError
        If the lengths differ or there are fewer than 2 speakers.
    """
    from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

    func = "leakage_gap"
    X = np.asarray(X)
    y = np.asarray(y)
    groups = np.asarray(groups)
    check_same_length(func, X=X, y=y, groups=groups)
    n_groups = np.unique(groups).size
    if n_groups < 2:
        raise ValueError(f"{func} needs at least 2 speakers in 'groups'. Got {n_groups}.")
    k = min(check_int(n_splits, "n_splits", min_value=2, func=func), n_groups)
    est = estimator if estimator is not None else labeling_model()
    seed = (
        random_state
        if random_state is None
        else int(check_random_state(random_state).integers(2**31 - 1))
    )
    rand_cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    y_rand = cross_val_predict(est, X, y, cv=rand_cv)
    y_group = cross_val_predict(est, X, y, cv=GroupKFold(n_splits=k), groups=groups)
    acc_r = float((y_rand == y).mean())
    acc_g = float((y_group == y).mean())
    return {
        "random_split_accuracy": acc_r,
        "grouped_split_accuracy": acc_g,
        "leakage_gap": acc_r - acc_g,
        "n_splits": k,
        "y_pred_random": y_rand,
        "y_pred_grouped": y_group,
    }


# --------------------------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------------------------


def default_run_dir() -> Path:
    """Return where run artefacts go: ``$MLKIT_RUN_DIR``, else ``<project>/runs/interactive``."""
    env = os.environ.get("MLKIT_RUN_DIR")
    if env:
        return Path(env)
    from mlkit.paths import project_root

    return project_root() / "runs" / "interactive"


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


_MAX_NAME_TRIES = 10_000  # stem, stem-1, ..., stem-9999


def _write_new(folder: Path, stem: str, suffix: str, write) -> Path:
    """Write to ``stem + suffix`` or, when taken, ``stem-1 + suffix``, ... never overwriting."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(_MAX_NAME_TRIES):
        path = folder / (f"{stem}{suffix}" if k == 0 else f"{stem}-{k}{suffix}")
        try:
            with open(path, "xb") as fh:
                write(fh)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(
        f"save_artefact needs a free file name for {stem}{suffix} in {folder}. Got "
        f"{_MAX_NAME_TRIES} taken names ({stem}{suffix} to {stem}-{_MAX_NAME_TRIES - 1}{suffix}). "
        "Pass another name, a new run_dir, or move the old artefacts away."
    )


def save_artefact(
    artefact,
    *,
    name: str,
    dataset_name: str,
    dataset_sha256: str,
    steps: list[dict],
    run_dir=None,
) -> dict:
    """Save a derived artefact with its lineage record, never overwriting an earlier one.

    Parameters
    ----------
    artefact : dict, numpy.ndarray or pandas.DataFrame
        A split (dict of position arrays; saved as JSON), a feature matrix (``.npy``) or a
        table (``.csv``).
    name : str
        File stem, such as ``"splits"``; ``-1``, ``-2``... is appended when taken.
    dataset_name, dataset_sha256 : str
        The source data, as in ``SpeechData.name`` and ``SpeechData.sha256``.
    steps : list of dict
        Processing steps in order, each ``{"name": str, "params": dict}``.
    run_dir : str or path-like, optional
        Folder; default :func:`default_run_dir`. Files go to its ``artefacts/`` subfolder.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"artefact": path, "lineage": path}``; the lineage file is
        ``<artefact file>.lineage.json`` and holds the artefact's sha256.

    Raises
    ------
    TypeError
        If `artefact` is of another type.
    ValueError
        If a step is not ``{"name": ..., "params": {...}}``.

    See Also
    --------
    mlkit.lineage.lineage_record : the record's fields (dataset, steps, code version).
    """
    import pandas as pd

    from mlkit.lineage import lineage_record, save_lineage, sha256_file

    for step in steps:
        if not isinstance(step, dict) or set(step) != {"name", "params"}:
            raise ValueError(
                "Each step passed to save_artefact must be {'name': str, 'params': dict}. "
                f"Got {step!r} instead."
            )
    folder = Path(run_dir) if run_dir is not None else default_run_dir()
    folder = folder / "artefacts"
    if isinstance(artefact, dict):
        data = json.dumps(_jsonable(artefact), indent=1, sort_keys=True).encode("utf-8")
        path = _write_new(folder, name, ".json", lambda fh: fh.write(data))
    elif isinstance(artefact, np.ndarray):
        path = _write_new(
            folder, name, ".npy", lambda fh: np.save(fh, artefact, allow_pickle=False)
        )
    elif isinstance(artefact, pd.DataFrame):
        data = artefact.to_csv(index=True).encode("utf-8")
        path = _write_new(folder, name, ".csv", lambda fh: fh.write(data))
    else:
        raise TypeError(
            "The 'artefact' parameter of save_artefact must be a dict, numpy array or pandas "
            f"DataFrame. Got {type(artefact).__name__} instead."
        )
    record = lineage_record(
        dataset_name=dataset_name, dataset_sha256=dataset_sha256, steps=_jsonable(steps)
    )
    record["artefact"] = {"file": path.name, "sha256": sha256_file(path)}
    lineage = save_lineage(record, path.with_name(path.name + ".lineage.json"))
    return {"artefact": path, "lineage": lineage}


# --------------------------------------------------------------------------------------------
# schema validation for the production pipeline
# --------------------------------------------------------------------------------------------

_CHECKS = ("shape", "dtype", "sample_rate", "finite", "duration", "silence")


def _rows(X):
    """Return (clips, sample rates or None) from a DataFrame with a 'clip' column or a sequence."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        if "clip" not in X.columns:
            raise ValueError(
                "validate_clips needs a DataFrame with a 'clip' column (and optionally "
                f"'sample_rate_hz'), or a sequence of clips. Got columns {list(X.columns)}."
            )
        rates = X["sample_rate_hz"].to_numpy() if "sample_rate_hz" in X.columns else None
        return list(X["clip"]), rates
    if isinstance(X, np.ndarray) and X.dtype != object:
        raise ValueError(
            "validate_clips expects a sequence of clips. Got a single array of shape "
            f"{X.shape} instead. Wrap it in a list: validate_clips([clip])."
        )
    return list(X), None


def _first_problem(clip, rate, *, sample_rate_hz, min_duration_s, max_duration_s, silence_rms_dbfs):
    if not isinstance(clip, np.ndarray) or clip.ndim != 1:
        shape = getattr(clip, "shape", type(clip).__name__)
        return "shape", f"shape {shape}, expected one channel (n_samples,)"
    if clip.dtype != np.float32:
        return "dtype", f"dtype {clip.dtype}, expected float32 (use mlkit.audio.to_mono_float32)"
    if rate is not None and int(rate) != sample_rate_hz:
        return "sample_rate", f"sample rate {int(rate)} Hz, expected {sample_rate_hz} Hz"
    if not np.isfinite(clip).all():
        return "finite", f"{int((~np.isfinite(clip)).sum())} NaN or infinite samples"
    duration = clip.size / sample_rate_hz
    if not min_duration_s <= duration <= max_duration_s:
        return (
            "duration",
            f"duration {duration:.3f} s outside [{min_duration_s}, {max_duration_s}] s",
        )
    rms = float(np.sqrt(np.mean(clip.astype(np.float64) ** 2)))
    rms_dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    if rms_dbfs < silence_rms_dbfs:
        return "silence", f"silent: RMS {rms_dbfs:.1f} dBFS below {silence_rms_dbfs} dBFS"
    return "", ""


def validate_clips(
    X,
    *,
    sample_rate_hz: int = 8000,
    min_duration_s: float = 0.1,
    max_duration_s: float = 3.0,
    silence_rms_dbfs: float = -60.0,
):
    """Check every clip against the input schema and give the reason for each rejection.

    Parameters
    ----------
    X : pandas.DataFrame or sequence of ndarray
        A DataFrame with a ``clip`` column (and optionally ``sample_rate_hz``, the rate each
        clip claims), or a sequence of clips (their rate is then taken on trust).
    sample_rate_hz : int, default=8000
        The rate the model expects, in Hz.
    min_duration_s, max_duration_s : float, default=0.1, 3.0
        Accepted duration range, in s (spoken digits last 0.15-2.3 s in FSDD).
    silence_rms_dbfs : float, default=-60.0
        Clips whose RMS level is below this, in dB relative to full scale, count as silent
        (FSDD's quietest real recordings sit near -53 dBFS).

    Returns
    -------
    pandas.DataFrame of shape (n_rows, 3)
        ``ok`` (bool), ``check`` (the first failed check: one of shape, dtype, sample_rate,
        finite, duration, silence; ``""`` when ok) and ``reason`` (a sentence).

    Raises
    ------
    ValueError
        If `X` is a single array or a DataFrame without a ``clip`` column.

    Examples
    --------
    >>> ok = np.full(4000, 0.1, dtype=np.float32)
    >>> validate_clips([ok, ok.astype(np.int16), np.zeros(4000, np.float32)])["check"].tolist()
    ['', 'dtype', 'silence']
    """
    import pandas as pd

    sr = check_int(sample_rate_hz, "sample_rate_hz", min_value=1, func="validate_clips")
    lo = check_float(min_duration_s, "min_duration_s", low=0.0, func="validate_clips")
    hi = check_float(max_duration_s, "max_duration_s", low=lo, func="validate_clips")
    silence = check_float(silence_rms_dbfs, "silence_rms_dbfs", func="validate_clips")
    clips, rates = _rows(X)
    found = [
        _first_problem(
            c,
            None if rates is None else rates[i],
            sample_rate_hz=sr,
            min_duration_s=lo,
            max_duration_s=hi,
            silence_rms_dbfs=silence,
        )
        for i, c in enumerate(clips)
    ]
    checks = [f[0] for f in found]
    return pd.DataFrame(
        {"ok": [c == "" for c in checks], "check": checks, "reason": [f[1] for f in found]},
        index=X.index if isinstance(X, pd.DataFrame) else None,
    )


class ClipValidator(TransformerMixin, BaseEstimator):
    """Pipeline step that passes on the clips that meet the input schema and rejects the rest.

    Parameters
    ----------
    sample_rate_hz : int, default=8000
        Expected rate, in Hz.
    min_duration_s, max_duration_s : float, default=0.1, 3.0
        Accepted duration range, in s.
    silence_rms_dbfs : float, default=-60.0
        Silence threshold, in dBFS.

    Attributes
    ----------
    report_ : pandas.DataFrame
        :func:`validate_clips` of the last `transform` call: ``ok``, ``check``, ``reason``.
    n_rejected_ : int
        Rows rejected by the last `transform` call.

    Notes
    -----
    `fit` refuses training data with invalid rows (a pipeline cannot drop rows of `X`
    without dropping the matching `y`): clean training data with :func:`validate_clips`
    first. `transform` (at prediction time) drops invalid rows, so predictions cover the
    rows with ``report_["ok"]``.

    Examples
    --------
    >>> v = ClipValidator()
    >>> ok = np.full(4000, 0.1, dtype=np.float32)
    >>> len(v.fit_transform([ok, ok])), len(v.transform([ok, ok[:10]])), v.n_rejected_
    (2, 1, 1)
    """

    def __init__(
        self, sample_rate_hz=8000, min_duration_s=0.1, max_duration_s=3.0, silence_rms_dbfs=-60.0
    ):
        self.sample_rate_hz = sample_rate_hz
        self.min_duration_s = min_duration_s
        self.max_duration_s = max_duration_s
        self.silence_rms_dbfs = silence_rms_dbfs

    def _validate(self, X):
        return validate_clips(
            X,
            sample_rate_hz=self.sample_rate_hz,
            min_duration_s=self.min_duration_s,
            max_duration_s=self.max_duration_s,
            silence_rms_dbfs=self.silence_rms_dbfs,
        )

    def fit(self, X, y=None):
        """Check that every training clip meets the schema and return self.

        Raises
        ------
        ValueError
            If any row is invalid; the message counts the rows per failed check.
        """
        report = self._validate(X)
        if not report["ok"].all():
            counts = report.loc[~report["ok"], "check"].value_counts().to_dict()
            raise ValueError(
                f"ClipValidator.fit got {int((~report['ok']).sum())} invalid training rows "
                f"{counts}. Drop them first: keep the rows where validate_clips(X)['ok'] is True."
            )
        self.report_ = report
        self.n_rejected_ = 0
        return self

    def transform(self, X):
        """Return the valid clips (a list of float32 arrays) and record the rejected ones."""
        report = self._validate(X)
        clips, _ = _rows(X)
        self.report_ = report
        self.n_rejected_ = int((~report["ok"]).sum())
        return [c for c, ok in zip(clips, report["ok"], strict=True) if ok]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags


def make_validated_pipeline(*, sample_rate_hz: int = 8000, estimator=None, **schema):
    """Return validate -> MFCC features -> scale -> classify as one scikit-learn Pipeline.

    Parameters
    ----------
    sample_rate_hz : int, default=8000
        Rate the clips must have, in Hz.
    estimator : scikit-learn classifier, optional
        Default ``LogisticRegression(C=0.5, solver="newton-cg")``.
    **schema
        ``min_duration_s``, ``max_duration_s``, ``silence_rms_dbfs`` for :class:`ClipValidator`.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``validate``, ``features``, ``scale``, ``classify``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlkit.features import MFCCFeatures

    return Pipeline(
        [
            ("validate", ClipValidator(sample_rate_hz=sample_rate_hz, **schema)),
            ("features", MFCCFeatures(sample_rate_hz=sample_rate_hz)),
            ("scale", StandardScaler()),
            (
                "classify",
                estimator
                if estimator is not None
                else LogisticRegression(max_iter=300, C=0.5, solver="newton-cg"),
            ),
        ]
    )


def inject_schema_errors(clips, *, sample_rate_hz: int = 8000, n_per_kind: int = 2, random_state=0):
    """Return a production-like batch: valid clips plus corrupted copies of some of them.

    Parameters
    ----------
    clips : sequence of ndarray of shape (n_samples_i,)
        Valid float32 clips at `sample_rate_hz`.
    sample_rate_hz : int, default=8000
        Their rate, in Hz.
    n_per_kind : int, default=2
        Corrupted rows per kind: ``sample_rate`` (resampled to 16 kHz and labelled so),
        ``dtype`` (int16 PCM), ``finite`` (NaN samples), ``duration`` (cut to 20 ms, or
        looped to 5 s), ``silence`` (all zeros), ``shape`` (stereo).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds which clips are corrupted and the row order.

    Returns
    -------
    pandas.DataFrame
        Columns ``clip``, ``sample_rate_hz``, ``source`` (position in `clips`) and
        ``injected`` (the kind of corruption, ``""`` for a valid row), rows shuffled.

    Raises
    ------
    ValueError
        If `clips` is empty.
    """
    import pandas as pd

    from mlkit.audio import resample

    if len(clips) == 0:
        raise ValueError("inject_schema_errors needs at least one clip. Got none.")
    k = check_int(n_per_kind, "n_per_kind", min_value=0, func="inject_schema_errors")
    rng = check_random_state(random_state)
    rows = [
        {"clip": c, "sample_rate_hz": sample_rate_hz, "source": i, "injected": ""}
        for i, c in enumerate(clips)
    ]
    for kind in _CHECKS:
        for j in range(k):
            i = int(rng.integers(len(clips)))
            c = np.asarray(clips[i], dtype=np.float32)
            rate = sample_rate_hz
            if kind == "sample_rate":
                c, rate = resample(c, sample_rate_hz, 2 * sample_rate_hz), 2 * sample_rate_hz
            elif kind == "dtype":
                c = np.round(c * 32767).astype(np.int16)
            elif kind == "finite":
                c = c.copy()
                c[rng.integers(c.size, size=5)] = np.nan
            elif kind == "duration":
                c = (
                    c[: int(0.02 * sample_rate_hz)]
                    if j % 2 == 0
                    else np.resize(c, 5 * sample_rate_hz)
                )
            elif kind == "silence":
                c = np.zeros_like(c)
            elif kind == "shape":
                c = np.stack([c, c], axis=1)
            rows.append({"clip": c, "sample_rate_hz": rate, "source": i, "injected": kind})
    batch = pd.DataFrame(rows)
    return batch.iloc[rng.permutation(len(batch))].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------------


def plot_kappa_matrix(kappa, *, ax=None, title: str | None = "Cohen's kappa between labelers"):
    """Draw a kappa (or agreement) matrix as an annotated heatmap.

    Parameters
    ----------
    kappa : pandas.DataFrame of shape (n_labelers, n_labelers)
        As from :func:`cohen_kappa_matrix`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    values = kappa.to_numpy(dtype=float)
    im = ax.imshow(values, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(len(kappa.columns)), kappa.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(kappa.index)), kappa.index)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(
                j,
                i,
                f"{values[i, j]:.2f}",
                ha="center",
                va="center",
                color="w" if values[i, j] < 0.6 else "k",
            )
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


def plot_hlp_by_tag(before, after=None, *, ax=None, column: str = "hlp_agreement"):
    """Draw HLP per tag as bars, optionally before and after a labeling convention.

    Parameters
    ----------
    before : pandas.DataFrame
        As from :func:`hlp_by_tag`.
    after : pandas.DataFrame, optional
        The same after the convention, drawn beside it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    column : str, default="hlp_agreement"
        Which column to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    x = np.arange(len(before.index))
    width = 0.38 if after is not None else 0.6
    bars = ax.bar(
        x - (width / 2 if after is not None else 0),
        before[column],
        width,
        label="before convention",
    )
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    if after is not None:
        bars = ax.bar(
            x + width / 2, after.loc[before.index, column], width, label="after convention"
        )
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xticks(x, before.index)
    ax.set(ylim=(0, 1.08), ylabel=column.replace("_", " "))
    return ax


def plot_learning_curves(
    curves, *, ax=None, ylabel: str = "test accuracy (clean labels)", xlabel: str = "training clips"
):
    """Draw score against training-set size, one line per label-noise rate.

    Parameters
    ----------
    curves : pandas.DataFrame
        As from :func:`label_noise_learning_curves`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    ylabel : str, default="test accuracy (clean labels)"
        Y-axis label.
    xlabel : str, default="training clips"
        X-axis label (" (log scale)" is appended).

    Returns
    -------
    matplotlib.axes.Axes
        Log-scaled x axis (training clips), mean score with a +-1 std band.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    for rate, grp in curves.groupby("noise_rate"):
        std = grp["score_std"].fillna(0.0)
        ax.plot(grp["n_train"], grp["score_mean"], marker="o", label=f"{rate:.0%} labels flipped")
        ax.fill_between(
            grp["n_train"], grp["score_mean"] - std, grp["score_mean"] + std, alpha=0.15
        )
    from matplotlib.ticker import NullFormatter, NullLocator

    sizes = np.unique(curves["n_train"])
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sizes, [str(int(v)) for v in sizes])
    ax.set(xlabel=f"{xlabel} (log scale)", ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax
