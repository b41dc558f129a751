"""Exercises and concept questions of notebook 04 (augmentation), in notebook order.

Each check computes the expected value from the notebook's own variables (``errors``, ``edges``,
``augmented``, ``baseline``, ``gain_summary``, ``curves``, ...), so it judges this run's numbers,
whatever the seed or corpus. The machinery is :mod:`mlkit.exercises`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_choice,
    expect_number,
    expect_numbers,
)

__all__ = ["exercises"]

_PHONE_CUTOFF_HZ = 3400.0  # the textbook telephone band, 300-3400 Hz
_REALISTIC_REL_TOL = 0.10  # "within 10 % of production's edge", as the prompt of 04.2 says


def _items(answer, n: int, what: str) -> tuple:
    """Unpack a tuple or list answer of exactly `n` items, or raise AnswerError."""
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = answer.tolist()
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, tuple | list):
        raise AnswerError(
            f"{what} should be a list or tuple of {n} items; got {type(answer).__name__} {answer!r}."
        )
    if len(answer) != n:
        raise AnswerError(f"{what} should hold {n} items; got {len(answer)}.")
    return tuple(answer)


def _as_bool(answer, what: str) -> bool:
    if not isinstance(answer, bool | np.bool_):
        raise AnswerError(
            f"{what} should be True or False; got {type(answer).__name__} {answer!r}."
        )
    return bool(answer)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _not_a_fraction(values, expected, *, abs_tol: float) -> None:
    """Name the most common slip: a fraction where percentage points were asked for."""
    if not all(_is_number(v) for v in values):
        return  # the expect_* helpers name the wrong type
    scaled = [100 * float(v) for v in values]
    if all(abs(s - e) <= abs_tol for s, e in zip(scaled, expected, strict=True)) and any(
        abs(e) > 2 * abs_tol for e in expected
    ):
        raise AnswerError("These look like fractions of 1; answer in percentage points (x 100).")


def _fraction(value: float) -> float:
    """Planted slip "forgot x 100"; a value near 0 would pass either way, so it moves a point."""
    return value / 100 if abs(value) > 1 else value + 1


# -- section 2: error analysis ------------------------------------------------------------------
def _check_target(answer, ns) -> str:
    errors = ns["errors"]
    top = str(errors["rank"].astype(float).idxmin())
    gain_pp = 100 * float(errors.loc[top, "potential_gain"])
    tag, gain = _items(answer, 2, "Your answer (tag, potential gain)")
    expect_choice(tag, top, choices=[str(t) for t in errors.index], what="The tag")
    _not_a_fraction([gain], [gain_pp], abs_tol=0.1)
    gap_pp = 100 * max(float(errors.loc[top, "gap"]), 0.0)
    if _is_number(gain) and abs(gain - gap_pp) <= 0.1 < abs(gain - gain_pp):
        raise AnswerError(
            "That is the gap to HLP; the potential gain also weighs it by the tag's share."
        )
    expect_number(gain, gain_pp, abs_tol=0.1, what="The potential gain in percentage points")
    return (
        f"augment {top}: closing its gap would add up to {gain_pp:.1f} points of overall accuracy"
    )


TARGET = Exercise(
    id="04.1",
    title="Which tag to augment",
    prompt=(
        "From the error-analysis table `errors`, which tag has the most potential gain, and how "
        "many percentage points of overall dev accuracy would closing its gap to HLP add? Answer "
        "a tuple `(tag, gain)`: the tag as a string (e.g. 'car_noise') and the gain as a float in "
        "percentage points (0.05 -> 5.0)."
    ),
    check=_check_target,
    solution=(
        "top = errors.index[0]  # the table is sorted by rank (1 = most potential gain)\n"
        'answer = (top, errors.loc[top, "potential_gain"] * 100)'
    ),
    hints=(
        "Potential gain = max(HLP - accuracy, 0) x share: the table computes it in column "
        "`potential_gain`, as a fraction of overall accuracy.",
        "Rank 1 is the top row. Multiply its `potential_gain` by 100 for percentage points.",
        'answer = (errors.index[0], errors["potential_gain"].iloc[0] * 100)',
    ),
    wrong=(
        lambda ref: (ref[0], _fraction(ref[1])),  # forgot x 100
        lambda ref: ("clean" if ref[0] != "clean" else "car_noise", ref[1]),  # another tag
    ),
)


# -- section 3: is this transform realistic? -----------------------------------------------------
@lru_cache(maxsize=1)
def _phone_edge_hz() -> float:
    """Measure the textbook line's upper -3 dB edge as section 3 does (white noise in, Hz out)."""
    from scipy.signal import butter, sosfilt

    from mlkit.augmentation._bandwidth import band_edges_hz

    noise = np.random.default_rng(0).normal(scale=0.1, size=16000)
    line = sosfilt(butter(8, _PHONE_CUTOFF_HZ, fs=8000, output="sos"), noise)
    return float(band_edges_hz(noise, line)[0])


def _check_phone(answer, ns) -> str:
    production_hz = float(ns["edges"].loc["production", "upper_3db_hz"])
    edge_hz = _phone_edge_hz()
    realistic = abs(edge_hz - production_hz) <= _REALISTIC_REL_TOL * production_hz
    edge, verdict = _items(answer, 2, "Your answer (edge_hz, realistic)")
    if _is_number(edge) and abs(edge - production_hz) <= 25 < abs(edge - edge_hz):
        raise AnswerError("That is production's edge; measure the colleague's line.")
    expect_number(edge, edge_hz, abs_tol=25.0, what="The line's upper -3 dB edge in Hz")
    if _as_bool(verdict, "The verdict `realistic`") != realistic:
        raise AnswerError(
            f"The edge is right, the verdict is not: compare it with production's {production_hz:.0f} Hz "
            f"(within 10 % is {0.9 * production_hz:.0f}-{1.1 * production_hz:.0f} Hz)."
        )
    word = "realistic" if realistic else "not realistic for this production"
    return f"edge {edge_hz:.0f} Hz vs production's {production_hz:.0f} Hz: {word}"


PHONE = Exercise(
    id="04.2",
    title="Is the textbook phone line realistic?",
    prompt=(
        "A colleague proposes a telephone augmentation from the textbook: an 8th-order "
        "Butterworth low-pass at 3400 Hz (the classic 300-3400 Hz phone band). Measure its upper "
        "-3 dB edge as section 3 does: send 2 s of white noise at 8 kHz through it "
        "(`scipy.signal.butter(8, 3400, fs=8000, output='sos')`, `scipy.signal.sosfilt`) and "
        "call `augmentation.band_edges_hz`. Call the line realistic if that edge is within 10 % "
        "of production's -3 dB edge in `edges`. Answer a tuple `(edge_hz, realistic)`: a float "
        "in Hz and a bool."
    ),
    check=_check_phone,
    solution=(
        "from scipy.signal import butter, sosfilt\n\n"
        "noise = np.random.default_rng(random_state).normal(scale=0.1, size=16000)  # 2 s at 8 kHz\n"
        'line = sosfilt(butter(8, 3400, fs=8000, output="sos"), noise)\n'
        "edge_hz = augmentation.band_edges_hz(noise, line)[0]  # [-3 dB edge, -20 dB point]\n"
        'production_hz = edges.loc["production", "upper_3db_hz"]\n'
        "answer = (edge_hz, bool(abs(edge_hz - production_hz) <= 0.10 * production_hz))"
    ),
    hints=(
        "Realistic means: reaches the condition production has. Measure the proposal and put it "
        "next to production's row of `edges`.",
        "band_edges_hz(x, y) takes the noise in and the filtered noise out and returns "
        "[-3 dB edge, -20 dB point] in Hz; take the first.",
        "The edge lands near 3400 Hz; production's is in `edges.loc['production', "
        "'upper_3db_hz']`. Is their difference within 10 % of production's?",
    ),
    wrong=(
        lambda ref: (ref[0], not ref[1]),  # the opposite verdict
        lambda ref: (1850.0, ref[1]),  # production's edge, not the colleague's
    ),
)


# -- section 5: targeted vs unrealistic ----------------------------------------------------------
def _copy_accuracy_pp(ns) -> list[float]:
    out = []
    for name in ("targeted", "unrealistic"):
        X_aug, y_aug, source, copy = ns["augmented"][name]
        keep = np.isin(source, ns["dev_pos"]) & (np.asarray(copy) < ns["augment_factor"])
        y_pred = ns["baseline"].predict(np.asarray(X_aug)[keep])
        out.append(100 * float(np.mean(y_pred == np.asarray(y_aug)[keep])))
    return out


def _check_copies(answer, ns) -> str:
    expected = _copy_accuracy_pp(ns)
    _not_a_fraction(_items(answer, 2, "Your answer"), expected, abs_tol=0.3)
    expect_numbers(answer, expected, abs_tol=0.3, what="The accuracies in percent")
    return (
        f"the baseline names {expected[0]:.1f} % of targeted and {expected[1]:.1f} % of "
        "stadium-noise copies right"
    )


COPIES = Exercise(
    id="04.3",
    title="Does the model get the copies wrong?",
    prompt=(
        "The checklist asks for copies the current model gets wrong. Take the copies of the dev "
        "speakers' clean clips (`source` in `dev_pos`) with `copy < augment_factor`, from "
        '`augmented["targeted"]` and from `augmented["unrealistic"]` (each a tuple `(X_aug, '
        "y_aug, source, copy)`), and measure the accuracy of `baseline` (trained without copies) "
        "on each. Answer a list of two floats in percent: `[targeted, unrealistic]`. Then "
        "compare with the clean and targeted rows of `errors`: does 'the model gets it wrong' "
        "alone make a copy worth adding?"
    ),
    check=_check_copies,
    solution=(
        "accuracy_pp = []\n"
        'for name in ["targeted", "unrealistic"]:\n'
        "    X_aug, y_aug, source, copy = augmented[name]\n"
        "    keep = np.isin(source, dev_pos) & (copy < augment_factor)\n"
        "    accuracy_pp.append(100 * np.mean(baseline.predict(X_aug[keep]) == y_aug[keep]))\n"
        "answer = accuracy_pp"
    ),
    hints=(
        "Dev speakers' copies were never trained on, so the baseline meets them as it would meet "
        "production's clips. Build a boolean mask, predict, compare with the labels.",
        "keep = np.isin(source, dev_pos) & (copy < augment_factor); then "
        "np.mean(baseline.predict(X_aug[keep]) == y_aug[keep]) * 100.",
        "Loop over the two names and collect both numbers in a list, targeted first.",
    ),
    wrong=(
        lambda ref: [ref[1], ref[0]],  # the other order
        lambda ref: [_fraction(v) for v in ref],  # fractions, not percent
    ),
)


def _check_difference(answer, ns) -> str:
    row = ns["gain_summary"].loc["targeted_minus_unrealistic"]
    mean_pp = 100 * float(row["mean"])
    excludes = bool(row["ci_low"] > 0 or row["ci_high"] < 0)
    mean, verdict = _items(answer, 2, "Your answer (mean, excludes_zero)")
    _not_a_fraction([mean], [mean_pp], abs_tol=0.1)
    expect_number(mean, mean_pp, abs_tol=0.1, what="The mean difference in percentage points")
    if _as_bool(verdict, "`excludes_zero`") != excludes:
        raise AnswerError(
            f"The mean is right; look again at the interval ({100 * row['ci_low']:+.1f} to "
            f"{100 * row['ci_high']:+.1f} points): is 0 inside it?"
        )
    said = (
        "beyond what the split moves"
        if excludes
        else "not shown: the splits cannot tell them apart"
    )
    return f"targeted minus unrealistic {mean_pp:+.1f} points, {said}"


DIFFERENCE = Exercise(
    id="04.4",
    title="Targeted minus unrealistic, over splits",
    prompt=(
        "From `gain_summary`, read the mean over speaker splits of 'targeted minus unrealistic' "
        "(the paired difference of the two gains on the targeted tag) and decide whether its "
        "95 % interval excludes 0. Answer a tuple `(mean, excludes_zero)`: the mean as a float "
        "in percentage points (0.05 -> 5.0) and a bool."
    ),
    check=_check_difference,
    solution=(
        'row = gain_summary.loc["targeted_minus_unrealistic"]\n'
        'answer = (row["mean"] * 100, bool(row["ci_low"] > 0 or row["ci_high"] < 0))'
    ),
    hints=(
        "The row is `targeted_minus_unrealistic`, not either gain on its own: the paired "
        "difference is what says which augmentation did better.",
        "An interval excludes 0 when both ends are on the same side of it.",
        'row = gain_summary.loc["targeted_minus_unrealistic"]; excludes_zero is '
        'row["ci_low"] > 0 or row["ci_high"] < 0.',
    ),
    wrong=(
        lambda ref: (ref[0], not ref[1]),  # the opposite decision
        lambda ref: (_fraction(ref[0]), ref[1]),  # forgot x 100
    ),
)


# -- section 6: more data vs model size ----------------------------------------------------------
def _other_tags_change_pp(curves) -> list[float]:
    wide = curves.pivot_table(
        index=["seed", "size"], columns="augment_factor", values="accuracy_other"
    )
    change = (wide[wide.columns.max()] - wide[wide.columns.min()]).groupby(level="size").mean()
    return [100 * float(change["small"]), 100 * float(change["large"])]


def _check_other_tags(answer, ns) -> str:
    expected = _other_tags_change_pp(ns["curves"])
    _not_a_fraction(_items(answer, 2, "Your answer"), expected, abs_tol=0.05)
    expect_numbers(answer, expected, abs_tol=0.05, what="The changes in percentage points")
    return f"on the other tags the small model moved {expected[0]:+.1f} points, the large {expected[1]:+.1f}"


OTHER_TAGS = Exercise(
    id="04.5",
    title="What more data does to small and large",
    prompt=(
        "The plots show overall and targeted-tag accuracy. What do the most augmented copies do "
        "to the OTHER tags? From `curves` (one row per split `seed`, model `size` and "
        "`augment_factor`), take per split and size `accuracy_other` at the largest factor "
        "minus at the smallest, and average over splits. Answer a list of two floats in "
        "percentage points: `[small, large]` (a drop is negative)."
    ),
    predict=(
        "with the most targeted copies, does accuracy on the other tags go up, down or stay "
        "about the same, for the small and for the large model? A pair (small, large), each "
        "'up', 'down' or 'same'."
    ),
    check=_check_other_tags,
    solution=(
        'wide = curves.pivot_table(index=["seed", "size"], columns="augment_factor",\n'
        '                          values="accuracy_other")\n'
        "change = wide[wide.columns.max()] - wide[wide.columns.min()]  # per split and size\n"
        'by_size = change.groupby(level="size").mean() * 100\n'
        'answer = [by_size["small"], by_size["large"]]'
    ),
    hints=(
        "The small model has to share its capacity between the old data and the new copies; "
        "the large one has room for both. Which would pay on the tags the copies do not target?",
        "`curves.pivot_table(index=['seed', 'size'], columns='augment_factor', "
        "values='accuracy_other')` gives one row per split and size, one column per factor.",
        "Subtract the smallest factor's column from the largest's, average per size "
        "(`.groupby(level='size').mean()`), x 100, small first.",
    ),
    wrong=(
        lambda ref: [ref[1], ref[0]],  # sizes swapped
        lambda ref: [_fraction(v) for v in ref],  # fractions
    ),
)


# -- concept questions ---------------------------------------------------------------------------
WEAKEST_TAG = ConceptQuestion(
    id="04.c1",
    title="Augment the weakest tag?",
    prompt=(
        "Two tags hold the same share of the dev set. On *static* (a crackling line) the model "
        "is at 40 % and human-level performance (HLP) at 42 %; on *people_noise* the model is "
        "at 80 % and HLP at 97 %. Which tag should targeted augmentation go after first?"
    ),
    options={
        "a": "static: it is the weakest tag, so it has the most room to improve.",
        "b": "Both equally: noisy copies of any kind raise every noisy tag alike.",
        "c": "people_noise: its gap to human-level performance (17 points vs 2) is what a model "
        "can still close; static is near the Bayes error.",
        "d": "static: the hardest clips teach the model the most, so synthesise more of them.",
    },
    key_digest="32aaee2254744997",
    hints=(
        "HLP is a proxy for the best accuracy anyone can reach on a tag.",
        "Room to improve = HLP - accuracy (times the share), not 100 % - accuracy.",
    ),
    explanation=(
        "(c). Potential gain is the gap to HLP times the share. static is hard for people too "
        "(42 %): near the Bayes error, little is left to gain however many copies you make. "
        "people_noise has a 17-point gap, so realistic people-noise copies have room to help. "
        "The weakest tag is not the most promising one."
    ),
)

REALISTIC = ConceptQuestion(
    id="04.c2",
    title="What makes a copy worth adding",
    prompt=(
        "Error analysis points at people_noise. Which batch of synthetic clips best fits the "
        "course's checklist for augmentation?"
    ),
    options={
        "a": "Digits under crowd babble at -20 dB, so loud that listeners name few of them: "
        "the hardest copies teach the most.",
        "b": "Digits under a stadium roar at 0 dB: the current model gets most of them wrong.",
        "c": "Digits with a random gain of +-3 dB: production has it and every listener names them.",
        "d": "Digits under babble of other speakers at 0 to 15 dB: production has it, the "
        "current model misses many, and listeners still name nearly all.",
    },
    key_digest="e55d0b0809e6d781",
    hints=(
        "The checklist has three items; check each option against all three.",
        "Realistic (production has it), the model gets it wrong, a person still recognises it.",
    ),
    explanation=(
        "(d) passes all three items. (a) fails 'a person still recognises it' (labels a human "
        "cannot give are noise); (b) fails 'realistic': the model gets stadium copies wrong "
        "(exercise 04.3), but production never has that noise; (c) fails 'the model gets it "
        "wrong': it already names those clips, so they add little."
    ),
)

SMALL_MODEL = ConceptQuestion(
    id="04.c3",
    title="When more data can hurt",
    prompt=(
        "You add thousands of realistic augmented people_noise clips to training. When is "
        "accuracy on the OTHER tags most likely to drop?"
    ),
    options={
        "a": "When the model is large (an RBF SVM, a big network): it overfits the copies.",
        "b": "When the model is small (high bias): its limited capacity is shared between the "
        "old and the new data, so fitting the copies costs the other tags.",
        "c": "Whenever the data is unstructured (audio, images): augmentation there always "
        "trades one tag for another.",
        "d": "Only when the copies are unrealistic; realistic copies cannot hurt any model.",
    },
    key_digest="b49e434ae7c611fc",
    hints=(
        "Think of bias: which model cannot fit both the old and the new data at once?",
        "Exercise 04.5 measured it: which model lost accuracy on the other tags?",
    ),
    explanation=(
        "(b). For unstructured data, adding realistic data rarely hurts a large, low-bias model: "
        "it has room for old and new. A small model must trade, so more copies of one tag can "
        "cost the others, realistic or not, which is why (d) is wrong; (a) reverses the risk, "
        "and (c) is the case where augmentation is safest with a large model."
    ),
)

ITEMS = (TARGET, WEAKEST_TAG, PHONE, REALISTIC, COPIES, DIFFERENCE, OTHER_TAGS, SMALL_MODEL)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return notebook 04's exercises and concept questions, bound to its namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``). The checks read ``errors``, ``edges``,
        ``augmented``, ``dev_pos``, ``augment_factor``, ``baseline``, ``gain_summary`` and
        ``curves`` from it when they run; the reference solutions also use ``np``,
        ``augmentation`` and ``random_state``.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: print verdicts, never raise. ``solution``: run the reference solutions
        and planted wrong answers and raise if a check misjudges one (CI).

    Returns
    -------
    ExerciseSet
        ``ex`` of the notebook: ``ex.show``, ``ex.check``, ``ex.hint``, ``ex.solution``,
        ``ex.predict`` and ``ex.progress``.

    Raises
    ------
    ParameterError
        If `mode` is not one of ``"learner"``, ``"solution"``.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids[:3]
    ['04.1', '04.c1', '04.2']
    >>> ex.check("04.1", ...)
    04.1: not attempted. Replace `...` with your answer and run the cell again.
    """
    return ExerciseSet("04", ITEMS, namespace, mode=mode)
