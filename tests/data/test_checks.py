"""Validation at the door (mlkit.data._checks and the shared checks the data phase uses)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import data
from mlkit._validation import check_tags


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
        lambda: data.simulate_labelers([1, 2, 3], tags=["clean"], snr_db=[1.0]),
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
    assert check_tags(("clean",), 1, "f", known=data.SPEECH_BAND_SNR_OFFSET_DB).tolist() == [
        "clean"
    ]


def test_data_uses_the_shared_tag_check():
    # One helper for the whole kit: data's unknown-tag message carries its own fix.
    with pytest.raises(ValueError, match=r"Got \['studio'\] instead\. Pass one of the kit's"):
        data.simulate_labelers([1, 2], tags=["clean", "studio"], snr_db=[1.0, 1.0])
    assert not hasattr(data, "_check_tags") and not hasattr(data, "_check_same_length")
