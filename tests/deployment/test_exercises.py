"""Exercises of notebooks/05_deployment.ipynb: references pass, planted and real mistakes fail.

The namespace is the notebook's, built with the same mlkit calls on a tiny world whose right
answers are known by design: the stable and good versions read the digit off feature 0, the
bad one answers wrongly on every other low_bandwidth clip, and labels are 10 % noisy.
"""

import math
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from mlkit import deployment as dep
from mlkit.deployment._exercises import ITEMS, _failing_previews, _largest_caught_drop
from mlkit.exercises import ExerciseSet, answer_digest
from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "05_deployment.ipynb"
CONDITIONS = np.array(["clean", "car_noise", "low_bandwidth", "people_noise"])


class Digit:
    """Read the digit off feature 0; with `broken`, answer wrongly on half the low_bandwidth clips."""

    def __init__(self, broken=False):
        self.broken = broken

    def predict(self, X):
        X = np.asarray(X)
        y = X[:, 0].astype(int)
        wrong = self.broken & (X[:, 1] == 2) & (X[:, 2] // 4 % 2 == 0)  # 2: low_bandwidth
        return np.where(wrong, (y + 3) % 10, y)


@pytest.fixture(scope="module")
def ns():
    rng = np.random.default_rng(0)
    n = 200
    digit = rng.integers(0, 10, n)
    cond_code = np.arange(n) % 4
    X = np.column_stack([digit, cond_code, np.arange(n)]).astype(float)
    y = np.where(rng.random(n) < 0.1, (digit + 1) % 10, digit)  # 10 % label noise
    condition = CONDITIONS[cond_code]
    pool = np.arange(40, n)  # the notebook's held-out clips: indices into X
    models = {"stable": Digit(), "good": Digit(), "bad": Digit(broken=True)}
    candidates = {name: models[name] for name in ["good", "bad"]}
    offline = dep.offline_accuracy(models, X[pool], y[pool], condition=condition[pool])
    stable_accuracy = offline.loc["stable"].to_dict()
    schedule, interval_requests, n_consecutive = [0.25, 0.5, 1.0], 200, 2
    n_stream = (len(schedule) * 2 + 4) * interval_requests
    index, request_ids = dep.sample_requests(len(pool), n_requests=n_stream, random_state=0)
    X_stream, y_stream = X[pool][index], y[pool][index]
    stream = dict(X=X_stream, request_ids=request_ids)
    per_clip = dict(groups=index, segments=condition[pool][index])
    gates = dict(
        schedule=schedule, interval_requests=interval_requests, n_consecutive=n_consecutive
    )
    gates |= dict(max_accuracy_drop=0.1, max_psi=0.25, stable_accuracy=stable_accuracy)
    canary = dep.replay_candidates(
        dep.CanaryRouter, models["stable"], candidates, **stream, per_request=per_clip, **gates
    )
    dry = dep.replay_candidates(
        dep.CanaryRouter,
        models["stable"],
        candidates,
        **stream,
        per_request=per_clip,
        **gates | {"auto_rollback": False},
    )
    dry = {name: r.history() for name, r in dry.items()}
    y_operator = dep.simulate_operator_decisions(
        y_stream, accuracy=0.95, labels=np.arange(10), random_state=0
    )
    answers = pd.DataFrame({"round_trip_ms": np.arange(1.0, 21.0)[::-1]})  # 1..20 ms, any order
    return {
        "np": np,
        "dep": dep,
        **dict(X=X, y=y, condition=condition, pool=pool, models=models, schedule=schedule),
        **dict(n_consecutive=n_consecutive, stable_accuracy=stable_accuracy, canary=canary),
        **dict(dry=dry, index=index, X_stream=X_stream, y_operator=y_operator),
        **dict(preview={"preview_tolerance": 0.1}, answers=answers),
    }


def _ex(ns, mode="learner"):
    return ExerciseSet("05", ITEMS, ns, mode=mode)


def _reference(ns, exercise_id):
    ex = _ex(ns)
    return ex._reference(ex._get(exercise_id))


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.id)
def test_reference_passes_and_planted_wrong_answers_fail(ns, item, capsys):
    ex = _ex(ns, mode="solution")
    ex.check(item.id)  # raises ExerciseError if the reference fails or a wrong answer passes
    assert ex.status()[item.id] == "passed"
    assert "solution mode: the reference passes" in capsys.readouterr().out
    if item.kind == "exercise":
        ref = ex._reference(item)
        assert item.wrong
        for wrong in item.wrong:
            ok, _ = ex._judge(item, wrong(ref) if callable(wrong) else wrong)
            assert not ok, (item.id, wrong)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.id)
@pytest.mark.parametrize("bad", ["0.35", math.nan, [0.1], [0.1, 0.2, 0.3], {"a": 1}, 7])
def test_bad_input_gets_a_calm_incorrect_verdict(ns, item, bad, capsys):
    ex = _ex(ns)
    if item.kind == "exercise" and item.predict:
        ex.predict(item.id, "close")
    ex.check(item.id, bad)  # never raises in learner mode
    assert f"{item.id}: incorrect." in capsys.readouterr().out
    assert ex.status()[item.id] == "incorrect"


def test_first_gate_is_the_low_bandwidth_agreement(ns):
    # the bad version differs only on low_bandwidth clips, so that gate catches it first
    h = ns["canary"]["bad"].history()
    first = h[h["passed"].eq(False)].iloc[0]
    assert set(_reference(ns, "05.1")) == set(first["failed_gates"].split(","))
    assert "agreement:low_bandwidth" in _reference(ns, "05.1")
    later = h[h["action"] == "rollback"].iloc[0]["failed_gates"].split(",")
    if set(later) != set(_reference(ns, "05.1")):  # reading the rollback row is a mistake
        assert not _ex(ns)._judge(_ex(ns)._get("05.1"), later)[0]


def test_exposure_counts_candidate_requests_up_to_the_rollback(ns):
    router = ns["canary"]["bad"]
    assert router.status_ == "rolled_back"
    log = router.requests_frame()
    end = int(router.history().loc[router.rollback_interval_, "end_request"])
    n_bad = int((log["version"].iloc[:end] == "candidate").sum())
    assert n_bad == int((log["version"] == "candidate").sum())  # nothing after the rollback
    ex = _ex(ns)
    item = ex._get("05.2")
    assert ex._judge(item, [n_bad, 100 * n_bad / end])[0]
    assert not ex._judge(item, [n_bad, 100 * n_bad / len(log)])[0]  # share of the whole stream
    assert not ex._judge(item, [n_bad + 1, 100 * n_bad / end])[0]


def test_exposure_prompt_names_its_denominator():
    (item,) = [i for i in ITEMS if i.id == "05.2"]
    assert "up to the end of the rollback interval (not of the whole replayed stream" in (
        item.prompt
    )


def test_pattern_question_key_agrees_with_the_decision_table():
    # the table picks a canary also where nothing serves today: a gradual rollout, not only a
    # replacement (section 8)
    (item,) = [i for i in ITEMS if i.id == "05.c3"]
    assert item.key_digest == answer_digest("05.c3", "a")
    key = " ".join(item.options["a"].split())
    assert "canary to roll a new version out gradually while monitoring it" in key
    assert "usually replacing a system that serves today" in key
    assert "only its health gates and labels judge it" in item.explanation


def test_caught_drop_bisection_matches_the_full_grid(ns):
    rule = dict(n_steps=len(ns["schedule"]), n_consecutive=ns["n_consecutive"], max_psi=10.0)
    rule |= dict(stable_accuracy=ns["stable_accuracy"])
    grid = np.round(np.arange(0.05, 0.51, 0.05), 2)
    caught = [
        d
        for d in grid
        if "rollback"
        in dep.evaluate_gates(ns["dry"]["bad"], max_accuracy_drop=d, **rule)["action"].tolist()
    ]
    assert caught == [d for d in grid if d <= max(caught)]  # monotone: bisection is exact
    assert _largest_caught_drop(ns) == pytest.approx(max(caught))
    assert 0.05 <= max(caught) < 0.5  # inside the grid: the exercise has something to find


def test_predict_then_check_needs_a_prediction_first(ns, capsys):
    ex = _ex(ns)
    ex.check("05.3", _reference(ns, "05.3"))
    assert "first put your prediction on record" in capsys.readouterr().out
    ex.predict("05.3", "much smaller")
    ex.check("05.3", _reference(ns, "05.3"))
    out = capsys.readouterr().out
    assert "05.3: correct" in out and "You predicted 'much smaller'" in out


def test_shadow_agreement_by_condition_counts_each_clip_once(ns):
    seen, agree = set(), {True: [], False: []}
    bad = ns["models"]["bad"]
    for i, clip in enumerate(ns["index"]):
        if clip in seen:
            continue
        seen.add(clip)
        low = ns["condition"][ns["pool"][clip]] == "low_bandwidth"
        agree[low].append(bad.predict(ns["X_stream"][i : i + 1])[0] == ns["y_operator"][i])
    expected = [np.mean(agree[True]), np.mean(agree[False])]
    assert _reference(ns, "05.4") == pytest.approx(expected)
    assert expected[0] < expected[1] - 0.2  # the slice the overall shadow test averages away
    every = bad.predict(ns["X_stream"]) == ns["y_operator"]
    low = ns["condition"][ns["pool"]][ns["index"]] == "low_bandwidth"
    per_request = [every[low].mean(), every[~low].mean()]
    assert not _ex(ns)._judge(_ex(ns)._get("05.4"), per_request)[0]  # repeats are not new clips


def test_only_the_low_bandwidth_preview_fails(ns):
    assert _failing_previews(ns) == ["low_bandwidth"]
    item = _ex(ns)._get("05.5")
    assert _ex(ns)._judge(item, ["Low_Bandwidth "])[0]
    assert not _ex(ns)._judge(item, [])[0]


def test_http_percentiles_use_linear_interpolation(ns):
    item = _ex(ns)._get("05.6")
    assert _ex(ns)._judge(item, [10.5, 19.05])[0]  # 1..20 ms, by hand
    for wrong in ([10.5, 20.0], [10.5, 19.0], [10.5, 10.5]):  # max, nearest rank, median twice
        assert not _ex(ns)._judge(item, wrong)[0]
    without = {k: v for k, v in ns.items() if k != "answers"}
    ok, message = _ex(without)._judge(item, [10.5, 19.05])
    assert not ok and "serve_http=True" in message


def test_missing_variables_are_named_not_raised(capsys):
    ex = _ex({})
    ex.check("05.1", ["psi"])
    assert "canary are not defined yet" in capsys.readouterr().out


def test_counts_and_keys():
    ex = _ex({})
    kinds = [ex._get(i).kind for i in ex.ids]
    assert kinds.count("exercise") >= 4 and kinds.count("concept") >= 3
    for item in ITEMS:
        if item.kind == "concept":
            key = item.key()
            assert key in item.options and 3 <= len(item.options) <= 4
            assert f"({key})" in item.explanation
        else:
            assert 2 <= len(item.hints) <= 3
    assert sum(i.kind == "exercise" and bool(i.predict) for i in ITEMS) >= 1


def test_notebook_asks_every_item_in_order():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    shown = [m for src in code for m in re.findall(r'ex\.show\("([^"]+)"\)', src)]
    assert shown == [item.id for item in ITEMS]
    checked = [m for src in code for m in re.findall(r'ex\.check\("([^"]+)", answer\)', src)]
    assert checked == shown
    assert any('ex.predict("05.3", prediction)' in src for src in code)
    assert any('exercise_mode: str = "learner"' in src for src in code)
    assert "ex.progress()" in [src.strip() for src in code]
