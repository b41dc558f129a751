"""The canary's decision rule, and what other thresholds would have decided.

Serves "What if the gates were set differently?" of ``notebooks/05_deployment.ipynb``;
:class:`CanaryRouter` calls :func:`evaluate_gates` at the end of every interval, and
:class:`BlueGreenRouter` uses the same agreement floor and PSI noise after its switch. Gates act
on evidence: one-sided Wilson bounds (error rate, agreement), PSI beyond sampling noise.
"""

from __future__ import annotations

import numpy as np

from mlkit._stats import wilson_interval
from mlkit._validation import check_float, check_int

__all__ = [
    "OVERALL",
    "agreement_floor",
    "agreement_headroom",
    "evaluate_gates",
    "gates_match_router",
    "plot_gate_whatif",
    "psi_noise",
]


_GATE_COLUMNS = ["n_candidate", "error_rate", "p99_latency_ms", "psi", "agreement"]
OVERALL = "overall"
"""Segment name of all traffic together (as the ``overall`` column of ``offline_accuracy``)."""


def _one_sided(k, n, confidence):
    """One-sided Wilson bounds at `confidence` (the two-sided interval at 2 * confidence - 1)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    low, high = np.zeros_like(n), np.ones_like(n)
    ok = n > 0
    if ok.any():
        lo, hi = wilson_interval(
            k[ok].astype(int), n[ok].astype(int), confidence=2 * confidence - 1
        )
        low[ok], high[ok] = lo, hi
    return low, high


def agreement_floor(stable_accuracy: float, *, max_accuracy_drop: float = 0.1) -> float:
    """Return the lowest agreement with the stable version of a candidate no worse than allowed.

    Parameters
    ----------
    stable_accuracy : float
        The stable version's accuracy on a segment of traffic, in [0, 1].
    max_accuracy_drop : float, default=0.1
        Largest accuracy drop against the stable version that is tolerated, in [0, 1].

    Returns
    -------
    float
        ``2 * stable_accuracy - 1 - max_accuracy_drop``: if the candidate agrees with the
        stable version less often than this, its accuracy is below ``stable_accuracy -
        max_accuracy_drop``, whatever the labels.

    Raises
    ------
    ValueError
        If a value is outside [0, 1].

    Notes
    -----
    Two versions agree at least where both are right: ``agreement >= a_stable + a_candidate -
    1`` (the Fréchet lower bound of ``P(A and B)``), so ``a_candidate <= 1 - a_stable +
    agreement``. No assumption about how the errors of the two versions are related is
    needed; labels are needed only once, to know the stable version's accuracy.

    Examples
    --------
    >>> round(agreement_floor(0.9, max_accuracy_drop=0.1), 3)
    0.7
    >>> agreement_floor(0.3) < 0  # a weak stable version cannot show a drop by agreement
    True
    """
    a = check_float(stable_accuracy, "stable_accuracy", low=0.0, high=1.0, func="agreement_floor")
    m = check_float(
        max_accuracy_drop, "max_accuracy_drop", low=0.0, high=1.0, func="agreement_floor"
    )
    return 2.0 * a - 1.0 - m


def _stable_accuracy(stable_accuracy, func):
    if stable_accuracy is None:
        return {OVERALL: 1.0}
    if isinstance(stable_accuracy, dict):
        if not stable_accuracy:
            raise ValueError(
                f"The 'stable_accuracy' parameter of {func} must name at least one segment, "
                f"for example {{'{OVERALL}': 0.8, 'low_bandwidth': 0.85}}. Got {{}} instead."
            )
        return {
            str(k): check_float(v, "stable_accuracy", low=0.0, high=1.0, func=func)
            for k, v in stable_accuracy.items()
        }
    return {OVERALL: check_float(stable_accuracy, "stable_accuracy", low=0.0, high=1.0, func=func)}


def agreement_headroom(
    history, *, stable_accuracy=None, max_accuracy_drop: float = 0.1, confidence: float = 0.95
):
    """Return, per interval and segment, how far the agreement's upper bound is above its floor.

    Parameters
    ----------
    history : pandas.DataFrame
        :meth:`CanaryRouter.history`, with ``n_<segment>`` and ``agree_<segment>`` columns
        (unique examples compared so far, and how many agreed).
    stable_accuracy : float or dict of str to float, optional
        The stable version's accuracy, overall (a float, or the key ``"overall"``) and per
        segment. None: 1.0 overall, so the floor is ``1 - max_accuracy_drop``.
    max_accuracy_drop : float, default=0.1
        See :func:`agreement_floor`.
    confidence : float, default=0.95
        One-sided level of the Wilson upper bound, in (0.5, 1).

    Returns
    -------
    pandas.DataFrame
        One column per segment of `stable_accuracy` found in `history`: the upper bound minus
        :func:`agreement_floor`; below 0, the candidate's accuracy on that segment is below
        the stable version's minus `max_accuracy_drop` at this confidence. NaN where nothing
        was compared yet.

    Raises
    ------
    ValueError
        If a parameter is out of range.
    """
    import pandas as pd

    func = "agreement_headroom"
    acc = _stable_accuracy(stable_accuracy, func)
    conf = check_float(
        confidence, "confidence", low=0.5, high=1.0, inclusive=(False, False), func=func
    )
    out = {}
    for seg, a in acc.items():
        if f"n_{seg}" not in history.columns:
            continue
        n = history[f"n_{seg}"].astype(float).to_numpy()
        k = history[f"agree_{seg}"].astype(float).to_numpy()
        n = np.where(np.isnan(n) | np.isnan(k), 0.0, n)  # not compared (yet)
        k = np.nan_to_num(k)
        _, high = _one_sided(k, n, conf)
        floor = agreement_floor(a, max_accuracy_drop=max_accuracy_drop)
        out[seg] = np.where(n > 0, high - floor, np.nan)
    return pd.DataFrame(out, index=history.index)


def psi_noise(n_examples, n_labels, *, n_reference=None, confidence: float = 0.95):
    """Return the PSI that sampling noise alone exceeds with probability ``1 - confidence``.

    Parameters
    ----------
    n_examples : int or array-like
        Examples behind the current label distribution, >= 1.
    n_labels : int or array-like
        Labels (categories) seen in either distribution, >= 2 for a non-zero value.
    n_reference : int or array-like, optional
        Examples behind the reference distribution; default: the same examples scored by
        the other version (``n_examples``).
    confidence : float, default=0.95

    Returns
    -------
    float or ndarray
        ``chi2.ppf(confidence, n_labels - 1) * (1 / n_examples + 1 / n_reference)``.

    Notes
    -----
    Yurdakul (2018, *Statistical properties of the population stability index*): with no
    shift, ``PSI * n m / (n + m)`` is approximately chi-square with ``bins - 1`` degrees of
    freedom. When both distributions come from the same examples their answers are
    positively correlated, so this quantile overstates the noise: the gate errs towards
    waiting.

    Examples
    --------
    >>> round(float(psi_noise(50, 10)), 2), round(float(psi_noise(500, 10)), 3)
    (0.68, 0.068)
    """
    from scipy.stats import chi2

    n = np.maximum(np.asarray(n_examples, dtype=float), 1.0)
    m = n if n_reference is None else np.maximum(np.asarray(n_reference, dtype=float), 1.0)
    df = np.maximum(np.asarray(n_labels, dtype=float) - 1.0, 1.0)
    return chi2.ppf(confidence, df) * (1.0 / n + 1.0 / m)


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
    max_accuracy_drop: float = 0.1,
    stable_accuracy=None,
    confidence: float = 0.95,
    auto_rollback: bool = True,
):
    """Judge a canary's intervals against its gates and return the decision for each.

    This is the decision rule of :class:`CanaryRouter` (which calls it at the end of every
    interval); on a recorded history it answers "what would other thresholds have done?".
    A gate fails only on evidence, not on a noisy point estimate:

    - error rate: the one-sided lower Wilson bound of the interval's error rate is above
      `max_error_rate`;
    - p99 latency: the interval's 99th percentile is above `max_p99_latency_ms`;
    - PSI: the PSI of the candidate's answers against the stable version's, on every
      example compared so far, is above `max_psi` *and* above :func:`psi_noise`;
    - agreement, overall and per segment (``agreement:<segment>``): the one-sided upper
      Wilson bound of the agreement so far is below :func:`agreement_floor`, so the
      candidate's accuracy there is below the stable version's minus `max_accuracy_drop`.

    Parameters
    ----------
    history : pandas.DataFrame or sequence of dict
        One row per closed interval, in time order, with the columns ``n_candidate``,
        ``error_rate``, ``p99_latency_ms``, ``psi`` and ``agreement`` (NaN where not
        measured), optionally ``n_examples`` and ``n_labels`` (for the PSI noise) and
        ``n_<segment>`` / ``agree_<segment>`` counts, as in :meth:`CanaryRouter.history`.
    n_steps : int
        Number of weights in the schedule (>= 1); passing the last one promotes.
    intervals_per_step : int, default=2
        Passing intervals needed at a weight before the next one (or promotion).
    n_consecutive : int, default=2
        Failing intervals in a row that roll the candidate back.
    min_gate_requests : int, default=30
        Intervals with fewer candidate requests (or without metrics) are not judged.
    max_error_rate, max_p99_latency_ms, max_psi : float
        The gates, as in :class:`CanaryRouter`. A missing PSI or agreement (every candidate
        request raised) fails its gate.
    max_accuracy_drop : float, default=0.1
        Largest accuracy drop against the stable version tolerated on any segment.
    stable_accuracy : float or dict of str to float, optional
        The stable version's accuracy overall and per segment (see
        :func:`agreement_headroom`).
    confidence : float, default=0.95
        One-sided level of every bound, in (0.5, 1).
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

    Notes
    -----
    Each check holds at `confidence` for one look; the rollout looks after every interval,
    which raises the chance of a false alarm, and `n_consecutive` failing looks in a row are
    needed to act.

    Examples
    --------
    >>> h = [{"n_candidate": 50, "error_rate": 0.0, "p99_latency_ms": 3.0, "psi": 0.9,
    ...       "agreement": 0.4, "n_overall": 50, "agree_overall": 20}] * 2
    >>> evaluate_gates(h, n_steps=2)["action"].tolist()
    ['hold', 'rollback']
    >>> evaluate_gates(h, n_steps=2, max_accuracy_drop=0.7, max_psi=1.0)["action"].tolist()
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
    check_float(max_accuracy_drop, "max_accuracy_drop", low=0.0, high=1.0, func=func)
    conf = check_float(
        confidence, "confidence", low=0.5, high=1.0, inclusive=(False, False), func=func
    )
    frame = history.copy() if isinstance(history, pd.DataFrame) else pd.DataFrame(list(history))
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame(columns=_GATE_COLUMNS)
    missing = [c for c in _GATE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"evaluate_gates needs the columns {_GATE_COLUMNS} (as in CanaryRouter.history()). "
            f"Got columns {list(frame.columns)}; missing {missing}."
        )
    headroom = agreement_headroom(
        frame,
        stable_accuracy=stable_accuracy,
        max_accuracy_drop=max_accuracy_drop,
        confidence=conf,
    )
    gates = frame[_GATE_COLUMNS].astype(float)
    n_cand = gates["n_candidate"].to_numpy()
    n_err = np.round(gates["error_rate"].fillna(0).to_numpy() * n_cand)
    err_low, _ = _one_sided(n_err, n_cand, conf)
    if {"n_examples", "n_labels"} <= set(frame.columns):
        noise = psi_noise(frame["n_examples"].astype(float), frame["n_labels"], confidence=conf)
        psi_limit = np.maximum(max_psi, np.nan_to_num(np.asarray(noise, float), nan=0.0))
    else:
        psi_limit = np.full(len(frame), max_psi)
    status, step, consecutive, passed_at_step = "canary", 0, 0, 0
    out = {c: [] for c in ["passed", "failed_gates", "action", "consecutive_failures"]}
    out |= {"step": [], "status": []}
    for i, row in enumerate(gates.itertuples(index=False)):
        passed, failed, action = None, [], ""
        if status == "canary":
            if row.n_candidate < min_requests or np.isnan(row.error_rate):
                action = "wait"
            else:
                if err_low[i] > max_error_rate:
                    failed.append("error_rate")
                if row.p99_latency_ms > max_p99:
                    failed.append("p99_latency_ms")
                if np.isnan(row.psi) or row.psi > psi_limit[i]:
                    failed.append("psi")
                if np.isnan(row.agreement):
                    failed.append("agreement")
                for seg in headroom.columns:
                    if headroom[seg].iloc[i] < 0:
                        failed.append("agreement" if seg == OVERALL else f"agreement:{seg}")
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


def gates_match_router(router) -> bool:
    """Check that :func:`evaluate_gates`, run on a canary's history, repeats its decisions.

    Parameters
    ----------
    router : CanaryRouter
        A fitted (usually replayed) canary router.

    Returns
    -------
    bool
        True when the actions the rule takes on ``router.history()`` with the router's own
        schedule length and gate parameters equal the actions the router took.

    Raises
    ------
    mlkit.errors.NotFittedError
        If the router was not fitted.

    Examples
    --------
    >>> from mlkit.deployment import CanaryRouter
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> r = CanaryRouter(m, m, interval_requests=10, min_gate_requests=1).fit()
    >>> gates_match_router(r.replay(np.zeros((100, 1)), request_ids=[str(i) for i in range(100)]))
    True
    """
    history = router.history()
    replayed = evaluate_gates(
        history,
        n_steps=len(list(router.schedule)),
        intervals_per_step=router.intervals_per_step,
        n_consecutive=router.n_consecutive,
        min_gate_requests=router.min_gate_requests,
        max_error_rate=router.max_error_rate,
        max_p99_latency_ms=router.max_p99_latency_ms,
        max_psi=router.max_psi,
        max_accuracy_drop=router.max_accuracy_drop,
        stable_accuracy=router.stable_accuracy,
        confidence=router.confidence,
        auto_rollback=router.auto_rollback,
    )
    actions = history["action"].tolist() if len(history) else []
    return replayed["action"].tolist() == actions


def plot_gate_whatif(
    histories: dict,
    *,
    n_steps: int,
    max_accuracy_drop: float,
    max_psi: float,
    n_consecutive: int,
    stable_accuracy=None,
    confidence: float = 0.95,
):
    """Plot what the canary gates would decide under other thresholds, on recorded replays.

    Parameters
    ----------
    histories : dict of str to pandas.DataFrame
        Per candidate, the ``history()`` of a report-only replay (``auto_rollback=False``).
    n_steps : int
        Number of steps in the traffic schedule (as :func:`evaluate_gates` takes it).
    max_accuracy_drop : float
        Largest accuracy drop against the stable version tolerated on any segment, in [0, 1].
    max_psi : float
        PSI gate, >= 0.
    n_consecutive : int
        Failing intervals in a row that trigger a rollback, >= 1.
    stable_accuracy : float or dict of str to float, optional
        The stable version's accuracy overall and per segment (see :func:`evaluate_gates`).
    confidence : float, default=0.95
        One-sided level of the bounds.

    Returns
    -------
    matplotlib.figure.Figure
        Left: per interval, the smallest headroom of the agreement's upper bound over its
        floor across segments (below 0 fails). Right: PSI with `max_psi` dashed. Crosses mark
        intervals failing that gate, dotted lines where :func:`evaluate_gates` promotes or
        rolls back.

    Raises
    ------
    ValueError
        As :func:`evaluate_gates`, for thresholds out of range.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    for i, (name, h) in enumerate(histories.items()):
        g = evaluate_gates(
            h,
            n_steps=n_steps,
            n_consecutive=n_consecutive,
            max_accuracy_drop=max_accuracy_drop,
            max_psi=max_psi,
            stable_accuracy=stable_accuracy,
            confidence=confidence,
        )
        ends = g.index[g["action"].isin(["promote", "rollback"])]
        k = int(ends[0]) if len(ends) else None
        verdict = (
            "undecided" if k is None else f"{g.loc[k, 'status'].replace('_', ' ')} at interval {k}"
        )
        room = agreement_headroom(
            h,
            stable_accuracy=stable_accuracy,
            max_accuracy_drop=max_accuracy_drop,
            confidence=confidence,
        ).min(axis=1)
        failed = g["failed_gates"].fillna("")
        for ax, values, gate in [
            (axes[0], room, "agreement"),
            (axes[1], h["psi"], "psi"),
        ]:
            ax.plot(h["interval"], values, "-o", ms=3, color=f"C{i}", label=f"{name}: {verdict}")
            fails = failed.str.contains(gate).to_numpy()
            ax.plot(h["interval"][fails], values[fails], "x", ms=8, color="C3")
            if k is not None:
                ax.axvline(k, color=f"C{i}", ls=":")
    axes[0].axhline(0.0, ls="--", color="grey")
    axes[0].set(
        xlabel="interval",
        ylabel="agreement bound - floor\n(worst segment)",
        title="agreement gate (x = fails)",
    )
    axes[1].axhline(max_psi, ls="--", color="grey")
    axes[1].set(xlabel="interval", ylabel="PSI", title="PSI gate (x = fails)")
    axes[0].legend(fontsize=8, loc="best")
    return fig
