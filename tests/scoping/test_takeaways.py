"""Unit tests for mlkit.scoping._takeaways: the closing summary."""

import pandas as pd
import pytest

from mlkit.scoping import DataEstimate, describe_takeaways


def _inputs(**changes):
    kwargs = dict(
        hlp_accuracy=0.84,
        mi=pd.DataFrame({"mi_nats": [0.695, 0.2], "mi_shuffled_nats": [0.004, 0.002]}),
        data_estimate=DataEstimate(0.95, float("inf"), float("inf"), float("inf"), False, "No."),
        value={"successful_per_1000": 863.3, "business_value_per_1000": -21.7},
        by_speaker=pd.DataFrame({"accuracy": [0.72, 0.863]}, index=["s08", "overall"]),
        latency={"p95_ms": 2.19},
        latency_budget_ms=100.0,
    )
    kwargs.update(changes)
    return kwargs


def test_describe_takeaways_reads_every_measurement():
    text = describe_takeaways({"accuracy": 0.8633, "chance_accuracy": 0.12}, **_inputs())
    for part in (
        "gets 86.3% on new speakers (chance\n  12.0%; simulated HLP 84.0%)",
        "carries\n  0.69 nats against 0.003 for shuffled labels.\n  No.\n",
        "Today: 863 successful commands",
        "USD -22 per 1,000",
        "worst speaker (s08) gets 72.0%\n  against 86.3% overall",
        "(p95 latency\n  2.2 ms against a budget of 100 ms)",
    ):
        assert part in text
    assert text.startswith("\n- **Feasible?**") and text.endswith("(error analysis by tag).\n")


def test_describe_takeaways_refuses_bad_numbers():
    quick = {"accuracy": 0.9, "chance_accuracy": 0.1}
    with pytest.raises(ValueError, match="'hlp_accuracy' parameter of describe_takeaways"):
        describe_takeaways(quick, **_inputs(hlp_accuracy=1.5))
    with pytest.raises(ValueError, match="'latency_budget_ms' parameter"):
        describe_takeaways(quick, **_inputs(latency_budget_ms=-1.0))


def test_describe_takeaways_says_when_voices_are_synthetic():
    quick = {"accuracy": 0.8633, "chance_accuracy": 0.12}
    text = describe_takeaways(quick, **_inputs(synthetic_voices=True))
    assert "worst voice (s08)" in text and "synthesizer presets, not people" in text
    assert "synthesizer" not in describe_takeaways(quick, **_inputs())


@pytest.mark.parametrize(
    ("status", "plan"),
    [
        ("already met", "confirm today's accuracy on new speakers"),
        ("not reachable", "improve the model, features and labels before buying data"),
        ("uncertain", "buy or label data in steps"),
        ("reachable", "buy or label data in steps"),
    ],
)
def test_describe_takeaways_plan_follows_the_verdict(status, plan):
    est = DataEstimate(0.95, 900.0, 800.0, 1000.0, status != "not reachable", "x", status=status)
    text = describe_takeaways(
        {"accuracy": 0.9, "chance_accuracy": 0.1}, **_inputs(data_estimate=est)
    )
    assert plan in text
