"""Exercises and concept questions of ``notebooks/03b_tracking.ipynb``, in notebook order.

Section 4 (one seed): which arm wins this seed (03b.1), data- vs model-centric (03b.c1) and the
prediction of 03b.2; section 5 (seeds): the win on the other seeds (03b.2), whether the win is
beyond doubt (03b.3), why one seed is not enough (03b.c2); section 6 (the store): the best run
found by a query on the runs table (03b.4), what to record to reproduce a run (03b.c3).

Every check reads this run's numbers from the notebook's namespace (``comparison``,
``per_seed``, ``intervals``, ``table``, ``random_state``). Some planted wrong answers are
mistakes made on those numbers (the dev gains instead of the seen ones, the other arm's run), so
the items are built for one namespace by :func:`exercises`.
"""

from __future__ import annotations

from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    expect_choice,
    expect_number,
)

__all__ = ["exercises"]

#: Accepted error in accuracy points: the notebook shows fractions to 3 decimals (0.1 pt each),
#: while one clip of the seen split is about 2 points at the ci sizes.
PTS_TOL = 0.12
_TIE = 1e-9  # gains are differences of clip counts over a split size: 0 is exactly 0
WINNERS = ("data-centric", "model-centric", "tie")
VERDICTS = ("data-centric", "model-centric", "not established")
_OPPOSITE = {"data-centric": "model-centric", "model-centric": "data-centric"}


# -- shared pieces ----------------------------------------------------------------------------
def _parts(answer, n: int, form: str) -> tuple:
    """Return `answer` as a tuple of `n` parts, or raise AnswerError naming the expected form."""
    if isinstance(answer, str | bytes) or not isinstance(answer, tuple | list):
        raise AnswerError(f"Answer a tuple {form}; got {type(answer).__name__} {answer!r}.")
    if len(answer) != n:
        raise AnswerError(f"Answer a tuple of {n} parts {form}; got {len(answer)} part(s).")
    return tuple(answer)


def _winner(difference: float) -> str:
    """Name the arm a gain difference (data minus model, any unit) favours, or "tie"."""
    if difference > _TIE:
        return "data-centric"
    return "model-centric" if difference < -_TIE else "tie"


def _verdict(low: float, high: float) -> str:
    """Say which arm an interval of the gain difference establishes, if any."""
    if low > 0:
        return "data-centric"
    return "model-centric" if high < 0 else "not established"


def _unless_right(candidate: tuple, ref: tuple, choices) -> tuple:
    """Return a planted mistake; where this run's numbers make it right, flip its decision.

    A mistake can land on the right numbers on some seed (the dev gains equal the seen ones);
    the planted answer must still be wrong, so its last part (the decision) is changed then.
    """
    same = all(
        abs(float(a) - float(b)) <= PTS_TOL for a, b in zip(candidate[:-1], ref[:-1], strict=True)
    )
    if same and candidate[-1] == ref[-1]:
        other = next(c for c in choices if c != ref[-1])
        return (*candidate[:-1], other)
    return candidate


# -- 03b.1: which arm wins this seed ------------------------------------------------------------
def _one_seed(comparison, column: str = "gain") -> tuple[float, str]:
    diff = float(comparison.loc["data-centric", column] - comparison.loc["model-centric", column])
    return 100 * diff, _winner(diff)


def _check_one_seed(answer, ns) -> str:
    diff, winner = _one_seed(ns["comparison"])
    form = '(difference in points, "data-centric" | "model-centric" | "tie")'
    got_diff, got_winner = _parts(answer, 2, form)
    expect_number(got_diff, diff, abs_tol=PTS_TOL, what="The gain difference in points")
    expect_choice(got_winner, winner, choices=WINNERS, what="The winner")
    return f"data-centric minus model-centric is {diff:+.2f} pts on seen: {winner}"


# -- 03b.2: the win on the other seeds ----------------------------------------------------------
def _sign(x: float) -> int:
    return (x > _TIE) - (x < -_TIE)


def _wins_again(per_seed, random_state) -> int:
    signs = per_seed["gain_difference"].map(_sign)
    return int((signs.drop(index=random_state) == signs.loc[random_state]).sum())


def _check_wins_again(answer, ns) -> str:
    per_seed = ns["per_seed"]
    count = _wins_again(per_seed, ns["random_state"])
    expect_number(answer, count, abs_tol=0.01, what="The number of other seeds")
    return f"{count} of the {len(per_seed) - 1} other seeds give the same winner as yours"


# -- 03b.3: is the win beyond doubt -------------------------------------------------------------
def _interval(intervals, quantity: str = "gain_difference") -> tuple[float, float, str]:
    r = intervals.loc[quantity]
    low, high = 100 * float(r["ci_low"]), 100 * float(r["ci_high"])
    return low, high, _verdict(low, high)


def _check_beyond_doubt(answer, ns) -> str:
    low, high, verdict = _interval(ns["intervals"])
    form = '(low, high, "data-centric" | "model-centric" | "not established")'
    got_low, got_high, got_verdict = _parts(answer, 3, form)
    expect_number(got_low, low, abs_tol=PTS_TOL, what="The lower bound in points")
    expect_number(got_high, high, abs_tol=PTS_TOL, what="The upper bound in points")
    expect_choice(got_verdict, verdict, choices=VERDICTS, what="The verdict")
    return f"the 95 % interval of the mean difference is {low:+.1f} to {high:+.1f} pts: {verdict}"


# -- 03b.4: find the best run in the store ------------------------------------------------------
def _best_run(table, arm: str):
    part = table[table["tags.arm"] == arm]
    return part.sort_values("metrics.dev_accuracy", ascending=False, kind="stable").iloc[0]


def _check_best_run(answer, ns) -> str:
    table = ns["table"]
    if not isinstance(answer, str):
        raise AnswerError(f"Answer the run's id, a str from the `run_id` column; got {answer!r}.")
    key = answer.strip()
    if key not in set(table["run_id"]):
        if key in set(table["run_name"]):
            raise AnswerError("That is a run name; answer its `run_id`, the id load_run takes.")
        raise AnswerError(f"{key!r} is not the `run_id` of a run in `table`.")
    row = table[table["run_id"] == key].iloc[0]
    if row["tags.arm"] != "data-centric":
        raise AnswerError(
            f"That run belongs to the {row['tags.arm']!r} arm, not the data-centric one."
        )
    best = _best_run(table, "data-centric")
    if row["metrics.dev_accuracy"] < best["metrics.dev_accuracy"] - _TIE:
        raise AnswerError("Another data-centric run has a higher dev accuracy.")
    return f"{row['run_name']!r} has the data-centric arm's best dev accuracy"


def _items(ns) -> list:
    """Build the notebook's items; planted mistakes read this namespace when they are judged."""

    def dev_pick(ref):  # the winner's curse: the dev gains that picked the runs
        return _unless_right(_one_seed(ns["comparison"], "dev_gain"), ref, WINNERS)

    def naive_count(ref):  # "the winner always wins again", or where it did, "never"
        n_other = len(ns["per_seed"]) - 1
        return n_other if ref != n_other else 0

    def own_interval(
        ref,
    ):  # the data-centric arm's own gain row, not the paired difference
        return _unless_right(_interval(ns["intervals"], "data_centric_gain"), ref, VERDICTS)

    def one_seed_belief(ref):  # the winner of the tracked seed, taken as settled
        winner = _one_seed(ns["comparison"])[1]
        return _unless_right((*ref[:2], _OPPOSITE.get(winner, "not established")), ref, VERDICTS)

    return [
        Exercise(
            id="03b.1",
            title="Which arm wins this seed",
            prompt=(
                "From `comparison`, take each arm's `gain`: the gain over the baseline of its "
                "best run (picked on dev), measured on the seen split, an accuracy fraction. "
                "Compute the data-centric gain minus the model-centric gain in percentage "
                "points and say which arm wins. Answer a pair `(difference, winner)`: "
                "difference a float in points (positive if the data-centric arm gained more), "
                'winner one of "data-centric", "model-centric", "tie".'
            ),
            check=_check_one_seed,
            solution=(
                'dc = comparison.loc["data-centric", "gain"]\n'
                'mc = comparison.loc["model-centric", "gain"]\n'
                "difference = 100 * (dc - mc)  # accuracy points on the seen split\n"
                'winner = "data-centric" if difference > 0 else "model-centric"\n'
                "if abs(difference) < 1e-7:\n"
                '    winner = "tie"\n'
                "answer = (difference, winner)\n"
            ),
            hints=(
                "Use the `gain` column (seen split); `dev_gain` is the gain on the rows that "
                "picked the run, flattered by the pick.",
                "Gains are fractions: multiply the difference by 100 for points. Equal gains are "
                'a "tie".',
                'difference = 100 * (comparison.loc["data-centric", "gain"] - '
                'comparison.loc["model-centric", "gain"]); the winner is the arm with the '
                "larger gain.",
            ),
            wrong=(
                lambda ref: (ref[0], _OPPOSITE.get(ref[1], "data-centric")),
                dev_pick,
                lambda ref: _unless_right((ref[0] / 100, ref[1]), ref, WINNERS),
            ),
        ),
        ConceptQuestion(
            id="03b.c1",
            title="Data-centric or model-centric",
            prompt=(
                "The baseline misses many clips of its weakest tag. Which plan is "
                "data-centric, in the sense of this notebook and of Andrew Ng's course?"
            ),
            options={
                "a": "Keep the training data fixed and run a wider search over model families "
                "and hyper-parameters until the weakest tag's dev accuracy rises.",
                "b": "Collect as many new clips as possible, of every condition and labelled by "
                "whoever is available: data-centric means more data.",
                "c": "Keep the model fixed and improve the data: label new clips of the weakest "
                "tag and relabel the training clips by one labeling convention.",
                "d": "Replace the hand-made features with a learned embedding, so that the "
                "model sees the same clips in a better representation.",
            },
            key_digest="27d1ebca6458f5f8",
            hints=(
                "Which of the plans holds the code (the model) fixed?",
                "Data-centric work is targeted (error analysis names the tag) and cares about "
                "label quality, not only quantity.",
            ),
            explanation=(
                "(c). Data-centric AI keeps the model fixed and improves the data where error "
                "analysis points (the weakest tag) with consistent labels: the data-centric arm "
                "of section 3. (a) and (d) change the model or its features with the data "
                "fixed, which is the model-centric arm; (b) adds clips without targeting them "
                "or caring how consistently they are labelled, and more noisy data is not what "
                "data-centric work means."
            ),
        ),
        Exercise(
            id="03b.2",
            title="The win on other seeds",
            prompt=(
                "Section 5 repeats the whole comparison on seeds random_state ... random_state "
                "+ n_seeds - 1 (`per_seed`, one row per seed; the row of seed `random_state` "
                "is the comparison of section 4). Count the OTHER seeds on which the same arm "
                "wins as on seed `random_state`: `gain_difference` (data minus model) > 0 means "
                "data-centric wins, < 0 model-centric, exactly 0 a tie (if your seed was a tie, "
                "count the other ties). Answer an int."
            ),
            predict=(
                "before running section 5: on how many of the other n_seeds - 1 seeds will the "
                "arm that won here win again? (an int)"
            ),
            check=_check_wins_again,
            solution=(
                'diff = per_seed["gain_difference"]  # data minus model, per seed\n'
                "sign = (diff > 1e-9).astype(int) - (diff < -1e-9).astype(int)\n"
                "mine = sign.loc[random_state]  # +1 data-centric won, -1 model-centric, 0 tie\n"
                "answer = int((sign.drop(index=random_state) == mine).sum())\n"
            ),
            hints=(
                "Each row of `per_seed` is one seed; the sign of `gain_difference` names the "
                "winner of that seed.",
                "Take the sign on seed `random_state`, then count the other rows with the same "
                "sign; leave your own seed out of the count.",
                'sign = per_seed["gain_difference"].apply(lambda d: (d > 1e-9) - (d < -1e-9)); '
                "answer = int((sign.drop(index=random_state) == sign.loc[random_state]).sum())",
            ),
            wrong=(lambda ref: ref + 1, naive_count),
        ),
        Exercise(
            id="03b.3",
            title="Is the win beyond doubt",
            prompt=(
                "Read the 95 % interval of the mean gain difference (data minus model, paired "
                "seed by seed) from `intervals`, row `gain_difference`, and decide. Answer "
                "`(low, high, verdict)`: the bounds as floats in percentage points, and verdict "
                '"data-centric" if the whole interval is above 0, "model-centric" if it is '
                'all below 0, "not established" if it contains 0.'
            ),
            check=_check_beyond_doubt,
            solution=(
                'r = intervals.loc["gain_difference"]\n'
                'low, high = 100 * r["ci_low"], 100 * r["ci_high"]  # accuracy points\n'
                'verdict = "not established"\n'
                "if low > 0:\n"
                '    verdict = "data-centric"\n'
                "elif high < 0:\n"
                '    verdict = "model-centric"\n'
                "answer = (low, high, verdict)\n"
            ),
            hints=(
                "The question compares the arms, so read the row that pairs them seed by seed, "
                "not one arm's own gain.",
                "A win is beyond doubt only if the whole interval lies on one side of 0; "
                "multiply `ci_low` and `ci_high` by 100 for points.",
                'r = intervals.loc["gain_difference"]; low, high = 100 * r["ci_low"], '
                '100 * r["ci_high"]; "data-centric" if low > 0, "model-centric" if high < 0, '
                'else "not established".',
            ),
            wrong=(
                own_interval,
                one_seed_belief,
                lambda ref: _unless_right((ref[0] / 100, ref[1] / 100, ref[2]), ref, VERDICTS),
            ),
        ),
        ConceptQuestion(
            id="03b.c2",
            title="Why one seed is not enough",
            prompt=(
                "On the tracked seed one arm beat the other by a clip or two of the seen "
                "split. What does repeating the whole comparison over seeds add?"
            ),
            options={
                "a": "It shows whether the gain is larger than what a new speaker split, new "
                "labelers, a new pool and new search draws change by themselves: one clip of a "
                "few dozen is about 2 points, so a one-seed gain can be noise.",
                "b": "Nothing once the run is reproducible: the same seed gives the same gain "
                "again, so a tracked seed already settles which arm is better.",
                "c": "It removes the winner's curse: the optimism of the gains picked on dev "
                "averages out over the seeds.",
                "d": "More training data: the seeds' runs are pooled, so the comparison rests on "
                "more labelled clips than one seed has.",
            },
            key_digest="82756a50a74ac246",
            hints=(
                "What changes from one seed to the next, and how big is one clip of the seen "
                "split in points?",
                "Getting the same number twice from the same seed says the run is repeatable, "
                "not that the number holds for other splits.",
            ),
            explanation=(
                "(a). A seed fixes one speaker split, one team of simulated labelers, one pool "
                "and one set of search draws; other seeds draw them anew and the gain moves by "
                "clips, so only an interval over seeds says whether it holds. (b) confuses "
                "reproducibility with generality; (c) the winner's curse is handled by picking "
                "on dev and reporting on seen, and averaging dev-picked gains keeps their bias; "
                "(d) the seeds are separate repeats, not pooled training data."
            ),
        ),
        Exercise(
            id="03b.4",
            title="Find the best run in the store",
            prompt=(
                "`table` holds this execution's runs as the MLflow store returned them "
                "(`tags.*`, `params.*`, `metrics.*` columns). Query it for the data-centric "
                "arm's best run on dev accuracy and answer its `run_id` (a str), the id you "
                "would pass to `tracking.load_run` to pull that run back. If runs tie on dev, "
                "any of them counts."
            ),
            check=_check_best_run,
            solution=(
                'dc_runs = table[table["tags.arm"] == "data-centric"]\n'
                'best = dc_runs.sort_values("metrics.dev_accuracy", ascending=False).iloc[0]\n'
                'answer = best["run_id"]\n'
            ),
            hints=(
                "Filter the rows on the arm first, then rank them on the split that picks runs.",
                'Keep the rows whose `tags.arm` is "data-centric" and take the one with the '
                "highest `metrics.dev_accuracy` (dev picks, seen reports).",
                'dc = table[table["tags.arm"] == "data-centric"]; answer = '
                'dc.sort_values("metrics.dev_accuracy", ascending=False)["run_id"].iloc[0]',
            ),
            wrong=(
                lambda ref: _best_run(ns["table"], "model-centric")["run_id"],
                lambda ref: _best_run(ns["table"], "start")["run_id"],
                lambda ref: ns["table"].set_index("run_id").loc[ref, "run_name"],
            ),
        ),
        ConceptQuestion(
            id="03b.c3",
            title="What to record to reproduce a run",
            prompt=(
                "Six months from now you must retrain the best run and get the same metrics. "
                "Which record lets you do it?"
            ),
            options={
                "a": "The final metrics and the saved model file: the model holds everything "
                "the training learned, so nothing else needs to be kept.",
                "b": "The hyper-parameters and the random seed: the code and the data are in "
                "the repository anyway, so rerunning with the same settings gives the same run.",
                "c": "The git commit: the code decides everything else, including which data it "
                "loads and how it labels and splits them.",
                "d": "The code version, the data version (dataset and training-set hashes, the "
                "recipe), the hyper-parameters with the seed, and the library versions.",
            },
            key_digest="4e1d20af8c15f67e",
            hints=(
                "Which of these could change between now and then without the others noticing?",
                "Code, data, settings and libraries each change on their own; a record that "
                "misses one cannot rebuild the run.",
            ),
            explanation=(
                "(d). A model file (a) can be reloaded but not rebuilt or checked; settings and "
                "seed (b) rebuild nothing if the data or the code changed since; a commit (c) "
                "pins neither the data files nor the labels (they get relabelled) nor the "
                "library versions. This notebook logs the commit, dirty flag and notebook "
                "sha256, the dataset sha256 and lineage, the recipe with `train_sha256`, the "
                "hyper-parameters and seed, and mlkit's version; pinning the other libraries "
                "(a lock file) completes the environment."
            ),
        ),
    ]


def exercises(namespace, *, mode: str = "learner") -> ExerciseSet:
    """Return the exercises of ``notebooks/03b_tracking.ipynb``, bound to its namespace.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals (pass ``globals()``); the checks read ``comparison``,
        ``per_seed``, ``intervals``, ``table`` and ``random_state`` from it when they run.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: verdicts only. ``solution``: each check runs the reference solution and
        the planted wrong answers (see :class:`mlkit.exercises.ExerciseSet`).

    Returns
    -------
    mlkit.exercises.ExerciseSet
        Four exercises (03b.1-03b.4, 03b.2 a "predict, then check") and three concept
        questions (03b.c1-03b.c3), in notebook order.

    Raises
    ------
    mlkit.errors.ParameterError
        If `mode` is not ``"learner"`` or ``"solution"``.

    Examples
    --------
    >>> ex = exercises({})
    >>> ex.ids
    ['03b.1', '03b.c1', '03b.2', '03b.3', '03b.c2', '03b.4', '03b.c3']
    >>> ex.check("03b.1")
    03b.1: not attempted. Replace `...` with your answer and run the cell again.
    """
    return ExerciseSet("03b", _items(namespace), namespace, mode=mode)
