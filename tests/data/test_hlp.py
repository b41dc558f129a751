"""Human-level performance per tag, the shared estimate, beating HLP (mlkit.data._hlp)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from tests.data._util import digits, snrs_of, tags_of


def test_hlp_by_tag_layout_and_values():
    lab = [[1, 2, 3, 4, 5], [1, 2, 3, 0, 5], [1, 2, 0, 0, 5]]
    tags = ["low_bandwidth", "clean", "clean", "car_noise", "studio"]
    table = data.hlp_by_tag(lab, tags=tags, y_true=[1, 2, 3, 4, 5])
    assert list(table.index) == ["clean", "car_noise", "low_bandwidth", "studio", "overall"]
    assert list(table.columns) == ["hlp_agreement", "hlp_accuracy", "fleiss_kappa", "n_samples"]
    assert table.loc["clean", "hlp_agreement"] == pytest.approx((1 + 1 / 3) / 2)
    assert table.loc["car_noise", "hlp_accuracy"] == pytest.approx(1 / 3)
    assert table.loc["overall", "n_samples"] == 5
    assert np.isnan(data.hlp_by_tag(lab).loc["overall", "hlp_accuracy"])


def test_hlp_lower_under_noise_in_simulation():
    n = 3000
    y, tags = digits(n, 5), tags_of(n, 5)
    table = data.hlp_by_tag(
        data.simulate_labelers(y, tags=tags, snr_db=snrs_of(tags, 9), random_state=1),
        tags=tags,
        y_true=y,
    )
    assert table.loc["people_noise", "hlp_agreement"] < table.loc["clean", "hlp_agreement"] - 0.03
    assert table.loc["car_noise", "hlp_accuracy"] > table.loc["people_noise", "hlp_accuracy"]


def _babble(n, seed):
    """Clips in loud babble (-12..0 dB SNR): many of them ambiguous for people."""
    tags = np.array(["people_noise"] * n)
    return tags, np.random.default_rng(seed).uniform(-12.0, 0.0, size=n)


def test_beating_hlp_is_an_artefact_of_inconsistent_labels():
    n = 3000
    y = digits(n, 6)
    tags, snr = _babble(n, 6)
    amb = data.ambiguous_mask(snr, tags=tags)
    lab = data.simulate_labelers(y, tags=tags, snr_db=snr, random_state=0)
    truth = data.apply_convention(y, ambiguous=amb)
    clarity = np.where(amb, "ambiguous", "clear")
    hlp_clear = data.hlp_by_tag(lab, tags=clarity, y_true=truth).loc["clear", "hlp_accuracy"]
    y_model = data.simulate_consistent_model(y, lab, ambiguous=amb, error_rate=1 - hlp_clear)
    table = data.compare_to_hlp(y_model, lab, tags=clarity, y_true=truth)
    assert table.loc["overall", "model_beats_hlp"]
    lead = table["model_agreement"] - table["hlp_agreement"]
    assert lead["ambiguous"] > 0.15
    assert table.loc["clear", "model_accuracy"] == pytest.approx(hlp_clear, abs=0.02)
    conv = data.apply_convention(lab)
    y_model = data.simulate_consistent_model(y, conv, ambiguous=amb, error_rate=1 - hlp_clear)
    after = data.compare_to_hlp(y_model, conv, tags=clarity)
    lead_after = after["model_agreement"] - after["hlp_agreement"]
    assert lead_after["ambiguous"] < lead["ambiguous"] - 0.1
    assert lead_after["overall"] < lead["overall"] - 0.015


def test_plot_hlp_by_tag_and_comparison():
    lab = data.simulate_labelers(
        digits(200), tags=tags_of(200), snr_db=snrs_of(tags_of(200), 9), random_state=0
    )
    table = data.hlp_by_tag(lab, tags=tags_of(200), y_true=digits(200))
    after = data.hlp_by_tag(data.apply_convention(lab), tags=tags_of(200), y_true=digits(200))
    ax = data.plot_hlp_by_tag(table, after)
    assert len(ax.patches) == 2 * len(table)
    axes = data.plot_hlp_comparison(table, after)
    assert [a.get_ylabel() for a in axes] == ["hlp agreement", "hlp accuracy"]
    assert axes[1].get_title() == "accuracy against truth (what it cannot)"


def _team(n=1500, seed=3):
    y = digits(n, seed)
    tags, snr = _babble(n, seed)
    amb = data.ambiguous_mask(snr, tags=tags)
    lab = data.simulate_labelers(y, tags=tags, snr_db=snr, random_state=0)
    return y, tags, amb, lab, data.apply_convention(y, ambiguous=amb)


def test_consistent_model_vs_hlp_matches_the_steps_it_wraps():
    y, _, amb, lab, truth = _team()
    clarity = np.where(amb, "ambiguous", "clear")
    err = data.clear_clip_error(lab, ambiguous=amb, y_true=truth)
    assert err == pytest.approx(
        1 - data.hlp_by_tag(lab, tags=clarity, y_true=truth).loc["clear", "hlp_accuracy"]
    )
    table = data.consistent_model_vs_hlp(
        y, lab, ambiguous=amb, y_convention=truth, error_rate=err, random_state=4
    )
    y_model = data.simulate_consistent_model(y, lab, ambiguous=amb, error_rate=err, random_state=4)
    expected = data.compare_to_hlp(y_model, lab, tags=clarity, y_true=truth)
    pd.testing.assert_frame_equal(table, expected)
    lead = data.hlp_lead(table)
    assert lead == pytest.approx(
        table.loc["overall", "model_agreement"] - table.loc["overall", "hlp_agreement"]
    )
    assert data.hlp_lead(table, row="ambiguous") > 0.15
    with pytest.raises(KeyError):
        data.hlp_lead(table, row="studio")


def test_describe_hlp_artefact_states_the_leads():
    y, _, amb, lab, truth = _team()
    kw = {"ambiguous": amb, "y_convention": truth, "error_rate": 0.1}
    vs = data.consistent_model_vs_hlp(y, lab, **kw)
    vs_conv = data.consistent_model_vs_hlp(y, data.apply_convention(lab), **kw)
    text = data.describe_hlp_artefact(vs, vs_conv)
    assert f"**{data.hlp_lead(vs):+.1%}** against HLP (it beats HLP)" in text
    assert f"On the {int(amb.sum())} ambiguous clips alone" in text
    assert f"overall it is **{data.hlp_lead(vs_conv):+.1%}**" in text
    amb_conv = data.hlp_lead(vs_conv, row="ambiguous")
    assert ("lead there is gone" in text) == (amb_conv <= 0)
    assert ("the artefact remains" in text) == (amb_conv > 0)


def test_describe_hlp_artefact_says_when_the_convention_changed_nothing():
    y, _, amb, lab, truth = _team()
    kw = {"ambiguous": amb, "y_convention": truth, "error_rate": 0.1}
    vs = data.consistent_model_vs_hlp(y, lab, **kw)
    text = data.describe_hlp_artefact(vs, vs)  # the notebook's case: same labels after
    amb_lead = data.hlp_lead(vs, row="ambiguous")
    assert amb_lead > 0
    assert f"lead there is unchanged at **{amb_lead:+.1%}**" in text
    assert f"overall it did not move (**{data.hlp_lead(vs):+.1%}**)" in text
    assert "the artefact remains" in text and "is gone" not in text


def test_hlp_views_and_shared_hlp_text():
    y, tags, _, lab, truth = _team()
    before = data.hlp_by_tag(lab, tags=tags, y_true=truth)
    after = data.hlp_by_tag(data.apply_convention(lab), tags=tags, y_true=truth)
    shared = data.estimate_hlp(y, tags=tags, snr_db=_babble(len(y), 3)[1])
    views = data.hlp_views_table(before, after, shared)
    assert views.shape == (len(before), 3)
    assert views.iloc[:, 2].equals(shared["hlp_accuracy"])
    text = data.describe_shared_hlp(shared, after)
    shift = shared.loc["overall", "hlp_accuracy"] - after.loc["overall", "hlp_accuracy"]
    assert f"{100 * shift:+.1f} points" in text
    assert text.endswith("count as errors against the spoken digit.") == (shift < 0)
    assert data.describe_shared_hlp(after, after).endswith(
        "+0.0 points against the labels-quality number after the convention."
    )


def test_labeling_team_view_convention_raises_kappa():
    y, tags, _, _, truth = _team()
    kw = {"tags": tags, "snr_db": _babble(len(y), 3)[1], "y_convention": truth, "random_state": 0}
    text, styled = data.labeling_team_view(y, **kw, convention=False)
    text_conv, _ = data.labeling_team_view(y, **kw, convention=True)
    kappa = data.fleiss_kappa(
        data.simulate_labelers(y, tags=tags, snr_db=_babble(len(y), 3)[1], random_state=0)
    )
    assert text.startswith(f"Fleiss' kappa **{kappa:.3f}**")
    assert float(text_conv.split("**")[1]) > kappa
    assert list(styled.data.index)[-1] == "overall"


def test_describe_hlp_artefact_when_the_model_never_led_on_ambiguous_clips():
    import pandas as pd

    cols = ["hlp_agreement", "model_agreement", "hlp_accuracy", "model_accuracy", "n_samples"]
    rows = {"ambiguous": [0.8, 0.7, 0.1, 0.0, 4], "clear": [0.9, 0.9, 0.95, 0.95, 96]}
    rows["overall"] = [0.9, 0.89, 0.9, 0.9, 100]
    vs = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    vs["model_beats_hlp"] = vs.model_agreement > vs.hlp_agreement
    text = data.describe_hlp_artefact(vs, vs)
    assert "(it does not beat HLP)" in text
    assert "no lead on the ambiguous clips to begin with" in text
    assert "removed the artefact" not in text and "remains" not in text
