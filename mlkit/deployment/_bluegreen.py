"""Blue/green: preview, one atomic switch, instant rollback while the old version is warm.

Serves "Blue/green" of ``notebooks/05_deployment.ipynb``.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from mlkit._stats import psi
from mlkit._validation import (
    check_float,
    check_int,
    check_request_batch,
    check_same_length,
)
from mlkit.deployment._gates import OVERALL, _stable_accuracy, agreement_headroom, psi_noise
from mlkit.deployment._router import _call, _check_model, _Router

__all__ = [
    "BlueGreenRouter",
]


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
        prediction distribution exceeds this in an interval, and exceeds the sampling noise
        of the two sample sizes too (:func:`psi_noise`).
    max_accuracy_drop : float, default=0.1
        While blue is warm it scores green's requests off the response path; roll back (when
        `auto_rollback`) once the agreement of the two, over every example since the switch,
        shows green's accuracy below blue's minus this, overall or on a segment (the
        canary's agreement gate, :func:`agreement_floor`).
    stable_accuracy : float or dict of str to float, optional
        Blue's accuracy, measured on labelled data, overall (a float, or ``"overall"``) and
        per segment (the values passed as `segments` to :meth:`route`). None: 1.0 overall.
    confidence : float, default=0.95
        One-sided level of the agreement bounds and the PSI noise, in (0.5, 1).
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
        Per monitoring interval: live version, PSI and its noise level, examples compared
        with blue since the switch, the smallest agreement headroom over segments, the failed
        checks, action (``"rollback"``; ``"breach"`` in report-only mode; ``"breach: redeploy
        needed"`` once blue was retired).

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
        max_accuracy_drop: float = 0.1,
        stable_accuracy=None,
        confidence: float = 0.95,
        psi_epsilon: float = 0.01,
        preview_tolerance: float = 0.05,
        auto_rollback: bool = True,
    ):
        self.blue = blue
        self.green = green
        self.keep_warm_requests = keep_warm_requests
        self.interval_requests = interval_requests
        self.max_psi = max_psi
        self.max_accuracy_drop = max_accuracy_drop
        self.stable_accuracy = stable_accuracy
        self.confidence = confidence
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
        check_float(self.max_accuracy_drop, "max_accuracy_drop", low=0.0, high=1.0, func=cls)
        self._segments = _stable_accuracy(self.stable_accuracy, cls)
        check_float(
            self.confidence, "confidence", low=0.5, high=1.0, inclusive=(False, False), func=cls
        )
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
        self._seen_groups = set()
        self._cum = {"agree": [], "segment": []}
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
        mlkit.errors.NotFittedError
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
        mlkit.errors.NotFittedError
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
        mlkit.errors.NotFittedError
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

    def route(self, X, *, request_ids, groups=None, segments=None):
        """Serve a micro-batch entirely with the live version (one snapshot per batch).

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)
        groups : array-like of shape (n_requests,), optional
            The example behind each request (for example a clip): the agreement check
            counts each example once. Default: every request is its own example.
        segments : array-like of str of shape (n_requests,), optional
            The traffic segment of each request, for the per-segment agreement checks.

        Returns
        -------
        dict
            ``y_pred``, ``version`` and ``latency_ms``, each of shape (n_requests,).

        Raises
        ------
        mlkit.errors.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty or `request_ids`, `groups` or `segments` has another
            length.
        """
        self._check_fitted()
        X, ids = check_request_batch(X, request_ids, "BlueGreenRouter.route")
        extra = {"groups": groups, "segments": segments}
        extra = {k: np.asarray(v) for k, v in extra.items() if v is not None}
        if extra:
            check_same_length("BlueGreenRouter.route", X=X, **extra)
        n = len(X)
        with self._lock:
            live = self.live_
            y, lat, err = _call(self._models[live], X)
            self.n_requests_ += n
            version = np.full(n, live)
            self._log(request_id=ids, version=version, y_pred=y, latency_ms=lat, error=err)
            if self.switch_request_ is not None and self.rollback_request_ is None:
                if live == "green" and self.retired_ is None:
                    self._compare_with_blue(X, y, err, extra)
                self._monitor(y[~err], live)
        return {"y_pred": y, "version": version, "latency_ms": lat}

    def _compare_with_blue(self, X, y, err, extra):
        # blue is still loaded: it scores green's requests off the response path
        y_blue, _, err_blue = _call(self.blue, X)
        counted = ~(err | err_blue)
        groups = extra.get("groups")
        if groups is not None:
            for i, g in enumerate(groups.tolist()):
                counted[i] = counted[i] and g not in self._seen_groups
                if counted[i]:
                    self._seen_groups.add(g)
        seg = extra.get("segments")
        seg = np.full(len(X), "", dtype=object) if seg is None else seg.astype(object)
        self._cum["agree"].append((y == y_blue)[counted])
        self._cum["segment"].append(seg[counted])

    def _agreement_counts(self):
        agree = np.concatenate(self._cum["agree"]) if self._cum["agree"] else np.array([], bool)
        seg = np.concatenate(self._cum["segment"]) if self._cum["segment"] else np.array([])
        out = {"n_examples": int(agree.size)}
        for name in self._segments:
            mask = np.ones(agree.size, bool) if name == OVERALL else seg == name
            out[f"n_{name}"] = int(mask.sum())
            out[f"agree_{name}"] = int(agree[mask].sum())
        return out

    def _monitor(self, y, live):
        import pandas as pd

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
        n_labels = len(set(np.asarray(self.reference_y_pred_).tolist()) | set(y_int.tolist()))
        noise = float(
            psi_noise(
                len(y_int),
                n_labels,
                n_reference=len(self.reference_y_pred_),
                confidence=self.confidence,
            )
        )
        counts = self._agreement_counts()
        room = agreement_headroom(
            pd.DataFrame([counts]),
            stable_accuracy=self.stable_accuracy,
            max_accuracy_drop=self.max_accuracy_drop,
            confidence=self.confidence,
        ).iloc[0]
        failed = ["psi"] if value > max(self.max_psi, noise) else []
        failed += [
            "agreement" if seg == OVERALL else f"agreement:{seg}"
            for seg, v in room.items()
            if v < 0
        ]
        action = ""
        if failed:
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
                "psi_noise": noise,
                "n_examples": counts["n_examples"],
                "agreement_headroom": float(room.min()) if room.notna().any() else np.nan,
                "failed": ",".join(failed),
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
