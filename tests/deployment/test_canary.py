"""Canary release: sticky assignment, schedule, gates, rollback, the PSI gate."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from mlkit import deployment as dep
from mlkit._stats import psi
from tests.deployment._routing import Const, Echo, RaisesOnNegative, small_canary, stream


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
    r = small_canary(Echo(shift=3), n_consecutive=n_consecutive)
    y = r.replay(X, request_ids=ids, batch_size=50)
    assert r.status_ == "rolled_back" and r.canary_weight_ == 0.0
    assert r.rollback_interval_ == n_consecutive - 1
    h = r.history()
    # a relabelling (digit + 3) keeps the label distribution: agreement fails, PSI may not
    assert h.loc[: n_consecutive - 1, "failed_gates"].str.contains("agreement").all()
    assert h.loc[n_consecutive:, "candidate_share"].eq(0.0).all()
    assert y is r


def test_isolated_failure_does_not_roll_back_and_resets_the_count():
    X, ids = stream(2000)
    X[200:400, 0] = -1  # the candidate raises in interval 1 only (errors are judged per interval)
    r = small_canary(RaisesOnNegative(), n_consecutive=2)
    r.replay(X, request_ids=ids)
    h = r.history()
    assert h["passed"].tolist()[:3] == [True, False, True]
    assert r.consecutive_failures_ == 0 and r.status_ == "promoted"
    assert r.first_failure_interval_ == 1


def test_report_only_mode_records_failures_but_never_rolls_back():
    X, ids = stream(2000, flag=slice(None))
    r = small_canary(Echo(shift=3), auto_rollback=False).replay(X, request_ids=ids)
    assert r.status_ == "promoted" and r.rollback_interval_ is None
    assert r.first_failure_interval_ == 0


def test_errors_fall_back_to_stable_and_trip_the_error_gate():
    X, ids = stream(400)
    X[::5, 0] = -1  # the candidate raises on these rows
    r = small_canary(RaisesOnNegative(), n_consecutive=2)
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


def test_agreement_accumulates_one_count_per_example_and_per_segment():
    X, ids = stream(2000)
    groups = np.arange(2000) % 100  # 100 clips, each requested 20 times
    segments = np.where(groups < 20, "phone", "app")
    X[:, 1] = (groups < 20).astype(float)  # Echo(shift=3) is wrong exactly on the phone clips
    acc = {"overall": 0.95, "phone": 0.95, "app": 0.95}
    r = small_canary(Echo(shift=3), stable_accuracy=acc)
    r.replay(X, request_ids=ids, groups=groups, segments=segments)
    h = r.history()
    assert h["n_examples"].max() <= 100 and r.n_examples_ <= 100
    judged = h.dropna(subset=["n_app"])
    assert (judged["agree_phone"] == 0).all() and (judged["agree_app"] == judged["n_app"]).all()
    assert r.status_ == "rolled_back" and "agreement:phone" in h.loc[0, "failed_gates"]
    # overall, 80 % agreement is no evidence of a 0.1 drop from 0.95 (floor 0.8): only the
    # segment shows it
    assert "agreement," not in h.loc[0, "failed_gates"] + ","
    text = dep.describe_canary({"bad": r})
    assert text.startswith("- **bad**: *rolled back* at interval 1, after 400 requests; failed:")
    assert "agreement on phone: 0 of " in text and "< floor 0.80" in text
    pooled = small_canary(Echo(shift=3), stable_accuracy=0.95)
    pooled.replay(X, request_ids=ids, groups=groups, segments=segments)
    assert pooled.status_ == "promoted"
    assert "*promoted* at interval" in dep.describe_canary({"pooled": pooled})
    with pytest.raises(ValueError, match="same length"):
        r.route(X[:3], request_ids=ids[:3], groups=[1, 2])


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
        r = small_canary(Const(3), psi_epsilon=eps, auto_rollback=False)
        r.replay(X, request_ids=ids)
        first = r.requests_frame().iloc[:200]
        cand = first[first["version"] == "candidate"]
        expected = psi(cand["y_stable"], cand["y_pred"], categorical=True, eps=eps)
        values[eps] = r.history().loc[0, "psi"]
        assert values[eps] == pytest.approx(expected, rel=1e-12)
    # the candidate never predicts 9 of the 10 digits, so the floor decides the value
    assert values[0.001] > values[0.01] + 0.5


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
        ({"max_accuracy_drop": 1.2}, ValueError, "'max_accuracy_drop' parameter"),
        ({"stable_accuracy": 1.2}, ValueError, "'stable_accuracy' parameter"),
        ({"stable_accuracy": {}}, ValueError, "must name at least one segment"),
        ({"confidence": 0.4}, ValueError, "'confidence' parameter"),
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


def test_canary_table_keeps_the_decision_columns_rounded():
    X, ids = stream(1000, flag=slice(None))
    r = small_canary(Echo(shift=3))
    r.replay(X, request_ids=ids)
    table = dep.canary_table(r)
    assert table.columns.tolist() == list(dep.HISTORY_COLUMNS)
    assert len(table) == 5 and table["action"].tolist()[:2] == ["hold", "rollback"]
    assert table["psi"].equals(r.history()["psi"].round(3))
    assert dep.canary_table(r, columns=["interval"], decimals=1).columns.tolist() == ["interval"]


def test_plot_canary_draws_three_rows_per_router():
    import matplotlib

    matplotlib.use("Agg")
    X, ids = stream(1000, flag=slice(None))
    routers = {
        name: small_canary(Echo(shift=shift)).replay(X, request_ids=ids)
        for name, shift in [("good", 0), ("bad", 3)]
    }
    fig = dep.plot_canary(routers, title="t")
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "good: promoted"
    assert fig.axes[1].get_title() == "bad: rolled back"
