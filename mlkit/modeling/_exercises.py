"""Exercises and concept questions of ``notebooks/03_modeling.ipynb``, in notebook order.

Each check computes its expected value from the notebook's own variables (this run's numbers):
``hlp_overall`` and ``acc`` (section 2), ``table`` (the error-analysis table of section 4),
``y``, ``dev``, ``tags``, ``human``, ``preds``, ``systems``, ``model`` and ``random_state``
(the dev-only table of exercise 03.5), and ``choice`` (the threshold choice of section 6).
The machinery (verdicts, hints, solution mode, progress) is :mod:`mlkit.exercises`.
"""

from __future__ import annotations

import numpy as np

from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    NotReadyError,
    expect_choice,
    expect_number,
    expect_numbers,
)

__all__ = ["exercises"]

# threshold of exercise 03.6: below both chosen thresholds, so more alarms than either
THRESHOLD = 0.2
PAIR = ("clean", "car_noise")
CANNOT_TELL = "cannot tell"


def _var(namespace, name: str):
    try:
        return namespace[name]
    except KeyError:
        raise NotReadyError(
            f"The notebook variable `{name}` is not defined yet: run the cells above this one first."
        ) from None


def _row(table, tag: str):
    if tag not in table.index:
        raise AnswerError(
            f"This run's error-analysis table has no tag {tag!r} (tags: {list(table.index)})."
        )
    return table.loc[tag]


def _moved(make, tol: float):
    """Return a planted wrong answer ``make(ref)`` (a number or a list of numbers).

    Where it would land within `tol` of the reference (for example ``ref / 100`` when ref is
    near 0), its first number is moved by 10 x `tol`, so it stays a wrong answer on every run.
    """

    def wrong(ref):
        w = make(ref)
        if np.all(np.abs(np.subtract(w, ref, dtype=float)) <= tol):
            return w + 10 * tol if np.ndim(w) == 0 else [w[0] + 10 * tol, *w[1:]]
        return w

    return wrong


# -- section 2: baselines -----------------------------------------------------------------------
def _check_gap_to_hlp(answer, ns):
    acc = _var(ns, "acc")
    expected = 100 * (float(_var(ns, "hlp_overall")) - acc["dev_accuracy"])
    return expect_number(answer, expected, abs_tol=0.15, what="The dev gap to HLP in points")


GAP_TO_HLP = Exercise(
    id="03.1",
    title="dev gap to HLP",
    prompt=(
        "Read the baseline table: by how many percentage points is the current model's error on "
        "the dev set (unseen speakers) above the human-level error? If HLP error is a fair proxy "
        "for the Bayes error, this is the most a better model could still win on these clips. "
        "Answer a float in percentage points (0.05 is 5 points), positive when the model is "
        "worse than people."
    ),
    check=_check_gap_to_hlp,
    solution='answer = 100 * (hlp_overall - acc["dev_accuracy"])  # HLP error - dev error, flipped\n',
    hints=(
        "Two rows of the table matter: HLP and the current model. Use their `error` column.",
        "Dev error minus HLP error, times 100 (the table holds fractions).",
        'In code: 100 * ((1 - acc["dev_accuracy"]) - (1 - hlp_overall)).',
    ),
    wrong=(_moved(lambda ref: ref / 100, 0.15), _moved(lambda ref: -ref, 0.15)),
)

HLP_BASELINE = ConceptQuestion(
    id="03.c1",
    title="HLP as a baseline",
    prompt=(
        "The course measures human-level performance (HLP) as the baseline for this speech task. "
        "Why would HLP be a much weaker baseline for the rare-class table of section 6 (cell "
        "measurements in columns)?"
    ),
    options={
        "a": "HLP is the highest accuracy any model can reach; a table has no such ceiling.",
        "b": (
            "People are good at unstructured data (audio, images, text), so their error "
            "approximates the Bayes error there; on columns of numbers people do poorly, so HLP "
            "says little about what is achievable."
        ),
        "c": "People label audio without mistakes, so HLP is 100 % and every dev error is avoidable.",
        "d": "HLP only makes sense on balanced classes; the table is skewed, so it would mislead.",
    },
    key_digest="bef0be0a9d52ce57",
    hints=(
        "Ask who is better at the task, people or models, on each kind of data.",
        "HLP is a proxy for the Bayes error only where people are near the best possible.",
    ),
    explanation=(
        "(b). HLP is a good proxy for the Bayes error on unstructured data, where people excel; "
        "on structured data people are weak, and models routinely beat them. HLP is no ceiling "
        "(a): a model can beat people, as section 2 notes when training error is below HLP "
        "error. People do make mistakes (c): HLP here is below 100 %. Skew (d) is about "
        "which metric to use, not about whether people are a fair baseline."
    ),
)


# -- section 3: seen vs unseen speakers ---------------------------------------------------------
def _variance_parts(ns):
    acc = _var(ns, "acc")
    err = {k: 1.0 - acc[f"{k}_accuracy"] for k in ("train", "seen", "dev")}
    return [100 * (err["seen"] - err["train"]), 100 * (err["dev"] - err["seen"])]


def _check_variance_split(answer, ns):
    return expect_numbers(answer, _variance_parts(ns), abs_tol=0.15, what="The two parts in points")


VARIANCE_SPLIT = Exercise(
    id="03.2",
    title="split the variance",
    prompt=(
        "The `variance` of section 2 (dev error minus training error) mixes two things: new clips "
        "of the same speakers, and new speakers. Split it with the seen-speaker error: give "
        "[seen error - training error, dev error - seen error] as a list of two floats in "
        "percentage points. The first is what new clips cost, the second what new speakers "
        "cost on top."
    ),
    check=_check_variance_split,
    solution=(
        'train_err, seen_err, dev_err = (1 - acc[f"{k}_accuracy"] for k in ["train", "seen", "dev"])\n'
        "answer = [100 * (seen_err - train_err), 100 * (dev_err - seen_err)]\n"
    ),
    hints=(
        "The decomposition table of section 2 holds training_error, seen_error and dev_error.",
        "The two parts add up to the variance row; order: seen - training first, dev - seen second.",
        'In code: errors are 1 - acc["train_accuracy"], 1 - acc["seen_accuracy"], '
        '1 - acc["dev_accuracy"]; subtract and multiply by 100.',
    ),
    wrong=(_moved(lambda ref: ref[::-1], 0.15), _moved(lambda ref: [r / 100 for r in ref], 0.15)),
)


# -- section 4: error analysis by tag -------------------------------------------------------------
def _check_gain(answer, ns):
    table = _var(ns, "table")
    r = _row(table, "car_noise")
    share = r["n_samples"] / table["n_samples"].sum()
    expected = 100 * max(r["hlp"] - r["accuracy"], 0.0) * share
    return expect_number(
        answer, expected, abs_tol=0.05, what="The potential gain of car_noise in points"
    )


POTENTIAL_GAIN = Exercise(
    id="03.3",
    title="potential gain of a tag",
    prompt=(
        "A tag's gap to HLP alone does not say what closing it is worth. Compute car_noise's "
        "potential gain from its `hlp`, `accuracy` and `n_samples` columns: how many points of "
        "overall accuracy would the model win if it reached HLP on car_noise clips and stayed "
        "the same elsewhere? Answer a float in percentage points of overall accuracy (then "
        "compare with the `potential_gain` column)."
    ),
    check=_check_gain,
    solution=(
        'r = table.loc["car_noise"]\n'
        'share = r["n_samples"] / table["n_samples"].sum()\n'
        'answer = 100 * max(r["hlp"] - r["accuracy"], 0) * share\n'
    ),
    hints=(
        "A gap on a tag only moves overall accuracy in proportion to how many clips carry the tag.",
        "Potential gain = max(HLP - accuracy, 0) x the tag's share of all clips; x 100 for points.",
        'In code: 100 * (hlp - accuracy) * n_samples / table["n_samples"].sum() on the car_noise row.',
    ),
    wrong=(_moved(lambda ref: ref / 100, 0.05), _moved(lambda ref: ref / 0.2, 0.05)),
)


def _pair_decision(table) -> str:
    a, b = (_row(table, t) for t in PAIR)
    if a["gain_ci_low"] <= b["gain_ci_high"] and b["gain_ci_low"] <= a["gain_ci_high"]:
        return CANNOT_TELL
    return PAIR[0] if a["potential_gain"] > b["potential_gain"] else PAIR[1]


def _check_pair(answer, ns):
    choices = [*PAIR, CANNOT_TELL]
    return expect_choice(
        answer, _pair_decision(_var(ns, "table")), choices=choices, what="Your choice"
    )


NEXT_TAG = Exercise(
    id="03.4",
    title="clean or car_noise next?",
    prompt=(
        "Suppose people_noise is taken care of (notebook 04 augments it). The team can improve "
        "one more tag this sprint, clean or car_noise, at the same cost. Decide from the table's "
        "potential gains and their intervals (`gain_ci_low`, `gain_ci_high`): answer "
        '"clean", "car_noise", or "cannot tell" if the table cannot tell their gains apart '
        "(the intervals overlap)."
    ),
    check=_check_pair,
    solution=(
        'a, b = table.loc["clean"], table.loc["car_noise"]\n'
        'overlap = a["gain_ci_low"] <= b["gain_ci_high"] and b["gain_ci_low"] <= a["gain_ci_high"]\n'
        'better = "clean" if a["potential_gain"] > b["potential_gain"] else "car_noise"\n'
        'answer = "cannot tell" if overlap else better\n'
    ),
    hints=(
        "Rank by potential gain, not by gap; then ask whether the ranking could be chance.",
        "Two intervals overlap when each one's low end is below the other's high end.",
        "Compare the [gain_ci_low, gain_ci_high] of the two rows; if they overlap, the table "
        "cannot tell; otherwise pick the larger potential_gain.",
    ),
    wrong=(
        lambda ref: [c for c in (*PAIR, CANNOT_TELL) if c != ref][0],
        lambda ref: [c for c in (*PAIR, CANNOT_TELL) if c != ref][1],
    ),
)


def _dev_only_width(ns) -> float:
    from mlkit.modeling._error_analysis import error_analysis_by_tag

    table, dev = _var(ns, "table"), _var(ns, "dev")
    y, tags, human = (np.asarray(_var(ns, k)) for k in ("y", "tags", "human"))
    dev_pred = _var(ns, "preds")[_var(ns, "systems")[_var(ns, "model")]]
    dev_table = error_analysis_by_tag(
        y[dev], dev_pred, tags[dev], human_correct=human[dev], random_state=_var(ns, "random_state")
    )
    r = _row(dev_table, str(table.index[0]))
    return 100 * float(r["gain_ci_high"] - r["gain_ci_low"])


def _check_dev_only(answer, ns):
    return expect_number(
        answer, _dev_only_width(ns), abs_tol=0.6, what="The interval width in points"
    )


DEV_ONLY = Exercise(
    id="03.5",
    title="error analysis on the dev set alone",
    prompt=(
        "The table uses all clips, each predicted out of fold. Rebuild it on the dev clips "
        "alone: `modeling.error_analysis_by_tag` on `y[dev]`, the current model's dev "
        "predictions `preds[systems[model]]`, `tags[dev]`, `human_correct=human[dev]` and "
        "`random_state=random_state`. For the tag ranked first in the notebook's table, give the "
        "width of its potential-gain interval (gain_ci_high - gain_ci_low) in the dev-only table, "
        "as a float in percentage points."
    ),
    check=_check_dev_only,
    solution=(
        "dev_table = modeling.error_analysis_by_tag(\n"
        "    y[dev], preds[systems[model]], tags[dev], human_correct=human[dev],\n"
        "    random_state=random_state,\n"
        ")\n"
        "top = table.index[0]\n"
        'answer = 100 * (dev_table.loc[top, "gain_ci_high"] - dev_table.loc[top, "gain_ci_low"])\n'
    ),
    hints=(
        "Same call as section 4, with every array indexed by `dev`; no refit is needed.",
        "The tag is `table.index[0]`; read its row of the new table.",
        "Width = (gain_ci_high - gain_ci_low) x 100 on that row of the dev-only table.",
    ),
    wrong=(_moved(lambda ref: ref / 100, 0.6), _moved(lambda ref: ref / 2, 0.6)),
    predict=(
        "with a quarter of the clips, will that interval be narrower, about as wide, or wider "
        "than in the notebook's table, and by roughly what factor?"
    ),
)

PRIORITIES = ConceptQuestion(
    id="03.c2",
    title="what to work on",
    prompt=(
        "Tag A: model 70 %, HLP 95 %, 2 % of the clips. Tag B: model 90 %, HLP 96 %, 40 % of the "
        "clips. Improving either costs the same. Which should the next iteration work on?"
    ),
    options={
        "a": "Tag A: its gap to HLP (25 points) is four times B's, and the gap measures the room left.",
        "b": "Neither: collect more data of every tag, since more data helps all tags alike.",
        "c": "Tag B: closing its gap adds about 2.4 points of overall accuracy, against 0.5 for A.",
        "d": "Tag A: B is within 6 points of HLP, and a gap that small is noise.",
    },
    key_digest="2799649772a019f1",
    hints=(
        "A gap matters in proportion to how often the tag occurs.",
        "Potential gain = gap x share: 25 x 0.02 for A, 6 x 0.40 for B.",
    ),
    explanation=(
        "(c). Potential gain = gap to HLP x share of data: 0.5 points for A, 2.4 for B. The "
        "largest gap (a) sits on 2 % of the clips. More data of everything (b) is costly and "
        "ignores where the errors are; targeted data is the course's advice. Whether a 6-point "
        "gap is noise (d) depends on the number of clips behind it (the table's intervals), not "
        "on its size alone."
    ),
)


# -- section 6: skewed data -----------------------------------------------------------------------
def _pr_at_threshold(ns):
    from mlkit.modeling._skewed import binary_metrics

    choice = _var(ns, "choice")
    m = binary_metrics(choice.y_test, (choice.score_test >= THRESHOLD).astype(int))
    return [m["precision"], m["recall"]]


def _check_pr(answer, ns):
    return expect_numbers(answer, _pr_at_threshold(ns), abs_tol=0.01, what="[precision, recall]")


PR_AT_THRESHOLD = Exercise(
    id="03.6",
    title="precision and recall at a threshold",
    prompt=(
        f"Lower the threshold to {THRESHOLD}: a sample is flagged malignant when its score "
        f"`choice.score_test` is >= {THRESHOLD}. On the test split (`choice.y_test`), what are "
        "precision and recall of the malignant class? Answer [precision, recall] as a list of "
        "two floats in [0, 1], and compare with the two chosen thresholds in the table above."
    ),
    check=_check_pr,
    solution=(
        f"flagged = (choice.score_test >= {THRESHOLD}).astype(int)\n"
        "m = modeling.binary_metrics(choice.y_test, flagged)\n"
        'answer = [m["precision"], m["recall"]]\n'
    ),
    hints=(
        "Turn the test scores into 0/1 predictions at the new threshold, then score them.",
        "Precision = tp / (tp + fp), recall = tp / (tp + fn); `modeling.binary_metrics` gives both.",
        f"In code: modeling.binary_metrics(choice.y_test, (choice.score_test >= {THRESHOLD})"
        '.astype(int)), then its "precision" and "recall".',
    ),
    wrong=(_moved(lambda ref: ref[::-1], 0.01), _moved(lambda ref: [1 - r for r in ref], 0.01)),
)

RARE_ACCURACY = ConceptQuestion(
    id="03.c3",
    title="accuracy on a rare class",
    prompt=(
        "On a test split with about 5 % positives, model M scores 96 % accuracy and model N "
        "93 %. What can you conclude about how well they find the positives?"
    ),
    options={
        "a": (
            "Nothing yet: 'always negative' already scores about 95 %; compare recall and "
            "precision (or PR-AUC) of the positive class."
        ),
        "b": "M is better: it makes fewer mistakes overall.",
        "c": "N is better: lower accuracy on skewed data means more positive predictions, hence higher recall.",
        "d": "Both are useless: neither beats the 95 % of 'always negative' by more than a few points.",
    },
    key_digest="a665810c1690d00a",
    hints=(
        "What accuracy does a model reach that never says 'positive'?",
        "Accuracy is dominated by the 95 % negatives; the positives barely move it.",
    ),
    explanation=(
        "(a). With 5 % positives, accuracy mostly counts negatives: 'always negative' scores "
        "95 % with recall 0. M may miss most positives (b); N's lower accuracy may come from "
        "false alarms without catching more (c); and a model a point above 95 % may still have "
        "high recall (d). Only recall, precision and PR-AUC of the positive class tell."
    ),
)

THRESHOLD_TRADE = ConceptQuestion(
    id="03.c4",
    title="precision vs recall",
    prompt=(
        "In the screening product a missed malignant case costs far more than a false alarm "
        "(which only sends a sample for a second look). You lower the threshold from 0.6 to 0.3. "
        "What do you expect on new data?"
    ),
    options={
        "a": "Precision and recall both rise: a lower threshold catches more positives.",
        "b": "Recall falls and precision rises: a lower threshold makes the model stricter.",
        "c": "Only accuracy changes; precision and recall are properties of the model, not the threshold.",
        "d": (
            "Recall rises or stays and precision usually falls: more samples are flagged, "
            "false alarms included; a trade worth making when misses cost more."
        ),
    },
    key_digest="19f1cc9f02e37172",
    hints=(
        "A lower threshold flags every sample the higher one flagged, and more.",
        "Flagging more can only add true positives (recall) and usually adds false alarms too.",
    ),
    explanation=(
        "(d). Lowering the threshold flags a superset: recall cannot fall, and the extra flags "
        "are mostly negatives on skewed data, so precision usually falls. Both rising (a) "
        "would need every new flag to be a positive; (b) has the direction backwards; the "
        "threshold sets the operating point on the precision-recall curve, so (c) is wrong."
    ),
)

ITEMS = (
    GAP_TO_HLP,
    HLP_BASELINE,
    VARIANCE_SPLIT,
    POTENTIAL_GAIN,
    NEXT_TAG,
    DEV_ONLY,
    PRIORITIES,
    PR_AT_THRESHOLD,
    RARE_ACCURACY,
    THRESHOLD_TRADE,
)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises and concept questions of notebook 03_modeling, bound to its namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); each check reads this run's numbers from
        it (``acc``, ``hlp_overall``, ``table``, ``choice``, ...), so run the cells above an
        exercise before checking it.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: verdicts only, never raises. ``solution``: each check runs the reference
        solution and the planted wrong answers (as the ``solutions`` profile of CI does).

    Returns
    -------
    mlkit.exercises.ExerciseSet
        The notebook's ``ex`` object: ``ex.show``, ``ex.check``, ``ex.hint``,
        ``ex.solution``, ``ex.predict`` and ``ex.progress``.

    Raises
    ------
    mlkit.errors.ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    See Also
    --------
    mlkit.exercises.ExerciseSet : the machinery behind the verdicts.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids[:4]
    ['03.1', '03.c1', '03.2', '03.3']
    >>> ex.check("03.3", 2.8)  # before the table exists: a calm verdict, no traceback
    03.3: not checked yet. The notebook variable `table` is not defined yet: run the cells above this one first.
    """
    return ExerciseSet("03", ITEMS, namespace, mode=mode)
