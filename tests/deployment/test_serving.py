"""HTTP serving: a real uvicorn server on 127.0.0.1, skops models checked by sha256."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlkit.deployment import CanaryRouter
from mlkit.errors import ModelIntegrityError
from mlkit.serving import (
    ModelServer,
    answers_match_versions,
    load_versions,
    make_app,
    post_requests,
)
from mlkit.tracking import save_model


@pytest.fixture
def model_files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0)
    paths, digests = {}, {}
    for name, C in [("stable", 0.01), ("candidate", 10.0)]:
        paths[name] = tmp_path / f"{name}.skops"
        digests[name] = save_model(LogisticRegression(C=C).fit(X, y), paths[name])
    return X, paths, digests


def test_real_server_answers_through_the_router(model_files):
    X, paths, digests = model_files
    models = load_versions(paths, sha256=digests)
    router = CanaryRouter(models["stable"], models["candidate"], schedule=(0.5, 1.0)).fit()
    ids = [f"client-{i}" for i in range(12)]
    with ModelServer(make_app(router, n_features=4), startup_timeout_s=30) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.running
        health = httpx.get(f"{server.url}/health", trust_env=False).json()
        assert health == {"status": "ok", "router": "CanaryRouter", "n_requests": 0}
        answers = post_requests(server.url, X[:12], request_ids=ids, timeout_s=30)
        wrong = httpx.post(
            f"{server.url}/predict", json={"request_id": "a", "x": [1.0, 2.0]}, trust_env=False
        )
        missing = httpx.post(f"{server.url}/predict", json={"x": [1.0] * 4}, trust_env=False)
        nan = httpx.post(
            f"{server.url}/predict",
            content='{"request_id": "a", "x": [1.0, NaN, 0.0, 0.0]}',
            headers={"content-type": "application/json"},
            trust_env=False,
        )
    assert not server.running
    assert nan.status_code == 422 and "finite numbers only" in nan.json()["detail"]
    assert wrong.status_code == 422 and "must hold 4 features" in wrong.json()["detail"]
    assert missing.status_code == 422
    assert answers["status_code"].eq(200).all() and len(answers) == 12
    assert set(answers["version"]) <= {"stable", "candidate"}
    expected = [models[v].predict(X[i : i + 1])[0] for i, v in enumerate(answers["version"])]
    assert answers["y_pred"].tolist() == expected
    assert answers_match_versions(answers, models, X[:12])
    wrong_version = answers.assign(
        version=answers["version"].map({"stable": "candidate", "candidate": "stable"})
    )
    assert answers_match_versions(wrong_version, models, X[:12]) is False
    assert answers["version"].tolist() == router.assign(ids).tolist()  # sticky, same hash
    assert router.n_requests_ == 12


def test_tampered_model_is_refused(model_files):
    _, paths, digests = model_files
    data = bytearray(paths["candidate"].read_bytes())
    data[100] ^= 0xFF
    paths["candidate"].write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match its sha256"):
        load_versions(paths, sha256=digests)
    with pytest.raises(ModelIntegrityError, match="does not match its sha256"):
        load_versions({"candidate": paths["candidate"]})  # the .sha256 file beside it


def test_load_versions_bad_input(model_files):
    _, paths, digests = model_files
    with pytest.raises(ValueError, match="unknown version"):
        load_versions(paths, sha256={**digests, "canary": digests["stable"]})
    with pytest.raises(ValueError, match="non-empty dict"):
        load_versions({})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_versions({"stable": paths["stable"].with_name("nope.skops")})


def test_server_refuses_non_loopback_and_bad_clients():
    with pytest.raises(ValueError, match="must be a loopback address"):
        ModelServer(object(), host="0.0.0.0")
    with pytest.raises(TypeError, match="must be a router"):
        make_app(object())
    with pytest.raises(ValueError, match="only talks to loopback"):
        post_requests("http://10.0.0.1:80", np.zeros((1, 2)), request_ids=["a"])
    with pytest.raises(ValueError, match="at most max_requests=2"):
        post_requests(
            "http://127.0.0.1:9", np.zeros((3, 2)), request_ids=["a", "b", "c"], max_requests=2
        )
    with pytest.raises(ValueError, match="empty stream"):
        post_requests("http://127.0.0.1:9", np.zeros((0, 2)), request_ids=[])
