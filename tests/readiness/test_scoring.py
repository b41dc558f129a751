import pandas as pd
import pytest

from mlkit.readiness import (
    GROUPS,
    describe_readiness,
    group_scores,
    load_run_evidence,
    ml_test_score,
    readiness_metrics,
    score_tests,
    weakest_group,
)


@pytest.fixture
def fixture_table(fixture_run):
    return score_tests(load_run_evidence(fixture_run))


def test_group_score_is_the_sum_and_final_score_the_minimum(fixture_table):
    groups = group_scores(fixture_table)
    for g in GROUPS:
        assert groups[g] == fixture_table.loc[fixture_table["group"] == g, "score"].sum()
    assert ml_test_score(fixture_table) == groups.min()
    assert weakest_group(fixture_table) == groups.idxmin()
    assert set(fixture_table["score"]) <= {0.0, 0.5, 1.0}


def test_minimum_not_mean(fixture_table):
    table = fixture_table.copy()
    table.loc[table["group"] != "monitoring", "score"] = 1.0
    table.loc[table["group"] == "monitoring", "score"] = 0.0
    assert ml_test_score(table) == 0.0 and weakest_group(table) == "monitoring"


def test_recorded_metrics_agree_with_the_table(fixture_table):
    m = readiness_metrics(fixture_table)
    assert m["ml_test_score"] == min(m[f"ml_test_score_{g}"] for g in GROUPS)
    assert len(m["ml_test_score_tests"]) == 28
    assert sum(m["ml_test_score_tests"].values()) == fixture_table["score"].sum()
    assert m["ml_test_score_runner_up"] >= m["ml_test_score"]


def test_the_prose_names_the_weakest_group_and_its_zero_tests(fixture_table):
    m = readiness_metrics(fixture_table)
    text = describe_readiness(fixture_table)
    assert f"ML Test Score is **{m['ml_test_score']:g}**" in text
    assert f"weakest group is **{m['ml_test_score_weakest_group']}**" in text
    weakest = fixture_table[fixture_table["group"] == m["ml_test_score_weakest_group"]]
    for test_id in weakest.index[weakest["score"] == 0]:
        assert f"**{test_id}**" in text
    assert text.count("*Would count:*") == int((weakest["score"] < 1).sum())


def test_tie_for_weakest_group_says_another_group_must_rise_too():
    table = pd.DataFrame(
        {
            "group": list(GROUPS),
            "score": [1.0, 1.0, 2.0, 2.0],
            "title": "t",
            "reason": "r",
            "basis": "measured",
            "evidence": [[]] * 4,
        },
        index=["Data 1", "Model 1", "Infra 1", "Monitor 1"],
    )
    assert "another group is just as low" in describe_readiness(table)
