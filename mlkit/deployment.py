"""Deployment patterns: canary, shadow mode and blue/green routers for two model versions.

The module also holds the statistics the routers need that are not drift statistics (Wilson
intervals, sticky buckets) and :func:`evaluate_gates`, the canary's decision rule. PSI comes
from :func:`mlkit.monitoring.psi`, the kit's one implementation of the drift statistic.

Every router serves requests in micro-batches through ``route``/``predict`` (the HTTP server
in :mod:`mlkit.serving` calls the same methods with one request at a time) and keeps its
traffic state in attributes ending in ``_``. ``replay`` pushes a recorded request stream
through a router, micro-batch by micro-batch, so a whole rollout can be watched offline.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence

import numpy as np

from mlkit._stats import psi, wilson_interval
from mlkit._validation import check_float, check_int, check_random_state, check_same_length

__all__ = [
    "wilson_interval",
    "evaluate_gates",
    "assign_bucket",
    "sample_requests",
    "simulate_operator_decisions",
    "CanaryRouter",
    "ShadowRouter",
    "BlueGreenRouter",
    "plot_canary",
    "plot_gate_whatif",
    "plot_shadow",
    "plot_bluegreen",
]

# --------------------------------------------------------------------------- statistics


def assign_bucket(request_ids, *, salt: str = "") -> np.ndarray:
    """Map request ids to stable pseudo-random numbers in [0, 1) with sha256.

    Parameters
    ----------
    request_ids : str or sequence of str
        Request, session or user ids.
    salt : str, default=""
        Mixed into the hash so that two experiments split traffic independently.

    Returns
    -------
    ndarray of shape (n_requests,), dtype float64
        The first 8 bytes of ``sha256(salt + ":" + id)`` divided by 2**64. The same id (and
        salt) gives the same number in every call, process and machine, unlike Python's
        ``hash()``, which is salted per process.

    Examples
    --------
    >>> u = assign_bucket(["client-1", "client-2", "client-1"], salt="demo")
    >>> bool(u[0] == u[2]), bool(0 <= u.min() and u.max() < 1)
    (True, True)
    """
    if isinstance(request_ids, str):
        request_ids = [request_ids]
    out = np.empty(len(request_ids))
    for i, rid in enumerate(request_ids):
        digest = hashlib.sha256(f"{salt}:{rid}".encode()).digest()
        out[i] = int.from_bytes(digest[:8], "big") / 2.0**64
    return out


def sample_requests(n_pool: int, *, n_requests: int, n_clients: int = 1000, random_state=0):
    """Draw a request stream from a pool of examples, each request from one of many clients.

    Parameters
    ----------
    n_pool : int
        Number of examples to draw from (for example held-out clips), >= 1.
    n_requests : int
        Length of the stream, >= 1. Examples are drawn without replacement while
        ``n_requests <= n_pool``; a longer stream chains fresh permutations of the pool, so
        every example appears once per pass (and the first `n_pool` requests are distinct).
    n_clients : int, default=1000
        Clients sending the requests; the request id is the client id, so a client's
        requests stay on one version under sticky routing.
    random_state : int or numpy.random.Generator, default=0
        Seeds the draws.

    Returns
    -------
    index : ndarray of shape (n_requests,), dtype int64
        Position of each request's example in the pool.
    request_ids : ndarray of shape (n_requests,), dtype str
        ``"client-0042"``-style ids.

    Examples
    --------
    >>> index, ids = sample_requests(5, n_requests=3, n_clients=10)
    >>> index.shape, len(set(index.tolist())), ids[0].startswith("client-")
    ((3,), 3, True)
    >>> sorted(np.bincount(sample_requests(5, n_requests=12)[0]).tolist())  # 2.4 passes
    [2, 2, 2, 3, 3]

    Notes
    -----
    Repeats of one example are not independent trials: a statistic that treats requests as
    independent (a binomial interval, a test) must count each example once (see the
    `groups` argument of :meth:`ShadowRouter.route`) or resample whole examples.
    """
    n_pool = check_int(n_pool, "n_pool", min_value=1, func="sample_requests")
    n_requests = check_int(n_requests, "n_requests", min_value=1, func="sample_requests")
    n_clients = check_int(n_clients, "n_clients", min_value=1, func="sample_requests")
    rng = check_random_state(random_state)
    n_passes = -(-n_requests // n_pool)
    index = np.concatenate([rng.permutation(n_pool) for _ in range(n_passes)])[:n_requests]
    clients = rng.integers(0, n_clients, size=n_requests)
    width = len(str(n_clients - 1))
    ids = np.array([f"client-{c:0{width}d}" for c in clients])
    return index, ids


def simulate_operator_decisions(y, *, accuracy: float = 0.95, labels=None, random_state=0):
    """Simulate human operators who label each request correctly with a known accuracy.

    Parameters
    ----------
    y : array-like of shape (n_requests,)
        True labels.
    accuracy : float, default=0.95
        Probability that an operator gives the true label, in [0, 1]. Otherwise they give
        one of the other `labels`, uniformly.
    labels : array-like, optional
        The label set; default: the unique values of `y` (at least 2).
    random_state : int or numpy.random.Generator, default=0
        Seeds the operators' mistakes.

    Returns
    -------
    ndarray of shape (n_requests,)
        The operators' decisions.

    Raises
    ------
    ValueError
        If `y` is empty, `accuracy` is outside [0, 1] or fewer than 2 labels exist.

    Examples
    --------
    >>> simulate_operator_decisions([1, 2, 3], accuracy=1.0).tolist()
    [1, 2, 3]
    """
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError("simulate_operator_decisions needs at least one label. Got none.")
    acc = check_float(accuracy, "accuracy", low=0.0, high=1.0, func="simulate_operator_decisions")
    labels = np.unique(y) if labels is None else np.unique(np.asarray(labels))
    if labels.size < 2:
        raise ValueError(
            "simulate_operator_decisions needs at least 2 labels to make mistakes with. "
            f"Got {labels.tolist()!r}. Pass labels=[...]."
        )
    rng = check_random_state(random_state)
    wrong = rng.random(y.size) >= acc
    # a uniformly chosen *other* label: shift the true label's position by 1..k-1
    pos = np.searchsorted(labels, y)
    shift = rng.integers(1, labels.size, size=y.size)
    out = y.copy()
    out[wrong] = labels[(pos[wrong] + shift[wrong]) % labels.size]
    return out


_GATE_COLUMNS = ["n_candidate", "error_rate", "p99_latency_ms", "psi", "agreement"]


def evaluate_gates(
    history,
    *,
    n_steps: int,
    intervals_per_step: int = 2,
    n_consecutive: int = 2,
    min_gate_requests: int = 30,
    max_error_rate: float = 0.01,
    max_p99_latency_ms: float = 250.0,
    max_psi: float = 0.25,
    min_agreement: float = 0.7,
    auto_rollback: bool = True,
):
    """Judge a canary's intervals against its gates and return the decision for each.

    This is the decision rule of :class:`CanaryRouter` (which calls it at the end of every
    interval); on a recorded history it answers "what would other thresholds have done?".

    Parameters
    ----------
    history : pandas.DataFrame or sequence of dict
        One row per closed interval, in time order, with the columns ``n_candidate``,
        ``error_rate``, ``p99_latency_ms``, ``psi`` and ``agreement`` (NaN where not
        measured), as in :meth:`CanaryRouter.history`.
    n_steps : int
        Number of weights in the schedule (>= 1); passing the last one promotes.
    intervals_per_step : int, default=2
        Passing intervals needed at a weight before the next one (or promotion).
    n_consecutive : int, default=2
        Failing intervals in a row that roll the candidate back.
    min_gate_requests : int, default=30
        Intervals with fewer candidate requests (or without metrics) are not judged.
    max_error_rate, max_p99_latency_ms, max_psi, min_agreement : float
        The gates, as in :class:`CanaryRouter`. A missing PSI or agreement (every candidate
        request raised) fails its gate.
    auto_rollback : bool, default=True
        False: failures are recorded but the rollout goes on (report-only mode).

    Returns
    -------
    pandas.DataFrame
        A copy of `history` with ``passed`` (bool, None when not judged), ``failed_gates``
        (comma-separated), ``action`` (``"wait"``, ``"hold"``, ``"advance"``,
        ``"promote"``, ``"rollback"``; ``""`` once the rollout has ended),
        ``consecutive_failures``, and ``step`` and ``status`` (``"canary"``,
        ``"promoted"``, ``"rolled_back"``) after the decision.

    Raises
    ------
    ValueError
        If a column is missing or a parameter is out of range.
    TypeError
        If a count parameter is not an int.

    Examples
    --------
    >>> h = [{"n_candidate": 50, "error_rate": 0.0, "p99_latency_ms": 3.0, "psi": 0.9,
    ...       "agreement": 0.4}] * 2
    >>> evaluate_gates(h, n_steps=2)["action"].tolist()
    ['hold', 'rollback']
    >>> evaluate_gates(h, n_steps=2, min_agreement=0.3, max_psi=1.0)["action"].tolist()
    ['hold', 'advance']
    """
    import pandas as pd

    func = "evaluate_gates"
    n_steps = check_int(n_steps, "n_steps", min_value=1, func=func)
    per_step = check_int(intervals_per_step, "intervals_per_step", min_value=1, func=func)
    n_consecutive = check_int(n_consecutive, "n_consecutive", min_value=1, func=func)
    min_requests = check_int(min_gate_requests, "min_gate_requests", min_value=0, func=func)
    max_error_rate = check_float(max_error_rate, "max_error_rate", low=0.0, high=1.0, func=func)
    max_p99 = check_float(max_p99_latency_ms, "max_p99_latency_ms", low=0.0, func=func)
    max_psi = check_float(max_psi, "max_psi", low=0.0, func=func)
    min_agreement = check_float(min_agreement, "min_agreement", low=0.0, high=1.0, func=func)
    frame = history.copy() if isinstance(history, pd.DataFrame) else pd.DataFrame(list(history))
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame(columns=_GATE_COLUMNS)
    missing = [c for c in _GATE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"evaluate_gates needs the columns {_GATE_COLUMNS} (as in CanaryRouter.history()). "
            f"Got columns {list(frame.columns)}; missing {missing}."
        )
    status, step, consecutive, passed_at_step = "canary", 0, 0, 0
    out = {c: [] for c in ["passed", "failed_gates", "action", "consecutive_failures"]}
    out |= {"step": [], "status": []}
    for row in frame[_GATE_COLUMNS].astype(float).itertuples(index=False):
        passed, failed, action = None, [], ""
        if status == "canary":
            if row.n_candidate < min_requests or np.isnan(row.error_rate):
                action = "wait"
            else:
                if row.error_rate > max_error_rate:
                    failed.append("error_rate")
                if row.p99_latency_ms > max_p99:
                    failed.append("p99_latency_ms")
                if np.isnan(row.psi) or row.psi > max_psi:
                    failed.append("psi")
                if np.isnan(row.agreement) or row.agreement < min_agreement:
                    failed.append("agreement")
                passed = not failed
                consecutive = consecutive + 1 if failed else 0
                if failed and auto_rollback:
                    action = "rollback" if consecutive >= n_consecutive else "hold"
                    status = "rolled_back" if action == "rollback" else status
                else:
                    passed_at_step += 1
                    if passed_at_step < per_step:
                        action = "hold"
                    elif step == n_steps - 1:
                        action, status, passed_at_step = "promote", "promoted", 0
                    else:
                        action, step, passed_at_step = "advance", step + 1, 0
        out["passed"].append(passed)
        out["failed_gates"].append(",".join(failed))
        out["action"].append(action)
        out["consecutive_failures"].append(consecutive)
        out["step"].append(step)
        out["status"].append(status)
    for col, values in out.items():
        frame[col] = pd.Series(values, index=frame.index, dtype=object if col == "passed" else None)
    return frame


# --------------------------------------------------------------------------- routers


def _call(model, X):
    """Predict with `model`; isolate failing rows. Return (y, latency_ms, error)."""
    n = len(X)
    start = time.perf_counter()
    try:
        y = np.asarray(model.predict(X))
        if y.shape != (n,):
            raise ValueError(f"predict returned shape {y.shape}, expected ({n},)")
        return y, np.full(n, (time.perf_counter() - start) * 1e3), np.zeros(n, dtype=bool)
    except Exception:  # noqa: BLE001 - a model failure is data here, not a crash
        y = np.empty(n, dtype=object)
        latency_ms = np.empty(n)
        error = np.zeros(n, dtype=bool)
        for i in range(n):
            start = time.perf_counter()
            try:
                y[i] = np.asarray(model.predict(X[i : i + 1])).ravel()[0]
            except Exception:  # noqa: BLE001
                y[i], error[i] = None, True
            latency_ms[i] = (time.perf_counter() - start) * 1e3
        return y, latency_ms, error


def _check_model(model, name, cls):
    if model is None or not callable(getattr(model, "predict", None)):
        raise TypeError(
            f"The {name!r} parameter of {cls} must be a fitted model with a predict method. "
            f"Got {type(model).__name__} instead."
        )


def _check_batch(X, request_ids, func):
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    if len(X) == 0:
        raise ValueError(
            f"{func} needs at least one request. Got an empty stream. Pass X with one row "
            "per request."
        )
    if request_ids is None:
        raise ValueError(f"{func} needs request_ids: one id (str) per request.")
    ids = np.asarray(request_ids).astype(str)
    check_same_length(func, X=X, request_ids=ids)
    return X, ids


class _Router:
    """Shared machinery: a lock, the per-request log and the micro-batched replay."""

    def _check_fitted(self):
        if not hasattr(self, "n_requests_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {type(self).__name__} is not started yet. Call fit(...) before routing."
            )

    def _log(self, **cols):
        self._log_parts.append(cols)

    def requests_frame(self):
        """Return the per-request log as a DataFrame (one row per routed request).

        Returns
        -------
        pandas.DataFrame
            Columns ``request``, ``request_id``, ``version``, ``y_pred``, ``latency_ms``,
            ``error`` and the router's own extras.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        """
        import pandas as pd

        self._check_fitted()
        if not self._log_parts:
            return pd.DataFrame()
        frames = [pd.DataFrame(p) for p in self._log_parts]
        out = pd.concat(frames, ignore_index=True)
        out.insert(0, "request", np.arange(len(out)))
        return out

    def predict(self, X, *, request_ids, **kwargs):
        """Serve a micro-batch and return the predictions the clients receive.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
            One row per request.
        request_ids : array-like of str of shape (n_requests,)
            Request (client) ids.
        **kwargs
            Passed to :meth:`route`.

        Returns
        -------
        ndarray of shape (n_requests,)

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty or `request_ids` has another length.
        """
        return self.route(X, request_ids=request_ids, **kwargs)["y_pred"]

    def replay(self, X, *, request_ids, batch_size: int = 50, **kwargs):
        """Route a recorded request stream through the router in micro-batches.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
            The stream, in arrival order.
        request_ids : array-like of str of shape (n_requests,)
            Request (client) ids.
        batch_size : int, default=50
            Requests per micro-batch; every request in a batch shares the batch's latency,
            as in a micro-batching model server.
        **kwargs
            Per-request arrays passed on to :meth:`route` (sliced with the batch), for
            example ``y_live`` of :class:`ShadowRouter`.

        Returns
        -------
        self
            The router, with its traffic state advanced.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the stream is empty or its arrays differ in length.
        """
        name = f"{type(self).__name__}.replay"
        X, ids = _check_batch(X, request_ids, name)
        batch_size = check_int(batch_size, "batch_size", min_value=1, func=name)
        extra = {k: np.asarray(v) for k, v in kwargs.items() if v is not None}
        if extra:
            check_same_length(name, X=X, **extra)
        for start in range(0, len(X), batch_size):
            sl = slice(start, start + batch_size)
            self.route(X[sl], request_ids=ids[sl], **{k: v[sl] for k, v in extra.items()})
        return self


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
        Gate: share of candidate requests that raised, in [0, 1].
    max_p99_latency_ms : float, default=250.0
        Gate: 99th percentile of the candidate's latency, in ms.
    max_psi : float, default=0.25
        Gate: PSI of the candidate's predicted labels against the stable model's predictions
        for the same requests (see :func:`mlkit.monitoring.psi`; 0.25 is the "significant
        shift" rule of thumb).
    min_agreement : float, default=0.7
        Gate: share of candidate requests where the stable model predicts the same label.
    psi_epsilon : float, default=0.01
        Proportion given to a class one of the two models never predicted in the interval
        (the `eps` of :func:`mlkit.monitoring.psi`), in (0, 0.1]. With about 50 candidate
        requests per interval one request is 2 %; 1 % instead of the monitoring default
        1e-4 keeps a single request in a class the other model never predicted from
        dominating the index.
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
        min_agreement: float = 0.7,
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
        self.min_agreement = min_agreement
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
        check_float(self.min_agreement, "min_agreement", low=0.0, high=1.0, func=cls)
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
        self._reset_interval()
        return self

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
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        """
        self._check_fitted()
        to_cand = assign_bucket(list(np.asarray(request_ids).astype(str)), salt=self.salt)
        return np.where(to_cand < self.canary_weight_, "candidate", "stable")

    def route(self, X, *, request_ids):
        """Serve a micro-batch: split it by sticky assignment, predict, update gates.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)

        Returns
        -------
        dict
            ``y_pred`` (what the clients get), ``version`` (who answered) and
            ``latency_ms``, each an ndarray of shape (n_requests,).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty or `request_ids` has another length.
        """
        self._check_fitted()
        X, ids = _check_batch(X, request_ids, "CanaryRouter.route")
        parts = []
        with self._lock:
            start = 0
            while start < len(X):
                room = self.interval_requests - self._cur["n"]
                sl = slice(start, start + room)
                parts.append(self._serve(X[sl], ids[sl]))
                start += room
                if self._cur["n"] == self.interval_requests:
                    self._close_interval()
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def _serve(self, X, ids):
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

    def _gate_metrics(self):
        c = self._cur
        if c["n_cand"] == 0:
            return {}
        y_c, y_s = np.concatenate(c["y_c"]), np.concatenate(c["y_s"])
        err, lat = np.concatenate(c["err"]), np.concatenate(c["lat"])
        ok = ~err
        out = {"error_rate": float(err.mean()), "p99_latency_ms": float(np.percentile(lat, 99))}
        if ok.any():
            yc, ys = y_c[ok], y_s[ok]
            out["agreement"] = float(np.mean(yc == ys))
            out["psi"] = psi(ys, yc, categorical=True, eps=self.psi_epsilon)
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
            min_agreement=self.min_agreement,
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


class ShadowRouter(_Router):
    """Answer every request with the live decision; run the candidate on the side.

    Parameters
    ----------
    live : estimator or None
        The model whose answers are returned. ``None`` when the live decision comes from
        elsewhere (human operators) and is passed to :meth:`route` as `y_live`.
    candidate : estimator
        The model in shadow: called on every request, its output logged, never returned.
    confidence : float, default=0.95
        Coverage of the Wilson interval on the agreement, in (0, 1).
    max_half_width : float, default=0.05
        Stop tallying once the interval's half-width is at most this, in (0, 0.5].
    min_agreement : float, default=0.8
        Agreement the candidate needs: "ready" when the interval lies above it, "not ready"
        when it lies below, "undecided" while it straddles it.
    stop_at_confidence : bool, default=True
        Stop calling the candidate once the half-width is reached (saves compute).

    Attributes
    ----------
    n_requests_ : int
        Requests answered.
    n_compared_ : int
        Requests where the candidate's output was compared with the live decision (with
        `groups` passed to :meth:`route`: distinct groups, each counted once).
    n_agree_ : int
        Of those, how many agreed.
    n_candidate_errors_ : int
        Requests where the candidate raised (not compared).
    n_to_confidence_ : int or None
        Compared requests needed to reach `max_half_width` (None: not yet).
    agreement_ : float
        ``n_agree_ / n_compared_`` (NaN before any comparison).
    ci_ : tuple of float
        Wilson interval of the agreement.
    verdict_ : {"ready", "not ready", "undecided"}
    curve_ : dict of ndarray
        Per compared request: cumulative ``n``, ``agreement``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> router = ShadowRouter(None, m).fit()
    >>> router.predict([[0.0], [1.0]], request_ids=["a", "b"], y_live=[0, 1]).tolist()
    [0, 1]
    """

    def __init__(
        self,
        live,
        candidate,
        *,
        confidence: float = 0.95,
        max_half_width: float = 0.05,
        min_agreement: float = 0.8,
        stop_at_confidence: bool = True,
    ):
        self.live = live
        self.candidate = candidate
        self.confidence = confidence
        self.max_half_width = max_half_width
        self.min_agreement = min_agreement
        self.stop_at_confidence = stop_at_confidence

    def fit(self, X=None, y=None):
        """Validate the parameters and reset the tally.

        Parameters
        ----------
        X, y : ignored

        Returns
        -------
        self : ShadowRouter

        Raises
        ------
        ValueError
            If a threshold is out of range.
        TypeError
            If `candidate` (or a non-None `live`) has no ``predict`` method.
        """
        cls = "ShadowRouter"
        if self.live is not None:
            _check_model(self.live, "live", cls)
        _check_model(self.candidate, "candidate", cls)
        check_float(
            self.confidence, "confidence", low=0.0, high=1.0, inclusive=(False, False), func=cls
        )
        check_float(
            self.max_half_width,
            "max_half_width",
            low=0.0,
            high=0.5,
            inclusive=(False, True),
            func=cls,
        )
        check_float(self.min_agreement, "min_agreement", low=0.0, high=1.0, func=cls)
        self._lock = threading.Lock()
        self.n_requests_ = 0
        self.n_compared_ = 0
        self.n_agree_ = 0
        self.n_candidate_errors_ = 0
        self.n_to_confidence_ = None
        self._seen_groups = set()
        self._curve = {"n": [], "agree": []}
        self._log_parts = []
        return self

    def route(self, X, *, request_ids, y_live=None, groups=None):
        """Answer a micro-batch with the live decision and tally the candidate's agreement.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)
        y_live : array-like of shape (n_requests,), optional
            The live decisions (for example human operators'). Required when `live` is None.
        groups : array-like of shape (n_requests,), optional
            The example (for example clip) behind each request. When given, only the first
            compared request of each group is tallied: repeats of one example are not
            independent trials and would make the Wilson interval too narrow.

        Returns
        -------
        dict
            ``y_pred`` (the live decision), ``version`` (``"live"``) and ``latency_ms``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty, lengths differ, or `y_live` is missing with no live model.
        """
        self._check_fitted()
        X, ids = _check_batch(X, request_ids, "ShadowRouter.route")
        n = len(X)
        if groups is not None:
            groups = np.asarray(groups)
            check_same_length("ShadowRouter.route", X=X, groups=groups)
        with self._lock:
            if y_live is not None:
                served = np.asarray(y_live)
                check_same_length("ShadowRouter.route", X=X, y_live=served)
                lat = np.zeros(n)
            elif self.live is None:
                raise ValueError(
                    "ShadowRouter.route needs y_live (the live decisions) when live=None. "
                    "Pass y_live=[...] or give the router a live model."
                )
            else:
                served, lat, _ = _call(self.live, X)
            y_c = np.full(n, None, dtype=object)
            if not (self.stop_at_confidence and self.n_to_confidence_ is not None):
                y_c, _, err_c = _call(self.candidate, X)
                self.n_candidate_errors_ += int(err_c.sum())
                counted = ~err_c
                if groups is not None:
                    for i, g in enumerate(groups.tolist()):
                        counted[i] = counted[i] and g not in self._seen_groups
                        if counted[i]:
                            self._seen_groups.add(g)
                agree = (y_c == served)[counted].astype(int)
                self._tally(agree)
            self.n_requests_ += n
            self._log(
                request_id=ids,
                version=np.full(n, "live"),
                y_pred=served,
                y_candidate=y_c,
                latency_ms=lat,
                error=np.zeros(n, dtype=bool),
            )
        return {"y_pred": served, "version": np.full(n, "live"), "latency_ms": lat}

    def _tally(self, agree):
        if agree.size == 0:
            return
        n = self.n_compared_ + np.arange(1, agree.size + 1)
        k = self.n_agree_ + np.cumsum(agree)
        self._curve["n"].append(n)
        self._curve["agree"].append(k)
        if self.n_to_confidence_ is None:
            low, high = wilson_interval(k, n, confidence=self.confidence)
            hit = np.flatnonzero((high - low) / 2 <= self.max_half_width)
            if hit.size:
                self.n_to_confidence_ = int(n[hit[0]])
                if self.stop_at_confidence:  # count exactly up to the stopping point
                    k, n = k[: hit[0] + 1], n[: hit[0] + 1]
                    self._curve["n"][-1], self._curve["agree"][-1] = n, k
        self.n_compared_ = int(n[-1])
        self.n_agree_ = int(k[-1])

    @property
    def agreement_(self) -> float:
        """Share of compared requests where the candidate agreed with the live decision."""
        self._check_fitted()
        return self.n_agree_ / self.n_compared_ if self.n_compared_ else float("nan")

    @property
    def ci_(self):
        """Wilson interval of `agreement_` at `confidence` ((0, 1) before any comparison)."""
        self._check_fitted()
        if not self.n_compared_:
            return (0.0, 1.0)
        return wilson_interval(self.n_agree_, self.n_compared_, confidence=self.confidence)

    @property
    def verdict_(self) -> str:
        """``"ready"``, ``"not ready"`` or ``"undecided"`` against `min_agreement`."""
        low, high = self.ci_
        if low >= self.min_agreement:
            return "ready"
        if high < self.min_agreement:
            return "not ready"
        return "undecided"

    @property
    def curve_(self) -> dict:
        """Cumulative agreement and its Wilson interval after each compared request."""
        self._check_fitted()
        if not self._curve["n"]:
            empty = np.array([])
            return {"n": empty, "agreement": empty, "ci_low": empty, "ci_high": empty}
        n = np.concatenate(self._curve["n"])
        k = np.concatenate(self._curve["agree"])
        low, high = wilson_interval(k, n, confidence=self.confidence)
        return {"n": n, "agreement": k / n, "ci_low": low, "ci_high": high}


class BlueGreenRouter(_Router):
    """Serve all traffic from one of two versions; switch atomically, roll back instantly.

    Parameters
    ----------
    blue : estimator
        The version live at the start.
    green : estimator
        The new version, deployed beside it and previewed before the switch.
    keep_warm_requests : int, default=2000
        After a switch, keep the old version loaded for this many requests so that a
        rollback is instant; after that it is retired (released) and a rollback raises.
    interval_requests : int, default=500
        Requests per monitoring interval after the switch.
    max_psi : float, default=0.25
        Roll back (when `auto_rollback`) if the live predictions' PSI against the reference
        prediction distribution exceeds this in an interval.
    psi_epsilon : float, default=0.01
        Proportion given to a class missing from one side, the `eps` of
        :func:`mlkit.monitoring.psi`, in (0, 0.1]; as in :class:`CanaryRouter`.
    preview_tolerance : float, default=0.05
        Green passes its preview when its accuracy on the preview set is at least blue's
        minus this (a non-inferiority check), in [0, 1], and it raised no error.
    auto_rollback : bool, default=True
        Roll back automatically when the PSI check fails after the switch.

    Attributes
    ----------
    live_ : {"blue", "green"}
        The version serving traffic.
    reference_y_pred_ : ndarray or None
        The reference prediction distribution: blue's predictions on `X_reference` given to
        :meth:`fit` (for example training data), or, without it, blue's answers to the
        traffic it served before the switch (set by :meth:`switch`).
    preview_ : dict or None
        Result of the last :meth:`preview`: ``accuracy``, ``error_rate``, ``passed``.
    switch_request_, rollback_request_ : int or None
        Request count at the switch / at the rollback.
    rollback_s_ : float or None
        Measured wall time of the rollback (taking the lock and swapping the live pointer).
    rollback_exposure_requests_ : int or None
        Requests green answered between the switch and the rollback: how many users the
        bad version reached before monitoring caught it.
    retired_ : str or None
        The version released after the keep-warm delay.
    n_requests_ : int
    intervals_ : list of dict
        Per monitoring interval: live version, PSI, action (``"rollback"``; ``"breach"`` in
        report-only mode; ``"breach: redeploy needed"`` once blue was retired).

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> router = BlueGreenRouter(m, m).fit([[0.0], [1.0]])
    >>> router.live_
    'blue'
    """

    def __init__(
        self,
        blue,
        green,
        *,
        keep_warm_requests: int = 2000,
        interval_requests: int = 500,
        max_psi: float = 0.25,
        psi_epsilon: float = 0.01,
        preview_tolerance: float = 0.05,
        auto_rollback: bool = True,
    ):
        self.blue = blue
        self.green = green
        self.keep_warm_requests = keep_warm_requests
        self.interval_requests = interval_requests
        self.max_psi = max_psi
        self.psi_epsilon = psi_epsilon
        self.preview_tolerance = preview_tolerance
        self.auto_rollback = auto_rollback

    def fit(self, X_reference=None, y=None):
        """Put blue live; learn blue's reference prediction distribution if inputs are given.

        Parameters
        ----------
        X_reference : array-like of shape (n_samples, n_features), optional
            Inputs blue scores to learn the reference distribution (for example training
            data). None: :meth:`switch` uses blue's answers to the pre-switch traffic instead.
            Never the traffic that will be replayed after the switch, or the check compares
            green with the very requests it is judged on.
        y : ignored

        Returns
        -------
        self : BlueGreenRouter

        Raises
        ------
        ValueError
            If `X_reference` is empty or a parameter is out of range.
        TypeError
            If a model has no ``predict`` method.
        """
        cls = "BlueGreenRouter"
        _check_model(self.blue, "blue", cls)
        _check_model(self.green, "green", cls)
        check_int(self.keep_warm_requests, "keep_warm_requests", min_value=0, func=cls)
        check_int(self.interval_requests, "interval_requests", min_value=1, func=cls)
        check_float(self.max_psi, "max_psi", low=0.0, func=cls)
        check_float(
            self.psi_epsilon, "psi_epsilon", low=0.0, high=0.1, inclusive=(False, True), func=cls
        )
        check_float(self.preview_tolerance, "preview_tolerance", low=0.0, high=1.0, func=cls)
        self.reference_y_pred_ = None
        if X_reference is not None:
            X_reference = np.asarray(X_reference)
            if len(X_reference) == 0:
                raise ValueError(
                    f"{cls}.fit needs reference inputs to learn blue's prediction distribution. "
                    "Got an empty array. Pass training or pre-switch inputs, or None to use "
                    "the traffic blue serves before the switch."
                )
            self.reference_y_pred_ = np.asarray(self.blue.predict(X_reference))
        self._lock = threading.Lock()
        self._models = {"blue": self.blue, "green": self.green}
        self.live_ = "blue"
        self.preview_ = None
        self.switch_request_ = None
        self.rollback_request_ = None
        self.rollback_s_ = None
        self.rollback_exposure_requests_ = None
        self.retired_ = None
        self.n_requests_ = 0
        self.intervals_ = []
        self._log_parts = []
        self._cur = []
        return self

    def preview(self, X, y):
        """Check green on a labelled preview set before any traffic reaches it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        dict
            ``n_samples``, green's ``accuracy`` and ``error_rate``, ``blue_accuracy`` and
            ``passed`` (accuracy at least ``blue_accuracy - preview_tolerance`` and no
            errors); also stored in ``preview_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the preview set is empty or `X` and `y` differ in length.
        """
        self._check_fitted()
        X, y = np.asarray(X), np.asarray(y)
        if len(X) == 0:
            raise ValueError("BlueGreenRouter.preview needs a non-empty labelled preview set.")
        check_same_length("BlueGreenRouter.preview", X=X, y=y)
        y_pred, _, err = _call(self.green, X)
        y_blue, _, err_blue = _call(self.blue, X)
        acc = float(np.mean((y_pred == y) & ~err))
        blue_acc = float(np.mean((y_blue == y) & ~err_blue))
        self.preview_ = {
            "n_samples": len(X),
            "accuracy": acc,
            "error_rate": float(err.mean()),
            "blue_accuracy": blue_acc,
            "passed": bool(acc >= blue_acc - self.preview_tolerance and not err.any()),
        }
        return self.preview_

    def switch(self):
        """Send all traffic to green in one atomic step (needs a passed preview).

        Without a reference from :meth:`fit`, blue's answers to the traffic it served so far
        become the reference prediction distribution of the post-switch PSI check.

        Returns
        -------
        self

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        RuntimeError
            If green was not previewed, failed its preview, or is already live, or there is
            no reference (no `X_reference` and no pre-switch traffic).
        """
        self._check_fitted()
        if not (self.preview_ and self.preview_["passed"]):
            raise RuntimeError(
                "BlueGreenRouter.switch needs a passed preview of green first. Got "
                f"preview_={self.preview_!r}. Call preview(X, y) and check the result."
            )
        with self._lock:
            if self.live_ == "green":
                raise RuntimeError(
                    "BlueGreenRouter.switch needs blue live. Got live_='green': green already "
                    "serves all traffic. Call rollback() to return to blue, or start a new "
                    "BlueGreenRouter(blue=<current green>, green=<next version>) for the next "
                    "release."
                )
            if self.reference_y_pred_ is None:
                served = [
                    p["y_pred"][(p["version"] == "blue") & ~p["error"]] for p in self._log_parts
                ]
                reference = np.concatenate(served) if served else np.array([])
                if reference.size == 0:
                    raise RuntimeError(
                        "BlueGreenRouter.switch needs a reference prediction distribution. "
                        "Got none: fit() had no X_reference and blue answered no request "
                        "yet. Route pre-switch traffic through blue or pass X_reference to fit."
                    )
                self.reference_y_pred_ = reference
            self.live_ = "green"
            self.switch_request_ = self.n_requests_
        return self

    def rollback(self) -> float:
        """Send all traffic back to blue at once; return the measured duration in seconds.

        Returns
        -------
        float
            Wall time of the switch-back (lock + pointer swap), also in ``rollback_s_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        RuntimeError
            If blue is already live, or blue was retired after the keep-warm delay (a
            rollback would then need a redeploy).
        """
        self._check_fitted()
        start = time.perf_counter()
        with self._lock:
            self._rollback_locked(start)
        return self.rollback_s_

    def _rollback_locked(self, start):
        if self.live_ == "blue":
            raise RuntimeError("Blue is already live; there is nothing to roll back.")
        if self.retired_ == "blue":
            raise RuntimeError(
                "Blue was retired after the keep-warm delay of "
                f"{self.keep_warm_requests} requests; rolling back needs a redeploy. Raise "
                "keep_warm_requests to keep it warm longer."
            )
        self.live_ = "blue"
        self.rollback_request_ = self.n_requests_
        self.rollback_exposure_requests_ = self.n_requests_ - self.switch_request_
        self.rollback_s_ = time.perf_counter() - start

    def route(self, X, *, request_ids):
        """Serve a micro-batch entirely with the live version (one snapshot per batch).

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)

        Returns
        -------
        dict
            ``y_pred``, ``version`` and ``latency_ms``, each of shape (n_requests,).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty or `request_ids` has another length.
        """
        self._check_fitted()
        X, ids = _check_batch(X, request_ids, "BlueGreenRouter.route")
        n = len(X)
        with self._lock:
            live = self.live_
            y, lat, err = _call(self._models[live], X)
            self.n_requests_ += n
            version = np.full(n, live)
            self._log(request_id=ids, version=version, y_pred=y, latency_ms=lat, error=err)
            if self.switch_request_ is not None and self.rollback_request_ is None:
                self._monitor(y[~err], live)
        return {"y_pred": y, "version": version, "latency_ms": lat}

    def _monitor(self, y, live):
        self._cur.append(y)
        since = self.n_requests_ - self.switch_request_
        if (
            self.retired_ is None
            and self.keep_warm_requests is not None
            and since >= self.keep_warm_requests
        ):
            self.retired_ = "blue"
            self._models["blue"] = None  # released: a rollback now needs a redeploy
        if sum(len(c) for c in self._cur) < self.interval_requests:
            return
        y_int = np.concatenate(self._cur)
        self._cur = []
        value = psi(self.reference_y_pred_, y_int, categorical=True, eps=self.psi_epsilon)
        action = ""
        if value > self.max_psi:
            if self.retired_ is not None:
                action = "breach: redeploy needed"  # blue is gone: a human must act
            elif self.auto_rollback:
                self._rollback_locked(time.perf_counter())
                action = "rollback"
            else:
                action = "breach"
        self.intervals_.append(
            {
                "interval": len(self.intervals_),
                "end_request": self.n_requests_,
                "live": live,
                "psi": value,
                "action": action,
            }
        )

    def history(self):
        """Return one row per monitoring interval after the switch.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        self._check_fitted()
        return pd.DataFrame(self.intervals_)


# --------------------------------------------------------------------------- plots


def plot_gate_whatif(
    histories: dict,
    *,
    n_steps: int,
    min_agreement: float,
    max_psi: float,
    n_consecutive: int,
):
    """Plot what the canary gates would decide under other thresholds, on recorded replays.

    Parameters
    ----------
    histories : dict of str to pandas.DataFrame
        Per candidate, the ``history()`` of a report-only replay (``auto_rollback=False``):
        one row per interval with at least ``interval``, ``agreement`` and ``psi``.
    n_steps : int
        Number of steps in the traffic schedule (as :func:`evaluate_gates` takes it).
    min_agreement : float
        Agreement gate, in [0, 1]: an interval below it fails.
    max_psi : float
        PSI gate, >= 0: an interval above it fails.
    n_consecutive : int
        Failing intervals in a row that trigger a rollback, >= 1.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (agreement, PSI) per interval; crosses mark intervals failing that gate,
        dotted lines where :func:`evaluate_gates` promotes or rolls back.

    Raises
    ------
    ValueError
        As :func:`evaluate_gates`, for thresholds out of range.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    for ax, col, thr in [(axes[0], "agreement", min_agreement), (axes[1], "psi", max_psi)]:
        for i, (name, h) in enumerate(histories.items()):
            g = evaluate_gates(
                h,
                n_steps=n_steps,
                n_consecutive=n_consecutive,
                min_agreement=min_agreement,
                max_psi=max_psi,
            )
            ends = g.index[g["action"].isin(["promote", "rollback"])]
            k = int(ends[0]) if len(ends) else None
            verdict = (
                "undecided"
                if k is None
                else f"{g.loc[k, 'status'].replace('_', ' ')} at interval {k}"
            )
            ax.plot(h["interval"], h[col], "-o", ms=3, color=f"C{i}", label=f"{name}: {verdict}")
            fails = (h[col] < thr) if col == "agreement" else (h[col] > thr)
            ax.plot(h["interval"][fails], h[col][fails], "x", ms=8, color="C3")
            if k is not None:
                ax.axvline(k, color=f"C{i}", ls=":")
        ax.axhline(thr, ls="--", color="grey")
        ax.set(xlabel="interval", ylabel=col, title=f"{col} gate (x = fails this gate)")
    axes[0].legend(fontsize=8, loc="lower left")
    return fig


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
        Rows: candidate traffic share (weight and realised share), agreement with the stable
        model, PSI; thresholds dashed; promotion and rollback marked.
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
        for row, (col, thr, lab) in enumerate(
            [("agreement", r.min_agreement, "agreement with stable"), ("psi", r.max_psi, "PSI")],
            start=1,
        ):
            ax = axes[row, j]
            judged = h["passed"].notna()
            fail = judged & ((h[col] < thr) if col == "agreement" else (h[col] > thr))
            ax.plot(x, h[col], "-o", ms=3, color="C2")
            ax.plot(x[fail], h.loc[fail, col], "x", ms=8, color="C3", label="gate failed")
            ax.axhline(thr, ls="--", color="grey", lw=1)
            if j == 0:
                ax.set_ylabel(lab)
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
        for ax in axes[1:, j]:
            if ax.get_legend_handles_labels()[0] and any(
                len(line.get_xdata()) for line in ax.lines[1:2]
            ):
                ax.legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_shadow(routers: dict, *, title: str | None = None):
    """Plot each shadow candidate's running agreement with its Wilson interval.

    Parameters
    ----------
    routers : dict of str to ShadowRouter
        Replayed routers keyed by a label.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Agreement against compared requests, the interval as a band, `min_agreement`
        dashed and the point where the half-width target was reached marked.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (label, r) in enumerate(routers.items()):
        c = r.curve_
        color = f"C{i}"
        ax.plot(c["n"], c["agreement"], color=color, label=f"{label} ({r.verdict_})")
        ax.fill_between(c["n"], c["ci_low"], c["ci_high"], color=color, alpha=0.2)
        if r.n_to_confidence_ is not None:
            ax.axvline(r.n_to_confidence_, color=color, ls=":", lw=1)
    first = next(iter(routers.values()))
    ax.axhline(first.min_agreement, ls="--", color="grey", lw=1, label="required agreement")
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("requests compared, one per clip when grouped (log scale)")
    ax.set_ylabel(f"agreement with live decision\n({first.confidence:.0%} Wilson interval)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_bluegreen(routers: dict, *, title: str | None = None):
    """Plot which version served each request and the post-switch PSI, per blue/green run.

    Parameters
    ----------
    routers : dict of str to BlueGreenRouter
        Replayed routers keyed by a label; one column each.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2, len(routers), figsize=(5.2 * len(routers), 5), sharex="col", squeeze=False
    )
    for j, (label, r) in enumerate(routers.items()):
        log = r.requests_frame()
        green = (log["version"] == "green").astype(float)
        ax = axes[0, j]
        ax.fill_between(log["request"], green, step="post", color="C2", alpha=0.5, label="green")
        ax.fill_between(log["request"], green, 1, step="post", color="C0", alpha=0.5, label="blue")
        ax.set_yticks([])
        ax.set_ylabel("live version")
        state = "rolled back" if r.rollback_request_ is not None else f"{r.live_} live"
        ax.set_title(f"{label}: {state}")
        ax.legend(loc="upper right", fontsize=8)
        h = r.history()
        ax = axes[1, j]
        if len(h):
            ax.plot(h["end_request"], h["psi"], "-o", ms=3, color="C1")
        ax.axhline(r.max_psi, ls="--", color="grey", lw=1)
        ax.set_ylabel("PSI vs blue's reference")
        ax.set_xlabel("requests served")
        ax.grid(alpha=0.3)
        for a in axes[:, j]:
            for req, color in [(r.switch_request_, "C2"), (r.rollback_request_, "C3")]:
                if req is not None:
                    a.axvline(req, color=color, lw=1.5)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
