"""Auditing a labeling convention: how well it is followed and what it does to agreement.

Section 2 of ``notebooks/02_data.ipynb`` ("Apply a documented convention"). A convention is a
rule people follow imperfectly, so a team audits it on the clips it covers (the ambiguous
ones): how often each labeler wrote the prescribed label, and how much agreement rose, with a
bootstrap interval because few clips are ambiguous.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from mlkit._validation import check_int, check_random_state
from mlkit.data._checks import _check_label_matrix
from mlkit.data._labelers import UNINTELLIGIBLE, simulate_labelers

__all__ = [
    "agreement_per_clip",
    "convention_audit",
    "convention_gain",
    "convention_gain_by_team",
    "describe_convention",
]


def _check_mask(ambiguous, n, func):
    amb = np.asarray(ambiguous, dtype=bool).ravel()
    if amb.size != n:
        raise ValueError(
            f"{func} needs one 'ambiguous' flag per clip. Got {amb.size} flags for {n} clips. "
            "Pass data.ambiguous_mask(snr_db, tags=tags)."
        )
    if not amb.any():
        raise ValueError(
            f"The 'ambiguous' parameter of {func} flags no clip. Got an all-False mask; "
            "a convention for ambiguous clips can only be audited on some (load more clips)."
        )
    return amb


def _check_before_after(labels_before, labels_after, ambiguous, func):
    """Validate one team's labels without and with the convention, and its ambiguous mask."""
    before = _check_label_matrix(labels_before, func)
    after = _check_label_matrix(labels_after, func)
    if before.shape != after.shape:
        raise ValueError(
            f"{func} needs the same team before and after. Got shapes {before.shape} and "
            f"{after.shape}. Simulate both with the same n_labelers and clips."
        )
    return before, after, _check_mask(ambiguous, before.shape[1], func)


def agreement_per_clip(labels) -> np.ndarray:
    """Return each clip's share of labeler pairs who gave it the same label.

    Parameters
    ----------
    labels : array-like of shape (n_labelers, n_samples)
        Labels matrix, at least 2 labelers.

    Returns
    -------
    ndarray of shape (n_samples,)
        Pairwise agreement per clip, in [0, 1]; its mean is ``hlp_agreement`` of
        :func:`hlp_by_tag` on the same clips.

    Raises
    ------
    ValueError
        If `labels` is not a labels matrix of at least 2 labelers.

    Examples
    --------
    >>> agreement_per_clip([[1, 2], [1, 3], [1, 2]]).round(3).tolist()
    [1.0, 0.333]
    """
    arr = _check_label_matrix(labels, "agreement_per_clip")
    pairs = [arr[i] == arr[j] for i, j in combinations(range(arr.shape[0]), 2)]
    return np.mean(pairs, axis=0)


def convention_audit(labels_before, labels_after, *, ambiguous, names=None, label=UNINTELLIGIBLE):
    """Tabulate, per labeler, how often they wrote the convention's label on ambiguous clips.

    Parameters
    ----------
    labels_before, labels_after : array-like of shape (n_labelers, n_samples)
        The same team's labels without and with the convention.
    ambiguous : array-like of bool of shape (n_samples,)
        The clips the convention covers (:func:`ambiguous_mask`), at least one.
    names : list of str, optional
        Labeler names (:func:`labeler_names`); default ``L0``, ``L1``, ...
    label : int, default=UNINTELLIGIBLE
        The label the convention prescribes on ambiguous clips.

    Returns
    -------
    pandas.DataFrame
        One row per labeler, then ``team`` (their mean); columns ``before`` and ``after``:
        the share of the labeler's labels on ambiguous clips that are `label`. This is the
        measured adherence a team can audit on a gold set of ambiguous clips; a labeler who
        hears the digit clearly writes it, so it stays below the simulation's `adherence`.

    Raises
    ------
    ValueError
        If the matrices' shapes differ or the mask has the wrong length or flags no clip.

    Examples
    --------
    >>> convention_audit([[-1, 5], [5, 5]], [[-1, 5], [-1, 5]], ambiguous=[True, False])
          before  after
    L0       1.0    1.0
    L1       0.0    1.0
    team     0.5    1.0
    """
    import pandas as pd

    before, after, amb = _check_before_after(
        labels_before, labels_after, ambiguous, "convention_audit"
    )
    idx = names if names is not None else [f"L{i}" for i in range(before.shape[0])]
    out = pd.DataFrame(
        {
            "before": (before[:, amb] == label).mean(axis=1),
            "after": (after[:, amb] == label).mean(axis=1),
        },
        index=list(idx),
    )
    out.loc["team"] = out.mean()
    return out


def convention_gain(
    labels_before,
    labels_after,
    *,
    ambiguous,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    random_state=0,
) -> dict:
    """Measure how much a convention raised agreement on the ambiguous clips, with an interval.

    Parameters
    ----------
    labels_before, labels_after : array-like of shape (n_labelers, n_samples)
        The same team's labels without and with the convention.
    ambiguous : array-like of bool of shape (n_samples,)
        The clips the convention covers, at least one.
    confidence : float, default=0.95
        Confidence level of the bootstrap interval, in (0, 1).
    n_resamples : int, default=2000
        Bootstrap resamples (>= 100).
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the bootstrap.

    Returns
    -------
    dict
        ``n_ambiguous``; ``agreement_before`` and ``agreement_after`` (mean pairwise agreement
        on the ambiguous clips, fractions); ``gain`` (after minus before) with ``ci_low`` and
        ``ci_high``: a paired percentile bootstrap over the ambiguous clips
        (:func:`scipy.stats.bootstrap`); the interval is the gain itself when no clip changed.

    Raises
    ------
    ValueError
        If the shapes differ or the mask flags no clip.

    Examples
    --------
    >>> g = convention_gain([[5, 9, 3], [-1, 9, 3]], [[-1, 9, 3], [-1, 9, 3]],
    ...                     ambiguous=[True, False, False])
    >>> g["agreement_before"], g["agreement_after"], g["n_ambiguous"]
    (0.0, 1.0, 1)
    """
    from scipy import stats

    func = "convention_gain"
    before, after, amb = _check_before_after(labels_before, labels_after, ambiguous, func)
    reps = check_int(n_resamples, "n_resamples", min_value=100, func=func)
    rng = check_random_state(random_state)
    a_before = agreement_per_clip(before[:, amb])
    a_after = agreement_per_clip(after[:, amb])
    diff = a_after - a_before
    gain = float(diff.mean())
    if diff.size < 2 or np.all(diff == diff[0]):
        low = high = gain
    else:
        res = stats.bootstrap(
            (diff,),
            np.mean,
            confidence_level=confidence,
            n_resamples=reps,
            method="percentile",
            random_state=rng,
        )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return {
        "n_ambiguous": int(amb.sum()),
        "agreement_before": float(a_before.mean()),
        "agreement_after": float(a_after.mean()),
        "gain": gain,
        "ci_low": low,
        "ci_high": high,
    }


def convention_gain_by_team(
    y_true,
    *,
    ambiguous,
    tags,
    snr_db,
    n_teams: int = 5,
    n_labelers: int = 5,
    error_rate: float = 0.02,
    adherence: float = 0.9,
    random_state=0,
) -> np.ndarray:
    """Simulate several teams on the same clips and return each one's agreement gain.

    One team's gain rests on a few ambiguous clips and on who happened to be unsure; other
    teams (other seeds) on the same clips show how much of it is luck.

    Parameters
    ----------
    y_true : array-like of int of shape (n_samples,)
        The digit spoken in each clip.
    ambiguous : array-like of bool of shape (n_samples,)
        The clips the convention covers, at least one.
    tags, snr_db : array-like of shape (n_samples,)
        Condition and broadband SNR (dB) of each clip, as for :func:`simulate_labelers`.
    n_teams : int, default=5
        Teams to simulate (>= 2), each with its own seed.
    n_labelers, error_rate, adherence
        As for :func:`simulate_labelers`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the teams.

    Returns
    -------
    ndarray of shape (n_teams,)
        Per team: mean pairwise agreement on the ambiguous clips with the convention minus
        without it (a fraction).

    Raises
    ------
    ValueError
        As :func:`simulate_labelers`, or if the mask flags no clip or `n_teams` < 2.

    Examples
    --------
    >>> gains = convention_gain_by_team([5] * 40, ambiguous=[True] * 40,
    ...     tags=["people_noise"] * 40, snr_db=[-9.0] * 40, n_teams=3)
    >>> gains.shape, bool(gains.mean() > 0)
    ((3,), True)
    """
    func = "convention_gain_by_team"
    k = check_int(n_teams, "n_teams", min_value=2, func=func)
    y = np.asarray(y_true)
    amb = _check_mask(ambiguous, y.size, func)
    rng = check_random_state(random_state)
    team = dict(tags=tags, snr_db=snr_db, n_labelers=n_labelers, error_rate=error_rate)
    gains = []
    for seed in rng.integers(2**31 - 1, size=k):
        before = simulate_labelers(y, **team, random_state=int(seed))
        after = simulate_labelers(
            y, **team, convention=True, adherence=adherence, random_state=int(seed)
        )
        gains.append(
            agreement_per_clip(after[:, amb]).mean() - agreement_per_clip(before[:, amb]).mean()
        )
    return np.asarray(gains)


def describe_convention(gain: dict, audit, *, adherence: float, over_teams=None) -> str:
    """Say in markdown what the convention did: adherence as audited, agreement with its interval.

    Parameters
    ----------
    gain : dict
        As from :func:`convention_gain`.
    audit : pandas.DataFrame
        As from :func:`convention_audit` (row ``team``).
    adherence : float
        The simulation's input: the chance an unsure labeler follows the convention, in [0, 1].
    over_teams : dict, optional
        :func:`seed_interval` of :func:`convention_gain_by_team`: the gain over simulated
        teams on the same clips, with its 95 % interval and how many teams gained.

    Returns
    -------
    str
        Markdown: the audited share of the convention's label on ambiguous clips before and
        after, the agreement on those clips before and after with the bootstrap interval of
        the gain, whether the gain can be told from 0, and why agreement stays below 100 %.

    Examples
    --------
    >>> import pandas as pd
    >>> audit = pd.DataFrame({"before": [0.2], "after": [0.4]}, index=["team"])
    >>> g = {"n_ambiguous": 12, "agreement_before": 0.6, "agreement_after": 0.7, "gain": 0.1,
    ...      "ci_low": 0.02, "ci_high": 0.2}
    >>> describe_convention(g, audit, adherence=0.9)[:60]
    'On the 12 ambiguous clips, labels `UNINTELLIGIBLE` went from'
    """
    team = audit.loc["team"]
    n = gain["n_ambiguous"]
    interval = f"95 % bootstrap interval over the clips {100 * gain['ci_low']:+.1f} to " + (
        f"{100 * gain['ci_high']:+.1f} points"
    )
    if gain["ci_low"] == gain["ci_high"] == gain["gain"] == 0:
        verdict = "no change: where this team was unsure, the rule did not alter who agreed."
    elif gain["ci_low"] > 0:
        verdict = f"a rise larger than the clips' own noise ({interval})."
    elif gain["ci_high"] < 0:
        verdict = f"a **fall** ({interval})."
    else:
        verdict = f"a change that {n} ambiguous clips **cannot tell from zero** ({interval})."
    below = (
        "It stays below 100 %"
        if gain["agreement_after"] < 1
        else "It reached 100 % on these clips, which a convention followed imperfectly rarely does"
    )
    teams = ""
    if over_teams is not None:
        n_pos, n_t = over_teams["n_positive"], over_teams["n_seeds"]
        if over_teams["ci_low"] > 0:
            what = "a rise that survives the team"
        elif over_teams["mean"] > 0:
            what = "on average a rise, but smaller than how much teams vary"
        else:
            what = "no rise on average"
        teams = (
            f" Over {n_t} simulated teams on the same clips: {what}, "
            f"{100 * over_teams['mean']:+.1f} points (95 % interval "
            f"{100 * over_teams['ci_low']:+.1f} to {100 * over_teams['ci_high']:+.1f}; "
            f"a gain in {n_pos} of {n_t} teams). Turning an unsure guess into "
            "`UNINTELLIGIBLE` can also cost agreement, when the guess matched the labelers "
            "who heard the digit."
        )
    return (
        f"On the {n} ambiguous clips, labels `UNINTELLIGIBLE` went from {team['before']:.0%} to "
        f"{team['after']:.0%} of the team's labels (the adherence a team can audit; the simulated "
        f"chance that an unsure labeler follows the rule is {adherence:.0%}). Agreement on those "
        f"clips went from {gain['agreement_before']:.1%} to {gain['agreement_after']:.1%}: "
        + verdict
        + f" {below}: a labeler who hears the digit clearly writes it while an unsure one "
        "writes `UNINTELLIGIBLE`, and some unsure labelers keep their habit. Most of the time "
        "people are sure even on these clips, so a convention for the unsure cases moves "
        "agreement only where they are unsure." + teams
    )
