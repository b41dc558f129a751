"""Data sourcing: what each source of more data costs in money and time, and the plan.

Serves the notebook section "Data sourcing: what does more data cost, and how fast can we get it?".
"""

from __future__ import annotations

import math

import numpy as np

from mlkit._validation import check_float, check_int
from mlkit.scoping._data_needed import ALREADY_MET, NOT_REACHABLE, UNCERTAIN, DataEstimate
from mlkit.scoping._resourcing import labeling_effort

__all__ = [
    "DEFAULT_SOURCES",
    "sourcing_table",
    "sourcing_recommendation",
]

DEFAULT_SOURCES = {
    "bundled corpus": {
        "cost_per_clip_usd": 0.0,
        "setup_days": 0.0,
        "max_clips": None,  # the clips already loaded
        "labels_per_clip": 0,
        "record_s_per_clip": 0.0,
        "note": "already labeled and loaded: train today",
    },
    "crowdsourced labels": {
        "cost_per_clip_usd": 0.15,  # 3 labels x USD 0.05, for agreement (see HLP)
        "setup_days": 3.0,
        "max_clips": 50_000,
        "labels_per_clip": 3,
        "record_s_per_clip": 0.0,
        "workers": 20,
        "note": "labels for logged, consented production audio; needs a labeling guide",
    },
    "in-house recordings": {
        "cost_per_clip_usd": 0.25,  # staff time at about USD 30/h for recording + labeling
        "setup_days": 5.0,
        "max_clips": 20_000,
        "labels_per_clip": 1,
        "record_s_per_clip": 20.0,
        "note": "speakers, accents and noise you choose; consent forms and privacy review",
    },
    "purchased data": {
        "cost_per_clip_usd": 0.50,
        "setup_days": 20.0,  # contract, delivery, quality check
        "max_clips": 100_000,
        "labels_per_clip": 0,
        "record_s_per_clip": 0.0,
        "note": "fast volume, but check licence, speakers and conditions match production",
    },
}
"""Candidate data sources with illustrative unit costs (USD) and lead times (days).

Each value holds ``cost_per_clip_usd``, ``setup_days`` (contracts, guides, privacy review),
``max_clips`` (None: the clips already available), ``labels_per_clip`` (labels drawn from the
labelers' throughput), ``record_s_per_clip`` (recording time per clip) and optionally
``workers`` (people labeling in parallel; default: the `n_labelers` argument) and ``note``.
Replace the numbers with quotes from your own vendors.
"""


def sourcing_table(
    n_needed: float,
    *,
    n_available: int,
    seconds_per_label: float,
    n_labelers: int,
    sources: dict | None = None,
    hours_per_day: float = 6.0,
):
    """Compare data sources: cost, time and volume to double the data and to reach the target.

    Parameters
    ----------
    n_needed : float
        Training clips the learning curve needs for the target (``math.inf`` when not
        reachable: only the doubling columns are filled).
    n_available : int
        Labeled clips already available (the bundled corpus), >= 1.
    seconds_per_label : float
        Measured labeling time per clip per person, in s.
    n_labelers : int
        People labeling in parallel (used for sources without their own ``workers``).
    sources : dict, optional
        Source name to its spec (see :data:`DEFAULT_SOURCES`); default that dict.
    hours_per_day : float, default=6.0
        Productive hours per person per day.

    Returns
    -------
    pandas.DataFrame
        One row per source: ``source``, ``max_clips``, ``days_to_double`` and
        ``cost_to_double_usd`` (for ``n_available`` more clips: the next learning-curve
        point), ``extra_clips_for_target``, ``days_to_target``, ``cost_to_target_usd``
        (NaN when the source cannot supply them), ``note``.

    Raises
    ------
    ValueError
        If a number is out of range or a source spec lacks a key.

    Notes
    -----
    Days = setup days + recording time + labeling time (from the throughput), one person
    per worker, `hours_per_day` per day.
    """
    import pandas as pd

    n_available = check_int(n_available, "n_available", min_value=1, func="sourcing_table")
    n_needed = check_float(n_needed, "n_needed", low=0.0, func="sourcing_table")
    sources = DEFAULT_SOURCES if sources is None else sources
    required = {
        "cost_per_clip_usd",
        "setup_days",
        "max_clips",
        "labels_per_clip",
        "record_s_per_clip",
    }
    gap = max(0.0, n_needed - n_available)
    rows = []
    for name, spec in sources.items():
        missing = required - set(spec)
        if missing:
            raise ValueError(
                f"Source {name!r} of sourcing_table lacks {sorted(missing)}; see DEFAULT_SOURCES."
            )
        workers = int(spec.get("workers", n_labelers))
        cap = n_available if spec["max_clips"] is None else int(spec["max_clips"])
        existing = spec["max_clips"] is None

        def days_cost(n, spec=spec, workers=workers):
            effort = labeling_effort(
                n,
                seconds_per_label=seconds_per_label,
                n_labelers=workers,
                labels_per_clip=int(spec["labels_per_clip"]),
                hours_per_day=hours_per_day,
            )
            record_days = n * spec["record_s_per_clip"] / 3600.0 / (workers * hours_per_day)
            days = spec["setup_days"] + effort["calendar_days"] + record_days
            return days, n * spec["cost_per_clip_usd"]

        if existing:
            d2 = c2 = math.nan
            extra = 0.0 if gap == 0 else math.nan
            dt, ct = (0.0, 0.0) if gap == 0 else (math.nan, math.nan)
        else:
            d2, c2 = days_cost(n_available) if cap >= n_available else (math.nan, math.nan)
            extra = math.ceil(gap) if np.isfinite(gap) else math.nan
            dt, ct = days_cost(gap) if np.isfinite(gap) and gap <= cap else (math.nan, math.nan)
        rows.append(
            {
                "source": name,
                "max_clips": cap,
                "days_to_double": d2,
                "cost_to_double_usd": c2,
                "extra_clips_for_target": extra,
                "days_to_target": dt,
                "cost_to_target_usd": ct,
                "note": spec.get("note", ""),
            }
        )
    return pd.DataFrame(rows)


def sourcing_recommendation(
    table, *, data_estimate: DataEstimate, days_to_first_model: float
) -> str:
    """Write the course's sourcing plan as markdown: get into the iteration loop fast.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sourcing_table`.
    data_estimate : DataEstimate
        From :func:`data_needed_for_target`.
    days_to_first_model : float
        Measured or planned days until the first model trains on the available data.

    Returns
    -------
    str
        A markdown paragraph. Its last sentences follow the verdict ``data_estimate.status``:
        already met (no data needed), reachable (the fastest source for everything, in days,
        only when extra clips are needed), uncertain (also: decide again after each point) or
        not reachable (work on the model, not the data).

    Notes
    -----
    Ng, "Machine Learning in Production" (DeepLearning.AI), week 3: "get into this
    iteration loop as quickly as possible"; ask "how long would it take to obtain m
    examples?" rather than spending 30 days collecting data up front.
    """
    days_to_first_model = check_float(
        days_to_first_model, "days_to_first_model", low=0.0, func="sourcing_recommendation"
    )
    grow = table.dropna(subset=["days_to_double"])
    fastest = grow.loc[grow["days_to_double"].idxmin()] if len(grow) else None
    lines = [
        f"**Plan.** Train on the data you have now: first model in about "
        f"{days_to_first_model:.1f} day(s), then iterate train -> error analysis -> improve.",
    ]
    if fastest is not None:
        lines.append(
            f"When error analysis says more data helps, the quickest next chunk is "
            f"**{fastest['source']}** (double the data in ~{fastest['days_to_double']:.1f} days, "
            f"USD {fastest['cost_to_double_usd']:,.0f}); measure the learning curve again before "
            "buying more."
        )
    status = data_estimate.status
    if status == ALREADY_MET:
        lines.append(
            "The target is already met by today's model: no data is needed to reach it. "
            "Spend the first iterations confirming that accuracy on new speakers and on "
            "production-like traffic."
        )
    elif status == NOT_REACHABLE:
        lines.append(
            "The target is not reachable by more data of the same kind (see the learning curve): "
            "spend the first iterations on the model, the features and label quality."
        )
    else:
        reach = table.dropna(subset=["days_to_target"])
        reach = reach[reach["extra_clips_for_target"] > 0]
        no_extra = bool((table["extra_clips_for_target"] == 0).any())
        if data_estimate.reachable and no_extra:
            lines.append(
                "The fitted curve says the clips already loaded reach the target once all of "
                "them train the model (cross-validation trained on fewer): check that with the "
                "first model before collecting more."
            )
        elif data_estimate.reachable and len(reach):
            best = reach.loc[reach["days_to_target"].idxmin()]
            lines.append(
                f"Collecting everything the fitted curve says the target needs up front would "
                f"take about {best['days_to_target']:.1f} days ({best['source']}), and the "
                "estimate itself is an extrapolation: do it in steps instead."
            )
        elif data_estimate.reachable:
            lines.append(
                "No single source supplies everything the fitted curve says the target needs: "
                "grow the data in steps and measure the curve again."
            )
        if status == UNCERTAIN:
            lines.append(
                "Whether more data reaches the target at all is uncertain (see the learning-curve "
                "verdict): decide again after each new learning-curve point."
            )
    return " ".join(lines)
