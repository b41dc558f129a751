"""Draw the four group scores and the 4 x 7 grid of test scores.

Serves "The ML Test Score" of ``notebooks/07_production_readiness.ipynb``.
"""

from __future__ import annotations

from mlkit.readiness._rubric import GROUPS
from mlkit.readiness._scoring import group_scores

__all__ = ["plot_readiness"]


def plot_readiness(table, *, title: str | None = None):
    """Plot the group scores (the minimum marked) beside the per-test grid.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~mlkit.readiness.score_tests`.
    title : str, optional
        Figure title. Default names the final score.

    Returns
    -------
    matplotlib.figure.Figure
        Left: one bar per group (0-7), the weakest in a darker colour, a line at the final score.
        Right: four rows (groups) by seven columns (tests), coloured 0 / 0.5 / 1 and annotated.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mlkit.readiness import load_run_evidence, score_tests
    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "metrics.json").write_text(json.dumps({"notebooks": {}}))
    >>> fig = plot_readiness(score_tests(load_run_evidence(run)))
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap

    groups = group_scores(table)
    final = float(groups.min())
    fig, (ax_bar, ax_grid) = plt.subplots(
        1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.6]}
    )
    colours = ["#b22222" if v == final else "#7a9cc6" for v in groups]
    ax_bar.barh(list(GROUPS)[::-1], groups.to_numpy()[::-1], color=colours[::-1])
    ax_bar.axvline(final, color="#b22222", linestyle="--", linewidth=1)
    for i, v in enumerate(groups.to_numpy()[::-1]):
        ax_bar.text(v + 0.1, i, f"{v:g}", va="center")
    ax_bar.set_xlim(0, 7.5)
    ax_bar.set_xlabel("group score (sum of 7 tests, max 7)")
    ax_bar.set_title("group scores; dashed: final = minimum")

    grid = np.array(
        [table.loc[table["group"] == g, "score"].to_numpy() for g in GROUPS], dtype=float
    )
    cmap = ListedColormap(["#e8e8e8", "#f2c14e", "#4c9a5f"])
    ax_grid.imshow(grid * 2, cmap=cmap, vmin=0, vmax=2, aspect="auto")
    for (r, c), v in np.ndenumerate(grid):
        ax_grid.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9)
    ax_grid.set_xticks(range(7), [str(i) for i in range(1, 8)])
    ax_grid.set_yticks(range(len(GROUPS)), list(GROUPS))
    ax_grid.set_xlabel("test number (Data 1 .. Monitor 7)")
    ax_grid.set_title("per test: 0 not done, 0.5 by hand or only in part, 1 automated")
    fig.suptitle(title or f"ML Test Score {final:g} (Breck et al. 2017)")
    fig.tight_layout()
    return fig
