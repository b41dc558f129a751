"""Data sourcing strategy: invest in data up front, or get into the iteration loop fast.

Serves the notebook section "Data sourcing: invest up front or get into the loop fast?".
A simulated plan, not a measurement: both strategies collect clips at the same measured
rate; they differ in how much of what they collect helps, and in how much of their time goes
to collecting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlkit._stats import mean_t_interval
from mlkit._validation import check_float, check_int, check_random_state

__all__ = [
    "SOURCING_SCENARIOS",
    "SourcingComparison",
    "collection_rate",
    "upfront_break_even_share",
    "simulate_time_to_target",
    "compare_sourcing_strategies",
    "plot_sourcing_strategies",
    "describe_sourcing_strategies",
]

SOURCING_SCENARIOS = {
    "well documented (spam filter)": {
        "useful_share_upfront": 0.9,
        "why": "which data works is known from prior projects and public corpora (the course's "
        "spam filter): most clips collected up front are the kind that helps",
    },
    "new domain (this recognizer)": {
        "useful_share_upfront": 0.25,
        "why": "nobody knows yet which condition holds the errors: collected evenly over the "
        "four recording conditions, about 1 clip in 4 lands where error analysis would point",
    },
}
"""Two illustrative scenarios: the share of up-front clips that help (an assumption, stated).

Each value holds ``useful_share_upfront`` (in [0, 1]) and ``why`` (the assumption in words).
"""


def collection_rate(
    *,
    seconds_per_label: float,
    n_labelers: int,
    record_s_per_clip: float = 20.0,
    hours_per_day: float = 6.0,
) -> float:
    """Return how many new clips a team records and labels per day.

    Parameters
    ----------
    seconds_per_label : float
        Measured labeling time per clip per person, in s, > 0.
    n_labelers : int
        People recording and labeling in parallel, >= 1.
    record_s_per_clip : float, default=20.0
        Recording time per clip, in s, >= 0 (the in-house source of
        :data:`mlkit.scoping.DEFAULT_SOURCES`).
    hours_per_day : float, default=6.0
        Productive hours per person per day, > 0.

    Returns
    -------
    float
        Clips per day: ``n_labelers * hours_per_day * 3600 / (record_s_per_clip +
        seconds_per_label)``.

    Raises
    ------
    ValueError
        If a number is out of range.

    Examples
    --------
    >>> collection_rate(seconds_per_label=4.0, n_labelers=3)
    2700.0
    """
    func = "collection_rate"
    s = check_float(seconds_per_label, "seconds_per_label", low=0.0, func=func)
    r = check_float(record_s_per_clip, "record_s_per_clip", low=0.0, func=func)
    n = check_int(n_labelers, "n_labelers", min_value=1, func=func)
    h = check_float(hours_per_day, "hours_per_day", low=0.0, func=func)
    if s + r <= 0 or h <= 0:
        raise ValueError(
            f"{func} needs a positive time per clip and positive hours per day. Got "
            f"seconds_per_label + record_s_per_clip = {s + r!r}, hours_per_day = {h!r}."
        )
    return n * h * 3600.0 / (s + r)


def upfront_break_even_share(
    *, useful_share_loop: float = 0.9, iteration_days: float = 2.0, collect_days: float = 1.0
) -> float:
    """Return the useful share of up-front data above which investing up front is faster.

    Parameters
    ----------
    useful_share_loop : float, default=0.9
        Share of clips that help when error analysis chose what to collect, in (0, 1].
    iteration_days : float, default=2.0
        Days per loop iteration spent training and analysing errors (not collecting), >= 0.
    collect_days : float, default=1.0
        Days per loop iteration spent collecting, > 0.

    Returns
    -------
    float
        ``useful_share_loop * collect_days / (collect_days + iteration_days)``: the loop's
        useful clips per day of work, as a share of the collection rate.

    Notes
    -----
    Both strategies collect at the same rate ``r`` and pay one train-and-analyse step before
    their first model. Up front yields ``q_up * r`` useful clips per day; the loop yields
    ``q_loop * r * collect / (collect + iteration)``, since part of each iteration trains
    and analyses instead of collecting. Up front wins when it yields more per day
    (ignoring whole iterations and the uncertainty of the need, which the simulation keeps).
    The rule needs the data to span several loop iterations: when one iteration's collection
    already exceeds the need, whole iterations decide and the simulation departs from it.

    Examples
    --------
    >>> round(upfront_break_even_share(useful_share_loop=0.9), 3)
    0.3
    """
    func = "upfront_break_even_share"
    q = check_float(useful_share_loop, "useful_share_loop", low=0.0, high=1.0, func=func)
    i = check_float(iteration_days, "iteration_days", low=0.0, func=func)
    c = check_float(collect_days, "collect_days", low=0.0, func=func)
    if c <= 0:
        raise ValueError(f"The 'collect_days' parameter of {func} must be > 0. Got {c!r}.")
    return q * c / (c + i)


def simulate_time_to_target(
    useful_share_upfront: float,
    *,
    clips_per_day: float,
    n_useful_needed: float = 10_000,
    need_spread: float = 0.5,
    useful_share_loop: float = 0.9,
    iteration_days: float = 2.0,
    collect_days: float = 1.0,
    n_projects: int = 400,
    max_iterations: int = 1000,
    random_state=0,
) -> dict:
    """Simulate the days to the target of both sourcing strategies over many projects.

    Parameters
    ----------
    useful_share_upfront : float
        Share of clips collected up front that help, in [0, 1]: how well the domain is
        documented (an assumption; see :data:`SOURCING_SCENARIOS`).
    clips_per_day : float
        Collection rate, > 0 (see :func:`collection_rate`).
    n_useful_needed : float, default=10_000
        Useful clips the target needs in the typical project, > 0 (illustrative). Up front
        collects exactly this many clips.
    need_spread : float, default=0.5
        Standard deviation of the log of the need across projects, >= 0: how uncertain the
        estimate is (a learning-curve band spans a factor of about e^0.5 = 1.6 each way).
    useful_share_loop : float, default=0.9
        Share of clips that help when error analysis chose them, in (0, 1].
    iteration_days : float, default=2.0
        Days to train and analyse errors, per model, >= 0 (the milestone table's iteration).
    collect_days : float, default=1.0
        Days of collection per loop iteration, > 0.
    n_projects : int, default=400
        Simulated projects, >= 10.
    max_iterations : int, default=1000
        Loop iterations after which a project is stopped (its days are then a lower bound).
    random_state : int or numpy.random.Generator, default=0
        Seed of the needs and of which clips help.

    Returns
    -------
    dict
        ``upfront_days`` and ``loop_days`` (ndarray of shape (n_projects,)), days until the
        useful clips reach each project's need, and ``need`` (useful clips each project
        needs). The needs are drawn first, so the same seed gives the same projects whatever
        the shares (a paired comparison).

    Raises
    ------
    ValueError
        If a number is out of range.

    Notes
    -----
    Get into the loop fast: train and analyse on today's data (``iteration_days``), then
    repeat: collect for ``collect_days`` (each clip helps with ``useful_share_loop``), train
    and analyse. Invest up front: collect ``n_useful_needed`` clips first (each helps with
    ``useful_share_upfront``), train and analyse, then continue with the loop for whatever
    is missing. The course's advice (Ng, "Machine Learning in Production", week 3) is the
    loop, except when the domain is well documented; the simulation says when.

    Examples
    --------
    >>> out = simulate_time_to_target(0.9, clips_per_day=2700.0, n_projects=50)
    >>> bool(np.mean(out["upfront_days"]) < np.mean(out["loop_days"]))
    True
    """
    func = "simulate_time_to_target"
    q_up = check_float(useful_share_upfront, "useful_share_upfront", low=0.0, high=1.0, func=func)
    q_loop = check_float(useful_share_loop, "useful_share_loop", low=0.0, high=1.0, func=func)
    rate = check_float(clips_per_day, "clips_per_day", low=0.0, func=func)
    need0 = check_float(n_useful_needed, "n_useful_needed", low=0.0, func=func)
    spread = check_float(need_spread, "need_spread", low=0.0, func=func)
    it = check_float(iteration_days, "iteration_days", low=0.0, func=func)
    cd = check_float(collect_days, "collect_days", low=0.0, func=func)
    n = check_int(n_projects, "n_projects", min_value=10, func=func)
    max_it = check_int(max_iterations, "max_iterations", min_value=1, func=func)
    if min(q_loop, rate, need0, cd) <= 0:
        raise ValueError(
            f"{func} needs useful_share_loop, clips_per_day, n_useful_needed and collect_days "
            f"> 0. Got {q_loop!r}, {rate!r}, {need0!r}, {cd!r}."
        )
    rng = check_random_state(random_state)
    # the needs come first from the stream: the same seed gives every strategy and every
    # up-front share the same projects (common random numbers, a paired comparison)
    need = need0 * np.exp(rng.normal(0.0, spread, size=n))
    chunk = max(1, round(rate * cd))
    n_up = max(1, round(need0))

    def loop(start_days, have):
        days, have = start_days.copy(), have.copy()
        for _ in range(max_it):
            short = have < need
            if not short.any():
                break
            have[short] += rng.binomial(chunk, q_loop, size=int(short.sum()))
            days[short] += cd + it
        return days

    zeros = np.zeros(n)
    loop_days = loop(np.full(n, it), zeros)
    up_have = rng.binomial(n_up, q_up, size=n).astype(float)
    upfront_days = loop(np.full(n, n_up / rate + it), up_have)
    return {"upfront_days": upfront_days, "loop_days": loop_days, "need": need}


@dataclass(frozen=True)
class SourcingComparison:
    """Both strategies' simulated days to target, per scenario and over a sweep.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scenario (index: name): ``useful_share_upfront``, ``upfront_days`` and
        ``loop_days`` (medians) with ``_low`` / ``_high`` (5th and 95th percentiles over the
        simulated projects), ``days_saved_upfront`` (mean over the same projects of loop
        minus up-front days) with ``days_saved_low`` / ``_high`` (t 95 % interval),
        ``faster`` ("up front" when the mean saving is positive, else "loop"),
        ``condition_says`` (the same from :func:`upfront_break_even_share`) and
        ``upfront_collect_days`` (days the up-front collection takes: ``n_useful_needed``
        clips at ``clips_per_day``, the stake of the gamble).
    sweep : pandas.DataFrame
        The same columns for a grid of ``useful_share_upfront``.
    break_even_share : float
        From :func:`upfront_break_even_share`.
    crossover_share : float
        Where the mean saving changes sign on the sweep (linear interpolation; NaN if it
        does not).
    plan : dict
        The simulation's settings (``clips_per_day`` and the keywords of
        :func:`simulate_time_to_target`).
    """

    table: object
    sweep: object
    break_even_share: float
    crossover_share: float
    plan: dict

    def records(self) -> dict:
        """Return the metrics the notebook records, keyed by metric name.

        Returns
        -------
        dict of str to float or bool
        """
        out = {
            "sourcing_break_even_share": self.break_even_share,
            "sourcing_crossover_share": self.crossover_share,
            "clips_per_day": float(self.plan["clips_per_day"]),
        }
        for name, row in self.table.iterrows():
            key = "documented" if name.startswith("well documented") else "new_domain"
            out[f"upfront_days_{key}"] = float(row["upfront_days"])
            out[f"loop_days_{key}"] = float(row["loop_days"])
            out[f"days_saved_upfront_{key}"] = float(row["days_saved_upfront"])
            out[f"days_saved_upfront_{key}_ci_low"] = float(row["days_saved_low"])
            out[f"days_saved_upfront_{key}_ci_high"] = float(row["days_saved_high"])
            out[f"useful_share_upfront_{key}"] = float(row["useful_share_upfront"])
        return out


def _summary(out):
    row = {}
    for k in ("upfront_days", "loop_days"):
        lo, med, hi = np.percentile(out[k], [5, 50, 95])
        row.update({k: float(med), f"{k}_low": float(lo), f"{k}_high": float(hi)})
    saved = out["loop_days"] - out["upfront_days"]
    mean, lo, hi = mean_t_interval(saved, func="compare_sourcing_strategies")
    row.update({"days_saved_upfront": mean, "days_saved_low": lo, "days_saved_high": hi})
    return row


def _upfront_collect_days(plan, clips_per_day):
    # the same clip count as simulate_time_to_target's up-front collection
    need = plan.get("n_useful_needed", 10_000)
    return max(1, round(need)) / float(clips_per_day)


def compare_sourcing_strategies(
    *, clips_per_day: float, scenarios=None, shares=None, random_state=0, **plan
) -> SourcingComparison:
    """Simulate both strategies for each scenario and over a sweep of the useful share.

    Parameters
    ----------
    clips_per_day : float
        Collection rate, > 0 (see :func:`collection_rate`).
    scenarios : dict, optional
        Name to ``{"useful_share_upfront": float, ...}``; default :data:`SOURCING_SCENARIOS`.
        Names starting with "well documented" are recorded as ``*_documented``, others as
        ``*_new_domain``.
    shares : array-like of float, optional
        The sweep's grid of ``useful_share_upfront``; default 0, 0.05, ..., 1.
    random_state : int, default=0
        Seed; each simulation gets its own stream drawn from it.
    **plan
        Keywords of :func:`simulate_time_to_target` (``n_useful_needed``,
        ``useful_share_loop``, ``iteration_days``, ``collect_days``, ...).

    Returns
    -------
    SourcingComparison

    Examples
    --------
    >>> c = compare_sourcing_strategies(clips_per_day=2700.0, n_projects=50)
    >>> c.table["faster"].tolist()
    ['up front', 'loop']
    """
    import pandas as pd

    scenarios = SOURCING_SCENARIOS if scenarios is None else scenarios
    shares = np.linspace(0.0, 1.0, 21) if shares is None else np.asarray(shares, dtype=float)
    seed = check_int(random_state, "random_state", min_value=0, func="compare_sourcing_strategies")
    keys = ("useful_share_loop", "iteration_days", "collect_days")
    q_star = upfront_break_even_share(**{k: plan[k] for k in keys if k in plan})
    rows = {}
    for name, spec in scenarios.items():
        q = float(spec["useful_share_upfront"])
        out = simulate_time_to_target(
            q,
            clips_per_day=clips_per_day,
            random_state=seed,
            **plan,
        )
        row = {"useful_share_upfront": q, **_summary(out)}
        row["faster"] = "up front" if row["days_saved_upfront"] > 0 else "loop"
        row["condition_says"] = "up front" if q > q_star else "loop"
        row["upfront_collect_days"] = _upfront_collect_days(plan, clips_per_day)
        rows[name] = row
    sweep = pd.DataFrame(
        [
            {
                "useful_share_upfront": float(q),
                **_summary(
                    simulate_time_to_target(
                        q,
                        clips_per_day=clips_per_day,
                        random_state=seed,
                        **plan,
                    )
                ),
            }
            for q in shares
        ]
    )
    gap = -sweep["days_saved_upfront"].to_numpy()
    x = sweep["useful_share_upfront"].to_numpy()
    crossover = float("nan")
    for k in range(len(gap) - 1):
        if gap[k] > 0 >= gap[k + 1]:
            crossover = float(x[k] + (x[k + 1] - x[k]) * gap[k] / (gap[k] - gap[k + 1]))
            break
    return SourcingComparison(
        pd.DataFrame.from_dict(rows, orient="index"),
        sweep,
        q_star,
        crossover,
        {"clips_per_day": float(clips_per_day), **plan},
    )


def plot_sourcing_strategies(comparison: SourcingComparison):
    """Plot simulated days to target against the useful share of up-front data.

    Parameters
    ----------
    comparison : SourcingComparison
        From :func:`compare_sourcing_strategies`.

    Returns
    -------
    matplotlib.figure.Figure
        Medians with 5-95 % bands of both strategies, the break-even share as a dashed line
        and the scenarios as markers.
    """
    import matplotlib.pyplot as plt

    s, t = comparison.sweep, comparison.table
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    x = s["useful_share_upfront"]
    for key, label, color in (
        ("upfront_days", "invest up front", "tab:orange"),
        ("loop_days", "get into the loop fast", "tab:blue"),
    ):
        ax.plot(x, s[key], color=color, label=label)
        ax.fill_between(x, s[f"{key}_low"], s[f"{key}_high"], color=color, alpha=0.15)
    ax.axvline(comparison.break_even_share, color="grey", ls="--", label="break-even share")
    for name, row in t.iterrows():
        ax.plot([row["useful_share_upfront"]], [row["upfront_days"]], "o", color="tab:orange")
        ax.annotate(
            name,
            (row["useful_share_upfront"], row["upfront_days"]),
            fontsize=8,
            xytext=(4, 6),
            textcoords="offset points",
        )
    ax.set(
        xlabel="share of up-front clips that help (how well the domain is documented)",
        ylabel="days to target (simulated)",
        title="Simulated plan: median and 5-95 % over projects",
    )
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def describe_sourcing_strategies(comparison: SourcingComparison) -> str:
    """Say which strategy reaches the target first in each scenario, and the deciding condition.

    Parameters
    ----------
    comparison : SourcingComparison
        From :func:`compare_sourcing_strategies`.

    Returns
    -------
    str
        Markdown: the rule (up front wins when more than the break-even share of its clips
        help), then per scenario the simulated medians and intervals and whether the
        simulation agrees with the rule; labelled as a simulation.

    Examples
    --------
    >>> c = compare_sourcing_strategies(clips_per_day=2700.0, n_projects=50)
    >>> describe_sourcing_strategies(c)[:40]
    '**Simulated plan, not a measurement.** A'
    """
    p, q_star = comparison.plan, comparison.break_even_share
    q_loop = p.get("useful_share_loop", 0.9)
    it, cd = p.get("iteration_days", 2.0), p.get("collect_days", 1.0)
    n_up = max(1, round(p.get("n_useful_needed", 10_000)))
    collect = _upfront_collect_days(p, p["clips_per_day"])
    s0 = comparison.sweep.loc[comparison.sweep["useful_share_upfront"].idxmin()]
    q0 = s0["useful_share_upfront"]
    lines = [
        f"**Simulated plan, not a measurement.** At the measured rate of "
        f"{p['clips_per_day']:,.0f} clips a day, the loop spends {cd:g} of every "
        f"{cd + it:g} days collecting, and its clips help {q_loop:.0%} of the time because "
        f"error analysis chose them: {q_loop:.0%} x {cd:g}/{cd + it:g} = **{q_star:.2f}**. "
        f"Investing up front is faster when more than that share of its clips help, which "
        "only a well-documented domain can promise. Guessing wrong costs at most about the "
        f"up-front collection itself: {n_up:,.0f} clips at {p['clips_per_day']:,.0f} a day = "
        f"**{collect:.1f} days** (`upfront_collect_days` in the table), all of it lost when "
        f"none of those clips help (the sweep at share {q0:g}: up front costs "
        f"{-s0['days_saved_upfront']:.2f} extra days) and less when some do (the scenarios "
        "below). The faster data comes, the cheaper the gamble."
    ]
    for name, r in comparison.table.iterrows():
        verdict = "invest up front" if r["faster"] == "up front" else "get into the loop fast"
        agree = (
            "as the rule says"
            if r["faster"] == r["condition_says"]
            else "against the rule (whole iterations and the uncertain need matter this close "
            "to the break-even share)"
        )
        # the interval is given in the sign convention of the sentence's quantity: days
        # saved when up front saves, extra days when it costs (the table's days_saved_*
        # columns then hold the same numbers negated, low and high swapped)
        if r["days_saved_upfront"] > 0:
            saved = (
                f"up front saves {r['days_saved_upfront']:.2f} days on average (95 % interval "
                f"{r['days_saved_low']:+.2f} to {r['days_saved_high']:+.2f} days saved)"
            )
        else:
            saved = (
                f"up front costs {-r['days_saved_upfront']:.2f} extra days on average (95 % "
                f"interval {-r['days_saved_high']:+.2f} to {-r['days_saved_low']:+.2f} extra "
                "days; the table's `days_saved_*` holds them negated)"
            )
        lines.append(
            f"- *{name}* ({r['useful_share_upfront']:.0%} of up-front clips help): median up "
            f"front {r['upfront_days']:.1f} days (5-95 %: {r['upfront_days_low']:.1f} to "
            f"{r['upfront_days_high']:.1f}), loop {r['loop_days']:.1f} days "
            f"({r['loop_days_low']:.1f} to {r['loop_days_high']:.1f}); on the same projects "
            f"{saved}: **{verdict}**, {agree}."
        )
    cross = comparison.crossover_share
    if cross == cross:
        lines.append(
            f"Over the sweep of shares the mean saving changes sign at {cross:.2f} "
            f"(rule: {q_star:.2f})."
        )
    else:
        lines.append("Over the sweep of shares the mean saving never changes sign.")
    return "\n".join(lines)
