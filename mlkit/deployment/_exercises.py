"""Exercises and concept questions of ``notebooks/05_deployment.ipynb``, in notebook order.

Serves the "Exercises: ..." cells at the end of the sections "Canary release", "Shadow mode
next to human operators", "Blue/green" and "The same router over HTTP", and the "Your
progress" cell. Every check recomputes its expected value from the notebook's own variables
(``canary``, ``dry``, ``stable_accuracy``, ``models``, the stream ``index`` / ``X_stream`` /
``y_operator``, ``pool``, ``condition``, ``answers`` and the parameters), so it grades this
run's numbers, whatever the seed or the data.
"""

from __future__ import annotations

import numpy as np

from mlkit.audio import CONDITIONS
from mlkit.deployment._bluegreen import BlueGreenRouter
from mlkit.deployment._gates import evaluate_gates
from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_number,
    expect_numbers,
    expect_set,
    need,
)

__all__ = ["exercises"]

DROP_GRID = tuple(round(0.05 * k, 2) for k in range(1, 11))
"""Tolerated accuracy drops tried in exercise 05.3: 0.05, 0.10, ..., 0.50."""


def _pair(answer, what):
    if isinstance(answer, str | bytes) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerError(f"{what} should be a list of two numbers, [first, second].")
    return answer


# -- Canary release ------------------------------------------------------------------------------
def _check_first_gate(answer, namespace):
    (canary,) = need(namespace, "canary")
    router = canary["bad"]
    first = router.first_failure_interval_
    failed = "" if first is None else str(router.history().loc[first, "failed_gates"])
    return expect_set(
        answer, [g for g in failed.split(",") if g], what="The gates that failed first"
    )


def _check_exposure(answer, namespace):
    (canary,) = need(namespace, "canary")
    router = canary["bad"]
    h = router.history()
    last = router.rollback_interval_
    upto = h if last is None else h.loc[:last]
    n_candidate = float(upto["n_candidate"].sum())
    n_served = float(router.n_requests_ if last is None else h.loc[last, "end_request"])
    count, share = _pair(answer, "Your answer")
    expect_number(count, n_candidate, abs_tol=0.5, what="The requests the bad candidate answered")
    expect_number(
        share,
        100 * n_candidate / n_served,
        abs_tol=0.05,
        what="Its share of all requests served up to the rollback, in %,",
    )
    return f"{n_candidate:.0f} requests, {100 * n_candidate / n_served:.2f} % of {n_served:.0f}"


def _largest_caught_drop(namespace):
    dry, schedule, n_consecutive, stable_accuracy = need(
        namespace, "dry", "schedule", "n_consecutive", "stable_accuracy"
    )

    def rolled_back(drop):
        actions = evaluate_gates(
            dry["bad"],
            n_steps=len(schedule),
            n_consecutive=n_consecutive,
            max_psi=10.0,
            max_accuracy_drop=drop,
            stable_accuracy=stable_accuracy,
        )["action"]
        return "rollback" in actions.tolist()

    # a larger tolerated drop only removes failures, so "rolled back" is monotone in the drop:
    # bisect the grid for its last True instead of trying all ten
    low, high = 0, len(DROP_GRID)  # DROP_GRID[:low] roll back, DROP_GRID[high:] do not
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if rolled_back(DROP_GRID[mid]) else (low, mid)
    return DROP_GRID[low - 1] if low else 0.0


def _check_caught_drop(answer, namespace):
    what = "The largest max_accuracy_drop that still rolls the bad candidate back"
    expect_number(answer, 0.0, abs_tol=np.inf, what=what)  # type and NaN first: replays are slow
    return expect_number(answer, _largest_caught_drop(namespace), abs_tol=0.01, what=what)


# -- Shadow mode ---------------------------------------------------------------------------------
def _shadow_by_condition(namespace):
    models, index, X_stream, y_operator, condition, pool = need(
        namespace, "models", "index", "X_stream", "y_operator", "condition", "pool"
    )
    _, first = np.unique(np.asarray(index), return_index=True)
    agree = np.asarray(models["bad"].predict(X_stream[first])) == np.asarray(y_operator)[first]
    low = np.asarray(condition)[np.asarray(pool)][np.asarray(index)][first] == "low_bandwidth"
    return [float(agree[low].mean()), float(agree[~low].mean())]


def _check_shadow_by_condition(answer, namespace):
    return expect_numbers(
        answer,
        _shadow_by_condition(namespace),
        abs_tol=0.002,
        what="Your two agreements (fractions in [0, 1])",
    )


# -- Blue/green ----------------------------------------------------------------------------------
def _failing_previews(namespace):
    models, X, y, pool, condition, preview = need(
        namespace, "models", "X", "y", "pool", "condition", "preview"
    )
    pool, condition = np.asarray(pool), np.asarray(condition)
    tolerance = preview.get("preview_tolerance", 0.1)
    failed = []
    for name in np.unique(condition[pool]):
        clips = pool[condition[pool] == name]
        router = BlueGreenRouter(models["stable"], models["bad"], preview_tolerance=tolerance)
        if not router.fit().preview(X[clips], y[clips])["passed"]:
            failed.append(str(name))
    return failed


def _check_failing_previews(answer, namespace):
    return expect_set(
        answer, _failing_previews(namespace), what="The conditions whose preview fails"
    )


# -- The same router over HTTP -------------------------------------------------------------------
def _check_http_percentiles(answer, namespace):
    if "answers" not in namespace:
        raise AnswerError(
            "There are no HTTP answers in this run: run the notebook with serve_http=True "
            "and the section 'The same router over HTTP' first."
        )
    rtt = np.asarray(namespace["answers"]["round_trip_ms"], dtype=float)
    p50, p95 = (float(v) for v in np.percentile(rtt, [50, 95]))
    _pair(answer, "Your answer")
    for value, expected, name in [(answer[0], p50, "p50"), (answer[1], p95, "p95")]:
        expect_number(
            value, expected, abs_tol=max(0.01, 0.002 * expected), what=f"Your {name} in ms"
        )
    return f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"


ITEMS = (
    Exercise(
        id="05.1",
        title="first gate to catch the bad candidate",
        prompt=(
            "Read the bad candidate's canary table above (or `canary['bad'].history()`): find the "
            "first interval whose gates failed. Which gate or gates failed there, i.e. which gate "
            "caught the bad candidate first? Answer a list of gate names spelled as in the "
            '`failed_gates` column, for example `["error_rate"]`.'
        ),
        check=_check_first_gate,
        solution=(
            "h = canary['bad'].history()\n"
            "first = h[h['passed'].eq(False)].iloc[0]  # the first judged interval that failed\n"
            "answer = first['failed_gates'].split(',')"
        ),
        hints=(
            "The `passed` column is False on a failing interval; the first such row is not "
            "necessarily the rollback row (a rollback needs `n_consecutive` failures in a row).",
            "In that row, `failed_gates` lists the gates comma-separated; "
            "`agreement:<condition>` is the agreement gate on one recording condition.",
            "`answer = h.loc[canary['bad'].first_failure_interval_, 'failed_gates'].split(',')`",
        ),
        wrong=(
            lambda ref: ["agreement"] if set(ref) != {"agreement"} else ["psi"],
            lambda ref: [*ref, "psi"] if "psi" not in ref else [*ref, "p99_latency_ms"],
        ),
    ),
    Exercise(
        id="05.2",
        title="the bad candidate's blast radius",
        prompt=(
            "How many requests did the bad candidate answer before the canary rolled it back, and "
            "what share is that of all requests served up to the end of the rollback interval "
            "(not of the whole replayed stream, which goes on after the rollback)? "
            "Answer a list `[n_requests, share_percent]`: an int, and a float in % (0-100)."
        ),
        check=_check_exposure,
        solution=(
            "log = canary['bad'].requests_frame()  # one row per request; who answered: `version`\n"
            "n_bad = int((log['version'] == 'candidate').sum())  # weight 0 after the rollback\n"
            "served = canary['bad'].history().loc[canary['bad'].rollback_interval_, 'end_request']\n"
            "answer = [n_bad, 100 * n_bad / served]"
        ),
        hints=(
            "Every request the candidate answered is in its request log "
            "(`canary['bad'].requests_frame()`), or in the `n_candidate` column of its history.",
            "After the rollback the weight is 0, so the candidate answers nothing more. The "
            "requests served up to the rollback are the rollback row's `end_request`.",
            "`n = (log['version'] == 'candidate').sum()`; the share is `100 * n / end_request` of "
            "the row at `canary['bad'].rollback_interval_`.",
        ),
        wrong=(
            lambda ref: [ref[0], ref[1] / 100],
            lambda ref: [ref[1], ref[0]],
        ),
    ),
    Exercise(
        id="05.3",
        title="how large a drop agreement can prove",
        prompt=(
            "Switch the PSI gate off (`max_psi=10.0`) so that only the agreement gates can catch "
            "the bad candidate, keep everything else as in this run, and replay the rule with "
            "`dep.evaluate_gates` on its report-only history `dry['bad']` for `max_accuracy_drop` "
            "in 0.05, 0.10, ..., 0.50 (the experiment cell below starts it). What is the largest "
            "tolerated drop at which the bad candidate is still rolled back? Answer a float (0.0 "
            "if none rolls it back)."
        ),
        check=_check_caught_drop,
        solution=(
            "rule = dict(n_steps=len(schedule), n_consecutive=n_consecutive, max_psi=10.0)\n"
            "rule |= dict(stable_accuracy=stable_accuracy)\n"
            "caught = []\n"
            "for d in np.round(np.arange(0.05, 0.51, 0.05), 2):\n"
            "    actions = dep.evaluate_gates(dry['bad'], max_accuracy_drop=d, **rule)['action']\n"
            "    if 'rollback' in actions.tolist():\n"
            "        caught.append(float(d))\n"
            "answer = float(max(caught, default=0.0))"
        ),
        hints=(
            "The experiment cell replays the rule for three drops; extend its list to the whole "
            "grid, `np.round(np.arange(0.05, 0.51, 0.05), 2)`.",
            "A larger tolerated drop lowers the floor `2 a - 1 - max_accuracy_drop`, so once a "
            "drop no longer rolls the candidate back, no larger one does.",
            "Answer the last drop on the grid that prints True. It is well below the offline loss: "
            "the gate needs the agreement's upper bound below the floor, and two versions agree "
            "at least where both are right, which caps the drop agreement can prove.",
        ),
        wrong=(
            lambda ref: ref + 0.05,
            lambda ref: 0.5 if abs(ref - 0.5) > 0.01 else 0.45,
        ),
        predict=(
            "offline, the bad candidate lost a lot of accuracy on low_bandwidth (see the offline "
            "table). With the PSI gate off, will agreement alone catch it up to a tolerated drop "
            'close to that loss, or only up to a much smaller one? ("close" / "much smaller")'
        ),
    ),
    Exercise(
        id="05.4",
        title="shadow agreement by condition",
        prompt=(
            "How often does the bad candidate agree with the operators on low_bandwidth clips, "
            "and on all other clips? Count each clip of the stream once, at its first request "
            "(`np.unique(index, return_index=True)`), over the whole stream (not only until the "
            "test stopped), comparing `models['bad']` with `y_operator`. Answer a list "
            "`[agreement_low_bandwidth, agreement_other]` of fractions in [0, 1]."
        ),
        check=_check_shadow_by_condition,
        solution=(
            "_, first = np.unique(index, return_index=True)  # each clip's first request\n"
            "agree = models['bad'].predict(X_stream[first]) == y_operator[first]\n"
            "low = condition[pool][index][first] == 'low_bandwidth'\n"
            "answer = [agree[low].mean(), agree[~low].mean()]"
        ),
        hints=(
            "Request i replays clip `index[i]` of the pool: its features are `X_stream[i]`, the "
            "operators' decision `y_operator[i]`, its condition `condition[pool][index][i]`.",
            "`_, first = np.unique(index, return_index=True)` gives each clip's first request; "
            "predict those with `models['bad']` and compare with `y_operator[first]`.",
            "Split the boolean `agree` array with `low = condition[pool][index][first] == "
            "'low_bandwidth'`: `[agree[low].mean(), agree[~low].mean()]`.",
        ),
        wrong=(
            lambda ref: [ref[1], ref[0]],
            lambda ref: [100 * v for v in ref],
        ),
    ),
    ConceptQuestion(
        id="05.c1",
        title="degrees of automation",
        prompt=(
            "The degrees of automation run from human only, through shadow mode, AI assistance "
            "and partial automation, to full automation. Section 5 ran the candidate in shadow "
            "mode beside the operators. What would moving to partial automation change?"
        ),
        options={
            "a": "The model's answer is shown to the operator as a suggestion; the operator still "
            "decides every clip.",
            "b": "The model decides the clips it is confident about; the uncertain ones still go "
            "to an operator.",
            "c": "A growing share of clients, chosen by request id, gets the model's answer "
            "instead of the operators', as in a canary.",
            "d": "Nothing users see: the model's output is still only logged, but now it is "
            "compared with the operators per recording condition.",
        },
        key_digest="0a4437e494c870c0",
        hints=(
            "Partial automation keeps a human in the loop, but not for every case.",
            "Which option lets the model act on some requests and routes the rest by how sure "
            "the model is, not by who the client is?",
        ),
        explanation=(
            "(b). Partial automation lets the model act where it is confident and keeps a human "
            "in the loop for the rest. (a) is AI assistance (the human decides everything), (d) "
            "is still shadow mode, and (c) is a canary: it splits traffic by client, not by the "
            "model's confidence, and nobody reviews the model's answers."
        ),
    ),
    Exercise(
        id="05.5",
        title="a preview per condition",
        prompt=(
            "The clean-only preview let the bad green through. For each recording condition, "
            "preview the bad green against blue on the pool clips of that condition only (a "
            "fresh `dep.BlueGreenRouter(models['stable'], models['bad'], "
            "preview_tolerance=preview['preview_tolerance'])`, `.fit()`, then "
            "`.preview(X[clips], y[clips])`). Which conditions' previews fail? Answer a list of "
            'condition names, for example `["clean"]` (`[]` if none fails).'
        ),
        check=_check_failing_previews,
        solution=(
            "failed = []\n"
            "for name in np.unique(condition[pool]):\n"
            "    clips = pool[condition[pool] == name]\n"
            "    router = dep.BlueGreenRouter(\n"
            "        models['stable'], models['bad'], preview_tolerance=preview['preview_tolerance']\n"
            "    ).fit()\n"
            "    if not router.preview(X[clips], y[clips])['passed']:\n"
            "        failed.append(str(name))\n"
            "answer = failed"
        ),
        hints=(
            "`pool[condition[pool] == name]` are the pool clips of one condition; loop over "
            "`np.unique(condition[pool])`.",
            "A fresh router per condition: `dep.BlueGreenRouter(models['stable'], models['bad'], "
            "preview_tolerance=preview['preview_tolerance']).fit()`; `.preview(X_c, y_c)` returns "
            "a dict with `passed`.",
            "Collect the names whose preview dict says `passed` is False. Compare with the "
            "offline table: the preview fails where green is more than the tolerance below blue.",
        ),
        wrong=(
            lambda ref: ["clean"] if set(ref) != {"clean"} else ["low_bandwidth"],
            lambda ref: list(CONDITIONS) if set(ref) != set(CONDITIONS) else [],
        ),
    ),
    ConceptQuestion(
        id="05.c2",
        title="what a rollback needs",
        prompt=(
            "Blue/green rolled the bad green back in microseconds, yet it had answered hundreds "
            "of requests by then. What does a fast, safe rollback need?"
        ),
        options={
            "a": "Only an atomic pointer swap: once switching is instant, users never see the bad "
            "version.",
            "b": "Labels for the new version's traffic: without ground truth no rollback can be "
            "triggered.",
            "c": "The old version kept warm (not yet retired) and monitoring that detects the "
            "breach: the exposure is set by detection time, not by the swap.",
            "d": "A canary schedule: after a blue/green switch all traffic is on green, so there "
            "is nothing left to roll back to.",
        },
        key_digest="60b4c73a0d627bd9",
        hints=(
            "Look at what the bad green's exposure in requests depends on, and what happened "
            "to the good green's blue after the keep-warm delay.",
            "The routers here caught the bad versions without labels (agreement, PSI).",
        ),
        explanation=(
            "(c). A rollback needs something to roll back to (blue kept warm; once retired, a "
            "breach needs a redeploy) and a signal that triggers it; the requests the bad version "
            "answers are set by detection time, the swap itself takes microseconds (a). The "
            "gates here need no labels, only the stable version's known accuracy (b), and "
            "blue/green keeps blue ready precisely so it can roll back (d)."
        ),
    ),
    ConceptQuestion(
        id="05.c3",
        title="canary, blue/green or shadow",
        prompt="When does each deployment pattern fit best?",
        options={
            "a": "Shadow mode when people (or a system) decide today and the new model is to be "
            "evaluated without exposing anyone (it answers no one); canary to roll a new version "
            "out gradually while monitoring it, a small growing share at a time (usually replacing "
            "a system that serves today, the version its gates compare it with); blue/green when "
            "all traffic must move at once, the old version kept warm for an instant switch back.",
            "b": "Blue/green for every release, since its rollback takes microseconds; canary only "
            "when there is no second environment; shadow mode only for models that failed a "
            "canary.",
            "c": "Canary to test a model before it gets any traffic; shadow mode to roll it out to "
            "a growing share; blue/green to A/B test two models on two halves of the traffic.",
            "d": "Shadow mode for every release, then straight to 100 %: shadowing measures all "
            "that a canary would, and blue/green only adds a second copy to pay for.",
        },
        key_digest="553b03e3bfae9d4c",
        hints=(
            "Compare how many requests the bad version answered under the canary (05.2) and "
            "under blue/green.",
            "Shadow mode never returns the candidate's answer, and in section 5 it judged only "
            "overall agreement.",
        ),
        explanation=(
            "(a). Shadow mode measures a model with no user exposed (ideal beside human "
            "operators), a canary limits how many users a bad version reaches while it is "
            "monitored (with nothing serving today, no version is there to compare it with: only "
            "its health gates and labels judge it), blue/green moves everyone at once and relies "
            "on a warm old version. (b) confuses a fast swap with a "
            "small exposure; (c) swaps the definitions; (d) ignores what only live traffic shows "
            "(load, latency, per-condition effects the overall shadow test can miss)."
        ),
    ),
    Exercise(
        id="05.6",
        title="HTTP latency percentiles",
        prompt=(
            "From the HTTP answers (`answers`, one row per request), compute the median (p50) and "
            "the 95th percentile (p95) of the client-side round trip, column `round_trip_ms`, "
            "with `np.percentile` (its default linear interpolation). Answer a list "
            "`[p50_ms, p95_ms]` of two floats in milliseconds."
        ),
        check=_check_http_percentiles,
        solution="answer = list(np.percentile(answers['round_trip_ms'], [50, 95]))",
        hints=(
            "`answers['round_trip_ms']` holds one round trip per request, already in ms.",
            "`np.percentile(values, [50, 95])` returns both at once. With only a few dozen "
            "requests a p99 is nearly the maximum: that is why the canary judges p99 over whole "
            "intervals.",
        ),
        wrong=(
            lambda ref: [ref[1], ref[0]],
            lambda ref: [v / 1000 for v in ref],
        ),
    ),
)


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises and concept questions of the deployment notebook.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); the checks read this run's routers,
        stream and parameters from it when an answer is checked.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: print verdicts, never raise. ``solution``: run each reference solution
        and planted wrong answer and raise if a check misjudges one (the ``solutions`` profile).

    Returns
    -------
    ExerciseSet
        Six exercises (``05.1`` .. ``05.6``) and three concept questions (``05.c1`` ..
        ``05.c3``).

    Raises
    ------
    ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids[:5]
    ['05.1', '05.2', '05.3', '05.4', '05.c1']
    """
    return ExerciseSet("05", ITEMS, namespace, mode=mode)
