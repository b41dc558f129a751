"""Shadow mode in the notebook: what it says, the seed repeats, the table and the figure (section 5)."""

from __future__ import annotations

import numpy as np

from mlkit._validation import (
    check_float,
    check_same_length,
)
from mlkit.deployment._shadow import sequential_agreement_test, simulate_operator_decisions

__all__ = [
    "describe_shadow",
    "repeat_shadow",
    "describe_shadow_seeds",
    "shadow_table",
    "plot_shadow",
]


def describe_shadow(routers: dict) -> str:
    """Say what the sequential test decided for each shadow candidate, and what that is worth.

    Parameters
    ----------
    routers : dict of str to ShadowRouter
        Replayed shadow routers keyed by a label, sharing the test's parameters.

    Returns
    -------
    str
        Markdown: the rule (p0, p1, alpha, beta), then one bullet per candidate with its
        verdict, the clips it took and its agreement with the Wilson interval.

    Raises
    ------
    mlkit.errors.NotFittedError
        If a router was not fitted.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from mlkit.deployment import ShadowRouter
    >>> m = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> r = ShadowRouter(None, m, min_agreement=0.7).fit()
    >>> _ = r.route(np.zeros((30, 1)), request_ids=[str(i) for i in range(30)], y_live=[0] * 30)
    >>> print(describe_shadow({"m": r}).splitlines()[-1])
    - **m**: *fail* after 11 unique clips (agreement 0.00, 95% Wilson interval [0.00, 0.26]).
    """
    first = next(iter(routers.values()))
    first._check_fitted()
    p0, p1 = first._test[0], first._test[1]
    lines = [
        f"Rule: pass once the evidence for agreement {p1:.2f} (p1) over {p0:.2f} (p0) "
        f"reaches 1/alpha = {1 / first.alpha:g}, fail once the evidence for p0 reaches "
        f"1/beta = {1 / first.beta:g}. A candidate that agrees on {p0:.2f} or less passes with "
        f"probability at most {first.alpha:g}; one at {p1:.2f} or more fails with probability "
        f"at most {first.beta:g}; in between either verdict is acceptable.",
        "",
    ]
    for name, r in routers.items():
        low, high = r.ci_
        n = r.n_to_decision_ if r.n_to_decision_ is not None else r.n_compared_
        when = "after" if r.n_to_decision_ is not None else "still open after"
        lines.append(
            f"- **{name}**: *{r.verdict_}* {when} {n} unique clips (agreement "
            f"{r.agreement_:.2f}, {r.confidence:.0%} Wilson interval [{low:.2f}, {high:.2f}])."
        )
    return "\n".join(lines)


def repeat_shadow(
    X,
    y,
    *,
    groups,
    condition,
    n_requests: int,
    random_states=(0, 1, 2, 3, 4),
    stream_share: float = 0.25,
    operator_accuracy: float = 0.95,
    **test,
):
    """Repeat the shadow experiment over seeds on the same features: split, train, test.

    For each seed: hold out `stream_share` of the `groups` (speakers) as traffic, train the
    three versions (:func:`train_versions`), draw the request stream
    (:func:`sample_requests`) and the operators' decisions
    (:func:`simulate_operator_decisions`), and run :func:`sequential_agreement_test` on each
    candidate's agreement with the operators, each clip once in order of first request,
    exactly as :class:`ShadowRouter` with ``groups`` does.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features of every clip (computed once; the seeds do not redraw them).
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,)
        Speaker of each clip.
    condition : array-like of str of shape (n_samples,)
        Recording condition of each clip.
    n_requests : int
        Length of each stream, >= 1.
    random_states : sequence of int, default=(0, 1, 2, 3, 4)
        Seeds; each one seeds the split, the stable model's subsample, the stream and the
        operators, as the notebook's `random_state` does.
    stream_share : float, default=0.25
        Share of speakers held out as traffic, in (0, 1).
    operator_accuracy : float, default=0.95
        Accuracy of the simulated operators.
    **test
        Parameters of :func:`sequential_agreement_test` (``min_agreement``,
        ``indifference``, ``alpha``, ``beta``).

    Returns
    -------
    pandas.DataFrame
        One row per seed: ``verdict_<candidate>``, ``clips_<candidate>`` (clips used) and
        ``agreement_<candidate>`` (over every held-out clip) for ``good`` and ``bad``.

    Raises
    ------
    ValueError
        If a parameter is out of range or the inputs differ in length.
    """
    import pandas as pd
    from sklearn.model_selection import GroupShuffleSplit

    from mlkit.deployment._traffic import sample_requests
    from mlkit.deployment._versions import train_versions

    X, y = np.asarray(X), np.asarray(y)
    groups, condition = np.asarray(groups), np.asarray(condition)
    check_same_length("repeat_shadow", X=X, y=y, groups=groups, condition=condition)
    share = check_float(
        stream_share,
        "stream_share",
        low=0.0,
        high=1.0,
        inclusive=(False, False),
        func="repeat_shadow",
    )
    rows = []
    for seed in random_states:
        split = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
        train, pool = next(split.split(X, y, groups=groups))
        models = train_versions(X, y, train, condition=condition, random_state=seed)
        index, _ = sample_requests(len(pool), n_requests=n_requests, random_state=seed)
        y_op = simulate_operator_decisions(
            y[pool][index], accuracy=operator_accuracy, labels=np.arange(10), random_state=seed
        )
        first = np.sort(np.unique(index, return_index=True)[1])
        row = {"random_state": seed}
        for name in ["good", "bad"]:
            y_c = models[name].predict(X[pool][index][first])
            agree = y_c == y_op[first]
            out = sequential_agreement_test(agree, **test)
            row |= {
                f"verdict_{name}": out["verdict"],
                f"clips_{name}": out["n"],
                f"agreement_{name}": float(agree.mean()),
            }
        rows.append(row)
    return pd.DataFrame(rows).set_index("random_state")


def describe_shadow_seeds(table) -> str:
    """Say how often the shadow test passed and failed each candidate over seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`repeat_shadow`'s result.

    Returns
    -------
    str
        One markdown sentence per candidate with the counts of "pass", "fail" and
        "undecided" and the range of its agreement over all held-out clips.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"verdict_good": ["pass", "pass"], "agreement_good": [0.7, 0.8],
    ...                   "verdict_bad": ["fail", "pass"], "agreement_bad": [0.5, 0.7]})
    >>> print(describe_shadow_seeds(t).splitlines()[1])
    - **bad**: pass on 1, fail on 1, undecided on 0 of 2 seeds; agreement over all held-out clips 0.50-0.70.
    """
    lines = []
    for name in ["good", "bad"]:
        v = table[f"verdict_{name}"]
        a = table[f"agreement_{name}"]
        counts = ", ".join(f"{k} on {int((v == k).sum())}" for k in ["pass", "fail", "undecided"])
        lines.append(
            f"- **{name}**: {counts} of {len(v)} seeds; agreement over all held-out clips "
            f"{a.min():.2f}-{a.max():.2f}."
        )
    return "\n".join(lines)


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
        ``agreement``, ``ci_low``, ``ci_high`` (the Wilson interval), ``clips to decision``
        (None while the sequential test has not decided) and ``verdict``.

    Raises
    ------
    mlkit.errors.NotFittedError
        If a router was not fitted.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from mlkit.deployment import ShadowRouter
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
                "clips to decision": r.n_to_decision_,
                "verdict": r.verdict_,
            }
            for name, r in routers.items()
        }
    ).T


def plot_shadow(routers: dict, *, title: str | None = None):
    """Plot each shadow candidate's running agreement and its sequential test.

    Parameters
    ----------
    routers : dict of str to ShadowRouter
        Replayed routers keyed by a label (sharing the test's parameters).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Left: agreement against compared requests with its Wilson interval as a band, p1
        (`min_agreement`) and p0 dashed. Right: the test's log likelihood ratio with the
        pass and fail boundaries; a dotted line where each candidate's test decided.
    """
    import matplotlib.pyplot as plt

    first = next(iter(routers.values()))
    p0, p1, _, _, upper, lower = first._test
    fig, (ax, ax_llr) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (label, r) in enumerate(routers.items()):
        c = r.curve_
        color = f"C{i}"
        ax.plot(c["n"], c["agreement"], color=color, label=f"{label} ({r.verdict_})")
        ax.fill_between(c["n"], c["ci_low"], c["ci_high"], color=color, alpha=0.2)
        ax_llr.plot(c["n"], c["llr"], color=color, label=f"{label} ({r.verdict_})")
        if r.n_to_decision_ is not None:
            for a in (ax, ax_llr):
                a.axvline(r.n_to_decision_, color=color, ls=":", lw=1)
    ax.axhline(p1, ls="--", color="grey", lw=1, label=f"needed (p1 = {p1:.2f})")
    ax.axhline(p0, ls="--", color="C3", lw=1, label=f"must not pass (p0 = {p0:.2f})")
    ax.set_ylim(0, 1)
    ax.set_xlabel("unique clips compared")
    ax.set_ylabel(f"agreement with live decision\n({first.confidence:.0%} Wilson interval)")
    ax.legend(loc="lower right", fontsize=8)
    ax_llr.axhline(upper, ls="--", color="C2", lw=1, label=f"pass: log(1/alpha) = {upper:.2f}")
    ax_llr.axhline(lower, ls="--", color="C3", lw=1, label=f"fail: log(beta) = {lower:.2f}")
    ax_llr.set_xlabel("unique clips compared")
    ax_llr.set_ylabel("log likelihood ratio (p1 vs p0)")
    ax_llr.legend(loc="best", fontsize=8)
    for a in (ax, ax_llr):
        a.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
