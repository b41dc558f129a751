"""Exercises and concept questions of ``notebooks/02_data.ipynb``, in notebook order.

Each check recomputes its expected value from the notebook's own variables (``labels``,
``labels_conv``, ``y_conv``, ``kappa``, ``hlp_shared``, ``y``, ``shares``, ``random_state``), so
an answer is judged against this run's numbers. The machinery is :mod:`mlkit.exercises`.
"""

from __future__ import annotations

import numpy as np

from mlkit.data._agreement import fleiss_kappa
from mlkit.data._convention import agreement_per_clip
from mlkit.data._labelers import CONFUSABLE_PAIRS, apply_convention
from mlkit.data._splits import max_split_share_deviation, split_train_dev_test
from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_number,
    expect_numbers,
)

__all__ = ["exercises"]

# The hypothetical model of exercise 02.4: its accuracy (%) on two tags.
_MODEL_ACCURACY_PCT = {"people_noise": 90.0, "clean": 95.0}


# -- section 2: label consistency and the convention -------------------------------------------
def _kappa_read(ns) -> list[float]:
    k = np.asarray(ns["kappa"], dtype=float)
    lowest = float(k[~np.eye(k.shape[0], dtype=bool)].min())
    return [float(fleiss_kappa(ns["labels"])), lowest]


def _check_kappa_read(answer, ns) -> str:
    return expect_numbers(
        answer, _kappa_read(ns), abs_tol=0.005, what="[Fleiss' kappa, lowest Cohen's kappa]"
    )


def _confusable_split(labels) -> np.ndarray:
    """Clips whose labels hold both digits of a confusable pair (one wrote 5, another 9)."""
    covered = np.zeros(labels.shape[1], dtype=bool)
    for a, b in CONFUSABLE_PAIRS:
        covered |= (labels == a).any(axis=0) & (labels == b).any(axis=0)
    return covered


def _rule_effect(ns) -> tuple[float, float]:
    """Agreement gain and accuracy change (percentage points) of the confusable-split rule."""
    before = np.asarray(ns["labels_conv"])
    after = apply_convention(before, ambiguous=_confusable_split(before))
    gain = agreement_per_clip(after).mean() - agreement_per_clip(before).mean()
    y_conv = np.asarray(ns["y_conv"])
    change = (after == y_conv).mean() - (before == y_conv).mean()
    return 100 * float(gain), 100 * float(change)


def _check_rule_gain(answer, ns) -> str:
    gain, _ = _rule_effect(ns)
    return expect_number(answer, gain, abs_tol=0.02, what="The agreement gain in percentage points")


def _check_rule_cost(answer, ns) -> str:
    _, change = _rule_effect(ns)
    return expect_number(
        answer, change, abs_tol=0.02, what="The accuracy change in percentage points"
    )


# -- section 3: human-level performance ------------------------------------------------------
def _avoidable(ns) -> list[float]:
    hlp = ns["hlp_shared"]
    return [
        100 * float(hlp.loc[tag, "hlp_accuracy"]) - acc for tag, acc in _MODEL_ACCURACY_PCT.items()
    ]


def _check_avoidable(answer, ns) -> str:
    return expect_numbers(
        answer, _avoidable(ns), abs_tol=0.05, what="[avoidable error on people_noise, on clean]"
    )


# -- section 5: splits -----------------------------------------------------------------------
def _unstratified_deviation(ns) -> float:
    splits = split_train_dev_test(
        ns["y"], **ns["shares"], stratify=False, random_state=ns["random_state"]
    )
    return 100 * max_split_share_deviation(ns["y"], splits)


def _check_unstratified(answer, ns) -> str:
    try:
        return expect_number(
            answer,
            _unstratified_deviation(ns),
            abs_tol=0.05,
            what="The deviation in percentage points",
        )
    except AnswerError:
        stratified = 100 * float(ns.get("split_deviation", np.nan))
        if isinstance(answer, int | float) and abs(answer - stratified) <= 0.05:
            raise AnswerError(
                f"{answer:.4g} is the stratified split's deviation (split_deviation); "
                "split again with stratify=False."
            ) from None
        raise


_RULE_PROMPT = (
    "The convention covers a labeler who is unsure. Review shows a new case: clips whose labels "
    "split between the two digits of a confusable pair (data.CONFUSABLE_PAIRS; e.g. one labeler "
    "wrote 5, another 9). Write the rule for it: such a clip is UNINTELLIGIBLE, for every "
    "labeler. Build a boolean mask `covered` (one flag per clip) from `labels_conv`, apply the "
    "rule with data.apply_convention(labels_conv, ambiguous=covered) and measure the agreement "
    "it buys: the team's mean pairwise agreement over ALL clips (data.agreement_per_clip(...)"
    ".mean()) after the rule minus before. Answer a float in percentage points (5.0 for 5 "
    "points), to 2 decimals."
)

ITEMS = (
    Exercise(
        id="02.1",
        title="read the kappas",
        prompt=(
            "Read two numbers of the team's agreement before the convention: Fleiss' kappa of the "
            "whole team (`kappa_before`, rounded in the figure's title) and the lowest Cohen's kappa between "
            "two labelers (the matrix `kappa`). Answer a list of two floats, "
            "[fleiss_kappa, lowest_cohen_kappa], kappa units (not %), to 3 decimals. Which "
            "labeler is in the lowest pair?"
        ),
        check=_check_kappa_read,
        solution=(
            "k = kappa.to_numpy()\n"
            "lowest = k[~np.eye(len(k), dtype=bool)].min()  # off the diagonal\n"
            "answer = [kappa_before, float(lowest)]"
        ),
        hints=(
            "Kappa is a number in [-1, 1], not a percentage; the diagonal of the matrix is each "
            "labeler with themselves (1).",
            "`kappa_before` is Fleiss' kappa; the lowest Cohen's kappa is the smallest value off "
            "the diagonal of `kappa`.",
            "answer = [kappa_before, kappa.to_numpy()[~np.eye(len(kappa), dtype=bool)].min()]",
        ),
        wrong=(
            lambda ref: ref[::-1],
            lambda ref: [100 * v for v in ref],
            lambda ref: [ref[0], 1.0],
        ),
    ),
    Exercise(
        id="02.2",
        title="a rule for a new ambiguous case",
        prompt=_RULE_PROMPT,
        check=_check_rule_gain,
        solution=(
            "covered = np.zeros(labels_conv.shape[1], dtype=bool)\n"
            "for a, b in data.CONFUSABLE_PAIRS:\n"
            "    covered |= (labels_conv == a).any(axis=0) & (labels_conv == b).any(axis=0)\n"
            "labels_rule = data.apply_convention(labels_conv, ambiguous=covered)\n"
            "before = data.agreement_per_clip(labels_conv).mean()\n"
            "answer = 100 * (data.agreement_per_clip(labels_rule).mean() - before)"
        ),
        hints=(
            "A clip is covered when, for some pair (a, b) in data.CONFUSABLE_PAIRS, at least one "
            "labeler wrote a AND at least one wrote b. Work column by column: axis=0 is the clips.",
            "covered |= (labels_conv == a).any(axis=0) & (labels_conv == b).any(axis=0), over "
            "the pairs; then labels_rule = data.apply_convention(labels_conv, ambiguous=covered).",
            "answer = 100 * (data.agreement_per_clip(labels_rule).mean() - "
            "data.agreement_per_clip(labels_conv).mean()), over all clips, not only the covered.",
        ),
        wrong=(lambda ref: ref / 100, lambda ref: -ref, 0.0),
    ),
    Exercise(
        id="02.3",
        title="what the rule costs",
        prompt=(
            "Agreement is what a team can measure; accuracy against the truth is what it wants. "
            "For the rule of 02.2, measure the change in the labelers' accuracy against the truth "
            "`y_conv` (the share of all labels, all labelers and clips, equal to y_conv) after "
            "the rule minus before. Answer a float in percentage points, to 2 decimals (negative "
            "if accuracy falls). Then look at `covered & ambiguous`: were the covered clips the "
            "ambiguous ones? Would you adopt the rule?"
        ),
        check=_check_rule_cost,
        solution=(
            "covered = np.zeros(labels_conv.shape[1], dtype=bool)\n"
            "for a, b in data.CONFUSABLE_PAIRS:\n"
            "    covered |= (labels_conv == a).any(axis=0) & (labels_conv == b).any(axis=0)\n"
            "labels_rule = data.apply_convention(labels_conv, ambiguous=covered)\n"
            "answer = 100 * ((labels_rule == y_conv).mean() - (labels_conv == y_conv).mean())"
        ),
        hints=(
            "Compare the labels matrix with the truth: `labels_conv == y_conv` broadcasts y_conv "
            "over the labelers' rows.",
            "Accuracy is ((labels == y_conv).mean()); compute it for labels_rule (02.2) and "
            "labels_conv and subtract, after minus before.",
            "answer = 100 * ((labels_rule == y_conv).mean() - (labels_conv == y_conv).mean()); "
            "most covered clips are clear clips with one slip, so the rule erases right labels.",
        ),
        wrong=(lambda ref: -ref, lambda ref: ref / 100, 0.0),
    ),
    ConceptQuestion(
        id="02.c1",
        title="label consistency and conventions",
        prompt=(
            "Two careful labelers disagree on the same noisy clips: when unsure, L0 always writes "
            "a best guess and L1 always writes UNINTELLIGIBLE. Each is accurate on the clips they "
            "hear clearly. What removes most of THIS disagreement?"
        ),
        options={
            "a": "Replace the labeler with the lower accuracy against the truth, so one careful habit is left.",
            "b": "A written rule for the unsure case that both follow (e.g. unsure -> UNINTELLIGIBLE).",
            "c": "Add more labelers and keep the majority vote of each clip, which outvotes either habit.",
            "d": "Nothing: with enough clips the model learns to ignore the inconsistent ones by itself.",
        },
        key_digest="821555c20fd57c38",
        hints=(
            "Is either labeler wrong on the clips they hear clearly? Where exactly do they differ?",
            "They differ in a habit, not in skill: the fix is to make the habit the same.",
        ),
        explanation=(
            "(b): the disagreement is two habits on unsure clips (the course's 'um' vs 'erm'), not "
            "a bad labeler; a documented convention makes the habits one. Replacing a labeler (a) "
            "only swaps one habit for another, a majority vote (c) hides the question on each clip "
            "instead of settling it, and a model fed inconsistent labels learns the inconsistency (d)."
        ),
    ),
    Exercise(
        id="02.4",
        title="per-tag HLP as a target",
        prompt=(
            "A model scores 90 % on people_noise clips and 95 % on clean clips. With the HLP "
            "later phases use (`hlp_shared`, column hlp_accuracy, typical labelers vs the spoken "
            "digit), compute the avoidable error per tag: HLP minus the model's accuracy. Answer "
            "a list of two floats in percentage points, [people_noise, clean], to 1 decimal. "
            "Which tag would you work on first?"
        ),
        check=_check_avoidable,
        solution=(
            "hlp_pct = 100 * hlp_shared['hlp_accuracy']\n"
            "answer = [hlp_pct['people_noise'] - 90.0, hlp_pct['clean'] - 95.0]"
        ),
        hints=(
            "Avoidable error is measured against HLP (a proxy for Bayes error), not against 100 %.",
            "Read hlp_shared.loc['people_noise', 'hlp_accuracy'] and the same for 'clean'; "
            "multiply by 100 before subtracting the model's %.",
            "answer = [100 * hlp_shared.loc['people_noise', 'hlp_accuracy'] - 90, "
            "100 * hlp_shared.loc['clean', 'hlp_accuracy'] - 95]",
        ),
        wrong=(lambda ref: ref[::-1], [10.0, 5.0], lambda ref: [v / 100 for v in ref]),
    ),
    ConceptQuestion(
        id="02.c2",
        title="beating HLP can be an artefact",
        prompt=(
            "A model agrees with the labelers more than they agree with each other (it 'beats "
            "HLP'), and its lead comes from the ambiguous clips. What is the most likely reason?"
        ),
        options={
            "a": "It hears better than people: it picks up cues in the noise that humans miss, so its "
            "lead is largest exactly where the noise is worst.",
            "b": "HLP was measured on too few ambiguous clips; with more of them the lead would shrink "
            "to zero, as a chance result does.",
            "c": "It repeats one label consistently where the labelers are inconsistent, so it "
            "gains agreement without being more accurate.",
            "d": "It has reached the Bayes error on those clips, so nothing is left to improve there "
            "and the team should move on to other tags.",
        },
        key_digest="47d824ae2f7f5e43",
        hints=(
            "Look at the table of section 3: what is the model's accuracy on the ambiguous clips?",
            "Agreement with inconsistent labelers rewards consistency, not correctness.",
        ),
        explanation=(
            "(c): on ambiguous clips two labelers often disagree, so HLP (labeler vs labeler) is "
            "low there; a model that always gives the majority label agrees with most of them and "
            "'beats' HLP while being no more accurate (0 % on the ambiguous clips here). Better "
            "hearing (a) would show in accuracy, not only agreement; more clips (b) narrows the "
            "interval but keeps the bias; beating HLP says nothing about Bayes error (d)."
        ),
    ),
    ConceptQuestion(
        id="02.c3",
        title="small data: clean labels matter most",
        prompt=(
            "You have 300 labelled clips whose labels are noticeably inconsistent, and budget "
            "for ONE of: relabeling them under a clear convention, or collecting 100 more clips "
            "labelled the same way. Which is the better bet, and why?"
        ),
        options={
            "a": "Relabel: with few examples every wrong label moves the model; more noisy data "
            "averages the noise out only slowly.",
            "b": "Collect more: a model averages random label noise out, and 100 more clips give it "
            "more to average over.",
            "c": "Either: label noise costs the same share of accuracy at every training size, so only "
            "the cost of each option matters.",
            "d": "Neither: a larger, more flexible model is robust to label noise, so the budget is "
            "better spent on compute.",
        },
        key_digest="c63a4a78561f9cfd",
        hints=(
            "Look at section 4's drops at the smallest and the largest training size.",
            "The relative drop from 30 % noise is larger at small n than at large n.",
        ),
        explanation=(
            "(a): at small n each wrong label is a large share of the evidence, so noise costs "
            "most there (section 4's relative drops); at large n a regularised model averages it "
            "out, which is why 'more data' (b) helps big-data problems more than small ones. The "
            "cost is not flat in n (c), and a larger model fits the noise more readily, not less (d)."
        ),
    ),
    Exercise(
        id="02.5",
        title="stratified or not",
        prompt=(
            "The split of section 5 is stratified by label and tag; its largest class-share "
            "deviation is `split_deviation`. Split the same clips without stratification: "
            "data.split_train_dev_test(y, **shares, stratify=False, random_state=random_state), "
            "and measure data.max_split_share_deviation(y, ...) for the digits. Answer a float "
            "in percentage points, to 2 decimals."
        ),
        predict=(
            "Will the unstratified deviation be below 1, between 1 and 3, or above 3 "
            "percentage points?"
        ),
        check=_check_unstratified,
        solution=(
            "plain = data.split_train_dev_test(y, **shares, stratify=False, "
            "random_state=random_state)\n"
            "answer = 100 * data.max_split_share_deviation(y, plain)"
        ),
        hints=(
            "Use the same y, shares and random_state as the stratified split; only stratify changes.",
            "plain = data.split_train_dev_test(y, **shares, stratify=False, random_state=random_state)",
            "answer = 100 * data.max_split_share_deviation(y, plain)  # a fraction times 100",
        ),
        wrong=(lambda ref: ref / 100,),
    ),
    ConceptQuestion(
        id="02.c4",
        title="leakage across speakers",
        prompt=(
            "Cross-validation gives 95 % with random folds and 80 % with speaker-grouped folds. "
            "Which number estimates the accuracy on people the model has never heard, and why?"
        ),
        options={
            "a": "95 %: random folds give each model more varied training data, as production's model "
            "(trained on everyone) will have.",
            "b": "Their mean, 87.5 %: each way of splitting is biased in its own direction, so the "
            "truth lies between them.",
            "c": "95 %: grouped folds leave some digits or conditions unbalanced, so they underestimate "
            "what the model can do.",
            "d": "80 %: with random folds a speaker's clips sit in train and test, so the model "
            "is partly scored on voices it learned.",
        },
        key_digest="cb18adff4dff8f44",
        hints=(
            "In production, is the speaker of a request in the training data?",
            "Clips of one speaker resemble each other: a test clip whose speaker is in train is "
            "easier than a new speaker's.",
        ),
        explanation=(
            "(d): random folds leak speakers: the test clips share voices with training clips, "
            "which flatters the model. Grouped folds keep every speaker on one side, like "
            "production's new users. The training sets are the same size either way (a), the "
            "random-fold number is biased and the grouped one is not, so averaging (b) keeps "
            "half the bias, and grouped folds being less balanced adds variance, not a 15-point gap (c)."
        ),
    ),
)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises of ``notebooks/02_data.ipynb``, bound to the notebook's namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); checks read this run's variables from it.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: verdicts only. ``solution``: each check runs the reference solution and the
        planted wrong answers, and raises if the check misjudges one (the CI profile).

    Returns
    -------
    ExerciseSet
        Five exercises (02.1-02.5) and four concept questions (02.c1-02.c4), in notebook order.

    Raises
    ------
    ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    Examples
    --------
    >>> exercises({}).ids
    ['02.1', '02.2', '02.3', '02.c1', '02.4', '02.c2', '02.c3', '02.5', '02.c4']
    """
    return ExerciseSet("02", ITEMS, namespace, mode=mode)
