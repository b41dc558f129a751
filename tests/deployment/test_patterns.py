"""Which deployment pattern when: costs per pattern, over seeds, the prose and the decision table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from mlkit import deployment as dep
from tests.deployment._routing import Const, Echo, stream


@pytest.fixture
def bad_release():
    """One stream (every request its own clip), a bad candidate under all three patterns."""
    X, ids = stream(1200, flag=slice(None))
    y = Echo().predict(X)  # the stable model is always right
    bad = Echo(shift=3)  # wrong on every request
    canary = dep.CanaryRouter(
        Echo(), bad, schedule=(0.25, 1.0), interval_requests=200, min_gate_requests=10
    ).fit()
    canary.replay(X, request_ids=ids)
    shadow = dep.ShadowRouter(None, bad).fit()
    shadow.replay(X, request_ids=ids, y_live=y, groups=np.arange(1200))
    bluegreen = dep.replay_bluegreen(
        Echo(),
        {"bad": bad},
        X,
        request_ids=ids,
        X_preview=X[:20],
        y_preview=y[:20],
        switch_at=200,
        n_requests=800,
        interval_requests=100,
        preview_tolerance=1.0,
    )["bad"]
    return canary, shadow, bluegreen, X, y


def test_pattern_costs_count_what_users_received_and_when_each_pattern_flagged_it(bad_release):
    canary, shadow, bluegreen, X, y = bad_release
    costs = dep.pattern_costs(canary, shadow, bluegreen, X=X, y_true=y, groups=np.arange(1200))
    assert list(costs.index) == list(dep.PATTERNS)
    assert costs["caught"].tolist() == [True, True, True]
    log = canary.requests_frame()
    reach = int((log["version"] == "candidate").sum())
    rollback_at = canary.intervals_[canary.rollback_interval_]["end_request"]
    assert costs.loc["canary", "exposed_requests"] == reach > 0
    assert costs.loc["canary", "requests_to_detection"] == rollback_at
    # every answer of the bad candidate is wrong, every answer of stable right
    assert costs.loc["canary", "wrong_answers"] == costs.loc["canary", "excess_wrong"] == reach
    assert costs.loc["canary", "exposed_share"] == pytest.approx(reach / rollback_at)
    exposure = bluegreen.rollback_exposure_requests_
    assert costs.loc["blue/green", "exposed_requests"] == exposure == 100
    assert costs.loc["blue/green", "requests_to_detection"] == exposure
    assert costs.loc["blue/green", "excess_wrong"] == exposure
    assert costs.loc["blue/green", "exposed_share"] == 1.0
    assert costs.loc["shadow", "exposed_requests"] == costs.loc["shadow", "excess_wrong"] == 0
    # each request is its own clip, so the decision falls on the n-th request
    assert costs.loc["shadow", "requests_to_detection"] == shadow.n_to_decision_
    assert "-> 0" in costs.loc["canary", "rollback"]
    assert "blue" in costs.loc["blue/green", "rollback"]


def test_pattern_costs_map_shadow_clips_to_requests_and_count_a_refused_preview(bad_release):
    canary, _, _, X, y = bad_release
    groups = np.arange(1200) // 3  # every clip arrives three times in a row
    shadow = dep.ShadowRouter(None, Echo(shift=3)).fit()
    shadow.replay(X, request_ids=[str(i) for i in range(1200)], y_live=y, groups=groups)
    refused = dep.replay_bluegreen(
        Echo(),
        {"bad": Const(3)},
        X,
        request_ids=[str(i) for i in range(1200)],
        X_preview=X[:20],
        y_preview=y[:20],
        switch_at=200,
    )["bad"]
    costs = dep.pattern_costs(canary, shadow, refused, X=X, y_true=y, groups=groups)
    assert costs.loc["shadow", "requests_to_detection"] == 3 * (shadow.n_to_decision_ - 1) + 1
    row = costs.loc["blue/green"]
    assert row["caught"] and row["requests_to_detection"] == 0 and row["exposed_requests"] == 0
    assert row["rollback"].startswith("nothing: the preview refused it")


def test_pattern_costs_uncaught_candidate_counts_exposure_to_the_end(bad_release):
    _, _, _, X, y = bad_release
    ids = [str(i) for i in range(len(X))]
    same = (
        dep.CanaryRouter(
            Echo(), Echo(), schedule=(0.5, 1.0), interval_requests=200, min_gate_requests=10
        )
        .fit()
        .replay(X, request_ids=ids)
    )
    shadow = dep.ShadowRouter(None, Echo(), min_agreement=0.99, indifference=0.5).fit()
    shadow.replay(X, request_ids=ids, y_live=y)
    green = dep.replay_bluegreen(
        Echo(),
        {"same": Echo()},
        X,
        request_ids=ids,
        X_preview=X[:20],
        y_preview=y[:20],
        switch_at=200,
    )["same"]
    costs = dep.pattern_costs(same, shadow, green, X=X, y_true=y, groups=np.arange(len(X)))
    assert not costs["caught"].any()
    assert costs["requests_to_detection"].isna().all()
    assert costs.loc["canary", "excess_wrong"] == 0  # the promoted requests are compared too
    assert costs.loc["blue/green", "exposed_requests"] == len(X) - 200
    assert costs.loc["canary", "rollback"] == "not rolled back"


def test_pattern_costs_check_lengths(bad_release):
    canary, shadow, bluegreen, X, y = bad_release
    with pytest.raises(ValueError, match="pattern_costs"):
        dep.pattern_costs(canary, shadow, bluegreen, X=X, y_true=y[:-1], groups=np.arange(1200))


def _table(rows):
    """Per-seed costs from {(seed, pattern): (caught, exposed, excess, detect)}."""
    out = {
        key: {
            "caught": c,
            "requests_to_detection": d if c else np.nan,
            "exposed_requests": e,
            "wrong_answers": max(x, 0),
            "excess_wrong": x,
            "exposed_share": e / d if c and d else 0.0,
            "rollback": "",
        }
        for key, (c, e, x, d) in rows.items()
    }
    return pd.DataFrame.from_dict(out, orient="index").rename_axis(["random_state", "pattern"])


def _seeds(canary, bluegreen, shadow):
    rows = {}
    for seed, (c, b, s) in enumerate(zip(canary, bluegreen, shadow, strict=True)):
        rows |= {(seed, "canary"): c, (seed, "blue/green"): b, (seed, "shadow"): s}
    return _table(rows)


CANARY_FAST = [(True, 100, 10, 1000), (True, 110, 12, 1000), (True, 90, 8, 1000)]
BLUEGREEN = [(True, 300, 30, 300), (True, 300, 35, 300), (True, 300, 28, 300)]
SHADOW_MISSES = [(True, 0, 0, 40), (False, 0, 0, 0), (False, 0, 0, 0)]


def test_compare_patterns_summarises_caught_seeds_and_pairs_canary_with_bluegreen():
    m = dep.compare_patterns(_seeds(CANARY_FAST, BLUEGREEN, SHADOW_MISSES))
    assert m["n_seeds"] == 3 and m["both_caught"] == 3
    assert (m["canary_caught"], m["bluegreen_caught"], m["shadow_caught"]) == (3, 3, 1)
    assert m["canary_exposed_mean"] == pytest.approx(100.0)
    assert m["canary_exposed_low"] < 100 < m["canary_exposed_high"]
    assert m["shadow_detect_mean"] == m["shadow_detect_low"] == 40.0  # one seed: its value
    assert m["shadow_exposed_max"] == 0
    assert m["diff_exposed_mean"] == pytest.approx(-200.0) and m["diff_exposed_high"] < 0
    assert (m["canary_fewer_exposed"], m["bluegreen_fewer_exposed"]) == (3, 0)
    assert (m["canary_fewer_detect"], m["bluegreen_fewer_detect"]) == (0, 3)
    assert m["canary_exposed_share_mean"] == pytest.approx(0.1)


def test_compare_patterns_leaves_missed_seeds_out_and_says_when_none_caught_it():
    canary = [(True, 100, 10, 1000), (False, 4000, 300, 0), (True, 500, 40, 3000)]
    never = [(False, 0, 0, 0)] * 3
    m = dep.compare_patterns(_seeds(canary, BLUEGREEN, never))
    assert m["canary_caught"] == 2 and m["both_caught"] == 2
    assert m["canary_exposed_mean"] == pytest.approx(300.0)  # the missed seed is left out
    assert m["canary_exposed_max"] == 4000
    assert m["shadow_detect_mean"] == m["shadow_detect_low"] == -1.0
    one = dep.compare_patterns(_seeds(canary[:2], BLUEGREEN[:2], never[:2]))
    assert one["both_caught"] == 1
    assert one["diff_exposed_low"] == one["diff_exposed_high"] == 0.0  # no evidence either way
    with pytest.raises(ValueError, match="at least 2 seeds"):
        dep.compare_patterns(_seeds(canary[:1], BLUEGREEN[:1], never[:1]))


@pytest.mark.parametrize(
    ("canary", "exposure", "cost", "detection"),
    [
        (
            CANARY_FAST,
            "the canary gave fewer answers to users",
            "the canary gave fewer wrong",
            "blue/green flagged it after fewer requests on every one of the 3 seeds",
        ),
        (
            [(True, 900, 90, 3000), (True, 1000, 80, 3500), (True, 950, 100, 3200)],
            "blue/green gave fewer answers to users",
            "blue/green gave fewer wrong answers",
            "blue/green flagged it after fewer requests on every one",
        ),
        (
            [(True, 100, 10, 1000), (True, 900, 60, 200), (True, 250, 40, 1000)],
            "no clear difference in answers to users",
            "no clear difference in wrong answers",
            "neither flagged it sooner on every one of the 3 seeds",
        ),
    ],
)
def test_describe_patterns_words_each_comparison_as_the_numbers_say(
    canary, exposure, cost, detection
):
    m = dep.compare_patterns(_seeds(canary, BLUEGREEN, SHADOW_MISSES))
    text = dep.describe_patterns(m, requests_per_s=20.0)
    assert exposure in text and cost in text and detection in text
    assert "shadow mode at most 0 (by" in text
    assert "caught it on more seeds than shadow mode's overall test" in text


def test_describe_patterns_says_when_shadow_caught_it_as_often():
    m = dep.compare_patterns(_seeds(CANARY_FAST, BLUEGREEN, [(True, 0, 0, 40)] * 3))
    text = dep.describe_patterns(m, requests_per_s=20.0)
    assert "shadow mode's overall test caught it on as many seeds" in text
    assert "shadow mode 40;" in " ".join(text.split())  # one seed's value, no interval
    with pytest.raises(ValueError, match="requests_per_s"):
        dep.describe_patterns(m, requests_per_s=0.0)


def test_describe_patterns_says_the_canary_was_sooner_when_it_was():
    canary = [(True, 30, 3, 100), (True, 30, 3, 120), (True, 30, 3, 110)]
    m = dep.compare_patterns(_seeds(canary, BLUEGREEN, SHADOW_MISSES))
    text = dep.describe_patterns(m, requests_per_s=20.0)
    assert "the canary flagged it after fewer requests on every one" in text
    assert "smaller share did not come with a longer wait" in text


def test_pattern_decision_table_picks_from_conditions_and_numbers():
    m = dep.compare_patterns(_seeds(CANARY_FAST, BLUEGREEN, SHADOW_MISSES))
    table = dep.pattern_decision_table(m)
    assert table["baseline available"].tolist() == ["no", "no", "yes", "yes"]
    assert table["people decide today"].tolist() == ["no", "yes", "no", "yes"]
    assert table["pick: fewest exposed"].tolist() == [
        "canary",
        "shadow, then canary",
        "canary",
        "shadow, then canary",
    ]
    assert table["pick: soonest verdict"].tolist() == [
        "canary",
        "shadow, then canary",
        "blue/green",
        "shadow, then blue/green",
    ]
    assert "1 of 3 seeds" in table.iloc[1]["because"]
    # each reason cites only what exists in its situation; the canary's numbers came from a
    # replay with a stable model serving the rest, which the rows without a baseline say
    replay = "in the replay, with a stable model serving the rest, they caught it on 3 of 3 seeds"
    new_system, people, upgrade, both = table["because"]
    assert replay in new_system and "10% of the traffic until the rollback" in new_system
    assert "only its health gates (errors, latency) and labels can stop" in new_system
    assert replay in people and "that pattern is a canary, people deciding the cases it" in people
    assert "the canary's per-condition gates caught it" not in people
    assert "with the serving model caught it on 3 of 3 seeds (canary), 3 (blue/green)" in both
    assert "stable model" not in upgrade and "stable model" not in both
    assert (
        "shadow" not in table.iloc[2]["possible"] and "blue/green" not in table.iloc[0]["possible"]
    )


def test_pattern_decision_table_changes_with_the_numbers():
    # shadow catches it on every seed: no live pattern is needed after it
    m = dep.compare_patterns(_seeds(CANARY_FAST, BLUEGREEN, [(True, 0, 0, 40)] * 3))
    row = dep.pattern_decision_table(m).iloc[1]
    assert row["pick: fewest exposed"] == "shadow"
    assert row["because"].endswith(
        "caught the bad candidate on 3 of 3 seeds, after 40 requests on average"
    )
    # canary and blue/green indistinguishable on both criteria
    mixed = [(True, 100, 10, 1000), (True, 900, 60, 200), (True, 250, 40, 1000)]
    mixed_bg = [(True, 300, 30, 300), (True, 300, 35, 300), (True, 300, 28, 800)]
    m = dep.compare_patterns(_seeds(mixed, mixed_bg, SHADOW_MISSES))
    row = dep.pattern_decision_table(m).iloc[2]
    assert row["pick: fewest exposed"] == row["pick: soonest verdict"] == "canary or blue/green"
    # blue/green better on both: it wins whichever comes first
    slow = [(True, 900, 90, 3000), (True, 1000, 80, 3500), (True, 950, 100, 3200)]
    m = dep.compare_patterns(_seeds(slow, BLUEGREEN, SHADOW_MISSES))
    row = dep.pattern_decision_table(m).iloc[2]
    assert row["pick: fewest exposed"] == row["pick: soonest verdict"] == "blue/green"


def test_plot_patterns_draws_three_panels():
    fig = dep.plot_patterns(_seeds(CANARY_FAST, BLUEGREEN, SHADOW_MISSES), title="t")
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(dep.PATTERNS)


def _speech_like(n_speakers=8, per_speaker=40, seed=0):
    """Ten separable classes, speakers and a low_bandwidth condition that shifts features."""
    rng = np.random.default_rng(seed)
    n = n_speakers * per_speaker
    y = np.arange(n) % 10
    condition = np.where(rng.random(n) < 0.3, "low_bandwidth", "clean")
    X = rng.normal(size=(n, 6)) * 0.3
    X[:, 0] += y
    X[condition == "low_bandwidth", 1:] += 3.0  # a channel the bad candidate never saw
    speaker = np.repeat(np.arange(n_speakers), per_speaker)
    return X, y, speaker, condition


def test_repeat_patterns_runs_every_pattern_per_seed_and_is_reproducible():
    X, y, speaker, condition = _speech_like()
    canary = {"schedule": [0.25, 1.0], "interval_requests": 200, "min_gate_requests": 10}
    settings = dict(
        canary=canary,
        shadow={"min_agreement": 0.65, "indifference": 0.1},
        bluegreen={
            "switch_at": 200,
            "n_requests": 800,
            "interval_requests": 100,
            "keep_warm_requests": 400,
            "preview_tolerance": 0.1,
        },
        random_states=(0, 1),
    )
    first = dep.repeat_patterns(X, y, groups=speaker, condition=condition, **settings)
    assert first.index.names == ["random_state", "pattern"]
    assert first.index.tolist() == [(s, p) for s in (0, 1) for p in dep.PATTERNS]
    assert (first.xs("shadow", level="pattern")["exposed_requests"] == 0).all()
    again = dep.repeat_patterns(X, y, groups=speaker, condition=condition, **settings)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        dep.repeat_patterns(
            X, y, groups=speaker, condition=condition, **settings | {"random_states": (0,)}
        )
    with pytest.raises(ValueError, match="repeat_patterns"):
        dep.repeat_patterns(X, y[:-1], groups=speaker, condition=condition, **settings)
