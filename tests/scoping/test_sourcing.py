"""Unit tests for mlkit.scoping._sourcing: data sources, costs, days and the plan."""

import math

import pytest

from mlkit.scoping import (
    ALREADY_MET,
    DEFAULT_SOURCES,
    REACHABLE,
    UNCERTAIN,
    DataEstimate,
    sourcing_recommendation,
    sourcing_table,
)


def test_sourcing_table_costs_and_days():
    table = sourcing_table(3000, n_available=1000, seconds_per_label=3.6, n_labelers=2)
    rows = table.set_index("source")
    assert list(rows.index) == list(DEFAULT_SOURCES)
    assert math.isnan(rows.loc["bundled corpus", "days_to_double"])
    crowd = rows.loc["crowdsourced labels"]
    # 2000 clips x 3 labels x 3.6 s = 6 h over 20 workers x 6 h/day = 0.05 days + 3 setup.
    assert crowd["days_to_target"] == pytest.approx(3.05)
    assert crowd["cost_to_target_usd"] == pytest.approx(2000 * 0.15)
    inhouse = rows.loc["in-house recordings"]
    # 1000 clips: labeling 1 h + recording 20000 s = 5.56 h, 2 people x 6 h -> 0.546 days + 5.
    assert inhouse["days_to_double"] == pytest.approx(5 + (3600 + 20_000) / 3600 / 12)
    assert rows.loc["purchased data", "extra_clips_for_target"] == 2000


def test_sourcing_table_when_target_is_not_reachable():
    table = sourcing_table(math.inf, n_available=500, seconds_per_label=4.0, n_labelers=1)
    assert table["days_to_target"].isna().all()
    assert table["days_to_double"].notna().sum() == 3
    est = DataEstimate(0.99, math.inf, math.inf, math.inf, False, "asymptote")
    text = sourcing_recommendation(table, data_estimate=est, days_to_first_model=1.0)
    assert "first model in about 1.0 day" in text
    assert "not reachable" in text


def test_sourcing_table_refuses_incomplete_sources():
    with pytest.raises(ValueError, match="lacks"):
        sourcing_table(
            10,
            n_available=5,
            seconds_per_label=1.0,
            n_labelers=1,
            sources={"x": {"cost_per_clip_usd": 1.0}},
        )
    with pytest.raises(ValueError, match="'n_needed' parameter of sourcing_table"):
        sourcing_table(-1, n_available=5, seconds_per_label=1.0, n_labelers=1)


# --- issue 11: the plan follows the verdict ---------------------------------------------------


def _table(n_needed):
    return sourcing_table(n_needed, n_available=300, seconds_per_label=4.0, n_labelers=3)


def test_sourcing_recommendation_when_the_target_is_already_met():
    est = DataEstimate(0.85, 150.0, 100.0, 200.0, True, "Already met.", status=ALREADY_MET)
    text = sourcing_recommendation(_table(150.0), data_estimate=est, days_to_first_model=1.0)
    assert "already met" in text and "no data is needed" in text
    assert "0+ days" not in text and "Collecting everything" not in text


def test_sourcing_recommendation_when_the_target_is_uncertain():
    est = DataEstimate(0.95, 5000.0, 1500.0, math.inf, True, "Uncertain.", status=UNCERTAIN)
    text = sourcing_recommendation(_table(5000.0), data_estimate=est, days_to_first_model=1.0)
    assert "uncertain" in text and "days (crowdsourced labels)" in text
    assert "+ days" not in text


def test_sourcing_recommendation_never_quotes_zero_days_for_data_already_there():
    # The curve reaches the target within the clips already loaded (reachable, 0 extra).
    est = DataEstimate(0.9, 250.0, 200.0, 280.0, True, "Reachable.", status=REACHABLE)
    text = sourcing_recommendation(_table(250.0), data_estimate=est, days_to_first_model=1.0)
    assert "0+ days" not in text and "0.0 days" not in text
    assert "clips already loaded reach the target" in text
    assert "No single source" not in text


def test_sourcing_recommendation_when_no_source_supplies_the_target():
    est = DataEstimate(0.95, 5e6, 1e6, math.inf, True, "Uncertain.", status=UNCERTAIN)
    text = sourcing_recommendation(_table(5e6), data_estimate=est, days_to_first_model=1.0)
    assert "No single source supplies everything" in text
