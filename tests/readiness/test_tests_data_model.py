import pytest

from mlkit.readiness import (
    load_run_evidence,
    score_data_1,
    score_data_7,
    score_model_1,
    score_model_3,
)


def test_metric_backed_test_is_automated_when_nbs_ci_checks_it(fixture_run):
    result = score_data_1(load_run_evidence(fixture_run))
    assert result.score == 1.0 and result.basis == "measured"
    assert "metrics.json · 02_data · n_rejected_rows = 12" in result.evidence
    assert any(
        e.startswith("nbs_ci.yml · 02_data · ci expect n_rejected_rows") for e in result.evidence
    )


def test_the_same_evidence_without_checks_is_done_by_hand(fixture_run, tmp_path):
    config = tmp_path / "nbs_ci.yml"
    config.write_text("notebooks: {}\n")
    result = score_data_1(load_run_evidence(fixture_run, config=config))
    assert result.score == 0.5 and "nothing in" in result.reason


def test_a_missing_metric_scores_0_naming_it(run_copy):
    def drop(record):
        del record["notebooks"]["notebooks/02_data.ipynb"]["metrics"]["n_rejected_rows"]

    result = score_data_1(load_run_evidence(run_copy(drop)))
    assert result.score == 0.0 and "did not record n_rejected_rows" in result.reason


@pytest.mark.parametrize(("dirty", "score"), [(True, 0.0), (False, 0.5), (None, 0.0)])
def test_model_1_reads_the_runs_code_version(run_copy, dirty, score):
    def edit(record):
        record["code"]["git_dirty"] = dirty

    result = score_model_1(load_run_evidence(run_copy(edit)))
    assert result.score == score


def test_partial_tests_are_capped_and_say_so(fixture_run):
    result = score_model_3(load_run_evidence(fixture_run))
    assert result.score == 0.5 and result.basis == "judged: partial"
    assert "feature pipeline" in result.reason


def test_unit_tested_feature_code_needs_the_run_to_use_it(fixture_run, empty_run):
    assert score_data_7(load_run_evidence(fixture_run)).score == 1.0
    assert score_data_7(load_run_evidence(empty_run)).score == 0.0
