"""Blue/green in the notebook: the replay, what it says and the figure (section 6)."""

from __future__ import annotations

import numpy as np

from mlkit._validation import (
    check_float,
    check_int,
    check_request_batch,
    check_same_length,
)
from mlkit.deployment._bluegreen import BlueGreenRouter

__all__ = [
    "replay_bluegreen",
    "describe_preview",
    "describe_rollback",
    "describe_live",
    "plot_bluegreen",
]


def replay_bluegreen(
    blue,
    candidates: dict,
    X,
    *,
    request_ids,
    X_preview,
    y_preview,
    switch_at: int,
    n_requests: int | None = None,
    batch_size: int = 100,
    per_request: dict | None = None,
    **params,
) -> dict:
    """Run one blue/green release per candidate on the same stream: serve, preview, switch.

    For each candidate (green), in order: blue serves the first `switch_at` requests (they
    become the reference prediction distribution), green is
    previewed on the labelled preview set and, only if it passed, traffic is switched to it;
    the stream then continues up to `n_requests`.

    Parameters
    ----------
    blue : estimator
        The version live at the start.
    candidates : dict of str to estimator
        Green versions by name; each gets its own router.
    X : array-like of shape (n_stream, n_features)
        The request stream, in arrival order.
    request_ids : array-like of str of shape (n_stream,)
        Request (client) ids.
    X_preview : array-like of shape (n_preview, n_features)
        Labelled preview inputs (for example clean clips recorded at a desk).
    y_preview : array-like of shape (n_preview,)
        Their labels.
    switch_at : int
        Requests blue serves before the preview and switch, >= 1.
    n_requests : int, optional
        Requests served in all (before and after the switch); default: the whole stream.
    batch_size : int, default=100
        Requests per micro-batch.
    per_request : dict of str to array-like of shape (n_stream,), optional
        Per-request arrays passed on to :meth:`BlueGreenRouter.route` (``groups``,
        ``segments``).
    **params
        Keyword parameters of every :class:`BlueGreenRouter` (``max_psi``,
        ``interval_requests``, ``keep_warm_requests``, ``preview_tolerance``, ...).

    Returns
    -------
    dict of str to BlueGreenRouter
        The replayed routers keyed like `candidates`; ``preview_`` holds each preview.

    Raises
    ------
    ValueError
        If `switch_at` is below 1 or the stream or preview set is empty, or as
        :class:`BlueGreenRouter`.
    TypeError
        If a version has no ``predict`` method.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 0])
    >>> X, ids = np.zeros((40, 1)), [f"c{i}" for i in range(40)]
    >>> r = replay_bluegreen(m, {"green": m}, X, request_ids=ids, X_preview=X[:5],
    ...                      y_preview=np.zeros(5), switch_at=10)["green"]
    >>> r.live_, r.switch_request_, r.n_requests_
    ('green', 10, 40)
    """
    switch_at = check_int(switch_at, "switch_at", min_value=1, func="replay_bluegreen")
    X, ids = check_request_batch(X, request_ids, "replay_bluegreen")
    extra = {k: np.asarray(v) for k, v in (per_request or {}).items()}
    if extra:
        check_same_length("replay_bluegreen", X=X, **extra)
    before, after = slice(0, switch_at), slice(switch_at, n_requests)
    out = {}
    for name, green in candidates.items():
        router = BlueGreenRouter(blue, green, **params).fit()
        router.replay(
            X[before],
            request_ids=ids[before],
            batch_size=batch_size,
            **{k: v[before] for k, v in extra.items()},
        )
        if router.preview(X_preview, y_preview)["passed"]:
            router.switch()
        out[name] = router.replay(
            X[after],
            request_ids=ids[after],
            batch_size=batch_size,
            **{k: v[after] for k, v in extra.items()},
        )
    return out


def describe_preview(preview: dict, *, name: str, set_name: str = "clean") -> str:
    """Say how a green version did in its preview, against blue, and whether it passed.

    Parameters
    ----------
    preview : dict
        :attr:`BlueGreenRouter.preview_` (``accuracy``, ``blue_accuracy``, ``n_samples``,
        ``passed``).
    name : str
        The green version's name.
    set_name : str, default="clean"
        What the preview clips are, as an adjective.

    Returns
    -------
    str
        One line of plain text.

    Examples
    --------
    >>> describe_preview(
    ...     {"accuracy": 0.9, "blue_accuracy": 0.85, "n_samples": 40, "passed": True}, name="v2"
    ... )
    'v2 green: preview accuracy 0.900 vs blue 0.850 on 40 clean clips -> passed'
    """
    return (
        f"{name} green: preview accuracy {preview['accuracy']:.3f} vs blue "
        f"{preview['blue_accuracy']:.3f} on {preview['n_samples']} {set_name} clips -> "
        f"{'passed' if preview['passed'] else 'failed'}"
    )


def describe_rollback(router, *, name: str, requests_per_s: float) -> str:
    """Say how many requests (and seconds) a green version answered before its rollback.

    Parameters
    ----------
    router : BlueGreenRouter
        A replayed router.
    name : str
        The green version's name.
    requests_per_s : float
        Simulated arrival rate, in requests per second, > 0: turns requests into seconds.

    Returns
    -------
    str
        One line of plain text: the exposure and the measured pointer swap in µs, or that
        green was never rolled back (and whether it was switched to).

    Raises
    ------
    ValueError
        If `requests_per_s` is not positive.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> describe_rollback(BlueGreenRouter(m, m).fit([[0.0]]), name="v2", requests_per_s=20.0)
    'v2 green was never switched to, so never rolled back'
    """
    rate = check_float(
        requests_per_s, "requests_per_s", low=0.0, inclusive=(False, True), func="describe_rollback"
    )
    exposure = router.rollback_exposure_requests_
    if exposure is None:
        if router.switch_request_ is None:
            return f"{name} green was never switched to, so never rolled back"
        return f"{name} green was switched to and never rolled back"
    fired = [i["failed"] for i in router.intervals_ if i["action"] == "rollback"]
    why = f" (failed: {fired[0]})" if fired else ""
    return (
        f"{name} green answered {exposure} requests ({exposure / rate:.0f} s at "
        f"{requests_per_s:g} requests/s) before the rollback{why}; the pointer swap itself "
        f"took {router.rollback_s_ * 1e6:.1f} \u00b5s"
    )


def describe_live(router, *, name: str) -> str:
    """Say whether a green version is still live and whether blue was retired.

    Parameters
    ----------
    router : BlueGreenRouter
        A replayed router.
    name : str
        The green version's name.

    Returns
    -------
    str
        One line of plain text.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> m = DummyClassifier(strategy="most_frequent").fit([[0], [1]], [0, 1])
    >>> describe_live(BlueGreenRouter(m, m).fit([[0.0]]), name="v2")
    'v2 green still live: no; blue retired after the keep-warm delay: no'
    """
    live = "yes" if router.live_ == "green" else "no"
    retired = "yes" if router.retired_ == "blue" else "no"
    return f"{name} green still live: {live}; blue retired after the keep-warm delay: {retired}"


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
