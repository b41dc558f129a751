"""Equal budgets, measured gains: the per-tag gain of each arm's best run, as a figure."""

from __future__ import annotations

__all__ = ["ARM_COLORS", "plot_arm_gains"]

#: Bar colour of each arm in :func:`plot_arm_gains`.
ARM_COLORS = {"model-centric": "tab:blue", "data-centric": "tab:green"}


def plot_arm_gains(
    comparison,
    *,
    report_on: str = "seen",
    figsize: tuple[float, float] = (9, 3.4),
    colors: dict | None = None,
):
    """Plot the per-tag accuracy gain of each arm's best run as grouped, labelled bars.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`mlkit.modeling.budget_comparison`: one row per arm, ``n_runs`` (training
        runs) and optionally ``budget`` (in training runs, the same for every arm) and ``gain_<tag>`` columns (accuracy gain over the baseline on
        the report split, a fraction in [-1, 1]).
    report_on : str, default="seen"
        Name of the split the gains were measured on (the ``report_on`` of
        ``budget_comparison``), for the y-axis label.
    figsize : tuple of float, default=(9, 3.4)
        Figure width and height in inches.
    colors : dict of str to str, optional
        Bar colour per arm; default :data:`ARM_COLORS`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes of a new figure: one group of bars per tag, one bar per arm, each bar labelled
        with its signed gain (a gain of 0 draws no bar, only its label).

    Raises
    ------
    ValueError
        If `comparison` has no ``gain_<tag>`` column or no ``n_runs`` column.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> comparison = pd.DataFrame(
    ...     {"n_runs": [3, 3], "gain_clean": [0.0, 0.05], "gain_car_noise": [-0.02, 0.1]},
    ...     index=pd.Index(["model-centric", "data-centric"], name="arm"),
    ... )
    >>> ax = plot_arm_gains(comparison)
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['clean', 'car_noise']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    missing = [] if "n_runs" in comparison.columns else ["n_runs"]
    if not any(str(c).startswith("gain_") for c in comparison.columns):
        missing.append("gain_<tag>")
    if missing:
        raise ValueError(
            "plot_arm_gains needs the table of mlkit.modeling.budget_comparison, with columns "
            f"'n_runs' and 'gain_<tag>'. Missing {missing}; got {list(comparison.columns)}."
        )
    gains = comparison.filter(like="gain_").T.rename(index=lambda c: c.removeprefix("gain_"))
    fig, ax = plt.subplots(figsize=figsize)
    gains.plot.bar(ax=ax, rot=0, color=ARM_COLORS if colors is None else colors)
    ax.axhline(0, color="black", lw=0.8)
    for bars in ax.containers:  # label every bar: a gain of 0 draws no bar
        ax.bar_label(bars, fmt="%+.2f", fontsize=8)
    budget = float(comparison["budget" if "budget" in comparison else "n_runs"].iloc[0])
    ax.set(
        ylabel=f"{report_on}-split accuracy gain over baseline",
        title=f"gain per tag of each arm's best run (equal budget of {budget:g} training runs)",
    )
    return ax
