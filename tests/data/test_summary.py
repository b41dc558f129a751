"""The data notebook's computed summary (mlkit.data._summary)."""

from mlkit import data

_DISAGREE = ([[1, 2, 3, 4], [1, 2, 3, 5]], [1, 2, 3, 4])  # HLP accuracy 75%


def _summary(*, hlp_after=None, **kwargs):
    """describe_summary on a 75%-HLP team (before and shared); `kwargs` are its other arguments."""
    t = data.hlp_by_tag(_DISAGREE[0], y_true=_DISAGREE[1])
    after = t if hlp_after is None else hlp_after
    return data.describe_summary(hlp_before=t, hlp_after=after, hlp_shared=t, **kwargs)


def test_describe_summary_reads_every_number():
    t_after = data.hlp_by_tag([[1, 2, 3, 4], [1, 2, 3, 4]], y_true=[1, 2, 3, 4])
    text = _summary(
        hlp_after=t_after,
        leak={
            "random_split_accuracy": 0.919,
            "grouped_split_accuracy": 0.831,
            "leakage_gap": 0.088,
        },
        kappa_before=0.7193,
        kappa_after=0.79,
        lead=0.0244,
        lead_conv=0.0025,
        noise_text="NOISE TEXT",
        split_deviation=0.0146,
        n_rejected=12,
        n_rows=108,
    )
    assert "Fleiss' kappa 0.719 with the team's habits,\n  0.790 after" in text
    assert "(+0.071)" in text
    assert "went from 75.0% to\n  100.0%" in text
    assert "+2.4 points on inconsistent labels and by +0.2 after" in text
    assert "- **Label noise**: NOISE TEXT\n" in text
    assert "largest class-share deviation 1.5%" in text
    assert "random folds\n  91.9% vs speaker-grouped 83.1%\n  (leakage gap +8.8%)" in text
    assert "rejected 12 of 108 rows" in text


def test_describe_summary_says_when_the_convention_did_not_move_anything():
    text = _summary(
        leak={"random_split_accuracy": 0.9, "grouped_split_accuracy": 0.8, "leakage_gap": 0.1},
        kappa_before=0.9022,
        kappa_after=0.9022,
        lead=0.0073,
        lead_conv=0.0073,
        noise_text="NOISE",
        split_deviation=0.01,
        n_rejected=1,
        n_rows=2,
    )
    assert "the documented convention did not move it" in text
    assert "(+0.000)" not in text and "went from" not in text
    assert "did not move with the convention (75.0%)" in text
    assert "+0.7 points on inconsistent labels, and the convention did not move it" in text
