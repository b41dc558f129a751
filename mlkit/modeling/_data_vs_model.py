"""Data-centric vs model-centric iteration: training-set recipes and equal-budget comparison.

Serves notebook 03b_tracking's comparison of a data-centric and a model-centric arm.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float, check_int, check_one_of, check_tags

RECIPES = ("as_collected", "relabelled", "top_tag_data", "relabelled+top_tag_data")
"""Training-set recipes of :func:`make_recipes`, in the order of the data-centric arm."""


def make_recipes(
    y,
    tags,
    train,
    *,
    snr_db=None,
    top_tag: str | None = None,
    pool_share: float = 0.3,
    n_labelers: int = 3,
    label_budget: int | None = None,
    random_state=0,
) -> dict:
    """Build the named training sets of the data-centric arm from simulated labeling.

    The training clips are split into a labelled part and an unlabelled pool (seeded).
    :func:`mlkit.data.simulate_labelers` labels every training clip by `n_labelers` people
    who hear it at its SNR; as collected, each labelled clip carries the label of one of them
    in turn. The recipes:

    * ``as_collected``: the labelled clips with their collected labels;
    * ``relabelled``: labelled clips relabelled by the team under the convention (consensus
      after :func:`mlkit.data.apply_convention`), the clips of `top_tag` first, each group
      in seeded random order; the others keep their collected label;
    * ``top_tag_data``: as collected, plus pool clips of `top_tag`, labelled by consensus;
    * ``relabelled+top_tag_data``: both changes.

    Labelling a clip by the team (relabelling it, or labelling a new one) is what the
    data-centric arm pays for. With `label_budget` = L clips, up to half of L labels new
    pool clips of `top_tag` (as many as the pool holds) and the rest relabels (at most every
    labelled clip); without it every labelled clip is relabelled and every pool clip of
    `top_tag` is added.

    ``UNINTELLIGIBLE`` labels are dropped from every recipe (a model cannot learn them).
    Everything is a function of the arguments, so a tracked run that records them (with
    the dataset) can rebuild its exact training set.

    Parameters
    ----------
    y : array-like of int of shape (n_samples,)
        The spoken digits of the whole dataset (simulated labelers start from them).
    tags : array-like of str of shape (n_samples,)
        Noise-condition tag of every clip.
    train : array-like of int
        Positions of the training clips (labelled part and pool).
    snr_db : array-like of float of shape (n_samples,), optional
        Broadband SNR of every clip in dB (NaN without noise): the labelers hear each clip at
        its SNR (:func:`mlkit.data.simulate_labelers`). Required when `tags` holds noisy
        conditions.
    top_tag : str or None, default=None
        Tag whose clips are relabelled first and whose pool clips are added. ``None`` builds
        only the recipes without extra data.
    pool_share : float, default=0.3
        Share of the training clips kept in the unlabelled pool, in [0, 1).
    n_labelers : int, default=3
        Labelers simulated, at least 2.
    label_budget : int or None, default=None
        Clips the team may label (relabelled or new), at least 0; ``None``: no limit.
    random_state : int, default=0
        Seeds the pool split, the order of relabelling and the labelers.

    Returns
    -------
    dict of str to (ndarray of int, ndarray of int)
        Recipe name to (row positions, training labels), in the order of :data:`RECIPES`.

    Raises
    ------
    ValueError
        If `top_tag` is not a tag of the training clips, a share or budget is out of range,
        or lengths differ.
    """
    from mlkit import data

    func = "make_recipes"
    y = np.asarray(y)
    tags = check_tags(tags, len(y), func)
    train = np.asarray(train, dtype=np.int64)
    pool_share = check_float(
        pool_share, "pool_share", low=0, high=1, inclusive=(True, False), func=func
    )
    seed = check_int(random_state, "random_state", min_value=0, func=func)
    if label_budget is not None:
        label_budget = check_int(label_budget, "label_budget", min_value=0, func=func)
    if top_tag is not None and top_tag not in set(tags[train].tolist()):
        raise ValueError(
            f"The 'top_tag' parameter of {func} must be a tag of the training clips "
            f"{sorted(set(tags[train].tolist()))}. Got {top_tag!r} instead."
        )
    shuffled = np.random.default_rng(seed).permutation(train)
    n_pool = int(round(pool_share * len(shuffled)))
    pool, labelled = np.sort(shuffled[:n_pool]), np.sort(shuffled[n_pool:])
    snr_train = None if snr_db is None else np.asarray(snr_db, dtype=float)[train]
    team = data.simulate_labelers(
        y[train], tags=tags[train], snr_db=snr_train, n_labelers=n_labelers, random_state=seed
    )
    order = np.arange(len(train))
    lookup = np.full(len(y), -1, dtype=np.int64)
    lookup[train] = order
    collected = team[order % n_labelers, order]
    consensus = data.consensus_labels(data.apply_convention(team))

    def keep(idx, labels):
        ok = labels != data.UNINTELLIGIBLE
        return idx[ok], np.asarray(labels)[ok]

    # new clips of the top tag first (up to half the budget), then relabelling with the top
    # tag's clips first; each group in seeded random order
    order_rng = np.random.default_rng([seed, 1])
    first = labelled[tags[labelled] == top_tag]
    queue = np.concatenate(
        [order_rng.permutation(first), order_rng.permutation(np.setdiff1d(labelled, first))]
    )
    extra = order_rng.permutation(pool[tags[pool] == top_tag])
    n_new, n_relabel = len(extra), len(queue)
    if label_budget is not None:
        n_new = min(n_new, label_budget // 2)
        n_relabel = min(n_relabel, label_budget - n_new)
    extra = np.sort(extra[:n_new])
    redo = np.zeros(len(y), dtype=bool)
    redo[queue[:n_relabel]] = True
    relabelled = np.where(redo[labelled], consensus[lookup[labelled]], collected[lookup[labelled]])
    recipes = {
        "as_collected": keep(labelled, collected[lookup[labelled]]),
        "relabelled": keep(labelled, relabelled),
    }
    if top_tag is not None:
        both = np.concatenate([labelled, extra])
        new_labels = consensus[lookup[extra]]
        recipes["top_tag_data"] = keep(
            both, np.concatenate([collected[lookup[labelled]], new_labels])
        )
        recipes["relabelled+top_tag_data"] = keep(both, np.concatenate([relabelled, new_labels]))
    return recipes


def build_recipe(y, tags, train, *, name: str, snr_db=None, **params):
    """Build one training set of :func:`make_recipes` by name, as a run's record describes it.

    Parameters
    ----------
    y, tags, train
        As :func:`make_recipes`.
    name : str
        One of :data:`RECIPES`.
    **params
        The other keyword arguments of :func:`make_recipes` (``top_tag``, ``pool_share``,
        ``n_labelers``, ``label_budget``, ``random_state``); ``top_tag`` is required by the recipes that add
        data.

    Returns
    -------
    train_rows : ndarray of int
        Row positions of the training set.
    y_train : ndarray of int
        Their training labels.

    Raises
    ------
    ValueError
        If `name` is unknown or needs a ``top_tag`` that is not given, or as
        :func:`make_recipes`.

    Examples
    --------
    >>> rows, labels = build_recipe(np.arange(40) % 10, ["clean"] * 40, np.arange(30),
    ...                             name="relabelled", pool_share=0.5, random_state=0)
    >>> len(rows) == len(labels) <= 15
    True
    """
    name = check_one_of(name, "name", set(RECIPES), func="build_recipe")
    recipes = make_recipes(y, tags, train, snr_db=snr_db, **params)
    if name not in recipes:
        raise ValueError(
            f"The recipe {name!r} adds the data of one tag: pass top_tag=... to build_recipe."
        )
    return recipes[name]


def budget_comparison(runs, *, select_on: str = "dev", report_on: str = "seen", tags=None):
    """Summarise equal-budget arms: pick each arm's best run on one split, report on another.

    Picking the best of several runs on a split and reporting its gain on that same split
    overstates the gain (the winner's curse: the pick favours runs that were lucky on those
    rows). So the best run is chosen on `select_on` and its gain is measured on `report_on`,
    rows that played no part in the choice.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per training run with columns ``arm`` (for example "model-centric",
        "data-centric"), ``run`` (a name; the common starting point is the row named
        ``"baseline"``), ``<select_on>_accuracy``, ``<report_on>_accuracy`` and optionally
        ``<report_on>_tag_accuracy_<tag>`` columns (as from :func:`score_sets`). An optional
        ``cost`` column gives each run's share of the budget in training-run units (a training
        run is 1; labelling clips adds their price, see :func:`mlkit.tracking.equal_budget_plan`);
        without it every run costs 1.
    select_on : str, default="dev"
        Split whose accuracy picks each arm's best run.
    report_on : str, default="seen"
        Held-out split on which the gains are reported; must differ from `select_on`.
    tags : list of str, optional
        Tags to report; default: every ``<report_on>_tag_accuracy_<tag>`` column.

    Returns
    -------
    pandas.DataFrame
        Index: arm. Columns ``n_runs`` (training runs), ``budget`` (the sum of ``cost``,
        equal for every arm), ``best_run``,
        ``<select_on>_accuracy`` and ``<select_on>_gain`` (the pick, and its gain on the
        rows it was picked on: biased upwards), ``<report_on>_accuracy``, ``gain`` (over the
        baseline row, on `report_on`) and ``gain_<tag>`` per tag (on `report_on`).

    Raises
    ------
    ValueError
        If a required column or the ``"baseline"`` row is missing, `select_on` equals
        `report_on`, an arm is empty, or the arms' budgets differ.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"arm": ["start", "a", "a"], "run": ["baseline", "a1", "a2"],
    ...                      "dev_accuracy": [0.8, 0.9, 0.85], "seen_accuracy": [0.8, 0.82, 0.9]})
    >>> budget_comparison(runs)[["best_run", "dev_gain", "gain"]].round(2)  # doctest: +ELLIPSIS
        best_run  dev_gain  gain
    arm...
    a         a1       0.1  0.02
    """
    import pandas as pd

    func = "budget_comparison"
    if select_on == report_on:
        raise ValueError(
            f"{func} must report gains on other rows than those that pick the best run "
            f"(winner's curse). Got select_on = report_on = {select_on!r}; report on a held-out "
            "split, for example report_on='seen'."
        )
    sel, rep = f"{select_on}_accuracy", f"{report_on}_accuracy"
    needed = {"arm", "run", sel, rep}
    missing = needed - set(runs.columns)
    if missing:
        raise ValueError(
            f"{func} needs the columns {sorted(needed)}; {sorted(missing)} missing. "
            f"Got {list(runs.columns)}."
        )
    prefix = f"{report_on}_tag_accuracy_"
    if tags is None:
        tags = [c.removeprefix(prefix) for c in runs.columns if c.startswith(prefix)]
    base_row = runs[runs["run"] == "baseline"]
    if len(base_row) != 1:
        raise ValueError(
            f"{func} needs exactly one run named 'baseline' (the common starting point); got "
            f"{len(base_row)}. Runs present: {runs['run'].tolist()}."
        )
    base = base_row.iloc[0]
    arms = runs[runs["run"] != "baseline"]
    if arms.empty:
        raise ValueError(f"{func} needs at least one run besides the baseline. Got none.")
    cost = arms["cost"] if "cost" in arms.columns else pd.Series(1.0, index=arms.index)
    budgets = cost.groupby(arms["arm"]).sum()
    if not np.allclose(budgets.to_numpy(), budgets.iloc[0]):
        raise ValueError(
            f"{func} compares arms on equal budgets; got budgets {budgets.round(3).to_dict()} "
            "(sum of 'cost', or number of runs without a 'cost' column). Give every arm the "
            "same budget."
        )
    rows = {}
    for arm, part in arms.groupby("arm", sort=False):
        best = part.loc[part[sel].idxmax()]
        row = {
            "n_runs": len(part),
            "budget": float(budgets[arm]),
            "best_run": best["run"],
            sel: float(best[sel]),
            f"{select_on}_gain": float(best[sel]) - float(base[sel]),
            rep: float(best[rep]),
            "gain": float(best[rep]) - float(base[rep]),
        }
        for t in tags:
            row[f"gain_{t}"] = float(best[prefix + t]) - float(base[prefix + t])
        rows[arm] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "arm"
    return out


def budget_takeaways(comparison, *, select_on: str = "dev", report_on: str = "seen") -> str:
    """Write the takeaways of :func:`budget_comparison` from its numbers (Markdown bullets).

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`budget_comparison` with at least one arm.
    select_on, report_on : str, default="dev" and "seen"
        The splits passed to :func:`budget_comparison`, named in the text.

    Returns
    -------
    str
        Markdown: which arm gained more on `report_on` and by how much (in accuracy
        percentage points, "pts") (or that they tie, or
        that neither helped), each arm's most and least improved tag, and how much the gain
        measured on the selection split differs from the held-out gain.

    Raises
    ------
    ValueError
        If `comparison` is empty or lacks the ``gain`` column.
    """
    if len(comparison) == 0 or "gain" not in comparison.columns:
        raise ValueError(
            "budget_takeaways needs the table of budget_comparison (an arm per row, a 'gain' "
            f"column). Got columns {list(comparison.columns)} and {len(comparison)} rows."
        )
    gains = comparison["gain"].sort_values(ascending=False)
    col = "budget" if "budget" in comparison else "n_runs"
    n_runs = float(comparison[col].iloc[0]) if col in comparison else None
    budget = f" with the same budget of {n_runs:g} training runs" if n_runs else ""
    listed = ", ".join(f"{arm} {100 * g:+.1f} pts" for arm, g in gains.items())
    lines = []
    if gains.iloc[0] <= 0:
        lines.append(
            f"Neither arm beat the baseline on the held-out `{report_on}` split{budget} "
            f"({listed}): keep the baseline, and look for what limits it."
        )
    elif len(gains) > 1 and abs(gains.iloc[0] - gains.iloc[1]) < 1e-9:
        lines.append(f"The arms tie on the held-out `{report_on}` split{budget} ({listed}).")
    else:
        lead = f" by {100 * (gains.iloc[0] - gains.iloc[1]):.1f} points" if len(gains) > 1 else ""
        lines.append(
            f"On the held-out `{report_on}` split{budget}, **{gains.index[0]}** gained most{lead} "
            f"({listed})."
        )
    tag_cols = [c for c in comparison.columns if c.startswith("gain_")]
    for arm, r in comparison.iterrows():
        if tag_cols:
            tg = r[tag_cols].astype(float)
            hi, lo = tg.idxmax().removeprefix("gain_"), tg.idxmin().removeprefix("gain_")
            if np.isclose(tg.max(), tg.min()):
                spread = f"the same gain on every tag, {100 * tg.max():+.1f} pts"
            else:
                spread = (
                    f"largest tag gain {hi} {100 * tg.max():+.1f} pts, "
                    f"smallest {lo} {100 * tg.min():+.1f} pts"
                )
            lines.append(f"{arm} (best run: {r['best_run']}): {spread}.")
    sel_gain = f"{select_on}_gain"
    if sel_gain in comparison:
        diff = comparison[sel_gain] - comparison["gain"]
        lines.append(
            f"Measured on the `{select_on}` split that picked each best run, the gains were "
            + ", ".join(f"{a} {100 * g:+.1f} pts" for a, g in comparison[sel_gain].items())
            + "; selection-split gain minus held-out gain: "
            + ", ".join(f"{a} {100 * d:+.1f} pts" for a, d in diff.items())
            + ". Part of such a difference is the winner's curse (the pick favours runs that "
            "were lucky on its rows), part is that the splits hold different speakers: quote "
            "the held-out gains."
        )
    return "\n".join(f"* {line}" for line in lines)
