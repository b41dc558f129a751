"""What the routers share: sticky buckets, the batch check, NotFittedError, replays."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from mlkit import deployment as dep
from mlkit._validation import check_request_batch
from mlkit.errors import NotFittedError
from tests.deployment._routing import SMALL_CANARY, Echo, small_canary, stream


def test_assign_bucket_is_stable_across_processes_and_uniform():
    ids = [f"client-{i}" for i in range(2000)]
    here = dep.assign_bucket(ids, salt="s")
    code = "from mlkit.deployment import assign_bucket; print(repr(assign_bucket(['client-7', 'x'], salt='s').tolist()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert eval(out.stdout) == [here[7], dep.assign_bucket("x", salt="s")[0]]  # noqa: S307
    assert np.all((here >= 0) & (here < 1))
    assert abs(here.mean() - 0.5) < 0.03
    assert not np.allclose(here, dep.assign_bucket(ids, salt="other"))


def test_check_request_batch_converts_and_refuses():
    X, ids = check_request_batch([[1.0, 2.0]], [5], "f")
    assert isinstance(X, np.ndarray) and ids.tolist() == ["5"]
    with pytest.raises(ValueError, match="f needs at least one request. Got an empty stream"):
        check_request_batch(np.zeros((0, 2)), [], "f")
    with pytest.raises(ValueError, match="f needs request_ids"):
        check_request_batch(np.zeros((1, 2)), None, "f")
    with pytest.raises(
        ValueError, match=r"f needs inputs of the same length. Got X=2, request_ids=1"
    ):
        check_request_batch(np.zeros((2, 2)), ["a"], "f")


@pytest.mark.parametrize(
    "make",
    [
        lambda: dep.CanaryRouter(Echo(), Echo()),
        lambda: dep.ShadowRouter(Echo(), Echo()),
        lambda: dep.BlueGreenRouter(Echo(), Echo()),
    ],
)
def test_unfitted_routers_raise_the_kit_not_fitted_error(make):
    with pytest.raises(NotFittedError, match="Call fit") as info:
        make().route(np.zeros((1, 2)), request_ids=["a"])
    assert isinstance(info.value, SklearnNotFittedError)


def test_replay_candidates_gives_each_candidate_its_own_router_on_the_same_stream():
    X, ids = stream(1000, flag=slice(None))
    routers = dep.replay_candidates(
        dep.CanaryRouter,
        Echo(),
        {"same": Echo(), "shifted": Echo(shift=3)},
        X,
        request_ids=ids,
        **SMALL_CANARY,
    )
    assert list(routers) == ["same", "shifted"]
    assert routers["same"].status_ == "promoted" and routers["shifted"].status_ == "rolled_back"
    for name, shift in [("same", 0), ("shifted", 3)]:
        direct = small_canary(Echo(shift=shift)).replay(X, request_ids=ids, batch_size=100)
        cols = ["canary_weight", "n_candidate", "agreement", "psi", "action"]  # not latency
        assert routers[name].history()[cols].equals(direct.history()[cols])
    y_live = Echo().predict(X)
    shadow = dep.replay_candidates(
        dep.ShadowRouter,
        None,
        {"same": Echo()},
        X,
        request_ids=ids,
        per_request={"y_live": y_live, "groups": np.arange(1000) % 60},
        stop_when_decided=False,
    )
    assert shadow["same"].n_compared_ == 60 and shadow["same"].agreement_ == 1.0
