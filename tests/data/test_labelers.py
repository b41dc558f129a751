"""Simulated labelers, the convention and consensus (mlkit.data._labelers)."""

import numpy as np
import pytest

from mlkit import data
from mlkit.data import UNINTELLIGIBLE
from tests.data._util import digits, snrs_of, tags_of


@pytest.mark.parametrize(
    ("y", "kwargs", "match"),
    [
        ([1, 2], {"n_labelers": 1}, r"'n_labelers' parameter of simulate_labelers"),
        ([1, 2], {"error_rate": 1.5}, r"'error_rate' parameter of simulate_labelers"),
        ([1, 12], {}, r"integer digits 0-9"),
        (
            [1, 2],
            {"tags": ["clean", "studio"], "snr_db": [1.0, 1.0]},
            r"tags among .*'clean'.*Got \['studio'\]",
        ),
        ([1, 2], {"adherence": 2.0}, r"'adherence' parameter of simulate_labelers"),
    ],
)
def test_simulate_labelers_refuses_bad_arguments(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.simulate_labelers(y, **kwargs)


def test_simulate_labelers_shape_values_and_determinism():
    y, tags = digits(400), tags_of(400)
    snr = snrs_of(tags)
    a = data.simulate_labelers(y, tags=tags, snr_db=snr, n_labelers=5, random_state=3)
    b = data.simulate_labelers(y, tags=tags, snr_db=snr, n_labelers=5, random_state=3)
    c = data.simulate_labelers(y, tags=tags, snr_db=snr, n_labelers=5, random_state=4)
    assert a.shape == (5, 400) and a.dtype == np.int64
    assert set(np.unique(a)) <= set(range(10)) | {UNINTELLIGIBLE}
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(y, digits(400))  # input untouched


def test_noisy_clips_need_their_snr():
    with pytest.raises(ValueError, match=r"noisy but have no finite 'snr_db'"):
        data.simulate_labelers([1, 2], tags=["clean", "people_noise"])
    with pytest.raises(ValueError, match=r"got 'snr_db' without 'tags'"):
        data.simulate_labelers([1, 2], snr_db=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"Got snr_db=1, n_samples=2"):
        data.simulate_labelers([1, 2], tags=["clean", "clean"], snr_db=[1.0])


def test_simulate_labelers_behaviour():
    n = 6000
    y, tags = digits(n, 1), tags_of(n, 1)
    snr = snrs_of(tags, 1)
    lab = data.simulate_labelers(y, tags=tags, snr_db=snr, error_rate=0.05, random_state=0)
    amb = data.ambiguous_mask(snr, tags=tags)
    # L0 guesses, never UNINTELLIGIBLE; L1 marks every clip it is unsure of
    assert not (lab[0] == UNINTELLIGIBLE).any()
    marked = (lab[1, amb] == UNINTELLIGIBLE).mean()
    unsure = (
        1
        - data.sure_probability(
            data.human_recognition_probability(data.effective_snr_db(snr[amb], tags[amb]))
        ).mean()
    )
    assert abs(marked - unsure) < 0.05  # L1 marks exactly the clips it is unsure of
    # clean clips are never unsure: no UNINTELLIGIBLE, only slips
    clean = tags == "clean"
    assert not (lab[:, clean] == UNINTELLIGIBLE).any()
    # people fail more on low-SNR babble than on clean clips, and car noise masks less
    err = lab[:4] != y
    low_babble = (tags == "people_noise") & (snr < -5)
    low_car = (tags == "car_noise") & (snr < -5)
    assert err[:, low_babble].mean() > 3 * err[:, clean].mean()
    assert err[:, low_car].mean() < err[:, low_babble].mean()
    # the careless labeler is the worst on clips everyone hears clearly
    acc = (lab[:, clean] == y[clean]).mean(axis=1)
    assert acc.argmin() == 4 and acc[4] < acc[:4].min() - 0.05
    # most slips go to a confusable partner (digits with one: 70 % of their slips)
    partners = {(a, b) for a, b in data.CONFUSABLE_PAIRS} | {
        (b, a) for a, b in data.CONFUSABLE_PAIRS
    }
    sloppy = data.simulate_labelers(y, error_rate=0.3, careless=False, random_state=0)
    wrong = np.argwhere((sloppy != y) & np.isin(y, [1, 5, 9])[None, :])
    share = np.mean([(y[j], sloppy[i, j]) in partners for i, j in wrong])
    assert 0.6 < share < 0.8, share


def test_forced_choice_matches_the_psychometric_function():
    """Forced-choice accuracy at a fixed SNR is the published function, up to lapses."""
    n = 20000
    y = digits(n, 3)
    for snr, expected in [(-10.0, 0.652), (-5.0, 0.935), (10.0, 1.0)]:
        lab = data.simulate_labelers(
            y,
            tags=["people_noise"] * n,
            snr_db=[snr] * n,
            error_rate=0.0,
            careless=False,
            forced_choice=True,
            random_state=0,
        )
        p_eff = data.human_recognition_probability(snr - 0.1)  # babble's speech-band offset
        assert abs(float((lab == y).mean()) - p_eff) < 0.01
        assert abs(p_eff - expected) < 0.01


def test_ambiguity_comes_from_the_clip_snr():
    snr = np.array([-10.0, -7.0, -5.0, 0.0, -10.0, np.nan])
    tags = ["people_noise"] * 4 + ["car_noise", "clean"]
    assert data.ambiguous_mask(snr, tags=tags).tolist() == [True, True, False, False, False, False]
    with pytest.raises(ValueError, match=r"'threshold' parameter of ambiguous_mask"):
        data.ambiguous_mask(snr, tags=tags, threshold=0.0)


def test_two_labelers_have_no_careless_one():
    lab = data.simulate_labelers(digits(300), n_labelers=2, error_rate=0.0, random_state=0)
    assert np.array_equal(lab[0], digits(300))  # clean, no lapses: every label right
    assert data.labeler_names(2) == ["L0 guesser", "L1 marks-unintelligible"]


def test_convention_raises_agreement_but_not_to_certainty():
    n = 3000
    y, tags = digits(n, 2), tags_of(n, 2)
    snr = snrs_of(tags, 2)
    team = dict(tags=tags, snr_db=snr, random_state=0)
    lab = data.simulate_labelers(y, **team)
    conv = data.simulate_labelers(y, convention=True, adherence=0.9, **team)
    amb = data.ambiguous_mask(snr, tags=tags)
    truth = data.apply_convention(y, ambiguous=amb)
    assert data.fleiss_kappa(conv[:, amb]) > data.fleiss_kappa(lab[:, amb]) + 0.01
    before = data.hlp_by_tag(lab, tags=tags, y_true=truth).loc["overall"]
    after = data.hlp_by_tag(conv, tags=tags, y_true=truth).loc["overall"]
    assert after.hlp_agreement > before.hlp_agreement
    # agreement on ambiguous clips rises but stays below 1: labelers are unsure on different
    # clips and follow the rule 90 % of the time
    agree = data.agreement_matrix(conv[:, amb]).to_numpy()
    assert 0.3 < agree[np.triu_indices(agree.shape[0], 1)].mean() < 0.99
    # the convention changes only what unsure labelers write: a written digit stays the same
    both = (lab != UNINTELLIGIBLE) & (conv != UNINTELLIGIBLE)
    assert np.array_equal(lab[both], conv[both])
    # with full adherence nobody guesses: wrong digits on ambiguous clips become rare slips
    full = data.simulate_labelers(y, convention=True, adherence=1.0, **team)
    written = full[:, amb] != UNINTELLIGIBLE
    wrong_full = (full[:, amb] != y[amb])[written].mean()
    written_lab = lab[:, amb] != UNINTELLIGIBLE
    assert wrong_full < (lab[:, amb] != y[amb])[written_lab].mean()


def test_apply_convention_bad_input():
    with pytest.raises(ValueError, match="needs the 'ambiguous' mask"):
        data.apply_convention([1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        data.apply_convention([[1, 2, 3]], ambiguous=[True, False])


@pytest.mark.parametrize(
    ("labels", "tie", "expected"),
    [
        ([[5, 9, 3], [5, 5, 3], [9, 1, 3]], "unintelligible", [5, -1, 3]),
        ([[5, 9, 3], [5, 5, 3], [9, 1, 3]], "lowest", [5, 1, 3]),
        ([[1, 2], [2, 1]], "unintelligible", [-1, -1]),
        ([[1, 2], [2, 1]], "lowest", [1, 1]),
        ([[4, -1], [4, -1]], "unintelligible", [4, -1]),
    ],
)
def test_consensus_labels(labels, tie, expected):
    assert data.consensus_labels(labels, tie=tie).tolist() == expected


def test_consensus_labels_refuses_unknown_tie():
    with pytest.raises(ValueError, match="'tie' parameter of consensus_labels"):
        data.consensus_labels([[1], [1]], tie="random")
