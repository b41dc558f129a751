"""Router units: sticky assignment, schedule, gates, rollback, PSI, Wilson, shadow, blue/green."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.exceptions import NotFittedError

from mlkit import deployment as dep
from mlkit import monitoring as mon


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


@pytest.mark.parametrize(("n_pool", "n_requests"), [(10, 1), (10, 10), (10, 25), (1, 3)])
def test_sample_requests_is_without_replacement_within_a_pass(n_pool, n_requests):
    index, ids = dep.sample_requests(n_pool, n_requests=n_requests, random_state=3)
    assert index.shape == ids.shape == (n_requests,)
    first = index[: min(n_pool, n_requests)]
    assert len(set(first.tolist())) == first.size  # no repeat before the pool is used up
    counts = np.bincount(index, minlength=n_pool)
    assert counts.max() - counts.min() <= (1 if n_requests >= n_pool else counts.max())
    again, _ = dep.sample_requests(n_pool, n_requests=n_requests, random_state=3)
    assert np.array_equal(index, again)


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


def test_canary_psi_gate_is_monitoring_psi_with_the_router_epsilon():
    X, ids = stream(400)
    values = {}
    for eps in (0.01, 0.001):
        r = dep.CanaryRouter(
            Echo(),
            Const(3),
            schedule=(0.5, 1.0),
            interval_requests=200,
            min_gate_requests=10,
            psi_epsilon=eps,
            auto_rollback=False,
        ).fit()
        r.replay(X, request_ids=ids)
        first = r.requests_frame().iloc[:200]
        cand = first[first["version"] == "candidate"]
        expected = mon.psi(cand["y_stable"], cand["y_pred"], categorical=True, eps=eps)
        values[eps] = r.history().loc[0, "psi"]
        assert values[eps] == pytest.approx(expected, rel=1e-12)
    # the candidate never predicts 9 of the 10 digits, so the floor decides the value
    assert values[0.001] > values[0.01] + 0.5


def _row(n=50, err=0.0, p99=5.0, psi=0.0, agree=1.0):
    return {
        "n_candidate": n,
        "error_rate": err,
        "p99_latency_ms": p99,
        "psi": psi,
        "agreement": agree,
    }


@pytest.mark.parametrize(
    ("rows", "kwargs", "actions", "failed"),
    [
        ([_row()] * 4, {"n_steps": 2}, ["hold", "advance", "hold", "promote"], [""] * 4),
        (
            [_row()] * 3,
            {"n_steps": 2, "intervals_per_step": 1},
            ["advance", "promote", ""],
            [""] * 3,
        ),
        ([_row(err=0.05)] * 2, {"n_steps": 2}, ["hold", "rollback"], ["error_rate"] * 2),
        (
            [_row(p99=300.0), _row(), _row(p99=300.0), _row(p99=300.0)],
            {"n_steps": 3},
            ["hold", "hold", "hold", "rollback"],
            ["p99_latency_ms", "", "p99_latency_ms", "p99_latency_ms"],
        ),
        (
            [_row(n=5, agree=0.0), _row(psi=np.nan, agree=np.nan)],
            {"n_steps": 2, "n_consecutive": 1},
            ["wait", "rollback"],
            ["", "psi,agreement"],
        ),
        (
            [_row(agree=0.5)] * 3,
            {"n_steps": 2, "auto_rollback": False},
            ["hold", "advance", "hold"],
            ["agreement"] * 3,
        ),
        ([_row(n=100, err=np.nan)], {"n_steps": 2}, ["wait"], [""]),
        ([_row(psi=0.3)] * 2, {"n_steps": 2, "max_psi": 0.5}, ["hold", "advance"], [""] * 2),
    ],
)
def test_evaluate_gates_decisions(rows, kwargs, actions, failed):
    out = dep.evaluate_gates(rows, **kwargs)
    assert out["action"].tolist() == actions
    assert out["failed_gates"].tolist() == failed


def test_router_decides_with_evaluate_gates():
    flag = np.r_[np.arange(400, 800), np.arange(1400, 1800)]
    X, ids = stream(4000, flag=flag)
    gates = {"intervals_per_step": 1, "n_consecutive": 3, "min_gate_requests": 10}
    r = dep.CanaryRouter(
        Echo(), Echo(shift=3), schedule=(0.25, 0.5, 1.0), interval_requests=200, **gates
    ).fit()
    r.replay(X, request_ids=ids, batch_size=64)
    h = r.history()
    replayed = dep.evaluate_gates(h, n_steps=3, **gates)
    assert replayed["action"].tolist() == h["action"].tolist()
    assert replayed["passed"].tolist() == h["passed"].tolist()
    assert "hold" in h["action"].tolist() and r.status_ == "promoted"
    stricter = dep.evaluate_gates(h, n_steps=3, **{**gates, "n_consecutive": 2})
    assert "rollback" in stricter["action"].tolist()


def test_evaluate_gates_bad_input():
    with pytest.raises(ValueError, match=r"Got columns \['n_candidate'\]; missing"):
        dep.evaluate_gates([{"n_candidate": 1}], n_steps=2)
    with pytest.raises(ValueError, match="'n_steps' parameter of evaluate_gates"):
        dep.evaluate_gates([_row()], n_steps=0)
    assert dep.evaluate_gates([], n_steps=1).empty


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


def test_shadow_counts_each_group_once():
    X, ids = stream(300)
    groups = np.arange(300) % 50  # 50 clips, each requested 6 times
    y_live = Echo().predict(X)
    y_live[groups < 10] = (y_live[groups < 10] + 1) % 10  # 10 clips the candidate gets wrong
    kw = {"max_half_width": 0.01, "stop_at_confidence": False}
    grouped = dep.ShadowRouter(None, Echo(), **kw).fit()
    grouped.replay(X, request_ids=ids, y_live=y_live, groups=groups, batch_size=40)
    naive = dep.ShadowRouter(None, Echo(), **kw).fit()
    naive.replay(X, request_ids=ids, y_live=y_live, batch_size=40)
    assert (grouped.n_compared_, grouped.n_agree_) == (50, 40)
    assert (naive.n_compared_, naive.n_agree_) == (300, 240)
    ci = binomtest(40, 50).proportion_ci(method="wilson")
    assert grouped.ci_ == pytest.approx((ci.low, ci.high), abs=1e-12)
    width = {name: r.ci_[1] - r.ci_[0] for name, r in [("grouped", grouped), ("naive", naive)]}
    assert width["grouped"] > 2 * width["naive"]  # repeats made the naive interval too narrow
    with pytest.raises(ValueError, match="same length"):
        grouped.route(X[:3], request_ids=ids[:3], y_live=y_live[:3], groups=[1, 2])


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
    r.switch()
    with pytest.raises(RuntimeError, match=r"Got live_='green'.*Call rollback\(\) to return"):
        r.switch()


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
    assert bad.rollback_exposure_requests_ == 100
    assert bad.history()["action"].tolist() == ["rollback"]

    good = dep.BlueGreenRouter(Echo(), Echo(), interval_requests=100, keep_warm_requests=500).fit(X)
    good.preview(X, Echo().predict(X))
    good.switch().replay(X[:1000], request_ids=ids[:1000])
    assert good.live_ == "green" and good.retired_ == "blue"
    with pytest.raises(RuntimeError, match="retired after the keep-warm delay"):
        good.rollback()


def test_bluegreen_reference_from_pre_switch_traffic_and_exposure():
    X, ids = stream(1000)
    r = dep.BlueGreenRouter(Echo(), Const(3), interval_requests=100).fit()
    assert r.reference_y_pred_ is None
    r.preview(X[:10], Const(3).predict(X[:10]))
    with pytest.raises(RuntimeError, match="blue answered no request yet"):
        r.switch()
    r.replay(X[:150], request_ids=ids[:150], batch_size=50)
    r.switch()
    assert np.array_equal(r.reference_y_pred_, Echo().predict(X[:150]))
    r.replay(X[150:], request_ids=ids[150:], batch_size=50)
    assert (r.switch_request_, r.rollback_request_) == (150, 250)
    assert r.rollback_exposure_requests_ == 100 and r.live_ == "blue"


@pytest.mark.parametrize(
    ("keep_warm", "auto_rollback", "actions"),
    [
        (50, True, ["breach: redeploy needed"] * 3),
        (5000, False, ["breach"] * 3),
        (5000, True, ["rollback"]),
    ],
)
def test_bluegreen_breach_is_recorded_when_it_cannot_roll_back(keep_warm, auto_rollback, actions):
    X, ids = stream(300)
    r = dep.BlueGreenRouter(
        Echo(),
        Const(3),
        interval_requests=100,
        keep_warm_requests=keep_warm,
        auto_rollback=auto_rollback,
    ).fit(X)
    r.preview(X[:10], Const(3).predict(X[:10]))
    r.switch().replay(X, request_ids=ids, batch_size=50)
    assert r.history()["action"].tolist() == actions
    assert (r.live_ == "green") == (actions[0] != "rollback")


@pytest.mark.parametrize("eps", [0.01, 0.001])
def test_bluegreen_psi_uses_its_epsilon(eps):
    X, ids = stream(200)
    r = dep.BlueGreenRouter(
        Echo(), Const(3), interval_requests=100, psi_epsilon=eps, auto_rollback=False
    ).fit(X)
    r.preview(X[:10], Const(3).predict(X[:10]))
    r.switch().replay(X[:100], request_ids=ids[:100])
    expected = mon.psi(Echo().predict(X), np.full(100, 3), categorical=True, eps=eps)
    assert r.history().loc[0, "psi"] == pytest.approx(expected, rel=1e-12)


def test_bluegreen_bad_input():
    with pytest.raises(ValueError, match="needs reference inputs"):
        dep.BlueGreenRouter(Echo(), Echo()).fit(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="'keep_warm_requests' parameter"):
        dep.BlueGreenRouter(Echo(), Echo(), keep_warm_requests=-1).fit(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="'psi_epsilon' parameter of BlueGreenRouter"):
        dep.BlueGreenRouter(Echo(), Echo(), psi_epsilon=0.5).fit()
    with pytest.raises(NotFittedError, match="Call fit"):
        dep.BlueGreenRouter(Echo(), Echo()).switch()
    r = dep.BlueGreenRouter(Echo(), Echo()).fit(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="non-empty labelled preview"):
        r.preview(np.zeros((0, 2)), [])


def test_plot_gate_whatif_shows_the_decision_of_each_threshold():
    import matplotlib

    matplotlib.use("Agg")
    flag = np.r_[np.arange(400, 800), np.arange(1400, 1800)]
    X, ids = stream(4000, flag=flag)
    gates = {"intervals_per_step": 1, "min_gate_requests": 10}
    r = dep.CanaryRouter(
        Echo(),
        Echo(shift=3),
        schedule=(0.25, 0.5, 1.0),
        interval_requests=200,
        auto_rollback=False,
        **gates,
    ).fit()
    r.replay(X, request_ids=ids, batch_size=64)
    h = r.history()
    lenient = dep.plot_gate_whatif(
        {"cand": h}, n_steps=3, min_agreement=0.8, max_psi=0.25, n_consecutive=3
    )
    strict = dep.plot_gate_whatif(
        {"cand": h}, n_steps=3, min_agreement=0.8, max_psi=0.25, n_consecutive=1
    )
    label = lambda fig: fig.axes[0].get_legend().get_texts()[0].get_text()  # noqa: E731
    expected = dep.evaluate_gates(h, n_steps=3, n_consecutive=1, min_agreement=0.8, max_psi=0.25)
    assert "rollback" in expected["action"].tolist()
    assert label(strict).startswith("cand: rolled back") and label(lenient) != label(strict)
    assert len(strict.axes) == 2
    import matplotlib.pyplot as plt

    plt.close(lenient)
    plt.close(strict)
