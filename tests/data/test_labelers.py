"""Simulated labelers, the convention and consensus (mlkit.data._labelers)."""

import numpy as np
import pytest

from mlkit import data
from mlkit.data import UNINTELLIGIBLE
from tests.data._util import digits, tags_of


def test_simulate_labelers_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"'n_labelers' parameter of simulate_labelers"):
        data.simulate_labelers([1, 2], n_labelers=1)
    with pytest.raises(ValueError, match=r"'error_rate' parameter of simulate_labelers"):
        data.simulate_labelers([1, 2], error_rate=1.5)
    with pytest.raises(ValueError, match=r"integer digits 0-9"):
        data.simulate_labelers([1, 12])
    with pytest.raises(ValueError, match=r"tags among .*'clean'.*Got \['studio'\]"):
        data.simulate_labelers([1, 2], tags=["clean", "studio"])


def test_simulate_labelers_shape_values_and_determinism():
    y, tags = digits(400), tags_of(400)
    a = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=3)
    b = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=3)
    c = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=4)
    assert a.shape == (5, 400) and a.dtype == np.int64
    assert set(np.unique(a)) <= set(range(10)) | {UNINTELLIGIBLE}
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(y, digits(400))  # input untouched


def test_simulate_labelers_behaviour():
    n = 4000
    y, tags = digits(n, 1), tags_of(n, 1)
    amb = data.ambiguous_mask(n, tags=tags, random_state=0)
    lab = data.simulate_labelers(y, tags=tags, n_labelers=5, error_rate=0.05, random_state=0)
    clear = ~amb
    # unintelligible only on ambiguous clips; L0 never, L1 always says it there
    assert not (lab[:, clear] == UNINTELLIGIBLE).any()
    assert not (lab[0, amb] == UNINTELLIGIBLE).any()
    assert (lab[1, amb] == UNINTELLIGIBLE).all()
    # more errors under noise, and the careless labeler is the worst
    err = lab != y
    assert (
        err[:4, clear & (tags == "people_noise")].mean()
        > 2 * err[:4, clear & (tags == "clean")].mean()
    )
    acc = (~err[:, clear]).mean(axis=1)
    assert acc.argmin() == 4 and acc[4] < acc[:4].min() - 0.05
    # most errors on clear clips go to a confusable partner
    partners = {(a, b) for a, b in data.CONFUSABLE_PAIRS} | {
        (b, a) for a, b in data.CONFUSABLE_PAIRS
    }
    wrong = np.argwhere(err[:4] & clear)
    share = np.mean([(y[j], lab[i, j]) in partners for i, j in wrong])
    assert share > 0.5
    # noisy tags hold more ambiguous clips
    assert amb[tags == "people_noise"].mean() > amb[tags == "clean"].mean()


def test_ambiguous_mask_counts_and_reuse_by_simulate():
    tags = np.array(["clean"] * 100 + ["people_noise"] * 100)
    amb = data.ambiguous_mask(200, tags=tags, random_state=7)
    assert amb[:100].sum() == 2 and amb[100:].sum() == 20
    lab = data.simulate_labelers(np.zeros(200, dtype=int), tags=tags, random_state=7)
    assert np.array_equal(lab[1] == UNINTELLIGIBLE, amb)
    assert data.ambiguous_mask(50, random_state=0).sum() == 5  # untagged share 0.10


def test_two_labelers_have_no_careless_one():
    lab = data.simulate_labelers(digits(300), n_labelers=2, error_rate=0.0, random_state=0)
    amb = data.ambiguous_mask(300, random_state=0)
    assert np.array_equal(lab[0, ~amb], digits(300)[~amb])
    assert data.labeler_names(2) == ["L0 guesser", "L1 marks-unintelligible"]


def test_apply_convention_raises_agreement_and_hlp():
    n = 1000
    y, tags = digits(n, 2), tags_of(n, 2)
    amb = data.ambiguous_mask(n, tags=tags, random_state=0)
    lab = data.simulate_labelers(y, tags=tags, random_state=0)
    conv = data.apply_convention(lab)
    truth = data.apply_convention(y, ambiguous=amb)
    assert np.array_equal((conv == UNINTELLIGIBLE).all(axis=0), amb)
    assert data.fleiss_kappa(conv) > data.fleiss_kappa(lab) + 0.02
    before = data.hlp_by_tag(lab, tags=tags, y_true=truth).loc["overall"]
    after = data.hlp_by_tag(conv, tags=tags, y_true=truth).loc["overall"]
    assert after.hlp_agreement > before.hlp_agreement
    assert after.hlp_accuracy > before.hlp_accuracy
    assert np.array_equal(lab, data.simulate_labelers(y, tags=tags, random_state=0))  # unchanged


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
