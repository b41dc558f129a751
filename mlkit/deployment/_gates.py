"""The canary's decision rule, and what other thresholds would have decided.

Serves "What if the gates were set differently?" of ``notebooks/05_deployment.ipynb``;
:class:`CanaryRouter` calls :func:`evaluate_gates` at the end of every interval.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_int

__all__ = ["evaluate_gates", "gates_match_router", "plot_gate_whatif"]


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
        min_agreement=router.min_agreement,
        auto_rollback=router.auto_rollback,
    )
    actions = history["action"].tolist() if len(history) else []
    return replayed["action"].tolist() == actions


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
