"""The computed takeaways read the same numbers the notebook records."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit import deployment as dep
from tests.deployment._routing import Const, Echo, stream


@pytest.fixture
def replays():
    X, ids = stream(2000, flag=slice(None))
    gates = {"schedule": (0.5, 1.0), "interval_requests": 200, "min_gate_requests": 10}
    candidates = {"good": Echo(), "bad": Echo(shift=3)}
    canary = dep.replay_candidates(
        dep.CanaryRouter, Echo(), candidates, X, request_ids=ids, **gates
    )
    y_live = Echo().predict(X)
    shadow = dep.replay_candidates(
        dep.ShadowRouter, None, candidates, X, request_ids=ids, per_request={"y_live": y_live}
    )
    bluegreen = dep.replay_bluegreen(
        Echo(),
        {"good": Echo(), "bad": Const(3)},
        X,
        request_ids=ids,
        X_preview=X[:20],
        y_preview=np.full(20, 3),
        switch_at=200,
        interval_requests=100,
        preview_tolerance=1.0,
    )
    return canary, shadow, bluegreen


def test_describe_takeaways_states_the_recorded_outcomes(replays):
    canary, shadow, bluegreen = replays
    text = dep.describe_takeaways(canary, shadow, bluegreen, requests_per_s=20.0)
    bad_log = canary["bad"].requests_frame()
    reach = int((bad_log["version"] == "candidate").sum())
    assert text.startswith("\n- **Canary**: the bad candidate was *rolled back* (interval\n  1)")
    served = canary["bad"].intervals_[canary["bad"].rollback_interval_]["end_request"]
    assert served < len(bad_log)  # two denominators, both named (exercise 05.2 uses the first)
    assert (
        f"after answering {reach} requests: {reach / served:.1%} of the {served} served up to "
        f"the end of the rollback interval (exercise 05.2), {reach / len(bad_log):.1%} of all "
        f"{len(bad_log)} requests of the replayed stream;" in " ".join(text.split())
    )
    assert "the good one was *promoted* (interval 3)" in text
    assert f"good *pass* after {shadow['good'].n_compared_} clips (agreement 1.00)" in text
    assert f"bad *fail* after {shadow['bad'].n_compared_} clips (agreement 0.00)" in text
    exposure = bluegreen["bad"].rollback_exposure_requests_
    assert exposure == 100
    assert (
        "the clean-only preview let the bad model through; monitoring (psi,agreement) rolled it "
        "back after 100 requests (~5 s)" in text
    )
    assert text.endswith("once a version is live, watch it.\n")


def test_describe_takeaways_says_when_shadow_passed_the_bad_candidate(replays):
    canary, shadow, bluegreen = replays
    shadow["bad"] = shadow["good"]  # a bad candidate whose overall agreement clears the bar
    text = dep.describe_takeaways(canary, shadow, bluegreen, requests_per_s=20.0)
    assert "The bad candidate passed: its overall agreement (1.00) is above 0.70" in text


def test_describe_takeaways_without_rollback_and_bad_rate(replays):
    canary, shadow, bluegreen = replays
    bluegreen["bad"].switch_request_ = None
    bluegreen["bad"].rollback_exposure_requests_ = None
    text = dep.describe_takeaways(canary, shadow, bluegreen, requests_per_s=20.0)
    assert "preview stopped the bad model; monitoring never rolled it back" in text
    with pytest.raises(ValueError, match="'requests_per_s' parameter of describe_takeaways"):
        dep.describe_takeaways(canary, shadow, bluegreen, requests_per_s=-1.0)
    with pytest.raises(KeyError):
        dep.describe_takeaways(canary, shadow, bluegreen, requests_per_s=1.0, bad="worse")
