import json
import sqlite3

import pytest

from mlkit.readiness import MAX_FIXTURE_BYTES, load_run_evidence, save_trimmed_run, score_tests


def test_committed_fixture_is_small_and_holds_no_notebooks_or_models(fixture_run):
    files = [p for p in fixture_run.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < MAX_FIXTURE_BYTES
    assert {p.suffix for p in files} <= {".json", ".txt"}
    record = json.loads((fixture_run / "metrics.json").read_text())
    assert record["status"] == "complete"
    assert "python -m mlkit.readiness" in (fixture_run / "README.txt").read_text()


def test_trimmed_copy_scores_like_the_full_run(fixture_run, tmp_path):
    """A run with mlflow.db, notebooks and models scores the same as its trimmed copy."""
    full = tmp_path / "full"
    full.mkdir()
    for p in fixture_run.rglob("*lineage.json"):
        (full / p.relative_to(fixture_run)).parent.mkdir(parents=True, exist_ok=True)
        (full / p.relative_to(fixture_run)).write_bytes(p.read_bytes())
    (full / "metrics.json").write_bytes((fixture_run / "metrics.json").read_bytes())
    (full / "02_data.ipynb").write_text("{}")
    runs = json.loads((fixture_run / "tracked_runs.json").read_text())
    con = sqlite3.connect(full / "mlflow.db")
    con.executescript(
        "CREATE TABLE experiments (experiment_id TEXT, name TEXT);"
        "CREATE TABLE runs (run_uuid TEXT, name TEXT, status TEXT, experiment_id TEXT,"
        " lifecycle_stage TEXT);"
        "CREATE TABLE params (key TEXT, value TEXT, run_uuid TEXT);"
        "CREATE TABLE latest_metrics (key TEXT, value REAL, run_uuid TEXT);"
        "CREATE TABLE tags (key TEXT, value TEXT, run_uuid TEXT);"
    )
    for i, r in enumerate(runs):
        con.execute("INSERT OR IGNORE INTO experiments VALUES (?, ?)", (r["experiment"],) * 2)
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, 'active')",
            (str(i), r["run_name"], r["status"], r["experiment"]),
        )
        for table, key in (("params", "params"), ("latest_metrics", "metrics"), ("tags", "tags")):
            con.executemany(
                f"INSERT INTO {table} VALUES (?, ?, ?)", [(k, v, str(i)) for k, v in r[key].items()]
            )
    con.commit()
    con.close()
    out = save_trimmed_run(full, tmp_path / "trimmed")
    assert not (out / "02_data.ipynb").exists() and not (out / "mlflow.db").exists()
    a = score_tests(load_run_evidence(full))
    b = score_tests(load_run_evidence(out))
    assert a["score"].tolist() == b["score"].tolist()
    assert a.loc["Infra 1", "evidence"][0].startswith("mlflow.db")


def test_refuses_to_overwrite_and_to_copy_a_non_run(tmp_path, fixture_run):
    with pytest.raises(FileNotFoundError, match="holds no metrics.json"):
        save_trimmed_run(tmp_path, tmp_path / "x")
    (tmp_path / "out").mkdir()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_trimmed_run(fixture_run, tmp_path / "out")
