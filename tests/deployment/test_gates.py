"""The canary's decision rule and the what-if plot over other thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit import deployment as dep
from tests.deployment._routing import Echo, RaisesOnNegative, stream


def _row(n=50, err=0.0, p99=5.0, psi=0.0, agree=1.0):
    return {
        "n_candidate": n,
        "error_rate": err,
        "p99_latency_ms": p99,
        "psi": psi,
        "agreement": agree,
        "n_overall": n,
        "agree_overall": np.nan if np.isnan(agree) else round(agree * n),
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
        ([_row(err=0.2)] * 2, {"n_steps": 2}, ["hold", "rollback"], ["error_rate"] * 2),
        # one error in 50 requests is no evidence of an error rate above 1 %
        ([_row(err=0.02)] * 2, {"n_steps": 2}, ["hold", "advance"], [""] * 2),
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
        # 45 of 50 agree: the upper bound is above 0.9, not enough to show a 0.1 accuracy drop
        ([_row(agree=0.9)] * 2, {"n_steps": 2}, ["hold", "advance"], [""] * 2),
        # a weaker stable model (0.7 accurate) lowers the floor to 0.3: 25 of 50 pass
        (
            [_row(agree=0.5)] * 2,
            {"n_steps": 2, "stable_accuracy": 0.7},
            ["hold", "advance"],
            [""] * 2,
        ),
        # per segment: 40 of 40 agree overall-ish, but 2 of 10 on one segment fails it
        (
            [{**_row(), "n_phone": 10, "agree_phone": 2}] * 2,
            {"n_steps": 2, "stable_accuracy": {"overall": 0.9, "phone": 0.9}},
            ["hold", "rollback"],
            ["agreement:phone"] * 2,
        ),
        # PSI above max_psi but within sampling noise for 50 examples and 10 labels
        (
            [{**_row(psi=0.5), "n_examples": 50, "n_labels": 10}] * 2,
            {"n_steps": 2},
            ["hold", "advance"],
            [""] * 2,
        ),
    ],
)
def test_evaluate_gates_decisions(rows, kwargs, actions, failed):
    out = dep.evaluate_gates(rows, **kwargs)
    assert out["action"].tolist() == actions
    assert out["failed_gates"].tolist() == failed


def _failing_windows(n=4000):
    X, ids = stream(n)
    X[np.r_[np.arange(400, 800), np.arange(1400, 1800)], 0] = -1  # the candidate raises there
    return X, ids


def test_router_decides_with_evaluate_gates():
    X, ids = _failing_windows()
    gates = {"intervals_per_step": 1, "n_consecutive": 3, "min_gate_requests": 10}
    r = dep.CanaryRouter(
        Echo(), RaisesOnNegative(), schedule=(0.25, 0.5, 1.0), interval_requests=200, **gates
    ).fit()
    r.replay(X, request_ids=ids, batch_size=64)
    h = r.history()
    replayed = dep.evaluate_gates(h, n_steps=3, **gates)
    assert replayed["action"].tolist() == h["action"].tolist()
    assert replayed["passed"].tolist() == h["passed"].tolist()
    assert "hold" in h["action"].tolist() and r.status_ == "promoted"
    stricter = dep.evaluate_gates(h, n_steps=3, **{**gates, "n_consecutive": 2})
    assert "rollback" in stricter["action"].tolist()


def test_agreement_floor_and_psi_noise():
    assert dep.agreement_floor(0.9, max_accuracy_drop=0.1) == pytest.approx(0.7)
    # the floor is a bound: a candidate 0.1 less accurate can still agree on exactly the floor
    y = np.arange(100) % 10
    stable = np.where(np.arange(100) < 90, y, (y + 1) % 10)  # 0.9 accurate
    cand = np.where(np.arange(100) >= 30, y, (y + 2) % 10)  # 0.7, right where stable is wrong
    assert np.mean(cand == stable) == pytest.approx(dep.agreement_floor(0.9, max_accuracy_drop=0.2))
    with pytest.raises(ValueError, match="'stable_accuracy' parameter of agreement_floor"):
        dep.agreement_floor(1.5)
    assert dep.psi_noise(50, 10) == pytest.approx(0.6767, abs=1e-3)
    assert dep.psi_noise(500, 10, n_reference=500) == pytest.approx(0.0677, abs=1e-3)
    rng = np.random.default_rng(0)
    from mlkit._stats import psi

    null = [
        psi(rng.integers(0, 10, 200), rng.integers(0, 10, 200), categorical=True, eps=0.01)
        for _ in range(400)
    ]
    share = np.mean(np.array(null) > dep.psi_noise(200, 10))
    assert share < 0.1, f"PSI of two samples of one distribution above its 95 % noise: {share}"


def test_evaluate_gates_bad_input():
    with pytest.raises(ValueError, match=r"Got columns \['n_candidate'\]; missing"):
        dep.evaluate_gates([{"n_candidate": 1}], n_steps=2)
    with pytest.raises(ValueError, match="'n_steps' parameter of evaluate_gates"):
        dep.evaluate_gates([_row()], n_steps=0)
    assert dep.evaluate_gates([], n_steps=1).empty


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
        {"cand": h}, n_steps=3, max_accuracy_drop=0.8, max_psi=0.25, n_consecutive=3
    )
    strict = dep.plot_gate_whatif(
        {"cand": h}, n_steps=3, max_accuracy_drop=0.1, max_psi=0.25, n_consecutive=1
    )
    label = lambda fig: fig.axes[0].get_legend().get_texts()[0].get_text()  # noqa: E731
    expected = dep.evaluate_gates(h, n_steps=3, n_consecutive=1, max_psi=0.25)
    assert "rollback" in expected["action"].tolist()
    assert label(strict).startswith("cand: rolled back") and label(lenient) != label(strict)
    assert len(strict.axes) == 2
    import matplotlib.pyplot as plt

    plt.close(lenient)
    plt.close(strict)


@pytest.mark.parametrize("auto_rollback", [True, False])
def test_gates_match_router_on_replays_and_catches_a_tampered_history(auto_rollback):
    flag = np.r_[np.arange(400, 800), np.arange(1400, 1800)]
    X, ids = stream(4000, flag=flag)
    r = dep.CanaryRouter(
        Echo(),
        Echo(shift=3),
        schedule=(0.25, 0.5, 1.0),
        interval_requests=200,
        intervals_per_step=1,
        n_consecutive=2,
        min_gate_requests=10,
        auto_rollback=auto_rollback,
    ).fit()
    r.replay(X, request_ids=ids, batch_size=64)
    assert dep.gates_match_router(r)
    r.intervals_[0]["action"] = "promote"
    assert not dep.gates_match_router(r)
