"""Agreement between labelers: accuracy, Cohen's and Fleiss' kappa, disagreement (mlkit.data._agreement)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlkit import data
from mlkit.data._agreement import _fleiss_from_counts
from tests.data._util import FAST, digits, label_matrices, snrs_of, tags_of

# Fleiss (1971), Table 1 as tabulated by statsmodels' tests and R irr's `diagnoses`:
# 30 patients, 6 psychiatrists, 5 diagnostic categories; kappa = 0.4302445 (R irr::kappam.fleiss).
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip

# The worked example of Wikipedia's "Fleiss' kappa" article: 10 subjects, 14 raters, 5 categories,
# given as counts n_ij; kappa = 0.210.
WIKI_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
)  # fmt: skip


def _counts_to_labels(counts):
    cols = [np.repeat(np.arange(counts.shape[1]), row) for row in counts]
    return np.stack(cols, axis=1)  # (n_raters, n_subjects)


def _permute_labels(labels, rnd, offset=0):
    """Map each label value to another one (shuffled, plus `offset`), clip by clip."""
    values = sorted(set(labels.ravel().tolist()))
    shuffled = values[:]
    rnd.shuffle(shuffled)
    mapping = dict(zip(values, [v + offset for v in shuffled], strict=True))
    return np.vectorize(mapping.get)(labels)


def test_fleiss_kappa_matches_fleiss_1971_table():
    assert data.fleiss_kappa(DIAGNOSES.T) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_matches_wikipedia_worked_example():
    assert data.fleiss_kappa(_counts_to_labels(WIKI_COUNTS)) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_perfect_and_constant():
    assert data.fleiss_kappa([[1, 2, 3], [1, 2, 3]]) == 1.0
    assert data.fleiss_kappa([[7, 7, 7], [7, 7, 7]]) == 1.0


def test_fleiss_kappa_accepts_strings():
    um = [["um", "erm", "um"], ["um", "erm", "erm"]]
    codes = [[0, 1, 0], [0, 1, 1]]
    assert data.fleiss_kappa(um) == pytest.approx(data.fleiss_kappa(codes))


@FAST
@given(label_matrices)
def test_fleiss_kappa_in_range(labels):
    k = data.fleiss_kappa(labels)
    assert -1.0 <= k <= 1.0
    assert k >= -1.0 / (labels.shape[0] - 1) - 1e-9


@FAST
@given(label_matrices, st.randoms(use_true_random=False))
def test_fleiss_kappa_invariant_to_label_permutation_and_labeler_order(labels, rnd):
    relabelled = _permute_labels(labels, rnd, offset=100)
    order = list(range(labels.shape[0]))
    rnd.shuffle(order)
    k = data.fleiss_kappa(labels)
    assert data.fleiss_kappa(relabelled) == pytest.approx(k, abs=1e-12)
    assert data.fleiss_kappa(labels[order]) == pytest.approx(k, abs=1e-12)


@FAST
@given(st.integers(2, 6), arrays(np.int64, st.integers(1, 40), elements=st.integers(0, 9)))
def test_fleiss_kappa_perfect_agreement_is_one(m, row):
    assert data.fleiss_kappa(np.tile(row, (m, 1))) == 1.0


def test_fleiss_from_counts_names_the_uneven_ratings():
    with pytest.raises(ValueError, match=r"Got between 2 and 3 ratings per subject\. Have every"):
        _fleiss_from_counts([[2, 0], [1, 2]])


@FAST
@given(label_matrices)
def test_cohen_kappa_matrix_symmetric_bounded_unit_diagonal(labels):
    k = data.cohen_kappa_matrix(labels).to_numpy()
    assert np.allclose(k, k.T)
    assert np.allclose(np.diag(k), 1.0)
    assert np.all((k >= -1 - 1e-12) & (k <= 1 + 1e-12))


@FAST
@given(label_matrices, st.randoms(use_true_random=False))
def test_cohen_kappa_invariant_to_label_permutation(labels, rnd):
    relabelled = _permute_labels(labels, rnd)
    a = data.cohen_kappa_matrix(labels).to_numpy()
    b = data.cohen_kappa_matrix(relabelled).to_numpy()
    assert np.allclose(a, b, atol=1e-12)


def test_cohen_kappa_matrix_known_value_and_names():
    from sklearn.metrics import cohen_kappa_score

    a, b = [0, 1, 2, 1, 0, 2], [0, 1, 1, 1, 0, 2]
    table = data.cohen_kappa_matrix([a, b], names=["ann", "bob"])
    assert list(table.index) == ["ann", "bob"]
    assert table.loc["ann", "bob"] == pytest.approx(cohen_kappa_score(a, b))


def test_agreement_matrix():
    table = data.agreement_matrix([[1, 2, 3, 4], [1, 2, 3, 5], [0, 0, 0, 0]])
    assert table.iloc[0, 1] == 0.75
    assert table.iloc[0, 2] == 0.0
    assert np.allclose(np.diag(table), 1.0)


def test_disagreement_and_relabel_candidates():
    lab = np.array([[1, 2, 3, 4], [1, 2, 5, 7], [1, 9, 6, -1]])
    table = data.disagreement_by_clip(lab, y_true=[1, 2, 3, 4])
    assert table["n_distinct"].tolist() == [1, 2, 3, 3]
    assert np.allclose(table["disagreement"], [0, 1 / 3, 2 / 3, 2 / 3])
    assert table["n_unintelligible"].tolist() == [0, 0, 0, 1]
    assert table["consensus_correct"].tolist() == [True, True, False, False]
    meta = pd.DataFrame({"clip_id": list("abcd"), "condition": ["clean"] * 4, "speaker": ["x"] * 4})
    top = data.relabel_candidates(lab, metadata=meta, n_candidates=2)
    assert top["clip_id"].tolist() == ["c", "d"]
    assert "speaker" not in top.columns
    assert len(data.relabel_candidates(lab, n_candidates=10)) == 3  # agreed clips never listed


def test_labeler_accuracy_per_tag_order():
    tags = ["people_noise", "clean", "clean", "car_noise"]
    acc = data.labeler_accuracy([[1, 2, 3, 4], [1, 2, 0, 0]], [1, 2, 3, 4], tags=tags)
    assert list(acc.columns) == ["overall", "clean", "car_noise", "people_noise"]
    assert acc.loc["labeler 1", "overall"] == 0.5
    assert acc.loc["labeler 1", "clean"] == 0.5


def test_plot_kappa_matrix_annotates_every_cell():
    lab = data.simulate_labelers(
        digits(200), tags=tags_of(200), snr_db=snrs_of(tags_of(200), 9), random_state=0
    )
    ax = data.plot_kappa_matrix(data.cohen_kappa_matrix(lab))
    assert len(ax.texts) == 25


def test_describe_disagreement():
    per_clip = data.disagreement_by_clip([[1, 2, 3, 4], [1, 2, 3, 5]], y_true=[1, 2, 3, 4])
    text = data.describe_disagreement(per_clip)
    assert text == "clips with any disagreement: 25.0%; consensus label correct: 75.0%"
    with pytest.raises(ValueError, match=r"without the columns \['consensus_correct'\]"):
        data.describe_disagreement(data.disagreement_by_clip([[1, 2], [1, 3]]))


@pytest.mark.parametrize(
    ("threshold", "column"), [(0.4, "disputed (>40% dissent)"), (0.25, "disputed (>25% dissent)")]
)
def test_disputed_share_by_tag(threshold, column):
    lab = [[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 0, 6]]  # dissent 0, 0, 1/3, 2/3
    per_clip = data.disagreement_by_clip(lab)
    table = data.disputed_share_by_tag(
        per_clip, tags=["clean", "clean", "car_noise", "car_noise"], threshold=threshold
    )
    assert list(table.index) == ["car_noise", "clean"]
    assert table.index.name == "tag" and table.columns.name is None
    assert list(table.columns)[:2] == ["unanimous", f"some dissent (<={threshold:.0%})"]
    assert table.loc["clean", "unanimous"] == 1.0
    assert table.loc["car_noise", column] == (0.5 if threshold == 0.4 else 1.0)
    assert table.loc["car_noise"].sum() == pytest.approx(1.0)
    # every column is present even when no clip is disputed (the notebook's 5-labeler case)
    calm = data.disputed_share_by_tag(
        data.disagreement_by_clip([[1, 2], [1, 2], [1, 3]]), tags=["a", "b"]
    )
    assert calm.loc["b", "disputed (>40% dissent)"] == 0.0
    assert calm.loc["b", "some dissent (<=40%)"] == 1.0 and calm.loc["a", "unanimous"] == 1.0
    with pytest.raises(ValueError, match="same length"):
        data.disputed_share_by_tag(per_clip, tags=["clean"])


def _kappa_table(values, names=("a", "b", "c", "d")):
    k = np.eye(len(names))
    for (i, j), v in values.items():
        k[i, j] = k[j, i] = v
    return pd.DataFrame(k, index=list(names), columns=list(names))


def test_describe_kappa_matrix_names_the_outlier_both_branches():
    pairs = {(0, 1): 0.5, (0, 2): 0.9, (0, 3): 0.9, (1, 2): 0.6, (1, 3): 0.6, (2, 3): 0.95}
    text = data.describe_kappa_matrix(_kappa_table(pairs))
    assert text.startswith("`b` has the lowest kappa with every other labeler (kappa 0.50 to 0.60)")
    assert "against 0.57 for `b`" in text
    pairs[(0, 3)] = 0.4  # a agrees less with d than with b: b is lowest on average only
    text = data.describe_kappa_matrix(_kappa_table(pairs))
    assert text.startswith("`b` has the lowest mean kappa with the others")
    assert "not the lowest with every one of them" in text
    with pytest.raises(ValueError, match="at least 3"):
        data.describe_kappa_matrix(_kappa_table({(0, 1): 0.5}, names=("a", "b")))
