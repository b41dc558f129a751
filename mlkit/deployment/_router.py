"""What every router shares: sticky buckets, isolated model calls, the request log, replays.

Serves no section alone: the canary, shadow and blue/green sections of
``notebooks/05_deployment.ipynb`` all route through :class:`_Router` and replay streams with
:func:`replay_candidates`.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from mlkit._validation import check_int, check_request_batch, check_same_length

__all__ = ["assign_bucket", "replay_candidates"]


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


class _Router:
    """Shared machinery: a lock, the per-request log and the micro-batched replay."""

    def _check_fitted(self):
        if not hasattr(self, "n_requests_"):
            from mlkit.errors import NotFittedError

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
        mlkit.errors.NotFittedError
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
        mlkit.errors.NotFittedError
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
        mlkit.errors.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the stream is empty or its arrays differ in length.
        """
        name = f"{type(self).__name__}.replay"
        X, ids = check_request_batch(X, request_ids, name)
        batch_size = check_int(batch_size, "batch_size", min_value=1, func=name)
        extra = {k: np.asarray(v) for k, v in kwargs.items() if v is not None}
        if extra:
            check_same_length(name, X=X, **extra)
        for start in range(0, len(X), batch_size):
            sl = slice(start, start + batch_size)
            self.route(X[sl], request_ids=ids[sl], **{k: v[sl] for k, v in extra.items()})
        return self


def replay_candidates(
    router_cls,
    live,
    candidates: dict,
    X,
    *,
    request_ids,
    batch_size: int = 100,
    per_request: dict | None = None,
    **params,
) -> dict:
    """Replay one request stream through a fresh router per candidate, in the order given.

    Parameters
    ----------
    router_cls : type
        :class:`CanaryRouter` or :class:`ShadowRouter` (any router whose constructor takes
        ``(live, candidate, **params)``).
    live : estimator or None
        The version in production (the canary's `stable`, the shadow's `live`; None for a
        shadow whose live decisions come from `per_request`).
    candidates : dict of str to estimator
        Candidate versions by name; each gets its own router.
    X : array-like of shape (n_requests, n_features)
        The stream, in arrival order.
    request_ids : array-like of str of shape (n_requests,)
        Request (client) ids.
    batch_size : int, default=100
        Requests per micro-batch (see :meth:`CanaryRouter.replay`).
    per_request : dict of str to array-like of shape (n_requests,), optional
        Per-request arrays passed on to ``replay`` (a shadow's ``y_live`` and ``groups``).
    **params
        Keyword parameters of every router (gates, schedule, thresholds).

    Returns
    -------
    dict of str to router
        The fitted, replayed routers, keyed like `candidates`.

    Raises
    ------
    ValueError
        As the router's ``fit`` and ``replay`` (bad parameters, empty stream, lengths).
    TypeError
        If a version has no ``predict`` method.

    Examples
    --------
    >>> from mlkit.deployment import CanaryRouter
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> routers = replay_candidates(
    ...     CanaryRouter, m, {"same": m}, np.zeros((20, 1)),
    ...     request_ids=[f"c{i}" for i in range(20)], interval_requests=10,
    ... )
    >>> routers["same"].n_requests_
    20
    """
    per_request = dict(per_request or {})
    return {
        name: router_cls(live, model, **params)
        .fit()
        .replay(X, request_ids=request_ids, batch_size=batch_size, **per_request)
        for name, model in candidates.items()
    }
