"""Simulated labelers, the labeling convention and consensus (notebook section 2).

Labels are integer digits 0-9, or :data:`UNINTELLIGIBLE` for a clip a careful listener cannot
tell. A *labels matrix* holds one row per labeler: shape ``(n_labelers, n_samples)``.

The labelers are simulated against known ground truth (:func:`simulate_labelers`), so every
agreement number can be set next to the accuracy that a real team could not measure.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import (
    check_float,
    check_int,
    check_one_of,
    check_random_state,
    check_same_length,
    check_tags,
)
from mlkit.data._checks import _check_digits, _check_label_matrix

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
    arr = _check_label_matrix(labels, "consensus_labels")
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
