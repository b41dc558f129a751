"""Does it survive the seed? The whole equal-budget comparison, repeated over seeds.

Serves section 5 of ``notebooks/03b_tracking.ipynb``: per seed a new speaker split, new
simulated labelers, a new unlabelled pool and new search draws, on the same clips and
features (computed once); runs here are not tracked, so a repeat costs only the fits.
"""

from __future__ import annotations

import numpy as np

from mlkit._stats import mean_t_interval
from mlkit._validation import check_float, check_int

__all__ = [
    "SEED_COLUMNS",
    "weakest_tag",
    "compare_arms_over_seeds",
    "seed_intervals",
    "summary_metrics_over_seeds",
    "describe_over_seeds",
    "plot_gains_over_seeds",
]

#: Per-seed quantities summarised by :func:`seed_intervals`.
SEED_COLUMNS = (
    "data_centric_gain",
    "model_centric_gain",
    "gain_difference",
    "data_centric_top_tag_gain",
    "wrong_label_share",
)


def weakest_tag(model, X, y, *, tags, snr_db, dev, random_state=0) -> str:
    """Name the tag with the highest potential gain in the error analysis of a model on dev.

    Parameters
    ----------
    model : estimator
        A fitted classifier.
    X : array-like of shape (n_samples, n_features)
        Features of the whole dataset.
    y : array-like of int of shape (n_samples,)
        True digits of the whole dataset.
    tags : array-like of str of shape (n_samples,)
        Condition of every clip.
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of every clip in dB (NaN without noise), for the simulated HLP.
    dev : array-like of int
        Positions of the dev clips.
    random_state : int, default=0
        Seeds the simulated labelers of the HLP.

    Returns
    -------
    str
        The first tag of :func:`mlkit.modeling.error_analysis_by_tag` against
        :func:`mlkit.modeling.human_level_performance`.
    """
    from mlkit import modeling

    dev = np.asarray(dev, dtype=np.int64)
    y, tags, snr_db = np.asarray(y), np.asarray(tags, dtype=str), np.asarray(snr_db, dtype=float)
    hlp = modeling.human_level_performance(
        y[dev], tags[dev], snr_db=snr_db[dev], random_state=random_state
    )
    y_pred = model.predict(np.asarray(X)[dev])
    return str(modeling.error_analysis_by_tag(y[dev], y_pred, tags[dev], hlp=hlp).index[0])


def _fit_score(name, hyper, X, y, rows, labels, evals, tags, seed):
    from mlkit._models import make_model
    from mlkit.modeling import score_sets

    model = make_model(name, random_state=seed, **hyper).fit(X[rows], labels)
    return model, score_sets(model, X, y, evals, tags=tags)


def compare_arms_over_seeds(
    X,
    y,
    *,
    tags,
    snr_db,
    speakers,
    model: str = "svm",
    n_seeds: int = 5,
    random_state=0,
    budget_runs: int = 6,
    relabel_per_run: int = 20,
    pool_share: float = 0.3,
    n_labelers: int = 3,
    unseen_share: float = 0.25,
):
    """Repeat the equal-budget comparison of both arms over seeds, untracked.

    For each seed ``random_state + i``: split by speaker
    (:func:`mlkit.datasets.speaker_split`), collect labels from simulated labelers
    (:func:`mlkit.modeling.make_recipes`), train the baseline (`model` on the labels as
    collected), name the weakest tag on dev (:func:`weakest_tag`), run both arms of
    :func:`equal_budget_plan`, pick each arm's best run on dev and report its gain on the
    seen split (:func:`mlkit.modeling.budget_comparison`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features of the whole dataset (computed once).
    y : array-like of int of shape (n_samples,)
        True digits.
    tags : array-like of str of shape (n_samples,)
        Condition of every clip.
    snr_db : array-like of float of shape (n_samples,)
        Broadband SNR of every clip in dB (NaN without noise).
    speakers : array-like of shape (n_samples,)
        Speaker of every clip.
    model : str, default="svm"
        The baseline's and the data-centric arm's model.
    n_seeds : int, default=5
        Repeats, at least 2.
    random_state : int, default=0
        First seed; the repeats use ``random_state, ..., random_state + n_seeds - 1``.
    budget_runs, relabel_per_run
        As :func:`equal_budget_plan`.
    pool_share, n_labelers
        As :func:`mlkit.modeling.make_recipes`.
    unseen_share : float, default=0.25
        As :func:`mlkit.datasets.speaker_split`.

    Returns
    -------
    pandas.DataFrame
        One row per seed (index ``seed``): ``top_tag``, ``wrong_label_share`` (share of
        wrong labels as collected), ``baseline_seen_accuracy``, ``n_seen``,
        ``model_centric_best``, ``model_centric_gain``, ``data_centric_best``,
        ``data_centric_gain``, ``gain_difference`` (data minus model),
        ``data_centric_top_tag_gain`` and ``model_centric_top_tag_gain`` (seen-split gain on
        the top tag). Gains are accuracy fractions.

    Raises
    ------
    TypeError, ValueError
        If `n_seeds` < 2, or as the functions above.
    """
    import pandas as pd

    from mlkit import modeling
    from mlkit.datasets import speaker_split
    from mlkit.tracking._search import equal_budget_plan

    func = "compare_arms_over_seeds"
    n_seeds = check_int(n_seeds, "n_seeds", min_value=2, func=func)
    start = check_int(random_state, "random_state", min_value=0, func=func)
    X, y = np.asarray(X), np.asarray(y)
    tags, snr_db = np.asarray(tags, dtype=str), np.asarray(snr_db, dtype=float)
    out = {}
    for seed in range(start, start + n_seeds):
        parts = speaker_split(speakers, unseen_share=unseen_share, random_state=seed)
        evals = {"dev": parts["unseen"], "seen": parts["seen"]}
        labeling = {"pool_share": pool_share, "n_labelers": n_labelers, "random_state": seed}
        recipe_kw = dict(snr_db=snr_db, **labeling)
        idx, lab = modeling.build_recipe(y, tags, parts["train"], name="as_collected", **recipe_kw)
        base, scores = _fit_score(model, {}, X, y, idx, lab, evals, tags, seed)
        rows = [{"arm": "start", "run": "baseline", **scores}]
        top = weakest_tag(
            base, X, y, tags=tags, snr_db=snr_db, dev=parts["unseen"], random_state=seed
        )
        plan = equal_budget_plan(
            model=model,
            top_tag=top,
            labeling=labeling,
            budget_runs=budget_runs,
            relabel_per_run=relabel_per_run,
            random_state=seed,
        )
        built = {}
        for p in plan:
            key = p["recipe"]["name"]
            if key not in built:
                built[key] = modeling.build_recipe(
                    y, tags, parts["train"], snr_db=snr_db, **p["recipe"]
                )
            scores = _fit_score(p["model"], p["hyper"], X, y, *built[key], evals, tags, seed)[1]
            rows.append({"arm": p["arm"], "run": p["run"], "cost": p["cost"], **scores})
        runs = pd.DataFrame(rows)
        runs.loc[runs["run"] == "baseline", "cost"] = 0.0
        comp = modeling.budget_comparison(runs, select_on="dev", report_on="seen")
        mc, dc = comp.loc["model-centric"], comp.loc["data-centric"]
        out[seed] = {
            "top_tag": top,
            "wrong_label_share": float(np.mean(lab != y[idx])),
            "baseline_seen_accuracy": float(rows[0]["seen_accuracy"]),
            "n_seen": len(parts["seen"]),
            "model_centric_best": mc["best_run"],
            "model_centric_gain": float(mc["gain"]),
            "data_centric_best": dc["best_run"],
            "data_centric_gain": float(dc["gain"]),
            "gain_difference": float(dc["gain"] - mc["gain"]),
            "data_centric_top_tag_gain": float(dc[f"gain_{top}"]),
            "model_centric_top_tag_gain": float(mc[f"gain_{top}"]),
        }
    table = pd.DataFrame.from_dict(out, orient="index")
    table.index.name = "seed"
    return table


def seed_intervals(per_seed, *, columns=SEED_COLUMNS, confidence: float = 0.95):
    """Summarise per-seed results: mean and a Student-t confidence interval of the mean.

    Parameters
    ----------
    per_seed : pandas.DataFrame
        One row per seed (from :func:`compare_arms_over_seeds`), at least 2 rows.
    columns : sequence of str, default=SEED_COLUMNS
        Numeric columns to summarise.
    confidence : float, default=0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Index: the columns. Columns ``mean``, ``ci_low``, ``ci_high`` (interval of the mean
        over seeds; equal to the mean when every seed gives the same value), ``n_seeds``,
        ``n_above_zero``, ``n_zero`` and ``n_below_zero`` (seeds whose value is > 0, exactly
        0, < 0; to within 1e-9).

    Raises
    ------
    ValueError
        If fewer than 2 seeds, a column is missing, or `confidence` is out of range.

    Notes
    -----
    The interval is ``mean ± t_{(1+c)/2, n-1} * s / sqrt(n)`` (:func:`scipy.stats.t.interval`):
    the seeds are independent repeats of the whole experiment, so their mean's sampling
    distribution is what the interval describes. With 5 seeds it is wide; it says how far
    the mean could move with other seeds, not how a single run varies.

    Examples
    --------
    >>> import pandas as pd
    >>> t = seed_intervals(pd.DataFrame({"g": [0.0, 0.02, 0.04]}), columns=["g"])
    >>> round(float(t.loc["g", "mean"]), 4), int(t.loc["g", "n_above_zero"]), int(t.loc["g", "n_zero"])
    (0.02, 2, 1)
    >>> bool(t.loc["g", "ci_low"] < 0 < t.loc["g", "ci_high"])
    True
    """
    import pandas as pd

    func = "seed_intervals"
    confidence = check_float(
        confidence, "confidence", low=0, high=1, inclusive=(False, False), func=func
    )
    missing = [c for c in columns if c not in per_seed.columns]
    if missing or len(per_seed) < 2:
        raise ValueError(
            f"{func} needs at least 2 seeds and the columns {list(columns)}. Got "
            f"{len(per_seed)} rows and missing {missing}; run more seeds or pass columns=..."
        )
    rows = {}
    for col in columns:
        v = per_seed[col].to_numpy(dtype=float)
        mean, low, high = mean_t_interval(v, confidence=confidence, func=func)
        rows[col] = {
            "mean": mean,
            "ci_low": float(low),
            "ci_high": float(high),
            "n_seeds": len(v),
            "n_above_zero": int((v > 1e-9).sum()),
            "n_zero": int((np.abs(v) <= 1e-9).sum()),
            "n_below_zero": int((v < -1e-9).sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "quantity"
    return out


def summary_metrics_over_seeds(intervals) -> dict:
    """Return the metrics the notebook records from :func:`seed_intervals`, rounded.

    Parameters
    ----------
    intervals : pandas.DataFrame
        From :func:`seed_intervals` with at least ``data_centric_gain`` and
        ``model_centric_gain``.

    Returns
    -------
    dict
        ``n_seeds``; ``<q>_mean``, ``<q>_ci_low``, ``<q>_ci_high`` for every quantity;
        ``data_centric_wins`` and ``top_tag_no_gain`` (seeds where the data-centric arm
        gained more than the model-centric one; where its targeted tag gained nothing
        or lost), when those quantities are present.

    Examples
    --------
    >>> import pandas as pd
    >>> per_seed = pd.DataFrame({"data_centric_gain": [0.0, 0.02],
    ...                          "model_centric_gain": [0.01, 0.01]})
    >>> m = summary_metrics_over_seeds(seed_intervals(per_seed, columns=list(per_seed)))
    >>> m["n_seeds"], m["data_centric_gain_mean"]
    (2, 0.01)
    """
    out = {"n_seeds": int(intervals["n_seeds"].iloc[0])}
    for q, r in intervals.iterrows():
        for stat in ("mean", "ci_low", "ci_high"):
            out[f"{q}_{stat}"] = round(float(r[stat]), 4)
    if "gain_difference" in intervals.index:
        out["data_centric_wins"] = int(intervals.loc["gain_difference", "n_above_zero"])
    if "data_centric_top_tag_gain" in intervals.index:
        r = intervals.loc["data_centric_top_tag_gain"]
        out["top_tag_no_gain"] = int(r["n_zero"] + r["n_below_zero"])
    return out


def _pts(x: float) -> str:
    return f"{100 * x:+.1f}"


def _interval(r) -> str:
    return f"{_pts(r['mean'])} pts (95 % CI {_pts(r['ci_low'])} to {_pts(r['ci_high'])})"


def _verdict(r, what: str) -> str:
    if r["ci_low"] > 0:
        return f"{what} holds: the whole interval is above 0"
    if r["ci_high"] < 0:
        return f"{what} is reversed: the whole interval is below 0"
    return f"{what} is not established: the interval contains 0"


def describe_over_seeds(intervals, per_seed, *, budget_runs: int, relabel_per_run: int) -> str:
    """Write what holds over seeds and what does not, from the numbers (Markdown bullets).

    Parameters
    ----------
    intervals : pandas.DataFrame
        From :func:`seed_intervals` over :data:`SEED_COLUMNS`.
    per_seed : pandas.DataFrame
        From :func:`compare_arms_over_seeds` (seen-split sizes, top tags, best runs).
    budget_runs, relabel_per_run : int
        The budget and exchange rate used (named in the text).

    Returns
    -------
    str
        Markdown: the seeds and what varied, the share of wrong labels as collected, each
        arm's mean gain with its interval and whether "it gains" holds, the paired
        difference and how many seeds each arm won, the targeted tag's gain and on how many
        seeds it gained nothing, and the size of one clip on the report split.

    Raises
    ------
    ValueError
        If a quantity of :data:`SEED_COLUMNS` is missing from `intervals`.
    """
    from mlkit.modeling import RECIPES

    missing = [q for q in SEED_COLUMNS if q not in intervals.index]
    if missing:
        raise ValueError(
            f"describe_over_seeds needs the table of seed_intervals over {list(SEED_COLUMNS)}; "
            f"missing {missing}."
        )
    dc, mc = intervals.loc["data_centric_gain"], intervals.loc["model_centric_gain"]
    diff, top = intervals.loc["gain_difference"], intervals.loc["data_centric_top_tag_gain"]
    wrong = intervals.loc["wrong_label_share"]
    n = int(dc["n_seeds"])
    label_budget = (budget_runs - (len(RECIPES) - 1)) * relabel_per_run  # as equal_budget_plan
    seeds = f"{per_seed.index.min()}-{per_seed.index.max()}"
    w = per_seed["wrong_label_share"]
    one_clip = 1 / per_seed["n_seen"].min()
    tops = per_seed["top_tag"].value_counts()
    lines = [
        f"{n} seeds ({seeds}): each a new speaker split, new simulated labelers, a new pool "
        f"and new search draws, on the same clips. Budget {budget_runs} training runs per arm; "
        f"one training run = {relabel_per_run} clips labelled by the team.",
        f"Labels as collected were wrong for {100 * wrong['mean']:.1f} % of training clips "
        f"(from {100 * w.min():.1f} % to {100 * w.max():.1f} % over seeds; "
        + ("fewer than one in ten" if wrong["mean"] < 0.1 else "one in ten or more")
        + " on average): what a team would "
        "see with labelers who hear each clip as people in digits-in-noise studies do "
        "(simulated, not measured on people). The data-centric arm could label "
        f"{label_budget} clips (at most half of them new), so relabelling could fix only "
        f"about {wrong['mean'] * label_budget / 2:.0f} to {wrong['mean'] * label_budget:.0f} "
        "wrong labels at that rate.",
        f"Data-centric gain {_interval(dc)}: {_verdict(dc, 'a data-centric gain')}.",
        f"Model-centric gain {_interval(mc)}: {_verdict(mc, 'a model-centric gain')}.",
        f"Data-centric minus model-centric, paired by seed, {_interval(diff)}: "
        f"{_verdict(diff, 'data-centric beating model-centric')}. Data-centric gained more "
        f"on {int(diff['n_above_zero'])} of {n} seeds, less on {int(diff['n_below_zero'])}, "
        f"the same on {int(diff['n_zero'])}.",
        "Targeted tag ("
        + ", ".join(f"{t} on {k} seed{'s' if k > 1 else ''}" for t, k in tops.items())
        + f"): the data-centric arm's gain there was {_interval(top)}; it gained nothing or "
        f"lost on {int(top['n_zero'] + top['n_below_zero'])} of {n} seeds, so collecting "
        "for the weakest tag "
        + ("reliably helped that tag." if top["ci_low"] > 0 else "did not reliably help it."),
        f"One clip of the seen split is {100 * one_clip:.1f} pts: gains of a few points are a "
        "few clips, which is why a single seed cannot settle the comparison.",
    ]
    return "\n".join(f"* {line}" for line in lines)


def plot_gains_over_seeds(per_seed, intervals, *, figsize: tuple[float, float] = (8, 3.2)):
    """Plot each arm's seen-split gain per seed, with the mean and its 95 % interval.

    Parameters
    ----------
    per_seed : pandas.DataFrame
        From :func:`compare_arms_over_seeds`.
    intervals : pandas.DataFrame
        From :func:`seed_intervals`.
    figsize : tuple of float, default=(8, 3.2)
        Figure width and height in inches.

    Returns
    -------
    matplotlib.axes.Axes
        One row per arm: a dot per seed, a bar from ci_low to ci_high and a tick at the mean
        (accuracy points); a dashed line at 0.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> per_seed = pd.DataFrame({"data_centric_gain": [0.0, 0.02, 0.04],
    ...                          "model_centric_gain": [0.01, -0.01, 0.0]})
    >>> cols = list(per_seed)
    >>> ax = plot_gains_over_seeds(per_seed, seed_intervals(per_seed, columns=cols))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['model-centric', 'data-centric']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from mlkit.tracking._gains import ARM_COLORS

    fig, ax = plt.subplots(figsize=figsize)
    arms = ["model-centric", "data-centric"]
    for i, arm in enumerate(arms):
        col = arm.replace("-", "_") + "_gain"
        r = intervals.loc[col]
        color = ARM_COLORS[arm]
        jitter = np.linspace(-0.12, 0.12, len(per_seed))
        ax.scatter(100 * per_seed[col], i + jitter, color=color, alpha=0.6, label=f"{arm}: seeds")
        ax.plot([100 * r["ci_low"], 100 * r["ci_high"]], [i, i], color=color, lw=4, alpha=0.4)
        ax.plot([100 * r["mean"]] * 2, [i - 0.25, i + 0.25], color=color, lw=2)
    ax.axvline(0, color="black", ls="--", lw=0.8)
    ax.set_yticks(range(len(arms)), arms)
    ax.set_ylim(-0.6, len(arms) - 0.4)
    ax.set(
        xlabel="seen-split accuracy gain over the baseline (pts)",
        title=f"gain per seed, mean and 95 % interval ({len(per_seed)} seeds)",
    )
    return ax
