"""Router units: sticky assignment, schedule, gates, rollback, PSI, Wilson, shadow, blue/green."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest
from sklearn.exceptions import NotFittedError

from mlkit import deployment as dep


class Const:
    """A model that answers `value` for every row (optionally slow)."""

    def __init__(self, value, sleep_s=0.0):
        self.value = value
        self.sleep_s = sleep_s

    def predict(self, X):
        if self.sleep_s:
            time.sleep(self.sleep_s)
        return np.full(len(X), self.value)


class Echo:
    """Predict the first feature as the label (offset by `shift` where x[:, 1] == 1)."""

    def __init__(self, shift=0):
        self.shift = shift

    def predict(self, X):
        X = np.asarray(X)
        return (X[:, 0].astype(int) + self.shift * (X[:, 1] == 1)) % 10


class RaisesOnNegative:
    def predict(self, X):
        X = np.asarray(X)
        if (X[:, 0] < 0).any():
            raise ValueError("negative input")
        return X[:, 0].astype(int) % 10


def stream(n, *, flag=None, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 10, n), np.zeros(n)]).astype(float)
    if flag is not None:
        X[flag, 1] = 1
    ids = np.array([f"client-{i}" for i in rng.integers(0, 500, n)])
    return X, ids


# ------------------------------------------------------------------- statistics


@pytest.mark.parametrize(
    ("ref", "cur", "kwargs", "expected"),
    [
        (
            [0, 1],
            [0, 1, 1, 1],
            {"categorical": True},
            0.25 * math.log(0.5) * -1 + 0.25 * math.log(1.5),
        ),
        ([0, 1, 2, 3], [0, 1, 2, 3], {"categorical": True}, 0.0),
        (np.arange(100.0), np.arange(100.0), {}, 0.0),
        # median split; every current value below it: q = [1, eps]
        (
            np.arange(100.0),
            np.zeros(10),
            {"bins": 2},
            0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5),
        ),
        (
            ["a", "b"],
            ["b", "b"],
            {"categorical": True, "epsilon": 0.01},
            (0.01 - 0.5) * math.log(0.01 / 0.5) + 0.5 * math.log(2),
        ),
    ],
)
def test_psi_known_values(ref, cur, kwargs, expected):
    assert dep.psi(ref, cur, **kwargs) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=60),
    st.lists(st.integers(0, 5), min_size=1, max_size=60),
)
def test_psi_is_nonnegative_and_zero_on_identical_samples(a, b):
    assert dep.psi(a, b, categorical=True) >= 0
    assert dep.psi(a, a, categorical=True) == pytest.approx(0.0, abs=1e-12)
    assert dep.psi(np.array(a, float), np.array(b, float), bins=4) >= 0


@pytest.mark.parametrize(
    ("ref", "cur", "kwargs", "match"),
    [
        ([], [1], {}, "non-empty samples"),
        ([1], [], {}, "non-empty samples"),
        ([1, 2], [1], {"bins": 1}, "'bins' parameter of psi"),
        ([1, 2], [1], {"epsilon": 0.0}, "'epsilon' parameter of psi"),
    ],
)
def test_psi_bad_input(ref, cur, kwargs, match):
    with pytest.raises(ValueError, match=match):
        dep.psi(ref, cur, **kwargs)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (80, 100), (100, 100), (1, 1), (517, 900)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k, n, confidence):
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert dep.wilson_interval(k, n, confidence=confidence) == pytest.approx(
        (ci.low, ci.high), abs=1e-12
    )


def test_wilson_vectorised_and_bad_input():
    low, high = dep.wilson_interval([1, 5], [10, 10])
    assert low.shape == (2,) and np.all(low < high)
    with pytest.raises(ValueError, match="0 <= n_successes <= n_trials"):
        dep.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="'confidence' parameter of wilson_interval"):
        dep.wilson_interval(1, 10, confidence=1.0)


def test_assign_bucket_is_stable_across_processes_and_uniform():
    ids = [f"client-{i}" for i in range(2000)]
    here = dep.assign_bucket(ids, salt="s")
    code = "from mlkit.deployment import assign_bucket; print(repr(assign_bucket(['client-7', 'x'], salt='s').tolist()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert eval(out.stdout) == [here[7], dep.assign_bucket("x", salt="s")[0]]  # noqa: S307
    assert np.all((here >= 0) & (here < 1))
    assert abs(here.mean() - 0.5) < 0.03
    assert not np.allclose(here, dep.assign_bucket(ids, salt="other"))


def test_simulate_operator_decisions_accuracy_and_mistakes():
    y = np.tile(np.arange(10), 2000)
    op = dep.simulate_operator_decisions(y, accuracy=0.9, random_state=1)
    assert abs(np.mean(op == y) - 0.9) < 0.01
    assert set(np.unique(op)) <= set(range(10))
    with pytest.raises(ValueError, match="at least 2 labels"):
        dep.simulate_operator_decisions([1, 1], accuracy=0.5)
    with pytest.raises(ValueError, match="'accuracy' parameter"):
        dep.simulate_operator_decisions([1, 2], accuracy=1.5)


# ------------------------------------------------------------------- canary


def test_sticky_assignment_same_id_same_version_and_monotone_in_weight():
    r = dep.CanaryRouter(Echo(), Echo(), schedule=(0.05, 0.25, 1.0)).fit()
    ids = np.array([f"user-{i}" for i in range(3000)])
    first = r.assign(ids)
    assert np.array_equal(first, r.assign(ids))
    assert np.array_equal(
        first, dep.CanaryRouter(Echo(), Echo(), schedule=(0.05, 0.25, 1.0)).fit().assign(ids)
    )
    assert abs(np.mean(first == "candidate") - 0.05) < 0.015
    r.canary_weight_ = 0.25
    later = r.assign(ids)
    assert np.all(later[first == "candidate"] == "candidate")  # candidates stay candidates
    X, _ = stream(50)
    r.route(X, request_ids=np.repeat("same-client", 50))
    assert r.requests_frame()["version"].nunique() == 1


def test_schedule_is_followed_and_candidate_promoted_when_gates_pass():
    X, ids = stream(4000)
    r = dep.CanaryRouter(
        Echo(),
        Echo(),
        schedule=(0.1, 0.5, 1.0),
        interval_requests=400,
        intervals_per_step=2,
        min_gate_requests=10,
    ).fit()
    r.replay(X, request_ids=ids, batch_size=64)
    h = r.history()
    assert r.status_ == "promoted" and r.promotion_interval_ == 5
    assert h["canary_weight"].tolist()[:6] == [0.1, 0.1, 0.5, 0.5, 1.0, 1.0]
    assert h["action"].tolist()[:6] == ["hold", "advance", "hold", "advance", "hold", "promote"]
    assert h.loc[6:, "candidate_share"].eq(1.0).all()
    assert h.loc[:5, "agreement"].eq(1.0).all() and h.loc[:5, "psi"].eq(0.0).all()
    assert r.n_requests_ == 4000 and r.n_requests_to_promote == 2400


@pytest.mark.parametrize("n_consecutive", [1, 2, 3])
def test_rollback_after_n_consecutive_failing_intervals(n_consecutive):
    X, ids = stream(3000, flag=slice(None))
    r = dep.CanaryRouter(
        Echo(),
        Echo(shift=3),
        schedule=(0.5, 1.0),
        interval_requests=200,
        n_consecutive=n_consecutive,
        min_gate_requests=10,
    ).fit()
    y = r.replay(X, request_ids=ids, batch_size=50)
    assert r.status_ == "rolled_back" and r.canary_weight_ == 0.0
    assert r.rollback_interval_ == n_consecutive - 1
    h = r.history()
    # a relabelling (digit + 3) keeps the label distribution: agreement fails, PSI may not
    assert h.loc[: n_consecutive - 1, "failed_gates"].str.contains("agreement").all()
    assert h.loc[n_consecutive:, "candidate_share"].eq(0.0).all()
    assert y is r


def test_isolated_failure_does_not_roll_back_and_resets_the_count():
    X, ids = stream(2000, flag=slice(200, 400))  # candidate misbehaves in interval 1 only
    r = dep.CanaryRouter(
        Echo(),
        Echo(shift=3),
        schedule=(0.5, 1.0),
        interval_requests=200,
        n_consecutive=2,
        min_gate_requests=10,
    ).fit()
    r.replay(X, request_ids=ids)
    h = r.history()
    assert h["passed"].tolist()[:3] == [True, False, True]
    assert r.consecutive_failures_ == 0 and r.status_ == "promoted"
    assert r.first_failure_interval_ == 1


def test_report_only_mode_records_failures_but_never_rolls_back():
    X, ids = stream(2000, flag=slice(None))
    r = (
        dep.CanaryRouter(
            Echo(),
            Echo(shift=3),
            schedule=(0.5, 1.0),
            interval_requests=200,
            min_gate_requests=10,
            auto_rollback=False,
        )
        .fit()
        .replay(X, request_ids=ids)
    )
    assert r.status_ == "promoted" and r.rollback_interval_ is None
    assert r.first_failure_interval_ == 0


def test_errors_fall_back_to_stable_and_trip_the_error_gate():
    X, ids = stream(400)
    X[::5, 0] = -1  # the candidate raises on these rows
    r = dep.CanaryRouter(
        Echo(),
        RaisesOnNegative(),
        schedule=(0.5, 1.0),
        interval_requests=200,
        n_consecutive=2,
        min_gate_requests=10,
    ).fit()
    y = r.predict(X, request_ids=ids)
    assert not any(v is None for v in y)
    log = r.requests_frame()
    cand = log["version"] == "candidate"
    assert log.loc[cand & log["error"], "y_pred"].eq(log.loc[cand & log["error"], "y_stable"]).all()
    assert "error_rate" in r.history().loc[0, "failed_gates"]
    assert r.status_ == "rolled_back"


def test_latency_gate_uses_p99():
    X, ids = stream(40)
    r = dep.CanaryRouter(
        Const(1),
        Const(1, sleep_s=0.02),
        schedule=(0.5, 1.0),
        interval_requests=20,
        min_gate_requests=2,
        max_p99_latency_ms=5.0,
        n_consecutive=1,
    ).fit()
    r.replay(X, request_ids=ids, batch_size=5)
    h = r.history()
    assert h.loc[0, "failed_gates"] == "p99_latency_ms" and h.loc[0, "p99_latency_ms"] >= 20
    assert r.status_ == "rolled_back"


def test_too_few_candidate_requests_are_not_judged():
    X, ids = stream(400, flag=slice(None))
    r = (
        dep.CanaryRouter(
            Echo(),
            Echo(shift=3),
            schedule=(0.05, 1.0),
            interval_requests=100,
            min_gate_requests=1000,
        )
        .fit()
        .replay(X, request_ids=ids)
    )
    assert r.history()["action"].eq("wait").all() and r.status_ == "canary"


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        (
            {"schedule": (0.05, 1.5)},
            ValueError,
            r"'schedule' parameter of CanaryRouter must be a float in \(0.0, 1.0\]",
        ),
        ({"schedule": (-0.1, 1.0)}, ValueError, r"must be a float in \(0.0, 1.0\]"),
        ({"schedule": (0.5, 0.25, 1.0)}, ValueError, "strictly increasing and end at 1.0"),
        ({"schedule": (0.25, 0.25, 1.0)}, ValueError, "strictly increasing"),
        ({"schedule": (0.1, 0.5)}, ValueError, "end at 1.0"),
        ({"schedule": ()}, ValueError, "non-empty sequence"),
        ({"interval_requests": 0}, ValueError, "'interval_requests' parameter"),
        ({"min_agreement": 1.2}, ValueError, "'min_agreement' parameter"),
        ({"n_consecutive": 1.5}, TypeError, "'n_consecutive' parameter"),
    ],
)
def test_canary_bad_parameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        dep.CanaryRouter(Echo(), Echo(), **kwargs).fit()


def test_canary_bad_requests_and_models():
    with pytest.raises(
        TypeError, match="'candidate' parameter of CanaryRouter must be a fitted model"
    ):
        dep.CanaryRouter(Echo(), object()).fit()
    with pytest.raises(NotFittedError, match="Call fit"):
        dep.CanaryRouter(Echo(), Echo()).route(np.zeros((1, 2)), request_ids=["a"])
    r = dep.CanaryRouter(Echo(), Echo()).fit()
    with pytest.raises(ValueError, match="empty stream"):
        r.replay(np.zeros((0, 2)), request_ids=[])
    with pytest.raises(ValueError, match="same length"):
        r.route(np.zeros((3, 2)), request_ids=["a", "b"])
    with pytest.raises(ValueError, match="needs request_ids"):
        r.route(np.zeros((3, 2)), request_ids=None)


# ------------------------------------------------------------------- shadow


def test_shadow_never_returns_the_candidate_output():
    X, ids = stream(300)
    y_live = np.arange(300) % 10
    r = dep.ShadowRouter(None, Const(99), stop_at_confidence=False).fit()
    out = [
        r.predict(X[i : i + 30], request_ids=ids[i : i + 30], y_live=y_live[i : i + 30])
        for i in range(0, 300, 30)
    ]
    assert np.array_equal(np.concatenate(out), y_live)
    assert 99 not in np.concatenate(out)
    assert r.agreement_ == 0.0 and r.n_compared_ == 300
    assert (r.requests_frame()["y_candidate"] == 99).all()
    with_live = dep.ShadowRouter(Echo(), Const(99)).fit()
    assert np.array_equal(with_live.predict(X, request_ids=ids), Echo().predict(X))


def test_shadow_stops_at_the_first_n_with_the_required_half_width():
    X, ids = stream(3000)
    y_live = Echo().predict(X)
    y_live[::4] = (y_live[::4] + 1) % 10  # candidate agrees on 75 %
    r = dep.ShadowRouter(None, Echo(), max_half_width=0.04, min_agreement=0.6).fit()
    r.replay(X, request_ids=ids, y_live=y_live, batch_size=100)
    agree = (Echo().predict(X) == y_live).astype(int)
    n = np.arange(1, 3001)
    low, high = dep.wilson_interval(np.cumsum(agree), n)
    expected = int(n[np.flatnonzero((high - low) / 2 <= 0.04)[0]])
    assert r.n_to_confidence_ == expected == r.n_compared_
    assert r.n_requests_ == 3000
    assert r.agreement_ == pytest.approx(agree[:expected].mean())
    assert r.verdict_ == "ready"
    assert r.curve_["n"][-1] == expected


def test_shadow_needs_a_live_decision():
    r = dep.ShadowRouter(None, Echo()).fit()
    with pytest.raises(ValueError, match="needs y_live"):
        r.route(np.zeros((2, 2)), request_ids=["a", "b"])
    with pytest.raises(ValueError, match="'max_half_width' parameter"):
        dep.ShadowRouter(None, Echo(), max_half_width=0.0).fit()


# ------------------------------------------------------------------- blue/green


def test_bluegreen_switch_needs_a_passed_preview_and_rolls_back_instantly():
    X, ids = stream(200)
    r = dep.BlueGreenRouter(Const(0), Const(1), auto_rollback=False).fit(X)
    with pytest.raises(RuntimeError, match="passed preview"):
        r.switch()
    assert r.preview(X, np.ones(200))["passed"] is True  # green is perfect on y=1
    r.switch()
    assert set(r.predict(X, request_ids=ids)) == {1}
    seconds = r.rollback()
    assert 0 < seconds < 1 and r.live_ == "blue"
    assert set(r.predict(X, request_ids=ids)) == {0}
    with pytest.raises(RuntimeError, match="already live"):
        r.rollback()


def test_bluegreen_preview_refuses_a_worse_green():
    X, _ = stream(100)
    r = dep.BlueGreenRouter(Echo(), Const(1)).fit(X)
    assert r.preview(X, Echo().predict(X))["passed"] is False
    with pytest.raises(RuntimeError, match="passed preview"):
        r.switch()


def test_bluegreen_switch_is_atomic_under_concurrent_traffic():
    X, _ = stream(20)
    r = dep.BlueGreenRouter(Const(0), Const(1), keep_warm_requests=10**9, auto_rollback=False).fit(
        X
    )
    r.preview(X, np.ones(20))
    batches, stop = [], threading.Event()

    def client(k):
        while not stop.is_set():
            out = r.route(X, request_ids=[f"{k}-{i}" for i in range(20)])
            batches.append((out["y_pred"].copy(), out["version"].copy()))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for _ in range(20):
        r.switch()
        r.rollback()
    stop.set()
    for t in threads:
        t.join()
    for y, version in batches:  # every batch served entirely by one version
        assert len(set(y)) == 1 and len(set(version)) == 1
        assert y[0] == (1 if version[0] == "green" else 0)


def test_bluegreen_auto_rollback_on_psi_and_retirement_after_keep_warm():
    X, ids = stream(3000)
    bad = dep.BlueGreenRouter(Echo(), Const(3), interval_requests=100, keep_warm_requests=500).fit(
        X
    )
    bad.preview(X[:10], Const(3).predict(X[:10]))
    bad.switch().replay(X[:1000], request_ids=ids[:1000])
    assert bad.rollback_request_ == 100 and bad.live_ == "blue" and bad.rollback_s_ < 1
    assert bad.history()["action"].tolist() == ["rollback"]

    good = dep.BlueGreenRouter(Echo(), Echo(), interval_requests=100, keep_warm_requests=500).fit(X)
    good.preview(X, Echo().predict(X))
    good.switch().replay(X[:1000], request_ids=ids[:1000])
    assert good.live_ == "green" and good.retired_ == "blue"
    with pytest.raises(RuntimeError, match="retired after the keep-warm delay"):
        good.rollback()


def test_bluegreen_bad_input():
    with pytest.raises(ValueError, match="needs reference inputs"):
        dep.BlueGreenRouter(Echo(), Echo()).fit(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="'keep_warm_requests' parameter"):
        dep.BlueGreenRouter(Echo(), Echo(), keep_warm_requests=-1).fit(np.zeros((1, 2)))
    r = dep.BlueGreenRouter(Echo(), Echo()).fit(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="non-empty labelled preview"):
        r.preview(np.zeros((0, 2)), [])
