"""Three model versions and their files: training, offline accuracy, skops files, tampering."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit import deployment as dep
from mlkit._models import make_model
from mlkit.errors import ModelIntegrityError
from mlkit.tracking import load_model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    y = (X[:, 0] > 0).astype(int)
    condition = np.array(["clean", "car_noise", "low_bandwidth"] * 30)
    return X, y, condition


def test_train_versions_subsample_and_dropped_condition(data):
    X, y, condition = data
    train = np.arange(60)
    models = dep.train_versions(X, y, train, condition=condition, model="logreg", random_state=4)
    assert list(models) == ["stable", "good", "bad"]
    subsample = np.random.default_rng(4).permutation(train)[:20]
    expected = {
        "stable": make_model("logreg").fit(X[subsample], y[subsample]),
        "good": make_model("logreg").fit(X[train], y[train]),
        "bad": make_model("logreg").fit(
            X[train][condition[train] != "low_bandwidth"],
            y[:60][condition[train] != "low_bandwidth"],
        ),
    }
    for name, m in models.items():
        assert np.array_equal(m.predict(X), expected[name].predict(X)), name
    assert models["bad"][-1].n_features_in_ == 4
    with pytest.raises(ValueError, match="same length"):
        dep.train_versions(X, y[:10], train, condition=condition)
    with pytest.raises(ValueError, match="'stable_subsample' parameter of train_versions"):
        dep.train_versions(X, y, train, condition=condition, stable_subsample=0)


def test_offline_accuracy_per_condition_and_overall(data):
    X, y, condition = data

    class Threshold:
        def predict(self, X):
            return (X[:, 0] > 0).astype(int)

    class Ones:
        def predict(self, X):
            return np.ones(len(X), dtype=int)

    table = dep.offline_accuracy({"right": Threshold(), "ones": Ones()}, X, y, condition=condition)
    assert table.index.tolist() == ["right", "ones"]
    assert table.columns.tolist() == ["car_noise", "clean", "low_bandwidth", "overall"]
    assert table.loc["right"].eq(1.0).all()
    for cond in ["clean", "car_noise", "low_bandwidth"]:
        assert table.loc["ones", cond] == pytest.approx(np.mean(y[condition == cond] == 1))
    assert table.loc["ones", "overall"] == pytest.approx(np.mean(y == 1))


def test_save_versions_into_a_new_folder_of_the_run_dir(data, tmp_path, monkeypatch):
    X, y, _ = data
    monkeypatch.setenv("MLKIT_RUN_DIR", str(tmp_path / "run"))
    models = {"v1": make_model("logreg").fit(X, y)}
    first, digests = dep.save_versions(models)
    second, _ = dep.save_versions(models)
    assert first.parent == second.parent == (tmp_path / "run").resolve()
    assert first != second and first.name.startswith("models-")  # never reused
    loaded = load_model(first / "v1.skops", sha256=digests["v1"])
    assert np.array_equal(loaded.predict(X), models["v1"].predict(X))
    with pytest.raises(FileExistsError):
        dep.save_versions(models, folder=first)


def test_save_tampered_copy_flips_one_byte_and_is_refused(data, tmp_path):
    X, y, _ = data
    folder, digests = dep.save_versions({"good": make_model("logreg").fit(X, y)}, folder=tmp_path)
    original = (folder / "good.skops").read_bytes()
    tampered = dep.save_tampered_copy(folder / "good.skops", tmp_path / "bad.skops")
    changed = np.flatnonzero(
        np.frombuffer(original, np.uint8) != np.frombuffer(tampered.read_bytes(), np.uint8)
    )
    assert changed.tolist() == [200] and tampered.read_bytes()[200] == original[200] ^ 0xFF
    assert (folder / "good.skops").read_bytes() == original
    with pytest.raises(ModelIntegrityError, match="does not match its sha256"):
        load_model(tampered, sha256=digests["good"])
    with pytest.raises(ValueError, match="'offset' parameter of save_tampered_copy"):
        dep.save_tampered_copy(tampered, tmp_path / "x", offset=len(original))
