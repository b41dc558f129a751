"""Takeaways: the scoping verdict written from the measurements.

Serves the notebook section "Takeaways".
"""

from __future__ import annotations

from mlkit._validation import check_float

__all__ = ["describe_takeaways"]


def describe_takeaways(
    quick: dict,
    *,
    hlp_accuracy: float,
    mi,
    data_estimate,
    value: dict,
    by_speaker,
    latency: dict,
    latency_budget_ms: float,
    synthetic_voices: bool = False,
) -> str:
    """Write the scoping takeaways as markdown: feasible, valuable, fair and private, plan.

    Parameters
    ----------
    quick : dict
        From :func:`mlkit.scoping.cross_validate_quick_model` (``accuracy`` and
        ``chance_accuracy``, on unseen speakers).
    hlp_accuracy : float
        Human-level accuracy (simulated), in [0, 1].
    mi : pandas.DataFrame
        From :func:`mlkit.scoping.mutual_information` (sorted, top feature first).
    data_estimate : DataEstimate
        From :func:`mlkit.scoping.data_needed_for_target`; its ``reason`` is quoted.
    value : dict
        From :func:`mlkit.scoping.business_metrics`.
    by_speaker : pandas.DataFrame
        From :func:`mlkit.scoping.accuracy_by_group` per speaker (worst first).
    latency : dict
        From :func:`mlkit.scoping.latency_percentiles` (``p95_ms``, in ms).
    latency_budget_ms : float
        p95 latency the product allows, in ms.
    synthetic_voices : bool, default=False
        Whether the speakers are synthesizer presets (the bundled corpus, see
        :func:`mlkit.datasets.describe_voices`); the fairness line then says that the worst
        "speaker" is a preset and what that audit cannot show.

    Returns
    -------
    str
        A markdown list of four takeaways and the next notebooks.

    Raises
    ------
    ValueError
        If `hlp_accuracy` is outside [0, 1] or `latency_budget_ms` is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.scoping import DataEstimate
    >>> text = describe_takeaways(
    ...     {"accuracy": 0.9, "chance_accuracy": 0.1},
    ...     hlp_accuracy=0.95,
    ...     mi=pd.DataFrame({"mi_nats": [0.7], "mi_shuffled_nats": [0.01]}),
    ...     data_estimate=DataEstimate(0.95, 900.0, 800.0, 1000.0, True, "Reachable."),
    ...     value={"successful_per_1000": 900.0, "business_value_per_1000": 120.0},
    ...     by_speaker=pd.DataFrame({"accuracy": [0.8, 0.9]}, index=["s01", "overall"]),
    ...     latency={"p95_ms": 2.5},
    ...     latency_budget_ms=100.0,
    ... )
    >>> text.splitlines()[1]
    '- **Feasible?** The quick model gets 90.0% on new speakers (chance'
    """
    func = "describe_takeaways"
    hlp_accuracy = check_float(hlp_accuracy, "hlp_accuracy", low=0.0, high=1.0, func=func)
    latency_budget_ms = check_float(latency_budget_ms, "latency_budget_ms", low=0.0, func=func)
    accuracy = quick["accuracy"]
    worst = by_speaker.index[0]
    plan = {
        "already met": "confirm today's accuracy on new speakers before adding data",
        "not reachable": "improve the model, features and labels before buying data",
    }.get(
        getattr(data_estimate, "status", None),
        "buy or label data in steps guided by the learning curve",
    )
    who, caveat = "speaker", ""
    if synthetic_voices:
        who = "voice"
        caveat = (
            " (synthesizer presets, not people: the audit shows the method, not how real "
            "groups fare)"
        )
    return f"""
- **Feasible?** The quick model gets {accuracy:.1%} on new speakers (chance
  {quick["chance_accuracy"]:.1%}; simulated HLP {hlp_accuracy:.1%}); the top MFCC feature carries
  {mi["mi_nats"].iloc[0]:.2f} nats against {mi["mi_shuffled_nats"].mean():.3f} for shuffled labels.
  {data_estimate.reason}
- **Valuable?** Today: {value["successful_per_1000"]:.0f} successful commands and a net value of
  USD {value["business_value_per_1000"]:.0f} per 1,000 requests under the cost assumptions above.
- **Fair and private?** The worst {who} ({worst}) gets {by_speaker["accuracy"].iloc[0]:.1%}
  against {accuracy:.1%} overall{caveat}; answer the privacy questions before collecting more voices.
- **Plan**: train on what you have within a day, analyse errors, and {plan} (p95 latency
  {latency["p95_ms"]:.1f} ms against a budget of {latency_budget_ms:.0f} ms).

Next: `02_data` (label consistency and the HLP definition) and `03_modeling` (error analysis by tag).
"""
