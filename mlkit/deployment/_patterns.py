"""Which deployment pattern when: canary, blue/green and shadow mode on the same bad candidate.

Serves "Which deployment pattern when" of ``notebooks/05_deployment.ipynb``: the costs of each
pattern measured on the routers the earlier sections replayed (:func:`pattern_costs`) and the
same measurement repeated over seeds (:func:`repeat_patterns`, :func:`compare_patterns`). What
the section says, its decision table and its figure are in ``_patterns_report.py``.
"""

from __future__ import annotations

import numpy as np

from mlkit._stats import mean_t_interval
from mlkit._validation import check_float, check_same_length

__all__ = [
    "PATTERNS",
    "PATTERN_METRICS",
    "pattern_costs",
    "repeat_patterns",
    "compare_patterns",
]

PATTERNS = ("canary", "blue/green", "shadow")
"""The three deployment patterns, in the order of every table of this section."""

PATTERN_METRICS = (
    "n_seeds",
    "both_caught",
    "canary_caught",
    "bluegreen_caught",
    "shadow_caught",
    "canary_exposed_mean",
    "bluegreen_exposed_mean",
    "shadow_exposed_max",
    "canary_detect_mean",
    "bluegreen_detect_mean",
    "shadow_detect_mean",
    "bluegreen_fewer_detect",
    "canary_exposed_share_mean",
    "bluegreen_exposed_share_mean",
    "canary_excess_wrong_mean",
    "bluegreen_excess_wrong_mean",
)
"""Keys of :func:`compare_patterns` the notebook records (``patterns_<key>``) for nbs_ci.yml."""

_COST_COLUMNS = (
    "caught",
    "requests_to_detection",
    "exposed_requests",
    "wrong_answers",
    "excess_wrong",
    "exposed_share",
    "rollback",
)


def _first_seen(groups) -> np.ndarray:
    """Request position (0-based) at which each distinct group first appears, in order."""
    return np.sort(np.unique(np.asarray(groups), return_index=True)[1])


def pattern_costs(canary, shadow, bluegreen, *, X, y_true, groups):
    """Measure what each pattern cost with one candidate: exposure, detection, rollback.

    The three routers must have replayed the same recorded stream with the same candidate
    (the blue/green one may have stopped earlier): `X`, `y_true` and `groups` are that
    stream. Labels are known here only because the traffic is a replay of labelled clips; a
    production system would not have them when it decides.

    Parameters
    ----------
    canary : CanaryRouter
        The candidate's canary rollout (replayed).
    shadow : ShadowRouter
        The candidate in shadow mode (replayed; `groups` passed to its replay).
    bluegreen : BlueGreenRouter
        The candidate as green (replayed with :func:`replay_bluegreen`).
    X : array-like of shape (n_requests, n_features)
        The stream, in arrival order.
    y_true : array-like of shape (n_requests,)
        True label of each request.
    groups : array-like of shape (n_requests,)
        The clip behind each request (the shadow test counts each clip once).

    Returns
    -------
    pandas.DataFrame
        One row per pattern (:data:`PATTERNS`) with

        - ``caught``: the pattern flagged the candidate (canary rolled back; blue/green's
          preview refused it or monitoring rolled it back; the shadow test said "fail");
        - ``requests_to_detection``: requests of traffic from the first one the candidate
          saw (the canary's start, the blue/green switch, the shadow's start) to the flag;
          0 for a preview refusal, NaN when never caught;
        - ``exposed_requests``: answers users received from the candidate (the shadow's are
          never returned);
        - ``wrong_answers``: of those, how many were wrong;
        - ``excess_wrong``: wrong answers minus those the replaced version (stable, blue)
          gives on the same requests: the wrong answers the release itself caused;
        - ``exposed_share``: exposed requests per request of traffic up to the detection
          (up to the end of the pattern's stream when never caught), in [0, 1];
        - ``rollback``: what has to be switched back.

    Raises
    ------
    ValueError
        If `X`, `y_true` and `groups` differ in length.
    mlkit.errors.NotFittedError
        If a router was not fitted.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from mlkit.deployment import CanaryRouter, ShadowRouter, replay_bluegreen
    >>> X = np.repeat(np.arange(10.0), 40).reshape(-1, 1)
    >>> y, ids = np.zeros(400, int), [f"c{i}" for i in range(400)]
    >>> right = DummyClassifier(strategy="constant", constant=0).fit([[0], [1]], [0, 1])
    >>> wrong = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    >>> c = CanaryRouter(right, wrong, schedule=(0.5, 1.0), interval_requests=100,
    ...                  min_gate_requests=10).fit().replay(X, request_ids=ids)
    >>> s = ShadowRouter(None, wrong).fit().replay(X, request_ids=ids, y_live=y)
    >>> b = replay_bluegreen(right, {"bad": wrong}, X, request_ids=ids, X_preview=X[:5],
    ...                      y_preview=y[:5], switch_at=100, preview_tolerance=1.0,
    ...                      interval_requests=100)["bad"]
    >>> costs = pattern_costs(c, s, b, X=X, y_true=y, groups=np.arange(400))
    >>> costs[["caught", "requests_to_detection", "exposed_requests"]].to_dict("index")["shadow"]
    {'caught': True, 'requests_to_detection': 8.0, 'exposed_requests': 0}
    """
    import pandas as pd

    y_true, groups = np.asarray(y_true), np.asarray(groups)
    check_same_length("pattern_costs", X=X, y_true=y_true, groups=groups)
    X = np.asarray(X)
    rows = {}

    log = canary.requests_frame()
    cand = (log["version"] == "candidate").to_numpy()
    y_served = log["y_pred"].to_numpy()
    # the stable model's answers to the same requests (after a promotion it no longer scores)
    y_stable = np.asarray(canary.stable.predict(X[: len(log)][cand])) if cand.any() else None
    truth = y_true[: len(log)]
    caught = canary.rollback_interval_ is not None
    weight = canary.intervals_[canary.rollback_interval_]["canary_weight"] if caught else None
    rows["canary"] = {
        "caught": caught,
        "requests_to_detection": (
            float(canary.intervals_[canary.rollback_interval_]["end_request"]) if caught else np.nan
        ),
        "exposed_requests": int(cand.sum()),
        "wrong_answers": int((y_served[cand] != truth[cand]).sum()),
        "excess_wrong": int(
            (y_served[cand] != truth[cand]).sum() - (y_stable != truth[cand]).sum()
            if cand.any()
            else 0
        ),
        "rollback": (
            f"canary weight {weight:g} -> 0 (a setting; the {weight:.0%} of clients on the "
            "candidate return to stable)"
            if caught
            else "not rolled back"
        ),
    }

    log = bluegreen.requests_frame()
    green = (log["version"] == "green").to_numpy()
    truth = y_true[: len(log)][green]
    y_blue = np.asarray(bluegreen.blue.predict(X[: len(log)][green])) if green.any() else truth
    refused = bluegreen.switch_request_ is None
    rolled = bluegreen.rollback_exposure_requests_ is not None
    rows["blue/green"] = {
        "caught": refused or rolled,
        "requests_to_detection": (
            0.0 if refused else float(bluegreen.rollback_exposure_requests_) if rolled else np.nan
        ),
        "exposed_requests": int(green.sum()),
        "wrong_answers": int((log["y_pred"].to_numpy()[green] != truth).sum()),
        "excess_wrong": int(
            (log["y_pred"].to_numpy()[green] != truth).sum() - (y_blue != truth).sum()
        ),
        "rollback": (
            "nothing: the preview refused it"
            if refused
            else "live pointer green -> blue (blue kept warm: two full deployments)"
            if rolled
            else "not rolled back"
        ),
    }

    decided = shadow.verdict_ == "fail"
    first = _first_seen(groups)
    rows["shadow"] = {
        "caught": decided,
        "requests_to_detection": (
            float(first[shadow.n_to_decision_ - 1] + 1) if decided else np.nan
        ),
        "exposed_requests": int(
            (shadow.requests_frame()["version"] == "candidate").sum()
        ),  # by design 0: the router answers with the live decision only
        "wrong_answers": 0,
        "excess_wrong": 0,
        "rollback": "nothing: no user got its answers; stop calling it",
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    seen = {  # traffic the candidate could have answered, up to the flag
        "canary": canary.n_requests_,
        "blue/green": bluegreen.n_requests_ - (bluegreen.switch_request_ or 0),
        "shadow": shadow.n_requests_,
    }
    upto = out["requests_to_detection"].fillna(pd.Series(seen)).astype(float)
    out["exposed_share"] = np.where(upto > 0, out["exposed_requests"] / upto.clip(lower=1), 0.0)
    return out[list(_COST_COLUMNS)]


def repeat_patterns(
    X,
    y,
    *,
    groups,
    condition,
    canary: dict,
    shadow: dict,
    bluegreen: dict,
    candidate: str = "bad",
    random_states=(0, 1, 2, 3, 4),
    stream_share: float = 0.25,
    operator_accuracy: float = 0.95,
    preview_condition: str = "clean",
    n_stream: int | None = None,
):
    """Repeat the three patterns on one candidate over seeds, as the notebook runs them once.

    For each seed, exactly as the notebook's sections with ``random_state`` set to it: hold
    out `stream_share` of the speakers as traffic, train the versions
    (:func:`train_versions`), take the stable model's offline accuracy on the held-out clips
    as the gates' `stable_accuracy`, draw the stream (:func:`sample_requests`) and the
    operators (:func:`simulate_operator_decisions`), replay the canary, the shadow and the
    blue/green release of `candidate`, and measure them with :func:`pattern_costs`.

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
    canary : dict
        Parameters of :class:`CanaryRouter` (the notebook's `gates`); must hold
        ``schedule`` and ``interval_requests``. Its ``stable_accuracy`` is replaced by each
        seed's own.
    shadow : dict
        Parameters of :class:`ShadowRouter` (``min_agreement``, ``indifference``, ...).
    bluegreen : dict
        Parameters of :func:`replay_bluegreen` (``switch_at``, ``n_requests``,
        ``interval_requests``, ``keep_warm_requests``, ``preview_tolerance``, ...), without
        the checks, which come from `canary` (``max_psi``, ``max_accuracy_drop``) and the
        seed (``stable_accuracy``).
    candidate : str, default="bad"
        Which of :func:`train_versions`' candidates to deploy (``"good"`` or ``"bad"``).
    random_states : sequence of int, default=(0, 1, 2, 3, 4)
        Seeds, at least 2; each seeds the split, the stable subsample, the stream and the
        operators, as the notebook's `random_state` does.
    stream_share : float, default=0.25
        Share of speakers held out as traffic, in (0, 1).
    operator_accuracy : float, default=0.95
        Accuracy of the simulated operators, in [0, 1].
    preview_condition : str, default="clean"
        Blue/green previews on the held-out clips of this condition.
    n_stream : int, optional
        Requests per stream; default as the notebook: ``(len(schedule) * 2 + 4) *
        interval_requests``.

    Returns
    -------
    pandas.DataFrame
        One row per seed and pattern (index ``random_state``, ``pattern``), the columns of
        :func:`pattern_costs`.

    Raises
    ------
    ValueError
        If fewer than 2 seeds are given, `stream_share` is outside (0, 1), the inputs differ
        in length, or as the routers.

    See Also
    --------
    compare_patterns : means, intervals and paired differences of the costs over the seeds.
    """
    import pandas as pd
    from sklearn.model_selection import GroupShuffleSplit

    from mlkit.deployment._bluegreen_report import replay_bluegreen
    from mlkit.deployment._canary import CanaryRouter
    from mlkit.deployment._shadow import ShadowRouter, simulate_operator_decisions
    from mlkit.deployment._traffic import sample_requests
    from mlkit.deployment._versions import offline_accuracy, train_versions

    X, y = np.asarray(X), np.asarray(y)
    groups, condition = np.asarray(groups), np.asarray(condition)
    check_same_length("repeat_patterns", X=X, y=y, groups=groups, condition=condition)
    share = check_float(
        stream_share,
        "stream_share",
        low=0.0,
        high=1.0,
        inclusive=(False, False),
        func="repeat_patterns",
    )
    if len(random_states) < 2:
        raise ValueError(
            "repeat_patterns needs at least 2 seeds for an interval. Got "
            f"{list(random_states)!r}. Pass random_states=(0, 1, 2, 3, 4)."
        )
    if n_stream is None:
        n_stream = (len(canary["schedule"]) * 2 + 4) * canary["interval_requests"]
    checks = {k: canary[k] for k in ["max_psi", "max_accuracy_drop"] if k in canary}
    frames = {}
    for seed in random_states:
        split = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
        train, pool = next(split.split(X, y, groups=groups))
        models = train_versions(X, y, train, condition=condition, random_state=seed)
        offline = offline_accuracy(models, X[pool], y[pool], condition=condition[pool])
        accuracy = offline.loc["stable"].to_dict()
        index, ids = sample_requests(len(pool), n_requests=n_stream, random_state=seed)
        X_s, y_s = X[pool][index], y[pool][index]
        per_clip = dict(groups=index, segments=condition[pool][index])
        model = models[candidate]
        c = CanaryRouter(models["stable"], model, **{**canary, "stable_accuracy": accuracy})
        c = c.fit().replay(X_s, request_ids=ids, batch_size=100, **per_clip)
        y_op = simulate_operator_decisions(
            y_s, accuracy=operator_accuracy, labels=np.arange(10), random_state=seed
        )
        s = ShadowRouter(None, model, **shadow).fit()
        s = s.replay(X_s, request_ids=ids, batch_size=100, y_live=y_op, groups=index)
        preview = pool[condition[pool] == preview_condition]
        b = replay_bluegreen(
            models["stable"],
            {candidate: model},
            X_s,
            request_ids=ids,
            per_request=per_clip,
            X_preview=X[preview],
            y_preview=y[preview],
            stable_accuracy=accuracy,
            **checks,
            **bluegreen,
        )[candidate]
        frames[seed] = pattern_costs(c, s, b, X=X_s, y_true=y_s, groups=index)
    out = pd.concat(frames, names=["random_state", "pattern"])
    return out


_KEYS = {"canary": "canary", "blue/green": "bluegreen", "shadow": "shadow"}
_SUMMARISED = {
    "exposed_requests": "exposed",
    "excess_wrong": "excess_wrong",
    "requests_to_detection": "detect",
}


def _interval(values, confidence, *, empty):
    """Return the mean and t interval of `values`; one value is its own, none gives `empty`."""
    v = np.asarray(values, dtype=float)
    if v.size >= 2:
        return mean_t_interval(v, confidence=confidence, func="compare_patterns")
    if v.size == 1:
        return float(v[0]), float(v[0]), float(v[0])
    return empty, empty, empty


def compare_patterns(table, *, confidence: float = 0.95) -> dict:
    """Reduce the per-seed costs to the numbers this section states and records.

    Exposure, wrong answers and time to detection are summarised over the seeds on which a
    pattern caught the candidate (the cost of a caught release); how often it missed is
    counted apart (a missed release goes on exposing users until something else stops it).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`repeat_patterns`' result (index ``random_state``, ``pattern``), at least 2
        seeds, every pattern of :data:`PATTERNS`.
    confidence : float, default=0.95
        Level of the Student-t intervals over seeds (:func:`mlkit._stats.mean_t_interval`),
        in (0, 1).

    Returns
    -------
    dict of str to int or float
        ``n_seeds``; per pattern ``<p>`` in ``canary``, ``bluegreen``, ``shadow``:
        ``<p>_caught`` (seeds on which it caught the candidate), ``<p>_exposed_max`` (over
        all seeds), and over the seeds that caught it ``<p>_exposed_{mean,low,high}``
        (answers users received from it), ``<p>_excess_wrong_{mean,low,high}`` (wrong
        answers beyond the replaced version's), ``<p>_detect_{mean,low,high}`` (requests to
        detection) and ``<p>_exposed_share_mean`` (-1 when no seed caught it). The lower
        bounds of exposure and detection, counts of requests, are clipped at 0 (a t interval
        over two seeds can reach below it). Canary minus
        blue/green over the ``both_caught`` seeds where both caught it: the paired
        ``diff_{exposed,excess_wrong,detect}_{mean,low,high}`` (all 0 with fewer than 2
        such seeds: no evidence either way) and the counts ``canary_fewer_<x>`` and
        ``bluegreen_fewer_<x>`` of seeds on which one was lower.

    Raises
    ------
    ValueError
        If fewer than 2 seeds are given or `confidence` is outside (0, 1).
    KeyError
        If a pattern is missing.

    Notes
    -----
    The seeds are repeats of the whole experiment on one run's features (split, stable
    subsample, stream, operators); they share clips, so the intervals are approximate (see
    :func:`mlkit._stats.mean_t_interval`). The paired differences use that canary and
    blue/green met the same stream on each seed.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = {(s, p): {"caught": p != "shadow" or s == 0, "exposed_requests": e,
    ...                  "excess_wrong": e // 10, "requests_to_detection": d,
    ...                  "exposed_share": e / d}
    ...         for s in (0, 1) for p, e, d in
    ...         [("canary", 100 + s, 1000), ("blue/green", 300, 300), ("shadow", 0, 40)]}
    >>> t = pd.DataFrame.from_dict(rows, orient="index").rename_axis(["random_state", "pattern"])
    >>> m = compare_patterns(t)
    >>> m["n_seeds"], m["shadow_caught"], m["canary_exposed_mean"], m["diff_detect_mean"]
    (2, 1, 100.5, 700.0)
    >>> m["both_caught"], m["bluegreen_fewer_detect"], m["canary_fewer_exposed"]
    (2, 2, 2)
    """
    seeds = table.index.get_level_values("random_state").unique()
    if len(seeds) < 2:
        raise ValueError(
            f"compare_patterns needs results from at least 2 seeds. Got {len(seeds)}. "
            "Run repeat_patterns with random_states=(0, 1, 2, 3, 4)."
        )
    check_float(
        confidence,
        "confidence",
        low=0.0,
        high=1.0,
        inclusive=(False, False),
        func="compare_patterns",
    )
    out: dict = {"n_seeds": len(seeds)}
    per = {p: table.xs(p, level="pattern").loc[seeds] for p in PATTERNS}
    for pattern, key in _KEYS.items():
        t = per[pattern]
        caught = t["caught"].astype(bool).to_numpy()
        out[f"{key}_caught"] = int(caught.sum())
        out[f"{key}_exposed_max"] = int(t["exposed_requests"].max())
        for col, name in _SUMMARISED.items():
            mean, low, high = _interval(t[col].to_numpy(float)[caught], confidence, empty=-1.0)
            if col != "excess_wrong" and caught.any():  # counts of requests: never below 0
                low = max(low, 0.0)
            out |= {
                f"{key}_{name}_mean": mean,
                f"{key}_{name}_low": low,
                f"{key}_{name}_high": high,
            }
        share = t["exposed_share"].to_numpy(float)[caught]
        out[f"{key}_exposed_share_mean"] = float(share.mean()) if share.size else -1.0
    c, b = per["canary"], per["blue/green"]
    both = (c["caught"].astype(bool) & b["caught"].astype(bool)).to_numpy()
    out["both_caught"] = int(both.sum())
    for col, name in _SUMMARISED.items():
        d = c[col].to_numpy(float)[both] - b[col].to_numpy(float)[both]
        mean, low, high = _interval(d, confidence, empty=0.0) if d.size >= 2 else (0.0,) * 3
        out |= {f"diff_{name}_mean": mean, f"diff_{name}_low": low, f"diff_{name}_high": high}
        out[f"canary_fewer_{name}"] = int((d < 0).sum())
        out[f"bluegreen_fewer_{name}"] = int((d > 0).sum())
    return out
