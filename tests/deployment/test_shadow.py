"""Shadow mode: Wilson intervals, simulated operators, the sequential test, each clip once."""

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
    r = dep.ShadowRouter(None, Const(99), stop_when_decided=False).fit()
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


def _bernoulli_verdicts(p, *, n_streams=2000, max_n=400, **test):
    rng = np.random.default_rng(12345)
    out = [dep.sequential_agreement_test(rng.random(max_n) < p, **test) for _ in range(n_streams)]
    verdicts = np.array([o["verdict"] for o in out])
    return {v: float(np.mean(verdicts == v)) for v in ["pass", "fail", "undecided"]}, out


TEST = {"min_agreement": 0.65, "indifference": 0.1, "alpha": 0.05, "beta": 0.05}
MC_TOL = 3 * np.sqrt(0.05 * 0.95 / 2000)  # three Monte-Carlo standard errors over 2000 streams


@pytest.mark.parametrize("p", [0.45, 0.55])  # at and below p0
def test_sequential_test_passes_a_bad_candidate_at_most_alpha_of_the_time(p):
    rates, _ = _bernoulli_verdicts(p, **TEST)
    assert rates["pass"] <= 0.05 + MC_TOL, (
        f"p={p}: pass rate {rates['pass']:.4f} > alpha (rates {rates})"
    )
    assert rates["fail"] > 0.9, f"p={p}: fail rate {rates['fail']:.4f} (rates {rates})"


@pytest.mark.parametrize("p", [0.65, 0.75])  # at and above p1
def test_sequential_test_fails_a_good_candidate_at_most_beta_of_the_time(p):
    rates, _ = _bernoulli_verdicts(p, **TEST)
    assert rates["fail"] <= 0.05 + MC_TOL, (
        f"p={p}: fail rate {rates['fail']:.4f} > beta (rates {rates})"
    )
    assert rates["pass"] > 0.9, f"p={p}: pass rate {rates['pass']:.4f} (rates {rates})"


def test_sequential_test_bounds_hold_under_truncation_and_can_be_broken():
    # a budget of 30 leaves most streams undecided but never raises the wrong-verdict rate
    rates, out = _bernoulli_verdicts(0.55, max_n=30, **TEST)
    assert rates["undecided"] > 0.3 and rates["pass"] <= 0.05, f"budget 30, p=0.55: {rates}"
    assert max(o["n"] for o in out) <= 30
    # the check can fail: with alpha=0.5 the bad candidate passes far more than 5 % of the time
    loose = {**TEST, "alpha": 0.5, "indifference": 0.02}
    rates, _ = _bernoulli_verdicts(0.63, **loose)
    assert rates["pass"] > 0.05, f"loose test, p=0.63: {rates}"


def test_sequential_test_stops_at_the_first_boundary_crossing():
    agree = np.array([1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    out = dep.sequential_agreement_test(agree, **TEST)
    up, down = np.log(0.65 / 0.55), np.log(0.35 / 0.45)
    llr = np.cumsum(np.where(agree == 1, up, down))
    first = int(np.flatnonzero(llr >= np.log(20))[0]) + 1
    assert out["verdict"] == "pass" and out["n"] == first
    assert out["llr"] == pytest.approx(llr[:first])
    assert dep.sequential_agreement_test(np.zeros(50), **TEST)["verdict"] == "fail"
    with pytest.raises(ValueError, match="'indifference' parameter of sequential_agreement_test"):
        dep.sequential_agreement_test([1], min_agreement=0.3, indifference=0.4)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        dep.sequential_agreement_test([1], alpha=0.0)


def test_shadow_stops_when_the_sequential_test_decides():
    X, ids = stream(3000)
    y_live = Echo().predict(X)
    y_live[::4] = (y_live[::4] + 1) % 10  # candidate agrees on 75 %
    r = dep.ShadowRouter(None, Echo(), min_agreement=0.7, indifference=0.1).fit()
    r.replay(X, request_ids=ids, y_live=y_live, batch_size=100)
    agree = (Echo().predict(X) == y_live).astype(int)
    expected = dep.sequential_agreement_test(agree, min_agreement=0.7, indifference=0.1)
    assert r.verdict_ == expected["verdict"] == "pass"
    assert r.n_to_decision_ == expected["n"] == r.n_compared_
    assert r.llr_ == pytest.approx(expected["llr"][-1])
    assert r.n_requests_ == 3000
    assert r.agreement_ == pytest.approx(agree[: expected["n"]].mean())
    assert r.curve_["n"][-1] == expected["n"]
    assert (r.requests_frame()["y_candidate"].isna()).sum() > 2000  # candidate no longer called


def test_shadow_fails_a_poor_candidate_and_respects_its_budget():
    X, ids = stream(600)
    y_live = Echo().predict(X)
    y_live[::2] = (y_live[::2] + 1) % 10  # candidate agrees on 50 %
    r = dep.ShadowRouter(None, Echo(), min_agreement=0.8).fit()
    assert r.replay(X, request_ids=ids, y_live=y_live).verdict_ == "fail"
    short = dep.ShadowRouter(None, Echo(), min_agreement=0.8, max_compared=5).fit()
    short.replay(X, request_ids=ids, y_live=y_live)
    assert (short.n_compared_, short.verdict_) == (5, "undecided")


def test_shadow_counts_each_group_once():
    X, ids = stream(300)
    groups = np.arange(300) % 50  # 50 clips, each requested 6 times
    y_live = Echo().predict(X)
    y_live[groups < 10] = (y_live[groups < 10] + 1) % 10  # 10 clips the candidate gets wrong
    kw = {"stop_when_decided": False}
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
    with pytest.raises(ValueError, match="'indifference' parameter of ShadowRouter"):
        dep.ShadowRouter(None, Echo(), min_agreement=0.5, indifference=0.6).fit()
    with pytest.raises(ValueError, match="'max_compared' parameter of ShadowRouter"):
        dep.ShadowRouter(None, Echo(), max_compared=0).fit()


def test_shadow_table_reports_each_router():
    X, ids = stream(300)
    y_live = Echo().predict(X)
    y_live[::4] = (y_live[::4] + 1) % 10
    routers = {
        name: dep.ShadowRouter(None, model, stop_when_decided=False)
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
        "clips to decision",
        "verdict",
    ]
    assert table.loc["echo", "agreement"] == pytest.approx(0.75)
    assert table.loc["echo", "ci_low"] == routers["echo"].ci_[0]
    assert table.loc["const", "agreement"] == 0.0 and table.loc["const", "verdict"] == "fail"


def test_plot_shadow_draws_one_curve_per_router():
    import matplotlib

    matplotlib.use("Agg")
    X, ids = stream(200)
    r = dep.ShadowRouter(None, Echo()).fit().replay(X, request_ids=ids, y_live=Echo().predict(X))
    fig = dep.plot_shadow({"echo": r})
    assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("echo (")


def test_repeat_shadow_matches_the_router_for_each_seed():
    from sklearn.model_selection import GroupShuffleSplit

    rng = np.random.default_rng(0)
    n = 400
    y = np.arange(n) % 10
    speakers = np.repeat(np.arange(10), 40)
    cond = np.where(np.arange(n) % 4 == 0, "low_bandwidth", "clean")
    X = np.column_stack([y + rng.normal(0, 1.5, n), rng.normal(size=n)])
    test = {"min_agreement": 0.6, "indifference": 0.1}
    table = dep.repeat_shadow(
        X, y, groups=speakers, condition=cond, n_requests=300, random_states=(0, 1), **test
    )
    assert table.index.tolist() == [0, 1]
    for seed in (0, 1):
        split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
        train, pool = next(split.split(X, y, groups=speakers))
        models = dep.train_versions(X, y, train, condition=cond, random_state=seed)
        index, ids = dep.sample_requests(len(pool), n_requests=300, random_state=seed)
        y_op = dep.simulate_operator_decisions(
            y[pool][index], accuracy=0.95, labels=np.arange(10), random_state=seed
        )
        for name in ["good", "bad"]:
            r = dep.ShadowRouter(None, models[name], **test).fit()
            r.replay(X[pool][index], request_ids=ids, y_live=y_op, groups=index)
            assert table.loc[seed, f"verdict_{name}"] == r.verdict_
            assert table.loc[seed, f"clips_{name}"] == (r.n_to_decision_ or r.n_compared_)
    text = dep.describe_shadow_seeds(table)
    assert text.startswith("- **good**: pass on ") and "of 2 seeds" in text
    with pytest.raises(ValueError, match="same length"):
        dep.repeat_shadow(X, y[:-1], groups=speakers, condition=cond, n_requests=10)
