"""Label noise and its learning curves: clean labels matter most for small data (section 4)."""

from __future__ import annotations

import numbers

import numpy as np

from mlkit._models import labeling_model
from mlkit._validation import check_float, check_int, check_random_state, check_same_length

__all__ = [
    "add_label_noise",
    "label_noise_learning_curves",
    "chance_accuracy",
    "noise_gap_table",
    "class_balance_table",
    "clean_half_advantage",
    "describe_label_noise",
    "describe_rare_noise",
    "plot_learning_curves",
    "mean_curves",
]


def add_label_noise(y, *, noise_rate: float, random_state=0) -> np.ndarray:
    """Flip a fixed share of labels to another class, chosen uniformly.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (at least two distinct classes when `noise_rate` > 0).
    noise_rate : float
        Share of labels to flip, in [0, 1]; exactly ``round(noise_rate * n_samples)`` flip.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds which labels flip and to what.

    Returns
    -------
    ndarray of shape (n_samples,)
        A noisy copy of `y`; every flipped label differs from the original.

    Raises
    ------
    ValueError
        If `noise_rate` is outside [0, 1] or `y` has one class and noise is asked for.

    Examples
    --------
    >>> y = np.arange(10)
    >>> int((add_label_noise(y, noise_rate=0.3) != y).sum())
    3
    """
    y = np.asarray(y)
    rate = check_float(noise_rate, "noise_rate", low=0.0, high=1.0, func="add_label_noise")
    rng = check_random_state(random_state)
    classes = np.unique(y)
    k = int(round(rate * y.size))
    out = y.copy()
    if k == 0:
        return out
    if classes.size < 2:
        raise ValueError(
            "add_label_noise needs at least 2 classes to flip labels between. "
            f"Got only {classes.tolist()}."
        )
    idx = rng.choice(y.size, size=k, replace=False)
    pos = np.searchsorted(classes, y[idx])
    out[idx] = classes[(pos + rng.integers(1, classes.size, size=k)) % classes.size]
    return out


def _train_counts(train_sizes, n_train: int, func: str) -> list[int]:
    """Turn `train_sizes` (counts, or fractions of the `n_train` training rows) into counts."""
    counts = []
    for s in train_sizes:
        if isinstance(s, numbers.Integral) and not isinstance(s, bool):
            k = int(s)
        else:
            share = check_float(
                s, "train_sizes", low=0.0, high=1.0, inclusive=(False, True), func=func
            )
            k = int(round(share * n_train))
        if not 2 <= k <= n_train:
            raise ValueError(
                f"The 'train_sizes' parameter of {func} must give between 2 and {n_train} "
                f"training samples. Got {s!r} ({k} samples) instead."
            )
        counts.append(k)
    return counts


def label_noise_learning_curves(
    X,
    y,
    *,
    noise_rates=(0.0, 0.1, 0.3),
    train_sizes=(0.1, 0.25, 0.5, 1.0),
    test_size: float = 0.25,
    n_repeats: int = 3,
    estimator=None,
    scoring: str = "accuracy",
    per_repeat: bool = False,
    random_state=0,
):
    """Measure how label noise in the training set hurts a model at small and large n.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Clean labels.
    noise_rates : sequence of float, default=(0.0, 0.1, 0.3)
        Shares of training labels flipped (:func:`add_label_noise`), each in [0, 1].
    train_sizes : sequence of float or int, default=(0.1, 0.25, 0.5, 1.0)
        Training-set sizes: floats in (0, 1] are shares of the training pool, ints counts.
    test_size : float, default=0.25
        Share of the data held out, with clean labels, for scoring.
    n_repeats : int, default=3
        Repeats with different stratified splits; the curves are their mean.
    estimator : scikit-learn estimator, optional
        Cloned for every fit; default ``StandardScaler`` + ``LogisticRegression(C=0.02)``,
        regularised strongly enough to average random label noise out when data is plentiful.
    scoring : str, default="accuracy"
        A scikit-learn scorer name, for example ``"balanced_accuracy"`` for a rare class.
    per_repeat : bool, default=False
        Return one row per (repeat, noise_rate, n_train) with its ``score`` instead of the
        mean over repeats: the input of :func:`noise_drops_by_seed`.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the splits, the subsets and the noise.

    Returns
    -------
    pandas.DataFrame
        One row per (noise_rate, n_train): ``score_mean``, ``score_std`` over repeats (with
        `per_repeat`: columns ``noise_rate``, ``n_train``, ``repeat``, ``score``).

    Raises
    ------
    ValueError
        If the lengths differ or a size or rate is out of range.

    Notes
    -----
    Training subsets are nested and the noise is drawn once per repeat and rate, so the
    curves differ only by the noise, not by which clips were drawn.
    """
    import pandas as pd
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import train_test_split

    func = "label_noise_learning_curves"
    X = np.asarray(X)
    y = np.asarray(y)
    check_same_length(func, X=X, y=y)
    test_size = check_float(
        test_size, "test_size", low=0.0, high=1.0, inclusive=(False, False), func=func
    )
    reps = check_int(n_repeats, "n_repeats", min_value=1, func=func)
    rates = [check_float(r, "noise_rates", low=0.0, high=1.0, func=func) for r in noise_rates]
    rng = check_random_state(random_state)
    scorer = get_scorer(scoring)
    est = estimator if estimator is not None else labeling_model(C=0.02)
    rows = []
    for rep in range(reps):
        seed = int(rng.integers(2**31 - 1))
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed
        )
        order = np.random.default_rng(seed).permutation(y_tr.size)
        sizes = _train_counts(train_sizes, y_tr.size, func)
        for rate in rates:
            y_noisy = add_label_noise(y_tr, noise_rate=rate, random_state=seed + 1)
            for k in sizes:
                idx = order[:k]
                if np.unique(y_noisy[idx]).size < 2:
                    continue
                model = clone(est).fit(X_tr[idx], y_noisy[idx])
                rows.append(
                    {
                        "noise_rate": rate,
                        "n_train": k,
                        "repeat": rep,
                        "score": scorer(model, X_te, y_te),
                    }
                )
    raw = pd.DataFrame(rows)
    return raw if per_repeat else mean_curves(raw)


def mean_curves(raw):
    """Average per-repeat learning curves: one row per (noise_rate, n_train).

    Parameters
    ----------
    raw : pandas.DataFrame
        Columns ``noise_rate``, ``n_train``, ``repeat``, ``score``, as from
        :func:`label_noise_learning_curves` with ``per_repeat=True``.

    Returns
    -------
    pandas.DataFrame
        Columns ``noise_rate``, ``n_train``, ``score_mean``, ``score_std`` (over repeats).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"noise_rate": [0.0, 0.0], "n_train": [10, 10], "repeat": [0, 1],
    ...                     "score": [0.5, 0.7]})
    >>> mean_curves(raw)["score_mean"].round(3).tolist()
    [0.6]
    """
    out = raw.groupby(["noise_rate", "n_train"])["score"].agg(score_mean="mean", score_std="std")
    return out.reset_index()


def chance_accuracy(y) -> float:
    """Return the accuracy of always answering the most frequent class.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels, at least one.

    Returns
    -------
    float
        Share of the most frequent class, in (0, 1].

    Raises
    ------
    ValueError
        If `y` is empty.

    Examples
    --------
    >>> chance_accuracy([0, 1, 1, 2])
    0.5
    """
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError("chance_accuracy needs at least one label. Got none.")
    _, counts = np.unique(y, return_counts=True)
    return float(counts.max() / y.size)


def noise_gap_table(curves, *, chance: float, noise_rates=(0.1, 0.3)):
    """Tabulate mean score per training size and noise rate, with absolute and relative drops.

    Parameters
    ----------
    curves : pandas.DataFrame
        As from :func:`label_noise_learning_curves`, with a ``noise_rate`` of 0.0.
    chance : float
        Chance-level score, in [0, 1], such as :func:`chance_accuracy`.
    noise_rates : sequence of float, default=(0.1, 0.3)
        The noisy rates to compare with clean labels; each must be in `curves`.

    Returns
    -------
    pandas.DataFrame
        Index ``n_train``; one column per noise rate (mean score), then per rate in
        `noise_rates` ``"drop at 10%"`` (clean minus noisy, a fraction) and
        ``"relative drop at 10%"`` (the drop divided by the clean score's margin above
        `chance`).

    Raises
    ------
    KeyError
        If a rate (or 0.0) is not in `curves`.

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"noise_rate": [0.0, 0.3], "n_train": [10, 10],
    ...                        "score_mean": [0.9, 0.6], "score_std": [0.0, 0.0]})
    >>> noise_gap_table(curves, chance=0.5, noise_rates=(0.3,)).round(2).to_dict("records")
    [{0.0: 0.9, 0.3: 0.6, 'drop at 30%': 0.3, 'relative drop at 30%': 0.75}]
    """
    gap = curves.pivot(index="n_train", columns="noise_rate", values="score_mean")
    for rate in noise_rates:
        gap[f"drop at {rate:.0%}"] = gap[0.0] - gap[rate]
        gap[f"relative drop at {rate:.0%}"] = gap[f"drop at {rate:.0%}"] / (gap[0.0] - chance)
    return gap


def class_balance_table(datasets: dict):
    """Compare data sets by size and by the size of their rarest class.

    Parameters
    ----------
    datasets : dict of str to (array-like of shape (n_samples,), str)
        Per data set name, its labels and a short description of the label.

    Returns
    -------
    pandas.DataFrame
        One column per data set; rows ``rows``, ``rows of the rarest class`` and ``label``.

    Raises
    ------
    ValueError
        If a data set has no labels.

    Examples
    --------
    >>> class_balance_table({"toy": ([0, 0, 1], "binary")})["toy"].tolist()
    [3, 1, 'binary']
    """
    import pandas as pd

    columns = {}
    for name, (y, label) in datasets.items():
        y = np.asarray(y)
        if y.size == 0:
            raise ValueError(f"class_balance_table needs labels for {name!r}. Got none.")
        _, counts = np.unique(y, return_counts=True)
        columns[name] = [int(y.size), int(counts.min()), label]
    return pd.DataFrame(columns, index=["rows", "rows of the rarest class", "label"])


def clean_half_advantage(gap, *, noise_rates=(0.1, 0.3)) -> dict:
    """Return how much a clean model on half the rows beats noisy models on all of them.

    Parameters
    ----------
    gap : pandas.DataFrame
        Mean scores indexed by ``n_train`` (at least two sizes, the last two being half and
        all of the training rows), one column per noise rate including 0.0, as from
        ``curves.pivot(index="n_train", columns="noise_rate", values="score_mean")``.
    noise_rates : sequence of float, default=(0.1, 0.3)
        The noisy rates to compare.

    Returns
    -------
    dict of float to float
        Per rate: clean score at the second-largest size minus the noisy score at the
        largest size (positive: cleaning the labels beats doubling the rows).

    Examples
    --------
    >>> import pandas as pd
    >>> gap = pd.DataFrame({0.0: [0.8, 0.9], 0.1: [0.7, 0.75]}, index=[50, 100])
    >>> {k: round(v, 2) for k, v in clean_half_advantage(gap, noise_rates=(0.1,)).items()}
    {0.1: 0.05}
    """
    n_half, n_all = gap.index[-2], gap.index[-1]
    return {rate: float(gap.loc[n_half, 0.0] - gap.loc[n_all, rate]) for rate in noise_rates}


def describe_label_noise(gap, *, chance: float, rate: float = 0.3, near_chance: float = 0.1) -> str:
    """Say in markdown whether label noise costs more at small n than at large n.

    Parameters
    ----------
    gap : pandas.DataFrame
        As from :func:`noise_gap_table` with `rate` among its noise rates; the first row is
        the smallest training size, the last the largest.
    chance : float
        Chance-level score, in [0, 1].
    rate : float, default=0.3
        The noise rate to describe.
    near_chance : float, default=0.1
        Warn when the clean score at the smallest size is less than this (a fraction)
        above `chance`.

    Returns
    -------
    str
        Markdown: the drops at the smallest and largest size (points and share of the margin
        above chance) and the verdict.

    Raises
    ------
    KeyError
        If `gap` lacks the columns for `rate`.

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"noise_rate": [0.0, 0.0, 0.3, 0.3], "n_train": [10, 100] * 2,
    ...                        "score_mean": [0.6, 0.9, 0.4, 0.85], "score_std": [0.0] * 4})
    >>> gap = noise_gap_table(curves, chance=0.1, noise_rates=(0.3,))
    >>> describe_label_noise(gap, chance=0.1)[:54]
    '30% label noise costs **20.0 points** of accuracy (40%'
    """
    drop, rel = f"drop at {rate:.0%}", f"relative drop at {rate:.0%}"
    first, last = gap.iloc[0], gap.iloc[-1]
    abs_more, rel_more = first[drop] > last[drop], first[rel] > last[rel]
    if abs_more and rel_more:
        verdict = (
            "Noise costs more at small n in absolute *and* relative terms: clean labels matter "
            "most for small data."
        )
    elif rel_more:
        verdict = (
            "In absolute points the small model loses less, but it has less to lose: relative "
            "to its margin above chance it loses more. Clean labels matter most for small data."
        )
    else:
        verdict = (
            "Here noise costs as much or more at the largest size, so this run does **not** show "
            "that clean labels matter most for small data; with this few clips every size is "
            "small (try more clips or the FSDD recordings)."
        )
    caution = ""
    if first[0.0] - chance < near_chance:
        caution = (
            f" Careful: with {gap.index[0]} clips the clean model is barely above chance "
            f"({first[0.0]:.1%} vs {chance:.1%})."
        )
    return (
        f"{rate:.0%} label noise costs **{100 * first[drop]:.1f} points** of accuracy "
        f"({first[rel]:.0%} of the margin above chance) with {gap.index[0]} training clips and "
        f"**{100 * last[drop]:.1f} points** ({last[rel]:.0%}) with {gap.index[-1]}. "
        + verdict
        + caution
    )


def describe_rare_noise(gap, *, positive_share: float, noise_rates=(0.1, 0.3)) -> str:
    """Say in markdown whether cleaning labels beats doubling the rows on a rare-class table.

    Parameters
    ----------
    gap : pandas.DataFrame
        Balanced accuracy indexed by ``n_train`` (the last two sizes: half and all of the
        training rows), one column per noise rate including 0.0 and both `noise_rates`.
    positive_share : float
        Share of positive rows, in [0, 1].
    noise_rates : (float, float), default=(0.1, 0.3)
        The lower and higher noise rate.

    Returns
    -------
    str
        Markdown: fake vs real positives at the lower rate, the cost of noise in points, and
        which wins (see :func:`clean_half_advantage`).

    Examples
    --------
    >>> import pandas as pd
    >>> gap = pd.DataFrame({0.0: [0.8, 0.9], 0.1: [0.7, 0.75], 0.3: [0.6, 0.65]}, index=[50, 100])
    >>> describe_rare_noise(gap, positive_share=0.05)[:60]
    'With all 100 training rows, 10% flipped labels turn about 10'
    """
    low, high = noise_rates
    n_half, n_all = gap.index[-2], gap.index[-1]
    clean_half = gap.loc[n_half, 0.0]
    n_fake = round(low * n_all * (1 - positive_share))  # negatives flipped to positive
    n_real = round(n_all * positive_share)
    advantage = clean_half_advantage(gap, noise_rates=noise_rates)
    wins = [f"{r:.0%}" for r, a in advantage.items() if a > 0]
    verdict = (
        f"cleaning the labels beats doubling the rows at {' and '.join(wins)} noise."
        if wins
        else "here doubling the rows beats cleaning them, at both noise levels."
    )
    full = gap.loc[n_all]
    return (
        f"With all {n_all} training rows, {low:.0%} flipped labels turn about {n_fake} negatives "
        f"into fake positives next to about {n_real} real ones, and cost "
        f"**{100 * (full[0.0] - full[low]):.1f} points** of balanced accuracy ({high:.0%}: "
        f"**{100 * (full[0.0] - full[high]):.1f} points**). A clean model on half the rows "
        f"({n_half}) scores {clean_half:.1%}, against {full[low]:.1%} and {full[high]:.1%} for "
        "noisy models on all rows: " + verdict
    )


def plot_learning_curves(
    curves, *, ax=None, ylabel: str = "test accuracy (clean labels)", xlabel: str = "training clips"
):
    """Draw score against training-set size, one line per label-noise rate.

    Parameters
    ----------
    curves : pandas.DataFrame
        As from :func:`label_noise_learning_curves`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    ylabel : str, default="test accuracy (clean labels)"
        Y-axis label.
    xlabel : str, default="training clips"
        X-axis label (" (log scale)" is appended).

    Returns
    -------
    matplotlib.axes.Axes
        Log-scaled x axis (training clips), mean score with a +-1 std band.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    for rate, grp in curves.groupby("noise_rate"):
        std = grp["score_std"].fillna(0.0)
        ax.plot(grp["n_train"], grp["score_mean"], marker="o", label=f"{rate:.0%} labels flipped")
        ax.fill_between(
            grp["n_train"], grp["score_mean"] - std, grp["score_mean"] + std, alpha=0.15
        )
    from matplotlib.ticker import NullFormatter, NullLocator

    sizes = np.unique(curves["n_train"])
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sizes, [str(int(v)) for v in sizes])
    ax.set(xlabel=f"{xlabel} (log scale)", ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax
