"""Exercises of notebook 03: references pass, planted and plausible wrong answers fail, bad input is calm.

The namespace is small and hand-made, so the right answers are known: a 100-clip error analysis
(car_noise 16 of 20 right, clean 38 of 40, people 10 of 20, low bandwidth 19 of 20; people
always right), accuracies train 1.0 / seen 0.85 / dev 0.80 with HLP 0.97, and a 10-row test
split whose scores give precision 0.6 and recall 1.0 at the exercise's threshold 0.2.
"""

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mlkit import modeling
from mlkit.exercises import ExerciseSet
from mlkit.modeling import _exercises as ex03

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_modeling.ipynb"
TASKS = [i for i in ex03.ITEMS if i.kind == "exercise"]
QUESTIONS = [i for i in ex03.ITEMS if i.kind == "concept"]
CORRECT = {"car_noise": 16, "clean": 38, "people_noise": 10, "low_bandwidth": 19}
SIZES = {"car_noise": 20, "clean": 40, "people_noise": 20, "low_bandwidth": 20}


@pytest.fixture(scope="module")
def ns():
    rng = np.random.default_rng(0)
    tags = np.repeat(list(SIZES), list(SIZES.values()))
    y = rng.integers(0, 10, size=tags.size)
    pred = y.copy()
    for tag, n_right in CORRECT.items():
        wrong = np.flatnonzero(tags == tag)[n_right:]
        pred[wrong] = (y[wrong] + 1) % 10
    human = np.ones(tags.size)
    table = modeling.error_analysis_by_tag(y, pred, tags, human_correct=human, random_state=0)
    dev = np.arange(0, tags.size, 2)
    y_test = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    score_test = np.array([0.9, 0.5, 0.25, 0.6, 0.3, 0.15, 0.1, 0.05, 0.05, 0.0])
    choice = SimpleNamespace(
        y_test=y_test,
        score_test=score_test,
        y_tune=np.array([1, 0, 0, 0, 1]),
        score_tune=np.array([0.1, 0.3, 0.0, 0.0, 0.9]),
    )
    return {
        "modeling": modeling,
        "np": np,
        "acc": {"train_accuracy": 1.0, "seen_accuracy": 0.85, "dev_accuracy": 0.80},
        "hlp_overall": 0.97,
        "table": table,
        "y": y,
        "tags": tags,
        "human": human,
        "dev": dev,
        "preds": {"current model (svm)": pred[dev]},
        "systems": {"svm": "current model (svm)"},
        "model": "svm",
        "random_state": 0,
        "choice": choice,
    }


def _by_id(item_id):
    return next(i for i in ex03.ITEMS if i.id == item_id)


def test_the_notebook_has_enough_items():
    assert len(TASKS) >= 4 and len(QUESTIONS) >= 3
    assert any(t.predict for t in TASKS)
    assert all(re.fullmatch(r"03\.\d+", t.id) for t in TASKS)
    assert all(re.fullmatch(r"03\.c\d+", q.id) for q in QUESTIONS)
    assert modeling.exercises({}).ids == [i.id for i in ex03.ITEMS]


def test_every_item_is_asked_in_the_notebook_in_order():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    shown = re.findall(r'ex\.show\("([^"]+)"\)', code)
    checked = re.findall(r'ex\.check\("([^"]+)"', code)
    assert shown == [i.id for i in ex03.ITEMS]
    assert checked == shown
    assert re.findall(r'ex\.predict\("([^"]+)"', code) == [t.id for t in TASKS if t.predict]
    assert "ex.progress()" in code


@pytest.mark.parametrize("item", ex03.ITEMS, ids=lambda i: i.id)
def test_solution_mode_passes_the_reference(ns, item, capsys):
    ex = ExerciseSet("03", ex03.ITEMS, ns, mode="solution")
    ex.check(item.id)  # raises ExerciseError if the reference fails or a planted wrong passes
    assert ex.status()[item.id] == "passed"
    assert "solution mode: the reference passes" in capsys.readouterr().out


KNOWN = {
    "03.1": 17.0,  # 100 * (0.97 - 0.80)
    "03.2": [15.0, 5.0],  # seen - train, dev - seen errors
    "03.3": 4.0,  # car_noise: gap 0.2 x share 0.2
    "03.4": "cannot tell",  # 20 and 40 clips: the gain intervals overlap
    "03.6": [0.6, 1.0],  # at 0.2: 3 hits, 2 false alarms, no miss
}


@pytest.mark.parametrize("item_id", KNOWN)
def test_reference_gives_the_known_answer(ns, item_id):
    ex = ExerciseSet("03", ex03.ITEMS, ns, mode="solution")
    ref = ex._reference(_by_id(item_id))
    if isinstance(ref, str):
        assert ref == KNOWN[item_id]
    else:
        np.testing.assert_allclose(ref, KNOWN[item_id], atol=1e-9)
    assert ex._judge(_by_id(item_id), KNOWN[item_id])[0]


def test_dev_only_width_is_the_dev_tables(ns):
    t = modeling.error_analysis_by_tag(
        ns["y"][ns["dev"]],
        ns["preds"]["current model (svm)"],
        ns["tags"][ns["dev"]],
        human_correct=ns["human"][ns["dev"]],
        random_state=0,
    )
    top = ns["table"].index[0]
    assert top == "people_noise"
    width = 100 * (t.loc[top, "gain_ci_high"] - t.loc[top, "gain_ci_low"])
    ex = ExerciseSet("03", ex03.ITEMS, ns, mode="solution")
    assert ex._reference(ex03.DEV_ONLY) == pytest.approx(width)
    assert width > 1.0  # 10 clips of the tag: a wide interval, so the planted ref / 2 is far


PLANTED = [(t, w) for t in TASKS for w in t.wrong]
PLANTED_IDS = [f"{t.id}-wrong{k}" for t in TASKS for k in range(len(t.wrong))]


@pytest.mark.parametrize("item, wrong", PLANTED, ids=PLANTED_IDS)
def test_planted_wrong_answers_are_incorrect(ns, item, wrong):
    ex = ExerciseSet("03", ex03.ITEMS, ns)
    ref = ex._reference(item)
    bad = wrong(ref) if callable(wrong) else wrong
    ok, message = ex._judge(item, bad)
    assert not ok, f"{item.id}: planted wrong answer {bad!r} passed"
    assert message


def _gain(table, tag):
    return 100 * table.loc[tag, "potential_gain"]


# plausible mistakes that need the namespace (so they cannot be planted as f(reference))
PLAUSIBLE = {
    "03.1 train instead of dev": ("03.1", lambda ns: 100 * (ns["hlp_overall"] - 1.0)),
    "03.1 seen instead of dev": ("03.1", lambda ns: 100 * (0.97 - 0.85)),
    "03.2 whole variance first": ("03.2", lambda ns: [20.0, 0.0]),
    "03.3 clean's gain": ("03.3", lambda ns: _gain(ns["table"], "clean")),
    "03.3 the gap": ("03.3", lambda ns: 100 * ns["table"].loc["car_noise", "gap"]),
    "03.4 larger point gain": ("03.4", lambda ns: "car_noise"),
    "03.5 the notebook table's width": (
        "03.5",
        lambda ns: 100 * (ns["table"].iloc[0]["gain_ci_high"] - ns["table"].iloc[0]["gain_ci_low"]),
    ),
    "03.6 at the default 0.5": ("03.6", lambda ns: [2 / 3, 2 / 3]),
    "03.6 tuning rows": ("03.6", lambda ns: [0.5, 1.0]),
}


@pytest.mark.parametrize("name", PLAUSIBLE)
def test_plausible_mistakes_are_incorrect(ns, name):
    item_id, make = PLAUSIBLE[name]
    ex = ExerciseSet("03", ex03.ITEMS, ns)
    assert not ex._judge(_by_id(item_id), make(ns))[0]


@pytest.mark.parametrize("item", [t for t in TASKS if t.id != "03.4"], ids=lambda i: i.id)
def test_tolerance_is_tight(ns, item):
    ex = ExerciseSet("03", ex03.ITEMS, ns)
    ref = ex._reference(item)
    nudge = {"03.1": 0.2, "03.2": 0.2, "03.3": 0.06, "03.5": 0.7, "03.6": 0.011}[item.id]
    bumped = ref + nudge if np.ndim(ref) == 0 else [ref[0] + nudge, *ref[1:]]
    assert not ex._judge(item, bumped)[0]
    near = ref + nudge / 2 if np.ndim(ref) == 0 else [ref[0] - nudge / 2, *ref[1:]]
    assert ex._judge(item, near)[0]


BAD = {
    "str": "12.5",
    "nan": math.nan,
    "inf": math.inf,
    "list of wrong length": [1.0, 2.0, 3.0],
    "dict": {"a": 1},
    "array 2-d": np.zeros((2, 2)),
}


@pytest.mark.parametrize("item", ex03.ITEMS, ids=lambda i: i.id)
@pytest.mark.parametrize("bad", BAD.values(), ids=list(BAD))
def test_bad_input_gets_a_calm_incorrect(ns, item, bad, capsys):
    ex = ExerciseSet("03", ex03.ITEMS, ns)
    if item.kind == "exercise" and item.predict:
        ex.predict(item.id, "wider")
    ex.check(item.id, bad)  # never raises in learner mode
    out = capsys.readouterr().out
    assert f"{item.id}: incorrect." in out and "Hint: (1/" in out
    assert ex.status()[item.id] == "incorrect"


def test_a_check_before_the_cells_ran_is_calm(capsys):
    ex = modeling.exercises({})
    for item in TASKS:
        if item.predict:
            ex.predict(item.id, "wider")
        ex.check(item.id, 1.0)
        assert "is not defined yet: run the cells above" in capsys.readouterr().out


def test_learner_flow_predict_then_check(ns, capsys):
    ex = modeling.exercises(ns)
    ref = ExerciseSet("03", ex03.ITEMS, ns, mode="solution")._reference(ex03.DEV_ONLY)
    ex.check("03.5", ref)
    assert "first put your prediction on record" in capsys.readouterr().out
    assert ex.status()["03.5"] == "not_attempted"
    ex.predict("03.5", "wider, about twice")
    ex.check("03.5", ref)
    out = capsys.readouterr().out
    assert "03.5: correct" in out and "You predicted 'wider, about twice'" in out
    m = ex.progress_metrics()
    assert (m["exercises_passed"], m["exercises_total"]) == (1, len(ex03.ITEMS))
    assert m["concept_questions_total"] == len(QUESTIONS)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_concept_keys_resolve_and_are_explained(question, ns):
    key = question.key()
    assert key in question.options and 3 <= len(question.options) <= 4
    assert question.explanation.startswith(f"({key})")
    assert len(question.hints) >= 2
    ex = modeling.exercises(ns)
    assert ex._judge(question, key.upper())[0]
    assert not any(ex._judge(question, k)[0] for k in question.options if k != key)


def test_tasks_have_graded_hints_and_a_unit():
    for t in TASKS:
        assert 2 <= len(t.hints) <= 3, t.id
        assert re.search(r"points|\[0, 1\]|\"cannot tell\"", t.prompt), t.id


def test_pair_decision_picks_a_tag_when_the_intervals_are_apart():
    table = pd.DataFrame(
        {
            "potential_gain": [0.06, 0.015],
            "gain_ci_low": [0.05, 0.01],
            "gain_ci_high": [0.07, 0.02],
        },
        index=["clean", "car_noise"],
    )
    assert ex03._pair_decision(table) == "clean"
    assert ex03._pair_decision(table.iloc[::-1].set_axis(["clean", "car_noise"])) == "car_noise"
    table.loc["car_noise", "gain_ci_high"] = 0.05
    assert ex03._pair_decision(table) == "cannot tell"


def test_planted_wrongs_stay_wrong_when_the_reference_is_zero():
    wrong = ex03._moved(lambda ref: ref / 100, 0.05)
    assert wrong(0.0) == pytest.approx(0.5)
    assert ex03._moved(lambda ref: ref[::-1], 0.01)([0.5, 0.5]) == [0.6, 0.5]
