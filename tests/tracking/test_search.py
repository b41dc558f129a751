"""Both arms on one budget (mlkit/tracking/_search.py)."""

import json

import pytest

from mlkit import tracking
from mlkit._models import MODELS, make_model


def test_sample_model_configs_is_a_seeded_search_over_families():
    configs = tracking.sample_model_configs(40, random_state=3)
    assert configs == tracking.sample_model_configs(40, random_state=3)
    assert configs != tracking.sample_model_configs(40, random_state=4)
    assert {c["model"] for c in configs} == {f["model"][0] for f in tracking.SEARCH_SPACE}
    for c in configs:
        assert c["model"] in MODELS
        json.dumps(c["hyper"])  # loggable and rebuildable
        make_model(c["model"], **c["hyper"])
        if c["model"] == "svm":
            assert 1 <= c["hyper"]["C"] <= 1000 and 1e-4 <= c["hyper"]["gamma"] <= 1e-2
    assert len({c["run"] for c in configs}) == len(configs)


def test_equal_budget_plan_gives_both_arms_the_same_budget():
    labeling = {"pool_share": 0.3, "n_labelers": 3, "random_state": 1}
    plan = tracking.equal_budget_plan(
        model="svm", top_tag="people_noise", labeling=labeling, budget_runs=7, relabel_per_run=15
    )
    arms = {a: [p for p in plan if p["arm"] == a] for a in ("model-centric", "data-centric")}
    assert len(arms["model-centric"]) == 7 and len(arms["data-centric"]) == 3
    for runs in arms.values():
        assert sum(p["cost"] for p in runs) == pytest.approx(7)
    for p in arms["data-centric"]:
        assert p["model"] == "svm" and p["hyper"] == {}
        assert p["recipe"]["label_budget"] == (7 - 3) * 15
        assert p["recipe"]["top_tag"] == "people_noise" and p["recipe"]["random_state"] == 1
    assert all(p["recipe"]["name"] == "as_collected" for p in arms["model-centric"])


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"budget_runs": 3}, ValueError, r"'budget_runs'.*\[4, inf\]"),
        ({"relabel_per_run": 0}, ValueError, r"'relabel_per_run'.*\[1, inf\]"),
        ({"budget_runs": 6.0}, TypeError, "'budget_runs'.*must be an int"),
    ],
)
def test_equal_budget_plan_bad_input(kw, error, match):
    with pytest.raises(error, match=match):
        tracking.equal_budget_plan(model="svm", top_tag="clean", labeling={}, **kw)
