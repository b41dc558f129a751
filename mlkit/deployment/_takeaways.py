"""The notebook's conclusions, computed from the run so that prose and numbers agree.

Serves "Takeaways" of ``notebooks/05_deployment.ipynb``.
"""

from __future__ import annotations

from mlkit._validation import check_float

__all__ = ["describe_takeaways"]


def describe_takeaways(
    canary: dict,
    shadow: dict,
    bluegreen: dict,
    *,
    requests_per_s: float,
    good: str = "good",
    bad: str = "bad",
) -> str:
    """Summarise what canary, shadow mode and blue/green did with a good and a bad candidate.

    Parameters
    ----------
    canary : dict of str to CanaryRouter
        Replayed canary routers, with keys `good` and `bad`.
    shadow : dict of str to ShadowRouter
        Replayed shadow routers, with keys `good` and `bad` (all are listed).
    bluegreen : dict of str to BlueGreenRouter
        Replayed blue/green routers, with key `bad`.
    requests_per_s : float
        Simulated arrival rate, in requests per second, > 0: turns requests into seconds.
    good, bad : str, default="good", "bad"
        Keys of the good and the bad candidate.

    Returns
    -------
    str
        A markdown bullet list (starting with a newline), one bullet per pattern and one
        pointing to monitoring.

    Raises
    ------
    KeyError
        If a dict lacks the `good` or `bad` key.
    ValueError
        If `requests_per_s` is not positive.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd
    >>> log = pd.DataFrame({"version": ["stable", "candidate", "stable", "stable"]})
    >>> canary = {"bad": NS(status_="rolled_back", rollback_interval_=1,
    ...                     intervals_=[{}, {"failed_gates": "agreement:low_bandwidth",
    ...                                      "end_request": 2}],
    ...                     requests_frame=lambda: log),
    ...           "good": NS(status_="promoted", promotion_interval_=7)}
    >>> shadow = {"good": NS(agreement_=0.72, verdict_="pass", n_compared_=120,
    ...                      min_agreement=0.65, indifference=0.1),
    ...           "bad": NS(agreement_=0.52, verdict_="fail", n_compared_=40,
    ...                     min_agreement=0.65, indifference=0.1)}
    >>> bluegreen = {"bad": NS(switch_request_=500, rollback_exposure_requests_=300,
    ...                        intervals_=[{"action": "rollback", "failed": "psi"}])}
    >>> text = describe_takeaways(canary, shadow, bluegreen, requests_per_s=20.0)
    >>> "answering 1 requests: 50.0% of the 2 served up to the end of the rollback" in text
    True
    >>> "25.0% of all 4 requests of the replayed stream" in text, "after 300 requests" in text
    (True, True)
    >>> "good *pass* after 120 clips" in text, "failed agreement:low_bandwidth" in text
    (True, True)
    """
    rate = check_float(
        requests_per_s,
        "requests_per_s",
        low=0.0,
        inclusive=(False, True),
        func="describe_takeaways",
    )
    bad_canary, good_canary, bad_bg = canary[bad], canary[good], bluegreen[bad]
    bad_log = bad_canary.requests_frame()
    bad_reach = int((bad_log["version"] == "candidate").sum())
    whole = f"{bad_reach / len(bad_log):.1%} of all {len(bad_log)} requests of the replayed stream"
    if bad_canary.rollback_interval_ is not None:  # two denominators: name both (exercise 05.2)
        served = int(bad_canary.intervals_[bad_canary.rollback_interval_]["end_request"])
        reach_text = (
            f"{bad_reach} requests: {bad_reach / served:.1%} of the {served} served up to the "
            f"end of the rollback interval (exercise 05.2), {whole}"
        )
    else:
        reach_text = f"{bad_reach} requests, {whole}"
    if bad_canary.rollback_interval_ is not None:
        gates = bad_canary.intervals_[bad_canary.rollback_interval_]["failed_gates"]
        segment = [g.partition(":")[2] for g in gates.split(",") if g.startswith("agreement:")]
        evidence = f"it failed {gates}" + (
            f": a defect confined to {', '.join(segment)} showed in that condition's agreement "
            "before it could move the overall numbers"
            if segment
            else ""
        )
    else:
        evidence = "no gate caught it"
    shadow_text = "; ".join(
        f"{name} *{r.verdict_}* after {r.n_compared_} clips (agreement {r.agreement_:.2f})"
        for name, r in shadow.items()
    )
    if shadow[bad].verdict_ == "pass":
        p0 = shadow[bad].min_agreement - shadow[bad].indifference
        shadow_lesson = (
            f"The bad candidate passed: its overall agreement ({shadow[bad].agreement_:.2f}) "
            f"is above {p0:.2f}, the level the test must not pass, and an overall test cannot "
            "see a defect confined to one condition; the per-condition gates of the canary and "
            "blue/green do."
        )
    else:
        shadow_lesson = (
            "Each clip is counted once; the rule stops as soon as the evidence suffices, so "
            "a clearly bad candidate is stopped after few clips."
        )
    preview_text = (
        "let the bad model through"
        if bad_bg.switch_request_ is not None
        else "stopped the bad model"
    )
    exposure = bad_bg.rollback_exposure_requests_
    fired = [i["failed"] for i in bad_bg.intervals_ if i["action"] == "rollback"]
    caught = (
        f"monitoring ({fired[0] if fired else 'a check'}) rolled it back after {exposure} "
        f"requests (~{exposure / rate:.0f} s)"
        if exposure is not None
        else "monitoring never rolled it back"
    )
    return f"""
- **Canary**: the bad candidate was *{bad_canary.status_.replace("_", " ")}* (interval
  {bad_canary.rollback_interval_}) after answering {reach_text};
  the good one was *{good_canary.status_.replace("_", " ")}* (interval {good_canary.promotion_interval_}). Gates compare versions on
  the *same* requests and act on evidence (confidence bounds), not on a noisy interval; {evidence}.
- **Shadow mode** (no user risk), one sequential test on the agreement with the operators:
  {shadow_text}. {shadow_lesson}
- **Blue/green**: the clean-only preview {preview_text}; {caught} while blue was still warm. A preview is only
  as good as its coverage.
- The monitoring notebook (06) takes over from here: once a version is live, watch it.
"""
