"""Error analysis by tag, the error sample and its tags (mlkit/modeling/_error_analysis.py)."""

import numpy as np
import pandas as pd
import pytest

from mlkit import modeling as m

TAGS4 = ["clean", "car_noise", "people_noise", "low_bandwidth"]
HLP4 = {"clean": 0.98, "car_noise": 0.9, "people_noise": 0.85, "low_bandwidth": 0.95}


def test_error_analysis_table_values_and_rank():
    # clean: 10 samples, 9 right; car_noise: 5 samples, 2 right; people: 5, 5 right
    y = np.zeros(20, dtype=int)
    pred = y.copy()
    tags = np.array(["clean"] * 10 + ["car_noise"] * 5 + ["people_noise"] * 5)
    pred[0] = 1
    pred[10:13] = 1
    t = m.error_analysis_by_tag(y, pred, tags, hlp=HLP4)
    assert list(t.columns[:6]) == ["accuracy", "hlp", "gap", "share", "potential_gain", "rank"]
    assert t.index.tolist() == ["car_noise", "clean", "people_noise"]
    assert t["rank"].tolist() == [1, 2, 3]
    assert t.loc["car_noise", "accuracy"] == pytest.approx(0.4)
    assert t.loc["car_noise", "gap"] == pytest.approx(0.5)
    assert t.loc["car_noise", "share"] == pytest.approx(0.25)
    assert t.loc["car_noise", "potential_gain"] == pytest.approx(0.125)
    assert t.loc["clean", "potential_gain"] == pytest.approx((0.98 - 0.9) * 0.5)
    # model beats HLP: negative gap, no potential gain
    assert t.loc["people_noise", "gap"] == pytest.approx(-0.15)
    assert t.loc["people_noise", "potential_gain"] == 0.0
    assert t["share"].sum() == pytest.approx(1.0)


def test_error_analysis_ties_go_to_the_tag_with_more_errors():
    # the model beats HLP everywhere: every potential gain is 0, so HLP cannot rank
    y = np.zeros(30, dtype=int)
    pred = y.copy()
    tags = np.array(["clean"] * 20 + ["people_noise"] * 10)
    pred[[0, 20, 21]] = 1  # clean: 1 error of 20; people_noise: 2 errors of 10
    t = m.error_analysis_by_tag(y, pred, tags, hlp={"clean": 0.9, "people_noise": 0.5})
    assert (t["potential_gain"] == 0).all()
    assert t.index.tolist() == ["people_noise", "clean"] and t["rank"].tolist() == [1, 2]
    assert t.loc["people_noise", "error_share"] == pytest.approx(2 / 3)
    assert "cannot rank" in m.bayes_error_notes(t)[-1]


def test_error_analysis_accepts_hlp_table_and_series():
    y, p = [1, 2, 3, 4], [1, 2, 0, 4]
    tags = ["clean", "clean", "car_noise", "car_noise"]
    table = pd.DataFrame({"hlp_accuracy": [1.0, 0.8, 0.9]}, index=["clean", "car_noise", "overall"])
    a = m.error_analysis_by_tag(y, p, tags, hlp=table)
    b = m.error_analysis_by_tag(y, p, tags, hlp=pd.Series({"clean": 1.0, "car_noise": 0.8}))
    pd.testing.assert_frame_equal(a, b)
    assert a.index.name == "tag"


def test_error_analysis_does_not_change_inputs():
    y = np.array([1, 2, 3])
    p = np.array([1, 0, 3])
    tags = np.array(["clean", "clean", "car_noise"])
    hlp = dict(HLP4)
    m.error_analysis_by_tag(y, p, tags, hlp=hlp)
    assert hlp == HLP4 and y.tolist() == [1, 2, 3] and tags.tolist()[2] == "car_noise"


@pytest.mark.parametrize(
    ("y", "p", "tags", "hlp", "match"),
    [
        ([], [], [], HLP4, "at least one sample"),
        ([1, 2], [1], ["clean", "clean"], HLP4, "same length"),
        ([1, 2], [1, 2], ["clean"], HLP4, "one tag per sample"),
        ([1, 2], [1, 2], ["clean", "car-noise"], HLP4, r"no HLP for the tag\(s\) \['car-noise'\]"),
        ([1, 2], [1, 2], ["clean", None], HLP4, "missing values"),
        ([1, 2], [1, 2], ["clean", "clean"], {"clean": 1.5}, r"must be in \[0, 1\]"),
        ([1, 2], [1, 2], ["clean", "clean"], pd.DataFrame({"x": [1]}), "hlp_accuracy"),
    ],
)
def test_error_analysis_bad_input(y, p, tags, hlp, match):
    with pytest.raises(ValueError, match=match):
        m.error_analysis_by_tag(y, p, tags, hlp=hlp)


def test_error_analysis_hlp_wrong_type():
    with pytest.raises(TypeError, match="mapping or Series"):
        m.error_analysis_by_tag([1], [1], ["clean"], hlp=[0.9])


def _meta(n):
    return pd.DataFrame(
        {
            "clip_id": [f"c{i}" for i in range(n)],
            "speaker": ["s1", "s2"] * (n // 2),
            "condition": (TAGS4 * n)[:n],
            "snr_db": [2.0, 10.0, 3.0, np.nan] * (n // 4),
            "duration_s": [0.2, 0.5] * (n // 2),
        }
    )


def test_sample_errors_tags_and_shares():
    n = 40
    y = np.zeros(n, dtype=int)
    p = np.zeros(n, dtype=int)
    p[::2] = 1  # every even clip wrong: conditions clean / people_noise
    errors = m.sample_errors(y, p, _meta(n), n_errors=100)
    assert len(errors) == 20
    assert (errors["y_true"] != errors["y_pred"]).all()
    assert errors["clean"].sum() == 10 and errors["people_noise"].sum() == 10
    assert errors["car_noise"].sum() == 0
    assert errors["short_clip"].all()
    shares = m.error_tag_shares(errors)
    assert shares.loc["clean", "share_of_errors"] == 0.5
    assert shares.loc["short_clip", "share_of_errors"] == 1.0
    errors.loc[0, "manual_tags"] = "cut_off,mislabelled"
    errors.loc[1, "manual_tags"] = "cut_off"
    shares = m.error_tag_shares(errors)
    assert shares.loc["cut_off", "n_errors"] == 2
    few = m.sample_errors(y, p, _meta(n), n_errors=5, random_state=3)
    assert len(few) == 5


def test_sample_errors_bad_input():
    with pytest.raises(ValueError, match="same length"):
        m.sample_errors([0, 1], [0, 1], _meta(4))
    with pytest.raises(ValueError, match="empty table"):
        m.error_tag_shares(pd.DataFrame({"a": pd.Series([], dtype=bool)}))


def test_save_error_tags_roundtrip(tmp_path):
    errors = m.sample_errors([0, 1, 0, 1], [1, 1, 1, 1], _meta(4))
    path = m.save_error_tags(errors, tmp_path / "sub" / "tags.csv")
    back = pd.read_csv(path, keep_default_na=False)
    assert back["clip_id"].tolist() == errors["clip_id"].tolist()


def test_error_tagging_widget_edits_manual_tags(tmp_path):
    errors = m.sample_errors([0, 1, 0, 1], [1, 0, 1, 0], _meta(4))
    box = m.error_tagging_widget(errors, path=tmp_path / "t.csv")
    buttons = box.children[2].children
    buttons[1].value = True
    assert errors.loc[0, "manual_tags"] == "cut_off"
    box.children[3].click()
    assert (tmp_path / "t.csv").is_file()


def test_pool_errors_pools_sets_and_grouped_cv():
    from sklearn.dummy import DummyClassifier

    rng = np.random.default_rng(0)
    n = 120
    X, y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
    meta = pd.DataFrame(
        {
            "clip_id": [f"c{i}" for i in range(n)],
            "speaker": np.repeat(list("abcdef"), 20),
            "condition": "clean",
        }
    )
    train, seen, unseen = np.arange(0, 60), np.arange(60, 80), np.arange(80, 120)
    model = DummyClassifier(strategy="constant", constant=0).fit(X[train], y[train])
    sets = {"unseen": unseen, "seen": seen}
    errors, avail = m.pool_errors(model, X, y, meta, sets=sets, n_errors=10**4)
    assert avail.loc["unseen", "n_errors"] == int((y[unseen] != 0).sum())
    assert avail.loc["total", "n_errors"] == len(errors) == int((y[60:] != 0).sum())
    assert (y[errors["index"]] == errors["y_true"]).all() and (errors["y_pred"] == 0).all()
    assert set(errors["split"]) == {"unseen", "seen"}
    errors, avail = m.pool_errors(
        model, X, y, meta, sets=sets, cv_set=train, groups=meta["speaker"], n_errors=50
    )
    assert "train (grouped CV)" in avail.index and len(errors) == 50
    assert avail.loc["total", "n_sampled"] == 50
    assert avail.loc["total", "n_errors"] == int((y != 0).sum())
    with pytest.raises(ValueError, match="needs 'groups'"):
        m.pool_errors(model, X, y, meta, sets=sets, cv_set=train)
    with pytest.raises(ValueError, match="two groups"):
        m.pool_errors(model, X, y, meta, sets=sets, cv_set=train[:20], groups=meta["speaker"])
    with pytest.raises(ValueError, match="Got neither"):
        m.pool_errors(model, X, y, meta, sets={})


def test_plot_error_analysis_titles_the_top_tag():
    y = np.zeros(20, dtype=int)
    pred = y.copy()
    pred[10:13] = 1
    tags = ["clean"] * 10 + ["car_noise"] * 5 + ["people_noise"] * 5
    table = m.error_analysis_by_tag(y, pred, tags, hlp=HLP4)
    fig = m.plot_error_analysis(table)
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "work on: car_noise (rank 1)"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == table.index.tolist()
    with pytest.raises(ValueError, match="error_analysis_by_tag"):
        m.plot_error_analysis(table.drop(columns="error_share"))


def test_describe_error_pool_reads_the_totals():
    from sklearn.dummy import DummyClassifier

    n = 40
    X, y = np.zeros((n, 1)), np.array([0, 1] * (n // 2))
    model = DummyClassifier(strategy="constant", constant=0).fit(X, y)
    _, avail = m.pool_errors(model, X, y, _meta(n), sets={"dev": np.arange(n)}, n_errors=5)
    assert (
        m.describe_error_pool(avail, n_errors=5) == "20 errors available, 5 sampled (asked for 5)"
    )
    with pytest.raises(ValueError, match="'total' row"):
        m.describe_error_pool(avail.drop(index="total"), n_errors=5)
