"""Unit and property tests for mlkit.data: labelers, agreement, HLP, splits, lineage, schema."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlkit import data
from mlkit._validation import check_tags
from mlkit.audio import CONDITIONS
from mlkit.data import UNINTELLIGIBLE

SR = 8000
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _tags(n, seed=0):
    return np.random.default_rng(seed).choice(CONDITIONS, size=n)


def _digits(n, seed=0):
    return np.random.default_rng(seed).integers(0, 10, size=n)


def _clip(duration_s=0.5, amp=0.1, seed=0):
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal(int(duration_s * SR))).clip(-1, 1).astype(np.float32)


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


# --- labels matrices for property tests ------------------------------------------------------

label_matrices = st.integers(2, 5).flatmap(
    lambda m: st.integers(1, 30).flatmap(
        lambda n: arrays(np.int64, (m, n), elements=st.integers(-1, 4))
    )
)


# --- Fleiss' kappa ---------------------------------------------------------------------------


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
    values = sorted(set(labels.ravel().tolist()))
    shuffled = values[:]
    rnd.shuffle(shuffled)
    mapping = dict(zip(values, [v + 100 for v in shuffled], strict=True))
    relabelled = np.vectorize(mapping.get)(labels)
    order = list(range(labels.shape[0]))
    rnd.shuffle(order)
    k = data.fleiss_kappa(labels)
    assert data.fleiss_kappa(relabelled) == pytest.approx(k, abs=1e-12)
    assert data.fleiss_kappa(labels[order]) == pytest.approx(k, abs=1e-12)


@FAST
@given(st.integers(2, 6), arrays(np.int64, st.integers(1, 40), elements=st.integers(0, 9)))
def test_fleiss_kappa_perfect_agreement_is_one(m, row):
    assert data.fleiss_kappa(np.tile(row, (m, 1))) == 1.0


# --- Cohen's kappa -----------------------------------------------------------------------------


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
    values = sorted(set(labels.ravel().tolist()))
    shuffled = values[:]
    rnd.shuffle(shuffled)
    mapping = dict(zip(values, shuffled, strict=True))
    relabelled = np.vectorize(mapping.get)(labels)
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


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "func",
    [
        data.fleiss_kappa,
        data.cohen_kappa_matrix,
        data.consensus_labels,
        data.agreement_matrix,
        data.disagreement_by_clip,
        lambda lab: data.hlp_by_tag(lab),
    ],
)
def test_single_labeler_is_refused(func):
    with pytest.raises(ValueError, match=r"at least 2 labelers.*Got 1 labeler"):
        func([[1, 2, 3]])


@pytest.mark.parametrize("bad", [[1, 2, 3], np.zeros((2, 3, 1)), np.zeros((2, 0), dtype=int)])
def test_labels_must_be_a_matrix(bad):
    with pytest.raises(ValueError, match=r"labels matrix of shape|at least one labelled sample"):
        data.fleiss_kappa(bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda: data.hlp_by_tag([[1, 2, 3], [1, 2, 3]], tags=["clean", "clean"]),
        lambda: data.hlp_by_tag([[1, 2, 3], [1, 2, 3]], y_true=[1, 2]),
        lambda: data.labeler_accuracy([[1, 2, 3], [1, 2, 3]], [1, 2]),
        lambda: data.simulate_labelers([1, 2, 3], tags=["clean"]),
        lambda: data.compare_to_hlp([1, 2], [[1, 2, 3], [1, 2, 3]]),
        lambda: data.split_train_dev_test(np.arange(9) % 3, groups=[0, 1]),
        lambda: data.leakage_gap(np.zeros((4, 2)), [0, 1, 0, 1], groups=[0, 1, 2]),
        lambda: data.relabel_candidates(
            [[1, 2], [1, 3]], metadata=pd.DataFrame({"clip_id": ["a"]})
        ),
    ],
)
def test_mismatched_lengths_are_refused(call):
    with pytest.raises(ValueError, match=r"same length|one tag per sample\. Got \d+ tags"):
        call()


@pytest.mark.parametrize(
    ("tags", "kwargs", "match"),
    [
        (["clean"], {}, r"f needs one tag per sample\. Got 1 tags for 2 samples\. Pass"),
        ([["clean", "clean"]], {}, r"'tags' parameter of f must be 1-D.*Got shape \(1, 2\)"),
        (["clean", None], {}, r"'tags' parameter of f must give every sample a tag\. Got 1 miss"),
        (
            ["clean", "studio"],
            {"known": ("clean",), "fix": "Use a known tag."},
            r"must hold tags among \['clean'\]\. Got \['studio'\] instead\. Use a known tag\.",
        ),
        (["a", "b"], {"name": "groups", "known": ("a",)}, r"'groups' parameter of f"),
    ],
)
def test_check_tags_errors(tags, kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_tags(tags, 2, "f", **kwargs)


def test_check_tags_returns_str_array_or_none():
    assert check_tags(None, 3, "f") is None
    out = check_tags([1, "car_noise"], 2, "f")
    assert out.dtype.kind == "U" and out.tolist() == ["1", "car_noise"]
    assert check_tags(("clean",), 1, "f", known=data.TAG_DIFFICULTY).tolist() == ["clean"]


def test_data_uses_the_shared_tag_check():
    # One helper for the whole kit: data's unknown-tag message carries its own fix.
    with pytest.raises(ValueError, match=r"Got \['studio'\] instead\. Pass tags=None"):
        data.ambiguous_mask(2, tags=["clean", "studio"])
    assert not hasattr(data, "_check_tags") and not hasattr(data, "_check_same_length")


def test_simulate_labelers_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"'n_labelers' parameter of simulate_labelers"):
        data.simulate_labelers([1, 2], n_labelers=1)
    with pytest.raises(ValueError, match=r"'error_rate' parameter of simulate_labelers"):
        data.simulate_labelers([1, 2], error_rate=1.5)
    with pytest.raises(ValueError, match=r"integer digits 0-9"):
        data.simulate_labelers([1, 12])
    with pytest.raises(ValueError, match=r"tags among .*'clean'.*Got \['studio'\]"):
        data.simulate_labelers([1, 2], tags=["clean", "studio"])


# --- simulated labelers ------------------------------------------------------------------------


def test_simulate_labelers_shape_values_and_determinism():
    y, tags = _digits(400), _tags(400)
    a = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=3)
    b = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=3)
    c = data.simulate_labelers(y, tags=tags, n_labelers=5, random_state=4)
    assert a.shape == (5, 400) and a.dtype == np.int64
    assert set(np.unique(a)) <= set(range(10)) | {UNINTELLIGIBLE}
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(y, _digits(400))  # input untouched


def test_simulate_labelers_behaviour():
    n = 4000
    y, tags = _digits(n, 1), _tags(n, 1)
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
    lab = data.simulate_labelers(_digits(300), n_labelers=2, error_rate=0.0, random_state=0)
    amb = data.ambiguous_mask(300, random_state=0)
    assert np.array_equal(lab[0, ~amb], _digits(300)[~amb])
    assert data.labeler_names(2) == ["L0 guesser", "L1 marks-unintelligible"]


# --- convention, consensus, disagreement --------------------------------------------------------


def test_apply_convention_raises_agreement_and_hlp():
    n = 1000
    y, tags = _digits(n, 2), _tags(n, 2)
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


# --- HLP -----------------------------------------------------------------------------------------


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
    y, tags = _digits(n, 5), _tags(n, 5)
    table = data.hlp_by_tag(
        data.simulate_labelers(y, tags=tags, random_state=1), tags=tags, y_true=y
    )
    assert table.loc["people_noise", "hlp_agreement"] < table.loc["clean", "hlp_agreement"] - 0.1


def test_beating_hlp_is_an_artefact_of_inconsistent_labels():
    n = 3000
    y, tags = _digits(n, 6), _tags(n, 6)
    amb = data.ambiguous_mask(n, tags=tags, random_state=0)
    lab = data.simulate_labelers(y, tags=tags, random_state=0)
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
    assert lead_after["ambiguous"] == 0.0
    assert lead_after["overall"] < lead["overall"] - 0.015


# --- label noise and learning curves ------------------------------------------------------------


@FAST
@given(
    arrays(np.int64, st.integers(2, 60), elements=st.integers(0, 4)),
    st.floats(0, 1),
    st.integers(0, 1000),
)
def test_add_label_noise_flips_exactly(y, rate, seed):
    if np.unique(y).size < 2 and round(rate * y.size) > 0:
        with pytest.raises(ValueError, match="at least 2 classes"):
            data.add_label_noise(y, noise_rate=rate, random_state=seed)
        return
    noisy = data.add_label_noise(y, noise_rate=rate, random_state=seed)
    assert (noisy != y).sum() == round(rate * y.size)
    assert set(noisy) <= set(y)


def test_label_noise_learning_curves_small_vs_large():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(5), 300)
    X = rng.normal(0, 1, size=(5, 30))[y] + rng.normal(0, 3.0, size=(y.size, 30))
    curves = data.label_noise_learning_curves(
        X, y, noise_rates=(0.0, 0.3), train_sizes=(50, 1.0), n_repeats=2, random_state=0
    )
    assert list(curves.columns) == ["noise_rate", "n_train", "score_mean", "score_std"]
    gap = curves.pivot(index="n_train", columns="noise_rate", values="score_mean")
    drop = gap[0.0] - gap[0.3]
    assert drop.iloc[0] > drop.iloc[-1]
    with pytest.raises(ValueError, match="'train_sizes' parameter"):
        data.label_noise_learning_curves(X, y, train_sizes=(5000,))


# --- splits ---------------------------------------------------------------------------------------


def _check_partition(splits, n):
    allpos = np.concatenate(list(splits.values()))
    assert sorted(allpos.tolist()) == list(range(n))
    assert set(splits) == {"train", "dev", "test"}


@SLOW
@given(
    st.integers(3, 8),
    st.integers(6, 30),
    st.floats(0.1, 0.35),
    st.floats(0.1, 0.35),
    st.integers(0, 10_000),
)
def test_stratified_splits_partition_and_keep_shares(n_classes, per_class, dev, test, seed):
    y = np.repeat(np.arange(n_classes), per_class)
    n = y.size
    try:
        splits = data.split_train_dev_test(y, dev_size=dev, test_size=test, random_state=seed)
    except ValueError as err:  # a split too small for every class is refused, never crashes
        assert "cannot hold all" in str(err)
        return
    _check_partition(splits, n)
    dev_expected = n * (1 - test) * dev / (1 - test)
    assert abs(len(splits["dev"]) - dev_expected) <= n_classes + 1
    # stratified: each split's class counts are within one of the proportional count
    for idx in splits.values():
        counts = np.bincount(y[idx], minlength=n_classes)
        assert counts.max() - counts.min() <= 1


@SLOW
@given(st.integers(3, 12), st.integers(2, 20), st.integers(0, 10_000))
def test_grouped_splits_never_share_a_speaker(n_speakers, per_speaker, seed):
    groups = np.repeat([f"s{i}" for i in range(n_speakers)], per_speaker)
    y = np.tile(np.arange(per_speaker) % 3, n_speakers)
    splits = data.split_train_dev_test(y, groups=groups, random_state=seed)
    _check_partition(splits, y.size)
    seen = [set(groups[idx]) for idx in splits.values()]
    assert all(seen[i].isdisjoint(seen[j]) for i in range(3) for j in range(i + 1, 3))
    assert all(len(s) >= 1 for s in seen)


def test_split_by_label_and_tag_keeps_tag_shares():
    n = 800
    y, tags = _digits(n, 3), _tags(n, 3)
    splits = data.split_train_dev_test(y, tags=tags, rare_strata="merge", random_state=0)
    _check_partition(splits, n)
    assert data.max_split_share_deviation(y, splits) < 0.02
    assert data.max_split_share_deviation(tags, splits) < 0.02
    random = data.split_train_dev_test(y, stratify=False, random_state=0)
    _check_partition(random, n)


def test_split_is_deterministic():
    y = _digits(300)
    a = data.split_train_dev_test(y, random_state=1)
    b = data.split_train_dev_test(y, random_state=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_one_member_class_is_named_in_the_error():
    y = np.r_[np.repeat([0, 1, 2], 10), [7]]
    with pytest.raises(ValueError, match=r"Class 7 has 1 member, fewer than the 3 splits"):
        data.split_train_dev_test(y)


def test_rare_label_tag_stratum_error_and_fallback():
    y = np.repeat([0, 1], 20)
    tags = np.array(["clean"] * 19 + ["car_noise"] + ["clean"] * 20)
    with pytest.raises(ValueError, match=r"Stratum \(label\|tag\) '0\|car_noise' has 1 member"):
        data.split_train_dev_test(y, tags=tags)
    splits = data.split_train_dev_test(y, tags=tags, rare_strata="merge")
    _check_partition(splits, y.size)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"test_size": 1.5},
            r"The 'test_size' parameter of split_train_dev_test must be a float in \(0\.0, 1\.0\)\. Got 1\.5",
        ),
        ({"dev_size": 0.0}, r"'dev_size' parameter of split_train_dev_test"),
        ({"dev_size": 0.5, "test_size": 0.5}, "must sum to less than 1"),
        ({"rare_strata": "drop"}, "'rare_strata' parameter"),
    ],
)
def test_split_ratio_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.split_train_dev_test(np.repeat([0, 1], 20), **kwargs)


def test_split_too_small_for_all_classes():
    with pytest.raises(ValueError, match="cannot hold all 10 strata"):
        data.split_train_dev_test(np.repeat(np.arange(10), 3), test_size=0.1)


def test_grouped_split_needs_three_groups():
    with pytest.raises(ValueError, match="at least 3 distinct groups.*Got 2"):
        data.split_train_dev_test(np.arange(10) % 2, groups=np.arange(10) % 2)


def test_class_share_table():
    y = np.array([0, 0, 1, 1, 1, 1])
    table = data.class_share_table(y, {"a": [0, 2, 3], "b": [1, 4, 5]})
    assert list(table.columns) == ["all", "a", "b", "max_abs_deviation"]
    assert table.loc[0, "a"] == pytest.approx(1 / 3)
    assert table.loc[0, "max_abs_deviation"] == pytest.approx(0.0)
    assert np.allclose(table[["all", "a", "b"]].sum(), 1.0)
    with pytest.raises(ValueError, match="outside"):
        data.class_share_table(y, {"a": [9]})


def test_leakage_gap_positive_when_speakers_differ():
    rng = np.random.default_rng(0)
    n_speakers, per = 6, 40
    groups = np.repeat(np.arange(n_speakers), per)
    y = np.tile(np.arange(4), n_speakers * per // 4)
    offsets = rng.normal(0, 3.0, size=(n_speakers, 4, 5))  # speaker-specific class prototypes
    X = offsets[groups, y] + rng.normal(0, 0.5, size=(y.size, 5))
    res = data.leakage_gap(X, y, groups=groups, n_splits=3)
    assert res["leakage_gap"] == pytest.approx(
        res["random_split_accuracy"] - res["grouped_split_accuracy"]
    )
    assert res["leakage_gap"] > 0.2
    assert res["y_pred_grouped"].shape == y.shape
    with pytest.raises(ValueError, match="at least 2 speakers"):
        data.leakage_gap(X, y, groups=np.zeros(y.size))


# --- lineage --------------------------------------------------------------------------------------


def test_save_artefact_writes_lineage_and_never_overwrites(tmp_path):
    steps = [{"name": "split", "params": {"test_size": 0.2, "seed": np.int64(3)}}]
    kw = {"dataset_name": "speech-test", "dataset_sha256": "ab" * 32, "steps": steps}
    first = data.save_artefact({"train": np.arange(3)}, name="splits", run_dir=tmp_path, **kw)
    second = data.save_artefact({"train": np.arange(4)}, name="splits", run_dir=tmp_path, **kw)
    assert first["artefact"].name == "splits.json" and second["artefact"].name == "splits-1.json"
    assert json.loads(first["artefact"].read_text()) == {"train": [0, 1, 2]}
    record = json.loads(first["lineage"].read_text())
    assert record["dataset"] == {"name": "speech-test", "sha256": "ab" * 32}
    assert record["steps"][0]["params"]["seed"] == 3
    assert set(record["code"]) >= {"git_commit", "git_dirty"}
    from mlkit.lineage import sha256_file

    assert record["artefact"]["sha256"] == sha256_file(first["artefact"])
    feats = data.save_artefact(np.ones((2, 3)), name="features", run_dir=tmp_path, **kw)
    assert np.load(feats["artefact"]).shape == (2, 3)
    table = data.save_artefact(pd.DataFrame({"a": [1]}), name="table", run_dir=tmp_path, **kw)
    assert table["artefact"].suffix == ".csv"


def test_save_artefact_bad_input(tmp_path):
    kw = {"dataset_name": "d", "dataset_sha256": "0" * 64, "run_dir": tmp_path}
    with pytest.raises(TypeError, match="must be a dict, numpy array or pandas DataFrame"):
        data.save_artefact([1, 2], name="x", steps=[], **kw)
    with pytest.raises(ValueError, match=r"Each step .* must be \{'name'"):
        data.save_artefact({}, name="x", steps=[{"name": "only"}], **kw)


def test_default_run_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MLKIT_RUN_DIR", str(tmp_path))
    assert data.default_run_dir() == tmp_path
    monkeypatch.delenv("MLKIT_RUN_DIR")
    assert data.default_run_dir().parts[-2:] == ("runs", "interactive")


# --- schema validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clip", "rate", "check"),
    [
        (_clip(), SR, ""),
        (_clip(), 44100, "sample_rate"),
        (_clip(), 16000, "sample_rate"),
        ((_clip() * 32767).astype(np.int16), SR, "dtype"),
        (_clip().astype(np.float64), SR, "dtype"),
        (np.where(np.arange(4000) == 7, np.nan, _clip()).astype(np.float32), SR, "finite"),
        (_clip(duration_s=0.02), SR, "duration"),
        (_clip(duration_s=4.0), SR, "duration"),
        (np.zeros(4000, np.float32), SR, "silence"),
        (_clip(amp=1e-4), SR, "silence"),
        (np.stack([_clip(), _clip()], axis=1), SR, "shape"),
        ("not audio", SR, "shape"),
    ],
)
def test_validate_clips_reasons(clip, rate, check):
    report = data.validate_clips(pd.DataFrame({"clip": [clip], "sample_rate_hz": [rate]}))
    assert report.loc[0, "check"] == check
    assert report.loc[0, "ok"] == (check == "")
    if check == "sample_rate":
        assert f"{rate} Hz, expected 8000 Hz" in report.loc[0, "reason"]


def test_validate_clips_bad_containers():
    with pytest.raises(ValueError, match="'clip' column"):
        data.validate_clips(pd.DataFrame({"audio": [_clip()]}))
    with pytest.raises(ValueError, match="Wrap it in a list"):
        data.validate_clips(_clip())
    assert data.validate_clips([]).empty


def test_clip_validator_in_pipeline_rejects_bad_rows_with_reasons():
    clips = [_clip(duration_s=0.3 + 0.01 * i, amp=0.05 + 0.01 * (i % 4), seed=i) for i in range(40)]
    y = np.arange(40) % 2
    pipe = data.make_validated_pipeline()
    pipe.fit(clips, y)
    batch = data.inject_schema_errors(clips[:10], n_per_kind=2, random_state=0)
    assert len(batch) == 10 + 2 * 6
    y_pred = pipe.predict(batch)
    report = pipe.named_steps["validate"].report_
    assert len(y_pred) == int(report["ok"].sum()) == 10
    assert pipe.named_steps["validate"].n_rejected_ == 12
    caught = batch.loc[~report["ok"], "injected"].to_numpy()
    assert np.array_equal(caught, report.loc[~report["ok"], "check"].to_numpy())


def test_clip_validator_fit_refuses_bad_training_rows():
    clips = [_clip(), np.zeros(4000, np.float32), _clip().astype(np.float64)]
    with pytest.raises(ValueError, match=r"2 invalid training rows.*validate_clips"):
        data.ClipValidator().fit(clips)


def test_wrong_sample_rate_rejected_with_custom_schema():
    report = data.validate_clips(
        pd.DataFrame({"clip": [_clip()], "sample_rate_hz": [8000]}), sample_rate_hz=16000
    )
    assert report.loc[0, "check"] == "sample_rate"


def test_empty_audio_folder_is_refused(tmp_path):
    from mlkit.datasets import load_speech

    with pytest.raises(ValueError, match="empty"):
        load_speech(str(tmp_path))


def test_inject_schema_errors_bad_input():
    with pytest.raises(ValueError, match="at least one clip"):
        data.inject_schema_errors([])


# --- plots ----------------------------------------------------------------------------------------


def test_plots_return_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lab = data.simulate_labelers(_digits(200), tags=_tags(200), random_state=0)
    ax = data.plot_kappa_matrix(data.cohen_kappa_matrix(lab))
    assert len(ax.texts) == 25
    table = data.hlp_by_tag(lab, tags=_tags(200))
    ax = data.plot_hlp_by_tag(table, data.hlp_by_tag(data.apply_convention(lab), tags=_tags(200)))
    assert len(ax.patches) == 2 * len(table)
    curves = pd.DataFrame(
        {
            "noise_rate": [0, 0, 0.3, 0.3],
            "n_train": [10, 20, 10, 20],
            "score_mean": [0.5, 0.8, 0.4, 0.7],
            "score_std": [0.1] * 4,
        }
    )
    ax = data.plot_learning_curves(curves)
    assert len(ax.lines) == 2
    plt.close("all")


def test_fleiss_from_counts_names_the_uneven_ratings():
    with pytest.raises(ValueError, match=r"Got between 2 and 3 ratings per subject\. Have every"):
        data._fleiss_from_counts([[2, 0], [1, 2]])


def test_save_artefact_says_how_to_fix_exhausted_names(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_MAX_NAME_TRIES", 2)
    kwargs = {"dataset_name": "d", "dataset_sha256": "0" * 64, "steps": [], "run_dir": tmp_path}
    data.save_artefact({"a": [1]}, name="s", **kwargs)
    data.save_artefact({"a": [1]}, name="s", **kwargs)
    with pytest.raises(
        FileExistsError, match=r"free file name for s\.json.*Got 2 taken names.*Pass"
    ):
        data.save_artefact({"a": [1]}, name="s", **kwargs)


def test_max_split_share_deviation_refuses_foreign_positions():
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match=r"positions in \[0, 20\)\. Got positions 0\.\.25"):
        data.max_split_share_deviation(y, {"train": np.arange(0, 26)})

