"""Which deployment pattern when, in the notebook: what it says, the decision table, the figure.

Serves "Which deployment pattern when" of ``notebooks/05_deployment.ipynb`` (section 8), from
the numbers of :func:`mlkit.deployment.compare_patterns`.
"""

from __future__ import annotations

import numpy as np

from mlkit._validation import check_float
from mlkit.deployment._patterns import PATTERNS

__all__ = ["describe_patterns", "pattern_decision_table", "plot_patterns"]


def _relation(low, high, *, below: str, above: str, neither: str) -> str:
    """Word an interval of a difference: entirely below 0, entirely above 0, or across it."""
    if high < 0:
        return below
    if low > 0:
        return above
    return neither


def _paired(m: dict, name: str, *, what: str, fmt: str = ".0f") -> str:
    """Say on how many seeds canary or blue/green was lower, and the paired interval."""
    n = m["both_caught"]
    if n < 2:
        return f"too few seeds where both caught it ({n}) to compare {what}"
    relation = _relation(
        m[f"diff_{name}_low"],
        m[f"diff_{name}_high"],
        below=f"the canary gave fewer {what}",
        above=f"blue/green gave fewer {what}",
        neither=f"no clear difference in {what} on these seeds",
    )
    return (
        f"on the {n} seeds where both caught it, fewer {what} from the canary on "
        f"{m[f'canary_fewer_{name}']}, from blue/green on {m[f'bluegreen_fewer_{name}']}; "
        f"canary minus blue/green {m[f'diff_{name}_mean']:{fmt}} (95 % interval "
        f"{m[f'diff_{name}_low']:{fmt}} to {m[f'diff_{name}_high']:{fmt}}): {relation}"
    )


def describe_patterns(metrics: dict, *, requests_per_s: float) -> str:
    """Say what each pattern cost with the bad candidate over seeds, from the recorded numbers.

    Parameters
    ----------
    metrics : dict
        :func:`compare_patterns`' result.
    requests_per_s : float
        Simulated arrival rate, in requests per second, > 0: turns requests into seconds.

    Returns
    -------
    str
        Markdown, one bullet each for how often each pattern caught the candidate, exposure,
        time to detection and the cost of a rollback. Canary and blue/green are compared on
        the seeds where both caught it: "fewer" only when the paired interval of their
        difference excludes 0, "on every seed" only when it held on every one.

    Raises
    ------
    ValueError
        If `requests_per_s` is not positive.
    KeyError
        If a metric is missing.

    Examples
    --------
    >>> m = {"n_seeds": 5, "canary_caught": 5, "bluegreen_caught": 5, "shadow_caught": 2,
    ...      "both_caught": 5, "shadow_exposed_max": 0, "canary_exposed_share_mean": 0.1,
    ...      "bluegreen_exposed_share_mean": 1.0, "shadow_detect_mean": 74.0,
    ...      "shadow_detect_low": 41.0, "shadow_detect_high": 107.0}
    >>> for key, c, b in [("exposed", 98, 300), ("detect", 1000, 300), ("excess_wrong", 8, 27)]:
    ...     for p, v in [("canary", c), ("bluegreen", b)]:
    ...         m |= {f"{p}_{key}_mean": v, f"{p}_{key}_low": v - 5, f"{p}_{key}_high": v + 5}
    ...     m |= {f"diff_{key}_mean": c - b, f"diff_{key}_low": c - b - 10,
    ...           f"diff_{key}_high": c - b + 10}
    ...     m |= {f"canary_fewer_{key}": 5 * (c < b), f"bluegreen_fewer_{key}": 5 * (c > b)}
    >>> text = describe_patterns(m, requests_per_s=20.0)
    >>> "caught it on more seeds than shadow mode's overall test" in text
    True
    >>> "blue/green flagged it after fewer requests on every one" in text
    True
    >>> "the canary gave fewer answers to users" in text
    True
    """
    rate = check_float(
        requests_per_s,
        "requests_per_s",
        low=0.0,
        inclusive=(False, True),
        func="describe_patterns",
    )
    m, n = metrics, metrics["n_seeds"]

    def ci(key, fmt=".0f"):
        if m[f"{key}_mean"] == -1.0 and m[f"{key}_low"] == -1.0:
            return "never caught"
        if m[f"{key}_low"] == m[f"{key}_high"]:  # one seed, or the same on every seed
            return f"{m[key + '_mean']:{fmt}}"
        return (
            f"{m[key + '_mean']:{fmt}} (95 % interval {m[key + '_low']:{fmt}} to "
            f"{m[key + '_high']:{fmt}})"
        )

    live_more = min(m["canary_caught"], m["bluegreen_caught"]) > m["shadow_caught"]
    caught = (
        "the per-condition gates of canary and blue/green caught it on more seeds than shadow "
        "mode's overall test, which a defect confined to one recording condition can pass"
        if live_more
        else "shadow mode's overall test caught it on as many seeds as a live pattern's gates "
        "or more"
    )
    both = m["both_caught"]
    if both and m["bluegreen_fewer_detect"] == both:
        sooner = (
            f"blue/green flagged it after fewer requests on every one of the {both} seeds "
            "where both caught it: after a switch every request is evidence"
        )
    elif both and m["canary_fewer_detect"] == both:
        sooner = f"the canary flagged it after fewer requests on every one of the {both} seeds"
    else:
        sooner = f"neither flagged it sooner on every one of the {both} seeds where both caught it"
    share = (
        f"the canary sends the candidate only its share ({m['canary_exposed_share_mean']:.0%} "
        f"of the traffic until the rollback, blue/green {m['bluegreen_exposed_share_mean']:.0%} "
        "after its switch) but needs more requests to decide"
        if m["canary_exposed_share_mean"] < m["bluegreen_exposed_share_mean"]
        and m["canary_detect_mean"] > m["bluegreen_detect_mean"]
        else "the canary's smaller share did not come with a longer wait here"
    )
    return f"""
- **Caught** on: canary {m["canary_caught"]}, blue/green {m["bluegreen_caught"]}, shadow mode
  {m["shadow_caught"]} of {n} seeds; {caught}. The numbers below are over the seeds on which
  each pattern caught it; a missed release goes on answering until something else stops it.
- **Answers users received from the bad candidate**: canary {ci("canary_exposed")},
  blue/green {ci("bluegreen_exposed")}, shadow mode at most {m["shadow_exposed_max"]} (by
  design: its answers are never returned). {share[0].upper() + share[1:]}: {_paired(m, "exposed", what="answers to users")}.
- **Time to detection**, requests of traffic from the first one the candidate saw: canary
  {ci("canary_detect")} (~{m["canary_detect_mean"] / rate:.0f} s at {requests_per_s:g}
  requests/s), blue/green {ci("bluegreen_detect")} after the switch, shadow mode
  {ci("shadow_detect")}; {sooner}.
- **Cost of the rollback**, wrong answers the release caused before it (beyond the replaced
  version's on the same requests; known only because the replayed clips are labelled):
  canary {ci("canary_excess_wrong", ".1f")}, blue/green {ci("bluegreen_excess_wrong", ".1f")};
  {_paired(m, "excess_wrong", what="wrong answers", fmt=".1f")}. Switching back is a
  setting in both (the canary weight to 0, the live pointer to blue); blue/green pays for its
  instant switch with two full deployments while blue is kept warm. Shadow mode has nothing
  to switch back.
"""


_SITUATIONS = (
    # (situation, baseline available, humans deciding today)
    ("new system: nothing serves today", False, False),
    ("people decide today (automate a task)", False, True),
    ("upgrade: a model serves today", True, False),
    ("a model serves, people still decide", True, True),
)


def _upgrade_pick(m: dict, order: list[str]) -> str:
    """Pick canary or blue/green for an upgrade by the paired intervals of their differences."""
    for key in order:
        low, high = m[f"diff_{key}_low"], m[f"diff_{key}_high"]
        if high < 0 or low > 0:
            return "canary" if high < 0 else "blue/green"
    return "canary or blue/green"


def _upgrade_why(m: dict) -> str:
    """Word the two measured differences between canary and blue/green, with their numbers."""
    parts = []
    for key, what in [("exposed", "answers from the candidate"), ("detect", "requests to flag it")]:
        low, high = m[f"diff_{key}_low"], m[f"diff_{key}_high"]
        c, b = m[f"canary_{key}_mean"], m[f"bluegreen_{key}_mean"]
        if high < 0 or low > 0:
            first, second = ("canary", "blue/green") if high < 0 else ("blue/green", "canary")
            parts.append(f"{what}: {first} fewer (canary {c:.0f}, blue/green {b:.0f})")
        else:
            parts.append(f"{what}: no clear difference (canary {c:.0f}, blue/green {b:.0f})")
    return "; ".join(parts)


def pattern_decision_table(metrics: dict):
    """Pick a deployment pattern for each situation from the measured costs and two conditions.

    The conditions decide what is possible: shadow mode needs people who decide today (as
    measured here: agreement with operators); blue/green needs a version to switch back to
    and the canary's agreement and PSI gates a version to compare with (a baseline). Without
    one a canary still limits exposure, judged by its health gates and labels only; the
    canary's numbers were measured with a stable model serving the rest, and a row without a
    baseline cites them only as such. Among the
    possible ones, the numbers decide, by rules fixed before measuring: shadow first when
    possible (it returns none of the candidate's answers), followed by a live pattern when
    shadow missed the bad candidate on a seed; for an upgrade, the one of canary and
    blue/green that is better on the criterion that comes first, by the paired interval of
    their difference (then on the other criterion); with no baseline and nobody deciding,
    the canary, the only pattern that limits how many users meet the candidate with nothing
    to compare it with. Two criteria can come first, so the table has two picks: the answers
    users received from the bad candidate (when a wrong answer reaching a user is the cost,
    as a misheard digit reaching a caller), or the requests until the pattern flagged it
    (when a verdict is needed soon).

    Parameters
    ----------
    metrics : dict
        :func:`compare_patterns`' result.

    Returns
    -------
    pandas.DataFrame
        One row per situation (the four combinations of the two conditions) with columns
        ``baseline available``, ``people decide today``, ``possible``, ``pick: fewest
        exposed``, ``pick: soonest verdict`` and ``because`` (the measured numbers behind
        the picks).

    Raises
    ------
    KeyError
        If a metric is missing.

    Examples
    --------
    >>> m = {"n_seeds": 5, "shadow_caught": 5, "canary_caught": 5, "shadow_detect_mean": 60.0,
    ...      "canary_exposed_share_mean": 0.1, "canary_exposed_mean": 98.0,
    ...      "bluegreen_exposed_mean": 300.0, "canary_detect_mean": 1000.0,
    ...      "bluegreen_detect_mean": 300.0, "diff_exposed_low": -216.0,
    ...      "diff_exposed_high": -188.0, "diff_detect_low": 700.0, "diff_detect_high": 700.0}
    >>> table = pattern_decision_table(m)
    >>> table["pick: fewest exposed"].tolist()
    ['canary', 'shadow', 'canary', 'shadow']
    >>> table["pick: soonest verdict"].tolist()
    ['canary', 'shadow', 'blue/green', 'shadow']
    """
    import pandas as pd

    m, n = metrics, metrics["n_seeds"]
    upgrade = {
        "pick: fewest exposed": _upgrade_pick(m, ["exposed", "detect"]),
        "pick: soonest verdict": _upgrade_pick(m, ["detect", "exposed"]),
    }
    missed = m["shadow_caught"] < n
    shadow_why = (
        f"shadow returns none of its answers and caught the bad candidate on "
        f"{m['shadow_caught']} of {n} seeds"
        + (
            ": its overall test can pass a defect confined to one condition, so a live "
            "pattern follows it"
            if missed
            else f", after {m['shadow_detect_mean']:.0f} requests on average"
        )
    )
    # the canary's gates and numbers were measured against a stable model serving the rest:
    # a row without a baseline may cite them only as such
    no_baseline = (
        "its comparison gates (per-condition agreement, PSI) need a model serving beside it, "
        "which this situation does not have: in the replay, with a stable model serving the "
        f"rest, they caught it on {m['canary_caught']} of {n} seeds"
    )
    rows = []
    for situation, baseline, people in _SITUATIONS:
        possible = (
            ["canary"] + (["blue/green"] if baseline else []) + (["shadow"] if people else [])
        )
        row = {
            "situation": situation,
            "baseline available": "yes" if baseline else "no",
            "people decide today": "yes" if people else "no",
            "possible": ", ".join(possible),
        }
        for column, pick in upgrade.items():
            if people:
                after = pick if baseline else "canary"
                row[column] = f"shadow, then {after}" if missed else "shadow"
            else:
                row[column] = pick if baseline else "canary"
        if people and baseline:
            why = shadow_why + (
                f"; the per-condition gates comparing it with the serving model caught it on "
                f"{m['canary_caught']} of {n} seeds (canary), {m['bluegreen_caught']} "
                f"(blue/green); then {_upgrade_why(m)}"
                if missed
                else ""
            )
        elif people:
            why = shadow_why + (
                "; that pattern is a canary, people deciding the cases it does not answer; "
                f"{no_baseline}; here only its health gates (errors, latency), labels and "
                "people's review of its answers can stop a bad model"
                if missed
                else ""
            )
        elif baseline:
            why = _upgrade_why(m)
        else:
            why = (
                "the only one that limits how many users meet the candidate: it starts on a small "
                "share of the traffic and grows it only while its gates pass; no blue to switch "
                f"back to, nobody to shadow; {no_baseline}, and the candidate answered "
                f"{m['canary_exposed_share_mean']:.0%} of the traffic until the rollback; here "
                "only its health gates (errors, latency) and labels can stop a bad model"
            )
        row["because"] = why
        rows.append(row)
    return pd.DataFrame(rows).set_index("situation")


def plot_patterns(table, *, title: str | None = None):
    """Plot each pattern's costs over seeds: exposure, wrong answers, time to detection.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`repeat_patterns`' result (index ``random_state``, ``pattern``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (answers users received from the candidate; wrong answers beyond the
        replaced version's; requests to detection), one column of dots per pattern (one dot
        per seed) with its mean as a bar; the detection panel shows the seeds that caught
        the candidate and says on how many of them it did.
    """
    import matplotlib.pyplot as plt

    panels = [
        ("exposed_requests", "answers users received\nfrom the bad candidate"),
        ("excess_wrong", "wrong answers beyond\nthe replaced version's"),
        ("requests_to_detection", "requests to detection\n(seeds that caught it)"),
    ]
    patterns = [p for p in PATTERNS if p in table.index.get_level_values("pattern")]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (col, label) in zip(axes, panels, strict=True):
        for i, p in enumerate(patterns):
            t = table.xs(p, level="pattern")
            v = t[col].to_numpy(float)
            if col == "requests_to_detection":
                v = v[t["caught"].astype(bool).to_numpy()]
                ax.annotate(
                    f"{v.size} of {len(t)}",
                    (i, 0),
                    xytext=(0, -28),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                )
            if v.size:
                ax.bar(i, v.mean(), color=f"C{i}", alpha=0.35, width=0.6)
                jitter = np.linspace(-0.15, 0.15, v.size)
                ax.plot(i + jitter, v, "o", color=f"C{i}", ms=4)
        ax.set_xticks(range(len(patterns)), patterns)
        ax.set_ylabel(label)
        ax.axhline(0, color="grey", lw=0.8)
        ax.grid(axis="y", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
