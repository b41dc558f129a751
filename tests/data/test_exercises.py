"""The exercises of notebooks/02_data.ipynb (mlkit.data._exercises) on a small simulated team."""

import math

import numpy as np
import pytest

from mlkit import data
from mlkit.data._exercises import ITEMS
from mlkit.exercises import ExerciseSet
from tests.data._util import snrs_of, tags_of

BY_ID = {i.id: i for i in ITEMS}
EXERCISES = [i for i in ITEMS if i.kind == "exercise"]


def _namespace(seed=0, n=240):
    """The variables the checks read, built by the notebook's own calls on 240 simulated clips."""
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(10), n // 10))
    tags = tags_of(n, seed)
    snr = snrs_of(tags, seed)
    ambiguous = data.ambiguous_mask(snr, tags=tags)
    team = dict(tags=tags, snr_db=snr, n_labelers=5, error_rate=0.02)
    labels = data.simulate_labelers(y, **team, random_state=seed)
    labels_conv = data.simulate_labelers(y, **team, convention=True, random_state=seed)
    y_conv = data.apply_convention(y, ambiguous=ambiguous)
    shares = {"dev_size": 0.2, "test_size": 0.2}
    splits = data.split_train_dev_test(
        y, **shares, tags=tags, rare_strata="merge", random_state=seed
    )
    return {
        "np": np,
        "data": data,
        "y": y,
        "tags": tags,
        "ambiguous": ambiguous,
        "y_conv": y_conv,
        "labels": labels,
        "labels_conv": labels_conv,
        "kappa": data.cohen_kappa_matrix(labels, names=data.labeler_names(5)),
        "kappa_before": data.fleiss_kappa(labels),
        "hlp_before": data.hlp_by_tag(labels, tags=tags, y_true=y_conv),
        "hlp_shared": data.estimate_hlp(y, **team, random_state=seed),
        "shares": shares,
        "random_state": seed,
        "split_deviation": data.max_split_share_deviation(y, splits),
    }


@pytest.fixture(scope="module", params=[0, 3])
def ns(request):
    return _namespace(request.param)


def _reference(ns, item):
    return ExerciseSet("02", ITEMS, ns, mode="solution")._reference(item)


def _ok(ns, item_id, answer):
    ex = data.exercises(ns)
    return ex._judge(ex._get(item_id), answer)[0]


def test_the_notebook_has_enough_items_and_every_key_resolves():
    assert len(EXERCISES) >= 4
    concepts = [i for i in ITEMS if i.kind == "concept"]
    assert len(concepts) >= 3
    assert all(len(q.options) in (3, 4) and q.key() in q.options for q in concepts)
    assert any(i.predict for i in EXERCISES)
    assert all(2 <= len(i.hints) <= 3 for i in ITEMS)


@pytest.mark.parametrize("item_id", [i.id for i in ITEMS])
def test_reference_passes_and_planted_wrong_answers_fail(ns, item_id, capsys):
    ex = data.exercises(ns, mode="solution")
    ex.check(item_id)  # raises ExerciseError if the reference fails or a wrong answer passes
    assert ex.status()[item_id] == "passed"
    item = ex._get(item_id)
    if item.kind == "exercise":
        ref = ex._reference(item)
        assert item.wrong
        for wrong in item.wrong:
            bad = wrong(ref) if callable(wrong) else wrong
            assert not ex._judge(item, bad)[0], (item_id, bad)


def test_solutions_leave_the_namespace_alone(ns):
    before = {k: np.array(ns[k]).copy() for k in ("labels", "labels_conv", "y_conv", "y")}
    for item in EXERCISES:
        _reference(ns, item)
    for k, value in before.items():
        assert np.array_equal(np.asarray(ns[k]), value), k
    assert "answer" not in ns


@pytest.mark.parametrize("item_id", [i.id for i in ITEMS])
@pytest.mark.parametrize("bad", ["0.5", math.nan, [1.0, 2.0, 3.0], {"a": 1}])
def test_bad_input_gets_a_calm_incorrect_verdict(ns, item_id, bad, capsys):
    ex = data.exercises(ns)
    ex.predict(item_id, "above 3")  # 02.5 asks for a prediction first; the others say so
    ex.check(item_id, bad)
    assert f"{item_id}: incorrect." in capsys.readouterr().out
    assert ex.status()[item_id] == "incorrect"


def test_rule_checks_on_a_hand_made_team():
    # clip 0: two wrote 5, one 9 (a confusable split); clip 1: all wrote 1
    ns = {"labels_conv": np.array([[5, 1], [9, 1], [5, 1]]), "y_conv": np.array([5, 1])}
    # agreement 2/3 -> 1 (+33.3 points); accuracy 5/6 -> 3/6 (-33.3 points)
    assert _ok(ns, "02.2", 100 / 3) and not _ok(ns, "02.2", 100 / 3 - 0.05)
    assert _ok(ns, "02.3", -100 / 3) and not _ok(ns, "02.3", 100 / 3)


def test_rule_measured_on_the_covered_clips_only_is_wrong(ns):
    before = ns["labels_conv"]
    covered = np.zeros(before.shape[1], dtype=bool)
    for a, b in data.CONFUSABLE_PAIRS:
        covered |= (before == a).any(axis=0) & (before == b).any(axis=0)
    after = data.apply_convention(before, ambiguous=covered)
    assert 0 < covered.sum() < covered.size
    per_covered = data.agreement_per_clip(after[:, covered]).mean()
    per_covered -= data.agreement_per_clip(before[:, covered]).mean()
    assert _ok(ns, "02.2", _reference(ns, BY_ID["02.2"]))
    assert not _ok(ns, "02.2", 100 * per_covered)
    acc_covered = (after[:, covered] == ns["y_conv"][covered]).mean()
    acc_covered -= (before[:, covered] == ns["y_conv"][covered]).mean()
    assert not _ok(ns, "02.3", 100 * acc_covered)


def test_kappa_read_rejects_the_highest_pair_and_the_agreement(ns):
    k = ns["kappa"].to_numpy()
    off = k[~np.eye(len(k), dtype=bool)]
    assert _ok(ns, "02.1", [ns["kappa_before"], off.min()])
    assert not _ok(ns, "02.1", [ns["kappa_before"], off.max()])
    agreement = ns["hlp_before"].loc["overall", "hlp_agreement"]
    assert not _ok(ns, "02.1", [agreement, off.min()])


def test_avoidable_error_uses_the_shared_hlp(ns):
    ref = _reference(ns, BY_ID["02.4"])
    assert _ok(ns, "02.4", ref)
    other = 100 * ns["hlp_before"]["hlp_accuracy"]  # the convention's yardstick, not the model's
    assert not _ok(ns, "02.4", [other["people_noise"] - 90, other["clean"] - 95])


def test_stratified_deviation_is_named_as_the_mistake(ns, capsys):
    ex = data.exercises(ns)
    ex.predict("02.5", "below 1")
    ex.check("02.5", 100 * ns["split_deviation"])
    assert "stratified split's deviation" in capsys.readouterr().out


def test_predict_then_check_needs_the_prediction_first(ns, capsys):
    ex = data.exercises(ns)
    ref = _reference(ns, ex._get("02.5"))
    ex.check("02.5", ref)
    assert "first put your prediction on record" in capsys.readouterr().out
    assert ex.status()["02.5"] == "not_attempted"
    ex.predict("02.5", "1 to 3")
    ex.check("02.5", ref)
    assert "02.5: correct" in capsys.readouterr().out


def test_a_fresh_learner_has_attempted_nothing(ns):
    metrics = data.exercises(ns).progress_metrics()
    assert metrics["exercises_total"] == len(ITEMS) == 9
    assert metrics["exercises_not_attempted"] == 9 and metrics["exercises_passed"] == 0
    assert metrics["concept_questions_total"] == 4
