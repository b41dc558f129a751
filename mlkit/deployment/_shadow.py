"""Shadow mode: the live decision answers, the candidate runs beside it and is tallied.

Serves "Shadow mode next to human operators" of ``notebooks/05_deployment.ipynb``.
"""

from __future__ import annotations

import threading

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import (
    check_float,
    check_random_state,
    check_request_batch,
    check_same_length,
)
from mlkit.deployment._router import _call, _check_model, _Router

__all__ = ["ShadowRouter", "plot_shadow", "shadow_table", "simulate_operator_decisions"]


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
        mlkit.errors.NotFittedError
            If :meth:`fit` was not called first.
        ValueError
            If the batch is empty, lengths differ, or `y_live` is missing with no live model.
        """
        self._check_fitted()
        X, ids = check_request_batch(X, request_ids, "ShadowRouter.route")
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


def shadow_table(routers: dict):
    """Tabulate each shadow candidate's tally: clips compared, agreement, interval, verdict.

    Parameters
    ----------
    routers : dict of str to ShadowRouter
        Fitted (usually replayed) shadow routers keyed by a label.

    Returns
    -------
    pandas.DataFrame
        One row per router with ``unique clips compared`` (:attr:`ShadowRouter.n_compared_`),
        ``agreement``, ``ci_low``, ``ci_high`` (the Wilson interval), ``clips to confidence``
        (None while the half-width was not reached) and ``verdict``.

    Raises
    ------
    mlkit.errors.NotFittedError
        If a router was not fitted.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> r = ShadowRouter(None, m).fit()
    >>> _ = r.route(np.zeros((4, 1)), request_ids=list("abcd"), y_live=[1, 1, 1, 0])
    >>> shadow_table({"m": r})[["unique clips compared", "agreement", "verdict"]]
      unique clips compared agreement    verdict
    m                     4      0.75  undecided
    """
    import pandas as pd

    return pd.DataFrame(
        {
            name: {
                "unique clips compared": r.n_compared_,
                "agreement": r.agreement_,
                "ci_low": r.ci_[0],
                "ci_high": r.ci_[1],
                "clips to confidence": r.n_to_confidence_,
                "verdict": r.verdict_,
            }
            for name, r in routers.items()
        }
    ).T


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
