"""Shadow mode: Wilson intervals, simulated operators, the tally, counting each clip once."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from mlkit import deployment as dep
from tests.deployment._routing import Const, Echo, stream


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


def test_simulate_operator_decisions_accuracy_and_mistakes():
    y = np.tile(np.arange(10), 2000)
    op = dep.simulate_operator_decisions(y, accuracy=0.9, random_state=1)
    assert abs(np.mean(op == y) - 0.9) < 0.01
    assert set(np.unique(op)) <= set(range(10))
    with pytest.raises(ValueError, match="at least 2 labels"):
        dep.simulate_operator_decisions([1, 1], accuracy=0.5)
    with pytest.raises(ValueError, match="'accuracy' parameter"):
        dep.simulate_operator_decisions([1, 2], accuracy=1.5)


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


def test_shadow_table_reports_each_router():
    X, ids = stream(300)
    y_live = Echo().predict(X)
    y_live[::4] = (y_live[::4] + 1) % 10
    routers = {
        name: dep.ShadowRouter(None, model, stop_at_confidence=False)
        .fit()
        .replay(X, request_ids=ids, y_live=y_live)
        for name, model in [("echo", Echo()), ("const", Const(99))]
    }
    table = dep.shadow_table(routers)
    assert table.index.tolist() == ["echo", "const"]
    assert table.columns.tolist() == [
        "unique clips compared",
        "agreement",
        "ci_low",
        "ci_high",
        "clips to confidence",
        "verdict",
    ]
    assert table.loc["echo", "agreement"] == pytest.approx(0.75)
    assert table.loc["echo", "ci_low"] == routers["echo"].ci_[0]
    assert table.loc["const", "agreement"] == 0.0 and table.loc["const", "verdict"] == "not ready"


def test_plot_shadow_draws_one_curve_per_router():
    import matplotlib

    matplotlib.use("Agg")
    X, ids = stream(200)
    r = dep.ShadowRouter(None, Echo()).fit().replay(X, request_ids=ids, y_live=Echo().predict(X))
    fig = dep.plot_shadow({"echo": r})
    assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("echo (")
