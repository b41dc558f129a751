"""Models, the speaker-grouped split and scoring (mlkit/modeling/_experiment.py)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from mlkit import modeling as m


@pytest.mark.parametrize("name", m.MODELS)
def test_make_model_fits_and_predicts(name):
    X, y = make_classification(
        n_samples=120, n_features=20, n_informative=8, n_classes=3, random_state=0
    )
    model = m.make_model(name, random_state=0)
    pred = model.fit(X, y).predict(X)
    assert pred.shape == (120,)
    assert (pred == y).mean() > 0.5


def test_make_model_bad_input():
    with pytest.raises(ValueError, match="must be one of"):
        m.make_model("deep_net")
    with pytest.raises(TypeError, match="hyper-parameter"):
        m.make_model("svm", n_estimators=3)


def test_make_model_takes_the_options_of_other_phases():
    """data._default_classifier and scoping.quick_model can be make_model("logreg", ...)."""
    clf = m.make_model("logreg", C=0.02, tol=1e-3, solver="newton-cg", max_iter=300)
    lr = clf.steps[-1][1]
    assert (lr.C, lr.tol, lr.solver, lr.max_iter) == (0.02, 1e-3, "newton-cg", 300)
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    assert clf.fit(X, y).score(X, y) > 0.7


def test_speaker_split_holds_out_whole_speakers():
    spk = np.repeat(list("abcdefgh"), 10)
    parts = m.speaker_split(spk, unseen_share=0.25, random_state=1)
    unseen = set(spk[parts["unseen"]])
    assert unseen == set(parts["unseen_speakers"]) and len(unseen) == 2
    assert not unseen & set(spk[parts["train"]]) and not unseen & set(spk[parts["seen"]])
    assert set(spk[parts["seen"]]) == set(spk[parts["train"]])
    all_idx = np.concatenate([parts["train"], parts["seen"], parts["unseen"]])
    assert sorted(all_idx.tolist()) == list(range(80))
    again = m.speaker_split(spk, unseen_share=0.25, random_state=1)
    assert np.array_equal(parts["train"], again["train"])


@pytest.mark.parametrize(
    ("speakers", "kw", "match"),
    [
        (["a", "a"], {}, "at least two speakers"),
        (["a", "b"], {"unseen_share": 1.0}, r"unseen_share.*\(0, 1\)"),
    ],
)
def test_speaker_split_bad_input(speakers, kw, match):
    with pytest.raises(ValueError, match=match):
        m.speaker_split(speakers, **kw)


def test_fit_and_score_reports_tags():
    X, y = make_classification(n_samples=100, n_features=8, n_classes=2, random_state=0)
    tags = np.array(["clean", "car_noise"] * 50)
    model, met = m.fit_and_score(
        "logreg", X[:60], y[:60], X[60:], y[60:], tags_dev=tags[60:], hyper={"C": 0.5}
    )
    assert model.steps[-1][1].C == 0.5
    assert set(met) == {"dev_accuracy", "n_train", "tag_accuracy_clean", "tag_accuracy_car_noise"}
    acc = np.mean(model.predict(X[60:]) == y[60:])
    assert met["dev_accuracy"] == pytest.approx(acc) and met["n_train"] == 60
    with pytest.raises(ValueError, match="same length"):
        m.fit_and_score("logreg", X[:60], y[:59], X[60:], y[60:])


def test_score_sets_per_set_and_tag():
    from sklearn.dummy import DummyClassifier

    X, y = np.zeros((6, 1)), np.array([0, 0, 0, 1, 1, 0])
    tags = ["a", "b", "a", "b", "a", "b"]
    model = DummyClassifier().fit(X, y)  # always 0
    out = m.score_sets(model, X, y, {"dev": [0, 1, 3], "test": [4, 5]}, tags=tags)
    assert out == pytest.approx(
        {
            "dev_accuracy": 2 / 3,
            "dev_tag_accuracy_a": 1.0,
            "dev_tag_accuracy_b": 0.5,
            "test_accuracy": 0.5,
            "test_tag_accuracy_a": 0.0,
            "test_tag_accuracy_b": 1.0,
        }
    )
    with pytest.raises(ValueError, match="at least one evaluation set"):
        m.score_sets(model, X, y, {})
    with pytest.raises(ValueError, match="'dev' is empty"):
        m.score_sets(model, X, y, {"dev": []})
    with pytest.raises(ValueError, match="same length"):
        m.score_sets(model, X, y[:5], {"dev": [0]})


def test_speech_split_dataset_record_rebuilds_the_split():
    sp = m.load_speech_split(n_clips=48, random_state=0)
    rec = sp.dataset
    assert rec["sha256"] == sp.data.sha256
    again = m.load_speech_split(**rec["lineage"]["steps"][0]["params"])
    assert again.data.sha256 == sp.data.sha256
    np.testing.assert_array_equal(again.train, sp.train)
    np.testing.assert_array_equal(again.X, sp.X)


def test_load_speech_split_is_speaker_grouped():
    sp = m.load_speech_split(n_clips=48, random_state=0)
    spk = sp.data.metadata["speaker"].to_numpy()
    assert sp.X.shape[0] == 48 == len(sp.y)
    assert set(spk[sp.unseen]) == set(sp.unseen_speakers)
    assert not set(sp.unseen_speakers) & set(spk[sp.train])
    assert len(sp.tags) == 48 and "SpeechSplit" in repr(sp)


def test_describe_seen_vs_unseen_says_what_the_interval_shows():
    high = m.describe_seen_vs_unseen([True] * 95 + [False] * 5, [True] * 60 + [False] * 40)
    assert "overstates what new users get" in high
    same = m.describe_seen_vs_unseen([True] * 8 + [False] * 2, [True] * 8 + [False] * 2)
    assert "cannot be told apart" in same and "overstates what" not in same
    assert "does not overstate the unseen one beyond chance" in same
    assert "one more reason" not in same and "flattering" not in same
    low = m.describe_seen_vs_unseen([True] * 60 + [False] * 40, [True] * 95 + [False] * 5)
    assert "unseen speakers scored higher" in low
    with pytest.raises(ValueError, match="at least two clips"):
        m.describe_seen_vs_unseen([True], [True, False])
