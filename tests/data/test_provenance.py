"""Artefacts saved with lineage records, and the run folder (mlkit.data._provenance)."""

import json

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from mlkit.data import _provenance


def test_save_artefact_writes_lineage_and_never_overwrites(tmp_path):
    steps = [{"name": "split", "params": {"test_size": 0.2, "seed": np.int64(3)}}]
    kw = {"dataset_name": "speech-test", "dataset_sha256": "ab" * 32, "steps": steps}
    first = data.save_artefact({"train": np.arange(3)}, name="splits", run_dir=tmp_path, **kw)
    second = data.save_artefact({"train": np.arange(4)}, name="splits", run_dir=tmp_path, **kw)
    assert first["artefact"].name == "splits.json" and second["artefact"].name == "splits-1.json"
    assert json.loads(first["artefact"].read_text()) == {"train": [0, 1, 2]}
    record = json.loads(first["lineage"].read_text())
    assert record["dataset"] == {"name": "speech-test", "sha256": "ab" * 32}
    assert record["steps"][0]["params"]["seed"] == 3
    assert set(record["code"]) >= {"git_commit", "git_dirty"}
    from mlkit.lineage import sha256_file

    assert record["artefact"]["sha256"] == sha256_file(first["artefact"])
    feats = data.save_artefact(np.ones((2, 3)), name="features", run_dir=tmp_path, **kw)
    assert np.load(feats["artefact"]).shape == (2, 3)
    table = data.save_artefact(pd.DataFrame({"a": [1]}), name="table", run_dir=tmp_path, **kw)
    assert table["artefact"].suffix == ".csv"


def test_save_artefact_bad_input(tmp_path):
    kw = {"dataset_name": "d", "dataset_sha256": "0" * 64, "run_dir": tmp_path}
    with pytest.raises(TypeError, match="must be a dict, numpy array or pandas DataFrame"):
        data.save_artefact([1, 2], name="x", steps=[], **kw)
    with pytest.raises(ValueError, match=r"Each step .* must be \{'name'"):
        data.save_artefact({}, name="x", steps=[{"name": "only"}], **kw)


def test_save_artefact_says_how_to_fix_exhausted_names(tmp_path, monkeypatch):
    monkeypatch.setattr(_provenance, "_MAX_NAME_TRIES", 2)
    kwargs = {"dataset_name": "d", "dataset_sha256": "0" * 64, "steps": [], "run_dir": tmp_path}
    data.save_artefact({"a": [1]}, name="s", **kwargs)
    data.save_artefact({"a": [1]}, name="s", **kwargs)
    with pytest.raises(
        FileExistsError, match=r"free file name for s\.json.*Got 2 taken names.*Pass"
    ):
        data.save_artefact({"a": [1]}, name="s", **kwargs)


def test_default_run_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MLKIT_RUN_DIR", str(tmp_path))
    assert data.default_run_dir() == tmp_path
    monkeypatch.delenv("MLKIT_RUN_DIR")
    assert data.default_run_dir().parts[-2:] == ("runs", "interactive")


def test_default_run_dir_is_the_shared_run_folder(monkeypatch, tmp_path):
    from mlkit.paths import run_dir

    monkeypatch.setenv("MLKIT_RUN_DIR", str(tmp_path / "not-yet"))
    assert data.default_run_dir() == run_dir(create=False)
    assert not (tmp_path / "not-yet").exists()  # asking does not create the folder


def test_lineage_step_and_describe_lineage(tmp_path):
    step = data.lineage_step("split", dev_size=0.2, random_state=0)
    assert step == {"name": "split", "params": {"dev_size": 0.2, "random_state": 0}}
    saved = data.save_artefact(
        {"train": np.arange(3)},
        name="s",
        dataset_name="d",
        dataset_sha256="0" * 64,
        steps=[step],
        run_dir=tmp_path,
    )
    full = data.describe_lineage(saved["lineage"], max_chars=10**6)
    assert json.loads(full)["steps"] == [step]
    assert data.describe_lineage(saved["lineage"], max_chars=50) == full[:50]


def test_accuracy_by_metadata():
    groups = pd.Series(["b", "a", "a", "b"], name="condition")
    table = data.accuracy_by_metadata([1, 2, 3, 4], [1, 2, 0, 0], groups)
    assert table.index.name == "condition" and list(table.index) == ["a", "b"]
    assert table["accuracy"].tolist() == [0.5, 0.5]
    assert table["n_clips"].tolist() == [2, 2]
    with pytest.raises(ValueError, match="same length"):
        data.accuracy_by_metadata([1], [1, 2], ["a", "b"])
