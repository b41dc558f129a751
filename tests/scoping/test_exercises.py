"""The exercises of notebook 01 on a small hand-made namespace whose right answers are known.

The namespace has the names the notebook defines (``by_tag``, ``hlp``, ``curve``, ``fit``,
``noisy_curve``, ``confusion``, ``value`` and the cost parameters), built with the same mlkit
calls on small data: 100 clips in three tags, a noiseless power-law curve, a 10 x 10 confusion
matrix with two false confirms.
"""

import math

import numpy as np
import pandas as pd
import pytest

from mlkit import scoping
from mlkit.exercises import ExerciseSet
from mlkit.scoping._exercises import ITEMS
from tests.scoping._data import N, power_law_curve

EXERCISES = [i.id for i in ITEMS if i.kind == "exercise"]
QUESTIONS = [i.id for i in ITEMS if i.kind == "concept"]
BY_ID = {i.id: i for i in ITEMS}


def _namespace():
    # 100 clips: clean 60 (54 right), people_noise 20 (10 right), car_noise 20 (20 right)
    tags = np.array(["clean"] * 60 + ["people_noise"] * 20 + ["car_noise"] * 20)
    y = np.arange(100) % 10
    y_pred = y.copy()
    wrong = np.r_[np.arange(6), 60 + np.arange(10)]
    y_pred[wrong] = (y[wrong] + 1) % 10
    hlp = pd.DataFrame(
        {"hlp_accuracy": [0.99, 0.60, 0.95, 0.90]},
        index=["clean", "people_noise", "car_noise", "overall"],
    )
    err = power_law_curve(2.0, 0.5, 0.05)  # noiseless: error 0.1 at n0 = 1600
    curve = pd.DataFrame({"n_samples": N, "dev_accuracy": 1 - err, "dev_error": err})
    noisy = pd.DataFrame({"n_samples": N + 10, "dev_accuracy": np.linspace(0.4, 0.55, N.size)})
    # 9 right per digit; 0 heard as 1 twice (false confirms), 1 heard as 0 three times, 2 as 3 once
    confusion = 9 * np.eye(10, dtype=np.int64)
    confusion[0, 1], confusion[1, 0], confusion[2, 3] = 2, 3, 1
    costs = scoping.cost_matrix(range(10), error_cost=2.0, predicted_costs={1: 20.0})
    return {
        "scoping": scoping,
        "hlp": hlp,
        "by_tag": scoping.accuracy_by_group(y, y_pred, tags),
        "curve": curve,
        "fit": scoping.fit_power_law(curve["n_samples"], curve["dev_error"]),
        "noisy_curve": noisy,
        "confusion": confusion,
        "value": scoping.business_metrics(confusion, costs, value_per_success=0.5),
        "value_per_success_usd": 0.5,
        "cost_error_usd": 2.0,
        "cost_false_confirm_usd": 20.0,
    }


@pytest.fixture
def ns():
    return _namespace()


def _judge(ns, exercise_id, answer):
    ex = scoping.exercises(ns)
    return ex._judge(BY_ID[exercise_id], answer)


# Right answers worked out by hand from the namespace above.
KNOWN = {
    "01.1": -6.0,  # overall 0.84 vs HLP 0.90
    "01.2": 5.4,  # clean: 0.6 x (0.99 - 0.90); people_noise only 0.2 x 0.10
    "01.3": 6400.0,  # 1600 x 2 ** (1 / 0.5)
    "01.4": 35.0,  # 0.90 - 0.55
    "01.5": 1000 * 20 * 2 / 96,  # two false confirms in 96 clips
    "01.6": [20 * (0.5 + 8.0), 1000 * 2 / 96 * 18],  # mean error cost (2*20 + 4*2) / 6 = 8
}

# Plausible mistakes, each with the slip it stands for.
MISTAKES = [
    ("01.1", 6.0),  # HLP minus model
    ("01.1", -0.06),  # forgot x 100
    ("01.1", -9.0),  # the clean row instead of overall
    ("01.2", 10.0),  # the biggest gap, not weighted by the tag's share
    ("01.2", 2.0),  # the tag with the lowest accuracy
    ("01.2", 0.054),  # forgot x 100
    ("01.3", 3200.0),  # "double the data halves the error"
    ("01.3", 4800.0),  # additional clips, not the total
    ("01.3", 1600 * 2**0.5),  # exponent inverted
    ("01.4", 0.35),  # forgot x 100
    ("01.4", 30.0),  # the noise rate, not the measured drop
    ("01.4", 15.0),  # the drop at the smallest size (clean 0.55 vs 0.40)
    ("01.5", 1000 * 20 * 3 / 96),  # row 1 (1 said, heard as another digit)
    ("01.5", 1000 * 20 * 11 / 96),  # the whole column, correct 1s included
    ("01.5", 20 * 2 / 96),  # per request
    ("01.6", [10.0, 375.0]),  # A without the avoided error cost
    ("01.6", [170.0, 1000 * 20 * 2 / 96]),  # B as if false confirms became free
    ("01.6", [375.0, 170.0]),  # swapped
]


def test_notebook_has_enough_items_in_order():
    assert len(EXERCISES) >= 4 and len(QUESTIONS) >= 3
    assert EXERCISES == [f"01.{k}" for k in range(1, len(EXERCISES) + 1)]
    assert QUESTIONS == [f"01.c{k}" for k in range(1, len(QUESTIONS) + 1)]
    assert scoping.exercises({}).ids == [i.id for i in ITEMS]
    assert any(BY_ID[i].predict for i in EXERCISES)


@pytest.mark.parametrize("question_id", QUESTIONS)
def test_concept_key_resolves_and_is_unreadable(question_id):
    q = BY_ID[question_id]
    key = q.key()
    assert 3 <= len(q.options) <= 4 and key in q.options
    assert q.explanation.startswith(f"({key})")
    assert len(q.hints) >= 1
    ok, _ = _judge({}, question_id, key.upper())
    assert ok
    for other in set(q.options) - {key}:
        assert not _judge({}, question_id, other)[0]


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_known_answer_passes(ns, exercise_id):
    ok, message = _judge(ns, exercise_id, KNOWN[exercise_id])
    assert ok, message


@pytest.mark.parametrize(("exercise_id", "answer"), MISTAKES)
def test_plausible_mistake_fails(ns, exercise_id, answer):
    ok, message = _judge(ns, exercise_id, answer)
    assert not ok and message


@pytest.mark.parametrize("item_id", [i.id for i in ITEMS])
def test_solution_mode_passes_reference_and_rejects_planted_wrong(ns, item_id, capsys):
    before = {k: v.copy() for k, v in ns.items() if isinstance(v, pd.DataFrame | np.ndarray)}
    ex = ExerciseSet("01", ITEMS, ns, mode="solution")
    ex.check(item_id)  # raises ExerciseError if the reference fails or a wrong answer passes
    assert ex.status()[item_id] == "passed"
    assert "solution mode: the reference passes" in capsys.readouterr().out
    for name, old in before.items():  # the reference ran on a copy and mutated nothing
        new = ns[name]
        assert new.equals(old) if isinstance(old, pd.DataFrame) else np.array_equal(new, old)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_matches_the_hand_worked_answer(ns, exercise_id):
    ex = ExerciseSet("01", ITEMS, ns, mode="solution")
    ref = ex._reference(BY_ID[exercise_id])
    np.testing.assert_allclose(ref, KNOWN[exercise_id], rtol=0.01)
    for wrong in BY_ID[exercise_id].wrong:
        assert not ex._judge(BY_ID[exercise_id], wrong(ref))[0]


@pytest.mark.parametrize("item_id", [i.id for i in ITEMS])
@pytest.mark.parametrize("bad", ["12", math.nan, [1.0, 2.0, 3.0], {"a": 1}])
def test_bad_input_gets_a_calm_incorrect(ns, item_id, bad, capsys):
    ex = scoping.exercises(ns)
    ex.predict(item_id, 10.0)  # the predict-then-check exercise needs one on record
    capsys.readouterr()
    ex.check(item_id, bad)
    out = capsys.readouterr().out
    assert f"{item_id}: incorrect." in out and "Traceback" not in out
    assert ex.status()[item_id] == "incorrect"


def test_predict_then_check_waits_for_a_prediction(ns, capsys):
    ex = scoping.exercises(ns)
    ex.check("01.4", 35.0)
    assert "first put your prediction on record" in capsys.readouterr().out
    assert ex.status()["01.4"] == "not_attempted"
    ex.predict("01.4", 30.0)
    ex.check("01.4", 35.0)
    assert "You predicted 30.0" in capsys.readouterr().out
    assert ex.status()["01.4"] == "passed"


def test_missing_notebook_variable_says_run_the_cells_above(capsys):
    ex = scoping.exercises({})
    ex.check("01.1", -6.0)
    assert "by_tag, hlp are not defined yet" in capsys.readouterr().out
    ex.predict("01.4", 30.0)
    ex.check("01.4", 35.0)
    assert "curve, noisy_curve are not defined yet" in capsys.readouterr().out


def test_learner_run_records_nothing_passed(ns):
    metrics = scoping.exercises(ns).progress_metrics()
    assert metrics["exercises_total"] == len(ITEMS)
    assert metrics["exercises_not_attempted"] == len(ITEMS) and metrics["exercises_passed"] == 0
    assert metrics["concept_questions_total"] == len(QUESTIONS)
