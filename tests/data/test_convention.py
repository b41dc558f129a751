"""Auditing the labeling convention (mlkit.data._convention)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from tests.data._util import digits

U = data.UNINTELLIGIBLE


def _team(n=600, adherence=0.9, seed=0):
    tags = np.array(["people_noise"] * n)
    snr = np.random.default_rng(seed).uniform(-10, -6, size=n)  # hard clips for people
    y = digits(n, seed)
    kw = dict(tags=tags, snr_db=snr, n_labelers=5, random_state=seed)
    before = data.simulate_labelers(y, **kw)
    after = data.simulate_labelers(y, **kw, convention=True, adherence=adherence)
    return before, after, data.ambiguous_mask(snr, tags=tags)


def test_agreement_per_clip_mean_is_hlp_agreement():
    labels = np.array([[1, 2, 3], [1, 3, 3], [2, 2, 3]])
    per_clip = data.agreement_per_clip(labels)
    assert per_clip.round(3).tolist() == [0.333, 0.333, 1.0]
    hlp = data.hlp_by_tag(labels)
    assert per_clip.mean() == pytest.approx(hlp.loc["overall", "hlp_agreement"])


def test_convention_raises_agreement_but_not_to_one():
    before, after, amb = _team()
    gain = data.convention_gain(before, after, ambiguous=amb, random_state=0)
    assert gain["agreement_after"] > gain["agreement_before"]
    assert gain["agreement_after"] < 1.0  # followed imperfectly, not 100 % by construction
    assert gain["ci_low"] <= gain["gain"] <= gain["ci_high"]
    assert gain["ci_low"] > 0  # 600 hard clips: the rise is larger than the clips' noise


def test_audit_adherence_rises_with_adherence_and_stays_below_it():
    before, after, amb = _team(adherence=0.9)
    _, after_low, _ = _team(adherence=0.2)
    audit = data.convention_audit(before, after, ambiguous=amb)
    low = data.convention_audit(before, after_low, ambiguous=amb)
    assert audit.loc["team", "after"] > low.loc["team", "after"] > audit.loc["team", "before"]
    assert audit.loc["team", "after"] < 0.9  # sure labelers write the digit
    assert audit.loc["L1", "before"] == audit.loc["L1", "after"]  # L1 already marks unsure clips


def test_gain_interval_can_exclude_a_rise():
    # the check can fail: with the convention making things worse the interval is below 0
    before = np.array([[U, U, U, U], [U, U, U, U]])
    after = np.array([[1, 2, 3, U], [4, 5, 6, U]])
    gain = data.convention_gain(before, after, ambiguous=[True] * 4, random_state=0)
    assert gain["gain"] == pytest.approx(-0.75)
    assert gain["ci_high"] < 0
    text = data.describe_convention(
        gain, data.convention_audit(before, after, ambiguous=[True] * 4), adherence=0.9
    )
    assert "**fall**" in text


def test_describe_convention_no_change():
    before = np.array([[1, U], [1, 2]])
    gain = data.convention_gain(before, before, ambiguous=[True, True])
    assert (gain["gain"], gain["ci_low"], gain["ci_high"]) == (0.0, 0.0, 0.0)
    text = data.describe_convention(
        gain, data.convention_audit(before, before, ambiguous=[True, True]), adherence=0.5
    )
    assert "no change" in text and "below 100 %" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(ambiguous=[True]), "one 'ambiguous' flag per clip"),
        (dict(ambiguous=[False, False]), "flags no clip"),
    ],
)
def test_convention_gain_bad_mask(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.convention_gain([[1, 2], [1, 2]], [[1, 2], [1, 2]], **kwargs)


def test_convention_audit_shape_mismatch():
    with pytest.raises(ValueError, match="same team before and after"):
        data.convention_audit([[1, 2], [1, 2]], [[1, 2], [1, 2], [1, 2]], ambiguous=[True, True])


def test_convention_gain_by_team_seeded_and_checkable():
    n = 200
    tags = np.array(["people_noise"] * n)
    snr = np.random.default_rng(1).uniform(-10, -8, size=n)
    y = digits(n, 1)
    amb = data.ambiguous_mask(snr, tags=tags)
    kw = dict(ambiguous=amb, tags=tags, snr_db=snr, n_teams=4, random_state=2)
    gains = data.convention_gain_by_team(y, **kw)
    assert np.array_equal(gains, data.convention_gain_by_team(y, **kw))
    assert data.seed_interval(gains)["ci_low"] > 0  # many hard clips: the rise survives teams
    # the check can fail: without adherence nobody follows the rule and nothing rises
    none = data.convention_gain_by_team(y, **kw, adherence=0.0)
    assert np.allclose(none, 0.0)
    with pytest.raises(ValueError, match="'n_teams'"):
        data.convention_gain_by_team(y, **{**kw, "n_teams": 1})


@pytest.mark.parametrize(
    ("mean", "low", "says"),
    [
        (0.02, 0.01, "a rise that survives the team"),
        (0.02, -0.01, "on average a rise, but smaller"),
        (-0.01, -0.03, "no rise on average"),
    ],
)
def test_describe_convention_over_teams(mean, low, says):
    audit = pd.DataFrame({"before": [0.1], "after": [0.2]}, index=["team"])
    gain = {
        "n_ambiguous": 9,
        "agreement_before": 0.6,
        "agreement_after": 0.61,
        "gain": 0.01,
        "ci_low": -0.02,
        "ci_high": 0.04,
    }
    teams = {"mean": mean, "ci_low": low, "ci_high": 0.05, "n_positive": 3, "n_seeds": 5}
    text = data.describe_convention(gain, audit, adherence=0.9, over_teams=teams)
    assert says in text and "3 of 5 teams" in text


def test_describe_convention_cannot_tell_from_zero():
    before = np.array([[1, 1, 1, 1], [2, 1, 2, 2], [3, 1, 3, 3]])
    after = np.array([[U, U, U, U], [U, 1, U, U], [3, 1, U, 3]])  # +1/3, -2/3, +1, +1/3
    gain = data.convention_gain(before, after, ambiguous=[True] * 4, random_state=0)
    assert gain["ci_low"] < 0 < gain["ci_high"]
    audit = data.convention_audit(before, after, ambiguous=[True] * 4)
    assert "cannot tell from zero" in data.describe_convention(gain, audit, adherence=0.9)
