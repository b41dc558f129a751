"""Shadow mode: the live decision answers, the candidate runs beside it and is tallied.

Serves "Shadow mode next to human operators" of ``notebooks/05_deployment.ipynb``.
"""

from __future__ import annotations

import threading

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import (
    check_float,
    check_int,
    check_random_state,
    check_request_batch,
    check_same_length,
)
from mlkit.deployment._router import _call, _check_model, _Router

__all__ = [
    "ShadowRouter",
    "sequential_agreement_test",
    "simulate_operator_decisions",
]


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


def _sprt_bounds(min_agreement, indifference, alpha, beta, func):
    """Validate the test's parameters; return (p0, p1, step_agree, step_disagree, upper, lower)."""
    p1 = check_float(
        min_agreement, "min_agreement", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    delta = check_float(
        indifference, "indifference", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    if p1 - delta <= 0.0:
        raise ValueError(
            f"The 'indifference' parameter of {func} must be smaller than min_agreement "
            f"({p1:g}) so that min_agreement - indifference is a proportion above 0. Got "
            f"{delta:g} instead."
        )
    alpha = check_float(alpha, "alpha", low=0.0, high=0.5, inclusive=(False, True), func=func)
    beta = check_float(beta, "beta", low=0.0, high=0.5, inclusive=(False, True), func=func)
    p0 = p1 - delta
    return (
        p0,
        p1,
        float(np.log(p1 / p0)),
        float(np.log((1.0 - p1) / (1.0 - p0))),
        float(np.log(1.0 / alpha)),
        float(np.log(beta)),
    )


def sequential_agreement_test(
    agree,
    *,
    min_agreement: float = 0.8,
    indifference: float = 0.1,
    alpha: float = 0.05,
    beta: float = 0.05,
    max_n: int | None = None,
) -> dict:
    """Run Wald's sequential probability ratio test on a stream of agree/disagree outcomes.

    One rule both stops and decides: after each outcome the log likelihood ratio of
    "agreement is `min_agreement`" (p1) against "agreement is ``min_agreement -
    indifference``" (p0) is updated; the test stops with ``"pass"`` when it reaches
    ``log(1 / alpha)``, with ``"fail"`` when it reaches ``log(beta)``, and ends
    ``"undecided"`` when the budget `max_n` (or the stream) runs out first.

    Parameters
    ----------
    agree : array-like of bool or int of shape (n_outcomes,)
        1 where the candidate agreed with the reference decision, in arrival order.
    min_agreement : float, default=0.8
        p1, the agreement a candidate needs, in (0, 1).
    indifference : float, default=0.1
        Width of the indifference zone, in (0, min_agreement): p0 = ``min_agreement -
        indifference`` is an agreement that must not pass. Between p0 and p1 either verdict
        is acceptable; a narrower zone needs more outcomes.
    alpha : float, default=0.05
        Bound on the chance of "pass" when the true agreement is at most p0, in (0, 0.5].
    beta : float, default=0.05
        Bound on the chance of "fail" when the true agreement is at least p1, in (0, 0.5].
    max_n : int, optional
        Budget: outcomes looked at before giving up (default: all of `agree`), >= 1.

    Returns
    -------
    dict
        ``verdict`` (``"pass"``, ``"fail"`` or ``"undecided"``), ``n`` (outcomes used: the
        stopping point, or the budget), ``llr`` (ndarray of shape (n,), the log likelihood
        ratio after each outcome), ``upper`` and ``lower`` (the two boundaries), ``p0``,
        ``p1``.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Notes
    -----
    Wald (1945), "Sequential tests of statistical hypotheses", Ann. Math. Statist. 16,
    117-186. The boundaries ``log(1 / alpha)`` and ``log(beta)`` make the error bounds hold
    exactly, for any stopping point and any truncation, not only approximately as Wald's
    ``log((1 - beta) / alpha)``: the likelihood ratio is a non-negative supermartingale
    under every agreement <= p0 (and its inverse under every agreement >= p1), so by Ville's
    inequality (1939) it ever reaches ``1 / alpha`` with probability at most `alpha`.
    Outcomes must be independent: count each example (clip) once.

    Examples
    --------
    >>> out = sequential_agreement_test([1] * 40, min_agreement=0.7, indifference=0.1)
    >>> out["verdict"], out["n"]
    ('pass', 20)
    >>> sequential_agreement_test([1, 0] * 5, min_agreement=0.7)["verdict"]
    'undecided'
    """
    func = "sequential_agreement_test"
    p0, p1, up, down, upper, lower = _sprt_bounds(min_agreement, indifference, alpha, beta, func)
    agree = np.asarray(agree).astype(bool).ravel()
    if max_n is not None:
        agree = agree[: check_int(max_n, "max_n", min_value=1, func=func)]
    llr = np.cumsum(np.where(agree, up, down))
    hit = np.flatnonzero((llr >= upper) | (llr <= lower))
    if hit.size:
        n = int(hit[0]) + 1
        verdict = "pass" if llr[n - 1] >= upper else "fail"
    else:
        n, verdict = int(llr.size), "undecided"
    return {
        "verdict": verdict,
        "n": n,
        "llr": llr[:n],
        "upper": upper,
        "lower": lower,
        "p0": p0,
        "p1": p1,
    }


class ShadowRouter(_Router):
    """Answer every request with the live decision; run the candidate on the side and test it.

    Every compared request (each example once, with `groups`) feeds
    :func:`sequential_agreement_test`: shadowing stops as soon as the test decides "pass" or
    "fail", and ends "undecided" if the budget runs out first.

    Parameters
    ----------
    live : estimator or None
        The model whose answers are returned. ``None`` when the live decision comes from
        elsewhere (human operators) and is passed to :meth:`route` as `y_live`.
    candidate : estimator
        The model in shadow: called on every request, its output logged, never returned.
    min_agreement : float, default=0.8
        p1, the agreement with the live decision a candidate needs, in (0, 1).
    indifference : float, default=0.1
        p0 = ``min_agreement - indifference`` is an agreement that must not pass.
    alpha : float, default=0.05
        Bound on P("pass") when the true agreement is at most p0, in (0, 0.5].
    beta : float, default=0.05
        Bound on P("fail") when the true agreement is at least p1, in (0, 0.5].
    max_compared : int, optional
        Budget of compared requests (unique examples with `groups`); default: no limit,
        the test runs until it decides or the traffic ends.
    confidence : float, default=0.95
        Coverage of the Wilson interval reported beside the test, in (0, 1).
    stop_when_decided : bool, default=True
        Stop calling the candidate once the test decided (saves compute).

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
    llr_ : float
        Log likelihood ratio of the test after the last compared request.
    n_to_decision_ : int or None
        Compared requests the test needed to decide (None: not decided).
    agreement_ : float
        ``n_agree_ / n_compared_`` (NaN before any comparison).
    ci_ : tuple of float
        Wilson interval of the agreement.
    verdict_ : {"pass", "fail", "undecided"}
    curve_ : dict of ndarray
        Per compared request: cumulative ``n``, ``agreement``, ``ci_low``, ``ci_high`` and
        the test's ``llr``.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> router = ShadowRouter(None, m).fit()
    >>> router.predict([[0.0], [1.0]], request_ids=["a", "b"], y_live=[0, 1]).tolist()
    [0, 1]
    >>> router.verdict_
    'undecided'
    """

    def __init__(
        self,
        live,
        candidate,
        *,
        min_agreement: float = 0.8,
        indifference: float = 0.1,
        alpha: float = 0.05,
        beta: float = 0.05,
        max_compared: int | None = None,
        confidence: float = 0.95,
        stop_when_decided: bool = True,
    ):
        self.live = live
        self.candidate = candidate
        self.min_agreement = min_agreement
        self.indifference = indifference
        self.alpha = alpha
        self.beta = beta
        self.max_compared = max_compared
        self.confidence = confidence
        self.stop_when_decided = stop_when_decided

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
            If a parameter is out of range.
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
        self._test = _sprt_bounds(self.min_agreement, self.indifference, self.alpha, self.beta, cls)
        if self.max_compared is not None:
            check_int(self.max_compared, "max_compared", min_value=1, func=cls)
        self._lock = threading.Lock()
        self.n_requests_ = 0
        self.n_compared_ = 0
        self.n_agree_ = 0
        self.n_candidate_errors_ = 0
        self.llr_ = 0.0
        self.n_to_decision_ = None
        self._decision = None
        self._seen_groups = set()
        self._curve = {"n": [], "agree": [], "llr": []}
        self._log_parts = []
        return self

    @property
    def _done(self) -> bool:
        budget = self.max_compared is not None and self.n_compared_ >= self.max_compared
        return budget or (self.stop_when_decided and self._decision is not None)

    def route(self, X, *, request_ids, y_live=None, groups=None):
        """Answer a micro-batch with the live decision and test the candidate's agreement.

        Parameters
        ----------
        X : array-like of shape (n_requests, n_features)
        request_ids : array-like of str of shape (n_requests,)
        y_live : array-like of shape (n_requests,), optional
            The live decisions (for example human operators'). Required when `live` is None.
        groups : array-like of shape (n_requests,), optional
            The example (for example clip) behind each request. When given, only the first
            compared request of each group is tallied: repeats of one example are not
            independent trials and would void the test's error bounds.

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
            if not self._done:
                y_c, _, err_c = _call(self.candidate, X)
                self.n_candidate_errors_ += int(err_c.sum())
                counted = ~err_c
                if groups is not None:
                    for i, g in enumerate(groups.tolist()):
                        counted[i] = counted[i] and g not in self._seen_groups
                        if counted[i]:
                            self._seen_groups.add(g)
                self._tally((y_c == served)[counted].astype(int))
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
        if self.max_compared is not None:
            agree = agree[: self.max_compared - self.n_compared_]
        if agree.size == 0:
            return
        _, _, up, down, upper, lower = self._test
        n = self.n_compared_ + np.arange(1, agree.size + 1)
        k = self.n_agree_ + np.cumsum(agree)
        llr = self.llr_ + np.cumsum(np.where(agree == 1, up, down))
        if self._decision is None:
            hit = np.flatnonzero((llr >= upper) | (llr <= lower))
            if hit.size:
                stop = int(hit[0])
                self.n_to_decision_ = int(n[stop])
                self._decision = "pass" if llr[stop] >= upper else "fail"
                if self.stop_when_decided:  # count exactly up to the stopping point
                    n, k, llr = n[: stop + 1], k[: stop + 1], llr[: stop + 1]
        self._curve["n"].append(n)
        self._curve["agree"].append(k)
        self._curve["llr"].append(llr)
        self.n_compared_ = int(n[-1])
        self.n_agree_ = int(k[-1])
        self.llr_ = float(llr[-1])

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
        """``"pass"`` or ``"fail"`` once the sequential test decided, else ``"undecided"``."""
        self._check_fitted()
        return self._decision or "undecided"

    @property
    def curve_(self) -> dict:
        """Cumulative agreement, its Wilson interval and the test's llr per compared request."""
        self._check_fitted()
        if not self._curve["n"]:
            empty = np.array([])
            return {"n": empty, "agreement": empty, "ci_low": empty, "ci_high": empty, "llr": empty}
        n = np.concatenate(self._curve["n"])
        k = np.concatenate(self._curve["agree"])
        low, high = wilson_interval(k, n, confidence=self.confidence)
        llr = np.concatenate(self._curve["llr"])
        return {"n": n, "agreement": k / n, "ci_low": low, "ci_high": high, "llr": llr}
