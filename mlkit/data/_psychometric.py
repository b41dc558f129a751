"""Human recognition of spoken digits in noise: a published psychometric function.

The simulated labelers of :mod:`mlkit.data` recognise a clip's digit with the probability that
listeners in digits-in-noise (DIN) studies do at that clip's signal-to-noise ratio, so the
human-level performance (HLP) the kit reports follows from each clip's actual SNR and
condition, not from a hand-set difficulty per tag.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float

__all__ = [
    "DIGIT_SRT_DB",
    "DIGIT_SLOPE_PER_DB",
    "GUESS_RATE",
    "SPEECH_BAND_SNR_OFFSET_DB",
    "effective_snr_db",
    "human_recognition_probability",
    "sure_probability",
]

DIGIT_SRT_DB = -11.55
"""Speech reception threshold for single digits in speech-shaped noise, in dB SNR: the SNR at
which normal-hearing listeners name 50 % of digits correctly (Han et al. 2020, see Notes of
:func:`human_recognition_probability`)."""

DIGIT_SLOPE_PER_DB = 0.1021
"""Slope of the same psychometric function at its midpoint, in proportion correct per dB
(10.21 %/dB; Han et al. 2020)."""

GUESS_RATE = 0.1
"""Chance of naming the right digit by guessing among ten."""

SPEECH_BAND_SNR_OFFSET_DB = {
    "clean": np.inf,
    "car_noise": 12.1,
    "people_noise": -0.1,
    "low_bandwidth": np.inf,
}
"""Per condition: SNR in the speech band (300-3400 Hz) minus the broadband SNR of the kit's
noises, in dB, measured on the kit's own signals (``tests/data/test_psychometric.py`` measures
it again). Car noise puts ~95 % of its power below 300 Hz, where it masks little speech, so
its in-band SNR is ~12 dB higher than the broadband one; babble is speech, with the speech
spectrum. ``clean`` and ``low_bandwidth`` add no noise (a telephone band keeps digits
intelligible: the DIN test itself is run over the telephone, Smits et al. 2004)."""


def effective_snr_db(snr_db, conditions) -> np.ndarray:
    """Return each clip's SNR in the speech band, in dB (``inf`` for clips without noise).

    Parameters
    ----------
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of each clip in dB as the kit mixed it (NaN for clips without noise).
    conditions : array-like of str of shape (n_samples,)
        Condition of each clip, among :data:`SPEECH_BAND_SNR_OFFSET_DB`'s keys.

    Returns
    -------
    ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        If the lengths differ, a condition is unknown, or a noisy clip has no SNR.

    Examples
    --------
    >>> effective_snr_db([5.0, float("nan")], ["car_noise", "clean"]).tolist()
    [17.1, inf]
    """
    snr = np.asarray(snr_db, dtype=np.float64).ravel()
    cond = np.asarray(conditions).astype(str).ravel()
    if snr.shape != cond.shape:
        raise ValueError(
            "effective_snr_db needs one SNR per condition. Got "
            f"{snr.size} SNR value(s) and {cond.size} condition(s)."
        )
    unknown = sorted(str(c) for c in set(cond) - set(SPEECH_BAND_SNR_OFFSET_DB))
    if unknown:
        raise ValueError(
            f"The 'conditions' parameter of effective_snr_db holds unknown condition(s) {unknown}; "
            f"known: {sorted(SPEECH_BAND_SNR_OFFSET_DB)}."
        )
    offset = np.array([SPEECH_BAND_SNR_OFFSET_DB[c] for c in cond], dtype=np.float64)
    noisy = np.isfinite(offset)
    if np.any(noisy & ~np.isfinite(snr)):
        bad = np.flatnonzero(noisy & ~np.isfinite(snr))[:5].tolist()
        raise ValueError(
            f"Clips {bad} are noisy but have no finite 'snr_db'. Pass the SNR the clips were "
            "mixed at (metadata column 'snr_db')."
        )
    return np.where(noisy, snr + np.where(noisy, offset, 0.0), np.inf)


def human_recognition_probability(
    snr_db,
    *,
    srt_db: float = DIGIT_SRT_DB,
    slope_per_db: float = DIGIT_SLOPE_PER_DB,
) -> np.ndarray:
    """Return the chance that a normal-hearing listener names a digit correctly at `snr_db`.

    Parameters
    ----------
    snr_db : float or array-like of float
        SNR in the speech band, in dB (see :func:`effective_snr_db`); ``inf`` for no noise.
    srt_db : float, default=-11.55
        Speech reception threshold: the SNR of 50 % correct, in dB.
    slope_per_db : float, default=0.1021
        Slope at the threshold, in proportion correct per dB (> 0).

    Returns
    -------
    ndarray
        Proportion correct in (0, 1], forced choice among ten digits (guessing included), the
        shape of `snr_db`.

    Raises
    ------
    ValueError
        If `slope_per_db` is not positive.

    Notes
    -----
    Logistic psychometric function ``p = 1 / (1 + exp(4 * slope * (srt - snr)))``, the form
    fitted in digits-in-noise studies. Parameters: Han, Yi, Lee, Chang & Lee (2020),
    "Development of a smartphone-based digits-in-noise test in Korean", *J Korean Med Sci*
    35(21):e154: per-digit optimisation with normal-hearing listeners in digit-shaped
    (speech-spectrum) noise, mean SRT -11.55 dB SNR and slope 10.21 %/dB, "comparable to
    levels shown in different-language versions of the DiN test". Single digits are easier
    than the digit triplets of the standard test (Smits, Goverts & Festen 2013, JASA
    133(3):1693-1706; Smits & Houtgast 2007, Int J Audiol 46:134-144). Our speakers and
    noises differ from those studies (synthetic voices, 3-6-talker babble): the function is
    the best published anchor, not a measurement on these clips.

    Examples
    --------
    >>> human_recognition_probability([-11.55, 0.0, float("inf")]).round(3).tolist()
    [0.5, 0.991, 1.0]
    """
    slope = check_float(
        slope_per_db,
        "slope_per_db",
        low=0.0,
        inclusive=(False, True),
        func="human_recognition_probability",
    )
    srt = check_float(srt_db, "srt_db", func="human_recognition_probability")
    snr = np.asarray(snr_db, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(4.0 * slope * (srt - snr)))


def sure_probability(p_correct, *, guess_rate: float = GUESS_RATE) -> np.ndarray:
    """Return the chance that a listener is sure of the digit, from forced-choice accuracy.

    Parameters
    ----------
    p_correct : float or array-like of float
        Forced-choice proportion correct (guessing included), in [0, 1].
    guess_rate : float, default=0.1
        Chance of a correct guess (one in ten digits).

    Returns
    -------
    ndarray
        ``(p_correct - guess_rate) / (1 - guess_rate)``, clipped to [0, 1]: the classical
        correction for guessing (a listener who is not sure guesses and is right with
        probability `guess_rate`).

    Examples
    --------
    >>> round(float(sure_probability(0.55)), 6)
    0.5
    """
    g = check_float(
        guess_rate,
        "guess_rate",
        low=0.0,
        high=1.0,
        inclusive=(True, False),
        func="sure_probability",
    )
    p = np.asarray(p_correct, dtype=np.float64)
    return np.clip((p - g) / (1.0 - g), 0.0, 1.0)
