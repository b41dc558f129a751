import pytest

from mlkit.readiness import EVIDENCE_FUNCTIONS, load_run_evidence, score_tests

DEPLOYMENT_TESTS = ["Infra 4", "Infra 6", "Infra 7", "Monitor 3", "Monitor 6"]


@pytest.mark.parametrize("status", ["failed", "timeout", "interrupted"])
def test_a_failed_notebook_scores_its_tests_0_with_the_reason(fixture_run, run_copy, status):
    def fail(record):
        record["notebooks"]["notebooks/05_deployment.ipynb"]["status"] = status

    before = score_tests(load_run_evidence(fixture_run))
    after = score_tests(load_run_evidence(run_copy(fail)))
    assert (before.loc[DEPLOYMENT_TESTS, "score"] > 0).all()
    for test_id in [*DEPLOYMENT_TESTS, "Infra 3"]:
        assert after.loc[test_id, "score"] == 0.0, test_id
        assert f"05_deployment {status}" in after.loc[test_id, "reason"]
    untouched = [t for t in before.index if t not in [*DEPLOYMENT_TESTS, "Infra 3"]]
    assert after.loc[untouched, "score"].tolist() == before.loc[untouched, "score"].tolist()


def test_an_absent_notebook_scores_its_tests_0(run_copy):
    def drop(record):
        del record["notebooks"]["notebooks/06_monitoring.ipynb"]

    table = score_tests(load_run_evidence(run_copy(drop)))
    for test_id in ["Model 4", "Monitor 2", "Monitor 7", "Infra 3"]:
        assert table.loc[test_id, "score"] == 0.0
        assert "06_monitoring is absent" in table.loc[test_id, "reason"]


def test_reproducibility_needs_the_tracked_runs(run_copy):
    run = run_copy()
    (run / "tracked_runs.json").unlink()
    result = EVIDENCE_FUNCTIONS["Infra 1"](load_run_evidence(run))
    assert result.score == 0.0 and "no tracked runs" in result.reason


@pytest.mark.parametrize("test_id", ["Infra 5", "Monitor 1", "Monitor 4", "Monitor 5"])
def test_tests_the_kit_does_not_address_score_0_never_a_stand_in(fixture_run, test_id):
    result = EVIDENCE_FUNCTIONS[test_id](load_run_evidence(fixture_run))
    assert result.score == 0.0
    assert result.reason.startswith("Not addressed by the kit")
