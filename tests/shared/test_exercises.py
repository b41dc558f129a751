"""The exercise machinery: verdicts, hints, solutions, digests, solution mode and progress."""

import math

import pytest

from mlkit.errors import ExerciseError, ParameterError
from mlkit.exercises import (
    AnswerError,
    ConceptQuestion,
    Exercise,
    ExerciseSet,
    answer_digest,
    expect_choice,
    expect_number,
    expect_numbers,
    expect_set,
)


def _gain(answer, ns):
    return expect_number(answer, ns["table"]["car_noise"] * 100, abs_tol=0.5, what="The gain")


TASK = Exercise(
    id="99.1",
    title="potential gain",
    prompt="Give the car_noise gain in percentage points.",
    check=_gain,
    solution="answer = table['car_noise'] * 100",
    hints=("Look at the table.", "Multiply by 100."),
    wrong=(lambda ref: ref + 5, 0.0),
)
PREDICT = Exercise(
    id="99.2",
    title="predict the gain",
    prompt="Measure it.",
    check=_gain,
    solution="answer = table['car_noise'] * 100",
    hints=("Run it.",),
    wrong=(lambda ref: -ref,),
    predict="Will the gain be above 5 points?",
)
QUESTION = ConceptQuestion(
    id="99.c1",
    title="Bayes error",
    prompt="HLP is ...",
    options={
        "a": "an upper bound of accuracy",
        "b": "a proxy for Bayes error",
        "c": "always 100 %",
    },
    key_digest=answer_digest("99.c1", "b"),
    hints=("Think of unstructured data.",),
    explanation="(b): HLP approximates the Bayes error on unstructured data.",
)


@pytest.fixture
def ns():
    return {"table": {"car_noise": 0.12}}


def make(ns, mode="learner", items=(TASK, PREDICT, QUESTION)):
    return ExerciseSet("99", items, ns, mode=mode)


def test_verdicts_follow_the_answer(ns, capsys):
    ex = make(ns)
    ex.check("99.1", ...)
    assert "not attempted" in capsys.readouterr().out
    ex.check("99.1", 3.0)
    out = capsys.readouterr().out
    assert "incorrect" in out and "too low" in out and "(1/2) Look at the table." in out
    assert ex.status()["99.1"] == "incorrect"
    ex.check("99.1", 12.2)
    assert "correct, matches 12" in capsys.readouterr().out
    assert ex.status()["99.1"] == "passed"


@pytest.mark.parametrize("bad", ["12", [12.0], math.nan, math.inf, None, object(), {"a": 1}])
def test_bad_input_gets_a_calm_verdict(ns, capsys, bad):
    ex = make(ns)
    ex.check("99.1", bad)  # never raises
    out = capsys.readouterr().out
    assert "Traceback" not in out
    if bad is None:
        assert "not attempted" in out
    else:
        assert "incorrect" in out and "Hint" in out


def test_a_checker_that_breaks_is_reported_not_raised(ns, capsys):
    broken = Exercise(
        "99.1",
        "t",
        "p",
        check=lambda a, n: n["missing"],
        solution="answer = 1",
        hints=("h",),
        wrong=(2,),
    )
    make(ns, items=(broken,)).check("99.1", 1)
    assert "Could not check this answer (KeyError" in capsys.readouterr().out


def test_a_notebook_not_run_yet_is_not_judged(ns, capsys):
    from mlkit.exercises import NotReadyError

    def needs_table(answer, namespace):
        if "table" not in namespace:
            raise NotReadyError("The notebook variable `table` is not defined yet.")
        return "fine"

    item = Exercise(
        "99.1", "t", "p", check=needs_table, solution="answer = 1", hints=("h",), wrong=(2,)
    )
    ex = make({}, items=(item,))
    ex.check("99.1", 1)
    out = capsys.readouterr().out
    assert "not checked yet" in out and "Hint" not in out
    assert ex.status()["99.1"] == "not_attempted"
    with pytest.raises(ExerciseError, match="not ready"):
        make({}, mode="solution", items=(item,)).check("99.1")


def test_hints_are_graded_then_point_to_the_solution(ns, capsys):
    ex = make(ns)
    ex.hint("99.1"), ex.hint("99.1")
    out = capsys.readouterr().out
    assert "(1/2)" in out and "(2/2)" in out
    ex.solution("99.1")
    assert "answer = table['car_noise'] * 100" in capsys.readouterr().out


def test_predict_then_check_needs_the_prediction_first(ns, capsys):
    ex = make(ns)
    ex.check("99.2", 12.0)
    assert "first put your prediction on record" in capsys.readouterr().out
    assert ex.status()["99.2"] == "not_attempted"
    ex.predict("99.2", ...)
    assert "not predicted yet" in capsys.readouterr().out
    ex.predict("99.2", "yes, above 5")
    ex.check("99.2", 12.0)
    out = capsys.readouterr().out
    assert "correct" in out and "You predicted 'yes, above 5'" in out


def test_concept_question_key_is_a_digest(ns, capsys):
    assert QUESTION.key_digest != "b" and len(QUESTION.key_digest) == 16
    ex = make(ns)
    ex.check("99.c1", "a")
    assert "incorrect" in capsys.readouterr().out
    ex.check("99.c1", 2)
    assert "Answer with one letter of a, b, c" in capsys.readouterr().out
    ex.check("99.c1", " B")
    assert "correct" in capsys.readouterr().out
    assert QUESTION.key() == "b"


def test_a_digest_matching_no_option_is_refused():
    broken = ConceptQuestion(
        "99.c2", "t", "p", {"a": "x", "b": "y"}, answer_digest("99.c2", "z"), ("h",), "e"
    )
    with pytest.raises(ExerciseError, match="0 options match"):
        broken.key()


def test_solution_mode_passes_references_and_rejects_planted_wrong_answers(ns, capsys):
    ex = make(ns, mode="solution")
    for i in ex.ids:
        ex.predict(i, ...)
        ex.check(i, ...)
    assert set(ex.status().values()) == {"passed"}
    assert "2 wrong answer(s) rejected" in capsys.readouterr().out


def test_solution_mode_fails_a_reference_that_does_not_pass(ns):
    off = Exercise("99.1", "t", "p", check=_gain, solution="answer = 1.0", hints=("h",), wrong=(2,))
    with pytest.raises(ExerciseError, match="99.1 .*fails its own check"):
        make(ns, mode="solution", items=(off,)).check("99.1")


def test_solution_mode_fails_a_check_that_passes_anything(ns):
    lax = Exercise(
        "99.1", "t", "p", check=lambda a, n: "fine", solution="answer = 1", hints=("h",), wrong=(2,)
    )
    with pytest.raises(ExerciseError, match="wrong answer 2 passes"):
        make(ns, mode="solution", items=(lax,)).check("99.1")


def test_solution_mode_runs_on_a_copy_of_the_namespace(ns):
    make(ns, mode="solution").check("99.1")
    assert "answer" not in ns


def test_progress_metrics_count_every_item(ns):
    ex = make(ns)
    ex.check("99.1", 12.0)
    ex.check("99.c1", "a")
    m = ex.progress_metrics()
    assert m["exercises_total"] == 3 and m["exercises_passed"] == 1
    assert m["exercises_not_attempted"] == 1 and m["concept_questions_total"] == 1
    assert m["exercise_status"] == {"99.1": "passed", "99.2": "not_attempted", "99.c1": "incorrect"}


def test_bad_mode_and_ids_are_refused(ns):
    with pytest.raises(ParameterError, match="'exercise_mode' parameter must be one of"):
        make(ns, mode="teacher")
    with pytest.raises(ValueError, match="must be unique"):
        ExerciseSet("98", (TASK,), ns)
    with pytest.raises(KeyError, match="No exercise '99.7'"):
        make(ns).check("99.7", 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: expect_number(1.5, 1.0, abs_tol=0.1), "too high"),
        (lambda: expect_numbers([1.0], [1.0, 2.0], abs_tol=0.1), "should hold 2 numbers"),
        (lambda: expect_choice("x", "a", choices=["a", "b"]), "not one of"),
        (lambda: expect_choice("b", "a", choices=["a", "b"]), "is not the one"),
        (lambda: expect_set(["a"], {"a", "b"}), "misses 1 item"),
        (lambda: expect_set("a", {"a"}), "should be a list"),
    ],
)
def test_expect_helpers_refuse_wrong_answers(call, match):
    with pytest.raises(AnswerError, match=match):
        call()
