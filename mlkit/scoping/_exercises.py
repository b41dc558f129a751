"""Exercises and concept questions of ``notebooks/01_scoping.ipynb``, in notebook order.

Serves the "Exercises: ..." cells at the end of the sections "Feasibility 1/2" (HLP and the
quick model), "Feasibility 3" (the learning curve) and "Value", and the "Your progress" cell.
Every check recomputes its expected value from the notebook's own variables (``by_tag``,
``hlp``, ``curve``, ``fit``, ``noisy_curve``, ``confusion``, ``value`` and the cost
parameters), so it grades this run's numbers, whatever the seed or the data.
"""

from __future__ import annotations

import numpy as np

from mlkit.exercises import (
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_number,
    expect_numbers,
    need,
)
from mlkit.scoping._feasibility import compare_with_hlp
from mlkit.scoping._value import business_metrics, cost_matrix

__all__ = ["exercises"]


# -- Feasibility: HLP and the quick model -------------------------------------------------------
def _hlp_table(namespace):
    by_tag, hlp = need(namespace, "by_tag", "hlp")
    return compare_with_hlp(by_tag, hlp)


def _check_overall_gap(answer, namespace):
    gap = 100 * float(_hlp_table(namespace).loc["overall", "gap_to_hlp"])
    return expect_number(
        answer, gap, abs_tol=0.15, what="The overall gap to HLP in percentage points"
    )


def _tag_gains(namespace):
    table = _hlp_table(namespace).drop(index="overall")
    share = table["n_samples"] / table["n_samples"].sum()
    return share * (-table["gap_to_hlp"]).clip(lower=0)


def _check_best_gain(answer, namespace):
    gains = _tag_gains(namespace)
    return expect_number(
        answer,
        100 * float(gains.max()),
        abs_tol=0.15,
        what="The largest potential gain in percentage points",
    )


# -- Feasibility 3: the learning curve -----------------------------------------------------------
def _check_halve_reducible(answer, namespace):
    (fit,) = need(namespace, "fit")
    expected = float(np.max(fit.n_samples)) * 2.0 ** (1.0 / fit.b)
    return expect_number(
        answer, expected, abs_tol=0.01 * expected, what="The number of training clips"
    )


def _check_noise_drop(answer, namespace):
    curve, noisy = need(namespace, "curve", "noisy_curve")
    drop = 100 * float(curve["dev_accuracy"].iloc[-1] - noisy["dev_accuracy"].iloc[-1])
    return expect_number(
        answer, drop, abs_tol=0.3, what="The drop in dev accuracy in percentage points"
    )


# -- Value ---------------------------------------------------------------------------------------
def _false_confirm_cost(namespace):
    confusion, confirm_usd = need(namespace, "confusion", "cost_false_confirm_usd")
    cm = np.asarray(confusion, dtype=np.float64)
    false_confirms = cm[:, 1].sum() - cm[1, 1]
    return 1000 * float(confirm_usd) * false_confirms / cm.sum()


def _check_false_confirm_cost(answer, namespace):
    return expect_number(
        answer,
        _false_confirm_cost(namespace),
        abs_tol=1.0,
        what="The cost of false confirms in USD per 1,000",
    )


def _check_two_gains(answer, namespace):
    confusion, value, v, error_usd = need(
        namespace, "confusion", "value", "value_per_success_usd", "cost_error_usd"
    )
    gain_accuracy = 1000 * 0.02 * (float(v) + value["mean_cost_per_error"])
    flat = cost_matrix(range(len(confusion)), error_cost=error_usd)
    confirmed = business_metrics(confusion, flat, value_per_success=v)["business_value_per_1000"]
    gain_confirm = confirmed - value["business_value_per_1000"]
    return expect_numbers(
        answer, [gain_accuracy, gain_confirm], abs_tol=1.0, what="Your two gains in USD per 1,000"
    )


ITEMS = (
    Exercise(
        id="01.1",
        title="gap to HLP, overall",
        prompt=(
            "In the table that compares the quick model (unseen speakers) with HLP, read the overall "
            "gap to HLP (row `overall`, column `gap_to_hlp`): model accuracy minus human-level "
            "accuracy on all clips. Answer a float in percentage points (negative when the model is "
            "below people), e.g. -4.2."
        ),
        check=_check_overall_gap,
        solution='answer = 100 * float(scoping.compare_with_hlp(by_tag, hlp).loc["overall", "gap_to_hlp"])\n',
        hints=(
            "The table shows a fraction; multiply by 100 and keep the sign.",
            "Recompute the table: scoping.compare_with_hlp(by_tag, hlp).loc['overall', 'gap_to_hlp'].",
            "It equals 100 * (cv_accuracy - hlp_accuracy): unseen-speaker accuracy, not seen_accuracy.",
        ),
        wrong=(lambda ref: -ref, lambda ref: ref / 100),
    ),
    Exercise(
        id="01.2",
        title="which tag first",
        prompt=(
            "A tag's potential gain is how much OVERALL accuracy would rise if the model reached HLP "
            "on that tag: (share of all clips with the tag) x (HLP accuracy - model accuracy), 0 where "
            "the model is already at or above HLP. Find the tag with the largest potential gain and "
            "answer that gain as a float in percentage points of overall accuracy."
        ),
        check=_check_best_gain,
        solution=(
            'table = scoping.compare_with_hlp(by_tag, hlp).drop(index="overall")\n'
            'share = table["n_samples"] / table["n_samples"].sum()\n'
            'gain = share * (-table["gap_to_hlp"]).clip(lower=0)\n'
            "answer = 100 * float(gain.max())\n"
        ),
        hints=(
            "The tag with the biggest gap is not always the best bet: a rare tag moves overall "
            "accuracy little. Weight each gap by the tag's share of the clips.",
            "share = n_samples of the tag / n_samples of all tags (leave out the 'overall' row); "
            "gain = share * (-gap_to_hlp), clipped at 0.",
            "Take the largest gain over the tags and multiply by 100.",
        ),
        wrong=(lambda ref: ref / 100, lambda ref: -ref),
    ),
    ConceptQuestion(
        id="01.c1",
        title="why HLP",
        prompt="On unstructured data such as these voice clips, why do we compare the model with "
        "human-level performance (HLP)?",
        options={
            "a": "HLP is an upper bound: no model can be more accurate than people on the same clips.",
            "b": "HLP is a proxy for the Bayes (irreducible) error, so the gap between the model and "
            "HLP estimates the avoidable error that better models or data can still remove.",
            "c": "HLP is what the product needs: once the model matches people, the project is done.",
            "d": "HLP measures how often labelers agree with each other, so it is the accuracy the "
            "model will reach with enough data.",
        },
        key_digest="c3fd98e99f1e2602",
        hints=(
            "Which error can no model remove, and who is good at audio and images?",
            "Models can beat people (see a tag with a positive gap); the business target is a "
            "separate number; agreement is not accuracy.",
        ),
        explanation=(
            "(b). People are very good at perception tasks, so their error approximates the Bayes "
            "error; model minus HLP is the avoidable part. HLP is not a hard ceiling (a model can "
            "beat it), not the business target, and labeler agreement is a different number."
        ),
    ),
    Exercise(
        id="01.3",
        title="halve the reducible error",
        prompt=(
            "The fitted learning curve is error(n) = a * n**(-b) + c (`fit.a`, `fit.b`, `fit.c`). At "
            "the largest measured training size n0 the reducible part is a * n0**(-b). By the fit, "
            "how many training clips IN TOTAL (not additional) halve that reducible error? Answer a "
            "number of clips (int or float; 1 % tolerance)."
        ),
        check=_check_halve_reducible,
        solution="n0 = float(curve['n_samples'].max())\nanswer = n0 * 2 ** (1 / fit.b)\n",
        hints=(
            "Solve a * n**(-b) = 0.5 * a * n0**(-b) for n; a and c drop out.",
            "(n / n0)**(-b) = 1/2, so n = n0 * 2**(1/b). n0 is the last row of curve['n_samples'].",
            "answer = curve['n_samples'].max() * 2 ** (1 / fit.b): with b < 1, doubling the data "
            "does far less than halve the error.",
        ),
        wrong=(lambda ref: ref / 2, lambda ref: 1.05 * ref),
    ),
    Exercise(
        id="01.4",
        title="30 % label noise",
        prompt=(
            "The experiment cell below replaces 30 % of ALL labels (training and dev: one labeling "
            "process made both) by a different digit and measures the learning curve again (same "
            "model, seed and speakers). Then answer: by how many percentage points is the noisy "
            "curve's dev accuracy at its largest training size below the clean curve's at its "
            "largest size? A float in percentage points (clean minus noisy)."
        ),
        check=_check_noise_drop,
        solution=(
            "answer = 100 * float(curve['dev_accuracy'].iloc[-1] - "
            "noisy_curve['dev_accuracy'].iloc[-1])\n"
        ),
        hints=(
            "Compare the last row of `curve` with the last row of `noisy_curve`, column "
            "dev_accuracy; both are fractions.",
            "answer = 100 * (clean dev_accuracy - noisy dev_accuracy), each at its curve's last row.",
        ),
        wrong=(lambda ref: -ref, lambda ref: ref / 100),
        predict=(
            "by how many percentage points will the dev accuracy at the largest training size "
            "drop with 30 % wrong labels? (a number, e.g. 10)"
        ),
    ),
    ConceptQuestion(
        id="01.c2",
        title="noise caps measured accuracy",
        prompt="In the experiment above exactly 30 % of all labels, dev labels included, were "
        "replaced by a DIFFERENT digit. What is the highest dev accuracy that even a perfect "
        "recognizer (always right about the spoken digit) could score against these labels?",
        options={
            "a": "100 %: a perfect recognizer is right whatever the labels say.",
            "b": "73 %: one flipped label in ten lands back on the spoken digit by chance.",
            "c": "70 %: it disagrees with every one of the 30 % wrong dev labels.",
            "d": "About 85 %: noise averages out, so only half of the dev noise counts.",
        },
        key_digest="723dd3978193385e",
        hints=(
            "Accuracy is agreement with the dev labels, not with the truth.",
            "Every flipped label differs from the spoken digit, so a perfect recognizer misses all "
            "of them.",
        ),
        explanation=(
            "(c). Measured accuracy is agreement with the dev labels; a perfect recognizer disagrees "
            "with each of the 30 % wrong ones, so 70 % is the ceiling, and a model trained on the "
            "noisy labels scores lower still. (b) would hold for labels redrawn at random among ten "
            "digits; (d) confuses noise in training labels (partly averaged out by a regularised "
            "model) with noise in the yardstick. Clean dev labels before you read a learning curve."
        ),
    ),
    ConceptQuestion(
        id="01.c3",
        title="why the data estimate is uncertain",
        prompt="The data-needed estimate extrapolates a power law fitted on a few hundred clips out "
        "to tens of thousands. Why is the number so uncertain?",
        options={
            "a": "Small changes of the fitted exponent b and asymptote c, well within what a few noisy "
            "points allow, move the crossing with the target by orders of magnitude; and nothing "
            "guarantees that the power law holds that far out.",
            "b": "Because cross-validation shuffles the clips: with a fixed random_state the "
            "estimate would be exact.",
            "c": "Because dev accuracy is measured on unseen speakers; with clip-level folds the "
            "extrapolation would be reliable.",
            "d": "It is not uncertain: the power law is an empirical law, so the fitted curve "
            "predicts any size.",
        },
        key_digest="4712dc879c0b392c",
        hints=(
            "Near the asymptote the curve is almost flat: how far must you move along it to gain "
            "one point?",
            "A seed makes a number repeatable, not right; a leaky split gives a confident wrong curve.",
        ),
        explanation=(
            "(a). Close to its asymptote the curve is flat, so the size where it crosses the target "
            "swings wildly with b and c, which a handful of noisy points pin down poorly (hence the "
            "band); and the law is an empirical regularity, not a guarantee, far outside the data. A "
            "fixed seed only makes the estimate repeatable; clip-level folds make it optimistic."
        ),
    ),
    Exercise(
        id="01.5",
        title="cost of false confirms",
        prompt=(
            "In the confusion matrix `confusion` (rows: the digit said, columns: the digit "
            "predicted), a false confirm is a clip predicted as 1 that was another digit. What do "
            "false confirms cost at the measured rate, in USD per 1,000 requests "
            "(`cost_false_confirm_usd` each)? A float in USD."
        ),
        check=_check_false_confirm_cost,
        solution=(
            "false_confirms = confusion[:, 1].sum() - confusion[1, 1]\n"
            "answer = 1000 * cost_false_confirm_usd * false_confirms / confusion.sum()\n"
        ),
        hints=(
            "Predicted 1 is column 1; leave out the clips where 1 was said (the diagonal).",
            "false_confirms = confusion[:, 1].sum() - confusion[1, 1]; the rate is that over "
            "confusion.sum().",
            "answer = 1000 * cost_false_confirm_usd * rate.",
        ),
        wrong=(lambda ref: ref / 1000, lambda ref: ref / 10),
    ),
    Exercise(
        id="01.6",
        title="accuracy or a confirmation step",
        prompt=(
            "Two ways to spend next month. (A) Raise accuracy by 2 percentage points with today's mix "
            "of errors (an average error costs value['mean_cost_per_error']). (B) Keep the model, but "
            "add a spoken 'did you say one?' step, so a false confirm costs only `cost_error_usd` like "
            "any other error. Compute each one's gain in business value, in USD per 1,000 requests, "
            "and answer the list [gain_A, gain_B]. Which would you fund first?"
        ),
        check=_check_two_gains,
        solution=(
            "gain_a = 1000 * 0.02 * (value_per_success_usd + value['mean_cost_per_error'])\n"
            "flat = scoping.cost_matrix(range(10), error_cost=cost_error_usd)\n"
            "after = scoping.business_metrics(confusion, flat, value_per_success=value_per_success_usd)\n"
            "answer = [gain_a, after['business_value_per_1000'] - value['business_value_per_1000']]\n"
        ),
        hints=(
            "(A) Each extra correct request earns its value AND avoids the cost of an average error.",
            "gain_A = 1000 * 0.02 * (value_per_success_usd + value['mean_cost_per_error']). For (B), "
            "rebuild the cost matrix without the confirm column and rerun scoping.business_metrics.",
            "gain_B = business_value_per_1000 with scoping.cost_matrix(range(10), "
            "error_cost=cost_error_usd) minus value['business_value_per_1000'].",
        ),
        wrong=(lambda ref: list(ref)[::-1], lambda ref: [r / 1000 for r in ref]),
    ),
    ConceptQuestion(
        id="01.c4",
        title="test metric vs business metric",
        prompt="A new model raises dev accuracy from 82 % to 85 %, yet the business value per "
        "1,000 requests falls. What is the most likely explanation?",
        options={
            "a": "It cannot happen: the business value is a fixed increasing function of accuracy.",
            "b": "The dev set is too small: with a larger one the value would rise with accuracy.",
            "c": "The value of a successful command changed between the two models.",
            "d": "The new model makes fewer errors but more of the expensive kind (another digit "
            "heard as 1 = confirm): the business metric weighs each error by its cost, accuracy "
            "counts them all alike.",
        },
        key_digest="c2cbc190a5aa377d",
        hints=(
            "Do all errors cost the same in the cost matrix?",
            "The break-even accuracy holds only 'with today's mix of errors'.",
        ),
        explanation=(
            "(d). Accuracy counts errors; the business metric prices them (Elkan's cost-sensitive "
            "evaluation), so a shift towards costly false confirms can outweigh fewer errors. The "
            "value per success is a product assumption, not a property of the model, and a small "
            "dev set adds noise but does not explain a systematic shift in the kind of errors."
        ),
    ),
)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises of ``notebooks/01_scoping.ipynb`` bound to the notebook's namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); the checks read ``by_tag``, ``hlp``,
        ``curve``, ``fit``, ``noisy_curve``, ``confusion``, ``value`` and the cost parameters
        from it when an answer is checked.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: print verdicts, never raise. ``solution``: run each reference solution
        and planted wrong answer and raise if a check misjudges one (the ``solutions`` profile).

    Returns
    -------
    ExerciseSet
        Six exercises (``01.1`` .. ``01.6``) and four concept questions (``01.c1`` .. ``01.c4``).

    Raises
    ------
    ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids[:3]
    ['01.1', '01.2', '01.c1']
    """
    return ExerciseSet("01", ITEMS, namespace, mode=mode)
