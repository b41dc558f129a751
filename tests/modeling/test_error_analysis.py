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


# --- intervals, ranking in words, recorded metrics (issue 11.1) -------------------------


def _table_with_intervals(acc_by_tag, n=60, hlp=1.0, seed=0):
    """Tags with `n` clips each; the model is right on the first acc*n clips of each tag."""
    tags, y, pred = [], [], []
    for tag, acc in acc_by_tag.items():
        k = round(acc * n)
        tags += [tag] * n
        y += [1] * n
        pred += [1] * k + [0] * (n - k)
    human = np.full(len(y), hlp)
    return m.error_analysis_by_tag(y, pred, tags, human_correct=human, random_state=seed)


def test_gap_interval_is_paired_and_covers_the_gap():
    t = _table_with_intervals({"clean": 0.95, "people_noise": 0.5})
    assert {"gap_ci_low", "gap_ci_high", "gain_ci_low", "gain_ci_high", "overlaps"} <= set(t)
    for _, r in t.iterrows():
        assert r["gap_ci_low"] <= r["gap"] <= r["gap_ci_high"]
        assert r["gain_ci_low"] == pytest.approx(max(r["gap_ci_low"], 0) * r["share"])
    # HLP is the mean of the per-clip shares
    assert (t["hlp"] == 1.0).all()
    # 30 errors in 60 clips: the gap is far from 0; 3 in 60 is not far from 0
    assert t.loc["people_noise", "gap_ci_low"] > 0.3
    assert t.loc["clean", "gap_ci_low"] < 0.05


def test_intervals_are_seeded():
    a = _table_with_intervals({"clean": 0.9, "car_noise": 0.8}, seed=3)
    b = _table_with_intervals({"clean": 0.9, "car_noise": 0.8}, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_distinct_top_tag_is_said_and_recorded():
    t = _table_with_intervals({"clean": 0.95, "car_noise": 0.93, "people_noise": 0.4})
    text = m.describe_error_analysis(t)
    assert "**people_noise** comes first and its gain interval lies above" in text
    metrics = m.error_analysis_metrics(t)
    assert metrics["top_priority_tag"] == "people_noise"
    assert metrics["top_gain_ci_low"] > metrics["runner_up_gain_ci_high"]
    assert metrics["top_priority_gain"] == max(
        metrics[f"potential_gain_{tag}"] for tag in ["clean", "car_noise", "people_noise"]
    )
    assert {f"gap_ci_low_{tag}" for tag in ["clean", "car_noise", "people_noise"]} <= set(metrics)
    # What next reads the same ranking
    assert "ranks **people_noise** first" in m.describe_what_next(t)
    assert "clear of every other tag" in m.describe_what_next(t)


def test_overlapping_tags_are_said_to_be_indistinguishable():
    # the check can fail: two tags one clip apart must not be ranked as a finding
    t = _table_with_intervals({"car_noise": 0.8, "low_bandwidth": 0.817})
    assert t.loc["car_noise", "overlaps"] == "low_bandwidth"
    text = m.describe_error_analysis(t)
    assert "on the point estimate only" in text and "cannot be told apart" in text
    assert "comes first and its gain interval lies above" not in text
    nxt = m.describe_what_next(t)
    assert "cannot be told apart from low_bandwidth" in nxt
    metrics = m.error_analysis_metrics(t)
    assert not metrics["top_gain_ci_low"] > metrics["runner_up_gain_ci_high"]


def test_no_gain_anywhere_is_said_not_hidden():
    t = _table_with_intervals({"clean": 1.0, "car_noise": 1.0}, hlp=0.9)
    assert (t["potential_gain"] == 0).all()
    assert "HLP cannot rank the tags" in m.describe_error_analysis(t)
    assert "finds no tag below HLP" in m.describe_what_next(t)
    assert m.error_analysis_metrics(t)["n_tags_below_hlp"] == 0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({}, "Got neither"),
        ({"hlp": HLP4, "human_correct": [1.0, 1.0]}, "Got both"),
        ({"human_correct": [1.0]}, "one value per sample"),
        ({"human_correct": [1.0, 1.5]}, r"shares in \[0, 1\]"),
        ({"human_correct": [1.0, 1.0], "n_resamples": 10}, "n_resamples"),
        ({"human_correct": [1.0, 1.0], "confidence": 1.0}, "confidence"),
    ],
)
def test_error_analysis_hlp_source_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        m.error_analysis_by_tag([1, 2], [1, 2], ["clean", "clean"], **kw)


def test_describers_need_the_interval_columns():
    t = m.error_analysis_by_tag([1, 1], [1, 0], ["clean", "clean"], hlp={"clean": 1.0})
    for f in (m.describe_error_analysis, m.describe_what_next, m.error_analysis_metrics):
        with pytest.raises(ValueError, match="human_correct"):
            f(t)


def test_out_of_fold_predict_never_trains_on_the_speaker():
    from sklearn.neighbors import KNeighborsClassifier

    # each speaker has its own "voice": features identical within a speaker, labels differ
    # across speakers; a model that had heard the speaker would be right
    X = np.repeat(np.arange(4.0), 3)[:, None]
    y = np.repeat([0, 1, 0, 1], 3)
    groups = np.repeat(["a", "b", "c", "d"], 3)
    seen = KNeighborsClassifier(1).fit(X, y).predict(X)
    oof = m.out_of_fold_predict(KNeighborsClassifier(1), X, y, groups=groups)
    assert (seen == y).all() and (oof != y).any()
    with pytest.raises(ValueError, match="at least two"):
        m.out_of_fold_predict(KNeighborsClassifier(1), X, y, groups=["a"] * 12)


def test_pool_errors_uses_given_out_of_fold_predictions():
    from sklearn.dummy import DummyClassifier

    y = np.array([0, 1, 0, 1, 0, 1])
    X = np.zeros((6, 1))
    meta = pd.DataFrame({"clip_id": [f"c{i}" for i in range(6)], "speaker": list("aabbcc")})
    cv_pred = np.array([0, 0, 0, 0, 0, 1])  # two errors, rows 1 and 3
    errors, available = m.pool_errors(
        DummyClassifier().fit(X, y),
        X,
        y,
        meta,
        sets={},
        cv_set=np.arange(6),
        cv_pred=cv_pred,
        cv_name="all clips",
        groups=meta["speaker"],
    )
    assert sorted(errors["index"]) == [1, 3]
    assert available.loc["all clips", "n_errors"] == 2
    with pytest.raises(ValueError, match="same length"):
        m.pool_errors(
            DummyClassifier().fit(X, y),
            X,
            y,
            meta,
            sets={},
            cv_set=np.arange(6),
            cv_pred=cv_pred[:3],
            groups=meta["speaker"],
        )


def test_plot_error_analysis_draws_gain_intervals():
    import matplotlib.pyplot as plt

    t = _table_with_intervals({"clean": 0.95, "people_noise": 0.5})
    fig = m.plot_error_analysis(t)
    assert fig.axes[1].get_title() == "work on: people_noise (rank 1)"
    assert len(fig.axes[1].containers) == 3  # two bar columns and the error bars
    plt.close(fig)


def test_describe_grouped_folds_names_the_fewer_folds_fallback():
    # issue 12.9: with 2 speakers, out_of_fold_predict uses 2 folds instead of 4; say so
    note = m.describe_grouped_folds(["jackson", "theo"] * 5)
    assert note.startswith("Only 2 speakers: 2 speaker-grouped folds instead of 4 (fallback)")
    assert m.describe_grouped_folds(list("abcd") * 3) == ""
    with pytest.raises(ValueError, match="n_splits"):
        m.describe_grouped_folds(["a", "b"], n_splits=1)
