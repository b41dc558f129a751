import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from mlkit import modeling as m

TAGS4 = ["clean", "car_noise", "people_noise", "low_bandwidth"]
HLP4 = {"clean": 0.98, "car_noise": 0.9, "people_noise": 0.85, "low_bandwidth": 0.95}


@pytest.fixture
def skewed():
    X, y = make_classification(
        n_samples=400, n_features=6, weights=[0.94], flip_y=0, class_sep=1.2, random_state=0
    )
    score = 1 / (1 + np.exp(-(X[:, 0] * 1.5 + np.random.default_rng(0).normal(size=400))))
    return X, y, score


# ----------------------------------------------------------------- error_analysis_by_tag


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


# ----------------------------------------------------------------- models, splits, baselines


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


def test_baseline_table_rows_and_literature():
    lit = m.literature_baselines()
    assert {"system", "data", "metric", "value", "source"} <= set(lit.columns)
    assert lit["source"].str.len().min() > 10
    t = m.baseline_table(
        [0, 1, 1, 1], {"a": [0, 1, 1, 0], "b": [1, 1, 1, 1]}, hlp=0.9, literature=lit
    )
    assert t["kind"].tolist()[:3] == ["human", "model", "model"]
    assert t.loc[1, "accuracy"] == 0.75 and t.loc[1, "error"] == 0.25
    assert (t["kind"] == "reported").sum() == len(lit)
    with pytest.raises(ValueError, match="at least one model"):
        m.baseline_table([0, 1], {})
    with pytest.raises(ValueError, match="same length"):
        m.baseline_table([0, 1], {"a": [0]})


# ----------------------------------------------------------------- error sample and tags


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


# ----------------------------------------------------------------- skewed data


def test_always_negative_is_accurate_but_useless(skewed):
    _, y, _ = skewed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        met = m.binary_metrics(y, np.zeros_like(y), y_score=np.zeros(len(y)))
    assert met["accuracy"] > 0.9
    assert met["recall"] == 0.0 and met["precision"] == 0.0 and met["f1"] == 0.0
    assert met["pr_auc"] == pytest.approx(y.mean())


def test_binary_metrics_values(skewed):
    _, y, s = skewed
    pred = (s >= 0.5).astype(int)
    met = m.binary_metrics(y, pred, y_score=s)
    assert met["tp"] + met["fn"] == y.sum()
    assert met["recall"] == pytest.approx(met["tp"] / y.sum())
    assert 0 < met["pr_auc"] <= 1


@pytest.mark.parametrize(
    ("y", "p", "score", "match"),
    [
        ([0, 0, 0], [0, 0, 0], None, "both classes"),
        ([0, 1, 2], [0, 1, 1], None, "binary"),
        ([0, 1], [0], None, "same length"),
        ([0, 1, 1], [0, 1, 1], [0.1, np.nan, 0.5], "NaN"),
    ],
)
def test_binary_metrics_bad_input(y, p, score, match):
    with pytest.raises(ValueError, match=match):
        m.binary_metrics(y, p, y_score=score)


def test_threshold_sweep_matches_direct_counts(skewed):
    _, y, s = skewed
    sweep = m.threshold_sweep(y, s, cost_fp=1, cost_fn=10)
    assert sweep["threshold"].is_monotonic_increasing
    assert np.isinf(sweep["threshold"].iloc[-1])
    for t in [sweep["threshold"].iloc[0], 0.3, 0.5, 0.81]:
        row = sweep.iloc[max(np.searchsorted(sweep["threshold"], t, side="right") - 1, 0)]
        pred = s >= row["threshold"]
        assert row["tp"] == int((pred & (y == 1)).sum())
        assert row["fp"] == int((pred & (y == 0)).sum())
        assert row["cost"] == row["fp"] + 10 * row["fn"]
    assert sweep["recall"].iloc[0] == 1.0 and sweep["recall"].iloc[-1] == 0.0


def test_threshold_for_recall_and_cost(skewed):
    _, y, s = skewed
    t = m.threshold_for_recall(y, s, target_recall=0.9)
    assert ((s >= t) & (y == 1)).sum() / y.sum() >= 0.9
    higher = np.unique(s[s > t])
    if higher.size:  # the next threshold up misses the target
        assert ((s >= higher[0]) & (y == 1)).sum() / y.sum() < 0.9
    tc = m.threshold_for_cost(y, s, cost_fp=1, cost_fn=10)
    sweep = m.threshold_sweep(y, s, cost_fp=1, cost_fn=10)
    assert sweep.loc[sweep["threshold"] == tc, "cost"].iloc[0] == sweep["cost"].min()
    # expensive misses push the threshold down
    assert m.threshold_for_cost(y, s, cost_fp=1, cost_fn=100) <= m.threshold_for_cost(
        y, s, cost_fp=1, cost_fn=1
    )


@pytest.mark.parametrize(
    ("y", "s", "kw", "match"),
    [
        ([1, 1], [0.2, 0.4], {}, "both classes"),
        ([0, 1], [0.2, np.nan], {}, "NaN"),
        ([0, 1], [0.2, 0.4], {"target_recall": 0.0}, r"target_recall.*\(0.*1\]"),
    ],
)
def test_threshold_bad_input(y, s, kw, match):
    with pytest.raises(ValueError, match=match):
        m.threshold_for_recall(y, s, **kw)


def test_plot_threshold_view_is_fast_and_closed(skewed):
    import time

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, y, s = skewed
    sweep = m.threshold_sweep(y, s)
    fig = m.plot_threshold_view(sweep, 0.5, pr_auc=0.7)
    assert len(fig.axes) == 3
    start = time.perf_counter()
    fig.canvas.draw()
    assert time.perf_counter() - start < 5  # a generous sanity bound, not a benchmark
    plt.close(fig)


# ----------------------------------------------------------------- slices, rare classes


def test_slice_metrics_flags_worse_slice():
    rng = np.random.default_rng(0)
    g = np.repeat(["a", "b", "c"], 100)
    y = rng.integers(0, 10, 300)
    p = y.copy()
    p[200:260] = (p[200:260] + 1) % 10  # slice c: 40 % accuracy
    t = m.slice_metrics(y, p, pd.Series(g, name="speaker"), random_state=0)
    assert t.index.name == "speaker"
    assert t.loc["c", "accuracy"] == pytest.approx(0.4)
    assert t.loc["overall", "accuracy"] == pytest.approx(0.8)
    assert t["flagged"].tolist() == [False, False, True, False]
    assert t.loc["c", "ci_below_overall"]
    assert t.loc["a", "ci_low"] == 1.0
    assert t.loc["c", "ci_low"] < 0.4 < t.loc["c", "ci_high"]
    assert t["support"].tolist() == [100, 100, 100, 300]


def test_slice_metrics_recall_without_warnings():
    y = np.array([0, 0, 0, 0, 1, 1, 0, 0])
    p = np.array([0, 0, 0, 0, 1, 0, 0, 0])
    g = ["small"] * 4 + ["large"] * 4  # no positives in 'small'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = m.slice_metrics(y, p, g, metric="recall", n_boot=50)
    assert t.loc["small", "recall"] == 0.0 and t.loc["large", "recall"] == 0.5


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"metric": "auc"}, "must be one of"),
        ({"groups": ["a"]}, "one tag per sample"),
        ({"n_boot": 2}, "n_boot"),
    ],
)
def test_slice_metrics_bad_input(kw, match):
    args = {"groups": ["a", "b"], **kw}
    with pytest.raises(ValueError, match=match):
        m.slice_metrics([0, 1], [0, 1], **args)


def test_per_class_recall_keeps_rare_and_absent_classes():
    y = [0, 0, 0, 0, 1, 2]
    p = [0, 0, 0, 0, 0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = m.per_class_recall(y, p, labels=[0, 1, 2, 3])
    assert t.loc[1, "recall"] == 0.0 and t.loc[3, "support"] == 0
    assert t.index[0] in (1, 3)


# ----------------------------------------------------------------- features vs rows, budgets


def test_feature_vs_rows_measures_both_arms():
    X, y = make_classification(
        n_samples=300,
        n_features=4,
        n_informative=2,
        n_redundant=0,
        weights=[0.85],
        shuffle=False,
        random_state=0,
    )
    strong = X[:, 0] * X[:, 1]
    t = m.feature_vs_rows(X[:, 2:], y, X[:, :2], n_repeats=4, random_state=0)
    assert t.index.tolist() == ["baseline", "+ engineered feature", "+ more rows"]
    assert t.loc["baseline", "gain"] == 0.0
    assert t.loc["+ engineered feature", "gain"] > 0.1  # the informative columns help a lot
    assert t.loc["+ more rows", "n_train_rows"] > t.loc["baseline", "n_train_rows"]
    assert t.loc["+ engineered feature", "n_features"] == 4
    with pytest.raises(ValueError, match="same length"):
        m.feature_vs_rows(X, y, strong[:10])
    with pytest.raises(ValueError, match="both classes"):
        m.feature_vs_rows(X, np.zeros(300, dtype=int), strong)


def _runs():
    return pd.DataFrame(
        {
            "arm": ["start", "model", "model", "data", "data"],
            "run": ["baseline", "m1", "m2", "d1", "d2"],
            "dev_accuracy": [0.8, 0.82, 0.81, 0.85, 0.79],
            "seen_accuracy": [0.7, 0.70, 0.75, 0.78, 0.90],
            "seen_tag_accuracy_clean": [0.9, 0.9, 0.92, 0.95, 0.9],
        }
    )


def test_budget_comparison_picks_on_dev_and_reports_held_out():
    t = m.budget_comparison(_runs())
    assert t["best_run"].to_dict() == {"model": "m1", "data": "d1"}  # picked on dev
    # m2 and d2 are better on the held-out split, but the pick must not see it
    assert t.loc["model", "gain"] == pytest.approx(0.0)
    assert t.loc["data", "gain"] == pytest.approx(0.08)
    assert t.loc["data", "dev_gain"] == pytest.approx(0.05)
    assert t.loc["data", "gain_clean"] == pytest.approx(0.05)
    assert t["n_runs"].tolist() == [2, 2]


@pytest.mark.parametrize(
    ("runs", "kw", "match"),
    [
        (_runs().iloc[:4], {}, "equal budgets"),
        (_runs().drop(columns="arm"), {}, "missing"),
        (_runs().iloc[1:], {}, r"run named 'baseline'.*\['m1', 'm2', 'd1', 'd2'\]"),
        (_runs(), {"report_on": "dev"}, "winner's curse"),
        (_runs().iloc[:1], {}, "besides the baseline"),
    ],
)
def test_budget_comparison_bad_input(runs, kw, match):
    with pytest.raises(ValueError, match=match):
        m.budget_comparison(runs, **kw)


def test_budget_takeaways_follow_the_numbers():
    text = m.budget_takeaways(m.budget_comparison(_runs()))
    assert "**data** gained most by 8.0 points" in text and "model +0.0 pts" in text
    assert "data (best run: d1): the same gain on every tag, +5.0 pts" in text
    two = _runs().assign(seen_tag_accuracy_noise=[0.5, 0.5, 0.5, 0.4, 0.5])
    assert "largest tag gain clean +5.0 pts, smallest noise -10.0 pts" in m.budget_takeaways(
        m.budget_comparison(two)
    )
    worse = _runs().assign(seen_accuracy=[0.9, 0.8, 0.8, 0.85, 0.85])
    text = m.budget_takeaways(m.budget_comparison(worse))
    assert text.startswith("* Neither arm beat the baseline") and "gained most" not in text
    tie = _runs().assign(seen_accuracy=[0.7, 0.8, 0.8, 0.8, 0.8])
    assert "tie" in m.budget_takeaways(m.budget_comparison(tie))
    with pytest.raises(ValueError, match="'gain'"):
        m.budget_takeaways(pd.DataFrame({"x": [1]}))


# ----------------------------------------------------------------- helpers the notebooks share


def test_slice_metrics_does_not_flag_tiny_slices():
    y = np.zeros(60, dtype=int)
    p = y.copy()
    p[:3] = 1  # slice "tiny" (3 clips) all wrong, far below overall
    g = ["tiny"] * 3 + ["big"] * 57
    t = m.slice_metrics(y, p, g, n_boot=50)
    assert t.loc["tiny", "accuracy"] == 0.0 and not t.loc["tiny", "flagged"]
    assert m.slice_metrics(y, p, g, n_boot=50, min_support=3).loc["tiny", "flagged"]


def test_slice_metrics_recall_counts_positives_and_skips_empty_resamples():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0])
    p = np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    t = m.slice_metrics(y, p, ["a"] * 6 + ["b"] * 6, metric="recall", n_boot=100)
    assert t["n_positive"].tolist() == [1, 2, 3]
    assert t.loc["a", "ci_low"] == 1.0  # resamples without the positive carry no recall


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


def test_human_level_performance_by_tag():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 400)
    tags = np.array(TAGS4 * 100)
    hlp = m.human_level_performance(y, tags, random_state=0)
    assert set(TAGS4) | {"overall"} == set(hlp.index)
    assert hlp.loc["clean", "hlp_accuracy"] > hlp.loc["people_noise", "hlp_accuracy"]
    assert ((hlp["hlp_accuracy"] > 0.5) & (hlp["hlp_accuracy"] <= 1)).all()
    again = m.human_level_performance(y, tags, random_state=0)
    pd.testing.assert_frame_equal(hlp, again)


def test_hlp_and_model_are_scored_on_the_same_truth():
    """A "model" that answers like the simulated labelers scores exactly HLP on every tag."""
    from mlkit import data

    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 800)
    tags = np.array(TAGS4 * 200)
    hlp = m.human_level_performance(y, tags, random_state=3)
    labels = data.simulate_labelers(y, tags=tags, n_labelers=5, careless=False, random_state=3)
    assert (labels == data.UNINTELLIGIBLE).any()  # some clips are ambiguous to people
    # each labeler as a model, scored by error_analysis_by_tag against the spoken digit
    gaps = np.mean(
        [m.error_analysis_by_tag(y, lab, tags, hlp=hlp)["gap"].sort_index() for lab in labels],
        axis=0,
    )
    np.testing.assert_allclose(gaps, 0.0, atol=1e-12)
    # a perfect model beats HLP on every tag: people miss ambiguous clips, it does not
    perfect = m.error_analysis_by_tag(y, y, tags, hlp=hlp)
    assert (perfect["gap"] < 0).all() and (perfect["potential_gain"] == 0).all()


def test_error_decomposition_and_bayes_notes():
    d = m.error_decomposition(
        hlp_accuracy=0.9, train_accuracy=0.95, seen_accuracy=0.9, dev_accuracy=0.8
    )
    assert d.to_dict() == pytest.approx(
        {
            "hlp_error": 0.1,
            "training_error": 0.05,
            "seen_error": 0.1,
            "dev_error": 0.2,
            "avoidable_bias": 0.0,
            "variance": 0.15,
        }
    )
    assert m.error_decomposition(hlp_accuracy=0.9, train_accuracy=0.8, dev_accuracy=0.7)[
        "avoidable_bias"
    ] == pytest.approx(0.1)
    y = np.zeros(20, dtype=int)
    pred = y.copy()
    pred[10:13] = 1  # car_noise 40 % right (below HLP 0.9), clean 100 % (above 0.98)
    tags = ["clean"] * 10 + ["car_noise"] * 5 + ["people_noise"] * 5
    table = m.error_analysis_by_tag(y, pred, tags, hlp=HLP4)
    notes = dict(zip(table.index, m.bayes_error_notes(table, decomposition=d), strict=False))
    assert notes["clean"].startswith("clean: the model beats HLP (100.0% vs 98.0%)")
    assert "no Bayes-error proxy" in notes["clean"] and "potential gain 0" in notes["clean"]
    assert notes["car_noise"].startswith("car_noise: 50.0% below HLP on 25% of the clips")
    assert "potential gain 12.50%" in notes["car_noise"]
    last = m.bayes_error_notes(table, decomposition=d)[-1]
    assert last.startswith("overall: training error 5.0% is below HLP error 10.0%")
    with pytest.raises(ValueError, match="potential_gain"):
        m.bayes_error_notes(table.drop(columns="potential_gain"))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        m.error_decomposition(hlp_accuracy=1.2, train_accuracy=0.9, dev_accuracy=0.9)


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


def test_tune_threshold_never_looks_at_the_test_rows(skewed):
    from sklearn.linear_model import LogisticRegression

    X, y, _ = skewed
    est = LogisticRegression(max_iter=1000)
    a = m.tune_threshold(est, X, y, target_recall=0.9, test_size=0.3, random_state=0)
    assert not set(a.tune) & set(a.test) and len(a.tune) + len(a.test) == len(y)
    assert a.y_test.sum() == pytest.approx(y.sum() * 0.3, abs=1)  # stratified
    assert a.threshold_recall == m.threshold_for_recall(a.y_tune, a.score_tune, target_recall=0.9)
    want = (a.score_test >= a.threshold_recall).astype(int)
    assert a.test_metrics == m.binary_metrics(a.y_test, want, y_score=a.score_test)
    # features of the test rows changed: thresholds stay, only the test metrics move
    X2 = X.copy()
    X2[a.test] = np.random.default_rng(1).normal(size=X2[a.test].shape)
    b = m.tune_threshold(est, X2, y, target_recall=0.9, test_size=0.3, random_state=0)
    assert (b.threshold_recall, b.threshold_cost) == (a.threshold_recall, a.threshold_cost)
    assert "ThresholdChoice" in repr(a)
    with pytest.raises(ValueError, match="both classes"):
        m.tune_threshold(est, X, np.zeros_like(y))
    with pytest.raises(ValueError, match="positives in the test split"):
        m.tune_threshold(est, X[:60], np.r_[np.ones(3, int), np.zeros(57, int)], test_size=0.3)


def test_make_recipes_are_reproducible_and_consistent():
    from mlkit import data

    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 300)
    tags = np.array(TAGS4 * 75)
    train = np.arange(0, 240)
    kw = dict(pool_share=0.3, n_labelers=3, random_state=4)
    r = m.make_recipes(y, tags, train, top_tag="people_noise", **kw)
    assert list(r) == list(m.RECIPES)
    again = m.make_recipes(y, tags, train, top_tag="people_noise", **kw)
    for k in r:
        np.testing.assert_array_equal(r[k][0], again[k][0])
        np.testing.assert_array_equal(r[k][1], again[k][1])
    base = m.make_recipes(y, tags, train, **kw)
    assert list(base) == ["as_collected", "relabelled"]
    np.testing.assert_array_equal(base["relabelled"][1], r["relabelled"][1])
    for idx, lab in r.values():
        assert set(idx) <= set(train) and len(idx) == len(lab)
        assert not (lab == data.UNINTELLIGIBLE).any()
    extra = set(r["top_tag_data"][0]) - set(r["as_collected"][0])
    assert extra and set(tags[list(extra)]) == {"people_noise"}
    # relabelling by the convention removes label errors
    wrong = {k: np.mean(lab != y[idx]) for k, (idx, lab) in r.items()}
    assert wrong["relabelled"] < wrong["as_collected"]
    with pytest.raises(ValueError, match="'top_tag'"):
        m.make_recipes(y, tags, train, top_tag="car-noise")


def test_make_model_takes_the_options_of_other_phases():
    """data._default_classifier and scoping.quick_model can be make_model("logreg", ...)."""
    clf = m.make_model("logreg", C=0.02, tol=1e-3, solver="newton-cg", max_iter=300)
    lr = clf.steps[-1][1]
    assert (lr.C, lr.tol, lr.solver, lr.max_iter) == (0.02, 1e-3, "newton-cg", 300)
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    assert clf.fit(X, y).score(X, y) > 0.7


def test_speech_split_dataset_record_rebuilds_the_split():
    sp = m.load_speech_split(n_clips=48, random_state=0)
    rec = sp.dataset
    assert rec["sha256"] == sp.data.sha256
    again = m.load_speech_split(**rec["lineage"]["steps"][0]["params"])
    assert again.data.sha256 == sp.data.sha256
    np.testing.assert_array_equal(again.train, sp.train)
    np.testing.assert_array_equal(again.X, sp.X)


def test_threshold_view_renderer_redraws_in_place(skewed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, y, s = skewed
    render = m.threshold_view_renderer(m.threshold_sweep(y, s))
    a, b = render(0.2), render(0.8)
    assert a.data[:8] == b"\x89PNG\r\n\x1a\n" and a.data != b.data
    assert render(0.2).data == a.data  # same threshold, same picture
    assert plt.get_fignums() == []  # nothing left for the inline backend to show twice


def test_load_speech_split_is_speaker_grouped():
    sp = m.load_speech_split(n_clips=48, random_state=0)
    spk = sp.data.metadata["speaker"].to_numpy()
    assert sp.X.shape[0] == 48 == len(sp.y)
    assert set(spk[sp.unseen]) == set(sp.unseen_speakers)
    assert not set(sp.unseen_speakers) & set(spk[sp.train])
    assert len(sp.tags) == 48 and "SpeechSplit" in repr(sp)
