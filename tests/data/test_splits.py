"""Train/dev/test splits, class shares and speaker leakage (mlkit.data._splits)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkit import data
from tests.data._util import SLOW, digits, tags_of


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
    y, tags = digits(n, 3), tags_of(n, 3)
    splits = data.split_train_dev_test(y, tags=tags, rare_strata="merge", random_state=0)
    _check_partition(splits, n)
    assert data.max_split_share_deviation(y, splits) < 0.02
    assert data.max_split_share_deviation(tags, splits) < 0.02
    random = data.split_train_dev_test(y, stratify=False, random_state=0)
    _check_partition(random, n)


def test_split_is_deterministic():
    y = digits(300)
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


def test_max_split_share_deviation_refuses_foreign_positions():
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match=r"positions in \[0, 20\)\. Got positions 0\.\.25"):
        data.max_split_share_deviation(y, {"train": np.arange(0, 26)})


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


def test_split_view_text_and_table():
    y = np.repeat(np.arange(3), 20)
    text, styled = data.split_view(y, dev_size=0.25, test_size=0.25)
    assert text.startswith("train 30, dev 15, test 15 · max share deviation **")
    assert list(styled.data.columns)[-1] == "max_abs_deviation"
    text_plain, _ = data.split_view(y, tags=["clean"] * 60, stratify=False, random_state=1)
    assert text_plain.startswith("train 36, dev 12, test 12")


def test_describe_leakage():
    leak = {
        "n_splits": 4,
        "random_split_accuracy": 0.919,
        "grouped_split_accuracy": 0.831,
        "leakage_gap": 0.088,
    }
    assert data.describe_leakage(leak) == (
        "4-fold cross-validation accuracy: random folds 91.9%, speaker-grouped folds 83.1%, "
        "leakage gap +8.8%"
    )


def test_split_by_groups_or_clips_falls_back_to_clips_with_two_speakers():
    # issue 12.9: a 2-speaker folder failed in split_train_dev_test's grouped split
    y = np.tile(np.arange(10), 8)
    two = np.repeat(["jackson", "theo"], 40)
    split, note = data.split_by_groups_or_clips(y, groups=two, random_state=0)
    assert note.startswith("Only 2 speakers") and "clip-level (fallback)" in note
    assert sorted(np.concatenate(list(split.values())).tolist()) == list(range(80))
    assert set(two[split["train"]]) == set(two[split["test"]]) == {"jackson", "theo"}
    many = np.tile(["a", "b", "c", "d", "e"], 16)
    split, note = data.split_by_groups_or_clips(y, groups=many, random_state=0)
    assert note == ""
    assert not set(many[split["train"]]) & set(many[split["test"]])
