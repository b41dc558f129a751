"""Types of data problems: the 2 x 2 grid of structured / unstructured x small / large (section 4).

The grid is filled from the kit's two tracks (speech clips, the rare-class table), each at its
smallest and largest training size: measured costs of label noise over seeds, next to what the
course states about each kind of data (can people label it, can it be augmented).
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float
from mlkit.data._label_noise_seeds import noise_drop_intervals, noise_drops_by_seed

__all__ = [
    "BIG_DATA_THRESHOLD",
    "DATA_PROBLEM_FACTS",
    "COURSE_EMPHASIS",
    "noise_cost_by_size",
    "wrong_per_right",
    "grid_metrics",
    "plot_noise_cost_grid",
    "describe_data_problem_grid",
]

BIG_DATA_THRESHOLD = 10_000
"""Training examples above which the course calls a data set "big" (a rule of thumb)."""

DATA_PROBLEM_FACTS = {
    "speech": {
        "kind": "unstructured",
        "name": "speech clips",
        "unit": "clips",
        "metric": "accuracy",
        "people_label_short": "yes",
        "augmentation_short": "yes",
        "people_label": (
            "yes: a listener tells the digit, so HLP can be measured (section 3; the labelers "
            "are simulated)"
        ),
        "augmentation": (
            "yes: mix in the production noise, as `04_augmentation` does (kit fact, not "
            "measured here)"
        ),
    },
    "rare_class": {
        "kind": "structured",
        "name": "rare-class table",
        "unit": "rows",
        "metric": "balanced accuracy",
        "people_label_short": "no",
        "augmentation_short": "hardly",
        "people_label": (
            "no: the label is a pathology diagnosis, not something a person reads off 30 "
            "measured numbers, so there is no HLP for these rows (stated, not measured)"
        ),
        "augmentation": (
            "hardly: no known change of a row keeps its diagnosis; collect rows or engineer "
            "features instead (the course; stated, not measured)"
        ),
    },
}
"""What the course says about each track's kind of data: stated facts, not measurements."""

COURSE_EMPHASIS = {
    "small": "clean labels (few enough to read every example; labelers can talk)",
    "large": "the data process (labeling instructions, the pipeline)",
}
"""What the course says matters most at each size (stated, not measured)."""

_EMPHASIS_SHORT = {"small": "clean labels", "large": "the data process"}

_SIZES = ("small", "large", "small - large")


def noise_cost_by_size(raw, *, chance: float, noise_rates=(0.1, 0.3), confidence: float = 0.95):
    """Tabulate, per noise rate, what label noise costs at the smallest and largest size.

    Parameters
    ----------
    raw : pandas.DataFrame
        Per-seed scores of :func:`label_noise_learning_curves` with ``per_repeat=True``
        (columns ``noise_rate``, ``n_train``, ``repeat``, ``score``), holding 0.0 and every
        rate of `noise_rates`; each repeat is one seed.
    chance : float
        Chance-level score, in [0, 1] (:func:`chance_accuracy`, or 0.5 for balanced accuracy).
    noise_rates : sequence of float, default=(0.1, 0.3)
        Shares of flipped training labels to compare with clean labels, each in (0, 1].
    confidence : float, default=0.95
        Confidence level of the t-intervals over seeds, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Index (``noise_rate``, ``size``) with ``size`` in ``"small"``, ``"large"`` and
        ``"small - large"``; columns ``n_train`` (training examples; 0 on the difference
        rows), ``clean`` (mean clean score over seeds, NaN on the difference rows),
        ``gap_mean``, ``gap_ci_low``, ``gap_ci_high`` (clean minus noisy score, a fraction),
        ``rel_mean``, ``rel_ci_low``, ``rel_ci_high`` (the gap as a share of the clean
        score's margin above `chance`), ``gap_n_positive`` and ``rel_n_positive`` (seeds
        with a value above 0) and ``n_seeds``.

    Raises
    ------
    ValueError
        If `raw` lacks a rate, a rate is outside (0, 1] or there are fewer than 2 seeds.

    See Also
    --------
    noise_drops_by_seed : the per-seed drops this table summarises.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"noise_rate": [0.0, 0.0, 0.3, 0.3] * 2, "n_train": [10, 100] * 4,
    ...                     "repeat": [0] * 4 + [1] * 4,
    ...                     "score": [0.6, 0.9, 0.4, 0.85, 0.5, 0.9, 0.4, 0.8]})
    >>> t = noise_cost_by_size(raw, chance=0.1, noise_rates=(0.3,))
    >>> round(float(t.loc[(0.3, "small"), "gap_mean"]), 3), int(t.loc[(0.3, "large"), "n_train"])
    (0.15, 100)
    """
    import pandas as pd

    func = "noise_cost_by_size"
    sizes = np.sort(raw["n_train"].unique())
    clean = raw[np.isclose(raw["noise_rate"], 0.0)].groupby("n_train")["score"].mean()
    rows = {}
    for rate in noise_rates:
        rate = check_float(
            rate, "noise_rates", low=0.0, high=1.0, inclusive=(False, True), func=func
        )
        t = noise_drop_intervals(
            noise_drops_by_seed(raw, chance=chance, rate=rate), confidence=confidence
        )
        for size, gap, rel in zip(
            _SIZES,
            ("gap_small_n", "gap_large_n", "gap_diff"),
            ("rel_drop_small_n", "rel_drop_large_n", "rel_drop_diff"),
            strict=True,
        ):
            n = {"small": sizes[0], "large": sizes[-1]}.get(size, 0)
            rows[(rate, size)] = {
                "n_train": int(n),
                "clean": float(clean.get(n, np.nan)),
                **{f"gap_{k}": float(t.loc[gap, k]) for k in ("mean", "ci_low", "ci_high")},
                **{f"rel_{k}": float(t.loc[rel, k]) for k in ("mean", "ci_low", "ci_high")},
                "gap_n_positive": int(t.loc[gap, "n_positive"]),
                "rel_n_positive": int(t.loc[rel, "n_positive"]),
                "n_seeds": int(t.loc[gap, "n_seeds"]),
            }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = out.index.set_names(["noise_rate", "size"])
    return out


def wrong_per_right(y, *, noise_rate: float) -> float:
    """Return the expected wrong labels per right one in the rarest class after uniform flips.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Clean labels, at least two classes.
    noise_rate : float
        Share of labels flipped to another class chosen uniformly (:func:`add_label_noise`),
        in [0, 1).

    Returns
    -------
    float
        Among examples labelled with the rarest class after flipping: expected wrongly
        labelled ones per correctly labelled one,
        ``noise_rate * (n - n_c) / (K - 1) / ((1 - noise_rate) * n_c)`` for ``K`` classes.
        It does not depend on ``n``: arithmetic, not a measurement.

    Raises
    ------
    ValueError
        If `y` has fewer than 2 classes or `noise_rate` is outside [0, 1).

    Examples
    --------
    >>> round(wrong_per_right(np.repeat(np.arange(10), 5), noise_rate=0.1), 3)
    0.111
    >>> round(wrong_per_right([0] * 95 + [1] * 5, noise_rate=0.1), 2)
    2.11
    """
    rate = check_float(
        noise_rate, "noise_rate", low=0.0, high=1.0, inclusive=(True, False), func="wrong_per_right"
    )
    _, counts = np.unique(np.asarray(y), return_counts=True)
    if counts.size < 2:
        raise ValueError(f"wrong_per_right needs at least 2 classes. Got {counts.size}.")
    n, n_c, k = counts.sum(), counts.min(), counts.size
    return float(rate * (n - n_c) / (k - 1) / ((1 - rate) * n_c))


def grid_metrics(
    costs, *, prefix: str, gap_rates=(0.1, 0.3), rel_rates=(0.3,), decimals: int = 4
) -> dict:
    """Name one track's numbers of the grid as the notebook records them.

    Parameters
    ----------
    costs : pandas.DataFrame
        A table of :func:`noise_cost_by_size`.
    prefix : str
        Start of every name, for example ``"rare_noise"``.
    gap_rates, rel_rates : sequence of float, default=(0.1, 0.3) and (0.3,)
        Noise rates whose cost in points (``gap``) and share of the margin above chance
        (``rel_drop``) are named; each must be in `costs`.
    decimals : int, default=4
        Rounding of each value.

    Returns
    -------
    dict of str to float or int
        ``{prefix}_n_train_{s}`` for ``s`` in ``small_n`` and ``large_n``; per rate ``r`` of
        `gap_rates` (in percent) ``{prefix}{r}_gap_{s}_{mean|ci_low|ci_high}`` and per rate of
        `rel_rates` ``{prefix}{r}_rel_drop_{s}_{mean|ci_low|ci_high}``.

    Raises
    ------
    KeyError
        If a rate is not in `costs`.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"noise_rate": [0.0, 0.0, 0.3, 0.3] * 2, "n_train": [10, 100] * 4,
    ...                     "repeat": [0] * 4 + [1] * 4,
    ...                     "score": [0.6, 0.9, 0.4, 0.85, 0.5, 0.9, 0.4, 0.8]})
    >>> t = noise_cost_by_size(raw, chance=0.1, noise_rates=(0.3,))
    >>> m = grid_metrics(t, prefix="rare_noise", gap_rates=(0.3,))
    >>> m["rare_noise30_gap_small_n_mean"], m["rare_noise_n_train_large_n"]
    (0.15, 100)
    """
    out = {}
    for size in ("small", "large"):
        out[f"{prefix}_n_train_{size}_n"] = int(costs.xs(size, level="size")["n_train"].iloc[0])
        for what, label, rates in (("gap", "gap", gap_rates), ("rel", "rel_drop", rel_rates)):
            for rate in rates:
                row = costs.loc[(rate, size)]
                for stat in ("mean", "ci_low", "ci_high"):
                    name = f"{prefix}{round(100 * rate)}_{label}_{size}_n_{stat}"
                    out[name] = round(float(row[f"{what}_{stat}"]), decimals)
    return out


def plot_noise_cost_grid(costs: dict, *, facts=None, ax=None):
    """Draw the 2 x 2 grid: per track (row) and size (column), the cost of each noise rate.

    Parameters
    ----------
    costs : dict of str to pandas.DataFrame
        Per track key of `facts` (``"speech"``, ``"rare_class"``), a table of
        :func:`noise_cost_by_size`.
    facts : dict, optional
        Per track, its ``kind``, ``name``, ``unit`` and ``metric``; default
        :data:`DATA_PROBLEM_FACTS`.
    ax : array of matplotlib.axes.Axes of shape (n_tracks, 2), optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    ndarray of matplotlib.axes.Axes of shape (n_tracks, 2)
        One bar per noise rate: the mean cost in points of the track's metric, with its
        95 % interval over seeds as an error bar; a shared y axis, a line at 0.
    """
    import matplotlib.pyplot as plt

    facts = DATA_PROBLEM_FACTS if facts is None else facts
    if ax is None:
        fig, ax = plt.subplots(
            len(costs),
            2,
            figsize=(8, 2.6 * len(costs)),
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        n_seeds = int(next(iter(costs.values()))["n_seeds"].iloc[0])
        fig.suptitle(f"Cost of flipped labels: mean over {n_seeds} seeds, 95 % interval")
    for i, (track, table) in enumerate(costs.items()):
        f = facts[track]
        for j, size in enumerate(("small", "large")):
            part = table.xs(size, level="size")
            mean = 100 * part["gap_mean"].to_numpy()
            err = 100 * np.vstack(
                [part["gap_mean"] - part["gap_ci_low"], part["gap_ci_high"] - part["gap_mean"]]
            )
            labels = [f"{r:.0%} flipped" for r in part.index]
            a = ax[i, j]
            a.bar(labels, mean, yerr=err, capsize=4, color=["#9ecae1", "#3182bd"][: len(mean)])
            a.axhline(0, color="black", lw=0.8)
            n = int(part["n_train"].iloc[0])
            a.set_title(f"{f['kind']} ({f['name']}) · {size} n: {n} {f['unit']}", fontsize=9)
            if j == 0:
                a.set_ylabel(f"cost, points of\n{f['metric']}")
            a.grid(axis="y", alpha=0.3)
    return ax


def _ci(row, what: str = "gap", scale: float = 100.0, fmt: str = "{:.1f}") -> str:
    """Format mean [low, high] of a row of :func:`noise_cost_by_size`."""
    vals = [scale * row[f"{what}_{k}"] for k in ("mean", "ci_low", "ci_high")]
    return f"{fmt.format(vals[0])} [{fmt.format(vals[1])}, {fmt.format(vals[2])}]"


def _compare(a, b, what: str) -> str:
    """Say whether interval a (mean, low, high) is above, below or overlapping interval b."""
    if a["rel_ci_low"] > b["rel_ci_high"]:
        return f"clearly more than {what} (the 95 % intervals do not overlap)"
    if a["rel_ci_high"] < b["rel_ci_low"]:
        return f"clearly less than {what} (the 95 % intervals do not overlap)"
    side = "more" if a["rel_mean"] > b["rel_mean"] else "less"
    return f"{side} than {what} on average, but the 95 % intervals overlap"


def _size_verdict(row, f: dict, rate: float) -> str:
    """Say whether noise takes a larger share of the margin at small n (a "small - large" row)."""
    n, k = int(row["n_seeds"]), int(row["rel_n_positive"])
    interval = (
        f"{100 * row['rel_mean']:.0f} percentage points more at small n, 95 % interval "
        f"{100 * row['rel_ci_low']:.0f} to {100 * row['rel_ci_high']:.0f} over {n} seeds; "
        f"larger at small n in {k} of {n} seeds"
    )
    name = f"{f['kind'].capitalize()} ({f['name']})"
    if row["rel_ci_low"] > 0:
        return (
            f"{name}: {rate:.0%} noise takes a **larger share** of the margin above chance at "
            f"small n ({interval}): clean labels matter more at the smaller size."
        )
    if row["rel_ci_high"] < 0:
        return (
            f"{name}: {rate:.0%} noise takes a **smaller share** of the margin above chance at "
            f"small n ({interval}): here clean labels matter more at the larger size."
        )
    return (
        f"{name}: small and large n **cannot be told apart** in the share of the margin "
        f"{rate:.0%} noise takes ({interval}): this run does not show that clean labels "
        "matter more at the smaller size."
    )


def describe_data_problem_grid(
    costs: dict,
    *,
    wrong_per_right: dict,
    hlp: float | None = None,
    rate: float = 0.3,
    low_rate: float = 0.1,
    facts=None,
    threshold: int = BIG_DATA_THRESHOLD,
) -> str:
    """Fill the 2 x 2 grid of data problems in markdown, and say what the numbers show.

    Parameters
    ----------
    costs : dict of str to pandas.DataFrame
        Per track key of `facts`, a table of :func:`noise_cost_by_size` holding `rate` and
        `low_rate`; the first track is compared with the second.
    wrong_per_right : dict of str to float
        Per track, :func:`wrong_per_right` of its labels at `rate` (arithmetic, not measured).
    hlp : float, optional
        Measured (or simulated) human-level performance of a track whose people can label it
        (the first track), in [0, 1]; quoted in its "people can label" entry.
    rate, low_rate : float, default=0.3 and 0.1
        The two noise rates in the cells, in (0, 1].
    facts : dict, optional
        Per track its ``kind``, ``name``, ``unit``, ``metric``, ``people_label`` and
        ``augmentation``; default :data:`DATA_PROBLEM_FACTS`.
    threshold : int, default=10000
        Training examples from which the course calls data big.

    Returns
    -------
    str
        Markdown: a 2 x 2 table (kind x size; per cell the training size, clean score and the
        cost of both noise rates with 95 % intervals over seeds), the stated entries (people
        can label? augmentation?), then verdicts computed from the intervals: per track,
        whether noise costs relatively more at small n (holds / reversed / cannot be told
        apart); at large n, whether the second track loses more of its margin than the first;
        the wrong-per-right arithmetic; and whether any cell reaches `threshold`.

    Raises
    ------
    KeyError
        If a table lacks `rate` or `low_rate`, or a track is missing from `facts`.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"noise_rate": [0.0, 0.0, 0.1, 0.1, 0.3, 0.3] * 2,
    ...                     "n_train": [10, 100] * 6, "repeat": [0] * 6 + [1] * 6,
    ...                     "score": [0.6, 0.9, 0.5, 0.88, 0.4, 0.85,
    ...                               0.5, 0.9, 0.45, 0.87, 0.4, 0.8]})
    >>> t = noise_cost_by_size(raw, chance=0.1)
    >>> text = describe_data_problem_grid({"speech": t, "rare_class": t},
    ...                                   wrong_per_right={"speech": 0.4, "rare_class": 8.0})
    >>> "every cell here is small data" in text
    True
    """
    facts = DATA_PROBLEM_FACTS if facts is None else facts
    tracks = list(costs)
    head = "| | small n | large n |\n|---|---|---|\n"
    lines = []
    for track in tracks:
        f, t = facts[track], costs[track]
        cells = []
        for size in ("small", "large"):
            hi, lo = t.loc[(rate, size)], t.loc[(low_rate, size)]
            cells.append(
                f"**{int(hi['n_train'])} {f['unit']}**, clean {f['metric']} {hi['clean']:.1%}<br>"
                f"{low_rate:.0%} noise costs {_ci(lo)} points<br>"
                f"{rate:.0%} noise costs {_ci(hi)} points "
                f"({hi['rel_mean']:.0%} of the margin above chance)<br>"
                f"*stated:* people label: {f['people_label_short']} · augmentation: "
                f"{f['augmentation_short']} · course: {_EMPHASIS_SHORT[size]}"
            )
        lines.append(f"| **{f['kind']}**: {f['name']} | {cells[0]} | {cells[1]} |")
    table = head + "\n".join(lines)
    stated = []
    for i, track in enumerate(tracks):
        f = facts[track]
        label = f["people_label"]
        if i == 0 and hlp is not None:
            label += f"; simulated HLP here {hlp:.1%}"
        stated.append(
            f"- **{f['kind']}** ({f['name']}): can people label it? {label}. "
            f"Augmentation? {f['augmentation']}."
        )
    stated.append(
        "- What matters most, as the course states it: at **small n** "
        f"{COURSE_EMPHASIS['small']}; at **large n** {COURSE_EMPHASIS['large']}."
    )

    verdicts = [
        _size_verdict(costs[t].loc[(rate, "small - large")], facts[t], rate) for t in tracks
    ]
    against = [
        f"{facts[t]['name']}, {size} n"
        for t in tracks
        for size in ("small", "large")
        if costs[t].loc[(rate, size), "gap_mean"] <= costs[t].loc[(low_rate, size), "gap_mean"]
    ]
    if against:
        verdicts.append(
            f"{rate:.0%} noise does **not** cost more than {low_rate:.0%} everywhere (means over "
            f"seeds): not in {'; '.join(against)}."
        )
    else:
        verdicts.append(
            f"In all {2 * len(tracks)} cells {rate:.0%} noise costs more than {low_rate:.0%} "
            "(means over seeds): the more labels are wrong, the more they cost."
        )
    first, second = tracks[0], tracks[1]
    a, b = costs[second].loc[(rate, "large")], costs[first].loc[(rate, "large")]
    verdicts.append(
        f"With all its training examples, the {facts[second]['kind']} track loses "
        f"{a['rel_mean']:.0%} of its margin above chance to {rate:.0%} noise: "
        + _compare(a, b, f"the {facts[first]['kind']} track's {b['rel_mean']:.0%}")
        + "."
    )
    ratios = " and ".join(
        f"{wrong_per_right[t]:.1f} times per right one in the {facts[t]['name']}" for t in tracks
    )
    verdicts.append(
        f"Arithmetic, not a measurement: after {rate:.0%} uniform flips, the examples carrying "
        f"the rarest label are wrong about {ratios}, at every n. Above 1, most examples with "
        "that label are wrong however many rows are added (more rows bring wrong ones as fast "
        "as right ones); below 1, each label's examples stay mostly right."
    )
    n_max = max(int(c.xs("large", level="size")["n_train"].max()) for c in costs.values())
    if n_max < threshold:
        verdicts.append(
            f"By the course's rule of thumb (big from about {threshold:,} examples) every cell "
            f"here is small data: the largest has {n_max} training examples. The large-n column "
            "shows the direction as n grows, not the big-data regime, where the course puts the "
            "emphasis on the data process (labeling instructions, the pipeline) because nobody "
            "can read every example."
        )
    else:
        verdicts.append(
            f"The largest cell has {n_max:,} training examples, big by the course's rule of "
            f"thumb ({threshold:,}): there the course puts the emphasis on the data process "
            "(labeling instructions, the pipeline) because nobody can read every example."
        )
    return "\n\n".join([table, "\n".join(stated), "\n\n".join(f"- {v}" for v in verdicts)])
