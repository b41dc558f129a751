"""One convention for the day axis and the alert markers of every monitoring figure.

* x is the 0-based day; a window's value is drawn on its last day (``day_end``);
* the true onset of an event is a dotted vertical line at ``onset_day``;
* an alert is a downward triangle with a black edge, in the stream's colour, in a strip at the
  top of the panel, at x = the alert day (``day_end`` of the window that completed the rule +
  the rule's ``delay_days``, for example the label delay), so the horizontal distance from the
  onset line is the detection delay.

Used by ``_dashboards``, ``_concept`` and ``_nodes``.
"""

from __future__ import annotations

import numpy as np

ALERT_CONVENTION = (
    "x = day; a window's value is drawn on its last day; dotted line: true onset; "
    "black-edged triangle at the top: alert, at x = alert day = window end + delay (label delay "
    "for accuracy)"
)
"""The sentence figure titles and captions use for the convention."""

ALERT_LABEL = "alert raised (x = alert day)"
"""Legend entry of the alert marker."""


def _mark_alerts(ax, days, *, colour, level: int = 0, label: str | None = None):
    """Draw alert markers at x = `days` in the top strip of `ax` (row `level` from the top)."""
    import matplotlib.transforms as mtransforms

    days = np.asarray(days, dtype=float)
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    return ax.plot(
        days,
        np.full(days.shape, 0.95 - 0.07 * level),
        "v",
        transform=trans,
        color=colour,
        mec="k",
        mew=1.0,
        ms=9,
        ls="none",
        clip_on=False,
        zorder=6,
        label=label,
    )[0]


def _alert_legend_handle(ax):
    """Add an invisible grey alert marker carrying the legend entry :data:`ALERT_LABEL`."""
    return ax.plot([], [], "v", color="0.85", mec="k", mew=1.0, ms=9, ls="none", label=ALERT_LABEL)[
        0
    ]
