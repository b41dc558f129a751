import pytest

from mlkit.readiness import GROUPS, RUBRIC, interpret_score, rubric_table


def test_28_tests_in_four_groups_of_seven_in_the_papers_order():
    assert len(RUBRIC) == 28
    assert [t.group for t in RUBRIC] == [g for g in GROUPS for _ in range(7)]
    prefix = {"data": "Data", "model": "Model", "infrastructure": "Infra", "monitoring": "Monitor"}
    assert [t.test_id for t in RUBRIC] == [f"{prefix[g]} {i}" for g in GROUPS for i in range(1, 8)]
    assert len({t.key for t in RUBRIC}) == 28


@pytest.mark.parametrize(
    ("test_id", "title"),
    [
        ("Data 1", "Feature expectations are captured in a schema"),
        ("Data 5", "The data pipeline has appropriate privacy controls"),
        ("Model 2", "Offline proxy metrics correlate with actual online impact metrics"),
        ("Model 5", "A simpler model is not better"),
        ("Infra 1", "Training is reproducible"),
        ("Infra 3", "The full ML pipeline is integration tested"),
        ("Monitor 1", "Dependency changes result in notification"),
        ("Monitor 5", "The model is numerically stable"),
    ],
)
def test_titles_are_the_papers(test_id, title):
    assert rubric_table().loc[test_id, "title"] == title


@pytest.mark.parametrize(
    ("score", "start"),
    [
        (0.0, "More of a research"),
        (0.5, "Not totally untested"),
        (1.0, "Not totally untested"),
        (1.5, "There's been first pass"),
        (3.0, "Reasonably tested"),
        (3.5, "Strong levels"),
        (7.0, "Exceptional"),
    ],
)
def test_interpretation_ranges_are_half_open(score, start):
    assert interpret_score(score).startswith(start)


def test_interpretation_refuses_impossible_scores():
    with pytest.raises(ValueError, match=r"lies in \[0, 7\]. Got 7.5"):
        interpret_score(7.5)
