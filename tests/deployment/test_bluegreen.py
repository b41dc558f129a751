"""Blue/green: preview, atomic switch, rollback, PSI monitoring, the notebook's replay."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from mlkit import deployment as dep
from mlkit._stats import psi
from tests.deployment._routing import Const, Echo, stream


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
    expected = psi(Echo().predict(X), np.full(100, 3), categorical=True, eps=eps)
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


def test_replay_bluegreen_switches_only_after_a_passed_preview():
    X, ids = stream(1000)
    y = Echo().predict(X)
    routers = dep.replay_bluegreen(
        Echo(),
        {"same": Echo(), "worse": Const(3)},
        X,
        request_ids=ids,
        X_preview=X[:100],
        y_preview=y[:100],
        switch_at=200,
        n_requests=800,
        batch_size=50,
        interval_requests=100,
        preview_tolerance=0.1,
    )
    assert list(routers) == ["same", "worse"]
    assert all(r.n_requests_ == 800 for r in routers.values())
    same, worse = routers["same"], routers["worse"]
    assert same.live_ == "green" and same.switch_request_ == 200
    assert not worse.preview_["passed"] and worse.switch_request_ is None and worse.live_ == "blue"
    with pytest.raises(ValueError, match="'switch_at' parameter of replay_bluegreen"):
        dep.replay_bluegreen(Echo(), {}, X, request_ids=ids, X_preview=X, y_preview=y, switch_at=0)


def test_describe_bluegreen_texts():
    X, ids = stream(600)
    bad = dep.BlueGreenRouter(Echo(), Const(3), interval_requests=100, keep_warm_requests=500)
    bad = bad.fit(X)
    bad.preview(X[:10], Const(3).predict(X[:10]))
    bad.switch().replay(X, request_ids=ids, batch_size=50)
    text = dep.describe_rollback(bad, name="bad", requests_per_s=20.0)
    assert text.startswith("bad green answered 100 requests (5 s at 20 requests/s) before the ")
    assert text.endswith(" µs")
    assert "(failed: psi,agreement)" in text
    assert dep.describe_live(bad, name="bad") == (
        "bad green still live: no; blue retired after the keep-warm delay: no"
    )
    assert dep.describe_preview(bad.preview_, name="bad", set_name="desk") == (
        f"bad green: preview accuracy 1.000 vs blue {bad.preview_['blue_accuracy']:.3f} "
        "on 10 desk clips -> passed"
    )
    never = dep.BlueGreenRouter(Echo(), Echo()).fit(X)
    assert dep.describe_rollback(never, name="g", requests_per_s=1.0) == (
        "g green was never switched to, so never rolled back"
    )
    never.preview(X[:10], Echo().predict(X[:10]))
    kept = never.switch().replay(X, request_ids=ids)
    assert dep.describe_rollback(kept, name="g", requests_per_s=1.0) == (
        "g green was switched to and never rolled back"
    )
    assert dep.describe_live(kept, name="g") == (
        "g green still live: yes; blue retired after the keep-warm delay: no"
    )
    with pytest.raises(ValueError, match="'requests_per_s' parameter of describe_rollback"):
        dep.describe_rollback(never, name="g", requests_per_s=0.0)


def test_plot_bluegreen_marks_switch_and_rollback():
    import matplotlib

    matplotlib.use("Agg")
    X, ids = stream(400)
    r = dep.BlueGreenRouter(Echo(), Const(3), interval_requests=100).fit(X)
    r.preview(X[:10], Const(3).predict(X[:10]))
    r.replay(X[:100], request_ids=ids[:100])
    r.switch().replay(X[100:], request_ids=ids[100:])
    fig = dep.plot_bluegreen({"bad": r})
    assert fig.axes[0].get_title() == "bad: rolled back"
    assert len(fig.axes[0].lines) == 2  # switch and rollback marked


def test_bluegreen_rolls_back_on_a_defect_in_one_segment_that_psi_misses():
    X, ids = stream(1200)
    groups = np.arange(1200) % 100  # 100 clips, each requested 12 times
    X[:, 1] = (groups < 20).astype(float)  # Echo(shift=3) is wrong exactly on the phone clips
    kw = dict(per_request={"groups": groups, "segments": np.where(groups < 20, "phone", "app")})
    kw |= dict(X_preview=X[20:60], y_preview=Echo().predict(X[20:60]), switch_at=200)
    kw |= dict(interval_requests=100, keep_warm_requests=600)
    acc = {"overall": 0.95, "phone": 0.95, "app": 0.95}
    r = dep.replay_bluegreen(
        Echo(), {"g": Echo(shift=3)}, X, request_ids=ids, stable_accuracy=acc, **kw
    )["g"]
    h = r.history()
    assert r.rollback_request_ is not None and r.live_ == "blue"
    assert h.loc[0, "failed"] == "agreement:phone" and h.loc[0, "action"] == "rollback"
    assert h.loc[0, "n_examples"] <= 100  # each clip once
    # overall agreement (80 %) is no evidence of a 0.1 drop from 0.95, and a relabelling
    # keeps the label distribution: without the segments nothing fires
    pooled = dep.replay_bluegreen(
        Echo(), {"g": Echo(shift=3)}, X, request_ids=ids, stable_accuracy=0.95, **kw
    )["g"]
    assert pooled.rollback_request_ is None and pooled.live_ == "green"
    assert not pooled.history()["failed"].str.contains("agreement").any()


def test_bluegreen_psi_check_ignores_sampling_noise():
    X, ids = stream(2000)
    r = dep.BlueGreenRouter(
        Echo(), Echo(), interval_requests=20, max_psi=0.25, auto_rollback=False
    ).fit(X[:30])
    r.preview(X[:10], Echo().predict(X[:10]))
    r.switch().replay(X, request_ids=ids, batch_size=20)
    h = r.history()
    # 30 reference answers vs 20 live ones of the same model: PSI > 0.25 is mostly noise
    fails = h["failed"].str.contains("psi")
    assert (fails == (h["psi"] > np.maximum(0.25, h["psi_noise"]))).all()
    assert (h["psi"] > 0.25).sum() > 3 * fails.sum(), (h["psi"] > 0.25).mean()
