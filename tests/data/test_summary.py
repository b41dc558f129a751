"""The data notebook's computed summary (mlkit.data._summary)."""

from mlkit import data


def test_describe_summary_reads_every_number():
    t_before = data.hlp_by_tag([[1, 2, 3, 4], [1, 2, 3, 5]], y_true=[1, 2, 3, 4])
    t_after = data.hlp_by_tag([[1, 2, 3, 4], [1, 2, 3, 4]], y_true=[1, 2, 3, 4])
    leak = {"random_split_accuracy": 0.919, "grouped_split_accuracy": 0.831, "leakage_gap": 0.088}
    text = data.describe_summary(
        kappa_before=0.7193,
        kappa_after=0.79,
        hlp_before=t_before,
        hlp_after=t_after,
        hlp_shared=t_before,
        lead=0.0244,
        lead_conv=0.0025,
        noise_text="NOISE TEXT",
        split_deviation=0.0146,
        leak=leak,
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
    t = data.hlp_by_tag([[1, 2, 3, 4], [1, 2, 3, 5]], y_true=[1, 2, 3, 4])
    leak = {"random_split_accuracy": 0.9, "grouped_split_accuracy": 0.8, "leakage_gap": 0.1}
    text = data.describe_summary(
        kappa_before=0.9022,
        kappa_after=0.9022,
        hlp_before=t,
        hlp_after=t,
        hlp_shared=t,
        lead=0.0073,
        lead_conv=0.0073,
        noise_text="NOISE",
        split_deviation=0.01,
        leak=leak,
        n_rejected=1,
        n_rows=2,
    )
    assert "the documented convention did not move it" in text
    assert "(+0.000)" not in text and "went from" not in text
    assert "did not move with the convention (75.0%)" in text
    assert "+0.7 points on inconsistent labels, and the convention did not move it" in text
