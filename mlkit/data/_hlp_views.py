"""HLP in the notebook: the team panel, the three HLP views and their plots (section 3)."""

from __future__ import annotations

import numpy as np

from mlkit.data._agreement import fleiss_kappa
from mlkit.data._hlp import hlp_by_tag
from mlkit.data._labelers import (
    simulate_labelers,
)

__all__ = [
    "labeling_team_view",
    "plot_hlp_by_tag",
    "plot_hlp_comparison",
]


def labeling_team_view(
    y_true,
    *,
    tags,
    snr_db=None,
    y_convention,
    n_labelers: int = 5,
    error_rate: float = 0.02,
    convention: bool = False,
    random_state=0,
):
    """Simulate a labeling team and summarise its agreement and HLP (the notebook's team panel).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The digit spoken, 0-9.
    tags : array-like of shape (n_samples,)
        Noise-condition tag per clip.
    snr_db : array-like of float of shape (n_samples,), optional
        Broadband SNR of each clip in dB (NaN without noise); required for noisy tags.
    y_convention : array-like of shape (n_samples,)
        The truth HLP accuracy is scored against (the truth under the convention).
    n_labelers : int, default=5
        Simulated labelers, at least 2.
    error_rate : float, default=0.02
        A typical labeler's lapse rate on clips they hear clearly, in [0, 1].
    convention : bool, default=False
        The team follows the documented convention (``simulate_labelers(convention=True)``).
    random_state : int, default=0
        Seeds the labelers.

    Returns
    -------
    text : str
        Markdown: Fleiss' kappa, HLP agreement and HLP accuracy, overall.
    table : pandas.io.formats.style.Styler
        :func:`hlp_by_tag` with bars for the two HLP columns.

    Raises
    ------
    ValueError
        As :func:`simulate_labelers`.

    Examples
    --------
    >>> text, _ = labeling_team_view([1, 2, 3, 4], tags=["clean"] * 4, y_convention=[1, 2, 3, 4])
    >>> text.startswith("Fleiss' kappa **")
    True
    """
    lab = simulate_labelers(
        y_true,
        tags=tags,
        snr_db=snr_db,
        n_labelers=n_labelers,
        error_rate=error_rate,
        convention=convention,
        random_state=random_state,
    )
    table = hlp_by_tag(lab, tags=tags, y_true=y_convention)
    overall = table.loc["overall"]
    text = (
        f"Fleiss' kappa **{fleiss_kappa(lab):.3f}** · HLP (agreement) "
        f"**{overall['hlp_agreement']:.3f}** · HLP (accuracy vs truth) "
        f"**{overall['hlp_accuracy']:.3f}**"
    )
    styled = table.style.format({c: "{:.3f}" for c in table.columns if c != "n_samples"}).bar(
        subset=["hlp_agreement", "hlp_accuracy"], vmin=0, vmax=1, color="#9ecae1"
    )
    return text, styled


def plot_hlp_by_tag(before, after=None, *, ax=None, column: str = "hlp_agreement"):
    """Draw HLP per tag as bars, optionally before and after a labeling convention.

    Parameters
    ----------
    before : pandas.DataFrame
        As from :func:`hlp_by_tag`.
    after : pandas.DataFrame, optional
        The same after the convention, drawn beside it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    column : str, default="hlp_agreement"
        Which column to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    x = np.arange(len(before.index))
    width = 0.38 if after is not None else 0.6
    bars = ax.bar(
        x - (width / 2 if after is not None else 0),
        before[column],
        width,
        label="before convention",
    )
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    if after is not None:
        bars = ax.bar(
            x + width / 2, after.loc[before.index, column], width, label="after convention"
        )
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xticks(x, before.index)
    ax.set(ylim=(0, 1.08), ylabel=column.replace("_", " "))
    return ax


def plot_hlp_comparison(before, after, *, figsize=(13, 3.4)):
    """Draw HLP per tag before and after the convention: agreement left, accuracy right.

    Parameters
    ----------
    before, after : pandas.DataFrame
        As from :func:`hlp_by_tag`, before and after the convention, with `y_true` given.
    figsize : tuple of float, default=(13, 3.4)
        Figure size in inches.

    Returns
    -------
    ndarray of matplotlib.axes.Axes of shape (2,)
        Left ``hlp_agreement`` (what a team measures), right ``hlp_accuracy`` (what it cannot).

    Examples
    --------
    >>> t = hlp_by_tag([[1, 2], [1, 3]], y_true=[1, 2])
    >>> plot_hlp_comparison(t, t).shape
    (2,)
    """
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(1, 2, figsize=figsize, sharey=True, layout="constrained")
    plot_hlp_by_tag(before, after, ax=axes[0], column="hlp_agreement")
    plot_hlp_by_tag(before, after, ax=axes[1], column="hlp_accuracy")
    axes[0].set_title("agreement between labelers (what a team measures)")
    axes[1].set_title("accuracy against truth (what it cannot)")
    return axes
