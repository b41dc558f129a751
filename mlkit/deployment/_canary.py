"""Canary release: a growing, sticky share of traffic to a candidate, judged by gates.

Serves "Canary release" of ``notebooks/05_deployment.ipynb``; the decision rule itself is
:func:`mlkit.deployment.evaluate_gates` (``_gates.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from mlkit._stats import psi
from mlkit._validation import check_float, check_int, check_request_batch, check_same_length
from mlkit.deployment._gates import (
    OVERALL,
    _one_sided,
    _stable_accuracy,
    agreement_floor,
    agreement_headroom,
    evaluate_gates,
    psi_noise,
)
from mlkit.deployment._router import _call, _check_model, _Router, assign_bucket

__all__ = [
    "CanaryRouter",
    "HISTORY_COLUMNS",
    "canary_table",
    "describe_canary",
    "plot_canary",
]

HISTORY_COLUMNS = (
    "interval",
    "canary_weight",
    "n_candidate",
    "n_examples",
    "agreement",
    "psi",
    "p99_latency_ms",
    "failed_gates",
    "action",
)
"""Columns of :meth:`CanaryRouter.history` that show a rollout's decisions at a glance."""


class CanaryRouter(_Router):
    """Send a growing share of traffic to a candidate; promote it or roll it back on gates.

    Parameters
    ----------
    stable : estimator
        The version in production (anything with ``predict``).
    candidate : estimator
        The new version.
    schedule : sequence of float, default=(0.05, 0.25, 0.5, 1.0)
        Canary weights (share of traffic to the candidate), strictly increasing, in (0, 1],
        ending at 1.0.
    interval_requests : int, default=1000
        Requests per interval; gates are checked at the end of each interval.
    intervals_per_step : int, default=2
        Passing intervals needed at a weight before moving to the next one (at the last
        weight: before promotion).
    n_consecutive : int, default=2
        Roll back to weight 0 when the gates fail in this many consecutive intervals.
    min_gate_requests : int, default=30
        Intervals where the candidate served fewer requests are not judged (too noisy).
    max_error_rate : float, default=0.01
        Gate: share of candidate requests that raised, in [0, 1]; fails when the interval's
        one-sided lower Wilson bound is above it.
    max_p99_latency_ms : float, default=250.0
        Gate: 99th percentile of the candidate's latency, in ms.
    max_psi : float, default=0.25
        Gate: PSI of the candidate's predicted labels against the stable model's predictions
        for the same examples, all compared so far (see :func:`mlkit.monitoring.psi`; 0.25
        is the "significant shift" rule of thumb). Fails only above the sampling noise too
        (:func:`psi_noise`).
    max_accuracy_drop : float, default=0.1
        Gate, overall and per segment: fails when the agreement with the stable model is
        too low for the candidate's accuracy to be within this of the stable model's (see
        :func:`agreement_floor`), at `confidence`.
    stable_accuracy : float or dict of str to float, optional
        The stable model's accuracy, measured on labelled data: overall (a float, or the key
        ``"overall"``) and per segment (the values passed as `segments` to :meth:`route`).
        None: 1.0 overall, so the candidate must agree on ``1 - max_accuracy_drop`` of the
        examples.
    confidence : float, default=0.95
        One-sided level of the error-rate and agreement bounds and the PSI noise, in
        (0.5, 1).
    psi_epsilon : float, default=0.01
        Proportion given to a class one of the two models never predicted (the `eps` of
        :func:`mlkit.monitoring.psi`), in (0, 0.1]. With about 50 candidate requests per
        interval one request is 2 %; 1 % instead of the monitoring default 1e-4 keeps a
        single request in a class the other model never predicted from dominating the index.
    auto_rollback : bool, default=True
        False runs the gates in report-only mode: failures are recorded, the schedule goes
        on (useful to see what the gates would have done).
    salt : str, default="canary"
        Salt of the sticky assignment (see :func:`assign_bucket`).

    Attributes
    ----------
    canary_weight_ : float
        Current share of traffic sent to the candidate (0 after a rollback, 1 after promotion).
    step_ : int
        Position in `schedule`.
    status_ : {"canary", "promoted", "rolled_back"}
    n_requests_ : int
        Requests routed so far.
    consecutive_failures_ : int
        Intervals in a row whose gates failed.
    intervals_ : list of dict
        One record per closed interval: weight, candidate share, gate metrics, verdict, action.
    rollback_interval_, promotion_interval_ : int or None
        Interval at which the candidate was rolled back / promoted.
    first_failure_interval_ : int or None
        First interval whose gates failed (also in report-only mode).
    n_examples_ : int
        Distinct examples (`groups`) the candidate answered while the stable model scored them.

    Notes
    -----
    Assignment is sticky: a request goes to the candidate when its id's sha256 bucket
    (:func:`assign_bucket`) is below the weight, so a client keeps its version while the
    weight stays, and candidate clients stay candidates when the weight grows. The stable
    model also scores the candidate's requests (off the response path) so that agreement and
    PSI compare both versions on the same inputs; a candidate that raises is answered by the
    stable model and counted as an error.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = np.zeros((20, 1)), np.arange(20) % 2
    >>> m = DummyClassifier(strategy="most_frequent").fit(X, y)
    >>> router = CanaryRouter(m, m, interval_requests=10, min_gate_requests=1).fit()
    >>> router.canary_weight_
    0.05
    """

    def __init__(
        self,
        stable,
        candidate,
        *,
        schedule: Sequence[float] = (0.05, 0.25, 0.5, 1.0),
        interval_requests: int = 1000,
        intervals_per_step: int = 2,
        n_consecutive: int = 2,
        min_gate_requests: int = 30,
        max_error_rate: float = 0.01,
        max_p99_latency_ms: float = 250.0,
        max_psi: float = 0.25,
        max_accuracy_drop: float = 0.1,
        stable_accuracy=None,
        confidence: float = 0.95,
        psi_epsilon: float = 0.01,
        auto_rollback: bool = True,
        salt: str = "canary",
    ):
        self.stable = stable
        self.candidate = candidate
        self.schedule = schedule
        self.interval_requests = interval_requests
        self.intervals_per_step = intervals_per_step
        self.n_consecutive = n_consecutive
        self.min_gate_requests = min_gate_requests
        self.max_error_rate = max_error_rate
        self.max_p99_latency_ms = max_p99_latency_ms
        self.max_psi = max_psi
        self.max_accuracy_drop = max_accuracy_drop
        self.stable_accuracy = stable_accuracy
        self.confidence = confidence
        self.psi_epsilon = psi_epsilon
        self.auto_rollback = auto_rollback
        self.salt = salt

    def _validate(self):
        cls = "CanaryRouter"
        _check_model(self.stable, "stable", cls)
        _check_model(self.candidate, "candidate", cls)
        sched = list(self.schedule) if isinstance(self.schedule, Sequence) else None
        if not sched:
            raise ValueError(
                f"The 'schedule' parameter of {cls} must be a non-empty sequence of weights "
                f"such as (0.05, 0.25, 0.5, 1.0). Got {self.schedule!r} instead."
            )
        for w in sched:
            check_float(w, "schedule", low=0.0, high=1.0, inclusive=(False, True), func=cls)
        if any(b <= a for a, b in zip(sched, sched[1:], strict=False)) or sched[-1] != 1.0:
            raise ValueError(
                f"The 'schedule' parameter of {cls} must be strictly increasing and end at "
                f"1.0. Got {sched!r} instead. For example (0.05, 0.25, 0.5, 1.0)."
            )
        self._schedule = [float(w) for w in sched]
        check_int(self.interval_requests, "interval_requests", min_value=1, func=cls)
        check_int(self.intervals_per_step, "intervals_per_step", min_value=1, func=cls)
        check_int(self.n_consecutive, "n_consecutive", min_value=1, func=cls)
        check_int(self.min_gate_requests, "min_gate_requests", min_value=1, func=cls)
        check_float(self.max_error_rate, "max_error_rate", low=0.0, high=1.0, func=cls)
        check_float(self.max_p99_latency_ms, "max_p99_latency_ms", low=0.0, func=cls)
        check_float(self.max_psi, "max_psi", low=0.0, func=cls)
        check_float(self.max_accuracy_drop, "max_accuracy_drop", low=0.0, high=1.0, func=cls)
        self._segments = _stable_accuracy(self.stable_accuracy, cls)
        check_float(
            self.confidence, "confidence", low=0.5, high=1.0, inclusive=(False, False), func=cls
        )
        check_float(
            self.psi_epsilon, "psi_epsilon", low=0.0, high=0.1, inclusive=(False, True), func=cls
        )

    def fit(self, X=None, y=None):
        """Validate the parameters and start the rollout at the first weight.

        Parameters
        ----------
        X, y : ignored
            Present for API consistency; the canary learns only from live traffic.

        Returns
        -------
        self : CanaryRouter

        Raises
        ------
        ValueError
            If a weight is outside (0, 1], the schedule is not strictly increasing or does
            not end at 1.0, or another parameter is out of range.
        TypeError
            If a model has no ``predict`` method.
        """
        self._validate()
        self._lock = threading.Lock()
        self.step_ = 0
        self.canary_weight_ = self._schedule[0]
        self.status_ = "canary"
        self.n_requests_ = 0
        self.consecutive_failures_ = 0
        self.intervals_ = []
        self.rollback_interval_ = None
        self.promotion_interval_ = None
        self.first_failure_interval_ = None
        self._log_parts = []
        self._seen_groups = set()
        self._cum = {"y_c": [], "y_s": [], "segment": []}
        self._reset_interval()
        return self

    @property
    def n_examples_(self) -> int:
        """Distinct examples compared so far (the candidate answered, the stable model scored)."""
        self._check_fitted()
        return int(sum(len(part) for part in self._cum["y_c"]))

    @property
    def n_requests_to_promote(self) -> int:
        """Fewest requests after which a candidate that passes every gate is promoted."""
        return len(list(self.schedule)) * self.intervals_per_step * self.interval_requests

    def _reset_interval(self):
        self._cur = {"n": 0, "n_cand": 0, "y_c": [], "y_s": [], "lat": [], "err": []}

    def assign(self, request_ids) -> np.ndarray:
        """Return the version each request id goes to under the current weight.

        Parameters
        ----------
        request_ids : array-like of str of shape (n_requests,)

        Returns
        -------
        ndarray of str of shape (n_requests,)
            ``"candidate"`` or ``"stable"``; pure (does not change the router).

        Raises
        ------
        mlkit.errors.NotFittedError
            If :meth:`fit` was not called first.
        """
        self._check_fitted()
        to_cand = assign_bucket(list(np.asarray(request_ids).astype(str)), salt=self.salt)
        return np.where(to_cand < self.canary_weight_, "candidate", "stable")

    def route(self, X, *, request_ids, groups=None, segments=None):
        """Serve a micro-batch: split it by sticky assignment, predict, update gates.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)
        groups : array-like of shape (n_requests,), optional
            The example behind each request (for example a clip); agreement and PSI count
            each example once. Default: every request is its own example.
        segments : array-like of str of shape (n_requests,), optional
            The traffic segment of each request (for example its recording condition or
            channel), for the per-segment agreement gates of `stable_accuracy`.

        Returns
        -------
        dict
            ``y_pred`` (what the clients get), ``version`` (who answered) and
            ``latency_ms``, each an ndarray of shape (n_requests,).

        Raises
        ------
        mlkit.errors.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty or `request_ids`, `groups` or `segments` has another length.
        """
        self._check_fitted()
        X, ids = check_request_batch(X, request_ids, "CanaryRouter.route")
        extra = {"groups": groups, "segments": segments}
        extra = {k: np.asarray(v) for k, v in extra.items() if v is not None}
        if extra:
            check_same_length("CanaryRouter.route", X=X, **extra)
        groups, segments = extra.get("groups"), extra.get("segments")
        parts = []
        with self._lock:
            start = 0
            while start < len(X):
                room = self.interval_requests - self._cur["n"]
                sl = slice(start, start + room)
                parts.append(
                    self._serve(
                        X[sl],
                        ids[sl],
                        None if groups is None else groups[sl],
                        None if segments is None else segments[sl],
                    )
                )
                start += room
                if self._cur["n"] == self.interval_requests:
                    self._close_interval()
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def _serve(self, X, ids, groups, segments):
        n = len(X)
        version = self.assign(ids)
        if self.status_ == "promoted":
            y, lat, err = _call(self.candidate, X)
            y_s = np.full(n, None, dtype=object)
            served = y
            self._cur["n_cand"] += n
        else:
            y_s, lat, err_s = _call(self.stable, X)
            served = y_s.astype(object) if err_s.any() else y_s.copy()
            err = err_s.copy()
            cand = version == "candidate"
            if cand.any():
                y_c, lat_c, err_c = _call(self.candidate, X[cand])
                if y_c.dtype != served.dtype:
                    served = served.astype(object)
                served[cand] = np.where(err_c, y_s[cand], y_c)  # fall back to stable
                lat[cand], err[cand] = lat_c, err_c
                self._cur["y_c"].append(y_c)
                self._cur["y_s"].append(y_s[cand])
                self._cur["lat"].append(lat_c)
                self._cur["err"].append(err_c)
                self._cur["n_cand"] += int(cand.sum())
                self._tally(y_c, y_s[cand], err_c, groups, segments, cand)
        self._cur["n"] += n
        self.n_requests_ += n
        self._log(
            request_id=ids,
            version=version,
            y_pred=served,
            y_stable=y_s,
            latency_ms=lat,
            error=err,
            canary_weight=np.full(n, self.canary_weight_),
        )
        return {"y_pred": served, "version": version, "latency_ms": lat}

    def _tally(self, y_c, y_s, err_c, groups, segments, cand):
        counted = ~err_c
        if groups is not None:
            for i, g in enumerate(groups[cand].tolist()):
                counted[i] = counted[i] and g not in self._seen_groups
                if counted[i]:
                    self._seen_groups.add(g)
        seg = (
            np.full(int(cand.sum()), "", dtype=object)
            if segments is None
            else segments[cand].astype(object)
        )
        self._cum["y_c"].append(np.asarray(y_c)[counted])
        self._cum["y_s"].append(np.asarray(y_s)[counted])
        self._cum["segment"].append(seg[counted])

    def _gate_metrics(self):
        c = self._cur
        if c["n_cand"] == 0:
            return {}
        err, lat = np.concatenate(c["err"]), np.concatenate(c["lat"])
        out = {"error_rate": float(err.mean()), "p99_latency_ms": float(np.percentile(lat, 99))}
        y_c, y_s = np.concatenate(self._cum["y_c"]), np.concatenate(self._cum["y_s"])
        seg = np.concatenate(self._cum["segment"])
        if y_c.size:
            agree = y_c == y_s
            out["agreement"] = float(np.mean(agree))
            out["psi"] = psi(y_s, y_c, categorical=True, eps=self.psi_epsilon)
            out["n_examples"] = int(y_c.size)
            out["n_labels"] = len(set(y_c.tolist()) | set(y_s.tolist()))
            for name in self._segments:
                mask = np.ones(y_c.size, bool) if name == OVERALL else seg == name
                out[f"n_{name}"] = int(mask.sum())
                out[f"agree_{name}"] = int(agree[mask].sum())
        return out

    def _close_interval(self):
        k = len(self.intervals_)
        c = self._cur
        rec = {
            "interval": k,
            "end_request": self.n_requests_,
            "canary_weight": self.canary_weight_,
            "candidate_share": c["n_cand"] / c["n"] if c["n"] else 0.0,
            "n_candidate": c["n_cand"],
            "error_rate": np.nan,
            "p99_latency_ms": np.nan,
            "psi": np.nan,
            "agreement": np.nan,
            "n_examples": np.nan,
            "n_labels": np.nan,
            **{f"{p}_{name}": np.nan for name in self._segments for p in ("n", "agree")},
            "passed": None,
            "failed_gates": "",
            "action": "",
        }
        judging = self.status_ == "canary"
        if judging and c["n_cand"] >= self.min_gate_requests:
            rec.update(self._gate_metrics())
        self.intervals_.append(rec)
        self._reset_interval()
        if not judging:
            return
        last = evaluate_gates(
            self.intervals_,
            n_steps=len(self._schedule),
            intervals_per_step=self.intervals_per_step,
            n_consecutive=self.n_consecutive,
            min_gate_requests=self.min_gate_requests,
            max_error_rate=self.max_error_rate,
            max_p99_latency_ms=self.max_p99_latency_ms,
            max_psi=self.max_psi,
            max_accuracy_drop=self.max_accuracy_drop,
            stable_accuracy=self.stable_accuracy,
            confidence=self.confidence,
            auto_rollback=self.auto_rollback,
        ).iloc[-1]
        rec.update(passed=last["passed"], failed_gates=last["failed_gates"], action=last["action"])
        if last["passed"] is False and self.first_failure_interval_ is None:
            self.first_failure_interval_ = k
        self.consecutive_failures_ = int(last["consecutive_failures"])
        self.step_ = int(last["step"])
        self.status_ = last["status"]
        if self.status_ == "rolled_back":
            self.canary_weight_ = 0.0
            self.rollback_interval_ = k
        elif self.status_ == "promoted":
            self.canary_weight_ = 1.0
            self.promotion_interval_ = k
        else:
            self.canary_weight_ = self._schedule[self.step_]

    def history(self):
        """Return one row per closed interval (weights, gate metrics, verdicts, actions).

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        self._check_fitted()
        return pd.DataFrame(self.intervals_)


def canary_table(router, *, columns=HISTORY_COLUMNS, decimals: int = 3):
    """Return a canary's interval history reduced to its decisions, rounded for display.

    Parameters
    ----------
    router : CanaryRouter
        A fitted (usually replayed) canary router.
    columns : sequence of str, default=HISTORY_COLUMNS
        Columns of :meth:`CanaryRouter.history` to keep, in this order.
    decimals : int, default=3
        Decimals of the numeric columns.

    Returns
    -------
    pandas.DataFrame
        One row per closed interval.

    Raises
    ------
    mlkit.errors.NotFittedError
        If the router was not fitted.
    KeyError
        If a column is not in the history (for example before the first closed interval).

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> r = CanaryRouter(m, m, interval_requests=10, min_gate_requests=1).fit()
    >>> r = r.replay(np.zeros((20, 1)), request_ids=[str(i) for i in range(20)])
    >>> canary_table(r)["interval"].tolist()
    [0, 1]
    """
    return router.history()[list(columns)].round(decimals)


def _bound(router, stable_accuracy, row, segment):
    """Agreement's one-sided upper bound and its floor on one segment of a history row."""
    _, high = _one_sided([row[f"agree_{segment}"]], [row[f"n_{segment}"]], router.confidence)
    floor = agreement_floor(stable_accuracy[segment], max_accuracy_drop=router.max_accuracy_drop)
    return float(high[0]), floor


def describe_canary(routers: dict) -> str:
    """Say what each canary rollout decided, when, and on which evidence.

    Parameters
    ----------
    routers : dict of str to CanaryRouter
        Replayed canary routers keyed by a label.

    Returns
    -------
    str
        Markdown, one bullet per rollout: the outcome and its interval; for a rollback the
        gates that failed, with the agreement's upper bound and its floor on the failing
        segment; for a promotion (or an open rollout) the segment closest to its floor.

    Raises
    ------
    mlkit.errors.NotFittedError
        If a router was not fitted.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> r = CanaryRouter(m, m, schedule=(0.5, 1.0), interval_requests=20,
    ...                  min_gate_requests=1, intervals_per_step=1).fit()
    >>> r = r.replay(np.zeros((60, 1)), request_ids=[f"c{i}" for i in range(60)])
    >>> print(describe_canary({"same": r}))
    - **same**: *promoted* at interval 1; closest to its floor: overall, agreement bound 1.00 vs floor 0.90.
    """
    lines = []
    for name, r in routers.items():
        h = r.history()
        acc = _stable_accuracy(r.stable_accuracy, "describe_canary")

        if r.status_ == "rolled_back":
            row = h.loc[r.rollback_interval_]
            parts = []
            for gate in str(row["failed_gates"]).split(","):
                seg = OVERALL if gate == "agreement" else gate.partition(":")[2]
                if gate.startswith("agreement") and f"n_{seg}" in h:
                    high, floor = _bound(r, acc, row, seg)
                    parts.append(
                        f"agreement on {seg}: {int(row[f'agree_{seg}'])} of "
                        f"{int(row[f'n_{seg}'])} clips, upper bound {high:.2f} < floor "
                        f"{floor:.2f}, so its accuracy there is below the stable model's "
                        f"{acc[seg]:.2f} - {r.max_accuracy_drop:g}"
                    )
                else:
                    parts.append(gate)
            lines.append(
                f"- **{name}**: *rolled back* at interval {r.rollback_interval_}, after "
                f"{int(row['end_request'])} requests; failed: {'; '.join(parts)}."
            )
            continue
        judged = h[h["passed"].notna()]
        room = agreement_headroom(
            judged,
            stable_accuracy=r.stable_accuracy,
            max_accuracy_drop=r.max_accuracy_drop,
            confidence=r.confidence,
        )
        outcome = (
            f"*promoted* at interval {r.promotion_interval_}"
            if r.status_ == "promoted"
            else "*still in canary*"
        )
        if room.empty or room.iloc[-1].isna().all():
            lines.append(f"- **{name}**: {outcome}.")
            continue
        seg = room.iloc[-1].idxmin()
        high, floor = _bound(r, acc, judged.iloc[-1], seg)
        lines.append(
            f"- **{name}**: {outcome}; closest to its floor: {seg}, agreement bound "
            f"{high:.2f} vs floor {floor:.2f}."
        )
    return "\n".join(lines)


def plot_canary(routers: dict, *, title: str | None = None):
    """Plot traffic share and gate metrics over time for one or more canary rollouts.

    Parameters
    ----------
    routers : dict of str to CanaryRouter
        Replayed routers keyed by a label (for example ``{"good": r1, "bad": r2}``);
        one column each.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Rows: candidate traffic share (weight and realised share); per segment, the
        agreement's upper bound minus its floor (below 0 fails); PSI against the stable model
        with `max_psi` dashed and the sampling noise dotted. Crosses mark failed gates;
        promotion and rollback are marked.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        3, len(routers), figsize=(5.2 * len(routers), 7.2), sharex="col", squeeze=False
    )
    for j, (label, r) in enumerate(routers.items()):
        h = r.history()
        x = h["end_request"]
        ax = axes[0, j]
        ax.step(x, h["canary_weight"], where="pre", label="weight at interval", color="C0")
        ax.plot(x, h["candidate_share"], "o", ms=3, label="realised share", color="C1")
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"{label}: {r.status_.replace('_', ' ')}")
        if j == 0:
            ax.set_ylabel("candidate traffic share")
            ax.legend(loc="upper left", fontsize=8)
        room = agreement_headroom(
            h,
            stable_accuracy=r.stable_accuracy,
            max_accuracy_drop=r.max_accuracy_drop,
            confidence=r.confidence,
        )
        failed = h["failed_gates"].fillna("").astype(str)
        ax = axes[1, j]
        colors = ["C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9"]  # red (C3) marks failures
        for k, seg in enumerate(room.columns):
            ax.plot(x, room[seg], "-o", ms=3, color=colors[k % len(colors)], label=seg)
            fail = failed.str.contains(
                "agreement(?:,|$)" if seg == OVERALL else f"agreement:{seg}(?:,|$)", regex=True
            )
            ax.plot(x[fail], room.loc[fail, seg], "x", ms=8, color="C3")
        ax.axhline(0.0, ls="--", color="grey", lw=1)
        if j == 0:
            ax.set_ylabel("agreement bound - floor\n(< 0: accuracy drop)")
        if len(room.columns) > 1:
            ax.legend(loc="best", fontsize=7)
        ax = axes[2, j]
        fail = failed.str.contains("psi").to_numpy()
        ax.plot(x, h["psi"], "-o", ms=3, color="C2")
        ax.plot(x[fail], h.loc[fail, "psi"], "x", ms=8, color="C3", label="gate failed")
        ax.axhline(r.max_psi, ls="--", color="grey", lw=1)
        if "n_examples" in h:
            noise = psi_noise(h["n_examples"], h["n_labels"], confidence=r.confidence)
            ax.plot(x, noise, ":", color="grey", lw=1, label="sampling noise (95 %)")
            ax.set_ylim(0, max(1.0, float(np.nanmax(h["psi"].to_numpy(float), initial=0)) * 1.1))
        if j == 0:
            ax.set_ylabel("PSI vs stable")
            ax.legend(loc="upper right", fontsize=7)
        for ax in axes[:, j]:
            for idx, color, _text in [
                (r.promotion_interval_, "C2", "promoted"),
                (r.rollback_interval_, "C3", "rolled back"),
            ]:
                if idx is not None:
                    ax.axvline(h.loc[idx, "end_request"], color=color, lw=1.5, alpha=0.7)
            ax.grid(alpha=0.3)
        for idx, color, text in [
            (r.promotion_interval_, "C2", "promoted"),
            (r.rollback_interval_, "C3", "rolled back"),
        ]:
            if idx is not None:
                axes[0, j].annotate(
                    text,
                    (h.loc[idx, "end_request"], 0.6),
                    color=color,
                    xytext=(4, 0),
                    textcoords="offset points",
                    fontsize=9,
                )
        axes[-1, j].set_xlabel("requests served")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
