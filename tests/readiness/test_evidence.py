import json
import os

import pytest

from mlkit.readiness import (
    EVIDENCE_FUNCTIONS,
    load_run_evidence,
    read_tracked_runs,
    resolve_run_folder,
)


def _run(base, name, notebooks=None):
    folder = base / name
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"notebooks": notebooks or {}}))
    return folder


def test_latest_skips_the_run_this_notebook_executes_in(tmp_path, monkeypatch):
    older = _run(tmp_path, "20260101T000000Z-aaaaaa")
    current = _run(tmp_path, "20260102T000000Z-bbbbbb")
    (tmp_path / "20260103T000000Z-cccccc").mkdir()  # started, no metrics.json yet
    monkeypatch.setenv("MLKIT_RUN_DIR", str(current))
    assert resolve_run_folder("latest", runs_dir=tmp_path) == older.resolve()
    monkeypatch.delenv("MLKIT_RUN_DIR")
    assert resolve_run_folder("latest", runs_dir=tmp_path) == current.resolve()


def test_latest_without_another_run_names_the_parameter_and_the_fix(tmp_path, monkeypatch):
    current = _run(tmp_path, "20260102T000000Z-bbbbbb")
    monkeypatch.setenv("MLKIT_RUN_DIR", str(current))
    with pytest.raises(FileNotFoundError, match=r"'run_folder' parameter is 'latest'.*mlkit run"):
        resolve_run_folder("latest", runs_dir=tmp_path)


@pytest.mark.parametrize("make", [False, True])
def test_bad_run_folder_names_the_parameter_and_the_fix(tmp_path, make):
    target = tmp_path / "nowhere"
    if make:
        target.mkdir()
    what = "holds no metrics.json" if make else "does not exist"
    with pytest.raises(FileNotFoundError, match=rf"'run_folder' parameter.*{what}.*-p run_folder"):
        resolve_run_folder(str(target))


def test_named_run_folder_relative_to_the_project_root(fixture_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_run_folder("tests/fixtures/readiness_run") == fixture_run.resolve()


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"notebooks": 3}'])
def test_broken_metrics_json_is_refused_naming_the_file(tmp_path, text):
    (tmp_path / "metrics.json").write_text(text)
    with pytest.raises(ValueError, match="metrics.json"):
        load_run_evidence(tmp_path)


def test_fixture_evidence_has_every_kind(fixture_run):
    ev = load_run_evidence(fixture_run)
    assert ev.profile == "ci"
    assert ev.tracked_source == "tracked_runs.json" and len(ev.tracked_runs) >= 10
    assert any(p.startswith("artefacts/") for p in ev.lineage)
    assert "canary_rolled_back_bad" in ev.checks["05_deployment"]
    assert any("claim" in c for cs in ev.checks["03_modeling"].values() for c in cs)


def test_tracked_runs_are_read_from_mlflow_db_without_mlflow(tmp_path):
    import sqlite3

    con = sqlite3.connect(tmp_path / "mlflow.db")
    con.executescript(
        "CREATE TABLE experiments (experiment_id INT, name TEXT);"
        "CREATE TABLE runs (run_uuid TEXT, name TEXT, status TEXT, experiment_id INT,"
        " lifecycle_stage TEXT);"
        "CREATE TABLE params (key TEXT, value TEXT, run_uuid TEXT);"
        "CREATE TABLE latest_metrics (key TEXT, value REAL, run_uuid TEXT);"
        "CREATE TABLE tags (key TEXT, value TEXT, run_uuid TEXT);"
        "INSERT INTO experiments VALUES (1, 'e');"
        "INSERT INTO runs VALUES ('r1', 'baseline', 'FINISHED', 1, 'active');"
        "INSERT INTO runs VALUES ('r2', 'gone', 'FINISHED', 1, 'deleted');"
        "INSERT INTO params VALUES ('C', '1.0', 'r1');"
        "INSERT INTO latest_metrics VALUES ('dev_accuracy', 0.9, 'r1');"
        "INSERT INTO tags VALUES ('arm', 'start', 'r1'), ('mlflow.user', 'x', 'r1');"
    )
    con.commit()
    con.close()
    runs, source = read_tracked_runs(tmp_path)
    assert source == "mlflow.db"
    assert runs == [
        {
            "experiment": "e",
            "run_name": "baseline",
            "status": "FINISHED",
            "params": {"C": "1.0"},
            "metrics": {"dev_accuracy": 0.9},
            "tags": {"arm": "start"},
        }
    ]


@pytest.mark.parametrize("test_id", list(EVIDENCE_FUNCTIONS))
def test_every_evidence_function_scores_0_with_a_reason_on_an_empty_run(empty_run, test_id):
    result = EVIDENCE_FUNCTIONS[test_id](load_run_evidence(empty_run))
    assert result.test_id == test_id
    assert result.score == 0.0
    assert len(result.reason) > 20


def test_mlkit_run_dir_default_is_read_from_the_environment(tmp_path, monkeypatch):
    only = _run(tmp_path, "20260101T000000Z-aaaaaa")
    monkeypatch.setenv("MLKIT_RUN_DIR", os.fspath(only))
    with pytest.raises(FileNotFoundError):
        resolve_run_folder(runs_dir=tmp_path)


def test_latest_skips_runs_of_the_readiness_notebook_alone(tmp_path):
    pipeline = _run(tmp_path, "20260101T000000Z-aaaaaa", {"notebooks/02_data.ipynb": {}})
    _run(tmp_path, "20260102T000000Z-bbbbbb", {"notebooks/07_production_readiness.ipynb": {}})
    assert (
        resolve_run_folder("latest", runs_dir=tmp_path, current=tmp_path / "x")
        == pipeline.resolve()
    )


def test_latest_skips_runs_still_going(tmp_path):
    done = _run(tmp_path, "20260101T000000Z-aaaaaa", {"notebooks/02_data.ipynb": {}})
    going = _run(tmp_path, "20260102T000000Z-bbbbbb")
    (going / "metrics.json").write_text(json.dumps({"status": "running", "notebooks": {}}))
    assert resolve_run_folder("latest", runs_dir=tmp_path, current=tmp_path / "x") == done.resolve()


def test_the_committed_example_run_is_named_as_such():
    from pathlib import Path

    from mlkit.readiness import describe_evidence, load_run_evidence

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "readiness_run"
    text = describe_evidence(load_run_evidence(fixture))
    assert "committed example run `tests/fixtures/readiness_run`" in text
    assert "not your run" in text
