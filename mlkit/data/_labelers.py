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
    check_tags,
)
from mlkit.data._checks import _check_digits, _check_label_matrix
from mlkit.data._psychometric import (
    GUESS_RATE,
    SPEECH_BAND_SNR_OFFSET_DB,
    effective_snr_db,
    human_recognition_probability,
    sure_probability,
)

__all__ = [
    "UNINTELLIGIBLE",
    "DIGITS",
    "CONFUSABLE_PAIRS",
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

_CONFUSABLE_SHARE = 0.7  # share of a labeler's errors that go to a confusable partner
_HABIT_UNINTELLIGIBLE = 0.5  # share of unsure clips a labeler without a habit marks UNINTELLIGIBLE
_TAGS_FIX = "Pass one of the kit's conditions per clip, or tags=None for clean clips."

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


def ambiguous_mask(snr_db, *, tags, threshold: float = 0.9) -> np.ndarray:
    """Return which clips are ambiguous: a listener is often unsure of the digit.

    Parameters
    ----------
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of each clip in dB (NaN for clips without added noise).
    tags : array-like of str of shape (n_samples,)
        Condition of each clip (:data:`mlkit.audio.CONDITIONS`).
    threshold : float, default=0.9
        A clip is ambiguous when a listener is sure of its digit with probability below this
        (:func:`sure_probability` of :func:`human_recognition_probability`), in (0, 1].

    Returns
    -------
    ndarray of shape (n_samples,), dtype bool
        True where the clip's own SNR makes listeners unsure: ambiguity comes from the clip,
        not from a quota per tag. With the defaults, babble below about -6 dB SNR.

    Raises
    ------
    ValueError
        If the lengths differ, a condition is unknown or a noisy clip has no SNR.

    Examples
    --------
    >>> ambiguous_mask([-9.0, 10.0, float("nan")], tags=["people_noise", "people_noise", "clean"])
    array([ True, False, False])
    """
    thr = check_float(
        threshold, "threshold", low=0.0, high=1.0, inclusive=(False, True), func="ambiguous_mask"
    )
    snr = effective_snr_db(snr_db, tags)
    return sure_probability(human_recognition_probability(snr)) < thr


def _sure_probability_per_clip(snr_db, tags, n, func):
    if tags is None:
        if snr_db is not None:
            raise ValueError(
                f"{func} got 'snr_db' without 'tags'. Pass the clips' conditions as tags too."
            )
        return np.ones(n)
    tags = check_tags(tags, n, func, known=SPEECH_BAND_SNR_OFFSET_DB, fix=_TAGS_FIX)
    if snr_db is None:
        snr_db = np.full(n, np.nan)
    snr = np.asarray(snr_db, dtype=np.float64).ravel()
    if snr.size != n:
        raise ValueError(
            f"{func} needs inputs of the same length. Got snr_db={snr.size}, n_samples={n}. "
            "Pass one SNR per clip (the metadata column 'snr_db')."
        )
    return sure_probability(human_recognition_probability(effective_snr_db(snr, tags)))


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
    snr_db=None,
    n_labelers: int = 5,
    error_rate: float = 0.02,
    careless: bool = True,
    careless_error_rate: float | None = None,
    convention: bool = False,
    adherence: float = 0.9,
    forced_choice: bool = False,
    random_state=0,
) -> np.ndarray:
    """Simulate a team of labelers who hear each clip as people in listening studies do.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The digit actually spoken in each clip, 0-9.
    tags : array-like of str of shape (n_samples,), optional
        Condition of each clip (:data:`mlkit.audio.CONDITIONS`). ``None``: every clip clean.
    snr_db : array-like of float of shape (n_samples,), optional
        Broadband SNR of each clip in dB as it was mixed (metadata column ``snr_db``; NaN
        for clean and low-bandwidth clips). Required when `tags` holds a noisy condition.
    n_labelers : int, default=5
        Number of labelers, at least 2.
    error_rate : float, default=0.02
        A typical labeler's lapse rate in [0, 1]: the chance of writing a wrong digit on a
        clip they heard clearly (a slip). Each labeler gets 0.7-1.3 times this rate.
    careless : bool, default=True
        Make the last labeler careless (only when `n_labelers` >= 3).
    careless_error_rate : float or None, default=None
        The careless labeler's lapse rate (they do not listen closely). ``None`` means
        ``min(0.9, 0.1 + 2 * error_rate)``.
    convention : bool, default=False
        Whether the team was given :data:`LABELING_CONVENTION` ("unsure -> UNINTELLIGIBLE").
    adherence : float, default=0.9
        With `convention`, the chance in [0, 1] that a labeler who is unsure follows it on a
        given clip; otherwise they keep their habit. A simulation input, not a measurement.
    forced_choice : bool, default=False
        Every unsure labeler names their best guess (the task of a listening test, and of
        the model); overrides habits and `convention`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds everything. The same int gives the same hearing, slips and guesses whatever
        `convention`, `adherence` or `forced_choice` are, so runs with and without the
        convention differ only in what unsure labelers write.

    Returns
    -------
    labels : ndarray of shape (n_labelers, n_samples), dtype int64
        Digits 0-9 or :data:`UNINTELLIGIBLE`.

    Raises
    ------
    ValueError
        If `y_true` is not digits, the lengths differ, a tag is unknown, a noisy clip has no
        SNR, `n_labelers` < 2 or a rate is outside [0, 1].

    See Also
    --------
    human_recognition_probability : the psychometric function behind "heard clearly".

    Notes
    -----
    For each labeler and clip: the labeler is *sure* of the digit with the probability
    :func:`sure_probability` gives for the clip's speech-band SNR (:func:`effective_snr_db`,
    :func:`human_recognition_probability`: a published digits-in-noise function), drawn
    independently per labeler, so labelers disagree most on the clips that are hardest to
    hear. A sure labeler writes the digit, or slips with their lapse rate (Wichmann & Hill
    2001, "The psychometric function: I", *Perception & Psychophysics* 63(8): lapse rates of
    a few percent); 70 % of slips and wrong guesses name a confusable partner
    (:data:`CONFUSABLE_PAIRS`). An unsure labeler follows a habit, the course's "um" vs "erm"
    case: L0 always guesses (right one time in ten), L1 always writes ``UNINTELLIGIBLE``,
    the others do either at random, clip by clip. With `convention`, an unsure labeler
    writes ``UNINTELLIGIBLE`` with probability `adherence` instead.

    Examples
    --------
    >>> labels = simulate_labelers([3, 5, 9, 0], n_labelers=3, random_state=0)
    >>> labels.shape
    (3, 4)
    >>> noisy = simulate_labelers([3] * 200, tags=["people_noise"] * 200, snr_db=[-10.0] * 200,
    ...                           careless=False, forced_choice=True, random_state=0)
    >>> 0.5 < float((noisy == 3).mean()) < 0.8  # the function gives 0.65 at -10 dB
    True
    """
    func = "simulate_labelers"
    y = _check_digits(y_true, "y_true", func)
    n = y.size
    p_sure = _sure_probability_per_clip(snr_db, tags, n, func)
    n_lab = check_int(n_labelers, "n_labelers", min_value=2, func=func)
    rate = check_float(error_rate, "error_rate", low=0.0, high=1.0, func=func)
    if careless_error_rate is None:
        careless_rate = min(0.9, 0.1 + 2.0 * rate)
    else:
        careless_rate = check_float(
            careless_error_rate, "careless_error_rate", low=0.0, high=1.0, func=func
        )
    adhere = check_float(adherence, "adherence", low=0.0, high=1.0, func=func)
    rng = check_random_state(random_state)

    # Every draw happens in the same order whatever the options, so options change only
    # what unsure labelers write.
    lapses = rate * rng.uniform(0.7, 1.3, size=n_lab)
    if careless and n_lab >= 3:
        lapses[-1] = careless_rate
    sure = rng.random((n_lab, n)) < p_sure[None, :]
    slip = rng.random((n_lab, n)) < lapses[:, None]
    y_rep = np.broadcast_to(y, (n_lab, n))
    wrong = _wrong_labels(y_rep, rng)
    lucky = rng.random((n_lab, n)) < GUESS_RATE
    guess = np.where(lucky, y_rep, _wrong_labels(y_rep, rng))
    habit_unintelligible = rng.random((n_lab, n)) < _HABIT_UNINTELLIGIBLE
    habit_unintelligible[0] = False
    habit_unintelligible[1] = True
    follows = rng.random((n_lab, n)) < adhere

    if forced_choice:
        marks = np.zeros((n_lab, n), dtype=bool)
    elif convention:
        marks = follows | habit_unintelligible
    else:
        marks = habit_unintelligible
    heard = np.where(slip, wrong, y_rep)
    unsure = np.where(marks, UNINTELLIGIBLE, guess)
    return np.where(sure, heard, unsure).astype(np.int64)


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
